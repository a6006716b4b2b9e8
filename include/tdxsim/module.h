/* SPDX-License-Identifier: MIT */
/*
 * libtdxsim: an emulated TDX module you can call from your own (multi-threaded)
 * VMM code.  SEAMCALLs and TDCALLs behave like the module version whose lock
 * table the world was created from: same checks in the same order, same
 * try-only locks taken one at a time, same status codes and output registers.
 *
 * Threads: every function taking a world may be called concurrently from many OS
 * threads (the lock words are C11 atomics and each lock operation is the real
 * atomic sequence), except create/destroy/snapshot/restore, which need the world
 * to be quiescent.  See docs/api.md.
 */
#ifndef TDXSIM_MODULE_H
#define TDXSIM_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tdxsim/error.h"
#include "tdxsim/status.h"
#include "tdxsim/table.h"

struct tdxsim_world;

/* Shape of the emulated platform.  Zero fields take the documented defaults. */
struct tdxsim_module_config {
	unsigned n_lps;            /* logical processors (default 4) */
	unsigned n_pkgs;           /* packages; LP i is in package i * n_pkgs / n_lps (default 1) */
	unsigned n_frames;         /* 4 KB frames of TDX memory (default 4096 = 16 MiB) */
	unsigned n_tdmrs;          /* TDMRs the frames are split into (default 1) */
	uint64_t mem_base;         /* HPA of frame 0, 1 GB aligned (default 4 GiB) */
	unsigned n_hkids;          /* KOT entries (default 64; the real module has 2048) */
	unsigned max_tds;          /* TD objects (default 4) */
	unsigned max_vcpus;        /* vCPU objects, all TDs together (default 16) */
	unsigned max_sept_pages;   /* SEPT pages incl. roots, all TDs together (default 64) */
	unsigned pa_bits;          /* physical address width incl. HKID bits (default 52) */
	unsigned hkid_bits;        /* HKID bits at the top of the PA (default 6) */
	uint64_t hp_lock_timeout_ns; /* override TDCS.hp_lock_timeout set by MNG.INIT; 0 = 1 s */
	unsigned cache_wb_chunks;  /* interrupt points of one TDH.PHYMEM.CACHE.WB (default 2) */
	bool module_not_loaded;    /* every SEAMCALL fails with TDX_SEAMCALL_VMFAILINVALID */
	bool lps_vmx_off;          /* LPs start outside VMX operation (SEAMCALL #UD) */
	bool check_invariants;     /* check module invariants after every step (debug) */
	bool instr_atomicity;      /* one step per atomic instruction of a try-acquire, not per
	                            * try-acquire (include/tdxsim/lock_split.h) */
};

/* General-purpose registers indexed by operand ID (OPERAND_ID_RAX = 0 ... R15 = 15). */
struct tdxsim_regs {
	uint64_t r[16];
};

/* A lock operation, as observed at run time (recording test, traces, statistics). */
/* TDXSIM_LOCK_PARTIAL: the first instruction of a try-acquire split at its
 * instructions (--atomicity instr, lock_split.h); the ACQUIRE event of the same
 * acquire follows at its last instruction, with the final result. */
enum tdxsim_lock_op { TDXSIM_LOCK_ACQUIRE, TDXSIM_LOCK_RELEASE, TDXSIM_LOCK_PROMOTE, TDXSIM_LOCK_PARTIAL };
struct tdxsim_lock_event {
	enum tdxsim_lock_op op;
	int res;                   /* table resource index */
	enum tdxsim_mode mode;
	bool guest;
	int pamt_level;            /* 0=4K 1=2M 2=1G for PAMT locks, -1 otherwise */
	uint64_t word_off;         /* lock word's offset in the module region (its identity) */
	uint64_t before, after;    /* lock word around the operation */
	tdx_status_t result;       /* acquire result */
	int leaf;                  /* table leaf index, -1 for TD exit */
	unsigned step;             /* step index in that leaf */
	unsigned lp;
	const void *exec;          /* the leaf execution doing it */
};

/* --- a leaf in progress is plain data (DESIGN §3) ------------------------------ */

#define TDXSIM_MAX_HELD 16

/* One held lock, kept so that it can be released in reverse order. */
struct tdxsim_held_lock {
	uint64_t word;   /* offset of the lock word from the module region base */
	uint8_t kind;    /* enum tdxsim_lock_kind */
	uint8_t mode;    /* enum tdxsim_mode */
	uint8_t res;     /* table resource index */
	uint8_t level;   /* PAMT level (0=4K, 1=2M, 2=1G), 0xFF otherwise */
	uint8_t hold;    /* enum tdxsim_hold */
	uint8_t guest;   /* acquired in guest mode */
	uint16_t step;   /* step index of the leaf that took it */
};

