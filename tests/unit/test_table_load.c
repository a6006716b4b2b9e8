/* SPDX-License-Identifier: MIT */
/*
 * Lock-table loader, name tables and registry: the shipped tables load and say
 * what reference tdx-module-1.5.md says; every bad fixture in tests/data/tables
 * fails with its exact "file:line: message".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "module/registry.h"
#include "tdxsim/status.h"
#include "tdxsim/table.h"

#define T1505 TDXSIM_DATA_DIR "/modules/tdx-1.5.05.yaml"
#define T1501 TDXSIM_DATA_DIR "/modules/tdx-1.5.01.yaml"
#define FIX(name) TDXSIM_TEST_DATA "/tables/" name

static struct tdxsim_table *load_ok(const char *path)
{
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	struct tdxsim_table *t = tdxsim_table_load(path, &err);
	if (!t)
		fail_msg("%s", err.msg);
	assert_int_equal(err.set, 0);
	return t;
}

static const struct tdxsim_leaf *leaf(const struct tdxsim_table *t, const char *name)
{
	const struct tdxsim_leaf *l = tdxsim_table_find_leaf(t, name);
	if (!l)
		fail_msg("leaf %s missing", name);
	return l;
}

static int res(const struct tdxsim_table *t, const char *name)
{
	int r = tdxsim_table_find_res(t, name);
	if (r < 0)
		fail_msg("resource %s missing", name);
	return r;
}

/* The lock steps of a leaf, in order. */
static unsigned locks(const struct tdxsim_leaf *l, const struct tdxsim_step **out, unsigned max)
{
	unsigned n = 0;
	for (unsigned i = 0; i < l->nsteps; i++)
		if (l->steps[i].kind == TDXSIM_STEP_LOCK && n < max)
			out[n++] = &l->steps[i];
	return n;
}

/* Index of the first step of `kind` named `fn` (check/walk/body/assoc), -1 if none. */
static int find_fn(const struct tdxsim_leaf *l, enum tdxsim_step_kind kind, const char *fn)
{
	for (unsigned i = 0; i < l->nsteps; i++)
		if (l->steps[i].kind == kind && !strcmp(l->steps[i].fn, fn))
			return (int)i;
	return -1;
}

/* Index of the first lock (or release) step of resource r. */
static int find_res_step(const struct tdxsim_leaf *l, enum tdxsim_step_kind kind, int r)
{
	for (unsigned i = 0; i < l->nsteps; i++)
		if (l->steps[i].kind == kind && l->steps[i].res == r)
			return (int)i;
	return -1;
}

/* ------------------------------------------------------------- 1.5.05 facts */

static void leaf_numbers(void **state)
{
	(void)state;
	static const struct { const char *name; unsigned nr; enum tdxsim_side side; } want[] = {
		{ "TDH.VP.ENTER", 0, TDXSIM_SIDE_HOST }, { "TDH.MNG.ADDCX", 1, TDXSIM_SIDE_HOST },
		{ "TDH.MEM.PAGE.ADD", 2, TDXSIM_SIDE_HOST }, { "TDH.MEM.SEPT.ADD", 3, TDXSIM_SIDE_HOST },
		{ "TDH.VP.ADDCX", 4, TDXSIM_SIDE_HOST }, { "TDH.MEM.PAGE.RELOCATE", 5, TDXSIM_SIDE_HOST },
		{ "TDH.MEM.PAGE.AUG", 6, TDXSIM_SIDE_HOST }, { "TDH.MEM.RANGE.BLOCK", 7, TDXSIM_SIDE_HOST },
		{ "TDH.MNG.KEY.CONFIG", 8, TDXSIM_SIDE_HOST }, { "TDH.MNG.CREATE", 9, TDXSIM_SIDE_HOST },
		{ "TDH.VP.CREATE", 10, TDXSIM_SIDE_HOST }, { "TDH.MNG.RD", 11, TDXSIM_SIDE_HOST },
		{ "TDH.MEM.RD", 12, TDXSIM_SIDE_HOST }, { "TDH.MNG.WR", 13, TDXSIM_SIDE_HOST },
		{ "TDH.MEM.WR", 14, TDXSIM_SIDE_HOST }, { "TDH.MEM.PAGE.DEMOTE", 15, TDXSIM_SIDE_HOST },
		{ "TDH.MR.EXTEND", 16, TDXSIM_SIDE_HOST }, { "TDH.MR.FINALIZE", 17, TDXSIM_SIDE_HOST },
		{ "TDH.VP.FLUSH", 18, TDXSIM_SIDE_HOST }, { "TDH.MNG.VPFLUSHDONE", 19, TDXSIM_SIDE_HOST },
		{ "TDH.MNG.KEY.FREEID", 20, TDXSIM_SIDE_HOST }, { "TDH.MNG.INIT", 21, TDXSIM_SIDE_HOST },
		{ "TDH.VP.INIT", 22, TDXSIM_SIDE_HOST }, { "TDH.MEM.PAGE.PROMOTE", 23, TDXSIM_SIDE_HOST },
		{ "TDH.MEM.SEPT.RD", 25, TDXSIM_SIDE_HOST }, { "TDH.VP.RD", 26, TDXSIM_SIDE_HOST },
		{ "TDH.MNG.KEY.RECLAIMID", 27, TDXSIM_SIDE_HOST },
		{ "TDH.PHYMEM.PAGE.RECLAIM", 28, TDXSIM_SIDE_HOST },
		{ "TDH.MEM.PAGE.REMOVE", 29, TDXSIM_SIDE_HOST }, { "TDH.MEM.SEPT.REMOVE", 30, TDXSIM_SIDE_HOST },
		{ "TDH.SYS.KEY.CONFIG", 31, TDXSIM_SIDE_HOST }, { "TDH.SYS.INFO", 32, TDXSIM_SIDE_HOST },
		{ "TDH.SYS.INIT", 33, TDXSIM_SIDE_HOST }, { "TDH.SYS.RD", 34, TDXSIM_SIDE_HOST },
		{ "TDH.SYS.LP.INIT", 35, TDXSIM_SIDE_HOST }, { "TDH.SYS.TDMR.INIT", 36, TDXSIM_SIDE_HOST },
		{ "TDH.SYS.RDALL", 37, TDXSIM_SIDE_HOST }, { "TDH.MEM.TRACK", 38, TDXSIM_SIDE_HOST },
		{ "TDH.MEM.RANGE.UNBLOCK", 39, TDXSIM_SIDE_HOST },
		{ "TDH.PHYMEM.CACHE.WB", 40, TDXSIM_SIDE_HOST },
		{ "TDH.PHYMEM.PAGE.WBINVD", 41, TDXSIM_SIDE_HOST }, { "TDH.VP.WR", 43, TDXSIM_SIDE_HOST },
		{ "TDH.SYS.CONFIG", 45, TDXSIM_SIDE_HOST },
		{ "TDG.VP.VMCALL", 0, TDXSIM_SIDE_GUEST }, { "TDG.MR.RTMR.EXTEND", 2, TDXSIM_SIDE_GUEST },
		{ "TDG.MR.REPORT", 4, TDXSIM_SIDE_GUEST }, { "TDG.MEM.PAGE.ACCEPT", 6, TDXSIM_SIDE_GUEST },
		{ "TDG.SERVTD.RD", 18, TDXSIM_SIDE_GUEST }, { "TDG.SERVTD.WR", 20, TDXSIM_SIDE_GUEST },
		{ "TDG.MEM.PAGE.ATTR.RD", 23, TDXSIM_SIDE_GUEST },
		{ "TDG.MEM.PAGE.ATTR.WR", 24, TDXSIM_SIDE_GUEST },
	};
	struct tdxsim_table *t = load_ok(T1505);
	assert_string_equal(t->module, "tdx-1.5.05");
	assert_int_equal(t->nleaves, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct tdxsim_leaf *l = leaf(t, want[i].name);
		assert_int_equal(l->number, want[i].nr);
		assert_int_equal(l->side, want[i].side);
		assert_ptr_equal(tdxsim_table_leaf_by_number(t, want[i].side, want[i].nr), l);
		/* Every leaf cites the reference. */
		assert_non_null(l->doc);
		assert_non_null(strstr(l->doc, "§"));
		/* TDCALLs never pass the SEAMCALL dispatcher gate. */
		bool gated = find_fn(l, TDXSIM_STEP_CHECK, "sys_ready") == 0 ||
			     find_fn(l, TDXSIM_STEP_CHECK, "sys_not_shutdown") == 0;
		assert_int_equal(gated, want[i].side == TDXSIM_SIDE_HOST);
	}
	/* §3: versions > 0 only for PROMOTE, SEPT.ADD, SEPT.REMOVE, MNG.RD, VP.RD, VP.INIT. */
	for (unsigned i = 0; i < t->nleaves; i++) {
		const struct tdxsim_leaf *l = &t->leaves[i];
		bool v1 = l->side == TDXSIM_SIDE_HOST &&
			  (l->number == 23 || l->number == 3 || l->number == 30 || l->number == 11 ||
			   l->number == 26 || l->number == 22);
		assert_int_equal(l->max_version, v1 ? 1 : 0);
	}
	assert_null(tdxsim_table_leaf_by_number(t, TDXSIM_SIDE_HOST, 42));
	assert_null(tdxsim_table_find_leaf(t, "TDH.NOPE"));
	assert_int_equal(tdxsim_table_find_res(t, "NOPE"), -1);
	tdxsim_table_free(t);
}

