/* SPDX-License-Identifier: MIT */
/*
 * Acceptance: one TD's whole life on the emulated module, in the order the
 * reference gives it (tdx-module-1.5.md §7.4 system init, §3 per-leaf steps, §7.1
 * lifecycle, §7.2 op_state, §7.3 vCPU state, §5 SEPT and TLB tracking, §6 PAMT),
 * asserting the module state at every point on the way: sys_state and the
 * per-LP / per-package init state, PAMT page types and owners of every page the
 * TD uses, the TD lifecycle, op_state, KOT state, chldcnt, the vCPU state and
 * association, SEPT entries, TD_EPOCH / REFCOUNT, and the lock words a TD entry
 * keeps.  Each stage also issues the call the reference refuses at that point
 * (too early / wrong order) and asserts the exact status.
 *
 * The world is created with check_invariants, so the module invariants (DESIGN
 * §6) hold after every single interpreter step; at the end every page is back to
 * PT_NDA, no lock word is held, and the module region is byte-identical to the
 * one right after platform bring-up (teardown leaves no residue).
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
#include "module/vcpu.h"

#define HKID 2
#define GPA_ADD 0x40000000ull   /* build-time page (PAGE.ADD) */
#define GPA_AUG 0x40001000ull   /* runtime page (fault -> AUG -> ACCEPT), same PT page */
#define RIP0 0x1000ull

/* §5.1 entry values (spelled out, not computed with the module's helpers). */
#define E_FREE 0x80E0000000000000ull
#define E_NL_MAPPED 0x8000000000000007ull
#define E_MAPPED 0x80000000000000F7ull
#define E_PENDING 0x81000000000000F0ull
#define E_BLOCKED 0x80800000000000F0ull

#define RCX_OP(code) ((code) | (uint64_t)OPERAND_ID_RCX)

static struct pamt_entry *pamt4k(struct fx *f, uint64_t hpa)
{
	uint32_t fr = mod_frame_of(fx_mod(f), hpa);
	assert_int_not_equal(fr, UINT32_MAX);
	return mod_pamt(fx_mod(f), PAMT_4K, fr);
}

/* PAMT type and owner (a TDR's HPA, 0 for none) of a 4K page, lock word free. */
static void assert_page(struct fx *f, uint64_t hpa, unsigned pt, uint64_t owner_hpa)
{
	struct pamt_entry *pe = pamt4k(f, hpa);
	assert_int_equal(pe->pt, pt);
	assert_int_equal(pamt_owner(pe) << 12, owner_hpa);
	assert_int_equal(atomic_load(&pe->lock), 0);
}

static struct td_obj *tdo(struct fx *f, const struct fx_td *td)
{
	return mod_td(fx_mod(f), fx_td_index(f, td));
}

static struct vcpu_obj *vco(struct fx *f, uint64_t tdvpr)
{
	uint32_t v = vcpu_pool_of_tdvpr(fx_mod(f), mod_frame_of(fx_mod(f), tdvpr));
	assert_int_not_equal(v, UINT32_MAX);
	return mod_vcpu(fx_mod(f), v);
}

static uint64_t sept_entry(struct fx *f, const struct fx_td *td, uint64_t gpa, unsigned level)
{
	struct sept_walk w;
	assert_true(sept_walk(fx_mod(f), fx_td_index(f, td), gpa, level, &w));
	return w.entry;
}

static void assert_td(struct fx *f, const struct fx_td *td, unsigned lifecycle, unsigned op_state,
		      uint64_t chldcnt)
{
	struct td_obj *t = tdo(f, td);
	assert_int_equal(t->lifecycle, lifecycle);
	assert_int_equal(atomic_load(&t->op_state), op_state);
	assert_int_equal(atomic_load(&t->chldcnt), chldcnt);
	assert_int_equal(t->fatal, 0);
}

static void assert_invariants(struct fx *f)
{
	char why[512] = "";
	if (!tdxsim_world_check_invariants(f->w, why, sizeof(why)))
		fail_msg("invariant: %s", why);
}

static void assert_no_lock_held(struct fx *f)
{
	char why[512] = "";
	if (!tdxsim_world_check_locks(f->w, NULL, 0, why, sizeof(why)))
		fail_msg("locks: %s", why);
}

/* ---- §7.4 system initialization on every LP ---- */

