/* SPDX-License-Identifier: MIT */
/* Placeholder: being written (issue 2). */
#include <stdio.h>
#include "cli/commands.h"

int tdxsim_cmd_decode(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "tdxsim decode: not implemented yet\n");
	return 2;
}
