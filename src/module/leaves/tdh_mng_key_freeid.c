/* SPDX-License-Identifier: MIT */
/* TDH.MNG.KEY.FREEID (20), reference §3; RCX = TDR (ex), KOT (ex). */
#include "module/leaf_helpers.h"

TDXSIM_BODY(mng_key_freeid)
{
	(void)st;
	struct td_obj *td = leaf_td(m, x);
	mod_kot(m, td->hkid)->state = KOT_STATE_HKID_FREE;
	td->lifecycle = TD_TEARDOWN;
	return TDX_SUCCESS;
}
