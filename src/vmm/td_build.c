/* SPDX-License-Identifier: MIT */
/*
 * TD build ioctls (linux-kvm-tdx.md §1.2, §0 item 4) and their userspace callers.
 *
 * Locks by version (data/vmm/kvm-6.16.yaml, kvm-6.19.yaml):
 *                          6.16                         6.19+
 *   KVM_TDX_INIT_VM        kvm->lock                    state guard
 *     MNG.CREATE           + cpus_read_lock + tdx_lock  + cpus_read_lock + tdx_lock
 *     MNG.KEY.CONFIG       + cpus_read_lock             + cpus_read_lock
 *   KVM_TDX_INIT_VCPU      vcpu->mutex                  state guard
 *     VP.INIT              (the same)                   + mmu_lock write
 *   KVM_TDX_INIT_MEM_REGION vcpu->mutex + slots_lock    state guard
 *     SEPT.ADD / leaf      + mmu_lock read, frozen SPTE + mmu_lock read, frozen SPTE
 *     PAGE.ADD             outside mmu_lock              in the leaf hook (mmu_lock read)
 *     MR.EXTEND            outside mmu_lock              outside mmu_lock
 *   KVM_TDX_FINALIZE_VM    kvm->lock + slots_lock       state guard
 * The state guard is kvm->lock + every vcpu->mutex + slots_lock (seamcall.c).
 *
 * BUSY on a build SEAMCALL is the policy's business (site BUILD); KVM's rule for
 * ERRNO is "-EBUSY to userspace", and userspace (QEMU) retries an ioctl that failed
 * with -EBUSY or -EAGAIN, at most VMM_USER_RETRIES times (model choice).
 *
 * Programs (argument conventions, docs/vmm-model.md):
 *   TD_CREATE    a0 = vm
 *   VCPU_INIT    a0 = vm, a1 = vcpu
 *   TD_INIT_MEM  a0 = vm | flags << 8 (flag 1: do not measure), a1 = gpa, a2 = pages;
 *                issued on vCPU 0's fd
 *   TD_FINALIZE  a0 = vm
 *   PREFAULT     a0 = vm, a1 = gpa, a2 = pages; KVM_PRE_FAULT_MEMORY on vCPU 0
 */
#include <string.h>

#include "vmm/kvm.h"

static bool retryable(int64_t r)
{
	return r == -VMM_EBUSY || r == -VMM_EAGAIN;
}

/* ---- KVM_TDX_INIT_VM ------------------------------------------------------------------ */

#define P_VM c->fr->l[0]
#define P_A1 c->fr->l[1]
#define P_A2 c->fr->l[2]
#define P_TRY c->fr->l[3]
#define P_R c->fr->l[4]

enum flow_ret vmm_prog_td_create(struct flow_ctx *c)
{
	FLOW_BEGIN(c);
	for (P_TRY = 0;; P_TRY++) {
		FLOW_CALL(c, VF_INIT_VM, P_VM, 0, 0, 0);
		P_R = (uint64_t)c->fr->ret;
		if (!retryable((int64_t)P_R) || P_TRY + 1 >= VMM_USER_RETRIES)
			break;
	}
	vmm_set_result(c, (int64_t)P_R);
	FLOW_RETURN(c, (int64_t)P_R);
	FLOW_END(c);
}

#define I_VM c->fr->l[0]
#define I_R c->fr->l[1]
#define I_I c->fr->l[2]
#define I_LP c->fr->l[3]

static unsigned alloc_hkid(struct kvm_global *g)
{
	/* tdx_guest_keyid_alloc: an IDA over [global + 1, nr - 1], lowest first. */
	for (unsigned h = g->global_keyid + 1; h < g->n_hkids; h++)
		if (!(g->hkid_used[h / 64] & (1ull << (h % 64)))) {
			g->hkid_used[h / 64] |= 1ull << (h % 64);
			return h;
		}
	return 0;
}

static bool all_pkgs_online(struct flow_ctx *c)
{
	for (unsigned p = 0; p < KG(c)->n_pkgs; p++)
		if (kvm_pkg_first_online(c->vmm, p) < 0)
			return false;
	return true;
}

