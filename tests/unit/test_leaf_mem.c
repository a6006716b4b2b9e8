/* SPDX-License-Identifier: MIT */
/*
 * TDH.MEM.PAGE.ADD / AUG / REMOVE, TDH.MEM.RANGE.BLOCK / UNBLOCK, TDH.MEM.TRACK,
 * TDH.MEM.RD / WR, TDH.MEM.PAGE.DEMOTE / PROMOTE / RELOCATE (reference §3, §5.2,
 * §5.3, §6, §9): entry values bit for bit, PAMT, chldcnt, TLB epochs, errors in the
 * module's order, BUSY paths with the exact status.
 */
#include "helpers/sept_fx.h"

enum { LEAF_MEM_PAGE_RELOCATE = 5 }; /* not in fixture.h */
static const uint64_t PRIVATE_HKID_BITS = 2ull << (52 - 6); /* HKID 2 in PA bits 51:46 */

/* ---- PAGE.ADD ---- */

static void test_page_add(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 0);
	fx_td_sept_levels(s.f, &s.td, GPA0, LVL_PT);
	uint64_t c = sfx_chldcnt(&s), mrtd = sfx_td(&s)->mrtd;
	uint64_t page = fx_page(s.f);
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_MEM_PAGE_ADD, GPA_LEVEL(GPA0, 0), s.td.tdr, page, FX_SOURCE_PA, NULL);
	assert_int_equal(sfx_entry(&s, GPA0, 0), page | E_MAPPED);
	sfx_assert_pamt(&s, page, 0, TDXSIM_PT_REG, sfx_owner(&s), 0);
	assert_int_equal(sfx_chldcnt(&s), c + 1);
	assert_int_not_equal(sfx_td(&s)->mrtd, mrtd);

	struct tdxsim_regs out;
	uint64_t other = fx_page(s.f);
	/* The entry is not FREE; checked before the source page (order of §3). */
	assert_int_equal(fx_seamcall(s.f, 0, LEAF_MEM_PAGE_ADD, GPA_LEVEL(GPA0, 0), s.td.tdr, other,
				     FX_SOURCE_PA | PRIVATE_HKID_BITS, &out),
			 TDX_EPT_ENTRY_STATE_INCORRECT | OPERAND_ID_RCX);
	assert_int_equal(out.r[OPERAND_ID_RCX], page | E_MAPPED);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0x0400);
	/* 4K only. */
	assert_int_equal(fx_seamcall(s.f, 0, LEAF_MEM_PAGE_ADD, GPA_LEVEL(GPA0, 1), s.td.tdr, other,
				     FX_SOURCE_PA, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	/* The source must be a shared page: a private HKID, or misaligned -> |R9. */
	assert_int_equal(fx_seamcall(s.f, 0, LEAF_MEM_PAGE_ADD, GPA_LEVEL(GPA0 + 0x1000, 0), s.td.tdr, other,
				     FX_SOURCE_PA | PRIVATE_HKID_BITS, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_R9);
	assert_int_equal(fx_seamcall(s.f, 0, LEAF_MEM_PAGE_ADD, GPA_LEVEL(GPA0 + 0x1000, 0), s.td.tdr, other,
				     FX_SOURCE_PA + 8, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_R9);
	/* The target must be PT_NDA. */
	assert_int_equal(fx_seamcall(s.f, 0, LEAF_MEM_PAGE_ADD, GPA_LEVEL(GPA0 + 0x1000, 0), s.td.tdr, page,
				     FX_SOURCE_PA, NULL),
			 TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_R8);
	/* No PT page for the GPA: the unlocked walk fails with the details. */
	assert_int_equal(fx_seamcall(s.f, 0, LEAF_MEM_PAGE_ADD, GPA_LEVEL(0x80000000ull, 0), s.td.tdr, other,
				     FX_SOURCE_PA, &out),
			 TDX_EPT_WALK_FAILED | OPERAND_ID_RCX);
	assert_int_equal(out.r[OPERAND_ID_RCX], E_FREE);
	assert_int_equal(out.r[OPERAND_ID_RDX], 2);
	assert_int_equal(sfx_entry(&s, GPA0 + 0x1000, 0), E_FREE);
	assert_int_equal(sfx_chldcnt(&s), c + 1);
	sfx_free(&s);
}

/* PAGE.ADD holds the TDR exclusively: any SEPT leaf in progress (TDR shared) makes
 * it BUSY|RDX; and it writes the entry without its lock, halting if TDEL is set. */
static void test_page_add_tdr_busy_and_tdel_halt(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 0);
	fx_td_sept_levels(s.f, &s.td, GPA0, LVL_PT);
	struct tdxsim_leaf_exec x;
	sfx_begin(&s, &x, 1, LEAF_MEM_SEPT_RD, GPA_LEVEL(GPA0, 0), 0);
	fx_step_until_holds(s.f, &x, "SEPT_ENTRY", -1);
	uint64_t page = fx_page(s.f);
	assert_int_equal(fx_seamcall(s.f, 0, LEAF_MEM_PAGE_ADD, GPA_LEVEL(GPA0, 0), s.td.tdr, page,
				     FX_SOURCE_PA, NULL),
			 0x8000020000000002ull);
	assert_int_equal(fx_finish(s.f, &x), TDX_SUCCESS);
	/* §9.4: TDEL found set -> module halt (VMFAILINVALID from then on). */
	atomic_fetch_or(sfx_entry_ptr(&s, GPA0, 0), E_TDEL);
	assert_int_equal(fx_seamcall(s.f, 0, LEAF_MEM_PAGE_ADD, GPA_LEVEL(GPA0, 0), s.td.tdr, page,
				     FX_SOURCE_PA, NULL),
			 TDX_SEAMCALL_VMFAILINVALID);
	assert_true(tdxsim_world_halted(s.f->w, NULL, 0));
	assert_int_equal(sfx_call(&s, LEAF_MEM_SEPT_RD, GPA_LEVEL(GPA0, 0), 0, NULL), TDX_SEAMCALL_VMFAILINVALID);
	fx_free(s.f);
}

/* ---- PAGE.AUG ---- */

static void runnable(struct sfx *s, unsigned nvcpus)
{
	sfx_init(s, nvcpus);
	fx_td_add_page(s->f, &s->td, GPA0);
	sfx_finalize(s);
}

static void test_page_aug_4k(void **state)
{
	(void)state;
	struct sfx s;
	runnable(&s, 1);
	uint64_t c = sfx_chldcnt(&s);
	uint64_t page = fx_page(s.f);
	sfx_ok(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA0 + 0x1000, 0), page);
	assert_int_equal(sfx_entry(&s, GPA0 + 0x1000, 0), page | E_PENDING);
	sfx_assert_pamt(&s, page, 0, TDXSIM_PT_REG, sfx_owner(&s), 0);
	assert_int_equal(sfx_chldcnt(&s), c + 1);

	struct tdxsim_regs out;
	uint64_t other = fx_page(s.f);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA0, 2), other, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	/* MAPPED (PAGE.ADD) and PENDING entries are not FREE/REMOVED. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA0, 0), other, &out),
			 TDX_EPT_ENTRY_STATE_INCORRECT | OPERAND_ID_RCX);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0x0400);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA0 + 0x1000, 0), other, &out),
			 TDX_EPT_ENTRY_STATE_INCORRECT | OPERAND_ID_RCX);
	assert_int_equal(out.r[OPERAND_ID_RCX], page | E_PENDING);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0x0200);
	/* The page must be PT_NDA: after the entry lock (§1.6 order). */
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA0 + 0x2000, 0), page, NULL),
			 TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_R8);
	assert_int_equal(sfx_entry(&s, GPA0 + 0x2000, 0), E_FREE);
	/* Walk failure: RCX/RDX details of where it stopped. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(0x80000000ull, 0), other, &out),
			 0xC0000B0000000001ull);
	assert_int_equal(out.r[OPERAND_ID_RCX], E_FREE);
	assert_int_equal(out.r[OPERAND_ID_RDX], 2);
	sfx_free(&s);
}

static void test_page_aug_2m(void **state)
{
	(void)state;
	struct sfx s;
	runnable(&s, 1);
	uint64_t c = sfx_chldcnt(&s);
	uint64_t p2m = fx_page_2m(s.f);
	/* Misaligned for 2M. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA_2M, 1), p2m + 0x1000, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_R8);
	sfx_ok(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA_2M, 1), p2m);
	assert_int_equal(sfx_entry(&s, GPA_2M, 1), p2m | E_PENDING);
	sfx_assert_pamt(&s, p2m, 1, TDXSIM_PT_REG, sfx_owner(&s), 0);
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(sfx_pamt(&s, p2m + i * 4096ull, 0)->pt, TDXSIM_PT_NDA);
	assert_int_equal(sfx_chldcnt(&s), c + 512);

	/* A 2M range with one 4K page in use: TDX_PAGE_METADATA_INCORRECT|R8. */
	uint64_t r = fx_page_2m(s.f);
	sfx_ok(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA0 + 0x2000, 0), r + 0x3000);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(0x40400000ull, 1), r, NULL),
			 TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_R8);
	assert_int_equal(sfx_entry(&s, 0x40400000ull, 1), E_FREE);
	/* A 4K page inside a 2M PT_REG page: the PAMT walk stops at the 2M leaf, whose
	 * size is not the 4K asked for. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA0 + 0x3000, 0), p2m + 0x5000, NULL),
			 TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_R8);
	sfx_free(&s);
}

static void test_page_aug_busy(void **state)
{
	(void)state;
	struct sfx s;
	runnable(&s, 1);
	const uint64_t g1 = GPA0 + 0x1000;
	struct tdxsim_leaf_exec x;
	uint64_t page = fx_page(s.f);

	/* The tree held exclusively by a RANGE.BLOCK: 0x8000020000000092. */
	sfx_begin(&s, &x, 1, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA0, 0), 0);
	fx_step_until_holds(s.f, &x, "SEPT_TREE", TDXSIM_MODE_EXCLUSIVE);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(g1, 0), page, NULL), 0x8000020000000092ull);
	assert_int_equal(fx_finish(s.f, &x), TDX_SUCCESS);

	/* The entry locked by another leaf (SEPT.RD): 0x8000020000000001, HP set in the
	 * entry (bit 52), and it survives the holder's BTR release. */
	sfx_begin(&s, &x, 1, LEAF_MEM_SEPT_RD, GPA_LEVEL(g1, 0), 0);
	fx_step_until_holds(s.f, &x, "SEPT_ENTRY", -1);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(g1, 0), page, NULL), 0x8000020000000001ull);
	assert_int_equal(sfx_entry(&s, g1, 0), E_FREE | E_TDEL | E_HP);
	assert_int_equal(sfx_pamt(&s, page, 0)->pt, TDXSIM_PT_NDA);
	assert_int_equal(fx_finish(s.f, &x), TDX_SUCCESS);
	assert_int_equal(sfx_entry(&s, g1, 0), E_FREE | E_HP);
	/* The retry succeeds and its fresh PENDING store leaves neither bit. */
	sfx_ok(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(g1, 0), page);
	assert_int_equal(sfx_entry(&s, g1, 0), page | E_PENDING);

	/* The target page locked by another AUG: BUSY|R8 (0x8000020000000008). */
	uint64_t p2 = fx_page(s.f);
	sfx_begin(&s, &x, 1, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA0 + 0x3000, 0), p2);
	fx_step_until_holds(s.f, &x, "PAGE", TDXSIM_MODE_EXCLUSIVE);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA0 + 0x4000, 0), p2, NULL),
			 0x8000020000000008ull);
	assert_int_equal(sfx_entry(&s, GPA0 + 0x4000, 0), E_FREE);
	assert_int_equal(fx_finish(s.f, &x), TDX_SUCCESS);
	assert_int_equal(sfx_entry(&s, GPA0 + 0x3000, 0), p2 | E_PENDING);
	sfx_free(&s);
}

