/* SPDX-License-Identifier: MIT */
/*
 * TDX module initialization (linux-kvm-tdx.md §5).
 *
 * VMM_PROG_MODULE_INIT (a0 = flags; VMM_INIT_NO_VMXON: skip VMXON, modelling a
 * caller that issues SEAMCALLs before VMXON -> #UD -> TDX_SEAMCALL_UD -> -EACCES):
 *   6.16 / 6.19: tdx_bringup() at kvm_intel load
 *     kvm_enable_virtualization (VMXON on every online CPU);
 *     cpus_read_lock;
 *     cpuhp_setup_state_cpuslocked: tdx_online_cpu -> tdx_cpu_enable on every online
 *       CPU, in turn (IRQs off);
 *     tdx_enable -> init_tdx_module under tdx_module_lock;
 *     cpus_read_unlock; on error the cpuhp state is removed and virtualization
 *     disabled (-ENODEV: TDX silently off, kvm_intel still loads; other errors fail
 *     the load).
 *   2026: tdx_enable() is a subsys_initcall of the core kernel: the cpuhp callback
 *     does the (refcounted) VMXON itself, right before tdx_cpu_enable; then
 *     init_tdx_module.  KVM's __tdx_bringup only asks tdx_get_sysinfo().  The model
 *     keeps the same locks (the reference does not give the 2026 ones; CHOICE).
 *
 * tdx_cpu_enable (§5.2): per-CPU tdx_lp_initialized -> 0; try_init_module_global
 * under sysinit_lock runs TDH.SYS.INIT once and caches the result, failures included;
 * then TDH.SYS.LP.INIT on this CPU.
 *
 * tdx_enable (§5.2): tdx_module_lock; INITIALIZED -> 0, ERROR -> -EINVAL (sticky, no
 * retry); else init_tdx_module: TDH.SYS.RD field by field (TDX_FEATURES0 must have
 * NO_RBP_MOD, -EINVAL otherwise), TDH.SYS.CONFIG, TDH.SYS.KEY.CONFIG on the first
 * online CPU of each package in turn (stop at the first error), TDH.SYS.TDMR.INIT
 * per TDMR until RDX reaches its end (no iteration cap).  Errors: §4's conversion
 * (sc_retry_prerr): VMFAILINVALID -> -ENODEV, #GP -> -EOPNOTSUPP, #UD -> -EACCES,
 * anything else -> -EIO.
 *
 * The program's result is tdx_bringup's: 0, or the errno (-ENODEV included).  Every
 * run is a new kvm_intel load.
 */
#include "vmm/kvm.h"

#define VMM_INIT_NO_VMXON 1u

static void set_vmx(struct flow_ctx *c, unsigned lp, bool on)
{
	KG(c)->lp_vmx[lp] = on;
	mod_lp(c->m, lp)->vmx_on = on; /* the platform's VMX state (tdxsim_world_set_vmx) */
}

/* The errno of an init SEAMCALL from the helper's verdict: the policy's ERRNO (the
 * kvm-* policies carry §4's conversion as INIT rules), or -- for a policy that says
 * BUG or WARN here -- §4's conversion of the status. */
static int64_t init_errno(struct flow_ctx *c)
{
	int64_t r = c->fr->ret;
	if (r == SC_OK)
		return 0;
	if (r < 0)
		return r;
	r = vmm_seamcall_errno(c->s->host.regs.r[OPERAND_ID_RAX]);
	return r ? r : -VMM_EIO;
}

/* ---- tdx_bringup --------------------------------------------------------------------------- */

#define MI_FLAGS c->fr->l[0]
#define MI_I c->fr->l[1]
#define MI_R c->fr->l[2]

