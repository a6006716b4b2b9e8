/* SPDX-License-Identifier: MIT */
/*
 * The explorer on small purpose-built models (no engine): BFS gives shortest
 * counterexamples, every property detector fires on a model built to violate it
 * and stays quiet on its fixed twin, weak fairness is honoured, POR keeps the
 * verdicts, the lossy stores agree, and limits are reported.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/check.h"

/* ---- a tiny world: 16 words, actors are C switch statements ------------------- */

enum { W_PC = 0, W_LOCK = 4, W_CNT = 8, W_FLAG = 12, NW = 16 };

struct tiny {
	uint64_t w[NW];
	uint64_t mon[1];
	unsigned n;
	enum flow_ret (*step)(struct tiny *t, unsigned a, struct ck_trans *tr);
	uint32_t (*pending)(struct tiny *t);
	int kind;
	unsigned bug_at;
	bool safe_local;
};

static enum flow_ret t_step(void *ctx, unsigned a, struct ck_trans *tr)
{
	struct tiny *t = ctx;
	return t->step(t, a, tr);
}

static bool t_done(void *ctx, unsigned a)
{
	struct tiny *t = ctx;
	return t->w[W_PC + a] == 99;
}

static uint32_t t_pending(void *ctx)
{
	struct tiny *t = ctx;
	return t->pending ? t->pending(t) : 0;
}

static const char *t_name(void *ctx, unsigned a)
{
	(void)ctx;
	static const char *const n[] = { "A", "B", "C", "D" };
	return n[a & 3];
}

static void t_describe(void *ctx, unsigned a, char *buf, size_t len)
{
	struct tiny *t = ctx;
	snprintf(buf, len, "pc %llu", (unsigned long long)t->w[W_PC + a]);
}

static void t_private(void *ctx, unsigned a, uint32_t *w0, uint32_t *n)
{
	(void)ctx;
	/* actor a's private word: its counter */
	*w0 = W_CNT + a;
	*n = 1;
}

static struct ck_model model(struct tiny *t, uint32_t props)
{
	struct ck_model m = {
		.ctx = t, .n_actors = t->n, .props = props, .step = t_step, .done = t_done,
		.pending = t_pending, .describe = t_describe, .actor_name = t_name,
		.private_range = t_private,
	};
	m.seg[0] = (uint8_t *)t->w;
	m.seg_len[0] = sizeof(t->w);
	m.seg[1] = (uint8_t *)t->mon;
	m.seg_len[1] = 0;
	return m;
}

static struct ck_opts bfs(void)
{
	return (struct ck_opts){ .store = CK_TREE, .por = false };
}

/* Blocking lock helpers: BLOCKED changes nothing. */
#define LOCK(t, l, a) do { if ((t)->w[W_LOCK + (l)]) return FLOW_BLOCKED; (t)->w[W_LOCK + (l)] = (a) + 1; } while (0)
#define UNLOCK(t, l) ((t)->w[W_LOCK + (l)] = 0)

/* Two actors take two locks; kind 0: opposite orders (deadlock), 1: same order.
 * A third actor C only counts to 5 (noise making longer paths). */
static enum flow_ret locks_step(struct tiny *t, unsigned a, struct ck_trans *tr)
{
	(void)tr;
	uint64_t *pc = &t->w[W_PC + a];
	if (a == 2) {
		if (++t->w[W_CNT + 2] == 5)
			*pc = 99;
		return *pc == 99 ? FLOW_DONE : FLOW_RAN;
	}
	unsigned first = (a == 1 && t->kind == 0) ? 1 : 0, second = 1 - first;
	switch (*pc) {
	case 0: LOCK(t, first, a); *pc = 1; return FLOW_RAN;
	case 1: LOCK(t, second, a); *pc = 2; return FLOW_RAN;
	case 2: UNLOCK(t, second); *pc = 3; return FLOW_RAN;
	case 3: UNLOCK(t, first); *pc = 99; return FLOW_DONE;
	}
	return FLOW_DONE;
}

