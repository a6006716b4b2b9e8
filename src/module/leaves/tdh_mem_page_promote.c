/* SPDX-License-Identifier: MIT */
/*
 * TDH.MEM.PAGE.PROMOTE (leaf 23), reference §3 "Other SEPT leaves", §5.2, §6.
 * RCX = {level, GPA} of a non-leaf entry (LVL_PD or LVL_PDPT) whose child SEPT page
 * holds 512 leaves to merge, RDX = TDR.  Output RCX = the freed SEPT page's HPA.
 *
 * The table has already: TDR sh, TD state, op_state sh, sept_gpa_valid, tree sh,
 * walk, entry lock (host), state NL_MAPPED or NL_BLOCKED, and the PAMT entry of
 * the range the child leaves map, exclusive at the large size (pamt_promote; the
 * YAML's via: sept_leaf on a non-leaf entry, pamt.c).  The entry lock is released
 * with BTR when the leaf completes.
 *
 * The reference lists the allowed states and locks only ("not covered here").
 * Documented minimal version (CHOICES):
 *  - the child SEPT page is freed, so when TLB tracking applies (§5.3) the rules of
 *    SEPT.REMOVE apply first: the entry must be NL_BLOCKED
 *    (TDX_GPA_RANGE_NOT_BLOCKED|RCX) and the child page's BEPOCH tracked
 *    (TDX_TLB_TRACKING_NOT_DONE|RCX);
 *  - a child entry locked by another leaf -> TDX_OPERAND_BUSY|RCX (without setting HP);
 *  - the 512 children must be leaves all MAPPED or all PENDING, with the same
 *    attributes, consecutive HPAs from a base aligned to the large size (a PENDING
 *    2 MB child with a non-zero accept_counter does not qualify), and PT_REG pages of
 *    this TD -> else TDX_EPT_INVALID_PROMOTE_CONDITIONS (no operand);
 *  - the entry becomes a fresh large leaf in the children's state (TDEL = 1, HP = 0);
 *    pamt_promote: the large PAMT entry becomes PT_REG, owner TDR, BEPOCH 0 and the
 *    512 smaller entries PT_NDA; the SEPT page goes to PT_NDA, chldcnt--;
 *  - TDX_INTERRUPTED_RESTARTABLE is never returned (no host interrupts modelled).
 */
#include "module/sept_ops.h"

TDXSIM_BODY(page_promote)
{
	(void)st;
	struct td_obj *td = sept_td(m, x);
	unsigned level = x->walk_level, down = level - 1u;
	uint64_t e = x->entry;
	uint64_t sept_pa = sept_hpa(e);
	uint32_t sept_frame = mod_frame_of(m, sept_pa);
	uint32_t child = sept_page_of_frame(m, sept_frame);
	if (child == UINT32_MAX)
		mod_fatal(m, x, "non-leaf SEPT entry without a child SEPT page");
	struct pamt_entry *sept_pe = pamt_entry_of(m, sept_frame, PAMT_4K);
	if (sept_state_tlb_tracking_required(sept_entry_state(e)) &&
	    sept_op_state_tlb_tracking_required(atomic_load(&td->op_state))) {
		if (!sept_state_any_blocked(sept_entry_state(e)))
			return tdx_status_with_operand(TDX_GPA_RANGE_NOT_BLOCKED, OPERAND_ID_RCX);
		if (!sept_is_tlb_tracked(m, td, atomic_load(&sept_pe->bepoch)))
			return tdx_status_with_operand(TDX_TLB_TRACKING_NOT_DONE, OPERAND_ID_RCX);
	}
	struct sept_page *p = mod_sept_page(m, child);
	uint64_t c0 = atomic_load(&p->e[0]);
	enum sept_state s = sept_entry_state(c0);
	uint64_t step = sept_range_bytes(down);
	uint64_t base = sept_hpa(c0);
	uint64_t attrs = c0 & ~(SEPT_HPA_MASK | SEPT_TDEL | SEPT_HP);
	if ((s != SEPT_MAPPED && s != SEPT_PENDING) || (base & (sept_range_bytes(level) - 1)))
		return TDX_EPT_INVALID_PROMOTE_CONDITIONS;
	uint32_t first = mod_frame_of(m, base);
	if (first == UINT32_MAX || mod_frame_of(m, base + sept_range_bytes(level) - 1) == UINT32_MAX)
		return TDX_EPT_INVALID_PROMOTE_CONDITIONS;
	for (unsigned i = 0; i < SEPT_ENTRIES_PER_PAGE; i++) {
		uint64_t c = atomic_load(&p->e[i]);
		if (c & SEPT_TDEL)
			return tdx_status_with_operand(TDX_OPERAND_BUSY, OPERAND_ID_RCX);
		if (sept_hpa(c) != base + i * step || (c & ~(SEPT_HPA_MASK | SEPT_TDEL | SEPT_HP)) != attrs)
			return TDX_EPT_INVALID_PROMOTE_CONDITIONS;
		struct pamt_entry *pe = pamt_entry_of(m, first + (uint32_t)(i * (step >> 12)),
						      (enum pamt_level)down);
		if (pe->pt != TDXSIM_PT_REG || pamt_owner(pe) != sept_td_owner(m, td))
			return TDX_EPT_INVALID_PROMOTE_CONDITIONS;
	}
	/* The table locked the large PAMT entry of the range child 0 mapped when the lock
	 * step ran; it must be this range (it is, unless a child changed since). */
	if ((x->pamt_frame >> (9 * level)) != (first >> (9 * level)))
		return TDX_EPT_INVALID_PROMOTE_CONDITIONS;
	/* pamt_promote. */
	for (unsigned i = 0; i < SEPT_ENTRIES_PER_PAGE; i++)
		sept_pamt_free(pamt_entry_of(m, first + (uint32_t)(i * (step >> 12)), (enum pamt_level)down));
	sept_pamt_assign(pamt_entry_of(m, first, (enum pamt_level)level), TDXSIM_PT_REG,
			 sept_td_owner(m, td), 0);
	/* The entry: a fresh large leaf, still locked. */
	uint64_t ne = sept_fresh_leaf(base, s) | SEPT_TDEL;
	atomic_store_explicit(&mod_sept_page(m, x->sept_pg)->e[x->sept_idx], ne, memory_order_release);
	x->entry = ne;
	/* The merged SEPT page is given back. */
	atomic_fetch_sub(&td->chldcnt, 1);
	sept_tlb_note_free(m, x->td, sept_frame, e, atomic_load(&sept_pe->bepoch));
	sept_pamt_free(sept_pe);
	sept_page_free(m, child);
	x->regs.r[OPERAND_ID_RCX] = sept_pa;
	return TDX_SUCCESS;
}
