/* SPDX-License-Identifier: MIT */
/*
 * A module version's lock protocol as data (DESIGN §4): the resources (lock
 * instances by kind and scope) and, per SEAMCALL/TDCALL leaf, the ordered step
 * list the leaf interpreter executes and the analyzer and differ read.
 * File format: docs/lock-table.md.  A loaded table is immutable and may be
 * shared by any number of worlds and threads.
 */
#ifndef TDXSIM_TABLE_H
#define TDXSIM_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "tdxsim/error.h"

#define TDXSIM_NAME_MAX 48
#define TDXSIM_STEP_ARGS_MAX 16

/* Reference §1.1-1.4. */
enum tdxsim_lock_kind {
	TDXSIM_LK_MUTEX,
	TDXSIM_LK_SHAREX,
	TDXSIM_LK_SHAREX_HP,
	TDXSIM_LK_SEPT_ENTRY,
};

/* Which instances of a resource exist: the analyzer only pairs steps whose
 * instances can coincide (same TD, same vCPU, same GPA, same physical page). */
enum tdxsim_scope {
	TDXSIM_SCOPE_GLOBAL,
	TDXSIM_SCOPE_PACKAGE,
	TDXSIM_SCOPE_TDMR,
	TDXSIM_SCOPE_TD,
	TDXSIM_SCOPE_VCPU,
	TDXSIM_SCOPE_GPA,
	TDXSIM_SCOPE_HPA,
};

/* Where the lock word lives in the emulated module. */
enum tdxsim_backing {
	TDXSIM_BACK_PAMT,       /* PAMT entry lock of a physical page (§1.6 walk) */
	TDXSIM_BACK_SEPT_ENTRY, /* bits 11/52 of a SEPT entry */
	TDXSIM_BACK_FIELD,      /* a named lock word: see enum tdxsim_lock_field */
};

/* Named lock words for TDXSIM_BACK_FIELD (reference §1.5). */
enum tdxsim_lock_field {
	TDXSIM_FIELD_NONE,
	TDXSIM_FIELD_TDCS_OP_STATE,        /* tdcs.op_state_lock */
	TDXSIM_FIELD_TDCS_SEPT_TREE,       /* tdcs.secure_ept_lock */
	TDXSIM_FIELD_TDCS_EPOCH,           /* tdcs.epoch_lock */
	TDXSIM_FIELD_TDCS_RTMR,            /* tdcs.rtmr_lock */
	TDXSIM_FIELD_TDCS_SERVTD_BINDINGS, /* tdcs.servtd_bindings_lock */
	TDXSIM_FIELD_TDCS_MIG,             /* tdcs.mig_lock */
	TDXSIM_FIELD_KOT,                  /* global.kot.lock */
	TDXSIM_FIELD_GLOBAL,               /* global.global_lock */
	TDXSIM_FIELD_WBT,                  /* global.wbt_entries[pkg].entry_lock */
	TDXSIM_FIELD_TDMR,                 /* global.tdmr_table[i].lock */
	TDXSIM_FIELD__COUNT
};

enum tdxsim_mode {
	TDXSIM_MODE_SHARED,
	TDXSIM_MODE_EXCLUSIVE,
};

enum tdxsim_side {
	TDXSIM_SIDE_HOST,  /* SEAMCALL */
	TDXSIM_SIDE_GUEST, /* TDCALL */
};

/* How a BUSY on a resource is reported (reference §1.5 last column, §2.4). */
enum tdxsim_busy_report {
	TDXSIM_BUSY_REGISTER, /* TDX_OPERAND_BUSY + operand ID of the register that named it */
	TDXSIM_BUSY_OPERAND,  /* TDX_OPERAND_BUSY + a fixed operand ID */
	TDXSIM_BUSY_STATUS,   /* a fixed status, e.g. TDX_SYS_BUSY, no operand */
};

struct tdxsim_resource {
	char name[TDXSIM_NAME_MAX]; /* e.g. "SEPT_TREE" */
	enum tdxsim_lock_kind kind;
	enum tdxsim_scope scope;
	enum tdxsim_backing backing;
	enum tdxsim_lock_field field;   /* for TDXSIM_BACK_FIELD */
	enum tdxsim_busy_report busy;
	uint32_t busy_operand;          /* TDXSIM_BUSY_OPERAND */
	uint64_t busy_status;           /* TDXSIM_BUSY_STATUS */
	char *doc;                      /* free text, may be NULL */
	unsigned line;
};

