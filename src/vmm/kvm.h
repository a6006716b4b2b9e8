/* SPDX-License-Identifier: MIT */
/*
 * The host VMM model (KVM TDX, linux-kvm-tdx.md) inside: its state layout in the
 * world's VMM region, the flow ids, the VMM locks and the helpers every flow file
 * uses.  docs/vmm-model.md describes what is modelled per KVM version.
 *
 * State layout (all offsets from the region base, 64-byte aligned; no pointers, so
 * the region is position-independent and a snapshot is a memcpy; dead data is
 * zeroed so that equal states compare equal):
 *
 *   struct kvm_global | kvm_vm[n_vms] | kvm_vcpu[n_vms * n_vcpus] |
 *   kvm_memslot[n_vms * n_memslots] | kvm_leaf[n_vms * n_pages] |
 *   kvm_link[n_vms * n_links] | frame bitmap | leaked-frame bitmap
 *
 * Frame numbers and HKIDs are stored "+1" where 0 means none.
 */
#ifndef TDXSIM_VMM_KVM_H
#define TDXSIM_VMM_KVM_H

#include <stdbool.h>
#include <stdint.h>

#include "module/mod.h"
#include "tdxsim/policy.h"
#include "vmm/flow.h"
#include "vmm/vmm.h"

/* ---- limits ------------------------------------------------------------------- */

#define VMM_MAX_ACTORS 64      /* actor ids index 64-bit masks (SRCU readers, IPIs) */
#define VMM_MAX_LPS 64
#define VMM_MAX_HKID_WORDS 32  /* 2048 HKIDs */
#define VMM_MAX_TDMRS 16
#define VMM_MAX_TDCS 9         /* MAX_NUM_TDCS_PAGES */
#define VMM_MAX_TDVPX 8
#define VMM_MAX_INJECT 8
#define VMM_N_LINK_LEVELS 3    /* non-leaf mirror SPTEs at KVM levels 2..4 (TDX 1..3) */

/* ---- SEAMCALL leaf numbers (linux-kvm-tdx.md §4) -------------------------------- */

enum {
	LF_VP_ENTER = 0, LF_MNG_ADDCX = 1, LF_MEM_PAGE_ADD = 2, LF_MEM_SEPT_ADD = 3,
	LF_VP_ADDCX = 4, LF_MEM_PAGE_AUG = 6, LF_MEM_RANGE_BLOCK = 7, LF_MNG_KEY_CONFIG = 8,
	LF_MNG_CREATE = 9, LF_VP_CREATE = 10, LF_MNG_WR = 13, LF_MR_EXTEND = 16,
	LF_MR_FINALIZE = 17, LF_VP_FLUSH = 18, LF_MNG_VPFLUSHDONE = 19, LF_MNG_KEY_FREEID = 20,
	LF_MNG_INIT = 21, LF_VP_INIT = 22, LF_PHYMEM_PAGE_RECLAIM = 28, LF_MEM_PAGE_REMOVE = 29,
	LF_SYS_KEY_CONFIG = 31, LF_SYS_INIT = 33, LF_SYS_RD = 34, LF_SYS_LP_INIT = 35,
	LF_SYS_TDMR_INIT = 36, LF_MEM_TRACK = 38, LF_PHYMEM_CACHE_WB = 40,
	LF_PHYMEM_PAGE_WBINVD = 41, LF_SYS_CONFIG = 45,
};
#define LEAFV(leaf, ver) ((uint64_t)(leaf) | ((uint64_t)(ver) << 16))

/* ---- errno values (Linux, x86) ---------------------------------------------------- */

enum {
	VMM_EINTR = 4, VMM_EIO = 5, VMM_EAGAIN = 11, VMM_ENOMEM = 12, VMM_EACCES = 13,
	VMM_EFAULT = 14, VMM_EBUSY = 16, VMM_ENODEV = 19, VMM_EINVAL = 22, VMM_ENOSPC = 28,
	VMM_EOPNOTSUPP = 95,
};
const char *vmm_errno_name(int e);          /* "EBUSY"; NULL if unknown */
/* §4 host-core conversion (sc_retry_prerr): VMFAILINVALID -> -ENODEV, SEAMCALL #GP ->
 * -EOPNOTSUPP, #UD -> -EACCES, anything else -> -EIO, success -> 0. */
