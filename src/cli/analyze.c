/* SPDX-License-Identifier: MIT */
/*
 * tdxsim analyze: which SEAMCALL/TDCALL pairs can contend on which module lock,
 * given the VMM's own serialization (docs/analyze.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "cli/commands.h"
#include "tdxsim/error.h"
#include "tdxsim/profile.h"
#include "tdxsim/table.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tdxsim analyze [--module FILE] [--vmm FILE] [--json | --dot]\n\n"
		"Static contention analysis.  For every module lock, lists the leaves the VMM\n"
		"issues (and the guest TDCALLs) that take it shared or exclusive, then every\n"
		"pair of lock steps that can meet on one lock instance in conflicting modes:\n"
		"either the reason the VMM (or the module's own earlier locks) serializes it,\n"
		"or 'residual' with the BUSY status the loser gets and the VMM policy there.\n\n"
		"  --module FILE  module lock table (default: $TDXSIM_DATA or the built-in data\n"
		"                 directory, modules/tdx-1.5.05.yaml)\n"
		"  --vmm FILE     VMM serialization profile (default: vmm/kvm-6.16.yaml there)\n"
		"  --json         one JSON document (schema tdxsim.analyze/1, docs/analyze.md)\n"
		"  --dot          Graphviz graph: leaves as nodes, residual edges solid,\n"
		"                 serialized edges dashed, labelled by resource\n"
		"  -h, --help     this text\n\n"
		"Exit status: 0 on success, 2 on bad arguments or bad input files.\n");
}

/* Shared with diff.c through commands.h-style declarations below. */
int tdxsim_cli_default_path(char *buf, size_t len, const char *rel);
int tdxsim_cli_default_path(char *buf, size_t len, const char *rel)
{
	int n = snprintf(buf, len, "%s/%s", tdxsim_data_dir(), rel);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int tdxsim_cmd_analyze(int argc, char **argv)
{
	const char *module = NULL, *vmm = NULL;
	bool json = false, dot = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--dot")) {
			dot = true;
		} else if (!strcmp(a, "--module") || !strcmp(a, "--vmm")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "tdxsim analyze: %s needs a file argument\n", a);
				return TDXSIM_EXIT_BADINPUT;
			}
			if (!strcmp(a, "--module"))
				module = argv[++i];
			else
				vmm = argv[++i];
		} else if (!strncmp(a, "--module=", 9)) {
			module = a + 9;
		} else if (!strncmp(a, "--vmm=", 6)) {
			vmm = a + 6;
		} else {
			fprintf(stderr, "tdxsim analyze: unknown argument '%s' (see tdxsim analyze --help)\n", a);
			return TDXSIM_EXIT_BADINPUT;
		}
	}
	if (json && dot) {
		fprintf(stderr, "tdxsim analyze: --json and --dot are mutually exclusive\n");
		return TDXSIM_EXIT_BADINPUT;
	}
	char mbuf[4096], vbuf[4096];
	if (!module) {
		if (tdxsim_cli_default_path(mbuf, sizeof(mbuf), "modules/tdx-1.5.05.yaml")) {
			fprintf(stderr, "tdxsim analyze: data directory path too long\n");
			return TDXSIM_EXIT_BADINPUT;
		}
		module = mbuf;
	}
	if (!vmm) {
		if (tdxsim_cli_default_path(vbuf, sizeof(vbuf), "vmm/kvm-6.16.yaml")) {
			fprintf(stderr, "tdxsim analyze: data directory path too long\n");
			return TDXSIM_EXIT_BADINPUT;
		}
		vmm = vbuf;
	}

	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	struct tdxsim_table *t = tdxsim_table_load(module, &err);
	if (!t) {
		fprintf(stderr, "%s\n", err.msg);
		return TDXSIM_EXIT_BADINPUT;
	}
	struct tdxsim_profile *p = tdxsim_profile_load(vmm, t, &err);
	if (!p) {
		fprintf(stderr, "%s\n", err.msg);
		tdxsim_table_free(t);
		return TDXSIM_EXIT_BADINPUT;
	}
	struct an_result *r = tdxsim_analyze(t, p, &err);
	if (!r) {
		fprintf(stderr, "%s\n", err.msg);
		tdxsim_profile_free(p);
		tdxsim_table_free(t);
		return TDXSIM_EXIT_BADINPUT;
	}
	int rc = 0;
	if (json) {
		json_t *j = tdxsim_analysis_json(r);
		if (!j || json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
			rc = 1;
		else
			fputc('\n', stdout);
		json_decref(j);
	} else if (dot) {
		tdxsim_analysis_print_dot(stdout, r);
	} else {
		tdxsim_analysis_print_text(stdout, r);
	}
	if (fflush(stdout))
		rc = 1;
	tdxsim_analysis_free(r);
	tdxsim_profile_free(p);
	tdxsim_table_free(t);
	return rc;
}
