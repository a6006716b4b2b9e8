/* SPDX-License-Identifier: MIT */
/*
 * System leaves (reference §7.4): TDH.SYS.INIT, LP.INIT, CONFIG, KEY.CONFIG,
 * TDMR.INIT, INFO, RD, RDALL, and the dispatcher gate (SYS_NOT_READY,
 * SYS_SHUTDOWN).  Success paths assert the module state after each step; error
 * paths come in the module's order; BUSY paths hold a lock mid-leaf.
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

#define INVALID(op) (TDX_OPERAND_INVALID | (uint64_t)(op))
#define GB1 (1ull << 30)

static struct mod_global *G(struct fx *f)
{
	return mod_global(fx_mod(f));
}

static uint8_t sys_state(struct fx *f)
{
	return atomic_load(&G(f)->sys_state);
}

static void lp_init_all(struct fx *f)
{
	for (unsigned lp = 0; lp < f->cfg.n_lps; lp++)
		fx_expect(f, TDX_SUCCESS, lp, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);
}

static void config(struct fx *f)
{
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA, f->cfg.n_tdmrs, FX_GLOBAL_HKID, 0,
		  NULL);
}

static void key_config_all(struct fx *f)
{
	for (unsigned p = 0; p < f->cfg.n_pkgs; p++)
		fx_expect(f, TDX_SUCCESS, fx_lp_of_pkg(f, p), LEAF_SYS_KEY_CONFIG, 0, 0, 0, 0, NULL);
}

/* ---- TDH.SYS.INIT ---- */

static void sys_init_success(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, NULL);
	assert_int_equal(sys_state(f), SYSINIT_PENDING);
	fx_expect(f, TDX_SUCCESS, 2, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);
	assert_int_equal(sys_state(f), SYSINIT_DONE);
	assert_int_equal(G(f)->num_of_lps, 4);
	assert_int_equal(G(f)->num_of_pkgs, 2);
	assert_int_equal(atomic_load(&G(f)->num_of_init_lps), 0);
	assert_int_equal(atomic_load(&G(f)->pkg_config_bitmap), 0);
	assert_int_equal(atomic_load(&G(f)->global_lock), 0);
	fx_free(f);
}

static void sys_init_errors(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, NULL);
	/* RCX != 0 comes before the state check, under the lock. */
	fx_expect(f, INVALID(OPERAND_ID_RCX), 0, LEAF_SYS_INIT, 1, 0, 0, 0, NULL);
	assert_int_equal(sys_state(f), SYSINIT_PENDING);
	assert_int_equal(atomic_load(&G(f)->global_lock), 0);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);
	fx_expect(f, TDX_SYS_INIT_NOT_PENDING, 1, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);
	fx_expect(f, INVALID(OPERAND_ID_RCX), 1, LEAF_SYS_INIT, 5, 0, 0, 0, NULL);
	/* Reserved RAX bits and an unknown version: the dispatcher. */
	fx_expect(f, INVALID(OPERAND_ID_RAX), 0, LEAF_V(LEAF_SYS_INIT, 1), 0, 0, 0, 0, NULL);
	fx_free(f);
}

/* Two SYS.INITs interleaved: the second finds the global lock held -> TDX_SYS_BUSY
 * (no operand), and the first completes. */
static void sys_init_busy(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, NULL);
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 0, LEAF_SYS_INIT, 0, 0, 0, 0);
	fx_step_until_holds(f, &x, "GLOBAL", TDXSIM_MODE_EXCLUSIVE);
	assert_int_equal(atomic_load(&G(f)->global_lock), 1);
	fx_expect(f, TDX_SYS_BUSY, 1, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);
	assert_int_equal(0x8000020200000000ull, TDX_SYS_BUSY);
	/* Readers also fail: LP.INIT takes it shared. */
	fx_expect(f, TDX_SYS_BUSY, 2, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);
	assert_int_equal(sys_state(f), SYSINIT_PENDING);
	assert_int_equal(fx_finish(f, &x), TDX_SUCCESS);
	assert_int_equal(sys_state(f), SYSINIT_DONE);
	/* The exclusive release wiped the failed reader's increment (§9.1). */
	assert_int_equal(atomic_load(&G(f)->global_lock), 0);
	fx_free(f);
}

