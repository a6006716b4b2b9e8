/* SPDX-License-Identifier: MIT */
/*
 * TD management leaves (reference §3, §7.1-7.2): TDH.MNG.CREATE, KEY.CONFIG,
 * ADDCX, INIT, VPFLUSHDONE, KEY.FREEID, KEY.RECLAIMID, RD, WR, and
 * TDH.MR.EXTEND / MR.FINALIZE.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
#define BUSY_OP_STATE 0x80000200000000ACull

#define MD_NUM_TDCX 0x8010000200000002ull
#define MD_LIFECYCLE 0x8010000200000005ull
#define MD_HKID 0x8110000100000001ull
#define MD_NUM_VCPUS 0x9010000200000001ull
#define MD_OP_STATE 0x9010000200000004ull
#define MD_ATTRIBUTES 0x1110000300000000ull
#define MD_MAX_VCPUS 0x1110000200000002ull
#define MD_HP_LOCK_TIMEOUT 0x9110000300000011ull

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
	uint32_t fr = mod_frame_of(fx_mod(f), hpa);
	return atomic_load(&pamt_entry_of(fx_mod(f), fr, lvl)->lock);
}

static struct fx *booted(void)
{
	struct fx *f = fx_new(NULL, NULL);
	fx_boot(f);
	return f;
}

/* Scenarios for FX_REQUIRE: the vCPU and SEPT leaves other engineers write. */
static void scn_vcpu(struct fx *f)
{
	struct fx_td td;
	fx_boot(f);
	fx_td_create(f, &td, 2);
	fx_td_vcpu(f, &td, 0);
}

static void scn_add_page(struct fx *f)
{
	struct fx_td td;
	fx_boot(f);
	fx_td_create(f, &td, 2);
	fx_td_add_page(f, &td, 0x10000);
}

/* ---- TDH.MNG.CREATE ---- */

static void create_success(void **state)
{
	(void)state;
	struct fx *f = booted();
	struct tdxsim_mod *m = fx_mod(f);
	uint64_t tdr = fx_page(f);
	fx_expect(f, TDX_SUCCESS, 1, LEAF_MNG_CREATE, tdr, 7, 0, 0, NULL);
	struct pamt_entry *pe = P4K(f, tdr);
	assert_int_equal(pe->pt, TDXSIM_PT_TDR);
	assert_int_equal(pamt_owner(pe), 0);
	assert_int_equal(atomic_load(&pe->lock), 0);
	uint32_t t = mod_frame(m, mod_frame_of(m, tdr))->idx;
	assert_true(t < m->lay.max_tds);
	struct td_obj *td = mod_td(m, t);
	assert_true(atomic_load(&td->in_use));
	assert_int_equal(td->hkid, 7);
	assert_int_equal(td->lifecycle, TD_HKID_ASSIGNED);
	assert_int_equal(td->num_tdcx, 0);
	assert_int_equal(atomic_load(&td->chldcnt), 0);
	assert_int_equal(atomic_load(&td->op_state), OP_STATE_UNINITIALIZED);
	assert_int_equal(mod_kot(m, 7)->state, KOT_STATE_HKID_ASSIGNED);
	assert_int_equal(atomic_load(&mod_global(m)->kot_lock), 0);
	/* A second TD gets another slot. */
	uint64_t tdr2 = fx_page(f);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_CREATE, tdr2, 8, 0, 0, NULL);
	assert_int_not_equal(mod_frame(m, mod_frame_of(m, tdr2))->idx, t);
	fx_free(f);
}

static void create_errors(void **state)
{
	(void)state;
	struct fx *f = booted();
	struct tdxsim_mod *m = fx_mod(f);
	uint64_t tdr = fx_page(f);
	/* RDX: a private HKID, reserved bits 0 -- checked before the TDR. */
	fx_expect(f, INVALID(OPERAND_ID_RDX), 0, LEAF_MNG_CREATE, tdr, 0, 0, 0, NULL);
	fx_expect(f, INVALID(OPERAND_ID_RDX), 0, LEAF_MNG_CREATE, tdr, 64, 0, 0, NULL);
	fx_expect(f, INVALID(OPERAND_ID_RDX), 0, LEAF_MNG_CREATE, tdr, 2 | (1ull << 16), 0, 0, NULL);
	fx_expect(f, INVALID(OPERAND_ID_RDX), 0, LEAF_MNG_CREATE, 3, 0, 0, 0, NULL);
	/* RCX: aligned, HKID bits 0, inside an initialized TDMR, PT_NDA. */
	fx_expect(f, INVALID(OPERAND_ID_RCX), 0, LEAF_MNG_CREATE, tdr + 8, 2, 0, 0, NULL);
	uint64_t hkid_bit = 1ull << (m->lay.pa_bits - m->lay.hkid_bits);
	fx_expect(f, INVALID(OPERAND_ID_RCX), 0, LEAF_MNG_CREATE, tdr | hkid_bit, 2, 0, 0, NULL);
	fx_expect(f, TDX_OPERAND_ADDR_RANGE_ERROR | OPERAND_ID_RCX, 0, LEAF_MNG_CREATE, FX_SHARED_PAGE(9), 2,
		  0, 0, NULL);
	fx_expect(f, TDX_OPERAND_ADDR_RANGE_ERROR | OPERAND_ID_RCX, 0, LEAF_MNG_CREATE,
		  tdxsim_world_frame_hpa(f->w, 0) + 2048 * 4096ull, 2, 0, 0, NULL);
	/* The global private HKID is RESERVED: not free. */
	fx_expect(f, TDX_HKID_NOT_FREE, 0, LEAF_MNG_CREATE, tdr, FX_GLOBAL_HKID, 0, 0, NULL);
	assert_int_equal(P4K(f, tdr)->pt, TDXSIM_PT_NDA);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_CREATE, tdr, 2, 0, 0, NULL);
	/* An assigned HKID is not free either; the TDR page (fresh) stays PT_NDA and no
	 * TD object is taken. */
	uint64_t tdr2 = fx_page(f);
	fx_expect(f, TDX_HKID_NOT_FREE, 0, LEAF_MNG_CREATE, tdr2, 2, 0, 0, NULL);
	assert_int_equal(P4K(f, tdr2)->pt, TDXSIM_PT_NDA);
	assert_int_equal(atomic_load(&P4K(f, tdr2)->lock), 0);
	unsigned used = 0;
	for (unsigned i = 0; i < m->lay.max_tds; i++)
		used += atomic_load(&mod_td(m, i)->in_use);
	assert_int_equal(used, 1);
	/* The TDR page must be PT_NDA: an existing TDR -> PAGE_METADATA_INCORRECT|RCX. */
	fx_expect(f, METADATA_INCORRECT(OPERAND_ID_RCX), 0, LEAF_MNG_CREATE, tdr, 3, 0, 0, NULL);
	fx_free(f);
}

