/* SPDX-License-Identifier: MIT */
/*
 * The vCPU thread: userspace's KVM_RUN loop (VMM_PROG_VCPU_RUN) and one KVM_RUN
 * ioctl (vcpu_run -> vcpu_enter_guest -> tdx_vcpu_run -> tdx_handle_exit).
 *
 * KVM_RUN holds vcpu->mutex for the whole ioctl and the SRCU read side except
 * around guest entry.  One loop iteration:
 *   - kvm_check_request: KVM_REQ_VM_DEAD -> -EIO;
 *   - vcpu->mode = IN_GUEST_MODE, srcu_read_unlock, IRQs off;
 *   - kvm_vcpu_exit_request (mode EXITING_GUEST_MODE, a request, a signal): cancel
 *     the entry (mode OUTSIDE, IRQs on -> pending kick IPIs are handled, SRCU back);
 *   - tdx_vcpu_run: wait_for_sept_zap set -> EXIT_FASTPATH_EXIT_HANDLED without
 *     TDH.VP.ENTER (§1.3 "Entry blocking"); otherwise TDH.VP.ENTER, the guest runs
 *     until a TD exit completes it;
 *   - BUSY from TDH.VP.ENTER (§1.4): the policy says EXIT_FASTPATH (leave the
 *     fastpath: IRQs on, so kick IPIs land, then enter again from the loop) or
 *     REENTER (enter again at once from the fastpath with IRQs off: no kick is
 *     acknowledged meanwhile -- the deadlock §1.4 explains);
 *   - mode OUTSIDE, IRQs on (kick IPIs acknowledged), srcu_read_lock;
 *   - tdx_handle_exit: EPT violation (ept_violation.c), TDVMCALL (MapGPA:
 *     mapgpa.c; Instruction.HLT: kvm_emulate_halt -> the vCPU is HALTED and the next
 *     iteration blocks in vcpu_block (SRCU dropped) until an interrupt or a signal;
 *     others complete with SUCCESS), interrupt -> resume; TDX_ERROR /
 *     NON_RECOVERABLE statuses (e.g. TDX_HOST_PRIORITY_BUSY_TIMEOUT) -> unhandled
 *     exit, KVM_EXIT_INTERNAL_ERROR to userspace; a software error (#UD/#GP at
 *     VP.ENTER) -> KVM_BUG_ON(!kvm_rebooting) and the same user exit;
 *   - r <= 0 -> back to userspace; a pending signal -> -EINTR.
 */
#include "vmm/kvm.h"

/* ---- the userspace vCPU thread -------------------------------------------------------- */

#define P_VM c->fr->l[0]
#define P_VCPU c->fr->l[1]
#define P_MAX c->fr->l[2]
#define P_R c->fr->l[3]

/* Userspace (QEMU) starts running vCPUs once the TD is runnable. */
static bool vcpu_can_run(struct flow_ctx *c)
{
	struct kvm_vm *v = KVM(c, P_VM);
	return v->dead || v->destroying || VCPU(c, P_VM, P_VCPU)->stop ||
	       (v->td_state == TD_STATE_RUNNABLE && VCPU(c, P_VM, P_VCPU)->initialized);
}

enum flow_ret vmm_prog_vcpu_run(struct flow_ctx *c)
{
	FLOW_BEGIN(c);
	FLOW_WAIT_UNTIL(c, vcpu_can_run(c));
	if (VCPU(c, P_VM, P_VCPU)->stop) {
		vmm_set_result(c, 0);
		FLOW_RETURN(c, 0);
	}
again:
	FLOW_CALL(c, VF_KVM_RUN, P_VM, P_VCPU, P_MAX, 0);
	P_R = (uint64_t)c->fr->ret;
	if ((int64_t)P_R == -VMM_EINTR) {
		/* The signal is handled in userspace, which calls KVM_RUN again -- unless it
		 * is stopping the vCPU thread (vmm_vcpu_stop). */
		FLOW_SHARED(c);
		VCPU(c, P_VM, P_VCPU)->pending_signal = 0;
		vmm_emit(c, VMM_EV_USER_EXIT, KVM_EXIT_INTR, 0, P_VCPU);
		if (VCPU(c, P_VM, P_VCPU)->stop) {
			vmm_set_result(c, 0);
			FLOW_RETURN(c, 0);
		}
		goto again;
	}
	if ((int64_t)P_R < 0 && (int64_t)P_R != -VMM_EFAULT)
		vmm_emit(c, VMM_EV_USER_EXIT, KVM_EXIT_UNKNOWN, (uint64_t)(-(int64_t)P_R), P_VCPU);
	/* 1: the entry budget (a2) is spent -- the scenario's bound, not a KVM exit. */
	vmm_set_result(c, (int64_t)P_R == 1 ? 0 : (int64_t)P_R);
	FLOW_RETURN(c, P_R);
	FLOW_END(c);
}

