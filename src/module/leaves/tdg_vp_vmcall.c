/* SPDX-License-Identifier: MIT */
/*
 * TDG.VP.VMCALL (TDCALL leaf 0), reference §3 "TDCALLs that take locks": no
 * module locks; a trap-like TD exit to the host VMM (tdg_vp_vmcall.c).
 * Guest RCX = tdvmcall_control: gpr_select (bits 15:0), xmm_select (31:16).
 */
#include <string.h>

#include "module/fns.h"
#include "module/vcpu.h"

/* gpr_select may not name RAX, RCX or RSP (bits 0, 1, 4); bits 63:32 are reserved. */
#define TDVMCALL_GPR_CHECK_MASK ((1ull << 0) | (1ull << 1) | (1ull << 4))

/*
 * Copy the guest GPRs selected by gpr_select into the VMM's TDH.VP.ENTER outputs
 * (others 0; the emulated TD does not set config_flags.no_rbp_mod), RCX = the
 * control value as the TD exit qualification (VM 0); td_exit.c sets RAX =
 * VMEXIT_REASON_TDCALL and last_td_exit = LAST_EXIT_TDVMCALL.  The guest's GPRs
 * are kept in guest_ret: the next TDH.VP.ENTER overwrites the selected ones with
 * the VMM's response.
 */
TDXSIM_BODY(vp_vmcall)
{
	(void)st;
	struct vcpu_obj *v = mod_vcpu(m, x->vcpu);
	uint64_t control = x->regs.r[OPERAND_ID_RCX];
	if ((control & TDVMCALL_GPR_CHECK_MASK) || (control >> 32))
		return tdx_status_with_operand(TDX_OPERAND_INVALID, OPERAND_ID_RCX);
	uint64_t *out = v->exit_regs;
	memset(out, 0, 16 * sizeof(out[0]));
	out[OPERAND_ID_RCX] = control & 0xFFFFFFFFull;
	for (unsigned i = OPERAND_ID_RDX; i < 16; i++)
		if (control & (1ull << i))
			out[i] = x->regs.r[i];
	memcpy(v->guest_ret, x->regs.r, sizeof(v->guest_ret));
	x->exit = TDXSIM_EXIT_TDVMCALL;
	return TDX_SUCCESS;
}
