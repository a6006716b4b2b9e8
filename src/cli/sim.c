/* SPDX-License-Identifier: MIT */
/*
 * tdxsim sim: run a scenario under the virtual-time scheduler and report
 * SEAMCALLs, BUSY, retries, kicks, latencies (docs/sim.md); --sweep compares
 * policies and seeds in one table.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "io/runner.h"
#include "tdxsim/error.h"
#include "tdxsim/policy.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tdxsim sim SCENARIO [--policy P] [--seed N] [--time T] [--trace FILE] [--json]\n"
		"                           [--expect] [--stall T] [--max-steps N] [--trace-limit N]\n"
		"       tdxsim sim SCENARIO --sweep [--policies a,b,...] [--seeds N] [--seed N] [--time T]\n"
		"                           [--json]\n\n"
		"Runs the scenario's actors under the virtual-time scheduler: each step costs\n"
		"the latency model's time (docs/sim.md), ties and jitter come from a seeded PRNG,\n"
		"so the same scenario and seed give the same report, byte for byte.\n\n"
		"  --policy P       retry policy: a built-in name or a policy file (replaces the\n"
		"                   scenario's; its expect: block is then not judged)\n"
		"  --seed N         PRNG seed (default: the scenario's sim.seed, else 1)\n"
		"  --time T         virtual-time limit, e.g. 10ms (default: sim.time, else 1s)\n"
		"  --stall T        no progress for T of virtual time is a stall (default 50ms)\n"
		"  --max-steps N    stop after N steps\n"
		"  --trace FILE     write a Chrome trace-event JSON file (ui.perfetto.dev)\n"
		"  --trace-limit N  at most N trace events (default 2000000; 0 = no limit)\n"
		"  --json           the report as JSON (schema tdxsim.sim/1)\n"
		"  --expect         judge the scenario's expect: block; exit 1 if it is not met\n"
		"  --sweep          run every policy (--policies, default the seven built-ins)\n"
		"                   with --seeds N seeds from --seed, and print one table\n"
		"                   (or with --json one JSON array, one object per policy)\n"
		"  -h, --help       this text\n\n"
		"Durations: a number of ns, or a number with ns, us, ms or s.\n"
		"Exit status: 0; 1 if --expect and the expectation is not met; 2 on bad\n"
		"arguments or a bad scenario or policy file (file:line: message).\n");
}

/* Shared with stress.c. */
int tdxsim_cli_duration(const char *s, uint64_t *out);
int tdxsim_cli_duration(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -1;
	double mul;
	if (!*end || !strcmp(end, "ns"))
		mul = 1;
	else if (!strcmp(end, "us"))
		mul = 1e3;
	else if (!strcmp(end, "ms"))
		mul = 1e6;
	else if (!strcmp(end, "s"))
		mul = 1e9;
	else
		return -1;
	if (v * mul > 1e18)
		return -1;
	*out = (uint64_t)(v * mul + 0.5);
	return 0;
}

int tdxsim_cli_u64(const char *s, uint64_t *out);
int tdxsim_cli_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/* Print a JSON document to stdout. */
int tdxsim_cli_print_json(json_t *j);
int tdxsim_cli_print_json(json_t *j)
{
	int rc = 0;
	if (!j || json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
		rc = 1;
	else
		fputc('\n', stdout);
	json_decref(j);
	return rc;
}

#define MAX_SWEEP_POLICIES 32

static int split_policies(const char *list, char names[][256], unsigned *n)
{
	*n = 0;
	const char *p = list;
	while (*p) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (!len || len >= 256 || *n == MAX_SWEEP_POLICIES)
			return -1;
		memcpy(names[*n], p, len);
		names[*n][len] = 0;
		(*n)++;
		if (!c)
			break;
		p = c + 1;
		if (!*p)
			return -1;
	}
	return *n ? 0 : -1;
}

