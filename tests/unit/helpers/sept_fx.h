/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the SEPT / memory / accept / invariant tests (test_leaf_sept.c,
 * test_leaf_mem.c, test_leaf_accept.c, test_invariants.c): a booted world with one
 * TD, raw access to SEPT entries and PAMT entries for bit-for-bit assertions, and
 * step-level control of SEAMCALLs and TDCALLs.
 *
 * Expected entry values are spelled out as constants here (reference §5.1), not
 * computed with the module's own encoding helpers, so that a wrong encoding fails.
 */
#ifndef TDXSIM_TEST_SEPT_FX_H
#define TDXSIM_TEST_SEPT_FX_H

#include <string.h>

#include "helpers/fixture.h"
#include "module/mod.h"
#include "module/pamt.h"
#include "module/sept_walk.h"
#include "tdxsim/lock.h"

/* §5.1 bit-for-bit values of the entries the leaves write (HPA ORed in). */
#define E_FREE          0x80E0000000000000ull /* SEPTE_INIT_VALUE: TDEX|TDBW|TDB|SVE */
#define E_NL_MAPPED     0x8000000000000007ull /* RWX, SVE */
#define E_NL_BLOCKED    0x8080000000000000ull /* TDB, SVE */
#define E_MAPPED        0x80000000000000F7ull /* RWX, MT=WB, IPAT, PS, SVE */
#define E_PENDING       0x81000000000000F0ull /* MT=WB, IPAT, PS, TDP, SVE */
#define E_BLOCKED       0x80800000000000F0ull /* MT=WB, IPAT, PS, TDB, SVE */
#define E_PENDING_BLOCKED 0x81800000000000F0ull
#define E_TDEL          (1ull << 11)
#define E_HP            (1ull << 52)

/* GPAs used by the tests: 1 GB up, private (GPAW 48, shared bit 47). */
#define GPA0 0x40000000ull
#define GPA_2M 0x40200000ull
#define SHARED_BIT (1ull << 47)

struct sfx {
	struct fx *f;
	struct fx_td td;
	struct tdxsim_mod *m;
	unsigned t;        /* TD object index */
};

/* A booted world (4 LPs, 2 packages, 2048 frames, invariants checked after every
 * step) with one TD (HKID 2, 6 TDCS pages, MNG.INIT done: op_state INITIALIZED) and
 * `nvcpus` initialized vCPUs (vCPU i on LP i). */
static inline void sfx_init_table(struct sfx *s, const char *table, unsigned nvcpus)
{
	struct tdxsim_module_config cfg = { .n_lps = 4, .n_pkgs = 2, .n_frames = 2048,
					    .check_invariants = true };
	memset(s, 0, sizeof(*s));
	s->f = fx_new(table, &cfg);
	s->m = fx_mod(s->f);
	fx_boot(s->f);
	fx_td_create(s->f, &s->td, 2);
	s->t = fx_td_index(s->f, &s->td);
	for (unsigned i = 0; i < nvcpus; i++)
		fx_td_vcpu(s->f, &s->td, i);
}

static inline void sfx_init(struct sfx *s, unsigned nvcpus)
{
	sfx_init_table(s, NULL, nvcpus);
}

static inline void sfx_free(struct sfx *s)
{
	char why[512] = "";
	bool ok = tdxsim_world_check_invariants(s->f->w, why, sizeof(why));
	if (!ok)
		fail_msg("invariants at the end of the test: %s", why);
	fx_free(s->f);
}

static inline struct td_obj *sfx_td(struct sfx *s)
{
	return mod_td(s->m, s->t);
}

/* The PAMT owner field of the TD's pages: TDR PA >> 12. */
static inline uint64_t sfx_owner(struct sfx *s)
{
	return s->td.tdr >> 12;
}

/* Raw pointer to the SEPT entry at (gpa, level); the walk must reach it. */
static inline _Atomic uint64_t *sfx_entry_ptr(struct sfx *s, uint64_t gpa, unsigned level)
{
	struct sept_walk w;
	if (!sept_walk(s->m, s->t, gpa, level, &w))
		fail_msg("no SEPT entry at GPA 0x%llx level %u (walk stopped at level %u, entry 0x%016llx)",
			 (unsigned long long)gpa, level, w.level, (unsigned long long)w.entry);
	return &mod_sept_page(s->m, w.page)->e[w.idx];
}

static inline uint64_t sfx_entry(struct sfx *s, uint64_t gpa, unsigned level)
{
	return atomic_load(sfx_entry_ptr(s, gpa, level));
}

