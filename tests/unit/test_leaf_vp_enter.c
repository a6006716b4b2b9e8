/* SPDX-License-Identifier: MIT */
/*
 * TDH.VP.ENTER (reference §3 steps 1-19, §1.7, §5.3) and the TD exit that
 * completes it (td_exit.c), TDG.VP.VMCALL round trips: the locks held while the
 * guest runs, every check in the module's order, every BUSY with its operand,
 * the epoch refcount and the association on each path.
 */
#include <stdatomic.h>
#include <string.h>

#include "helpers/vcpu_fx.h"

#define PAMT_HP 2u
#define PAMT_READER 4u
#define EXIT_REASON_EXTERNAL_INTERRUPT 1

/* A TD with one complete vCPU (index 0, initialized on LP 1), finalized. */
static struct fx *runnable(struct fx_td *td, unsigned *v)
{
	struct fx *f = vfx_setup(td);
	*v = vfx_vcpu_full(f, td, 1, 0);
	fx_td_finalize(f, td);
	return f;
}

static void assert_nothing_held(struct fx *f, struct fx_td *td, unsigned v)
{
	struct td_obj *t = vfx_td(f, td);
	assert_int_equal(vfx_lock(f, td->tdvpr[v], PAMT_4K), 0);
	assert_int_equal(vfx_lock(f, td->tdvpr[v], PAMT_2M), 0);
	assert_int_equal(vfx_lock(f, td->tdvpr[v], PAMT_1G), 0);
	assert_int_equal(vfx_lock(f, td->tdr, PAMT_4K), 0);
	assert_int_equal(atomic_load(&t->op_state_lock), 0);
	assert_int_equal(atomic_load(&t->epoch_lock), 0);
	assert_int_equal(atomic_load(&t->sept_lock), 0);
	assert_int_equal(atomic_load(&t->refcount[0]), 0);
	assert_int_equal(atomic_load(&t->refcount[1]), 0);
	assert_int_equal(vfx_vcpu(f, td->tdvpr[v])->n_entry_holds, 0);
}

/* ---- success --------------------------------------------------------------------- */

static void test_enter_and_exit(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = runnable(&td, &v);
	struct td_obj *t = vfx_td(f, &td);
	uint64_t tdvpr = td.tdvpr[v];
	struct vcpu_obj *vo = vfx_vcpu(f, tdvpr);
	uint64_t epoch = atomic_load(&t->td_epoch);
	assert_int_equal(epoch, 1); /* TDH.MNG.INIT */
	assert_nothing_held(f, &td, v);

	vfx_enter(f, &td, v);

	assert_int_equal(atomic_load(&vo->state), VCPU_ACTIVE);
	assert_int_equal(vfx_assoc(f, tdvpr), 1);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 1);
	assert_int_equal(atomic_load(&t->refcount[epoch & 1]), 1);
	assert_int_equal(atomic_load(&t->refcount[(epoch & 1) ^ 1]), 0);
	assert_int_equal(vo->vcpu_epoch, epoch);
	/* Held while the guest runs (§3): the TDVPR PAMT-X walk shared (1G, 2M, 4K)
	 * and the TDR PAMT-I shared; op_state, epoch and SEPT tree released. */
	assert_int_equal(vo->n_entry_holds, 4);
	assert_int_equal(vfx_lock(f, tdvpr, PAMT_4K), PAMT_READER);
	assert_int_equal(vfx_lock(f, tdvpr, PAMT_2M), PAMT_READER);
	assert_int_equal(vfx_lock(f, tdvpr, PAMT_1G), PAMT_READER);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), PAMT_READER);
	assert_int_equal(atomic_load(&t->op_state_lock), 0);
	assert_int_equal(atomic_load(&t->epoch_lock), 0);
	assert_int_equal(atomic_load(&t->sept_lock), 0);
	assert_int_equal(mod_lp(vfx_mod(f), 1)->last_vcpu, vfx_vcpu_idx(f, tdvpr));

	tdxsim_world_advance(f->w, 777);
	struct tdxsim_regs out;
	assert_int_equal(vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, &out),
			 EXIT_REASON_EXTERNAL_INTERRUPT);
	assert_int_equal(out.r[OPERAND_ID_RAX], EXIT_REASON_EXTERNAL_INTERRUPT);
	assert_int_equal(atomic_load(&vo->state), VCPU_READY);
	assert_int_equal(vo->last_td_exit, LAST_EXIT_ASYNC_FAULT);
	assert_int_equal(vo->last_exit_tsc, tdxsim_world_now(f->w));
	assert_int_equal(vfx_assoc(f, tdvpr), 1);               /* stays associated */
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 1);
	assert_nothing_held(f, &td, v);

	/* Again, through the fixture. */
	fx_td_enter(f, &td, v);
	assert_int_equal(atomic_load(&t->refcount[epoch & 1]), 1);
	fx_td_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	assert_nothing_held(f, &td, v);
	fx_free(f);
}

