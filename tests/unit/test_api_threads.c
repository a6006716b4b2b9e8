/* SPDX-License-Identifier: MIT */
/*
 * libtdxsim's run-to-completion API (tdxsim_seamcall / tdxsim_tdcall /
 * tdxsim_td_exit) from six OS threads at once on one world, one thread per LP
 * (an LP runs one call at a time).  test_sept_threads covers AUG / BLOCK / TRACK /
 * UNBLOCK / REMOVE against ACCEPT; this test covers the rest:
 *
 *  - LP 3..5: one vCPU each, entering and exiting in a loop; in guest mode guest
 *    ACCEPTs of pages LP 0 adds, RTMR.EXTEND and MR.REPORT (the RTMR lock between
 *    guests), ATTR.RD, guest memory accesses and TDG.VP.VMCALL (a TD exit);
 *  - LP 0: the 2 MB and SEPT-page lifecycles: AUG 2M, DEMOTE, BLOCK, TRACK,
 *    PROMOTE, BLOCK, TRACK, REMOVE; SEPT.ADD, BLOCK, TRACK, SEPT.REMOVE; and 4K AUGs
 *    for the guests;
 *  - LP 1: metadata and measurement: MNG.RD/WR, VP.RD, SEPT.RD, MEM.RD, SYS.RD,
 *    TRACK, MR.FINALIZE (refused, but it takes the TDR exclusively when it can) and
 *    RECLAIM of a TDVPR in use (refused after its locks);
 *  - LP 2: a second TD built and torn down again and again (MNG.CREATE, KEY.CONFIG,
 *    ADDCX, INIT, VP.CREATE/ADDCX/INIT, VP.FLUSH, VPFLUSHDONE, CACHE.WB with its
 *    resumes, KEY.FREEID, RECLAIM of everything): the module's pools, the KOT and
 *    the WBT under concurrency.
 *
 * Every status must be one the reference allows for that call in this race (listed
 * per call below, with why); at the end the invariants hold and no lock word is
 * held.  Labelled `threads`: CI runs it under TSan.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>

#include "helpers/fixture.h"

#include "engine/world_internal.h"
#include "module/mod.h"

#define NVCPU 3
#define GPA0 0x40000000ull
#define GPA_2M 0x40200000ull
#define GPA_1G2 0x80000000ull
#define NACC 24                      /* 4K GPAs LP 0 adds for the guests */
#define ACC_GPA(i) (GPA0 + 0x1000ull * (1 + (i)))
#define CYCLES_2M 3
#define CYCLES_SEPT 3
#define TD2_ROUNDS 3
#define VCPU_ENTRIES 150
#define MD_CALLS 300

#define MD_TD_OP_STATE 0x9010000200000004ull
#define MD_TD_HP_LOCK_TIMEOUT 0x9110000300000011ull
#define MD_VP_STATE 0xA020000000000000ull
#define MD_SYS_MAJOR 0x0800000100000004ull
#define LEAF_MEM_PAGE_DEMOTE_ 15
#define LEAF_MEM_PAGE_PROMOTE_ 23

static struct fx *F;
static struct fx_td TD;
static _Atomic int failed;
static _Atomic int hosts_running;
static char failure[512];

/* Counters of what happened. */
static _Atomic unsigned n_entered, n_accepted, n_rtmr, n_report, n_vmcall, n_busy, n_2m, n_sept, n_td2, n_md;

