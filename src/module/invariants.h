/* SPDX-License-Identifier: MIT */
/*
 * Module invariants (DESIGN §6), checkable between any two steps.  Each failure is
 * described as "<invariant>: <what>", the invariant being one of
 *   pamt-type       a PAMT entry holds a page type that cannot be there
 *   page-owner      a page's type and owner disagree with the module's objects
 *   sept-state      an entry of an in-use SEPT page is not one of the 16 states
 *   sept-tree       a non-leaf entry does not lead to a SEPT page of its TD one level
 *                   down, a SEPT page has two parents, or one is unreachable
 *   sept-leaf-page  a mapped/pending/blocked leaf does not map a PT_REG page of its TD
 *                   at the leaf's size, or a page is mapped by no or by two leaves
 *   chldcnt         TDR.chldcnt differs from the TD's child pages (4K units)
 *   refcount        REFCOUNT[] does not account for the vCPUs in guest mode
 *   tlb-safety      a page went back to PT_NDA while a vCPU could still hold a
 *                   translation for it (recorded at the removal, sept_ops.h)
 *   lock-held       (mod_check_locks) a lock word is held by no execution, or an
 *                   execution's record has no matching lock word
 * Not thread-safe: call it only while no leaf runs (the step-by-step schedulers).
 */
#ifndef TDXSIM_MODULE_INVARIANTS_H
#define TDXSIM_MODULE_INVARIANTS_H

#include <stdbool.h>
#include <stddef.h>

#include "module/mod.h"

bool mod_check_invariants(struct tdxsim_mod *m, char *why, size_t len);
/* Lock accounting: every lock word of the module must be explained by `held` (the
 * records of every execution in progress) plus the locks vCPUs in guest mode keep
 * (vcpu_obj.entry_holds).  HP bits and the reader counts a failed shared acquire
 * leaves while the word is held exclusively (§9.1) are allowed. */
bool mod_check_locks(struct tdxsim_mod *m, const struct tdxsim_held_lock *held, size_t n,
		     char *why, size_t len);

#endif
