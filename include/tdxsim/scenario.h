/* SPDX-License-Identifier: MIT */
/*
 * A scenario (DESIGN §6; file format docs/scenario.md) fixes a world — module
 * version, VMM profile (KVM version), retry policy, platform and TD sizes — the
 * setup run before the measured part, the actors and their programs, the
 * properties to check, and the expected outcome, so that a scenario is also a
 * test.
 */
#ifndef TDXSIM_SCENARIO_H
#define TDXSIM_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include "tdxsim/error.h"
#include "tdxsim/module.h"
#include "tdxsim/policy.h"

#define TDXSIM_SCN_MAX_ACTORS 128
#define TDXSIM_SCN_MAX_SETUP 160
#define TDXSIM_SCN_MAX_LATENCY 64

enum tdxsim_actor_kind {
	TDXSIM_ACTOR_VCPU,    /* a vCPU thread: KVM_RUN loop on the host, its guest program */
	TDXSIM_ACTOR_THREAD,  /* a host thread running one VMM program (an ioctl, hotplug...) */
};

/* A program and its arguments: VMM programs (enum vmm_program) for threads and
 * setup steps, guest programs (enum guest_program) for vCPUs' guests. */
struct tdxsim_program {
	int id;
	uint64_t a[3];
	unsigned lp;               /* setup steps: the logical processor to run on */
	unsigned line;
};

struct tdxsim_actor_spec {
	enum tdxsim_actor_kind kind;
	unsigned vm, vcpu;         /* vCPU actors: which vCPU */
	unsigned lp;               /* logical processor it runs on */
	struct tdxsim_program host;/* threads: the VMM program; vCPUs: VMM_PROG_VCPU_RUN */
	struct tdxsim_program guest;/* vCPUs: the guest program */
	char name[TDXSIM_NAME_MAX];
	unsigned line;
	uint64_t start_ns;         /* virtual time of its first step (sim; threads: wait for it) */
};

/* Inputs from outside the model, applied between steps at a virtual time
 * (docs/scenario.md "inputs"): what userspace, interrupts and signals do. */
enum tdxsim_input_kind {
	TDXSIM_IN_EVENT,           /* kvm_vcpu_has_events() true/false (vmm_vcpu_set_event) */
	TDXSIM_IN_SIGNAL,          /* a signal pending for the vCPU thread (vmm_vcpu_set_signal) */
	TDXSIM_IN_STOP,            /* userspace stops the vCPU thread (vmm_vcpu_stop) */
	TDXSIM_IN_INTERRUPT,       /* a posted virtual interrupt for the guest (guest_post_interrupt) */
	TDXSIM_IN_HYPERCALL_RET,   /* userspace's MapGPA hypercall.ret (vmm_vm_set_hypercall_ret) */
	TDXSIM_IN_INJECT,          /* SEAMCALL fault injection (vmm_inject_status) */
};
#define TDXSIM_SCN_MAX_INPUTS 32

struct tdxsim_input {
	enum tdxsim_input_kind kind;
	uint64_t at_ns;            /* virtual time; 0 = before the first step */
	uint64_t every_ns;         /* > 0: again every every_ns (a periodic interrupt) ... */
	uint64_t until_ns;         /* ... until this time (0 = the end of the run) */
	unsigned vm, vcpu;
	bool value;                /* EVENT / SIGNAL: pending or not */
	int ret, chunk;            /* HYPERCALL_RET: positive errno or 0; chunk, -1 = every chunk */
	bool r11_set;              /* HYPERCALL_RET: a misbehaving VMM answers RETRY with ... */
	uint64_t r11;              /* ... this R11 (vmm_vm_set_mapgpa_r11) */
	unsigned leaf;             /* INJECT: leaf number, 0xFFFF = any */
	int lp;                    /* INJECT: -1 = any */
	unsigned count;            /* INJECT */
	uint64_t status;           /* INJECT */
	unsigned line;
};

/* Properties (DESIGN §6). */
enum tdxsim_property {
	TDXSIM_PROP_DEADLOCK = 1u << 0,     /* an actor not finished and none can step */
	TDXSIM_PROP_VM_BUG = 1u << 1,       /* KVM_BUG_ON: the VM is dead */
	TDXSIM_PROP_INVARIANTS = 1u << 2,   /* module invariants after every step */
	TDXSIM_PROP_LIVELOCK = 1u << 3,     /* a fair cycle with no progress */
	TDXSIM_PROP_STARVATION = 1u << 4,   /* an actor class never progresses (weak fairness) */
	TDXSIM_PROP_RETRY_BOUND = 1u << 5,  /* retries per flow <= retry_bound */
	TDXSIM_PROP_MAPGPA = 1u << 6,       /* MapGPA terminates, never resumes outside [start,end) */
	TDXSIM_PROP_HALT = 1u << 7,         /* the module never halts on a sanity check */
	TDXSIM_PROP_USER_EXIT = 1u << 8,    /* no vCPU exits to userspace with an error */
};