static void system_init(struct fx *f)
{
	struct tdxsim_mod *m = fx_mod(f);
	struct mod_global *g = mod_global(m);
	const unsigned nlp = f->cfg.n_lps;
	uint64_t page = tdxsim_world_frame_hpa(f->w, 0);

	assert_int_equal(atomic_load(&g->sys_state), SYSINIT_PENDING);
	/* The dispatcher gate: TD leaves and TDMR.INIT need SYS_READY. */
	fx_expect(f, TDX_SYS_NOT_READY, 0, LEAF_MNG_CREATE, page, HKID, 0, 0, NULL);
	fx_expect(f, TDX_SYS_NOT_READY, 0, LEAF_SYS_TDMR_INIT, mod_tdmr(m, 0)->base, 0, 0, 0, NULL);
	fx_expect(f, TDX_SYS_LP_INIT_NOT_PENDING, 0, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);
	fx_expect(f, TDX_SYS_LP_INIT_NOT_DONE, 0, LEAF_SYS_INFO, 0, 0, 0, 0, NULL);

	/* 1. SYS.INIT, once. */
	fx_expect(f, TDX_OPERAND_INVALID | OPERAND_ID_RCX, 0, LEAF_SYS_INIT, 1, 0, 0, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);
	assert_int_equal(atomic_load(&g->sys_state), SYSINIT_DONE);
	assert_int_equal(g->num_of_lps, nlp);
	assert_int_equal(g->num_of_pkgs, f->cfg.n_pkgs);
	assert_int_equal(atomic_load(&g->num_of_init_lps), 0);
	assert_int_equal(atomic_load(&g->pkg_config_bitmap), 0);
	fx_expect(f, TDX_SYS_INIT_NOT_PENDING, 1, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);

	/* 2. LP.INIT on every LP; CONFIG before the last one is refused. */
	for (unsigned lp = 0; lp < nlp; lp++) {
		fx_expect(f, TDX_SYS_CONFIG_NOT_PENDING, 0, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA,
			  f->cfg.n_tdmrs, FX_GLOBAL_HKID, 0, NULL);
		assert_int_equal(mod_lp(m, lp)->lp_is_init, 0);
		fx_expect(f, TDX_SUCCESS, lp, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);
		assert_int_equal(mod_lp(m, lp)->lp_is_init, 1);
		assert_int_equal(atomic_load(&g->num_of_init_lps), lp + 1);
		fx_expect(f, TDX_SYS_LP_INIT_DONE, lp, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);
	}
	assert_int_equal(atomic_load(&g->sys_state), SYSINIT_DONE);
	fx_expect(f, TDX_SYS_KEY_CONFIG_NOT_PENDING, 0, LEAF_SYS_KEY_CONFIG, 0, 0, 0, 0, NULL);

	/* 3. CONFIG: the global private HKID becomes RESERVED. */
	assert_int_equal(mod_kot(m, FX_GLOBAL_HKID)->state, KOT_STATE_HKID_FREE);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA, f->cfg.n_tdmrs, FX_GLOBAL_HKID, 0,
		  NULL);
	assert_int_equal(atomic_load(&g->sys_state), SYSCONFIG_DONE);
	assert_int_equal(mod_kot(m, FX_GLOBAL_HKID)->state, KOT_STATE_HKID_RESERVED);
	assert_int_equal(g->global_hkid, FX_GLOBAL_HKID);
	assert_int_equal(g->num_tdmrs_configured, f->cfg.n_tdmrs);
	fx_expect(f, TDX_SYS_CONFIG_NOT_PENDING, 0, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA, f->cfg.n_tdmrs,
		  FX_GLOBAL_HKID, 0, NULL);
	fx_expect(f, TDX_SYS_LP_INIT_NOT_PENDING, 0, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);

	/* 4. KEY.CONFIG once per package; SYS_READY after the last package. */
	for (unsigned p = 0; p < f->cfg.n_pkgs; p++) {
		unsigned lp = fx_lp_of_pkg(f, p);
		assert_int_equal(atomic_load(&g->sys_state), SYSCONFIG_DONE);
		fx_expect(f, TDX_SYS_NOT_READY, lp, LEAF_SYS_TDMR_INIT, mod_tdmr(m, 0)->base, 0, 0, 0, NULL);
		fx_expect(f, TDX_SUCCESS, lp, LEAF_SYS_KEY_CONFIG, 0, 0, 0, 0, NULL);
		assert_int_equal(atomic_load(&g->pkg_config_bitmap), (1u << (p + 1)) - 1);
		assert_int_equal(g->num_of_init_pkgs, p + 1);
		/* Any other LP of the same package: already configured (informational);
		 * after the last package the state is no longer SYSCONFIG_DONE. */
		fx_expect(f, p + 1 < f->cfg.n_pkgs ? TDX_KEY_CONFIGURED : TDX_SYS_KEY_CONFIG_NOT_PENDING, lp + 1,
			  LEAF_SYS_KEY_CONFIG, 0, 0, 0, 0, NULL);
	}
	assert_int_equal(atomic_load(&g->sys_state), SYS_READY);

	/* 5. TDMR.INIT until complete; nothing of the TDMR is usable before. */
	fx_expect(f, TDX_OPERAND_ADDR_RANGE_ERROR | OPERAND_ID_RCX, 0, LEAF_MNG_CREATE, page, HKID, 0, 0,
		  NULL);
	for (unsigned i = 0; i < f->cfg.n_tdmrs; i++) {
		struct tdmr_entry *t = mod_tdmr(m, i);
		uint64_t end = t->base + t->size;
		assert_int_equal(atomic_load(&t->last_initialized), t->base);
		struct tdxsim_regs out;
		unsigned calls = 0;
		uint64_t last = t->base;
		do {
			fx_expect(f, TDX_SUCCESS, calls % nlp, LEAF_SYS_TDMR_INIT, t->base, 0, 0, 0, &out);
			calls++;
			/* §6: 1024 4K entries (4 MB) per call, capped at the TDMR's end. */
			uint64_t want = last + 1024 * 4096ull < end ? last + 1024 * 4096ull : end;
			assert_int_equal(atomic_load(&t->last_initialized), want);
			last = want;
			/* RDX: the next address rounded down to 1 GB; the end once complete. */
			assert_int_equal(out.r[OPERAND_ID_RDX], want >= end ? end : want & ~((1ull << 30) - 1));
		} while (out.r[OPERAND_ID_RDX] < end);
		assert_int_equal(calls, (t->size + 1024 * 4096ull - 1) / (1024 * 4096ull));
		fx_expect(f, TDX_TDMR_ALREADY_INITIALIZED, 0, LEAF_SYS_TDMR_INIT, t->base, 0, 0, 0, &out);
		assert_int_equal(out.r[OPERAND_ID_RDX], 0);
	}
	for (unsigned fr = 0; fr < tdxsim_world_n_frames(f->w); fr++) {
		assert_int_equal(mod_pamt(m, PAMT_4K, fr)->pt, TDXSIM_PT_NDA);
		assert_int_equal(atomic_load(&mod_pamt(m, PAMT_4K, fr)->lock), 0);
	}
	/* SYS.INFO works on an initialized LP now. */
	fx_expect(f, TDX_SUCCESS, nlp - 1, LEAF_SYS_INFO, FX_SHARED_PAGE(3), 1024, FX_SHARED_PAGE(4), 32, NULL);
}

/* ---- the TD ---- */

struct life {
	struct fx *f;
	struct fx_td td;
	uint64_t sept[3];          /* PDPT, PD, PT SEPT pages (SEPT.ADD levels 3, 2, 1) */
	uint64_t page_add, page_aug;
	uint64_t chld;             /* expected chldcnt */
};