/* ---- TDH.SYS.LP.INIT ---- */

static void lp_init(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, NULL);
	fx_expect(f, TDX_SYS_LP_INIT_NOT_PENDING, 0, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 1, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);
	assert_true(mod_lp(fx_mod(f), 1)->lp_is_init);
	assert_false(mod_lp(fx_mod(f), 0)->lp_is_init);
	assert_int_equal(atomic_load(&G(f)->num_of_init_lps), 1);
	/* Twice on the same LP; RCX, RDX and R8 are cleared on every return. */
	struct tdxsim_regs out;
	fx_expect(f, TDX_SYS_LP_INIT_DONE, 1, LEAF_SYS_LP_INIT, 11, 22, 33, 44, &out);
	assert_int_equal(out.r[OPERAND_ID_RCX], 0);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0);
	assert_int_equal(out.r[OPERAND_ID_R8], 0);
	assert_int_equal(out.r[OPERAND_ID_R9], 44);
	assert_int_equal(atomic_load(&G(f)->num_of_init_lps), 1);
	fx_expect(f, TDX_SUCCESS, 3, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);
	assert_int_equal(atomic_load(&G(f)->num_of_init_lps), 2);
	/* After CONFIG the state is no longer SYSINIT_DONE: the state check comes first. */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 2, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);
	config(f);
	fx_expect(f, TDX_SYS_LP_INIT_NOT_PENDING, 1, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);
	fx_free(f);
}

/* LP.INIT takes the global lock shared: two at once both succeed. */
static void lp_init_concurrent(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, NULL);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 0, LEAF_SYS_LP_INIT, 0, 0, 0, 0);
	fx_step_until_holds(f, &x, "GLOBAL", TDXSIM_MODE_SHARED);
	assert_int_equal(atomic_load(&G(f)->global_lock), 2);
	fx_expect(f, TDX_SUCCESS, 1, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);
	/* But CONFIG (exclusive) is busy while a reader holds it. */
	fx_expect(f, TDX_SYS_BUSY, 2, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA, 1, FX_GLOBAL_HKID, 0, NULL);
	assert_int_equal(fx_finish(f, &x), TDX_SUCCESS);
	assert_int_equal(atomic_load(&G(f)->num_of_init_lps), 2);
	assert_int_equal(atomic_load(&G(f)->global_lock), 0);
	fx_free(f);
}

/* ---- TDH.SYS.CONFIG ---- */

static void config_not_pending(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, NULL);
	fx_expect(f, TDX_SYS_CONFIG_NOT_PENDING, 0, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA, 1, 1, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);
	/* Before every LP ran LP.INIT; the state checks precede the operand checks. */
	for (unsigned lp = 0; lp < 3; lp++)
		fx_expect(f, TDX_SUCCESS, lp, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);
	fx_expect(f, TDX_SYS_CONFIG_NOT_PENDING, 0, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA, 1, 1, 0, NULL);
	fx_expect(f, TDX_SYS_CONFIG_NOT_PENDING, 0, LEAF_SYS_CONFIG, 3, 0, 0, 0, NULL);
	assert_int_equal(mod_kot(fx_mod(f), 1)->state, KOT_STATE_HKID_FREE);
	fx_expect(f, TDX_SUCCESS, 3, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);
	config(f);
	fx_expect(f, TDX_SYS_CONFIG_NOT_PENDING, 0, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA, 1, 1, 0, NULL);
	fx_free(f);
}

