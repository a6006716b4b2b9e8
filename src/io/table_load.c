/* SPDX-License-Identifier: MIT */
/*
 * Lock-table loader and validator (format: docs/lock-table.md).
 * libyaml builds the document; we walk its nodes into struct tdxsim_table and
 * stop at the first error with "file:line: message".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/yaml_util.h"
#include "module/registry.h"
#include "tdxsim/status.h"
#include "tdxsim/table.h"

struct ld {
	struct yu y;
	struct tdxsim_table *t;
	char ctx[TDXSIM_NAME_MAX + 32]; /* "leaf TDH.MEM.PAGE.AUG: " */
};

static const char *const top_keys[] = { "module", "resources", "leaves", NULL };
static const char *const res_keys[] = { "kind", "scope", "backing", "field", "busy", "doc", NULL };
static const char *const leaf_keys[] = { "leaf", "side", "max_version", "op_states", "doc",
					 "steps", NULL };
static const char *const lock_keys[] = { "res", "reg", "mode", "via", "size", "expect_pt",
					 "free_range", "hold", "busy_operand", "also", "when", "vm",
					 NULL };
static const char *const release_keys[] = { "res", "reg", "via", "vm", "when", NULL };
static const char *const named_keys[] = { "name", "args", "reg", "when", NULL };
static const char *const body_keys[] = { "name", "args", "reg", "when", "undo", "releases", NULL };

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static int oom(struct ld *l, const yaml_node_t *n)
{
	return yu_fail(&l->y, n, "out of memory");
}

static int copy_name(struct ld *l, const yaml_node_t *n, char *dst, const char *what)
{
	const char *s = yu_str(n);
	if (!s || !*s)
		return yu_fail(&l->y, n, "%s%s name must be a non-empty string", l->ctx, what);
	if (strlen(s) >= TDXSIM_NAME_MAX)
		return yu_fail(&l->y, n, "%s%s name '%s' longer than %d characters", l->ctx, what, s,
			       TDXSIM_NAME_MAX - 1);
	strcpy(dst, s);
	return 0;
}

/* A general-purpose register name (RAX..R15) -> operand ID. */
static int parse_reg(struct ld *l, const yaml_node_t *n, int *out)
{
	const char *s = yu_str(n);
	int id = s ? tdxsim_registry_arg_value(TDXSIM_ARG_OPERAND, s) : -1;
	if (id < 0 || id > OPERAND_ID_R15)
		return yu_fail(&l->y, n, "%sunknown register '%s' (expected RAX, RCX, RDX, RBX, RBP, "
			       "RSI, RDI, R8..R15)", l->ctx, s ? s : "");
	*out = id;
	return 0;
}

static int parse_operand(struct ld *l, const yaml_node_t *n, int *out)
{
	const char *s = yu_str(n);
	int id = s ? tdxsim_registry_arg_value(TDXSIM_ARG_OPERAND, s) : -1;
	if (id < 0)
		return yu_fail(&l->y, n, "%sunknown operand '%s' (expected an OPERAND_ID_ name "
			       "without the prefix, e.g. RCX, TDR, SEPT_TREE)", l->ctx, s ? s : "");
	*out = id;
	return 0;
}

/* ---------------------------------------------------------------- resources */

static int parse_busy(struct ld *l, const yaml_node_t *n, struct tdxsim_resource *r)
{
	const char *s = yu_str(n);
	if (s && !strcmp(s, "register")) {
		r->busy = TDXSIM_BUSY_REGISTER;
		return 0;
	}
	if (s && !strncmp(s, "operand ", 8)) {
		const char *name = s + 8;
		int id = tdxsim_registry_arg_value(TDXSIM_ARG_OPERAND, name);
		if (id < 0)
			return yu_fail(&l->y, n, "%sunknown operand '%s' in busy:", l->ctx, name);
		r->busy = TDXSIM_BUSY_OPERAND;
		r->busy_operand = (uint32_t)id;
		return 0;
	}
	if (s && !strncmp(s, "status ", 7)) {
		const char *name = s + 7;
		const struct tdx_status_info *st = tdx_status_by_name(name);
		if (!st || strcmp(st->name, name))
			return yu_fail(&l->y, n, "%sunknown status '%s' in busy:", l->ctx, name);
		r->busy = TDXSIM_BUSY_STATUS;
		r->busy_status = st->value;
		return 0;
	}
	return yu_fail(&l->y, n, "%sbad busy: '%s' (expected register, operand NAME or status NAME)",
		       l->ctx, s ? s : "");
}

#define ENUM_FIELD(l, map, key, parse, expect, dst, required)                              \
	do {                                                                               \
		yaml_node_t *n_ = required ? yu_need(&(l)->y, map, key, (l)->ctx)           \
					   : yu_get(&(l)->y, map, key);                     \
		if (!n_ && required)                                                       \
			return -1;                                                         \
		if (n_) {                                                                  \
			const char *s_ = yu_str(n_);                                       \
			int v_ = s_ ? parse(s_) : -1;                                      \
			if (v_ < 0)                                                        \
				return yu_fail(&(l)->y, n_, "%sunknown %s '%s' (expected %s)", \
					       (l)->ctx, key, s_ ? s_ : "", expect);       \
			dst = v_;                                                          \
		}                                                                          \
	} while (0)

