/* SPDX-License-Identifier: MIT */
/*
 * The module context: where the module's region lies in an arena, the lock table
 * it executes, and the hooks the engine supplies (time, lock-event observer).
 * Module code sees only this; it never knows which scheduler drives it.
 */
#ifndef TDXSIM_MODULE_MOD_H
#define TDXSIM_MODULE_MOD_H

#include <stdbool.h>
#include <stdint.h>

#include "module/objects.h"
#include "tdxsim/module.h"
#include "tdxsim/status.h"
#include "tdxsim/table.h"

struct tdxsim_leaf_exec;
struct tdxsim_mod;

/* A named check/walk/body: returns TDX_SUCCESS to go on with the next step, or the
 * leaf's completion status (the interpreter then releases what is held, in reverse
 * order, one lock per scheduler step).  May set x->exit to request a TD exit. */
typedef tdx_status_t (*tdxsim_step_fn)(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x,
				       const struct tdxsim_step *st);
/* A named condition for `when:`. */
typedef bool (*tdxsim_cond_fn)(struct tdxsim_mod *m, const struct tdxsim_leaf_exec *x);

/* Per-leaf bindings of the table's named functions to C. */
struct mod_binding {
	tdxsim_step_fn *fn;     /* per step, NULL for lock/release/assoc steps */
	tdxsim_cond_fn *when;   /* per step, NULL = always */
};

struct tdxsim_mod {
	uint8_t *base;                          /* module region inside the arena */
	struct mod_layout lay;
	const struct tdxsim_table *table;
	struct mod_binding *bind;               /* [table->nleaves] */
	int leaf_vp_enter;                      /* table index of TDH.VP.ENTER, -1 if none */
	int res_tdr, res_tdvpr;                 /* resources whose lock resolves the TD / vCPU */
	/* Virtual time in TSC ticks (1 tick = 1 ns). */
	uint64_t (*now)(void *ctx);
	void *now_ctx;
	/* Lock-event observer (recording test, traces, statistics); may be NULL. */
	void (*observe)(void *ctx, const struct tdxsim_lock_event *ev);
	void *observe_ctx;
	/* Emulation knobs (struct tdxsim_module_config). */
	uint64_t hp_timeout_override;           /* 0 = module default */
	bool check_invariants;                  /* after every step (debug switch) */
	bool instr_atomicity;                   /* split try-acquires at their instructions */
	bool track_invariants;                  /* keep the invariants' bookkeeping (the TLB-safety
	                                         * record) without checking after every step: the
	                                         * checker judges the invariants itself */
};

/* Region accessors (all indices checked by callers). */
static inline struct mod_global *mod_global(struct tdxsim_mod *m)
{
	return (struct mod_global *)(m->base + m->lay.off_global);
}
static inline struct lp_state *mod_lp(struct tdxsim_mod *m, unsigned lp)
{
	return (struct lp_state *)(m->base + m->lay.off_lps) + lp;
}
static inline struct kot_entry *mod_kot(struct tdxsim_mod *m, unsigned hkid)
{
	return (struct kot_entry *)(m->base + m->lay.off_kot) + hkid;
}
static inline struct wbt_entry *mod_wbt(struct tdxsim_mod *m, unsigned pkg)
{
	return (struct wbt_entry *)(m->base + m->lay.off_wbt) + pkg;
}
static inline uint64_t *mod_wbt_hkids(struct tdxsim_mod *m, unsigned pkg)
{
	return (uint64_t *)(m->base + m->lay.off_wbt_hkids) + (uint64_t)pkg * m->lay.hkid_words;
}
static inline struct tdmr_entry *mod_tdmr(struct tdxsim_mod *m, unsigned i)
{
	return (struct tdmr_entry *)(m->base + m->lay.off_tdmr) + i;
}
static inline struct pamt_entry *mod_pamt(struct tdxsim_mod *m, enum pamt_level lvl, uint32_t i)
{
	uint64_t off = lvl == PAMT_1G ? m->lay.off_pamt_1g :
		       lvl == PAMT_2M ? m->lay.off_pamt_2m : m->lay.off_pamt_4k;
	return (struct pamt_entry *)(m->base + off) + i;
}
static inline struct frame_obj *mod_frame(struct tdxsim_mod *m, uint32_t frame)
{
	return (struct frame_obj *)(m->base + m->lay.off_frame_obj) + frame;
}
static inline struct td_obj *mod_td(struct tdxsim_mod *m, uint32_t i)
{
	return (struct td_obj *)(m->base + m->lay.off_tds) + i;
}
/* The lock word of a field lock in td's TDCS (lock table `field:`), NULL for a field
 * that is not in the TDCS.  The interpreter and the checker's lock canonicalization
 * both resolve field locks through these two. */
