/* SPDX-License-Identifier: MIT */
/* Walking the Secure-EPT of a TD (reference §1.6 "SEPT walk", §5). */
#ifndef TDXSIM_MODULE_SEPT_WALK_H
#define TDXSIM_MODULE_SEPT_WALK_H

#include "module/mod.h"

/* The emulated TD uses a 4-level SEPT and a 48-bit GPA width: bit 47 is the
 * shared bit (TD_PARAMS choices; docs/api.md). */
#define TDXSIM_GPAW 48
#define TDXSIM_SHARED_BIT (1ull << (TDXSIM_GPAW - 1))
#define TDXSIM_SEPT_PWL SEPT_LVL_PML4

struct sept_walk {
	uint32_t page;   /* SEPT page holding the entry reached */
	uint16_t idx;    /* its index */
	uint8_t level;   /* level of that entry */
	uint64_t entry;  /* its value when read */
};

static inline unsigned sept_index(uint64_t gpa, unsigned level)
{
	return (unsigned)((gpa >> (12 + 9 * level)) & (SEPT_ENTRIES_PER_PAGE - 1));
}
static inline uint64_t sept_level_bytes(unsigned level)
{
	return 1ull << (12 + 9 * level);
}

/* Private GPA: below 2^GPAW with the shared bit clear. */
bool sept_gpa_is_private(struct tdxsim_mod *m, uint32_t td, uint64_t gpa);
/* Walk from the root towards `target`; stops early at an entry with RWX == 0 or a
 * leaf (§1.6).  Returns true if `target` was reached.  Reads are atomic loads:
 * callers may walk without the tree lock, as PAGE.ADD and ACCEPT do. */
bool sept_walk(struct tdxsim_mod *m, uint32_t td, uint64_t gpa, unsigned target, struct sept_walk *w);
/* SEPT pool index of the page at a frame, UINT32_MAX if none. */
uint32_t sept_page_of_frame(struct tdxsim_mod *m, uint32_t frame);
/* The architectural details VMM callers get on a walk failure (set_arch_septe_details_in_vmm_regs):
 * RCX = entry, RDX = {level[2:0], public state[15:8], vm[17:16]}. */
void sept_set_details(struct tdxsim_leaf_exec *x, const struct sept_walk *w);
/* Allocate / free a SEPT pool page for a TD at a frame; UINT32_MAX if the pool is full. */
uint32_t sept_page_alloc(struct tdxsim_mod *m, uint32_t td, uint32_t frame, unsigned level);
void sept_page_free(struct tdxsim_mod *m, uint32_t page);

#endif