int vmm_seamcall_errno(tdx_status_t s);

/* ---- KVM constants ------------------------------------------------------------- */

/* RET_PF_* (arch/x86/kvm/mmu/mmu_internal.h; §2: RET_PF_RETRY = 1). */
enum { RET_PF_CONTINUE = 0, RET_PF_RETRY = 1, RET_PF_EMULATE = 2, RET_PF_WRITE_PROTECTED = 3,
       RET_PF_INVALID = 4, RET_PF_FIXED = 5, RET_PF_SPURIOUS = 6 };
/* Model-internal: RET_PF_RETRY because TDH.MEM.PAGE.ADD in the S-EPT hook failed with -EBUSY (the
 * caller of kvm_tdp_mmu_map sees RET_PF_RETRY; build-time PAGE.ADD reports the
 * hook's -EBUSY to userspace, §1.2). */
#define RET_PF_RETRY_ADD_EBUSY 0x101

/* KVM exit reasons reported with VMM_EV_USER_EXIT (include/uapi/linux/kvm.h). */
enum { KVM_EXIT_UNKNOWN = 0, KVM_EXIT_HYPERCALL = 3, KVM_EXIT_INTR = 10,
       KVM_EXIT_INTERNAL_ERROR = 17, KVM_EXIT_MEMORY_FAULT = 39 };

/* VMX exit reasons (VP.ENTER RAX[15:0]). */
enum { EXIT_REASON_EXTERNAL_INTERRUPT = 1, EXIT_REASON_HLT = 12, EXIT_REASON_EPT_VIOLATION = 48,
       EXIT_REASON_TDCALL = 77 };
#define TDX_EXT_EXIT_QUAL_TYPE_MASK 0xFull
#define TDX_EXT_EXIT_QUAL_TYPE_PENDING_EPT_VIOLATION 6
#define EPT_VIOLATION_PROT_MASK (7ull << 3)   /* EPT_VIOLATION_PROT_{READ,WRITE,EXEC} */

/* GHCI TDG.VP.VMCALL (§6.2). */
#define TDVMCALL_MAP_GPA 0x10001ull
#define TDVMCALL_STATUS_SUCCESS 0x0000000000000000ull
#define TDVMCALL_STATUS_RETRY 0x0000000000000001ull
#define TDVMCALL_STATUS_INVALID_OPERAND 0x8000000000000000ull
#define TDVMCALL_STATUS_ALIGN_ERROR 0x8000000000000002ull
#define TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED 0x8000000000000003ull
#define TDX_MAP_GPA_MAX_LEN (2ull << 20)

/* Retry constants (§4). */
#define RDRAND_RETRY_LOOPS 10
#define TDX_SEAMCALL_RETRIES 10000
#define TDX_EXTENDMR_CHUNKSIZE 256
/* Model choice: userspace retries an ioctl that failed with -EBUSY/-EAGAIN at most
 * this many times (QEMU retries KVM_TDX_INIT_MEM_REGION/FINALIZE; the bound keeps
 * a checker's state space finite). */
#define VMM_USER_RETRIES 100

/* Shared (non-TDX) host memory below the TDX range: the TDMR PA array of
 * TDH.SYS.CONFIG, PAGE.ADD's source page and TDH.MNG.INIT's TD_PARAMS. */
#define VMM_SHARED_PAGE(i) (0x100000ull + (uint64_t)(i) * 4096)
#define VMM_TDMR_INFO_PA VMM_SHARED_PAGE(0)
#define VMM_SOURCE_PA VMM_SHARED_PAGE(1)
#define VMM_TD_PARAMS_PA VMM_SHARED_PAGE(2)

