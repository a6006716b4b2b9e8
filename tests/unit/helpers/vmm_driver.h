/* SPDX-License-Identifier: MIT */
/*
 * A small deterministic driver for the VMM model's tests (before and besides the
 * engine): a world over data/modules/tdx-1.5.05.yaml with the VMM region and an
 * actor region, actors with a host and a guest flow stack each, a round-robin
 * scheduler, and -- while a vCPU's host stack is in guest mode -- either the guest
 * layer (guest_vcpu_step, when it is linked and asked for) or a built-in scripted
 * guest: a short list of operations (exit, access, accept, MapGPA, idle) executed
 * with the module's own TDCALL/TD-exit API.
 *
 * Events the VMM reports are logged (and counted) outside the world.
 */
#ifndef TDXSIM_TEST_VMM_DRIVER_H
#define TDXSIM_TEST_VMM_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tdxsim/policy.h"
#include "tdxsim/world.h"
#include "guest/guest.h"
#include "vmm/flow.h"
#include "vmm/vmm.h"

#define VD_MAX_ACTORS 16
#define VD_MAX_GOPS 16
#define VD_PRIVATE_BASE 0x40000000ull   /* 1 GiB: the tests' private range */

struct vd_config {
	enum vmm_kernel kernel;        /* default VMM_KVM_6_16 */
	const char *policy;            /* built-in name; default "kvm-6.16"/"kvm-6.19" by kernel */
	const struct tdxsim_policy *policy_obj; /* overrides `policy` */
	unsigned n_lps, n_pkgs, n_frames;  /* default 4, 2, 2048 */
	unsigned n_vms, n_vcpus, n_pages, n_memslots; /* default 1, 2, 16, 1 */
	uint64_t private_base;         /* default VD_PRIVATE_BASE */
	bool lps_vmx_off, module_not_loaded;
	bool real_guest;               /* run the guest layer's guest_vcpu_step if linked */
	bool check_invariants;         /* module invariants after every step */
};

/* Scripted guest operations. */
enum vd_gop_kind {
	GOP_IDLE = 0,      /* stay in the guest until kicked (or the VM dies); never ends */
	GOP_EXIT,          /* one TD exit (external interrupt) */
	GOP_ACCESS,        /* write a: an EPT-violation TD exit until the SEPT allows it */
	GOP_ACCEPT,        /* TDG.MEM.PAGE.ACCEPT of a (4K); re-executed after an exit */
	GOP_MAPGPA,        /* Linux tdx_map_gpa(a, a + b): MapGPA with the guest's retry rules */
};
struct vd_gop {
	uint8_t op;
	uint64_t a, b;
};

/* Per vCPU, in the world. */
struct vd_guest {
	uint32_t pc, nops;
	uint8_t phase;                 /* 0 next op, 1 TDCALL in flight, 2 TD exit in flight */
	uint8_t mg_active, mg_wait;    /* MapGPA loop state */
	uint8_t pad;
	uint32_t mg_retries;
	uint64_t mg_start, mg_end;
	uint64_t accept_status;        /* last ACCEPT result */
	uint64_t accepted, accept_failed, mapgpa_ok, mapgpa_failed, exits, mapgpa_calls;
	uint64_t mapgpa_r11[8];        /* R11 of the RETRY answers, in order */
	uint32_t n_r11;
	struct vd_gop ops[VD_MAX_GOPS];
};

struct vd_actor {
	uint8_t kind;                  /* 0 thread, 1 vCPU */
	uint8_t done;
	uint8_t pad[2];
	uint32_t lp, vm, vcpu;
	struct flow_stack host, guest;
	struct vd_guest g;
};

struct vd_event {
	unsigned actor;
	enum vmm_event ev;
	uint64_t a, b, c;
};

struct vd;
typedef void (*vd_event_fn)(struct vd *d, unsigned actor, enum vmm_event ev, uint64_t a, uint64_t b,
			    uint64_t c);

struct vd {
	struct tdxsim_table *table;
	struct tdxsim_world *w;
	struct vmm_config vcfg;
	struct tdxsim_policy policy;
	struct vd_config cfg;
	void *vmm;
	void *guest;                   /* the guest layer's region (real_guest), else NULL */
	struct guest_config gcfg;
	struct vd_actor *actors;       /* in the world's user region */
	unsigned n_actors;
	struct vmm_hooks hooks;
	struct vd_event *log;
	size_t nlog, caplog;
	vd_event_fn on_event;          /* called for every event (tests' checks) */
	void *user;
};

enum vd_run_result { VD_ALL_DONE, VD_DEADLOCK, VD_LIMIT };

struct vd *vd_new(const struct vd_config *cfg);
void vd_free(struct vd *d);
struct tdxsim_mod *vd_mod(struct vd *d);

/* Add actors; returns the actor id. */
unsigned vd_thread(struct vd *d, unsigned lp, enum vmm_program p, uint64_t a0, uint64_t a1, uint64_t a2);
unsigned vd_vcpu(struct vd *d, unsigned lp, unsigned vm, unsigned vcpu, uint64_t max_entries,
		 const struct vd_gop *ops, unsigned nops);

/* A vCPU whose guest is the guest layer's program gp (vd_config.real_guest). */
unsigned vd_vcpu_prog(struct vd *d, unsigned lp, unsigned vm, unsigned vcpu, uint64_t max_entries,
		      enum guest_program gp, uint64_t a0, uint64_t a1, uint64_t a2);

/* One step of actor i. */
enum flow_ret vd_step(struct vd *d, unsigned i);
/* Round robin over the unfinished actors until all are done, a full round in which
 * every unfinished actor is blocked (deadlock), or max_rounds. */
enum vd_run_result vd_run(struct vd *d, unsigned long max_rounds);
/* Step actor i alone until it is done (asserts it never blocks); returns its result. */
int64_t vd_finish(struct vd *d, unsigned i, unsigned long max_steps);
/* Round robin until pred(d, ctx) holds (checked after every round); false if it did
 * not within max_rounds. */
bool vd_run_until(struct vd *d, bool (*pred)(struct vd *d, void *ctx), void *ctx, unsigned long max_rounds);
/* Run program p alone as a new thread on lp to completion; returns its result. */
int64_t vd_run_prog(struct vd *d, unsigned lp, enum vmm_program p, uint64_t a0, uint64_t a1, uint64_t a2);

/* Bring-up shortcuts (each asserts success): module init; TD create + every vCPU
 * init (on LP = vcpu index) + finalize, with n_add pages INIT_MEM_REGION'd from the
 * private base first. */
void vd_boot(struct vd *d);
void vd_build_td(struct vd *d, unsigned vm, unsigned n_add);

/* Event log. */
unsigned vd_count(const struct vd *d, enum vmm_event ev);
unsigned vd_count_leaf(const struct vd *d, enum vmm_event ev, unsigned leaf);
/* Index of the first event ev with a == a from index `from`, or -1. */
long vd_find(const struct vd *d, size_t from, enum vmm_event ev, uint64_t a);
void vd_clear_log(struct vd *d);
void vd_dump_log(const struct vd *d, size_t from);   /* to stderr, for debugging */
/* A description of actor i's position (for failure messages). */
void vd_describe(struct vd *d, unsigned i, char *buf, size_t len);

/* Module-side helpers for assertions. */
enum sept_state_pub { VD_SEPT_NONE = -1 };
int vd_sept_state(struct vd *d, unsigned vm, uint64_t gpa);   /* enum sept_state of the 4K leaf, -1 */
uint64_t vd_tdr(struct vd *d, unsigned vm);

#endif
