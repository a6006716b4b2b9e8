/* SPDX-License-Identifier: MIT */
/*
 * The VMM model's S-EPT paths with running vCPUs (linux-kvm-tdx.md §1.3, §1.4, §2,
 * §3): a guest fault through SEPT.ADD x3 and AUG to an accepted page; page removal
 * BLOCK -> TRACK + kick -> REMOVE -> WBINVD with a vCPU in the guest; kick+retry-once
 * when BLOCK is BUSY (the SEPT tree held by another SEAMCALL), BUG when the retry is
 * BUSY too; the memslot-deletion deadlock without the 2026 bail-out and its
 * completion with it; VP.ENTER BUSY leaving the fastpath versus re-entering with IRQs
 * off against a waiting kick.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/vmm_driver.h"

#include "module/mod.h"
#include "module/sept_bits.h"
#include "vmm/kvm.h"

#define GPA(i) (VD_PRIVATE_BASE + (uint64_t)(i) * 4096)
#define LEAF_MEM_SEPT_RD 25

static struct vd *runnable(enum vmm_kernel k, const struct tdxsim_policy *p)
{
	struct vd_config cfg = { .kernel = k, .policy_obj = p, .check_invariants = true };
	struct vd *d = vd_new(&cfg);
	vd_boot(d);
	vd_build_td(d, 0, 0);
	return d;
}

static bool guest_at(struct vd *d, void *ctx)
{
	unsigned i = *(unsigned *)ctx;
	struct vd_actor *a = &d->actors[i];
	return a->g.pc >= a->g.nops - 1 && a->g.phase == 0 && a->host.guest_mode;
}

/* Run until actor i is done or max rounds. */
static bool run_until_done(struct vd *d, unsigned i, unsigned long max)
{
	for (unsigned long n = 0; n < max && !d->actors[i].done; n++)
		vd_run(d, 1);
	return d->actors[i].done;
}

/* Step a SEAMCALL of the test's own (on LP 3) until it holds resource `res`. */
static void hold(struct vd *d, struct tdxsim_leaf_exec *x, uint64_t leaf, uint64_t rcx, uint64_t rdx,
		 const char *res)
{
	struct tdxsim_regs r = { { 0 } };
	r.r[OPERAND_ID_RAX] = leaf;
	r.r[OPERAND_ID_RCX] = rcx;
	r.r[OPERAND_ID_RDX] = rdx;
	tdxsim_seamcall_begin(d->w, x, 3, &r);
	int ri = tdxsim_table_find_res(d->table, res);
	assert_true(ri >= 0);
	for (unsigned n = 0; n < 1000; n++) {
		for (unsigned k = 0; k < x->nheld; k++)
			if (x->held[k].res == ri && x->phase == TDXSIM_LEAF_RUN && x->sub == 0)
				return;
		assert_int_equal(tdxsim_leaf_step(d->w, x), TDXSIM_STEP_RAN);
	}
	fail_msg("never held %s", res);
}

static tdx_status_t finish(struct vd *d, struct tdxsim_leaf_exec *x)
{
	while (tdxsim_leaf_step(d->w, x) == TDXSIM_STEP_RAN)
		;
	return x->regs.r[OPERAND_ID_RAX];
}

/* Events of kind ev in order, their `a`, from index from. */
static unsigned seq(struct vd *d, size_t from, unsigned *out, unsigned max)
{
	unsigned n = 0;
	for (size_t i = from; i < d->nlog && n < max; i++) {
		if (d->log[i].ev == VMM_EV_SEAMCALL)
			out[n++] = (unsigned)d->log[i].a;
		else if (d->log[i].ev == VMM_EV_KICK)
			out[n++] = 1000;
	}
	return n;
}

/* ---- fault -> SEPT.ADD x3 -> AUG -> accept -> MAPPED ----------------------------------------- */

