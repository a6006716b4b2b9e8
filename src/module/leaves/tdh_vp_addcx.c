/* SPDX-License-Identifier: MIT */
/*
 * TDH.VP.ADDCX (leaf 4), reference §3: RCX = new TDVPX page, RDX = TDVPR.
 * Locks (table): TDVPR PAMT-X ex -> TDR PAMT-I sh -> op_state sh -> TDCX PAMT-X ex
 * (PT_NDA); checks vcpu_state_in [UNINITIALIZED] and vp_tdcx_room before the
 * TDCX lock.
 */
#include "module/fns.h"
#include "module/pamt.h"
#include "module/vcpu.h"

/* Add the page as the next TDVPS page; atomic chldcnt++ (TDR held shared); its
 * PAMT entry becomes PT_TDCX owned by the TDR. */
TDXSIM_BODY(vp_addcx)
{
	(void)st;
	if (x->td == UINT32_MAX || x->vc == UINT32_MAX || x->nframe == 0)
		mod_fatal(m, x, "vp_addcx without the TDVPR, TDR and TDCX locks");
	struct td_obj *td = mod_td(m, x->td);
	struct vcpu_obj *v = mod_vcpu(m, x->vc);
	uint32_t frame = x->frame[x->nframe - 1]; /* the new TDVPX page, the last locked */
	if (v->num_tdvps_pages < 1 || v->num_tdvps_pages >= MAX_NUM_TDVPS_PAGES)
		mod_fatal(m, x, "vp_addcx past vp_tdcx_room");
	/* tdvps_pa[n] for n >= 1 -> tdvpx_frame[n - 1]. */
	v->tdvpx_frame[v->num_tdvps_pages - 1] = frame;
	v->num_tdvps_pages++;
	atomic_fetch_add(&td->chldcnt, 1);
	struct pamt_entry *pe = mod_pamt(m, PAMT_4K, frame);
	pe->pt = TDXSIM_PT_TDCX;
	pamt_set_owner(pe, mod_hpa_of(m, td->tdr_frame) >> 12);
	return TDX_SUCCESS;
}