static int sweep(const char *path, const char *policies, unsigned seeds, uint64_t seed0,
		 const struct run_opts *base, bool json)
{
	static char names[MAX_SWEEP_POLICIES][256];
	unsigned n = 0;
	if (policies) {
		if (split_policies(policies, names, &n) < 0) {
			fprintf(stderr, "tdxsim sim: --policies wants a comma-separated list of at most %d "
					"policies\n", MAX_SWEEP_POLICIES);
			return TDXSIM_EXIT_BADINPUT;
		}
	} else {
		unsigned cnt = 0;
		const char *const *b = tdxsim_policy_builtin_names(&cnt);
		for (unsigned i = 0; i < cnt && n < MAX_SWEEP_POLICIES; i++)
			snprintf(names[n++], sizeof(names[0]), "%s", b[i]);
	}
	struct sweep_row *rows = calloc(n, sizeof(*rows));
	struct tdxsim_scenario *s = calloc(1, sizeof(*s));
	if (!rows || !s) {
		fprintf(stderr, "tdxsim sim: out of memory\n");
		free(rows);
		free(s);
		return 1;
	}
	bool tty = base->progress && isatty(STDERR_FILENO);
	int rc = 0;
	struct tdxsim_error err;
	for (unsigned i = 0; i < n && !rc; i++) {
		tdxsim_error_clear(&err);
		if (tdxsim_scenario_load(path, names[i], s, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			rc = TDXSIM_EXIT_BADINPUT;
			break;
		}
		struct sweep_row *row = &rows[i];
		snprintf(row->policy, sizeof(row->policy), "%s", s->policy.name);
		uint64_t *lat = NULL, nlat = 0;
		for (unsigned k = 0; k < seeds; k++) {
			if (tty)
				fprintf(stderr, "\rsweep: %s, seed %" PRIu64 " (%u/%u)\033[K", names[i], seed0 + k,
					i * seeds + k + 1, n * seeds);
			struct run_opts o = *base;
			o.seed = seed0 + k;
			o.progress = false;
			struct run r;
			if (tdxsim_run(s, &o, &r, &err) < 0) {
				fprintf(stderr, "%s\n", err.msg);
				tdxsim_run_free(&r);
				rc = TDXSIM_EXIT_BADINPUT;
				break;
			}
			row->runs++;
			row->outcomes[r.res.outcome]++;
			row->busy += stats_counter(r.st, ST_BUSY);
			row->guest_busy += stats_counter(r.st, ST_GUEST_BUSY);
			row->retries += stats_counter(r.st, ST_RETRIES);
			row->kicks += stats_counter(r.st, ST_KICKS);
			row->vm_bugs += stats_counter(r.st, ST_VM_BUGS);
			row->zero_step += stats_counter(r.st, ST_ZERO_STEP);
			row->hp_timeouts += stats_counter(r.st, ST_HP_TIMEOUTS);
			row->steps += stats_counter(r.st, ST_STEPS);
			row->faults += stats_counter(r.st, ST_FAULTS);
			if (stats_counter(r.st, ST_MAX_RETRIES) > row->max_retries)
				row->max_retries = stats_counter(r.st, ST_MAX_RETRIES);
			int fk = stats_flow_kind_by_name("fault");
			const struct stats_flow *f = fk >= 0 ? stats_flow(r.st, (unsigned)fk) : NULL;
			if (f && f->nlat) {
				uint64_t *nl = realloc(lat, (nlat + f->nlat) * sizeof(*lat));
				if (nl) {
					lat = nl;
					memcpy(lat + nlat, f->lat, f->nlat * sizeof(*lat));
					nlat += f->nlat;
				}
			}
			tdxsim_run_free(&r);
		}
		row->fault_lat = stats_latency_of(lat, nlat);
		free(lat);
		tdxsim_scenario_free(s);
	}
	if (tty)
		fprintf(stderr, "\r\033[K");
	if (!rc) {
		/* The table names the scenario: load it once more with its own policy. */
		tdxsim_error_clear(&err);
		if (tdxsim_scenario_load(path, NULL, s, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			rc = TDXSIM_EXIT_BADINPUT;
		} else {
			if (json)
				rc = tdxsim_cli_print_json(tdxsim_sweep_json(s, rows, n, seed0, seeds));
			else
				tdxsim_sweep_text(stdout, s, rows, n, seed0, seeds);
			tdxsim_scenario_free(s);
		}
	}
	if (fflush(stdout) && !rc)
		rc = 1;
	free(rows);
	free(s);
	return rc;
}

int tdxsim_cmd_sim(int argc, char **argv)
{
	const char *path = NULL, *policy = NULL, *trace = NULL, *policies = NULL;
	bool json = false, expect = false, do_sweep = false, seed_given = false;
	uint64_t seed = 0, time_ns = 0, stall = 0, max_steps = 0, seeds = 1, trace_limit = 2000000;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = NULL;
#define ARG(name) (!strcmp(a, name) && (i + 1 < argc ? (v = argv[++i], 1) : (fprintf(stderr, "tdxsim sim: %s needs a value\n", name), exit(TDXSIM_EXIT_BADINPUT), 0)))
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--expect")) {
			expect = true;
		} else if (!strcmp(a, "--sweep")) {
			do_sweep = true;
		} else if (ARG("--policy")) {
			policy = v;
		} else if (ARG("--policies")) {
			policies = v;
		} else if (ARG("--trace")) {
			trace = v;
		} else if (ARG("--seed")) {
			if (tdxsim_cli_u64(v, &seed)) {
				fprintf(stderr, "tdxsim sim: --seed wants a number, not '%s'\n", v);
				return TDXSIM_EXIT_BADINPUT;
			}
			seed_given = true;
		} else if (ARG("--seeds")) {
			if (tdxsim_cli_u64(v, &seeds) || !seeds || seeds > 100000) {
				fprintf(stderr, "tdxsim sim: --seeds wants a number 1..100000, not '%s'\n", v);
				return TDXSIM_EXIT_BADINPUT;
			}
		} else if (ARG("--time")) {
			if (tdxsim_cli_duration(v, &time_ns) || !time_ns) {
				fprintf(stderr, "tdxsim sim: --time wants a duration such as 10ms, not '%s'\n", v);
				return TDXSIM_EXIT_BADINPUT;
			}
		} else if (ARG("--stall")) {
			if (tdxsim_cli_duration(v, &stall) || !stall) {
				fprintf(stderr, "tdxsim sim: --stall wants a duration such as 50ms, not '%s'\n", v);
				return TDXSIM_EXIT_BADINPUT;
			}
		} else if (ARG("--max-steps")) {
			if (tdxsim_cli_u64(v, &max_steps) || !max_steps) {
				fprintf(stderr, "tdxsim sim: --max-steps wants a positive number, not '%s'\n", v);
				return TDXSIM_EXIT_BADINPUT;
			}
		} else if (ARG("--trace-limit")) {
			if (tdxsim_cli_u64(v, &trace_limit)) {
				fprintf(stderr, "tdxsim sim: --trace-limit wants a number, not '%s'\n", v);
				return TDXSIM_EXIT_BADINPUT;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "tdxsim sim: unknown argument '%s' (see tdxsim sim --help)\n", a);
			return TDXSIM_EXIT_BADINPUT;
		} else if (!path) {
			path = a;
		} else {
			fprintf(stderr, "tdxsim sim: one scenario at a time ('%s' and '%s')\n", path, a);
			return TDXSIM_EXIT_BADINPUT;
		}
#undef ARG
	}
	if (!path) {
		fprintf(stderr, "tdxsim sim: missing SCENARIO (see tdxsim sim --help)\n");
		return TDXSIM_EXIT_BADINPUT;
	}
	if (do_sweep && (policy || trace || expect)) {
		fprintf(stderr, "tdxsim sim: --sweep cannot be combined with --policy, --trace or --expect\n");
		return TDXSIM_EXIT_BADINPUT;
	}
	if (!do_sweep && (policies || seeds != 1)) {
		fprintf(stderr, "tdxsim sim: --policies and --seeds go with --sweep\n");
		return TDXSIM_EXIT_BADINPUT;
	}
	struct run_opts o = {
		.time_ns = time_ns, .max_steps = max_steps, .stall_ns = stall, .trace = trace,
		.trace_limit = trace_limit, .progress = true,
	};
	struct tdxsim_scenario *s = calloc(1, sizeof(*s));
	if (!s) {
		fprintf(stderr, "tdxsim sim: out of memory\n");
		return 1;
	}
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	if (tdxsim_scenario_load(path, policy, s, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		free(s);
		return TDXSIM_EXIT_BADINPUT;
	}
	if (!seed_given)
		seed = s->seed;
	if (do_sweep) {
		tdxsim_scenario_free(s);
		free(s);
		return sweep(path, policies, (unsigned)seeds, seed, &o, json);
	}
	if (expect && !s->expect_sim.set) {
		fprintf(stderr, "%s: --expect: the scenario has no expect: block\n", path);
		tdxsim_scenario_free(s);
		free(s);
		return TDXSIM_EXIT_BADINPUT;
	}
	if (expect && s->policy_overridden) {
		fprintf(stderr, "tdxsim sim: --expect judges the scenario with its own policy; drop --policy\n");
		tdxsim_scenario_free(s);
		free(s);
		return TDXSIM_EXIT_BADINPUT;
	}
	o.seed = seed;
	struct run r;
	int rc = 0;
	if (tdxsim_run(s, &o, &r, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		rc = TDXSIM_EXIT_BADINPUT;
	} else {
		struct sim_report rep;
		tdxsim_run_report(&r, s, "sim", seed, &rep);
		if (json)
			rc = tdxsim_cli_print_json(tdxsim_report_json(&rep));
		else
			tdxsim_report_text(stdout, &rep);
		if (fflush(stdout) && !rc)
			rc = 1;
		if (!rc && expect && !r.ev.met)
			rc = 1;
	}
	tdxsim_run_free(&r);
	tdxsim_scenario_free(s);
	free(s);
	return rc;
}