static void test_fault_aug_accept(void **state)
{
	(void)state;
	struct vd *d = runnable(VMM_KVM_6_16, NULL);
	struct vd_gop ops[] = { { GOP_ACCEPT, GPA(3), 0 }, { GOP_ACCESS, GPA(3), 0 }, { GOP_IDLE, 0, 0 } };
	vd_clear_log(d);
	unsigned v = vd_vcpu(d, 0, 0, 0, 0, ops, 3);
	assert_true(vd_run_until(d, guest_at, &v, 100000));
	unsigned s[32];
	unsigned n = seq(d, 0, s, 32);
	/* VP.ENTER (completed by the ACCEPT's EPT-violation exit), SEPT.ADD for TDX levels
	 * 3, 2, 1, AUG; the second VP.ENTER is still in the guest (reported at its exit). */
	unsigned expect[] = { LF_VP_ENTER, LF_MEM_SEPT_ADD, LF_MEM_SEPT_ADD, LF_MEM_SEPT_ADD,
			      LF_MEM_PAGE_AUG };
	assert_int_equal(n, 5);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(s[i], expect[i]);
	/* The SEPT.ADDs went top down: RCX levels 3, 2, 1. */
	assert_int_equal(d->actors[v].g.accepted, 1);
	assert_int_equal(d->actors[v].g.accept_status, TDX_SUCCESS);
	assert_int_equal(vd_sept_state(d, 0, GPA(3)), SEPT_MAPPED);
	struct kvm_leaf *lf = kvm_leaf_at(d->vmm, 0, 3);
	assert_int_equal(lf->state, MS_PRESENT);
	assert_int_not_equal(lf->gmem, 0);
	for (unsigned tl = 1; tl <= 3; tl++)
		assert_int_equal(kvm_link_of(d->vmm, 0, tl, GPA(3))->state, MS_PRESENT);
	/* The fault: one EPT violation, fixed on the first try (no local retry). */
	assert_int_equal(vd_count(d, VMM_EV_RETRY), 0);
	long f = vd_find(d, 0, VMM_EV_FLOW_END, VMM_FK_FAULT);
	assert_true(f >= 0);
	assert_int_equal(d->log[f].b, RET_PF_FIXED);
	/* A second fault on the next page needs no SEPT.ADD. */
	vd_free(d);
}

/* ---- removal with a vCPU in guest mode ----------------------------------------------------- */

static unsigned guest_with_page(struct vd *d, unsigned lp, unsigned vcpu, uint64_t gpa)
{
	struct vd_gop ops[] = { { GOP_ACCEPT, gpa, 0 }, { GOP_IDLE, 0, 0 } };
	unsigned v = vd_vcpu(d, lp, 0, vcpu, 0, ops, 2);
	assert_true(vd_run_until(d, guest_at, &v, 100000));
	assert_int_equal(vd_sept_state(d, 0, gpa), SEPT_MAPPED);
	return v;
}

static void test_removal_kicks_guest(void **state)
{
	(void)state;
	struct vd *d = runnable(VMM_KVM_6_16, NULL);
	unsigned v0 = guest_with_page(d, 0, 0, GPA(2));
	unsigned v1 = guest_with_page(d, 1, 1, GPA(7));
	unsigned frames = kvm_g(d->vmm)->frames_free;
	uint64_t exits0 = d->actors[v0].g.exits, exits1 = d->actors[v1].g.exits;
	size_t from = d->nlog;
	unsigned z = vd_thread(d, 2, VMM_PROG_ZAP_RANGE, 0, GPA(2), 1);
	assert_true(run_until_done(d, z, 100000));
	assert_int_equal(vmm_actor_result(d->vmm, z), 0);
	unsigned s[32];
	unsigned n = 0;
	for (size_t i = from; i < d->nlog && n < 32; i++)
		if (d->log[i].actor == z && (d->log[i].ev == VMM_EV_SEAMCALL || d->log[i].ev == VMM_EV_KICK))
			s[n++] = d->log[i].ev == VMM_EV_KICK ? 1000 : (unsigned)d->log[i].a;
	unsigned expect[] = { LF_MEM_RANGE_BLOCK, LF_MEM_TRACK, 1000, LF_MEM_PAGE_REMOVE,
			      LF_PHYMEM_PAGE_WBINVD };
	assert_int_equal(n, 5);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(s[i], expect[i]);
	/* Both vCPUs were in the guest and were kicked out (one TD exit each). */
	assert_int_equal(d->actors[v0].g.exits, exits0 + 1);
	assert_int_equal(d->actors[v1].g.exits, exits1 + 1);
	assert_int_equal(vd_sept_state(d, 0, GPA(2)), SEPT_FREE);
	assert_int_equal(vd_sept_state(d, 0, GPA(7)), SEPT_MAPPED);
	assert_int_equal(kvm_leaf_at(d->vmm, 0, 2)->state, MS_NONE);
	assert_int_equal(kvm_g(d->vmm)->frames_free, frames + 1); /* the hole's page */
	assert_int_equal(vd_count(d, VMM_EV_BUSY), 0);
	assert_int_equal(vd_count(d, VMM_EV_VM_BUG), 0);
	/* The vCPUs are back in the guest. */
	assert_true(vd_run_until(d, guest_at, &v0, 1000));
	assert_true(vd_run_until(d, guest_at, &v1, 1000));
	vd_free(d);
}

