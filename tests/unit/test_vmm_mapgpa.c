/* SPDX-License-Identifier: MIT */
/*
 * TDG.VP.VMCALL<MapGPA>, host side (linux-kvm-tdx.md §6.3), driven by a guest that
 * follows the Linux tdx_map_gpa() loop (§6.1): 2 MiB chunks, RETRY with R11 =
 * map_gpa_next when an interrupt is pending, validation statuses, and userspace's
 * hypercall.ret by kernel version.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "helpers/vmm_driver.h"

#include "vmm/kvm.h"

#define MB (1ull << 20)
#define START VD_PRIVATE_BASE

static bool mapgpa_done(struct vd *d, void *ctx)
{
	unsigned i = *(unsigned *)ctx;
	struct vd_actor *a = &d->actors[i];
	return a->done || (a->g.pc >= 1 && !a->g.mg_active && a->host.guest_mode);
}

static struct vd *world(enum vmm_kernel k)
{
	struct vd_config cfg = { .kernel = k };
	struct vd *d = vd_new(&cfg);
	vd_boot(d);
	vd_build_td(d, 0, 0);
	return d;
}

/* The guest maps [gpa, gpa + size); returns the vCPU actor. */
static unsigned run_mapgpa(struct vd *d, uint64_t gpa, uint64_t size)
{
	struct vd_gop ops[] = { { GOP_MAPGPA, gpa, size }, { GOP_IDLE, 0, 0 } };
	unsigned v = vd_vcpu(d, 0, 0, 0, 0, ops, 2);
	assert_true(vd_run_until(d, mapgpa_done, &v, 100000));
	return v;
}

/* The statuses of the MapGPA TDVMCALLs the VMM answered, in order. */
static unsigned answers(struct vd *d, uint64_t *st, uint64_t *r11, unsigned max)
{
	unsigned n = 0;
	for (size_t i = 0; i < d->nlog && n < max; i++)
		if (d->log[i].ev == VMM_EV_FLOW_END && d->log[i].a == VMM_FK_MAPGPA) {
			st[n] = d->log[i].b;
			r11[n] = d->log[i].c;
			n++;
		}
	return n;
}

static void test_mapgpa_chunks(void **state)
{
	(void)state;
	struct vd *d = world(VMM_KVM_6_16);
	vmm_vm_set_hypercall_ret(d->vmm, 0, 0, 1000); /* count the chunks */
	unsigned v = run_mapgpa(d, START, 5 * MB);
	uint64_t st[8], r11[8];
	assert_int_equal(answers(d, st, r11, 8), 1);
	assert_int_equal(st[0], TDVMCALL_STATUS_SUCCESS);
	assert_int_equal(kvm_vm(d->vmm, 0)->hc_chunks, 3); /* 2 + 2 + 1 MiB */
	assert_int_equal(d->actors[v].g.mapgpa_ok, 1);
	assert_int_equal(d->actors[v].g.mapgpa_calls, 1);
	vd_free(d);
}

/* An interrupt pending after a chunk: RETRY with R11 = map_gpa_next; the guest
 * resumes there (forward progress), the interrupt is delivered on entry. */
static void raise_event(struct vd *d, unsigned actor, enum vmm_event ev, uint64_t a, uint64_t b, uint64_t c)
{
	(void)actor;
	(void)b;
	(void)c;
	if (ev == VMM_EV_FLOW_BEGIN && a == VMM_FK_MAPGPA)
		vmm_vcpu_set_event(d->vmm, 0, 0, true);
}

static void test_mapgpa_retry_on_event(void **state)
{
	(void)state;
	struct vd *d = world(VMM_KVM_6_16);
	vmm_vm_set_hypercall_ret(d->vmm, 0, 0, 1000); /* count the chunks */
	d->on_event = raise_event;
	unsigned v = run_mapgpa(d, START, 5 * MB);
	uint64_t st[8], r11[8];
	assert_int_equal(answers(d, st, r11, 8), 3);
	assert_int_equal(st[0], TDVMCALL_STATUS_RETRY);
	assert_int_equal(r11[0], START + 2 * MB);
	assert_int_equal(st[1], TDVMCALL_STATUS_RETRY);
	assert_int_equal(r11[1], START + 4 * MB);
	assert_int_equal(st[2], TDVMCALL_STATUS_SUCCESS); /* the last chunk ends before the check */
	assert_int_equal(d->actors[v].g.mapgpa_ok, 1);
	assert_int_equal(d->actors[v].g.n_r11, 2);
	assert_int_equal(d->actors[v].g.mapgpa_r11[0], START + 2 * MB);
	assert_int_equal(kvm_vm(d->vmm, 0)->hc_chunks, 3);
	vd_free(d);
}