/* PAMT entry of a page at a PAMT level (0 = 4K, 1 = 2M, 2 = 1G). */
static inline struct pamt_entry *sfx_pamt(struct sfx *s, uint64_t hpa, unsigned level)
{
	uint32_t f = mod_frame_of(s->m, hpa);
	assert_int_not_equal(f, UINT32_MAX);
	return pamt_entry_of(s->m, f, (enum pamt_level)level);
}

static inline void sfx_assert_pamt(struct sfx *s, uint64_t hpa, unsigned level, unsigned pt,
				   uint64_t owner, uint64_t bepoch)
{
	struct pamt_entry *pe = sfx_pamt(s, hpa, level);
	assert_int_equal(pe->pt, pt);
	if (pt != TDXSIM_PT_NDA) {
		assert_int_equal(pamt_owner(pe), owner);
		assert_int_equal(atomic_load(&pe->bepoch), bepoch);
	}
}

static inline uint64_t sfx_chldcnt(struct sfx *s)
{
	return atomic_load(&sfx_td(s)->chldcnt);
}

static inline uint64_t sfx_epoch(struct sfx *s)
{
	return atomic_load(&sfx_td(s)->td_epoch);
}

/* SEAMCALL shorthands on LP 0 (the TD's TDR in RDX for the SEPT leaves). */
static inline tdx_status_t sfx_call(struct sfx *s, uint64_t leaf, uint64_t rcx, uint64_t r8,
				    struct tdxsim_regs *out)
{
	return fx_seamcall(s->f, 0, leaf, rcx, s->td.tdr, r8, 0, out);
}

static inline void sfx_ok(struct sfx *s, uint64_t leaf, uint64_t rcx, uint64_t r8)
{
	fx_expect(s->f, TDX_SUCCESS, 0, leaf, rcx, s->td.tdr, r8, 0, NULL);
}

/* The SEPT levels down to the PT page for gpa, then finalize (MR.FINALIZE needs a
 * vCPU). */
static inline void sfx_finalize(struct sfx *s)
{
	fx_td_finalize(s->f, &s->td);
}

/* A SEAMCALL begun on LP lp with the TD's TDR in RDX; step with fx_* helpers. */
static inline void sfx_begin(struct sfx *s, struct tdxsim_leaf_exec *x, unsigned lp, uint64_t leaf,
			     uint64_t rcx, uint64_t r8)
{
	fx_begin(s->f, x, lp, leaf, rcx, s->td.tdr, r8, 0);
}

/* A TDCALL by vCPU v (in guest mode), begun but not run. */
static inline void sfx_tdcall_begin(struct sfx *s, struct tdxsim_leaf_exec *x, unsigned v,
				    uint64_t leaf, uint64_t rcx, uint64_t rdx)
{
	struct tdxsim_regs r = { { 0 } };
	r.r[OPERAND_ID_RAX] = leaf;
	r.r[OPERAND_ID_RCX] = rcx;
	r.r[OPERAND_ID_RDX] = rdx;
	tdxsim_tdcall_begin(s->f->w, x, s->td.tdvpr[v], &r);
}

/* Step x until its step counter reaches the step of the given kind (and, for locks
 * and releases, resource), without running that step. */
static inline void sfx_step_to(struct sfx *s, struct tdxsim_leaf_exec *x, enum tdxsim_step_kind kind,
			       const char *name)
{
	const struct tdxsim_leaf *L = &s->f->table->leaves[x->leaf];
	int res = name ? tdxsim_table_find_res(s->f->table, name) : -1;
	for (unsigned n = 0; n < 10000; n++) {
		if (x->phase == TDXSIM_LEAF_RUN && x->sub == 0 && x->pc < L->nsteps) {
			const struct tdxsim_step *st = &L->steps[x->pc];
			bool named = (kind == TDXSIM_STEP_LOCK || kind == TDXSIM_STEP_RELEASE)
					     ? st->res == res : (!name || !strcmp(st->fn, name));
			if (st->kind == kind && named)
				return;
		}
		if (tdxsim_leaf_step(s->f->w, x) != TDXSIM_STEP_RAN)
			fail_msg("leaf completed (RAX 0x%016llx) before reaching the step",
				 (unsigned long long)x->regs.r[OPERAND_ID_RAX]);
	}
	fail_msg("step never reached");
}

/* Run one step and assert it ran (did not complete the leaf). */
static inline void sfx_step(struct sfx *s, struct tdxsim_leaf_exec *x)
{
	assert_int_equal(tdxsim_leaf_step(s->f->w, x), TDXSIM_STEP_RAN);
}

static inline void sfx_assert_invariants(struct sfx *s)
{
	char why[512] = "";
	if (!tdxsim_world_check_invariants(s->f->w, why, sizeof(why)))
		fail_msg("invariant broken: %s", why);
}

#endif
