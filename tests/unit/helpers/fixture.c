/* SPDX-License-Identifier: MIT */
/*
 * The test fixture (fixture.h): a world over a real lock table, a bump allocator
 * over its TDX memory, SEAMCALL/TDCALL shorthands, platform bring-up, TD
 * construction and teardown in the order the reference gives (and Linux uses),
 * and step-level helpers that hold a leaf in the middle of its step list.
 *
 * Failures go through fx_failf: a cmocka failure in a test, or, inside the child
 * process of fx_implemented, a message on stderr and _exit (a cmocka longjmp there
 * would resume the test runner in the child).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers/fixture.h"

#include "engine/world_internal.h"
#include "module/mod.h"
#include "module/sept_walk.h"

static_assert(MAX_NUM_TDVPS_PAGES - 1 <= FX_MAX_TDVPX, "fx_td.tdvpx too small");
static_assert(MAX_NUM_TDCS_PAGES <= 9, "fx_td.tdcx too small");

static bool fx_probing; /* in the child of fx_implemented */

static void fx_vfailf_at(const char *file, int line, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0), noreturn));
static void fx_vfailf_at(const char *file, int line, const char *fmt, va_list ap)
{
	char buf[512];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (fx_probing) {
		fprintf(stderr, "%s:%d: fixture: %s\n", file, line, buf);
		fflush(stderr);
		_exit(3);
	}
	print_error("%s\n", buf);
	_fail(file, line);
	abort(); /* not reached: _fail longjmps */
}

static void fx_failf_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
static void fx_failf_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fx_vfailf_at(file, line, fmt, ap);
}
#define fx_failf(...) fx_failf_at(__FILE__, __LINE__, __VA_ARGS__)

static const char *fmt_status(tdx_status_t s, char *buf, unsigned len)
{
	if (s == TDXSIM_STATUS_ENTERED)
		return "TDXSIM_STATUS_ENTERED";
	return tdx_status_format(s, buf, len);
}

void fx_assert_status_at(const char *file, int line, tdx_status_t got, tdx_status_t expect,
			 const char *what)
{
	if (got == expect)
		return;
	char g[96], e[96];
	fx_failf_at(file, line, "%s: got 0x%016llx (%s), expected 0x%016llx (%s)", what ? what : "status",
		 (unsigned long long)got, fmt_status(got, g, sizeof(g)), (unsigned long long)expect,
		 fmt_status(expect, e, sizeof(e)));
}

/* ---- world ---- */

struct fx *fx_new(const char *table_file, const struct tdxsim_module_config *cfg)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		fx_failf("out of memory");
	char path[1024];
	snprintf(path, sizeof(path), "%s/modules/%s", tdxsim_data_dir(),
		 table_file ? table_file : "tdx-1.5.05.yaml");
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	f->table = tdxsim_table_load(path, &err);
	if (!f->table)
		fx_failf("loading %s: %s", path, err.msg);
	struct tdxsim_module_config c = { .n_lps = 4, .n_pkgs = 2, .n_frames = 2048 };
	if (cfg)
		c = *cfg;
	tdxsim_error_clear(&err);
	f->w = tdxsim_world_create(f->table, &c, &err);
	if (!f->w)
		fx_failf("creating the world: %s", err.msg);
	f->cfg = *tdxsim_world_config(f->w); /* with the defaults applied */
	f->next_frame = 0;
	return f;
}

void fx_free(struct fx *f)
{
	if (!f)
		return;
	tdxsim_world_destroy(f->w);
	tdxsim_table_free(f->table);
	free(f);
}

struct tdxsim_mod *fx_mod(struct fx *f)
{
	return world_mod(f->w);
}

uint64_t fx_page(struct fx *f)
{
	if (f->next_frame >= tdxsim_world_n_frames(f->w))
		fx_failf("fixture: out of TDX memory (%u frames)", tdxsim_world_n_frames(f->w));
	return tdxsim_world_frame_hpa(f->w, f->next_frame++);
}

uint64_t fx_page_2m(struct fx *f)
{
	/* Frame 0 is 1 GB aligned (mem_base), so 512-frame multiples are 2M aligned. */
	unsigned first = (f->next_frame + 511) & ~511u;
	if (first + 512 > tdxsim_world_n_frames(f->w))
		fx_failf("fixture: no free 2M range left");
	f->next_frame = first + 512;
	return tdxsim_world_frame_hpa(f->w, first);
}

