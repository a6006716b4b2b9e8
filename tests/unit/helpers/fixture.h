/* SPDX-License-Identifier: MIT */
/*
 * Test fixture for the emulated module: a world over a real lock table, a page
 * allocator over its TDX memory, SEAMCALL/TDCALL shorthands, platform bring-up
 * and TD construction, and step-level helpers to hold a leaf in the middle of
 * its step list (to test BUSY paths deterministically).
 *
 * Every helper that performs a SEAMCALL whose result the test does not name
 * asserts TDX_SUCCESS (cmocka), so a broken precondition fails loudly.
 */
#ifndef TDXSIM_TEST_FIXTURE_H
#define TDXSIM_TEST_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tdxsim/module.h"
#include "tdxsim/status.h"
#include "tdxsim/table.h"
#include "tdxsim/world.h"

/* Leaf numbers (linux-kvm-tdx.md §4; TDCALLs from the lock table). */
enum {
	LEAF_VP_ENTER = 0, LEAF_MNG_ADDCX = 1, LEAF_MEM_PAGE_ADD = 2, LEAF_MEM_SEPT_ADD = 3,
	LEAF_VP_ADDCX = 4, LEAF_MEM_PAGE_AUG = 6, LEAF_MEM_RANGE_BLOCK = 7,
	LEAF_MNG_KEY_CONFIG = 8, LEAF_MNG_CREATE = 9, LEAF_VP_CREATE = 10, LEAF_MNG_RD = 11,
	LEAF_MEM_RD = 12, LEAF_MNG_WR = 13, LEAF_MEM_WR = 14, LEAF_MEM_PAGE_DEMOTE = 15,
	LEAF_MR_EXTEND = 16, LEAF_MR_FINALIZE = 17, LEAF_VP_FLUSH = 18, LEAF_MNG_VPFLUSHDONE = 19,
	LEAF_MNG_KEY_FREEID = 20, LEAF_MNG_INIT = 21, LEAF_VP_INIT = 22, LEAF_MEM_PAGE_PROMOTE = 23,
	LEAF_MEM_SEPT_RD = 25, LEAF_VP_RD = 26, LEAF_MNG_KEY_RECLAIMID = 27,
	LEAF_PHYMEM_PAGE_RECLAIM = 28, LEAF_MEM_PAGE_REMOVE = 29, LEAF_MEM_SEPT_REMOVE = 30,
	LEAF_SYS_KEY_CONFIG = 31, LEAF_SYS_INFO = 32, LEAF_SYS_INIT = 33, LEAF_SYS_RD = 34,
	LEAF_SYS_LP_INIT = 35, LEAF_SYS_TDMR_INIT = 36, LEAF_SYS_RDALL = 37, LEAF_MEM_TRACK = 38,
	LEAF_MEM_RANGE_UNBLOCK = 39, LEAF_PHYMEM_CACHE_WB = 40, LEAF_PHYMEM_PAGE_WBINVD = 41,
	LEAF_VP_WR = 43, LEAF_SYS_CONFIG = 45,
	/* TDCALLs */
	TDG_VP_VMCALL = 0, TDG_MR_RTMR_EXTEND = 2, TDG_MR_REPORT = 4, TDG_MEM_PAGE_ACCEPT = 6,
	TDG_SERVTD_RD = 18, TDG_SERVTD_WR = 20, TDG_MEM_PAGE_ATTR_RD = 23, TDG_MEM_PAGE_ATTR_WR = 24,
};
#define LEAF_V(leaf, version) ((uint64_t)(leaf) | ((uint64_t)(version) << 16))

/* SEPT levels as RCX[2:0] encodes them. */
enum { LVL_PT = 0, LVL_PD = 1, LVL_PDPT = 2, LVL_PML4 = 3 };
#define GPA_LEVEL(gpa, level) (((uint64_t)(gpa) & ~0xFFFull) | (uint64_t)(level))

#define FX_MAX_VCPUS 8
#define FX_MAX_TDVPX 8                     /* TDVPX pages recorded per vCPU */
#define FX_GLOBAL_HKID 1

