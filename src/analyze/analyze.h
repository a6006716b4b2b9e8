/* SPDX-License-Identifier: MIT */
/*
 * Static contention analysis (docs/analyze.md): which lock steps of the leaves
 * a VMM issues can meet on the same lock instance in conflicting modes, and for
 * each such pair, whether the VMM (or the module's own earlier locks) already
 * serializes it, or it is residual: one side can get TDX_OPERAND_BUSY.
 * Also the table diff (docs/diff.md).
 */
#ifndef TDXSIM_ANALYZE_H
#define TDXSIM_ANALYZE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "tdxsim/error.h"
#include "tdxsim/profile.h"
#include "tdxsim/status.h"
#include "tdxsim/table.h"

/* Why a pair of contexts cannot contend. */
enum an_reason_kind {
	AN_R_MODULE_LOCK,    /* both already hold a module lock in conflicting modes */
	AN_R_PHASE,          /* issued in phases that never overlap */
	AN_R_VMM_LOCK,       /* both hold a VMM lock instance in conflicting modes */
	AN_R_DISTINCT_PAGES, /* the VMM's allocator never hands them the same page */
	AN_R__COUNT
};

struct an_reason {
	enum an_reason_kind kind;
	int lock;            /* AN_R_VMM_LOCK: profile lock; AN_R_MODULE_LOCK: table resource */
	char text[200];
};

#define AN_REASONS_MAX 6

/* One pair of call sites (profile contexts) for a pair of lock steps. */
struct an_ctxpair {
	int ca, cb;              /* profile context indices */
	bool residual;
	char phase[160];         /* when they can overlap, or the phases that keep them apart */
	struct an_reason reasons[AN_REASONS_MAX];
	unsigned nreasons;
};

/* One side of a pair: a lock step of a leaf. */
struct an_side {
	int leaf;                /* table leaf index */
	int step;                /* step index in that leaf */
	int res;                 /* resource the step locks */
	enum tdxsim_mode mode;   /* effective mode (SEPT entry and mutex are always exclusive) */
	bool conditional;        /* the step's when: is not settled by every context */
	tdx_status_t busy;       /* what this side gets when it loses */
};

struct an_pair {
	int res;                 /* resource the pair is listed under */
	enum tdxsim_scope scope; /* on which instances they meet (the listed role's scope) */
	bool cross_role;         /* a PAMT page lock meeting another role through also: */
	struct an_side a, b;
	bool residual;
	struct an_ctxpair *cp;
	unsigned ncp;
};

struct an_result {
	const struct tdxsim_table *t;
	const struct tdxsim_profile *p;
	bool *issued;            /* per table leaf: some usable context issues it */
	bool *ctx_ok;            /* per profile context: usable with this table */
	struct an_pair *pairs;
	unsigned npairs;
	char **notes;
	unsigned nnotes;
};

/* Run the analysis.  The profile's names are checked against the table first
 * (errors point into the profile). */
struct an_result *tdxsim_analyze(const struct tdxsim_table *t, const struct tdxsim_profile *p,
				 struct tdxsim_error *err);
void tdxsim_analysis_free(struct an_result *r);

void tdxsim_analysis_print_text(FILE *out, const struct an_result *r);
json_t *tdxsim_analysis_json(const struct an_result *r);
void tdxsim_analysis_print_dot(FILE *out, const struct an_result *r);
/* "TD_EPOCH: TDH.MEM.TRACK exclusive vs TDH.VP.ENTER shared" (report.c) */
void an_pair_line(const struct an_result *r, const struct an_pair *p, char *buf, size_t len);

/* Whether calls from context c take step s (analyze.c). */
enum { AN_ST_INACTIVE, AN_ST_ALWAYS, AN_ST_COND };
int an_step_state(const struct tdxsim_context *c, const struct tdxsim_step *s);

/* Shared helpers (names.c). */
const char *an_kind_name(enum tdxsim_lock_kind k);
const char *an_scope_name(enum tdxsim_scope s);
const char *an_scope_desc(enum tdxsim_scope s);
const char *an_mode_name(enum tdxsim_mode m);
const char *an_hold_name(enum tdxsim_hold h);
const char *an_side_name(enum tdxsim_side s);
const char *an_step_kind_name(enum tdxsim_step_kind k);
const char *an_via_name(enum tdxsim_via v);
const char *an_psize_name(enum tdxsim_pamt_size s);
const char *an_reason_kind_name(enum an_reason_kind k);
/* snprintf that may truncate on purpose (no -Wformat-truncation analysis). */
int an_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "TDX_OPERAND_BUSY|TD_EPOCH" */
const char *an_status_text(tdx_status_t s, char *buf, unsigned len);
/* The table's own name for an op_state bit, or its number. */
void an_op_states_text(uint32_t mask, char *buf, size_t len);

/* Table diff (diff.c). */
json_t *tdxsim_diff_json(const struct tdxsim_table *a, const struct tdxsim_table *b,
			 const struct an_result *ra, const struct an_result *rb);
void tdxsim_diff_print_text(FILE *out, const struct tdxsim_table *a, const struct tdxsim_table *b,
			    const struct an_result *ra, const struct an_result *rb);

#endif