static void test_two_vcpus_run_together(void **state)
{
	(void)state;
	struct fx_td td;
	struct fx *f = vfx_setup(&td);
	struct td_obj *t = vfx_td(f, &td);
	unsigned a = vfx_vcpu_full(f, &td, 0, 0);
	unsigned b = vfx_vcpu_full(f, &td, 3, 1);
	fx_td_finalize(f, &td);
	vfx_enter(f, &td, a);
	vfx_enter(f, &td, b);
	assert_int_equal(atomic_load(&t->refcount[1]), 2);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), 2 * PAMT_READER);
	assert_int_equal(vfx_lock(f, td.tdvpr[a], PAMT_1G), 2 * PAMT_READER);
	assert_int_equal(vfx_lock(f, td.tdvpr[a], PAMT_4K), PAMT_READER);
	assert_int_equal(vfx_lock(f, td.tdvpr[b], PAMT_4K), PAMT_READER);
	vfx_exit(f, &td, a, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	assert_int_equal(atomic_load(&t->refcount[1]), 1);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), PAMT_READER);
	assert_int_equal(vfx_lock(f, td.tdvpr[a], PAMT_4K), 0);
	vfx_exit(f, &td, b, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	assert_nothing_held(f, &td, a);
	assert_nothing_held(f, &td, b);
	fx_free(f);
}

/* ---- errors, in the module's order ---------------------------------------------- */

