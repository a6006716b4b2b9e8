/* SPDX-License-Identifier: MIT */
/*
 * TDH.MEM.PAGE.ADD (leaf 2), reference §3 "TDH.MEM.PAGE.ADD", §9.4.
 * RCX = GPA (4K, level 0), RDX = TDR, R8 = target page, R9 = source page (shared).
 *
 * Build time only (op_state INITIALIZED); serialized by the TDR lock held
 * exclusively: the table's walk takes no tree lock and no entry lock.  The table has
 * already: TDR ex, TD state, op_state, sept_gpa_valid, the unlocked walk, state FREE,
 * source_page_shared, the target page's PAMT-X ex (PT_NDA).
 */
#include <xxhash.h>

#include "module/leaf_helpers.h"
#include "module/sept_ops.h"

/* Emulator halt code for "PAGE.ADD found the entry locked" (the real module halts
 * through a sanity check whose code the reference does not give). */
#define SEPT_HALT_PAGE_ADD_TDEL 0x0B02u

TDXSIM_BODY(page_add)
{
	(void)st;
	struct td_obj *td = sept_td(m, x);
	uint64_t gpa = sept_leaf_gpa(x);
	uint64_t hpa = x->regs.r[OPERAND_ID_R8];
	_Atomic uint64_t *ep = &mod_sept_page(m, x->sept_pg)->e[x->sept_idx];
	/* The entry is written assuming it is not locked: TDEL set is a sanity halt. */
	if (atomic_load_explicit(ep, memory_order_acquire) & SEPT_TDEL) {
		mod_halt(m, SEPT_HALT_PAGE_ADD_TDEL, leaf_number(m, x));
		return TDX_SEAMCALL_VMFAILINVALID;
	}
	/* Copy the source page: page contents are not modelled. */
	uint64_t e = sept_fresh_leaf(hpa, SEPT_MAPPED);
	atomic_store_explicit(ep, e, memory_order_release);
	x->entry = e;
	/* MRTD update, SHA-384 of ("MEM.PAGE.ADD", GPA) in the real module; an xxh64
	 * chain stands in for it (objects.h td_obj.mrtd). */
	struct { char tag[16]; uint64_t gpa; } rec = { "MEM.PAGE.ADD", gpa };
	td->mrtd = XXH64(&rec, sizeof(rec), td->mrtd);
	/* chldcnt++ is a plain update in the real module (TDR held exclusively, §6). */
	atomic_store_explicit(&td->chldcnt, atomic_load_explicit(&td->chldcnt, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	sept_pamt_assign(pamt_entry_of(m, mod_frame_of(m, hpa), PAMT_4K), TDXSIM_PT_REG,
			 sept_td_owner(m, td), 0);
	return TDX_SUCCESS;
}
