/* SPDX-License-Identifier: MIT */
/*
 * Policy files (docs/policy.md): one YAML mapping per file, every error reported as
 * "file:line: message" (the command line prints it and exits 2).  libyaml's document
 * API gives every node its line.  The built-ins are shipped in this same format
 * (data/policies/<name>.yaml) and a unit test checks that they load to exactly the
 * structs in builtins.c, so the spellings below map onto the same (status, mask)
 * pairs builtins.c uses (policy_internal.h PM_*).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "policy/policy_internal.h"
#include "tdxsim/table.h"

#define POLICY_MAX_FILE_BYTES (1u << 20)

struct pl {
	const char *file;
	yaml_document_t doc;
	const struct tdxsim_table *table;
	struct tdxsim_error *err;
};

static unsigned nline(const yaml_node_t *n)
{
	return n ? (unsigned)n->start_mark.line + 1 : 0;
}

#define FAIL(L, n, ...)                                                        \
	do {                                                                   \
		tdxsim_error_set((L)->err, (L)->file, nline(n), __VA_ARGS__);  \
		return -1;                                                     \
	} while (0)

static yaml_node_t *node(struct pl *L, int id)
{
	return yaml_document_get_node(&L->doc, id);
}

static const char *sval(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return NULL; /* embedded NUL */
	return (const char *)n->data.scalar.value;
}

/* ---- reading the file ---- */

