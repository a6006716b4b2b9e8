/* SPDX-License-Identifier: MIT */
/* Replay of a checker counterexample under the sim scheduler (docs/check.md). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sched_sim.h"
#include "engine/stats.h"
#include "io/check_replay.h"
#include "io/report.h"

struct rp {
	struct ckx *x;
	struct engine *e;
	struct ck_model *m;
	struct stats *st;
	struct trace *tr;
	struct engine_observer inner;  /* the checker adapter's observer */
	const struct ckf_cex *c;
	unsigned n_eng, n_all;
	uint64_t *gidx;                /* schedule index of the j-th engine step */
	uint64_t j;                    /* engine steps done */
	struct ck_trans *trs;          /* per schedule index */
	uint8_t *S0, *S1;
	size_t csz;
	uint32_t *en_count;            /* per actor: cycle states where it is enabled */
	uint32_t pend;                 /* pending bits seen at cycle states */
	bool diverged;
	char why[512];
	uint64_t done_steps;
};

/* ---- observers: the adapter first (it judges), then statistics and trace ------------ */

static void rp_vmm(void *ctx, unsigned actor, enum vmm_event ev, uint64_t a, uint64_t b, uint64_t c)
{
	struct rp *p = ctx;
	if (p->inner.vmm_event)
		p->inner.vmm_event(p->inner.ctx, actor, ev, a, b, c);
	if (p->tr)
		trace_on_vmm(p->tr, actor, ev, a, b, c);
	stats_on_vmm(p->st, actor, ev, a, b, c);
}

static void rp_lock(void *ctx, const struct tdxsim_lock_event *ev)
{
	struct rp *p = ctx;
	if (p->inner.lock_event)
		p->inner.lock_event(p->inner.ctx, ev);
	stats_on_lock(p->st, ev);
}

static void rp_begin(void *ctx, unsigned actor, int side, int leaf, uint64_t t)
{
	struct rp *p = ctx;
	if (p->tr)
		trace_on_leaf_begin(p->tr, actor, side, leaf, t);
	stats_on_leaf_begin(p->st, actor, side, leaf, t);
}

static void rp_end(void *ctx, unsigned actor, int side, int leaf, tdx_status_t status, uint64_t t)
{
	struct rp *p = ctx;
	if (p->tr)
		trace_on_leaf_end(p->tr, actor, side, leaf, status, t);
	stats_on_leaf_end(p->st, actor, side, leaf, status, t);
}

/* The world is in the state before schedule entry k. */
static void at_state(struct rp *p, uint64_t k)
{
	const struct ckf_cex *c = p->c;
	if (c->cycle < 0) {
		if (k == c->len && c->prop == TDXSIM_PROP_DEADLOCK)
			for (unsigned a = 0; a < p->n_all; a++)
				if (ckx_enabled(p->x, a))
					p->en_count[a]++;
		return;
	}
	if ((int64_t)k == c->cycle)
		ckx_canon_copy(p->x, p->S0);
	if (k == c->len)
		ckx_canon_copy(p->x, p->S1);
	if ((int64_t)k >= c->cycle && k < c->len) {
		p->pend |= p->m->pending(p->m->ctx);
		for (unsigned a = 0; a < p->n_all; a++)
			if (ckx_enabled(p->x, a))
				p->en_count[a]++;
	}
}

static void env_steps(struct rp *p, uint64_t k)
{
	const struct ckf_cex *c = p->c;
	while (k < c->len && c->path[k] >= p->n_eng) {
		ckx_observe_pre(p->x, c->path[k]);
		ckx_env_apply(p->x, c->path[k]);
		ckx_observe_post(p->x, c->path[k], FLOW_RAN, &p->trs[k]);
		p->done_steps++;
		k++;
		at_state(p, k);
	}
}

static void rp_step(void *ctx, unsigned actor, enum flow_ret r, uint64_t t, uint64_t cost)
{
	struct rp *p = ctx;
	if (p->tr)
		trace_on_step(p->tr, actor, r, t, cost);
	stats_on_step(p->st, actor, r, t, cost);
	uint64_t k = p->gidx[p->j++];
	ckx_observe_post(p->x, actor, r, &p->trs[k]);
	p->done_steps++;
	if (r == FLOW_BLOCKED && !p->diverged) {
		p->diverged = true;
		snprintf(p->why, sizeof(p->why), "the replay diverged: step %" PRIu64 " (%s) is blocked under sim",
			 k + 1, ckx_actor_name(p->x, actor));
	}
	at_state(p, k + 1);
	env_steps(p, k + 1);
	if (p->j < p->c->len)
		ckx_observe_pre(p->x, 0);
}

static uint32_t prog_bit(uint32_t prop)
{
	return prop == TDXSIM_PROP_LIVELOCK ? CK_PROG_ANY : prop == TDXSIM_PROP_STARVATION ? CK_PROG_CLASS
											 : CK_PROG_MAPGPA;
}