static void check_invalid(uint64_t gpa, uint64_t size, uint64_t status, bool disable)
{
	struct vd *d = world(VMM_KVM_6_16);
	if (disable)
		kvm_vm(d->vmm, 0)->hc_map_gpa = 0;
	vmm_vm_set_hypercall_ret(d->vmm, 0, 0, 1000); /* count the chunks */
	unsigned v = run_mapgpa(d, gpa, size);
	uint64_t st[8], r11[8];
	assert_int_equal(answers(d, st, r11, 8), 1);
	assert_int_equal(st[0], status);
	assert_int_equal(r11[0], gpa);
	assert_int_equal(kvm_vm(d->vmm, 0)->hc_chunks, 0);
	assert_int_equal(d->actors[v].g.mapgpa_failed, 1);
	vd_free(d);
}

static void test_mapgpa_validation(void **state)
{
	(void)state;
	check_invalid(START + 0x800, 4096, TDVMCALL_STATUS_ALIGN_ERROR, false);
	check_invalid(START, 4096 + 1, TDVMCALL_STATUS_ALIGN_ERROR, false);
	check_invalid(VMM_SHARED_BIT - 4096, 8192, TDVMCALL_STATUS_INVALID_OPERAND, false);
	check_invalid(1ull << VMM_GPAW, 4096, TDVMCALL_STATUS_INVALID_OPERAND, false);
	check_invalid(START, 4096, TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED, true);
}

/* Userspace's hypercall.ret: 6.16/6.19 any non-zero -> INVALID_OPERAND, R11 = next. */
static void test_mapgpa_user_ret_616(void **state)
{
	(void)state;
	struct vd *d = world(VMM_KVM_6_19);
	vmm_vm_set_hypercall_ret(d->vmm, 0, VMM_EAGAIN, 1);
	unsigned v = run_mapgpa(d, START, 5 * MB);
	uint64_t st[8], r11[8];
	assert_int_equal(answers(d, st, r11, 8), 1);
	assert_int_equal(st[0], TDVMCALL_STATUS_INVALID_OPERAND);
	assert_int_equal(r11[0], START + 2 * MB);
	assert_int_equal(d->actors[v].g.mapgpa_failed, 1);
	vd_free(d);
}

/* 2026: EAGAIN -> RETRY (R11 = next): with no progress at all the Linux guest gives
 * up after 3 tries; EINVAL -> INVALID_OPERAND; anything else -> KVM_RUN -EINVAL. */
static void test_mapgpa_user_ret_2026(void **state)
{
	(void)state;
	struct vd *d = world(VMM_KVM_2026);
	vmm_vm_set_hypercall_ret(d->vmm, 0, VMM_EAGAIN, -1);
	unsigned v = run_mapgpa(d, START, 5 * MB);
	uint64_t st[8], r11[8];
	assert_int_equal(answers(d, st, r11, 8), 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(st[i], TDVMCALL_STATUS_RETRY);
		assert_int_equal(r11[i], START);
	}
	assert_int_equal(d->actors[v].g.mapgpa_failed, 1);
	assert_int_equal(d->actors[v].g.mapgpa_calls, 3);
	vd_free(d);

	d = world(VMM_KVM_2026);
	vmm_vm_set_hypercall_ret(d->vmm, 0, VMM_EINVAL, 0);
	v = run_mapgpa(d, START, 5 * MB);
	assert_int_equal(answers(d, st, r11, 8), 1);
	assert_int_equal(st[0], TDVMCALL_STATUS_INVALID_OPERAND);
	assert_int_equal(r11[0], START);
	vd_free(d);

	d = world(VMM_KVM_2026);
	vmm_vm_set_hypercall_ret(d->vmm, 0, VMM_EIO, 0);
	v = run_mapgpa(d, START, 5 * MB);
	assert_true(d->actors[v].done);
	assert_int_equal(vmm_actor_result(d->vmm, v), -VMM_EINVAL);
	vd_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mapgpa_chunks),
		cmocka_unit_test(test_mapgpa_retry_on_event),
		cmocka_unit_test(test_mapgpa_validation),
		cmocka_unit_test(test_mapgpa_user_ret_616),
		cmocka_unit_test(test_mapgpa_user_ret_2026),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
