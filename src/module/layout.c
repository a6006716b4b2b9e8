/* SPDX-License-Identifier: MIT */
/* The module region's layout (objects.h) and its state at power-on. */
#include <string.h>

#include "module/interp.h"

#define MOD_MAGIC 0x54445853u /* "TDXS" */

void mod_config_defaults(struct tdxsim_module_config *cfg)
{
	if (!cfg->n_lps) cfg->n_lps = 4;
	if (!cfg->n_pkgs) cfg->n_pkgs = 1;
	if (!cfg->n_frames) cfg->n_frames = 4096;
	if (!cfg->n_tdmrs) cfg->n_tdmrs = 1;
	if (!cfg->mem_base) cfg->mem_base = 1ull << 32;
	if (!cfg->n_hkids) cfg->n_hkids = 64;
	if (!cfg->max_tds) cfg->max_tds = 4;
	if (!cfg->max_vcpus) cfg->max_vcpus = 16;
	if (!cfg->max_sept_pages) cfg->max_sept_pages = 64;
	if (!cfg->pa_bits) cfg->pa_bits = 52;
	if (!cfg->hkid_bits) cfg->hkid_bits = 6;
	if (!cfg->cache_wb_chunks) cfg->cache_wb_chunks = 2;
}

static uint64_t align64(uint64_t v)
{
	return (v + 63) & ~63ull;
}

int mod_layout_compute(struct mod_layout *lay, const struct tdxsim_module_config *cfg,
		       struct tdxsim_error *err)
{
	memset(lay, 0, sizeof(*lay));
	const char *bad = NULL;
	if (cfg->n_lps > 4096) bad = "n_lps must be at most 4096";
	else if (cfg->n_pkgs > MAX_PKGS || cfg->n_pkgs > cfg->n_lps)
		bad = "n_pkgs must be between 1 and min(8, n_lps)";
	else if (cfg->n_tdmrs > MAX_TDMRS || cfg->n_tdmrs > cfg->n_frames)
		bad = "n_tdmrs must be between 1 and min(64, n_frames)";
	else if (cfg->mem_base & ((1ull << 30) - 1)) bad = "mem_base must be 1 GB aligned";
	else if (cfg->pa_bits < 36 || cfg->pa_bits > 52) bad = "pa_bits must be between 36 and 52";
	else if (cfg->hkid_bits < 1 || cfg->hkid_bits > 11) bad = "hkid_bits must be between 1 and 11";
	else if (cfg->n_hkids < 3 || cfg->n_hkids > MAX_HKIDS || cfg->n_hkids > (1u << cfg->hkid_bits))
		bad = "n_hkids must be between 3 and min(2048, 2^hkid_bits)";
	else if (cfg->mem_base + ((uint64_t)cfg->n_frames << 12) > (1ull << (cfg->pa_bits - cfg->hkid_bits)))
		bad = "TDX memory must lie below MAX_PA (2^(pa_bits - hkid_bits))";
	else if (cfg->n_frames > (1u << 26)) bad = "n_frames must be at most 2^26 (256 GiB)";
	else if (cfg->max_vcpus > 65536 || cfg->max_tds > 4096 || cfg->max_sept_pages > (1u << 22))
		bad = "pool sizes too large";
	if (bad) {
		tdxsim_error_set(err, NULL, 0, "module config: %s", bad);
		return -1;
	}
	lay->n_lps = cfg->n_lps;
	lay->n_pkgs = cfg->n_pkgs;
	lay->n_hkids = cfg->n_hkids;
	lay->hkid_words = (cfg->n_hkids + 63) / 64;
	lay->n_tdmrs = cfg->n_tdmrs;
	lay->n_frames = cfg->n_frames;
	lay->n_2m = (cfg->n_frames + 511) / 512;
	lay->n_1g = (cfg->n_frames + (1u << 18) - 1) >> 18;
	lay->max_tds = cfg->max_tds;
	lay->max_vcpus = cfg->max_vcpus;
	lay->max_sept = cfg->max_sept_pages;
	lay->mem_base = cfg->mem_base;
	lay->pa_bits = cfg->pa_bits;
	lay->hkid_bits = cfg->hkid_bits;

