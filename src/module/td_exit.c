/* SPDX-License-Identifier: MIT */
/*
 * TD exit (src/td_transitions/td_exit.c in the real module), as a pseudo-leaf so
 * that it too takes one visible action per step:
 *   sub 0: vCPU-private exit bookkeeping: zero-step logging (§4), vCPU state
 *          VCPU_READY and last_td_exit, the VP.ENTER output registers;
 *   sub 1: REFCOUNT[vcpu_epoch & 1]-- (§5.3, td_exit.c:504), an atomic RMW;
 *   then:  release the TDR and TDVPR locks VP.ENTER kept (td_exit.c:509-510),
 *          one per step;
 *   done:  x->regs holds what TDH.VP.ENTER returns to the VMM.
 */
#include <string.h>

#include "module/interp.h"
#include "module/sept_walk.h"

/* VMX basic exit reasons the model produces (VP.ENTER RAX[31:0]). */
#define EXIT_REASON_EXTERNAL_INTERRUPT 1
#define EXIT_REASON_EPT_VIOLATION 48
#define EXIT_REASON_TDCALL 77

/* Extended exit qualification type for an ACCEPT on a non-pending page (§3 ACCEPT). */
#define TDX_EXT_EXIT_QUAL_TYPE_ACCEPT 1
#define TDX_EXT_EXIT_QUAL_TYPE_PENDING_EPT_VIOLATION 6
#define EPT_VIOLATION_ACC_WRITE (1ull << 1)

/* §4 detection, on an EPT-violation exit for a private GPA (td_exit_epf_stepping_log):
 * the first STEPPING_EPF_THRESHOLD (6) faults at one RIP only count; from the 7th
 * on, each distinct GPA is appended while the list has room.  The module logs the
 * GPA exactly as the VMCS reports it (bits 11:0 included) and compares it exactly;
 * only the exit's R8 has bits 11:0 cleared. */
static void epf_stepping_log(struct vcpu_obj *v, uint64_t gpa)
{
	if (v->guest_rip != v->rip_on_entry) {
		v->last_epf_gpa_list_idx = 0;
		v->possibly_epf_stepping = 0;
	}
	if (v->possibly_epf_stepping < STEPPING_EPF_THRESHOLD) {
		v->possibly_epf_stepping++;
		return;
	}
	if (v->last_epf_gpa_list_idx >= EPF_GPA_LIST_SIZE)
		return;
	for (unsigned i = 0; i < v->last_epf_gpa_list_idx; i++)
		if (v->last_epf_gpa_list[i] == gpa)
			return;
	v->last_epf_gpa_list[v->last_epf_gpa_list_idx++] = gpa;
}

void mod_td_exit_begin(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x, uint32_t vcpu,
		       enum tdxsim_exit_reason why, uint64_t gpa)
{
	memset(x, 0, sizeof(*x));
	x->leaf = TDXSIM_LEAF_TD_EXIT;
	x->side = TDXSIM_SIDE_HOST;
	x->vcpu = vcpu;
	x->vc = vcpu;
	x->td = UINT32_MAX;
	x->sept_pg = UINT32_MAX;
	x->exit = (uint8_t)why;
	x->scratch[0] = gpa;
	struct vcpu_obj *v = vcpu < m->lay.max_vcpus ? mod_vcpu(m, vcpu) : NULL;
	if (!v || atomic_load(&v->state) != VCPU_ACTIVE) {
		/* Simulator misuse (no vCPU, or not in guest mode): refused like
		 * tdxsim_td_exit refuses it, before the exit touches REFCOUNT. */
		x->status = TDX_VCPU_STATE_INCORRECT;
		x->regs.r[OPERAND_ID_RAX] = x->status;
		x->phase = TDXSIM_LEAF_DONE;
		return;
	}
	x->lp = atomic_load(&v->assoc_lpid);
	x->phase = TDXSIM_LEAF_RUN;
}