/* The emulated TD's GPA width (module/sept_walk.h: 48, shared bit 47). */
#define VMM_GPAW 48
#define VMM_SHARED_BIT (1ull << (VMM_GPAW - 1))
#define VMM_TDCS_HP_LOCK_TIMEOUT_FIELD 0x9110000300000011ull
/* TDX_FEATURES0 (TDH.SYS.RD fields, Linux tdx_global_metadata.c). */
#define MD_TDX_FEATURES0 0x0A00000300000008ull
#define MD_TDCS_BASE_SIZE 0x9800000100000100ull
#define MD_TDVPS_BASE_SIZE 0x9800000100000200ull
#define MD_MAX_VCPUS_PER_TD 0x9900000100000008ull
#define TDX_FEATURES0_NO_RBP_MOD (1ull << 18)

/* ---- VMM locks ------------------------------------------------------------------ */

/* A blocking VMM lock: a mutex (writer only) or an rwlock.  Holders are recorded by
 * actor id so that a deadlock report can name them. */
struct vlock {
	uint16_t writer;        /* actor + 1, 0 = free */
	uint16_t nreaders;
	uint32_t pad;
	uint64_t readers;       /* actor mask */
};
enum vmode { VL_READ = 0, VL_WRITE = 1 };

/* Lock ids for reports and FLOW_LOCK helpers: class << 24 | vm << 12 | index. */
enum vlock_class {
	VLC_TDX_LOCK = 1, VLC_CPUS = 2, VLC_TDX_MODULE = 3, VLC_SYSINIT = 4,
	VLC_MMU = 5, VLC_KVM = 6, VLC_SLOTS = 7, VLC_VCPU = 8,
};

/* ---- state ---------------------------------------------------------------------- */

enum td_state { TD_STATE_UNINITIALIZED = 0, TD_STATE_INITIALIZED = 1, TD_STATE_RUNNABLE = 2,
		TD_STATE_DESTROYED = 3 };
enum tdx_module_status { TDX_MODULE_UNINITIALIZED = 0, TDX_MODULE_INITIALIZED = 1,
			 TDX_MODULE_ERROR = 2 };
enum vcpu_mode { OUTSIDE_GUEST_MODE = 0, IN_GUEST_MODE = 1, EXITING_GUEST_MODE = 2 };
#define KVM_REQ_VM_DEAD 1u      /* the only request bit the model keeps; OUTSIDE_GUEST_MODE
				 * is KVM_REQUEST_NO_ACTION (kick only, no bit) */

enum mirror_state { MS_NONE = 0, MS_FROZEN = 1, MS_PRESENT = 2, MS_PREMAPPED = 3 };

/* A test/scenario knob: the next `count` calls of `leaf` (0xFFFF any) on `lp` (-1 any)
 * return `status` at the SEAMCALL instruction without entering the module (models a
 * #GP / #UD / VMfailInvalid / RND_NO_ENTROPY the emulated module never produces). */
struct vmm_inject {
	uint32_t leaf;
	int32_t lp;
	uint32_t count;
	uint32_t pad;
	uint64_t status;
};

