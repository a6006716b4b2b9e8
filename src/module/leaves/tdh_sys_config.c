/* SPDX-License-Identifier: MIT */
/*
 * TDH.SYS.CONFIG (45), reference §7.4 step 3, tdh_sys_config.c.
 *   RCX = PA of the TDMR_INFO pointer array (shared, 512-byte aligned)
 *   RDX = number of TDMRs, R8 = global private HKID
 * Order after the global lock and the state check: RCX, RDX (1..MAX_TDMRS), R8,
 * then the KOT entry becomes RESERVED, then the TDMR list is checked.
 */
#include "module/leaf_helpers.h"

#define TDMR_INFO_ENTRY_PTR_ARRAY_ALIGNMENT 512

TDXSIM_BODY(sys_config)
{
	(void)st;
	struct mod_global *g = mod_global(m);
	uint64_t tdmr_info_pa = x->regs.r[OPERAND_ID_RCX];
	uint64_t num_tdmrs = x->regs.r[OPERAND_ID_RDX];
	uint64_t hkid_in = x->regs.r[OPERAND_ID_R8];

	tdx_status_t s = mod_shared_hpa_check(m, tdmr_info_pa, TDMR_INFO_ENTRY_PTR_ARRAY_ALIGNMENT);
	if (s != TDX_SUCCESS)
		return tdx_status_with_operand(s, OPERAND_ID_RCX);
	if (num_tdmrs > MAX_TDMRS || num_tdmrs < 1)
		return tdx_status_with_operand(TDX_OPERAND_INVALID, OPERAND_ID_RDX);
	if ((hkid_in >> 16) != 0 || !mod_is_private_hkid(m, hkid_in & 0xFFFF))
		return tdx_status_with_operand(TDX_OPERAND_INVALID, OPERAND_ID_R8);

	/* The real module marks the HKID reserved before it reads the TDMR list, so a
	 * later TDMR error leaves it reserved. */
	uint16_t hkid = (uint16_t)hkid_in;
	mod_kot(m, hkid)->state = KOT_STATE_HKID_RESERVED;
	g->global_hkid = hkid;

	/* CHOICE: the emulator does not read the TDMR_INFO array from memory: the
	 * platform's TDMRs are the ones layout.c laid out (tdxsim_module_config).  A
	 * count other than theirs stands for a TDMR list the real module would refuse
	 * (with TDX_INVALID_TDMR and the like, which tdxsim does not model); it is
	 * reported as TDX_OPERAND_INVALID|RDX (docs/api.md). */
	if (num_tdmrs != m->lay.n_tdmrs)
		return tdx_status_with_operand(TDX_OPERAND_INVALID, OPERAND_ID_RDX);

	/* Install the TDMR table: nothing in it is usable until TDH.SYS.TDMR.INIT. */
	for (unsigned i = 0; i < m->lay.n_tdmrs; i++) {
		struct tdmr_entry *t = mod_tdmr(m, i);
		atomic_store(&t->lock, 0);
		atomic_store_explicit(&t->last_initialized, t->base, memory_order_release);
	}
	g->num_tdmrs_configured = (uint8_t)num_tdmrs;
	atomic_store(&g->pkg_config_bitmap, 0);
	atomic_store_explicit(&g->sys_state, SYSCONFIG_DONE, memory_order_release);
	return TDX_SUCCESS;
}
