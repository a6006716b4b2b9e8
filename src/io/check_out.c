/* SPDX-License-Identifier: MIT */
/* Reports and counterexample files of tdxsim check / replay (docs/check.md). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "io/check_out.h"
#include "io/report.h"
#include "tdxsim/scenario.h"

static const uint32_t all_props[] = {
	TDXSIM_PROP_DEADLOCK, TDXSIM_PROP_VM_BUG, TDXSIM_PROP_INVARIANTS, TDXSIM_PROP_LIVELOCK,
	TDXSIM_PROP_STARVATION, TDXSIM_PROP_RETRY_BOUND, TDXSIM_PROP_MAPGPA, TDXSIM_PROP_HALT,
	TDXSIM_PROP_USER_EXIT,
};
#define NPROPS (sizeof(all_props) / sizeof(all_props[0]))

const char *ck_prop_name(uint32_t prop)
{
	return tdxsim_property_name((enum tdxsim_property)prop);
}

const char *ck_verdict(const struct ck_result *r, uint32_t prop)
{
	if (!(r->checked & prop))
		return "not checked";
	if (r->violated & prop)
		return "violated";
	if (r->unknown & prop)
		return "unknown";
	return "holds";
}

bool ck_expect_met(const struct tdxsim_scenario *s, const struct ck_result *r, bool *stated, char *why,
		   size_t len)
{
	const struct tdxsim_expect *e = &s->expect_check;
	*stated = e->set && !s->policy_overridden;
	if (why && len)
		why[0] = 0;
	if (!*stated)
		return true;
	size_t off = 0;
	bool ok = true;
	for (unsigned i = 0; i < NPROPS; i++) {
		uint32_t p = all_props[i];
		const char *v = ck_verdict(r, p);
		const char *want = (e->violated & p) ? "violated" : (e->holds & p) ? "holds" : NULL;
		if (!want || !strcmp(v, want))
			continue;
		ok = false;
		if (why && off < len) {
			int n = snprintf(why + off, len - off, "%s%s: expected %s, %s", off ? "; " : "",
					 ck_prop_name(p), want, v);
			if (n > 0)
				off += (size_t)n;
		}
	}
	return ok;
}

/* ---- counterexample files ------------------------------------------------------------ */

static void put_str(FILE *f, const char *key, const char *v)
{
	fprintf(f, "%s ", key);
	for (; *v; v++)
		fputc(*v == '\n' ? ' ' : *v, f);
	fputc('\n', f);
}

int ckf_write(const char *path, const struct ckf *h, const struct ck_result *r, struct tdxsim_error *err)
{
	struct out_file o;
	if (tdxsim_out_open(&o, path, err) < 0)
		return -1;
	FILE *f = o.f;
	fprintf(f, "# tdxsim counterexample file (docs/check.md \"Counterexample files\").\n"
		   "# Replay it with: tdxsim replay FILE [--trace OUT]\n");
	fprintf(f, "tdxsim-cex 1\n");
	put_str(f, "scenario", h->scenario);
	if (h->policy[0])
		put_str(f, "policy", h->policy);
	put_str(f, "policy-name", h->policy_name);
	fprintf(f, "hp-timeout %s\n", h->hp_timeout == CKX_HP_ON ? "on" : "off");
	fprintf(f, "progress %s\n", h->strict_progress ? "strict" : "flow-end");
	fprintf(f, "atomicity %s\n", h->instr_atomicity ? "instr" : "step");
	fprintf(f, "actors %u\n", h->n_actors);
	for (unsigned i = 0; i < h->n_actors; i++)
		fprintf(f, "actor %u %s\n", i, h->actors[i]);
	for (unsigned i = 0; i < CK_NPROPS; i++) {
		const struct ck_cex *c = &r->cex[i];
		if (!(r->violated & (1u << i)) || !c->path)
			continue;
		fprintf(f, "cex %s\n", ck_prop_name(1u << i));
		put_str(f, "why", c->why);
		fprintf(f, "cycle %" PRId64 "\n", c->cycle);
		fprintf(f, "schedule %u", c->len);
		for (uint32_t k = 0; k < c->len; k++)
			fprintf(f, "%s%u", k % 32 ? " " : "\n ", c->path[k]);
		fprintf(f, "\nend\n");
	}
	return tdxsim_out_close(&o, true, err);
}

