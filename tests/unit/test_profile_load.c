/* SPDX-License-Identifier: MIT */
/*
 * VMM profile loader: every feature of tests/data/profiles/good.yaml, and one
 * "file:line: message" per bad fixture.  Names are checked against a small
 * table built in C.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tdxsim/profile.h"
#include "tdxsim/table.h"

#define DIR TDXSIM_TEST_DATA "/profiles/"

static struct tdxsim_table *T;

static struct tdxsim_leaf *leaf(const char *name, enum tdxsim_side side, unsigned nsteps)
{
	struct tdxsim_leaf *l = &T->leaves[T->nleaves++];
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->side = side;
	l->steps = calloc(nsteps ? nsteps : 1, sizeof(*l->steps));
	l->nsteps = nsteps;
	return l;
}

static int setup(void **state)
{
	(void)state;
	T = calloc(1, sizeof(*T));
	snprintf(T->module, sizeof(T->module), "unit");
	T->res = calloc(2, sizeof(*T->res));
	T->nres = 2;
	strcpy(T->res[0].name, "PAGE");
	T->res[0].backing = TDXSIM_BACK_PAMT;
	T->res[0].scope = TDXSIM_SCOPE_HPA;
	strcpy(T->res[1].name, "TD_EPOCH");
	T->res[1].backing = TDXSIM_BACK_FIELD;
	T->leaves = calloc(4, sizeof(*T->leaves));
	leaf("TDH.MEM.TRACK", TDXSIM_SIDE_HOST, 0);
	struct tdxsim_leaf *l = leaf("TDH.VP.ENTER", TDXSIM_SIDE_HOST, 0);
	l = leaf("TDH.VP.INIT", TDXSIM_SIDE_HOST, 1);
	l->max_version = 1;
	strcpy(l->steps[0].when, "zero_step_suspected"); /* any condition name will do */
	leaf("TDG.MEM.PAGE.ACCEPT", TDXSIM_SIDE_GUEST, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < T->nleaves; i++)
		free(T->leaves[i].steps);
	free(T->leaves);
	free(T->res);
	free(T);
	return 0;
}

static const struct tdxsim_context *ctx(const struct tdxsim_profile *p, const char *leafname, const char *path)
{
	for (unsigned i = 0; i < p->nctx; i++)
		if (!strcmp(p->ctx[i].leaf, leafname) && !strcmp(p->ctx[i].path, path))
			return &p->ctx[i];
	fail_msg("no context %s %s", leafname, path);
	return NULL;
}

static void loads_everything(void **state)
{
	(void)state;
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	struct tdxsim_profile *p = tdxsim_profile_load(DIR "good.yaml", T, &err);
	if (!p)
		fail_msg("%s", err.msg);
	assert_string_equal(p->name, "good");
	assert_string_equal(p->doc, "a test profile");
	assert_int_equal(p->nlocks, 5);
	int mmu = tdxsim_profile_find_lock(p, "mmu_lock"), vm = tdxsim_profile_find_lock(p, "vcpu_mutex");
	int spte = tdxsim_profile_find_lock(p, "spte");
	assert_int_equal(p->locks[mmu].kind, TDXSIM_VLK_RWLOCK);
	assert_int_equal(p->locks[mmu].scope, TDXSIM_SCOPE_TD);
	assert_string_equal(p->locks[mmu].doc, "the MMU lock");
	assert_int_equal(p->locks[vm].scope, TDXSIM_SCOPE_VCPU);
	assert_int_equal(p->locks[spte].kind, TDXSIM_VLK_CMPXCHG);
	assert_int_equal(p->locks[spte].scope, TDXSIM_SCOPE_GPA);
	assert_int_equal(p->locks[tdxsim_profile_find_lock(p, "boot")].kind, TDXSIM_VLK_THREAD);
	assert_int_equal(tdxsim_profile_find_lock(p, "nope"), -1);
	assert_int_equal(p->nctx, 5);

	const struct tdxsim_context *c = ctx(p, "TDH.MEM.TRACK", "tdx_track");
	assert_int_equal(c->phases, TDXSIM_PHASE_BIT(TDXSIM_PHASE_RUNTIME));
	assert_int_equal(c->nholds, 1);
	assert_int_equal(c->holds[0].lock, mmu);
	assert_int_equal(c->holds[0].mode, TDXSIM_VMODE_EXCLUSIVE);
	assert_int_equal(c->busy, TDXSIM_POL_KICK_RETRY);
	assert_int_equal(c->line, 26);
	assert_int_equal(c->leaf_line, 25);

	c = ctx(p, "TDH.VP.INIT", "init");
	assert_string_equal(c->id, "fin");
	assert_int_equal(c->phases, TDXSIM_PHASE_BIT(TDXSIM_PHASE_BUILD) | TDXSIM_PHASE_BIT(TDXSIM_PHASE_RUNTIME));
	assert_int_equal(c->version, 1);
	assert_int_equal(c->nholds, 3);
	assert_int_equal(c->holds[0].mode, TDXSIM_VMODE_ALL);
	assert_int_equal(c->holds[1].mode, TDXSIM_VMODE_SHARED);
	assert_int_equal(c->nassume, 1);
	assert_string_equal(c->assume[0].name, "zero_step_suspected");
	assert_false(c->assume[0].value);
	assert_int_equal(p->runtime_entry, (int)(c - p->ctx));

	c = ctx(p, "TDH.VP.INIT", "hotplug");
	assert_int_equal(c->phases, TDXSIM_PHASE_ANY);
	assert_int_equal(c->nholds, 0);
	assert_int_equal(c->busy, TDXSIM_POL_INIT_FAIL);
	assert_string_equal(c->busy_note, "CPU stays offline");

	c = ctx(p, "TDG.MEM.PAGE.ACCEPT", "guest");
	assert_true(c->guest);
	assert_string_equal(c->inside, "TDH.VP.ENTER");
	assert_int_equal(c->busy, TDXSIM_POL_GUEST_NO_RETRY);
	assert_string_equal(c->busy_note, "falls back to 4K");

	assert_int_equal(p->ndistinct, 1);
	assert_string_equal(p->distinct_pages[0].name, "PAGE");
	tdxsim_profile_free(p);

	/* Loading without a table defers the name checks. */
	p = tdxsim_profile_load(DIR "bad_leaf.yaml", NULL, &err);
	assert_non_null(p);
	assert_int_equal(tdxsim_profile_check(p, T, &err), -1);
	assert_string_equal(err.msg, DIR "bad_leaf.yaml:25: unknown leaf 'TDH.MEM.TRAKC' (not in module unit)");
	tdxsim_profile_free(p);
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(tdxsim_busy_policy_name(TDXSIM_POL_KICK_RETRY), "kick+retry-once");
	assert_string_equal(tdxsim_phase_name(TDXSIM_PHASE_CREATE), "create");
	assert_string_equal(tdxsim_vmode_name(TDXSIM_VMODE_ALL), "all");
	assert_string_equal(tdxsim_vlock_kind_name(TDXSIM_VLK_CMPXCHG), "cmpxchg");
	for (unsigned i = 0; i < TDXSIM_POL__COUNT; i++)
		assert_non_null(strchr(tdxsim_busy_policy_desc((enum tdxsim_busy_policy)i), ' '));
}