static void resources(void **state)
{
	(void)state;
	struct tdxsim_table *t = load_ok(T1505);
	static const struct {
		const char *name;
		enum tdxsim_lock_kind kind;
		enum tdxsim_scope scope;
		enum tdxsim_backing backing;
		enum tdxsim_lock_field field;
		enum tdxsim_busy_report busy;
		uint32_t operand;
	} want[] = {
		{ "TDR", TDXSIM_LK_SHAREX_HP, TDXSIM_SCOPE_TD, TDXSIM_BACK_PAMT, TDXSIM_FIELD_NONE, TDXSIM_BUSY_REGISTER, 0 },
		{ "TDVPR", TDXSIM_LK_SHAREX_HP, TDXSIM_SCOPE_VCPU, TDXSIM_BACK_PAMT, TDXSIM_FIELD_NONE, TDXSIM_BUSY_REGISTER, 0 },
		{ "TDCX", TDXSIM_LK_SHAREX_HP, TDXSIM_SCOPE_HPA, TDXSIM_BACK_PAMT, TDXSIM_FIELD_NONE, TDXSIM_BUSY_REGISTER, 0 },
		{ "SEPT_PAGE", TDXSIM_LK_SHAREX_HP, TDXSIM_SCOPE_HPA, TDXSIM_BACK_PAMT, TDXSIM_FIELD_NONE, TDXSIM_BUSY_REGISTER, 0 },
		{ "PAGE", TDXSIM_LK_SHAREX_HP, TDXSIM_SCOPE_HPA, TDXSIM_BACK_PAMT, TDXSIM_FIELD_NONE, TDXSIM_BUSY_REGISTER, 0 },
		{ "OP_STATE", TDXSIM_LK_SHAREX_HP, TDXSIM_SCOPE_TD, TDXSIM_BACK_FIELD, TDXSIM_FIELD_TDCS_OP_STATE, TDXSIM_BUSY_OPERAND, OPERAND_ID_OP_STATE },
		{ "SEPT_TREE", TDXSIM_LK_SHAREX, TDXSIM_SCOPE_TD, TDXSIM_BACK_FIELD, TDXSIM_FIELD_TDCS_SEPT_TREE, TDXSIM_BUSY_OPERAND, OPERAND_ID_SEPT_TREE },
		{ "SEPT_ENTRY", TDXSIM_LK_SEPT_ENTRY, TDXSIM_SCOPE_GPA, TDXSIM_BACK_SEPT_ENTRY, TDXSIM_FIELD_NONE, TDXSIM_BUSY_REGISTER, 0 },
		{ "TD_EPOCH", TDXSIM_LK_SHAREX, TDXSIM_SCOPE_TD, TDXSIM_BACK_FIELD, TDXSIM_FIELD_TDCS_EPOCH, TDXSIM_BUSY_OPERAND, OPERAND_ID_TD_EPOCH },
		{ "RTMR", TDXSIM_LK_SHAREX_HP, TDXSIM_SCOPE_TD, TDXSIM_BACK_FIELD, TDXSIM_FIELD_TDCS_RTMR, TDXSIM_BUSY_OPERAND, OPERAND_ID_RTMR },
		{ "SERVTD_BINDINGS", TDXSIM_LK_SHAREX_HP, TDXSIM_SCOPE_TD, TDXSIM_BACK_FIELD, TDXSIM_FIELD_TDCS_SERVTD_BINDINGS, TDXSIM_BUSY_OPERAND, OPERAND_ID_SERVTD_BINDINGS },
		{ "KOT", TDXSIM_LK_SHAREX, TDXSIM_SCOPE_GLOBAL, TDXSIM_BACK_FIELD, TDXSIM_FIELD_KOT, TDXSIM_BUSY_OPERAND, OPERAND_ID_KOT },
		{ "GLOBAL", TDXSIM_LK_SHAREX, TDXSIM_SCOPE_GLOBAL, TDXSIM_BACK_FIELD, TDXSIM_FIELD_GLOBAL, TDXSIM_BUSY_STATUS, 0 },
		{ "WBT", TDXSIM_LK_MUTEX, TDXSIM_SCOPE_PACKAGE, TDXSIM_BACK_FIELD, TDXSIM_FIELD_WBT, TDXSIM_BUSY_OPERAND, OPERAND_ID_WBCACHE },
		{ "TDMR", TDXSIM_LK_MUTEX, TDXSIM_SCOPE_TDMR, TDXSIM_BACK_FIELD, TDXSIM_FIELD_TDMR, TDXSIM_BUSY_REGISTER, 0 },
	};
	assert_int_equal(t->nres, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct tdxsim_resource *r = &t->res[res(t, want[i].name)];
		assert_int_equal(r->kind, want[i].kind);
		assert_int_equal(r->scope, want[i].scope);
		assert_int_equal(r->backing, want[i].backing);
		assert_int_equal(r->field, want[i].field);
		assert_int_equal(r->busy, want[i].busy);
		if (r->busy == TDXSIM_BUSY_OPERAND)
			assert_int_equal(r->busy_operand, want[i].operand);
		assert_true(r->line > 0);
	}
	/* §1.5: the global lock reports TDX_SYS_BUSY, no operand. */
	assert_true(t->res[res(t, "GLOBAL")].busy_status == TDX_SYS_BUSY);
	tdxsim_table_free(t);
}

