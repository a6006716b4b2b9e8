/* SPDX-License-Identifier: MIT */
/*
 * Secure-EPT walks (reference §1.6 "SEPT walk with tree lock" and its variants).
 *
 * Every walk reads the entries with atomic loads, so it is the same code whether
 * the tree lock is held (sept_walk, sept_walk_leaf) or not (PAGE.ADD, MR.EXTEND,
 * the guest's ACCEPT and ATTR.*).  It stops at an entry with RWX == 0 or at a leaf.
 * On return it leaves in the execution:
 *   x->sept_pg, x->sept_idx  the entry reached (the next SEPT_ENTRY lock step locks it)
 *   x->walk_level            that entry's level
 *   x->entry                 its value as read (re-read by the entry lock)
 *   x->level                 the requested level (decoded by sept_gpa_valid; the
 *                            leaf's level for the walks to a leaf)
 * A failed walk of a SEAMCALL writes the SEPT details for the VMM (RCX = the
 * architectural entry, RDX = {level, state, vm}; set_arch_septe_details_in_vmm_regs).
 */
#include "module/sept_ops.h"

static void record(struct tdxsim_leaf_exec *x, const struct sept_walk *w)
{
	x->sept_pg = w->page;
	x->sept_idx = w->idx;
	x->walk_level = w->level;
	x->entry = w->entry;
}

/* A walk towards level 0 found the leaf mapping the GPA: it reached level 0, or it
 * stopped early at a large leaf (PS = 1). */
static bool found_leaf(bool reached, const struct sept_walk *w)
{
	return reached || ((w->entry & SEPT_PS) && w->level <= SEPT_LVL_PDPT);
}

/* §3: the guest's ACCEPT ends in an EPT-violation TD exit (extended exit
 * qualification type ACCEPT) instead of completing.  The status returned only makes
 * the interpreter unwind: the guest never sees it (the TDCALL is re-executed after
 * the VMM resumes the vCPU). */
tdx_status_t sept_accept_td_exit(struct tdxsim_leaf_exec *x, uint64_t gpa, tdx_status_t why)
{
	x->exit = TDXSIM_EXIT_ACCEPT_VIOLATION;
	x->scratch[1] = gpa;
	return why;
}

/* lock_sept_check_and_walk_private_gpa, after the tree lock: walk to the level
 * sept_gpa_valid decoded.  Short -> TDX_EPT_WALK_FAILED|reg plus details. */
TDXSIM_WALK(sept_walk)
{
	uint64_t gpa = sept_gpa_of(x->regs.r[st->reg]);
	struct sept_walk w;
	bool ok = sept_walk(m, x->td, gpa, x->level, &w);
	record(x, &w);
	if (!ok) {
		sept_set_details(x, &w);
		return tdx_status_with_operand(TDX_EPT_WALK_FAILED, (uint32_t)st->reg);
	}
	return TDX_SUCCESS;
}

/* TDH.MEM.RD / TDH.MEM.WR: RCX = GPA of an 8-byte chunk of a debug TD's private
 * memory.  Done here, in the order of tdh_mem_rd.c: the TD must be a debug TD
 * (ATTRIBUTES.DEBUG, bit 0) -> TDX_TD_NON_DEBUG; the GPA 8-byte aligned and private
 * -> TDX_OPERAND_INVALID|RCX; then the walk to the leaf mapping it ->
 * TDX_EPT_WALK_FAILED|RCX plus details.
 * CHOICE: the real leaf does the debug and GPA checks before it takes the SEPT tree
 * lock; the table has no step for them there, so they run here, after it (a busy
 * tree lock therefore wins over a non-debug TD or a bad GPA). */
#define TD_ATTR_DEBUG 1ull
TDXSIM_WALK(sept_walk_leaf)
{
	struct td_obj *td = sept_td(m, x);
	if (!(td->attributes & TD_ATTR_DEBUG))
		return TDX_TD_NON_DEBUG;
	uint64_t gpa = x->regs.r[st->reg];
	if ((gpa & 7) || !sept_gpa_is_private(m, x->td, gpa))
		return tdx_status_with_operand(TDX_OPERAND_INVALID, (uint32_t)st->reg);
	struct sept_walk w;
	bool ok = found_leaf(sept_walk(m, x->td, gpa, SEPT_LVL_PT, &w), &w);
	record(x, &w);
	x->level = w.level;
	if (!ok) {
		sept_set_details(x, &w);
		return tdx_status_with_operand(TDX_EPT_WALK_FAILED, (uint32_t)st->reg);
	}
	return TDX_SUCCESS;
}