/* kvm_request_needs_ipi() with KVM_REQUEST_WAIT: a vCPU that is not OUTSIDE_GUEST_MODE
 * gets the IPI and is waited for, also one already in EXITING_GUEST_MODE (an earlier
 * kick, e.g. kvm_vm_dead's, moved it there while it was inside TDH.VP.ENTER with IRQs
 * off).  The vCPU here is in the guest with its mode forced to EXITING and no IPI
 * pending: the removal's kick must still take it out of the guest before it returns
 * (skipping it let TRACK's retry meet a TDH.VP.ENTER still holding the TD epoch --
 * a false VM BUG tdxsim check found under kvm-6.16 and kvm-6.19). */
static void test_kick_waits_for_exiting_vcpu(void **state)
{
	(void)state;
	struct vd *d = runnable(VMM_KVM_6_19, NULL);
	unsigned v0 = guest_with_page(d, 0, 0, GPA(2));
	uint64_t exits0 = d->actors[v0].g.exits;
	kvm_vcpu(d->vmm, 0, 0)->mode = EXITING_GUEST_MODE;
	unsigned z = vd_thread(d, 2, VMM_PROG_ZAP_RANGE, 0, GPA(2), 1);
	assert_true(run_until_done(d, z, 100000));
	assert_int_equal(vmm_actor_result(d->vmm, z), 0);
	long k = vd_find(d, 0, VMM_EV_KICK, 0);
	assert_true(k >= 0);
	assert_int_equal(d->actors[v0].g.exits, exits0 + 1);
	assert_int_equal(vd_count(d, VMM_EV_VM_BUG), 0);
	vd_free(d);
}

/* ---- kick + retry once ---------------------------------------------------------------------- */

static bool zap_flag_up(struct vd *d, void *ctx)
{
	(void)ctx;
	return kvm_vm(d->vmm, 0)->wait_for_sept_zap != 0;
}

/* BLOCK finds the SEPT tree held shared (a TDH.MEM.SEPT.RD in flight): BUSY|SEPT_TREE
 * -> wait_for_sept_zap, every vCPU kicked out, BLOCK once more -- the SEPT.RD has
 * finished meanwhile, so it succeeds, and the flag comes down. */
static void test_kick_retry_once(void **state)
{
	(void)state;
	struct vd *d = runnable(VMM_KVM_6_16, NULL);
	unsigned v0 = guest_with_page(d, 0, 0, GPA(2));
	uint64_t exits0 = d->actors[v0].g.exits;
	struct tdxsim_leaf_exec x;
	hold(d, &x, LEAF_MEM_SEPT_RD, GPA(9) | SEPT_LVL_PT, vd_tdr(d, 0), "SEPT_TREE");
	size_t from = d->nlog;
	unsigned z = vd_thread(d, 2, VMM_PROG_ZAP_RANGE, 0, GPA(2), 1);
	assert_true(vd_run_until(d, zap_flag_up, NULL, 100000));
	/* The flag is up: the vCPU may not enter until the retry is done. */
	assert_int_equal(finish(d, &x) >> 32, 0);
	assert_true(run_until_done(d, z, 100000));
	assert_int_equal(vmm_actor_result(d->vmm, z), 0);
	long b = vd_find(d, from, VMM_EV_BUSY, LF_MEM_RANGE_BLOCK);
	assert_true(b >= 0);
	assert_int_equal(d->log[b].b, TDX_OPERAND_BUSY | OPERAND_ID_SEPT_TREE);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_MEM_RANGE_BLOCK), 2);
	assert_int_equal(vd_count_leaf(d, VMM_EV_RETRY, LF_MEM_RANGE_BLOCK), 1);
	assert_int_equal(vd_count(d, VMM_EV_KICK), 2); /* tdh_do_no_vcpus + tdx_track */
	assert_int_equal(vd_count(d, VMM_EV_VM_BUG), 0);
	assert_int_equal(kvm_vm(d->vmm, 0)->wait_for_sept_zap, 0);
	assert_int_equal(vd_sept_state(d, 0, GPA(2)), SEPT_FREE);
	assert_true(d->actors[v0].g.exits > exits0);
	assert_false(vmm_vm_dead(d->vmm, 0));
	vd_free(d);
}

