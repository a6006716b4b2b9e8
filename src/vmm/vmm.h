/* SPDX-License-Identifier: MIT */
/*
 * The host VMM model (KVM-like) as seen by the layers above it: its state region
 * in the world, the programs host actors run, and the queries the guest layer
 * and the engine need.  Internals: src/vmm/kvm.h.
 */
#ifndef TDXSIM_VMM_VMM_H
#define TDXSIM_VMM_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tdxsim/policy.h"
#include "vmm/flow.h"

/* Which KVM the model is (lock structure and the version-specific paths). */
enum vmm_kernel {
	VMM_KVM_6_16 = 616,   /* linux-kvm-tdx.md [v6.16] (also 6.17/6.18) */
	VMM_KVM_6_19 = 619,   /* [v6.19]: tdh_do_no_vcpus, state guard, VP.INIT under mmu_lock */
	VMM_KVM_2026 = 2026,  /* [kvm-x86-2026]: + memslot bail-out, init in the core kernel */
};

struct vmm_config {
	enum vmm_kernel kernel;
	const struct tdxsim_policy *policy;   /* the retry policy (not owned) */
	unsigned n_vms;          /* TDs (default 1) */
	unsigned n_vcpus;        /* vCPUs per TD */
	unsigned n_gpa_pages;    /* private GPA pages per TD the model tracks (mirror EPT) */
	unsigned n_lps, n_pkgs;  /* must match the module config */
	unsigned n_memslots;     /* memslots per VM (default 1, covering the private range) */
	uint64_t hp_timeout_us;  /* TDCS hp_lock_timeout the VMM writes at TD init; 0 = leave */
};

/* Host programs an actor can run (the scenario's `thread:` and `vcpu:` actors,
 * and the setup the engine runs before the measured part). */
enum vmm_program {
	VMM_PROG_VCPU_RUN,        /* KVM_RUN loop of one vCPU (a0 = vm, a1 = vcpu, a2 = max entries) */
	VMM_PROG_MODULE_INIT,     /* tdx_enable + tdx_cpu_enable on every online CPU (§5) */
	VMM_PROG_CPU_ONLINE,      /* hotplug: VMXON + tdx_cpu_enable on LP a0 */
	VMM_PROG_CPU_OFFLINE,     /* hotplug: offline LP a0 (refused for the last of a package) */
	VMM_PROG_TD_CREATE,       /* KVM_TDX_INIT_VM etc. up to vCPU init (a0 = vm) */
	VMM_PROG_TD_INIT_MEM,     /* KVM_TDX_INIT_MEM_REGION of a0 = vm, a1 = gpa, a2 = pages */
	VMM_PROG_TD_FINALIZE,     /* KVM_TDX_FINALIZE_VM (a0 = vm) */
	VMM_PROG_VCPU_INIT,       /* KVM_TDX_INIT_VCPU (a0 = vm, a1 = vcpu) */
	VMM_PROG_ZAP_RANGE,       /* punch hole / conversion: zap a0 = vm, a1 = gpa, a2 = pages */
	VMM_PROG_MEMSLOT_DELETE,  /* delete memslot a1 of vm a0 (invalidate, SRCU sync, zap) */
	VMM_PROG_TD_TEARDOWN,     /* release HKID, reclaim every page (a0 = vm) */
	VMM_PROG_PREFAULT,        /* map a0 = vm, a1 = gpa, a2 = pages as a vCPU fault would */
	VMM_PROG__COUNT
};

size_t vmm_state_size(const struct vmm_config *cfg);
void vmm_state_init(void *vmm, const struct vmm_config *cfg, struct tdxsim_mod *m);
/* The flow table for host stacks (flow ids are the VMM's). */
const flow_fn *vmm_flow_table(void);
/* Push program p's first frame on an empty stack. */
void vmm_program_start(struct flow_ctx *c, enum vmm_program p, uint64_t a0, uint64_t a1, uint64_t a2);

/* vCPU <-> guest: the guest layer asks these while its vCPU is in guest mode. */
bool vmm_vcpu_kick_pending(void *vmm, unsigned vm, unsigned vcpu); /* IPI: exit now */
uint64_t vmm_vcpu_tdvpr(void *vmm, unsigned vm, unsigned vcpu);    /* TDVPR HPA */
bool vmm_vm_dead(void *vmm, unsigned vm);

/* Events a run reports (counted by the engine's hooks; see struct vmm_hooks). */
enum vmm_event {
	VMM_EV_SEAMCALL,          /* a = leaf, b = status, c = attempt */
	VMM_EV_BUSY,              /* a = leaf, b = status */
	VMM_EV_RETRY,             /* a = leaf, b = attempt */
	VMM_EV_KICK,              /* a = vm */
	VMM_EV_VM_BUG,            /* a = leaf, b = status: the VM is dead */
	VMM_EV_ZERO_STEP,         /* a = vcpu: VP.ENTER took the tree ex / emulated exit */
	VMM_EV_HP_TIMEOUT,        /* a = vcpu */
	VMM_EV_FLOW_BEGIN,        /* a = flow kind (fault, removal, accept, mapgpa ...) */
	VMM_EV_FLOW_END,          /* a = flow kind, b = result */
	VMM_EV_STALL,             /* the VMM cannot make progress (documented cause in a) */
	VMM_EV_USER_EXIT,         /* the vCPU returned to userspace (a = exit reason) */
};
struct vmm_hooks {
	void (*event)(void *ctx, unsigned actor, enum vmm_event ev, uint64_t a, uint64_t b, uint64_t c);
	void *ctx;
};

#endif