struct kvm_global {
	uint32_t magic;
	uint32_t kernel;                /* enum vmm_kernel */
	uint32_t n_vms, n_vcpus, n_pages, n_memslots, n_links, n_lps, n_pkgs, n_frames;
	uint32_t n_hkids, n_tdmrs;
	uint64_t private_base;
	uint64_t mem_base;              /* HPA of frame 0 */
	uint64_t off_vms, off_vcpus, off_slots, off_leaves, off_links, off_frames, off_leaked;
	uint64_t size;
	uint32_t link_first[VMM_N_LINK_LEVELS];   /* first region index per link level */
	uint32_t link_off[VMM_N_LINK_LEVELS];     /* link index base per level */
	uint32_t pa_shift;              /* HKID position in a PA (pa_bits - hkid_bits) */
	uint32_t hp_timeout_us;         /* vmm_config.hp_timeout_us (0: leave the default) */
	uint32_t attempt_cap;           /* retry counters saturate here (see vmm_attempt_inc) */
	uint32_t pad2;
	struct tdxsim_policy policy;    /* a copy: the world stays self-contained */
	/* Global locks. */
	struct vlock tdx_lock;          /* KVM's DEFINE_MUTEX(tdx_lock) (§1.1) */
	struct vlock cpus_lock;         /* cpu_hotplug_lock (rw) */
	struct vlock tdx_module_lock;   /* host core tdx_module_lock (§5.2) */
	struct vlock sysinit_lock;      /* host core raw spinlock sysinit_lock (§5.2) */
	/* Host core / KVM module state (§5). */
	uint8_t module_status;          /* enum tdx_module_status */
	uint8_t sysinit_done;
	uint8_t virt_enabled;           /* kvm_enable_virtualization() done */
	uint8_t cpuhp_tdx;              /* the TDX cpuhp state is registered */
	uint8_t enable_tdx;             /* TDX usable by KVM */
	uint8_t bringup_done;
	uint8_t pad1[2];
	int32_t sysinit_ret;            /* cached result of TDH.SYS.INIT (errno) */
	int32_t bringup_ret;            /* tdx_bringup() result */
	uint8_t lp_online[VMM_MAX_LPS];
	uint8_t lp_vmx[VMM_MAX_LPS];
	uint8_t lp_tdx_init[VMM_MAX_LPS];  /* per-CPU tdx_lp_initialized */
	uint8_t lp_pkg[VMM_MAX_LPS];
	uint32_t nr_configured_hkid;
	uint32_t global_keyid;
	uint64_t hkid_used[VMM_MAX_HKID_WORDS];
	uint64_t features0;
	uint32_t tdcs_nr_pages, tdvps_nr_pages;
	uint64_t tdmr_base[VMM_MAX_TDMRS], tdmr_size[VMM_MAX_TDMRS];
	uint32_t frames_free, frames_leaked;
	struct vmm_inject inject[VMM_MAX_INJECT];
	/* Per actor (engine actor ids). */
	uint8_t actor_prog[VMM_MAX_ACTORS];   /* program + 1 */
	uint8_t actor_destroy[VMM_MAX_ACTORS];/* inside kvm_destroy_vm (the vm_destroy thread) */
	int32_t actor_ret[VMM_MAX_ACTORS];    /* result of the last finished program */
};

struct kvm_vm {
	struct vlock mmu_lock, kvm_lock, slots_lock;
	uint8_t td_state;               /* enum td_state (KVM's kvm_tdx->state) */
	uint8_t dead, bugged;           /* kvm->vm_dead, kvm->vm_bugged */
	uint8_t create_failed;          /* KVM_TDX_INIT_VM failed after TDH.MNG.CREATE */
	uint8_t hc_map_gpa;             /* userspace enabled the KVM_HC_MAP_GPA_RANGE exit */
	uint8_t page_add_src;           /* 6.19: INIT_MEM_REGION is populating (page_add_src set) */
	uint8_t destroying;             /* the last reference is gone: no more vCPU ioctls */
	uint8_t pad;
	uint32_t hkid;                  /* +1, 0 = none (is_hkid_assigned) */
	uint32_t wait_for_sept_zap;     /* §1.3 flag, kept as a nesting count (see sept_remove.c) */
	int64_t nr_premapped;           /* 6.16 */
	uint64_t srcu_readers;          /* actor mask */
	uint64_t srcu_wait;             /* readers a synchronize_srcu() still waits for */
	uint64_t mmu_invalidate_seq;
	uint32_t mmu_invalidate_in_progress;
	uint32_t pad2;
	uint64_t inv_start, inv_end;    /* GPA range of the invalidation in progress */
	uint32_t tdr;                   /* frame + 1 */
	uint32_t tdcs[VMM_MAX_TDCS];    /* frame + 1 */
	uint32_t ntdcs;
	int32_t user_hc_ret;            /* what userspace puts in hypercall.ret for MapGPA */
	int32_t user_hc_ret_chunk;      /* chunk index it applies to, -1 = every chunk */
	uint32_t hc_chunks;             /* MapGPA chunks userspace completed, up to user_hc_ret_chunk + 1 */
	uint32_t bad_r11_set;           /* misbehaving VMM: RETRY carries bad_r11 instead of map_gpa_next */
	uint64_t bad_r11;
};