static void test_enter_rcx_checks(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = runnable(&td, &v);
	uint64_t tdvpr = td.tdvpr[v];
	const uint64_t bad[] = { 1ull, 1ull << 11, 1ull << 54, 1ull << 63 };
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(vfx_enter_on(f, &td, v, 1, bad[i], NULL),
				 TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	/* Reserved bits are checked before the TDVPR is looked at. */
	assert_int_equal(fx_seamcall(f, 1, LEAF_VP_ENTER, 0x1, 0, 0, 0, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	/* Not a TDVPR page. */
	assert_int_equal(fx_seamcall(f, 1, LEAF_VP_ENTER, td.tdr, 0, 0, 0, NULL),
			 TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_RCX);
	/* HKID bits in the address. */
	uint64_t hkid_bit = 1ull << (vfx_mod(f)->lay.pa_bits - 1);
	assert_int_equal(fx_seamcall(f, 1, LEAF_VP_ENTER, tdvpr | hkid_bit, 0, 0, 0, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	assert_nothing_held(f, &td, v);
	assert_int_equal(vfx_state(f, tdvpr), VCPU_READY);
	fx_free(f);
}

static void test_enter_before_finalize(void **state)
{
	(void)state;
	struct fx_td td;
	struct fx *f = vfx_setup(&td);
	struct td_obj *t = vfx_td(f, &td);
	unsigned v = vfx_vcpu_full(f, &td, 1, 0);
	/* op_state INITIALIZED: refused before the association, so another LP also
	 * gets TDX_OP_STATE_INCORRECT rather than TDX_VCPU_ASSOCIATED. */
	assert_int_equal(vfx_enter_on(f, &td, v, 1, 0, NULL), TDX_OP_STATE_INCORRECT);
	assert_int_equal(vfx_enter_on(f, &td, v, 2, 0, NULL), TDX_OP_STATE_INCORRECT);
	assert_int_equal(vfx_assoc(f, td.tdvpr[v]), 1);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 1);
	assert_nothing_held(f, &td, v);
	fx_free(f);
}

/* map_tdvps (step 7) precedes the vCPU state check (step 8). */
static void test_enter_tdvps_and_state(void **state)
{
	(void)state;
	struct fx_td td;
	struct fx *f = vfx_setup(&td);
	vfx_vcpu_full(f, &td, 0, 0);
	unsigned partial = vfx_vcpu_create(f, &td, 1, VFX_TDVPX_FULL - 1);
	unsigned uninit = vfx_vcpu_create(f, &td, 1, VFX_TDVPX_FULL);
	fx_td_finalize(f, &td);
	assert_int_equal(vfx_enter_on(f, &td, partial, 1, 0, NULL), TDX_TDCX_NUM_INCORRECT);
	assert_int_equal(vfx_enter_on(f, &td, uninit, 1, 0, NULL), TDX_VCPU_STATE_INCORRECT);
	assert_int_equal(vfx_assoc(f, td.tdvpr[uninit]), VCPU_NO_LP);
	assert_nothing_held(f, &td, partial);
	assert_nothing_held(f, &td, uninit);
	fx_free(f);
}

static void test_enter_associated_elsewhere(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = runnable(&td, &v);
	struct td_obj *t = vfx_td(f, &td);
	uint64_t tdvpr = td.tdvpr[v];

	assert_int_equal(vfx_enter_on(f, &td, v, 2, 0, NULL), TDX_VCPU_ASSOCIATED);
	assert_int_equal(TDX_VCPU_ASSOCIATED, 0x8000070100000000ull);
	/* The association precedes the flag checks. */
	assert_int_equal(vfx_enter_on(f, &td, v, 2, VP_ENTER_HOST_RECOV_HINT, NULL),
			 TDX_VCPU_ASSOCIATED);
	assert_int_equal(vfx_assoc(f, tdvpr), 1);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 1);
	assert_nothing_held(f, &td, v);

	/* While it runs on LP 1: state ACTIVE is refused before the CAS.  Both
	 * VP.ENTERs hold the TDVPR shared at the same time. */
	vfx_enter(f, &td, v);
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 2, LEAF_VP_ENTER, tdvpr, 0, 0, 0);
	fx_step_until_holds(f, &x, "TDR", TDXSIM_MODE_SHARED);
	assert_int_equal(vfx_lock(f, tdvpr, PAMT_4K), 2 * PAMT_READER);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), 2 * PAMT_READER);
	assert_int_equal(fx_finish(f, &x), TDX_VCPU_STATE_INCORRECT);
	assert_int_equal(vfx_lock(f, tdvpr, PAMT_4K), PAMT_READER);
	assert_int_equal(atomic_load(&t->refcount[1]), 1);
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	assert_nothing_held(f, &td, v);
	fx_free(f);
}

/* host_recoverability_hint only after an ASYNC_TRAP exit (§1.7); resume_l1 never
 * (no L2 VM).  Step 9 comes after the association, which is kept. */
