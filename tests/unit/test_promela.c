/* SPDX-License-Identifier: MIT */
/*
 * The Promela export (src/analyze/promela.c, docs/export.md): the inline of a leaf
 * is its table's step list -- lock steps in table order, each with the lock-kind
 * inline of its resource, side and mode, the busy status of its resource, releases
 * in reverse order -- and a scenario exports deterministically, with its policy's
 * decisions, its actors as proctypes, and file:line errors for what it cannot
 * express.  That SPIN parses and checks the exports is tests/cli/export_spin.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/promela.h"
#include "tdxsim/scenario.h"
#include "tdxsim/table.h"

#define FIX TDXSIM_TEST_DATA "/export/"

static struct tdxsim_table *load_table(const char *name)
{
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	char path[512];
	snprintf(path, sizeof(path), FIX "%s", name);
	struct tdxsim_table *t = tdxsim_table_load(path, &err);
	if (!t)
		fail_msg("%s", err.msg);
	return t;
}

/* Offset of the first occurrence of needle at or after `from`; fails if absent. */
static size_t at(const char *hay, const char *needle, size_t from)
{
	const char *p = strstr(hay + from, needle);
	if (!p)
		fail_msg("'%s' not found in the generated text", needle);
	return (size_t)(p - hay);
}

static void test_aug_lock_steps_in_table_order(void **state)
{
	(void)state;
	struct tdxsim_table *t = load_table("table-small.yaml");
	struct pml_options o = { .atomicity = PML_ATOMIC_STEP, .word_bits = 8 };
	struct pml_buf b = { 0 };
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	assert_int_equal(tdxsim_promela_leaf(t, "TDH.MEM.PAGE.AUG", &o, &b, &err), 0);
	const char *s = b.s;
	size_t start = at(s, "inline L_TDH_MEM_PAGE_AUG(V, P) {", 0);
	/* The lock steps in the table's order, each with its kind, side and mode, the
	 * bit of `lh` that is its index among the leaf's locks, and its busy status. */
	size_t a = at(s, "HPX_SH_H(w_TDR, 1, ST_OPERAND_BUSY_RDX)", start);
	size_t b2 = at(s, "HPX_SH_H(w_OP_STATE, 2, ST_OPERAND_BUSY_OP_STATE)", start);
	size_t c = at(s, "SX_SH(w_SEPT_TREE, 4, ST_OPERAND_BUSY_SEPT_TREE)", start);
	size_t d = at(s, "SE_H(sept[P], 8, ST_OPERAND_BUSY_RCX)", start);
	size_t e = at(s, "HPX_EX_H(w_PAGE[P], 16, ST_OPERAND_BUSY_R8)", start);
	size_t body = at(s, "sept[P] = S_PENDING", start);
	assert_true(a < b2 && b2 < c && c < d && d < e && e < body);
	/* The walk is a step between the tree lock and the entry lock. */
	size_t w = at(s, "WALK_OK_LEAF(P)", start);
	assert_true(c < w && w < d);
	/* The state check runs in the entry lock's successor step, before the page lock. */
	size_t chk = at(s, "!SIN(sept[P], 3)", start); /* FREE (0) and REMOVED (1) */
	assert_true(d < chk && chk < e);
	/* page_aug's store releases the entry lock (bit 8) with the commit. */
	at(s, "lh = lh & ~8 /* the store released SEPT_ENTRY */", body);
	/* Unwind: reverse order of acquisition, page first, TDR last. */
	size_t u = at(s, "/* unwind:", body);
	size_t r16 = at(s, "HPX_REL_EX(w_PAGE[P], 16)", u);
	size_t r8 = at(s, "SE_REL(sept[P], 8)", u);
	size_t r4 = at(s, "SX_REL_SH(w_SEPT_TREE, 4)", u);
	size_t r2 = at(s, "HPX_REL_SH(w_OP_STATE, 2)", u);
	size_t r1 = at(s, "HPX_REL_SH(w_TDR, 1)", u);
	assert_true(r16 < r8 && r8 < r4 && r4 < r2 && r2 < r1);
	/* The statuses it can complete with, by value. */
	at(s, "ST_OPERAND_BUSY_SEPT_TREE", 0);
	at(s, "0x8000020000000092", 0);
	at(s, "ST_EPT_ENTRY_STATE_INCORRECT_RCX", 0);
	/* Lock kinds are defined with the module's encodings. */
	at(s, "inline HPX_SH_H(w, b, bst) {", 0);
	at(s, "inline SE_H(e, b, bst) {", 0);
	pml_buf_free(&b);
	tdxsim_table_free(t);
}

