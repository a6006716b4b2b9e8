/* SPDX-License-Identifier: MIT */
/*
 * Virtual-time scheduler.  Every actor has the virtual time of its next step;
 * the earliest runs next (ties broken by the world's PRNG), and its step costs
 * the latency model's time for what it did, plus up to 1/8 of jitter.  A blocked
 * actor is looked at again after blocked_poll.  Nothing here reads the wall
 * clock, so runs are reproducible byte for byte.
 *
 * Progress, for stall detection, is what a user would call progress: an actor
 * finishing, a VMM flow completing (VMM_EV_FLOW_END), or the guest accepting or
 * touching memory.  Steps that only retry do not count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/sched_sim.h"

#define DEFAULT_STALL_NS (50ull * 1000 * 1000)

/* ---- PRNG: xoshiro256** seeded by splitmix64, state in the arena ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

void sim_seed(struct engine *e, uint64_t seed)
{
	uint64_t *s = world_hdr(e->w)->prng;
	for (int i = 0; i < 4; i++)
		s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t sim_rand(struct engine *e)
{
	uint64_t *s = world_hdr(e->w)->prng;
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

/* ---- latency model ---- */

void sim_latency_defaults(struct sim_latency *l)
{
	memset(l, 0, sizeof(*l));
	l->lock_op = 20;
	l->vmm_step = 50;
	l->guest_step = 20;
	l->td_exit = 1000;
	l->blocked_poll = 200;
	/* SEAMCALL bodies: order-of-magnitude figures (docs/sim.md explains them);
	 * 1 µs is the cost of getting into and out of SEAM mode. */
	for (int i = 0; i < 64; i++) {
		l->leaf[TDXSIM_SIDE_HOST][i] = 1000;
		l->leaf[TDXSIM_SIDE_GUEST][i] = 300;
	}
	uint64_t *h = l->leaf[TDXSIM_SIDE_HOST];
	h[0] = 1500;   /* VP.ENTER: entry half (the exit is td_exit) */
	h[2] = 12000;  /* MEM.PAGE.ADD: copy + SHA-384 */
	h[3] = 3000;   /* MEM.SEPT.ADD: zero a 4K page */
	h[6] = 2500;   /* MEM.PAGE.AUG */
	h[7] = 1500;   /* MEM.RANGE.BLOCK */
	h[16] = 2000;  /* MR.EXTEND */
	h[29] = 1500;  /* MEM.PAGE.REMOVE */
	h[38] = 1000;  /* MEM.TRACK */
	h[40] = 20000; /* PHYMEM.CACHE.WB per call */
	h[41] = 4000;  /* PHYMEM.PAGE.WBINVD */
	l->leaf[TDXSIM_SIDE_GUEST][6] = 2500; /* TDG.MEM.PAGE.ACCEPT 4K: zero the page */
}

int sim_latency_apply(struct sim_latency *l, const struct tdxsim_table *t,
		      const struct tdxsim_scenario *s, struct tdxsim_error *err)
{
	for (unsigned i = 0; i < s->nlatency; i++) {
		const struct tdxsim_latency *o = &s->latency[i];
		if (!strcmp(o->leaf, "lock")) l->lock_op = o->ns;
		else if (!strcmp(o->leaf, "vmm")) l->vmm_step = o->ns;
		else if (!strcmp(o->leaf, "guest")) l->guest_step = o->ns;
		else if (!strcmp(o->leaf, "exit")) l->td_exit = o->ns;
		else if (!strcmp(o->leaf, "poll")) l->blocked_poll = o->ns;
		else {
			const struct tdxsim_leaf *L = tdxsim_table_find_leaf(t, o->leaf);
			if (!L || L->number >= 64) {
				tdxsim_error_set(err, s->path, 0, "latency: unknown leaf or class '%s'", o->leaf);
				return -1;
			}
			l->leaf[L->side][L->number] = o->ns;
		}
	}
	return 0;
}

/* ---- the loop ---- */

struct exec_mark {
	int leaf;
	uint8_t phase;
	uint16_t pc;
};

static struct exec_mark mark(const struct tdxsim_leaf_exec *x)
{
	return (struct exec_mark){ x->leaf, x->phase, x->pc };
}

static bool running(uint8_t phase)
{
	return phase == TDXSIM_LEAF_RUN || phase == TDXSIM_LEAF_UNWIND;
}