static void aug_order(void **state)
{
	(void)state;
	struct tdxsim_table *t = load_ok(T1505);
	const struct tdxsim_leaf *l = leaf(t, "TDH.MEM.PAGE.AUG");
	const struct tdxsim_step *lk[8];
	assert_int_equal(locks(l, lk, 8), 5);
	/* TDR (sh, RDX, PT_TDR) -> OP_STATE sh -> SEPT_TREE sh -> SEPT_ENTRY (RCX) -> PAGE (ex, R8, PT_NDA, free range) */
	assert_int_equal(lk[0]->res, res(t, "TDR"));
	assert_int_equal(lk[0]->mode, TDXSIM_MODE_SHARED);
	assert_int_equal(lk[0]->reg, OPERAND_ID_RDX);
	assert_int_equal(lk[0]->via, TDXSIM_VIA_REG);
	assert_int_equal(lk[0]->expect_pt, TDXSIM_PT_MASK(TDXSIM_PT_TDR));
	assert_int_equal(lk[1]->res, res(t, "OP_STATE"));
	assert_int_equal(lk[1]->mode, TDXSIM_MODE_SHARED);
	assert_int_equal(lk[2]->res, res(t, "SEPT_TREE"));
	assert_int_equal(lk[2]->mode, TDXSIM_MODE_SHARED);
	assert_int_equal(lk[3]->res, res(t, "SEPT_ENTRY"));
	assert_int_equal(lk[3]->reg, OPERAND_ID_RCX);
	assert_int_equal(lk[3]->mode, TDXSIM_MODE_EXCLUSIVE);
	assert_int_equal(lk[4]->res, res(t, "PAGE"));
	assert_int_equal(lk[4]->mode, TDXSIM_MODE_EXCLUSIVE);
	assert_int_equal(lk[4]->reg, OPERAND_ID_R8);
	assert_int_equal(lk[4]->expect_pt, TDXSIM_PT_MASK(TDXSIM_PT_NDA));
	assert_true(lk[4]->free_range);
	assert_int_equal(lk[4]->size, TDXSIM_PSIZE_FROM_LEVEL);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(lk[i]->hold, TDXSIM_HOLD_LEAF);
		assert_string_equal(lk[i]->when, "");
		assert_int_equal(lk[i]->when_id, -1);
	}
	/* §1.6: state checks right after the TDR lock, op_state check right after its lock,
	 * walk between tree and entry, entry state after the entry lock. */
	int tdr = find_res_step(l, TDXSIM_STEP_LOCK, res(t, "TDR"));
	assert_int_equal(find_fn(l, TDXSIM_STEP_CHECK, "td_state_map_tdcs"), tdr + 1);
	int ops = find_res_step(l, TDXSIM_STEP_LOCK, res(t, "OP_STATE"));
	assert_int_equal(find_fn(l, TDXSIM_STEP_CHECK, "op_state_allowed"), ops + 1);
	int tree = find_res_step(l, TDXSIM_STEP_LOCK, res(t, "SEPT_TREE"));
	int walk = find_fn(l, TDXSIM_STEP_WALK, "sept_walk");
	int entry = find_res_step(l, TDXSIM_STEP_LOCK, res(t, "SEPT_ENTRY"));
	assert_int_equal(walk, tree + 1);
	assert_int_equal(entry, walk + 1);
	assert_int_equal(l->steps[walk].reg, OPERAND_ID_RCX);
	int st = find_fn(l, TDXSIM_STEP_CHECK, "sept_state_in");
	assert_int_equal(st, entry + 1);
	assert_int_equal(l->steps[st].nargs, 2);
	assert_string_equal(l->steps[st].args[0], "FREE");
	assert_string_equal(l->steps[st].args[1], "REMOVED");
	/* The PENDING store releases the entry lock (§3 step 6). */
	const struct tdxsim_step *body = &l->steps[l->nsteps - 1];
	assert_int_equal(body->kind, TDXSIM_STEP_BODY);
	assert_string_equal(body->fn, "page_aug");
	assert_int_equal(body->fn_id, TDXSIM_FN_page_aug);
	assert_int_equal(body->releases[0], res(t, "SEPT_ENTRY"));
	assert_int_equal(body->releases[1], -1);
	/* §7.2 */
	assert_int_equal(l->op_states, (1u << TDXSIM_OPS_INITIALIZED) | (1u << TDXSIM_OPS_RUNNABLE) |
					       (1u << TDXSIM_OPS_LIVE_EXPORT) | (1u << TDXSIM_OPS_LIVE_IMPORT));
	tdxsim_table_free(t);
}

static void vp_enter(void **state)
{
	(void)state;
	struct tdxsim_table *t = load_ok(T1505);
	const struct tdxsim_leaf *l = leaf(t, "TDH.VP.ENTER");
	const struct tdxsim_step *lk[8];
	assert_int_equal(locks(l, lk, 8), 5);
	assert_int_equal(lk[0]->res, res(t, "TDVPR"));
	assert_int_equal(lk[0]->mode, TDXSIM_MODE_SHARED);
	assert_int_equal(lk[0]->reg, OPERAND_ID_RCX);
	assert_int_equal(lk[0]->expect_pt, TDXSIM_PT_MASK(TDXSIM_PT_TDVPR));
	assert_int_equal(lk[0]->hold, TDXSIM_HOLD_UNTIL_TD_EXIT);
	assert_int_equal(lk[1]->res, res(t, "TDR"));
	assert_int_equal(lk[1]->mode, TDXSIM_MODE_SHARED);
	assert_int_equal(lk[1]->via, TDXSIM_VIA_TDVPR_OWNER);
	assert_int_equal(lk[1]->reg, -1);
	assert_int_equal(lk[1]->busy_operand, OPERAND_ID_TDR);
	assert_int_equal(lk[1]->hold, TDXSIM_HOLD_UNTIL_TD_EXIT);
	assert_int_equal(lk[2]->res, res(t, "OP_STATE"));
	assert_int_equal(lk[2]->hold, TDXSIM_HOLD_LEAF);
	assert_int_equal(lk[3]->res, res(t, "TD_EPOCH"));
	assert_int_equal(lk[3]->mode, TDXSIM_MODE_SHARED);
	assert_int_equal(lk[4]->res, res(t, "SEPT_TREE"));
	assert_int_equal(lk[4]->mode, TDXSIM_MODE_EXCLUSIVE);
	assert_string_equal(lk[4]->when, "zero_step_suspected");
	assert_int_equal(lk[4]->when_id, TDXSIM_FN_zero_step_suspected);
	assert_int_equal(lk[4]->hold, TDXSIM_HOLD_UNTIL_GUEST_ENTRY);

	/* Association after the op_state check, before the epoch lock (§3 steps 6-13). */
	int assoc = find_fn(l, TDXSIM_STEP_ASSOC, "associate_vcpu");
	assert_true(assoc > find_fn(l, TDXSIM_STEP_CHECK, "op_state_allowed"));
	int ep = find_res_step(l, TDXSIM_STEP_LOCK, res(t, "TD_EPOCH"));
	assert_true(assoc < ep);
	/* epoch: lock, refcount++ (undone on later failure), release at once */
	assert_int_equal(l->steps[ep + 1].kind, TDXSIM_STEP_BODY);
	assert_string_equal(l->steps[ep + 1].fn, "tlb_epoch_enter");
	assert_string_equal(l->steps[ep + 1].undo, "tlb_epoch_revert");
	assert_int_equal(l->steps[ep + 1].undo_id, TDXSIM_FN_tlb_epoch_revert);
	assert_int_equal(l->steps[ep + 2].kind, TDXSIM_STEP_RELEASE);
	assert_int_equal(l->steps[ep + 2].res, res(t, "TD_EPOCH"));
	/* zero-step tree lock after the epoch; op_state released before entry, after it */
	int tree = find_res_step(l, TDXSIM_STEP_LOCK, res(t, "SEPT_TREE"));
	assert_true(tree > ep + 2);
	int rel = find_res_step(l, TDXSIM_STEP_RELEASE, res(t, "OP_STATE"));
	assert_true(rel > tree);
	assert_int_equal(find_res_step(l, TDXSIM_STEP_RELEASE, res(t, "TDR")), -1);
	assert_int_equal(find_res_step(l, TDXSIM_STEP_RELEASE, res(t, "TDVPR")), -1);
	assert_string_equal(l->steps[l->nsteps - 1].fn, "vp_enter_launch");
	tdxsim_table_free(t);
}