static void config_operands(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, NULL);
	struct tdxsim_mod *m = fx_mod(f);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);
	lp_init_all(f);
	uint64_t priv_pa_hkid = 2ull << (m->lay.pa_bits - m->lay.hkid_bits); /* private HKID 2 */
	/* RCX: 512-byte aligned shared HPA. */
	fx_expect(f, INVALID(OPERAND_ID_RCX), 0, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA + 256, 1, 1, 0, NULL);
	fx_expect(f, INVALID(OPERAND_ID_RCX), 0, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA | priv_pa_hkid, 1, 1, 0,
		  NULL);
	fx_expect(f, INVALID(OPERAND_ID_RCX), 0, LEAF_SYS_CONFIG, 1ull << 52, 1, 1, 0, NULL);
	/* RCX is checked before RDX. */
	fx_expect(f, INVALID(OPERAND_ID_RCX), 0, LEAF_SYS_CONFIG, 8, 0, 0, 0, NULL);
	/* RDX: 1..MAX_TDMRS. */
	fx_expect(f, INVALID(OPERAND_ID_RDX), 0, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA, 0, 1, 0, NULL);
	fx_expect(f, INVALID(OPERAND_ID_RDX), 0, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA, 65, 0, 0, NULL);
	/* R8: a private HKID with reserved bits 0. */
	fx_expect(f, INVALID(OPERAND_ID_R8), 0, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA, 1, 0, 0, NULL);
	fx_expect(f, INVALID(OPERAND_ID_R8), 0, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA, 1, 64, 0, NULL);
	fx_expect(f, INVALID(OPERAND_ID_R8), 0, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA, 1, 1 | (1ull << 16), 0,
		  NULL);
	for (unsigned h = 0; h < m->lay.n_hkids; h++)
		assert_int_equal(mod_kot(m, h)->state, KOT_STATE_HKID_FREE);
	/* A TDMR count other than the platform's (emulator CHOICE: |RDX); the HKID is
	 * reserved before the TDMR list is read, as in the real module. */
	fx_expect(f, INVALID(OPERAND_ID_RDX), 0, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA, 2, 5, 0, NULL);
	assert_int_equal(mod_kot(m, 5)->state, KOT_STATE_HKID_RESERVED);
	assert_int_equal(sys_state(f), SYSINIT_DONE);
	fx_free(f);
}

static void config_success(void **state)
{
	(void)state;
	struct tdxsim_module_config cfg = { .n_lps = 4, .n_pkgs = 2, .n_frames = 2048, .n_tdmrs = 2 };
	struct fx *f = fx_new(NULL, &cfg);
	struct tdxsim_mod *m = fx_mod(f);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);
	lp_init_all(f);
	fx_expect(f, TDX_SUCCESS, 3, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA, 2, FX_GLOBAL_HKID, 0, NULL);
	assert_int_equal(sys_state(f), SYSCONFIG_DONE);
	assert_int_equal(mod_kot(m, FX_GLOBAL_HKID)->state, KOT_STATE_HKID_RESERVED);
	assert_int_equal(G(f)->global_hkid, FX_GLOBAL_HKID);
	assert_int_equal(G(f)->num_tdmrs_configured, 2);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(atomic_load(&mod_tdmr(m, i)->last_initialized), mod_tdmr(m, i)->base);
	fx_free(f);
}

/* ---- TDH.SYS.KEY.CONFIG and the gate ---- */