struct sim_state {
	struct engine *e;
	const struct sim_opts *o;
	struct engine_observer user;   /* the caller's observer, wrapped */
	uint64_t lock_ops;             /* in the current step */
	uint64_t last_progress;
	uint64_t now;
	/* Per actor and side: the leaf's body cost was charged (docs/sim.md: a leaf's
	 * cost is spent in its first BODY step, under the locks it holds). */
	uint8_t charged[TDXSIM_SCN_MAX_ACTORS + 1][2];
};

static void wrap_vmm_event(void *ctx, unsigned actor, enum vmm_event ev, uint64_t a, uint64_t b, uint64_t c)
{
	struct sim_state *st = ctx;
	if (ev == VMM_EV_FLOW_END)
		st->last_progress = st->now;
	if (st->user.vmm_event)
		st->user.vmm_event(st->user.ctx, actor, ev, a, b, c);
}

static void wrap_lock_event(void *ctx, const struct tdxsim_lock_event *ev)
{
	struct sim_state *st = ctx;
	st->lock_ops++;
	if (st->user.lock_event)
		st->user.lock_event(st->user.ctx, ev);
}

/* Leaf begin/end detection from the exec phases around a step.  The leaf's cost
 * (latency model) is charged to the step that ran its first BODY step, so that the
 * time is spent while the leaf holds its locks; a leaf that ends without a body
 * (a BUSY, a failed check) is charged at its end. */
uint64_t sim_account_exec(struct engine *e, const struct sim_latency *lat,
			  const struct sim_observer *ob, unsigned i, int side, struct exec_mark_pub before,
			  const struct tdxsim_leaf_exec *x, uint64_t now, uint8_t *charged)
{
	const struct tdxsim_table *t = e->table;
	uint64_t cost = 0;
	bool run_b = running(before.phase), run_a = running(x->phase);
	bool fin_a = x->phase == TDXSIM_LEAF_DONE || x->phase == TDXSIM_LEAF_ENTERED;
	bool same = before.leaf == x->leaf;
	/* A leaf that was running is no longer running (the guest layer zeroes its
	 * execution when a TDCALL completes) or became another one (a TDCALL that ended
	 * in a TD exit).  A running leaf reaching DONE/ENTERED is reported below. */
	bool prev_ended = run_b && !(fin_a && same) && (!run_a || !same);
	bool began = (run_a && (!run_b || !same)) ||
		     (fin_a && !(run_b && same) && (before.leaf != x->leaf || before.phase != x->phase));
	bool ended = fin_a && (began || (run_b && same));
	if (prev_ended) {
		if (!*charged && before.leaf >= 0) {
			const struct tdxsim_leaf *L = &t->leaves[before.leaf];
			cost += L->number < 64 ? lat->leaf[L->side][L->number] : 1000;
		} else if (!*charged && before.leaf == TDXSIM_LEAF_TD_EXIT) {
			cost += lat->td_exit;
		}
		*charged = 0;
		tdx_status_t st = x->phase == TDXSIM_LEAF_IDLE && side == TDXSIM_SIDE_GUEST
					  ? engine_guest_tdcall_rax(e, i)
					  : SIM_STATUS_TD_EXIT;
		if (ob && ob->leaf_end)
			ob->leaf_end(ob->ctx, i, side, before.leaf, st, now);
	}
	if (began) {
		*charged = 0;
		if (ob && ob->leaf_begin)
			ob->leaf_begin(ob->ctx, i, side, x->leaf, now);
	}
	uint64_t leaf_cost = 0;
	if (x->leaf == TDXSIM_LEAF_TD_EXIT)
		leaf_cost = lat->td_exit;
	else if (x->leaf >= 0 && (run_a || fin_a)) {
		const struct tdxsim_leaf *L = &t->leaves[x->leaf];
		leaf_cost = L->number < 64 ? lat->leaf[L->side][L->number] : 1000;
		/* Did this step run a BODY step?  (pc moved past one, same leaf.) */
		if (!*charged && same && run_b) {
			unsigned from = before.pc, to = run_a ? x->pc : L->nsteps;
			for (unsigned p = from; p < to && p < L->nsteps; p++)
				if (L->steps[p].kind == TDXSIM_STEP_BODY) {
					cost += leaf_cost;
					*charged = 1;
					break;
				}
		}
	}
	if (ended) {
		if (!*charged)
			cost += leaf_cost;
		*charged = 0;
		if (ob && ob->leaf_end)
			ob->leaf_end(ob->ctx, i, side, x->leaf, x->status, now);
	}
	return cost;
}