/* ---- BLOCK / UNBLOCK ---- */

static void test_block_unblock(void **state)
{
	(void)state;
	struct sfx s;
	runnable(&s, 1);
	uint64_t page = sept_hpa(sfx_entry(&s, GPA0, 0));
	struct tdxsim_regs out;
	uint64_t epoch = sfx_epoch(&s);
	sfx_ok(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA0, 0), 0);
	assert_int_equal(sfx_entry(&s, GPA0, 0), page | E_BLOCKED);
	sfx_assert_pamt(&s, page, 0, TDXSIM_PT_REG, sfx_owner(&s), epoch);
	/* BLOCK twice: not an error (bit 63 clear), with the details. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA0, 0), 0, &out), 0x00000B0700000001ull);
	assert_int_equal(out.r[OPERAND_ID_RCX], page | E_BLOCKED);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0x0100);
	/* RUNNABLE: UNBLOCK needs the BLOCK epoch tracked. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_RANGE_UNBLOCK, GPA_LEVEL(GPA0, 0), 0, NULL), 0xC0000B0800000001ull);
	assert_int_equal(sfx_entry(&s, GPA0, 0), page | E_BLOCKED);
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
	sfx_ok(&s, LEAF_MEM_RANGE_UNBLOCK, GPA_LEVEL(GPA0, 0), 0);
	assert_int_equal(sfx_entry(&s, GPA0, 0), page | E_MAPPED);
	/* UNBLOCK of a MAPPED entry, BLOCK of a FREE one. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_RANGE_UNBLOCK, GPA_LEVEL(GPA0, 0), 0, &out),
			 TDX_EPT_ENTRY_STATE_INCORRECT | OPERAND_ID_RCX);
	assert_int_equal(out.r[OPERAND_ID_RCX], page | E_MAPPED);
	assert_int_equal(sfx_call(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA0 + 0x1000, 0), 0, &out),
			 TDX_EPT_ENTRY_STATE_INCORRECT | OPERAND_ID_RCX);
	assert_int_equal(out.r[OPERAND_ID_RCX], E_FREE);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0);
	/* PENDING <-> PENDING_BLOCKED, BEPOCH at the current epoch. */
	uint64_t p = fx_td_aug(s.f, &s.td, GPA0 + 0x1000);
	epoch = sfx_epoch(&s);
	sfx_ok(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA0 + 0x1000, 0), 0);
	assert_int_equal(sfx_entry(&s, GPA0 + 0x1000, 0), p | E_PENDING_BLOCKED);
	sfx_assert_pamt(&s, p, 0, TDXSIM_PT_REG, sfx_owner(&s), epoch);
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
	sfx_ok(&s, LEAF_MEM_RANGE_UNBLOCK, GPA_LEVEL(GPA0 + 0x1000, 0), 0);
	assert_int_equal(sfx_entry(&s, GPA0 + 0x1000, 0), p | E_PENDING);
	/* NL entries: NL_MAPPED <-> NL_BLOCKED (MT = 0, RWX = 111). */
	uint64_t pt = sept_hpa(sfx_entry(&s, GPA0, 1));
	sfx_ok(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA0, 1), 0);
	assert_int_equal(sfx_entry(&s, GPA0, 1), pt | E_NL_BLOCKED);
	/* Below a blocked non-leaf entry the walk stops: BLOCK of the leaf fails. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA0, 0), 0, &out),
			 TDX_EPT_WALK_FAILED | OPERAND_ID_RCX);
	assert_int_equal(out.r[OPERAND_ID_RCX], pt | E_NL_BLOCKED);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0x8101);
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
	sfx_ok(&s, LEAF_MEM_RANGE_UNBLOCK, GPA_LEVEL(GPA0, 1), 0);
	assert_int_equal(sfx_entry(&s, GPA0, 1), pt | E_NL_MAPPED);
	sfx_free(&s);
}

/* BLOCK keeps TDEL in its 64-bit store and releases it with BTR afterwards; the
 * BEPOCH is sampled after the store. */
