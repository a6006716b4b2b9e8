/* SPDX-License-Identifier: MIT */
/*
 * The SEPT leaves under real threads (libtdxsim's whole calls, one OS thread per
 * LP): two host threads AUG / BLOCK / TRACK / UNBLOCK / REMOVE pages on 16 GPAs of
 * one PT page while two vCPUs accept them and exit and re-enter.  Every status must
 * be one the real module can return for that race; at the end the module
 * invariants hold and no lock word is left held.  Run under TSan in CI.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

#include "helpers/sept_fx.h"

#define NGPA 16
#define HOST_OPS 200
#define GUEST_OPS 2000
#define PAGES_PER_HOST 160

static struct sfx S;
static _Atomic int failed;
static _Atomic unsigned hosts_running;
static char failure[256];

static uint64_t gpa_of(unsigned i)
{
	return GPA0 + 0x1000ull * (i + 1);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void bad(const char *who, tdx_status_t st)
{
	int expected = 0;
	if (atomic_compare_exchange_strong(&failed, &expected, 1))
		snprintf(failure, sizeof(failure), "%s returned 0x%016llx", who, (unsigned long long)st);
}

static tdx_status_t host(unsigned lp, uint64_t leaf, uint64_t rcx, uint64_t r8)
{
	struct tdxsim_regs r = { { 0 } };
	r.r[OPERAND_ID_RAX] = leaf;
	r.r[OPERAND_ID_RCX] = rcx;
	r.r[OPERAND_ID_RDX] = leaf == LEAF_MEM_TRACK ? 0 : S.td.tdr;
	r.r[OPERAND_ID_R8] = r8;
	if (leaf == LEAF_MEM_TRACK)
		r.r[OPERAND_ID_RCX] = S.td.tdr;
	return tdxsim_seamcall(S.f->w, lp, &r);
}

static bool busy(tdx_status_t s)
{
	return s == (TDX_OPERAND_BUSY | OPERAND_ID_RCX) || s == (TDX_OPERAND_BUSY | OPERAND_ID_SEPT_TREE) ||
	       s == (TDX_OPERAND_BUSY | OPERAND_ID_TD_EPOCH);
}

struct host_arg {
	unsigned lp;
	uint64_t pages[PAGES_PER_HOST];
	unsigned used;
	uint64_t seed;
	_Atomic unsigned done[2];  /* REMOVEs, UNBLOCKs that succeeded */
};

/* Retry a call while it fails with BUSY or with `also` (NONE: no other status). */
#define NONE (~0ull)
static tdx_status_t retry(unsigned lp, uint64_t leaf, uint64_t rcx, uint64_t r8, tdx_status_t also)
{
	tdx_status_t s = TDX_OPERAND_BUSY;
	for (unsigned k = 0; k < 100000 && !atomic_load(&failed); k++) {
		s = host(lp, leaf, rcx, r8);
		if (!busy(s) && s != also)
			return s;
		sched_yield();
	}
	return s;
}

/* KVM-like flows on random GPAs: fault-in (AUG), and zap (BLOCK, TRACK, REMOVE) or
 * BLOCK/TRACK/UNBLOCK, retrying what a retry can clear. */
static void *host_thread(void *p)
{
	struct host_arg *a = p;
	const tdx_status_t rcx = OPERAND_ID_RCX;
	for (unsigned n = 0; n < HOST_OPS && !atomic_load(&failed); n++) {
		unsigned i = (unsigned)(rnd(&a->seed) % NGPA);
		uint64_t g = GPA_LEVEL(gpa_of(i), 0);
		tdx_status_t s;
		if (rnd(&a->seed) % 2 && a->used < PAGES_PER_HOST) {
			s = retry(a->lp, LEAF_MEM_PAGE_AUG, g, a->pages[a->used], NONE);
			if (s == TDX_SUCCESS)
				a->used++;
			else if (s != (TDX_EPT_ENTRY_STATE_INCORRECT | rcx))
				bad("AUG", s);
			continue;
		}
		s = retry(a->lp, LEAF_MEM_RANGE_BLOCK, g, 0, NONE);
		if (s != TDX_SUCCESS && s != (TDX_GPA_RANGE_ALREADY_BLOCKED | rcx) &&
		    s != (TDX_EPT_ENTRY_STATE_INCORRECT | rcx))
			bad("BLOCK", s);
		if (s == (TDX_EPT_ENTRY_STATE_INCORRECT | rcx))
			continue;
		s = retry(a->lp, LEAF_MEM_TRACK, 0, 0, TDX_PREVIOUS_TLB_EPOCH_BUSY);
		if (s != TDX_SUCCESS)
			bad("TRACK", s);
		bool unblock = rnd(&a->seed) % 4 == 0;
		s = retry(a->lp, unblock ? LEAF_MEM_RANGE_UNBLOCK : LEAF_MEM_PAGE_REMOVE, g, 0,
			  TDX_TLB_TRACKING_NOT_DONE | rcx);
		if (s == TDX_SUCCESS)
			atomic_fetch_add(&a->done[unblock], 1);
		/* The other host may have removed, unblocked or re-blocked it meanwhile. */
		else if (s != (TDX_EPT_ENTRY_STATE_INCORRECT | rcx) && s != (TDX_GPA_RANGE_NOT_BLOCKED | rcx))
			bad(unblock ? "UNBLOCK" : "REMOVE", s);
	}
	atomic_fetch_sub(&hosts_running, 1);
	return NULL;
}

