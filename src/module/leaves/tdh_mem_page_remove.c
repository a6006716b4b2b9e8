/* SPDX-License-Identifier: MIT */
/*
 * TDH.MEM.PAGE.REMOVE (leaf 29), reference §3 "TDH.MEM.PAGE.REMOVE".
 * RCX = {level, GPA} (LVL_PT .. LVL_PDPT), RDX = TDR.  Output RCX = the page's HPA.
 *
 * The table has already: TDR sh, TD state, op_state sh, sept_gpa_valid, tree sh,
 * walk, entry lock (host), a leaf state, the mapped page's PAMT-I ex at the leaf
 * size, and [TLB tracking applies: any-blocked, tracked].  The store here also
 * releases the entry lock (`releases: [SEPT_ENTRY]`); then the page, the tree,
 * op_state and the TDR are released.
 */
#include "module/sept_ops.h"

TDXSIM_BODY(page_remove)
{
	(void)st;
	struct td_obj *td = sept_td(m, x);
	unsigned level = x->walk_level;
	uint64_t old = x->entry;
	uint64_t hpa = sept_leaf_hpa(old, level);
	struct pamt_entry *pe = sept_pamt_of_leaf(m, hpa, level);
	if (!pe)
		mod_fatal(m, x, "SEPT leaf maps a page outside TDX memory");
	/* Clear aliased L2 entries: no L2 VMs in the emulator.
	 * The entry becomes FREE + SVE, or REMOVED while an import is in progress, in one
	 * 64-bit store that also clears TDEL and HP.
	 * CHOICE: the REMOVED value carries no migration epoch (bits 43:12 = 0, valid bit
	 * 44 = 0): live import is not modelled. */
	uint64_t e = td->import_in_progress ? (sept_state_bits(SEPT_REMOVED) | SEPT_SVE)
					    : SEPTE_INIT_VALUE;
	atomic_store_explicit(&mod_sept_page(m, x->sept_pg)->e[x->sept_idx], e, memory_order_release);
	x->entry = e;
	atomic_fetch_sub(&td->chldcnt, sept_level_4k_pages(level));
	sept_tlb_note_free(m, x->td, mod_frame_of(m, hpa), old, atomic_load(&pe->bepoch));
	sept_pamt_free(pe);
	x->regs.r[OPERAND_ID_RCX] = hpa;
	return TDX_SUCCESS;
}