static int parse_resource(struct ld *l, yaml_node_t *key, yaml_node_t *val,
			  struct tdxsim_resource *r)
{
	struct yu *y = &l->y;
	if (copy_name(l, key, r->name, "resource") < 0)
		return -1;
	r->line = yu_line(key);
	snprintf(l->ctx, sizeof(l->ctx), "resource %s: ", r->name);
	if (!yu_is_map(val))
		return yu_fail(y, val, "%sexpected a mapping of resource fields", l->ctx);
	if (yu_check_keys(y, val, res_keys, l->ctx, "") < 0)
		return -1;
	int kind = 0, scope = 0, backing = 0, field = TDXSIM_FIELD_NONE;
	ENUM_FIELD(l, val, "kind", tdxsim_lock_kind_by_name, "mutex, sharex, sharex_hp, sept_entry",
		   kind, 1);
	ENUM_FIELD(l, val, "scope", tdxsim_scope_by_name, "global, package, tdmr, td, vcpu, gpa, hpa",
		   scope, 1);
	ENUM_FIELD(l, val, "backing", tdxsim_backing_by_name, "pamt, sept_entry, field", backing, 1);
	ENUM_FIELD(l, val, "field", tdxsim_lock_field_by_name,
		   "tdcs.op_state_lock, tdcs.secure_ept_lock, tdcs.epoch_lock, tdcs.rtmr_lock, "
		   "tdcs.servtd_bindings_lock, tdcs.mig_lock, kot.lock, global_lock, "
		   "wbt.entry_lock, tdmr.lock",
		   field, 0);
	r->kind = (enum tdxsim_lock_kind)kind;
	r->scope = (enum tdxsim_scope)scope;
	r->backing = (enum tdxsim_backing)backing;
	r->field = (enum tdxsim_lock_field)field;
	yaml_node_t *busy = yu_need(y, val, "busy", l->ctx);
	if (!busy || parse_busy(l, busy, r) < 0)
		return -1;
	yaml_node_t *doc = yu_get(y, val, "doc");
	if (doc) {
		const char *s;
		if (yu_scalar(y, doc, l->ctx, "doc", &s) < 0)
			return -1;
		if (!(r->doc = xstrdup(s)))
			return oom(l, doc);
	}

	yaml_node_t *kn = yu_get(y, val, "kind"), *bn = yu_get(y, val, "backing");
	if (r->kind == TDXSIM_LK_SEPT_ENTRY && r->backing != TDXSIM_BACK_SEPT_ENTRY)
		return yu_fail(y, kn, "%skind sept_entry needs backing: sept_entry", l->ctx);
	if (r->backing == TDXSIM_BACK_SEPT_ENTRY && r->kind != TDXSIM_LK_SEPT_ENTRY)
		return yu_fail(y, bn, "%sbacking sept_entry needs kind: sept_entry", l->ctx);
	if (r->backing == TDXSIM_BACK_PAMT && r->kind != TDXSIM_LK_SHAREX_HP)
		return yu_fail(y, kn, "%sbacking pamt needs kind: sharex_hp (PAMT entry locks, §1.3)",
			       l->ctx);
	if (r->backing == TDXSIM_BACK_FIELD && r->field == TDXSIM_FIELD_NONE)
		return yu_fail(y, val, "%sbacking field needs field:", l->ctx);
	if (r->backing != TDXSIM_BACK_FIELD && r->field != TDXSIM_FIELD_NONE)
		return yu_fail(y, yu_get(y, val, "field"), "%sfield: only with backing: field", l->ctx);
	return 0;
}

/* -------------------------------------------------------------------- steps */

static bool is_pamt(const struct tdxsim_table *t, int res)
{
	return t->res[res].backing == TDXSIM_BACK_PAMT;
}

static int find_res_node(struct ld *l, const yaml_node_t *n, int *out)
{
	const char *s = yu_str(n);
	int r = s ? tdxsim_table_find_res(l->t, s) : -1;
	if (r < 0)
		return yu_fail(&l->y, n, "%sunknown resource '%s'", l->ctx, s ? s : "");
	*out = r;
	return 0;
}

static int parse_when(struct ld *l, const yaml_node_t *map, struct tdxsim_step *st)
{
	yaml_node_t *w = yu_get(&l->y, map, "when");
	if (!w)
		return 0;
	const char *s = yu_str(w);
	int id = s ? tdxsim_registry_lookup(s) : -1;
	const struct tdxsim_fn_info *f = tdxsim_registry_get(id);
	if (!f)
		return yu_fail(&l->y, w, "%sunknown condition '%s'", l->ctx, s ? s : "");
	if (f->kind != TDXSIM_FK_COND)
		return yu_fail(&l->y, w, "%s'%s' is a %s, not a condition", l->ctx, s,
			       tdxsim_fn_kind_name(f->kind));
	strcpy(st->when, s);
	st->when_id = id;
	return 0;
}

