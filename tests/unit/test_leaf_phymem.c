/* SPDX-License-Identifier: MIT */
/*
 * Physical-memory leaves (reference §3): TDH.PHYMEM.CACHE.WB (interruptible,
 * per-package WBT mutex, KOT shared), TDH.PHYMEM.PAGE.RECLAIM (page lock first,
 * then the owner TDR) and TDH.PHYMEM.PAGE.WBINVD; and the teardown of whole TDs
 * back to a module state equal, byte for byte, to the freshly booted one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/fixture.h"

#include "engine/world_internal.h"
#include "module/mod.h"
#include "module/pamt.h"
#include "module/sept_walk.h"

#define INVALID(op) (TDX_OPERAND_INVALID | (uint64_t)(op))
#define METADATA_INCORRECT(op) (TDX_PAGE_METADATA_INCORRECT | (uint64_t)(op))
#define BUSY_KOT 0x80000200000000BAull
#define BUSY_WBCACHE 0x80000200000000BCull
#define BUSY_TDR 0x8000020000000080ull

static struct td_obj *TD(struct fx *f, const struct fx_td *td)
{
	return mod_td(fx_mod(f), fx_td_index(f, td));
}

static struct pamt_entry *P4K(struct fx *f, uint64_t hpa)
{
	uint32_t fr = mod_frame_of(fx_mod(f), hpa);
	assert_int_not_equal(fr, UINT32_MAX);
	return mod_pamt(fx_mod(f), PAMT_4K, fr);
}

static uint16_t lockw(struct fx *f, uint64_t hpa, enum pamt_level lvl)
{
	return atomic_load(&pamt_entry_of(fx_mod(f), mod_frame_of(fx_mod(f), hpa), lvl)->lock);
}

static struct fx *booted(const struct tdxsim_module_config *cfg)
{
	struct fx *f = fx_new(NULL, cfg);
	fx_boot(f);
	return f;
}

static uint8_t wbinvd_bitmap(struct fx *f, unsigned hkid)
{
	return atomic_load(&mod_kot(fx_mod(f), hkid)->wbinvd_bitmap);
}

static bool wbt_has(struct fx *f, unsigned pkg, unsigned hkid)
{
	return (mod_wbt_hkids(fx_mod(f), pkg)[hkid / 64] >> (hkid % 64)) & 1;
}

/* ---- TDH.PHYMEM.CACHE.WB ---- */

static void cache_wb_operands(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, NULL);
	fx_expect(f, TDX_SYS_NOT_READY, 0, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0, NULL);
	fx_boot(f);
	fx_expect(f, INVALID(OPERAND_ID_RCX), 0, LEAF_PHYMEM_CACHE_WB, 2, 0, 0, 0, NULL);
	/* Nothing flushed: informational, bit 63 clear; no interruption point. */
	fx_expect(f, TDX_NO_HKID_READY_TO_WBCACHE, 0, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0, NULL);
	assert_int_equal(TDX_NO_HKID_READY_TO_WBCACHE, 0x0000082100000000ull);
	assert_int_equal(mod_wbt(fx_mod(f), 0)->intr_point, 0);
	assert_int_equal(atomic_load(&mod_wbt(fx_mod(f), 0)->lock), 0);
	assert_int_equal(atomic_load(&mod_global(fx_mod(f))->kot_lock), 0);
	/* Resume without an interrupted start. */
	fx_expect(f, TDX_WBCACHE_RESUME_ERROR, 0, LEAF_PHYMEM_CACHE_WB, 1, 0, 0, 0, NULL);
	assert_int_equal(TDX_WBCACHE_RESUME_ERROR, 0xC000082300000000ull);
	fx_free(f);
}

/* cache_wb_chunks = 2 interrupt points: start, resume -> INTERRUPTED_RESUMABLE,
 * the third call completes and clears this package's bit. */
