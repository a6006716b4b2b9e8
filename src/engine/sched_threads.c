/* SPDX-License-Identifier: MIT */
/*
 * One OS thread per actor (sched_threads.h).  Each thread steps its own actor;
 * the actor's state in the world is touched only by that thread.  A step in the
 * middle of a SEAMCALL/TDCALL (the leaf interpreter's steps: module state only,
 * lock words are atomics) takes the world lock shared, so those run in
 * parallel; any other step (a VMM or guest decision that reads or writes state
 * other actors see) takes it exclusive.  The main thread watches: progress,
 * deadlock, stall, time and step limits, and the module invariants (under the
 * exclusive lock, i.e. between steps).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/sched_threads.h"

#define DEFAULT_STALL_NS (50ull * 1000 * 1000)
#define BLOCKED_PUSH 64        /* consecutive BLOCKED steps before an actor moves the clock */
#define DEADLOCK_STREAK 20000  /* consecutive BLOCKED steps of every actor = deadlock */

struct th_actor {
	struct th_run *run;
	unsigned id;
	pthread_t tid;
	uint64_t clock;                 /* this actor's virtual time (own thread only) */
	_Atomic uint64_t streak;        /* consecutive BLOCKED steps */
	_Atomic uint8_t done;
	uint64_t lock_ops;              /* in the current step (own thread only) */
	uint8_t charged[2];             /* sim_account_exec, per side (own thread only) */
};

struct th_run {
	struct engine *e;
	const struct threads_opts *o;
	pthread_rwlock_t world;
	_Atomic int stop;               /* 0, or enum sim_outcome + 1 */
	_Atomic uint64_t steps;
	_Atomic uint64_t flow_ends;     /* VMM_EV_FLOW_END seen */
	_Atomic unsigned n_live;        /* actors not finished */
	_Atomic unsigned n_blocked;     /* actors whose last step was BLOCKED */
	_Atomic uint64_t *now;          /* the world clock */
	struct th_actor *a;
	unsigned n;
	struct engine_observer user;
};

static _Thread_local struct th_actor *self;

static bool running(uint8_t phase)
{
	return phase == TDXSIM_LEAF_RUN || phase == TDXSIM_LEAF_UNWIND;
}

static void wrap_vmm_event(void *ctx, unsigned actor, enum vmm_event ev, uint64_t a, uint64_t b, uint64_t c)
{
	struct th_run *R = ctx;
	if (ev == VMM_EV_FLOW_END)
		atomic_fetch_add_explicit(&R->flow_ends, 1, memory_order_relaxed);
	if (R->user.vmm_event)
		R->user.vmm_event(R->user.ctx, actor, ev, a, b, c);
}

static void wrap_lock_event(void *ctx, const struct tdxsim_lock_event *ev)
{
	struct th_run *R = ctx;
	if (self)
		self->lock_ops++;
	if (R->user.lock_event)
		R->user.lock_event(R->user.ctx, ev);
}

static void clock_max(_Atomic uint64_t *now, uint64_t v)
{
	uint64_t cur = atomic_load_explicit(now, memory_order_relaxed);
	while (cur < v && !atomic_compare_exchange_weak_explicit(now, &cur, v, memory_order_relaxed,
								 memory_order_relaxed))
		;
}

static void set_stop(struct th_run *R, enum sim_outcome o)
{
	int expected = 0;
	atomic_compare_exchange_strong(&R->stop, &expected, (int)o + 1);
}

