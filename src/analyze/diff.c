/* SPDX-License-Identifier: MIT */
/*
 * Differences between two module lock tables (docs/diff.md): resources and
 * leaves added/removed/changed, per-leaf step alignment (added, removed,
 * changed attributes, moved), and the contention pairs that differ when both
 * are analyzed under the same VMM profile.
 */
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"

/* ------------------------------------------------------------ describing steps */

static const char *res_name(const struct tdxsim_table *t, int r)
{
	return r >= 0 && (unsigned)r < t->nres ? t->res[r].name : "-";
}

static void operand_text(int op, char *buf, size_t len)
{
	const char *n = op >= 0 ? tdx_operand_name((uint32_t)op) : NULL;
	if (op < 0)
		an_fmt(buf, len, "-");
	else if (n)
		an_fmt(buf, len, "%s", n);
	else
		an_fmt(buf, len, "%d", op);
}

static void pt_mask_text(uint32_t m, char *buf, size_t len)
{
	static const char *const names[] = { "PT_NDA", "PT_RSVD", "PT_2", "PT_REG", "PT_TDR",
					     "PT_TDCX", "PT_TDVPR", "PT_7", "PT_EPT" };
	size_t n = 0;
	buf[0] = 0;
	if (!m) {
		an_fmt(buf, len, "-");
		return;
	}
	for (unsigned i = 0; i < 32 && n < len; i++)
		if (m & (1u << i)) {
			int w = i < 9 ? an_fmt(buf + n, len - n, "%s%s", n ? "," : "", names[i])
				      : an_fmt(buf + n, len - n, "%sPT_%u", n ? "," : "", i);
			if (w < 0)
				return;
			n += (size_t)w;
		}
}

static void res_list_text(const struct tdxsim_table *t, const int *v, unsigned n, char *buf, size_t len)
{
	size_t k = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < n && v[i] >= 0 && k < len; i++) {
		int w = an_fmt(buf + k, len - k, "%s%s", k ? "," : "", res_name(t, v[i]));
		if (w < 0)
			return;
		k += (size_t)w;
	}
	if (!k)
		an_fmt(buf, len, "-");
}

static void args_text(const struct tdxsim_step *s, char *buf, size_t len)
{
	size_t k = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < s->nargs && k < len; i++) {
		int w = an_fmt(buf + k, len - k, "%s%s", i ? "," : "", s->args[i] ? s->args[i] : "");
		if (w < 0)
			return;
		k += (size_t)w;
	}
	if (!k)
		an_fmt(buf, len, "-");
}

/* The attributes of a step that the diff compares, as (name, printed value). */
#define ATTR_MAX 16
struct attrs {
	unsigned n;
	const char *name[ATTR_MAX];
	char val[ATTR_MAX][96];
};

static void put(struct attrs *a, const char *name, const char *val)
{
	if (a->n < ATTR_MAX) {
		a->name[a->n] = name;
		an_fmt(a->val[a->n++], sizeof(a->val[0]), "%s", val);
	}
}

static void step_attrs(const struct tdxsim_table *t, const struct tdxsim_step *s, struct attrs *a)
{
	char b[96];
	a->n = 0;
	bool lockish = s->kind == TDXSIM_STEP_LOCK || s->kind == TDXSIM_STEP_RELEASE;
	if (s->kind == TDXSIM_STEP_LOCK) {
		enum tdxsim_lock_kind k = t->res[s->res].kind;
		put(a, "mode", k == TDXSIM_LK_MUTEX || k == TDXSIM_LK_SEPT_ENTRY ? "exclusive" : an_mode_name(s->mode));
	}
	operand_text(s->reg, b, sizeof(b));
	put(a, "reg", b);
	if (lockish && t->res[s->res].backing == TDXSIM_BACK_PAMT) {
		put(a, "via", an_via_name(s->via));
		if (s->kind == TDXSIM_STEP_LOCK) {
			put(a, "size", an_psize_name(s->size));
			pt_mask_text(s->expect_pt, b, sizeof(b));
			put(a, "expect_pt", b);
			put(a, "free_range", s->free_range ? "true" : "false");
			res_list_text(t, s->also, 4, b, sizeof(b));
			put(a, "also", b);
		}
	}
	if (s->kind == TDXSIM_STEP_LOCK) {
		put(a, "hold", an_hold_name(s->hold));
		operand_text(s->busy_operand, b, sizeof(b));
		put(a, "busy_operand", b);
	}
	if (!lockish) {
		args_text(s, b, sizeof(b));
		put(a, "args", b);
	}
	if (s->kind == TDXSIM_STEP_BODY) {
		res_list_text(t, s->releases, 4, b, sizeof(b));
		put(a, "releases", b);
		put(a, "undo", s->undo[0] ? s->undo : "-");
	}
	an_fmt(b, sizeof(b), "%d", s->vm);
	put(a, "vm", b);
	put(a, "when", s->when[0] ? s->when : "(always)");
}

