/* SPDX-License-Identifier: MIT */
/*
 * The threads scheduler (src/engine/sched_threads.c, tdxsim stress): bundled
 * scenarios run with one OS thread per actor, SEAMCALL/TDCALL steps in parallel
 * on the module's atomic lock words.  Labelled `threads` (file name), so CI runs
 * it under ThreadSanitizer: the point is a clean TSan report as much as the
 * assertions.  Outcomes that do not depend on the interleaving are asserted; the
 * module invariants are checked by the scheduler's watcher between steps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "io/runner.h"

static struct tdxsim_scenario *load(const char *name)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/../../scenarios/%s.yaml", TDXSIM_TEST_DATA, name);
	struct tdxsim_scenario *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	if (tdxsim_scenario_load(path, NULL, s, &err) < 0)
		fail_msg("%s", err.msg);
	return s;
}

static void run_threads(struct tdxsim_scenario *s, struct run *r)
{
	struct run_opts o = { .threads = true };
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	if (tdxsim_run(s, &o, r, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(r->threads, s->nactors);
}

/* Two TD teardowns in parallel: the tdx_lock mutex serializes the global part,
 * so whatever the interleaving, both finish without BUSY or a VM BUG. */
static void test_teardown_two_tds(void **state)
{
	(void)state;
	struct tdxsim_scenario *s = load("teardown-two-tds");
	for (int k = 0; k < 3; k++) {
		struct run r;
		run_threads(s, &r);
		assert_int_equal(r.res.outcome, SIM_DONE);
		assert_true(r.ev.met);
		assert_int_equal(stats_counter(r.st, ST_BUSY), 0);
		assert_int_equal(stats_counter(r.st, ST_VM_BUGS), 0);
		assert_int_equal(stats_counter(r.st, ST_PROGRAMS_FAILED), 0);
		/* Both HKIDs were freed: one KEY.FREEID each. */
		const struct tdxsim_leaf *fr = tdxsim_table_find_leaf(stats_table(r.st), "TDH.MNG.KEY.FREEID");
		assert_non_null(fr);
		assert_int_equal(stats_leaf(r.st, (unsigned)(fr - stats_table(r.st)->leaves))->ok, 2);
		tdxsim_run_free(&r);
	}
	tdxsim_scenario_free(s);
	free(s);
}

/* Many actors contending: two vCPUs (one faulting at one RIP with timer
 * interrupts from the watcher, one accepting), a hole puncher.  Any outcome but
 * a deadlock, a VM BUG or a broken invariant is acceptable here. */
static void test_zero_step_vs_removal(void **state)
{
	(void)state;
	struct tdxsim_scenario *s = load("zero-step-vs-removal");
	for (int k = 0; k < 3; k++) {
		struct run r;
		run_threads(s, &r);
		assert_true(r.res.outcome == SIM_DONE || r.res.outcome == SIM_TIME);
		assert_int_equal(stats_counter(r.st, ST_VM_BUGS), 0);
		assert_true(stats_counter(r.st, ST_SEAMCALLS) > 0);
		assert_true(stats_counter(r.st, ST_STEPS) > 0);
		tdxsim_run_free(&r);
	}
	tdxsim_scenario_free(s);
	free(s);
}

/* Signals every 2 us (applied by the watcher between steps) take both vCPUs in
 * and out of the guest while 8 pages are removed. */
static void test_track_vs_entry(void **state)
{
	(void)state;
	struct tdxsim_scenario *s = load("track-vs-entry");
	struct run r;
	run_threads(s, &r);
	assert_true(r.res.outcome == SIM_DONE || r.res.outcome == SIM_TIME);
	assert_int_equal(stats_counter(r.st, ST_VM_BUGS), 0);
	assert_int_equal(stats_counter(r.st, ST_REMOVALS), 8);
	tdxsim_run_free(&r);
	tdxsim_scenario_free(s);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_teardown_two_tds),
		cmocka_unit_test(test_zero_step_vs_removal),
		cmocka_unit_test(test_track_vs_entry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
