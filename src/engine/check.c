/* SPDX-License-Identifier: MIT */
/*
 * The explorer (docs/check.md).  One current state lives in the model's segments;
 * `base` is a copy of it.  To generate a successor the explorer steps one actor in
 * place, finds the words that changed by comparing against `base` (only where the
 * model says a step can write), turns them into state-vector slots, looks the
 * successor up in the store, and copies the changed words back from `base`.
 *
 * State vector: slot i holds (word ^ initial word) of the i-th world word that
 * ever changed, in the order they first changed; words that never changed are not
 * in the vector at all, so a 300 KB world whose steps touch a few hundred words
 * has a vector of a few hundred slots.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/check.h"
#include "engine/check_store.h"

struct slotw {
	uint32_t seg;
	uint32_t word;
};

struct chg {
	uint32_t seg, word, slot;
	uint64_t nw, ow;           /* new and old word */
};

struct dfs_frame {
	uint32_t sid;              /* tree / fingerprint id (CK_NONE for bitstate) */
	uint32_t a;                /* next actor to try */
	uint32_t enabled;
	uint32_t all_done;
	uint64_t h1, h2;           /* fingerprint / bitstate hashes of this state */
	uint64_t undo_off;         /* DFS fp/bitstate: start of this state's undo records */
	uint32_t act;              /* actor that led here */
	uint32_t reduced;          /* expanding a single (ample) actor */
	uint32_t fresh_all;        /* every successor so far was new (POR proviso) */
};

struct undo_rec {
	uint32_t seg, word;
	uint64_t old;
};

struct ck {
	struct ck_model *m;
	const struct ck_opts *o;
	struct ck_result *r;
	unsigned n;
	uint32_t props;
	size_t nw[2];
	uint64_t *init[2], *base[2], *cur[2];
	uint32_t *slot_of[2];
	struct slotw *sw;
	uint32_t nslots, capslots;     /* slots reserved (in blocks), capacity of sw */
	uint32_t used;                 /* slots holding a word */
	uint32_t gnext[CK_MAX_GROUPS], gend[CK_MAX_GROUPS]; /* each group's current block */
	/* stores */
	struct ck_tree t;
	struct ck_cursor cursor;
	struct ck_undo undo;
	struct ck_fpset fps;
	struct ck_bitstate bs;
	uint64_t h1, h2;           /* hashes of the current state */
	uint64_t nstates;
	/* per state */
	bool keep_parents, need_edges;
	uint32_t *parent;
	uint8_t *pact;
	uint64_t cap_ps;
	uint32_t *succ;            /* [sid * n + a] */
	uint8_t *eprog;            /* [sid * n + a] */
	uint8_t *pend;             /* [sid] */
	uint64_t cap_e;
	/* diff scratch */
	struct chg *chg;
	uint32_t nchg, capchg;
	uint32_t *uslots;
	uint64_t *uvals;
	struct ck_range *rg;
	unsigned maxrg;
	/* DFS */
	struct dfs_frame *stk;
	uint64_t nstk, capstk;
	struct undo_rec *ur;
	uint64_t nur, capur;
	uint32_t *path_buf;
	/* misc */
	struct timespec t0, tlast;
	uint64_t last_states;
	bool tty;
	bool stop;
	uint32_t cur_depth;
	uint64_t frontier;
};

/* ---- small helpers ------------------------------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(struct ck *c, const char *fmt, const char *a, unsigned long long b)
{
	if (c->r->failed)
		return;
	c->r->failed = true;
	char aa[200];
	snprintf(aa, sizeof(aa), "%.199s", a);
	snprintf(c->r->error, sizeof(c->r->error), fmt, aa, b);
	c->stop = true;
}

static bool grow_arr(void **p, uint64_t *cap, uint64_t need, size_t elem, uint64_t min)
{
	if (need <= *cap)
		return true;
	uint64_t nc = *cap ? *cap : min;
	while (nc < need)
		nc *= 2;
	void *q = realloc(*p, nc * elem);
	if (!q)
		return false;
	*p = q;
	*cap = nc;
	return true;
}

static uint64_t mem_bytes(const struct ck *c)
{
	uint64_t b = 0;
	if (c->o->store == CK_TREE)
		b += ck_tree_bytes(&c->t);
	else if (c->o->store == CK_FINGERPRINT)
		b += ck_fpset_bytes(&c->fps);
	else
		b += ck_bitstate_bytes(&c->bs);
	if (c->keep_parents)
		b += c->cap_ps * (sizeof(uint32_t) + 1);
	if (c->need_edges)
		b += c->cap_e * (sizeof(uint32_t) + 1) * c->n + c->cap_e;
	b += c->capstk * sizeof(struct dfs_frame) + c->capur * sizeof(struct undo_rec);
	return b;
}

static void progress(struct ck *c, bool final)
{
	if (!c->tty)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double dt = (double)(ts.tv_sec - c->tlast.tv_sec) + (double)(ts.tv_nsec - c->tlast.tv_nsec) / 1e9;
	if (!final && dt < 0.5)
		return;
	double el = (double)(ts.tv_sec - c->t0.tv_sec) + (double)(ts.tv_nsec - c->t0.tv_nsec) / 1e9;
	double rate = dt > 0 ? (double)(c->nstates - c->last_states) / dt : 0;
	if (final) {
		fprintf(stderr, "\r\033[K");
		return;
	}
	fprintf(stderr, "\rcheck: %" PRIu64 " states, %.0f states/s, %s %" PRIu64 ", %.1f MB, depth %u, %.0fs \033[K",
		c->nstates, rate, c->o->dfs ? "stack" : "frontier", c->frontier,
		(double)mem_bytes(c) / 1048576.0, c->cur_depth, el);
	c->tlast = ts;
	c->last_states = c->nstates;
}

/* ---- slots and the diff --------------------------------------------------------------- */

#define SLOT_BLOCK 32

/* The next slot of word w's group: slots come in aligned blocks of SLOT_BLOCK per
 * group (a block is one subtree of the state tree). */
