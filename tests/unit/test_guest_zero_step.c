/* SPDX-License-Identifier: MIT */
/*
 * The guest's access programs against the module's zero-step mitigation
 * (tdx-module-1.5.md §4): ZERO_STEP, one instruction touching 8 private pages the
 * host has blocked, faults 8 times at one RIP; from the 7th fault the module logs the
 * GPAs and every TDH.VP.ENTER takes the SEPT tree exclusively (and fails with
 * BUSY|SEPT_TREE if a host SEAMCALL holds it, or emulates the EPT violation if a
 * logged GPA is still inaccessible) until the RIP moves.  ACCESS_SEQ over the same
 * pages advances RIP per access and never does.  The host fixes each fault with
 * TDH.MEM.RANGE.UNBLOCK (the pages were added at build time, then blocked and
 * tracked), so no accept is involved.
 */
#include <string.h>

#include "helpers/guest_driver.h"

#include "module/sept_bits.h"

#define PG 4096ull
#define NPG 8u
#define BUSY_SEPT_TREE 0x8000020000000092ull

static void build_pages(struct gd *d)
{
	for (unsigned i = 0; i < NPG; i++)
		fx_td_add_page(d->f, &d->td, GD_BASE + i * PG);
}

/* A finalized TD whose NPG pages are blocked and TLB-tracked: every guest touch
 * faults until the host unblocks the page. */
static struct gd *blocked_pages(void)
{
	struct gd *d = gd_new(NULL, build_pages);
	for (unsigned i = 0; i < NPG; i++)
		fx_expect(d->f, TDX_SUCCESS, 0, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GD_BASE + i * PG, LVL_PT),
			  d->td.tdr, 0, 0, NULL);
	fx_expect(d->f, TDX_SUCCESS, 0, LEAF_MEM_TRACK, d->td.tdr, 0, 0, 0, NULL);
	d->ept = GD_EPT_UNBLOCK;
	return d;
}

static void step_until_exits(struct gd *d, unsigned n)
{
	for (unsigned k = 0; d->n_exits < n; k++) {
		assert_true(k < 100000);
		gd_step(d);
	}
}

static void expect_fault(const struct gd *d, unsigned i, uint64_t gpa, uint64_t rip)
{
	const struct gd_exit *e = &d->exits[i];
	assert_int_equal(e->rax, 48);
	assert_int_equal(e->rcx, 2);                       /* data write */
	assert_int_equal(e->rdx, 0);
	assert_int_equal(e->r8, gpa);
	assert_int_equal(e->rip, rip);
}

static void zero_step_takes_the_tree(void **state)
{
	(void)state;
	struct gd *d = blocked_pages();
	gd_start(d, GUEST_PROG_ZERO_STEP, GD_BASE, NPG, 0);
	struct vcpu_obj *v = gd_vcpu_obj(d);
	/* Six faults at one RIP only count. */
	step_until_exits(d, 6);
	assert_int_equal(v->possibly_epf_stepping, 6);
	assert_int_equal(v->last_epf_gpa_list_idx, 0);
	/* The 7th logs its GPA; the entry after it takes the tree. */
	step_until_exits(d, 7);
	assert_int_equal(v->last_epf_gpa_list_idx, 1);
	assert_int_equal(v->last_epf_gpa_list[0], GD_BASE + 6 * PG);
	assert_int_equal(d->vp_enter_tree_ex, 0);
	step_until_exits(d, 8);
	assert_int_equal(d->vp_enter_tree_ex, 1);
	assert_int_equal(v->last_epf_gpa_list_idx, 2);
	assert_int_equal(v->last_epf_gpa_list[1], GD_BASE + 7 * PG);
	gd_run(d);
	for (unsigned i = 0; i < NPG; i++) {
		expect_fault(d, i, GD_BASE + i * PG, GUEST_RIP_BASE);
		assert_false(d->exits[i].from_enter);
	}
	assert_int_equal(d->n_exits, NPG + 1);               /* + HLT */
	assert_int_equal(d->exits[NPG].rax, 77);
	assert_int_equal(d->vp_enter_tree_ex, 2);           /* entries after faults 7 and 8 */
	assert_int_equal(d->entries, NPG + 1);
	struct guest_vcpu *gv = gd_vcpu(d);
	assert_int_equal(gv->faults, NPG);
	assert_int_equal(gv->accesses, NPG);
	/* The instruction completed: the RIP moved and the HLT exit cleared the list. */
	assert_int_equal(gv->rip, GUEST_RIP_BASE + 2 * GUEST_INSN_LEN);
	assert_int_equal(v->last_epf_gpa_list_idx, 0);
	assert_int_equal(v->possibly_epf_stepping, 0);
	gd_step(d);                                          /* enter again */
	assert_int_equal(d->vp_enter_tree_ex, 2);
	gd_free(d);
}

/* While the tree is suspected, a host SEAMCALL holding the tree makes VP.ENTER fail
 * with BUSY|SEPT_TREE; and a logged GPA the host has not fixed makes VP.ENTER emulate
 * the EPT violation without entering the guest. */
