/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/flow.h"

enum flow_ret flow_run(struct flow_ctx *c)
{
	if (c->s->depth == 0)
		return FLOW_DONE;
	c->fr = &c->s->fr[c->s->depth - 1];
	return c->table[c->fr->fn](c);
}

void flow_push(struct flow_ctx *c, unsigned fn, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	if (c->s->depth >= FLOW_MAX_DEPTH) {
		fprintf(stderr, "tdxsim: internal invariant: flow stack deeper than %d (actor %u)\n",
			FLOW_MAX_DEPTH, c->actor_id);
		abort();
	}
	struct flow_frame *f = &c->s->fr[c->s->depth++];
	memset(f, 0, sizeof(*f));
	f->fn = (uint16_t)fn;
	f->l[0] = a0;
	f->l[1] = a1;
	f->l[2] = a2;
	f->l[3] = a3;
	c->fr = f;
}

void flow_pop(struct flow_ctx *c, int64_t value)
{
	/* Zero the dead frame: states that differ only in dead data must compare equal. */
	memset(&c->s->fr[--c->s->depth], 0, sizeof(struct flow_frame));
	if (c->s->depth) {
		c->fr = &c->s->fr[c->s->depth - 1];
		c->fr->ret = value;
	}
}

void flow_seamcall_begin(struct flow_ctx *c, const struct tdxsim_regs *regs)
{
	mod_seamcall_begin(c->m, &c->s->host, c->lp, regs);
}

enum flow_ret flow_seamcall_step(struct flow_ctx *c)
{
	enum tdxsim_step_result r = mod_leaf_step(c->m, &c->s->host);
	c->acted = 1;
	if (r == TDXSIM_STEP_RAN)
		return FLOW_RAN;
	if (r == TDXSIM_STEP_ENTERED)
		c->s->guest_mode = 1; /* the engine now runs the guest; see FLOW_VP_ENTER */
	c->fr->status = c->s->host.regs.r[OPERAND_ID_RAX];
	return FLOW_DONE;
}

void flow_bad_pc(struct flow_ctx *c)
{
	fprintf(stderr, "tdxsim: internal invariant: flow %u of actor %u resumed at unknown label %u\n",
		(unsigned)c->fr->fn, c->actor_id, (unsigned)c->fr->pc);
	abort();
}
