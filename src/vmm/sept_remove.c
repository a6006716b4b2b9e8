/* SPDX-License-Identifier: MIT */
/*
 * The page-removal path (linux-kvm-tdx.md §3), always under mmu_lock held for write:
 * the TDP MMU clears the mirror SPTE and calls the remove hook for the private leaf.
 *
 * 6.16-6.18 tdx_sept_remove_private_spte -> tdx_sept_zap_private_spte -> tdx_track ->
 * tdx_sept_drop_private_spte:
 *   KVM_BUG_ON(!hkid assigned) -> -EINVAL
 *   BLOCK  (kick+retry-once on BUSY, via the policy); before finalize, an
 *          EPT_ENTRY_STATE_INCORRECT|RCX result on a "premapped" leaf (no PAGE.ADD
 *          happened, RCX = the entry, not a present leaf) -> nr_premapped--, done
 *   TRACK  tdx_track(): only when the TD is RUNNABLE; kick+retry-once; BUG on a
 *          failure; then always kvm_make_all_cpus_request(OUTSIDE_GUEST_MODE)
 *   REMOVE kick+retry-once
 *   WBINVD TDH.PHYMEM.PAGE.WBINVD of the page with the TD's HKID
 *   clear  tdx_clear_page (no SEAMCALL)
 *   The hook returns int and the TDP MMU does KVM_BUG_ON(ret).
 * 6.19+ tdx_sept_remove_private_spte (void): the same sequence through
 * tdh_do_no_vcpus(), no premap case, each failure TDX_BUG_ON and the flow ends.
 *
 * The kick+retry-once itself is the policy's KICK_RETRY action (seamcall.c); with
 * policy.kick_before_block (eagain-kick-first) the flow raises wait_for_sept_zap and
 * kicks every vCPU before BLOCK and lowers the flag once REMOVE is done.
 *
 * wait_for_sept_zap is a nesting count in the model (KVM: a bool written by
 * tdh_do_no_vcpus): kick_before_block's flag and a KICK_RETRY inside it nest, where
 * a bool would be cleared by the inner one.  Without nesting the two are the same.
 *
 * A leaf whose removal failed keeps its guest_memfd page as leaked (it may still be
 * mapped in the S-EPT).
 */
#include <string.h>

#include "vmm/kvm.h"

/* ---- tdx_track ----------------------------------------------------------------------- */

#define TK_VM c->fr->l[0]

enum flow_ret vmm_flow_track(struct flow_ctx *c)
{
	FLOW_BEGIN(c);
	FLOW_SHARED(c);
	if (KVM(c, TK_VM)->td_state != TD_STATE_RUNNABLE)
		FLOW_RETURN(c, 0); /* "If TD isn't finalized, it's before any vcpu running." */
	VMM_SC(c, .site = TDXSIM_SITE_REMOVE, .leafv = LEAFV(LF_MEM_TRACK, 0), FOR_VM(TK_VM),
	       .rcx = kvm_hpa(c, KVM(c, TK_VM)->tdr));
	if (c->fr->ret != SC_OK && c->fr->ret != SC_BUG)
		FLOW_CALL(c, VF_VM_BUG, TK_VM, LF_MEM_TRACK, c->s->host.regs.r[OPERAND_ID_RAX], 0);
	/* §3 step 3: after TRACK, whatever its result, kick every vCPU out. */
	FLOW_CALL(c, VF_KICK, TK_VM, 0, 0, 0);
	FLOW_RETURN(c, 0);
	FLOW_END(c);
}

/* ---- one private leaf ------------------------------------------------------------------ */

#define X_VM c->fr->l[0]
#define X_GPA c->fr->l[1]
#define X_OLD c->fr->l[2]     /* mirror state before the zap (MS_PRESENT / MS_PREMAPPED) */
#define X_R c->fr->l[3]
#define X_KICKED c->fr->l[4]
#define X_HKID c->fr->l[5]
#define X_PAGE c->fr->l[6]    /* gmem frame + 1 */
#define X_LEAF c->fr->l[7]    /* failing leaf, for the bug report */

static struct kvm_leaf *x_leaf(struct flow_ctx *c)
{
	return kvm_leaf_at(c->vmm, (unsigned)X_VM, (unsigned)kvm_gpa_page(c->vmm, X_GPA));
}

/* An "after the second try" failure of a no-fail call: KVM_BUG_ON/TDX_BUG_ON (a
 * no-op if the helper already bugged the VM). */
#define FAIL_IF_NOT_OK(c, leaf)                                                        \
	do {                                                                           \
		if ((c)->fr->ret != SC_OK) {                                           \
			X_LEAF = (leaf);                                               \
			goto fail;                                                     \
		}                                                                      \
	} while (0)