static int parse_vm(struct ld *l, const yaml_node_t *map, struct tdxsim_step *st, bool *given)
{
	yaml_node_t *v = yu_get(&l->y, map, "vm");
	*given = v != NULL;
	if (!v)
		return 0;
	unsigned long x;
	if (yu_uint(&l->y, v, l->ctx, "vm", 3, &x) < 0)
		return -1;
	st->vm = (int)x;
	return 0;
}

/* Locks currently held while validating one leaf's steps (indices of lock steps). */
struct held {
	int step[256];
	unsigned n;
};

static bool same_instance(const struct tdxsim_step *a, const struct tdxsim_step *b)
{
	return a->res == b->res && a->reg == b->reg && a->vm == b->vm &&
	       (a->kind != TDXSIM_STEP_LOCK || b->kind != TDXSIM_STEP_LOCK || a->via == b->via);
}

static int parse_lock(struct ld *l, yaml_node_t *v, struct tdxsim_leaf *lf, struct tdxsim_step *st,
		      struct held *h)
{
	struct yu *y = &l->y;
	struct tdxsim_table *t = l->t;
	if (!yu_is_map(v))
		return yu_fail(y, v, "%slock step must be a mapping {res: ...}", l->ctx);
	if (yu_check_keys(y, v, lock_keys, l->ctx, "lock step") < 0)
		return -1;
	yaml_node_t *rn = yu_need(y, v, "res", l->ctx);
	if (!rn || find_res_node(l, rn, &st->res) < 0)
		return -1;
	const struct tdxsim_resource *r = &t->res[st->res];
	bool pamt = is_pamt(t, st->res);

	yaml_node_t *n;
	if ((n = yu_get(y, v, "reg")) && parse_reg(l, n, &st->reg) < 0)
		return -1;

	/* mode */
	n = yu_get(y, v, "mode");
	if (n) {
		const char *s = yu_str(n);
		int m = s ? tdxsim_mode_by_name(s) : -1;
		if (m < 0)
			return yu_fail(y, n, "%sunknown mode '%s' (expected sh, ex)", l->ctx, s ? s : "");
		st->mode = (enum tdxsim_mode)m;
		if (m == TDXSIM_MODE_SHARED &&
		    (r->kind == TDXSIM_LK_MUTEX || r->kind == TDXSIM_LK_SEPT_ENTRY))
			return yu_fail(y, n, "%smode sh on %s resource %s (only ex exists)", l->ctx,
				       tdxsim_lock_kind_name(r->kind), r->name);
	} else if (r->kind == TDXSIM_LK_SHAREX || r->kind == TDXSIM_LK_SHAREX_HP) {
		return yu_fail(y, v, "%slock of %s needs mode: (sh or ex)", l->ctx, r->name);
	} else {
		st->mode = TDXSIM_MODE_EXCLUSIVE;
	}

