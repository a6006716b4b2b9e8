/* SPDX-License-Identifier: MIT */
/*
 * JSON reports of tdxsim sim / stress (schema "tdxsim.sim/1") and of the sweep
 * ("tdxsim.sweep/1"); docs/sim.md documents every field.  Objects are built in a
 * fixed key order and dumped with JSON_PRESERVE_ORDER, so the same run gives the
 * same bytes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "io/report.h"

static json_t *u64(uint64_t v)
{
	return json_integer((json_int_t)(v > (uint64_t)INT64_MAX ? INT64_MAX : v));
}

static json_t *hex(uint64_t v)
{
	char b[24];
	snprintf(b, sizeof(b), "0x%016" PRIx64, v);
	return json_string(b);
}

static json_t *latency_obj(struct stats_latency l)
{
	json_t *o = json_object();
	json_object_set_new(o, "n", u64(l.n));
	json_object_set_new(o, "p50", u64(l.p50));
	json_object_set_new(o, "p99", u64(l.p99));
	json_object_set_new(o, "max", u64(l.max));
	return o;
}

static json_t *scenario_obj(const struct tdxsim_scenario *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(s->name));
	json_object_set_new(o, "file", json_string(s->path));
	json_object_set_new(o, "module", json_string(s->module_name));
	json_object_set_new(o, "vmm", json_string(s->vmm_name));
	json_object_set_new(o, "kernel", json_string(s->kernel_name));
	json_object_set_new(o, "policy", json_string(s->policy.name));
	json_object_set_new(o, "policy_overridden", json_boolean(s->policy_overridden));
	json_object_set_new(o, "vms", u64(s->n_vms));
	json_object_set_new(o, "vcpus", u64(s->n_vcpus));
	json_object_set_new(o, "pages", u64(s->n_pages));
	json_object_set_new(o, "lps", u64(s->platform.n_lps));
	return o;
}

static const char *leaf_name(const struct tdxsim_table *t, int leaf)
{
	if (leaf >= 0 && (unsigned)leaf < t->nleaves)
		return t->leaves[leaf].name;
	return "?";
}

json_t *tdxsim_report_json(const struct sim_report *r)
{
	const struct tdxsim_scenario *s = r->scn;
	const struct stats *st = r->st;
	const struct tdxsim_table *t = stats_table(st);
	json_t *root = json_object();
	json_object_set_new(root, "schema", json_string("tdxsim.sim/1"));
	json_object_set_new(root, "mode", json_string(r->mode));
	json_object_set_new(root, "scenario", scenario_obj(s));

	json_t *run = json_object();
	if (r->threads)
		json_object_set_new(run, "threads", u64(r->threads));
	else
		json_object_set_new(run, "seed", u64(r->seed));
	json_object_set_new(run, "time_limit_ns", u64(r->time_limit_ns));
	json_object_set_new(run, "outcome", json_string(sim_outcome_name(r->res->outcome)));
	json_object_set_new(run, "time_ns", u64(r->res->now));
	json_object_set_new(run, "steps", u64(r->res->steps));
	json_object_set_new(run, "why", json_string(r->res->why));
	json_object_set_new(run, "vmm_locks", json_string(r->vmm_locks ? r->vmm_locks : ""));
	if (r->wall_s > 0)
		json_object_set_new(run, "wall_s", json_real(r->wall_s));
	json_object_set_new(root, "run", run);

	json_t *exp = json_object();
	json_object_set_new(exp, "stated", json_boolean(r->ev && r->ev->stated));
	json_object_set_new(exp, "applies", json_boolean(r->ev && r->ev->applies));
	json_object_set_new(exp, "met", r->ev && r->ev->applies ? json_boolean(r->ev->met) : json_null());
	json_t *checks = json_array();
	for (unsigned i = 0; r->ev && i < r->ev->n; i++) {
		const struct expect_check *c = &r->ev->checks[i];
		json_t *o = json_object();
		json_object_set_new(o, "what", json_string(c->what));
		json_object_set_new(o, "expected", json_string(c->expected));
		json_object_set_new(o, "actual", json_string(c->actual));
		json_object_set_new(o, "ok", json_boolean(c->ok));
		json_array_append_new(checks, o);
	}
	json_object_set_new(exp, "checks", checks);
	json_object_set_new(root, "expect", exp);

	json_t *leaves = json_array();
	for (unsigned side = 0; side < 2; side++)
		for (unsigned i = 0; i < t->nleaves; i++) {
			const struct stats_leaf *L = stats_leaf(st, i);
			if (t->leaves[i].side != side || !L->calls)
				continue;
			json_t *o = json_object();
			json_object_set_new(o, "leaf", json_string(t->leaves[i].name));
			json_object_set_new(o, "side", json_string(tdxsim_side_name(t->leaves[i].side)));
			json_object_set_new(o, "calls", u64(L->calls));
			json_object_set_new(o, "ok", u64(L->ok));
			json_object_set_new(o, "busy", u64(L->busy));
			json_object_set_new(o, "other", u64(L->other));
			json_object_set_new(o, "td_exit", u64(L->exits));
			json_array_append_new(leaves, o);
		}
	json_object_set_new(root, "leaves", leaves);

	unsigned nb;
	const struct stats_busy *busy = stats_busy_rows(st, &nb);
	json_t *ba = json_array();
	for (unsigned i = 0; i < nb; i++) {
		json_t *o = json_object();
		const char *on = tdx_operand_name(busy[i].operand);
		char ob[16];
		snprintf(ob, sizeof(ob), "0x%x", busy[i].operand);
		json_object_set_new(o, "leaf", json_string(leaf_name(t, busy[i].leaf)));
		json_object_set_new(o, "operand", json_string(on && *on ? on : ob));
		json_object_set_new(o, "status", hex(busy[i].status));
		json_object_set_new(o, "holder", json_string(stats_holder_name(st, busy[i].holder)));
		json_object_set_new(o, "count", u64(busy[i].count));
		json_array_append_new(ba, o);
	}
	json_object_set_new(root, "busy", ba);

	json_t *flows = json_array();
	for (unsigned k = 0; k < STATS_MAX_FLOW_KINDS; k++) {
		const struct stats_flow *f = stats_flow(st, k);
		if (!f->begun && !f->ended)
			continue;
		char kb[16];
		json_t *o = json_object();
		json_object_set_new(o, "kind", json_string(stats_flow_kind_name(k, kb, sizeof(kb))));
		json_object_set_new(o, "begun", u64(f->begun));
		json_object_set_new(o, "ended", u64(f->ended));
		json_object_set_new(o, "failed", u64(f->results_nonzero));
		json_object_set_new(o, "retries", u64(f->retries));
		json_object_set_new(o, "max_retries", u64(f->max_retries));
		json_t *h = json_array();
		for (unsigned b = 0; b < STATS_HIST_BUCKETS; b++) {
			json_t *hb = json_object();
			json_object_set_new(hb, "retries", json_string(stats_hist_label(b)));
			json_object_set_new(hb, "flows", u64(f->hist[b]));
			json_array_append_new(h, hb);
		}
		json_object_set_new(o, "histogram", h);
		json_object_set_new(o, "latency_ns", latency_obj(stats_flow_latency(st, k)));
		json_array_append_new(flows, o);
	}
	json_object_set_new(root, "flows", flows);

	unsigned ng;
	const struct stats_vm_bug *bugs = stats_vm_bug_rows(st, &ng);
	json_t *bga = json_array();
	for (unsigned i = 0; i < ng; i++) {
		json_t *o = json_object();
		const struct tdxsim_leaf *l = tdxsim_table_leaf_by_number(t, TDXSIM_SIDE_HOST,
									 (unsigned)bugs[i].leaf);
		json_object_set_new(o, "leaf", l ? json_string(l->name) : bugs[i].leaf == 0xFFFF ? json_string("(no SEAMCALL)") : u64(bugs[i].leaf));
		json_object_set_new(o, "status", hex(bugs[i].status));
		const char *sn = tdx_status_name(bugs[i].status);
		json_object_set_new(o, "status_name", json_string(sn ? sn : ""));
		json_object_set_new(o, "count", u64(bugs[i].count));
		json_array_append_new(bga, o);
	}
	json_object_set_new(root, "vm_bugs", bga);

	json_t *guest = json_object();
	json_object_set_new(guest, "accepted", u64(stats_counter(st, ST_ACCEPTED)));
	json_object_set_new(guest, "accept_failed", u64(stats_counter(st, ST_ACCEPT_FAILED)));
	json_object_set_new(guest, "accesses", u64(stats_counter(st, ST_ACCESSES)));
	json_object_set_new(guest, "mapgpa_ok", u64(stats_counter(st, ST_MAPGPA_OK)));
	json_object_set_new(guest, "mapgpa_failed", u64(stats_counter(st, ST_MAPGPA_FAILED)));
	json_object_set_new(guest, "busy_seen", u64(stats_counter(st, ST_GUEST_BUSY_SEEN)));
	json_object_set_new(guest, "done", json_boolean(stats_counter(st, ST_GUEST_DONE) != 0));
	json_object_set_new(root, "guest", guest);

	json_t *actors = json_array();
	for (unsigned i = 0; i < s->nactors; i++) {
		const struct tdxsim_actor_spec *a = &s->actors[i];
		char what[160];
		engine_describe(r->e, i, what, sizeof(what));
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(a->name));
		json_object_set_new(o, "kind", json_string(a->kind == TDXSIM_ACTOR_VCPU ? "vcpu" : "thread"));
		json_object_set_new(o, "lp", u64(a->lp));
		json_object_set_new(o, "steps", u64(stats_actor_progress(st, i)));
		json_object_set_new(o, "blocked", u64(stats_actor_blocked(st, i)));
		json_object_set_new(o, "done", json_boolean(engine_actor(r->e, i)->done != 0));
		if (engine_actor(r->e, i)->done)
			json_object_set_new(o, "result", json_string(tdxsim_result_str(vmm_actor_result(engine_vmm(r->e), i))));
		else
			json_object_set_new(o, "result", json_null());
		json_object_set_new(o, "at_end", json_string(what));
		json_array_append_new(actors, o);
	}
	json_object_set_new(root, "actors", actors);

	json_t *ctr = json_object();
	for (int c = 0; c < ST__COUNT; c++)
		json_object_set_new(ctr, stats_counter_name((enum stats_counter)c),
				    u64(stats_counter(st, (enum stats_counter)c)));
	json_object_set_new(root, "counters", ctr);
	return root;
}

json_t *tdxsim_sweep_json(const struct tdxsim_scenario *s, const struct sweep_row *rows, unsigned n,
			  uint64_t seed0, unsigned seeds)
{
	/* One JSON array, one object per policy (schema "tdxsim.sweep/1" in each row). */
	json_t *arr = json_array();
	for (unsigned i = 0; i < n; i++) {
		const struct sweep_row *r = &rows[i];
		json_t *o = json_object();
		json_object_set_new(o, "schema", json_string("tdxsim.sweep/1"));
		json_object_set_new(o, "scenario", json_string(s->name));
		json_object_set_new(o, "policy", json_string(r->policy));
		json_object_set_new(o, "seed", u64(seed0));
		json_object_set_new(o, "seeds", u64(seeds));
		json_object_set_new(o, "runs", u64(r->runs));
		json_t *oc = json_object();
		for (unsigned k = 0; k < 5; k++)
			json_object_set_new(oc, sim_outcome_name((enum sim_outcome)k), u64(r->outcomes[k]));
		json_object_set_new(o, "outcomes", oc);
		json_object_set_new(o, "busy", u64(r->busy));
		json_object_set_new(o, "guest_busy", u64(r->guest_busy));
		json_object_set_new(o, "retries", u64(r->retries));
		json_object_set_new(o, "max_retries", u64(r->max_retries));
		json_object_set_new(o, "kicks", u64(r->kicks));
		json_object_set_new(o, "vm_bugs", u64(r->vm_bugs));
		json_object_set_new(o, "zero_step", u64(r->zero_step));
		json_object_set_new(o, "hp_timeouts", u64(r->hp_timeouts));
		json_object_set_new(o, "steps", u64(r->steps));
		json_object_set_new(o, "faults", u64(r->faults));
		json_object_set_new(o, "fault_latency_ns", latency_obj(r->fault_lat));
		json_array_append_new(arr, o);
	}
	return arr;
}
