/* SPDX-License-Identifier: MIT */
/*
 * TDH.VP.ENTER step 14: the zero-step (EPT-fault stepping) filter,
 * td_entry_stepping_filter (reference §4 "Check (on TD entry)").
 *
 * The table takes the SEPT tree lock exclusively (when: zero_step_suspected) in
 * the step before zero_step_gpas_accessible; a busy tree completes the leaf with
 * TDX_OPERAND_BUSY | OPERAND_ID_SEPT_TREE after the refcount revert, leaving the
 * vCPU associated (FILTER_FAIL_SEPT_TREE_BUSY).
 */
#include "module/fns.h"
#include "module/vcpu.h"

/* §4 check 2: an empty LAST_EPF_GPA_LIST means nothing is suspected. */
TDXSIM_COND(zero_step_suspected)
{
	if (x->vc == UINT32_MAX)
		mod_fatal(m, x, "zero_step_suspected before the TDVPR lock");
	return mod_vcpu(m, x->vc)->last_epf_gpa_list_idx != 0;
}

/*
 * §4 check 4, with the tree held exclusively: translate every logged GPA asking
 * for RWX (is_epf_expected).  The first one that would fault again
 * (FILTER_FAIL_TDENTER_EPFS) makes TDH.VP.ENTER emulate an EPT-violation TD exit
 * without entering the guest (emulate_ept_violation_td_exit):
 *   RAX = VMEXIT_REASON_EPT_VIOLATION (48), RCX = exit qualification (data write,
 *   VM 0), RDX = 0, R8 = GPA[51:12], R9 = 0, RBX/RSI/RDI/R10-R15 = 0 (RBP and RSP
 *   untouched); vCPU VCPU_READY, last_td_exit LAST_EXIT_ASYNC_FAULT.
 * The interpreter then runs the refcount revert and releases the tree, op_state,
 * TDR and TDVPR.  (In the real filter the tree is released before the revert;
 * the order of these two is not observable by another leaf's outcome.)
 * The list is not cleared: only guest RIP progress at a later TD exit clears it.
 */
TDXSIM_CHECK(zero_step_gpas_accessible)
{
	(void)st;
	struct vcpu_obj *v = mod_vcpu(m, x->vc);
	unsigned n = v->last_epf_gpa_list_idx;
	if (n > EPF_GPA_LIST_SIZE)
		n = EPF_GPA_LIST_SIZE;
	for (unsigned i = 0; i < n; i++) {
		uint64_t gpa = v->last_epf_gpa_list[i];
		if (vcpu_gpa_translate(m, x->td, gpa, SEPT_RWX) != VCPU_XLATE_VIOLATION)
			continue; /* EPT_WALK_SUCCESS or EPT_WALK_CONVERTIBLE_VIOLATION */
		uint64_t *r = x->regs.r;
		r[OPERAND_ID_RCX] = EPT_VIOLATION_QUAL_DATA_WRITE; /* td_exit_qualification.vm = 0 */
		r[OPERAND_ID_RDX] = 0;
		r[OPERAND_ID_R8] = gpa & ~0xFFFull;
		r[OPERAND_ID_R9] = 0;
		r[OPERAND_ID_RBX] = 0;
		r[OPERAND_ID_RSI] = 0;
		r[OPERAND_ID_RDI] = 0;
		for (unsigned k = OPERAND_ID_R10; k <= OPERAND_ID_R15; k++)
			r[k] = 0;
		v->last_td_exit = LAST_EXIT_ASYNC_FAULT;
		atomic_store(&v->state, VCPU_READY);
		return VMEXIT_REASON_EPT_VIOLATION;
	}
	return TDX_SUCCESS;
}