/* KOT held by another leaf -> BUSY|KOT; the TDR is released, HP not involved (KOT is
 * a plain sharex lock). */
static void create_busy_kot(void **state)
{
	(void)state;
	struct fx *f = booted();
	struct tdxsim_mod *m = fx_mod(f);
	uint64_t a = fx_page(f), b = fx_page(f);
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 0, LEAF_MNG_CREATE, a, 2, 0, 0);
	fx_step_until_holds(f, &x, "KOT", TDXSIM_MODE_EXCLUSIVE);
	fx_expect(f, BUSY_KOT, 1, LEAF_MNG_CREATE, b, 3, 0, 0, NULL);
	assert_int_equal(atomic_load(&P4K(f, b)->lock), 0);
	assert_int_equal(P4K(f, b)->pt, TDXSIM_PT_NDA);
	assert_int_equal(mod_kot(m, 3)->state, KOT_STATE_HKID_FREE);
	assert_int_equal(fx_finish(f, &x), TDX_SUCCESS);
	assert_int_equal(atomic_load(&mod_global(m)->kot_lock), 0);
	fx_expect(f, TDX_SUCCESS, 1, LEAF_MNG_CREATE, b, 3, 0, 0, NULL);
	fx_free(f);
}

/* Two CREATEs on one page: the second -> BUSY|RCX and sets HP in the 4K entry;
 * a busy lock is reported before the wrong page type (§1.6). */
static void create_busy_tdr(void **state)
{
	(void)state;
	struct fx *f = booted();
	uint64_t a = fx_page(f);
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 0, LEAF_MNG_CREATE, a, 2, 0, 0);
	fx_step_until_holds(f, &x, "TDR", TDXSIM_MODE_EXCLUSIVE);
	assert_int_equal(lockw(f, a, PAMT_4K), 1);
	assert_int_equal(lockw(f, a, PAMT_2M), 4);
	assert_int_equal(lockw(f, a, PAMT_1G), 4);
	fx_expect(f, BUSY(OPERAND_ID_RCX), 1, LEAF_MNG_CREATE, a, 3, 0, 0, NULL);
	assert_int_equal(lockw(f, a, PAMT_4K), 1 | 2);
	/* Its 2M and 1G shared holds were released. */
	assert_int_equal(lockw(f, a, PAMT_2M), 4);
	assert_int_equal(lockw(f, a, PAMT_1G), 4);
	assert_int_equal(fx_finish(f, &x), TDX_SUCCESS);
	assert_int_equal(lockw(f, a, PAMT_4K), 2); /* HP survives the exclusive release */
	assert_int_equal(lockw(f, a, PAMT_2M), 0);
	/* Now it is a TDR: the wrong type is reported once the lock is free (and the
	 * successful host acquire clears HP). */
	fx_expect(f, METADATA_INCORRECT(OPERAND_ID_RCX), 1, LEAF_MNG_CREATE, a, 3, 0, 0, NULL);
	assert_int_equal(lockw(f, a, PAMT_4K), 0);
	fx_free(f);
}

/* ---- TDH.MNG.KEY.CONFIG ---- */

static void key_config(void **state)
{
	(void)state;
	struct fx *f = booted();
	uint64_t tdr = fx_page(f);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_CREATE, tdr, 2, 0, 0, NULL);
	struct fx_td td = { .tdr = tdr, .hkid = 2 };
	struct td_obj *t = TD(f, &td);
	/* Package 0 (LP 1). */
	fx_expect(f, TDX_SUCCESS, 1, LEAF_MNG_KEY_CONFIG, tdr, 0, 0, 0, NULL);
	assert_int_equal(t->pkg_config_bitmap, 1);
	assert_int_equal(t->lifecycle, TD_HKID_ASSIGNED);
	/* Again on package 0, from either LP: informational. */
	fx_expect(f, TDX_KEY_CONFIGURED, 0, LEAF_MNG_KEY_CONFIG, tdr, 0, 0, 0, NULL);
	fx_expect(f, TDX_KEY_CONFIGURED, 1, LEAF_MNG_KEY_CONFIG, tdr, 0, 0, 0, NULL);
	/* Not yet KEYS_CONFIGURED: ADDCX refuses. */
	fx_expect(f, TDX_TD_KEYS_NOT_CONFIGURED, 0, LEAF_MNG_ADDCX, fx_page(f), tdr, 0, 0, NULL);
	/* Package 1 completes it. */
	fx_expect(f, TDX_SUCCESS, 3, LEAF_MNG_KEY_CONFIG, tdr, 0, 0, 0, NULL);
	assert_int_equal(t->pkg_config_bitmap, 3);
	assert_int_equal(t->lifecycle, TD_KEYS_CONFIGURED);
	/* The lifecycle check precedes the package check. */
	fx_expect(f, TDX_LIFECYCLE_STATE_INCORRECT, 2, LEAF_MNG_KEY_CONFIG, tdr, 0, 0, 0, NULL);
	/* TDR.fatal precedes the lifecycle. */
	t->fatal = 1;
	fx_expect(f, TDX_TD_FATAL, 2, LEAF_MNG_KEY_CONFIG, tdr, 0, 0, 0, NULL);
	assert_int_equal(TDX_TD_FATAL, 0xE000060400000000ull);
	t->fatal = 0;
	/* Not a TDR page. */
	fx_expect(f, METADATA_INCORRECT(OPERAND_ID_RCX), 0, LEAF_MNG_KEY_CONFIG, fx_page(f), 0, 0, 0, NULL);
	fx_free(f);
}

