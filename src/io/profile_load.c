/* SPDX-License-Identifier: MIT */
/*
 * Loader for VMM serialization profiles (docs/vmm-profile.md).  libyaml's
 * document API gives every node its line, so every error is "file:line: ...".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "tdxsim/profile.h"

struct ld {
	const char *file;
	yaml_document_t doc;
	struct tdxsim_profile *p;
	struct tdxsim_error *err;
};

static unsigned nline(const yaml_node_t *n)
{
	return n ? (unsigned)n->start_mark.line + 1 : 0;
}

#define FAIL(L, n, ...)                                                         \
	do {                                                                    \
		tdxsim_error_set((L)->err, (L)->file, nline(n), __VA_ARGS__);   \
		return -1;                                                      \
	} while (0)

static yaml_node_t *get(struct ld *L, int id)
{
	return yaml_document_get_node(&L->doc, id);
}

static const char *sval(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int want_scalar(struct ld *L, yaml_node_t *n, const char *what, const char **out)
{
	const char *s = sval(n);
	if (!s)
		FAIL(L, n, "%s must be a scalar", what);
	*out = s;
	return 0;
}

static int copy_name(struct ld *L, yaml_node_t *n, const char *what, char *dst, size_t len)
{
	const char *s;
	if (want_scalar(L, n, what, &s))
		return -1;
	if (!*s)
		FAIL(L, n, "%s is empty", what);
	if (strlen(s) >= len)
		FAIL(L, n, "%s '%s' is too long (max %zu characters)", what, s, len - 1);
	strcpy(dst, s);
	return 0;
}

static int dup_text(struct ld *L, yaml_node_t *n, const char *what, char **dst)
{
	const char *s;
	if (want_scalar(L, n, what, &s))
		return -1;
	free(*dst);
	*dst = strdup(s);
	if (!*dst)
		FAIL(L, n, "out of memory");
	return 0;
}

/* Reject a mapping key that appears twice. */
static int check_dups(struct ld *L, yaml_node_t *map)
{
	for (yaml_node_pair_t *a = map->data.mapping.pairs.start; a < map->data.mapping.pairs.top; a++)
		for (yaml_node_pair_t *b = a + 1; b < map->data.mapping.pairs.top; b++) {
			const char *ka = sval(get(L, a->key)), *kb = sval(get(L, b->key));
			if (ka && kb && !strcmp(ka, kb))
				FAIL(L, get(L, b->key), "duplicate key '%s'", kb);
		}
	return 0;
}

static int want_map(struct ld *L, yaml_node_t *n, const char *what)
{
	if (!n || n->type != YAML_MAPPING_NODE)
		FAIL(L, n, "%s must be a mapping", what);
	return check_dups(L, n);
}

static const char *const vlock_kind_names[] = { "mutex", "rwlock", "spinlock", "thread", "cmpxchg" };
static const char *const vmode_names[] = { "shared", "exclusive", "all" };
static const char *const phase_names[] = { "init", "create", "build", "runtime", "teardown" };
static const struct {
	const char *name, *desc;
} policy_names[TDXSIM_POL__COUNT] = {
	[TDXSIM_POL_EBUSY] = { "ebusy", "-EBUSY to userspace, which may retry the ioctl" },
	[TDXSIM_POL_EIO] = { "eio", "not special-cased: -EIO to userspace, the VM survives" },
	[TDXSIM_POL_LOCAL_RETRY] = { "local-retry", "-EBUSY -> RET_PF_RETRY, retried in the kernel" },
	[TDXSIM_POL_KICK_RETRY] = { "kick+retry-once", "kick all vCPUs, block TD entry, retry once, then BUG" },
	[TDXSIM_POL_BUG] = { "bug", "not special-cased on a no-fail path: the VM is bugged" },
	[TDXSIM_POL_REENTER] = { "re-enter", "fastpath EXIT_HANDLED, IRQs on, TDH.VP.ENTER again" },
	[TDXSIM_POL_WARN] = { "warn", "WARN, the operation fails" },
	[TDXSIM_POL_LEAK] = { "leak", "WARN, the page is leaked" },
	[TDXSIM_POL_INIT_FAIL] = { "init-fail", "-EIO, TDX module initialization fails" },
	[TDXSIM_POL_GUEST_NO_RETRY] = { "guest-no-retry", "guest: no BUSY retry (accept falls back to a smaller size, then fails)" },
};

