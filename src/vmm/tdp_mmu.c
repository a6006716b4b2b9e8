/* SPDX-License-Identifier: MIT */
/*
 * The TDP MMU's install path for a private GPA (linux-kvm-tdx.md §2 "How -EBUSY
 * becomes RET_PF_RETRY"): kvm_mmu_faultin_pfn, then kvm_tdp_mmu_map under mmu_lock
 * held for read, with the frozen-SPTE protocol on the mirror page table.
 *
 * For each missing non-leaf mirror SPTE, top down (KVM levels 4..2, TDX levels 3..1):
 * a frozen SPTE means another thread is installing it -> RET_PF_RETRY; otherwise
 * allocate the child S-EPT page, cmpxchg the SPTE to FROZEN_SPTE, call
 * link_external_spt = TDH.MEM.SEPT.ADD, and on failure write the old value back (and
 * free the page) -> RET_PF_RETRY, on success write the new SPTE.
 * The leaf: already present -> RET_PF_SPURIOUS; frozen -> RET_PF_RETRY; else freeze
 * and call set_external_spte:
 *   TD runnable                 TDH.MEM.PAGE.AUG (site INSTALL)
 *   before finalize, 6.16       "premap": nr_premapped++, no SEAMCALL (PAGE.ADD comes
 *                               later from KVM_TDX_INIT_MEM_REGION, outside mmu_lock)
 *   before finalize, 6.19+      TDH.MEM.PAGE.ADD (site BUILD) with the ioctl's source
 *                               page (page_add_src; KVM_BUG_ON without one)
 * A failed hook restores the SPTE and the fault returns RET_PF_RETRY (§2: "the
 * callers convert any non-zero result into RET_PF_RETRY").
 *
 * kvm_mmu_faultin_pfn, before mmu_lock: no memslot -> -EFAULT (KVM_EXIT_MEMORY_FAULT
 * for a private fault); KVM_MEMSLOT_INVALID -> RET_PF_RETRY; an invalidation of the
 * GFN in progress -> RET_PF_RETRY; the guest_memfd page is allocated if the GFN has
 * none.  Under mmu_lock, is_page_fault_stale() re-checks the invalidation sequence.
 */
#include "vmm/kvm.h"

#define M_VM c->fr->l[0]
#define M_GPA c->fr->l[1]
#define M_MODE c->fr->l[2]    /* MAP_BUILD: from KVM_TDX_INIT_MEM_REGION */
#define M_VCPU c->fr->l[3]
#define M_SEQ c->fr->l[4]
#define M_TL c->fr->l[5]
#define M_FRAME c->fr->l[6]
#define M_R c->fr->l[7]
#define M_HOOK c->fr->l[8]

#define MAP_BUILD 1u

enum { HOOK_AUG = 1, HOOK_PREMAP = 2, HOOK_PAGE_ADD = 3, HOOK_NO_SRC = 4 };

static bool invalidation_covers(struct kvm_vm *v, uint64_t gpa)
{
	return v->mmu_invalidate_in_progress && gpa >= v->inv_start && gpa < v->inv_end;
}

static struct kvm_leaf *leaf_of(struct flow_ctx *c)
{
	return kvm_leaf_at(c->vmm, (unsigned)M_VM, (unsigned)kvm_gpa_page(c->vmm, M_GPA));
}

