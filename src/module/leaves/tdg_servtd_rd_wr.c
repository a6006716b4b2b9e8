/* SPDX-License-Identifier: MIT */
/*
 * TDG.SERVTD.RD (TDCALL 18) and TDG.SERVTD.WR (TDCALL 20), reference §3 "TDCALLs that
 * take locks": a service TD reads / writes metadata of a TD it is bound to.
 * Guest RCX = the target (its TDR HPA, the table's CHOICE), RDX = field ID; WR: R8 =
 * value, R9 = write mask.  Output R8 = the value read.
 *
 * The table takes, in guest mode, the target's TDR PAMT-X sh (|TDR), checks its
 * state, op_state sh and the servtd_bindings lock sh.  Documented minimal versions
 * (CHOICES): the emulator models no service-TD bindings and no service-TD-readable
 * metadata, so every field ID is refused with TDX_METADATA_FIELD_ID_INCORRECT (no
 * operand) and R8 is 0.  What they reproduce is the locking of the target TD.
 */
#include "module/sept_ops.h"

TDXSIM_BODY(servtd_rd)
{
	(void)m;
	(void)st;
	x->regs.r[OPERAND_ID_R8] = 0;
	return TDX_METADATA_FIELD_ID_INCORRECT;
}

TDXSIM_BODY(servtd_wr)
{
	(void)m;
	(void)st;
	x->regs.r[OPERAND_ID_R8] = 0;
	return TDX_METADATA_FIELD_ID_INCORRECT;
}
