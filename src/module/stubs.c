/* SPDX-License-Identifier: MIT */
/*
 * SCAFFOLDING: weak definitions of every registry function, so that the tree
 * links while the leaf bodies are being written.  Each real definition
 * overrides its stub.  This file is deleted once all exist; from then on a
 * missing function is a link error.
 */
#include "module/fns.h"

#define STUB_STEP(kind, name) \
	__attribute__((weak)) TDXSIM_DECL_STEP(kind##_##name) \
	{ (void)st; mod_fatal(m, x, "not implemented yet: " #kind " " #name); }
#define S_CHECK(name, ...) STUB_STEP(check, name)
#define S_WALK(name, ...) STUB_STEP(walk, name)
#define S_ASSOC(name, ...) STUB_STEP(assoc, name)
#define S_BODY(name, ...) STUB_STEP(body, name)
#define S_COND(name, ...) \
	__attribute__((weak)) TDXSIM_COND(name) { mod_fatal(m, x, "not implemented yet: cond " #name); }
TDXSIM_CHECKS(S_CHECK)
TDXSIM_WALKS(S_WALK)
TDXSIM_ASSOCS(S_ASSOC)
TDXSIM_BODIES(S_BODY)
TDXSIM_CONDS(S_COND)