unsigned fx_lp_of_pkg(struct fx *f, unsigned pkg)
{
	for (unsigned lp = 0; lp < f->cfg.n_lps; lp++)
		if ((uint64_t)lp * f->cfg.n_pkgs / f->cfg.n_lps == pkg)
			return lp;
	fx_failf("fixture: no LP in package %u", pkg);
}

/* ---- calls ---- */

tdx_status_t fx_seamcall(struct fx *f, unsigned lp, uint64_t leaf, uint64_t rcx, uint64_t rdx,
			 uint64_t r8, uint64_t r9, struct tdxsim_regs *out)
{
	struct tdxsim_regs r = { { 0 } };
	r.r[OPERAND_ID_RAX] = leaf;
	r.r[OPERAND_ID_RCX] = rcx;
	r.r[OPERAND_ID_RDX] = rdx;
	r.r[OPERAND_ID_R8] = r8;
	r.r[OPERAND_ID_R9] = r9;
	tdx_status_t s = tdxsim_seamcall(f->w, lp, &r);
	if (out)
		*out = r;
	return s;
}

void fx_expect_at(const char *file, int line, struct fx *f, tdx_status_t expect, unsigned lp,
		  uint64_t leaf, uint64_t rcx, uint64_t rdx, uint64_t r8, uint64_t r9,
		  struct tdxsim_regs *out)
{
	tdx_status_t s = fx_seamcall(f, lp, leaf, rcx, rdx, r8, r9, out);
	char what[96];
	snprintf(what, sizeof(what), "SEAMCALL leaf %u v%u on LP %u", (unsigned)(leaf & 0xFFFF),
		 (unsigned)((leaf >> 16) & 0xFF), lp);
	fx_assert_status_at(file, line, s, expect, what);
}

/* The functions behind the names fixture.h declares (its macros add the caller's
 * location). */
#undef fx_expect
#undef fx_assert_status
void fx_expect(struct fx *f, tdx_status_t expect, unsigned lp, uint64_t leaf, uint64_t rcx,
	       uint64_t rdx, uint64_t r8, uint64_t r9, struct tdxsim_regs *out)
{
	fx_expect_at("(unknown)", 0, f, expect, lp, leaf, rcx, rdx, r8, r9, out);
}

void fx_assert_status(tdx_status_t got, tdx_status_t expect, const char *what)
{
	fx_assert_status_at("(unknown)", 0, got, expect, what);
}
#define fx_expect(...) fx_expect_at(__FILE__, __LINE__, __VA_ARGS__)
#define fx_assert_status(...) fx_assert_status_at(__FILE__, __LINE__, __VA_ARGS__)

tdx_status_t fx_tdcall(struct fx *f, struct fx_td *td, unsigned v, uint64_t leaf, uint64_t rcx,
		       uint64_t rdx, uint64_t r8, bool *exited, struct tdxsim_regs *exit_regs)
{
	if (v >= td->nvcpus)
		fx_failf("fixture: TDCALL by vCPU %u of a TD with %u vCPUs", v, td->nvcpus);
	struct tdxsim_regs r = { { 0 } };
	r.r[OPERAND_ID_RAX] = leaf;
	r.r[OPERAND_ID_RCX] = rcx;
	r.r[OPERAND_ID_RDX] = rdx;
	r.r[OPERAND_ID_R8] = r8;
	return tdxsim_tdcall(f->w, td->tdvpr[v], &r, exited, exit_regs);
}

/* ---- platform ---- */

