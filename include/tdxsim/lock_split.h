/* SPDX-License-Identifier: MIT */
/*
 * The try-acquires of lock.h split at their atomic instructions, for the
 * instruction-atomicity mode of the step schedulers (`--atomicity instr`,
 * docs/check.md "Atomicity").
 *
 * By default one step is one whole try-acquire (DESIGN §3).  Some acquires of
 * tdx-module §1.3-1.4 are two read-modify-writes of the lock word, and another
 * actor can act between them on real hardware:
 *   - SEPT entry, guest: BTS of TDEL, then (HP set) BTR of TDEL.  Between them the
 *     guest holds TDEL, so a host's BTS fails and sets HP (§1.4): the collision
 *     the SPIN model at `--atomicity instr` finds (docs/export.md).
 *   - SEPT entry, host: BTS of TDEL, then BTS or BTR of HP.
 *   - sharex_hp: the XADD, then the guest's undo or the host's OR/AND of HP;
 *     exclusive: the CAS, then the host's second CAS or its OR of HP.
 * tdxsim_lock_first() runs the first instruction and says what is left;
 * tdxsim_lock_rest() runs the rest.  Run back to back they leave the same word and
 * return the same status as the fused acquire (test_lock_split proves it for
 * every word).  Mutex and sharex acquires are one instruction each: first() does
 * all of it.
 */
#ifndef TDXSIM_LOCK_SPLIT_H
#define TDXSIM_LOCK_SPLIT_H

#include "tdxsim/lock.h"
#include "tdxsim/table.h"

/* What is left of a split try-acquire after its first instruction. */
enum tdxsim_lock_cont {
	TDXSIM_CONT_NONE = 0,     /* the acquire is complete */
	TDXSIM_CONT_SEPT_SET_HP,  /* host BTS of TDEL failed: BTS of HP, BUSY */
	TDXSIM_CONT_SEPT_CLR_HP,  /* host BTS of TDEL succeeded: BTR of HP, SUCCESS */
	TDXSIM_CONT_SEPT_GUEST,   /* guest BTS of TDEL succeeded: HP set -> BTR TDEL, BUSY_HP */
	TDXSIM_CONT_HP_SET_HP,    /* sharex_hp host failed: OR of HP, BUSY */
	TDXSIM_CONT_HP_CLR_HP,    /* sharex_hp host shared with HP set: AND of HP out, SUCCESS */
	TDXSIM_CONT_HP_UNDO,      /* sharex_hp guest shared met HP: XADD -4, BUSY_HP */
	TDXSIM_CONT_HP_CAS2,      /* sharex_hp host exclusive met HP alone: CAS 2 -> 1 */
};

/* Whether the caller holds the lock (or a reader increment it must account for)
 * between the two instructions. */
static inline bool tdxsim_lock_cont_holds(enum tdxsim_lock_cont c)
{
	return c == TDXSIM_CONT_SEPT_CLR_HP || c == TDXSIM_CONT_SEPT_GUEST ||
	       c == TDXSIM_CONT_HP_CLR_HP || c == TDXSIM_CONT_HP_UNDO;
}

/* The result the first instruction decided, before the rest runs. */
static inline tdx_status_t tdxsim_lock_cont_provisional(enum tdxsim_lock_cont c)
{
	switch (c) {
	case TDXSIM_CONT_SEPT_SET_HP:
	case TDXSIM_CONT_HP_SET_HP:
	case TDXSIM_CONT_HP_CAS2: return TDX_OPERAND_BUSY;
	case TDXSIM_CONT_HP_UNDO: return TDX_OPERAND_BUSY_HOST_PRIORITY;
	case TDXSIM_CONT_NONE:
	case TDXSIM_CONT_SEPT_CLR_HP:
	case TDXSIM_CONT_SEPT_GUEST:
	case TDXSIM_CONT_HP_CLR_HP: break;
	}
	return TDX_SUCCESS;
}

/*
 * The first instruction of a try-acquire of `kind` in `mode` (exclusive for mutex
 * and SEPT entry).  With *cont == TDXSIM_CONT_NONE on return the result is final;
 * otherwise it is provisional and tdxsim_lock_rest() gives the final one.
 */
