/* SPDX-License-Identifier: MIT */
/*
 * docs/findings.md F1: the guest path of acquire_sharex_lock_hp_sh (reference §1.3,
 * and the 1.5.05 source) does XADD +4, sees HP, then XADD -4.  An exclusive
 * release (AND with HP) that lands between the two wipes the +4, so the -4
 * wraps the word to 0xFFFE: the lock is wedged and the next host shared acquire
 * trips the counter sanity check (the module halts).
 *
 * The guest's two instructions are written out by hand below, exactly as the
 * module executes them; the other parties use the real lock functions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tdxsim/lock.h"

static void three_party_interleaving_wedges_the_lock(void **state)
{
	(void)state;
	tdxsim_sharex_hp_word_t w = 0;

	/* Host A holds the lock exclusively. */
	assert_int_equal(tdxsim_sharex_hp_acquire_ex(&w, false), TDX_SUCCESS);
	assert_int_equal(w, SHAREX_HP_EXCLUSIVE_LOCK);
	/* Host B fails and sets HP. */
	assert_int_equal(tdxsim_sharex_hp_acquire_ex(&w, false), TDX_OPERAND_BUSY);
	assert_int_equal(w, SHAREX_HP_EXCLUSIVE_LOCK | SHAREX_HP_HOST_PRIORITY);
	/* Guest, instruction 1: XADD +4; the old value has HP, so it will undo. */
	uint16_t old = atomic_fetch_add(&w, SHAREX_HP_SINGLE_READER);
	assert_true(old & SHAREX_HP_HOST_PRIORITY);
	assert_int_equal(w, 0x0007);
	/* Host A releases: AND with HP keeps only HP and wipes the guest's +4. */
	assert_int_equal(tdxsim_sharex_hp_release_ex(&w), TDXSIM_LOCK_OK);
	assert_int_equal(w, SHAREX_HP_HOST_PRIORITY);
	/* Guest, instruction 2: XADD -4 (its undo) wraps the word. */
	atomic_fetch_add(&w, (uint16_t)-SHAREX_HP_SINGLE_READER);
	assert_int_equal(w, 0xFFFE);

	/* Consequences.  Every exclusive acquire fails from now on ... */
	assert_int_equal(tdxsim_sharex_hp_acquire_ex(&w, false), TDX_OPERAND_BUSY);
	assert_int_equal(tdxsim_sharex_hp_acquire_ex(&w, true), TDX_OPERAND_BUSY);
	assert_int_equal(w, 0xFFFE);
	/* ... a guest shared acquire keeps getting host priority ... */
	assert_int_equal(tdxsim_sharex_hp_acquire_sh(&w, true), TDX_OPERAND_BUSY_HOST_PRIORITY);
	assert_int_equal(w, 0xFFFE);
	/* ... and the next host shared acquire sees a full counter: the module's
	 * tdx_sanity_check(counter != SHAREX_HP_FULL_COUNTER) halts it. */
	assert_int_equal(tdxsim_sharex_hp_acquire_sh(&w, false), TDXSIM_LOCK_STATUS_MISUSE);
}

/* Without the third party (no HP set), the same guest timing is harmless: the
 * guest sees the exclusive bit, returns BUSY and leaves its +4 for the release
 * to wipe. */
static void without_host_priority_the_race_is_benign(void **state)
{
	(void)state;
	tdxsim_sharex_hp_word_t w = 0;
	assert_int_equal(tdxsim_sharex_hp_acquire_ex(&w, false), TDX_SUCCESS);
	assert_int_equal(tdxsim_sharex_hp_acquire_sh(&w, true), TDX_OPERAND_BUSY);
	assert_int_equal(tdxsim_sharex_hp_release_ex(&w), TDXSIM_LOCK_OK);
	assert_int_equal(w, 0);
	assert_int_equal(tdxsim_sharex_hp_acquire_sh(&w, false), TDX_SUCCESS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(three_party_interleaving_wedges_the_lock),
		cmocka_unit_test(without_host_priority_the_race_is_benign),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
