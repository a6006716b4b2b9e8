/* SPDX-License-Identifier: MIT */
/*
 * Uncontended cost of emulated SEAMCALLs, in one run: nanoseconds per call for
 * TDH.MEM.PAGE.AUG, for TDH.MEM.PAGE.REMOVE with the TDH.MEM.RANGE.BLOCK and
 * TDH.MEM.TRACK a removal needs, and for a TDH.VP.ENTER + TD exit round trip --
 * through the run-to-completion API (tdxsim_seamcall / tdxsim_td_exit) and through
 * step-level execution (tdxsim_seamcall_begin + tdxsim_leaf_step), with the
 * interpreter steps per call; and the cost of one lock acquire+release next to a
 * bare atomic compare-and-swap + store (bench_lock has every kind and mode).
 * Figures only (the best of many short rounds); a call that does not return what
 * it must aborts the figures.
 *
 * usage: bench_seamcall [rounds]   (default 40; one round = 500 pages or entries)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "helpers/mix.h"
#include "tdxsim/lock.h"
#include "tdxsim/table.h"

#define RUNS 3
#define NPAGES 500           /* free 4K slots of GPA_0's PT page (two are build pages) */
#define GPA(i) (MIX_GPA0 + 0x1000ull * (2 + (i)))

enum { RAX = 0, RCX = 1, RDX = 2, R8 = 8 };
enum { L_ENTER = 0, L_AUG = 6, L_BLOCK = 7, L_REMOVE = 29, L_TRACK = 38 };

static struct tdxsim_world *W;
static struct mix_env ENV;
static uint64_t page[NPAGES];
static unsigned rounds = 40;
static bool stepwise;          /* step-level execution instead of whole calls */
static uint64_t steps, calls;  /* interpreter steps and calls of the step-level runs */

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what, tdx_status_t s)
{
	fprintf(stderr, "bench_seamcall: %s returned 0x%016llx\n", what, (unsigned long long)s);
	exit(1);
}

static tdx_status_t seamcall(unsigned lp, uint64_t leaf, uint64_t rcx, uint64_t rdx, uint64_t r8)
{
	struct tdxsim_regs r = { { 0 } };
	r.r[RAX] = leaf;
	r.r[RCX] = rcx;
	r.r[RDX] = rdx;
	r.r[R8] = r8;
	if (!stepwise)
		return tdxsim_seamcall(W, lp, &r);
	struct tdxsim_leaf_exec x;
	tdxsim_seamcall_begin(W, &x, lp, &r);
	calls++;
	while (tdxsim_leaf_step(W, &x) == TDXSIM_STEP_RAN)
		steps++;
	steps++;
	return x.regs.r[RAX];
}

