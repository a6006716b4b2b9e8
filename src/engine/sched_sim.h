/* SPDX-License-Identifier: MIT */
/*
 * The `sim` scheduler (DESIGN §3): virtual time; each step costs time from a
 * latency model; ties and jitter come from a PRNG that lives in the world, so
 * the same scenario and seed give the same run, byte for byte.
 */
#ifndef TDXSIM_ENGINE_SCHED_SIM_H
#define TDXSIM_ENGINE_SCHED_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"

/* Latency model (ns).  Defaults are documented in docs/sim.md; a scenario's
 * `latency:` overrides them by leaf name or class. */
struct sim_latency {
	uint64_t lock_op;          /* one lock-word operation inside a leaf */
	uint64_t vmm_step;         /* one VMM decision / shared access */
	uint64_t guest_step;       /* one guest instruction batch / memory access */
	uint64_t td_exit;          /* hardware part of a TD exit */
	uint64_t blocked_poll;     /* how soon a blocked actor is looked at again */
	uint64_t leaf[2][64];      /* per side and leaf number: the leaf's body cost */
};
void sim_latency_defaults(struct sim_latency *l);
/* Apply a scenario's overrides (leaf names, or "lock", "vmm", "guest", "exit", "poll"). */
int sim_latency_apply(struct sim_latency *l, const struct tdxsim_table *t,
		      const struct tdxsim_scenario *s, struct tdxsim_error *err);

/* What the scheduler reports as it runs (all optional). */
struct sim_observer {
	/* A leaf execution started / ended on actor `actor` (side: host SEAMCALL or
	 * guest TDCALL; leaf: table index, or TDXSIM_LEAF_TD_EXIT). */
	void (*leaf_begin)(void *ctx, unsigned actor, int side, int leaf, uint64_t t);
	void (*leaf_end)(void *ctx, unsigned actor, int side, int leaf, tdx_status_t status, uint64_t t);
	void (*step)(void *ctx, unsigned actor, enum flow_ret r, uint64_t t, uint64_t cost);
	void *ctx;
};

struct sim_opts {
	uint64_t seed;
	uint64_t time_ns;          /* stop at this virtual time (0 = until done) */
	uint64_t max_steps;        /* safety bound (0 = none) */
	uint64_t stall_ns;         /* no progress for this long = stall (0 = default 50 ms) */
	struct sim_latency lat;
	const struct sim_observer *obs;
	bool progress;             /* progress line on stderr (only if it is a terminal) */
	/* Forced schedule (tdxsim replay, docs/check.md): step exactly these actors in
	 * this order; the run ends after the last (outcome SIM_STEPS).  NULL = the
	 * scheduler's own choice. */
	const uint32_t *forced;
	uint64_t n_forced;
};

enum sim_outcome {
	SIM_DONE,                  /* every actor finished */
	SIM_TIME,                  /* the time limit was reached */
	SIM_STEPS,                 /* the step limit was reached */
	SIM_DEADLOCK,              /* nobody can step */
	SIM_STALL,                 /* steps happen but nothing progresses (livelock / VMM stall) */
};

struct sim_result {
	enum sim_outcome outcome;
	uint64_t steps, now;
	char why[512];             /* for deadlock / stall: what each actor is doing */
};

/* Leaf begin/end and cost accounting around one step of actor i on one side
 * (shared with the threads scheduler): `before` is the leaf execution's state
 * before the step, x after it; *charged is per actor and side. */
struct exec_mark_pub {
	int leaf;
	uint8_t phase;
	uint16_t pc;
};
uint64_t sim_account_exec(struct engine *e, const struct sim_latency *lat,
			  const struct sim_observer *ob, unsigned i, int side, struct exec_mark_pub before,
			  const struct tdxsim_leaf_exec *x, uint64_t now, uint8_t *charged);
/* RAX of the TDCALL actor i's guest completed in the last step (guest_peek.c). */
uint64_t engine_guest_tdcall_rax(struct engine *e, unsigned actor);
/* leaf_end status of a TDCALL that ended in a TD exit (it runs again after it). */
#define SIM_STATUS_TD_EXIT 0x7FFFFFFFFFFFFFFEull

/* Seed the world's PRNG (xoshiro256**). */
void sim_seed(struct engine *e, uint64_t seed);
uint64_t sim_rand(struct engine *e);
void sim_run(struct engine *e, const struct sim_opts *o, struct sim_result *res);
const char *sim_outcome_name(enum sim_outcome o);

#endif