static uint32_t pend_bit(uint32_t prop)
{
	return prop == TDXSIM_PROP_LIVELOCK ? CK_PEND_ANY : prop == TDXSIM_PROP_STARVATION ? CK_PEND_CLASS
											 : CK_PEND_MAPGPA;
}

static void judge(struct rp *p, struct ck_replay_result *out)
{
	const struct ckf_cex *c = p->c;
	if (p->diverged) {
		snprintf(out->why, sizeof(out->why), "%s", p->why);
		return;
	}
	const char *pn = ck_prop_name(c->prop);
	if (c->cycle < 0 && c->prop == TDXSIM_PROP_DEADLOCK) {
		bool live = false;
		for (unsigned a = 0; a < p->n_eng; a++)
			if (!engine_actor(p->e, a)->done)
				live = true;
		for (unsigned a = 0; a < p->n_all; a++)
			if (p->en_count[a]) {
				snprintf(out->why, sizeof(out->why), "no deadlock at the end: %s can still step",
					 ckx_actor_name(p->x, a));
				return;
			}
		if (!live) {
			snprintf(out->why, sizeof(out->why), "no deadlock at the end: every actor finished");
			return;
		}
		out->reproduced = true;
		snprintf(out->why, sizeof(out->why), "deadlock reproduced after %u steps: no actor can step",
			 c->len);
		return;
	}
	if (c->cycle < 0) {
		if (!c->len) {
			/* a violation of the initial state (after setup) */
			if (c->prop == TDXSIM_PROP_INVARIANTS) {
				char why[256];
				if (!tdxsim_world_check_invariants(p->e->w, why, sizeof(why))) {
					out->reproduced = true;
					snprintf(out->why, sizeof(out->why), "invariants: %s", why);
					return;
				}
			}
			snprintf(out->why, sizeof(out->why), "%s: the initial state does not violate it", pn);
			return;
		}
		const struct ck_trans *t = &p->trs[c->len - 1];
		if (t->viol & c->prop) {
			out->reproduced = true;
			snprintf(out->why, sizeof(out->why), "%s reproduced at step %u: %s", pn, c->len, t->why);
		} else {
			snprintf(out->why, sizeof(out->why), "%s not reproduced: step %u (%s) does not violate it%s%s",
				 pn, c->len, ckx_actor_name(p->x, c->path[c->len - 1]), t->viol ? "; it violates: " : "",
				 t->viol ? t->why : "");
		}
		return;
	}
	/* A lasso. */
	if (memcmp(p->S0, p->S1, p->csz)) {
		size_t i = 0;
		while (i < p->csz && p->S0[i] == p->S1[i])
			i++;
		snprintf(out->why, sizeof(out->why), "%s not reproduced: the state after the cycle differs from "
			 "the state before it (first at offset %#zx)", pn, i);
		return;
	}
	for (uint64_t k = (uint64_t)c->cycle; k < c->len; k++)
		if (p->trs[k].progress & prog_bit(c->prop)) {
			snprintf(out->why, sizeof(out->why), "%s not reproduced: step %" PRIu64 " of the cycle (%s) "
				 "makes progress", pn, k + 1, ckx_actor_name(p->x, c->path[k]));
			return;
		}
	if (!(p->pend & pend_bit(c->prop))) {
		snprintf(out->why, sizeof(out->why), "%s not reproduced: nothing is pending in the cycle", pn);
		return;
	}
	uint32_t clen = c->len - (uint32_t)c->cycle;
	for (unsigned a = 0; a < p->n_all; a++) {
		if (p->en_count[a] < clen)
			continue;
		bool taken = false;
		for (uint64_t k = (uint64_t)c->cycle; k < c->len && !taken; k++)
			taken = c->path[k] == a;
		if (!taken) {
			snprintf(out->why, sizeof(out->why), "%s not reproduced: the cycle is unfair to %s (enabled "
				 "throughout, never steps)", pn, ckx_actor_name(p->x, a));
			return;
		}
	}
	out->reproduced = true;
	snprintf(out->why, sizeof(out->why), "%s reproduced: steps %" PRId64 "..%u return to the same state "
		 "without %s, weakly fair", pn, c->cycle + 1, c->len,
		 c->prop == TDXSIM_PROP_LIVELOCK ? "progress" : c->prop == TDXSIM_PROP_STARVATION ?
		 "progress of the starved class" : "MapGPA completing");
}