static void free_td_pages(struct flow_ctx *c, unsigned vm)
{
	struct kvm_vm *v = KVM(c, vm);
	kvm_frame_free(c->vmm, v->tdr);
	v->tdr = 0;
	for (unsigned i = 0; i < v->ntdcs; i++) {
		kvm_frame_free(c->vmm, v->tdcs[i]);
		v->tdcs[i] = 0;
	}
	v->ntdcs = 0;
}

static void free_hkid(struct flow_ctx *c, unsigned vm)
{
	struct kvm_global *g = KG(c);
	struct kvm_vm *v = KVM(c, vm);
	if (!v->hkid)
		return;
	unsigned h = v->hkid - 1;
	g->hkid_used[h / 64] &= ~(1ull << (h % 64));
	g->nr_configured_hkid--;
	v->hkid = 0;
}

#define TDR_HPA kvm_hpa(c, KVM(c, I_VM)->tdr)

enum flow_ret vmm_flow_init_vm(struct flow_ctx *c)
{
	struct kvm_vm *v;
	struct kvm_global *g;
	unsigned h;
	FLOW_BEGIN(c);
	/* The push that called this flow is this step's change: end the step before a
	 * lock that may block (a BLOCKED step must change nothing). */
	FLOW_YIELD(c);
	if (kvm_is_616(c))
		VMM_LOCK(c, &KVM(c, I_VM)->kvm_lock, VL_WRITE);
	else
		FLOW_CALL(c, VF_GUARD, I_VM, 1, 0, 0);
	FLOW_SHARED(c);
	g = KG(c);
	v = KVM(c, I_VM);
	if (!g->enable_tdx || v->dead || v->destroying) {
		I_R = (uint64_t)(v->dead || v->destroying ? -VMM_EIO : -VMM_EINVAL);
		goto unlock;
	}
	if (v->td_state != TD_STATE_UNINITIALIZED || v->create_failed) {
		I_R = (uint64_t)-VMM_EINVAL;
		goto unlock;
	}
	h = alloc_hkid(g);
	if (!h) {
		I_R = (uint64_t)-VMM_ENOSPC;
		goto unlock;
	}
	v->hkid = h + 1;
	g->nr_configured_hkid++;
	/* The TDR and TDCS pages. */
	FLOW_SHARED(c);
	v = KVM(c, I_VM);
	v->tdr = kvm_frame_alloc(c->vmm);
	v->ntdcs = KG(c)->tdcs_nr_pages;
	for (unsigned i = 0; i < v->ntdcs; i++)
		v->tdcs[i] = kvm_frame_alloc(c->vmm);
	if (!v->tdr || !v->tdcs[v->ntdcs - 1]) {
		free_td_pages(c, (unsigned)I_VM);
		free_hkid(c, (unsigned)I_VM);
		I_R = (uint64_t)-VMM_ENOMEM;
		goto unlock;
	}
	VMM_LOCK(c, &KG(c)->cpus_lock, VL_READ);
	FLOW_SHARED(c);
	if (!all_pkgs_online(c)) {
		/* "All packages need to have online CPU to create TD" */
		I_R = (uint64_t)-VMM_EIO;
		goto free_cpus;
	}
	VMM_LOCK(c, &KG(c)->tdx_lock, VL_WRITE);
	VMM_SC(c, .site = TDXSIM_SITE_BUILD, .leafv = LEAFV(LF_MNG_CREATE, 0), FOR_VM(I_VM),
	       .rcx = TDR_HPA, .rdx = kvm_hkid(c->vmm, (unsigned)I_VM));
	I_R = (uint64_t)c->fr->ret;
	VMM_UNLOCK(c, &KG(c)->tdx_lock, VL_WRITE);
	if (I_R != SC_OK) {
		/* TDX_RND_NO_ENTROPY left after sc_retry -> -EAGAIN (policy ERRNO); any other
		 * failure -EIO.  Either way nothing reached the module: free_packages. */
		I_R = (uint64_t)((int64_t)I_R < 0 ? (int64_t)I_R : -VMM_EIO);
		goto free_cpus;
	}
	/* TDH.MNG.KEY.CONFIG on the first online CPU of each package, one after another. */
	for (I_I = 0; I_I < KG(c)->n_pkgs; I_I++) {
		I_LP = (uint64_t)kvm_pkg_first_online(c->vmm, (unsigned)I_I);
		VMM_SC(c, .site = TDXSIM_SITE_BUILD, .leafv = LEAFV(LF_MNG_KEY_CONFIG, 0), FOR_VM(I_VM),
		       ON_LP(I_LP), .rcx = TDR_HPA);
		if (c->fr->ret != SC_OK) {
			I_R = (uint64_t)(c->fr->ret < 0 ? c->fr->ret : -VMM_EIO);
			break;
		}
	}
	VMM_UNLOCK(c, &KG(c)->cpus_lock, VL_READ);
	if (I_R != SC_OK)
		goto failed;
	for (I_I = 0; I_I < KVM(c, I_VM)->ntdcs; I_I++) {
		VMM_SC(c, .site = TDXSIM_SITE_BUILD, .leafv = LEAFV(LF_MNG_ADDCX, 0), FOR_VM(I_VM),
		       .rcx = kvm_hpa(c, KVM(c, I_VM)->tdcs[I_I]), .rdx = TDR_HPA);
		if (c->fr->ret != SC_OK) {
			/* RND_NO_ENTROPY: "hard to allow userspace to retry" -> -EAGAIN */
			I_R = (uint64_t)(c->fr->ret < 0 ? c->fr->ret : -VMM_EIO);
			goto failed;
		}
	}
	VMM_SC(c, .site = TDXSIM_SITE_BUILD, .leafv = LEAFV(LF_MNG_INIT, 0), FOR_VM(I_VM),
	       .rcx = TDR_HPA, .rdx = VMM_TD_PARAMS_PA, .r8 = KG(c)->n_vcpus);
	if (c->fr->ret != SC_OK) {
		/* TDX_OPERAND_INVALID class -> -EINVAL with hw_error, no BUG (policy ERRNO) */
		I_R = (uint64_t)(c->fr->ret < 0 ? c->fr->ret : -VMM_EIO);
		goto failed;
	}
	if (KG(c)->hp_timeout_us) {
		/* vmm_config.hp_timeout_us: TDCS hp_lock_timeout (TDH.MNG.WR, µs). */
		VMM_SC(c, .site = TDXSIM_SITE_BUILD, .leafv = LEAFV(LF_MNG_WR, 0), FOR_VM(I_VM),
		       .rcx = TDR_HPA, .rdx = VMM_TDCS_HP_LOCK_TIMEOUT_FIELD, .r8 = KG(c)->hp_timeout_us,
		       .r9 = ~0ull);
		if (c->fr->ret != SC_OK) {
			I_R = (uint64_t)(c->fr->ret < 0 ? c->fr->ret : -VMM_EIO);
			goto failed;
		}
	}
	FLOW_SHARED(c);
	KVM(c, I_VM)->td_state = TD_STATE_INITIALIZED;
	I_R = 0;
	goto unlock;
free_cpus:
	VMM_UNLOCK(c, &KG(c)->cpus_lock, VL_READ);
	/* Nothing reached the module: free the pages and the HKID (free_packages). */
	FLOW_SHARED(c);
	free_td_pages(c, (unsigned)I_VM);
	free_hkid(c, (unsigned)I_VM);
	goto unlock;
failed:
	/* After TDH.MNG.CREATE KVM tears down (tdx_mmu_release_hkid + reclaim); the model
	 * leaves that to VM destruction (TD_TEARDOWN) and refuses a retry. */
	FLOW_SHARED(c);
	KVM(c, I_VM)->create_failed = 1;
unlock:
	if (kvm_is_616(c))
		VMM_UNLOCK(c, &KVM(c, I_VM)->kvm_lock, VL_WRITE);
	else
		FLOW_CALL(c, VF_GUARD, I_VM, 0, 0, 0);
	FLOW_RETURN(c, (int64_t)I_R);
	FLOW_END(c);
}