enum flow_ret vmm_flow_remove_leaf(struct flow_ctx *c)
{
	struct kvm_vm *v;
	uint64_t entry;
	FLOW_BEGIN(c);
	vmm_emit(c, VMM_EV_FLOW_BEGIN, VMM_FK_REMOVAL, X_GPA, X_VM);
	FLOW_SHARED(c);
	v = KVM(c, X_VM);
	X_PAGE = x_leaf(c)->gmem;
	if (!v->hkid) {
		/* "HKID is released after all private pages have been removed" */
		FLOW_CALL(c, VF_VM_BUG, X_VM, VMM_LEAF_NONE, 0, 0);
		X_R = (uint64_t)-VMM_EINVAL;
		goto out;
	}
	X_HKID = v->hkid - 1;
	if (KG(c)->policy.kick_before_block) {
		/* eagain-kick-first: kick before BLOCK, no TD entry until REMOVE is done. */
		FLOW_SHARED(c);
		KVM(c, X_VM)->wait_for_sept_zap++;
		X_KICKED = 1;
		FLOW_CALL(c, VF_KICK, X_VM, 0, 0, 0);
	}
	/* BLOCK */
	VMM_SC(c, .site = TDXSIM_SITE_REMOVE, .leafv = LEAFV(LF_MEM_RANGE_BLOCK, 0), FOR_VM(X_VM),
	       .rcx = X_GPA | SEPT_LVL_PT, .rdx = kvm_hpa(c, KVM(c, X_VM)->tdr),
	       .accept = (kvm_is_616(c) && KVM(c, X_VM)->td_state != TD_STATE_RUNNABLE) ? ACC_PREMAP : 0);
	if (c->fr->ret == SC_ACCEPTED) {
		/* tdx_is_sept_zap_err_due_to_premap: the returned entry is not a present leaf. */
		entry = c->s->host.regs.r[OPERAND_ID_RCX];
		if ((entry & SEPT_RWX) && (entry & SEPT_PS)) {
			X_LEAF = LF_MEM_RANGE_BLOCK;
			goto fail;
		}
		FLOW_SHARED(c);
		v = KVM(c, X_VM);
		if (v->nr_premapped <= 0) {
			X_LEAF = LF_MEM_RANGE_BLOCK; /* KVM_BUG_ON(!nr_premapped) */
			goto fail;
		}
		v->nr_premapped--;
		X_R = 0;
		goto out;
	}
	FAIL_IF_NOT_OK(c, LF_MEM_RANGE_BLOCK);
	/* TRACK + kick */
	FLOW_CALL(c, VF_TRACK, X_VM, 0, 0, 0);
	/* REMOVE */
	VMM_SC(c, .site = TDXSIM_SITE_REMOVE, .leafv = LEAFV(LF_MEM_PAGE_REMOVE, 0), FOR_VM(X_VM),
	       .rcx = X_GPA | SEPT_LVL_PT, .rdx = kvm_hpa(c, KVM(c, X_VM)->tdr));
	FAIL_IF_NOT_OK(c, LF_MEM_PAGE_REMOVE);
	if (X_KICKED) {
		FLOW_SHARED(c);
		KVM(c, X_VM)->wait_for_sept_zap--;
		X_KICKED = 0;
	}
	/* WBINVD with the TD's HKID */
	VMM_SC(c, .site = TDXSIM_SITE_REMOVE, .leafv = LEAFV(LF_PHYMEM_PAGE_WBINVD, 0), FOR_VM(X_VM),
	       .rcx = kvm_keyed(c, (unsigned)X_HKID, kvm_hpa(c, (uint32_t)X_PAGE)));
	FAIL_IF_NOT_OK(c, LF_PHYMEM_PAGE_WBINVD);
	/* tdx_clear_page / tdx_quirk_reset_paddr: no SEAMCALL. */
	X_R = 0;
	goto out;
fail:
	FLOW_CALL(c, VF_VM_BUG, X_VM, X_LEAF, c->s->host.regs.r[OPERAND_ID_RAX], 0);
	FLOW_SHARED(c);
	x_leaf(c)->leaked = 1;
	X_R = (uint64_t)-VMM_EIO;
out:
	if (X_KICKED) {
		FLOW_SHARED(c);
		KVM(c, X_VM)->wait_for_sept_zap--;
		X_KICKED = 0;
	}
	vmm_emit(c, VMM_EV_FLOW_END, VMM_FK_REMOVAL, X_R, X_VM);
	FLOW_RETURN(c, (int64_t)X_R);
	FLOW_END(c);
}

/* ---- zapping a GPA range (tdp_mmu_zap_leafs on the mirror root) ------------------------- */

