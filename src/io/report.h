/* SPDX-License-Identifier: MIT */
/*
 * Reports of tdxsim sim / stress (docs/sim.md): text, JSON (schema
 * tdxsim.sim/1), the judgement of a scenario's `expect:` block, the sweep
 * table, and the Chrome trace writer.
 */
#ifndef TDXSIM_IO_REPORT_H
#define TDXSIM_IO_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/engine.h"
#include "engine/sched_sim.h"
#include "engine/stats.h"
#include "tdxsim/scenario.h"

/* ---- expectations ---------------------------------------------------------- */

#define EXPECT_MAX_CHECKS (TDXSIM_SCN_MAX_COUNTERS + 16)

struct expect_check {
	char what[TDXSIM_NAME_MAX];   /* "outcome", a counter, "property vm_bug" */
	char expected[64];            /* "done", ">= 1", "holds" */
	char actual[112];
	bool ok;
};

struct expect_eval {
	bool stated;                  /* the scenario has `expect:` */
	bool applies;                 /* stated, and run with the scenario's own policy */
	bool met;
	struct expect_check checks[EXPECT_MAX_CHECKS];
	unsigned n;
};

void tdxsim_expect_eval(const struct tdxsim_scenario *s, enum sim_outcome outcome,
			const struct stats *st, struct expect_eval *out);

/* ---- one run ---------------------------------------------------------------- */

struct sim_report {
	const char *mode;             /* "sim" or "stress" */
	const struct tdxsim_scenario *scn;
	struct engine *e;
	const struct stats *st;
	const struct sim_result *res;
	const struct expect_eval *ev;
	uint64_t seed, time_limit_ns;
	unsigned threads;             /* stress: OS threads */
	double wall_s;                /* stress only (not deterministic) */
	const char *vmm_locks;        /* deadlock / stall: the VMM's locks and waits, or "" */
};

void tdxsim_report_text(FILE *out, const struct sim_report *r);
json_t *tdxsim_report_json(const struct sim_report *r);

/* A program result: "0", "-EIO"... (thread-local buffer). */
const char *tdxsim_result_str(int64_t r);

/* Nanoseconds as "1.234 us" / "12.5 ms" (text report). */
const char *tdxsim_fmt_ns(uint64_t ns, char *buf, size_t len);

/* ---- sweep ---------------------------------------------------------------- */

struct sweep_row {
	char policy[TDXSIM_NAME_MAX];
	unsigned runs;
	unsigned outcomes[5];         /* by enum sim_outcome */
	uint64_t busy, guest_busy, retries, kicks, vm_bugs, zero_step, hp_timeouts, steps;
	uint64_t faults;
	struct stats_latency fault_lat; /* pooled over the runs */
	uint64_t max_retries;
};

void tdxsim_sweep_text(FILE *out, const struct tdxsim_scenario *s, const struct sweep_row *rows,
		       unsigned n, uint64_t seed0, unsigned seeds);
json_t *tdxsim_sweep_json(const struct tdxsim_scenario *s, const struct sweep_row *rows, unsigned n,
			  uint64_t seed0, unsigned seeds);

/* ---- output files: written to a temporary name, renamed on success -------- */

struct out_file {
	FILE *f;
	char path[4096];
	char tmp[4096];
};
int tdxsim_out_open(struct out_file *o, const char *path, struct tdxsim_error *err);
/* commit: fclose + rename (0, or -1 with err); !commit: fclose + unlink. */
int tdxsim_out_close(struct out_file *o, bool commit, struct tdxsim_error *err);

/* ---- Chrome trace-event JSON ------------------------------------------------ */

struct trace;
/* Opens a temporary file next to path; nothing appears at path until trace_close. */
struct trace *trace_open(const char *path, struct engine *e, const struct stats *st,
			 uint64_t max_events, struct tdxsim_error *err);
void trace_on_leaf_begin(struct trace *t, unsigned actor, int side, int leaf, uint64_t now);
void trace_on_leaf_end(struct trace *t, unsigned actor, int side, int leaf, tdx_status_t status,
		       uint64_t now);
void trace_on_step(struct trace *t, unsigned actor, enum flow_ret r, uint64_t now, uint64_t cost);
void trace_on_vmm(struct trace *t, unsigned actor, enum vmm_event ev, uint64_t a, uint64_t b,
		  uint64_t c);
/* Finish the document and rename it into place (commit), or remove it. */
int trace_close(struct trace *t, bool commit, const struct sim_result *res, struct tdxsim_error *err);

#endif
