/* SPDX-License-Identifier: MIT */
/*
 * Retry policies (DESIGN §5): what the VMM does with each status from each leaf,
 * and what the guest does with BUSY.  A policy is data; the VMM model asks it at
 * every decision point and carries out the action.  Built-ins: kvm-6.16,
 * kvm-6.19, sept-retry-v1, eagain-kick-first, retry16, zero-tolerance,
 * spec-retry (docs/policy.md cites the source of each); user policies load from
 * YAML (data/policies/NAME.yaml, same format).
 */
#ifndef TDXSIM_POLICY_H
#define TDXSIM_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "tdxsim/error.h"
#include "tdxsim/status.h"
#include "tdxsim/table.h"

/* Where in the VMM a SEAMCALL result is judged. */
enum tdxsim_site {
	TDXSIM_SITE_INSTALL,   /* fault path, mmu_lock read: SEPT.ADD, AUG (linux §2) */
	TDXSIM_SITE_REMOVE,    /* zap path, mmu_lock write: BLOCK, TRACK, REMOVE, WBINVD (§3) */
	TDXSIM_SITE_BUILD,     /* TD build ioctls: PAGE.ADD, MR.EXTEND, MR.FINALIZE, VP.*, MNG.* */
	TDXSIM_SITE_ENTER,     /* TDH.VP.ENTER in the run loop (§1.4) */
	TDXSIM_SITE_TEARDOWN,  /* VP.FLUSH, VPFLUSHDONE, CACHE.WB, FREEID, RECLAIM */
	TDXSIM_SITE_INIT,      /* module initialization and hotplug (§5) */
	TDXSIM_SITE__COUNT
};

/* What to do with a result. */
enum tdxsim_action {
	TDXSIM_ACT_OK,            /* success (or an informational status the caller accepts) */
	TDXSIM_ACT_ERRNO,         /* return errno to the caller, which applies its own rule */
	TDXSIM_ACT_RETRY,         /* call again at once (bounded by max_retries, 0 = unbounded) */
	TDXSIM_ACT_KICK_RETRY,    /* set wait_for_sept_zap, kick all vCPUs out (wait), retry
	                           * exactly once, clear the flag (tdh_do_no_vcpus, linux §1.3) */
	TDXSIM_ACT_BUG,           /* KVM_BUG_ON / TDX_BUG_ON: the VM is dead */
	TDXSIM_ACT_EXIT_FASTPATH, /* VP.ENTER BUSY: leave the fastpath, re-enter later (§1.4) */
	TDXSIM_ACT_REENTER,       /* VP.ENTER BUSY: re-enter from the fastpath with IRQs off
	                           * (the pre-6.16 behaviour the kick can deadlock against) */
	TDXSIM_ACT_WARN,          /* WARN and go on (teardown leaks the page / HKID) */
};

/* How the EPT-violation handler treats RET_PF_RETRY on a private GPA (linux §2). */
struct tdxsim_fault_policy {
	bool local_retry;          /* retry kvm_mmu_page_fault() in the handler */
	unsigned max_local;        /* 0 = no cap (upstream) */
	bool exit_on_events;       /* kvm_vcpu_has_events() ends the loop */
	bool exit_on_signal;
	bool exit_on_vm_dead;
	bool exit_on_memslot_invalid; /* the 2026 bail-out (KVM_MEMSLOT_INVALID) */
};

/* What the guest does (DESIGN §5, linux §2 and §6.1). */
struct tdxsim_guest_policy {
	bool accept_retry_busy;    /* retry TDG.MEM.PAGE.ACCEPT on BUSY (Linux: no) */
	unsigned accept_max_retries; /* 0 = unbounded when accept_retry_busy */
	bool accept_fallback;      /* 1G -> 2M -> 4K on failure (Linux: yes) */
	unsigned mapgpa_max_no_progress; /* Linux: 3 */
	bool mapgpa_check_r11;     /* R11 must lie in [start, end) (Linux: yes) */
};