void ckf_free(struct ckf *f)
{
	for (unsigned i = 0; i < f->ncex; i++)
		free(f->cex[i].path);
	f->ncex = 0;
}

int ckf_read(const char *path, struct ckf *out, struct tdxsim_error *err)
{
	memset(out, 0, sizeof(*out));
	out->hp_timeout = CKX_HP_OFF;
	FILE *f = fopen(path, "r");
	if (!f) {
		tdxsim_error_set(err, path, 0, "cannot read: %s", strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	unsigned ln = 0;
	bool magic = false;
	struct ckf_cex *cur = NULL;
	uint32_t want = 0;
	bool in_sched = false;
	int rc = 0;
#define BAD(...) do { tdxsim_error_set(err, path, ln, __VA_ARGS__); rc = -1; goto out; } while (0)
	while (getline(&line, &cap, f) >= 0) {
		ln++;
		size_t n = strlen(line);
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		if (!n || line[0] == '#')
			continue;
		if (in_sched && (line[0] == ' ' || line[0] == '\t')) {
			char *p = line, *e;
			for (;;) {
				while (*p == ' ' || *p == '\t')
					p++;
				if (!*p)
					break;
				errno = 0;
				unsigned long v = strtoul(p, &e, 10);
				if (e == p || errno || v >= 4096)
					BAD("schedule: '%s' is not an actor id", p);
				if (cur->len == want)
					BAD("schedule: more than the %u steps announced", want);
				if (v >= out->n_actors)
					BAD("schedule: actor %lu, but the file lists %u actors", v, out->n_actors);
				cur->path[cur->len++] = (uint32_t)v;
				p = e;
			}
			continue;
		}
		in_sched = false;
		char *sp = strchr(line, ' ');
		const char *key = line, *val = sp ? sp + 1 : "";
		if (sp)
			*sp = 0;
		if (!magic) {
			if (strcmp(key, "tdxsim-cex") || strcmp(val, "1"))
				BAD("not a tdxsim counterexample file (expected 'tdxsim-cex 1')");
			magic = true;
		} else if (!strcmp(key, "scenario")) {
			snprintf(out->scenario, sizeof(out->scenario), "%s", val);
		} else if (!strcmp(key, "policy")) {
			snprintf(out->policy, sizeof(out->policy), "%s", val);
		} else if (!strcmp(key, "policy-name")) {
			snprintf(out->policy_name, sizeof(out->policy_name), "%s", val);
		} else if (!strcmp(key, "hp-timeout")) {
			if (!strcmp(val, "on"))
				out->hp_timeout = CKX_HP_ON;
			else if (!strcmp(val, "off"))
				out->hp_timeout = CKX_HP_OFF;
			else
				BAD("hp-timeout must be on or off");
		} else if (!strcmp(key, "atomicity")) {
			if (!strcmp(val, "instr"))
				out->instr_atomicity = true;
			else if (strcmp(val, "step"))
				BAD("atomicity must be step or instr");
		} else if (!strcmp(key, "progress")) {
			if (!strcmp(val, "strict"))
				out->strict_progress = true;
			else if (strcmp(val, "flow-end"))
				BAD("progress must be strict or flow-end");
		} else if (!strcmp(key, "actors")) {
			unsigned long v = strtoul(val, NULL, 10);
			if (v == 0 || v > sizeof(out->actors) / sizeof(out->actors[0]))
				BAD("actors: bad count '%s'", val);
			out->n_actors = (unsigned)v;
		} else if (!strcmp(key, "actor")) {
			char *e;
			unsigned long v = strtoul(val, &e, 10);
			if (e == val || *e != ' ' || v >= out->n_actors)
				BAD("actor: expected 'actor ID NAME'");
			snprintf(out->actors[v], sizeof(out->actors[v]), "%s", e + 1);
		} else if (!strcmp(key, "cex")) {
			int p = tdxsim_property_by_name(val);
			if (p < 0)
				BAD("cex: unknown property '%s'", val);
			if (out->ncex == CKF_MAX_CEX)
				BAD("too many counterexamples");
			cur = &out->cex[out->ncex++];
			memset(cur, 0, sizeof(*cur));
			cur->prop = (uint32_t)p;
			cur->cycle = -1;
		} else if (strcmp(key, "why") && strcmp(key, "cycle") && strcmp(key, "schedule") &&
			   strcmp(key, "end")) {
			BAD("unknown key '%s'", key);
		} else if (!cur) {
			BAD("'%s' before the first 'cex' line", key);
		} else if (!strcmp(key, "why")) {
			snprintf(cur->why, sizeof(cur->why), "%s", val);
		} else if (!strcmp(key, "cycle")) {
			cur->cycle = strtoll(val, NULL, 10);
		} else if (!strcmp(key, "schedule")) {
			char *e;
			unsigned long v = strtoul(val, &e, 10);
			if (e == val || v > 100000000ul)
				BAD("schedule: expected a step count");
			want = (uint32_t)v;
			free(cur->path);
			cur->path = malloc(((size_t)want + 1) * sizeof(uint32_t));
			if (!cur->path)
				BAD("out of memory");
			cur->len = 0;
			in_sched = true;
		} else if (!strcmp(key, "end")) {
			if (!cur->path || cur->len != want)
				BAD("cex %s: the schedule has %u steps, %u announced", ck_prop_name(cur->prop),
				    cur->len, want);
			if (cur->cycle >= (int64_t)cur->len)
				BAD("cex %s: cycle start %" PRId64 " beyond the schedule", ck_prop_name(cur->prop),
				    cur->cycle);
			cur = NULL;
		}
	}
	if (!magic)
		BAD("empty file (expected 'tdxsim-cex 1')");
	if (cur)
		BAD("the last counterexample has no 'end'");
	if (!out->scenario[0])
		BAD("no 'scenario' line");
	if (!out->ncex)
		BAD("no counterexample in the file");
#undef BAD
out:
	free(line);
	fclose(f);
	if (rc < 0)
		ckf_free(out);
	return rc;
}

/* ---- stepping a counterexample ------------------------------------------------------------ */

#define LOGSZ 16384

struct stepper {
	struct ckx *x;
	struct ck_model *m;
	char *log;
	char desc[256];
	struct ck_trans tr;
	enum flow_ret r;
};

static int step_once(struct stepper *st, uint32_t a)
{
	st->m->describe(st->m->ctx, a, st->desc, sizeof(st->desc));
	st->m->set_log(st->m->ctx, st->log, LOGSZ);
	memset(&st->tr, 0, sizeof(st->tr));
	st->r = st->m->step(st->m->ctx, a, &st->tr);
	st->m->set_log(st->m->ctx, NULL, 0);
	return 0;
}

void ck_cex_text(FILE *out, struct ckx *x, const struct ck_cex *c)
{
	struct stepper st = { .x = x, .m = ckx_model(x), .log = malloc(LOGSZ) };
	if (!st.log)
		return;
	fprintf(out, "counterexample: %s (%u steps%s)\n", ck_prop_name(c->prop), c->len,
		c->cycle >= 0 ? ", a prefix then a cycle" : "");
	fprintf(out, "  %s\n", c->why);
	for (uint32_t k = 0; k < c->len; k++) {
		if ((int64_t)k == c->cycle)
			fprintf(out, "  ---- the cycle starts here: steps %u..%u repeat forever ----\n", k + 1, c->len);
		step_once(&st, c->path[k]);
		fprintf(out, "%5u. %-14s %s%s\n", k + 1, ckx_actor_name(x, c->path[k]), st.desc,
			st.r == FLOW_BLOCKED ? "  ** BLOCKED: the replay diverged **" :
			st.r == FLOW_DONE ? "  (finishes)" : "");
		fputs(st.log, out);
	}
	if (c->cycle >= 0)
		fprintf(out, "  ---- back to the state before step %" PRId64 " ----\n", c->cycle + 1);
	struct ck_model *m = st.m;
	fprintf(out, "  end state:\n");
	for (unsigned a = 0; a < m->n_actors; a++) {
		char d[256];
		m->describe(m->ctx, a, d, sizeof(d));
		bool done = m->done(m->ctx, a);
		fprintf(out, "    %-14s %s%s\n", ckx_actor_name(x, a), done ? "" : ckx_enabled(x, a) ? "can step: " : "BLOCKED: ", d);
	}
	free(st.log);
}

json_t *ck_cex_json(struct ckx *x, const struct ck_cex *c)
{
	struct stepper st = { .x = x, .m = ckx_model(x), .log = malloc(LOGSZ) };
	json_t *j = json_object();
	json_object_set_new(j, "property", json_string(ck_prop_name(c->prop)));
	json_object_set_new(j, "why", json_string(c->why));
	json_object_set_new(j, "length", json_integer(c->len));
	json_object_set_new(j, "cycle_start", c->cycle >= 0 ? json_integer(c->cycle) : json_null());
	json_t *steps = json_array();
	for (uint32_t k = 0; k < c->len && st.log; k++) {
		step_once(&st, c->path[k]);
		json_t *s = json_object();
		json_object_set_new(s, "step", json_integer(k + 1));
		json_object_set_new(s, "actor", json_integer(c->path[k]));
		json_object_set_new(s, "name", json_string(ckx_actor_name(x, c->path[k])));
		json_object_set_new(s, "doing", json_string(st.desc));
		json_t *lines = json_array();
		for (char *p = st.log; *p;) {
			char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			while (n && *p == ' ') {
				p++;
				n--;
			}
			json_array_append_new(lines, json_stringn(p, n));
			p += n + (nl ? 1 : 0);
		}
		json_object_set_new(s, "did", lines);
		json_array_append_new(steps, s);
	}
	json_object_set_new(j, "steps", steps);
	free(st.log);
	return j;
}

static void dot_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\l", f);
		else
			fputc(*s, f);
	}
}

