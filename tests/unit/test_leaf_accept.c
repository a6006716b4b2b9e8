/* SPDX-License-Identifier: MIT */
/*
 * TDG.MEM.PAGE.ACCEPT (reference §3 "TDCALLs that take locks", §1.4, §1.7, §5.1,
 * §9.2, §9.3, §9.9): the decision order, 4K and 2M accepts (accept_counter and the
 * interrupted re-execution), TD exits, and the host-priority paths: BUSY, HP set by a
 * failed host, the dispatcher's BUSY_HOST_PRIORITY -> BUSY conversion, the timeout,
 * and HP lost by ACCEPT's write-back.
 */
#include "helpers/sept_fx.h"

static tdx_status_t accept(struct sfx *s, uint64_t gpa, unsigned level, bool *exited,
			   struct tdxsim_regs *exit_regs)
{
	return fx_tdcall(s->f, &s->td, 0, TDG_MEM_PAGE_ACCEPT, GPA_LEVEL(gpa, level), 0, 0, exited, exit_regs);
}

/* A RUNNABLE TD with a PAGE.ADDed page at GPA0 and vCPU 0 in guest mode. */
static void running(struct sfx *s)
{
	sfx_init(s, 1);
	fx_td_add_page(s->f, &s->td, GPA0);
	sfx_finalize(s);
	fx_td_enter(s->f, &s->td, 0);
}

