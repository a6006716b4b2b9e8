/* SPDX-License-Identifier: MIT */
/*
 * The four lock kinds, table-driven: every row is (initial word, operation,
 * host/guest) -> (resulting word, status or lock error), straight from reference
 * tdx-module-1.5.md §1.1-1.4.  Scenario tables chain rows (each row starts from
 * the previous row's result) to follow the HP bit through a whole contention.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "tdxsim/lock.h"

enum op {
	MUTEX_ACQ, MUTEX_REL,
	SX_ACQ_SH, SX_ACQ_EX, SX_REL_SH, SX_REL_EX, SX_PROMOTE, SX_DEMOTE,
	HP_ACQ_SH, HP_ACQ_EX, HP_REL_SH, HP_REL_EX, HP_PROMOTE,
	SEPT_ACQ_HOST, SEPT_ACQ_GUEST, SEPT_REL, SEPT_REL_LOCAL,
};

static const char *const op_names[] = {
	"mutex_acquire", "mutex_release",
	"sharex_acquire_sh", "sharex_acquire_ex", "sharex_release_sh", "sharex_release_ex",
	"sharex_promote", "sharex_demote",
	"sharex_hp_acquire_sh", "sharex_hp_acquire_ex", "sharex_hp_release_sh",
	"sharex_hp_release_ex", "sharex_hp_promote",
	"sept_lock_acquire_host", "sept_lock_acquire_guest", "sept_lock_release",
	"sept_lock_release_local",
};

#define HOST  false
#define GUEST true

struct row {
	const char *what;
	enum op op;
	bool guest;
	uint64_t before;
	uint64_t after;      /* the word afterwards (release_local: the returned value) */
	tdx_status_t status; /* acquires and promote */
	enum tdxsim_lock_err err; /* releases and demote */
};

/* Shorthands for the expected result of a row. */
#define OK      TDX_SUCCESS, TDXSIM_LOCK_OK
#define BUSY    TDX_OPERAND_BUSY, TDXSIM_LOCK_OK
#define BUSY_HP TDX_OPERAND_BUSY_HOST_PRIORITY, TDXSIM_LOCK_OK
#define MISUSE  TDXSIM_LOCK_STATUS_MISUSE, TDXSIM_LOCK_OK
#define NOT_HELD TDX_SUCCESS, TDXSIM_LOCK_NOT_HELD

static bool is_release(enum op op)
{
	return op == MUTEX_REL || op == SX_REL_SH || op == SX_REL_EX || op == SX_DEMOTE ||
	       op == HP_REL_SH || op == HP_REL_EX || op == SEPT_REL;
}

/* Run one row on a fresh word; returns the word afterwards. */
static uint64_t run(const struct row *r, tdx_status_t *status, enum tdxsim_lock_err *err)
{
	tdxsim_mutex_word_t m = (uint8_t)r->before;
	tdxsim_sharex_word_t sx = (uint16_t)r->before;
	tdxsim_sharex_hp_word_t hp = (uint16_t)r->before;
	tdxsim_sept_entry_word_t e = r->before;

	*status = TDX_SUCCESS;
	*err = TDXSIM_LOCK_OK;
	switch (r->op) {
	case MUTEX_ACQ: *status = tdxsim_mutex_acquire(&m); return atomic_load(&m);
	case MUTEX_REL: *err = tdxsim_mutex_release(&m); return atomic_load(&m);
	case SX_ACQ_SH: *status = tdxsim_sharex_acquire_sh(&sx); return atomic_load(&sx);
	case SX_ACQ_EX: *status = tdxsim_sharex_acquire_ex(&sx); return atomic_load(&sx);
	case SX_REL_SH: *err = tdxsim_sharex_release_sh(&sx); return atomic_load(&sx);
	case SX_REL_EX: *err = tdxsim_sharex_release_ex(&sx); return atomic_load(&sx);
	case SX_PROMOTE: *status = tdxsim_sharex_promote(&sx); return atomic_load(&sx);
	case SX_DEMOTE: *err = tdxsim_sharex_demote(&sx); return atomic_load(&sx);
	case HP_ACQ_SH: *status = tdxsim_sharex_hp_acquire_sh(&hp, r->guest); return atomic_load(&hp);
	case HP_ACQ_EX: *status = tdxsim_sharex_hp_acquire_ex(&hp, r->guest); return atomic_load(&hp);
	case HP_REL_SH: *err = tdxsim_sharex_hp_release_sh(&hp); return atomic_load(&hp);
	case HP_REL_EX: *err = tdxsim_sharex_hp_release_ex(&hp); return atomic_load(&hp);
	case HP_PROMOTE: *status = tdxsim_sharex_hp_promote(&hp); return atomic_load(&hp);
	case SEPT_ACQ_HOST: *status = tdxsim_sept_lock_acquire_host(&e); return atomic_load(&e);
	case SEPT_ACQ_GUEST: *status = tdxsim_sept_lock_acquire_guest(&e); return atomic_load(&e);
	case SEPT_REL: *err = tdxsim_sept_lock_release(&e); return atomic_load(&e);
	case SEPT_REL_LOCAL: {
		uint64_t v = tdxsim_sept_lock_release_local(r->before);
		/* A local release never touches the entry in memory. */
		if (atomic_load(&e) != r->before)
			*err = TDXSIM_LOCK_NOT_HELD;
		return v;
	}
	}
	fail_msg("bad op %d", (int)r->op);
	return 0;
}

