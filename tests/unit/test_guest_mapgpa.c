/* SPDX-License-Identifier: MIT */
/*
 * The guest model's MapGPA (src/guest/mapgpa.c): Linux's tdx_map_gpa() exactly
 * (linux-kvm-tdx.md §6.1) against scripted VMM responses: success, RETRY with and
 * without progress (3 retries without progress; the count resets on progress), R11
 * outside [start, end) (the guest gives up), errors, the policy knobs, and the
 * shared->private conversion that accepts the range afterwards.  The TDVMCALL's
 * registers reach the host as TDH.VP.ENTER's outputs and the host's R10/R11 reach
 * the guest through the next TDH.VP.ENTER.
 */
#include <string.h>

#include "helpers/guest_driver.h"

#include "module/sept_walk.h"

#define PG 4096ull
#define NP 16ull
#define S (GD_BASE | TDXSIM_SHARED_BIT)
#define E ((GD_BASE + NP * PG) | TDXSIM_SHARED_BIT)
#define RETRY 1ull
#define INVALID_OPERAND 0x8000000000000000ull

/* The n-th TDVMCALL<MapGPA> exit (0-based). */
static const struct gd_exit *mapgpa_call(const struct gd *d, unsigned n)
{
	for (unsigned i = 0; i < d->n_exits; i++) {
		const struct gd_exit *e = &d->exits[i];
		if (e->rax == 77 && e->r10 == 0 && e->r11 == TDVMCALL_MAP_GPA && n-- == 0)
			return e;
	}
	fail_msg("no MapGPA call %u", n);
	return NULL;
}

static unsigned n_mapgpa_calls(const struct gd *d)
{
	unsigned n = 0;
	for (unsigned i = 0; i < d->n_exits; i++)
		if (d->exits[i].rax == 77 && d->exits[i].r11 == TDVMCALL_MAP_GPA)
			n++;
	return n;
}

static void expect_call(const struct gd *d, unsigned n, uint64_t start, uint64_t len)
{
	const struct gd_exit *e = mapgpa_call(d, n);
	assert_int_equal(e->rcx, 0xFFCC);                  /* TDVMCALL_EXPOSE_REGS_MASK */
	assert_int_equal(e->r12, start);
	assert_int_equal(e->r13, len);
}

/* Run GUEST_PROG_MAPGPA of NP pages to shared against the script; returns the vCPU. */
static struct guest_vcpu *run_shared(struct gd *d)
{
	gd_start(d, GUEST_PROG_MAPGPA, GD_BASE, NP, 0);
	gd_run(d);
	return gd_vcpu(d);
}

static void expect_result(struct gd *d, bool ok, unsigned calls)
{
	struct guest_vcpu *gv = gd_vcpu(d);
	assert_int_equal(gv->mapgpa_ok, ok ? 1 : 0);
	assert_int_equal(gv->mapgpa_failed, ok ? 0 : 1);
	assert_int_equal(n_mapgpa_calls(d), calls);
	assert_int_equal(gv->mapgpa_calls, calls);
	assert_int_equal(d->i_mapgpa, calls);              /* every response used, no more */
	struct guest_mapgpa m;
	assert_true(guest_mapgpa_state(d->guest, 0, 0, &m));
	assert_false(m.active);
	assert_int_equal(m.result, ok ? 1 : 2);
	assert_int_equal(m.start0, S);
	assert_int_equal(m.end, E);
}

static void mapgpa_success(void **state)
{
	(void)state;
	struct gd *d = gd_new(NULL, NULL);
	gd_script_mapgpa(d, 0, 0);
	run_shared(d);
	expect_result(d, true, 1);
	expect_call(d, 0, S, NP * PG);
	gd_free(d);
}

/* RETRY with progress resets the count: 2 no-progress, progress, 2 no-progress, then
 * success.  Without the reset the 5th call would have been the 3rd without progress. */
