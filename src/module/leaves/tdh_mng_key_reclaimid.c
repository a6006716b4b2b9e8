/* SPDX-License-Identifier: MIT */
/* TDH.MNG.KEY.RECLAIMID (27): a no-op that always succeeds in 1.5 (reference §3). */
#include "module/leaf_helpers.h"

TDXSIM_BODY(mng_key_reclaimid)
{
	TDXSIM_UNUSED_STEP_ARGS();
	return TDX_SUCCESS;
}
