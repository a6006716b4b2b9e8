/* SPDX-License-Identifier: MIT */
/* tdxsim: dispatch to one subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "tdxsim/error.h"

static const struct tdxsim_command commands[] = {
	{ "analyze", "static contention analysis of a module lock table under a VMM profile", tdxsim_cmd_analyze },
	{ "diff",    "lock steps and contention pairs that differ between two module tables", tdxsim_cmd_diff },
	{ "decode",  "explain TDX status codes (RAX values)", tdxsim_cmd_decode },
	{ "export",  "a scenario as a Promela model for SPIN (--promela)", tdxsim_cmd_export },
	{ "sim",     "run a scenario in virtual time: BUSY, retries, kicks, latencies; --sweep", tdxsim_cmd_sim },
	{ "stress",  "run a scenario on OS threads, one per actor", tdxsim_cmd_stress },
	{ "check",   "explore every interleaving: deadlock, VM BUG, livelock, starvation... with counterexamples", tdxsim_cmd_check },
	{ "replay",  "re-run a counterexample of check under sim and confirm its violation", tdxsim_cmd_replay },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: tdxsim <command> [options]\n\n"
		     "A model of the Intel TDX module's try-only locks and of the KVM host and\n"
		     "Linux guest around it.\n\ncommands:\n");
	for (unsigned i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'tdxsim <command> --help' describes each command; docs/ has the details.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return TDXSIM_EXIT_BADINPUT;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("tdxsim %s\n", TDXSIM_VERSION);
		return 0;
	}
	for (unsigned i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "tdxsim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return TDXSIM_EXIT_BADINPUT;
}
