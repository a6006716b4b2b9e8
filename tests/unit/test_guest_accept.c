/* SPDX-License-Identifier: MIT */
/*
 * The guest model's page acceptance (src/guest/accept.c), driven by the scripted host
 * of helpers/guest_driver.h on the real module: Linux's tdx_accept_memory() (1G ->
 * 2M -> 4K, any non-zero status fails a size, no BUSY retry), the retry variant, the
 * ACCEPT that TD-exits for the VMM to map the page and runs again, the interrupted
 * 2 MB ACCEPT that runs again, the host-priority timeout, the finished guest's halt
 * loop and the idle program.
 */
#include <stdlib.h>
#include <string.h>

#include "helpers/guest_driver.h"

#include "module/sept_bits.h"
#include "module/sept_walk.h"

#define PG 4096ull
#define EXT_QUAL_TYPE_ACCEPT 1
#define ST_BUSY_RCX 0x8000020000000001ull

static const struct tdxsim_guest_policy linux_guest = {
	.accept_retry_busy = false, .accept_max_retries = 0, .accept_fallback = true,
	.mapgpa_max_no_progress = 3, .mapgpa_check_r11 = true,
};

static void expect_accept_exit(const struct gd *d, unsigned i, uint64_t gpa)
{
	assert_true(i < d->n_exits);
	const struct gd_exit *e = &d->exits[i];
	assert_int_equal(e->rax, 48);                      /* EPT violation */
	assert_int_equal(e->rdx, EXT_QUAL_TYPE_ACCEPT);
	assert_int_equal(e->r8, gpa);
	assert_false(e->from_enter);
}

static void expect_halt_exit(const struct gd *d, unsigned i)
{
	assert_true(i < d->n_exits);
	const struct gd_exit *e = &d->exits[i];
	assert_int_equal(e->rax, 77);                      /* TDCALL */
	assert_int_equal(e->rcx, 0xFFCC);                  /* TDVMCALL_EXPOSE_REGS_MASK */
	assert_int_equal(e->r10, 0);
	assert_int_equal(e->r11, 12);                      /* EXIT_REASON_HLT */
	assert_int_equal(e->r12, 0);
}

/* Step until the current TDCALL has completed; return its RAX as the guest sees it. */
static tdx_status_t step_until_tdcall_done(struct gd *d)
{
	for (unsigned n = 0; n < 100000; n++) {
		gd_step(d);
		if (gd_vcpu(d)->tc == TC_DONE)
			return gd_vcpu(d)->out[OPERAND_ID_RAX];
	}
	fail_msg("no TDCALL completed");
	return 0;
}

static void exec_is_idle(const struct gd *d)
{
	static const struct tdxsim_leaf_exec zero;
	assert_memory_equal(&d->gs.guest, &zero, sizeof(zero));
}

/* Four pages: neither 1G nor 2M fits, so four 4K ACCEPTs, each of which first exits
 * for the VMM to AUG the page and then runs again at the same RIP. */
static void accept_4k_pages(void **state)
{
	(void)state;
	struct gd *d = gd_new(NULL, NULL);
	d->ept = GD_EPT_AUG_4K;
	gd_start(d, GUEST_PROG_ACCEPT, GD_BASE, 4, 0);
	gd_run(d);
	struct guest_vcpu *gv = gd_vcpu(d);
	assert_int_equal(d->n_exits, 5);
	for (unsigned i = 0; i < 4; i++) {
		expect_accept_exit(d, i, GD_BASE + i * PG);
		/* The ACCEPT that exited did not move RIP; the one before it did. */
		assert_int_equal(d->exits[i].rip, GUEST_RIP_BASE + i * GUEST_INSN_LEN);
		assert_int_equal(gd_sept_state(d, GD_BASE + i * PG, 0), SEPT_MAPPED);
		assert_true(guest_page_accepted(d->guest, 0, GD_BASE + i * PG));
	}
	expect_halt_exit(d, 4);
	assert_int_equal(d->exits[4].rip, GUEST_RIP_BASE + 5 * GUEST_INSN_LEN);
	assert_false(guest_page_accepted(d->guest, 0, GD_BASE + 4 * PG));
	assert_int_equal(gv->accepted, 4);
	assert_int_equal(gv->accept_failed, 0);
	assert_int_equal(gv->busy_seen, 0);
	assert_int_equal(gv->tdcalls, 9);                  /* 4 exited + 4 done + HLT */
	assert_int_equal(gv->state, GV_FINISHED);
	assert_int_equal(d->entries, 5);
	exec_is_idle(d);
	struct guest_progress p;
	guest_progress(d->guest, &p);
	assert_int_equal(p.accepted, 4);
	assert_true(p.done);
	gd_free(d);
}