static void *actor_main(void *arg)
{
	struct th_actor *A = arg;
	struct th_run *R = A->run;
	struct engine *e = R->e;
	const struct threads_opts *o = R->o;
	struct eng_actor *a = engine_actor(e, A->id);
	self = A;
	/* A delayed start (the scenario's `start:`): wait for the world clock, unless
	 * nobody else is left to move it. */
	while (a->next_time > atomic_load_explicit(R->now, memory_order_relaxed) &&
	       !atomic_load_explicit(&R->stop, memory_order_relaxed)) {
		bool others = false;
		for (unsigned j = 0; j < R->n; j++)
			if (j != A->id && !atomic_load(&R->a[j].done))
				others = true;
		if (!others)
			break;
		sched_yield();
	}
	if (A->clock < a->next_time)
		A->clock = a->next_time;
	while (!atomic_load_explicit(&R->stop, memory_order_relaxed)) {
		bool in_guest = a->host.guest_mode;
		const struct tdxsim_leaf_exec *cur = in_guest ? &a->guest.guest : &a->host.host;
		bool leaf_step = running(cur->phase);
		if (leaf_step)
			pthread_rwlock_rdlock(&R->world);
		else
			pthread_rwlock_wrlock(&R->world);
		uint64_t t = atomic_load_explicit(R->now, memory_order_relaxed);
		if (A->clock < t)
			A->clock = t;
		struct exec_mark_pub hb = { a->host.host.leaf, a->host.host.phase, a->host.host.pc };
		struct exec_mark_pub gb = { a->guest.guest.leaf, a->guest.guest.phase, a->guest.guest.pc };
		A->lock_ops = 0;
		enum flow_ret r = engine_step(e, A->id);
		uint64_t cost = in_guest ? o->lat.guest_step : o->lat.vmm_step;
		cost += A->lock_ops * o->lat.lock_op;
		cost += sim_account_exec(e, &o->lat, o->obs, A->id, TDXSIM_SIDE_HOST, hb, &a->host.host,
					 A->clock, &A->charged[TDXSIM_SIDE_HOST]);
		cost += sim_account_exec(e, &o->lat, o->obs, A->id, TDXSIM_SIDE_GUEST, gb,
					 &a->guest.guest, A->clock, &A->charged[TDXSIM_SIDE_GUEST]);
		if (o->obs && o->obs->step)
			o->obs->step(o->obs->ctx, A->id, r, A->clock, r == FLOW_BLOCKED ? o->lat.blocked_poll : cost);
		pthread_rwlock_unlock(&R->world);
		uint64_t steps = atomic_fetch_add_explicit(&R->steps, 1, memory_order_relaxed) + 1;
		if (r == FLOW_BLOCKED) {
			uint64_t s = atomic_fetch_add_explicit(&A->streak, 1, memory_order_relaxed) + 1;
			if (s == 1)
				atomic_fetch_add(&R->n_blocked, 1);
			A->clock += o->lat.blocked_poll;
			/* A blocked actor moves the clock only when nobody else can: every
			 * unfinished actor is blocked (a waiter must not race time ahead while
			 * the OS has descheduled the actor it waits for). */
			if (s >= BLOCKED_PUSH && atomic_load(&R->n_blocked) >= atomic_load(&R->n_live))
				clock_max(R->now, A->clock);
			sched_yield();
		} else {
			if (atomic_exchange_explicit(&A->streak, 0, memory_order_relaxed))
				atomic_fetch_sub(&R->n_blocked, 1);
			A->clock += cost;
			clock_max(R->now, A->clock);
		}
		if (r == FLOW_DONE) {
			atomic_store(&A->done, 1);
			atomic_fetch_sub(&R->n_live, 1);
			break;
		}
		if (o->time_ns && A->clock >= o->time_ns)
			set_stop(R, SIM_TIME);
		if (o->max_steps && steps >= o->max_steps)
			set_stop(R, SIM_STEPS);
	}
	self = NULL;
	return NULL;
}

static uint64_t progress_sum(struct th_run *R)
{
	struct guest_progress gp;
	memset(&gp, 0, sizeof(gp));
	guest_progress(engine_guest(R->e), &gp);
	uint64_t done = 0;
	for (unsigned i = 0; i < R->n; i++)
		done += atomic_load(&R->a[i].done);
	return gp.accepted + gp.accesses + gp.mapgpa_ok + gp.mapgpa_failed + gp.accept_failed + done +
	       atomic_load_explicit(&R->flow_ends, memory_order_relaxed);
}

static void describe_all(struct engine *e, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < engine_n_actors(e) && n + 1 < len; i++) {
		char what[160];
		engine_describe(e, i, what, sizeof(what));
		int k = snprintf(buf + n, len - n, "%sactor %u: %s", i ? "; " : "", i, what);
		if (k < 0)
			break;
		n += (size_t)k;
	}
}

