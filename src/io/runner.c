/* SPDX-License-Identifier: MIT */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/sched_threads.h"
#include "io/runner.h"

_Static_assert((int)TDXSIM_OUTCOME_DONE == (int)SIM_DONE && (int)TDXSIM_OUTCOME_TIME == (int)SIM_TIME &&
		       (int)TDXSIM_OUTCOME_STEPS == (int)SIM_STEPS &&
		       (int)TDXSIM_OUTCOME_DEADLOCK == (int)SIM_DEADLOCK &&
		       (int)TDXSIM_OUTCOME_STALL == (int)SIM_STALL,
	       "enum tdxsim_outcome mirrors enum sim_outcome");

/* Fan-out of the observers: trace first (it asks the stats for the BUSY holder
 * before the stats close the leaf), then stats. */
struct fan {
	struct stats *st;
	struct trace *tr;
	/* Scenario inputs and the end of the work (docs/scenario.md). */
	struct engine *e;
	const struct tdxsim_scenario *s;
	uint64_t next[TDXSIM_SCN_MAX_INPUTS]; /* next time each input applies; UINT64_MAX: done */
	unsigned pending;            /* inputs still to apply */
	unsigned threads, threads_done;
	bool stopped;
	uint64_t steps;
	/* vCPUs whose guest program (not IDLE) has run: guest_progress().done is also
	 * true before a guest took its first step. */
	_Atomic uint8_t guest_ran[TDXSIM_SCN_MAX_ACTORS];
	_Atomic unsigned ran;
	unsigned need_ran;
};

static void apply_input(struct engine *e, const struct tdxsim_input *in)
{
	void *vmm = engine_vmm(e);
	switch (in->kind) {
	case TDXSIM_IN_EVENT:
		vmm_vcpu_set_event(vmm, in->vm, in->vcpu, in->value);
		break;
	case TDXSIM_IN_SIGNAL:
		vmm_vcpu_set_signal(vmm, in->vm, in->vcpu, in->value);
		break;
	case TDXSIM_IN_STOP:
		vmm_vcpu_stop(vmm, in->vm, in->vcpu);
		break;
	case TDXSIM_IN_INTERRUPT:
		guest_post_interrupt(engine_guest(e), in->vm, in->vcpu);
		break;
	case TDXSIM_IN_HYPERCALL_RET:
		vmm_vm_set_hypercall_ret(vmm, in->vm, in->ret, in->chunk);
		vmm_vm_set_mapgpa_r11(vmm, in->vm, in->r11_set, in->r11);
		break;
	case TDXSIM_IN_INJECT:
		vmm_inject_status(vmm, in->leaf, in->lp, in->count, in->status);
		break;
	}
}

static void apply_due(struct fan *f, uint64_t now)
{
	for (unsigned i = 0; i < f->s->ninputs && f->pending; i++) {
		const struct tdxsim_input *in = &f->s->inputs[i];
		if (f->next[i] > now)
			continue;
		apply_input(f->e, in);
		uint64_t nx = in->every_ns ? f->next[i] + in->every_ns : UINT64_MAX;
		if (nx <= now) /* at most once per step; catch up without a burst */
			nx = now + in->every_ns;
		if (in->until_ns && nx > in->until_ns)
			nx = UINT64_MAX;
		f->next[i] = nx;
		if (nx == UINT64_MAX)
			f->pending--;
	}
}

/* Every thread actor finished and every guest program too: userspace stops the
 * vCPU threads (a vCPU's KVM_RUN loop otherwise never ends: a halted guest is
 * entered again on every event). */
static void maybe_stop(struct fan *f)
{
	if (f->stopped || !f->s->stop_vcpus)
		return;
	unsigned done = 0;
	for (unsigned i = 0; i < f->s->nactors; i++)
		if (f->s->actors[i].kind == TDXSIM_ACTOR_THREAD && engine_actor(f->e, i)->done)
			done++;
	if (done < f->threads && f->s->stop_vcpus != 3)
		return;
	if (f->s->stop_vcpus == 1 || f->s->stop_vcpus == 3) {
		if (atomic_load(&f->ran) < f->need_ran)
			return;
		struct guest_progress gp;
		memset(&gp, 0, sizeof(gp));
		guest_progress(engine_guest(f->e), &gp);
		if (!gp.done)
			return;
	}
	f->stopped = true;
	for (unsigned i = 0; i < f->s->nactors; i++)
		if (f->s->actors[i].kind == TDXSIM_ACTOR_VCPU)
			vmm_vcpu_stop(engine_vmm(f->e), f->s->actors[i].vm, f->s->actors[i].vcpu);
}

static void f_between(void *ctx, uint64_t now)
{
	struct fan *f = ctx;
	if (f->pending)
		apply_due(f, now);
	maybe_stop(f);
}

static void f_vmm(void *ctx, unsigned actor, enum vmm_event ev, uint64_t a, uint64_t b, uint64_t c)
{
	struct fan *f = ctx;
	if (f->tr)
		trace_on_vmm(f->tr, actor, ev, a, b, c);
	stats_on_vmm(f->st, actor, ev, a, b, c);
}

static void f_lock(void *ctx, const struct tdxsim_lock_event *ev)
{
	struct fan *f = ctx;
	stats_on_lock(f->st, ev);
}

static void f_begin(void *ctx, unsigned actor, int side, int leaf, uint64_t t)
{
	struct fan *f = ctx;
	if (side == TDXSIM_SIDE_GUEST && actor < TDXSIM_SCN_MAX_ACTORS && !atomic_load(&f->guest_ran[actor])) {
		atomic_store(&f->guest_ran[actor], 1);
		atomic_fetch_add(&f->ran, 1);
	}
	if (f->tr)
		trace_on_leaf_begin(f->tr, actor, side, leaf, t);
	stats_on_leaf_begin(f->st, actor, side, leaf, t);
}