	/* PAMT-only fields */
	static const char *const pamt_only[] = { "via", "size", "expect_pt", "free_range", "also", NULL };
	for (const char *const *k = pamt_only; *k; k++)
		if (!pamt && (n = yu_get(y, v, *k)))
			return yu_fail(y, n, "%s%s: only on PAMT-backed resources (%s is backed by %s)",
				       l->ctx, *k, r->name, tdxsim_backing_name(r->backing));
	if (pamt) {
		if ((n = yu_get(y, v, "via"))) {
			const char *s = yu_str(n);
			int vv = s ? tdxsim_via_by_name(s) : -1;
			if (vv < 0)
				return yu_fail(y, n, "%sunknown via '%s' (expected reg, tdvpr_owner, "
					       "page_owner, sept_leaf, sept_child)", l->ctx, s ? s : "");
			st->via = (enum tdxsim_via)vv;
		} else if (st->reg >= 0) {
			st->via = TDXSIM_VIA_REG;
		} else {
			return yu_fail(y, v, "%slock of PAMT resource %s needs reg: or via:", l->ctx,
				       r->name);
		}
		if (st->via == TDXSIM_VIA_REG && st->reg < 0)
			return yu_fail(y, yu_get(y, v, "via"), "%svia: reg needs reg:", l->ctx);
		if (st->via != TDXSIM_VIA_REG && st->reg >= 0)
			return yu_fail(y, yu_get(y, v, "reg"),
				       "%svia: %s takes no reg: (the page is found through another "
				       "structure)", l->ctx, tdxsim_via_name(st->via));
		st->size = TDXSIM_PSIZE_4K;
		if ((n = yu_get(y, v, "size"))) {
			const char *s = yu_str(n);
			int sz = s ? tdxsim_pamt_size_by_name(s) : -1;
			if (sz < 0)
				return yu_fail(y, n, "%sunknown size '%s' (expected 4k, 2m, 1g, "
					       "from_level, existing)", l->ctx, s ? s : "");
			st->size = (enum tdxsim_pamt_size)sz;
		}
		if ((n = yu_get(y, v, "expect_pt"))) {
			const char *pts[8];
			const yaml_node_t *nodes[8];
			unsigned cnt;
			if (yu_scalar_list(y, n, l->ctx, "expect_pt", pts, nodes, 8, &cnt) < 0)
				return -1;
			if (cnt == 0)
				return yu_fail(y, n, "%sexpect_pt: must list at least one page type", l->ctx);
			if (st->via != TDXSIM_VIA_REG)
				return yu_fail(y, n, "%sexpect_pt: only with via: reg (implicit PAMT locks "
					       "do not check the page type, §1.6)", l->ctx);
			for (unsigned i = 0; i < cnt; i++) {
				int pt = tdxsim_page_type_by_name(pts[i]);
				if (pt < 0)
					return yu_fail(y, nodes[i], "%sunknown page type '%s' (expected "
						       "PT_NDA, PT_RSVD, PT_REG, PT_TDR, PT_TDCX, "
						       "PT_TDVPR, PT_EPT)", l->ctx, pts[i]);
				if (st->expect_pt & TDXSIM_PT_MASK(pt))
					return yu_fail(y, nodes[i], "%spage type %s given twice", l->ctx,
						       pts[i]);
				st->expect_pt |= TDXSIM_PT_MASK(pt);
			}
		}
		if ((n = yu_get(y, v, "free_range"))) {
			if (yu_bool(y, n, l->ctx, "free_range", &st->free_range) < 0)
				return -1;
			if (st->free_range &&
			    (st->via != TDXSIM_VIA_REG ||
			     (st->size != TDXSIM_PSIZE_FROM_LEVEL && st->size != TDXSIM_PSIZE_2M)))
				return yu_fail(y, n, "%sfree_range: needs via: reg and size: from_level "
					       "or 2m", l->ctx);
		}
		if ((n = yu_get(y, v, "also"))) {
			const char *names[8];
			const yaml_node_t *nodes[8];
			unsigned cnt;
			if (yu_scalar_list(y, n, l->ctx, "also", names, nodes, 4, &cnt) < 0)
				return -1;
			for (unsigned i = 0; i < cnt; i++) {
				int a = tdxsim_table_find_res(t, names[i]);
				if (a < 0)
					return yu_fail(y, nodes[i], "%sunknown resource '%s'", l->ctx,
						       names[i]);
				if (!is_pamt(t, a))
					return yu_fail(y, nodes[i], "%salso: %s is not PAMT-backed",
						       l->ctx, names[i]);
				if (a == st->res)
					return yu_fail(y, nodes[i], "%salso: names the locked resource %s "
						       "itself", l->ctx, names[i]);
				for (unsigned j = 0; j < i; j++)
					if (st->also[j] == a)
						return yu_fail(y, nodes[i], "%salso: %s given twice",
							       l->ctx, names[i]);
				st->also[i] = a;
			}
		}
		if (lf->side == TDXSIM_SIDE_GUEST && st->mode == TDXSIM_MODE_EXCLUSIVE)
			return yu_fail(y, yu_get(y, v, "mode"), "%sa guest leaf may not take a PAMT "
				       "lock exclusive (§1.6)", l->ctx);
	}

	if ((n = yu_get(y, v, "hold"))) {
		const char *s = yu_str(n);
		int hd = s ? tdxsim_hold_by_name(s) : -1;
		if (hd < 0)
			return yu_fail(y, n, "%sunknown hold '%s' (expected leaf, until_td_exit, "
				       "until_guest_entry)", l->ctx, s ? s : "");
		st->hold = (enum tdxsim_hold)hd;
		if (hd != TDXSIM_HOLD_LEAF && lf->side != TDXSIM_SIDE_HOST)
			return yu_fail(y, n, "%shold: %s outside a host leaf", l->ctx, s);
	}
	if ((n = yu_get(y, v, "busy_operand")) && parse_operand(l, n, &st->busy_operand) < 0)
		return -1;
	if (r->busy == TDXSIM_BUSY_REGISTER && st->reg < 0 && st->busy_operand < 0)
		return yu_fail(y, v, "%s%s reports busy by register: give reg: or busy_operand:",
			       l->ctx, r->name);
	if (parse_when(l, v, st) < 0)
		return -1;
	bool vm_given;
	if (parse_vm(l, v, st, &vm_given) < 0)
		return -1;

	/* The same instance twice without a release, unless under opposite conditions. */
	for (unsigned i = 0; i < h->n; i++) {
		const struct tdxsim_step *o = &lf->steps[h->step[i]];
		if (!same_instance(o, st))
			continue;
		if (o->when_id >= 0 && st->when_id >= 0 &&
		    tdxsim_registry_opposite(o->when_id) == st->when_id)
			continue;
		return yu_fail(y, rn, "%slock %s taken twice without release (first at line %u)",
			       l->ctx, r->name, o->line);
	}
	if (h->n == sizeof(h->step) / sizeof(h->step[0]))
		return yu_fail(y, v, "%stoo many locks held", l->ctx);
	h->step[h->n++] = (int)(st - lf->steps);
	return 0;
}

