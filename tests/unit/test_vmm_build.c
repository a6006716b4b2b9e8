/* SPDX-License-Identifier: MIT */
/*
 * TD build and the whole TD life under KVM 6.16 and 6.19: at every SEAMCALL the
 * model issues, the KVM locks its actor holds must be exactly those of one of the
 * leaf's contexts in data/vmm/kvm-6.1x.yaml (the profile the static analyzer
 * assumes).  Also: the build ioctls' BUSY/errno rules, 6.16's nr_premapped, and a
 * teardown that gives every page back.
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
#include "tdxsim/profile.h"
#include "vmm/kvm.h"

#define GPA(i) (VD_PRIVATE_BASE + (uint64_t)(i) * 4096)

/* ---- lock checking against the profile ------------------------------------------------------ */

struct lockcheck {
	struct tdxsim_profile *prof;
	unsigned checked, failures;
	char first[512];
};

static bool context_matches(const struct tdxsim_profile *p, const struct tdxsim_context *cx,
			    const struct vmm_held *h, unsigned n)
{
	if (cx->nholds != n)
		return false;
	for (unsigned i = 0; i < cx->nholds; i++) {
		const char *name = p->locks[cx->holds[i].lock].name;
		int want = cx->holds[i].mode == TDXSIM_VMODE_SHARED ? 0 :
			   cx->holds[i].mode == TDXSIM_VMODE_ALL ? 2 : 1;
		bool found = false;
		for (unsigned j = 0; j < n; j++)
			if (!strcmp(h[j].name, name) && h[j].mode == want)
				found = true;
		if (!found)
			return false;
	}
	return true;
}

static void on_seamcall(struct vd *d, unsigned actor, enum vmm_event ev, uint64_t a, uint64_t b, uint64_t c)
{
	(void)b;
	(void)c;
	struct lockcheck *lc = d->user;
	if (ev != VMM_EV_SEAMCALL || !lc)
		return;
	const struct tdxsim_leaf *L = tdxsim_table_leaf_by_number(d->table, TDXSIM_SIDE_HOST, (unsigned)a);
	assert_non_null(L);
	struct vmm_held h[16];
	unsigned n = vmm_actor_locks(d->vmm, actor, h, 16);
	lc->checked++;
	bool any = false, ok = false;
	for (unsigned i = 0; i < lc->prof->nctx; i++) {
		const struct tdxsim_context *cx = &lc->prof->ctx[i];
		if (cx->guest || strcmp(cx->leaf, L->name))
			continue;
		any = true;
		if (context_matches(lc->prof, cx, h, n))
			ok = true;
	}
	if (ok)
		return;
	if (!lc->failures++) {
		size_t pos = (size_t)snprintf(lc->first, sizeof(lc->first), "%s (actor %u)%s holds:", L->name,
					      actor, any ? "" : " has no context");
		for (unsigned j = 0; j < n && pos < sizeof(lc->first); j++)
			pos += (size_t)snprintf(lc->first + pos, sizeof(lc->first) - pos, " %s:%d", h[j].name,
						h[j].mode);
	}
}

static struct tdxsim_profile *load_profile(struct vd *d, const char *name)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/vmm/%s", tdxsim_data_dir(), name);
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	struct tdxsim_profile *p = tdxsim_profile_load(path, d->table, &err);
	if (!p)
		fail_msg("%s: %s", path, err.msg);
	return p;
}

static bool guest_done(struct vd *d, void *ctx)
{
	unsigned i = *(unsigned *)ctx;
	return d->actors[i].g.pc >= d->actors[i].g.nops && d->actors[i].g.phase == 0 &&
	       !d->actors[i].g.mg_wait && d->actors[i].host.guest_mode;
}

/* A whole TD life: init, build (2 measured pages), run two vCPUs that accept and
 * touch fresh pages (AUG), punch a hole (removal with vCPUs in the guest), destroy.
 * vCPU 1 was initialized on LP 1 and runs on LP 3: vcpu_load flushes it first. */