static void key_config(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, NULL);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);
	fx_expect(f, TDX_SYS_KEY_CONFIG_NOT_PENDING, 0, LEAF_SYS_KEY_CONFIG, 0, 0, 0, 0, NULL);
	lp_init_all(f);
	fx_expect(f, TDX_SYS_KEY_CONFIG_NOT_PENDING, 0, LEAF_SYS_KEY_CONFIG, 0, 0, 0, 0, NULL);
	config(f);
	/* LPs 0,1 are package 0; LPs 2,3 package 1. */
	fx_expect(f, TDX_SUCCESS, 1, LEAF_SYS_KEY_CONFIG, 0, 0, 0, 0, NULL);
	assert_int_equal(atomic_load(&G(f)->pkg_config_bitmap), 1);
	assert_int_equal(G(f)->num_of_init_pkgs, 1);
	assert_int_equal(sys_state(f), SYSCONFIG_DONE);
	/* Twice on a package, from either of its LPs: informational, bit 63 clear. */
	fx_expect(f, TDX_KEY_CONFIGURED, 1, LEAF_SYS_KEY_CONFIG, 0, 0, 0, 0, NULL);
	fx_expect(f, TDX_KEY_CONFIGURED, 0, LEAF_SYS_KEY_CONFIG, 0, 0, 0, 0, NULL);
	assert_int_equal(TDX_KEY_CONFIGURED, 0x0000081500000000ull);
	assert_int_equal(G(f)->num_of_init_pkgs, 1);
	/* Not ready yet: every TD leaf and TDMR.INIT get SYS_NOT_READY. */
	fx_expect(f, TDX_SYS_NOT_READY, 0, LEAF_MNG_CREATE, fx_page(f), 2, 0, 0, NULL);
	fx_expect(f, TDX_SYS_NOT_READY, 0, LEAF_SYS_TDMR_INIT, fx_mod(f)->lay.mem_base, 0, 0, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 3, LEAF_SYS_KEY_CONFIG, 0, 0, 0, 0, NULL);
	assert_int_equal(atomic_load(&G(f)->pkg_config_bitmap), 3);
	assert_int_equal(sys_state(f), SYS_READY);
	fx_expect(f, TDX_SYS_KEY_CONFIG_NOT_PENDING, 2, LEAF_SYS_KEY_CONFIG, 0, 0, 0, 0, NULL);
	fx_free(f);
}

/* §7.4 dispatcher gate: every TD leaf before SYS_READY -> 0xC000050500000000, and the
 * leaves allowed before it are not gated. */
static void not_ready_gate(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, NULL);
	assert_int_equal(TDX_SYS_NOT_READY, 0xC000050500000000ull);
	uint64_t page = fx_page(f);
	const unsigned gated[] = { LEAF_MNG_CREATE, LEAF_MNG_ADDCX, LEAF_MNG_INIT, LEAF_MNG_KEY_CONFIG,
				   LEAF_MNG_VPFLUSHDONE, LEAF_MNG_KEY_FREEID, LEAF_MNG_KEY_RECLAIMID,
				   LEAF_MNG_RD, LEAF_MNG_WR, LEAF_MR_EXTEND, LEAF_MR_FINALIZE,
				   LEAF_VP_CREATE, LEAF_VP_ENTER, LEAF_MEM_PAGE_AUG, LEAF_MEM_TRACK,
				   LEAF_PHYMEM_PAGE_RECLAIM, LEAF_PHYMEM_PAGE_WBINVD, LEAF_PHYMEM_CACHE_WB,
				   LEAF_SYS_TDMR_INIT };
	for (unsigned i = 0; i < sizeof(gated) / sizeof(gated[0]); i++)
		fx_expect(f, TDX_SYS_NOT_READY, 0, gated[i], page, page, 0, 0, NULL);
	/* Bad operands do not matter: the gate is first. */
	fx_expect(f, TDX_SYS_NOT_READY, 0, LEAF_MNG_CREATE, 3, 0, 0, 0, NULL);
	/* Not gated: SYS.INFO/RD/RDALL (LP init not done), SYS.INIT. */
	fx_expect(f, TDX_SYS_LP_INIT_NOT_DONE, 0, LEAF_SYS_INFO, 0, 0, 0, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);
	fx_free(f);
}

/* §7.4: SYS_SHUTDOWN -> TDX_SYS_SHUTDOWN for every leaf (LP.SHUTDOWN is not modelled). */
static void shutdown_gate(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, NULL);
	fx_boot(f);
	atomic_store(&G(f)->sys_state, SYS_SHUTDOWN);
	const unsigned leaves[] = { LEAF_MNG_CREATE, LEAF_SYS_INIT, LEAF_SYS_LP_INIT, LEAF_SYS_CONFIG,
				    LEAF_SYS_KEY_CONFIG, LEAF_SYS_TDMR_INIT, LEAF_SYS_INFO, LEAF_SYS_RD,
				    LEAF_SYS_RDALL, LEAF_PHYMEM_CACHE_WB };
	for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++)
		fx_expect(f, TDX_SYS_SHUTDOWN, 1, leaves[i], 0, 0, 0, 0, NULL);
	fx_free(f);
}

