/* SPDX-License-Identifier: MIT */
/*
 * tdxsim diff: lock steps and contention pairs that differ between two module
 * lock tables (docs/diff.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "cli/commands.h"
#include "tdxsim/error.h"
#include "tdxsim/profile.h"
#include "tdxsim/table.h"

int tdxsim_cli_default_path(char *buf, size_t len, const char *rel);

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tdxsim diff A.yaml B.yaml [--vmm FILE] [--json]\n\n"
		"Differences from module lock table A to B: resources and leaves added or\n"
		"removed; per leaf, fields (number, side, max_version, op_states) and steps\n"
		"added, removed, moved or changed (mode, register, operand, condition, hold,\n"
		"arguments ...); then the contention pairs that appear, disappear or change\n"
		"verdict when both tables are analyzed under the same VMM profile.\n\n"
		"  --vmm FILE   VMM serialization profile (default: $TDXSIM_DATA or the\n"
		"               built-in data directory, vmm/kvm-6.16.yaml)\n"
		"  --json       one JSON document (schema tdxsim.diff/1, docs/diff.md)\n"
		"  -h, --help   this text\n\n"
		"Exit status: 0 on success (whether or not the tables differ), 2 on bad\n"
		"arguments or bad input files.\n");
}

int tdxsim_cmd_diff(int argc, char **argv)
{
	const char *files[2] = { NULL, NULL }, *vmm = NULL;
	unsigned nfiles = 0;
	bool json = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--vmm")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "tdxsim diff: --vmm needs a file argument\n");
				return TDXSIM_EXIT_BADINPUT;
			}
			vmm = argv[++i];
		} else if (!strncmp(a, "--vmm=", 6)) {
			vmm = a + 6;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "tdxsim diff: unknown option '%s' (see tdxsim diff --help)\n", a);
			return TDXSIM_EXIT_BADINPUT;
		} else if (nfiles < 2) {
			files[nfiles++] = a;
		} else {
			fprintf(stderr, "tdxsim diff: too many arguments: '%s' (expected two table files)\n", a);
			return TDXSIM_EXIT_BADINPUT;
		}
	}
	if (nfiles != 2) {
		fprintf(stderr, "tdxsim diff: expected two table files A.yaml B.yaml (see tdxsim diff --help)\n");
		return TDXSIM_EXIT_BADINPUT;
	}
	char vbuf[4096];
	if (!vmm) {
		if (tdxsim_cli_default_path(vbuf, sizeof(vbuf), "vmm/kvm-6.16.yaml")) {
			fprintf(stderr, "tdxsim diff: data directory path too long\n");
			return TDXSIM_EXIT_BADINPUT;
		}
		vmm = vbuf;
	}

	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	struct tdxsim_table *ta = NULL, *tb = NULL;
	struct tdxsim_profile *p = NULL;
	struct an_result *ra = NULL, *rb = NULL;
	int rc = TDXSIM_EXIT_BADINPUT;
	if (!(ta = tdxsim_table_load(files[0], &err)) || !(tb = tdxsim_table_load(files[1], &err)))
		goto out;
	/* The profile's names are checked against both tables. */
	if (!(p = tdxsim_profile_load(vmm, ta, &err)) || tdxsim_profile_check(p, tb, &err))
		goto out;
	if (!(ra = tdxsim_analyze(ta, p, &err)) || !(rb = tdxsim_analyze(tb, p, &err)))
		goto out;
	rc = 0;
	if (json) {
		json_t *j = tdxsim_diff_json(ta, tb, ra, rb);
		if (!j || json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
			rc = 1;
		else
			fputc('\n', stdout);
		json_decref(j);
	} else {
		tdxsim_diff_print_text(stdout, ta, tb, ra, rb);
	}
	if (fflush(stdout))
		rc = 1;
out:
	if (rc == TDXSIM_EXIT_BADINPUT)
		fprintf(stderr, "%s\n", err.msg);
	tdxsim_analysis_free(ra);
	tdxsim_analysis_free(rb);
	tdxsim_profile_free(p);
	tdxsim_table_free(ta);
	tdxsim_table_free(tb);
	return rc;
}