/* ---- one KVM_RUN ioctl --------------------------------------------------------------------- */

#define R_VM c->fr->l[0]
#define R_VCPU c->fr->l[1]
#define R_MAX c->fr->l[2]
#define R_R c->fr->l[3]       /* vcpu_run's r */
#define R_FAST c->fr->l[4]    /* 0 none, 1 EXIT_HANDLED, 2 bug, 3 errno in R_R */
#define R_BUSY c->fr->l[5]    /* consecutive BUSY results of TDH.VP.ENTER */
#define R_STATUS c->fr->l[6]  /* VP.ENTER's RAX */
#define R_GPA c->fr->l[7]
#define R_QUAL c->fr->l[8]    /* ext exit qualification << 32 | exit qualification */
#define R_X c->fr->l[9]       /* TDVMCALL: R12 (gpa) */

#define V (VCPU(c, R_VM, R_VCPU))

static void vp_enter_begin(struct flow_ctx *c)
{
	struct kvm_vcpu *v = V;
	struct tdxsim_regs r = { { 0 } };
	r.r[OPERAND_ID_RAX] = LEAFV(LF_VP_ENTER, 0);
	r.r[OPERAND_ID_RCX] = kvm_hpa(c, v->tdvpr);
	if (v->resp_pending) {
		/* The TDVMCALL's response (tdvmcall_set_return_code, vp_enter_args.r11). */
		r.r[OPERAND_ID_R10] = v->enter_r10;
		r.r[OPERAND_ID_R11] = v->enter_r11;
	}
	if (R_MAX)
		v->entries++; /* counted only against a budget: a counter is state */
	v->enter_r10 = v->enter_r11 = 0;
	vmm_issue_begin(c, c->lp, &r);
}

static bool exit_request(struct kvm_vcpu *v)
{
	return v->mode == EXITING_GUEST_MODE || v->requests || v->pending_signal;
}

