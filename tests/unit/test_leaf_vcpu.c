/* SPDX-License-Identifier: MIT */
/*
 * TDH.VP.CREATE, TDH.VP.ADDCX, TDH.VP.INIT, TDH.VP.FLUSH, TDH.VP.RD/WR
 * (reference §3, §7.3): success paths with every state they change, every error
 * in the module's order, and the BUSY paths with their exact operand and the HP
 * bit they leave in the PAMT entry.
 */
#include <stdatomic.h>
#include <string.h>

#include "helpers/vcpu_fx.h"

#define PAMT_HP 2u       /* sharex_hp host-priority bit (§1.3) */
#define PAMT_READER 4u   /* one shared holder */

#define MD_VCPU_STATE 0xA020000000000000ull
#define MD_VCPU_INDEX 0xA020000200000002ull
#define MD_NUM_TDVPS_PAGES 0xA020000000000003ull
#define MD_ASSOC_LPID 0xA020000200000004ull
#define MD_PEND_NMI 0x202000000000000Bull

/* ---- TDH.VP.CREATE ---------------------------------------------------------------- */

static void test_vp_create_success(void **state)
{
	(void)state;
	struct fx_td td;
	struct fx *f = vfx_setup(&td);
	struct td_obj *t = vfx_td(f, &td);
	uint64_t chld = atomic_load(&t->chldcnt);
	uint64_t tdvpr = fx_page(f);

	fx_expect(f, TDX_SUCCESS, 0, LEAF_VP_CREATE, tdvpr, td.tdr, 0, 0, NULL);

	struct pamt_entry *pe = vfx_pamt(f, tdvpr, PAMT_4K);
	assert_int_equal(pe->pt, TDXSIM_PT_TDVPR);
	assert_int_equal(pamt_owner(pe), td.tdr >> 12);
	assert_int_equal(atomic_load(&t->chldcnt), chld + 1);
	struct vcpu_obj *v = vfx_vcpu(f, tdvpr);
	assert_int_equal(atomic_load(&v->state), VCPU_UNINITIALIZED);
	assert_int_equal(atomic_load(&v->assoc_lpid), VCPU_NO_LP);
	assert_int_equal(v->num_tdvps_pages, 1);
	assert_ptr_equal(mod_td(vfx_mod(f), v->td), t);
	assert_int_equal(atomic_load(&t->num_vcpus), 0);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 0);
	/* Everything released: TDVPR, TDR, op_state. */
	assert_int_equal(vfx_lock(f, tdvpr, PAMT_4K), 0);
	assert_int_equal(vfx_lock(f, tdvpr, PAMT_1G), 0);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), 0);
	assert_int_equal(atomic_load(&t->op_state_lock), 0);
	fx_free(f);
}

static void test_vp_create_errors(void **state)
{
	(void)state;
	struct fx_td td;
	struct fx *f = vfx_setup(&td);
	struct td_obj *t = vfx_td(f, &td);
	uint64_t tdvpr = fx_page(f);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_VP_CREATE, tdvpr, td.tdr, 0, 0, NULL);
	uint64_t chld = atomic_load(&t->chldcnt);

	/* The page is no longer PT_NDA: checked after its lock (§1.6). */
	fx_expect(f, TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_RCX, 0, LEAF_VP_CREATE, tdvpr, td.tdr,
		  0, 0, NULL);
	/* RDX must be a TDR. */
	fx_expect(f, TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_RDX, 0, LEAF_VP_CREATE, fx_page(f),
		  tdvpr, 0, 0, NULL);
	/* Unaligned TDVPR. */
	fx_expect(f, TDX_OPERAND_INVALID | OPERAND_ID_RCX, 0, LEAF_VP_CREATE, fx_page(f) + 8, td.tdr,
		  0, 0, NULL);
	assert_int_equal(atomic_load(&t->chldcnt), chld);

	/* After TDH.MR.FINALIZE (RUNNABLE): op_state refused before the TDVPR lock. */
	vfx_vcpu_full(f, &td, 0, 0);
	fx_td_finalize(f, &td);
	uint64_t page = fx_page(f);
	fx_expect(f, TDX_OP_STATE_INCORRECT, 0, LEAF_VP_CREATE, page, td.tdr, 0, 0, NULL);
	assert_int_equal(vfx_pamt(f, page, PAMT_4K)->pt, TDXSIM_PT_NDA);
	assert_int_equal(vfx_lock(f, page, PAMT_4K), 0);
	fx_free(f);
}

