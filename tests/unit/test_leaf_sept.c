/* SPDX-License-Identifier: MIT */
/*
 * TDH.MEM.SEPT.ADD, TDH.MEM.SEPT.REMOVE, TDH.MEM.SEPT.RD (reference §3, §5, §9.4):
 * entry values bit for bit, PAMT types/owners, chldcnt, every error path in the
 * module's order with its output registers, and the BUSY paths.
 */
#include "helpers/sept_fx.h"
#include "module/sept_ops.h"

/* SEPT levels for GPA0 (1 GB): root entry 0 (level 3) -> PDPT page, entry 1
 * (level 2) -> PD page, entry 0 (level 1) -> PT page. */
static uint64_t add_level(struct sfx *s, uint64_t gpa, unsigned level)
{
	uint64_t page = fx_page(s->f);
	uint64_t aligned = gpa & ~(sept_level_bytes(level) - 1);
	sfx_ok(s, LEAF_MEM_SEPT_ADD, GPA_LEVEL(aligned, level), page);
	return page;
}

static void test_sept_add_levels(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 0);
	uint64_t c0 = sfx_chldcnt(&s);
	/* Before any SEPT.ADD the root page holds SEPTE_INIT_VALUE everywhere. */
	assert_int_equal(sfx_entry(&s, GPA0, 3), E_FREE);

	uint64_t p3 = add_level(&s, GPA0, 3);
	assert_int_equal(sfx_entry(&s, GPA0, 3), p3 | E_NL_MAPPED);
	sfx_assert_pamt(&s, p3, 0, TDXSIM_PT_EPT, sfx_owner(&s), 0);
	assert_int_equal(sfx_chldcnt(&s), c0 + 1);
	/* The new page is 512 SEPTE_INIT_VALUE entries. */
	struct sept_page *pg = mod_sept_page(s.m, sept_page_of_frame(s.m, mod_frame_of(s.m, p3)));
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(atomic_load(&pg->e[i]), E_FREE);

	uint64_t p2 = add_level(&s, GPA0, 2);
	uint64_t p1 = add_level(&s, GPA0, 1);
	assert_int_equal(sfx_entry(&s, GPA0, 2), p2 | E_NL_MAPPED);
	assert_int_equal(sfx_entry(&s, GPA0, 1), p1 | E_NL_MAPPED);
	assert_int_equal(sfx_entry(&s, GPA0, 0), E_FREE);
	sfx_assert_pamt(&s, p1, 0, TDXSIM_PT_EPT, sfx_owner(&s), 0);
	assert_int_equal(sfx_chldcnt(&s), c0 + 3);
	sfx_free(&s);
}

/* §9.4: SEPT.ADD writes the parent NL_MAPPED with TDEL = 1 and releases it with BTR
 * afterwards, as a separate step. */
static void test_sept_add_keeps_entry_locked(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 0);
	add_level(&s, GPA0, 3);
	add_level(&s, GPA0, 2);
	uint64_t p1 = fx_page(s.f);
	struct tdxsim_leaf_exec x;
	sfx_begin(&s, &x, 1, LEAF_MEM_SEPT_ADD, GPA_LEVEL(GPA0, 1), p1);
	sfx_step_to(&s, &x, TDXSIM_STEP_RELEASE, "SEPT_ENTRY");
	assert_int_equal(sfx_entry(&s, GPA0, 1), p1 | E_NL_MAPPED | E_TDEL);
	sfx_step(&s, &x); /* BTR bit 11 */
	assert_int_equal(sfx_entry(&s, GPA0, 1), p1 | E_NL_MAPPED);
	assert_int_equal(fx_finish(s.f, &x), TDX_SUCCESS);
	sfx_free(&s);
}