/* Remove held locks matching (res, and reg/via/vm when given); returns the last
 * matching lock step index, or -1. */
static int release_held(struct tdxsim_leaf *lf, struct held *h, int res, int reg, int via, int vm)
{
	int found = -1;
	unsigned k = 0;
	for (unsigned i = 0; i < h->n; i++) {
		const struct tdxsim_step *o = &lf->steps[h->step[i]];
		bool match = o->res == res && (reg < 0 || o->reg == reg) &&
			     (via < 0 || (int)o->via == via) && (vm < 0 || o->vm == vm);
		if (match)
			found = h->step[i];
		else
			h->step[k++] = h->step[i];
	}
	h->n = k;
	return found;
}

static int parse_release(struct ld *l, yaml_node_t *v, struct tdxsim_leaf *lf,
			 struct tdxsim_step *st, struct held *h)
{
	struct yu *y = &l->y;
	yaml_node_t *rn;
	int reg = -1, via = -1, vm = -1;
	if (yu_is_scalar(v)) {
		rn = v;
	} else if (yu_is_map(v)) {
		if (yu_check_keys(y, v, release_keys, l->ctx, "release step") < 0)
			return -1;
		if (!(rn = yu_need(y, v, "res", l->ctx)))
			return -1;
		yaml_node_t *n;
		if ((n = yu_get(y, v, "reg")) && parse_reg(l, n, &reg) < 0)
			return -1;
		if ((n = yu_get(y, v, "via"))) {
			const char *s = yu_str(n);
			via = s ? tdxsim_via_by_name(s) : -1;
			if (via < 0)
				return yu_fail(y, n, "%sunknown via '%s' (expected reg, tdvpr_owner, "
					       "page_owner, sept_leaf, sept_child)", l->ctx, s ? s : "");
		}
		bool vm_given;
		if (parse_vm(l, v, st, &vm_given) < 0)
			return -1;
		if (vm_given)
			vm = st->vm;
		if (parse_when(l, v, st) < 0)
			return -1;
	} else {
		return yu_fail(y, v, "%srelease step must name a resource", l->ctx);
	}
	if (find_res_node(l, rn, &st->res) < 0)
		return -1;
	int lk = release_held(lf, h, st->res, reg, via, vm);
	if (lk < 0)
		return yu_fail(y, rn, "%srelease of %s, which is not locked earlier in this leaf",
			       l->ctx, l->t->res[st->res].name);
	const struct tdxsim_step *o = &lf->steps[lk];
	if (o->hold != TDXSIM_HOLD_LEAF)
		return yu_fail(y, rn, "%srelease of %s, which is held %s (line %u)", l->ctx,
			       l->t->res[st->res].name, tdxsim_hold_name(o->hold), o->line);
	st->reg = o->reg;
	st->via = o->via;
	st->vm = o->vm;
	st->mode = o->mode;
	st->size = o->size;
	return 0;
}

static int parse_named(struct ld *l, yaml_node_t *v, enum tdxsim_step_kind kind,
		       struct tdxsim_leaf *lf, struct tdxsim_step *st, struct held *h)
{
	struct yu *y = &l->y;
	static const enum tdxsim_fn_kind fk[] = {
		[TDXSIM_STEP_CHECK] = TDXSIM_FK_CHECK, [TDXSIM_STEP_WALK] = TDXSIM_FK_WALK,
		[TDXSIM_STEP_ASSOC] = TDXSIM_FK_ASSOC, [TDXSIM_STEP_BODY] = TDXSIM_FK_BODY,
	};
	const char *kname = tdxsim_step_kind_name(kind);
	yaml_node_t *nn;
	const char *args[TDXSIM_STEP_ARGS_MAX];
	unsigned nargs = 0;
	if (yu_is_scalar(v)) {
		nn = v;
	} else if (yu_is_map(v)) {
		char what[32];
		snprintf(what, sizeof(what), "%s step", kname);
		if (yu_check_keys(y, v, kind == TDXSIM_STEP_BODY ? body_keys : named_keys, l->ctx,
				  what) < 0)
			return -1;
		if (!(nn = yu_need(y, v, "name", l->ctx)))
			return -1;
		yaml_node_t *n;
		if ((n = yu_get(y, v, "args")) &&
		    yu_scalar_list(y, n, l->ctx, "args", args, NULL, TDXSIM_STEP_ARGS_MAX, &nargs) < 0)
			return -1;
		if ((n = yu_get(y, v, "reg")) && parse_reg(l, n, &st->reg) < 0)
			return -1;
		if (parse_when(l, v, st) < 0)
			return -1;
	} else {
		return yu_fail(y, v, "%s%s step must be a name or a mapping {name: ...}", l->ctx, kname);
	}
	const char *name = yu_str(nn);
	int id = name ? tdxsim_registry_lookup(name) : -1;
	if (id < 0)
		return yu_fail(y, nn, "%sunknown %s '%s'", l->ctx, kname, name ? name : "");
	char buf[256];
	const char *e = tdxsim_registry_check_use(id, fk[kind], args, nargs, st->reg >= 0, buf,
						  sizeof(buf));
	if (e)
		return yu_fail(y, nn, "%s%s", l->ctx, e);
	if (id == TDXSIM_FN_op_state_allowed && lf->op_states == 0)
		return yu_fail(y, nn, "%sop_state_allowed needs the leaf's op_states:", l->ctx);
	strcpy(st->fn, name);
	st->fn_id = id;
	for (unsigned i = 0; i < nargs; i++)
		if (!(st->args[st->nargs++] = xstrdup(args[i])))
			return oom(l, nn);

