/* SPDX-License-Identifier: MIT */
/*
 * The zero-step (EPT-fault stepping) mitigation, reference §4: detection at TD
 * exit (threshold 6: the 7th and later EPT violations at one guest RIP log the
 * GPA; 32 entries; cleared by RIP progress), and the check at TDH.VP.ENTER (SEPT
 * tree exclusive, held until just before entry; a GPA that would still fault
 * gives the emulated EPT-violation exit without entering; a busy tree gives
 * BUSY|SEPT_TREE with the refcount reverted).  Also guest accesses
 * (tdxsim_guest_access), which decide when a fault happens.
 */
#include <stdatomic.h>
#include <string.h>

#include "helpers/vcpu_fx.h"

#define G_OK 0x200000ull      /* mapped at build time (TDH.MEM.PAGE.ADD) */
#define G_BAD 0x10000000ull   /* never mapped: no SEPT table covers it */
#define RIP 0x1000ull
#define EPF_THRESHOLD 6
#define SEPT_TREE_BUSY 0x8000020000000092ull

static struct fx *zs_setup(struct fx_td *td, unsigned *v)
{
	struct fx *f = vfx_setup(td);
	*v = vfx_vcpu_full(f, td, 1, 0);
	fx_td_add_page(f, td, G_OK);
	fx_td_finalize(f, td);
	return f;
}

/* The guest touches an inaccessible private GPA at rip: the access faults and
 * the vCPU takes an EPT-violation TD exit (RAX 48, R8 = GPA[51:12]). */
static void guest_faults(struct fx *f, struct fx_td *td, unsigned v, uint64_t gpa, uint64_t rip)
{
	assert_false(tdxsim_guest_access(f->w, td->tdvpr[v], gpa, rip, false));
	struct tdxsim_regs out;
	assert_int_equal(vfx_exit(f, td, v, TDXSIM_EXIT_EPT_VIOLATION, gpa, &out),
			 VMEXIT_REASON_EPT_VIOLATION);
	assert_int_equal(out.r[OPERAND_ID_R8], gpa & ~0xFFFull);
}

/* An EPT-violation exit reported for a GPA that the VMM has fixed by the time of
 * the next entry (as after BLOCK/UNBLOCK, or AUG and the guest's ACCEPT): here
 * G_OK, mapped since build time. */
static void guest_faulted_fixed(struct fx *f, struct fx_td *td, unsigned v, uint64_t gpa,
				uint64_t rip)
{
	vfx_vcpu(f, td->tdvpr[v])->guest_rip = rip;
	assert_int_equal(vfx_exit(f, td, v, TDXSIM_EXIT_EPT_VIOLATION, gpa, NULL),
			 VMEXIT_REASON_EPT_VIOLATION);
}

/* VP.ENTER that must not take the SEPT tree: another reader holds it (a value
 * that an exclusive attempt would fail on), and the entry still succeeds. */
static void enter_not_suspected(struct fx *f, struct fx_td *td, unsigned v)
{
	struct td_obj *t = vfx_td(f, td);
	atomic_store(&t->sept_lock, 2);
	vfx_enter(f, td, v);
	assert_int_equal(atomic_load(&t->sept_lock), 2);
	atomic_store(&t->sept_lock, 0);
}

/* Six EPT violations at one RIP only count; the seventh logs its GPA. */
static void reach_threshold(struct fx *f, struct fx_td *td, unsigned v, uint64_t rip)
{
	struct vcpu_obj *vo = vfx_vcpu(f, td->tdvpr[v]);
	for (unsigned i = 1; i <= EPF_THRESHOLD; i++) {
		guest_faults(f, td, v, G_BAD, rip);
		assert_int_equal(vo->possibly_epf_stepping, i);
		assert_int_equal(vo->last_epf_gpa_list_idx, 0);
		enter_not_suspected(f, td, v);
	}
}

