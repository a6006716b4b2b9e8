/* SPDX-License-Identifier: MIT */
/*
 * The one SEAMCALL helper every VMM flow issues through (linux-kvm-tdx.md §1.1-1.3),
 * the kick (kvm_make_all_cpus_request with WAIT semantics), bugging the VM and the
 * 6.19 TD state guard.
 *
 * VF_SEAMCALL, per call:
 *   1. issue the leaf on the target LP, one module step per scheduler step;
 *   2. report VMM_EV_SEAMCALL (and VMM_EV_BUSY for TDX_OPERAND_BUSY, any operand);
 *   3. success -> SC_OK; a status in the caller's accept mask -> SC_ACCEPTED without
 *      asking the policy (only KVM code that inspects a result before its
 *      KVM_BUG_ON: 6.16's premap check of BLOCK);
 *   4. otherwise ask the policy (tdxsim_policy_decide(site, leaf, status, attempt))
 *      and carry out its action:
 *        OK          -> SC_OK
 *        RETRY       -> issue again at once (the policy bounds it).  This is also
 *                       how sc_retry's RDRAND_RETRY_LOOPS and KVM's CACHE.WB resume
 *                       loop (TDX_SEAMCALL_RETRIES, re-issued with RCX = 1) run: the
 *                       kvm-* policies carry them as RETRY rules (linux §1.1, §1.2)
 *        KICK_RETRY  -> §1.3 tdh_do_no_vcpus: set wait_for_sept_zap, kick every vCPU
 *                       out of guest mode and wait for it, issue exactly once more,
 *                       clear the flag, and judge the second result with attempt 1
 *                       (a KICK_RETRY rule no longer matches there: the policy's next
 *                       rule -- BUG in KVM -- decides; a policy that still answers
 *                       KICK_RETRY gets BUG, "retry exactly once")
 *        BUG         -> KVM_BUG_ON: the VM is dead (SC_BUG)
 *        ERRNO       -> -err to the caller, which applies its own rule
 *        WARN        -> SC_WARN (the caller's non-fatal failure path)
 *        EXIT_FASTPATH / REENTER only mean something for TDH.VP.ENTER, which the run
 *        loop judges itself; anywhere else they are treated as WARN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/kvm.h"

/* ---- policy ------------------------------------------------------------------------------ */

struct tdxsim_decision vmm_decide(struct flow_ctx *c, enum tdxsim_site site, unsigned leaf,
				  tdx_status_t status, unsigned attempt)
{
	return tdxsim_policy_decide(&KG(c)->policy, site, leaf, status, attempt);
}

/* ---- issuing -------------------------------------------------------------------------------- */

void vmm_issue_begin(struct flow_ctx *c, unsigned lp, const struct tdxsim_regs *regs)
{
	struct kvm_global *g = KG(c);
	unsigned leaf = (unsigned)(regs->r[OPERAND_ID_RAX] & 0xFFFF);
	for (unsigned i = 0; i < VMM_MAX_INJECT; i++) {
		struct vmm_inject *in = &g->inject[i];
		if (!in->count || (in->leaf != 0xFFFF && in->leaf != leaf) ||
		    (in->lp >= 0 && (unsigned)in->lp != lp))
			continue;
		tdx_status_t s = in->status;
		if (--in->count == 0)
			memset(in, 0, sizeof(*in)); /* canonical: dead entries are zero */
		/* The SEAMCALL instruction faults (or the status is forced): the module is
		 * not entered; RAX carries the status, the other registers are unchanged. */
		struct tdxsim_leaf_exec *x = &c->s->host;
		memset(x, 0, sizeof(*x));
		x->leaf = -1;
		x->lp = lp;
		x->regs = *regs;
		x->regs.r[OPERAND_ID_RAX] = s;
		x->status = s;
		x->phase = TDXSIM_LEAF_DONE;
		return;
	}
	mod_seamcall_begin(c->m, &c->s->host, lp, regs);
}