static void test_sept_add_operand_errors(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 0);
	uint64_t page = fx_page(s.f);
	const tdx_status_t inval = TDX_OPERAND_INVALID | OPERAND_ID_RCX;
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_ADD, GPA_LEVEL(GPA0, 0), page, NULL), inval); /* < LVL_PD */
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_ADD, GPA_LEVEL(0, 4), page, NULL), inval);    /* > pwl */
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_ADD, GPA_LEVEL(GPA0 + 0x1000, 1), page, NULL), inval);
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_ADD, GPA_LEVEL(GPA0 | SHARED_BIT, 1), page, NULL), inval);
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_ADD, GPA_LEVEL(GPA0, 1) | 0x8, page, NULL), inval);
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_ADD, GPA_LEVEL(1ull << 48, 3), page, NULL), inval);
	/* The new page: misaligned, outside TDX memory, or not PT_NDA (checked after its
	 * lock, §1.6).  Needs a walk that succeeds: the root entry. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_ADD, GPA_LEVEL(0, 3), page + 8, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_R8);
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_ADD, GPA_LEVEL(0, 3), 0x1000, NULL),
			 TDX_OPERAND_ADDR_RANGE_ERROR | OPERAND_ID_R8);
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_ADD, GPA_LEVEL(0, 3), s.td.tdcx[0], NULL),
			 TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_R8);
	/* The TDR as the new page: the leaf holds the TDR's PAMT entry shared itself, so
	 * the exclusive attempt is BUSY before the page type is ever looked at. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_ADD, GPA_LEVEL(0, 3), s.td.tdr, NULL),
			 TDX_OPERAND_BUSY | OPERAND_ID_R8);
	/* The entry was locked and released, untouched. */
	assert_int_equal(sfx_entry(&s, GPA0, 3), E_FREE);
	assert_int_equal(sfx_pamt(&s, page, 0)->pt, TDXSIM_PT_NDA);
	sfx_free(&s);
}

static void test_sept_add_walk_and_state_errors(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 0);
	struct tdxsim_regs out;
	uint64_t page = fx_page(s.f);
	/* Level 1 with nothing below the root: the walk stops at the FREE root entry
	 * (level 3); RCX = that entry, RDX = {level 3, state FREE (0)}. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_ADD, GPA_LEVEL(GPA0, 1), page, &out),
			 TDX_EPT_WALK_FAILED | OPERAND_ID_RCX);
	assert_int_equal(out.r[OPERAND_ID_RCX], E_FREE);
	assert_int_equal(out.r[OPERAND_ID_RDX], 3);
	uint64_t p3 = add_level(&s, GPA0, 3);
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_ADD, GPA_LEVEL(GPA0, 1), page, &out),
			 TDX_EPT_WALK_FAILED | OPERAND_ID_RCX);
	assert_int_equal(out.r[OPERAND_ID_RCX], E_FREE);
	assert_int_equal(out.r[OPERAND_ID_RDX], 2);
	/* The walk failure happens before the entry lock: no TDEL, no HP anywhere. */
	assert_int_equal(sfx_entry(&s, GPA0, 2), E_FREE);
	/* SEPT.ADD on an NL_MAPPED entry (version 0): EPT_ENTRY_STATE_INCORRECT with the
	 * entry and {level 3, state NL_MAPPED (0x84)}. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_ADD, GPA_LEVEL(0, 3), page, &out),
			 TDX_EPT_ENTRY_STATE_INCORRECT | OPERAND_ID_RCX);
	assert_int_equal(out.r[OPERAND_ID_RCX], p3 | E_NL_MAPPED);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0x8403);
	assert_int_equal(sfx_entry(&s, GPA0, 3), p3 | E_NL_MAPPED);
	/* Version 1 without allow_existing: the same. */
	assert_int_equal(fx_seamcall(s.f, 0, LEAF_V(LEAF_MEM_SEPT_ADD, 1), GPA_LEVEL(0, 3), s.td.tdr, page, 0,
				     NULL),
			 TDX_EPT_ENTRY_STATE_INCORRECT | OPERAND_ID_RCX);
	/* Version 1 with allow_existing (RDX bit 0): success, nothing added, R8 returned
	 * with bit 63 set ("not used"). */
	uint64_t c = sfx_chldcnt(&s);
	assert_int_equal(fx_seamcall(s.f, 0, LEAF_V(LEAF_MEM_SEPT_ADD, 1), GPA_LEVEL(0, 3), s.td.tdr | 1,
				     page, 0, &out),
			 TDX_SUCCESS);
	assert_int_equal(out.r[OPERAND_ID_R8], page | (1ull << 63));
	assert_int_equal(sfx_entry(&s, GPA0, 3), p3 | E_NL_MAPPED);
	assert_int_equal(sfx_chldcnt(&s), c);
	assert_int_equal(sfx_pamt(&s, page, 0)->pt, TDXSIM_PT_NDA);
	/* Version 2 does not exist. */
	assert_int_equal(fx_seamcall(s.f, 0, LEAF_V(LEAF_MEM_SEPT_ADD, 2), GPA_LEVEL(0, 3), s.td.tdr, page, 0,
				     NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RAX);
	sfx_free(&s);
}

