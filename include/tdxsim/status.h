/* SPDX-License-Identifier: MIT */
/*
 * TDX module completion status codes (RAX after SEAMCALL/TDCALL) and operand IDs.
 * Values: reference tdx-module-1.5.md §2 (1.5.05), §8 (2.0.08 additions) and the
 * Linux software codes of linux-kvm-tdx.md §4.
 */
#ifndef TDXSIM_STATUS_H
#define TDXSIM_STATUS_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t tdx_status_t;

/* §2.1 field layout (api_error_code_t). */
#define TDX_STATUS_OPERAND_MASK      0x00000000FFFFFFFFull /* bits 31:0  operand / details_l2 */
#define TDX_STATUS_DETAILS_L1_SHIFT  32                    /* bits 39:32 */
#define TDX_STATUS_CLASS_SHIFT       40                    /* bits 47:40 */
#define TDX_STATUS_HOST_RECOVERABILITY_HINT (1ull << 60)
#define TDX_STATUS_FATAL             (1ull << 61)
#define TDX_STATUS_NON_RECOVERABLE   (1ull << 62)
#define TDX_STATUS_ERROR             (1ull << 63)
/* KVM compares (status & this) against the BUSY code, ignoring the operand. */
#define TDX_SEAMCALL_STATUS_MASK     0xFFFFFFFF00000000ull

static inline unsigned tdx_status_class(tdx_status_t s) { return (unsigned)((s >> 40) & 0xFF); }
static inline unsigned tdx_status_details_l1(tdx_status_t s) { return (unsigned)((s >> 32) & 0xFF); }
static inline uint32_t tdx_status_operand(tdx_status_t s) { return (uint32_t)(s & TDX_STATUS_OPERAND_MASK); }
/* api_error_with_operand_id(): the operand ID is *added* to the code (§2.1). */
static inline tdx_status_t tdx_status_with_operand(tdx_status_t code, uint32_t operand)
{
	return code + operand;
}