/* The tree stays held through the retry: the second BUSY is KVM_BUG_ON -- the VM is
 * dead, the vCPU's KVM_RUN ends with -EIO. */
static void test_kick_retry_busy_again_bugs(void **state)
{
	(void)state;
	struct vd *d = runnable(VMM_KVM_6_19, NULL);
	unsigned v0 = guest_with_page(d, 0, 0, GPA(2));
	struct tdxsim_leaf_exec x;
	hold(d, &x, LEAF_MEM_SEPT_RD, GPA(9) | SEPT_LVL_PT, vd_tdr(d, 0), "SEPT_TREE");
	unsigned z = vd_thread(d, 2, VMM_PROG_ZAP_RANGE, 0, GPA(2), 1);
	assert_true(run_until_done(d, z, 100000));
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_MEM_RANGE_BLOCK), 2);
	assert_int_equal(vd_count_leaf(d, VMM_EV_BUSY, LF_MEM_RANGE_BLOCK), 2);
	long bug = vd_find(d, 0, VMM_EV_VM_BUG, LF_MEM_RANGE_BLOCK);
	assert_true(bug >= 0);
	assert_int_equal(d->log[bug].b, TDX_OPERAND_BUSY | OPERAND_ID_SEPT_TREE);
	assert_int_equal(vd_count(d, VMM_EV_VM_BUG), 1);
	assert_true(vmm_vm_dead(d->vmm, 0));
	/* No TRACK/REMOVE after the failed BLOCK; the flag is down again. */
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_MEM_TRACK), 0);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_MEM_PAGE_REMOVE), 0);
	assert_int_equal(kvm_vm(d->vmm, 0)->wait_for_sept_zap, 0);
	assert_int_equal(kvm_leaf_at(d->vmm, 0, 2)->leaked, 1);
	finish(d, &x);
	/* The vCPU learns through KVM_REQ_VM_DEAD: KVM_RUN returns -EIO. */
	assert_true(run_until_done(d, v0, 100000));
	assert_int_equal(vmm_actor_result(d->vmm, v0), -VMM_EIO);
	vd_free(d);
}

/* eagain-kick-first (seed 002): the removal raises wait_for_sept_zap and kicks before
 * BLOCK, and keeps TD entry blocked until REMOVE is done: the vCPU leaves the guest
 * once (the first kick) and cannot re-enter, so TRACK's kick finds it outside. */
static void test_kick_before_block(void **state)
{
	(void)state;
	struct vd *d = runnable(VMM_KVM_6_16, tdxsim_policy_builtin("eagain-kick-first"));
	unsigned v0 = guest_with_page(d, 0, 0, GPA(2));
	uint64_t exits0 = d->actors[v0].g.exits;
	size_t from = d->nlog;
	unsigned z = vd_thread(d, 2, VMM_PROG_ZAP_RANGE, 0, GPA(2), 1);
	assert_true(run_until_done(d, z, 100000));
	unsigned s[32];
	unsigned n = 0;
	for (size_t i = from; i < d->nlog && n < 32; i++)
		if (d->log[i].actor == z && (d->log[i].ev == VMM_EV_SEAMCALL || d->log[i].ev == VMM_EV_KICK))
			s[n++] = d->log[i].ev == VMM_EV_KICK ? 1000 : (unsigned)d->log[i].a;
	unsigned expect[] = { 1000, LF_MEM_RANGE_BLOCK, LF_MEM_TRACK, 1000, LF_MEM_PAGE_REMOVE,
			      LF_PHYMEM_PAGE_WBINVD };
	assert_int_equal(n, 6);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(s[i], expect[i]);
	assert_int_equal(d->actors[v0].g.exits, exits0 + 1);
	assert_int_equal(kvm_vm(d->vmm, 0)->wait_for_sept_zap, 0);
	assert_int_equal(vd_sept_state(d, 0, GPA(2)), SEPT_FREE);
	/* Entry is allowed again. */
	assert_true(vd_run_until(d, guest_at, &v0, 1000));
	vd_free(d);
}

