/* SPDX-License-Identifier: MIT */
/*
 * TDH.VP.INIT (leaf 22), reference §3 and §0: RCX = TDVPR, RDX = initial guest
 * RCX, R8 = x2APIC ID (version 1, new in 1.5.05).
 * Locks (table): TDVPR PAMT-X ex -> TDR PAMT-I sh (v0) / ex (v1) -> op_state sh.
 * The x2APIC check (checks_vcpu.c) runs between the two bodies below.
 */
#include <string.h>

#include "module/fns.h"
#include "module/vcpu.h"

/* MAX_PA_FOR_GPA_NOT_WIDE: the guest's initial RBX with GPAW = 48 (TDXSIM_GPAW). */
#define VP_INIT_GUEST_RBX 48

/* vcpu_index = XADD num_vcpus; an index >= max_vcpus is given back (XADD -1) and
 * the leaf fails with TDX_MAX_VCPUS_EXCEEDED. */
TDXSIM_BODY(vp_init_alloc_index)
{
	(void)st;
	if (x->td == UINT32_MAX || x->vc == UINT32_MAX)
		mod_fatal(m, x, "vp_init_alloc_index without the TDVPR and TDR locks");
	struct td_obj *td = mod_td(m, x->td);
	uint32_t idx = atomic_fetch_add(&td->num_vcpus, 1);
	if (idx >= td->max_vcpus) {
		atomic_fetch_sub(&td->num_vcpus, 1);
		return TDX_MAX_VCPUS_EXCEEDED;
	}
	mod_vcpu(m, x->vc)->vcpu_index = idx;
	return TDX_SUCCESS;
}

/* All checks passed: initial guest state, LAST_EXIT_TSC = TSC, state VCPU_READY with
 * last_td_exit ASYNC_FAULT, and associate_vcpu_initial: assoc_lpid = this LP,
 * num_assoc_vcpus++ (atomic). */
TDXSIM_BODY(vp_init)
{
	(void)st;
	struct td_obj *td = mod_td(m, x->td);
	struct vcpu_obj *v = mod_vcpu(m, x->vc);
	if (x->version >= 1)
		v->x2apic_id = (uint32_t)x->regs.r[OPERAND_ID_R8]; /* TDCS.x2apic_ids[vcpu_index] */
	v->last_exit_tsc = mod_now(m);
	/* init_vcpu_gprs_and_registers: the registers the guest starts with. */
	memset(v->guest_ret, 0, sizeof(v->guest_ret));
	v->guest_ret[OPERAND_ID_RBX] = VP_INIT_GUEST_RBX;
	v->guest_ret[OPERAND_ID_RCX] = x->regs.r[OPERAND_ID_RDX];
	v->guest_ret[OPERAND_ID_R8] = x->regs.r[OPERAND_ID_RDX];
	v->guest_ret[OPERAND_ID_RSI] = v->vcpu_index;
	v->last_td_exit = LAST_EXIT_ASYNC_FAULT;
	atomic_store(&v->state, VCPU_READY);
	atomic_store(&v->assoc_lpid, x->lp);
	atomic_fetch_add(&td->num_assoc_vcpus, 1);
	return TDX_SUCCESS;
}