static void td_create_and_keys(struct life *L)
{
	struct fx *f = L->f;
	struct tdxsim_mod *m = fx_mod(f);
	struct fx_td *td = &L->td;
	memset(td, 0, sizeof(*td));
	td->hkid = HKID;
	td->tdr = fx_page(f);
	/* MNG.CREATE: the HKID must be free and private; the page PT_NDA. */
	fx_expect(f, TDX_OPERAND_INVALID | OPERAND_ID_RDX, 0, LEAF_MNG_CREATE, td->tdr, 0, 0, 0, NULL);
	fx_expect(f, TDX_HKID_NOT_FREE, 0, LEAF_MNG_CREATE, td->tdr, FX_GLOBAL_HKID, 0, 0, NULL);
	assert_page(f, td->tdr, TDXSIM_PT_NDA, 0);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_CREATE, td->tdr, HKID, 0, 0, NULL);
	assert_page(f, td->tdr, TDXSIM_PT_TDR, 0);
	assert_int_equal(mod_kot(m, HKID)->state, KOT_STATE_HKID_ASSIGNED);
	assert_int_equal(tdo(f, td)->hkid, HKID);
	assert_td(f, td, TD_HKID_ASSIGNED, OP_STATE_UNINITIALIZED, 0);
	fx_expect(f, TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_RCX, 0, LEAF_MNG_CREATE, td->tdr, 3, 0, 0, NULL);

	/* Nothing but KEY.CONFIG before the keys are on every package. */
	uint64_t cx = fx_page(f);
	fx_expect(f, TDX_TD_KEYS_NOT_CONFIGURED, 0, LEAF_MNG_ADDCX, cx, td->tdr, 0, 0, NULL);
	assert_page(f, cx, TDXSIM_PT_NDA, 0);
	for (unsigned p = 0; p < f->cfg.n_pkgs; p++) {
		unsigned lp = fx_lp_of_pkg(f, p);
		assert_int_equal(tdo(f, td)->lifecycle, TD_HKID_ASSIGNED);
		fx_expect(f, TDX_SUCCESS, lp, LEAF_MNG_KEY_CONFIG, td->tdr, 0, 0, 0, NULL);
		assert_int_equal(tdo(f, td)->pkg_config_bitmap, (1u << (p + 1)) - 1);
		if (p + 1 < f->cfg.n_pkgs)
			fx_expect(f, TDX_KEY_CONFIGURED, lp + 1, LEAF_MNG_KEY_CONFIG, td->tdr, 0, 0, 0, NULL);
	}
	assert_td(f, td, TD_KEYS_CONFIGURED, OP_STATE_UNINITIALIZED, 0);
	fx_expect(f, TDX_LIFECYCLE_STATE_INCORRECT, 0, LEAF_MNG_KEY_CONFIG, td->tdr, 0, 0, 0, NULL);
	/* Re-use the page refused above as TDCS page 0. */
	td->tdcx[td->ntdcx++] = cx;
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_ADDCX, cx, td->tdr, 0, 0, NULL);
	L->chld = 1;
}

static void tdcs_and_init(struct life *L)
{
	struct fx *f = L->f;
	struct fx_td *td = &L->td;
	/* MNG.INIT before the minimum TDCS pages: TDCS not allocated. */
	fx_expect(f, TDX_TDCS_NOT_ALLOCATED, 0, LEAF_MNG_INIT, td->tdr, FX_TD_PARAMS_PA, FX_MAX_VCPUS, 0, NULL);
	while (td->ntdcx < MIN_NUM_TDCS_PAGES) {
		uint64_t cx = fx_page(f);
		fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_ADDCX, cx, td->tdr, 0, 0, NULL);
		td->tdcx[td->ntdcx++] = cx;
		L->chld++;
	}
	for (unsigned i = 0; i < td->ntdcx; i++)
		assert_page(f, td->tdcx[i], TDXSIM_PT_TDCX, td->tdr);
	assert_int_equal(tdo(f, td)->num_tdcx, MIN_NUM_TDCS_PAGES);
	/* TDCS page 3 is the SEPT root: a PML4 page of FREE entries. */
	assert_int_equal(tdo(f, td)->pwl, SEPT_LVL_PML4);
	assert_int_equal(sept_entry(f, td, GPA_ADD, SEPT_LVL_PML4), E_FREE);
	assert_td(f, td, TD_KEYS_CONFIGURED, OP_STATE_UNINITIALIZED, L->chld);
	/* Not yet initialized: the TD-runtime leaves see UNINITIALIZED. */
	fx_expect(f, TDX_OP_STATE_INCORRECT, 0, LEAF_VP_CREATE, fx_page(f), td->tdr, 0, 0, NULL);
	fx_expect(f, TDX_OP_STATE_INCORRECT, 0, LEAF_MEM_SEPT_ADD, GPA_LEVEL(0, LVL_PML4), td->tdr,
		  fx_page(f), 0, NULL);

	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_INIT, td->tdr, FX_TD_PARAMS_PA, FX_MAX_VCPUS, 0, NULL);
	assert_td(f, td, TD_KEYS_CONFIGURED, OP_STATE_INITIALIZED, L->chld);
	struct td_obj *t = tdo(f, td);
	assert_int_equal(atomic_load(&t->td_epoch), 1);
	assert_int_equal(atomic_load(&t->refcount[0]), 0);
	assert_int_equal(atomic_load(&t->refcount[1]), 0);
	assert_int_equal(atomic_load(&t->num_vcpus), 0);
	assert_int_equal(t->max_vcpus, FX_MAX_VCPUS);
	fx_expect(f, TDX_OP_STATE_INCORRECT, 0, LEAF_MNG_INIT, td->tdr, FX_TD_PARAMS_PA, FX_MAX_VCPUS, 0, NULL);
	/* MNG.ADDCX beyond the minimum checks op_state (UNINITIALIZED only). */
	fx_expect(f, TDX_OP_STATE_INCORRECT, 0, LEAF_MNG_ADDCX, fx_page(f), td->tdr, 0, 0, NULL);
	/* FINALIZE needs a vCPU. */
	fx_expect(f, TDX_NO_VCPUS, 0, LEAF_MR_FINALIZE, td->tdr, 0, 0, 0, NULL);
}

