/* SPDX-License-Identifier: MIT */
/*
 * The TDX module's four kinds of try-only lock (reference tdx-module-1.5.md §1) as
 * pure functions on a lock word.  No TDX objects here: the module layer decides
 * which word a lock lives in and which operand ID a BUSY is reported with.
 *
 * Every operation is the real sequence of atomic instructions of §1.1-1.4, done
 * with C11 <stdatomic.h> on the word, so that under real threads (the `threads`
 * scheduler, libtdxsim users) the intermediate states are visible exactly as on
 * the hardware: e.g. a host shared acquire of a sharex_hp lock held exclusively
 * is an XADD of +4 followed by a separate atomic OR of the HP bit, and another
 * thread can see the word between the two.  No operation spins, waits or retries
 * (§1.0): a failed acquire returns a BUSY status at once.
 *
 * Return values
 *  - Acquires (and promote) return a tdx_status_t: TDX_SUCCESS, TDX_OPERAND_BUSY or
 *    TDX_OPERAND_BUSY_HOST_PRIORITY, without an operand ID; the caller adds it
 *    (tdx_status_with_operand).  For the mutex and the plain sharex lock the real
 *    module returns LOCK_RET_SUCCESS / LOCK_RET_FAIL and its caller picks the
 *    status (TDX_OPERAND_BUSY | operand, or TDX_SYS_BUSY for the global lock); here
 *    LOCK_RET_FAIL is TDX_OPERAND_BUSY and the caller may substitute.
 *  - Releases (and demote) return enum tdxsim_lock_err.
 *  - Misuse (releasing a lock that is not held, reader-counter overflow) makes the
 *    real module halt through tdx_sanity_check(..., SCEC_LOCK_SOURCE, n).  This
 *    layer never aborts: a release returns TDXSIM_LOCK_NOT_HELD, an acquire that
 *    overflows the reader counter returns the sentinel TDXSIM_LOCK_STATUS_MISUSE.
 *    The caller (the module layer) must turn either into a module halt.  After
 *    misuse the word holds whatever the real atomic sequence left in it (for
 *    instance an overflowing XADD wraps the word); it is not repaired, because the
 *    real module never runs again after the halt.
 *
 * All acquires and releases are warn_unused_result: ignoring a BUSY or a misuse
 * is always a bug.
 *
 * Memory ordering: a successful acquire is an acquire operation and every
 * release is a release operation, so data protected by a lock is race-free under
 * C11 (and ThreadSanitizer).  Bookkeeping RMWs that neither take nor give a lock
 * (setting/clearing HP, undoing a guest's reader increment) are relaxed; being
 * read-modify-writes they still continue release sequences.  On x86 every one of
 * them is a LOCK-prefixed instruction, as in the real module.
 */
#ifndef TDXSIM_LOCK_H
#define TDXSIM_LOCK_H

#include <assert.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "tdxsim/status.h"

#define TDXSIM_MUST_CHECK __attribute__((warn_unused_result))

/* Misuse reported by releases (the module would halt, §1.0). */
enum tdxsim_lock_err {
	TDXSIM_LOCK_OK = 0,
	TDXSIM_LOCK_NOT_HELD,  /* release of a lock (or mode) that is not held */
	TDXSIM_LOCK_OVERFLOW,  /* reader counter full (see TDXSIM_LOCK_STATUS_MISUSE) */
};

/* tdx_sanity_check source code of the lock helpers (§1.0). */
#define SCEC_LOCK_SOURCE 0x0001u

/*
 * Sentinel returned by an acquire on misuse (reader-counter overflow).  It is not
 * a TDX status: bits 59:48 are reserved (§2.1) and no module or Linux code sets
 * them, so it can never be confused with a value the real module returns, and
 * tdx_status_lookup()/tdx_status_lookup_loose() do not match it.  Bits 63:61
 * (error, non-recoverable, fatal) are set so that code that only tests the error
 * bit still treats it as a failure; the low bits carry SCEC_LOCK_SOURCE.
 */
#define TDXSIM_LOCK_STATUS_MISUSE (0xEFFF000000000000ull | SCEC_LOCK_SOURCE)

static inline bool tdxsim_lock_status_is_misuse(tdx_status_t s)
{
	return s == TDXSIM_LOCK_STATUS_MISUSE;
}

