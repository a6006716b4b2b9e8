/* SPDX-License-Identifier: MIT */
/* TDH.SYS.INIT (33), reference §7.4 step 1; runs under the global lock (ex). */
#include "module/leaf_helpers.h"

/* Platform and CPU checks always pass in the emulator; the platform shape comes
 * from struct tdxsim_module_config. */
TDXSIM_BODY(sys_init)
{
	(void)x;
	(void)st;
	struct mod_global *g = mod_global(m);
	g->num_of_lps = (uint16_t)m->lay.n_lps;
	g->num_of_pkgs = (uint16_t)m->lay.n_pkgs;
	atomic_store(&g->num_of_init_lps, 0);
	g->num_of_init_pkgs = 0;
	atomic_store(&g->pkg_config_bitmap, 0);
	atomic_store_explicit(&g->sys_state, SYSINIT_DONE, memory_order_release);
	return TDX_SUCCESS;
}
