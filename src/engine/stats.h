/* SPDX-License-Identifier: MIT */
/*
 * Statistics of a run (tdxsim sim, tdxsim stress; docs/sim.md): collected from
 * the engine's observers (lock events, VMM events) and the schedulers' leaf
 * begin/end callbacks, outside the world.
 *
 *  - SEAMCALL / TDCALL attempts per leaf: calls, successes, BUSY, other errors;
 *  - BUSY by leaf x operand x the leaf holding the lock (a side table maps each
 *    held lock word to the leaf that took it; HP when only the host-priority bit
 *    stood in the way);
 *  - flows (VMM_EV_FLOW_BEGIN/END): count, retries per flow as a histogram,
 *    latency p50/p99/max in virtual time;
 *  - kicks, zero-step, host-priority timeouts, VM BUGs, user exits, VMM stalls;
 *  - guest progress (guest_progress) and per-actor progress.
 *
 * Deterministic: nothing reads the wall clock, and every list is printed in a
 * sorted order, never in hash order.  With `threadsafe` the callbacks may come
 * from many threads (tdxsim stress).
 */
#ifndef TDXSIM_ENGINE_STATS_H
#define TDXSIM_ENGINE_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"

/* Named counters: `expect:` bounds in scenarios and the "counters" object of the
 * JSON report use these names (docs/sim.md). */
enum stats_counter {
	ST_STEPS,            /* scheduler steps */
	ST_SEAMCALLS,        /* SEAMCALL attempts (TDH.VP.ENTER counted once per call) */
	ST_TDCALLS,          /* TDCALL attempts */
	ST_BUSY,             /* SEAMCALLs that returned TDX_OPERAND_BUSY (any operand) */
	ST_GUEST_BUSY,       /* TDCALLs that returned TDX_OPERAND_BUSY */
	ST_RETRIES,          /* VMM_EV_RETRY: SEAMCALLs the VMM issued again */
	ST_KICKS,            /* VMM_EV_KICK */
	ST_ZERO_STEP,        /* VMM_EV_ZERO_STEP */
	ST_HP_TIMEOUTS,      /* VMM_EV_HP_TIMEOUT */
	ST_VM_BUGS,          /* VMM_EV_VM_BUG after a SEAMCALL result (KVM_BUG_ON / TDX_BUG_ON) */
	ST_VM_DEAD,          /* VMM_EV_VM_BUG without a SEAMCALL (kvm_vm_dead: guest access
	                      * before accept) */
	ST_USER_EXITS,       /* VMM_EV_USER_EXIT with an error (not KVM_EXIT_INTR) */
	ST_SIGNAL_EXITS,     /* VMM_EV_USER_EXIT for a signal (KVM_EXIT_INTR: -EINTR) */
	ST_VMM_STALLS,       /* VMM_EV_STALL */
	ST_FLOWS,            /* flows completed, all kinds */
	ST_FAULTS,           /* completed flows of kind "fault" */
	ST_REMOVALS,         /* ... "removal" */
	ST_ACCEPTS,          /* ... "accept" */
	ST_MAPGPAS,          /* ... "mapgpa" */
	ST_MAX_RETRIES,      /* most retries in one flow */
	ST_ACCEPTED,         /* guest_progress: pages accepted */
	ST_ACCEPT_FAILED,
	ST_ACCESSES,
	ST_MAPGPA_OK,
	ST_MAPGPA_FAILED,
	ST_GUEST_BUSY_SEEN,  /* guest_progress.busy_seen */
	ST_GUEST_DONE,       /* 1 when every guest program finished */
	ST_ACTORS_DONE,      /* actors that finished */
	ST_HALTED,           /* 1 when the module halted on a sanity check */
	ST_PROGRAMS_FAILED,  /* actors' programs that ended with an error (-errno) */
	ST_MAPGPA_OUTSIDE,   /* MapGPA loops that resumed at an R11 outside [start, end) */
	ST_MAPGPA_ACTIVE,    /* vCPUs still inside tdx_map_gpa() at the end */
	ST__COUNT
};
const char *stats_counter_name(enum stats_counter c);
int stats_counter_by_name(const char *name);          /* -1 if unknown */

/* Flow kinds (VMM_EV_FLOW_BEGIN a, enum vmm_flow_kind) map to slots: kinds below
 * 16 to themselves, VMM_FK_PROGRAM + p to 16 + p. */
