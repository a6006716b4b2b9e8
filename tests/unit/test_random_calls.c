/* SPDX-License-Identifier: MIT */
/*
 * Acceptance: random-sequence property test of the emulated module.  Thousands of
 * SEAMCALLs and TDCALLs with random -- also invalid -- arguments (helpers/mix.h:
 * random leaves including unknown numbers, versions and reserved RAX bits; random
 * HPAs including misaligned, out-of-range and HKID-bit ones; random GPAs and
 * levels; valid TDR / TDVPR / page / GPA handles mixed in so that deep paths are
 * reached), issued from four LPs with step-level interleaving (tdxsim_leaf_step),
 * vCPUs entering, running TDCALLs and exiting in between.
 *
 * Properties, for fixed seeds:
 *  - the world is created with check_invariants: the module invariants hold after
 *    every interpreter step (a broken one aborts, naming it), and
 *    tdxsim_world_check_invariants plus the lock accounting (every lock word is
 *    explained by the executions in flight and the vCPUs in guest mode) hold after
 *    every completed call;
 *  - the module never halts (no sequence here is one the reference says halts it:
 *    TD_EPOCH overflow needs 2^63 TRACKs, PAGE.ADD on a locked entry cannot happen
 *    while PAGE.ADD holds the TDR exclusively) and never returns
 *    TDX_SEAMCALL_VMFAILINVALID or #UD;
 *  - every SEAMCALL/TDCALL status is a defined TDX status code; a BUSY status names
 *    an operand one of that leaf's lock steps can report (from the lock table);
 *    the guest never sees ..._BUSY_HOST_PRIORITY (§1.7);
 *  - enough calls completed, entered the guest, exited, and succeeded on the
 *    memory leaves that the run reached deep paths (counted and asserted).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/fixture.h"
#include "helpers/mix.h"

#define CALLS_PER_SEED 4000

struct prop {
	struct fx *f;
	struct mix mx;
	struct mix_state st;
	struct mix_env env;
	char failure[512];
	/* What happened. */
	unsigned calls, seamcalls, tdcalls, exits, entered, success, busy, invalid_leaf;
	unsigned ok_by_leaf[64], guest_ok_by_leaf[64];
	uint64_t steps;             /* interpreter steps */
	bool trace;                 /* TDXSIM_TEST_TRACE set: every completed call on stderr */
};