static const struct {
	const char *file, *msg;
} bad[] = {
	{ "bad_key", "28: unknown key 'retries' in a context of TDH.MEM.TRACK (expected id, phase, path, holds, busy, note, version, assume, inside)" },
	{ "bad_top", "3: unknown key 'dco' (expected profile, doc, locks, phases, distinct_pages, guest, leaves)" },
	{ "bad_lock", "28: unknown lock 'mmu_lokc' (not declared under locks:)" },
	{ "bad_mode_shared_mutex", "33: bad mode 'read' for lock 'vcpu_mutex': a mutex has no shared mode (expected held or all)" },
	{ "bad_mode_all_td", "28: bad mode 'all' for lock 'mmu_lock': it has one instance per TD" },
	{ "bad_mode", "28: bad mode 'sideways' for lock 'mmu_lock' (expected read, write, shared, exclusive, held or all)" },
	{ "bad_phase", "37: unknown phase 'runtim' (expected init, create, build, runtime, teardown or any)" },
	{ "bad_busy", "29: unknown busy policy 'retry-forever' (expected ebusy, eio, local-retry, kick+retry-once, bug, re-enter, warn, leak, init-fail or guest-no-retry)" },
	{ "bad_kind", "7: unknown lock kind 'semaphore' (expected mutex, rwlock, spinlock, thread or cmpxchg)" },
	{ "bad_scope", "7: unknown scope 'hpa' (expected global, td, vcpu or gpa)" },
	{ "bad_entry", "13: entered_by: no context has id 'nope'" },
	{ "bad_version", "39: bad version 'banana' (expected 0-255)" },
	{ "bad_dup_key", "28: duplicate key 'path'" },
	{ "bad_no_busy", "26: context of TDH.MEM.TRACK has no busy policy" },
	{ "bad_leaf", "25: unknown leaf 'TDH.MEM.TRAKC' (not in module unit)" },
	{ "bad_inside", "20: unknown leaf 'TDH.VP.ENTRY' (not in module unit)" },
	{ "bad_resource", "15: unknown resource 'PAGES' (not in module unit)" },
	{ "bad_resource_kind", "15: distinct_pages: resource 'TD_EPOCH' is not a PAMT-backed page lock" },
	{ "bad_condition", "41: unknown condition 'zero_step_suspectd': no step of TDH.VP.INIT in module unit has when: zero_step_suspectd" },
	{ "bad_guest_side", "17: 'TDH.MEM.TRACK' is a SEAMCALL, not a guest TDCALL" },
	{ "bad_host_side", "30: 'TDG.MEM.PAGE.ACCEPT' is a guest TDCALL: list it under guest:" },
	{ "bad_yaml", "3: malformed YAML: did not find expected ',' or '}' while parsing a flow mapping" },
};

static void bad_files(void **state)
{
	(void)state;
	unsigned failures = 0;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char path[512], want[1024];
		snprintf(path, sizeof(path), DIR "%s.yaml", bad[i].file);
		snprintf(want, sizeof(want), "%s:%s", path, bad[i].msg);
		struct tdxsim_error err;
		tdxsim_error_clear(&err);
		struct tdxsim_profile *p = tdxsim_profile_load(path, T, &err);
		if (p) {
			print_error("%s loaded\n", bad[i].file);
			tdxsim_profile_free(p);
			failures++;
		} else if (strcmp(err.msg, want)) {
			print_error("%s:\n got  %s\n want %s\n", bad[i].file, err.msg, want);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	assert_null(tdxsim_profile_load(DIR "does-not-exist.yaml", T, &err));
	assert_string_equal(err.msg, DIR "does-not-exist.yaml: cannot open: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads_everything),
		cmocka_unit_test(names),
		cmocka_unit_test(bad_files),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