static char *slurp(struct pl *L, size_t *len)
{
	FILE *f = fopen(L->file, "rb");
	if (!f) {
		tdxsim_error_set(L->err, L->file, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	char *buf = malloc(POLICY_MAX_FILE_BYTES + 1);
	if (!buf) {
		fclose(f);
		tdxsim_error_set(L->err, L->file, 0, "out of memory");
		return NULL;
	}
	size_t n = fread(buf, 1, POLICY_MAX_FILE_BYTES + 1, f);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		tdxsim_error_set(L->err, L->file, 0, "read error");
		return NULL;
	}
	if (n > POLICY_MAX_FILE_BYTES) {
		free(buf);
		tdxsim_error_set(L->err, L->file, 0, "file larger than %u bytes", POLICY_MAX_FILE_BYTES);
		return NULL;
	}
	*len = n;
	return buf;
}

static void syntax_error(struct pl *L, yaml_parser_t *p, const char *buf, size_t len)
{
	unsigned line = (unsigned)p->problem_mark.line + 1;
	if (p->error == YAML_READER_ERROR) {
		line = 1;
		for (size_t i = 0; i < p->problem_offset && i < len; i++)
			line += buf[i] == '\n';
	}
	const char *problem = p->problem ? p->problem : "unknown problem";
	if (p->error == YAML_MEMORY_ERROR)
		tdxsim_error_set(L->err, L->file, 0, "out of memory while parsing YAML");
	else if (p->context)
		tdxsim_error_set(L->err, L->file, line, "YAML syntax error: %s (%s)", problem, p->context);
	else
		tdxsim_error_set(L->err, L->file, line, "YAML syntax error: %s", problem);
}

/* 0 with L->doc loaded (caller deletes it), -1 with the error set. */
static int load_doc(struct pl *L)
{
	size_t len = 0;
	char *buf = slurp(L, &len);
	if (!buf)
		return -1;
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		free(buf);
		tdxsim_error_set(L->err, L->file, 0, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	int rc = -1;
	if (!yaml_parser_load(&p, &L->doc)) {
		syntax_error(L, &p, buf, len);
		goto out;
	}
	if (!yaml_document_get_root_node(&L->doc)) {
		yaml_document_delete(&L->doc);
		tdxsim_error_set(L->err, L->file, 1, "empty file: expected a policy mapping");
		goto out;
	}
	yaml_document_t next;
	if (!yaml_parser_load(&p, &next)) {
		yaml_document_delete(&L->doc);
		syntax_error(L, &p, buf, len);
		goto out;
	}
	yaml_node_t *r2 = yaml_document_get_root_node(&next);
	if (r2) {
		tdxsim_error_set(L->err, L->file, nline(r2), "more than one YAML document");
		yaml_document_delete(&next);
		yaml_document_delete(&L->doc);
		goto out;
	}
	yaml_document_delete(&next);
	rc = 0;
out:
	yaml_parser_delete(&p);
	free(buf);
	return rc;
}

/* ---- mappings ---- */

/* Every key a scalar, known, and given once; ctx prefixes the message ("rule: "). */
static int check_keys(struct pl *L, yaml_node_t *map, const char *ctx, const char *const *allowed)
{
	for (yaml_node_pair_t *a = map->data.mapping.pairs.start; a < map->data.mapping.pairs.top; a++) {
		yaml_node_t *k = node(L, a->key);
		const char *ks = sval(k);
		if (!ks)
			FAIL(L, k, "%skeys must be plain names", ctx);
		bool ok = false;
		for (unsigned i = 0; allowed[i]; i++)
			if (!strcmp(ks, allowed[i]))
				ok = true;
		if (!ok) {
			char list[256];
			size_t n = 0;
			list[0] = 0;
			for (unsigned i = 0; allowed[i] && n < sizeof(list); i++)
				n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
						      allowed[i]);
			FAIL(L, k, "%sunknown key '%s' (expected %s)", ctx, ks, list);
		}
		for (yaml_node_pair_t *b = map->data.mapping.pairs.start; b < a; b++)
			if (!strcmp(sval(node(L, b->key)), ks))
				FAIL(L, k, "%sduplicate key '%s'", ctx, ks);
	}
	return 0;
}

static yaml_node_t *get(struct pl *L, yaml_node_t *map, const char *key)
{
	for (yaml_node_pair_t *a = map->data.mapping.pairs.start; a < map->data.mapping.pairs.top; a++)
		if (!strcmp(sval(node(L, a->key)), key))
			return node(L, a->value);
	return NULL;
}

static int want_bool(struct pl *L, yaml_node_t *n, const char *ctx, const char *key, bool *out)
{
	const char *s = sval(n);
	if (s && !strcmp(s, "true"))
		*out = true;
	else if (s && !strcmp(s, "false"))
		*out = false;
	else
		FAIL(L, n, "%s'%s' must be true or false", ctx, key);
	return 0;
}

static int want_uint(struct pl *L, yaml_node_t *n, const char *ctx, const char *key, unsigned max,
		     unsigned *out)
{
	const char *s = sval(n);
	char *end = NULL;
	errno = 0;
	unsigned long long v = s && *s >= '0' && *s <= '9' ? strtoull(s, &end, 0) : 0;
	if (!s || !end || *end || errno || v > max)
		FAIL(L, n, "%s'%s' must be an integer from 0 to %u", ctx, key, max);
	*out = (unsigned)v;
	return 0;
}

static int want_text(struct pl *L, yaml_node_t *n, const char *key, char *dst, size_t len)
{
	const char *s = sval(n);
	if (!s)
		FAIL(L, n, "'%s' must be a string", key);
	if (strlen(s) >= len)
		FAIL(L, n, "'%s' is too long (at most %zu characters)", key, len - 1);
	strcpy(dst, s);
	return 0;
}

/* ---- fault and guest ---- */

static int parse_fault(struct pl *L, yaml_node_t *m, struct tdxsim_fault_policy *f)
{
	static const char *const keys[] = { "local_retry", "max_local", "exit_on_events", "exit_on_signal",
					    "exit_on_vm_dead", "exit_on_memslot_invalid", NULL };
	const char *ctx = "fault: ";
	if (m->type != YAML_MAPPING_NODE)
		FAIL(L, m, "'fault' must be a mapping");
	if (check_keys(L, m, ctx, keys))
		return -1;
	yaml_node_t *v;
	if ((v = get(L, m, "local_retry")) && want_bool(L, v, ctx, "local_retry", &f->local_retry))
		return -1;
	if ((v = get(L, m, "max_local")) && want_uint(L, v, ctx, "max_local", 1000000000u, &f->max_local))
		return -1;
	if ((v = get(L, m, "exit_on_events")) && want_bool(L, v, ctx, "exit_on_events", &f->exit_on_events))
		return -1;
	if ((v = get(L, m, "exit_on_signal")) && want_bool(L, v, ctx, "exit_on_signal", &f->exit_on_signal))
		return -1;
	if ((v = get(L, m, "exit_on_vm_dead")) &&
	    want_bool(L, v, ctx, "exit_on_vm_dead", &f->exit_on_vm_dead))
		return -1;
	if ((v = get(L, m, "exit_on_memslot_invalid")) &&
	    want_bool(L, v, ctx, "exit_on_memslot_invalid", &f->exit_on_memslot_invalid))
		return -1;
	return 0;
}

static int parse_guest(struct pl *L, yaml_node_t *m, struct tdxsim_guest_policy *g)
{
	static const char *const keys[] = { "accept_retry_busy", "accept_max_retries", "accept_fallback",
					    "mapgpa_max_no_progress", "mapgpa_check_r11", NULL };
	const char *ctx = "guest: ";
	if (m->type != YAML_MAPPING_NODE)
		FAIL(L, m, "'guest' must be a mapping");
	if (check_keys(L, m, ctx, keys))
		return -1;
	yaml_node_t *v;
	if ((v = get(L, m, "accept_retry_busy")) &&
	    want_bool(L, v, ctx, "accept_retry_busy", &g->accept_retry_busy))
		return -1;
	if ((v = get(L, m, "accept_max_retries")) &&
	    want_uint(L, v, ctx, "accept_max_retries", 1000000000u, &g->accept_max_retries))
		return -1;
	if ((v = get(L, m, "accept_fallback")) && want_bool(L, v, ctx, "accept_fallback", &g->accept_fallback))
		return -1;
	if ((v = get(L, m, "mapgpa_max_no_progress")) &&
	    want_uint(L, v, ctx, "mapgpa_max_no_progress", 1000000000u, &g->mapgpa_max_no_progress))
		return -1;
	if ((v = get(L, m, "mapgpa_check_r11")) &&
	    want_bool(L, v, ctx, "mapgpa_check_r11", &g->mapgpa_check_r11))
		return -1;
	return 0;
}

/* ---- rules ---- */

static const struct {
	const char *name;
	int value;
} errnos[] = {
	{ "EBUSY", EBUSY }, { "EAGAIN", EAGAIN }, { "EIO", EIO }, { "EINVAL", EINVAL },
	{ "ENODEV", ENODEV }, { "EOPNOTSUPP", EOPNOTSUPP }, { "EACCES", EACCES }, { "ENOMEM", ENOMEM },
	{ "EPERM", EPERM }, { "EINTR", EINTR }, { "EFAULT", EFAULT }, { "ENOSPC", ENOSPC },
};

static int parse_leaf(struct pl *L, yaml_node_t *n, int *out)
{
	const char *s = sval(n);
	if (!s || !*s)
		FAIL(L, n, "rule: 'leaf' must be a leaf name, a leaf number or any");
	if (!strcmp(s, "any")) {
		*out = -1;
		return 0;
	}
	if (*s >= '0' && *s <= '9') {
		unsigned v;
		if (want_uint(L, n, "rule: ", "leaf", 0xFFFF, &v))
			return -1;
		*out = (int)v;
		return 0;
	}
	if (L->table) {
		const struct tdxsim_leaf *lf = tdxsim_table_find_leaf(L->table, s);
		if (!lf)
			FAIL(L, n, "rule: unknown leaf '%s' (not in module table %s)", s, L->table->module);
		if (lf->side != TDXSIM_SIDE_HOST)
			FAIL(L, n, "rule: leaf '%s' is a TDCALL; policies judge SEAMCALLs", s);
		*out = (int)lf->number;
		return 0;
	}
	int v = tdxsim_policy_leaf_by_name(s);
	if (v < 0)
		FAIL(L, n, "rule: unknown leaf '%s' (not a SEAMCALL of linux-kvm-tdx.md §4; give a leaf number "
			   "or load with a module table)", s);
	*out = v;
	return 0;
}

/* status: keyword | NAME | NAME|OPERAND | 0xVALUE; match: class | exact (NAME only). */
static int parse_status(struct pl *L, yaml_node_t *n, yaml_node_t *match, struct tdxsim_policy_rule *r,
			bool *operand_given)
{
	const char *s = sval(n);
	if (!s || !*s)
		FAIL(L, n, "rule: 'status' must be a status name, a 0x value or one of any, error, "
			   "informational, non_recoverable, sw_error");
	static const struct {
		const char *kw;
		uint64_t status, mask;
	} kws[] = {
		{ "any", PM_ANY }, { "error", PM_ERROR }, { "informational", PM_INFO },
		{ "non_recoverable", PM_NONREC }, { "sw_error", PM_SW_ERROR },
	};
	for (unsigned i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
		if (!strcmp(s, kws[i].kw)) {
			if (match)
				FAIL(L, match, "rule: 'match' applies to a status name, not to '%s'", s);
			r->status = kws[i].status;
			r->status_mask = kws[i].mask;
			return 0;
		}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(s, &end, 16);
		if (*end || errno || end == s + 2)
			FAIL(L, n, "rule: bad status value '%s'", s);
		if (match)
			FAIL(L, match, "rule: 'match' applies to a status name, not to a value (values match exactly)");
		r->status = v;
		r->status_mask = ~0ull;
		return 0;
	}
	char name[96];
	if (strlen(s) >= sizeof(name))
		FAIL(L, n, "rule: unknown status '%s'", s);
	strcpy(name, s);
	char *bar = strchr(name, '|');
	if (bar)
		*bar++ = 0;
	const struct tdx_status_info *info = tdx_status_by_name(name);
	if (!info)
		FAIL(L, n, "rule: unknown status '%s' (expected a TDX status name, NAME|OPERAND, a 0x value, "
			   "or any, error, informational, non_recoverable, sw_error)", name);
	/* Codes whose low bits are part of the code (Linux's software codes) match
	 * exactly; the others by class (upper 32 bits), as KVM's tdx_operand_busy(). */
	bool exact = (info->value & TDX_STATUS_OPERAND_MASK) != 0;
	if (match) {
		const char *ms = sval(match);
		if (ms && !strcmp(ms, "exact"))
			exact = true;
		else if (ms && !strcmp(ms, "class")) {
			if (info->value & TDX_STATUS_OPERAND_MASK)
				FAIL(L, match, "rule: %s carries bits 31:0 of its own; it can only match exactly",
				     name);
			exact = false;
		} else
			FAIL(L, match, "rule: 'match' must be class or exact");
	}
	if (bar) {
		if (exact)
			FAIL(L, n, "rule: '%s|%s': an operand goes with a class match", name, bar);
		int op = tdx_operand_by_name(bar);
		if (op < 0)
			FAIL(L, n, "rule: unknown operand '%s'", bar);
		r->operand = op;
		*operand_given = true;
	}
	if (exact) {
		r->status = info->value;
		r->status_mask = ~0ull;
	} else {
		r->status = info->value & TDX_SEAMCALL_STATUS_MASK;
		r->status_mask = TDX_SEAMCALL_STATUS_MASK;
	}
	return 0;
}

static int parse_rule(struct pl *L, yaml_node_t *m, struct tdxsim_policy_rule *r)
{
	static const char *const keys[] = { "site", "leaf", "status", "match", "operand", "action",
					    "max_retries", "errno", NULL };
	const char *ctx = "rule: ";
	if (m->type != YAML_MAPPING_NODE)
		FAIL(L, m, "rule: each rule must be a mapping");
	if (check_keys(L, m, ctx, keys))
		return -1;
	memset(r, 0, sizeof(*r));
	r->site = -1;
	r->leaf = -1;
	r->operand = -1;
	r->line = nline(m);
	yaml_node_t *v;
	if ((v = get(L, m, "site"))) {
		const char *s = sval(v);
		int site = s && !strcmp(s, "any") ? -1 : tdxsim_site_by_name(s);
		if (!s || (site < 0 && strcmp(s, "any")))
			FAIL(L, v, "rule: unknown site '%s' (expected any, install, remove, build, enter, teardown, init)",
			     s ? s : "");
		r->site = site;
	}
	if ((v = get(L, m, "leaf")) && parse_leaf(L, v, &r->leaf))
		return -1;
	yaml_node_t *st = get(L, m, "status");
	if (!st)
		FAIL(L, m, "rule: missing key 'status'");
	bool operand_given = false;
	if (parse_status(L, st, get(L, m, "match"), r, &operand_given))
		return -1;
	if ((v = get(L, m, "operand"))) {
		if (operand_given)
			FAIL(L, v, "rule: operand given twice (in 'status' and in 'operand')");
		const char *s = sval(v);
		int op = -1;
		if (s && *s >= '0' && *s <= '9') {
			unsigned u;
			if (want_uint(L, v, ctx, "operand", 0xFFFFFFFFu, &u))
				return -1;
			op = (int)u;
		} else {
			op = s ? tdx_operand_by_name(s) : -1;
			if (op < 0)
				FAIL(L, v, "rule: unknown operand '%s'", s ? s : "");
		}
		r->operand = op;
	}
	yaml_node_t *act = get(L, m, "action");
	if (!act)
		FAIL(L, m, "rule: missing key 'action'");
	int a = tdxsim_action_by_name(sval(act));
	if (a < 0)
		FAIL(L, act, "rule: unknown action '%s' (expected ok, errno, retry, kick_retry, bug, "
			     "exit_fastpath, reenter, warn)", sval(act) ? sval(act) : "");
	r->action = (enum tdxsim_action)a;
	if ((v = get(L, m, "max_retries"))) {
		if (a != TDXSIM_ACT_RETRY && a != TDXSIM_ACT_KICK_RETRY)
			FAIL(L, v, "rule: 'max_retries' is only for actions retry and kick_retry");
		if (want_uint(L, v, ctx, "max_retries", 1000000000u, &r->max_retries))
			return -1;
		if (a == TDXSIM_ACT_KICK_RETRY && r->max_retries == 0)
			FAIL(L, v, "rule: kick_retry needs max_retries >= 1 (tdh_do_no_vcpus retries once)");
	} else if (a == TDXSIM_ACT_KICK_RETRY) {
		r->max_retries = 1;
	}
	if ((v = get(L, m, "errno"))) {
		if (a != TDXSIM_ACT_ERRNO)
			FAIL(L, v, "rule: 'errno' is only for action errno");
		const char *s = sval(v);
		bool found = false;
		for (unsigned i = 0; s && i < sizeof(errnos) / sizeof(errnos[0]); i++)
			if (!strcmp(s, errnos[i].name)) {
				r->err = errnos[i].value;
				found = true;
			}
		if (!found)
			FAIL(L, v, "rule: unknown errno '%s' (expected EBUSY, EAGAIN, EIO, EINVAL, ENODEV, "
				   "EOPNOTSUPP, EACCES, ENOMEM, EPERM, EINTR, EFAULT, ENOSPC)", s ? s : "");
	} else if (a == TDXSIM_ACT_ERRNO) {
		FAIL(L, m, "rule: action errno needs key 'errno'");
	}
	return 0;
}

/* ---- the file ---- */

static int parse(struct pl *L, struct tdxsim_policy *p)
{
	static const char *const keys[] = { "policy", "source", "doc", "kick_before_block", "fault",
					    "guest", "rules", NULL };
	yaml_node_t *root = yaml_document_get_root_node(&L->doc);
	if (root->type != YAML_MAPPING_NODE)
		FAIL(L, root, "a policy file is a mapping (policy:, source:, fault:, guest:, rules:)");
	if (check_keys(L, root, "", keys))
		return -1;
	/* Defaults: upstream Linux's fault loop and guest (docs/policy.md). */
	memset(p, 0, sizeof(*p));
	p->fault = tdxsim_policy_builtin("kvm-6.16")->fault;
	p->guest = tdxsim_policy_builtin("kvm-6.16")->guest;
	yaml_node_t *v = get(L, root, "policy");
	if (!v)
		FAIL(L, root, "missing key 'policy' (the policy's name)");
	if (want_text(L, v, "policy", p->name, sizeof(p->name)))
		return -1;
	if (!p->name[0])
		FAIL(L, v, "'policy' must not be empty");
	if ((v = get(L, root, "source")) && want_text(L, v, "source", p->source, sizeof(p->source)))
		return -1;
	if ((v = get(L, root, "doc")) && !sval(v))
		FAIL(L, v, "'doc' must be a string");
	if ((v = get(L, root, "kick_before_block")) &&
	    want_bool(L, v, "", "kick_before_block", &p->kick_before_block))
		return -1;
	if ((v = get(L, root, "fault")) && parse_fault(L, v, &p->fault))
		return -1;
	if ((v = get(L, root, "guest")) && parse_guest(L, v, &p->guest))
		return -1;
	yaml_node_t *rules = get(L, root, "rules");
	if (!rules)
		FAIL(L, root, "missing key 'rules'");
	if (rules->type != YAML_SEQUENCE_NODE)
		FAIL(L, rules, "'rules' must be a list of rules");
	for (yaml_node_item_t *it = rules->data.sequence.items.start; it < rules->data.sequence.items.top;
	     it++) {
		yaml_node_t *rn = node(L, *it);
		if (p->nrules >= TDXSIM_POLICY_MAX_RULES)
			FAIL(L, rn, "too many rules (at most %d)", TDXSIM_POLICY_MAX_RULES);
		if (parse_rule(L, rn, &p->rules[p->nrules]))
			return -1;
		p->nrules++;
	}
	if (p->nrules == 0)
		FAIL(L, rules, "'rules' is empty: a policy needs at least one rule");
	return 0;
}

int tdxsim_policy_load_ex(const char *path, const struct tdxsim_table *t, struct tdxsim_policy *out,
			  struct tdxsim_error *err)
{
	struct pl L = { .file = path, .table = t, .err = err };
	if (load_doc(&L) < 0)
		return -1;
	struct tdxsim_policy *p = calloc(1, sizeof(*p));
	if (!p) {
		yaml_document_delete(&L.doc);
		tdxsim_error_set(err, path, 0, "out of memory");
		return -1;
	}
	int rc = parse(&L, p);
	yaml_document_delete(&L.doc);
	if (rc == 0)
		*out = *p;
	free(p);
	return rc;
}

int tdxsim_policy_load(const char *path, struct tdxsim_policy *out, struct tdxsim_error *err)
{
	return tdxsim_policy_load_ex(path, NULL, out, err);
}
