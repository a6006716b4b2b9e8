/* SPDX-License-Identifier: MIT */
/*
 * The guest TD model (Linux-like) as seen by the engine: its state region, the
 * programs a vCPU's guest runs, and the step that runs a vCPU while it is in
 * guest mode (TDCALLs, memory accesses, and the TD exits they or a kick cause).
 */
#ifndef TDXSIM_GUEST_GUEST_H
#define TDXSIM_GUEST_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tdxsim/policy.h"
#include "vmm/flow.h"

struct guest_config {
	const struct tdxsim_guest_policy *policy;
	unsigned n_vms, n_vcpus;
	uint64_t private_base;   /* first private GPA the guest uses */
	unsigned n_pages;        /* private pages */
};

enum guest_program {
	GUEST_PROG_IDLE,         /* spin at one RIP, touching nothing (a vCPU the host can kick) */
	GUEST_PROG_ACCEPT,       /* accept [a0, a0 + a1 pages) with the policy's fallback/retry */
	GUEST_PROG_ACCESS_SEQ,   /* touch a1 pages from a0 in order, a2 rounds */
	GUEST_PROG_ACCESS_RANDOM,/* touch a2 random pages of [a0, a0 + a1) (PRNG in the world) */
	GUEST_PROG_ZERO_STEP,    /* one instruction (fixed RIP) touching a1 pages from a0: every
	                          * touch faults until all are mapped (triggers §4 zero-step) */
	GUEST_PROG_MAPGPA,       /* MapGPA [a0, a0 + a1 pages) to shared (a2 = 0) or private (1) */
	GUEST_PROG__COUNT
};

size_t guest_state_size(const struct guest_config *cfg);
void guest_state_init(void *guest, const struct guest_config *cfg);
const flow_fn *guest_flow_table(void);
void guest_program_start(struct flow_ctx *c, enum guest_program p, uint64_t a0, uint64_t a1, uint64_t a2);

/* One step of vCPU (vm, vcpu) in guest mode.  c->s is the actor's guest stack;
 * host_stack is its host stack, whose TDH.VP.ENTER is in TDXSIM_LEAF_ENTERED:
 * when a TD exit completes, the guest layer leaves the VP.ENTER outputs in
 * host_stack->host.regs, sets its status and clears host_stack->guest_mode. */
enum flow_ret guest_vcpu_step(struct flow_ctx *c, struct flow_stack *host_stack, unsigned vm,
			      unsigned vcpu);

/* A virtual interrupt for the guest of (vm, vcpu) (posted-interrupt style: no TD
 * exit).  The guest takes it before its next instruction; a 2 MB TDG.MEM.PAGE.ACCEPT
 * in progress sees it (vcpu_obj.intr_pending) and stops early, and the guest runs the
 * TDCALL again after taking it. */
void guest_post_interrupt(void *guest, unsigned vm, unsigned vcpu);
/* Whether the guest of vm has accepted the private page at gpa (and not converted it
 * to shared since). */
bool guest_page_accepted(const void *guest, unsigned vm, uint64_t gpa);
/* Seed the guests' PRNGs (GUEST_PROG_ACCESS_RANDOM); guest_state_init seeds with 0. */
void guest_seed(void *guest, uint64_t seed);

/* The MapGPA loop of one vCPU (linux-kvm-tdx.md §6.1), for the MapGPA property:
 * "terminates, never resumes outside [start, end)". */
struct guest_mapgpa {
	bool active;             /* inside tdx_map_gpa() */
	uint64_t start0, end;    /* the range it was called with */
	uint64_t start;          /* where the next TDVMCALL<MapGPA> starts */
	uint64_t last_r11;       /* R11 of the last TDVMCALL_STATUS_RETRY */
	unsigned retry_count;    /* RETRYs without progress */
	uint64_t resumed_outside;/* times it resumed at an R11 outside [start0, end) */
	unsigned result;         /* last tdx_map_gpa(): 0 none yet, 1 true, 2 false */
};
bool guest_mapgpa_state(const void *guest, unsigned vm, unsigned vcpu, struct guest_mapgpa *out);

/* Guest progress for reports: pages accepted, accesses done, MapGPA results. */
struct guest_progress {
	uint64_t accepted, accept_failed, accesses, mapgpa_ok, mapgpa_failed;
	uint64_t busy_seen;      /* TDCALLs that returned TDX_OPERAND_BUSY */
	bool done;               /* every guest program finished */
};
void guest_progress(const void *guest, struct guest_progress *out);

#endif
