/* SPDX-License-Identifier: MIT */
/*
 * TDH.MNG.INIT (21), reference §3, tdh_mng_init.c; RCX = TDR, RDX = TD_PARAMS PA.
 * Runs under the TDR (ex) after the NO_LOCK op_state check.
 *
 * TD_PARAMS is modelled minimally (docs/api.md): the emulator cannot read the
 * structure, so the fields it uses are passed in registers:
 *   RDX = TD_PARAMS PA: checked like the real one (shared, 1 KB aligned),
 *   R8  = MAX_VCPUS (TD_PARAMS.max_vcpus, 16 bits; 0 -> OPERAND_INVALID|MAX_VCPUS),
 *   R9  = ATTRIBUTES (stored, readable with TDH.MNG.RD; not validated).
 * The TD uses a 4-level SEPT and a 48-bit GPA width (sept_walk.h).
 */
#include "module/leaf_helpers.h"

#define TD_PARAMS_ALIGN_IN_BYTES 1024

TDXSIM_BODY(mng_init)
{
	(void)st;
	struct td_obj *td = leaf_td(m, x);
	uint64_t td_params_pa = x->regs.r[OPERAND_ID_RDX];
	uint64_t max_vcpus = x->regs.r[OPERAND_ID_R8];
	uint64_t attributes = x->regs.r[OPERAND_ID_R9];

	/* "By default, no extended error code is returned." */
	x->regs.r[OPERAND_ID_RCX] = 0;

	tdx_status_t s = mod_shared_hpa_check(m, td_params_pa, TD_PARAMS_ALIGN_IN_BYTES);
	if (s != TDX_SUCCESS)
		return tdx_status_with_operand(s, OPERAND_ID_RDX);

	/* The management and epoch fields are set before TD_PARAMS is validated, and
	 * a later TD_PARAMS error does not undo them (op_state stays UNINITIALIZED). */
	atomic_store(&td->num_vcpus, 0);
	atomic_store(&td->num_assoc_vcpus, 0);
	atomic_store(&td->td_epoch, 1);
	atomic_store(&td->refcount[0], 0);
	atomic_store(&td->refcount[1], 0);
	/* §1.7 DEFAULT_HP_LOCK_TIMEOUT_USEC (1 s) in TSC ticks (1 tick = 1 ns). */
	td->hp_lock_timeout = m->hp_timeout_override ? m->hp_timeout_override
						     : DEFAULT_HP_LOCK_TIMEOUT_USEC * 1000;

	/* read_and_set_td_configurations: ATTRIBUTES, then MAX_VCPUS.  CHOICE: R8 above
	 * 16 bits cannot be a TD_PARAMS.max_vcpus value: OPERAND_INVALID|MAX_VCPUS. */
	td->attributes = attributes;
	if (max_vcpus == 0 || max_vcpus > 0xFFFF)
		return tdx_status_with_operand(TDX_OPERAND_INVALID, OPERAND_ID_MAX_VCPUS);
	td->max_vcpus = (uint32_t)max_vcpus;

	/* sha384_init of MRTD (the emulator's measurement is an xxh64 chain). */
	td->mrtd = 0;
	atomic_store_explicit(&td->op_state, OP_STATE_INITIALIZED, memory_order_release);
	return TDX_SUCCESS;
}