static void lifecycle(enum vmm_kernel k, const char *profile)
{
	struct vd_config cfg = { .kernel = k, .check_invariants = true };
	struct vd *d = vd_new(&cfg);
	struct lockcheck lc = { .prof = load_profile(d, profile) };
	d->user = &lc;
	d->on_event = on_seamcall;
	vd_boot(d);
	vd_build_td(d, 0, 2);
	assert_int_equal(kvm_vm(d->vmm, 0)->td_state, TD_STATE_RUNNABLE);
	assert_int_equal(vd_sept_state(d, 0, GPA(0)), SEPT_MAPPED);
	assert_int_equal(vd_sept_state(d, 0, GPA(1)), SEPT_MAPPED);
	struct vd_gop g0[] = { { GOP_ACCEPT, GPA(4), 0 }, { GOP_ACCESS, GPA(4), 0 }, { GOP_ACCESS, GPA(0), 0 } };
	struct vd_gop g1[] = { { GOP_ACCEPT, GPA(5), 0 }, { GOP_ACCESS, GPA(5), 0 } };
	unsigned v0 = vd_vcpu(d, 0, 0, 0, 0, g0, 3);
	unsigned v1 = vd_vcpu(d, 3, 0, 1, 0, g1, 2);
	assert_true(vd_run_until(d, guest_done, &v0, 100000));
	assert_true(vd_run_until(d, guest_done, &v1, 100000));
	assert_int_equal(d->actors[v0].g.accepted, 1);
	assert_int_equal(d->actors[v1].g.accepted, 1);
	assert_int_equal(vd_sept_state(d, 0, GPA(4)), SEPT_MAPPED);
	assert_int_equal(vd_sept_state(d, 0, GPA(5)), SEPT_MAPPED);
	assert_true(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_VP_FLUSH) >= 1);
	/* Punch a hole in GPA(4): the removal path kicks both vCPUs out of the guest. */
	unsigned z = vd_thread(d, 2, VMM_PROG_ZAP_RANGE, 0, GPA(4), 1);
	for (unsigned n = 0; n < 100000 && !d->actors[z].done; n++)
		vd_run(d, 1);
	assert_true(d->actors[z].done);
	assert_int_equal(vmm_actor_result(d->vmm, z), 0);
	assert_int_equal(vd_sept_state(d, 0, GPA(4)), SEPT_FREE);
	/* The vCPU threads stop (a signal kicks them out of the guest), then the VM goes. */
	vmm_vcpu_stop(d->vmm, 0, 0);
	vmm_vcpu_stop(d->vmm, 0, 1);
	assert_int_equal(vd_run(d, 100000), VD_ALL_DONE);
	assert_int_equal(vmm_actor_result(d->vmm, v0), 0);
	assert_int_equal(vmm_actor_result(d->vmm, v1), 0);
	assert_int_equal(vd_run_prog(d, 2, VMM_PROG_TD_TEARDOWN, 0, 0, 0), 0);
	/* Every page back: the allocator is full again, nothing leaked, and the module
	 * agrees (no TD object, every PAMT entry free, invariants hold). */
	struct kvm_global *g = kvm_g(d->vmm);
	assert_int_equal(g->frames_leaked, 0);
	assert_int_equal(g->frames_free, g->n_frames);
	assert_int_equal(g->nr_configured_hkid, 0);
	struct tdxsim_mod *m = vd_mod(d);
	for (unsigned f = 0; f < m->lay.n_frames; f++)
		assert_int_equal(mod_pamt(m, PAMT_4K, f)->pt, TDXSIM_PT_NDA);
	for (unsigned t = 0; t < m->lay.max_tds; t++)
		assert_int_equal(atomic_load(&mod_td(m, t)->in_use), 0);
	char why[256];
	assert_true(tdxsim_world_check_invariants(d->w, why, sizeof(why)));
	assert_int_equal(vd_count(d, VMM_EV_VM_BUG), 0);
	/* The locks: every SEAMCALL matched a profile context. */
	if (lc.failures)
		fail_msg("%u of %u SEAMCALLs do not match %s; first: %s", lc.failures, lc.checked, profile,
			 lc.first);
	assert_true(lc.checked > 100);
	vd_free(d);
	tdxsim_profile_free(lc.prof);
}

static void test_lifecycle_616(void **state)
{
	(void)state;
	lifecycle(VMM_KVM_6_16, "kvm-6.16.yaml");
}

static void test_lifecycle_619(void **state)
{
	(void)state;
	lifecycle(VMM_KVM_6_19, "kvm-6.19.yaml");
}

/* CHOICE: the 2026 kernel keeps 6.19's lock structure (the reference gives no other). */
static void test_lifecycle_2026(void **state)
{
	(void)state;
	lifecycle(VMM_KVM_2026, "kvm-6.19.yaml");
}

/* The check can fail: 6.16's build against 6.19's profile (which wants the state
 * guard) and the reverse are caught at the first TD-scoped SEAMCALL. */