/* ---- TDH.SYS.TDMR.INIT ---- */

static void tdmr_init_progress(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, NULL); /* 2048 frames = 8 MB, one TDMR */
	struct tdxsim_mod *m = fx_mod(f);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);
	lp_init_all(f);
	config(f);
	key_config_all(f);
	uint64_t base = mod_tdmr(m, 0)->base, end = base + mod_tdmr(m, 0)->size;
	struct tdxsim_regs out;
	/* Nothing is usable before TDMR.INIT. */
	fx_expect(f, TDX_OPERAND_ADDR_RANGE_ERROR | OPERAND_ID_RCX, 0, LEAF_MNG_CREATE, base, 2, 0, 0, NULL);
	/* Not a TDMR base: RDX = 0. */
	fx_expect(f, INVALID(OPERAND_ID_RCX), 0, LEAF_SYS_TDMR_INIT, base + 4096, 7, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0);
	fx_expect(f, INVALID(OPERAND_ID_RCX), 0, LEAF_SYS_TDMR_INIT, base + 1, 7, 0, 0, &out);
	fx_expect(f, INVALID(OPERAND_ID_RCX), 0, LEAF_SYS_TDMR_INIT, end, 7, 0, 0, &out);
	/* First call: 1024 4K entries (4 MB); RDX rounded down to 1 GB = base. */
	fx_expect(f, TDX_SUCCESS, 1, LEAF_SYS_TDMR_INIT, base, 0, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RDX], base & ~(GB1 - 1));
	assert_int_equal(atomic_load(&mod_tdmr(m, 0)->last_initialized), base + 1024 * 4096ull);
	/* Still unusable: pamt_get_block refuses a partly initialized TDMR below 1 GB. */
	fx_expect(f, TDX_OPERAND_ADDR_RANGE_ERROR | OPERAND_ID_RCX, 0, LEAF_MNG_CREATE, base, 2, 0, 0, NULL);
	/* Second call completes it: RDX = the TDMR's end. */
	fx_expect(f, TDX_SUCCESS, 2, LEAF_SYS_TDMR_INIT, base, 0, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RDX], end);
	assert_int_equal(atomic_load(&mod_tdmr(m, 0)->last_initialized), end);
	/* Then informational ALREADY_INITIALIZED (bit 63 clear), RDX = 0. */
	fx_expect(f, TDX_TDMR_ALREADY_INITIALIZED, 0, LEAF_SYS_TDMR_INIT, base, 9, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0);
	assert_int_equal(TDX_TDMR_ALREADY_INITIALIZED, 0x00000A0300000000ull);
	/* Every PAMT entry is PT_NDA and free; the memory is usable. */
	for (uint32_t fr = 0; fr < m->lay.n_frames; fr++) {
		assert_int_equal(mod_pamt(m, PAMT_4K, fr)->pt, TDXSIM_PT_NDA);
		assert_int_equal(atomic_load(&mod_pamt(m, PAMT_4K, fr)->lock), 0);
	}
	assert_int_equal(pamt_get_block(m, base), 0);
	assert_int_equal(pamt_get_block(m, end - 4096), 0);
	assert_int_equal(pamt_get_block(m, end), -1);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_CREATE, base, 2, 0, 0, NULL);
	fx_free(f);
}

/* A TDMR of 1 GB + 4 MB: RDX stays at the base until the first GB is done, then
 * the first GB is usable before the rest. */