static void test_block_steps(void **state)
{
	(void)state;
	struct sfx s;
	runnable(&s, 1);
	uint64_t page = sept_hpa(sfx_entry(&s, GPA0, 0));
	struct tdxsim_leaf_exec x;
	sfx_begin(&s, &x, 1, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA0, 0), 0);
	fx_step_until_holds(s.f, &x, "SEPT_ENTRY", -1);
	assert_int_equal(sfx_entry(&s, GPA0, 0), page | E_MAPPED | E_TDEL);
	sfx_step(&s, &x); /* the state checks and the body */
	assert_int_equal(sfx_entry(&s, GPA0, 0), page | E_BLOCKED | E_TDEL);
	assert_int_equal(atomic_load(&sfx_pamt(&s, page, 0)->bepoch), sfx_epoch(&s));
	assert_int_equal(fx_finish(s.f, &x), TDX_SUCCESS);
	assert_int_equal(sfx_entry(&s, GPA0, 0), page | E_BLOCKED);
	sfx_free(&s);
}

/* 1.5.01 reports UNBLOCK's TLB_TRACKING_NOT_DONE with OPERAND_ID_SEPT_TREE (§0). */
static void test_unblock_1_5_01_operand(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init_table(&s, "tdx-1.5.01.yaml", 0);
	/* A vCPU for MR.FINALIZE; 1.5.01 has only VP.INIT version 0 (§0). */
	uint64_t tdvpr = fx_page(s.f);
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_VP_CREATE, tdvpr, s.td.tdr, 0, 0, NULL);
	for (unsigned k = 0; k < MAX_NUM_TDVPS_PAGES - 1; k++)
		fx_expect(s.f, TDX_SUCCESS, 0, LEAF_VP_ADDCX, fx_page(s.f), tdvpr, 0, 0, NULL);
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_VP_INIT, tdvpr, 0, 0, 0, NULL);
	fx_td_add_page(s.f, &s.td, GPA0);
	sfx_finalize(&s);
	sfx_ok(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA0, 0), 0);
	assert_int_equal(sfx_call(&s, LEAF_MEM_RANGE_UNBLOCK, GPA_LEVEL(GPA0, 0), 0, NULL),
			 TDX_TLB_TRACKING_NOT_DONE | OPERAND_ID_SEPT_TREE);
	sfx_free(&s);
}

