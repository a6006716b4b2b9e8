/* SPDX-License-Identifier: MIT */
/*
 * The table differ on two small tables built in C: every kind of step
 * difference (changed attribute, added, removed, moved), leaf fields, leaves
 * and resources added/removed/changed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyze/analyze.h"

static struct tdxsim_table *new_table(const char *name)
{
	struct tdxsim_table *t = calloc(1, sizeof(*t));
	snprintf(t->module, sizeof(t->module), "%s", name);
	t->res = calloc(4, sizeof(*t->res));
	t->leaves = calloc(4, sizeof(*t->leaves));
	return t;
}

static void add_res(struct tdxsim_table *t, const char *name, enum tdxsim_lock_kind k, enum tdxsim_scope sc)
{
	struct tdxsim_resource *r = &t->res[t->nres++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->kind = k;
	r->scope = sc;
	r->backing = TDXSIM_BACK_FIELD;
	r->busy = TDXSIM_BUSY_OPERAND;
	r->busy_operand = OPERAND_ID_SEPT_TREE;
}

static struct tdxsim_leaf *add_leaf(struct tdxsim_table *t, const char *name, unsigned number)
{
	struct tdxsim_leaf *l = &t->leaves[t->nleaves++];
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->number = number;
	l->steps = calloc(8, sizeof(*l->steps));
	return l;
}

static struct tdxsim_step *step(struct tdxsim_leaf *l, enum tdxsim_step_kind k, int res, const char *fn)
{
	struct tdxsim_step *s = &l->steps[l->nsteps++];
	s->kind = k;
	s->res = res;
	s->reg = s->busy_operand = -1;
	for (int i = 0; i < 4; i++)
		s->also[i] = s->releases[i] = -1;
	snprintf(s->fn, sizeof(s->fn), "%s", fn ? fn : "");
	return s;
}

static void free_table(struct tdxsim_table *t)
{
	for (unsigned i = 0; i < t->nleaves; i++)
		free(t->leaves[i].steps);
	free(t->leaves);
	free(t->res);
	free(t);
}

static void all_difference_kinds(void **state)
{
	(void)state;
	struct tdxsim_table *a = new_table("A"), *b = new_table("B");
	add_res(a, "TREE", TDXSIM_LK_SHAREX, TDXSIM_SCOPE_TD);
	add_res(a, "OLD", TDXSIM_LK_SHAREX, TDXSIM_SCOPE_TD);
	add_res(b, "TREE", TDXSIM_LK_SHAREX, TDXSIM_SCOPE_GLOBAL);
	add_res(b, "NEW", TDXSIM_LK_MUTEX, TDXSIM_SCOPE_TD);

	struct tdxsim_leaf *la = add_leaf(a, "TDH.X", 7), *lb = add_leaf(b, "TDH.X", 7);
	lb->max_version = 1;
	step(la, TDXSIM_STEP_CHECK, -1, "first");
	step(la, TDXSIM_STEP_LOCK, 0, NULL)->mode = TDXSIM_MODE_SHARED;
	step(la, TDXSIM_STEP_CHECK, -1, "gone");
	step(la, TDXSIM_STEP_BODY, -1, "commit");
	step(la, TDXSIM_STEP_CHECK, -1, "late");
	/* B: "late" moves to the front, the lock becomes exclusive and conditional,
	 * "gone" is removed, "extra" is added. */
	step(lb, TDXSIM_STEP_CHECK, -1, "late");
	step(lb, TDXSIM_STEP_CHECK, -1, "first");
	struct tdxsim_step *s = step(lb, TDXSIM_STEP_LOCK, 0, NULL);
	s->mode = TDXSIM_MODE_EXCLUSIVE;
	strcpy(s->when, "zero_step_suspected");
	step(lb, TDXSIM_STEP_BODY, -1, "commit");
	step(lb, TDXSIM_STEP_CHECK, -1, "extra")->reg = OPERAND_ID_R8;
	add_leaf(a, "TDH.GONE", 1);
	add_leaf(b, "TDG.NEW", 2)->side = TDXSIM_SIDE_GUEST;

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	tdxsim_diff_print_text(f, a, b, NULL, NULL);
	fclose(f);
	const char *want =
		"A: A (-)\n"
		"B: B (-)\n"
		"\n=== Resources ===\n"
		"+ NEW\n"
		"~ TREE: scope: td -> global\n"
		"- OLD\n"
		"\n=== Leaves ===\n"
		"+ TDG.NEW (leaf 2, guest)\n"
		"- TDH.GONE (leaf 1, host)\n"
		"TDH.X (leaf 7):\n"
		"  max_version: 0 -> 1\n"
		"  ~ step 3 (was 2): lock TREE exclusive (when zero_step_suspected): mode: shared -> exclusive; when: (always) -> zero_step_suspected\n"
		"  - step 3: check gone\n"
		"  > step 5 -> 1: check late\n"
		"  + step 5: check extra (reg R8)\n";
	if (strcmp(buf, want))
		fail_msg("got:\n%s\nwant:\n%s", buf, want);
	free(buf);

	json_t *j = tdxsim_diff_json(a, b, NULL, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "schema")), "tdxsim.diff/1");
	json_t *steps = json_object_get(json_array_get(json_object_get(json_object_get(j, "leaves"), "changed"), 0), "steps");
	assert_int_equal(json_array_size(steps), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(steps, 2), "op")), "moved");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(steps, 2), "a_index")), 5);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(steps, 2), "b_index")), 1);
	assert_null(json_object_get(j, "pairs"));
	json_decref(j);

	/* A table against itself. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	tdxsim_diff_print_text(f, a, a, NULL, NULL);
	fclose(f);
	assert_non_null(strstr(buf, "=== Resources ===\n(no differences)\n\n=== Leaves ===\n(no differences)\n"));
	free(buf);
	free_table(a);
	free_table(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(all_difference_kinds) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