/* X-macro: name, value.  §2.2 (1.5.05), then §8 (2.0), then the Linux software codes. */
#define TDX_STATUS_CODES(X)                                               \
	X(TDX_SUCCESS,                          0x0000000000000000ull)    \
	X(TDX_NON_RECOVERABLE_VCPU,             0x4000000100000000ull)    \
	X(TDX_NON_RECOVERABLE_TD,               0x6000000200000000ull)    \
	X(TDX_INTERRUPTED_RESUMABLE,            0x8000000300000000ull)    \
	X(TDX_INTERRUPTED_RESTARTABLE,          0x8000000400000000ull)    \
	X(TDX_NON_RECOVERABLE_TD_NON_ACCESSIBLE, 0x6000000500000000ull)   \
	X(TDX_NON_RECOVERABLE_TD_WRONG_APIC_MODE, 0xE000000700000000ull)  \
	X(TDX_CROSS_TD_FAULT,                   0x8000000800000000ull)    \
	X(TDX_CROSS_TD_TRAP,                    0x9000000900000000ull)    \
	X(TDX_OPERAND_INVALID,                  0xC000010000000000ull)    \
	X(TDX_OPERAND_ADDR_RANGE_ERROR,         0xC000010100000000ull)    \
	X(TDX_EVENT_FILTER_INVALID,             0xC000010200000000ull)    \
	X(TDX_OPERAND_BUSY,                     0x8000020000000000ull)    \
	X(TDX_PREVIOUS_TLB_EPOCH_BUSY,          0x8000020100000000ull)    \
	X(TDX_SYS_BUSY,                         0x8000020200000000ull)    \
	X(TDX_RND_NO_ENTROPY,                   0x8000020300000000ull)    \
	X(TDX_OPERAND_BUSY_HOST_PRIORITY,       0x8000020400000000ull)    \
	X(TDX_HOST_PRIORITY_BUSY_TIMEOUT,       0x9000020500000000ull)    \
	X(TDX_PAGE_METADATA_INCORRECT,          0xC000030000000000ull)    \
	X(TDX_PAGE_ALREADY_FREE,                0x0000030100000000ull)    \
	X(TDX_PAGE_NOT_OWNED_BY_TD,             0xC000030200000000ull)    \
	X(TDX_PAGE_NOT_FREE,                    0xC000030300000000ull)    \
	X(TDX_HPA_RANGE_NOT_FREE,               0xC000030400000000ull)    \
	X(TDX_NO_PAMT_PAGE_PAIR,                0xC000030500000000ull)    \
	X(TDX_PAMT_PAGE_NOT_EMPTY,              0xC000030600000000ull)    \
	X(TDX_INTERRUPTED_PAMT,                 0x8000030700000000ull)    \
	X(TDX_MISSING_PAMT_PAGE_PAIR,           0x8000030800000000ull)    \
	X(TDX_TD_ASSOCIATED_PAGES_EXIST,        0xC000040000000000ull)    \
	X(TDX_SYS_INIT_NOT_PENDING,             0xC000050000000000ull)    \
	X(TDX_SYS_LP_INIT_NOT_DONE,             0xC000050200000000ull)    \
	X(TDX_SYS_LP_INIT_DONE,                 0xC000050300000000ull)    \
	X(TDX_SYS_NOT_READY,                    0xC000050500000000ull)    \
	X(TDX_SYS_SHUTDOWN,                     0xC000050600000000ull)    \
	X(TDX_SYS_KEY_CONFIG_NOT_PENDING,       0xC000050700000000ull)    \
	X(TDX_SYS_STATE_INCORRECT,              0xC000050800000000ull)    \
	X(TDX_SYS_LP_INIT_NOT_PENDING,          0xC000050B00000000ull)    \
	X(TDX_SYS_CONFIG_NOT_PENDING,           0xC000050C00000000ull)    \
	X(TDX_INCOMPATIBLE_SEAM_CAPABILITIES,   0xC000050D00000000ull)    \
	X(TDX_CRYPTO_SELF_TEST_FAILED,          0xC000051100000000ull)    \
	X(TDX_TD_FATAL,                         0xE000060400000000ull)    \
	X(TDX_TD_NON_DEBUG,                     0xC000060500000000ull)    \
	X(TDX_TDCS_NOT_ALLOCATED,               0xC000060600000000ull)    \
	X(TDX_LIFECYCLE_STATE_INCORRECT,        0xC000060700000000ull)    \
	X(TDX_OP_STATE_INCORRECT,               0xC000060800000000ull)    \
	X(TDX_NO_VCPUS,                         0xC000060900000000ull)    \
	X(TDX_TDCX_NUM_INCORRECT,               0xC000061000000000ull)    \
	X(TDX_X2APIC_ID_NOT_UNIQUE,             0xC000062100000000ull)    \
	X(TDX_VCPU_STATE_INCORRECT,             0xC000070000000000ull)    \
	X(TDX_VCPU_ASSOCIATED,                  0x8000070100000000ull)    \
	X(TDX_VCPU_NOT_ASSOCIATED,              0x8000070200000000ull)    \
	X(TDX_MAX_VCPUS_EXCEEDED,               0xC000070500000000ull)    \
	X(TDX_TSC_ROLLBACK,                     0xC000070600000000ull)    \
	X(TDX_INTERRUPTIBILITY_BLOCKED,         0xC000070700000000ull)    \
	X(TDX_KEY_GENERATION_FAILED,            0x8000080000000000ull)    \
	X(TDX_TD_KEYS_NOT_CONFIGURED,           0x8000081000000000ull)    \
	X(TDX_KEY_STATE_INCORRECT,              0xC000081100000000ull)    \
	X(TDX_KEY_CONFIGURED,                   0x0000081500000000ull)    \
	X(TDX_WBCACHE_NOT_COMPLETE,             0x8000081700000000ull)    \
	X(TDX_HKID_NOT_FREE,                    0xC000082000000000ull)    \
	X(TDX_NO_HKID_READY_TO_WBCACHE,         0x0000082100000000ull)    \
	X(TDX_WBCACHE_RESUME_ERROR,             0xC000082300000000ull)    \
	X(TDX_FLUSHVP_NOT_DONE,                 0x8000082400000000ull)    \
	X(TDX_LIMIT_CPUID_MAXVAL_SET,           0xC000090100000000ull)    \
	X(TDX_INCONSISTENT_MSR,                 0xC000092000000000ull)    \
	X(TDX_INCORRECT_MSR_VALUE,              0xC000092100000000ull)    \
	X(TDX_TDMR_ALREADY_INITIALIZED,         0x00000A0300000000ull)    \
	X(TDX_EPT_WALK_FAILED,                  0xC0000B0000000000ull)    \
	X(TDX_EPT_ENTRY_FREE,                   0xC0000B0100000000ull)    \
	X(TDX_EPT_ENTRY_NOT_FREE,               0xC0000B0200000000ull)    \
	X(TDX_EPT_ENTRY_NOT_PRESENT,            0xC0000B0300000000ull)    \
	X(TDX_EPT_ENTRY_NOT_LEAF,               0xC0000B0400000000ull)    \
	X(TDX_EPT_ENTRY_LEAF,                   0xC0000B0500000000ull)    \
	X(TDX_GPA_RANGE_NOT_BLOCKED,            0xC0000B0600000000ull)    \
	X(TDX_GPA_RANGE_ALREADY_BLOCKED,        0x00000B0700000000ull)    \
	X(TDX_TLB_TRACKING_NOT_DONE,            0xC0000B0800000000ull)    \
	X(TDX_EPT_INVALID_PROMOTE_CONDITIONS,   0xC0000B0900000000ull)    \
	X(TDX_PAGE_ALREADY_ACCEPTED,            0x00000B0A00000000ull)    \
	X(TDX_PAGE_SIZE_MISMATCH,               0xC0000B0B00000000ull)    \
	X(TDX_GPA_RANGE_BLOCKED,                0xC0000B0C00000000ull)    \
	X(TDX_EPT_ENTRY_STATE_INCORRECT,        0xC0000B0D00000000ull)    \
	X(TDX_EPT_PAGE_NOT_FREE,                0xC0000B0E00000000ull)    \
	X(TDX_L2_SEPT_WALK_FAILED,              0xC0000B0F00000000ull)    \
	X(TDX_L2_SEPT_ENTRY_NOT_FREE,           0xC0000B1000000000ull)    \
	X(TDX_PAGE_ATTR_INVALID,                0xC0000B1100000000ull)    \
	X(TDX_L2_SEPT_PAGE_NOT_PROVIDED,        0xC0000B1200000000ull)    \
	X(TDX_METADATA_FIELD_ID_INCORRECT,      0xC0000C0000000000ull)    \
	X(TDX_METADATA_FIELD_NOT_WRITABLE,      0xC0000C0100000000ull)    \
	X(TDX_METADATA_FIELD_NOT_READABLE,      0xC0000C0200000000ull)    \
	X(TDX_METADATA_FIELD_VALUE_NOT_VALID,   0xC0000C0300000000ull)    \
	X(TDX_METADATA_WR_MASK_NOT_VALID,       0xC0000C0A00000000ull)    \
	X(TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT, 0x00000C0B00000000ull)  \
	X(TDX_VIRTUAL_MSR_VALUE_NOT_VALID,      0xC0000C0D00000000ull)    \
	X(TDX_METADATA_FIELD_NOT_ALLOCATED,     0xC0000C0E00000000ull)    \
	X(TDX_IOMMU_IOTLB_TRACKING_NOT_DONE,    0xC0000F0300000000ull)    \
	X(TDX_SW_ERROR,                         0x8000FF0000000000ull)    \
	X(TDX_SEAMCALL_UD,                      0x8000FF0000000006ull)    \
	X(TDX_SEAMCALL_GP,                      0x8000FF000000000Dull)    \
	X(TDX_SEAMCALL_VMFAILINVALID,           0x8000FF00FFFF0000ull)

