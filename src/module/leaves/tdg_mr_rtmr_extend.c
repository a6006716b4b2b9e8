/* SPDX-License-Identifier: MIT */
/*
 * TDG.MR.RTMR.EXTEND (TDCALL leaf 2), reference §3 "TDCALLs that take locks".
 * Guest RCX = GPA of the 48-byte extension data (64-byte aligned), RDX = RTMR index.
 *
 * The table holds TDCS.rtmr_lock exclusively (guest mode: BUSY, or
 * BUSY_HOST_PRIORITY turned into TDX_OPERAND_BUSY by the dispatcher, |RTMR).
 * Documented minimal version (CHOICES): the operands are checked (index 0..3 ->
 * else TDX_OPERAND_INVALID|RDX; RCX 64-byte aligned -> else TDX_OPERAND_INVALID|RCX)
 * under the lock, where the table's single body runs (the real leaf may check them
 * before it); RTMR values are not modelled, only the lock.
 */
#include "module/sept_ops.h"

#define NUM_RTMRS 4

TDXSIM_BODY(rtmr_extend)
{
	(void)m;
	(void)st;
	if (x->regs.r[OPERAND_ID_RDX] >= NUM_RTMRS)
		return tdx_status_with_operand(TDX_OPERAND_INVALID, OPERAND_ID_RDX);
	if (x->regs.r[OPERAND_ID_RCX] & 63)
		return tdx_status_with_operand(TDX_OPERAND_INVALID, OPERAND_ID_RCX);
	return TDX_SUCCESS;
}
