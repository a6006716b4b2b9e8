/* SPDX-License-Identifier: MIT */
/*
 * TDH.MEM.SEPT.ADD (leaf 3), reference §3 "TDH.MEM.SEPT.ADD", §9.4.
 * RCX = {level[2:0], GPA}: the entry at `level` (LVL_PD .. pwl) gets a new child
 * SEPT page; RDX = TDR | allow_existing (bit 0); R8 = the new SEPT page.
 *
 * The table has already: TDR sh, TD state, op_state sh, sept_gpa_valid, tree sh,
 * walk, entry lock (host), state FREE or NL_MAPPED, sept_add_existing_allowed, and
 * (FREE only) the new page's PAMT-X ex (PT_NDA).  After this body it releases the
 * entry lock with BTR (the value written here keeps TDEL = 1, §9.4), then the new
 * page, the tree, op_state and the TDR.
 */
#include "module/sept_ops.h"

TDXSIM_BODY(sept_add)
{
	(void)st;
	struct td_obj *td = sept_td(m, x);
	struct sept_page *parent = mod_sept_page(m, x->sept_pg);
	if (sept_entry_state(x->entry) == SEPT_NL_MAPPED) {
		/* Version 1 on an existing NL_MAPPED entry (allow_existing, or L2 pages only):
		 * the emulator has no L2 VMs, so nothing is added; R8 comes back with bit 63
		 * set, meaning "not used" (§3 step 5). */
		x->regs.r[OPERAND_ID_R8] |= 1ull << 63;
		return TDX_SUCCESS;
	}
	uint64_t new_hpa = x->regs.r[OPERAND_ID_R8];
	uint32_t frame = mod_frame_of(m, new_hpa);
	/* 1. The new page holds 512 SEPTE_INIT_VALUE entries at the level below. */
	uint32_t page = sept_page_alloc(m, x->td, frame, x->level - 1u);
	if (page == UINT32_MAX) {
		/* Not a module behaviour: the emulator's SEPT page pool is sized by
		 * tdxsim_module_config.max_sept_pages. */
		mod_fatal(m, x, "SEPT page pool exhausted (raise max_sept_pages)");
	}
	/* 2. Its PAMT entry (locked exclusively by the table): PT_EPT, owner TDR, BEPOCH 0. */
	sept_pamt_assign(pamt_entry_of(m, frame, PAMT_4K), TDXSIM_PT_EPT, sept_td_owner(m, td), 0);
	/* 3. chldcnt++ (atomic: the TDR is held shared, §6). */
	atomic_fetch_add(&td->chldcnt, 1);
	/* 4. The parent becomes a fresh NL_MAPPED entry written with TDEL = 1: the entry
	 * stays locked (§9.4) and HP is cleared by the full 64-bit store (§9.3). */
	uint64_t e = sept_fresh_non_leaf(mod_hpa_of(m, frame)) | SEPT_TDEL;
	atomic_store_explicit(&parent->e[x->sept_idx], e, memory_order_release);
	x->entry = e;
	return TDX_SUCCESS;
}