static void test_enter_flags(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = runnable(&td, &v);
	struct td_obj *t = vfx_td(f, &td);
	uint64_t tdvpr = td.tdvpr[v];

	/* After VP.INIT last_td_exit is ASYNC_FAULT. */
	assert_int_equal(vfx_enter_on(f, &td, v, 1, VP_ENTER_HOST_RECOV_HINT, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	assert_int_equal(vfx_enter_on(f, &td, v, 1, VP_ENTER_RESUME_L1, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	assert_nothing_held(f, &td, v);

	/* An interrupt exit is asynchronous with TDX_SUCCESS: LAST_EXIT_ASYNC_FAULT. */
	vfx_enter(f, &td, v);
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	assert_int_equal(vfx_vcpu(f, tdvpr)->last_td_exit, LAST_EXIT_ASYNC_FAULT);
	assert_int_equal(vfx_enter_on(f, &td, v, 1, VP_ENTER_HOST_RECOV_HINT, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RCX);

	/* A new association made by a VP.ENTER that then fails is not undone. */
	fx_expect(f, TDX_SUCCESS, 1, LEAF_VP_FLUSH, tdvpr, 0, 0, 0, NULL);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 0);
	assert_int_equal(vfx_enter_on(f, &td, v, 2, VP_ENTER_HOST_RECOV_HINT, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	assert_int_equal(vfx_assoc(f, tdvpr), 2);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 1);
	assert_nothing_held(f, &td, v);
	fx_free(f);
}

static uint64_t clock_value;
static uint64_t fixed_clock(void *ctx)
{
	(void)ctx;
	return clock_value;
}

/* Steps 10-12, in order, after the association and before the epoch. */
static void test_enter_tsc_and_msr_checks(void **state)
{
	(void)state;
	struct fx_td td;
	struct fx *f = vfx_setup(&td);
	struct td_obj *t = vfx_td(f, &td);
	tdxsim_world_advance(f->w, 5000);
	unsigned v = vfx_vcpu_full(f, &td, 1, 0);
	fx_td_finalize(f, &td);
	struct vcpu_obj *vo = vfx_vcpu(f, td.tdvpr[v]);
	assert_int_equal(vo->last_exit_tsc, 5000);
	struct lp_state *lp = mod_lp(vfx_mod(f), 1);

	lp->tsc_adjust = 42;
	clock_value = 4999;
	tdxsim_world_set_clock(f->w, fixed_clock, NULL);
	t->monitor_mwait_supported = 1;
	lp->monitor_fsm_disabled = 1;
	assert_int_equal(vfx_enter_on(f, &td, v, 1, 0, NULL), TDX_INCONSISTENT_MSR | 0x3B);
	lp->tsc_adjust = 0;
	assert_int_equal(vfx_enter_on(f, &td, v, 1, 0, NULL), TDX_TSC_ROLLBACK);
	tdxsim_world_set_clock(f->w, NULL, NULL);
	assert_int_equal(vfx_enter_on(f, &td, v, 1, 0, NULL), TDX_INCORRECT_MSR_VALUE | 0x1A0);
	assert_nothing_held(f, &td, v);
	assert_int_equal(vfx_state(f, td.tdvpr[v]), VCPU_READY);
	/* The LP bit alone does not matter for a TD without MONITOR/MWAIT. */
	t->monitor_mwait_supported = 0;
	vfx_enter(f, &td, v);
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	fx_free(f);
}

/* ---- BUSY paths ------------------------------------------------------------------- */

/* TDH.MEM.TRACK holds the epoch lock exclusively: VP.ENTER fails at step 13 with
 * BUSY|TD_EPOCH, before it touches the refcount. */
static void test_enter_busy_epoch(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = runnable(&td, &v);
	struct td_obj *t = vfx_td(f, &td);
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 0, LEAF_MEM_TRACK, td.tdr, 0, 0, 0);
	fx_step_until_holds(f, &x, "TD_EPOCH", TDXSIM_MODE_EXCLUSIVE);

	assert_int_equal(vfx_enter_on(f, &td, v, 1, 0, NULL), 0x80000200000000A9ull);
	assert_int_equal(atomic_load(&t->refcount[0]), 0);
	assert_int_equal(atomic_load(&t->refcount[1]), 0);
	/* §1.2: the failed shared XADD is not undone while the exclusive bit is set. */
	assert_int_equal(atomic_load(&t->epoch_lock), 1 + 2);
	assert_int_equal(vfx_assoc(f, td.tdvpr[v]), 1);
	assert_int_equal(vfx_lock(f, td.tdvpr[v], PAMT_4K), 0);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), PAMT_READER); /* TRACK's TDR sh */

	assert_int_equal(fx_finish(f, &x), TDX_SUCCESS);
	assert_int_equal(atomic_load(&t->epoch_lock), 0);
	assert_int_equal(atomic_load(&t->td_epoch), 2);
	vfx_enter(f, &td, v);
	assert_int_equal(vfx_vcpu(f, td.tdvpr[v])->vcpu_epoch, 2);
	assert_int_equal(atomic_load(&t->refcount[0]), 1);
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	assert_nothing_held(f, &td, v);
	fx_free(f);
}

/* The TDVPR held exclusively by a VP.FLUSH in progress: BUSY|RCX, HP set, and the
 * flush completes. */
static void test_enter_busy_tdvpr(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = runnable(&td, &v);
	uint64_t tdvpr = td.tdvpr[v];
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 1, LEAF_VP_FLUSH, tdvpr, 0, 0, 0);
	fx_step_until_holds(f, &x, "TDVPR", TDXSIM_MODE_EXCLUSIVE);
	assert_int_equal(vfx_enter_on(f, &td, v, 1, 0, NULL), BUSY(OPERAND_ID_RCX));
	assert_true(vfx_lock(f, tdvpr, PAMT_4K) & PAMT_HP);
	assert_int_equal(fx_finish(f, &x), TDX_SUCCESS);
	assert_int_equal(vfx_lock(f, tdvpr, PAMT_4K), PAMT_HP);
	assert_int_equal(vfx_assoc(f, tdvpr), VCPU_NO_LP);
	/* Retry: a new association on LP 2; the host acquire cleared HP. */
	fx_assert_status(vfx_enter_on(f, &td, v, 2, 0, NULL), TDXSIM_STATUS_ENTERED, "retry");
	assert_int_equal(vfx_lock(f, tdvpr, PAMT_4K), PAMT_READER);
	assert_int_equal(vfx_assoc(f, tdvpr), 2);
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	assert_nothing_held(f, &td, v);
	fx_free(f);
}

/* The TDR held exclusively (TDH.MR.FINALIZE in progress): BUSY|TDR (implicit lock,
 * OPERAND_ID_TDR), and the TDVPR walk is released again. */
static void test_enter_busy_tdr(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = runnable(&td, &v);
	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 0, LEAF_MR_FINALIZE, td.tdr, 0, 0, 0);
	fx_step_until_holds(f, &x, "TDR", TDXSIM_MODE_EXCLUSIVE);
	assert_int_equal(vfx_enter_on(f, &td, v, 1, 0, NULL), 0x8000020000000080ull);
	assert_int_equal(vfx_lock(f, td.tdvpr[v], PAMT_4K), 0);
	assert_true(vfx_lock(f, td.tdr, PAMT_4K) & PAMT_HP);
	assert_int_equal(fx_finish(f, &x), TDX_OP_STATE_INCORRECT);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), PAMT_HP);
	vfx_enter(f, &td, v);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), PAMT_READER);
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	assert_nothing_held(f, &td, v);
	fx_free(f);
}