/* TDR held exclusively by KEY.CONFIG: MNG.RD -> BUSY|RCX, ADDCX -> BUSY|RDX. */
static void key_config_busy(void **state)
{
	(void)state;
	struct fx *f = booted();
	struct fx_td td;
	fx_td_create(f, &td, 2);
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 0, LEAF_MNG_KEY_CONFIG, td.tdr, 0, 0, 0);
	fx_step_until_holds(f, &x, "TDR", TDXSIM_MODE_EXCLUSIVE);
	fx_expect(f, BUSY(OPERAND_ID_RCX), 1, LEAF_MNG_RD, td.tdr, MD_HKID, 0, 0, NULL);
	fx_expect(f, BUSY(OPERAND_ID_RDX), 1, LEAF_MNG_ADDCX, fx_page(f), td.tdr, 0, 0, NULL);
	fx_expect(f, BUSY(OPERAND_ID_RCX), 1, LEAF_MNG_KEY_CONFIG, td.tdr, 0, 0, 0, NULL);
	assert_int_equal(fx_finish(f, &x), TDX_LIFECYCLE_STATE_INCORRECT);
	assert_int_equal(lockw(f, td.tdr, PAMT_4K), 2);
	fx_free(f);
}

/* ---- TDH.MNG.ADDCX ---- */

static void addcx(void **state)
{
	(void)state;
	struct fx *f = booted();
	struct tdxsim_mod *m = fx_mod(f);
	struct fx_td td;
	fx_td_create_keys(f, &td, 2);
	struct td_obj *t = TD(f, &td);
	assert_int_equal(t->sept_root, UINT32_MAX);
	for (unsigned i = 0; i < 9; i++) {
		uint64_t page = fx_page(f);
		fx_expect(f, TDX_SUCCESS, i % 4, LEAF_MNG_ADDCX, page, td.tdr, 0, 0, NULL);
		td.tdcx[td.ntdcx++] = page;
		assert_int_equal(t->num_tdcx, i + 1);
		assert_int_equal(atomic_load(&t->chldcnt), i + 1);
		assert_int_equal(t->tdcx_frame[i], mod_frame_of(m, page));
		struct pamt_entry *pe = P4K(f, page);
		assert_int_equal(pe->pt, TDXSIM_PT_TDCX);
		assert_int_equal(pamt_owner(pe) << 12, td.tdr);
		assert_int_equal(atomic_load(&pe->lock), 0);
		if (i == 3) {
			/* TDCS page 3 is the SEPT root: a SEPT page of FREE entries. */
			assert_true(t->sept_root < m->lay.max_sept);
			assert_int_equal(t->pwl, SEPT_LVL_PML4);
			struct sept_meta *sm = mod_sept_meta(m, t->sept_root);
			assert_true(atomic_load(&sm->in_use));
			assert_int_equal(sm->frame, mod_frame_of(m, page));
			assert_int_equal(sm->level, SEPT_LVL_PML4);
			assert_int_equal(atomic_load(&mod_sept_page(m, t->sept_root)->e[0]), SEPTE_INIT_VALUE);
			assert_int_equal(atomic_load(&mod_sept_page(m, t->sept_root)->e[511]), SEPTE_INIT_VALUE);
			assert_int_equal(sept_page_of_frame(m, mod_frame_of(m, page)), t->sept_root);
		}
	}
	/* The 10th -> TDCX_NUM_INCORRECT, before the new page is locked. */
	uint64_t extra = fx_page(f);
	fx_expect(f, TDX_TDCX_NUM_INCORRECT, 0, LEAF_MNG_ADDCX, extra, td.tdr, 0, 0, NULL);
	assert_int_equal(TDX_TDCX_NUM_INCORRECT, 0xC000061000000000ull);
	assert_int_equal(P4K(f, extra)->pt, TDXSIM_PT_NDA);
	assert_int_equal(t->num_tdcx, 9);
	fx_free(f);
}

static void addcx_errors(void **state)
{
	(void)state;
	struct fx *f = booted();
	struct fx_td td;
	fx_td_create_keys(f, &td, 2);
	struct td_obj *t = TD(f, &td);
	uint64_t page = fx_page(f);
	/* RDX must be a TDR; RCX a PT_NDA page. */
	fx_expect(f, METADATA_INCORRECT(OPERAND_ID_RDX), 0, LEAF_MNG_ADDCX, page, page, 0, 0, NULL);
	uint64_t other = fx_page(f);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_CREATE, other, 3, 0, 0, NULL);
	fx_expect(f, METADATA_INCORRECT(OPERAND_ID_RCX), 0, LEAF_MNG_ADDCX, other, td.tdr, 0, 0, NULL);
	/* RCX == RDX: the TDCX lock meets the leaf's own exclusive TDR hold. */
	fx_expect(f, BUSY(OPERAND_ID_RCX), 0, LEAF_MNG_ADDCX, td.tdr, td.tdr, 0, 0, NULL);
	assert_int_equal(lockw(f, td.tdr, PAMT_4K), 2);
	fx_expect(f, INVALID(OPERAND_ID_RCX), 0, LEAF_MNG_ADDCX, page + 1, td.tdr, 0, 0, NULL);
	/* Fatal, then keys: in that order, before the room check. */
	t->fatal = 1;
	fx_expect(f, TDX_TD_FATAL, 0, LEAF_MNG_ADDCX, page, td.tdr, 0, 0, NULL);
	t->fatal = 0;
	fx_td_add_tdcx(f, &td, 6);
	fx_td_init(f, &td);
	/* Beyond the minimum, op_state must be UNINITIALIZED: read after the page lock,
	 * so the page was locked and is released unchanged. */
	uint64_t seventh = fx_page(f);
	fx_expect(f, TDX_OP_STATE_INCORRECT, 0, LEAF_MNG_ADDCX, seventh, td.tdr, 0, 0, NULL);
	assert_int_equal(P4K(f, seventh)->pt, TDXSIM_PT_NDA);
	assert_int_equal(atomic_load(&P4K(f, seventh)->lock), 0);
	assert_int_equal(t->num_tdcx, 6);
	assert_int_equal(atomic_load(&t->chldcnt), 6);
	/* A blocked TD refuses ADDCX (lifecycle, not op_state). */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_VPFLUSHDONE, td.tdr, 0, 0, 0, NULL);
	fx_expect(f, TDX_TD_KEYS_NOT_CONFIGURED, 0, LEAF_MNG_ADDCX, seventh, td.tdr, 0, 0, NULL);
	fx_free(f);
}