/* The misuse sentinel as a lock error: TDXSIM_LOCK_OVERFLOW for
 * TDXSIM_LOCK_STATUS_MISUSE (the only acquire misuse), TDXSIM_LOCK_OK otherwise. */
static inline enum tdxsim_lock_err tdxsim_lock_status_err(tdx_status_t s)
{
	return tdxsim_lock_status_is_misuse(s) ? TDXSIM_LOCK_OVERFLOW : TDXSIM_LOCK_OK;
}

/* "ok", "not held", "counter overflow". */
const char *tdxsim_lock_err_name(enum tdxsim_lock_err e);

/* ------------------------------------------------------------------------- */
/* §1.1 Mutex: mutex_lock_t, 8 bits.                                          */

typedef _Atomic uint8_t tdxsim_mutex_word_t;

#define MUTEX_FREE 0u
#define MUTEX_LOCK 1u

/* acquire_mutex_lock: one CAS 0 -> 1. */
TDXSIM_MUST_CHECK static inline tdx_status_t tdxsim_mutex_acquire(tdxsim_mutex_word_t *w)
{
	uint8_t old = MUTEX_FREE;
	if (atomic_compare_exchange_strong_explicit(w, &old, MUTEX_LOCK, memory_order_acquire,
						    memory_order_relaxed))
		return TDX_SUCCESS;
	return TDX_OPERAND_BUSY;
}

/* release_mutex_lock: CAS 1 -> 0; the module halts if the old value was not 1. */
TDXSIM_MUST_CHECK static inline enum tdxsim_lock_err tdxsim_mutex_release(tdxsim_mutex_word_t *w)
{
	uint8_t old = MUTEX_LOCK;
	if (atomic_compare_exchange_strong_explicit(w, &old, MUTEX_FREE, memory_order_release,
						    memory_order_relaxed))
		return TDXSIM_LOCK_OK;
	return TDXSIM_LOCK_NOT_HELD;
}

/* ------------------------------------------------------------------------- */
/* §1.2 Shared/exclusive lock: sharex_lock_t, 16 bits.                        */
/* Bit 0 exclusive, bits 15:1 reader counter.  No host priority.              */

typedef _Atomic uint16_t tdxsim_sharex_word_t;

#define SHAREX_FREE                   0x0000u
#define SHAREX_EXCLUSIVE_LOCK         0x0001u /* BIT(0) */
#define SHAREX_SINGLE_READER          0x0002u /* BIT(1) */
#define SHAREX_FULL_COUNTER           0x7FFFu /* counter field all ones */
#define SHAREX_FULL_COUNTER_NO_WRITER 0xFFFEu /* raw word: full counter, no writer */
#define SHAREX_COUNTER_SHIFT          1

static inline unsigned tdxsim_sharex_counter(uint16_t word)
{
	return word >> SHAREX_COUNTER_SHIFT;
}

/*
 * acquire_sharex_lock_sh: XADD +2 first, unconditionally.  Fails if the old word
 * had the exclusive bit; the increment is NOT undone (the counter is garbage while
 * the exclusive bit is set and release_ex's XCHG wipes it, §1.2, §9.1).
 * Old raw word 0xFFFE (full counter) is misuse; the XADD has then wrapped the word.
 */
TDXSIM_MUST_CHECK static inline tdx_status_t tdxsim_sharex_acquire_sh(tdxsim_sharex_word_t *w)
{
	uint16_t old = atomic_fetch_add_explicit(w, SHAREX_SINGLE_READER, memory_order_acquire);
	if (old & SHAREX_EXCLUSIVE_LOCK)
		return TDX_OPERAND_BUSY;
	if (old == SHAREX_FULL_COUNTER_NO_WRITER)
		return TDXSIM_LOCK_STATUS_MISUSE;
	return TDX_SUCCESS;
}

/* acquire_sharex_lock_ex: CAS 0 -> 1; only a completely free lock is taken. */
TDXSIM_MUST_CHECK static inline tdx_status_t tdxsim_sharex_acquire_ex(tdxsim_sharex_word_t *w)
{
	uint16_t old = SHAREX_FREE;
	if (atomic_compare_exchange_strong_explicit(w, &old, SHAREX_EXCLUSIVE_LOCK,
						    memory_order_acquire, memory_order_relaxed))
		return TDX_SUCCESS;
	return TDX_OPERAND_BUSY;
}

