/* SPDX-License-Identifier: MIT */
/*
 * The flow contract (vmm/flow.h): a step that returns FLOW_BLOCKED changes nothing
 * in the world -- not even the blocked actor's own frame (its resume label).  Every
 * step of these runs snapshots the world first and, when it blocks, compares.
 *
 * The blocks under test are a VMM lock reached before the step's visible action:
 * a program's first lock (guest_memfd punch hole against another punch hole's
 * mmu_lock; CPU offline against CPU online's cpus_lock) and the 6.19 TD state
 * guard's first lock after its FLOW_YIELD (two KVM_TDX_INIT_VCPUs).  Before the
 * fix, FLOW_WAIT_UNTIL stored its resume label before finding that it must wait,
 * which `tdxsim check` reported as "blocked step(s) wrote to the state and were
 * undone".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/vmm_driver.h"

#include "vmm/kvm.h"

#define GPA(i) (VD_PRIVATE_BASE + (uint64_t)(i) * 4096)

struct blk {
	struct vd *d;
	uint8_t *snap;
	size_t size;
	unsigned blocked;       /* BLOCKED steps seen (each compared) */
};

static void blk_init(struct blk *b, struct vd *d)
{
	b->d = d;
	b->size = tdxsim_world_size(d->w);
	b->snap = malloc(b->size);
	assert_non_null(b->snap);
	b->blocked = 0;
}

/* One step of actor i; a BLOCKED step must leave every byte of the world alone. */
static enum flow_ret blk_step(struct blk *b, unsigned i)
{
	tdxsim_world_snapshot(b->d->w, b->snap);
	enum flow_ret r = vd_step(b->d, i);
	if (r != FLOW_BLOCKED)
		return r;
	b->blocked++;
	const uint8_t *now = tdxsim_world_bytes(b->d->w);
	for (size_t o = 0; o < b->size; o++)
		if (now[o] != b->snap[o]) {
			const uint8_t *ab = (const uint8_t *)&b->d->actors[i];
			char what[128];
			vd_describe(b->d, i, what, sizeof(what));
			fail_msg("a BLOCKED step of actor %u (%s) changed world byte %zu (%#x -> %#x)%s", i, what,
				 o, b->snap[o], now[o],
				 now + o >= ab && now + o < ab + sizeof(struct vd_actor) ? ", in its own record" : "");
		}
	return r;
}

/* Round robin with checked steps until every actor is done. */
static void blk_run(struct blk *b, unsigned long max_rounds)
{
	for (unsigned long n = 0; n < max_rounds; n++) {
		bool any = false, ran = false;
		for (unsigned i = 0; i < b->d->n_actors; i++) {
			if (b->d->actors[i].done)
				continue;
			any = true;
			if (blk_step(b, i) != FLOW_BLOCKED)
				ran = true;
		}
		if (!any)
			return;
		assert_true(ran); /* no deadlock */
	}
	fail_msg("actors not done after %lu rounds", max_rounds);
}

static void blk_free(struct blk *b)
{
	free(b->snap);
}

/* punch1 blocks on mmu_lock at its program's entry while punch0 holds it. */
static void test_zap_range_blocks_at_entry(void **state)
{
	(void)state;
	struct vd_config cfg = { .kernel = VMM_KVM_6_19, .check_invariants = true };
	struct vd *d = vd_new(&cfg);
	vd_boot(d);
	vd_build_td(d, 0, 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_PREFAULT, 0, GPA(0), 2), 0);
	struct blk b;
	blk_init(&b, d);
	unsigned z0 = vd_thread(d, 2, VMM_PROG_ZAP_RANGE, 0, GPA(0), 1);
	unsigned z1 = vd_thread(d, 3, VMM_PROG_ZAP_RANGE, 0, GPA(1), 1);
	assert_int_equal(blk_step(&b, z0), FLOW_RAN); /* takes mmu_lock */
	assert_int_equal(blk_step(&b, z1), FLOW_BLOCKED);
	assert_int_equal(d->actors[z1].host.fr[0].pc, 0);
	blk_run(&b, 100000);
	assert_int_equal(vmm_actor_result(d->vmm, z0), 0);
	assert_int_equal(vmm_actor_result(d->vmm, z1), 0);
	assert_int_equal(vd_count(d, VMM_EV_VM_BUG), 0);
	blk_free(&b);
	vd_free(d);
}

/* CPU online blocks on cpus_lock at its entry while CPU offline holds it. */
static void test_hotplug_blocks_at_entry(void **state)
{
	(void)state;
	struct vd_config cfg = { .kernel = VMM_KVM_6_19, .check_invariants = true };
	struct vd *d = vd_new(&cfg);
	vd_boot(d);
	struct blk b;
	blk_init(&b, d);
	unsigned off = vd_thread(d, 0, VMM_PROG_CPU_OFFLINE, 3, 0, 0);
	unsigned on = vd_thread(d, 1, VMM_PROG_CPU_ONLINE, 3, 0, 0);
	assert_int_equal(blk_step(&b, off), FLOW_RAN); /* takes cpus_lock */
	assert_int_equal(blk_step(&b, on), FLOW_BLOCKED);
	assert_int_equal(d->actors[on].host.fr[0].pc, 0);
	blk_run(&b, 100000);
	assert_int_equal(vmm_actor_result(d->vmm, off), 0);
	assert_int_equal(vmm_actor_result(d->vmm, on), 0);
	blk_free(&b);
	vd_free(d);
}

/* 6.19: two KVM_TDX_INIT_VCPUs; the second's state guard blocks on the locks the
 * first's guard holds, right after the guard's FLOW_YIELD. */
static void test_guard_blocks_after_yield(void **state)
{
	(void)state;
	struct vd_config cfg = { .kernel = VMM_KVM_6_19, .n_vcpus = 3, .check_invariants = true };
	struct vd *d = vd_new(&cfg);
	vd_boot(d);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_CREATE, 0, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_VCPU_INIT, 0, 0, 0), 0);
	struct blk b;
	blk_init(&b, d);
	unsigned v1 = vd_thread(d, 1, VMM_PROG_VCPU_INIT, 0, 1, 0);
	unsigned v2 = vd_thread(d, 2, VMM_PROG_VCPU_INIT, 0, 2, 0);
	blk_run(&b, 100000);
	assert_true(b.blocked > 0);
	assert_int_equal(vmm_actor_result(d->vmm, v1), 0);
	assert_int_equal(vmm_actor_result(d->vmm, v2), 0);
	assert_int_equal(vd_count(d, VMM_EV_VM_BUG), 0);
	blk_free(&b);
	vd_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zap_range_blocks_at_entry),
		cmocka_unit_test(test_hotplug_blocks_at_entry),
		cmocka_unit_test(test_guard_blocks_after_yield),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
