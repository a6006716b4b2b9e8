/* SPDX-License-Identifier: MIT */
/* SEPT state encoding (reference §5.1, §5.2). */
#include <assert.h>
#include <string.h>
#include <strings.h>

#include "module/sept_bits.h"

static_assert(SEPTE_INIT_VALUE == 0x80E0000000000000ull, "SEPTE_INIT_VALUE: FREE | SVE");
static_assert(SEPT_TDEL == (1ull << 11) && SEPT_HP == (1ull << 52), "§1.4 lock bits");

/* enc bit 0 = D, 1 = TDEX, 2 = TDBW, 3 = TDB, 4 = TDP, 5 = IPAT, 6 = PS. */
static const struct {
	const char *name;
	uint8_t enc;
	uint8_t pub;
} states[SEPT_STATE_COUNT] = {
	[SEPT_FREE] = { "FREE", 0x0E, 0 },
	[SEPT_REMOVED] = { "REMOVED", 0x0C, 5 },
	[SEPT_NL_MAPPED] = { "NL_MAPPED", 0x00, 132 },
	[SEPT_NL_BLOCKED] = { "NL_BLOCKED", 0x08, 129 },
	[SEPT_MAPPED] = { "MAPPED", 0x60, 4 },
	[SEPT_BLOCKED] = { "BLOCKED", 0x68, 1 },
	[SEPT_BLOCKEDW] = { "BLOCKEDW", 0x64, 8 },
	[SEPT_EXPORTED_BLOCKEDW] = { "EXPORTED_BLOCKEDW", 0x66, 9 },
	[SEPT_EXPORTED_DIRTY] = { "EXPORTED_DIRTY", 0x63, 11 },
	[SEPT_EXPORTED_DIRTY_BLOCKEDW] = { "EXPORTED_DIRTY_BLOCKEDW", 0x67, 12 },
	[SEPT_PENDING] = { "PENDING", 0x70, 2 },
	[SEPT_PENDING_BLOCKED] = { "PENDING_BLOCKED", 0x78, 3 },
	[SEPT_PENDING_BLOCKEDW] = { "PENDING_BLOCKEDW", 0x74, 16 },
	[SEPT_PENDING_EXPORTED_BLOCKEDW] = { "PENDING_EXPORTED_BLOCKEDW", 0x76, 17 },
	[SEPT_PENDING_EXPORTED_DIRTY] = { "PENDING_EXPORTED_DIRTY", 0x73, 19 },
	[SEPT_PENDING_EXPORTED_DIRTY_BLOCKEDW] = { "PENDING_EXPORTED_DIRTY_BLOCKEDW", 0x77, 20 },
};

static uint64_t enc_to_bits(unsigned enc)
{
	uint64_t b = 0;
	if (enc & 0x01) b |= SEPT_D;
	if (enc & 0x02) b |= SEPT_TDEX;
	if (enc & 0x04) b |= SEPT_TDBW;
	if (enc & 0x08) b |= SEPT_TDB;
	if (enc & 0x10) b |= SEPT_TDP;
	if (enc & 0x20) b |= SEPT_IPAT;
	if (enc & 0x40) b |= SEPT_PS;
	return b;
}

static unsigned bits_to_enc(uint64_t e)
{
	return ((e & SEPT_D) ? 0x01 : 0) | ((e & SEPT_TDEX) ? 0x02 : 0) |
	       ((e & SEPT_TDBW) ? 0x04 : 0) | ((e & SEPT_TDB) ? 0x08 : 0) |
	       ((e & SEPT_TDP) ? 0x10 : 0) | ((e & SEPT_IPAT) ? 0x20 : 0) |
	       ((e & SEPT_PS) ? 0x40 : 0);
}

uint64_t sept_state_bits(enum sept_state s)
{
	return enc_to_bits(states[s].enc);
}

enum sept_state sept_state_of(uint64_t entry)
{
	unsigned enc = bits_to_enc(entry);
	for (unsigned i = 0; i < SEPT_STATE_COUNT; i++)
		if (states[i].enc == enc)
			return (enum sept_state)i;
	return SEPT_STATE_INVALID;
}

uint64_t sept_with_state(uint64_t entry, enum sept_state s)
{
	return (entry & ~SEPT_STATE_ENCODING_MASK) | sept_state_bits(s) | SEPT_SVE;
}

unsigned sept_public_state(enum sept_state s)
{
	return states[s].pub;
}

const char *sept_state_name(enum sept_state s)
{
	return s < SEPT_STATE_COUNT ? states[s].name : "INVALID";
}

int sept_state_by_name(const char *name)
{
	if (!strncasecmp(name, "SEPT_", 5))
		name += 5;
	for (unsigned i = 0; i < SEPT_STATE_COUNT; i++)
		if (!strcasecmp(states[i].name, name))
			return (int)i;
	return -1;
}

bool sept_state_tlb_tracking_required(enum sept_state s)
{
	return !(s == SEPT_FREE || s == SEPT_REMOVED || s == SEPT_EXPORTED_BLOCKEDW ||
		 s == SEPT_PENDING_EXPORTED_BLOCKEDW);
}

bool sept_state_any_blocked(enum sept_state s)
{
	return s == SEPT_NL_BLOCKED || s == SEPT_BLOCKED || s == SEPT_PENDING_BLOCKED;
}

bool sept_state_guest_accessible_leaf(enum sept_state s)
{
	return s == SEPT_MAPPED || s == SEPT_BLOCKEDW || s == SEPT_EXPORTED_BLOCKEDW ||
	       s == SEPT_EXPORTED_DIRTY || s == SEPT_EXPORTED_DIRTY_BLOCKEDW;
}

bool sept_state_pending_guest_acceptable(enum sept_state s)
{
	return s == SEPT_PENDING || s == SEPT_PENDING_EXPORTED_DIRTY;
}

bool sept_state_is_leaf(enum sept_state s)
{
	return s >= SEPT_MAPPED && s < SEPT_STATE_COUNT;
}