/* 2M-aligned 2M range, the VMM maps 4K pages: the 2M ACCEPT exits, runs again, gets
 * TDX_PAGE_SIZE_MISMATCH|level 1 and falls back to 4K; the rest of the range is
 * unaligned for 2M, so 4K ACCEPTs follow. */
static void accept_falls_back_2m_to_4k(void **state)
{
	(void)state;
	struct gd *d = gd_new(NULL, NULL);
	d->ept = GD_EPT_AUG_4K;
	gd_start(d, GUEST_PROG_ACCEPT, GD_BASE, 512, 0);
	gd_step(d); /* enter */
	/* 2M ACCEPT -> TD exit; the VMM AUGs 4K at the base; 2M again -> size mismatch. */
	assert_int_equal(step_until_tdcall_done(d), TDX_PAGE_SIZE_MISMATCH | 1);
	assert_int_equal(d->n_exits, 1);
	expect_accept_exit(d, 0, GD_BASE);
	assert_int_equal(step_until_tdcall_done(d), TDX_SUCCESS); /* 4K at the base */
	gd_run(d);
	struct guest_vcpu *gv = gd_vcpu(d);
	assert_int_equal(d->n_exits, 513);
	for (unsigned i = 1; i < 512; i++)
		expect_accept_exit(d, i, GD_BASE + i * PG);
	expect_halt_exit(d, 512);
	assert_int_equal(gv->accepted, 512);
	assert_int_equal(gv->accept_failed, 0);
	assert_int_equal(gv->tdcalls, 3 + 2 * 511 + 1);
	assert_int_equal(gd_sept_state(d, GD_BASE, LVL_PD), SEPT_NL_MAPPED);
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(gd_sept_state(d, GD_BASE + i * PG, LVL_PT), SEPT_MAPPED);
	gd_free(d);
}

/* The VMM maps a 2M page: one 2M ACCEPT (after its exit) accepts all 512 pages. */
static void accept_2m(void **state)
{
	(void)state;
	struct gd *d = gd_new(NULL, NULL);
	d->ept = GD_EPT_AUG_2M;
	gd_start(d, GUEST_PROG_ACCEPT, GD_BASE, 512, 0);
	gd_run(d);
	struct guest_vcpu *gv = gd_vcpu(d);
	assert_int_equal(d->n_exits, 2);
	expect_accept_exit(d, 0, GD_BASE);
	expect_halt_exit(d, 1);
	assert_int_equal(d->last_fix, TDX_SUCCESS);
	assert_int_equal(gv->accepted, 512);
	assert_int_equal(gv->tdcalls, 3);
	assert_int_equal(gd_sept_state(d, GD_BASE, LVL_PD), SEPT_MAPPED);
	assert_true(guest_page_accepted(d->guest, 0, GD_BASE + 511 * PG));
	gd_free(d);
}

/* A virtual interrupt arrives while the 2M ACCEPT runs: the module stops after one
 * 4K chunk and returns without moving RIP (§3); the guest takes the interrupt and
 * executes the ACCEPT again, which resumes at the counter and completes. */
static void accept_2m_interrupted(void **state)
{
	(void)state;
	struct gd *d = gd_new(NULL, NULL);
	assert_int_equal(gd_aug_2m(d, GD_BASE), TDX_SUCCESS);
	gd_start(d, GUEST_PROG_ACCEPT, GD_BASE, 512, 0);
	gd_step(d);                                        /* enter */
	gd_step(d);                                        /* ACCEPT: its first module step */
	assert_int_equal(gd_vcpu(d)->tc, TC_RUNNING);
	guest_post_interrupt(d->guest, 0, 0);
	assert_int_equal(step_until_tdcall_done(d), TDX_SUCCESS);
	struct guest_vcpu *gv = gd_vcpu(d);
	assert_int_equal(gv->tc_restart, 1);
	assert_int_equal(gd_sept_state(d, GD_BASE, LVL_PD), SEPT_PENDING);
	struct sept_walk w;
	assert_true(sept_walk(fx_mod(d->f), fx_td_index(d->f, &d->td), GD_BASE, LVL_PD, &w));
	assert_int_equal((w.entry & SEPT_ACCEPT_COUNTER_MASK) >> SEPT_ACCEPT_COUNTER_SHIFT, 1);
	assert_int_equal(gv->rip, GUEST_RIP_BASE);         /* RIP stays on the TDCALL */
	gd_run(d);
	assert_int_equal(gv->accept_restarts, 1);
	assert_int_equal(gv->virqs, 1);
	assert_int_equal(gv->accepted, 512);
	assert_int_equal(gv->tdcalls, 3);                  /* 2 ACCEPTs + HLT */
	assert_int_equal(d->n_exits, 1);
	expect_halt_exit(d, 0);
	assert_int_equal(gd_sept_state(d, GD_BASE, LVL_PD), SEPT_MAPPED);
	assert_false(gd_vcpu_obj(d)->intr_pending);
	gd_free(d);
}