static tdx_status_t td_exit(uint64_t tdvpr)
{
	if (!stepwise)
		return tdxsim_td_exit(W, tdvpr, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	struct tdxsim_leaf_exec x;
	tdxsim_td_exit_begin(W, &x, tdvpr, TDXSIM_EXIT_INTERRUPT, 0);
	calls++;
	while (tdxsim_leaf_step(W, &x) == TDXSIM_STEP_RAN)
		steps++;
	steps++;
	return x.regs.r[RAX];
}

/* One round of the page life: AUG every slot, then BLOCK + TRACK + REMOVE each
 * (a KVM zap of one page).  Adds the time of each leaf to t[]. */
static void page_round(double t[4])
{
	uint64_t tdr = ENV.tdr[0];
	double t0 = now_ns();
	for (unsigned i = 0; i < NPAGES; i++) {
		tdx_status_t s = seamcall(0, L_AUG, GPA(i), tdr, page[i]);
		if (s != TDX_SUCCESS)
			die("AUG", s);
	}
	double t1 = now_ns();
	t[0] += t1 - t0;
	for (unsigned i = 0; i < NPAGES; i++) {
		double a = now_ns();
		tdx_status_t s = seamcall(0, L_BLOCK, GPA(i), tdr, 0);
		if (s != TDX_SUCCESS)
			die("BLOCK", s);
		double b = now_ns();
		s = seamcall(0, L_TRACK, tdr, 0, 0);
		if (s != TDX_SUCCESS)
			die("TRACK", s);
		double c = now_ns();
		s = seamcall(0, L_REMOVE, GPA(i), tdr, 0);
		if (s != TDX_SUCCESS)
			die("REMOVE", s);
		double d = now_ns();
		t[1] += b - a;
		t[2] += c - b;
		t[3] += d - c;
	}
}

static double enter_round(void)
{
	uint64_t tdvpr = ENV.tdvpr[0];
	double t0 = now_ns();
	for (unsigned i = 0; i < NPAGES; i++) {
		tdx_status_t s = seamcall(ENV.vcpu_lp[0], L_ENTER, tdvpr, 0, 0);
		if (s != TDXSIM_STATUS_ENTERED)
			die("VP.ENTER", s);
		s = td_exit(tdvpr);
		if (s != 1)
			die("TD exit", s);
	}
	return now_ns() - t0;
}

/* The best round of RUNS x rounds (a round is short, so the best one is the least
 * disturbed by whatever else the machine runs). */
static void calls_bench(const char *how)
{
	double best[5] = { 0 };
	steps = calls = 0;
	double t[4] = { 0 };
	page_round(t); /* warm-up */
	for (unsigned k = 0; k < RUNS * rounds; k++) {
		t[0] = t[1] = t[2] = t[3] = 0;
		page_round(t);
		double te = enter_round();
		double v[5] = { t[0] / NPAGES, t[1] / NPAGES, t[2] / NPAGES, t[3] / NPAGES, te / NPAGES };
		for (int i = 0; i < 5; i++)
			if (k == 0 || v[i] < best[i])
				best[i] = v[i];
	}
	printf("%-22s %8.0f %8.0f %8.0f %8.0f %10.0f %12.0f\n", how, best[0], best[1], best[2], best[3],
	       best[1] + best[2] + best[3], best[4]);
}

/* ---- one lock operation vs a bare CAS + store ---- */

static _Atomic uint16_t bare_w;
static tdxsim_sharex_hp_word_t hp_w;
static tdxsim_sept_entry_word_t sept_w = 0xA000000123456007ull;
static unsigned lock_failures;

/* The best of 40 short runs of n pairs. */
static double per_pair(int which, uint64_t n)
{
	double best = 0;
	for (int r = 0; r < 40; r++) {
		unsigned bad = 0;
		double t0 = now_ns();
		for (uint64_t i = 0; i < n; i++) {
			if (which == 0) {
				uint16_t expected = 0;
				bad += !atomic_compare_exchange_strong(&bare_w, &expected, 1);
				atomic_store(&bare_w, 0);
			} else if (which == 1) {
				bad += tdxsim_sharex_hp_acquire_sh(&hp_w, false) != TDX_SUCCESS;
				bad += tdxsim_sharex_hp_release_sh(&hp_w) != TDXSIM_LOCK_OK;
			} else if (which == 2) {
				bad += tdxsim_sharex_hp_acquire_ex(&hp_w, false) != TDX_SUCCESS;
				bad += tdxsim_sharex_hp_release_ex(&hp_w) != TDXSIM_LOCK_OK;
			} else {
				bad += tdxsim_sept_lock_acquire_host(&sept_w) != TDX_SUCCESS;
				bad += tdxsim_sept_lock_release(&sept_w) != TDXSIM_LOCK_OK;
			}
		}
		double ns = (now_ns() - t0) / (double)n;
		lock_failures += bad;
		if (r == 0 || ns < best)
			best = ns;
	}
	return best;
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		char *end;
		unsigned long n = strtoul(argv[1], &end, 0);
		if (*end || n == 0) {
			fprintf(stderr, "usage: bench_seamcall [rounds]\n");
			return 2;
		}
		rounds = (unsigned)n;
	}
	char path[1024], why[256];
	snprintf(path, sizeof(path), "%s/modules/tdx-1.5.05.yaml", tdxsim_data_dir());
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	struct tdxsim_table *t = tdxsim_table_load(path, &err);
	if (!t) {
		fprintf(stderr, "bench_seamcall: %s\n", err.msg);
		return 1;
	}
	struct tdxsim_module_config cfg = { .n_lps = 4, .n_pkgs = 1, .n_frames = 2048 };
	W = tdxsim_world_create(t, &cfg, &err);
	struct mix_build_opts o = { .nvcpus = 1, .finalize = true };
	if (!W || !mix_world_build(W, &o, &ENV, why, sizeof(why))) {
		fprintf(stderr, "bench_seamcall: %s\n", W ? why : err.msg);
		return 1;
	}
	for (unsigned i = 0; i < NPAGES; i++)
		page[i] = ENV.next_free + 4096ull * i;

	printf("bench_seamcall: uncontended, one TD, best of %u rounds of %u calls each, ns per call\n", RUNS * rounds,
	       NPAGES);
	printf("%-22s %8s %8s %8s %8s %10s %12s\n", "", "AUG", "BLOCK", "TRACK", "REMOVE", "B+T+REMOVE",
	       "ENTER+exit");
	stepwise = false;
	calls_bench("run to completion");
	stepwise = true;
	calls_bench("step-level");
	printf("%-22s %8.1f steps per call (step-level runs)\n", "", (double)steps / (double)calls);

	const uint64_t n = 500000;
	double bare = per_pair(0, n), sh = per_pair(1, n), ex = per_pair(2, n), sept = per_pair(3, n);
	printf("lock acquire+release (ns, ratio to a bare CAS + store of %.2f ns):\n", bare);
	printf("  %-34s %6.2f  %5.2fx\n", "sharex_hp shared, host (PAMT entry)", sh, sh / bare);
	printf("  %-34s %6.2f  %5.2fx\n", "sharex_hp exclusive, host", ex, ex / bare);
	printf("  %-34s %6.2f  %5.2fx\n", "SEPT entry, host", sept, sept / bare);
	if (lock_failures) {
		fprintf(stderr, "bench_seamcall: %u uncontended lock operations failed\n", lock_failures);
		return 1;
	}
	tdxsim_world_destroy(W);
	tdxsim_table_free(t);
	return 0;
}
