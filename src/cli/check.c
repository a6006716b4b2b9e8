/* SPDX-License-Identifier: MIT */
/*
 * tdxsim check: explore every interleaving of a scenario's actors and judge its
 * properties (docs/check.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "engine/check.h"
#include "engine/check_engine.h"
#include "io/check_out.h"
#include "io/check_replay.h"
#include "io/report.h"
#include "tdxsim/error.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tdxsim check SCENARIO [--policy P] [--dfs] [--fingerprint | --bitstate BITS]\n"
		"                    [--no-por] [--no-symmetry] [--max-states N] [--max-memory MB]\n"
		"                    [--max-depth N] [--max-time S] [--properties LIST]\n"
		"                    [--hp-timeout on|off] [--progress flow-end|strict]\n"
		"                    [--atomicity step|instr]\n"
		"                    [--dot FILE] [--trace FILE] [--cex FILE] [--property NAME] [--json]\n"
		"                    [--compare] [--stop-first] [--paranoid] [--validate N] [--quiet]\n\n"
		"Explores every interleaving of the scenario's actors (and of its timed inputs)\n"
		"and judges the scenario's properties: deadlock, vm_bug, invariants, livelock,\n"
		"starvation, retry_bound, mapgpa, halt, user_exit.  Each violation comes with a\n"
		"counterexample that `tdxsim replay` re-runs under the sim scheduler.\n\n"
		"  --policy P         retry policy (built-in name or file) instead of the scenario's\n"
		"  --dfs              depth-first (default breadth-first: shortest counterexamples)\n"
		"  --fingerprint      store 64-bit fingerprints instead of whole states (prints the\n"
		"                     probability of a missed state; depth-first)\n"
		"  --bitstate BITS    bitstate hashing in 2^BITS bits (depth-first; no cycle checks)\n"
		"  --no-por           no partial-order reduction\n"
		"  --no-symmetry      no symmetry reduction\n"
		"  --max-states N     stop after N states (the report says so: undecided, never \"holds\")\n"
		"  --max-memory MB    stop when the stores use MB megabytes\n"
		"  --max-depth N      do not go deeper than N steps\n"
		"  --max-time S       stop after S seconds\n"
		"  --properties LIST  judge these properties (comma-separated) instead of the\n"
		"                     scenario's (its check: block is then not judged)\n"
		"  --hp-timeout on|off  host-priority timeout: on fires at the first host-priority\n"
		"                     failure after hp_lock_busy is set, off never (default: the\n"
		"                     scenario's td.hp_timeout, on unless 'off')\n"
		"  --atomicity step|instr  step (default: the scenario's atomicity, else step): one\n"
		"                     step per try-acquire; instr: one step per atomic instruction\n"
		"                     of it (the guest's BTS and give-back of a SEPT entry lock\n"
		"                     are two steps, as on hardware; docs/check.md \"Atomicity\")\n"
		"  --progress MODE    what counts as progress for livelock: flow-end (default: any\n"
		"                     VMM flow ending, an actor finishing, guest progress) or strict\n"
		"                     (flows ending with a retry result and kicks do not count)\n"
		"  --dot FILE         the counterexample as a DOT sequence diagram\n"
		"  --trace FILE       the counterexample replayed under sim as a Chrome trace\n"
		"  --cex FILE         every counterexample, for tdxsim replay\n"
		"  --property NAME    which counterexample --dot and --trace show (default the first)\n"
		"  --json             the report as JSON (schema tdxsim.check/1)\n"
		"  --compare          also search without POR and print both state counts\n"
		"  --stop-first       stop at the first violation\n"
		"  --paranoid         re-check the model's contracts at every step (slow)\n"
		"  --validate N       check the state abstraction at every Nth state (slow)\n"
		"  --quiet            the verdicts only, no counterexample listing\n"
		"  -h, --help         this text\n\n"
		"Exit status: 0 the scenario's check: expectation is met (without one: nothing\n"
		"violated); 1 it is not (a violation); 2 bad arguments or input; 3 a limit stopped\n"
		"the search before it could decide.\n");
}

static int u64arg(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static void fill_ckf(struct ckf *h, const char *scn_path, const char *policy, struct ckx *x,
		     const struct tdxsim_scenario *s, bool strict)
{
	memset(h, 0, sizeof(*h));
	if (!realpath(scn_path, h->scenario))
		snprintf(h->scenario, sizeof(h->scenario), "%s", scn_path);
	if (policy) {
		/* a file: absolute; a built-in name: as it is */
		char rp[PATH_MAX];
		if ((strchr(policy, '/') || strstr(policy, ".yaml")) && realpath(policy, rp))
			snprintf(h->policy, sizeof(h->policy), "%s", rp);
		else
			snprintf(h->policy, sizeof(h->policy), "%s", policy);
	}
	snprintf(h->policy_name, sizeof(h->policy_name), "%s", s->policy.name);
	h->hp_timeout = ckx_hp_on(x) ? CKX_HP_ON : CKX_HP_OFF;
	h->strict_progress = strict;
	h->instr_atomicity = s->platform.instr_atomicity;
	h->n_actors = ckx_model(x)->n_actors;
	for (unsigned a = 0; a < h->n_actors && a < sizeof(h->actors) / sizeof(h->actors[0]); a++)
		snprintf(h->actors[a], sizeof(h->actors[a]), "%s", ckx_actor_name(x, a));
}

