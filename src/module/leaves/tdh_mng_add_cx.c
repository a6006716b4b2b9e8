/* SPDX-License-Identifier: MIT */
/*
 * TDH.MNG.ADDCX (1), reference §3, tdh_mng_add_cx.c; RCX = new TDCS page,
 * RDX = TDR.  Runs under the TDR (ex) and the new page's PAMT entry (ex, PT_NDA);
 * x->frame[0] is the TDR, x->frame[1] the new page.
 */
#include "module/leaf_helpers.h"
#include "module/sept_walk.h"

/* Page contents are not modelled, except the SEPT root (index 3), which becomes a
 * SEPT pool page filled with SEPTE_INIT_VALUE when it is committed.  The MSR
 * bitmaps (index 2, all ones), the L2 pages (SEPTE_L2_INIT_VALUE) and the
 * migration key (index + 1 == 6) have no emulated state. */
TDXSIM_BODY(mng_addcx_init_page)
{
	(void)st;
	(void)leaf_td(m, x);
	return TDX_SUCCESS;
}

TDXSIM_BODY(mng_addcx_commit)
{
	(void)st;
	struct td_obj *td = leaf_td(m, x);
	uint32_t frame = x->frame[1];
	unsigned idx = td->num_tdcx;
	if (idx == TDCS_SEPT_ROOT_INDEX) {
		uint32_t sp = sept_page_alloc(m, x->td, frame, TDXSIM_SEPT_PWL);
		if (sp == UINT32_MAX)
			mod_fatal(m, x, "SEPT page pool exhausted: raise tdxsim_module_config.max_sept_pages");
		td->sept_root = sp;
		td->pwl = TDXSIM_SEPT_PWL;
	}
	td->tdcx_frame[idx] = frame;
	td->num_tdcx = (uint8_t)(idx + 1);
	/* §6: a plain (non-atomic) increment under TDR-ex. */
	atomic_store_explicit(&td->chldcnt, atomic_load_explicit(&td->chldcnt, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	struct pamt_entry *pe = mod_pamt(m, PAMT_4K, frame);
	pe->pt = TDXSIM_PT_TDCX;
	pamt_set_owner(pe, mod_hpa_of(m, td->tdr_frame) >> 12);
	return TDX_SUCCESS;
}