/* op_state held exclusively (only migration leaves do; simulated by the lock
 * word itself): BUSY|OP_STATE, HP requested. */
static void test_enter_busy_op_state(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = runnable(&td, &v);
	struct td_obj *t = vfx_td(f, &td);
	atomic_store(&t->op_state_lock, 1);
	assert_int_equal(vfx_enter_on(f, &td, v, 1, 0, NULL), 0x80000200000000ACull);
	assert_int_equal(atomic_load(&t->op_state_lock), 1 | PAMT_READER | PAMT_HP);
	assert_int_equal(vfx_lock(f, td.tdvpr[v], PAMT_4K), 0);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), 0);
	atomic_store(&t->op_state_lock, 0);
	fx_free(f);
}

/* While a vCPU runs, TDR-exclusive SEAMCALLs get BUSY|<TDR register> and leave HP
 * in the TDR's PAMT entry (§3 "Held while the TD runs"). */
static void test_tdr_exclusive_leaf_while_running(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = runnable(&td, &v);
	vfx_enter(f, &td, v);
	fx_expect(f, BUSY(OPERAND_ID_RDX), 0, LEAF_MNG_ADDCX, fx_page(f), td.tdr, 0, 0, NULL);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), PAMT_READER | PAMT_HP);
	fx_expect(f, BUSY(OPERAND_ID_RCX), 0, LEAF_MR_FINALIZE, td.tdr, 0, 0, 0, NULL);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), PAMT_READER | PAMT_HP);
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), PAMT_HP);
	fx_expect(f, TDX_OP_STATE_INCORRECT, 0, LEAF_MR_FINALIZE, td.tdr, 0, 0, 0, NULL);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), 0);
	fx_free(f);
}