static void check_mismatch(enum vmm_kernel k, const char *profile, const char *first)
{
	struct vd_config cfg = { .kernel = k };
	struct vd *d = vd_new(&cfg);
	struct lockcheck lc = { .prof = load_profile(d, profile) };
	d->user = &lc;
	d->on_event = on_seamcall;
	vd_boot(d);
	assert_int_equal(lc.failures, 0); /* module init is the same in both */
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_CREATE, 0, 0, 0), 0);
	assert_true(lc.failures > 0);
	assert_non_null(strstr(lc.first, first));
	vd_free(d);
	tdxsim_profile_free(lc.prof);
}

static void test_lockcheck_detects_mismatch(void **state)
{
	(void)state;
	check_mismatch(VMM_KVM_6_16, "kvm-6.19.yaml", "TDH.MNG.CREATE");
	check_mismatch(VMM_KVM_6_19, "kvm-6.16.yaml", "TDH.MNG.CREATE");
}

/* A TD destroyed before finalize (tdx_track is a no-op then) and one whose
 * KVM_TDX_INIT_VM failed half-way: destruction gives every page back. */
static void check_teardown_unfinalized(enum vmm_kernel k)
{
	struct vd_config cfg = { .kernel = k, .check_invariants = true };
	struct vd *d = vd_new(&cfg);
	vd_boot(d);
	unsigned free0 = kvm_g(d->vmm)->frames_free;
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_CREATE, 0, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_VCPU_INIT, 0, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 1, VMM_PROG_VCPU_INIT, 0, 1, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_INIT_MEM, 0, GPA(0), 3), 0);
	vd_clear_log(d);
	assert_int_equal(vd_run_prog(d, 2, VMM_PROG_TD_TEARDOWN, 0, 0, 0), 0);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_MEM_TRACK), 0);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_MEM_PAGE_REMOVE), 3);
	assert_int_equal(vd_count(d, VMM_EV_VM_BUG), 0);
	assert_int_equal(kvm_g(d->vmm)->frames_leaked, 0);
	assert_int_equal(kvm_g(d->vmm)->frames_free, free0);
	vd_free(d);

	/* MNG.INIT fails (an operand the module rejects): -EINVAL, no bug, the TD is
	 * left for destruction, which reclaims it all. */
	d = vd_new(&cfg);
	vd_boot(d);
	assert_true(vmm_inject_status(d->vmm, LF_MNG_INIT, -1, 1,
				      tdx_status_with_operand(TDX_OPERAND_INVALID, OPERAND_ID_ATTRIBUTES)));
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_CREATE, 0, 0, 0), -VMM_EINVAL);
	assert_int_equal(vd_count(d, VMM_EV_VM_BUG), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_CREATE, 0, 0, 0), -VMM_EINVAL);
	assert_int_equal(vd_run_prog(d, 2, VMM_PROG_TD_TEARDOWN, 0, 0, 0), 0);
	assert_int_equal(vd_count(d, VMM_EV_VM_BUG), 0);
	assert_int_equal(kvm_g(d->vmm)->frames_leaked, 0);
	assert_int_equal(kvm_g(d->vmm)->frames_free, free0);
	assert_int_equal(kvm_g(d->vmm)->nr_configured_hkid, 0);
	vd_free(d);
}

static void test_teardown_unfinalized_616(void **state)
{
	(void)state;
	check_teardown_unfinalized(VMM_KVM_6_16);
}

static void test_teardown_unfinalized_619(void **state)
{
	(void)state;
	check_teardown_unfinalized(VMM_KVM_6_19);
}

/* The leaves a build issued, in order, from the log. */
static unsigned leaves_of(struct vd *d, unsigned *out, unsigned max)
{
	unsigned n = 0;
	for (size_t i = 0; i < d->nlog; i++)
		if (d->log[i].ev == VMM_EV_SEAMCALL && n < max)
			out[n++] = (unsigned)d->log[i].a;
	return n;
}

/* KVM_TDX_INIT_MEM_REGION of one page: 6.16 maps (3 SEPT.ADD, premap) and issues
 * PAGE.ADD outside mmu_lock; 6.19 issues PAGE.ADD in the leaf hook; both measure. */