/* A TDR-exclusive leaf in progress (TDH.MNG.ADDCX) makes VP.CREATE's shared TDR
 * acquire fail with BUSY|RDX and set HP, which survives the exclusive release
 * and is cleared by the next successful host acquire (§1.3). */
static void test_vp_create_busy_tdr(void **state)
{
	(void)state;
	struct fx_td td;
	struct fx *f = vfx_setup(&td);
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 1, LEAF_MNG_ADDCX, fx_page(f), td.tdr, 0, 0);
	fx_step_until_holds(f, &x, "TDR", TDXSIM_MODE_EXCLUSIVE);

	uint64_t tdvpr = fx_page(f);
	fx_expect(f, BUSY(OPERAND_ID_RDX), 0, LEAF_VP_CREATE, tdvpr, td.tdr, 0, 0, NULL);
	unsigned w = vfx_lock(f, td.tdr, PAMT_4K);
	assert_true(w & 1);        /* still exclusive */
	assert_true(w & PAMT_HP);  /* host priority requested */
	assert_int_equal(vfx_pamt(f, tdvpr, PAMT_4K)->pt, TDXSIM_PT_NDA);

	/* MNG.ADDCX past the minimum in INITIALIZED fails its op_state check. */
	assert_int_equal(fx_finish(f, &x), TDX_OP_STATE_INCORRECT);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), PAMT_HP);

	fx_expect(f, TDX_SUCCESS, 0, LEAF_VP_CREATE, tdvpr, td.tdr, 0, 0, NULL);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), 0);
	fx_free(f);
}

/* ---- TDH.VP.ADDCX ----------------------------------------------------------------- */

static void test_vp_addcx_success_and_room(void **state)
{
	(void)state;
	struct fx_td td;
	struct fx *f = vfx_setup(&td);
	struct td_obj *t = vfx_td(f, &td);
	unsigned v = vfx_vcpu_create(f, &td, 0, 0);
	uint64_t tdvpr = td.tdvpr[v];
	struct vcpu_obj *vo = vfx_vcpu(f, tdvpr);

	for (unsigned i = 0; i < VFX_TDVPX_FULL; i++) {
		uint64_t chld = atomic_load(&t->chldcnt);
		uint64_t page = fx_page(f);
		fx_expect(f, TDX_SUCCESS, 0, LEAF_VP_ADDCX, page, tdvpr, 0, 0, NULL);
		assert_int_equal(vo->num_tdvps_pages, 2 + i);
		assert_int_equal(vo->tdvpx_frame[i], vfx_frame(f, page));
		assert_int_equal(vfx_pamt(f, page, PAMT_4K)->pt, TDXSIM_PT_TDCX);
		assert_int_equal(pamt_owner(vfx_pamt(f, page, PAMT_4K)), td.tdr >> 12);
		assert_int_equal(atomic_load(&t->chldcnt), chld + 1);
		assert_int_equal(vfx_lock(f, page, PAMT_4K), 0);
		assert_int_equal(vfx_lock(f, tdvpr, PAMT_4K), 0);
	}
	/* MIN_TDVPS_PAGES (6) reached: refused before the new page is locked. */
	uint64_t chld = atomic_load(&t->chldcnt);
	uint64_t extra = fx_page(f);
	fx_expect(f, TDX_TDCX_NUM_INCORRECT, 0, LEAF_VP_ADDCX, extra, tdvpr, 0, 0, NULL);
	assert_int_equal(vo->num_tdvps_pages, MIN_TDVPS_PAGES);
	assert_int_equal(vfx_pamt(f, extra, PAMT_4K)->pt, TDXSIM_PT_NDA);
	assert_int_equal(atomic_load(&t->chldcnt), chld);
	fx_free(f);
}