/* A leaf holding the TDR shared (MNG.RD mid-leaf): ADDCX needs it exclusive ->
 * BUSY|RDX, and leaves the HP bit set in the TDR's 4K PAMT entry (§1.3). */
static void addcx_busy_hp(void **state)
{
	(void)state;
	struct fx *f = booted();
	struct fx_td td;
	fx_td_create_keys(f, &td, 2);
	fx_td_add_tdcx(f, &td, 6);
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 2, LEAF_MNG_RD, td.tdr, MD_HKID, 0, 0);
	fx_step_until_holds(f, &x, "TDR", TDXSIM_MODE_SHARED);
	assert_int_equal(lockw(f, td.tdr, PAMT_4K), 4);
	uint64_t page = fx_page(f);
	fx_expect(f, BUSY(OPERAND_ID_RDX), 0, LEAF_MNG_ADDCX, page, td.tdr, 0, 0, NULL);
	assert_int_equal(BUSY(OPERAND_ID_RDX), 0x8000020000000002ull);
	assert_int_equal(lockw(f, td.tdr, PAMT_4K), 4 | 2);
	assert_int_equal(lockw(f, td.tdr, PAMT_2M), 4);
	assert_int_equal(lockw(f, td.tdr, PAMT_1G), 4);
	assert_int_equal(atomic_load(&P4K(f, page)->lock), 0);
	assert_int_equal(TD(f, &td)->num_tdcx, 6);
	/* MNG.RD fails its op_state check (UNINITIALIZED) and releases: HP stays. */
	assert_int_equal(fx_finish(f, &x), TDX_OP_STATE_INCORRECT);
	assert_int_equal(lockw(f, td.tdr, PAMT_4K), 2);
	/* The host retry takes the lock over the HP bit and clears it. */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_ADDCX, page, td.tdr, 0, 0, NULL);
	assert_int_equal(lockw(f, td.tdr, PAMT_4K), 0);
	assert_int_equal(TD(f, &td)->num_tdcx, 7);
	fx_free(f);
}

/* ---- TDH.MNG.INIT ---- */

static void mng_init(void **state)
{
	(void)state;
	struct fx *f = booted();
	struct fx_td td;
	struct tdxsim_regs out;
	memset(&td, 0, sizeof(td));
	uint64_t tdr = fx_page(f);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_CREATE, tdr, 2, 0, 0, NULL);
	td.tdr = tdr;
	struct td_obj *t = TD(f, &td);
	fx_expect(f, TDX_TD_KEYS_NOT_CONFIGURED, 0, LEAF_MNG_INIT, tdr, FX_TD_PARAMS_PA, 4, 0, NULL);
	for (unsigned p = 0; p < 2; p++)
		fx_expect(f, TDX_SUCCESS, fx_lp_of_pkg(f, p), LEAF_MNG_KEY_CONFIG, tdr, 0, 0, 0, NULL);
	fx_td_add_tdcx(f, &td, 5);
	fx_expect(f, TDX_TDCS_NOT_ALLOCATED, 0, LEAF_MNG_INIT, tdr, FX_TD_PARAMS_PA, 4, 0, NULL);
	fx_td_add_tdcx(f, &td, 1);
	/* LIMIT_CPUID_MAXVAL: before the TDR lock (a bogus RCX does not matter). */
	mod_lp(fx_mod(f), 1)->limit_cpuid_maxval = 1;
	fx_expect(f, TDX_LIMIT_CPUID_MAXVAL_SET, 1, LEAF_MNG_INIT, 3, 0, 0, 0, NULL);
	/* TD_PARAMS: RDX shared and 1 KB aligned. */
	fx_expect(f, INVALID(OPERAND_ID_RDX), 0, LEAF_MNG_INIT, tdr, FX_TD_PARAMS_PA + 512, 4, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RCX], 0);
	assert_int_equal(atomic_load(&t->td_epoch), 0);
	/* MAX_VCPUS 0: OPERAND_INVALID|MAX_VCPUS (68), after the epoch fields were set. */
	fx_expect(f, INVALID(OPERAND_ID_MAX_VCPUS), 0, LEAF_MNG_INIT, tdr, FX_TD_PARAMS_PA, 0, 0, NULL);
	assert_int_equal(INVALID(OPERAND_ID_MAX_VCPUS), 0xC000010000000044ull);
	assert_int_equal(atomic_load(&t->td_epoch), 1);
	assert_int_equal(atomic_load(&t->op_state), OP_STATE_UNINITIALIZED);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_INIT, tdr, FX_TD_PARAMS_PA, 5, 0x1, &out);
	assert_int_equal(out.r[OPERAND_ID_RCX], 0);
	assert_int_equal(atomic_load(&t->op_state), OP_STATE_INITIALIZED);
	assert_int_equal(atomic_load(&t->td_epoch), 1);
	assert_int_equal(atomic_load(&t->refcount[0]), 0);
	assert_int_equal(atomic_load(&t->refcount[1]), 0);
	assert_int_equal(atomic_load(&t->num_vcpus), 0);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 0);
	assert_int_equal(atomic_load(&t->hp_lock_timeout), 1000000000ull); /* 1 s */
	assert_int_equal(t->max_vcpus, 5);
	assert_int_equal(t->attributes, 1);
	/* Twice: op_state is no longer UNINITIALIZED. */
	fx_expect(f, TDX_OP_STATE_INCORRECT, 0, LEAF_MNG_INIT, tdr, FX_TD_PARAMS_PA, 5, 0, NULL);
	/* Busy: the TDR held shared by another leaf. */
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 2, LEAF_MNG_RD, tdr, MD_HKID, 0, 0);
	fx_step_until_holds(f, &x, "TDR", TDXSIM_MODE_SHARED);
	fx_expect(f, BUSY(OPERAND_ID_RCX), 0, LEAF_MNG_INIT, tdr, FX_TD_PARAMS_PA, 5, 0, NULL);
	assert_int_equal(fx_finish(f, &x), TDX_SUCCESS);
	assert_int_equal(x.regs.r[OPERAND_ID_R8], 2);
	fx_free(f);
}

