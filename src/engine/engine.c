/* SPDX-License-Identifier: MIT */
/* Building a world from a scenario, and the one step function (DESIGN §3). */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "module/interp.h"

#define SETUP_STEP_LIMIT 50000000ull

static void forward_vmm_event(void *ctx, unsigned actor, enum vmm_event ev, uint64_t a, uint64_t b,
			      uint64_t c)
{
	struct engine *e = ctx;
	if (e->obs.vmm_event)
		e->obs.vmm_event(e->obs.ctx, actor, ev, a, b, c);
}

static void forward_lock_event(void *ctx, const struct tdxsim_lock_event *ev)
{
	struct engine *e = ctx;
	if (e->obs.lock_event)
		e->obs.lock_event(e->obs.ctx, ev);
}

void engine_set_observer(struct engine *e, const struct engine_observer *obs)
{
	if (obs)
		e->obs = *obs;
	else
		memset(&e->obs, 0, sizeof(e->obs));
}

static size_t align64(size_t v)
{
	return (v + 63) & ~(size_t)63;
}

static struct flow_ctx make_ctx(struct engine *e, unsigned i, struct flow_stack *s, const flow_fn *table)
{
	struct eng_actor *a = engine_actor(e, i);
	struct flow_ctx c = {
		.m = &e->w->mod,
		.vmm = engine_vmm(e),
		.guest = engine_guest(e),
		.actor = a,
		.s = s,
		.fr = s->depth ? &s->fr[s->depth - 1] : NULL,
		.actor_id = i,
		.lp = a->lp,
		.table = table,
		.hooks = &e->hooks,
		.acted = 0,
	};
	return c;
}

enum flow_ret engine_step(struct engine *e, unsigned i)
{
	struct eng_actor *a = engine_actor(e, i);
	if (a->done)
		return FLOW_DONE;
	atomic_store_explicit(&e->cur_actor, i, memory_order_relaxed);
	enum flow_ret r;
	if (a->kind == TDXSIM_ACTOR_VCPU && a->host.guest_mode) {
		struct flow_ctx c = make_ctx(e, i, &a->guest, guest_flow_table());
		r = guest_vcpu_step(&c, &a->host, a->vm, a->vcpu);
		/* A finished guest program does not finish the vCPU thread. */
		if (r == FLOW_DONE)
			r = FLOW_RAN;
		atomic_store_explicit(&e->last_acted, 1, memory_order_relaxed);
	} else {
		struct flow_ctx c = make_ctx(e, i, &a->host, vmm_flow_table());
		r = flow_run(&c);
		if (r == FLOW_DONE)
			a->done = 1;
		atomic_store_explicit(&e->last_acted, (uint8_t)(c.acted != 0), memory_order_relaxed);
	}
	if (r != FLOW_BLOCKED)
		a->progress++;
	if (e->w->mod.check_invariants) {
		char why[256];
		if (!tdxsim_world_check_invariants(e->w, why, sizeof(why))) {
			char what[128];
			engine_describe(e, i, what, sizeof(what));
			fprintf(stderr, "tdxsim: module invariant broken after a step of actor %u (%s): %s\n",
				i, what, why);
			abort();
		}
	}
	return r;
}

bool engine_all_done(struct engine *e)
{
	for (unsigned i = 0; i < engine_n_actors(e); i++)
		if (!engine_actor(e, i)->done)
			return false;
	return true;
}

void engine_describe(struct engine *e, unsigned i, char *buf, size_t len)
{
	struct eng_actor *a = engine_actor(e, i);
	const struct tdxsim_leaf_exec *x = a->host.guest_mode ? &a->guest.guest : &a->host.host;
	const char *where = a->done ? "done" : a->host.guest_mode ? "guest" : "host";
	if (!a->done && (x->phase == TDXSIM_LEAF_RUN || x->phase == TDXSIM_LEAF_UNWIND) && x->leaf >= 0)
		snprintf(buf, len, "%s: %s step %u", where, e->table->leaves[x->leaf].name, (unsigned)x->pc);
	else if (!a->done && x->leaf == TDXSIM_LEAF_TD_EXIT && x->phase == TDXSIM_LEAF_RUN)
		snprintf(buf, len, "%s: TD exit", where);
	else {
		const struct flow_stack *s = a->host.guest_mode ? &a->guest : &a->host;
		const char *fname = !a->host.guest_mode && s->depth ? vmm_flow_name(s->fr[s->depth - 1].fn) : NULL;
		if (s->depth && fname)
			snprintf(buf, len, "%s: %s pc %u (depth %u)", where, fname,
				 (unsigned)s->fr[s->depth - 1].pc, (unsigned)s->depth);
		else if (s->depth)
			snprintf(buf, len, "%s: flow %u pc %u (depth %u)", where,
				 (unsigned)s->fr[s->depth - 1].fn, (unsigned)s->fr[s->depth - 1].pc,
				 (unsigned)s->depth);
		else
			snprintf(buf, len, "%s", where);
	}
}

