/* SPDX-License-Identifier: MIT */
/*
 * TDH.PHYMEM.PAGE.RECLAIM (28), reference §3, tdh_phymem_page_reclaim.c;
 * RCX = HPA.  The page's PAMT entry is locked ex at whatever leaf size it has
 * (x->frame[0], x->pamt_leaf_level), then, for a non-TDR page, its owner TDR's
 * PAMT entry sh (PAMT-I): the reverse of every other leaf's order.
 */
#include "module/leaf_helpers.h"
#include "module/pamt.h"
#include "module/pools.h"
#include "module/sept_walk.h"
#include "module/vcpu.h"

/* Outputs are set once the page type is known good (§3 step 4): RCX = PT,
 * RDX = owner (TDR PA, 0 for a TDR), R8 = level; R9-R11 reserved (0).
 * CHOICE: the real module zeroes RCX/RDX/R8-R11 before any check, so its failures
 * before this point return zeros there; the emulator's register file holds the
 * inputs until here (docs/api.md "Output registers on early failures"). */
TDXSIM_BODY(reclaim_report)
{
	(void)st;
	if (x->nframe == 0)
		mod_fatal(m, x, "reclaim_report before the page lock");
	uint32_t frame = x->frame[0];
	unsigned lvl = x->pamt_leaf_level;
	struct pamt_entry *pe = pamt_entry_of(m, frame, (enum pamt_level)lvl);
	x->scratch[1] = lvl; /* later PAMT locks overwrite pamt_leaf_level */
	x->regs.r[OPERAND_ID_RCX] = pe->pt;
	x->regs.r[OPERAND_ID_RDX] = pamt_owner(pe) << 12;
	x->regs.r[OPERAND_ID_R8] = lvl;
	x->regs.r[OPERAND_ID_R9] = 0;
	x->regs.r[OPERAND_ID_R10] = 0;
	x->regs.r[OPERAND_ID_R11] = 0;
	/* A TDR is checked through its own page (no second lock): its TD object. */
	if (pe->pt == TDXSIM_PT_TDR)
		x->td = mod_frame(m, frame)->idx;
	return TDX_SUCCESS;
}

TDXSIM_BODY(page_reclaim)
{
	(void)st;
	uint32_t frame = x->frame[0];
	unsigned lvl = (unsigned)x->scratch[1];
	struct pamt_entry *pe = pamt_entry_of(m, frame, (enum pamt_level)lvl);
	struct td_obj *td = leaf_td(m, x);
	uint8_t pt = pe->pt;

	if (pt != TDXSIM_PT_TDR) /* atomic: other leaves change it under TDR-sh too */
		atomic_fetch_sub(&td->chldcnt, 1ull << (9 * lvl));

	/* The emulator's objects living in the page go back to their pools, zeroed. */
	switch (pt) {
	case TDXSIM_PT_TDR:
		pool_td_free(m, x->td);
		break;
	case TDXSIM_PT_TDVPR: {
		uint32_t vc = vcpu_pool_of_tdvpr(m, frame);
		if (vc != UINT32_MAX)
			vcpu_pool_free(m, vc);
		break;
	}
	case TDXSIM_PT_EPT:
	case TDXSIM_PT_TDCX: { /* a SEPT page, or the SEPT root (TDCS page 3) */
		uint32_t sp = sept_page_of_frame(m, frame);
		if (sp != UINT32_MAX)
			sept_page_free(m, sp);
		break;
	}
	default:
		break;
	}
	mod_frame(m, frame)->idx = UINT32_MAX;

	/* The PAMT entry becomes PT_NDA.  The real module leaves owner and BEPOCH
	 * stale; nothing reads them while the page is PT_NDA (TDH.PHYMEM.PAGE.RDMD is
	 * not modelled), so the emulator zeroes them to keep states canonical. */
	pe->pt = TDXSIM_PT_NDA;
	pamt_set_owner(pe, 0);
	atomic_store_explicit(&pe->bepoch, 0, memory_order_relaxed);
	return TDX_SUCCESS;
}
