/* SPDX-License-Identifier: MIT */
/*
 * Secure-EPT checks and conditions (reference §1.6, §3 per-leaf details, §5).
 *
 * Checks on a SEPT entry read x->entry, the copy the SEPT_ENTRY lock step re-read
 * right after taking the entry lock (§9.8), or the value an unlocked walk read.
 *
 * Output registers on a failed entry-state check: a SEAMCALL that finds the entry
 * in the wrong state also reports the SEPT details (RCX = architectural entry,
 * RDX = {level, state, vm}), as it does for a walk failure.  The reference states
 * this for walk failures (§1.6); for TDX_EPT_ENTRY_STATE_INCORRECT KVM depends on
 * it (linux-kvm-tdx.md §3: BLOCK's "returned entry" before finalize).
 * CHOICE: the same for TDX_GPA_RANGE_ALREADY_BLOCKED (the same check in BLOCK);
 * not for the later checks (GPA_RANGE_NOT_BLOCKED, TLB_TRACKING_NOT_DONE,
 * EPT_PAGE_NOT_FREE), which leave RCX/RDX as the caller passed them (UNVERIFIED).
 */
#include "module/leaf_helpers.h"
#include "module/sept_ops.h"

/* Emulator halt codes for the module's fatal-error sites in these leaves (the real
 * module's codes for them are not in the reference). */
#define SEPT_HALT_TD_EPOCH_OVERFLOW 0x0B01u

static tdx_status_t entry_error(struct tdxsim_leaf_exec *x, tdx_status_t code, bool details)
{
	if (details && x->side == TDXSIM_SIDE_HOST)
		sept_details_from_exec(x);
	return tdx_status_with_operand(code, OPERAND_ID_RCX);
}

static int level_arg(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x, const char *name)
{
	int v = tdxsim_registry_arg_value(TDXSIM_ARG_LEVEL, name);
	if (v < 0)
		mod_fatal(m, x, "sept_gpa_valid: unknown level (the loader should refuse it)");
	return v == TDXSIM_LEVEL_PWL ? sept_td(m, x)->pwl : v;
}

/* verify_page_info_input + the private-GPA check of lock_sept_check_and_walk (§1.6
 * step 1): reg = {level[2:0], reserved[11:3], GPA[51:12], reserved[63:52]}.  The
 * reserved bits must be 0, the level within [arg0, arg1] (LVL_PWL = the TD's
 * page-walk level), the GPA aligned to the level's size, below 2^GPAW and private
 * (shared bit clear).  Any failure -> TDX_OPERAND_INVALID|reg.  Decodes x->level. */
TDXSIM_CHECK(sept_gpa_valid)
{
	uint64_t reg = x->regs.r[st->reg];
	unsigned level = (unsigned)(reg & 7);
	int lo = level_arg(m, x, st->args[0]), hi = level_arg(m, x, st->args[1]);
	uint64_t gpa = sept_gpa_of(reg);
	tdx_status_t bad = tdx_status_with_operand(TDX_OPERAND_INVALID, (uint32_t)st->reg);
	if ((reg & 0xFF8ull) || (reg >> 52))
		return bad;
	if ((int)level < lo || (int)level > hi || level > SEPT_LVL_PML5)
		return bad;
	if ((gpa & (sept_level_bytes(level) - 1)) || !sept_gpa_is_private(m, x->td, gpa))
		return bad;
	x->level = (uint8_t)level;
	return TDX_SUCCESS;
}

/* TDH.MEM.PAGE.ADD step 4: shared_hpa_check of the source page -> <status>|reg. */
TDXSIM_CHECK(source_page_shared)
{
	tdx_status_t s = mod_shared_hpa_check(m, x->regs.r[st->reg], PAGE_SIZE_4K);
	return s == TDX_SUCCESS ? s : tdx_status_with_operand(s, (uint32_t)st->reg);
}

/* sept_state_is_seamcall_leaf_allowed / tdcall_sept_state_lookup (§5.2). */
TDXSIM_CHECK(sept_state_in)
{
	enum sept_state s = sept_entry_state(x->entry);
	uint32_t mask = sept_step_state_mask(m, x, st);
	if (s == SEPT_STATE_INVALID || !(mask & (1u << s)))
		return entry_error(x, TDX_EPT_ENTRY_STATE_INCORRECT, true);
	return TDX_SUCCESS;
}

