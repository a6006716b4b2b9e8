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
	unsigned n_frames;       /* the module's frames the VMM allocates from (0: 4096, the
	                          * module default; more than the module has are not used) */
	unsigned n_memslots;     /* memslots per VM (default 1, covering the private range) */
	uint64_t hp_timeout_us;  /* TDCS hp_lock_timeout the VMM writes at TD init; 0 = leave */
	uint64_t private_base;   /* first private GPA the mirror EPT tracks (the guest's
	                          * private_base; memslots split [base, base + pages)) */
};

/* Host programs an actor can run (the scenario's `thread:` and `vcpu:` actors,
 * and the setup the engine runs before the measured part). */
/* Argument conventions: docs/vmm-model.md "Programs".  Every program leaves its
 * result (0 or -errno) in vmm_actor_result() and reports VMM_EV_FLOW_END. */
enum vmm_program {
	VMM_PROG_VCPU_RUN,        /* KVM_RUN loop of one vCPU (a0 = vm, a1 = vcpu, a2 = max entries) */
	VMM_PROG_MODULE_INIT,     /* tdx_enable + tdx_cpu_enable on every online CPU (§5); a0 = flags
	                           * (1: skip VMXON, the SEAMCALLs #UD) */
	VMM_PROG_CPU_ONLINE,      /* hotplug: VMXON + tdx_cpu_enable on LP a0 */
	VMM_PROG_CPU_OFFLINE,     /* hotplug: offline LP a0 (refused for the last of a package) */
	VMM_PROG_TD_CREATE,       /* KVM_TDX_INIT_VM (a0 = vm); vCPUs: VMM_PROG_VCPU_INIT */
	VMM_PROG_TD_INIT_MEM,     /* KVM_TDX_INIT_MEM_REGION of a0 = vm (| 1 << 8: not measured),
	                           * a1 = gpa, a2 = pages; on vCPU 0's fd */
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

/* Scenario inputs (between steps). */
void vmm_vcpu_set_event(void *vmm, unsigned vm, unsigned vcpu, bool pending);  /* an interrupt */
void vmm_vcpu_set_signal(void *vmm, unsigned vm, unsigned vcpu, bool pending); /* a signal */
/* Userspace stops the vCPU thread: a signal, after which it does not call KVM_RUN
 * again (VMM_PROG_VCPU_RUN ends with result 0). */
void vmm_vcpu_stop(void *vmm, unsigned vm, unsigned vcpu);
/* Userspace's answer to the MapGPA KVM_EXIT_HYPERCALL exits (hypercall.ret, positive
 * errno or 0) for chunk `chunk` of the VM's vCPUs (-1: every chunk). */
void vmm_vm_set_hypercall_ret(void *vmm, unsigned vm, int ret, int chunk);
/* Misbehaving VMM (tests the guest's checks): MapGPA RETRY responses carry R11 = r11
 * instead of the next GPA; set = false restores KVM's behaviour. */
void vmm_vm_set_mapgpa_r11(void *vmm, unsigned vm, bool set, uint64_t r11);
/* Fault injection: the next `count` calls of SEAMCALL `leaf` (0xFFFF = any) on LP
 * `lp` (-1 = any) fail at the instruction with `status` (e.g. TDX_SEAMCALL_GP).
 * Returns false if the table is full. */
bool vmm_inject_status(void *vmm, unsigned leaf, int lp, unsigned count, uint64_t status);

/* Reports. */
int64_t vmm_actor_result(void *vmm, unsigned actor);       /* last finished program's result */
const char *vmm_flow_name(unsigned fn);
/* The VMM locks an actor holds now, as the profile names them (docs/vmm-profile.md):
 * "mmu_lock", "vcpu_mutex", "kvm_lock", "slots_lock", "tdx_lock", "cpus_read_lock",
 * "spte_frozen", "tdx_module_lock", "sysinit_lock", "bringup", "vm_destroy". */
struct vmm_held {
	const char *name;
	int mode;                /* 0 read (rwlock), 1 held / write, 2 all (every vcpu->mutex) */
	unsigned vm;             /* instance: VM (td-scoped locks), else 0 */
};
unsigned vmm_actor_locks(void *vmm, unsigned actor, struct vmm_held *out, unsigned max);
/* Every held VMM lock with its holders, the SRCU readers a synchronize_srcu() waits
 * for, unacknowledged kicks and blocked TD entry: for deadlock reports. */
void vmm_describe_locks(void *vmm, char *buf, size_t len);

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
	VMM_EV_USER_EXIT,         /* the vCPU returned to userspace (a = KVM_EXIT_* reason:
	                           * 17 INTERNAL_ERROR b = VP.ENTER status, 39 MEMORY_FAULT
	                           * b = GPA, 10 INTR; 0 = the ioctl failed, b = errno) */
};
/* VMM_EV_FLOW_BEGIN/END `a`. */
enum vmm_flow_kind {
	VMM_FK_PROGRAM = 0x100,   /* + enum vmm_program: a program (END b = its result) */
	VMM_FK_FAULT = 1,         /* tdx_handle_ept_violation (END b = RET_PF_* or -errno) */
	VMM_FK_REMOVAL = 2,       /* removal of one private leaf (END b = 0 / -errno) */
	VMM_FK_MAPGPA = 3,        /* one TDVMCALL<MapGPA> (END b = TDVMCALL status) */
	VMM_FK_KICK = 4,          /* kvm_make_all_cpus_request(..., WAIT) */
};
struct vmm_hooks {
	void (*event)(void *ctx, unsigned actor, enum vmm_event ev, uint64_t a, uint64_t b, uint64_t c);
	void *ctx;
};

#endif
