/* SPDX-License-Identifier: MIT */
/*
 * Acceptance: the locks each leaf takes at run time are exactly the lock table's.
 *
 * tdxsim_world_set_observer records every lock operation (acquire, promote,
 * release: resource, mode, guest flag, PAMT level, lock word, step index, result)
 * together with the executing leaf's state at that moment, and a checker replays
 * each execution against the table the analyzer reads (docs/lock-table.md §3):
 *
 *  - every acquire is at a LOCK step of that leaf, on that step's resource, in
 *    that step's mode (a mutex / SEPT entry lock is exclusive), in guest mode iff
 *    the leaf is a TDCALL; an explicit PAMT lock (via: reg) expands to 1G shared,
 *    2M shared, then the 4K entry in the step's mode or a promote of the level
 *    where the walk stopped (an exclusive step always ends exclusive unless an
 *    acquire failed), all on the PAMT entries of the page the step's register
 *    names; an implicit one is a single acquire; the word touched is the
 *    resource's (a PAMT entry, the TD's named TDCS field, the KOT/global lock,
 *    this package's WBT mutex, a TDMR mutex, the SEPT entry the walk found);
 *  - acquires come in the table's order; a LOCK step skipped between two acquires
 *    has a `when:` condition; nothing is acquired after a failed acquire;
 *  - a release is of a lock the execution holds, in the mode it holds it, and is
 *    explained: an explicit RELEASE step (the most recent instance), a body's
 *    `releases:` (no word change: the body's 64-bit store released it), the
 *    `until_guest_entry` release before the last step, or otherwise reverse order
 *    (locks held `until_td_exit` stay until that vCPU's TD exit on success, and are
 *    then released by the exit in reverse order); nothing is held when a call ends.
 *
 * The run exercises every emulated leaf on its success path (asserted per leaf) and
 * representative failure and BUSY paths (each lock resource busy at least once, a
 * failed PAMT promote), deterministic first, then a random step-level phase
 * (helpers/mix.h).  Every LOCK step of the table is acquired at least once except
 * the ones that cannot run (no L2 VMs), which are listed.
 *
 * The checker itself is tested: replayed against a table with two lock steps
 * swapped, or with a lock step removed (what the emulator would do if a leaf body
 * took a lock not in its YAML), and on event streams with an injected acquire or
 * with two releases swapped, it must report an error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "helpers/fixture.h"
#include "helpers/mix.h"

#include "engine/world_internal.h"
#include "module/mod.h"
#include "module/sept_walk.h"

#define MAX_LEAVES 128
#define MAX_STEPS 40
#define MAX_EXECS 16
#define MAX_HELD 32

/* ------------------------------------------------------------------------------
 * The log: events with the executing leaf's state at that moment, and ends.
 * ---------------------------------------------------------------------------- */

enum { LE_EVENT, LE_END };

struct lent {
	uint8_t type;
	struct tdxsim_lock_event ev;   /* LE_END: only .exec */
	uint64_t regs[16];             /* the execution's registers at the event */
	uint32_t td, vc, vcpu, sept_pg;
	uint16_t sept_idx;
	enum tdxsim_step_result result;   /* LE_END */
	uint64_t status;                  /* LE_END: RAX */
};

struct log {
	struct lent *e;
	size_t n, cap;
};

static void log_push(struct log *l, const struct lent *e)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 4096;
		l->e = realloc(l->e, l->cap * sizeof(*l->e));
		assert_non_null(l->e);
	}
	l->e[l->n++] = *e;
}

static void observe(void *ctx, const struct tdxsim_lock_event *ev)
{
	const struct tdxsim_leaf_exec *x = ev->exec;
	struct lent e = { .type = LE_EVENT, .ev = *ev, .td = x->td, .vc = x->vc, .vcpu = x->vcpu,
			  .sept_pg = x->sept_pg, .sept_idx = x->sept_idx };
	memcpy(e.regs, x->regs.r, sizeof(e.regs));
	log_push(ctx, &e);
}

static void log_end(struct log *l, const struct tdxsim_leaf_exec *x, enum tdxsim_step_result r)
{
	struct lent e = { .type = LE_END, .td = x->td, .vc = x->vc, .vcpu = x->vcpu, .result = r,
			  .status = x->regs.r[OPERAND_ID_RAX] };
	e.ev.exec = x;
	e.ev.leaf = x->leaf;
	log_push(l, &e);
}

/* ------------------------------------------------------------------------------
 * The checker.
 * ---------------------------------------------------------------------------- */

struct hrec {
	uint64_t word;
	int res, mode, level, step;
	uint8_t hold, guest;
};

struct xrec {
	const void *exec;
	bool active;
	int leaf;
	struct hrec held[MAX_HELD];
	unsigned nheld;
	int last_step;       /* step of the last acquire, -1 none */
	int walk;            /* PAMT walk state at last_step: 0 none, 1 after 1G, 2 after 2M, 3 done */
	bool walk_ex;        /* the walk ended exclusive */
	bool failed;         /* an acquire (or promote) failed */
};

struct vholds {
	struct hrec held[MAX_HELD];
	unsigned n;
};

struct chk {
	const struct tdxsim_table *t;   /* the table checked against */
	struct tdxsim_mod *m;           /* the module (word classification) */
	struct xrec x[MAX_EXECS];
	struct vholds *vh;              /* [max_vcpus]: until_td_exit holds in guest mode */
	char err[640];
	unsigned nerr;
	/* Coverage. */
	unsigned acq_ok[MAX_LEAVES][MAX_STEPS], acq_busy[MAX_LEAVES][MAX_STEPS];
	unsigned res_busy[32], promote_fail, promote_ok;
	unsigned ok[MAX_LEAVES], runs[MAX_LEAVES];
	unsigned events, execs;
};

static void chk_init(struct chk *c, const struct tdxsim_table *t, struct tdxsim_mod *m)
{
	memset(c, 0, sizeof(*c));
	c->t = t;
	c->m = m;
	c->vh = calloc(m->lay.max_vcpus, sizeof(*c->vh));
	assert_non_null(c->vh);
	assert_true(t->nleaves <= MAX_LEAVES);
	for (unsigned l = 0; l < t->nleaves; l++)
		assert_true(t->leaves[l].nsteps <= MAX_STEPS);
}

static void chk_free(struct chk *c)
{
	free(c->vh);
	c->vh = NULL;
}

static const char *leaf_name(const struct chk *c, int leaf)
{
	return leaf >= 0 && (unsigned)leaf < c->t->nleaves ? c->t->leaves[leaf].name
	       : leaf == TDXSIM_LEAF_TD_EXIT ? "TD exit" : "?";
}