#define STATS_MAX_FLOW_KINDS 32
unsigned stats_flow_slot(uint64_t kind);
/* Slot of the "accept" flow the collector derives from the guest's TDG.MEM.PAGE.ACCEPT
 * calls (the guest layer reports no flows of its own). */
#define STATS_FK_ACCEPT 8
#define STATS_HIST_BUCKETS 10   /* 0, 1, 2, 3-4, 5-8, 9-16, 17-32, 33-64, 65-128, >128 */

const char *stats_hist_label(unsigned bucket);       /* "0", "3-4", ">128" */
/* Name of a flow slot: "fault", "removal", "mapgpa", "kick", "accept", a program
 * ("zap_range"), or "kind<N>". */
const char *stats_flow_kind_name(unsigned kind, char *buf, unsigned len);
int stats_flow_kind_by_name(const char *name);        /* -1 if unknown */

struct stats_leaf {
	uint64_t calls, ok, busy, other;
	uint64_t exits;            /* TDCALLs that ended in a TD exit (they run again after it) */
};

#define STATS_HOLDER_UNKNOWN (-1)  /* nobody the observer saw took it (before the run) */
#define STATS_HOLDER_TD_EXIT (-2)  /* the TD exit pseudo-leaf */
#define STATS_HOLDER_HP (-3)       /* free, but the host-priority bit refused a guest */
#define STATS_HOLDER_NONE (-4)     /* no failed lock acquire (a check returned BUSY) */

struct stats_busy {
	int leaf;                  /* table leaf index of the caller */
	uint32_t operand;          /* low 32 bits of the status */
	uint64_t status;           /* full status (first seen) */
	int holder;                /* table leaf index, or STATS_HOLDER_* */
	uint64_t count;
};

struct stats_vm_bug {
	uint64_t leaf, status;     /* as VMM_EV_VM_BUG reports them */
	uint64_t count;
};

struct stats_flow {
	uint64_t begun, ended, retries, max_retries;
	uint64_t hist[STATS_HIST_BUCKETS];
	uint64_t *lat;             /* latencies (ns) of ended flows, in order */
	uint64_t nlat, cap;
	uint64_t results_nonzero;  /* FLOW_END with b != 0 */
};

struct stats_latency {
	uint64_t n, p50, p99, max;
};

struct stats;

struct stats *stats_create(struct engine *e, bool threadsafe);
void stats_destroy(struct stats *s);

/* Observer callbacks (ctx = struct stats *). */
void stats_on_vmm(void *ctx, unsigned actor, enum vmm_event ev, uint64_t a, uint64_t b, uint64_t c);
void stats_on_lock(void *ctx, const struct tdxsim_lock_event *ev);
void stats_on_leaf_begin(void *ctx, unsigned actor, int side, int leaf, uint64_t t);
void stats_on_leaf_end(void *ctx, unsigned actor, int side, int leaf, tdx_status_t status, uint64_t t);
void stats_on_step(void *ctx, unsigned actor, enum flow_ret r, uint64_t t, uint64_t cost);

/* After the run: guest progress, module halt, actors finished. */
void stats_finish(struct stats *s);

/* Results (valid after stats_finish). */
uint64_t stats_counter(const struct stats *s, enum stats_counter c);
const struct stats_leaf *stats_leaf(const struct stats *s, unsigned leaf); /* by table index */
unsigned stats_n_leaves(const struct stats *s);
/* BUSY rows sorted by leaf, operand, holder. */
const struct stats_busy *stats_busy_rows(const struct stats *s, unsigned *n);
const struct stats_vm_bug *stats_vm_bug_rows(const struct stats *s, unsigned *n);
const struct stats_flow *stats_flow(const struct stats *s, unsigned kind);
struct stats_latency stats_flow_latency(const struct stats *s, unsigned kind);
/* Pool the latencies of kind from several runs (sweep). */
struct stats_latency stats_latency_of(uint64_t *vals, uint64_t n); /* sorts vals */
uint64_t stats_actor_progress(const struct stats *s, unsigned actor);
uint64_t stats_actor_blocked(const struct stats *s, unsigned actor);
const char *stats_holder_name(const struct stats *s, int holder);
/* The holder of the lock actor's current leaf failed on (STATS_HOLDER_NONE if it
 * failed on none); valid until stats_on_leaf_end for that leaf. */
int stats_busy_holder(const struct stats *s, unsigned actor);
const struct tdxsim_table *stats_table(const struct stats *s);

#endif
