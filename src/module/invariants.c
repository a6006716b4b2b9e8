/* SPDX-License-Identifier: MIT */
/* Module invariants (invariants.h, DESIGN §6). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "module/invariants.h"
#include "module/sept_ops.h"

static bool broken(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool broken(char *why, size_t len, const char *fmt, ...)
{
	if (why && len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* ---- PAMT view ---- */

/* The leaf of the PAMT hierarchy holding a frame (§6: a 1G or 2M entry with PT_REG
 * is the leaf, else the 4K entry). */
static enum pamt_level leaf_level(struct tdxsim_mod *m, uint32_t f)
{
	if (mod_pamt(m, PAMT_1G, f >> 18)->pt == TDXSIM_PT_REG)
		return PAMT_1G;
	if (mod_pamt(m, PAMT_2M, f >> 9)->pt == TDXSIM_PT_REG)
		return PAMT_2M;
	return PAMT_4K;
}

static uint32_t level_base(uint32_t f, enum pamt_level l)
{
	return f & ~((1u << (9 * l)) - 1);
}

/* TD object whose TDR is named by a PAMT owner field (TDR PA >> 12), UINT32_MAX if
 * none: the TD object must be in use, its TDR at that frame and PT_TDR. */
static uint32_t td_of_owner(struct tdxsim_mod *m, uint64_t owner)
{
	uint32_t f = mod_frame_of(m, owner << 12);
	if (f == UINT32_MAX || mod_pamt(m, PAMT_4K, f)->pt != TDXSIM_PT_TDR)
		return UINT32_MAX;
	for (uint32_t i = 0; i < m->lay.max_tds; i++) {
		struct td_obj *t = mod_td(m, i);
		if (atomic_load(&t->in_use) && t->tdr_frame == f)
			return i;
	}
	return UINT32_MAX;
}

static bool pt_valid(uint8_t pt)
{
	return pt == TDXSIM_PT_NDA || pt == TDXSIM_PT_RSVD || pt == TDXSIM_PT_REG ||
	       pt == TDXSIM_PT_TDR || pt == TDXSIM_PT_TDCX || pt == TDXSIM_PT_TDVPR ||
	       pt == TDXSIM_PT_EPT;
}

static bool frame_in_td_tdcx(struct tdxsim_mod *m, uint32_t td, uint32_t f)
{
	struct td_obj *t = mod_td(m, td);
	for (unsigned i = 0; i < t->num_tdcx && i < MAX_NUM_TDCS_PAGES; i++)
		if (t->tdcx_frame[i] == f)
			return true;
	for (uint32_t v = 0; v < m->lay.max_vcpus; v++) {
		struct vcpu_obj *o = mod_vcpu(m, v);
		if (!atomic_load(&o->in_use) || o->td != td)
			continue;
		for (unsigned i = 0; i + 1 < o->num_tdvps_pages && i < MAX_NUM_TDVPS_PAGES; i++)
			if (o->tdvpx_frame[i] == f)
				return true;
	}
	return false;
}