/* spec-retry: BUSY is retried at once, without a kick, until it succeeds. */
static void test_spec_retry_block(void **state)
{
	(void)state;
	struct vd *d = runnable(VMM_KVM_6_16, tdxsim_policy_builtin("spec-retry"));
	guest_with_page(d, 0, 0, GPA(2));
	struct tdxsim_leaf_exec x;
	hold(d, &x, LEAF_MEM_SEPT_RD, GPA(9) | SEPT_LVL_PT, vd_tdr(d, 0), "SEPT_TREE");
	unsigned z = vd_thread(d, 2, VMM_PROG_ZAP_RANGE, 0, GPA(2), 1);
	assert_int_equal(vd_run(d, 1000), VD_LIMIT);
	assert_true(vd_count_leaf(d, VMM_EV_BUSY, LF_MEM_RANGE_BLOCK) > 5);
	assert_true(vd_count_leaf(d, VMM_EV_RETRY, LF_MEM_RANGE_BLOCK) > 5);
	assert_int_equal(vd_count(d, VMM_EV_KICK), 0);
	finish(d, &x);
	assert_true(run_until_done(d, z, 100000));
	assert_int_equal(vmm_actor_result(d->vmm, z), 0);
	assert_int_equal(vd_count(d, VMM_EV_KICK), 1); /* tdx_track's */
	assert_int_equal(vd_count(d, VMM_EV_VM_BUG), 0);
	vd_free(d);
}

/* zero-tolerance: VP.ENTER BUSY exits to userspace (KVM_RUN -EBUSY). */
static void test_zero_tolerance_enter_busy(void **state)
{
	(void)state;
	struct vd *d = runnable(VMM_KVM_6_16, tdxsim_policy_builtin("zero-tolerance"));
	struct vd_gop ops[] = { { GOP_IDLE, 0, 0 } };
	assert_true(vmm_inject_status(d->vmm, LF_VP_ENTER, -1, 1, TDX_OPERAND_BUSY | OPERAND_ID_SEPT_TREE));
	unsigned v = vd_vcpu(d, 0, 0, 0, 0, ops, 1);
	assert_true(run_until_done(d, v, 1000));
	assert_int_equal(vmm_actor_result(d->vmm, v), -VMM_EBUSY);
	assert_int_equal(vd_count_leaf(d, VMM_EV_ZERO_STEP, 0), 1);
	long u = vd_find(d, 0, VMM_EV_USER_EXIT, KVM_EXIT_UNKNOWN);
	assert_true(u >= 0);
	assert_int_equal(d->log[u].b, VMM_EBUSY);
	vd_free(d);
}

/* ---- the memslot-deletion deadlock (§2, 2026 bail-out) -------------------------------------- */

static bool slot_invalid(struct vd *d, void *ctx)
{
	(void)ctx;
	return kvm_slot(d->vmm, 0, 0)->invalid;
}

/* The vCPU's fault handler has seen RET_PF_RETRY (and, without the bail-out, is
 * retrying locally). */
static bool vcpu_spinning(struct vd *d, void *ctx)
{
	(void)ctx;
	for (size_t i = 0; i < d->nlog; i++)
		if (d->log[i].ev == VMM_EV_FLOW_END && d->log[i].a == VMM_FK_FAULT && d->log[i].b == RET_PF_RETRY)
			return true;
	return vd_count(d, VMM_EV_RETRY) >= 2;
}

/* The vCPU faults on a GPA of a memslot being deleted: RET_PF_RETRY (the slot is
 * KVM_MEMSLOT_INVALID), retried locally with SRCU held.  The deleter waits in
 * synchronize_srcu() for that reader. */