enum flow_ret vmm_flow_tdp_map(struct flow_ctx *c)
{
	struct kvm_vm *v;
	struct kvm_link *k;
	struct kvm_leaf *lf;
	int s;
	FLOW_BEGIN(c);
	M_GPA &= ~0xFFFull;
	/* kvm_mmu_faultin_pfn (SRCU held by the caller). */
	FLOW_SHARED(c);
	v = KVM(c, M_VM);
	s = kvm_gpa_page(c->vmm, M_GPA) < 0 ? -1 : kvm_slot_of(c->vmm, (unsigned)M_VM, M_GPA);
	if (s < 0)
		FLOW_RETURN(c, -VMM_EFAULT);
	if (kvm_slot(c->vmm, (unsigned)M_VM, (unsigned)s)->invalid)
		FLOW_RETURN(c, RET_PF_RETRY);
	M_SEQ = v->mmu_invalidate_seq;
	if (invalidation_covers(v, M_GPA))
		FLOW_RETURN(c, RET_PF_RETRY);
	/* kvm_gmem_get_pfn: the guest_memfd page of this GFN. */
	FLOW_SHARED(c);
	lf = leaf_of(c);
	if (!lf->gmem) {
		lf->gmem = kvm_frame_alloc(c->vmm);
		if (!lf->gmem)
			FLOW_RETURN(c, -VMM_ENOMEM);
	}
	VMM_LOCK(c, &KVM(c, M_VM)->mmu_lock, VL_READ);
	FLOW_SHARED(c);
	v = KVM(c, M_VM);
	if (invalidation_covers(v, M_GPA) || v->mmu_invalidate_seq != M_SEQ) {
		M_R = RET_PF_RETRY; /* is_page_fault_stale */
		goto unlock;
	}
	/* kvm_tdp_mmu_map: the non-leaf levels. */
	for (M_TL = VMM_N_LINK_LEVELS; M_TL >= 1; M_TL--) {
		FLOW_SHARED(c);
		k = kvm_link_of(c->vmm, (unsigned)M_VM, (unsigned)M_TL, M_GPA);
		if (k->state == MS_FROZEN) {
			M_R = RET_PF_RETRY;
			goto unlock;
		}
		if (k->state == MS_PRESENT)
			continue;
		/* tdp_mmu_alloc_sp + the external (S-EPT) page from the vCPU's cache, then
		 * the cmpxchg to FROZEN_SPTE. */
		M_FRAME = kvm_frame_alloc(c->vmm);
		if (!M_FRAME) {
			M_R = (uint64_t)-VMM_ENOMEM;
			goto unlock;
		}
		k->state = MS_FROZEN;
		k->frozen_by = (uint16_t)(c->actor_id + 1);
		VMM_SC(c, .site = TDXSIM_SITE_INSTALL, .leafv = LEAFV(LF_MEM_SEPT_ADD, 0), FOR_VM(M_VM),
		       .rcx = (M_GPA & ~((1ull << (12 + 9 * M_TL)) - 1)) | M_TL,
		       .rdx = kvm_hpa(c, KVM(c, M_VM)->tdr), .r8 = kvm_hpa(c, (uint32_t)M_FRAME));
		M_R = (uint64_t)c->fr->ret;
		FLOW_SHARED(c);
		k = kvm_link_of(c->vmm, (unsigned)M_VM, (unsigned)M_TL, M_GPA);
		k->frozen_by = 0;
		if (M_R == SC_OK) {
			k->state = MS_PRESENT;
			k->sept = (uint32_t)M_FRAME;
			M_FRAME = 0;
			continue;
		}
		k->state = MS_NONE; /* the old SPTE is written back */
		kvm_frame_free(c->vmm, (uint32_t)M_FRAME); /* tdp_mmu_free_sp */
		M_FRAME = 0;
		M_R = RET_PF_RETRY;
		goto unlock;
	}
	/* The target level (4K). */
	FLOW_SHARED(c);
	lf = leaf_of(c);
	if (lf->state == MS_FROZEN) {
		M_R = RET_PF_RETRY;
		goto unlock;
	}
	if (lf->state == MS_PRESENT || lf->state == MS_PREMAPPED) {
		M_R = RET_PF_SPURIOUS;
		goto unlock;
	}
	lf->state = MS_FROZEN;
	lf->frozen_by = (uint16_t)(c->actor_id + 1);
	v = KVM(c, M_VM);
	if (v->td_state == TD_STATE_RUNNABLE)
		M_HOOK = HOOK_AUG;
	else if (kvm_is_616(c))
		M_HOOK = HOOK_PREMAP;
	else
		M_HOOK = v->page_add_src ? HOOK_PAGE_ADD : HOOK_NO_SRC;
	M_R = SC_OK;
	if (M_HOOK == HOOK_AUG) {
		VMM_SC(c, .site = TDXSIM_SITE_INSTALL, .leafv = LEAFV(LF_MEM_PAGE_AUG, 0), FOR_VM(M_VM),
		       .rcx = M_GPA, .rdx = kvm_hpa(c, KVM(c, M_VM)->tdr),
		       .r8 = kvm_hpa(c, leaf_of(c)->gmem));
		M_R = (uint64_t)c->fr->ret;
	} else if (M_HOOK == HOOK_PAGE_ADD) {
		VMM_SC(c, .site = TDXSIM_SITE_BUILD, .leafv = LEAFV(LF_MEM_PAGE_ADD, 0), FOR_VM(M_VM),
		       .rcx = M_GPA, .rdx = kvm_hpa(c, KVM(c, M_VM)->tdr),
		       .r8 = kvm_hpa(c, leaf_of(c)->gmem), .r9 = VMM_SOURCE_PA);
		M_R = (uint64_t)c->fr->ret;
	} else if (M_HOOK == HOOK_NO_SRC) {
		/* tdx_mem_page_add: KVM_BUG_ON(!kvm_tdx->page_add_src) */
		FLOW_CALL(c, VF_VM_BUG, M_VM, LF_MEM_PAGE_ADD, 0, 0);
		M_R = SC_BUG;
	}
	/* Write the new SPTE, or the old one back. */
	FLOW_SHARED(c);
	lf = leaf_of(c);
	lf->frozen_by = 0;
	if (M_R == SC_OK) {
		if (M_HOOK == HOOK_PREMAP) {
			lf->state = MS_PREMAPPED;
			KVM(c, M_VM)->nr_premapped++;
		} else {
			lf->state = MS_PRESENT;
		}
		M_R = RET_PF_FIXED;
	} else {
		lf->state = MS_NONE;
		M_R = (M_HOOK == HOOK_PAGE_ADD && (int64_t)M_R == -VMM_EBUSY) ? RET_PF_RETRY_ADD_EBUSY
									     : RET_PF_RETRY;
	}
unlock:
	VMM_UNLOCK(c, &KVM(c, M_VM)->mmu_lock, VL_READ);
	FLOW_RETURN(c, (int64_t)M_R);
	FLOW_END(c);
}