static bool check_pamt(struct tdxsim_mod *m, uint64_t *child_pages, char *why, size_t len)
{
	const char *T = "page-owner";
	for (uint32_t i = 0; i < m->lay.n_1g; i++) {
		uint8_t pt = mod_pamt(m, PAMT_1G, i)->pt;
		if (pt != TDXSIM_PT_NDA && pt != TDXSIM_PT_REG)
			return broken(why, len, "pamt-type: 1G PAMT entry %u has page type %u", i, pt);
	}
	for (uint32_t i = 0; i < m->lay.n_2m; i++) {
		uint8_t pt = mod_pamt(m, PAMT_2M, i)->pt;
		if (pt != TDXSIM_PT_NDA && pt != TDXSIM_PT_REG)
			return broken(why, len, "pamt-type: 2M PAMT entry %u has page type %u", i, pt);
		if (pt == TDXSIM_PT_REG && mod_pamt(m, PAMT_1G, i >> 9)->pt == TDXSIM_PT_REG)
			return broken(why, len, "pamt-type: 2M PAMT entry %u is PT_REG inside a 1G PT_REG page", i);
	}
	enum pamt_level l = PAMT_4K;
	for (uint32_t f = 0; f < m->lay.n_frames; f++) {
		struct pamt_entry *p4 = mod_pamt(m, PAMT_4K, f);
		if (!pt_valid(p4->pt))
			return broken(why, len, "pamt-type: frame %u has page type %u", f, p4->pt);
		if (f % PAMT_CHILD_ENTRIES == 0)
			l = leaf_level(m, f); /* the same for the 512 frames of a 2 MB block */
		if (l != PAMT_4K && p4->pt != TDXSIM_PT_NDA)
			return broken(why, len, "pamt-type: frame %u is %s under a %s PT_REG page", f,
				      tdxsim_page_type_name(p4->pt), l == PAMT_1G ? "1G" : "2M");
		if (level_base(f, l) != f)
			continue;
		struct pamt_entry *pe = pamt_entry_of(m, f, l);
		if (pe->pt == TDXSIM_PT_NDA || pe->pt == TDXSIM_PT_RSVD)
			continue; /* most frames: nothing more to check */
		uint64_t owner = pamt_owner(pe);
		uint64_t hpa = mod_hpa_of(m, f);
		switch (pe->pt) {
		case TDXSIM_PT_TDR: {
			uint32_t td = mod_frame(m, f)->idx;
			if (td >= m->lay.max_tds || !atomic_load(&mod_td(m, td)->in_use) ||
			    mod_td(m, td)->tdr_frame != f)
				return broken(why, len, "%s: PT_TDR page 0x%llx is not the TDR of a TD object",
					      T, (unsigned long long)hpa);
			if (owner != 0)
				return broken(why, len, "%s: TDR page 0x%llx has owner 0x%llx (must be 0)", T,
					      (unsigned long long)hpa, (unsigned long long)owner);
			break;
		}
		case TDXSIM_PT_TDVPR: {
			uint32_t v = mod_frame(m, f)->idx;
			struct vcpu_obj *o = v < m->lay.max_vcpus ? mod_vcpu(m, v) : NULL;
			if (!o || !atomic_load(&o->in_use) || o->tdvpr_frame != f)
				return broken(why, len, "%s: PT_TDVPR page 0x%llx is not the TDVPR of a vCPU object",
					      T, (unsigned long long)hpa);
			if (o->td >= m->lay.max_tds || sept_td_owner(m, mod_td(m, o->td)) != owner)
				return broken(why, len, "%s: TDVPR page 0x%llx owner 0x%llx is not its TD's TDR",
					      T, (unsigned long long)hpa, (unsigned long long)owner);
			break;
		}
		default:
			break;
		}
		if (pe->pt == TDXSIM_PT_REG || pe->pt == TDXSIM_PT_TDCX || pe->pt == TDXSIM_PT_TDVPR ||
		    pe->pt == TDXSIM_PT_EPT) {
			uint32_t td = td_of_owner(m, owner);
			if (td == UINT32_MAX)
				return broken(why, len, "%s: %s page 0x%llx is owned by 0x%llx, which is not a live TD's TDR",
					      T, tdxsim_page_type_name(pe->pt), (unsigned long long)hpa,
					      (unsigned long long)(owner << 12));
			child_pages[td] += pe->pt == TDXSIM_PT_REG ? 1ull << (9 * l) : 1;
			/* In TD_TEARDOWN the pages go in any order: a TDVPX page outlives its
			 * TDVPR (and the vCPU object) when the VMM reclaims the TDVPR first. */
			if (pe->pt == TDXSIM_PT_TDCX && mod_td(m, td)->lifecycle != TD_TEARDOWN &&
			    !frame_in_td_tdcx(m, td, f))
				return broken(why, len, "%s: PT_TDCX page 0x%llx is in neither its TD's TDCS nor a TDVPS",
					      T, (unsigned long long)hpa);
			if (pe->pt == TDXSIM_PT_EPT) {
				uint32_t sp = sept_page_of_frame(m, f);
				if (sp == UINT32_MAX || mod_sept_meta(m, sp)->td != td)
					return broken(why, len, "%s: PT_EPT page 0x%llx is not a SEPT page of its TD",
						      T, (unsigned long long)hpa);
			}
		}
	}
	return true;
}