/* ---- PAGE.REMOVE ---- */

static void test_remove_before_finalize(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 0);
	uint64_t page = fx_td_add_page(s.f, &s.td, GPA0);
	uint64_t c = sfx_chldcnt(&s);
	struct tdxsim_regs out;
	/* Before MR.FINALIZE no BLOCK/TRACK is needed (§5.3). */
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_REMOVE, GPA_LEVEL(GPA0, 0), 0, &out), TDX_SUCCESS);
	assert_int_equal(out.r[OPERAND_ID_RCX], page);
	assert_int_equal(sfx_entry(&s, GPA0, 0), E_FREE);
	assert_int_equal(sfx_pamt(&s, page, 0)->pt, TDXSIM_PT_NDA);
	assert_int_equal(sfx_chldcnt(&s), c - 1);
	/* Not a leaf state. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_REMOVE, GPA_LEVEL(GPA0, 0), 0, &out),
			 TDX_EPT_ENTRY_STATE_INCORRECT | OPERAND_ID_RCX);
	assert_int_equal(out.r[OPERAND_ID_RCX], E_FREE);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_REMOVE, GPA_LEVEL(GPA0, 1), 0, &out),
			 TDX_EPT_ENTRY_STATE_INCORRECT | OPERAND_ID_RCX);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0x8401);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_REMOVE, GPA_LEVEL(GPA0, 3), 0, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	/* While an import is in progress the entry becomes REMOVED (TDBW|TDB|SVE), which
	 * AUG accepts again. */
	uint64_t p2 = fx_td_aug(s.f, &s.td, GPA0 + 0x1000);
	sfx_td(&s)->import_in_progress = 1;
	sfx_ok(&s, LEAF_MEM_PAGE_REMOVE, GPA_LEVEL(GPA0 + 0x1000, 0), 0);
	sfx_td(&s)->import_in_progress = 0;
	assert_int_equal(sfx_entry(&s, GPA0 + 0x1000, 0), 0x80C0000000000000ull);
	sfx_ok(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA0 + 0x1000, 0), p2);
	assert_int_equal(sfx_entry(&s, GPA0 + 0x1000, 0), p2 | E_PENDING);
	sfx_free(&s);
}