static void cache_wb_interrupts(void **state)
{
	(void)state;
	struct fx *f = booted(NULL);
	struct tdxsim_mod *m = fx_mod(f);
	struct fx_td a, b;
	fx_td_create(f, &a, 2);
	fx_td_create(f, &b, 3);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_VPFLUSHDONE, a.tdr, 0, 0, 0, NULL);
	assert_int_equal(wbinvd_bitmap(f, 2), 3);
	/* Package 1 (LP 3). */
	fx_expect(f, TDX_INTERRUPTED_RESUMABLE, 3, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0, NULL);
	assert_int_equal(TDX_INTERRUPTED_RESUMABLE, 0x8000000300000000ull);
	assert_int_equal(mod_wbt(m, 1)->intr_point, 1);
	assert_true(wbt_has(f, 1, 2));
	assert_false(wbt_has(f, 1, 3));
	/* B is flushed after the snapshot: this write-back does not cover it. */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_VPFLUSHDONE, b.tdr, 0, 0, 0, NULL);
	/* The other package has no interruption point of its own. */
	fx_expect(f, TDX_WBCACHE_RESUME_ERROR, 0, LEAF_PHYMEM_CACHE_WB, 1, 0, 0, 0, NULL);
	fx_expect(f, TDX_INTERRUPTED_RESUMABLE, 2, LEAF_PHYMEM_CACHE_WB, 1, 0, 0, 0, NULL);
	assert_int_equal(mod_wbt(m, 1)->intr_point, 2);
	assert_int_equal(wbinvd_bitmap(f, 2), 3);
	fx_expect(f, TDX_SUCCESS, 3, LEAF_PHYMEM_CACHE_WB, 1, 0, 0, 0, NULL);
	assert_int_equal(mod_wbt(m, 1)->intr_point, 0);
	assert_int_equal(wbinvd_bitmap(f, 2), 1); /* package 1's bit cleared */
	assert_int_equal(wbinvd_bitmap(f, 3), 3); /* not in the snapshot */
	assert_false(wbt_has(f, 1, 2));
	fx_expect(f, TDX_WBCACHE_RESUME_ERROR, 3, LEAF_PHYMEM_CACHE_WB, 1, 0, 0, 0, NULL);
	/* A new start restarts from the beginning, with both HKIDs. */
	fx_expect(f, TDX_INTERRUPTED_RESUMABLE, 3, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0, NULL);
	fx_expect(f, TDX_INTERRUPTED_RESUMABLE, 3, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0, NULL);
	assert_int_equal(mod_wbt(m, 1)->intr_point, 1);
	fx_expect(f, TDX_INTERRUPTED_RESUMABLE, 3, LEAF_PHYMEM_CACHE_WB, 1, 0, 0, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 3, LEAF_PHYMEM_CACHE_WB, 1, 0, 0, 0, NULL);
	assert_int_equal(wbinvd_bitmap(f, 2), 1);
	assert_int_equal(wbinvd_bitmap(f, 3), 1);
	fx_free(f);
}

static void cache_wb_chunks_knob(void **state)
{
	(void)state;
	struct tdxsim_module_config cfg = { .n_lps = 2, .n_pkgs = 1, .n_frames = 2048, .cache_wb_chunks = 1 };
	struct fx *f = booted(&cfg);
	struct fx_td a;
	fx_td_create(f, &a, 2);
	fx_expect(f, TDX_SUCCESS, 1, LEAF_MNG_VPFLUSHDONE, a.tdr, 0, 0, 0, NULL);
	assert_int_equal(wbinvd_bitmap(f, 2), 1);
	fx_expect(f, TDX_INTERRUPTED_RESUMABLE, 1, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_PHYMEM_CACHE_WB, 1, 0, 0, 0, NULL);
	assert_int_equal(wbinvd_bitmap(f, 2), 0);
	fx_free(f);
}

/* The WBT mutex is per package: a second CACHE.WB in the same package while the
 * first holds it -> BUSY|WBCACHE; the other package is independent. */