static void bad(struct chk *c, const struct lent *e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void bad(struct chk *c, const struct lent *e, const char *fmt, ...)
{
	if (c->nerr++)
		return;
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	const struct tdxsim_lock_event *ev = &e->ev;
	snprintf(c->err, sizeof(c->err), "%s step %u: %s [%s %s res %d mode %d level %d word 0x%llx]",
		 leaf_name(c, ev->leaf), ev->step, msg,
		 e->type == LE_END ? "end" : ev->op == TDXSIM_LOCK_ACQUIRE ? "acquire"
		 : ev->op == TDXSIM_LOCK_PROMOTE ? "promote" : "release",
		 ev->res >= 0 && (unsigned)ev->res < c->t->nres ? c->t->res[ev->res].name : "?", ev->res,
		 (int)ev->mode, ev->pamt_level, (unsigned long long)ev->word_off);
}

static struct xrec *xrec_of(struct chk *c, const void *exec, int leaf)
{
	for (unsigned i = 0; i < MAX_EXECS; i++)
		if (c->x[i].active && c->x[i].exec == exec)
			return &c->x[i];
	for (unsigned i = 0; i < MAX_EXECS; i++) {
		if (!c->x[i].active) {
			memset(&c->x[i], 0, sizeof(c->x[i]));
			c->x[i].active = true;
			c->x[i].exec = exec;
			c->x[i].leaf = leaf;
			c->x[i].last_step = -1;
			c->execs++;
			return &c->x[i];
		}
	}
	fail_msg("lock recording: more than %d executions in flight", MAX_EXECS);
	return NULL;
}

/* ---- which lock word an offset is ---- */

enum wclass { W_NONE, W_PAMT, W_TDCS, W_KOT, W_GLOBAL, W_WBT, W_TDMR, W_SEPT };

struct wref {
	enum wclass cls;
	int level;            /* W_PAMT */
	uint64_t index;       /* entry / TD / package / TDMR index */
	size_t field;         /* W_TDCS: offset in td_obj */
};

static bool in(uint64_t off, uint64_t base, uint64_t n, uint64_t size, uint64_t *idx, uint64_t *rem)
{
	if (off < base || off >= base + n * size)
		return false;
	*idx = (off - base) / size;
	*rem = (off - base) % size;
	return true;
}

static struct wref classify(struct tdxsim_mod *m, uint64_t off)
{
	const struct mod_layout *L = &m->lay;
	struct wref w = { W_NONE, -1, 0, 0 };
	uint64_t idx, rem;
	if (in(off, L->off_pamt_1g, L->n_1g, 16, &idx, &rem) && !rem)
		return (struct wref){ W_PAMT, PAMT_1G, idx, 0 };
	if (in(off, L->off_pamt_2m, L->n_2m, 16, &idx, &rem) && !rem)
		return (struct wref){ W_PAMT, PAMT_2M, idx, 0 };
	if (in(off, L->off_pamt_4k, L->n_frames, 16, &idx, &rem) && !rem)
		return (struct wref){ W_PAMT, PAMT_4K, idx, 0 };
	if (in(off, L->off_tds, L->max_tds, sizeof(struct td_obj), &idx, &rem))
		return (struct wref){ W_TDCS, -1, idx, rem };
	if (off == L->off_global + offsetof(struct mod_global, kot_lock))
		return (struct wref){ W_KOT, -1, 0, 0 };
	if (off == L->off_global + offsetof(struct mod_global, global_lock))
		return (struct wref){ W_GLOBAL, -1, 0, 0 };
	if (in(off, L->off_wbt, L->n_pkgs, sizeof(struct wbt_entry), &idx, &rem) &&
	    rem == offsetof(struct wbt_entry, lock))
		return (struct wref){ W_WBT, -1, idx, 0 };
	if (in(off, L->off_tdmr, L->n_tdmrs, sizeof(struct tdmr_entry), &idx, &rem) &&
	    rem == offsetof(struct tdmr_entry, lock))
		return (struct wref){ W_TDMR, -1, idx, 0 };
	if (in(off, L->off_sept_pages, (uint64_t)L->max_sept * SEPT_ENTRIES_PER_PAGE, 8, &idx, &rem) && !rem)
		return (struct wref){ W_SEPT, -1, idx, 0 };
	return w;
}

static size_t tdcs_field_off(enum tdxsim_lock_field f)
{
	switch (f) {
	case TDXSIM_FIELD_TDCS_OP_STATE: return offsetof(struct td_obj, op_state_lock);
	case TDXSIM_FIELD_TDCS_SEPT_TREE: return offsetof(struct td_obj, sept_lock);
	case TDXSIM_FIELD_TDCS_EPOCH: return offsetof(struct td_obj, epoch_lock);
	case TDXSIM_FIELD_TDCS_RTMR: return offsetof(struct td_obj, rtmr_lock);
	case TDXSIM_FIELD_TDCS_SERVTD_BINDINGS: return offsetof(struct td_obj, servtd_lock);
	case TDXSIM_FIELD_TDCS_MIG: return offsetof(struct td_obj, mig_lock);
	default: return (size_t)-1;
	}
}

/* The word of an acquire/promote is the resource's, and the one the execution's
 * state names. */
static void check_word(struct chk *c, const struct lent *e, const struct tdxsim_step *st)
{
	struct tdxsim_mod *m = c->m;
	const struct tdxsim_resource *r = &c->t->res[st->res];
	struct wref w = classify(m, e->ev.word_off);
	switch (r->backing) {
	case TDXSIM_BACK_PAMT:
		if (w.cls != W_PAMT || w.level != e->ev.pamt_level) {
			bad(c, e, "a PAMT resource's word is not a PAMT entry at the event's level");
			return;
		}
		if (st->via == TDXSIM_VIA_REG && st->reg >= 0) {
			uint64_t hpa = e->regs[st->reg] & ((1ull << m->lay.pa_bits) - 1) & ~0xFFFull;
			uint64_t frame = (hpa - m->lay.mem_base) >> 12;
			if (w.index != frame >> (9 * (unsigned)w.level))
				bad(c, e, "PAMT entry %llu is not the one of the page in the step's register (0x%llx)",
				    (unsigned long long)w.index, (unsigned long long)hpa);
		}
		return;
	case TDXSIM_BACK_SEPT_ENTRY: {
		uint64_t want = m->lay.off_sept_pages + (uint64_t)e->sept_pg * 4096 + (uint64_t)e->sept_idx * 8;
		if (w.cls != W_SEPT || e->ev.word_off != want)
			bad(c, e, "the SEPT entry lock is not on the entry the walk found");
		return;
	}
	case TDXSIM_BACK_FIELD:
		break;
	}
	bool ok;
	switch (r->field) {
	case TDXSIM_FIELD_KOT: ok = w.cls == W_KOT; break;
	case TDXSIM_FIELD_GLOBAL: ok = w.cls == W_GLOBAL; break;
	case TDXSIM_FIELD_WBT:
		ok = w.cls == W_WBT && w.index == (uint64_t)e->ev.lp * m->lay.n_pkgs / m->lay.n_lps;
		break;
	case TDXSIM_FIELD_TDMR: ok = w.cls == W_TDMR; break;
	default:
		ok = w.cls == W_TDCS && w.field == tdcs_field_off(r->field) && w.index == e->td;
		break;
	}
	if (!ok)
		bad(c, e, "the word is not %s's field %s", r->name, tdxsim_lock_field_name(r->field));
}

/* A PAMT walk (or single acquire) at the previous lock step is over. */
static void close_walk(struct chk *c, struct xrec *x, const struct lent *e)
{
	if (x->last_step < 0 || x->walk == 0)
		return;
	const struct tdxsim_step *st = &c->t->leaves[x->leaf].steps[x->last_step];
	if (c->t->res[st->res].backing == TDXSIM_BACK_PAMT && st->mode == TDXSIM_MODE_EXCLUSIVE && !x->walk_ex &&
	    !x->failed)
		bad(c, e, "the PAMT walk of exclusive step %d ended without an exclusive acquire", x->last_step);
	x->walk = 0;
}

static void on_acquire(struct chk *c, struct xrec *x, const struct lent *e)
{
	const struct tdxsim_lock_event *ev = &e->ev;
	const struct tdxsim_leaf *L = &c->t->leaves[x->leaf];
	if (x->failed) {
		bad(c, e, "acquire after a failed acquire");
		return;
	}
	if (ev->step >= L->nsteps || L->steps[ev->step].kind != TDXSIM_STEP_LOCK) {
		bad(c, e, "acquire at a step that is not a LOCK step of the table");
		return;
	}
	const struct tdxsim_step *st = &L->steps[ev->step];
	if (ev->res != st->res) {
		bad(c, e, "acquire of %s where the table's step locks %s",
		    ev->res >= 0 && (unsigned)ev->res < c->t->nres ? c->t->res[ev->res].name : "?",
		    c->t->res[st->res].name);
		return;
	}
	if ((int)ev->step < x->last_step) {
		bad(c, e, "acquire out of the table's order (after step %d)", x->last_step);
		return;
	}
	if ((int)ev->step > x->last_step) {
		close_walk(c, x, e);
		for (int s = x->last_step + 1; s < (int)ev->step; s++)
			if (L->steps[s].kind == TDXSIM_STEP_LOCK && L->steps[s].when_id < 0)
				bad(c, e, "unconditional LOCK step %d was skipped", s);
		x->last_step = (int)ev->step;
		x->walk = 0;
		x->walk_ex = false;
	}
	bool guest = L->side == TDXSIM_SIDE_GUEST;
	if (ev->guest != guest)
		bad(c, e, "guest flag %d in a %s leaf", ev->guest, guest ? "guest" : "host");
	const struct tdxsim_resource *r = &c->t->res[st->res];
	bool ok = ev->result == TDX_SUCCESS;
	if (r->backing != TDXSIM_BACK_PAMT) {
		enum tdxsim_mode want = r->kind == TDXSIM_LK_MUTEX || r->kind == TDXSIM_LK_SEPT_ENTRY
					       ? TDXSIM_MODE_EXCLUSIVE : st->mode;
		if (x->walk != 0)
			bad(c, e, "second acquire at the same step");
		if (ev->op != TDXSIM_LOCK_ACQUIRE || ev->mode != want || ev->pamt_level != -1)
			bad(c, e, "not a %s acquire", want == TDXSIM_MODE_EXCLUSIVE ? "exclusive" : "shared");
		x->walk = 3;
		x->walk_ex = want == TDXSIM_MODE_EXCLUSIVE;
	} else if (st->via != TDXSIM_VIA_REG) {
		/* Implicit: the leaf entry only, in the step's mode. */
		if (x->walk != 0 || ev->op != TDXSIM_LOCK_ACQUIRE || ev->mode != st->mode)
			bad(c, e, "an implicit PAMT lock is one acquire in the step's mode");
		if ((st->via == TDXSIM_VIA_TDVPR_OWNER || st->via == TDXSIM_VIA_PAGE_OWNER ||
		     st->via == TDXSIM_VIA_SEPT_CHILD) && ev->pamt_level != PAMT_4K)
			bad(c, e, "an implicit lock of a TDR or SEPT page is on its 4K entry");
		x->walk = 3;
		x->walk_ex = st->mode == TDXSIM_MODE_EXCLUSIVE;
	} else {
		/* Explicit walk: 1G sh -> [promote 1G | 2M sh -> [promote 2M | 4K in mode]]. */
		bool ex = st->mode == TDXSIM_MODE_EXCLUSIVE;
		if (ex && guest)
			bad(c, e, "a guest leaf takes a PAMT lock exclusive");
		if (ev->op == TDXSIM_LOCK_PROMOTE) {
			struct hrec *top = x->nheld ? &x->held[x->nheld - 1] : NULL;
			if (!ex || (x->walk != 1 && x->walk != 2) || ev->pamt_level != 3 - x->walk ||
			    !top || top->word != ev->word_off || top->mode != TDXSIM_MODE_SHARED)
				bad(c, e, "promote of something else than the walk's last shared level");
			else if (ok)
				top->mode = TDXSIM_MODE_EXCLUSIVE;
			if (ok)
				c->promote_ok++;
			else
				c->promote_fail++;
			x->walk = 3;
			x->walk_ex = ok;
		} else {
			int want_level = x->walk == 0 ? PAMT_1G : x->walk == 1 ? PAMT_2M : x->walk == 2 ? PAMT_4K : -9;
			enum tdxsim_mode want_mode = want_level == PAMT_4K ? st->mode : TDXSIM_MODE_SHARED;
			if (ev->pamt_level != want_level || ev->mode != want_mode)
				bad(c, e, "PAMT walk out of order (walk state %d)", x->walk);
			x->walk = x->walk + 1;
			if (want_level == PAMT_4K)
				x->walk_ex = want_mode == TDXSIM_MODE_EXCLUSIVE;
		}
	}
	check_word(c, e, st);
	if (!ok) {
		x->failed = true;
		c->acq_busy[x->leaf][ev->step]++;
		c->res_busy[st->res]++;
		return;
	}
	c->acq_ok[x->leaf][ev->step]++;
	if (ev->op == TDXSIM_LOCK_PROMOTE)
		return;
	if (x->nheld == MAX_HELD) {
		bad(c, e, "too many locks held");
		return;
	}
	x->held[x->nheld++] = (struct hrec){ ev->word_off, ev->res, ev->mode, ev->pamt_level, (int)ev->step,
					     (uint8_t)st->hold, ev->guest };
}

static void drop(struct hrec *h, unsigned *n, unsigned i)
{
	memmove(&h[i], &h[i + 1], (*n - i - 1) * sizeof(*h));
	(*n)--;
}

static void on_release(struct chk *c, struct xrec *x, const struct lent *e)
{
	const struct tdxsim_lock_event *ev = &e->ev;
	const struct tdxsim_leaf *L = &c->t->leaves[x->leaf];
	int i;
	/* The most recent record of this word and level taken for this resource (two
	 * PAMT walks of one leaf may share a 1G or 2M parent entry). */
	for (i = (int)x->nheld - 1; i >= 0; i--)
		if (x->held[i].word == ev->word_off && x->held[i].level == ev->pamt_level && x->held[i].res == ev->res)
			break;
	if (i < 0) {
		bad(c, e, "release of a lock the execution does not hold");
		return;
	}
	struct hrec *h = &x->held[i];
	if (h->mode != (int)ev->mode || h->guest != ev->guest)
		bad(c, e, "release in another mode than held (held mode %d)", h->mode);
	const struct tdxsim_step *st = ev->step < L->nsteps ? &L->steps[ev->step] : NULL;
	int most_recent_res = -1, most_recent_live = -1;
	for (int k = (int)x->nheld - 1; k >= 0; k--) {
		if (most_recent_res < 0 && x->held[k].res == h->res)
			most_recent_res = k;
		if (most_recent_live < 0 && x->held[k].hold != TDXSIM_HOLD_UNTIL_TD_EXIT)
			most_recent_live = k;
	}
	if (ev->before == ev->after) {
		/* A body's commit store released it: `releases:` of that body step. */
		bool listed = false;
		for (unsigned k = 0; st && st->kind == TDXSIM_STEP_BODY && k < 4; k++)
			listed |= st->releases[k] == h->res;
		if (!listed)
			bad(c, e, "lock dropped without a word change where no body lists it in releases:");
		else if (i != most_recent_res)
			bad(c, e, "body release of an older instance");
	} else if (st && st->kind == TDXSIM_STEP_RELEASE && st->res == h->res) {
		if (i != most_recent_res)
			bad(c, e, "explicit release of an older instance of the resource");
	} else if (ev->step + 1u == L->nsteps && h->hold == TDXSIM_HOLD_UNTIL_GUEST_ENTRY) {
		/* Released right before the last step (TDH.VP.ENTER step 18). */
	} else {
		int want = most_recent_live >= 0 ? most_recent_live : (int)x->nheld - 1;
		if (i != want)
			bad(c, e, "release not in reverse order of acquisition (released #%d, expected #%d)", i, want);
	}
	drop(x->held, &x->nheld, (unsigned)i);
}

/* A TD exit releases what the vCPU's TDH.VP.ENTER kept, in reverse order. */
static void on_exit_event(struct chk *c, const struct lent *e)
{
	const struct tdxsim_lock_event *ev = &e->ev;
	if (ev->op != TDXSIM_LOCK_RELEASE) {
		bad(c, e, "a TD exit acquires");
		return;
	}
	if (e->vcpu >= c->m->lay.max_vcpus) {
		bad(c, e, "TD exit of no vCPU");
		return;
	}
	struct vholds *v = &c->vh[e->vcpu];
	if (!v->n) {
		bad(c, e, "TD exit releases a lock the vCPU's entry did not keep");
		return;
	}
	struct hrec *h = &v->held[v->n - 1];
	if (h->word != ev->word_off || h->level != ev->pamt_level || h->mode != (int)ev->mode ||
	    h->res != ev->res || ev->guest)
		bad(c, e, "TD exit release not the most recent kept lock");
	v->n--;
}

static void on_end(struct chk *c, const struct lent *e)
{
	if (e->ev.leaf == TDXSIM_LEAF_TD_EXIT) {
		if (e->vcpu < c->m->lay.max_vcpus && c->vh[e->vcpu].n)
			bad(c, e, "the TD exit completed with locks of the entry still kept");
		return;
	}
	if (e->ev.leaf < 0)
		return; /* refused before step 1: no locks */
	struct xrec *x = xrec_of(c, e->ev.exec, e->ev.leaf);
	close_walk(c, x, e);
	c->runs[x->leaf]++;
	if (e->result == TDXSIM_STEP_ENTERED) {
		/* Kept until the TD exit: exactly the until_td_exit locks. */
		c->ok[x->leaf]++;
		if (e->vc >= c->m->lay.max_vcpus) {
			bad(c, e, "entered without a vCPU");
		} else {
			struct vholds *v = &c->vh[e->vc];
			if (v->n)
				bad(c, e, "entered while the vCPU's previous entry locks are kept");
			v->n = 0;
			for (unsigned i = 0; i < x->nheld; i++) {
				if (x->held[i].hold != TDXSIM_HOLD_UNTIL_TD_EXIT)
					bad(c, e, "entered holding %s, not held until_td_exit", c->t->res[x->held[i].res].name);
				v->held[v->n++] = x->held[i];
			}
		}
	} else if (x->nheld) {
		bad(c, e, "completed holding %u lock(s), first %s", x->nheld, c->t->res[x->held[0].res].name);
	} else if (e->status == TDX_SUCCESS) {
		c->ok[x->leaf]++;
	}
	x->active = false;
}

static void chk_feed(struct chk *c, const struct lent *e)
{
	if (e->type == LE_END) {
		on_end(c, e);
		return;
	}
	c->events++;
	if (e->ev.leaf == TDXSIM_LEAF_TD_EXIT) {
		on_exit_event(c, e);
		return;
	}
	if (e->ev.leaf < 0 || (unsigned)e->ev.leaf >= c->t->nleaves) {
		bad(c, e, "lock event of no table leaf");
		return;
	}
	struct xrec *x = xrec_of(c, e->ev.exec, e->ev.leaf);
	if (x->leaf != e->ev.leaf) {
		bad(c, e, "the execution changed leaf");
		return;
	}
	if (e->ev.op == TDXSIM_LOCK_RELEASE)
		on_release(c, x, e);
	else
		on_acquire(c, x, e);
}

/* Feed the whole log (and empty it). */
static void chk_drain(struct chk *c, struct log *l)
{
	for (size_t i = 0; i < l->n; i++)
		chk_feed(c, &l->e[i]);
	l->n = 0;
}

/* ------------------------------------------------------------------------------
 * The harness: every call step by step on its own execution, ends logged.
 * ---------------------------------------------------------------------------- */

struct h {
	struct fx *f;
	struct log log;
	struct log *cur;     /* where run_exec logs the ends (the observer's log) */
	struct chk chk;
	struct fx_td td;
};

static struct h H;

static enum tdxsim_step_result run_exec(struct tdxsim_leaf_exec *x)
{
	enum tdxsim_step_result r;
	for (unsigned n = 0; (r = tdxsim_leaf_step(H.f->w, x)) == TDXSIM_STEP_RAN; n++)
		assert_true(n < 1000000);
	log_end(H.cur, x, r);
	return r;
}

static void flush_check(void)
{
	chk_drain(&H.chk, &H.log);
	if (H.chk.nerr)
		fail_msg("lock recording: %s", H.chk.err);
}

static tdx_status_t hc(unsigned lp, uint64_t leaf, uint64_t rcx, uint64_t rdx, uint64_t r8, uint64_t r9,
		       struct tdxsim_regs *out)
{
	struct tdxsim_leaf_exec x;
	fx_begin(H.f, &x, lp, leaf, rcx, rdx, r8, r9);
	run_exec(&x);
	flush_check();
	if (out)
		*out = x.regs;
	return x.regs.r[OPERAND_ID_RAX];
}

#define HOK(...) fx_assert_status(hc(__VA_ARGS__), TDX_SUCCESS, #__VA_ARGS__)
#define HIS(want, ...) fx_assert_status(hc(__VA_ARGS__), (want), #__VA_ARGS__)

/* TDCALL by vCPU v of td; a TD exit it asks for runs too. */
static tdx_status_t gc(struct fx_td *td, unsigned v, uint64_t leaf, uint64_t rcx, uint64_t rdx, uint64_t r8,
		       bool *exited)
{
	struct tdxsim_leaf_exec x, ex;
	struct tdxsim_regs r = { { 0 } };
	r.r[OPERAND_ID_RAX] = leaf;
	r.r[OPERAND_ID_RCX] = rcx;
	r.r[OPERAND_ID_RDX] = rdx;
	r.r[OPERAND_ID_R8] = r8;
	tdxsim_tdcall_begin(H.f->w, &x, td->tdvpr[v], &r);
	enum tdxsim_step_result res = run_exec(&x);
	if (exited)
		*exited = res == TDXSIM_STEP_TD_EXIT;
	if (res == TDXSIM_STEP_TD_EXIT) {
		tdxsim_td_exit_begin(H.f->w, &ex, td->tdvpr[v], (enum tdxsim_exit_reason)x.exit, x.scratch[1]);
		run_exec(&ex);
	}
	flush_check();
	return x.regs.r[OPERAND_ID_RAX];
}

static void enter(struct fx_td *td, unsigned v)
{
	fx_assert_status(hc(td->vcpu_lp[v], LEAF_VP_ENTER, td->tdvpr[v], 0, 0, 0, NULL), TDXSIM_STATUS_ENTERED,
			 "VP.ENTER");
}

static tdx_status_t tdexit(struct fx_td *td, unsigned v, enum tdxsim_exit_reason why, uint64_t gpa)
{
	struct tdxsim_leaf_exec x;
	tdxsim_td_exit_begin(H.f->w, &x, td->tdvpr[v], why, gpa);
	run_exec(&x);
	flush_check();
	return x.regs.r[OPERAND_ID_RAX];
}

/* Step-level: begin a SEAMCALL and step it until it holds res (mode -1: any). */
static void hold(struct tdxsim_leaf_exec *x, unsigned lp, uint64_t leaf, uint64_t rcx, uint64_t rdx,
		 uint64_t r8, uint64_t r9, const char *res, int mode)
{
	fx_begin(H.f, x, lp, leaf, rcx, rdx, r8, r9);
	fx_step_until_holds(H.f, x, res, mode);
}

static tdx_status_t finish(struct tdxsim_leaf_exec *x)
{
	run_exec(x);
	flush_check();
	return x->regs.r[OPERAND_ID_RAX];
}

/* ------------------------------------------------------------------------------
 * The deterministic run.
 * ---------------------------------------------------------------------------- */

#define GPA0 0x40000000ull
#define LEAF_MEM_PAGE_RELOCATE 5
#define GPA_2M 0x40200000ull
#define GPA_2M_B 0x40400000ull
#define MD_TD_OP_STATE 0x9010000200000004ull
#define MD_TD_HP_LOCK_TIMEOUT 0x9110000300000011ull
#define MD_VP_STATE 0xA020000000000000ull
#define MD_VP_PEND_NMI 0x202000000000000Bull
#define MD_SYS_MAJOR 0x0800000100000004ull

/* Pages handed out, for the teardown's RECLAIM of everything. */
static uint64_t page(void)
{
	return fx_page(H.f);
}

static void boot(void)
{
	struct tdxsim_leaf_exec a;
	struct tdxsim_mod *m = fx_mod(H.f);
	unsigned nlp = H.f->cfg.n_lps;
	HIS(TDX_OPERAND_INVALID | OPERAND_ID_RCX, 0, LEAF_SYS_INIT, 1, 0, 0, 0, NULL); /* under GLOBAL ex */
	HOK(0, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);
	/* GLOBAL busy: LP.INIT holds it shared, CONFIG wants it exclusive. */
	hold(&a, 0, LEAF_SYS_LP_INIT, 0, 0, 0, 0, "GLOBAL", TDXSIM_MODE_SHARED);
	HIS(TDX_SYS_BUSY, 1, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA, 1, FX_GLOBAL_HKID, 0, NULL);
	fx_assert_status(finish(&a), TDX_SUCCESS, "LP.INIT");
	for (unsigned lp = 1; lp < nlp; lp++)
		HOK(lp, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);
	HIS(TDX_SYS_LP_INIT_DONE, 0, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);
	HOK(0, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA, 1, FX_GLOBAL_HKID, 0, NULL);
	for (unsigned p = 0; p < H.f->cfg.n_pkgs; p++)
		HOK(fx_lp_of_pkg(H.f, p), LEAF_SYS_KEY_CONFIG, 0, 0, 0, 0, NULL);
	/* TDMR busy: one TDMR.INIT holds the mutex, another on the same TDMR. */
	uint64_t base = mod_tdmr(m, 0)->base, end = base + mod_tdmr(m, 0)->size;
	hold(&a, 0, LEAF_SYS_TDMR_INIT, base, 0, 0, 0, "TDMR", -1);
	HIS(BUSY(OPERAND_ID_RCX), 1, LEAF_SYS_TDMR_INIT, base, 0, 0, 0, NULL);
	fx_assert_status(finish(&a), TDX_SUCCESS, "TDMR.INIT");
	struct tdxsim_regs out = a.regs;
	while (out.r[OPERAND_ID_RDX] < end)
		HOK(0, LEAF_SYS_TDMR_INIT, base, 0, 0, 0, &out);
	HIS(TDX_TDMR_ALREADY_INITIALIZED, 0, LEAF_SYS_TDMR_INIT, base, 0, 0, 0, NULL);
	HOK(1, LEAF_SYS_INFO, FX_SHARED_PAGE(3), 1024, FX_SHARED_PAGE(4), 32, NULL);
	HOK(1, LEAF_SYS_RD, 0, MD_SYS_MAJOR, 0, 0, NULL);
	HOK(1, LEAF_SYS_RDALL, 0, FX_SHARED_PAGE(5), MD_SYS_MAJOR, 0, NULL);
}

static void vcpu(struct fx_td *td, unsigned lp, unsigned version)
{
	unsigned v = td->nvcpus;
	td->tdvpr[v] = page();
	HOK(lp, LEAF_VP_CREATE, td->tdvpr[v], td->tdr, 0, 0, NULL);
	for (unsigned k = 0; k < 5; k++) {
		td->tdvpx[v][k] = page();
		HOK(lp, LEAF_VP_ADDCX, td->tdvpx[v][k], td->tdvpr[v], 0, 0, NULL);
	}
	td->ntdvpx[v] = 5;
	HOK(lp, LEAF_V(LEAF_VP_INIT, version), td->tdvpr[v], 0, v, 0, NULL);
	td->vcpu_lp[v] = lp;
	td->nvcpus = v + 1;
}

static void build(void)
{
	struct tdxsim_leaf_exec a;
	struct fx_td *td = &H.td;
	memset(td, 0, sizeof(*td));
	td->tdr = page();
	/* KOT busy: CACHE.WB holds it shared, MNG.CREATE wants it exclusive. */
	hold(&a, 0, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0, "KOT", -1);
	HIS(BUSY(OPERAND_ID_KOT), 1, LEAF_MNG_CREATE, td->tdr, 2, 0, 0, NULL);
	fx_assert_status(finish(&a), TDX_NO_HKID_READY_TO_WBCACHE, "CACHE.WB");
	HOK(1, LEAF_MNG_CREATE, td->tdr, 2, 0, 0, NULL);
	for (unsigned p = 0; p < H.f->cfg.n_pkgs; p++)
		HOK(fx_lp_of_pkg(H.f, p), LEAF_MNG_KEY_CONFIG, td->tdr, 0, 0, 0, NULL);
	for (unsigned i = 0; i < 6; i++) {
		td->tdcx[i] = page();
		HOK(0, LEAF_MNG_ADDCX, td->tdcx[i], td->tdr, 0, 0, NULL);
	}
	td->ntdcx = 6;
	HOK(0, LEAF_MNG_INIT, td->tdr, FX_TD_PARAMS_PA, FX_MAX_VCPUS, 1 /* DEBUG */, NULL);
	HOK(0, LEAF_MNG_RD, td->tdr, MD_TD_OP_STATE, 0, 0, NULL);
	HOK(0, LEAF_V(LEAF_MNG_RD, 1), td->tdr, MD_TD_OP_STATE, 0, 0, NULL);
	HOK(0, LEAF_MNG_WR, td->tdr, MD_TD_HP_LOCK_TIMEOUT, 20000, ~0ull, NULL);
	vcpu(td, 3, 1);
	vcpu(td, 2, 0); /* TDH.VP.INIT version 0: TDR shared */
	/* TDVPR busy: VP.RD holds it shared, VP.FLUSH wants it exclusive. */
	hold(&a, 3, LEAF_VP_RD, td->tdvpr[0], MD_VP_STATE, 0, 0, "TDVPR", TDXSIM_MODE_SHARED);
	HIS(BUSY(OPERAND_ID_RCX), 3, LEAF_VP_FLUSH, td->tdvpr[0], 0, 0, 0, NULL);
	fx_assert_status(finish(&a), TDX_SUCCESS, "VP.RD");
	HOK(3, LEAF_VP_WR, td->tdvpr[0], MD_VP_PEND_NMI, 0, ~0ull, NULL);
	/* TDR busy (explicit): MNG.RD holds it shared, MR.EXTEND wants it exclusive. */
	hold(&a, 1, LEAF_MNG_RD, td->tdr, MD_TD_OP_STATE, 0, 0, "TDR", TDXSIM_MODE_SHARED);
	HIS(BUSY(OPERAND_ID_RDX), 0, LEAF_MR_EXTEND, GPA0, td->tdr, 0, 0, NULL);
	fx_assert_status(finish(&a), TDX_SUCCESS, "MNG.RD");
	/* SEPT for GPA_0's 2 MB, then a 2M slot's and another 1 GB's PD page. */
	HOK(0, LEAF_MEM_SEPT_ADD, GPA_LEVEL(0, LVL_PML4), td->tdr, page(), 0, NULL);
	HOK(0, LEAF_MEM_SEPT_ADD, GPA_LEVEL(GPA0, LVL_PDPT), td->tdr, page(), 0, NULL);
	HOK(0, LEAF_MEM_SEPT_ADD, GPA_LEVEL(GPA0, LVL_PD), td->tdr, page(), 0, NULL);
	/* v1 on an existing entry with allow_existing: no page lock, R8 | bit 63. */
	struct tdxsim_regs o;
	HOK(0, LEAF_V(LEAF_MEM_SEPT_ADD, 1), GPA_LEVEL(GPA0, LVL_PD), td->tdr | 1, page(), ~0ull, &o);
	HOK(0, LEAF_MEM_PAGE_ADD, GPA0, td->tdr, page(), FX_SOURCE_PA, NULL);
	HOK(0, LEAF_MR_EXTEND, GPA0, td->tdr, 0, 0, NULL);
	HOK(0, LEAF_MEM_SEPT_RD, GPA_LEVEL(GPA0, LVL_PT), td->tdr, 0, 0, NULL);
	HOK(0, LEAF_MEM_RD, GPA0, td->tdr, 0, 0, NULL);
	HOK(0, LEAF_MEM_WR, GPA0, td->tdr, 0x1234, 0, NULL);
	/* TDR busy on an exclusive holder: PAGE.ADD holds the TDR exclusive. */
	uint64_t pg = page();
	hold(&a, 0, LEAF_MEM_PAGE_ADD, GPA0 + 0x1000, td->tdr, pg, FX_SOURCE_PA, "PAGE", TDXSIM_MODE_EXCLUSIVE);
	HIS(BUSY(OPERAND_ID_RDX), 1, LEAF_MNG_ADDCX, page(), td->tdr, 0, 0, NULL);
	fx_assert_status(finish(&a), TDX_SUCCESS, "PAGE.ADD");
	HOK(0, LEAF_MR_FINALIZE, td->tdr, 0, 0, 0, NULL);
}

static bool guest_access(struct fx_td *td, unsigned v, uint64_t gpa, uint64_t rip)
{
	return tdxsim_guest_access(H.f->w, td->tdvpr[v], gpa, rip, false);
}

static void runtime(void)
{
	struct tdxsim_leaf_exec a, b;
	struct fx_td *td = &H.td;
	uint64_t tdr = td->tdr;
	bool exited;
	enter(td, 0);
	enter(td, 1);
	/* Guest leaves. */
	fx_assert_status(gc(td, 0, TDG_MEM_PAGE_ATTR_RD, GPA0, 0, 0, NULL), TDX_SUCCESS, "ATTR.RD");
	fx_assert_status(gc(td, 0, TDG_MEM_PAGE_ATTR_WR, GPA0, 0, 0, NULL), TDX_SUCCESS, "ATTR.WR");
	fx_assert_status(gc(td, 0, TDG_MR_RTMR_EXTEND, FX_SHARED_PAGE(6), 0, 0, NULL), TDX_SUCCESS, "RTMR.EXTEND");
	fx_assert_status(gc(td, 0, TDG_MR_REPORT, FX_SHARED_PAGE(6), FX_SHARED_PAGE(7), 0, NULL), TDX_SUCCESS,
			 "MR.REPORT");
	fx_assert_status(gc(td, 0, TDG_SERVTD_RD, tdr, MD_TD_OP_STATE, 0, NULL), TDX_METADATA_FIELD_ID_INCORRECT,
			 "SERVTD.RD");
	fx_assert_status(gc(td, 0, TDG_SERVTD_WR, tdr, MD_TD_OP_STATE, 0, NULL), TDX_METADATA_FIELD_ID_INCORRECT,
			 "SERVTD.WR");
	/* RTMR busy (guest): MR.REPORT holds it shared, RTMR.EXTEND wants it exclusive. */
	{
		struct tdxsim_regs r = { { 0 } };
		r.r[OPERAND_ID_RAX] = TDG_MR_REPORT;
		r.r[OPERAND_ID_RCX] = FX_SHARED_PAGE(6);
		r.r[OPERAND_ID_RDX] = FX_SHARED_PAGE(7);
		tdxsim_tdcall_begin(H.f->w, &a, td->tdvpr[0], &r);
		fx_step_until_holds(H.f, &a, "RTMR", TDXSIM_MODE_SHARED);
		fx_assert_status(gc(td, 1, TDG_MR_RTMR_EXTEND, FX_SHARED_PAGE(6), 0, 0, NULL),
				 BUSY(OPERAND_ID_RTMR), "RTMR.EXTEND busy");
		fx_assert_status(finish(&a), TDX_SUCCESS, "MR.REPORT");
	}
	/* TDVMCALL: a TD exit with the guest's registers; then in again. */
	fx_assert_status(gc(td, 0, TDG_VP_VMCALL, 0x1C00, 0, 0, &exited), TDX_SUCCESS, "VMCALL");
	assert_true(exited);
	enter(td, 0);

	/* Fault -> AUG -> ACCEPT at GPA_0 + 8K. */
	uint64_t g1 = GPA0 + 0x2000, g2 = GPA0 + 0x3000;
	assert_false(guest_access(td, 0, g1, 0x1000));
	fx_assert_status(tdexit(td, 0, TDXSIM_EXIT_EPT_VIOLATION, g1), 48, "EPT violation exit");
	uint64_t p1 = page();
	HOK(0, LEAF_MEM_PAGE_AUG, g1, tdr, p1, 0, NULL);
	enter(td, 0);
	fx_assert_status(gc(td, 0, TDG_MEM_PAGE_ACCEPT, g1, 0, 0, NULL), TDX_SUCCESS, "ACCEPT");

	/* SEPT entry busy: AUG holds g2's entry; a second AUG (host), an ACCEPT (guest). */
	uint64_t p2 = page();
	hold(&a, 0, LEAF_MEM_PAGE_AUG, g2, tdr, p2, 0, "PAGE", TDXSIM_MODE_EXCLUSIVE); /* entry held too */
	HIS(BUSY(OPERAND_ID_RCX), 1, LEAF_MEM_PAGE_AUG, g2, tdr, page(), 0, NULL);
	fx_assert_status(gc(td, 0, TDG_MEM_PAGE_ACCEPT, g2, 0, 0, NULL), BUSY(OPERAND_ID_RCX), "ACCEPT busy");
	/* PAGE busy: another GPA, the same page. */
	HIS(BUSY(OPERAND_ID_R8), 1, LEAF_MEM_PAGE_AUG, GPA0 + 0x4000, tdr, p2, 0, NULL);
	fx_assert_status(finish(&a), TDX_SUCCESS, "AUG");
	/* SEPT_PAGE busy: a SEPT.ADD naming the page a running AUG holds. */
	uint64_t p3 = page();
	hold(&a, 0, LEAF_MEM_PAGE_AUG, GPA0 + 0x4000, tdr, p3, 0, "PAGE", TDXSIM_MODE_EXCLUSIVE);
	HIS(BUSY(OPERAND_ID_R8), 1, LEAF_MEM_SEPT_ADD, GPA_LEVEL(0x80000000ull, LVL_PDPT), tdr, p3, 0, NULL);
	fx_assert_status(finish(&a), TDX_SUCCESS, "AUG");
	fx_assert_status(gc(td, 0, TDG_MEM_PAGE_ACCEPT, g2, 0, 0, NULL), TDX_SUCCESS, "ACCEPT");
	/* HP on the entry: a host SEPT.RD fails on the entry another SEPT.RD holds (HP
	 * set); once free, the guest's ACCEPT gets BUSY_HOST_PRIORITY, seen as BUSY. */
	hold(&a, 0, LEAF_MEM_SEPT_RD, GPA0 + 0x4000, tdr, 0, 0, "SEPT_ENTRY", -1);
	HIS(BUSY(OPERAND_ID_RCX), 1, LEAF_MEM_SEPT_RD, GPA0 + 0x4000, tdr, 0, 0, NULL);
	fx_assert_status(finish(&a), TDX_SUCCESS, "SEPT.RD");
	fx_assert_status(gc(td, 0, TDG_MEM_PAGE_ACCEPT, GPA0 + 0x4000, 0, 0, NULL), BUSY(OPERAND_ID_RCX),
			 "ACCEPT under HP");
	HOK(1, LEAF_MEM_SEPT_RD, GPA0 + 0x4000, tdr, 0, 0, NULL); /* clears HP */
	fx_assert_status(gc(td, 0, TDG_MEM_PAGE_ACCEPT, GPA0 + 0x4000, 0, 0, NULL), TDX_SUCCESS, "ACCEPT");
	/* SEPT tree busy: BLOCK holds it exclusive. */
	hold(&a, 0, LEAF_MEM_RANGE_BLOCK, g1, tdr, 0, 0, "SEPT_TREE", TDXSIM_MODE_EXCLUSIVE);
	HIS(BUSY(OPERAND_ID_SEPT_TREE), 1, LEAF_MEM_PAGE_REMOVE, g2, tdr, 0, 0, NULL);
	fx_assert_status(finish(&a), TDX_SUCCESS, "BLOCK");
	/* TDR busy (implicit, OPERAND_ID_TDR): MR.FINALIZE holds the TDR exclusive. */
	fx_assert_status(tdexit(td, 0, TDXSIM_EXIT_INTERRUPT, 0), 1, "exit");
	fx_assert_status(tdexit(td, 1, TDXSIM_EXIT_INTERRUPT, 0), 1, "exit");
	hold(&a, 0, LEAF_MR_FINALIZE, tdr, 0, 0, 0, "TDR", TDXSIM_MODE_EXCLUSIVE);
	HIS(BUSY(OPERAND_ID_TDR), 3, LEAF_VP_RD, td->tdvpr[0], MD_VP_STATE, 0, 0, NULL);
	fx_assert_status(finish(&a), TDX_OP_STATE_INCORRECT, "MR.FINALIZE");
	/* TD_EPOCH busy: TRACK holds the epoch lock; VP.ENTER fails after the
	 * association, releasing in reverse order. */
	hold(&a, 0, LEAF_MEM_TRACK, tdr, 0, 0, 0, "TD_EPOCH", TDXSIM_MODE_EXCLUSIVE);
	HIS(BUSY(OPERAND_ID_TD_EPOCH), 3, LEAF_VP_ENTER, td->tdvpr[0], 0, 0, 0, NULL);
	fx_assert_status(finish(&a), TDX_SUCCESS, "TRACK");
	/* The blocked g1: REMOVE after TRACK (no vCPU in guest). */
	HOK(0, LEAF_MEM_PAGE_REMOVE, g1, tdr, 0, 0, NULL);
	/* BLOCK, TRACK, UNBLOCK g2. */
	HOK(0, LEAF_MEM_RANGE_BLOCK, g2, tdr, 0, 0, NULL);
	HOK(0, LEAF_MEM_TRACK, tdr, 0, 0, 0, NULL);
	HOK(0, LEAF_MEM_RANGE_UNBLOCK, g2, tdr, 0, 0, NULL);
	/* RELOCATE g2 (blocked, tracked) to a new page. */
	HOK(0, LEAF_MEM_RANGE_BLOCK, g2, tdr, 0, 0, NULL);
	HOK(0, LEAF_MEM_TRACK, tdr, 0, 0, 0, NULL);
	HOK(0, LEAF_MEM_PAGE_RELOCATE, g2, tdr, page(), 0, NULL);

	/* 2 MB: AUG at GPA_2M; a second AUG of the same 2 MB range (other slot) taken
	 * while the first holds the 2M entry shared mid-walk: the first's promote
	 * fails (two readers). */
	uint64_t big = fx_page_2m(H.f);
	hold(&a, 0, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA_2M, LVL_PD), tdr, big, 0, "SEPT_ENTRY", -1);
	for (unsigned n = 0; !(a.nheld && a.held[a.nheld - 1].level == PAMT_2M); n++) {
		assert_true(n < 100);
		assert_int_equal(tdxsim_leaf_step(H.f->w, &a), TDXSIM_STEP_RAN);
	}
	fx_begin(H.f, &b, 1, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA_2M_B, LVL_PD), tdr, big, 0);
	fx_step_until_holds(H.f, &b, "SEPT_ENTRY", -1);
	for (unsigned n = 0; !(b.nheld && b.held[b.nheld - 1].level == PAMT_2M); n++) {
		assert_true(n < 100);
		assert_int_equal(tdxsim_leaf_step(H.f->w, &b), TDXSIM_STEP_RAN);
	}
	fx_assert_status(finish(&a), BUSY(OPERAND_ID_R8), "AUG 2M, promote failed");
	fx_assert_status(finish(&b), TDX_SUCCESS, "AUG 2M");
	/* A PAMT walk failing at the 2M level: the 2M page is held exclusive. */
	hold(&a, 0, LEAF_MEM_PAGE_REMOVE, GPA_LEVEL(GPA_2M_B, LVL_PD), tdr, 0, 0, "PAGE", TDXSIM_MODE_EXCLUSIVE);
	HIS(BUSY(OPERAND_ID_RCX), 1, LEAF_PHYMEM_PAGE_RECLAIM, big + 0x1000, 0, 0, 0, NULL);
	fx_assert_status(finish(&a), TDX_GPA_RANGE_NOT_BLOCKED | OPERAND_ID_RCX, "REMOVE 2M unblocked");
	/* DEMOTE the pending 2 MB page, then PROMOTE it back (blocked, tracked). */
	HOK(0, LEAF_MEM_PAGE_DEMOTE, GPA_LEVEL(GPA_2M_B, LVL_PD), tdr, page(), 0, NULL);
	HOK(0, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA_2M_B, LVL_PD), tdr, 0, 0, NULL);
	HOK(0, LEAF_MEM_TRACK, tdr, 0, 0, 0, NULL);
	HOK(0, LEAF_V(LEAF_MEM_PAGE_PROMOTE, 1), GPA_LEVEL(GPA_2M_B, LVL_PD), tdr, 0, 0, NULL);
	/* SEPT.REMOVE of an empty PT page in another 1 GB. */
	HOK(0, LEAF_MEM_SEPT_ADD, GPA_LEVEL(0x80000000ull, LVL_PDPT), tdr, page(), 0, NULL);
	HOK(0, LEAF_MEM_SEPT_ADD, GPA_LEVEL(0x80000000ull, LVL_PD), tdr, page(), 0, NULL);
	HOK(0, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(0x80000000ull, LVL_PD), tdr, 0, 0, NULL);
	HOK(0, LEAF_MEM_TRACK, tdr, 0, 0, 0, NULL);
	HOK(0, LEAF_MEM_SEPT_REMOVE, GPA_LEVEL(0x80000000ull, LVL_PD), tdr, 0, 0, NULL);

	/* Zero-step (§4): GPA_0 blocked; 7 EPT violations at one RIP; the next entry
	 * takes the SEPT tree exclusive and fails (emulated EPT violation); after
	 * UNBLOCK it enters holding the tree until guest entry. */
	HOK(0, LEAF_MEM_RANGE_BLOCK, GPA0, tdr, 0, 0, NULL);
	HOK(0, LEAF_MEM_TRACK, tdr, 0, 0, 0, NULL);
	for (unsigned i = 0; i < 7; i++) {
		enter(td, 0);
		assert_false(guest_access(td, 0, GPA0, 0x2000));
		fx_assert_status(tdexit(td, 0, TDXSIM_EXIT_EPT_VIOLATION, GPA0), 48, "EPT violation exit");
	}
	HIS(48, td->vcpu_lp[0], LEAF_VP_ENTER, td->tdvpr[0], 0, 0, 0, NULL);
	HOK(0, LEAF_MEM_TRACK, tdr, 0, 0, 0, NULL);
	HOK(0, LEAF_MEM_RANGE_UNBLOCK, GPA0, tdr, 0, 0, NULL);
	enter(td, 0);
	assert_true(guest_access(td, 0, GPA0, 0x3000)); /* RIP progress clears the suspicion */
	fx_assert_status(tdexit(td, 0, TDXSIM_EXIT_INTERRUPT, 0), 1, "exit");
}

