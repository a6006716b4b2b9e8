/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "tdxsim/table.h"

const char *tdxsim_data_dir(void)
{
	const char *env = getenv("TDXSIM_DATA");
	return (env && *env) ? env : TDXSIM_DATA_DIR;
}
