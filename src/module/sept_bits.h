/* SPDX-License-Identifier: MIT */
/*
 * Secure-EPT entry layout and state encoding (reference §5.1, 1.5.05 ia32e_sept_t).
 * Entries are real 64-bit values with these bits; the emulator's SEPT is a real
 * multi-level table of them.
 */
#ifndef TDXSIM_MODULE_SEPT_BITS_H
#define TDXSIM_MODULE_SEPT_BITS_H

#include <stdbool.h>
#include <stdint.h>

#define SEPT_R            (1ull << 0)
#define SEPT_W            (1ull << 1)
#define SEPT_X            (1ull << 2)
#define SEPT_RWX          (SEPT_R | SEPT_W | SEPT_X)
#define SEPT_MT_SHIFT     3
#define SEPT_MT_MASK      (7ull << SEPT_MT_SHIFT)
#define SEPT_MT_WB        (6ull << SEPT_MT_SHIFT)
#define SEPT_IPAT         (1ull << 6)
#define SEPT_PS           (1ull << 7)   /* leaf */
#define SEPT_A            (1ull << 8)
#define SEPT_D            (1ull << 9)
#define SEPT_XU           (1ull << 10)
#define SEPT_TDEL         (1ull << 11)  /* entry lock, SEPT_ENTRY_TDEL_BIT_POSITION */
#define SEPT_HPA_MASK     0x000FFFFFFFFFF000ull /* bits 51:12 */
#define SEPT_HP           (1ull << 52)  /* host priority, SEPT_ENTRY_TDHP_BIT_POSITION */
#define SEPT_TDEX         (1ull << 53)
#define SEPT_TDBW         (1ull << 54)
#define SEPT_TDB          (1ull << 55)
#define SEPT_TDP          (1ull << 56)
#define SEPT_VPW          (1ull << 57)
#define SEPT_PW           (1ull << 58)
#define SEPT_SSS          (1ull << 60)
#define SEPT_TDUP         (1ull << 61)
#define SEPT_SVE          (1ull << 63)
/* On a 2 MB PENDING leaf, bits 20:12 count accepted 4K chunks (§3 ACCEPT). */
#define SEPT_ACCEPT_COUNTER_SHIFT 12
#define SEPT_ACCEPT_COUNTER_MASK  (0x1FFull << SEPT_ACCEPT_COUNTER_SHIFT)

/* The 7 encoding bits: D, TDEX, TDBW, TDB, TDP, IPAT, PS. */
#define SEPT_STATE_ENCODING_MASK \
	(SEPT_D | SEPT_TDEX | SEPT_TDBW | SEPT_TDB | SEPT_TDP | SEPT_IPAT | SEPT_PS)

/* State index (the 16 states of §5.1, in the reference's order). */
enum sept_state {
	SEPT_FREE = 0,
	SEPT_REMOVED,
	SEPT_NL_MAPPED,
	SEPT_NL_BLOCKED,
	SEPT_MAPPED,
	SEPT_BLOCKED,
	SEPT_BLOCKEDW,
	SEPT_EXPORTED_BLOCKEDW,
	SEPT_EXPORTED_DIRTY,
	SEPT_EXPORTED_DIRTY_BLOCKEDW,
	SEPT_PENDING,
	SEPT_PENDING_BLOCKED,
	SEPT_PENDING_BLOCKEDW,
	SEPT_PENDING_EXPORTED_BLOCKEDW,
	SEPT_PENDING_EXPORTED_DIRTY,
	SEPT_PENDING_EXPORTED_DIRTY_BLOCKEDW,
	SEPT_STATE_COUNT,
	SEPT_STATE_INVALID = 0xFF,
};

/* SEPTE_INIT_VALUE = FREE encoding | SVE (§5.1). */
#define SEPTE_INIT_VALUE (SEPT_TDEX | SEPT_TDBW | SEPT_TDB | SEPT_SVE)

/* SEPT levels as TDX encodes them in RCX[2:0]. */
enum sept_level {
	SEPT_LVL_PT = 0,   /* 4 KB leaves */
	SEPT_LVL_PD = 1,   /* 2 MB */
	SEPT_LVL_PDPT = 2, /* 1 GB */
	SEPT_LVL_PML4 = 3, /* root of a 4-level SEPT */
	SEPT_LVL_PML5 = 4,
};

#define SEPT_ENTRIES_PER_PAGE 512

/* Encoding <-> state. */
uint64_t sept_state_bits(enum sept_state s);          /* the encoding bits of a state */
enum sept_state sept_state_of(uint64_t entry);         /* SEPT_STATE_INVALID if not one of 16 */
/* Rewrite only the encoding bits (and force SVE), like sept_update_state; TDEL/HP carried. */
uint64_t sept_with_state(uint64_t entry, enum sept_state s);
/* Public state as reported in RDX[15:8] (§5.1 table). */
unsigned sept_public_state(enum sept_state s);
const char *sept_state_name(enum sept_state s);
int sept_state_by_name(const char *name);              /* -1 if unknown */

/* §5.2 flags (sept_special_flags_lookup). */
bool sept_state_tlb_tracking_required(enum sept_state s);
bool sept_state_any_blocked(enum sept_state s);
bool sept_state_guest_accessible_leaf(enum sept_state s);
bool sept_state_pending_guest_acceptable(enum sept_state s);
bool sept_state_is_leaf(enum sept_state s);            /* states 4..15 */

static inline uint64_t sept_hpa(uint64_t e) { return e & SEPT_HPA_MASK; }
static inline bool sept_locked(uint64_t e) { return (e & SEPT_TDEL) != 0; }

#endif