const char *tdxsim_vlock_kind_name(enum tdxsim_vlock_kind k)
{
	return (unsigned)k < sizeof(vlock_kind_names) / sizeof(vlock_kind_names[0]) ? vlock_kind_names[k] : "?";
}

const char *tdxsim_vmode_name(enum tdxsim_vmode m)
{
	return (unsigned)m < 3 ? vmode_names[m] : "?";
}

const char *tdxsim_phase_name(enum tdxsim_phase ph)
{
	return (unsigned)ph < TDXSIM_PHASE__COUNT ? phase_names[ph] : "?";
}

const char *tdxsim_busy_policy_name(enum tdxsim_busy_policy b)
{
	return (unsigned)b < TDXSIM_POL__COUNT ? policy_names[b].name : "?";
}

const char *tdxsim_busy_policy_desc(enum tdxsim_busy_policy b)
{
	return (unsigned)b < TDXSIM_POL__COUNT ? policy_names[b].desc : "?";
}

int tdxsim_profile_find_lock(const struct tdxsim_profile *p, const char *name)
{
	for (unsigned i = 0; i < p->nlocks; i++)
		if (!strcmp(p->locks[i].name, name))
			return (int)i;
	return -1;
}

static int parse_scope(struct ld *L, yaml_node_t *n, enum tdxsim_scope *out)
{
	const char *s;
	if (want_scalar(L, n, "scope", &s))
		return -1;
	static const struct {
		const char *name;
		enum tdxsim_scope scope;
	} scopes[] = { { "global", TDXSIM_SCOPE_GLOBAL }, { "td", TDXSIM_SCOPE_TD },
		       { "vcpu", TDXSIM_SCOPE_VCPU }, { "gpa", TDXSIM_SCOPE_GPA } };
	for (unsigned i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		if (!strcmp(s, scopes[i].name)) {
			*out = scopes[i].scope;
			return 0;
		}
	FAIL(L, n, "unknown scope '%s' (expected global, td, vcpu or gpa)", s);
}

static int parse_locks(struct ld *L, yaml_node_t *map)
{
	if (want_map(L, map, "locks"))
		return -1;
	size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	L->p->locks = calloc(n ? n : 1, sizeof(*L->p->locks));
	if (!L->p->locks)
		FAIL(L, map, "out of memory");
	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = get(L, pr->key), *v = get(L, pr->value);
		struct tdxsim_vlock *lk = &L->p->locks[L->p->nlocks];
		if (copy_name(L, k, "lock name", lk->name, sizeof(lk->name)))
			return -1;
		lk->line = nline(k);
		if (want_map(L, v, "a lock"))
			return -1;
		bool have_kind = false, have_scope = false;
		for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
			yaml_node_t *qk = get(L, q->key), *qv = get(L, q->value);
			const char *key = sval(qk);
			if (!key)
				FAIL(L, qk, "lock keys must be scalars");
			if (!strcmp(key, "kind")) {
				const char *s;
				if (want_scalar(L, qv, "kind", &s))
					return -1;
				unsigned i;
				for (i = 0; i < 5; i++)
					if (!strcmp(s, vlock_kind_names[i]))
						break;
				if (i == 5)
					FAIL(L, qv, "unknown lock kind '%s' (expected mutex, rwlock, spinlock, thread or cmpxchg)", s);
				lk->kind = (enum tdxsim_vlock_kind)i;
				have_kind = true;
			} else if (!strcmp(key, "scope")) {
				if (parse_scope(L, qv, &lk->scope))
					return -1;
				have_scope = true;
			} else if (!strcmp(key, "doc")) {
				if (dup_text(L, qv, "doc", &lk->doc))
					return -1;
			} else {
				FAIL(L, qk, "unknown key '%s' in lock '%s' (expected kind, scope, doc)", key, lk->name);
			}
		}
		if (!have_kind)
			FAIL(L, k, "lock '%s' has no kind", lk->name);
		if (!have_scope)
			FAIL(L, k, "lock '%s' has no scope", lk->name);
		L->p->nlocks++;
	}
	return 0;
}