static void test_remove_needs_block_and_track(void **state)
{
	(void)state;
	struct sfx s;
	runnable(&s, 1);
	uint64_t page = fx_td_aug(s.f, &s.td, GPA0 + 0x1000);
	uint64_t c = sfx_chldcnt(&s);
	struct tdxsim_regs out;
	/* REMOVE before BLOCK. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_REMOVE, GPA_LEVEL(GPA0 + 0x1000, 0), 0, NULL),
			 0xC0000B0600000001ull);
	assert_int_equal(sfx_entry(&s, GPA0 + 0x1000, 0), page | E_PENDING);
	sfx_ok(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA0 + 0x1000, 0), 0);
	/* REMOVE after BLOCK, before TRACK. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_REMOVE, GPA_LEVEL(GPA0 + 0x1000, 0), 0, NULL),
			 0xC0000B0800000001ull);
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_REMOVE, GPA_LEVEL(GPA0 + 0x1000, 0), 0, &out), TDX_SUCCESS);
	assert_int_equal(out.r[OPERAND_ID_RCX], page);
	assert_int_equal(sfx_entry(&s, GPA0 + 0x1000, 0), E_FREE);
	assert_int_equal(sfx_pamt(&s, page, 0)->pt, TDXSIM_PT_NDA);
	assert_int_equal(sfx_chldcnt(&s), c - 1);

	/* A 2M page: chldcnt -= 512, its 2M PAMT entry back to PT_NDA. */
	uint64_t p2m = fx_page_2m(s.f);
	sfx_ok(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA_2M, 1), p2m);
	c = sfx_chldcnt(&s);
	sfx_ok(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA_2M, 1), 0);
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_REMOVE, GPA_LEVEL(GPA_2M, 1), 0, &out), TDX_SUCCESS);
	assert_int_equal(out.r[OPERAND_ID_RCX], p2m);
	assert_int_equal(sfx_entry(&s, GPA_2M, 1), E_FREE);
	assert_int_equal(sfx_pamt(&s, p2m, 1)->pt, TDXSIM_PT_NDA);
	assert_int_equal(sfx_chldcnt(&s), c - 512);
	sfx_free(&s);
}

/* The mapped page's implicit PAMT lock is reported as BUSY|RCX. */
static void test_remove_page_busy(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 0);
	uint64_t page = fx_td_add_page(s.f, &s.td, GPA0);
	struct tdxsim_leaf_exec x;
	fx_begin(s.f, &x, 1, LEAF_PHYMEM_PAGE_RECLAIM, page, 0, 0, 0);
	fx_step_until_holds(s.f, &x, "PAGE", TDXSIM_MODE_EXCLUSIVE);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_REMOVE, GPA_LEVEL(GPA0, 0), 0, NULL), 0x8000020000000001ull);
	assert_int_equal(sfx_entry(&s, GPA0, 0), page | E_MAPPED);
	assert_int_equal(fx_finish(s.f, &x), TDX_LIFECYCLE_STATE_INCORRECT);
	sfx_ok(&s, LEAF_MEM_PAGE_REMOVE, GPA_LEVEL(GPA0, 0), 0);
	sfx_free(&s);
}

/* ---- TRACK and the TLB epochs (§5.3) ---- */