#define Z_VM c->fr->l[0]
#define Z_GPA c->fr->l[1]
#define Z_N c->fr->l[2]
#define Z_I c->fr->l[3]
#define Z_OLD c->fr->l[4]

/* Caller holds mmu_lock for write.  Each present private leaf: the mirror SPTE is
 * cleared, then the remove hook runs (6.16: the TDP MMU's KVM_BUG_ON(ret)). */
enum flow_ret vmm_flow_zap_gfns(struct flow_ctx *c)
{
	struct kvm_leaf *lf;
	int64_t p;
	FLOW_BEGIN(c);
	for (Z_I = 0; Z_I < Z_N; Z_I++) {
		p = kvm_gpa_page(c->vmm, Z_GPA + Z_I * 4096);
		if (p < 0)
			continue;
		FLOW_SHARED(c);
		lf = kvm_leaf_at(c->vmm, (unsigned)Z_VM, (unsigned)kvm_gpa_page(c->vmm, Z_GPA + Z_I * 4096));
		if (lf->state != MS_PRESENT && lf->state != MS_PREMAPPED)
			continue;
		Z_OLD = lf->state;
		lf->state = MS_NONE;
		FLOW_CALL(c, VF_REMOVE_LEAF, Z_VM, Z_GPA + Z_I * 4096, Z_OLD, 0);
	}
	FLOW_RETURN(c, 0);
	FLOW_END(c);
}

/* ---- VMM_PROG_ZAP_RANGE: guest_memfd PUNCH_HOLE (a conversion to shared does the same) --- */

/*
 * kvm_gmem_punch_hole: kvm_gmem_invalidate_begin (mmu_lock write:
 * kvm_mmu_invalidate_begin + unmap the range -> the removal path), truncate the pages,
 * kvm_gmem_invalidate_end (mmu_lock write: mmu_invalidate_seq++, in_progress--).
 * Faults on the range see the invalidation in between and return RET_PF_RETRY.
 * a0 = vm, a1 = gpa, a2 = pages.  guest_memfd's own invalidate lock is not modelled.
 */
#define ZR_VM c->fr->l[0]
#define ZR_GPA c->fr->l[1]
#define ZR_N c->fr->l[2]
#define ZR_I c->fr->l[3]

enum flow_ret vmm_prog_zap_range(struct flow_ctx *c)
{
	struct kvm_vm *v;
	struct kvm_leaf *lf;
	int64_t p;
	FLOW_BEGIN(c);
	VMM_LOCK(c, &KVM(c, ZR_VM)->mmu_lock, VL_WRITE);
	FLOW_SHARED(c);
	v = KVM(c, ZR_VM);
	if (v->mmu_invalidate_in_progress++ == 0) {
		v->inv_start = ZR_GPA & ~0xFFFull;
		v->inv_end = v->inv_start + ZR_N * 4096;
	} else {
		if ((ZR_GPA & ~0xFFFull) < v->inv_start)
			v->inv_start = ZR_GPA & ~0xFFFull;
		if ((ZR_GPA & ~0xFFFull) + ZR_N * 4096 > v->inv_end)
			v->inv_end = (ZR_GPA & ~0xFFFull) + ZR_N * 4096;
	}
	FLOW_CALL(c, VF_ZAP_GFNS, ZR_VM, ZR_GPA & ~0xFFFull, ZR_N, 0);
	VMM_UNLOCK(c, &KVM(c, ZR_VM)->mmu_lock, VL_WRITE);
	/* Truncate: the guest_memfd pages go back to the allocator (leaked ones stay). */
	for (ZR_I = 0; ZR_I < ZR_N; ZR_I++) {
		p = kvm_gpa_page(c->vmm, (ZR_GPA & ~0xFFFull) + ZR_I * 4096);
		if (p < 0)
			continue;
		FLOW_SHARED(c);
		lf = kvm_leaf_at(c->vmm, (unsigned)ZR_VM, (unsigned)kvm_gpa_page(c->vmm, (ZR_GPA & ~0xFFFull) + ZR_I * 4096));
		if (lf->gmem && !lf->leaked && lf->state == MS_NONE) {
			kvm_frame_free(c->vmm, lf->gmem);
			lf->gmem = 0;
		}
	}
	VMM_LOCK(c, &KVM(c, ZR_VM)->mmu_lock, VL_WRITE);
	FLOW_SHARED(c);
	v = KVM(c, ZR_VM);
	v->mmu_invalidate_seq++;
	if (--v->mmu_invalidate_in_progress == 0)
		v->inv_start = v->inv_end = 0;
	VMM_UNLOCK(c, &KVM(c, ZR_VM)->mmu_lock, VL_WRITE);
	vmm_set_result(c, 0);
	FLOW_RETURN(c, 0);
	FLOW_END(c);
}
