/* SPDX-License-Identifier: MIT */
/*
 * Status codes and operand IDs: reference tdx-module-1.5.md §2 (1.5.05), §8 (2.0)
 * and the Linux codes of linux-kvm-tdx.md §4.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tdxsim/status.h"

/* The #define constants and the lookup table are written separately; keep them equal. */
static void defines_match_table(void **state)
{
	(void)state;
#define CHECK(n, v) assert_int_equal(n, (v)); assert_string_equal(tdx_status_by_name(#n)->name, #n);
	TDX_STATUS_CODES(CHECK)
#undef CHECK
}

/* Every name in the table looks up to itself from its own value. */
static void every_code_looks_up_to_itself(void **state)
{
	(void)state;
	unsigned n;
	const struct tdx_status_info *t = tdx_status_table(&n);
	assert_true(n > 90);
	for (unsigned i = 0; i < n; i++) {
		const struct tdx_status_info *info = tdx_status_lookup(t[i].value);
		assert_non_null(info);
		assert_string_equal(info->name, t[i].name);
		assert_ptr_equal(tdx_status_lookup_loose(t[i].value), info);
	}
}

/* §2.4: what a caller actually sees, formatted and decoded. */
static const struct {
	tdx_status_t value;
	const char *text;
	const char *name;
	tdx_status_t code;
	uint32_t operand;
	const char *operand_name;
	bool kvm_busy;
} examples[] = {
	{ 0x8000020000000092ull, "TDX_OPERAND_BUSY|SEPT_TREE", "TDX_OPERAND_BUSY", TDX_OPERAND_BUSY, OPERAND_ID_SEPT_TREE, "SEPT_TREE", true },
	{ 0x8000020000000001ull, "TDX_OPERAND_BUSY|RCX", "TDX_OPERAND_BUSY", TDX_OPERAND_BUSY, OPERAND_ID_RCX, "RCX", true },
	{ 0x80000200000000ACull, "TDX_OPERAND_BUSY|OP_STATE", "TDX_OPERAND_BUSY", TDX_OPERAND_BUSY, OPERAND_ID_OP_STATE, "OP_STATE", true },
	{ 0x8000020000000080ull, "TDX_OPERAND_BUSY|TDR", "TDX_OPERAND_BUSY", TDX_OPERAND_BUSY, OPERAND_ID_TDR, "TDR", true },
	{ 0x80000200000000A9ull, "TDX_OPERAND_BUSY|TD_EPOCH", "TDX_OPERAND_BUSY", TDX_OPERAND_BUSY, OPERAND_ID_TD_EPOCH, "TD_EPOCH", true },
	{ 0x80000200000000BAull, "TDX_OPERAND_BUSY|KOT", "TDX_OPERAND_BUSY", TDX_OPERAND_BUSY, OPERAND_ID_KOT, "KOT", true },
	{ 0x8000020000000002ull, "TDX_OPERAND_BUSY|RDX", "TDX_OPERAND_BUSY", TDX_OPERAND_BUSY, OPERAND_ID_RDX, "RDX", true },
	{ 0xC0000B0000000001ull, "TDX_EPT_WALK_FAILED|RCX", "TDX_EPT_WALK_FAILED", TDX_EPT_WALK_FAILED, OPERAND_ID_RCX, "RCX", false },
	{ 0xC0000B0D00000001ull, "TDX_EPT_ENTRY_STATE_INCORRECT|RCX", "TDX_EPT_ENTRY_STATE_INCORRECT", TDX_EPT_ENTRY_STATE_INCORRECT, OPERAND_ID_RCX, "RCX", false },
	{ 0xC0000B0800000001ull, "TDX_TLB_TRACKING_NOT_DONE|RCX", "TDX_TLB_TRACKING_NOT_DONE", TDX_TLB_TRACKING_NOT_DONE, OPERAND_ID_RCX, "RCX", false },
	/* Not in §2.4, but the design notes' example of an operand beyond the GPRs. */
	{ 0xC000010000000045ull, "TDX_OPERAND_INVALID|CPUID_CONFIG", "TDX_OPERAND_INVALID", TDX_OPERAND_INVALID, OPERAND_ID_CPUID_CONFIG, "CPUID_CONFIG", false },
	/* Host-priority BUSY is not what KVM's tdx_operand_busy() matches. */
	{ 0x8000020400000001ull, "TDX_OPERAND_BUSY_HOST_PRIORITY|RCX", "TDX_OPERAND_BUSY_HOST_PRIORITY", TDX_OPERAND_BUSY_HOST_PRIORITY, OPERAND_ID_RCX, "RCX", false },
};

