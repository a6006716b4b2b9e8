/* SPDX-License-Identifier: MIT */
/*
 * VM destruction (linux-kvm-tdx.md §3 "TD teardown", "Freeing S-EPT page-table
 * pages", §1.2 RECLAIM/WBINVD/CACHE.WB/VPFLUSHDONE/FREEID rows).
 *
 * VMM_PROG_TD_TEARDOWN (a0 = vm), after every vCPU thread has left KVM_RUN:
 *   1. the private leaves are removed while the HKID is still assigned ("HKID is
 *      released after all private pages have been removed"): the removal path under
 *      mmu_lock write (the mmu_notifier release / mirror-root zap; its exact call
 *      chain is not in the reference, CHOICE);
 *   2. kvm_destroy_vm (the vm_destroy thread from here on):
 *      tdx_mmu_release_hkid: cpus_read_lock; TDH.VP.FLUSH of every vCPU on the CPU it
 *        was last loaded on (IPI; TDX_VCPU_NOT_ASSOCIATED ignored, other errors
 *        KVM_BUG_ON); tdx_lock; TDH.MNG.VPFLUSHDONE (TDX_FLUSHVP_NOT_DONE: keep the
 *        HKID, stop; other errors: BUG, HKID leaked); TDH.PHYMEM.CACHE.WB on the
 *        first online CPU of every package, resumed (RCX = 1) while
 *        TDX_INTERRUPTED_RESUMABLE, at most TDX_SEAMCALL_RETRIES calls,
 *        TDX_NO_HKID_READY_TO_WBCACHE counts as success, anything else WARNs; then
 *        TDH.MNG.KEY.FREEID (BUG and HKID leaked on failure) and the HKID is freed;
 *      tdx_vcpu_free: nothing if the HKID is still assigned (pages leaked); else
 *        TDH.PHYMEM.PAGE.RECLAIM of the TDVPX pages and the TDVPR;
 *      tdx_sept_free_private_spt: KVM_BUG_ON if the HKID is assigned; else RECLAIM of
 *        every S-EPT page;
 *      the guest_memfd pages go back (leaked ones stay leaked);
 *      tdx_reclaim_td_control_pages: nothing if the HKID is assigned; else RECLAIM of
 *        the TDCS pages, RECLAIM of the TDR, TDH.PHYMEM.PAGE.WBINVD of the TDR with
 *        the global KeyID, free.
 *   A failed RECLAIM (WARN in 6.16, TDX_BUG_ON_3(..., NULL) in 6.19: no VM to bug)
 *   leaks the page: it is never handed out again.
 * The CACHE.WB calls run one package after another (KVM runs them in parallel by
 * IPI; the module's write-back table is per package, so they cannot meet).
 */
#include <string.h>

#include "vmm/kvm.h"

/* ---- tdx_reclaim_page ------------------------------------------------------------------------ */

#define RC_FRAME c->fr->l[0]

/* Returns 0 if the page may be freed, -EIO if it must be leaked. */
enum flow_ret vmm_flow_reclaim(struct flow_ctx *c)
{
	FLOW_BEGIN(c);
	VMM_SC(c, .site = TDXSIM_SITE_TEARDOWN, .leafv = LEAFV(LF_PHYMEM_PAGE_RECLAIM, 0),
	       .rcx = kvm_hpa(c, (uint32_t)RC_FRAME));
	/* tdx_clear_page on success (no SEAMCALL). */
	FLOW_RETURN(c, c->fr->ret == SC_OK ? 0 : -VMM_EIO);
	FLOW_END(c);
}

/* ---- tdx_flush_vp_on_cpu ------------------------------------------------------------------------ */

#define VF_VMI c->fr->l[0]
#define VF_VCPUI c->fr->l[1]
#define VF_LP c->fr->l[2]

