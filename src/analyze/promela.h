/* SPDX-License-Identifier: MIT */
/*
 * Export of a scenario as a self-contained Promela model for SPIN (docs/export.md).
 *
 * The model is generated, never written by hand, from the same inputs the
 * engine runs: the module's lock table (each leaf's lock steps, in table order,
 * become one Promela inline), the scenario (its world after the setup programs
 * have really run: SEPT entry states, mirror EPT, memslots, TD epoch...), and
 * the policy (every decision the VMM can take is tdxsim_policy_decide() evaluated
 * at generation time into a table).  The actors become proctypes at the level of
 * their SEAMCALLs/TDCALLs and VMM locks.
 *
 * Properties are cpp switches of the one file (spin -DP_DEADLOCK ...): see
 * tdxsim_promela_prop_run() for the exact SPIN and pan options of each.
 */
#ifndef TDXSIM_ANALYZE_PROMELA_H
#define TDXSIM_ANALYZE_PROMELA_H

#include <stdbool.h>
#include <stddef.h>

#include "tdxsim/error.h"
#include "tdxsim/scenario.h"
#include "tdxsim/table.h"

/* Granularity of the lock operations (docs/export.md "Atomicity"). */
enum pml_atomicity {
	PML_ATOMIC_STEP,  /* one atomic{} per emulator step: a whole try-acquire or release,
	                   * fused with the checks before it -- tdxsim's check/sim step */
	PML_ATOMIC_INSTR, /* one atomic{} per atomic instruction of lock.h (XADD, then the
	                   * OR of HP, ...): the threads scheduler's and the hardware's view */
};

struct pml_options {
	enum pml_atomicity atomicity;
	unsigned word_bits;      /* lock-word width: 8 (default, counters wrap at 64/128)
	                          * or 16 (the real width) */
	unsigned hp_timeout_n;   /* guest: the n-th consecutive host-priority BUSY times out
	                          * (TDX_HOST_PRIORITY_BUSY_TIMEOUT); 0 = 2.  Ignored when the
	                          * scenario has hp_timeout: off */
};

/* A growable text buffer (the export is built in memory so that a failure never
 * leaves a partial output file). */
struct pml_buf {
	char *s;
	size_t len, cap;
};
void pml_buf_free(struct pml_buf *b);

/* Export a loaded scenario.  On error returns -1 with err set ("file:line:
 * message", the scenario line of what cannot be expressed). */
int tdxsim_promela_export(struct tdxsim_scenario *s, const struct pml_options *o,
			  struct pml_buf *out, struct tdxsim_error *err);

/* One leaf of a table as a Promela inline, with the lock-kind inlines it uses
 * (for tests and docs).  The inline is L_<name with '.' -> '_'>(V, P). */
int tdxsim_promela_leaf(const struct tdxsim_table *t, const char *leaf, const struct pml_options *o,
			struct pml_buf *out, struct tdxsim_error *err);

/* How SPIN checks one property of an exported model. */
struct pml_prop_run {
	const char *prop;        /* scenario property name */
	const char *define;      /* spin -D... */
	const char *cc;          /* pan compile flags */
	const char *pan;         /* pan run flags */
	const char *how;         /* one line: what SPIN reports when it is violated */
};
/* The run for one property; false if SPIN cannot judge it (invariants, mapgpa). */
bool tdxsim_promela_prop_run(enum tdxsim_property p, struct pml_prop_run *out);

#endif