static struct vd *memslot_race(const struct tdxsim_policy *p, enum vmm_kernel k, unsigned *v, unsigned *del)
{
	struct vd *d = runnable(k, p);
	struct vd_gop ops[] = { { GOP_ACCESS, GPA(5), 0 }, { GOP_IDLE, 0, 0 } };
	*del = vd_thread(d, 2, VMM_PROG_MEMSLOT_DELETE, 0, 0, 0);
	/* The deleter marks the slot INVALID (not yet its grace period)... */
	while (!slot_invalid(d, NULL))
		assert_int_not_equal(vd_step(d, *del), FLOW_BLOCKED);
	/* ...then the vCPU faults on it and spins in the local retry loop. */
	*v = vd_vcpu(d, 0, 0, 0, 0, ops, 2);
	for (unsigned n = 0; n < 100000 && !vcpu_spinning(d, NULL); n++)
		vd_step(d, *v);
	assert_true(vcpu_spinning(d, NULL));
	return d;
}

static void test_memslot_deadlock_without_bailout(void **state)
{
	(void)state;
	unsigned v, del;
	struct vd *d = memslot_race(NULL, VMM_KVM_6_16, &v, &del);
	unsigned entries = vd_count_leaf(d, VMM_EV_SEAMCALL, LF_VP_ENTER);
	assert_true(d->actors[v].host.fr[1].fn == VF_KVM_RUN);
	assert_int_equal(vd_run(d, 20000), VD_LIMIT);
	/* Nothing progresses: the deleter is still in synchronize_srcu() waiting for the
	 * vCPU, the slot is still there (INVALID), the vCPU never entered the guest again
	 * and keeps retrying the fault. */
	assert_false(d->actors[del].done);
	assert_true(kvm_slot(d->vmm, 0, 0)->present);
	assert_true(kvm_slot(d->vmm, 0, 0)->invalid);
	assert_true(kvm_vm(d->vmm, 0)->srcu_wait & (1ull << v));
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_VP_ENTER), entries);
	assert_false(d->actors[v].host.guest_mode);
	assert_true(vd_count(d, VMM_EV_RETRY) > 1000);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_MEM_PAGE_AUG), 0);
	char locks[1024];
	vmm_describe_locks(d->vmm, locks, sizeof(locks));
	assert_non_null(strstr(locks, "slots_lock[vm 0] held by actor"));
	assert_non_null(strstr(locks, "synchronize_srcu[vm 0] waits for readers"));
	/* A pending interrupt ends the loop (exit_on_events), the vCPU drops SRCU at
	 * entry and the deletion completes. */
	vmm_vcpu_set_event(d->vmm, 0, 0, true);
	assert_true(run_until_done(d, del, 100000));
	assert_int_equal(vmm_actor_result(d->vmm, del), 0);
	assert_false(kvm_slot(d->vmm, 0, 0)->present);
	vd_free(d);
}

static void test_memslot_bailout_completes(void **state)
{
	(void)state;
	struct tdxsim_policy p = *tdxsim_policy_builtin("kvm-6.19");
	p.fault.exit_on_memslot_invalid = true;
	unsigned v, del;
	struct vd *d = memslot_race(&p, VMM_KVM_2026, &v, &del);
	assert_int_equal(vd_run(d, 100000), VD_ALL_DONE);
	assert_int_equal(vmm_actor_result(d->vmm, del), 0);
	assert_false(kvm_slot(d->vmm, 0, 0)->present);
	/* The vCPU's next fault finds no memslot: KVM_EXIT_MEMORY_FAULT, -EFAULT. */
	long u = vd_find(d, 0, VMM_EV_USER_EXIT, KVM_EXIT_MEMORY_FAULT);
	assert_true(u >= 0);
	assert_int_equal(d->log[u].b, GPA(5));
	assert_int_equal(vmm_actor_result(d->vmm, v), -VMM_EFAULT);
	vd_free(d);
}

/* ---- VP.ENTER BUSY against a waiting kick (§1.4) ------------------------------------------- */

static bool kick_waiting(struct vd *d, void *ctx)
{
	(void)ctx;
	return kvm_vcpu(d->vmm, 0, 0)->ipi_from != 0;
}

