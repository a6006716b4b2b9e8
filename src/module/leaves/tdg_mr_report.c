/* SPDX-License-Identifier: MIT */
/*
 * TDG.MR.REPORT (TDCALL leaf 4), reference §3 "TDCALLs that take locks".
 * Guest RCX = GPA of the 1024-byte TDREPORT output (1024-byte aligned), RDX = GPA of
 * the 64-byte REPORTDATA (64-byte aligned), R8 = report sub-type (must be 0).
 *
 * The table takes TDCS.rtmr_lock shared (guest) for get_tdinfo_and_teeinfohash
 * (tdinfo_read), releases it, then builds the report (mr_report).  Documented
 * minimal version (CHOICES): the operand checks run in tdinfo_read, under the lock
 * (the table's first body; the real leaf may check them before it); TDINFO and the
 * SEAMOPS report are not modelled.
 */
#include "module/sept_ops.h"

TDXSIM_BODY(tdinfo_read)
{
	(void)m;
	(void)st;
	if (x->regs.r[OPERAND_ID_RCX] & 1023)
		return tdx_status_with_operand(TDX_OPERAND_INVALID, OPERAND_ID_RCX);
	if (x->regs.r[OPERAND_ID_RDX] & 63)
		return tdx_status_with_operand(TDX_OPERAND_INVALID, OPERAND_ID_RDX);
	if (x->regs.r[OPERAND_ID_R8] != 0)
		return tdx_status_with_operand(TDX_OPERAND_INVALID, OPERAND_ID_R8);
	return TDX_SUCCESS;
}

TDXSIM_BODY(mr_report)
{
	(void)m;
	(void)x;
	(void)st;
	return TDX_SUCCESS;
}
