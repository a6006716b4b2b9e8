/* SPDX-License-Identifier: MIT */
/*
 * Checks on system state, operands and per-LP state (reference §7.4, §3), and
 * the conditions on leaf version and CACHE.WB command.  Each runs inside the
 * interpreter step of the next visible action, under the locks held.
 */
#include "module/leaf_helpers.h"

/* ---- dispatcher gate (§7.4, tdx_vmm_dispatcher.c:137-169) ---- */

/* The gate runs before the leaf, so it reads sys_state without the global lock. */
TDXSIM_CHECK(sys_ready)
{
	TDXSIM_UNUSED_STEP_ARGS();
	uint8_t s = atomic_load_explicit(&mod_global(m)->sys_state, memory_order_acquire);
	if (s == SYS_SHUTDOWN)
		return TDX_SYS_SHUTDOWN;
	if (s != SYS_READY)
		return TDX_SYS_NOT_READY;
	return TDX_SUCCESS;
}

TDXSIM_CHECK(sys_not_shutdown)
{
	(void)st;
	if (atomic_load_explicit(&mod_global(m)->sys_state, memory_order_acquire) == SYS_SHUTDOWN)
		return TDX_SYS_SHUTDOWN;
	/* tdh_sys_lp_init.c clears RCX, RDX and R8 before taking the global lock, so that
	 * every return has them 0.  The leaf has no inputs, so the emulator can do the
	 * same here, as the leaf's first action after the gate. */
	if (leaf_number(m, x) == 35) {
		x->regs.r[OPERAND_ID_RCX] = 0;
		x->regs.r[OPERAND_ID_RDX] = 0;
		x->regs.r[OPERAND_ID_R8] = 0;
	}
	return TDX_SUCCESS;
}

/* ---- system initialization (§7.4), under the global lock ---- */

TDXSIM_CHECK(sys_init_pending)
{
	TDXSIM_UNUSED_STEP_ARGS();
	if (atomic_load(&mod_global(m)->sys_state) != SYSINIT_PENDING)
		return TDX_SYS_INIT_NOT_PENDING;
	return TDX_SUCCESS;
}

TDXSIM_CHECK(sys_lp_init_pending)
{
	TDXSIM_UNUSED_STEP_ARGS();
	if (atomic_load(&mod_global(m)->sys_state) != SYSINIT_DONE)
		return TDX_SYS_LP_INIT_NOT_PENDING;
	return TDX_SUCCESS;
}

TDXSIM_CHECK(lp_not_initialized)
{
	TDXSIM_UNUSED_STEP_ARGS();
	if (mod_lp(m, x->lp)->lp_is_init)
		return TDX_SYS_LP_INIT_DONE;
	return TDX_SUCCESS;
}

/* tdh_sys_config.c: the state, then the count of initialized LPs; both give
 * TDX_SYS_CONFIG_NOT_PENDING. */
TDXSIM_CHECK(sys_config_pending)
{
	TDXSIM_UNUSED_STEP_ARGS();
	struct mod_global *g = mod_global(m);
	if (atomic_load(&g->sys_state) != SYSINIT_DONE)
		return TDX_SYS_CONFIG_NOT_PENDING;
	if (atomic_load(&g->num_of_init_lps) < g->num_of_lps)
		return TDX_SYS_CONFIG_NOT_PENDING;
	return TDX_SUCCESS;
}

TDXSIM_CHECK(sys_key_config_pending)
{
	TDXSIM_UNUSED_STEP_ARGS();
	if (atomic_load(&mod_global(m)->sys_state) != SYSCONFIG_DONE)
		return TDX_SYS_KEY_CONFIG_NOT_PENDING;
	return TDX_SUCCESS;
}

/* §7.4 "LP-init-not-done": SYS.INFO, SYS.RD and SYS.RDALL only.  Each of them first
 * sets its default outputs (tdh_sys_info.c: RDX = R9 = 0; tdh_sys_rd.c: RDX =
 * MD_FIELD_ID_NA, R8 = 0; tdh_sys_rdall.c: R8 = MD_FIELD_ID_NA); on success the
 * body sets them, so they are written here only on this failure. */
TDXSIM_CHECK(lp_init_done)
{
	(void)st;
	if (mod_lp(m, x->lp)->lp_is_init)
		return TDX_SUCCESS;
	switch (leaf_number(m, x)) {
	case 32: /* TDH.SYS.INFO */
		x->regs.r[OPERAND_ID_RDX] = 0;
		x->regs.r[OPERAND_ID_R9] = 0;
		break;
	case 34: /* TDH.SYS.RD */
		x->regs.r[OPERAND_ID_RDX] = ~0ull;
		x->regs.r[OPERAND_ID_R8] = 0;
		break;
	case 37: /* TDH.SYS.RDALL */
		x->regs.r[OPERAND_ID_R8] = ~0ull;
		break;
	default:
		break;
	}
	return TDX_SYS_LP_INIT_NOT_DONE;
}