/* ---- SEPT view ---- */

struct sept_ctx {
	struct tdxsim_mod *m;
	uint32_t td;
	uint8_t *visited;   /* [max_sept] */
	uint8_t *mapped;    /* [n_frames]: leaves mapping each frame (saturating) */
	char *why;
	size_t len;
};

static bool walk_page(struct sept_ctx *c, uint32_t page, unsigned level, uint64_t gpa_base)
{
	struct tdxsim_mod *m = c->m;
	struct td_obj *td = mod_td(m, c->td);
	struct sept_meta *sm = mod_sept_meta(m, page);
	if (sm->level != level)
		return broken(c->why, c->len, "sept-tree: SEPT page %u of TD %u has level %u, reached at level %u",
			      page, c->td, sm->level, level);
	for (unsigned i = 0; i < SEPT_ENTRIES_PER_PAGE; i++) {
		uint64_t e = atomic_load_explicit(&mod_sept_page(m, page)->e[i], memory_order_relaxed);
		if (e == SEPTE_INIT_VALUE)
			continue; /* most entries: FREE, nothing to check */
		uint64_t gpa = gpa_base + (uint64_t)i * sept_level_bytes(level);
		enum sept_state s = sept_state_of(e);
		if (s == SEPT_STATE_INVALID)
			return broken(c->why, c->len, "sept-state: TD %u GPA 0x%llx level %u entry 0x%016llx is no SEPT state",
				      c->td, (unsigned long long)gpa, level, (unsigned long long)e);
		if (s == SEPT_NL_MAPPED || s == SEPT_NL_BLOCKED) {
			uint32_t f = mod_frame_of(m, sept_hpa(e));
			uint32_t child = sept_page_of_frame(m, f);
			if (level == 0 || child == UINT32_MAX || mod_sept_meta(m, child)->td != c->td)
				return broken(c->why, c->len, "sept-tree: TD %u GPA 0x%llx level %u: %s entry 0x%016llx does not lead to a SEPT page of the TD",
					      c->td, (unsigned long long)gpa, level, sept_state_name(s),
					      (unsigned long long)e);
			if (c->visited[child]++)
				return broken(c->why, c->len, "sept-tree: SEPT page %u of TD %u has two parents", child, c->td);
			if (mod_pamt(m, PAMT_4K, f)->pt != TDXSIM_PT_EPT ||
			    pamt_owner(mod_pamt(m, PAMT_4K, f)) != sept_td_owner(m, td))
				return broken(c->why, c->len, "sept-tree: SEPT page 0x%llx of TD %u is not PT_EPT owned by its TDR",
					      (unsigned long long)sept_hpa(e), c->td);
			if (!walk_page(c, child, level - 1, gpa))
				return false;
			continue;
		}
		if (!sept_state_is_leaf(s))
			continue; /* FREE, REMOVED */
		if (level > SEPT_LVL_PDPT)
			return broken(c->why, c->len, "sept-leaf-page: TD %u GPA 0x%llx: %s leaf at level %u",
				      c->td, (unsigned long long)gpa, sept_state_name(s), level);
		uint64_t base = sept_hpa(e) & ~(sept_level_bytes(level) - 1);
		uint64_t low = sept_hpa(e) & (sept_level_bytes(level) - 1);
		bool counter_ok = level == SEPT_LVL_PD && (low & ~SEPT_ACCEPT_COUNTER_MASK) == 0 &&
				  (s == SEPT_PENDING || s == SEPT_PENDING_BLOCKED || s == SEPT_PENDING_BLOCKEDW ||
				   s == SEPT_PENDING_EXPORTED_BLOCKEDW || s == SEPT_PENDING_EXPORTED_DIRTY ||
				   s == SEPT_PENDING_EXPORTED_DIRTY_BLOCKEDW);
		uint32_t f = mod_frame_of(m, base);
		enum pamt_level want = (enum pamt_level)level;
		if ((low && !counter_ok) || f == UINT32_MAX)
			return broken(c->why, c->len, "sept-leaf-page: TD %u GPA 0x%llx: %s leaf 0x%016llx maps no page of TDX memory at its size",
				      c->td, (unsigned long long)gpa, sept_state_name(s), (unsigned long long)e);
		struct pamt_entry *pe = pamt_entry_of(m, f, want);
		if (leaf_level(m, f) != want || pe->pt != TDXSIM_PT_REG || pamt_owner(pe) != sept_td_owner(m, td))
			return broken(c->why, c->len, "sept-leaf-page: TD %u GPA 0x%llx: %s leaf at level %u maps 0x%llx, whose PAMT is %s/%s owner 0x%llx",
				      c->td, (unsigned long long)gpa, sept_state_name(s), level,
				      (unsigned long long)base, tdxsim_page_type_name(pe->pt),
				      leaf_level(m, f) == PAMT_4K ? "4K" : leaf_level(m, f) == PAMT_2M ? "2M" : "1G",
				      (unsigned long long)(pamt_owner(pe) << 12));
		if (c->mapped[f] < 255)
			c->mapped[f]++;
	}
	return true;
}