/* tdxsim_module_config.hp_lock_timeout_ns overrides MNG.INIT's 1 s. */
static void mng_init_timeout_override(void **state)
{
	(void)state;
	struct tdxsim_module_config cfg = { .n_lps = 4, .n_pkgs = 2, .n_frames = 2048,
					    .hp_lock_timeout_ns = 5000000 };
	struct fx *f = fx_new(NULL, &cfg);
	fx_boot(f);
	struct fx_td td;
	struct tdxsim_regs out;
	fx_td_create(f, &td, 2);
	assert_int_equal(atomic_load(&TD(f, &td)->hp_lock_timeout), 5000000);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_RD, td.tdr, MD_HP_LOCK_TIMEOUT, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], 5000);
	fx_free(f);
}

/* ---- TDH.MNG.VPFLUSHDONE, KEY.FREEID, KEY.RECLAIMID ---- */

static void vpflushdone(void **state)
{
	(void)state;
	struct fx *f = booted();
	struct tdxsim_mod *m = fx_mod(f);
	struct fx_td a, b = { 0 };
	fx_td_create(f, &a, 2);
	/* From KEYS_CONFIGURED, no vCPU associated. */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_VPFLUSHDONE, a.tdr, 0, 0, 0, NULL);
	assert_int_equal(TD(f, &a)->lifecycle, TD_BLOCKED);
	assert_int_equal(mod_kot(m, 2)->state, KOT_STATE_HKID_FLUSHED);
	assert_int_equal(atomic_load(&mod_kot(m, 2)->wbinvd_bitmap), 3); /* both packages */
	/* Twice. */
	fx_expect(f, TDX_LIFECYCLE_STATE_INCORRECT, 0, LEAF_MNG_VPFLUSHDONE, a.tdr, 0, 0, 0, NULL);
	/* From HKID_ASSIGNED (keys never configured). */
	b.tdr = fx_page(f);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_CREATE, b.tdr, 3, 0, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_VPFLUSHDONE, b.tdr, 0, 0, 0, NULL);
	assert_int_equal(TD(f, &b)->lifecycle, TD_BLOCKED);
	assert_int_equal(mod_kot(m, 3)->state, KOT_STATE_HKID_FLUSHED);
	/* Not a TDR. */
	fx_expect(f, METADATA_INCORRECT(OPERAND_ID_RCX), 0, LEAF_MNG_VPFLUSHDONE, fx_page(f), 0, 0, 0, NULL);
	fx_free(f);
}

/* KOT held shared by CACHE.WB: VPFLUSHDONE (KOT ex, taken before the lifecycle
 * check) -> BUSY|KOT, even on a TD in the wrong lifecycle. */
static void vpflushdone_busy_kot(void **state)
{
	(void)state;
	struct fx *f = booted();
	struct fx_td a, b;
	fx_td_create(f, &a, 2);
	fx_td_create(f, &b, 3);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_VPFLUSHDONE, b.tdr, 0, 0, 0, NULL);
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 0, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0);
	fx_step_until_holds(f, &x, "KOT", TDXSIM_MODE_SHARED);
	fx_expect(f, BUSY_KOT, 1, LEAF_MNG_VPFLUSHDONE, a.tdr, 0, 0, 0, NULL);
	fx_expect(f, BUSY_KOT, 1, LEAF_MNG_VPFLUSHDONE, b.tdr, 0, 0, 0, NULL);
	assert_int_equal(TD(f, &a)->lifecycle, TD_KEYS_CONFIGURED);
	assert_int_equal(lockw(f, a.tdr, PAMT_4K), 0);
	assert_int_equal(fx_finish(f, &x), TDX_INTERRUPTED_RESUMABLE);
	fx_expect(f, TDX_SUCCESS, 1, LEAF_MNG_VPFLUSHDONE, a.tdr, 0, 0, 0, NULL);
	fx_free(f);
}

/* With a vCPU associated (VP.INIT associates it with its LP): FLUSHVP_NOT_DONE
 * until VP.FLUSH. */
static void vpflushdone_vcpu_associated(void **state)
{
	(void)state;
	struct fx *f = booted();
	FX_REQUIRE(f, scn_vcpu);
	struct fx_td td;
	fx_td_create(f, &td, 2);
	unsigned v = fx_td_vcpu(f, &td, 1);
	assert_int_equal(atomic_load(&TD(f, &td)->num_assoc_vcpus), 1);
	fx_expect(f, TDX_FLUSHVP_NOT_DONE, 0, LEAF_MNG_VPFLUSHDONE, td.tdr, 0, 0, 0, NULL);
	assert_int_equal(TDX_FLUSHVP_NOT_DONE, 0x8000082400000000ull);
	assert_int_equal(TD(f, &td)->lifecycle, TD_KEYS_CONFIGURED);
	fx_expect(f, TDX_SUCCESS, td.vcpu_lp[v], LEAF_VP_FLUSH, td.tdvpr[v], 0, 0, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_VPFLUSHDONE, td.tdr, 0, 0, 0, NULL);
	fx_free(f);
}

