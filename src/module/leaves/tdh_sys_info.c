/* SPDX-License-Identifier: MIT */
/*
 * TDH.SYS.INFO (32), tdh_sys_info.c: RCX = TDSYSINFO_STRUCT PA (shared, 1 KB
 * aligned), RDX = its size (>= 1024), R8 = CMR_INFO array PA (shared, aligned to
 * MAX_CMR * 16 = 512), R9 = its entries (>= MAX_CMR = 32).  Outputs RDX = bytes
 * written (1024), R9 = MAX_CMR; both 0 on error.  The emulator checks and reports
 * like the module but writes no memory (there is none outside the TDMRs).
 */
#include "module/leaf_helpers.h"

#define TDSYSINFO_STRUCT_SIZE 1024u
#define MAX_CMR 32u
#define CMR_INFO_ENTRY_SIZE 16u

TDXSIM_BODY(sys_info)
{
	(void)st;
	uint64_t info_pa = x->regs.r[OPERAND_ID_RCX], info_size = x->regs.r[OPERAND_ID_RDX];
	uint64_t cmr_pa = x->regs.r[OPERAND_ID_R8], cmr_entries = x->regs.r[OPERAND_ID_R9];
	x->regs.r[OPERAND_ID_RDX] = 0;
	x->regs.r[OPERAND_ID_R9] = 0;
	tdx_status_t s = mod_shared_hpa_check(m, info_pa, 1024);
	if (s != TDX_SUCCESS)
		return tdx_status_with_operand(s, OPERAND_ID_RCX);
	if (info_size < TDSYSINFO_STRUCT_SIZE)
		return tdx_status_with_operand(TDX_OPERAND_INVALID, OPERAND_ID_RDX);
	s = mod_shared_hpa_check(m, cmr_pa, MAX_CMR * CMR_INFO_ENTRY_SIZE);
	if (s != TDX_SUCCESS)
		return tdx_status_with_operand(s, OPERAND_ID_R8);
	if (cmr_entries < MAX_CMR)
		return tdx_status_with_operand(TDX_OPERAND_INVALID, OPERAND_ID_R9);
	x->regs.r[OPERAND_ID_RDX] = TDSYSINFO_STRUCT_SIZE;
	x->regs.r[OPERAND_ID_R9] = MAX_CMR;
	return TDX_SUCCESS;
}