static void tdmr_init_1g_rounding(void **state)
{
	(void)state;
	struct tdxsim_module_config cfg = { .n_lps = 2, .n_pkgs = 1, .n_frames = (1u << 18) + 1024,
					    .max_sept_pages = 4 };
	struct fx *f = fx_new(NULL, &cfg);
	struct tdxsim_mod *m = fx_mod(f);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);
	lp_init_all(f);
	config(f);
	key_config_all(f);
	uint64_t base = mod_tdmr(m, 0)->base, end = base + mod_tdmr(m, 0)->size;
	struct tdxsim_regs out;
	for (unsigned i = 0; i < 255; i++) {
		fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_TDMR_INIT, base, 0, 0, 0, &out);
		assert_int_equal(out.r[OPERAND_ID_RDX], base);
	}
	assert_int_equal(pamt_get_block(m, base), -1);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_TDMR_INIT, base, 0, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RDX], base + GB1);
	assert_int_equal(pamt_get_block(m, base + GB1 - 4096), 0);
	assert_int_equal(pamt_get_block(m, base + GB1), -1);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_TDMR_INIT, base, 0, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RDX], end);
	assert_int_equal(pamt_get_block(m, base + GB1), 0);
	fx_expect(f, TDX_TDMR_ALREADY_INITIALIZED, 0, LEAF_SYS_TDMR_INIT, base, 0, 0, 0, NULL);
	fx_free(f);
}

/* Several TDMRs: each is initialized on its own (RCX names it by its base). */
static void tdmr_init_several(void **state)
{
	(void)state;
	struct tdxsim_module_config cfg = { .n_lps = 2, .n_pkgs = 1, .n_frames = 3072, .n_tdmrs = 3 };
	struct fx *f = fx_new(NULL, &cfg);
	struct tdxsim_mod *m = fx_mod(f);
	fx_boot(f);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(atomic_load(&mod_tdmr(m, i)->last_initialized),
				 mod_tdmr(m, i)->base + mod_tdmr(m, i)->size);
		fx_expect(f, TDX_TDMR_ALREADY_INITIALIZED, 0, LEAF_SYS_TDMR_INIT, mod_tdmr(m, i)->base, 0, 0, 0,
			  NULL);
	}
	fx_free(f);
}

/* The TDMR mutex: a second TDMR.INIT of the same TDMR -> BUSY|RCX; another TDMR's
 * mutex is independent. */
static void tdmr_init_busy(void **state)
{
	(void)state;
	struct tdxsim_module_config cfg = { .n_lps = 4, .n_pkgs = 2, .n_frames = 4096, .n_tdmrs = 2 };
	struct fx *f = fx_new(NULL, &cfg);
	struct tdxsim_mod *m = fx_mod(f);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);
	lp_init_all(f);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA, 2, FX_GLOBAL_HKID, 0, NULL);
	key_config_all(f);
	uint64_t b0 = mod_tdmr(m, 0)->base, b1 = mod_tdmr(m, 1)->base;
	struct tdxsim_leaf_exec x;
	struct tdxsim_regs out;
	fx_begin(f, &x, 0, LEAF_SYS_TDMR_INIT, b0, 0, 0, 0);
	fx_step_until_holds(f, &x, "TDMR", -1);
	assert_int_equal(atomic_load(&mod_tdmr(m, 0)->lock), 1);
	fx_expect(f, BUSY(OPERAND_ID_RCX), 1, LEAF_SYS_TDMR_INIT, b0, 0, 0, 0, &out);
	assert_int_equal(BUSY(OPERAND_ID_RCX), 0x8000020000000001ull);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0);
	assert_int_equal(atomic_load(&mod_tdmr(m, 0)->last_initialized), b0);
	fx_expect(f, TDX_SUCCESS, 2, LEAF_SYS_TDMR_INIT, b1, 0, 0, 0, NULL);
	assert_int_equal(fx_finish(f, &x), TDX_SUCCESS);
	assert_int_equal(atomic_load(&mod_tdmr(m, 0)->lock), 0);
	assert_int_equal(atomic_load(&mod_tdmr(m, 0)->last_initialized), b0 + 1024 * 4096ull);
	fx_free(f);
}

/* ---- TDH.SYS.INFO / RD / RDALL ---- */

