/* SPDX-License-Identifier: MIT */
/* TDH.SYS.KEY.CONFIG (31), reference §7.4 step 4; under the global lock (ex). */
#include "module/leaf_helpers.h"

TDXSIM_BODY(sys_key_config)
{
	(void)st;
	struct mod_global *g = mod_global(m);
	uint8_t bit = (uint8_t)(1u << leaf_pkg(m, x));
	/* LOCK BTS on pkg_config_bitmap: already set -> informational status. */
	if (atomic_fetch_or(&g->pkg_config_bitmap, bit) & bit)
		return TDX_KEY_CONFIGURED;
	/* PCONFIG of the global private key.  It cannot fail in the emulator: there is
	 * no entropy failure, and one PCONFIG is one body step, so two can never be in
	 * flight on a package at once (no MKTME_DEVICE_BUSY -> BUSY|KET; the real
	 * module would clear the package bit again on either failure). */
	g->num_of_init_pkgs++;
	if (g->num_of_init_pkgs == g->num_of_pkgs)
		atomic_store_explicit(&g->sys_state, SYS_READY, memory_order_release);
	return TDX_SUCCESS;
}