static void vcpu_build(struct life *L, unsigned lp)
{
	struct fx *f = L->f;
	struct fx_td *td = &L->td;
	struct td_obj *t = tdo(f, td);
	unsigned v = td->nvcpus;
	td->tdvpr[v] = fx_page(f);
	fx_expect(f, TDX_SUCCESS, lp, LEAF_VP_CREATE, td->tdvpr[v], td->tdr, 0, 0, NULL);
	L->chld++;
	assert_page(f, td->tdvpr[v], TDXSIM_PT_TDVPR, td->tdr);
	struct vcpu_obj *o = vco(f, td->tdvpr[v]);
	assert_int_equal(atomic_load(&o->state), VCPU_UNINITIALIZED);
	assert_int_equal(atomic_load(&o->assoc_lpid), VCPU_NO_LP);
	assert_int_equal(o->num_tdvps_pages, 1);
	/* VP.INIT before the TDVPS is complete. */
	fx_expect(f, TDX_TDCX_NUM_INCORRECT, lp, LEAF_V(LEAF_VP_INIT, 1), td->tdvpr[v], 0, v, 0, NULL);
	for (unsigned k = 0; k < MIN_TDVPS_PAGES - 1; k++) {
		td->tdvpx[v][k] = fx_page(f);
		fx_expect(f, TDX_SUCCESS, lp, LEAF_VP_ADDCX, td->tdvpx[v][k], td->tdvpr[v], 0, 0, NULL);
		L->chld++;
		assert_page(f, td->tdvpx[v][k], TDXSIM_PT_TDCX, td->tdr);
		assert_int_equal(o->num_tdvps_pages, k + 2);
	}
	td->ntdvpx[v] = MIN_TDVPS_PAGES - 1;
	fx_expect(f, TDX_TDCX_NUM_INCORRECT, lp, LEAF_VP_ADDCX, fx_page(f), td->tdvpr[v], 0, 0, NULL);
	unsigned before = atomic_load(&t->num_vcpus);
	fx_expect(f, TDX_SUCCESS, lp, LEAF_V(LEAF_VP_INIT, 1), td->tdvpr[v], 0, v, 0, NULL);
	td->vcpu_lp[v] = lp;
	td->nvcpus = v + 1;
	assert_int_equal(atomic_load(&o->state), VCPU_READY);
	assert_int_equal(atomic_load(&o->assoc_lpid), lp);
	assert_int_equal(o->vcpu_index, before);
	assert_int_equal(atomic_load(&t->num_vcpus), before + 1);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), before + 1);
	fx_expect(f, TDX_VCPU_STATE_INCORRECT, lp, LEAF_V(LEAF_VP_INIT, 1), td->tdvpr[v], 0, v, 0, NULL);
	/* A TDVPS page cannot be added once initialized. */
	fx_expect(f, TDX_VCPU_STATE_INCORRECT, lp, LEAF_VP_ADDCX, fx_page(f), td->tdvpr[v], 0, 0, NULL);
	assert_td(f, td, TD_KEYS_CONFIGURED, OP_STATE_INITIALIZED, L->chld);
}

static void build_memory(struct life *L)
{
	struct fx *f = L->f;
	struct fx_td *td = &L->td;
	struct td_obj *t = tdo(f, td);
	/* PAGE.ADD with no SEPT page below the root: the walk stops at level 3. */
	uint64_t pg = fx_page(f);
	fx_expect(f, RCX_OP(TDX_EPT_WALK_FAILED), 0, LEAF_MEM_PAGE_ADD, GPA_ADD, td->tdr, pg, FX_SOURCE_PA, NULL);
	/* SEPT.ADD of the PDPT, PD and PT pages (entries at levels 3, 2, 1). */
	for (unsigned i = 0; i < 3; i++) {
		unsigned level = SEPT_LVL_PML4 - i;
		uint64_t aligned = GPA_ADD & ~(sept_level_bytes(level) - 1);
		L->sept[i] = fx_page(f);
		fx_expect(f, TDX_SUCCESS, 0, LEAF_MEM_SEPT_ADD, GPA_LEVEL(aligned, level), td->tdr, L->sept[i],
			  0, NULL);
		L->chld++;
		assert_page(f, L->sept[i], TDXSIM_PT_EPT, td->tdr);
		assert_int_equal(sept_entry(f, td, GPA_ADD, level), E_NL_MAPPED | L->sept[i]);
		assert_int_equal(sept_entry(f, td, GPA_ADD, level - 1), E_FREE);
		fx_expect(f, RCX_OP(TDX_EPT_ENTRY_STATE_INCORRECT), 0, LEAF_MEM_SEPT_ADD,
			  GPA_LEVEL(aligned, level), td->tdr, fx_page(f), 0, NULL);
	}
	assert_td(f, td, TD_KEYS_CONFIGURED, OP_STATE_INITIALIZED, L->chld);
	/* PAGE.ADD with measurement extend. */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MEM_PAGE_ADD, GPA_ADD, td->tdr, pg, FX_SOURCE_PA, NULL);
	L->page_add = pg;
	L->chld++;
	assert_page(f, pg, TDXSIM_PT_REG, td->tdr);
	assert_int_equal(sept_entry(f, td, GPA_ADD, SEPT_LVL_PT), E_MAPPED | pg);
	assert_td(f, td, TD_KEYS_CONFIGURED, OP_STATE_INITIALIZED, L->chld);
	fx_expect(f, RCX_OP(TDX_EPT_ENTRY_STATE_INCORRECT), 0, LEAF_MEM_PAGE_ADD, GPA_ADD, td->tdr,
		  fx_page(f), FX_SOURCE_PA, NULL);
	/* MR.EXTEND: only a mapped GPA; each chunk changes MRTD. */
	fx_expect(f, TDX_EPT_ENTRY_NOT_PRESENT, 0, LEAF_MR_EXTEND, GPA_AUG, td->tdr, 0, 0, NULL);
	uint64_t mr = t->mrtd;
	for (unsigned i = 0; i < 16; i++) {
		fx_expect(f, TDX_SUCCESS, 0, LEAF_MR_EXTEND, GPA_ADD + i * 256ull, td->tdr, 0, 0, NULL);
		assert_int_not_equal(t->mrtd, mr);
		mr = t->mrtd;
	}
	fx_expect(f, TDX_OPERAND_INVALID | OPERAND_ID_RCX, 0, LEAF_MR_EXTEND, GPA_ADD + 8, td->tdr, 0, 0, NULL);
	/* Entering before finalize: op_state INITIALIZED is not allowed. */
	fx_expect(f, TDX_OP_STATE_INCORRECT, td->vcpu_lp[0], LEAF_VP_ENTER, td->tdvpr[0], 0, 0, 0, NULL);
}

