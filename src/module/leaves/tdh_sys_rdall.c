/* SPDX-License-Identifier: MIT */
/*
 * TDH.SYS.RDALL (37), tdh_sys_rdall.c: RDX = PA of the metadata list (shared, 4K
 * aligned, else TDX_OPERAND_INVALID|RDX), R8 = the field ID to start at.  Output
 * R8 = the next field ID not dumped (MD_FIELD_ID_NA = all dumped).
 * The emulator does not write the list (no memory outside the TDMRs); its whole
 * global context fits in one 4K list, so R8 is always MD_FIELD_ID_NA on success.
 */
#include "module/leaf_helpers.h"
#include "module/metadata.h"

TDXSIM_BODY(sys_rdall)
{
	(void)st;
	uint64_t list_pa = x->regs.r[OPERAND_ID_RDX];
	x->regs.r[OPERAND_ID_R8] = MD_FIELD_ID_NA;
	tdx_status_t s = mod_shared_hpa_check(m, list_pa, PAGE_SIZE_4K);
	if (s != TDX_SUCCESS)
		return tdx_status_with_operand(s, OPERAND_ID_RDX);
	return TDX_SUCCESS;
}
