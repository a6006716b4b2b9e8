/* SPDX-License-Identifier: MIT */
/*
 * The checker's model of a scenario (docs/check.md): an engine world built from
 * the scenario, its actors, the environment (the scenario's inputs and the
 * userspace stop of the vCPU threads), the time abstraction, the state
 * abstraction (canonical states), and the properties judged on each step.
 *
 * The same object drives `tdxsim replay`: there the world runs under the sim
 * scheduler, which owns its time fields, so the adapter observes instead of
 * canonicalizing in place (ckx_observe_*).
 */
#ifndef TDXSIM_ENGINE_CHECK_ENGINE_H
#define TDXSIM_ENGINE_CHECK_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/check.h"
#include "engine/engine.h"

enum ckx_hp { CKX_HP_SCENARIO = -1, CKX_HP_OFF = 0, CKX_HP_ON = 1 };

struct ckx_opts {
	int hp_timeout;            /* enum ckx_hp */
	bool strict_progress;      /* FLOW_END with a retry result is not progress */
	uint32_t props_override;   /* 0 = the scenario's properties */
};

struct ckx;

struct ckx *ckx_create(struct tdxsim_scenario *s, const struct ckx_opts *o, struct tdxsim_error *err);
void ckx_destroy(struct ckx *x);
struct ck_model *ckx_model(struct ckx *x);
struct engine *ckx_engine(struct ckx *x);
/* Actors of the model: the scenario's actors, then one per scenario input that
 * happens after the start (the environment). */
unsigned ckx_n_engine_actors(const struct ckx *x);
bool ckx_hp_on(const struct ckx *x);
const char *ckx_actor_name(struct ckx *x, unsigned a);
/* Transitions seen so far that ended in a TDX_HOST_PRIORITY_BUSY_TIMEOUT exit. */
uint64_t ckx_hp_timeouts(const struct ckx *x);
/* What the state-abstraction rules are, one line each (for reports / docs). */
const char *ckx_abstraction_doc(void);

/* ---- replay (docs/check.md "Replay") ------------------------------------------ */

/* Set the world up like the checker does (time abstraction, initial inputs) but
 * leave the sim's fields alone.  Call once, before the first step. */
void ckx_observe_begin(struct ckx *x);
/* Apply environment actor `a` (>= ckx_n_engine_actors) between steps. */
void ckx_env_apply(struct ckx *x, unsigned a);
/* Around each engine step under another scheduler: pre records what the
 * properties compare against; post judges the step (violations and progress in
 * *tr) and applies the eager environment (the userspace stop). */
void ckx_observe_pre(struct ckx *x, unsigned a);
void ckx_observe_post(struct ckx *x, unsigned a, enum flow_ret r, struct ck_trans *tr);
/* The canonical form of the current world (the checker's state) into buf, which
 * must hold ckx_canon_size() bytes; the world itself is not changed. */
size_t ckx_canon_size(const struct ckx *x);
void ckx_canon_copy(struct ckx *x, uint8_t *buf);
/* Whether actor a can step now (its step is tried and undone); for an
 * environment actor: whether applying its input would change the state. */
bool ckx_enabled(struct ckx *x, unsigned a);
bool ckx_env_changes(struct ckx *x, unsigned a);

#endif