/* "lock TDR exclusive (via tdvpr_owner, busy_operand TDR, when version_ge_1)" */
static void step_text(const struct tdxsim_table *t, const struct tdxsim_step *s, char *buf, size_t len)
{
	struct attrs a;
	step_attrs(t, s, &a);
	bool lockish = s->kind == TDXSIM_STEP_LOCK || s->kind == TDXSIM_STEP_RELEASE;
	size_t n = (size_t)an_fmt(buf, len, "%s %s", an_step_kind_name(s->kind), lockish ? res_name(t, s->res) : s->fn);
	bool open = false;
	for (unsigned i = 0; i < a.n && n < len; i++) {
		const char *nm = a.name[i], *v = a.val[i];
		if (!strcmp(nm, "mode")) {
			n += (size_t)an_fmt(buf + n, len - n, " %s", v);
			continue;
		}
		/* Only non-default attributes. */
		if (!strcmp(v, "-") || !strcmp(v, "false") || !strcmp(v, "(always)") || !strcmp(v, "leaf") ||
		    (!strcmp(nm, "vm") && !strcmp(v, "0")) || (!strcmp(nm, "via") && !strcmp(v, "reg")) ||
		    (!strcmp(nm, "size") && !strcmp(v, "4k")))
			continue;
		n += (size_t)an_fmt(buf + n, len - n, "%s%s %s", open ? ", " : " (", nm, v);
		open = true;
	}
	if (open && n < len)
		an_fmt(buf + n, len - n, ")");
}

/* Steps are aligned on (kind, resource or function, vm); attributes may differ. */
static bool loose_eq(const struct tdxsim_table *ta, const struct tdxsim_step *a, const struct tdxsim_table *tb,
		     const struct tdxsim_step *b)
{
	if (a->kind != b->kind || a->vm != b->vm)
		return false;
	if (a->kind == TDXSIM_STEP_LOCK || a->kind == TDXSIM_STEP_RELEASE)
		return !strcmp(res_name(ta, a->res), res_name(tb, b->res));
	return !strcmp(a->fn, b->fn);
}

static unsigned similarity(const struct tdxsim_table *ta, const struct tdxsim_step *a, const struct tdxsim_table *tb,
			   const struct tdxsim_step *b)
{
	struct attrs x, y;
	step_attrs(ta, a, &x);
	step_attrs(tb, b, &y);
	unsigned same = 0;
	for (unsigned i = 0; i < x.n && i < y.n; i++)
		same += !strcmp(x.val[i], y.val[i]);
	return same;
}

enum sd_op { SD_ADDED, SD_REMOVED, SD_CHANGED, SD_MOVED };

struct sdiff {
	enum sd_op op;
	int ia, ib; /* step indices, -1 if absent */
	struct attrs before, after; /* for SD_CHANGED: only the differing attributes */
};

struct ldiff {
	const struct tdxsim_leaf *la, *lb;
	struct attrs fa, fb; /* differing leaf fields */
	struct sdiff *steps;
	unsigned nsteps;
};

static int push_sd(struct ldiff *d, struct sdiff sd)
{
	struct sdiff *n = realloc(d->steps, (d->nsteps + 1) * sizeof(*n));
	if (!n)
		return -1;
	d->steps = n;
	n[d->nsteps++] = sd;
	return 0;
}