static bool check_sept(struct tdxsim_mod *m, uint8_t *mapped, uint8_t *walkable, char *why, size_t len)
{
	uint8_t *visited = calloc(m->lay.max_sept ? m->lay.max_sept : 1, 1);
	if (!visited)
		return broken(why, len, "sept-tree: out of memory for the check");
	bool ok = true;
	for (uint32_t t = 0; t < m->lay.max_tds && ok; t++) {
		struct td_obj *td = mod_td(m, t);
		if (!atomic_load(&td->in_use))
			continue;
		/* Once the TD is torn down (TD_TEARDOWN) RECLAIM returns pages to PT_NDA while
		 * the SEPT still names them; before KEY.CONFIG and before the root exists
		 * there is no tree. */
		if ((td->lifecycle != TD_KEYS_CONFIGURED && td->lifecycle != TD_BLOCKED) ||
		    td->num_tdcx <= TDCS_SEPT_ROOT_INDEX || td->sept_root >= m->lay.max_sept ||
		    !atomic_load(&mod_sept_meta(m, td->sept_root)->in_use))
			continue;
		walkable[t] = 1;
		struct sept_ctx c = { m, t, visited, mapped, why, len };
		visited[td->sept_root] = 1;
		ok = walk_page(&c, td->sept_root, td->pwl, 0);
		for (uint32_t p = 0; p < m->lay.max_sept && ok; p++) {
			struct sept_meta *sm = mod_sept_meta(m, p);
			if (atomic_load(&sm->in_use) && sm->td == t && !visited[p])
				ok = broken(why, len, "sept-tree: SEPT page %u (0x%llx) of TD %u is not reachable from its root",
					    p, (unsigned long long)mod_hpa_of(m, sm->frame), t);
		}
	}
	free(visited);
	return ok;
}

static bool check_mapped(struct tdxsim_mod *m, const uint8_t *mapped, const uint8_t *walkable,
			 char *why, size_t len)
{
	enum pamt_level l = PAMT_4K;
	for (uint32_t f = 0; f < m->lay.n_frames; f++) {
		if (f % PAMT_CHILD_ENTRIES == 0)
			l = leaf_level(m, f); /* the same for the 512 frames of a 2 MB block */
		if (level_base(f, l) != f)
			continue;
		struct pamt_entry *pe = pamt_entry_of(m, f, l);
		if (mapped[f] > 1)
			return broken(why, len, "sept-leaf-page: page 0x%llx is mapped by %u SEPT leaves",
				      (unsigned long long)mod_hpa_of(m, f), mapped[f]);
		if (pe->pt != TDXSIM_PT_REG)
			continue;
		uint32_t td = td_of_owner(m, pamt_owner(pe));
		if (td != UINT32_MAX && walkable[td] && mapped[f] != 1)
			return broken(why, len, "sept-leaf-page: PT_REG page 0x%llx of TD %u is mapped by no SEPT leaf",
				      (unsigned long long)mod_hpa_of(m, f), td);
	}
	return true;
}

/* ---- counters ---- */