/* Release shared: XADD -2; misuse if the old word had the exclusive bit or a zero
 * counter (the XADD has already been done, as in the real module). */
TDXSIM_MUST_CHECK static inline enum tdxsim_lock_err tdxsim_sharex_release_sh(tdxsim_sharex_word_t *w)
{
	uint16_t old = atomic_fetch_sub_explicit(w, SHAREX_SINGLE_READER, memory_order_release);
	if ((old & SHAREX_EXCLUSIVE_LOCK) || tdxsim_sharex_counter(old) == 0)
		return TDXSIM_LOCK_NOT_HELD;
	return TDXSIM_LOCK_OK;
}

/* Release exclusive: XCHG 0 (discarding failed readers' increments); misuse if
 * the old exclusive bit was 0. */
TDXSIM_MUST_CHECK static inline enum tdxsim_lock_err tdxsim_sharex_release_ex(tdxsim_sharex_word_t *w)
{
	uint16_t old = atomic_exchange_explicit(w, SHAREX_FREE, memory_order_release);
	if (!(old & SHAREX_EXCLUSIVE_LOCK))
		return TDXSIM_LOCK_NOT_HELD;
	return TDXSIM_LOCK_OK;
}

/* promote_sharex_lock: CAS 2 (this caller is the single reader) -> 1.  On
 * TDX_OPERAND_BUSY the caller still holds its shared lock. */
TDXSIM_MUST_CHECK static inline tdx_status_t tdxsim_sharex_promote(tdxsim_sharex_word_t *w)
{
	uint16_t old = SHAREX_SINGLE_READER;
	if (atomic_compare_exchange_strong_explicit(w, &old, SHAREX_EXCLUSIVE_LOCK,
						    memory_order_acquire, memory_order_relaxed))
		return TDX_SUCCESS;
	return TDX_OPERAND_BUSY;
}

/*
 * Demote: XCHG 2 (exclusive -> this caller as the single reader).  §1.2 lists no
 * sanity check for demote; tdxsim reports TDXSIM_LOCK_NOT_HELD if the old word did
 * not have the exclusive bit, after doing the XCHG exactly as the real module does.
 */
TDXSIM_MUST_CHECK static inline enum tdxsim_lock_err tdxsim_sharex_demote(tdxsim_sharex_word_t *w)
{
	uint16_t old = atomic_exchange_explicit(w, SHAREX_SINGLE_READER, memory_order_release);
	if (!(old & SHAREX_EXCLUSIVE_LOCK))
		return TDXSIM_LOCK_NOT_HELD;
	return TDXSIM_LOCK_OK;
}

/* ------------------------------------------------------------------------- */
/* §1.3 Host-priority shared/exclusive lock: sharex_hp_lock_t, 16 bits.      */
/* Bit 0 exclusive, bit 1 host priority (HP), bits 15:2 reader counter.       */
/* `guest` is the module's is_guest: true for TDCALL flows, false for SEAMCALL. */

typedef _Atomic uint16_t tdxsim_sharex_hp_word_t;

#define SHAREX_HP_FREE           0x0000u
#define SHAREX_HP_EXCLUSIVE_LOCK 0x0001u /* BIT(0) */
#define SHAREX_HP_HOST_PRIORITY  0x0002u /* BIT(1) */
#define SHAREX_HP_SINGLE_READER  0x0004u /* BIT(2) */
#define SHAREX_HP_FULL_COUNTER   0x3FFFu /* counter field all ones */
#define SHAREX_HP_COUNTER_SHIFT  2

static inline unsigned tdxsim_sharex_hp_counter(uint16_t word)
{
	return word >> SHAREX_HP_COUNTER_SHIFT;
}