/* A sequence diagram: one lane per actor, one row per step; the acting lane's
 * node says what it did.  The cycle of a lasso is drawn in red. */
void ck_cex_dot(FILE *out, struct ckx *x, const struct ck_cex *c, const char *title)
{
	struct stepper st = { .x = x, .m = ckx_model(x), .log = malloc(LOGSZ) };
	if (!st.log)
		return;
	unsigned n = st.m->n_actors;
	fprintf(out, "digraph cex {\n  rankdir=TB; nodesep=0.3; ranksep=0.15;\n"
		     "  node [fontname=\"monospace\", fontsize=9];\n  labelloc=t; label=\"");
	dot_esc(out, title);
	fprintf(out, ": %s (%u steps)\";\n", ck_prop_name(c->prop), c->len);
	fprintf(out, "  { rank=same;");
	for (unsigned a = 0; a < n; a++)
		fprintf(out, " h%u;", a);
	fprintf(out, " }\n");
	for (unsigned a = 0; a < n; a++) {
		fprintf(out, "  h%u [shape=box, style=filled, fillcolor=lightgrey, label=\"", a);
		dot_esc(out, ckx_actor_name(x, a));
		fprintf(out, "\"];\n");
	}
	for (uint32_t k = 0; k < c->len; k++) {
		uint32_t who = c->path[k];
		step_once(&st, who);
		bool cyc = c->cycle >= 0 && (int64_t)k >= c->cycle;
		fprintf(out, "  { rank=same;");
		for (unsigned a = 0; a < n; a++)
			fprintf(out, " s%u_%u;", k, a);
		fprintf(out, " }\n");
		for (unsigned a = 0; a < n; a++) {
			if (a != who) {
				fprintf(out, "  s%u_%u [shape=point, width=0.02, color=grey];\n", k, a);
				continue;
			}
			fprintf(out, "  s%u_%u [shape=box, %slabel=\"%u. ", k, a, cyc ? "color=red, " : "", k + 1);
			dot_esc(out, st.desc);
			fputs("\\l", out);
			/* the first few lines of what it did */
			unsigned lines = 0;
			for (char *p = st.log; *p && lines < 6; lines++) {
				char *nl = strchr(p, '\n');
				size_t m = nl ? (size_t)(nl - p) : strlen(p);
				char buf[256];
				snprintf(buf, sizeof(buf), "%.*s", (int)(m < 255 ? m : 255), p);
				dot_esc(out, buf);
				fputs("\\l", out);
				p += m + (nl ? 1 : 0);
			}
			fprintf(out, "\"];\n");
		}
		for (unsigned a = 0; a < n; a++) {
			if (k == 0)
				fprintf(out, "  h%u -> s0_%u [arrowhead=none, color=grey];\n", a, a);
			else
				fprintf(out, "  s%u_%u -> s%u_%u [arrowhead=none, color=grey];\n", k - 1, a, k, a);
		}
	}
	if (c->cycle >= 0 && c->len) {
		uint32_t first = (uint32_t)c->cycle, last = c->len - 1;
		fprintf(out, "  s%u_%u -> s%u_%u [color=red, constraint=false, label=\"repeats\", fontcolor=red];\n",
			last, c->path[last], first, c->path[first]);
	}
	fprintf(out, "}\n");
	free(st.log);
}

