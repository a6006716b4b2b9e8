/* SPDX-License-Identifier: MIT */
/*
 * tdxsim stress: the same scenario on OS threads, one per actor (docs/sim.md
 * "tdxsim stress").  Module lock words are real C11 atomics; the OS picks the
 * interleaving, so runs are not reproducible: the report says what happened
 * in this run.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "io/runner.h"
#include "tdxsim/error.h"

int tdxsim_cli_duration(const char *s, uint64_t *out);
int tdxsim_cli_u64(const char *s, uint64_t *out);
int tdxsim_cli_print_json(json_t *j);

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tdxsim stress SCENARIO [--policy P] [--time T] [--max-steps N] [--stall T]\n"
		"                              [--runs N] [--json] [--expect]\n\n"
		"Runs the scenario with one OS thread per actor.  SEAMCALL/TDCALL steps of\n"
		"different actors run in parallel on the module's atomic lock words; VMM and\n"
		"guest decisions are serialized by a world lock.  The interleaving is the OS's,\n"
		"so two runs differ; the report is the same as tdxsim sim's (without a seed),\n"
		"plus the wall-clock time.\n\n"
		"  --policy P       retry policy (built-in name or file) replacing the scenario's\n"
		"  --time T         virtual-time limit (default: sim.time, else 1s)\n"
		"  --max-steps N    stop after about N steps in total\n"
		"  --stall T        no progress for T of virtual time is a stall (default 50ms)\n"
		"  --runs N         run N times; the report is the last run's, a summary line per\n"
		"                   run goes to stderr\n"
		"  --json           the report as JSON (schema tdxsim.sim/1, mode \"stress\")\n"
		"  --expect         judge the scenario's expect: block (outcome, properties and\n"
		"                   counter bounds) on every run; exit 1 if one is not met\n"
		"  -h, --help       this text\n\n"
		"Exit status: 0; 1 if --expect and an expectation is not met; 2 on bad input.\n");
}

int tdxsim_cmd_stress(int argc, char **argv)
{
	const char *path = NULL, *policy = NULL;
	bool json = false, expect = false;
	uint64_t time_ns = 0, stall = 0, max_steps = 0, runs = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool needs = !strcmp(a, "--policy") || !strcmp(a, "--time") || !strcmp(a, "--stall") ||
			     !strcmp(a, "--max-steps") || !strcmp(a, "--runs");
		if (needs && i + 1 >= argc) {
			fprintf(stderr, "tdxsim stress: %s needs a value\n", a);
			return TDXSIM_EXIT_BADINPUT;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--expect")) {
			expect = true;
		} else if (!strcmp(a, "--policy")) {
			policy = argv[++i];
		} else if (!strcmp(a, "--time")) {
			if (tdxsim_cli_duration(argv[++i], &time_ns) || !time_ns) {
				fprintf(stderr, "tdxsim stress: --time wants a duration such as 10ms, not '%s'\n", argv[i]);
				return TDXSIM_EXIT_BADINPUT;
			}
		} else if (!strcmp(a, "--stall")) {
			if (tdxsim_cli_duration(argv[++i], &stall) || !stall) {
				fprintf(stderr, "tdxsim stress: --stall wants a duration such as 50ms, not '%s'\n", argv[i]);
				return TDXSIM_EXIT_BADINPUT;
			}
		} else if (!strcmp(a, "--max-steps")) {
			if (tdxsim_cli_u64(argv[++i], &max_steps) || !max_steps) {
				fprintf(stderr, "tdxsim stress: --max-steps wants a positive number, not '%s'\n", argv[i]);
				return TDXSIM_EXIT_BADINPUT;
			}
		} else if (!strcmp(a, "--runs")) {
			if (tdxsim_cli_u64(argv[++i], &runs) || !runs || runs > 100000) {
				fprintf(stderr, "tdxsim stress: --runs wants a number 1..100000, not '%s'\n", argv[i]);
				return TDXSIM_EXIT_BADINPUT;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "tdxsim stress: unknown argument '%s' (see tdxsim stress --help)\n", a);
			return TDXSIM_EXIT_BADINPUT;
		} else if (!path) {
			path = a;
		} else {
			fprintf(stderr, "tdxsim stress: one scenario at a time ('%s' and '%s')\n", path, a);
			return TDXSIM_EXIT_BADINPUT;
		}
	}
	if (!path) {
		fprintf(stderr, "tdxsim stress: missing SCENARIO (see tdxsim stress --help)\n");
		return TDXSIM_EXIT_BADINPUT;
	}
	struct tdxsim_scenario *s = calloc(1, sizeof(*s));
	if (!s) {
		fprintf(stderr, "tdxsim stress: out of memory\n");
		return 1;
	}
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	if (tdxsim_scenario_load(path, policy, s, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		free(s);
		return TDXSIM_EXIT_BADINPUT;
	}
	if (expect && (!s->expect_sim.set || s->policy_overridden)) {
		fprintf(stderr, "%s: --expect needs the scenario's expect: block and its own policy\n", path);
		tdxsim_scenario_free(s);
		free(s);
		return TDXSIM_EXIT_BADINPUT;
	}
	struct run_opts o = {
		.time_ns = time_ns, .max_steps = max_steps, .stall_ns = stall, .progress = true,
		.threads = true,
	};
	int rc = 0;
	for (uint64_t k = 0; k < runs && rc != TDXSIM_EXIT_BADINPUT; k++) {
		struct run r;
		if (tdxsim_run(s, &o, &r, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			rc = TDXSIM_EXIT_BADINPUT;
			tdxsim_run_free(&r);
			break;
		}
		if (runs > 1)
			fprintf(stderr, "stress run %" PRIu64 ": %s, %" PRIu64 " steps, %.3f s wall%s\n", k + 1,
				sim_outcome_name(r.res.outcome), r.res.steps, r.wall_s,
				expect ? (r.ev.met ? ", expect met" : ", expect NOT MET") : "");
		if (expect && !r.ev.met)
			rc = 1;
		if (k + 1 == runs) {
			struct sim_report rep;
			tdxsim_run_report(&r, s, "stress", 0, &rep);
			int prc = 0;
			if (json)
				prc = tdxsim_cli_print_json(tdxsim_report_json(&rep));
			else
				tdxsim_report_text(stdout, &rep);
			if ((fflush(stdout) || prc) && !rc)
				rc = 1;
		}
		tdxsim_run_free(&r);
	}
	tdxsim_scenario_free(s);
	free(s);
	return rc;
}