static void test_deadlock_shortest(void **st)
{
	(void)st;
	struct tiny t = { .n = 3, .step = locks_step, .kind = 0 };
	struct ck_model m = model(&t, TDXSIM_PROP_DEADLOCK);
	struct ck_opts o = bfs();
	struct ck_result r;
	assert_int_equal(ck_run(&m, &o, &r), 0);
	assert_true(r.violated & TDXSIM_PROP_DEADLOCK);
	const struct ck_cex *c = &r.cex[ck_prop_index(TDXSIM_PROP_DEADLOCK)];
	/* A takes lock 0, B takes lock 1, and C must have finished (while it can
	 * step there is no deadlock): 2 + 5 steps. */
	assert_int_equal(c->len, 7);
	assert_int_equal(c->cycle, -1);
	unsigned na = 0, nb = 0, nc = 0;
	for (unsigned i = 0; i < c->len; i++) {
		na += c->path[i] == 0;
		nb += c->path[i] == 1;
		nc += c->path[i] == 2;
	}
	assert_int_equal(na, 1);
	assert_int_equal(nb, 1);
	assert_int_equal(nc, 5);
	assert_non_null(strstr(c->why, "A blocked"));
	assert_non_null(strstr(c->why, "B blocked"));
	/* The model is left at its initial state. */
	for (unsigned i = 0; i < NW; i++)
		assert_int_equal(t.w[i], 0);
	uint64_t states = r.states;
	ck_result_free(&r);
	/* Depth-first finds it too, not necessarily shortest; the same states. */
	o.dfs = true;
	assert_int_equal(ck_run(&m, &o, &r), 0);
	assert_true(r.violated & TDXSIM_PROP_DEADLOCK);
	assert_true(r.cex[0].len >= 7);
	assert_int_equal(r.states, states);
	ck_result_free(&r);
	/* Same lock order: no deadlock; every state explored. */
	t.kind = 1;
	o.dfs = false;
	assert_int_equal(ck_run(&m, &o, &r), 0);
	assert_false(r.violated);
	assert_false(r.unknown);
	assert_false(r.stopped);
	/* A: 5 pc values, B: 5, C: 6; the locks serialize A and B. */
	assert_true(r.states > 30 && r.states < 5 * 5 * 6);
	ck_result_free(&r);
}

/* Lossy stores give the same verdict; fingerprints print a tiny omission
 * probability, bitstate one too. */
static void test_lossy_stores(void **st)
{
	(void)st;
	struct tiny t = { .n = 3, .step = locks_step, .kind = 0 };
	struct ck_model m = model(&t, TDXSIM_PROP_DEADLOCK);
	struct ck_result r;
	struct ck_opts o = { .store = CK_FINGERPRINT };
	assert_int_equal(ck_run(&m, &o, &r), 0);
	assert_true(r.violated & TDXSIM_PROP_DEADLOCK);
	assert_true(r.omission > 0 && r.omission < 1e-12);
	uint64_t fp_states = r.states;
	ck_result_free(&r);
	o = (struct ck_opts){ .store = CK_BITSTATE, .bitstate_log2 = 20 };
	assert_int_equal(ck_run(&m, &o, &r), 0);
	assert_true(r.violated & TDXSIM_PROP_DEADLOCK);
	assert_int_equal(r.states, fp_states);
	ck_result_free(&r);
	o = bfs();
	assert_int_equal(ck_run(&m, &o, &r), 0);
	assert_int_equal(r.states, fp_states);
	ck_result_free(&r);
}

/* A counter actor whose step at count == bug_at reports a VM BUG; a second actor
 * makes interleavings.  BFS: the counterexample is exactly bug_at steps of A. */
static enum flow_ret bug_step(struct tiny *t, unsigned a, struct ck_trans *tr)
{
	if (a == 1) {
		if (t->w[W_CNT + 1] < 3)
			t->w[W_CNT + 1]++;
		else
			t->w[W_PC + 1] = 99;
		return t->w[W_PC + 1] == 99 ? FLOW_DONE : FLOW_RAN;
	}
	if (t->w[W_CNT] == 10) {
		t->w[W_PC] = 99;
		return FLOW_DONE;
	}
	t->w[W_CNT]++;
	if (t->w[W_CNT] == t->bug_at) {
		tr->viol |= TDXSIM_PROP_VM_BUG;
		snprintf(tr->why, sizeof(tr->why), "bug at %u", t->bug_at);
	}
	return FLOW_RAN;
}