/* §5.3: TDH.MEM.TRACK refuses to advance while a vCPU that entered in the
 * previous epoch still runs; its TD exit decrements that epoch's refcount. */
static void test_epoch_tracking(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = runnable(&td, &v);
	struct td_obj *t = vfx_td(f, &td);
	vfx_enter(f, &td, v); /* epoch 1 -> refcount[1] */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MEM_TRACK, td.tdr, 0, 0, 0, NULL);
	assert_int_equal(atomic_load(&t->td_epoch), 2);
	fx_expect(f, TDX_PREVIOUS_TLB_EPOCH_BUSY, 0, LEAF_MEM_TRACK, td.tdr, 0, 0, 0, NULL);
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	assert_int_equal(atomic_load(&t->refcount[1]), 0);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MEM_TRACK, td.tdr, 0, 0, 0, NULL);
	vfx_enter(f, &td, v);
	assert_int_equal(vfx_vcpu(f, td.tdvpr[v])->vcpu_epoch, 3);
	assert_int_equal(atomic_load(&t->refcount[1]), 1);
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	assert_nothing_held(f, &td, v);
	fx_free(f);
}

/* ---- TDG.VP.VMCALL round trip ------------------------------------------------------ */

static void test_vmcall_round_trip(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = runnable(&td, &v);
	uint64_t tdvpr = td.tdvpr[v];
	struct vcpu_obj *vo = vfx_vcpu(f, tdvpr);
	vfx_enter(f, &td, v);

	/* Reserved and forbidden gpr_select bits: the TDCALL fails, no exit. */
	const uint64_t bad[] = { 1ull << 0, 1ull << 1, 1ull << 4, 1ull << 32 };
	for (unsigned i = 0; i < 4; i++) {
		struct tdxsim_regs g = { { 0 } };
		g.r[OPERAND_ID_RAX] = TDG_VP_VMCALL;
		g.r[OPERAND_ID_RCX] = bad[i] | 0xFC00;
		bool exited = true;
		assert_int_equal(tdxsim_tdcall(f->w, tdvpr, &g, &exited, NULL),
				 TDX_OPERAND_INVALID | OPERAND_ID_RCX);
		assert_false(exited);
		assert_int_equal(atomic_load(&vo->state), VCPU_ACTIVE);
	}

	const uint64_t control = 0xFC0C; /* RDX, RBX, R10-R15 */
	struct tdxsim_regs g = { { 0 } }, exit_regs;
	g.r[OPERAND_ID_RAX] = TDG_VP_VMCALL;
	g.r[OPERAND_ID_RCX] = control;
	g.r[OPERAND_ID_RDX] = 0x11;
	g.r[OPERAND_ID_RBX] = 0x22;
	g.r[OPERAND_ID_R8] = 0x88;       /* not selected */
	g.r[OPERAND_ID_R10] = 0;         /* TDVMCALL sub-function: vendor-defined */
	g.r[OPERAND_ID_R11] = 0x10001;
	g.r[OPERAND_ID_R12] = 0x1000;
	g.r[OPERAND_ID_R15] = 0xF;
	bool exited = false;
	assert_int_equal(tdxsim_tdcall(f->w, tdvpr, &g, &exited, &exit_regs), TDX_SUCCESS);
	assert_true(exited);
	assert_int_equal(exit_regs.r[OPERAND_ID_RAX], VMEXIT_REASON_TDCALL);
	assert_int_equal(exit_regs.r[OPERAND_ID_RCX], control);
	assert_int_equal(exit_regs.r[OPERAND_ID_RDX], 0x11);
	assert_int_equal(exit_regs.r[OPERAND_ID_RBX], 0x22);
	assert_int_equal(exit_regs.r[OPERAND_ID_R8], 0);
	assert_int_equal(exit_regs.r[OPERAND_ID_R9], 0);
	assert_int_equal(exit_regs.r[OPERAND_ID_R10], 0);
	assert_int_equal(exit_regs.r[OPERAND_ID_R11], 0x10001);
	assert_int_equal(exit_regs.r[OPERAND_ID_R12], 0x1000);
	assert_int_equal(exit_regs.r[OPERAND_ID_R15], 0xF);
	assert_int_equal(atomic_load(&vo->state), VCPU_READY);
	assert_int_equal(vo->last_td_exit, LAST_EXIT_TDVMCALL);
	assert_nothing_held(f, &td, v);
	/* The hint is refused after a TDVMCALL exit too. */
	assert_int_equal(vfx_enter_on(f, &td, v, 1, VP_ENTER_HOST_RECOV_HINT, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RCX);

	/* The VMM answers in the selected registers of its TDH.VP.ENTER. */
	struct tdxsim_regs h = { { 0 } };
	h.r[OPERAND_ID_RAX] = LEAF_VP_ENTER;
	h.r[OPERAND_ID_RCX] = tdvpr;
	h.r[OPERAND_ID_RDX] = 0x5;
	h.r[OPERAND_ID_R8] = 0x77;       /* not selected: the guest keeps 0x88 */
	h.r[OPERAND_ID_R10] = 0;         /* TDVMCALL status: success */
	h.r[OPERAND_ID_R11] = 0x99;
	assert_int_equal(tdxsim_seamcall(f->w, 1, &h), TDXSIM_STATUS_ENTERED);
	assert_int_equal(vo->guest_ret[OPERAND_ID_RAX], TDX_SUCCESS);
	assert_int_equal(vo->guest_ret[OPERAND_ID_RCX], control);
	assert_int_equal(vo->guest_ret[OPERAND_ID_RDX], 0x5);
	assert_int_equal(vo->guest_ret[OPERAND_ID_RBX], 0);
	assert_int_equal(vo->guest_ret[OPERAND_ID_R8], 0x88);
	assert_int_equal(vo->guest_ret[OPERAND_ID_R10], 0);
	assert_int_equal(vo->guest_ret[OPERAND_ID_R11], 0x99);
	assert_int_equal(vo->guest_ret[OPERAND_ID_R12], 0);
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enter_and_exit),
		cmocka_unit_test(test_two_vcpus_run_together),
		cmocka_unit_test(test_enter_rcx_checks),
		cmocka_unit_test(test_enter_before_finalize),
		cmocka_unit_test(test_enter_tdvps_and_state),
		cmocka_unit_test(test_enter_associated_elsewhere),
		cmocka_unit_test(test_enter_flags),
		cmocka_unit_test(test_enter_tsc_and_msr_checks),
		cmocka_unit_test(test_enter_busy_epoch),
		cmocka_unit_test(test_enter_busy_tdvpr),
		cmocka_unit_test(test_enter_busy_tdr),
		cmocka_unit_test(test_enter_busy_op_state),
		cmocka_unit_test(test_tdr_exclusive_leaf_while_running),
		cmocka_unit_test(test_epoch_tracking),
		cmocka_unit_test(test_vmcall_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