/* ---- reports ------------------------------------------------------------------------------- */

static const char *store_name(enum ck_store_mode m)
{
	return m == CK_TREE ? "tree compression (lossless)" : m == CK_FINGERPRINT ? "64-bit fingerprints" : "bitstate";
}

void ck_report_text(FILE *out, const struct ck_report *rep)
{
	const struct tdxsim_scenario *s = rep->s;
	const struct ck_result *r = rep->r;
	const struct ck_opts *o = rep->o;
	fprintf(out, "tdxsim check: %s (%s)\n", s->name, s->path);
	fprintf(out, "  module %s, VMM %s (kernel %s), policy %s\n", s->module_name, s->vmm_name, s->kernel_name,
		s->policy.name);
	fprintf(out, "  %u actor(s) + %u environment input(s)\n", ckx_n_engine_actors(rep->x),
		ckx_model(rep->x)->n_env);
	fprintf(out, "  search: %s, store: %s, partial-order reduction %s, symmetry %s\n",
		o->dfs || o->store != CK_TREE ? "depth-first" : "breadth-first (shortest counterexamples)",
		store_name(o->store), o->por ? "on" : "off", o->symmetry ? "on" : "off");
	if (rep->por_note)
		fprintf(out, "    POR: %s\n", rep->por_note);
	if (rep->symmetry_note)
		fprintf(out, "    symmetry: %s\n", rep->symmetry_note);
	fprintf(out, "  time: module clock frozen at 0; host-priority timeout %s\n",
		rep->hp_on ? "on (fires at the first host-priority failure after hp_lock_busy is set)"
			   : "off (never fires)");
	fprintf(out, "  atomicity: %s\n", rep->s->platform.instr_atomicity
		? "instr (one step per atomic instruction of a try-acquire)"
		: "step (one step per try-acquire)");
	fprintf(out, "  progress: %s\n", rep->strict_progress ?
		"actors finishing, guest progress, VMM flows ending with a non-retry result" :
		"actors finishing, guest progress, any VMM flow ending");
	fprintf(out, "\n");
	double rate = r->secs > 0 ? (double)r->states / r->secs : 0;
	fprintf(out, "states %" PRIu64 ", transitions %" PRIu64 ", max depth %u\n", r->states, r->transitions,
		r->max_depth);
	fprintf(out, "  %.2f s, %.0f states/s, %.1f bytes/state (%.1f MB), %" PRIu64 " of %u world words vary",
		r->secs, rate, r->states ? (double)r->bytes / (double)r->states : 0.0, (double)r->bytes / 1048576.0,
		r->slots, r->world_words);
	if (o->store == CK_TREE)
		fprintf(out, ", %" PRIu64 " tree nodes (%.1f look-ups per transition)", r->nodes,
			r->transitions ? (double)r->lookups / (double)r->transitions : 0.0);
	fprintf(out, "\n");
	if (o->store != CK_TREE)
		fprintf(out, "  %s: probability that a state was missed %.3g\n",
			o->store == CK_FINGERPRINT ? "fingerprints" : "bitstate", r->omission);
	if (o->por)
		fprintf(out, "  POR: %" PRIu64 " of %" PRIu64 " states expanded with a single actor\n", r->por_reduced,
			r->expanded);
	if (rep->r_nopor)
		fprintf(out, "  states with POR %" PRIu64 ", without POR %" PRIu64 " (%.2fx), %.2f s without\n",
			r->states, rep->r_nopor->states,
			r->states ? (double)rep->r_nopor->states / (double)r->states : 0.0, rep->r_nopor->secs);
	if (ckx_hp_timeouts(rep->x))
		fprintf(out, "  TDX_HOST_PRIORITY_BUSY_TIMEOUT exits seen on %" PRIu64 " transition(s)\n",
			ckx_hp_timeouts(rep->x));
	if (r->blocked_changed)
		fprintf(out, "  note: %" PRIu64 " blocked step(s) wrote to the state and were undone (first: %s, "
			"world word %u); the flow contract says a blocked step changes nothing\n",
			r->blocked_changed, ckx_actor_name(rep->x, r->blocked_first_actor), r->blocked_first_word);
	if (r->stopped)
		fprintf(out, "  SEARCH STOPPED: %s -- properties not violated so far are undecided\n", r->stop_why);
	if (r->failed)
		fprintf(out, "  SEARCH FAILED: %s\n", r->error);
	fprintf(out, "\nproperties\n");
	for (unsigned i = 0; i < NPROPS; i++) {
		uint32_t p = all_props[i];
		if (!(r->checked & p))
			continue;
		const char *v = ck_verdict(r, p);
		fprintf(out, "  %-12s %s", ck_prop_name(p), !strcmp(v, "violated") ? "VIOLATED" : v);
		if (r->violated & p)
			fprintf(out, " (counterexample: %u steps%s)", r->cex[ck_prop_index(p)].len,
				r->cex[ck_prop_index(p)].cycle >= 0 ? ", lasso" : "");
		else if ((r->unknown & p) && (p & (TDXSIM_PROP_LIVELOCK | TDXSIM_PROP_STARVATION | TDXSIM_PROP_MAPGPA)) &&
			 o->store == CK_BITSTATE)
			fprintf(out, " (cycle properties need state ids: not with --bitstate)");
		else if (!strcmp(v, "holds") && o->store != CK_TREE)
			fprintf(out, " (up to the omission probability above)");
		fprintf(out, "\n");
	}
	bool stated;
	char why[512];
	bool met = ck_expect_met(s, r, &stated, why, sizeof(why));
	if (stated)
		fprintf(out, "expectation (check:): %s%s%s\n", met ? "met" : "NOT MET: ", met ? "" : why,
			s->expect_check.notes[0] ? "" : "");
	else if (s->expect_check.set)
		fprintf(out, "expectation (check:): not judged (--policy replaced the scenario's policy)\n");
}