/* ---- KVM_TDX_INIT_VCPU ---------------------------------------------------------------------- */

enum flow_ret vmm_prog_vcpu_init(struct flow_ctx *c)
{
	FLOW_BEGIN(c);
	for (P_TRY = 0;; P_TRY++) {
		FLOW_CALL(c, VF_INIT_VCPU, P_VM, P_A1, 0, 0);
		P_R = (uint64_t)c->fr->ret;
		if (!retryable((int64_t)P_R) || P_TRY + 1 >= VMM_USER_RETRIES)
			break;
	}
	vmm_set_result(c, (int64_t)P_R);
	FLOW_RETURN(c, (int64_t)P_R);
	FLOW_END(c);
}

#define U_VM c->fr->l[0]
#define U_VCPU c->fr->l[1]
#define U_R c->fr->l[2]
#define U_I c->fr->l[3]

#define UV (VCPU(c, U_VM, U_VCPU))

enum flow_ret vmm_flow_init_vcpu(struct flow_ctx *c)
{
	struct kvm_vcpu *v;
	FLOW_BEGIN(c);
	/* The push that called this flow is this step's change: end the step before a
	 * lock that may block (a BLOCKED step must change nothing). */
	FLOW_YIELD(c);
	if (U_VM >= KG(c)->n_vms || U_VCPU >= KG(c)->n_vcpus)
		FLOW_RETURN(c, -VMM_EINVAL);
	if (kvm_is_616(c))
		VMM_LOCK(c, &UV->mutex, VL_WRITE); /* a vCPU ioctl */
	else
		FLOW_CALL(c, VF_GUARD, U_VM, 1, 0, 0);
	/* vcpu_load on this CPU; the TD state is read without kvm->lock in 6.16. */
	FLOW_SHARED(c);
	v = UV;
	if (KVM(c, U_VM)->dead) {
		U_R = (uint64_t)-VMM_EIO;
		goto unlock;
	}
	if (KVM(c, U_VM)->td_state != TD_STATE_INITIALIZED || v->initialized || v->created) {
		U_R = (uint64_t)-VMM_EINVAL;
		goto unlock;
	}
	v->cpu = (int32_t)c->lp;
	v->tdvpr = kvm_frame_alloc(c->vmm);
	v->ntdvpx = KG(c)->tdvps_nr_pages - 1;
	for (unsigned i = 0; i < v->ntdvpx; i++)
		v->tdvpx[i] = kvm_frame_alloc(c->vmm);
	if (!v->tdvpr || (v->ntdvpx && !v->tdvpx[v->ntdvpx - 1])) {
		kvm_frame_free(c->vmm, v->tdvpr);
		v->tdvpr = 0;
		for (unsigned i = 0; i < v->ntdvpx; i++) {
			kvm_frame_free(c->vmm, v->tdvpx[i]);
			v->tdvpx[i] = 0;
		}
		v->ntdvpx = 0;
		U_R = (uint64_t)-VMM_ENOMEM;
		goto unlock;
	}
	VMM_SC(c, .site = TDXSIM_SITE_BUILD, .leafv = LEAFV(LF_VP_CREATE, 0), FOR_VM(U_VM),
	       .rcx = kvm_hpa(c, UV->tdvpr), .rdx = kvm_hpa(c, KVM(c, U_VM)->tdr));
	if (c->fr->ret != SC_OK)
		goto failed;
	FLOW_SHARED(c);
	UV->created = 1;
	for (U_I = 0; U_I < UV->ntdvpx; U_I++) {
		VMM_SC(c, .site = TDXSIM_SITE_BUILD, .leafv = LEAFV(LF_VP_ADDCX, 0), FOR_VM(U_VM),
		       .rcx = kvm_hpa(c, UV->tdvpx[U_I]), .rdx = kvm_hpa(c, UV->tdvpr));
		if (c->fr->ret != SC_OK)
			goto failed;
	}
	/* 6.19: "KVM: TDX: Take MMU lock around tdh_vp_init()" -- VP.INIT may take the TDR
	 * exclusively, which no-fail MMU paths (TDR shared) must not meet. */
	if (!kvm_is_616(c))
		VMM_LOCK(c, &KVM(c, U_VM)->mmu_lock, VL_WRITE);
	/* Version 1: the x2APIC ID (= vCPU index) in R8 (§4). */
	VMM_SC(c, .site = TDXSIM_SITE_BUILD, .leafv = LEAFV(LF_VP_INIT, 1), FOR_VM(U_VM),
	       .rcx = kvm_hpa(c, UV->tdvpr), .rdx = 0, .r8 = U_VCPU);
	U_R = (uint64_t)c->fr->ret;
	if (!kvm_is_616(c))
		VMM_UNLOCK(c, &KVM(c, U_VM)->mmu_lock, VL_WRITE);
	if (U_R != SC_OK)
		goto failed;
	FLOW_SHARED(c);
	UV->initialized = 1;
	U_R = 0;
	goto unlock;
failed:
	/* VP.* failures are KVM_BUG_ON (the helper bugged the VM for BUG); the pages stay
	 * for VM destruction. */
	U_R = (uint64_t)(c->fr->ret < 0 ? c->fr->ret : -VMM_EIO);
unlock:
	if (kvm_is_616(c))
		VMM_UNLOCK(c, &UV->mutex, VL_WRITE);
	else
		FLOW_CALL(c, VF_GUARD, U_VM, 0, 0, 0);
	FLOW_RETURN(c, (int64_t)U_R);
	FLOW_END(c);
}