static void sept_and_tlb_leaves(void **state)
{
	(void)state;
	struct tdxsim_table *t = load_ok(T1505);
	int tree = res(t, "SEPT_TREE"), epoch = res(t, "TD_EPOCH"), entry = res(t, "SEPT_ENTRY");
	const struct tdxsim_step *lk[8];

	/* BLOCK, UNBLOCK and SEPT.REMOVE take the tree ex; AUG, PAGE.REMOVE, SEPT.ADD sh. */
	static const struct { const char *leaf; enum tdxsim_mode mode; } tm[] = {
		{ "TDH.MEM.RANGE.BLOCK", TDXSIM_MODE_EXCLUSIVE },
		{ "TDH.MEM.RANGE.UNBLOCK", TDXSIM_MODE_EXCLUSIVE },
		{ "TDH.MEM.SEPT.REMOVE", TDXSIM_MODE_EXCLUSIVE },
		{ "TDH.MEM.PAGE.AUG", TDXSIM_MODE_SHARED },
		{ "TDH.MEM.PAGE.REMOVE", TDXSIM_MODE_SHARED },
		{ "TDH.MEM.SEPT.ADD", TDXSIM_MODE_SHARED },
	};
	for (size_t i = 0; i < sizeof(tm) / sizeof(tm[0]); i++) {
		const struct tdxsim_leaf *l = leaf(t, tm[i].leaf);
		int s = find_res_step(l, TDXSIM_STEP_LOCK, tree);
		assert_true(s >= 0);
		assert_int_equal(l->steps[s].mode, tm[i].mode);
	}
	/* BLOCK: already-blocked before the state set (§3 step 4) */
	const struct tdxsim_leaf *blk = leaf(t, "TDH.MEM.RANGE.BLOCK");
	assert_int_equal(find_fn(blk, TDXSIM_STEP_CHECK, "sept_not_blocked") + 1,
			 find_fn(blk, TDXSIM_STEP_CHECK, "sept_state_in"));
	/* PAGE.ADD and MR.EXTEND take no SEPT lock at all */
	assert_int_equal(find_res_step(leaf(t, "TDH.MEM.PAGE.ADD"), TDXSIM_STEP_LOCK, tree), -1);
	assert_int_equal(find_res_step(leaf(t, "TDH.MEM.PAGE.ADD"), TDXSIM_STEP_LOCK, entry), -1);
	assert_int_equal(find_res_step(leaf(t, "TDH.MR.EXTEND"), TDXSIM_STEP_LOCK, tree), -1);

	/* TRACK: TDR sh (RCX) -> op_state sh -> epoch ex */
	const struct tdxsim_leaf *tr = leaf(t, "TDH.MEM.TRACK");
	assert_int_equal(locks(tr, lk, 8), 3);
	assert_int_equal(lk[0]->reg, OPERAND_ID_RCX);
	assert_int_equal(lk[2]->res, epoch);
	assert_int_equal(lk[2]->mode, TDXSIM_MODE_EXCLUSIVE);
	assert_true(find_fn(tr, TDXSIM_STEP_CHECK, "td_epoch_overflow_halt") >
		    find_fn(tr, TDXSIM_STEP_BODY, "mem_track"));

	/* ACCEPT: the guest SEPT entry lock only */
	const struct tdxsim_leaf *acc = leaf(t, "TDG.MEM.PAGE.ACCEPT");
	assert_int_equal(acc->side, TDXSIM_SIDE_GUEST);
	assert_int_equal(locks(acc, lk, 8), 1);
	assert_int_equal(lk[0]->res, entry);
	assert_int_equal(lk[0]->reg, OPERAND_ID_RCX);
	assert_true(find_fn(acc, TDXSIM_STEP_WALK, "accept_walk") <
		    find_res_step(acc, TDXSIM_STEP_LOCK, entry));
	/* No TDCALL takes the tree or the epoch lock (§3). */
	for (unsigned i = 0; i < t->nleaves; i++)
		if (t->leaves[i].side == TDXSIM_SIDE_GUEST) {
			assert_int_equal(find_res_step(&t->leaves[i], TDXSIM_STEP_LOCK, tree), -1);
			assert_int_equal(find_res_step(&t->leaves[i], TDXSIM_STEP_LOCK, epoch), -1);
		}
	assert_int_equal(locks(leaf(t, "TDG.VP.VMCALL"), lk, 8), 0);

	/* UNBLOCK: TLB not tracked reported on RCX in 1.5.05 */
	const struct tdxsim_leaf *ub = leaf(t, "TDH.MEM.RANGE.UNBLOCK");
	int tt = find_fn(ub, TDXSIM_STEP_CHECK, "tlb_tracked");
	assert_int_equal(ub->steps[tt].nargs, 1);
	assert_string_equal(ub->steps[tt].args[0], "RCX");
	assert_string_equal(ub->steps[tt].when, "tlb_tracking_required");

	/* PAGE.REMOVE: mapped page PAMT-I ex at the leaf size, busy on RCX */
	const struct tdxsim_leaf *rm = leaf(t, "TDH.MEM.PAGE.REMOVE");
	int pg = find_res_step(rm, TDXSIM_STEP_LOCK, res(t, "PAGE"));
	assert_int_equal(rm->steps[pg].via, TDXSIM_VIA_SEPT_LEAF);
	assert_int_equal(rm->steps[pg].size, TDXSIM_PSIZE_FROM_LEVEL);
	assert_int_equal(rm->steps[pg].busy_operand, OPERAND_ID_RCX);
	assert_int_equal(rm->steps[pg].expect_pt, 0);
	assert_true(pg > find_res_step(rm, TDXSIM_STEP_LOCK, entry));

	/* SEPT.ADD: new page only when the entry is FREE; v1 L2 pages R9..R11 */
	const struct tdxsim_leaf *sa = leaf(t, "TDH.MEM.SEPT.ADD");
	assert_int_equal(locks(sa, lk, 8), 8);
	assert_int_equal(lk[4]->reg, OPERAND_ID_R8);
	assert_string_equal(lk[4]->when, "entry_free");
	for (int i = 0; i < 3; i++) {
		assert_int_equal(lk[5 + i]->reg, OPERAND_ID_R9 + i);
		assert_int_equal(lk[5 + i]->vm, i + 1);
		assert_string_equal(lk[5 + i]->when, "l2_pages_present");
	}
	/* explicit releases: entry (BTR) then the new page, before the tree */
	int re = find_res_step(sa, TDXSIM_STEP_RELEASE, entry);
	assert_int_equal(sa->steps[re + 1].kind, TDXSIM_STEP_RELEASE);
	assert_int_equal(sa->steps[re + 1].reg, OPERAND_ID_R8);
	tdxsim_table_free(t);
}

