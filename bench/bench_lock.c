/* SPDX-License-Identifier: MIT */
/*
 * Uncontended cost of each lock kind and mode: ns per acquire+release pair, next
 * to a bare atomic_compare_exchange_strong + atomic_store pair on a 16-bit word,
 * and the ratio.  Figures only (best of several runs); no pass/fail.
 *
 * usage: bench_lock [iterations]   (default 20000000)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tdxsim/lock.h"

#define RUNS 5

static uint64_t iterations = 20000000;
static unsigned failures; /* any non-success aborts the figures */

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static tdxsim_mutex_word_t mutex_w;
static tdxsim_sharex_word_t sharex_w;
static tdxsim_sharex_hp_word_t sharex_hp_w;
static tdxsim_sept_entry_word_t sept_w = 0xA000000123456007ull;
static _Atomic uint16_t bare_w;

/* Each body is one uncontended acquire+release; a wrong result is counted, so the
 * compiler must compute it, and so a broken fast path cannot post a good figure. */
#define BODY(fn_name, acquire, release)                                          \
	static void fn_name(uint64_t n)                                          \
	{                                                                        \
		unsigned bad = 0;                                                \
		for (uint64_t i = 0; i < n; i++) {                               \
			bad += (acquire) != TDX_SUCCESS;                         \
			bad += (release) != TDXSIM_LOCK_OK;                      \
		}                                                                \
		failures += bad;                                                 \
	}

BODY(b_mutex, tdxsim_mutex_acquire(&mutex_w), tdxsim_mutex_release(&mutex_w))
BODY(b_sharex_sh, tdxsim_sharex_acquire_sh(&sharex_w), tdxsim_sharex_release_sh(&sharex_w))
BODY(b_sharex_ex, tdxsim_sharex_acquire_ex(&sharex_w), tdxsim_sharex_release_ex(&sharex_w))
BODY(b_hp_sh_host, tdxsim_sharex_hp_acquire_sh(&sharex_hp_w, false),
     tdxsim_sharex_hp_release_sh(&sharex_hp_w))
BODY(b_hp_sh_guest, tdxsim_sharex_hp_acquire_sh(&sharex_hp_w, true),
     tdxsim_sharex_hp_release_sh(&sharex_hp_w))
BODY(b_hp_ex_host, tdxsim_sharex_hp_acquire_ex(&sharex_hp_w, false),
     tdxsim_sharex_hp_release_ex(&sharex_hp_w))
BODY(b_hp_ex_guest, tdxsim_sharex_hp_acquire_ex(&sharex_hp_w, true),
     tdxsim_sharex_hp_release_ex(&sharex_hp_w))
BODY(b_sept_host, tdxsim_sept_lock_acquire_host(&sept_w), tdxsim_sept_lock_release(&sept_w))
BODY(b_sept_guest, tdxsim_sept_lock_acquire_guest(&sept_w), tdxsim_sept_lock_release(&sept_w))

/* The baseline: the cheapest correct try-lock on a 16-bit word, seq_cst as the
 * plain C11 calls are. */
static void b_bare(uint64_t n)
{
	unsigned bad = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint16_t expected = 0;
		bad += !atomic_compare_exchange_strong(&bare_w, &expected, 1);
		atomic_store(&bare_w, 0);
	}
	failures += bad;
}

static double measure(void (*fn)(uint64_t))
{
	double best = 0;
	fn(iterations / 10); /* warm up */
	for (int r = 0; r < RUNS; r++) {
		double t0 = now_ns();
		fn(iterations);
		double ns = (now_ns() - t0) / (double)iterations;
		if (r == 0 || ns < best)
			best = ns;
	}
	return best;
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		char *end;
		unsigned long long n = strtoull(argv[1], &end, 0);
		if (*end || n == 0) {
			fprintf(stderr, "usage: bench_lock [iterations]\n");
			return 2;
		}
		iterations = n;
	}
	static const struct {
		const char *name;
		const char *rmws; /* atomic read-modify-writes on the fast path */
		void (*fn)(uint64_t);
	} cases[] = {
		{ "mutex acquire+release", "CAS, CAS", b_mutex },
		{ "sharex sh acquire+release", "XADD, XADD", b_sharex_sh },
		{ "sharex ex acquire+release", "CAS, XCHG", b_sharex_ex },
		{ "sharex_hp sh host", "XADD, XADD", b_hp_sh_host },
		{ "sharex_hp sh guest", "XADD, XADD", b_hp_sh_guest },
		{ "sharex_hp ex host", "CAS, load+AND", b_hp_ex_host },
		{ "sharex_hp ex guest", "CAS, load+AND", b_hp_ex_guest },
		{ "sept entry host", "BTS, BTR 52, load+BTR", b_sept_host },
		{ "sept entry guest", "BTS+load, load+BTR", b_sept_guest },
	};
	double base = measure(b_bare);
	printf("bench_lock: uncontended, best of %d runs of %llu iterations\n", RUNS,
	       (unsigned long long)iterations);
	printf("%-28s %8s %7s  %s\n", "case", "ns/pair", "ratio", "atomic ops");
	printf("%-28s %8.2f %7.2f  %s\n", "bare CAS+store (uint16)", base, 1.0,
	       "CAS, seq_cst store");
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double ns = measure(cases[i].fn);
		printf("%-28s %8.2f %7.2f  %s\n", cases[i].name, ns, ns / base, cases[i].rmws);
	}
	if (failures) {
		fprintf(stderr, "bench_lock: %u uncontended operations failed\n", failures);
		return 1;
	}
	return 0;
}
