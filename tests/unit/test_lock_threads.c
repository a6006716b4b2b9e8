/* SPDX-License-Identifier: MIT */
/*
 * Two OS threads, one host (SEAMCALL side) and one guest (TDCALL side), hammer one
 * sharex_hp lock word (reference §1.3) with try-acquires in random modes.  Ghost
 * counters of current holders and a plain (non-atomic) protected record check
 * mutual exclusion on every success: never a writer together with anyone, and a
 * reader never sees a torn record.  Under ThreadSanitizer (label "threads") the
 * plain record also checks that the lock's memory ordering gives happens-before:
 * the ghost counters are relaxed atomics on purpose, so that they create no
 * happens-before of their own and cannot hide a missing acquire or release.
 * (With correct locks they are ordered by the lock, so they never misreport.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <pthread.h>
#include <time.h>
#include <cmocka.h>

#include "tdxsim/lock.h"

#ifndef HAMMER_ITERATIONS
#define HAMMER_ITERATIONS 200000u
#endif
#define MAX_EXTRA_SECONDS 10.0

static tdxsim_sharex_hp_word_t lock_word;
static atomic_int ghost_readers, ghost_writers;
static atomic_int violations;
static struct { uint64_t a, b, c; } record; /* protected by lock_word, plain memory */

struct actor {
	bool guest;
	uint64_t rng;
	unsigned ok_sh, ok_ex, ok_promote, busy, busy_hp, other;
	uint64_t last_status;
};

static unsigned next_rand(struct actor *a)
{
	a->rng ^= a->rng << 13;
	a->rng ^= a->rng >> 7;
	a->rng ^= a->rng << 17;
	return (unsigned)(a->rng >> 32);
}

static void violation(const char *what)
{
	if (atomic_fetch_add(&violations, 1) < 5)
		fprintf(stderr, "mutual exclusion violated: %s\n", what);
}

static void count_failure(struct actor *a, tdx_status_t s)
{
	if (s == TDX_OPERAND_BUSY)
		a->busy++;
	else if (s == TDX_OPERAND_BUSY_HOST_PRIORITY && a->guest)
		a->busy_hp++; /* only guests are ever refused for host priority */
	else {
		a->other++;
		a->last_status = s;
	}
}

#define RELAXED memory_order_relaxed

static void read_section(void)
{
	atomic_fetch_add_explicit(&ghost_readers, 1, RELAXED);
	if (atomic_load_explicit(&ghost_writers, RELAXED) != 0)
		violation("reader with a writer");
	uint64_t a = record.a, b = record.b, c = record.c;
	if (b != a + 1 || c != a + 2)
		violation("reader saw a torn record");
	atomic_fetch_sub_explicit(&ghost_readers, 1, RELAXED);
}

/* Called with ghost_writers already incremented by the caller. */
static void write_section(void)
{
	if (atomic_load_explicit(&ghost_readers, RELAXED) != 0)
		violation("writer with a reader");
	record.a++;
	record.b = record.a + 1;
	record.c = record.a + 2;
	if (atomic_load_explicit(&ghost_readers, RELAXED) != 0)
		violation("writer with a reader");
}

static void enter_writer(const char *what)
{
	if (atomic_fetch_add_explicit(&ghost_writers, 1, RELAXED) != 0)
		violation(what);
}

static void leave_writer(void)
{
	atomic_fetch_sub_explicit(&ghost_writers, 1, RELAXED);
}

static pthread_barrier_t start_line;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A try-lock promises no progress: if the other thread is preempted while it holds
 * the lock, all of this thread's attempts in that time fail.  So after the fixed
 * number of attempts, keep going until this side has succeeded at least once,
 * for at most MAX_EXTRA_SECONDS. */
static bool keep_going(const struct actor *a, unsigned i, double deadline)
{
	if (i < HAMMER_ITERATIONS)
		return true;
	if (a->ok_sh + a->ok_ex > 0)
		return false;
	return (i & 1023) || now_s() < deadline;
}

