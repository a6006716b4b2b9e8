/* SPDX-License-Identifier: MIT */
/* Enum <-> name tables for the lock-table model (tdxsim/table.h, docs/lock-table.md).
 * The names are exactly the spellings of the table file. */
#include <stddef.h>
#include <string.h>

#include "tdxsim/table.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof(a[0])))

static const char *name_at(const char *const *names, int n, int v)
{
	return (v >= 0 && v < n && names[v]) ? names[v] : "?";
}

static int index_of(const char *const *names, int n, const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return i;
	return -1;
}

#define NAMES(fn, type, ...)                                                    \
	static const char *const fn##_names[] = { __VA_ARGS__ };                \
	const char *tdxsim_##fn##_name(type v)                                  \
	{                                                                       \
		return name_at(fn##_names, COUNT(fn##_names), (int)v);          \
	}                                                                       \
	int tdxsim_##fn##_by_name(const char *name)                             \
	{                                                                       \
		return index_of(fn##_names, COUNT(fn##_names), name);           \
	}

NAMES(lock_kind, enum tdxsim_lock_kind,
      [TDXSIM_LK_MUTEX] = "mutex", [TDXSIM_LK_SHAREX] = "sharex",
      [TDXSIM_LK_SHAREX_HP] = "sharex_hp", [TDXSIM_LK_SEPT_ENTRY] = "sept_entry")

NAMES(scope, enum tdxsim_scope,
      [TDXSIM_SCOPE_GLOBAL] = "global", [TDXSIM_SCOPE_PACKAGE] = "package",
      [TDXSIM_SCOPE_TDMR] = "tdmr", [TDXSIM_SCOPE_TD] = "td", [TDXSIM_SCOPE_VCPU] = "vcpu",
      [TDXSIM_SCOPE_GPA] = "gpa", [TDXSIM_SCOPE_HPA] = "hpa")

NAMES(backing, enum tdxsim_backing,
      [TDXSIM_BACK_PAMT] = "pamt", [TDXSIM_BACK_SEPT_ENTRY] = "sept_entry",
      [TDXSIM_BACK_FIELD] = "field")

NAMES(lock_field, enum tdxsim_lock_field,
      [TDXSIM_FIELD_NONE] = NULL,
      [TDXSIM_FIELD_TDCS_OP_STATE] = "tdcs.op_state_lock",
      [TDXSIM_FIELD_TDCS_SEPT_TREE] = "tdcs.secure_ept_lock",
      [TDXSIM_FIELD_TDCS_EPOCH] = "tdcs.epoch_lock",
      [TDXSIM_FIELD_TDCS_RTMR] = "tdcs.rtmr_lock",
      [TDXSIM_FIELD_TDCS_SERVTD_BINDINGS] = "tdcs.servtd_bindings_lock",
      [TDXSIM_FIELD_TDCS_MIG] = "tdcs.mig_lock",
      [TDXSIM_FIELD_KOT] = "kot.lock",
      [TDXSIM_FIELD_GLOBAL] = "global_lock",
      [TDXSIM_FIELD_WBT] = "wbt.entry_lock",
      [TDXSIM_FIELD_TDMR] = "tdmr.lock")

NAMES(mode, enum tdxsim_mode, [TDXSIM_MODE_SHARED] = "sh", [TDXSIM_MODE_EXCLUSIVE] = "ex")

NAMES(side, enum tdxsim_side, [TDXSIM_SIDE_HOST] = "host", [TDXSIM_SIDE_GUEST] = "guest")

NAMES(busy_report, enum tdxsim_busy_report,
      [TDXSIM_BUSY_REGISTER] = "register", [TDXSIM_BUSY_OPERAND] = "operand",
      [TDXSIM_BUSY_STATUS] = "status")

NAMES(step_kind, enum tdxsim_step_kind,
      [TDXSIM_STEP_LOCK] = "lock", [TDXSIM_STEP_RELEASE] = "release",
      [TDXSIM_STEP_CHECK] = "check", [TDXSIM_STEP_WALK] = "walk",
      [TDXSIM_STEP_ASSOC] = "assoc", [TDXSIM_STEP_BODY] = "body")

NAMES(via, enum tdxsim_via,
      [TDXSIM_VIA_REG] = "reg", [TDXSIM_VIA_TDVPR_OWNER] = "tdvpr_owner",
      [TDXSIM_VIA_PAGE_OWNER] = "page_owner", [TDXSIM_VIA_SEPT_LEAF] = "sept_leaf",
      [TDXSIM_VIA_SEPT_CHILD] = "sept_child")

NAMES(pamt_size, enum tdxsim_pamt_size,
      [TDXSIM_PSIZE_4K] = "4k", [TDXSIM_PSIZE_2M] = "2m", [TDXSIM_PSIZE_1G] = "1g",
      [TDXSIM_PSIZE_FROM_LEVEL] = "from_level", [TDXSIM_PSIZE_EXISTING] = "existing")

NAMES(hold, enum tdxsim_hold,
      [TDXSIM_HOLD_LEAF] = "leaf", [TDXSIM_HOLD_UNTIL_TD_EXIT] = "until_td_exit",
      [TDXSIM_HOLD_UNTIL_GUEST_ENTRY] = "until_guest_entry")

NAMES(page_type, enum tdxsim_page_type,
      [TDXSIM_PT_NDA] = "PT_NDA", [TDXSIM_PT_RSVD] = "PT_RSVD", [TDXSIM_PT_REG] = "PT_REG",
      [TDXSIM_PT_TDR] = "PT_TDR", [TDXSIM_PT_TDCX] = "PT_TDCX", [TDXSIM_PT_TDVPR] = "PT_TDVPR",
      [TDXSIM_PT_EPT] = "PT_EPT")

NAMES(op_state, enum tdxsim_op_state,
      [TDXSIM_OPS_UNINITIALIZED] = "UNINITIALIZED", [TDXSIM_OPS_INITIALIZED] = "INITIALIZED",
      [TDXSIM_OPS_RUNNABLE] = "RUNNABLE", [TDXSIM_OPS_LIVE_EXPORT] = "LIVE_EXPORT",
      [TDXSIM_OPS_PAUSED_EXPORT] = "PAUSED_EXPORT", [TDXSIM_OPS_POST_EXPORT] = "POST_EXPORT",
      [TDXSIM_OPS_MEMORY_IMPORT] = "MEMORY_IMPORT", [TDXSIM_OPS_STATE_IMPORT] = "STATE_IMPORT",
      [TDXSIM_OPS_POST_IMPORT] = "POST_IMPORT", [TDXSIM_OPS_LIVE_IMPORT] = "LIVE_IMPORT",
      [TDXSIM_OPS_FAILED_IMPORT] = "FAILED_IMPORT")
