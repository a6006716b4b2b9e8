/* SPDX-License-Identifier: MIT */
/*
 * tdxsim replay: re-run a counterexample of tdxsim check under the sim scheduler,
 * with its exact actor schedule, and check that it ends in the same violation
 * (docs/check.md "Replay").
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "io/check_out.h"
#include "io/check_replay.h"
#include "tdxsim/error.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tdxsim replay FILE [--trace OUT] [--property NAME] [--json]\n\n"
		"Re-runs each counterexample of FILE (written by tdxsim check --cex) under the\n"
		"sim scheduler with its forced actor schedule, and checks that it ends in the\n"
		"same violation: the last step violates the property, the end state is a\n"
		"deadlock, or the cycle returns to the same state without progress under weak\n"
		"fairness.\n\n"
		"  --trace OUT       write the replay as a Chrome trace-event file (ui.perfetto.dev);\n"
		"                    with several counterexamples, of the first (or --property's)\n"
		"  --property NAME   replay only that property's counterexample\n"
		"  --json            results as JSON (schema tdxsim.replay/1)\n"
		"  -h, --help        this text\n\n"
		"Exit status: 0 every counterexample reproduced; 1 one did not; 2 bad input.\n");
}

int tdxsim_cmd_replay(int argc, char **argv)
{
	const char *path = NULL, *trace = NULL, *prop = NULL;
	bool json = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--trace") || !strcmp(a, "--property")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "tdxsim replay: %s needs a value\n", a);
				return TDXSIM_EXIT_BADINPUT;
			}
			if (!strcmp(a, "--trace"))
				trace = argv[++i];
			else
				prop = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "tdxsim replay: unknown argument '%s' (see tdxsim replay --help)\n", a);
			return TDXSIM_EXIT_BADINPUT;
		} else if (!path) {
			path = a;
		} else {
			fprintf(stderr, "tdxsim replay: one file at a time ('%s' and '%s')\n", path, a);
			return TDXSIM_EXIT_BADINPUT;
		}
	}
	if (!path) {
		fprintf(stderr, "tdxsim replay: missing FILE (see tdxsim replay --help)\n");
		return TDXSIM_EXIT_BADINPUT;
	}
	uint32_t want = 0;
	if (prop) {
		int p = tdxsim_property_by_name(prop);
		if (p < 0) {
			fprintf(stderr, "tdxsim replay: --property: unknown property '%s'\n", prop);
			return TDXSIM_EXIT_BADINPUT;
		}
		want = (uint32_t)p;
	}
	struct ckf *f = calloc(1, sizeof(*f));
	if (!f) {
		fprintf(stderr, "tdxsim replay: out of memory\n");
		return 1;
	}
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	if (ckf_read(path, f, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		free(f);
		return TDXSIM_EXIT_BADINPUT;
	}
	int rc = 0;
	bool any = false, traced = false;
	json_t *arr = json ? json_array() : NULL;
	for (unsigned i = 0; i < f->ncex; i++) {
		const struct ckf_cex *c = &f->cex[i];
		if (want && c->prop != want)
			continue;
		any = true;
		struct ck_replay_result r;
		const char *tp = trace && !traced ? trace : NULL;
		tdxsim_error_clear(&err);
		if (ck_replay(f, c, tp, &r, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			rc = TDXSIM_EXIT_BADINPUT;
			break;
		}
		traced = traced || tp;
		if (!r.reproduced && !rc)
			rc = 1;
		if (json) {
			json_t *j = json_object();
			json_object_set_new(j, "property", json_string(ck_prop_name(c->prop)));
			json_object_set_new(j, "reproduced", json_boolean(r.reproduced));
			json_object_set_new(j, "why", json_string(r.why));
			json_object_set_new(j, "steps", json_integer((json_int_t)r.steps));
			json_object_set_new(j, "virtual_ns", json_integer((json_int_t)r.sim_ns));
			json_object_set_new(j, "busy", json_integer((json_int_t)r.busy));
			json_object_set_new(j, "retries", json_integer((json_int_t)r.retries));
			json_object_set_new(j, "kicks", json_integer((json_int_t)r.kicks));
			json_array_append_new(arr, j);
		} else {
			printf("replay %s (%u steps%s) under sim: %s\n  %s\n  %" PRIu64 " steps, %.3f us virtual time, "
			       "%" PRIu64 " BUSY, %" PRIu64 " retries, %" PRIu64 " kicks\n",
			       ck_prop_name(c->prop), c->len, c->cycle >= 0 ? ", lasso" : "",
			       r.reproduced ? "REPRODUCED" : "NOT REPRODUCED", r.why, r.steps, (double)r.sim_ns / 1e3,
			       r.busy, r.retries, r.kicks);
		}
	}
	if (!any && rc != TDXSIM_EXIT_BADINPUT) {
		fprintf(stderr, "tdxsim replay: %s: no counterexample for %s\n", path, prop ? prop : "any property");
		rc = TDXSIM_EXIT_BADINPUT;
	}
	if (json) {
		json_t *j = json_object();
		json_object_set_new(j, "schema", json_string("tdxsim.replay/1"));
		json_object_set_new(j, "file", json_string(path));
		json_object_set_new(j, "scenario", json_string(f->scenario));
		json_object_set_new(j, "results", arr);
		if (json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 && !rc)
			rc = 1;
		fputc('\n', stdout);
		json_decref(j);
	}
	if (fflush(stdout) && !rc)
		rc = 1;
	ckf_free(f);
	free(f);
	return rc;
}
