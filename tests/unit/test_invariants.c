/* SPDX-License-Identifier: MIT */
/*
 * Module invariants (DESIGN §6, src/module/invariants.h): they hold through a whole
 * TD lifecycle checked after every step, each one detects the corruption it is
 * about, the TLB-safety rule, the lock accounting helper, and the abort message of
 * check_invariants naming the invariant, the leaf and the step.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers/sept_fx.h"
#include "module/sept_ops.h"

static void expect_broken(struct sfx *s, const char *prefix)
{
	char why[512] = "";
	bool ok = tdxsim_world_check_invariants(s->f->w, why, sizeof(why));
	if (ok)
		fail_msg("expected invariant '%s' to be broken", prefix);
	if (strncmp(why, prefix, strlen(prefix)) != 0)
		fail_msg("expected '%s...', got '%s'", prefix, why);
}

/* A TD built, run and torn down page by page, with every invariant checked after
 * every single step (sfx_init turns check_invariants on: a failure aborts). */
static void test_lifecycle_keeps_invariants(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 2);
	uint64_t added = fx_td_add_page(s.f, &s.td, GPA0);
	uint64_t p2m = fx_page_2m(s.f);
	sfx_ok(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA_2M, 1), p2m);
	sfx_finalize(&s);
	fx_td_enter(s.f, &s.td, 0);
	fx_td_enter(s.f, &s.td, 1);
	uint64_t g = GPA0 + 0x1000;
	uint64_t page = fx_td_aug(s.f, &s.td, g);
	assert_int_equal(fx_tdcall(s.f, &s.td, 0, TDG_MEM_PAGE_ACCEPT, GPA_LEVEL(g, 0), 0, 0, NULL, NULL),
			 TDX_SUCCESS);
	assert_int_equal(fx_tdcall(s.f, &s.td, 1, TDG_MEM_PAGE_ACCEPT, GPA_LEVEL(GPA_2M, 1), 0, 0, NULL, NULL),
			 TDX_SUCCESS);
	sfx_assert_invariants(&s);
	/* KVM's removal: BLOCK, TRACK, kick (exits), REMOVE. */
	sfx_ok(&s, LEAF_MEM_RANGE_BLOCK, GPA_LEVEL(g, 0), 0);
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
	fx_td_exit(s.f, &s.td, 0, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	fx_td_exit(s.f, &s.td, 1, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	sfx_ok(&s, LEAF_MEM_PAGE_REMOVE, GPA_LEVEL(g, 0), 0);
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_PHYMEM_PAGE_WBINVD, page | (2ull << 46), 0, 0, 0, NULL);
	/* Teardown, then every page back (the TDR last). */
	fx_td_teardown(s.f, &s.td);
	uint64_t pd = sept_hpa(sfx_entry(&s, GPA0, 2)), pt = sept_hpa(sfx_entry(&s, GPA0, 1));
	uint64_t pdpt = sept_hpa(sfx_entry(&s, GPA0, 3));
	uint64_t pages[] = { added, p2m, pt, pd, pdpt };
	for (unsigned i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		fx_expect(s.f, TDX_SUCCESS, 0, LEAF_PHYMEM_PAGE_RECLAIM, pages[i], 0, 0, 0, NULL);
	for (unsigned v = 0; v < s.td.nvcpus; v++) {
		for (unsigned k = 0; k < s.td.ntdvpx[v]; k++)
			fx_expect(s.f, TDX_SUCCESS, 0, LEAF_PHYMEM_PAGE_RECLAIM, s.td.tdvpx[v][k], 0, 0, 0, NULL);
		fx_expect(s.f, TDX_SUCCESS, 0, LEAF_PHYMEM_PAGE_RECLAIM, s.td.tdvpr[v], 0, 0, 0, NULL);
	}
	for (unsigned i = 0; i < s.td.ntdcx; i++)
		fx_expect(s.f, TDX_SUCCESS, 0, LEAF_PHYMEM_PAGE_RECLAIM, s.td.tdcx[i], 0, 0, 0, NULL);
	assert_int_equal(sfx_chldcnt(&s), 0);
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_PHYMEM_PAGE_RECLAIM, s.td.tdr, 0, 0, 0, NULL);
	char why[512] = "";
	assert_true(tdxsim_world_check_invariants(s.f->w, why, sizeof(why)));
	fx_free(s.f);
}

/* A running TD whose invariants are checked on demand only (the corruptions below
 * would abort the next step otherwise). */
static void corruptible(struct sfx *s)
{
	sfx_init(s, 1);
	fx_td_add_page(s->f, &s->td, GPA0);
	sfx_finalize(s);
	fx_td_aug(s->f, &s->td, GPA0 + 0x1000);
	s->m->check_invariants = false;
	sfx_assert_invariants(s);
}

