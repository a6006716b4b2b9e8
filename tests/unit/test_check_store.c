/* SPDX-License-Identifier: MIT */
/* The checker's state stores: lossless tree compression (insert / lookup /
 * expand round trips on random vectors, incremental updates, growth),
 * fingerprints (collisions counted against the lossless store) and bitstate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/check_store.h"

static uint64_t rng = 88172645463325252ull;
static uint64_t xr(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A value with few distinct values per slot, like world words. */
static uint64_t small_val(void)
{
	switch (xr() % 4) {
	case 0: return 0;
	case 1: return xr() % 4;
	case 2: return 0xFFFF0000ull | (xr() % 3);
	default: return xr();
	}
}

/* Vectors built by random walks (each a few slots away from a random earlier one,
 * like successors), stored, then checked: same vector -> same id, every stored id
 * expands to its vector, and a changed vector is not found. */
static void test_tree_roundtrip(void **st)
{
	(void)st;
	enum { D = 6, S = 1 << D, N = 20000 };
	struct ck_tree t;
	struct ck_cursor c;
	struct ck_undo u = { 0 };
	assert_int_equal(ck_tree_init(&t, D, 0), 0);
	assert_int_equal(ck_cursor_init(&c, D), 0);
	assert_int_equal(ck_tree_build(&t, &c), 0);
	bool added;
	assert_int_equal(ck_tree_state(&t, c.id[D][0], &added), 0);
	assert_true(added);
	uint64_t *vecs = calloc((size_t)N * S, sizeof(uint64_t));
	uint32_t *ids = calloc(N, sizeof(uint32_t));
	unsigned nv = 1, dup = 0;
	ids[0] = 0;
	for (unsigned k = 1; k < N; k++) {
		unsigned from = (unsigned)(xr() % nv);
		/* move the cursor to the parent, then change a few slots */
		ck_tree_goto(&t, &c, ids[from], NULL, NULL);
		assert_memory_equal(c.val, vecs + (size_t)from * S, S * sizeof(uint64_t));
		uint32_t slots[5];
		uint64_t vals[5];
		unsigned n = 1 + (unsigned)(xr() % 5);
		for (unsigned i = 0; i < n; i++) {
			slots[i] = (uint32_t)(xr() % S);
			vals[i] = small_val();
		}
		uint64_t *v = vecs + (size_t)nv * S;
		memcpy(v, vecs + (size_t)from * S, S * sizeof(uint64_t));
		for (unsigned i = 0; i < n; i++)
			v[slots[i]] = vals[i];
		uint32_t root = ck_tree_update(&t, &c, n, slots, vals, &u);
		assert_int_not_equal(root, CK_NONE);
		uint32_t sid = ck_tree_state(&t, root, &added);
		ck_tree_revert(&c, &u);
		assert_memory_equal(c.val, vecs + (size_t)from * S, S * sizeof(uint64_t));
		/* is v equal to a vector stored before? then the id must be that one */
		int same = -1;
		for (unsigned j = 0; j < nv && same < 0; j++)
			if (!memcmp(vecs + (size_t)j * S, v, S * sizeof(uint64_t)))
				same = (int)j;
		if (same >= 0) {
			assert_false(added);
			assert_int_equal(sid, ids[same]);
			dup++;
		} else {
			assert_true(added);
			ids[nv++] = sid;
		}
	}
	assert_true(dup > 0);
	assert_int_equal(t.nstates, nv);
	/* Every stored state expands to its vector, and goto reaches it from anywhere. */
	uint64_t *buf = malloc(S * sizeof(uint64_t));
	for (unsigned j = 0; j < nv; j++) {
		ck_tree_expand(&t, ids[j], buf);
		assert_memory_equal(buf, vecs + (size_t)j * S, S * sizeof(uint64_t));
		ck_tree_goto(&t, &c, ids[j], NULL, NULL);
		assert_memory_equal(c.val, buf, S * sizeof(uint64_t));
		assert_int_equal(ck_tree_find_state(&t, c.id[D][0]), ids[j]);
	}
	/* Compression: far fewer nodes than vectors * slots. */
	assert_true((uint64_t)t.nodes.n < (uint64_t)nv * S / 4);
	free(buf);
	free(vecs);
	free(ids);
	ck_undo_free(&u);
	ck_cursor_free(&c);
	ck_tree_free(&t);
}

