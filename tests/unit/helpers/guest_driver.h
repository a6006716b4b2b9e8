/* SPDX-License-Identifier: MIT */
/*
 * A minimal host stand-in for the guest model's tests (test_guest_*.c): one TD with
 * one vCPU built on the real module (fixture.h), entered with the real
 * TDH.VP.ENTER, its guest stepped with guest_vcpu_step(), and every TD exit answered
 * by a scripted host:
 *   EPT violation   -> AUG a 4K page (or a 2M page, or UNBLOCK the 4K page, or
 *                      nothing), as gd.ept says;
 *   TDVMCALL MapGPA -> the next scripted (R10, R11) response;
 *   TDVMCALL HLT    -> counted; gd_run() stops there;
 *   anything else   -> enter again.
 * Every exit is logged with its registers.  The host is not the VMM model: it has no
 * policy and no kick (the flow context has no VMM state, so the guest never sees a
 * kick pending).
 */
#ifndef TDXSIM_TEST_GUEST_DRIVER_H
#define TDXSIM_TEST_GUEST_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "helpers/fixture.h"

#include "guest/guest.h"
#include "guest/guest_internal.h"

#define GD_BASE 0x10000000ull        /* first private GPA the guest uses (2M aligned) */
#define GD_PAGES 1024u               /* private pages the guest state tracks */
#define GD_MAX_EXITS 2048
#define GD_MAX_SCRIPT 32

enum gd_ept {
	GD_EPT_AUG_4K,                    /* TDH.MEM.PAGE.AUG of a fresh 4K page at the GPA */
	GD_EPT_AUG_2M,                    /* TDH.MEM.PAGE.AUG of a fresh 2M page at GPA & ~2M */
	GD_EPT_UNBLOCK,                   /* TDH.MEM.RANGE.UNBLOCK of the 4K page at the GPA */
	GD_EPT_NOTHING,
};

struct gd_exit {
	uint64_t rax, rcx, rdx, r8, r10, r11, r12, r13;
	bool from_enter;                  /* VP.ENTER completed without entering the guest */
	uint64_t rip;                     /* guest RIP at the exit (vcpu_obj.guest_rip) */
};

struct gd_resp {
	uint64_t r10, r11;
};

struct gd {
	struct fx *f;
	struct fx_td td;
	unsigned v;
	struct tdxsim_guest_policy pol;
	struct guest_config cfg;
	void *guest;
	struct flow_stack host, gs;
	/* The scripted host. */
	enum gd_ept ept;
	uint64_t skip_fix_once;           /* GPA whose first EPT violation is left unfixed */
	struct gd_resp mapgpa[GD_MAX_SCRIPT];
	unsigned n_mapgpa, i_mapgpa;
	uint64_t resp_r10, resp_r11;      /* response for the next VP.ENTER */
	uint64_t enter_flags;             /* RCX flags for the next VP.ENTER (bit 52 hint) */
	/* What happened. */
	struct gd_exit exits[GD_MAX_EXITS];
	unsigned n_exits;
	unsigned entries;                 /* VP.ENTERs that entered the guest */
	unsigned halts;                   /* TDVMCALL<HLT> exits */
	unsigned vp_enter_tree_ex;        /* SEPT tree taken exclusively by VP.ENTER */
	uint64_t steps;                   /* guest steps */
	tdx_status_t last_fix;            /* status of the last AUG/UNBLOCK */
	int leaf_vp_enter, res_sept_tree;
};

/* A booted platform, a TD with one vCPU (LP 1), finalized; the guest state with
 * policy pol (NULL = the Linux guest).  build() runs before TDH.MR.FINALIZE (e.g.
 * TDH.MEM.PAGE.ADD of some pages); it may be NULL. */
struct gd *gd_new(const struct tdxsim_guest_policy *pol, void (*build)(struct gd *d));
void gd_free(struct gd *d);

/* Start a guest program (the guest stack must be empty or hold a finished program's
 * halt loop, which is dropped). */
void gd_start(struct gd *d, enum guest_program p, uint64_t a0, uint64_t a1, uint64_t a2);
/* One step: the guest's step if the vCPU is in guest mode, else the host answers the
 * last exit and enters the vCPU again (TDH.VP.ENTER run to completion). */
void gd_step(struct gd *d);
/* Step until the guest has halted `halts` times in all (asserting within max steps). */
void gd_run_until_halts(struct gd *d, unsigned halts, uint64_t max_steps);
static inline void gd_run(struct gd *d)
{
	gd_run_until_halts(d, d->halts + 1, 2000000);
}
/* Queue a MapGPA response (R10, R11). */
void gd_script_mapgpa(struct gd *d, uint64_t r10, uint64_t r11);

/* Accessors. */
struct guest_vcpu *gd_vcpu(struct gd *d);
struct vcpu_obj *gd_vcpu_obj(struct gd *d);
/* SEPT entry (state index, enum sept_state) mapping gpa at level, -1 if the walk
 * does not reach it. */
int gd_sept_state(struct gd *d, uint64_t gpa, unsigned level);
/* Host SEAMCALLs on the TD, run to completion (RAX returned). */
tdx_status_t gd_aug_4k(struct gd *d, uint64_t gpa);
tdx_status_t gd_aug_2m(struct gd *d, uint64_t gpa);

#endif