static inline void *mod_tdcs_field_lock(struct td_obj *td, enum tdxsim_lock_field f)
{
	switch (f) {
	case TDXSIM_FIELD_TDCS_OP_STATE: return &td->op_state_lock;
	case TDXSIM_FIELD_TDCS_SEPT_TREE: return &td->sept_lock;
	case TDXSIM_FIELD_TDCS_EPOCH: return &td->epoch_lock;
	case TDXSIM_FIELD_TDCS_RTMR: return &td->rtmr_lock;
	case TDXSIM_FIELD_TDCS_SERVTD_BINDINGS: return &td->servtd_lock;
	case TDXSIM_FIELD_TDCS_MIG: return &td->mig_lock;
	default: return NULL;
	}
}
/* The lock word of a module-global field lock (KOT, global), NULL otherwise. */
static inline void *mod_global_field_lock(struct tdxsim_mod *m, enum tdxsim_lock_field f)
{
	switch (f) {
	case TDXSIM_FIELD_KOT: return &mod_global(m)->kot_lock;
	case TDXSIM_FIELD_GLOBAL: return &mod_global(m)->global_lock;
	default: return NULL;
	}
}
static inline struct vcpu_obj *mod_vcpu(struct tdxsim_mod *m, uint32_t i)
{
	return (struct vcpu_obj *)(m->base + m->lay.off_vcpus) + i;
}
static inline struct sept_meta *mod_sept_meta(struct tdxsim_mod *m, uint32_t i)
{
	return (struct sept_meta *)(m->base + m->lay.off_sept_meta) + i;
}
static inline struct sept_page *mod_sept_page(struct tdxsim_mod *m, uint32_t i)
{
	return (struct sept_page *)(m->base + m->lay.off_sept_pages) + i;
}
/* Offset of any object inside the region (for held_lock.word). */
static inline uint64_t mod_off(struct tdxsim_mod *m, const volatile void *p)
{
	return (uint64_t)((const uint8_t *)p - m->base);
}
static inline void *mod_ptr(struct tdxsim_mod *m, uint64_t off)
{
	return m->base + off;
}

/* Physical addresses. */
#define PAGE_SIZE_4K 4096ull
static inline uint64_t mod_max_pa(const struct tdxsim_mod *m)
{
	return 1ull << (m->lay.pa_bits - m->lay.hkid_bits);
}
static inline unsigned mod_hkid_of_pa(const struct tdxsim_mod *m, uint64_t pa)
{
	return (unsigned)((pa >> (m->lay.pa_bits - m->lay.hkid_bits)) &
			  ((1u << m->lay.hkid_bits) - 1));
}
static inline uint64_t mod_pa_strip_hkid(const struct tdxsim_mod *m, uint64_t pa)
{
	return pa & (mod_max_pa(m) - 1);
}
/* Frame number of an HPA inside emulated memory, or UINT32_MAX. */
static inline uint32_t mod_frame_of(const struct tdxsim_mod *m, uint64_t hpa)
{
	if (hpa < m->lay.mem_base)
		return UINT32_MAX;
	uint64_t f = (hpa - m->lay.mem_base) >> 12;
	return f < m->lay.n_frames ? (uint32_t)f : UINT32_MAX;
}
static inline uint64_t mod_hpa_of(const struct tdxsim_mod *m, uint32_t frame)
{
	return m->lay.mem_base + ((uint64_t)frame << 12);
}

/* Virtual TSC. */
static inline uint64_t mod_now(struct tdxsim_mod *m)
{
	return m->now ? m->now(m->now_ctx) : 0;
}

/* Module halt (tdx_sanity_check / fatal error): the module is dead from now on. */
void mod_halt(struct tdxsim_mod *m, uint32_t code, unsigned leaf);
/* An emulator bug (not a module behaviour): abort naming the leaf, step and rule. */
void mod_fatal(struct tdxsim_mod *m, const struct tdxsim_leaf_exec *x, const char *what)
	__attribute__((noreturn));

#endif
