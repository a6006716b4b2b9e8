/* SPDX-License-Identifier: MIT */
/*
 * Chrome trace-event JSON (docs/sim.md "Trace"), for chrome://tracing and
 * ui.perfetto.dev.  One process; one track (tid) per actor, named after it and
 * its LP; a second track per actor for its VMM flows (flows span several
 * SEAMCALLs and guest entries, so they would not nest on the actor's track).
 *
 *  - "X" slice per SEAMCALL / TDCALL attempt: name = leaf, args = leaf, status,
 *    status name, operand, attempt (the VMM's retry number when it reports one);
 *  - "X" slice "guest" for each stay in guest mode (TDH.VP.ENTER to TD exit);
 *  - "X" slice per flow on the flow track: name = flow kind, args = retries;
 *  - "i" instant events: BUSY (leaf, operand, holder), kick, zero-step, VM BUG,
 *    host-priority timeout, VMM stall, user exit.
 *
 * Timestamps are virtual: microseconds with nanosecond decimals.  Events go to a
 * temporary file as they happen; trace_close renames it into place.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/report.h"

struct trace_actor {
	bool leaf_open;
	int leaf, side;
	uint64_t t0;
	bool leaf_ended;           /* ended in this step: emit at the step callback */
	tdx_status_t status;
	int64_t attempt;           /* -1 = unknown */
	bool in_guest;
	uint64_t guest_t0;
	bool guest_close;          /* the TD exit completed in this step */
	tdx_status_t exit_status;
	struct { unsigned kind; uint64_t t0, retries; } flows[8];
	unsigned nflows;
};

struct trace {
	struct out_file out;
	struct engine *e;
	const struct stats *st;
	const struct tdxsim_table *t;
	struct trace_actor *a;
	unsigned n;
	uint64_t events, max_events, dropped;
	bool first;
};

