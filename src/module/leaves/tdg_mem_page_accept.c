/* SPDX-License-Identifier: MIT */
/*
 * TDG.MEM.PAGE.ACCEPT (TDCALL leaf 6), reference §3 "TDCALLs that take locks",
 * §5.1 (accept_counter), §9.3, §9.9.
 * Guest RCX = {level, GPA} (LVL_PT or LVL_PD).
 *
 * The table has already: sept_gpa_valid, the unlocked accept_walk (decision 1), the
 * guest entry lock (decision 2: BUSY, or BUSY_HOST_PRIORITY that the dispatcher
 * turns into TDX_OPERAND_BUSY), accept_level_match, accept_not_accepted and
 * accept_pending (decisions 3-5).  No tree, op_state or PAMT lock: the vCPU's
 * TDVPR and TDR locks from TDH.VP.ENTER are held.  This body writes the whole 64-bit
 * copy back (TDEL still 1); the entry lock is then released with BTR when the leaf
 * completes.  The write-back of the copy taken after the lock overwrites an HP bit
 * that a failing host set in the meantime (§9.3).
 *
 * 4 KB: zero the page; PENDING -> MAPPED (PENDING_EXPORTED_DIRTY -> EXPORTED_DIRTY),
 * RWX = 111.
 * 2 MB: zero 512 4 KB chunks from accept_counter (entry bits 20:12) on.  After
 * each chunk, a pending guest interrupt (vcpu_obj.intr_pending, set by the guest
 * model) stops the loop: the copy with the updated counter is written back, the
 * lock released, and TDX_SUCCESS returned without advancing the guest RIP
 * (vcpu_obj.tdcall_restart = 1): the guest takes the interrupt and executes the
 * same TDCALL again, which resumes at the counter.  At least one chunk is done per
 * call, so the accept always progresses.  On completion the counter bits are
 * cleared (they overlay HPA bits 20:12, which are 0 in a 2 MB page's HPA).
 * Page contents are not modelled: zeroing costs nothing here.
 */
#include "module/sept_ops.h"

TDXSIM_BODY(page_accept)
{
	(void)st;
	struct vcpu_obj *v = mod_vcpu(m, x->vcpu);
	uint64_t e = x->entry;
	_Atomic uint64_t *ep = &mod_sept_page(m, x->sept_pg)->e[x->sept_idx];
	if (x->level == SEPT_LVL_PD) {
		unsigned done = (unsigned)((e & SEPT_ACCEPT_COUNTER_MASK) >> SEPT_ACCEPT_COUNTER_SHIFT);
		while (done < SEPT_ENTRIES_PER_PAGE) {
			done++; /* zero 4 KB chunk done - 1 */
			if (done < SEPT_ENTRIES_PER_PAGE && v->intr_pending) {
				e = (e & ~SEPT_ACCEPT_COUNTER_MASK) |
				    ((uint64_t)done << SEPT_ACCEPT_COUNTER_SHIFT);
				atomic_store_explicit(ep, e, memory_order_release);
				x->entry = e;
				v->tdcall_restart = 1;
				return TDX_SUCCESS;
			}
		}
		e &= ~SEPT_ACCEPT_COUNTER_MASK;
	}
	enum sept_state s = sept_entry_state(e);
	e = sept_with_state(e, s == SEPT_PENDING_EXPORTED_DIRTY ? SEPT_EXPORTED_DIRTY : SEPT_MAPPED) |
	    SEPT_RWX;
	/* Unblock aliased L2 entries: no L2 VMs in the emulator. */
	atomic_store_explicit(ep, e, memory_order_release);
	x->entry = e;
	return TDX_SUCCESS;
}
