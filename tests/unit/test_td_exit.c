/* SPDX-License-Identifier: MIT */
/* TD exit outputs: the extended exit qualification KVM reads (linux-kvm-tdx.md §2). */
#include "helpers/fixture.h"

#define GPA0 0x100000ull

static void booted_td(struct fx **f, struct fx_td *td)
{
	*f = fx_new(NULL, NULL);
	fx_boot(*f);
	fx_td_create(*f, td, 2);
	fx_td_vcpu(*f, td, 0);
	fx_td_add_page(*f, td, GPA0);
	fx_td_finalize(*f, td);
}

/* A guest touch of a page the host AUGed but the guest never accepted: type 6
 * (PENDING_EPT_VIOLATION) and no PROT bits, which makes KVM kill the VM. */
static void pending_page_exit_is_type_6(void **state)
{
	(void)state;
	struct fx *f;
	struct fx_td td;
	booted_td(&f, &td);
	uint64_t g = GPA0 + 0x1000;
	fx_td_aug(f, &td, g);
	fx_td_enter(f, &td, 0);
	struct tdxsim_regs out;
	tdx_status_t rax = fx_td_exit(f, &td, 0, TDXSIM_EXIT_EPT_VIOLATION, g, &out);
	assert_int_equal(rax, 48);
	assert_int_equal(out.r[OPERAND_ID_RDX] & 0xF, 6);
	assert_int_equal(out.r[OPERAND_ID_RCX] & 0x38, 0);
	assert_int_equal(out.r[OPERAND_ID_R8], g);
	fx_free(f);
}

/* A GPA with no leaf at all: an ordinary EPT violation (type 0). */
static void unmapped_page_exit_is_type_0(void **state)
{
	(void)state;
	struct fx *f;
	struct fx_td td;
	booted_td(&f, &td);
	fx_td_enter(f, &td, 0);
	struct tdxsim_regs out;
	tdx_status_t rax = fx_td_exit(f, &td, 0, TDXSIM_EXIT_EPT_VIOLATION, GPA0 + 0x5000, &out);
	assert_int_equal(rax, 48);
	assert_int_equal(out.r[OPERAND_ID_RDX] & 0xF, 0);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pending_page_exit_is_type_6),
		cmocka_unit_test(unmapped_page_exit_is_type_0),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