static void sys_info(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, NULL);
	struct tdxsim_regs out;
	/* Not gated before SYS_READY, but the LP must have run LP.INIT; RDX = R9 = 0. */
	fx_expect(f, TDX_SYS_LP_INIT_NOT_DONE, 0, LEAF_SYS_INFO, FX_SHARED_PAGE(4), 1024, FX_SHARED_PAGE(5),
		  32, &out);
	assert_int_equal(TDX_SYS_LP_INIT_NOT_DONE, 0xC000050200000000ull);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0);
	assert_int_equal(out.r[OPERAND_ID_R9], 0);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 1, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);
	fx_expect(f, TDX_SYS_LP_INIT_NOT_DONE, 0, LEAF_SYS_INFO, FX_SHARED_PAGE(4), 1024, FX_SHARED_PAGE(5),
		  32, NULL);
	fx_expect(f, TDX_SUCCESS, 1, LEAF_SYS_INFO, FX_SHARED_PAGE(4), 1024, FX_SHARED_PAGE(5), 32, &out);
	assert_int_equal(out.r[OPERAND_ID_RDX], 1024);
	assert_int_equal(out.r[OPERAND_ID_R9], 32);
	/* Operand order: RCX alignment (1 KB), RDX size, R8 alignment (512), R9 count. */
	fx_expect(f, INVALID(OPERAND_ID_RCX), 1, LEAF_SYS_INFO, FX_SHARED_PAGE(4) + 512, 0, 1, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0);
	fx_expect(f, INVALID(OPERAND_ID_RDX), 1, LEAF_SYS_INFO, FX_SHARED_PAGE(4), 1023, 1, 0, NULL);
	fx_expect(f, INVALID(OPERAND_ID_R8), 1, LEAF_SYS_INFO, FX_SHARED_PAGE(4), 1024, FX_SHARED_PAGE(5) + 256,
		  0, NULL);
	fx_expect(f, INVALID(OPERAND_ID_R9), 1, LEAF_SYS_INFO, FX_SHARED_PAGE(4), 1024, FX_SHARED_PAGE(5), 31,
		  &out);
	assert_int_equal(out.r[OPERAND_ID_R9], 0);
	fx_free(f);
}

#define MD_MAX_TDMRS 0x9100000100000008ull
#define MD_FEATURES0 0x0A00000300000008ull
#define MD_MINOR_VERSION 0x0800000100000003ull
#define MD_TDCS_BASE_SIZE 0x9800000100000100ull
#define MD_TDVPS_BASE_SIZE 0x9800000100000200ull
#define MD_PAMT_4K_ENTRY_SIZE 0x9100000100000010ull
#define MD_PAMT_2M_ENTRY_SIZE 0x9100000100000011ull

static void sys_rd(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, NULL);
	struct tdxsim_regs out;
	fx_expect(f, TDX_SYS_LP_INIT_NOT_DONE, 0, LEAF_SYS_RD, 0, MD_MAX_TDMRS, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RDX], ~0ull);
	assert_int_equal(out.r[OPERAND_ID_R8], 0);
	fx_boot(f);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_RD, 0, MD_MAX_TDMRS, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], 64);
	assert_int_equal(out.r[OPERAND_ID_RDX], 0x9100000100000009ull); /* next field */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_RD, 0, MD_PAMT_4K_ENTRY_SIZE, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], 16);
	assert_int_equal(out.r[OPERAND_ID_RDX], MD_PAMT_2M_ENTRY_SIZE);
	/* §1.7: host_priority_locks (bit 10) and relaxed_mem_mng_concurrency (bit 4). */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_RD, 0, MD_FEATURES0, 0, 0, &out);
	assert_true(out.r[OPERAND_ID_R8] & (1ull << 10));
	assert_true(out.r[OPERAND_ID_R8] & (1ull << 4));
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_RD, 0, MD_MINOR_VERSION, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], 5);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_RD, 0, MD_TDCS_BASE_SIZE, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], 6 * 4096);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_RD, 0, MD_TDVPS_BASE_SIZE, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], MAX_NUM_TDVPS_PAGES * 4096);
	/* The context code and element size bits are ignored. */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_RD, 0, MD_MAX_TDMRS | (3ull << 52), 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], 64);
	/* Unknown field, and a reserved bit set: FIELD_ID_INCORRECT, R8 = 0, RDX = NA. */
	fx_expect(f, TDX_METADATA_FIELD_ID_INCORRECT, 0, LEAF_SYS_RD, 0, 0x9100000100000077ull, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], 0);
	assert_int_equal(out.r[OPERAND_ID_RDX], ~0ull);
	fx_expect(f, TDX_METADATA_FIELD_ID_INCORRECT, 0, LEAF_SYS_RD, 0, MD_MAX_TDMRS | (1ull << 62), 0, 0,
		  NULL);
	/* Null field ID: the first field of the context, informational status. */
	fx_expect(f, TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT, 0, LEAF_SYS_RD, 0, ~0ull, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_RDX], MD_MINOR_VERSION);
	/* Walking the context from the first field ends with NA. */
	uint64_t id = out.r[OPERAND_ID_RDX];
	unsigned n = 0;
	while (id != ~0ull) {
		fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_RD, 0, id, 0, 0, &out);
		assert_true(out.r[OPERAND_ID_RDX] == ~0ull || out.r[OPERAND_ID_RDX] > id ||
			    ((out.r[OPERAND_ID_RDX] >> 56) & 0x3F) > ((id >> 56) & 0x3F));
		id = out.r[OPERAND_ID_RDX];
		assert_true(++n < 100);
	}
	assert_true(n >= 10);
	fx_free(f);
}

