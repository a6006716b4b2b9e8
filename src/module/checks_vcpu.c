/* SPDX-License-Identifier: MIT */
/*
 * Checks shared by the vCPU leaves (reference §3 TDH.VP.*, §7.3), the vCPU
 * association CAS (§1.5 last row), and the software GPA translation used by the
 * zero-step filter (§4) and by guest accesses.
 *
 * Every function reads the vCPU resolved by the leaf's TDVPR lock (x->vc) and the
 * TD resolved by its TDR lock (x->td); the table places them after those locks.
 */
#include <string.h>

#include "module/fns.h"
#include "module/sept_walk.h"
#include "module/vcpu.h"

static struct vcpu_obj *leaf_vcpu(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x)
{
	if (x->vc == UINT32_MAX)
		mod_fatal(m, x, "vCPU check before the TDVPR lock resolved the vCPU");
	return mod_vcpu(m, x->vc);
}

static struct td_obj *leaf_td(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x)
{
	if (x->td == UINT32_MAX)
		mod_fatal(m, x, "TD check before the TDR lock resolved the TD");
	return mod_td(m, x->td);
}

/* check_and_associate_vcpu, first half: the state must be one of the args
 * (VP.ENTER/VP.WR: VCPU_READY; VP.RD also VCPU_DISABLED; VP.ADDCX/VP.INIT:
 * VCPU_UNINITIALIZED).  1.5 returns the code without an operand (2.0 adds the
 * state as operand). */
TDXSIM_CHECK(vcpu_state_in)
{
	struct vcpu_obj *v = leaf_vcpu(m, x);
	unsigned state = atomic_load_explicit(&v->state, memory_order_acquire);
	for (unsigned i = 0; i < st->nargs; i++) {
		int want = tdxsim_registry_arg_value(TDXSIM_ARG_VCPU_STATE, st->args[i]);
		if (want >= 0 && (unsigned)want == state)
			return TDX_SUCCESS;
	}
	return TDX_VCPU_STATE_INCORRECT;
}

/* TDH.VP.ADDCX step 4: no room for another TDVPS page.  Without L2 VMs the
 * maximum is MIN_TDVPS_PAGES (tdx_tdvps.h: MIN + 3 per L2 VM). */
TDXSIM_CHECK(vp_tdcx_room)
{
	(void)st;
	struct vcpu_obj *v = leaf_vcpu(m, x);
	if (v->num_tdvps_pages >= MIN_TDVPS_PAGES || v->num_tdvps_pages >= MAX_NUM_TDVPS_PAGES)
		return TDX_TDCX_NUM_INCORRECT;
	return TDX_SUCCESS;
}

/* map_tdvps: fewer than MIN_TDVPS_PAGES pages -> TDX_TDCX_NUM_INCORRECT. */
TDXSIM_CHECK(tdvps_pages_complete)
{
	(void)st;
	struct vcpu_obj *v = leaf_vcpu(m, x);
	if (v->num_tdvps_pages < MIN_TDVPS_PAGES)
		return TDX_TDCX_NUM_INCORRECT;
	return TDX_SUCCESS;
}

/*
 * TDH.VP.INIT v1 (§0, 1.5.05): the x2APIC ID in R8 must be unique in the TD.
 *
 * The 1.5.05 source of this check was not available; this follows the TDX 2.0.08
 * tdh_vp_init.c, which 1.5.05's VP.INIT v1 was carried into (CHOICE, UNVERIFIED
 * for 1.5.05):
 *  - R8[63:32] != 0          -> TDX_OPERAND_INVALID | R8
 *  - equal to the ID of a vCPU with a lower index -> TDX_X2APIC_ID_NOT_UNIQUE
 *    with that x2APIC ID as the operand;
 *  - both failures first give the vcpu_index back (num_vcpus XADD -1).  (The
 *    table's comment says "no undo is modelled"; the source does undo, so the
 *    check does it itself.)
 * TDCS.x2apic_ids[i] is per vCPU here (vcpu_obj.x2apic_id, 0 for vCPUs initialized
 * with version 0, as the zeroed TDCS array holds).  Version 1 holds the TDR
 * exclusively, so no other TDH.VP.INIT runs and every vCPU with a lower index
 * has completed its initialization: those are the vCPUs not UNINITIALIZED.
 */
TDXSIM_CHECK(x2apic_id_unique)
{
	struct vcpu_obj *v = leaf_vcpu(m, x);
	struct td_obj *td = leaf_td(m, x);
	uint64_t id = x->regs.r[st->reg];
	if (id > 0xFFFFFFFFull) {
		atomic_fetch_sub(&td->num_vcpus, 1);
		return tdx_status_with_operand(TDX_OPERAND_INVALID, (uint32_t)st->reg);
	}
	for (uint32_t i = 0; i < m->lay.max_vcpus; i++) {
		struct vcpu_obj *o = mod_vcpu(m, i);
		if (i == x->vc || !atomic_load(&o->in_use) || o->td != x->td)
			continue;
		if (atomic_load(&o->state) == VCPU_UNINITIALIZED || o->vcpu_index >= v->vcpu_index)
			continue;
		if (o->x2apic_id == (uint32_t)id) {
			atomic_fetch_sub(&td->num_vcpus, 1);
			return tdx_status_with_operand(TDX_X2APIC_ID_NOT_UNIQUE, o->x2apic_id);
		}
	}
	return TDX_SUCCESS;
}

