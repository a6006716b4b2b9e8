/* SPDX-License-Identifier: MIT */
#include "module/sept_walk.h"

bool sept_gpa_is_private(struct tdxsim_mod *m, uint32_t td, uint64_t gpa)
{
	(void)m;
	(void)td;
	return gpa < (1ull << TDXSIM_GPAW) && !(gpa & TDXSIM_SHARED_BIT);
}

uint32_t sept_page_of_frame(struct tdxsim_mod *m, uint32_t frame)
{
	if (frame == UINT32_MAX || frame >= m->lay.n_frames)
		return UINT32_MAX;
	uint32_t idx = mod_frame(m, frame)->idx;
	if (idx >= m->lay.max_sept || !atomic_load(&mod_sept_meta(m, idx)->in_use) ||
	    mod_sept_meta(m, idx)->frame != frame)
		return UINT32_MAX;
	return idx;
}

bool sept_walk(struct tdxsim_mod *m, uint32_t td, uint64_t gpa, unsigned target, struct sept_walk *w)
{
	struct td_obj *t = mod_td(m, td);
	uint32_t page = t->sept_root;
	for (unsigned lvl = t->pwl;; lvl--) {
		unsigned idx = sept_index(gpa, lvl);
		uint64_t e = atomic_load_explicit(&mod_sept_page(m, page)->e[idx], memory_order_acquire);
		w->page = page;
		w->idx = (uint16_t)idx;
		w->level = (uint8_t)lvl;
		w->entry = e;
		if (lvl == target)
			return true;
		/* Stop at RWX == 0 (free, removed, blocked, pending) or at a leaf. */
		if ((e & SEPT_RWX) == 0 || (e & SEPT_PS) || lvl == 0)
			return false;
		uint32_t next = sept_page_of_frame(m, mod_frame_of(m, sept_hpa(e)));
		if (next == UINT32_MAX)
			return false;
		page = next;
	}
}

void sept_set_details(struct tdxsim_leaf_exec *x, const struct sept_walk *w)
{
	enum sept_state s = sept_state_of(w->entry);
	unsigned pub = s == SEPT_STATE_INVALID ? 0xFF : sept_public_state(s);
	/* The architectural entry hides the module's software bits (lock, HP). */
	x->regs.r[OPERAND_ID_RCX] = w->entry & ~(SEPT_TDEL | SEPT_HP);
	x->regs.r[OPERAND_ID_RDX] = (uint64_t)(w->level & 7) | ((uint64_t)pub << 8);
}

uint32_t sept_page_alloc(struct tdxsim_mod *m, uint32_t td, uint32_t frame, unsigned level)
{
	for (uint32_t i = 0; i < m->lay.max_sept; i++) {
		struct sept_meta *sm = mod_sept_meta(m, i);
		uint8_t expected = 0;
		if (!atomic_compare_exchange_strong(&sm->in_use, &expected, 1))
			continue;
		sm->td = td;
		sm->frame = frame;
		sm->level = (uint8_t)level;
		struct sept_page *p = mod_sept_page(m, i);
		for (unsigned k = 0; k < SEPT_ENTRIES_PER_PAGE; k++)
			atomic_store_explicit(&p->e[k], SEPTE_INIT_VALUE, memory_order_relaxed);
		mod_frame(m, frame)->idx = i;
		return i;
	}
	return UINT32_MAX;
}

void sept_page_free(struct tdxsim_mod *m, uint32_t page)
{
	struct sept_meta *sm = mod_sept_meta(m, page);
	struct sept_page *p = mod_sept_page(m, page);
	/* Zero the page so that freed pool slots compare equal across histories. */
	for (unsigned k = 0; k < SEPT_ENTRIES_PER_PAGE; k++)
		atomic_store_explicit(&p->e[k], 0, memory_order_relaxed);
	sm->td = 0;
	sm->frame = 0;
	sm->level = 0;
	atomic_store(&sm->in_use, 0);
}
