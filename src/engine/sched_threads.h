/* SPDX-License-Identifier: MIT */
/*
 * The `threads` scheduler (DESIGN §3): one OS thread per actor calling
 * engine_step in a loop.  Module lock words are C11 atomics and every lock step
 * is the real atomic sequence, so leaf steps of different actors run truly in
 * parallel; the steps that read or write VMM / guest state (one visible action
 * each, by the flow rules of src/vmm/flow.h) are serialized by a world lock,
 * taken shared by leaf steps and exclusive by the others.  See docs/sim.md
 * "tdxsim stress" for what this does and does not promise.
 *
 * Not deterministic: the OS decides the interleaving.  Virtual time is kept per
 * actor (the step costs of the latency model) and the world clock is their
 * maximum, advanced with an atomic max.
 */
#ifndef TDXSIM_ENGINE_SCHED_THREADS_H
#define TDXSIM_ENGINE_SCHED_THREADS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "engine/sched_sim.h"

struct threads_opts {
	uint64_t time_ns;          /* stop at this virtual time (0 = until done) */
	uint64_t max_steps;        /* stop after about this many steps (0 = none) */
	uint64_t stall_ns;         /* no progress for this long (virtual) = stall (0 = 50 ms) */
	struct sim_latency lat;
	/* Called from the actors' threads: must be thread-safe. */
	const struct sim_observer *obs;
	bool progress;             /* progress line on stderr (only if it is a terminal) */
	/* Called by the watching thread about every 0.2 ms with every actor stopped
	 * between two steps (the world lock held exclusively): scenario inputs. */
	void (*between)(void *ctx, uint64_t now);
	void *between_ctx;
};

/* Runs until every actor is done, the time or step limit, a deadlock (every
 * unfinished actor keeps returning BLOCKED) or a stall (no progress in stall_ns
 * of virtual time).  res->steps and res->now are totals; res->why describes the
 * actors on deadlock/stall. */
void threads_run(struct engine *e, const struct threads_opts *o, struct sim_result *res);

#endif