int ck_replay(const struct ckf *h, const struct ckf_cex *c, const char *trace_path,
	      struct ck_replay_result *out, struct tdxsim_error *err)
{
	memset(out, 0, sizeof(*out));
	struct tdxsim_scenario *s = calloc(1, sizeof(*s));
	if (!s) {
		tdxsim_error_set(err, NULL, 0, "out of memory");
		return -1;
	}
	if (tdxsim_scenario_load(h->scenario, h->policy[0] ? h->policy : NULL, s, err) < 0) {
		free(s);
		return -1;
	}
	s->platform.instr_atomicity = h->instr_atomicity;
	/* The counterexample's property is judged even when the check chose it with
	 * --properties and the scenario does not list it. */
	struct ckx_opts xo = { .hp_timeout = h->hp_timeout, .strict_progress = h->strict_progress,
			       .props_override = s->properties | c->prop };
	struct ckx *x = ckx_create(s, &xo, err);
	if (!x) {
		tdxsim_scenario_free(s);
		free(s);
		return -1;
	}
	int rc = 0;
	struct rp p = { .x = x, .e = ckx_engine(x), .m = ckx_model(x), .c = c };
	p.n_eng = ckx_n_engine_actors(x);
	p.n_all = p.m->n_actors;
	if (p.n_all != h->n_actors) {
		tdxsim_error_set(err, h->scenario, 0, "the scenario has %u actors now, the counterexample %u: it "
				 "changed since the check", p.n_all, h->n_actors);
		rc = -1;
		goto out;
	}
	for (unsigned a = 0; a < p.n_all; a++)
		if (strcmp(ckx_actor_name(x, a), h->actors[a])) {
			tdxsim_error_set(err, h->scenario, 0, "actor %u is '%s' now, '%s' in the counterexample: the "
					 "scenario changed since the check", a, ckx_actor_name(x, a), h->actors[a]);
			rc = -1;
			goto out;
		}
	p.csz = ckx_canon_size(x);
	p.S0 = malloc(p.csz);
	p.S1 = malloc(p.csz);
	p.trs = calloc((size_t)c->len + 1, sizeof(*p.trs));
	p.gidx = calloc((size_t)c->len + 1, sizeof(*p.gidx));
	p.en_count = calloc(p.n_all, sizeof(*p.en_count));
	uint32_t *forced = calloc((size_t)c->len + 1, sizeof(*forced));
	p.st = stats_create(p.e, false);
	if (!p.S0 || !p.S1 || !p.trs || !p.gidx || !p.en_count || !forced || !p.st) {
		free(forced);
		tdxsim_error_set(err, NULL, 0, "out of memory");
		rc = -1;
		goto out;
	}
	uint64_t nf = 0;
	for (uint32_t k = 0; k < c->len; k++)
		if (c->path[k] < p.n_eng) {
			p.gidx[nf] = k;
			forced[nf++] = c->path[k];
		}
	if (trace_path) {
		p.tr = trace_open(trace_path, p.e, p.st, 2000000, err);
		if (!p.tr) {
			free(forced);
			rc = -1;
			goto out;
		}
	}
	struct sim_latency lat;
	sim_latency_defaults(&lat);
	if (sim_latency_apply(&lat, p.e->table, s, err) < 0) {
		free(forced);
		rc = -1;
		goto out;
	}
	/* Same start as the checker (ckx_create), observed rather than canonicalized. */
	ckx_observe_begin(x);
	p.inner = p.e->obs;
	struct engine_observer eo = { rp_vmm, rp_lock, &p };
	engine_set_observer(p.e, &eo);
	at_state(&p, 0);
	env_steps(&p, 0);
	ckx_observe_pre(x, 0);
	struct sim_observer so = { rp_begin, rp_end, rp_step, &p };
	struct sim_opts o = {
		.lat = lat, .obs = &so, .stall_ns = UINT64_MAX / 4, .forced = forced, .n_forced = nf,
	};
	struct sim_result res;
	sim_run(p.e, &o, &res);
	engine_set_observer(p.e, &p.inner);
	stats_finish(p.st);
	out->steps = p.done_steps;
	out->sim_ns = res.now;
	out->busy = stats_counter(p.st, ST_BUSY);
	out->retries = stats_counter(p.st, ST_RETRIES);
	out->kicks = stats_counter(p.st, ST_KICKS);
	if (p.j < nf && !p.diverged) {
		p.diverged = true;
		snprintf(p.why, sizeof(p.why), "the replay diverged after %" PRIu64 " steps: %.400s", p.done_steps,
			 res.why[0] ? res.why : sim_outcome_name(res.outcome));
	}
	judge(&p, out);
	if (p.tr) {
		if (trace_close(p.tr, true, &res, err) < 0)
			rc = -1;
		p.tr = NULL;
	}
	free(forced);
out:
	if (p.tr)
		trace_close(p.tr, false, NULL, NULL);
	stats_destroy(p.st);
	free(p.S0);
	free(p.S1);
	free(p.trs);
	free(p.gidx);
	free(p.en_count);
	ckx_destroy(x);
	tdxsim_scenario_free(s);
	free(s);
	return rc;
}
