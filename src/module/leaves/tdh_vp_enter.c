/* SPDX-License-Identifier: MIT */
/*
 * TDH.VP.ENTER (leaf 0), reference §3 (tdh_vp_enter.c:555-976), §1.7, §5.3.
 * RCX = vcpu_and_flags: TDVPR HPA[51:12], host_recoverability_hint (bit 52),
 * resume_l1 (bit 53), bits 11:0 and 63:54 reserved.
 *
 * The table runs, in order: rcx_reserved, TDVPR sh, TDR sh, TD state, op_state
 * sh, tdvps_pages_complete, vcpu_state_in [READY], associate_vcpu, flags_valid,
 * the three MSR/TSC checks, epoch sh + tlb_epoch_enter (undo: tlb_epoch_revert) +
 * epoch release, tlb_flush_if_stale, [zero-step: SEPT tree ex +
 * zero_step_gpas_accessible] (tdh_vp_enter_zero_step.c), vp_enter_prepare,
 * op_state release, vp_enter_vcpu_switch, [tree release], vp_enter_launch.
 * When the list completes the interpreter keeps the TDVPR and TDR locks in the
 * vCPU until the TD exit (td_exit.c).
 */
#include "module/fns.h"
#include "module/vcpu.h"

/* Step 2: reserved bits of vcpu_and_flags. */
TDXSIM_CHECK(vp_enter_rcx_reserved)
{
	(void)m;
	uint64_t rcx = x->regs.r[st->reg];
	if (rcx & (VP_ENTER_RESERVED_0 | VP_ENTER_RESERVED_1))
		return tdx_status_with_operand(TDX_OPERAND_INVALID, (uint32_t)st->reg);
	return TDX_SUCCESS;
}

/* Step 9 (after the association, which is therefore kept on failure):
 *  - host_recoverability_hint is accepted only after an ASYNC_TRAP exit (§1.7);
 *  - resume_l1 is accepted only when the last exit was from an L2 VM; the
 *    emulator has no L2 VMs (curr_vm is always 0), so it is always refused. */
TDXSIM_CHECK(vp_enter_flags_valid)
{
	uint64_t rcx = x->regs.r[st->reg];
	struct vcpu_obj *v = mod_vcpu(m, x->vc);
	if ((rcx & VP_ENTER_HOST_RECOV_HINT) && v->last_td_exit != LAST_EXIT_ASYNC_TRAP)
		return tdx_status_with_operand(TDX_OPERAND_INVALID, (uint32_t)st->reg);
	if (rcx & VP_ENTER_RESUME_L1)
		return tdx_status_with_operand(TDX_OPERAND_INVALID, (uint32_t)st->reg);
	return TDX_SUCCESS;
}

/* Step 13, adjust_tlb_tracking_state, under the epoch lock held shared: sample
 * TD_EPOCH and atomically REFCOUNT[TD_EPOCH & 1]++ (§5.3).  The sampled epoch is
 * kept for the revert and for tlb_flush_if_stale. */
TDXSIM_BODY(tlb_epoch_enter)
{
	(void)st;
	struct td_obj *td = mod_td(m, x->td);
	uint64_t epoch = atomic_load_explicit(&td->td_epoch, memory_order_acquire);
	atomic_fetch_add(&td->refcount[epoch & 1], 1);
	x->scratch[VP_SCRATCH_EPOCH] = epoch;
	return TDX_SUCCESS;
}

/* revert_tlb_tracking_state: REFCOUNT[VCPU_EPOCH & 1]-- on every failure after
 * step 13 (VCPU_EPOCH equals the sampled epoch once step 13 has completed). */
TDXSIM_BODY(tlb_epoch_revert)
{
	(void)st;
	struct td_obj *td = mod_td(m, x->td);
	atomic_fetch_sub(&td->refcount[x->scratch[VP_SCRATCH_EPOCH] & 1], 1);
	return TDX_SUCCESS;
}

/* Rest of step 13, after the epoch lock is released: a vCPU that was already
 * associated and last ran in an older epoch flushes the TD's TLB entries on this
 * LP (INVEPT) and drops its soft-translated GPAs; the emulator keeps no TLB, so
 * only VCPU_EPOCH = TD_EPOCH remains. */
TDXSIM_BODY(tlb_flush_if_stale)
{
	(void)st;
	struct vcpu_obj *v = mod_vcpu(m, x->vc);
	uint64_t epoch = x->scratch[VP_SCRATCH_EPOCH];
	if (epoch != v->vcpu_epoch)
		v->vcpu_epoch = epoch;
	return TDX_SUCCESS;
}

/* Step 15: L2 entry handling and the #VE that FILTER_OK_NOTIFY_EPS_FAULT asks
 * for (TDCS.notify_enables bit 0).  The emulator models neither L2 VMs nor #VE
 * delivery, so there is nothing to do; the step stays so that its position (under
 * op_state and, under zero-step, the SEPT tree) is where the real one is. */
TDXSIM_BODY(vp_enter_prepare)
{
	(void)m, (void)x, (void)st;
	return TDX_SUCCESS;
}

/* Step 17: a different vCPU than last time on this LP -> INVEPT + IBPB, and this
 * LP remembers the vCPU (vp_ctx.last_tdvpr_pa). */
TDXSIM_BODY(vp_enter_vcpu_switch)
{
	(void)st;
	struct lp_state *lp = mod_lp(m, x->lp);
	if (lp->last_vcpu != x->vc)
		lp->last_vcpu = x->vc;
	return TDX_SUCCESS;
}

/*
 * Step 19 (the SEPT tree, if held, was released just before it): restore the
 * guest's state and enter it.
 *  - After a TDVMCALL exit: the VMM's GPRs RDX..R15 selected by the guest's
 *    TDVMCALL RCX (gpr_select, bits 15:0) become the guest's, RAX = TDX_SUCCESS,
 *    RCX = the control value (save_regs_after_tdvmcall).
 *  - After an ASYNC_TRAP exit (HP timeout, §1.7): bit 60 of the guest's pending
 *    TDCALL status = RCX bit 52 (host_recoverability_hint), set or cleared.
 *  - guest_rip_on_tdentry for the zero-step filter (§4, recorded here: the guest
 *    RIP cannot move between the filter and this step).
 *  - state VCPU_ACTIVE.
 */
TDXSIM_BODY(vp_enter_launch)
{
	(void)st;
	struct vcpu_obj *v = mod_vcpu(m, x->vc);
	if (v->last_td_exit == LAST_EXIT_TDVMCALL) {
		uint64_t control = v->guest_ret[OPERAND_ID_RCX];
		for (unsigned i = OPERAND_ID_RDX; i < 16; i++)
			if (control & (1ull << i))
				v->guest_ret[i] = x->regs.r[i];
		v->guest_ret[OPERAND_ID_RAX] = TDX_SUCCESS;
		v->guest_ret[OPERAND_ID_RCX] = control;
	} else if (v->last_td_exit == LAST_EXIT_ASYNC_TRAP) {
		uint64_t status = v->guest_rax_pending & ~TDX_STATUS_HOST_RECOVERABILITY_HINT;
		if (x->regs.r[OPERAND_ID_RCX] & VP_ENTER_HOST_RECOV_HINT)
			status |= TDX_STATUS_HOST_RECOVERABILITY_HINT;
		v->guest_rax_pending = status;
		v->guest_ret[OPERAND_ID_RAX] = status;
	}
	v->rip_on_entry = v->guest_rip;
	atomic_store_explicit(&v->state, VCPU_ACTIVE, memory_order_release);
	return TDX_SUCCESS;
}
