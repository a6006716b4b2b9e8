/* SPDX-License-Identifier: MIT */
/*
 * The emulated TDX module's state, laid out in one position-independent region of
 * the world's arena (DESIGN §3): every reference is an index or an offset, never a
 * pointer, so a snapshot is memcpy and equality is memcmp.  Sizes are fixed when
 * the world is created (struct tdxsim_module_config).
 *
 * Region layout (offsets in struct mod_layout, each 64-byte aligned):
 *   mod_global | lp_state[n_lps] | kot_entry[n_hkids] | wbt_entry[n_pkgs] |
 *   wbt_hkids[n_pkgs][hkid_words] | tdmr_entry[n_tdmrs] | pamt_1g[n_1g] |
 *   pamt_2m[n_2m] | pamt_4k[n_frames] | frame_obj[n_frames] | td_obj[max_tds] |
 *   vcpu_obj[max_vcpus] | sept_meta[max_sept] | sept_page[max_sept]
 *
 * Lock words and the counters the real module updates with LOCK-prefixed
 * instructions are _Atomic so that the threads scheduler and libtdxsim users see
 * the real concurrency; everything else is protected by the module's own locks.
 */
#ifndef TDXSIM_MODULE_OBJECTS_H
#define TDXSIM_MODULE_OBJECTS_H

#include <assert.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "module/sept_bits.h"

/* §7.4 sys_state */
enum sys_state {
	SYSINIT_PENDING = 0,
	SYSINIT_DONE = 1,
	SYSCONFIG_DONE = 2,
	SYS_READY = 3,
	SYS_SHUTDOWN = 4,
};

/* §7.1 TD lifecycle */
enum td_lifecycle {
	TD_HKID_ASSIGNED = 0,
	TD_KEYS_CONFIGURED = 1,
	TD_BLOCKED = 2,
	TD_TEARDOWN = 3,
};

/* §7.1 KOT entry states */
enum kot_state {
	KOT_STATE_HKID_FREE = 0,
	KOT_STATE_HKID_ASSIGNED = 1,
	KOT_STATE_HKID_FLUSHED = 2,
	KOT_STATE_HKID_RESERVED = 3,
};

/* §7.2 op_state */
enum op_state {
	OP_STATE_UNINITIALIZED = 0,
	OP_STATE_INITIALIZED = 1,
	OP_STATE_RUNNABLE = 2,
	OP_STATE_LIVE_EXPORT = 3,
	OP_STATE_PAUSED_EXPORT = 4,
	OP_STATE_POST_EXPORT = 5,
	OP_STATE_MEMORY_IMPORT = 6,
	OP_STATE_STATE_IMPORT = 7,
	OP_STATE_POST_IMPORT = 8,
	OP_STATE_LIVE_IMPORT = 9,
	OP_STATE_FAILED_IMPORT = 10,
	OP_STATE_COUNT
};

/* §7.3 vCPU state and last exit */
enum vcpu_state {
	VCPU_UNINITIALIZED = 0x0,
	VCPU_READY = 0x2,
	VCPU_ACTIVE = 0x4,
	VCPU_DISABLED = 0x8,
	VCPU_IMPORT = 0x10,
};
enum last_td_exit {
	LAST_EXIT_ASYNC_FAULT = 0,
	LAST_EXIT_ASYNC_TRAP = 1,
	LAST_EXIT_TDVMCALL = 2,
};
#define VCPU_NO_LP 0xFFFFFFFFu

