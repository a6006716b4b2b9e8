/* SPDX-License-Identifier: MIT */
/*
 * Header-only helpers for the vCPU tests (test_leaf_vcpu, test_leaf_vp_enter,
 * test_zero_step, test_hp_timeout): a vCPU built with an explicit number of
 * TDVPX pages, and read access to the module objects the assertions look at
 * (vCPU state, counters, PAMT lock words).
 */
#ifndef TDXSIM_TEST_VCPU_FX_H
#define TDXSIM_TEST_VCPU_FX_H

#include <string.h>

#include "helpers/fixture.h"

#include "engine/world_internal.h"
#include "module/mod.h"
#include "module/pamt.h"
#include "module/sept_walk.h"
#include "module/vcpu.h"

/* TDVPX pages that make a TDVPS complete (MIN_TDVPS_PAGES = TDVPR + 5). */
#define VFX_TDVPX_FULL (MIN_TDVPS_PAGES - 1)

#define VFX_LEAF_TDR_BUSY BUSY(OPERAND_ID_TDR)

static inline struct tdxsim_mod *vfx_mod(struct fx *f)
{
	return &f->w->mod;
}

static inline uint32_t vfx_frame(struct fx *f, uint64_t hpa)
{
	uint32_t fr = mod_frame_of(vfx_mod(f), hpa);
	assert_int_not_equal(fr, UINT32_MAX);
	return fr;
}

static inline struct td_obj *vfx_td(struct fx *f, const struct fx_td *td)
{
	uint32_t i = mod_frame(vfx_mod(f), vfx_frame(f, td->tdr))->idx;
	assert_true(i < vfx_mod(f)->lay.max_tds);
	return mod_td(vfx_mod(f), i);
}

static inline uint32_t vfx_vcpu_idx(struct fx *f, uint64_t tdvpr)
{
	uint32_t i = vcpu_pool_of_tdvpr(vfx_mod(f), vfx_frame(f, tdvpr));
	assert_int_not_equal(i, UINT32_MAX);
	return i;
}

static inline struct vcpu_obj *vfx_vcpu(struct fx *f, uint64_t tdvpr)
{
	return mod_vcpu(vfx_mod(f), vfx_vcpu_idx(f, tdvpr));
}

static inline struct pamt_entry *vfx_pamt(struct fx *f, uint64_t hpa, enum pamt_level lvl)
{
	return pamt_entry_of(vfx_mod(f), vfx_frame(f, hpa), lvl);
}

/* The PAMT lock word of a page at a level (4K entry, or its 2M / 1G parent). */
static inline unsigned vfx_lock(struct fx *f, uint64_t hpa, enum pamt_level lvl)
{
	return atomic_load(&vfx_pamt(f, hpa, lvl)->lock);
}

static inline unsigned vfx_state(struct fx *f, uint64_t tdvpr)
{
	return atomic_load(&vfx_vcpu(f, tdvpr)->state);
}

static inline uint32_t vfx_assoc(struct fx *f, uint64_t tdvpr)
{
	return atomic_load(&vfx_vcpu(f, tdvpr)->assoc_lpid);
}

/* VP.CREATE and ntdvpx VP.ADDCX on lp (no VP.INIT); registers the vCPU in td
 * (tdvpr[], vcpu_lp[] = lp) and returns its index there. */
static inline unsigned vfx_vcpu_create(struct fx *f, struct fx_td *td, unsigned lp, unsigned ntdvpx)
{
	assert_true(td->nvcpus < FX_MAX_VCPUS);
	unsigned v = td->nvcpus++;
	td->tdvpr[v] = fx_page(f);
	td->vcpu_lp[v] = lp;
	fx_expect(f, TDX_SUCCESS, lp, LEAF_VP_CREATE, td->tdvpr[v], td->tdr, 0, 0, NULL);
	for (unsigned i = 0; i < ntdvpx; i++) {
		uint64_t page = fx_page(f);
		if (i < FX_MAX_TDVPX)
			td->tdvpx[v][i] = page;
		fx_expect(f, TDX_SUCCESS, lp, LEAF_VP_ADDCX, page, td->tdvpr[v], 0, 0, NULL);
	}
	td->ntdvpx[v] = ntdvpx;
	return v;
}

/* A complete vCPU: VP.CREATE, 5 VP.ADDCX, VP.INIT version 1 with x2APIC ID x2apic. */
static inline unsigned vfx_vcpu_full(struct fx *f, struct fx_td *td, unsigned lp, uint64_t x2apic)
{
	unsigned v = vfx_vcpu_create(f, td, lp, VFX_TDVPX_FULL);
	fx_expect(f, TDX_SUCCESS, lp, LEAF_V(LEAF_VP_INIT, 1), td->tdvpr[v], 0x1234, x2apic, 0, NULL);
	return v;
}

/* VP.ENTER of vCPU v on lp with RCX flags; returns RAX (TDXSIM_STATUS_ENTERED when
 * the guest runs) and the outputs in *out. */
static inline tdx_status_t vfx_enter_on(struct fx *f, struct fx_td *td, unsigned v, unsigned lp,
					uint64_t flags, struct tdxsim_regs *out)
{
	return fx_seamcall(f, lp, LEAF_VP_ENTER, td->tdvpr[v] | flags, 0, 0, 0, out);
}

static inline void vfx_enter(struct fx *f, struct fx_td *td, unsigned v)
{
	fx_assert_status(vfx_enter_on(f, td, v, td->vcpu_lp[v], 0, NULL), TDXSIM_STATUS_ENTERED,
			 "TDH.VP.ENTER");
}

/* TD exit of vCPU v; returns VP.ENTER's RAX. */
static inline tdx_status_t vfx_exit(struct fx *f, struct fx_td *td, unsigned v,
				    enum tdxsim_exit_reason why, uint64_t gpa, struct tdxsim_regs *out)
{
	return tdxsim_td_exit(f->w, td->tdvpr[v], why, gpa, out);
}

/* A booted platform (the fixture's default shape, module invariants checked after
 * every step) and one TD (hkid 2) in INITIALIZED. */
static inline struct fx *vfx_setup(struct fx_td *td)
{
	struct tdxsim_module_config cfg = { .n_lps = 4, .n_pkgs = 2, .n_frames = 2048,
					    .check_invariants = true };
	struct fx *f = fx_new(NULL, &cfg);
	fx_boot(f);
	memset(td, 0, sizeof(*td));
	fx_td_create(f, td, 2);
	return f;
}

#endif
