/* SPDX-License-Identifier: MIT */
/*
 * TDH.MEM.SEPT.REMOVE (leaf 30), reference §3 "TDH.MEM.SEPT.REMOVE".
 * RCX = {level, GPA} of a non-leaf entry (LVL_PD .. pwl), RDX = TDR.
 *
 * The table has already: TDR sh, TD state, op_state sh, sept_gpa_valid, tree ex,
 * walk, entry lock (host), state NL_MAPPED or NL_BLOCKED, the child SEPT page's
 * PAMT-I ex, [TLB tracking applies: blocked, tracked], all 512 child entries FREE.
 * This body's single 64-bit store of SEPTE_INIT_VALUE also releases the entry lock
 * (the table's `releases: [SEPT_ENTRY]`); then the child page, the tree (last of
 * the SEPT locks), op_state and the TDR are released.
 */
#include "module/sept_ops.h"

TDXSIM_BODY(sept_remove)
{
	(void)st;
	struct td_obj *td = sept_td(m, x);
	uint64_t old = x->entry;
	uint64_t child_hpa = sept_hpa(old);
	uint32_t frame = mod_frame_of(m, child_hpa);
	uint32_t child = sept_page_of_frame(m, frame);
	if (child == UINT32_MAX)
		mod_fatal(m, x, "non-leaf SEPT entry without a child SEPT page");
	struct pamt_entry *pe = pamt_entry_of(m, frame, PAMT_4K);
	/* Parent := SEPTE_INIT_VALUE: FREE, SVE = 1, TDEL = HP = 0 (one store). */
	atomic_store_explicit(&mod_sept_page(m, x->sept_pg)->e[x->sept_idx], SEPTE_INIT_VALUE,
			      memory_order_release);
	x->entry = SEPTE_INIT_VALUE;
	atomic_fetch_sub(&td->chldcnt, 1);
	sept_tlb_note_free(m, x->td, frame, old, atomic_load(&pe->bepoch));
	sept_pamt_free(pe);
	sept_page_free(m, child);
	x->regs.r[OPERAND_ID_RCX] = child_hpa;
	return TDX_SUCCESS;
}