static void teardown(void)
{
	struct tdxsim_leaf_exec a;
	struct fx_td *td = &H.td;
	for (unsigned v = 0; v < td->nvcpus; v++)
		HOK(td->vcpu_lp[v], LEAF_VP_FLUSH, td->tdvpr[v], 0, 0, 0, NULL);
	HOK(0, LEAF_MNG_VPFLUSHDONE, td->tdr, 0, 0, 0, NULL);
	/* WBT busy: a CACHE.WB holds its package's mutex, another LP of the package. */
	hold(&a, 0, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0, "WBT", -1);
	HIS(BUSY(OPERAND_ID_WBCACHE), 1, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0, NULL);
	fx_assert_status(finish(&a), TDX_INTERRUPTED_RESUMABLE, "CACHE.WB");
	for (unsigned p = 0; p < H.f->cfg.n_pkgs; p++) {
		unsigned lp = fx_lp_of_pkg(H.f, p);
		tdx_status_t s = p ? hc(lp, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0, NULL) : TDX_INTERRUPTED_RESUMABLE;
		while (s == TDX_INTERRUPTED_RESUMABLE)
			s = hc(lp, LEAF_PHYMEM_CACHE_WB, 1, 0, 0, 0, NULL);
		fx_assert_status(s, TDX_SUCCESS, "CACHE.WB");
	}
	HOK(0, LEAF_MNG_KEY_FREEID, td->tdr, 0, 0, 0, NULL);
	HOK(0, LEAF_MNG_KEY_RECLAIMID, 0, 0, 0, 0, NULL);
	/* RECLAIM every page handed out (free ones fail after their lock), TDR last;
	 * a 2 MB page once at its base. */
	struct tdxsim_mod *m = fx_mod(H.f);
	for (unsigned fr = 0; fr < H.f->next_frame; fr++) {
		uint64_t hpa = tdxsim_world_frame_hpa(H.f->w, fr);
		if (hpa == td->tdr || (fr % 512 && mod_pamt(m, PAMT_2M, fr >> 9)->pt == TDXSIM_PT_REG))
			continue;
		tdx_status_t s = hc(fr % H.f->cfg.n_lps, LEAF_PHYMEM_PAGE_RECLAIM, hpa, 0, 0, 0, NULL);
		if (s != TDX_SUCCESS)
			fx_assert_status(s, TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_RCX, "RECLAIM");
	}
	HOK(0, LEAF_PHYMEM_PAGE_RECLAIM, td->tdr, 0, 0, 0, NULL);
	/* WBINVD of a free page with the TD's HKID in the PA. */
	uint64_t hkid_shift = H.f->cfg.pa_bits - H.f->cfg.hkid_bits;
	HOK(1, LEAF_PHYMEM_PAGE_WBINVD, td->tdr | (2ull << hkid_shift), 0, 0, 0, NULL);
}

