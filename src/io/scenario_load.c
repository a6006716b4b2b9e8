/* SPDX-License-Identifier: MIT */
/*
 * Scenario loader (DESIGN §6; format: docs/scenario.md).  Every error is one
 * "file:line: message".  Names are resolved here, so that a scenario that
 * loads also runs: the module table and the VMM profile (by name in the data
 * directory, or by path relative to the scenario file), the policy
 * (tdxsim_policy_resolve), program names and their arguments, properties,
 * counters in `expect:`, and leaf names in `latency:`.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/stats.h"
#include "guest/guest.h"
#include "io/yaml_util.h"
#include "tdxsim/profile.h"
#include "tdxsim/scenario.h"
#include "tdxsim/table.h"
#include "vmm/vmm.h"

/* ---- names ------------------------------------------------------------------ */

static const char *const prop_names[] = {
	"deadlock", "vm_bug", "invariants", "livelock", "starvation",
	"retry_bound", "mapgpa", "halt", "user_exit", NULL,
};

const char *tdxsim_property_name(enum tdxsim_property p)
{
	for (unsigned i = 0; prop_names[i]; i++)
		if ((uint32_t)p == 1u << i)
			return prop_names[i];
	return "?";
}

int tdxsim_property_by_name(const char *name)
{
	for (unsigned i = 0; prop_names[i]; i++)
		if (!strcmp(prop_names[i], name))
			return (int)(1u << i);
	return -1;
}

static const char *const outcome_names[] = { "done", "time", "steps", "deadlock", "stall", NULL };

const char *tdxsim_outcome_name(enum tdxsim_outcome o)
{
	if (o == TDXSIM_OUTCOME_ANY)
		return "any";
	return (unsigned)o < 5 ? outcome_names[o] : "?";
}

int tdxsim_outcome_by_name(const char *name)
{
	for (int i = 0; outcome_names[i]; i++)
		if (!strcmp(outcome_names[i], name))
			return i;
	return -1;
}

/* Properties the simulator can judge from one run (docs/sim.md). */
#define SIM_JUDGED (TDXSIM_PROP_DEADLOCK | TDXSIM_PROP_VM_BUG | TDXSIM_PROP_INVARIANTS |      \
		    TDXSIM_PROP_LIVELOCK | TDXSIM_PROP_RETRY_BOUND | TDXSIM_PROP_HALT |         \
		    TDXSIM_PROP_USER_EXIT | TDXSIM_PROP_MAPGPA)

/* ---- programs and their arguments -------------------------------------------- */

enum arg_kind {
	A_VM,       /* a VM index < td.vms */
	A_VCPU,     /* a vCPU index < td.vcpus */
	A_LP,       /* a logical processor < platform.lps */
	A_GPA,      /* a private GPA, 4K aligned, inside the TD's private range */
	A_PAGES,    /* a page count, 1.. and the range must stay inside the TD's range */
	A_COUNT,    /* any count >= 1 */
	A_COUNT0,   /* any count (0 = unbounded) */
	A_SLOT,     /* a memslot index < td.memslots */
	A_BOOL,     /* true / false */
};

struct prog_arg {
	const char *name;
	enum arg_kind kind;
	int def;    /* -1: required; -2: default from the scenario (gpa: private_base,
	             * pages: the whole range from gpa); else the default value */
	int slot;   /* 0: the next register a0, a1, a2 in order; 1 + n: OR into a[n] ... */
	int shift;  /* ... shifted left by this many bits (flags) */
	bool invert;/* A_BOOL: the flag is set when the value is false */
};

#define MAX_PROG_ARGS 4
struct prog_def {
	const char *name;
	int id;
	struct prog_arg args[MAX_PROG_ARGS];
};

#define ARG(n, k, d) { n, k, d, 0, 0, false }
#define NOARG { NULL, 0, 0, 0, 0, false }
static const struct prog_def vmm_progs[] = {
	/* a0 = flags, 1: no VMXON (a SEAMCALL before VMXON: #UD). */
	{ "module_init", VMM_PROG_MODULE_INIT, { { "vmxon", A_BOOL, 1, 1, 0, true }, NOARG, NOARG, NOARG } },
	{ "cpu_online", VMM_PROG_CPU_ONLINE, { ARG("cpu", A_LP, -1), NOARG, NOARG, NOARG } },
	{ "cpu_offline", VMM_PROG_CPU_OFFLINE, { ARG("cpu", A_LP, -1), NOARG, NOARG, NOARG } },
	{ "td_create", VMM_PROG_TD_CREATE, { ARG("vm", A_VM, 0), NOARG, NOARG, NOARG } },
	/* a0 = vm | flags << 8, flag 1: do not measure (no TDH.MR.EXTEND). */
	{ "td_init_mem", VMM_PROG_TD_INIT_MEM,
	  { ARG("vm", A_VM, 0), ARG("gpa", A_GPA, -2), ARG("pages", A_PAGES, -2),
	    { "measure", A_BOOL, 1, 1, 8, true } } },
	{ "td_finalize", VMM_PROG_TD_FINALIZE, { ARG("vm", A_VM, 0), NOARG, NOARG, NOARG } },
	{ "vcpu_init", VMM_PROG_VCPU_INIT, { ARG("vm", A_VM, 0), ARG("vcpu", A_VCPU, 0), NOARG, NOARG } },
	{ "zap_range", VMM_PROG_ZAP_RANGE,
	  { ARG("vm", A_VM, 0), ARG("gpa", A_GPA, -2), ARG("pages", A_PAGES, -2), NOARG } },
	{ "memslot_delete", VMM_PROG_MEMSLOT_DELETE,
	  { ARG("vm", A_VM, 0), ARG("slot", A_SLOT, 0), NOARG, NOARG } },
	{ "td_teardown", VMM_PROG_TD_TEARDOWN, { ARG("vm", A_VM, 0), NOARG, NOARG, NOARG } },
	{ "prefault", VMM_PROG_PREFAULT,
	  { ARG("vm", A_VM, 0), ARG("gpa", A_GPA, -2), ARG("pages", A_PAGES, -2), NOARG } },
	{ NULL, 0, { NOARG, NOARG, NOARG, NOARG } },
};

static const struct prog_def guest_progs[] = {
	{ "idle", GUEST_PROG_IDLE, { NOARG, NOARG, NOARG, NOARG } },
	{ "accept", GUEST_PROG_ACCEPT, { ARG("gpa", A_GPA, -2), ARG("pages", A_PAGES, -2), NOARG, NOARG } },
	{ "access_seq", GUEST_PROG_ACCESS_SEQ,
	  { ARG("gpa", A_GPA, -2), ARG("pages", A_PAGES, -2), ARG("rounds", A_COUNT, 1), NOARG } },
	{ "access_random", GUEST_PROG_ACCESS_RANDOM,
	  { ARG("gpa", A_GPA, -2), ARG("pages", A_PAGES, -2), ARG("count", A_COUNT, -1), NOARG } },
	{ "zero_step", GUEST_PROG_ZERO_STEP,
	  { ARG("gpa", A_GPA, -2), ARG("pages", A_PAGES, -2), NOARG, NOARG } },
	{ "mapgpa", GUEST_PROG_MAPGPA,
	  { ARG("gpa", A_GPA, -2), ARG("pages", A_PAGES, -2), ARG("private", A_BOOL, 0), NOARG } },
	{ NULL, 0, { NOARG, NOARG, NOARG, NOARG } },
};

/* The vCPU actor's host program. */
static const struct prog_def vcpu_run_def = {
	"vcpu_run", VMM_PROG_VCPU_RUN,
	{ ARG("vm", A_VM, 0), ARG("vcpu", A_VCPU, -1), ARG("entries", A_COUNT0, 0), NOARG },
};

static const struct prog_def *find_prog(const struct prog_def *tab, const char *name)
{
	for (; tab->name; tab++)
		if (!strcmp(tab->name, name))
			return tab;
	return NULL;
}

