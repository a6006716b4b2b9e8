/* SPDX-License-Identifier: MIT */
/*
 * TDH.MEM.PAGE.AUG (leaf 6), reference §3 "TDH.MEM.PAGE.AUG".
 * RCX = {level, GPA} (LVL_PT or LVL_PD), RDX = TDR, R8 = the page (4K or 2M).
 *
 * The table has already: TDR sh, TD state, op_state sh, sept_gpa_valid, tree sh,
 * walk, entry lock (host), state FREE or REMOVED, and the page's PAMT-X ex at the
 * level's size, PT_NDA, with all 512 4K children PT_NDA for 2M
 * (check_and_lock_free_range_hpa).  The fresh PENDING store here also releases the
 * entry lock (the table's `releases: [SEPT_ENTRY]`).
 */
#include "module/sept_ops.h"

TDXSIM_BODY(page_aug)
{
	(void)st;
	struct td_obj *td = sept_td(m, x);
	unsigned level = x->level;
	uint64_t hpa = x->regs.r[OPERAND_ID_R8];
	/* The page's PAMT entry at the leaf size becomes PT_REG, owner TDR, BEPOCH 0; for
	 * 2M the 512 4K entries stay PT_NDA (the 2M entry is the leaf, §6). */
	sept_pamt_assign(pamt_entry_of(m, mod_frame_of(m, hpa), (enum pamt_level)level),
			 TDXSIM_PT_REG, sept_td_owner(m, td), 0);
	atomic_fetch_add(&td->chldcnt, sept_level_4k_pages(level));
	/* A fresh PENDING leaf (RWX = 0): one 64-bit store, TDEL = HP = 0. */
	uint64_t e = sept_fresh_leaf(hpa, SEPT_PENDING);
	atomic_store_explicit(&mod_sept_page(m, x->sept_pg)->e[x->sept_idx], e, memory_order_release);
	x->entry = e;
	return TDX_SUCCESS;
}
