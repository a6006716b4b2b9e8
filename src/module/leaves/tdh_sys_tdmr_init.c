/* SPDX-License-Identifier: MIT */
/*
 * TDH.SYS.TDMR.INIT (36), reference §6 "Initialization", §7.4 step 5,
 * tdh_sys_tdmr_init.c.  RCX = TDMR base (checked by tdmr_valid, which also sets
 * RDX = 0 and the TDMR index); runs under the TDMR's mutex.
 */
#include "module/leaf_helpers.h"
#include "module/pamt.h"

#define GB1 (1ull << 30)

static void pamt_entry_init(struct pamt_entry *pe)
{
	pe->pt = TDXSIM_PT_NDA;
	pamt_set_owner(pe, 0);
	atomic_store_explicit(&pe->bepoch, 0, memory_order_relaxed);
}

TDXSIM_BODY(sys_tdmr_init)
{
	(void)st;
	struct tdmr_entry *t = mod_tdmr(m, (unsigned)x->scratch[0]);
	uint64_t end = t->base + t->size;
	uint64_t last = atomic_load_explicit(&t->last_initialized, memory_order_relaxed);
	if (last >= end)
		return TDX_TDMR_ALREADY_INITIALIZED; /* RDX stays 0 */

	/* pamt_init of TDMR_4K_PAMT_INIT_COUNT 4K entries (PT_NDA: the emulated TDMRs
	 * have no reserved areas), and the 2M/1G node entries whose first 4K child
	 * this call reaches.  The emulator caps the last call at the TDMR's end (real
	 * TDMRs are whole GBs, so the real module never overshoots). */
	uint64_t stop = last + (uint64_t)TDMR_4K_PAMT_INIT_COUNT * PAGE_SIZE_4K;
	if (stop > end)
		stop = end;
	for (uint64_t pa = last; pa < stop; pa += PAGE_SIZE_4K) {
		uint32_t f = mod_frame_of(m, pa);
		if (f == UINT32_MAX)
			mod_fatal(m, x, "TDMR outside the emulated memory");
		struct pamt_entry *pe = mod_pamt(m, PAMT_4K, f);
		atomic_store_explicit(&pe->lock, 0, memory_order_relaxed);
		pamt_entry_init(pe);
		/* Node entries: only at their aligned first child.  Their lock word is not
		 * touched: emulated TDMRs may share a 1G block (n_tdmrs > 1), whose entry
		 * can be in use by pages of an initialized TDMR. */
		uint64_t rel = pa - m->lay.mem_base;
		if ((rel & ((1ull << 21) - 1)) == 0)
			pamt_entry_init(pamt_entry_of(m, f, PAMT_2M));
		if ((rel & (GB1 - 1)) == 0)
			pamt_entry_init(pamt_entry_of(m, f, PAMT_1G));
	}
	/* pamt_get_block reads last_initialized without the mutex: publish the entries. */
	atomic_store_explicit(&t->last_initialized, stop, memory_order_release);

	/* The next-to-initialize address rounded down to 1 GB, so that the VMM never
	 * uses a partly initialized GB.  CHOICE: once the TDMR is complete, its end
	 * (which equals the real value for whole-GB TDMRs, and lets Linux's
	 * "while (next < base + size)" loop end for emulated TDMRs smaller than 1 GB). */
	x->regs.r[OPERAND_ID_RDX] = stop >= end ? end : stop & ~(GB1 - 1);
	return TDX_SUCCESS;
}