/* The same values as plain constants (kept in step with the table by a unit test). */
#define TDX_SUCCESS                              0x0000000000000000ull
#define TDX_NON_RECOVERABLE_VCPU                 0x4000000100000000ull
#define TDX_NON_RECOVERABLE_TD                   0x6000000200000000ull
#define TDX_INTERRUPTED_RESUMABLE                0x8000000300000000ull
#define TDX_INTERRUPTED_RESTARTABLE              0x8000000400000000ull
#define TDX_NON_RECOVERABLE_TD_NON_ACCESSIBLE    0x6000000500000000ull
#define TDX_NON_RECOVERABLE_TD_WRONG_APIC_MODE   0xE000000700000000ull
#define TDX_CROSS_TD_FAULT                       0x8000000800000000ull
#define TDX_CROSS_TD_TRAP                        0x9000000900000000ull
#define TDX_OPERAND_INVALID                      0xC000010000000000ull
#define TDX_OPERAND_ADDR_RANGE_ERROR             0xC000010100000000ull
#define TDX_EVENT_FILTER_INVALID                 0xC000010200000000ull
#define TDX_OPERAND_BUSY                         0x8000020000000000ull
#define TDX_PREVIOUS_TLB_EPOCH_BUSY              0x8000020100000000ull
#define TDX_SYS_BUSY                             0x8000020200000000ull
#define TDX_RND_NO_ENTROPY                       0x8000020300000000ull
#define TDX_OPERAND_BUSY_HOST_PRIORITY           0x8000020400000000ull
#define TDX_HOST_PRIORITY_BUSY_TIMEOUT           0x9000020500000000ull
#define TDX_PAGE_METADATA_INCORRECT              0xC000030000000000ull
#define TDX_PAGE_ALREADY_FREE                    0x0000030100000000ull
#define TDX_PAGE_NOT_OWNED_BY_TD                 0xC000030200000000ull
#define TDX_PAGE_NOT_FREE                        0xC000030300000000ull
#define TDX_HPA_RANGE_NOT_FREE                   0xC000030400000000ull
#define TDX_NO_PAMT_PAGE_PAIR                    0xC000030500000000ull
#define TDX_PAMT_PAGE_NOT_EMPTY                  0xC000030600000000ull
#define TDX_INTERRUPTED_PAMT                     0x8000030700000000ull
#define TDX_MISSING_PAMT_PAGE_PAIR               0x8000030800000000ull
#define TDX_TD_ASSOCIATED_PAGES_EXIST            0xC000040000000000ull
#define TDX_SYS_INIT_NOT_PENDING                 0xC000050000000000ull
#define TDX_SYS_LP_INIT_NOT_DONE                 0xC000050200000000ull
#define TDX_SYS_LP_INIT_DONE                     0xC000050300000000ull
#define TDX_SYS_NOT_READY                        0xC000050500000000ull
#define TDX_SYS_SHUTDOWN                         0xC000050600000000ull
#define TDX_SYS_KEY_CONFIG_NOT_PENDING           0xC000050700000000ull
#define TDX_SYS_STATE_INCORRECT                  0xC000050800000000ull
#define TDX_SYS_LP_INIT_NOT_PENDING              0xC000050B00000000ull
#define TDX_SYS_CONFIG_NOT_PENDING               0xC000050C00000000ull
#define TDX_INCOMPATIBLE_SEAM_CAPABILITIES       0xC000050D00000000ull
#define TDX_CRYPTO_SELF_TEST_FAILED              0xC000051100000000ull
#define TDX_TD_FATAL                             0xE000060400000000ull
#define TDX_TD_NON_DEBUG                         0xC000060500000000ull
#define TDX_TDCS_NOT_ALLOCATED                   0xC000060600000000ull
#define TDX_LIFECYCLE_STATE_INCORRECT            0xC000060700000000ull
#define TDX_OP_STATE_INCORRECT                   0xC000060800000000ull
#define TDX_NO_VCPUS                             0xC000060900000000ull
#define TDX_TDCX_NUM_INCORRECT                   0xC000061000000000ull
#define TDX_X2APIC_ID_NOT_UNIQUE                 0xC000062100000000ull
#define TDX_VCPU_STATE_INCORRECT                 0xC000070000000000ull
#define TDX_VCPU_ASSOCIATED                      0x8000070100000000ull
#define TDX_VCPU_NOT_ASSOCIATED                  0x8000070200000000ull
#define TDX_MAX_VCPUS_EXCEEDED                   0xC000070500000000ull
#define TDX_TSC_ROLLBACK                         0xC000070600000000ull
#define TDX_INTERRUPTIBILITY_BLOCKED             0xC000070700000000ull
#define TDX_KEY_GENERATION_FAILED                0x8000080000000000ull
#define TDX_TD_KEYS_NOT_CONFIGURED               0x8000081000000000ull
#define TDX_KEY_STATE_INCORRECT                  0xC000081100000000ull
#define TDX_KEY_CONFIGURED                       0x0000081500000000ull
#define TDX_WBCACHE_NOT_COMPLETE                 0x8000081700000000ull
#define TDX_HKID_NOT_FREE                        0xC000082000000000ull
#define TDX_NO_HKID_READY_TO_WBCACHE             0x0000082100000000ull
#define TDX_WBCACHE_RESUME_ERROR                 0xC000082300000000ull
#define TDX_FLUSHVP_NOT_DONE                     0x8000082400000000ull
#define TDX_LIMIT_CPUID_MAXVAL_SET               0xC000090100000000ull
#define TDX_INCONSISTENT_MSR                     0xC000092000000000ull
#define TDX_INCORRECT_MSR_VALUE                  0xC000092100000000ull
#define TDX_TDMR_ALREADY_INITIALIZED             0x00000A0300000000ull
#define TDX_EPT_WALK_FAILED                      0xC0000B0000000000ull
#define TDX_EPT_ENTRY_FREE                       0xC0000B0100000000ull
#define TDX_EPT_ENTRY_NOT_FREE                   0xC0000B0200000000ull
#define TDX_EPT_ENTRY_NOT_PRESENT                0xC0000B0300000000ull
#define TDX_EPT_ENTRY_NOT_LEAF                   0xC0000B0400000000ull
#define TDX_EPT_ENTRY_LEAF                       0xC0000B0500000000ull
#define TDX_GPA_RANGE_NOT_BLOCKED                0xC0000B0600000000ull
#define TDX_GPA_RANGE_ALREADY_BLOCKED            0x00000B0700000000ull
#define TDX_TLB_TRACKING_NOT_DONE                0xC0000B0800000000ull
#define TDX_EPT_INVALID_PROMOTE_CONDITIONS       0xC0000B0900000000ull
#define TDX_PAGE_ALREADY_ACCEPTED                0x00000B0A00000000ull
#define TDX_PAGE_SIZE_MISMATCH                   0xC0000B0B00000000ull
#define TDX_GPA_RANGE_BLOCKED                    0xC0000B0C00000000ull
#define TDX_EPT_ENTRY_STATE_INCORRECT            0xC0000B0D00000000ull
#define TDX_EPT_PAGE_NOT_FREE                    0xC0000B0E00000000ull
#define TDX_L2_SEPT_WALK_FAILED                  0xC0000B0F00000000ull
#define TDX_L2_SEPT_ENTRY_NOT_FREE               0xC0000B1000000000ull
#define TDX_PAGE_ATTR_INVALID                    0xC0000B1100000000ull
#define TDX_L2_SEPT_PAGE_NOT_PROVIDED            0xC0000B1200000000ull
#define TDX_METADATA_FIELD_ID_INCORRECT          0xC0000C0000000000ull
/* FIELD_NOT_WRITABLE, FIELD_VALUE_NOT_VALID and WR_MASK_NOT_VALID are not in the
 * reference's §2.2 list; values from the public 1.5 source (tdx_error_codes_defs.h),
 * returned by TDH.MNG.WR (md_td_write_element). */