struct kvm_vcpu {
	struct vlock mutex;             /* vcpu->mutex */
	uint8_t mode;                   /* enum vcpu_mode */
	uint8_t created;                /* TDH.VP.CREATE done (is_td_vcpu_created) */
	uint8_t initialized;            /* KVM_TDX_INIT_VCPU done */
	uint8_t pending_event;          /* an interrupt the scenario injected */
	uint8_t pending_signal;         /* signal_pending(current) of its vCPU thread */
	uint8_t resp_pending;           /* a TDVMCALL response goes into the next VP.ENTER */
	uint8_t in_run;                 /* inside KVM_RUN */
	uint8_t stop;                   /* userspace leaves its KVM_RUN loop at the next -EINTR */
	uint8_t halted;                 /* mp_state KVM_MP_STATE_HALTED (TDVMCALL<HLT>) */
	uint8_t pad3[7];
	uint32_t requests;              /* KVM_REQ_* bits */
	int32_t cpu;                    /* vcpu->cpu: LP it was last loaded on, -1 none */
	uint64_t ipi_from;              /* kick IPIs not yet acknowledged: kicker actor mask */
	uint32_t tdvpr;                 /* frame + 1 */
	uint32_t tdvpx[VMM_MAX_TDVPX];  /* frame + 1 */
	uint32_t ntdvpx;
	uint64_t enter_r10, enter_r11;  /* vp_enter_args.r10/r11 (TDVMCALL return code, R11) */
	uint64_t map_gpa_next, map_gpa_end;
	uint64_t entries;               /* TDH.VP.ENTER calls, counted while KVM_RUN has a budget */
};

struct kvm_memslot {
	uint64_t base, npages;
	uint8_t present, invalid;       /* KVM_MEMSLOT_INVALID */
	uint8_t pad[6];
};

/* Mirror EPT leaf of one private GPA page, and the guest_memfd page behind it. */
struct kvm_leaf {
	uint8_t state;                  /* enum mirror_state */
	uint8_t leaked;                 /* the gmem page could not be reclaimed */
	uint16_t frozen_by;             /* actor + 1 while FROZEN */
	uint32_t gmem;                  /* frame + 1 of the guest_memfd page */
};

/* Non-leaf mirror SPTE linking an S-EPT page (TDH.MEM.SEPT.ADD). */
struct kvm_link {
	uint8_t state;                  /* MS_NONE, MS_FROZEN, MS_PRESENT */
	uint8_t leaked;
	uint16_t frozen_by;
	uint32_t sept;                  /* frame + 1 of the S-EPT page */
};

#define KVM_MAGIC 0x4B564D53u /* "KVMS" */

/* ---- accessors ------------------------------------------------------------------- */

static inline struct kvm_global *kvm_g(void *vmm) { return (struct kvm_global *)vmm; }
static inline struct kvm_vm *kvm_vm(void *vmm, unsigned vm)
{
	return (struct kvm_vm *)((uint8_t *)vmm + kvm_g(vmm)->off_vms) + vm;
}
static inline struct kvm_vcpu *kvm_vcpu(void *vmm, unsigned vm, unsigned vcpu)
{
	struct kvm_global *g = kvm_g(vmm);
	return (struct kvm_vcpu *)((uint8_t *)vmm + g->off_vcpus) + (uint64_t)vm * g->n_vcpus + vcpu;
}
static inline struct kvm_memslot *kvm_slot(void *vmm, unsigned vm, unsigned slot)
{
	struct kvm_global *g = kvm_g(vmm);
	return (struct kvm_memslot *)((uint8_t *)vmm + g->off_slots) + (uint64_t)vm * g->n_memslots + slot;
}
static inline struct kvm_leaf *kvm_leaf_at(void *vmm, unsigned vm, unsigned page)
{
	struct kvm_global *g = kvm_g(vmm);
	return (struct kvm_leaf *)((uint8_t *)vmm + g->off_leaves) + (uint64_t)vm * g->n_pages + page;
}
static inline struct kvm_link *kvm_link_at(void *vmm, unsigned vm, unsigned idx)
{
	struct kvm_global *g = kvm_g(vmm);
	return (struct kvm_link *)((uint8_t *)vmm + g->off_links) + (uint64_t)vm * g->n_links + idx;
}

