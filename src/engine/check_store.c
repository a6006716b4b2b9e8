/* SPDX-License-Identifier: MIT */
/* Visited-state stores of the checker: tree compression, fingerprints, bitstate. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/check_store.h"

static inline uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return k;
}

/* ---- node table ------------------------------------------------------------------ */

static int slots_alloc(uint32_t **slot, uint64_t n)
{
	*slot = calloc(n, sizeof(**slot));
	return *slot ? 0 : -1;
}

int ck_nodes_init(struct ck_nodes *t, uint32_t cap_hint)
{
	memset(t, 0, sizeof(*t));
	uint32_t cap = 1024;
	while (cap < cap_hint && cap < (1u << 30))
		cap <<= 1;
	t->key = malloc((size_t)cap * sizeof(*t->key));
	uint64_t ns = 2048;
	while (ns < (uint64_t)cap * 2)
		ns <<= 1;
	if (!t->key || slots_alloc(&t->slot, ns) < 0) {
		free(t->key);
		memset(t, 0, sizeof(*t));
		return -1;
	}
	t->cap = cap;
	t->mask = ns - 1;
	return 0;
}

void ck_nodes_free(struct ck_nodes *t)
{
	free(t->key);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

static int nodes_rehash(struct ck_nodes *t)
{
	uint64_t ns = (t->mask + 1) * 2;
	uint32_t *s;
	if (slots_alloc(&s, ns) < 0)
		return -1;
	for (uint32_t id = 0; id < t->n; id++) {
		uint64_t i = fmix64(t->key[id]) & (ns - 1);
		while (s[i])
			i = (i + 1) & (ns - 1);
		s[i] = id + 1;
	}
	free(t->slot);
	t->slot = s;
	t->mask = ns - 1;
	return 0;
}

uint32_t ck_nodes_find(const struct ck_nodes *t, uint64_t key)
{
	uint64_t i = fmix64(key) & t->mask;
	for (;;) {
		uint32_t s = t->slot[i];
		if (!s)
			return CK_NONE;
		if (t->key[s - 1] == key)
			return s - 1;
		i = (i + 1) & t->mask;
	}
}

uint32_t ck_nodes_intern(struct ck_nodes *t, uint64_t key, bool *added)
{
	uint64_t i = fmix64(key) & t->mask;
	t->lookups++;
	for (;;) {
		uint32_t s = t->slot[i];
		if (!s)
			break;
		if (t->key[s - 1] == key) {
			if (added)
				*added = false;
			return s - 1;
		}
		t->probes++;
		i = (i + 1) & t->mask;
	}
	if (t->n >= CK_NONE - 1)
		return CK_NONE;
	if (t->n == t->cap) {
		uint32_t ncap = t->cap >= (1u << 31) ? CK_NONE - 1 : t->cap * 2;
		uint64_t *k = realloc(t->key, (size_t)ncap * sizeof(*k));
		if (!k)
			return CK_NONE;
		t->key = k;
		t->cap = ncap;
	}
	uint32_t id = t->n++;
	t->key[id] = key;
	t->slot[i] = id + 1;
	if ((uint64_t)t->n * 4 > (t->mask + 1) * 3 && nodes_rehash(t) < 0) {
		/* Keep going at a higher load; probing still terminates while n < size. */
		if ((uint64_t)t->n + 1 >= t->mask) {
			t->slot[i] = 0;
			t->n--;
			return CK_NONE;
		}
	}
	if (added)
		*added = true;
	return id;
}

size_t ck_nodes_bytes(const struct ck_nodes *t)
{
	return (size_t)t->cap * sizeof(*t->key) + (size_t)(t->mask + 1) * sizeof(*t->slot);
}

/* ---- tree store ------------------------------------------------------------------- */

static inline uint64_t pair(uint32_t l, uint32_t r)
{
	return (uint64_t)l | ((uint64_t)r << 32);
}

int ck_tree_init(struct ck_tree *t, unsigned depth, uint32_t cap_hint)
{
	memset(t, 0, sizeof(*t));
	if (depth > CK_TREE_MAX_DEPTH)
		return -1;
	if (ck_nodes_init(&t->nodes, cap_hint) < 0)
		return -1;
	t->depth = depth;
	bool added;
	t->zero[0] = ck_nodes_intern(&t->nodes, 0, &added);
	for (unsigned l = 1; l <= depth; l++)
		t->zero[l] = ck_nodes_intern(&t->nodes, pair(t->zero[l - 1], t->zero[l - 1]), &added);
	t->cap = 1024;
	t->root = malloc(t->cap * sizeof(*t->root));
	t->smask = 2047;
	if (!t->root || slots_alloc(&t->sslot, t->smask + 1) < 0) {
		ck_tree_free(t);
		return -1;
	}
	return 0;
}

void ck_tree_free(struct ck_tree *t)
{
	ck_nodes_free(&t->nodes);
	free(t->root);
	free(t->sslot);
	memset(t, 0, sizeof(*t));
}

int ck_cursor_init(struct ck_cursor *c, unsigned depth)
{
	memset(c, 0, sizeof(*c));
	c->depth = depth;
	c->val = calloc((size_t)1 << depth, sizeof(*c->val));
	if (!c->val)
		return -1;
	for (unsigned l = 0; l <= depth; l++) {
		c->id[l] = calloc((size_t)1 << (depth - l), sizeof(uint32_t));
		if (!c->id[l]) {
			ck_cursor_free(c);
			return -1;
		}
	}
	return 0;
}

void ck_cursor_free(struct ck_cursor *c)
{
	free(c->val);
	for (unsigned l = 0; l <= CK_TREE_MAX_DEPTH; l++)
		free(c->id[l]);
	memset(c, 0, sizeof(*c));
}

void ck_undo_free(struct ck_undo *u)
{
	free(u->e);
	memset(u, 0, sizeof(*u));
}

static int undo_push(struct ck_undo *u, uint32_t level, uint32_t idx, uint64_t old)
{
	if (u->n == u->cap) {
		uint32_t nc = u->cap ? u->cap * 2 : 256;
		struct ck_undo_ent *e = realloc(u->e, nc * sizeof(*e));
		if (!e)
			return -1;
		u->e = e;
		u->cap = nc;
	}
	u->e[u->n++] = (struct ck_undo_ent){ level, idx, old };
	return 0;
}

int ck_tree_build(struct ck_tree *t, struct ck_cursor *c)
{
	unsigned d = t->depth;
	for (uint64_t i = 0; i < (1ull << d); i++) {
		c->id[0][i] = ck_nodes_intern(&t->nodes, c->val[i], NULL);
		if (c->id[0][i] == CK_NONE)
			return -1;
	}
	for (unsigned l = 1; l <= d; l++)
		for (uint64_t i = 0; i < (1ull << (d - l)); i++) {
			c->id[l][i] = ck_nodes_intern(&t->nodes, pair(c->id[l - 1][2 * i], c->id[l - 1][2 * i + 1]),
						      NULL);
			if (c->id[l][i] == CK_NONE)
				return -1;
		}
	return 0;
}

#define UNDO_VAL 0xFFFFFFFFu   /* undo entry level for a slot value */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static inline void prefetch_key(const struct ck_nodes *t, uint64_t key)
{
	__builtin_prefetch(&t->slot[fmix64(key) & t->mask]);
}

uint32_t ck_tree_update(struct ck_tree *t, struct ck_cursor *c, unsigned n, const uint32_t *slots,
			const uint64_t *vals, struct ck_undo *u)
{
	unsigned d = t->depth;
	uint32_t stackbuf[256];
	uint64_t keybuf[256];
	uint32_t *idx = n <= 256 ? stackbuf : malloc(n * sizeof(*idx));
	uint64_t *keys = n <= 256 ? keybuf : malloc(n * sizeof(*keys));
	uint32_t root = CK_NONE;
	if (!idx || !keys)
		goto out;
	/* Level 0: the values.  Each level first prefetches the hash slots of all its
	 * keys (independent look-ups overlap their cache misses), then interns. */
	for (unsigned k = 0; k < n; k++)
		prefetch_key(&t->nodes, vals[k]);
	unsigned m = 0;
	for (unsigned k = 0; k < n; k++) {
		uint32_t i = slots[k];
		if (c->val[i] == vals[k])
			continue;
		uint32_t nid = ck_nodes_intern(&t->nodes, vals[k], NULL);
		if (nid == CK_NONE || undo_push(u, UNDO_VAL, i, c->val[i]) < 0 ||
		    undo_push(u, 0, i, c->id[0][i]) < 0)
			goto out;
		c->val[i] = vals[k];
		c->id[0][i] = nid;
		idx[m++] = i;
	}
	if (m > 1)
		qsort(idx, m, sizeof(*idx), cmp_u32);
	for (unsigned l = 1; l <= d && m; l++) {
		/* the distinct parents of the changed nodes, and their keys */
		unsigned np = 0;
		for (unsigned k = 0; k < m; k++) {
			uint32_t p = idx[k] >> 1;
			if (np && idx[np - 1] == p)
				continue;
			idx[np] = p;
			keys[np] = pair(c->id[l - 1][2 * p], c->id[l - 1][2 * p + 1]);
			prefetch_key(&t->nodes, keys[np]);
			np++;
		}
		unsigned m2 = 0;
		for (unsigned k = 0; k < np; k++) {
			uint32_t p = idx[k];
			uint32_t nid = ck_nodes_intern(&t->nodes, keys[k], NULL);
			if (nid == CK_NONE)
				goto out;
			if (nid == c->id[l][p])
				continue; /* nothing above changes because of this node */
			if (undo_push(u, l, p, c->id[l][p]) < 0)
				goto out;
			c->id[l][p] = nid;
			idx[m2++] = p;
		}
		m = m2;
	}
	root = c->id[d][0];
out:
	if (idx && idx != stackbuf)
		free(idx);
	if (keys && keys != keybuf)
		free(keys);
	return root;
}

void ck_tree_revert(struct ck_cursor *c, struct ck_undo *u)
{
	while (u->n) {
		struct ck_undo_ent *e = &u->e[--u->n];
		if (e->level == UNDO_VAL)
			c->val[e->idx] = e->old;
		else
			c->id[e->level][e->idx] = (uint32_t)e->old;
	}
}

static int states_rehash(struct ck_tree *t)
{
	uint64_t ns = (t->smask + 1) * 2;
	uint32_t *s;
	if (slots_alloc(&s, ns) < 0)
		return -1;
	for (uint32_t sid = 0; sid < t->nstates; sid++) {
		uint64_t i = fmix64(t->root[sid]) & (ns - 1);
		while (s[i])
			i = (i + 1) & (ns - 1);
		s[i] = sid + 1;
	}
	free(t->sslot);
	t->sslot = s;
	t->smask = ns - 1;
	return 0;
}

uint32_t ck_tree_find_state(const struct ck_tree *t, uint32_t root)
{
	uint64_t i = fmix64(root) & t->smask;
	for (;;) {
		uint32_t s = t->sslot[i];
		if (!s)
			return CK_NONE;
		if (t->root[s - 1] == root)
			return s - 1;
		i = (i + 1) & t->smask;
	}
}

uint32_t ck_tree_state(struct ck_tree *t, uint32_t root, bool *added)
{
	uint64_t i = fmix64(root) & t->smask;
	for (;;) {
		uint32_t s = t->sslot[i];
		if (!s)
			break;
		if (t->root[s - 1] == root) {
			*added = false;
			return s - 1;
		}
		i = (i + 1) & t->smask;
	}
	if (t->nstates >= CK_NONE - 1) {
		t->oom = true;
		return CK_NONE;
	}
	if (t->nstates == t->cap) {
		uint32_t nc = t->cap >= (1u << 31) ? CK_NONE - 1 : t->cap * 2;
		uint32_t *r = realloc(t->root, (size_t)nc * sizeof(*r));
		if (!r) {
			t->oom = true;
			return CK_NONE;
		}
		t->root = r;
		t->cap = nc;
	}
	uint32_t sid = t->nstates++;
	t->root[sid] = root;
	t->sslot[i] = sid + 1;
	if ((uint64_t)t->nstates * 4 > (t->smask + 1) * 3 && states_rehash(t) < 0 &&
	    (uint64_t)t->nstates + 1 >= t->smask) {
		t->oom = true;
		t->nstates--;
		t->sslot[i] = 0;
		return CK_NONE;
	}
	*added = true;
	return sid;
}

static void goto_rec(struct ck_tree *t, struct ck_cursor *c, unsigned l, uint32_t i, uint32_t x,
		     void (*cb)(void *ctx, uint32_t slot, uint64_t val), void *ctx)
{
	if (c->id[l][i] == x)
		return;
	c->id[l][i] = x;
	uint64_t k = t->nodes.key[x];
	if (l == 0) {
		c->val[i] = k;
		if (cb)
			cb(ctx, i, k);
		return;
	}
	goto_rec(t, c, l - 1, 2 * i, (uint32_t)k, cb, ctx);
	goto_rec(t, c, l - 1, 2 * i + 1, (uint32_t)(k >> 32), cb, ctx);
}

void ck_tree_goto(struct ck_tree *t, struct ck_cursor *c, uint32_t sid,
		  void (*cb)(void *ctx, uint32_t slot, uint64_t val), void *ctx)
{
	goto_rec(t, c, t->depth, 0, t->root[sid], cb, ctx);
}

static void expand_rec(const struct ck_tree *t, unsigned l, uint64_t i, uint32_t x, uint64_t *vals)
{
	uint64_t k = t->nodes.key[x];
	if (l == 0) {
		vals[i] = k;
		return;
	}
	if (x == t->zero[l]) {
		memset(vals + (i << l), 0, sizeof(*vals) << l);
		return;
	}
	expand_rec(t, l - 1, 2 * i, (uint32_t)k, vals);
	expand_rec(t, l - 1, 2 * i + 1, (uint32_t)(k >> 32), vals);
}

void ck_tree_expand(const struct ck_tree *t, uint32_t sid, uint64_t *vals)
{
	expand_rec(t, t->depth, 0, t->root[sid], vals);
}

int ck_tree_grow(struct ck_tree *t, struct ck_cursor *c)
{
	unsigned d = t->depth;
	if (d + 1 > CK_TREE_MAX_DEPTH)
		return -1;
	uint32_t z = ck_nodes_intern(&t->nodes, pair(t->zero[d], t->zero[d]), NULL);
	if (z == CK_NONE)
		return -1;
	for (uint32_t s = 0; s < t->nstates; s++) {
		uint32_t r = ck_nodes_intern(&t->nodes, pair(t->root[s], t->zero[d]), NULL);
		if (r == CK_NONE)
			return -1;
		t->root[s] = r;
	}
	/* Roots changed: rebuild the state index at the same size. */
	uint64_t ns = t->smask + 1;
	memset(t->sslot, 0, ns * sizeof(*t->sslot));
	for (uint32_t sid = 0; sid < t->nstates; sid++) {
		uint64_t i = fmix64(t->root[sid]) & t->smask;
		while (t->sslot[i])
			i = (i + 1) & t->smask;
		t->sslot[i] = sid + 1;
	}
	t->zero[d + 1] = z;
	t->depth = d + 1;
	if (c) {
		uint64_t n = 1ull << d;
		uint64_t *v = realloc(c->val, 2 * n * sizeof(*v));
		if (!v)
			return -1;
		memset(v + n, 0, n * sizeof(*v));
		c->val = v;
		for (unsigned l = 0; l <= d; l++) {
			uint64_t m = 1ull << (d - l);
			uint32_t *a = realloc(c->id[l], 2 * m * sizeof(*a));
			if (!a)
				return -1;
			for (uint64_t i = m; i < 2 * m; i++)
				a[i] = t->zero[l];
			c->id[l] = a;
		}
		c->id[d + 1] = malloc(sizeof(uint32_t));
		if (!c->id[d + 1])
			return -1;
		c->id[d + 1][0] = ck_nodes_intern(&t->nodes, pair(c->id[d][0], t->zero[d]), NULL);
		c->depth = d + 1;
	}
	return 0;
}

size_t ck_tree_bytes(const struct ck_tree *t)
{
	return ck_nodes_bytes(&t->nodes) + (size_t)t->cap * sizeof(*t->root) +
	       (size_t)(t->smask + 1) * sizeof(*t->sslot);
}

/* ---- fingerprints ------------------------------------------------------------------ */

uint64_t ck_fp_term(uint32_t slot, uint64_t val, unsigned which)
{
	if (!val)
		return 0;
	uint64_t seed = fmix64(((uint64_t)slot << 1 | which) + 0x9E3779B97F4A7C15ull);
	return fmix64(val ^ seed) * 0x9E3779B97F4A7C15ull + fmix64(val + seed);
}

int ck_fpset_init(struct ck_fpset *s, uint64_t cap_hint, bool with_ids, unsigned fp_bits)
{
	memset(s, 0, sizeof(*s));
	uint64_t n = 4096;
	while (n < cap_hint * 2)
		n <<= 1;
	s->fp = calloc(n, sizeof(*s->fp));
	if (with_ids)
		s->id = calloc(n, sizeof(*s->id));
	if (!s->fp || (with_ids && !s->id)) {
		ck_fpset_free(s);
		return -1;
	}
	s->mask = n - 1;
	s->with_ids = with_ids;
	s->fp_mask = fp_bits >= 64 || !fp_bits ? ~0ull : (1ull << fp_bits) - 1;
	return 0;
}

void ck_fpset_free(struct ck_fpset *s)
{
	free(s->fp);
	free(s->id);
	memset(s, 0, sizeof(*s));
}

static int fp_rehash(struct ck_fpset *s)
{
	uint64_t ns = (s->mask + 1) * 2;
	uint64_t *f = calloc(ns, sizeof(*f));
	uint32_t *id = s->with_ids ? calloc(ns, sizeof(*id)) : NULL;
	if (!f || (s->with_ids && !id)) {
		free(f);
		free(id);
		return -1;
	}
	for (uint64_t i = 0; i <= s->mask; i++) {
		if (!s->fp[i])
			continue;
		uint64_t j = fmix64(s->fp[i]) & (ns - 1);
		while (f[j])
			j = (j + 1) & (ns - 1);
		f[j] = s->fp[i];
		if (id)
			id[j] = s->id[i];
	}
	free(s->fp);
	free(s->id);
	s->fp = f;
	s->id = id;
	s->mask = ns - 1;
	return 0;
}

uint32_t ck_fpset_insert(struct ck_fpset *s, uint64_t fp, bool *added)
{
	fp &= s->fp_mask;
	if (!fp)
		fp = 1;
	uint64_t i = fmix64(fp) & s->mask;
	for (;;) {
		uint64_t f = s->fp[i];
		if (!f)
			break;
		if (f == fp) {
			*added = false;
			return s->with_ids ? s->id[i] : CK_NONE;
		}
		i = (i + 1) & s->mask;
	}
	if (s->n >= CK_NONE - 1) {
		s->oom = true;
		return CK_NONE;
	}
	s->fp[i] = fp;
	uint32_t id = (uint32_t)s->n++;
	if (s->with_ids)
		s->id[i] = id;
	if (s->n * 4 > (s->mask + 1) * 3 && fp_rehash(s) < 0 && s->n + 1 >= s->mask) {
		s->oom = true;
		return CK_NONE;
	}
	*added = true;
	return id;
}

size_t ck_fpset_bytes(const struct ck_fpset *s)
{
	return (size_t)(s->mask + 1) * (sizeof(*s->fp) + (s->with_ids ? sizeof(*s->id) : 0));
}

double ck_fp_omission(uint64_t n, unsigned bits)
{
	if (n < 2)
		return 0;
	double x = (double)n * (double)(n - 1) / ldexp(1.0, (int)bits + 1);
	return -expm1(-x);
}

/* ---- bitstate ----------------------------------------------------------------------- */

int ck_bitstate_init(struct ck_bitstate *b, unsigned log2_bits)
{
	memset(b, 0, sizeof(*b));
	if (log2_bits < 10 || log2_bits > 40)
		return -1;
	b->log2 = log2_bits;
	b->bits = calloc((size_t)1 << (log2_bits - 6), sizeof(uint64_t));
	return b->bits ? 0 : -1;
}

void ck_bitstate_free(struct ck_bitstate *b)
{
	free(b->bits);
	memset(b, 0, sizeof(*b));
}

bool ck_bitstate_insert(struct ck_bitstate *b, uint64_t h1, uint64_t h2)
{
	uint64_t mask = (1ull << b->log2) - 1;
	bool fresh = false;
	h2 |= 1;
	for (unsigned k = 0; k < 3; k++) {
		uint64_t bit = (h1 + k * h2) & mask;
		uint64_t w = bit >> 6, m = 1ull << (bit & 63);
		if (!(b->bits[w] & m)) {
			b->bits[w] |= m;
			b->set++;
			fresh = true;
		}
	}
	if (fresh)
		b->n++;
	return fresh;
}

size_t ck_bitstate_bytes(const struct ck_bitstate *b)
{
	return ((size_t)1 << b->log2) / 8;
}

double ck_bitstate_omission(const struct ck_bitstate *b)
{
	double f = (double)b->set / ldexp(1.0, (int)b->log2);
	return f * f * f;
}
