/* SPDX-License-Identifier: MIT */
/* TDH.SYS.LP.INIT (35), reference §7.4 step 2; runs under the global lock (sh),
 * so several LPs may run it at once: the counter is an atomic increment. */
#include "module/leaf_helpers.h"

TDXSIM_BODY(sys_lp_init)
{
	(void)st;
	mod_lp(m, x->lp)->lp_is_init = 1;
	atomic_fetch_add(&mod_global(m)->num_of_init_lps, 1);
	return TDX_SUCCESS;
}
