/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the Secure-EPT checks (checks_sept.c), walks (walks.c) and the
 * TDH.MEM.* / TDG.MEM.* / TDG.MR.* / TDG.SERVTD.* leaf bodies (leaves/): fresh entry
 * values, PAMT assignment, TLB-epoch tracking (§5.3) and the emulator-side record
 * of TLB safety that the invariant checker reports (invariants.c).
 */
#ifndef TDXSIM_MODULE_SEPT_OPS_H
#define TDXSIM_MODULE_SEPT_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "module/fns.h"
#include "module/mod.h"
#include "module/pamt.h"
#include "module/sept_walk.h"

/* ---- operands ------------------------------------------------------------------ */

/* The TD the leaf's TDR lock resolved (SEAMCALL) or the vCPU's TD (TDCALL). */
static inline struct td_obj *sept_td(struct tdxsim_mod *m, const struct tdxsim_leaf_exec *x)
{
	if (x->td == UINT32_MAX || x->td >= m->lay.max_tds)
		mod_fatal(m, x, "SEPT step before the TD is known");
	return mod_td(m, x->td);
}

/* GPA bits 51:12 of a {level[2:0], GPA} mapping operand (page_info_api_input_t). */
static inline uint64_t sept_gpa_of(uint64_t reg)
{
	return reg & SEPT_HPA_MASK;
}

/* The GPA of the leaf's mapping operand.  Every in-scope leaf names the GPA in RCX
 * (§2.3 note); a step given reg: uses that register. */
static inline uint64_t sept_leaf_gpa(const struct tdxsim_leaf_exec *x)
{
	return sept_gpa_of(x->regs.r[OPERAND_ID_RCX]);
}

/* Size of the range an entry at a SEPT level maps (4K, 2M, 1G ...). */
static inline uint64_t sept_range_bytes(unsigned level)
{
	return sept_level_bytes(level);
}

/* Base HPA of a leaf at `level`: the HPA field with the bits below the page size
 * masked (on a 2 MB PENDING leaf bits 20:12 are accept_counter, §5.1). */
static inline uint64_t sept_leaf_hpa(uint64_t e, unsigned level)
{
	return sept_hpa(e) & ~(sept_range_bytes(level) - 1);
}

/* Number of 4K pages a leaf at `level` covers (512^level, §3 AUG/REMOVE). */
static inline uint64_t sept_level_4k_pages(unsigned level)
{
	return 1ull << (9 * level);
}

/* The state of an entry, ignoring TDEL/HP (they are outside the encoding). */
static inline enum sept_state sept_entry_state(uint64_t e)
{
	return sept_state_of(e);
}

/* ---- fresh entry values (§5.1, §5.2) --------------------------------------------- */

/* A fresh leaf written by PAGE.ADD (MAPPED), PAGE.AUG (PENDING) and the demote /
 * promote bodies: HPA, MT = WB, the state's encoding bits (IPAT, PS, TDP ...), RWX =
 * 111 for MAPPED and 0 for PENDING, SVE = 1, TDEL = HP = 0.
 * CHOICE: SVE = 1 on PENDING leaves, i.e. the TD runs with ATTRIBUTES.SEPT_VE_DISABLE
 * (what KVM and the Linux guest require); a TD taking #VE on pending pages would have
 * SVE = 0 there.  §5.1 only says that sept_update_state forces SVE = 1. */
uint64_t sept_fresh_leaf(uint64_t hpa, enum sept_state s);
/* A fresh NL_MAPPED entry (sept_set_mapped_non_leaf): HPA of the child SEPT page,
 * RWX = 111, MT = 0, PS = 0, SVE = 1 (§3 SEPT.ADD step 6). */
uint64_t sept_fresh_non_leaf(uint64_t hpa);

/* ---- PAMT (§6) -------------------------------------------------------------------- */

/* The PAMT entry of a page mapped at SEPT level `level` (4K / 2M / 1G leaf). */
static inline struct pamt_entry *sept_pamt_of_leaf(struct tdxsim_mod *m, uint64_t hpa,
						   unsigned level)
{
	uint32_t f = mod_frame_of(m, hpa);
	return f == UINT32_MAX ? NULL : pamt_entry_of(m, f, (enum pamt_level)level);
}
/* The PAMT owner field of the TD's child pages: the TDR's PA >> 12 (§6). */
static inline uint64_t sept_td_owner(const struct tdxsim_mod *m, const struct td_obj *td)
{
	return mod_hpa_of(m, td->tdr_frame) >> 12;
}
/* Make a page a child of the TD: PT, owner (TDR PA >> 12), BEPOCH (§6). */
void sept_pamt_assign(struct pamt_entry *pe, enum tdxsim_page_type pt, uint64_t owner,
		      uint64_t bepoch);
