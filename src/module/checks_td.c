/* SPDX-License-Identifier: MIT */
/*
 * Checks on the TD's build and key state (reference §1.6, §3, §7.1-7.2) and the
 * conditions of MNG.ADDCX and PHYMEM.PAGE.RECLAIM.  They read TDR/TDCS fields
 * under the locks the step list holds before them (the TDR PAMT lock, the KOT
 * lock); op_state is read without its lock where the table says NO_LOCK.
 */
#include "module/leaf_helpers.h"
#include "module/pamt.h"

/* check_state_map_tdcs (§1.6 steps 1-4; step 5, the op_state lock, is a lock step
 * of its own and step 6 is op_state_allowed). */
TDXSIM_CHECK(td_state_map_tdcs)
{
	(void)st;
	struct td_obj *td = leaf_td(m, x);
	if (td->fatal)
		return TDX_TD_FATAL;
	if (td->lifecycle != TD_KEYS_CONFIGURED)
		return TDX_TD_KEYS_NOT_CONFIGURED;
	if (td->num_tdcx < MIN_NUM_TDCS_PAGES)
		return TDX_TDCS_NOT_ALLOCATED;
	return TDX_SUCCESS;
}

TDXSIM_CHECK(td_not_fatal)
{
	(void)st;
	if (leaf_td(m, x)->fatal)
		return TDX_TD_FATAL;
	return TDX_SUCCESS;
}

TDXSIM_CHECK(td_keys_configured)
{
	(void)st;
	if (leaf_td(m, x)->lifecycle != TD_KEYS_CONFIGURED)
		return TDX_TD_KEYS_NOT_CONFIGURED;
	return TDX_SUCCESS;
}

TDXSIM_CHECK(td_lifecycle_in)
{
	uint8_t lc = leaf_td(m, x)->lifecycle;
	for (unsigned i = 0; i < st->nargs; i++)
		if (tdxsim_registry_arg_value(TDXSIM_ARG_LIFECYCLE, st->args[i]) == (int)lc)
			return TDX_SUCCESS;
	return TDX_LIFECYCLE_STATE_INCORRECT;
}

/* §7.2 seamcall_state_lookup: the leaf's op_states from the table (no operand). */
TDXSIM_CHECK(op_state_allowed)
{
	(void)st;
	uint8_t os = atomic_load_explicit(&leaf_td(m, x)->op_state, memory_order_acquire);
	if (os >= OP_STATE_COUNT || !(m->table->leaves[x->leaf].op_states & (1u << os)))
		return TDX_OP_STATE_INCORRECT;
	return TDX_SUCCESS;
}

/* MNG.ADDCX (§3 step 2): num_tdcx > 8, i.e. all MAX_NUM_TDCS_PAGES (9) added. */
TDXSIM_CHECK(mng_tdcx_room)
{
	(void)st;
	if (leaf_td(m, x)->num_tdcx >= MAX_NUM_TDCS_PAGES)
		return TDX_TDCX_NUM_INCORRECT;
	return TDX_SUCCESS;
}

/* MNG.KEY.CONFIG (§3 step 3): informational, bit 63 clear. */
TDXSIM_CHECK(pkg_key_not_configured)
{
	(void)st;
	if (leaf_td(m, x)->pkg_config_bitmap & (1u << leaf_pkg(m, x)))
		return TDX_KEY_CONFIGURED;
	return TDX_SUCCESS;
}

/* MNG.CREATE (§3 step 4), under KOT-ex; the HKID was validated by hkid_private. */
TDXSIM_CHECK(hkid_free)
{
	(void)st;
	unsigned hkid = (unsigned)(x->regs.r[OPERAND_ID_RDX] & 0xFFFF);
	if (mod_kot(m, hkid)->state != KOT_STATE_HKID_FREE)
		return TDX_HKID_NOT_FREE;
	return TDX_SUCCESS;
}

/* MNG.VPFLUSHDONE (§3 step 4). */
TDXSIM_CHECK(vcpus_flushed)
{
	(void)st;
	struct td_obj *td = leaf_td(m, x);
	if (td->num_tdcx >= MIN_NUM_TDCS_PAGES && atomic_load(&td->op_state) != OP_STATE_UNINITIALIZED &&
	    atomic_load(&td->num_assoc_vcpus) != 0)
		return TDX_FLUSHVP_NOT_DONE;
	return TDX_SUCCESS;
}

/* MNG.KEY.FREEID (§3 step 4), under KOT-ex. */
TDXSIM_CHECK(wbcache_done)
{
	(void)st;
	if (atomic_load(&mod_kot(m, leaf_td(m, x)->hkid)->wbinvd_bitmap) != 0)
		return TDX_WBCACHE_NOT_COMPLETE;
	return TDX_SUCCESS;
}

/* MR.FINALIZE (§3 step 2). */
TDXSIM_CHECK(vcpus_exist)
{
	(void)st;
	if (atomic_load(&leaf_td(m, x)->num_vcpus) == 0)
		return TDX_NO_VCPUS;
	return TDX_SUCCESS;
}

/* RECLAIM of a TDR (§3 step 7). */
TDXSIM_CHECK(td_no_children)
{
	(void)st;
	if (atomic_load(&leaf_td(m, x)->chldcnt) != 0)
		return TDX_TD_ASSOCIATED_PAGES_EXIST;
	return TDX_SUCCESS;
}

/* ---- conditions ---- */

/* MNG.ADDCX: the page being added is TDCS page num_tdcx; op_state is checked only
 * when index + 1 > MIN_NUM_TDCS_PAGES (§3 step 5). */
TDXSIM_COND(tdcx_index_beyond_min)
{
	return (unsigned)leaf_td(m, x)->num_tdcx + 1 > MIN_NUM_TDCS_PAGES;
}

/* RECLAIM: the type of the locked page, at the leaf level reclaim_report recorded
 * (scratch[1]); later PAMT locks (the owner TDR) overwrite x->pamt_leaf_level. */
static uint8_t reclaimed_pt(struct tdxsim_mod *m, const struct tdxsim_leaf_exec *x)
{
	if (x->nframe == 0)
		mod_fatal(m, x, "RECLAIM page-type condition before the page lock");
	return pamt_entry_of(m, x->frame[0], (enum pamt_level)x->scratch[1])->pt;
}

TDXSIM_COND(not_tdr_page)
{
	return reclaimed_pt(m, x) != TDXSIM_PT_TDR;
}

TDXSIM_COND(tdr_page)
{
	return reclaimed_pt(m, x) == TDXSIM_PT_TDR;
}