static void cache_wb_all(struct fx *f, unsigned pkg)
{
	unsigned lp = fx_lp_of_pkg(f, pkg);
	tdx_status_t s = fx_seamcall(f, lp, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0, NULL);
	while (s == TDX_INTERRUPTED_RESUMABLE)
		s = fx_seamcall(f, lp, LEAF_PHYMEM_CACHE_WB, 1, 0, 0, 0, NULL);
	fx_assert_status(s, TDX_SUCCESS, "CACHE.WB");
}

static void freeid(void **state)
{
	(void)state;
	struct fx *f = booted();
	struct tdxsim_mod *m = fx_mod(f);
	struct fx_td td;
	fx_td_create(f, &td, 2);
	/* Before VPFLUSHDONE. */
	fx_expect(f, TDX_LIFECYCLE_STATE_INCORRECT, 0, LEAF_MNG_KEY_FREEID, td.tdr, 0, 0, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_VPFLUSHDONE, td.tdr, 0, 0, 0, NULL);
	/* Before CACHE.WB on every package. */
	fx_expect(f, TDX_WBCACHE_NOT_COMPLETE, 0, LEAF_MNG_KEY_FREEID, td.tdr, 0, 0, 0, NULL);
	assert_int_equal(TDX_WBCACHE_NOT_COMPLETE, 0x8000081700000000ull);
	cache_wb_all(f, 1);
	assert_int_equal(atomic_load(&mod_kot(m, 2)->wbinvd_bitmap), 1);
	fx_expect(f, TDX_WBCACHE_NOT_COMPLETE, 2, LEAF_MNG_KEY_FREEID, td.tdr, 0, 0, 0, NULL);
	cache_wb_all(f, 0);
	assert_int_equal(atomic_load(&mod_kot(m, 2)->wbinvd_bitmap), 0);
	fx_expect(f, TDX_SUCCESS, 2, LEAF_MNG_KEY_FREEID, td.tdr, 0, 0, 0, NULL);
	assert_int_equal(TD(f, &td)->lifecycle, TD_TEARDOWN);
	assert_int_equal(mod_kot(m, 2)->state, KOT_STATE_HKID_FREE);
	fx_expect(f, TDX_LIFECYCLE_STATE_INCORRECT, 2, LEAF_MNG_KEY_FREEID, td.tdr, 0, 0, 0, NULL);
	/* The HKID can be given to a new TD; the old TD's leaves now refuse. */
	struct fx_td td2;
	fx_td_create(f, &td2, 2);
	fx_expect(f, TDX_TD_KEYS_NOT_CONFIGURED, 0, LEAF_MNG_RD, td.tdr, MD_HKID, 0, 0, NULL);
	fx_free(f);
}

/* KEY.FREEID while another leaf holds the KOT -> BUSY|KOT (0x80000200000000BA); the
 * lifecycle is checked before the KOT lock. */
static void freeid_busy_kot(void **state)
{
	(void)state;
	struct fx *f = booted();
	struct fx_td td, other;
	fx_td_create(f, &td, 2);
	fx_td_create(f, &other, 3);
	fx_td_teardown(f, &other);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_VPFLUSHDONE, td.tdr, 0, 0, 0, NULL);
	cache_wb_all(f, 0);
	cache_wb_all(f, 1);
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 3, LEAF_MNG_CREATE, fx_page(f), 4, 0, 0);
	fx_step_until_holds(f, &x, "KOT", TDXSIM_MODE_EXCLUSIVE);
	fx_expect(f, BUSY_KOT, 0, LEAF_MNG_KEY_FREEID, td.tdr, 0, 0, 0, NULL);
	assert_int_equal(lockw(f, td.tdr, PAMT_4K), 0);
	/* A TD in TEARDOWN fails its lifecycle check before reaching the KOT. */
	fx_expect(f, TDX_LIFECYCLE_STATE_INCORRECT, 0, LEAF_MNG_KEY_FREEID, other.tdr, 0, 0, 0, NULL);
	assert_int_equal(fx_finish(f, &x), TDX_SUCCESS);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_KEY_FREEID, td.tdr, 0, 0, 0, NULL);
	fx_free(f);
}

static void reclaimid(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, NULL);
	fx_expect(f, TDX_SYS_NOT_READY, 0, LEAF_MNG_KEY_RECLAIMID, 0, 0, 0, 0, NULL);
	fx_boot(f);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_KEY_RECLAIMID, 0, 0, 0, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 1, LEAF_MNG_KEY_RECLAIMID, 12345, 6789, 0, 0, NULL);
	fx_free(f);
}

/* ---- TDH.MNG.RD / WR ---- */