static int parse_phases_value(struct ld *L, yaml_node_t *n, unsigned *mask)
{
	*mask = 0;
	yaml_node_t *one = n;
	yaml_node_item_t *it = NULL, *end = NULL;
	if (n && n->type == YAML_SEQUENCE_NODE) {
		it = n->data.sequence.items.start;
		end = n->data.sequence.items.top;
		if (it == end)
			FAIL(L, n, "empty phase list");
	}
	for (;;) {
		if (it)
			one = get(L, *it);
		const char *s;
		if (want_scalar(L, one, "phase", &s))
			return -1;
		unsigned i;
		if (!strcmp(s, "any")) {
			*mask |= TDXSIM_PHASE_ANY;
		} else {
			for (i = 0; i < TDXSIM_PHASE__COUNT; i++)
				if (!strcmp(s, phase_names[i]))
					break;
			if (i == TDXSIM_PHASE__COUNT)
				FAIL(L, one, "unknown phase '%s' (expected init, create, build, runtime, teardown or any)", s);
			*mask |= TDXSIM_PHASE_BIT(i);
		}
		if (!it || ++it == end)
			break;
	}
	return 0;
}

static int parse_mode(struct ld *L, yaml_node_t *n, const struct tdxsim_vlock *lk, enum tdxsim_vmode *out)
{
	const char *s;
	if (want_scalar(L, n, "lock mode", &s))
		return -1;
	if (!strcmp(s, "read") || !strcmp(s, "shared")) {
		if (lk->kind != TDXSIM_VLK_RWLOCK)
			FAIL(L, n, "bad mode '%s' for lock '%s': a %s has no shared mode (expected held or all)",
			     s, lk->name, tdxsim_vlock_kind_name(lk->kind));
		*out = TDXSIM_VMODE_SHARED;
	} else if (!strcmp(s, "write") || !strcmp(s, "exclusive") || !strcmp(s, "held")) {
		*out = TDXSIM_VMODE_EXCLUSIVE;
	} else if (!strcmp(s, "all")) {
		if (lk->scope == TDXSIM_SCOPE_GLOBAL || lk->scope == TDXSIM_SCOPE_TD)
			FAIL(L, n, "bad mode 'all' for lock '%s': it has one instance per %s",
			     lk->name, lk->scope == TDXSIM_SCOPE_TD ? "TD" : "host");
		*out = TDXSIM_VMODE_ALL;
	} else {
		FAIL(L, n, "bad mode '%s' for lock '%s' (expected read, write, shared, exclusive, held or all)",
		     s, lk->name);
	}
	return 0;
}

static int parse_policy(struct ld *L, yaml_node_t *n, enum tdxsim_busy_policy *out)
{
	const char *s;
	if (want_scalar(L, n, "busy", &s))
		return -1;
	for (unsigned i = 0; i < TDXSIM_POL__COUNT; i++)
		if (!strcmp(s, policy_names[i].name)) {
			*out = (enum tdxsim_busy_policy)i;
			return 0;
		}
	FAIL(L, n, "unknown busy policy '%s' (expected ebusy, eio, local-retry, kick+retry-once, bug, "
		   "re-enter, warn, leak, init-fail or guest-no-retry)", s);
}

/* Keys shared by a leaf context and the guest defaults.  Returns 1 if the key
 * is not one of them, 0 if parsed, -1 on error. */