static void check_init_mem_order(enum vmm_kernel k)
{
	struct vd_config cfg = { .kernel = k };
	struct vd *d = vd_new(&cfg);
	vd_boot(d);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_CREATE, 0, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_VCPU_INIT, 0, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 1, VMM_PROG_VCPU_INIT, 0, 1, 0), 0);
	vd_clear_log(d);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_INIT_MEM, 0, GPA(0), 1), 0);
	unsigned lv[64];
	unsigned n = leaves_of(d, lv, 64);
	assert_int_equal(n, 3 + 1 + 16);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(lv[i], LF_MEM_SEPT_ADD);
	assert_int_equal(lv[3], LF_MEM_PAGE_ADD);
	for (unsigned i = 4; i < n; i++)
		assert_int_equal(lv[i], LF_MR_EXTEND);
	assert_int_equal(kvm_vm(d->vmm, 0)->nr_premapped, 0);
	assert_int_equal(vd_sept_state(d, 0, GPA(0)), SEPT_MAPPED);
	/* A second page in the same 2M region needs no SEPT.ADD; no measurement flag. */
	vd_clear_log(d);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_INIT_MEM, 0 | (1 << 8), GPA(1), 1), 0);
	n = leaves_of(d, lv, 64);
	assert_int_equal(n, 1);
	assert_int_equal(lv[0], LF_MEM_PAGE_ADD);
	/* After finalize the ioctl is refused. */
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_FINALIZE, 0, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_INIT_MEM, 0, GPA(2), 1), -VMM_EINVAL);
	vd_free(d);
}

static void test_init_mem_order_616(void **state)
{
	(void)state;
	check_init_mem_order(VMM_KVM_6_16);
}

static void test_init_mem_order_619(void **state)
{
	(void)state;
	check_init_mem_order(VMM_KVM_6_19);
}

/* §1.2: PAGE.ADD BUSY -> -EBUSY to userspace, which retries the ioctl (6.16: the
 * premapped SPTE stays and the retry only re-issues PAGE.ADD; 6.19: the hook failed,
 * the SPTE was restored, the retry maps again). */
static void check_page_add_busy(enum vmm_kernel k)
{
	struct vd_config cfg = { .kernel = k };
	struct vd *d = vd_new(&cfg);
	vd_boot(d);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_CREATE, 0, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_VCPU_INIT, 0, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_VCPU_INIT, 0, 1, 0), 0);
	vd_clear_log(d);
	assert_true(vmm_inject_status(d->vmm, LF_MEM_PAGE_ADD, -1, 1,
				      TDX_OPERAND_BUSY | OPERAND_ID_TDR));
	unsigned t = vd_thread(d, 0, VMM_PROG_TD_INIT_MEM, 0, GPA(0), 2);
	assert_int_equal(vd_finish(d, t, 1000000), 0);
	assert_int_equal(vd_count_leaf(d, VMM_EV_BUSY, LF_MEM_PAGE_ADD), 1);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_MEM_PAGE_ADD), 3);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_MEM_SEPT_ADD), 3);
	assert_int_equal(vd_count(d, VMM_EV_VM_BUG), 0);
	assert_int_equal(vd_sept_state(d, 0, GPA(0)), SEPT_MAPPED);
	assert_int_equal(vd_sept_state(d, 0, GPA(1)), SEPT_MAPPED);
	assert_int_equal(kvm_vm(d->vmm, 0)->nr_premapped, 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_FINALIZE, 0, 0, 0), 0);
	vd_free(d);
}

static void test_page_add_busy_616(void **state)
{
	(void)state;
	check_page_add_busy(VMM_KVM_6_16);
}

static void test_page_add_busy_619(void **state)
{
	(void)state;
	check_page_add_busy(VMM_KVM_6_19);
}

/* 6.16: a PAGE.ADD failure other than BUSY is -EIO without a bug, and leaves the
 * GPA premapped: finalize refuses (-EINVAL) until the premapped SPTE is zapped, whose
 * BLOCK then fails with EPT_ENTRY_STATE_INCORRECT|RCX -- the "premap" case that only
 * decrements nr_premapped. */
static void test_premap_616(void **state)
{
	(void)state;
	struct vd_config cfg = { .kernel = VMM_KVM_6_16 };
	struct vd *d = vd_new(&cfg);
	vd_boot(d);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_CREATE, 0, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_VCPU_INIT, 0, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_VCPU_INIT, 0, 1, 0), 0);
	assert_true(vmm_inject_status(d->vmm, LF_MEM_PAGE_ADD, -1, 1,
				      tdx_status_with_operand(TDX_OPERAND_INVALID, OPERAND_ID_R9)));
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_INIT_MEM, 0, GPA(0), 1), -VMM_EIO);
	assert_int_equal(vd_count(d, VMM_EV_VM_BUG), 0);
	assert_int_equal(kvm_vm(d->vmm, 0)->nr_premapped, 1);
	assert_int_equal(vd_sept_state(d, 0, GPA(0)), SEPT_FREE);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_FINALIZE, 0, 0, 0), -VMM_EINVAL);
	vd_clear_log(d);
	assert_int_equal(vd_run_prog(d, 2, VMM_PROG_ZAP_RANGE, 0, GPA(0), 1), 0);
	assert_int_equal(kvm_vm(d->vmm, 0)->nr_premapped, 0);
	long i = vd_find(d, 0, VMM_EV_SEAMCALL, LF_MEM_RANGE_BLOCK);
	assert_true(i >= 0);
	assert_int_equal(d->log[i].b, tdx_status_with_operand(TDX_EPT_ENTRY_STATE_INCORRECT, OPERAND_ID_RCX));
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_MEM_TRACK), 0);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_MEM_PAGE_REMOVE), 0);
	assert_int_equal(vd_count(d, VMM_EV_VM_BUG), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_FINALIZE, 0, 0, 0), 0);
	vd_free(d);
}

