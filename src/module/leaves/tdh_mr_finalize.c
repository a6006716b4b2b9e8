/* SPDX-License-Identifier: MIT */
/* TDH.MR.FINALIZE (17), reference §3; RCX = TDR (ex), op_state read with NO_LOCK. */
#include <xxhash.h>

#include "module/leaf_helpers.h"

TDXSIM_BODY(mr_finalize)
{
	(void)st;
	struct td_obj *td = leaf_td(m, x);
	/* Finalize MRTD (and the SERVTD hash, not modelled). */
	uint64_t tag = 0x454E49464E49464Dull; /* "MFINFINE" */
	td->mrtd = XXH64(&tag, sizeof(tag), td->mrtd);
	atomic_store_explicit(&td->op_state, OP_STATE_RUNNABLE, memory_order_release);
	return TDX_SUCCESS;
}