/* Module constants (reference section in the comment). */
#define MIN_NUM_TDCS_PAGES 6          /* §7.3 */
#define MAX_NUM_TDCS_PAGES 9          /* §7.3 */
#define TDCS_SEPT_ROOT_INDEX 3        /* §7.3: SEPT root is TDCS page 3 */
#define MAX_NUM_TDVPS_PAGES 6         /* TDVPR + TDVPX pages; emulator choice, UNVERIFIED */
#define MAX_VCPUS_PER_TD 576          /* §7.3 */
#define MAX_HKIDS 2048                /* §7.1 */
#define MAX_PKGS 8                    /* §7.1 */
#define MAX_TDMRS 64                  /* §7.4 */
#define STEPPING_EPF_THRESHOLD 6      /* §4 */
#define EPF_GPA_LIST_SIZE 32          /* §4 */
#define TDMR_4K_PAMT_INIT_COUNT 1024  /* §6 */
#define DEFAULT_HP_LOCK_TIMEOUT_USEC 1000000ull  /* §1.7 */
#define MIN_HP_LOCK_TIMEOUT_USEC 10000ull
#define MAX_HP_LOCK_TIMEOUT_USEC 100000000ull
#define PAMT_CHILD_ENTRIES 512        /* §6 */

/* PAMT levels, as the walk uses them. */
enum pamt_level {
	PAMT_4K = 0,
	PAMT_2M = 1,
	PAMT_1G = 2,
};

#include "tdxsim/module.h"
static_assert(sizeof(struct tdxsim_held_lock) == 16, "held lock record layout");

/* §6: PAMT entry, 16 bytes.  First quadword: lock 15:0, pt 23:16, owner 63:24
 * (owner PA >> 12); second quadword: bepoch. */
struct pamt_entry {
	_Atomic uint16_t lock;   /* sharex_hp */
	uint8_t pt;              /* enum tdxsim_page_type */
	uint8_t owner[5];        /* 40-bit owner frame number, little endian */
	_Atomic uint64_t bepoch; /* mig_epoch 31:0, export_count 62:32, mig_flag 63 */
};
static_assert(sizeof(struct pamt_entry) == 16, "§6 pamt_entry_t is 16 bytes");
static_assert(offsetof(struct pamt_entry, pt) == 2, "pt is bits 23:16");
static_assert(offsetof(struct pamt_entry, owner) == 3, "owner is bits 63:24");
#define BEPOCH_MIG_FLAG (1ull << 63)

static inline uint64_t pamt_owner(const struct pamt_entry *p)
{
	uint64_t v = 0;
	for (int i = 4; i >= 0; i--)
		v = (v << 8) | p->owner[i];
	return v;
}
static inline void pamt_set_owner(struct pamt_entry *p, uint64_t frame)
{
	for (int i = 0; i < 5; i++)
		p->owner[i] = (uint8_t)(frame >> (8 * i));
}

struct mod_global {
	uint32_t magic;
	_Atomic uint8_t sys_state;      /* enum sys_state */
	uint8_t module_loaded;          /* 0: SEAMCALL gets VMFAILINVALID */
	_Atomic uint8_t halted;         /* a sanity check failed: the module is dead */
	uint8_t pad0;
	_Atomic uint16_t global_lock;   /* sharex, busy -> TDX_SYS_BUSY */
	_Atomic uint16_t kot_lock;      /* sharex, busy -> BUSY|KOT */
	uint16_t num_of_lps;
	uint16_t num_of_pkgs;
	_Atomic uint16_t num_of_init_lps;
	uint16_t num_of_init_pkgs;
	_Atomic uint8_t pkg_config_bitmap;
	uint8_t num_tdmrs_configured;
	uint16_t global_hkid;           /* global private HKID (SYS.CONFIG) */
	uint32_t halt_code;             /* which sanity check halted the module */
	uint32_t halt_leaf;             /* leaf number that halted it */
	/* Emulator-only, written only while check_invariants is on (sept_tlb_note_free):
	 * the first page that went back to PT_NDA while a vCPU could still hold a
	 * translation for it; reported by tdxsim_world_check_invariants. */
	uint32_t inv_tlb_frame;         /* frame + 1, 0 = none */
	uint32_t inv_tlb_vcpu;          /* the vCPU object */
	uint64_t inv_tlb_vcpu_epoch;    /* its vcpu_epoch */
	uint64_t inv_tlb_limit;         /* BEPOCH of the block, UINT64_MAX = never blocked */
	uint64_t inv_tlb_td_epoch;      /* TD_EPOCH at the removal */
};