/* Frame of VF_SEAMCALL. */
#define SC_PACK c->fr->l[0]     /* leafv 23:0 | site 27:24 | lp1 47:32 | vm1 63:48 */
#define SC_RCX c->fr->l[1]
#define SC_RDX c->fr->l[2]
#define SC_R8 c->fr->l[3]
#define SC_R9 c->fr->l[4]
#define SC_R10 c->fr->l[5]
#define SC_R11 c->fr->l[6]
#define SC_ACCEPT c->fr->l[7]
#define SC_KICKED c->fr->l[9]   /* inside tdh_do_no_vcpus: the flag is raised */

#define SC_LEAFV (SC_PACK & 0xFFFFFF)
#define SC_LEAF ((unsigned)(SC_PACK & 0xFFFF))
#define SC_SITE ((enum tdxsim_site)((SC_PACK >> 24) & 0xF))
#define SC_LP1 ((unsigned)((SC_PACK >> 32) & 0xFFFF))
#define SC_VM1 ((unsigned)((SC_PACK >> 48) & 0xFFFF))

void vmm_sc_push(struct flow_ctx *c, const struct sc_args *a)
{
	uint64_t pack = (a->leafv & 0xFFFFFF) | ((uint64_t)(a->site & 0xF) << 24) |
			((uint64_t)(a->lp1 & 0xFFFF) << 32) | ((uint64_t)(a->vm1 & 0xFFFF) << 48);
	flow_push(c, VF_SEAMCALL, pack, a->rcx, a->rdx, a->r8);
	c->fr->l[4] = a->r9;
	c->fr->l[5] = a->r10;
	c->fr->l[6] = a->r11;
	c->fr->l[7] = a->accept;
}

static void sc_begin(struct flow_ctx *c)
{
	struct tdxsim_regs r = { { 0 } };
	r.r[OPERAND_ID_RAX] = SC_LEAFV;
	r.r[OPERAND_ID_RCX] = SC_RCX;
	r.r[OPERAND_ID_RDX] = SC_RDX;
	r.r[OPERAND_ID_R8] = SC_R8;
	r.r[OPERAND_ID_R9] = SC_R9;
	r.r[OPERAND_ID_R10] = SC_R10;
	r.r[OPERAND_ID_R11] = SC_R11;
	vmm_issue_begin(c, SC_LP1 ? SC_LP1 - 1 : c->lp, &r);
}

static bool sc_accepted(tdx_status_t s, uint32_t acc)
{
	return (acc & ACC_PREMAP) &&
	       s == tdx_status_with_operand(TDX_EPT_ENTRY_STATE_INCORRECT, OPERAND_ID_RCX);
}