static bool check_counters(struct tdxsim_mod *m, const uint64_t *child_pages, char *why, size_t len)
{
	for (uint32_t t = 0; t < m->lay.max_tds; t++) {
		struct td_obj *td = mod_td(m, t);
		if (!atomic_load(&td->in_use))
			continue;
		uint64_t c = atomic_load(&td->chldcnt);
		if (c != child_pages[t])
			return broken(why, len, "chldcnt: TD %u has chldcnt %llu but %llu child 4K pages in the PAMT",
				      t, (unsigned long long)c, (unsigned long long)child_pages[t]);
		if (atomic_load(&td->op_state) == OP_STATE_UNINITIALIZED)
			continue;
		unsigned active[2] = { 0, 0 }, can_hold = 0;
		for (uint32_t v = 0; v < m->lay.max_vcpus; v++) {
			struct vcpu_obj *o = mod_vcpu(m, v);
			if (!atomic_load(&o->in_use) || o->td != t)
				continue;
			bool in_guest = atomic_load(&o->state) == VCPU_ACTIVE;
			if (in_guest)
				active[o->vcpu_epoch & 1]++;
			/* A TDH.VP.ENTER between its refcount increment and VM entry holds a
			 * slot with the vCPU associated but not yet ACTIVE. */
			if (in_guest || atomic_load(&o->assoc_lpid) != VCPU_NO_LP)
				can_hold++;
		}
		unsigned rc0 = atomic_load(&td->refcount[0]), rc1 = atomic_load(&td->refcount[1]);
		if (rc0 < active[0] || rc1 < active[1])
			return broken(why, len, "refcount: TD %u REFCOUNT = {%u, %u} but {%u, %u} vCPUs in guest mode per epoch parity",
				      t, rc0, rc1, active[0], active[1]);
		if (rc0 + rc1 > can_hold)
			return broken(why, len, "refcount: TD %u REFCOUNT = {%u, %u} but only %u vCPUs can be entering or in guest mode",
				      t, rc0, rc1, can_hold);
	}
	return true;
}

static bool check_tlb(struct tdxsim_mod *m, char *why, size_t len)
{
	struct mod_global *g = mod_global(m);
	if (!g->inv_tlb_frame)
		return true;
	char lim[48];
	if (g->inv_tlb_limit == UINT64_MAX)
		snprintf(lim, sizeof(lim), "never blocked");
	else
		snprintf(lim, sizeof(lim), "blocked at epoch %llu", (unsigned long long)g->inv_tlb_limit);
	return broken(why, len, "tlb-safety: page 0x%llx (%s) went back to PT_NDA at TD_EPOCH %llu while vCPU %u (vcpu_epoch %llu, %s) could hold a translation for it",
		      (unsigned long long)mod_hpa_of(m, g->inv_tlb_frame - 1), lim,
		      (unsigned long long)g->inv_tlb_td_epoch, g->inv_tlb_vcpu,
		      (unsigned long long)g->inv_tlb_vcpu_epoch,
		      atomic_load(&mod_vcpu(m, g->inv_tlb_vcpu)->state) == VCPU_ACTIVE ? "in guest mode"
										 : "its next entry would not flush");
}

bool mod_check_invariants(struct tdxsim_mod *m, char *why, size_t len)
{
	uint64_t *child_pages = calloc(m->lay.max_tds ? m->lay.max_tds : 1, sizeof(uint64_t));
	uint8_t *mapped = calloc(m->lay.n_frames ? m->lay.n_frames : 1, 1);
	uint8_t *walkable = calloc(m->lay.max_tds ? m->lay.max_tds : 1, 1);
	bool ok;
	if (!child_pages || !mapped || !walkable)
		ok = broken(why, len, "invariants: out of memory for the check");
	else
		ok = check_tlb(m, why, len) && check_pamt(m, child_pages, why, len) &&
		     check_sept(m, mapped, walkable, why, len) &&
		     check_mapped(m, mapped, walkable, why, len) &&
		     check_counters(m, child_pages, why, len);
	free(child_pages);
	free(mapped);
	free(walkable);
	return ok;
}

/* ---- lock accounting ---- */

struct expect {
	uint64_t word;
	unsigned ex, sh;
};

struct expects {
	struct expect *v;
	size_t n, cap;
};

