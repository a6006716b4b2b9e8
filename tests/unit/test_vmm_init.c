/* SPDX-License-Identifier: MIT */
/*
 * The VMM model's module initialization and CPU hotplug (linux-kvm-tdx.md §5, §4
 * errno conversion): the SEAMCALL sequence, the cached TDH.SYS.INIT result, sc_retry,
 * sticky failure, KEY.CONFIG on the first online CPU of each package, the TDMR.INIT
 * resume loop, and the hotplug rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "helpers/vmm_driver.h"

#include "module/mod.h"
#include "vmm/kvm.h"

static struct vd *boot_world(enum vmm_kernel k, const struct vd_config *over)
{
	struct vd_config cfg = over ? *over : (struct vd_config){ 0 };
	cfg.kernel = k;
	return vd_new(&cfg);
}

/* The leaves of the log's SEAMCALL events, in order. */
static unsigned seamcall_leaves(struct vd *d, unsigned *out, unsigned max)
{
	unsigned n = 0;
	for (size_t i = 0; i < d->nlog; i++)
		if (d->log[i].ev == VMM_EV_SEAMCALL && n < max)
			out[n++] = (unsigned)d->log[i].a;
	return n;
}

static void check_init_ok(enum vmm_kernel k)
{
	struct vd *d = boot_world(k, NULL);
	struct tdxsim_mod *m = vd_mod(d);
	assert_int_equal(vd_run_prog(d, 1, VMM_PROG_MODULE_INIT, 0, 0, 0), 0);
	struct kvm_global *g = kvm_g(d->vmm);
	assert_int_equal(g->module_status, TDX_MODULE_INITIALIZED);
	assert_int_equal(g->enable_tdx, 1);
	assert_int_equal(atomic_load(&mod_global(m)->sys_state), SYS_READY);
	for (unsigned lp = 0; lp < 4; lp++) {
		assert_int_equal(mod_lp(m, lp)->lp_is_init, 1);
		assert_int_equal(g->lp_tdx_init[lp], 1);
		assert_int_equal(mod_lp(m, lp)->vmx_on, 1);
	}
	for (unsigned i = 0; i < m->lay.n_tdmrs; i++)
		assert_int_equal(atomic_load(&mod_tdmr(m, i)->last_initialized),
				 mod_tdmr(m, i)->base + mod_tdmr(m, i)->size);
	/* §5.1/5.2 order: SYS.INIT once, then LP.INIT per CPU, then SYS.RD field by
	 * field, SYS.CONFIG, KEY.CONFIG per package, TDMR.INIT until done. */
	unsigned lv[256];
	unsigned n = seamcall_leaves(d, lv, 256);
	unsigned expect_head[] = { LF_SYS_INIT, LF_SYS_LP_INIT, LF_SYS_LP_INIT, LF_SYS_LP_INIT,
				   LF_SYS_LP_INIT, LF_SYS_RD, LF_SYS_RD, LF_SYS_RD, LF_SYS_RD,
				   LF_SYS_CONFIG, LF_SYS_KEY_CONFIG, LF_SYS_KEY_CONFIG };
	assert_true(n > 12);
	for (unsigned i = 0; i < 12; i++)
		assert_int_equal(lv[i], expect_head[i]);
	for (unsigned i = 12; i < n; i++)
		assert_int_equal(lv[i], LF_SYS_TDMR_INIT);
	assert_true(n - 12 >= 2); /* the resume loop ran more than once (2048 frames) */
	assert_int_equal(vd_count(d, VMM_EV_BUSY), 0);
	/* A second kvm_intel load: LP.INIT is not repeated, tdx_enable says 0 at once. */
	vd_clear_log(d);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_MODULE_INIT, 0, 0, 0), 0);
	assert_int_equal(vd_count(d, VMM_EV_SEAMCALL), 0);
	vd_free(d);
}

static void test_init_ok_616(void **state)
{
	(void)state;
	check_init_ok(VMM_KVM_6_16);
}

static void test_init_ok_2026(void **state)
{
	(void)state;
	check_init_ok(VMM_KVM_2026);
}