/* Growing the vector keeps every stored state and its id; new slots are zero. */
static void test_tree_grow(void **st)
{
	(void)st;
	struct ck_tree t;
	struct ck_cursor c;
	struct ck_undo u = { 0 };
	assert_int_equal(ck_tree_init(&t, 2, 0), 0);
	assert_int_equal(ck_cursor_init(&c, 2), 0);
	assert_int_equal(ck_tree_build(&t, &c), 0);
	bool added;
	ck_tree_state(&t, c.id[2][0], &added);
	uint64_t want[64][16];
	memset(want, 0, sizeof(want));
	uint32_t ids[64];
	ids[0] = 0;
	unsigned nv = 1;
	for (unsigned k = 0; k < 40; k++) {
		uint32_t slot = (uint32_t)(xr() % (1u << t.depth));
		uint64_t val = xr() | 1;
		uint32_t root = ck_tree_update(&t, &c, 1, &slot, &val, &u);
		uint32_t sid = ck_tree_state(&t, root, &added);
		assert_true(added);
		memcpy(want[nv], c.val, (sizeof(uint64_t) << t.depth));
		ids[nv++] = sid;
		ck_tree_revert(&c, &u);
		if (k == 10 || k == 25)
			assert_int_equal(ck_tree_grow(&t, &c), 0);
	}
	assert_int_equal(t.depth, 4);
	uint64_t buf[16];
	for (unsigned j = 0; j < nv; j++) {
		ck_tree_expand(&t, ids[j], buf);
		assert_memory_equal(buf, want[j], sizeof(buf));
	}
	/* the initial all-zero vector is still state 0 */
	memset(buf, 0, sizeof(buf));
	uint64_t z[16] = { 0 };
	ck_tree_expand(&t, 0, buf);
	assert_memory_equal(buf, z, sizeof(z));
	ck_undo_free(&u);
	ck_cursor_free(&c);
	ck_tree_free(&t);
}

/* Fingerprints: the incremental hash of a vector equals the sum of its terms;
 * with 64 bits no collision among 200k vectors; with 12 bits collisions happen,
 * and every one is counted by comparing with the lossless store. */
static void test_fingerprints(void **st)
{
	(void)st;
	enum { S = 32, N = 200000 };
	for (unsigned bits = 12; bits <= 64; bits += 52) {
		struct ck_fpset fp;
		struct ck_tree t;
		struct ck_cursor c;
		struct ck_undo u = { 0 };
		assert_int_equal(ck_fpset_init(&fp, 0, true, bits), 0);
		assert_int_equal(ck_tree_init(&t, 5, 0), 0);
		assert_int_equal(ck_cursor_init(&c, 5), 0);
		assert_int_equal(ck_tree_build(&t, &c), 0);
		uint64_t collisions = 0, fresh = 0;
		for (unsigned k = 0; k < N; k++) {
			uint32_t slots[2] = { (uint32_t)(xr() % S), (uint32_t)(xr() % S) };
			uint64_t vals[2] = { xr() % 64, xr() % 64 };
			if (slots[0] == slots[1])
				slots[1] = (slots[1] + 1) % S;
			uint64_t h = 0;
			uint64_t vec[S] = { 0 };
			vec[slots[0]] = vals[0];
			vec[slots[1]] = vals[1];
			for (unsigned i = 0; i < S; i++)
				h += ck_fp_term(i, vec[i], 0);
			bool add_fp, add_tree;
			ck_fpset_insert(&fp, h, &add_fp);
			uint32_t root = ck_tree_update(&t, &c, 2, slots, vals, &u);
			ck_tree_state(&t, root, &add_tree);
			ck_tree_revert(&c, &u);
			if (add_tree)
				fresh++;
			if (add_tree && !add_fp)
				collisions++;   /* a new state the fingerprint store would omit */
			assert_false(add_fp && !add_tree); /* equal vectors hash equal */
		}
		assert_true(fresh > 1000);
		if (bits == 64)
			assert_int_equal(collisions, 0);
		else
			assert_true(collisions > 0);
		/* the omission estimate is of the right size */
		double est = ck_fp_omission(fresh, bits);
		if (bits == 64)
			assert_true(est < 1e-6);
		else
			assert_true(est > 0.99);
		ck_undo_free(&u);
		ck_cursor_free(&c);
		ck_tree_free(&t);
		ck_fpset_free(&fp);
	}
}

static void test_bitstate(void **st)
{
	(void)st;
	struct ck_bitstate b;
	assert_int_equal(ck_bitstate_init(&b, 20), 0);
	unsigned fresh = 0;
	for (unsigned k = 0; k < 10000; k++) {
		uint64_t h1 = xr(), h2 = xr();
		if (ck_bitstate_insert(&b, h1, h2))
			fresh++;
		assert_false(ck_bitstate_insert(&b, h1, h2)); /* inserted states are found */
	}
	assert_true(fresh > 9990);
	assert_true(ck_bitstate_omission(&b) < 1e-3);
	assert_int_equal(ck_bitstate_bytes(&b), 1u << 17);
	ck_bitstate_free(&b);
	assert_int_equal(ck_bitstate_init(&b, 5), -1);
}

static void test_nodes(void **st)
{
	(void)st;
	struct ck_nodes t;
	assert_int_equal(ck_nodes_init(&t, 0), 0);
	for (uint64_t k = 0; k < 100000; k++) {
		bool added;
		uint32_t id = ck_nodes_intern(&t, k * 0x100000001ull, &added);
		assert_true(added);
		assert_int_equal(id, k);
	}
	for (uint64_t k = 0; k < 100000; k++)
		assert_int_equal(ck_nodes_find(&t, k * 0x100000001ull), k);
	assert_int_equal(ck_nodes_find(&t, 3), CK_NONE);
	ck_nodes_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nodes),
		cmocka_unit_test(test_tree_roundtrip),
		cmocka_unit_test(test_tree_grow),
		cmocka_unit_test(test_fingerprints),
		cmocka_unit_test(test_bitstate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
