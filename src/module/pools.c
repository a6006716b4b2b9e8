/* SPDX-License-Identifier: MIT */
#include <stddef.h>
#include <string.h>

#include "module/pools.h"

static_assert(offsetof(struct td_obj, in_use) == 0, "pool_td_free zeroes what follows in_use");

/* Slots are claimed with a CAS on in_use, so that concurrent allocations under
 * shared locks never hand out the same slot. */

uint32_t pool_td_alloc(struct tdxsim_mod *m)
{
	for (uint32_t i = 0; i < m->lay.max_tds; i++) {
		struct td_obj *td = mod_td(m, i);
		uint8_t expected = 0;
		if (atomic_compare_exchange_strong(&td->in_use, &expected, 1)) {
			/* A free slot is all zeroes (pool_td_free); set the non-zero defaults. */
			td->sept_root = UINT32_MAX;
			return i;
		}
	}
	return UINT32_MAX;
}

void pool_td_free(struct tdxsim_mod *m, uint32_t i)
{
	struct td_obj *td = mod_td(m, i);
	/* Zero everything but in_use, then give the slot back. */
	memset((uint8_t *)td + sizeof(td->in_use), 0, sizeof(*td) - sizeof(td->in_use));
	atomic_store(&td->in_use, 0);
}