static void cache_wb_busy_wbt(void **state)
{
	(void)state;
	struct fx *f = booted(NULL);
	struct fx_td a;
	fx_td_create(f, &a, 2);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_VPFLUSHDONE, a.tdr, 0, 0, 0, NULL);
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 0, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0);
	fx_step_until_holds(f, &x, "WBT", -1);
	assert_int_equal(atomic_load(&mod_wbt(fx_mod(f), 0)->lock), 1);
	fx_expect(f, BUSY_WBCACHE, 1, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0, NULL);
	fx_expect(f, BUSY_WBCACHE, 1, LEAF_PHYMEM_CACHE_WB, 1, 0, 0, 0, NULL);
	/* The operand check precedes the mutex. */
	fx_expect(f, INVALID(OPERAND_ID_RCX), 1, LEAF_PHYMEM_CACHE_WB, 7, 0, 0, 0, NULL);
	fx_expect(f, TDX_INTERRUPTED_RESUMABLE, 2, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0, NULL);
	assert_int_equal(fx_finish(f, &x), TDX_INTERRUPTED_RESUMABLE);
	assert_int_equal(atomic_load(&mod_wbt(fx_mod(f), 0)->lock), 0);
	fx_expect(f, TDX_INTERRUPTED_RESUMABLE, 1, LEAF_PHYMEM_CACHE_WB, 1, 0, 0, 0, NULL);
	fx_free(f);
}

/* KOT held exclusively (MNG.CREATE mid-leaf): CACHE.WB -> BUSY|KOT after taking and
 * then releasing its WBT mutex. */
static void cache_wb_busy_kot(void **state)
{
	(void)state;
	struct fx *f = booted(NULL);
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 1, LEAF_MNG_CREATE, fx_page(f), 2, 0, 0);
	fx_step_until_holds(f, &x, "KOT", TDXSIM_MODE_EXCLUSIVE);
	fx_expect(f, BUSY_KOT, 0, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0, NULL);
	assert_int_equal(atomic_load(&mod_wbt(fx_mod(f), 0)->lock), 0);
	/* The failed shared increment stays in the word until the exclusive release. */
	assert_int_equal(atomic_load(&mod_global(fx_mod(f))->kot_lock), 1 | 2);
	assert_int_equal(fx_finish(f, &x), TDX_SUCCESS);
	assert_int_equal(atomic_load(&mod_global(fx_mod(f))->kot_lock), 0);
	fx_free(f);
}

/* ---- TDH.PHYMEM.PAGE.RECLAIM ---- */

static void reclaim_errors(void **state)
{
	(void)state;
	struct fx *f = booted(NULL);
	struct tdxsim_mod *m = fx_mod(f);
	struct fx_td td;
	struct tdxsim_regs out;
	fx_td_create(f, &td, 2);
	uint64_t free_page = fx_page(f);
	uint64_t hkid_bit = 1ull << (m->lay.pa_bits - m->lay.hkid_bits);
	fx_expect(f, INVALID(OPERAND_ID_RCX), 0, LEAF_PHYMEM_PAGE_RECLAIM, td.tdr + 64, 0, 0, 0, NULL);
	fx_expect(f, INVALID(OPERAND_ID_RCX), 0, LEAF_PHYMEM_PAGE_RECLAIM, td.tdr | hkid_bit, 0, 0, 0, NULL);
	fx_expect(f, TDX_OPERAND_ADDR_RANGE_ERROR | OPERAND_ID_RCX, 0, LEAF_PHYMEM_PAGE_RECLAIM,
		  FX_SHARED_PAGE(3), 0, 0, 0, NULL);
	/* PT_NDA (and PT_RSVD): wrong page type, after the lock. */
	fx_expect(f, METADATA_INCORRECT(OPERAND_ID_RCX), 0, LEAF_PHYMEM_PAGE_RECLAIM, free_page, 0, 0, 0,
		  NULL);
	assert_int_equal(0xC000030000000001ull, METADATA_INCORRECT(OPERAND_ID_RCX));
	assert_int_equal(atomic_load(&P4K(f, free_page)->lock), 0);
	/* A TDCS page of a live TD: the outputs are set, then the owner TDR is locked
	 * and its lifecycle is not TEARDOWN. */
	fx_expect(f, TDX_LIFECYCLE_STATE_INCORRECT, 0, LEAF_PHYMEM_PAGE_RECLAIM, td.tdcx[1], 0, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RCX], TDXSIM_PT_TDCX);
	assert_int_equal(out.r[OPERAND_ID_RDX], td.tdr);
	assert_int_equal(out.r[OPERAND_ID_R8], 0);
	assert_int_equal(out.r[OPERAND_ID_R9], 0);
	assert_int_equal(P4K(f, td.tdcx[1])->pt, TDXSIM_PT_TDCX);
	assert_int_equal(lockw(f, td.tdcx[1], PAMT_4K), 0);
	assert_int_equal(lockw(f, td.tdr, PAMT_4K), 0);
	/* The TDR itself. */
	fx_expect(f, TDX_LIFECYCLE_STATE_INCORRECT, 0, LEAF_PHYMEM_PAGE_RECLAIM, td.tdr, 0, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RCX], TDXSIM_PT_TDR);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0);
	/* Still not after VPFLUSHDONE (BLOCKED). */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_VPFLUSHDONE, td.tdr, 0, 0, 0, NULL);
	fx_expect(f, TDX_LIFECYCLE_STATE_INCORRECT, 0, LEAF_PHYMEM_PAGE_RECLAIM, td.tdcx[1], 0, 0, 0, NULL);
	assert_int_equal(atomic_load(&TD(f, &td)->chldcnt), 6);
	fx_free(f);
}

