/* SPDX-License-Identifier: MIT */
/*
 * tdx_handle_ept_violation() (linux-kvm-tdx.md §2), with SRCU held by KVM_RUN.
 *
 * Private GPA:
 *   - a PENDING_EPT_VIOLATION extended exit qualification without PROT bits is a
 *     guest access before accept: kvm_vm_dead(), -EIO;
 *   - otherwise the fault is treated as a write and retried locally:
 *       loop { ret = kvm_mmu_page_fault();
 *              leave if ret != RET_PF_RETRY (or local retry is off);
 *              leave (keeping RET_PF_RETRY) on kvm_vcpu_has_events() or a signal;
 *              leave with -EIO on kvm_check_request(KVM_REQ_VM_DEAD);
 *              [2026] leave if the GFN's memslot is KVM_MEMSLOT_INVALID;
 *              cond_resched(); }
 *     Which exits apply, and an optional cap, come from the policy's fault rules
 *     (struct tdxsim_fault_policy): upstream has no cap; the memslot bail-out is
 *     policy.fault.exit_on_memslot_invalid so that a scenario can switch it.
 * Shared GPA: the shared EPT is not part of the model (the module lets the guest
 *   access shared memory without a fault); such an exit is resumed.
 */
#include "vmm/kvm.h"

#define E_VM c->fr->l[0]
#define E_VCPU c->fr->l[1]
#define E_GPA c->fr->l[2]
#define E_QUAL c->fr->l[3]
#define E_R c->fr->l[4]
#define E_N c->fr->l[5]

enum flow_ret vmm_flow_ept_violation(struct flow_ctx *c)
{
	const struct tdxsim_fault_policy *fp;
	struct kvm_vcpu *v;
	FLOW_BEGIN(c);
	vmm_emit(c, VMM_EV_FLOW_BEGIN, VMM_FK_FAULT, E_GPA, E_VCPU);
	if (E_GPA & VMM_SHARED_BIT) {
		vmm_emit(c, VMM_EV_FLOW_END, VMM_FK_FAULT, 1, E_VCPU);
		FLOW_RETURN(c, 1);
	}
	if (((E_QUAL >> 32) & TDX_EXT_EXIT_QUAL_TYPE_MASK) == TDX_EXT_EXIT_QUAL_TYPE_PENDING_EPT_VIOLATION &&
	    !(E_QUAL & EPT_VIOLATION_PROT_MASK)) {
		/* "Guest access before accepting 0x... on vCPU N" */
		FLOW_CALL(c, VF_VM_BUG, E_VM, VMM_LEAF_NONE, 0, 1);
		vmm_emit(c, VMM_EV_FLOW_END, VMM_FK_FAULT, (uint64_t)-VMM_EIO, E_VCPU);
		FLOW_RETURN(c, -VMM_EIO);
	}
	E_N = 0;
again:
	FLOW_CALL(c, VF_TDP_MAP, E_VM, E_GPA, 0, E_VCPU);
	E_R = (uint64_t)c->fr->ret;
	if (E_R == RET_PF_RETRY_ADD_EBUSY)
		E_R = RET_PF_RETRY;
	fp = &KG(c)->policy.fault;
	if (E_R != RET_PF_RETRY || !fp->local_retry)
		goto done;
	if (fp->max_local) {
		if (++E_N >= fp->max_local)
			goto done;
	} else {
		E_N = 1; /* no cap: the count matters to nothing (and is state) */
	}
	FLOW_SHARED(c);
	v = VCPU(c, E_VM, E_VCPU);
	fp = &KG(c)->policy.fault;
	if (fp->exit_on_events && v->pending_event)
		goto done;
	if (fp->exit_on_signal && v->pending_signal)
		goto done;
	if (fp->exit_on_vm_dead && (v->requests & KVM_REQ_VM_DEAD)) {
		v->requests &= ~KVM_REQ_VM_DEAD;
		E_R = (uint64_t)-VMM_EIO;
		goto done;
	}
	if (fp->exit_on_memslot_invalid) {
		/* The 2026 bail-out: a memslot being deleted can never be faulted in, and the
		 * vCPU must drop SRCU so that the deletion can complete. */
		struct kvm_global *g = KG(c);
		for (unsigned s = 0; s < g->n_memslots; s++) {
			struct kvm_memslot *ms = kvm_slot(c->vmm, (unsigned)E_VM, s);
			if (ms->present && ms->invalid && E_GPA >= ms->base &&
			    E_GPA < ms->base + ms->npages * 4096)
				goto done;
		}
	}
	vmm_emit(c, VMM_EV_RETRY, VMM_LEAF_NONE, E_N, E_VCPU);
	goto again; /* cond_resched() */
done:
	vmm_emit(c, VMM_EV_FLOW_END, VMM_FK_FAULT, E_R, E_VCPU);
	FLOW_RETURN(c, (int64_t)E_R);
	FLOW_END(c);
}
