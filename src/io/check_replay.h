/* SPDX-License-Identifier: MIT */
/*
 * Replaying a checker counterexample under the sim scheduler (docs/check.md
 * "Replay"): the scenario is loaded again with the same policy, the world is
 * built and set up like the checker sets it up (time abstraction, inputs at time
 * 0), and sim_run steps exactly the counterexample's actors in order (its forced
 * schedule); the environment's inputs are applied between steps where the
 * schedule puts them.  The replay then judges the violation itself:
 *  - a transition property (VM BUG, retry bound, user exit, MapGPA resume,
 *    invariant, halt): the last step must violate it;
 *  - deadlock: at the end no actor can step and one has not finished;
 *  - livelock / starvation / MapGPA termination: the canonical state after the
 *    cycle equals the one before it, no step of the cycle makes the relevant
 *    progress, work is pending, and every actor enabled in all the cycle's states
 *    steps in it (weak fairness).
 */
#ifndef TDXSIM_IO_CHECK_REPLAY_H
#define TDXSIM_IO_CHECK_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "io/check_out.h"

struct ck_replay_result {
	bool reproduced;
	char why[768];             /* what was reproduced, or where the replay diverged */
	uint64_t steps;            /* schedule entries executed */
	uint64_t sim_ns;           /* virtual time at the end */
	uint64_t busy, retries, kicks;   /* sim statistics of the replay */
};

/* Replay counterexample c of file header h; write a Chrome trace to trace_path
 * if non-NULL.  -1 with err on bad input (scenario no longer loads, actors differ)
 * or an I/O error; otherwise 0 and *out says whether the violation reproduced. */
int ck_replay(const struct ckf *h, const struct ckf_cex *c, const char *trace_path,
	      struct ck_replay_result *out, struct tdxsim_error *err);

#endif