enum tdxsim_leaf_phase {
	TDXSIM_LEAF_IDLE = 0,
	TDXSIM_LEAF_RUN,          /* executing its step list */
	TDXSIM_LEAF_UNWIND,       /* releasing what it holds, then completes */
	TDXSIM_LEAF_DONE,         /* status and output registers are final */
	TDXSIM_LEAF_ENTERED,      /* TDH.VP.ENTER: the guest runs; completes at TD exit */
};

/* What a step did. */
enum tdxsim_step_result {
	TDXSIM_STEP_RAN,          /* advanced; call again */
	TDXSIM_STEP_DONE,         /* leaf completed: see exec->status and regs */
	TDXSIM_STEP_ENTERED,      /* TDH.VP.ENTER entered the guest */
	TDXSIM_STEP_TD_EXIT,      /* a TDCALL ended in a TD exit (vCPU left guest mode) */
};

/* Why a vCPU leaves guest mode (tdxsim_td_exit_begin). */
enum tdxsim_exit_reason {
	TDXSIM_EXIT_NONE = 0,
	TDXSIM_EXIT_EPT_VIOLATION,    /* private GPA not accessible (zero-step logged) */
	TDXSIM_EXIT_TDVMCALL,         /* TDG.VP.VMCALL: to the VMM with the guest's registers */
	TDXSIM_EXIT_INTERRUPT,        /* external interrupt / IPI kick */
	TDXSIM_EXIT_HP_TIMEOUT,       /* §1.7 TDX_HOST_PRIORITY_BUSY_TIMEOUT */
	TDXSIM_EXIT_ACCEPT_VIOLATION, /* TDG.MEM.PAGE.ACCEPT on a non-pending entry */
};

struct tdxsim_leaf_exec {
	int16_t leaf;              /* table leaf index, -1 = none; TDXSIM_LEAF_TD_EXIT */
	uint8_t version;
	uint8_t phase;             /* enum tdxsim_leaf_phase */
	uint16_t pc;               /* step index */
	uint8_t sub;               /* position inside a multi-operation step */
	uint8_t nheld;
	uint32_t lp;
	uint32_t vcpu;             /* guest: the vCPU object executing the TDCALL */
	uint8_t exit;              /* enum tdxsim_exit_reason requested by a step */
	uint8_t side;              /* enum tdxsim_side */
	uint8_t level;             /* SEPT level decoded from the GPA register */
	uint8_t walk_level;        /* level the walk reached */
	uint32_t td;               /* td object resolved by the TDR lock */
	uint32_t vc;               /* vcpu object resolved by the TDVPR lock */
	uint32_t sept_pg;          /* SEPT page holding the entry of interest */
	uint16_t sept_idx;         /* index of that entry in the page */
	uint8_t lock_cont;         /* enum tdxsim_lock_cont: a try-acquire split at its
	                            * instructions is half done (--atomicity instr) */
	uint8_t pad;
	uint32_t frame[4];         /* frames resolved by PAMT lock steps, by order */
	uint8_t nframe;
	uint8_t pamt_leaf_level;   /* PAMT level the last walk stopped at */
	uint8_t pamt_want;         /* PAMT walk in progress: wanted leaf level, 0xFF = existing */
	uint8_t completing;        /* UNWIND after reaching the end of the steps (success) */
	uint32_t pamt_frame;       /* PAMT walk in progress: target frame */
	uint32_t hkid;             /* scratch: HKID taken from a PA (WBINVD) */
	uint64_t entry;            /* copy of the locked SEPT entry (re-read after lock) */
	uint64_t scratch[4];
	tdx_status_t status;       /* completion status */
	struct tdxsim_regs regs;   /* inputs; outputs written like the real ABI */
	uint64_t undo_pending;     /* bit i: step i's undo body must run if the leaf fails */
	struct tdxsim_held_lock held[TDXSIM_MAX_HELD];
};
#define TDXSIM_LEAF_TD_EXIT (-2)

/* Start a SEAMCALL on logical processor lp: regs->r[0] = leaf | version << 16. */
void tdxsim_seamcall_begin(struct tdxsim_world *w, struct tdxsim_leaf_exec *x, unsigned lp,
			   const struct tdxsim_regs *regs);
/* Start a TDCALL by the vCPU whose TDVPR is at tdvpr_hpa (it must be in guest mode). */
void tdxsim_tdcall_begin(struct tdxsim_world *w, struct tdxsim_leaf_exec *x,
			 uint64_t tdvpr_hpa, const struct tdxsim_regs *regs);
/* Start the TD exit of a vCPU in guest mode; completing it completes its TDH.VP.ENTER
 * and leaves the VP.ENTER outputs in x->regs.  For anything but a vCPU in guest mode
 * the execution is complete at once with TDX_VCPU_STATE_INCORRECT. */