static void test_threshold_and_emulated_exit(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = zs_setup(&td, &v);
	struct td_obj *t = vfx_td(f, &td);
	struct vcpu_obj *vo = vfx_vcpu(f, td.tdvpr[v]);
	vfx_vcpu(f, td.tdvpr[v])->guest_rip = RIP;
	vfx_enter(f, &td, v);
	reach_threshold(f, &td, v, RIP);

	/* The 7th: logged, with the GPA exactly as reported (bits 11:0 kept). */
	guest_faults(f, &td, v, G_BAD | 0x123, RIP);
	assert_int_equal(vo->possibly_epf_stepping, EPF_THRESHOLD);
	assert_int_equal(vo->last_epf_gpa_list_idx, 1);
	assert_int_equal(vo->last_epf_gpa_list[0], G_BAD | 0x123);

	/* Next entry: G_BAD still faults -> the EPT-violation exit is emulated and the
	 * guest is not entered. */
	for (unsigned round = 0; round < 2; round++) {
		struct tdxsim_regs r = { { 0 } };
		r.r[OPERAND_ID_RAX] = LEAF_VP_ENTER;
		r.r[OPERAND_ID_RCX] = td.tdvpr[v];
		for (unsigned k = OPERAND_ID_RDX; k < 16; k++)
			r.r[k] = 0xDEAD0000 + k;
		assert_int_equal(tdxsim_seamcall(f->w, 1, &r), VMEXIT_REASON_EPT_VIOLATION);
		assert_int_equal(r.r[OPERAND_ID_RAX], 48);
		assert_int_equal(r.r[OPERAND_ID_RCX], EPT_VIOLATION_QUAL_DATA_WRITE);
		assert_int_equal(r.r[OPERAND_ID_RDX], 0);
		assert_int_equal(r.r[OPERAND_ID_R8], G_BAD);
		assert_int_equal(r.r[OPERAND_ID_R9], 0);
		assert_int_equal(r.r[OPERAND_ID_RBX], 0);
		assert_int_equal(r.r[OPERAND_ID_RSI], 0);
		assert_int_equal(r.r[OPERAND_ID_RDI], 0);
		for (unsigned k = OPERAND_ID_R10; k <= OPERAND_ID_R15; k++)
			assert_int_equal(r.r[k], 0);
		assert_int_equal(r.r[OPERAND_ID_RBP], 0xDEAD0000 + OPERAND_ID_RBP); /* untouched */
		assert_int_equal(atomic_load(&vo->state), VCPU_READY);
		assert_int_equal(vo->last_td_exit, LAST_EXIT_ASYNC_FAULT);
		/* Refcount reverted, every lock released, association kept, list kept. */
		assert_int_equal(atomic_load(&t->refcount[0]), 0);
		assert_int_equal(atomic_load(&t->refcount[1]), 0);
		assert_int_equal(atomic_load(&t->sept_lock), 0);
		assert_int_equal(atomic_load(&t->op_state_lock), 0);
		assert_int_equal(atomic_load(&t->epoch_lock), 0);
		assert_int_equal(vfx_lock(f, td.tdvpr[v], PAMT_4K), 0);
		assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), 0);
		assert_int_equal(vo->n_entry_holds, 0);
		assert_int_equal(vfx_assoc(f, td.tdvpr[v]), 1);
		assert_int_equal(atomic_load(&t->num_assoc_vcpus), 1);
		assert_int_equal(vo->last_epf_gpa_list_idx, 1);
	}
	fx_free(f);
}

/* Every logged GPA accessible: the tree is taken exclusively at step 14 and held
 * through the rest of the entry, released just before the guest state is
 * restored (the vCPU is never ACTIVE while the tree is held); host SEPT
 * SEAMCALLs meanwhile get BUSY|SEPT_TREE. */
static void test_accessible_holds_tree_until_entry(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = zs_setup(&td, &v);
	struct td_obj *t = vfx_td(f, &td);
	struct vcpu_obj *vo = vfx_vcpu(f, td.tdvpr[v]);
	vo->guest_rip = RIP;
	vfx_enter(f, &td, v);
	reach_threshold(f, &td, v, RIP);
	guest_faulted_fixed(f, &td, v, G_OK, RIP);
	assert_int_equal(vo->last_epf_gpa_list_idx, 1);

	struct tdxsim_leaf_exec x;
	fx_begin(f, &x, 1, LEAF_VP_ENTER, td.tdvpr[v], 0, 0, 0);
	fx_step_until_holds(f, &x, "SEPT_TREE", TDXSIM_MODE_EXCLUSIVE);
	assert_int_equal(atomic_load(&t->sept_lock), 1);
	assert_int_equal(atomic_load(&t->refcount[1]), 1); /* step 13 came first */

	/* A host leaf needing the tree (shared) fails; its XADD stays in the word
	 * until the exclusive release wipes it (§1.2, §9.1). */
	uint64_t page = fx_page(f);
	fx_expect(f, SEPT_TREE_BUSY, 0, LEAF_MEM_PAGE_AUG, GPA_LEVEL(G_OK + 0x1000, LVL_PT), td.tdr,
		  page, 0, NULL);
	assert_int_equal(atomic_load(&t->sept_lock), 1 + 2);

	enum tdxsim_step_result r;
	bool saw_release_before_active = false;
	while ((r = tdxsim_leaf_step(f->w, &x)) == TDXSIM_STEP_RAN) {
		if (atomic_load(&vo->state) == VCPU_ACTIVE)
			assert_int_equal(atomic_load(&t->sept_lock), 0);
		else if (atomic_load(&t->sept_lock) == 0)
			saw_release_before_active = true;
	}
	assert_int_equal(r, TDXSIM_STEP_ENTERED);
	assert_true(saw_release_before_active);
	assert_int_equal(atomic_load(&vo->state), VCPU_ACTIVE);
	assert_int_equal(atomic_load(&t->sept_lock), 0);
	assert_int_equal(vo->n_entry_holds, 4);
	assert_int_equal(vo->last_epf_gpa_list_idx, 1); /* not cleared by a good check */

	/* The tree is free again. */
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MEM_PAGE_AUG, GPA_LEVEL(G_OK + 0x1000, LVL_PT), td.tdr, page,
		  0, NULL);

	/* The guest makes progress: the next exit clears the suspicion. */
	assert_true(tdxsim_guest_access(f->w, td.tdvpr[v], G_OK, RIP + 4, true));
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	assert_int_equal(vo->last_epf_gpa_list_idx, 0);
	assert_int_equal(vo->possibly_epf_stepping, 0);
	enter_not_suspected(f, &td, v);
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	fx_free(f);
}