/* Teardown and reclaim of every page: the TDR last (with children ->
 * TD_ASSOCIATED_PAGES_EXIST), the SEPT root freed with its TDCS page, and the module
 * state equal to the booted one at the end. */
static void reclaim_td(void **state)
{
	(void)state;
	struct fx *f = booted(NULL);
	struct tdxsim_mod *m = fx_mod(f);
	size_t size = tdxsim_world_size(f->w);
	void *boot = malloc(size);
	assert_non_null(boot);
	tdxsim_world_snapshot(f->w, boot);

	struct fx_td td;
	struct tdxsim_regs out;
	fx_td_create(f, &td, 2);
	uint32_t t = fx_td_index(f, &td);
	uint32_t root = mod_td(m, t)->sept_root;
	fx_td_teardown(f, &td);
	assert_int_equal(mod_td(m, t)->lifecycle, TD_TEARDOWN);
	fx_expect(f, TDX_TD_ASSOCIATED_PAGES_EXIST, 0, LEAF_PHYMEM_PAGE_RECLAIM, td.tdr, 0, 0, 0, &out);
	assert_int_equal(TDX_TD_ASSOCIATED_PAGES_EXIST, 0xC000040000000000ull);
	assert_int_equal(out.r[OPERAND_ID_RCX], TDXSIM_PT_TDR);
	for (unsigned i = 0; i < td.ntdcx; i++) {
		fx_expect(f, TDX_SUCCESS, i % 4, LEAF_PHYMEM_PAGE_RECLAIM, td.tdcx[i], 0, 0, 0, &out);
		assert_int_equal(out.r[OPERAND_ID_RCX], TDXSIM_PT_TDCX);
		assert_int_equal(out.r[OPERAND_ID_RDX], td.tdr);
		assert_int_equal(out.r[OPERAND_ID_R8], 0);
		assert_int_equal(atomic_load(&mod_td(m, t)->chldcnt), td.ntdcx - i - 1);
		struct pamt_entry *pe = P4K(f, td.tdcx[i]);
		assert_int_equal(pe->pt, TDXSIM_PT_NDA);
		assert_int_equal(pamt_owner(pe), 0);
		assert_int_equal(atomic_load(&pe->lock), 0);
		assert_int_equal(atomic_load(&mod_sept_meta(m, root)->in_use), i >= 3 ? 0 : 1);
		/* Twice: now PT_NDA. */
		fx_expect(f, METADATA_INCORRECT(OPERAND_ID_RCX), 0, LEAF_PHYMEM_PAGE_RECLAIM, td.tdcx[i], 0, 0, 0,
			  NULL);
	}
	assert_int_equal(lockw(f, td.tdr, PAMT_4K), 0);
	fx_expect(f, TDX_SUCCESS, 1, LEAF_PHYMEM_PAGE_RECLAIM, td.tdr, 0, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RCX], TDXSIM_PT_TDR);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0);
	assert_int_equal(P4K(f, td.tdr)->pt, TDXSIM_PT_NDA);
	assert_false(atomic_load(&mod_td(m, t)->in_use));
	assert_int_equal(mod_frame(m, mod_frame_of(m, td.tdr))->idx, UINT32_MAX);
	/* Every object went back: the world is the booted one, byte for byte. */
	assert_memory_equal(tdxsim_world_bytes(f->w), boot, size);
	/* And the page is a fresh TDR again. */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_CREATE, td.tdr, 2, 0, 0, NULL);
	free(boot);
	fx_free(f);
}

