/* SPDX-License-Identifier: MIT */
/*
 * The VMM region: layout, initial state, the page allocator, VMM locks and SRCU,
 * events, the queries the guest layer and the engine use, the flow table and the
 * programs' entry points.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/kvm.h"

static uint64_t align64(uint64_t v)
{
	return (v + 63) & ~63ull;
}

struct vmm_dims {
	unsigned n_vms, n_vcpus, n_pages, n_memslots, n_links, n_frames;
	uint32_t link_first[VMM_N_LINK_LEVELS], link_off[VMM_N_LINK_LEVELS];
	uint64_t off_vms, off_vcpus, off_slots, off_leaves, off_links, off_frames, off_leaked, size;
};

/* Non-leaf links: for TDX level tl (1..3) one per sept_level_bytes(tl)-aligned
 * region the tracked private range touches. */
static void dims(const struct vmm_config *cfg, unsigned n_frames, struct vmm_dims *d)
{
	memset(d, 0, sizeof(*d));
	d->n_vms = cfg->n_vms ? cfg->n_vms : 1;
	d->n_vcpus = cfg->n_vcpus ? cfg->n_vcpus : 1;
	d->n_pages = cfg->n_gpa_pages ? cfg->n_gpa_pages : 16;
	d->n_memslots = cfg->n_memslots ? cfg->n_memslots : 1;
	if (d->n_memslots > d->n_pages)
		d->n_memslots = d->n_pages;
	d->n_frames = n_frames;
	uint64_t first = cfg->private_base, last = cfg->private_base + (uint64_t)d->n_pages * 4096 - 1;
	unsigned n = 0;
	for (unsigned tl = 1; tl <= VMM_N_LINK_LEVELS; tl++) {
		unsigned shift = 12 + 9 * tl;
		d->link_first[tl - 1] = (uint32_t)(first >> shift);
		d->link_off[tl - 1] = n;
		n += (unsigned)((last >> shift) - (first >> shift) + 1);
	}
	d->n_links = n;
	uint64_t off = align64(sizeof(struct kvm_global));
	d->off_vms = off;
	off = align64(off + d->n_vms * sizeof(struct kvm_vm));
	d->off_vcpus = off;
	off = align64(off + (uint64_t)d->n_vms * d->n_vcpus * sizeof(struct kvm_vcpu));
	d->off_slots = off;
	off = align64(off + (uint64_t)d->n_vms * d->n_memslots * sizeof(struct kvm_memslot));
	d->off_leaves = off;
	off = align64(off + (uint64_t)d->n_vms * d->n_pages * sizeof(struct kvm_leaf));
	d->off_links = off;
	off = align64(off + (uint64_t)d->n_vms * d->n_links * sizeof(struct kvm_link));
	d->off_frames = off;
	off = align64(off + ((n_frames + 63) / 64) * 8ull);
	d->off_leaked = off;
	off = align64(off + ((n_frames + 63) / 64) * 8ull);
	d->size = off;
}

static unsigned cfg_frames(const struct vmm_config *cfg)
{
	return cfg->n_frames ? cfg->n_frames : 4096;
}

size_t vmm_state_size(const struct vmm_config *cfg)
{
	struct vmm_dims d;
	dims(cfg, cfg_frames(cfg), &d);
	return d.size;
}

