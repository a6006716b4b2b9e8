/* SPDX-License-Identifier: MIT */
/*
 * Text reports of tdxsim sim / stress and the sweep table (docs/sim.md), the
 * judgement of `expect:`, and output files written under a temporary name.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/report.h"

/* ---- output files ----------------------------------------------------------- */

int tdxsim_out_open(struct out_file *o, const char *path, struct tdxsim_error *err)
{
	memset(o, 0, sizeof(*o));
	int n1 = snprintf(o->path, sizeof(o->path), "%s", path);
	int n2 = snprintf(o->tmp, sizeof(o->tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof(o->path) || (size_t)n2 >= sizeof(o->tmp)) {
		tdxsim_error_set(err, path, 0, "path too long");
		return -1;
	}
	o->f = fopen(o->tmp, "w");
	if (!o->f) {
		tdxsim_error_set(err, path, 0, "cannot write: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int tdxsim_out_close(struct out_file *o, bool commit, struct tdxsim_error *err)
{
	if (!o->f)
		return -1;
	bool bad = ferror(o->f) != 0;
	if (fclose(o->f) != 0)
		bad = true;
	o->f = NULL;
	if (!commit || bad) {
		unlink(o->tmp);
		if (commit)
			tdxsim_error_set(err, o->path, 0, "write error");
		return commit ? -1 : 0;
	}
	if (rename(o->tmp, o->path) != 0) {
		tdxsim_error_set(err, o->path, 0, "cannot rename %s into place: %s", o->tmp,
				 strerror(errno));
		unlink(o->tmp);
		return -1;
	}
	return 0;
}

/* ---- formatting -------------------------------------------------------------- */

const char *tdxsim_fmt_ns(uint64_t ns, char *buf, size_t len)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.3f us", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.3f ms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.3f s", (double)ns / 1e9);
	return buf;
}

static void fmt_bound(char *buf, size_t len, uint64_t lo, uint64_t hi)
{
	if (lo == hi)
		snprintf(buf, len, "= %" PRIu64, lo);
	else if (hi == UINT64_MAX)
		snprintf(buf, len, ">= %" PRIu64, lo);
	else if (lo == 0)
		snprintf(buf, len, "<= %" PRIu64, hi);
	else
		snprintf(buf, len, "%" PRIu64 "..%" PRIu64, lo, hi);
}

/* ---- expectations -------------------------------------------------------------- */

static struct expect_check *add_check(struct expect_eval *ev)
{
	if (ev->n == EXPECT_MAX_CHECKS)
		return NULL;
	struct expect_check *c = &ev->checks[ev->n++];
	memset(c, 0, sizeof(*c));
	return c;
}

/* Whether one run violated property p (only the properties SIM_JUDGED in the loader). */
static bool sim_violated(const struct tdxsim_scenario *s, uint32_t p, enum sim_outcome o,
			 const struct stats *st, char *why, size_t len)
{
	switch (p) {
	case TDXSIM_PROP_DEADLOCK:
		snprintf(why, len, "outcome %s", sim_outcome_name(o));
		return o == SIM_DEADLOCK;
	case TDXSIM_PROP_LIVELOCK:
		snprintf(why, len, "outcome %s", sim_outcome_name(o));
		return o == SIM_STALL;
	case TDXSIM_PROP_VM_BUG:
		snprintf(why, len, "%" PRIu64 " VM BUGs", stats_counter(st, ST_VM_BUGS));
		return stats_counter(st, ST_VM_BUGS) > 0;
	case TDXSIM_PROP_HALT:
		snprintf(why, len, "%s", stats_counter(st, ST_HALTED) ? "module halted" : "not halted");
		return stats_counter(st, ST_HALTED) > 0;
	case TDXSIM_PROP_RETRY_BOUND:
		snprintf(why, len, "max %" PRIu64 " retries per flow (bound %u)",
			 stats_counter(st, ST_MAX_RETRIES), s->retry_bound);
		return stats_counter(st, ST_MAX_RETRIES) > s->retry_bound;
	case TDXSIM_PROP_USER_EXIT:
		snprintf(why, len, "%" PRIu64 " user exits", stats_counter(st, ST_USER_EXITS));
		return stats_counter(st, ST_USER_EXITS) > 0;
	case TDXSIM_PROP_MAPGPA: {
		uint64_t out = stats_counter(st, ST_MAPGPA_OUTSIDE), act = stats_counter(st, ST_MAPGPA_ACTIVE);
		snprintf(why, len, "%" PRIu64 " resumed outside, %" PRIu64 " unfinished", out, act);
		return out > 0 || (act > 0 && o != SIM_DONE);
	}
	case TDXSIM_PROP_INVARIANTS:
		/* The engine aborts on a broken invariant: a report means none broke. */
		snprintf(why, len, "checked after every step");
		return false;
	}
	snprintf(why, len, "not judged");
	return false;
}

void tdxsim_expect_eval(const struct tdxsim_scenario *s, enum sim_outcome outcome,
			const struct stats *st, struct expect_eval *ev)
{
	memset(ev, 0, sizeof(*ev));
	const struct tdxsim_expect *e = &s->expect_sim;
	ev->stated = e->set;
	ev->applies = e->set && !s->policy_overridden;
	ev->met = true;
	if (!e->set)
		return;
	struct expect_check *c;
	if (e->outcome != TDXSIM_OUTCOME_ANY && (c = add_check(ev))) {
		snprintf(c->what, sizeof(c->what), "outcome");
		snprintf(c->expected, sizeof(c->expected), "%s", tdxsim_outcome_name((enum tdxsim_outcome)e->outcome));
		snprintf(c->actual, sizeof(c->actual), "%s", tdxsim_outcome_name((enum tdxsim_outcome)outcome));
		c->ok = (int)outcome == e->outcome;
	}
	for (uint32_t bit = 1; bit; bit <<= 1) {
		if (!((e->holds | e->violated) & bit) || !(c = add_check(ev)))
			continue;
		char why[64];
		bool v = sim_violated(s, bit, outcome, st, why, sizeof(why));
		snprintf(c->what, sizeof(c->what), "%s", tdxsim_property_name((enum tdxsim_property)bit));
		snprintf(c->expected, sizeof(c->expected), "%s", (e->holds & bit) ? "holds" : "violated");
		snprintf(c->actual, sizeof(c->actual), "%s (%s)", v ? "violated" : "holds", why);
		c->ok = ((e->violated & bit) != 0) == v;
	}
	for (unsigned i = 0; i < e->ncounters; i++) {
		const struct tdxsim_expect_counter *k = &e->counters[i];
		int id = stats_counter_by_name(k->name);
		if (id < 0 || !(c = add_check(ev)))
			continue;
		uint64_t v = stats_counter(st, (enum stats_counter)id);
		snprintf(c->what, sizeof(c->what), "%s", k->name);
		fmt_bound(c->expected, sizeof(c->expected), k->min, k->max);
		snprintf(c->actual, sizeof(c->actual), "%" PRIu64, v);
		c->ok = v >= k->min && v <= k->max;
	}
	for (unsigned i = 0; i < ev->n; i++)
		if (!ev->checks[i].ok)
			ev->met = false;
}

/* ---- the text report ------------------------------------------------------------ */

static const char *leaf_name(const struct stats *st, int leaf)
{
	const struct tdxsim_table *t = stats_table(st);
	if (leaf >= 0 && (unsigned)leaf < t->nleaves)
		return t->leaves[leaf].name;
	return leaf == TDXSIM_LEAF_TD_EXIT ? "TD exit" : "?";
}

static const char *operand_str(uint32_t op, char *buf, size_t len)
{
	const char *n = tdx_operand_name(op);
	if (n && *n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "0x%x", op);
	return buf;
}

/* The VMM reports leaves in its events by number (host side). */
static const char *vmm_leaf_name(const struct stats *st, uint64_t num, char *buf, size_t len)
{
	if (num == 0xFFFF)
		return "(no SEAMCALL)"; /* VMM_LEAF_NONE: e.g. guest access before accept */
	const struct tdxsim_leaf *l = tdxsim_table_leaf_by_number(stats_table(st), TDXSIM_SIDE_HOST,
								 (unsigned)num);
	if (l)
		return l->name;
	snprintf(buf, len, "leaf %" PRIu64, num);
	return buf;
}

/* A program's result: 0 or -ERRNO by name. */
const char *tdxsim_result_str(int64_t r)
{
	static _Thread_local char buf[24];
	static const struct { int v; const char *n; } t[] = {
		{ 1, "EPERM" }, { 4, "EINTR" }, { 5, "EIO" }, { 11, "EAGAIN" }, { 12, "ENOMEM" },
		{ 13, "EACCES" }, { 14, "EFAULT" }, { 16, "EBUSY" }, { 19, "ENODEV" }, { 22, "EINVAL" },
		{ 28, "ENOSPC" }, { 95, "EOPNOTSUPP" }, { 0, NULL },
	};
	if (r >= 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)r);
		return buf;
	}
	for (unsigned i = 0; t[i].n; i++)
		if (-r == t[i].v) {
			snprintf(buf, sizeof(buf), "-%s", t[i].n);
			return buf;
		}
	snprintf(buf, sizeof(buf), "%lld", (long long)r);
	return buf;
}