enum flow_ret vmm_flow_seamcall(struct flow_ctx *c)
{
	tdx_status_t status;
	struct tdxsim_decision d;
	FLOW_BEGIN(c);
issue:
	VMM_ISSUE(c, sc_begin(c));
	status = c->fr->status;
	vmm_emit(c, VMM_EV_SEAMCALL, SC_LEAF, status, c->fr->attempt);
	if (tdx_status_is_kvm_busy(status))
		vmm_emit(c, VMM_EV_BUSY, SC_LEAF, status, 0);
	if (SC_KICKED) {
		/* §1.3 d: the retry is done, TD entry is allowed again. */
		FLOW_SHARED(c);
		KVM(c, SC_VM1 - 1)->wait_for_sept_zap--;
		SC_KICKED = 0;
		status = c->s->host.regs.r[OPERAND_ID_RAX];
	}
	if (status == TDX_SUCCESS)
		FLOW_RETURN(c, SC_OK);
	if (sc_accepted(status, (uint32_t)SC_ACCEPT))
		FLOW_RETURN(c, SC_ACCEPTED);
	d = vmm_decide(c, SC_SITE, SC_LEAF, status, c->fr->attempt);
	if (d.action == TDXSIM_ACT_OK)
		FLOW_RETURN(c, SC_OK);
	if (d.action == TDXSIM_ACT_RETRY) {
		c->fr->attempt = vmm_attempt_inc(c, c->fr->attempt);
		vmm_emit(c, VMM_EV_RETRY, SC_LEAF, c->fr->attempt, 0);
		/* KVM's CACHE.WB loop resumes with RCX = 1 (§1.2 CACHE.WB row). */
		if (SC_LEAF == LF_PHYMEM_CACHE_WB &&
		    (status & TDX_SEAMCALL_STATUS_MASK) == TDX_INTERRUPTED_RESUMABLE)
			SC_RCX = 1;
		goto issue;
	}
	if (d.action == TDXSIM_ACT_KICK_RETRY && SC_VM1 && c->fr->attempt == 0) {
		/* §1.3 a-c. */
		FLOW_SHARED(c);
		KVM(c, SC_VM1 - 1)->wait_for_sept_zap++;
		SC_KICKED = 1;
		FLOW_CALL(c, VF_KICK, SC_VM1 - 1, 0, 0, 0);
		c->fr->attempt = 1;
		vmm_emit(c, VMM_EV_RETRY, SC_LEAF, 1, 0);
		goto issue;
	}
	if (d.action == TDXSIM_ACT_KICK_RETRY && !SC_VM1) {
		/* No VM to kick (module-scope call): a plain retry, once. */
		if (c->fr->attempt == 0) {
			c->fr->attempt = 1;
			vmm_emit(c, VMM_EV_RETRY, SC_LEAF, 1, 0);
			goto issue;
		}
		FLOW_RETURN(c, SC_BUG);
	}
	if (d.action == TDXSIM_ACT_ERRNO)
		FLOW_RETURN(c, -(int64_t)(d.err > 0 ? d.err : VMM_EIO));
	if (d.action == TDXSIM_ACT_BUG || d.action == TDXSIM_ACT_KICK_RETRY) {
		if (SC_VM1) {
			FLOW_CALL(c, VF_VM_BUG, SC_VM1 - 1, SC_LEAF, c->s->host.regs.r[OPERAND_ID_RAX], 0);
		}
		FLOW_RETURN(c, SC_BUG);
	}
	FLOW_RETURN(c, SC_WARN);
	FLOW_END(c);
}

/* ---- the kick ------------------------------------------------------------------------------ */

/*
 * kvm_make_all_cpus_request(kvm, req) with KVM_REQUEST_WAIT: set the request on every
 * vCPU (KVM_REQ_OUTSIDE_GUEST_MODE is NO_ACTION: no bit), and for every vCPU not
 * OUTSIDE_GUEST_MODE move IN_GUEST_MODE to EXITING_GUEST_MODE and send an IPI
 * (kvm_request_needs_ipi with KVM_REQUEST_WAIT); then wait until every IPI was handled.  A vCPU handles the
 * IPI when it runs with IRQs enabled: after a TD exit, or when it leaves the fastpath
 * (run_loop.c).  One vCPU per step.
 */
#define K_VM c->fr->l[0]
#define K_REQ c->fr->l[1]
#define K_I c->fr->l[2]

static bool kick_acked(struct flow_ctx *c)
{
	for (unsigned i = 0; i < KG(c)->n_vcpus; i++)
		if (VCPU(c, K_VM, i)->ipi_from & (1ull << c->actor_id))
			return false;
	return true;
}

