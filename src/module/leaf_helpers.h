/* SPDX-License-Identifier: MIT */
/*
 * Small helpers shared by the system, TD-management and PHYMEM leaf bodies and
 * their checks (checks_sys.c, checks_td.c, leaves/tdh_sys_*.c, tdh_mng_*.c,
 * tdh_mr_*.c, tdh_phymem_*.c).
 */
#ifndef TDXSIM_MODULE_LEAF_HELPERS_H
#define TDXSIM_MODULE_LEAF_HELPERS_H

#include "module/fns.h"
#include "module/mod.h"

/* The TD resolved by the leaf's TDR lock (pamt.c) or allocated by MNG.CREATE.  A
 * step needing it before it is known is an emulator (table) bug. */
static inline struct td_obj *leaf_td(struct tdxsim_mod *m, const struct tdxsim_leaf_exec *x)
{
	if (x->td == UINT32_MAX || x->td >= m->lay.max_tds)
		mod_fatal(m, x, "TD object needed before a TDR lock resolved it");
	return mod_td(m, x->td);
}

/* Package of the LP executing the leaf (local_data->lp_info.pkg). */
static inline unsigned leaf_pkg(struct tdxsim_mod *m, const struct tdxsim_leaf_exec *x)
{
	return mod_lp(m, x->lp)->pkg;
}

/* SEAMCALL leaf number of the leaf being executed. */
static inline unsigned leaf_number(const struct tdxsim_mod *m, const struct tdxsim_leaf_exec *x)
{
	return m->table->leaves[x->leaf].number;
}

/* is_private_hkid: the emulated platform has no MKTME-shared KeyIDs besides 0, so
 * the private (TDX) range is [1, n_hkids - 1] (docs/api.md "Platform"). */
static inline bool mod_is_private_hkid(const struct tdxsim_mod *m, uint64_t hkid)
{
	return hkid >= 1 && hkid < m->lay.n_hkids;
}

/* Mask of the HKID bits inside a PA (just below MAX_PA). */
static inline uint64_t mod_hkid_pa_mask(const struct tdxsim_mod *m)
{
	return ((1ull << m->lay.hkid_bits) - 1) << (m->lay.pa_bits - m->lay.hkid_bits);
}

/* shared_hpa_check_with_pwr_2_alignment: aligned, below MAX_PA (HKID bits aside),
 * no bit above the physical-address width, and a shared (non-private) HKID.
 * Returns TDX_OPERAND_INVALID (the caller adds the operand) or TDX_SUCCESS. */
static inline tdx_status_t mod_shared_hpa_check(const struct tdxsim_mod *m, uint64_t pa, uint64_t align)
{
	if ((pa & (align - 1)) || (pa >> m->lay.pa_bits) != 0 ||
	    mod_is_private_hkid(m, mod_hkid_of_pa(m, pa)))
		return TDX_OPERAND_INVALID;
	return TDX_SUCCESS;
}

#endif