/* Shared (non-TDX) memory below the emulated TDX memory: the SYS.CONFIG TDMR_INFO
 * array, PAGE.ADD's source page and MNG.INIT's TD_PARAMS.  The emulator reads none
 * of them; only their addresses are checked. */
#define FX_SHARED_PAGE(i) (0x100000ull + (uint64_t)(i) * 4096)
#define FX_TDMR_INFO_PA FX_SHARED_PAGE(0)
#define FX_SOURCE_PA FX_SHARED_PAGE(1)
#define FX_TD_PARAMS_PA FX_SHARED_PAGE(2)

struct fx {
	struct tdxsim_table *table;
	struct tdxsim_world *w;
	struct tdxsim_module_config cfg;
	unsigned next_frame;               /* page allocator: next unused frame */
};

struct fx_td {
	uint64_t tdr;
	uint64_t tdcx[9];
	unsigned ntdcx;
	unsigned hkid;
	unsigned nvcpus;
	uint64_t tdvpr[FX_MAX_VCPUS];
	uint64_t tdvpx[FX_MAX_VCPUS][FX_MAX_TDVPX];
	unsigned ntdvpx[FX_MAX_VCPUS];
	unsigned vcpu_lp[FX_MAX_VCPUS];    /* LP each vCPU was initialized/entered on */
};

/* A world over data/modules/<name> (NULL: tdx-1.5.05.yaml) with cfg (NULL: a small
 * default: 4 LPs, 2 packages, 2048 frames).  Aborts the test on error. */
struct fx *fx_new(const char *table_file, const struct tdxsim_module_config *cfg);
void fx_free(struct fx *f);

/* The next unused 4K page of TDX memory (a bump allocator; 2M-aligned variant). */
uint64_t fx_page(struct fx *f);
uint64_t fx_page_2m(struct fx *f);

/* SEAMCALL on lp with RAX = leaf (| version << 16) and the given inputs; returns RAX,
 * outputs in *out if non-NULL. */
tdx_status_t fx_seamcall(struct fx *f, unsigned lp, uint64_t leaf, uint64_t rcx, uint64_t rdx,
			 uint64_t r8, uint64_t r9, struct tdxsim_regs *out);
/* The same, asserting the result equals `expect` (prints both in hex on mismatch). */
void fx_expect(struct fx *f, tdx_status_t expect, unsigned lp, uint64_t leaf, uint64_t rcx,
	       uint64_t rdx, uint64_t r8, uint64_t r9, struct tdxsim_regs *out);
/* TDCALL by vCPU v of td (which must be in guest mode). */
tdx_status_t fx_tdcall(struct fx *f, struct fx_td *td, unsigned v, uint64_t leaf, uint64_t rcx,
		       uint64_t rdx, uint64_t r8, bool *exited, struct tdxsim_regs *exit_regs);
void fx_assert_status(tdx_status_t got, tdx_status_t expect, const char *what);
/* fx_expect and fx_assert_status report the caller's file and line. */
void fx_expect_at(const char *file, int line, struct fx *f, tdx_status_t expect, unsigned lp,
		  uint64_t leaf, uint64_t rcx, uint64_t rdx, uint64_t r8, uint64_t r9,
		  struct tdxsim_regs *out);
void fx_assert_status_at(const char *file, int line, tdx_status_t got, tdx_status_t expect,
			 const char *what);
#define fx_expect(...) fx_expect_at(__FILE__, __LINE__, __VA_ARGS__)
#define fx_assert_status(...) fx_assert_status_at(__FILE__, __LINE__, __VA_ARGS__)

/* Platform bring-up: SYS.INIT, LP.INIT on every LP, SYS.CONFIG (global HKID
 * FX_GLOBAL_HKID), SYS.KEY.CONFIG on one LP of each package, TDMR.INIT until
 * done for every TDMR.  Asserts every step. */
void fx_boot(struct fx *f);