static void test_track_epochs_with_running_vcpus(void **state)
{
	(void)state;
	struct sfx s;
	runnable(&s, 2);
	uint64_t page = sept_hpa(sfx_entry(&s, GPA0, 0));
	struct td_obj *td = sfx_td(&s);
	assert_int_equal(sfx_epoch(&s), 1);
	fx_td_enter(s.f, &s.td, 0); /* vCPU 0 runs in epoch 1 */
	assert_int_equal(atomic_load(&td->refcount[1]), 1);
	sfx_ok(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA0, 0), 0);
	assert_int_equal(atomic_load(&sfx_pamt(&s, page, 0)->bepoch), 1);
	/* TRACK 1 -> 2: nobody runs in epoch 0. */
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
	assert_int_equal(sfx_epoch(&s), 2);
	/* vCPU 0 entered in the BLOCK epoch and still runs: not tracked. */
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_REMOVE, GPA_LEVEL(GPA0, 0), 0, NULL), 0xC0000B0800000001ull);
	/* TRACK again: vCPU 0 is from the previous epoch. */
	fx_expect(s.f, TDX_PREVIOUS_TLB_EPOCH_BUSY, 0, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
	assert_int_equal(sfx_epoch(&s), 2);
	/* vCPU 1 enters in epoch 2: it does not hold up the removal. */
	fx_td_enter(s.f, &s.td, 1);
	assert_int_equal(atomic_load(&td->refcount[0]), 1);
	fx_td_exit(s.f, &s.td, 0, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	assert_int_equal(atomic_load(&td->refcount[1]), 0);
	sfx_ok(&s, LEAF_MEM_PAGE_REMOVE, GPA_LEVEL(GPA0, 0), 0);
	assert_int_equal(sfx_entry(&s, GPA0, 0), E_FREE);
	/* TRACK 2 -> 3 is allowed (epoch 1 is empty), 3 -> 4 is not while vCPU 1 runs. */
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
	fx_expect(s.f, TDX_PREVIOUS_TLB_EPOCH_BUSY, 0, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
	fx_td_exit(s.f, &s.td, 1, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
	assert_int_equal(sfx_epoch(&s), 4);
	sfx_free(&s);
}

/* TRACK's epoch lock against a TDH.VP.ENTER holding it shared: BUSY|TD_EPOCH. */
static void test_track_epoch_lock_busy(void **state)
{
	(void)state;
	struct sfx s;
	runnable(&s, 1);
	struct tdxsim_leaf_exec x;
	fx_begin(s.f, &x, 0, LEAF_VP_ENTER, s.td.tdvpr[0], 0, 0, 0);
	fx_step_until_holds(s.f, &x, "TD_EPOCH", TDXSIM_MODE_SHARED);
	fx_expect(s.f, 0x80000200000000A9ull, 1, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
	assert_int_equal(sfx_epoch(&s), 1);
	assert_int_equal(fx_finish(s.f, &x), TDXSIM_STATUS_ENTERED);
	fx_td_exit(s.f, &s.td, 0, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	fx_expect(s.f, TDX_SUCCESS, 1, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
	sfx_free(&s);
}

/* ---- MEM.RD / MEM.WR ---- */

static void test_mem_rd_wr(void **state)
{
	(void)state;
	struct sfx s;
	runnable(&s, 1);
	struct tdxsim_regs out;
	assert_int_equal(sfx_call(&s, LEAF_MEM_RD, GPA0, 0, NULL), TDX_TD_NON_DEBUG);
	sfx_td(&s)->attributes |= 1; /* ATTRIBUTES.DEBUG */
	assert_int_equal(sfx_call(&s, LEAF_MEM_RD, GPA0 + 8, 0, &out), TDX_SUCCESS);
	assert_int_equal(out.r[OPERAND_ID_R8], 0);
	assert_int_equal(sfx_call(&s, LEAF_MEM_WR, GPA0 + 16, 0x1234, NULL), TDX_SUCCESS);
	assert_int_equal(sfx_call(&s, LEAF_MEM_RD, GPA0 + 4, 0, NULL), TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	assert_int_equal(sfx_call(&s, LEAF_MEM_RD, GPA0 | SHARED_BIT, 0, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	assert_int_equal(sfx_call(&s, LEAF_MEM_RD, 0x80000000ull, 0, &out), TDX_EPT_WALK_FAILED | OPERAND_ID_RCX);
	assert_int_equal(out.r[OPERAND_ID_RDX], 2);
	fx_td_aug(s.f, &s.td, GPA0 + 0x1000);
	assert_int_equal(sfx_call(&s, LEAF_MEM_RD, GPA0 + 0x1000, 0, &out),
			 TDX_EPT_ENTRY_STATE_INCORRECT | OPERAND_ID_RCX);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0x0200);
	sfx_ok(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA0, 0), 0);
	assert_int_equal(sfx_call(&s, LEAF_MEM_WR, GPA0, 0, NULL), TDX_EPT_ENTRY_STATE_INCORRECT | OPERAND_ID_RCX);
	assert_int_equal(sfx_call(&s, LEAF_MEM_RD, GPA0, 0, NULL), TDX_EPT_ENTRY_STATE_INCORRECT | OPERAND_ID_RCX);
	sfx_free(&s);
}

/* ---- MR.EXTEND's walk to the leaf and its state check ---- */

static void test_mr_extend_walk(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 0);
	fx_td_add_page(s.f, &s.td, GPA0);
	struct tdxsim_regs out;
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_MR_EXTEND, GPA0 + 0x300, s.td.tdr, 0, 0, NULL);
	fx_expect(s.f, TDX_OPERAND_INVALID | OPERAND_ID_RCX, 0, LEAF_MR_EXTEND, GPA0 + 0x310, s.td.tdr, 0, 0, NULL);
	fx_expect(s.f, TDX_OPERAND_INVALID | OPERAND_ID_RCX, 0, LEAF_MR_EXTEND, GPA0 | SHARED_BIT, s.td.tdr, 0, 0,
		  NULL);
	/* No leaf: TDX_EPT_ENTRY_NOT_PRESENT|RCX with the SEPT details. */
	fx_expect(s.f, TDX_EPT_ENTRY_NOT_PRESENT | OPERAND_ID_RCX, 0, LEAF_MR_EXTEND, 0x80000000ull, s.td.tdr, 0,
		  0, &out);
	assert_int_equal(out.r[OPERAND_ID_RCX], E_FREE);
	assert_int_equal(out.r[OPERAND_ID_RDX], 2);
	/* A leaf that is not MAPPED: TDX_EPT_ENTRY_NOT_PRESENT without an operand. */
	fx_td_aug(s.f, &s.td, GPA0 + 0x1000);
	fx_expect(s.f, TDX_EPT_ENTRY_NOT_PRESENT, 0, LEAF_MR_EXTEND, GPA0 + 0x1000, s.td.tdr, 0, 0, NULL);
	fx_expect(s.f, TDX_EPT_ENTRY_NOT_PRESENT, 0, LEAF_MR_EXTEND, GPA0 + 0x2000, s.td.tdr, 0, 0, NULL);
	sfx_free(&s);
}

/* ---- DEMOTE / PROMOTE / RELOCATE (documented minimal versions) ---- */

static void test_demote_promote(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 0);
	fx_td_sept_levels(s.f, &s.td, GPA_2M, LVL_PD);
	uint64_t p2m = fx_page_2m(s.f);
	sfx_ok(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA_2M, 1), p2m);
	uint64_t c = sfx_chldcnt(&s);
	uint64_t sp = fx_page(s.f);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_DEMOTE, GPA_LEVEL(GPA_2M, 0), sp, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_DEMOTE, GPA_LEVEL(0x40400000ull, 1), sp, NULL),
			 TDX_EPT_ENTRY_STATE_INCORRECT | OPERAND_ID_RCX);
	sfx_ok(&s, LEAF_MEM_PAGE_DEMOTE, GPA_LEVEL(GPA_2M, 1), sp);
	assert_int_equal(sfx_entry(&s, GPA_2M, 1), sp | E_NL_MAPPED);
	for (unsigned i = 0; i < 512; i++) {
		assert_int_equal(sfx_entry(&s, GPA_2M + i * 4096ull, 0), (p2m + i * 4096ull) | E_PENDING);
		sfx_assert_pamt(&s, p2m + i * 4096ull, 0, TDXSIM_PT_REG, sfx_owner(&s), 0);
	}
	assert_int_equal(sfx_pamt(&s, p2m, 1)->pt, TDXSIM_PT_NDA);
	sfx_assert_pamt(&s, sp, 0, TDXSIM_PT_EPT, sfx_owner(&s), 0);
	assert_int_equal(sfx_chldcnt(&s), c + 1);
	sfx_assert_invariants(&s);

	/* PROMOTE needs 512 uniform children: one blocked child spoils it. */
	sfx_ok(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA_2M + 0x7000, 0), 0);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_PROMOTE, GPA_LEVEL(GPA_2M, 1), 0, NULL),
			 TDX_EPT_INVALID_PROMOTE_CONDITIONS);
	sfx_ok(&s, LEAF_MEM_RANGE_UNBLOCK, GPA_LEVEL(GPA_2M + 0x7000, 0), 0); /* INITIALIZED: no TRACK */
	struct tdxsim_regs out;
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_PROMOTE, GPA_LEVEL(GPA_2M, 1), 0, &out), TDX_SUCCESS);
	assert_int_equal(out.r[OPERAND_ID_RCX], sp);
	assert_int_equal(sfx_entry(&s, GPA_2M, 1), p2m | E_PENDING);
	sfx_assert_pamt(&s, p2m, 1, TDXSIM_PT_REG, sfx_owner(&s), 0);
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(sfx_pamt(&s, p2m + i * 4096ull, 0)->pt, TDXSIM_PT_NDA);
	assert_int_equal(sfx_pamt(&s, sp, 0)->pt, TDXSIM_PT_NDA);
	assert_int_equal(sfx_chldcnt(&s), c);
	/* PROMOTE of a PT page holding nothing: conditions not met, no crash. */
	fx_td_sept_levels(s.f, &s.td, GPA0, LVL_PT);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_PROMOTE, GPA_LEVEL(GPA0, 1), 0, NULL),
			 TDX_EPT_INVALID_PROMOTE_CONDITIONS);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_PROMOTE, GPA_LEVEL(0x40400000ull, 1), 0, NULL),
			 TDX_EPT_ENTRY_STATE_INCORRECT | OPERAND_ID_RCX);
	sfx_free(&s);
}