void vmm_state_init(void *vmm, const struct vmm_config *cfg, struct tdxsim_mod *m)
{
	struct vmm_dims d;
	unsigned nf = m->lay.n_frames < cfg_frames(cfg) ? m->lay.n_frames : cfg_frames(cfg);
	struct vmm_dims full;
	dims(cfg, cfg_frames(cfg), &full);
	memset(vmm, 0, full.size);
	dims(cfg, nf, &d);
	struct kvm_global *g = kvm_g(vmm);
	g->magic = KVM_MAGIC;
	g->kernel = cfg->kernel ? (uint32_t)cfg->kernel : VMM_KVM_6_16;
	g->n_vms = d.n_vms;
	g->n_vcpus = d.n_vcpus;
	g->n_pages = d.n_pages;
	g->n_memslots = d.n_memslots;
	g->n_links = d.n_links;
	g->n_lps = m->lay.n_lps < VMM_MAX_LPS ? m->lay.n_lps : VMM_MAX_LPS;
	g->n_pkgs = m->lay.n_pkgs;
	g->n_frames = nf;
	g->n_hkids = m->lay.n_hkids < VMM_MAX_HKID_WORDS * 64 ? m->lay.n_hkids : VMM_MAX_HKID_WORDS * 64;
	g->n_tdmrs = m->lay.n_tdmrs < VMM_MAX_TDMRS ? m->lay.n_tdmrs : VMM_MAX_TDMRS;
	g->private_base = cfg->private_base;
	g->mem_base = m->lay.mem_base;
	g->off_vms = d.off_vms;
	g->off_vcpus = d.off_vcpus;
	g->off_slots = d.off_slots;
	g->off_leaves = d.off_leaves;
	g->off_links = d.off_links;
	g->off_frames = d.off_frames;
	g->off_leaked = d.off_leaked;
	g->size = d.size;
	memcpy(g->link_first, d.link_first, sizeof(g->link_first));
	memcpy(g->link_off, d.link_off, sizeof(g->link_off));
	g->pa_shift = m->lay.pa_bits - m->lay.hkid_bits;
	g->hp_timeout_us = (uint32_t)cfg->hp_timeout_us;
	if (cfg->policy)
		g->policy = *cfg->policy;
	g->attempt_cap = 1;
	for (unsigned i = 0; i < g->policy.nrules && i < TDXSIM_POLICY_MAX_RULES; i++)
		if (g->policy.rules[i].max_retries > g->attempt_cap)
			g->attempt_cap = g->policy.rules[i].max_retries;
	for (unsigned lp = 0; lp < g->n_lps; lp++) {
		g->lp_online[lp] = 1;
		g->lp_vmx[lp] = mod_lp(m, lp)->vmx_on;
		g->lp_pkg[lp] = (uint8_t)((uint64_t)lp * g->n_pkgs / m->lay.n_lps);
	}
	/* §5.2: the first TDX KeyID is the global KeyID; guest KeyIDs are the rest. */
	g->global_keyid = 1;
	g->tdcs_nr_pages = MIN_NUM_TDCS_PAGES;
	g->tdvps_nr_pages = 6;
	for (unsigned i = 0; i < g->n_tdmrs; i++) {
		g->tdmr_base[i] = mod_tdmr(m, i)->base;
		g->tdmr_size[i] = mod_tdmr(m, i)->size;
	}
	g->frames_free = nf;
	for (unsigned vm = 0; vm < g->n_vms; vm++) {
		struct kvm_vm *v = kvm_vm(vmm, vm);
		v->hc_map_gpa = 1;
		v->user_hc_ret_chunk = -1;
		uint64_t per = g->n_pages / g->n_memslots;
		for (unsigned s = 0; s < g->n_memslots; s++) {
			struct kvm_memslot *ms = kvm_slot(vmm, vm, s);
			ms->base = g->private_base + (uint64_t)s * per * 4096;
			ms->npages = s + 1 < g->n_memslots ? per : g->n_pages - per * s;
			ms->present = 1;
		}
		for (unsigned i = 0; i < g->n_vcpus; i++)
			kvm_vcpu(vmm, vm, i)->cpu = -1;
	}
}

/* ---- addresses ------------------------------------------------------------------ */

int64_t kvm_gpa_page(void *vmm, uint64_t gpa)
{
	struct kvm_global *g = kvm_g(vmm);
	gpa &= ~0xFFFull;
	if (gpa < g->private_base)
		return -1;
	uint64_t p = (gpa - g->private_base) >> 12;
	return p < g->n_pages ? (int64_t)p : -1;
}

uint64_t kvm_page_gpa(void *vmm, unsigned page)
{
	return kvm_g(vmm)->private_base + (uint64_t)page * 4096;
}