void tdxsim_report_text(FILE *out, const struct sim_report *r)
{
	const struct tdxsim_scenario *s = r->scn;
	const struct stats *st = r->st;
	const struct tdxsim_table *t = stats_table(st);
	char b1[32], b2[32], b3[32];

	fprintf(out, "tdxsim %s: %s (%s)\n", r->mode, s->name, s->path);
	fprintf(out, "  module %s, VMM %s (kernel %s), policy %s%s\n", s->module_name, s->vmm_name,
		s->kernel_name, s->policy.name, s->policy_overridden ? " (--policy)" : "");
	fprintf(out, "  %u VM(s) x %u vCPU(s), %u private pages, %u LPs, %u actors\n", s->n_vms,
		s->n_vcpus, s->n_pages, s->platform.n_lps, s->nactors);
	if (r->threads)
		fprintf(out, "  %u OS threads, time limit %s (virtual)\n", r->threads,
			r->time_limit_ns ? tdxsim_fmt_ns(r->time_limit_ns, b1, sizeof(b1)) : "none");
	else
		fprintf(out, "  seed %" PRIu64 ", time limit %s\n", r->seed,
			r->time_limit_ns ? tdxsim_fmt_ns(r->time_limit_ns, b1, sizeof(b1)) : "none");
	fprintf(out, "\noutcome: %s at %s virtual time, %" PRIu64 " steps\n",
		sim_outcome_name(r->res->outcome), tdxsim_fmt_ns(r->res->now, b1, sizeof(b1)),
		r->res->steps);
	if (r->res->outcome == SIM_STALL)
		fprintf(out, "  VMM stall: steps ran but nothing progressed (no flow ended, no actor\n"
			     "  finished, no guest progress) for the stall window\n");
	else if (r->res->outcome == SIM_DEADLOCK)
		fprintf(out, "  deadlock: every unfinished actor is blocked\n");
	if (r->res->why[0])
		fprintf(out, "  actors: %s\n", r->res->why);
	if (r->vmm_locks && r->vmm_locks[0]) {
		fprintf(out, "  VMM locks and waits:\n    ");
		for (const char *p = r->vmm_locks; *p; p++) {
			if (*p == '\n') {
				if (p[1])
					fputs("\n    ", out);
			} else {
				fputc(*p, out);
			}
		}
		fputc('\n', out);
	}
	if (r->ev && r->ev->stated) {
		if (!r->ev->applies)
			fprintf(out, "expect: not judged (the scenario states it for its own policy, "
				     "run with --policy %s)\n", s->policy.name);
		else
			fprintf(out, "expect: %s\n", r->ev->met ? "met" : "NOT MET");
		for (unsigned i = 0; i < r->ev->n; i++) {
			const struct expect_check *c = &r->ev->checks[i];
			fprintf(out, "  %-4s %-16s expected %-10s got %s\n", r->ev->applies ? (c->ok ? "ok" : "FAIL") : "-",
				c->what, c->expected, c->actual);
		}
	}

	fprintf(out, "\nSEAMCALLs and TDCALLs (attempts)\n");
	fprintf(out, "  %-26s %10s %10s %10s %10s %10s\n", "leaf", "calls", "ok", "busy", "other",
		"TD exit");
	bool any = false;
	for (unsigned side = 0; side < 2; side++)
		for (unsigned i = 0; i < t->nleaves; i++) {
			const struct stats_leaf *L = stats_leaf(st, i);
			if (t->leaves[i].side != side || !L->calls)
				continue;
			any = true;
			fprintf(out, "  %-26s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n",
				t->leaves[i].name, L->calls, L->ok, L->busy, L->other, L->exits);
		}
	if (!any)
		fprintf(out, "  (none)\n");

	unsigned nb;
	const struct stats_busy *busy = stats_busy_rows(st, &nb);
	fprintf(out, "\nBUSY by leaf, operand and lock holder\n");
	if (!nb)
		fprintf(out, "  (none)\n");
	else
		fprintf(out, "  %-26s %-14s %-26s %10s\n", "leaf", "operand", "holder", "count");
	for (unsigned i = 0; i < nb; i++) {
		char ob[32];
		fprintf(out, "  %-26s %-14s %-26s %10" PRIu64 "\n", leaf_name(st, busy[i].leaf),
			operand_str(busy[i].operand, ob, sizeof(ob)), stats_holder_name(st, busy[i].holder),
			busy[i].count);
	}

	fprintf(out, "\nFlows (virtual time)\n");
	any = false;
	for (unsigned k = 0; k < STATS_MAX_FLOW_KINDS; k++) {
		const struct stats_flow *f = stats_flow(st, k);
		if (!f->begun && !f->ended)
			continue;
		if (!any)
			fprintf(out, "  %-14s %9s %9s %9s %8s %12s %12s %12s\n", "kind", "begun", "ended",
				"retries", "max", "p50", "p99", "max");
		any = true;
		char kb[16];
		struct stats_latency l = stats_flow_latency(st, k);
		if (!l.n) {
			snprintf(b1, sizeof(b1), "-");
			snprintf(b2, sizeof(b2), "-");
			snprintf(b3, sizeof(b3), "-");
		} else {
			tdxsim_fmt_ns(l.p50, b1, sizeof(b1));
			tdxsim_fmt_ns(l.p99, b2, sizeof(b2));
			tdxsim_fmt_ns(l.max, b3, sizeof(b3));
		}
		fprintf(out, "  %-14s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %8" PRIu64 " %12s %12s %12s\n",
			stats_flow_kind_name(k, kb, sizeof(kb)), f->begun, f->ended, f->retries,
			f->max_retries, b1, b2, b3);
		if (!l.n)
			continue;
		fprintf(out, "  %-14s retries per flow:", "");
		for (unsigned h = 0; h < STATS_HIST_BUCKETS; h++)
			if (f->hist[h])
				fprintf(out, " %s:%" PRIu64, stats_hist_label(h), f->hist[h]);
		fprintf(out, "\n");
	}
	if (!any)
		fprintf(out, "  (none)\n");

	fprintf(out, "\nEvents\n");
	fprintf(out, "  retries %" PRIu64 ", kicks %" PRIu64 ", zero-step %" PRIu64
		     ", host-priority timeouts %" PRIu64 ", VM BUGs %" PRIu64 ", VM killed %" PRIu64
		     ", user exits %" PRIu64 " (+%" PRIu64 " for signals), VMM stalls %" PRIu64 "%s\n",
		stats_counter(st, ST_RETRIES), stats_counter(st, ST_KICKS), stats_counter(st, ST_ZERO_STEP),
		stats_counter(st, ST_HP_TIMEOUTS), stats_counter(st, ST_VM_BUGS), stats_counter(st, ST_VM_DEAD),
		stats_counter(st, ST_USER_EXITS), stats_counter(st, ST_SIGNAL_EXITS), stats_counter(st, ST_VMM_STALLS),
		stats_counter(st, ST_HALTED) ? ", MODULE HALTED" : "");
	unsigned ng;
	const struct stats_vm_bug *bugs = stats_vm_bug_rows(st, &ng);
	for (unsigned i = 0; i < ng; i++) {
		char lb[32], sb[96];
		if (bugs[i].leaf == 0xFFFF)
			fprintf(out, "  VM killed without a SEAMCALL error (kvm_vm_dead, e.g. a guest access "
				     "before accept) (%" PRIu64 "x)\n", bugs[i].count);
		else
			fprintf(out, "  VM BUG: %s returned %s (%" PRIu64 "x)\n",
				vmm_leaf_name(st, bugs[i].leaf, lb, sizeof(lb)),
				tdx_status_format(bugs[i].status, sb, sizeof(sb)), bugs[i].count);
	}

	fprintf(out, "\nGuest\n");
	fprintf(out, "  accepted %" PRIu64 ", accept failed %" PRIu64 ", accesses %" PRIu64
		     ", MapGPA ok %" PRIu64 ", MapGPA failed %" PRIu64 ", BUSY seen %" PRIu64
		     ", programs %s\n",
		stats_counter(st, ST_ACCEPTED), stats_counter(st, ST_ACCEPT_FAILED),
		stats_counter(st, ST_ACCESSES), stats_counter(st, ST_MAPGPA_OK),
		stats_counter(st, ST_MAPGPA_FAILED), stats_counter(st, ST_GUEST_BUSY_SEEN),
		stats_counter(st, ST_GUEST_DONE) ? "finished" : "not finished");

	fprintf(out, "\nActors\n");
	fprintf(out, "  %-18s %-7s %4s %12s %12s %8s  %s\n", "name", "kind", "LP", "steps", "blocked", "result",
		"at the end");
	for (unsigned i = 0; i < s->nactors; i++) {
		const struct tdxsim_actor_spec *a = &s->actors[i];
		char what[160];
		engine_describe(r->e, i, what, sizeof(what));
		char res[24];
		if (engine_actor(r->e, i)->done)
			snprintf(res, sizeof(res), "%s", tdxsim_result_str(vmm_actor_result(engine_vmm(r->e), i)));
		else
			snprintf(res, sizeof(res), "-");
		fprintf(out, "  %-18s %-7s %4u %12" PRIu64 " %12" PRIu64 " %8s  %s\n", a->name,
			a->kind == TDXSIM_ACTOR_VCPU ? "vcpu" : "thread", a->lp,
			stats_actor_progress(st, i), stats_actor_blocked(st, i), res, what);
	}
	if (r->wall_s > 0)
		fprintf(out, "\nwall time %.3f s\n", r->wall_s);
}