enum flow_ret vmm_prog_module_init(struct flow_ctx *c)
{
	struct kvm_global *g;
	FLOW_BEGIN(c);
	/* Every run is one tdx_bringup() (a kvm_intel load): a second one finds the LPs
	 * initialized and tdx_enable's sticky state (INITIALIZED -> 0, ERROR -> -EINVAL). */
	MI_R = 0;
	if (!(MI_FLAGS & VMM_INIT_NO_VMXON) && KG(c)->kernel != VMM_KVM_2026) {
		/* kvm_enable_virtualization(): VMXON on every online CPU. */
		for (MI_I = 0; MI_I < KG(c)->n_lps; MI_I++) {
			FLOW_SHARED(c);
			if (KG(c)->lp_online[MI_I])
				set_vmx(c, (unsigned)MI_I, true);
		}
		FLOW_SHARED(c);
		KG(c)->virt_enabled = 1;
	}
	VMM_LOCK(c, &KG(c)->cpus_lock, VL_READ);
	FLOW_SHARED(c);
	KG(c)->cpuhp_tdx = 1;
	for (MI_I = 0; MI_I < KG(c)->n_lps; MI_I++) {
		FLOW_SHARED(c);
		if (!KG(c)->lp_online[MI_I])
			continue;
		if (KG(c)->kernel == VMM_KVM_2026 && !(MI_FLAGS & VMM_INIT_NO_VMXON))
			set_vmx(c, (unsigned)MI_I, true); /* x86_virt_get_cpu(X86_FEATURE_VMX) */
		FLOW_CALL(c, VF_TDX_CPU_ENABLE, MI_I, 0, 0, 0);
		if (c->fr->ret) {
			MI_R = (uint64_t)c->fr->ret;
			break;
		}
	}
	if (!MI_R) {
		FLOW_CALL(c, VF_TDX_ENABLE, 0, 0, 0, 0);
		MI_R = (uint64_t)c->fr->ret;
	}
	if (MI_R) {
		FLOW_SHARED(c);
		KG(c)->cpuhp_tdx = 0; /* cpuhp_remove_state */
	}
	VMM_UNLOCK(c, &KG(c)->cpus_lock, VL_READ);
	if (MI_R) {
		/* kvm_disable_virtualization() / the core's VMX put. */
		for (MI_I = 0; MI_I < KG(c)->n_lps; MI_I++) {
			FLOW_SHARED(c);
			if (KG(c)->lp_vmx[MI_I])
				set_vmx(c, (unsigned)MI_I, false);
		}
	}
	FLOW_SHARED(c);
	g = KG(c);
	if (MI_R)
		g->virt_enabled = 0;
	g->bringup_done = 1;
	g->bringup_ret = (int32_t)MI_R;
	g->enable_tdx = MI_R == 0;
	vmm_set_result(c, (int64_t)MI_R);
	FLOW_RETURN(c, (int64_t)MI_R);
	FLOW_END(c);
}

/* ---- tdx_cpu_enable ------------------------------------------------------------------------------ */

#define CE_LP c->fr->l[0]
#define CE_R c->fr->l[1]

enum flow_ret vmm_flow_tdx_cpu_enable(struct flow_ctx *c)
{
	FLOW_BEGIN(c);
	FLOW_SHARED(c);
	if (KG(c)->lp_tdx_init[CE_LP])
		FLOW_RETURN(c, 0);
	/* try_init_module_global() */
	VMM_LOCK(c, &KG(c)->sysinit_lock, VL_WRITE);
	FLOW_SHARED(c);
	if (KG(c)->sysinit_done) {
		CE_R = (uint64_t)(int64_t)KG(c)->sysinit_ret; /* cached, failures included */
	} else {
		VMM_SC(c, .site = TDXSIM_SITE_INIT, .leafv = LEAFV(LF_SYS_INIT, 0), ON_LP(CE_LP),
		       .rcx = 0);
		CE_R = (uint64_t)init_errno(c);
		FLOW_SHARED(c);
		KG(c)->sysinit_done = 1;
		KG(c)->sysinit_ret = (int32_t)CE_R;
	}
	VMM_UNLOCK(c, &KG(c)->sysinit_lock, VL_WRITE);
	if (CE_R)
		FLOW_RETURN(c, (int64_t)CE_R);
	VMM_SC(c, .site = TDXSIM_SITE_INIT, .leafv = LEAFV(LF_SYS_LP_INIT, 0), ON_LP(CE_LP));
	CE_R = (uint64_t)init_errno(c);
	if (!CE_R) {
		FLOW_SHARED(c);
		KG(c)->lp_tdx_init[CE_LP] = 1;
	}
	FLOW_RETURN(c, (int64_t)CE_R);
	FLOW_END(c);
}

/* ---- tdx_enable ---------------------------------------------------------------------------------- */

static const uint64_t sysinfo_fields[] = {
	MD_TDX_FEATURES0, MD_TDCS_BASE_SIZE, MD_TDVPS_BASE_SIZE, MD_MAX_VCPUS_PER_TD,
};
#define N_SYSINFO (sizeof(sysinfo_fields) / sizeof(sysinfo_fields[0]))

#define EN_R c->fr->l[0]
#define EN_I c->fr->l[1]
#define EN_LP c->fr->l[2]
#define EN_NEXT c->fr->l[3]