/* VMfailInvalid (module not loaded) -> -ENODEV: TDX silently off, VMX undone. */
static void test_init_module_not_loaded(void **state)
{
	(void)state;
	struct vd_config cfg = { .module_not_loaded = true };
	struct vd *d = boot_world(VMM_KVM_6_16, &cfg);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_MODULE_INIT, 0, 0, 0), -VMM_ENODEV);
	struct kvm_global *g = kvm_g(d->vmm);
	assert_int_equal(g->enable_tdx, 0);
	assert_int_equal(g->sysinit_done, 1);
	assert_int_equal(g->sysinit_ret, -VMM_ENODEV);
	for (unsigned lp = 0; lp < 4; lp++)
		assert_int_equal(mod_lp(vd_mod(d), lp)->vmx_on, 0); /* kvm_disable_virtualization */
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_SYS_INIT), 1);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_SYS_LP_INIT), 0);
	/* No TD can be created. */
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_CREATE, 0, 0, 0), -VMM_EINVAL);
	vd_free(d);
}

/* A SEAMCALL before VMXON #UDs: TDX_SEAMCALL_UD -> -EACCES; the failure is cached. */
static void test_init_before_vmxon(void **state)
{
	(void)state;
	struct vd_config cfg = { .lps_vmx_off = true };
	struct vd *d = boot_world(VMM_KVM_6_16, &cfg);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_MODULE_INIT, 1 /* no VMXON */, 0, 0), -VMM_EACCES);
	struct kvm_global *g = kvm_g(d->vmm);
	assert_int_equal(g->sysinit_ret, -VMM_EACCES);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_SYS_INIT), 1);
	long i = vd_find(d, 0, VMM_EV_SEAMCALL, LF_SYS_INIT);
	assert_int_equal(d->log[i].b, TDX_SEAMCALL_UD);
	/* The next load does VMXON, but TDH.SYS.INIT's result is cached (§5.2). */
	vd_clear_log(d);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_MODULE_INIT, 0, 0, 0), -VMM_EACCES);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_SYS_INIT), 0);
	vd_free(d);
}

/* §4: #GP -> -EOPNOTSUPP. */
static void test_init_gp(void **state)
{
	(void)state;
	struct vd *d = boot_world(VMM_KVM_6_19, NULL);
	assert_true(vmm_inject_status(d->vmm, LF_SYS_INIT, -1, 1, TDX_SEAMCALL_GP));
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_MODULE_INIT, 0, 0, 0), -VMM_EOPNOTSUPP);
	vd_free(d);
}

/* sc_retry: TDX_RND_NO_ENTROPY is re-issued up to 10 calls in all. */
static void test_init_rnd_no_entropy(void **state)
{
	(void)state;
	struct vd *d = boot_world(VMM_KVM_6_16, NULL);
	assert_true(vmm_inject_status(d->vmm, LF_SYS_CONFIG, -1, 9, TDX_RND_NO_ENTROPY));
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_MODULE_INIT, 0, 0, 0), 0);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_SYS_CONFIG), 10);
	assert_int_equal(vd_count_leaf(d, VMM_EV_RETRY, LF_SYS_CONFIG), 9);
	vd_free(d);

	d = boot_world(VMM_KVM_6_16, NULL);
	assert_true(vmm_inject_status(d->vmm, LF_SYS_CONFIG, -1, 10, TDX_RND_NO_ENTROPY));
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_MODULE_INIT, 0, 0, 0), -VMM_EIO);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_SYS_CONFIG), 10);
	assert_int_equal(kvm_g(d->vmm)->module_status, TDX_MODULE_ERROR);
	vd_free(d);
}

/* A failed init is sticky: the next tdx_enable() says -EINVAL without a SEAMCALL. */
static void test_init_sticky_error(void **state)
{
	(void)state;
	struct vd *d = boot_world(VMM_KVM_6_16, NULL);
	assert_true(vmm_inject_status(d->vmm, LF_SYS_TDMR_INIT, -1, 1, TDX_SYS_BUSY));
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_MODULE_INIT, 0, 0, 0), -VMM_EIO);
	assert_int_equal(kvm_g(d->vmm)->module_status, TDX_MODULE_ERROR);
	vd_clear_log(d);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_MODULE_INIT, 0, 0, 0), -VMM_EINVAL);
	assert_int_equal(vd_count(d, VMM_EV_SEAMCALL), 0);
	vd_free(d);
}

