/* SPDX-License-Identifier: MIT */
/* The tdxsim subcommands: one file per command, each exporting one entry point. */
#ifndef TDXSIM_CLI_COMMANDS_H
#define TDXSIM_CLI_COMMANDS_H

struct tdxsim_command {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv); /* argv[0] is the command name */
};

/* Registered in main.c. */
int tdxsim_cmd_decode(int argc, char **argv);
int tdxsim_cmd_analyze(int argc, char **argv);
int tdxsim_cmd_diff(int argc, char **argv);
int tdxsim_cmd_export(int argc, char **argv);
int tdxsim_cmd_sim(int argc, char **argv);
int tdxsim_cmd_stress(int argc, char **argv);
int tdxsim_cmd_check(int argc, char **argv);
int tdxsim_cmd_replay(int argc, char **argv);

#endif