/* The same without the interrupt: one ACCEPT. */
static void accept_2m_not_interrupted(void **state)
{
	(void)state;
	struct gd *d = gd_new(NULL, NULL);
	assert_int_equal(gd_aug_2m(d, GD_BASE), TDX_SUCCESS);
	gd_start(d, GUEST_PROG_ACCEPT, GD_BASE, 512, 0);
	gd_run(d);
	assert_int_equal(gd_vcpu(d)->accept_restarts, 0);
	assert_int_equal(gd_vcpu(d)->tdcalls, 2);
	assert_int_equal(gd_vcpu(d)->accepted, 512);
	gd_free(d);
}

/* A host SEAMCALL holds the page's SEPT entry lock (TDH.MEM.SEPT.RD stopped inside). */
static void host_holds_entry(struct gd *d, struct tdxsim_leaf_exec *h, uint64_t gpa)
{
	fx_begin(d->f, h, 0, LEAF_MEM_SEPT_RD, GPA_LEVEL(gpa, LVL_PT), d->td.tdr, 0, 0);
	fx_step_until_holds(d->f, h, "SEPT_ENTRY", -1);
}

/* Linux: BUSY fails the 4K size, and 4K is the last: tdx_accept_memory() fails. */
static void accept_busy_linux_fails(void **state)
{
	(void)state;
	struct gd *d = gd_new(&linux_guest, NULL);
	assert_int_equal(gd_aug_4k(d, GD_BASE), TDX_SUCCESS);
	struct tdxsim_leaf_exec h;
	host_holds_entry(d, &h, GD_BASE);
	gd_start(d, GUEST_PROG_ACCEPT, GD_BASE, 1, 0);
	gd_step(d);
	assert_int_equal(step_until_tdcall_done(d), ST_BUSY_RCX);
	gd_run(d);
	struct guest_vcpu *gv = gd_vcpu(d);
	assert_int_equal(gv->accepted, 0);
	assert_int_equal(gv->accept_failed, 1);
	assert_int_equal(gv->busy_seen, 1);
	assert_int_equal(gv->accept_busy_retries, 0);
	assert_int_equal(gv->tdcalls, 2);
	assert_int_equal(fx_finish(d->f, &h), TDX_SUCCESS);
	assert_int_equal(gd_sept_state(d, GD_BASE, LVL_PT), SEPT_PENDING);
	assert_false(guest_page_accepted(d->guest, 0, GD_BASE));
	struct guest_progress p;
	guest_progress(d->guest, &p);
	assert_int_equal(p.accept_failed, 1);
	assert_int_equal(p.busy_seen, 1);
	gd_free(d);
}

/* The retry variant: BUSY is retried at the same size; once the host lets go, the
 * next ACCEPT succeeds. */
static void accept_busy_retry_succeeds(void **state)
{
	(void)state;
	struct tdxsim_guest_policy pol = linux_guest;
	pol.accept_retry_busy = true;
	struct gd *d = gd_new(&pol, NULL);
	assert_int_equal(gd_aug_4k(d, GD_BASE), TDX_SUCCESS);
	struct tdxsim_leaf_exec h;
	host_holds_entry(d, &h, GD_BASE);
	gd_start(d, GUEST_PROG_ACCEPT, GD_BASE, 1, 0);
	struct guest_vcpu *gv = gd_vcpu(d);
	while (gv->busy_seen < 3)
		gd_step(d);
	assert_int_equal(fx_finish(d->f, &h), TDX_SUCCESS);
	gd_run(d);
	assert_int_equal(gv->busy_seen, 3);
	assert_int_equal(gv->accept_busy_retries, 3);
	assert_int_equal(gv->accepted, 1);
	assert_int_equal(gv->accept_failed, 0);
	assert_int_equal(gv->tdcalls, 5);                  /* 3 BUSY + 1 done + HLT */
	assert_int_equal(gd_sept_state(d, GD_BASE, LVL_PT), SEPT_MAPPED);
	gd_free(d);
}

