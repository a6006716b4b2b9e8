/* SPDX-License-Identifier: MIT */
/* Name registry of checks, walks, bodies and conditions (see registry.h). */
#include <stdio.h>
#include <string.h>

#include "module/registry.h"
#include "tdxsim/status.h"

#define ROW(kind, name, argk, mn, mx, regu, doc) \
	[TDXSIM_FN_##name] = { #name, kind, TDXSIM_ARG_##argk, mn, mx, TDXSIM_REGUSE_##regu, doc },
#define CHECK_ROW(name, ...) ROW(TDXSIM_FK_CHECK, name, __VA_ARGS__)
#define WALK_ROW(name, ...) ROW(TDXSIM_FK_WALK, name, __VA_ARGS__)
#define ASSOC_ROW(name, ...) ROW(TDXSIM_FK_ASSOC, name, __VA_ARGS__)
#define BODY_ROW(name, ...) ROW(TDXSIM_FK_BODY, name, __VA_ARGS__)
#define COND_ROW(name, ...) ROW(TDXSIM_FK_COND, name, __VA_ARGS__)

static const struct tdxsim_fn_info registry[TDXSIM_FN__COUNT] = {
	TDXSIM_CHECKS(CHECK_ROW)
	TDXSIM_WALKS(WALK_ROW)
	TDXSIM_ASSOCS(ASSOC_ROW)
	TDXSIM_BODIES(BODY_ROW)
	TDXSIM_CONDS(COND_ROW)
};

static const int opposites[][2] = {
#define OPP(a, b) { TDXSIM_FN_##a, TDXSIM_FN_##b },
	TDXSIM_COND_OPPOSITES(OPP)
#undef OPP
};

int tdxsim_registry_lookup(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < TDXSIM_FN__COUNT; i++)
		if (!strcmp(registry[i].name, name))
			return i;
	return -1;
}

const struct tdxsim_fn_info *tdxsim_registry_get(int id)
{
	if (id < 0 || id >= TDXSIM_FN__COUNT)
		return NULL;
	return &registry[id];
}

int tdxsim_registry_opposite(int id)
{
	for (size_t i = 0; i < sizeof(opposites) / sizeof(opposites[0]); i++) {
		if (opposites[i][0] == id)
			return opposites[i][1];
		if (opposites[i][1] == id)
			return opposites[i][0];
	}
	return -1;
}

const char *tdxsim_fn_kind_name(enum tdxsim_fn_kind k)
{
	switch (k) {
	case TDXSIM_FK_CHECK: return "check";
	case TDXSIM_FK_WALK: return "walk";
	case TDXSIM_FK_ASSOC: return "assoc";
	case TDXSIM_FK_BODY: return "body";
	case TDXSIM_FK_COND: return "condition";
	}
	return "?";
}

const char *tdxsim_arg_kind_name(enum tdxsim_arg_kind k)
{
	switch (k) {
	case TDXSIM_ARG_NONE: return "none";
	case TDXSIM_ARG_SEPT_STATE: return "SEPT state";
	case TDXSIM_ARG_LIFECYCLE: return "TD lifecycle state";
	case TDXSIM_ARG_VCPU_STATE: return "vCPU state";
	case TDXSIM_ARG_LEVEL: return "SEPT level";
	case TDXSIM_ARG_OPERAND: return "operand";
	}
	return "?";
}

struct named_value {
	const char *name;
	int value;
};

/* §5.1: state index as in sept_state_lookup. */
static const struct named_value sept_states[] = {
	{ "FREE", 0 }, { "REMOVED", 1 }, { "NL_MAPPED", 2 }, { "NL_BLOCKED", 3 },
	{ "MAPPED", 4 }, { "BLOCKED", 5 }, { "BLOCKEDW", 6 }, { "EXPORTED_BLOCKEDW", 7 },
	{ "EXPORTED_DIRTY", 8 }, { "EXPORTED_DIRTY_BLOCKEDW", 9 }, { "PENDING", 10 },
	{ "PENDING_BLOCKED", 11 }, { "PENDING_BLOCKEDW", 12 },
	{ "PENDING_EXPORTED_BLOCKEDW", 13 }, { "PENDING_EXPORTED_DIRTY", 14 },
	{ "PENDING_EXPORTED_DIRTY_BLOCKEDW", 15 },
};
/* §7.1 */
static const struct named_value lifecycles[] = {
	{ "TD_HKID_ASSIGNED", 0 }, { "TD_KEYS_CONFIGURED", 1 }, { "TD_BLOCKED", 2 },
	{ "TD_TEARDOWN", 3 },
};
/* §7.3 */
static const struct named_value vcpu_states[] = {
	{ "VCPU_UNINITIALIZED", 0x0 }, { "VCPU_READY", 0x2 }, { "VCPU_ACTIVE", 0x4 },
	{ "VCPU_DISABLED", 0x8 }, { "VCPU_IMPORT", 0x10 },
};
static const struct named_value levels[] = {
	{ "LVL_PT", 0 }, { "LVL_PD", 1 }, { "LVL_PDPT", 2 }, { "LVL_PML4", 3 }, { "LVL_PML5", 4 },
	{ "LVL_PWL", TDXSIM_LEVEL_PWL },
};

