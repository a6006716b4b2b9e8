/* SPDX-License-Identifier: MIT */
/*
 * Memslot deletion: KVM_SET_USER_MEMORY_REGION2 with size 0 -> kvm_set_memslot(DELETE)
 * under kvm->slots_lock:
 *   kvm_invalidate_memslot: install a copy of the slot marked KVM_MEMSLOT_INVALID and
 *     activate it (kvm_swap_active_memslots -> synchronize_srcu_expedited: wait for
 *     every SRCU reader that was inside when it started), then
 *     kvm_arch_flush_shadow_memslot: zap the slot's SPTEs under mmu_lock write (the
 *     removal path for private leaves);
 *   kvm_delete_memslot: remove the slot and activate that (another grace period).
 *
 * While the slot is INVALID a fault on it returns RET_PF_RETRY (tdp_mmu.c).  A vCPU
 * spinning in tdx_handle_ept_violation's local loop on such a GFN keeps its SRCU read
 * side, so the first synchronize_srcu never ends -- unless the loop bails out on an
 * invalid memslot (the 2026 change, policy.fault.exit_on_memslot_invalid), exits on
 * a pending event/signal, or the VM dies (linux-kvm-tdx.md §2).
 *
 * a0 = vm, a1 = slot.  Result: 0, or -EINVAL for a slot that does not exist.
 */
#include "vmm/kvm.h"

#define D_VM c->fr->l[0]
#define D_SLOT c->fr->l[1]

#define SLOT (kvm_slot(c->vmm, (unsigned)D_VM, (unsigned)D_SLOT))

/* synchronize_srcu(): snapshot the readers, wait until each has left once. */
#define SYNCHRONIZE_SRCU(c, vm)                                                        \
	do {                                                                           \
		FLOW_SHARED(c);                                                        \
		KVM((c), (vm))->srcu_wait = KVM((c), (vm))->srcu_readers;              \
		FLOW_WAIT_UNTIL((c), KVM((c), (vm))->srcu_wait == 0);                  \
	} while (0)

enum flow_ret vmm_prog_memslot_delete(struct flow_ctx *c)
{
	FLOW_BEGIN(c);
	FLOW_CALL(c, VF_MEMSLOT_DELETE, D_VM, D_SLOT, 0, 0);
	vmm_set_result(c, c->fr->ret);
	FLOW_RETURN(c, c->fr->ret);
	FLOW_END(c);
}

enum flow_ret vmm_flow_memslot_delete(struct flow_ctx *c)
{
	FLOW_BEGIN(c);
	if (D_SLOT >= KG(c)->n_memslots || D_VM >= KG(c)->n_vms)
		FLOW_RETURN(c, -VMM_EINVAL);
	FLOW_SHARED(c);
	if (KVM(c, D_VM)->dead)
		FLOW_RETURN(c, -VMM_EIO); /* kvm_vm_ioctl on a dead VM */
	VMM_LOCK(c, &KVM(c, D_VM)->slots_lock, VL_WRITE);
	FLOW_SHARED(c);
	if (!SLOT->present) {
		VMM_UNLOCK(c, &KVM(c, D_VM)->slots_lock, VL_WRITE);
		FLOW_RETURN(c, -VMM_EINVAL);
	}
	/* kvm_invalidate_memslot */
	FLOW_SHARED(c);
	SLOT->invalid = 1;
	SYNCHRONIZE_SRCU(c, D_VM);
	VMM_LOCK(c, &KVM(c, D_VM)->mmu_lock, VL_WRITE);
	FLOW_CALL(c, VF_ZAP_GFNS, D_VM, SLOT->base, SLOT->npages, 0);
	VMM_UNLOCK(c, &KVM(c, D_VM)->mmu_lock, VL_WRITE);
	/* kvm_delete_memslot */
	FLOW_SHARED(c);
	SLOT->present = 0;
	SLOT->invalid = 0;
	SYNCHRONIZE_SRCU(c, D_VM);
	VMM_UNLOCK(c, &KVM(c, D_VM)->slots_lock, VL_WRITE);
	FLOW_RETURN(c, 0);
	FLOW_END(c);
}
