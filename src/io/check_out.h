/* SPDX-License-Identifier: MIT */
/*
 * Outputs of tdxsim check and tdxsim replay (docs/check.md): the verdict report
 * (text and JSON, schema tdxsim.check/1), counterexamples as numbered
 * interleavings and as DOT sequence diagrams, and counterexample files that
 * tdxsim replay reads.
 */
#ifndef TDXSIM_IO_CHECK_OUT_H
#define TDXSIM_IO_CHECK_OUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/check.h"
#include "engine/check_engine.h"
#include "tdxsim/error.h"

/* ---- counterexample files ------------------------------------------------------- */

#define CKF_MAX_CEX CK_NPROPS

struct ckf_cex {
	uint32_t prop;
	char why[CK_WHY_MAX];
	uint32_t *path;
	uint32_t len;
	int64_t cycle;
};

struct ckf {
	char scenario[4096];       /* absolute path */
	char policy[4096];         /* "" = the scenario's own */
	int hp_timeout;            /* enum ckx_hp (ON or OFF: what the checker used) */
	bool strict_progress;
	bool instr_atomicity;      /* the search split try-acquires at their instructions */
	char policy_name[TDXSIM_NAME_MAX];
	unsigned n_actors;
	char actors[TDXSIM_SCN_MAX_ACTORS + 64][TDXSIM_NAME_MAX + 16];
	struct ckf_cex cex[CKF_MAX_CEX];
	unsigned ncex;
};

/* Write every counterexample of r.  -1 with err on an I/O error (no file left). */
int ckf_write(const char *path, const struct ckf *hdr, const struct ck_result *r, struct tdxsim_error *err);
/* Read; file:line errors. */
int ckf_read(const char *path, struct ckf *out, struct tdxsim_error *err);
void ckf_free(struct ckf *f);

/* ---- reports ---------------------------------------------------------------------- */

struct ck_report {
	const struct tdxsim_scenario *s;
	const struct ck_opts *o;
	const struct ck_result *r;
	const struct ck_result *r_nopor;   /* --compare: the same search without POR */
	struct ckx *x;
	bool hp_on;
	bool strict_progress;
	const char *symmetry_note;
	const char *por_note;
};

/* Verdict of one property: "holds", "violated", "unknown", "not checked". */
const char *ck_verdict(const struct ck_result *r, uint32_t prop);
/* The scenario's check: expectation; false when it is not met.  *stated false when
 * the scenario has none (or --policy replaced its policy). */
bool ck_expect_met(const struct tdxsim_scenario *s, const struct ck_result *r, bool *stated, char *why,
		   size_t len);

void ck_report_text(FILE *out, const struct ck_report *rep);
json_t *ck_report_json(const struct ck_report *rep);

/* Step the model along a counterexample from its initial state, printing a
 * numbered interleaving (text) and/or a DOT sequence diagram.  The model must be
 * at its initial state (ck_run leaves it there); it is left at the end state. */
void ck_cex_text(FILE *out, struct ckx *x, const struct ck_cex *c);
void ck_cex_dot(FILE *out, struct ckx *x, const struct ck_cex *c, const char *title);
json_t *ck_cex_json(struct ckx *x, const struct ck_cex *c);

/* Property name ("deadlock") from its bit. */
const char *ck_prop_name(uint32_t prop);

#endif