static void mng_rd(void **state)
{
	(void)state;
	struct fx *f = booted();
	struct fx_td td;
	struct tdxsim_regs out;
	fx_td_create_keys(f, &td, 9);
	fx_td_add_tdcx(f, &td, 7);
	/* UNINITIALIZED is not allowed for MNG.RD. */
	fx_expect(f, TDX_OP_STATE_INCORRECT, 0, LEAF_MNG_RD, td.tdr, MD_HKID, 0, 0, NULL);
	fx_td_init(f, &td);
	const struct { uint64_t id, value; } fields[] = {
		{ MD_NUM_TDCX, 7 }, { MD_LIFECYCLE, TD_KEYS_CONFIGURED }, { MD_HKID, 9 }, { MD_NUM_VCPUS, 0 },
		{ MD_OP_STATE, OP_STATE_INITIALIZED }, { MD_ATTRIBUTES, 0 }, { MD_MAX_VCPUS, FX_MAX_VCPUS },
		{ MD_HP_LOCK_TIMEOUT, 1000000 },
	};
	for (unsigned i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		fx_expect(f, TDX_SUCCESS, i % 4, LEAF_MNG_RD, td.tdr, fields[i].id, 0, 0, &out);
		assert_int_equal(out.r[OPERAND_ID_R8], fields[i].value);
		assert_int_equal(out.r[OPERAND_ID_RDX], fields[i].id); /* version 0: RDX untouched */
	}
	/* Version 1: RDX = the next field; null -> the first; NA after the last. */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_V(LEAF_MNG_RD, 1), td.tdr, MD_NUM_TDCX, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], 7);
	assert_int_equal(out.r[OPERAND_ID_RDX], MD_LIFECYCLE);
	fx_expect(f, TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT, 0, LEAF_V(LEAF_MNG_RD, 1), td.tdr, ~0ull, 5, 0,
		  &out);
	assert_int_equal(out.r[OPERAND_ID_RDX], MD_NUM_TDCX);
	assert_int_equal(out.r[OPERAND_ID_R8], 0);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_V(LEAF_MNG_RD, 1), td.tdr, MD_HP_LOCK_TIMEOUT, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RDX], ~0ull);
	/* Unknown field / reserved bits: R8 = 0 (v1: RDX = NA). */
	fx_expect(f, TDX_METADATA_FIELD_ID_INCORRECT, 0, LEAF_V(LEAF_MNG_RD, 1), td.tdr, 0x9110000300000099ull,
		  7, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], 0);
	assert_int_equal(out.r[OPERAND_ID_RDX], ~0ull);
	fx_expect(f, TDX_METADATA_FIELD_ID_INCORRECT, 0, LEAF_MNG_RD, td.tdr, MD_HKID | (1ull << 40), 7, 0,
		  NULL);
	/* The context code is forced to TD. */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_RD, td.tdr, MD_HKID & ~(7ull << 52), 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], 9);
	/* Versions: RD has 0 and 1 only. */
	fx_expect(f, INVALID(OPERAND_ID_RAX), 0, LEAF_V(LEAF_MNG_RD, 2), td.tdr, MD_HKID, 0, 0, NULL);
	/* Not a TDR. */
	fx_expect(f, METADATA_INCORRECT(OPERAND_ID_RCX), 0, LEAF_MNG_RD, td.tdcx[0], MD_HKID, 0, 0, NULL);
	fx_free(f);
}

/* MD_TDCS_HP_LOCK_TIMEOUT_FIELD_ID in µs within [10 ms, 100 s], full-field writes. */
static void mng_wr_hp_lock_timeout(void **state)
{
	(void)state;
	struct fx *f = booted();
	struct fx_td td;
	struct tdxsim_regs out;
	fx_td_create(f, &td, 2);
	struct td_obj *t = TD(f, &td);
	fx_expect(f, TDX_SUCCESS, 1, LEAF_MNG_WR, td.tdr, MD_HP_LOCK_TIMEOUT, 20000, ~0ull, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], 1000000); /* previous value */
	assert_int_equal(atomic_load(&t->hp_lock_timeout), 20000000ull);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_RD, td.tdr, MD_HP_LOCK_TIMEOUT, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], 20000);
	/* Range limits. */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_WR, td.tdr, MD_HP_LOCK_TIMEOUT, 10000, ~0ull, NULL);
	assert_int_equal(atomic_load(&t->hp_lock_timeout), 10000000ull);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_WR, td.tdr, MD_HP_LOCK_TIMEOUT, 100000000, ~0ull, NULL);
	assert_int_equal(atomic_load(&t->hp_lock_timeout), 100000000000ull);
	fx_expect(f, TDX_METADATA_FIELD_VALUE_NOT_VALID, 0, LEAF_MNG_WR, td.tdr, MD_HP_LOCK_TIMEOUT, 9999,
		  ~0ull, &out);
	assert_int_equal(TDX_METADATA_FIELD_VALUE_NOT_VALID, 0xC0000C0300000000ull);
	assert_int_equal(out.r[OPERAND_ID_R8], 0);
	fx_expect(f, TDX_METADATA_FIELD_VALUE_NOT_VALID, 0, LEAF_MNG_WR, td.tdr, MD_HP_LOCK_TIMEOUT,
		  100000001, ~0ull, NULL);
	assert_int_equal(atomic_load(&t->hp_lock_timeout), 100000000000ull);
	/* Partial mask, empty mask. */
	fx_expect(f, TDX_METADATA_WR_MASK_NOT_VALID, 0, LEAF_MNG_WR, td.tdr, MD_HP_LOCK_TIMEOUT, 20000,
		  0xFFFFFFFFull, NULL);
	fx_expect(f, TDX_METADATA_FIELD_NOT_WRITABLE, 0, LEAF_MNG_WR, td.tdr, MD_HP_LOCK_TIMEOUT, 20000, 0,
		  NULL);
	/* Read-only and unknown fields. */
	fx_expect(f, TDX_METADATA_FIELD_NOT_WRITABLE, 0, LEAF_MNG_WR, td.tdr, MD_NUM_TDCX, 1, ~0ull, NULL);
	fx_expect(f, TDX_METADATA_FIELD_NOT_WRITABLE, 0, LEAF_MNG_WR, td.tdr, MD_MAX_VCPUS, 1, ~0ull, NULL);
	fx_expect(f, TDX_METADATA_FIELD_ID_INCORRECT, 0, LEAF_MNG_WR, td.tdr, 0x9110000300000099ull, 1,
		  ~0ull, NULL);
	/* MNG.WR has no version 1. */
	fx_expect(f, INVALID(OPERAND_ID_RAX), 0, LEAF_V(LEAF_MNG_WR, 1), td.tdr, MD_HP_LOCK_TIMEOUT, 20000,
		  ~0ull, NULL);
	assert_int_equal(atomic_load(&t->hp_lock_timeout), 100000000000ull);
	fx_free(f);
}

/* §7.2: MNG.WR refuses PAUSED_EXPORT/POST_EXPORT, MNG.RD allows them; the op_state
 * lock busy -> BUSY|OP_STATE with HP set on it. */