static int parse_ctx_key(struct ld *L, const char *key, yaml_node_t *v,
			 struct tdxsim_context *c, unsigned *seen)
{
	if (!strcmp(key, "phase") || !strcmp(key, "phases")) {
		if (parse_phases_value(L, v, &c->phases))
			return -1;
		*seen |= 1;
	} else if (!strcmp(key, "path")) {
		if (copy_name(L, v, "path", c->path, sizeof(c->path)))
			return -1;
	} else if (!strcmp(key, "holds")) {
		if (v && v->type == YAML_SCALAR_NODE && !strcmp(sval(v), "none"))
			return 0;
		if (want_map(L, v, "holds"))
			return -1;
		for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
			yaml_node_t *qk = get(L, q->key), *qv = get(L, q->value);
			const char *ln;
			if (want_scalar(L, qk, "lock name", &ln))
				return -1;
			int li = tdxsim_profile_find_lock(L->p, ln);
			if (li < 0)
				FAIL(L, qk, "unknown lock '%s' (not declared under locks:)", ln);
			if (c->nholds == TDXSIM_PROFILE_HOLDS_MAX)
				FAIL(L, qk, "too many locks held (max %d)", TDXSIM_PROFILE_HOLDS_MAX);
			c->holds[c->nholds].lock = li;
			if (parse_mode(L, qv, &L->p->locks[li], &c->holds[c->nholds].mode))
				return -1;
			c->nholds++;
		}
	} else if (!strcmp(key, "busy")) {
		if (parse_policy(L, v, &c->busy))
			return -1;
		*seen |= 2;
	} else if (!strcmp(key, "note")) {
		if (dup_text(L, v, "note", &c->busy_note))
			return -1;
	} else if (!strcmp(key, "inside")) {
		if (copy_name(L, v, "inside", c->inside, sizeof(c->inside)))
			return -1;
		c->inside_line = nline(v);
	} else if (!strcmp(key, "version")) {
		const char *s;
		char *end;
		if (want_scalar(L, v, "version", &s))
			return -1;
		errno = 0;
		unsigned long ver = strtoul(s, &end, 0);
		if (!*s || *end || errno || ver > 255)
			FAIL(L, v, "bad version '%s' (expected 0-255)", s);
		c->version = (unsigned)ver;
	} else if (!strcmp(key, "assume")) {
		if (want_map(L, v, "assume"))
			return -1;
		for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
			yaml_node_t *qk = get(L, q->key), *qv = get(L, q->value);
			if (c->nassume == TDXSIM_PROFILE_ASSUME_MAX)
				FAIL(L, qk, "too many assumptions (max %d)", TDXSIM_PROFILE_ASSUME_MAX);
			if (copy_name(L, qk, "condition", c->assume[c->nassume].name, TDXSIM_NAME_MAX))
				return -1;
			const char *b;
			if (want_scalar(L, qv, "condition value", &b))
				return -1;
			if (!strcmp(b, "true") || !strcmp(b, "yes"))
				c->assume[c->nassume].value = true;
			else if (!strcmp(b, "false") || !strcmp(b, "no"))
				c->assume[c->nassume].value = false;
			else
				FAIL(L, qv, "bad condition value '%s' (expected true or false)", b);
			c->assume[c->nassume].line = nline(qk);
			c->nassume++;
		}
	} else {
		return 1;
	}
	return 0;
}

static const char ctx_keys[] = "id, phase, path, holds, busy, note, version, assume, inside";

static struct tdxsim_context *new_ctx(struct ld *L)
{
	struct tdxsim_context *nc = realloc(L->p->ctx, (L->p->nctx + 1) * sizeof(*nc));
	if (!nc)
		return NULL;
	L->p->ctx = nc;
	memset(&nc[L->p->nctx], 0, sizeof(*nc));
	return &nc[L->p->nctx++];
}

static int finish_ctx(struct ld *L, yaml_node_t *at, struct tdxsim_context *c, unsigned seen)
{
	if (!(seen & 1))
		FAIL(L, at, "context of %s has no phase", c->leaf);
	if (!(seen & 2))
		FAIL(L, at, "context of %s has no busy policy", c->leaf);
	if (!c->path[0])
		FAIL(L, at, "context of %s has no path", c->leaf);
	return 0;
}

static int parse_context(struct ld *L, const char *leaf, unsigned leaf_line, yaml_node_t *n)
{
	if (want_map(L, n, "a context"))
		return -1;
	struct tdxsim_context *c = new_ctx(L);
	if (!c)
		FAIL(L, n, "out of memory");
	strcpy(c->leaf, leaf);
	c->leaf_line = leaf_line;
	c->line = nline(n);
	unsigned seen = 0;
	for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < n->data.mapping.pairs.top; q++) {
		yaml_node_t *k = get(L, q->key), *v = get(L, q->value);
		const char *key = sval(k);
		if (!key)
			FAIL(L, k, "context keys must be scalars");
		if (!strcmp(key, "id")) {
			if (copy_name(L, v, "id", c->id, sizeof(c->id)))
				return -1;
			for (unsigned i = 0; i + 1 < L->p->nctx; i++)
				if (!strcmp(L->p->ctx[i].id, c->id))
					FAIL(L, v, "duplicate context id '%s'", c->id);
			continue;
		}
		int r = parse_ctx_key(L, key, v, c, &seen);
		if (r < 0)
			return -1;
		if (r > 0)
			FAIL(L, k, "unknown key '%s' in a context of %s (expected %s)", key, leaf, ctx_keys);
	}
	return finish_ctx(L, n, c, seen);
}

