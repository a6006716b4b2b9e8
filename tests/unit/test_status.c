/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tdxsim/status.h"

/* The #define constants and the lookup table are written separately; keep them equal. */
static void defines_match_table(void **state)
{
	(void)state;
#define CHECK(n, v) assert_int_equal(n, (v)); assert_string_equal(tdx_status_by_name(#n)->name, #n);
	TDX_STATUS_CODES(CHECK)
#undef CHECK
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(defines_match_table) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