int tdxsim_cmd_check(int argc, char **argv)
{
	const char *path = NULL, *policy = NULL, *dot = NULL, *trace = NULL, *cexf = NULL, *prop = NULL;
	bool json = false, compare = false, quiet = false, strict = false;
	int hp = CKX_HP_SCENARIO;
	int atom = -1; /* --atomicity: -1 the scenario's, 0 step, 1 instr */
	uint32_t props = 0;
	struct ck_opts o = { .por = true, .symmetry = true, .progress = true, .store = CK_TREE };
	uint64_t v64;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = NULL;
#define ARG(name) (!strcmp(a, name) && (i + 1 < argc ? (v = argv[++i], 1) : (fprintf(stderr, "tdxsim check: %s needs a value\n", name), exit(TDXSIM_EXIT_BADINPUT), 0)))
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--dfs")) {
			o.dfs = true;
		} else if (!strcmp(a, "--fingerprint")) {
			o.store = CK_FINGERPRINT;
		} else if (!strcmp(a, "--no-por")) {
			o.por = false;
		} else if (!strcmp(a, "--no-symmetry")) {
			o.symmetry = false;
		} else if (!strcmp(a, "--compare")) {
			compare = true;
		} else if (!strcmp(a, "--stop-first")) {
			o.stop_first = true;
		} else if (!strcmp(a, "--paranoid")) {
			o.paranoid = true;
		} else if (!strcmp(a, "--quiet")) {
			quiet = true;
		} else if (ARG("--bitstate")) {
			if (u64arg(v, &v64) || v64 < 10 || v64 > 40) {
				fprintf(stderr, "tdxsim check: --bitstate wants BITS in 10..40 (2^BITS bits), not '%s'\n", v);
				return TDXSIM_EXIT_BADINPUT;
			}
			o.store = CK_BITSTATE;
			o.bitstate_log2 = (unsigned)v64;
		} else if (ARG("--policy")) {
			policy = v;
		} else if (ARG("--dot")) {
			dot = v;
		} else if (ARG("--trace")) {
			trace = v;
		} else if (ARG("--cex")) {
			cexf = v;
		} else if (ARG("--property")) {
			if (tdxsim_property_by_name(v) < 0) {
				fprintf(stderr, "tdxsim check: --property: unknown property '%s'\n", v);
				return TDXSIM_EXIT_BADINPUT;
			}
			prop = v;
		} else if (ARG("--max-states")) {
			if (u64arg(v, &o.max_states) || !o.max_states) {
				fprintf(stderr, "tdxsim check: --max-states wants a positive number, not '%s'\n", v);
				return TDXSIM_EXIT_BADINPUT;
			}
		} else if (ARG("--max-depth")) {
			if (u64arg(v, &o.max_depth) || !o.max_depth) {
				fprintf(stderr, "tdxsim check: --max-depth wants a positive number, not '%s'\n", v);
				return TDXSIM_EXIT_BADINPUT;
			}
		} else if (ARG("--max-memory")) {
			if (u64arg(v, &v64) || !v64 || v64 > (1ull << 30)) {
				fprintf(stderr, "tdxsim check: --max-memory wants megabytes, not '%s'\n", v);
				return TDXSIM_EXIT_BADINPUT;
			}
			o.max_memory = v64 << 20;
		} else if (ARG("--max-time")) {
			if (u64arg(v, &v64) || !v64) {
				fprintf(stderr, "tdxsim check: --max-time wants seconds, not '%s'\n", v);
				return TDXSIM_EXIT_BADINPUT;
			}
			o.max_seconds = (double)v64;
		} else if (ARG("--properties")) {
			char buf[256];
			snprintf(buf, sizeof(buf), "%s", v);
			for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
				int p = tdxsim_property_by_name(t);
				if (p < 0) {
					fprintf(stderr, "tdxsim check: --properties: unknown property '%s'\n", t);
					return TDXSIM_EXIT_BADINPUT;
				}
				props |= (uint32_t)p;
			}
			if (!props) {
				fprintf(stderr, "tdxsim check: --properties wants a list of properties\n");
				return TDXSIM_EXIT_BADINPUT;
			}
		} else if (ARG("--validate")) {
			if (u64arg(v, &v64) || !v64 || v64 > UINT32_MAX) {
				fprintf(stderr, "tdxsim check: --validate wants N >= 1, not '%s'\n", v);
				return TDXSIM_EXIT_BADINPUT;
			}
			o.validate_every = (unsigned)v64;
		} else if (ARG("--hp-timeout")) {
			if (!strcmp(v, "on"))
				hp = CKX_HP_ON;
			else if (!strcmp(v, "off"))
				hp = CKX_HP_OFF;
			else {
				fprintf(stderr, "tdxsim check: --hp-timeout wants on or off, not '%s'\n", v);
				return TDXSIM_EXIT_BADINPUT;
			}
		} else if (ARG("--atomicity")) {
			if (!strcmp(v, "instr"))
				atom = 1;
			else if (!strcmp(v, "step"))
				atom = 0;
			else {
				fprintf(stderr, "tdxsim check: --atomicity wants step or instr, not '%s'\n", v);
				return TDXSIM_EXIT_BADINPUT;
			}
		} else if (ARG("--progress")) {
			if (!strcmp(v, "strict"))
				strict = true;
			else if (strcmp(v, "flow-end")) {
				fprintf(stderr, "tdxsim check: --progress wants flow-end or strict, not '%s'\n", v);
				return TDXSIM_EXIT_BADINPUT;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "tdxsim check: unknown argument '%s' (see tdxsim check --help)\n", a);
			return TDXSIM_EXIT_BADINPUT;
		} else if (!path) {
			path = a;
		} else {
			fprintf(stderr, "tdxsim check: one scenario at a time ('%s' and '%s')\n", path, a);
			return TDXSIM_EXIT_BADINPUT;
		}