struct kvm_link *kvm_link_of(void *vmm, unsigned vm, unsigned tl, uint64_t gpa)
{
	struct kvm_global *g = kvm_g(vmm);
	if (tl < 1 || tl > VMM_N_LINK_LEVELS || kvm_gpa_page(vmm, gpa) < 0)
		return NULL;
	uint64_t region = gpa >> (12 + 9 * tl);
	uint64_t i = g->link_off[tl - 1] + (region - g->link_first[tl - 1]);
	return i < g->n_links ? kvm_link_at(vmm, vm, (unsigned)i) : NULL;
}

int kvm_slot_of(void *vmm, unsigned vm, uint64_t gpa)
{
	struct kvm_global *g = kvm_g(vmm);
	for (unsigned s = 0; s < g->n_memslots; s++) {
		struct kvm_memslot *ms = kvm_slot(vmm, vm, s);
		if (ms->present && gpa >= ms->base && gpa < ms->base + ms->npages * 4096)
			return (int)s;
	}
	return -1;
}

int kvm_pkg_first_online(void *vmm, unsigned pkg)
{
	struct kvm_global *g = kvm_g(vmm);
	for (unsigned lp = 0; lp < g->n_lps; lp++)
		if (g->lp_online[lp] && g->lp_pkg[lp] == pkg)
			return (int)lp;
	return -1;
}

/* ---- page allocator --------------------------------------------------------------- */

static uint64_t *frame_bits(void *vmm)
{
	return (uint64_t *)((uint8_t *)vmm + kvm_g(vmm)->off_frames);
}
static uint64_t *leak_bits(void *vmm)
{
	return (uint64_t *)((uint8_t *)vmm + kvm_g(vmm)->off_leaked);
}

uint32_t kvm_frame_alloc(void *vmm)
{
	struct kvm_global *g = kvm_g(vmm);
	uint64_t *b = frame_bits(vmm);
	for (unsigned w = 0; w < (g->n_frames + 63) / 64; w++) {
		if (b[w] == ~0ull)
			continue;
		unsigned bit = (unsigned)__builtin_ctzll(~b[w]);
		unsigned f = w * 64 + bit;
		if (f >= g->n_frames)
			return 0;
		b[w] |= 1ull << bit;
		g->frames_free--;
		return f + 1;
	}
	return 0;
}

void kvm_frame_free(void *vmm, uint32_t frame1)
{
	if (!frame1)
		return;
	uint32_t f = frame1 - 1;
	uint64_t *b = frame_bits(vmm);
	if (!(b[f / 64] & (1ull << (f % 64)))) {
		fprintf(stderr, "tdxsim: internal invariant: VMM frees frame %u twice\n", f);
		abort();
	}
	b[f / 64] &= ~(1ull << (f % 64));
	kvm_g(vmm)->frames_free++;
}

void kvm_frame_leak(void *vmm, uint32_t frame1)
{
	if (!frame1)
		return;
	uint32_t f = frame1 - 1;
	uint64_t *l = leak_bits(vmm);
	if (!(l[f / 64] & (1ull << (f % 64)))) {
		l[f / 64] |= 1ull << (f % 64);
		kvm_g(vmm)->frames_leaked++;
	}
}

/* ---- VMM locks ---------------------------------------------------------------------- */

struct vlock *vlock_get(struct flow_ctx *c, uint32_t id)
{
	struct kvm_global *g = KG(c);
	unsigned k = id >> 24, vm = (id >> 12) & 0xFFF, idx = id & 0xFFF;
	switch (k) {
	case VLC_TDX_LOCK: return &g->tdx_lock;
	case VLC_CPUS: return &g->cpus_lock;
	case VLC_TDX_MODULE: return &g->tdx_module_lock;
	case VLC_SYSINIT: return &g->sysinit_lock;
	case VLC_MMU: return &KVM(c, vm)->mmu_lock;
	case VLC_KVM: return &KVM(c, vm)->kvm_lock;
	case VLC_SLOTS: return &KVM(c, vm)->slots_lock;
	case VLC_VCPU: return &VCPU(c, vm, idx)->mutex;
	}
	fprintf(stderr, "tdxsim: internal invariant: bad VMM lock id 0x%x\n", id);
	abort();
}

