/* SPDX-License-Identifier: MIT */
/* Shared Secure-EPT helpers (sept_ops.h). */
#include <string.h>

#include "module/sept_ops.h"
#include "module/registry.h"

uint64_t sept_fresh_leaf(uint64_t hpa, enum sept_state s)
{
	uint64_t e = (hpa & SEPT_HPA_MASK) | SEPT_MT_WB | sept_state_bits(s) | SEPT_SVE;
	if (s == SEPT_MAPPED)
		e |= SEPT_RWX;
	return e;
}

uint64_t sept_fresh_non_leaf(uint64_t hpa)
{
	return (hpa & SEPT_HPA_MASK) | SEPT_RWX | sept_state_bits(SEPT_NL_MAPPED) | SEPT_SVE;
}

void sept_pamt_assign(struct pamt_entry *pe, enum tdxsim_page_type pt, uint64_t owner,
		      uint64_t bepoch)
{
	pe->pt = (uint8_t)pt;
	pamt_set_owner(pe, owner);
	atomic_store_explicit(&pe->bepoch, bepoch, memory_order_relaxed);
}

void sept_pamt_free(struct pamt_entry *pe)
{
	/* The real module leaves owner and BEPOCH stale; nothing reads them while the
	 * page is PT_NDA, so they are zeroed as TDH.PHYMEM.PAGE.RECLAIM zeroes them:
	 * a free page has one byte image however it became free (equal module states
	 * are equal bytes, DESIGN §3). */
	sept_pamt_assign(pe, TDXSIM_PT_NDA, 0, 0);
}

bool sept_op_state_tlb_tracking_required(unsigned op_state)
{
	return op_state == OP_STATE_RUNNABLE || op_state == OP_STATE_LIVE_EXPORT ||
	       op_state == OP_STATE_LIVE_IMPORT;
}

bool sept_is_tlb_tracked(struct tdxsim_mod *m, struct td_obj *td, uint64_t bepoch)
{
	(void)m;
	if (bepoch & BEPOCH_MIG_FLAG)
		return false;
	/* §5.3: epoch_and_refcount is read as one 128-bit value.  The emulator keeps
	 * td_epoch and refcount[] in separate atomics, so it reads the epoch, the
	 * refcounts and the epoch again, and retries until the epoch did not move: the
	 * pair it uses then existed at one instant (a refcount change without an epoch
	 * change is a later or earlier instant of the same epoch, which the 128-bit read
	 * could equally have returned). */
	uint64_t epoch;
	uint16_t rc[2];
	for (;;) {
		epoch = atomic_load_explicit(&td->td_epoch, memory_order_acquire);
		rc[0] = atomic_load_explicit(&td->refcount[0], memory_order_acquire);
		rc[1] = atomic_load_explicit(&td->refcount[1], memory_order_acquire);
		if (atomic_load_explicit(&td->td_epoch, memory_order_acquire) == epoch)
			break;
	}
	if (bepoch + 1 < epoch)          /* bepoch < td_epoch - 1 (no underflow at 0) */
		return true;
	return bepoch + 1 == epoch && rc[bepoch & 1] == 0;
}

struct pamt_entry *sept_bepoch_entry(struct tdxsim_mod *m, const struct tdxsim_leaf_exec *x,
				     uint64_t e, unsigned level)
{
	struct pamt_entry *pe;
	if (sept_state_is_leaf(sept_entry_state(e)))
		pe = level <= SEPT_LVL_PDPT ? sept_pamt_of_leaf(m, sept_leaf_hpa(e, level), level) : NULL;
	else
		pe = sept_pamt_of_leaf(m, sept_hpa(e), SEPT_LVL_PT);
	if (!pe)
		mod_fatal(m, x, "SEPT entry maps a page outside TDX memory");
	return pe;
}