/* ------------------------------------------------------------------------------
 * The random phase: helpers/mix.h on a second world, every call checked.
 * ---------------------------------------------------------------------------- */

static void mix_done(void *ctx, struct mix *mx, unsigned lp, enum mix_kind kind,
		     const struct tdxsim_leaf_exec *x, enum tdxsim_step_result r)
{
	(void)mx, (void)lp, (void)kind;
	struct h *h = ctx;
	log_end(&h->log, x, r);
	chk_drain(&h->chk, &h->log);
}

/* Add a checker's coverage to another's. */
static void chk_merge(struct chk *dst, const struct chk *src)
{
	for (unsigned l = 0; l < MAX_LEAVES; l++) {
		dst->ok[l] += src->ok[l];
		dst->runs[l] += src->runs[l];
		for (unsigned i = 0; i < MAX_STEPS; i++) {
			dst->acq_ok[l][i] += src->acq_ok[l][i];
			dst->acq_busy[l][i] += src->acq_busy[l][i];
		}
	}
	for (unsigned r = 0; r < 32; r++)
		dst->res_busy[r] += src->res_busy[r];
	dst->promote_ok += src->promote_ok;
	dst->promote_fail += src->promote_fail;
	dst->events += src->events;
	dst->execs += src->execs;
}

static void random_phase(struct chk *into)
{
	struct tdxsim_module_config cfg = { .n_lps = 4, .n_pkgs = 2, .n_frames = 1024, .max_sept_pages = 32,
					    .max_tds = 8, .max_vcpus = 16 };
	static struct h R;
	static struct mix_state st;
	memset(&R, 0, sizeof(R));
	R.f = fx_new(NULL, &cfg);
	struct tdxsim_mod *m = fx_mod(R.f);
	struct mix_env env;
	char why[256];
	struct mix_build_opts o = { .nvcpus = 2, .finalize = true, .enter = true };
	if (!mix_world_build(R.f->w, &o, &env, why, sizeof(why)))
		fail_msg("%s", why);
	chk_init(&R.chk, R.f->table, m);
	/* The vCPUs the build entered keep their TDH.VP.ENTER locks: start from them. */
	for (unsigned v = 0; v < env.ntdvpr; v++) {
		uint32_t vi = mod_frame(m, mod_frame_of(m, env.tdvpr[v]))->idx;
		struct vcpu_obj *vo = mod_vcpu(m, vi);
		for (unsigned i = 0; i < vo->n_entry_holds; i++) {
			const struct tdxsim_held_lock *hl = &vo->entry_holds[i];
			R.chk.vh[vi].held[R.chk.vh[vi].n++] = (struct hrec){
				hl->word, hl->res, hl->mode, hl->level == 0xFF ? -1 : hl->level, hl->step, hl->hold,
				hl->guest };
		}
	}
	struct mix mx;
	mix_init(&mx, R.f->w, &env, &st);
	mix_adopt_guests(&mx);
	mx.done = mix_done;
	mx.done_ctx = &R;
	tdxsim_world_set_observer(R.f->w, observe, &R.log);
	mix_rng_seed(&st.rng, 0x10C4ED);
	struct mix_src src = { mix_src_rng, &st.rng };
	while (st.completed < 6000 && !R.chk.nerr)
		mix_step(&mx, &src);
	mix_drain(&mx);
	chk_drain(&R.chk, &R.log);
	if (R.chk.nerr)
		fail_msg("lock recording (random phase): %s", R.chk.err);
	chk_merge(into, &R.chk);
	tdxsim_world_set_observer(R.f->w, NULL, NULL);
	chk_free(&R.chk);
	free(R.log.e);
	fx_free(R.f);
}

