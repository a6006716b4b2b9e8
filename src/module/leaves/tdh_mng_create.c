/* SPDX-License-Identifier: MIT */
/*
 * TDH.MNG.CREATE (9), reference §3, tdh_mng_create.c; RCX = TDR page, RDX = HKID.
 * Runs under the TDR's PAMT entry (ex, PT_NDA) and the KOT lock (ex).
 */
#include "module/leaf_helpers.h"
#include "module/pools.h"

TDXSIM_BODY(mng_create)
{
	(void)st;
	uint32_t frame = x->frame[0];
	uint16_t hkid = (uint16_t)(x->regs.r[OPERAND_ID_RDX] & 0xFFFF);
	/* Zero the TDR; the TD_UUID comes from RDRAND.  CHOICE: the emulator has no
	 * entropy failure, so TDX_RND_NO_ENTROPY is never returned. */
	uint32_t t = pool_td_alloc(m);
	if (t == UINT32_MAX)
		mod_fatal(m, x, "TD pool exhausted: raise tdxsim_module_config.max_tds");
	struct td_obj *td = mod_td(m, t);
	td->tdr_frame = frame;
	td->hkid = hkid;
	td->lifecycle = TD_HKID_ASSIGNED;
	mod_kot(m, hkid)->state = KOT_STATE_HKID_ASSIGNED;
	/* The TDR page's PAMT entry (held ex): PT_TDR, owner 0. */
	struct pamt_entry *pe = mod_pamt(m, PAMT_4K, frame);
	pe->pt = TDXSIM_PT_TDR;
	pamt_set_owner(pe, 0);
	mod_frame(m, frame)->idx = t;
	x->td = t;
	return TDX_SUCCESS;
}