struct lp_state {
	uint8_t vmx_on;                 /* 0: SEAMCALL #UDs (TDX_SEAMCALL_UD) */
	uint8_t lp_is_init;             /* TDH.SYS.LP.INIT done on this LP */
	uint8_t pkg;                    /* physical package */
	uint8_t limit_cpuid_maxval;     /* misc-enable bit: MNG.INIT/VP.ENTER refuse */
	uint8_t monitor_fsm_disabled;   /* IA32_MISC_ENABLE.ENABLE_MONITOR_FSM clear (VP.ENTER
	                                 * step 12 knob; 0 = enabled, as on real platforms) */
	uint8_t pad_lp[3];
	uint32_t last_vcpu;             /* vCPU last entered here, for IBPB; VCPU_NO_LP none */
	uint64_t tsc_adjust;            /* IA32_TSC_ADJUST as the module sees it */
};

struct kot_entry {
	uint8_t state;                  /* enum kot_state */
	_Atomic uint8_t wbinvd_bitmap;  /* packages still to CACHE.WB (§7.1) */
};

struct wbt_entry {
	_Atomic uint8_t lock;           /* mutex, busy -> BUSY|WBCACHE */
	uint8_t pad[3];
	uint32_t intr_point;            /* CACHE.WB resume point, 0 = none */
	uint32_t num_sub_blocks;        /* sub-blocks to flush per call (emulation knob) */
	uint32_t pad2;
};

struct tdmr_entry {
	_Atomic uint8_t lock;           /* mutex, busy -> BUSY|RCX */
	uint8_t pad[7];
	uint64_t base;                  /* HPA */
	uint64_t size;                  /* bytes */
	_Atomic uint64_t last_initialized; /* HPA up to which 4K PAMT entries are initialized */
};

/* What a physical frame is, for the emulator's own lookups (the real module keeps
 * these objects inside the pages).  Index into the pool named by the page type. */
struct frame_obj {
	uint32_t idx;
};

/* TDR + TDCS of one TD. */
struct td_obj {
	_Atomic uint8_t in_use;
	uint8_t lifecycle;              /* enum td_lifecycle (TDR) */
	uint8_t fatal;                  /* TDR.fatal */
	uint8_t num_tdcx;               /* TDCS pages added */
	uint16_t hkid;
	uint8_t pkg_config_bitmap;      /* TDR: packages where KEY.CONFIG ran */
	uint8_t pwl;                    /* SEPT root level (3: 4-level) */
	_Atomic uint64_t chldcnt;       /* §6: child 4K pages */
	uint32_t tdr_frame;
	uint32_t tdcx_frame[MAX_NUM_TDCS_PAGES];
	uint32_t sept_root;             /* sept pool index of TDCS page 3 */
	/* TDCS */
	_Atomic uint16_t op_state_lock; /* sharex_hp */
	_Atomic uint16_t sept_lock;     /* sharex: secure_ept_lock */
	_Atomic uint16_t epoch_lock;    /* sharex */
	_Atomic uint16_t rtmr_lock;     /* sharex_hp */
	_Atomic uint16_t servtd_lock;   /* sharex_hp */
	_Atomic uint16_t mig_lock;      /* sharex */
	_Atomic uint8_t op_state;       /* enum op_state; read without lock under TDR ex */
	uint8_t notify_ept_faults;
	uint8_t import_in_progress;     /* REMOVE writes REMOVED instead of FREE */
	uint8_t monitor_mwait_supported; /* TDCS cpuid_flags.monitor_mwait_supported (0 unless set) */
	_Atomic uint64_t td_epoch;      /* §5.3, set to 1 by MNG.INIT */
	_Atomic uint16_t refcount[2];
	_Atomic uint32_t num_vcpus;
	_Atomic uint32_t num_assoc_vcpus;
	uint32_t max_vcpus;
	_Atomic uint64_t hp_lock_timeout; /* TSC ticks (1 tick = 1 ns); MNG.WR writes it under
	                                 * TDR-sh while guest TDCALLs read it */
	uint64_t mrtd;                  /* measurement (xxh64 chain standing in for SHA-384) */
	uint64_t attributes;
};