/* ------------------------------------------------------------------------------
 * Tests.
 * ---------------------------------------------------------------------------- */

static void setup_world(void)
{
	struct tdxsim_module_config cfg = { .n_lps = 4, .n_pkgs = 2, .n_frames = 2048, .check_invariants = true };
	memset(&H, 0, sizeof(H));
	H.f = fx_new(NULL, &cfg);
	chk_init(&H.chk, H.f->table, fx_mod(H.f));
	H.cur = &H.log;
	tdxsim_world_set_observer(H.f->w, observe, &H.log);
}

static void teardown_world(void)
{
	tdxsim_world_set_observer(H.f->w, NULL, NULL);
	chk_free(&H.chk);
	free(H.log.e);
	fx_free(H.f);
	memset(&H, 0, sizeof(H));
}

static bool l2_step(const struct tdxsim_table *t, const struct tdxsim_step *st)
{
	(void)t;
	return !strcmp(st->when, "l2_pages_present") || !strcmp(st->when, "l2_alias_present");
}

static void every_leaf_and_lock(void **state)
{
	(void)state;
	setup_world();
	boot();
	build();
	runtime();
	teardown();
	random_phase(&H.chk);
	struct chk *c = &H.chk;
	const struct tdxsim_table *t = H.f->table;
	char missing[1024] = "";
	/* Every leaf succeeded at least once (the SERVTD leaves cannot: no bindings),
	 * and every LOCK step was acquired, except the L2 ones (no L2 VMs). */
	for (unsigned l = 0; l < t->nleaves; l++) {
		const struct tdxsim_leaf *L = &t->leaves[l];
		bool servtd = !strncmp(L->name, "TDG.SERVTD.", 11);
		if (!c->ok[l] && !servtd)
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), " %s(no success)", L->name);
		for (unsigned i = 0; i < L->nsteps; i++) {
			if (L->steps[i].kind != TDXSIM_STEP_LOCK)
				continue;
			bool want = !l2_step(t, &L->steps[i]);
			if (want != (c->acq_ok[l][i] > 0))
				snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), " %s step %u(%s)",
					 L->name, i, want ? "never acquired" : "unexpectedly acquired");
		}
	}
	if (missing[0])
		fail_msg("coverage:%s", missing);
	/* Every resource some leaf takes exclusively was busy at least once, and a PAMT
	 * promote failed. */
	static const char *const busy_res[] = { "TDR", "TDVPR", "SEPT_PAGE", "PAGE", "SEPT_TREE", "SEPT_ENTRY",
						"TD_EPOCH", "RTMR", "KOT", "GLOBAL", "WBT", "TDMR" };
	for (unsigned i = 0; i < sizeof(busy_res) / sizeof(busy_res[0]); i++) {
		int r = tdxsim_table_find_res(t, busy_res[i]);
		assert_true(r >= 0);
		if (!c->res_busy[r])
			fail_msg("no failed acquire of %s was recorded", busy_res[i]);
	}
	assert_true(c->promote_fail >= 1);
	assert_true(c->promote_ok >= 1);
	print_message("lock recording: %u events of %u executions checked; %u promotes, %u failed\n",
		      c->events, c->execs, c->promote_ok + c->promote_fail, c->promote_fail);
	teardown_world();
}

