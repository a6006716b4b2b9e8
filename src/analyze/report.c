/* SPDX-License-Identifier: MIT */
/* Writers for the analysis: text (docs/analyze.md), JSON (one schema), DOT. */
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"

static const struct tdxsim_leaf *leaf_of(const struct an_result *r, const struct an_side *s)
{
	return &r->t->leaves[s->leaf];
}

static const struct tdxsim_step *step_of(const struct an_result *r, const struct an_side *s)
{
	return &r->t->leaves[s->leaf].steps[s->step];
}

static const char *hold_words(enum tdxsim_hold h)
{
	switch (h) {
	case TDXSIM_HOLD_UNTIL_TD_EXIT: return "held until TD exit";
	case TDXSIM_HOLD_UNTIL_GUEST_ENTRY: return "held until guest entry";
	case TDXSIM_HOLD_LEAF: break;
	}
	return NULL;
}

/* "TDH.VP.ENTER exclusive [when zero_step_suspected; held until guest entry]" */
static void side_text(const struct an_result *r, const struct an_pair *pr, const struct an_side *s, char *buf,
		      size_t len)
{
	const struct tdxsim_step *st = step_of(r, s);
	const char *hold = hold_words(st->hold);
	char ann[160] = "";
	size_t n = 0;
	if (st->when[0] && s->conditional)
		n += (size_t)an_fmt(ann + n, sizeof(ann) - n, "when %s", st->when);
	if (hold && n < sizeof(ann))
		n += (size_t)an_fmt(ann + n, sizeof(ann) - n, "%s%s", n ? "; " : "", hold);
	if (pr->cross_role && s->res != pr->res && n < sizeof(ann))
		an_fmt(ann + n, sizeof(ann) - n, "%s%s page that may be the %s", n ? "; " : "", r->t->res[s->res].name,
			 r->t->res[pr->res].name);
	an_fmt(buf, len, "%s %s%s%s%s", leaf_of(r, s)->name, an_mode_name(s->mode), ann[0] ? " [" : "", ann,
		 ann[0] ? "]" : "");
}

void an_pair_line(const struct an_result *r, const struct an_pair *p, char *buf, size_t len)
{
	char a[256], b[256];
	side_text(r, p, &p->a, a, sizeof(a));
	side_text(r, p, &p->b, b, sizeof(b));
	an_fmt(buf, len, "%s: %s vs %s", r->t->res[p->res].name, a, b);
}

/* Append `s` to a "; "-separated list unless present. */
static void add_unique(char *buf, size_t len, const char *s)
{
	size_t sl = strlen(s);
	for (const char *p = buf; (p = strstr(p, s)); p += sl)
		if ((p == buf || (p >= buf + 2 && p[-2] == ';' && p[-1] == ' ')) && (p[sl] == 0 || p[sl] == ';'))
			return;
	size_t n = strlen(buf);
	an_fmt(buf + n, len - n, "%s%s", n ? "; " : "", s);
}

/* ---------------------------------------------------------------- text */

struct userlist {
	char names[64][TDXSIM_NAME_MAX + 48];
	unsigned n;
};

static void userlist_add(struct userlist *u, const char *s)
{
	for (unsigned i = 0; i < u->n; i++)
		if (!strcmp(u->names[i], s))
			return;
	if (u->n < 64)
		an_fmt(u->names[u->n++], sizeof(u->names[0]), "%s", s);
}

/* Is step s of leaf l taken by a usable context, and is it conditional in all of them? */
static bool step_used(const struct an_result *r, unsigned l, const struct tdxsim_step *s, bool *always)
{
	bool used = false;
	*always = false;
	for (unsigned i = 0; i < r->p->nctx; i++) {
		const struct tdxsim_context *c = &r->p->ctx[i];
		if (!r->ctx_ok[i] || strcmp(c->leaf, r->t->leaves[l].name))
			continue;
		int st = an_step_state(c, s);
		if (st == AN_ST_INACTIVE)
			continue;
		used = true;
		*always |= st == AN_ST_ALWAYS;
	}
	return used;
}

