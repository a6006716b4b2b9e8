/* SPDX-License-Identifier: MIT */
/*
 * CPU hotplug (linux-kvm-tdx.md §5.1 item 3, §5.3), under cpu_hotplug_lock held for
 * write (the cpuhp core runs the callbacks with it).
 *
 * VMM_PROG_CPU_ONLINE (a0 = lp): the CPU is marked online; KVM's online callback
 * does VMXON if virtualization is enabled (2026: the core's tdx_online_cpu does its
 * own VMXON); then, if the TDX cpuhp state is registered, tdx_online_cpu ->
 * tdx_cpu_enable on that CPU (TDH.SYS.LP.INIT unless tdx_lp_initialized; the
 * cached TDH.SYS.INIT result).  A failure keeps the CPU offline and undoes VMXON.
 *
 * VMM_PROG_CPU_OFFLINE (a0 = lp): tdx_offline_cpu refuses with -EBUSY to offline the
 * last online CPU of a package while any HKID is configured (reclaiming an HKID needs
 * TDH.PHYMEM.CACHE.WB on every package); otherwise VMXOFF and the CPU goes offline.
 * tdx_lp_initialized survives offlining (LP.INIT is not repeated).
 *
 * Result: 0, -EBUSY (refused), -EINVAL (bad or already in that state), or the
 * tdx_cpu_enable errno.
 */
#include "vmm/kvm.h"

#define H_LP c->fr->l[0]
#define H_R c->fr->l[1]
#define H_VMXON c->fr->l[2]   /* this callback turned VMX on */

static void set_vmx(struct flow_ctx *c, unsigned lp, bool on)
{
	KG(c)->lp_vmx[lp] = on;
	mod_lp(c->m, lp)->vmx_on = on;
}

enum flow_ret vmm_prog_cpu_online(struct flow_ctx *c)
{
	struct kvm_global *g;
	FLOW_BEGIN(c);
	VMM_LOCK(c, &KG(c)->cpus_lock, VL_WRITE);
	FLOW_SHARED(c);
	g = KG(c);
	H_R = 0;
	if (H_LP >= g->n_lps || g->lp_online[H_LP]) {
		H_R = (uint64_t)-VMM_EINVAL;
		goto unlock;
	}
	g->lp_online[H_LP] = 1;
	H_VMXON = 0;
	if ((g->virt_enabled || (g->kernel == VMM_KVM_2026 && g->cpuhp_tdx)) && !g->lp_vmx[H_LP]) {
		set_vmx(c, (unsigned)H_LP, true);
		H_VMXON = 1;
	}
	if (!g->cpuhp_tdx)
		goto unlock;
	FLOW_CALL(c, VF_TDX_CPU_ENABLE, H_LP, 0, 0, 0);
	H_R = (uint64_t)c->fr->ret;
	if (H_R) {
		/* The CPU fails to come online. */
		FLOW_SHARED(c);
		if (H_VMXON)
			set_vmx(c, (unsigned)H_LP, false);
		KG(c)->lp_online[H_LP] = 0;
	}
unlock:
	VMM_UNLOCK(c, &KG(c)->cpus_lock, VL_WRITE);
	vmm_set_result(c, (int64_t)H_R);
	FLOW_RETURN(c, (int64_t)H_R);
	FLOW_END(c);
}

enum flow_ret vmm_prog_cpu_offline(struct flow_ctx *c)
{
	struct kvm_global *g;
	bool other;
	FLOW_BEGIN(c);
	VMM_LOCK(c, &KG(c)->cpus_lock, VL_WRITE);
	FLOW_SHARED(c);
	g = KG(c);
	H_R = 0;
	if (H_LP >= g->n_lps || !g->lp_online[H_LP]) {
		H_R = (uint64_t)-VMM_EINVAL;
		goto unlock;
	}
	if (g->cpuhp_tdx && g->nr_configured_hkid) {
		other = false;
		for (unsigned i = 0; i < g->n_lps; i++)
			if (i != H_LP && g->lp_online[i] && g->lp_pkg[i] == g->lp_pkg[H_LP])
				other = true;
		if (!other) {
			/* "TDX requires all packages to have an online CPU.  Delete all TDs in
			 * order to offline all CPUs of a package." */
			H_R = (uint64_t)-VMM_EBUSY;
			goto unlock;
		}
	}
	if (g->lp_vmx[H_LP])
		set_vmx(c, (unsigned)H_LP, false);
	g->lp_online[H_LP] = 0;
unlock:
	VMM_UNLOCK(c, &KG(c)->cpus_lock, VL_WRITE);
	vmm_set_result(c, (int64_t)H_R);
	FLOW_RETURN(c, (int64_t)H_R);
	FLOW_END(c);
}