/* ---- the checker catches drift ---- */

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = 0;
	fclose(fp);
	return buf;
}

/* The table text with, inside leaf `leaf`'s block, line a swapped with line b (or
 * line a deleted if b is NULL). */
static char *table_variant(const char *text, const char *leaf, const char *a, const char *b)
{
	char *out = malloc(strlen(text) + 1);
	assert_non_null(out);
	strcpy(out, text);
	char *blk = strstr(out, leaf);
	assert_non_null(blk);
	char *end = strstr(blk + strlen(leaf), "\n  TD"); /* the next leaf */
	assert_non_null(end);
	char *pa = strstr(blk, a);
	assert_true(pa && pa < end);
	size_t la = strlen(a);
	if (!b) {
		memmove(pa, pa + la, strlen(pa + la) + 1);
		return out;
	}
	char *pb = strstr(blk, b);
	size_t lb = strlen(b);
	assert_true(pb && pb < end && pa < pb);
	/* a ... b  ->  b ... a */
	size_t mid = (size_t)(pb - (pa + la));
	char *tmp = malloc(la + mid + lb);
	assert_non_null(tmp);
	memcpy(tmp, b, lb);
	memcpy(tmp + lb, pa + la, mid);
	memcpy(tmp + lb + mid, a, la);
	memcpy(pa, tmp, la + mid + lb);
	free(tmp);
	return out;
}