static void store_sysinfo(struct flow_ctx *c, unsigned i, uint64_t v)
{
	struct kvm_global *g = KG(c);
	if (sysinfo_fields[i] == MD_TDX_FEATURES0)
		g->features0 = v;
	else if (sysinfo_fields[i] == MD_TDCS_BASE_SIZE && v / 4096 >= 1 && v / 4096 <= VMM_MAX_TDCS)
		g->tdcs_nr_pages = (uint32_t)(v / 4096);
	else if (sysinfo_fields[i] == MD_TDVPS_BASE_SIZE && v / 4096 >= 1 && v / 4096 <= VMM_MAX_TDVPX + 1)
		g->tdvps_nr_pages = (uint32_t)(v / 4096);
}

enum flow_ret vmm_flow_tdx_enable(struct flow_ctx *c)
{
	FLOW_BEGIN(c);
	/* The push that called this flow is this step's change: end the step before a
	 * lock that may block (a BLOCKED step must change nothing). */
	FLOW_YIELD(c);
	VMM_LOCK(c, &KG(c)->tdx_module_lock, VL_WRITE);
	FLOW_SHARED(c);
	if (KG(c)->module_status == TDX_MODULE_INITIALIZED) {
		EN_R = 0;
		goto unlock;
	}
	if (KG(c)->module_status == TDX_MODULE_ERROR) {
		EN_R = (uint64_t)-VMM_EINVAL; /* no retry after a failed init */
		goto unlock;
	}
	/* 1. get_tdx_sys_info */
	for (EN_I = 0; EN_I < N_SYSINFO; EN_I++) {
		VMM_SC(c, .site = TDXSIM_SITE_INIT, .leafv = LEAFV(LF_SYS_RD, 0),
		       .rdx = sysinfo_fields[EN_I]);
		EN_R = (uint64_t)init_errno(c);
		if (EN_R)
			goto fail;
		FLOW_SHARED(c);
		store_sysinfo(c, (unsigned)EN_I, c->s->host.regs.r[OPERAND_ID_R8]);
	}
	/* 2. check_features */
	if (!(KG(c)->features0 & TDX_FEATURES0_NO_RBP_MOD)) {
		EN_R = (uint64_t)-VMM_EINVAL;
		goto fail;
	}
	/* 3-5: memlist, TDMRs and PAMTs are host memory (no SEAMCALL).  6. */
	VMM_SC(c, .site = TDXSIM_SITE_INIT, .leafv = LEAFV(LF_SYS_CONFIG, 0), .rcx = VMM_TDMR_INFO_PA,
	       .rdx = KG(c)->n_tdmrs, .r8 = KG(c)->global_keyid);
	EN_R = (uint64_t)init_errno(c);
	if (EN_R)
		goto fail;
	/* 7. config_global_keyid: one CPU per package, sequentially. */
	for (EN_I = 0; EN_I < KG(c)->n_pkgs; EN_I++) {
		FLOW_SHARED(c);
		EN_LP = (uint64_t)(int64_t)kvm_pkg_first_online(c->vmm, (unsigned)EN_I);
		if ((int64_t)EN_LP < 0)
			continue;
		VMM_SC(c, .site = TDXSIM_SITE_INIT, .leafv = LEAFV(LF_SYS_KEY_CONFIG, 0), ON_LP(EN_LP));
		EN_R = (uint64_t)init_errno(c);
		if (EN_R)
			goto fail;
	}
	/* 8. init_tdmrs: resume through RDX until the TDMR's end. */
	for (EN_I = 0; EN_I < KG(c)->n_tdmrs; EN_I++) {
		EN_NEXT = KG(c)->tdmr_base[EN_I];
		while (EN_NEXT < KG(c)->tdmr_base[EN_I] + KG(c)->tdmr_size[EN_I]) {
			VMM_SC(c, .site = TDXSIM_SITE_INIT, .leafv = LEAFV(LF_SYS_TDMR_INIT, 0),
			       .rcx = KG(c)->tdmr_base[EN_I]);
			EN_R = (uint64_t)init_errno(c);
			if (EN_R)
				goto fail;
			EN_NEXT = c->s->host.regs.r[OPERAND_ID_RDX];
		}
	}
	FLOW_SHARED(c);
	KG(c)->module_status = TDX_MODULE_INITIALIZED;
	EN_R = 0;
	goto unlock;
fail:
	FLOW_SHARED(c);
	KG(c)->module_status = TDX_MODULE_ERROR;
unlock:
	VMM_UNLOCK(c, &KG(c)->tdx_module_lock, VL_WRITE);
	FLOW_RETURN(c, (int64_t)EN_R);
	FLOW_END(c);
}