/* Align the step lists: maximum total similarity over order-preserving matches. */
static int align_steps(const struct tdxsim_table *ta, const struct tdxsim_table *tb, struct ldiff *d)
{
	const struct tdxsim_leaf *la = d->la, *lb = d->lb;
	unsigned n = la->nsteps, m = lb->nsteps;
	long *S = calloc((size_t)(n + 1) * (m + 1), sizeof(long));
	if (!S)
		return -1;
#define AT(i, j) S[(size_t)(i) * (m + 1) + (j)]
	for (unsigned i = n; i-- > 0;)
		for (unsigned j = m; j-- > 0;) {
			long best = AT(i + 1, j) > AT(i, j + 1) ? AT(i + 1, j) : AT(i, j + 1);
			if (loose_eq(ta, &la->steps[i], tb, &lb->steps[j])) {
				long v = 1000 + (long)similarity(ta, &la->steps[i], tb, &lb->steps[j]) + AT(i + 1, j + 1);
				if (v > best)
					best = v;
			}
			AT(i, j) = best;
		}
	unsigned i = 0, j = 0;
	int rc = 0;
	while (!rc && (i < n || j < m)) {
		if (i < n && j < m && loose_eq(ta, &la->steps[i], tb, &lb->steps[j]) &&
		    AT(i, j) == 1000 + (long)similarity(ta, &la->steps[i], tb, &lb->steps[j]) + AT(i + 1, j + 1)) {
			struct attrs x, y;
			step_attrs(ta, &la->steps[i], &x);
			step_attrs(tb, &lb->steps[j], &y);
			struct sdiff sd = { SD_CHANGED, (int)i, (int)j, { 0 }, { 0 } };
			for (unsigned k = 0; k < x.n && k < y.n; k++)
				if (strcmp(x.val[k], y.val[k])) {
					put(&sd.before, x.name[k], x.val[k]);
					put(&sd.after, y.name[k], y.val[k]);
				}
			if (sd.before.n)
				rc = push_sd(d, sd);
			i++;
			j++;
		} else if (i < n && (j == m || AT(i + 1, j) >= AT(i, j + 1))) {
			rc = push_sd(d, (struct sdiff){ SD_REMOVED, (int)i, -1, { 0 }, { 0 } });
			i++;
		} else {
			rc = push_sd(d, (struct sdiff){ SD_ADDED, -1, (int)j, { 0 }, { 0 } });
			j++;
		}
	}
#undef AT
	free(S);
	/* A removed and an added step that are identical: the step moved. */
	for (unsigned p = 0; !rc && p < d->nsteps; p++) {
		if (d->steps[p].op != SD_REMOVED)
			continue;
		char ta_[256], tb_[256];
		step_text(ta, &la->steps[d->steps[p].ia], ta_, sizeof(ta_));
		for (unsigned q = 0; q < d->nsteps; q++) {
			if (d->steps[q].op != SD_ADDED)
				continue;
			step_text(tb, &lb->steps[d->steps[q].ib], tb_, sizeof(tb_));
			if (!strcmp(ta_, tb_)) {
				d->steps[p].op = SD_MOVED;
				d->steps[p].ib = d->steps[q].ib;
				memmove(&d->steps[q], &d->steps[q + 1], (d->nsteps - q - 1) * sizeof(d->steps[0]));
				d->nsteps--;
				if (q < p)
					p--;
				break;
			}
		}
	}
	return rc;
}

static void leaf_fields(const struct tdxsim_leaf *l, struct attrs *a)
{
	char b[96];
	a->n = 0;
	an_fmt(b, sizeof(b), "%u", l->number);
	put(a, "leaf", b);
	put(a, "side", an_side_name(l->side));
	an_fmt(b, sizeof(b), "%u", l->max_version);
	put(a, "max_version", b);
	an_op_states_text(l->op_states, b, sizeof(b));
	put(a, "op_states", b);
}

static void res_fields(const struct tdxsim_resource *r, struct attrs *a)
{
	char b[96];
	a->n = 0;
	put(a, "kind", an_kind_name(r->kind));
	put(a, "scope", an_scope_name(r->scope));
	put(a, "backing", r->backing == TDXSIM_BACK_PAMT ? "pamt" : r->backing == TDXSIM_BACK_SEPT_ENTRY ? "sept_entry" : "field");
	put(a, "field", r->backing == TDXSIM_BACK_FIELD ? tdxsim_lock_field_name(r->field) : "-");
	if (r->busy == TDXSIM_BUSY_REGISTER)
		put(a, "busy", "register");
	else if (r->busy == TDXSIM_BUSY_OPERAND) {
		char o[48];
		operand_text((int)r->busy_operand, o, sizeof(o));
		an_fmt(b, sizeof(b), "operand %s", o);
		put(a, "busy", b);
	} else {
		char st[64];
		an_fmt(b, sizeof(b), "status %s", an_status_text(r->busy_status, st, sizeof(st)));
		put(a, "busy", b);
	}
}