static void test_vp_addcx_errors(void **state)
{
	(void)state;
	struct fx_td td;
	struct fx *f = vfx_setup(&td);
	unsigned v = vfx_vcpu_create(f, &td, 0, 1);
	uint64_t tdvpr = td.tdvpr[v];

	/* RDX must be a TDVPR (here: the TDR). */
	fx_expect(f, TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_RDX, 0, LEAF_VP_ADDCX, fx_page(f),
		  td.tdr, 0, 0, NULL);
	/* The new page must be PT_NDA (here: the TDVPX page already added). */
	fx_expect(f, TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_RCX, 0, LEAF_VP_ADDCX, td.tdvpx[v][0],
		  tdvpr, 0, 0, NULL);
	assert_int_equal(vfx_vcpu(f, tdvpr)->num_tdvps_pages, 2);
	for (unsigned i = 1; i < VFX_TDVPX_FULL; i++)
		fx_expect(f, TDX_SUCCESS, 0, LEAF_VP_ADDCX, fx_page(f), tdvpr, 0, 0, NULL);
	/* After VP.INIT: the vCPU state is checked before the room (also exhausted). */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_V(LEAF_VP_INIT, 1), tdvpr, 0, 0, 0, NULL);
	uint64_t page = fx_page(f);
	fx_expect(f, TDX_VCPU_STATE_INCORRECT, 0, LEAF_VP_ADDCX, page, tdvpr, 0, 0, NULL);
	assert_int_equal(vfx_vcpu(f, tdvpr)->num_tdvps_pages, MIN_TDVPS_PAGES);
	assert_int_equal(vfx_pamt(f, page, PAMT_4K)->pt, TDXSIM_PT_NDA);

	/* After finalize: op_state (RUNNABLE) is refused before the vCPU state. */
	unsigned w = vfx_vcpu_create(f, &td, 0, 0);
	fx_td_finalize(f, &td);
	fx_expect(f, TDX_OP_STATE_INCORRECT, 0, LEAF_VP_ADDCX, fx_page(f), td.tdvpr[w], 0, 0, NULL);
	fx_free(f);
}

/* ---- TDH.VP.INIT ------------------------------------------------------------------ */

static void test_vp_init_success(void **state)
{
	(void)state;
	struct fx_td td;
	struct fx *f = vfx_setup(&td);
	struct td_obj *t = vfx_td(f, &td);
	unsigned v = vfx_vcpu_create(f, &td, 1, VFX_TDVPX_FULL);
	uint64_t tdvpr = td.tdvpr[v];
	tdxsim_world_advance(f->w, 12345);

	fx_expect(f, TDX_SUCCESS, 1, LEAF_V(LEAF_VP_INIT, 1), tdvpr, 0xABCD, 0x55, 0, NULL);

	struct vcpu_obj *vo = vfx_vcpu(f, tdvpr);
	assert_int_equal(atomic_load(&vo->state), VCPU_READY);
	assert_int_equal(vo->last_td_exit, LAST_EXIT_ASYNC_FAULT);
	assert_int_equal(atomic_load(&vo->assoc_lpid), 1);   /* associate_vcpu_initial */
	assert_int_equal(vo->vcpu_index, 0);
	assert_int_equal(vo->x2apic_id, 0x55);
	assert_int_equal(vo->last_exit_tsc, tdxsim_world_now(f->w));
	assert_int_equal(atomic_load(&t->num_vcpus), 1);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 1);
	/* The guest starts with RCX = R8 = the VMM's RDX and RSI = vcpu_index. */
	assert_int_equal(vo->guest_ret[OPERAND_ID_RCX], 0xABCD);
	assert_int_equal(vo->guest_ret[OPERAND_ID_R8], 0xABCD);
	assert_int_equal(vo->guest_ret[OPERAND_ID_RSI], 0);
	/* Locks: TDVPR ex, TDR ex (v1), op_state: all released. */
	assert_int_equal(vfx_lock(f, tdvpr, PAMT_4K), 0);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), 0);
	assert_int_equal(atomic_load(&t->op_state_lock), 0);

	/* Version 0 (TDR shared, no x2APIC ID): the second vCPU gets index 1. */
	unsigned w = vfx_vcpu_create(f, &td, 2, VFX_TDVPX_FULL);
	fx_expect(f, TDX_SUCCESS, 2, LEAF_VP_INIT, td.tdvpr[w], 0, 0x77, 0, NULL);
	struct vcpu_obj *wo = vfx_vcpu(f, td.tdvpr[w]);
	assert_int_equal(wo->vcpu_index, 1);
	assert_int_equal(wo->x2apic_id, 0);
	assert_int_equal(atomic_load(&wo->assoc_lpid), 2);
	assert_int_equal(atomic_load(&t->num_vcpus), 2);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 2);
	fx_free(f);
}