/* Page lock busy -> BUSY|RCX (HP set); owner TDR busy -> BUSY|TDR, the page lock
 * released (page first, then TDR: the reverse order, §9.7). */
static void reclaim_busy(void **state)
{
	(void)state;
	struct fx *f = booted(NULL);
	struct fx_td td;
	fx_td_create(f, &td, 2);
	fx_td_teardown(f, &td);
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 0, LEAF_PHYMEM_PAGE_RECLAIM, td.tdcx[0], 0, 0, 0);
	fx_step_until_holds(f, &x, "PAGE", TDXSIM_MODE_EXCLUSIVE);
	fx_expect(f, BUSY(OPERAND_ID_RCX), 1, LEAF_PHYMEM_PAGE_RECLAIM, td.tdcx[0], 0, 0, 0, NULL);
	assert_int_equal(lockw(f, td.tdcx[0], PAMT_4K), 1 | 2);
	assert_int_equal(fx_finish(f, &x), TDX_SUCCESS);
	assert_int_equal(lockw(f, td.tdcx[0], PAMT_4K), 2);

	/* The owner TDR held exclusively (KEY.FREEID mid-leaf; it will fail its lifecycle
	 * check later). */
	fx_begin(f, &x, 0, LEAF_MNG_KEY_FREEID, td.tdr, 0, 0, 0);
	fx_step_until_holds(f, &x, "TDR", TDXSIM_MODE_EXCLUSIVE);
	struct tdxsim_regs out;
	fx_expect(f, BUSY_TDR, 1, LEAF_PHYMEM_PAGE_RECLAIM, td.tdcx[1], 0, 0, 0, &out);
	assert_int_equal(BUSY(OPERAND_ID_TDR), BUSY_TDR);
	assert_int_equal(out.r[OPERAND_ID_RCX], TDXSIM_PT_TDCX); /* outputs set before the TDR lock */
	assert_int_equal(lockw(f, td.tdcx[1], PAMT_4K), 0);
	assert_int_equal(lockw(f, td.tdr, PAMT_4K), 1 | 2 | 4); /* host sh on ex: +4, HP */
	assert_int_equal(P4K(f, td.tdcx[1])->pt, TDXSIM_PT_TDCX);
	assert_int_equal(fx_finish(f, &x), TDX_LIFECYCLE_STATE_INCORRECT);
	assert_int_equal(lockw(f, td.tdr, PAMT_4K), 2);
	fx_expect(f, TDX_SUCCESS, 1, LEAF_PHYMEM_PAGE_RECLAIM, td.tdcx[1], 0, 0, 0, NULL);
	assert_int_equal(lockw(f, td.tdr, PAMT_4K), 0);
	fx_free(f);
}

/* A 2M leaf (fabricated in the PAMT of a TD in teardown): named by an unaligned
 * HPA -> OPERAND_INVALID|RCX after the outputs are set; aligned -> reclaimed,
 * chldcnt -= 512. */
static void reclaim_2m(void **state)
{
	(void)state;
	struct fx *f = booted(NULL);
	struct tdxsim_mod *m = fx_mod(f);
	struct fx_td td;
	struct tdxsim_regs out;
	fx_td_create(f, &td, 2);
	fx_td_teardown(f, &td);
	uint64_t big = fx_page_2m(f);
	struct pamt_entry *p2m = pamt_entry_of(m, mod_frame_of(m, big), PAMT_2M);
	p2m->pt = TDXSIM_PT_REG;
	pamt_set_owner(p2m, td.tdr >> 12);
	struct td_obj *t = TD(f, &td);
	atomic_fetch_add(&t->chldcnt, 512);
	fx_expect(f, INVALID(OPERAND_ID_RCX), 0, LEAF_PHYMEM_PAGE_RECLAIM, big + 4096, 0, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RCX], TDXSIM_PT_REG);
	assert_int_equal(out.r[OPERAND_ID_RDX], td.tdr);
	assert_int_equal(out.r[OPERAND_ID_R8], 1);
	assert_int_equal(atomic_load(&p2m->lock), 0);
	assert_int_equal(atomic_load(&t->chldcnt), 6 + 512);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_PHYMEM_PAGE_RECLAIM, big, 0, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], 1);
	assert_int_equal(p2m->pt, TDXSIM_PT_NDA);
	assert_int_equal(atomic_load(&t->chldcnt), 6);
	fx_free(f);
}