static void test_sept_add_busy(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 0);
	add_level(&s, GPA0, 3);
	add_level(&s, GPA0, 2);
	add_level(&s, GPA0, 1);
	const uint64_t gpa2 = 0x80000000ull; /* root entry 0, PDPT entry 2: FREE */
	struct tdxsim_leaf_exec x;

	/* The tree held exclusively (a RANGE.BLOCK in progress): BUSY|SEPT_TREE. */
	sfx_begin(&s, &x, 1, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA0, 1), 0);
	fx_step_until_holds(s.f, &x, "SEPT_TREE", TDXSIM_MODE_EXCLUSIVE);
	uint64_t pa = fx_page(s.f);
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_ADD, GPA_LEVEL(gpa2, 2), pa, NULL), 0x8000020000000092ull);
	assert_int_equal(fx_finish(s.f, &x), TDX_SUCCESS);

	/* The entry locked by another SEPT.ADD: BUSY|RCX, and HP is set in the entry
	 * (§1.4); the holder's fresh NL_MAPPED store clears it. */
	sfx_begin(&s, &x, 1, LEAF_MEM_SEPT_ADD, GPA_LEVEL(gpa2, 2), pa);
	fx_step_until_holds(s.f, &x, "SEPT_ENTRY", -1);
	assert_int_equal(sfx_entry(&s, gpa2, 2), E_FREE | E_TDEL);
	uint64_t pb = fx_page(s.f);
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_ADD, GPA_LEVEL(gpa2, 2), pb, NULL), 0x8000020000000001ull);
	assert_int_equal(sfx_entry(&s, gpa2, 2), E_FREE | E_TDEL | E_HP);
	assert_int_equal(fx_finish(s.f, &x), TDX_SUCCESS);
	assert_int_equal(sfx_entry(&s, gpa2, 2), pa | E_NL_MAPPED);
	assert_int_equal(sfx_pamt(&s, pb, 0)->pt, TDXSIM_PT_NDA);

	/* The new page locked by another SEPT.ADD: BUSY|R8. */
	const uint64_t gpa3 = 0xC0000000ull;
	uint64_t pc = fx_page(s.f);
	sfx_begin(&s, &x, 1, LEAF_MEM_SEPT_ADD, GPA_LEVEL(gpa3, 2), pc);
	fx_step_until_holds(s.f, &x, "SEPT_PAGE", TDXSIM_MODE_EXCLUSIVE);
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_ADD, GPA_LEVEL(0x100000000ull, 2), pc, NULL),
			 0x8000020000000008ull);
	assert_int_equal(fx_finish(s.f, &x), TDX_SUCCESS);
	assert_int_equal(sfx_entry(&s, 0x100000000ull, 2), E_FREE);
	sfx_free(&s);
}

static void test_sept_remove_before_finalize(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 0);
	add_level(&s, GPA0, 3);
	uint64_t p2 = add_level(&s, GPA0, 2);
	uint64_t p1 = add_level(&s, GPA0, 1);
	uint64_t c = sfx_chldcnt(&s);
	struct tdxsim_regs out;
	/* Level checks: LVL_PD .. pwl. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_REMOVE, GPA_LEVEL(GPA0, 0), 0, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	/* A FREE entry: EPT_ENTRY_STATE_INCORRECT with the details. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_REMOVE, GPA_LEVEL(0x80000000ull, 2), 0, &out),
			 TDX_EPT_ENTRY_STATE_INCORRECT | OPERAND_ID_RCX);
	assert_int_equal(out.r[OPERAND_ID_RCX], E_FREE);
	assert_int_equal(out.r[OPERAND_ID_RDX], 2);
	/* A non-empty child page: TDX_EPT_PAGE_NOT_FREE (the PD page holds the PT). */
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_REMOVE, GPA_LEVEL(GPA0, 2), 0, NULL),
			 TDX_EPT_PAGE_NOT_FREE | OPERAND_ID_RCX);
	assert_int_equal(sfx_entry(&s, GPA0, 2), p2 | E_NL_MAPPED);
	/* Before MR.FINALIZE no BLOCK/TRACK is needed (§5.3). */
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_REMOVE, GPA_LEVEL(GPA0, 1), 0, &out), TDX_SUCCESS);
	assert_int_equal(out.r[OPERAND_ID_RCX], p1);
	assert_int_equal(sfx_entry(&s, GPA0, 1), E_FREE);
	assert_int_equal(sfx_pamt(&s, p1, 0)->pt, TDXSIM_PT_NDA);
	assert_int_equal(sfx_chldcnt(&s), c - 1);
	/* A PT page with a page in it. */
	uint64_t p1b = add_level(&s, GPA0, 1);
	fx_td_add_page(s.f, &s.td, GPA0 + 0x5000);
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_REMOVE, GPA_LEVEL(GPA0, 1), 0, NULL),
			 TDX_EPT_PAGE_NOT_FREE | OPERAND_ID_RCX);
	assert_int_equal(sfx_entry(&s, GPA0, 1), p1b | E_NL_MAPPED);
	sfx_free(&s);
}