void tdxsim_td_exit_begin(struct tdxsim_world *w, struct tdxsim_leaf_exec *x,
			  uint64_t tdvpr_hpa, enum tdxsim_exit_reason why, uint64_t gpa);
/* One atomic step: at most one lock-word access, or one body under held locks. */
enum tdxsim_step_result tdxsim_leaf_step(struct tdxsim_world *w, struct tdxsim_leaf_exec *x);

/* --- whole calls (run to completion; thread-safe) --------------------------------- */

/* SEAMCALL: returns RAX (also left in regs->r[0]) and the output registers.
 * TDH.VP.ENTER returns when the guest has been entered, with RAX =
 * TDXSIM_STATUS_ENTERED; the real call's outputs come from tdxsim_td_exit(). */
tdx_status_t tdxsim_seamcall(struct tdxsim_world *w, unsigned lp, struct tdxsim_regs *regs);
#define TDXSIM_STATUS_ENTERED 0x7FFFFFFFFFFFFFFFull /* not a module code: "in guest mode" */
/* TDCALL from the vCPU at tdvpr_hpa.  If it ends in a TD exit, *exited is set and
 * the VP.ENTER outputs are in exit_regs (may be NULL). */
tdx_status_t tdxsim_tdcall(struct tdxsim_world *w, uint64_t tdvpr_hpa, struct tdxsim_regs *regs,
			   bool *exited, struct tdxsim_regs *exit_regs);
/* TD exit of a vCPU in guest mode; returns VP.ENTER's RAX and outputs. */
tdx_status_t tdxsim_td_exit(struct tdxsim_world *w, uint64_t tdvpr_hpa, enum tdxsim_exit_reason why,
			    uint64_t gpa, struct tdxsim_regs *out);
/* Guest memory access at gpa by the vCPU at tdvpr_hpa with guest RIP rip: returns
 * true if the SEPT allows it; false means the access faulted and the caller must
 * perform a TD exit with TDXSIM_EXIT_EPT_VIOLATION. */
bool tdxsim_guest_access(struct tdxsim_world *w, uint64_t tdvpr_hpa, uint64_t gpa, uint64_t rip,
			 bool write);

/* --- world ---------------------------------------------------------------------- */

struct tdxsim_world *tdxsim_world_create(const struct tdxsim_table *t,
					 const struct tdxsim_module_config *cfg,
					 struct tdxsim_error *err);
void tdxsim_world_destroy(struct tdxsim_world *w);
/* Platform-side switches the VMM model drives (not SEAMCALLs). */
void tdxsim_world_set_vmx(struct tdxsim_world *w, unsigned lp, bool on);
/* Invariants (DESIGN §6); returns false and describes the first broken one as
 * "<invariant>: <what>" (src/module/invariants.h lists them).  Not thread-safe: call
 * it between steps. */
bool tdxsim_world_check_invariants(struct tdxsim_world *w, char *why, size_t len);
/* Lock accounting ("no lock is held by an actor that finished"): every lock word must
 * be explained by `held` -- the held[0..nheld) records of every execution in
 * progress -- plus the locks vCPUs in guest mode keep from TDH.VP.ENTER. */
bool tdxsim_world_check_locks(struct tdxsim_world *w, const struct tdxsim_held_lock *held,
			      size_t n, char *why, size_t len);
/* A virtual interrupt is (not) pending for the guest of the vCPU at tdvpr_hpa: a
 * 2 MB TDG.MEM.PAGE.ACCEPT stops between 4 KB chunks when it is.  False if no vCPU. */
bool tdxsim_world_set_guest_interrupt(struct tdxsim_world *w, uint64_t tdvpr_hpa, bool pending);
/* The vCPU's last TDCALL returned TDX_SUCCESS without advancing the guest RIP (an
 * interrupted 2 MB accept): the guest must execute the same TDCALL again. */
bool tdxsim_world_tdcall_restarted(struct tdxsim_world *w, uint64_t tdvpr_hpa);
/* Observe every lock operation (NULL to stop).  Not thread-safe against running calls. */
void tdxsim_world_set_observer(struct tdxsim_world *w,
			       void (*fn)(void *ctx, const struct tdxsim_lock_event *ev), void *ctx);
/* Virtual time source in TSC ticks (1 tick = 1 ns); default: a counter the sim advances. */
void tdxsim_world_set_clock(struct tdxsim_world *w, uint64_t (*now)(void *ctx), void *ctx);
/* HPA of emulated frame i (frames are the TDX memory the TDMRs cover). */
uint64_t tdxsim_world_frame_hpa(const struct tdxsim_world *w, unsigned frame);
unsigned tdxsim_world_n_frames(const struct tdxsim_world *w);
/* Whether the module halted on a sanity check, and why. */
bool tdxsim_world_halted(struct tdxsim_world *w, char *why, size_t len);

#endif