/* ---- KVM_TDX_INIT_MEM_REGION ------------------------------------------------------------------ */

#define INIT_MEM_NO_MEASURE 1u

/* Userspace: retries the remaining pages after -EBUSY/-EAGAIN.  l1 = gpa, l2 = pages. */
#define P_DONE c->fr->l[5]

enum flow_ret vmm_prog_td_init_mem(struct flow_ctx *c)
{
	FLOW_BEGIN(c);
	P_DONE = 0;
	for (P_TRY = 0;; P_TRY++) {
		FLOW_CALL(c, VF_INIT_MEM, P_VM, P_A1 + P_DONE * 4096, P_A2 - P_DONE, 0);
		P_R = (uint64_t)c->fr->ret;
		/* ret >= 0: pages done (region.nr_pages is updated in place for userspace). */
		if ((int64_t)P_R >= 0) {
			P_DONE += P_R;
			if (P_DONE >= P_A2) {
				P_R = 0;
				break;
			}
			continue;
		}
		if (!retryable((int64_t)P_R) || P_TRY + 1 >= VMM_USER_RETRIES)
			break;
	}
	vmm_set_result(c, (int64_t)P_R);
	FLOW_RETURN(c, (int64_t)P_R);
	FLOW_END(c);
}

#define N_VM c->fr->l[0]      /* vm | flags << 8 */
#define N_GPA c->fr->l[1]
#define N_PAGES c->fr->l[2]
#define N_I c->fr->l[3]
#define N_R c->fr->l[4]
#define N_J c->fr->l[5]
#define N_VMI (N_VM & 0xFF)
#define N_CUR (N_GPA + N_I * 4096)

