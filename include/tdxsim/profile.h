/* SPDX-License-Identifier: MIT */
/*
 * A VMM serialization profile (DESIGN §4, last paragraph): the host VMM's own
 * locks, and for every SEAMCALL the VMM issues (and every guest TDCALL it lets
 * the guest issue) the contexts it is issued from: phase, caller, the VMM locks
 * held and in which mode, and what the VMM does with TDX_OPERAND_BUSY.
 * The analyzer (tdxsim analyze) uses it to drop contention pairs the VMM
 * already serializes.  File format: docs/vmm-profile.md.
 *
 * A loaded profile is immutable.  Leaf, resource and condition names are
 * checked against a module table by tdxsim_profile_check(), either at load
 * time (tdxsim_profile_load with a table) or later by the analyzer.
 */
#ifndef TDXSIM_PROFILE_H
#define TDXSIM_PROFILE_H

#include <stdbool.h>

#include "tdxsim/error.h"
#include "tdxsim/table.h"

#define TDXSIM_PROFILE_HOLDS_MAX 12
#define TDXSIM_PROFILE_ASSUME_MAX 8

/* What kind of serialization a VMM lock is.  Only rwlock has a shared mode;
 * everything else is exclusive.  "thread" is program order: contexts holding
 * the same thread instance are issued one after another by one thread.
 * "cmpxchg" is a lock-free claim that makes concurrent claimers of the same
 * instance back off (KVM's FROZEN_SPTE, linux-kvm-tdx §2). */
enum tdxsim_vlock_kind {
	TDXSIM_VLK_MUTEX,
	TDXSIM_VLK_RWLOCK,
	TDXSIM_VLK_SPINLOCK,
	TDXSIM_VLK_THREAD,
	TDXSIM_VLK_CMPXCHG,
};

/* Instances of a VMM lock.  The module scopes of table.h are reused: GLOBAL,
 * TD (one per VM), VCPU, GPA (one per guest physical address / SPTE). */
struct tdxsim_vlock {
	char name[TDXSIM_NAME_MAX];
	enum tdxsim_vlock_kind kind;
	enum tdxsim_scope scope;
	char *doc;
	unsigned line;
};

enum tdxsim_vmode {
	TDXSIM_VMODE_SHARED,    /* read side of an rwlock */
	TDXSIM_VMODE_EXCLUSIVE, /* write side, or a mutex / thread / claim held */
	TDXSIM_VMODE_ALL,       /* every instance held exclusively (6.19: all vcpu->mutex) */
};

/* Phases in which the VMM issues a call (bit mask), in order.  For one TD
 * they follow each other; only build -> runtime can be straddled (see
 * tdxsim_profile.runtime_entry).  Module initialization precedes every TD. */
enum tdxsim_phase {
	TDXSIM_PHASE_INIT,     /* module initialization: before any TD exists */
	TDXSIM_PHASE_CREATE,   /* TD creation (KVM_TDX_INIT_VM): before any vCPU exists */
	TDXSIM_PHASE_BUILD,    /* vCPUs and memory set up, not yet finalized */
	TDXSIM_PHASE_RUNTIME,  /* finalized, vCPUs run */
	TDXSIM_PHASE_TEARDOWN, /* last reference dropped: HKID release, reclaim */
	TDXSIM_PHASE__COUNT
};
#define TDXSIM_PHASE_BIT(p) (1u << (p))
#define TDXSIM_PHASE_ANY ((1u << TDXSIM_PHASE__COUNT) - 1)

