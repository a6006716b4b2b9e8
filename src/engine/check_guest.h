/* SPDX-License-Identifier: MIT */
/*
 * The checker's view of the guest layer's state (check_guest.c is the one
 * checker file that knows guest/guest_internal.h): per-vCPU progress counters,
 * and the state-abstraction rules for the guest region (docs/check.md).
 */
#ifndef TDXSIM_ENGINE_CHECK_GUEST_H
#define TDXSIM_ENGINE_CHECK_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "module/mod.h"
#include "vmm/flow.h"

struct ckg_counts {
	uint64_t acc, accf, accs, mok, mfail, outside;
};

unsigned ckg_nvcpus(const void *guest);
/* Where the record of guest vCPU (vm, vcpu) lies in the guest region. */
bool ckg_vcpu_range(const void *guest, unsigned vm, unsigned vcpu, uint64_t *off, uint64_t *len);
void ckg_counts(const void *guest, unsigned i, struct ckg_counts *out);
/* The guest program of (vm, vcpu) returned. */
bool ckg_prog_finished(const void *guest, unsigned vm, unsigned vcpu);
/* Abstraction of the guest region: statistics zeroed, the MapGPA resumed-outside
 * count saturated at 1, RIPs translated.  perturb != NULL: scramble instead
 * (validation), with perturb(ctx) as the random source. */
void ckg_canon(void *guest, struct tdxsim_mod *m, uint64_t (*perturb)(void *ctx), void *ctx);
/* Abstraction of guest flow frames: try_accept_one's BUSY count when unbounded. */
void ckg_canon_frames(const void *guest, struct flow_stack *s, uint64_t (*perturb)(void *ctx), void *ctx);
/* What the guest saw as RAX of its last completed TDCALL (0 if none). */
uint64_t ckg_last_rax(const void *guest, unsigned vm, unsigned vcpu);

#endif