/* After finalize, PROMOTE frees a SEPT page the guest may cache: block + track. */
static void test_promote_runnable_needs_block(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 1);
	fx_td_sept_levels(s.f, &s.td, GPA_2M, LVL_PD);
	uint64_t p2m = fx_page_2m(s.f);
	sfx_ok(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA_2M, 1), p2m);
	sfx_ok(&s, LEAF_MEM_PAGE_DEMOTE, GPA_LEVEL(GPA_2M, 1), fx_page(s.f));
	fx_td_add_page(s.f, &s.td, GPA0);
	sfx_finalize(&s);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_PROMOTE, GPA_LEVEL(GPA_2M, 1), 0, NULL),
			 TDX_GPA_RANGE_NOT_BLOCKED | OPERAND_ID_RCX);
	sfx_ok(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA_2M, 1), 0);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_PROMOTE, GPA_LEVEL(GPA_2M, 1), 0, NULL),
			 TDX_TLB_TRACKING_NOT_DONE | OPERAND_ID_RCX);
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
	sfx_ok(&s, LEAF_MEM_PAGE_PROMOTE, GPA_LEVEL(GPA_2M, 1), 0);
	assert_int_equal(sfx_entry(&s, GPA_2M, 1), p2m | E_PENDING);
	sfx_free(&s);
}