static void composed_examples(void **state)
{
	(void)state;
	char buf[96];
	for (unsigned i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
		tdx_status_t v = examples[i].value;
		/* §2.1: operand IDs are added to the code. */
		assert_int_equal(tdx_status_with_operand(examples[i].code, examples[i].operand), v);
		assert_string_equal(tdx_status_format(v, buf, sizeof(buf)), examples[i].text);
		assert_string_equal(tdx_status_name(v), examples[i].name);
		assert_int_equal(tdx_status_operand(v), examples[i].operand);
		assert_string_equal(tdx_operand_name(tdx_status_operand(v)), examples[i].operand_name);
		assert_int_equal(tdx_status_is_kvm_busy(v), examples[i].kvm_busy);
	}
	assert_int_equal(OPERAND_ID_CPUID_CONFIG, 69);
	assert_int_equal(OPERAND_ID_SEPT_TREE, 0x92);
}

static void fields(void **state)
{
	(void)state;
	tdx_status_t v = 0xC0000B0D00000001ull;
	assert_int_equal(tdx_status_class(v), 0x0B);
	assert_int_equal(tdx_status_details_l1(v), 0x0D);
	assert_int_equal(tdx_status_operand(v), 1);
	assert_true(v & TDX_STATUS_ERROR);
	assert_true(v & TDX_STATUS_NON_RECOVERABLE);
	assert_false(v & TDX_STATUS_FATAL);
	assert_true(TDX_TD_FATAL & TDX_STATUS_FATAL);
	assert_true(TDX_HOST_PRIORITY_BUSY_TIMEOUT & TDX_STATUS_HOST_RECOVERABILITY_HINT);
	/* §2.1: BUSY codes are recoverable; informational codes have bit 63 clear. */
	assert_false(TDX_OPERAND_BUSY & TDX_STATUS_NON_RECOVERABLE);
	assert_false(TDX_PAGE_ALREADY_ACCEPTED & TDX_STATUS_ERROR);
	assert_false(TDX_GPA_RANGE_ALREADY_BLOCKED & TDX_STATUS_ERROR);
	assert_string_equal(tdx_status_class_name(0x02), "busy/resources");
	assert_string_equal(tdx_status_class_name(0x0B), "EPT");
	assert_string_equal(tdx_status_class_name(0xFF), "software (Linux)");
	assert_null(tdx_status_class_name(0x42));
}

/* §2.3: these codes carry a SEPT level or an MSR address, not an operand ID. */
static void special_operands(void **state)
{
	(void)state;
	char buf[96];
	assert_string_equal(tdx_status_format(0x00000B0A00000001ull, buf, sizeof(buf)),
			    "TDX_PAGE_ALREADY_ACCEPTED|level 1 (2M)");
	assert_string_equal(tdx_status_format(0x00000B0A00000000ull, buf, sizeof(buf)),
			    "TDX_PAGE_ALREADY_ACCEPTED|level 0 (4K)");
	assert_string_equal(tdx_status_format(0xC0000B0B00000002ull, buf, sizeof(buf)),
			    "TDX_PAGE_SIZE_MISMATCH|level 2 (1G)");
	assert_string_equal(tdx_status_format(0xC0000B0B00000003ull, buf, sizeof(buf)),
			    "TDX_PAGE_SIZE_MISMATCH|level 3");
	assert_string_equal(tdx_status_format(0xC00009200000003Bull, buf, sizeof(buf)),
			    "TDX_INCONSISTENT_MSR|MSR 0x3B (IA32_TSC_ADJUST)");
	assert_string_equal(tdx_status_format(0xC000092100000010ull, buf, sizeof(buf)),
			    "TDX_INCORRECT_MSR_VALUE|MSR 0x10");
	assert_string_equal(tdx_status_name(0x00000B0A00000001ull), "TDX_PAGE_ALREADY_ACCEPTED");
}