static void test_accept_is_guest_side(void **state)
{
	(void)state;
	struct tdxsim_table *t = load_table("table-small.yaml");
	struct pml_options o = { .atomicity = PML_ATOMIC_STEP, .word_bits = 8 };
	struct pml_buf b = { 0 };
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	assert_int_equal(tdxsim_promela_leaf(t, "TDG.MEM.PAGE.ACCEPT", &o, &b, &err), 0);
	size_t start = at(b.s, "inline L_TDG_MEM_PAGE_ACCEPT(V, P) {", 0);
	size_t w = at(b.s, "lxr = XR_ACCEPT", start);           /* accept_walk: TD exit */
	size_t l = at(b.s, "SE_G(sept[P], 1, ST_OPERAND_BUSY_RCX)", start);
	size_t pend = at(b.s, "ST_EPT_ENTRY_STATE_INCORRECT_RCX; lxr = XR_ACCEPT", l);
	size_t body = at(b.s, "sept[P] = (ec & (E_TDEL | E_HP)) | S_MAPPED", l);
	assert_true(w < l && l < pend && pend < body);
	/* §1.4 guest acquire: BUSY_HOST_PRIORITY gives back TDEL and flags lhp. */
	at(b.s, ":: !(e & E_TDEL) && (e & E_HP) -> st = bst; lhp = 1", 0);
	assert_null(strstr(b.s + start, "SE_H("));
	pml_buf_free(&b);
	tdxsim_table_free(t);
}

static void test_instruction_atomicity_and_width(void **state)
{
	(void)state;
	struct tdxsim_table *t = load_table("table-small.yaml");
	struct pml_options o = { .atomicity = PML_ATOMIC_INSTR, .word_bits = 16 };
	struct pml_buf b = { 0 };
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	assert_int_equal(tdxsim_promela_leaf(t, "TDH.MEM.PAGE.AUG", &o, &b, &err), 0);
	/* The host shared acquire of a sharex_hp word is XADD, then a separate OR of HP. */
	size_t x = at(b.s, "atomic { lo = w; w = (w + 4) & WMASK };", 0);
	at(b.s, "atomic { w = w | 2 }; st = bst", x);
	/* The guest's undo is its own instruction (the F1 wedge needs it). */
	at(b.s, "atomic { w = (w - 4) & WMASK }; st = bst; lhp = 1", 0);
	at(b.s, "#define HPX_FULL 16383", 0);
	at(b.s, "#define WMASK 65535", 0);
	pml_buf_free(&b);
	tdxsim_table_free(t);
}

static void test_unsupported_names_have_a_table_line(void **state)
{
	(void)state;
	struct tdxsim_table *t = load_table("table-small.yaml");
	struct pml_options o = { 0 };
	struct pml_buf b = { 0 };
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	assert_int_equal(tdxsim_promela_leaf(t, "TDH.PHYMEM.CACHE.WB", &o, &b, &err), -1);
	assert_non_null(strstr(err.msg, "table-small.yaml:"));
	assert_non_null(strstr(err.msg, "condition 'wbcache_start' cannot be expressed"));
	assert_null(b.s);
	tdxsim_error_clear(&err);
	assert_int_equal(tdxsim_promela_leaf(t, "TDH.NOPE", &o, &b, &err), -1);
	assert_non_null(strstr(err.msg, "no leaf 'TDH.NOPE'"));
	tdxsim_table_free(t);
}

static int export_scenario(const char *name, const char *policy, struct pml_buf *b, struct tdxsim_error *err)
{
	char path[512];
	snprintf(path, sizeof(path), FIX "%s", name);
	struct tdxsim_scenario *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	int rc = tdxsim_scenario_load(path, policy, s, err);
	if (rc == 0) {
		struct pml_options o = { .atomicity = PML_ATOMIC_STEP, .word_bits = 8 };
		rc = tdxsim_promela_export(s, &o, b, err);
		tdxsim_scenario_free(s);
	}
	free(s);
	return rc;
}