static void finalize(struct life *L)
{
	struct fx *f = L->f;
	struct fx_td *td = &L->td;
	uint64_t mr = tdo(f, td)->mrtd;
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MR_FINALIZE, td->tdr, 0, 0, 0, NULL);
	assert_td(f, td, TD_KEYS_CONFIGURED, OP_STATE_RUNNABLE, L->chld);
	assert_int_not_equal(tdo(f, td)->mrtd, mr);
	/* The build-only leaves are over. */
	fx_expect(f, TDX_OP_STATE_INCORRECT, 0, LEAF_MR_FINALIZE, td->tdr, 0, 0, 0, NULL);
	fx_expect(f, TDX_OP_STATE_INCORRECT, 0, LEAF_MR_EXTEND, GPA_ADD, td->tdr, 0, 0, NULL);
	fx_expect(f, TDX_OP_STATE_INCORRECT, 0, LEAF_MEM_PAGE_ADD, GPA_AUG, td->tdr, fx_page(f), FX_SOURCE_PA,
		  NULL);
	fx_expect(f, TDX_OP_STATE_INCORRECT, 0, LEAF_VP_CREATE, fx_page(f), td->tdr, 0, 0, NULL);
}

/* VP.ENTER of vCPU 0; the guest runs with the TDVPR (1G, 2M, 4K) and TDR shared. */
static void enter(struct life *L)
{
	struct fx *f = L->f;
	struct fx_td *td = &L->td;
	struct td_obj *t = tdo(f, td);
	struct vcpu_obj *o = vco(f, td->tdvpr[0]);
	uint64_t epoch = atomic_load(&t->td_epoch);
	unsigned rc = atomic_load(&t->refcount[epoch & 1]);
	fx_td_enter(f, td, 0);
	assert_int_equal(atomic_load(&o->state), VCPU_ACTIVE);
	assert_int_equal(o->vcpu_epoch, epoch);
	assert_int_equal(atomic_load(&t->refcount[epoch & 1]), rc + 1);
	assert_int_equal(o->n_entry_holds, 4); /* TDVPR 1G, 2M, 4K + TDR */
	assert_int_equal(atomic_load(&pamt4k(f, td->tdvpr[0])->lock), 4); /* one reader */
	assert_int_equal(atomic_load(&pamt4k(f, td->tdr)->lock), 4);
	assert_int_equal(atomic_load(&t->op_state_lock), 0); /* released before entry */
	assert_int_equal(atomic_load(&t->epoch_lock), 0);
	/* While the guest runs: TDR-exclusive and TDVPR-exclusive leaves are busy, and
	 * the vCPU is not entered twice. */
	fx_expect(f, BUSY(OPERAND_ID_RCX), 1, LEAF_MNG_VPFLUSHDONE, td->tdr, 0, 0, 0, NULL);
	fx_expect(f, BUSY(OPERAND_ID_RCX), td->vcpu_lp[0], LEAF_VP_FLUSH, td->tdvpr[0], 0, 0, 0, NULL);
	/* §1.3: each failed host exclusive attempt set HP next to the reader. */
	assert_int_equal(atomic_load(&pamt4k(f, td->tdvpr[0])->lock), 4 | 2);
	assert_int_equal(atomic_load(&pamt4k(f, td->tdr)->lock), 4 | 2);
	assert_invariants(f);
}

static void exit_vcpu(struct life *L, enum tdxsim_exit_reason why, uint64_t gpa, struct tdxsim_regs *out)
{
	struct fx *f = L->f;
	struct fx_td *td = &L->td;
	struct td_obj *t = tdo(f, td);
	struct vcpu_obj *o = vco(f, td->tdvpr[0]);
	uint64_t ve = o->vcpu_epoch;
	unsigned rc = atomic_load(&t->refcount[ve & 1]);
	unsigned tdr_w = atomic_load(&pamt4k(f, td->tdr)->lock);
	unsigned tdvpr_w = atomic_load(&pamt4k(f, td->tdvpr[0])->lock);
	fx_td_exit(f, td, 0, why, gpa, out);
	assert_int_equal(atomic_load(&o->state), VCPU_READY);
	assert_int_equal(atomic_load(&t->refcount[ve & 1]), rc - 1);
	assert_int_equal(o->n_entry_holds, 0);
	/* The TD entry's reader is gone; an HP bit the busy attempts in enter() set
	 * survives unless a successful host acquire cleared it meanwhile (§1.3). */
	assert_int_equal(atomic_load(&pamt4k(f, td->tdvpr[0])->lock), tdvpr_w - 4);
	assert_int_equal(atomic_load(&pamt4k(f, td->tdr)->lock), tdr_w - 4);
	assert_int_equal(atomic_load(&o->assoc_lpid), td->vcpu_lp[0]); /* still associated */
}

/* Guest fault on GPA_AUG -> TD exit -> AUG -> re-entry -> guest ACCEPT. */
static void fault_aug_accept(struct life *L)
{
	struct fx *f = L->f;
	struct fx_td *td = &L->td;
	struct tdxsim_regs out;
	enter(L);
	/* The build-time page is accessible, the unmapped one faults. */
	assert_true(tdxsim_guest_access(f->w, td->tdvpr[0], GPA_ADD, RIP0, true));
	assert_false(tdxsim_guest_access(f->w, td->tdvpr[0], GPA_AUG, RIP0, false));
	exit_vcpu(L, TDXSIM_EXIT_EPT_VIOLATION, GPA_AUG, &out);
	assert_int_equal(out.r[OPERAND_ID_RAX], VMEXIT_REASON_EPT_VIOLATION);
	assert_int_equal(out.r[OPERAND_ID_R8], GPA_AUG);
	assert_int_equal(vco(f, td->tdvpr[0])->last_td_exit, LAST_EXIT_ASYNC_FAULT);

	uint64_t pg = fx_page(f);
	/* AUG at 2M over the mapped PT page: not a FREE/REMOVED entry. */
	fx_expect(f, RCX_OP(TDX_EPT_ENTRY_STATE_INCORRECT), 0, LEAF_MEM_PAGE_AUG,
		  GPA_LEVEL(GPA_AUG & ~0x1FFFFFull, LVL_PD), td->tdr, fx_page_2m(f), 0, NULL);
	fx_expect(f, TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_R8, 0, LEAF_MEM_PAGE_AUG, GPA_AUG, td->tdr,
		  L->page_add, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MEM_PAGE_AUG, GPA_AUG, td->tdr, pg, 0, NULL);
	L->page_aug = pg;
	L->chld++;
	assert_page(f, pg, TDXSIM_PT_REG, td->tdr);
	assert_int_equal(pamt4k(f, pg)->bepoch, 0);
	assert_int_equal(sept_entry(f, td, GPA_AUG, SEPT_LVL_PT), E_PENDING | pg);
	assert_td(f, td, TD_KEYS_CONFIGURED, OP_STATE_RUNNABLE, L->chld);
	fx_expect(f, RCX_OP(TDX_EPT_ENTRY_STATE_INCORRECT), 0, LEAF_MEM_PAGE_AUG, GPA_AUG, td->tdr,
		  fx_page(f), 0, NULL);

	enter(L);
	/* PENDING is not accessible until the guest accepts it. */
	assert_false(tdxsim_guest_access(f->w, td->tdvpr[0], GPA_AUG, RIP0, false));
	bool exited = true;
	tdx_status_t s = fx_tdcall(f, td, 0, TDG_MEM_PAGE_ACCEPT, GPA_LEVEL(GPA_AUG, LVL_PT), 0, 0, &exited, NULL);
	fx_assert_status(s, TDX_SUCCESS, "TDG.MEM.PAGE.ACCEPT");
	assert_false(exited);
	assert_int_equal(sept_entry(f, td, GPA_AUG, SEPT_LVL_PT), E_MAPPED | pg);
	assert_true(tdxsim_guest_access(f->w, td->tdvpr[0], GPA_AUG, RIP0, true));
	s = fx_tdcall(f, td, 0, TDG_MEM_PAGE_ACCEPT, GPA_LEVEL(GPA_AUG, LVL_PT), 0, 0, &exited, NULL);
	fx_assert_status(s, TDX_PAGE_ALREADY_ACCEPTED | LVL_PT, "second ACCEPT");
	assert_int_equal(vco(f, td->tdvpr[0])->state, VCPU_ACTIVE);
	assert_invariants(f);
}