enum flow_ret vmm_flow_kvm_run(struct flow_ctx *c)
{
	struct tdxsim_decision d;
	struct kvm_vcpu *v;
	FLOW_BEGIN(c);
	/* kvm_vcpu_ioctl: a dead VM's ioctls fail with -EIO. */
	FLOW_SHARED(c);
	if (KVM(c, R_VM)->dead || KVM(c, R_VM)->destroying)
		FLOW_RETURN(c, -VMM_EIO);
	if (KVM(c, R_VM)->td_state != TD_STATE_RUNNABLE)
		FLOW_RETURN(c, -VMM_EINVAL);
	VMM_LOCK(c, &V->mutex, VL_WRITE);
	/* vcpu_load -> tdx_vcpu_load: a vCPU that moved to another CPU is flushed from
	 * the old one first (tdx_flush_vp_on_cpu). */
	if (V->cpu >= 0 && (unsigned)V->cpu != c->lp && KVM(c, R_VM)->hkid)
		FLOW_CALL(c, VF_VP_FLUSH, R_VM, R_VCPU, 0, 0);
	FLOW_SHARED(c);
	V->cpu = (int32_t)c->lp;
	V->in_run = 1;
	kvm_srcu_lock(c, (unsigned)R_VM);
loop:
	/* vcpu_enter_guest: kvm_check_request(KVM_REQ_VM_DEAD). */
	FLOW_SHARED(c);
	/* Dead locals of the last iteration are zeroed: equal states compare equal. */
	R_FAST = R_BUSY = R_STATUS = R_GPA = R_QUAL = R_X = 0;
	v = V;
	if (v->requests & KVM_REQ_VM_DEAD) {
		v->requests &= ~KVM_REQ_VM_DEAD;
		R_R = (uint64_t)-VMM_EIO;
		goto out;
	}
	if (R_MAX && v->entries >= R_MAX) {
		R_R = 1;
		goto out;
	}
	if (v->halted) {
		/* vcpu_block(): kvm_vcpu_halt until kvm_vcpu_has_events or a signal. */
		FLOW_SHARED(c);
		kvm_srcu_unlock(c, (unsigned)R_VM);
		FLOW_WAIT_UNTIL(c, V->pending_event || V->pending_signal);
		if (V->pending_event)
			V->halted = 0;
		FLOW_SHARED(c);
		kvm_srcu_lock(c, (unsigned)R_VM);
		R_R = 1;
		goto tail;
	}
	FLOW_SHARED(c);
	V->mode = IN_GUEST_MODE;
	FLOW_SHARED(c);
	kvm_srcu_unlock(c, (unsigned)R_VM);
	/* IRQs are off from here. */
	FLOW_SHARED(c);
	if (exit_request(V)) {
		V->mode = OUTSIDE_GUEST_MODE;
		FLOW_SHARED(c);
		V->ipi_from = 0; /* local_irq_enable(): kick IPIs are handled */
		FLOW_SHARED(c);
		kvm_srcu_lock(c, (unsigned)R_VM);
		R_R = 1;
		goto tail;
	}
	/* tdx_vcpu_run(). */
	FLOW_SHARED(c);
	R_FAST = 0;
	R_BUSY = 0;
	if (KVM(c, R_VM)->wait_for_sept_zap) {
		R_FAST = 1;
		goto after_run;
	}
	V->pending_event = 0; /* the pending interrupt is delivered on this entry */
enter:
	VMM_ISSUE(c, vp_enter_begin(c));
	if (c->fr->status == TDXSIM_STATUS_ENTERED) {
		FLOW_YIELD(c); /* the guest runs until a TD exit completes the call */
		c->fr->status = c->s->host.regs.r[OPERAND_ID_RAX];
	}
	R_STATUS = c->fr->status;
	V->resp_pending = 0;
	vmm_emit(c, VMM_EV_SEAMCALL, LF_VP_ENTER, R_STATUS, R_BUSY);
	if (tdx_status_is_kvm_busy(R_STATUS)) {
		vmm_emit(c, VMM_EV_BUSY, LF_VP_ENTER, R_STATUS, 0);
		if (tdx_status_operand(R_STATUS) == OPERAND_ID_SEPT_TREE)
			vmm_emit(c, VMM_EV_ZERO_STEP, R_VCPU, R_STATUS, 0);
	}
	if (R_STATUS >> 32) {
		/* A status, not an exit reason: BUSY (§1.4), a software error, TDX_ERROR or
		 * TDX_NON_RECOVERABLE.  The policy (site ENTER) decides. */
		d = vmm_decide(c, TDXSIM_SITE_ENTER, LF_VP_ENTER, R_STATUS, (unsigned)R_BUSY);
		if (d.action == TDXSIM_ACT_REENTER || d.action == TDXSIM_ACT_RETRY) {
			/* Re-enter from the fastpath: IN_GUEST_MODE, IRQs still off, no
			 * request check -- a pending kick IPI is not handled meanwhile. */
			R_BUSY = vmm_attempt_inc(c, (uint32_t)R_BUSY);
			vmm_emit(c, VMM_EV_RETRY, LF_VP_ENTER, R_BUSY, 0);
			goto enter;
		}
		if (d.action == TDXSIM_ACT_BUG) {
			R_FAST = 2;
		} else if (d.action == TDXSIM_ACT_ERRNO) {
			/* -EIO stands for KVM's unhandled exit (KVM_EXIT_INTERNAL_ERROR, KVM_RUN
			 * returns 0); another errno is returned by KVM_RUN as it is. */
			R_FAST = 3;
			R_R = (uint64_t)-(int64_t)(d.err > 0 ? d.err : VMM_EIO);
		} else if (d.action == TDXSIM_ACT_OK && !tdx_status_is_kvm_busy(R_STATUS)) {
			R_FAST = 0; /* accepted: handled as KVM's fixed rules below */
		} else {
			R_FAST = 1; /* EXIT_FASTPATH_EXIT_HANDLED (§1.4): enter again from the loop */
		}
	}
after_run:
	FLOW_SHARED(c);
	V->mode = OUTSIDE_GUEST_MODE;
	FLOW_SHARED(c);
	V->ipi_from = 0; /* local_irq_enable(): kick IPIs are handled */
	FLOW_SHARED(c);
	kvm_srcu_lock(c, (unsigned)R_VM);
	/* tdx_handle_exit(). */
	if (R_FAST == 1) {
		R_R = 1;
	} else if (R_FAST == 2) {
		/* KVM_BUG_ON (for a software error: KVM_BUG_ON(!kvm_rebooting), then the
		 * internal-error exit). */
		FLOW_CALL(c, VF_VM_BUG, R_VM, LF_VP_ENTER, R_STATUS, 0);
		if ((R_STATUS & TDX_SW_ERROR) == TDX_SW_ERROR) {
			vmm_emit(c, VMM_EV_USER_EXIT, KVM_EXIT_INTERNAL_ERROR, R_STATUS, R_VCPU);
			R_R = 0;
		} else {
			R_R = (uint64_t)-VMM_EIO;
		}
	} else if (R_FAST == 3) {
		if ((int64_t)R_R == -VMM_EIO) {
			if ((R_STATUS & TDX_SEAMCALL_STATUS_MASK) == TDX_HOST_PRIORITY_BUSY_TIMEOUT)
				vmm_emit(c, VMM_EV_HP_TIMEOUT, R_VCPU, R_STATUS, 0);
			vmm_emit(c, VMM_EV_USER_EXIT, KVM_EXIT_INTERNAL_ERROR, R_STATUS, R_VCPU);
			R_R = 0;
		}
	} else if ((R_STATUS & TDX_SW_ERROR) == TDX_SW_ERROR) {
		FLOW_CALL(c, VF_VM_BUG, R_VM, LF_VP_ENTER, R_STATUS, 0);
		vmm_emit(c, VMM_EV_USER_EXIT, KVM_EXIT_INTERNAL_ERROR, R_STATUS, R_VCPU);
		R_R = 0;
	} else if (R_STATUS & (TDX_STATUS_ERROR | TDX_STATUS_NON_RECOVERABLE)) {
		if ((R_STATUS & TDX_SEAMCALL_STATUS_MASK) == TDX_HOST_PRIORITY_BUSY_TIMEOUT)
			vmm_emit(c, VMM_EV_HP_TIMEOUT, R_VCPU, R_STATUS, 0);
		vmm_emit(c, VMM_EV_USER_EXIT, KVM_EXIT_INTERNAL_ERROR, R_STATUS, R_VCPU);
		R_R = 0;
	} else if ((R_STATUS & 0xFFFF) == EXIT_REASON_EPT_VIOLATION) {
		R_GPA = c->s->host.regs.r[OPERAND_ID_R8];
		R_QUAL = (c->s->host.regs.r[OPERAND_ID_RDX] << 32) |
			 (c->s->host.regs.r[OPERAND_ID_RCX] & 0xFFFFFFFFull);
		FLOW_CALL(c, VF_EPT_VIOLATION, R_VM, R_VCPU, R_GPA, R_QUAL);
		R_R = (uint64_t)c->fr->ret;
		if ((int64_t)R_R == -VMM_EFAULT)
			vmm_emit(c, VMM_EV_USER_EXIT, KVM_EXIT_MEMORY_FAULT, R_GPA, R_VCPU);
	} else if ((R_STATUS & 0xFFFF) == EXIT_REASON_TDCALL) {
		/* tdx_to_vmx_exit_reason / handle_tdvmcall: R10 = 0 is a GHCI TDVMCALL
		 * whose sub-function is R11; R10 != 0 is a KVM hypercall (not modelled:
		 * completed with 0). */
		if (c->s->host.regs.r[OPERAND_ID_R10] == 0 &&
		    c->s->host.regs.r[OPERAND_ID_R11] == TDVMCALL_MAP_GPA) {
			R_X = c->s->host.regs.r[OPERAND_ID_R12];
			R_GPA = c->s->host.regs.r[OPERAND_ID_R13];
			FLOW_CALL(c, VF_MAPGPA, R_VM, R_VCPU, R_X, R_GPA);
			R_R = (uint64_t)c->fr->ret;
		} else {
			V->enter_r10 = TDVMCALL_STATUS_SUCCESS;
			V->enter_r11 = 0;
			V->resp_pending = 1;
			if (c->s->host.regs.r[OPERAND_ID_R10] == 0 &&
			    c->s->host.regs.r[OPERAND_ID_R11] == EXIT_REASON_HLT)
				V->halted = 1; /* kvm_emulate_halt_noskip */
			R_R = 1;
		}
	} else {
		R_R = 1; /* external interrupt and other exits: resume */
	}
tail:
	if ((int64_t)R_R <= 0)
		goto out;
	/* xfer_to_guest_mode_work: a pending signal ends KVM_RUN with -EINTR. */
	FLOW_SHARED(c);
	if (V->pending_signal) {
		R_R = (uint64_t)-VMM_EINTR;
		goto out;
	}
	goto loop;
out:
	FLOW_SHARED(c);
	kvm_srcu_unlock(c, (unsigned)R_VM);
	V->in_run = 0;
	VMM_UNLOCK(c, &V->mutex, VL_WRITE);
	FLOW_RETURN(c, (int64_t)R_R);
	FLOW_END(c);
}