static void test_sept_remove_needs_block_and_track(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 1);
	fx_td_add_page(s.f, &s.td, GPA0);
	sfx_finalize(&s);
	fx_td_sept_levels(s.f, &s.td, GPA_2M, LVL_PT);
	uint64_t pt = sept_hpa(sfx_entry(&s, GPA_2M, 1));
	uint64_t c = sfx_chldcnt(&s);
	struct tdxsim_regs out;
	/* RUNNABLE: the entry must be blocked first. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_REMOVE, GPA_LEVEL(GPA_2M, 1), 0, NULL),
			 TDX_GPA_RANGE_NOT_BLOCKED | OPERAND_ID_RCX);
	assert_int_equal(sfx_entry(&s, GPA_2M, 1), pt | E_NL_MAPPED);
	/* BLOCK: NL_BLOCKED, and the child SEPT page's BEPOCH = TD_EPOCH. */
	uint64_t epoch = sfx_epoch(&s);
	sfx_ok(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA_2M, 1), 0);
	assert_int_equal(sfx_entry(&s, GPA_2M, 1), pt | E_NL_BLOCKED);
	sfx_assert_pamt(&s, pt, 0, TDXSIM_PT_EPT, sfx_owner(&s), epoch);
	/* Blocked but not tracked: 0xC0000B0800000001. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_REMOVE, GPA_LEVEL(GPA_2M, 1), 0, NULL),
			 0xC0000B0800000001ull);
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
	assert_int_equal(sfx_epoch(&s), epoch + 1);
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_REMOVE, GPA_LEVEL(GPA_2M, 1), 0, &out), TDX_SUCCESS);
	assert_int_equal(out.r[OPERAND_ID_RCX], pt);
	assert_int_equal(sfx_entry(&s, GPA_2M, 1), E_FREE);
	assert_int_equal(sfx_pamt(&s, pt, 0)->pt, TDXSIM_PT_NDA);
	assert_int_equal(sfx_chldcnt(&s), c - 1);
	sfx_free(&s);
}

/* SEPT.REMOVE's entry lock and its child page's implicit PAMT lock. */
static void test_sept_remove_busy(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 0);
	fx_td_sept_levels(s.f, &s.td, GPA0, LVL_PT);
	struct tdxsim_leaf_exec x;
	/* SEPT.RD holds the tree shared: SEPT.REMOVE needs it exclusively. */
	sfx_begin(&s, &x, 1, LEAF_MEM_SEPT_RD, GPA_LEVEL(GPA0, 1), 0);
	fx_step_until_holds(s.f, &x, "SEPT_ENTRY", -1);
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_REMOVE, GPA_LEVEL(GPA0, 1), 0, NULL),
			 TDX_OPERAND_BUSY | OPERAND_ID_SEPT_TREE);
	assert_int_equal(fx_finish(s.f, &x), TDX_SUCCESS);
	/* The child SEPT page's PAMT entry held by someone (a PAMT walk on it: here a
	 * RECLAIM attempt, which locks it exclusively, then fails the TD state check). */
	uint64_t pt = sept_hpa(sfx_entry(&s, GPA0, 1));
	fx_begin(s.f, &x, 1, LEAF_PHYMEM_PAGE_RECLAIM, pt, 0, 0, 0);
	fx_step_until_holds(s.f, &x, "PAGE", TDXSIM_MODE_EXCLUSIVE);
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_REMOVE, GPA_LEVEL(GPA0, 1), 0, NULL),
			 TDX_OPERAND_BUSY | OPERAND_ID_RCX);
	/* That failure released the entry lock; the entry keeps no TDEL. */
	assert_int_equal(sfx_entry(&s, GPA0, 1) & E_TDEL, 0);
	assert_int_equal(fx_finish(s.f, &x), TDX_LIFECYCLE_STATE_INCORRECT);
	sfx_free(&s);
}