static uint32_t slot_alloc(struct ck *c, uint32_t seg, uint32_t w)
{
	unsigned g = c->m->group ? c->m->group(c->m->ctx, seg, w) % CK_MAX_GROUPS : 0;
	if (c->gnext[g] == c->gend[g]) {
		uint32_t b = c->nslots;
		if (c->nslots + SLOT_BLOCK > c->capslots) {
			uint32_t nc = c->capslots ? c->capslots * 2 : 1024;
			struct slotw *s = realloc(c->sw, nc * sizeof(*s));
			if (!s)
				return CK_NONE;
			c->sw = s;
			c->capslots = nc;
		}
		for (uint32_t i = b; i < b + SLOT_BLOCK; i++)
			c->sw[i] = (struct slotw){ CK_NONE, CK_NONE };
		c->nslots += SLOT_BLOCK;
		c->gnext[g] = b;
		c->gend[g] = b + SLOT_BLOCK;
		if (c->o->store == CK_TREE) {
			while (c->nslots > (1u << c->t.depth)) {
				if (ck_tree_grow(&c->t, &c->cursor) < 0)
					return CK_NONE;
			}
		}
	}
	uint32_t s = c->gnext[g]++;
	c->sw[s] = (struct slotw){ seg, w };
	c->slot_of[seg][w] = s;
	c->used++;
	return s;
}

static bool chg_push(struct ck *c, uint32_t seg, uint32_t w, uint64_t nw, uint64_t ow)
{
	if (c->nchg == c->capchg) {
		uint32_t nc = c->capchg ? c->capchg * 2 : 1024;
		struct chg *x = realloc(c->chg, nc * sizeof(*x));
		uint32_t *us = realloc(c->uslots, nc * sizeof(*us));
		if (us)
			c->uslots = us;
		uint64_t *uv = realloc(c->uvals, nc * sizeof(*uv));
		if (uv)
			c->uvals = uv;
		if (!x || !us || !uv) {
			if (x)
				c->chg = x;
			return false;
		}
		c->chg = x;
		c->capchg = nc;
	}
	c->chg[c->nchg++] = (struct chg){ seg, w, CK_NONE, nw, ow };
	return true;
}

/* Compare words [w0, w0 + n) of a segment, 8 at a time. */
static bool diff_range(struct ck *c, uint32_t seg, uint32_t w0, uint32_t n)
{
	const uint64_t *a = c->cur[seg], *b = c->base[seg];
	uint32_t w = w0, end = w0 + n;
	for (; w + 8 <= end; w += 8) {
		uint64_t x = 0;
		for (unsigned k = 0; k < 8; k++)
			x |= a[w + k] ^ b[w + k];
		if (!x)
			continue;
		for (unsigned k = 0; k < 8; k++)
			if (a[w + k] != b[w + k] && !chg_push(c, seg, w + k, a[w + k], b[w + k]))
				return false;
	}
	for (; w < end; w++)
		if (a[w] != b[w] && !chg_push(c, seg, w, a[w], b[w]))
			return false;
	return true;
}

/* Paranoid mode: no word outside the model's ranges may have changed. */
static bool paranoid_outside(struct ck *c, unsigned nr)
{
	uint8_t *cov = calloc(c->nw[0], 1);
	if (!cov)
		return false;
	for (unsigned i = 0; i < nr; i++)
		for (uint64_t w = c->rg[i].w0; w < (uint64_t)c->rg[i].w0 + c->rg[i].n && w < c->nw[0]; w++)
			cov[w] = 1;
	bool ok = true;
	for (uint64_t w = 0; w < c->nw[0] && ok; w++)
		if (!cov[w] && c->cur[0][w] != c->base[0][w]) {
			fail(c, "model contract: a step changed world word %s%llu outside the ranges the model "
				"reported (docs/check.md \"Diff ranges\")", "", (unsigned long long)w);
			c->cur[0][w] = c->base[0][w];
			ok = false;
		}
	free(cov);
	return ok;
}

static bool diff(struct ck *c)
{
	c->nchg = 0;
	unsigned nr = c->maxrg + 1;
	if (c->m->ranges)
		nr = c->m->ranges(c->m->ctx, (const uint8_t *)c->base[0], c->rg, c->maxrg);
	if (nr > c->maxrg) {
		if (!diff_range(c, 0, 0, (uint32_t)c->nw[0]))
			return false;
	} else {
		for (unsigned i = 0; i < nr; i++) {
			uint32_t w0 = c->rg[i].w0, n = c->rg[i].n;
			if (w0 >= c->nw[0])
				continue;
			if (n > c->nw[0] - w0)
				n = (uint32_t)(c->nw[0] - w0);
			if (!diff_range(c, 0, w0, n))
				return false;
		}
	}
	if (c->nw[1] && !diff_range(c, 1, 0, (uint32_t)c->nw[1]))
		return false;
	if (c->o->paranoid && nr <= c->maxrg && !paranoid_outside(c, nr))
		return false; /* the failure is recorded */
	for (uint32_t i = 0; i < c->nchg; i++) {
		struct chg *x = &c->chg[i];
		uint32_t s = c->slot_of[x->seg][x->word];
		if (s == CK_NONE && (s = slot_alloc(c, x->seg, x->word)) == CK_NONE)
			return false;
		x->slot = s;
	}
	return true;
}

/* Undo the step in the segments: copy the changed words back. */
static void revert_words(struct ck *c)
{
	for (uint32_t i = 0; i < c->nchg; i++)
		c->cur[c->chg[i].seg][c->chg[i].word] = c->chg[i].ow;
}

/* Keep the step: base follows. */
static void keep_words(struct ck *c)
{
	for (uint32_t i = 0; i < c->nchg; i++)
		c->base[c->chg[i].seg][c->chg[i].word] = c->chg[i].nw;
}

static void goto_cb(void *ctx, uint32_t slot, uint64_t val)
{
	struct ck *c = ctx;
	struct slotw sw = c->sw[slot];
	uint64_t w = val ^ c->init[sw.seg][sw.word];
	c->cur[sw.seg][sw.word] = w;
	c->base[sw.seg][sw.word] = w;
}

/* Make the segments equal to stored state sid (tree store). */
static void go(struct ck *c, uint32_t sid)
{
	ck_tree_goto(&c->t, &c->cursor, sid, goto_cb, c);
}

/* ---- storing a successor ------------------------------------------------------------------ */

static void hashes_after(struct ck *c, uint64_t *h1, uint64_t *h2)
{
	uint64_t a = c->h1, b = c->h2;
	bool two = c->o->store == CK_BITSTATE;
	for (uint32_t i = 0; i < c->nchg; i++) {
		const struct chg *x = &c->chg[i];
		uint64_t iv = c->init[x->seg][x->word];
		a += ck_fp_term(x->slot, x->nw ^ iv, 0) - ck_fp_term(x->slot, x->ow ^ iv, 0);
		if (two)
			b += ck_fp_term(x->slot, x->nw ^ iv, 1) - ck_fp_term(x->slot, x->ow ^ iv, 1);
	}
	*h1 = a;
	*h2 = b;
}

