/* SPDX-License-Identifier: MIT */
/*
 * TDH.VP.CREATE (leaf 10), reference §3: RCX = new TDVPR page, RDX = TDR.
 * Locks (table): TDR PAMT-X sh -> op_state sh -> TDVPR PAMT-X ex (PT_NDA).
 */
#include "module/fns.h"
#include "module/pamt.h"
#include "module/vcpu.h"

/* Zero the TDVPR, assoc_lpid = -1, atomic chldcnt++, and the TDVPR's PAMT entry
 * becomes PT_TDVPR owned by the TDR (under the TDVPR's exclusive lock). */
TDXSIM_BODY(vp_create)
{
	(void)st;
	if (x->td == UINT32_MAX || x->nframe == 0)
		mod_fatal(m, x, "vp_create without the TDR and TDVPR locks");
	struct td_obj *td = mod_td(m, x->td);
	uint32_t frame = x->frame[x->nframe - 1]; /* the TDVPR, the last page locked */
	uint32_t vc = vcpu_pool_alloc(m, x->td, frame);
	if (vc == UINT32_MAX)
		mod_fatal(m, x, "vCPU pool exhausted: raise tdxsim_module_config.max_vcpus "
				"(an emulator limit; the real module has no such pool)");
	x->vc = vc;
	struct vcpu_obj *v = mod_vcpu(m, vc);
	/* vcpu_index is assigned by VP.INIT; last_td_exit 0 = ASYNC_FAULT (zeroed page). */
	v->vcpu_index = 0;
	atomic_fetch_add(&td->chldcnt, 1);
	struct pamt_entry *pe = mod_pamt(m, PAMT_4K, frame);
	pe->pt = TDXSIM_PT_TDVPR;
	pamt_set_owner(pe, mod_hpa_of(m, td->tdr_frame) >> 12);
	return TDX_SUCCESS;
}
