/* SPDX-License-Identifier: MIT */
/*
 * TDH.MEM.PAGE.RELOCATE (leaf 5), reference §3 "Other SEPT leaves", §5.2.
 * RCX = {level 0, GPA}, RDX = TDR, R8 = the target page.
 *
 * The table has already: TDR sh, TD state, op_state sh, sept_gpa_valid (4K only),
 * tree sh, walk, entry lock (host), a mapped/pending/exported leaf state (4..15),
 * the target page's PAMT-X ex (PT_NDA) and the old page's PAMT-I ex.  The entry
 * lock is released with BTR when the leaf completes.
 *
 * The reference gives no transition ("not covered here").  Documented minimal
 * version (CHOICES):
 *  - the old page goes back to PT_NDA, so when TLB tracking applies (§5.3) the
 *    rules of PAGE.REMOVE apply: any-blocked (TDX_GPA_RANGE_NOT_BLOCKED|RCX) and
 *    tracked (TDX_TLB_TRACKING_NOT_DONE|RCX);
 *  - the contents are copied (not modelled); the entry keeps its state and
 *    attributes with the new HPA, written from the locked copy (TDEL = 1; an HP set
 *    meanwhile is lost, as in BLOCK, §9.3);
 *  - the target page: PT_REG, owner TDR, with the old page's BEPOCH; the old page:
 *    PT_NDA; chldcnt is unchanged.
 */
#include "module/sept_ops.h"

TDXSIM_BODY(page_relocate)
{
	(void)st;
	struct td_obj *td = sept_td(m, x);
	uint64_t e = x->entry;
	uint64_t old_hpa = sept_leaf_hpa(e, SEPT_LVL_PT);
	uint64_t new_hpa = x->regs.r[OPERAND_ID_R8];
	struct pamt_entry *old_pe = sept_pamt_of_leaf(m, old_hpa, SEPT_LVL_PT);
	struct pamt_entry *new_pe = sept_pamt_of_leaf(m, new_hpa, SEPT_LVL_PT);
	if (!old_pe || !new_pe)
		mod_fatal(m, x, "SEPT leaf maps a page outside TDX memory");
	if (sept_state_tlb_tracking_required(sept_entry_state(e)) &&
	    sept_op_state_tlb_tracking_required(atomic_load(&td->op_state))) {
		if (!sept_state_any_blocked(sept_entry_state(e)))
			return tdx_status_with_operand(TDX_GPA_RANGE_NOT_BLOCKED, OPERAND_ID_RCX);
		if (!sept_is_tlb_tracked(m, td, atomic_load(&old_pe->bepoch)))
			return tdx_status_with_operand(TDX_TLB_TRACKING_NOT_DONE, OPERAND_ID_RCX);
	}
	uint64_t bepoch = atomic_load(&old_pe->bepoch);
	sept_pamt_assign(new_pe, TDXSIM_PT_REG, sept_td_owner(m, td), bepoch);
	uint64_t ne = (e & ~SEPT_HPA_MASK) | (new_hpa & SEPT_HPA_MASK);
	atomic_store_explicit(&mod_sept_page(m, x->sept_pg)->e[x->sept_idx], ne, memory_order_release);
	x->entry = ne;
	sept_tlb_note_free(m, x->td, mod_frame_of(m, old_hpa), e, bepoch);
	sept_pamt_free(old_pe);
	return TDX_SUCCESS;
}
