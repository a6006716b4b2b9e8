/* SPDX-License-Identifier: MIT */
/*
 * TDH.MEM.RANGE.UNBLOCK (leaf 39), reference §3 "TDH.MEM.RANGE.UNBLOCK", §5.2, §9.3.
 * RCX = {level, GPA}, RDX = TDR.
 *
 * The table has already: TDR sh, TD state, op_state sh, sept_gpa_valid, tree ex,
 * walk, entry lock (host), state NL_BLOCKED, BLOCKED or PENDING_BLOCKED, and [TLB
 * tracking applies: tracked].  The unblocked value is stored with TDEL cleared in
 * the local copy (sept_lock_release_local), so the store releases the entry lock
 * (`releases: [SEPT_ENTRY]`).
 */
#include "tdxsim/lock.h"
#include "module/sept_ops.h"

TDXSIM_BODY(range_unblock)
{
	(void)st;
	uint64_t e = x->entry;
	switch (sept_entry_state(e)) {
	case SEPT_NL_BLOCKED:
		/* NL_MAPPED: RWX = 111, MT = 0. */
		e = (sept_with_state(e, SEPT_NL_MAPPED) & ~SEPT_MT_MASK) | SEPT_RWX;
		break;
	case SEPT_BLOCKED:
		/* MAPPED: RWX = 111, MT = WB. */
		e = (sept_with_state(e, SEPT_MAPPED) & ~SEPT_MT_MASK) | SEPT_MT_WB | SEPT_RWX;
		break;
	case SEPT_PENDING_BLOCKED:
		/* PENDING keeps RWX = 0 (and accept_counter).  Unblocking aliased L2
		 * entries is skipped for PENDING; there are none anyway. */
		e = sept_with_state(e, SEPT_PENDING);
		break;
	default:
		mod_fatal(m, x, "range_unblock on a state the table does not allow");
	}
	/* One 64-bit store of the copy with TDEL cleared; an HP bit set since the lock
	 * was taken is overwritten (§9.3). */
	e = tdxsim_sept_lock_release_local(e);
	atomic_store_explicit(&mod_sept_page(m, x->sept_pg)->e[x->sept_idx], e, memory_order_release);
	x->entry = e;
	return TDX_SUCCESS;
}
