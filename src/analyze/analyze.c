/* SPDX-License-Identifier: MIT */
/*
 * Static contention analysis: pairs of lock steps that can meet on one lock
 * instance in conflicting modes, and what (if anything) serializes them.
 * The rules are described in docs/analyze.md; the data model in table.h and
 * profile.h.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"

struct held {
	int res;
	enum tdxsim_mode mode;
	bool inherited; /* from the `inside` leaf's long holds (guest TDCALLs) */
};

#define HELD_MAX 64

struct an {
	const struct tdxsim_table *t;
	const struct tdxsim_profile *p;
	struct an_result *r;
	bool *distinct; /* per table resource */
	struct tdxsim_error *err;
};

static int find_leaf_idx(const struct tdxsim_table *t, const char *name)
{
	for (unsigned i = 0; i < t->nleaves; i++)
		if (!strcmp(t->leaves[i].name, name))
			return (int)i;
	return -1;
}

static int add_note(struct an_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int add_note(struct an_result *r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	char **n = realloc(r->notes, (r->nnotes + 1) * sizeof(*n));
	if (!n)
		return -1;
	r->notes = n;
	if (!(n[r->nnotes] = strdup(buf)))
		return -1;
	r->nnotes++;
	return 0;
}

static enum tdxsim_mode eff_mode(const struct tdxsim_table *t, const struct tdxsim_step *s)
{
	enum tdxsim_lock_kind k = t->res[s->res].kind;
	/* §1.1, §1.4: a mutex and a SEPT entry lock have no shared mode. */
	if (k == TDXSIM_LK_MUTEX || k == TDXSIM_LK_SEPT_ENTRY)
		return TDXSIM_MODE_EXCLUSIVE;
	return s->mode;
}

/* Is a step taken by calls from this context?  Version conditions (registry
 * version_0 / version_ge_1 / l2_pages_present) follow the context's version;
 * other conditions follow its assume: list, else they stay open. */
int an_step_state(const struct tdxsim_context *c, const struct tdxsim_step *s)
{
	if (!s->when[0])
		return AN_ST_ALWAYS;
	for (unsigned i = 0; i < c->nassume; i++)
		if (!strcmp(c->assume[i].name, s->when))
			return c->assume[i].value ? AN_ST_ALWAYS : AN_ST_INACTIVE;
	if (!strcmp(s->when, "version_0"))
		return c->version == 0 ? AN_ST_ALWAYS : AN_ST_INACTIVE;
	if (!strcmp(s->when, "version_ge_1"))
		return c->version >= 1 ? AN_ST_ALWAYS : AN_ST_INACTIVE;
	if (!strcmp(s->when, "l2_pages_present") && c->version == 0)
		return AN_ST_INACTIVE;
	return AN_ST_COND;
}

/* Does "the same P-instance" imply "the same S-instance"?  Two calls naming
 * one physical page need not be about one TD (a free page has no owner yet;
 * only the VMM's allocator keeps them apart: distinct_pages), so HPA implies
 * nothing but itself. */
static bool implies(enum tdxsim_scope P, enum tdxsim_scope S)
{
	switch (S) {
	case TDXSIM_SCOPE_GLOBAL:
		return true;
	case TDXSIM_SCOPE_PACKAGE:
	case TDXSIM_SCOPE_TDMR:
		return P == S;
	case TDXSIM_SCOPE_TD:
		return P == TDXSIM_SCOPE_TD || P == TDXSIM_SCOPE_VCPU || P == TDXSIM_SCOPE_GPA;
	case TDXSIM_SCOPE_VCPU:
	case TDXSIM_SCOPE_GPA:
		return P == S;
	case TDXSIM_SCOPE_HPA:
		/* Two page locks are the same page only if the pair is about that page. */
		return false;
	}
	return false;
}

static bool td_local(enum tdxsim_scope P)
{
	return implies(P, TDXSIM_SCOPE_TD);
}

static unsigned drop_held(struct held *h, unsigned n, int res)
{
	for (unsigned j = n; j-- > 0;)
		if (h[j].res == res && !h[j].inherited) {
			memmove(&h[j], &h[j + 1], (n - j - 1) * sizeof(*h));
			return n - 1;
		}
	return n;
}

/* Module locks a context holds when it reaches step `upto` of its leaf. */
static unsigned held_at(const struct an *A, const struct tdxsim_context *c, const struct tdxsim_leaf *lf,
			unsigned upto, struct held *h)
{
	unsigned n = 0;
	if (c->inside[0]) {
		int in = find_leaf_idx(A->t, c->inside);
		const struct tdxsim_leaf *il = in >= 0 ? &A->t->leaves[in] : NULL;
		for (unsigned i = 0; il && i < il->nsteps && n < HELD_MAX; i++) {
			const struct tdxsim_step *s = &il->steps[i];
			/* Only what stays held while the guest runs (§3 VP.ENTER, §9.5). */
			if (s->kind == TDXSIM_STEP_LOCK && !s->when[0] && s->hold == TDXSIM_HOLD_UNTIL_TD_EXIT)
				h[n++] = (struct held){ s->res, eff_mode(A->t, s), true };
		}
	}
	for (unsigned i = 0; i < upto && i < lf->nsteps; i++) {
		const struct tdxsim_step *s = &lf->steps[i];
		if (an_step_state(c, s) != AN_ST_ALWAYS)
			continue; /* a conditional lock proves nothing */
		if (s->kind == TDXSIM_STEP_LOCK && n < HELD_MAX) {
			h[n++] = (struct held){ s->res, eff_mode(A->t, s), false };
		} else if (s->kind == TDXSIM_STEP_RELEASE) {
			n = drop_held(h, n, s->res);
		} else if (s->kind == TDXSIM_STEP_BODY) {
			/* A commit store that also clears a lock word (AUG's PENDING write). */
			for (unsigned k = 0; k < 4; k++)
				if (s->releases[k] >= 0)
					n = drop_held(h, n, s->releases[k]);
		}
	}
	return n;
}

static const char *vmode_word(enum tdxsim_vmode m)
{
	return m == TDXSIM_VMODE_SHARED ? "shared" : m == TDXSIM_VMODE_ALL ? "all" : "exclusive";
}

/* Is the same VMM lock instance held by both, in conflicting modes, given that
 * the two calls meet on a P-scoped instance?  Appends one reason per lock. */
static unsigned vmm_serialized(const struct an *A, const struct tdxsim_context *ca,
			       const struct tdxsim_context *cb, enum tdxsim_scope P,
			       struct an_reason *out, unsigned max)
{
	unsigned n = 0;
	for (unsigned i = 0; i < ca->nholds; i++)
		for (unsigned j = 0; j < cb->nholds; j++) {
			if (ca->holds[i].lock != cb->holds[j].lock)
				continue;
			enum tdxsim_vmode ma = ca->holds[i].mode, mb = cb->holds[j].mode;
			if (ma == TDXSIM_VMODE_SHARED && mb == TDXSIM_VMODE_SHARED)
				continue;
			const struct tdxsim_vlock *lk = &A->p->locks[ca->holds[i].lock];
			bool same;
			const char *inst = "";
			switch (lk->scope) {
			case TDXSIM_SCOPE_GLOBAL:
				same = true;
				break;
			case TDXSIM_SCOPE_TD:
				same = implies(P, TDXSIM_SCOPE_TD);
				break;
			default:
				if (ma == TDXSIM_VMODE_ALL || mb == TDXSIM_VMODE_ALL) {
					same = implies(P, TDXSIM_SCOPE_TD);
					inst = lk->scope == TDXSIM_SCOPE_VCPU ? ", every vCPU's" : ", every instance";
				} else {
					same = P == lk->scope;
					inst = lk->scope == TDXSIM_SCOPE_VCPU ? ", same vCPU" : ", same GPA";
				}
				break;
			}
			if (!same)
				continue;
			if (n < max) {
				out[n].kind = AN_R_VMM_LOCK;
				out[n].lock = ca->holds[i].lock;
				an_fmt(out[n].text, sizeof(out[n].text), "%s (%s/%s%s)", lk->name, vmode_word(ma),
					 vmode_word(mb), inst);
				n++;
			}
		}
	return n;
}

static void phase_names(unsigned mask, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	if (mask == TDXSIM_PHASE_ANY) {
		an_fmt(buf, len, "any");
		return;
	}
	for (unsigned i = 0; i < TDXSIM_PHASE__COUNT; i++)
		if (mask & TDXSIM_PHASE_BIT(i)) {
			int w = an_fmt(buf + n, len - n, "%s%s", n ? "+" : "", tdxsim_phase_name((enum tdxsim_phase)i));
			if (w < 0 || (size_t)w >= len - n)
				return;
			n += (size_t)w;
		}
}

/* Can a build-phase context still be inside the module after the TD became
 * runnable?  Yes unless it and the finalize context share a VMM lock. */
static bool straddles(const struct an *A, int ci, struct an_reason *why)
{
	const struct tdxsim_profile *p = A->p;
	if (p->runtime_entry < 0 || ci == p->runtime_entry)
		return false;
	struct an_reason rs[AN_REASONS_MAX];
	unsigned n = vmm_serialized(A, &p->ctx[ci], &p->ctx[p->runtime_entry], TDXSIM_SCOPE_TD, rs, AN_REASONS_MAX);
	if (n && why)
		*why = rs[0];
	return n == 0;
}

#define BIT(ph) TDXSIM_PHASE_BIT(TDXSIM_PHASE_##ph)

static bool phase_overlap(const struct an *A, int ia, int ib, enum tdxsim_scope P, char *desc, size_t dlen,
			  struct an_reason *why)
{
	const struct tdxsim_context *a = &A->p->ctx[ia], *b = &A->p->ctx[ib];
	unsigned ma = a->phases, mb = b->phases;
	char na[48], nb[48];
	phase_names(ma, na, sizeof(na));
	phase_names(mb, nb, sizeof(nb));
	if (ma & mb) {
		phase_names(ma & mb, desc, dlen);
		return true;
	}
	why->kind = AN_R_PHASE;
	why->lock = -1;
	if (!td_local(P)) {
		/* Different TDs are in different phases at the same time; only module
		 * initialization precedes every TD. */
		if ((ma & ~BIT(INIT)) && (mb & ~BIT(INIT))) {
			an_fmt(desc, dlen, "%s/%s (different TDs)", na, nb);
			return true;
		}
		an_fmt(why->text, sizeof(why->text),
			 "phases %s/%s: module initialization completes before any TD exists", na, nb);
		an_fmt(desc, dlen, "%s/%s", na, nb);
		return false;
	}
	an_fmt(desc, dlen, "%s/%s", na, nb);
	if ((ma & BIT(INIT)) || (mb & BIT(INIT))) {
		an_fmt(why->text, sizeof(why->text),
		       "phases %s/%s: module initialization completes before any TD exists", na, nb);
		return false;
	}
	if ((ma & BIT(CREATE)) || (mb & BIT(CREATE))) {
		an_fmt(why->text, sizeof(why->text),
		       "phases %s/%s: TD creation completes before any vCPU or memory of the TD exists", na, nb);
		return false;
	}
	const struct tdxsim_context *e = A->p->runtime_entry >= 0 ? &A->p->ctx[A->p->runtime_entry] : NULL;
	int build_ctx = -1;
	if ((ma & BIT(BUILD)) && (mb & BIT(RUNTIME)))
		build_ctx = ia;
	else if ((mb & BIT(BUILD)) && (ma & BIT(RUNTIME)))
		build_ctx = ib;
	if (build_ctx >= 0) {
		struct an_reason lk;
		if (straddles(A, build_ctx, NULL)) {
			an_fmt(desc, dlen, "build->runtime (across %s)", e ? e->path : "finalize");
			return true;
		}
		if (!e)
			an_fmt(why->text, sizeof(why->text), "phases %s/%s: build ends before runtime starts", na, nb);
		else if (build_ctx == A->p->runtime_entry)
			an_fmt(why->text, sizeof(why->text),
				 "phases %s/%s: runtime starts when %s has finished", na, nb, e->path);
		else {
			straddles(A, build_ctx, &lk);
			an_fmt(why->text, sizeof(why->text),
				 "phases %s/%s: %s cannot be in flight across %s (both hold %s)", na, nb,
				 A->p->ctx[build_ctx].path, e->path, A->p->locks[lk.lock].name);
		}
		return false;
	}
	if ((ma & BIT(TEARDOWN)) || (mb & BIT(TEARDOWN)))
		an_fmt(why->text, sizeof(why->text),
			 "phases %s/%s: teardown starts after the last reference to the VM is dropped", na, nb);
	else
		an_fmt(why->text, sizeof(why->text), "phases %s/%s never overlap", na, nb);
	return false;
}

static void eval_ctxpair(const struct an *A, const struct an_pair *pr, struct an_ctxpair *cp)
{
	const struct tdxsim_context *ca = &A->p->ctx[cp->ca], *cb = &A->p->ctx[cp->cb];
	const struct tdxsim_leaf *la = &A->t->leaves[pr->a.leaf], *lb = &A->t->leaves[pr->b.leaf];
	cp->nreasons = 0;

	/* 1. The module's own earlier locks make the meeting impossible. */
	struct held ha[HELD_MAX], hb[HELD_MAX];
	unsigned na = held_at(A, ca, la, (unsigned)pr->a.step, ha);
	unsigned nb = held_at(A, cb, lb, (unsigned)pr->b.step, hb);
	for (unsigned i = 0; i < na; i++)
		for (unsigned j = 0; j < nb && cp->nreasons < AN_REASONS_MAX; j++) {
			if (ha[i].res != hb[j].res)
				continue;
			if (ha[i].mode == TDXSIM_MODE_SHARED && hb[j].mode == TDXSIM_MODE_SHARED)
				continue;
			const struct tdxsim_resource *rs = &A->t->res[ha[i].res];
			if (!implies(pr->scope, rs->scope))
				continue;
			bool dup = false;
			for (unsigned k = 0; k < cp->nreasons; k++)
				dup |= cp->reasons[k].kind == AN_R_MODULE_LOCK && cp->reasons[k].lock == ha[i].res;
			if (dup)
				continue;
			struct an_reason *r = &cp->reasons[cp->nreasons++];
			r->kind = AN_R_MODULE_LOCK;
			r->lock = ha[i].res;
			const char *via = ha[i].inherited ? ca->inside : hb[j].inherited ? cb->inside : NULL;
			an_fmt(r->text, sizeof(r->text), "module lock %s held first (%s/%s%s%s%s)", rs->name,
				 an_mode_name(ha[i].mode), an_mode_name(hb[j].mode), via ? ", " : "", via ? via : "",
				 via ? " holds it until TD exit" : "");
		}

	/* 2. Phases. */
	struct an_reason why;
	if (!phase_overlap(A, cp->ca, cp->cb, pr->scope, cp->phase, sizeof(cp->phase), &why) &&
	    cp->nreasons < AN_REASONS_MAX)
		cp->reasons[cp->nreasons++] = why;

	/* 3. VMM locks. */
	cp->nreasons += vmm_serialized(A, ca, cb, pr->scope, cp->reasons + cp->nreasons,
				       AN_REASONS_MAX - cp->nreasons);

	/* 4. The allocator. */
	if (pr->scope == TDXSIM_SCOPE_HPA && A->distinct[pr->a.res] && A->distinct[pr->b.res] &&
	    cp->nreasons < AN_REASONS_MAX) {
		struct an_reason *r = &cp->reasons[cp->nreasons++];
		r->kind = AN_R_DISTINCT_PAGES;
		r->lock = pr->res;
		if (pr->a.res == pr->b.res)
			an_fmt(r->text, sizeof(r->text), "distinct pages: the VMM never passes one %s page to two calls at once",
				 A->t->res[pr->a.res].name);
		else
			an_fmt(r->text, sizeof(r->text), "distinct pages: a %s page is never a %s page of a concurrent call",
				 A->t->res[pr->a.res].name, A->t->res[pr->b.res].name);
	}
	cp->residual = cp->nreasons == 0;
}

/* What a side gets when its lock attempt fails (reference §1.5, §2.4). */
static tdx_status_t loser_status(const struct tdxsim_table *t, const struct tdxsim_step *s)
{
	const struct tdxsim_resource *r = &t->res[s->res];
	switch (r->busy) {
	case TDXSIM_BUSY_REGISTER:
		if (s->busy_operand >= 0)
			return tdx_status_with_operand(TDX_OPERAND_BUSY, (uint32_t)s->busy_operand);
		if (s->reg >= 0)
			return tdx_status_with_operand(TDX_OPERAND_BUSY, (uint32_t)s->reg);
		return tdx_status_with_operand(TDX_OPERAND_BUSY, r->busy_operand);
	case TDXSIM_BUSY_OPERAND:
		return tdx_status_with_operand(TDX_OPERAND_BUSY,
					       s->busy_operand >= 0 ? (uint32_t)s->busy_operand : r->busy_operand);
	case TDXSIM_BUSY_STATUS:
		return r->busy_status;
	}
	return TDX_OPERAND_BUSY;
}

static bool also_has(const struct tdxsim_step *s, int res)
{
	for (unsigned i = 0; i < 4 && s->also[i] >= 0; i++)
		if (s->also[i] == res)
			return true;
	return false;
}

struct user {
	int leaf, step;
};

static int side_key_cmp(const struct an *A, const struct an_side *x, const struct an_side *y)
{
	if (x->mode != y->mode)
		return x->mode == TDXSIM_MODE_EXCLUSIVE ? -1 : 1;
	enum tdxsim_side sx = A->t->leaves[x->leaf].side, sy = A->t->leaves[y->leaf].side;
	if (sx != sy)
		return sx == TDXSIM_SIDE_HOST ? -1 : 1;
	int c = strcmp(A->t->leaves[x->leaf].name, A->t->leaves[y->leaf].name);
	if (c)
		return c;
	return x->step - y->step;
}

static int add_pair(struct an *A, struct user ua, struct user ub)
{
	const struct tdxsim_table *t = A->t;
	const struct tdxsim_step *sa = &t->leaves[ua.leaf].steps[ua.step];
	const struct tdxsim_step *sb = &t->leaves[ub.leaf].steps[ub.step];
	struct an_pair pr;
	memset(&pr, 0, sizeof(pr));
	if (sa->res == sb->res) {
		pr.res = sa->res;
		pr.scope = t->res[sa->res].scope;
	} else if (t->res[sa->res].backing == TDXSIM_BACK_PAMT && t->res[sb->res].backing == TDXSIM_BACK_PAMT &&
		   (also_has(sa, sb->res) || also_has(sb, sa->res))) {
		/* One page in two roles (e.g. RECLAIM's page that may be a TDR): they
		 * meet on the instance of the role, e.g. the TD's TDR. */
		pr.res = also_has(sa, sb->res) ? sb->res : sa->res;
		pr.scope = t->res[pr.res].scope;
		pr.cross_role = true;
	} else {
		return 0;
	}
	pr.a = (struct an_side){ ua.leaf, ua.step, sa->res, eff_mode(t, sa), false, loser_status(t, sa) };
	pr.b = (struct an_side){ ub.leaf, ub.step, sb->res, eff_mode(t, sb), false, loser_status(t, sb) };
	if (pr.a.mode == TDXSIM_MODE_SHARED && pr.b.mode == TDXSIM_MODE_SHARED)
		return 0;
	bool swapped = side_key_cmp(A, &pr.a, &pr.b) > 0;
	if (swapped) {
		struct an_side tmp = pr.a;
		pr.a = pr.b;
		pr.b = tmp;
	}
	const struct tdxsim_step *s1 = &t->leaves[pr.a.leaf].steps[pr.a.step];
	const struct tdxsim_step *s2 = &t->leaves[pr.b.leaf].steps[pr.b.step];
	bool same_user = ua.leaf == ub.leaf && ua.step == ub.step;

	const struct tdxsim_profile *p = A->p;
	for (unsigned i = 0; i < p->nctx; i++) {
		if (!A->r->ctx_ok[i] || strcmp(p->ctx[i].leaf, t->leaves[pr.a.leaf].name))
			continue;
		int st1 = an_step_state(&p->ctx[i], s1);
		if (st1 == AN_ST_INACTIVE)
			continue;
		for (unsigned j = same_user ? i : 0; j < p->nctx; j++) {
			if (!A->r->ctx_ok[j] || strcmp(p->ctx[j].leaf, t->leaves[pr.b.leaf].name))
				continue;
			int st2 = an_step_state(&p->ctx[j], s2);
			if (st2 == AN_ST_INACTIVE)
				continue;
			struct an_ctxpair *ncp = realloc(pr.cp, (pr.ncp + 1) * sizeof(*ncp));
			if (!ncp) {
				free(pr.cp);
				return -1;
			}
			pr.cp = ncp;
			struct an_ctxpair *cp = &pr.cp[pr.ncp++];
			memset(cp, 0, sizeof(*cp));
			cp->ca = (int)i;
			cp->cb = (int)j;
			pr.a.conditional |= st1 == AN_ST_COND;
			pr.b.conditional |= st2 == AN_ST_COND;
		}
	}
	if (!pr.ncp)
		return 0;
	for (unsigned k = 0; k < pr.ncp; k++) {
		eval_ctxpair(A, &pr, &pr.cp[k]);
		pr.residual |= pr.cp[k].residual;
	}
	struct an_pair *np = realloc(A->r->pairs, (A->r->npairs + 1) * sizeof(*np));
	if (!np) {
		free(pr.cp);
		return -1;
	}
	A->r->pairs = np;
	np[A->r->npairs++] = pr;
	return 0;
}

static const struct an *sort_ctx;

static int pair_cmp(const void *x, const void *y)
{
	const struct an_pair *a = x, *b = y;
	if (a->res != b->res)
		return a->res - b->res;
	int c = side_key_cmp(sort_ctx, &a->a, &b->a);
	if (c)
		return c;
	return side_key_cmp(sort_ctx, &a->b, &b->b);
}

void tdxsim_analysis_free(struct an_result *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < r->npairs; i++)
		free(r->pairs[i].cp);
	for (unsigned i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->notes);
	free(r->pairs);
	free(r->issued);
	free(r->ctx_ok);
	free(r);
}