static void test_vp_init_twice(void **state)
{
	(void)state;
	struct fx_td td;
	struct fx *f = vfx_setup(&td);
	struct td_obj *t = vfx_td(f, &td);
	unsigned v = vfx_vcpu_full(f, &td, 0, 3);
	fx_expect(f, TDX_VCPU_STATE_INCORRECT, 0, LEAF_V(LEAF_VP_INIT, 1), td.tdvpr[v], 0, 4, 0, NULL);
	fx_expect(f, TDX_VCPU_STATE_INCORRECT, 1, LEAF_VP_INIT, td.tdvpr[v], 0, 0, 0, NULL);
	assert_int_equal(atomic_load(&t->num_vcpus), 1);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 1);
	assert_int_equal(vfx_assoc(f, td.tdvpr[v]), 0);
	assert_int_equal(vfx_vcpu(f, td.tdvpr[v])->x2apic_id, 3);
	fx_free(f);
}

static void test_vp_init_max_vcpus(void **state)
{
	(void)state;
	struct fx_td td;
	struct fx *f = vfx_setup(&td);
	struct td_obj *t = vfx_td(f, &td);
	t->max_vcpus = 2; /* TD_PARAMS.MAX_VCPUS */
	vfx_vcpu_full(f, &td, 0, 0);
	vfx_vcpu_full(f, &td, 1, 1);
	unsigned v = vfx_vcpu_create(f, &td, 2, VFX_TDVPX_FULL);
	fx_expect(f, TDX_MAX_VCPUS_EXCEEDED, 2, LEAF_V(LEAF_VP_INIT, 1), td.tdvpr[v], 0, 2, 0, NULL);
	/* The index was given back; the vCPU stays uninitialized and unassociated. */
	assert_int_equal(atomic_load(&t->num_vcpus), 2);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 2);
	assert_int_equal(vfx_state(f, td.tdvpr[v]), VCPU_UNINITIALIZED);
	assert_int_equal(vfx_assoc(f, td.tdvpr[v]), VCPU_NO_LP);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), 0);
	fx_free(f);
}

static void test_vp_init_x2apic(void **state)
{
	(void)state;
	struct fx_td td;
	struct fx *f = vfx_setup(&td);
	struct td_obj *t = vfx_td(f, &td);
	vfx_vcpu_full(f, &td, 0, 7);
	unsigned v = vfx_vcpu_create(f, &td, 1, VFX_TDVPX_FULL);
	uint64_t tdvpr = td.tdvpr[v];

	/* Duplicate: the conflicting ID is the operand; the index is given back. */
	fx_expect(f, TDX_X2APIC_ID_NOT_UNIQUE | 7, 1, LEAF_V(LEAF_VP_INIT, 1), tdvpr, 0, 7, 0, NULL);
	assert_int_equal(atomic_load(&t->num_vcpus), 1);
	assert_int_equal(vfx_state(f, tdvpr), VCPU_UNINITIALIZED);
	assert_int_equal(vfx_assoc(f, tdvpr), VCPU_NO_LP);
	/* Upper 32 bits of R8 must be 0. */
	fx_expect(f, TDX_OPERAND_INVALID | OPERAND_ID_R8, 1, LEAF_V(LEAF_VP_INIT, 1), tdvpr, 0,
		  (1ull << 32) | 8, 0, NULL);
	assert_int_equal(atomic_load(&t->num_vcpus), 1);
	/* A unique ID takes the index the failures gave back. */
	fx_expect(f, TDX_SUCCESS, 1, LEAF_V(LEAF_VP_INIT, 1), tdvpr, 0, 8, 0, NULL);
	assert_int_equal(vfx_vcpu(f, tdvpr)->vcpu_index, 1);
	assert_int_equal(atomic_load(&t->num_vcpus), 2);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 2);

	/* A version-0 vCPU has x2APIC ID 0 in the TDCS table: ID 0 now collides. */
	unsigned w0 = vfx_vcpu_create(f, &td, 2, VFX_TDVPX_FULL);
	fx_expect(f, TDX_SUCCESS, 2, LEAF_VP_INIT, td.tdvpr[w0], 0, 0, 0, NULL);
	unsigned w1 = vfx_vcpu_create(f, &td, 3, VFX_TDVPX_FULL);
	fx_expect(f, TDX_X2APIC_ID_NOT_UNIQUE | 0, 3, LEAF_V(LEAF_VP_INIT, 1), td.tdvpr[w1], 0, 0, 0,
		  NULL);
	assert_int_equal(atomic_load(&t->num_vcpus), 3);
	fx_free(f);
}