static void zero_step_entry_busy_and_emulated_exit(void **state)
{
	(void)state;
	struct gd *d = blocked_pages();
	d->skip_fix_once = GD_BASE + 6 * PG;                 /* the 7th fault is left alone */
	gd_start(d, GUEST_PROG_ZERO_STEP, GD_BASE, NPG, 0);
	step_until_exits(d, 7);
	/* Entry after the 7th fault: the filter finds GPA 6 still blocked. */
	gd_step(d);
	assert_int_equal(d->n_exits, 8);
	assert_true(d->exits[7].from_enter);
	assert_int_equal(d->exits[7].rax, 48);
	assert_int_equal(d->exits[7].r8, GD_BASE + 6 * PG);
	assert_int_equal(d->vp_enter_tree_ex, 1);
	assert_false(d->host.guest_mode);
	/* A host leaf holds the tree (TDH.MEM.RANGE.BLOCK stopped after its tree lock);
	 * the host fixes GPA 6 first, then enters: BUSY|SEPT_TREE. */
	fx_expect(d->f, TDX_SUCCESS, 0, LEAF_MEM_RANGE_UNBLOCK, GPA_LEVEL(GD_BASE + 6 * PG, LVL_PT),
		  d->td.tdr, 0, 0, NULL);
	d->ept = GD_EPT_NOTHING;
	struct tdxsim_leaf_exec h;
	fx_begin(d->f, &h, 0, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(GD_BASE + 7 * PG, LVL_PT), d->td.tdr, 0, 0);
	fx_step_until_holds(d->f, &h, "SEPT_TREE", TDXSIM_MODE_EXCLUSIVE);
	gd_step(d);
	assert_int_equal(d->n_exits, 9);
	assert_true(d->exits[8].from_enter);
	assert_int_equal(d->exits[8].rax, BUSY_SEPT_TREE);
	assert_int_equal(fx_finish(d->f, &h), TDX_GPA_RANGE_ALREADY_BLOCKED | OPERAND_ID_RCX);
	d->ept = GD_EPT_UNBLOCK;
	gd_run(d);
	assert_int_equal(d->vp_enter_tree_ex, 3);
	assert_int_equal(gd_vcpu(d)->accesses, NPG);
	assert_int_equal(gd_vcpu(d)->faults, NPG);
	gd_free(d);
}

/* The same pages touched by straight-line code: RIP moves with every access, so no
 * fault looks like zero-stepping. */
static void access_seq_never_zero_steps(void **state)
{
	(void)state;
	struct gd *d = blocked_pages();
	gd_start(d, GUEST_PROG_ACCESS_SEQ, GD_BASE, NPG, 1);
	struct vcpu_obj *v = gd_vcpu_obj(d);
	for (unsigned i = 1; i <= NPG; i++) {
		step_until_exits(d, i);
		assert_true(v->possibly_epf_stepping <= 1);
		assert_int_equal(v->last_epf_gpa_list_idx, 0);
	}
	gd_run(d);
	for (unsigned i = 0; i < NPG; i++)
		expect_fault(d, i, GD_BASE + i * PG, GUEST_RIP_BASE + i * GUEST_INSN_LEN);
	assert_int_equal(d->vp_enter_tree_ex, 0);
	assert_int_equal(gd_vcpu(d)->accesses, NPG);
	assert_int_equal(gd_vcpu(d)->rip, GUEST_RIP_BASE + (NPG + 1) * GUEST_INSN_LEN);
	gd_free(d);
}

/* Two rounds: the second finds every page mapped, so no more faults. */
static void access_seq_rounds(void **state)
{
	(void)state;
	struct gd *d = blocked_pages();
	gd_start(d, GUEST_PROG_ACCESS_SEQ, GD_BASE, NPG, 2);
	gd_run(d);
	assert_int_equal(gd_vcpu(d)->accesses, 2 * NPG);
	assert_int_equal(gd_vcpu(d)->faults, NPG);
	assert_int_equal(d->n_exits, NPG + 1);
	gd_free(d);
}

/* ACCESS_RANDOM draws its pages from the PRNG in the world: the same seed gives the
 * same pages, another seed (almost surely) others. */
static void access_random_is_deterministic(void **state)
{
	(void)state;
	uint64_t gpas[2][64];
	unsigned n[2];
	for (unsigned run = 0; run < 2; run++) {
		struct gd *d = blocked_pages();
		gd_start(d, GUEST_PROG_ACCESS_RANDOM, GD_BASE, NPG, 40);
		gd_run(d);
		assert_int_equal(gd_vcpu(d)->accesses, 40);
		n[run] = d->n_exits;
		for (unsigned i = 0; i < d->n_exits && i < 64; i++)
			gpas[run][i] = d->exits[i].r8;
		for (unsigned i = 0; i + 1 < d->n_exits; i++)
			assert_true(d->exits[i].r8 >= GD_BASE && d->exits[i].r8 < GD_BASE + NPG * PG);
		gd_free(d);
	}
	assert_int_equal(n[0], n[1]);
	assert_memory_equal(gpas[0], gpas[1], n[0] * sizeof(uint64_t));
	struct gd *d = blocked_pages();
	guest_seed(d->guest, 12345);
	gd_start(d, GUEST_PROG_ACCESS_RANDOM, GD_BASE, NPG, 40);
	gd_run(d);
	bool same = d->n_exits == n[0];
	for (unsigned i = 0; same && i < d->n_exits; i++)
		same = d->exits[i].r8 == gpas[0][i];
	assert_false(same);
	gd_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zero_step_takes_the_tree),
		cmocka_unit_test(zero_step_entry_busy_and_emulated_exit),
		cmocka_unit_test(access_seq_never_zero_steps),
		cmocka_unit_test(access_seq_rounds),
		cmocka_unit_test(access_random_is_deterministic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