void threads_run(struct engine *e, const struct threads_opts *o, struct sim_result *res)
{
	memset(res, 0, sizeof(*res));
	struct th_run R;
	memset(&R, 0, sizeof(R));
	R.e = e;
	R.o = o;
	R.n = engine_n_actors(e);
	R.user = e->obs;
	R.now = &world_hdr(e->w)->now;
	pthread_rwlockattr_t ra;
	pthread_rwlockattr_init(&ra);
#ifdef PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP
	pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
	pthread_rwlock_init(&R.world, &ra);
	pthread_rwlockattr_destroy(&ra);
	R.a = calloc(R.n ? R.n : 1, sizeof(*R.a));
	if (!R.a) {
		res->outcome = SIM_STEPS;
		snprintf(res->why, sizeof(res->why), "out of memory");
		return;
	}
	/* Invariants are checked by the monitor between steps, not inside them. */
	bool inv = e->w->mod.check_invariants;
	e->w->mod.check_invariants = false;
	struct engine_observer wrapped = { wrap_vmm_event, wrap_lock_event, &R };
	engine_set_observer(e, &wrapped);
	uint64_t stall = o->stall_ns ? o->stall_ns : DEFAULT_STALL_NS;
	bool tty = o->progress && isatty(STDERR_FILENO);

	unsigned started = 0;
	for (unsigned i = 0; i < R.n; i++)
		if (!engine_actor(e, i)->done)
			R.n_live++;
	/* Before any actor thread runs: afterwards only with the world lock held. */
	uint64_t last = progress_sum(&R), last_t = atomic_load(R.now);
	for (unsigned i = 0; i < R.n; i++) {
		R.a[i].run = &R;
		R.a[i].id = i;
		if (engine_actor(e, i)->done) {
			R.a[i].done = 1;
			continue;
		}
		if (pthread_create(&R.a[i].tid, NULL, actor_main, &R.a[i]) != 0) {
			set_stop(&R, SIM_STEPS);
			snprintf(res->why, sizeof(res->why), "cannot create thread %u", i);
			R.a[i].done = 1;
			R.n_live--;
			break;
		}
		started = i + 1;
	}

	uint64_t ticks = 0;
	for (;;) {
		struct timespec ts = { 0, 200 * 1000 }; /* 0.2 ms between looks */
		nanosleep(&ts, NULL);
		if (atomic_load(&R.stop))
			break;
		bool all_done = true, all_blocked = true;
		for (unsigned i = 0; i < R.n; i++) {
			if (atomic_load(&R.a[i].done))
				continue;
			all_done = false;
			if (atomic_load_explicit(&R.a[i].streak, memory_order_relaxed) < DEADLOCK_STREAK)
				all_blocked = false;
		}
		if (all_done) {
			set_stop(&R, SIM_DONE);
			break;
		}
		pthread_rwlock_wrlock(&R.world);
		/* Inputs applied now are seen by the actors' next steps. */
		uint64_t p = progress_sum(&R), now = atomic_load(R.now);
		if (p != last) {
			last = p;
			last_t = now;
		}
		if (o->between)
			o->between(o->between_ctx, now);
		if (inv) {
			char why[256];
			if (!tdxsim_world_check_invariants(e->w, why, sizeof(why))) {
				fprintf(stderr, "tdxsim: module invariant broken (threads scheduler, at %llu ns): %s\n",
					(unsigned long long)now, why);
				abort();
			}
		}
		pthread_rwlock_unlock(&R.world);
		if (all_blocked && p == last && now - last_t > 0) {
			set_stop(&R, SIM_DEADLOCK);
			break;
		}
		if (now - last_t > stall) {
			set_stop(&R, SIM_STALL);
			break;
		}
		if (tty && (++ticks % 2500) == 0)
			fprintf(stderr, "\rstress: %llu steps, t=%.3f ms ",
				(unsigned long long)atomic_load(&R.steps), now / 1e6);
	}
	for (unsigned i = 0; i < started; i++)
		if (R.a[i].tid)
			pthread_join(R.a[i].tid, NULL);
	if (tty)
		fprintf(stderr, "\r\033[K");
	int st = atomic_load(&R.stop);
	res->outcome = st ? (enum sim_outcome)(st - 1) : SIM_DONE;
	if (res->outcome == SIM_TIME || res->outcome == SIM_STEPS) {
		/* A thread may have finished the last actor just as another hit the limit. */
		if (engine_all_done(e))
			res->outcome = SIM_DONE;
	}
	res->steps = atomic_load(&R.steps);
	res->now = atomic_load(R.now);
	world_hdr(e->w)->steps += res->steps;
	if (res->outcome == SIM_STALL || res->outcome == SIM_DEADLOCK)
		describe_all(e, res->why, sizeof(res->why));
	e->w->mod.check_invariants = inv;
	engine_set_observer(e, &R.user);
	pthread_rwlock_destroy(&R.world);
	free(R.a);
}