static int parse_leaves(struct ld *L, yaml_node_t *map)
{
	if (want_map(L, map, "leaves"))
		return -1;
	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = get(L, pr->key), *v = get(L, pr->value);
		char leaf[TDXSIM_NAME_MAX];
		if (copy_name(L, k, "leaf name", leaf, sizeof(leaf)))
			return -1;
		if (v && v->type == YAML_MAPPING_NODE) {
			if (parse_context(L, leaf, nline(k), v))
				return -1;
			continue;
		}
		if (!v || v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.start == v->data.sequence.items.top)
			FAIL(L, v ? v : k, "%s: expected a context mapping or a non-empty list of contexts", leaf);
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
			if (parse_context(L, leaf, nline(k), get(L, *it)))
				return -1;
	}
	return 0;
}

static int parse_guest(struct ld *L, yaml_node_t *map)
{
	if (want_map(L, map, "guest"))
		return -1;
	struct tdxsim_context proto;
	memset(&proto, 0, sizeof(proto));
	proto.guest = true;
	proto.line = nline(map);
	unsigned seen = 0;
	yaml_node_t *leaves = NULL;
	for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < map->data.mapping.pairs.top; q++) {
		yaml_node_t *k = get(L, q->key), *v = get(L, q->value);
		const char *key = sval(k);
		if (!key)
			FAIL(L, k, "guest keys must be scalars");
		if (!strcmp(key, "leaves")) {
			leaves = v;
			continue;
		}
		int r = parse_ctx_key(L, key, v, &proto, &seen);
		if (r < 0)
			goto fail;
		if (r > 0) {
			tdxsim_error_set(L->err, L->file, nline(k),
					 "unknown key '%s' in guest (expected leaves, phase, path, holds, busy, note, inside)", key);
			goto fail;
		}
	}
	if (!leaves || leaves->type != YAML_SEQUENCE_NODE ||
	    leaves->data.sequence.items.start == leaves->data.sequence.items.top) {
		tdxsim_error_set(L->err, L->file, nline(leaves ? leaves : map), "guest: leaves must be a non-empty list of TDCALL names");
		goto fail;
	}
	for (yaml_node_item_t *it = leaves->data.sequence.items.start; it < leaves->data.sequence.items.top; it++) {
		yaml_node_t *ln = get(L, *it);
		char leaf[TDXSIM_NAME_MAX];
		if (copy_name(L, ln, "leaf name", leaf, sizeof(leaf)))
			goto fail;
		struct tdxsim_context *c = new_ctx(L);
		if (!c) {
			tdxsim_error_set(L->err, L->file, nline(ln), "out of memory");
			goto fail;
		}
		*c = proto;
		c->busy_note = proto.busy_note ? strdup(proto.busy_note) : NULL;
		strcpy(c->leaf, leaf);
		c->leaf_line = nline(ln);
		if (finish_ctx(L, map, c, seen))
			goto fail;
	}
	free(proto.busy_note);
	return 0;
fail:
	free(proto.busy_note);
	return -1;
}

static int parse_phases(struct ld *L, yaml_node_t *map, yaml_node_t **entry)
{
	if (want_map(L, map, "phases"))
		return -1;
	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = get(L, pr->key), *v = get(L, pr->value);
		unsigned mask;
		if (parse_phases_value(L, k, &mask))
			return -1;
		if (mask == TDXSIM_PHASE_ANY)
			FAIL(L, k, "'any' is not a phase here");
		if (want_map(L, v, "a phase"))
			return -1;
		for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
			yaml_node_t *qk = get(L, q->key), *qv = get(L, q->value);
			const char *key = sval(qk);
			if (key && !strcmp(key, "doc"))
				continue;
			if (key && !strcmp(key, "entered_by") && mask == TDXSIM_PHASE_BIT(TDXSIM_PHASE_RUNTIME)) {
				*entry = qv;
				continue;
			}
			FAIL(L, qk, "unknown key '%s' in phase %s (expected doc%s)", key ? key : "?", sval(k),
			     mask == TDXSIM_PHASE_BIT(TDXSIM_PHASE_RUNTIME) ? ", entered_by" : "");
		}
	}
	return 0;
}