#define TDX_METADATA_FIELD_NOT_WRITABLE          0xC0000C0100000000ull
#define TDX_METADATA_FIELD_NOT_READABLE          0xC0000C0200000000ull
#define TDX_METADATA_FIELD_VALUE_NOT_VALID       0xC0000C0300000000ull
#define TDX_METADATA_WR_MASK_NOT_VALID           0xC0000C0A00000000ull
#define TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT   0x00000C0B00000000ull
#define TDX_VIRTUAL_MSR_VALUE_NOT_VALID          0xC0000C0D00000000ull
#define TDX_METADATA_FIELD_NOT_ALLOCATED         0xC0000C0E00000000ull
#define TDX_IOMMU_IOTLB_TRACKING_NOT_DONE        0xC0000F0300000000ull
#define TDX_SW_ERROR                             0x8000FF0000000000ull
#define TDX_SEAMCALL_UD                          0x8000FF0000000006ull
#define TDX_SEAMCALL_GP                          0x8000FF000000000Dull
#define TDX_SEAMCALL_VMFAILINVALID               0x8000FF00FFFF0000ull

/* Where a code came from, for decode's output. */
enum tdx_status_origin {
	TDX_ORIGIN_MODULE_1_5, /* reference §2.2 */
	TDX_ORIGIN_MODULE_2_0, /* reference §8, new in 2.0.08 */
	TDX_ORIGIN_LINUX_SW,   /* Linux software codes (class 0xFF) */
	TDX_ORIGIN_LINUX,      /* only in the Linux headers (linux-kvm-tdx.md §4) */
};

