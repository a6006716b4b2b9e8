/* SPDX-License-Identifier: MIT */
/*
 * TDH.MEM.RD (leaf 12) and TDH.MEM.WR (leaf 14), reference §3 "Other SEPT leaves".
 * RCX = GPA (8-byte aligned) of a debug TD's private memory, RDX = TDR; WR: R8 =
 * the value.  Output R8 = the 8 bytes read (RD) or the previous content (WR).
 *
 * The table holds the tree shared and the entry lock of the leaf mapping the GPA
 * (sept_walk_leaf did the debug-TD and GPA checks), and has checked its state.
 * CHOICE: page contents are not modelled, so memory reads as 0 and writes are
 * dropped; what the emulator reproduces is the locking and the status codes.
 */
#include "module/sept_ops.h"

TDXSIM_BODY(mem_rd)
{
	(void)m;
	(void)st;
	x->regs.r[OPERAND_ID_R8] = 0;
	return TDX_SUCCESS;
}

TDXSIM_BODY(mem_wr)
{
	(void)m;
	(void)st;
	x->regs.r[OPERAND_ID_R8] = 0;
	return TDX_SUCCESS;
}
