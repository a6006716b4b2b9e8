/* SPDX-License-Identifier: MIT */
/*
 * vCPU objects (TDVPR + TDVPS) and the helpers the vCPU leaves share:
 * the pool of struct vcpu_obj (vcpu_pool.c), the software GPA translation
 * that the zero-step filter and guest accesses use (checks_vcpu.c), and
 * the constants of the TDH.VP.* / TDG.VP.VMCALL register ABI.
 */
#ifndef TDXSIM_MODULE_VCPU_H
#define TDXSIM_MODULE_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "module/mod.h"

/* ---- pool ---------------------------------------------------------------------- */

/* Take a free vcpu_obj for a new TDVPR page (TDH.VP.CREATE): zeroed, state
 * VCPU_UNINITIALIZED, assoc_lpid VCPU_NO_LP, one TDVPS page (the TDVPR), and
 * the frame's frame_obj points at it.  UINT32_MAX if the pool is full (an
 * emulator limit: tdxsim_module_config.max_vcpus). */
uint32_t vcpu_pool_alloc(struct tdxsim_mod *m, uint32_t td, uint32_t tdvpr_frame);
/* Give a vcpu_obj back (TDH.PHYMEM.PAGE.RECLAIM of its TDVPR page): the object is
 * zeroed so that freed slots compare equal across histories. */
void vcpu_pool_free(struct tdxsim_mod *m, uint32_t vcpu);
/* The vcpu_obj whose TDVPR is frame, UINT32_MAX if none. */
uint32_t vcpu_pool_of_tdvpr(struct tdxsim_mod *m, uint32_t frame);

/* ---- TDVPS geometry (tdx_tdvps.h) ---------------------------------------------- */

/* MIN_TDVPS_PAGES = 6 (TDVPR + 5 TDVPX) without L2 VMs; the emulator has no L2
 * VMs, so this is also the most TDH.VP.ADDCX accepts (MAX_NUM_TDVPS_PAGES). */
#define MIN_TDVPS_PAGES 6

/* ---- TDH.VP.ENTER RCX: vcpu_and_flags_t ---------------------------------------- */

#define VP_ENTER_RESERVED_0      0x0000000000000FFFull /* bits 11:0 */
#define VP_ENTER_HOST_RECOV_HINT (1ull << 52)          /* host_recoverability_hint (§1.7) */
#define VP_ENTER_RESUME_L1       (1ull << 53)
#define VP_ENTER_RESERVED_1      0xFFC0000000000000ull /* bits 63:54 */

/* Scratch slots of a TDH.VP.ENTER execution (x->scratch[]); 0 and 1 are used by the
 * interpreter and the TDCALL path, so the vCPU leaves use 2 and 3. */
#define VP_SCRATCH_EPOCH 2       /* TD_EPOCH sampled by tlb_epoch_enter */
#define VP_SCRATCH_FLAGS 3       /* VP_FLAG_* */
#define VP_FLAG_NEW_ASSOC 1ull   /* associate_vcpu made a new association */

/* VMX exit reasons and qualification bits the vCPU leaves report. */
#define VMEXIT_REASON_EPT_VIOLATION 48
#define VMEXIT_REASON_TDCALL 77
#define EPT_VIOLATION_QUAL_DATA_WRITE (1ull << 1)

/* MSR addresses used as operand IDs (§2.3 note). */
#define IA32_TSC_ADJ_MSR_ADDR 0x3Bu
#define IA32_MISC_ENABLES_MSR_ADDR 0x1A0u

/* ---- software GPA translation (gpa_translate with an access mask) --------------- */

enum vcpu_translate {
	VCPU_XLATE_OK,          /* the access is allowed (EPT_WALK_SUCCESS) */
	VCPU_XLATE_CONVERTIBLE, /* violation on an entry with SVE = 0: a #VE, not an exit */
	VCPU_XLATE_VIOLATION,   /* EPT violation: a TD exit */
};
/* Walk the TD's Secure EPT for gpa asking for the access rights in rwx (SEPT_R,
 * SEPT_W, SEPT_X bits); the effective rights are the AND over all levels, as the
 * hardware walk computes them.  Lock-free: atomic loads of the entries. */
enum vcpu_translate vcpu_gpa_translate(struct tdxsim_mod *m, uint32_t td, uint64_t gpa,
				       uint64_t rwx);

#endif