TDXSIM_MUST_CHECK static inline tdx_status_t tdxsim_lock_first(enum tdxsim_lock_kind kind, void *w,
								bool exclusive, bool guest,
								enum tdxsim_lock_cont *cont)
{
	*cont = TDXSIM_CONT_NONE;
	switch (kind) {
	case TDXSIM_LK_MUTEX:
		return tdxsim_mutex_acquire(w);
	case TDXSIM_LK_SHAREX:
		return exclusive ? tdxsim_sharex_acquire_ex(w) : tdxsim_sharex_acquire_sh(w);
	case TDXSIM_LK_SHAREX_HP: {
		tdxsim_sharex_hp_word_t *hw = w;
		if (!exclusive) {
			uint16_t old = atomic_fetch_add_explicit(hw, SHAREX_HP_SINGLE_READER,
								 memory_order_acquire);
			if (guest) {
				if (old & SHAREX_HP_HOST_PRIORITY) {
					*cont = TDXSIM_CONT_HP_UNDO;
					return TDX_OPERAND_BUSY_HOST_PRIORITY;
				}
				if (old & SHAREX_HP_EXCLUSIVE_LOCK)
					return TDX_OPERAND_BUSY;
				if (tdxsim_sharex_hp_counter(old) == SHAREX_HP_FULL_COUNTER)
					return TDXSIM_LOCK_STATUS_MISUSE;
				return TDX_SUCCESS;
			}
			if (old & SHAREX_HP_EXCLUSIVE_LOCK) {
				*cont = TDXSIM_CONT_HP_SET_HP;
				return TDX_OPERAND_BUSY;
			}
			if (tdxsim_sharex_hp_counter(old) == SHAREX_HP_FULL_COUNTER)
				return TDXSIM_LOCK_STATUS_MISUSE;
			if (old & SHAREX_HP_HOST_PRIORITY)
				*cont = TDXSIM_CONT_HP_CLR_HP;
			return TDX_SUCCESS;
		}
		uint16_t old = SHAREX_HP_FREE;
		if (atomic_compare_exchange_strong_explicit(hw, &old, SHAREX_HP_EXCLUSIVE_LOCK,
							    memory_order_acquire, memory_order_relaxed))
			return TDX_SUCCESS;
		if (old == SHAREX_HP_HOST_PRIORITY) {
			if (guest)
				return TDX_OPERAND_BUSY_HOST_PRIORITY;
			*cont = TDXSIM_CONT_HP_CAS2;
			return TDX_OPERAND_BUSY;
		}
		if (!guest)
			*cont = TDXSIM_CONT_HP_SET_HP;
		return TDX_OPERAND_BUSY;
	}
	case TDXSIM_LK_SEPT_ENTRY: {
		uint64_t old = atomic_fetch_or_explicit((tdxsim_sept_entry_word_t *)w,
							TDXSIM_SEPT_ENTRY_TDEL, memory_order_acquire);
		if (old & TDXSIM_SEPT_ENTRY_TDEL) {
			if (!guest)
				*cont = TDXSIM_CONT_SEPT_SET_HP;
			return TDX_OPERAND_BUSY;
		}
		*cont = guest ? TDXSIM_CONT_SEPT_GUEST : TDXSIM_CONT_SEPT_CLR_HP;
		return TDX_SUCCESS;
	}
	}
	return TDXSIM_LOCK_STATUS_MISUSE;
}

/* The rest of a split try-acquire: its final status. */
TDXSIM_MUST_CHECK static inline tdx_status_t tdxsim_lock_rest(void *w, enum tdxsim_lock_cont cont)
{
	tdx_status_t provisional = tdxsim_lock_cont_provisional(cont);
	tdxsim_sept_entry_word_t *e = w;
	tdxsim_sharex_hp_word_t *hw = w;
	switch (cont) {
	case TDXSIM_CONT_NONE:
		break;
	case TDXSIM_CONT_SEPT_SET_HP:
		atomic_fetch_or_explicit(e, TDXSIM_SEPT_ENTRY_TDHP, memory_order_relaxed);
		break;
	case TDXSIM_CONT_SEPT_CLR_HP:
		atomic_fetch_and_explicit(e, ~TDXSIM_SEPT_ENTRY_TDHP, memory_order_relaxed);
		break;
	case TDXSIM_CONT_SEPT_GUEST:
		if (atomic_load_explicit(e, memory_order_relaxed) & TDXSIM_SEPT_ENTRY_TDHP) {
			atomic_fetch_and_explicit(e, ~TDXSIM_SEPT_ENTRY_TDEL, memory_order_release);
			return TDX_OPERAND_BUSY_HOST_PRIORITY;
		}
		break;
	case TDXSIM_CONT_HP_SET_HP:
		atomic_fetch_or_explicit(hw, SHAREX_HP_HOST_PRIORITY, memory_order_relaxed);
		break;
	case TDXSIM_CONT_HP_CLR_HP:
		atomic_fetch_and_explicit(hw, (uint16_t)~SHAREX_HP_HOST_PRIORITY, memory_order_relaxed);
		break;
	case TDXSIM_CONT_HP_UNDO:
		atomic_fetch_sub_explicit(hw, SHAREX_HP_SINGLE_READER, memory_order_relaxed);
		break;
	case TDXSIM_CONT_HP_CAS2: {
		uint16_t again = SHAREX_HP_HOST_PRIORITY;
		if (atomic_compare_exchange_strong_explicit(hw, &again, SHAREX_HP_EXCLUSIVE_LOCK,
							    memory_order_acquire, memory_order_relaxed))
			return TDX_SUCCESS;
		return TDX_OPERAND_BUSY;
	}
	}
	return provisional;
}

#endif
