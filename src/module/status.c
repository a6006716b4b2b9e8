/* SPDX-License-Identifier: MIT */
/* Status-code and operand-ID tables (reference tdx-module-1.5.md §2, §8; linux-kvm-tdx.md §4). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tdxsim/status.h"

static enum tdx_status_origin origin_of(const char *name)
{
	static const char *const v20[] = {
		"TDX_HPA_RANGE_NOT_FREE", "TDX_NO_PAMT_PAGE_PAIR", "TDX_PAMT_PAGE_NOT_EMPTY",
		"TDX_INTERRUPTED_PAMT", "TDX_MISSING_PAMT_PAGE_PAIR",
		"TDX_INTERRUPTIBILITY_BLOCKED", "TDX_CRYPTO_SELF_TEST_FAILED",
		"TDX_EVENT_FILTER_INVALID", "TDX_VIRTUAL_MSR_VALUE_NOT_VALID",
		"TDX_METADATA_FIELD_NOT_ALLOCATED", "TDX_IOMMU_IOTLB_TRACKING_NOT_DONE",
	};
	for (unsigned i = 0; i < sizeof(v20) / sizeof(v20[0]); i++)
		if (!strcmp(name, v20[i]))
			return TDX_ORIGIN_MODULE_2_0;
	if (!strncmp(name, "TDX_SW_ERROR", 12) || !strncmp(name, "TDX_SEAMCALL_", 13))
		return TDX_ORIGIN_LINUX_SW;
	if (!strcmp(name, "TDX_METADATA_FIELD_NOT_READABLE"))
		return TDX_ORIGIN_LINUX;
	return TDX_ORIGIN_MODULE_1_5;
}

static struct tdx_status_info table[] = {
#define ROW(n, v) { #n, v, TDX_ORIGIN_MODULE_1_5 },
	TDX_STATUS_CODES(ROW)
#undef ROW
};
#define NCODES (sizeof(table) / sizeof(table[0]))

static pthread_once_t origins_once = PTHREAD_ONCE_INIT;

static void fill_origins(void)
{
	for (unsigned i = 0; i < NCODES; i++)
		table[i].origin = origin_of(table[i].name);
}

static void init_origins(void)
{
	/* Derived once from the name lists above.  pthread_once: two threads filling
	 * the table at the same time, while a third reads it, is a data race even if
	 * they store the same values (the library is used from many threads). */
	pthread_once(&origins_once, fill_origins);
}

const struct tdx_status_info *tdx_status_table(unsigned *count)
{
	init_origins();
	if (count)
		*count = NCODES;
	return table;
}

static int is_sw(tdx_status_t s)
{
	return tdx_status_class(s) == 0xFF;
}

const struct tdx_status_info *tdx_status_lookup(tdx_status_t s)
{
	init_origins();
	/* Software codes carry meaning in the low bits (trap number, 0xFFFF0000). */
	if (is_sw(s)) {
		for (unsigned i = 0; i < NCODES; i++)
			if (table[i].origin == TDX_ORIGIN_LINUX_SW && table[i].value == s)
				return &table[i];
		for (unsigned i = 0; i < NCODES; i++)
			if (table[i].value == TDX_SW_ERROR &&
			    (s & TDX_SEAMCALL_STATUS_MASK) == TDX_SW_ERROR)
				return &table[i];
		return NULL;
	}
	for (unsigned i = 0; i < NCODES; i++)
		if (table[i].origin != TDX_ORIGIN_LINUX_SW &&
		    table[i].value == (s & TDX_SEAMCALL_STATUS_MASK))
			return &table[i];
	return NULL;
}

const struct tdx_status_info *tdx_status_lookup_loose(tdx_status_t s)
{
	const struct tdx_status_info *exact = tdx_status_lookup(s);
	if (exact)
		return exact;
	/* Same class and sub-code; flag bits 63:60 may differ. */
	const tdx_status_t key_mask = 0x0000FFFF00000000ull;
	for (unsigned i = 0; i < NCODES; i++)
		if (table[i].origin != TDX_ORIGIN_LINUX_SW &&
		    (table[i].value & key_mask) == (s & key_mask) &&
		    (s & 0x0FFF000000000000ull) == 0)
			return &table[i];
	return NULL;
}