static void check_actor(unsigned actor)
{
	if (actor >= VMM_MAX_ACTORS) {
		fprintf(stderr, "tdxsim: the VMM model supports at most %d actors (actor %u)\n",
			VMM_MAX_ACTORS, actor);
		abort();
	}
}

/* Reader preference: a waiting writer does not hold new readers off (a blocked step
 * may not change state, so "a writer is waiting" cannot be recorded). */
bool vlock_try(struct flow_ctx *c, struct vlock *l, enum vmode mode)
{
	unsigned a = c->actor_id;
	check_actor(a);
	if (mode == VL_READ) {
		if (l->writer)
			return false;
		l->readers |= 1ull << a;
		l->nreaders++;
		return true;
	}
	if (l->writer || l->nreaders)
		return false;
	l->writer = (uint16_t)(a + 1);
	return true;
}

void vlock_release(struct flow_ctx *c, struct vlock *l, enum vmode mode)
{
	unsigned a = c->actor_id;
	if (mode == VL_READ) {
		if (!(l->readers & (1ull << a)) || !l->nreaders) {
			fprintf(stderr, "tdxsim: internal invariant: actor %u releases a read lock it does not hold\n", a);
			abort();
		}
		l->readers &= ~(1ull << a);
		l->nreaders--;
		return;
	}
	if (l->writer != a + 1) {
		fprintf(stderr, "tdxsim: internal invariant: actor %u releases a lock held by %d\n", a,
			(int)l->writer - 1);
		abort();
	}
	l->writer = 0;
}

bool vlock_held_by(const struct vlock *l, unsigned actor, enum vmode *mode)
{
	if (l->writer == actor + 1) {
		*mode = VL_WRITE;
		return true;
	}
	if (actor < 64 && (l->readers & (1ull << actor))) {
		*mode = VL_READ;
		return true;
	}
	return false;
}

void kvm_srcu_lock(struct flow_ctx *c, unsigned vm)
{
	check_actor(c->actor_id);
	KVM(c, vm)->srcu_readers |= 1ull << c->actor_id;
}

void kvm_srcu_unlock(struct flow_ctx *c, unsigned vm)
{
	struct kvm_vm *v = KVM(c, vm);
	v->srcu_readers &= ~(1ull << c->actor_id);
	v->srcu_wait &= ~(1ull << c->actor_id);
}

/* ---- events ------------------------------------------------------------------------- */

void vmm_emit(struct flow_ctx *c, enum vmm_event ev, uint64_t a, uint64_t b, uint64_t d)
{
	struct vmm_hooks *h = c->hooks;
	if (h && h->event)
		h->event(h->ctx, c->actor_id, ev, a, b, d);
}

void vmm_set_result(struct flow_ctx *c, int64_t ret)
{
	struct kvm_global *g = KG(c);
	if (c->actor_id < VMM_MAX_ACTORS) {
		g->actor_ret[c->actor_id] = (int32_t)ret;
		g->actor_destroy[c->actor_id] = 0;
		unsigned p = g->actor_prog[c->actor_id];
		vmm_emit(c, VMM_EV_FLOW_END, VMM_FK_PROGRAM + (p ? p - 1 : 0), (uint64_t)ret, 0);
	}
}

/* ---- queries -------------------------------------------------------------------------- */

/* An IPI is pending on the vCPU's CPU: a kick (kvm_make_all_cpus_request), or the
 * kick_process() of a signal sent to the vCPU thread. */
bool vmm_vcpu_kick_pending(void *vmm, unsigned vm, unsigned vcpu)
{
	struct kvm_global *g = kvm_g(vmm);
	if (vm >= g->n_vms || vcpu >= g->n_vcpus)
		return false;
	struct kvm_vcpu *v = kvm_vcpu(vmm, vm, vcpu);
	return v->ipi_from != 0 || v->pending_signal;
}