/* tdh_sys_tdmr_init.c: RDX = 0 first; RCX must be a TDMR base set by SYS.CONFIG,
 * else TDX_OPERAND_INVALID|RCX.  The real module also requires 1 GB alignment;
 * the emulator's TDMRs are laid out by layout.c and need not be 1 GB aligned
 * when n_tdmrs > 1, so the address must be 4K aligned, below MAX_PA with HKID
 * bits 0, and equal to a configured TDMR base (docs/api.md). */
TDXSIM_CHECK(tdmr_valid)
{
	uint32_t op = (uint32_t)st->reg;
	uint64_t pa = x->regs.r[st->reg];
	x->regs.r[OPERAND_ID_RDX] = 0;
	if ((pa & (PAGE_SIZE_4K - 1)) || (pa >> m->lay.pa_bits) != 0 || mod_hkid_of_pa(m, pa) != 0 ||
	    pa >= mod_max_pa(m))
		return tdx_status_with_operand(TDX_OPERAND_INVALID, op);
	struct mod_global *g = mod_global(m);
	for (unsigned i = 0; i < g->num_tdmrs_configured && i < m->lay.n_tdmrs; i++) {
		if (mod_tdmr(m, i)->base == pa) {
			x->scratch[0] = i; /* the TDMR field lock's index (interp.c field_word) */
			return TDX_SUCCESS;
		}
	}
	return tdx_status_with_operand(TDX_OPERAND_INVALID, op);
}

/* ---- operands ---- */

TDXSIM_CHECK(reg_zero)
{
	(void)m;
	if (x->regs.r[st->reg] != 0)
		return tdx_status_with_operand(TDX_OPERAND_INVALID, (uint32_t)st->reg);
	return TDX_SUCCESS;
}

/* hkid_api_input_t: HKID in bits 15:0, bits 63:16 reserved (tdh_mng_create.c). */
TDXSIM_CHECK(hkid_private)
{
	uint64_t v = x->regs.r[st->reg];
	if ((v >> 16) != 0 || !mod_is_private_hkid(m, v & 0xFFFF))
		return tdx_status_with_operand(TDX_OPERAND_INVALID, (uint32_t)st->reg);
	return TDX_SUCCESS;
}

TDXSIM_CHECK(cpuid_maxval_not_limited)
{
	(void)st;
	if (mod_lp(m, x->lp)->limit_cpuid_maxval)
		return TDX_LIMIT_CPUID_MAXVAL_SET;
	return TDX_SUCCESS;
}

/* RECLAIM (§3 step 5): a page found at 2M/1G must be named by an HPA aligned to
 * that size.  The HPA register was already overwritten with the page type by
 * reclaim_report (the real module keeps the input in a local), so the HPA is
 * taken from the locked frame, which is exactly the 4K-aligned input. */
TDXSIM_CHECK(hpa_leaf_aligned)
{
	if (x->nframe == 0)
		mod_fatal(m, x, "hpa_leaf_aligned before the page lock");
	uint64_t hpa = mod_hpa_of(m, x->frame[0]);
	unsigned lvl = (unsigned)x->scratch[1];
	uint64_t size = PAGE_SIZE_4K << (9 * lvl);
	if (lvl > 0 && (hpa & (size - 1)))
		return tdx_status_with_operand(TDX_OPERAND_INVALID, (uint32_t)st->reg);
	return TDX_SUCCESS;
}

/* WBINVD (§3): the HKID comes from the PA's upper bits, and the PA with those bits
 * cleared is what the PAMT lock checks.  The input is kept in scratch[3] so that
 * page_wbinvd can put the register back as the VMM passed it. */
TDXSIM_CHECK(hpa_split_hkid)
{
	uint64_t v = x->regs.r[st->reg];
	x->hkid = mod_hkid_of_pa(m, v);
	x->scratch[3] = v;
	x->regs.r[st->reg] = v & ~mod_hkid_pa_mask(m);
	return TDX_SUCCESS;
}

/* TDH_PHYMEM_CACHEWB_START_CMD = 0, TDH_PHYMEM_CACHEWB_RESUME_CMD = 1. */
TDXSIM_CHECK(cache_wb_cmd_valid)
{
	(void)m;
	if (x->regs.r[st->reg] > 1)
		return tdx_status_with_operand(TDX_OPERAND_INVALID, (uint32_t)st->reg);
	return TDX_SUCCESS;
}

/* Resume: the package's WBT entry must hold an interruption point (under the
 * WBT mutex). */
TDXSIM_CHECK(wbcache_resumable)
{
	(void)st;
	if (mod_wbt(m, leaf_pkg(m, x))->intr_point == 0)
		return TDX_WBCACHE_RESUME_ERROR;
	return TDX_SUCCESS;
}

/* ---- conditions ---- */

TDXSIM_COND(version_0)
{
	(void)m;
	return x->version == 0;
}

TDXSIM_COND(version_ge_1)
{
	(void)m;
	return x->version >= 1;
}

TDXSIM_COND(wbcache_start)
{
	(void)m;
	return x->regs.r[OPERAND_ID_RCX] == 0;
}

TDXSIM_COND(wbcache_resume)
{
	(void)m;
	return x->regs.r[OPERAND_ID_RCX] == 1;
}