const struct tdx_status_info *tdx_status_by_name(const char *name)
{
	init_origins();
	for (unsigned i = 0; i < NCODES; i++)
		if (!strcasecmp(table[i].name, name))
			return &table[i];
	/* Allow the name without the TDX_ prefix. */
	for (unsigned i = 0; i < NCODES; i++)
		if (!strcasecmp(table[i].name + 4, name))
			return &table[i];
	return NULL;
}

const char *tdx_status_name(tdx_status_t s)
{
	const struct tdx_status_info *info = tdx_status_lookup(s);
	return info ? info->name : NULL;
}

const char *tdx_status_class_name(unsigned clas)
{
	switch (clas) {
	case 0x00: return "general/TD-exit";
	case 0x01: return "operand";
	case 0x02: return "busy/resources";
	case 0x03: return "page metadata";
	case 0x04: return "TD pages";
	case 0x05: return "system";
	case 0x06: return "TD";
	case 0x07: return "vCPU";
	case 0x08: return "keys";
	case 0x09: return "platform config";
	case 0x0A: return "TDMR/PAMT";
	case 0x0B: return "EPT";
	case 0x0C: return "metadata";
	case 0x0D: return "service TD";
	case 0x0E: return "migration";
	case 0x0F: return "TDX-IO (2.0)";
	case 0x10: return "attestation";
	case 0x11: return "L2 exit";
	case 0xFF: return "software (Linux)";
	default: return NULL;
	}
}

static const struct {
	const char *name;
	uint32_t id;
} operands[] = {
#define OP(n, v) { #n, v },
	TDX_OPERAND_IDS(OP)
#undef OP
};

const char *tdx_operand_name(uint32_t id)
{
	for (unsigned i = 0; i < sizeof(operands) / sizeof(operands[0]); i++)
		if (operands[i].id == id)
			return operands[i].name;
	return NULL;
}

int tdx_operand_by_name(const char *name)
{
	if (!strncasecmp(name, "OPERAND_ID_", 11))
		name += 11;
	for (unsigned i = 0; i < sizeof(operands) / sizeof(operands[0]); i++)
		if (!strcasecmp(operands[i].name, name))
			return (int)operands[i].id;
	return -1;
}

#define MSR_IA32_TSC_ADJUST 0x3Bu /* the MSR named by §2.3's example */

/* Size names of the SEPT levels that TDG.MEM.PAGE.ACCEPT reports (§2.3). */
static const char *level_size(uint32_t level)
{
	switch (level) {
	case 0: return "4K";
	case 1: return "2M";
	case 2: return "1G";
	default: return NULL;
	}
}

const char *tdx_status_format(tdx_status_t s, char *buf, unsigned len)
{
	const struct tdx_status_info *info = tdx_status_lookup(s);
	if (!info) {
		snprintf(buf, len, "0x%016llx", (unsigned long long)s);
		return buf;
	}
	uint32_t op = tdx_status_operand(s);
	/* Software codes: the low bits are a trap number (TDX_SW_ERROR | trap) or part
	 * of the code itself (SEAMCALL_UD/GP/VMFAILINVALID, matched exactly). */
	if (info->origin == TDX_ORIGIN_LINUX_SW) {
		if (info->value == TDX_SW_ERROR && op != 0)
			snprintf(buf, len, "%s|trap %u", info->name, op);
		else
			snprintf(buf, len, "%s", info->name);
		return buf;
	}
	/* §2.3: these codes carry a SEPT level or an MSR address, not an operand ID. */
	if (info->value == TDX_PAGE_ALREADY_ACCEPTED || info->value == TDX_PAGE_SIZE_MISMATCH) {
		const char *size = level_size(op);
		if (size)
			snprintf(buf, len, "%s|level %u (%s)", info->name, op, size);
		else
			snprintf(buf, len, "%s|level %u", info->name, op);
		return buf;
	}
	if (info->value == TDX_INCONSISTENT_MSR || info->value == TDX_INCORRECT_MSR_VALUE) {
		if (op == MSR_IA32_TSC_ADJUST)
			snprintf(buf, len, "%s|MSR 0x3B (IA32_TSC_ADJUST)", info->name);
		else
			snprintf(buf, len, "%s|MSR 0x%X", info->name, op);
		return buf;
	}
	if (op == 0) {
		snprintf(buf, len, "%s", info->name);
		return buf;
	}
	const char *opn = tdx_operand_name(op);
	if (opn)
		snprintf(buf, len, "%s|%s", info->name, opn);
	else
		snprintf(buf, len, "%s|0x%x", info->name, op);
	return buf;
}
