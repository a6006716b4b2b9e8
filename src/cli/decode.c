/* SPDX-License-Identifier: MIT */
/*
 * tdxsim decode HEX...: explain TDX status codes (RAX after SEAMCALL/TDCALL),
 * field by field (reference tdx-module-1.5.md §2.1), with the name from the status
 * table, the operand (§2.3), whether KVM treats it as BUSY, and where the code
 * comes from.  Output format and JSON schema: docs/decode.md.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/commands.h"
#include "tdxsim/error.h"
#include "tdxsim/status.h"

#define TEXT_MAX 128
#define MSR_IA32_TSC_ADJUST 0x3Bu /* the MSR §2.3 names for TDX_INCONSISTENT_MSR */
#define X86_TRAP_UD 6             /* linux-kvm-tdx.md §4: TDX_SEAMCALL_UD */
#define X86_TRAP_GP 13            /* linux-kvm-tdx.md §4: TDX_SEAMCALL_GP */
#define SW_CLASS 0xFFu            /* Linux software codes (linux-kvm-tdx.md §4) */
#define RESERVED_MASK 0x0FFF000000000000ull /* bits 59:48 */
#define FLAGS_MASK 0xF000000000000000ull    /* bits 63:60 */

/* What the low 32 bits of a code mean (§2.3, linux-kvm-tdx.md §4). */
enum operand_kind {
	OPK_OPERAND_ID, /* an operand ID added to the code */
	OPK_SEPT_LEVEL, /* TDX_PAGE_ALREADY_ACCEPTED, TDX_PAGE_SIZE_MISMATCH */
	OPK_MSR,        /* TDX_INCONSISTENT_MSR, TDX_INCORRECT_MSR_VALUE */
	OPK_TRAP,       /* TDX_SW_ERROR | trap number */
	OPK_SW_CODE,    /* part of the software code itself (VMFAILINVALID) */
};

static const char *const operand_kind_json[] = {
	[OPK_OPERAND_ID] = "operand_id",
	[OPK_SEPT_LEVEL] = "sept_level",
	[OPK_MSR] = "msr",
	[OPK_TRAP] = "trap",
	[OPK_SW_CODE] = "sw_code",
};

/* Values the Linux headers define differently from the module (linux-kvm-tdx.md
 * §4 vs tdx-module-1.5.md §2.2): the module never returns these. */
static const struct {
	const char *name;
	tdx_status_t linux_value;
} linux_variants[] = {
	{ "TDX_NON_RECOVERABLE_TD", 0x4000000200000000ull },
	{ "TDX_NON_RECOVERABLE_TD_WRONG_APIC_MODE", 0x6000000700000000ull },
};

struct decoded {
	tdx_status_t value;
	const struct tdx_status_info *info;    /* exact match, or NULL */
	const struct tdx_status_info *similar; /* same class/details_l1, other flags */
	const char *linux_alias;               /* Linux header name of this exact value */
	enum operand_kind okind;
	uint32_t operand;
	const char *operand_name; /* NULL if none */
	char operand_text[TEXT_MAX]; /* "0x92 (SEPT_TREE)", "level 1 (2M)", ... */
	char head_operand[TEXT_MAX]; /* the same for the first line; "" if omitted */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tdxsim decode [--json] HEX...\n"
		"\n"
		"Explain TDX status codes (RAX after SEAMCALL or TDCALL), field by field:\n"
		"name, class, details_l1, the error/non-recoverable/fatal/host-recoverability\n"
		"bits, the operand (an operand ID, a SEPT level or an MSR address, depending\n"
		"on the code), whether KVM treats it as BUSY, and where the code comes from.\n"
		"HEX is a 64-bit value with or without 0x, e.g. 0x8000020000000092.\n"
		"\n"
		"options:\n"
		"  --json   one JSON array of objects (schema: docs/decode.md)\n"
		"  --help   this text\n");
}

/* Hex with or without 0x; at most 16 significant digits. */
static bool parse_hex64(const char *s, tdx_status_t *out)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!isxdigit((unsigned char)*p))
			return false;
	while (s[0] == '0' && s[1])
		s++;
	if (strlen(s) > 16)
		return false;
	*out = (tdx_status_t)strtoull(s, NULL, 16);
	return true;
}

