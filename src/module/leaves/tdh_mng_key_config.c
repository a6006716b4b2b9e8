/* SPDX-License-Identifier: MIT */
/* TDH.MNG.KEY.CONFIG (8), reference §3, tdh_mng_key_config.c; RCX = TDR (ex). */
#include "module/leaf_helpers.h"

TDXSIM_BODY(mng_key_config)
{
	(void)st;
	struct td_obj *td = leaf_td(m, x);
	/* PCONFIG of the TD's key on this package.  CHOICE: it cannot fail in the
	 * emulator (no entropy failure -> no TDX_KEY_GENERATION_FAILED; one PCONFIG is
	 * one body step, so none can be in flight concurrently -> no BUSY|KET). */
	td->pkg_config_bitmap |= (uint8_t)(1u << leaf_pkg(m, x));
	if (td->pkg_config_bitmap == atomic_load(&mod_global(m)->pkg_config_bitmap))
		td->lifecycle = TD_KEYS_CONFIGURED;
	return TDX_SUCCESS;
}