/* The id of the successor described by c->chg (CK_NONE for bitstate, or on out of
 * memory with c->stop set). */
static uint32_t commit(struct ck *c, bool *added, uint64_t *h1, uint64_t *h2)
{
	*added = false;
	if (c->o->store == CK_TREE) {
		for (uint32_t i = 0; i < c->nchg; i++) {
			const struct chg *x = &c->chg[i];
			c->uslots[i] = x->slot;
			c->uvals[i] = x->nw ^ c->init[x->seg][x->word];
		}
		uint32_t root = ck_tree_update(&c->t, &c->cursor, c->nchg, c->uslots, c->uvals, &c->undo);
		uint32_t sid = root == CK_NONE ? CK_NONE : ck_tree_state(&c->t, root, added);
		ck_tree_revert(&c->cursor, &c->undo);
		if (sid == CK_NONE) {
			snprintf(c->r->stop_why, sizeof(c->r->stop_why), "out of memory in the state store");
			c->r->stopped = true;
			c->stop = true;
		}
		return sid;
	}
	hashes_after(c, h1, h2);
	if (c->o->store == CK_FINGERPRINT) {
		uint32_t id = ck_fpset_insert(&c->fps, *h1, added);
		if (c->fps.oom) {
			snprintf(c->r->stop_why, sizeof(c->r->stop_why), "out of memory in the fingerprint set");
			c->r->stopped = true;
			c->stop = true;
		}
		return id;
	}
	*added = ck_bitstate_insert(&c->bs, *h1, *h2);
	return CK_NONE;
}

/* ---- per-state arrays ------------------------------------------------------------------------ */

static bool note_state(struct ck *c, uint32_t sid, uint32_t parent, uint32_t act)
{
	if (c->keep_parents && sid != CK_NONE) {
		if (!grow_arr((void **)&c->parent, &c->cap_ps, (uint64_t)sid + 1, sizeof(uint32_t), 4096))
			return false;
		uint64_t cap = c->cap_ps;
		void *p = realloc(c->pact, cap);
		if (!p)
			return false;
		c->pact = p;
		c->parent[sid] = parent;
		c->pact[sid] = (uint8_t)act;
	}
	if (c->need_edges && sid != CK_NONE) {
		uint64_t old = c->cap_e;
		if ((uint64_t)sid + 1 > c->cap_e) {
			uint64_t nc = c->cap_e ? c->cap_e : 4096;
			while (nc < (uint64_t)sid + 1)
				nc *= 2;
			uint32_t *s = realloc(c->succ, nc * c->n * sizeof(*s));
			if (!s)
				return false;
			c->succ = s;
			uint8_t *e = realloc(c->eprog, nc * c->n);
			if (!e)
				return false;
			c->eprog = e;
			uint8_t *p = realloc(c->pend, nc);
			if (!p)
				return false;
			c->pend = p;
			for (uint64_t i = old * c->n; i < nc * c->n; i++)
				c->succ[i] = CK_NONE;
			memset(c->eprog + old * c->n, 0, (nc - old) * c->n);
			memset(c->pend + old, 0, nc - old);
			c->cap_e = nc;
		}
	}
	return true;
}

static uint32_t path_to(struct ck *c, uint32_t sid, uint32_t *buf, uint32_t cap)
{
	uint32_t n = 0;
	while (sid != 0 && sid != CK_NONE && n < cap) {
		buf[n++] = c->pact[sid];
		sid = c->parent[sid];
	}
	for (uint32_t i = 0; i < n / 2; i++) {
		uint32_t t = buf[i];
		buf[i] = buf[n - 1 - i];
		buf[n - 1 - i] = t;
	}
	return n;
}

/* The path to the current state: parent pointers (BFS) or the DFS stack. */
static uint32_t *cur_path(struct ck *c, uint32_t sid, uint32_t extra, uint32_t *len)
{
	uint32_t cap = (uint32_t)(c->o->dfs ? c->nstk + 1 : c->cur_depth + 2);
	uint32_t *p = malloc((cap + 1 + (extra != CK_NONE)) * sizeof(*p));
	if (!p)
		return NULL;
	uint32_t n = 0;
	if (c->o->dfs) {
		for (uint64_t i = 1; i < c->nstk; i++)
			p[n++] = c->stk[i].act;
	} else {
		n = path_to(c, sid, p, cap);
	}
	if (extra != CK_NONE)
		p[n++] = extra;
	*len = n;
	return p;
}

static void record(struct ck *c, uint32_t prop, uint32_t sid, uint32_t extra, const char *why)
{
	unsigned k = ck_prop_index(prop);
	if (c->r->violated & prop)
		return;
	struct ck_cex *x = &c->r->cex[k];
	x->prop = prop;
	x->path = cur_path(c, sid, extra, &x->len);
	x->cycle = -1;
	x->found_at = c->nstates;
	snprintf(x->why, sizeof(x->why), "%s", why);
	c->r->violated |= prop;
	if (c->o->stop_first)
		c->stop = true;
}

/* ---- expanding one state ------------------------------------------------------------------------ */

struct succ_info {
	uint32_t tid;
	bool added, blocked, selfloop;
	uint64_t h1, h2;
	struct ck_trans tr;
};

/* Step actor a from the current state, store the successor, report violations,
 * and leave the segments at the current state again unless keep. */