static const char *level_size(uint32_t level)
{
	switch (level) {
	case 0: return "4K";
	case 1: return "2M";
	case 2: return "1G";
	default: return NULL;
	}
}

static const char *trap_name(uint32_t trap)
{
	switch (trap) {
	case X86_TRAP_UD: return "#UD";
	case X86_TRAP_GP: return "#GP";
	default: return NULL;
	}
}

static const char *origin_text(enum tdx_status_origin o)
{
	switch (o) {
	case TDX_ORIGIN_MODULE_1_5: return "module 1.5";
	case TDX_ORIGIN_MODULE_2_0: return "new in 2.0";
	case TDX_ORIGIN_LINUX_SW: return "Linux software code";
	case TDX_ORIGIN_LINUX: return "Linux header only";
	}
	return "unknown";
}

static const char *origin_json(enum tdx_status_origin o)
{
	switch (o) {
	case TDX_ORIGIN_MODULE_1_5: return "module-1.5";
	case TDX_ORIGIN_MODULE_2_0: return "module-2.0";
	case TDX_ORIGIN_LINUX_SW: return "linux-sw";
	case TDX_ORIGIN_LINUX: return "linux";
	}
	return NULL;
}

/* The flag bits (63:60) in which a and b differ, as "error, fatal". */
static void flag_diff(tdx_status_t a, tdx_status_t b, const char **names, unsigned *n)
{
	static const struct { tdx_status_t bit; const char *name; } flags[] = {
		{ TDX_STATUS_ERROR, "error" },
		{ TDX_STATUS_NON_RECOVERABLE, "non_recoverable" },
		{ TDX_STATUS_FATAL, "fatal" },
		{ TDX_STATUS_HOST_RECOVERABILITY_HINT, "host_recoverability_hint" },
	};
	*n = 0;
	for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if ((a ^ b) & flags[i].bit)
			names[(*n)++] = flags[i].name;
}