/* A host leaf holds the SEPT tree: the suspected VP.ENTER fails with
 * BUSY|SEPT_TREE after the refcount revert; a new association it made stays. */
static void test_busy_tree(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = zs_setup(&td, &v);
	struct td_obj *t = vfx_td(f, &td);
	struct vcpu_obj *vo = vfx_vcpu(f, td.tdvpr[v]);
	vo->guest_rip = RIP;
	vfx_enter(f, &td, v);
	reach_threshold(f, &td, v, RIP);
	guest_faulted_fixed(f, &td, v, G_OK, RIP);
	fx_expect(f, TDX_SUCCESS, 1, LEAF_VP_FLUSH, td.tdvpr[v], 0, 0, 0, NULL);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 0);

	struct tdxsim_leaf_exec x;
	uint64_t page = fx_page(f);
	fx_begin(f, &x, 0, LEAF_MEM_PAGE_AUG, GPA_LEVEL(G_OK + 0x1000, LVL_PT), td.tdr, page, 0);
	fx_step_until_holds(f, &x, "SEPT_TREE", TDXSIM_MODE_SHARED);

	assert_int_equal(vfx_enter_on(f, &td, v, 2, 0, NULL), SEPT_TREE_BUSY);
	assert_int_equal(atomic_load(&t->refcount[0]), 0);
	assert_int_equal(atomic_load(&t->refcount[1]), 0);
	assert_int_equal(vfx_assoc(f, td.tdvpr[v]), 2);
	assert_int_equal(atomic_load(&t->num_assoc_vcpus), 1);
	assert_int_equal(atomic_load(&vo->state), VCPU_READY);
	assert_int_equal(atomic_load(&t->sept_lock), 2);   /* the AUG's reader only */
	assert_int_equal(atomic_load(&t->epoch_lock), 0);
	assert_int_equal(vfx_lock(f, td.tdvpr[v], PAMT_4K), 0);
	assert_int_equal(vfx_lock(f, td.tdr, PAMT_4K), 4);  /* the AUG's TDR */
	assert_int_equal(vo->n_entry_holds, 0);

	assert_int_equal(fx_finish(f, &x), TDX_SUCCESS);
	fx_assert_status(vfx_enter_on(f, &td, v, 2, 0, NULL), TDXSIM_STATUS_ENTERED, "retry");
	assert_int_equal(atomic_load(&t->refcount[1]), 1);
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	fx_free(f);
}

/* RIP progress resets both counters, at an EPT-violation exit (then counted as
 * the first at the new RIP) or any other exit; no progress keeps them. */
static void test_rip_progress(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = zs_setup(&td, &v);
	struct vcpu_obj *vo = vfx_vcpu(f, td.tdvpr[v]);
	vo->guest_rip = RIP;
	vfx_enter(f, &td, v);
	for (unsigned i = 0; i < 4; i++) {
		guest_faults(f, &td, v, G_BAD, RIP);
		enter_not_suspected(f, &td, v);
	}
	assert_int_equal(vo->possibly_epf_stepping, 4);
	guest_faults(f, &td, v, G_BAD, RIP + 2);
	assert_int_equal(vo->possibly_epf_stepping, 1);
	enter_not_suspected(f, &td, v);
	for (unsigned i = 0; i < EPF_THRESHOLD - 1; i++) {
		guest_faults(f, &td, v, G_BAD, RIP + 2);
		enter_not_suspected(f, &td, v);
	}
	assert_int_equal(vo->possibly_epf_stepping, EPF_THRESHOLD);
	guest_faulted_fixed(f, &td, v, G_OK, RIP + 2);
	assert_int_equal(vo->last_epf_gpa_list_idx, 1);

	/* An interrupt exit without progress keeps the log ... */
	vfx_enter(f, &td, v);
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	assert_int_equal(vo->last_epf_gpa_list_idx, 1);
	assert_int_equal(vo->possibly_epf_stepping, EPF_THRESHOLD);
	/* ... one with progress clears it (vmexit_stepping_filter). */
	vfx_enter(f, &td, v);
	assert_true(tdxsim_guest_access(f->w, td.tdvpr[v], G_OK, RIP + 5, false));
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	assert_int_equal(vo->last_epf_gpa_list_idx, 0);
	assert_int_equal(vo->possibly_epf_stepping, 0);
	fx_free(f);
}