/* The context's VMM state. */
#define KG(c) kvm_g((c)->vmm)
#define KVM(c, vm) kvm_vm((c)->vmm, (unsigned)(vm))
#define VCPU(c, vm, v) kvm_vcpu((c)->vmm, (unsigned)(vm), (unsigned)(v))

/* Private GPA page index of gpa, or -1 if outside the tracked range. */
int64_t kvm_gpa_page(void *vmm, uint64_t gpa);
uint64_t kvm_page_gpa(void *vmm, unsigned page);
/* Mirror link of the non-leaf SPTE at TDX level tl (1..3) covering gpa; NULL if outside. */
struct kvm_link *kvm_link_of(void *vmm, unsigned vm, unsigned tl, uint64_t gpa);
/* Memslot containing gpa (present), or -1. */
int kvm_slot_of(void *vmm, unsigned vm, uint64_t gpa);

/* HPA helpers. */
static inline uint64_t kvm_hpa(struct flow_ctx *c, uint32_t frame1)
{
	return frame1 ? mod_hpa_of(c->m, frame1 - 1) : 0;
}
/* mk_keyed_paddr(hkid, pa). */
static inline uint64_t kvm_keyed(struct flow_ctx *c, unsigned hkid, uint64_t pa)
{
	return pa | ((uint64_t)hkid << KG(c)->pa_shift);
}

/* ---- page allocator over the module's frames (deterministic: lowest free) -------- */

uint32_t kvm_frame_alloc(void *vmm);              /* frame + 1, 0 if none left */
void kvm_frame_free(void *vmm, uint32_t frame1);
void kvm_frame_leak(void *vmm, uint32_t frame1);  /* never handed out again */

/* ---- VMM locks ------------------------------------------------------------------- */

struct vlock *vlock_get(struct flow_ctx *c, uint32_t id);
static inline uint32_t vlock_id(enum vlock_class k, unsigned vm, unsigned idx)
{
	return ((uint32_t)k << 24) | ((uint32_t)vm << 12) | idx;
}
bool vlock_try(struct flow_ctx *c, struct vlock *l, enum vmode mode);
void vlock_release(struct flow_ctx *c, struct vlock *l, enum vmode mode);
bool vlock_held_by(const struct vlock *l, unsigned actor, enum vmode *mode);

/* Blocking acquire: the step is BLOCKED (no change) until the lock is free. */
#define VMM_LOCK(c, lk, mode) FLOW_WAIT_UNTIL((c), vlock_try((c), (lk), (mode)))
#define VMM_UNLOCK(c, lk, mode)                                                       \
	do {                                                                           \
		FLOW_SHARED(c);                                                        \
		vlock_release((c), (lk), (mode));                                      \
	} while (0)

/* SRCU (kvm->srcu) read side; synchronize_srcu waits for the readers present when it
 * started (vm->srcu_wait), each of which clears its bit at its next read_unlock. */
void kvm_srcu_lock(struct flow_ctx *c, unsigned vm);
void kvm_srcu_unlock(struct flow_ctx *c, unsigned vm);

/* ---- events ---------------------------------------------------------------------- */

void vmm_emit(struct flow_ctx *c, enum vmm_event ev, uint64_t a, uint64_t b, uint64_t d);
void vmm_set_result(struct flow_ctx *c, int64_t ret);

/* ---- flows ------------------------------------------------------------------------- */

enum vmm_flow_id {
	/* Programs first, in enum vmm_program order. */
	VF_PROG_VCPU_RUN = 0, VF_PROG_MODULE_INIT, VF_PROG_CPU_ONLINE, VF_PROG_CPU_OFFLINE,
	VF_PROG_TD_CREATE, VF_PROG_TD_INIT_MEM, VF_PROG_TD_FINALIZE, VF_PROG_VCPU_INIT,
	VF_PROG_ZAP_RANGE, VF_PROG_MEMSLOT_DELETE, VF_PROG_TD_TEARDOWN, VF_PROG_PREFAULT,
	/* Sub-flows. */
	VF_SEAMCALL, VF_KICK, VF_VM_BUG, VF_GUARD, VF_KVM_RUN, VF_EPT_VIOLATION, VF_TDP_MAP,
	VF_TDP_MAP_LOOP, VF_REMOVE_LEAF, VF_TRACK, VF_ZAP_GFNS, VF_TDX_CPU_ENABLE,
	VF_TDX_ENABLE, VF_MAPGPA, VF_RECLAIM, VF_RELEASE_HKID, VF_VP_FLUSH, VF_INIT_VM,
	VF_INIT_MEM, VF_FINALIZE, VF_INIT_VCPU, VF_MEMSLOT_DELETE,
	VF__COUNT
};
const char *vmm_flow_name(unsigned fn);