/* Checks every row, reporting each mismatch with its row number and description. */
static void run_rows(const char *table, const struct row *rows, size_t n, bool chained)
{
	unsigned bad = 0;
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		tdx_status_t st;
		enum tdxsim_lock_err err;
		if (chained && i > 0 && r->before != rows[i - 1].after) {
			print_error("%s row %zu (%s): starts from 0x%llx, previous row left 0x%llx\n",
				    table, i, r->what, (unsigned long long)r->before,
				    (unsigned long long)rows[i - 1].after);
			bad++;
		}
		uint64_t after = run(r, &st, &err);
		if (after != r->after || st != r->status || err != r->err) {
			print_error("%s row %zu (%s): %s(%s) on 0x%llx -> word 0x%llx status 0x%016llx "
				    "err %s; expected word 0x%llx status 0x%016llx err %s\n",
				    table, i, r->what, op_names[r->op], r->guest ? "guest" : "host",
				    (unsigned long long)r->before, (unsigned long long)after,
				    (unsigned long long)st, tdxsim_lock_err_name(err),
				    (unsigned long long)r->after, (unsigned long long)r->status,
				    tdxsim_lock_err_name(r->err));
			bad++;
		}
		/* Releases return no status; acquires return no lock error. */
		if (is_release(r->op) ? st != TDX_SUCCESS : err != TDXSIM_LOCK_OK) {
			print_error("%s row %zu: wrong kind of result\n", table, i);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

#define RUN(rows) run_rows(#rows, rows, sizeof(rows) / sizeof(rows[0]), false)
#define RUN_CHAINED(rows) run_rows(#rows, rows, sizeof(rows) / sizeof(rows[0]), true)

/* ------------------------------------------------------------------------- */
/* §1.1 mutex                                                                */

static const struct row mutex_rows[] = {
	{ "acquire free",                MUTEX_ACQ, HOST, 0, 1, OK },
	{ "acquire held",                MUTEX_ACQ, HOST, 1, 1, BUSY },
	{ "acquire garbage word",        MUTEX_ACQ, HOST, 2, 2, BUSY },
	{ "release held",                MUTEX_REL, HOST, 1, 0, OK },
	{ "release free: misuse",        MUTEX_REL, HOST, 0, 0, NOT_HELD },
	{ "release garbage: misuse, CAS leaves it", MUTEX_REL, HOST, 2, 2, NOT_HELD },
};

static void test_mutex(void **state)
{
	(void)state;
	RUN(mutex_rows);
}

/* ------------------------------------------------------------------------- */
/* §1.2 sharex (no host priority: host and guest alike)                      */

static const struct row sharex_rows[] = {
	{ "sh on free",                          SX_ACQ_SH, HOST, 0x0000, 0x0002, OK },
	{ "sh on free, guest alike",             SX_ACQ_SH, GUEST, 0x0000, 0x0002, OK },
	{ "sh with 2 readers",                   SX_ACQ_SH, HOST, 0x0004, 0x0006, OK },
	{ "sh on exclusive: +2 not undone",      SX_ACQ_SH, HOST, 0x0001, 0x0003, BUSY },
	{ "sh on exclusive+garbage: more garbage", SX_ACQ_SH, GUEST, 0x0003, 0x0005, BUSY },
	{ "sh on exclusive, full garbage: wraps, ex kept", SX_ACQ_SH, HOST, 0xFFFF, 0x0001, BUSY },
	{ "sh just below overflow",              SX_ACQ_SH, HOST, 0xFFFC, 0xFFFE, OK },
	{ "sh overflow 0xFFFE: misuse, word wrapped", SX_ACQ_SH, HOST, 0xFFFE, 0x0000, MISUSE },
	{ "ex on free",                          SX_ACQ_EX, HOST, 0x0000, 0x0001, OK },
	{ "ex with a reader",                    SX_ACQ_EX, HOST, 0x0002, 0x0002, BUSY },
	{ "ex on exclusive",                     SX_ACQ_EX, GUEST, 0x0001, 0x0001, BUSY },
	{ "ex on exclusive+garbage",             SX_ACQ_EX, HOST, 0x0005, 0x0005, BUSY },
	{ "release sh, last reader",             SX_REL_SH, HOST, 0x0002, 0x0000, OK },
	{ "release sh, 3 readers",               SX_REL_SH, HOST, 0x0006, 0x0004, OK },
	{ "release sh on free: misuse after XADD", SX_REL_SH, HOST, 0x0000, 0xFFFE, NOT_HELD },
	{ "release sh on exclusive: misuse",     SX_REL_SH, HOST, 0x0001, 0xFFFF, NOT_HELD },
	{ "release sh on ex+garbage: misuse",    SX_REL_SH, HOST, 0x0005, 0x0003, NOT_HELD },
	{ "release ex",                          SX_REL_EX, HOST, 0x0001, 0x0000, OK },
	{ "release ex wipes garbage counter",    SX_REL_EX, HOST, 0x0007, 0x0000, OK },
	{ "release ex on free: misuse",          SX_REL_EX, HOST, 0x0000, 0x0000, NOT_HELD },
	{ "release ex with readers: misuse, XCHG done", SX_REL_EX, HOST, 0x0004, 0x0000, NOT_HELD },
	{ "promote single reader 2->1",          SX_PROMOTE, HOST, 0x0002, 0x0001, OK },
	{ "promote with 2 readers",              SX_PROMOTE, HOST, 0x0004, 0x0004, BUSY },
	{ "promote on exclusive",                SX_PROMOTE, HOST, 0x0001, 0x0001, BUSY },
	{ "promote on free",                     SX_PROMOTE, HOST, 0x0000, 0x0000, BUSY },
	{ "demote",                              SX_DEMOTE, HOST, 0x0001, 0x0002, OK },
	{ "demote wipes garbage",                SX_DEMOTE, HOST, 0x0005, 0x0002, OK },
	{ "demote not exclusive: misuse, XCHG done", SX_DEMOTE, HOST, 0x0000, 0x0002, NOT_HELD },
};

static void test_sharex(void **state)
{
	(void)state;
	RUN(sharex_rows);
}

/* Garbage left by failed shared acquires is discarded by the exclusive release. */
static const struct row sharex_garbage_scenario[] = {
	{ "A takes ex",             SX_ACQ_EX, HOST, 0x0000, 0x0001, OK },
	{ "B sh fails, +2 stays",   SX_ACQ_SH, HOST, 0x0001, 0x0003, BUSY },
	{ "C sh fails, +2 stays",   SX_ACQ_SH, HOST, 0x0003, 0x0005, BUSY },
	{ "D ex fails",             SX_ACQ_EX, HOST, 0x0005, 0x0005, BUSY },
	{ "A releases: word 0",     SX_REL_EX, HOST, 0x0005, 0x0000, OK },
	{ "B sh succeeds",          SX_ACQ_SH, HOST, 0x0000, 0x0002, OK },
	{ "B promotes",             SX_PROMOTE, HOST, 0x0002, 0x0001, OK },
	{ "B demotes",              SX_DEMOTE, HOST, 0x0001, 0x0002, OK },
	{ "B releases sh",          SX_REL_SH, HOST, 0x0002, 0x0000, OK },
};

static void test_sharex_scenario(void **state)
{
	(void)state;
	RUN_CHAINED(sharex_garbage_scenario);
}

/* ------------------------------------------------------------------------- */
/* §1.3 sharex_hp: bit 0 ex, bit 1 HP, bits 15:2 readers (unit 4)            */

static const struct row sharex_hp_rows[] = {
	/* shared acquire */
	{ "guest sh on free",                      HP_ACQ_SH, GUEST, 0x0000, 0x0004, OK },
	{ "host sh on free",                       HP_ACQ_SH, HOST,  0x0000, 0x0004, OK },
	{ "guest sh with 2 readers",               HP_ACQ_SH, GUEST, 0x0008, 0x000C, OK },
	{ "guest sh, HP on free lock: undone",     HP_ACQ_SH, GUEST, 0x0002, 0x0002, BUSY_HP },
	{ "guest sh, HP with a reader: undone",    HP_ACQ_SH, GUEST, 0x0006, 0x0006, BUSY_HP },
	{ "guest sh, HP and ex: HP wins, undone",  HP_ACQ_SH, GUEST, 0x0003, 0x0003, BUSY_HP },
	{ "guest sh on ex: +4 left (garbage)",     HP_ACQ_SH, GUEST, 0x0001, 0x0005, BUSY },
	{ "guest sh on ex+garbage: no HP set",     HP_ACQ_SH, GUEST, 0x0005, 0x0009, BUSY },
	{ "host sh on ex: +4 left, HP set",        HP_ACQ_SH, HOST,  0x0001, 0x0007, BUSY },
	{ "host sh on ex+HP",                      HP_ACQ_SH, HOST,  0x0003, 0x0007, BUSY },
	{ "host sh, HP on free lock: HP cleared",  HP_ACQ_SH, HOST,  0x0002, 0x0004, OK },
	{ "host sh, HP with a reader: HP cleared", HP_ACQ_SH, HOST,  0x0006, 0x0008, OK },
	{ "guest sh just below overflow",          HP_ACQ_SH, GUEST, 0xFFF8, 0xFFFC, OK },
	{ "guest sh overflow 0x3FFF: misuse",      HP_ACQ_SH, GUEST, 0xFFFC, 0x0000, MISUSE },
	{ "host sh overflow 0x3FFF: misuse",       HP_ACQ_SH, HOST,  0xFFFC, 0x0000, MISUSE },
	/* exclusive acquire */
	{ "guest ex on free",                      HP_ACQ_EX, GUEST, 0x0000, 0x0001, OK },
	{ "host ex on free",                       HP_ACQ_EX, HOST,  0x0000, 0x0001, OK },
	{ "guest ex on exactly HP",                HP_ACQ_EX, GUEST, 0x0002, 0x0002, BUSY_HP },
	{ "host ex on exactly HP: 2nd CAS 2->1",   HP_ACQ_EX, HOST,  0x0002, 0x0001, OK },
	{ "guest ex with a reader: never sets HP", HP_ACQ_EX, GUEST, 0x0004, 0x0004, BUSY },
	{ "host ex with a reader: sets HP",        HP_ACQ_EX, HOST,  0x0004, 0x0006, BUSY },
	{ "guest ex on ex",                        HP_ACQ_EX, GUEST, 0x0001, 0x0001, BUSY },
	{ "host ex on ex: sets HP",                HP_ACQ_EX, HOST,  0x0001, 0x0003, BUSY },
	{ "guest ex, reader+HP: plain BUSY (not exactly 2)", HP_ACQ_EX, GUEST, 0x0006, 0x0006, BUSY },
	{ "host ex, reader+HP",                    HP_ACQ_EX, HOST,  0x0006, 0x0006, BUSY },
	{ "guest ex, ex+HP: plain BUSY",           HP_ACQ_EX, GUEST, 0x0003, 0x0003, BUSY },
	/* shared release */
	{ "release sh, last reader",               HP_REL_SH, HOST,  0x0004, 0x0000, OK },
	{ "release sh keeps HP",                   HP_REL_SH, GUEST, 0x0006, 0x0002, OK },
	{ "release sh, 2 readers",                 HP_REL_SH, HOST,  0x0008, 0x0004, OK },
	{ "release sh on free: misuse after XADD", HP_REL_SH, HOST,  0x0000, 0xFFFC, NOT_HELD },
	{ "release sh on HP only: misuse",         HP_REL_SH, HOST,  0x0002, 0xFFFE, NOT_HELD },
	{ "release sh on ex: misuse",              HP_REL_SH, HOST,  0x0001, 0xFFFD, NOT_HELD },
	{ "release sh on ex+garbage: misuse",      HP_REL_SH, HOST,  0x0005, 0x0001, NOT_HELD },
	/* exclusive release: AND 2 */
	{ "release ex",                            HP_REL_EX, HOST,  0x0001, 0x0000, OK },
	{ "release ex keeps HP",                   HP_REL_EX, GUEST, 0x0003, 0x0002, OK },
	{ "release ex wipes garbage, keeps HP",    HP_REL_EX, HOST,  0x0007, 0x0002, OK },
	{ "release ex wipes garbage",              HP_REL_EX, HOST,  0x0015, 0x0000, OK },
	{ "release ex on free: misuse, untouched", HP_REL_EX, HOST,  0x0000, 0x0000, NOT_HELD },
	{ "release ex on HP only: misuse",         HP_REL_EX, HOST,  0x0002, 0x0002, NOT_HELD },
	{ "release ex with reader: misuse",        HP_REL_EX, HOST,  0x0004, 0x0004, NOT_HELD },
	/* promote (host only) */
	{ "promote 4->1",                          HP_PROMOTE, HOST, 0x0004, 0x0001, OK },
	{ "promote 6->1 clears HP",                HP_PROMOTE, HOST, 0x0006, 0x0001, OK },
	{ "promote, 2 readers: HP set, sh kept",   HP_PROMOTE, HOST, 0x0008, 0x000A, BUSY },
	{ "promote, 2 readers+HP",                 HP_PROMOTE, HOST, 0x000A, 0x000A, BUSY },
	{ "promote, reader+garbage ex: HP set",    HP_PROMOTE, HOST, 0x0005, 0x0007, BUSY },
	/* 0xFFFE is the word a guest's late undo leaves (see tdxsim_sharex_hp_acquire_sh):
	 * nobody can take it any more, and the next host reader trips the overflow check. */
	{ "wedged 0xFFFE: guest sh",               HP_ACQ_SH, GUEST, 0xFFFE, 0xFFFE, BUSY_HP },
	{ "wedged 0xFFFE: guest ex",               HP_ACQ_EX, GUEST, 0xFFFE, 0xFFFE, BUSY },
	{ "wedged 0xFFFE: host ex",                HP_ACQ_EX, HOST,  0xFFFE, 0xFFFE, BUSY },
	{ "wedged 0xFFFE: host sh overflows",      HP_ACQ_SH, HOST,  0xFFFE, 0x0002, MISUSE },
};

static void test_sharex_hp(void **state)
{
	(void)state;
	RUN(sharex_hp_rows);
}

/* HP is set only by a failing host, refuses guests while set, survives an
 * exclusive release and is cleared only by a successful host. */
static const struct row sharex_hp_priority_scenario[] = {
	{ "guest G1 sh",                       HP_ACQ_SH, GUEST, 0x0000, 0x0004, OK },
	{ "guest G2 ex fails, no HP",          HP_ACQ_EX, GUEST, 0x0004, 0x0004, BUSY },
	{ "host H ex fails: HP set",           HP_ACQ_EX, HOST,  0x0004, 0x0006, BUSY },
	{ "guest G2 sh refused by HP",         HP_ACQ_SH, GUEST, 0x0006, 0x0006, BUSY_HP },
	{ "guest G2 ex: readers, plain BUSY",  HP_ACQ_EX, GUEST, 0x0006, 0x0006, BUSY },
	{ "G1 releases sh, HP stays",          HP_REL_SH, GUEST, 0x0006, 0x0002, OK },
	{ "guest G2 sh still refused",         HP_ACQ_SH, GUEST, 0x0002, 0x0002, BUSY_HP },
	{ "guest G2 ex refused (exactly HP)",  HP_ACQ_EX, GUEST, 0x0002, 0x0002, BUSY_HP },
	{ "host H ex: CAS 2->1 clears HP",     HP_ACQ_EX, HOST,  0x0002, 0x0001, OK },
	{ "guest G2 sh on ex: garbage",        HP_ACQ_SH, GUEST, 0x0001, 0x0005, BUSY },
	{ "host H2 sh on ex: garbage + HP",    HP_ACQ_SH, HOST,  0x0005, 0x000B, BUSY },
	{ "H releases ex: garbage gone, HP kept", HP_REL_EX, HOST, 0x000B, 0x0002, OK },
	{ "host H2 sh: HP cleared",            HP_ACQ_SH, HOST,  0x0002, 0x0004, OK },
	{ "guest G2 sh now succeeds",          HP_ACQ_SH, GUEST, 0x0004, 0x0008, OK },
	{ "H2 promote fails (2 readers): HP",  HP_PROMOTE, HOST, 0x0008, 0x000A, BUSY },
	{ "G2 releases sh",                    HP_REL_SH, GUEST, 0x000A, 0x0006, OK },
	{ "H2 promote 6->1",                   HP_PROMOTE, HOST, 0x0006, 0x0001, OK },
	{ "H2 releases ex",                    HP_REL_EX, HOST,  0x0001, 0x0000, OK },
};

static void test_sharex_hp_scenario(void **state)
{
	(void)state;
	RUN_CHAINED(sharex_hp_priority_scenario);
}

/* ------------------------------------------------------------------------- */
/* §1.4 SEPT entry lock: TDEL bit 11, HP bit 52 of a 64-bit entry             */

#define B 0xA000000123456007ull /* other entry bits, untouched by every lock op */
#define T TDXSIM_SEPT_ENTRY_TDEL
#define H TDXSIM_SEPT_ENTRY_TDHP

static const struct row sept_rows[] = {
	{ "host on free",                         SEPT_ACQ_HOST,  HOST,  B,         B | T,     OK },
	{ "host on free with HP: HP cleared",     SEPT_ACQ_HOST,  HOST,  B | H,     B | T,     OK },
	{ "host on locked: HP set, plain BUSY",   SEPT_ACQ_HOST,  HOST,  B | T,     B | T | H, BUSY },
	{ "host on locked+HP",                    SEPT_ACQ_HOST,  HOST,  B | T | H, B | T | H, BUSY },
	{ "guest on free",                        SEPT_ACQ_GUEST, GUEST, B,         B | T,     OK },
	{ "guest on locked: HP untouched",        SEPT_ACQ_GUEST, GUEST, B | T,     B | T,     BUSY },
	{ "guest on locked+HP: plain BUSY",       SEPT_ACQ_GUEST, GUEST, B | T | H, B | T | H, BUSY },
	{ "guest on free+HP: TDEL given back",    SEPT_ACQ_GUEST, GUEST, B | H,     B | H,     BUSY_HP },
	{ "release",                              SEPT_REL,       HOST,  B | T,     B,         OK },
	{ "release keeps HP",                     SEPT_REL,       GUEST, B | T | H, B | H,     OK },
	{ "release not held: misuse, untouched",  SEPT_REL,       HOST,  B,         B,         NOT_HELD },
	{ "release HP only: misuse, untouched",   SEPT_REL,       HOST,  B | H,     B | H,     NOT_HELD },
	{ "release_local clears TDEL in the copy", SEPT_REL_LOCAL, HOST, B | T | H, B | H,     OK },
	{ "release_local of an unlocked copy",    SEPT_REL_LOCAL, HOST,  B,         B,         OK },
	{ "bits 11/52 only: zero entry",          SEPT_ACQ_HOST,  HOST,  0,         T,         OK },
	{ "all other bits set",                   SEPT_ACQ_GUEST, GUEST, ~(T | H),  ~H,        OK },
};

static void test_sept(void **state)
{
	(void)state;
	RUN(sept_rows);
}

/* §9.2: a host failure leaves HP = 1 and returns plain BUSY; the guest then gets
 * BUSY_HOST_PRIORITY with TDEL restored to 0, until a host succeeds. */
static const struct row sept_priority_scenario[] = {
	{ "host A locks the entry",               SEPT_ACQ_HOST,  HOST,  B,         B | T,     OK },
	{ "host B fails: HP=1, plain BUSY",       SEPT_ACQ_HOST,  HOST,  B | T,     B | T | H, BUSY },
	{ "guest fails on TDEL: plain BUSY",      SEPT_ACQ_GUEST, GUEST, B | T | H, B | T | H, BUSY },
	{ "host A releases, HP stays",            SEPT_REL,       HOST,  B | T | H, B | H,     OK },
	{ "guest: BUSY_HOST_PRIORITY, TDEL 0",    SEPT_ACQ_GUEST, GUEST, B | H,     B | H,     BUSY_HP },
	{ "guest again: same",                    SEPT_ACQ_GUEST, GUEST, B | H,     B | H,     BUSY_HP },
	{ "host B retries: success clears HP",    SEPT_ACQ_HOST,  HOST,  B | H,     B | T,     OK },
	{ "host B releases",                      SEPT_REL,       HOST,  B | T,     B,         OK },
	{ "guest now succeeds",                   SEPT_ACQ_GUEST, GUEST, B,         B | T,     OK },
	{ "guest releases",                       SEPT_REL,       GUEST, B | T,     B,         OK },
};

static void test_sept_scenario(void **state)
{
	(void)state;
	RUN_CHAINED(sept_priority_scenario);
}

#undef B
#undef T
#undef H

/* ------------------------------------------------------------------------- */
/* The misuse sentinel and the constants                                     */

static void test_misuse_sentinel(void **state)
{
	(void)state;
	/* Not a status any module or Linux table defines, even loosely. */
	assert_null(tdx_status_lookup(TDXSIM_LOCK_STATUS_MISUSE));
	assert_null(tdx_status_lookup_loose(TDXSIM_LOCK_STATUS_MISUSE));
	assert_true(TDXSIM_LOCK_STATUS_MISUSE & TDX_STATUS_ERROR);
	assert_false(tdx_status_is_kvm_busy(TDXSIM_LOCK_STATUS_MISUSE));
	assert_int_equal(tdx_status_operand(TDXSIM_LOCK_STATUS_MISUSE), SCEC_LOCK_SOURCE);
	assert_true(tdxsim_lock_status_is_misuse(TDXSIM_LOCK_STATUS_MISUSE));
	assert_false(tdxsim_lock_status_is_misuse(TDX_OPERAND_BUSY));
	assert_false(tdxsim_lock_status_is_misuse(TDX_SUCCESS));
	assert_int_equal(tdxsim_lock_status_err(TDXSIM_LOCK_STATUS_MISUSE), TDXSIM_LOCK_OVERFLOW);
	assert_int_equal(tdxsim_lock_status_err(TDX_OPERAND_BUSY_HOST_PRIORITY), TDXSIM_LOCK_OK);
	assert_string_equal(tdxsim_lock_err_name(TDXSIM_LOCK_OK), "ok");
	assert_string_equal(tdxsim_lock_err_name(TDXSIM_LOCK_NOT_HELD), "not held");
	assert_string_equal(tdxsim_lock_err_name(TDXSIM_LOCK_OVERFLOW), "counter overflow");
}

static void test_constants(void **state)
{
	(void)state;
	/* §1.1-1.4 names and values. */
	assert_int_equal(MUTEX_FREE, 0);
	assert_int_equal(MUTEX_LOCK, 1);
	assert_int_equal(SHAREX_FREE, 0);
	assert_int_equal(SHAREX_EXCLUSIVE_LOCK, 1);
	assert_int_equal(SHAREX_SINGLE_READER, 2);
	assert_int_equal(SHAREX_FULL_COUNTER, 0x7FFF);
	assert_int_equal(SHAREX_FULL_COUNTER_NO_WRITER, 0xFFFE);
	assert_int_equal(SHAREX_HP_FREE, 0);
	assert_int_equal(SHAREX_HP_EXCLUSIVE_LOCK, 1);
	assert_int_equal(SHAREX_HP_HOST_PRIORITY, 2);
	assert_int_equal(SHAREX_HP_SINGLE_READER, 4);
	assert_int_equal(SHAREX_HP_FULL_COUNTER, 0x3FFF);
	assert_int_equal(SEPT_ENTRY_TDEL_BIT_POSITION, 11);
	assert_int_equal(SEPT_ENTRY_TDHP_BIT_POSITION, 52);
	assert_int_equal(TDXSIM_SEPT_ENTRY_TDEL, 0x800);
	assert_int_equal(TDXSIM_SEPT_ENTRY_TDHP, 0x0010000000000000ull);
	assert_int_equal(SCEC_LOCK_SOURCE, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutex),
		cmocka_unit_test(test_sharex),
		cmocka_unit_test(test_sharex_scenario),
		cmocka_unit_test(test_sharex_hp),
		cmocka_unit_test(test_sharex_hp_scenario),
		cmocka_unit_test(test_sept),
		cmocka_unit_test(test_sept_scenario),
		cmocka_unit_test(test_misuse_sentinel),
		cmocka_unit_test(test_constants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