static void expand_one(struct ck *c, uint32_t sid, unsigned a, struct succ_info *si, bool keep)
{
	memset(si, 0, sizeof(*si));
	si->tid = CK_NONE;
	enum flow_ret r = c->m->step(c->m->ctx, a, &si->tr);
	if (r == FLOW_BLOCKED) {
		si->blocked = true;
		/* "BLOCKED: no visible change" -- undo whatever the step wrote anyway (a
		 * flow that moved its resume label before blocking), and count it. */
		if (!diff(c)) {
			fail(c, "out of memory %s(%llu changed words)", "", (unsigned long long)c->nchg);
			return;
		}
		if (c->nchg) {
			if (!c->r->blocked_changed++) {
				c->r->blocked_first_actor = a;
				c->r->blocked_first_word = c->chg[0].word;
			}
			revert_words(c);
		}
		return;
	}
	if (!diff(c)) {
		fail(c, "out of memory %s(%llu changed words)", "", (unsigned long long)c->nchg);
		return;
	}
	if (si->tr.por_safe) {
		/* The model says the step was private: it must have written only the
		 * actor's own words. */
		uint32_t w0 = 0, nw = 0;
		if (c->m->private_range)
			c->m->private_range(c->m->ctx, a, &w0, &nw);
		for (uint32_t i = 0; i < c->nchg && si->tr.por_safe; i++)
			if (c->chg[i].seg != 0 || c->chg[i].word < w0 || c->chg[i].word >= w0 + nw)
				si->tr.por_safe = false;
	}
	c->r->transitions++;
	if (c->nchg == 0 && a >= c->n - c->m->n_env) {
		si->blocked = true; /* an environment step that changes nothing */
		c->r->transitions--;
		return;
	}
	if (c->nchg == 0) {
		si->selfloop = true;
		si->tid = sid;
		si->h1 = c->h1;
		si->h2 = c->h2;
		c->r->self_loops++;
	} else {
		si->tid = commit(c, &si->added, &si->h1, &si->h2);
		if (si->added) {
			c->nstates++;
			if (!note_state(c, si->tid, sid, a))
				fail(c, "out of memory %s(per-state arrays, %llu states)", "",
				     (unsigned long long)c->nstates);
		}
	}
	if (si->added && c->m->state_viol && !c->stop) {
		/* A new state: its state properties, once. */
		uint32_t *w = c->uslots; /* free here: the tree update is done */
		uint32_t nw = 0;
		for (uint32_t i = 0; i < c->nchg; i++)
			if (c->chg[i].seg == 0)
				w[nw++] = c->chg[i].word;
		char why[CK_WHY_MAX];
		why[0] = 0;
		uint32_t v = c->m->state_viol(c->m->ctx, w, nw, why, sizeof(why)) & c->props;
		while (v) {
			uint32_t p = v & -v;
			v &= v - 1;
			record(c, p, sid, a, why);
		}
	}
	if (c->need_edges && sid != CK_NONE) {
		c->succ[(uint64_t)sid * c->n + a] = si->tid;
		c->eprog[(uint64_t)sid * c->n + a] = (uint8_t)si->tr.progress;
	}
	uint32_t v = si->tr.viol & c->props;
	while (v) {
		uint32_t p = v & -v;
		v &= v - 1;
		record(c, p, sid, a, si->tr.why);
	}
	if (keep) {
		keep_words(c);
	} else {
		revert_words(c);
	}
	if (c->o->paranoid && !keep) {
		for (unsigned s = 0; s < 2; s++)
			if (c->nw[s] && memcmp(c->cur[s], c->base[s], c->nw[s] * 8)) {
				fail(c, "model contract: the state of segment %s%llu differs from its copy after "
					"undoing a step (a write outside the model's ranges)", "", (unsigned long long)s);
				memcpy(c->cur[s], c->base[s], c->nw[s] * 8);
			}
	}
}

static void deadlock_at(struct ck *c, uint32_t sid)
{
	if (!(c->props & TDXSIM_PROP_DEADLOCK) || (c->r->violated & TDXSIM_PROP_DEADLOCK))
		return;
	char why[CK_WHY_MAX];
	size_t off = (size_t)snprintf(why, sizeof(why), "deadlock: no actor can step;");
	for (unsigned a = 0; a < c->n - c->m->n_env && off < sizeof(why); a++) {
		if (c->m->done(c->m->ctx, a))
			continue;
		char d[160] = "";
		if (c->m->describe)
			c->m->describe(c->m->ctx, a, d, sizeof(d));
		int k = snprintf(why + off, sizeof(why) - off, " %s blocked (%s);",
				 c->m->actor_name ? c->m->actor_name(c->m->ctx, a) : "?", d);
		if (k < 0)
			break;
		off += (size_t)k;
	}
	record(c, TDXSIM_PROP_DEADLOCK, sid, CK_NONE, why);
}

static bool limits(struct ck *c)
{
	if (c->o->max_seconds > 0 && (c->nstates & 1023) == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		double el = (double)(ts.tv_sec - c->t0.tv_sec) + (double)(ts.tv_nsec - c->t0.tv_nsec) / 1e9;
		if (el >= c->o->max_seconds) {
			snprintf(c->r->stop_why, sizeof(c->r->stop_why), "time limit reached (--max-time %.0f s)",
				 c->o->max_seconds);
			c->r->stopped = true;
			return true;
		}
	}
	if (c->o->max_states && c->nstates >= c->o->max_states) {
		snprintf(c->r->stop_why, sizeof(c->r->stop_why), "state limit reached (--max-states %" PRIu64 ")",
			 c->o->max_states);
		c->r->stopped = true;
		return true;
	}
	if (c->o->max_memory && (c->nstates & 1023) == 0 && mem_bytes(c) >= c->o->max_memory) {
		snprintf(c->r->stop_why, sizeof(c->r->stop_why), "memory limit reached (--max-memory %" PRIu64 " MB)",
			 c->o->max_memory >> 20);
		c->r->stopped = true;
		return true;
	}
	return false;
}

/* Order in which to try actors, and whether a reduced expansion is allowed. */
static bool por_allowed(const struct ck *c)
{
	return c->o->por && !c->need_edges;
}

/* Expand the current state.  With POR, the actors are tried in order and the
 * expansion stops after the first actor whose step the model calls safe, provided
 * every successor generated so far (its own included) is a new state: the actors
 * tried contain a persistent set, and the "all new" proviso rules out ignoring a
 * transition around a cycle (docs/check.md "Reductions").  Returns the number of
 * actors enabled; *live = actors not finished. */
static unsigned expand_all(struct ck *c, uint32_t sid, unsigned *live)
{
	if (c->need_edges && sid != CK_NONE)
		c->pend[sid] = c->m->pending ? (uint8_t)c->m->pending(c->m->ctx) : 0;
	unsigned enabled = 0;
	*live = 0;
	bool por = por_allowed(c), fresh = true;
	struct succ_info si;
	for (unsigned a = 0; a < c->n && !c->stop; a++) {
		if (c->m->done(c->m->ctx, a))
			continue;
		if (a < c->n - c->m->n_env)
			(*live)++; /* the environment alone keeps no state from being a deadlock */
		expand_one(c, sid, a, &si, false);
		if (si.blocked)
			continue;
		enabled++;
		if (!si.added || si.selfloop)
			fresh = false;
		if (por && fresh && si.tr.por_safe && a + 1 < c->n) {
			c->r->por_reduced++;
			break;
		}
	}
	return enabled;
}