enum tdxsim_step_kind {
	TDXSIM_STEP_LOCK,    /* one try-acquire (a PAMT walk expands to one per level) */
	TDXSIM_STEP_RELEASE, /* early release of a lock taken earlier in this leaf */
	TDXSIM_STEP_CHECK,   /* named check on state protected by the locks held */
	TDXSIM_STEP_WALK,    /* named SEPT walk: reads shared SEPT entries */
	TDXSIM_STEP_ASSOC,   /* vCPU association CAS on assoc_lpid (not a lock, §1.5) */
	TDXSIM_STEP_BODY,    /* named state transition under the locks held */
};

/* How a PAMT-backed lock finds its page. */
enum tdxsim_via {
	TDXSIM_VIA_REG,          /* explicit HPA in a register: PAMT-X walk 1G sh -> 2M sh -> leaf */
	TDXSIM_VIA_TDVPR_OWNER,  /* implicit: the TDR owning the locked TDVPR (PAMT-I, leaf only) */
	TDXSIM_VIA_PAGE_OWNER,   /* implicit: the TDR owning the locked page (RECLAIM) */
	TDXSIM_VIA_SEPT_LEAF,    /* implicit: the page mapped by the locked SEPT leaf entry
	                          * (PROMOTE: the range its 512 child leaves map) */
	TDXSIM_VIA_SEPT_CHILD,   /* implicit: the child SEPT page of the locked non-leaf entry
	                          * (step vm > 0: that L2 VM's aliased SEPT page) */
};

/* Page size of a PAMT lock's leaf. */
enum tdxsim_pamt_size {
	TDXSIM_PSIZE_4K,
	TDXSIM_PSIZE_2M,
	TDXSIM_PSIZE_1G,
	TDXSIM_PSIZE_FROM_LEVEL, /* from the SEPT level in the GPA register (RCX[2:0]) */
	TDXSIM_PSIZE_EXISTING,   /* whatever leaf size the PAMT holds (RECLAIM) */
};

/* When a lock is released, if not by an explicit RELEASE step. */
enum tdxsim_hold {
	TDXSIM_HOLD_LEAF,              /* released at leaf completion, reverse order */
	TDXSIM_HOLD_UNTIL_TD_EXIT,     /* TDH.VP.ENTER: TDVPR, TDR held while the guest runs */
	TDXSIM_HOLD_UNTIL_GUEST_ENTRY, /* TDH.VP.ENTER zero-step: tree ex until VM entry */
};

/* TD operational states (reference §7.2); bit i of tdxsim_leaf.op_states is state i. */
enum tdxsim_op_state {
	TDXSIM_OPS_UNINITIALIZED = 0,
	TDXSIM_OPS_INITIALIZED = 1,
	TDXSIM_OPS_RUNNABLE = 2,
	TDXSIM_OPS_LIVE_EXPORT = 3,
	TDXSIM_OPS_PAUSED_EXPORT = 4,
	TDXSIM_OPS_POST_EXPORT = 5,
	TDXSIM_OPS_MEMORY_IMPORT = 6,
	TDXSIM_OPS_STATE_IMPORT = 7,
	TDXSIM_OPS_POST_IMPORT = 8,
	TDXSIM_OPS_LIVE_IMPORT = 9,
	TDXSIM_OPS_FAILED_IMPORT = 10,
	TDXSIM_OPS__COUNT
};

/* Page types (reference §6). Bit i of a pt mask means page type i. */
enum tdxsim_page_type {
	TDXSIM_PT_NDA = 0,
	TDXSIM_PT_RSVD = 1,
	TDXSIM_PT_REG = 3,
	TDXSIM_PT_TDR = 4,
	TDXSIM_PT_TDCX = 5,
	TDXSIM_PT_TDVPR = 6,
	TDXSIM_PT_EPT = 8,
};
#define TDXSIM_PT_MASK(pt) (1u << (pt))

struct tdxsim_step {
	enum tdxsim_step_kind kind;
	unsigned line;                  /* in the table file */

	/* LOCK / RELEASE */
	int res;                        /* index into table->res */
	enum tdxsim_mode mode;
	int reg;                        /* operand ID of the register naming it, -1 if none */
	enum tdxsim_via via;            /* PAMT-backed only */
	enum tdxsim_pamt_size size;     /* PAMT-backed only */
	uint32_t expect_pt;             /* PAMT: mask of accepted page types, 0 = not checked */
	bool free_range;                /* PAMT 2M: all 512 children must be PT_NDA (AUG, §1.6) */
	enum tdxsim_hold hold;
	int busy_operand;               /* override of the resource's operand ID, -1 if none */
	int also[4];                    /* PAMT: other resources this page may be (RECLAIM);
	                                 * up to 4, unused entries are -1 */

