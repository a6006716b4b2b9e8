/* SPDX-License-Identifier: MIT */
/*
 * The guest TD model (Linux-like) as seen by the engine: its state region, the
 * programs a vCPU's guest runs, and the step that runs a vCPU while it is in
 * guest mode (TDCALLs, memory accesses, and the TD exits they or a kick cause).
 */
#ifndef TDXSIM_GUEST_GUEST_H
#define TDXSIM_GUEST_GUEST_H

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

/* Guest progress for reports: pages accepted, accesses done, MapGPA results. */
struct guest_progress {
	uint64_t accepted, accept_failed, accesses, mapgpa_ok, mapgpa_failed;
	uint64_t busy_seen;      /* TDCALLs that returned TDX_OPERAND_BUSY */
	bool done;               /* every guest program finished */
};
void guest_progress(const void *guest, struct guest_progress *out);

#endif