static void decode_one(tdx_status_t v, struct decoded *d)
{
	memset(d, 0, sizeof(*d));
	d->value = v;
	d->info = tdx_status_lookup(v);
	if (!d->info) {
		const struct tdx_status_info *loose = tdx_status_lookup_loose(v);
		if (loose && (loose->value & FLAGS_MASK) != (v & FLAGS_MASK))
			d->similar = loose;
	}
	for (unsigned i = 0; i < sizeof(linux_variants) / sizeof(linux_variants[0]); i++)
		if ((v & TDX_SEAMCALL_STATUS_MASK) == linux_variants[i].linux_value)
			d->linux_alias = linux_variants[i].name;

	/* The meaning of the low 32 bits follows the code (or the code it resembles). */
	const struct tdx_status_info *like = d->info ? d->info : d->similar;
	tdx_status_t base = like ? (like->value & TDX_SEAMCALL_STATUS_MASK) : 0;
	d->operand = tdx_status_operand(v);
	if (tdx_status_class(v) == SW_CLASS)
		d->okind = (like && like->value == TDX_SEAMCALL_VMFAILINVALID) ? OPK_SW_CODE : OPK_TRAP;
	else if (like && (base == TDX_PAGE_ALREADY_ACCEPTED || base == TDX_PAGE_SIZE_MISMATCH))
		d->okind = OPK_SEPT_LEVEL;
	else if (like && (base == TDX_INCONSISTENT_MSR || base == TDX_INCORRECT_MSR_VALUE))
		d->okind = OPK_MSR;
	else
		d->okind = OPK_OPERAND_ID;

	uint32_t op = d->operand;
	switch (d->okind) {
	case OPK_OPERAND_ID:
		d->operand_name = tdx_operand_name(op);
		if (op == 0)
			snprintf(d->operand_text, TEXT_MAX, "0x00 (RAX, or none)");
		else
			snprintf(d->operand_text, TEXT_MAX, "0x%02X (%s)", op,
				 d->operand_name ? d->operand_name : "unknown");
		if (op != 0)
			snprintf(d->head_operand, TEXT_MAX, "%s",
				 d->operand_name ? d->operand_name : d->operand_text);
		break;
	case OPK_SEPT_LEVEL:
		d->operand_name = level_size(op);
		if (d->operand_name)
			snprintf(d->operand_text, TEXT_MAX, "level %u (%s)", op, d->operand_name);
		else
			snprintf(d->operand_text, TEXT_MAX, "level %u", op);
		snprintf(d->head_operand, TEXT_MAX, "%s", d->operand_text);
		break;
	case OPK_MSR:
		d->operand_name = op == MSR_IA32_TSC_ADJUST ? "IA32_TSC_ADJUST" : NULL;
		if (d->operand_name)
			snprintf(d->operand_text, TEXT_MAX, "MSR 0x%X (%s)", op, d->operand_name);
		else
			snprintf(d->operand_text, TEXT_MAX, "MSR 0x%X", op);
		snprintf(d->head_operand, TEXT_MAX, "%s", d->operand_text);
		break;
	case OPK_TRAP:
		d->operand_name = trap_name(op);
		if (d->operand_name)
			snprintf(d->operand_text, TEXT_MAX, "trap %u (%s)", op, d->operand_name);
		else if (op == 0)
			snprintf(d->operand_text, TEXT_MAX, "0x00 (none)");
		else
			snprintf(d->operand_text, TEXT_MAX, "trap %u", op);
		/* SEAMCALL_UD/GP name the trap already. */
		if (op != 0 && !(d->info && d->info->value != TDX_SW_ERROR))
			snprintf(d->head_operand, TEXT_MAX, "%s", d->operand_text);
		break;
	case OPK_SW_CODE:
		d->operand_name = "VMfailInvalid";
		snprintf(d->operand_text, TEXT_MAX, "0x%08X (VMfailInvalid)", op);
		break;
	}
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void head_text(const struct decoded *d, char *buf, size_t len)
{
	const char *name = d->info ? d->info->name : "unknown";
	if (d->head_operand[0])
		snprintf(buf, len, "%s | %s", name, d->head_operand);
	else
		snprintf(buf, len, "%s", name);
}

static void print_text(const struct decoded *d)
{
	tdx_status_t v = d->value;
	unsigned clas = tdx_status_class(v);
	const char *cname = tdx_status_class_name(clas);
	char head[2 * TEXT_MAX];

	head_text(d, head, sizeof(head));
	printf("0x%016llX  %s\n", (unsigned long long)v, head);
	printf("  name: %s\n", d->info ? d->info->name : "unknown");
	printf("  class: 0x%02X %s\n", clas, cname ? cname : "reserved");
	printf("  details_l1: 0x%02X\n", tdx_status_details_l1(v));
	printf("  error: %s\n", yes_no(v & TDX_STATUS_ERROR));
	printf("  non_recoverable: %s\n", yes_no(v & TDX_STATUS_NON_RECOVERABLE));
	printf("  fatal: %s\n", yes_no(v & TDX_STATUS_FATAL));
	printf("  host_recoverability_hint: %s\n", yes_no(v & TDX_STATUS_HOST_RECOVERABILITY_HINT));
	if (v & RESERVED_MASK)
		printf("  reserved: 0x%03llX (bits 59:48 are reserved: not a module status)\n",
		       (unsigned long long)((v & RESERVED_MASK) >> 48));
	printf("  operand: %s\n", d->operand_text);
	printf("  kvm_busy: %s\n", yes_no(tdx_status_is_kvm_busy(v)));
	printf("  origin: %s\n", d->info ? origin_text(d->info->origin) : "unknown");
	if (d->similar) {
		const char *diff[4];
		unsigned n;
		flag_diff(v, d->similar->value, diff, &n);
		printf("  similar: %s 0x%016llX (same class and details_l1; differs in:",
		       d->similar->name, (unsigned long long)d->similar->value);
		for (unsigned i = 0; i < n; i++)
			printf(" %s", diff[i]);
		printf(")\n");
	}
	if (d->linux_alias)
		printf("  linux_header: %s (Linux's value; the module returns another)\n",
		       d->linux_alias);
}

static json_t *hex_string(tdx_status_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "0x%016llX", (unsigned long long)v);
	return json_string(buf);
}

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *to_json(const struct decoded *d)
{
	tdx_status_t v = d->value;
	char head[2 * TEXT_MAX];
	json_t *o = json_object();

	head_text(d, head, sizeof(head));
	json_object_set_new(o, "value", hex_string(v));
	json_object_set_new(o, "text", json_string(head));
	json_object_set_new(o, "name", string_or_null(d->info ? d->info->name : NULL));
	json_object_set_new(o, "class", json_integer(tdx_status_class(v)));
	json_object_set_new(o, "class_name", string_or_null(tdx_status_class_name(tdx_status_class(v))));
	json_object_set_new(o, "details_l1", json_integer(tdx_status_details_l1(v)));
	json_object_set_new(o, "error", json_boolean(v & TDX_STATUS_ERROR));
	json_object_set_new(o, "non_recoverable", json_boolean(v & TDX_STATUS_NON_RECOVERABLE));
	json_object_set_new(o, "fatal", json_boolean(v & TDX_STATUS_FATAL));
	json_object_set_new(o, "host_recoverability_hint",
			    json_boolean(v & TDX_STATUS_HOST_RECOVERABILITY_HINT));
	json_object_set_new(o, "reserved", json_integer((json_int_t)((v & RESERVED_MASK) >> 48)));

	json_t *op = json_object();
	json_object_set_new(op, "kind", json_string(operand_kind_json[d->okind]));
	json_object_set_new(op, "value", json_integer(d->operand));
	json_object_set_new(op, "name", string_or_null(d->operand_name));
	json_object_set_new(op, "text", json_string(d->operand_text));
	json_object_set_new(o, "operand", op);

	json_object_set_new(o, "kvm_busy", json_boolean(tdx_status_is_kvm_busy(v)));
	json_object_set_new(o, "origin", string_or_null(d->info ? origin_json(d->info->origin) : NULL));
	if (d->similar) {
		const char *diff[4];
		unsigned n;
		json_t *s = json_object(), *arr = json_array();
		flag_diff(v, d->similar->value, diff, &n);
		for (unsigned i = 0; i < n; i++)
			json_array_append_new(arr, json_string(diff[i]));
		json_object_set_new(s, "name", json_string(d->similar->name));
		json_object_set_new(s, "value", hex_string(d->similar->value));
		json_object_set_new(s, "differs", arr);
		json_object_set_new(o, "similar", s);
	} else {
		json_object_set_new(o, "similar", json_null());
	}
	json_object_set_new(o, "linux_header", string_or_null(d->linux_alias));
	return o;
}