static void resource_users(const struct an_result *r, unsigned res, struct userlist *sh, struct userlist *ex)
{
	sh->n = ex->n = 0;
	for (unsigned l = 0; l < r->t->nleaves; l++) {
		if (!r->issued[l])
			continue;
		const struct tdxsim_leaf *lf = &r->t->leaves[l];
		for (unsigned k = 0; k < lf->nsteps; k++) {
			const struct tdxsim_step *s = &lf->steps[k];
			bool always;
			if (s->kind != TDXSIM_STEP_LOCK || s->res != (int)res || !step_used(r, l, s, &always))
				continue;
			enum tdxsim_mode m = s->mode;
			if (r->t->res[res].kind == TDXSIM_LK_MUTEX || r->t->res[res].kind == TDXSIM_LK_SEPT_ENTRY)
				m = TDXSIM_MODE_EXCLUSIVE;
			char buf[TDXSIM_NAME_MAX + 48];
			const char *hold = s->hold == TDXSIM_HOLD_UNTIL_TD_EXIT ? "until TD exit" :
					   s->hold == TDXSIM_HOLD_UNTIL_GUEST_ENTRY ? "until entry" : NULL;
			if (!always && hold)
				an_fmt(buf, sizeof(buf), "%s (%s, %s)", lf->name, s->when, hold);
			else if (!always)
				an_fmt(buf, sizeof(buf), "%s (%s)", lf->name, s->when);
			else if (hold)
				an_fmt(buf, sizeof(buf), "%s (%s)", lf->name, hold);
			else
				an_fmt(buf, sizeof(buf), "%s", lf->name);
			userlist_add(m == TDXSIM_MODE_EXCLUSIVE ? ex : sh, buf);
		}
	}
}

static void print_rule(FILE *out)
{
	for (int i = 0; i < 110; i++)
		fputc('-', out);
	fputc('\n', out);
}

static void ctx_policy(const struct an_result *r, int ci, char *buf, size_t len)
{
	const struct tdxsim_context *c = &r->p->ctx[ci];
	an_fmt(buf, len, "%s: %s", c->path, tdxsim_busy_policy_name(c->busy));
}

static void print_pair_residual(FILE *out, const struct an_result *r, const struct an_pair *pr)
{
	char phases[256] = "", pa[512] = "", pb[512] = "", tmp[200], st[64];
	for (unsigned k = 0; k < pr->ncp; k++) {
		const struct an_ctxpair *cp = &pr->cp[k];
		if (!cp->residual)
			continue;
		add_unique(phases, sizeof(phases), cp->phase);
		ctx_policy(r, cp->ca, tmp, sizeof(tmp));
		add_unique(pa, sizeof(pa), tmp);
		ctx_policy(r, cp->cb, tmp, sizeof(tmp));
		add_unique(pb, sizeof(pb), tmp);
	}
	char line[700];
	an_pair_line(r, pr, line, sizeof(line));
	fprintf(out, "%s\n", line);
	fprintf(out, "    %s; %s\n", an_scope_desc(pr->scope), phases);
	const struct an_side *sides[2] = { &pr->a, &pr->b };
	const char *pols[2] = { pa, pb };
	for (int i = 0; i < 2; i++) {
		/* Both sides of a self-pair are the same call: print it once. */
		if (i == 1 && pr->a.leaf == pr->b.leaf && pr->a.step == pr->b.step && !strcmp(pa, pb))
			break;
		fprintf(out, "    %s loses: %s 0x%016llX; %s\n", leaf_of(r, sides[i])->name,
			an_status_text(sides[i]->busy, st, sizeof(st)), (unsigned long long)sides[i]->busy, pols[i]);
	}
}

static void pair_reasons(const struct an_pair *pr, char *buf, size_t len)
{
	buf[0] = 0;
	for (unsigned k = 0; k < pr->ncp; k++)
		for (unsigned i = 0; i < pr->cp[k].nreasons; i++)
			add_unique(buf, len, pr->cp[k].reasons[i].text);
}

