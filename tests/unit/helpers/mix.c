/* SPDX-License-Identifier: MIT */
/* Random / byte-driven mixes of module calls (mix.h).  Public API only, no cmocka. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "helpers/mix.h"

/* Leaf numbers and operand IDs, spelled out (linux-kvm-tdx.md §4, the lock table). */
enum {
	H_VP_ENTER = 0, H_MNG_ADDCX = 1, H_PAGE_ADD = 2, H_SEPT_ADD = 3, H_VP_ADDCX = 4,
	H_RELOCATE = 5, H_AUG = 6, H_BLOCK = 7, H_MNG_KEY_CONFIG = 8, H_MNG_CREATE = 9,
	H_VP_CREATE = 10, H_MNG_RD = 11, H_MEM_RD = 12, H_MNG_WR = 13, H_MEM_WR = 14,
	H_DEMOTE = 15, H_MR_EXTEND = 16, H_MR_FINALIZE = 17, H_VP_FLUSH = 18,
	H_VPFLUSHDONE = 19, H_FREEID = 20, H_MNG_INIT = 21, H_VP_INIT = 22, H_PROMOTE = 23,
	H_SEPT_RD = 25, H_VP_RD = 26, H_RECLAIMID = 27, H_RECLAIM = 28, H_REMOVE = 29,
	H_SEPT_REMOVE = 30, H_SYS_KEY_CONFIG = 31, H_SYS_INFO = 32, H_SYS_INIT = 33,
	H_SYS_RD = 34, H_SYS_LP_INIT = 35, H_TDMR_INIT = 36, H_SYS_RDALL = 37, H_TRACK = 38,
	H_UNBLOCK = 39, H_CACHE_WB = 40, H_WBINVD = 41, H_VP_WR = 43, H_SYS_CONFIG = 45,
	G_VMCALL = 0, G_RTMR_EXTEND = 2, G_MR_REPORT = 4, G_ACCEPT = 6, G_SERVTD_RD = 18,
	G_SERVTD_WR = 20, G_ATTR_RD = 23, G_ATTR_WR = 24,
};
enum { RAX = 0, RCX = 1, RDX = 2, R8 = 8, R9 = 9, R10 = 10, R11 = 11 };

#define GPA_SHARED_BIT (1ull << 47) /* GPAW 48 */
#define STATUS_ENTERED TDXSIM_STATUS_ENTERED

/* ---- PRNG ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

void mix_rng_seed(struct mix_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t mix_rng_next(struct mix_rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

uint64_t mix_src_rng(void *rng)
{
	return mix_rng_next(rng);
}

uint64_t mix_src_bytes(void *bytes)
{
	struct mix_bytes *b = bytes;
	/* One byte per draw: choices need few bits, and a fuzzer mutates bytes. */
	return b->pos < b->n ? b->p[b->pos++] : 0;
}

/* A choice below n (n <= 256 keeps one byte per draw for the byte source). */
static unsigned pick(const struct mix_src *src, unsigned n)
{
	return n ? (unsigned)(mix_next(src) % n) : 0;
}

/* 64 raw bits: eight draws. */
static uint64_t raw64(const struct mix_src *src)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) ^ mix_next(src);
	return v;
}

/* ---- the standard world ---- */

struct bld {
	struct tdxsim_world *w;
	unsigned next_frame, n_frames;
	char *why;
	size_t len;
	bool ok;
};