/* TDH.MEM.SEPT.ADD step 5: an NL_MAPPED entry is accepted only by version 1 with
 * allow_existing (RDX bit 0) or with R8 = -1 (L2 pages only).
 * CHOICE: TDX_EPT_ENTRY_STATE_INCORRECT|RCX otherwise (the registry's choice;
 * UNVERIFIED). */
TDXSIM_CHECK(sept_add_existing_allowed)
{
	(void)m;
	(void)st;
	if (sept_entry_state(x->entry) != SEPT_NL_MAPPED)
		return TDX_SUCCESS;
	bool allow_existing = x->regs.r[OPERAND_ID_RDX] & 1;
	bool l2_only = x->regs.r[OPERAND_ID_R8] == ~0ull;
	if (x->version >= 1 && (allow_existing || l2_only))
		return TDX_SUCCESS;
	return entry_error(x, TDX_EPT_ENTRY_STATE_INCORRECT, true);
}

/* TDH.MEM.RANGE.BLOCK step 4: an entry already blocked is not an error (bit 63 = 0). */
TDXSIM_CHECK(sept_not_blocked)
{
	(void)m;
	(void)st;
	if (sept_state_any_blocked(sept_entry_state(x->entry)))
		return entry_error(x, TDX_GPA_RANGE_ALREADY_BLOCKED, true);
	return TDX_SUCCESS;
}

/* PAGE.REMOVE / SEPT.REMOVE, when TLB tracking applies (§5.3). */
TDXSIM_CHECK(sept_blocked)
{
	(void)m;
	(void)st;
	if (!sept_state_any_blocked(sept_entry_state(x->entry)))
		return entry_error(x, TDX_GPA_RANGE_NOT_BLOCKED, false);
	return TDX_SUCCESS;
}

/* is_tlb_tracked(BEPOCH) of the page the locked entry maps, or of its child SEPT
 * page (§5.3) -> TDX_TLB_TRACKING_NOT_DONE|arg0 (RCX in 1.5.05, SEPT_TREE for
 * UNBLOCK in 1.5.01).  The BEPOCH is read without a PAMT lock (UNBLOCK) or under
 * the page's PAMT lock (REMOVE, SEPT.REMOVE). */
TDXSIM_CHECK(tlb_tracked)
{
	int op = tdxsim_registry_arg_value(TDXSIM_ARG_OPERAND, st->args[0]);
	if (op < 0)
		mod_fatal(m, x, "tlb_tracked: unknown operand (the loader should refuse it)");
	struct pamt_entry *pe = sept_bepoch_entry(m, x, x->entry, x->walk_level);
	uint64_t bepoch = atomic_load_explicit(&pe->bepoch, memory_order_acquire);
	if (!sept_is_tlb_tracked(m, sept_td(m, x), bepoch))
		return tdx_status_with_operand(TDX_TLB_TRACKING_NOT_DONE, (uint32_t)op);
	return TDX_SUCCESS;
}

/* TDH.MEM.SEPT.REMOVE step 7: every one of the child page's 512 entries is FREE. */
TDXSIM_CHECK(sept_page_empty)
{
	(void)st;
	uint32_t child = sept_page_of_frame(m, mod_frame_of(m, sept_hpa(x->entry)));
	if (child == UINT32_MAX)
		mod_fatal(m, x, "non-leaf SEPT entry without a child SEPT page");
	struct sept_page *p = mod_sept_page(m, child);
	for (unsigned i = 0; i < SEPT_ENTRIES_PER_PAGE; i++) {
		uint64_t e = atomic_load_explicit(&p->e[i], memory_order_acquire);
		if (sept_entry_state(e) != SEPT_FREE)
			return entry_error(x, TDX_EPT_PAGE_NOT_FREE, false);
	}
	return TDX_SUCCESS;
}

/* TDH.MR.EXTEND step 3: the leaf must be MAPPED -> TDX_EPT_ENTRY_NOT_PRESENT, no
 * operand (§3). */
TDXSIM_CHECK(mr_extend_leaf_mapped)
{
	(void)m;
	(void)st;
	if (sept_entry_state(x->entry) != SEPT_MAPPED)
		return TDX_EPT_ENTRY_NOT_PRESENT;
	return TDX_SUCCESS;
}