void tdxsim_analysis_print_text(FILE *out, const struct an_result *r)
{
	const struct tdxsim_table *t = r->t;
	unsigned nhost = 0, nguest = 0, nres = 0;
	for (unsigned l = 0; l < t->nleaves; l++) {
		if (!r->issued[l])
			continue;
		if (t->leaves[l].side == TDXSIM_SIDE_GUEST)
			nguest++;
		else
			nhost++;
	}
	for (unsigned i = 0; i < r->npairs; i++)
		nres += r->pairs[i].residual;
	fprintf(out, "module %s (%s)\nprofile %s (%s)\n", t->module, t->path ? t->path : "-", r->p->name,
		r->p->path ? r->p->path : "-");
	fprintf(out, "issued: %u SEAMCALL leaves, %u guest TDCALL leaves; %u conflicting pairs, %u residual, %u serialized\n",
		nhost, nguest, r->npairs, nres, r->npairs - nres);
	for (unsigned i = 0; i < r->nnotes; i++)
		fprintf(out, "note: %s\n", r->notes[i]);

	fprintf(out, "\n=== Resources & users ===\n\n");
	fprintf(out, "%-16s %-11s %-7s %-36s %s\n", "Resource", "Kind", "Scope", "SHARED users", "EXCLUSIVE users");
	print_rule(out);
	struct userlist *sh = malloc(sizeof(*sh)), *ex = malloc(sizeof(*ex));
	if (!sh || !ex) {
		free(sh);
		free(ex);
		return;
	}
	for (unsigned res = 0; res < t->nres; res++) {
		resource_users(r, res, sh, ex);
		if (!sh->n && !ex->n)
			continue;
		unsigned rows = sh->n > ex->n ? sh->n : ex->n;
		for (unsigned i = 0; i < rows; i++) {
			if (!i)
				fprintf(out, "%-16s %-11s %-7s ", t->res[res].name, an_kind_name(t->res[res].kind),
					an_scope_name(t->res[res].scope));
			else
				fprintf(out, "%-16s %-11s %-7s ", "", "", "");
			const char *e = i < ex->n ? ex->names[i] : "";
			if (*e)
				fprintf(out, "%-36s %s\n", i < sh->n ? sh->names[i] : "", e);
			else
				fprintf(out, "%s\n", i < sh->n ? sh->names[i] : "");
		}
		print_rule(out);
	}
	free(sh);
	free(ex);

	fprintf(out, "\n=== Residual contention: %u pairs ===\n", nres);
	int last = -1;
	for (unsigned i = 0; i < r->npairs; i++) {
		if (!r->pairs[i].residual)
			continue;
		if (r->pairs[i].res != last)
			fputc('\n', out);
		last = r->pairs[i].res;
		print_pair_residual(out, r, &r->pairs[i]);
	}

	fprintf(out, "\n=== Serialized pairs: %u ===\n\n", r->npairs - nres);
	char reasons[1024];
	for (unsigned i = 0; i < r->npairs; i++) {
		const struct an_pair *pr = &r->pairs[i];
		if (pr->residual)
			continue;
		char line[700];
		an_pair_line(r, pr, line, sizeof(line));
		pair_reasons(pr, reasons, sizeof(reasons));
		fprintf(out, "%s -- %s\n", line, reasons);
	}
}

/* ---------------------------------------------------------------- JSON */

static json_t *phases_json(unsigned mask)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < TDXSIM_PHASE__COUNT; i++)
		if (mask & TDXSIM_PHASE_BIT(i))
			json_array_append_new(a, json_string(tdxsim_phase_name((enum tdxsim_phase)i)));
	return a;
}

static json_t *status_json(tdx_status_t s)
{
	char hex[24], txt[64];
	an_fmt(hex, sizeof(hex), "0x%016llX", (unsigned long long)s);
	return json_pack("{s:s, s:s}", "value", hex, "text", an_status_text(s, txt, sizeof(txt)));
}

static json_t *side_json(const struct an_result *r, const struct an_side *s)
{
	const struct tdxsim_leaf *lf = leaf_of(r, s);
	const struct tdxsim_step *st = step_of(r, s);
	json_t *o = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:o}", "leaf", lf->name, "side",
			      an_side_name(lf->side), "step", s->step + 1, "line", (int)st->line, "resource",
			      r->t->res[s->res].name, "mode", an_mode_name(s->mode), "hold", an_hold_name(st->hold),
			      "loses_with", status_json(s->busy));
	json_object_set_new(o, "when", st->when[0] && s->conditional ? json_string(st->when) : json_null());
	return o;
}

static json_t *ctx_json(const struct an_result *r, int ci)
{
	const struct tdxsim_context *c = &r->p->ctx[ci];
	json_t *o = json_pack("{s:s, s:o, s:s, s:i}", "path", c->path, "phases", phases_json(c->phases), "busy",
			      tdxsim_busy_policy_name(c->busy), "line", (int)c->line);
	json_t *h = json_object();
	for (unsigned i = 0; i < c->nholds; i++)
		json_object_set_new(h, r->p->locks[c->holds[i].lock].name, json_string(tdxsim_vmode_name(c->holds[i].mode)));
	json_object_set_new(o, "holds", h);
	return o;
}

