/* SPDX-License-Identifier: MIT */
/*
 * TDH.MEM.PAGE.DEMOTE (leaf 15), reference §3 "Other SEPT leaves", §5.2, §6.
 * RCX = {level, GPA} of a large leaf (LVL_PD or LVL_PDPT), RDX = TDR, R8 = the new
 * SEPT page that will hold the 512 smaller leaves.
 *
 * The table has already: TDR sh, TD state, op_state sh, sept_gpa_valid, tree sh,
 * walk, entry lock (host), state MAPPED, BLOCKED, PENDING or PENDING_BLOCKED, the
 * new SEPT page's PAMT-X ex (PT_NDA), and the large page's PAMT-I ex at its size.
 * The entry lock is released with BTR when the leaf completes.
 *
 * The reference lists the allowed states and the locks but not the transition
 * ("not covered here").  Documented minimal version (CHOICES):
 *  - the new SEPT page gets 512 leaves one level down, each in the large leaf's
 *    state with the same attributes (RWX, MT, IPAT, SVE) and consecutive HPAs; a
 *    2 MB PENDING leaf's accept_counter is dropped (every 4 KB page is PENDING and
 *    is zeroed again when the guest accepts it);
 *  - the parent entry becomes NL_MAPPED (RWX = 111) pointing to the new page,
 *    written fresh with TDEL = 1 (HP cleared);
 *  - pamt_demote: the large page's PAMT entry becomes PT_NDA and each of its 512
 *    children takes PT_REG, the owner and the BEPOCH (so a demoted BLOCKED page keeps
 *    the epoch of its block for the later TLB-tracking checks);
 *  - the new SEPT page: PT_EPT, owner TDR, BEPOCH 0, chldcnt++ (the data pages keep
 *    their 512^level count);
 *  - TDX_INTERRUPTED_RESTARTABLE is never returned: the emulator has no host
 *    interrupts to poll.
 */
#include "module/sept_ops.h"

TDXSIM_BODY(page_demote)
{
	(void)st;
	struct td_obj *td = sept_td(m, x);
	unsigned level = x->walk_level, down = level - 1u;
	uint64_t e = x->entry;
	enum sept_state s = sept_entry_state(e);
	uint64_t base = sept_leaf_hpa(e, level);
	uint64_t step = sept_range_bytes(down);
	struct pamt_entry *large = sept_pamt_of_leaf(m, base, level);
	uint32_t frame = mod_frame_of(m, x->regs.r[OPERAND_ID_R8]);
	if (!large)
		mod_fatal(m, x, "SEPT leaf maps a page outside TDX memory");
	uint32_t page = sept_page_alloc(m, x->td, frame, down);
	if (page == UINT32_MAX)
		mod_fatal(m, x, "SEPT page pool exhausted (raise max_sept_pages)");
	/* The 512 smaller leaves, before the parent publishes the page. */
	uint64_t attrs = e & ~(SEPT_HPA_MASK | SEPT_TDEL | SEPT_HP | SEPT_STATE_ENCODING_MASK);
	struct sept_page *p = mod_sept_page(m, page);
	for (unsigned i = 0; i < SEPT_ENTRIES_PER_PAGE; i++)
		atomic_store_explicit(&p->e[i], sept_with_state(attrs | (base + i * step), s),
				      memory_order_relaxed);
	/* pamt_demote. */
	uint64_t bepoch = atomic_load(&large->bepoch);
	uint32_t first = mod_frame_of(m, base);
	for (unsigned i = 0; i < SEPT_ENTRIES_PER_PAGE; i++)
		sept_pamt_assign(pamt_entry_of(m, first + (uint32_t)(i * (step >> 12)), (enum pamt_level)down),
				 TDXSIM_PT_REG, sept_td_owner(m, td), bepoch);
	sept_pamt_free(large);
	/* The new SEPT page. */
	sept_pamt_assign(pamt_entry_of(m, frame, PAMT_4K), TDXSIM_PT_EPT, sept_td_owner(m, td), 0);
	atomic_fetch_add(&td->chldcnt, 1);
	/* The parent: NL_MAPPED, still locked. */
	e = sept_fresh_non_leaf(mod_hpa_of(m, frame)) | SEPT_TDEL;
	atomic_store_explicit(&mod_sept_page(m, x->sept_pg)->e[x->sept_idx], e, memory_order_release);
	x->entry = e;
	return TDX_SUCCESS;
}