/* While a vCPU of the TD runs, its TDH.VP.ENTER holds the TDR shared: VP.INIT
 * version 1 (TDR exclusive) of another vCPU gets BUSY|TDR before any state
 * check and leaves HP set; version 0 (TDR shared) gets past the TDR and fails
 * the op_state check instead. */
static void test_vp_init_busy_while_running(void **state)
{
	(void)state;
	struct fx_td td;
	struct fx *f = vfx_setup(&td);
	unsigned v = vfx_vcpu_full(f, &td, 0, 0);
	unsigned w = vfx_vcpu_create(f, &td, 1, VFX_TDVPX_FULL);
	fx_td_finalize(f, &td);
	vfx_enter(f, &td, v);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), PAMT_READER);

	fx_expect(f, TDX_OP_STATE_INCORRECT, 1, LEAF_VP_INIT, td.tdvpr[w], 0, 0, 0, NULL);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), PAMT_READER);
	fx_expect(f, VFX_LEAF_TDR_BUSY, 1, LEAF_V(LEAF_VP_INIT, 1), td.tdvpr[w], 0, 1, 0, NULL);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), PAMT_READER | PAMT_HP);
	assert_int_equal(vfx_lock(f, td.tdvpr[w], PAMT_4K), 0);
	assert_int_equal(vfx_state(f, td.tdvpr[w]), VCPU_UNINITIALIZED);
	/* The running vCPU itself: its TDVPR is held shared -> BUSY|RCX. */
	fx_expect(f, BUSY(OPERAND_ID_RCX), 0, LEAF_V(LEAF_VP_INIT, 1), td.tdvpr[v], 0, 0, 0, NULL);
	assert_int_equal(vfx_lock(f, td.tdvpr[v], PAMT_4K), PAMT_READER | PAMT_HP);

	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	/* HP survives the shared releases at TD exit. */
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), PAMT_HP);
	assert_int_equal(vfx_lock(f, td.tdvpr[v], PAMT_4K), PAMT_HP);
	/* The next successful host acquire clears it, shared (v0) as well as exclusive. */
	fx_expect(f, TDX_OP_STATE_INCORRECT, 1, LEAF_VP_INIT, td.tdvpr[w], 0, 0, 0, NULL);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), 0);
	fx_expect(f, TDX_OP_STATE_INCORRECT, 1, LEAF_V(LEAF_VP_INIT, 1), td.tdvpr[w], 0, 1, 0, NULL);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), 0);
	fx_free(f);
}

/* ---- TDH.VP.FLUSH ----------------------------------------------------------------- */

