/* SPDX-License-Identifier: MIT */
/*
 * TDH.MNG.RD (11) and TDH.MNG.WR (13), reference §3, tdh_mng_rd_wr.c.
 *   RD: RCX = TDR, RDX = field ID.  Out: R8 = value (0 on error); version 1 also
 *       RDX = next field ID (MD_FIELD_ID_NA on error or after the last field), and
 *       a null field ID gives TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT.
 *   WR: RCX = TDR, RDX = field ID, R8 = value, R9 = write mask.  Out: R8 = the
 *       field's previous value (0 on error).
 * Both run under the TDR (sh) and op_state (sh); the context code of the field ID
 * is forced to TD.  Fields (docs/api.md "Metadata"): a small subset.  The HP lock
 * timeout is the one writable field; its ID and range are from reference §1.7.
 * CHOICE: the other IDs are the ones a public research harness (TDXplorer) uses
 * against the 1.5 module; they are UNVERIFIED against the ABI specification.
 */
#include "module/leaf_helpers.h"
#include "module/metadata.h"

#define MD_TDCS_HP_LOCK_TIMEOUT_FIELD_ID 0x9110000300000011ull

enum {
	F_NUM_TDCX, F_LIFECYCLE_STATE, F_HKID, F_NUM_VCPUS, F_NUM_ASSOC_VCPUS, F_OP_STATE,
	F_ATTRIBUTES, F_MAX_VCPUS, F_HP_LOCK_TIMEOUT, F__COUNT
};

/* Sorted by (class, field code): TDR management (0), TDR key management (1), TDCS
 * management (0x10), TDCS execution controls (0x11). */
static const struct md_field td_fields[F__COUNT] = {
	[F_NUM_TDCX] = { 0x8010000200000002ull, "NUM_TDCX" },
	[F_LIFECYCLE_STATE] = { 0x8010000200000005ull, "LIFECYCLE_STATE" },
	[F_HKID] = { 0x8110000100000001ull, "HKID" },
	[F_NUM_VCPUS] = { 0x9010000200000001ull, "NUM_VCPUS" },
	[F_NUM_ASSOC_VCPUS] = { 0x9010000200000002ull, "NUM_ASSOC_VCPUS" },
	[F_OP_STATE] = { 0x9010000200000004ull, "OP_STATE" },
	[F_ATTRIBUTES] = { 0x1110000300000000ull, "ATTRIBUTES" },
	[F_MAX_VCPUS] = { 0x1110000200000002ull, "MAX_VCPUS" },
	[F_HP_LOCK_TIMEOUT] = { MD_TDCS_HP_LOCK_TIMEOUT_FIELD_ID, "HP_LOCK_TIMEOUT" },
};

static uint64_t td_field_read(struct td_obj *td, unsigned i)
{
	switch (i) {
	case F_NUM_TDCX: return td->num_tdcx;
	case F_LIFECYCLE_STATE: return td->lifecycle;
	case F_HKID: return td->hkid;
	case F_NUM_VCPUS: return atomic_load(&td->num_vcpus);
	case F_NUM_ASSOC_VCPUS: return atomic_load(&td->num_assoc_vcpus);
	case F_OP_STATE: return atomic_load(&td->op_state);
	case F_ATTRIBUTES: return td->attributes;
	case F_MAX_VCPUS: return td->max_vcpus;
	/* translate_hp_lock_timeout_to_usec: TSC ticks are ns in the emulator. */
	case F_HP_LOCK_TIMEOUT: return atomic_load(&td->hp_lock_timeout) / 1000;
	default: return 0;
	}
}

TDXSIM_BODY(mng_rd)
{
	(void)st;
	struct td_obj *td = leaf_td(m, x);
	uint64_t in = x->regs.r[OPERAND_ID_RDX];
	bool v1 = x->version > 0;
	if (v1)
		x->regs.r[OPERAND_ID_RDX] = MD_FIELD_ID_NA;
	x->regs.r[OPERAND_ID_R8] = 0;
	if (v1 && md_is_null_field_id(in)) {
		x->regs.r[OPERAND_ID_RDX] = td_fields[0].id;
		return TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT;
	}
	uint64_t id = md_with_context(in, MD_CTX_TD);
	tdx_status_t s = md_check_as_single_element_id(id);
	if (s != TDX_SUCCESS)
		return s;
	int i = md_lookup(td_fields, F__COUNT, id);
	if (i < 0)
		return TDX_METADATA_FIELD_ID_INCORRECT;
	x->regs.r[OPERAND_ID_R8] = td_field_read(td, (unsigned)i) & md_elem_mask(td_fields[i].id);
	if (v1)
		x->regs.r[OPERAND_ID_RDX] = i + 1 < F__COUNT ? td_fields[i + 1].id : MD_FIELD_ID_NA;
	return TDX_SUCCESS;
}

TDXSIM_BODY(mng_wr)
{
	(void)st;
	struct td_obj *td = leaf_td(m, x);
	uint64_t id = md_with_context(x->regs.r[OPERAND_ID_RDX], MD_CTX_TD);
	uint64_t value = x->regs.r[OPERAND_ID_R8];
	uint64_t req_mask = x->regs.r[OPERAND_ID_R9];
	x->regs.r[OPERAND_ID_R8] = 0;
	tdx_status_t s = md_check_as_single_element_id(id);
	if (s != TDX_SUCCESS)
		return s;
	int i = md_lookup(td_fields, F__COUNT, id);
	if (i < 0)
		return TDX_METADATA_FIELD_ID_INCORRECT;
	/* md_td_write_element: host write mask of the field AND the request mask. */
	uint64_t field_wr_mask = i == F_HP_LOCK_TIMEOUT ? ~0ull : 0;
	uint64_t combined = field_wr_mask & req_mask;
	if (combined == 0)
		return TDX_METADATA_FIELD_NOT_WRITABLE;
	uint64_t old = td_field_read(td, (unsigned)i);
	/* MD_TDCS_HP_LOCK_TIMEOUT_FIELD_ID: full-field writes only, value in µs within
	 * [MIN_HP_LOCK_TIMEOUT_USEC, MAX_HP_LOCK_TIMEOUT_USEC], stored in TSC ticks. */
	if (combined != ~0ull)
		return TDX_METADATA_WR_MASK_NOT_VALID;
	if (value < MIN_HP_LOCK_TIMEOUT_USEC || value > MAX_HP_LOCK_TIMEOUT_USEC)
		return TDX_METADATA_FIELD_VALUE_NOT_VALID;
	atomic_store(&td->hp_lock_timeout, value * 1000);
	x->regs.r[OPERAND_ID_R8] = old;
	return TDX_SUCCESS;
}
