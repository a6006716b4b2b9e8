/* SPDX-License-Identifier: MIT */
/*
 * TDG.MEM.PAGE.ATTR.RD (TDCALL 23) and TDG.MEM.PAGE.ATTR.WR (TDCALL 24), reference §3
 * "TDCALLs that take locks", §5.2.  Guest RCX = GPA; ATTR.WR: RDX = the attributes
 * to write, R8 = the write mask.
 *
 * The table has the guest entry lock of the L1 leaf (sept_walk_guest) and has
 * checked its state.  Documented minimal versions (CHOICES; the emulator has no L2
 * VMs, which is what these TDCALLs mostly manage):
 *  - ATTR.RD returns RCX = the GPA mapping {GPA of the leaf, level[2:0]} and RDX =
 *    the attributes: L1 R/W/Xs/Xu in bits 0-3 from the leaf, the L2 VMs' fields
 *    (bits 16-63) 0;
 *  - ATTR.WR may only write the L2 VMs' fields; with no L2 VM every non-zero write
 *    mask bit is refused with TDX_OPERAND_INVALID|R8; a zero mask succeeds and
 *    returns the attributes as ATTR.RD does.
 */
#include "module/sept_ops.h"

static void attr_rd(struct tdxsim_leaf_exec *x)
{
	uint64_t e = x->entry;
	uint64_t gpa = x->regs.r[OPERAND_ID_RCX] & ~(sept_range_bytes(x->walk_level) - 1);
	uint64_t attr = 0;
	if (e & SEPT_R) attr |= 1ull << 0;
	if (e & SEPT_W) attr |= 1ull << 1;
	if (e & SEPT_X) attr |= 1ull << 2;
	if (e & SEPT_XU) attr |= 1ull << 3;
	x->regs.r[OPERAND_ID_RCX] = (gpa & SEPT_HPA_MASK) | x->walk_level;
	x->regs.r[OPERAND_ID_RDX] = attr;
}

TDXSIM_BODY(page_attr_rd)
{
	(void)m;
	(void)st;
	attr_rd(x);
	return TDX_SUCCESS;
}

TDXSIM_BODY(page_attr_wr)
{
	(void)m;
	(void)st;
	if (x->regs.r[OPERAND_ID_R8] != 0)
		return tdx_status_with_operand(TDX_OPERAND_INVALID, OPERAND_ID_R8);
	attr_rd(x);
	return TDX_SUCCESS;
}
