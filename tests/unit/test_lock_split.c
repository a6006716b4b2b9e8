/* SPDX-License-Identifier: MIT */
/*
 * The split try-acquires of lock_split.h (--atomicity instr):
 *   - run back to back, first + rest leave the same word and return the same
 *     status as the fused acquire of lock.h, for every 8- and 16-bit word and
 *     every SEPT entry lock/HP combination, host and guest, shared and exclusive;
 *   - a split leaves work for the rest exactly where the fused acquire does two
 *     read-modify-writes, and holds the lock in between where it should;
 *   - the interleaving the split exists for (tdx-module §1.4): a host BTS between
 *     the guest's BTS and its give-back fails and sets HP, and the guest then
 *     gives TDEL back with TDX_OPERAND_BUSY_HOST_PRIORITY.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tdxsim/lock_split.h"

/* The fused acquires, one helper per word size (so the compiler sees the size). */
static tdx_status_t fused16(enum tdxsim_lock_kind k, _Atomic uint16_t *w, bool ex, bool guest)
{
	if (k == TDXSIM_LK_SHAREX)
		return ex ? tdxsim_sharex_acquire_ex(w) : tdxsim_sharex_acquire_sh(w);
	return ex ? tdxsim_sharex_hp_acquire_ex(w, guest) : tdxsim_sharex_hp_acquire_sh(w, guest);
}

static tdx_status_t fused_sept(_Atomic uint64_t *w, bool guest)
{
	return guest ? tdxsim_sept_lock_acquire_guest(w) : tdxsim_sept_lock_acquire_host(w);
}

static tdx_status_t split(enum tdxsim_lock_kind k, void *w, bool ex, bool guest, enum tdxsim_lock_cont *c)
{
	tdx_status_t s = tdxsim_lock_first(k, w, ex, guest, c);
	if (*c == TDXSIM_CONT_NONE)
		return s;
	assert_int_equal(s, tdxsim_lock_cont_provisional(*c));
	return tdxsim_lock_rest(w, *c);
}

static void test_every_16bit_word(void **state)
{
	(void)state;
	static const enum tdxsim_lock_kind kinds[] = { TDXSIM_LK_SHAREX, TDXSIM_LK_SHAREX_HP };
	unsigned splits = 0;
	for (unsigned ki = 0; ki < 2; ki++)
		for (unsigned v = 0; v <= 0xFFFF; v++)
			for (unsigned m = 0; m < 4; m++) {
				bool ex = m & 1, guest = m & 2;
				_Atomic uint16_t a = (uint16_t)v, b = (uint16_t)v;
				enum tdxsim_lock_cont c;
				tdx_status_t sf = fused16(kinds[ki], &a, ex, guest);
				tdx_status_t ss = split(kinds[ki], &b, ex, guest, &c);
				if (sf != ss || a != b)
					fail_msg("kind %u word %#x ex %d guest %d: fused %#llx -> %#x, split %#llx -> %#x",
						 ki, v, ex, guest, (unsigned long long)sf, (unsigned)a,
						 (unsigned long long)ss, (unsigned)b);
				if (kinds[ki] == TDXSIM_LK_SHAREX)
					assert_int_equal(c, TDXSIM_CONT_NONE);
				splits += c != TDXSIM_CONT_NONE;
			}
	assert_true(splits > 0);
}

static void test_every_mutex_word(void **state)
{
	(void)state;
	for (unsigned v = 0; v <= 0xFF; v++) {
		_Atomic uint8_t a = (uint8_t)v, b = (uint8_t)v;
		enum tdxsim_lock_cont c;
		assert_int_equal(tdxsim_mutex_acquire(&a), split(TDXSIM_LK_MUTEX, &b, true, false, &c));
		assert_int_equal(a, b);
		assert_int_equal(c, TDXSIM_CONT_NONE);
	}
}

static void test_sept_entry_combinations(void **state)
{
	(void)state;
	static const uint64_t base[] = { 0, 0x800000010000d0f0ull, 0xFFFFFFFFFFFFFFFFull };
	for (unsigned b = 0; b < 3; b++)
		for (unsigned bits = 0; bits < 4; bits++)
			for (unsigned guest = 0; guest < 2; guest++) {
				uint64_t v = base[b] & ~(TDXSIM_SEPT_ENTRY_TDEL | TDXSIM_SEPT_ENTRY_TDHP);
				if (bits & 1)
					v |= TDXSIM_SEPT_ENTRY_TDEL;
				if (bits & 2)
					v |= TDXSIM_SEPT_ENTRY_TDHP;
				_Atomic uint64_t x = v, y = v;
				enum tdxsim_lock_cont c;
				tdx_status_t sf = fused_sept(&x, guest);
				tdx_status_t ss = split(TDXSIM_LK_SEPT_ENTRY, &y, true, guest, &c);
				assert_int_equal(sf, ss);
				assert_int_equal(x, y);
				/* A guest meeting a held TDEL is done in one instruction. */
				if (guest && (bits & 1))
					assert_int_equal(c, TDXSIM_CONT_NONE);
				else
					assert_int_not_equal(c, TDXSIM_CONT_NONE);
			}
}