/* TDVPR + TDVPS of one vCPU. */
struct vcpu_obj {
	_Atomic uint8_t in_use;
	_Atomic uint8_t state;          /* enum vcpu_state */
	uint8_t last_td_exit;           /* enum last_td_exit */
	uint8_t num_tdvps_pages;        /* TDVPR + TDVPX */
	uint32_t td;                    /* td pool index */
	uint32_t tdvpr_frame;
	uint32_t tdvpx_frame[MAX_NUM_TDVPS_PAGES];
	_Atomic uint32_t assoc_lpid;    /* VCPU_NO_LP if not associated */
	uint32_t vcpu_index;
	uint32_t x2apic_id;
	uint64_t vcpu_epoch;
	/* §4 zero-step */
	uint8_t last_epf_gpa_list_idx;
	uint8_t possibly_epf_stepping;
	uint8_t hp_lock_busy;           /* §1.7 */
	uint8_t n_entry_holds;
	uint8_t pend_nmi;               /* TDVPS.PEND_NMI (TDH.VP.WR) */
	uint8_t intr_pending;           /* a virtual interrupt is pending for the guest: set by
	                                 * the guest model, polled by a 2 MB TDG.MEM.PAGE.ACCEPT
	                                 * between 4 KB chunks (sept_ops.h) */
	uint8_t tdcall_restart;         /* the last TDCALL returned without advancing the guest
	                                 * RIP (interrupted 2 MB accept): execute it again */
	uint8_t pad0;
	uint64_t hp_lock_busy_start;
	uint64_t last_exit_tsc;         /* TSC at the last TD exit (VP.INIT: at init); §3 step 11 */
	uint64_t guest_rip;             /* current guest RIP (driven by the guest model) */
	uint64_t rip_on_entry;          /* guest_rip_on_tdentry */
	uint64_t last_epf_gpa_list[EPF_GPA_LIST_SIZE];
	/* Locks TDH.VP.ENTER keeps until TD exit (TDVPR PAMT-X sh with parents, TDR PAMT-I sh). */
	struct tdxsim_held_lock entry_holds[6];
	uint64_t guest_rax_pending;     /* status delivered to the guest at next entry */
	uint64_t guest_ret[16];         /* registers the guest sees when it resumes after a
	                                 * TDVMCALL (the VMM's response, copied at VP.ENTER) */
	uint64_t exit_regs[16];         /* VP.ENTER outputs of the last TD exit, by operand id */
};

struct sept_meta {
	_Atomic uint8_t in_use;
	uint8_t level;                  /* level of the entries in this page (root: pwl) */
	uint16_t pad;
	uint32_t td;
	uint32_t frame;
	uint32_t pad2;
};

struct sept_page {
	_Atomic uint64_t e[SEPT_ENTRIES_PER_PAGE];
};
static_assert(sizeof(struct sept_page) == 4096, "a SEPT page is 4 KB");

/* Where each part of the module region lies; computed once per world. */
struct mod_layout {
	uint64_t off_global, off_lps, off_kot, off_wbt, off_wbt_hkids, off_tdmr;
	uint64_t off_pamt_1g, off_pamt_2m, off_pamt_4k, off_frame_obj;
	uint64_t off_tds, off_vcpus, off_sept_meta, off_sept_pages;
	uint64_t size;
	uint32_t n_lps, n_pkgs, n_hkids, hkid_words, n_tdmrs;
	uint32_t n_1g, n_2m, n_frames;
	uint32_t max_tds, max_vcpus, max_sept;
	uint64_t mem_base;              /* HPA of frame 0, 1 GB aligned */
	unsigned pa_bits;               /* MAX_PA width; HKID bits sit just below it */
	unsigned hkid_bits;
};

#endif