struct guest_arg {
	unsigned v;
	uint64_t seed;
	unsigned accepted;
};

static void enter(unsigned v)
{
	for (unsigned n = 0; n < 1000000 && !atomic_load(&failed); n++) {
		struct tdxsim_regs r = { { 0 } };
		r.r[OPERAND_ID_RAX] = LEAF_VP_ENTER;
		r.r[OPERAND_ID_RCX] = S.td.tdvpr[v];
		tdx_status_t s = tdxsim_seamcall(S.f->w, S.td.vcpu_lp[v], &r);
		if (s == TDXSIM_STATUS_ENTERED)
			return;
		if (!busy(s))
			bad("VP.ENTER", s);
	}
}

static void *guest_thread(void *p)
{
	struct guest_arg *a = p;
	/* The guests keep exiting and entering until both hosts are done, so that
	 * TRACK and the TLB-tracked checks can eventually succeed. */
	for (unsigned n = 0; (n < GUEST_OPS || atomic_load(&hosts_running)) && !atomic_load(&failed); n++) {
		unsigned i = (unsigned)(rnd(&a->seed) % NGPA);
		struct tdxsim_regs r = { { 0 } };
		r.r[OPERAND_ID_RAX] = TDG_MEM_PAGE_ACCEPT;
		r.r[OPERAND_ID_RCX] = GPA_LEVEL(gpa_of(i), 0);
		bool exited = false;
		tdx_status_t s = tdxsim_tdcall(S.f->w, S.td.tdvpr[a->v], &r, &exited, NULL);
		if (exited) {
			enter(a->v);
			continue;
		}
		if (s == TDX_SUCCESS)
			a->accepted++;
		else if (s != TDX_PAGE_ALREADY_ACCEPTED && s != (TDX_OPERAND_BUSY | OPERAND_ID_RCX))
			bad("ACCEPT", s);
		if (n % 8 == 7) { /* let the epochs move */
			tdxsim_td_exit(S.f->w, S.td.tdvpr[a->v], TDXSIM_EXIT_INTERRUPT, 0, NULL);
			enter(a->v);
		}
	}
	return NULL;
}

static void test_sept_leaves_under_threads(void **state)
{
	(void)state;
	sfx_init(&S, 2);
	S.m->check_invariants = false; /* the invariant check is not thread-safe */
	fx_td_add_page(S.f, &S.td, GPA0);
	sfx_finalize(&S);
	static struct host_arg ha[2];
	for (unsigned h = 0; h < 2; h++) {
		ha[h].lp = 2 + h;
		ha[h].used = 0;
		ha[h].seed = 0x9E3779B97F4A7C15ull * (h + 1);
		for (unsigned k = 0; k < PAGES_PER_HOST; k++)
			ha[h].pages[k] = fx_page(S.f);
	}
	fx_td_enter(S.f, &S.td, 0);
	fx_td_enter(S.f, &S.td, 1);
	struct guest_arg ga[2] = { { 0, 12345, 0 }, { 1, 67890, 0 } };
	pthread_t t[4];
	atomic_store(&hosts_running, 2);
	for (unsigned h = 0; h < 2; h++)
		assert_int_equal(pthread_create(&t[h], NULL, host_thread, &ha[h]), 0);
	for (unsigned g = 0; g < 2; g++)
		assert_int_equal(pthread_create(&t[2 + g], NULL, guest_thread, &ga[g]), 0);
	for (unsigned k = 0; k < 4; k++)
		pthread_join(t[k], NULL);
	if (atomic_load(&failed))
		fail_msg("%s", failure);
	for (unsigned v = 0; v < 2; v++)
		fx_td_exit(S.f, &S.td, v, TDXSIM_EXIT_INTERRUPT, 0, NULL);
	char why[512] = "";
	if (!tdxsim_world_check_locks(S.f->w, NULL, 0, why, sizeof(why)))
		fail_msg("%s", why);
	/* Every kind of success happened. */
	assert_true(ha[0].used + ha[1].used > 0);
	assert_true(ha[0].done[0] + ha[1].done[0] > 0);
	assert_true(ga[0].accepted + ga[1].accepted > 0);
	sfx_free(&S);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sept_leaves_under_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
