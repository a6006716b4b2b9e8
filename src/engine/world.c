/* SPDX-License-Identifier: MIT */
/* World creation, snapshots and the run-to-completion API (DESIGN §3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "engine/world_internal.h"
#include "module/interp.h"
#include "module/sept_walk.h"
#include "module/vcpu.h"

#define WORLD_MAGIC 0x574F524Cu /* "WORL" */

static uint64_t arena_clock(void *ctx)
{
	struct tdxsim_world *w = ctx;
	return atomic_load_explicit(&world_hdr(w)->now, memory_order_relaxed);
}

struct tdxsim_world *tdxsim_world_create_ex(const struct tdxsim_table *t,
					    const struct tdxsim_module_config *cfg_in,
					    size_t user_bytes, struct tdxsim_error *err)
{
	struct tdxsim_module_config cfg = cfg_in ? *cfg_in : (struct tdxsim_module_config){ 0 };
	mod_config_defaults(&cfg);
	struct mod_layout lay;
	if (mod_layout_compute(&lay, &cfg, err) < 0)
		return NULL;
	struct tdxsim_world *w = calloc(1, sizeof(*w));
	if (!w) {
		tdxsim_error_set(err, NULL, 0, "out of memory");
		return NULL;
	}
	w->table = t;
	w->cfg = cfg;
	w->off_module = 4096;
	w->off_user = w->off_module + ((lay.size + 63) & ~63ull);
	w->user_size = (user_bytes + 63) & ~(size_t)63;
	w->arena_size = w->off_user + w->user_size;
	w->arena = aligned_alloc(4096, (w->arena_size + 4095) & ~(size_t)4095);
	if (!w->arena) {
		tdxsim_error_set(err, NULL, 0, "out of memory for a %zu-byte world", w->arena_size);
		free(w);
		return NULL;
	}
	memset(w->arena, 0, w->arena_size);
	struct eng_hdr *h = world_hdr(w);
	h->magic = WORLD_MAGIC;
	h->version = 1;
	h->size = w->arena_size;
	w->mod.base = w->arena + w->off_module;
	w->mod.lay = lay;
	w->mod.table = t;
	w->mod.now = arena_clock;
	w->mod.now_ctx = w;
	if (mod_bind(&w->mod, err) < 0) {
		free(w->arena);
		free(w);
		return NULL;
	}
	mod_region_init(&w->mod, &cfg);
	return w;
}

struct tdxsim_world *tdxsim_world_create(const struct tdxsim_table *t,
					 const struct tdxsim_module_config *cfg, struct tdxsim_error *err)
{
	return tdxsim_world_create_ex(t, cfg, 0, err);
}

void tdxsim_world_destroy(struct tdxsim_world *w)
{
	if (!w)
		return;
	mod_unbind(&w->mod);
	free(w->arena);
	free(w);
}

size_t tdxsim_world_size(const struct tdxsim_world *w) { return w->arena_size; }
const void *tdxsim_world_bytes(const struct tdxsim_world *w) { return w->arena; }
void tdxsim_world_snapshot(const struct tdxsim_world *w, void *buf) { memcpy(buf, w->arena, w->arena_size); }
void tdxsim_world_restore(struct tdxsim_world *w, const void *buf) { memcpy(w->arena, buf, w->arena_size); }
uint64_t tdxsim_world_hash(const struct tdxsim_world *w) { return XXH3_64bits(w->arena, w->arena_size); }

bool tdxsim_world_equal(const struct tdxsim_world *a, const struct tdxsim_world *b)
{
	return a->arena_size == b->arena_size && !memcmp(a->arena, b->arena, a->arena_size);
}

void *tdxsim_world_user(struct tdxsim_world *w) { return w->arena + w->off_user; }
size_t tdxsim_world_user_size(const struct tdxsim_world *w) { return w->user_size; }
uint64_t tdxsim_world_now(const struct tdxsim_world *w) { return atomic_load(&world_hdr(w)->now); }
void tdxsim_world_advance(struct tdxsim_world *w, uint64_t ns) { atomic_fetch_add(&world_hdr(w)->now, ns); }
const struct tdxsim_table *tdxsim_world_table(const struct tdxsim_world *w) { return w->table; }
const struct tdxsim_module_config *tdxsim_world_config(const struct tdxsim_world *w) { return &w->cfg; }

void tdxsim_world_set_vmx(struct tdxsim_world *w, unsigned lp, bool on)
{
	if (lp < w->mod.lay.n_lps)
		mod_lp(&w->mod, lp)->vmx_on = on;
}

void tdxsim_world_set_observer(struct tdxsim_world *w,
			       void (*fn)(void *ctx, const struct tdxsim_lock_event *ev), void *ctx)
{
	w->mod.observe = fn;
	w->mod.observe_ctx = ctx;
}

void tdxsim_world_set_clock(struct tdxsim_world *w, uint64_t (*now)(void *ctx), void *ctx)
{
	w->mod.now = now ? now : arena_clock;
	w->mod.now_ctx = now ? ctx : w;
}

uint64_t tdxsim_world_frame_hpa(const struct tdxsim_world *w, unsigned frame)
{
	return mod_hpa_of(&w->mod, frame);
}

unsigned tdxsim_world_n_frames(const struct tdxsim_world *w)
{
	return w->mod.lay.n_frames;
}

