/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tdxsim/error.h"

void tdxsim_error_clear(struct tdxsim_error *err)
{
	memset(err, 0, sizeof(*err));
}

void tdxsim_error_set(struct tdxsim_error *err, const char *file, unsigned line,
		      const char *fmt, ...)
{
	if (!err || err->set)
		return;
	int n = 0;
	if (file && line)
		n = snprintf(err->msg, sizeof(err->msg), "%s:%u: ", file, line);
	else if (file)
		n = snprintf(err->msg, sizeof(err->msg), "%s: ", file);
	if (n < 0 || (size_t)n >= sizeof(err->msg))
		n = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	err->set = 1;
}
