/* SPDX-License-Identifier: MIT */
/*
 * Policy decisions (include/tdxsim/policy.h, docs/policy.md): the first matching
 * rule decides; success is always OK; a bounded RETRY or KICK_RETRY rule stops
 * matching once its bound is used up, so the search falls through to the rules
 * after it; nothing matched: informational -> OK, error -> BUG.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "policy/policy_internal.h"

static const char *const site_names[TDXSIM_SITE__COUNT] = {
	[TDXSIM_SITE_INSTALL] = "install",
	[TDXSIM_SITE_REMOVE] = "remove",
	[TDXSIM_SITE_BUILD] = "build",
	[TDXSIM_SITE_ENTER] = "enter",
	[TDXSIM_SITE_TEARDOWN] = "teardown",
	[TDXSIM_SITE_INIT] = "init",
};

static const char *const action_names[] = {
	[TDXSIM_ACT_OK] = "ok",
	[TDXSIM_ACT_ERRNO] = "errno",
	[TDXSIM_ACT_RETRY] = "retry",
	[TDXSIM_ACT_KICK_RETRY] = "kick_retry",
	[TDXSIM_ACT_BUG] = "bug",
	[TDXSIM_ACT_EXIT_FASTPATH] = "exit_fastpath",
	[TDXSIM_ACT_REENTER] = "reenter",
	[TDXSIM_ACT_WARN] = "warn",
};
#define N_ACTIONS (sizeof(action_names) / sizeof(action_names[0]))

const char *tdxsim_site_name(enum tdxsim_site s)
{
	return (unsigned)s < TDXSIM_SITE__COUNT ? site_names[s] : "?";
}

const char *tdxsim_action_name(enum tdxsim_action a)
{
	return (unsigned)a < N_ACTIONS ? action_names[a] : "?";
}

int tdxsim_site_by_name(const char *name)
{
	for (unsigned i = 0; i < TDXSIM_SITE__COUNT; i++)
		if (name && !strcmp(name, site_names[i]))
			return (int)i;
	return -1;
}

int tdxsim_action_by_name(const char *name)
{
	for (unsigned i = 0; i < N_ACTIONS; i++)
		if (name && !strcmp(name, action_names[i]))
			return (int)i;
	return -1;
}

/* linux-kvm-tdx.md §4 "SEAMCALL leaf numbers". */
static const struct {
	const char *name;
	unsigned leaf;
} leaf_table[] = {
	{ "TDH.VP.ENTER", PL_VP_ENTER },
	{ "TDH.MNG.ADDCX", PL_MNG_ADDCX },
	{ "TDH.MEM.PAGE.ADD", PL_MEM_PAGE_ADD },
	{ "TDH.MEM.SEPT.ADD", PL_MEM_SEPT_ADD },
	{ "TDH.VP.ADDCX", PL_VP_ADDCX },
	{ "TDH.MEM.PAGE.AUG", PL_MEM_PAGE_AUG },
	{ "TDH.MEM.RANGE.BLOCK", PL_MEM_RANGE_BLOCK },
	{ "TDH.MNG.KEY.CONFIG", PL_MNG_KEY_CONFIG },
	{ "TDH.MNG.CREATE", PL_MNG_CREATE },
	{ "TDH.VP.CREATE", PL_VP_CREATE },
	{ "TDH.MNG.RD", PL_MNG_RD },
	{ "TDH.MR.EXTEND", PL_MR_EXTEND },
	{ "TDH.MR.FINALIZE", PL_MR_FINALIZE },
	{ "TDH.VP.FLUSH", PL_VP_FLUSH },
	{ "TDH.MNG.VPFLUSHDONE", PL_MNG_VPFLUSHDONE },
	{ "TDH.MNG.KEY.FREEID", PL_MNG_KEY_FREEID },
	{ "TDH.MNG.INIT", PL_MNG_INIT },
	{ "TDH.VP.INIT", PL_VP_INIT },
	{ "TDH.PHYMEM.PAGE.RDMD", PL_PHYMEM_PAGE_RDMD },
	{ "TDH.VP.RD", PL_VP_RD },
	{ "TDH.PHYMEM.PAGE.RECLAIM", PL_PHYMEM_PAGE_RECLAIM },
	{ "TDH.MEM.PAGE.REMOVE", PL_MEM_PAGE_REMOVE },
	{ "TDH.SYS.KEY.CONFIG", PL_SYS_KEY_CONFIG },
	{ "TDH.SYS.INIT", PL_SYS_INIT },
	{ "TDH.SYS.RD", PL_SYS_RD },
	{ "TDH.SYS.LP.INIT", PL_SYS_LP_INIT },
	{ "TDH.SYS.TDMR.INIT", PL_SYS_TDMR_INIT },
	{ "TDH.MEM.TRACK", PL_MEM_TRACK },
	{ "TDH.PHYMEM.CACHE.WB", PL_PHYMEM_CACHE_WB },
	{ "TDH.PHYMEM.PAGE.WBINVD", PL_PHYMEM_PAGE_WBINVD },
	{ "TDH.VP.WR", PL_VP_WR },
	{ "TDH.SYS.CONFIG", PL_SYS_CONFIG },
};