static void exit_and_reenter(struct sfx *s)
{
	fx_td_exit(s->f, &s->td, 0, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	fx_td_enter(s->f, &s->td, 0);
}

static void test_accept_4k(void **state)
{
	(void)state;
	struct sfx s;
	running(&s);
	const uint64_t g = GPA0 + 0x1000;
	uint64_t page = fx_td_aug(s.f, &s.td, g);
	uint64_t c = sfx_chldcnt(&s);
	bool exited = true;
	assert_int_equal(accept(&s, g, 0, &exited, NULL), TDX_SUCCESS);
	assert_false(exited);
	assert_int_equal(sfx_entry(&s, g, 0), page | E_MAPPED);
	sfx_assert_pamt(&s, page, 0, TDXSIM_PT_REG, sfx_owner(&s), 0);
	assert_int_equal(sfx_chldcnt(&s), c);
	/* Already accepted (bit 63 clear, the level as operand); a PAGE.ADDed page too. */
	assert_int_equal(accept(&s, g, 0, &exited, NULL), 0x00000B0A00000000ull);
	assert_int_equal(accept(&s, GPA0, 0, &exited, NULL), TDX_PAGE_ALREADY_ACCEPTED | 0);
	assert_false(exited);
	assert_int_equal(sfx_entry(&s, g, 0), page | E_MAPPED);
	/* Operands: 4K or 2M only, aligned, private. */
	assert_int_equal(accept(&s, GPA0, 2, &exited, NULL), TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	assert_int_equal(accept(&s, GPA0 + 0x1000, 1, &exited, NULL), TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	assert_int_equal(accept(&s, g | SHARED_BIT, 0, &exited, NULL), TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	assert_false(exited);
	sfx_free(&s);
}

/* Decision 1 and 5: an EPT-violation TD exit (type ACCEPT) with the GPA. */
static void test_accept_td_exits(void **state)
{
	(void)state;
	struct sfx s;
	running(&s);
	bool exited = false;
	struct tdxsim_regs er;
	/* A FREE 4K entry (decision 5: not pending). */
	const uint64_t g = GPA0 + 0x5000;
	accept(&s, g, 0, &exited, &er);
	assert_true(exited);
	assert_int_equal(er.r[OPERAND_ID_RAX], 48);  /* EPT violation */
	assert_int_equal(er.r[OPERAND_ID_RDX], 1);   /* TDX_EXT_EXIT_QUAL_TYPE_ACCEPT */
	assert_int_equal(er.r[OPERAND_ID_R8], g);
	assert_int_equal(atomic_load(&mod_vcpu(s.m, 0)->state), VCPU_READY);
	assert_int_equal(sfx_entry(&s, g, 0), E_FREE); /* lock released before the exit */
	/* No PT page (decision 1: the walk stops at a FREE level-2 entry). */
	fx_td_enter(s.f, &s.td, 0);
	exited = false;
	accept(&s, 0x80000000ull, 0, &exited, &er);
	assert_true(exited);
	assert_int_equal(er.r[OPERAND_ID_R8], 0x80000000ull);
	/* A blocked pending page (decision 5). */
	fx_td_enter(s.f, &s.td, 0);
	uint64_t page = fx_td_aug(s.f, &s.td, GPA0 + 0x2000);
	sfx_ok(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA0 + 0x2000, 0), 0);
	exited = false;
	accept(&s, GPA0 + 0x2000, 0, &exited, &er);
	assert_true(exited);
	assert_int_equal(sfx_entry(&s, GPA0 + 0x2000, 0), page | E_PENDING_BLOCKED);
	/* 4K inside a 2M PENDING page: the walk stops at the 2M leaf, not accessible. */
	fx_td_enter(s.f, &s.td, 0);
	uint64_t p2m = fx_page_2m(s.f);
	sfx_ok(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA_2M, 1), p2m);
	exited = false;
	accept(&s, GPA_2M + 0x3000, 0, &exited, &er);
	assert_true(exited);
	assert_int_equal(er.r[OPERAND_ID_R8], GPA_2M + 0x3000);
	/* The host demotes it; then 4K accepts work and 2M is a size mismatch. */
	sfx_ok(&s, LEAF_MEM_PAGE_DEMOTE, GPA_LEVEL(GPA_2M, 1), fx_page(s.f));
	fx_td_enter(s.f, &s.td, 0);
	assert_int_equal(accept(&s, GPA_2M + 0x3000, 0, &exited, NULL), TDX_SUCCESS);
	assert_int_equal(sfx_entry(&s, GPA_2M + 0x3000, 0), (p2m + 0x3000) | E_MAPPED);
	assert_int_equal(accept(&s, GPA_2M, 1, &exited, NULL), 0xC0000B0B00000001ull);
	assert_false(exited);
	sfx_free(&s);
}

static void test_accept_2m(void **state)
{
	(void)state;
	struct sfx s;
	running(&s);
	uint64_t p2m = fx_page_2m(s.f);
	sfx_ok(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA_2M, 1), p2m);
	bool exited = true;
	assert_int_equal(accept(&s, GPA_2M, 1, &exited, NULL), TDX_SUCCESS);
	assert_false(exited);
	assert_false(tdxsim_world_tdcall_restarted(s.f->w, s.td.tdvpr[0]));
	assert_int_equal(sfx_entry(&s, GPA_2M, 1), p2m | E_MAPPED);
	/* Inside a 2M guest-accessible leaf, at the level of the leaf found. */
	assert_int_equal(accept(&s, GPA_2M + 0x7000, 0, &exited, NULL), TDX_PAGE_ALREADY_ACCEPTED | 1);
	assert_int_equal(accept(&s, GPA_2M, 1, &exited, NULL), TDX_PAGE_ALREADY_ACCEPTED | 1);
	/* A 2M accept where 4K pages map the range (NL_MAPPED at level 1). */
	assert_int_equal(accept(&s, GPA0, 1, &exited, NULL), TDX_PAGE_SIZE_MISMATCH | 1);
	assert_false(exited);
	sfx_free(&s);
}

/* A pending guest interrupt stops a 2M accept between 4K chunks: TDX_SUCCESS, RIP
 * not advanced, progress in bits 20:12, lock released; the re-executed TDCALL
 * resumes there. */
static void test_accept_2m_interrupted(void **state)
{
	(void)state;
	struct sfx s;
	running(&s);
	uint64_t p2m = fx_page_2m(s.f);
	sfx_ok(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA_2M, 1), p2m);
	uint64_t vp = s.td.tdvpr[0];
	assert_true(tdxsim_world_set_guest_interrupt(s.f->w, vp, true));
	bool exited = true;
	assert_int_equal(accept(&s, GPA_2M, 1, &exited, NULL), TDX_SUCCESS);
	assert_false(exited);
	assert_true(tdxsim_world_tdcall_restarted(s.f->w, vp));
	assert_int_equal(sfx_entry(&s, GPA_2M, 1), p2m | E_PENDING | (1ull << 12));
	assert_int_equal(accept(&s, GPA_2M, 1, &exited, NULL), TDX_SUCCESS);
	assert_true(tdxsim_world_tdcall_restarted(s.f->w, vp));
	assert_int_equal(sfx_entry(&s, GPA_2M, 1), p2m | E_PENDING | (2ull << 12));
	/* The counter survives a BLOCK/UNBLOCK round trip (copy-based values). */
	sfx_ok(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA_2M, 1), 0);
	assert_int_equal(sfx_entry(&s, GPA_2M, 1), p2m | E_PENDING_BLOCKED | (2ull << 12));
	exit_and_reenter(&s);
	fx_expect(s.f, TDX_SUCCESS, 1, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
	fx_td_exit(s.f, &s.td, 0, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	sfx_ok(&s, LEAF_MEM_RANGE_UNBLOCK, GPA_LEVEL(GPA_2M, 1), 0);
	assert_int_equal(sfx_entry(&s, GPA_2M, 1), p2m | E_PENDING | (2ull << 12));
	fx_td_enter(s.f, &s.td, 0);
	/* At 511 chunks done the last one completes even with the interrupt pending. */
	atomic_store(sfx_entry_ptr(&s, GPA_2M, 1), p2m | E_PENDING | (511ull << 12));
	assert_int_equal(accept(&s, GPA_2M, 1, &exited, NULL), TDX_SUCCESS);
	assert_false(tdxsim_world_tdcall_restarted(s.f->w, vp));
	assert_int_equal(sfx_entry(&s, GPA_2M, 1), p2m | E_MAPPED);
	/* Another TDCALL clears the restart flag; no interrupt: one go. */
	uint64_t p2 = fx_page_2m(s.f);
	sfx_ok(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(0x40400000ull, 1), p2);
	assert_int_equal(accept(&s, 0x40400000ull, 1, &exited, NULL), TDX_SUCCESS);
	assert_true(tdxsim_world_tdcall_restarted(s.f->w, vp));
	assert_true(tdxsim_world_set_guest_interrupt(s.f->w, vp, false));
	assert_int_equal(accept(&s, 0x40400000ull, 1, &exited, NULL), TDX_SUCCESS);
	assert_false(tdxsim_world_tdcall_restarted(s.f->w, vp));
	assert_int_equal(sfx_entry(&s, 0x40400000ull, 1), p2 | E_MAPPED);
	sfx_free(&s);
}

/* The entry locked by a host leaf: the guest gets plain BUSY and leaves HP alone. */
static void test_accept_busy(void **state)
{
	(void)state;
	struct sfx s;
	running(&s);
	const uint64_t g = GPA0 + 0x1000;
	uint64_t page = fx_td_aug(s.f, &s.td, g);
	struct tdxsim_leaf_exec x;
	sfx_begin(&s, &x, 1, LEAF_MEM_SEPT_RD, GPA_LEVEL(g, 0), 0);
	fx_step_until_holds(s.f, &x, "SEPT_ENTRY", -1);
	bool exited = true;
	assert_int_equal(accept(&s, g, 0, &exited, NULL), 0x8000020000000001ull);
	assert_false(exited);
	assert_int_equal(sfx_entry(&s, g, 0), page | E_PENDING | E_TDEL);
	assert_int_equal(mod_vcpu(s.m, 0)->hp_lock_busy, 0);
	assert_int_equal(fx_finish(s.f, &x), TDX_SUCCESS);
	assert_int_equal(accept(&s, g, 0, &exited, NULL), TDX_SUCCESS);
	assert_int_equal(sfx_entry(&s, g, 0), page | E_MAPPED);
	sfx_free(&s);
}

/* §9.2 and §1.7: a failed host leaves HP in the entry; the guest's acquire gives the
 * lock back and gets BUSY_HOST_PRIORITY, reported as TDX_OPERAND_BUSY; a later
 * successful host acquire clears HP; the guest's timeout ends in a TD exit. */
static void test_accept_host_priority(void **state)
{
	(void)state;
	struct sfx s;
	running(&s);
	const uint64_t g = GPA0 + 0x1000;
	uint64_t page = fx_td_aug(s.f, &s.td, g);
	struct tdxsim_leaf_exec x;
	sfx_begin(&s, &x, 1, LEAF_MEM_SEPT_RD, GPA_LEVEL(g, 0), 0);
	fx_step_until_holds(s.f, &x, "SEPT_ENTRY", -1);
	assert_int_equal(sfx_call(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(g, 0), fx_page(s.f), NULL),
			 0x8000020000000001ull);
	assert_int_equal(fx_finish(s.f, &x), TDX_SUCCESS);
	assert_int_equal(sfx_entry(&s, g, 0), page | E_PENDING | E_HP);

	bool exited = true;
	struct vcpu_obj *v = mod_vcpu(s.m, 0);
	assert_int_equal(accept(&s, g, 0, &exited, NULL), TDX_OPERAND_BUSY | OPERAND_ID_RCX);
	assert_false(exited);
	assert_int_equal(sfx_entry(&s, g, 0), page | E_PENDING | E_HP); /* TDEL given back */
	assert_int_equal(v->hp_lock_busy, 1);
	assert_int_equal(accept(&s, g, 0, &exited, NULL), TDX_OPERAND_BUSY | OPERAND_ID_RCX);
	assert_false(exited);
	/* Past TDCS.hp_lock_timeout: the BUSY goes to guest RAX and the vCPU TD-exits with
	 * TDX_HOST_PRIORITY_BUSY_TIMEOUT. */
	tdxsim_world_advance(s.f->w, sfx_td(&s)->hp_lock_timeout + 1);
	struct tdxsim_regs er;
	assert_int_equal(accept(&s, g, 0, &exited, &er), TDX_OPERAND_BUSY | OPERAND_ID_RCX);
	assert_true(exited);
	assert_int_equal(er.r[OPERAND_ID_RAX], 0x9000020500000000ull);
	assert_int_equal(v->hp_lock_busy, 0);
	assert_int_equal(sfx_entry(&s, g, 0), page | E_PENDING | E_HP);
	/* A successful host acquire clears HP: BLOCK's value is built from its copy. */
	sfx_ok(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(g, 0), 0);
	assert_int_equal(sfx_entry(&s, g, 0), page | E_PENDING_BLOCKED);
	sfx_free(&s);
}

/* §9.3: a host fails on the entry while the guest's ACCEPT holds it and sets HP; the
 * ACCEPT's 64-bit write-back of its copy (HP = 0) loses it. */
static void test_accept_writeback_loses_hp(void **state)
{
	(void)state;
	struct sfx s;
	running(&s);
	const uint64_t g = GPA0 + 0x1000;
	uint64_t page = fx_td_aug(s.f, &s.td, g);
	struct tdxsim_leaf_exec x;
	sfx_tdcall_begin(&s, &x, 0, TDG_MEM_PAGE_ACCEPT, GPA_LEVEL(g, 0), 0);
	fx_step_until_holds(s.f, &x, "SEPT_ENTRY", -1);
	assert_int_equal(sfx_entry(&s, g, 0), page | E_PENDING | E_TDEL);
	assert_int_equal(sfx_call(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(g, 0), 0, NULL), 0x8000020000000001ull);
	assert_int_equal(sfx_entry(&s, g, 0), page | E_PENDING | E_TDEL | E_HP);
	assert_int_equal(fx_finish(s.f, &x), TDX_SUCCESS);
	assert_int_equal(sfx_entry(&s, g, 0), page | E_MAPPED);
	sfx_free(&s);
}

/* TDG.MEM.PAGE.ATTR.RD/WR: guest entry lock on the L1 leaf (documented minimal
 * versions: no L2 VMs). */
static void test_page_attr(void **state)
{
	(void)state;
	struct sfx s;
	running(&s);
	uint64_t page = fx_td_aug(s.f, &s.td, GPA0 + 0x1000);
	struct tdxsim_regs r = { { 0 } };
	r.r[OPERAND_ID_RAX] = TDG_MEM_PAGE_ATTR_RD;
	r.r[OPERAND_ID_RCX] = GPA0;
	assert_int_equal(tdxsim_tdcall(s.f->w, s.td.tdvpr[0], &r, NULL, NULL), TDX_SUCCESS);
	assert_int_equal(r.r[OPERAND_ID_RCX], GPA0);
	assert_int_equal(r.r[OPERAND_ID_RDX], 0x7); /* R, W, Xs */
	r = (struct tdxsim_regs){ { 0 } };
	r.r[OPERAND_ID_RAX] = TDG_MEM_PAGE_ATTR_RD;
	r.r[OPERAND_ID_RCX] = GPA0 + 0x1000;
	assert_int_equal(tdxsim_tdcall(s.f->w, s.td.tdvpr[0], &r, NULL, NULL), TDX_SUCCESS);
	assert_int_equal(r.r[OPERAND_ID_RDX], 0); /* PENDING: RWX = 0 */
	bool exited = true;
	assert_int_equal(fx_tdcall(s.f, &s.td, 0, TDG_MEM_PAGE_ATTR_RD, GPA0 + 0x5000, 0, 0, &exited, NULL),
			 TDX_EPT_ENTRY_STATE_INCORRECT | OPERAND_ID_RCX);
	assert_int_equal(fx_tdcall(s.f, &s.td, 0, TDG_MEM_PAGE_ATTR_RD, 0x80000000ull, 0, 0, &exited, NULL),
			 TDX_EPT_WALK_FAILED | OPERAND_ID_RCX);
	assert_int_equal(fx_tdcall(s.f, &s.td, 0, TDG_MEM_PAGE_ATTR_RD, GPA0 + 8, 0, 0, &exited, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	assert_false(exited);
	/* ATTR.WR: PENDING is writable, BLOCKED is not; no L2 VM attribute can be set. */
	assert_int_equal(fx_tdcall(s.f, &s.td, 0, TDG_MEM_PAGE_ATTR_WR, GPA0 + 0x1000, 0, 0, &exited, NULL),
			 TDX_SUCCESS);
	assert_int_equal(fx_tdcall(s.f, &s.td, 0, TDG_MEM_PAGE_ATTR_WR, GPA0 + 0x1000, 1ull << 16, 1ull << 16,
				   &exited, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_R8);
	sfx_ok(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GPA0 + 0x1000, 0), 0);
	assert_int_equal(fx_tdcall(s.f, &s.td, 0, TDG_MEM_PAGE_ATTR_WR, GPA0 + 0x1000, 0, 0, &exited, NULL),
			 TDX_EPT_ENTRY_STATE_INCORRECT | OPERAND_ID_RCX);
	assert_int_equal(sfx_entry(&s, GPA0 + 0x1000, 0), page | E_PENDING_BLOCKED);
	sfx_free(&s);
}

/* TDG.MR.RTMR.EXTEND (rtmr_lock ex, guest), TDG.MR.REPORT (sh), TDG.SERVTD.RD/WR. */
static void test_mr_and_servtd(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 2);
	fx_td_add_page(s.f, &s.td, GPA0);
	sfx_finalize(&s);
	fx_td_enter(s.f, &s.td, 0);
	fx_td_enter(s.f, &s.td, 1);
	bool exited = true;
	assert_int_equal(fx_tdcall(s.f, &s.td, 0, TDG_MR_RTMR_EXTEND, 0x1000, 3, 0, &exited, NULL), TDX_SUCCESS);
	assert_false(exited);
	assert_int_equal(fx_tdcall(s.f, &s.td, 0, TDG_MR_RTMR_EXTEND, 0x1000, 4, 0, &exited, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RDX);
	assert_int_equal(fx_tdcall(s.f, &s.td, 0, TDG_MR_RTMR_EXTEND, 0x1010, 0, 0, &exited, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_RCX);
	assert_int_equal(fx_tdcall(s.f, &s.td, 0, TDG_MR_REPORT, 0x2000, 0x3000, 0, &exited, NULL), TDX_SUCCESS);
	assert_int_equal(fx_tdcall(s.f, &s.td, 0, TDG_MR_REPORT, 0x2000, 0x3000, 1, &exited, NULL),
			 TDX_OPERAND_INVALID | OPERAND_ID_R8);
	/* vCPU 0 holds the RTMR lock exclusively: the other gets BUSY|RTMR (0xA8), and a
	 * guest never sets HP (§1.3). */
	struct tdxsim_leaf_exec x;
	sfx_tdcall_begin(&s, &x, 0, TDG_MR_RTMR_EXTEND, 0x1000, 0);
	fx_step_until_holds(s.f, &x, "RTMR", TDXSIM_MODE_EXCLUSIVE);
	assert_int_equal(fx_tdcall(s.f, &s.td, 1, TDG_MR_RTMR_EXTEND, 0x1000, 1, 0, &exited, NULL),
			 0x80000200000000A8ull);
	assert_int_equal(fx_tdcall(s.f, &s.td, 1, TDG_MR_REPORT, 0x2000, 0x3000, 0, &exited, NULL),
			 0x80000200000000A8ull);
	assert_int_equal(atomic_load(&sfx_td(&s)->rtmr_lock) & 2, 0);
	assert_int_equal(fx_finish(s.f, &x), TDX_SUCCESS);
	assert_int_equal(atomic_load(&sfx_td(&s)->rtmr_lock), 0);
	/* SERVTD.RD/WR lock the target TD (here its own) and refuse every field. */
	assert_int_equal(fx_tdcall(s.f, &s.td, 0, TDG_SERVTD_RD, s.td.tdr, 0, 0, &exited, NULL),
			 TDX_METADATA_FIELD_ID_INCORRECT);
	assert_int_equal(fx_tdcall(s.f, &s.td, 0, TDG_SERVTD_WR, s.td.tdr, 0, 0, &exited, NULL),
			 TDX_METADATA_FIELD_ID_INCORRECT);
	assert_false(exited);
	sfx_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_4k),
		cmocka_unit_test(test_accept_td_exits),
		cmocka_unit_test(test_accept_2m),
		cmocka_unit_test(test_accept_2m_interrupted),
		cmocka_unit_test(test_accept_busy),
		cmocka_unit_test(test_accept_host_priority),
		cmocka_unit_test(test_accept_writeback_loses_hp),
		cmocka_unit_test(test_page_attr),
		cmocka_unit_test(test_mr_and_servtd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