/* TDG.MEM.PAGE.ACCEPT decision 3: a non-free non-leaf entry at the requested level
 * (the range is mapped by smaller pages) -> TDX_PAGE_SIZE_MISMATCH | level.
 * CHOICE: "non-free" excludes REMOVED as well as FREE (neither maps anything); a
 * REMOVED entry goes on to decision 5 (TD exit). */
TDXSIM_CHECK(accept_level_match)
{
	(void)m;
	(void)st;
	enum sept_state s = sept_entry_state(x->entry);
	if (s == SEPT_NL_MAPPED || s == SEPT_NL_BLOCKED)
		return tdx_status_with_operand(TDX_PAGE_SIZE_MISMATCH, x->level);
	return TDX_SUCCESS;
}

/* TDG.MEM.PAGE.ACCEPT decision 4: a guest-accessible leaf at the requested level. */
TDXSIM_CHECK(accept_not_accepted)
{
	(void)m;
	(void)st;
	if (sept_state_guest_accessible_leaf(sept_entry_state(x->entry)))
		return tdx_status_with_operand(TDX_PAGE_ALREADY_ACCEPTED, x->level);
	return TDX_SUCCESS;
}

/* TDG.MEM.PAGE.ACCEPT decision 5: anything but PENDING / PENDING_EXPORTED_DIRTY ->
 * release the entry lock (the interpreter's unwind) and EPT-violation TD exit. */
TDXSIM_CHECK(accept_pending)
{
	(void)m;
	(void)st;
	if (!sept_state_pending_guest_acceptable(sept_entry_state(x->entry)))
		return sept_accept_td_exit(x, sept_gpa_of(x->regs.r[OPERAND_ID_RCX]),
					   tdx_status_with_operand(TDX_EPT_ENTRY_STATE_INCORRECT,
								   OPERAND_ID_RCX));
	return TDX_SUCCESS;
}

/* TDH.MEM.TRACK, 1.5.05 (§0): fatal error if TD_EPOCH reached BITS(62,0) after the
 * increment.  The module halts: this and every later SEAMCALL fail with
 * TDX_SEAMCALL_VMFAILINVALID. */
TDXSIM_CHECK(td_epoch_overflow_halt)
{
	(void)st;
	struct td_obj *td = sept_td(m, x);
	if (atomic_load(&td->td_epoch) >= (1ull << 63) - 1) {
		mod_halt(m, SEPT_HALT_TD_EPOCH_OVERFLOW, leaf_number(m, x));
		return TDX_SEAMCALL_VMFAILINVALID;
	}
	return TDX_SUCCESS;
}

/* TDH.MEM.TRACK step 3, under the epoch lock held exclusively (§5.3). */
TDXSIM_CHECK(prev_epoch_refcount_zero)
{
	(void)st;
	struct td_obj *td = sept_td(m, x);
	uint64_t epoch = atomic_load(&td->td_epoch);
	if (atomic_load(&td->refcount[1 - (epoch & 1)]) != 0)
		return TDX_PREVIOUS_TLB_EPOCH_BUSY;
	return TDX_SUCCESS;
}

/* ---- conditions ---- */

/* TDH.MEM.SEPT.ADD: the new page is locked only when the entry is FREE. */
TDXSIM_COND(entry_free)
{
	(void)m;
	return sept_entry_state(x->entry) == SEPT_FREE;
}

/* The emulator models no L2 VMs (TD_PARAMS.NUM_L2_VMS = 0): no L2 SEPT pages are
 * ever given or aliased. */
TDXSIM_COND(l2_pages_present)
{
	(void)m;
	(void)x;
	return false;
}

TDXSIM_COND(l2_alias_present)
{
	(void)m;
	(void)x;
	return false;
}

/* §5.3: sept_state_is_tlb_tracking_required(entry) and
 * op_state_is_tlb_tracking_required(op_state); op_state is read under the op_state
 * lock the leaf holds. */
TDXSIM_COND(tlb_tracking_required)
{
	if (x->td == UINT32_MAX)
		return false;
	struct td_obj *td = mod_td(m, x->td);
	return sept_state_tlb_tracking_required(sept_entry_state(x->entry)) &&
	       sept_op_state_tlb_tracking_required(atomic_load(&td->op_state));
}
