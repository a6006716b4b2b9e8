/* SPDX-License-Identifier: MIT */
/*
 * TDH.MEM.TRACK (leaf 38), reference §3 "TDH.MEM.TRACK", §5.3.  RCX = TDR.
 *
 * The table has already: TDR sh, TD state, op_state sh, epoch lock ex,
 * prev_epoch_refcount_zero (TDX_PREVIOUS_TLB_EPOCH_BUSY).  After this body it runs
 * td_epoch_overflow_halt (1.5.05) and releases epoch, op_state and TDR.
 */
#include "module/sept_ops.h"

TDXSIM_BODY(mem_track)
{
	(void)st;
	/* TD_EPOCH++ under the epoch lock held exclusively: VP.ENTER samples it under the
	 * same lock held shared, and the refcount slot of the new epoch is the one the
	 * previous epoch's check just found empty (§5.3). */
	atomic_fetch_add_explicit(&sept_td(m, x)->td_epoch, 1, memory_order_seq_cst);
	return TDX_SUCCESS;
}