/* walk_private_gpa (TDH.MEM.PAGE.ADD): no lock, no GPA check (sept_gpa_valid ran
 * before), to the requested level.  Short -> TDX_EPT_WALK_FAILED|reg plus details. */
TDXSIM_WALK(sept_walk_unlocked)
{
	uint64_t gpa = sept_gpa_of(x->regs.r[st->reg]);
	struct sept_walk w;
	bool ok = sept_walk(m, x->td, gpa, x->level, &w);
	record(x, &w);
	if (!ok) {
		sept_set_details(x, &w);
		return tdx_status_with_operand(TDX_EPT_WALK_FAILED, (uint32_t)st->reg);
	}
	return TDX_SUCCESS;
}

/* check_and_walk_private_gpa_to_leaf (TDH.MR.EXTEND): RCX = GPA of a 256-byte chunk:
 * aligned to 256 and private -> else TDX_OPERAND_INVALID|reg; walk with no lock to the
 * leaf; none -> TDX_EPT_ENTRY_NOT_PRESENT|reg with the SEPT details (§3 MR.EXTEND 2). */
TDXSIM_WALK(sept_walk_to_leaf_unlocked)
{
	uint64_t gpa = x->regs.r[st->reg];
	if ((gpa & 0xFF) || !sept_gpa_is_private(m, x->td, gpa))
		return tdx_status_with_operand(TDX_OPERAND_INVALID, (uint32_t)st->reg);
	struct sept_walk w;
	bool ok = found_leaf(sept_walk(m, x->td, gpa, SEPT_LVL_PT, &w), &w);
	record(x, &w);
	x->level = w.level;
	if (!ok) {
		sept_set_details(x, &w);
		return tdx_status_with_operand(TDX_EPT_ENTRY_NOT_PRESENT, (uint32_t)st->reg);
	}
	return TDX_SUCCESS;
}

/* TDG.MEM.PAGE.ACCEPT decision 1 (§3): the unlocked walk to the requested level.
 * If it stops short at a guest-accessible leaf the page is already accepted at a
 * larger size -> TDX_PAGE_ALREADY_ACCEPTED | level; otherwise an EPT-violation TD
 * exit so that the VMM can map (or demote) the page.
 * CHOICE: the level in the operand field is the level of the leaf the walk found
 * (the mapping's actual size); the reference says only "| level". */
TDXSIM_WALK(accept_walk)
{
	uint64_t gpa = sept_gpa_of(x->regs.r[st->reg]);
	struct sept_walk w;
	bool ok = sept_walk(m, x->td, gpa, x->level, &w);
	record(x, &w);
	if (ok)
		return TDX_SUCCESS;
	if ((w.entry & SEPT_PS) && sept_state_guest_accessible_leaf(sept_entry_state(w.entry)))
		return tdx_status_with_operand(TDX_PAGE_ALREADY_ACCEPTED, w.level);
	return sept_accept_td_exit(x, gpa, tdx_status_with_operand(TDX_EPT_WALK_FAILED, OPERAND_ID_RCX));
}

/* TDG.MEM.PAGE.ATTR.RD/WR: RCX = GPA (4K aligned, private -> else
 * TDX_OPERAND_INVALID|reg), walked with no lock to the L1 leaf mapping it; none ->
 * TDX_EPT_WALK_FAILED|reg (code UNVERIFIED; the registry's choice).  The guest gets
 * no SEPT details. */
TDXSIM_WALK(sept_walk_guest)
{
	uint64_t gpa = x->regs.r[st->reg];
	if ((gpa & 0xFFF) || !sept_gpa_is_private(m, x->td, gpa))
		return tdx_status_with_operand(TDX_OPERAND_INVALID, (uint32_t)st->reg);
	struct sept_walk w;
	bool ok = found_leaf(sept_walk(m, x->td, gpa, SEPT_LVL_PT, &w), &w);
	record(x, &w);
	x->level = w.level;
	if (!ok)
		return tdx_status_with_operand(TDX_EPT_WALK_FAILED, (uint32_t)st->reg);
	return TDX_SUCCESS;
}
