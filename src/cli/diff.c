/* SPDX-License-Identifier: MIT */
/* Placeholder: being written (issue 2). */
#include <stdio.h>
#include "cli/commands.h"

int tdxsim_cmd_diff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "tdxsim diff: not implemented yet\n");
	return 2;
}