static void sys_rdall(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, NULL);
	struct tdxsim_regs out;
	fx_expect(f, TDX_SYS_LP_INIT_NOT_DONE, 0, LEAF_SYS_RDALL, 0, FX_SHARED_PAGE(6), 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], ~0ull);
	fx_boot(f);
	fx_expect(f, INVALID(OPERAND_ID_RDX), 0, LEAF_SYS_RDALL, 0, FX_SHARED_PAGE(6) + 8, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], ~0ull);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_RDALL, 0, FX_SHARED_PAGE(6), 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], ~0ull);
	fx_free(f);
}

/* The whole bring-up leaves no lock held and the world comparable. */
static void boot_clean(void **state)
{
	(void)state;
	struct fx *a = fx_new(NULL, NULL), *b = fx_new(NULL, NULL);
	fx_boot(a);
	fx_boot(b);
	assert_int_equal(sys_state(a), SYS_READY);
	assert_true(tdxsim_world_equal(a->w, b->w));
	assert_int_equal(atomic_load(&G(a)->global_lock), 0);
	for (unsigned p = 0; p < 2; p++)
		assert_int_equal(atomic_load(&mod_wbt(fx_mod(a), p)->lock), 0);
	fx_free(a);
	fx_free(b);
}

/* The 1.5.01 table binds to the same functions: bring-up and a TD build work. */
static void boot_1501(void **state)
{
	(void)state;
	struct fx *f = fx_new("tdx-1.5.01.yaml", NULL);
	fx_boot(f);
	assert_int_equal(sys_state(f), SYS_READY);
	struct fx_td td;
	fx_td_create(f, &td, 2);
	assert_int_equal(atomic_load(&mod_td(fx_mod(f), fx_td_index(f, &td))->op_state), OP_STATE_INITIALIZED);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sys_init_success),
		cmocka_unit_test(sys_init_errors),
		cmocka_unit_test(sys_init_busy),
		cmocka_unit_test(lp_init),
		cmocka_unit_test(lp_init_concurrent),
		cmocka_unit_test(config_not_pending),
		cmocka_unit_test(config_operands),
		cmocka_unit_test(config_success),
		cmocka_unit_test(key_config),
		cmocka_unit_test(not_ready_gate),
		cmocka_unit_test(shutdown_gate),
		cmocka_unit_test(tdmr_init_progress),
		cmocka_unit_test(tdmr_init_1g_rounding),
		cmocka_unit_test(tdmr_init_several),
		cmocka_unit_test(tdmr_init_busy),
		cmocka_unit_test(sys_info),
		cmocka_unit_test(sys_rd),
		cmocka_unit_test(sys_rdall),
		cmocka_unit_test(boot_clean),
		cmocka_unit_test(boot_1501),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