static const struct named_value *values_of(enum tdxsim_arg_kind k, size_t *n)
{
	switch (k) {
	case TDXSIM_ARG_SEPT_STATE: *n = sizeof(sept_states) / sizeof(sept_states[0]); return sept_states;
	case TDXSIM_ARG_LIFECYCLE: *n = sizeof(lifecycles) / sizeof(lifecycles[0]); return lifecycles;
	case TDXSIM_ARG_VCPU_STATE: *n = sizeof(vcpu_states) / sizeof(vcpu_states[0]); return vcpu_states;
	case TDXSIM_ARG_LEVEL: *n = sizeof(levels) / sizeof(levels[0]); return levels;
	case TDXSIM_ARG_NONE:
	case TDXSIM_ARG_OPERAND:
		break;
	}
	*n = 0;
	return NULL;
}

int tdxsim_registry_arg_value(enum tdxsim_arg_kind k, const char *name)
{
	if (!name)
		return -1;
	if (k == TDXSIM_ARG_OPERAND) {
		/* Exact names only (tdx_operand_by_name is case-insensitive). */
		int id = tdx_operand_by_name(name);
		const char *canon = id < 0 ? NULL : tdx_operand_name((uint32_t)id);
		return canon && !strcmp(canon, name) ? id : -1;
	}
	size_t n;
	const struct named_value *v = values_of(k, &n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return v[i].value;
	return -1;
}

const char *tdxsim_registry_arg_name(enum tdxsim_arg_kind k, int value)
{
	if (k == TDXSIM_ARG_OPERAND)
		return value < 0 ? NULL : tdx_operand_name((uint32_t)value);
	size_t n;
	const struct named_value *v = values_of(k, &n);
	for (size_t i = 0; i < n; i++)
		if (v[i].value == value)
			return v[i].name;
	return NULL;
}

const char *tdxsim_registry_check_use(int id, enum tdxsim_fn_kind as, const char *const *args,
				      unsigned nargs, bool has_reg, char *buf, size_t len)
{
	const struct tdxsim_fn_info *f = tdxsim_registry_get(id);
	if (!f) {
		snprintf(buf, len, "unknown %s", tdxsim_fn_kind_name(as));
		return buf;
	}
	const char *what = tdxsim_fn_kind_name(as);
	if (f->kind != as) {
		snprintf(buf, len, "'%s' is a %s, not a %s", f->name, tdxsim_fn_kind_name(f->kind), what);
		return buf;
	}
	if (f->reg == TDXSIM_REGUSE_REG && !has_reg) {
		snprintf(buf, len, "%s '%s' needs reg:", what, f->name);
		return buf;
	}
	if (f->reg == TDXSIM_REGUSE_NOREG && has_reg) {
		snprintf(buf, len, "%s '%s' takes no reg:", what, f->name);
		return buf;
	}
	if (f->max_args == 0 && nargs > 0) {
		snprintf(buf, len, "%s '%s' takes no arguments", what, f->name);
		return buf;
	}
	if (nargs < f->min_args || nargs > f->max_args) {
		if (f->min_args == f->max_args)
			snprintf(buf, len, "%s '%s' takes exactly %u %s argument%s, got %u", what, f->name,
				 f->min_args, tdxsim_arg_kind_name(f->arg), f->min_args == 1 ? "" : "s",
				 nargs);
		else
			snprintf(buf, len, "%s '%s' takes %u to %u %s arguments, got %u", what, f->name,
				 f->min_args, f->max_args, tdxsim_arg_kind_name(f->arg), nargs);
		return buf;
	}
	for (unsigned i = 0; i < nargs; i++) {
		int v = tdxsim_registry_arg_value(f->arg, args[i]);
		if (v < 0) {
			snprintf(buf, len, "%s '%s': unknown %s '%s'", what, f->name,
				 tdxsim_arg_kind_name(f->arg), args[i]);
			return buf;
		}
		/* A set of states must not repeat a name; a level range may ([LVL_PT, LVL_PT]). */
		if (f->arg == TDXSIM_ARG_LEVEL)
			continue;
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(args[i], args[j])) {
				snprintf(buf, len, "%s '%s': argument '%s' given twice", what, f->name,
					 args[i]);
				return buf;
			}
	}
	if (f->arg == TDXSIM_ARG_LEVEL && nargs == 2) {
		int lo = tdxsim_registry_arg_value(f->arg, args[0]);
		int hi = tdxsim_registry_arg_value(f->arg, args[1]);
		if (lo > hi) {
			snprintf(buf, len, "%s '%s': level range %s..%s is empty", what, f->name, args[0],
				 args[1]);
			return buf;
		}
	}
	return NULL;
}