/* How a simulation ends (same values as enum sim_outcome, src/engine/sched_sim.h). */
enum tdxsim_outcome {
	TDXSIM_OUTCOME_ANY = -1,   /* not stated */
	TDXSIM_OUTCOME_DONE = 0,   /* every actor finished */
	TDXSIM_OUTCOME_TIME,       /* the time limit was reached */
	TDXSIM_OUTCOME_STEPS,      /* the step limit was reached */
	TDXSIM_OUTCOME_DEADLOCK,   /* nobody can step */
	TDXSIM_OUTCOME_STALL,      /* steps happen but nothing progresses (VMM stall, livelock) */
};
const char *tdxsim_outcome_name(enum tdxsim_outcome o);   /* "done", "stall"... */
int tdxsim_outcome_by_name(const char *name);             /* -1 if unknown */

#define TDXSIM_SCN_MAX_COUNTERS 24

/* A bound on one simulator counter (names: docs/sim.md, engine/stats.h). */
struct tdxsim_expect_counter {
	char name[TDXSIM_NAME_MAX];
	uint64_t min, max;         /* inclusive */
	unsigned line;
};

/* Expected outcomes: one bit per property that must be violated (found), and for
 * the simulator its outcome and a few counters with bounds. */
struct tdxsim_expect {
	bool set;
	uint32_t violated;         /* properties expected to be violated */
	uint32_t holds;            /* properties expected to hold */
	char notes[256];
	int outcome;               /* sim: enum tdxsim_outcome */
	struct tdxsim_expect_counter counters[TDXSIM_SCN_MAX_COUNTERS];
	unsigned ncounters;
	unsigned line;
};

struct tdxsim_latency {
	char leaf[TDXSIM_NAME_MAX];/* leaf name, or a step class: "lock", "vmm", "guest", "exit" */
	uint64_t ns;
};

struct tdxsim_scenario {
	char name[TDXSIM_NAME_MAX];
	char *doc;
	char *path;
	char module[256];          /* table file (resolved path) */
	char vmm[256];             /* VMM profile file (resolved path) */
	int kernel;                /* enum vmm_kernel from the profile name or `kernel:` */
	struct tdxsim_policy policy;
	struct tdxsim_module_config platform;
	unsigned n_vms, n_vcpus, n_pages;
	uint64_t private_base;
	uint64_t hp_timeout_us;    /* written into TDCS at TD init; 0 = module default */
	bool hp_timeout_off;       /* model "no timeout": hp_lock_timeout = infinity */
	struct tdxsim_program setup[TDXSIM_SCN_MAX_SETUP];
	unsigned nsetup;
	struct tdxsim_actor_spec actors[TDXSIM_SCN_MAX_ACTORS];
	unsigned nactors;
	uint32_t properties;       /* enum tdxsim_property bits to check */
	unsigned retry_bound;      /* TDXSIM_PROP_RETRY_BOUND */
	int starve_class;          /* TDXSIM_PROP_STARVATION: actor kind/program class */
	struct tdxsim_expect expect_sim, expect_check;
	struct tdxsim_latency latency[TDXSIM_SCN_MAX_LATENCY];
	unsigned nlatency;
	uint64_t sim_time_ns;      /* default --time */
	uint64_t seed;             /* default --seed */
	/* Added with the loader (docs/scenario.md). */
	uint64_t stall_ns;         /* sim: no progress for this long is a stall (0 = default) */
	uint64_t max_steps;        /* sim: safety bound on steps (0 = none) */
	unsigned n_memslots;       /* memslots per VM (default 1) */
	char kernel_name[TDXSIM_NAME_MAX]; /* "kvm-6.19" */
	char vmm_name[TDXSIM_NAME_MAX];    /* profile name, "kvm-6.19" */
	char module_name[TDXSIM_NAME_MAX]; /* "tdx-1.5.05" */
	bool policy_overridden;    /* --policy replaced the scenario's policy */
	unsigned line_expect_sim;  /* line of `expect:` (0 = none) */
	struct tdxsim_input inputs[TDXSIM_SCN_MAX_INPUTS];
	unsigned ninputs;
	int stop_vcpus;            /* when the vCPU threads are stopped: 0 never, 1 when every
	                            * thread actor and every guest program finished (default),
	                            * 2 when every thread actor finished, 3 when every guest
	                            * program finished */
};

/* Load and validate; file:line errors.  policy_override (a built-in name or
 * file) replaces the scenario's policy when non-NULL. */
int tdxsim_scenario_load(const char *path, const char *policy_override,
			 struct tdxsim_scenario *out, struct tdxsim_error *err);
void tdxsim_scenario_free(struct tdxsim_scenario *s);

const char *tdxsim_property_name(enum tdxsim_property p);
int tdxsim_property_by_name(const char *name);

#endif
