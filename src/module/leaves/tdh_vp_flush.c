/* SPDX-License-Identifier: MIT */
/*
 * TDH.VP.FLUSH (leaf 18), reference §3: RCX = TDVPR.
 * Locks (table): TDVPR PAMT-X ex -> TDR PAMT-I sh; no op_state lock or check;
 * td_keys_configured and vcpu_associated_here before the body.
 */
#include "module/fns.h"
#include "module/vcpu.h"

/* INVEPT for the TD and VMCLEAR of every VMCS (no TLB or VMCS cache is
 * modelled); assoc_lpid = VCPU_NO_LP; atomic num_assoc_vcpus--; and this LP no
 * longer remembers a last vCPU (vp_ctx.last_tdvpr_pa = NULL_PA), so the next
 * TDH.VP.ENTER here does the vCPU-switch flush. */
TDXSIM_BODY(vp_flush)
{
	(void)st;
	struct vcpu_obj *v = mod_vcpu(m, x->vc);
	struct td_obj *td = mod_td(m, x->td);
	atomic_store(&v->assoc_lpid, VCPU_NO_LP);
	atomic_fetch_sub(&td->num_assoc_vcpus, 1);
	mod_lp(m, x->lp)->last_vcpu = VCPU_NO_LP;
	return TDX_SUCCESS;
}