static void test_scenario_export(void **state)
{
	(void)state;
	struct pml_buf b1 = { 0 }, b2 = { 0 };
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	if (export_scenario("memslot-race.yaml", NULL, &b1, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(export_scenario("memslot-race.yaml", NULL, &b2, &err), 0);
	/* Deterministic: the same scenario gives the same text. */
	assert_int_equal(b1.len, b2.len);
	assert_memory_equal(b1.s, b2.s, b1.len);
	const char *s = b1.s;
	at(s, "#define NV 1", 0);
	at(s, "#define NP 1", 0);
	at(s, "proctype T0() {", 0);     /* the deleter */
	at(s, "proctype V1() {", 0);     /* the vCPU */
	at(s, "proctype MON() {", 0);    /* work-pending monitor for cycle properties */
	/* Leaves the flows issue, generated from tdx-1.5.05. */
	at(s, "inline L_TDH_VP_ENTER(V, P) {", 0);
	at(s, "inline L_TDH_MEM_PAGE_AUG(V, P) {", 0);
	at(s, "inline L_TDH_MEM_RANGE_BLOCK(V, P) {", 0);
	at(s, "inline L_TDG_MEM_PAGE_ACCEPT(V, P) {", 0);
	/* kvm-6.19: AUG BUSY at install -> -EBUSY (errno 16); BLOCK BUSY at remove ->
	 * kick and retry once, then BUG. */
	size_t d = at(s, "inline DECIDE_INSTALL_TDH_MEM_PAGE_AUG(s, a) {", 0);
	at(s, "s == ST_OPERAND_BUSY_SEPT_TREE && a >= 0 -> act = A_ERRNO; aerr = 16", d);
	d = at(s, "inline DECIDE_REMOVE_TDH_MEM_RANGE_BLOCK(s, a) {", 0);
	at(s, "s == ST_OPERAND_BUSY_RCX && a >= 0 && a < 1 -> act = A_KICK_RETRY", d);
	at(s, "s == ST_OPERAND_BUSY_RCX && a >= 1 -> act = A_BUG", d);
	/* The scenario's injection is the initial counter; SRCU and the bail-out knob. */
	at(s, "inj[0] = 1;", 0);
	at(s, "srcu_wait = srcu_rd;", 0);
	assert_null(strstr(s, "the 2026 bail-out"));
	/* The properties' SPIN commands are in the header. */
	at(s, "spin -a -DP_LIVELOCK model.pml && gcc -O2 -DNP -o pan pan.c && ./pan -l -f", 0);
	pml_buf_free(&b1);
	pml_buf_free(&b2);

	/* The bail-out variant has the loop exit; --policy replaces the decisions. */
	assert_int_equal(export_scenario("memslot-race-bailout.yaml", NULL, &b1, &err), 0);
	at(b1.s, "slot_invalid & pslot[fp] -> fr = PF_RETRY   /* the 2026 bail-out", 0);
	pml_buf_free(&b1);
	assert_int_equal(export_scenario("memslot-race.yaml", "zero-tolerance", &b1, &err), 0);
	d = at(b1.s, "inline DECIDE_REMOVE_TDH_MEM_RANGE_BLOCK(s, a) {", 0);
	at(b1.s, "s == ST_OPERAND_BUSY_RCX && a >= 0 -> act = A_BUG", d);
	pml_buf_free(&b1);
}

static void test_scenario_errors(void **state)
{
	(void)state;
	struct pml_buf b = { 0 };
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	assert_int_equal(export_scenario("unsupported.yaml", NULL, &b, &err), -1);
	/* file:line of the actor that cannot be expressed */
	assert_non_null(strstr(err.msg, "unsupported.yaml:9: host program 'td_teardown' cannot be expressed"));
	assert_null(b.s);
}

static void test_prop_runs(void **state)
{
	(void)state;
	struct pml_prop_run r;
	assert_true(tdxsim_promela_prop_run(TDXSIM_PROP_DEADLOCK, &r));
	assert_string_equal(r.cc, "-DSAFETY");
	assert_true(tdxsim_promela_prop_run(TDXSIM_PROP_LIVELOCK, &r));
	assert_string_equal(r.cc, "-DNP");
	assert_string_equal(r.define, "-DP_LIVELOCK");
	assert_true(tdxsim_promela_prop_run(TDXSIM_PROP_VM_BUG, &r));
	assert_non_null(strstr(r.pan, "-E"));
	assert_false(tdxsim_promela_prop_run(TDXSIM_PROP_INVARIANTS, &r));
	assert_false(tdxsim_promela_prop_run(TDXSIM_PROP_MAPGPA, &r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aug_lock_steps_in_table_order),
		cmocka_unit_test(test_accept_is_guest_side),
		cmocka_unit_test(test_instruction_atomicity_and_width),
		cmocka_unit_test(test_unsupported_names_have_a_table_line),
		cmocka_unit_test(test_scenario_export),
		cmocka_unit_test(test_scenario_errors),
		cmocka_unit_test(test_prop_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