/* Returns the number of pages populated, or -errno if none was. */
enum flow_ret vmm_flow_init_mem(struct flow_ctx *c)
{
	struct kvm_vm *v;
	FLOW_BEGIN(c);
	/* The push that called this flow is this step's change: end the step before a
	 * lock that may block (a BLOCKED step must change nothing). */
	FLOW_YIELD(c);
	if (N_VMI >= KG(c)->n_vms)
		FLOW_RETURN(c, -VMM_EINVAL);
	if (kvm_is_616(c)) {
		VMM_LOCK(c, &VCPU(c, N_VMI, 0)->mutex, VL_WRITE); /* a vCPU ioctl */
		VMM_LOCK(c, &KVM(c, N_VMI)->slots_lock, VL_WRITE);
	} else {
		FLOW_CALL(c, VF_GUARD, N_VMI, 1, 0, 0);
	}
	FLOW_SHARED(c);
	v = KVM(c, N_VMI);
	if (v->dead || v->td_state != TD_STATE_INITIALIZED) {
		N_R = (uint64_t)(v->dead ? -VMM_EIO : -VMM_EINVAL);
		goto unlock;
	}
	if (!kvm_is_616(c))
		v->page_add_src = 1; /* kvm_tdx->page_add_src */
	N_R = 0;
	for (N_I = 0; N_I < N_PAGES; N_I++) {
		/* kvm_gmem_populate -> tdx_gmem_post_populate (6.16) /
		 * kvm_tdp_mmu_map_private_pfn (6.19): map the GPA in the mirror EPT. */
		FLOW_CALL(c, VF_TDP_MAP_LOOP, N_VMI, N_CUR, 1, 0);
		if (c->fr->ret != 0) {
			N_R = (uint64_t)c->fr->ret;
			break;
		}
		if (kvm_is_616(c)) {
			/* 6.16: PAGE.ADD after kvm_tdp_map_page, outside mmu_lock. */
			VMM_SC(c, .site = TDXSIM_SITE_BUILD, .leafv = LEAFV(LF_MEM_PAGE_ADD, 0),
			       FOR_VM(N_VMI), .rcx = N_CUR, .rdx = kvm_hpa(c, KVM(c, N_VMI)->tdr),
			       .r8 = kvm_hpa(c, kvm_leaf_at(c->vmm, (unsigned)N_VMI,
							   (unsigned)kvm_gpa_page(c->vmm, N_CUR))->gmem),
			       .r9 = VMM_SOURCE_PA);
			if (c->fr->ret != SC_OK) {
				/* BUSY -> -EBUSY (policy ERRNO); other errors -EIO without BUG. */
				N_R = (uint64_t)(c->fr->ret < 0 ? c->fr->ret : -VMM_EIO);
				break;
			}
			FLOW_SHARED(c);
			v = KVM(c, N_VMI);
			if (v->nr_premapped > 0) /* !KVM_BUG_ON(!nr_premapped) */
				v->nr_premapped--;
			kvm_leaf_at(c->vmm, (unsigned)N_VMI, (unsigned)kvm_gpa_page(c->vmm, N_CUR))->state = MS_PRESENT;
		}
		if (!((N_VM >> 8) & INIT_MEM_NO_MEASURE)) {
			for (N_J = 0; N_J < 4096 / TDX_EXTENDMR_CHUNKSIZE; N_J++) {
				VMM_SC(c, .site = TDXSIM_SITE_BUILD, .leafv = LEAFV(LF_MR_EXTEND, 0),
				       FOR_VM(N_VMI), .rcx = N_CUR + N_J * TDX_EXTENDMR_CHUNKSIZE,
				       .rdx = kvm_hpa(c, KVM(c, N_VMI)->tdr));
				if (c->fr->ret != SC_OK)
					break;
			}
			if (c->fr->ret != SC_OK) {
				N_R = (uint64_t)(c->fr->ret < 0 ? c->fr->ret : -VMM_EIO);
				break;
			}
		}
	}
	if (!kvm_is_616(c)) {
		FLOW_SHARED(c);
		KVM(c, N_VMI)->page_add_src = 0;
	}
	/* Partial progress is reported as a count; userspace retries the rest. */
	if (N_I > 0)
		N_R = N_I;
unlock:
	if (kvm_is_616(c)) {
		VMM_UNLOCK(c, &KVM(c, N_VMI)->slots_lock, VL_WRITE);
		VMM_UNLOCK(c, &VCPU(c, N_VMI, 0)->mutex, VL_WRITE);
	} else {
		FLOW_CALL(c, VF_GUARD, N_VMI, 0, 0, 0);
	}
	FLOW_RETURN(c, (int64_t)N_R);
	FLOW_END(c);
}