	uint64_t off = 0;
#define PLACE(field, bytes) do { lay->field = off; off = align64(off + (bytes)); } while (0)
	PLACE(off_global, sizeof(struct mod_global));
	PLACE(off_lps, (uint64_t)lay->n_lps * sizeof(struct lp_state));
	PLACE(off_kot, (uint64_t)lay->n_hkids * sizeof(struct kot_entry));
	PLACE(off_wbt, (uint64_t)lay->n_pkgs * sizeof(struct wbt_entry));
	PLACE(off_wbt_hkids, (uint64_t)lay->n_pkgs * lay->hkid_words * sizeof(uint64_t));
	PLACE(off_tdmr, (uint64_t)lay->n_tdmrs * sizeof(struct tdmr_entry));
	PLACE(off_pamt_1g, (uint64_t)lay->n_1g * sizeof(struct pamt_entry));
	PLACE(off_pamt_2m, (uint64_t)lay->n_2m * sizeof(struct pamt_entry));
	PLACE(off_pamt_4k, (uint64_t)lay->n_frames * sizeof(struct pamt_entry));
	PLACE(off_frame_obj, (uint64_t)lay->n_frames * sizeof(struct frame_obj));
	PLACE(off_tds, (uint64_t)lay->max_tds * sizeof(struct td_obj));
	PLACE(off_vcpus, (uint64_t)lay->max_vcpus * sizeof(struct vcpu_obj));
	PLACE(off_sept_meta, (uint64_t)lay->max_sept * sizeof(struct sept_meta));
	/* SEPT pages last: they dominate, and page alignment keeps entries in one line. */
	off = (off + 4095) & ~4095ull;
	PLACE(off_sept_pages, (uint64_t)lay->max_sept * sizeof(struct sept_page));
#undef PLACE
	lay->size = off;
	return 0;
}

void mod_region_init(struct tdxsim_mod *m, const struct tdxsim_module_config *cfg)
{
	memset(m->base, 0, m->lay.size);
	struct mod_global *g = mod_global(m);
	g->magic = MOD_MAGIC;
	g->module_loaded = !cfg->module_not_loaded;
	atomic_store(&g->sys_state, SYSINIT_PENDING);
	for (unsigned i = 0; i < m->lay.n_lps; i++) {
		struct lp_state *lp = mod_lp(m, i);
		lp->vmx_on = !cfg->lps_vmx_off;
		lp->pkg = (uint8_t)((uint64_t)i * m->lay.n_pkgs / m->lay.n_lps);
		lp->last_vcpu = VCPU_NO_LP;
	}
	/* The platform's TDMRs: the frames split evenly, in order (SYS.CONFIG installs
	 * them; until TDH.SYS.TDMR.INIT nothing in them is usable). */
	uint32_t per = m->lay.n_frames / m->lay.n_tdmrs, first = 0;
	for (unsigned i = 0; i < m->lay.n_tdmrs; i++) {
		uint32_t n = i + 1 == m->lay.n_tdmrs ? m->lay.n_frames - first : per;
		struct tdmr_entry *t = mod_tdmr(m, i);
		t->base = mod_hpa_of(m, first);
		t->size = (uint64_t)n << 12;
		atomic_store(&t->last_initialized, t->base);
		first += n;
	}
	for (unsigned i = 0; i < m->lay.n_pkgs; i++)
		mod_wbt(m, i)->num_sub_blocks = cfg->cache_wb_chunks;
	for (uint32_t f = 0; f < m->lay.n_frames; f++)
		mod_frame(m, f)->idx = UINT32_MAX;
	/* PAMT entries are garbage until TDMR.INIT; zero (PT_NDA) is as good as any
	 * value because pamt_get_block refuses uninitialized ranges. */
	m->hp_timeout_override = cfg->hp_lock_timeout_ns;
	m->check_invariants = cfg->check_invariants;
	m->instr_atomicity = cfg->instr_atomicity;
}