/* A TD with vCPUs and memory, torn down and reclaimed page by page (data pages,
 * SEPT pages, TDVPX, TDVPR, TDCS, TDR). */
static void scn_full(struct fx *f)
{
	struct fx_td td;
	fx_boot(f);
	fx_td_create(f, &td, 2);
	fx_td_vcpu(f, &td, 0);
	fx_td_add_page(f, &td, 0x10000);
	fx_td_finalize(f, &td);
	fx_td_aug(f, &td, 0x200000);
	fx_td_teardown(f, &td);
}

static void reclaim_full_td(void **state)
{
	(void)state;
	struct fx *f = booted(NULL);
	FX_REQUIRE(f, scn_full);
	struct tdxsim_mod *m = fx_mod(f);
	struct fx_td td;
	fx_td_create(f, &td, 2);
	unsigned first_frame = f->next_frame;
	unsigned v0 = fx_td_vcpu(f, &td, 0);
	unsigned v1 = fx_td_vcpu(f, &td, 2);
	fx_td_add_page(f, &td, 0x10000);
	fx_td_finalize(f, &td);
	fx_td_aug(f, &td, 0x200000);
	unsigned last_frame = f->next_frame;
	struct td_obj *t = TD(f, &td);
	fx_td_teardown(f, &td);
	/* Every page the TD owns, found in the PAMT (leaves first, the TDR last). */
	unsigned reclaimed = 0;
	for (unsigned pass = 0; pass < 3; pass++) {
		for (unsigned fr = first_frame; fr < last_frame; fr++) {
			uint8_t pt = mod_pamt(m, PAMT_4K, fr)->pt;
			bool now = pass == 0 ? (pt == TDXSIM_PT_REG || pt == TDXSIM_PT_EPT)
					     : pass == 1 ? pt == TDXSIM_PT_TDCX : pt == TDXSIM_PT_TDVPR;
			if (!now)
				continue;
			struct tdxsim_regs out;
			fx_expect(f, TDX_SUCCESS, fr % 4, LEAF_PHYMEM_PAGE_RECLAIM, tdxsim_world_frame_hpa(f->w, fr), 0,
				  0, 0, &out);
			assert_int_equal(out.r[OPERAND_ID_RCX], pt);
			assert_int_equal(out.r[OPERAND_ID_RDX], td.tdr);
			reclaimed++;
		}
	}
	/* 2 x (TDVPR + TDVPX), the data pages, the SEPT pages. */
	assert_true(reclaimed >= 2 * MAX_NUM_TDVPS_PAGES + 2 + 3);
	fx_expect(f, TDX_TD_ASSOCIATED_PAGES_EXIST, 0, LEAF_PHYMEM_PAGE_RECLAIM, td.tdr, 0, 0, 0, NULL);
	for (unsigned i = 0; i < td.ntdcx; i++)
		fx_expect(f, TDX_SUCCESS, 0, LEAF_PHYMEM_PAGE_RECLAIM, td.tdcx[i], 0, 0, 0, NULL);
	assert_int_equal(atomic_load(&t->chldcnt), 0);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_PHYMEM_PAGE_RECLAIM, td.tdr, 0, 0, 0, NULL);
	/* Pools empty again. */
	for (unsigned i = 0; i < m->lay.max_tds; i++)
		assert_false(atomic_load(&mod_td(m, i)->in_use));
	for (unsigned i = 0; i < m->lay.max_vcpus; i++)
		assert_false(atomic_load(&mod_vcpu(m, i)->in_use));
	for (unsigned i = 0; i < m->lay.max_sept; i++)
		assert_false(atomic_load(&mod_sept_meta(m, i)->in_use));
	for (unsigned fr = 0; fr < m->lay.n_frames; fr++) {
		assert_int_equal(mod_pamt(m, PAMT_4K, fr)->pt, TDXSIM_PT_NDA);
		assert_int_equal(mod_frame(m, fr)->idx, UINT32_MAX);
	}
	(void)v0;
	(void)v1;
	fx_free(f);
}

/* ---- TDH.PHYMEM.PAGE.WBINVD ---- */