struct an_result *tdxsim_analyze(const struct tdxsim_table *t, const struct tdxsim_profile *p,
				 struct tdxsim_error *err)
{
	if (tdxsim_profile_check(p, t, err))
		return NULL;
	struct an A = { .t = t, .p = p, .err = err };
	struct an_result *r = calloc(1, sizeof(*r));
	struct user *users = NULL;
	if (!r)
		goto oom;
	A.r = r;
	r->t = t;
	r->p = p;
	r->issued = calloc(t->nleaves ? t->nleaves : 1, sizeof(bool));
	r->ctx_ok = calloc(p->nctx ? p->nctx : 1, sizeof(bool));
	A.distinct = calloc(t->nres ? t->nres : 1, sizeof(bool));
	if (!r->issued || !r->ctx_ok || !A.distinct)
		goto oom;
	for (unsigned i = 0; i < p->ndistinct; i++)
		for (unsigned j = 0; j < t->nres; j++)
			if (!strcmp(t->res[j].name, p->distinct_pages[i].name))
				A.distinct[j] = true;

	for (unsigned i = 0; i < p->nctx; i++) {
		const struct tdxsim_context *c = &p->ctx[i];
		int li = find_leaf_idx(t, c->leaf);
		const struct tdxsim_leaf *lf = &t->leaves[li];
		if (c->version > lf->max_version) {
			/* §3: the dispatcher rejects it before any lock is taken. */
			if (add_note(r, "%s (%s): the VMM issues version %u, module %s accepts up to %u: "
					"TDX_OPERAND_INVALID|RAX before any lock; context ignored", c->leaf, c->path, c->version,
				     t->module, lf->max_version))
				goto oom;
			continue;
		}
		r->ctx_ok[i] = true;
		r->issued[li] = true;
	}

	unsigned nusers = 0;
	for (unsigned l = 0; l < t->nleaves; l++) {
		if (!r->issued[l])
			continue;
		for (unsigned s = 0; s < t->leaves[l].nsteps; s++)
			if (t->leaves[l].steps[s].kind == TDXSIM_STEP_LOCK) {
				struct user *nu = realloc(users, (nusers + 1) * sizeof(*nu));
				if (!nu)
					goto oom;
				users = nu;
				users[nusers++] = (struct user){ (int)l, (int)s };
			}
	}
	for (unsigned i = 0; i < nusers; i++)
		for (unsigned j = i; j < nusers; j++)
			if (add_pair(&A, users[i], users[j]))
				goto oom;
	sort_ctx = &A;
	qsort(r->pairs, r->npairs, sizeof(*r->pairs), pair_cmp);
	sort_ctx = NULL;
	free(users);
	free(A.distinct);
	return r;
oom:
	tdxsim_error_set(err, p->path, 0, "out of memory");
	free(users);
	free(A.distinct);
	tdxsim_analysis_free(r);
	return NULL;
}