/* ---- KVM_TDX_FINALIZE_VM ------------------------------------------------------------------------ */

enum flow_ret vmm_prog_td_finalize(struct flow_ctx *c)
{
	FLOW_BEGIN(c);
	for (P_TRY = 0;; P_TRY++) {
		FLOW_CALL(c, VF_FINALIZE, P_VM, 0, 0, 0);
		P_R = (uint64_t)c->fr->ret;
		if (!retryable((int64_t)P_R) || P_TRY + 1 >= VMM_USER_RETRIES)
			break;
	}
	vmm_set_result(c, (int64_t)P_R);
	FLOW_RETURN(c, (int64_t)P_R);
	FLOW_END(c);
}

#define F_VM c->fr->l[0]
#define F_R c->fr->l[1]

enum flow_ret vmm_flow_finalize(struct flow_ctx *c)
{
	struct kvm_vm *v;
	FLOW_BEGIN(c);
	/* The push that called this flow is this step's change: end the step before a
	 * lock that may block (a BLOCKED step must change nothing). */
	FLOW_YIELD(c);
	if (kvm_is_616(c)) {
		VMM_LOCK(c, &KVM(c, F_VM)->kvm_lock, VL_WRITE);
		VMM_LOCK(c, &KVM(c, F_VM)->slots_lock, VL_WRITE);
	} else {
		FLOW_CALL(c, VF_GUARD, F_VM, 1, 0, 0);
	}
	FLOW_SHARED(c);
	v = KVM(c, F_VM);
	if (v->dead) {
		F_R = (uint64_t)-VMM_EIO;
		goto unlock;
	}
	if (!v->hkid || v->td_state != TD_STATE_INITIALIZED) {
		F_R = (uint64_t)-VMM_EINVAL;
		goto unlock;
	}
	if (kvm_is_616(c) && v->nr_premapped) {
		/* Pages are pending for KVM_TDX_INIT_MEM_REGION to issue PAGE.ADD. */
		F_R = (uint64_t)-VMM_EINVAL;
		goto unlock;
	}
	VMM_SC(c, .site = TDXSIM_SITE_BUILD, .leafv = LEAFV(LF_MR_FINALIZE, 0), FOR_VM(F_VM),
	       .rcx = kvm_hpa(c, KVM(c, F_VM)->tdr));
	if (c->fr->ret != SC_OK) {
		F_R = (uint64_t)(c->fr->ret < 0 ? c->fr->ret : -VMM_EIO);
		goto unlock;
	}
	FLOW_SHARED(c);
	KVM(c, F_VM)->td_state = TD_STATE_RUNNABLE;
	F_R = 0;
unlock:
	if (kvm_is_616(c)) {
		VMM_UNLOCK(c, &KVM(c, F_VM)->slots_lock, VL_WRITE);
		VMM_UNLOCK(c, &KVM(c, F_VM)->kvm_lock, VL_WRITE);
	} else {
		FLOW_CALL(c, VF_GUARD, F_VM, 0, 0, 0);
	}
	FLOW_RETURN(c, (int64_t)F_R);
	FLOW_END(c);
}