static void failf(struct prop *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failf(struct prop *p, const char *fmt, ...)
{
	if (p->failure[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->failure, sizeof(p->failure), fmt, ap);
	va_end(ap);
}

static void check_world(struct prop *p, const char *when)
{
	char why[512] = "";
	if (!mix_check_world(&p->mx, why, sizeof(why)))
		failf(p, "%s: %s", when, why);
}

static void on_done(void *ctx, struct mix *mx, unsigned lp, enum mix_kind kind,
		    const struct tdxsim_leaf_exec *x, enum tdxsim_step_result r)
{
	(void)mx;
	struct prop *p = ctx;
	uint64_t s = x->regs.r[OPERAND_ID_RAX];
	char what[160], buf[96];
	const char *name = x->leaf >= 0 ? p->f->table->leaves[x->leaf].name : "(refused)";
	snprintf(what, sizeof(what), "call %u (%s on LP %u, RAX in 0x%llx)", p->calls, name, lp,
		 (unsigned long long)x->regs.r[OPERAND_ID_RAX]);
	p->calls++;
	if (p->trace)
		fprintf(stderr, "%s %s -> %s\n", kind == MIX_K_TD_EXIT ? "exit" : kind == MIX_K_TDCALL ? "tdcall" : "seamcall",
			what, r == TDXSIM_STEP_ENTERED ? "ENTERED" : tdx_status_format(s, buf, sizeof(buf)));
	char why[256];
	if (!mix_status_ok(p->f->table, kind, x, r, why, sizeof(why)))
		failf(p, "%s: %s", what, why);
	if (kind == MIX_K_TD_EXIT) {
		p->exits++;
		check_world(p, what);
		return;
	}
	if (kind == MIX_K_TDCALL)
		p->tdcalls++;
	else
		p->seamcalls++;
	if (r == TDXSIM_STEP_ENTERED) {
		p->entered++;
		check_world(p, what);
		return;
	}
	if (x->leaf < 0)
		p->invalid_leaf++;
	if (tdx_status_is_kvm_busy(s) || s == TDX_SYS_BUSY)
		p->busy++;
	if (s == TDX_SUCCESS && x->leaf >= 0) {
		p->success++;
		unsigned num = p->f->table->leaves[x->leaf].number;
		if (kind == MIX_K_SEAMCALL && num < 64)
			p->ok_by_leaf[num]++;
		if (kind == MIX_K_TDCALL && num < 64)
			p->guest_ok_by_leaf[num]++;
	}
	check_world(p, what);
}

struct seed_case {
	uint64_t seed;
	struct mix_build_opts opts;
};

static void run_seed(struct prop *p, const struct seed_case *c)
{
	struct tdxsim_module_config cfg = { .n_lps = 4, .n_pkgs = 2, .n_frames = 1024, .max_sept_pages = 32,
					    .max_tds = 8, .max_vcpus = 16, .check_invariants = true };
	p->f = fx_new(NULL, &cfg);
	char why[256];
	if (!mix_world_build(p->f->w, &c->opts, &p->env, why, sizeof(why)))
		fail_msg("%s", why);
	mix_init(&p->mx, p->f->w, &p->env, &p->st);
	if (c->opts.enter)
		mix_adopt_guests(&p->mx);
	p->mx.done = on_done;
	p->mx.done_ctx = p;
	mix_rng_seed(&p->st.rng, c->seed);
	struct mix_src src = { mix_src_rng, &p->st.rng };
	unsigned start = p->calls;
	uint64_t steps0 = 0;
	while (p->calls - start < CALLS_PER_SEED && !p->failure[0])
		mix_step(&p->mx, &src);
	mix_drain(&p->mx);
	p->steps += p->st.steps - steps0;
	check_world(p, "after the drain");
	if (p->failure[0])
		fail_msg("seed 0x%llx: %s", (unsigned long long)c->seed, p->failure);
	fx_free(p->f);
	p->f = NULL;
}

static void random_calls(void **state)
{
	(void)state;
	static const struct seed_case cases[] = {
		{ 0x5EED0001, { .nvcpus = 2, .finalize = true, .enter = true } },
		{ 0x5EED0002, { .nvcpus = 2, .finalize = true, .enter = false, .second_td = true } },
		{ 0x5EED0003, { .nvcpus = 1, .finalize = false, .second_td = true } },
		{ 0x5EED0004, { .nvcpus = 3, .finalize = true, .enter = true } },
	};
	static struct prop p;
	memset(&p, 0, sizeof(p));
	p.trace = getenv("TDXSIM_TEST_TRACE") != NULL;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_seed(&p, &cases[i]);
	printf("random calls: %u completed (%u SEAMCALLs, %u TDCALLs, %u TD exits) in %llu steps, %u "
	       "entered the guest, %u succeeded, %u BUSY, %u refused leaf/version\n",
	       p.calls, p.seamcalls, p.tdcalls, p.exits, (unsigned long long)p.steps, p.entered, p.success,
	       p.busy, p.invalid_leaf);
	printf("successes by leaf:");
	for (unsigned l = 0; l < 64; l++)
		if (p.ok_by_leaf[l])
			printf(" %u:%u", l, p.ok_by_leaf[l]);
	printf("\nguest successes by leaf:");
	for (unsigned l = 0; l < 64; l++)
		if (p.guest_ok_by_leaf[l])
			printf(" %u:%u", l, p.guest_ok_by_leaf[l]);
	printf("\n");
	/* The run reached deep paths: the guest ran, pages were mapped, accepted and
	 * removed.  (The counts are deterministic for the seeds; the bounds leave room
	 * for the module's paths to change.) */
	assert_true(p.calls >= 4 * CALLS_PER_SEED);
	assert_true(p.entered >= 800);
	assert_true(p.exits >= 800);
	assert_true(p.tdcalls >= 1500);
	assert_true(p.busy >= 300);
	assert_true(p.ok_by_leaf[6] >= 35);   /* AUG */
	assert_true(p.ok_by_leaf[7] >= 35);   /* BLOCK */
	assert_true(p.ok_by_leaf[38] >= 200); /* TRACK */
	assert_true(p.ok_by_leaf[29] >= 25);  /* REMOVE */
	assert_true(p.ok_by_leaf[3] >= 5);    /* SEPT.ADD */
	assert_true(p.guest_ok_by_leaf[6] >= 10); /* ACCEPT */
}

/* The step-level API refuses what only a misbehaving caller does, without touching
 * the module: a TD exit of a vCPU not in guest mode (its REFCOUNT would underflow)
 * or of no vCPU, a TDCALL of no vCPU, a SEAMCALL on no LP. */
static void api_misuse(void **state)
{
	(void)state;
	struct tdxsim_module_config cfg = { .n_lps = 4, .n_pkgs = 2, .n_frames = 1024, .check_invariants = true };
	struct fx *f = fx_new(NULL, &cfg);
	struct mix_env env;
	char why[256];
	struct mix_build_opts o = { .nvcpus = 2, .finalize = true };
	if (!mix_world_build(f->w, &o, &env, why, sizeof(why)))
		fail_msg("%s", why);
	uint8_t *before = malloc(tdxsim_world_size(f->w));
	assert_non_null(before);
	tdxsim_world_snapshot(f->w, before);
	struct tdxsim_leaf_exec x;
	const uint64_t not_tdvpr[] = { env.tdvpr[0], env.tdr[0], env.page[env.npage - 1], 0, ~0ull, env.tdvpr[0] + 8 };
	for (unsigned i = 0; i < sizeof(not_tdvpr) / sizeof(not_tdvpr[0]); i++) {
		tdxsim_td_exit_begin(f->w, &x, not_tdvpr[i], TDXSIM_EXIT_INTERRUPT, 0);
		assert_int_equal(tdxsim_leaf_step(f->w, &x), TDXSIM_STEP_DONE);
		fx_assert_status(x.regs.r[OPERAND_ID_RAX], TDX_VCPU_STATE_INCORRECT, "TD exit of no vCPU in guest mode");
		assert_int_equal(tdxsim_td_exit(f->w, not_tdvpr[i], TDXSIM_EXIT_INTERRUPT, 0, NULL),
				 TDX_VCPU_STATE_INCORRECT);
		struct tdxsim_regs r = { { TDG_MEM_PAGE_ACCEPT, MIX_GPA0 } };
		tdxsim_tdcall_begin(f->w, &x, not_tdvpr[i], &r);
		assert_int_equal(tdxsim_leaf_step(f->w, &x), TDXSIM_STEP_DONE);
		fx_assert_status(x.regs.r[OPERAND_ID_RAX], TDX_VCPU_STATE_INCORRECT, "TDCALL of no vCPU in guest mode");
	}
	struct tdxsim_regs r = { { LEAF_SYS_RD } };
	fx_assert_status(tdxsim_seamcall(f->w, 99, &r), TDX_SEAMCALL_UD, "SEAMCALL on no LP");
	assert_memory_equal(tdxsim_world_bytes(f->w), before, tdxsim_world_size(f->w));
	free(before);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(api_misuse),
		cmocka_unit_test(random_calls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
