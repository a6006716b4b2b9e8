/* SPDX-License-Identifier: MIT */
/*
 * TDH.SYS.RD (34), tdh_sys_rd.c: RDX = field ID.  Outputs RDX = the next field ID
 * of the context (MD_FIELD_ID_NA after the last), R8 = the value (0 on error).
 * A null field ID returns TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT with RDX = the
 * first field.  Fields: metadata.c md_sys_fields.
 */
#include "module/leaf_helpers.h"
#include "module/metadata.h"

TDXSIM_BODY(sys_rd)
{
	(void)st;
	uint64_t in = x->regs.r[OPERAND_ID_RDX];
	x->regs.r[OPERAND_ID_RDX] = MD_FIELD_ID_NA;
	x->regs.r[OPERAND_ID_R8] = 0;
	if (md_is_null_field_id(in)) {
		x->regs.r[OPERAND_ID_RDX] = md_sys_fields[0].id;
		return TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT;
	}
	uint64_t id = md_with_context(in, MD_CTX_SYS);
	tdx_status_t s = md_check_as_single_element_id(id);
	if (s != TDX_SUCCESS)
		return s;
	int i = md_lookup(md_sys_fields, md_sys_nfields, id);
	if (i < 0)
		return TDX_METADATA_FIELD_ID_INCORRECT;
	x->regs.r[OPERAND_ID_R8] = md_sys_read(m, (unsigned)i) & md_elem_mask(md_sys_fields[i].id);
	/* CHOICE: after the last field the next ID is MD_FIELD_ID_NA (UNVERIFIED). */
	x->regs.r[OPERAND_ID_RDX] = (unsigned)i + 1 < md_sys_nfields ? md_sys_fields[i + 1].id : MD_FIELD_ID_NA;
	return TDX_SUCCESS;
}