json_t *ck_report_json(const struct ck_report *rep)
{
	const struct tdxsim_scenario *s = rep->s;
	const struct ck_result *r = rep->r;
	const struct ck_opts *o = rep->o;
	json_t *j = json_object();
	json_object_set_new(j, "schema", json_string("tdxsim.check/1"));
	json_t *sc = json_object();
	json_object_set_new(sc, "name", json_string(s->name));
	json_object_set_new(sc, "path", json_string(s->path ? s->path : ""));
	json_object_set_new(sc, "module", json_string(s->module_name));
	json_object_set_new(sc, "vmm", json_string(s->vmm_name));
	json_object_set_new(sc, "kernel", json_string(s->kernel_name));
	json_object_set_new(sc, "policy", json_string(s->policy.name));
	json_object_set_new(j, "scenario", sc);
	json_t *se = json_object();
	json_object_set_new(se, "order", json_string(o->dfs || o->store != CK_TREE ? "dfs" : "bfs"));
	json_object_set_new(se, "store", json_string(o->store == CK_TREE ? "tree" : o->store == CK_FINGERPRINT ?
						      "fingerprint" : "bitstate"));
	json_object_set_new(se, "por", json_boolean(o->por));
	json_object_set_new(se, "symmetry", json_boolean(o->symmetry));
	json_object_set_new(se, "hp_timeout", json_string(rep->hp_on ? "on" : "off"));
	json_object_set_new(se, "atomicity", json_string(rep->s->platform.instr_atomicity ? "instr" : "step"));
	json_object_set_new(se, "progress", json_string(rep->strict_progress ? "strict" : "flow-end"));
	json_object_set_new(j, "search", se);
	json_t *st = json_object();
	json_object_set_new(st, "states", json_integer((json_int_t)r->states));
	json_object_set_new(st, "transitions", json_integer((json_int_t)r->transitions));
	json_object_set_new(st, "max_depth", json_integer(r->max_depth));
	json_object_set_new(st, "seconds", json_real(r->secs));
	json_object_set_new(st, "states_per_second", json_real(r->secs > 0 ? (double)r->states / r->secs : 0));
	json_object_set_new(st, "bytes", json_integer((json_int_t)r->bytes));
	json_object_set_new(st, "bytes_per_state", json_real(r->states ? (double)r->bytes / (double)r->states : 0));
	json_object_set_new(st, "vector_slots", json_integer((json_int_t)r->slots));
	json_object_set_new(st, "world_words", json_integer(r->world_words));
	json_object_set_new(st, "tree_nodes", json_integer((json_int_t)r->nodes));
	json_object_set_new(st, "por_reduced", json_integer((json_int_t)r->por_reduced));
	if (rep->r_nopor)
		json_object_set_new(st, "states_without_por", json_integer((json_int_t)rep->r_nopor->states));
	if (o->store != CK_TREE)
		json_object_set_new(st, "omission_probability", json_real(r->omission));
	json_object_set_new(st, "hp_timeout_transitions", json_integer((json_int_t)ckx_hp_timeouts(rep->x)));
	json_object_set_new(st, "stopped", r->stopped ? json_string(r->stop_why) : json_null());
	json_object_set_new(st, "error", r->failed ? json_string(r->error) : json_null());
	json_object_set_new(j, "stats", st);
	json_t *props = json_object();
	for (unsigned i = 0; i < NPROPS; i++) {
		uint32_t p = all_props[i];
		if (!(r->checked & p))
			continue;
		json_t *pp = json_object();
		json_object_set_new(pp, "verdict", json_string(ck_verdict(r, p)));
		if (r->violated & p) {
			const struct ck_cex *c = &r->cex[ck_prop_index(p)];
			json_object_set_new(pp, "why", json_string(c->why));
			json_object_set_new(pp, "length", json_integer(c->len));
			json_object_set_new(pp, "cycle_start", c->cycle >= 0 ? json_integer(c->cycle) : json_null());
			json_t *sch = json_array();
			for (uint32_t k = 0; k < c->len; k++)
				json_array_append_new(sch, json_integer(c->path[k]));
			json_object_set_new(pp, "schedule", sch);
		}
		json_object_set_new(props, ck_prop_name(p), pp);
	}
	json_object_set_new(j, "properties", props);
	json_t *actors = json_array();
	for (unsigned a = 0; a < ckx_model(rep->x)->n_actors; a++)
		json_array_append_new(actors, json_string(ckx_actor_name(rep->x, a)));
	json_object_set_new(j, "actors", actors);
	bool stated;
	char why[512];
	bool met = ck_expect_met(s, r, &stated, why, sizeof(why));
	json_t *ex = json_object();
	json_object_set_new(ex, "stated", json_boolean(stated));
	json_object_set_new(ex, "met", stated ? json_boolean(met) : json_null());
	if (stated && !met)
		json_object_set_new(ex, "why", json_string(why));
	json_object_set_new(j, "expectation", ex);
	return j;
}