static const struct tdxsim_leaf *find_leaf(const struct tdxsim_table *t, const char *name)
{
	for (unsigned i = 0; i < t->nleaves; i++)
		if (!strcmp(t->leaves[i].name, name))
			return &t->leaves[i];
	return NULL;
}

static const struct tdxsim_resource *find_res(const struct tdxsim_table *t, const char *name)
{
	for (unsigned i = 0; i < t->nres; i++)
		if (!strcmp(t->res[i].name, name))
			return &t->res[i];
	return NULL;
}

/* Leaves present in both with any difference, in B's order. */
static struct ldiff *leaf_diffs(const struct tdxsim_table *a, const struct tdxsim_table *b, unsigned *count)
{
	struct ldiff *out = NULL;
	unsigned n = 0;
	for (unsigned i = 0; i < b->nleaves; i++) {
		const struct tdxsim_leaf *lb = &b->leaves[i], *la = find_leaf(a, lb->name);
		if (!la)
			continue;
		struct ldiff d;
		memset(&d, 0, sizeof(d));
		d.la = la;
		d.lb = lb;
		struct attrs x, y;
		leaf_fields(la, &x);
		leaf_fields(lb, &y);
		for (unsigned k = 0; k < x.n; k++)
			if (strcmp(x.val[k], y.val[k])) {
				put(&d.fa, x.name[k], x.val[k]);
				put(&d.fb, y.name[k], y.val[k]);
			}
		if (align_steps(a, b, &d)) {
			free(d.steps);
			break;
		}
		if (!d.fa.n && !d.nsteps)
			continue;
		struct ldiff *no = realloc(out, (n + 1) * sizeof(*no));
		if (!no) {
			free(d.steps);
			break;
		}
		out = no;
		out[n++] = d;
	}
	*count = n;
	return out;
}

static void free_ldiffs(struct ldiff *d, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(d[i].steps);
	free(d);
}

/* ------------------------------------------------------------ contention pairs */

/* A pair's identity across tables: resource and both sides' leaf, mode, condition, hold. */
static void pair_key(const struct an_result *r, const struct an_pair *p, char *buf, size_t len)
{
	const struct tdxsim_table *t = r->t;
	const struct tdxsim_step *sa = &t->leaves[p->a.leaf].steps[p->a.step];
	const struct tdxsim_step *sb = &t->leaves[p->b.leaf].steps[p->b.step];
	an_fmt(buf, len, "%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%d", t->res[p->res].name, t->leaves[p->a.leaf].name,
	       t->res[p->a.res].name, an_mode_name(p->a.mode), sa->when, an_hold_name(sa->hold),
	       t->leaves[p->b.leaf].name, t->res[p->b.res].name, an_mode_name(p->b.mode), sb->when,
	       an_hold_name(sb->hold), p->cross_role);
}

static const struct an_pair *find_pair_by_key(const struct an_result *r, const char *key)
{
	char k[512];
	for (unsigned i = 0; i < r->npairs; i++) {
		pair_key(r, &r->pairs[i], k, sizeof(k));
		if (!strcmp(k, key))
			return &r->pairs[i];
	}
	return NULL;
}

static unsigned count_residual(const struct an_result *r)
{
	unsigned n = 0;
	for (unsigned i = 0; i < r->npairs; i++)
		n += r->pairs[i].residual;
	return n;
}

enum pd_op { PD_ADDED, PD_REMOVED, PD_CHANGED };

/* Calls fn for every pair difference: added/removed (with verdict) or verdict changed. */
static void pair_diffs(const struct an_result *ra, const struct an_result *rb,
		       void (*fn)(void *ctx, enum pd_op op, const struct an_result *r, const struct an_pair *p,
				  const struct an_pair *other),
		       void *ctx)
{
	char k[512];
	for (unsigned i = 0; i < ra->npairs; i++) {
		pair_key(ra, &ra->pairs[i], k, sizeof(k));
		const struct an_pair *q = find_pair_by_key(rb, k);
		if (!q)
			fn(ctx, PD_REMOVED, ra, &ra->pairs[i], NULL);
	}
	for (unsigned i = 0; i < rb->npairs; i++) {
		pair_key(rb, &rb->pairs[i], k, sizeof(k));
		const struct an_pair *q = find_pair_by_key(ra, k);
		if (!q)
			fn(ctx, PD_ADDED, rb, &rb->pairs[i], NULL);
		else if (q->residual != rb->pairs[i].residual)
			fn(ctx, PD_CHANGED, rb, &rb->pairs[i], q);
	}
}