static void wbinvd(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, NULL);
	struct tdxsim_mod *m = fx_mod(f);
	uint64_t page = fx_page(f);
	fx_expect(f, TDX_SYS_NOT_READY, 0, LEAF_PHYMEM_PAGE_WBINVD, page, 0, 0, 0, NULL);
	fx_boot(f);
	struct fx_td td;
	struct tdxsim_regs out;
	fx_td_create(f, &td, 2);
	uint64_t hkid_pa = (uint64_t)5 << (m->lay.pa_bits - m->lay.hkid_bits);
	/* A free page flushed with an HKID: the HKID bits are not part of the PA. */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_PHYMEM_PAGE_WBINVD, page | hkid_pa, 0, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RCX], page | hkid_pa);
	assert_int_equal(lockw(f, page, PAMT_4K), 0);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_PHYMEM_PAGE_WBINVD, page, 0, 0, 0, NULL);
	/* Only PT_NDA pages. */
	fx_expect(f, METADATA_INCORRECT(OPERAND_ID_RCX), 0, LEAF_PHYMEM_PAGE_WBINVD, td.tdr | hkid_pa, 0, 0, 0,
		  NULL);
	fx_expect(f, METADATA_INCORRECT(OPERAND_ID_RCX), 0, LEAF_PHYMEM_PAGE_WBINVD, td.tdcx[0], 0, 0, 0, NULL);
	fx_expect(f, INVALID(OPERAND_ID_RCX), 0, LEAF_PHYMEM_PAGE_WBINVD, page + 8, 0, 0, 0, NULL);
	fx_expect(f, TDX_OPERAND_ADDR_RANGE_ERROR | OPERAND_ID_RCX, 0, LEAF_PHYMEM_PAGE_WBINVD,
		  FX_SHARED_PAGE(3), 0, 0, 0, NULL);
	fx_free(f);
}

/* WBINVD takes the 4K entry shared: two at once succeed; a page held exclusively
 * (MNG.CREATE's TDR lock) -> BUSY|RCX before the page-type check. */
static void wbinvd_busy(void **state)
{
	(void)state;
	struct fx *f = booted(NULL);
	uint64_t page = fx_page(f);
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 0, LEAF_PHYMEM_PAGE_WBINVD, page, 0, 0, 0);
	fx_step_until_holds(f, &x, "PAGE", TDXSIM_MODE_SHARED);
	fx_expect(f, TDX_SUCCESS, 1, LEAF_PHYMEM_PAGE_WBINVD, page, 0, 0, 0, NULL);
	fx_expect(f, BUSY(OPERAND_ID_RCX), 1, LEAF_MNG_CREATE, page, 2, 0, 0, NULL);
	assert_int_equal(fx_finish(f, &x), TDX_SUCCESS);
	assert_int_equal(lockw(f, page, PAMT_4K), 2); /* CREATE's HP */

	fx_begin(f, &x, 0, LEAF_MNG_CREATE, page, 2, 0, 0);
	fx_step_until_holds(f, &x, "TDR", TDXSIM_MODE_EXCLUSIVE);
	fx_expect(f, BUSY(OPERAND_ID_RCX), 1, LEAF_PHYMEM_PAGE_WBINVD, page, 0, 0, 0, NULL);
	assert_int_equal(lockw(f, page, PAMT_4K), 1 | 2 | 4);
	assert_int_equal(fx_finish(f, &x), TDX_SUCCESS);
	/* Now a TDR: the type is wrong once the lock is free. */
	fx_expect(f, METADATA_INCORRECT(OPERAND_ID_RCX), 1, LEAF_PHYMEM_PAGE_WBINVD, page, 0, 0, 0, NULL);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cache_wb_operands),
		cmocka_unit_test(cache_wb_interrupts),
		cmocka_unit_test(cache_wb_chunks_knob),
		cmocka_unit_test(cache_wb_busy_wbt),
		cmocka_unit_test(cache_wb_busy_kot),
		cmocka_unit_test(reclaim_errors),
		cmocka_unit_test(reclaim_td),
		cmocka_unit_test(reclaim_busy),
		cmocka_unit_test(reclaim_2m),
		cmocka_unit_test(reclaim_full_td),
		cmocka_unit_test(wbinvd),
		cmocka_unit_test(wbinvd_busy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