static struct tdxsim_table *load_text(const char *text)
{
	char path[] = "/tmp/tdxsim-lockrec-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	struct tdxsim_table *t = tdxsim_table_load(path, &err);
	unlink(path);
	if (!t)
		fail_msg("variant table: %s", err.msg);
	return t;
}

/* Replay a recorded log against a table; the number of errors. */
static unsigned replay(const struct log *l, const struct tdxsim_table *t, char *err, size_t len)
{
	struct chk c;
	chk_init(&c, t, fx_mod(H.f));
	for (size_t i = 0; i < l->n; i++)
		chk_feed(&c, &l->e[i]);
	unsigned n = c.nerr;
	if (err)
		snprintf(err, len, "%s", c.err);
	chk_free(&c);
	return n;
}

/* Record one TRACK and one AUG (logs kept, not checked yet). */
static void record_calls(struct log *track, struct log *aug)
{
	fx_boot(H.f);
	fx_td_create(H.f, &H.td, 2);
	fx_td_sept_levels(H.f, &H.td, GPA0, LVL_PT);
	struct tdxsim_leaf_exec x;
	H.cur = track;
	tdxsim_world_set_observer(H.f->w, observe, track);
	fx_begin(H.f, &x, 0, LEAF_MEM_TRACK, H.td.tdr, 0, 0, 0);
	run_exec(&x);
	fx_assert_status(x.regs.r[OPERAND_ID_RAX], TDX_SUCCESS, "TRACK");
	H.cur = aug;
	tdxsim_world_set_observer(H.f->w, observe, aug);
	fx_begin(H.f, &x, 0, LEAF_MEM_PAGE_AUG, GPA0 + 0x5000, H.td.tdr, fx_page(H.f), 0);
	run_exec(&x);
	fx_assert_status(x.regs.r[OPERAND_ID_RAX], TDX_SUCCESS, "AUG");
	tdxsim_world_set_observer(H.f->w, NULL, NULL);
	H.cur = &H.log;
}