/* ------------------------------------------------------------ text */

static void attrs_changes_text(const struct attrs *x, const struct attrs *y, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	for (unsigned k = 0; k < x->n && n < len; k++) {
		int w = an_fmt(buf + n, len - n, "%s%s: %s -> %s", k ? "; " : "", x->name[k], x->val[k], y->val[k]);
		if (w < 0)
			return;
		n += (size_t)w;
	}
}

struct text_ctx {
	FILE *out;
	unsigned n;
};

static void text_pair(void *vctx, enum pd_op op, const struct an_result *r, const struct an_pair *p,
		      const struct an_pair *other)
{
	struct text_ctx *c = vctx;
	char line[700];
	an_pair_line(r, p, line, sizeof(line));
	c->n++;
	if (op == PD_CHANGED)
		fprintf(c->out, "  ~ %s: %s -> %s\n", line, other->residual ? "residual" : "serialized",
			p->residual ? "residual" : "serialized");
	else
		fprintf(c->out, "  %c %s %s\n", op == PD_ADDED ? '+' : '-', p->residual ? "residual" : "serialized", line);
}

void tdxsim_diff_print_text(FILE *out, const struct tdxsim_table *a, const struct tdxsim_table *b,
			    const struct an_result *ra, const struct an_result *rb)
{
	fprintf(out, "A: %s (%s)\nB: %s (%s)\n", a->module, a->path ? a->path : "-", b->module,
		b->path ? b->path : "-");

	fprintf(out, "\n=== Resources ===\n");
	unsigned nd = 0;
	for (unsigned i = 0; i < b->nres; i++)
		if (!find_res(a, b->res[i].name)) {
			fprintf(out, "+ %s\n", b->res[i].name);
			nd++;
		}
	for (unsigned i = 0; i < a->nres; i++) {
		const struct tdxsim_resource *rb_ = find_res(b, a->res[i].name);
		if (!rb_) {
			fprintf(out, "- %s\n", a->res[i].name);
			nd++;
			continue;
		}
		struct attrs x, y, dx = { 0 }, dy = { 0 };
		res_fields(&a->res[i], &x);
		res_fields(rb_, &y);
		for (unsigned k = 0; k < x.n; k++)
			if (strcmp(x.val[k], y.val[k])) {
				put(&dx, x.name[k], x.val[k]);
				put(&dy, y.name[k], y.val[k]);
			}
		if (dx.n) {
			char buf[512];
			attrs_changes_text(&dx, &dy, buf, sizeof(buf));
			fprintf(out, "~ %s: %s\n", a->res[i].name, buf);
			nd++;
		}
	}
	if (!nd)
		fprintf(out, "(no differences)\n");

	fprintf(out, "\n=== Leaves ===\n");
	nd = 0;
	for (unsigned i = 0; i < b->nleaves; i++)
		if (!find_leaf(a, b->leaves[i].name)) {
			fprintf(out, "+ %s (leaf %u, %s)\n", b->leaves[i].name, b->leaves[i].number,
				an_side_name(b->leaves[i].side));
			nd++;
		}
	for (unsigned i = 0; i < a->nleaves; i++)
		if (!find_leaf(b, a->leaves[i].name)) {
			fprintf(out, "- %s (leaf %u, %s)\n", a->leaves[i].name, a->leaves[i].number,
				an_side_name(a->leaves[i].side));
			nd++;
		}
	unsigned nl;
	struct ldiff *ld = leaf_diffs(a, b, &nl);
	for (unsigned i = 0; i < nl; i++) {
		const struct ldiff *d = &ld[i];
		fprintf(out, "%s (leaf %u):\n", d->lb->name, d->lb->number);
		for (unsigned k = 0; k < d->fa.n; k++)
			fprintf(out, "  %s: %s -> %s\n", d->fa.name[k], d->fa.val[k], d->fb.val[k]);
		for (unsigned k = 0; k < d->nsteps; k++) {
			const struct sdiff *s = &d->steps[k];
			char t[256], ch[512];
			switch (s->op) {
			case SD_ADDED:
				step_text(b, &d->lb->steps[s->ib], t, sizeof(t));
				fprintf(out, "  + step %d: %s\n", s->ib + 1, t);
				break;
			case SD_REMOVED:
				step_text(a, &d->la->steps[s->ia], t, sizeof(t));
				fprintf(out, "  - step %d: %s\n", s->ia + 1, t);
				break;
			case SD_MOVED:
				step_text(b, &d->lb->steps[s->ib], t, sizeof(t));
				fprintf(out, "  > step %d -> %d: %s\n", s->ia + 1, s->ib + 1, t);
				break;
			case SD_CHANGED:
				step_text(b, &d->lb->steps[s->ib], t, sizeof(t));
				attrs_changes_text(&s->before, &s->after, ch, sizeof(ch));
				if (s->ia != s->ib)
					fprintf(out, "  ~ step %d (was %d): %s: %s\n", s->ib + 1, s->ia + 1, t, ch);
				else
					fprintf(out, "  ~ step %d: %s: %s\n", s->ib + 1, t, ch);
				break;
			}
		}
		nd++;
	}
	free_ldiffs(ld, nl);
	if (!nd)
		fprintf(out, "(no differences)\n");

	if (!ra || !rb)
		return;
	unsigned resa = count_residual(ra), resb = count_residual(rb);
	fprintf(out, "\n=== Contention pairs under %s ===\n", ra->p->name);
	fprintf(out, "A: %u pairs, %u residual, %u serialized\nB: %u pairs, %u residual, %u serialized\n",
		ra->npairs, resa, ra->npairs - resa, rb->npairs, resb, rb->npairs - resb);
	for (unsigned i = 0; i < ra->nnotes; i++)
		fprintf(out, "note (A): %s\n", ra->notes[i]);
	for (unsigned i = 0; i < rb->nnotes; i++)
		fprintf(out, "note (B): %s\n", rb->notes[i]);
	struct text_ctx c = { out, 0 };
	pair_diffs(ra, rb, text_pair, &c);
	if (!c.n)
		fprintf(out, "(no differences)\n");
}