static void *hammer(void *arg)
{
	struct actor *a = arg;
	pthread_barrier_wait(&start_line);
	double deadline = now_s() + MAX_EXTRA_SECONDS;
	for (unsigned i = 0; keep_going(a, i, deadline); i++) {
		unsigned r = next_rand(a) % (a->guest ? 2 : 3);
		tdx_status_t s;
		if (r == 1) {
			s = tdxsim_sharex_hp_acquire_ex(&lock_word, a->guest);
			if (s != TDX_SUCCESS) {
				count_failure(a, s);
				continue;
			}
			enter_writer("two writers");
			write_section();
			leave_writer();
			a->ok_ex++;
			if (tdxsim_sharex_hp_release_ex(&lock_word) != TDXSIM_LOCK_OK)
				violation("exclusive release: not held");
			continue;
		}
		s = tdxsim_sharex_hp_acquire_sh(&lock_word, a->guest);
		if (s != TDX_SUCCESS) {
			count_failure(a, s);
			continue;
		}
		a->ok_sh++;
		read_section();
		if (r == 2) { /* host only: promote the shared hold (PAMT walk style) */
			s = tdxsim_sharex_hp_promote(&lock_word);
			if (s == TDX_SUCCESS) {
				enter_writer("promoted with a writer");
				write_section();
				leave_writer();
				a->ok_promote++;
				if (tdxsim_sharex_hp_release_ex(&lock_word) != TDXSIM_LOCK_OK)
					violation("release after promote: not held");
				continue;
			}
			count_failure(a, s); /* still holds its shared lock */
		}
		if (tdxsim_sharex_hp_release_sh(&lock_word) != TDXSIM_LOCK_OK)
			violation("shared release: not held");
	}
	return NULL;
}

static void two_threads_host_and_guest(void **state)
{
	(void)state;
	struct actor host = { .guest = false, .rng = 0x9E3779B97F4A7C15ull };
	struct actor guest = { .guest = true, .rng = 0xD1B54A32D192ED03ull };
	pthread_t th, tg;

	atomic_store(&lock_word, SHAREX_HP_FREE);
	record.a = 0;
	record.b = 1;
	record.c = 2;
	assert_int_equal(pthread_barrier_init(&start_line, NULL, 2), 0);
	assert_int_equal(pthread_create(&th, NULL, hammer, &host), 0);
	assert_int_equal(pthread_create(&tg, NULL, hammer, &guest), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(pthread_join(tg, NULL), 0);
	pthread_barrier_destroy(&start_line);

	print_message("host:  sh %u ex %u promote %u busy %u other %u\n", host.ok_sh, host.ok_ex,
		      host.ok_promote, host.busy, host.other);
	print_message("guest: sh %u ex %u busy %u busy_hp %u other %u\n", guest.ok_sh, guest.ok_ex,
		      guest.busy, guest.busy_hp, guest.other);
	if (host.other || guest.other)
		print_error("unexpected status 0x%016llx / 0x%016llx\n",
			    (unsigned long long)host.last_status,
			    (unsigned long long)guest.last_status);

	assert_int_equal(atomic_load(&violations), 0);
	/* Only BUSY (and, for the guest, BUSY_HOST_PRIORITY) ever; never misuse. */
	assert_int_equal(host.other, 0);
	assert_int_equal(guest.other, 0);
	/* Both made progress (each retried up to MAX_EXTRA_SECONDS for it). */
	assert_true(host.ok_sh + host.ok_ex + host.ok_promote > 0);
	assert_true(guest.ok_sh + guest.ok_ex > 0);
	/* Every hold was released and every failed reader's garbage wiped: at most HP
	 * (left by a host that failed last) remains. */
	uint16_t w = atomic_load(&lock_word);
	assert_int_equal(w & (uint16_t)~SHAREX_HP_HOST_PRIORITY, 0);
	assert_int_equal(atomic_load(&ghost_readers), 0);
	assert_int_equal(atomic_load(&ghost_writers), 0);
	/* Every exclusive section ran exactly once on the record. */
	assert_int_equal(record.a, host.ok_ex + host.ok_promote + guest.ok_ex);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_threads_host_and_guest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