/* What the VMM does when this call returns TDX_OPERAND_BUSY (for annotation). */
enum tdxsim_busy_policy {
	TDXSIM_POL_EBUSY,          /* -EBUSY to userspace, which may retry the ioctl */
	TDXSIM_POL_EIO,            /* not special-cased: -EIO to userspace, VM survives */
	TDXSIM_POL_LOCAL_RETRY,    /* -EBUSY -> RET_PF_RETRY -> retried in the kernel */
	TDXSIM_POL_KICK_RETRY,     /* kick all vCPUs, block entry, retry once, then BUG */
	TDXSIM_POL_BUG,            /* not special-cased on a no-fail path: VM bugged */
	TDXSIM_POL_REENTER,        /* VP.ENTER: leave the fastpath and enter again */
	TDXSIM_POL_WARN,           /* WARN, flow continues or fails */
	TDXSIM_POL_LEAK,           /* WARN, the page is leaked */
	TDXSIM_POL_INIT_FAIL,      /* module init fails: -EIO, TDX disabled */
	TDXSIM_POL_GUEST_NO_RETRY, /* guest: no BUSY retry (accept falls back, then fails) */
	TDXSIM_POL__COUNT
};

/* One place a leaf is issued from. */
struct tdxsim_context {
	char id[TDXSIM_NAME_MAX];     /* optional name, "" if none (referenced by phases) */
	char leaf[TDXSIM_NAME_MAX];   /* "TDH.MEM.PAGE.AUG" */
	unsigned phases;              /* TDXSIM_PHASE_BIT mask */
	char path[96];                /* caller, e.g. "tdx_sept_set_private_spte" */
	struct {
		int lock;             /* index into profile->locks */
		enum tdxsim_vmode mode;
	} holds[TDXSIM_PROFILE_HOLDS_MAX];
	unsigned nholds;
	enum tdxsim_busy_policy busy;
	char *busy_note;              /* free text, may be NULL */
	unsigned version;             /* leaf version issued (RAX[23:16]) */
	/* Named step conditions (table `when:`) known for this call site. */
	struct {
		char name[TDXSIM_NAME_MAX];
		bool value;
		unsigned line;
	} assume[TDXSIM_PROFILE_ASSUME_MAX];
	unsigned nassume;
	char inside[TDXSIM_NAME_MAX]; /* guest: runs inside this leaf's long holds ("TDH.VP.ENTER") */
	unsigned inside_line;
	bool guest;                   /* a guest TDCALL context */
	unsigned leaf_line;           /* where the leaf is named */
	unsigned line;                /* where the context starts */
};

struct tdxsim_profile {
	char name[TDXSIM_NAME_MAX];   /* "kvm-6.16" */
	char *path;
	char *doc;
	struct tdxsim_vlock *locks;
	unsigned nlocks;
	struct tdxsim_context *ctx;
	unsigned nctx;
	/* build -> runtime: the context that finalizes the TD (-1 = phases never overlap). */
	int runtime_entry;
	unsigned runtime_entry_line;
	/* Module resources (hpa scope, PAMT-backed) whose pages the VMM's allocator
	 * never hands to two concurrent calls. */
	struct {
		char name[TDXSIM_NAME_MAX];
		unsigned line;
	} *distinct_pages;
	unsigned ndistinct;
};

/* Load a profile.  If table is non-NULL, names are also checked against it.
 * On error returns NULL and sets err to "file:line: message". */
struct tdxsim_profile *tdxsim_profile_load(const char *path, const struct tdxsim_table *table,
					   struct tdxsim_error *err);
/* Check leaf, resource and condition names against a module table. */
int tdxsim_profile_check(const struct tdxsim_profile *p, const struct tdxsim_table *table,
			 struct tdxsim_error *err);
void tdxsim_profile_free(struct tdxsim_profile *p);

int tdxsim_profile_find_lock(const struct tdxsim_profile *p, const char *name);

const char *tdxsim_vlock_kind_name(enum tdxsim_vlock_kind k);
const char *tdxsim_vmode_name(enum tdxsim_vmode m);
const char *tdxsim_phase_name(enum tdxsim_phase ph);
/* Short name ("kick+retry-once") and a one-line description. */
const char *tdxsim_busy_policy_name(enum tdxsim_busy_policy b);
const char *tdxsim_busy_policy_desc(enum tdxsim_busy_policy b);

#endif