/* §2.3 operand IDs (added into bits 31:0). */
#define TDX_OPERAND_IDS(X)                                                    \
	X(RAX, 0) X(RCX, 1) X(RDX, 2) X(RBX, 3) X(RBP, 5) X(RSI, 6) X(RDI, 7)   \
	X(R8, 8) X(R9, 9) X(R10, 10) X(R11, 11) X(R12, 12) X(R13, 13)            \
	X(R14, 14) X(R15, 15)                                                    \
	X(ATTRIBUTES, 64) X(XFAM, 65) X(EXEC_CONTROLS, 66) X(EPTP_CONTROLS, 67)  \
	X(MAX_VCPUS, 68) X(CPUID_CONFIG, 69) X(TSC_FREQUENCY, 70)                \
	X(NUM_L2_VMS, 71) X(IA32_ARCH_CAPABILITIES_CONFIG, 72)                   \
	X(PAGE, 95) X(TDMR_INFO_PA, 96) X(GPA_LIST_ENTRY, 97)                    \
	X(MIG_BUFF_LIST_ENTRY, 98) X(NEW_PAGE_LIST_ENTRY, 99)                    \
	X(TDR, 128) X(TDCX, 129) X(TDVPR, 130) X(REG_PAGE, 132) X(TDCS, 144)     \
	X(TDVPS, 145) X(SEPT_TREE, 146) X(SEPT_ENTRY, 147) X(RTMR, 168)          \
	X(TD_EPOCH, 169) X(L2_VAPIC_GPA, 170) X(MIGSC, 171) X(OP_STATE, 172)     \
	X(MIG, 173) X(SERVTD_BINDINGS, 174) X(METADATA_FIELD, 176)               \
	X(SYS, 184) X(TDMR, 185) X(KOT, 186) X(KET, 187) X(WBCACHE, 188)

