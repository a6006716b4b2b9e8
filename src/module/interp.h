/* SPDX-License-Identifier: MIT */
/*
 * The leaf interpreter: executes a leaf's step list from the module's lock table,
 * one atomic action per call (DESIGN §3).  Shared by every scheduler and by the
 * run-to-completion API.
 */
#ifndef TDXSIM_MODULE_INTERP_H
#define TDXSIM_MODULE_INTERP_H

#include "module/mod.h"

/* Bind the table's named functions to C; fails (err) if one is missing. */
int mod_bind(struct tdxsim_mod *m, struct tdxsim_error *err);
void mod_unbind(struct tdxsim_mod *m);

void mod_seamcall_begin(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x, unsigned lp,
			const struct tdxsim_regs *regs);
void mod_tdcall_begin(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x, uint32_t vcpu,
		      const struct tdxsim_regs *regs);
void mod_td_exit_begin(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x, uint32_t vcpu,
		       enum tdxsim_exit_reason why, uint64_t gpa);
enum tdxsim_step_result mod_leaf_step(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x);

/* Release one held lock record (returns the lock layer's verdict). */
void mod_release_held(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x,
		      const struct tdxsim_held_lock *h);
/* Remove held records of resource res from x without touching the words (a body's
 * 64-bit store released them); emits RELEASE events. */
void mod_drop_held(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x, int res);


/* TD exit pseudo-leaf (td_exit.c). */
enum tdxsim_step_result mod_td_exit_step(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x);

/* Region layout and initial state (layout.c). */
int mod_layout_compute(struct mod_layout *lay, const struct tdxsim_module_config *cfg,
		       struct tdxsim_error *err);
void mod_region_init(struct tdxsim_mod *m, const struct tdxsim_module_config *cfg);
/* Apply the documented defaults to zero fields. */
void mod_config_defaults(struct tdxsim_module_config *cfg);

#endif