/* One rule: the first matching rule decides. */
struct tdxsim_policy_rule {
	int site;                  /* enum tdxsim_site, -1 = any */
	int leaf;                  /* host leaf number, -1 = any */
	uint64_t status;           /* status compared under status_mask */
	uint64_t status_mask;      /* 0 = any status; TDX_SEAMCALL_STATUS_MASK = ignore operand */
	int operand;               /* operand ID the status must carry, -1 = any */
	enum tdxsim_action action;
	unsigned max_retries;      /* RETRY: 0 = unbounded */
	int err;                   /* ERRNO: the errno value (positive, e.g. EBUSY) */
	unsigned line;             /* in the policy file */
};

#define TDXSIM_POLICY_MAX_RULES 64

struct tdxsim_policy {
	char name[TDXSIM_NAME_MAX];
	char source[160];          /* where its semantics come from */
	bool kick_before_block;    /* eagain-kick-first: kick + block entry before BLOCK */
	struct tdxsim_fault_policy fault;
	struct tdxsim_guest_policy guest;
	struct tdxsim_policy_rule rules[TDXSIM_POLICY_MAX_RULES];
	unsigned nrules;
};

/* The decision for a result at a site; attempt = how many times this call has been
 * made already (0 for the first result).  Rules are tried in order and the first
 * that matches decides (docs/policy.md):
 *   - TDX_SUCCESS always gives TDXSIM_ACT_OK;
 *   - a rule matches when its site and leaf match (-1 = any), (status & status_mask)
 *     == rule.status, and its operand matches (-1 = any);
 *   - a RETRY rule with max_retries = N > 0 matches only while attempt < N, a
 *     KICK_RETRY rule only while attempt < max(N, 1): past its bound the search
 *     goes on with the next rule;
 *   - no rule matched: an informational status (bit 63 clear) gives OK, an error
 *     gives BUG (KVM's KVM_BUG_ON(err) for an error nobody handles). */
struct tdxsim_decision {
	enum tdxsim_action action;
	int err;
	unsigned max_retries;
};
struct tdxsim_decision tdxsim_policy_decide(const struct tdxsim_policy *p, enum tdxsim_site site,
					    unsigned leaf, tdx_status_t status, unsigned attempt);

/* Leaf names of a policy file resolve against table t when it is non-NULL (host
 * leaves only), else against linux-kvm-tdx.md §4's SEAMCALL leaf table. */
int tdxsim_policy_load_ex(const char *path, const struct tdxsim_table *t, struct tdxsim_policy *out,
			  struct tdxsim_error *err);
int tdxsim_policy_resolve_ex(const char *name_or_path, const struct tdxsim_table *t,
			     struct tdxsim_policy *out, struct tdxsim_error *err);

/* Built-ins by name; NULL if unknown. */
const struct tdxsim_policy *tdxsim_policy_builtin(const char *name);
const char *const *tdxsim_policy_builtin_names(unsigned *count);
/* Load a policy file (file:line errors). */
int tdxsim_policy_load(const char *path, struct tdxsim_policy *out, struct tdxsim_error *err);
/* Resolve a --policy argument: a built-in name or a file path. */
int tdxsim_policy_resolve(const char *name_or_path, struct tdxsim_policy *out,
			  struct tdxsim_error *err);

const char *tdxsim_site_name(enum tdxsim_site s);
const char *tdxsim_action_name(enum tdxsim_action a);
int tdxsim_site_by_name(const char *name);     /* "install" ... -1 if unknown */
int tdxsim_action_by_name(const char *name);   /* "kick_retry" ... -1 if unknown */
/* linux-kvm-tdx.md §4 SEAMCALL leaf table: "TDH.MEM.PAGE.AUG" <-> 6. */
const char *tdxsim_policy_leaf_name(unsigned leaf); /* NULL if not in the table */
int tdxsim_policy_leaf_by_name(const char *name);  /* -1 if not in the table */

#endif