int tdxsim_cmd_decode(int argc, char **argv)
{
	bool json = false, opts_done = false;
	int ncodes = 0;

	/* Validate everything before printing anything. */
	tdx_status_t *codes = calloc((size_t)argc, sizeof(*codes));
	if (!codes) {
		fprintf(stderr, "tdxsim decode: out of memory\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!opts_done && a[0] == '-') {
			if (!strcmp(a, "--")) {
				opts_done = true;
			} else if (!strcmp(a, "--json")) {
				json = true;
			} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
				free(codes);
				usage(stdout);
				return 0;
			} else {
				fprintf(stderr, "tdxsim decode: unknown option '%s'\n", a);
				free(codes);
				return TDXSIM_EXIT_BADINPUT;
			}
			continue;
		}
		if (!parse_hex64(a, &codes[ncodes])) {
			fprintf(stderr, "tdxsim decode: '%s' is not a 64-bit hex status\n", a);
			free(codes);
			return TDXSIM_EXIT_BADINPUT;
		}
		ncodes++;
	}
	if (ncodes == 0) {
		usage(stderr);
		free(codes);
		return TDXSIM_EXIT_BADINPUT;
	}

	int rc = 0;
	struct decoded d;
	if (json) {
		json_t *arr = json_array();
		for (int i = 0; i < ncodes; i++) {
			decode_one(codes[i], &d);
			json_array_append_new(arr, to_json(&d));
		}
		char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (s) {
			printf("%s\n", s);
			free(s);
		} else {
			fprintf(stderr, "tdxsim decode: cannot render JSON\n");
			rc = 1;
		}
		json_decref(arr);
	} else {
		for (int i = 0; i < ncodes; i++) {
			decode_one(codes[i], &d);
			if (i)
				printf("\n");
			print_text(&d);
		}
	}
	free(codes);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "tdxsim decode: cannot write output\n");
		rc = 1;
	}
	return rc;
}