/* ------------------------------------------------------------ JSON */

static json_t *attrs_json(const struct attrs *x, const struct attrs *y)
{
	json_t *arr = json_array();
	for (unsigned k = 0; k < x->n; k++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "field", x->name[k], "a", x->val[k], "b",
						     y->val[k]));
	return arr;
}

struct json_ctx {
	json_t *added, *removed, *changed;
};

static void json_pair(void *vctx, enum pd_op op, const struct an_result *r, const struct an_pair *p,
		      const struct an_pair *other)
{
	struct json_ctx *c = vctx;
	char line[700];
	an_pair_line(r, p, line, sizeof(line));
	const struct tdxsim_table *t = r->t;
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "pair", line, "resource", t->res[p->res].name,
			      "a", t->leaves[p->a.leaf].name, "a_mode", an_mode_name(p->a.mode), "b",
			      t->leaves[p->b.leaf].name, "b_mode", an_mode_name(p->b.mode), "verdict",
			      p->residual ? "residual" : "serialized");
	if (op == PD_CHANGED) {
		json_object_set_new(o, "verdict_a", json_string(other->residual ? "residual" : "serialized"));
		json_array_append_new(c->changed, o);
	} else {
		json_array_append_new(op == PD_ADDED ? c->added : c->removed, o);
	}
}