/* The retry variant with a bound: 1 + accept_max_retries ACCEPTs, then failure. */
static void accept_busy_retry_bounded(void **state)
{
	(void)state;
	struct tdxsim_guest_policy pol = linux_guest;
	pol.accept_retry_busy = true;
	pol.accept_max_retries = 2;
	struct gd *d = gd_new(&pol, NULL);
	assert_int_equal(gd_aug_4k(d, GD_BASE), TDX_SUCCESS);
	struct tdxsim_leaf_exec h;
	host_holds_entry(d, &h, GD_BASE);
	gd_start(d, GUEST_PROG_ACCEPT, GD_BASE, 1, 0);
	gd_run(d);
	struct guest_vcpu *gv = gd_vcpu(d);
	assert_int_equal(gv->busy_seen, 3);
	assert_int_equal(gv->accept_busy_retries, 2);
	assert_int_equal(gv->accept_failed, 1);
	assert_int_equal(gv->accepted, 0);
	assert_int_equal(fx_finish(d->f, &h), TDX_SUCCESS);
	gd_free(d);
}

static void build_one_page(struct gd *d)
{
	fx_td_add_page(d->f, &d->td, GD_BASE);
}

/* A page added at build time is already accepted: the module says so with an
 * informational status, which Linux still counts as a failure. */
static void accept_already_accepted_fails(void **state)
{
	(void)state;
	struct gd *d = gd_new(NULL, build_one_page);
	gd_start(d, GUEST_PROG_ACCEPT, GD_BASE, 1, 0);
	gd_step(d);
	assert_int_equal(step_until_tdcall_done(d), TDX_PAGE_ALREADY_ACCEPTED | 0);
	gd_run(d);
	assert_int_equal(gd_vcpu(d)->accept_failed, 1);
	assert_int_equal(gd_vcpu(d)->accepted, 0);
	assert_int_equal(d->n_exits, 1);                   /* HLT only: no exit for the ACCEPT */
	gd_free(d);
}

/* accept_fallback = false: only the largest size that fits; its failure is final. */
static void accept_no_fallback(void **state)
{
	(void)state;
	struct tdxsim_guest_policy pol = linux_guest;
	pol.accept_fallback = false;
	struct gd *d = gd_new(&pol, NULL);
	d->ept = GD_EPT_AUG_4K;
	gd_start(d, GUEST_PROG_ACCEPT, GD_BASE, 512, 0);
	gd_step(d);
	assert_int_equal(step_until_tdcall_done(d), TDX_PAGE_SIZE_MISMATCH | 1);
	gd_run(d);
	struct guest_vcpu *gv = gd_vcpu(d);
	assert_int_equal(gv->accept_failed, 1);
	assert_int_equal(gv->accepted, 0);
	assert_int_equal(gv->tdcalls, 3);                  /* exited 2M, 2M again, HLT */
	assert_int_equal(d->n_exits, 2);
	gd_free(d);
}

/* §1.7: a host that failed on the entry left its HP bit set; every guest ACCEPT of
 * that entry gets BUSY, and once hp_lock_timeout has passed since the first, the
 * module exits to the VMM with TDX_HOST_PRIORITY_BUSY_TIMEOUT; when resumed, the
 * guest's TDCALL returns BUSY. */