	if (kind == TDXSIM_STEP_BODY && yu_is_map(v)) {
		yaml_node_t *n;
		if ((n = yu_get(y, v, "undo"))) {
			const char *u = yu_str(n);
			int uid = u ? tdxsim_registry_lookup(u) : -1;
			const struct tdxsim_fn_info *f = tdxsim_registry_get(uid);
			if (!f)
				return yu_fail(y, n, "%sunknown body '%s' in undo:", l->ctx, u ? u : "");
			if (f->kind != TDXSIM_FK_BODY)
				return yu_fail(y, n, "%sundo: '%s' is a %s, not a body", l->ctx, u,
					       tdxsim_fn_kind_name(f->kind));
			strcpy(st->undo, u);
			st->undo_id = uid;
		}
		if ((n = yu_get(y, v, "releases"))) {
			const char *names[4];
			const yaml_node_t *nodes[4];
			unsigned cnt;
			if (yu_scalar_list(y, n, l->ctx, "releases", names, nodes, 4, &cnt) < 0)
				return -1;
			for (unsigned i = 0; i < cnt; i++) {
				int r = tdxsim_table_find_res(l->t, names[i]);
				if (r < 0)
					return yu_fail(y, nodes[i], "%sunknown resource '%s'", l->ctx,
						       names[i]);
				int lk = release_held(lf, h, r, -1, -1, -1);
				if (lk < 0)
					return yu_fail(y, nodes[i], "%srelease of %s, which is not "
						       "locked earlier in this leaf", l->ctx, names[i]);
				st->releases[i] = r;
			}
		}
	}
	return 0;
}

static void init_step(struct tdxsim_step *st)
{
	memset(st, 0, sizeof(*st));
	st->res = -1;
	st->reg = -1;
	st->busy_operand = -1;
	st->fn_id = -1;
	st->when_id = -1;
	st->undo_id = -1;
	for (int i = 0; i < 4; i++)
		st->also[i] = st->releases[i] = -1;
}

static int parse_step(struct ld *l, yaml_node_t *item, struct tdxsim_leaf *lf,
		      struct tdxsim_step *st, struct held *h)
{
	struct yu *y = &l->y;
	if (!yu_is_map(item) || yu_map_len(item) != 1) {
		if (yu_is_map(item) && yu_map_len(item) > 1) {
			/* Point at the second key: the step kind was the first. */
			return yu_fail(y, yu_map_key(y, item, 1), "%sa step has exactly one of lock, "
				       "release, check, walk, assoc, body", l->ctx);
		}
		return yu_fail(y, item, "%sa step is a mapping with one of lock, release, check, "
			       "walk, assoc, body", l->ctx);
	}
	yaml_node_t *k = yu_map_key(y, item, 0), *v = yu_map_val(y, item, 0);
	st->line = yu_line(k);
	const char *ks = yu_str(k);
	int kind = ks ? tdxsim_step_kind_by_name(ks) : -1;
	if (kind < 0)
		return yu_fail(y, k, "%sunknown step kind '%s' (expected lock, release, check, walk, "
			       "assoc, body)", l->ctx, ks ? ks : "");
	st->kind = (enum tdxsim_step_kind)kind;
	switch (st->kind) {
	case TDXSIM_STEP_LOCK:
		return parse_lock(l, v, lf, st, h);
	case TDXSIM_STEP_RELEASE:
		return parse_release(l, v, lf, st, h);
	case TDXSIM_STEP_CHECK:
	case TDXSIM_STEP_WALK:
	case TDXSIM_STEP_ASSOC:
	case TDXSIM_STEP_BODY:
		return parse_named(l, v, st->kind, lf, st, h);
	}
	return -1;
}

/* ------------------------------------------------------------------- leaves */