static void test_transition_violation(void **st)
{
	(void)st;
	struct tiny t = { .n = 2, .step = bug_step, .bug_at = 4 };
	struct ck_model m = model(&t, TDXSIM_PROP_VM_BUG | TDXSIM_PROP_DEADLOCK);
	struct ck_opts o = bfs();
	struct ck_result r;
	assert_int_equal(ck_run(&m, &o, &r), 0);
	assert_int_equal(r.violated, TDXSIM_PROP_VM_BUG);
	const struct ck_cex *c = &r.cex[ck_prop_index(TDXSIM_PROP_VM_BUG)];
	assert_int_equal(c->len, 4);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(c->path[i], 0);
	assert_string_equal(c->why, "bug at 4");
	ck_result_free(&r);
	/* stop_first stops there; max_states stops earlier and says so */
	o.stop_first = true;
	assert_int_equal(ck_run(&m, &o, &r), 0);
	assert_true(r.states < 11 * 5);
	ck_result_free(&r);
	o = bfs();
	o.max_states = 5;
	assert_int_equal(ck_run(&m, &o, &r), 0);
	assert_true(r.stopped);
	assert_non_null(strstr(r.stop_why, "state limit"));
	assert_int_equal(r.unknown, TDXSIM_PROP_VM_BUG | TDXSIM_PROP_DEADLOCK);
	ck_result_free(&r);
}

/* A state property: flagged states (w[FLAG] == 1) break an "invariant". */
static enum flow_ret inv_step(struct tiny *t, unsigned a, struct ck_trans *tr)
{
	(void)tr;
	if (t->w[W_PC + a] == 3) {
		t->w[W_PC + a] = 99;
		return FLOW_DONE;
	}
	t->w[W_PC + a]++;
	if (t->w[W_PC] == 2 && t->w[W_PC + 1] == 2)
		t->w[W_FLAG] = 1;
	return FLOW_RAN;
}

static uint32_t inv_state(void *ctx, const uint32_t *words, uint32_t n, char *why, size_t len)
{
	struct tiny *t = ctx;
	(void)words;
	(void)n;
	if (t->w[W_FLAG]) {
		snprintf(why, len, "flag set");
		return TDXSIM_PROP_INVARIANTS;
	}
	return 0;
}

static void test_state_violation(void **st)
{
	(void)st;
	struct tiny t = { .n = 2, .step = inv_step };
	struct ck_model m = model(&t, TDXSIM_PROP_INVARIANTS);
	m.state_viol = inv_state;
	struct ck_opts o = bfs();
	struct ck_result r;
	assert_int_equal(ck_run(&m, &o, &r), 0);
	assert_int_equal(r.violated, TDXSIM_PROP_INVARIANTS);
	assert_int_equal(r.cex[ck_prop_index(TDXSIM_PROP_INVARIANTS)].len, 4);
	ck_result_free(&r);
}

/* Livelock / starvation / MapGPA cycles.
 * kind 0: A holds lock 0 and spins forever (self-loop, no progress); B waits on lock 0.
 * kind 1: A spins until B sets the flag; B is always enabled and its step is progress:
 *         weak fairness makes B step, so no livelock.
 * kind 2: starvation: A (the class) retries lock 0 while B takes and releases it
 *         forever, B's release being progress (of B, not of the class).
 * kind 3: A first announces that it wants the lock; B then stops taking it once
 *         it has released it: under weak fairness A is not starved (before the
 *         announcement A is always enabled and its step leaves the cycle). */
static enum flow_ret cyc_step(struct tiny *t, unsigned a, struct ck_trans *tr)
{
	uint64_t *pc = &t->w[W_PC + a];
	switch (t->kind) {
	case 0:
		if (a == 0) {
			if (*pc == 0) {
				t->w[W_LOCK] = 1;
				*pc = 1;
			}
			return FLOW_RAN; /* spin */
		}
		LOCK(t, 0, a);
		*pc = 99;
		tr->progress |= CK_PROG_ANY;
		return FLOW_DONE;
	case 1:
		if (a == 0) {
			if (t->w[W_FLAG]) {
				*pc = 99;
				tr->progress |= CK_PROG_ANY;
				return FLOW_DONE;
			}
			return FLOW_RAN;
		}
		t->w[W_FLAG] = 1;
		*pc = 99;
		tr->progress |= CK_PROG_ANY;
		return FLOW_DONE;
	default:
		if (a == 1) {
			if (t->w[W_LOCK] == 2) {
				t->w[W_LOCK] = 0;
				tr->progress |= CK_PROG_ANY; /* B progresses, A's class does not */
			} else if (!t->w[W_LOCK] && !t->w[W_FLAG]) {
				t->w[W_LOCK] = 2;
			} else if (!t->w[W_LOCK]) {
				*pc = 99;    /* kind 3: A wants it, B leaves */
				tr->progress |= CK_PROG_ANY;
				return FLOW_DONE;
			} else {
				return FLOW_BLOCKED;
			}
			return FLOW_RAN;
		}
		if (t->kind == 3 && *pc == 0) {
			t->w[W_FLAG] = 1;    /* A announces it wants the lock */
			*pc = 1;
			return FLOW_RAN;
		}
		/* A tries: it gets the lock when free (kind 3), fails otherwise; in kind 2
		 * it only looks while B holds it (like a guest backing off). */
		if (t->w[W_LOCK] == 0 && t->kind == 3) {
			t->w[W_LOCK] = 1;
			*pc = 99;
			tr->progress |= CK_PROG_ANY | CK_PROG_CLASS;
			return FLOW_DONE;
		}
		if (t->w[W_LOCK] == 1)
			return FLOW_BLOCKED;
		return FLOW_RAN; /* fails, no change */
	}
}