/* ---- sweep ---------------------------------------------------------------------- */

static void outcome_cell(const struct sweep_row *row, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = 0;
	for (unsigned o = 0; o < 5; o++) {
		if (!row->outcomes[o])
			continue;
		int w = row->outcomes[o] == row->runs
				? snprintf(buf + off, len - off, "%s%s", off ? "," : "", sim_outcome_name((enum sim_outcome)o))
				: snprintf(buf + off, len - off, "%s%s %u/%u", off ? "," : "",
					   sim_outcome_name((enum sim_outcome)o), row->outcomes[o], row->runs);
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
}

void tdxsim_sweep_text(FILE *out, const struct tdxsim_scenario *s, const struct sweep_row *rows,
		       unsigned n, uint64_t seed0, unsigned seeds)
{
	fprintf(out, "tdxsim sim --sweep: %s (%s)\n", s->name, s->path);
	fprintf(out, "  module %s, VMM %s (kernel %s); %u seed%s from %" PRIu64 "; totals over the runs\n\n",
		s->module_name, s->vmm_name, s->kernel_name, seeds, seeds == 1 ? "" : "s", seed0);
	fprintf(out, "%-18s %-16s %9s %9s %9s %7s %8s %9s %8s %12s\n", "policy", "outcome", "BUSY",
		"retries", "kicks", "VM BUGs", "0-step", "faults", "max-rtry", "p99 fault");
	for (unsigned i = 0; i < n; i++) {
		const struct sweep_row *r = &rows[i];
		char oc[64], lb[32];
		outcome_cell(r, oc, sizeof(oc));
		fprintf(out, "%-18s %-16s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %7" PRIu64 " %8" PRIu64
			     " %9" PRIu64 " %8" PRIu64 " %12s\n",
			r->policy, oc, r->busy, r->retries, r->kicks, r->vm_bugs, r->zero_step, r->faults,
			r->max_retries, r->fault_lat.n ? tdxsim_fmt_ns(r->fault_lat.p99, lb, sizeof(lb)) : "-");
	}
}