static void test_vp_flush(void **state)
{
	(void)state;
	struct fx_td td;
	struct fx *f = vfx_setup(&td);
	struct td_obj *t = vfx_td(f, &td);
	unsigned v = vfx_vcpu_full(f, &td, 1, 0);
	uint64_t tdvpr = td.tdvpr[v];
	fx_td_finalize(f, &td);
	vfx_enter(f, &td, v);
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	assert_int_equal(mod_lp(vfx_mod(f), 1)->last_vcpu, vfx_vcpu_idx(f, tdvpr));

	/* On another LP: not associated there. */
	fx_expect(f, TDX_VCPU_NOT_ASSOCIATED, 0, LEAF_VP_FLUSH, tdvpr, 0, 0, 0, NULL);
	assert_int_equal(vfx_assoc(f, tdvpr), 1);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 1);

	fx_expect(f, TDX_SUCCESS, 1, LEAF_VP_FLUSH, tdvpr, 0, 0, 0, NULL);
	assert_int_equal(vfx_assoc(f, tdvpr), VCPU_NO_LP);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 0);
	assert_int_equal(mod_lp(vfx_mod(f), 1)->last_vcpu, VCPU_NO_LP);
	assert_int_equal(vfx_state(f, tdvpr), VCPU_READY);
	assert_int_equal(vfx_lock(f, tdvpr, PAMT_4K), 0);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), 0);

	/* Twice: no longer associated anywhere. */
	fx_expect(f, TDX_VCPU_NOT_ASSOCIATED, 1, LEAF_VP_FLUSH, tdvpr, 0, 0, 0, NULL);
	/* A flushed vCPU may be entered on another LP: a new association. */
	fx_assert_status(vfx_enter_on(f, &td, v, 3, 0, NULL), TDXSIM_STATUS_ENTERED, "VP.ENTER LP3");
	assert_int_equal(vfx_assoc(f, tdvpr), 3);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 1);
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	fx_free(f);
}

/* VP.FLUSH while the vCPU runs: its TDVPR is held shared by VP.ENTER -> BUSY|RCX
 * with HP left in the TDVPR PAMT entry (the 2M and 1G parents were taken shared
 * and released again). */
static void test_vp_flush_busy_while_running(void **state)
{
	(void)state;
	struct fx_td td;
	struct fx *f = vfx_setup(&td);
	struct td_obj *t = vfx_td(f, &td);
	unsigned v = vfx_vcpu_full(f, &td, 0, 0);
	uint64_t tdvpr = td.tdvpr[v];
	fx_td_finalize(f, &td);
	vfx_enter(f, &td, v);
	unsigned p2m = vfx_lock(f, tdvpr, PAMT_2M), p1g = vfx_lock(f, tdvpr, PAMT_1G);

	fx_expect(f, BUSY(OPERAND_ID_RCX), 0, LEAF_VP_FLUSH, tdvpr, 0, 0, 0, NULL);
	assert_int_equal(vfx_lock(f, tdvpr, PAMT_4K), PAMT_READER | PAMT_HP);
	assert_int_equal(vfx_lock(f, tdvpr, PAMT_2M), p2m);
	assert_int_equal(vfx_lock(f, tdvpr, PAMT_1G), p1g);
	assert_int_equal(vfx_assoc(f, tdvpr), 0);
	assert_int_equal(vfx_state(f, tdvpr), VCPU_ACTIVE);
	/* VP.ADDCX names the TDVPR in RDX. */
	fx_expect(f, BUSY(OPERAND_ID_RDX), 0, LEAF_VP_ADDCX, fx_page(f), tdvpr, 0, 0, NULL);

	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	assert_int_equal(vfx_lock(f, tdvpr, PAMT_4K), PAMT_HP);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_VP_FLUSH, tdvpr, 0, 0, 0, NULL);
	assert_int_equal(vfx_lock(f, tdvpr, PAMT_4K), 0);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 0);
	fx_free(f);
}

/* After TDH.MNG.VPFLUSHDONE the lifecycle is TD_BLOCKED: VP.FLUSH checks the
 * lifecycle before the association. */
static void test_vp_flush_keys_not_configured(void **state)
{
	(void)state;
	struct fx_td td;
	struct fx *f = vfx_setup(&td);
	unsigned v = vfx_vcpu_full(f, &td, 0, 0);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_VP_FLUSH, td.tdvpr[v], 0, 0, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_VPFLUSHDONE, td.tdr, 0, 0, 0, NULL);
	fx_expect(f, TDX_TD_KEYS_NOT_CONFIGURED, 1, LEAF_VP_FLUSH, td.tdvpr[v], 0, 0, 0, NULL);
	fx_free(f);
}

/* ---- TDH.VP.RD / TDH.VP.WR --------------------------------------------------------- */

