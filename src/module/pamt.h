/* SPDX-License-Identifier: MIT */
/* PAMT lookups and the lock walk of reference §1.6 and §6. */
#ifndef TDXSIM_MODULE_PAMT_H
#define TDXSIM_MODULE_PAMT_H

#include "module/mod.h"

/* pamt_get_block: the TDMR covering hpa and initialized up to it; -1 if none. */
int pamt_get_block(struct tdxsim_mod *m, uint64_t hpa);
/* PAMT entry of the frame at a level (4K entry, or its 2M / 1G parent). */
struct pamt_entry *pamt_entry_of(struct tdxsim_mod *m, uint32_t frame, enum pamt_level lvl);
/* Size in bytes / 4K pages of a PAMT level. */
static inline uint64_t pamt_level_bytes(enum pamt_level l)
{
	return l == PAMT_1G ? (1ull << 30) : l == PAMT_2M ? (1ull << 21) : (1ull << 12);
}

struct pamt_walk_result {
	uint32_t frame;
	uint8_t want;   /* wanted leaf level (enum pamt_level), 0xFF = whatever exists */
};

struct pamt_op {
	enum pamt_level level;
	uint32_t index;
	enum tdxsim_mode mode;
	bool promote;
};

/* Argument checks of check_and_lock_explicit_private_hpa (steps 1-2) or the
 * implicit target; returns the completion status on error. */
tdx_status_t pamt_lock_start(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x,
			     const struct tdxsim_step *st, struct pamt_walk_result *res);
/* The next lock operation of the walk in progress (x->sub, x->pamt_*). */
void pamt_next_op(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x, const struct tdxsim_step *st,
		  struct pamt_op *op);
/* After a successful operation: advance x->sub; true if the walk needs more. */
bool pamt_advance(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x, const struct tdxsim_step *st,
		  const struct pamt_op *op);
/* Checks after the leaf lock: size, page type, free range; records the frame. */
tdx_status_t pamt_lock_finish(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x,
			      const struct tdxsim_step *st, enum pamt_level leaf);

#endif