static struct vd *enter_busy_world(const struct tdxsim_policy *p, unsigned *v, unsigned *z)
{
	struct vd *d = runnable(VMM_KVM_6_16, p);
	*v = guest_with_page(d, 0, 0, GPA(2));
	/* Every TDH.VP.ENTER from now on is BUSY|TD_EPOCH (as against a TDH.MEM.TRACK),
	 * and a signal takes the vCPU out of the guest and back in. */
	assert_true(vmm_inject_status(d->vmm, LF_VP_ENTER, -1, 1000000, TDX_OPERAND_BUSY | OPERAND_ID_TD_EPOCH));
	vmm_vcpu_set_signal(d->vmm, 0, 0, true);
	for (unsigned n = 0; n < 1000 && vd_count_leaf(d, VMM_EV_BUSY, LF_VP_ENTER) < 3; n++)
		vd_step(d, *v);
	assert_true(vd_count_leaf(d, VMM_EV_BUSY, LF_VP_ENTER) >= 3);
	*z = vd_thread(d, 2, VMM_PROG_ZAP_RANGE, 0, GPA(2), 1);
	return d;
}

/* kvm-6.16: BUSY leaves the fastpath (IRQs on): the kick is acknowledged and the
 * removal completes although VP.ENTER never succeeds. */
static void test_enter_busy_exit_fastpath(void **state)
{
	(void)state;
	unsigned v, z;
	struct vd *d = enter_busy_world(NULL, &v, &z);
	assert_true(run_until_done(d, z, 100000));
	assert_int_equal(vmm_actor_result(d->vmm, z), 0);
	assert_int_equal(vd_count(d, VMM_EV_VM_BUG), 0);
	assert_int_equal(vd_count_leaf(d, VMM_EV_RETRY, LF_VP_ENTER), 0);
	vd_free(d);
}

/* The same with VP.ENTER BUSY re-entered from the fastpath with IRQs off: the vCPU
 * never acknowledges the kick, the remover waits forever while the vCPU spins. */
static void test_enter_busy_reenter_deadlock(void **state)
{
	(void)state;
	struct tdxsim_policy p = *tdxsim_policy_builtin("kvm-6.16");
	assert_int_equal(p.rules[0].site, TDXSIM_SITE_ENTER);
	assert_int_equal(p.rules[0].action, TDXSIM_ACT_EXIT_FASTPATH);
	p.rules[0].action = TDXSIM_ACT_REENTER;
	unsigned v, z;
	struct vd *d = enter_busy_world(&p, &v, &z);
	assert_true(vd_run_until(d, kick_waiting, NULL, 100000));
	unsigned retries = vd_count_leaf(d, VMM_EV_RETRY, LF_VP_ENTER);
	assert_int_equal(vd_run(d, 5000), VD_LIMIT);
	assert_false(d->actors[z].done);
	assert_true(kvm_vcpu(d->vmm, 0, 0)->ipi_from & (1ull << z));
	assert_true(vd_count_leaf(d, VMM_EV_RETRY, LF_VP_ENTER) > retries + 1000);
	char what[256];
	vd_describe(d, z, what, sizeof(what));
	assert_non_null(strstr(what, "kvm_make_all_cpus_request"));
	char locks[1024];
	vmm_describe_locks(d->vmm, locks, sizeof(locks));
	assert_non_null(strstr(locks, "has not acknowledged the kick"));
	assert_non_null(strstr(locks, "mmu_lock[vm 0] held by actor"));
	vd_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_aug_accept),
		cmocka_unit_test(test_removal_kicks_guest),
		cmocka_unit_test(test_kick_waits_for_exiting_vcpu),
		cmocka_unit_test(test_kick_retry_once),
		cmocka_unit_test(test_kick_retry_busy_again_bugs),
		cmocka_unit_test(test_kick_before_block),
		cmocka_unit_test(test_spec_retry_block),
		cmocka_unit_test(test_zero_tolerance_enter_busy),
		cmocka_unit_test(test_memslot_deadlock_without_bailout),
		cmocka_unit_test(test_memslot_bailout_completes),
		cmocka_unit_test(test_enter_busy_exit_fastpath),
		cmocka_unit_test(test_enter_busy_reenter_deadlock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