/*
 * kvm_tdp_map_page(): the in-kernel fault loop of KVM_TDX_INIT_MEM_REGION (6.16) and
 * KVM_PRE_FAULT_MEMORY: while the fault returns RET_PF_RETRY: -EINTR on a signal,
 * -EIO on KVM_REQ_VM_DEAD, cond_resched.  No cap.  FIXED/SPURIOUS -> 0, other
 * results -> -EIO, errors as they are.  In 6.19 the build-time PAGE.ADD's -EBUSY
 * goes to userspace (§1.2).  l0 = vm, l1 = gpa, l2 = mode, l3 = vcpu.
 */
#define T_VM c->fr->l[0]
#define T_GPA c->fr->l[1]
#define T_MODE c->fr->l[2]
#define T_VCPU c->fr->l[3]
#define T_R c->fr->l[4]

enum flow_ret vmm_flow_tdp_map_loop(struct flow_ctx *c)
{
	struct kvm_vcpu *v;
	FLOW_BEGIN(c);
again:
	FLOW_SHARED(c);
	v = VCPU(c, T_VM, T_VCPU);
	if (v->requests & KVM_REQ_VM_DEAD) {
		v->requests &= ~KVM_REQ_VM_DEAD;
		FLOW_RETURN(c, -VMM_EIO);
	}
	FLOW_CALL(c, VF_TDP_MAP, T_VM, T_GPA, T_MODE, T_VCPU);
	T_R = (uint64_t)c->fr->ret;
	if (T_R == RET_PF_RETRY_ADD_EBUSY)
		FLOW_RETURN(c, -VMM_EBUSY);
	if (T_R == RET_PF_RETRY)
		goto again;
	if ((int64_t)T_R < 0)
		FLOW_RETURN(c, (int64_t)T_R);
	FLOW_RETURN(c, T_R == RET_PF_FIXED || T_R == RET_PF_SPURIOUS ? 0 : -VMM_EIO);
	FLOW_END(c);
}