static bool add_expect(struct expects *e, const struct tdxsim_held_lock *h)
{
	for (size_t i = 0; i < e->n; i++) {
		if (e->v[i].word == h->word) {
			if (h->mode == TDXSIM_MODE_EXCLUSIVE)
				e->v[i].ex++;
			else
				e->v[i].sh++;
			return true;
		}
	}
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 64;
		struct expect *nv = realloc(e->v, cap * sizeof(*nv));
		if (!nv)
			return false;
		e->v = nv;
		e->cap = cap;
	}
	e->v[e->n++] = (struct expect){ h->word, h->mode == TDXSIM_MODE_EXCLUSIVE,
					h->mode != TDXSIM_MODE_EXCLUSIVE };
	return true;
}

#define EXPECT_SEEN (1ull << 63)

static int expect_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct expect *)a)->word & ~EXPECT_SEEN;
	uint64_t y = ((const struct expect *)b)->word & ~EXPECT_SEEN;
	return x < y ? -1 : x > y;
}

/* The expectation for a word not yet seen; e->v is sorted by word (the seen mark
 * in bit 63 is ignored by the order). */
static struct expect *find_expect(struct expects *e, uint64_t word)
{
	struct expect key = { word, 0, 0 };
	struct expect *x = e->n ? bsearch(&key, e->v, e->n, sizeof(*e->v), expect_cmp) : NULL;
	return x && !(x->word & EXPECT_SEEN) ? x : NULL;
}

/* One lock word against what the executions hold.  `ex_bit` is the exclusive bit,
 * `shift` the reader counter's position. */
static bool check_word(struct tdxsim_mod *m, struct expects *e, const volatile void *w, unsigned value,
		       unsigned ex_bit, unsigned shift, const char *what, char *why, size_t len)
{
	struct expect none = { 0, 0, 0 };
	struct expect *x = find_expect(e, mod_off(m, w));
	if (!x)
		x = &none;
	else
		x->word |= EXPECT_SEEN;
	if (x->ex > 1 || (x->ex && x->sh))
		return broken(why, len, "lock-held: %s is recorded held exclusively %u times and shared %u times",
			      what, x->ex, x->sh);
	if (x->ex) {
		if (!(value & ex_bit))
			return broken(why, len, "lock-held: %s is recorded held exclusively but its word is 0x%x",
				      what, value);
		return true;
	}
	if (value & ex_bit)
		return broken(why, len, "lock-held: %s is held exclusively (word 0x%x) by no execution", what, value);
	if (shift && (value >> shift) != x->sh)
		return broken(why, len, "lock-held: %s has %u readers (word 0x%x) but %u executions hold it shared",
			      what, value >> shift, value, x->sh);
	return true;
}