/* BLOCK (guest still running) -> TRACK -> REMOVE: refused until the vCPU that
 * entered in the blocking epoch has exited. */
static void block_track_remove(struct life *L)
{
	struct fx *f = L->f;
	struct fx_td *td = &L->td;
	struct td_obj *t = tdo(f, td);
	uint64_t pg = L->page_aug;
	uint64_t gpa = GPA_LEVEL(GPA_AUG, LVL_PT);
	fx_expect(f, RCX_OP(TDX_GPA_RANGE_NOT_BLOCKED), 1, LEAF_MEM_PAGE_REMOVE, gpa, td->tdr, 0, 0, NULL);
	uint64_t epoch = atomic_load(&t->td_epoch);
	fx_expect(f, TDX_SUCCESS, 1, LEAF_MEM_RANGE_BLOCK, gpa, td->tdr, 0, 0, NULL);
	assert_int_equal(sept_entry(f, td, GPA_AUG, SEPT_LVL_PT), E_BLOCKED | pg);
	assert_int_equal(atomic_load(&pamt4k(f, pg)->bepoch), epoch);
	/* A blocked page is no longer accessible (its translation may be cached). */
	assert_false(tdxsim_guest_access(f->w, td->tdvpr[0], GPA_AUG, RIP0, false));
	fx_expect(f, RCX_OP(TDX_GPA_RANGE_ALREADY_BLOCKED), 1, LEAF_MEM_RANGE_BLOCK, gpa, td->tdr, 0, 0, NULL);
	fx_expect(f, RCX_OP(TDX_TLB_TRACKING_NOT_DONE), 1, LEAF_MEM_PAGE_REMOVE, gpa, td->tdr, 0, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 1, LEAF_MEM_TRACK, td->tdr, 0, 0, 0, NULL);
	assert_int_equal(atomic_load(&t->td_epoch), epoch + 1);
	/* The vCPU entered in `epoch` is still in guest mode. */
	assert_int_equal(atomic_load(&t->refcount[epoch & 1]), 1);
	fx_expect(f, RCX_OP(TDX_TLB_TRACKING_NOT_DONE), 1, LEAF_MEM_PAGE_REMOVE, gpa, td->tdr, 0, 0, NULL);
	fx_expect(f, TDX_PREVIOUS_TLB_EPOCH_BUSY, 1, LEAF_MEM_TRACK, td->tdr, 0, 0, 0, NULL);
	assert_int_equal(sept_entry(f, td, GPA_AUG, SEPT_LVL_PT), E_BLOCKED | pg);

	struct tdxsim_regs out;
	exit_vcpu(L, TDXSIM_EXIT_INTERRUPT, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RAX], 1); /* external interrupt */
	fx_expect(f, TDX_SUCCESS, 1, LEAF_MEM_PAGE_REMOVE, gpa, td->tdr, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RCX], pg);
	L->chld--;
	assert_page(f, pg, TDXSIM_PT_NDA, 0);
	assert_int_equal(sept_entry(f, td, GPA_AUG, SEPT_LVL_PT), E_FREE);
	assert_td(f, td, TD_KEYS_CONFIGURED, OP_STATE_RUNNABLE, L->chld);
	fx_expect(f, RCX_OP(TDX_EPT_ENTRY_STATE_INCORRECT), 1, LEAF_MEM_PAGE_REMOVE, gpa, td->tdr, 0, 0, NULL);
	/* The next entry is in the new epoch and flushes. */
	enter(L);
	assert_int_equal(vco(f, td->tdvpr[0])->vcpu_epoch, epoch + 1);
	exit_vcpu(L, TDXSIM_EXIT_INTERRUPT, 0, NULL);
}