static void prog_list(const struct prog_def *tab, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = 0;
	for (const struct prog_def *p = tab; p->name && off < len; p++) {
		int n = snprintf(buf + off, len - off, "%s%s", p == tab ? "" : ", ", p->name);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/* ---- loader state ----------------------------------------------------------- */

struct ld {
	struct yu y;
	struct tdxsim_scenario *s;
	struct tdxsim_error *err;
	char dir[PATH_MAX];       /* the scenario file's directory */
	const char *file;
	/* Nodes kept for the second pass (programs need the sizes first). */
	yaml_node_t *n_setup, *n_actors, *n_expect, *n_check, *n_latency, *n_policy;
	struct tdxsim_table *table;
};

static int fail(struct ld *L, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct ld *L, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[TDXSIM_ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tdxsim_error_set(L->err, L->file, yu_line(n), "%s", msg);
	return -1;
}

static int copy_str(struct ld *L, const yaml_node_t *n, const char *key, char *dst, size_t len)
{
	const char *v;
	if (yu_scalar(&L->y, n, "", key, &v))
		return -1;
	if (strlen(v) >= len)
		return fail(L, n, "'%s' is too long (at most %zu characters)", key, len - 1);
	strcpy(dst, v);
	return 0;
}

static int get_uint(struct ld *L, const yaml_node_t *n, const char *key, unsigned long max,
		    unsigned long *out)
{
	return yu_uint(&L->y, n, "", key, max, out);
}

/* "10ms", "1.5us", "250ns", "2s", or a plain integer in ns. */
static int get_duration(struct ld *L, const yaml_node_t *n, const char *key, uint64_t *out)
{
	const char *s = yu_str(n);
	if (!s || !*s || n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	    n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
		goto bad;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0 || s[0] == '-' || s[0] == '+' || s[0] == ' ')
		goto bad;
	double mul;
	if (!*end || !strcmp(end, "ns"))
		mul = 1;
	else if (!strcmp(end, "us"))
		mul = 1e3;
	else if (!strcmp(end, "ms"))
		mul = 1e6;
	else if (!strcmp(end, "s"))
		mul = 1e9;
	else
		goto bad;
	double ns = v * mul;
	if (ns > 1e18 || (!*end && (double)(uint64_t)v != v))
		goto bad;
	*out = (uint64_t)(ns + 0.5);
	return 0;
bad:
	return fail(L, n, "'%s' must be a duration: a number of ns, or a number with ns, us, ms or s "
			  "(e.g. 10ms)", key);
}

static int resolve_path(struct ld *L, const yaml_node_t *n, const char *key, const char *val,
			const char *subdir, char *out, size_t len)
{
	int w;
	bool is_path = strchr(val, '/') || strstr(val, ".yaml");
	if (!is_path)
		w = snprintf(out, len, "%s/%s/%s.yaml", tdxsim_data_dir(), subdir, val);
	else if (val[0] == '/')
		w = snprintf(out, len, "%s", val);
	else
		w = snprintf(out, len, "%s/%s", L->dir, val);
	if (w < 0 || (size_t)w >= len)
		return fail(L, n, "'%s': path too long", key);
	if (access(out, R_OK) != 0) {
		if (!is_path)
			return fail(L, n, "%s '%s' not found (looked for %s)", key, val, out);
		return fail(L, n, "%s file '%s' cannot be read: %s", key, out, strerror(errno));
	}
	return 0;
}

static int kernel_by_name(const char *name)
{
	if (!strcmp(name, "kvm-6.16") || !strcmp(name, "kvm-6.17") || !strcmp(name, "kvm-6.18"))
		return VMM_KVM_6_16;
	if (!strcmp(name, "kvm-6.19"))
		return VMM_KVM_6_19;
	if (!strcmp(name, "kvm-2026") || !strcmp(name, "kvm-x86-2026"))
		return VMM_KVM_2026;
	return -1;
}

/* ---- sections --------------------------------------------------------------- */

static int load_platform(struct ld *L, const yaml_node_t *m)
{
	static const char *const keys[] = {
		"lps", "packages", "frames", "tdmrs", "hkids", "max_tds", "max_vcpus",
		"max_sept_pages", "cache_wb_chunks", "vmx_off", "module_not_loaded",
		"check_invariants", "hp_lock_timeout", NULL,
	};
	if (!yu_is_map(m))
		return fail(L, m, "'platform' must be a mapping");
	if (yu_check_keys(&L->y, m, keys, "platform: ", ""))
		return -1;
	struct tdxsim_module_config *c = &L->s->platform;
	unsigned long v;
	yaml_node_t *n;
#define UINT_KEY(k, field, lo, hi)                                                        \
	if ((n = yu_get(&L->y, m, k))) {                                                 \
		if (get_uint(L, n, k, hi, &v))                                            \
			return -1;                                                        \
		if (v < (lo))                                                             \
			return fail(L, n, "'%s' must be at least %u", k, (unsigned)(lo));  \
		c->field = (unsigned)v;                                                   \
	}
	UINT_KEY("lps", n_lps, 1, 4096)
	UINT_KEY("packages", n_pkgs, 1, 8)
	UINT_KEY("frames", n_frames, 16, 1ul << 26)
	UINT_KEY("tdmrs", n_tdmrs, 1, 64)
	UINT_KEY("hkids", n_hkids, 3, 2048)
	UINT_KEY("max_tds", max_tds, 1, 4096)
	UINT_KEY("max_vcpus", max_vcpus, 1, 65536)
	UINT_KEY("max_sept_pages", max_sept_pages, 1, 1ul << 22)
	UINT_KEY("cache_wb_chunks", cache_wb_chunks, 1, 1000)
#undef UINT_KEY
	if ((n = yu_get(&L->y, m, "vmx_off")) && yu_bool(&L->y, n, "", "vmx_off", &c->lps_vmx_off))
		return -1;
	if ((n = yu_get(&L->y, m, "module_not_loaded")) &&
	    yu_bool(&L->y, n, "", "module_not_loaded", &c->module_not_loaded))
		return -1;
	if ((n = yu_get(&L->y, m, "check_invariants")) &&
	    yu_bool(&L->y, n, "", "check_invariants", &c->check_invariants))
		return -1;
	if ((n = yu_get(&L->y, m, "hp_lock_timeout")) &&
	    get_duration(L, n, "hp_lock_timeout", &c->hp_lock_timeout_ns))
		return -1;
	if (c->n_lps && c->n_pkgs > c->n_lps)
		return fail(L, yu_get(&L->y, m, "packages"), "'packages' (%u) exceeds 'lps' (%u)",
			    c->n_pkgs, c->n_lps);
	return 0;
}

static int load_td(struct ld *L, const yaml_node_t *m)
{
	static const char *const keys[] = {
		"vms", "vcpus", "pages", "private_base", "memslots", "hp_timeout", NULL,
	};
	if (!yu_is_map(m))
		return fail(L, m, "'td' must be a mapping");
	if (yu_check_keys(&L->y, m, keys, "td: ", ""))
		return -1;
	struct tdxsim_scenario *s = L->s;
	unsigned long v;
	yaml_node_t *n;
	if ((n = yu_get(&L->y, m, "vms"))) {
		if (get_uint(L, n, "vms", 64, &v))
			return -1;
		if (!v)
			return fail(L, n, "'vms' must be at least 1");
		s->n_vms = (unsigned)v;
	}
	if ((n = yu_get(&L->y, m, "vcpus"))) {
		if (get_uint(L, n, "vcpus", 576, &v))
			return -1;
		if (!v)
			return fail(L, n, "'vcpus' must be at least 1");
		s->n_vcpus = (unsigned)v;
	}
	if ((n = yu_get(&L->y, m, "pages"))) {
		if (get_uint(L, n, "pages", 1ul << 24, &v))
			return -1;
		if (!v)
			return fail(L, n, "'pages' must be at least 1");
		s->n_pages = (unsigned)v;
	}
	if ((n = yu_get(&L->y, m, "memslots"))) {
		if (get_uint(L, n, "memslots", 64, &v))
			return -1;
		if (!v)
			return fail(L, n, "'memslots' must be at least 1");
		s->n_memslots = (unsigned)v;
	}
	if ((n = yu_get(&L->y, m, "private_base"))) {
		if (get_uint(L, n, "private_base", (1ul << 47) - 1, &v))
			return -1;
		if (v & 0xFFF)
			return fail(L, n, "'private_base' must be 4 KiB aligned");
		s->private_base = v;
	}
	if ((n = yu_get(&L->y, m, "hp_timeout"))) {
		const char *str = yu_str(n);
		if (str && !strcmp(str, "off")) {
			s->hp_timeout_off = true;
		} else {
			uint64_t ns;
			if (get_duration(L, n, "hp_timeout", &ns))
				return -1;
			/* reference tdx-module §1.7: MIN/MAX_HP_LOCK_TIMEOUT_USEC */
			if (ns < 10000000ull || ns > 100000000000ull || ns % 1000)
				return fail(L, n, "'hp_timeout' must be 'off' or whole microseconds "
						  "between 10ms and 100s (TDCS range, tdx-module §1.7)");
			s->hp_timeout_us = ns / 1000;
		}
	}
	if (s->private_base + (uint64_t)s->n_pages * 4096 > (1ull << 47))
		return fail(L, m, "the private range [private_base, +pages) must stay below 2^47");
	return 0;
}

static int load_sim(struct ld *L, const yaml_node_t *m)
{
	static const char *const keys[] = { "time", "seed", "stall", "max_steps", NULL };
	if (!yu_is_map(m))
		return fail(L, m, "'sim' must be a mapping");
	if (yu_check_keys(&L->y, m, keys, "sim: ", ""))
		return -1;
	yaml_node_t *n;
	unsigned long v;
	if ((n = yu_get(&L->y, m, "time")) && get_duration(L, n, "time", &L->s->sim_time_ns))
		return -1;
	if ((n = yu_get(&L->y, m, "stall")) && get_duration(L, n, "stall", &L->s->stall_ns))
		return -1;
	if ((n = yu_get(&L->y, m, "seed"))) {
		if (get_uint(L, n, "seed", ULONG_MAX, &v))
			return -1;
		L->s->seed = v;
	}
	if ((n = yu_get(&L->y, m, "max_steps"))) {
		if (get_uint(L, n, "max_steps", ULONG_MAX, &v))
			return -1;
		L->s->max_steps = v;
	}
	return 0;
}

static int load_props(struct ld *L, const yaml_node_t *n, const char *key, uint32_t *out)
{
	const char *names[16];
	const yaml_node_t *nodes[16];
	unsigned cnt;
	if (yu_scalar_list(&L->y, n, "", key, names, nodes, 16, &cnt))
		return -1;
	*out = 0;
	for (unsigned i = 0; i < cnt; i++) {
		int p = tdxsim_property_by_name(names[i]);
		if (p < 0)
			return fail(L, nodes[i], "unknown property '%s' in '%s' (expected deadlock, vm_bug, "
						 "invariants, livelock, starvation, retry_bound, mapgpa, "
						 "halt, user_exit)", names[i], key);
		*out |= (uint32_t)p;
	}
	return 0;
}

/* A counter bound: N, ">= N", "<= N", "> N", "< N", "N..M". */
static int parse_bound(struct ld *L, const yaml_node_t *n, const char *name, uint64_t *lo, uint64_t *hi)
{
	const char *s = yu_str(n);
	if (!s || !*s)
		goto bad;
	char *end;
	const char *p = s;
	int op = 0; /* 0 =, 1 >=, 2 <=, 3 >, 4 < */
	if (!strncmp(p, ">=", 2)) { op = 1; p += 2; }
	else if (!strncmp(p, "<=", 2)) { op = 2; p += 2; }
	else if (*p == '>') { op = 3; p++; }
	else if (*p == '<') { op = 4; p++; }
	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		goto bad;
	errno = 0;
	unsigned long long a = strtoull(p, &end, 10);
	if (errno)
		goto bad;
	if (op == 0 && end[0] == '.' && end[1] == '.') {
		const char *q = end + 2;
		if (*q < '0' || *q > '9')
			goto bad;
		unsigned long long b = strtoull(q, &end, 10);
		if (errno || *end || b < a)
			goto bad;
		*lo = a;
		*hi = b;
		return 0;
	}
	if (*end)
		goto bad;
	switch (op) {
	case 0: *lo = *hi = a; break;
	case 1: *lo = a; *hi = UINT64_MAX; break;
	case 2: *lo = 0; *hi = a; break;
	case 3: if (a == UINT64_MAX) goto bad; *lo = a + 1; *hi = UINT64_MAX; break;
	case 4: if (a == 0) goto bad; *lo = 0; *hi = a - 1; break;
	}
	return 0;
bad:
	return fail(L, n, "expect: '%s' must be a number or a bound: N, \">= N\", \"<= N\", \"> N\", "
			  "\"< N\" or N..M", name);
}

static int load_expect(struct ld *L, const yaml_node_t *m, struct tdxsim_expect *e, bool sim)
{
	const char *what = sim ? "expect" : "check";
	if (!yu_is_map(m))
		return fail(L, m, "'%s' must be a mapping", what);
	e->set = true;
	e->outcome = TDXSIM_OUTCOME_ANY;
	e->line = yu_line(m);
	unsigned n = yu_map_len(m);
	for (unsigned i = 0; i < n; i++) {
		yaml_node_t *k = yu_map_key(&L->y, m, i), *v = yu_map_val(&L->y, m, i);
		const char *ks = yu_str(k);
		if (!ks)
			return fail(L, k, "%s: keys must be plain names", what);
		for (unsigned j = 0; j < i; j++) {
			const char *kj = yu_str(yu_map_key(&L->y, m, j));
			if (kj && !strcmp(kj, ks))
				return fail(L, k, "%s: duplicate key '%s'", what, ks);
		}
		if (!strcmp(ks, "holds")) {
			if (load_props(L, v, "holds", &e->holds))
				return -1;
		} else if (!strcmp(ks, "violated")) {
			if (load_props(L, v, "violated", &e->violated))
				return -1;
		} else if (!strcmp(ks, "notes")) {
			const char *s;
			if (yu_scalar(&L->y, v, "", "notes", &s))
				return -1;
			snprintf(e->notes, sizeof(e->notes), "%s", s);
		} else if (sim && !strcmp(ks, "outcome")) {
			const char *s = yu_str(v);
			int o = s ? tdxsim_outcome_by_name(s) : -1;
			if (o < 0)
				return fail(L, v, "expect: 'outcome' must be one of done, time, steps, "
						  "deadlock, stall");
			e->outcome = o;
		} else if (sim && stats_counter_by_name(ks) >= 0) {
			if (e->ncounters == TDXSIM_SCN_MAX_COUNTERS)
				return fail(L, k, "expect: at most %d counter bounds", TDXSIM_SCN_MAX_COUNTERS);
			struct tdxsim_expect_counter *c = &e->counters[e->ncounters++];
			snprintf(c->name, sizeof(c->name), "%s", ks);
			c->line = yu_line(k);
			if (parse_bound(L, v, ks, &c->min, &c->max))
				return -1;
		} else if (sim) {
			char list[512];
			size_t off = 0;
			list[0] = 0;
			for (int c = 0; c < ST__COUNT && off < sizeof(list); c++) {
				int w = snprintf(list + off, sizeof(list) - off, ", %s",
						 stats_counter_name((enum stats_counter)c));
				if (w < 0)
					break;
				off += (size_t)w;
			}
			return fail(L, k, "expect: unknown key '%s' (expected outcome, holds, violated, "
					  "notes, or a counter: %s)", ks, list + 2);
		} else {
			return fail(L, k, "check: unknown key '%s' (expected holds, violated, notes)", ks);
		}
	}
	if (e->holds & e->violated)
		return fail(L, m, "%s: property '%s' is listed both in holds and violated", what,
			    tdxsim_property_name((enum tdxsim_property)(e->holds & e->violated &
								     -(e->holds & e->violated))));
	uint32_t all = e->holds | e->violated;
	if (all & ~L->s->properties) {
		uint32_t b = all & ~L->s->properties;
		b &= -b;
		return fail(L, m, "%s: property '%s' is not in 'properties'", what,
			    tdxsim_property_name((enum tdxsim_property)b));
	}
	if (sim && (all & ~(uint32_t)SIM_JUDGED)) {
		uint32_t b = all & ~(uint32_t)SIM_JUDGED;
		b &= -b;
		return fail(L, m, "expect: the simulator cannot judge '%s' from one run; state it under "
				  "'check:' (or bound a counter)", tdxsim_property_name((enum tdxsim_property)b));
	}
	return 0;
}

/* ---- programs --------------------------------------------------------------- */

/* Check one argument value (the scenario's sizes are known). */
static int check_arg(struct ld *L, const yaml_node_t *n, const char *ctx, const struct prog_arg *a,
		     uint64_t v, uint64_t gpa)
{
	const struct tdxsim_scenario *s = L->s;
	uint64_t range_end = s->private_base + (uint64_t)s->n_pages * 4096;
	switch (a->kind) {
	case A_VM:
		if (v >= s->n_vms)
			return fail(L, n, "%s'vm' %llu out of range (td.vms = %u)", ctx,
				    (unsigned long long)v, s->n_vms);
		break;
	case A_VCPU:
		if (v >= s->n_vcpus)
			return fail(L, n, "%s'vcpu' %llu out of range (td.vcpus = %u)", ctx,
				    (unsigned long long)v, s->n_vcpus);
		break;
	case A_LP:
		if (v >= s->platform.n_lps)
			return fail(L, n, "%s'%s' %llu out of range (platform.lps = %u)", ctx, a->name,
				    (unsigned long long)v, s->platform.n_lps);
		break;
	case A_SLOT:
		if (v >= s->n_memslots)
			return fail(L, n, "%s'slot' %llu out of range (td.memslots = %u)", ctx,
				    (unsigned long long)v, s->n_memslots);
		break;
	case A_GPA:
		if (v & 0xFFF)
			return fail(L, n, "%s'gpa' 0x%llx is not 4 KiB aligned", ctx, (unsigned long long)v);
		if (v < s->private_base || v >= range_end)
			return fail(L, n, "%s'gpa' 0x%llx is outside the TD's private range [0x%llx, 0x%llx)",
				    ctx, (unsigned long long)v, (unsigned long long)s->private_base,
				    (unsigned long long)range_end);
		break;
	case A_PAGES:
		if (!v)
			return fail(L, n, "%s'pages' must be at least 1", ctx);
		if (v > (range_end - gpa) / 4096)
			return fail(L, n, "%s'pages' %llu runs past the end of the TD's private range "
					  "(%llu pages from 0x%llx)", ctx, (unsigned long long)v,
				    (unsigned long long)((range_end - gpa) / 4096), (unsigned long long)gpa);
		break;
	case A_COUNT:
		if (!v)
			return fail(L, n, "%s'%s' must be at least 1", ctx, a->name);
		break;
	case A_COUNT0:
	case A_BOOL:
		break;
	}
	return 0;
}

/* Fill p from node `n`: a bare program name (every argument takes its default), or
 * a mapping whose `run:` names the program (unless `def` is given) and whose other
 * keys are the program's arguments, plus the `extra` keys the caller reads. */
static int load_program(struct ld *L, const yaml_node_t *n, const struct prog_def *tab,
			const char *what, const struct prog_def *def, const char *const *extra,
			struct tdxsim_program *p)
{
	const struct prog_def *d = def;
	bool map = yu_is_map(n);
	memset(p, 0, sizeof(*p));
	p->line = yu_line(n);
	if (!d) {
		const yaml_node_t *run = map ? yu_get(&L->y, n, "run") : n;
		if (!run)
			return fail(L, n, "%s: missing 'run' (the program to run)", what);
		const char *name = yu_str(run);
		if (!map && !name)
			return fail(L, n, "%s: a program name or { run: NAME, ... }", what);
		d = name ? find_prog(tab, name) : NULL;
		if (!d) {
			char list[512];
			prog_list(tab, list, sizeof(list));
			return fail(L, run, "%s: unknown program '%s' (expected one of: %s)", what,
				    name ? name : "", list);
		}
	}
	p->id = d->id;
	char ctx[96];
	snprintf(ctx, sizeof(ctx), "%s (%s): ", what, d->name);
	if (map) {
		const char *keys[16];
		unsigned nk = 0;
		if (!def)
			keys[nk++] = "run";
		for (unsigned i = 0; i < MAX_PROG_ARGS && d->args[i].name; i++)
			keys[nk++] = d->args[i].name;
		for (unsigned i = 0; extra && extra[i]; i++)
			keys[nk++] = extra[i];
		keys[nk] = NULL;
		if (yu_check_keys(&L->y, n, keys, ctx, ""))
			return -1;
	}
	const struct tdxsim_scenario *s = L->s;
	uint64_t range_end = s->private_base + (uint64_t)s->n_pages * 4096;
	uint64_t gpa = s->private_base;
	unsigned pos = 0;
	for (unsigned i = 0; i < MAX_PROG_ARGS && d->args[i].name; i++) {
		const struct prog_arg *a = &d->args[i];
		const yaml_node_t *vn = map ? yu_get(&L->y, n, a->name) : NULL;
		uint64_t v;
		if (!vn) {
			if (a->def == -1)
				return fail(L, n, "%smissing argument '%s'%s", ctx, a->name,
					    map ? "" : " (write { run: NAME, ARG: VALUE })");
			if (a->def == -2 && a->kind == A_GPA)
				v = s->private_base;
			else if (a->def == -2 && a->kind == A_PAGES)
				v = (range_end - gpa) / 4096;
			else
				v = (uint64_t)a->def;
		} else if (a->kind == A_BOOL) {
			bool b;
			if (yu_bool(&L->y, vn, ctx, a->name, &b))
				return -1;
			v = b;
		} else {
			unsigned long lv;
			if (yu_uint(&L->y, vn, ctx, a->name, ULONG_MAX, &lv))
				return -1;
			v = lv;
			if (check_arg(L, vn, ctx, a, v, gpa))
				return -1;
		}
		if (a->kind == A_GPA)
			gpa = v;
		if (a->kind == A_BOOL && a->invert)
			v = !v;
		if (a->slot == 0) {
			if (pos < 3)
				p->a[pos++] = v;
		} else {
			p->a[a->slot - 1] |= v << a->shift;
		}
	}
	return 0;
}

static int add_setup(struct ld *L, const yaml_node_t *at, int id, uint64_t a0, uint64_t a1, unsigned lp)
{
	if (L->s->nsetup == TDXSIM_SCN_MAX_SETUP)
		return fail(L, at, "setup: at most %d programs", TDXSIM_SCN_MAX_SETUP);
	struct tdxsim_program *p = &L->s->setup[L->s->nsetup++];
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->a[0] = a0;
	p->a[1] = a1;
	p->lp = lp;
	p->line = yu_line(at);
	return 0;
}

/* Setup shorthands (docs/scenario.md): boot = module_init; build = td_create and
 * vcpu_init of every vCPU (vCPU v on LP v mod lps), per VM; finalize = td_finalize
 * per VM; runnable = boot, build, finalize. */
static int expand_setup(struct ld *L, const yaml_node_t *at, const char *m)
{
	const struct tdxsim_scenario *s = L->s;
	bool all = !strcmp(m, "runnable");
	if ((all || !strcmp(m, "boot")) && add_setup(L, at, VMM_PROG_MODULE_INIT, 0, 0, 0))
		return -1;
	if (all || !strcmp(m, "build"))
		for (unsigned vm = 0; vm < s->n_vms; vm++) {
			if (add_setup(L, at, VMM_PROG_TD_CREATE, vm, 0, 0))
				return -1;
			for (unsigned v = 0; v < s->n_vcpus; v++)
				if (add_setup(L, at, VMM_PROG_VCPU_INIT, vm, v, v % s->platform.n_lps))
					return -1;
		}
	if (all || !strcmp(m, "finalize"))
		for (unsigned vm = 0; vm < s->n_vms; vm++)
			if (add_setup(L, at, VMM_PROG_TD_FINALIZE, vm, 0, 0))
				return -1;
	return 0;
}

static int load_setup(struct ld *L, const yaml_node_t *seq)
{
	if (!yu_is_seq(seq))
		return fail(L, seq, "'setup' must be a list of programs");
	static const char *const extra[] = { "lp", NULL };
	unsigned n = yu_seq_len(seq);
	for (unsigned i = 0; i < n; i++) {
		yaml_node_t *it = yu_seq_item(&L->y, seq, i);
		if (L->s->nsetup == TDXSIM_SCN_MAX_SETUP)
			return fail(L, it, "setup: at most %d programs", TDXSIM_SCN_MAX_SETUP);
		struct tdxsim_program *p = &L->s->setup[L->s->nsetup];
		const char *macro = yu_str(it);
		if (macro && (!strcmp(macro, "boot") || !strcmp(macro, "build") ||
			      !strcmp(macro, "finalize") || !strcmp(macro, "runnable"))) {
			if (expand_setup(L, it, macro))
				return -1;
			continue;
		}
		if (!yu_str(it) && !yu_is_map(it))
			return fail(L, it, "setup: each entry is a program name or { run: NAME, ... }");
		if (load_program(L, it, vmm_progs, "setup", NULL, extra, p))
			return -1;
		yaml_node_t *lp = yu_is_map(it) ? yu_get(&L->y, it, "lp") : NULL;
		if (lp) {
			unsigned long v;
			if (get_uint(L, lp, "lp", L->s->platform.n_lps - 1, &v))
				return -1;
			p->lp = (unsigned)v;
		}
		L->s->nsetup++;
	}
	return 0;
}

static int load_actors(struct ld *L, const yaml_node_t *seq)
{
	if (!yu_is_seq(seq))
		return fail(L, seq, "'actors' must be a list");
	unsigned n = yu_seq_len(seq);
	if (n > TDXSIM_SCN_MAX_ACTORS)
		return fail(L, seq, "actors: at most %d actors", TDXSIM_SCN_MAX_ACTORS);
	for (unsigned i = 0; i < n; i++) {
		yaml_node_t *it = yu_seq_item(&L->y, seq, i);
		struct tdxsim_actor_spec *a = &L->s->actors[L->s->nactors];
		memset(a, 0, sizeof(*a));
		a->line = yu_line(it);
		if (!yu_is_map(it))
			return fail(L, it, "actors: each actor is a mapping (a vCPU with 'vcpu:', or a "
					   "thread with 'run:')");
		yaml_node_t *vc = yu_get(&L->y, it, "vcpu"), *run = yu_get(&L->y, it, "run");
		yaml_node_t *nm = yu_get(&L->y, it, "name"), *lp = yu_get(&L->y, it, "lp");
		if (run)
			vc = NULL; /* a thread; its `vcpu:` is the program's argument */
		if (!vc && !run)
			return fail(L, it, "actors: an actor needs 'vcpu:' (a vCPU running KVM_RUN) or "
					   "'run:' (a host thread running a VMM program)");
		if (vc) {
			static const char *const keys[] = { "name", "vcpu", "vm", "lp", "entries", "guest",
							    "start", NULL };
			if (yu_check_keys(&L->y, it, keys, "actors (vCPU): ", ""))
				return -1;
			static const char *const extra[] = { "name", "lp", "guest", "start", NULL };
			if (load_program(L, it, vmm_progs, "actors", &vcpu_run_def, extra, &a->host))
				return -1;
			a->kind = TDXSIM_ACTOR_VCPU;
			a->vm = (unsigned)a->host.a[0];
			a->vcpu = (unsigned)a->host.a[1];
			for (unsigned j = 0; j < L->s->nactors; j++)
				if (L->s->actors[j].kind == TDXSIM_ACTOR_VCPU && L->s->actors[j].vm == a->vm &&
				    L->s->actors[j].vcpu == a->vcpu)
					return fail(L, vc, "actors: vCPU %u of VM %u already has an actor "
							   "(line %u)", a->vcpu, a->vm, L->s->actors[j].line);
			yaml_node_t *g = yu_get(&L->y, it, "guest");
			if (g) {
				if (load_program(L, g, guest_progs, "guest", NULL, NULL, &a->guest))
					return -1;
			} else {
				a->guest.id = GUEST_PROG_IDLE;
				a->guest.line = a->line;
			}
		} else {
			static const char *const extra[] = { "name", "lp", "start", NULL };
			if (load_program(L, it, vmm_progs, "actors", NULL, extra, &a->host))
				return -1;
			a->kind = TDXSIM_ACTOR_THREAD;
		}
		yaml_node_t *st = yu_get(&L->y, it, "start");
		if (st && get_duration(L, st, "start", &a->start_ns))
			return -1;
		if (lp) {
			unsigned long v;
			if (get_uint(L, lp, "lp", L->s->platform.n_lps - 1, &v))
				return -1;
			a->lp = (unsigned)v;
		} else {
			a->lp = L->s->nactors % L->s->platform.n_lps;
		}
		a->host.lp = a->lp;
		if (nm) {
			if (copy_str(L, nm, "name", a->name, sizeof(a->name)))
				return -1;
			for (unsigned j = 0; j < L->s->nactors; j++)
				if (!strcmp(L->s->actors[j].name, a->name))
					return fail(L, nm, "actors: duplicate name '%s' (line %u)", a->name,
						    L->s->actors[j].line);
		} else if (a->kind == TDXSIM_ACTOR_VCPU) {
			if (L->s->n_vms > 1)
				snprintf(a->name, sizeof(a->name), "vm%u.vcpu%u", a->vm, a->vcpu);
			else
				snprintf(a->name, sizeof(a->name), "vcpu%u", a->vcpu);
		} else {
			const char *pn = yu_str(run);
			snprintf(a->name, sizeof(a->name), "%.30s#%u", pn ? pn : "thread", L->s->nactors);
		}
		L->s->nactors++;
	}
	return 0;
}

static int load_latency(struct ld *L, const yaml_node_t *m)
{
	if (!yu_is_map(m))
		return fail(L, m, "'latency' must be a mapping of leaf names or classes to durations");
	unsigned n = yu_map_len(m);
	for (unsigned i = 0; i < n; i++) {
		yaml_node_t *k = yu_map_key(&L->y, m, i), *v = yu_map_val(&L->y, m, i);
		const char *ks = yu_str(k);
		if (!ks || !*ks)
			return fail(L, k, "latency: keys must be leaf names or classes");
		for (unsigned j = 0; j < i; j++) {
			const char *kj = yu_str(yu_map_key(&L->y, m, j));
			if (kj && !strcmp(kj, ks))
				return fail(L, k, "latency: duplicate key '%s'", ks);
		}
		bool cls = !strcmp(ks, "lock") || !strcmp(ks, "vmm") || !strcmp(ks, "guest") ||
			   !strcmp(ks, "exit") || !strcmp(ks, "poll");
		if (!cls) {
			const struct tdxsim_leaf *lf = tdxsim_table_find_leaf(L->table, ks);
			if (!lf)
				return fail(L, k, "latency: unknown leaf or class '%s' (classes: lock, vmm, "
						  "guest, exit, poll; leaves: names in %s)", ks,
					    L->table->module);
			if (lf->number >= 64)
				return fail(L, k, "latency: leaf '%s' (number %u) cannot be given a latency",
					    ks, lf->number);
		}
		if (L->s->nlatency == TDXSIM_SCN_MAX_LATENCY)
			return fail(L, k, "latency: at most %d entries", TDXSIM_SCN_MAX_LATENCY);
		struct tdxsim_latency *l = &L->s->latency[L->s->nlatency++];
		if (strlen(ks) >= sizeof(l->leaf))
			return fail(L, k, "latency: name too long");
		strcpy(l->leaf, ks);
		if (get_duration(L, v, ks, &l->ns))
			return -1;
	}
	return 0;
}

/* ---- inputs ------------------------------------------------------------------ */

static int errno_value(const char *s)
{
	static const struct { const char *n; int v; } t[] = {
		{ "0", 0 }, { "EIO", 5 }, { "EAGAIN", 11 }, { "ENOMEM", 12 }, { "EFAULT", 14 },
		{ "EBUSY", 16 }, { "EINVAL", 22 }, { "ENOSPC", 28 }, { NULL, 0 },
	};
	for (unsigned i = 0; t[i].n; i++)
		if (!strcmp(t[i].n, s))
			return t[i].v;
	char *end;
	long v = strtol(s, &end, 10);
	if (*s && !*end && v >= 0 && v < 4096)
		return (int)v;
	return -1;
}

static int load_inputs(struct ld *L, const yaml_node_t *seq)
{
	if (!yu_is_seq(seq))
		return fail(L, seq, "'inputs' must be a list");
	unsigned n = yu_seq_len(seq);
	if (n > TDXSIM_SCN_MAX_INPUTS)
		return fail(L, seq, "inputs: at most %d entries", TDXSIM_SCN_MAX_INPUTS);
	struct tdxsim_scenario *s = L->s;
	for (unsigned i = 0; i < n; i++) {
		yaml_node_t *it = yu_seq_item(&L->y, seq, i);
		struct tdxsim_input *in = &s->inputs[s->ninputs];
		memset(in, 0, sizeof(*in));
		in->line = yu_line(it);
		if (!yu_is_map(it))
			return fail(L, it, "inputs: each input is a mapping { do: NAME, ... }");
		yaml_node_t *d = yu_get(&L->y, it, "do");
		const char *dn = d ? yu_str(d) : NULL;
		if (!d)
			return fail(L, it, "inputs: missing 'do' (event, signal, stop, interrupt, "
					   "hypercall_ret, inject)");
		static const char *const k_vcpu[] = { "do", "at", "every", "until", "vm", "vcpu", "value", NULL };
		static const char *const k_stop[] = { "do", "at", "vm", "vcpu", NULL };
		static const char *const k_intr[] = { "do", "at", "every", "until", "vm", "vcpu", NULL };
		static const char *const k_hc[] = { "do", "at", "vm", "ret", "chunk", "r11", NULL };
		static const char *const k_inj[] = { "do", "at", "leaf", "lp", "count", "status", NULL };
		const char *const *keys;
		if (dn && !strcmp(dn, "event")) { in->kind = TDXSIM_IN_EVENT; keys = k_vcpu; }
		else if (dn && !strcmp(dn, "signal")) { in->kind = TDXSIM_IN_SIGNAL; keys = k_vcpu; }
		else if (dn && !strcmp(dn, "stop")) { in->kind = TDXSIM_IN_STOP; keys = k_stop; }
		else if (dn && !strcmp(dn, "interrupt")) { in->kind = TDXSIM_IN_INTERRUPT; keys = k_intr; }
		else if (dn && !strcmp(dn, "hypercall_ret")) { in->kind = TDXSIM_IN_HYPERCALL_RET; keys = k_hc; }
		else if (dn && !strcmp(dn, "inject")) { in->kind = TDXSIM_IN_INJECT; keys = k_inj; }
		else
			return fail(L, d, "inputs: unknown input '%s' (expected event, signal, stop, interrupt, "
					  "hypercall_ret, inject)", dn ? dn : "");
		char ctx[64];
		snprintf(ctx, sizeof(ctx), "inputs (%s): ", dn);
		if (yu_check_keys(&L->y, it, keys, ctx, ""))
			return -1;
		yaml_node_t *nn;
		unsigned long v;
		if ((nn = yu_get(&L->y, it, "at")) && get_duration(L, nn, "at", &in->at_ns))
			return -1;
		if ((nn = yu_get(&L->y, it, "every"))) {
			if (get_duration(L, nn, "every", &in->every_ns))
				return -1;
			if (in->every_ns < 100)
				return fail(L, nn, "%s'every' must be at least 100ns", ctx);
		}
		if ((nn = yu_get(&L->y, it, "until"))) {
			if (get_duration(L, nn, "until", &in->until_ns))
				return -1;
			if (in->until_ns < in->at_ns)
				return fail(L, nn, "%s'until' is before 'at'", ctx);
		}
		if ((nn = yu_get(&L->y, it, "vm"))) {
			if (yu_uint(&L->y, nn, ctx, "vm", 64, &v))
				return -1;
			if (v >= s->n_vms)
				return fail(L, nn, "%s'vm' %lu out of range (td.vms = %u)", ctx, v, s->n_vms);
			in->vm = (unsigned)v;
		}
		if ((nn = yu_get(&L->y, it, "vcpu"))) {
			if (yu_uint(&L->y, nn, ctx, "vcpu", 4096, &v))
				return -1;
			if (v >= s->n_vcpus)
				return fail(L, nn, "%s'vcpu' %lu out of range (td.vcpus = %u)", ctx, v, s->n_vcpus);
			in->vcpu = (unsigned)v;
		}
		in->value = true;
		if ((nn = yu_get(&L->y, it, "value")) && yu_bool(&L->y, nn, ctx, "value", &in->value))
			return -1;
		if (in->kind == TDXSIM_IN_HYPERCALL_RET) {
			if (!(nn = yu_need(&L->y, it, "ret", ctx)))
				return -1;
			const char *rs = yu_str(nn);
			in->ret = rs ? errno_value(rs) : -1;
			if (in->ret < 0)
				return fail(L, nn, "%s'ret' must be 0, an errno name (EAGAIN, EINVAL, EBUSY, EIO, "
						  "...) or a positive number", ctx);
			in->chunk = -1;
			if ((nn = yu_get(&L->y, it, "chunk"))) {
				const char *cs = yu_str(nn);
				if (cs && !strcmp(cs, "all"))
					in->chunk = -1;
				else if (yu_uint(&L->y, nn, ctx, "chunk", 1u << 20, &v))
					return -1;
				else
					in->chunk = (int)v;
			}
			if ((nn = yu_get(&L->y, it, "r11"))) {
				if (yu_uint(&L->y, nn, ctx, "r11", ~0ul, &v))
					return -1;
				in->r11_set = true;
				in->r11 = v;
			}
		}
		if (in->kind == TDXSIM_IN_INJECT) {
			in->leaf = 0xFFFF;
			in->lp = -1;
			in->count = 1;
			if ((nn = yu_get(&L->y, it, "leaf"))) {
				const char *ln = yu_str(nn);
				const struct tdxsim_leaf *lf = ln ? tdxsim_table_find_leaf(L->table, ln) : NULL;
				if (ln && !strcmp(ln, "any"))
					in->leaf = 0xFFFF;
				else if (!lf || lf->side != TDXSIM_SIDE_HOST)
					return fail(L, nn, "%s'leaf' must be a SEAMCALL leaf of %s or 'any'", ctx,
						    L->table->module);
				else
					in->leaf = lf->number;
			}
			if ((nn = yu_get(&L->y, it, "lp"))) {
				if (yu_uint(&L->y, nn, ctx, "lp", s->platform.n_lps - 1, &v))
					return -1;
				in->lp = (int)v;
			}
			if ((nn = yu_get(&L->y, it, "count"))) {
				if (yu_uint(&L->y, nn, ctx, "count", 1u << 30, &v))
					return -1;
				in->count = (unsigned)v;
			}
			if (!(nn = yu_need(&L->y, it, "status", ctx)))
				return -1;
			const char *ss = yu_str(nn);
			char sname[96];
			snprintf(sname, sizeof(sname), "%s", ss ? ss : "");
			char *bar = strchr(sname, '|');
			int opnd = 0;
			if (bar) {
				*bar = 0;
				opnd = tdx_operand_by_name(bar + 1);
			}
			const struct tdx_status_info *si = ss ? tdx_status_by_name(sname) : NULL;
			if (si && opnd >= 0)
				in->status = si->value | (uint32_t)opnd;
			else if (yu_uint(&L->y, nn, ctx, "status", ULONG_MAX, &v)) {
				tdxsim_error_clear(L->err);
				return fail(L, nn, "%s'status' must be a status name (TDX_SEAMCALL_UD, "
						  "TDX_OPERAND_BUSY|SEPT_TREE, ...) or a number", ctx);
			} else
				in->status = v;
		}
		s->ninputs++;
	}
	return 0;
}

/* Default pool sizes from the TD shape (docs/scenario.md "platform"). */
static void size_defaults(struct tdxsim_scenario *s)
{
	struct tdxsim_module_config *c = &s->platform;
	if (!c->n_lps)
		c->n_lps = 4;
	if (!c->n_pkgs)
		c->n_pkgs = 1;
	if (!c->max_tds)
		c->max_tds = s->n_vms > 4 ? s->n_vms : 4;
	if (!c->max_vcpus) {
		unsigned v = s->n_vms * s->n_vcpus;
		c->max_vcpus = v > 16 ? v : 16;
	}
	/* SEPT pages per TD: a root per level above the leaves for an unaligned range,
	 * plus one leaf table per 512 pages. */
	uint64_t per_td = (uint64_t)s->n_pages / 512 + (uint64_t)s->n_pages / (512 * 512) + 8;
	if (!c->max_sept_pages) {
		uint64_t v = per_td * s->n_vms;
		c->max_sept_pages = v > 64 ? (unsigned)v : 64;
	}
	if (!c->n_frames) {
		/* TD pages + SEPT pages + TDR/TDCS (10 per TD) + TDVPS (6 per vCPU) + slack. */
		uint64_t f = (uint64_t)s->n_vms * s->n_pages + c->max_sept_pages +
			     (uint64_t)s->n_vms * 10 + (uint64_t)s->n_vms * s->n_vcpus * 6 + 256;
		f = (f + 511) & ~511ull;
		c->n_frames = f > 4096 ? (unsigned)f : 4096;
	}
}

static int check_sizes(struct ld *L, const yaml_node_t *root)
{
	struct tdxsim_scenario *s = L->s;
	struct tdxsim_module_config *c = &s->platform;
	uint64_t need = (uint64_t)s->n_vms * s->n_pages + (uint64_t)s->n_vms * 10 +
			(uint64_t)s->n_vms * s->n_vcpus * 6;
	const yaml_node_t *at = yu_get(&L->y, root, "platform") ? yu_get(&L->y, root, "platform") : root;
	if (s->n_vms > c->max_tds)
		return fail(L, at, "platform: max_tds (%u) is smaller than td.vms (%u)", c->max_tds, s->n_vms);
	if ((uint64_t)s->n_vms * s->n_vcpus > c->max_vcpus)
		return fail(L, at, "platform: max_vcpus (%u) is smaller than td.vms x td.vcpus (%u)",
			    c->max_vcpus, s->n_vms * s->n_vcpus);
	if (c->n_frames < need + c->max_sept_pages)
		return fail(L, at, "platform: %u frames cannot hold %llu TD pages and control pages plus "
				   "%u SEPT pages", c->n_frames, (unsigned long long)need, c->max_sept_pages);
	if (c->n_pkgs > c->n_lps)
		return fail(L, at, "platform: packages (%u) exceeds lps (%u)", c->n_pkgs, c->n_lps);
	if (c->n_hkids && c->n_hkids < s->n_vms + 1)
		return fail(L, at, "platform: %u HKIDs cannot serve %u TDs and the global KeyID",
			    c->n_hkids, s->n_vms);
	return 0;
}

static void dirname_of(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(out, len, ".");
	else if (slash == path)
		snprintf(out, len, "/");
	else
		snprintf(out, len, "%.*s", (int)(slash - path), path);
}

static int load_root(struct ld *L, const char *policy_override)
{
	static const char *const keys[] = {
		"scenario", "doc", "module", "vmm", "kernel", "policy", "platform", "td", "setup",
		"actors", "properties", "retry_bound", "starve", "expect", "check", "latency", "sim",
		"inputs", "stop_vcpus", "fault", "atomicity", NULL,
	};
	struct yu *y = &L->y;
	struct tdxsim_scenario *s = L->s;
	yaml_node_t *root = yu_root(y);
	if (!yu_is_map(root))
		return fail(L, root, "a scenario is a mapping (see docs/scenario.md)");
	if (yu_check_keys(y, root, keys, "", ""))
		return -1;
	yaml_node_t *n;
	if (!(n = yu_need(y, root, "scenario", "")) || copy_str(L, n, "scenario", s->name, sizeof(s->name)))
		return -1;
	if ((n = yu_get(y, root, "doc"))) {
		const char *d;
		if (yu_scalar(y, n, "", "doc", &d))
			return -1;
		s->doc = strdup(d);
	}
	/* Module table. */
	const char *mod = "tdx-1.5.05";
	yaml_node_t *nmod = yu_get(y, root, "module");
	if (nmod && yu_scalar(y, nmod, "", "module", &mod))
		return -1;
	if (resolve_path(L, nmod ? nmod : root, "module", mod, "modules", s->module, sizeof(s->module)))
		return -1;
	L->table = tdxsim_table_load(s->module, L->err);
	if (!L->table)
		return -1;
	snprintf(s->module_name, sizeof(s->module_name), "%s", L->table->module);
	/* VMM profile and kernel. */
	const char *vmm = "kvm-6.19";
	yaml_node_t *nvmm = yu_get(y, root, "vmm");
	if (nvmm && yu_scalar(y, nvmm, "", "vmm", &vmm))
		return -1;
	if (resolve_path(L, nvmm ? nvmm : root, "vmm", vmm, "vmm", s->vmm, sizeof(s->vmm)))
		return -1;
	struct tdxsim_profile *prof = tdxsim_profile_load(s->vmm, L->table, L->err);
	if (!prof)
		return -1;
	tdxsim_profile_free(prof);
	{
		const char *base = strrchr(vmm, '/') ? strrchr(vmm, '/') + 1 : vmm;
		size_t bl = strlen(base);
		if (bl > 5 && !strcmp(base + bl - 5, ".yaml"))
			bl -= 5;
		snprintf(s->vmm_name, sizeof(s->vmm_name), "%.*s", (int)bl, base);
	}
	yaml_node_t *nk = yu_get(y, root, "kernel");
	const char *kname = s->vmm_name;
	if (nk && yu_scalar(y, nk, "", "kernel", &kname))
		return -1;
	s->kernel = kernel_by_name(kname);
	if (s->kernel < 0) {
		if (nk)
			return fail(L, nk, "unknown kernel '%s' (expected kvm-6.16, kvm-6.17, kvm-6.18, "
					   "kvm-6.19, kvm-2026)", kname);
		return fail(L, nvmm, "cannot tell the KVM version from VMM profile '%s': add "
				     "'kernel: kvm-6.16 | kvm-6.19 | kvm-2026'", s->vmm_name);
	}
	snprintf(s->kernel_name, sizeof(s->kernel_name), "%s", kname);
	/* Sizes. */
	s->n_vms = 1;
	s->n_vcpus = 1;
	s->n_pages = 64;
	s->n_memslots = 1;
	if ((n = yu_get(y, root, "platform")) && load_platform(L, n))
		return -1;
	if ((n = yu_get(y, root, "td")) && load_td(L, n))
		return -1;
	size_defaults(s);
	if (check_sizes(L, root))
		return -1;
	/* Step granularity of try-acquires (docs/scenario.md "atomicity"). */
	if ((n = yu_get(y, root, "atomicity"))) {
		const char *a = yu_str(n);
		if (a && !strcmp(a, "instr"))
			s->platform.instr_atomicity = true;
		else if (!a || strcmp(a, "step"))
			return fail(L, n, "'atomicity' must be step or instr");
	}
	/* Properties. */
	s->properties = TDXSIM_PROP_DEADLOCK | TDXSIM_PROP_VM_BUG | TDXSIM_PROP_INVARIANTS |
			TDXSIM_PROP_HALT;
	if ((n = yu_get(y, root, "properties")) && load_props(L, n, "properties", &s->properties))
		return -1;
	if ((n = yu_get(y, root, "retry_bound"))) {
		unsigned long v;
		if (get_uint(L, n, "retry_bound", 1u << 30, &v))
			return -1;
		s->retry_bound = (unsigned)v;
		s->properties |= TDXSIM_PROP_RETRY_BOUND;
	} else if (s->properties & TDXSIM_PROP_RETRY_BOUND) {
		return fail(L, yu_get(y, root, "properties"), "property 'retry_bound' needs 'retry_bound: K'");
	}
	s->starve_class = TDXSIM_ACTOR_VCPU;
	if ((n = yu_get(y, root, "starve"))) {
		const char *c = yu_str(n);
		if (c && !strcmp(c, "guest"))
			s->starve_class = TDXSIM_ACTOR_VCPU;
		else if (c && !strcmp(c, "host"))
			s->starve_class = TDXSIM_ACTOR_THREAD;
		else
			return fail(L, n, "'starve' must be guest or host");
		s->properties |= TDXSIM_PROP_STARVATION;
	}
	/* Sim options. */
	s->seed = 1;
	if ((n = yu_get(y, root, "sim")) && load_sim(L, n))
		return -1;
	/* Programs. */
	if ((n = yu_get(y, root, "setup")) && load_setup(L, n))
		return -1;
	if (!(n = yu_need(y, root, "actors", "")) || load_actors(L, n))
		return -1;
	if (!s->nactors)
		return fail(L, n, "'actors' is empty: a scenario runs at least one actor");
	if ((n = yu_get(y, root, "latency")) && load_latency(L, n))
		return -1;
	if ((n = yu_get(y, root, "inputs")) && load_inputs(L, n))
		return -1;
	s->stop_vcpus = 1;
	if ((n = yu_get(y, root, "stop_vcpus"))) {
		const char *v = yu_str(n);
		if (v && !strcmp(v, "never"))
			s->stop_vcpus = 0;
		else if (v && !strcmp(v, "work_done"))
			s->stop_vcpus = 1;
		else if (v && !strcmp(v, "threads_done"))
			s->stop_vcpus = 2;
		else if (v && !strcmp(v, "guests_done"))
			s->stop_vcpus = 3;
		else
			return fail(L, n, "'stop_vcpus' must be work_done, threads_done, guests_done or never");
	}
	if ((n = yu_get(y, root, "expect"))) {
		if (load_expect(L, n, &s->expect_sim, true))
			return -1;
		s->line_expect_sim = yu_line(n);
	}
	if ((n = yu_get(y, root, "check")) && load_expect(L, n, &s->expect_check, false))
		return -1;
	/* Policy: --policy replaces it; otherwise the scenario's, else the kernel's. */
	yaml_node_t *np = yu_get(y, root, "policy");
	const char *pol = NULL;
	if (np && yu_scalar(y, np, "", "policy", &pol))
		return -1;
	if (policy_override) {
		if (tdxsim_policy_resolve_ex(policy_override, L->table, &s->policy, L->err) < 0) {
			if (!L->err->set)
				tdxsim_error_set(L->err, NULL, 0, "unknown policy '%s'", policy_override);
			return -1;
		}
		s->policy_overridden = true;
	} else {
		if (!pol)
			pol = s->kernel == VMM_KVM_6_16 ? "kvm-6.16" : "kvm-6.19";
		bool is_path = strchr(pol, '/') || strstr(pol, ".yaml");
		if (is_path) {
			char path[PATH_MAX];
			int w = pol[0] == '/' ? snprintf(path, sizeof(path), "%s", pol)
					      : snprintf(path, sizeof(path), "%s/%s", L->dir, pol);
			if (w < 0 || (size_t)w >= sizeof(path))
				return fail(L, np, "'policy': path too long");
			if (access(path, R_OK) != 0)
				return fail(L, np, "policy file '%s' cannot be read: %s", path, strerror(errno));
			if (tdxsim_policy_resolve_ex(path, L->table, &s->policy, L->err) < 0) {
				if (!L->err->set)
					fail(L, np, "cannot load policy file '%s'", path);
				return -1;
			}
		} else if (tdxsim_policy_resolve_ex(pol, L->table, &s->policy, L->err) < 0) {
			tdxsim_error_clear(L->err);
			unsigned cnt = 0;
			const char *const *names = tdxsim_policy_builtin_names(&cnt);
			char list[512];
			size_t off = 0;
			list[0] = 0;
			for (unsigned i = 0; names && i < cnt && off < sizeof(list); i++) {
				int w = snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "", names[i]);
				if (w < 0)
					break;
				off += (size_t)w;
			}
			return fail(L, np ? np : root, "unknown policy '%s' (built-ins: %s; or a .yaml file)",
				    pol, list);
		}
	}
	/* fault: overrides the fault-path knobs of the scenario's own policy. */
	if ((n = yu_get(y, root, "fault")) && !s->policy_overridden) {
		static const char *const fk[] = { "local_retry", "max_local", "exit_on_events",
						  "exit_on_signal", "exit_on_vm_dead",
						  "exit_on_memslot_invalid", NULL };
		if (!yu_is_map(n))
			return fail(L, n, "'fault' must be a mapping");
		if (yu_check_keys(y, n, fk, "fault: ", ""))
			return -1;
		struct tdxsim_fault_policy *f = &s->policy.fault;
		yaml_node_t *v;
		if ((v = yu_get(y, n, "local_retry")) && yu_bool(y, v, "fault: ", "local_retry", &f->local_retry))
			return -1;
		if ((v = yu_get(y, n, "exit_on_events")) &&
		    yu_bool(y, v, "fault: ", "exit_on_events", &f->exit_on_events))
			return -1;
		if ((v = yu_get(y, n, "exit_on_signal")) &&
		    yu_bool(y, v, "fault: ", "exit_on_signal", &f->exit_on_signal))
			return -1;
		if ((v = yu_get(y, n, "exit_on_vm_dead")) &&
		    yu_bool(y, v, "fault: ", "exit_on_vm_dead", &f->exit_on_vm_dead))
			return -1;
		if ((v = yu_get(y, n, "exit_on_memslot_invalid")) &&
		    yu_bool(y, v, "fault: ", "exit_on_memslot_invalid", &f->exit_on_memslot_invalid))
			return -1;
		if ((v = yu_get(y, n, "max_local"))) {
			unsigned long ml;
			if (get_uint(L, v, "max_local", 1u << 30, &ml))
				return -1;
			f->max_local = (unsigned)ml;
		}
		char nm[TDXSIM_NAME_MAX];
		snprintf(nm, sizeof(nm), "%.40s+fault", s->policy.name);
		memcpy(s->policy.name, nm, sizeof(nm));
	}
	/* Checking invariants after every step is what the property asks for. */
	if (s->properties & TDXSIM_PROP_INVARIANTS)
		s->platform.check_invariants = true;
	return 0;
}

int tdxsim_scenario_load(const char *path, const char *policy_override,
			 struct tdxsim_scenario *out, struct tdxsim_error *err)
{
	struct ld L;
	memset(&L, 0, sizeof(L));
	memset(out, 0, sizeof(*out));
	L.s = out;
	L.err = err;
	L.file = path;
	out->path = strdup(path);
	dirname_of(path, L.dir, sizeof(L.dir));
	int rc = -1;
	if (yu_open(&L.y, path, err) == 0)
		rc = load_root(&L, policy_override);
	yu_close(&L.y);
	if (L.table)
		tdxsim_table_free(L.table);
	if (rc < 0) {
		if (!err->set)
			tdxsim_error_set(err, path, 0, "cannot load scenario");
		tdxsim_scenario_free(out);
	}
	return rc;
}

void tdxsim_scenario_free(struct tdxsim_scenario *s)
{
	if (!s)
		return;
	free(s->doc);
	free(s->path);
	s->doc = NULL;
	s->path = NULL;
}