/* TD construction, each step asserted:
 *  fx_td_create:   MNG.CREATE (hkid), MNG.KEY.CONFIG on each package, 6 MNG.ADDCX,
 *                  MNG.INIT  -> op_state INITIALIZED
 *  fx_td_vcpu:     VP.CREATE, VP.ADDCX (n_tdvpx pages), VP.INIT (version 1, x2APIC = index) on lp
 *  fx_td_add_page: SEPT.ADD for every missing level, PAGE.ADD of a fresh page at gpa,
 *                  MR.EXTEND of its 16 chunks (build time)
 *  fx_td_finalize: MR.FINALIZE -> RUNNABLE */
void fx_td_create(struct fx *f, struct fx_td *td, unsigned hkid);
unsigned fx_td_vcpu(struct fx *f, struct fx_td *td, unsigned lp);
void fx_td_sept_levels(struct fx *f, struct fx_td *td, uint64_t gpa, unsigned down_to_level);
uint64_t fx_td_add_page(struct fx *f, struct fx_td *td, uint64_t gpa);
void fx_td_finalize(struct fx *f, struct fx_td *td);
/* Runtime: SEPT levels, then AUG of a fresh page at gpa (4K); returns the page HPA. */
uint64_t fx_td_aug(struct fx *f, struct fx_td *td, uint64_t gpa);
/* VP.ENTER of vCPU v on its LP; asserts the guest was entered. */
void fx_td_enter(struct fx *f, struct fx_td *td, unsigned v);
/* TD exit of vCPU v; returns VP.ENTER's RAX. */
tdx_status_t fx_td_exit(struct fx *f, struct fx_td *td, unsigned v, enum tdxsim_exit_reason why,
			uint64_t gpa, struct tdxsim_regs *out);

/* Step-level helpers.  fx_begin starts a SEAMCALL without running it; fx_step_until
 * steps it until it holds a lock on the named resource (in the given mode, -1 any),
 * asserting it gets there; fx_finish runs it to completion and returns RAX. */
void fx_begin(struct fx *f, struct tdxsim_leaf_exec *x, unsigned lp, uint64_t leaf, uint64_t rcx,
	      uint64_t rdx, uint64_t r8, uint64_t r9);
void fx_step_until_holds(struct fx *f, struct tdxsim_leaf_exec *x, const char *res, int mode);
tdx_status_t fx_finish(struct fx *f, struct tdxsim_leaf_exec *x);

/* --- extensions ------------------------------------------------------------------ */

struct tdxsim_mod;
/* The emulated module inside the world (for assertions on module state). */
struct tdxsim_mod *fx_mod(struct fx *f);
/* The first LP of a package (LP i is in package i * n_pkgs / n_lps). */
unsigned fx_lp_of_pkg(struct fx *f, unsigned pkg);
/* The pieces of fx_td_create: MNG.CREATE + MNG.KEY.CONFIG on every package
 * (-> TD_KEYS_CONFIGURED); n more MNG.ADDCX; MNG.INIT with MAX_VCPUS = FX_MAX_VCPUS. */
void fx_td_create_keys(struct fx *f, struct fx_td *td, unsigned hkid);
void fx_td_add_tdcx(struct fx *f, struct fx_td *td, unsigned n);
void fx_td_init(struct fx *f, struct fx_td *td);
/* Index of the TD object behind td's TDR. */
unsigned fx_td_index(struct fx *f, const struct fx_td *td);
/* Teardown up to TD_TEARDOWN: VP.FLUSH of every vCPU on its LP, MNG.VPFLUSHDONE,
 * PHYMEM.CACHE.WB (start + resumes) on one LP of every package, MNG.KEY.FREEID. */
void fx_td_teardown(struct fx *f, struct fx_td *td);

/* Whether the leaves a scenario needs exist yet: runs scenario on a fresh fixture
 * (same table and config) in a child process and returns false only if it hit a
 * registry function that is still a scaffolding stub ("not implemented yet").
 * Any other failure returns true, so that the test itself runs and fails.
 * FX_REQUIRE skips the calling cmocka test when the leaves are missing. */
bool fx_implemented(struct fx *f, void (*scenario)(struct fx *f));
#define FX_REQUIRE(f, scenario) do { if (!fx_implemented((f), (scenario))) { fx_free(f); skip(); } } while (0)

/* Operands for assertions. */
#define BUSY(op) (TDX_OPERAND_BUSY | (uint64_t)(op))

#endif
