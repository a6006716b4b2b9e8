/* SPDX-License-Identifier: MIT */
/*
 * Acceptance: snapshots are exact (DESIGN §3: a snapshot is memcpy, equality is
 * memcmp, the fingerprint a hash of the bytes).
 *
 * A world with a running TD (two vCPUs in guest mode) runs a seeded random
 * sequence of steps (helpers/mix.h: SEAMCALLs, TDCALLs and TD exits from four LPs,
 * several executions in flight at once, interleaved one interpreter step at a
 * time with tdxsim_leaf_step, virtual time advancing).  The mixer's whole state --
 * the in-flight executions and its PRNG -- lives in the world's user region, so
 * the world's bytes are everything.  Then:
 *   snapshot S (taken while several executions are in flight);
 *   run N more steps                       -> bytes B1, hash H1;
 *   restore S, run the same N steps        -> byte-identical to B1, hash H1;
 *   restore S into a second world, run N   -> tdxsim_world_equal to the first,
 *                                             same hash (the arena is
 *                                             position-independent).
 * And the run is not trivial: the N steps changed the world, completed calls and
 * hit BUSY.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/fixture.h"
#include "helpers/mix.h"

#define WARMUP_STEPS 3000
#define RUN_STEPS 4000

struct sworld {
	struct tdxsim_world *w;
	struct mix mx;
	struct mix_state *st; /* in the world's user region */
	struct mix_src src;
	unsigned busy;
};

static void count_busy(void *ctx, struct mix *mx, unsigned lp, enum mix_kind kind,
		       const struct tdxsim_leaf_exec *x, enum tdxsim_step_result r)
{
	(void)mx, (void)lp, (void)kind, (void)r;
	struct sworld *s = ctx;
	if (tdx_status_is_kvm_busy(x->regs.r[OPERAND_ID_RAX]))
		s->busy++;
}

static void sworld_bind(struct sworld *s, struct tdxsim_world *w, const struct mix_env *env)
{
	s->w = w;
	s->st = tdxsim_world_user(w);
	assert_true(tdxsim_world_user_size(w) >= sizeof(*s->st));
	/* mix_init resets the state: bind, then put the state back. */
	struct mix_state saved = *s->st;
	mix_init(&s->mx, w, env, s->st);
	*s->st = saved;
	s->mx.done = count_busy;
	s->mx.done_ctx = s;
	s->src = (struct mix_src){ mix_src_rng, &s->st->rng };
}

/* n mixer actions, with virtual time advancing by a random 0..1000 ns each (the
 * amount drawn from the PRNG in the world). */
static void run(struct sworld *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		mix_step(&s->mx, &s->src);
		tdxsim_world_advance(s->w, mix_rng_next(&s->st->rng) % 1001);
	}
}

static unsigned in_flight(const struct sworld *s, unsigned n_lps)
{
	unsigned k = 0;
	for (unsigned lp = 0; lp < n_lps; lp++) {
		uint8_t st = s->st->lp[lp].state;
		k += st == MIX_HOST || st == MIX_TDCALL || st == MIX_EXIT;
	}
	return k;
}

static struct tdxsim_world *new_world(struct fx *f, size_t user)
{
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	struct tdxsim_world *w = tdxsim_world_create_ex(f->table, &f->cfg, user, &err);
	if (!w)
		fail_msg("world: %s", err.msg);
	return w;
}

static void snapshot_restore(void **state)
{
	(void)state;
	struct tdxsim_module_config cfg = { .n_lps = 4, .n_pkgs = 2, .n_frames = 1024, .max_sept_pages = 32,
					    .max_tds = 8, .max_vcpus = 16, .check_invariants = true };
	struct fx *f = fx_new(NULL, &cfg);
	const size_t user = sizeof(struct mix_state);
	struct tdxsim_world *wa = new_world(f, user), *wb = new_world(f, user);
	struct mix_env env;
	char why[256];
	struct mix_build_opts o = { .nvcpus = 2, .finalize = true, .enter = true };
	if (!mix_world_build(wa, &o, &env, why, sizeof(why)))
		fail_msg("%s", why);

	struct sworld a = { 0 }, b = { 0 };
	mix_init(&a.mx, wa, &env, tdxsim_world_user(wa));
	sworld_bind(&a, wa, &env);
	mix_adopt_guests(&a.mx);
	mix_rng_seed(&a.st->rng, 0xC0FFEE);
	run(&a, WARMUP_STEPS);
	/* Snapshot while at least two executions are in flight. */
	for (unsigned n = 0; in_flight(&a, env.n_lps) < 2; n++) {
		assert_true(n < 100000);
		run(&a, 1);
	}
	unsigned flying = in_flight(&a, env.n_lps);
	const size_t size = tdxsim_world_size(wa);
	assert_int_equal(tdxsim_world_size(wb), size);
	uint8_t *snap = malloc(size), *b1 = malloc(size);
	assert_non_null(snap);
	assert_non_null(b1);
	tdxsim_world_snapshot(wa, snap);
	const uint64_t h0 = tdxsim_world_hash(wa);
	const uint64_t done0 = a.st->completed, busy0 = a.busy;

	/* First run from S. */
	run(&a, RUN_STEPS);
	const uint64_t h1 = tdxsim_world_hash(wa);
	memcpy(b1, tdxsim_world_bytes(wa), size);
	assert_int_not_equal(h1, h0);
	assert_true(memcmp(b1, snap, size) != 0);
	assert_true(a.st->completed - done0 >= RUN_STEPS / 20);
	unsigned busy_first = a.busy - busy0;

	/* Restore S in the same world: the same steps give the same bytes. */
	tdxsim_world_restore(wa, snap);
	assert_int_equal(tdxsim_world_hash(wa), h0);
	a.busy = busy0;
	run(&a, RUN_STEPS);
	assert_int_equal(a.busy - busy0, busy_first);
	assert_int_equal(tdxsim_world_hash(wa), h1);
	assert_memory_equal(tdxsim_world_bytes(wa), b1, size);

	/* Restore S in another world (another arena address): equal worlds. */
	tdxsim_world_restore(wb, snap);
	sworld_bind(&b, wb, &env);
	assert_memory_equal(tdxsim_world_bytes(wb), snap, size);
	assert_int_equal(tdxsim_world_hash(wb), h0);
	run(&b, RUN_STEPS);
	assert_true(tdxsim_world_equal(wa, wb));
	assert_int_equal(tdxsim_world_hash(wb), h1);
	assert_int_equal(b.busy, busy_first);

	/* The run was not trivial, and both worlds still satisfy the invariants. */
	print_message("snapshot: %u executions in flight at the snapshot, %llu calls completed and %u "
		      "BUSY in %u steps after it\n",
		      flying, (unsigned long long)(a.st->completed - done0), busy_first, RUN_STEPS);
	assert_true(busy_first >= 5);
	assert_true(tdxsim_world_check_invariants(wa, why, sizeof(why)));
	assert_true(tdxsim_world_check_invariants(wb, why, sizeof(why)));

	/* One step more on one world only: no longer equal, different hash. */
	run(&b, 50);
	assert_false(tdxsim_world_equal(wa, wb));
	assert_int_not_equal(tdxsim_world_hash(wa), tdxsim_world_hash(wb));

	free(snap);
	free(b1);
	tdxsim_world_destroy(wa);
	tdxsim_world_destroy(wb);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(snapshot_restore),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
