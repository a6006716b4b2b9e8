/* SPDX-License-Identifier: MIT */
/*
 * World-level entry points of module features that need the world's module
 * context: the module invariants and lock accounting (src/module/invariants.c,
 * DESIGN §6) and the guest-interrupt flag a 2 MB TDG.MEM.PAGE.ACCEPT polls
 * (src/module/sept_ops.h).
 */
#include "engine/world_internal.h"
#include "module/invariants.h"
#include "module/sept_ops.h"

bool tdxsim_world_check_invariants(struct tdxsim_world *w, char *why, size_t len)
{
	return mod_check_invariants(world_mod(w), why, len);
}

bool tdxsim_world_check_locks(struct tdxsim_world *w, const struct tdxsim_held_lock *held, size_t n,
			      char *why, size_t len)
{
	return mod_check_locks(world_mod(w), held, n, why, len);
}

static uint32_t vcpu_at(struct tdxsim_world *w, uint64_t tdvpr_hpa)
{
	struct tdxsim_mod *m = world_mod(w);
	uint32_t f = mod_frame_of(m, tdvpr_hpa);
	if (f == UINT32_MAX || (tdvpr_hpa & 0xFFF) || mod_pamt(m, PAMT_4K, f)->pt != TDXSIM_PT_TDVPR)
		return UINT32_MAX;
	uint32_t v = mod_frame(m, f)->idx;
	return v < m->lay.max_vcpus ? v : UINT32_MAX;
}

bool tdxsim_world_set_guest_interrupt(struct tdxsim_world *w, uint64_t tdvpr_hpa, bool pending)
{
	uint32_t v = vcpu_at(w, tdvpr_hpa);
	if (v == UINT32_MAX)
		return false;
	mod_vcpu_set_intr_pending(world_mod(w), v, pending);
	return true;
}

bool tdxsim_world_tdcall_restarted(struct tdxsim_world *w, uint64_t tdvpr_hpa)
{
	uint32_t v = vcpu_at(w, tdvpr_hpa);
	return v != UINT32_MAX && mod_vcpu_tdcall_restarted(world_mod(w), v);
}