enum flow_ret vmm_flow_vp_flush(struct flow_ctx *c)
{
	struct kvm_vcpu *v;
	FLOW_BEGIN(c);
	FLOW_SHARED(c);
	v = VCPU(c, VF_VMI, VF_VCPUI);
	if (v->cpu < 0)
		FLOW_RETURN(c, 0);
	VF_LP = (uint64_t)v->cpu;
	if (v->created) {
		/* tdx_flush_vp() by IPI on vcpu->cpu; "No need to retry". */
		VMM_SC(c, .site = TDXSIM_SITE_TEARDOWN, .leafv = LEAFV(LF_VP_FLUSH, 0), FOR_VM(VF_VMI),
		       ON_LP(VF_LP), .rcx = kvm_hpa(c, VCPU(c, VF_VMI, VF_VCPUI)->tdvpr));
		/* TDX_VCPU_NOT_ASSOCIATED is ignored (the policy's OK); anything else left is
		 * KVM_BUG_ON(arg.err). */
		if (c->fr->ret != SC_OK && c->fr->ret != SC_BUG)
			FLOW_CALL(c, VF_VM_BUG, VF_VMI, LF_VP_FLUSH, c->s->host.regs.r[OPERAND_ID_RAX], 0);
	}
	FLOW_SHARED(c);
	VCPU(c, VF_VMI, VF_VCPUI)->cpu = -1; /* tdx_disassociate_vp */
	FLOW_RETURN(c, 0);
	FLOW_END(c);
}

/* ---- tdx_mmu_release_hkid --------------------------------------------------------------------------- */

#define RH_VM c->fr->l[0]
#define RH_I c->fr->l[1]
#define RH_LP c->fr->l[2]

#define RH_TDR kvm_hpa(c, KVM(c, RH_VM)->tdr)

enum flow_ret vmm_flow_release_hkid(struct flow_ctx *c)
{
	struct kvm_global *g;
	struct kvm_vm *v;
	unsigned h;
	FLOW_BEGIN(c);
	FLOW_SHARED(c);
	if (!KVM(c, RH_VM)->hkid)
		FLOW_RETURN(c, 0);
	VMM_LOCK(c, &KG(c)->cpus_lock, VL_READ);
	for (RH_I = 0; RH_I < KG(c)->n_vcpus; RH_I++)
		FLOW_CALL(c, VF_VP_FLUSH, RH_VM, RH_I, 0, 0);
	VMM_LOCK(c, &KG(c)->tdx_lock, VL_WRITE);
	VMM_SC(c, .site = TDXSIM_SITE_TEARDOWN, .leafv = LEAFV(LF_MNG_VPFLUSHDONE, 0), FOR_VM(RH_VM),
	       .rcx = RH_TDR);
	/* TDX_FLUSHVP_NOT_DONE: give up, the HKID stays assigned (the policy's ERRNO);
	 * other errors: KVM_BUG_ON, "HKID is leaked" (BUG). */
	if (c->fr->ret != SC_OK)
		goto out;
	for (RH_I = 0; RH_I < KG(c)->n_pkgs; RH_I++) {
		FLOW_SHARED(c);
		RH_LP = (uint64_t)(int64_t)kvm_pkg_first_online(c->vmm, (unsigned)RH_I);
		if ((int64_t)RH_LP < 0)
			continue;
		/* The resume loop (RCX = 1 while TDX_INTERRUPTED_RESUMABLE, at most
		 * TDX_SEAMCALL_RETRIES calls) and NO_HKID_READY_TO_WBCACHE = success are the
		 * policy's RETRY / OK rules; anything else WARNs and FREEID below fails. */
		VMM_SC(c, .site = TDXSIM_SITE_TEARDOWN, .leafv = LEAFV(LF_PHYMEM_CACHE_WB, 0),
		       FOR_VM(RH_VM), ON_LP(RH_LP), .rcx = 0);
	}
	VMM_SC(c, .site = TDXSIM_SITE_TEARDOWN, .leafv = LEAFV(LF_MNG_KEY_FREEID, 0), FOR_VM(RH_VM),
	       .rcx = RH_TDR);
	if (c->fr->ret != SC_OK) {
		if (c->fr->ret != SC_BUG)
			FLOW_CALL(c, VF_VM_BUG, RH_VM, LF_MNG_KEY_FREEID, c->s->host.regs.r[OPERAND_ID_RAX], 0);
		goto out;
	}
	/* tdx_hkid_free */
	FLOW_SHARED(c);
	g = KG(c);
	v = KVM(c, RH_VM);
	h = v->hkid - 1;
	g->hkid_used[h / 64] &= ~(1ull << (h % 64));
	g->nr_configured_hkid--;
	v->hkid = 0;
out:
	VMM_UNLOCK(c, &KG(c)->tdx_lock, VL_WRITE);
	VMM_UNLOCK(c, &KG(c)->cpus_lock, VL_READ);
	FLOW_RETURN(c, 0);
	FLOW_END(c);
}