	/* CHECK / WALK / BODY: a named C function; LOCK/any: a named condition */
	char fn[TDXSIM_NAME_MAX];       /* check/walk/body name, "" for locks */
	char when[TDXSIM_NAME_MAX];     /* condition name, "" = always */
	char *args[TDXSIM_STEP_ARGS_MAX]; /* names given to the check (states, operand ...) */
	unsigned nargs;
	int fn_id;                      /* resolved by the module registry, -1 if none */
	int when_id;                    /* resolved condition, -1 = always */

	/* Added after the first cut (docs/lock-table.md "step fields"). */
	int vm;                         /* L2 VM index 1..3 this step concerns, 0 = L1 (SEPT.ADD/
	                                 * SEPT.REMOVE v1 L2 pages); read by conditions and vias */
	int releases[4];                /* BODY: locks (indices into res) whose word the body's
	                                 * commit store also releases, e.g. the SEPT entry lock
	                                 * cleared by AUG's 64-bit PENDING write; unused = -1 */
	char undo[TDXSIM_NAME_MAX];     /* BODY: body to run if the leaf fails after this step
	                                 * (VP.ENTER refcount revert), "" = none */
	int undo_id;                    /* resolved undo body, -1 = none */
};

struct tdxsim_leaf {
	char name[TDXSIM_NAME_MAX];     /* "TDH.MEM.PAGE.AUG" */
	unsigned number;                /* leaf number, RAX[15:0] */
	enum tdxsim_side side;
	unsigned max_version;           /* highest leaf version accepted (§3) */
	uint32_t op_states;             /* bit i: op_state i allowed by the module's lookup table
	                                 * (§7.2); consulted only by an op_state_allowed check;
	                                 * 0 = the leaf is not in the table */
	struct tdxsim_step *steps;
	unsigned nsteps;
	char *doc;
	unsigned line;
};

struct tdxsim_table {
	char module[TDXSIM_NAME_MAX];   /* "tdx-1.5.05" */
	char *path;                     /* file it was loaded from */
	struct tdxsim_resource *res;
	unsigned nres;
	struct tdxsim_leaf *leaves;
	unsigned nleaves;
};

/* Load and validate a table.  On error returns NULL and sets err to
 * "file:line: message". */
struct tdxsim_table *tdxsim_table_load(const char *path, struct tdxsim_error *err);
void tdxsim_table_free(struct tdxsim_table *t);

/* Lookups; -1 / NULL when absent. */
int tdxsim_table_find_res(const struct tdxsim_table *t, const char *name);
const struct tdxsim_leaf *tdxsim_table_find_leaf(const struct tdxsim_table *t, const char *name);
const struct tdxsim_leaf *tdxsim_table_leaf_by_number(const struct tdxsim_table *t,
						       enum tdxsim_side side, unsigned number);

/* Names for printing and parsing. */
const char *tdxsim_lock_kind_name(enum tdxsim_lock_kind k);
const char *tdxsim_scope_name(enum tdxsim_scope s);
const char *tdxsim_mode_name(enum tdxsim_mode m);
const char *tdxsim_hold_name(enum tdxsim_hold h);
const char *tdxsim_page_type_name(enum tdxsim_page_type pt);
const char *tdxsim_backing_name(enum tdxsim_backing b);
const char *tdxsim_lock_field_name(enum tdxsim_lock_field f);   /* "tdcs.op_state_lock" */
const char *tdxsim_side_name(enum tdxsim_side s);
const char *tdxsim_busy_report_name(enum tdxsim_busy_report b);
const char *tdxsim_step_kind_name(enum tdxsim_step_kind k);
const char *tdxsim_via_name(enum tdxsim_via v);
const char *tdxsim_pamt_size_name(enum tdxsim_pamt_size s);
const char *tdxsim_op_state_name(enum tdxsim_op_state s);      /* "RUNNABLE" */
/* Inverses: the enum value for the exact name used in the table file, -1 if unknown. */
int tdxsim_lock_kind_by_name(const char *name);
int tdxsim_scope_by_name(const char *name);
int tdxsim_mode_by_name(const char *name);                      /* "sh", "ex" */
int tdxsim_hold_by_name(const char *name);
int tdxsim_page_type_by_name(const char *name);                 /* "PT_NDA" */
int tdxsim_backing_by_name(const char *name);
int tdxsim_lock_field_by_name(const char *name);
int tdxsim_side_by_name(const char *name);
int tdxsim_busy_report_by_name(const char *name);
int tdxsim_step_kind_by_name(const char *name);
int tdxsim_via_by_name(const char *name);
int tdxsim_pamt_size_by_name(const char *name);
int tdxsim_op_state_by_name(const char *name);

/* Default table and VMM profile paths (data/ in the source tree, or $TDXSIM_DATA). */
const char *tdxsim_data_dir(void);

#endif