static int parse_distinct(struct ld *L, yaml_node_t *n)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		FAIL(L, n, "distinct_pages must be a list of module resource names");
	size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	L->p->distinct_pages = calloc(cnt ? cnt : 1, sizeof(*L->p->distinct_pages));
	if (!L->p->distinct_pages)
		FAIL(L, n, "out of memory");
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = get(L, *it);
		if (copy_name(L, e, "resource name", L->p->distinct_pages[L->p->ndistinct].name, TDXSIM_NAME_MAX))
			return -1;
		L->p->distinct_pages[L->p->ndistinct++].line = nline(e);
	}
	return 0;
}

static int parse_root(struct ld *L)
{
	yaml_node_t *root = yaml_document_get_root_node(&L->doc);
	if (!root)
		FAIL(L, NULL, "empty file");
	if (want_map(L, root, "the profile"))
		return -1;
	yaml_node_t *locks = NULL, *leaves = NULL, *guest = NULL, *phases = NULL, *distinct = NULL, *entry = NULL;
	bool have_name = false;
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = get(L, pr->key), *v = get(L, pr->value);
		const char *key = sval(k);
		if (!key)
			FAIL(L, k, "top-level keys must be scalars");
		if (!strcmp(key, "profile")) {
			if (copy_name(L, v, "profile", L->p->name, sizeof(L->p->name)))
				return -1;
			have_name = true;
		} else if (!strcmp(key, "doc")) {
			if (dup_text(L, v, "doc", &L->p->doc))
				return -1;
		} else if (!strcmp(key, "locks")) {
			locks = v;
		} else if (!strcmp(key, "leaves")) {
			leaves = v;
		} else if (!strcmp(key, "guest")) {
			guest = v;
		} else if (!strcmp(key, "phases")) {
			phases = v;
		} else if (!strcmp(key, "distinct_pages")) {
			distinct = v;
		} else {
			FAIL(L, k, "unknown key '%s' (expected profile, doc, locks, phases, distinct_pages, guest, leaves)", key);
		}
	}
	if (!have_name)
		FAIL(L, root, "missing 'profile:' (the profile's name)");
	if (!locks)
		FAIL(L, root, "missing 'locks:'");
	if (!leaves)
		FAIL(L, root, "missing 'leaves:'");
	/* Locks first: contexts refer to them. */
	if (parse_locks(L, locks) || parse_leaves(L, leaves))
		return -1;
	if (guest && parse_guest(L, guest))
		return -1;
	if (distinct && parse_distinct(L, distinct))
		return -1;
	L->p->runtime_entry = -1;
	if (phases && parse_phases(L, phases, &entry))
		return -1;
	if (entry) {
		const char *id;
		if (want_scalar(L, entry, "entered_by", &id))
			return -1;
		for (unsigned i = 0; i < L->p->nctx; i++)
			if (!strcmp(L->p->ctx[i].id, id))
				L->p->runtime_entry = (int)i;
		if (L->p->runtime_entry < 0)
			FAIL(L, entry, "entered_by: no context has id '%s'", id);
		if (!(L->p->ctx[L->p->runtime_entry].phases & TDXSIM_PHASE_BIT(TDXSIM_PHASE_BUILD)))
			FAIL(L, entry, "entered_by: context '%s' is not a build-phase context", id);
		L->p->runtime_entry_line = nline(entry);
	}
	return 0;
}

/* Local lookups: only the table's data layout is relied on here. */
static const struct tdxsim_leaf *find_leaf(const struct tdxsim_table *t, const char *name)
{
	for (unsigned i = 0; i < t->nleaves; i++)
		if (!strcmp(t->leaves[i].name, name))
			return &t->leaves[i];
	return NULL;
}

static int find_res(const struct tdxsim_table *t, const char *name)
{
	for (unsigned i = 0; i < t->nres; i++)
		if (!strcmp(t->res[i].name, name))
			return (int)i;
	return -1;
}