static void ts(FILE *f, const char *key, uint64_t ns)
{
	fprintf(f, "\"%s\":%" PRIu64 ".%03" PRIu64, key, ns / 1000, ns % 1000);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Start one event object; false when the event budget is spent. */
static bool ev_begin(struct trace *t)
{
	if (t->max_events && t->events >= t->max_events) {
		t->dropped++;
		return false;
	}
	t->events++;
	fputs(t->first ? "\n" : ",\n", t->out.f);
	t->first = false;
	return true;
}

static const char *leaf_name(const struct trace *t, int leaf)
{
	if (leaf >= 0 && (unsigned)leaf < t->t->nleaves)
		return t->t->leaves[leaf].name;
	return leaf == TDXSIM_LEAF_TD_EXIT ? "TD exit" : "?";
}

static void status_args(FILE *f, tdx_status_t st)
{
	fprintf(f, "\"status\":\"0x%016" PRIx64 "\"", st);
	if (st == TDXSIM_STATUS_ENTERED) {
		fputs(",\"status_name\":\"(entered the guest)\"", f);
		return;
	}
	if (st == SIM_STATUS_TD_EXIT) {
		fputs(",\"status_name\":\"(ended in a TD exit)\"", f);
		return;
	}
	const char *n = tdx_status_name(st);
	fputs(",\"status_name\":", f);
	json_str(f, n ? n : "");
	uint32_t op = tdx_status_operand(st);
	const char *on = tdx_operand_name(op);
	if (st >> 63 && op) {
		fputs(",\"operand\":", f);
		if (on && *on)
			json_str(f, on);
		else
			fprintf(f, "\"0x%x\"", op);
	}
}

struct trace *trace_open(const char *path, struct engine *e, const struct stats *st,
			 uint64_t max_events, struct tdxsim_error *err)
{
	struct trace *t = calloc(1, sizeof(*t));
	if (!t) {
		tdxsim_error_set(err, path, 0, "out of memory");
		return NULL;
	}
	t->e = e;
	t->st = st;
	t->t = e->table;
	t->n = engine_n_actors(e);
	t->max_events = max_events;
	t->first = true;
	t->a = calloc(t->n ? t->n : 1, sizeof(*t->a));
	if (!t->a || tdxsim_out_open(&t->out, path, err) < 0) {
		free(t->a);
		free(t);
		return NULL;
	}
	for (unsigned i = 0; i < t->n; i++)
		t->a[i].attempt = -1;
	FILE *f = t->out.f;
	const struct tdxsim_scenario *s = e->scn;
	fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"tdxsim sim\",\"scenario\":", f);
	json_str(f, s->name);
	fputs(",\"clock\":\"virtual (1 us = 1000 simulated ns)\"},\"traceEvents\":[", f);
	/* Metadata: process and track names, track order. */
	ev_begin(t);
	fputs("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":", f);
	char pn[160];
	snprintf(pn, sizeof(pn), "tdxsim: %s", s->name);
	json_str(f, pn);
	fputs("}}", f);
	for (unsigned i = 0; i < t->n && i < s->nactors; i++) {
		const struct tdxsim_actor_spec *a = &s->actors[i];
		char name[128];
		snprintf(name, sizeof(name), "%s (%s, LP %u)", a->name,
			 a->kind == TDXSIM_ACTOR_VCPU ? "vCPU" : "thread", a->lp);
		ev_begin(t);
		fprintf(f, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%u,\"args\":{\"name\":", 2 * i + 1);
		json_str(f, name);
		fputs("}}", f);
		ev_begin(t);
		fprintf(f, "{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":%u,"
			   "\"args\":{\"sort_index\":%u}}", 2 * i + 1, 2 * i + 1);
		snprintf(name, sizeof(name), "%s flows", a->name);
		ev_begin(t);
		fprintf(f, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%u,\"args\":{\"name\":", 2 * i + 2);
		json_str(f, name);
		fputs("}}", f);
		ev_begin(t);
		fprintf(f, "{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":%u,"
			   "\"args\":{\"sort_index\":%u}}", 2 * i + 2, 2 * i + 2);
	}
	return t;
}

static unsigned tid(unsigned actor)
{
	return 2 * actor + 1;
}

static bool instant(struct trace *t, unsigned actor, const char *name, uint64_t now)
{
	if (!ev_begin(t))
		return false;
	fputs("{\"name\":", t->out.f);
	json_str(t->out.f, name);
	fprintf(t->out.f, ",\"cat\":\"event\",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":%u,", tid(actor));
	ts(t->out.f, "ts", now);
	return true;
}

void trace_on_leaf_begin(struct trace *t, unsigned actor, int side, int leaf, uint64_t now)
{
	if (actor >= t->n)
		return;
	struct trace_actor *a = &t->a[actor];
	if (side == TDXSIM_SIDE_HOST && a->in_guest)
		return; /* the TD exit completing TDH.VP.ENTER */
	a->leaf_open = true;
	a->leaf_ended = false;
	a->leaf = leaf;
	a->side = side;
	a->t0 = now;
}

void trace_on_leaf_end(struct trace *t, unsigned actor, int side, int leaf, tdx_status_t status,
		       uint64_t now)
{
	if (actor >= t->n)
		return;
	struct trace_actor *a = &t->a[actor];
	if (side == TDXSIM_SIDE_HOST && a->in_guest) {
		a->guest_close = true;
		a->exit_status = status;
		return;
	}
	if (!a->leaf_open)
		return;
	a->leaf_ended = true;
	a->status = status;
	(void)leaf;
	bool busy = (status & TDX_SEAMCALL_STATUS_MASK) == TDX_OPERAND_BUSY ||
		    (status & TDX_SEAMCALL_STATUS_MASK) == TDX_OPERAND_BUSY_HOST_PRIORITY;
	if (busy && instant(t, actor, "BUSY", now)) {
		FILE *f = t->out.f;
		fputs(",\"args\":{\"leaf\":", f);
		json_str(f, leaf_name(t, a->leaf));
		fputc(',', f);
		status_args(f, status);
		fputs(",\"holder\":", f);
		json_str(f, stats_holder_name(t->st, stats_busy_holder(t->st, actor)));
		fputs("}}", f);
	}
}

void trace_on_step(struct trace *t, unsigned actor, enum flow_ret r, uint64_t now, uint64_t cost)
{
	(void)r;
	if (actor >= t->n)
		return;
	struct trace_actor *a = &t->a[actor];
	FILE *f = t->out.f;
	uint64_t end = now + cost;
	if (a->leaf_ended) {
		a->leaf_ended = false;
		a->leaf_open = false;
		if (ev_begin(t)) {
			fputs("{\"name\":", f);
			json_str(f, leaf_name(t, a->leaf));
			fprintf(f, ",\"cat\":\"%s\",\"ph\":\"X\",\"pid\":1,\"tid\":%u,",
				a->leaf == TDXSIM_LEAF_TD_EXIT ? "exit" : a->side == TDXSIM_SIDE_HOST ? "seamcall" : "tdcall",
				tid(actor));
			ts(f, "ts", a->t0);
			fputc(',', f);
			ts(f, "dur", end - a->t0);
			fputs(",\"args\":{\"leaf\":", f);
			json_str(f, leaf_name(t, a->leaf));
			if (a->leaf != TDXSIM_LEAF_TD_EXIT) {
				fputc(',', f);
				status_args(f, a->status);
			}
			if (a->attempt >= 0)
				fprintf(f, ",\"attempt\":%" PRId64, a->attempt);
			fputs("}}", f);
		}
		if (a->side == TDXSIM_SIDE_HOST && a->status == TDXSIM_STATUS_ENTERED) {
			a->in_guest = true;
			a->guest_t0 = end;
		}
		a->attempt = -1;
	}
	if (a->guest_close) {
		a->guest_close = false;
		a->in_guest = false;
		if (ev_begin(t)) {
			fprintf(f, "{\"name\":\"guest\",\"cat\":\"guest\",\"ph\":\"X\",\"pid\":1,\"tid\":%u,",
				tid(actor));
			ts(f, "ts", a->guest_t0);
			fputc(',', f);
			ts(f, "dur", end > a->guest_t0 ? end - a->guest_t0 : 0);
			fputs(",\"args\":{\"leaf\":\"TDH.VP.ENTER\",", f);
			status_args(f, a->exit_status);
			fputs("}}", f);
		}
	}
}

static void vmm_instant(struct trace *t, unsigned actor, const char *name, const char *key, uint64_t v,
			uint64_t now)
{
	if (!instant(t, actor, name, now))
		return;
	if (key)
		fprintf(t->out.f, ",\"args\":{\"%s\":%" PRIu64 "}}", key, v);
	else
		fputs("}", t->out.f);
}

void trace_on_vmm(struct trace *t, unsigned actor, enum vmm_event ev, uint64_t a, uint64_t b,
		  uint64_t c)
{
	if (actor >= t->n)
		return;
	struct trace_actor *ta = &t->a[actor];
	uint64_t now = tdxsim_world_now(t->e->w);
	FILE *f = t->out.f;
	char kb[16];
	switch (ev) {
	case VMM_EV_SEAMCALL:
		ta->attempt = (int64_t)c;
		break;
	case VMM_EV_BUSY:
		break;
	case VMM_EV_RETRY:
		if (ta->nflows)
			ta->flows[ta->nflows - 1].retries++;
		break;
	case VMM_EV_KICK:
		vmm_instant(t, actor, "kick", "vm", a, now);
		break;
	case VMM_EV_VM_BUG:
		if (instant(t, actor, "VM BUG", now)) {
			const struct tdxsim_leaf *l = tdxsim_table_leaf_by_number(t->t, TDXSIM_SIDE_HOST, (unsigned)a);
			fputs(",\"args\":{\"leaf\":", f);
			json_str(f, l ? l->name : "?");
			fputc(',', f);
			status_args(f, b);
			fputs("}}", f);
		}
		break;
	case VMM_EV_ZERO_STEP:
		vmm_instant(t, actor, "zero-step", "vcpu", a, now);
		break;
	case VMM_EV_HP_TIMEOUT:
		vmm_instant(t, actor, "host-priority timeout", "vcpu", a, now);
		break;
	case VMM_EV_STALL:
		vmm_instant(t, actor, "VMM stall", "cause", a, now);
		break;
	case VMM_EV_USER_EXIT:
		vmm_instant(t, actor, "user exit", "reason", a, now);
		break;
	case VMM_EV_FLOW_BEGIN:
		if (ta->nflows == 8) {
			memmove(&ta->flows[0], &ta->flows[1], 7 * sizeof(ta->flows[0]));
			ta->nflows--;
		}
		ta->flows[ta->nflows].kind = stats_flow_slot(a);
		ta->flows[ta->nflows].t0 = now;
		ta->flows[ta->nflows].retries = 0;
		ta->nflows++;
		break;
	case VMM_EV_FLOW_END: {
		int k = (int)ta->nflows - 1;
		while (k >= 0 && ta->flows[k].kind != stats_flow_slot(a))
			k--;
		if (k < 0)
			break;
		uint64_t t0 = ta->flows[k].t0, retries = ta->flows[k].retries;
		ta->nflows = (unsigned)k;
		if (!ev_begin(t))
			break;
		fputs("{\"name\":", f);
		json_str(f, stats_flow_kind_name(stats_flow_slot(a), kb, sizeof(kb)));
		fprintf(f, ",\"cat\":\"flow\",\"ph\":\"X\",\"pid\":1,\"tid\":%u,", tid(actor) + 1);
		ts(f, "ts", t0);
		fputc(',', f);
		ts(f, "dur", now - t0);
		fprintf(f, ",\"args\":{\"retries\":%" PRIu64 ",\"result\":%" PRId64 "}}", retries, (int64_t)b);
		break;
	}
	}
}

int trace_close(struct trace *t, bool commit, const struct sim_result *res, struct tdxsim_error *err)
{
	if (!t)
		return 0;
	FILE *f = t->out.f;
	if (commit) {
		/* A closing instant with the outcome, then the end of the document. */
		t->max_events = 0;
		if (res) {
			ev_begin(t);
			fputs("{\"name\":\"end\",\"cat\":\"event\",\"ph\":\"i\",\"s\":\"g\",\"pid\":1,\"tid\":0,", f);
			ts(f, "ts", res->now);
			fprintf(f, ",\"args\":{\"outcome\":\"%s\",\"steps\":%" PRIu64 ",\"dropped_events\":%" PRIu64 "}}",
				sim_outcome_name(res->outcome), res->steps, t->dropped);
		}
		fputs("\n]}\n", f);
	}
	int rc = tdxsim_out_close(&t->out, commit, err);
	free(t->a);
	free(t);
	return rc;
}
