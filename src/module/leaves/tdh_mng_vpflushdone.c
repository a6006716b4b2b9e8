/* SPDX-License-Identifier: MIT */
/* TDH.MNG.VPFLUSHDONE (19), reference §3; RCX = TDR (ex), KOT (ex). */
#include "module/leaf_helpers.h"

TDXSIM_BODY(mng_vpflushdone)
{
	(void)st;
	struct td_obj *td = leaf_td(m, x);
	struct kot_entry *k = mod_kot(m, td->hkid);
	/* Every package that configured keys must CACHE.WB before KEY.FREEID. */
	atomic_store(&k->wbinvd_bitmap, atomic_load(&mod_global(m)->pkg_config_bitmap));
	td->lifecycle = TD_BLOCKED;
	k->state = KOT_STATE_HKID_FLUSHED;
	return TDX_SUCCESS;
}