uint64_t vmm_vcpu_tdvpr(void *vmm, unsigned vm, unsigned vcpu)
{
	struct kvm_global *g = kvm_g(vmm);
	if (vm >= g->n_vms || vcpu >= g->n_vcpus)
		return 0;
	uint32_t f = kvm_vcpu(vmm, vm, vcpu)->tdvpr;
	return f ? g->mem_base + ((uint64_t)(f - 1) << 12) : 0;
}

bool vmm_vm_dead(void *vmm, unsigned vm)
{
	struct kvm_global *g = kvm_g(vmm);
	return vm < g->n_vms && kvm_vm(vmm, vm)->dead;
}

void vmm_vcpu_set_event(void *vmm, unsigned vm, unsigned vcpu, bool pending)
{
	struct kvm_global *g = kvm_g(vmm);
	if (vm < g->n_vms && vcpu < g->n_vcpus)
		kvm_vcpu(vmm, vm, vcpu)->pending_event = pending;
}

void vmm_vcpu_set_signal(void *vmm, unsigned vm, unsigned vcpu, bool pending)
{
	struct kvm_global *g = kvm_g(vmm);
	if (vm < g->n_vms && vcpu < g->n_vcpus)
		kvm_vcpu(vmm, vm, vcpu)->pending_signal = pending;
}

void vmm_vcpu_stop(void *vmm, unsigned vm, unsigned vcpu)
{
	struct kvm_global *g = kvm_g(vmm);
	if (vm < g->n_vms && vcpu < g->n_vcpus) {
		kvm_vcpu(vmm, vm, vcpu)->pending_signal = 1;
		kvm_vcpu(vmm, vm, vcpu)->stop = 1;
	}
}

void vmm_vm_set_hypercall_ret(void *vmm, unsigned vm, int ret, int chunk)
{
	if (vm < kvm_g(vmm)->n_vms) {
		kvm_vm(vmm, vm)->user_hc_ret = ret;
		kvm_vm(vmm, vm)->user_hc_ret_chunk = chunk;
	}
}

void vmm_vm_set_mapgpa_r11(void *vmm, unsigned vm, bool set, uint64_t r11)
{
	if (vm < kvm_g(vmm)->n_vms) {
		kvm_vm(vmm, vm)->bad_r11_set = set;
		kvm_vm(vmm, vm)->bad_r11 = set ? r11 : 0;
	}
}

bool vmm_inject_status(void *vmm, unsigned leaf, int lp, unsigned count, uint64_t status)
{
	struct kvm_global *g = kvm_g(vmm);
	for (unsigned i = 0; i < VMM_MAX_INJECT; i++) {
		if (g->inject[i].count == 0) {
			g->inject[i] = (struct vmm_inject){ .leaf = leaf, .lp = lp, .count = count,
							    .status = status };
			return true;
		}
	}
	return false;
}

int64_t vmm_actor_result(void *vmm, unsigned actor)
{
	return actor < VMM_MAX_ACTORS ? kvm_g(vmm)->actor_ret[actor] : 0;
}