bool tdxsim_world_halted(struct tdxsim_world *w, char *why, size_t len)
{
	struct mod_global *g = mod_global(&w->mod);
	if (!atomic_load(&g->halted))
		return false;
	if (why && len)
		snprintf(why, len, "module halted: sanity check 0x%04x during leaf %u", g->halt_code,
			 g->halt_leaf);
	return true;
}

/* ---- stepping and whole calls ---- */

static uint32_t vcpu_of_tdvpr(struct tdxsim_world *w, uint64_t tdvpr_hpa)
{
	struct tdxsim_mod *m = &w->mod;
	uint32_t f = mod_frame_of(m, tdvpr_hpa);
	if (f == UINT32_MAX || (tdvpr_hpa & 0xFFF))
		return UINT32_MAX;
	if (mod_pamt(m, PAMT_4K, f)->pt != TDXSIM_PT_TDVPR)
		return UINT32_MAX;
	return mod_frame(m, f)->idx;
}

void tdxsim_seamcall_begin(struct tdxsim_world *w, struct tdxsim_leaf_exec *x, unsigned lp,
			   const struct tdxsim_regs *regs)
{
	mod_seamcall_begin(&w->mod, x, lp, regs);
}

void tdxsim_tdcall_begin(struct tdxsim_world *w, struct tdxsim_leaf_exec *x, uint64_t tdvpr_hpa,
			 const struct tdxsim_regs *regs)
{
	mod_tdcall_begin(&w->mod, x, vcpu_of_tdvpr(w, tdvpr_hpa), regs);
}

void tdxsim_td_exit_begin(struct tdxsim_world *w, struct tdxsim_leaf_exec *x, uint64_t tdvpr_hpa,
			  enum tdxsim_exit_reason why, uint64_t gpa)
{
	mod_td_exit_begin(&w->mod, x, vcpu_of_tdvpr(w, tdvpr_hpa), why, gpa);
}

enum tdxsim_step_result tdxsim_leaf_step(struct tdxsim_world *w, struct tdxsim_leaf_exec *x)
{
	return mod_leaf_step(&w->mod, x);
}

static enum tdxsim_step_result run(struct tdxsim_world *w, struct tdxsim_leaf_exec *x)
{
	enum tdxsim_step_result r;
	while ((r = mod_leaf_step(&w->mod, x)) == TDXSIM_STEP_RAN)
		;
	return r;
}

tdx_status_t tdxsim_seamcall(struct tdxsim_world *w, unsigned lp, struct tdxsim_regs *regs)
{
	struct tdxsim_leaf_exec x;
	mod_seamcall_begin(&w->mod, &x, lp, regs);
	run(w, &x);
	*regs = x.regs;
	return x.regs.r[OPERAND_ID_RAX];
}

tdx_status_t tdxsim_td_exit(struct tdxsim_world *w, uint64_t tdvpr_hpa, enum tdxsim_exit_reason why,
			    uint64_t gpa, struct tdxsim_regs *out)
{
	uint32_t v = vcpu_of_tdvpr(w, tdvpr_hpa);
	if (v == UINT32_MAX || atomic_load(&mod_vcpu(&w->mod, v)->state) != VCPU_ACTIVE)
		return TDX_VCPU_STATE_INCORRECT;
	struct tdxsim_leaf_exec x;
	mod_td_exit_begin(&w->mod, &x, v, why, gpa);
	run(w, &x);
	if (out)
		*out = x.regs;
	return x.regs.r[OPERAND_ID_RAX];
}

tdx_status_t tdxsim_tdcall(struct tdxsim_world *w, uint64_t tdvpr_hpa, struct tdxsim_regs *regs,
			   bool *exited, struct tdxsim_regs *exit_regs)
{
	struct tdxsim_leaf_exec x;
	uint32_t v = vcpu_of_tdvpr(w, tdvpr_hpa);
	mod_tdcall_begin(&w->mod, &x, v, regs);
	enum tdxsim_step_result r = run(w, &x);
	*regs = x.regs;
	if (exited)
		*exited = false;
	if (r == TDXSIM_STEP_TD_EXIT) {
		struct tdxsim_leaf_exec e;
		mod_td_exit_begin(&w->mod, &e, v, (enum tdxsim_exit_reason)x.exit, x.scratch[1]);
		run(w, &e);
		if (exited)
			*exited = true;
		if (exit_regs)
			*exit_regs = e.regs;
	}
	return x.regs.r[OPERAND_ID_RAX];
}

bool tdxsim_guest_access(struct tdxsim_world *w, uint64_t tdvpr_hpa, uint64_t gpa, uint64_t rip,
			 bool write)
{
	struct tdxsim_mod *m = &w->mod;
	uint32_t vi = vcpu_of_tdvpr(w, tdvpr_hpa);
	if (vi == UINT32_MAX)
		return false;
	struct vcpu_obj *v = mod_vcpu(m, vi);
	v->guest_rip = rip;
	if (!sept_gpa_is_private(m, v->td, gpa))
		return true; /* shared memory: the shared EPT is the VMM's business */
	/* The hardware walk of the Secure EPT: the rights are the AND of every level's
	 * R/W/X bits, so the same walk as the zero-step filter's gpa_translate (§4).
	 * A violation on an entry with SVE clear would be a #VE inside the guest rather
	 * than a TD exit; the API has no way to say so and reports it as a fault. */
	return vcpu_gpa_translate(m, v->td, gpa, write ? SEPT_W : SEPT_R) == VCPU_XLATE_OK;
}