static int parse_leaf(struct ld *l, yaml_node_t *key, yaml_node_t *val, struct tdxsim_leaf *lf)
{
	struct yu *y = &l->y;
	if (copy_name(l, key, lf->name, "leaf") < 0)
		return -1;
	lf->line = yu_line(key);
	snprintf(l->ctx, sizeof(l->ctx), "leaf %s: ", lf->name);
	if (!yu_is_map(val))
		return yu_fail(y, val, "%sexpected a mapping of leaf fields", l->ctx);
	if (yu_check_keys(y, val, leaf_keys, l->ctx, "") < 0)
		return -1;

	unsigned long x;
	yaml_node_t *n = yu_need(y, val, "leaf", l->ctx);
	if (!n || yu_uint(y, n, l->ctx, "leaf", 0xFFFF, &x) < 0)
		return -1;
	lf->number = (unsigned)x;
	int side = 0;
	ENUM_FIELD(l, val, "side", tdxsim_side_by_name, "host, guest", side, 1);
	lf->side = (enum tdxsim_side)side;
	if ((n = yu_get(y, val, "max_version"))) {
		if (yu_uint(y, n, l->ctx, "max_version", 0xFF, &x) < 0)
			return -1;
		lf->max_version = (unsigned)x;
	}
	if ((n = yu_get(y, val, "op_states"))) {
		const char *names[TDXSIM_OPS__COUNT + 1];
		const yaml_node_t *nodes[TDXSIM_OPS__COUNT + 1];
		unsigned cnt;
		if (yu_scalar_list(y, n, l->ctx, "op_states", names, nodes, TDXSIM_OPS__COUNT + 1,
				   &cnt) < 0)
			return -1;
		if (cnt == 0)
			return yu_fail(y, n, "%sop_states: must list at least one state", l->ctx);
		for (unsigned i = 0; i < cnt; i++) {
			int s = tdxsim_op_state_by_name(names[i]);
			if (s < 0)
				return yu_fail(y, nodes[i], "%sunknown op_state '%s' (§7.2 names, e.g. "
					       "RUNNABLE)", l->ctx, names[i]);
			if (lf->op_states & (1u << s))
				return yu_fail(y, nodes[i], "%sop_state %s given twice", l->ctx, names[i]);
			lf->op_states |= 1u << s;
		}
	}
	if ((n = yu_get(y, val, "doc"))) {
		const char *s;
		if (yu_scalar(y, n, l->ctx, "doc", &s) < 0)
			return -1;
		if (!(lf->doc = xstrdup(s)))
			return oom(l, n);
	}

	yaml_node_t *steps = yu_need(y, val, "steps", l->ctx);
	if (!steps)
		return -1;
	if (!yu_is_seq(steps))
		return yu_fail(y, steps, "%ssteps: must be a list", l->ctx);
	unsigned ns = yu_seq_len(steps);
	if (ns == 0)
		return yu_fail(y, steps, "%ssteps: is empty", l->ctx);
	lf->steps = calloc(ns, sizeof(*lf->steps));
	if (!lf->steps)
		return oom(l, steps);
	struct held h = { .n = 0 };
	bool td_exit = false;
	const struct tdxsim_step *guest_entry = NULL;
	for (unsigned i = 0; i < ns; i++) {
		struct tdxsim_step *st = &lf->steps[i];
		init_step(st);
		lf->nsteps = i + 1; /* so that free() sees the args of a partial step */
		if (parse_step(l, yu_seq_item(y, steps, i), lf, st, &h) < 0)
			return -1;
		if (st->kind == TDXSIM_STEP_LOCK && st->hold == TDXSIM_HOLD_UNTIL_TD_EXIT)
			td_exit = true;
		if (st->kind == TDXSIM_STEP_LOCK && st->hold == TDXSIM_HOLD_UNTIL_GUEST_ENTRY &&
		    !guest_entry)
			guest_entry = st;
	}
	if (guest_entry && !td_exit)
		return yu_fail(y, yu_seq_item(y, steps, (unsigned)(guest_entry - lf->steps)),
			       "%shold: until_guest_entry in a leaf that enters no guest (no lock "
			       "is held until_td_exit)", l->ctx);
	/* until_guest_entry locks are released right before the last step, which
	 * enters the guest: it must be a body. */
	if (guest_entry && lf->steps[ns - 1].kind != TDXSIM_STEP_BODY)
		return yu_fail(y, yu_seq_item(y, steps, ns - 1),
			       "%sthe last step of a leaf with hold: until_guest_entry must be the "
			       "body that enters the guest", l->ctx);
	return 0;
}

/* -------------------------------------------------------------------- table */