static void run_bfs(struct ck *c)
{
	uint64_t level_end = c->nstates;
	for (uint32_t sid = 0; sid < c->nstates && !c->stop; sid++) {
		if (sid == level_end) {
			c->cur_depth++;
			level_end = c->nstates;
			if (c->o->max_depth && c->cur_depth >= c->o->max_depth) {
				snprintf(c->r->stop_why, sizeof(c->r->stop_why), "depth limit reached (%" PRIu64 ")",
					 c->o->max_depth);
				c->r->stopped = true;
				break;
			}
		}
		go(c, sid);
		c->frontier = c->nstates - sid;
		if (c->o->validate_every && sid % c->o->validate_every == 0 && c->m->validate)
			for (unsigned a = 0; a < c->n && !c->stop; a++) {
				char why[256];
				if (!c->m->done(c->m->ctx, a) && c->m->validate(c->m->ctx, a, why, sizeof(why)) < 0)
					fail(c, "state abstraction: %s (state %llu)", why, (unsigned long long)sid);
			}
		unsigned live, en = expand_all(c, sid, &live);
		if (!en && live && !c->stop)
			deadlock_at(c, sid);
		c->r->expanded++;
		if (c->cur_depth > c->r->max_depth)
			c->r->max_depth = c->cur_depth;
		if (limits(c))
			break;
		if ((sid & 1023) == 0)
			progress(c, false);
	}
}

/* ---- DFS ------------------------------------------------------------------------------------- */

static bool push_frame(struct ck *c, uint32_t sid, uint32_t act, uint64_t h1, uint64_t h2)
{
	if (!grow_arr((void **)&c->stk, &c->capstk, c->nstk + 1, sizeof(*c->stk), 1024))
		return false;
	c->stk[c->nstk++] = (struct dfs_frame){ .sid = sid, .act = act, .h1 = h1, .h2 = h2,
						 .undo_off = c->nur, .fresh_all = 1 };
	c->h1 = h1;
	c->h2 = h2;
	c->cur_depth = (uint32_t)(c->nstk - 1);
	if (c->cur_depth > c->r->max_depth)
		c->r->max_depth = c->cur_depth;
	c->frontier = c->nstk;
	return true;
}

/* Enter the successor just generated (its changes are in c->chg and still applied). */
static bool descend(struct ck *c, const struct succ_info *si, uint32_t a)
{
	uint64_t off = c->nur;  /* the child's undo records start here */
	if (c->o->store == CK_TREE) {
		revert_words(c);
		go(c, si->tid);
	} else {
		if (!grow_arr((void **)&c->ur, &c->capur, c->nur + c->nchg, sizeof(*c->ur), 4096))
			return false;
		for (uint32_t i = 0; i < c->nchg; i++) {
			c->ur[c->nur++] = (struct undo_rec){ c->chg[i].seg, c->chg[i].word, c->chg[i].ow };
			c->base[c->chg[i].seg][c->chg[i].word] = c->chg[i].nw;
		}
	}
	if (!push_frame(c, si->tid, a, si->h1, si->h2))
		return false;
	c->stk[c->nstk - 1].undo_off = off;
	return true;
}

static void ascend(struct ck *c)
{
	struct dfs_frame *f = &c->stk[--c->nstk];
	if (!c->nstk)
		return;
	struct dfs_frame *p = &c->stk[c->nstk - 1];
	if (c->o->store == CK_TREE) {
		go(c, p->sid);
	} else {
		while (c->nur > f->undo_off) {
			struct undo_rec *u = &c->ur[--c->nur];
			c->cur[u->seg][u->word] = u->old;
			c->base[u->seg][u->word] = u->old;
		}
	}
	c->h1 = p->h1;
	c->h2 = p->h2;
	c->cur_depth = (uint32_t)(c->nstk - 1);
	c->frontier = c->nstk;
}

static void run_dfs(struct ck *c)
{
	if (!push_frame(c, 0, CK_NONE, 0, 0)) {
		fail(c, "out of memory %s(DFS stack %llu)", "", 0);
		return;
	}
	bool por = por_allowed(c);
	uint64_t iter = 0;
	while (c->nstk && !c->stop) {
		struct dfs_frame *f = &c->stk[c->nstk - 1];
		uint32_t sid = f->sid;
		if (f->a == 0 && !f->enabled && !f->all_done) {
			/* First visit. */
			if (c->need_edges && sid != CK_NONE)
				c->pend[sid] = c->m->pending ? (uint8_t)c->m->pending(c->m->ctx) : 0;
			c->r->expanded++;
			if (limits(c))
				break;
			if ((++iter & 1023) == 0)
				progress(c, false);
			if (c->o->validate_every && iter % c->o->validate_every == 0 && c->m->validate)
				for (unsigned a = 0; a < c->n && !c->stop; a++) {
					char why[256];
					if (!c->m->done(c->m->ctx, a) && c->m->validate(c->m->ctx, a, why, sizeof(why)) < 0)
						fail(c, "state abstraction: %s (state %llu)", why, (unsigned long long)iter);
				}
		}
		if (f->a >= c->n || f->reduced) {
			/* all_done counts the live actors seen. */
			if (!f->reduced && !f->enabled && f->all_done && !c->stop)
				deadlock_at(c, sid);
			ascend(c);
			continue;
		}
		unsigned a = f->a++;
		if (c->m->done(c->m->ctx, a))
			continue;
		if (a < c->n - c->m->n_env)
			f->all_done++; /* live actors (the environment does not count) */
		struct succ_info si;
		expand_one(c, sid, a, &si, false);
		if (si.blocked)
			continue;
		f->enabled++;
		if (!si.added || si.selfloop)
			f->fresh_all = 0;
		if (por && f->fresh_all && si.tr.por_safe && f->a < c->n) {
			f->reduced = 1;
			c->r->por_reduced++;
		}
		if (si.added && !si.selfloop) {
			if (c->o->max_depth && c->nstk > c->o->max_depth) {
				if (!c->r->stopped) {
					snprintf(c->r->stop_why, sizeof(c->r->stop_why), "depth limit reached (%" PRIu64 ")",
						 c->o->max_depth);
					c->r->stopped = true;
				}
				continue;
			}
			/* Re-apply the successor's changes (expand_one reverted them). */
			for (uint32_t i = 0; i < c->nchg; i++)
				c->cur[c->chg[i].seg][c->chg[i].word] = c->chg[i].nw;
			if (!descend(c, &si, a)) {
				fail(c, "out of memory %s(DFS stack, depth %llu)", "", (unsigned long long)c->nstk);
				break;
			}
		}
	}
}

/* ---- cycles (livelock, starvation, MapGPA termination) ------------------------------------------ */

struct scc_ctx {
	uint32_t *index, *low, *comp, *stack;
	uint8_t *onstk;
	uint64_t nstack;
	uint32_t counter, ncomp;
};