const char *tdxsim_policy_leaf_name(unsigned leaf)
{
	for (unsigned i = 0; i < sizeof(leaf_table) / sizeof(leaf_table[0]); i++)
		if (leaf_table[i].leaf == leaf)
			return leaf_table[i].name;
	return NULL;
}

int tdxsim_policy_leaf_by_name(const char *name)
{
	for (unsigned i = 0; i < sizeof(leaf_table) / sizeof(leaf_table[0]); i++)
		if (name && !strcmp(leaf_table[i].name, name))
			return (int)leaf_table[i].leaf;
	return -1;
}

static bool rule_matches(const struct tdxsim_policy_rule *r, enum tdxsim_site site, unsigned leaf,
			 tdx_status_t status, unsigned attempt)
{
	if (r->site >= 0 && r->site != (int)site)
		return false;
	if (r->leaf >= 0 && r->leaf != (int)leaf)
		return false;
	if ((status & r->status_mask) != r->status)
		return false;
	if (r->operand >= 0 && tdx_status_operand(status) != (uint32_t)r->operand)
		return false;
	if (r->action == TDXSIM_ACT_RETRY && r->max_retries && attempt >= r->max_retries)
		return false; /* bound used up: fall through to the next rule */
	if (r->action == TDXSIM_ACT_KICK_RETRY && attempt >= (r->max_retries ? r->max_retries : 1))
		return false; /* tdh_do_no_vcpus retries exactly once */
	return true;
}

struct tdxsim_decision tdxsim_policy_decide(const struct tdxsim_policy *p, enum tdxsim_site site,
					    unsigned leaf, tdx_status_t status, unsigned attempt)
{
	struct tdxsim_decision d = { .action = TDXSIM_ACT_OK, .err = 0, .max_retries = 0 };
	if (status == TDX_SUCCESS)
		return d;
	unsigned n = p->nrules < TDXSIM_POLICY_MAX_RULES ? p->nrules : TDXSIM_POLICY_MAX_RULES;
	for (unsigned i = 0; i < n; i++) {
		const struct tdxsim_policy_rule *r = &p->rules[i];
		if (!rule_matches(r, site, leaf, status, attempt))
			continue;
		d.action = r->action;
		d.err = r->err;
		d.max_retries = r->max_retries;
		return d;
	}
	if (status & TDX_STATUS_ERROR)
		d.action = TDXSIM_ACT_BUG;
	return d;
}

/* ---- built-ins and resolution ---- */

const struct tdxsim_policy *tdxsim_policy_builtin(const char *name)
{
	for (unsigned i = 0; i < tdxsim_builtin_policy_count; i++)
		if (name && !strcmp(tdxsim_builtin_policies[i]->name, name))
			return tdxsim_builtin_policies[i];
	return NULL;
}

const char *const *tdxsim_policy_builtin_names(unsigned *count)
{
	static const char *names[16];
	for (unsigned i = 0; i < tdxsim_builtin_policy_count && i < 16; i++)
		names[i] = tdxsim_builtin_policies[i]->name;
	if (count)
		*count = tdxsim_builtin_policy_count;
	return names;
}

int tdxsim_policy_resolve_ex(const char *name_or_path, const struct tdxsim_table *t,
			     struct tdxsim_policy *out, struct tdxsim_error *err)
{
	const struct tdxsim_policy *b = tdxsim_policy_builtin(name_or_path);
	if (b) {
		*out = *b;
		return 0;
	}
	struct stat st;
	if (name_or_path && (strchr(name_or_path, '/') || strstr(name_or_path, ".yaml") ||
			     stat(name_or_path, &st) == 0))
		return tdxsim_policy_load_ex(name_or_path, t, out, err);
	char list[256] = "";
	size_t n = 0;
	for (unsigned i = 0; i < tdxsim_builtin_policy_count && n < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
				      tdxsim_builtin_policies[i]->name);
	tdxsim_error_set(err, NULL, 0, "unknown policy '%s' (built-ins: %s; or a policy file)",
			 name_or_path ? name_or_path : "", list);
	return -1;
}

int tdxsim_policy_resolve(const char *name_or_path, struct tdxsim_policy *out, struct tdxsim_error *err)
{
	return tdxsim_policy_resolve_ex(name_or_path, NULL, out, err);
}
