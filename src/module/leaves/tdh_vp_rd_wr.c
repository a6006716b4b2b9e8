/* SPDX-License-Identifier: MIT */
/*
 * TDH.VP.RD (leaf 26) and TDH.VP.WR (leaf 43), reference §3: RCX = TDVPR,
 * RDX = field ID; VP.WR: R8 = value, R9 = write mask.  Output R8 = the value
 * (VP.RD) or the old value (VP.WR).
 * Locks (table): TDVPR PAMT-X sh -> TDR PAMT-I sh -> op_state sh, then
 * check_and_associate_vcpu (the association is kept).
 *
 * The emulator implements a small subset of the TDVPS metadata, with the field
 * IDs of 1.5 (auto_gen/tdvps_fields_lookup.h).  CHOICE: the real module grants
 * host access per field and per TD debug attribute; here every listed field is
 * readable by the host for any TD, and only PEND_NMI (which KVM writes) is
 * writable.  Any other field ID gets TDX_METADATA_FIELD_ID_INCORRECT.  VP.RD
 * version 1 also returns the next field ID in RDX; the emulator returns
 * MD_FIELD_ID_NA (-1) there (no context enumeration).
 */
#include "module/fns.h"
#include "module/vcpu.h"

#define MD_TDVPS_VCPU_STATE_FIELD_ID             0xA020000000000000ull
#define MD_TDVPS_VCPU_INDEX_FIELD_ID             0xA020000200000002ull
#define MD_TDVPS_NUM_TDVPS_PAGES_FIELD_ID        0xA020000000000003ull
#define MD_TDVPS_ASSOC_LPID_FIELD_ID             0xA020000200000004ull
#define MD_TDVPS_VCPU_EPOCH_FIELD_ID             0xA020000300000006ull
#define MD_TDVPS_LAST_EXIT_TSC_FIELD_ID          0xA02000030000000Aull
#define MD_TDVPS_PEND_NMI_FIELD_ID               0x202000000000000Bull
#define MD_TDVPS_LAST_EPF_GPA_LIST_IDX_FIELD_ID  0xA02000000000000Dull
#define MD_TDVPS_POSSIBLY_EPF_STEPPING_FIELD_ID  0xA02000000000000Eull
#define MD_TDVPS_LAST_TD_EXIT_FIELD_ID           0xA02000000000000Full
#define MD_TDVPS_HP_LOCK_BUSY_START_FIELD_ID     0xA020000300000030ull
#define MD_TDVPS_HP_LOCK_BUSY_FIELD_ID           0xA020000000000031ull
#define MD_FIELD_ID_NA                           0xFFFFFFFFFFFFFFFFull

static bool vp_field_read(const struct vcpu_obj *v, uint64_t id, uint64_t *out)
{
	switch (id) {
	case MD_TDVPS_VCPU_STATE_FIELD_ID: *out = atomic_load(&v->state); return true;
	case MD_TDVPS_VCPU_INDEX_FIELD_ID: *out = v->vcpu_index; return true;
	case MD_TDVPS_NUM_TDVPS_PAGES_FIELD_ID: *out = v->num_tdvps_pages; return true;
	case MD_TDVPS_ASSOC_LPID_FIELD_ID: *out = atomic_load(&v->assoc_lpid); return true;
	case MD_TDVPS_VCPU_EPOCH_FIELD_ID: *out = v->vcpu_epoch; return true;
	case MD_TDVPS_LAST_EXIT_TSC_FIELD_ID: *out = v->last_exit_tsc; return true;
	case MD_TDVPS_PEND_NMI_FIELD_ID: *out = v->pend_nmi; return true;
	case MD_TDVPS_LAST_EPF_GPA_LIST_IDX_FIELD_ID: *out = v->last_epf_gpa_list_idx; return true;
	case MD_TDVPS_POSSIBLY_EPF_STEPPING_FIELD_ID: *out = v->possibly_epf_stepping; return true;
	case MD_TDVPS_LAST_TD_EXIT_FIELD_ID: *out = v->last_td_exit; return true;
	case MD_TDVPS_HP_LOCK_BUSY_START_FIELD_ID: *out = v->hp_lock_busy_start; return true;
	case MD_TDVPS_HP_LOCK_BUSY_FIELD_ID: *out = v->hp_lock_busy; return true;
	}
	return false;
}

TDXSIM_BODY(vp_rd)
{
	(void)st;
	struct vcpu_obj *v = mod_vcpu(m, x->vc);
	uint64_t value = 0;
	uint64_t id = x->regs.r[OPERAND_ID_RDX];
	x->regs.r[OPERAND_ID_R8] = 0;
	if (x->version >= 1)
		x->regs.r[OPERAND_ID_RDX] = MD_FIELD_ID_NA;
	if (!vp_field_read(v, id, &value))
		return TDX_METADATA_FIELD_ID_INCORRECT;
	x->regs.r[OPERAND_ID_R8] = value;
	return TDX_SUCCESS;
}

TDXSIM_BODY(vp_wr)
{
	(void)st;
	struct vcpu_obj *v = mod_vcpu(m, x->vc);
	uint64_t id = x->regs.r[OPERAND_ID_RDX];
	uint64_t value = x->regs.r[OPERAND_ID_R8], mask = x->regs.r[OPERAND_ID_R9];
	x->regs.r[OPERAND_ID_R8] = 0;
	if (id != MD_TDVPS_PEND_NMI_FIELD_ID)
		return TDX_METADATA_FIELD_ID_INCORRECT;
	/* An 8-bit field: the mask and value are taken in its width. */
	uint64_t old = v->pend_nmi;
	uint64_t next = (old & ~mask) | (value & mask);
	v->pend_nmi = (uint8_t)(next & 1);
	x->regs.r[OPERAND_ID_R8] = old;
	return TDX_SUCCESS;
}