void fx_boot(struct fx *f)
{
	struct tdxsim_mod *m = fx_mod(f);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_INIT, 0, 0, 0, 0, NULL);
	for (unsigned lp = 0; lp < f->cfg.n_lps; lp++)
		fx_expect(f, TDX_SUCCESS, lp, LEAF_SYS_LP_INIT, 0, 0, 0, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_CONFIG, FX_TDMR_INFO_PA, f->cfg.n_tdmrs, FX_GLOBAL_HKID, 0,
		  NULL);
	/* Sequentially, one LP per package (linux-kvm-tdx.md §5: config_global_keyid). */
	for (unsigned p = 0; p < f->cfg.n_pkgs; p++)
		fx_expect(f, TDX_SUCCESS, fx_lp_of_pkg(f, p), LEAF_SYS_KEY_CONFIG, 0, 0, 0, 0, NULL);
	/* init_tdmrs(): TDMR.INIT until the returned next address reaches the end. */
	for (unsigned i = 0; i < f->cfg.n_tdmrs; i++) {
		uint64_t base = mod_tdmr(m, i)->base, end = base + mod_tdmr(m, i)->size;
		struct tdxsim_regs out;
		unsigned calls = 0;
		do {
			fx_expect(f, TDX_SUCCESS, 0, LEAF_SYS_TDMR_INIT, base, 0, 0, 0, &out);
			if (++calls > (1u << 20))
				fx_failf("fixture: TDMR.INIT does not terminate");
		} while (out.r[OPERAND_ID_RDX] < end);
	}
}

/* ---- TDs ---- */

unsigned fx_td_index(struct fx *f, const struct fx_td *td)
{
	struct tdxsim_mod *m = fx_mod(f);
	uint32_t fr = mod_frame_of(m, td->tdr);
	if (fr == UINT32_MAX || mod_frame(m, fr)->idx >= m->lay.max_tds)
		fx_failf("fixture: 0x%llx is not a TDR", (unsigned long long)td->tdr);
	return mod_frame(m, fr)->idx;
}

void fx_td_create_keys(struct fx *f, struct fx_td *td, unsigned hkid)
{
	memset(td, 0, sizeof(*td));
	td->hkid = hkid;
	td->tdr = fx_page(f);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_CREATE, td->tdr, hkid, 0, 0, NULL);
	for (unsigned p = 0; p < f->cfg.n_pkgs; p++)
		fx_expect(f, TDX_SUCCESS, fx_lp_of_pkg(f, p), LEAF_MNG_KEY_CONFIG, td->tdr, 0, 0, 0, NULL);
}

void fx_td_add_tdcx(struct fx *f, struct fx_td *td, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (td->ntdcx >= 9)
			fx_failf("fixture: more than 9 TDCS pages");
		uint64_t page = fx_page(f);
		fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_ADDCX, page, td->tdr, 0, 0, NULL);
		td->tdcx[td->ntdcx++] = page;
	}
}

void fx_td_init(struct fx *f, struct fx_td *td)
{
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_INIT, td->tdr, FX_TD_PARAMS_PA, FX_MAX_VCPUS, 0, NULL);
}

void fx_td_create(struct fx *f, struct fx_td *td, unsigned hkid)
{
	fx_td_create_keys(f, td, hkid);
	fx_td_add_tdcx(f, td, 6); /* MIN_NUM_TDCS_PAGES */
	fx_td_init(f, td);
}

unsigned fx_td_vcpu(struct fx *f, struct fx_td *td, unsigned lp)
{
	if (td->nvcpus >= FX_MAX_VCPUS)
		fx_failf("fixture: more than %d vCPUs", FX_MAX_VCPUS);
	unsigned v = td->nvcpus;
	td->tdvpr[v] = fx_page(f);
	fx_expect(f, TDX_SUCCESS, lp, LEAF_VP_CREATE, td->tdvpr[v], td->tdr, 0, 0, NULL);
	/* A complete TDVPS: the TDVPR plus MAX_NUM_TDVPS_PAGES - 1 TDVPX pages. */
	for (unsigned k = 0; k < MAX_NUM_TDVPS_PAGES - 1; k++) {
		td->tdvpx[v][k] = fx_page(f);
		fx_expect(f, TDX_SUCCESS, lp, LEAF_VP_ADDCX, td->tdvpx[v][k], td->tdvpr[v], 0, 0, NULL);
	}
	td->ntdvpx[v] = MAX_NUM_TDVPS_PAGES - 1;
	/* Version 1: x2APIC ID in R8 (§0), unique per vCPU. */
	fx_expect(f, TDX_SUCCESS, lp, LEAF_V(LEAF_VP_INIT, 1), td->tdvpr[v], 0, v, 0, NULL);
	td->vcpu_lp[v] = lp;
	td->nvcpus = v + 1;
	return v;
}