static void bfail(struct bld *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bfail(struct bld *b, const char *fmt, ...)
{
	if (!b->ok)
		return;
	b->ok = false;
	va_list ap;
	va_start(ap, fmt);
	if (b->why && b->len)
		vsnprintf(b->why, b->len, fmt, ap);
	va_end(ap);
}

static tdx_status_t bcall(struct bld *b, unsigned lp, uint64_t leaf, uint64_t rcx, uint64_t rdx,
			  uint64_t r8, uint64_t r9, struct tdxsim_regs *out)
{
	struct tdxsim_regs r = { { 0 } };
	r.r[RAX] = leaf;
	r.r[RCX] = rcx;
	r.r[RDX] = rdx;
	r.r[R8] = r8;
	r.r[R9] = r9;
	tdx_status_t s = tdxsim_seamcall(b->w, lp, &r);
	if (out)
		*out = r;
	return s;
}

static void bmust(struct bld *b, tdx_status_t want, unsigned lp, uint64_t leaf, uint64_t rcx,
		  uint64_t rdx, uint64_t r8, uint64_t r9, struct tdxsim_regs *out)
{
	if (!b->ok)
		return;
	tdx_status_t s = bcall(b, lp, leaf, rcx, rdx, r8, r9, out);
	if (s != want)
		bfail(b, "build: leaf %u on LP %u returned 0x%016llx, expected 0x%016llx",
		      (unsigned)(leaf & 0xFFFF), lp, (unsigned long long)s, (unsigned long long)want);
}

static uint64_t bpage(struct bld *b)
{
	if (b->next_frame >= b->n_frames) {
		bfail(b, "build: out of TDX memory");
		return tdxsim_world_frame_hpa(b->w, 0);
	}
	return tdxsim_world_frame_hpa(b->w, b->next_frame++);
}

static void env_page(struct mix_env *env, uint64_t hpa)
{
	if (env->npage < MIX_MAX_PAGES)
		env->page[env->npage++] = hpa;
}

static unsigned lp_of_pkg(const struct mix_env *env, unsigned pkg)
{
	for (unsigned lp = 0; lp < env->n_lps; lp++)
		if ((uint64_t)lp * env->n_pkgs / env->n_lps == pkg)
			return lp;
	return 0;
}

/* MNG.CREATE, KEY.CONFIG on every package, 6 TDCS pages, MNG.INIT (DEBUG set, so
 * that TDH.MEM.RD/WR reach their SEPT paths). */
static uint64_t build_td(struct bld *b, struct mix_env *env, unsigned hkid)
{
	uint64_t tdr = bpage(b);
	env_page(env, tdr);
	bmust(b, TDX_SUCCESS, 0, H_MNG_CREATE, tdr, hkid, 0, 0, NULL);
	for (unsigned p = 0; p < env->n_pkgs; p++)
		bmust(b, TDX_SUCCESS, lp_of_pkg(env, p), H_MNG_KEY_CONFIG, tdr, 0, 0, 0, NULL);
	for (unsigned i = 0; i < 6; i++) {
		uint64_t cx = bpage(b);
		env_page(env, cx);
		bmust(b, TDX_SUCCESS, 0, H_MNG_ADDCX, cx, tdr, 0, 0, NULL);
	}
	bmust(b, TDX_SUCCESS, 0, H_MNG_INIT, tdr, MIX_SHARED_PA(2), 8, 1 /* DEBUG */, NULL);
	return tdr;
}

bool mix_world_build(struct tdxsim_world *w, const struct mix_build_opts *o_in, struct mix_env *env,
		     char *why, size_t len)
{
	struct mix_build_opts o = o_in ? *o_in : (struct mix_build_opts){ .nvcpus = 2, .finalize = true };
	const struct tdxsim_module_config *cfg = tdxsim_world_config(w);
	struct bld b = { .w = w, .n_frames = tdxsim_world_n_frames(w), .why = why, .len = len, .ok = true };
	memset(env, 0, sizeof(*env));
	env->n_lps = cfg->n_lps;
	env->n_pkgs = cfg->n_pkgs;
	env->pa_bits = cfg->pa_bits;
	env->hkid_bits = cfg->hkid_bits;
	env->n_hkids = cfg->n_hkids;
	env->mem_base = tdxsim_world_frame_hpa(w, 0);
	env->mem_end = tdxsim_world_frame_hpa(w, b.n_frames - 1) + 4096;
	if (cfg->n_tdmrs != 1 || cfg->n_lps > MIX_MAX_LPS || o.nvcpus > MIX_MAX_VCPUS ||
	    o.nvcpus >= cfg->n_lps || b.n_frames < 1024) {
		bfail(&b, "build: needs 1 TDMR, <= %d LPs, fewer vCPUs than LPs, >= 1024 frames",
		      MIX_MAX_LPS);
		return false;
	}
	/* §7.4 bring-up. */
	bmust(&b, TDX_SUCCESS, 0, H_SYS_INIT, 0, 0, 0, 0, NULL);
	for (unsigned lp = 0; lp < env->n_lps; lp++)
		bmust(&b, TDX_SUCCESS, lp, H_SYS_LP_INIT, 0, 0, 0, 0, NULL);
	bmust(&b, TDX_SUCCESS, 0, H_SYS_CONFIG, MIX_SHARED_PA(0), 1, 1, 0, NULL);
	for (unsigned p = 0; p < env->n_pkgs; p++)
		bmust(&b, TDX_SUCCESS, lp_of_pkg(env, p), H_SYS_KEY_CONFIG, 0, 0, 0, 0, NULL);
	struct tdxsim_regs out = { { 0 } };
	for (unsigned n = 0; b.ok && out.r[RDX] < env->mem_end; n++) {
		bmust(&b, TDX_SUCCESS, 0, H_TDMR_INIT, env->mem_base, 0, 0, 0, &out);
		if (n > 100000)
			bfail(&b, "build: TDMR.INIT does not complete");
	}

	/* TD 0: vCPUs on the highest LPs, a SEPT for GPA_0's 2 MB, two build-time pages. */
	uint64_t tdr = build_td(&b, env, 2);
	env->tdr[env->ntdr++] = tdr;
	for (unsigned v = 0; v < o.nvcpus; v++) {
		unsigned lp = env->n_lps - 1 - v;
		uint64_t tdvpr = bpage(&b);
		env_page(env, tdvpr);
		bmust(&b, TDX_SUCCESS, lp, H_VP_CREATE, tdvpr, tdr, 0, 0, NULL);
		for (unsigned k = 0; k < 5; k++) {
			uint64_t px = bpage(&b);
			if (k == 0)
				env_page(env, px);
			bmust(&b, TDX_SUCCESS, lp, H_VP_ADDCX, px, tdvpr, 0, 0, NULL);
		}
		bmust(&b, TDX_SUCCESS, lp, H_VP_INIT | (1u << 16), tdvpr, 0, v, 0, NULL);
		env->tdvpr[env->ntdvpr] = tdvpr;
		env->vcpu_lp[env->ntdvpr++] = lp;
	}
	static const struct { uint64_t gpa; unsigned level; } sept[] = {
		{ 0, 3 }, { MIX_GPA0, 2 }, { MIX_GPA0, 1 },
	};
	for (unsigned i = 0; i < sizeof(sept) / sizeof(sept[0]); i++) {
		uint64_t sp = bpage(&b);
		env_page(env, sp);
		bmust(&b, TDX_SUCCESS, 0, H_SEPT_ADD, sept[i].gpa | sept[i].level, tdr, sp, 0, NULL);
	}
	for (unsigned i = 0; i < 2; i++) {
		uint64_t pg = bpage(&b);
		env_page(env, pg);
		bmust(&b, TDX_SUCCESS, 0, H_PAGE_ADD, MIX_GPA0 + i * 0x1000ull, tdr, pg, MIX_SHARED_PA(1), NULL);
		bmust(&b, TDX_SUCCESS, 0, H_MR_EXTEND, MIX_GPA0 + i * 0x1000ull, tdr, 0, 0, NULL);
	}
	if (o.finalize)
		bmust(&b, TDX_SUCCESS, 0, H_MR_FINALIZE, tdr, 0, 0, 0, NULL);
	if (o.finalize && o.enter)
		for (unsigned v = 0; v < env->ntdvpr; v++)
			bmust(&b, STATUS_ENTERED, env->vcpu_lp[v], H_VP_ENTER, env->tdvpr[v], 0, 0, 0, NULL);
	if (o.second_td)
		env->tdr[env->ntdr++] = build_td(&b, env, 3);

	/* Private GPAs: the 12 first 4K pages of GPA_0 (two mapped, the rest free), the
	 * next two 2 MB slots of the same PD page, a GPA in another 1 GB (no SEPT page
	 * yet), and one shared GPA. */
	for (unsigned i = 0; i < 12; i++)
		env->gpa[env->ngpa++] = MIX_GPA0 + i * 0x1000ull;
	env->gpa[env->ngpa++] = MIX_GPA0 + 0x200000ull;
	env->gpa[env->ngpa++] = MIX_GPA0 + 0x201000ull;
	env->gpa[env->ngpa++] = MIX_GPA0 + 0x400000ull;
	env->gpa[env->ngpa++] = 0x80000000ull;
	env->gpa[env->ngpa++] = 0x80201000ull;
	env->gpa[env->ngpa++] = MIX_GPA0 | GPA_SHARED_BIT;
	/* Free pages for new TDs, vCPUs, SEPT pages and AUGs, and 2 MB ranges. */
	env->next_free = tdxsim_world_frame_hpa(w, b.next_frame);
	while (env->npage < MIX_MAX_PAGES - 8 && b.next_frame < 512)
		env_page(env, bpage(&b));
	for (unsigned f = 512; f + 512 <= b.n_frames && env->npage2m < 2; f += 512) {
		env->page2m[env->npage2m++] = tdxsim_world_frame_hpa(w, f);
		env_page(env, tdxsim_world_frame_hpa(w, f));
		env_page(env, tdxsim_world_frame_hpa(w, f + 7));
	}
	return b.ok;
}

/* ---- call generation ---- */

enum opk {
	K_0, K_TDR, K_TDVPR, K_PAGE, K_PAGE2M, K_GPA_L, K_GPA_S, K_GPA, K_SHARED, K_HKID, K_FTD,
	K_FVP, K_FSYS, K_SMALL, K_M1, K_TDMR, K_HPA_HKID, K_RAND, K_BAD_HPA, K__N,
};

struct tmpl {
	uint16_t leaf;
	uint8_t max_ver;
	uint8_t weight;
	uint8_t op[5]; /* RCX RDX R8 R9 R10 */
};

/* Weights: runtime memory management and TD entry dominate, as in a real VMM;
 * build, teardown and system leaves are rare so that a run does not end the TD
 * early (a teardown ends most deep paths). */
static const struct tmpl host_tmpl[] = {
	{ H_VP_ENTER, 0, 4, { K_TDVPR } },
	{ H_MNG_ADDCX, 0, 2, { K_PAGE, K_TDR } },
	{ H_PAGE_ADD, 0, 6, { K_GPA_L, K_TDR, K_PAGE, K_SHARED } },
	{ H_SEPT_ADD, 1, 12, { K_GPA_S, K_TDR, K_PAGE, K_M1, K_M1 } },
	{ H_VP_ADDCX, 0, 2, { K_PAGE, K_TDVPR } },
	{ H_RELOCATE, 0, 6, { K_GPA_L, K_TDR, K_PAGE } },
	{ H_AUG, 0, 40, { K_GPA_L, K_TDR, K_PAGE } },
	{ H_BLOCK, 0, 28, { K_GPA_L, K_TDR } },
	{ H_MNG_KEY_CONFIG, 0, 1, { K_TDR } },
	{ H_MNG_CREATE, 0, 1, { K_PAGE, K_HKID } },
	{ H_VP_CREATE, 0, 2, { K_PAGE, K_TDR } },
	{ H_MNG_RD, 1, 6, { K_TDR, K_FTD } },
	{ H_MEM_RD, 0, 6, { K_GPA, K_TDR } },
	{ H_MNG_WR, 0, 4, { K_TDR, K_FTD, K_RAND, K_M1 } },
	{ H_MEM_WR, 0, 6, { K_GPA, K_TDR, K_RAND } },
	{ H_DEMOTE, 0, 8, { K_GPA_S, K_TDR, K_PAGE } },
	{ H_MR_EXTEND, 0, 4, { K_GPA, K_TDR } },
	{ H_MR_FINALIZE, 0, 1, { K_TDR } },
	{ H_VP_FLUSH, 0, 2, { K_TDVPR } },
	{ H_VPFLUSHDONE, 0, 1, { K_TDR } },
	{ H_FREEID, 0, 1, { K_TDR } },
	{ H_MNG_INIT, 0, 1, { K_TDR, K_SHARED, K_SMALL, K_SMALL } },
	{ H_VP_INIT, 1, 2, { K_TDVPR, K_RAND, K_SMALL } },
	{ H_PROMOTE, 1, 8, { K_GPA_S, K_TDR } },
	{ H_SEPT_RD, 0, 6, { K_GPA_L, K_TDR } },
	{ H_VP_RD, 1, 6, { K_TDVPR, K_FVP } },
	{ H_RECLAIMID, 0, 1, { K_0 } },
	{ H_RECLAIM, 0, 4, { K_PAGE } },
	{ H_REMOVE, 0, 32, { K_GPA_L, K_TDR } },
	{ H_SEPT_REMOVE, 1, 8, { K_GPA_S, K_TDR } },
	{ H_SYS_KEY_CONFIG, 0, 1, { K_0 } },
	{ H_SYS_INFO, 0, 1, { K_SHARED, K_SMALL, K_SHARED, K_SMALL } },
	{ H_SYS_INIT, 0, 1, { K_0 } },
	{ H_SYS_RD, 0, 2, { K_0, K_FSYS } },
	{ H_SYS_LP_INIT, 0, 1, { K_0 } },
	{ H_TDMR_INIT, 0, 1, { K_TDMR } },
	{ H_SYS_RDALL, 0, 1, { K_0, K_SHARED, K_FSYS } },
	{ H_TRACK, 0, 24, { K_TDR } },
	{ H_UNBLOCK, 0, 12, { K_GPA_L, K_TDR } },
	{ H_CACHE_WB, 0, 2, { K_SMALL } },
	{ H_WBINVD, 0, 2, { K_HPA_HKID } },
	{ H_VP_WR, 0, 4, { K_TDVPR, K_FVP, K_RAND, K_M1 } },
	{ H_SYS_CONFIG, 0, 1, { K_SHARED, K_SMALL, K_HKID } },
};

static const struct tmpl guest_tmpl[] = {
	{ G_VMCALL, 0, 2, { K_SMALL } },
	{ G_RTMR_EXTEND, 0, 2, { K_SHARED, K_SMALL } },
	{ G_MR_REPORT, 0, 2, { K_SHARED, K_SHARED, K_0 } },
	{ G_ACCEPT, 0, 16, { K_GPA_L } },
	{ G_SERVTD_RD, 0, 1, { K_TDR, K_FTD } },
	{ G_SERVTD_WR, 0, 1, { K_TDR, K_FTD, K_RAND, K_M1 } },
	{ G_ATTR_RD, 0, 3, { K_GPA } },
	{ G_ATTR_WR, 0, 2, { K_GPA, K_RAND, K_SMALL } },
};

static const uint64_t fields_td[] = {
	0x8010000200000002ull, 0x8010000200000005ull, 0x8110000100000001ull, 0x9010000200000001ull,
	0x9010000200000002ull, 0x9010000200000004ull, 0x1110000300000000ull, 0x1110000200000002ull,
	0x9110000300000011ull, 0xFFFFFFFFFFFFFFFFull, 0x9110000300000012ull,
};
static const uint64_t fields_vp[] = {
	0xA020000000000000ull, 0xA020000200000002ull, 0xA020000000000003ull, 0xA020000200000004ull,
	0xA020000300000006ull, 0x202000000000000Bull, 0xA02000000000000Full, 0xFFFFFFFFFFFFFFFFull,
	0xA020000000000031ull,
};
static const uint64_t fields_sys[] = {
	0x0800000100000003ull, 0x0800000100000004ull, 0x0A00000300000008ull, 0x9000000300000080ull,
	0x9100000100000008ull, 0x9900000100000008ull, 0xFFFFFFFFFFFFFFFFull, 0x0800000100000099ull,
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t any_of(const struct mix_src *src, const uint64_t *v, unsigned n, uint64_t dflt)
{
	return n ? v[pick(src, n)] : dflt;
}

static uint64_t operand(const struct mix_env *env, const struct mix_src *src, unsigned kind)
{
	unsigned r = pick(src, 256);
	/* One in 32 operands is of another kind than the template says. */
	if (r < 8)
		kind = pick(src, K__N);
	uint64_t v;
	switch (kind) {
	case K_0: v = 0; break;
	case K_TDR: v = any_of(src, env->tdr, env->ntdr, env->mem_base); break;
	case K_TDVPR: v = any_of(src, env->tdvpr, env->ntdvpr, env->mem_base); break;
	case K_PAGE: v = any_of(src, env->page, env->npage, env->mem_base); break;
	case K_PAGE2M: v = any_of(src, env->page2m, env->npage2m, env->mem_base); break;
	case K_GPA_L:
	case K_GPA_S:
	case K_GPA: {
		uint64_t gpa = any_of(src, env->gpa, env->ngpa, MIX_GPA0);
		if (kind == K_GPA) {
			/* 256-byte chunks (MR.EXTEND), 8-byte words (MEM.RD/WR). */
			unsigned off = pick(src, 4);
			v = gpa + (off == 0 ? 0 : off == 1 ? 256ull * pick(src, 16) : 8ull * pick(src, 16));
			break;
		}
		/* Level: 4K, or 2M at the GPAs meant as 2 MB slots (2M aligned, not GPA_0,
		 * whose PD entry maps the PT page of the 4K GPAs), now and then 1G/512G and
		 * invalid ones; SEPT-page leaves (K_GPA_S) mostly 2M, then 1G and 512G. */
		unsigned q = pick(src, 32), level;
		bool slot2m = (gpa & 0x1FFFFF) == 0 && gpa != MIX_GPA0;
		if (kind == K_GPA_S)
			level = q < 18 ? 1 : q < 26 ? 2 : q < 28 ? 3 : q < 30 ? 0 : pick(src, 8);
		else if (slot2m)
			level = q < 14 ? 0 : q < 28 ? 1 : q < 29 ? 2 : q < 30 ? 3 : pick(src, 8);
		else if (q) /* a 1G/512G BLOCK blocks everything below for long: rare */
			level = 0;
		else
			level = pick(src, 8);
		uint64_t size = level < 4 ? 1ull << (12 + 9 * level) : 4096;
		if (pick(src, 8))
			gpa &= ~(size - 1);
		v = (gpa & ~0xFFFull) | level;
		break;
	}
	case K_SHARED: {
		unsigned q = pick(src, 8);
		v = MIX_SHARED_PA(pick(src, 8)) + (q == 0 ? 64ull * pick(src, 64) : q == 1 ? 8 : 0);
		break;
	}
	case K_HKID: /* HKIDs 0..7 (so that at most 6 TDs can be live), or an invalid one */
		v = pick(src, 8) ? pick(src, 8) : env->n_hkids + pick(src, 16);
		break;
	case K_FTD: v = any_of(src, fields_td, NELEM(fields_td), 0); break;
	case K_FVP: v = any_of(src, fields_vp, NELEM(fields_vp), 0); break;
	case K_FSYS: v = any_of(src, fields_sys, NELEM(fields_sys), 0); break;
	case K_SMALL: v = pick(src, 4); break;
	case K_M1: v = ~0ull; break;
	case K_TDMR: v = pick(src, 4) ? env->mem_base : env->mem_base + 4096ull * pick(src, 4); break;
	case K_HPA_HKID: {
		uint64_t pg = any_of(src, env->page, env->npage, env->mem_base);
		unsigned hkid = pick(src, 1u << env->hkid_bits);
		v = pg | ((uint64_t)hkid << (env->pa_bits - env->hkid_bits));
		break;
	}
	case K_BAD_HPA: {
		uint64_t pg = any_of(src, env->page, env->npage, env->mem_base);
		switch (pick(src, 6)) {
		case 0: v = pg + 8 * (1 + pick(src, 16)); break;                      /* misaligned */
		case 1: v = pg | (1ull << (env->pa_bits - 1 - pick(src, env->hkid_bits))); break; /* HKID bits */
		case 2: v = env->mem_end + 4096ull * pick(src, 16); break;            /* beyond TDX memory */
		case 3: v = 1ull << (env->pa_bits + pick(src, 12)); break;            /* beyond MAX_PA */
		case 4: v = env->mem_base - 4096; break;                              /* below */
		default: v = pg | 0x800; break;
		}
		break;
	}
	case K_RAND:
	default: v = raw64(src); break;
	}
	/* One in 32 values gets a bit flipped. */
	if (r >= 8 && r < 16)
		v ^= 1ull << pick(src, 64);
	return v;
}

static void gen(const struct mix_env *env, const struct mix_src *src, const struct tmpl *t, unsigned nt,
		struct tdxsim_regs *regs)
{
	unsigned total = 0;
	for (unsigned i = 0; i < nt; i++)
		total += t[i].weight;
	unsigned r = pick(src, total), i = 0;
	while (r >= t[i].weight)
		r -= t[i++].weight;
	const struct tmpl *tp = &t[i];
	memset(regs, 0, sizeof(*regs));
	static const unsigned regno[5] = { RCX, RDX, R8, R9, R10 };
	for (unsigned k = 0; k < 5; k++)
		regs->r[regno[k]] = operand(env, src, tp->op[k]);
	/* Now and then garbage in the other registers. */
	if (!pick(src, 16))
		regs->r[R11] = raw64(src);
	uint64_t leaf = tp->leaf, ver = 0;
	unsigned q = pick(src, 64);
	if (q < 12 && tp->max_ver)
		ver = 1;
	else if (q == 12)
		ver = pick(src, 256);
	else if (q == 13)
		leaf = pick(src, 256);                       /* often an unknown leaf */
	else if (q == 14)
		leaf = raw64(src) & 0xFFFF;
	regs->r[RAX] = leaf | ver << 16;
	if (q == 15)
		regs->r[RAX] |= 1ull << (24 + pick(src, 40)); /* reserved RAX bits */
}

void mix_gen_host(const struct mix_env *env, const struct mix_src *src, struct tdxsim_regs *regs)
{
	gen(env, src, host_tmpl, NELEM(host_tmpl), regs);
	/* SEPT.ADD's RDX bit 0 is allow_existing; VP.ENTER's RCX bit 52 a hint. */
	unsigned leaf = regs->r[RAX] & 0xFFFF;
	if (leaf == H_SEPT_ADD && !pick(src, 4))
		regs->r[RDX] |= 1;
	if (leaf == H_VP_ENTER && !pick(src, 16))
		regs->r[RCX] |= 1ull << 52;
}

void mix_gen_guest(const struct mix_env *env, const struct mix_src *src, struct tdxsim_regs *regs)
{
	gen(env, src, guest_tmpl, NELEM(guest_tmpl), regs);
}

/* ---- interleaved execution ---- */

void mix_init(struct mix *mx, struct tdxsim_world *w, const struct mix_env *env, struct mix_state *s)
{
	memset(mx, 0, sizeof(*mx));
	mx->w = w;
	mx->env = env;
	mx->s = s;
	mx->run_whole_pct = 20;
	mx->guest_access_pct = 20;
	memset(s, 0, sizeof(*s));
	for (unsigned lp = 0; lp < MIX_MAX_LPS; lp++)
		s->lp[lp].vcpu = -1;
	for (unsigned v = 0; v < MIX_MAX_VCPUS; v++)
		s->assoc[v] = v < env->ntdvpr ? (int8_t)env->vcpu_lp[v] : -1;
}

static bool in_guest(const struct mix *mx, unsigned v)
{
	for (unsigned lp = 0; lp < mx->env->n_lps; lp++)
		if (mx->s->lp[lp].vcpu == (int)v)
			return true;
	return false;
}

void mix_adopt_guests(struct mix *mx)
{
	for (unsigned v = 0; v < mx->env->ntdvpr; v++) {
		struct mix_lp *L = &mx->s->lp[mx->env->vcpu_lp[v]];
		if (L->state == MIX_IDLE) {
			L->state = MIX_GUEST;
			L->vcpu = (int8_t)v;
		}
	}
}

static int vcpu_of_hpa(const struct mix_env *env, uint64_t rcx)
{
	uint64_t hpa = rcx & ((1ull << env->pa_bits) - 1) & ~0xFFFull;
	for (unsigned v = 0; v < env->ntdvpr; v++)
		if (env->tdvpr[v] == hpa)
			return (int)v;
	return -1;
}

/* One interpreter step of the execution on lp, and what follows from its result. */
static enum tdxsim_step_result advance(struct mix *mx, unsigned lp)
{
	struct mix_lp *L = &mx->s->lp[lp];
	enum tdxsim_step_result r = tdxsim_leaf_step(mx->w, &L->x);
	mx->s->steps++;
	if (r == TDXSIM_STEP_RAN)
		return r;
	mx->s->completed++;
	enum mix_kind kind = L->state == MIX_HOST ? MIX_K_SEAMCALL : L->state == MIX_TDCALL ? MIX_K_TDCALL
											     : MIX_K_TD_EXIT;
	if (mx->done)
		mx->done(mx->done_ctx, mx, lp, kind, &L->x, r);
	switch (L->state) {
	case MIX_HOST: {
		L->state = MIX_IDLE;
		int v = vcpu_of_hpa(mx->env, L->x.regs.r[RCX]);
		if (r == TDXSIM_STEP_ENTERED && v >= 0) {
			L->state = MIX_GUEST;
			L->vcpu = (int8_t)v;
			mx->s->assoc[v] = (int8_t)lp;
		}
		/* VP.FLUSH dissociated it: the next VP.ENTER may be on any LP. */
		if (r == TDXSIM_STEP_DONE && v >= 0 && L->x.status == TDX_SUCCESS && L->x.leaf >= 0 &&
		    (L->x.regs.r[RAX] == TDX_SUCCESS) && L->x.side == TDXSIM_SIDE_HOST &&
		    tdxsim_world_table(mx->w)->leaves[L->x.leaf].number == H_VP_FLUSH)
			mx->s->assoc[v] = -1;
		break;
	}
	case MIX_TDCALL:
		L->state = MIX_GUEST;
		if (r == TDXSIM_STEP_TD_EXIT) {
			/* As tdxsim_tdcall does: the TD exit the TDCALL asked for. */
			enum tdxsim_exit_reason why = (enum tdxsim_exit_reason)L->x.exit;
			uint64_t gpa = L->x.scratch[1];
			tdxsim_td_exit_begin(mx->w, &L->x, mx->env->tdvpr[L->vcpu], why, gpa);
			L->state = MIX_EXIT;
			mx->s->td_exits++;
		}
		break;
	case MIX_EXIT:
		L->state = MIX_IDLE;
		L->vcpu = -1;
		break;
	default:
		break;
	}
	return r;
}

static void run_whole(struct mix *mx, unsigned lp)
{
	while (mx->s->lp[lp].state == MIX_HOST || mx->s->lp[lp].state == MIX_TDCALL ||
	       mx->s->lp[lp].state == MIX_EXIT) {
		enum mix_lp_state before = mx->s->lp[lp].state;
		if (advance(mx, lp) != TDXSIM_STEP_RAN && before != MIX_TDCALL)
			break;
	}
}

void mix_step(struct mix *mx, const struct mix_src *src)
{
	const struct mix_env *env = mx->env;
	unsigned lp = pick(src, env->n_lps);
	struct mix_lp *L = &mx->s->lp[lp];
	struct tdxsim_regs regs;
	switch ((enum mix_lp_state)L->state) {
	case MIX_HOST:
	case MIX_TDCALL:
	case MIX_EXIT:
		advance(mx, lp);
		return;
	case MIX_IDLE: {
		/* Half the time, enter a vCPU associated with this LP (or with none) that is
		 * not in guest mode; now and then any vCPU (TDX_VCPU_ASSOCIATED). */
		unsigned v = MIX_MAX_VCPUS;
		if (pick(src, 2)) {
			for (unsigned k = 0; k < env->ntdvpr; k++)
				if ((mx->s->assoc[k] == (int)lp || mx->s->assoc[k] < 0) && !in_guest(mx, k))
					v = k;
		} else if (!pick(src, 16)) {
			v = pick(src, env->ntdvpr ? env->ntdvpr : 1);
		}
		if (v < env->ntdvpr && !in_guest(mx, v)) {
			memset(&regs, 0, sizeof(regs));
			regs.r[RAX] = H_VP_ENTER;
			regs.r[RCX] = env->tdvpr[v];
		} else {
			mix_gen_host(env, src, &regs);
		}
		tdxsim_seamcall_begin(mx->w, &L->x, lp, &regs);
		L->state = MIX_HOST;
		break;
	}
	case MIX_GUEST: {
		uint64_t tdvpr = env->tdvpr[L->vcpu];
		unsigned q = pick(src, 100);
		if (q < mx->guest_access_pct) {
			uint64_t gpa = any_of(src, env->gpa, env->ngpa, MIX_GPA0);
			/* Four RIPs, so that faults sometimes repeat at one RIP (zero-step, §4)
			 * and progress usually clears the suspicion again. */
			tdxsim_guest_access(mx->w, tdvpr, gpa, 0x1000 + 0x10 * pick(src, 4), pick(src, 2));
			return;
		}
		if (q < mx->guest_access_pct + 15) {
			uint64_t gpa = any_of(src, env->gpa, env->ngpa, MIX_GPA0);
			enum tdxsim_exit_reason why = pick(src, 3) ? TDXSIM_EXIT_INTERRUPT : TDXSIM_EXIT_EPT_VIOLATION;
			tdxsim_td_exit_begin(mx->w, &L->x, tdvpr, why, gpa);
			L->state = MIX_EXIT;
			mx->s->td_exits++;
			break;
		}
		mix_gen_guest(env, src, &regs);
		tdxsim_tdcall_begin(mx->w, &L->x, tdvpr, &regs);
		L->state = MIX_TDCALL;
		break;
	}
	}
	mx->s->begun++;
	if (pick(src, 100) < mx->run_whole_pct)
		run_whole(mx, lp);
}

void mix_drain(struct mix *mx)
{
	for (bool busy = true; busy;) {
		busy = false;
		for (unsigned lp = 0; lp < mx->env->n_lps; lp++) {
			uint8_t st = mx->s->lp[lp].state;
			if (st == MIX_HOST || st == MIX_TDCALL || st == MIX_EXIT) {
				advance(mx, lp);
				busy = true;
			}
		}
	}
}

size_t mix_held(const struct mix *mx, struct tdxsim_held_lock *out, size_t max)
{
	size_t n = 0;
	for (unsigned lp = 0; lp < mx->env->n_lps; lp++) {
		const struct mix_lp *L = &mx->s->lp[lp];
		if (L->state != MIX_HOST && L->state != MIX_TDCALL && L->state != MIX_EXIT)
			continue;
		for (unsigned i = 0; i < L->x.nheld && n < max; i++)
			out[n++] = L->x.held[i];
	}
	return n;
}

/* ---- the status oracle ---- */

static bool busy_from_table(const struct tdxsim_table *t, int leaf, tdx_status_t s)
{
	if (leaf < 0)
		return false;
	const struct tdxsim_leaf *L = &t->leaves[leaf];
	for (unsigned i = 0; i < L->nsteps; i++) {
		const struct tdxsim_step *st = &L->steps[i];
		if (st->kind != TDXSIM_STEP_LOCK)
			continue;
		const struct tdxsim_resource *r = &t->res[st->res];
		if (r->busy == TDXSIM_BUSY_STATUS) {
			if (s == r->busy_status)
				return true;
			continue;
		}
		uint32_t op = st->busy_operand >= 0 ? (uint32_t)st->busy_operand
			      : r->busy == TDXSIM_BUSY_OPERAND ? r->busy_operand : (uint32_t)st->reg;
		/* Never ..._HOST_PRIORITY: a host acquire does not return it, and the TDCALL
		 * dispatcher rewrites a guest's to BUSY (§1.3, §1.7). */
		if (s == (TDX_OPERAND_BUSY | op))
			return true;
	}
	return false;
}

bool mix_status_ok(const struct tdxsim_table *t, enum mix_kind kind, const struct tdxsim_leaf_exec *x,
		   enum tdxsim_step_result r, char *why, size_t len)
{
	tdx_status_t s = x->regs.r[RAX];
	char buf[96];
	const char *name = x->leaf >= 0 ? t->leaves[x->leaf].name : kind == MIX_K_TD_EXIT ? "TD exit" : "(refused)";
	if (kind == MIX_K_TD_EXIT) {
		if (s != 1 && s != 48 && s != 77 && s != TDX_HOST_PRIORITY_BUSY_TIMEOUT)
			return snprintf(why, len, "TD exit returned 0x%016llx", (unsigned long long)s), false;
		return true;
	}
	if (r == TDXSIM_STEP_ENTERED)
		return s == STATUS_ENTERED ? true
		       : (snprintf(why, len, "%s entered with RAX 0x%016llx", name, (unsigned long long)s), false);
	unsigned number = x->leaf >= 0 ? t->leaves[x->leaf].number : ~0u;
	bool zero_step_exit = kind == MIX_K_SEAMCALL && number == H_VP_ENTER && s == 48;
	if (!zero_step_exit && !tdx_status_lookup(s & TDX_SEAMCALL_STATUS_MASK))
		return snprintf(why, len, "%s: 0x%016llx is no TDX status", name, (unsigned long long)s), false;
	if (s == TDX_SEAMCALL_VMFAILINVALID || s == TDX_SEAMCALL_UD)
		return snprintf(why, len, "%s: %s", name, tdx_status_format(s, buf, sizeof(buf))), false;
	if ((s & TDX_SEAMCALL_STATUS_MASK) == TDX_OPERAND_BUSY_HOST_PRIORITY)
		return snprintf(why, len, "%s: %s reached the caller", name, tdx_status_format(s, buf, sizeof(buf))),
		       false;
	if (tdx_status_is_kvm_busy(s) || s == TDX_SYS_BUSY) {
		bool promote_child = kind == MIX_K_SEAMCALL && number == H_PROMOTE &&
				     s == (TDX_OPERAND_BUSY | RCX);
		if (!busy_from_table(t, x->leaf, s) && !promote_child)
			return snprintf(why, len, "%s: %s is not a BUSY any lock step of the leaf reports", name,
					tdx_status_format(s, buf, sizeof(buf))),
			       false;
	}
	return true;
}

bool mix_check_world(const struct mix *mx, char *why, size_t len)
{
	if (!tdxsim_world_check_invariants(mx->w, why, len))
		return false;
	struct tdxsim_held_lock held[MIX_MAX_LPS * TDXSIM_MAX_HELD];
	size_t n = mix_held(mx, held, sizeof(held) / sizeof(held[0]));
	if (!tdxsim_world_check_locks(mx->w, held, n, why, len))
		return false;
	return !tdxsim_world_halted(mx->w, why, len);
}