static void accept_hp_timeout(void **state)
{
	(void)state;
	struct tdxsim_guest_policy pol = linux_guest;
	pol.accept_retry_busy = true;
	struct gd *d = gd_new(&pol, NULL);
	assert_int_equal(gd_aug_4k(d, GD_BASE), TDX_SUCCESS);
	/* Program 1 accepts the page; while its ACCEPT still holds the entry (after the
	 * body wrote the entry back), a host SEAMCALL fails on it and sets HP. */
	gd_start(d, GUEST_PROG_ACCEPT, GD_BASE, 1, 0);
	gd_step(d);
	struct tdxsim_leaf_exec *x = &d->gs.guest;
	for (unsigned n = 0; gd_sept_state(d, GD_BASE, LVL_PT) != SEPT_MAPPED; n++) {
		assert_true(n < 100);
		gd_step(d);
	}
	assert_int_equal(x->phase, TDXSIM_LEAF_RUN);       /* the ACCEPT still holds the entry */
	assert_int_equal(x->nheld, 1);
	struct tdxsim_leaf_exec h;
	fx_begin(d->f, &h, 0, LEAF_MEM_SEPT_RD, GPA_LEVEL(GD_BASE, LVL_PT), d->td.tdr, 0, 0);
	assert_int_equal(fx_finish(d->f, &h), ST_BUSY_RCX);
	gd_run(d);
	assert_int_equal(gd_vcpu(d)->accepted, 1);
	/* Program 2 accepts it again: BUSY (host priority), retried; time passes. */
	gd_start(d, GUEST_PROG_ACCEPT, GD_BASE, 1, 0);
	struct guest_vcpu *gv = gd_vcpu(d);
	unsigned exits0 = d->n_exits;
	for (unsigned n = 0; d->n_exits == exits0; n++) {
		assert_true(n < 1000);
		gd_step(d);
		tdxsim_world_advance(d->f->w, 600ull * 1000 * 1000); /* 0.6 s per step */
	}
	assert_int_equal(d->exits[exits0].rax, TDX_HOST_PRIORITY_BUSY_TIMEOUT);
	uint64_t busy_before = gv->busy_seen;
	assert_true(busy_before >= 2);
	/* The host clears HP (a successful host lock of the entry), then resumes. */
	assert_int_equal(fx_seamcall(d->f, 0, LEAF_MEM_SEPT_RD, GPA_LEVEL(GD_BASE, LVL_PT), d->td.tdr, 0, 0,
				     NULL), TDX_SUCCESS);
	/* On resumption the timed-out TDCALL returns BUSY, the variant retries it, and the
	 * page is already accepted. */
	uint64_t retries_before = gv->accept_busy_retries;
	assert_int_equal(step_until_tdcall_done(d), TDX_PAGE_ALREADY_ACCEPTED | 0);
	assert_int_equal(gv->accept_busy_retries, retries_before + 1);
	assert_int_equal(gv->busy_seen, busy_before);
	gd_run(d);
	assert_int_equal(gv->accept_failed, 1);
	assert_int_equal(gv->accepted, 1);
	gd_free(d);
}

/* IDLE spins at one RIP: steps change nothing, and there is no exit. */
static void idle_changes_nothing(void **state)
{
	(void)state;
	struct gd *d = gd_new(NULL, NULL);
	gd_start(d, GUEST_PROG_IDLE, 0, 0, 0);
	gd_step(d); /* enter */
	gd_step(d); /* first guest step: the program starts */
	size_t gsz = guest_state_size(&d->cfg);
	void *g0 = malloc(gsz);
	memcpy(g0, d->guest, gsz);
	uint64_t h0 = tdxsim_world_hash(d->f->w);
	struct flow_stack s0 = d->gs;
	for (unsigned i = 0; i < 100; i++)
		gd_step(d);
	assert_memory_equal(d->guest, g0, gsz);
	assert_int_equal(tdxsim_world_hash(d->f->w), h0);
	assert_memory_equal(&d->gs, &s0, sizeof(s0));
	assert_int_equal(d->n_exits, 0);
	assert_true(d->host.guest_mode);
	struct guest_progress p;
	guest_progress(d->guest, &p);
	assert_true(p.done);
	free(g0);
	gd_free(d);
}

/* A finished guest halts again each time it is resumed. */
static void finished_guest_halts_again(void **state)
{
	(void)state;
	struct gd *d = gd_new(NULL, NULL);
	d->ept = GD_EPT_AUG_4K;
	gd_start(d, GUEST_PROG_ACCEPT, GD_BASE, 1, 0);
	gd_run(d);
	gd_run(d);
	gd_run(d);
	assert_int_equal(d->halts, 3);
	struct guest_vcpu *gv = gd_vcpu(d);
	assert_int_equal(gv->halts, 3);
	assert_int_equal(gv->accepted, 1);
	for (unsigned i = d->n_exits - 3; i < d->n_exits; i++)
		expect_halt_exit(d, i);
	gd_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accept_4k_pages),
		cmocka_unit_test(accept_falls_back_2m_to_4k),
		cmocka_unit_test(accept_2m),
		cmocka_unit_test(accept_2m_interrupted),
		cmocka_unit_test(accept_2m_not_interrupted),
		cmocka_unit_test(accept_busy_linux_fails),
		cmocka_unit_test(accept_busy_retry_succeeds),
		cmocka_unit_test(accept_busy_retry_bounded),
		cmocka_unit_test(accept_already_accepted_fails),
		cmocka_unit_test(accept_no_fallback),
		cmocka_unit_test(accept_hp_timeout),
		cmocka_unit_test(idle_changes_nothing),
		cmocka_unit_test(finished_guest_halts_again),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
