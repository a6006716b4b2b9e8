/* SPDX-License-Identifier: MIT */
/*
 * The contention analysis on a small lock table built in C (independent of the
 * YAML table format) and the profile tests/data/analyze/unit_base.yaml, which
 * each test adjusts to exercise one serialization reason or scope rule.
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

/* ------------------------------------------------------------ table builder */

enum { R_TDR, R_SEPT_TREE, R_SEPT_ENTRY, R_TD_EPOCH, R_TDVPR, R_PAGE, R_KOT, R__N };

static struct tdxsim_table *T;

static void add_res(const char *name, enum tdxsim_lock_kind k, enum tdxsim_scope sc, enum tdxsim_backing b,
		    enum tdxsim_busy_report busy, uint32_t op)
{
	struct tdxsim_resource *r = &T->res[T->nres++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->kind = k;
	r->scope = sc;
	r->backing = b;
	r->busy = busy;
	r->busy_operand = op;
}

static struct tdxsim_leaf *add_leaf(const char *name, unsigned num, enum tdxsim_side side)
{
	struct tdxsim_leaf *l = &T->leaves[T->nleaves++];
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->number = num;
	l->side = side;
	l->steps = calloc(8, sizeof(*l->steps));
	return l;
}

static struct tdxsim_step *add_step(struct tdxsim_leaf *l, enum tdxsim_step_kind k, int res, enum tdxsim_mode m,
				    int reg)
{
	struct tdxsim_step *s = &l->steps[l->nsteps++];
	memset(s, 0, sizeof(*s));
	s->kind = k;
	s->res = res;
	s->mode = m;
	s->reg = reg;
	s->busy_operand = -1;
	s->line = 100 + l->nsteps;
	for (int i = 0; i < 4; i++)
		s->also[i] = s->releases[i] = -1;
	s->fn_id = s->when_id = s->undo_id = -1;
	return s;
}

#define LOCK(l, res, m, reg) add_step(l, TDXSIM_STEP_LOCK, res, TDXSIM_MODE_##m, reg)

static void build_table(void)
{
	T = calloc(1, sizeof(*T));
	snprintf(T->module, sizeof(T->module), "unit");
	T->res = calloc(R__N, sizeof(*T->res));
	T->leaves = calloc(16, sizeof(*T->leaves));
	add_res("TDR", TDXSIM_LK_SHAREX_HP, TDXSIM_SCOPE_TD, TDXSIM_BACK_PAMT, TDXSIM_BUSY_REGISTER, 0);
	add_res("SEPT_TREE", TDXSIM_LK_SHAREX, TDXSIM_SCOPE_TD, TDXSIM_BACK_FIELD, TDXSIM_BUSY_OPERAND, OPERAND_ID_SEPT_TREE);
	add_res("SEPT_ENTRY", TDXSIM_LK_SEPT_ENTRY, TDXSIM_SCOPE_GPA, TDXSIM_BACK_SEPT_ENTRY, TDXSIM_BUSY_REGISTER, 0);
	add_res("TD_EPOCH", TDXSIM_LK_SHAREX, TDXSIM_SCOPE_TD, TDXSIM_BACK_FIELD, TDXSIM_BUSY_OPERAND, OPERAND_ID_TD_EPOCH);
	add_res("TDVPR", TDXSIM_LK_SHAREX_HP, TDXSIM_SCOPE_VCPU, TDXSIM_BACK_PAMT, TDXSIM_BUSY_REGISTER, 0);
	add_res("PAGE", TDXSIM_LK_SHAREX_HP, TDXSIM_SCOPE_HPA, TDXSIM_BACK_PAMT, TDXSIM_BUSY_REGISTER, 0);
	add_res("KOT", TDXSIM_LK_SHAREX, TDXSIM_SCOPE_GLOBAL, TDXSIM_BACK_FIELD, TDXSIM_BUSY_OPERAND, OPERAND_ID_KOT);

	struct tdxsim_leaf *l;
	struct tdxsim_step *s;
	l = add_leaf("TDH.VP.ENTER", 0, TDXSIM_SIDE_HOST);
	LOCK(l, R_TDVPR, SHARED, OPERAND_ID_RCX)->hold = TDXSIM_HOLD_UNTIL_TD_EXIT;
	s = LOCK(l, R_TDR, SHARED, -1);
	s->hold = TDXSIM_HOLD_UNTIL_TD_EXIT;
	s->busy_operand = OPERAND_ID_TDR;
	LOCK(l, R_TD_EPOCH, SHARED, -1);
	add_step(l, TDXSIM_STEP_RELEASE, R_TD_EPOCH, TDXSIM_MODE_SHARED, -1);
	s = LOCK(l, R_SEPT_TREE, EXCLUSIVE, -1);
	strcpy(s->when, "zero_step_suspected");
	s->hold = TDXSIM_HOLD_UNTIL_GUEST_ENTRY;

	l = add_leaf("TDH.MEM.TRACK", 38, TDXSIM_SIDE_HOST);
	LOCK(l, R_TDR, SHARED, OPERAND_ID_RCX);
	LOCK(l, R_TD_EPOCH, EXCLUSIVE, -1);

	l = add_leaf("TDH.MEM.PAGE.AUG", 6, TDXSIM_SIDE_HOST);
	LOCK(l, R_TDR, SHARED, OPERAND_ID_RDX);
	LOCK(l, R_SEPT_TREE, SHARED, -1);
	LOCK(l, R_SEPT_ENTRY, EXCLUSIVE, OPERAND_ID_RCX);
	LOCK(l, R_PAGE, EXCLUSIVE, OPERAND_ID_R8);

	l = add_leaf("TDH.MEM.RANGE.BLOCK", 7, TDXSIM_SIDE_HOST);
	LOCK(l, R_TDR, SHARED, OPERAND_ID_RDX);
	LOCK(l, R_SEPT_TREE, EXCLUSIVE, -1);
	LOCK(l, R_SEPT_ENTRY, EXCLUSIVE, OPERAND_ID_RCX);

	l = add_leaf("TDH.MEM.PAGE.ADD", 2, TDXSIM_SIDE_HOST);
	LOCK(l, R_TDR, EXCLUSIVE, OPERAND_ID_RDX);
	LOCK(l, R_PAGE, EXCLUSIVE, OPERAND_ID_R8);

	l = add_leaf("TDH.VP.FLUSH", 18, TDXSIM_SIDE_HOST);
	LOCK(l, R_TDVPR, EXCLUSIVE, OPERAND_ID_RCX);
	s = LOCK(l, R_TDR, SHARED, -1);
	s->busy_operand = OPERAND_ID_TDR;

	l = add_leaf("TDH.VP.INIT", 22, TDXSIM_SIDE_HOST);
	l->max_version = 1;
	LOCK(l, R_TDVPR, EXCLUSIVE, OPERAND_ID_RCX);
	s = LOCK(l, R_TDR, SHARED, -1);
	s->busy_operand = OPERAND_ID_TDR;
	strcpy(s->when, "version_0");
	s = LOCK(l, R_TDR, EXCLUSIVE, -1);
	s->busy_operand = OPERAND_ID_TDR;
	strcpy(s->when, "version_ge_1");

	l = add_leaf("TDH.MNG.CREATE", 9, TDXSIM_SIDE_HOST);
	LOCK(l, R_TDR, EXCLUSIVE, OPERAND_ID_RCX);
	LOCK(l, R_KOT, EXCLUSIVE, -1);

	l = add_leaf("TDH.PHYMEM.CACHE.WB", 40, TDXSIM_SIDE_HOST);
	LOCK(l, R_KOT, SHARED, -1);

	l = add_leaf("TDH.PHYMEM.PAGE.RECLAIM", 28, TDXSIM_SIDE_HOST);
	s = LOCK(l, R_PAGE, EXCLUSIVE, OPERAND_ID_RCX);
	s->also[0] = R_TDR;

	l = add_leaf("TDH.MR.FINALIZE", 17, TDXSIM_SIDE_HOST);
	LOCK(l, R_TDR, EXCLUSIVE, OPERAND_ID_RCX);

	l = add_leaf("TDG.MEM.PAGE.ACCEPT", 6, TDXSIM_SIDE_GUEST);
	LOCK(l, R_SEPT_ENTRY, EXCLUSIVE, OPERAND_ID_RCX);

	/* Not issued by the profile: must never appear. */
	l = add_leaf("TDH.MEM.SEPT.REMOVE", 30, TDXSIM_SIDE_HOST);
	LOCK(l, R_SEPT_TREE, EXCLUSIVE, -1);
}

static void free_table(void)
{
	for (unsigned i = 0; i < T->nleaves; i++)
		free(T->leaves[i].steps);
	free(T->leaves);
	free(T->res);
	free(T);
	T = NULL;
}

/* ------------------------------------------------------------ fixtures */

static struct tdxsim_profile *P;
static struct an_result *R;

static int setup(void **state)
{
	(void)state;
	build_table();
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	P = tdxsim_profile_load(TDXSIM_TEST_DATA "/analyze/unit_base.yaml", T, &err);
	if (!P) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tdxsim_analysis_free(R);
	R = NULL;
	tdxsim_profile_free(P);
	P = NULL;
	free_table();
	return 0;
}

static void run(void)
{
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	tdxsim_analysis_free(R);
	R = tdxsim_analyze(T, P, &err);
	if (!R)
		fail_msg("analyze failed: %s", err.msg);
}

static int leaf_idx(const char *name)
{
	for (unsigned i = 0; i < T->nleaves; i++)
		if (!strcmp(T->leaves[i].name, name))
			return (int)i;
	fail_msg("no leaf %s", name);
	return -1;
}

/* The pair of leaves a and b (either order) on resource res; NULL if none. */
static const struct an_pair *find_pair(const char *res, const char *a, const char *b)
{
	int ra = -1;
	for (unsigned i = 0; i < T->nres; i++)
		if (!strcmp(T->res[i].name, res))
			ra = (int)i;
	int la = leaf_idx(a), lb = leaf_idx(b);
	for (unsigned i = 0; i < R->npairs; i++) {
		const struct an_pair *p = &R->pairs[i];
		if (p->res == ra && ((p->a.leaf == la && p->b.leaf == lb) || (p->a.leaf == lb && p->b.leaf == la)))
			return p;
	}
	return NULL;
}

static const struct an_pair *must_pair(const char *res, const char *a, const char *b)
{
	const struct an_pair *p = find_pair(res, a, b);
	if (!p)
		fail_msg("no pair %s: %s vs %s", res, a, b);
	return p;
}

/* Does any context pair carry a reason of this kind whose text contains `s`? */
static bool has_reason(const struct an_pair *p, enum an_reason_kind k, const char *s)
{
	for (unsigned i = 0; i < p->ncp; i++)
		for (unsigned j = 0; j < p->cp[i].nreasons; j++)
			if (p->cp[i].reasons[j].kind == k && strstr(p->cp[i].reasons[j].text, s))
				return true;
	return false;
}

static struct tdxsim_context *ctx_of(const char *leaf, const char *path)
{
	for (unsigned i = 0; i < P->nctx; i++)
		if (!strcmp(P->ctx[i].leaf, leaf) && (!path || !strcmp(P->ctx[i].path, path)))
			return &P->ctx[i];
	fail_msg("no context %s %s", leaf, path ? path : "");
	return NULL;
}

static void add_hold(const char *leaf, const char *lock, enum tdxsim_vmode m)
{
	struct tdxsim_context *c = ctx_of(leaf, NULL);
	c->holds[c->nholds].lock = tdxsim_profile_find_lock(P, lock);
	c->holds[c->nholds].mode = m;
	assert_true(c->holds[c->nholds].lock >= 0);
	c->nholds++;
}

/* ------------------------------------------------------------ tests */

static void epoch_track_vs_enter_residual(void **state)
{
	(void)state;
	run();
	const struct an_pair *p = must_pair("TD_EPOCH", "TDH.MEM.TRACK", "TDH.VP.ENTER");
	assert_true(p->residual);
	assert_int_equal(p->scope, TDXSIM_SCOPE_TD);
	/* Exclusive side first. */
	assert_int_equal(p->a.leaf, leaf_idx("TDH.MEM.TRACK"));
	assert_int_equal(p->a.mode, TDXSIM_MODE_EXCLUSIVE);
	assert_int_equal(p->b.mode, TDXSIM_MODE_SHARED);
	assert_int_equal(p->a.busy, 0x80000200000000A9ull);
	assert_int_equal(p->b.busy, 0x80000200000000A9ull);
	assert_string_equal(p->cp[0].phase, "runtime");
	/* TRACK vs TRACK: both hold mmu_lock for write. */
	p = must_pair("TD_EPOCH", "TDH.MEM.TRACK", "TDH.MEM.TRACK");
	assert_false(p->residual);
	assert_true(has_reason(p, AN_R_VMM_LOCK, "mmu_lock (exclusive/exclusive)"));
}

static void rwlock_modes(void **state)
{
	(void)state;
	run();
	const struct an_pair *p = must_pair("SEPT_TREE", "TDH.MEM.PAGE.AUG", "TDH.MEM.RANGE.BLOCK");
	assert_false(p->residual);
	assert_true(has_reason(p, AN_R_VMM_LOCK, "mmu_lock (exclusive/shared)"));
	/* shared/shared is not a conflict at all */
	assert_null(find_pair("SEPT_TREE", "TDH.MEM.PAGE.AUG", "TDH.MEM.PAGE.AUG"));
	/* Zero-step VP.ENTER vs the SEPT SEAMCALLs: residual, annotated with its condition. */
	p = must_pair("SEPT_TREE", "TDH.VP.ENTER", "TDH.MEM.PAGE.AUG");
	assert_true(p->residual);
	assert_int_equal(p->a.leaf, leaf_idx("TDH.VP.ENTER"));
	assert_true(p->a.conditional);
	assert_int_equal(p->b.busy, 0x8000020000000092ull);
	/* Two vCPUs under zero-step: the vCPU mutex is per vCPU, the tree per TD. */
	p = must_pair("SEPT_TREE", "TDH.VP.ENTER", "TDH.VP.ENTER");
	assert_true(p->residual);
}

static void not_issued_leaves_are_ignored(void **state)
{
	(void)state;
	run();
	assert_false(R->issued[leaf_idx("TDH.MEM.SEPT.REMOVE")]);
	assert_null(find_pair("SEPT_TREE", "TDH.MEM.SEPT.REMOVE", "TDH.MEM.RANGE.BLOCK"));
}

static void vcpu_mutex_is_per_vcpu(void **state)
{
	(void)state;
	run();
	/* Same vCPU (TDVPR is vcpu-scoped): serialized by the vCPU mutex. */
	const struct an_pair *p = must_pair("TDVPR", "TDH.VP.FLUSH", "TDH.VP.ENTER");
	assert_false(p->residual);
	assert_true(has_reason(p, AN_R_VMM_LOCK, "vcpu_mutex (exclusive/exclusive, same vCPU)"));
	/* teardown flush vs runtime entry: phases */
	assert_true(has_reason(p, AN_R_PHASE, "teardown starts after the last reference"));
	/* SEPT entry is GPA-scoped: two vCPUs' mutexes do not serialize guest accept vs AUG. */
	p = must_pair("SEPT_ENTRY", "TDH.MEM.PAGE.AUG", "TDG.MEM.PAGE.ACCEPT");
	assert_true(p->residual);
	assert_int_equal(p->b.busy, 0x8000020000000001ull);
}

static void all_vcpu_mutexes(void **state)
{
	(void)state;
	/* PAGE.ADD (build) vs VP.ENTER (runtime) overlap only if ADD can straddle finalize. */
	P->runtime_entry = (int)(ctx_of("TDH.MR.FINALIZE", NULL) - P->ctx);
	run();
	const struct an_pair *p = must_pair("TDR", "TDH.MEM.PAGE.ADD", "TDH.VP.ENTER");
	assert_true(p->residual);
	assert_non_null(strstr(p->cp[0].phase, "build->runtime (across finalize)"));
	/* Holding every vCPU's mutex serializes it against a TD-scoped pair. */
	add_hold("TDH.MEM.PAGE.ADD", "vcpu_mutex", TDXSIM_VMODE_ALL);
	ctx_of("TDH.MEM.PAGE.ADD", NULL)->holds[0] = ctx_of("TDH.MEM.PAGE.ADD", NULL)->holds[1];
	ctx_of("TDH.MEM.PAGE.ADD", NULL)->nholds = 1;
	run();
	p = must_pair("TDR", "TDH.MEM.PAGE.ADD", "TDH.VP.ENTER");
	assert_false(p->residual);
	assert_true(has_reason(p, AN_R_VMM_LOCK, "vcpu_mutex (all/exclusive, every vCPU's)"));
}

static void phases(void **state)
{
	(void)state;
	/* No runtime entry declared: build and runtime never overlap. */
	run();
	const struct an_pair *p = must_pair("TDR", "TDH.MEM.PAGE.ADD", "TDH.VP.ENTER");
	assert_false(p->residual);
	assert_true(has_reason(p, AN_R_PHASE, "phases build/runtime: build ends before runtime starts"));
	/* Finalize holds kvm_lock: a build context holding it cannot straddle. */
	P->runtime_entry = (int)(ctx_of("TDH.MR.FINALIZE", NULL) - P->ctx);
	add_hold("TDH.MEM.PAGE.ADD", "kvm_lock", TDXSIM_VMODE_EXCLUSIVE);
	run();
	p = must_pair("TDR", "TDH.MEM.PAGE.ADD", "TDH.VP.ENTER");
	assert_false(p->residual);
	assert_true(has_reason(p, AN_R_PHASE, "populate cannot be in flight across finalize (both hold kvm_lock"));
	/* Finalize itself vs runtime. */
	p = must_pair("TDR", "TDH.MR.FINALIZE", "TDH.VP.ENTER");
	assert_false(p->residual);
	assert_true(has_reason(p, AN_R_PHASE, "runtime starts when finalize has finished"));
	/* Both build: PAGE.ADD vs FINALIZE, common kvm_lock. */
	p = must_pair("TDR", "TDH.MEM.PAGE.ADD", "TDH.MR.FINALIZE");
	assert_false(p->residual);
	assert_true(has_reason(p, AN_R_VMM_LOCK, "kvm_lock (exclusive/exclusive)"));
}

static void global_scope_crosses_tds(void **state)
{
	(void)state;
	run();
	/* KOT is module-wide: TD A's build overlaps TD B's teardown; tdx_lock serializes. */
	const struct an_pair *p = must_pair("KOT", "TDH.MNG.CREATE", "TDH.PHYMEM.CACHE.WB");
	assert_false(p->residual);
	assert_false(has_reason(p, AN_R_PHASE, ""));
	assert_true(has_reason(p, AN_R_VMM_LOCK, "tdx_lock (exclusive/exclusive)"));
	assert_string_equal(p->cp[0].phase, "build/teardown (different TDs)");
	/* The TD-scoped destroy thread does not help across TDs. */
	ctx_of("TDH.MNG.CREATE", NULL)->nholds = 0;
	run();
	p = must_pair("KOT", "TDH.MNG.CREATE", "TDH.PHYMEM.CACHE.WB");
	assert_true(p->residual);
	assert_int_equal(p->a.busy, 0x80000200000000BAull);
}

static void module_lock_held_first(void **state)
{
	(void)state;
	run();
	/* BLOCK vs BLOCK on one SEPT entry: both hold the tree exclusively first. */
	const struct an_pair *p = must_pair("SEPT_ENTRY", "TDH.MEM.RANGE.BLOCK", "TDH.MEM.RANGE.BLOCK");
	assert_false(p->residual);
	assert_true(has_reason(p, AN_R_MODULE_LOCK, "module lock SEPT_TREE held first (exclusive/exclusive)"));
	/* A guest TDCALL inherits VP.ENTER's TDR hold: a TDR-exclusive leaf cannot meet it. */
	struct tdxsim_leaf *add = &T->leaves[leaf_idx("TDH.MEM.PAGE.ADD")];
	struct tdxsim_step *s = &add->steps[add->nsteps++];
	memset(s, 0, sizeof(*s));
	s->kind = TDXSIM_STEP_LOCK;
	s->res = R_SEPT_ENTRY;
	s->reg = OPERAND_ID_RCX;
	s->busy_operand = -1;
	for (int i = 0; i < 4; i++)
		s->also[i] = s->releases[i] = -1;
	ctx_of("TDH.MEM.PAGE.ADD", NULL)->phases = TDXSIM_PHASE_BIT(TDXSIM_PHASE_RUNTIME);
	run();
	p = must_pair("SEPT_ENTRY", "TDH.MEM.PAGE.ADD", "TDG.MEM.PAGE.ACCEPT");
	assert_false(p->residual);
	assert_true(has_reason(p, AN_R_MODULE_LOCK,
			       "module lock TDR held first (exclusive/shared, TDH.VP.ENTER holds it until TD exit)"));
	/* Without the inherited hold it would be residual. */
	ctx_of("TDG.MEM.PAGE.ACCEPT", NULL)->inside[0] = 0;
	run();
	assert_true(must_pair("SEPT_ENTRY", "TDH.MEM.PAGE.ADD", "TDG.MEM.PAGE.ACCEPT")->residual);
}

static void gpa_claim_serializes_installs(void **state)
{
	(void)state;
	run();
	const struct an_pair *p = must_pair("SEPT_ENTRY", "TDH.MEM.PAGE.AUG", "TDH.MEM.PAGE.AUG");
	assert_false(p->residual);
	assert_true(has_reason(p, AN_R_VMM_LOCK, "spte_frozen (exclusive/exclusive, same GPA)"));
	/* The GPA claim says nothing about the TD-wide tree. */
	p = must_pair("SEPT_TREE", "TDH.VP.ENTER", "TDH.MEM.PAGE.AUG");
	assert_false(has_reason(p, AN_R_VMM_LOCK, "spte_frozen"));
}

static void distinct_pages(void **state)
{
	(void)state;
	run();
	/* One free page handed to TD A's build and TD B's runtime: phases do not
	 * separate TDs, and a page says nothing about which TD. */
	const struct an_pair *p = must_pair("PAGE", "TDH.MEM.PAGE.AUG", "TDH.MEM.PAGE.ADD");
	assert_true(p->residual);
	assert_string_equal(p->cp[0].phase, "build/runtime (different TDs)");
	/* AUG vs AUG on one page: residual without the allocator rule. */
	p = must_pair("PAGE", "TDH.MEM.PAGE.AUG", "TDH.MEM.PAGE.AUG");
	assert_true(p->residual);
	P->distinct_pages = calloc(1, sizeof(*P->distinct_pages));
	strcpy(P->distinct_pages[0].name, "PAGE");
	P->ndistinct = 1;
	run();
	p = must_pair("PAGE", "TDH.MEM.PAGE.AUG", "TDH.MEM.PAGE.AUG");
	assert_false(p->residual);
	assert_true(has_reason(p, AN_R_DISTINCT_PAGES, "never passes one PAGE page to two calls at once"));
	assert_false(must_pair("PAGE", "TDH.MEM.PAGE.AUG", "TDH.MEM.PAGE.ADD")->residual);
}

static void cross_role_pairs_need_also(void **state)
{
	(void)state;
	P->runtime_entry = -1;
	run();
	/* RECLAIM's page may be a TDR (also: TDR): it meets TDR users, on the same page. */
	const struct an_pair *p = must_pair("TDR", "TDH.PHYMEM.PAGE.RECLAIM", "TDH.VP.ENTER");
	assert_true(p->cross_role);
	assert_int_equal(p->scope, TDXSIM_SCOPE_TD);
	assert_false(p->residual);
	assert_true(has_reason(p, AN_R_PHASE, "teardown"));
	/* No also: between PAGE and TDVPR: never paired. */
	assert_null(find_pair("TDVPR", "TDH.PHYMEM.PAGE.RECLAIM", "TDH.VP.ENTER"));
	assert_null(find_pair("PAGE", "TDH.PHYMEM.PAGE.RECLAIM", "TDH.VP.FLUSH"));
	/* Two teardown calls of one TD: one destroy thread. */
	p = must_pair("TDR", "TDH.PHYMEM.PAGE.RECLAIM", "TDH.VP.FLUSH");
	assert_false(p->residual);
	assert_true(has_reason(p, AN_R_VMM_LOCK, "destroy (exclusive/exclusive)"));
}

static void leaf_versions(void **state)
{
	(void)state;
	run();
	/* KVM issues VP.INIT v1: only the exclusive TDR step is taken. */
	const struct an_pair *p = must_pair("TDR", "TDH.VP.INIT", "TDH.VP.FLUSH");
	assert_int_equal(p->a.leaf, leaf_idx("TDH.VP.INIT"));
	assert_int_equal(p->a.mode, TDXSIM_MODE_EXCLUSIVE);
	assert_false(p->a.conditional);
	for (unsigned i = 0; i < R->npairs; i++) {
		const struct an_pair *q = &R->pairs[i];
		if (q->a.leaf == leaf_idx("TDH.VP.INIT") && q->a.res == R_TDR)
			assert_int_equal(q->a.mode, TDXSIM_MODE_EXCLUSIVE);
		if (q->b.leaf == leaf_idx("TDH.VP.INIT") && q->b.res == R_TDR)
			assert_int_equal(q->b.mode, TDXSIM_MODE_EXCLUSIVE);
	}
	/* A module without version 1 rejects the call before any lock. */
	T->leaves[leaf_idx("TDH.VP.INIT")].max_version = 0;
	run();
	assert_false(R->issued[leaf_idx("TDH.VP.INIT")]);
	assert_null(find_pair("TDR", "TDH.VP.INIT", "TDH.VP.FLUSH"));
	assert_int_equal(R->nnotes, 1);
	assert_non_null(strstr(R->notes[0], "TDH.VP.INIT (vcpu_init): the VMM issues version 1, module unit accepts up to 0"));
}

static void text_and_json(void **state)
{
	(void)state;
	run();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	tdxsim_analysis_print_text(f, R);
	fclose(f);
	if (getenv("TDXSIM_TEST_VERBOSE"))
		fputs(buf, stderr);
	assert_non_null(strstr(buf, "TD_EPOCH: TDH.MEM.TRACK exclusive vs TDH.VP.ENTER shared\n"
				    "    same TD; runtime\n"
				    "    TDH.MEM.TRACK loses: TDX_OPERAND_BUSY|TD_EPOCH 0x80000200000000A9; track: kick+retry-once\n"
				    "    TDH.VP.ENTER loses: TDX_OPERAND_BUSY|TD_EPOCH 0x80000200000000A9; vcpu_run: re-enter\n"));
	assert_non_null(strstr(buf, "SEPT_TREE: TDH.VP.ENTER exclusive [when zero_step_suspected; held until guest entry] vs TDH.MEM.PAGE.AUG shared\n"));
	assert_non_null(strstr(buf, "SEPT_TREE: TDH.MEM.RANGE.BLOCK exclusive vs TDH.MEM.PAGE.AUG shared -- mmu_lock (exclusive/shared)\n"));
	free(buf);
	json_t *j = tdxsim_analysis_json(R);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "schema")), "tdxsim.analyze/1");
	json_t *pairs = json_object_get(j, "pairs");
	assert_int_equal(json_array_size(pairs), R->npairs);
	json_decref(j);
	buf = NULL;
	f = open_memstream(&buf, &len);
	tdxsim_analysis_print_dot(f, R);
	fclose(f);
	assert_non_null(strstr(buf, "\"TDH.MEM.TRACK\" -- \"TDH.VP.ENTER\" [label=\"TD_EPOCH\", style=solid"));
	assert_non_null(strstr(buf, "\"TDH.MEM.RANGE.BLOCK\" -- \"TDH.MEM.PAGE.AUG\" [label=\"SEPT_TREE\", style=dashed"));
	free(buf);
}

static void profile_names_checked(void **state)
{
	(void)state;
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	strcpy(ctx_of("TDH.MEM.TRACK", NULL)->leaf, "TDH.MEM.TRACKK");
	assert_null(tdxsim_analyze(T, P, &err));
	assert_non_null(strstr(err.msg, "unit_base.yaml:"));
	assert_non_null(strstr(err.msg, ": unknown leaf 'TDH.MEM.TRACKK' (not in module unit)"));
}

int main(void)
{
#define T_(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T_(epoch_track_vs_enter_residual), T_(rwlock_modes), T_(not_issued_leaves_are_ignored),
		T_(vcpu_mutex_is_per_vcpu), T_(all_vcpu_mutexes), T_(phases), T_(global_scope_crosses_tds),
		T_(module_lock_held_first), T_(gpa_claim_serializes_installs), T_(distinct_pages),
		T_(cross_role_pairs_need_also), T_(leaf_versions), T_(text_and_json), T_(profile_names_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
