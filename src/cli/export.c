/* SPDX-License-Identifier: MIT */
/*
 * tdxsim export --promela: a scenario as a self-contained Promela model for SPIN
 * (docs/export.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/promela.h"
#include "cli/commands.h"
#include "tdxsim/error.h"
#include "tdxsim/scenario.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tdxsim export --promela SCENARIO [-o FILE] [--policy P]\n"
		"                     [--atomicity step|instr] [--word-bits 8|16] [--hp-timeout-after N]\n\n"
		"Write the scenario as a Promela model for SPIN: the lock words of every resource\n"
		"instance the scenario can touch, one inline per lock kind, one inline per leaf\n"
		"generated from the module's lock table, the policy's decisions, and one proctype\n"
		"per actor (vCPU run loop with its guest program, host threads).  Each property is\n"
		"a cpp switch; the file's header gives the exact SPIN commands (docs/export.md).\n\n"
		"  --promela          the output format (the only one)\n"
		"  -o FILE            write FILE (default: standard output); nothing is written on error\n"
		"  --policy P         replace the scenario's policy (a built-in name or a file)\n"
		"  --atomicity step   one atomic{} per emulator step, as tdxsim check (default:\n"
		"                     the scenario's atomicity, else step)\n"
		"  --atomicity instr  one atomic{} per atomic instruction of a lock operation\n"
		"  --word-bits 8|16   lock-word width (default 8: the reader counter wraps sooner)\n"
		"  --hp-timeout-after N  a guest's N-th consecutive host-priority BUSY times out\n"
		"                     (default 2; ignored when the scenario has hp_timeout: off)\n"
		"  -h, --help         this text\n\n"
		"Exit status: 0 on success, 2 on bad arguments, a bad scenario, or a scenario the\n"
		"export cannot express (the message names the file and line).\n");
}

static int write_atomically(const char *path, const struct pml_buf *b)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp)) {
		fprintf(stderr, "tdxsim export: output path too long\n");
		return -1;
	}
	FILE *f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "tdxsim export: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	bool ok = fwrite(b->s, 1, b->len, f) == b->len;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		fprintf(stderr, "tdxsim export: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int tdxsim_cmd_export(int argc, char **argv)
{
	const char *scn = NULL, *out = NULL, *policy = NULL;
	bool promela = false;
	bool atom_given = false;
	struct pml_options o = { .atomicity = PML_ATOMIC_STEP, .word_bits = 8, .hp_timeout_n = 2 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--promela")) {
			promela = true;
			continue;
		}
		if (!strcmp(a, "-o") || !strcmp(a, "--policy") || !strcmp(a, "--atomicity") ||
		    !strcmp(a, "--word-bits") || !strcmp(a, "--hp-timeout-after")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "tdxsim export: %s needs an argument\n", a);
				return TDXSIM_EXIT_BADINPUT;
			}
			val = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "tdxsim export: unknown argument '%s' (see tdxsim export --help)\n", a);
			return TDXSIM_EXIT_BADINPUT;
		} else {
			if (scn) {
				fprintf(stderr, "tdxsim export: one scenario only ('%s' and '%s')\n", scn, a);
				return TDXSIM_EXIT_BADINPUT;
			}
			scn = a;
			continue;
		}
		if (!strcmp(a, "-o")) {
			out = val;
		} else if (!strcmp(a, "--policy")) {
			policy = val;
		} else if (!strcmp(a, "--atomicity")) {
			atom_given = true;
			if (!strcmp(val, "step"))
				o.atomicity = PML_ATOMIC_STEP;
			else if (!strcmp(val, "instr"))
				o.atomicity = PML_ATOMIC_INSTR;
			else {
				fprintf(stderr, "tdxsim export: --atomicity must be step or instr\n");
				return TDXSIM_EXIT_BADINPUT;
			}
		} else if (!strcmp(a, "--word-bits")) {
			if (!strcmp(val, "8"))
				o.word_bits = 8;
			else if (!strcmp(val, "16"))
				o.word_bits = 16;
			else {
				fprintf(stderr, "tdxsim export: --word-bits must be 8 or 16\n");
				return TDXSIM_EXIT_BADINPUT;
			}
		} else {
			char *end;
			long n = strtol(val, &end, 10);
			if (*end || n < 1 || n > 100) {
				fprintf(stderr, "tdxsim export: --hp-timeout-after must be 1..100\n");
				return TDXSIM_EXIT_BADINPUT;
			}
			o.hp_timeout_n = (unsigned)n;
		}
	}
	if (!promela) {
		fprintf(stderr, "tdxsim export: give the output format: --promela (see tdxsim export --help)\n");
		return TDXSIM_EXIT_BADINPUT;
	}
	if (!scn) {
		fprintf(stderr, "tdxsim export: missing the scenario file (see tdxsim export --help)\n");
		return TDXSIM_EXIT_BADINPUT;
	}
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	struct tdxsim_scenario *s = calloc(1, sizeof(*s));
	if (!s) {
		fprintf(stderr, "tdxsim export: out of memory\n");
		return 1;
	}
	if (tdxsim_scenario_load(scn, policy, s, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg[0] ? err.msg : "tdxsim export: cannot load the scenario");
		free(s);
		return TDXSIM_EXIT_BADINPUT;
	}
	/* Without --atomicity, the scenario's (docs/scenario.md "atomicity"). */
	if (!atom_given && s->platform.instr_atomicity)
		o.atomicity = PML_ATOMIC_INSTR;
	struct pml_buf b = { 0 };
	int rc = 0;
	if (tdxsim_promela_export(s, &o, &b, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg[0] ? err.msg : "tdxsim export: the scenario cannot be exported");
		rc = TDXSIM_EXIT_BADINPUT;
	} else if (out) {
		if (write_atomically(out, &b) < 0)
			rc = 1;
	} else if (fwrite(b.s, 1, b.len, stdout) != b.len || fflush(stdout) != 0) {
		rc = 1;
	}
	pml_buf_free(&b);
	tdxsim_scenario_free(s);
	free(s);
	return rc;
}