static void loose_lookup(void **state)
{
	(void)state;
	/* Linux's header value of TDX_NON_RECOVERABLE_TD lacks the module's fatal bit
	 * (linux-kvm-tdx.md §4 vs tdx-module-1.5.md §2.2). */
	assert_null(tdx_status_lookup(0x4000000200000000ull));
	assert_string_equal(tdx_status_lookup_loose(0x4000000200000000ull)->name, "TDX_NON_RECOVERABLE_TD");
	assert_int_equal(tdx_status_lookup_loose(0x4000000200000000ull)->value, 0x6000000200000000ull);
	/* Likewise WRONG_APIC_MODE: Linux 0x6000000700000000, module 0xE000000700000000. */
	assert_null(tdx_status_lookup(0x6000000700000000ull));
	assert_string_equal(tdx_status_lookup_loose(0x6000000700000000ull)->name,
			    "TDX_NON_RECOVERABLE_TD_WRONG_APIC_MODE");
	/* The operand does not matter. */
	assert_string_equal(tdx_status_lookup_loose(0x0000020000000092ull)->name, "TDX_OPERAND_BUSY");
	/* Reserved bits 59:48 set: not derived from any code. */
	assert_null(tdx_status_lookup_loose(0x8001020000000000ull));
	/* No code with that class and sub-code. */
	assert_null(tdx_status_lookup_loose(0xC000FE0000000000ull));
	assert_null(tdx_status_lookup_loose(0xC000027700000000ull));
	/* Never matches a software code loosely. */
	assert_null(tdx_status_lookup_loose(0x0000FF0000000006ull));
	/* Exact wins. */
	assert_string_equal(tdx_status_lookup_loose(TDX_TD_FATAL)->name, "TDX_TD_FATAL");
}

static void software_codes(void **state)
{
	(void)state;
	char buf[96];
	const struct tdx_status_info *i;

	i = tdx_status_lookup(0x8000FF0000000006ull);
	assert_string_equal(i->name, "TDX_SEAMCALL_UD");
	assert_int_equal(i->origin, TDX_ORIGIN_LINUX_SW);
	assert_string_equal(tdx_status_lookup(0x8000FF000000000Dull)->name, "TDX_SEAMCALL_GP");
	assert_string_equal(tdx_status_lookup(0x8000FF00FFFF0000ull)->name, "TDX_SEAMCALL_VMFAILINVALID");
	/* TDX_SW_ERROR | trap for any other trap. */
	assert_string_equal(tdx_status_lookup(0x8000FF000000000Eull)->name, "TDX_SW_ERROR");
	assert_string_equal(tdx_status_lookup(TDX_SW_ERROR)->name, "TDX_SW_ERROR");
	assert_string_equal(tdx_status_format(0x8000FF000000000Eull, buf, sizeof(buf)), "TDX_SW_ERROR|trap 14");
	assert_string_equal(tdx_status_format(TDX_SEAMCALL_UD, buf, sizeof(buf)), "TDX_SEAMCALL_UD");
	assert_string_equal(tdx_status_format(TDX_SEAMCALL_VMFAILINVALID, buf, sizeof(buf)),
			    "TDX_SEAMCALL_VMFAILINVALID");
	assert_string_equal(tdx_status_format(TDX_SW_ERROR, buf, sizeof(buf)), "TDX_SW_ERROR");
	/* Class 0xFF without exactly TDX_SW_ERROR's upper bits is not a Linux code. */
	assert_null(tdx_status_lookup(0xC000FF0000000006ull));
	assert_null(tdx_status_lookup(0x0000FF0000000006ull));
	assert_false(tdx_status_is_kvm_busy(TDX_SEAMCALL_UD));
}