static void test_sept_rd(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 0);
	uint64_t page = fx_td_add_page(s.f, &s.td, GPA0);
	uint64_t pt = sept_hpa(sfx_entry(&s, GPA0, 1));
	struct tdxsim_regs out;
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_RD, GPA_LEVEL(GPA0, 0), 0, &out), TDX_SUCCESS);
	assert_int_equal(out.r[OPERAND_ID_RCX], page | E_MAPPED);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0x0400); /* level 0, MAPPED = 4 */
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_RD, GPA_LEVEL(GPA0, 1), 0, &out), TDX_SUCCESS);
	assert_int_equal(out.r[OPERAND_ID_RCX], pt | E_NL_MAPPED);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0x8401);
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_RD, GPA_LEVEL(GPA0 + 0x1000, 0), 0, &out), TDX_SUCCESS);
	assert_int_equal(out.r[OPERAND_ID_RCX], E_FREE);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0);
	/* The lock bits are not architectural: an HP left by a failed host is hidden
	 * (and the successful host acquire clears it). */
	atomic_fetch_or(sfx_entry_ptr(&s, GPA0, 0), E_HP);
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_RD, GPA_LEVEL(GPA0, 0), 0, &out), TDX_SUCCESS);
	assert_int_equal(out.r[OPERAND_ID_RCX], page | E_MAPPED);
	assert_int_equal(sfx_entry(&s, GPA0, 0), page | E_MAPPED);
	/* Walk failure below a missing level. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_RD, GPA_LEVEL(0x80000000ull, 0), 0, &out),
			 TDX_EPT_WALK_FAILED | OPERAND_ID_RCX);
	assert_int_equal(out.r[OPERAND_ID_RCX], E_FREE);
	assert_int_equal(out.r[OPERAND_ID_RDX], 2);
	sfx_free(&s);
}

/* sept_state_in's argument names resolve to the right state indices (the table
 * keeps them as names; the resolver has a fast path). */
static void test_state_names_resolve(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 0);
	struct tdxsim_step st;
	memset(&st, 0, sizeof(st));
	struct tdxsim_leaf_exec x;
	memset(&x, 0, sizeof(x));
	static const char *names[16] = {
		"FREE", "REMOVED", "NL_MAPPED", "NL_BLOCKED", "MAPPED", "BLOCKED", "BLOCKEDW",
		"EXPORTED_BLOCKEDW", "EXPORTED_DIRTY", "EXPORTED_DIRTY_BLOCKEDW", "PENDING",
		"PENDING_BLOCKED", "PENDING_BLOCKEDW", "PENDING_EXPORTED_BLOCKEDW",
		"PENDING_EXPORTED_DIRTY", "PENDING_EXPORTED_DIRTY_BLOCKEDW",
	};
	for (unsigned i = 0; i < 16; i++) {
		st.args[0] = (char *)names[i];
		st.nargs = 1;
		assert_int_equal(sept_step_state_mask(s.m, &x, &st), 1u << i);
	}
	for (unsigned i = 0; i < 16; i++)
		st.args[i] = (char *)names[i];
	st.nargs = 16;
	assert_int_equal(sept_step_state_mask(s.m, &x, &st), 0xFFFF);
	sfx_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sept_add_levels),
		cmocka_unit_test(test_sept_add_keeps_entry_locked),
		cmocka_unit_test(test_sept_add_operand_errors),
		cmocka_unit_test(test_sept_add_walk_and_state_errors),
		cmocka_unit_test(test_sept_add_busy),
		cmocka_unit_test(test_sept_remove_before_finalize),
		cmocka_unit_test(test_sept_remove_needs_block_and_track),
		cmocka_unit_test(test_sept_remove_busy),
		cmocka_unit_test(test_sept_rd),
		cmocka_unit_test(test_state_names_resolve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