/* Flow functions (one per file area). */
enum flow_ret vmm_flow_seamcall(struct flow_ctx *c);
enum flow_ret vmm_flow_kick(struct flow_ctx *c);
enum flow_ret vmm_flow_vm_bug(struct flow_ctx *c);
enum flow_ret vmm_flow_guard(struct flow_ctx *c);
enum flow_ret vmm_prog_vcpu_run(struct flow_ctx *c);
enum flow_ret vmm_flow_kvm_run(struct flow_ctx *c);
enum flow_ret vmm_flow_ept_violation(struct flow_ctx *c);
enum flow_ret vmm_flow_tdp_map(struct flow_ctx *c);
enum flow_ret vmm_flow_tdp_map_loop(struct flow_ctx *c);
enum flow_ret vmm_flow_remove_leaf(struct flow_ctx *c);
enum flow_ret vmm_flow_track(struct flow_ctx *c);
enum flow_ret vmm_flow_zap_gfns(struct flow_ctx *c);
enum flow_ret vmm_prog_zap_range(struct flow_ctx *c);
enum flow_ret vmm_prog_memslot_delete(struct flow_ctx *c);
enum flow_ret vmm_flow_memslot_delete(struct flow_ctx *c);
enum flow_ret vmm_prog_module_init(struct flow_ctx *c);
enum flow_ret vmm_flow_tdx_cpu_enable(struct flow_ctx *c);
enum flow_ret vmm_flow_tdx_enable(struct flow_ctx *c);
enum flow_ret vmm_prog_cpu_online(struct flow_ctx *c);
enum flow_ret vmm_prog_cpu_offline(struct flow_ctx *c);
enum flow_ret vmm_prog_td_create(struct flow_ctx *c);
enum flow_ret vmm_flow_init_vm(struct flow_ctx *c);
enum flow_ret vmm_prog_vcpu_init(struct flow_ctx *c);
enum flow_ret vmm_flow_init_vcpu(struct flow_ctx *c);
enum flow_ret vmm_prog_td_init_mem(struct flow_ctx *c);
enum flow_ret vmm_flow_init_mem(struct flow_ctx *c);
enum flow_ret vmm_prog_td_finalize(struct flow_ctx *c);
enum flow_ret vmm_flow_finalize(struct flow_ctx *c);
enum flow_ret vmm_prog_prefault(struct flow_ctx *c);
enum flow_ret vmm_prog_td_teardown(struct flow_ctx *c);
enum flow_ret vmm_flow_release_hkid(struct flow_ctx *c);
enum flow_ret vmm_flow_vp_flush(struct flow_ctx *c);
enum flow_ret vmm_flow_reclaim(struct flow_ctx *c);
enum flow_ret vmm_flow_mapgpa(struct flow_ctx *c);

/* ---- the SEAMCALL helper (seamcall.c) ---------------------------------------------- */

/* Results of VF_SEAMCALL (in the caller's fr->ret); the status and output registers
 * are in c->s->host.regs. */
#define SC_OK 0          /* success, or the policy said OK */
#define SC_ACCEPTED 1    /* a status the caller handles itself (its accept mask) */
#define SC_BUG 2         /* the VM was bugged (KVM_BUG_ON / TDX_BUG_ON) */
#define SC_WARN 3        /* WARN: the caller's non-fatal failure path */
/* < 0: -errno (policy ERRNO) */

/* Statuses a caller inspects itself before anything else (KVM code that runs
 * before its KVM_BUG_ON): 6.16's tdx_is_sept_zap_err_due_to_premap() on BLOCK. */