unsigned vmm_actor_locks(void *vmm, unsigned actor, struct vmm_held *out, unsigned max)
{
	struct kvm_global *g = kvm_g(vmm);
	unsigned n = 0;
	enum vmode mode;
#define PUT(nm, md, v)                                                                \
	do {                                                                           \
		if (n < max)                                                           \
			out[n] = (struct vmm_held){ .name = (nm), .mode = (md), .vm = (v) }; \
		n++;                                                                   \
	} while (0)
	if (actor >= VMM_MAX_ACTORS)
		return 0;
	if (g->actor_prog[actor] == VMM_PROG_MODULE_INIT + 1)
		PUT("bringup", 1, 0);
	if (g->actor_destroy[actor])
		PUT("vm_destroy", 1, g->actor_destroy[actor] - 1);
	if (vlock_held_by(&g->tdx_lock, actor, &mode))
		PUT("tdx_lock", 1, 0);
	if (vlock_held_by(&g->cpus_lock, actor, &mode))
		PUT("cpus_read_lock", mode == VL_READ ? 0 : 1, 0);
	if (vlock_held_by(&g->tdx_module_lock, actor, &mode))
		PUT("tdx_module_lock", 1, 0);
	if (vlock_held_by(&g->sysinit_lock, actor, &mode))
		PUT("sysinit_lock", 1, 0);
	for (unsigned vm = 0; vm < g->n_vms; vm++) {
		struct kvm_vm *v = kvm_vm(vmm, vm);
		if (vlock_held_by(&v->mmu_lock, actor, &mode))
			PUT("mmu_lock", mode == VL_READ ? 0 : 1, vm);
		if (vlock_held_by(&v->kvm_lock, actor, &mode))
			PUT("kvm_lock", 1, vm);
		if (vlock_held_by(&v->slots_lock, actor, &mode))
			PUT("slots_lock", 1, vm);
		unsigned nv = 0;
		for (unsigned i = 0; i < g->n_vcpus; i++)
			if (vlock_held_by(&kvm_vcpu(vmm, vm, i)->mutex, actor, &mode))
				nv++;
		if (nv)
			PUT("vcpu_mutex", nv == g->n_vcpus && g->n_vcpus > 1 ? 2 : 1, vm);
		bool frozen = false;
		for (unsigned p = 0; p < g->n_pages; p++) {
			struct kvm_leaf *l = kvm_leaf_at(vmm, vm, p);
			if (l->state == MS_FROZEN && l->frozen_by == actor + 1)
				frozen = true;
		}
		for (unsigned i = 0; i < g->n_links; i++) {
			struct kvm_link *k = kvm_link_at(vmm, vm, i);
			if (k->state == MS_FROZEN && k->frozen_by == actor + 1)
				frozen = true;
		}
		if (frozen)
			PUT("spte_frozen", 1, vm);
	}
#undef PUT
	return n < max ? n : max;
}

static void describe_lock(char *buf, size_t len, size_t *pos, const char *name, int vm,
			  const struct vlock *l)
{
	if (!l->writer && !l->nreaders)
		return;
	char inst[16] = "";
	if (vm >= 0)
		snprintf(inst, sizeof(inst), "[vm %d]", vm);
	if (l->writer)
		*pos += (size_t)snprintf(buf + *pos, *pos < len ? len - *pos : 0, "%s%s held by actor %d\n",
					 name, inst, l->writer - 1);
	else {
		*pos += (size_t)snprintf(buf + *pos, *pos < len ? len - *pos : 0, "%s%s read by actors", name,
					 inst);
		for (unsigned a = 0; a < 64; a++)
			if (l->readers & (1ull << a))
				*pos += (size_t)snprintf(buf + *pos, *pos < len ? len - *pos : 0, " %u", a);
		*pos += (size_t)snprintf(buf + *pos, *pos < len ? len - *pos : 0, "\n");
	}
}