static void test_vp_rd_wr(void **state)
{
	(void)state;
	struct fx_td td;
	struct fx *f = vfx_setup(&td);
	struct td_obj *t = vfx_td(f, &td);
	unsigned v = vfx_vcpu_full(f, &td, 0, 0);
	uint64_t tdvpr = td.tdvpr[v];
	struct tdxsim_regs out;

	fx_expect(f, TDX_SUCCESS, 0, LEAF_VP_RD, tdvpr, MD_VCPU_STATE, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], VCPU_READY);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_VP_RD, tdvpr, MD_NUM_TDVPS_PAGES, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], MIN_TDVPS_PAGES);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_VP_RD, tdvpr, MD_ASSOC_LPID, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], 0);
	fx_expect(f, TDX_METADATA_FIELD_ID_INCORRECT, 0, LEAF_VP_RD, tdvpr, 0x1234, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], 0);

	/* Associated with LP 0: another LP cannot read it. */
	fx_expect(f, TDX_VCPU_ASSOCIATED, 1, LEAF_VP_RD, tdvpr, MD_VCPU_STATE, 0, 0, NULL);

	/* PEND_NMI is writable; R8 returns the old value. */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_VP_WR, tdvpr, MD_PEND_NMI, 1, 1, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], 0);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_VP_WR, tdvpr, MD_PEND_NMI, 0, 0, &out); /* mask 0 */
	assert_int_equal(out.r[OPERAND_ID_R8], 1);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_VP_RD, tdvpr, MD_PEND_NMI, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], 1);
	fx_expect(f, TDX_METADATA_FIELD_ID_INCORRECT, 0, LEAF_VP_WR, tdvpr, MD_VCPU_STATE, 0, ~0ull,
		  NULL);
	assert_int_equal(vfx_state(f, tdvpr), VCPU_READY);

	/* A flushed vCPU is associated again by VP.RD on the LP that reads it. */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_VP_FLUSH, tdvpr, 0, 0, 0, NULL);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 0);
	fx_expect(f, TDX_SUCCESS, 2, LEAF_VP_RD, tdvpr, MD_VCPU_INDEX, 0, 0, &out);
	assert_int_equal(out.r[OPERAND_ID_R8], 0);
	assert_int_equal(vfx_assoc(f, tdvpr), 2);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 1);

	/* An uninitialized vCPU cannot be read or written. */
	unsigned w = vfx_vcpu_create(f, &td, 0, VFX_TDVPX_FULL);
	fx_expect(f, TDX_VCPU_STATE_INCORRECT, 0, LEAF_VP_RD, td.tdvpr[w], MD_VCPU_STATE, 0, 0, NULL);
	fx_expect(f, TDX_VCPU_STATE_INCORRECT, 0, LEAF_VP_WR, td.tdvpr[w], MD_PEND_NMI, 1, 1, NULL);
	assert_int_equal(vfx_assoc(f, td.tdvpr[w]), VCPU_NO_LP);

	/* While running: state ACTIVE is neither READY nor DISABLED. */
	fx_td_finalize(f, &td);
	td.vcpu_lp[v] = 2;
	vfx_enter(f, &td, v);
	fx_expect(f, TDX_VCPU_STATE_INCORRECT, 2, LEAF_VP_RD, tdvpr, MD_VCPU_STATE, 0, 0, NULL);
	assert_int_equal(vfx_lock(f, tdvpr, PAMT_4K), PAMT_READER); /* RD's shared lock is gone */
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vp_create_success),
		cmocka_unit_test(test_vp_create_errors),
		cmocka_unit_test(test_vp_create_busy_tdr),
		cmocka_unit_test(test_vp_addcx_success_and_room),
		cmocka_unit_test(test_vp_addcx_errors),
		cmocka_unit_test(test_vp_init_success),
		cmocka_unit_test(test_vp_init_twice),
		cmocka_unit_test(test_vp_init_max_vcpus),
		cmocka_unit_test(test_vp_init_x2apic),
		cmocka_unit_test(test_vp_init_busy_while_running),
		cmocka_unit_test(test_vp_flush),
		cmocka_unit_test(test_vp_flush_busy_while_running),
		cmocka_unit_test(test_vp_flush_keys_not_configured),
		cmocka_unit_test(test_vp_rd_wr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