static inline bool edge_ok(const struct ck *c, uint64_t v, unsigned a, uint8_t excl)
{
	uint32_t t = c->succ[v * c->n + a];
	return t != CK_NONE && !(c->eprog[v * c->n + a] & excl);
}

static bool append(uint32_t **out, uint32_t *len, uint32_t *cap, const uint32_t *src, uint32_t n, bool rev)
{
	if (*len + n > *cap) {
		uint32_t nc = (*len + n) * 2 + 16;
		uint32_t *o = realloc(*out, nc * sizeof(*o));
		if (!o)
			return false;
		*out = o;
		*cap = nc;
	}
	for (uint32_t i = 0; i < n; i++)
		(*out)[(*len)++] = rev ? src[n - 1 - i] : src[i];
	return true;
}

static inline uint64_t mapslot(const uint32_t *key, uint64_t msz, uint32_t v)
{
	uint64_t h = (((uint64_t)v * 0x9E3779B97F4A7C15ull) >> 17) & (msz - 1);
	while (key[h] != CK_NONE && key[h] != v)
		h = (h + 1) & (msz - 1);
	return h;
}

/* Shortest path inside one SCC (members mem[0..nm), comp id) from s to t; the
 * actors are appended to out. */
static bool scc_path(struct ck *c, struct scc_ctx *x, const uint32_t *mem, uint32_t nm, uint32_t comp,
		     uint8_t excl, uint32_t s, uint32_t t, uint32_t **out, uint32_t *len, uint32_t *cap)
{
	if (s == t)
		return true;
	uint64_t msz = 16;
	while (msz < (uint64_t)nm * 2 + 2)
		msz <<= 1;
	uint32_t *key = malloc(msz * sizeof(*key)), *pv = malloc(msz * sizeof(*pv));
	uint8_t *pa = malloc(msz);
	uint32_t *q = malloc(((uint64_t)nm + 1) * sizeof(*q));
	bool found = false;
	(void)mem;
	if (!key || !pv || !pa || !q)
		goto done;
	for (uint64_t i = 0; i < msz; i++)
		key[i] = CK_NONE;
#define MAPSLOT(v_) mapslot(key, msz, (v_))
	uint64_t hs = MAPSLOT(s);
	key[hs] = s;
	pv[hs] = CK_NONE;
	uint32_t qh = 0, qt = 0;
	q[qt++] = s;
	while (qh < qt && !found) {
		uint32_t v = q[qh++];
		for (unsigned a = 0; a < c->n; a++) {
			if (!edge_ok(c, v, a, excl))
				continue;
			uint32_t w = c->succ[(uint64_t)v * c->n + a];
			if (x->comp[w] != comp)
				continue;
			uint64_t hw = MAPSLOT(w);
			if (key[hw] == w)
				continue;
			key[hw] = w;
			pv[hw] = v;
			pa[hw] = (uint8_t)a;
			if (w == t) {
				found = true;
				break;
			}
			q[qt++] = w;
		}
	}
	if (found) {
		uint32_t n = 0;
		for (uint32_t v = t; v != s;) {
			uint64_t h = MAPSLOT(v);
			q[n++] = pa[h];
			v = pv[h];
		}
		found = append(out, len, cap, q, n, true);
	}
#undef MAPSLOT
done:
	free(key);
	free(pv);
	free(pa);
	free(q);
	return found;
}

static const char *cyc_name(uint32_t prop)
{
	switch (prop) {
	case TDXSIM_PROP_LIVELOCK: return "livelock";
	case TDXSIM_PROP_STARVATION: return "starvation";
	default: return "MapGPA does not terminate";
	}
}

/* A fair SCC with work pending: build the lasso (prefix to its shallowest state e,
 * then a cycle from e that takes every actor taken inside the SCC and passes
 * through a state where each other actor is disabled) and the report. */
static void lasso(struct ck *c, struct scc_ctx *x, const uint32_t *mem, uint32_t nm, uint32_t comp,
		  uint32_t prop, uint8_t excl, const uint8_t *en_all, const uint8_t *en_any,
		  const uint8_t *taken)
{
	uint32_t e = mem[0];
	for (uint32_t i = 1; i < nm; i++)
		if (mem[i] < e)
			e = mem[i];
	uint32_t *cyc = NULL, len = 0, cap = 0;
	uint32_t curv = e;
	for (unsigned a = 0; a < c->n; a++) {
		if (taken[a]) {
			for (uint32_t i = 0; i < nm; i++) {
				uint32_t u = mem[i];
				if (!edge_ok(c, u, a, excl) || x->comp[c->succ[(uint64_t)u * c->n + a]] != comp)
					continue;
				uint32_t aa = a;
				if (!scc_path(c, x, mem, nm, comp, excl, curv, u, &cyc, &len, &cap) ||
				    !append(&cyc, &len, &cap, &aa, 1, false))
					goto oom;
				curv = c->succ[(uint64_t)u * c->n + a];
				break;
			}
		} else if (!en_all[a] && en_any[a]) {
			for (uint32_t i = 0; i < nm; i++) {
				uint32_t u = mem[i];
				if (c->succ[(uint64_t)u * c->n + a] != CK_NONE)
					continue;
				if (!scc_path(c, x, mem, nm, comp, excl, curv, u, &cyc, &len, &cap))
					goto oom;
				curv = u;
				break;
			}
		}
	}
	if (!scc_path(c, x, mem, nm, comp, excl, curv, e, &cyc, &len, &cap))
		goto oom;
	if (!len) {
		free(cyc);
		return;
	}
	uint32_t plen_cap = (uint32_t)(c->nstates < CK_NONE ? c->nstates : CK_NONE - 1);
	uint32_t *pre = malloc(((uint64_t)plen_cap + len + 1) * sizeof(*pre));
	if (!pre)
		goto oom;
	uint32_t plen = path_to(c, e, pre, plen_cap);
	memcpy(pre + plen, cyc, len * sizeof(*cyc));
	struct ck_cex *cx = &c->r->cex[ck_prop_index(prop)];
	cx->prop = prop;
	cx->path = pre;
	cx->len = plen + len;
	cx->cycle = plen;
	cx->found_at = c->nstates;
	if (c->o->store == CK_TREE)
		go(c, e);
	size_t off = (size_t)snprintf(cx->why, sizeof(cx->why), "%s: a cycle of %u steps repeats forever "
				      "under weak fairness without %s;", cyc_name(prop), len,
				      prop == TDXSIM_PROP_STARVATION ? "progress of the starved class" :
				      prop == TDXSIM_PROP_LIVELOCK ? "progress" : "MapGPA completing");
	for (unsigned a = 0; a < c->n && off < sizeof(cx->why); a++) {
		const char *nm_ = c->m->actor_name ? c->m->actor_name(c->m->ctx, a) : "?";
		char d[160] = "";
		if (c->m->describe && c->o->store == CK_TREE)
			c->m->describe(c->m->ctx, a, d, sizeof(d));
		if (c->o->store == CK_TREE && c->m->done(c->m->ctx, a))
			continue;
		int k;
		if (taken[a])
			k = snprintf(cx->why + off, sizeof(cx->why) - off, " %s spins (%s);", nm_, d);
		else if (!en_any[a])
			k = snprintf(cx->why + off, sizeof(cx->why) - off, " %s blocked throughout (%s);", nm_, d);
		else
			k = snprintf(cx->why + off, sizeof(cx->why) - off, " %s intermittently blocked (%s);", nm_, d);
		if (k < 0)
			break;
		off += (size_t)k;
	}
	c->r->violated |= prop;
	if (c->o->stop_first)
		c->stop = true;
	free(cyc);
	return;
oom:
	free(cyc);
	fail(c, "out of memory %s(building a cycle counterexample, %llu states)", "",
	     (unsigned long long)c->nstates);
}