/* SYS.KEY.CONFIG runs on the first online CPU of each package (LP 2 for package 1:
 * an injection on LP 2 proves it), and TDH.MNG.KEY.CONFIG likewise: with LP 2
 * offline after bring-up, package 1's is LP 3. */
static void test_init_key_config_first_online(void **state)
{
	(void)state;
	struct vd *d = boot_world(VMM_KVM_6_16, NULL);
	assert_true(vmm_inject_status(d->vmm, LF_SYS_KEY_CONFIG, 2, 1, TDX_SEAMCALL_GP));
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_MODULE_INIT, 0, 0, 0), -VMM_EOPNOTSUPP);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_SYS_KEY_CONFIG), 2);
	vd_free(d);

	d = boot_world(VMM_KVM_6_16, NULL);
	vd_boot(d);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_CPU_OFFLINE, 2, 0, 0), 0);
	assert_true(vmm_inject_status(d->vmm, LF_MNG_KEY_CONFIG, 3, 1, TDX_SEAMCALL_GP));
	vd_clear_log(d);
	/* The failed KEY.CONFIG is a BUG in KVM (-EIO); it was issued on LP 3. */
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_CREATE, 0, 0, 0), -VMM_EIO);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_MNG_KEY_CONFIG), 2);
	long i = vd_find(d, 0, VMM_EV_VM_BUG, LF_MNG_KEY_CONFIG);
	assert_true(i >= 0);
	assert_int_equal(d->log[i].b, TDX_SEAMCALL_GP);
	vd_free(d);
}

/* The 1.5.05 module's TDH.SYS.CONFIG wants TDH.SYS.LP.INIT done on every LP of the
 * platform (§7.4 step 3): with a CPU offline at bring-up, init fails with -EIO. */
static void test_init_offline_cpu(void **state)
{
	(void)state;
	struct vd *d = boot_world(VMM_KVM_6_16, NULL);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_CPU_OFFLINE, 3, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_MODULE_INIT, 0, 0, 0), -VMM_EIO);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_SYS_LP_INIT), 3);
	long i = vd_find(d, 0, VMM_EV_SEAMCALL, LF_SYS_CONFIG);
	assert_true(i >= 0);
	assert_int_equal(d->log[i].b, TDX_SYS_CONFIG_NOT_PENDING);
	assert_int_equal(kvm_g(d->vmm)->module_status, TDX_MODULE_ERROR);
	vd_free(d);
}

/* Hotplug: an LP that missed bring-up gets VMXON + LP.INIT when it comes online; a
 * CPU that went offline keeps tdx_lp_initialized; the last CPU of a package cannot go
 * offline while an HKID is in use. */