static void tdr_and_reclaim(void **state)
{
	(void)state;
	struct tdxsim_table *t = load_ok(T1505);
	int tdr = res(t, "TDR");
	const struct tdxsim_step *lk[8];

	/* VP.INIT: TDR sh for v0, ex for v1 (§0) */
	const struct tdxsim_leaf *vi = leaf(t, "TDH.VP.INIT");
	assert_int_equal(locks(vi, lk, 8), 4);
	assert_int_equal(lk[1]->res, tdr);
	assert_int_equal(lk[1]->mode, TDXSIM_MODE_SHARED);
	assert_string_equal(lk[1]->when, "version_0");
	assert_int_equal(lk[2]->res, tdr);
	assert_int_equal(lk[2]->mode, TDXSIM_MODE_EXCLUSIVE);
	assert_string_equal(lk[2]->when, "version_ge_1");
	assert_int_equal(tdxsim_registry_opposite(lk[1]->when_id), lk[2]->when_id);
	assert_true(find_fn(vi, TDXSIM_STEP_CHECK, "x2apic_id_unique") > 0);

	/* RECLAIM: page first (any role), then the owner TDR only if the page is not a TDR */
	const struct tdxsim_leaf *rc = leaf(t, "TDH.PHYMEM.PAGE.RECLAIM");
	assert_int_equal(locks(rc, lk, 8), 2);
	assert_int_equal(lk[0]->res, res(t, "PAGE"));
	assert_int_equal(lk[0]->mode, TDXSIM_MODE_EXCLUSIVE);
	assert_int_equal(lk[0]->size, TDXSIM_PSIZE_EXISTING);
	assert_int_equal(lk[0]->also[0], tdr);
	assert_int_equal(lk[0]->also[1], res(t, "TDCX"));
	assert_int_equal(lk[0]->also[2], res(t, "TDVPR"));
	assert_int_equal(lk[0]->also[3], res(t, "SEPT_PAGE"));
	assert_false(lk[0]->expect_pt & TDXSIM_PT_MASK(TDXSIM_PT_NDA));
	assert_false(lk[0]->expect_pt & TDXSIM_PT_MASK(TDXSIM_PT_RSVD));
	assert_true(lk[0]->expect_pt & TDXSIM_PT_MASK(TDXSIM_PT_TDR));
	assert_int_equal(lk[1]->res, tdr);
	assert_int_equal(lk[1]->via, TDXSIM_VIA_PAGE_OWNER);
	assert_int_equal(lk[1]->mode, TDXSIM_MODE_SHARED);
	assert_int_equal(lk[1]->busy_operand, OPERAND_ID_TDR);
	assert_string_equal(lk[1]->when, "not_tdr_page");

	/* TDR-exclusive leaves (§3 "Held while the TD runs") */
	static const char *const tdr_ex[] = {
		"TDH.MNG.ADDCX", "TDH.MNG.INIT", "TDH.MNG.KEY.CONFIG", "TDH.MR.EXTEND",
		"TDH.MR.FINALIZE", "TDH.MEM.PAGE.ADD", "TDH.MNG.VPFLUSHDONE", "TDH.MNG.KEY.FREEID",
		"TDH.MNG.CREATE",
	};
	for (size_t i = 0; i < sizeof(tdr_ex) / sizeof(tdr_ex[0]); i++) {
		const struct tdxsim_leaf *l = leaf(t, tdr_ex[i]);
		int s = find_res_step(l, TDXSIM_STEP_LOCK, tdr);
		assert_int_equal(l->steps[s].mode, TDXSIM_MODE_EXCLUSIVE);
		assert_int_equal(l->steps[s].via, TDXSIM_VIA_REG);
	}
	/* FREEID checks the lifecycle before the KOT lock; VPFLUSHDONE after it */
	const struct tdxsim_leaf *fr = leaf(t, "TDH.MNG.KEY.FREEID");
	assert_true(find_fn(fr, TDXSIM_STEP_CHECK, "td_lifecycle_in") <
		    find_res_step(fr, TDXSIM_STEP_LOCK, res(t, "KOT")));
	const struct tdxsim_leaf *vf = leaf(t, "TDH.MNG.VPFLUSHDONE");
	assert_true(find_fn(vf, TDXSIM_STEP_CHECK, "td_lifecycle_in") >
		    find_res_step(vf, TDXSIM_STEP_LOCK, res(t, "KOT")));
	/* CACHE.WB: WBT mutex then KOT sh */
	const struct tdxsim_leaf *wb = leaf(t, "TDH.PHYMEM.CACHE.WB");
	assert_int_equal(locks(wb, lk, 8), 2);
	assert_int_equal(lk[0]->res, res(t, "WBT"));
	assert_int_equal(lk[1]->res, res(t, "KOT"));
	assert_int_equal(lk[1]->mode, TDXSIM_MODE_SHARED);
	/* SYS.LP.INIT takes the global lock shared, the others exclusive */
	assert_int_equal(locks(leaf(t, "TDH.SYS.LP.INIT"), lk, 8), 1);
	assert_int_equal(lk[0]->mode, TDXSIM_MODE_SHARED);
	assert_int_equal(locks(leaf(t, "TDH.SYS.INIT"), lk, 8), 1);
	assert_int_equal(lk[0]->mode, TDXSIM_MODE_EXCLUSIVE);
	tdxsim_table_free(t);
}

/* Every name in the registry is used by the 1.5.05 table and every named step resolved. */
static void registry_coverage(void **state)
{
	(void)state;
	struct tdxsim_table *t = load_ok(T1505);
	bool used[TDXSIM_FN__COUNT] = { false };
	for (unsigned i = 0; i < t->nleaves; i++)
		for (unsigned s = 0; s < t->leaves[i].nsteps; s++) {
			const struct tdxsim_step *st = &t->leaves[i].steps[s];
			if (st->kind == TDXSIM_STEP_LOCK || st->kind == TDXSIM_STEP_RELEASE) {
				assert_true(st->res >= 0);
				assert_int_equal(st->fn_id, -1);
			} else {
				assert_true(st->fn_id >= 0);
				assert_string_equal(tdxsim_registry_get(st->fn_id)->name, st->fn);
				used[st->fn_id] = true;
			}
			if (st->when_id >= 0)
				used[st->when_id] = true;
			if (st->undo_id >= 0)
				used[st->undo_id] = true;
		}
	for (int id = 0; id < TDXSIM_FN__COUNT; id++)
		if (!used[id])
			fail_msg("registry name %s is not used by %s", tdxsim_registry_get(id)->name, T1505);
	tdxsim_table_free(t);
}

/* ----------------------------------------------------- 1.5.01 = 1.5.05 - §0 */