/*
 * acquire_sharex_lock_hp_sh.  Both sides start with XADD +4.
 * Guest: old HP -> XADD -4 (undo), BUSY_HOST_PRIORITY; else old exclusive -> BUSY,
 *        increment left in place; else SUCCESS.
 * Host:  old exclusive -> atomic OR of HP, BUSY (increment left in place); else
 *        old HP -> atomic AND of HP out (a successful host clears HP), SUCCESS;
 *        else SUCCESS.
 * Old counter 0x3FFF on a path that would succeed is misuse.  §1.3 states the
 * overflow check for the guest; tdxsim applies it to the host too (checked before
 * the AND that clears HP).
 *
 * Note (a consequence of §1.3 as written, not a tdxsim choice): the guest tests HP
 * before the exclusive bit, so its undo can run after an exclusive holder's release
 * (AND with 2) has already wiped the counter: word 3 (held ex, HP) -> guest XADD ->
 * 7 -> release_ex -> 2 -> guest XADD -4 -> 0xFFFE.  This needs a second host to
 * have set HP while a first holds the lock exclusively.  The word is then wedged:
 * every exclusive attempt is BUSY and the next host reader trips the counter
 * overflow check (TDXSIM_LOCK_STATUS_MISUSE; a halt in the real module).  Two
 * hosts and one guest hammering one word under real threads reach it in well
 * under a second.  Whether the real module checks in this order is worth
 * confirming in its source; tdxsim follows the reference.
 */
TDXSIM_MUST_CHECK static inline tdx_status_t tdxsim_sharex_hp_acquire_sh(tdxsim_sharex_hp_word_t *w,
									 bool guest)
{
	uint16_t old = atomic_fetch_add_explicit(w, SHAREX_HP_SINGLE_READER, memory_order_acquire);
	if (guest) {
		if (old & SHAREX_HP_HOST_PRIORITY) {
			atomic_fetch_sub_explicit(w, SHAREX_HP_SINGLE_READER, memory_order_relaxed);
			return TDX_OPERAND_BUSY_HOST_PRIORITY;
		}
		if (old & SHAREX_HP_EXCLUSIVE_LOCK)
			return TDX_OPERAND_BUSY;
		if (tdxsim_sharex_hp_counter(old) == SHAREX_HP_FULL_COUNTER)
			return TDXSIM_LOCK_STATUS_MISUSE;
		return TDX_SUCCESS;
	}
	if (old & SHAREX_HP_EXCLUSIVE_LOCK) {
		atomic_fetch_or_explicit(w, SHAREX_HP_HOST_PRIORITY, memory_order_relaxed);
		return TDX_OPERAND_BUSY;
	}
	if (tdxsim_sharex_hp_counter(old) == SHAREX_HP_FULL_COUNTER)
		return TDXSIM_LOCK_STATUS_MISUSE;
	if (old & SHAREX_HP_HOST_PRIORITY)
		atomic_fetch_and_explicit(w, (uint16_t)~SHAREX_HP_HOST_PRIORITY, memory_order_relaxed);
	return TDX_SUCCESS;
}

/*
 * acquire_sharex_lock_hp_ex.  CAS 0 -> 1.  If the old word was exactly HP (free,
 * host pending): guest BUSY_HOST_PRIORITY; host a second CAS 2 -> 1 (clearing HP),
 * BUSY if that one fails.  Otherwise (readers or a writer): guest BUSY (a guest
 * never sets HP); host atomic OR of HP, then BUSY.
 */
TDXSIM_MUST_CHECK static inline tdx_status_t tdxsim_sharex_hp_acquire_ex(tdxsim_sharex_hp_word_t *w,
									 bool guest)
{
	uint16_t old = SHAREX_HP_FREE;
	if (atomic_compare_exchange_strong_explicit(w, &old, SHAREX_HP_EXCLUSIVE_LOCK,
						    memory_order_acquire, memory_order_relaxed))
		return TDX_SUCCESS;
	if (old == SHAREX_HP_HOST_PRIORITY) {
		if (guest)
			return TDX_OPERAND_BUSY_HOST_PRIORITY;
		uint16_t again = SHAREX_HP_HOST_PRIORITY;
		if (atomic_compare_exchange_strong_explicit(w, &again, SHAREX_HP_EXCLUSIVE_LOCK,
							    memory_order_acquire, memory_order_relaxed))
			return TDX_SUCCESS;
		return TDX_OPERAND_BUSY;
	}
	if (!guest)
		atomic_fetch_or_explicit(w, SHAREX_HP_HOST_PRIORITY, memory_order_relaxed);
	return TDX_OPERAND_BUSY;
}

/* Release shared: XADD -4; misuse if the old word had the exclusive bit or a zero
 * counter (the XADD has already been done). */
TDXSIM_MUST_CHECK static inline enum tdxsim_lock_err
tdxsim_sharex_hp_release_sh(tdxsim_sharex_hp_word_t *w)
{
	uint16_t old = atomic_fetch_sub_explicit(w, SHAREX_HP_SINGLE_READER, memory_order_release);
	if ((old & SHAREX_HP_EXCLUSIVE_LOCK) || tdxsim_sharex_hp_counter(old) == 0)
		return TDXSIM_LOCK_NOT_HELD;
	return TDXSIM_LOCK_OK;
}