json_t *tdxsim_analysis_json(const struct an_result *r)
{
	const struct tdxsim_table *t = r->t;
	json_t *root = json_object();
	json_object_set_new(root, "schema", json_string("tdxsim.analyze/1"));
	json_object_set_new(root, "module", json_pack("{s:s, s:s?}", "name", t->module, "file", t->path));
	json_object_set_new(root, "profile", json_pack("{s:s, s:s?}", "name", r->p->name, "file", r->p->path));

	json_t *issued = json_array();
	for (unsigned l = 0; l < t->nleaves; l++)
		if (r->issued[l])
			json_array_append_new(issued, json_pack("{s:s, s:s}", "leaf", t->leaves[l].name, "side",
								an_side_name(t->leaves[l].side)));
	json_object_set_new(root, "issued", issued);

	json_t *resources = json_array();
	struct userlist *sh = malloc(sizeof(*sh)), *ex = malloc(sizeof(*ex));
	for (unsigned res = 0; sh && ex && res < t->nres; res++) {
		resource_users(r, res, sh, ex);
		if (!sh->n && !ex->n)
			continue;
		json_t *js = json_array(), *je = json_array();
		for (unsigned i = 0; i < sh->n; i++)
			json_array_append_new(js, json_string(sh->names[i]));
		for (unsigned i = 0; i < ex->n; i++)
			json_array_append_new(je, json_string(ex->names[i]));
		json_array_append_new(resources, json_pack("{s:s, s:s, s:s, s:o, s:o}", "name", t->res[res].name, "kind",
							   an_kind_name(t->res[res].kind), "scope",
							   an_scope_name(t->res[res].scope), "shared", js, "exclusive", je));
	}
	free(sh);
	free(ex);
	json_object_set_new(root, "resources", resources);

	json_t *pairs = json_array();
	unsigned nres = 0;
	for (unsigned i = 0; i < r->npairs; i++) {
		const struct an_pair *pr = &r->pairs[i];
		nres += pr->residual;
		json_t *cps = json_array();
		for (unsigned k = 0; k < pr->ncp; k++) {
			const struct an_ctxpair *cp = &pr->cp[k];
			json_t *rs = json_array();
			for (unsigned q = 0; q < cp->nreasons; q++)
				json_array_append_new(rs, json_pack("{s:s, s:s}", "kind", an_reason_kind_name(cp->reasons[q].kind),
								    "text", cp->reasons[q].text));
			json_array_append_new(cps, json_pack("{s:o, s:o, s:s, s:b, s:o}", "a", ctx_json(r, cp->ca), "b",
							     ctx_json(r, cp->cb), "overlap", cp->phase, "residual",
							     cp->residual, "reasons", rs));
		}
		json_array_append_new(pairs, json_pack("{s:s, s:s, s:b, s:s, s:o, s:o, s:o}", "resource",
						       t->res[pr->res].name, "scope", an_scope_name(pr->scope),
						       "cross_role", pr->cross_role, "verdict",
						       pr->residual ? "residual" : "serialized", "a", side_json(r, &pr->a),
						       "b", side_json(r, &pr->b), "contexts", cps));
	}
	json_object_set_new(root, "pairs", pairs);
	json_object_set_new(root, "summary", json_pack("{s:i, s:i, s:i}", "pairs", (int)r->npairs, "residual",
						       (int)nres, "serialized", (int)(r->npairs - nres)));
	json_t *notes = json_array();
	for (unsigned i = 0; i < r->nnotes; i++)
		json_array_append_new(notes, json_string(r->notes[i]));
	json_object_set_new(root, "notes", notes);
	return root;
}

/* ---------------------------------------------------------------- DOT */

static void dot_id(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

void tdxsim_analysis_print_dot(FILE *out, const struct an_result *r)
{
	const struct tdxsim_table *t = r->t;
	fprintf(out, "graph contention {\n");
	fprintf(out, "  label=");
	char label[160];
	an_fmt(label, sizeof(label), "%s under %s: solid = residual, dashed = serialized", t->module, r->p->name);
	dot_id(out, label);
	fprintf(out, ";\n  labelloc=t;\n  node [shape=box, fontname=\"monospace\"];\n  edge [fontname=\"monospace\", fontsize=10];\n");
	for (unsigned l = 0; l < t->nleaves; l++) {
		if (!r->issued[l])
			continue;
		fprintf(out, "  ");
		dot_id(out, t->leaves[l].name);
		fprintf(out, " [shape=%s];\n", t->leaves[l].side == TDXSIM_SIDE_GUEST ? "ellipse" : "box");
	}
	/* One edge per (leaf, leaf, resource, verdict). */
	for (unsigned i = 0; i < r->npairs; i++) {
		const struct an_pair *pr = &r->pairs[i];
		bool dup = false;
		for (unsigned j = 0; j < i && !dup; j++) {
			const struct an_pair *q = &r->pairs[j];
			dup = q->res == pr->res && q->residual == pr->residual && q->a.leaf == pr->a.leaf &&
			      q->b.leaf == pr->b.leaf;
		}
		if (dup)
			continue;
		fprintf(out, "  ");
		dot_id(out, t->leaves[pr->a.leaf].name);
		fprintf(out, " -- ");
		dot_id(out, t->leaves[pr->b.leaf].name);
		fprintf(out, " [label=");
		dot_id(out, t->res[pr->res].name);
		fprintf(out, ", style=%s%s];\n", pr->residual ? "solid, penwidth=2" : "dashed",
			pr->residual ? ", color=red" : ", color=gray");
	}
	fprintf(out, "}\n");
}