/* One nontrivial SCC of the non-progress graph: is there a weakly fair cycle in
 * it with work pending?  The cycle through every state and every internal edge is
 * the fairest one, so the SCC has a fair cycle iff every actor enabled in all its
 * states is taken on some internal edge. */
static void scc_check(struct ck *c, struct scc_ctx *x, const uint32_t *mem, uint32_t nm, uint32_t comp,
		      uint32_t prop, uint8_t excl, uint8_t pendbit)
{
	bool pending = false;
	uint8_t *en_all = malloc(c->n), *en_any = calloc(c->n, 1), *taken = calloc(c->n, 1);
	if (!en_all || !en_any || !taken)
		goto out;
	memset(en_all, 1, c->n);
	for (uint32_t i = 0; i < nm; i++) {
		uint64_t v = mem[i];
		if (c->pend[v] & pendbit)
			pending = true;
		for (unsigned a = 0; a < c->n; a++) {
			uint32_t t = c->succ[v * c->n + a];
			if (t == CK_NONE) {
				en_all[a] = 0;
				continue;
			}
			en_any[a] = 1;
			if (edge_ok(c, v, a, excl) && x->comp[t] == comp)
				taken[a] = 1;
		}
	}
	if (!pending)
		goto out;
	for (unsigned a = 0; a < c->n; a++)
		if (en_all[a] && !taken[a])
			goto out;
	lasso(c, x, mem, nm, comp, prop, excl, en_all, en_any, taken);
out:
	free(en_all);
	free(en_any);
	free(taken);
}

/* Iterative Tarjan over the edges without `excl` progress. */
static void cycles_for(struct ck *c, uint32_t prop, uint8_t excl, uint8_t pendbit)
{
	uint64_t N = c->nstates;
	struct scc_ctx x = { 0 };
	x.index = malloc(N * sizeof(uint32_t));
	x.low = malloc(N * sizeof(uint32_t));
	x.comp = malloc(N * sizeof(uint32_t));
	x.stack = malloc(N * sizeof(uint32_t));
	x.onstk = calloc(N, 1);
	struct cf { uint32_t v, a; } *cs = malloc(N * sizeof(*cs));
	if (!x.index || !x.low || !x.comp || !x.stack || !x.onstk || !cs) {
		fail(c, "out of memory %s(cycle analysis of %llu states)", "", (unsigned long long)N);
		goto out;
	}
	for (uint64_t i = 0; i < N; i++) {
		x.index[i] = CK_NONE;
		x.comp[i] = CK_NONE;
	}
	for (uint64_t root = 0; root < N && !(c->r->violated & prop) && !c->stop; root++) {
		if (x.index[root] != CK_NONE)
			continue;
		uint64_t ncs = 0;
		cs[ncs++] = (struct cf){ (uint32_t)root, 0 };
		x.index[root] = x.low[root] = x.counter++;
		x.stack[x.nstack++] = (uint32_t)root;
		x.onstk[root] = 1;
		while (ncs && !(c->r->violated & prop) && !c->stop) {
			struct cf *f = &cs[ncs - 1];
			uint32_t v = f->v;
			if (f->a < c->n) {
				unsigned a = f->a++;
				if (!edge_ok(c, v, a, excl))
					continue;
				uint32_t w = c->succ[(uint64_t)v * c->n + a];
				if (x.index[w] == CK_NONE) {
					x.index[w] = x.low[w] = x.counter++;
					x.stack[x.nstack++] = w;
					x.onstk[w] = 1;
					cs[ncs++] = (struct cf){ w, 0 };
				} else if (x.onstk[w] && x.index[w] < x.low[v]) {
					x.low[v] = x.index[w];
				}
				continue;
			}
			if (x.low[v] == x.index[v]) {
				uint32_t comp = x.ncomp++;
				uint64_t top = x.nstack;
				uint32_t w;
				do {
					w = x.stack[--x.nstack];
					x.onstk[w] = 0;
					x.comp[w] = comp;
				} while (w != v);
				uint32_t nm = (uint32_t)(top - x.nstack);
				const uint32_t *mem = &x.stack[x.nstack];
				bool self = false;
				if (nm == 1)
					for (unsigned a = 0; a < c->n && !self; a++)
						self = edge_ok(c, v, a, excl) && c->succ[(uint64_t)v * c->n + a] == v;
				if (nm > 1 || self)
					scc_check(c, &x, mem, nm, comp, prop, excl, pendbit);
			}
			ncs--;
			if (ncs) {
				uint32_t p = cs[ncs - 1].v;
				if (x.low[v] < x.low[p])
					x.low[p] = x.low[v];
			}
		}
	}
out:
	free(x.index);
	free(x.low);
	free(x.comp);
	free(x.stack);
	free(x.onstk);
	free(cs);
}

static void cycles(struct ck *c)
{
	static const struct { uint32_t prop; uint8_t excl, pend; } cp[] = {
		{ TDXSIM_PROP_LIVELOCK, CK_PROG_ANY, CK_PEND_ANY },
		{ TDXSIM_PROP_STARVATION, CK_PROG_CLASS, CK_PEND_CLASS },
		{ TDXSIM_PROP_MAPGPA, CK_PROG_MAPGPA, CK_PEND_MAPGPA },
	};
	for (unsigned i = 0; i < 3 && !c->stop; i++)
		if ((c->props & cp[i].prop) && !(c->r->violated & cp[i].prop))
			cycles_for(c, cp[i].prop, cp[i].excl, cp[i].pend);
}