/* ---- KVM_PRE_FAULT_MEMORY ------------------------------------------------------------------------ */

#define PF_VM c->fr->l[0]
#define PF_GPA c->fr->l[1]
#define PF_N c->fr->l[2]
#define PF_I c->fr->l[3]
#define PF_R c->fr->l[4]

enum flow_ret vmm_prog_prefault(struct flow_ctx *c)
{
	FLOW_BEGIN(c);
	FLOW_SHARED(c);
	if (KVM(c, PF_VM)->dead || KVM(c, PF_VM)->destroying) {
		vmm_set_result(c, -VMM_EIO); /* kvm_vcpu_ioctl on a dead VM */
		FLOW_RETURN(c, -VMM_EIO);
	}
	VMM_LOCK(c, &VCPU(c, PF_VM, 0)->mutex, VL_WRITE);
	FLOW_SHARED(c);
	kvm_srcu_lock(c, (unsigned)PF_VM);
	PF_R = 0;
	if (KVM(c, PF_VM)->td_state != TD_STATE_RUNNABLE) {
		PF_R = (uint64_t)-VMM_EOPNOTSUPP; /* !kvm->arch.pre_fault_allowed */
	} else {
		for (PF_I = 0; PF_I < PF_N; PF_I++) {
			FLOW_CALL(c, VF_TDP_MAP_LOOP, PF_VM, PF_GPA + PF_I * 4096, 0, 0);
			if (c->fr->ret != 0) {
				PF_R = (uint64_t)c->fr->ret;
				break;
			}
		}
	}
	FLOW_SHARED(c);
	kvm_srcu_unlock(c, (unsigned)PF_VM);
	VMM_UNLOCK(c, &VCPU(c, PF_VM, 0)->mutex, VL_WRITE);
	vmm_set_result(c, (int64_t)PF_R);
	FLOW_RETURN(c, (int64_t)PF_R);
	FLOW_END(c);
}