/* The list keeps distinct GPAs (compared exactly) and at most 32. */
static void test_list_distinct_and_capped(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = zs_setup(&td, &v);
	struct vcpu_obj *vo = vfx_vcpu(f, td.tdvpr[v]);
	vo->guest_rip = RIP;
	vfx_enter(f, &td, v);
	reach_threshold(f, &td, v, RIP);
	for (unsigned k = 0; k < EPF_GPA_LIST_SIZE + 8; k++) {
		guest_faulted_fixed(f, &td, v, G_OK + 8 * k, RIP);
		unsigned want = k + 1 < EPF_GPA_LIST_SIZE ? k + 1 : EPF_GPA_LIST_SIZE;
		assert_int_equal(vo->last_epf_gpa_list_idx, want);
		vfx_enter(f, &td, v); /* suspected, every GPA accessible */
	}
	guest_faulted_fixed(f, &td, v, G_OK, RIP);
	assert_int_equal(vo->last_epf_gpa_list_idx, EPF_GPA_LIST_SIZE);
	assert_int_equal(vo->last_epf_gpa_list[0], G_OK);
	assert_int_equal(vo->last_epf_gpa_list[31], G_OK + 8 * 31);
	vfx_enter(f, &td, v);
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);

	/* Rebuild a list [G_OK, G_BAD]: the filter reports the first that faults. */
	vfx_enter(f, &td, v);
	vo->guest_rip = RIP + 100;                            /* the guest moved on */
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL); /* progress: cleared */
	assert_int_equal(vo->last_epf_gpa_list_idx, 0);
	vfx_enter(f, &td, v);
	for (unsigned i = 0; i < EPF_THRESHOLD; i++) {
		guest_faults(f, &td, v, G_BAD, RIP + 100);
		enter_not_suspected(f, &td, v);
	}
	guest_faulted_fixed(f, &td, v, G_OK, RIP + 100);
	vfx_enter(f, &td, v);
	guest_faults(f, &td, v, G_BAD + 0x2000, RIP + 100);
	assert_int_equal(vo->last_epf_gpa_list_idx, 2);
	struct tdxsim_regs out;
	assert_int_equal(vfx_enter_on(f, &td, v, 1, 0, &out), VMEXIT_REASON_EPT_VIOLATION);
	assert_int_equal(out.r[OPERAND_ID_R8], G_BAD + 0x2000);
	fx_free(f);
}

/* Guest accesses follow the Secure EPT rights (AND over the levels). */
static void test_guest_access(void **state)
{
	(void)state;
	struct fx_td td;
	unsigned v;
	struct fx *f = zs_setup(&td, &v);
	vfx_enter(f, &td, v);
	uint64_t tdvpr = td.tdvpr[v];
	assert_true(tdxsim_guest_access(f->w, tdvpr, G_OK, RIP, false));
	assert_true(tdxsim_guest_access(f->w, tdvpr, G_OK + 0xFF8, RIP, true));
	assert_false(tdxsim_guest_access(f->w, tdvpr, G_OK + 0x1000, RIP, false)); /* FREE leaf */
	assert_false(tdxsim_guest_access(f->w, tdvpr, G_BAD, RIP, true));         /* no table */
	assert_true(tdxsim_guest_access(f->w, tdvpr, TDXSIM_SHARED_BIT | G_BAD, RIP, true));
	assert_int_equal(vfx_vcpu(f, tdvpr)->guest_rip, RIP);
	/* A PENDING page (AUG, not yet accepted) has RWX = 0. */
	fx_td_aug(f, &td, G_OK + 0x3000);
	assert_false(tdxsim_guest_access(f->w, tdvpr, G_OK + 0x3000, RIP, false));
	vfx_exit(f, &td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threshold_and_emulated_exit),
		cmocka_unit_test(test_accessible_holds_tree_until_entry),
		cmocka_unit_test(test_busy_tree),
		cmocka_unit_test(test_rip_progress),
		cmocka_unit_test(test_list_distinct_and_capped),
		cmocka_unit_test(test_guest_access),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