void fx_td_sept_levels(struct fx *f, struct fx_td *td, uint64_t gpa, unsigned down_to_level)
{
	struct tdxsim_mod *m = fx_mod(f);
	unsigned t = fx_td_index(f, td);
	unsigned pwl = mod_td(m, t)->pwl;
	/* The entry at level L maps the SEPT page of level L-1 entries: add it when a
	 * walk cannot reach level L-1 (SEPT.ADD takes levels LVL_PD..pwl). */
	for (unsigned L = pwl; L > down_to_level && L >= LVL_PD; L--) {
		struct sept_walk w;
		if (sept_walk(m, t, gpa, L - 1, &w))
			continue;
		uint64_t aligned = gpa & ~(sept_level_bytes(L) - 1);
		fx_expect(f, TDX_SUCCESS, 0, LEAF_MEM_SEPT_ADD, GPA_LEVEL(aligned, L), td->tdr, fx_page(f),
			  0, NULL);
	}
}

uint64_t fx_td_add_page(struct fx *f, struct fx_td *td, uint64_t gpa)
{
	fx_td_sept_levels(f, td, gpa, LVL_PT);
	uint64_t page = fx_page(f);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MEM_PAGE_ADD, GPA_LEVEL(gpa, LVL_PT), td->tdr, page, FX_SOURCE_PA,
		  NULL);
	/* Build-time measurement of the page: 16 chunks of 256 bytes. */
	for (unsigned i = 0; i < 16; i++)
		fx_expect(f, TDX_SUCCESS, 0, LEAF_MR_EXTEND, (gpa & ~0xFFFull) + i * 256ull, td->tdr, 0, 0,
			  NULL);
	return page;
}

void fx_td_finalize(struct fx *f, struct fx_td *td)
{
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MR_FINALIZE, td->tdr, 0, 0, 0, NULL);
}

uint64_t fx_td_aug(struct fx *f, struct fx_td *td, uint64_t gpa)
{
	fx_td_sept_levels(f, td, gpa, LVL_PT);
	uint64_t page = fx_page(f);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MEM_PAGE_AUG, GPA_LEVEL(gpa, LVL_PT), td->tdr, page, 0, NULL);
	return page;
}

void fx_td_enter(struct fx *f, struct fx_td *td, unsigned v)
{
	if (v >= td->nvcpus)
		fx_failf("fixture: VP.ENTER of vCPU %u of a TD with %u vCPUs", v, td->nvcpus);
	fx_expect(f, TDXSIM_STATUS_ENTERED, td->vcpu_lp[v], LEAF_VP_ENTER, td->tdvpr[v], 0, 0, 0, NULL);
}

tdx_status_t fx_td_exit(struct fx *f, struct fx_td *td, unsigned v, enum tdxsim_exit_reason why,
			uint64_t gpa, struct tdxsim_regs *out)
{
	if (v >= td->nvcpus)
		fx_failf("fixture: TD exit of vCPU %u of a TD with %u vCPUs", v, td->nvcpus);
	return tdxsim_td_exit(f->w, td->tdvpr[v], why, gpa, out);
}

void fx_td_teardown(struct fx *f, struct fx_td *td)
{
	for (unsigned v = 0; v < td->nvcpus; v++)
		fx_expect(f, TDX_SUCCESS, td->vcpu_lp[v], LEAF_VP_FLUSH, td->tdvpr[v], 0, 0, 0, NULL);
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_VPFLUSHDONE, td->tdr, 0, 0, 0, NULL);
	for (unsigned p = 0; p < f->cfg.n_pkgs; p++) {
		unsigned lp = fx_lp_of_pkg(f, p);
		tdx_status_t s = fx_seamcall(f, lp, LEAF_PHYMEM_CACHE_WB, 0, 0, 0, 0, NULL);
		for (unsigned n = 0; s == TDX_INTERRUPTED_RESUMABLE; n++) {
			if (n > 10000) /* TDX_SEAMCALL_RETRIES (linux-kvm-tdx.md) */
				fx_failf("fixture: CACHE.WB does not complete");
			s = fx_seamcall(f, lp, LEAF_PHYMEM_CACHE_WB, 1, 0, 0, 0, NULL);
		}
		if (s != TDX_NO_HKID_READY_TO_WBCACHE)
			fx_assert_status(s, TDX_SUCCESS, "CACHE.WB");
	}
	fx_expect(f, TDX_SUCCESS, 0, LEAF_MNG_KEY_FREEID, td->tdr, 0, 0, 0, NULL);
}