/* Give a page back: PT_NDA.  The real module writes only the page type; owner and
 * BEPOCH are zeroed here as RECLAIM zeroes them (nothing reads them while the page
 * is PT_NDA), so that a free page has one byte image. */
void sept_pamt_free(struct pamt_entry *pe);

/* ---- TLB tracking (§5.3) ------------------------------------------------------------ */

/* op_state_is_tlb_tracking_required: RUNNABLE, LIVE_EXPORT, LIVE_IMPORT (§7.2). */
bool sept_op_state_tlb_tracking_required(unsigned op_state);
/* is_tlb_tracked(bepoch) with the 128-bit-consistent read of (td_epoch, refcount). */
bool sept_is_tlb_tracked(struct tdxsim_mod *m, struct td_obj *td, uint64_t bepoch);
/* BEPOCH word of what a locked entry maps: the page's PAMT entry at the leaf size, or
 * the child SEPT page's 4K PAMT entry for a non-leaf entry (§3 BLOCK step 7). */
struct pamt_entry *sept_bepoch_entry(struct tdxsim_mod *m, const struct tdxsim_leaf_exec *x,
				     uint64_t e, unsigned level);

/* ---- TLB safety record (invariants.c) --------------------------------------------- */

/* A page of TD td mapped by (or, for a SEPT page, reached through) an entry whose
 * value before the removal was old_entry goes back to PT_NDA.  When check_invariants
 * is on, decide whether any vCPU could still hold a translation through it and record
 * the first such case for tdxsim_world_check_invariants (DESIGN §6).  The rule:
 *  - old entry with R/W/X set: the page was translatable until now;
 *  - old entry any-blocked: translatable until the block, whose epoch is `bepoch`;
 *  - otherwise (FREE, PENDING ...): never translatable, nothing to check.
 * A vCPU that has entered (vcpu_epoch != 0) with vcpu_epoch <= that limit may hold
 * the translation: it is a violation if it is in guest mode, or if its next TD entry
 * would not flush (TD_EPOCH == vcpu_epoch, so VP.ENTER skips the INVEPT). */
void sept_tlb_note_free(struct tdxsim_mod *m, uint32_t td, uint32_t frame, uint64_t old_entry,
			uint64_t bepoch);

/* ---- step arguments ------------------------------------------------------------------ */

/* Mask of the SEPT states named in a step's args (bit i = state index i). */
uint32_t sept_step_state_mask(struct tdxsim_mod *m, const struct tdxsim_leaf_exec *x,
			      const struct tdxsim_step *st);
/* SEPT details for the VMM (set_arch_septe_details_in_vmm_regs) from a locked copy. */
void sept_details_from_exec(struct tdxsim_leaf_exec *x);

/* ---- guest TD exits ------------------------------------------------------------------ */

/* End a TDG.MEM.PAGE.ACCEPT in an EPT-violation TD exit (type ACCEPT) at gpa (§3):
 * sets x->exit and x->scratch[1] and returns `why`, which only makes the interpreter
 * unwind; the guest never sees it (its TDCALL is re-executed when the VMM resumes it). */
tdx_status_t sept_accept_td_exit(struct tdxsim_leaf_exec *x, uint64_t gpa, tdx_status_t why);

/* ---- guest interrupt (TDG.MEM.PAGE.ACCEPT 2M, §3) ----------------------------------- */

/* The guest model posts a virtual interrupt to a vCPU in guest mode with
 * mod_vcpu_set_intr_pending(); a 2 MB TDG.MEM.PAGE.ACCEPT polls it between 4 KB
 * chunks.  When the accept stops early it returns TDX_SUCCESS but does not advance
 * the guest RIP: vcpu_obj.tdcall_restart is set and the guest must execute the same
 * TDCALL again (after taking the interrupt).  Every TDCALL clears tdcall_restart when
 * it begins. */
static inline void mod_vcpu_set_intr_pending(struct tdxsim_mod *m, uint32_t vcpu, bool pending)
{
	mod_vcpu(m, vcpu)->intr_pending = pending;
}
static inline bool mod_vcpu_tdcall_restarted(struct tdxsim_mod *m, uint32_t vcpu)
{
	return mod_vcpu(m, vcpu)->tdcall_restart != 0;
}

#endif