static void exit_bookkeeping(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x, struct vcpu_obj *v)
{
	uint64_t gpa = x->scratch[0];
	uint64_t *out = v->exit_regs;
	/* vmexit_stepping_filter: RIP progress clears the zero-step suspicion (§4.4). */
	if (v->guest_rip != v->rip_on_entry) {
		v->last_epf_gpa_list_idx = 0;
		v->possibly_epf_stepping = 0;
	}
	switch ((enum tdxsim_exit_reason)x->exit) {
	case TDXSIM_EXIT_EPT_VIOLATION:
		if (sept_gpa_is_private(m, v->td, gpa))
			epf_stepping_log(v, gpa);
		memset(out, 0, 16 * sizeof(out[0]));
		out[OPERAND_ID_RAX] = EXIT_REASON_EPT_VIOLATION;
		out[OPERAND_ID_RCX] = EPT_VIOLATION_ACC_WRITE;
		out[OPERAND_ID_R8] = gpa & ~0xFFFull;
		/* A touch of a page that is PENDING and guest-acceptable: with #VE for
		 * pending pages disabled (KVM creates TDs with SEPT_VE_DISABLE), the exit
		 * goes to the host with the PENDING_EPT_VIOLATION extended exit
		 * qualification (§4 "Detection"; linux-kvm-tdx.md §2).  The entry's RWX
		 * is 0, so the exit qualification carries no PROT bits. */
		if (sept_gpa_is_private(m, v->td, gpa)) {
			struct sept_walk w;
			sept_walk(m, v->td, gpa, SEPT_LVL_PT, &w);
			enum sept_state st = sept_state_of(w.entry);
			if ((w.entry & SEPT_PS) && st != SEPT_STATE_INVALID &&
			    sept_state_pending_guest_acceptable(st))
				out[OPERAND_ID_RDX] = TDX_EXT_EXIT_QUAL_TYPE_PENDING_EPT_VIOLATION;
		}
		v->last_td_exit = LAST_EXIT_ASYNC_FAULT;
		break;
	case TDXSIM_EXIT_ACCEPT_VIOLATION:
		/* No logging for a pending page the guest may accept (§4). */
		memset(out, 0, 16 * sizeof(out[0]));
		out[OPERAND_ID_RAX] = EXIT_REASON_EPT_VIOLATION;
		out[OPERAND_ID_RDX] = TDX_EXT_EXIT_QUAL_TYPE_ACCEPT;
		out[OPERAND_ID_R8] = gpa & ~0xFFFull;
		v->last_td_exit = LAST_EXIT_ASYNC_FAULT;
		break;
	case TDXSIM_EXIT_TDVMCALL:
		/* out[] already holds the guest's TDVMCALL registers (body vp_vmcall). */
		out[OPERAND_ID_RAX] = EXIT_REASON_TDCALL;
		v->last_td_exit = LAST_EXIT_TDVMCALL;
		break;
	case TDXSIM_EXIT_HP_TIMEOUT:
		/* §1.7: VCPU_READY, LAST_EXIT_ASYNC_TRAP, RAX = the timeout status. */
		memset(out, 0, 16 * sizeof(out[0]));
		out[OPERAND_ID_RAX] = TDX_HOST_PRIORITY_BUSY_TIMEOUT;
		v->last_td_exit = LAST_EXIT_ASYNC_TRAP;
		break;
	case TDXSIM_EXIT_INTERRUPT:
	case TDXSIM_EXIT_NONE:
		/* An asynchronous exit with TDX_SUCCESS: td_exit.c records
		 * LAST_EXIT_ASYNC_FAULT for every TDX_SUCCESS exit; ASYNC_TRAP is only for
		 * TDX_CROSS_TD_TRAP and TDX_HOST_PRIORITY_BUSY_TIMEOUT. */
		memset(out, 0, 16 * sizeof(out[0]));
		out[OPERAND_ID_RAX] = EXIT_REASON_EXTERNAL_INTERRUPT;
		v->last_td_exit = LAST_EXIT_ASYNC_FAULT;
		break;
	}
	/* td_vmexit_to_vmm: LAST_EXIT_TSC for the next entry's rollback check (§3 step 11). */
	v->last_exit_tsc = mod_now(m);
	atomic_store(&v->state, VCPU_READY);
}



enum tdxsim_step_result mod_td_exit_step(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x)
{
	struct vcpu_obj *v = mod_vcpu(m, x->vcpu);
	if (x->sub == 0) {
		exit_bookkeeping(m, x, v);
		x->sub = 1;
		/* vCPU-private work: continue with the refcount in the same step. */
	}
	if (x->sub == 1) {
		struct td_obj *td = mod_td(m, v->td);
		atomic_fetch_sub(&td->refcount[v->vcpu_epoch & 1], 1);
		/* Take over the locks VP.ENTER left held. */
		memcpy(x->held, v->entry_holds, v->n_entry_holds * sizeof(x->held[0]));
		x->nheld = v->n_entry_holds;
		v->n_entry_holds = 0;
		x->sub = 2;
		return TDXSIM_STEP_RAN;
	}
	if (x->nheld > 0) {
		struct tdxsim_held_lock h = x->held[--x->nheld];
		mod_release_held(m, x, &h);
		if (x->nheld > 0)
			return TDXSIM_STEP_RAN;
	}
	memcpy(x->regs.r, v->exit_regs, sizeof(x->regs.r));
	x->status = x->regs.r[OPERAND_ID_RAX];
	x->phase = TDXSIM_LEAF_DONE;
	return TDXSIM_STEP_DONE;
}