static void bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void bad(const char *fmt, ...)
{
	int expected = 0;
	if (!atomic_compare_exchange_strong(&failed, &expected, 1))
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(failure, sizeof(failure), fmt, ap);
	va_end(ap);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* s is one of the n statuses that follow. */
static bool one_of(tdx_status_t s, unsigned n, ...)
{
	va_list ap;
	va_start(ap, n);
	bool ok = false;
	for (unsigned i = 0; i < n && !ok; i++)
		ok = s == va_arg(ap, tdx_status_t);
	va_end(ap);
	return ok;
}

static void expect(const char *what, tdx_status_t s, bool ok)
{
	if (tdx_status_is_kvm_busy(s))
		atomic_fetch_add(&n_busy, 1);
	if (!ok) {
		char buf[96];
		bad("%s returned 0x%016llx (%s)", what, (unsigned long long)s, tdx_status_format(s, buf, sizeof(buf)));
	}
}

/* Retry a host call while it returns one of the transient statuses `busy` (a
 * BUSY, or a TLB-tracking status that another TRACK and the vCPUs' exits clear);
 * whatever else it returns must be `want`.  TRACKs in between when `track`. */
static tdx_status_t retry(const char *what, unsigned lp, uint64_t leaf, uint64_t rcx, uint64_t rdx, uint64_t r8,
			  uint64_t r9, tdx_status_t want, const tdx_status_t *busy, unsigned nbusy, bool track,
			  struct tdxsim_regs *out)
{
	tdx_status_t s = 0;
	for (unsigned k = 0; k < 2000000 && !atomic_load(&failed); k++) {
		s = fx_seamcall(F, lp, leaf, rcx, rdx, r8, r9, out);
		bool transient = false;
		for (unsigned i = 0; i < nbusy; i++)
			transient |= s == busy[i];
		if (!transient) {
			expect(what, s, s == want);
			return s;
		}
		if (tdx_status_is_kvm_busy(s))
			atomic_fetch_add(&n_busy, 1);
		if (track && s == (TDX_TLB_TRACKING_NOT_DONE | OPERAND_ID_RCX))
			fx_seamcall(F, lp, LEAF_MEM_TRACK, TD.tdr, 0, 0, 0, NULL); /* any result: another try */
		sched_yield();
	}
	if (!atomic_load(&failed))
		bad("%s never completed (last 0x%016llx)", what, (unsigned long long)s);
	return s;
}

/* ---- LP 0: memory ---- */

/* What LP 0's SEPT leaves can meet: the tree exclusive (BLOCK, UNBLOCK and
 * SEPT.REMOVE of this thread run one at a time, but the vCPUs' zero-step filter
 * is off here, so only this thread takes it exclusive: no tree BUSY for LP 0),
 * an entry a guest ACCEPT holds (BUSY|RCX), the TDR exclusive by LP 1's
 * MR.FINALIZE (BUSY|RDX), the epoch lock of a VP.ENTER (BUSY|TD_EPOCH on TRACK). */
static const tdx_status_t mem_busy[] = {
	TDX_OPERAND_BUSY | OPERAND_ID_RCX, TDX_OPERAND_BUSY | OPERAND_ID_RDX,
	TDX_OPERAND_BUSY | OPERAND_ID_SEPT_TREE,
};
static const tdx_status_t track_busy[] = {
	TDX_OPERAND_BUSY | OPERAND_ID_RCX, TDX_OPERAND_BUSY | OPERAND_ID_TD_EPOCH, TDX_PREVIOUS_TLB_EPOCH_BUSY,
};
static const tdx_status_t tracked_busy[] = {
	TDX_OPERAND_BUSY | OPERAND_ID_RCX, TDX_OPERAND_BUSY | OPERAND_ID_RDX,
	TDX_OPERAND_BUSY | OPERAND_ID_SEPT_TREE, TDX_TLB_TRACKING_NOT_DONE | OPERAND_ID_RCX,
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

struct mem_arg {
	uint64_t acc_page[NACC];
	uint64_t big;          /* 2 MB range */
	uint64_t sept_page[2]; /* for DEMOTE / SEPT.ADD, free again after PROMOTE / SEPT.REMOVE */
};

static void track(void)
{
	retry("TRACK", 0, LEAF_MEM_TRACK, TD.tdr, 0, 0, 0, TDX_SUCCESS, track_busy, N(track_busy), false, NULL);
}

static void *mem_thread(void *p)
{
	struct mem_arg *a = p;
	uint64_t tdr = TD.tdr;
	unsigned next = 0;
	for (unsigned c = 0; c < CYCLES_2M + CYCLES_SEPT + NACC && !atomic_load(&failed); c++) {
		/* 4K pages for the guests, a few at a time. */
		for (unsigned k = 0; k < 3 && next < NACC; k++, next++)
			retry("AUG", 0, LEAF_MEM_PAGE_AUG, GPA_LEVEL(ACC_GPA(next), LVL_PT), tdr, a->acc_page[next], 0,
			      TDX_SUCCESS, mem_busy, N(mem_busy), false, NULL);
		if (c < CYCLES_2M) {
			uint64_t g = GPA_LEVEL(GPA_2M, LVL_PD);
			struct tdxsim_regs out;
			retry("AUG 2M", 0, LEAF_MEM_PAGE_AUG, g, tdr, a->big, 0, TDX_SUCCESS, mem_busy, N(mem_busy),
			      false, NULL);
			retry("DEMOTE", 0, LEAF_MEM_PAGE_DEMOTE_, g, tdr, a->sept_page[0], 0, TDX_SUCCESS, mem_busy,
			      N(mem_busy), false, NULL);
			retry("BLOCK 2M", 0, LEAF_MEM_RANGE_BLOCK, g, tdr, 0, 0, TDX_SUCCESS, mem_busy, N(mem_busy), false,
			      NULL);
			track();
			retry("PROMOTE", 0, LEAF_V(LEAF_MEM_PAGE_PROMOTE_, 1), g, tdr, 0, 0, TDX_SUCCESS, tracked_busy,
			      N(tracked_busy), true, &out);
			if (out.r[OPERAND_ID_RCX] != a->sept_page[0])
				bad("PROMOTE freed 0x%llx, not the demoted SEPT page",
				    (unsigned long long)out.r[OPERAND_ID_RCX]);
			retry("BLOCK 2M leaf", 0, LEAF_MEM_RANGE_BLOCK, g, tdr, 0, 0, TDX_SUCCESS, mem_busy, N(mem_busy),
			      false, NULL);
			track();
			retry("REMOVE 2M", 0, LEAF_MEM_PAGE_REMOVE, g, tdr, 0, 0, TDX_SUCCESS, tracked_busy,
			      N(tracked_busy), true, &out);
			if (out.r[OPERAND_ID_RCX] != a->big)
				bad("REMOVE 2M returned 0x%llx", (unsigned long long)out.r[OPERAND_ID_RCX]);
			atomic_fetch_add(&n_2m, 1);
		} else if (c < CYCLES_2M + CYCLES_SEPT) {
			uint64_t g = GPA_LEVEL(GPA_1G2, LVL_PD);
			struct tdxsim_regs out;
			retry("SEPT.ADD", 0, LEAF_MEM_SEPT_ADD, g, tdr, a->sept_page[1], 0, TDX_SUCCESS, mem_busy,
			      N(mem_busy), false, NULL);
			retry("BLOCK NL", 0, LEAF_MEM_RANGE_BLOCK, g, tdr, 0, 0, TDX_SUCCESS, mem_busy, N(mem_busy), false,
			      NULL);
			track();
			retry("SEPT.REMOVE", 0, LEAF_MEM_SEPT_REMOVE, g, tdr, 0, 0, TDX_SUCCESS, tracked_busy,
			      N(tracked_busy), true, &out);
			if (out.r[OPERAND_ID_RCX] != a->sept_page[1])
				bad("SEPT.REMOVE returned 0x%llx", (unsigned long long)out.r[OPERAND_ID_RCX]);
			atomic_fetch_add(&n_sept, 1);
		}
	}
	atomic_fetch_sub(&hosts_running, 1);
	return NULL;
}

/* ---- LP 1: metadata, measurement, refused calls that take locks ---- */

static void *md_thread(void *p)
{
	(void)p;
	uint64_t seed = 0xABCDEF12345ull;
	uint64_t tdr = TD.tdr;
	const tdx_status_t B_RCX = TDX_OPERAND_BUSY | OPERAND_ID_RCX;
	const tdx_status_t B_TREE = TDX_OPERAND_BUSY | OPERAND_ID_SEPT_TREE;
	/* While LP 0 and LP 2 run, and at least MD_CALLS times (a loaded machine may run
	 * the other hosts to their end before this thread starts). */
	for (unsigned n = 0; (n < MD_CALLS || atomic_load(&hosts_running) > 1) && !atomic_load(&failed); n++) {
		unsigned v = (unsigned)(rnd(&seed) % NVCPU);
		tdx_status_t s;
		switch (rnd(&seed) % 9) {
		case 0: /* TDR sh, op_state sh: only the TDR exclusive (this thread's FINALIZE) blocks */
			s = fx_seamcall(F, 1, LEAF_MNG_RD, tdr, MD_TD_OP_STATE, 0, 0, NULL);
			expect("MNG.RD", s, s == TDX_SUCCESS);
			break;
		case 1:
			s = fx_seamcall(F, 1, LEAF_MNG_WR, tdr, MD_TD_HP_LOCK_TIMEOUT, 50000, ~0ull, NULL);
			expect("MNG.WR", s, s == TDX_SUCCESS);
			break;
		case 2: /* a vCPU in guest mode is ACTIVE; otherwise it is associated with its own
			 * LP; a RECLAIM of this thread is not concurrent; TDVPR sh vs VP.ENTER sh */
			s = fx_seamcall(F, 1, LEAF_VP_RD, TD.tdvpr[v], MD_VP_STATE, 0, 0, NULL);
			expect("VP.RD", s, one_of(s, 2, TDX_VCPU_STATE_INCORRECT, TDX_VCPU_ASSOCIATED));
			break;
		case 3: /* tree sh: BLOCK / SEPT.REMOVE (ex) of LP 0; the GPA_0 entry: a guest ATTR.RD */
			s = fx_seamcall(F, 1, LEAF_MEM_SEPT_RD, GPA_LEVEL(GPA0, LVL_PT), tdr, 0, 0, NULL);
			expect("SEPT.RD", s, one_of(s, 3, TDX_SUCCESS, B_TREE, B_RCX));
			break;
		case 4:
			s = fx_seamcall(F, 1, LEAF_MEM_RD, GPA0, tdr, 0, 0, NULL);
			expect("MEM.RD", s, one_of(s, 3, TDX_SUCCESS, B_TREE, B_RCX));
			break;
		case 5:
			s = fx_seamcall(F, 1, LEAF_SYS_RD, 0, MD_SYS_MAJOR, 0, 0, NULL);
			expect("SYS.RD", s, s == TDX_SUCCESS);
			break;
		case 6: /* epoch ex vs VP.ENTER (sh) and LP 0's TRACK; vCPUs of the previous epoch */
			s = fx_seamcall(F, 1, LEAF_MEM_TRACK, tdr, 0, 0, 0, NULL);
			expect("TRACK", s,
			       one_of(s, 3, TDX_SUCCESS, TDX_OPERAND_BUSY | OPERAND_ID_TD_EPOCH, TDX_PREVIOUS_TLB_EPOCH_BUSY));
			break;
		case 7: /* TDR ex: refused while anyone holds the TDR (entered vCPUs, LP 0's
			 * leaves); when it gets it, op_state RUNNABLE is refused */
			s = fx_seamcall(F, 1, LEAF_MR_FINALIZE, tdr, 0, 0, 0, NULL);
			expect("MR.FINALIZE", s, one_of(s, 2, TDX_OP_STATE_INCORRECT, B_RCX));
			break;
		case 8: /* the TDVPR ex (refused while entered / VP.RD), then TD_TEARDOWN is refused */
			s = fx_seamcall(F, 1, LEAF_PHYMEM_PAGE_RECLAIM, TD.tdvpr[v], 0, 0, 0, NULL);
			expect("RECLAIM", s, one_of(s, 2, TDX_LIFECYCLE_STATE_INCORRECT, B_RCX));
			break;
		}
		atomic_fetch_add(&n_md, 1);
	}
	return NULL;
}

/* ---- LP 2: a second TD, built and torn down ---- */

struct td2_arg {
	uint64_t tdr, tdcx[6], tdvpr, tdvpx[5];
};

static void ok2(const char *what, tdx_status_t s)
{
	expect(what, s, s == TDX_SUCCESS);
}

static void *td2_thread(void *p)
{
	struct td2_arg *a = p;
	const unsigned lp = 2;
	for (unsigned r = 0; r < TD2_ROUNDS && !atomic_load(&failed); r++) {
		ok2("TD2 MNG.CREATE", fx_seamcall(F, lp, LEAF_MNG_CREATE, a->tdr, 3, 0, 0, NULL));
		ok2("TD2 KEY.CONFIG", fx_seamcall(F, lp, LEAF_MNG_KEY_CONFIG, a->tdr, 0, 0, 0, NULL));
		for (unsigned i = 0; i < 6; i++)
			ok2("TD2 MNG.ADDCX", fx_seamcall(F, lp, LEAF_MNG_ADDCX, a->tdcx[i], a->tdr, 0, 0, NULL));
		ok2("TD2 MNG.INIT", fx_seamcall(F, lp, LEAF_MNG_INIT, a->tdr, FX_TD_PARAMS_PA, 4, 0, NULL));
		ok2("TD2 VP.CREATE", fx_seamcall(F, lp, LEAF_VP_CREATE, a->tdvpr, a->tdr, 0, 0, NULL));
		for (unsigned i = 0; i < 5; i++)
			ok2("TD2 VP.ADDCX", fx_seamcall(F, lp, LEAF_VP_ADDCX, a->tdvpx[i], a->tdvpr, 0, 0, NULL));
		ok2("TD2 VP.INIT", fx_seamcall(F, lp, LEAF_V(LEAF_VP_INIT, 1), a->tdvpr, 0, 0, 0, NULL));
		ok2("TD2 VP.FLUSH", fx_seamcall(F, lp, LEAF_VP_FLUSH, a->tdvpr, 0, 0, 0, NULL));
		ok2("TD2 VPFLUSHDONE", fx_seamcall(F, lp, LEAF_MNG_VPFLUSHDONE, a->tdr, 0, 0, 0, NULL));
		tdx_status_t s = fx_seamcall(F, lp, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0, NULL);
		for (unsigned k = 0; s == TDX_INTERRUPTED_RESUMABLE && k < 100; k++)
			s = fx_seamcall(F, lp, LEAF_PHYMEM_CACHE_WB, 1, 0, 0, 0, NULL);
		ok2("TD2 CACHE.WB", s);
		ok2("TD2 KEY.FREEID", fx_seamcall(F, lp, LEAF_MNG_KEY_FREEID, a->tdr, 0, 0, 0, NULL));
		for (unsigned i = 0; i < 5; i++)
			ok2("TD2 RECLAIM TDVPX", fx_seamcall(F, lp, LEAF_PHYMEM_PAGE_RECLAIM, a->tdvpx[i], 0, 0, 0, NULL));
		ok2("TD2 RECLAIM TDVPR", fx_seamcall(F, lp, LEAF_PHYMEM_PAGE_RECLAIM, a->tdvpr, 0, 0, 0, NULL));
		for (unsigned i = 0; i < 6; i++)
			ok2("TD2 RECLAIM TDCX", fx_seamcall(F, lp, LEAF_PHYMEM_PAGE_RECLAIM, a->tdcx[i], 0, 0, 0, NULL));
		ok2("TD2 RECLAIM TDR", fx_seamcall(F, lp, LEAF_PHYMEM_PAGE_RECLAIM, a->tdr, 0, 0, 0, NULL));
		atomic_fetch_add(&n_td2, 1);
	}
	atomic_fetch_sub(&hosts_running, 1);
	return NULL;
}

/* ---- LP 3..5: vCPUs ---- */

/* VP.ENTER: ENTERED, or BUSY on what other LPs hold exclusively: the TDVPR (LP 1's
 * RECLAIM), the TDR (LP 1's MR.FINALIZE), the epoch lock (a TRACK). */
static void enter(unsigned v)
{
	for (unsigned k = 0; k < 1000000 && !atomic_load(&failed); k++) {
		tdx_status_t s = fx_seamcall(F, TD.vcpu_lp[v], LEAF_VP_ENTER, TD.tdvpr[v], 0, 0, 0, NULL);
		if (s == TDXSIM_STATUS_ENTERED) {
			atomic_fetch_add(&n_entered, 1);
			return;
		}
		expect("VP.ENTER", s,
		       one_of(s, 3, TDX_OPERAND_BUSY | OPERAND_ID_RCX, TDX_OPERAND_BUSY | OPERAND_ID_TDR,
			      TDX_OPERAND_BUSY | OPERAND_ID_TD_EPOCH));
		sched_yield();
	}
}

static tdx_status_t tdcall(unsigned v, uint64_t leaf, uint64_t rcx, uint64_t rdx, bool *exited)
{
	struct tdxsim_regs r = { { 0 } }, exit_regs;
	r.r[OPERAND_ID_RAX] = leaf;
	r.r[OPERAND_ID_RCX] = rcx;
	r.r[OPERAND_ID_RDX] = rdx;
	*exited = false;
	tdx_status_t s = tdxsim_tdcall(F->w, TD.tdvpr[v], &r, exited, &exit_regs);
	if (*exited && leaf == TDG_MEM_PAGE_ACCEPT && exit_regs.r[OPERAND_ID_RAX] != 48)
		bad("ACCEPT's TD exit returned 0x%llx", (unsigned long long)exit_regs.r[OPERAND_ID_RAX]);
	return s;
}

static void *vcpu_thread(void *p)
{
	unsigned v = (unsigned)(uintptr_t)p;
	uint64_t seed = 0x9E3779B97F4A7C15ull * (v + 1);
	for (unsigned n = 0; (n < VCPU_ENTRIES || atomic_load(&hosts_running)) && !atomic_load(&failed); n++) {
		enter(v);
		bool exited = false;
		unsigned actions = 1 + (unsigned)(rnd(&seed) % 6);
		for (unsigned k = 0; k < actions && !exited && !atomic_load(&failed); k++) {
			tdx_status_t s;
			switch (rnd(&seed) % 6) {
			case 0: /* not AUGed yet: an ACCEPT violation exit; the host or another
				 * guest holds the entry: BUSY (also BUSY_HOST_PRIORITY, rewritten) */
				s = tdcall(v, TDG_MEM_PAGE_ACCEPT, GPA_LEVEL(ACC_GPA(rnd(&seed) % NACC), LVL_PT), 0,
					   &exited);
				if (!exited)
					expect("ACCEPT", s,
					       one_of(s, 3, TDX_SUCCESS, TDX_PAGE_ALREADY_ACCEPTED | LVL_PT,
						      TDX_OPERAND_BUSY | OPERAND_ID_RCX));
				if (s == TDX_SUCCESS && !exited)
					atomic_fetch_add(&n_accepted, 1);
				break;
			case 1: /* RTMR ex (guest) vs other guests' RTMR sh/ex */
				s = tdcall(v, TDG_MR_RTMR_EXTEND, FX_SHARED_PAGE(6), rnd(&seed) % 4, &exited);
				expect("RTMR.EXTEND", s, one_of(s, 2, TDX_SUCCESS, TDX_OPERAND_BUSY | OPERAND_ID_RTMR));
				if (s == TDX_SUCCESS)
					atomic_fetch_add(&n_rtmr, 1);
				break;
			case 2:
				s = tdcall(v, TDG_MR_REPORT, FX_SHARED_PAGE(6), FX_SHARED_PAGE(7), &exited);
				expect("MR.REPORT", s, one_of(s, 2, TDX_SUCCESS, TDX_OPERAND_BUSY | OPERAND_ID_RTMR));
				if (s == TDX_SUCCESS)
					atomic_fetch_add(&n_report, 1);
				break;
			case 3: /* GPA_0's entry: LP 1's SEPT.RD holds it now and then */
				s = tdcall(v, TDG_MEM_PAGE_ATTR_RD, GPA0, 0, &exited);
				expect("ATTR.RD", s, one_of(s, 2, TDX_SUCCESS, TDX_OPERAND_BUSY | OPERAND_ID_RCX));
				break;
			case 4:
				if (!tdxsim_guest_access(F->w, TD.tdvpr[v], GPA0, 0x1000 + 16 * k, true))
					bad("GPA_0 (mapped at build time) not accessible");
				tdxsim_guest_access(F->w, TD.tdvpr[v], ACC_GPA(rnd(&seed) % NACC), 0x1000 + 16 * k, false);
				break;
			case 5:
				s = tdcall(v, TDG_VP_VMCALL, 0, 0, &exited);
				expect("VMCALL", s, s == TDX_SUCCESS && exited);
				atomic_fetch_add(&n_vmcall, 1);
				break;
			}
		}
		if (!exited) {
			tdx_status_t s = tdxsim_td_exit(F->w, TD.tdvpr[v], TDXSIM_EXIT_INTERRUPT, 0, NULL);
			expect("TD exit", s, s == 1);
		}
	}
	return NULL;
}

static void api_under_threads(void **state)
{
	(void)state;
	struct tdxsim_module_config cfg = { .n_lps = 6, .n_pkgs = 1, .n_frames = 2048, .max_tds = 4,
					    .max_vcpus = 8, .max_sept_pages = 32 };
	F = fx_new(NULL, &cfg);
	fx_boot(F);
	/* fx_td_create with ATTRIBUTES.DEBUG (MNG.INIT R9 bit 0), for TDH.MEM.RD. */
	fx_td_create_keys(F, &TD, 2);
	fx_td_add_tdcx(F, &TD, 6);
	fx_expect(F, TDX_SUCCESS, 0, LEAF_MNG_INIT, TD.tdr, FX_TD_PARAMS_PA, FX_MAX_VCPUS, 1, NULL);
	for (unsigned v = 0; v < NVCPU; v++)
		fx_td_vcpu(F, &TD, 3 + v);
	fx_td_add_page(F, &TD, GPA0);
	/* GPA_1G2's PD page, so that LP 0 can add and remove a PT page under it. */
	fx_expect(F, TDX_SUCCESS, 0, LEAF_MEM_SEPT_ADD, GPA_LEVEL(GPA_1G2, LVL_PDPT), TD.tdr, fx_page(F), 0, NULL);
	fx_td_finalize(F, &TD);
	static struct mem_arg ma;
	for (unsigned i = 0; i < NACC; i++)
		ma.acc_page[i] = fx_page(F);
	ma.sept_page[0] = fx_page(F);
	ma.sept_page[1] = fx_page(F);
	ma.big = fx_page_2m(F);
	static struct td2_arg ta;
	ta.tdr = fx_page(F);
	for (unsigned i = 0; i < 6; i++)
		ta.tdcx[i] = fx_page(F);
	ta.tdvpr = fx_page(F);
	for (unsigned i = 0; i < 5; i++)
		ta.tdvpx[i] = fx_page(F);

	pthread_t t[3 + NVCPU];
	atomic_store(&hosts_running, 3);
	assert_int_equal(pthread_create(&t[0], NULL, mem_thread, &ma), 0);
	assert_int_equal(pthread_create(&t[1], NULL, md_thread, NULL), 0);
	assert_int_equal(pthread_create(&t[2], NULL, td2_thread, &ta), 0);
	for (unsigned v = 0; v < NVCPU; v++)
		assert_int_equal(pthread_create(&t[3 + v], NULL, vcpu_thread, (void *)(uintptr_t)v), 0);
	/* LP 1 runs while the two other hosts do. */
	pthread_join(t[0], NULL);
	pthread_join(t[2], NULL);
	atomic_fetch_sub(&hosts_running, 1);
	pthread_join(t[1], NULL);
	for (unsigned v = 0; v < NVCPU; v++)
		pthread_join(t[3 + v], NULL);
	if (atomic_load(&failed))
		fail_msg("%s", failure);

	char why[512] = "";
	if (!tdxsim_world_check_invariants(F->w, why, sizeof(why)))
		fail_msg("invariants: %s", why);
	if (!tdxsim_world_check_locks(F->w, NULL, 0, why, sizeof(why)))
		fail_msg("locks: %s", why);
	assert_false(tdxsim_world_halted(F->w, why, sizeof(why)));
	print_message("api threads: %u entries, %u accepts, %u RTMR extends, %u reports, %u VMCALLs, %u metadata "
		      "calls, %u 2M cycles, %u SEPT-page cycles, %u TD2 rounds, %u BUSY\n",
		      n_entered, n_accepted, n_rtmr, n_report, n_vmcall, n_md, n_2m, n_sept, n_td2, n_busy);
	assert_int_equal(n_2m, CYCLES_2M);
	assert_int_equal(n_sept, CYCLES_SEPT);
	assert_int_equal(n_td2, TD2_ROUNDS);
	assert_true(n_entered >= NVCPU * VCPU_ENTRIES);
	assert_true(n_accepted > 0 && n_rtmr > 0 && n_report > 0 && n_vmcall > 0 && n_md > 0);
	fx_free(F);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(api_under_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