/* §7.1 teardown: VP.FLUSH, VPFLUSHDONE, CACHE.WB on every package, KEY.FREEID. */
static void teardown(struct life *L)
{
	struct fx *f = L->f;
	struct tdxsim_mod *m = fx_mod(f);
	struct fx_td *td = &L->td;
	struct td_obj *t = tdo(f, td);
	struct kot_entry *k = mod_kot(m, HKID);
	const uint8_t all_pkgs = (uint8_t)((1u << f->cfg.n_pkgs) - 1);

	fx_expect(f, TDX_LIFECYCLE_STATE_INCORRECT, 0, LEAF_MNG_KEY_FREEID, td->tdr, 0, 0, 0, NULL);
	fx_expect(f, TDX_LIFECYCLE_STATE_INCORRECT, 0, LEAF_PHYMEM_PAGE_RECLAIM, L->page_add, 0, 0, 0, NULL);
	fx_expect(f, TDX_FLUSHVP_NOT_DONE, 0, LEAF_MNG_VPFLUSHDONE, td->tdr, 0, 0, 0, NULL);
	for (unsigned v = 0; v < td->nvcpus; v++) {
		unsigned lp = td->vcpu_lp[v];
		struct vcpu_obj *o = vco(f, td->tdvpr[v]);
		fx_expect(f, TDX_VCPU_NOT_ASSOCIATED, (lp + 1) % f->cfg.n_lps, LEAF_VP_FLUSH, td->tdvpr[v], 0,
			  0, 0, NULL);
		unsigned assoc = atomic_load(&t->num_assoc_vcpus);
		fx_expect(f, TDX_SUCCESS, lp, LEAF_VP_FLUSH, td->tdvpr[v], 0, 0, 0, NULL);
		assert_int_equal(atomic_load(&o->assoc_lpid), VCPU_NO_LP);
		assert_int_equal(atomic_load(&t->num_assoc_vcpus), assoc - 1);
		assert_int_equal(atomic_load(&o->state), VCPU_READY);
		fx_expect(f, TDX_VCPU_NOT_ASSOCIATED, lp, LEAF_VP_FLUSH, td->tdvpr[v], 0, 0, 0, NULL);
	}
	assert_int_equal(mod_wbt(m, 0)->intr_point, 0);
	/* Nothing FLUSHED yet: CACHE.WB has nothing to do. */
	fx_expect(f, TDX_NO_HKID_READY_TO_WBCACHE, 0, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_VPFLUSHDONE, td->tdr, 0, 0, 0, NULL);
	assert_td(f, td, TD_BLOCKED, OP_STATE_RUNNABLE, L->chld);
	assert_int_equal(k->state, KOT_STATE_HKID_FLUSHED);
	assert_int_equal(atomic_load(&k->wbinvd_bitmap), all_pkgs);
	/* The TD is no longer usable by the runtime leaves. */
	fx_expect(f, TDX_TD_KEYS_NOT_CONFIGURED, 0, LEAF_VP_ENTER, td->tdvpr[0], 0, 0, 0, NULL);
	fx_expect(f, TDX_TD_KEYS_NOT_CONFIGURED, 0, LEAF_MEM_PAGE_AUG, GPA_AUG, td->tdr, fx_page(f), 0, NULL);
	fx_expect(f, TDX_LIFECYCLE_STATE_INCORRECT, 0, LEAF_MNG_VPFLUSHDONE, td->tdr, 0, 0, 0, NULL);
	fx_expect(f, TDX_WBCACHE_NOT_COMPLETE, 0, LEAF_MNG_KEY_FREEID, td->tdr, 0, 0, 0, NULL);
	fx_expect(f, TDX_LIFECYCLE_STATE_INCORRECT, 0, LEAF_PHYMEM_PAGE_RECLAIM, L->page_add, 0, 0, 0, NULL);

	/* CACHE.WB on every package: start and resumes get TDX_INTERRUPTED_RESUMABLE at
	 * each of the cache_wb_chunks interrupt points, then success clears this
	 * package's bit. */
	uint8_t left = all_pkgs;
	for (unsigned p = 0; p < f->cfg.n_pkgs; p++) {
		unsigned lp = fx_lp_of_pkg(f, p);
		struct wbt_entry *wbt = mod_wbt(m, p);
		fx_expect(f, TDX_WBCACHE_RESUME_ERROR, lp, LEAF_PHYMEM_CACHE_WB, 1, 0, 0, 0, NULL);
		fx_expect(f, TDX_OPERAND_INVALID | OPERAND_ID_RCX, lp, LEAF_PHYMEM_CACHE_WB, 2, 0, 0, 0, NULL);
		fx_expect(f, TDX_INTERRUPTED_RESUMABLE, lp, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0, NULL);
		assert_int_equal(wbt->intr_point, 1);
		assert_true(mod_wbt_hkids(m, p)[HKID / 64] & (1ull << (HKID % 64)));
		for (unsigned c = 1; c < f->cfg.cache_wb_chunks; c++) {
			fx_expect(f, TDX_INTERRUPTED_RESUMABLE, lp, LEAF_PHYMEM_CACHE_WB, 1, 0, 0, 0, NULL);
			assert_int_equal(wbt->intr_point, c + 1);
			assert_int_equal(atomic_load(&k->wbinvd_bitmap), left);
		}
		fx_expect(f, TDX_SUCCESS, lp, LEAF_PHYMEM_CACHE_WB, 1, 0, 0, 0, NULL);
		left &= (uint8_t)~(1u << p);
		assert_int_equal(atomic_load(&k->wbinvd_bitmap), left);
		assert_int_equal(wbt->intr_point, 0);
		assert_int_equal(atomic_load(&wbt->lock), 0);
		fx_expect(f, TDX_WBCACHE_RESUME_ERROR, lp, LEAF_PHYMEM_CACHE_WB, 1, 0, 0, 0, NULL);
		if (left)
			fx_expect(f, TDX_WBCACHE_NOT_COMPLETE, 0, LEAF_MNG_KEY_FREEID, td->tdr, 0, 0, 0, NULL);
	}
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_KEY_FREEID, td->tdr, 0, 0, 0, NULL);
	assert_td(f, td, TD_TEARDOWN, OP_STATE_RUNNABLE, L->chld);
	assert_int_equal(k->state, KOT_STATE_HKID_FREE);
	fx_expect(f, TDX_LIFECYCLE_STATE_INCORRECT, 0, LEAF_MNG_KEY_FREEID, td->tdr, 0, 0, 0, NULL);
	/* The HKID is free for another TD, the TDR page is not. */
	fx_expect(f, TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_RCX, 0, LEAF_MNG_CREATE, td->tdr, HKID, 0, 0, NULL);
}

/* RECLAIM one page: outputs RCX = PT, RDX = owner, R8 = level; PT_NDA after. */
static void reclaim(struct life *L, uint64_t hpa, unsigned pt, unsigned lp)
{
	struct fx *f = L->f;
	struct tdxsim_regs out;
	fx_expect(f, TDX_SUCCESS, lp, LEAF_PHYMEM_PAGE_RECLAIM, hpa, 0, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RCX], pt);
	assert_int_equal(out.r[OPERAND_ID_RDX], pt == TDXSIM_PT_TDR ? 0 : L->td.tdr);
	assert_int_equal(out.r[OPERAND_ID_R8], 0);
	assert_page(f, hpa, TDXSIM_PT_NDA, 0);
	if (pt != TDXSIM_PT_TDR) {
		L->chld--;
		assert_int_equal(atomic_load(&tdo(f, &L->td)->chldcnt), L->chld);
	}
	fx_expect(f, TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_RCX, lp, LEAF_PHYMEM_PAGE_RECLAIM, hpa, 0, 0, 0,
		  NULL);
}