#undef ARG
	}
	if (!path) {
		fprintf(stderr, "tdxsim check: missing SCENARIO (see tdxsim check --help)\n");
		return TDXSIM_EXIT_BADINPUT;
	}
	if (o.store != CK_TREE && o.dfs == false)
		o.dfs = true;
	struct tdxsim_scenario *s = calloc(1, sizeof(*s));
	if (!s) {
		fprintf(stderr, "tdxsim check: out of memory\n");
		return 1;
	}
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	if (tdxsim_scenario_load(path, policy, s, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		free(s);
		return TDXSIM_EXIT_BADINPUT;
	}
	if (atom >= 0)
		s->platform.instr_atomicity = atom == 1;
	struct ckx_opts xo = { .hp_timeout = hp, .strict_progress = strict, .props_override = props };
	if (props) {
		s->properties = props;            /* the report lists these */
		s->policy_overridden = s->policy_overridden || s->expect_check.set;
		s->expect_check.set = false;      /* a different question: not the scenario's expectation */
	}
	struct ckx *x = ckx_create(s, &xo, &err);
	if (!x) {
		fprintf(stderr, "%s\n", err.msg);
		tdxsim_scenario_free(s);
		free(s);
		return TDXSIM_EXIT_BADINPUT;
	}
	struct ck_model *m = ckx_model(x);
	struct ck_result r, r2;
	memset(&r2, 0, sizeof(r2));
	ck_run(m, &o, &r);
	bool have2 = false;
	if (compare && o.por) {
		struct ck_opts o2 = o;
		o2.por = false;
		ck_run(m, &o2, &r2);
		have2 = true;
	}
	struct ck_report rep = {
		.s = s, .o = &o, .r = &r, .r_nopor = have2 ? &r2 : NULL, .x = x, .hp_on = ckx_hp_on(x),
		.strict_progress = strict,
		.symmetry_note = o.symmetry ? "not applied: no vCPU permutation is an automorphism of these "
					      "worlds (docs/check.md \"Symmetry\")" : NULL,
		.por_note = o.por && (s->properties & (TDXSIM_PROP_LIVELOCK | TDXSIM_PROP_STARVATION |
						       TDXSIM_PROP_MAPGPA))
				    ? "off for this search: cycle properties are judged on the full graph"
				    : NULL,
	};
	/* The model is at its initial state: keep a copy to print each counterexample. */
	size_t n0 = m->seg_len[0], n1 = m->seg_len[1];
	uint8_t *init = malloc(n0 + n1);
	if (init) {
		memcpy(init, m->seg[0], n0);
		memcpy(init + n0, m->seg[1], n1);
	}
	int rc = 0;
	uint32_t first = 0;
	for (unsigned i = 0; i < CK_NPROPS && !first; i++)
		if (r.violated & (1u << i))
			first = 1u << i;
	if (prop) {
		uint32_t p = (uint32_t)tdxsim_property_by_name(prop);
		if (!(r.violated & p)) {
			fprintf(stderr, "tdxsim check: --property %s: no counterexample for it\n", prop);
			first = 0;
		} else {
			first = p;
		}
	}
#define RESET() do { if (init) { memcpy(m->seg[0], init, n0); memcpy(m->seg[1], init + n0, n1); } } while (0)
	if (json) {
		json_t *j = ck_report_json(&rep);
		json_t *jprops = json_object_get(j, "properties");
		for (unsigned i = 0; i < CK_NPROPS; i++) {
			if (!(r.violated & (1u << i)) || quiet)
				continue;
			RESET();
			json_object_set_new(json_object_get(jprops, ck_prop_name(1u << i)), "counterexample",
					    ck_cex_json(x, &r.cex[i]));
		}
		if (json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
			rc = 1;
		fputc('\n', stdout);
		json_decref(j);
	} else {
		ck_report_text(stdout, &rep);
		for (unsigned i = 0; i < CK_NPROPS && !quiet; i++) {
			if (!(r.violated & (1u << i)))
				continue;
			RESET();
			fputc('\n', stdout);
			ck_cex_text(stdout, x, &r.cex[i]);
		}
	}
	if (dot && first) {
		RESET();
		struct out_file of;
		if (tdxsim_out_open(&of, dot, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			rc = TDXSIM_EXIT_BADINPUT;
		} else {
			ck_cex_dot(of.f, x, &r.cex[ck_prop_index(first)], s->name);
			if (tdxsim_out_close(&of, true, &err) < 0) {
				fprintf(stderr, "%s\n", err.msg);
				rc = 1;
			}
		}
	} else if (dot) {
		fprintf(stderr, "tdxsim check: --dot: no counterexample, no file written\n");
	}
	struct ckf hdr;
	fill_ckf(&hdr, path, policy, x, s, strict);
	if (cexf && r.violated) {
		if (ckf_write(cexf, &hdr, &r, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			rc = 1;
		}
	} else if (cexf) {
		fprintf(stderr, "tdxsim check: --cex: no counterexample, no file written\n");
	}
	if (trace && first) {
		struct ck_cex *c = &r.cex[ck_prop_index(first)];
		struct ckf_cex fc = { .prop = c->prop, .path = c->path, .len = c->len, .cycle = c->cycle };
		snprintf(fc.why, sizeof(fc.why), "%s", c->why);
		struct ck_replay_result rr;
		if (ck_replay(&hdr, &fc, trace, &rr, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			rc = 1;
		} else if (!rr.reproduced) {
			fprintf(stderr, "tdxsim check: --trace: the replay under sim did not reproduce the %s: %s\n",
				ck_prop_name(first), rr.why);
			rc = 1;
		}
	} else if (trace) {
		fprintf(stderr, "tdxsim check: --trace: no counterexample, no file written\n");
	}
#undef RESET
	if (!rc) {
		bool stated;
		char why[512];
		bool met = ck_expect_met(s, &r, &stated, why, sizeof(why));
		if (r.failed)
			rc = 1;
		else if (stated)
			rc = met ? 0 : ((r.violated & s->expect_check.holds) || !r.stopped) ? 1 : 3;
		else
			rc = r.violated ? 1 : r.stopped ? 3 : 0;
	}
	if (fflush(stdout) && !rc)
		rc = 1;
	free(init);
	ck_result_free(&r);
	ck_result_free(&r2);
	ckx_destroy(x);
	tdxsim_scenario_free(s);
	free(s);
	return rc;
}