static void test_each_invariant_detects_its_corruption(void **state)
{
	(void)state;
	struct sfx s;
	uint64_t e;

	corruptible(&s); /* a leaf pointing at another frame */
	e = sfx_entry(&s, GPA0, 0);
	atomic_store(sfx_entry_ptr(&s, GPA0, 0), e + 0x10000);
	expect_broken(&s, "sept-leaf-page:");
	fx_free(s.f);

	corruptible(&s); /* the mapped page back to PT_NDA */
	sfx_pamt(&s, sept_hpa(sfx_entry(&s, GPA0, 0)), 0)->pt = TDXSIM_PT_NDA;
	expect_broken(&s, "sept-leaf-page:");
	fx_free(s.f);

	corruptible(&s); /* a PT_REG page no leaf maps */
	atomic_store(sfx_entry_ptr(&s, GPA0 + 0x1000, 0), E_FREE);
	expect_broken(&s, "sept-leaf-page:");
	fx_free(s.f);

	corruptible(&s); /* one page mapped twice */
	atomic_store(sfx_entry_ptr(&s, GPA0 + 0x1000, 0), sfx_entry(&s, GPA0, 0));
	expect_broken(&s, "sept-leaf-page:");
	fx_free(s.f);

	corruptible(&s); /* not one of the 16 encodings (TDP on a non-leaf) */
	atomic_fetch_or(sfx_entry_ptr(&s, GPA0, 1), 1ull << 56);
	expect_broken(&s, "sept-state:");
	fx_free(s.f);

	corruptible(&s); /* a SEPT page cut off from its parent */
	atomic_store(sfx_entry_ptr(&s, GPA0, 1), E_FREE);
	expect_broken(&s, "sept-tree:");
	fx_free(s.f);

	corruptible(&s); /* a non-leaf entry pointing at a data page */
	e = sfx_entry(&s, GPA0, 1);
	atomic_store(sfx_entry_ptr(&s, GPA0, 1), (e & ~SEPT_HPA_MASK) | sept_hpa(sfx_entry(&s, GPA0, 0)));
	expect_broken(&s, "sept-tree:");
	fx_free(s.f);

	corruptible(&s); /* chldcnt */
	atomic_fetch_add(&sfx_td(&s)->chldcnt, 1);
	expect_broken(&s, "chldcnt:");
	fx_free(s.f);

	corruptible(&s); /* more refcounts than vCPUs that can be entering or in guest mode */
	atomic_fetch_add(&sfx_td(&s)->refcount[1], 2);
	expect_broken(&s, "refcount:");
	fx_free(s.f);

	corruptible(&s); /* a vCPU in guest mode the refcount does not count */
	fx_td_enter(s.f, &s.td, 0);
	atomic_fetch_sub(&sfx_td(&s)->refcount[1], 1);
	expect_broken(&s, "refcount:");
	atomic_fetch_add(&sfx_td(&s)->refcount[1], 1);
	fx_free(s.f);

	corruptible(&s); /* a page owned by something that is not a TDR */
	pamt_set_owner(sfx_pamt(&s, sept_hpa(sfx_entry(&s, GPA0, 0)), 0), s.td.tdcx[0] >> 12);
	expect_broken(&s, "page-owner:");
	fx_free(s.f);

	corruptible(&s); /* a page type that does not exist */
	sfx_pamt(&s, fx_page(s.f), 0)->pt = 2;
	expect_broken(&s, "pamt-type:");
	fx_free(s.f);

	corruptible(&s); /* a 4K page in use under a 2M PT_REG page */
	uint64_t p2m = fx_page_2m(s.f);
	s.m->check_invariants = true;
	sfx_ok(&s, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA_2M, 1), p2m);
	s.m->check_invariants = false;
	sfx_pamt(&s, p2m + 0x1000, 0)->pt = TDXSIM_PT_REG;
	expect_broken(&s, "pamt-type:");
	fx_free(s.f);
}