static uint32_t cyc_pending(struct tiny *t)
{
	uint32_t p = 0;
	if (t->w[W_PC + 0] != 99)
		p |= CK_PEND_ANY | CK_PEND_CLASS | CK_PEND_MAPGPA;
	if (t->w[W_PC + 1] != 99)
		p |= CK_PEND_ANY;
	return p;
}

static void test_livelock(void **st)
{
	(void)st;
	struct tiny t = { .n = 2, .step = cyc_step, .pending = cyc_pending, .kind = 0 };
	struct ck_model m = model(&t, TDXSIM_PROP_LIVELOCK | TDXSIM_PROP_DEADLOCK);
	struct ck_opts o = bfs();
	struct ck_result r;
	assert_int_equal(ck_run(&m, &o, &r), 0);
	assert_int_equal(r.violated, TDXSIM_PROP_LIVELOCK);
	const struct ck_cex *c = &r.cex[ck_prop_index(TDXSIM_PROP_LIVELOCK)];
	assert_true(c->cycle >= 0);
	assert_int_equal(c->len - (uint32_t)c->cycle, 1);  /* A's self-loop */
	assert_int_equal(c->path[c->len - 1], 0);
	assert_non_null(strstr(c->why, "A spins"));
	assert_non_null(strstr(c->why, "B blocked throughout"));
	ck_result_free(&r);
	/* Weak fairness: B is always enabled and its step is progress. */
	t.kind = 1;
	assert_int_equal(ck_run(&m, &o, &r), 0);
	assert_false(r.violated);
	assert_false(r.unknown);
	ck_result_free(&r);
}

static void test_starvation(void **st)
{
	(void)st;
	struct tiny t = { .n = 2, .step = cyc_step, .pending = cyc_pending, .kind = 2 };
	struct ck_model m = model(&t, TDXSIM_PROP_LIVELOCK | TDXSIM_PROP_STARVATION | TDXSIM_PROP_MAPGPA);
	struct ck_opts o = bfs();
	struct ck_result r;
	assert_int_equal(ck_run(&m, &o, &r), 0);
	/* B progresses forever, A's class never does: starvation and (with A's pending
	 * MapGPA bit) MapGPA non-termination, but no livelock. */
	assert_int_equal(r.violated, TDXSIM_PROP_STARVATION | TDXSIM_PROP_MAPGPA);
	const struct ck_cex *c = &r.cex[ck_prop_index(TDXSIM_PROP_STARVATION)];
	assert_true(c->cycle >= 0);
	/* the cycle is fair: both actors step in it */
	bool a0 = false, a1 = false;
	for (uint32_t k = (uint32_t)c->cycle; k < c->len; k++) {
		a0 |= c->path[k] == 0;
		a1 |= c->path[k] == 1;
	}
	assert_true(a0 && a1);
	ck_result_free(&r);
	t.kind = 3;
	assert_int_equal(ck_run(&m, &o, &r), 0);
	assert_false(r.violated & TDXSIM_PROP_STARVATION);
	ck_result_free(&r);
}

/* POR: two actors, each with private local steps (safe) then one shared step;
 * the reduction explores fewer states, finds the same deadlock, and a search
 * that needs the graph (livelock) ignores it. */