static void test_hotplug(void **state)
{
	(void)state;
	struct vd *d = boot_world(VMM_KVM_6_16, NULL);
	struct tdxsim_mod *m = vd_mod(d);
	vd_boot(d);
	/* A CPU without tdx_lp_initialized (hot-added): VMXON, then LP.INIT on that CPU
	 * with the cached SYS.INIT result.  The 1.5.05 module only accepts LP.INIT in
	 * SYSINIT_DONE (§7.4 step 2): after bring-up it says SYS_LP_INIT_NOT_PENDING, the
	 * CPU fails to come online and VMX is undone. */
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_CPU_OFFLINE, 3, 0, 0), 0);
	mod_lp(m, 3)->lp_is_init = 0;
	atomic_fetch_sub(&mod_global(m)->num_of_init_lps, 1);
	kvm_g(d->vmm)->lp_tdx_init[3] = 0;
	vd_clear_log(d);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_CPU_ONLINE, 3, 0, 0), -VMM_EIO);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_SYS_LP_INIT), 1);
	assert_int_equal(vd_count_leaf(d, VMM_EV_SEAMCALL, LF_SYS_INIT), 0); /* cached */
	long i = vd_find(d, 0, VMM_EV_SEAMCALL, LF_SYS_LP_INIT);
	assert_int_equal(d->log[i].b, TDX_SYS_LP_INIT_NOT_PENDING);
	assert_int_equal(kvm_g(d->vmm)->lp_online[3], 0);
	assert_int_equal(mod_lp(m, 3)->vmx_on, 0);
	/* Back to an initialized CPU: online without a SEAMCALL. */
	mod_lp(m, 3)->lp_is_init = 1;
	atomic_fetch_add(&mod_global(m)->num_of_init_lps, 1);
	kvm_g(d->vmm)->lp_tdx_init[3] = 1;
	vd_clear_log(d);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_CPU_ONLINE, 3, 0, 0), 0);
	assert_int_equal(vd_count(d, VMM_EV_SEAMCALL), 0);
	assert_int_equal(mod_lp(m, 3)->vmx_on, 1);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_CPU_ONLINE, 3, 0, 0), -VMM_EINVAL);

	/* No HKID in use: any CPU may go; LP.INIT is not repeated when it comes back. */
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_CPU_OFFLINE, 2, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_CPU_OFFLINE, 3, 0, 0), 0);
	assert_int_equal(mod_lp(m, 3)->vmx_on, 0);
	vd_clear_log(d);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_CPU_ONLINE, 2, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_CPU_ONLINE, 3, 0, 0), 0);
	assert_int_equal(vd_count(d, VMM_EV_SEAMCALL), 0);

	/* A TD holds an HKID: LP 3 may go (LP 2 stays), LP 2 then may not. */
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_CREATE, 0, 0, 0), 0);
	assert_int_equal(kvm_g(d->vmm)->nr_configured_hkid, 1);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_CPU_OFFLINE, 3, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_CPU_OFFLINE, 2, 0, 0), -VMM_EBUSY);
	assert_int_equal(kvm_g(d->vmm)->lp_online[2], 1);
	assert_int_equal(mod_lp(m, 2)->vmx_on, 1);
	/* A package without an online CPU refuses TD creation (-EIO): none here, but
	 * offlining package 0's LP 1 (LP 0 stays) is fine. */
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_CPU_OFFLINE, 1, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_CPU_OFFLINE, 0, 0, 0), -VMM_EBUSY);
	vd_free(d);
}

/* A CPU whose LP.INIT fails does not come online; TD creation needs every package. */
static void test_hotplug_online_failure(void **state)
{
	(void)state;
	struct vd *d = boot_world(VMM_KVM_6_19, NULL);
	struct tdxsim_mod *m = vd_mod(d);
	vd_boot(d);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_CPU_OFFLINE, 3, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_CPU_OFFLINE, 2, 0, 0), 0);
	/* LP 2 as a hot-added CPU (see test_hotplug). */
	mod_lp(m, 2)->lp_is_init = 0;
	atomic_fetch_sub(&mod_global(m)->num_of_init_lps, 1);
	kvm_g(d->vmm)->lp_tdx_init[2] = 0;
	assert_true(vmm_inject_status(d->vmm, LF_SYS_LP_INIT, 2, 1, TDX_SEAMCALL_UD));
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_CPU_ONLINE, 2, 0, 0), -VMM_EACCES);
	assert_int_equal(kvm_g(d->vmm)->lp_online[2], 0);
	assert_int_equal(mod_lp(vd_mod(d), 2)->vmx_on, 0);
	/* Package 1 has no online CPU: "All packages need to have online CPU". */
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_CREATE, 0, 0, 0), -VMM_EIO);
	assert_int_equal(kvm_g(d->vmm)->nr_configured_hkid, 0);
	assert_int_equal(kvm_g(d->vmm)->frames_free, 2048); /* TDR/TDCS pages given back */
	mod_lp(m, 2)->lp_is_init = 1;
	atomic_fetch_add(&mod_global(m)->num_of_init_lps, 1);
	kvm_g(d->vmm)->lp_tdx_init[2] = 1;
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_CPU_ONLINE, 2, 0, 0), 0);
	assert_int_equal(vd_run_prog(d, 0, VMM_PROG_TD_CREATE, 0, 0, 0), 0);
	vd_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_ok_616),
		cmocka_unit_test(test_init_ok_2026),
		cmocka_unit_test(test_init_module_not_loaded),
		cmocka_unit_test(test_init_before_vmxon),
		cmocka_unit_test(test_init_gp),
		cmocka_unit_test(test_init_rnd_no_entropy),
		cmocka_unit_test(test_init_sticky_error),
		cmocka_unit_test(test_init_key_config_first_online),
		cmocka_unit_test(test_init_offline_cpu),
		cmocka_unit_test(test_hotplug),
		cmocka_unit_test(test_hotplug_online_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