/* The TLB-safety rule evaluated when a page goes back to PT_NDA (sept_ops.h). */
static void test_tlb_safety_rule(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 1);
	uint64_t page = fx_td_add_page(s.f, &s.td, GPA0);
	sfx_finalize(&s);
	fx_td_enter(s.f, &s.td, 0); /* vcpu_epoch 1, in guest mode */
	uint32_t frame = mod_frame_of(s.m, page);
	struct mod_global *g = mod_global(s.m);

	/* Blocked at epoch 1, vCPU in guest mode since epoch 1: may hold it. */
	sept_tlb_note_free(s.m, s.t, frame, page | E_BLOCKED, 1);
	expect_broken(&s, "tlb-safety:");
	g->inv_tlb_frame = 0;
	/* Blocked at epoch 0: the vCPU entered after the block (and flushed). */
	sept_tlb_note_free(s.m, s.t, frame, page | E_BLOCKED, 0);
	sfx_assert_invariants(&s);
	/* Never blocked and still mapped: any vCPU that ran may hold it. */
	sept_tlb_note_free(s.m, s.t, frame, page | E_MAPPED, 0);
	expect_broken(&s, "tlb-safety:");
	g->inv_tlb_frame = 0;
	/* Never translatable (PENDING): nothing to hold. */
	sept_tlb_note_free(s.m, s.t, frame, page | E_PENDING, 0);
	sfx_assert_invariants(&s);
	/* Out of guest mode, but its next entry would not flush (TD_EPOCH unchanged). */
	fx_td_exit(s.f, &s.td, 0, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	sept_tlb_note_free(s.m, s.t, frame, page | E_BLOCKED, 1);
	expect_broken(&s, "tlb-safety:");
	char why[512];
	tdxsim_world_check_invariants(s.f->w, why, sizeof(why));
	assert_non_null(strstr(why, "next entry would not flush"));
	g->inv_tlb_frame = 0;
	/* After a TRACK it would: safe. */
	fx_expect(s.f, TDX_SUCCESS, 0, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
	sept_tlb_note_free(s.m, s.t, frame, page | E_BLOCKED, 1);
	sfx_assert_invariants(&s);
	/* Recorded only while check_invariants is on. */
	fx_td_enter(s.f, &s.td, 0);
	s.m->check_invariants = false;
	sept_tlb_note_free(s.m, s.t, frame, page | E_MAPPED, 0);
	assert_int_equal(g->inv_tlb_frame, 0);
	fx_free(s.f);
}

static void test_lock_accounting(void **state)
{
	(void)state;
	struct sfx s;
	sfx_init(&s, 1);
	fx_td_add_page(s.f, &s.td, GPA0);
	sfx_finalize(&s);
	char why[512] = "";
	assert_true(tdxsim_world_check_locks(s.f->w, NULL, 0, why, sizeof(why)));
	/* A vCPU in guest mode keeps TDVPR and TDR shared: explained by the vCPU. */
	fx_td_enter(s.f, &s.td, 0);
	assert_true(tdxsim_world_check_locks(s.f->w, NULL, 0, why, sizeof(why)));
	/* An AUG holding TDR, op_state, tree (shared) and the entry. */
	struct tdxsim_leaf_exec x;
	sfx_begin(&s, &x, 1, LEAF_MEM_PAGE_AUG, GPA_LEVEL(GPA0 + 0x1000, 0), fx_page(s.f));
	fx_step_until_holds(s.f, &x, "SEPT_ENTRY", -1);
	assert_true(tdxsim_world_check_locks(s.f->w, x.held, x.nheld, why, sizeof(why)));
	assert_false(tdxsim_world_check_locks(s.f->w, NULL, 0, why, sizeof(why)));
	assert_int_equal(strncmp(why, "lock-held:", 10), 0);
	/* Without its last record (the entry): TDEL set by no execution. */
	assert_false(tdxsim_world_check_locks(s.f->w, x.held, x.nheld - 1u, why, sizeof(why)));
	assert_non_null(strstr(why, "TDEL"));
	assert_int_equal(fx_finish(s.f, &x), TDX_SUCCESS);
	assert_true(tdxsim_world_check_locks(s.f->w, NULL, 0, why, sizeof(why)));
	/* A lock word held exclusively by nobody. */
	atomic_store(&sfx_td(&s)->sept_lock, 1);
	assert_false(tdxsim_world_check_locks(s.f->w, NULL, 0, why, sizeof(why)));
	assert_non_null(strstr(why, "secure_ept_lock"));
	atomic_store(&sfx_td(&s)->sept_lock, 0);
	/* HP bits are not holders. */
	atomic_fetch_or(&sfx_pamt(&s, s.td.tdr, 0)->lock, 2);
	assert_true(tdxsim_world_check_locks(s.f->w, NULL, 0, why, sizeof(why)));
	sfx_free(&s);
}

/* check_invariants: a broken invariant aborts after the step, naming the invariant,
 * the leaf and the step. */
static void test_check_invariants_aborts_with_names(void **state)
{
	(void)state;
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		dup2(pfd[1], STDERR_FILENO);
		struct sfx s;
		sfx_init(&s, 0);
		atomic_fetch_add(&sfx_td(&s)->chldcnt, 1);
		fx_seamcall(s.f, 0, LEAF_MEM_TRACK, s.td.tdr, 0, 0, 0, NULL);
		_exit(0);
	}
	close(pfd[1]);
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	while ((n = read(pfd[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = 0;
	close(pfd[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	if (!strstr(buf, "module invariant broken after TDH.MEM.TRACK step 0 (") ||
	    !strstr(buf, "tdx-1.5.05.yaml:") || !strstr(buf, "): chldcnt: TD "))
		fail_msg("unexpected abort message: %s", buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle_keeps_invariants),
		cmocka_unit_test(test_each_invariant_detects_its_corruption),
		cmocka_unit_test(test_tlb_safety_rule),
		cmocka_unit_test(test_lock_accounting),
		cmocka_unit_test(test_check_invariants_aborts_with_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