static void mapgpa_progress_resets_count(void **state)
{
	(void)state;
	struct gd *d = gd_new(NULL, NULL);
	gd_script_mapgpa(d, RETRY, S + 8 * PG);
	gd_script_mapgpa(d, RETRY, S + 8 * PG);
	gd_script_mapgpa(d, RETRY, S + 8 * PG);
	gd_script_mapgpa(d, RETRY, S + 12 * PG);
	gd_script_mapgpa(d, RETRY, S + 12 * PG);
	gd_script_mapgpa(d, RETRY, S + 12 * PG);
	gd_script_mapgpa(d, 0, 0);
	run_shared(d);
	expect_result(d, true, 7);
	expect_call(d, 0, S, NP * PG);
	expect_call(d, 1, S + 8 * PG, 8 * PG);
	expect_call(d, 2, S + 8 * PG, 8 * PG);
	expect_call(d, 3, S + 8 * PG, 8 * PG);
	expect_call(d, 4, S + 12 * PG, 4 * PG);
	expect_call(d, 5, S + 12 * PG, 4 * PG);
	expect_call(d, 6, S + 12 * PG, 4 * PG);
	struct guest_mapgpa m;
	guest_mapgpa_state(d->guest, 0, 0, &m);
	assert_int_equal(m.retry_count, 2);
	assert_int_equal(m.last_r11, S + 12 * PG);
	assert_int_equal(m.resumed_outside, 0);
	gd_free(d);
}

/* Three RETRYs without progress: the guest gives up after exactly three calls. */
static void mapgpa_no_progress_gives_up(void **state)
{
	(void)state;
	struct gd *d = gd_new(NULL, NULL);
	gd_script_mapgpa(d, RETRY, S);
	gd_script_mapgpa(d, RETRY, S);
	gd_script_mapgpa(d, RETRY, S);
	gd_script_mapgpa(d, 0, 0); /* must not be asked for */
	run_shared(d);
	expect_result(d, false, 3);
	for (unsigned i = 0; i < 3; i++)
		expect_call(d, i, S, NP * PG);
	struct guest_mapgpa m;
	guest_mapgpa_state(d->guest, 0, 0, &m);
	assert_int_equal(m.retry_count, 3);
	gd_free(d);
}

/* Progress, then three without progress: four calls, false. */
static void mapgpa_progress_then_stuck(void **state)
{
	(void)state;
	struct gd *d = gd_new(NULL, NULL);
	gd_script_mapgpa(d, RETRY, S + 4 * PG);
	for (unsigned i = 0; i < 3; i++)
		gd_script_mapgpa(d, RETRY, S + 4 * PG);
	run_shared(d);
	expect_result(d, false, 4);
	expect_call(d, 3, S + 4 * PG, 12 * PG);
	gd_free(d);
}

/* R11 comes from the untrusted VMM: outside [start, end) the guest returns false at once. */
static void mapgpa_r11_outside(void **state)
{
	(void)state;
	static const uint64_t bad[] = {
		E,                                   /* end is outside */
		S - PG,                              /* below start */
		(S + 8 * PG) & ~TDXSIM_SHARED_BIT,   /* the private alias */
		E + 64 * PG,
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gd *d = gd_new(NULL, NULL);
		gd_script_mapgpa(d, RETRY, bad[i]);
		run_shared(d);
		expect_result(d, false, 1);
		struct guest_mapgpa m;
		guest_mapgpa_state(d->guest, 0, 0, &m);
		assert_int_equal(m.last_r11, bad[i]);
		assert_int_equal(m.resumed_outside, 0);
		gd_free(d);
	}
	/* [start, end) is the current start: after progress to +8 pages, +4 is outside. */
	struct gd *d = gd_new(NULL, NULL);
	gd_script_mapgpa(d, RETRY, S + 8 * PG);
	gd_script_mapgpa(d, RETRY, S + 4 * PG);
	run_shared(d);
	expect_result(d, false, 2);
	gd_free(d);
}

/* A guest that does not check R11 (policy knob) resumes where the VMM says. */
static void mapgpa_unchecked_r11_resumes_outside(void **state)
{
	(void)state;
	struct tdxsim_guest_policy pol = tdxsim_policy_builtin("kvm-6.16")->guest;
	pol.mapgpa_check_r11 = false;
	struct gd *d = gd_new(&pol, NULL);
	gd_script_mapgpa(d, RETRY, E + PG);
	gd_script_mapgpa(d, 0, 0);
	run_shared(d);
	expect_result(d, true, 2);
	expect_call(d, 1, E + PG, (uint64_t)(E - (E + PG)));
	struct guest_mapgpa m;
	guest_mapgpa_state(d->guest, 0, 0, &m);
	assert_int_equal(m.resumed_outside, 1);
	gd_free(d);
}