enum flow_ret vmm_flow_kick(struct flow_ctx *c)
{
	struct kvm_vcpu *v;
	FLOW_BEGIN(c);
	vmm_emit(c, VMM_EV_FLOW_BEGIN, VMM_FK_KICK, K_VM, K_REQ);
	for (K_I = 0; K_I < KG(c)->n_vcpus; K_I++) {
		FLOW_SHARED(c);
		v = VCPU(c, K_VM, K_I);
		v->requests |= (uint32_t)K_REQ;
		/* kvm_request_needs_ipi(): kvm_vcpu_exiting_guest_mode() moves IN_GUEST_MODE
		 * to EXITING_GUEST_MODE, and a WAIT request IPIs every vCPU that was not
		 * OUTSIDE_GUEST_MODE -- one an earlier kick already moved to EXITING (and
		 * that may still be inside TDH.VP.ENTER with IRQs off) included. */
		if (v->mode != OUTSIDE_GUEST_MODE) {
			if (v->mode == IN_GUEST_MODE)
				v->mode = EXITING_GUEST_MODE;
			v->ipi_from |= 1ull << c->actor_id;
		}
	}
	FLOW_WAIT_UNTIL(c, kick_acked(c));
	vmm_emit(c, VMM_EV_KICK, K_VM, K_REQ, 0);
	vmm_emit(c, VMM_EV_FLOW_END, VMM_FK_KICK, 0, 0);
	FLOW_RETURN(c, 0);
	FLOW_END(c);
}

/* ---- bugging the VM ------------------------------------------------------------------------ */

/*
 * KVM_BUG_ON(err, kvm) / TDX_BUG_ON(): WARN once and, if the VM is not bugged yet,
 * kvm_vm_bugged() -> kvm_vm_dead(): vm_dead, KVM_REQ_VM_DEAD to every vCPU (a WAIT
 * request, so this kicks like the above).  Later ioctls get -EIO.  With l3 = 1 it is
 * a plain kvm_vm_dead() (e.g. a guest access before accept, §2), which kicks every
 * time.
 */
#define B_VM c->fr->l[0]
#define B_LEAF c->fr->l[1]
#define B_STATUS c->fr->l[2]
#define B_PLAIN c->fr->l[3]

enum flow_ret vmm_flow_vm_bug(struct flow_ctx *c)
{
	struct kvm_vm *v;
	FLOW_BEGIN(c);
	FLOW_SHARED(c);
	v = KVM(c, B_VM);
	if (!B_PLAIN && v->bugged)
		FLOW_RETURN(c, 0);
	if (!B_PLAIN)
		v->bugged = 1;
	v->dead = 1;
	vmm_emit(c, VMM_EV_VM_BUG, B_LEAF, B_STATUS, B_VM);
	FLOW_CALL(c, VF_KICK, B_VM, KVM_REQ_VM_DEAD, 0, 0);
	FLOW_RETURN(c, 0);
	FLOW_END(c);
}

/* ---- the 6.19 TD state guard ------------------------------------------------------------------ */

/*
 * tdx_vm_state_guard (§0 item 4): kvm->lock, then every vcpu->mutex in index order
 * (kvm_lock_all_vcpus), then kvm->slots_lock; released in reverse order.
 * l0 = vm, l1 = 1 to lock, 0 to unlock.
 */
#define G_VM c->fr->l[0]
#define G_LOCK c->fr->l[1]
#define G_I c->fr->l[2]

enum flow_ret vmm_flow_guard(struct flow_ctx *c)
{
	FLOW_BEGIN(c);
	/* The push that called this flow is this step's change: end the step before a
	 * lock that may block (a BLOCKED step must change nothing). */
	FLOW_YIELD(c);
	if (G_LOCK) {
		VMM_LOCK(c, &KVM(c, G_VM)->kvm_lock, VL_WRITE);
		for (G_I = 0; G_I < KG(c)->n_vcpus; G_I++)
			VMM_LOCK(c, &VCPU(c, G_VM, G_I)->mutex, VL_WRITE);
		VMM_LOCK(c, &KVM(c, G_VM)->slots_lock, VL_WRITE);
	} else {
		VMM_UNLOCK(c, &KVM(c, G_VM)->slots_lock, VL_WRITE);
		for (G_I = KG(c)->n_vcpus; G_I > 0; G_I--)
			VMM_UNLOCK(c, &VCPU(c, G_VM, G_I - 1)->mutex, VL_WRITE);
		VMM_UNLOCK(c, &KVM(c, G_VM)->kvm_lock, VL_WRITE);
	}
	FLOW_RETURN(c, 0);
	FLOW_END(c);
}