static void reclaim_all(struct life *L)
{
	struct fx *f = L->f;
	struct tdxsim_mod *m = fx_mod(f);
	struct fx_td *td = &L->td;
	unsigned t = fx_td_index(f, td);
	/* The TDR cannot go while it has children. */
	struct tdxsim_regs out;
	fx_expect(f, TDX_TD_ASSOCIATED_PAGES_EXIST, 0, LEAF_PHYMEM_PAGE_RECLAIM, td->tdr, 0, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RCX], TDXSIM_PT_TDR);
	assert_page(f, td->tdr, TDXSIM_PT_TDR, 0);
	/* A page the TD no longer has (removed at runtime). */
	fx_expect(f, TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_RCX, 0, LEAF_PHYMEM_PAGE_RECLAIM, L->page_aug, 0, 0,
		  0, NULL);
	/* SEPT pages, leaf level first, then the data page. */
	for (int i = 2; i >= 0; i--)
		reclaim(L, L->sept[i], TDXSIM_PT_EPT, (unsigned)i);
	reclaim(L, L->page_add, TDXSIM_PT_REG, 3);
	/* TDVPX, then the TDVPR (its vCPU object goes back to the pool). */
	for (unsigned v = 0; v < td->nvcpus; v++) {
		for (unsigned k = 0; k < td->ntdvpx[v]; k++)
			reclaim(L, td->tdvpx[v][k], TDXSIM_PT_TDCX, 1);
		uint32_t vi = vcpu_pool_of_tdvpr(m, mod_frame_of(m, td->tdvpr[v]));
		reclaim(L, td->tdvpr[v], TDXSIM_PT_TDVPR, 2);
		assert_false(atomic_load(&mod_vcpu(m, vi)->in_use));
	}
	/* TDCS pages (page 3, the SEPT root, included). */
	for (unsigned i = 0; i < td->ntdcx; i++)
		reclaim(L, td->tdcx[i], TDXSIM_PT_TDCX, 0);
	assert_int_equal(L->chld, 0);
	/* The TDR last: its TD object is gone. */
	reclaim(L, td->tdr, TDXSIM_PT_TDR, 1);
	assert_false(atomic_load(&mod_td(m, t)->in_use));
	assert_int_equal(mod_kot(m, HKID)->state, KOT_STATE_HKID_FREE);
}

static void full_lifecycle(void **state)
{
	(void)state;
	struct tdxsim_module_config cfg = { .n_lps = 4, .n_pkgs = 2, .n_frames = 2048,
					    .check_invariants = true };
	struct life L = { .f = fx_new(NULL, &cfg) };
	struct fx *f = L.f;
	struct tdxsim_mod *m = fx_mod(f);

	system_init(f);
	assert_invariants(f);
	/* The module region right after bring-up, to compare with after teardown. */
	size_t mod_size = m->lay.size;
	uint8_t *booted = malloc(mod_size);
	assert_non_null(booted);
	memcpy(booted, m->base, mod_size);

	td_create_and_keys(&L);
	tdcs_and_init(&L);
	vcpu_build(&L, 2);
	build_memory(&L);
	finalize(&L);
	fault_aug_accept(&L);
	block_track_remove(&L);
	assert_invariants(f);
	assert_no_lock_held(f);
	teardown(&L);
	assert_invariants(f);
	reclaim_all(&L);
	assert_invariants(f);
	assert_no_lock_held(f);

	for (unsigned fr = 0; fr < tdxsim_world_n_frames(f->w); fr++)
		assert_int_equal(mod_pamt(m, PAMT_4K, fr)->pt, TDXSIM_PT_NDA);
	/* No residue: the module region is the booted one again, byte for byte. */
	for (size_t i = 0; i < mod_size; i++)
		if (m->base[i] != booted[i])
			fail_msg("module byte at offset 0x%zx differs from the booted state (0x%02x, was 0x%02x)", i,
				 m->base[i], booted[i]);
	free(booted);
	fx_free(f);
}

/* After KEY.FREEID the VMM may reclaim in any order (§7.1: RECLAIM only needs
 * TD_TEARDOWN; the TDR last, for chldcnt): a TDVPR before its TDVPX pages, the SEPT
 * root before the SEPT pages below it.  The invariants hold after every step. */
static void reclaim_in_any_order(void **state)
{
	(void)state;
	struct tdxsim_module_config cfg = { .n_lps = 4, .n_pkgs = 2, .n_frames = 2048,
					    .check_invariants = true };
	struct life L = { .f = fx_new(NULL, &cfg) };
	struct fx_td *td = &L.td;
	system_init(L.f);
	td_create_and_keys(&L);
	tdcs_and_init(&L);
	vcpu_build(&L, 2);
	build_memory(&L);
	finalize(&L);
	teardown(&L);
	reclaim(&L, td->tdvpr[0], TDXSIM_PT_TDVPR, 0);
	reclaim(&L, td->tdcx[TDCS_SEPT_ROOT_INDEX], TDXSIM_PT_TDCX, 1);
	assert_invariants(L.f);
	for (unsigned k = 0; k < td->ntdvpx[0]; k++)
		reclaim(&L, td->tdvpx[0][k], TDXSIM_PT_TDCX, 2);
	for (unsigned i = 0; i < 3; i++)
		reclaim(&L, L.sept[i], TDXSIM_PT_EPT, 3);
	for (unsigned i = 0; i < td->ntdcx; i++)
		if (i != TDCS_SEPT_ROOT_INDEX)
			reclaim(&L, td->tdcx[i], TDXSIM_PT_TDCX, 0);
	reclaim(&L, L.page_add, TDXSIM_PT_REG, 1);
	assert_int_equal(L.chld, 0);
	reclaim(&L, td->tdr, TDXSIM_PT_TDR, 2);
	assert_invariants(L.f);
	assert_no_lock_held(L.f);
	fx_free(L.f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_lifecycle),
		cmocka_unit_test(reclaim_in_any_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