/* TDH.VP.FLUSH step 3. */
TDXSIM_CHECK(vcpu_associated_here)
{
	(void)st;
	struct vcpu_obj *v = leaf_vcpu(m, x);
	if (atomic_load(&v->assoc_lpid) != x->lp)
		return TDX_VCPU_NOT_ASSOCIATED;
	return TDX_SUCCESS;
}

/* TDH.VP.ENTER step 10: IA32_TSC_ADJUST must equal the value TDH.SYS.INIT sampled
 * (plt_common_config.ia32_tsc_adjust).  The emulated platform's sampled value is 0;
 * a test injects the failure by setting lp_state.tsc_adjust of the LP. */
TDXSIM_CHECK(tsc_adjust_consistent)
{
	(void)st;
	if (mod_lp(m, x->lp)->tsc_adjust != 0)
		return tdx_status_with_operand(TDX_INCONSISTENT_MSR, IA32_TSC_ADJ_MSR_ADDR);
	return TDX_SUCCESS;
}

/* TDH.VP.ENTER step 11: (int64)(TSC - LAST_EXIT_TSC) < 0 -> TDX_TSC_ROLLBACK.
 * LAST_EXIT_TSC is set by VP.INIT and by every TD exit; the TSC is the world's
 * clock (a test injects a rollback with tdxsim_world_set_clock). */
TDXSIM_CHECK(tsc_not_rolled_back)
{
	(void)st;
	struct vcpu_obj *v = leaf_vcpu(m, x);
	if ((int64_t)(mod_now(m) - v->last_exit_tsc) < 0)
		return TDX_TSC_ROLLBACK;
	return TDX_SUCCESS;
}

/* TDH.VP.ENTER step 12: a TD with MONITOR/MWAIT support needs
 * IA32_MISC_ENABLE.ENABLE_MONITOR_FSM on this LP; the status carries the MSR
 * address (tdh_vp_enter.c).  Knobs: td_obj.monitor_mwait_supported and
 * lp_state.monitor_fsm_disabled, both 0 by default. */
TDXSIM_CHECK(monitor_mwait_allowed)
{
	(void)st;
	struct td_obj *td = leaf_td(m, x);
	if (td->monitor_mwait_supported && mod_lp(m, x->lp)->monitor_fsm_disabled)
		return tdx_status_with_operand(TDX_INCORRECT_MSR_VALUE, IA32_MISC_ENABLES_MSR_ADDR);
	return TDX_SUCCESS;
}

/*
 * associate_vcpu (§1.5: a 32-bit CAS, not a lock): CAS assoc_lpid from
 * VCPU_NO_LP to this LP.  Owned by another LP -> TDX_VCPU_ASSOCIATED.  A new
 * association increments num_assoc_vcpus (atomic XADD) and is never undone, even
 * if the leaf fails later (§3 VP.ENTER).  The flag is kept for
 * tlb_flush_if_stale.
 */
TDXSIM_ASSOC(associate_vcpu)
{
	(void)st;
	struct vcpu_obj *v = leaf_vcpu(m, x);
	struct td_obj *td = leaf_td(m, x);
	uint32_t prev = VCPU_NO_LP;
	if (!atomic_compare_exchange_strong(&v->assoc_lpid, &prev, x->lp)) {
		if (prev != x->lp)
			return TDX_VCPU_ASSOCIATED;
		x->scratch[VP_SCRATCH_FLAGS] &= ~VP_FLAG_NEW_ASSOC;
		return TDX_SUCCESS;
	}
	atomic_fetch_add(&td->num_assoc_vcpus, 1);
	x->scratch[VP_SCRATCH_FLAGS] |= VP_FLAG_NEW_ASSOC;
	return TDX_SUCCESS;
}

/*
 * gpa_translate for an access with rights rwx.  The walk follows present
 * non-leaf entries from the root; the effective rights are the AND of every
 * level's R/W/X.  The entry where the rights fail decides the kind of
 * violation: with SVE (bit 63) clear it converts to a #VE
 * (EPT_WALK_CONVERTIBLE_VIOLATION), else it is an EPT-violation exit.
 */
enum vcpu_translate vcpu_gpa_translate(struct tdxsim_mod *m, uint32_t td, uint64_t gpa,
				       uint64_t rwx)
{
	struct td_obj *t = mod_td(m, td);
	uint32_t page = t->sept_root;
	if (page >= m->lay.max_sept)
		return VCPU_XLATE_VIOLATION;
	for (int lvl = t->pwl; lvl >= 0; lvl--) {
		uint64_t e = atomic_load_explicit(&mod_sept_page(m, page)->e[sept_index(gpa, (unsigned)lvl)],
						  memory_order_acquire);
		if ((e & rwx) != rwx)
			return (e & SEPT_SVE) ? VCPU_XLATE_VIOLATION : VCPU_XLATE_CONVERTIBLE;
		if (lvl == 0 || (e & SEPT_PS))
			return VCPU_XLATE_OK;
		uint32_t next = sept_page_of_frame(m, mod_frame_of(m, sept_hpa(e)));
		if (next == UINT32_MAX)
			return VCPU_XLATE_VIOLATION; /* a present entry to a non-SEPT page: misconfig */
		page = next;
	}
	return VCPU_XLATE_VIOLATION;
}
