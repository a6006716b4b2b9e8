/* SPDX-License-Identifier: MIT */
/*
 * Resumable flows: how VMM and guest code is written so that its whole state is
 * plain data in the world (DESIGN §3: "no actor state lives on a C stack between
 * steps").
 *
 * A flow is a C function `enum flow_ret fn(struct flow_ctx *c)` over the top
 * frame of its actor's frame stack.  Its body is one `switch (pc)` (protothread
 * style): every point where the step must end stores a resume label in the frame
 * and returns.  Locals that live across steps are the frame's l[] slots (named
 * with #defines in each flow file); C locals die at every step boundary.
 *
 * One step is one visible action (DESIGN §3): one module step of a SEAMCALL or
 * TDCALL (at most one lock-word operation), one VMM lock try-acquire or release,
 * or one read-or-write of VMM state other actors can see.  Purely local work
 * (argument set-up, branching on values already read) runs inside the step of
 * the next visible action.  The macros enforce it: each visible-action macro
 * first ends the step if c->acted is already set.  A step that returns
 * FLOW_BLOCKED has made no visible change.
 *
 *   FLOW_BEGIN(c);
 *   ...
 *   FLOW_SEAMCALL(c, LEAF_V(6, 0), rcx, rdx, r8, r9);   -> c->fr->status, c->a->host.regs
 *   FLOW_SHARED(c); kvm->flag = 1;                      -> one access to shared VMM state
 *   FLOW_WAIT_UNTIL(c, cond);                           -> BLOCKED until cond
 *   FLOW_CALL(c, FLOW_ID_X, arg0, arg1);                 -> c->fr->ret
 *   FLOW_YIELD(c);                                       -> end the step here
 *   FLOW_RETURN(c, value);
 *   FLOW_END(c);
 */
#ifndef TDXSIM_VMM_FLOW_H
#define TDXSIM_VMM_FLOW_H

#include <stdint.h>

#include "module/interp.h"
#include "module/mod.h"

/* What a scheduler step did (DESIGN §3). */
enum flow_ret {
	FLOW_RAN = 0,     /* advanced one visible action */
	FLOW_BLOCKED = 1, /* cannot proceed now (a VMM lock, a wait); state unchanged */
	FLOW_DONE = 2,    /* the actor finished */
};

#define FLOW_MAX_DEPTH 12
#define FLOW_LOCALS 10

/* One activation record. */
struct flow_frame {
	uint16_t fn;                /* flow id (enum flow_id, defined by the VMM/guest layers) */
	uint16_t pc;                /* resume label, 0 = entry */
	uint32_t attempt;           /* retry counter, for policies */
	int64_t ret;                /* value returned by the last FLOW_CALL */
	uint64_t status;            /* RAX of the last FLOW_SEAMCALL */
	uint64_t l[FLOW_LOCALS];    /* arguments (l[0], l[1], ...) and locals */
};

/* An actor's execution state: its frame stack and the two leaf executions it can
 * have in flight (a SEAMCALL, incl. TDH.VP.ENTER while its guest runs; and the
 * guest's TDCALL or the TD exit). */
struct flow_stack {
	uint8_t depth;
	uint8_t guest_mode;         /* host stack: its TDH.VP.ENTER entered the guest; the
	                             * engine runs the guest until the TD exit completes it */
	uint8_t pad[6];
	struct flow_frame fr[FLOW_MAX_DEPTH];
	struct tdxsim_leaf_exec host;
	struct tdxsim_leaf_exec guest;
};

struct flow_ctx;
typedef enum flow_ret (*flow_fn)(struct flow_ctx *c);

/* Everything a flow step may touch, built by the engine for each step. */
struct flow_ctx {
	struct tdxsim_mod *m;       /* the module */
	void *vmm;                  /* the VMM layer's state (struct kvm_state *) */
	void *guest;                /* the guest layer's state */
	void *actor;                /* the actor (engine struct) */
	struct flow_stack *s;       /* this actor's stack */
	struct flow_frame *fr;      /* top frame */
	unsigned actor_id;
	unsigned lp;                /* logical processor the actor runs on now */
	const flow_fn *table;       /* flow id -> function */
	void *hooks;                /* scheduler hooks (tracing, stats), may be NULL */
	int acted;                  /* a visible action happened in this step */
};

/* Run the top frame's flow; called by the engine once per scheduler step. */
enum flow_ret flow_run(struct flow_ctx *c);
/* Push a call frame with up to 4 arguments (local; the callee runs in this step). */
void flow_push(struct flow_ctx *c, unsigned fn, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
/* Pop with a return value (the caller continues in this step). */
void flow_pop(struct flow_ctx *c, int64_t value);

#define FLOW_BEGIN(c) switch ((c)->fr->pc) { default: flow_bad_pc(c); case 0:
#define FLOW_END(c)                                                                    \
	}                                                                                  \
	flow_pop((c), 0);                                                                  \
	return (c)->s->depth ? flow_run(c) : FLOW_DONE

/* Resume labels: every macro use takes fresh values from __COUNTER__ (captured
 * once as a macro argument, so nested macros never collide); 0 is the entry. */
#define FLOW_LABEL(n) ((n) + 1)

/* If this step already did its visible action, end it here and resume at this
 * point in the next one. */
#define FLOW_SYNC_AT(c, label)                                                         \
	(c)->fr->pc = (label);                                                             \
	__attribute__((fallthrough));                                                      \
	case (label):                                                                      \
		if ((c)->acted)                                                            \
			return FLOW_RAN