/* A status other than SUCCESS and RETRY: false. */
static void mapgpa_error(void **state)
{
	(void)state;
	struct gd *d = gd_new(NULL, NULL);
	gd_script_mapgpa(d, INVALID_OPERAND, S);
	run_shared(d);
	expect_result(d, false, 1);
	gd_free(d);
}

/* mapgpa_max_no_progress = 1: the first RETRY without progress ends it. */
static void mapgpa_policy_one_retry(void **state)
{
	(void)state;
	struct tdxsim_guest_policy pol = tdxsim_policy_builtin("kvm-6.16")->guest;
	pol.mapgpa_max_no_progress = 1;
	struct gd *d = gd_new(&pol, NULL);
	gd_script_mapgpa(d, RETRY, S);
	run_shared(d);
	expect_result(d, false, 1);
	gd_free(d);
}

/* Shared -> private: MapGPA without the shared bit, then tdx_accept_memory(). */
static void mapgpa_private_then_accept(void **state)
{
	(void)state;
	struct gd *d = gd_new(NULL, NULL);
	d->ept = GD_EPT_AUG_4K;
	gd_script_mapgpa(d, 0, 0);
	gd_start(d, GUEST_PROG_MAPGPA, GD_BASE, 2, 1);
	gd_run(d);
	struct guest_vcpu *gv = gd_vcpu(d);
	assert_int_equal(gv->mapgpa_ok, 1);
	expect_call(d, 0, GD_BASE, 2 * PG);
	assert_int_equal(gv->accepted, 2);
	assert_true(guest_page_accepted(d->guest, 0, GD_BASE));
	assert_true(guest_page_accepted(d->guest, 0, GD_BASE + PG));
	/* Exits: MapGPA, two ACCEPT EPT violations, HLT. */
	assert_int_equal(d->n_exits, 4);
	assert_int_equal(d->exits[1].r8, GD_BASE);
	assert_int_equal(d->exits[2].r8, GD_BASE + PG);
	gd_free(d);
}

/* A failed private conversion accepts nothing. */
static void mapgpa_private_failed_no_accept(void **state)
{
	(void)state;
	struct gd *d = gd_new(NULL, NULL);
	d->ept = GD_EPT_AUG_4K;
	gd_script_mapgpa(d, INVALID_OPERAND, GD_BASE);
	gd_start(d, GUEST_PROG_MAPGPA, GD_BASE, 2, 1);
	gd_run(d);
	assert_int_equal(gd_vcpu(d)->mapgpa_failed, 1);
	assert_int_equal(gd_vcpu(d)->accepted, 0);
	assert_int_equal(d->n_exits, 2); /* MapGPA, HLT */
	gd_free(d);
}

/* Private -> shared after an accept: the guest forgets the pages were accepted. */
static void mapgpa_shared_forgets_accepted(void **state)
{
	(void)state;
	struct gd *d = gd_new(NULL, NULL);
	d->ept = GD_EPT_AUG_4K;
	gd_start(d, GUEST_PROG_ACCEPT, GD_BASE, 3, 0);
	gd_run(d);
	assert_true(guest_page_accepted(d->guest, 0, GD_BASE + 2 * PG));
	gd_script_mapgpa(d, 0, 0);
	gd_start(d, GUEST_PROG_MAPGPA, GD_BASE, 2, 0);
	gd_run(d);
	assert_int_equal(gd_vcpu(d)->mapgpa_ok, 1);
	expect_call(d, 0, GD_BASE | TDXSIM_SHARED_BIT, 2 * PG);
	assert_false(guest_page_accepted(d->guest, 0, GD_BASE));
	assert_false(guest_page_accepted(d->guest, 0, GD_BASE + PG));
	assert_true(guest_page_accepted(d->guest, 0, GD_BASE + 2 * PG));
	gd_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mapgpa_success),
		cmocka_unit_test(mapgpa_progress_resets_count),
		cmocka_unit_test(mapgpa_no_progress_gives_up),
		cmocka_unit_test(mapgpa_progress_then_stuck),
		cmocka_unit_test(mapgpa_r11_outside),
		cmocka_unit_test(mapgpa_unchecked_r11_resumes_outside),
		cmocka_unit_test(mapgpa_error),
		cmocka_unit_test(mapgpa_policy_one_retry),
		cmocka_unit_test(mapgpa_private_then_accept),
		cmocka_unit_test(mapgpa_private_failed_no_accept),
		cmocka_unit_test(mapgpa_shared_forgets_accepted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