static bool steps_equal(const struct tdxsim_step *a, const struct tdxsim_step *b)
{
	if (a->kind != b->kind || a->res != b->res || a->mode != b->mode || a->reg != b->reg ||
	    a->via != b->via || a->size != b->size || a->expect_pt != b->expect_pt ||
	    a->free_range != b->free_range || a->hold != b->hold ||
	    a->busy_operand != b->busy_operand || a->vm != b->vm || a->nargs != b->nargs ||
	    strcmp(a->fn, b->fn) || strcmp(a->when, b->when) || strcmp(a->undo, b->undo))
		return false;
	for (int i = 0; i < 4; i++)
		if (a->also[i] != b->also[i] || a->releases[i] != b->releases[i])
			return false;
	for (unsigned i = 0; i < a->nargs; i++)
		if (strcmp(a->args[i], b->args[i]))
			return false;
	return true;
}

static void differences_1501(void **state)
{
	(void)state;
	struct tdxsim_table *n = load_ok(T1505), *o = load_ok(T1501);
	assert_string_equal(o->module, "tdx-1.5.01");
	assert_int_equal(o->nres, n->nres);
	for (unsigned i = 0; i < n->nres; i++) {
		assert_string_equal(o->res[i].name, n->res[i].name);
		assert_int_equal(o->res[i].kind, n->res[i].kind);
		assert_int_equal(o->res[i].scope, n->res[i].scope);
		assert_int_equal(o->res[i].busy, n->res[i].busy);
		assert_int_equal(o->res[i].busy_operand, n->res[i].busy_operand);
	}
	assert_int_equal(o->nleaves, n->nleaves);
	unsigned differing = 0;
	for (unsigned i = 0; i < n->nleaves; i++) {
		const struct tdxsim_leaf *a = &n->leaves[i];
		const struct tdxsim_leaf *b = tdxsim_table_find_leaf(o, a->name);
		assert_non_null(b);
		assert_int_equal(a->number, b->number);
		assert_int_equal(a->side, b->side);
		assert_int_equal(a->op_states, b->op_states);
		bool same = a->max_version == b->max_version && a->nsteps == b->nsteps;
		for (unsigned s = 0; same && s < a->nsteps; s++)
			same = steps_equal(&a->steps[s], &b->steps[s]);
		if (!same)
			differing++;
		if (!strcmp(a->name, "TDH.MEM.RANGE.UNBLOCK")) {
			assert_false(same);
			assert_int_equal(a->nsteps, b->nsteps);
			for (unsigned s = 0; s < a->nsteps; s++) {
				if (steps_equal(&a->steps[s], &b->steps[s]))
					continue;
				assert_string_equal(a->steps[s].fn, "tlb_tracked");
				assert_string_equal(a->steps[s].args[0], "RCX");
				assert_string_equal(b->steps[s].args[0], "SEPT_TREE");
			}
		} else if (!strcmp(a->name, "TDH.MEM.TRACK")) {
			assert_false(same);
			assert_int_equal(b->nsteps + 1, a->nsteps);
			assert_string_equal(a->steps[a->nsteps - 1].fn, "td_epoch_overflow_halt");
			assert_int_equal(find_fn(b, TDXSIM_STEP_CHECK, "td_epoch_overflow_halt"), -1);
			for (unsigned s = 0; s < b->nsteps; s++)
				assert_true(steps_equal(&a->steps[s], &b->steps[s]));
		} else if (!strcmp(a->name, "TDH.VP.INIT")) {
			assert_false(same);
			assert_int_equal(b->max_version, 0);
			const struct tdxsim_step *lk[8];
			assert_int_equal(locks(b, lk, 8), 3);
			assert_int_equal(lk[1]->res, res(o, "TDR"));
			assert_int_equal(lk[1]->mode, TDXSIM_MODE_SHARED);
			assert_int_equal(lk[1]->when_id, -1);
			assert_int_equal(find_fn(b, TDXSIM_STEP_CHECK, "x2apic_id_unique"), -1);
		} else {
			if (!same)
				fail_msg("%s differs between 1.5.01 and 1.5.05", a->name);
		}
	}
	assert_int_equal(differing, 3);
	tdxsim_table_free(n);
	tdxsim_table_free(o);
}

/* ------------------------------------------------------------ bad fixtures */