void sept_tlb_note_free(struct tdxsim_mod *m, uint32_t td, uint32_t frame, uint64_t old_entry,
			uint64_t bepoch)
{
	if (!m->check_invariants && !m->track_invariants)
		return;
	struct mod_global *g = mod_global(m);
	if (g->inv_tlb_frame)
		return; /* keep the first one */
	uint64_t limit;
	if (old_entry & SEPT_RWX)
		limit = UINT64_MAX;
	else if (sept_state_any_blocked(sept_entry_state(old_entry)))
		limit = bepoch;
	else
		return;
	struct td_obj *t = mod_td(m, td);
	uint64_t td_epoch = atomic_load(&t->td_epoch);
	for (uint32_t i = 0; i < m->lay.max_vcpus; i++) {
		struct vcpu_obj *v = mod_vcpu(m, i);
		if (!atomic_load(&v->in_use) || v->td != td)
			continue;
		uint64_t ve = v->vcpu_epoch;
		if (ve == 0 || ve > limit)
			continue;
		bool in_guest = atomic_load(&v->state) == VCPU_ACTIVE;
		if (!in_guest && td_epoch > ve)
			continue; /* its next TD entry flushes (VP.ENTER: TD_EPOCH != vcpu_epoch) */
		g->inv_tlb_frame = frame + 1;
		g->inv_tlb_vcpu = i;
		g->inv_tlb_vcpu_epoch = ve;
		g->inv_tlb_limit = limit;
		g->inv_tlb_td_epoch = td_epoch;
		return;
	}
}

/* State index of a §5.1 state name.  The table keeps step arguments as names, and
 * this runs on every sept_state_in: the 16 names differ in (first letter, length),
 * so one strcmp confirms the candidate. */
static int state_index(const char *name)
{
	static const struct { char c; uint8_t len; int8_t idx; } keys[] = {
		{ 'F', 4, SEPT_FREE }, { 'R', 7, SEPT_REMOVED }, { 'N', 9, SEPT_NL_MAPPED },
		{ 'N', 10, SEPT_NL_BLOCKED }, { 'M', 6, SEPT_MAPPED }, { 'B', 7, SEPT_BLOCKED },
		{ 'B', 8, SEPT_BLOCKEDW }, { 'E', 17, SEPT_EXPORTED_BLOCKEDW },
		{ 'E', 14, SEPT_EXPORTED_DIRTY }, { 'E', 23, SEPT_EXPORTED_DIRTY_BLOCKEDW },
		{ 'P', 7, SEPT_PENDING }, { 'P', 15, SEPT_PENDING_BLOCKED },
		{ 'P', 16, SEPT_PENDING_BLOCKEDW }, { 'P', 25, SEPT_PENDING_EXPORTED_BLOCKEDW },
		{ 'P', 22, SEPT_PENDING_EXPORTED_DIRTY }, { 'P', 31, SEPT_PENDING_EXPORTED_DIRTY_BLOCKEDW },
	};
	size_t len = strlen(name);
	for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].c == name[0] && keys[i].len == len)
			return strcmp(name, sept_state_name((enum sept_state)keys[i].idx)) ? -1 : keys[i].idx;
	return -1;
}

uint32_t sept_step_state_mask(struct tdxsim_mod *m, const struct tdxsim_leaf_exec *x,
			      const struct tdxsim_step *st)
{
	uint32_t mask = 0;
	for (unsigned i = 0; i < st->nargs; i++) {
		int s = state_index(st->args[i]);
		if (s < 0)
			s = tdxsim_registry_arg_value(TDXSIM_ARG_SEPT_STATE, st->args[i]);
		if (s < 0)
			mod_fatal(m, x, "sept_state_in: unknown SEPT state (the loader should refuse it)");
		mask |= 1u << s;
	}
	return mask;
}

void sept_details_from_exec(struct tdxsim_leaf_exec *x)
{
	struct sept_walk w = {
		.page = x->sept_pg, .idx = x->sept_idx, .level = x->walk_level, .entry = x->entry,
	};
	sept_set_details(x, &w);
}
