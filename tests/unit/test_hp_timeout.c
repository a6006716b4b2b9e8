/* SPDX-License-Identifier: MIT */
/*
 * Guest-side host priority and its timeout, reference §1.7: a TDCALL that fails
 * with TDX_OPERAND_BUSY_HOST_PRIORITY is reported to the guest as
 * TDX_OPERAND_BUSY (operand kept); once such failures have lasted
 * TDCS.hp_lock_timeout, the next one TD-exits with
 * TDX_HOST_PRIORITY_BUSY_TIMEOUT (0x9000020500000000), vCPU READY and
 * LAST_EXIT_ASYNC_TRAP; any other TDCALL result clears the condition.  The next
 * TDH.VP.ENTER copies its host_recoverability_hint (RCX bit 52) into bit 60 of
 * the guest's pending status.
 *
 * The host priority comes from a host SEAMCALL that failed on the SEPT entry's
 * lock and left HP (bit 52) set in it (§1.4, §9.2); the tests set that bit
 * directly, then let TDG.MEM.PAGE.ACCEPT meet it.
 */
#include <stdatomic.h>
#include <string.h>

#include "helpers/vcpu_fx.h"

#define G_PEND 0x400000ull
#define BUSY_RCX 0x8000020000000001ull
#define HP_TIMEOUT_STATUS 0x9000020500000000ull
#define DEFAULT_TIMEOUT_TICKS 1000000000ull /* 1 s = DEFAULT_HP_LOCK_TIMEOUT_USEC */

static _Atomic uint64_t *sept_entry(struct fx *f, struct fx_td *td, uint64_t gpa)
{
	struct tdxsim_mod *m = vfx_mod(f);
	uint32_t tdi = (uint32_t)(vfx_td(f, td) - mod_td(m, 0));
	struct sept_walk w;
	assert_true(sept_walk(m, tdi, gpa, SEPT_LVL_PT, &w));
	return &mod_sept_page(m, w.page)->e[w.idx];
}

/* A running vCPU 0 on LP 1 and a PENDING 4K page at G_PEND whose entry carries HP. */
static struct fx *hp_setup(struct fx_td *td, unsigned *v)
{
	struct fx *f = vfx_setup(td);
	*v = vfx_vcpu_full(f, td, 1, 0);
	fx_td_finalize(f, td);
	fx_td_aug(f, td, G_PEND);
	_Atomic uint64_t *e = sept_entry(f, td, G_PEND);
	assert_int_equal(sept_state_of(atomic_load(e)), SEPT_PENDING);
	atomic_fetch_or(e, SEPT_HP);
	vfx_enter(f, td, *v);
	return f;
}

static tdx_status_t accept(struct fx *f, struct fx_td *td, unsigned v, bool *exited,
			   struct tdxsim_regs *exit_regs)
{
	return fx_tdcall(f, td, v, TDG_MEM_PAGE_ACCEPT, GPA_LEVEL(G_PEND, LVL_PT), 0, 0, exited,
			 exit_regs);
}

