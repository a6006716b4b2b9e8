/* SPDX-License-Identifier: MIT */
/*
 * TDH.MEM.RANGE.BLOCK (leaf 7), reference §3 "TDH.MEM.RANGE.BLOCK", §5.2, §9.3.
 * RCX = {level, GPA} (LVL_PT .. pwl), RDX = TDR.
 *
 * The table has already: TDR sh, TD state, op_state sh, sept_gpa_valid, tree ex,
 * walk, entry lock (host, which cleared HP), sept_not_blocked (already blocked ->
 * TDX_GPA_RANGE_ALREADY_BLOCKED), state NL_MAPPED, MAPPED, BLOCKEDW, PENDING or
 * PENDING_BLOCKEDW.  The entry lock is released with BTR when the leaf completes.
 */
#include "module/sept_ops.h"

TDXSIM_BODY(range_block)
{
	(void)st;
	struct td_obj *td = sept_td(m, x);
	uint64_t e = x->entry;
	enum sept_state s = sept_entry_state(e), to;
	switch (s) {
	case SEPT_NL_MAPPED: to = SEPT_NL_BLOCKED; break;
	case SEPT_MAPPED:
	case SEPT_BLOCKEDW: to = SEPT_BLOCKED; break;
	case SEPT_PENDING:
	case SEPT_PENDING_BLOCKEDW: to = SEPT_PENDING_BLOCKED; break;
	default:
		mod_fatal(m, x, "range_block on a state the table does not allow");
	}
	/* The blocked value is built from the copy taken right after the entry lock:
	 * TDEL stays 1, and an HP bit a failing host set since then is overwritten
	 * (§9.3).  RWX is cleared; everything else (HPA, MT, accept_counter) is kept. */
	e = sept_with_state(e, to) & ~SEPT_RWX;
	atomic_store_explicit(&mod_sept_page(m, x->sept_pg)->e[x->sept_idx], e, memory_order_seq_cst);
	x->entry = e;
	/* Block aliased L2 entries: no L2 VMs in the emulator.
	 * BEPOCH := TD_EPOCH, sampled after the entry is blocked, written to the mapped
	 * page's PAMT entry (leaf size) or the child SEPT page's 4K entry, without a
	 * PAMT lock (§3 step 7). */
	uint64_t epoch = atomic_load_explicit(&td->td_epoch, memory_order_seq_cst);
	struct pamt_entry *pe = sept_bepoch_entry(m, x, e, x->walk_level);
	atomic_store_explicit(&pe->bepoch, epoch, memory_order_release);
	return TDX_SUCCESS;
}
