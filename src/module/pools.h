/* SPDX-License-Identifier: MIT */
/*
 * The pool of TD objects (TDR + TDCS), which the real module keeps inside the TD's
 * pages.  The emulator allocates one slot per TD and records it in
 * frame_obj[tdr_frame].idx; a freed slot is zeroed so that equal module states
 * compare equal byte for byte (DESIGN §3).  SEPT pages and vCPUs have their own
 * pools (sept_walk.h, vcpu.h).
 */
#ifndef TDXSIM_MODULE_POOLS_H
#define TDXSIM_MODULE_POOLS_H

#include "module/mod.h"

/* A zeroed TD object with in_use = 1, or UINT32_MAX if all max_tds are in use. */
uint32_t pool_td_alloc(struct tdxsim_mod *m);
void pool_td_free(struct tdxsim_mod *m, uint32_t td);

#endif