static void test_timeout_exit_and_hint(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = hp_setup(&td, &v);
	struct td_obj *t = vfx_td(f, &td);
	struct vcpu_obj *vo = vfx_vcpu(f, td.tdvpr[v]);
	uint64_t timeout = t->hp_lock_timeout;
	assert_int_equal(timeout, DEFAULT_TIMEOUT_TICKS); /* TDH.MNG.INIT */
	_Atomic uint64_t *e = sept_entry(f, &td, G_PEND);
	bool exited = true;

	/* First HP failure: BUSY (never ..._HOST_PRIORITY) and the clock starts. */
	uint64_t t0 = tdxsim_world_now(f->w);
	assert_int_equal(accept(f, &td, v, &exited, NULL), BUSY_RCX);
	assert_false(exited);
	assert_int_equal(vo->hp_lock_busy, 1);
	assert_int_equal(vo->hp_lock_busy_start, t0);
	assert_false(atomic_load(e) & SEPT_TDEL); /* the guest gave the entry lock back */
	assert_true(atomic_load(e) & SEPT_HP);

	/* Just below the timeout: still BUSY, the start is not moved. */
	tdxsim_world_advance(f->w, timeout - 1);
	assert_int_equal(accept(f, &td, v, &exited, NULL), BUSY_RCX);
	assert_false(exited);
	assert_int_equal(vo->hp_lock_busy_start, t0);
	assert_int_equal(atomic_load(&vo->state), VCPU_ACTIVE);

	/* At the timeout: the TD exits; the guest's status waits for the next entry. */
	tdxsim_world_advance(f->w, 1);
	struct tdxsim_regs exit_regs;
	assert_int_equal(accept(f, &td, v, &exited, &exit_regs), BUSY_RCX);
	assert_true(exited);
	assert_int_equal(exit_regs.r[OPERAND_ID_RAX], HP_TIMEOUT_STATUS);
	for (unsigned k = 1; k < 16; k++)
		assert_int_equal(exit_regs.r[k], 0);
	assert_int_equal(atomic_load(&vo->state), VCPU_READY);
	assert_int_equal(vo->last_td_exit, LAST_EXIT_ASYNC_TRAP);
	assert_int_equal(vo->hp_lock_busy, 0);
	assert_int_equal(vo->guest_rax_pending, BUSY_RCX);
	assert_int_equal(atomic_load(&t->refcount[1]), 0);
	assert_int_equal(vfx_lock(f, td.tdvpr[v], PAMT_4K), 0);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), 0);
	assert_int_equal(sept_state_of(atomic_load(e)), SEPT_PENDING);

	/* host_recoverability_hint is accepted after ASYNC_TRAP and lands in bit 60. */
	fx_assert_status(vfx_enter_on(f, &td, v, 1, VP_ENTER_HOST_RECOV_HINT, NULL),
			 TDXSIM_STATUS_ENTERED, "VP.ENTER with hint");
	assert_int_equal(vo->guest_ret[OPERAND_ID_RAX], BUSY_RCX | (1ull << 60));
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	/* After that (asynchronous, ASYNC_FAULT) exit the hint is misuse again. */
	assert_int_equal(vfx_enter_on(f, &td, v, 1, VP_ENTER_HOST_RECOV_HINT, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	fx_free(f);
}

/* Without the hint, bit 60 of the pending status is cleared. */
static void test_timeout_without_hint(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = hp_setup(&td, &v);
	struct vcpu_obj *vo = vfx_vcpu(f, td.tdvpr[v]);
	uint64_t timeout = vfx_td(f, &td)->hp_lock_timeout;
	bool exited = false;
	assert_int_equal(accept(f, &td, v, &exited, NULL), BUSY_RCX);
	tdxsim_world_advance(f->w, timeout + 5);
	assert_int_equal(accept(f, &td, v, &exited, NULL), BUSY_RCX);
	assert_true(exited);
	vo->guest_rax_pending |= 1ull << 60; /* as if an earlier entry had set it */
	vfx_enter(f, &td, v);
	assert_int_equal(vo->guest_ret[OPERAND_ID_RAX], BUSY_RCX);
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	fx_free(f);
}

/* Any other TDCALL result clears hp_lock_busy: the timeout restarts at the next
 * HP failure.  A successful host acquire of the entry clears HP; then ACCEPT
 * completes. */
static void test_other_result_clears(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = hp_setup(&td, &v);
	struct vcpu_obj *vo = vfx_vcpu(f, td.tdvpr[v]);
	uint64_t timeout = vfx_td(f, &td)->hp_lock_timeout;
	_Atomic uint64_t *e = sept_entry(f, &td, G_PEND);
	bool exited = false;

	assert_int_equal(accept(f, &td, v, &exited, NULL), BUSY_RCX);
	assert_int_equal(vo->hp_lock_busy, 1);
	tdxsim_world_advance(f->w, timeout * 2);
	/* A TDCALL with another result (TDG.VP.VMCALL refusing its RCX). */
	assert_int_equal(fx_tdcall(f, &td, v, TDG_VP_VMCALL, 1, 0, 0, &exited, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	assert_false(exited);
	assert_int_equal(vo->hp_lock_busy, 0);
	/* Far past the old start, but this HP failure is a first one again. */
	uint64_t t1 = tdxsim_world_now(f->w);
	assert_int_equal(accept(f, &td, v, &exited, NULL), BUSY_RCX);
	assert_false(exited);
	assert_int_equal(vo->hp_lock_busy, 1);
	assert_int_equal(vo->hp_lock_busy_start, t1);

	/* TDH.MEM.SEPT.RD takes the entry lock as host: success clears HP (§1.4). */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MEM_SEPT_RD, GPA_LEVEL(G_PEND, LVL_PT), td.tdr, 0, 0, NULL);
	assert_false(atomic_load(e) & SEPT_HP);
	assert_int_equal(accept(f, &td, v, &exited, NULL), TDX_SUCCESS);
	assert_false(exited);
	assert_int_equal(vo->hp_lock_busy, 0);
	assert_int_equal(sept_state_of(atomic_load(e)), SEPT_MAPPED);
	assert_true(tdxsim_guest_access(f->w, td.tdvpr[v], G_PEND, 0, true));
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timeout_exit_and_hint),
		cmocka_unit_test(test_timeout_without_hint),
		cmocka_unit_test(test_other_result_clears),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