static bool leaf_has_when(const struct tdxsim_leaf *lf, const char *cond)
{
	for (unsigned i = 0; i < lf->nsteps; i++)
		if (!strcmp(lf->steps[i].when, cond))
			return true;
	return false;
}

int tdxsim_profile_check(const struct tdxsim_profile *p, const struct tdxsim_table *t,
			 struct tdxsim_error *err)
{
	const char *f = p->path ? p->path : "<profile>";
	for (unsigned i = 0; i < p->nctx; i++) {
		const struct tdxsim_context *c = &p->ctx[i];
		const struct tdxsim_leaf *lf = find_leaf(t, c->leaf);
		if (!lf) {
			tdxsim_error_set(err, f, c->leaf_line, "unknown leaf '%s' (not in module %s)", c->leaf, t->module);
			return -1;
		}
		if (c->guest && lf->side != TDXSIM_SIDE_GUEST) {
			tdxsim_error_set(err, f, c->leaf_line, "'%s' is a SEAMCALL, not a guest TDCALL", c->leaf);
			return -1;
		}
		if (!c->guest && lf->side != TDXSIM_SIDE_HOST) {
			tdxsim_error_set(err, f, c->leaf_line, "'%s' is a guest TDCALL: list it under guest:", c->leaf);
			return -1;
		}
		if (c->inside[0]) {
			const struct tdxsim_leaf *in = find_leaf(t, c->inside);
			if (!in) {
				tdxsim_error_set(err, f, c->inside_line, "unknown leaf '%s' (not in module %s)",
						 c->inside, t->module);
				return -1;
			}
		}
		for (unsigned a = 0; a < c->nassume; a++)
			if (!leaf_has_when(lf, c->assume[a].name)) {
				tdxsim_error_set(err, f, c->assume[a].line,
						 "unknown condition '%s': no step of %s in module %s has when: %s",
						 c->assume[a].name, c->leaf, t->module, c->assume[a].name);
				return -1;
			}
	}
	for (unsigned i = 0; i < p->ndistinct; i++) {
		int r = find_res(t, p->distinct_pages[i].name);
		if (r < 0) {
			tdxsim_error_set(err, f, p->distinct_pages[i].line, "unknown resource '%s' (not in module %s)",
					 p->distinct_pages[i].name, t->module);
			return -1;
		}
		if (t->res[r].backing != TDXSIM_BACK_PAMT) {
			tdxsim_error_set(err, f, p->distinct_pages[i].line,
					 "distinct_pages: resource '%s' is not a PAMT-backed page lock",
					 p->distinct_pages[i].name);
			return -1;
		}
	}
	return 0;
}

void tdxsim_profile_free(struct tdxsim_profile *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->nlocks; i++)
		free(p->locks[i].doc);
	for (unsigned i = 0; i < p->nctx; i++)
		free(p->ctx[i].busy_note);
	free(p->locks);
	free(p->ctx);
	free(p->distinct_pages);
	free(p->doc);
	free(p->path);
	free(p);
}

struct tdxsim_profile *tdxsim_profile_load(const char *path, const struct tdxsim_table *table,
					   struct tdxsim_error *err)
{
	struct ld L = { .file = path, .err = err };
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		tdxsim_error_set(err, path, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		fclose(fp);
		tdxsim_error_set(err, path, 0, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &L.doc)) {
		unsigned line = (unsigned)(parser.problem_mark.line + 1);
		tdxsim_error_set(err, path, line, "malformed YAML: %s%s%s", parser.problem ? parser.problem : "error",
				 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		fclose(fp);
		return NULL;
	}
	yaml_parser_delete(&parser);
	fclose(fp);

	L.p = calloc(1, sizeof(*L.p));
	if (!L.p || !(L.p->path = strdup(path))) {
		tdxsim_error_set(err, path, 0, "out of memory");
		yaml_document_delete(&L.doc);
		tdxsim_profile_free(L.p);
		return NULL;
	}
	L.p->runtime_entry = -1;
	int rc = parse_root(&L);
	yaml_document_delete(&L.doc);
	if (rc == 0 && table)
		rc = tdxsim_profile_check(L.p, table, err);
	if (rc) {
		tdxsim_profile_free(L.p);
		return NULL;
	}
	return L.p;
}
