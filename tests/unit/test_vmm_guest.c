/* SPDX-License-Identifier: MIT */
/*
 * The VMM model under the guest layer's Linux guest (src/guest): accept of a range
 * through the KVM fault path, the idle halt (TDVMCALL<HLT> -> kvm_vcpu_halt, woken by
 * an interrupt), MapGPA followed by accept; and, with the scripted guest, a touch of
 * a page never accepted (PENDING_EPT_VIOLATION -> kvm_vm_dead, §2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "helpers/vmm_driver.h"

#include "module/sept_bits.h"
#include "vmm/kvm.h"

#define GPA(i) (VD_PRIVATE_BASE + (uint64_t)(i) * 4096)

static struct vd *world(enum vmm_kernel k, bool real)
{
	struct vd_config cfg = { .kernel = k, .real_guest = real, .check_invariants = true };
	struct vd *d = vd_new(&cfg);
	vd_boot(d);
	vd_build_td(d, 0, 0);
	return d;
}

static bool halted(struct vd *d, void *ctx)
{
	(void)ctx;
	return kvm_vcpu(d->vmm, 0, 0)->halted;
}

static void test_accept_then_halt(void **state)
{
	(void)state;
	struct vd *d = world(VMM_KVM_6_16, true);
	vd_vcpu_prog(d, 0, 0, 0, 0, GUEST_PROG_ACCEPT, GPA(0), 4, 0);
	assert_true(vd_run_until(d, halted, NULL, 200000));
	struct guest_progress gp;
	guest_progress(d->guest, &gp);
	assert_true(gp.done);
	assert_int_equal(gp.accept_failed, 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(vd_sept_state(d, 0, GPA(i)), SEPT_MAPPED);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_MEM_PAGE_AUG), 4);
	assert_int_equal(vd_count(d, VMM_EV_VM_BUG), 0);
	/* Halted: the vCPU thread sleeps (no step changes anything) and holds no SRCU. */
	assert_int_equal(vd_run(d, 100), VD_DEADLOCK);
	assert_int_equal(kvm_vm(d->vmm, 0)->srcu_readers, 0);
	/* An interrupt wakes it: it enters the guest, which halts again. */
	unsigned enters = vd_count_leaf(d, VMM_EV_SEAMCALL, LF_VP_ENTER);
	vmm_vcpu_set_event(d->vmm, 0, 0, true);
	assert_int_equal(vd_run(d, 100000), VD_DEADLOCK);
	assert_true(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_VP_ENTER) > enters);
	assert_true(kvm_vcpu(d->vmm, 0, 0)->halted);
	/* A stop (signal) ends the vCPU thread. */
	vmm_vcpu_stop(d->vmm, 0, 0);
	assert_int_equal(vd_run(d, 100000), VD_ALL_DONE);
	vd_free(d);
}

static void test_guest_mapgpa_private(void **state)
{
	(void)state;
	struct vd *d = world(VMM_KVM_6_19, true);
	vd_vcpu_prog(d, 0, 0, 0, 0, GUEST_PROG_MAPGPA, GPA(8), 3, 1);
	assert_true(vd_run_until(d, halted, NULL, 200000));
	struct guest_progress gp;
	guest_progress(d->guest, &gp);
	assert_int_equal(gp.mapgpa_ok, 1);
	assert_int_equal(gp.mapgpa_failed, 0);
	long f = vd_find(d, 0, VMM_EV_FLOW_END, VMM_FK_MAPGPA);
	assert_true(f >= 0);
	assert_int_equal(d->log[f].b, TDVMCALL_STATUS_SUCCESS);
	for (unsigned i = 8; i < 11; i++)
		assert_int_equal(vd_sept_state(d, 0, GPA(i)), SEPT_MAPPED);
	vd_free(d);
}

/* A guest touching a page it never accepted: the first fault AUGs it, the second
 * sees it PENDING (extended exit qualification PENDING_EPT_VIOLATION, no PROT bits):
 * "Guest access before accepting", kvm_vm_dead() -- dead but not bugged. */
static void test_access_before_accept_kills_vm(void **state)
{
	(void)state;
	struct vd *d = world(VMM_KVM_6_16, false);
	struct vd_gop ops[] = { { GOP_ACCESS, GPA(6), 0 }, { GOP_IDLE, 0, 0 } };
	unsigned v = vd_vcpu(d, 0, 0, 0, 0, ops, 2);
	assert_int_equal(vd_run(d, 100000), VD_ALL_DONE);
	assert_int_equal(vmm_actor_result(d->vmm, v), -VMM_EIO);
	assert_true(vmm_vm_dead(d->vmm, 0));
	assert_false(kvm_vm(d->vmm, 0)->bugged);
	assert_int_equal(vd_count_leaf(d, VMM_EV_VM_BUG, VMM_LEAF_NONE), 1);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_MEM_PAGE_AUG), 1);
	assert_int_equal(vd_sept_state(d, 0, GPA(6)), SEPT_PENDING);
	/* Later ioctls of the dead VM fail with -EIO. */
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_PREFAULT, 0, GPA(7), 1), -VMM_EIO);
	vd_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_then_halt),
		cmocka_unit_test(test_guest_mapgpa_private),
		cmocka_unit_test(test_access_before_accept_kills_vm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