enum tdx_operand_id {
#define TDX_OPERAND_ENUM(name, value) OPERAND_ID_##name = value,
	TDX_OPERAND_IDS(TDX_OPERAND_ENUM)
#undef TDX_OPERAND_ENUM
};

struct tdx_status_info {
	const char *name;
	tdx_status_t value; /* upper 32 bits; low bits as defined (SW codes carry them) */
	enum tdx_status_origin origin;
};

/* Exact lookup of a defined code (operand bits cleared unless the code defines them). */
const struct tdx_status_info *tdx_status_lookup(tdx_status_t s);
/* Lookup by class and details_l1 only, ignoring bits 63:60: finds the defined code a
 * status was derived from even if its flag bits differ (e.g. Linux's value for
 * TDX_NON_RECOVERABLE_TD).  NULL if none. */
const struct tdx_status_info *tdx_status_lookup_loose(tdx_status_t s);
const struct tdx_status_info *tdx_status_by_name(const char *name);
const struct tdx_status_info *tdx_status_table(unsigned *count);
/* "TDX_OPERAND_BUSY" etc; NULL if unknown. */
const char *tdx_status_name(tdx_status_t s);
/* Name of a status class (bits 47:40), e.g. "busy/resources"; NULL if reserved. */
const char *tdx_status_class_name(unsigned clas);
/* Operand ID name without the OPERAND_ID_ prefix, NULL if not defined. */
const char *tdx_operand_name(uint32_t id);
/* Parse "RCX", "OPERAND_ID_RCX", "SEPT_TREE"; returns -1 if unknown. */
int tdx_operand_by_name(const char *name);
/* What KVM's tdx_operand_busy() sees: (s & STATUS_MASK) == TDX_OPERAND_BUSY. */
static inline bool tdx_status_is_kvm_busy(tdx_status_t s)
{
	return (s & TDX_SEAMCALL_STATUS_MASK) == TDX_OPERAND_BUSY;
}
/* Renders "TDX_OPERAND_BUSY|SEPT_TREE" style text into buf; returns buf.  Codes
 * whose operand field is not an operand ID say what it is (§2.3):
 * "TDX_PAGE_ALREADY_ACCEPTED|level 1 (2M)", "TDX_INCONSISTENT_MSR|MSR 0x3B
 * (IA32_TSC_ADJUST)", and "TDX_SW_ERROR|trap 14" for a Linux software code. */
const char *tdx_status_format(tdx_status_t s, char *buf, unsigned len);

#endif
