/* SPDX-License-Identifier: MIT */
/*
 * Diagnostics for bad input.  Every loader reports one error as
 * "file:line: message"; the command-line front end prints it and exits 2.
 */
#ifndef TDXSIM_ERROR_H
#define TDXSIM_ERROR_H

#include <stddef.h>

#define TDXSIM_ERROR_MSG_MAX 512

struct tdxsim_error {
	char msg[TDXSIM_ERROR_MSG_MAX]; /* "file:line: message", empty if none */
	int set;
};

/* Exit status for bad input (files, arguments), per the project's CLI contract. */
#define TDXSIM_EXIT_BADINPUT 2

/* Record an error located at file:line (line 0 = no line).  Keeps the first error. */
void tdxsim_error_set(struct tdxsim_error *err, const char *file, unsigned line,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void tdxsim_error_clear(struct tdxsim_error *err);

#endif