bool mod_check_locks(struct tdxsim_mod *m, const struct tdxsim_held_lock *held, size_t n,
		     char *why, size_t len)
{
	struct expects e = { 0 };
	bool ok = true;
	char what[96];
	for (size_t i = 0; i < n && ok; i++)
		ok = add_expect(&e, &held[i]);
	for (uint32_t v = 0; v < m->lay.max_vcpus && ok; v++) {
		struct vcpu_obj *o = mod_vcpu(m, v);
		if (!atomic_load(&o->in_use))
			continue;
		for (unsigned i = 0; i < o->n_entry_holds && ok; i++)
			ok = add_expect(&e, &o->entry_holds[i]);
	}
	if (!ok) {
		free(e.v);
		return broken(why, len, "lock-held: out of memory for the check");
	}
	if (e.n)
		qsort(e.v, e.n, sizeof(*e.v), expect_cmp);
	static const enum pamt_level lv[3] = { PAMT_1G, PAMT_2M, PAMT_4K };
	const uint32_t cnt[3] = { m->lay.n_1g, m->lay.n_2m, m->lay.n_frames };
	for (unsigned l = 0; l < 3 && ok; l++) {
		for (uint32_t i = 0; i < cnt[l] && ok; i++) {
			struct pamt_entry *pe = mod_pamt(m, lv[l], i);
			uint16_t v = atomic_load(&pe->lock);
			/* Fast path (most words): free, at most HP set, and held by no record --
			 * what check_word accepts, without formatting its description. */
			if ((v & ~2u) == 0 && !find_expect(&e, mod_off(m, &pe->lock)))
				continue;
			snprintf(what, sizeof(what), "the %s PAMT entry of 0x%llx",
				 l == 0 ? "1G" : l == 1 ? "2M" : "4K",
				 (unsigned long long)(m->lay.mem_base + ((uint64_t)i << (12 + 9 * (2 - l)))));
			ok = check_word(m, &e, &pe->lock, v, 1, 2, what, why, len);
		}
	}
	for (uint32_t t = 0; t < m->lay.max_tds && ok; t++) {
		struct td_obj *td = mod_td(m, t);
		if (!atomic_load(&td->in_use))
			continue;
		struct { const char *name; _Atomic uint16_t *w; unsigned shift; } f[] = {
			{ "op_state_lock", &td->op_state_lock, 2 }, { "secure_ept_lock", &td->sept_lock, 1 },
			{ "epoch_lock", &td->epoch_lock, 1 }, { "rtmr_lock", &td->rtmr_lock, 2 },
			{ "servtd_bindings_lock", &td->servtd_lock, 2 }, { "mig_lock", &td->mig_lock, 1 },
		};
		for (unsigned i = 0; i < sizeof(f) / sizeof(f[0]) && ok; i++) {
			snprintf(what, sizeof(what), "TD %u's %s", t, f[i].name);
			ok = check_word(m, &e, f[i].w, atomic_load(f[i].w), 1, f[i].shift, what, why, len);
		}
	}
	struct mod_global *g = mod_global(m);
	if (ok)
		ok = check_word(m, &e, &g->kot_lock, atomic_load(&g->kot_lock), 1, 1, "the KOT lock", why, len);
	if (ok)
		ok = check_word(m, &e, &g->global_lock, atomic_load(&g->global_lock), 1, 1, "the global lock",
				why, len);
	for (uint32_t p = 0; p < m->lay.n_pkgs && ok; p++) {
		snprintf(what, sizeof(what), "package %u's WBT mutex", p);
		ok = check_word(m, &e, &mod_wbt(m, p)->lock, atomic_load(&mod_wbt(m, p)->lock), 1, 0, what,
				why, len);
	}
	for (uint32_t i = 0; i < m->lay.n_tdmrs && ok; i++) {
		snprintf(what, sizeof(what), "TDMR %u's mutex", i);
		ok = check_word(m, &e, &mod_tdmr(m, i)->lock, atomic_load(&mod_tdmr(m, i)->lock), 1, 0, what,
				why, len);
	}
	for (uint32_t p = 0; p < m->lay.max_sept && ok; p++) {
		if (!atomic_load(&mod_sept_meta(m, p)->in_use))
			continue;
		struct sept_page *sp = mod_sept_page(m, p);
		for (unsigned i = 0; i < SEPT_ENTRIES_PER_PAGE && ok; i++) {
			uint64_t v = atomic_load(&sp->e[i]);
			struct expect *x = find_expect(&e, mod_off(m, &sp->e[i]));
			if (x)
				x->word |= EXPECT_SEEN;
			bool rec = x && x->ex;
			if ((v & SEPT_TDEL) && !rec)
				ok = broken(why, len, "lock-held: SEPT entry %u of page %u (0x%llx) is locked (TDEL) by no execution",
					    i, p, (unsigned long long)mod_hpa_of(m, mod_sept_meta(m, p)->frame));
			else if (!(v & SEPT_TDEL) && rec)
				ok = broken(why, len, "lock-held: SEPT entry %u of page %u is recorded locked but TDEL is clear",
					    i, p);
			else if (x && (x->ex > 1 || x->sh))
				ok = broken(why, len, "lock-held: SEPT entry %u of page %u is recorded held %u times",
					    i, p, x->ex + x->sh);
		}
	}
	for (size_t i = 0; i < e.n && ok; i++)
		if (!(e.v[i].word & EXPECT_SEEN))
			ok = broken(why, len, "lock-held: a held record names word 0x%llx, which is no lock word of the module",
				    (unsigned long long)e.v[i].word);
	free(e.v);
	return ok;
}