/* Release exclusive: misuse if the exclusive bit is clear (checked first, word
 * untouched); then an atomic AND with 2, which clears the exclusive bit and the
 * garbage counter and keeps HP.  §1.3: HP survives an exclusive release. */
TDXSIM_MUST_CHECK static inline enum tdxsim_lock_err
tdxsim_sharex_hp_release_ex(tdxsim_sharex_hp_word_t *w)
{
	if (!(atomic_load_explicit(w, memory_order_relaxed) & SHAREX_HP_EXCLUSIVE_LOCK))
		return TDXSIM_LOCK_NOT_HELD;
	atomic_fetch_and_explicit(w, SHAREX_HP_HOST_PRIORITY, memory_order_release);
	return TDXSIM_LOCK_OK;
}

/*
 * promote_sharex_lock_hp (host only; used inside the PAMT walk).  CAS 4 -> 1; if
 * the old word was 6 (one reader + HP), CAS 6 -> 1, BUSY if that fails; otherwise
 * atomic OR of HP and BUSY.  On BUSY the caller still holds its shared lock and
 * releases it itself.
 */
TDXSIM_MUST_CHECK static inline tdx_status_t tdxsim_sharex_hp_promote(tdxsim_sharex_hp_word_t *w)
{
	uint16_t old = SHAREX_HP_SINGLE_READER;
	if (atomic_compare_exchange_strong_explicit(w, &old, SHAREX_HP_EXCLUSIVE_LOCK,
						    memory_order_acquire, memory_order_relaxed))
		return TDX_SUCCESS;
	if (old == (SHAREX_HP_SINGLE_READER | SHAREX_HP_HOST_PRIORITY)) {
		uint16_t again = SHAREX_HP_SINGLE_READER | SHAREX_HP_HOST_PRIORITY;
		if (atomic_compare_exchange_strong_explicit(w, &again, SHAREX_HP_EXCLUSIVE_LOCK,
							    memory_order_acquire, memory_order_relaxed))
			return TDX_SUCCESS;
		return TDX_OPERAND_BUSY;
	}
	atomic_fetch_or_explicit(w, SHAREX_HP_HOST_PRIORITY, memory_order_relaxed);
	return TDX_OPERAND_BUSY;
}

/* ------------------------------------------------------------------------- */
/* §1.4 SEPT entry lock: bits of the 64-bit SEPT entry itself.                */

typedef _Atomic uint64_t tdxsim_sept_entry_word_t;

#define SEPT_ENTRY_TDEL_BIT_POSITION 11 /* entry lock, ia32e_sept_t.tdel */
#define SEPT_ENTRY_TDHP_BIT_POSITION 52 /* host priority, ia32e_sept_t.hp */
#define TDXSIM_SEPT_ENTRY_TDEL (1ull << SEPT_ENTRY_TDEL_BIT_POSITION)
#define TDXSIM_SEPT_ENTRY_TDHP (1ull << SEPT_ENTRY_TDHP_BIT_POSITION)

/*
 * sept_lock_acquire_host: BTS 11.  If it was set: BTS 52 and return plain
 * TDX_OPERAND_BUSY (§1.4: the source comment says BUSY_HOST_PRIORITY, the code
 * returns BUSY).  On success: BTR 52, unconditionally (it also clears an HP that
 * another host set between our BTS and this BTR), then SUCCESS.
 */
TDXSIM_MUST_CHECK static inline tdx_status_t
tdxsim_sept_lock_acquire_host(tdxsim_sept_entry_word_t *e)
{
	uint64_t old = atomic_fetch_or_explicit(e, TDXSIM_SEPT_ENTRY_TDEL, memory_order_acquire);
	if (old & TDXSIM_SEPT_ENTRY_TDEL) {
		atomic_fetch_or_explicit(e, TDXSIM_SEPT_ENTRY_TDHP, memory_order_relaxed);
		return TDX_OPERAND_BUSY;
	}
	atomic_fetch_and_explicit(e, ~TDXSIM_SEPT_ENTRY_TDHP, memory_order_relaxed);
	return TDX_SUCCESS;
}