/* ---- step-level helpers ---- */

void fx_begin(struct fx *f, struct tdxsim_leaf_exec *x, unsigned lp, uint64_t leaf, uint64_t rcx,
	      uint64_t rdx, uint64_t r8, uint64_t r9)
{
	struct tdxsim_regs r = { { 0 } };
	r.r[OPERAND_ID_RAX] = leaf;
	r.r[OPERAND_ID_RCX] = rcx;
	r.r[OPERAND_ID_RDX] = rdx;
	r.r[OPERAND_ID_R8] = r8;
	r.r[OPERAND_ID_R9] = r9;
	tdxsim_seamcall_begin(f->w, x, lp, &r);
}

static bool holds(const struct tdxsim_leaf_exec *x, int res, int mode)
{
	/* A PAMT walk in progress (x->sub != 0) holds parents only: "holds the page"
	 * means the lock step completed, leaf entry included. */
	if (x->phase != TDXSIM_LEAF_RUN || x->sub != 0)
		return false;
	for (unsigned i = 0; i < x->nheld; i++)
		if (x->held[i].res == res && (mode < 0 || x->held[i].mode == mode))
			return true;
	return false;
}

void fx_step_until_holds(struct fx *f, struct tdxsim_leaf_exec *x, const char *res, int mode)
{
	int r = tdxsim_table_find_res(f->table, res);
	if (r < 0)
		fx_failf("fixture: no resource %s in the table", res);
	for (unsigned n = 0; n < 100000; n++) {
		if (holds(x, r, mode))
			return;
		enum tdxsim_step_result s = tdxsim_leaf_step(f->w, x);
		if (s != TDXSIM_STEP_RAN && !holds(x, r, mode)) {
			char b[96];
			fx_failf("leaf completed (RAX 0x%016llx %s) before holding %s%s",
				 (unsigned long long)x->regs.r[OPERAND_ID_RAX],
				 fmt_status(x->regs.r[OPERAND_ID_RAX], b, sizeof(b)), res,
				 mode < 0 ? "" : mode == TDXSIM_MODE_SHARED ? " shared" : " exclusive");
		}
	}
	fx_failf("fixture: leaf never held %s", res);
}

tdx_status_t fx_finish(struct fx *f, struct tdxsim_leaf_exec *x)
{
	for (unsigned n = 0; n < 1000000; n++) {
		if (tdxsim_leaf_step(f->w, x) != TDXSIM_STEP_RAN)
			return x->regs.r[OPERAND_ID_RAX];
	}
	fx_failf("fixture: leaf does not complete");
}

/* ---- fx_implemented ---- */

static struct {
	void (*fn)(struct fx *);
	bool ok;
} probe_cache[32];
static unsigned probe_n;

bool fx_implemented(struct fx *f, void (*scenario)(struct fx *f))
{
	for (unsigned i = 0; i < probe_n; i++)
		if (probe_cache[i].fn == scenario)
			return probe_cache[i].ok;
	const char *table = strrchr(f->table->path, '/');
	table = table ? table + 1 : f->table->path;
	struct tdxsim_module_config cfg = f->cfg;

	int pfd[2];
	if (pipe(pfd) < 0)
		fx_failf("pipe: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		fx_failf("fork: %s", strerror(errno));
	if (pid == 0) {
		close(pfd[0]);
		dup2(pfd[1], STDERR_FILENO);
		fx_probing = true;
		struct fx *c = fx_new(table, &cfg);
		scenario(c);
		_exit(0);
	}
	close(pfd[1]);
	char buf[4096];
	size_t len = 0;
	for (;;) {
		ssize_t n = read(pfd[0], buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf) - 1) { /* keep the tail */
			memmove(buf, buf + len / 2, len - len / 2);
			len -= len / 2;
		}
	}
	buf[len] = 0;
	close(pfd[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	bool ok = strstr(buf, "not implemented yet") == NULL;
	if (probe_n < sizeof(probe_cache) / sizeof(probe_cache[0])) {
		probe_cache[probe_n].fn = scenario;
		probe_cache[probe_n].ok = ok;
		probe_n++;
	}
	if (!ok)
		fprintf(stderr, "fixture: leaves not implemented yet, skipping: %s", buf);
	return ok;
}