/* Which acquires leave a second instruction, and whether the lock is held between. */
static void test_split_points(void **state)
{
	(void)state;
	enum tdxsim_lock_cont c;
	_Atomic uint64_t e = 0;
	assert_int_equal(tdxsim_lock_first(TDXSIM_LK_SEPT_ENTRY, &e, true, true, &c), TDX_SUCCESS);
	assert_int_equal(c, TDXSIM_CONT_SEPT_GUEST);
	assert_true(tdxsim_lock_cont_holds(c));
	assert_true(e & TDXSIM_SEPT_ENTRY_TDEL);

	_Atomic uint16_t w = SHAREX_HP_EXCLUSIVE_LOCK;
	assert_int_equal(tdxsim_lock_first(TDXSIM_LK_SHAREX_HP, &w, false, false, &c), TDX_OPERAND_BUSY);
	assert_int_equal(c, TDXSIM_CONT_HP_SET_HP);
	assert_false(tdxsim_lock_cont_holds(c));
	assert_int_equal(w, SHAREX_HP_EXCLUSIVE_LOCK | SHAREX_HP_SINGLE_READER); /* HP not yet */
	assert_int_equal(tdxsim_lock_rest(&w, c), TDX_OPERAND_BUSY);
	assert_int_equal(w, SHAREX_HP_EXCLUSIVE_LOCK | SHAREX_HP_HOST_PRIORITY | SHAREX_HP_SINGLE_READER);

	w = SHAREX_HP_HOST_PRIORITY;
	assert_int_equal(tdxsim_lock_first(TDXSIM_LK_SHAREX_HP, &w, false, true, &c),
			 TDX_OPERAND_BUSY_HOST_PRIORITY);
	assert_int_equal(c, TDXSIM_CONT_HP_UNDO);
	assert_true(tdxsim_lock_cont_holds(c)); /* its increment is in the counter */
	assert_int_equal(w, SHAREX_HP_HOST_PRIORITY | SHAREX_HP_SINGLE_READER);

	w = SHAREX_HP_HOST_PRIORITY;
	assert_int_equal(tdxsim_lock_first(TDXSIM_LK_SHAREX_HP, &w, true, false, &c), TDX_OPERAND_BUSY);
	assert_int_equal(c, TDXSIM_CONT_HP_CAS2);
	w = SHAREX_HP_HOST_PRIORITY | SHAREX_HP_SINGLE_READER; /* a reader came in between */
	assert_int_equal(tdxsim_lock_rest(&w, c), TDX_OPERAND_BUSY);
}

/* §1.4: the host's BTS lands between the guest's BTS and its give-back. */
static void test_host_between_guest_instructions(void **state)
{
	(void)state;
	_Atomic uint64_t e = 0x800000010000d0f0ull;
	enum tdxsim_lock_cont g, h;
	assert_int_equal(tdxsim_lock_first(TDXSIM_LK_SEPT_ENTRY, &e, true, true, &g), TDX_SUCCESS);
	assert_int_equal(tdxsim_lock_first(TDXSIM_LK_SEPT_ENTRY, &e, true, false, &h), TDX_OPERAND_BUSY);
	assert_int_equal(tdxsim_lock_rest(&e, h), TDX_OPERAND_BUSY);
	assert_true(e & TDXSIM_SEPT_ENTRY_TDHP);
	/* The guest finds HP and gives TDEL back; HP stays for the host's retry. */
	assert_int_equal(tdxsim_lock_rest(&e, g), TDX_OPERAND_BUSY_HOST_PRIORITY);
	assert_false(e & TDXSIM_SEPT_ENTRY_TDEL);
	assert_true(e & TDXSIM_SEPT_ENTRY_TDHP);
	/* Fused, the same two acquires in either order never collide like that. */
	_Atomic uint64_t f = 0x800000010000d0f0ull;
	assert_int_equal(tdxsim_sept_lock_acquire_guest(&f), TDX_SUCCESS);
	assert_int_equal(tdxsim_sept_lock_acquire_host(&f), TDX_OPERAND_BUSY);
	assert_true(f & TDXSIM_SEPT_ENTRY_TDEL); /* the guest keeps the lock */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_16bit_word),
		cmocka_unit_test(test_every_mutex_word),
		cmocka_unit_test(test_sept_entry_combinations),
		cmocka_unit_test(test_split_points),
		cmocka_unit_test(test_host_between_guest_instructions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