static void bad_tables(void **state)
{
	(void)state;
	static const struct { const char *file; unsigned line; const char *msg; } cases[] = {
		{ "malformed_yaml.yaml", 12, "YAML syntax error: did not find expected key (while parsing a block mapping)" },
		{ "empty.yaml", 1, "empty file: expected a mapping" },
		{ "two_documents.yaml", 6, "more than one YAML document" },
		{ "top_not_mapping.yaml", 2, "top level must be a mapping with module, resources, leaves" },
		{ "unknown_top_key.yaml", 5, "top level: unknown key 'version' (expected module, resources, leaves)" },
		{ "missing_module.yaml", 2, "top level: missing required key 'module'" },
		{ "unknown_resource_key.yaml", 10, "resource KOT: unknown key 'size' (expected kind, scope, backing, field, busy, doc)" },
		{ "bad_kind.yaml", 4, "resource KOT: unknown kind 'rwlock' (expected mutex, sharex, sharex_hp, sept_entry)" },
		{ "bad_scope.yaml", 4, "resource KOT: unknown scope 'system' (expected global, package, tdmr, td, vcpu, gpa, hpa)" },
		{ "bad_backing.yaml", 4, "resource KOT: unknown backing 'memory' (expected pamt, sept_entry, field)" },
		{ "bad_field.yaml", 8, "resource KOT: unknown field 'kot.mutex' (expected tdcs.op_state_lock, tdcs.secure_ept_lock, tdcs.epoch_lock, tdcs.rtmr_lock, tdcs.servtd_bindings_lock, tdcs.mig_lock, kot.lock, global_lock, wbt.entry_lock, tdmr.lock)" },
		{ "bad_busy_status.yaml", 9, "resource GLOBAL: unknown status 'TDX_SYSTEM_BUSY' in busy:" },
		{ "bad_busy_operand.yaml", 4, "resource KOT: unknown operand 'KOT_LOCK' in busy:" },
		{ "sept_entry_backing.yaml", 5, "resource ENTRY: kind sept_entry needs backing: sept_entry" },
		{ "duplicate_resource.yaml", 6, "duplicate resource 'KOT' (first at line 4)" },
		{ "unknown_leaf_key.yaml", 12, "leaf TDH.X: unknown key 'version' (expected leaf, side, max_version, op_states, doc, steps)" },
		{ "missing_side.yaml", 10, "leaf TDH.X: missing required key 'side'" },
		{ "bad_leaf_number.yaml", 10, "leaf TDH.X: 'leaf' must be an integer 0..65535" },
		{ "duplicate_leaf.yaml", 14, "duplicate leaf 'TDH.X' (first at line 9)" },
		{ "duplicate_leaf_number.yaml", 20, "leaf TDH.Y: leaf number 6 already used by host leaf TDH.X (line 9)" },
		{ "bad_op_state.yaml", 12, "leaf TDH.X: unknown op_state 'FINALIZED' (§7.2 names, e.g. RUNNABLE)" },
		{ "empty_steps.yaml", 12, "leaf TDH.X: steps: is empty" },
		{ "unknown_step_kind.yaml", 14, "leaf TDH.X: unknown step kind 'grab' (expected lock, release, check, walk, assoc, body)" },
		{ "unknown_step_key.yaml", 13, "leaf TDH.X: unknown key 'operand' in lock step (expected res, reg, mode, via, size, expect_pt, free_range, hold, busy_operand, also, when, vm)" },
		{ "duplicate_step_key.yaml", 17, "leaf TDH.X: duplicate key 'reg'" },
		{ "unknown_resource.yaml", 14, "leaf TDH.X: unknown resource 'SEPT_TREE'" },
		{ "bad_mode.yaml", 13, "leaf TDH.X: unknown mode 'shared' (expected sh, ex)" },
		{ "missing_mode.yaml", 13, "leaf TDH.X: lock of TDR needs mode: (sh or ex)" },
		{ "mode_sh_mutex.yaml", 13, "leaf TDH.X: mode sh on mutex resource WBT (only ex exists)" },
		{ "mode_sh_sept_entry.yaml", 13, "leaf TDH.X: mode sh on sept_entry resource SEPT_ENTRY (only ex exists)" },
		{ "bad_register.yaml", 13, "leaf TDH.X: unknown register 'TDR' (expected RAX, RCX, RDX, RBX, RBP, RSI, RDI, R8..R15)" },
		{ "bad_busy_operand_step.yaml", 13, "leaf TDH.X: unknown operand 'TDR_PAGE' (expected an OPERAND_ID_ name without the prefix, e.g. RCX, TDR, SEPT_TREE)" },
		{ "bad_via.yaml", 13, "leaf TDH.X: unknown via 'owner' (expected reg, tdvpr_owner, page_owner, sept_leaf, sept_child)" },
		{ "bad_size.yaml", 13, "leaf TDH.X: unknown size '4K' (expected 4k, 2m, 1g, from_level, existing)" },
		{ "bad_hold.yaml", 13, "leaf TDH.X: unknown hold 'forever' (expected leaf, until_td_exit, until_guest_entry)" },
		{ "bad_page_type.yaml", 13, "leaf TDH.X: unknown page type 'PT_SEPT' (expected PT_NDA, PT_RSVD, PT_REG, PT_TDR, PT_TDCX, PT_TDVPR, PT_EPT)" },
		{ "expect_pt_implicit.yaml", 13, "leaf TDH.X: expect_pt: only with via: reg (implicit PAMT locks do not check the page type, §1.6)" },
		{ "via_on_field.yaml", 14, "leaf TDH.X: size: only on PAMT-backed resources (OP_STATE is backed by field)" },
		{ "busy_register_no_reg.yaml", 13, "leaf TDH.X: SEPT_ENTRY reports busy by register: give reg: or busy_operand:" },
		{ "guest_pamt_ex.yaml", 13, "leaf TDG.X: a guest leaf may not take a PAMT lock exclusive (§1.6)" },
		{ "unknown_check.yaml", 14, "leaf TDH.X: unknown check 'td_is_ready'" },
		{ "unknown_body.yaml", 13, "leaf TDH.X: unknown body 'page_augment'" },
		{ "unknown_condition.yaml", 13, "leaf TDH.X: unknown condition 'version_1'" },
		{ "wrong_kind_name.yaml", 13, "leaf TDH.X: 'sept_walk' is a walk, not a check" },
		{ "check_as_condition.yaml", 13, "leaf TDH.X: 'sys_ready' is a check, not a condition" },
		{ "bad_args.yaml", 14, "leaf TDH.X: check 'sept_state_in': unknown SEPT state 'UNMAPPED'" },
		{ "missing_args.yaml", 14, "leaf TDH.X: check 'sept_state_in' takes 1 to 16 SEPT state arguments, got 0" },
		{ "unexpected_args.yaml", 13, "leaf TDH.X: check 'sys_ready' takes no arguments" },
		{ "missing_reg.yaml", 13, "leaf TDH.X: walk 'sept_walk' needs reg:" },
		{ "bad_undo.yaml", 13, "leaf TDH.X: undo: 'sys_ready' is a check, not a body" },
		{ "op_state_allowed_no_list.yaml", 15, "leaf TDH.X: op_state_allowed needs the leaf's op_states:" },
		{ "release_without_lock.yaml", 14, "leaf TDH.X: release of OP_STATE, which is not locked earlier in this leaf" },
		{ "release_twice.yaml", 15, "leaf TDH.X: release of TDR, which is not locked earlier in this leaf" },
		{ "body_releases_unlocked.yaml", 14, "leaf TDH.X: release of SEPT_ENTRY, which is not locked earlier in this leaf" },
		{ "lock_twice.yaml", 15, "leaf TDH.X: lock OP_STATE taken twice without release (first at line 14)" },
		{ "lock_twice_same_when.yaml", 14, "leaf TDH.X: lock TDR taken twice without release (first at line 13)" },
		{ "hold_guest.yaml", 13, "leaf TDG.X: hold: until_td_exit outside a host leaf" },
		{ "guest_entry_without_td_exit.yaml", 14, "leaf TDH.X: hold: until_guest_entry in a leaf that enters no guest (no lock is held until_td_exit)" },
		{ "release_held_until_exit.yaml", 14, "leaf TDH.X: release of TDR, which is held until_td_exit (line 13)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[512], want[2 * TDXSIM_ERROR_MSG_MAX];
		snprintf(path, sizeof(path), "%s/tables/%s", TDXSIM_TEST_DATA, cases[i].file);
		snprintf(want, sizeof(want), "%s:%u: %s", path, cases[i].line, cases[i].msg);
		struct tdxsim_error err;
		tdxsim_error_clear(&err);
		struct tdxsim_table *t = tdxsim_table_load(path, &err);
		if (t) {
			tdxsim_table_free(t);
			fail_msg("%s loaded", cases[i].file);
		}
		assert_int_equal(err.set, 1);
		assert_string_equal(err.msg, want);
		/* A NULL error sink is allowed. */
		assert_null(tdxsim_table_load(path, NULL));
	}
}

static void good_fixture_and_missing_file(void **state)
{
	(void)state;
	struct tdxsim_table *t = load_ok(FIX("good_minimal.yaml"));
	assert_string_equal(t->module, "fixture");
	const struct tdxsim_leaf *l = leaf(t, "TDH.X");
	assert_int_equal(l->line, 9);
	assert_int_equal(l->nsteps, 10);
	assert_int_equal(l->steps[0].line, 14);
	assert_int_equal(l->steps[8].kind, TDXSIM_STEP_RELEASE);
	assert_int_equal(l->steps[8].res, res(t, "OP_STATE"));
	assert_int_equal(l->steps[8].mode, TDXSIM_MODE_SHARED);
	assert_int_equal(l->op_states, 1u << TDXSIM_OPS_RUNNABLE);
	tdxsim_table_free(t);
	tdxsim_table_free(NULL);

	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	assert_null(tdxsim_table_load(FIX("does_not_exist.yaml"), &err));
	assert_string_equal(err.msg, FIX("does_not_exist.yaml") ": cannot open: No such file or directory");
}

/* ------------------------------------------------------- names and registry */

static void names_round_trip(void **state)
{
	(void)state;
#define RT(fn, first, last)                                                       \
	for (int v = first; v <= last; v++)                                       \
		assert_int_equal(tdxsim_##fn##_by_name(tdxsim_##fn##_name(v)), v);
	RT(lock_kind, TDXSIM_LK_MUTEX, TDXSIM_LK_SEPT_ENTRY)
	RT(scope, TDXSIM_SCOPE_GLOBAL, TDXSIM_SCOPE_HPA)
	RT(backing, TDXSIM_BACK_PAMT, TDXSIM_BACK_FIELD)
	RT(lock_field, TDXSIM_FIELD_TDCS_OP_STATE, TDXSIM_FIELD__COUNT - 1)
	RT(mode, TDXSIM_MODE_SHARED, TDXSIM_MODE_EXCLUSIVE)
	RT(side, TDXSIM_SIDE_HOST, TDXSIM_SIDE_GUEST)
	RT(busy_report, TDXSIM_BUSY_REGISTER, TDXSIM_BUSY_STATUS)
	RT(step_kind, TDXSIM_STEP_LOCK, TDXSIM_STEP_BODY)
	RT(via, TDXSIM_VIA_REG, TDXSIM_VIA_SEPT_CHILD)
	RT(pamt_size, TDXSIM_PSIZE_4K, TDXSIM_PSIZE_EXISTING)
	RT(hold, TDXSIM_HOLD_LEAF, TDXSIM_HOLD_UNTIL_GUEST_ENTRY)
	RT(op_state, TDXSIM_OPS_UNINITIALIZED, TDXSIM_OPS_FAILED_IMPORT)
#undef RT
	assert_string_equal(tdxsim_mode_name(TDXSIM_MODE_SHARED), "sh");
	assert_string_equal(tdxsim_lock_field_name(TDXSIM_FIELD_TDCS_SEPT_TREE), "tdcs.secure_ept_lock");
	assert_string_equal(tdxsim_page_type_name(TDXSIM_PT_EPT), "PT_EPT");
	assert_int_equal(tdxsim_page_type_by_name("PT_TDVPR"), TDXSIM_PT_TDVPR);
	assert_string_equal(tdxsim_page_type_name((enum tdxsim_page_type)2), "?");
	assert_int_equal(tdxsim_page_type_by_name("PT_FOO"), -1);
	assert_int_equal(tdxsim_mode_by_name("shared"), -1);
	assert_int_equal(tdxsim_lock_field_by_name(NULL), -1);
	assert_string_equal(tdxsim_hold_name((enum tdxsim_hold)99), "?");
}

static void registry_api(void **state)
{
	(void)state;
	char buf[256];
	int id = tdxsim_registry_lookup("sept_state_in");
	assert_int_equal(id, TDXSIM_FN_sept_state_in);
	assert_int_equal(tdxsim_registry_get(id)->kind, TDXSIM_FK_CHECK);
	assert_int_equal(tdxsim_registry_lookup("no_such_check"), -1);
	assert_int_equal(tdxsim_registry_lookup(NULL), -1);
	assert_null(tdxsim_registry_get(-1));
	assert_null(tdxsim_registry_get(TDXSIM_FN__COUNT));
	for (int i = 0; i < TDXSIM_FN__COUNT; i++) {
		const struct tdxsim_fn_info *f = tdxsim_registry_get(i);
		assert_int_equal(tdxsim_registry_lookup(f->name), i);
		assert_true(f->doc && *f->doc);
		assert_true(f->min_args <= f->max_args);
		assert_true(f->max_args <= TDXSIM_STEP_ARGS_MAX);
	}
	const char *ok[] = { "FREE", "REMOVED" };
	assert_null(tdxsim_registry_check_use(id, TDXSIM_FK_CHECK, ok, 2, false, buf, sizeof(buf)));
	const char *dup[] = { "FREE", "FREE" };
	assert_string_equal(tdxsim_registry_check_use(id, TDXSIM_FK_CHECK, dup, 2, false, buf, sizeof(buf)),
			    "check 'sept_state_in': argument 'FREE' given twice");
	assert_string_equal(tdxsim_registry_check_use(id, TDXSIM_FK_CHECK, ok, 2, true, buf, sizeof(buf)),
			    "check 'sept_state_in' takes no reg:");
	const char *lv[] = { "LVL_PD", "LVL_PT" };
	assert_string_equal(tdxsim_registry_check_use(TDXSIM_FN_sept_gpa_valid, TDXSIM_FK_CHECK, lv, 2,
						      true, buf, sizeof(buf)),
			    "check 'sept_gpa_valid': level range LVL_PD..LVL_PT is empty");
	const char *one[] = { "LVL_PT" };
	assert_string_equal(tdxsim_registry_check_use(TDXSIM_FN_sept_gpa_valid, TDXSIM_FK_CHECK, one, 1,
						      true, buf, sizeof(buf)),
			    "check 'sept_gpa_valid' takes exactly 2 SEPT level arguments, got 1");
	const char *op[] = { "sept_tree" };
	assert_string_equal(tdxsim_registry_check_use(TDXSIM_FN_tlb_tracked, TDXSIM_FK_CHECK, op, 1,
						      false, buf, sizeof(buf)),
			    "check 'tlb_tracked': unknown operand 'sept_tree'");
	/* argument values */
	assert_int_equal(tdxsim_registry_arg_value(TDXSIM_ARG_SEPT_STATE, "PENDING"), 10);
	assert_int_equal(tdxsim_registry_arg_value(TDXSIM_ARG_LIFECYCLE, "TD_TEARDOWN"), 3);
	assert_int_equal(tdxsim_registry_arg_value(TDXSIM_ARG_VCPU_STATE, "VCPU_READY"), 2);
	assert_int_equal(tdxsim_registry_arg_value(TDXSIM_ARG_LEVEL, "LVL_PD"), 1);
	assert_int_equal(tdxsim_registry_arg_value(TDXSIM_ARG_LEVEL, "LVL_PWL"), TDXSIM_LEVEL_PWL);
	assert_int_equal(tdxsim_registry_arg_value(TDXSIM_ARG_OPERAND, "SEPT_TREE"), OPERAND_ID_SEPT_TREE);
	assert_int_equal(tdxsim_registry_arg_value(TDXSIM_ARG_OPERAND, "OPERAND_ID_RCX"), -1);
	assert_int_equal(tdxsim_registry_arg_value(TDXSIM_ARG_NONE, "X"), -1);
	assert_string_equal(tdxsim_registry_arg_name(TDXSIM_ARG_SEPT_STATE, 3), "NL_BLOCKED");
	assert_string_equal(tdxsim_registry_arg_name(TDXSIM_ARG_OPERAND, OPERAND_ID_TD_EPOCH), "TD_EPOCH");
	/* opposites are symmetric and only between conditions */
	assert_int_equal(tdxsim_registry_opposite(TDXSIM_FN_version_0), TDXSIM_FN_version_ge_1);
	assert_int_equal(tdxsim_registry_opposite(TDXSIM_FN_version_ge_1), TDXSIM_FN_version_0);
	assert_int_equal(tdxsim_registry_opposite(TDXSIM_FN_tdr_page), TDXSIM_FN_not_tdr_page);
	assert_int_equal(tdxsim_registry_opposite(TDXSIM_FN_zero_step_suspected), -1);
	for (int i = 0; i < TDXSIM_FN__COUNT; i++) {
		int o = tdxsim_registry_opposite(i);
		if (o >= 0) {
			assert_int_equal(tdxsim_registry_get(i)->kind, TDXSIM_FK_COND);
			assert_int_equal(tdxsim_registry_opposite(o), i);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(leaf_numbers),
		cmocka_unit_test(resources),
		cmocka_unit_test(aug_order),
		cmocka_unit_test(vp_enter),
		cmocka_unit_test(sept_and_tlb_leaves),
		cmocka_unit_test(tdr_and_reclaim),
		cmocka_unit_test(registry_coverage),
		cmocka_unit_test(differences_1501),
		cmocka_unit_test(bad_tables),
		cmocka_unit_test(good_fixture_and_missing_file),
		cmocka_unit_test(names_round_trip),
		cmocka_unit_test(registry_api),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
