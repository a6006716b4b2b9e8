/* SPDX-License-Identifier: MIT */
/*
 * Metadata field identifiers (MD_FIELD_ID, TDX module 1.5 ABI) and the small
 * lookup used by TDH.SYS.RD/RDALL and TDH.MNG.RD/WR.  Only a documented subset
 * of fields exists in the emulator (docs/api.md "Metadata").
 *
 * MD_FIELD_ID: field_code 23:0, reserved_0 31:24, element_size_code 33:32,
 * last_element_in_field 37:34, last_field_in_sequence 46:38, reserved_1 49:47,
 * inc_size 50, write_mask_valid 51, context_code 54:52, reserved_2 55,
 * class_code 61:56, reserved_3 62, non_arch 63.
 */
#ifndef TDXSIM_MODULE_METADATA_H
#define TDXSIM_MODULE_METADATA_H

#include <stdbool.h>
#include <stdint.h>

#include "tdxsim/status.h"

#define MD_FIELD_ID_NA 0xFFFFFFFFFFFFFFFFull
#define MD_CTX_SYS 0u
#define MD_CTX_TD 1u
#define MD_CTX_VP 2u

static inline unsigned md_class_code(uint64_t id) { return (unsigned)((id >> 56) & 0x3F); }
static inline unsigned md_field_code(uint64_t id) { return (unsigned)(id & 0xFFFFFF); }
static inline unsigned md_context_code(uint64_t id) { return (unsigned)((id >> 52) & 7); }
static inline unsigned md_elem_size_code(uint64_t id) { return (unsigned)((id >> 32) & 3); }
static inline uint64_t md_with_context(uint64_t id, unsigned ctx)
{
	return (id & ~(7ull << 52)) | ((uint64_t)ctx << 52);
}
/* md_check_as_single_element_id: reserved bits, LAST_ELEMENT_IN_FIELD and
 * LAST_FIELD_IN_SEQUENCE must be 0 -> TDX_METADATA_FIELD_ID_INCORRECT (no operand). */
tdx_status_t md_check_as_single_element_id(uint64_t id);
/* A "null" field ID asks for the first field ID of the context.  CHOICE: the
 * reference does not define is_null_field_id(); tdxsim takes MD_FIELD_ID_NA (-1). */
static inline bool md_is_null_field_id(uint64_t id) { return id == MD_FIELD_ID_NA; }

/* One field of a table sorted by (class_code, field_code); matching ignores the
 * element size, inc_size and write_mask_valid bits (is_equal_field_id). */
struct md_field {
	uint64_t id;
	const char *name;
};
/* Index of the field matching id (context already forced), -1 if none. */
int md_lookup(const struct md_field *t, unsigned n, uint64_t id);
/* Mask of a field's element size. */
static inline uint64_t md_elem_mask(uint64_t id)
{
	unsigned c = md_elem_size_code(id);
	return c == 3 ? ~0ull : (1ull << (8u << c)) - 1;
}

/* Global (SYS) context, TDH.SYS.RD / RDALL. */
struct tdxsim_mod;
extern const struct md_field md_sys_fields[];
extern const unsigned md_sys_nfields;
uint64_t md_sys_read(struct tdxsim_mod *m, unsigned index);

#endif
