/* SPDX-License-Identifier: MIT */
/*
 * TDG.VP.VMCALL<MapGPA>, host side (linux-kvm-tdx.md §6.3: tdx_map_gpa,
 * __tdx_map_gpa, tdx_complete_vmcall_map_gpa).  R12 = gpa, R13 = size.
 *
 * Validation (the response then carries R11 = the original gpa):
 *   userspace did not enable the KVM_HC_MAP_GPA_RANGE exit  SUBFUNC_UNSUPPORTED
 *   gpa + size overflows, an illegal GPA, or the range straddles the shared bit
 *                                                           INVALID_OPERAND
 *   gpa or size not 4K aligned                              ALIGN_ERROR
 * Then the range goes to userspace as KVM_EXIT_HYPERCALL(KVM_HC_MAP_GPA_RANGE) in
 * chunks of at most TDX_MAP_GPA_MAX_LEN (2 MiB) from map_gpa_next.  The exit is
 * modelled as an immediate completion (no return to userspace, no memory
 * conversion: scenarios convert with VMM_PROG_ZAP_RANGE actors); userspace's
 * hypercall.ret comes from vmm_vm_set_hypercall_ret().  On completion:
 *   6.16 / 6.19: ret != 0 -> INVALID_OPERAND, R11 = map_gpa_next.
 *   2026 ("Allow userspace to return errors to guest for MAPGPA"): 0 continue,
 *        EAGAIN -> RETRY (R11 = next), EINVAL -> INVALID_OPERAND (R11 = next),
 *        anything else -> -EINVAL from KVM_RUN (the WARN is not modelled).
 *   map_gpa_next += 2 MiB; at or past the end -> SUCCESS;
 *   kvm_vcpu_has_events() (a pending interrupt) -> RETRY with R11 = map_gpa_next,
 *   so that the interrupt is injected promptly; else the next chunk.
 * The status goes to the guest in R10 (and R11) of the next TDH.VP.ENTER.
 * Returns 1 (resume the guest) or -errno.
 */
#include "vmm/kvm.h"

#define G_VM c->fr->l[0]
#define G_VCPU c->fr->l[1]
#define G_GPA c->fr->l[2]
#define G_SIZE c->fr->l[3]
#define G_STATUS c->fr->l[4]
#define G_R11 c->fr->l[5]
#define G_RET c->fr->l[6]

#define GV (VCPU(c, G_VM, G_VCPU))

static bool legal_gpa(uint64_t gpa)
{
	return gpa < (1ull << VMM_GPAW);
}

enum flow_ret vmm_flow_mapgpa(struct flow_ctx *c)
{
	struct kvm_vm *v;
	struct kvm_vcpu *vc;
	int ret;
	FLOW_BEGIN(c);
	vmm_emit(c, VMM_EV_FLOW_BEGIN, VMM_FK_MAPGPA, G_GPA, G_SIZE);
	G_RET = 1;
	FLOW_SHARED(c);
	if (!KVM(c, G_VM)->hc_map_gpa) {
		G_STATUS = TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED;
		G_R11 = G_GPA;
		goto respond;
	}
	if (G_GPA + G_SIZE <= G_GPA || !legal_gpa(G_GPA) || !legal_gpa(G_GPA + G_SIZE - 1) ||
	    ((G_GPA & VMM_SHARED_BIT) != ((G_GPA + G_SIZE - 1) & VMM_SHARED_BIT))) {
		G_STATUS = TDVMCALL_STATUS_INVALID_OPERAND;
		G_R11 = G_GPA;
		goto respond;
	}
	if ((G_GPA & 0xFFF) || (G_SIZE & 0xFFF)) {
		G_STATUS = TDVMCALL_STATUS_ALIGN_ERROR;
		G_R11 = G_GPA;
		goto respond;
	}
	GV->map_gpa_end = G_GPA + G_SIZE;
	GV->map_gpa_next = G_GPA;
	G_STATUS = TDVMCALL_STATUS_SUCCESS;
	G_R11 = 0;
chunk:
	/* __tdx_map_gpa: KVM_EXIT_HYPERCALL for [next, next + min(end - next, 2 MiB)),
	 * completed at once by userspace. */
	FLOW_SHARED(c);
	v = KVM(c, G_VM);
	ret = (v->user_hc_ret_chunk < 0 || (uint32_t)v->user_hc_ret_chunk == v->hc_chunks) ? v->user_hc_ret : 0;
	if (v->user_hc_ret_chunk >= 0 && v->hc_chunks <= (uint32_t)v->user_hc_ret_chunk)
		v->hc_chunks++; /* counted only up to the chunk it is for: a counter is state */
	vc = GV;
	if (ret) {
		if (KG(c)->kernel == VMM_KVM_2026) {
			if (ret == VMM_EAGAIN) {
				G_STATUS = TDVMCALL_STATUS_RETRY;
			} else if (ret == VMM_EINVAL) {
				G_STATUS = TDVMCALL_STATUS_INVALID_OPERAND;
			} else {
				G_RET = (uint64_t)-VMM_EINVAL;
				goto out;
			}
		} else {
			G_STATUS = TDVMCALL_STATUS_INVALID_OPERAND;
		}
		G_R11 = vc->map_gpa_next;
		goto respond;
	}
	vc->map_gpa_next += TDX_MAP_GPA_MAX_LEN;
	if (vc->map_gpa_next >= vc->map_gpa_end) {
		G_STATUS = TDVMCALL_STATUS_SUCCESS;
		G_R11 = 0;
		goto respond;
	}
	/* kvm_vcpu_has_events() */
	FLOW_SHARED(c);
	vc = GV;
	if (vc->pending_event) {
		G_STATUS = TDVMCALL_STATUS_RETRY;
		G_R11 = vc->map_gpa_next;
		goto respond;
	}
	goto chunk;
respond:
	vc = GV;
	/* A misbehaving (untrusted) VMM: tdxsim can make RETRY resume elsewhere, to
	 * exercise the guest's R11 check (linux §6.1 step 3). */
	if (G_STATUS == TDVMCALL_STATUS_RETRY && KVM(c, G_VM)->bad_r11_set)
		G_R11 = KVM(c, G_VM)->bad_r11;
	vc->enter_r10 = G_STATUS;
	vc->enter_r11 = G_R11;
	vc->resp_pending = 1;
out:
	vc = GV;
	vc->map_gpa_next = vc->map_gpa_end = 0;
	vmm_emit(c, VMM_EV_FLOW_END, VMM_FK_MAPGPA, G_STATUS, G_R11);
	FLOW_RETURN(c, (int64_t)G_RET);
	FLOW_END(c);
}