/* ---- VMM_PROG_TD_TEARDOWN ------------------------------------------------------------------------------ */

#define T_VM c->fr->l[0]
#define T_I c->fr->l[1]
#define T_J c->fr->l[2]
#define T_F c->fr->l[3]

static bool vcpus_out(struct flow_ctx *c)
{
	for (unsigned i = 0; i < KG(c)->n_vcpus; i++) {
		struct kvm_vcpu *v = VCPU(c, T_VM, i);
		if (v->in_run || v->mutex.writer)
			return false;
	}
	return true;
}

/* Free or leak a page after tdx_reclaim_page (c->fr->ret). */
static void reclaimed(struct flow_ctx *c, uint32_t frame1)
{
	if (c->fr->ret == 0)
		kvm_frame_free(c->vmm, frame1);
	else
		kvm_frame_leak(c->vmm, frame1);
}

enum flow_ret vmm_prog_td_teardown(struct flow_ctx *c)
{
	struct kvm_vm *v;
	struct kvm_vcpu *vc;
	struct kvm_link *k;
	struct kvm_leaf *lf;
	FLOW_BEGIN(c);
	/* Userspace closed the vCPU fds: no vCPU thread is inside KVM_RUN. */
	FLOW_WAIT_UNTIL(c, vcpus_out(c));
	v = KVM(c, T_VM);
	if (v->destroying) {
		vmm_set_result(c, -VMM_EINVAL);
		FLOW_RETURN(c, -VMM_EINVAL);
	}
	v->destroying = 1; /* no vCPU ioctl from now on */
	/* 1. Private leaves, with the HKID assigned. */
	VMM_LOCK(c, &KVM(c, T_VM)->mmu_lock, VL_WRITE);
	FLOW_CALL(c, VF_ZAP_GFNS, T_VM, KG(c)->private_base, KG(c)->n_pages, 0);
	VMM_UNLOCK(c, &KVM(c, T_VM)->mmu_lock, VL_WRITE);
	/* 2. kvm_destroy_vm */
	FLOW_SHARED(c);
	KG(c)->actor_destroy[c->actor_id] = (uint8_t)(T_VM + 1);
	FLOW_CALL(c, VF_RELEASE_HKID, T_VM, 0, 0, 0);
	/* tdx_vcpu_free */
	for (T_I = 0; T_I < KG(c)->n_vcpus; T_I++) {
		FLOW_SHARED(c);
		vc = VCPU(c, T_VM, T_I);
		if (!vc->tdvpr)
			continue;
		if (KVM(c, T_VM)->hkid || !vc->created) {
			/* HKID still assigned: "the pages are leaked"; a TDVPR that never
			 * became one (VP.CREATE failed) is plain memory. */
			if (KVM(c, T_VM)->hkid) {
				kvm_frame_leak(c->vmm, vc->tdvpr);
				for (unsigned i = 0; i < vc->ntdvpx; i++)
					kvm_frame_leak(c->vmm, vc->tdvpx[i]);
			} else {
				kvm_frame_free(c->vmm, vc->tdvpr);
				for (unsigned i = 0; i < vc->ntdvpx; i++)
					kvm_frame_free(c->vmm, vc->tdvpx[i]);
			}
			memset(vc->tdvpx, 0, sizeof(vc->tdvpx));
			vc->tdvpr = 0;
			vc->ntdvpx = 0;
			continue;
		}
		for (T_J = 0; T_J < VCPU(c, T_VM, T_I)->ntdvpx; T_J++) {
			T_F = VCPU(c, T_VM, T_I)->tdvpx[T_J];
			FLOW_CALL(c, VF_RECLAIM, T_F, 0, 0, 0);
			FLOW_SHARED(c);
			reclaimed(c, (uint32_t)T_F);
			VCPU(c, T_VM, T_I)->tdvpx[T_J] = 0;
		}
		T_F = VCPU(c, T_VM, T_I)->tdvpr;
		FLOW_CALL(c, VF_RECLAIM, T_F, 0, 0, 0);
		FLOW_SHARED(c);
		reclaimed(c, (uint32_t)T_F);
		vc = VCPU(c, T_VM, T_I);
		vc->tdvpr = 0;
		vc->ntdvpx = 0;
		vc->created = vc->initialized = 0;
	}
	/* tdx_sept_free_private_spt */
	for (T_I = 0; T_I < KG(c)->n_links; T_I++) {
		FLOW_SHARED(c);
		k = kvm_link_at(c->vmm, (unsigned)T_VM, (unsigned)T_I);
		if (k->state != MS_PRESENT)
			continue;
		T_F = k->sept;
		if (KVM(c, T_VM)->hkid) {
			kvm_frame_leak(c->vmm, (uint32_t)T_F);
			memset(k, 0, sizeof(*k));
			FLOW_CALL(c, VF_VM_BUG, T_VM, VMM_LEAF_NONE, 0, 0);
			continue;
		}
		FLOW_CALL(c, VF_RECLAIM, T_F, 0, 0, 0);
		FLOW_SHARED(c);
		reclaimed(c, (uint32_t)T_F);
		memset(kvm_link_at(c->vmm, (unsigned)T_VM, (unsigned)T_I), 0, sizeof(*k));
	}
	/* guest_memfd release */
	for (T_I = 0; T_I < KG(c)->n_pages; T_I++) {
		FLOW_SHARED(c);
		lf = kvm_leaf_at(c->vmm, (unsigned)T_VM, (unsigned)T_I);
		if (!lf->gmem)
			continue;
		if (lf->leaked || KVM(c, T_VM)->hkid)
			kvm_frame_leak(c->vmm, lf->gmem);
		else
			kvm_frame_free(c->vmm, lf->gmem);
		memset(lf, 0, sizeof(*lf));
	}
	/* tdx_reclaim_td_control_pages */
	FLOW_SHARED(c);
	v = KVM(c, T_VM);
	if (v->hkid) {
		kvm_frame_leak(c->vmm, v->tdr);
		for (unsigned i = 0; i < v->ntdcs; i++)
			kvm_frame_leak(c->vmm, v->tdcs[i]);
		goto done;
	}
	for (T_I = 0; T_I < KVM(c, T_VM)->ntdcs; T_I++) {
		T_F = KVM(c, T_VM)->tdcs[T_I];
		if (!T_F)
			continue;
		FLOW_CALL(c, VF_RECLAIM, T_F, 0, 0, 0);
		FLOW_SHARED(c);
		reclaimed(c, (uint32_t)T_F);
		KVM(c, T_VM)->tdcs[T_I] = 0;
	}
	if (KVM(c, T_VM)->tdr) {
		T_F = KVM(c, T_VM)->tdr;
		FLOW_CALL(c, VF_RECLAIM, T_F, 0, 0, 0);
		if (c->fr->ret != 0) {
			FLOW_SHARED(c);
			kvm_frame_leak(c->vmm, (uint32_t)T_F);
			goto done;
		}
		/* TDH.PHYMEM.PAGE.WBINVD of the TDR with the global KeyID. */
		VMM_SC(c, .site = TDXSIM_SITE_TEARDOWN, .leafv = LEAFV(LF_PHYMEM_PAGE_WBINVD, 0),
		       .rcx = kvm_keyed(c, KG(c)->global_keyid, kvm_hpa(c, (uint32_t)T_F)));
		FLOW_SHARED(c);
		if (c->fr->ret == SC_OK)
			kvm_frame_free(c->vmm, (uint32_t)T_F);
		else
			kvm_frame_leak(c->vmm, (uint32_t)T_F); /* "the TDR page is leaked" */
	}
done:
	FLOW_SHARED(c);
	v = KVM(c, T_VM);
	v->td_state = TD_STATE_DESTROYED;
	if (!v->hkid) {
		v->tdr = 0;
		memset(v->tdcs, 0, sizeof(v->tdcs));
		v->ntdcs = 0;
	}
	vmm_set_result(c, 0);
	FLOW_RETURN(c, 0);
	FLOW_END(c);
}