static void f_end(void *ctx, unsigned actor, int side, int leaf, tdx_status_t status, uint64_t t)
{
	struct fan *f = ctx;
	if (f->tr)
		trace_on_leaf_end(f->tr, actor, side, leaf, status, t);
	stats_on_leaf_end(f->st, actor, side, leaf, status, t);
}

static void f_step(void *ctx, unsigned actor, enum flow_ret r, uint64_t t, uint64_t cost)
{
	struct fan *f = ctx;
	if (f->tr)
		trace_on_step(f->tr, actor, r, t, cost);
	stats_on_step(f->st, actor, r, t, cost);
}

/* sim: the step observer runs between two steps. */
static void f_step_sim(void *ctx, unsigned actor, enum flow_ret r, uint64_t t, uint64_t cost)
{
	struct fan *f = ctx;
	f_step(ctx, actor, r, t, cost);
	if (f->pending)
		apply_due(f, t + cost);
	if (r == FLOW_DONE && f->s->actors[actor].kind == TDXSIM_ACTOR_THREAD)
		f->threads_done++;
	/* guests_done: guest progress is O(vCPUs) to read; look every 1024 steps. */
	bool look = f->threads_done >= f->threads || (f->s->stop_vcpus == 3 && (++f->steps & 1023) == 0);
	if (look && !f->stopped)
		maybe_stop(f);
}

int tdxsim_run(struct tdxsim_scenario *s, const struct run_opts *o, struct run *r,
	       struct tdxsim_error *err)
{
	memset(r, 0, sizeof(*r));
	struct sim_latency lat;
	if (engine_create(&r->e, s, err) < 0)
		return -1;
	r->have_engine = true;
	sim_latency_defaults(&lat);
	if (sim_latency_apply(&lat, r->e.table, s, err) < 0)
		return -1;
	r->st = stats_create(&r->e, o->threads);
	if (!r->st) {
		tdxsim_error_set(err, s->path, 0, "out of memory");
		return -1;
	}
	struct fan fan = { .st = r->st, .e = &r->e, .s = s, .pending = s->ninputs };
	for (unsigned i = 0; i < s->ninputs; i++)
		fan.next[i] = s->inputs[i].at_ns;
	for (unsigned i = 0; i < s->nactors; i++) {
		if (s->actors[i].kind == TDXSIM_ACTOR_THREAD)
			fan.threads++;
		else if (s->actors[i].guest.id != GUEST_PROG_IDLE)
			fan.need_ran++;
	}
	if (o->trace && !o->threads) {
		fan.tr = trace_open(o->trace, &r->e, r->st, o->trace_limit, err);
		if (!fan.tr)
			return -1;
	}
	struct engine_observer eo = { f_vmm, f_lock, &fan };
	engine_set_observer(&r->e, &eo);
	struct sim_observer so = { f_begin, f_end, o->threads ? f_step : f_step_sim, &fan };
	guest_seed(engine_guest(&r->e), o->seed);
	uint64_t time_ns = o->time_ns ? o->time_ns : s->sim_time_ns;
	uint64_t max_steps = o->max_steps ? o->max_steps : s->max_steps;
	if (!time_ns && !max_steps)
		time_ns = TDXSIM_DEFAULT_TIME_NS;
	r->time_limit_ns = time_ns;
	uint64_t stall = o->stall_ns ? o->stall_ns : s->stall_ns;
	for (unsigned i = 0; i < s->nactors; i++)
		engine_actor(&r->e, i)->next_time = s->actors[i].start_ns;
	if (o->threads) {
		struct threads_opts to = {
			.time_ns = time_ns, .max_steps = max_steps, .stall_ns = stall, .lat = lat,
			.obs = &so, .progress = o->progress, .between = f_between, .between_ctx = &fan,
		};
		f_between(&fan, 0);
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		threads_run(&r->e, &to, &r->res);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		r->wall_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		r->threads = engine_n_actors(&r->e);
	} else {
		struct sim_opts so2 = {
			.seed = o->seed, .time_ns = time_ns, .max_steps = max_steps, .stall_ns = stall,
			.lat = lat, .obs = &so, .progress = o->progress,
		};
		sim_seed(&r->e, o->seed);
		f_between(&fan, 0);
		sim_run(&r->e, &so2, &r->res);
	}
	engine_set_observer(&r->e, NULL);
	if (r->res.outcome == SIM_STALL || r->res.outcome == SIM_DEADLOCK)
		vmm_describe_locks(engine_vmm(&r->e), r->vmm_locks, sizeof(r->vmm_locks));
	stats_finish(r->st);
	tdxsim_expect_eval(s, r->res.outcome, r->st, &r->ev);
	if (fan.tr && trace_close(fan.tr, true, &r->res, err) < 0)
		return -1;
	return 0;
}

void tdxsim_run_free(struct run *r)
{
	stats_destroy(r->st);
	if (r->have_engine)
		engine_destroy(&r->e);
	memset(r, 0, sizeof(*r));
}

void tdxsim_run_report(const struct run *r, const struct tdxsim_scenario *s, const char *mode,
		       uint64_t seed, struct sim_report *out)
{
	memset(out, 0, sizeof(*out));
	out->mode = mode;
	out->scn = s;
	out->e = (struct engine *)&r->e;
	out->st = r->st;
	out->res = &r->res;
	out->ev = &r->ev;
	out->seed = seed;
	out->time_limit_ns = r->time_limit_ns;
	out->threads = r->threads;
	out->wall_s = r->wall_s;
	out->vmm_locks = r->vmm_locks;
}