void vmm_describe_locks(void *vmm, char *buf, size_t len)
{
	struct kvm_global *g = kvm_g(vmm);
	size_t pos = 0;
	if (!len)
		return;
	buf[0] = 0;
	describe_lock(buf, len, &pos, "tdx_lock", -1, &g->tdx_lock);
	describe_lock(buf, len, &pos, "cpus_read_lock", -1, &g->cpus_lock);
	describe_lock(buf, len, &pos, "tdx_module_lock", -1, &g->tdx_module_lock);
	describe_lock(buf, len, &pos, "sysinit_lock", -1, &g->sysinit_lock);
	for (unsigned vm = 0; vm < g->n_vms; vm++) {
		struct kvm_vm *v = kvm_vm(vmm, vm);
		describe_lock(buf, len, &pos, "mmu_lock", (int)vm, &v->mmu_lock);
		describe_lock(buf, len, &pos, "kvm_lock", (int)vm, &v->kvm_lock);
		describe_lock(buf, len, &pos, "slots_lock", (int)vm, &v->slots_lock);
		for (unsigned i = 0; i < g->n_vcpus; i++) {
			char nm[32];
			snprintf(nm, sizeof(nm), "vcpu_mutex(%u)", i);
			describe_lock(buf, len, &pos, nm, (int)vm, &kvm_vcpu(vmm, vm, i)->mutex);
		}
		if (v->srcu_wait)
			pos += (size_t)snprintf(buf + pos, pos < len ? len - pos : 0,
						"synchronize_srcu[vm %u] waits for readers 0x%llx\n", vm,
						(unsigned long long)v->srcu_wait);
		if (v->wait_for_sept_zap)
			pos += (size_t)snprintf(buf + pos, pos < len ? len - pos : 0,
						"wait_for_sept_zap[vm %u] set: TD entry blocked\n", vm);
		for (unsigned i = 0; i < g->n_vcpus; i++) {
			struct kvm_vcpu *vc = kvm_vcpu(vmm, vm, i);
			if (vc->ipi_from)
				pos += (size_t)snprintf(buf + pos, pos < len ? len - pos : 0,
							"vcpu %u[vm %u] has not acknowledged the kick of actors 0x%llx (mode %s)\n",
							i, vm, (unsigned long long)vc->ipi_from,
							vc->mode == IN_GUEST_MODE ? "IN_GUEST_MODE" :
							vc->mode == EXITING_GUEST_MODE ? "EXITING_GUEST_MODE" :
							"OUTSIDE_GUEST_MODE");
		}
	}
	if (pos >= len)
		buf[len - 1] = 0;
}

/* ---- flows and programs ------------------------------------------------------------------ */

static const flow_fn vmm_flows[VF__COUNT] = {
	[VF_PROG_VCPU_RUN] = vmm_prog_vcpu_run,
	[VF_PROG_MODULE_INIT] = vmm_prog_module_init,
	[VF_PROG_CPU_ONLINE] = vmm_prog_cpu_online,
	[VF_PROG_CPU_OFFLINE] = vmm_prog_cpu_offline,
	[VF_PROG_TD_CREATE] = vmm_prog_td_create,
	[VF_PROG_TD_INIT_MEM] = vmm_prog_td_init_mem,
	[VF_PROG_TD_FINALIZE] = vmm_prog_td_finalize,
	[VF_PROG_VCPU_INIT] = vmm_prog_vcpu_init,
	[VF_PROG_ZAP_RANGE] = vmm_prog_zap_range,
	[VF_PROG_MEMSLOT_DELETE] = vmm_prog_memslot_delete,
	[VF_PROG_TD_TEARDOWN] = vmm_prog_td_teardown,
	[VF_PROG_PREFAULT] = vmm_prog_prefault,
	[VF_SEAMCALL] = vmm_flow_seamcall,
	[VF_KICK] = vmm_flow_kick,
	[VF_VM_BUG] = vmm_flow_vm_bug,
	[VF_GUARD] = vmm_flow_guard,
	[VF_KVM_RUN] = vmm_flow_kvm_run,
	[VF_EPT_VIOLATION] = vmm_flow_ept_violation,
	[VF_TDP_MAP] = vmm_flow_tdp_map,
	[VF_TDP_MAP_LOOP] = vmm_flow_tdp_map_loop,
	[VF_REMOVE_LEAF] = vmm_flow_remove_leaf,
	[VF_TRACK] = vmm_flow_track,
	[VF_ZAP_GFNS] = vmm_flow_zap_gfns,
	[VF_TDX_CPU_ENABLE] = vmm_flow_tdx_cpu_enable,
	[VF_TDX_ENABLE] = vmm_flow_tdx_enable,
	[VF_MAPGPA] = vmm_flow_mapgpa,
	[VF_RECLAIM] = vmm_flow_reclaim,
	[VF_RELEASE_HKID] = vmm_flow_release_hkid,
	[VF_VP_FLUSH] = vmm_flow_vp_flush,
	[VF_INIT_VM] = vmm_flow_init_vm,
	[VF_INIT_MEM] = vmm_flow_init_mem,
	[VF_FINALIZE] = vmm_flow_finalize,
	[VF_INIT_VCPU] = vmm_flow_init_vcpu,
	[VF_MEMSLOT_DELETE] = vmm_flow_memslot_delete,
};