static uint64_t account_exec(struct sim_state *st, unsigned i, int side, struct exec_mark before,
			     const struct tdxsim_leaf_exec *x, uint64_t t)
{
	struct exec_mark_pub b = { before.leaf, before.phase, before.pc };
	return sim_account_exec(st->e, &st->o->lat, st->o->obs, i, side, b, x, t, &st->charged[i][side]);
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

static uint64_t guest_progress_sum(struct engine *e)
{
	struct guest_progress gp;
	memset(&gp, 0, sizeof(gp));
	guest_progress(engine_guest(e), &gp);
	return gp.accepted + gp.accesses + gp.mapgpa_ok + gp.mapgpa_failed + gp.accept_failed;
}

/* The run queue: a binary min-heap of unfinished actors keyed by (next_time, tie),
 * where tie is drawn from the world's PRNG whenever an actor is scheduled, so that
 * actors due at the same time run in a random (seeded) order.  Outside the world:
 * it is derived from the actors' next_time at the start of every sim_run. */
struct rq_ent {
	uint64_t t, tie;               /* the actor's next_time (a copy) and its tie-breaker */
	unsigned idx;
};
struct rq {
	unsigned n;
	struct rq_ent h[TDXSIM_SCN_MAX_ACTORS + 1];
};

static inline bool rq_less(const struct rq_ent *x, const struct rq_ent *y)
{
	return x->t < y->t || (x->t == y->t && (x->tie < y->tie || (x->tie == y->tie && x->idx < y->idx)));
}

static void rq_swap(struct rq *q, unsigned x, unsigned y)
{
	struct rq_ent t = q->h[x];
	q->h[x] = q->h[y];
	q->h[y] = t;
}

static void rq_down(struct rq *q, unsigned k)
{
	struct rq_ent v = q->h[k];
	for (;;) {
		unsigned l = 2 * k + 1, m;
		if (l >= q->n)
			break;
		m = l + 1 < q->n && rq_less(&q->h[l + 1], &q->h[l]) ? l + 1 : l;
		if (!rq_less(&q->h[m], &v))
			break;
		q->h[k] = q->h[m];
		k = m;
	}
	q->h[k] = v;
}

static void rq_up(struct rq *q, unsigned k)
{
	struct rq_ent v = q->h[k];
	while (k && rq_less(&v, &q->h[(k - 1) / 2])) {
		q->h[k] = q->h[(k - 1) / 2];
		k = (k - 1) / 2;
	}
	q->h[k] = v;
}

/* Every guest step can change guest progress; summing it over all vCPUs is
 * O(vCPUs), so it is looked at once every GUEST_PROGRESS_EVERY guest steps (and
 * whenever a stall is about to be declared). */
#define GUEST_PROGRESS_EVERY 64

void sim_run(struct engine *e, const struct sim_opts *o, struct sim_result *res)
{
	struct sim_state st = { .e = e, .o = o, .user = e->obs };
	struct engine_observer wrapped = { wrap_vmm_event, wrap_lock_event, &st };
	engine_set_observer(e, &wrapped);
	struct eng_hdr *hdr = world_hdr(e->w);
	uint64_t stall = o->stall_ns ? o->stall_ns : DEFAULT_STALL_NS;
	bool tty = o->progress && isatty(STDERR_FILENO);
	unsigned n = engine_n_actors(e);
	memset(res, 0, sizeof(*res));
	st.now = atomic_load(&hdr->now);
	st.last_progress = st.now;
	uint64_t gprog = guest_progress_sum(e);
	unsigned gsteps = 0;
	uint8_t blocked[TDXSIM_SCN_MAX_ACTORS + 1];
	memset(blocked, 0, sizeof(blocked));
	unsigned n_blocked = 0;
	struct rq *q = calloc(1, sizeof(*q));
	if (!q) {
		res->outcome = SIM_STEPS;
		snprintf(res->why, sizeof(res->why), "out of memory");
		engine_set_observer(e, &st.user);
		return;
	}
	for (unsigned i = 0; i < n && i <= TDXSIM_SCN_MAX_ACTORS; i++) {
		if (engine_actor(e, i)->done)
			continue;
		q->h[q->n] = (struct rq_ent){ engine_actor(e, i)->next_time, sim_rand(e), i };
		q->n++;
		rq_up(q, q->n - 1);
	}

	for (;;) {
		if (!q->n) {
			res->outcome = SIM_DONE;
			break;
		}
		if (o->max_steps && res->steps >= o->max_steps) {
			res->outcome = SIM_STEPS;
			break;
		}
		unsigned pick = q->h[0].idx;
		if (o->forced) {
			/* Forced schedule (tdxsim replay): the list decides, the run-queue order
			 * is moot; the picked actor goes to the root so the code below applies. */
			if (res->steps >= o->n_forced) {
				res->outcome = SIM_STEPS;
				break;
			}
			pick = o->forced[res->steps];
			unsigned pos = 0;
			while (pos < q->n && q->h[pos].idx != pick)
				pos++;
			if (pos == q->n) {
				res->outcome = SIM_STEPS;
				snprintf(res->why, sizeof(res->why), "forced schedule: actor %u cannot step", pick);
				break;
			}
			rq_swap(q, 0, pos);
		}
		uint64_t best = q->h[0].t;
		if (best > st.now)
			st.now = best;
		if (o->time_ns && st.now >= o->time_ns) {
			res->outcome = SIM_TIME;
			break;
		}
		atomic_store(&hdr->now, st.now);
		struct eng_actor *a = engine_actor(e, pick);
		struct exec_mark hb = mark(&a->host.host), gb = mark(&a->guest.guest);
		bool in_guest = a->host.guest_mode;
		st.lock_ops = 0;
		enum flow_ret r = engine_step(e, pick);
		res->steps++;
		hdr->steps++;
		uint64_t cost = in_guest ? o->lat.guest_step : o->lat.vmm_step;
		cost += st.lock_ops * o->lat.lock_op;
		cost += account_exec(&st, pick, TDXSIM_SIDE_HOST, hb, &a->host.host, st.now);
		cost += account_exec(&st, pick, TDXSIM_SIDE_GUEST, gb, &a->guest.guest, st.now);
		if (r == FLOW_BLOCKED) {
			a->next_time = st.now + o->lat.blocked_poll;
		} else {
			cost += sim_rand(e) % (cost / 8 + 1);
			a->next_time = st.now + cost;
		}
		if (r == FLOW_DONE) {
			st.last_progress = st.now;
			/* Out of the run queue. */
			q->n--;
			if (q->n) {
				q->h[0] = q->h[q->n];
				rq_down(q, 0);
			}
		} else {
			q->h[0].t = a->next_time;
			q->h[0].tie = sim_rand(e);
			rq_down(q, 0);
		}
		if (in_guest && ++gsteps >= GUEST_PROGRESS_EVERY) {
			gsteps = 0;
			uint64_t g = guest_progress_sum(e);
			if (g != gprog) {
				gprog = g;
				st.last_progress = st.now;
			}
		}
		if (o->obs && o->obs->step)
			o->obs->step(o->obs->ctx, pick, r, st.now, cost);
		/* Deadlock: every unfinished actor has been tried and found blocked
		 * since the last step that did something. */
		if (r == FLOW_BLOCKED) {
			if (!blocked[pick]) {
				blocked[pick] = 1;
				n_blocked++;
			}
			if (n_blocked >= q->n) {
				res->outcome = SIM_DEADLOCK;
				break;
			}
		} else if (n_blocked) {
			memset(blocked, 0, n);
			n_blocked = 0;
		}
		if (st.now - st.last_progress > stall) {
			uint64_t g = guest_progress_sum(e);
			if (g != gprog) {
				gprog = g;
				st.last_progress = st.now;
			} else {
				res->outcome = SIM_STALL;
				break;
			}
		}
		if (tty && (res->steps & 0xFFFFF) == 0)
			fprintf(stderr, "\rsim: %llu steps, t=%.3f ms ", (unsigned long long)res->steps,
				st.now / 1e6);
	}
	if (res->outcome == SIM_STALL || res->outcome == SIM_DEADLOCK)
		describe_all(e, res->why, sizeof(res->why));
	if (tty)
		fprintf(stderr, "\r\033[K");
	res->now = st.now;
	free(q);
	engine_set_observer(e, &st.user);
}

const char *sim_outcome_name(enum sim_outcome o)
{
	switch (o) {
	case SIM_DONE: return "done";
	case SIM_TIME: return "time limit";
	case SIM_STEPS: return "step limit";
	case SIM_DEADLOCK: return "deadlock";
	case SIM_STALL: return "stall";
	}
	return "?";
}