/* 6.19: the same failing PAGE.ADD is TDX_BUG_ON: the VM is dead. */
static void test_page_add_error_619(void **state)
{
	(void)state;
	struct vd_config cfg = { .kernel = VMM_KVM_6_19 };
	struct vd *d = vd_new(&cfg);
	vd_boot(d);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_CREATE, 0, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_VCPU_INIT, 0, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_VCPU_INIT, 0, 1, 0), 0);
	assert_true(vmm_inject_status(d->vmm, LF_MEM_PAGE_ADD, -1, 1,
				      tdx_status_with_operand(TDX_OPERAND_INVALID, OPERAND_ID_R9)));
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_INIT_MEM, 0, GPA(0), 1), -VMM_EIO);
	assert_int_equal(vd_count_leaf(d, VMM_EV_VM_BUG, LF_MEM_PAGE_ADD), 1);
	assert_true(vmm_vm_dead(d->vmm, 0));
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_FINALIZE, 0, 0, 0), -VMM_EIO);
	vd_free(d);
}

/* KVM_TDX_INIT_VM: TDX_RND_NO_ENTROPY is re-issued by sc_retry (10 calls); left over
 * it is -EAGAIN, the pages and HKID are given back and userspace retries. */
static void test_create_rnd_no_entropy(void **state)
{
	(void)state;
	struct vd *d = vd_new(NULL);
	vd_boot(d);
	unsigned free0 = kvm_g(d->vmm)->frames_free;
	assert_true(vmm_inject_status(d->vmm, LF_MNG_CREATE, -1, 10, TDX_RND_NO_ENTROPY));
	vd_clear_log(d);
	unsigned t = vd_thread(d, 0, VMM_PROG_TD_CREATE, 0, 0, 0);
	assert_int_equal(vd_finish(d, t, 1000000), 0);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_MNG_CREATE), 11);
	assert_int_equal(kvm_g(d->vmm)->nr_configured_hkid, 1);
	assert_int_equal(kvm_hkid(d->vmm, 0), 2); /* the first guest KeyID after the global one */
	assert_int_equal(kvm_g(d->vmm)->frames_free, free0 - 1 - MIN_NUM_TDCS_PAGES);
	assert_int_equal(kvm_vm(d->vmm, 0)->td_state, TD_STATE_INITIALIZED);
	vd_free(d);
}

/* 6.16 checks the TD state in KVM_TDX_INIT_VCPU under the vCPU mutex only: a vCPU
 * init after finalize is refused, and so is a second init of one vCPU. */
static void test_vcpu_init_rules(void **state)
{
	(void)state;
	struct vd *d = vd_new(NULL);
	vd_boot(d);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_VCPU_INIT, 0, 0, 0), -VMM_EINVAL); /* no TD yet */
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_CREATE, 0, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_CREATE, 0, 0, 0), -VMM_EINVAL);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_VCPU_INIT, 0, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_VCPU_INIT, 0, 0, 0), -VMM_EINVAL);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_FINALIZE, 0, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_VCPU_INIT, 0, 1, 0), -VMM_EINVAL);
	vd_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle_616),
		cmocka_unit_test(test_lifecycle_619),
		cmocka_unit_test(test_lifecycle_2026),
		cmocka_unit_test(test_lockcheck_detects_mismatch),
		cmocka_unit_test(test_init_mem_order_616),
		cmocka_unit_test(test_init_mem_order_619),
		cmocka_unit_test(test_page_add_busy_616),
		cmocka_unit_test(test_page_add_busy_619),
		cmocka_unit_test(test_premap_616),
		cmocka_unit_test(test_page_add_error_619),
		cmocka_unit_test(test_create_rnd_no_entropy),
		cmocka_unit_test(test_vcpu_init_rules),
		cmocka_unit_test(test_teardown_unfinalized_616),
		cmocka_unit_test(test_teardown_unfinalized_619),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
