/* SPDX-License-Identifier: MIT */
/*
 * The checker's visited-state stores (docs/check.md "State store").
 *
 * A state is a vector of 64-bit slots (the words of the world that ever changed,
 * XOR their initial value, so that a word at its initial value is 0).  Three
 * stores:
 *
 *  - ck_tree: lossless, LTSmin-style tree compression.  The vector is the leaf
 *    level of a binary tree; every node is a pair of child ids (leaves: the 64-bit
 *    value itself) interned in one node table, so that equal subtrees are stored
 *    once.  A state is the id of its root.  A cursor keeps the whole tree of the
 *    current state; a successor that differs in k slots costs k * depth node
 *    look-ups (incremental compression from the parent's tree), and moving the
 *    cursor to another stored state descends only where the trees differ.
 *  - ck_fpset: 64-bit fingerprints (an incremental hash of the vector); lossy,
 *    the omission probability is printed.
 *  - ck_bitstate: SPIN-style bitstate hashing (k = 3 bits per state).
 *
 * Ids are dense and in insertion order (BFS order when the search is BFS).
 */
#ifndef TDXSIM_ENGINE_CHECK_STORE_H
#define TDXSIM_ENGINE_CHECK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CK_NONE UINT32_MAX

/* ---- node table: 64-bit keys interned to dense 32-bit ids ---------------------- */

struct ck_nodes {
	uint64_t *key;           /* id -> key */
	uint32_t n, cap;
	uint32_t *slot;          /* open addressing: id + 1, 0 = empty */
	uint64_t mask;
	uint64_t lookups, probes;
};

int ck_nodes_init(struct ck_nodes *t, uint32_t cap_hint);
void ck_nodes_free(struct ck_nodes *t);
/* The id of key, adding it if absent (*added).  CK_NONE when out of ids/memory. */
uint32_t ck_nodes_intern(struct ck_nodes *t, uint64_t key, bool *added);
uint32_t ck_nodes_find(const struct ck_nodes *t, uint64_t key);
size_t ck_nodes_bytes(const struct ck_nodes *t);

/* ---- tree store ----------------------------------------------------------------- */

#define CK_TREE_MAX_DEPTH 24

struct ck_tree {
	struct ck_nodes nodes;
	unsigned depth;          /* root level; the vector has 1 << depth slots */
	uint32_t zero[CK_TREE_MAX_DEPTH + 1]; /* id of the all-zero subtree per level */
	uint32_t *root;          /* state id -> root node id */
	uint32_t nstates, cap;
	uint32_t *sslot;         /* root id -> state id + 1 */
	uint64_t smask;
	bool oom;
};

/* The full tree of one vector (the search's current state). */
struct ck_cursor {
	unsigned depth;
	uint32_t *id[CK_TREE_MAX_DEPTH + 1];  /* id[l][i], i < 1 << (depth - l) */
	uint64_t *val;           /* the slot values */
};

/* Undo log of one incremental update. */
struct ck_undo {
	uint32_t n, cap;
	struct ck_undo_ent { uint32_t level, idx; uint64_t old; } *e;
};

int ck_tree_init(struct ck_tree *t, unsigned depth, uint32_t cap_hint);
void ck_tree_free(struct ck_tree *t);
int ck_cursor_init(struct ck_cursor *c, unsigned depth);
void ck_cursor_free(struct ck_cursor *c);
void ck_undo_free(struct ck_undo *u);

/* Build the cursor's tree from its values (val[0 .. 1 << depth)). */
int ck_tree_build(struct ck_tree *t, struct ck_cursor *c);
/* Set n slots and recompute their ancestors; the old values and ids go to u
 * (appended).  Returns the new root id, CK_NONE when out of memory. */
uint32_t ck_tree_update(struct ck_tree *t, struct ck_cursor *c, unsigned n, const uint32_t *slots,
			const uint64_t *vals, struct ck_undo *u);
/* Undo everything in u (the cursor returns to its earlier tree); empties u. */
void ck_tree_revert(struct ck_cursor *c, struct ck_undo *u);
/* The state whose root is `root`, adding it if absent.  CK_NONE on out of memory. */
uint32_t ck_tree_state(struct ck_tree *t, uint32_t root, bool *added);
uint32_t ck_tree_find_state(const struct ck_tree *t, uint32_t root);
/* Move the cursor to stored state sid; cb(ctx, slot, value) for every slot whose
 * value changes (cb may be NULL). */
void ck_tree_goto(struct ck_tree *t, struct ck_cursor *c, uint32_t sid,
		  void (*cb)(void *ctx, uint32_t slot, uint64_t val), void *ctx);
/* Decode stored state sid into vals[0 .. 1 << depth). */
void ck_tree_expand(const struct ck_tree *t, uint32_t sid, uint64_t *vals);
/* Double the vector length (new slots are zero): every stored state and the
 * cursor are re-rooted.  -1 on out of memory. */
int ck_tree_grow(struct ck_tree *t, struct ck_cursor *c);
size_t ck_tree_bytes(const struct ck_tree *t);

/* ---- fingerprints ------------------------------------------------------------------ */

/* Contribution of one slot to the incremental hash (0 for a zero value). */
uint64_t ck_fp_term(uint32_t slot, uint64_t val, unsigned which);

struct ck_fpset {
	uint64_t *fp;            /* open addressing, 0 = empty */
	uint32_t *id;            /* parallel ids (only if with_ids) */
	uint64_t mask, n;
	uint64_t fp_mask;        /* bits kept (64 normally; fewer in tests to force collisions) */
	bool with_ids, oom;
};

int ck_fpset_init(struct ck_fpset *s, uint64_t cap_hint, bool with_ids, unsigned fp_bits);
void ck_fpset_free(struct ck_fpset *s);
/* Insert; returns the state id (insertion order), *added false if present. */
uint32_t ck_fpset_insert(struct ck_fpset *s, uint64_t fp, bool *added);
size_t ck_fpset_bytes(const struct ck_fpset *s);
/* Probability that at least one state was omitted (a fingerprint collision)
 * among n states with b-bit fingerprints: 1 - exp(-n(n-1)/2^(b+1)). */
double ck_fp_omission(uint64_t n, unsigned bits);

/* ---- bitstate ------------------------------------------------------------------------- */

struct ck_bitstate {
	uint64_t *bits;
	unsigned log2;           /* 2^log2 bits */
	uint64_t n, set;         /* states inserted, bits set */
};

int ck_bitstate_init(struct ck_bitstate *b, unsigned log2_bits);
void ck_bitstate_free(struct ck_bitstate *b);
/* Test-and-set the k = 3 bits of (h1, h2); true if it was new. */
bool ck_bitstate_insert(struct ck_bitstate *b, uint64_t h1, uint64_t h2);
size_t ck_bitstate_bytes(const struct ck_bitstate *b);
/* Expected fraction of states missed (probability a new state's 3 bits are all set). */
double ck_bitstate_omission(const struct ck_bitstate *b);

#endif
