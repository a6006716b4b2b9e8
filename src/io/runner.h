/* SPDX-License-Identifier: MIT */
/*
 * One run of a scenario under the sim or threads scheduler, with statistics,
 * the judgement of `expect:`, and optionally a Chrome trace (sim only).  Shared
 * by tdxsim sim, tdxsim stress and bench_sim.
 */
#ifndef TDXSIM_IO_RUNNER_H
#define TDXSIM_IO_RUNNER_H

#include "io/report.h"

struct run_opts {
	uint64_t seed;             /* sim: PRNG seed */
	uint64_t time_ns;          /* 0 = the scenario's sim.time, else its default (docs/sim.md) */
	uint64_t max_steps;        /* 0 = the scenario's sim.max_steps */
	uint64_t stall_ns;         /* 0 = the scenario's sim.stall */
	const char *trace;         /* Chrome trace file (sim only), NULL = none */
	uint64_t trace_limit;      /* events (0 = no limit) */
	bool progress;             /* progress on stderr if it is a terminal */
	bool threads;              /* threads scheduler (tdxsim stress) */
};

struct run {
	struct engine e;
	bool have_engine;
	struct stats *st;
	struct sim_result res;
	struct expect_eval ev;
	uint64_t time_limit_ns;    /* the limit used */
	double wall_s;             /* threads: wall-clock seconds */
	unsigned threads;
	char vmm_locks[1024];      /* deadlock / stall: vmm_describe_locks() */
};

/* Build the world (setup included), run, collect.  -1 with err on bad input
 * (e.g. a setup program that fails) or an I/O error writing the trace. */
int tdxsim_run(struct tdxsim_scenario *s, const struct run_opts *o, struct run *r,
	       struct tdxsim_error *err);
void tdxsim_run_free(struct run *r);
/* A report over a finished run. */
void tdxsim_run_report(const struct run *r, const struct tdxsim_scenario *s, const char *mode,
		       uint64_t seed, struct sim_report *out);

/* Default virtual-time limit when neither --time nor sim.time is given. */
#define TDXSIM_DEFAULT_TIME_NS (1000ull * 1000 * 1000)

#endif
