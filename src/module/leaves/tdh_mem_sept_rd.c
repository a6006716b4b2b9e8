/* SPDX-License-Identifier: MIT */
/*
 * TDH.MEM.SEPT.RD (leaf 25), reference §3 "Other SEPT leaves", §5.2 (all 16 states).
 * RCX = {level, GPA}, RDX = TDR.  Outputs RCX = the architectural SEPT entry, RDX =
 * {level[2:0], public state[15:8], vm[17:16]}, as set_arch_septe_details_in_vmm_regs
 * writes them.  The table holds the tree shared and the entry lock (host); the value
 * reported is the copy re-read after that lock (TDEL and HP are not architectural).
 */
#include "module/sept_ops.h"

TDXSIM_BODY(sept_rd)
{
	(void)m;
	(void)st;
	sept_details_from_exec(x);
	return TDX_SUCCESS;
}