json_t *tdxsim_diff_json(const struct tdxsim_table *a, const struct tdxsim_table *b,
			 const struct an_result *ra, const struct an_result *rb)
{
	json_t *root = json_object();
	json_object_set_new(root, "schema", json_string("tdxsim.diff/1"));
	json_object_set_new(root, "a", json_pack("{s:s, s:s?}", "module", a->module, "file", a->path));
	json_object_set_new(root, "b", json_pack("{s:s, s:s?}", "module", b->module, "file", b->path));

	json_t *ra_ = json_array(), *rr = json_array(), *rc = json_array();
	for (unsigned i = 0; i < b->nres; i++)
		if (!find_res(a, b->res[i].name))
			json_array_append_new(ra_, json_string(b->res[i].name));
	for (unsigned i = 0; i < a->nres; i++) {
		const struct tdxsim_resource *rb_ = find_res(b, a->res[i].name);
		if (!rb_) {
			json_array_append_new(rr, json_string(a->res[i].name));
			continue;
		}
		struct attrs x, y, dx = { 0 }, dy = { 0 };
		res_fields(&a->res[i], &x);
		res_fields(rb_, &y);
		for (unsigned k = 0; k < x.n; k++)
			if (strcmp(x.val[k], y.val[k])) {
				put(&dx, x.name[k], x.val[k]);
				put(&dy, y.name[k], y.val[k]);
			}
		if (dx.n)
			json_array_append_new(rc, json_pack("{s:s, s:o}", "name", a->res[i].name, "fields",
							    attrs_json(&dx, &dy)));
	}
	json_object_set_new(root, "resources", json_pack("{s:o, s:o, s:o}", "added", ra_, "removed", rr, "changed", rc));

	json_t *la = json_array(), *lr = json_array(), *lc = json_array();
	for (unsigned i = 0; i < b->nleaves; i++)
		if (!find_leaf(a, b->leaves[i].name))
			json_array_append_new(la, json_string(b->leaves[i].name));
	for (unsigned i = 0; i < a->nleaves; i++)
		if (!find_leaf(b, a->leaves[i].name))
			json_array_append_new(lr, json_string(a->leaves[i].name));
	unsigned nl;
	struct ldiff *ld = leaf_diffs(a, b, &nl);
	static const char *const ops[] = { "added", "removed", "changed", "moved" };
	for (unsigned i = 0; i < nl; i++) {
		const struct ldiff *d = &ld[i];
		json_t *steps = json_array();
		for (unsigned k = 0; k < d->nsteps; k++) {
			const struct sdiff *s = &d->steps[k];
			char t[256];
			if (s->op == SD_REMOVED)
				step_text(a, &d->la->steps[s->ia], t, sizeof(t));
			else
				step_text(b, &d->lb->steps[s->ib], t, sizeof(t));
			json_t *o = json_pack("{s:s, s:s}", "op", ops[s->op], "step", t);
			json_object_set_new(o, "a_index", s->ia >= 0 ? json_integer(s->ia + 1) : json_null());
			json_object_set_new(o, "b_index", s->ib >= 0 ? json_integer(s->ib + 1) : json_null());
			json_object_set_new(o, "a_line", s->ia >= 0 ? json_integer(d->la->steps[s->ia].line) : json_null());
			json_object_set_new(o, "b_line", s->ib >= 0 ? json_integer(d->lb->steps[s->ib].line) : json_null());
			if (s->op == SD_CHANGED)
				json_object_set_new(o, "fields", attrs_json(&s->before, &s->after));
			json_array_append_new(steps, o);
		}
		json_array_append_new(lc, json_pack("{s:s, s:o, s:o}", "leaf", d->lb->name, "fields",
						    attrs_json(&d->fa, &d->fb), "steps", steps));
	}
	free_ldiffs(ld, nl);
	json_object_set_new(root, "leaves", json_pack("{s:o, s:o, s:o}", "added", la, "removed", lr, "changed", lc));

	if (ra && rb) {
		struct json_ctx c = { json_array(), json_array(), json_array() };
		pair_diffs(ra, rb, json_pair, &c);
		json_t *na = json_array(), *nb = json_array();
		for (unsigned i = 0; i < ra->nnotes; i++)
			json_array_append_new(na, json_string(ra->notes[i]));
		for (unsigned i = 0; i < rb->nnotes; i++)
			json_array_append_new(nb, json_string(rb->notes[i]));
		unsigned resa = count_residual(ra), resb = count_residual(rb);
		json_object_set_new(root, "pairs",
				    json_pack("{s:s, s:{s:i, s:i, s:o}, s:{s:i, s:i, s:o}, s:o, s:o, s:o}", "profile",
					      ra->p->name, "a", "pairs", (int)ra->npairs, "residual", (int)resa, "notes", na,
					      "b", "pairs", (int)rb->npairs, "residual", (int)resb, "notes", nb, "added",
					      c.added, "removed", c.removed, "changed", c.changed));
	}
	return root;
}