/* ---- driver ------------------------------------------------------------------------------------ */

#define CYCLE_PROPS (TDXSIM_PROP_LIVELOCK | TDXSIM_PROP_STARVATION | TDXSIM_PROP_MAPGPA)

static void ck_free(struct ck *c)
{
	for (unsigned s = 0; s < 2; s++) {
		free(c->init[s]);
		free(c->base[s]);
		free(c->slot_of[s]);
	}
	free(c->sw);
	ck_tree_free(&c->t);
	ck_cursor_free(&c->cursor);
	ck_undo_free(&c->undo);
	ck_fpset_free(&c->fps);
	ck_bitstate_free(&c->bs);
	free(c->parent);
	free(c->pact);
	free(c->succ);
	free(c->eprog);
	free(c->pend);
	free(c->chg);
	free(c->uslots);
	free(c->uvals);
	free(c->rg);
	free(c->stk);
	free(c->ur);
	free(c->path_buf);
}

int ck_run(struct ck_model *m, const struct ck_opts *o_in, struct ck_result *r)
{
	memset(r, 0, sizeof(*r));
	struct ck_opts o = *o_in;
	if (o.store != CK_TREE)
		o.dfs = true; /* lossy stores cannot give back a state: depth-first (docs/check.md) */
	if (!o.fp_bits)
		o.fp_bits = 64;
	struct ck c_, *c = &c_;
	memset(c, 0, sizeof(*c));
	c->m = m;
	c->o = &o;
	c->r = r;
	c->n = m->n_actors;
	c->props = m->props;
	if (c->n > 255) {
		snprintf(r->error, sizeof(r->error), "at most 255 actors");
		r->failed = true;
		return -1;
	}
	double t0 = now_s();
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	c->tlast = c->t0;
	c->tty = o.progress && isatty(STDERR_FILENO);
	for (unsigned s = 0; s < 2; s++) {
		if (m->seg_len[s] % 8) {
			snprintf(r->error, sizeof(r->error), "segment %u is not a multiple of 8 bytes", s);
			r->failed = true;
			return -1;
		}
		c->nw[s] = m->seg_len[s] / 8;
		c->cur[s] = (uint64_t *)m->seg[s];
		if (!c->nw[s])
			continue;
		c->init[s] = malloc(m->seg_len[s]);
		c->base[s] = malloc(m->seg_len[s]);
		c->slot_of[s] = malloc(c->nw[s] * sizeof(uint32_t));
		if (!c->init[s] || !c->base[s] || !c->slot_of[s])
			goto oom;
		memcpy(c->init[s], m->seg[s], m->seg_len[s]);
		memcpy(c->base[s], m->seg[s], m->seg_len[s]);
		memset(c->slot_of[s], 0xFF, c->nw[s] * sizeof(uint32_t));
	}
	r->world_words = (unsigned)c->nw[0];
	c->maxrg = 4096;
	c->rg = malloc(c->maxrg * sizeof(*c->rg));
	if (!c->rg)
		goto oom;
	/* Cycle properties need the graph; bitstate cannot give ids. */
	uint32_t cyc = c->props & CYCLE_PROPS;
	if (cyc && o.store == CK_BITSTATE) {
		r->unknown |= cyc;
		c->props &= ~CYCLE_PROPS;
		cyc = 0;
	}
	c->need_edges = cyc != 0;
	c->keep_parents = !o.dfs || c->need_edges;
	r->checked = m->props;
	if (o.store == CK_TREE) {
		if (ck_tree_init(&c->t, 8, 1u << 16) < 0 || ck_cursor_init(&c->cursor, 8) < 0 ||
		    ck_tree_build(&c->t, &c->cursor) < 0)
			goto oom;
		bool added;
		ck_tree_state(&c->t, c->cursor.id[c->t.depth][0], &added);
	} else if (o.store == CK_FINGERPRINT) {
		if (ck_fpset_init(&c->fps, 1u << 16, c->need_edges, o.fp_bits) < 0)
			goto oom;
		bool added;
		ck_fpset_insert(&c->fps, 0, &added);
	} else {
		if (ck_bitstate_init(&c->bs, o.bitstate_log2 ? o.bitstate_log2 : 27) < 0) {
			snprintf(r->error, sizeof(r->error), "--bitstate: BITS must be 10..40");
			r->failed = true;
			ck_free(c);
			return -1;
		}
		ck_bitstate_insert(&c->bs, 0, 0);
	}
	c->nstates = 1;
	if (!note_state(c, 0, CK_NONE, 0))
		goto oom;
	for (uint32_t v = m->init_viol & c->props; v; v &= v - 1) {
		uint32_t p = v & -v;
		if (o.dfs && !c->nstk)
			push_frame(c, 0, CK_NONE, 0, 0);
		record(c, p, 0, CK_NONE, m->init_why);
	}
	c->nstk = 0;
	if (o.dfs)
		run_dfs(c);
	else
		run_bfs(c);
	if (!c->stop && !r->stopped && c->need_edges)
		cycles(c);
	progress(c, true);
	r->states = c->nstates;
	r->slots = c->used;
	r->nodes = o.store == CK_TREE ? c->t.nodes.n : 0;
	r->lookups = o.store == CK_TREE ? c->t.nodes.lookups : 0;
	r->bytes = mem_bytes(c);
	if (o.store == CK_FINGERPRINT)
		r->omission = ck_fp_omission(c->nstates, o.fp_bits);
	else if (o.store == CK_BITSTATE)
		r->omission = ck_bitstate_omission(&c->bs);
	/* Undecided: everything not violated when the search did not finish; with a
	 * lossy store a "holds" is only probable (reported with the omission figure). */
	if (r->stopped || r->failed)
		r->unknown |= r->checked & ~r->violated;
	/* Leave the model at its initial state for the caller (counterexample replay). */
	for (unsigned s = 0; s < 2; s++)
		if (c->nw[s])
			memcpy(m->seg[s], c->init[s], m->seg_len[s]);
	r->secs = now_s() - t0;
	ck_free(c);
	return r->failed ? -1 : 0;
oom:
	snprintf(r->error, sizeof(r->error), "out of memory setting up the search");
	r->failed = true;
	ck_free(c);
	return -1;
}

void ck_result_free(struct ck_result *r)
{
	for (unsigned i = 0; i < CK_NPROPS; i++)
		free(r->cex[i].path);
	memset(r->cex, 0, sizeof(r->cex));
}