static const char *const vmm_flow_names[VF__COUNT] = {
	[VF_PROG_VCPU_RUN] = "KVM_RUN loop",
	[VF_PROG_MODULE_INIT] = "tdx_bringup",
	[VF_PROG_CPU_ONLINE] = "CPU online",
	[VF_PROG_CPU_OFFLINE] = "CPU offline",
	[VF_PROG_TD_CREATE] = "KVM_TDX_INIT_VM (userspace)",
	[VF_PROG_TD_INIT_MEM] = "KVM_TDX_INIT_MEM_REGION (userspace)",
	[VF_PROG_TD_FINALIZE] = "KVM_TDX_FINALIZE_VM (userspace)",
	[VF_PROG_VCPU_INIT] = "KVM_TDX_INIT_VCPU (userspace)",
	[VF_PROG_ZAP_RANGE] = "guest_memfd punch hole",
	[VF_PROG_MEMSLOT_DELETE] = "memslot deletion (userspace)",
	[VF_PROG_TD_TEARDOWN] = "VM destruction",
	[VF_PROG_PREFAULT] = "KVM_PRE_FAULT_MEMORY",
	[VF_SEAMCALL] = "SEAMCALL",
	[VF_KICK] = "kvm_make_all_cpus_request",
	[VF_VM_BUG] = "kvm_vm_bugged",
	[VF_GUARD] = "tdx_vm_state_guard",
	[VF_KVM_RUN] = "KVM_RUN",
	[VF_EPT_VIOLATION] = "tdx_handle_ept_violation",
	[VF_TDP_MAP] = "kvm_tdp_mmu_map",
	[VF_TDP_MAP_LOOP] = "kvm_tdp_map_page",
	[VF_REMOVE_LEAF] = "tdx_sept_remove_private_spte",
	[VF_TRACK] = "tdx_track",
	[VF_ZAP_GFNS] = "tdp_mmu_zap_leafs",
	[VF_TDX_CPU_ENABLE] = "tdx_cpu_enable",
	[VF_TDX_ENABLE] = "tdx_enable",
	[VF_MAPGPA] = "tdx_map_gpa",
	[VF_RECLAIM] = "tdx_reclaim_page",
	[VF_RELEASE_HKID] = "tdx_mmu_release_hkid",
	[VF_VP_FLUSH] = "tdx_flush_vp_on_cpu",
	[VF_INIT_VM] = "tdx_td_init",
	[VF_INIT_MEM] = "tdx_vcpu_init_mem_region",
	[VF_FINALIZE] = "tdx_td_finalize",
	[VF_INIT_VCPU] = "tdx_vcpu_init",
	[VF_MEMSLOT_DELETE] = "kvm_set_memslot(DELETE)",
};

const char *vmm_flow_name(unsigned fn)
{
	return fn < VF__COUNT && vmm_flow_names[fn] ? vmm_flow_names[fn] : "?";
}

const flow_fn *vmm_flow_table(void)
{
	return vmm_flows;
}

void vmm_program_start(struct flow_ctx *c, enum vmm_program p, uint64_t a0, uint64_t a1, uint64_t a2)
{
	if ((unsigned)p >= VMM_PROG__COUNT) {
		fprintf(stderr, "tdxsim: unknown VMM program %d\n", (int)p);
		abort();
	}
	check_actor(c->actor_id);
	struct kvm_global *g = KG(c);
	g->actor_prog[c->actor_id] = (uint8_t)(p + 1);
	g->actor_destroy[c->actor_id] = 0;
	g->actor_ret[c->actor_id] = 0;
	flow_push(c, (unsigned)p, a0, a1, a2, 0);
	vmm_emit(c, VMM_EV_FLOW_BEGIN, VMM_FK_PROGRAM + (unsigned)p, a0, a1);
}
