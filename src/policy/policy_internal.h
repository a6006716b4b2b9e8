/* SPDX-License-Identifier: MIT */
/*
 * Inside the policy layer: SEAMCALL leaf numbers (linux-kvm-tdx.md §4), the ways a
 * rule matches a status, and the table of built-ins (builtins.c).
 */
#ifndef TDXSIM_POLICY_INTERNAL_H
#define TDXSIM_POLICY_INTERNAL_H

#include "tdxsim/policy.h"

/* linux-kvm-tdx.md §4 "SEAMCALL leaf numbers" (arch/x86/virt/vmx/tdx/tdx.h). */
enum {
	PL_VP_ENTER = 0,
	PL_MNG_ADDCX = 1,
	PL_MEM_PAGE_ADD = 2,
	PL_MEM_SEPT_ADD = 3,
	PL_VP_ADDCX = 4,
	PL_MEM_PAGE_AUG = 6,
	PL_MEM_RANGE_BLOCK = 7,
	PL_MNG_KEY_CONFIG = 8,
	PL_MNG_CREATE = 9,
	PL_VP_CREATE = 10,
	PL_MNG_RD = 11,
	PL_MR_EXTEND = 16,
	PL_MR_FINALIZE = 17,
	PL_VP_FLUSH = 18,
	PL_MNG_VPFLUSHDONE = 19,
	PL_MNG_KEY_FREEID = 20,
	PL_MNG_INIT = 21,
	PL_VP_INIT = 22,
	PL_PHYMEM_PAGE_RDMD = 24,
	PL_VP_RD = 26,
	PL_PHYMEM_PAGE_RECLAIM = 28,
	PL_MEM_PAGE_REMOVE = 29,
	PL_SYS_KEY_CONFIG = 31,
	PL_SYS_INIT = 33,
	PL_SYS_RD = 34,
	PL_SYS_LP_INIT = 35,
	PL_SYS_TDMR_INIT = 36,
	PL_MEM_TRACK = 38,
	PL_PHYMEM_CACHE_WB = 40,
	PL_PHYMEM_PAGE_WBINVD = 41,
	PL_VP_WR = 43,
	PL_SYS_CONFIG = 45,
};

/* Status matchers: (status & mask) == value.  The YAML spellings (docs/policy.md)
 * map onto exactly these, so that a file and a built-in compare equal. */
#define PM_ANY        0ull, 0ull                              /* any non-success status */
#define PM_ERROR      TDX_STATUS_ERROR, TDX_STATUS_ERROR      /* bit 63 set */
#define PM_INFO       0ull, TDX_STATUS_ERROR                  /* bit 63 clear (not success) */
#define PM_NONREC     TDX_STATUS_NON_RECOVERABLE, TDX_STATUS_NON_RECOVERABLE /* bit 62 set */
#define PM_SW_ERROR   TDX_SW_ERROR, TDX_SW_ERROR              /* (s & TDX_SW_ERROR) == TDX_SW_ERROR */
#define PM_CLASS(c)   ((c) & TDX_SEAMCALL_STATUS_MASK), TDX_SEAMCALL_STATUS_MASK /* operand ignored */
#define PM_EXACT(c)   (c), ~0ull

/* Maximum retries: sc_retry's RDRAND_RETRY_LOOPS = 10 calls (9 retries) and KVM's
 * TDX_SEAMCALL_RETRIES = 10000 calls of TDH.PHYMEM.CACHE.WB (9999 retries),
 * linux-kvm-tdx.md §1.1 and §4 "Retry constants". */
#define PL_SC_RETRY_RETRIES 9u
#define PL_CACHE_WB_RETRIES 9999u

extern const struct tdxsim_policy *const tdxsim_builtin_policies[];
extern const unsigned tdxsim_builtin_policy_count;

#endif
