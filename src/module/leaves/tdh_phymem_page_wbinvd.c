/* SPDX-License-Identifier: MIT */
/*
 * TDH.PHYMEM.PAGE.WBINVD (41), reference §3; RCX = PA with the HKID in its upper
 * bits (split by hpa_split_hkid), 4K PAMT entry locked sh, PT_NDA.
 */
#include "module/leaf_helpers.h"

/* Flushing the page's cache lines with the HKID has no emulated state.  The input
 * register, which hpa_split_hkid stripped of its HKID bits for the PAMT lock, is
 * put back as the VMM passed it (the real module keeps the input in a local).
 * CHOICE: on a failure of the lock, RCX stays stripped (docs/api.md). */
TDXSIM_BODY(page_wbinvd)
{
	(void)m;
	(void)st;
	x->regs.r[OPERAND_ID_RCX] = x->scratch[3];
	return TDX_SUCCESS;
}