#define ACC_PREMAP (1u << 0)                 /* EPT_ENTRY_STATE_INCORRECT|RCX */

/* Arguments of VF_SEAMCALL. */
struct sc_args {
	enum tdxsim_site site;
	uint64_t leafv;
	unsigned lp1;           /* target LP + 1; 0: the actor's LP */
	unsigned vm1;           /* VM + 1; 0: no VM (module init) */
	uint32_t accept;
	uint64_t rcx, rdx, r8, r9, r10, r11;
};
void vmm_sc_push(struct flow_ctx *c, const struct sc_args *a);

#define ON_LP(x) .lp1 = (unsigned)(x) + 1
#define FOR_VM(x) .vm1 = (unsigned)(x) + 1

/* Issue a SEAMCALL through the helper; result in (c)->fr->ret.  Arguments are
 * designated initializers of struct sc_args. */
#define VMM_SC(c, ...) VMM_SC_((c), FLOW_LABEL(__COUNTER__), __VA_ARGS__)
#define VMM_SC_(c, L, ...)                                                             \
	do {                                                                           \
		(c)->fr->pc = (L);                                                     \
		{                                                                      \
			struct sc_args sa_ = { __VA_ARGS__ };                          \
			vmm_sc_push((c), &sa_);                                        \
		}                                                                      \
		return flow_run(c);                                                    \
	case (L):;                                                                     \
	} while (0)

/* Start a leaf execution on the actor's host exec, honouring injections (helper of
 * the issue macros; the exec is actor-private state). */
void vmm_issue_begin(struct flow_ctx *c, unsigned lp, const struct tdxsim_regs *regs);

/* Issue a SEAMCALL and step it to completion, one module step per scheduler step;
 * BEGIN is a statement that starts the execution (vmm_issue_begin).  Afterwards
 * (c)->fr->status = RAX and (c)->s->host.regs = the outputs. */
#define VMM_ISSUE(c, BEGIN) VMM_ISSUE_((c), BEGIN, FLOW_LABEL(__COUNTER__), FLOW_LABEL(__COUNTER__))
#define VMM_ISSUE_(c, BEGIN, L0, L1)                                                   \
	do {                                                                           \
		FLOW_SYNC_AT(c, L0);                                                   \
		BEGIN;                                                                 \
		FLOW_SYNC_AT(c, L1);                                                   \
		if (flow_seamcall_step(c) == FLOW_RAN)                                 \
			return FLOW_RAN;                                               \
	} while (0)

/* Retry counters saturate at the largest bound any rule of the policy tests
 * (max_retries, at least 1): past it no decision can change, and a counter that
 * grew without end would make every spin a new state for the checker. */
static inline uint32_t vmm_attempt_inc(struct flow_ctx *c, uint32_t a)
{
	return a < KG(c)->attempt_cap ? a + 1 : a;
}

/* The policy decision (tdxsim_policy_decide on the VMM's copy of the policy). */
struct tdxsim_decision vmm_decide(struct flow_ctx *c, enum tdxsim_site site, unsigned leaf,
				  tdx_status_t status, unsigned attempt);

/* ---- small shared helpers ----------------------------------------------------------- */

/* Sub-flow argument packing for VF_KICK: l0 = vm, l1 = KVM_REQ_* bits to set. */
/* Bug the VM (KVM_BUG_ON): l0 = vm, l1 = leaf (0xFFFF none), l2 = status, l3 = 1 for a
 * plain kvm_vm_dead() (no "bugged"). */
#define VMM_LEAF_NONE 0xFFFFu

/* The 6.19 TD state guard (tdx_vm_state_guard): l0 = vm, l1 = 1 lock / 0 unlock. */

/* The first online LP of package pkg, -1 if none. */
int kvm_pkg_first_online(void *vmm, unsigned pkg);
/* HKID of a VM (its value, not +1). */
static inline unsigned kvm_hkid(void *vmm, unsigned vm)
{
	return kvm_vm(vmm, vm)->hkid - 1;
}
static inline bool kvm_is_616(struct flow_ctx *c)
{
	return KG(c)->kernel == VMM_KVM_6_16;
}

#endif
