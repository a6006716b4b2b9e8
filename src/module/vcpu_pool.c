/* SPDX-License-Identifier: MIT */
/*
 * The pool of vCPU objects.  The real module keeps a vCPU's state inside its
 * TDVPR/TDVPX pages; the emulator keeps it in a fixed array of struct vcpu_obj
 * in the arena (objects.h), and the TDVPR frame's frame_obj names the slot.
 */
#include <stddef.h>
#include <string.h>

#include "module/vcpu.h"

uint32_t vcpu_pool_alloc(struct tdxsim_mod *m, uint32_t td, uint32_t tdvpr_frame)
{
	for (uint32_t i = 0; i < m->lay.max_vcpus; i++) {
		struct vcpu_obj *v = mod_vcpu(m, i);
		uint8_t expected = 0;
		if (!atomic_compare_exchange_strong(&v->in_use, &expected, 1))
			continue;
		/* TDH.VP.CREATE zeroes the TDVPR page: everything after in_use. */
		memset((uint8_t *)v + offsetof(struct vcpu_obj, state), 0,
		       sizeof(*v) - offsetof(struct vcpu_obj, state));
		atomic_store(&v->state, VCPU_UNINITIALIZED);
		atomic_store(&v->assoc_lpid, VCPU_NO_LP);
		v->td = td;
		v->tdvpr_frame = tdvpr_frame;
		v->num_tdvps_pages = 1; /* tdvps_pa[0] is the TDVPR itself */
		mod_frame(m, tdvpr_frame)->idx = i;
		return i;
	}
	return UINT32_MAX;
}

void vcpu_pool_free(struct tdxsim_mod *m, uint32_t vcpu)
{
	if (vcpu >= m->lay.max_vcpus)
		return;
	struct vcpu_obj *v = mod_vcpu(m, vcpu);
	if (v->tdvpr_frame < m->lay.n_frames && mod_frame(m, v->tdvpr_frame)->idx == vcpu)
		mod_frame(m, v->tdvpr_frame)->idx = UINT32_MAX;
	memset((uint8_t *)v + offsetof(struct vcpu_obj, state), 0,
	       sizeof(*v) - offsetof(struct vcpu_obj, state));
	atomic_store(&v->in_use, 0);
}

uint32_t vcpu_pool_of_tdvpr(struct tdxsim_mod *m, uint32_t frame)
{
	if (frame >= m->lay.n_frames)
		return UINT32_MAX;
	uint32_t i = mod_frame(m, frame)->idx;
	if (i >= m->lay.max_vcpus || !atomic_load(&mod_vcpu(m, i)->in_use) ||
	    mod_vcpu(m, i)->tdvpr_frame != frame)
		return UINT32_MAX;
	return i;
}