static int parse_table(struct ld *l)
{
	struct yu *y = &l->y;
	struct tdxsim_table *t = l->t;
	yaml_node_t *root = yu_root(y);
	l->ctx[0] = 0;
	if (!yu_is_map(root))
		return yu_fail(y, root, "top level must be a mapping with module, resources, leaves");
	if (yu_check_keys(y, root, top_keys, "top level: ", "") < 0)
		return -1;
	yaml_node_t *mod = yu_need(y, root, "module", "top level: ");
	yaml_node_t *res = mod ? yu_need(y, root, "resources", "top level: ") : NULL;
	yaml_node_t *leaves = res ? yu_need(y, root, "leaves", "top level: ") : NULL;
	if (!leaves)
		return -1;
	if (copy_name(l, mod, t->module, "module") < 0)
		return -1;

	if (!yu_is_map(res))
		return yu_fail(y, res, "resources: must be a mapping NAME: {...}");
	unsigned nr = yu_map_len(res);
	t->res = calloc(nr ? nr : 1, sizeof(*t->res));
	if (!t->res)
		return oom(l, res);
	for (unsigned i = 0; i < nr; i++) {
		yaml_node_t *k = yu_map_key(y, res, i);
		l->ctx[0] = 0;
		const char *name = yu_str(k);
		for (unsigned j = 0; name && j < t->nres; j++)
			if (!strcmp(t->res[j].name, name))
				return yu_fail(y, k, "duplicate resource '%s' (first at line %u)", name,
					       t->res[j].line);
		t->nres = i + 1;
		if (parse_resource(l, k, yu_map_val(y, res, i), &t->res[i]) < 0)
			return -1;
	}

	if (!yu_is_map(leaves))
		return yu_fail(y, leaves, "leaves: must be a mapping NAME: {...}");
	unsigned nl = yu_map_len(leaves);
	t->leaves = calloc(nl ? nl : 1, sizeof(*t->leaves));
	if (!t->leaves)
		return oom(l, leaves);
	for (unsigned i = 0; i < nl; i++) {
		yaml_node_t *k = yu_map_key(y, leaves, i);
		l->ctx[0] = 0;
		const char *name = yu_str(k);
		for (unsigned j = 0; name && j < t->nleaves; j++)
			if (!strcmp(t->leaves[j].name, name))
				return yu_fail(y, k, "duplicate leaf '%s' (first at line %u)", name,
					       t->leaves[j].line);
		t->nleaves = i + 1;
		struct tdxsim_leaf *lf = &t->leaves[i];
		if (parse_leaf(l, k, yu_map_val(y, leaves, i), lf) < 0)
			return -1;
		for (unsigned j = 0; j < i; j++) {
			const struct tdxsim_leaf *o = &t->leaves[j];
			if (o->side == lf->side && o->number == lf->number)
				return yu_fail(y, yu_get(y, yu_map_val(y, leaves, i), "leaf"),
					       "%sleaf number %u already used by %s leaf %s (line %u)",
					       l->ctx, lf->number, tdxsim_side_name(o->side), o->name,
					       o->line);
		}
	}
	return 0;
}

struct tdxsim_table *tdxsim_table_load(const char *path, struct tdxsim_error *err)
{
	struct tdxsim_error local;
	if (!err) {
		tdxsim_error_clear(&local);
		err = &local;
	}
	struct ld l;
	memset(&l, 0, sizeof(l));
	if (yu_open(&l.y, path, err) < 0) {
		yu_close(&l.y);
		return NULL;
	}
	l.t = calloc(1, sizeof(*l.t));
	if (!l.t || !(l.t->path = xstrdup(path))) {
		tdxsim_error_set(err, path, 0, "out of memory");
		tdxsim_table_free(l.t);
		yu_close(&l.y);
		return NULL;
	}
	int rc = parse_table(&l);
	yu_close(&l.y);
	if (rc < 0) {
		tdxsim_table_free(l.t);
		return NULL;
	}
	return l.t;
}

void tdxsim_table_free(struct tdxsim_table *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < t->nres; i++)
		free(t->res[i].doc);
	free(t->res);
	for (unsigned i = 0; i < t->nleaves; i++) {
		struct tdxsim_leaf *lf = &t->leaves[i];
		for (unsigned s = 0; lf->steps && s < lf->nsteps; s++)
			for (unsigned a = 0; a < lf->steps[s].nargs; a++)
				free(lf->steps[s].args[a]);
		free(lf->steps);
		free(lf->doc);
	}
	free(t->leaves);
	free(t->path);
	free(t);
}

int tdxsim_table_find_res(const struct tdxsim_table *t, const char *name)
{
	if (!t || !name)
		return -1;
	for (unsigned i = 0; i < t->nres; i++)
		if (!strcmp(t->res[i].name, name))
			return (int)i;
	return -1;
}

const struct tdxsim_leaf *tdxsim_table_find_leaf(const struct tdxsim_table *t, const char *name)
{
	if (!t || !name)
		return NULL;
	for (unsigned i = 0; i < t->nleaves; i++)
		if (!strcmp(t->leaves[i].name, name))
			return &t->leaves[i];
	return NULL;
}

const struct tdxsim_leaf *tdxsim_table_leaf_by_number(const struct tdxsim_table *t,
						       enum tdxsim_side side, unsigned number)
{
	if (!t)
		return NULL;
	for (unsigned i = 0; i < t->nleaves; i++)
		if (t->leaves[i].side == side && t->leaves[i].number == number)
			return &t->leaves[i];
	return NULL;
}