static void checker_catches_drift(void **state)
{
	(void)state;
	setup_world();
	tdxsim_world_set_observer(H.f->w, NULL, NULL);
	struct log track = { 0 }, aug = { 0 };
	record_calls(&track, &aug);
	char err[640];
	const struct tdxsim_table *A = H.f->table;
	if (replay(&track, A, err, sizeof(err)) || replay(&aug, A, err, sizeof(err)))
		fail_msg("the recorded calls do not pass: %s", err);

	char *text = slurp(A->path);
	/* Steps reordered: TRACK's op_state and epoch locks swapped. */
	char *swapped = table_variant(text, "  TDH.MEM.TRACK:", "      - lock: { res: OP_STATE, mode: sh }\n",
				      "      - lock: { res: TD_EPOCH, mode: ex }\n");
	struct tdxsim_table *B = load_text(swapped);
	assert_true(replay(&track, B, err, sizeof(err)) > 0);
	print_message("reordered table: %s\n", err);
	/* A lock the YAML does not have: TRACK's epoch lock removed from the table. */
	char *missing = table_variant(text, "  TDH.MEM.TRACK:", "      - lock: { res: TD_EPOCH, mode: ex }\n", NULL);
	struct tdxsim_table *C = load_text(missing);
	assert_true(replay(&track, C, err, sizeof(err)) > 0);
	print_message("lock not in the table: %s\n", err);

	/* A body taking a lock of its own: a KOT acquire injected at AUG's body step. */
	struct log inj = { 0 };
	int body = -1;
	const struct tdxsim_leaf *L = tdxsim_table_find_leaf(A, "TDH.MEM.PAGE.AUG");
	for (unsigned i = 0; i < L->nsteps; i++)
		if (L->steps[i].kind == TDXSIM_STEP_BODY)
			body = (int)i;
	assert_true(body >= 0);
	for (size_t i = 0; i < aug.n; i++) {
		log_push(&inj, &aug.e[i]);
		if (aug.e[i].type == LE_EVENT && aug.e[i].ev.op == TDXSIM_LOCK_RELEASE && (int)aug.e[i].ev.step == body &&
		    inj.n == i + 1) {
			struct lent e = aug.e[i];
			e.ev.op = TDXSIM_LOCK_ACQUIRE;
			e.ev.res = tdxsim_table_find_res(A, "KOT");
			e.ev.mode = TDXSIM_MODE_EXCLUSIVE;
			e.ev.pamt_level = -1;
			e.ev.word_off = fx_mod(H.f)->lay.off_global + offsetof(struct mod_global, kot_lock);
			e.ev.result = TDX_SUCCESS;
			log_push(&inj, &e);
		}
	}
	assert_int_equal(inj.n, aug.n + 1);
	assert_true(replay(&inj, A, err, sizeof(err)) > 0);
	print_message("injected acquire: %s\n", err);

	/* Releases out of order: the first two releases of the completion swapped. */
	struct log sw = { 0 };
	for (size_t i = 0; i < aug.n; i++)
		log_push(&sw, &aug.e[i]);
	size_t k = 0;
	while (k + 1 < sw.n && !(sw.e[k].type == LE_EVENT && sw.e[k].ev.op == TDXSIM_LOCK_RELEASE &&
				sw.e[k].ev.before != sw.e[k].ev.after && sw.e[k + 1].type == LE_EVENT &&
				sw.e[k + 1].ev.op == TDXSIM_LOCK_RELEASE))
		k++;
	assert_true(k + 1 < sw.n);
	struct lent t0 = sw.e[k];
	sw.e[k] = sw.e[k + 1];
	sw.e[k + 1] = t0;
	assert_true(replay(&sw, A, err, sizeof(err)) > 0);
	print_message("releases swapped: %s\n", err);

	tdxsim_table_free(B);
	tdxsim_table_free(C);
	free(text);
	free(swapped);
	free(missing);
	free(track.e);
	free(aug.e);
	free(inj.e);
	free(sw.e);
	teardown_world();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_leaf_and_lock),
		cmocka_unit_test(checker_catches_drift),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