static enum flow_ret por_step(struct tiny *t, unsigned a, struct ck_trans *tr)
{
	uint64_t *pc = &t->w[W_PC + a];
	if (*pc < 4) {
		t->w[W_CNT + a]++;
		(*pc)++;
		tr->por_safe = t->safe_local;
		/* the pc is outside the private word: the explorer must refuse the claim
		 * unless only the counter moved -- keep the pc in the counter instead */
		return FLOW_RAN;
	}
	if (*pc == 4) {
		LOCK(t, a, a);
		*pc = 5;
		return FLOW_RAN;
	}
	LOCK(t, 1 - a, a);
	*pc = 99;
	return FLOW_DONE;
}

static enum flow_ret por_step2(struct tiny *t, unsigned a, struct ck_trans *tr)
{
	/* the program counter lives in the private counter word while local */
	uint64_t *cnt = &t->w[W_CNT + a];
	if (*cnt < 4) {
		(*cnt)++;
		tr->por_safe = t->safe_local;
		return FLOW_RAN;
	}
	uint64_t *pc = &t->w[W_PC + a];
	if (*pc == 0) {
		LOCK(t, a, a);
		*pc = 5;
		return FLOW_RAN;
	}
	LOCK(t, 1 - a, a);
	*pc = 99;
	return FLOW_DONE;
}

static void test_por(void **st)
{
	(void)st;
	struct tiny t = { .n = 2, .step = por_step2, .safe_local = true };
	struct ck_model m = model(&t, TDXSIM_PROP_DEADLOCK);
	struct ck_opts o = bfs();
	struct ck_result r, r2;
	o.por = true;
	assert_int_equal(ck_run(&m, &o, &r), 0);
	o.por = false;
	assert_int_equal(ck_run(&m, &o, &r2), 0);
	assert_int_equal(r.violated, TDXSIM_PROP_DEADLOCK);
	assert_int_equal(r2.violated, TDXSIM_PROP_DEADLOCK);
	assert_true(r.por_reduced > 0);
	assert_true(r.states < r2.states);
	ck_result_free(&r);
	ck_result_free(&r2);
	/* A claim of safety for a step that wrote outside the actor's words is refused. */
	t.step = por_step;
	o.por = true;
	assert_int_equal(ck_run(&m, &o, &r), 0);
	assert_int_equal(r.por_reduced, 0);
	assert_int_equal(r.violated, TDXSIM_PROP_DEADLOCK);
	ck_result_free(&r);
	/* Cycle properties: POR off. */
	t.step = por_step2;
	m.props |= TDXSIM_PROP_LIVELOCK;
	assert_int_equal(ck_run(&m, &o, &r), 0);
	assert_int_equal(r.por_reduced, 0);
	assert_int_equal(r.states, r2.states);
	ck_result_free(&r);
}

/* Environment actors: a step of theirs that changes nothing is not a move, so a
 * model whose only other actor is blocked is deadlocked even if the environment
 * could "fire" again. */
static enum flow_ret env_step(struct tiny *t, unsigned a, struct ck_trans *tr)
{
	(void)tr;
	if (a == 1) {              /* environment: sets the flag (idempotent) */
		t->w[W_FLAG] = 1;
		return FLOW_RAN;
	}
	if (t->w[W_PC] == 0) {     /* A: waits for the flag, then for lock 0 (never free) */
		if (!t->w[W_FLAG])
			return FLOW_BLOCKED;
		t->w[W_PC] = 1;
		return FLOW_RAN;
	}
	return FLOW_BLOCKED;
}

static void test_environment(void **st)
{
	(void)st;
	struct tiny t = { .n = 2, .step = env_step };
	struct ck_model m = model(&t, TDXSIM_PROP_DEADLOCK);
	m.n_env = 1;
	struct ck_opts o = bfs();
	struct ck_result r;
	assert_int_equal(ck_run(&m, &o, &r), 0);
	assert_int_equal(r.violated, TDXSIM_PROP_DEADLOCK);
	const struct ck_cex *c = &r.cex[0];
	assert_int_equal(c->len, 2);  /* the environment fires, A moves, then nothing can */
	assert_int_equal(c->path[0], 1);
	assert_int_equal(c->path[1], 0);
	ck_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deadlock_shortest),
		cmocka_unit_test(test_lossy_stores),
		cmocka_unit_test(test_transition_violation),
		cmocka_unit_test(test_state_violation),
		cmocka_unit_test(test_livelock),
		cmocka_unit_test(test_starvation),
		cmocka_unit_test(test_por),
		cmocka_unit_test(test_environment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