static void unknown_codes(void **state)
{
	(void)state;
	char buf[96];
	assert_null(tdx_status_lookup(0xC000027700000000ull));
	assert_null(tdx_status_name(0xC000027700000000ull));
	assert_string_equal(tdx_status_format(0xC000027700000001ull, buf, sizeof(buf)), "0xc000027700000001");
	/* A defined code with an undefined operand ID. */
	assert_string_equal(tdx_status_format(0x8000020000001234ull, buf, sizeof(buf)), "TDX_OPERAND_BUSY|0x1234");
	/* Truncation is safe. */
	assert_string_equal(tdx_status_format(0x8000020000000092ull, buf, 5), "TDX_");
	/* TDX_TD_NOT_INITIALIZED does not exist in 1.5 (§2.2). */
	assert_null(tdx_status_by_name("TDX_TD_NOT_INITIALIZED"));
}

static void origins(void **state)
{
	(void)state;
	assert_int_equal(tdx_status_by_name("TDX_SUCCESS")->origin, TDX_ORIGIN_MODULE_1_5);
	assert_int_equal(tdx_status_by_name("TDX_X2APIC_ID_NOT_UNIQUE")->origin, TDX_ORIGIN_MODULE_1_5);
	assert_int_equal(tdx_status_by_name("TDX_HPA_RANGE_NOT_FREE")->origin, TDX_ORIGIN_MODULE_2_0);
	assert_int_equal(tdx_status_by_name("TDX_IOMMU_IOTLB_TRACKING_NOT_DONE")->origin, TDX_ORIGIN_MODULE_2_0);
	assert_int_equal(tdx_status_by_name("TDX_METADATA_FIELD_NOT_READABLE")->origin, TDX_ORIGIN_LINUX);
	assert_int_equal(tdx_status_by_name("TDX_SEAMCALL_GP")->origin, TDX_ORIGIN_LINUX_SW);
	assert_int_equal(tdx_status_by_name("TDX_SW_ERROR")->origin, TDX_ORIGIN_LINUX_SW);
	/* By name, with or without the TDX_ prefix, any case. */
	assert_string_equal(tdx_status_by_name("operand_busy")->name, "TDX_OPERAND_BUSY");
	assert_null(tdx_status_by_name("NO_SUCH_CODE"));
}

static void operand_names(void **state)
{
	(void)state;
	assert_int_equal(tdx_operand_by_name("SEPT_TREE"), 146);
	assert_int_equal(tdx_operand_by_name("OPERAND_ID_RCX"), 1);
	assert_int_equal(tdx_operand_by_name("op_state"), 172);
	assert_int_equal(tdx_operand_by_name("NOPE"), -1);
	assert_string_equal(tdx_operand_name(0xBC), "WBCACHE");
	assert_null(tdx_operand_name(4)); /* no OPERAND_ID for RSP */
	/* §2.3: a busy SEPT entry is reported with the GPA register, but the ID exists. */
	assert_string_equal(tdx_operand_name(147), "SEPT_ENTRY");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defines_match_table),
		cmocka_unit_test(every_code_looks_up_to_itself),
		cmocka_unit_test(composed_examples),
		cmocka_unit_test(fields),
		cmocka_unit_test(special_operands),
		cmocka_unit_test(loose_lookup),
		cmocka_unit_test(software_codes),
		cmocka_unit_test(unknown_codes),
		cmocka_unit_test(origins),
		cmocka_unit_test(operand_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