static void test_relocate(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 1);
	uint64_t page = fx_td_add_page(s.f, &s.td, GPA0);
	uint64_t c = sfx_chldcnt(&s);
	uint64_t np = fx_page(s.f);
	sfx_ok(&s, LEAF_MEM_PAGE_RELOCATE, GPA_LEVEL(GPA0, 0), np);
	assert_int_equal(sfx_entry(&s, GPA0, 0), np | E_MAPPED);
	sfx_assert_pamt(&s, np, 0, TDXSIM_PT_REG, sfx_owner(&s), 0);
	assert_int_equal(sfx_pamt(&s, page, 0)->pt, TDXSIM_PT_NDA);
	assert_int_equal(sfx_chldcnt(&s), c);
	/* The target must be PT_NDA (checked after its lock). */
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_RELOCATE, GPA_LEVEL(GPA0, 0), np, NULL),
			 TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_R8);
	sfx_finalize(&s);
	uint64_t np2 = fx_page(s.f);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_RELOCATE, GPA_LEVEL(GPA0, 0), np2, NULL),
			 TDX_GPA_RANGE_NOT_BLOCKED | OPERAND_ID_RCX);
	sfx_ok(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA0, 0), 0);
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
	sfx_ok(&s, LEAF_MEM_PAGE_RELOCATE, GPA_LEVEL(GPA0, 0), np2);
	assert_int_equal(sfx_entry(&s, GPA0, 0), np2 | E_BLOCKED);
	sfx_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_add),
		cmocka_unit_test(test_page_add_tdr_busy_and_tdel_halt),
		cmocka_unit_test(test_page_aug_4k),
		cmocka_unit_test(test_page_aug_2m),
		cmocka_unit_test(test_page_aug_busy),
		cmocka_unit_test(test_block_unblock),
		cmocka_unit_test(test_block_steps),
		cmocka_unit_test(test_unblock_1_5_01_operand),
		cmocka_unit_test(test_remove_before_finalize),
		cmocka_unit_test(test_remove_needs_block_and_track),
		cmocka_unit_test(test_remove_page_busy),
		cmocka_unit_test(test_track_epochs_with_running_vcpus),
		cmocka_unit_test(test_track_epoch_lock_busy),
		cmocka_unit_test(test_mem_rd_wr),
		cmocka_unit_test(test_mr_extend_walk),
		cmocka_unit_test(test_demote_promote),
		cmocka_unit_test(test_promote_runnable_needs_block),
		cmocka_unit_test(test_relocate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