/*
 * sept_lock_acquire_guest: BTS 11; BUSY if it was set (HP untouched).  Otherwise,
 * if HP is set, BTR 11 (give the lock back) and BUSY_HOST_PRIORITY.  BTS reports
 * only bit 11 (in CF), so HP is read from the entry after the BTS; tdxsim does the
 * same (a separate atomic load), which also sees an HP set by a host that failed
 * against this guest's own fresh TDEL.
 */
TDXSIM_MUST_CHECK static inline tdx_status_t
tdxsim_sept_lock_acquire_guest(tdxsim_sept_entry_word_t *e)
{
	uint64_t old = atomic_fetch_or_explicit(e, TDXSIM_SEPT_ENTRY_TDEL, memory_order_acquire);
	if (old & TDXSIM_SEPT_ENTRY_TDEL)
		return TDX_OPERAND_BUSY;
	if (atomic_load_explicit(e, memory_order_relaxed) & TDXSIM_SEPT_ENTRY_TDHP) {
		atomic_fetch_and_explicit(e, ~TDXSIM_SEPT_ENTRY_TDEL, memory_order_release);
		return TDX_OPERAND_BUSY_HOST_PRIORITY;
	}
	return TDX_SUCCESS;
}

/* sept_lock_release: misuse if bit 11 is clear (entry untouched); then BTR 11.
 * HP is not touched. */
TDXSIM_MUST_CHECK static inline enum tdxsim_lock_err
tdxsim_sept_lock_release(tdxsim_sept_entry_word_t *e)
{
	if (!(atomic_load_explicit(e, memory_order_relaxed) & TDXSIM_SEPT_ENTRY_TDEL))
		return TDXSIM_LOCK_NOT_HELD;
	atomic_fetch_and_explicit(e, ~TDXSIM_SEPT_ENTRY_TDEL, memory_order_release);
	return TDXSIM_LOCK_OK;
}

/* sept_lock_release_local: clear bit 11 in a local copy of the entry, to be
 * committed later with one 64-bit store (which also overwrites HP, §9.3). */
TDXSIM_MUST_CHECK static inline uint64_t tdxsim_sept_lock_release_local(uint64_t entry)
{
	return entry & ~TDXSIM_SEPT_ENTRY_TDEL;
}

/* ------------------------------------------------------------------------- */
/* Layouts that model the real module's (§1.1-1.4).                          */

static_assert(sizeof(tdxsim_mutex_word_t) == 1, "mutex_lock_t is 8 bits");
static_assert(sizeof(tdxsim_sharex_word_t) == 2, "sharex_lock_t is 16 bits");
static_assert(sizeof(tdxsim_sharex_hp_word_t) == 2, "sharex_hp_lock_t is 16 bits");
static_assert(sizeof(tdxsim_sept_entry_word_t) == 8, "a SEPT entry is 64 bits");
static_assert(ATOMIC_CHAR_LOCK_FREE == 2 && ATOMIC_SHORT_LOCK_FREE == 2 &&
		      ATOMIC_LLONG_LOCK_FREE == 2,
	      "lock words must be always lock-free, like the real LOCK-prefixed instructions");
static_assert((SHAREX_FULL_COUNTER << SHAREX_COUNTER_SHIFT) == SHAREX_FULL_COUNTER_NO_WRITER,
	      "sharex: 15-bit counter above the exclusive bit");
static_assert((SHAREX_SINGLE_READER >> SHAREX_COUNTER_SHIFT) == 1, "sharex: reader unit");
static_assert((SHAREX_HP_SINGLE_READER >> SHAREX_HP_COUNTER_SHIFT) == 1, "sharex_hp: reader unit");
static_assert(((SHAREX_HP_FULL_COUNTER << SHAREX_HP_COUNTER_SHIFT) & 0xFFFFu) == 0xFFFCu,
	      "sharex_hp: 14-bit counter above HP and exclusive");
static_assert(SEPT_ENTRY_TDEL_BIT_POSITION == 11 && SEPT_ENTRY_TDHP_BIT_POSITION == 52,
	      "x86_defs.h: tdel is bit 11, hp is bit 52");
static_assert((TDXSIM_LOCK_STATUS_MISUSE & 0x0FFF000000000000ull) == 0x0FFF000000000000ull,
	      "the misuse sentinel must use reserved status bits 59:48");

#endif