/* End the current step; resume after this point in the next one. */
#define FLOW_YIELD(c) FLOW_YIELD_((c), FLOW_LABEL(__COUNTER__))
#define FLOW_YIELD_(c, L)                                                              \
	do {                                                                               \
		(c)->fr->pc = (L);                                                         \
		return FLOW_RAN;                                                           \
	case (L):;                                                                         \
	} while (0)

/* The statements that follow read or write VMM state other actors can see: this
 * is the step's visible action (ends the previous step first if needed). */
#define FLOW_SHARED(c) FLOW_SHARED_((c), FLOW_LABEL(__COUNTER__))
#define FLOW_SHARED_(c, L)                                                             \
	do {                                                                               \
		FLOW_SYNC_AT(c, L);                                                        \
		(c)->acted = 1;                                                            \
	} while (0)

/* Block (no visible effect) until cond holds; evaluating cond reads shared state,
 * so it is the step's visible action.  Unlike FLOW_SYNC_AT, the resume label is
 * stored only when the step ends here with FLOW_RAN: a step that reaches the wait
 * without having acted (at a flow's entry, after a FLOW_YIELD) and blocks must
 * leave its frame's pc alone too -- a BLOCKED step changes nothing.  It resumes
 * at its previous label, re-running only the local work in between. */
#define FLOW_WAIT_UNTIL(c, cond) FLOW_WAIT_UNTIL_((c), (cond), FLOW_LABEL(__COUNTER__))
#define FLOW_WAIT_UNTIL_(c, cond, L)                                                   \
	do {                                                                               \
		if ((c)->acted) {                                                          \
			(c)->fr->pc = (L);                                                 \
			return FLOW_RAN;                                                   \
		}                                                                          \
		__attribute__((fallthrough));                                              \
	case (L):                                                                          \
		if (!(cond))                                                               \
			return FLOW_BLOCKED;                                               \
		(c)->acted = 1;                                                            \
	} while (0)

/* Call a sub-flow; its first step runs now.  The result is in (c)->fr->ret. */
#define FLOW_CALL(c, id, a0, a1, a2, a3) FLOW_CALL_((c), (id), (a0), (a1), (a2), (a3), FLOW_LABEL(__COUNTER__))
#define FLOW_CALL_(c, id, a0, a1, a2, a3, L)                                           \
	do {                                                                               \
		(c)->fr->pc = (L);                                                         \
		flow_push((c), (id), (uint64_t)(a0), (uint64_t)(a1), (uint64_t)(a2),       \
			  (uint64_t)(a3));                                                 \
		return flow_run(c);                                                        \
	case (L):;                                                                         \
	} while (0)

#define FLOW_RETURN(c, v)                                                              \
	do {                                                                               \
		flow_pop((c), (int64_t)(v));                                               \
		return (c)->s->depth ? flow_run(c) : FLOW_DONE;                            \
	} while (0)

/* Issue a SEAMCALL on this actor's LP and step it to completion, one module step
 * per scheduler step.  Afterwards (c)->fr->status = RAX and (c)->s->host.regs =
 * the output registers.  For TDH.VP.ENTER the macro completes when the guest has
 * been entered (status TDXSIM_STATUS_ENTERED); use FLOW_VP_ENTER. */
#define FLOW_SEAMCALL(c, leafv, rcx, rdx, r8, r9)                                      \
	FLOW_SEAMCALL_((c), (leafv), (rcx), (rdx), (r8), (r9), FLOW_LABEL(__COUNTER__),     \
		       FLOW_LABEL(__COUNTER__))
#define FLOW_SEAMCALL_(c, leafv, rcx, rdx, r8, r9, L0, L1)                             \
	do {                                                                               \
		FLOW_SYNC_AT(c, L0);                                                       \
		{                                                                          \
			struct tdxsim_regs regs_ = { { 0 } };                              \
			regs_.r[OPERAND_ID_RAX] = (leafv);                                 \
			regs_.r[OPERAND_ID_RCX] = (rcx);                                   \
			regs_.r[OPERAND_ID_RDX] = (rdx);                                   \
			regs_.r[OPERAND_ID_R8] = (r8);                                     \
			regs_.r[OPERAND_ID_R9] = (r9);                                     \
			flow_seamcall_begin((c), &regs_);                                  \
		}                                                                          \
		FLOW_SYNC_AT(c, L1);                                                       \
		if (flow_seamcall_step(c) == FLOW_RAN)                                     \
			return FLOW_RAN;                                                   \
	} while (0)

/* TDH.VP.ENTER: enter, let the engine run the guest until the TD exit completes
 * the call, then continue with (c)->fr->status = VP.ENTER's RAX and the exit
 * registers in (c)->s->host.regs. */
#define FLOW_VP_ENTER(c, tdvpr, flags)                                                 \
	do {                                                                               \
		FLOW_SEAMCALL(c, 0, (tdvpr) | (flags), 0, 0, 0);                           \
		if ((c)->fr->status == TDXSIM_STATUS_ENTERED) {                            \
			FLOW_YIELD(c);                                                     \
			(c)->fr->status = (c)->s->host.regs.r[OPERAND_ID_RAX];             \
		}                                                                          \
	} while (0)

/* Helpers behind the macros (flow.c). */
void flow_bad_pc(struct flow_ctx *c) __attribute__((noreturn));
void flow_seamcall_begin(struct flow_ctx *c, const struct tdxsim_regs *regs);
/* One module step of the SEAMCALL in flight (sets c->acted).  Returns FLOW_RAN
 * while the leaf needs more steps, else FLOW_DONE with c->fr->status set; the
 * flow then continues locally, and its next visible action starts a new step. */
enum flow_ret flow_seamcall_step(struct flow_ctx *c);

#endif