static void mng_rd_wr_op_state(void **state)
{
	(void)state;
	struct fx *f = booted();
	struct fx_td td;
	fx_td_create(f, &td, 2);
	struct td_obj *t = TD(f, &td);
	atomic_store(&t->op_state, OP_STATE_PAUSED_EXPORT);
	fx_expect(f, TDX_OP_STATE_INCORRECT, 0, LEAF_MNG_WR, td.tdr, MD_HP_LOCK_TIMEOUT, 20000, ~0ull, NULL);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_RD, td.tdr, MD_HP_LOCK_TIMEOUT, 0, 0, NULL);
	atomic_store(&t->op_state, OP_STATE_INITIALIZED);
	/* Someone holds op_state exclusively (as the export leaves do). */
	atomic_store(&t->op_state_lock, 1);
	fx_expect(f, BUSY_OP_STATE, 0, LEAF_MNG_RD, td.tdr, MD_HKID, 0, 0, NULL);
	/* Host shared acquire on an exclusive lock: +4, then HP (§1.3). */
	assert_int_equal(atomic_load(&t->op_state_lock), 1 | 2 | 4);
	assert_int_equal(lockw(f, td.tdr, PAMT_4K), 0);
	atomic_store(&t->op_state_lock, 0);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_RD, td.tdr, MD_HKID, 0, 0, NULL);
	fx_free(f);
}

/* ---- TDH.MR.FINALIZE / MR.EXTEND ---- */

static void mr_finalize(void **state)
{
	(void)state;
	struct fx *f = booted();
	struct fx_td td;
	fx_td_create_keys(f, &td, 2);
	fx_td_add_tdcx(f, &td, 5);
	fx_expect(f, TDX_TDCS_NOT_ALLOCATED, 0, LEAF_MR_FINALIZE, td.tdr, 0, 0, 0, NULL);
	fx_td_add_tdcx(f, &td, 1);
	fx_expect(f, TDX_OP_STATE_INCORRECT, 0, LEAF_MR_FINALIZE, td.tdr, 0, 0, 0, NULL);
	fx_td_init(f, &td);
	struct td_obj *t = TD(f, &td);
	fx_expect(f, TDX_NO_VCPUS, 0, LEAF_MR_FINALIZE, td.tdr, 0, 0, 0, NULL);
	assert_int_equal(TDX_NO_VCPUS, 0xC000060900000000ull);
	atomic_store(&t->num_vcpus, 1); /* as if VP.INIT had run */
	uint64_t before = t->mrtd;
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MR_FINALIZE, td.tdr, 0, 0, 0, NULL);
	assert_int_equal(atomic_load(&t->op_state), OP_STATE_RUNNABLE);
	assert_int_not_equal(t->mrtd, before);
	fx_expect(f, TDX_OP_STATE_INCORRECT, 0, LEAF_MR_FINALIZE, td.tdr, 0, 0, 0, NULL);
	fx_expect(f, TDX_OP_STATE_INCORRECT, 0, LEAF_MR_EXTEND, 0x1000, td.tdr, 0, 0, NULL);
	/* Busy TDR (ex): held shared by MNG.RD. */
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 1, LEAF_MNG_RD, td.tdr, MD_HKID, 0, 0);
	fx_step_until_holds(f, &x, "TDR", TDXSIM_MODE_SHARED);
	fx_expect(f, BUSY(OPERAND_ID_RCX), 0, LEAF_MR_FINALIZE, td.tdr, 0, 0, 0, NULL);
	fx_expect(f, BUSY(OPERAND_ID_RDX), 0, LEAF_MR_EXTEND, 0x1000, td.tdr, 0, 0, NULL);
	assert_int_equal(fx_finish(f, &x), TDX_SUCCESS);
	fx_free(f);
}

static uint64_t measure(struct fx *f, unsigned hkid, const uint64_t *gpas, unsigned n)
{
	struct fx_td td;
	fx_td_create(f, &td, hkid);
	for (unsigned i = 0; i < n; i++)
		fx_td_add_page(f, &td, gpas[i]);
	return TD(f, &td)->mrtd;
}

/* MR.EXTEND: the measurement depends on the GPAs and their order. */
static void mr_extend(void **state)
{
	(void)state;
	struct fx *f = booted();
	FX_REQUIRE(f, scn_add_page);
	const uint64_t ab[] = { 0x10000, 0x11000 }, ba[] = { 0x11000, 0x10000 };
	uint64_t m1 = measure(f, 2, ab, 2), m2 = measure(f, 3, ab, 2), m3 = measure(f, 4, ba, 2);
	assert_int_equal(m1, m2);
	assert_int_not_equal(m1, m3);
	assert_int_not_equal(m1, 0);
	fx_free(f);
}

/* The whole build of a TD with a vCPU, as KVM does it. */
static void build_flow(void **state)
{
	(void)state;
	struct fx *f = booted();
	FX_REQUIRE(f, scn_vcpu);
	struct fx_td td;
	fx_td_create(f, &td, 2);
	fx_td_vcpu(f, &td, 0);
	fx_td_vcpu(f, &td, 3);
	struct td_obj *t = TD(f, &td);
	assert_int_equal(atomic_load(&t->num_vcpus), 2);
	/* 6 TDCS pages + 2 x (TDVPR + TDVPX pages). */
	assert_int_equal(atomic_load(&t->chldcnt), 6 + 2 * MAX_NUM_TDVPS_PAGES);
	fx_td_finalize(f, &td);
	assert_int_equal(atomic_load(&t->op_state), OP_STATE_RUNNABLE);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_success),
		cmocka_unit_test(create_errors),
		cmocka_unit_test(create_busy_kot),
		cmocka_unit_test(create_busy_tdr),
		cmocka_unit_test(key_config),
		cmocka_unit_test(key_config_busy),
		cmocka_unit_test(addcx),
		cmocka_unit_test(addcx_errors),
		cmocka_unit_test(addcx_busy_hp),
		cmocka_unit_test(mng_init),
		cmocka_unit_test(mng_init_timeout_override),
		cmocka_unit_test(vpflushdone),
		cmocka_unit_test(vpflushdone_busy_kot),
		cmocka_unit_test(vpflushdone_vcpu_associated),
		cmocka_unit_test(freeid),
		cmocka_unit_test(freeid_busy_kot),
		cmocka_unit_test(reclaimid),
		cmocka_unit_test(mng_rd),
		cmocka_unit_test(mng_wr_hp_lock_timeout),
		cmocka_unit_test(mng_rd_wr_op_state),
		cmocka_unit_test(mr_finalize),
		cmocka_unit_test(mr_extend),
		cmocka_unit_test(build_flow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
