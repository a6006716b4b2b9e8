/* SPDX-License-Identifier: MIT */
/*
 * Declarations of the C functions behind every name in the registry
 * (src/module/registry.h): tdxsim_check_<name>, tdxsim_walk_<name>,
 * tdxsim_assoc_<name>, tdxsim_body_<name>, tdxsim_cond_<name>.  A name without a
 * definition is a link error.
 */
#ifndef TDXSIM_MODULE_FNS_H
#define TDXSIM_MODULE_FNS_H

#include "module/mod.h"
#include "module/registry.h"

#define TDXSIM_DECL_STEP(kind) \
	tdx_status_t tdxsim_##kind(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x, \
				   const struct tdxsim_step *st)

#define DECL_CHECK(name, ...) TDXSIM_DECL_STEP(check_##name);
#define DECL_WALK(name, ...) TDXSIM_DECL_STEP(walk_##name);
#define DECL_ASSOC(name, ...) TDXSIM_DECL_STEP(assoc_##name);
#define DECL_BODY(name, ...) TDXSIM_DECL_STEP(body_##name);
#define DECL_COND(name, ...) \
	bool tdxsim_cond_##name(struct tdxsim_mod *m, const struct tdxsim_leaf_exec *x);
TDXSIM_CHECKS(DECL_CHECK)
TDXSIM_WALKS(DECL_WALK)
TDXSIM_ASSOCS(DECL_ASSOC)
TDXSIM_BODIES(DECL_BODY)
TDXSIM_CONDS(DECL_COND)
#undef DECL_CHECK
#undef DECL_WALK
#undef DECL_ASSOC
#undef DECL_BODY
#undef DECL_COND

/* Define a step function: TDXSIM_CHECK(name) { ... return TDX_SUCCESS; } */
#define TDXSIM_CHECK(name) TDXSIM_DECL_STEP(check_##name)
#define TDXSIM_WALK(name) TDXSIM_DECL_STEP(walk_##name)
#define TDXSIM_ASSOC(name) TDXSIM_DECL_STEP(assoc_##name)
#define TDXSIM_BODY(name) TDXSIM_DECL_STEP(body_##name)
#define TDXSIM_COND(name) \
	bool tdxsim_cond_##name(struct tdxsim_mod *m, const struct tdxsim_leaf_exec *x)

/* Silence unused parameters in small step functions. */
#define TDXSIM_UNUSED_STEP_ARGS() ((void)m, (void)x, (void)st)

#endif