/* Run one program alone to completion (the scenario's setup). */
static int run_setup(struct engine *e, const struct tdxsim_program *p, struct tdxsim_error *err)
{
	struct eng_actor *a = engine_actor(e, 0);
	memset(a, 0, sizeof(*a));
	a->kind = TDXSIM_ACTOR_THREAD;
	a->lp = p->lp;
	struct flow_ctx c = make_ctx(e, 0, &a->host, vmm_flow_table());
	vmm_program_start(&c, (enum vmm_program)p->id, p->a[0], p->a[1], p->a[2]);
	for (uint64_t n = 0; n < SETUP_STEP_LIMIT; n++) {
		enum flow_ret r = engine_step(e, 0);
		if (r == FLOW_DONE) {
			memset(a, 0, sizeof(*a));
			return 0;
		}
		if (r == FLOW_BLOCKED) {
			char what[128];
			engine_describe(e, 0, what, sizeof(what));
			tdxsim_error_set(err, e->scn->path, p->line, "setup program blocks on its own (%s)", what);
			return -1;
		}
	}
	tdxsim_error_set(err, e->scn->path, p->line, "setup program did not finish in %llu steps",
			 (unsigned long long)SETUP_STEP_LIMIT);
	return -1;
}

int engine_create(struct engine *e, struct tdxsim_scenario *s, struct tdxsim_error *err)
{
	memset(e, 0, sizeof(*e));
	e->scn = s;
	e->table = tdxsim_table_load(s->module, err);
	if (!e->table)
		return -1;
	e->vcfg = (struct vmm_config){
		.kernel = (enum vmm_kernel)s->kernel,
		.policy = &s->policy,
		.n_vms = s->n_vms,
		.n_vcpus = s->n_vcpus,
		.n_gpa_pages = s->n_pages,
		.n_lps = s->platform.n_lps,
		.n_pkgs = s->platform.n_pkgs,
		.n_memslots = s->n_memslots ? s->n_memslots : 1,
		.hp_timeout_us = s->hp_timeout_us,
		.n_frames = s->platform.n_frames,
		.private_base = s->private_base,
	};
	e->gcfg = (struct guest_config){
		.policy = &s->policy.guest,
		.n_vms = s->n_vms,
		.n_vcpus = s->n_vcpus,
		.private_base = s->private_base,
		.n_pages = s->n_pages,
	};
	unsigned n_actors = s->nactors ? s->nactors : 1;
	size_t vmm_sz = align64(vmm_state_size(&e->vcfg));
	size_t guest_sz = align64(guest_state_size(&e->gcfg));
	size_t eng_sz = align64(sizeof(struct eng_region) + n_actors * sizeof(struct eng_actor));
	e->off_vmm = 0;
	e->off_guest = vmm_sz;
	e->off_eng = vmm_sz + guest_sz;
	e->w = tdxsim_world_create_ex(e->table, &s->platform, vmm_sz + guest_sz + eng_sz, err);
	if (!e->w) {
		tdxsim_table_free(e->table);
		return -1;
	}
	if (s->hp_timeout_off)
		e->w->mod.hp_timeout_override = UINT64_MAX;
	e->hooks.event = forward_vmm_event;
	e->hooks.ctx = e;
	tdxsim_world_set_observer(e->w, forward_lock_event, e);
	vmm_state_init(engine_vmm(e), &e->vcfg, &e->w->mod);
	guest_state_init(engine_guest(e), &e->gcfg);
	engine_region(e)->n_actors = n_actors;
	for (unsigned i = 0; i < s->nsetup; i++)
		if (run_setup(e, &s->setup[i], err) < 0) {
			engine_destroy(e);
			return -1;
		}
	for (unsigned i = 0; i < s->nactors; i++) {
		const struct tdxsim_actor_spec *sp = &s->actors[i];
		struct eng_actor *a = engine_actor(e, i);
		memset(a, 0, sizeof(*a));
		a->kind = (uint8_t)sp->kind;
		a->lp = sp->lp;
		a->vm = sp->vm;
		a->vcpu = sp->vcpu;
		struct flow_ctx c = make_ctx(e, i, &a->host, vmm_flow_table());
		vmm_program_start(&c, (enum vmm_program)sp->host.id, sp->host.a[0], sp->host.a[1],
				  sp->host.a[2]);
		if (sp->kind == TDXSIM_ACTOR_VCPU) {
			struct flow_ctx g = make_ctx(e, i, &a->guest, guest_flow_table());
			guest_program_start(&g, (enum guest_program)sp->guest.id, sp->guest.a[0],
					    sp->guest.a[1], sp->guest.a[2]);
		}
	}
	return 0;
}

void engine_destroy(struct engine *e)
{
	tdxsim_world_destroy(e->w);
	tdxsim_table_free(e->table);
	memset(e, 0, sizeof(*e));
}
