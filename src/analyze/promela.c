/* SPDX-License-Identifier: MIT */
/*
 * tdxsim export --promela: a scenario as a Promela model for SPIN (docs/export.md).
 *
 * What is generated from data, so that what SPIN checks is what tdxsim runs:
 *   - every leaf the actors issue is one Promela inline built from its step list
 *     in the module's lock table, in table order: each lock step becomes the
 *     lock-kind inline of its resource (sharex_hp / sharex / mutex / SEPT entry,
 *     host or guest side, shared or exclusive), each named check, walk, body and
 *     condition its abstraction over the state that matters for contention (the
 *     `sem` table below), releases in reverse order of acquisition, `hold:`,
 *     `releases:` and `undo:` as the interpreter runs them;
 *   - the initial state is the scenario's world after its setup programs have
 *     really run (engine_create): SEPT entry states, non-leaf entries, mirror EPT,
 *     memslots, TD epoch and refcounts, lock words;
 *   - the policy's decisions are tdxsim_policy_decide() evaluated for every
 *     (site, leaf, status, attempt) an exported flow can meet.
 * The VMM and guest programs are written here, as abstractions of src/vmm/ and
 * src/guest/ at the level of their SEAMCALLs, TDCALLs, VMM locks, kicks and the
 * VMM state those read (docs/export.md lists what is abstracted and how).
 *
 * The text is built in memory (struct pml_buf); nothing is written on error.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/promela.h"
#include "engine/engine.h"
#include "guest/guest.h"
#include "module/mod.h"
#include "module/registry.h"
#include "module/sept_bits.h"
#include "module/sept_walk.h"
#include "tdxsim/lock.h"
#include "tdxsim/policy.h"
#include "tdxsim/status.h"
#include "vmm/kvm.h"

/* ---- limits of the export ------------------------------------------------------------ */

#define PML_MAXP 64     /* GPA pages the actors touch */
#define PML_MAXEL 32    /* §4 EPF_GPA_LIST_SIZE */
#define PML_MAXL 24     /* non-leaf SEPT entries (links) over those pages */
#define PML_MAXV 7      /* vCPUs of the TD */
#define PML_MAXA 8      /* actors (bitmasks in a byte) */
#define PML_MAXST 64    /* distinct statuses */
#define PML_MAXSLOT 8   /* memslots */
#define PML_MAXATT 64   /* attempts the policy is evaluated for */

/* ---- text buffer ---------------------------------------------------------------------- */

void pml_buf_free(struct pml_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

static void buf_put(struct pml_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (b->len + n + 1 > cap)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			fprintf(stderr, "tdxsim: out of memory\n");
			abort();
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

static void buf_vprintf(struct pml_buf *b, const char *fmt, va_list ap)
{
	char tmp[1024];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	if (n < 0) {
		va_end(ap2);
		return;
	}
	if ((size_t)n < sizeof(tmp)) {
		buf_put(b, tmp, (size_t)n);
	} else {
		char *big = malloc((size_t)n + 1);
		if (!big)
			abort();
		vsnprintf(big, (size_t)n + 1, fmt, ap2);
		buf_put(b, big, (size_t)n);
		free(big);
	}
	va_end(ap2);
}

static void bprintf(struct pml_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(struct pml_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/* ---- generation context ------------------------------------------------------------------ */

/* How a leaf's SEPT entry and page operands resolve (scope resolution). */
enum bind_kind {
	BIND_LEAF,   /* P is a GPA page index: sept[P], w_PAGE[P] */
	BIND_NL,     /* P is a non-leaf entry (link) index: nle[P] (SEPT.ADD) */
};

struct leaf_use {
	bool used;
	enum bind_kind bind;
	uint64_t status_mask;    /* statuses (registry ids) the leaf can complete with */
	uint32_t sites;          /* sites it is judged at (bit per enum tdxsim_site) */
};

struct actor {
	const struct tdxsim_actor_spec *sp;
	unsigned idx;            /* actor index = bit in masks */
	unsigned vcpu;           /* vCPU actors */
	int page0;               /* first model page of its range, -1 none */
	uint64_t gpa0;           /* first GPA of its range */
	unsigned npages;
	unsigned entries;        /* vCPU: KVM_RUN entry bound (0 = none) */
	unsigned rounds;         /* ACCESS_SEQ */
};

struct gen {
	struct pml_buf *o;
	struct pml_options opt;
	const struct tdxsim_table *t;
	struct tdxsim_scenario *s;   /* NULL in leaf-only mode */
	struct tdxsim_error *err;
	char scn_file[512];
	unsigned label;              /* unique labels */

	/* statuses */
	uint64_t stv[PML_MAXST];
	char stn[PML_MAXST][72];
	unsigned nst;

	/* lock words */
	unsigned wbits;
	bool used_res[64];

	/* leaves */
	struct leaf_use *lu;

	/* the TD after setup */
	bool runnable;
	int op_state;
	bool op_tlb;                 /* op_state_is_tlb_tracking_required */
	unsigned kernel;
	unsigned np;
	uint64_t gpa[PML_MAXP];
	int pslot[PML_MAXP];
	uint8_t sept0[PML_MAXP];
	uint8_t mirror0[PML_MAXP];
	uint8_t bepoch0[PML_MAXP];
	int plink[PML_MAXP][4];      /* [tl] link index, tl 1..3 */
	unsigned nl;
	unsigned link_tl[PML_MAXL];
	uint64_t link_key[PML_MAXL];
	uint8_t nle0[PML_MAXL];
	uint8_t mlink0[PML_MAXL];
	bool all_links_present;
	unsigned nslots;
	uint8_t slot_present0;
	unsigned nv;
	uint8_t td_epoch0, refcnt0[2];
	uint8_t vcpu_epoch0[PML_MAXV], epf_cnt0[PML_MAXV];
	uint8_t epfl0[PML_MAXV][PML_MAXEL];
	uint8_t epfn0[PML_MAXV];
	unsigned el;                 /* list entries modelled: min(32, pages) */

	/* actors */
	struct actor act[PML_MAXA];
	unsigned nact;
	bool has_vcpu_mutex_user;    /* a thread takes vCPU 0's mutex (prefault) */
	unsigned threads_mask, vcpus_mask, idle_mask;
	/* scenario inputs */
	struct {
		unsigned leaf;           /* leaf number or 0xFFFF */
		int lp;
		unsigned count;
		uint64_t status;
	} inj[8];
	unsigned ninj;
	struct {
		unsigned vcpu;
		bool signal;             /* else an event */
		bool periodic;
		unsigned line;
	} env[8];
	unsigned nenv;
	unsigned cur_lp;             /* LP of the actor being emitted */
	bool need_remove, need_fault, need_accept, need_srcu_sync;
};

static int tab_fail(struct gen *g, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int tab_fail(struct gen *g, unsigned line, const char *fmt, ...)
{
	char msg[TDXSIM_ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tdxsim_error_set(g->err, g->t->path ? g->t->path : g->t->module, line, "%s", msg);
	return -1;
}

static int gen_fail(struct gen *g, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int gen_fail(struct gen *g, unsigned line, const char *fmt, ...)
{
	char msg[TDXSIM_ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tdxsim_error_set(g->err, g->scn_file[0] ? g->scn_file : NULL, line, "%s", msg);
	return -1;
}

#define P(...) bprintf(g->o, __VA_ARGS__)

/* ---- names ---------------------------------------------------------------------------- */

/* "TDH.MEM.PAGE.AUG" -> "TDH_MEM_PAGE_AUG" */
static void ident(const char *in, char *out, size_t len)
{
	size_t i = 0;
	for (; in[i] && i + 1 < len; i++)
		out[i] = isalnum((unsigned char)in[i]) ? in[i] : '_';
	out[i] = 0;
}

static const char *site_ident(enum tdxsim_site s)
{
	static const char *const n[] = { "INSTALL", "REMOVE", "BUILD", "ENTER", "TEARDOWN", "INIT" };
	return (unsigned)s < TDXSIM_SITE__COUNT ? n[s] : "ANY";
}

/* ---- statuses --------------------------------------------------------------------------- */

#define ST_VMEXIT_EPT_VALUE 48ull  /* VMEXIT_REASON_EPT_VIOLATION: VP.ENTER's emulated exit */

static unsigned st_id(struct gen *g, uint64_t v)
{
	for (unsigned i = 0; i < g->nst; i++)
		if (g->stv[i] == v)
			return i;
	if (g->nst == PML_MAXST) {
		fprintf(stderr, "tdxsim: internal invariant: more than %d statuses in an export\n",
			PML_MAXST);
		abort();
	}
	unsigned i = g->nst++;
	g->stv[i] = v;
	char base[64];
	if (v == TDX_SUCCESS) {
		snprintf(base, sizeof(base), "OK");
	} else if (v == ST_VMEXIT_EPT_VALUE) {
		snprintf(base, sizeof(base), "VMEXIT_EPT_VIOLATION");
	} else if (v == TDX_SEAMCALL_VMFAILINVALID) {
		snprintf(base, sizeof(base), "SEAMCALL_VMFAILINVALID");
	} else {
		const char *n = tdx_status_name(v & TDX_SEAMCALL_STATUS_MASK);
		if (!n)
			n = "STATUS";
		if (!strncmp(n, "TDX_", 4))
			n += 4;
		uint32_t op = tdx_status_operand(v);
		const char *on = op ? tdx_operand_name(op) : NULL;
		if (op && on)
			snprintf(base, sizeof(base), "%s_%s", n, on);
		else if (op)
			snprintf(base, sizeof(base), "%s_%X", n, op);
		else
			snprintf(base, sizeof(base), "%s", n);
	}
	snprintf(g->stn[i], sizeof(g->stn[i]), "ST_%s", base);
	for (char *c = g->stn[i]; *c; c++)
		if (!isalnum((unsigned char)*c))
			*c = '_';
	return i;
}

static const char *st_name(struct gen *g, uint64_t v)
{
	return g->stn[st_id(g, v)];
}

/* ---- lock words ------------------------------------------------------------------------- */

/* SEPT entry abstraction: bits 3:0 the §5.1 state index, bit 4 TDEL, bit 5 HP. */
#define E_STATE 15u
#define E_TDEL 16u
#define E_HP 32u

static unsigned wmask(const struct gen *g) { return g->wbits == 16 ? 0xFFFFu : 0xFFu; }

/* The Promela lvalue of a lock step's word, or NULL if the word is elided
 * (a fresh page only this call can name).  *why explains an elision. */
static const char *word_of(struct gen *g, const struct tdxsim_leaf *L, const struct tdxsim_step *st,
			   enum bind_kind bind, char *buf, size_t len, const char **why)
{
	const struct tdxsim_resource *r = &g->t->res[st->res];
	(void)L;
	*why = NULL;
	switch (r->backing) {
	case TDXSIM_BACK_SEPT_ENTRY:
		snprintf(buf, len, "%s[P]", bind == BIND_NL ? "nle" : "sept");
		return buf;
	case TDXSIM_BACK_FIELD:
		snprintf(buf, len, "w_%s", r->name);
		g->used_res[st->res] = true;
		return buf;
	case TDXSIM_BACK_PAMT:
		break;
	}
	switch (r->scope) {
	case TDXSIM_SCOPE_TD:
		snprintf(buf, len, "w_%s", r->name);
		g->used_res[st->res] = true;
		return buf;
	case TDXSIM_SCOPE_VCPU:
		snprintf(buf, len, "w_%s[V]", r->name);
		g->used_res[st->res] = true;
		return buf;
	default:
		break;
	}
	if (!strcmp(r->name, "PAGE") && bind == BIND_LEAF && st->via != TDXSIM_VIA_PAGE_OWNER) {
		snprintf(buf, len, "w_PAGE[P]");
		g->used_res[st->res] = true;
		return buf;
	}
	*why = "a fresh page only this call names: its PAMT entry is never contended (elided)";
	return NULL;
}

/* ---- the state abstraction of named checks, walks, bodies and conditions ------------------- */

/* What one step does, as Promela: `code` for a check (sets st on failure, no
 * other effect) or for a visible step (walk, assoc, body); `cond` for when:. */
struct sem_out {
	char code[1024];
	bool is_static;          /* a check that always passes in the exported states */
	bool exit_td;            /* (guest) the failure is a TD exit, lxr set */
};

/* A set of SEPT states as SIN(entry, mask): bit i of mask is state i (§5.1). */
static void states_expr(char *buf, size_t len, const char *var, bool (*pred)(enum sept_state), bool neg)
{
	unsigned mask = 0;
	for (int st = 0; st < SEPT_STATE_COUNT; st++)
		if (pred((enum sept_state)st))
			mask |= 1u << st;
	snprintf(buf, len, "%sSIN(%s, %u)", neg ? "!" : "", var, mask);
}

/* The register operand of the leaf's SEPT-entry lock (the GPA register). */
static uint32_t gpa_operand(const struct tdxsim_leaf *L, const struct tdxsim_table *t)
{
	for (unsigned i = 0; i < L->nsteps; i++)
		if (L->steps[i].kind == TDXSIM_STEP_LOCK &&
		    t->res[L->steps[i].res].backing == TDXSIM_BACK_SEPT_ENTRY && L->steps[i].reg >= 0)
			return (uint32_t)L->steps[i].reg;
	return OPERAND_ID_RCX;
}

static bool in_op_states(uint32_t mask, int op)
{
	return op >= 0 && (mask >> op) & 1;
}

static bool op_state_tlb(int op)
{
	return op == TDXSIM_OPS_RUNNABLE || op == TDXSIM_OPS_LIVE_EXPORT || op == TDXSIM_OPS_LIVE_IMPORT;
}

static bool pred_any_blocked(enum sept_state s) { return sept_state_any_blocked(s); }
static bool pred_ttr(enum sept_state s) { return sept_state_tlb_tracking_required(s); }
static bool pred_ga(enum sept_state s) { return sept_state_guest_accessible_leaf(s); }
static bool pred_pga(enum sept_state s) { return sept_state_pending_guest_acceptable(s); }

/* Statuses registered for the leaf being generated. */
static uint64_t *cur_mask;
static void leaf_status(struct gen *g, uint64_t v)
{
	unsigned id = st_id(g, v);
	if (cur_mask)
		*cur_mask |= 1ull << id;
}

/* Returns 0, or -1 (with *unsupported set) for a name the export cannot express. */
static int sem_step(struct gen *g, const struct tdxsim_leaf *L, const struct tdxsim_step *st,
		    enum bind_kind bind, struct sem_out *out, const char **unsupported)
{
	const char *n = st->fn;
	const char *E = bind == BIND_NL ? "nle[P]" : "sept[P]";
	uint32_t gop = gpa_operand(L, g->t);
	char buf[512];
	memset(out, 0, sizeof(*out));
	*unsupported = NULL;

	/* Checks on state no exported flow changes: they pass in the setup world. */
	static const char *const static_checks[] = {
		"sys_ready", "sys_not_shutdown", "cpuid_maxval_not_limited", "vp_enter_rcx_reserved",
		"vp_enter_flags_valid", "td_state_map_tdcs", "td_not_fatal", "td_keys_configured",
		"tdvps_pages_complete", "tsc_adjust_consistent", "tsc_not_rolled_back",
		"monitor_mwait_allowed", "sept_gpa_valid", "source_page_shared", "hpa_split_hkid",
		"vcpu_state_in", "td_epoch_overflow_halt", "accept_level_match", NULL,
	};
	for (unsigned i = 0; static_checks[i]; i++)
		if (!strcmp(n, static_checks[i])) {
			out->is_static = true;
			return 0;
		}
	if (!strcmp(n, "op_state_allowed")) {
		if (!g->s || in_op_states(L->op_states, g->op_state)) {
			out->is_static = true;
			return 0;
		}
		leaf_status(g, TDX_OP_STATE_INCORRECT);
		snprintf(out->code, sizeof(out->code), "st = %s /* op_state %s not allowed */",
			 st_name(g, TDX_OP_STATE_INCORRECT), tdxsim_op_state_name((enum tdxsim_op_state)g->op_state));
		return 0;
	}
	if (!strcmp(n, "sept_state_in")) {
		unsigned mask = 0;
		for (unsigned i = 0; i < st->nargs; i++) {
			int v = sept_state_by_name(st->args[i]);
			if (v >= 0)
				mask |= 1u << v;
		}
		size_t o = (size_t)snprintf(buf, sizeof(buf), "!SIN(%s, %u) /* not in", E, mask);
		for (unsigned i = 0; i < st->nargs && o < sizeof(buf); i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, " %s", st->args[i]);
		if (o < sizeof(buf))
			snprintf(buf + o, sizeof(buf) - o, " */");
		uint64_t v = tdx_status_with_operand(TDX_EPT_ENTRY_STATE_INCORRECT, gop);
		leaf_status(g, v);
		snprintf(out->code, sizeof(out->code), "if :: %s -> st = %s :: else -> skip fi", buf,
			 st_name(g, v));
		return 0;
	}
	if (!strcmp(n, "sept_add_existing_allowed")) {
		uint64_t v = tdx_status_with_operand(TDX_EPT_ENTRY_STATE_INCORRECT, OPERAND_ID_RCX);
		leaf_status(g, v);
		snprintf(out->code, sizeof(out->code),
			 "if :: (%s & 15) == S_NL_MAPPED -> st = %s :: else -> skip fi /* v0: no allow_existing */",
			 E, st_name(g, v));
		return 0;
	}
	if (!strcmp(n, "sept_not_blocked") || !strcmp(n, "sept_blocked")) {
		bool not = !strcmp(n, "sept_not_blocked");
		uint64_t v = tdx_status_with_operand(not ? TDX_GPA_RANGE_ALREADY_BLOCKED : TDX_GPA_RANGE_NOT_BLOCKED,
						     OPERAND_ID_RCX);
		leaf_status(g, v);
		states_expr(buf, sizeof(buf), E, pred_any_blocked, !not);
		snprintf(out->code, sizeof(out->code), "if :: %s -> st = %s :: else -> skip fi", buf,
			 st_name(g, v));
		return 0;
	}
	if (!strcmp(n, "tlb_tracked")) {
		int op = st->nargs ? tdxsim_registry_arg_value(TDXSIM_ARG_OPERAND, st->args[0]) : OPERAND_ID_RCX;
		uint64_t v = tdx_status_with_operand(TDX_TLB_TRACKING_NOT_DONE, (uint32_t)op);
		leaf_status(g, v);
		snprintf(out->code, sizeof(out->code), "if :: !TLB_TRACKED(bepoch[P]) -> st = %s :: else -> skip fi",
			 st_name(g, v));
		return 0;
	}
	if (!strcmp(n, "prev_epoch_refcount_zero")) {
		leaf_status(g, TDX_PREVIOUS_TLB_EPOCH_BUSY);
		snprintf(out->code, sizeof(out->code),
			 "if :: refcnt[1 - (td_epoch & 1)] != 0 -> st = %s :: else -> skip fi",
			 st_name(g, TDX_PREVIOUS_TLB_EPOCH_BUSY));
		return 0;
	}
	if (!strcmp(n, "zero_step_gpas_accessible")) {
		leaf_status(g, ST_VMEXIT_EPT_VALUE);
		snprintf(out->code, sizeof(out->code),
			 "lq = 0; do :: lq < epfn[V] && ACCESSIBLE(epfl[V * EL + lq]) -> lq++ "
			 ":: else -> break od; if :: lq < epfn[V] -> lq = epfl[V * EL + lq]; st = %s /* emulated EPT violation at page lq */ "
			 ":: else -> lq = 0 fi",
			 st_name(g, ST_VMEXIT_EPT_VALUE));
		return 0;
	}
	if (!strcmp(n, "accept_not_accepted")) {
		uint64_t v = tdx_status_with_operand(TDX_PAGE_ALREADY_ACCEPTED, 0);
		leaf_status(g, v);
		states_expr(buf, sizeof(buf), E, pred_ga, false);
		snprintf(out->code, sizeof(out->code), "if :: %s -> st = %s :: else -> skip fi", buf,
			 st_name(g, v));
		return 0;
	}
	if (!strcmp(n, "accept_pending")) {
		uint64_t v = tdx_status_with_operand(TDX_EPT_ENTRY_STATE_INCORRECT, OPERAND_ID_RCX);
		leaf_status(g, v);
		states_expr(buf, sizeof(buf), E, pred_pga, true);
		snprintf(out->code, sizeof(out->code),
			 "if :: %s -> st = %s; lxr = XR_ACCEPT /* TD exit (ACCEPT) */ :: else -> skip fi", buf,
			 st_name(g, v));
		out->exit_td = true;
		return 0;
	}
	/* Walks (visible steps: they read shared SEPT entries). */
	if (!strcmp(n, "sept_walk") || !strcmp(n, "sept_walk_unlocked")) {
		uint64_t v = tdx_status_with_operand(TDX_EPT_WALK_FAILED, (uint32_t)(st->reg >= 0 ? st->reg : OPERAND_ID_RCX));
		leaf_status(g, v);
		snprintf(out->code, sizeof(out->code), "if :: !%s(P) -> st = %s :: else -> skip fi",
			 bind == BIND_NL ? "WALK_OK_NL" : "WALK_OK_LEAF", st_name(g, v));
		return 0;
	}
	if (!strcmp(n, "accept_walk")) {
		uint64_t v = tdx_status_with_operand(TDX_EPT_WALK_FAILED, OPERAND_ID_RCX);
		leaf_status(g, v);
		snprintf(out->code, sizeof(out->code),
			 "if :: !WALK_OK_LEAF(P) -> st = %s; lxr = XR_ACCEPT /* TD exit (ACCEPT) */ :: else -> skip fi",
			 st_name(g, v));
		out->exit_td = true;
		return 0;
	}
	if (!strcmp(n, "associate_vcpu")) {
		snprintf(out->code, sizeof(out->code), "skip /* the vCPU stays on its LP: CAS succeeds */");
		return 0;
	}
	/* Bodies. */
	if (!strcmp(n, "page_aug")) {
		snprintf(out->code, sizeof(out->code), "%s = S_PENDING; bepoch[P] = 0 /* fresh PENDING store: TDEL, HP cleared */", E);
		return 0;
	}
	if (!strcmp(n, "page_add")) {
		snprintf(out->code, sizeof(out->code),
			 "if :: %s & E_TDEL -> HALT :: else -> skip fi; %s = S_MAPPED; bepoch[P] = 0", E, E);
		return 0;
	}
	if (!strcmp(n, "page_remove")) {
		snprintf(out->code, sizeof(out->code), "%s = S_FREE /* FREE+SVE: TDEL, HP cleared */", E);
		return 0;
	}
	if (!strcmp(n, "page_accept")) {
		snprintf(out->code, sizeof(out->code),
			 "%s = (ec & (E_TDEL | E_HP)) | S_MAPPED /* the copy taken at the lock, written back (§9.3) */", E);
		return 0;
	}
	if (!strcmp(n, "range_block")) {
		snprintf(out->code, sizeof(out->code),
			 "if :: (ec & 15) == S_MAPPED || (ec & 15) == S_BLOCKEDW -> %s = (ec & (E_TDEL | E_HP)) | S_BLOCKED "
			 ":: (ec & 15) == S_PENDING || (ec & 15) == S_PENDING_BLOCKEDW -> %s = (ec & (E_TDEL | E_HP)) | S_PENDING_BLOCKED "
			 ":: else -> %s = (ec & (E_TDEL | E_HP)) | S_NL_BLOCKED fi; bepoch[P] = td_epoch",
			 E, E, E);
		return 0;
	}
	if (!strcmp(n, "range_unblock")) {
		snprintf(out->code, sizeof(out->code),
			 "if :: (ec & 15) == S_BLOCKED -> %s = (ec & E_HP) | S_MAPPED "
			 ":: (ec & 15) == S_PENDING_BLOCKED -> %s = (ec & E_HP) | S_PENDING "
			 ":: else -> %s = (ec & E_HP) | S_NL_MAPPED fi", E, E, E);
		return 0;
	}
	if (!strcmp(n, "sept_add")) {
		snprintf(out->code, sizeof(out->code), "%s = E_TDEL | S_NL_MAPPED /* parent NL_MAPPED, TDEL kept (§9.4) */", E);
		return 0;
	}
	if (!strcmp(n, "mem_track")) {
		snprintf(out->code, sizeof(out->code), "td_epoch = td_epoch + 1");
		return 0;
	}
	if (!strcmp(n, "tlb_epoch_enter")) {
		snprintf(out->code, sizeof(out->code), "lep = td_epoch; refcnt[lep & 1] = refcnt[lep & 1] + 1");
		return 0;
	}
	if (!strcmp(n, "tlb_epoch_revert")) {
		snprintf(out->code, sizeof(out->code), "refcnt[lep & 1] = refcnt[lep & 1] - 1");
		return 0;
	}
	if (!strcmp(n, "tlb_flush_if_stale")) {
		snprintf(out->code, sizeof(out->code), "vcpu_epoch[V] = lep");
		return 0;
	}
	if (!strcmp(n, "vp_enter_launch")) {
		snprintf(out->code, sizeof(out->code), "ENTER_GUEST(V) /* VCPU_ACTIVE, RIP at entry recorded */");
		return 0;
	}
	static const char *const nop_bodies[] = {
		"vp_enter_prepare", "vp_enter_vcpu_switch", "page_wbinvd", "vp_flush", "sept_rd", NULL,
	};
	for (unsigned i = 0; nop_bodies[i]; i++)
		if (!strcmp(n, nop_bodies[i])) {
			snprintf(out->code, sizeof(out->code), "skip /* no state the model keeps */");
			return 0;
		}
	if (!strcmp(n, "vp_vmcall")) {
		snprintf(out->code, sizeof(out->code), "lxr = XR_VMCALL /* TD exit to the host */");
		return 0;
	}
	*unsupported = n;
	return -1;
}

/* A when: condition as a Promela expression ("true"/"false" when static). */
static int sem_cond(struct gen *g, const struct tdxsim_step *st, enum bind_kind bind, char *buf, size_t len,
		    const char **unsupported)
{
	const char *n = st->when;
	const char *E = bind == BIND_NL ? "nle[P]" : "sept[P]";
	*unsupported = NULL;
	if (!n[0]) {
		snprintf(buf, len, "true");
		return 0;
	}
	if (!strcmp(n, "version_0")) {
		snprintf(buf, len, "true /* leaf version 0 */");
		return 0;
	}
	if (!strcmp(n, "version_ge_1") || !strcmp(n, "l2_pages_present") || !strcmp(n, "l2_alias_present")) {
		snprintf(buf, len, "false /* %s: never, in the exported flows */", n);
		return 0;
	}
	if (!strcmp(n, "zero_step_suspected")) {
		snprintf(buf, len, "epfn[V] != 0");
		return 0;
	}
	if (!strcmp(n, "entry_free")) {
		snprintf(buf, len, "(%s & 15) == S_FREE", E);
		return 0;
	}
	if (!strcmp(n, "tlb_tracking_required")) {
		if (g->s && !g->op_tlb) {
			snprintf(buf, len, "false /* op_state %s: no TLB tracking */",
				 tdxsim_op_state_name((enum tdxsim_op_state)g->op_state));
			return 0;
		}
		states_expr(buf, len, E, pred_ttr, false);
		return 0;
	}
	*unsupported = n;
	return -1;
}

/* ---- lock-kind inlines -------------------------------------------------------------------- */

static void emit_lock_inlines(struct gen *g)
{
	unsigned m = wmask(g);
	bool instr = g->opt.atomicity == PML_ATOMIC_INSTR;
	unsigned hp_full = m >> 2;                 /* counter field all ones */
	unsigned sx_full_nw = m & ~1u;             /* raw word: full counter, no writer */
	P("/* ---- The four lock kinds (reference tdx-module-1.5.md §1.1-1.4, include/tdxsim/lock.h) ----\n"
	  " * Words have the module's encodings, %u bits wide%s:\n"
	  " *   mutex      0 free, 1 locked\n"
	  " *   sharex     bit 0 exclusive, bits %u:1 reader counter\n"
	  " *   sharex_hp  bit 0 exclusive, bit 1 host priority (HP), bits %u:2 reader counter\n"
	  " *   SEPT entry bits 3:0 the state (§5.1 index), bit 4 TDEL (entry bit 11), bit 5 HP (bit 52)\n"
	  " * Atomicity: %s.\n"
	  " * Each inline sets `st = bst` on BUSY, `lhp = 1` when a guest lost to host priority,\n"
	  " * sets bit b of `lh` (locks held by this leaf) on success; `lo` is the old value an\n"
	  " * XADD/CAS returned, `ec` the entry copy a SEPT-entry lock takes.  Misuse (release of\n"
	  " * a lock not held, counter overflow) halts the module: HALT. */\n",
	  g->wbits, g->wbits == 8 ? " (a narrower counter than the real 16 bits: garbage from failed\n"
				    " * shared acquires wraps at 64/128 instead of 16384; docs/export.md)" : "",
	  g->wbits - 1, g->wbits - 1,
	  instr ? "one atomic{} per atomic instruction of the real sequence (XADD, OR, AND, CAS, BTS, BTR)"
		: "one atomic{} per emulator step: the whole try-acquire or release, as tdxsim check steps it");
	P("#define HPX_FULL %u\n#define SX_FULL_NW %u\n#define WMASK %u\n\n", hp_full, sx_full_nw, m);
	if (!instr) {
		P("/* §1.3 acquire_sharex_lock_hp_sh, host: XADD +4; old ex -> OR HP, BUSY (increment left);\n"
		  " * old HP -> AND ~HP (a successful host clears HP). */\n"
		  "inline HPX_SH_H(w, b, bst) {\n"
		  "  lo = w; w = (w + 4) & WMASK;\n"
		  "  if\n"
		  "  :: lo & 1 -> w = w | 2; st = bst\n"
		  "  :: else -> if :: (lo >> 2) == HPX_FULL -> HALT :: else -> skip fi;\n"
		  "             if :: lo & 2 -> w = w & (WMASK - 2) :: else -> skip fi; lh = lh | b\n"
		  "  fi; lo = 0\n"
		  "}\n"
		  "/* guest: old HP -> XADD -4 (undo), BUSY_HOST_PRIORITY; old ex -> BUSY, increment left. */\n"
		  "inline HPX_SH_G(w, b, bst) {\n"
		  "  lo = w; w = (w + 4) & WMASK;\n"
		  "  if\n"
		  "  :: lo & 2 -> w = (w - 4) & WMASK; st = bst; lhp = 1\n"
		  "  :: (lo & 3) == 1 -> st = bst\n"
		  "  :: else -> if :: (lo >> 2) == HPX_FULL -> HALT :: else -> skip fi; lh = lh | b\n"
		  "  fi; lo = 0\n"
		  "}\n"
		  "/* acquire_sharex_lock_hp_ex, host: CAS 0->1; old == HP -> CAS 2->1; else OR HP, BUSY. */\n"
		  "inline HPX_EX_H(w, b, bst) {\n"
		  "  if\n"
		  "  :: w == 0 || w == 2 -> w = 1; lh = lh | b\n"
		  "  :: else -> w = w | 2; st = bst\n"
		  "  fi\n"
		  "}\n"
		  "/* guest: never sets HP; old == HP -> BUSY_HOST_PRIORITY. */\n"
		  "inline HPX_EX_G(w, b, bst) {\n"
		  "  if\n"
		  "  :: w == 0 -> w = 1; lh = lh | b\n"
		  "  :: w == 2 -> st = bst; lhp = 1\n"
		  "  :: else -> st = bst\n"
		  "  fi\n"
		  "}\n"
		  "/* release shared: XADD -4, misuse if old ex or counter 0. */\n"
		  "inline HPX_REL_SH(w, b) {\n"
		  "  lo = w; w = (w - 4) & WMASK;\n"
		  "  if :: (lo & 1) || (lo >> 2) == 0 -> HALT :: else -> skip fi; lh = lh & ~b; lo = 0\n"
		  "}\n"
		  "/* release exclusive: misuse if not ex; AND with 2: HP survives (§1.3). */\n"
		  "inline HPX_REL_EX(w, b) {\n"
		  "  if :: !(w & 1) -> HALT :: else -> w = w & 2 fi; lh = lh & ~b\n"
		  "}\n"
		  "/* §1.2 acquire_sharex_lock_sh: XADD +2; old ex -> BUSY, increment NOT undone. */\n"
		  "inline SX_SH(w, b, bst) {\n"
		  "  lo = w; w = (w + 2) & WMASK;\n"
		  "  if\n"
		  "  :: lo & 1 -> st = bst\n"
		  "  :: lo == SX_FULL_NW -> HALT\n"
		  "  :: else -> lh = lh | b\n"
		  "  fi; lo = 0\n"
		  "}\n"
		  "inline SX_EX(w, b, bst) {\n"
		  "  if :: w == 0 -> w = 1; lh = lh | b :: else -> st = bst fi\n"
		  "}\n"
		  "inline SX_REL_SH(w, b) {\n"
		  "  lo = w; w = (w - 2) & WMASK;\n"
		  "  if :: (lo & 1) || (lo >> 1) == 0 -> HALT :: else -> skip fi; lh = lh & ~b; lo = 0\n"
		  "}\n"
		  "/* release exclusive: XCHG 0 wipes the failed readers' increments. */\n"
		  "inline SX_REL_EX(w, b) {\n"
		  "  lo = w; w = 0; if :: !(lo & 1) -> HALT :: else -> skip fi; lh = lh & ~b; lo = 0\n"
		  "}\n"
		  "/* §1.1 mutex: CAS 0->1, CAS 1->0. */\n"
		  "inline MX_EX(w, b, bst) {\n"
		  "  if :: w == 0 -> w = 1; lh = lh | b :: else -> st = bst fi\n"
		  "}\n"
		  "inline MX_REL(w, b) {\n"
		  "  if :: w == 1 -> w = 0 :: else -> HALT fi; lh = lh & ~b\n"
		  "}\n"
		  "/* §1.4 sept_lock_acquire_host: BTS TDEL; was set -> BTS HP, plain BUSY; else BTR HP. */\n"
		  "inline SE_H(e, b, bst) {\n"
		  "  if\n"
		  "  :: e & E_TDEL -> e = e | E_HP; st = bst\n"
		  "  :: else -> e = (e | E_TDEL) & ~E_HP; ec = e; lh = lh | b\n"
		  "  fi\n"
		  "}\n"
		  "/* sept_lock_acquire_guest: BTS TDEL; was set -> BUSY; HP set -> BTR TDEL, BUSY_HOST_PRIORITY. */\n"
		  "inline SE_G(e, b, bst) {\n"
		  "  if\n"
		  "  :: e & E_TDEL -> st = bst\n"
		  "  :: !(e & E_TDEL) && (e & E_HP) -> st = bst; lhp = 1\n"
		  "  :: else -> e = e | E_TDEL; ec = e; lh = lh | b\n"
		  "  fi\n"
		  "}\n"
		  "/* sept_lock_release: misuse if TDEL clear; BTR TDEL, HP untouched. */\n"
		  "inline SE_REL(e, b) {\n"
		  "  if :: !(e & E_TDEL) -> HALT :: else -> e = e & ~E_TDEL fi; lh = lh & ~b\n"
		  "}\n\n");
	} else {
		P("inline HPX_SH_H(w, b, bst) {\n"
		  "  atomic { lo = w; w = (w + 4) & WMASK };                 /* LOCK XADD */\n"
		  "  if\n"
		  "  :: lo & 1 -> atomic { w = w | 2 }; st = bst               /* LOCK OR HP */\n"
		  "  :: else -> if :: (lo >> 2) == HPX_FULL -> HALT :: else -> skip fi;\n"
		  "             if :: lo & 2 -> atomic { w = w & (WMASK - 2) } :: else -> skip fi; lh = lh | b\n"
		  "  fi; lo = 0\n"
		  "}\n"
		  "inline HPX_SH_G(w, b, bst) {\n"
		  "  atomic { lo = w; w = (w + 4) & WMASK };\n"
		  "  if\n"
		  "  :: lo & 2 -> atomic { w = (w - 4) & WMASK }; st = bst; lhp = 1   /* undo: may follow a release_ex */\n"
		  "  :: (lo & 3) == 1 -> st = bst\n"
		  "  :: else -> if :: (lo >> 2) == HPX_FULL -> HALT :: else -> skip fi; lh = lh | b\n"
		  "  fi; lo = 0\n"
		  "}\n"
		  "inline HPX_EX_H(w, b, bst) {\n"
		  "  atomic { lo = w; if :: w == 0 -> w = 1 :: else -> skip fi };   /* CAS 0->1 */\n"
		  "  if\n"
		  "  :: lo == 0 -> lh = lh | b\n"
		  "  :: lo == 2 -> atomic { if :: w == 2 -> w = 1; lo = 0 :: else -> skip fi };  /* CAS 2->1 */\n"
		  "               if :: lo == 0 -> lh = lh | b :: else -> st = bst fi\n"
		  "  :: else -> atomic { w = w | 2 }; st = bst\n"
		  "  fi; lo = 0\n"
		  "}\n"
		  "inline HPX_EX_G(w, b, bst) {\n"
		  "  atomic { lo = w; if :: w == 0 -> w = 1 :: else -> skip fi };\n"
		  "  if :: lo == 0 -> lh = lh | b :: lo == 2 -> st = bst; lhp = 1 :: else -> st = bst fi; lo = 0\n"
		  "}\n"
		  "inline HPX_REL_SH(w, b) {\n"
		  "  atomic { lo = w; w = (w - 4) & WMASK };\n"
		  "  if :: (lo & 1) || (lo >> 2) == 0 -> HALT :: else -> skip fi; lh = lh & ~b; lo = 0\n"
		  "}\n"
		  "inline HPX_REL_EX(w, b) {\n"
		  "  atomic { lo = w };                                         /* load: ex set? */\n"
		  "  if :: !(lo & 1) -> HALT :: else -> atomic { w = w & 2 } fi; lh = lh & ~b; lo = 0\n"
		  "}\n"
		  "inline SX_SH(w, b, bst) {\n"
		  "  atomic { lo = w; w = (w + 2) & WMASK };\n"
		  "  if :: lo & 1 -> st = bst :: lo == SX_FULL_NW -> HALT :: else -> lh = lh | b fi; lo = 0\n"
		  "}\n"
		  "inline SX_EX(w, b, bst) {\n"
		  "  atomic { if :: w == 0 -> w = 1; lh = lh | b :: else -> st = bst fi }\n"
		  "}\n"
		  "inline SX_REL_SH(w, b) {\n"
		  "  atomic { lo = w; w = (w - 2) & WMASK };\n"
		  "  if :: (lo & 1) || (lo >> 1) == 0 -> HALT :: else -> skip fi; lh = lh & ~b; lo = 0\n"
		  "}\n"
		  "inline SX_REL_EX(w, b) {\n"
		  "  atomic { lo = w; w = 0 }; if :: !(lo & 1) -> HALT :: else -> skip fi; lh = lh & ~b; lo = 0\n"
		  "}\n"
		  "inline MX_EX(w, b, bst) {\n"
		  "  atomic { if :: w == 0 -> w = 1; lh = lh | b :: else -> st = bst fi }\n"
		  "}\n"
		  "inline MX_REL(w, b) {\n"
		  "  atomic { if :: w == 1 -> w = 0 :: else -> HALT fi }; lh = lh & ~b\n"
		  "}\n"
		  "inline SE_H(e, b, bst) {\n"
		  "  atomic { lo = e; e = e | E_TDEL };                          /* LOCK BTS 11 */\n"
		  "  if\n"
		  "  :: lo & E_TDEL -> atomic { e = e | E_HP }; st = bst           /* LOCK BTS 52 */\n"
		  "  :: else -> atomic { e = e & ~E_HP }; atomic { ec = e }; lh = lh | b  /* LOCK BTR 52; copy */\n"
		  "  fi; lo = 0\n"
		  "}\n"
		  "inline SE_G(e, b, bst) {\n"
		  "  atomic { lo = e; e = e | E_TDEL };                          /* LOCK BTS 11 */\n"
		  "  if\n"
		  "  :: lo & E_TDEL -> st = bst\n"
		  "  :: else -> atomic { lo = e };                               /* load: HP? */\n"
		  "     if :: lo & E_HP -> atomic { e = e & ~E_TDEL }; st = bst; lhp = 1\n"
		  "        :: else -> atomic { ec = e }; lh = lh | b fi\n"
		  "  fi; lo = 0\n"
		  "}\n"
		  "inline SE_REL(e, b) {\n"
		  "  atomic { lo = e };\n"
		  "  if :: !(lo & E_TDEL) -> HALT :: else -> atomic { e = e & ~E_TDEL } fi; lh = lh & ~b; lo = 0\n"
		  "}\n\n");
	}
}

/* ---- one leaf ------------------------------------------------------------------------------ */

/* The lock inline of a step: name and whether it is an acquire. */
static const char *lock_inline(const struct tdxsim_resource *r, enum tdxsim_mode mode, bool guest, bool release)
{
	switch (r->kind) {
	case TDXSIM_LK_MUTEX:
		return release ? "MX_REL" : "MX_EX";
	case TDXSIM_LK_SHAREX:
		if (release)
			return mode == TDXSIM_MODE_SHARED ? "SX_REL_SH" : "SX_REL_EX";
		return mode == TDXSIM_MODE_SHARED ? "SX_SH" : "SX_EX";
	case TDXSIM_LK_SHAREX_HP:
		if (release)
			return mode == TDXSIM_MODE_SHARED ? "HPX_REL_SH" : "HPX_REL_EX";
		if (mode == TDXSIM_MODE_SHARED)
			return guest ? "HPX_SH_G" : "HPX_SH_H";
		return guest ? "HPX_EX_G" : "HPX_EX_H";
	case TDXSIM_LK_SEPT_ENTRY:
		return release ? "SE_REL" : (guest ? "SE_G" : "SE_H");
	}
	return "?";
}

static uint64_t busy_of(const struct tdxsim_resource *r, const struct tdxsim_step *st)
{
	if (r->busy == TDXSIM_BUSY_STATUS)
		return r->busy_status;
	uint32_t op;
	if (st->busy_operand >= 0)
		op = (uint32_t)st->busy_operand;
	else if (r->busy == TDXSIM_BUSY_OPERAND)
		op = r->busy_operand;
	else
		op = st->reg >= 0 ? (uint32_t)st->reg : 0;
	return tdx_status_with_operand(TDX_OPERAND_BUSY, op);
}

struct lk {
	int step;                /* index of the lock step */
	char word[64];           /* lvalue, "" if elided */
	const char *rel;         /* release inline */
	enum tdxsim_hold hold;
	int res;
};

/* Emit one segment: the pending checks and one visible action, as one emulator step. */
static void seg(struct gen *g, const char *checks, const char *cond, const char *visible, bool visible_atomic_inside)
{
	bool instr = g->opt.atomicity == PML_ATOMIC_INSTR;
	bool has_checks = checks && checks[0];
	bool has_cond = cond && strcmp(cond, "true");
	if (instr && visible_atomic_inside) {
		P("  if\n  :: st == ST_OK ->\n");
		if (has_checks)
			P("     atomic { %s };\n", checks);
		if (has_cond)
			P("     if :: st == ST_OK && (%s) -> %s :: else -> skip fi\n", cond, visible);
		else if (has_checks)
			P("     if :: st == ST_OK -> %s :: else -> skip fi\n", visible);
		else
			P("     %s\n", visible);
		P("  :: else -> skip\n  fi;\n");
		return;
	}
	/* One transition: the step of a leaf that already failed is a local no-op. */
	P("  atomic {\n    if\n    :: st == ST_OK ->\n");
	if (has_checks)
		P("       %s;\n", checks);
	if (has_cond && has_checks)
		P("       if :: st == ST_OK && (%s) -> %s :: else -> skip fi\n", cond, visible);
	else if (has_cond)
		P("       if :: %s -> %s :: else -> skip fi\n", cond, visible);
	else if (has_checks)
		P("       if :: st == ST_OK -> %s :: else -> skip fi\n", visible);
	else
		P("       %s\n", visible);
	P("    :: else -> skip\n    fi\n  };\n");
}

static void pend_add(char *pend, size_t len, const char *code)
{
	size_t o = strlen(pend);
	snprintf(pend + o, len - o, "%s%s", o ? ";\n       " : "", code);
}

/* Generate inline L_<leaf>(V, P).  Returns -1 on something the export cannot express
 * (err set with the table line). */
static int emit_leaf(struct gen *g, const struct tdxsim_leaf *L, enum bind_kind bind, uint64_t *mask)
{
	char id[TDXSIM_NAME_MAX + 4];
	ident(L->name, id, sizeof(id));
	bool guest = L->side == TDXSIM_SIDE_GUEST;
	struct lk locks[16];
	unsigned nlk = 0;
	char pend[2048] = "";
	const char *tpath = g->t->path ? g->t->path : g->t->module;
	cur_mask = mask;
	leaf_status(g, TDX_SUCCESS);
	P("/* %s (leaf %u, %s), %s:%u\n * %s\n * Steps in table order; locks released in reverse order of acquisition. */\n",
	  L->name, L->number, guest ? "TDCALL" : "SEAMCALL", tpath, L->line, L->doc ? L->doc : "");
	P("inline L_%s(V, P) {\n  st = ST_OK; lh = 0; lundo = 0;\n", id);
	for (unsigned i = 0; i < L->nsteps; i++) {
		const struct tdxsim_step *st = &L->steps[i];
		const char *uns = NULL;
		char cond[256];
		/* hold: until_guest_entry locks go right before the last step (§3 step 18). */
		if (i + 1 == L->nsteps) {
			for (unsigned k = nlk; k-- > 0;) {
				if (locks[k].hold != TDXSIM_HOLD_UNTIL_GUEST_ENTRY || !locks[k].word[0])
					continue;
				char vis[256];
				snprintf(vis, sizeof(vis), "if :: lh & %u -> %s(%s, %u) :: else -> skip fi", 1u << k,
					 locks[k].rel, locks[k].word, 1u << k);
				P("  /* %s held until guest entry: released before the last step */\n",
				  g->t->res[locks[k].res].name);
				seg(g, pend, "true", vis, true);
				pend[0] = 0;
			}
		}
		if (sem_cond(g, st, bind, cond, sizeof(cond), &uns) < 0)
			return tab_fail(g, st->line, "%s: condition '%s' cannot be expressed in the Promela export", L->name, uns);
		switch (st->kind) {
		case TDXSIM_STEP_CHECK: {
			struct sem_out so;
			if (sem_step(g, L, st, bind, &so, &uns) < 0)
				return tab_fail(g, st->line, "%s: check '%s' cannot be expressed in the Promela export", L->name, uns);
			if (so.is_static) {
				P("  /* %u check %s (line %u): passes in every exported state */\n", i + 1, st->fn, st->line);
				break;
			}
			P("  /* %u check %s (line %u)%s%s */\n", i + 1, st->fn, st->line, st->when[0] ? " when " : "", st->when);
			char c[1400];
			if (strcmp(cond, "true"))
				snprintf(c, sizeof(c), "if :: %s -> %s :: else -> skip fi", cond, so.code);
			else
				snprintf(c, sizeof(c), "%s", so.code);
			pend_add(pend, sizeof(pend), c);
			break;
		}
		case TDXSIM_STEP_WALK:
		case TDXSIM_STEP_ASSOC:
		case TDXSIM_STEP_BODY: {
			struct sem_out so;
			if (sem_step(g, L, st, bind, &so, &uns) < 0)
				return tab_fail(g, st->line, "%s: %s '%s' cannot be expressed in the Promela export", L->name, tdxsim_step_kind_name(st->kind), uns);
			char vis[1600];
			size_t o = (size_t)snprintf(vis, sizeof(vis), "%s", so.code);
			if (st->undo[0]) {
				struct tdxsim_step us = *st;
				snprintf(us.fn, sizeof(us.fn), "%s", st->undo);
				o += (size_t)snprintf(vis + o, sizeof(vis) - o, "; lundo = 1");
			}
			for (unsigned r = 0; r < 4 && st->releases[r] >= 0; r++) {
				for (unsigned k = 0; k < nlk; k++)
					if (locks[k].res == st->releases[r] && locks[k].word[0])
						o += (size_t)snprintf(vis + o, sizeof(vis) - o, "; lh = lh & ~%u /* the store released %s */",
								      1u << k, g->t->res[locks[k].res].name);
			}
			P("  /* %u %s %s (line %u)%s%s */\n", i + 1, tdxsim_step_kind_name(st->kind), st->fn, st->line,
			  st->releases[0] >= 0 ? ", releases the entry lock in the same store" : "",
			  st->undo[0] ? ", undo on failure" : "");
			if (st->kind == TDXSIM_STEP_BODY && !strcmp(st->fn, "vp_enter_launch"))
				P("  /* the leaf completes: locks with hold: until_td_exit stay held */\n");
			seg(g, pend, cond, vis, false);
			pend[0] = 0;
			break;
		}
		case TDXSIM_STEP_LOCK: {
			const struct tdxsim_resource *r = &g->t->res[st->res];
			if (nlk == 16)
				return tab_fail(g, st->line, "%s: more than 16 lock steps", L->name);
			struct lk *k = &locks[nlk];
			const char *why;
			char wb[64];
			const char *w = word_of(g, L, st, bind, wb, sizeof(wb), &why);
			enum tdxsim_mode mode = (r->kind == TDXSIM_LK_SEPT_ENTRY || r->kind == TDXSIM_LK_MUTEX)
							? TDXSIM_MODE_EXCLUSIVE : st->mode;
			k->step = (int)i;
			k->res = st->res;
			k->hold = st->hold;
			k->rel = lock_inline(r, mode, guest, true);
			k->word[0] = 0;
			if (r->backing == TDXSIM_BACK_PAMT &&
			    (st->size == TDXSIM_PSIZE_EXISTING || st->size == TDXSIM_PSIZE_2M || st->size == TDXSIM_PSIZE_1G))
				return tab_fail(g, st->line, "%s: a PAMT lock of size %s cannot be expressed (4 KB pages only)", L->name, tdxsim_pamt_size_name(st->size));
			char desc[160];
			snprintf(desc, sizeof(desc), "%u lock %s%s%s %s, %s (line %u)", i + 1, r->name,
				 st->reg >= 0 ? " " : "", st->reg >= 0 ? (tdx_operand_name((uint32_t)st->reg) ? tdx_operand_name((uint32_t)st->reg) : "?") : "",
				 tdxsim_lock_kind_name(r->kind), mode == TDXSIM_MODE_SHARED ? "sh" : "ex", st->line);
			if (!w) {
				P("  /* %s: %s */\n", desc, why);
				nlk++;
				break;
			}
			snprintf(k->word, sizeof(k->word), "%s", w);
			uint64_t bv = busy_of(r, st);
			leaf_status(g, bv);
			if (r->backing == TDXSIM_BACK_PAMT && st->via == TDXSIM_VIA_REG)
				P("  /* %s; PAMT walk: the 1G and 2M entries are only ever taken shared in the\n"
				  "     exported flows (4 KB pages), so they can never be busy: elided */\n", desc);
			else
				P("  /* %s%s */\n", desc, st->hold == TDXSIM_HOLD_UNTIL_TD_EXIT ? ", held until TD exit" :
							st->hold == TDXSIM_HOLD_UNTIL_GUEST_ENTRY ? ", held until guest entry" : "");
			char vis[256];
			snprintf(vis, sizeof(vis), "%s(%s, %u, %s)", lock_inline(r, mode, guest, false), w, 1u << nlk,
				 st_name(g, bv));
			seg(g, pend, cond, vis, true);
			pend[0] = 0;
			nlk++;
			break;
		}
		case TDXSIM_STEP_RELEASE: {
			int k = -1;
			for (unsigned j = nlk; j-- > 0;)
				if (locks[j].res == st->res) {
					k = (int)j;
					break;
				}
			if (k < 0 || !locks[k].word[0]) {
				P("  /* %u release %s (line %u): elided lock */\n", i + 1, g->t->res[st->res].name, st->line);
				break;
			}
			P("  /* %u release %s (line %u) */\n", i + 1, g->t->res[st->res].name, st->line);
			char vis[256];
			snprintf(vis, sizeof(vis), "if :: lh & %u -> %s(%s, %u) :: else -> skip fi", 1u << k,
				 locks[k].rel, locks[k].word, 1u << k);
			seg(g, pend, "true", vis, true);
			pend[0] = 0;
			break;
		}
		}
	}
	if (pend[0]) {
		P("  /* trailing checks */\n");
		seg(g, pend, "true", "skip", false);
	}
	/* Unwind: undo bodies (failure only), then every lock still held, reverse order. */
	for (unsigned i = L->nsteps; i-- > 0;) {
		const struct tdxsim_step *st = &L->steps[i];
		if (!st->undo[0])
			continue;
		struct tdxsim_step us = *st;
		snprintf(us.fn, sizeof(us.fn), "%s", st->undo);
		struct sem_out so;
		const char *uns;
		if (sem_step(g, L, &us, bind, &so, &uns) < 0)
			return tab_fail(g, st->line, "%s: undo '%s' cannot be expressed", L->name, uns);
		P("  /* undo of step %u on failure: %s */\n", i + 1, st->undo);
		P("  if :: st != ST_OK && lundo -> atomic { %s; lundo = 0 } :: else -> skip fi;\n", so.code);
	}
	bool td_exit_holds = false;
	for (unsigned k = 0; k < nlk; k++)
		if (locks[k].hold == TDXSIM_HOLD_UNTIL_TD_EXIT)
			td_exit_holds = true;
	P("  /* unwind: release what is held, last acquired first%s */\n",
	  td_exit_holds ? " (on success the until_td_exit locks stay)" : "");
	for (unsigned k = nlk; k-- > 0;) {
		if (!locks[k].word[0])
			continue;
		if (locks[k].hold == TDXSIM_HOLD_UNTIL_TD_EXIT)
			P("  if :: st != ST_OK && (lh & %u) -> atomic { %s(%s, %u) } :: else -> skip fi;\n", 1u << k,
			  locks[k].rel, locks[k].word, 1u << k);
		else if (g->opt.atomicity == PML_ATOMIC_INSTR)
			P("  if :: lh & %u -> %s(%s, %u) :: else -> skip fi;\n", 1u << k, locks[k].rel, locks[k].word,
			  1u << k);
		else
			P("  if :: lh & %u -> atomic { %s(%s, %u) } :: else -> skip fi;\n", 1u << k, locks[k].rel,
			  locks[k].word, 1u << k);
	}
	P("  ec = 0; lep = 0; lundo = 0\n}\n\n");
	cur_mask = NULL;
	return 0;
}

/* The TD exit's releases of VP.ENTER's until_td_exit locks, reverse order (td_exit.c). */
static int emit_td_exit_releases(struct gen *g, const struct tdxsim_leaf *L)
{
	unsigned nlk = 0;
	struct lk locks[16];
	for (unsigned i = 0; i < L->nsteps; i++) {
		const struct tdxsim_step *st = &L->steps[i];
		if (st->kind != TDXSIM_STEP_LOCK)
			continue;
		const struct tdxsim_resource *r = &g->t->res[st->res];
		const char *why;
		char wb[64];
		const char *w = word_of(g, L, st, BIND_LEAF, wb, sizeof(wb), &why);
		enum tdxsim_mode mode = (r->kind == TDXSIM_LK_SEPT_ENTRY || r->kind == TDXSIM_LK_MUTEX)
						? TDXSIM_MODE_EXCLUSIVE : st->mode;
		locks[nlk].hold = st->hold;
		locks[nlk].res = st->res;
		locks[nlk].rel = lock_inline(r, mode, false, true);
		snprintf(locks[nlk].word, sizeof(locks[nlk].word), "%s", w ? w : "");
		nlk++;
	}
	P("/* The TD exit's releases of what %s holds until TD exit, reverse order\n"
	  " * (td_exit.c: after REFCOUNT[vcpu_epoch & 1]--), one step each.  V = vCPU. */\n"
	  "inline TD_EXIT_RELEASE(V, P) {\n", L->name);
	for (unsigned k = nlk; k-- > 0;)
		if (locks[k].hold == TDXSIM_HOLD_UNTIL_TD_EXIT && locks[k].word[0]) {
			if (g->opt.atomicity == PML_ATOMIC_INSTR)
				P("  %s(%s, %u);\n", locks[k].rel, locks[k].word, 1u << k);
			else
				P("  atomic { %s(%s, %u) };\n", locks[k].rel, locks[k].word, 1u << k);
		}
	P("  lh = 0\n}\n\n");
	return 0;
}

/* ---- the policy -------------------------------------------------------------------------------- */

static const char *act_ident(enum tdxsim_action a)
{
	switch (a) {
	case TDXSIM_ACT_OK: return "A_OK";
	case TDXSIM_ACT_ERRNO: return "A_ERRNO";
	case TDXSIM_ACT_RETRY: return "A_RETRY";
	case TDXSIM_ACT_KICK_RETRY: return "A_KICK_RETRY";
	case TDXSIM_ACT_BUG: return "A_BUG";
	case TDXSIM_ACT_EXIT_FASTPATH: return "A_EXIT_FASTPATH";
	case TDXSIM_ACT_REENTER: return "A_REENTER";
	case TDXSIM_ACT_WARN: return "A_WARN";
	}
	return "A_BUG";
}

/* Attempts after which every decision of (site, leaf) stays the same. */
static unsigned policy_sat(struct gen *g, enum tdxsim_site site, const struct tdxsim_leaf *L, uint64_t mask)
{
	unsigned sat = 1;
	for (unsigned i = 0; i < g->nst; i++) {
		if (!((mask >> i) & 1))
			continue;
		struct tdxsim_decision prev = tdxsim_policy_decide(&g->s->policy, site, L->number, g->stv[i], 0);
		for (unsigned a = 1; a < PML_MAXATT; a++) {
			struct tdxsim_decision d = tdxsim_policy_decide(&g->s->policy, site, L->number, g->stv[i], a);
			if (d.action != prev.action || d.err != prev.err)
				sat = a + 1 > sat ? a + 1 : sat;
			prev = d;
		}
	}
	return sat;
}

static void emit_decide(struct gen *g, enum tdxsim_site site, const struct tdxsim_leaf *L, uint64_t mask,
			unsigned *sat_out)
{
	char id[TDXSIM_NAME_MAX + 4];
	ident(L->name, id, sizeof(id));
	unsigned sat = policy_sat(g, site, L, mask);
	if (g->s->properties & TDXSIM_PROP_RETRY_BOUND && g->s->retry_bound + 1 > sat)
		sat = g->s->retry_bound + 1;
	if (sat > 250)
		sat = 250;
	*sat_out = sat;
	P("/* Policy %s at site %s for %s: tdxsim_policy_decide() for every status this leaf\n"
	  " * can return and every attempt (the counter saturates at %u, after which no decision\n"
	  " * changes). */\n", g->s->policy.name, tdxsim_site_name(site), L->name, sat);
	P("inline DECIDE_%s_%s(s, a) {\n  if\n", site_ident(site), id);
	for (unsigned i = 0; i < g->nst; i++) {
		if (!((mask >> i) & 1))
			continue;
		struct tdxsim_decision prev = tdxsim_policy_decide(&g->s->policy, site, L->number, g->stv[i], 0);
		unsigned from = 0;
		for (unsigned a = 1; a <= sat; a++) {
			struct tdxsim_decision d = a < sat ? tdxsim_policy_decide(&g->s->policy, site, L->number, g->stv[i], a)
							   : prev;
			if (a < sat && d.action == prev.action && d.err == prev.err)
				continue;
			if (a == sat)
				P("  :: s == %s && a >= %u -> act = %s; aerr = %d   /* 0x%016llx */\n", g->stn[i], from,
				  act_ident(prev.action), prev.err, (unsigned long long)g->stv[i]);
			else
				P("  :: s == %s && a >= %u && a < %u -> act = %s; aerr = %d\n", g->stn[i], from, a,
				  act_ident(prev.action), prev.err);
			prev = d;
			from = a;
		}
	}
	P("  :: else -> act = A_BUG\n  fi\n}\n\n");
}

/* ---- building the context from the scenario ---------------------------------------------------- */

static int add_page(struct gen *g, uint64_t gpa, unsigned line)
{
	for (unsigned i = 0; i < g->np; i++)
		if (g->gpa[i] == gpa)
			return (int)i;
	if (g->np == PML_MAXP)
		return gen_fail(g, line, "the Promela export tracks at most %d GPA pages; this scenario touches more",
				PML_MAXP);
	/* keep sorted */
	unsigned i = g->np++;
	while (i > 0 && g->gpa[i - 1] > gpa) {
		g->gpa[i] = g->gpa[i - 1];
		i--;
	}
	g->gpa[i] = gpa;
	return 0;
}

static int page_index(const struct gen *g, uint64_t gpa)
{
	for (unsigned i = 0; i < g->np; i++)
		if (g->gpa[i] == gpa)
			return (int)i;
	return -1;
}

static const char *vmm_prog_name(int id)
{
	switch (id) {
	case VMM_PROG_VCPU_RUN: return "vcpu_run";
	case VMM_PROG_MODULE_INIT: return "module_init";
	case VMM_PROG_CPU_ONLINE: return "cpu_online";
	case VMM_PROG_CPU_OFFLINE: return "cpu_offline";
	case VMM_PROG_TD_CREATE: return "td_create";
	case VMM_PROG_TD_INIT_MEM: return "td_init_mem";
	case VMM_PROG_TD_FINALIZE: return "td_finalize";
	case VMM_PROG_VCPU_INIT: return "vcpu_init";
	case VMM_PROG_ZAP_RANGE: return "zap_range";
	case VMM_PROG_MEMSLOT_DELETE: return "memslot_delete";
	case VMM_PROG_TD_TEARDOWN: return "td_teardown";
	case VMM_PROG_PREFAULT: return "prefault";
	}
	return "?";
}

static const char *guest_prog_name(int id)
{
	switch (id) {
	case GUEST_PROG_IDLE: return "idle";
	case GUEST_PROG_ACCEPT: return "accept";
	case GUEST_PROG_ACCESS_SEQ: return "access_seq";
	case GUEST_PROG_ACCESS_RANDOM: return "access_random";
	case GUEST_PROG_ZERO_STEP: return "zero_step";
	case GUEST_PROG_MAPGPA: return "mapgpa";
	}
	return "?";
}

static int collect(struct gen *g, struct engine *e)
{
	struct tdxsim_scenario *s = g->s;
	void *vmm = engine_vmm(e);
	struct kvm_global *kg = kvm_g(vmm);
	struct tdxsim_mod *m = &e->w->mod;

	unsigned aline = s->nactors ? s->actors[0].line : 1;
	unsigned sline = s->nsetup ? s->setup[s->nsetup - 1].line : aline;
	if (s->n_vms != 1)
		return gen_fail(g, aline, "the Promela export models one TD; this scenario has td.vms = %u", s->n_vms);
	if (s->n_vcpus > PML_MAXV)
		return gen_fail(g, aline, "the Promela export models at most %d vCPUs (td.vcpus = %u)", PML_MAXV,
				s->n_vcpus);
	if (s->nactors > PML_MAXA)
		return gen_fail(g, aline, "the Promela export models at most %d actors (%u given)", PML_MAXA, s->nactors);
	g->nv = s->n_vcpus;
	g->kernel = (unsigned)s->kernel;

	/* Pages: every range an actor program names. */
	for (unsigned i = 0; i < s->nactors; i++) {
		const struct tdxsim_actor_spec *a = &s->actors[i];
		struct actor *ac = &g->act[g->nact++];
		memset(ac, 0, sizeof(*ac));
		ac->sp = a;
		ac->idx = i;
		ac->page0 = -1;
		uint64_t gpa = 0, n = 0;
		if (a->kind == TDXSIM_ACTOR_VCPU) {
			ac->vcpu = a->vcpu;
			ac->entries = (unsigned)a->host.a[2];
			if (ac->entries > 200)
				return gen_fail(g, a->line, "vCPU entries bound %u is too large for the Promela export (<= 200)",
						ac->entries);
			switch (a->guest.id) {
			case GUEST_PROG_IDLE:
				break;
			case GUEST_PROG_ACCEPT:
			case GUEST_PROG_ZERO_STEP:
				gpa = a->guest.a[0];
				n = a->guest.a[1];
				break;
			case GUEST_PROG_ACCESS_SEQ:
				gpa = a->guest.a[0];
				n = a->guest.a[1];
				ac->rounds = a->guest.a[2] ? (unsigned)a->guest.a[2] : 1;
				if (ac->rounds > 250)
					return gen_fail(g, a->guest.line, "access_seq: at most 250 rounds in the Promela export");
				break;
			default:
				return gen_fail(g, a->guest.line ? a->guest.line : a->line,
						"guest program '%s' cannot be expressed in the Promela export (supported: "
						"idle, accept, access_seq, zero_step)", guest_prog_name(a->guest.id));
			}
			if (a->guest.id == GUEST_PROG_ACCEPT) {
				/* Linux tries 1G and 2M first when the range fits: not modelled. */
				uint64_t end = gpa + n * 4096;
				bool fits2m = !(gpa & ((2ull << 20) - 1)) && end - gpa >= (2ull << 20);
				if (fits2m)
					return gen_fail(g, a->guest.line, "accept: a 2 MB-aligned range of 512 pages or more "
									  "(2 MB ACCEPTs) cannot be expressed in the Promela export");
			}
		} else {
			switch (a->host.id) {
			case VMM_PROG_ZAP_RANGE:
			case VMM_PROG_PREFAULT:
				gpa = a->host.a[1];
				n = a->host.a[2];
				if (a->host.a[0] != 0)
					return gen_fail(g, a->line, "only VM 0 is modelled");
				break;
			case VMM_PROG_MEMSLOT_DELETE: {
				unsigned sl = (unsigned)a->host.a[1];
				if (sl >= kg->n_memslots)
					return gen_fail(g, a->line, "memslot %u does not exist", sl);
				struct kvm_memslot *ms = kvm_slot(vmm, 0, sl);
				gpa = ms->base;
				n = ms->npages;
				break;
			}
			default:
				return gen_fail(g, a->line, "host program '%s' cannot be expressed in the Promela export "
							    "(supported: vcpu_run, zap_range, memslot_delete, prefault)",
						vmm_prog_name(a->host.id));
			}
		}
		if (n > PML_MAXP)
			return gen_fail(g, a->line, "the Promela export tracks at most %d GPA pages (this actor names %llu)",
					PML_MAXP, (unsigned long long)n);
		for (uint64_t k = 0; k < n; k++)
			if (add_page(g, gpa + k * 4096, a->line) < 0)
				return -1;
		ac->npages = (unsigned)n;
		ac->gpa0 = gpa;
		if (n)
			ac->page0 = 0; /* resolved below */
		if (a->kind == TDXSIM_ACTOR_THREAD && a->host.id == VMM_PROG_PREFAULT)
			g->has_vcpu_mutex_user = true;
	}
	/* Resolve the actors' first pages now that the page list is complete (ranges stay
	 * contiguous in the sorted list only if no page in between is missing: check). */
	for (unsigned i = 0; i < g->nact; i++) {
		struct actor *ac = &g->act[i];
		if (ac->page0 < 0)
			continue;
		uint64_t gpa = ac->gpa0;
		int p = page_index(g, gpa);
		for (unsigned k = 0; k < ac->npages; k++)
			if (page_index(g, gpa + k * 4096) != p + (int)k)
				return gen_fail(g, ac->sp->line, "internal: page range not contiguous");
		ac->page0 = p;
	}

	g->el = g->np < PML_MAXEL ? g->np : PML_MAXEL;
	if (!g->el)
		g->el = 1;
	for (unsigned i = 0; i < g->nact; i++) {
		const struct tdxsim_actor_spec *a = g->act[i].sp;
		if (a->kind == TDXSIM_ACTOR_THREAD) {
			g->threads_mask |= 1u << i;
		} else {
			g->vcpus_mask |= 1u << i;
			if (a->guest.id == GUEST_PROG_IDLE)
				g->idle_mask |= 1u << i;
			for (unsigned j = 0; j < i; j++)
				if (g->act[j].sp->kind == TDXSIM_ACTOR_VCPU && g->act[j].vcpu == a->vcpu)
					return gen_fail(g, a->line, "two actors for vCPU %u", a->vcpu);
		}
	}
	/* Scenario inputs. */
	for (unsigned i = 0; i < s->ninputs; i++) {
		const struct tdxsim_input *in = &s->inputs[i];
		switch (in->kind) {
		case TDXSIM_IN_INJECT:
			if (in->at_ns || in->every_ns)
				return gen_fail(g, in->line, "input inject: only an injection at the start (no at/every) "
							     "can be expressed in the Promela export");
			if (g->ninj == 8)
				return gen_fail(g, in->line, "at most 8 injections in the Promela export");
			if (in->count > 30000)
				return gen_fail(g, in->line, "inject count %u too large for the Promela export", in->count);
			g->inj[g->ninj].leaf = in->leaf;
			g->inj[g->ninj].lp = in->lp;
			g->inj[g->ninj].count = in->count;
			g->inj[g->ninj].status = in->status;
			g->ninj++;
			break;
		case TDXSIM_IN_EVENT:
		case TDXSIM_IN_SIGNAL:
			if (!in->value)
				break; /* clearing a flag nobody set: nothing to model */
			if (in->vm != 0 || in->vcpu >= g->nv)
				return gen_fail(g, in->line, "input for a vCPU that is not modelled");
			if (g->nenv == 8)
				return gen_fail(g, in->line, "at most 8 event/signal inputs in the Promela export");
			g->env[g->nenv].vcpu = in->vcpu;
			g->env[g->nenv].signal = in->kind == TDXSIM_IN_SIGNAL;
			g->env[g->nenv].periodic = in->every_ns != 0;
			g->env[g->nenv].line = in->line;
			g->nenv++;
			break;
		default:
			return gen_fail(g, in->line, "this input kind cannot be expressed in the Promela export "
						     "(supported: inject at the start, event, signal)");
		}
	}
	/* The TD after setup. */
	struct kvm_vm *kv = kvm_vm(vmm, 0);
	if (!kv->tdr)
		return gen_fail(g, sline, "the setup creates no TD: nothing to export (add td_create to setup)");
	uint32_t tdr_frame = kv->tdr - 1;
	uint32_t td = mod_frame(m, tdr_frame)->idx;
	struct td_obj *tdo = mod_td(m, td);
	g->runnable = kv->td_state == TD_STATE_RUNNABLE;
	g->op_state = atomic_load(&tdo->op_state);
	g->op_tlb = op_state_tlb(g->op_state);
	if (!g->runnable)
		return gen_fail(g, sline, "the TD is not runnable after setup (add td_finalize): the exported flows "
				      "start from a runnable TD");
	if (kv->dead)
		return gen_fail(g, sline, "the VM is already dead after setup");
	uint64_t e64 = atomic_load(&tdo->td_epoch);
	if (e64 > 200)
		return gen_fail(g, sline, "TD epoch %llu after setup is too large for the export", (unsigned long long)e64);
	g->td_epoch0 = (uint8_t)e64;
	g->refcnt0[0] = (uint8_t)atomic_load(&tdo->refcount[0]);
	g->refcnt0[1] = (uint8_t)atomic_load(&tdo->refcount[1]);
	if (atomic_load(&tdo->op_state_lock) || atomic_load(&tdo->sept_lock) || atomic_load(&tdo->epoch_lock))
		return gen_fail(g, sline, "a TD lock word is not free after setup");
	for (unsigned v = 0; v < g->nv; v++) {
		struct kvm_vcpu *kvc = kvm_vcpu(vmm, 0, v);
		if (!kvc->initialized)
			return gen_fail(g, sline, "vCPU %u is not initialized after setup (add vcpu_init)", v);
		uint32_t vi = mod_frame(m, kvc->tdvpr - 1)->idx;
		struct vcpu_obj *vo = mod_vcpu(m, vi);
		g->vcpu_epoch0[v] = (uint8_t)vo->vcpu_epoch;
		g->epf_cnt0[v] = vo->possibly_epf_stepping;
		for (unsigned k = 0; k < vo->last_epf_gpa_list_idx && k < EPF_GPA_LIST_SIZE; k++) {
			int p = page_index(g, vo->last_epf_gpa_list[k] & ~0xFFFull);
			if (p < 0 || k >= g->el)
				return gen_fail(g, sline, "vCPU %u's zero-step list holds a GPA no actor names", v);
			g->epfl0[v][k] = (uint8_t)p;
			g->epfn0[v] = (uint8_t)(k + 1);
		}
	}
	/* Pages: SEPT leaf, mirror, BEPOCH, memslot; links. */
	g->nslots = kg->n_memslots;
	if (g->nslots > PML_MAXSLOT)
		return gen_fail(g, aline, "at most %d memslots in the Promela export", PML_MAXSLOT);
	for (unsigned sl = 0; sl < g->nslots; sl++)
		if (kvm_slot(vmm, 0, sl)->present)
			g->slot_present0 |= (uint8_t)(1u << sl);
	g->all_links_present = true;
	for (unsigned p = 0; p < g->np; p++) {
		uint64_t gpa = g->gpa[p];
		int64_t kp = kvm_gpa_page(vmm, gpa);
		if (kp < 0)
			return gen_fail(g, aline, "GPA 0x%llx is outside the VMM's private range", (unsigned long long)gpa);
		struct kvm_leaf *lf = kvm_leaf_at(vmm, 0, (unsigned)kp);
		if (lf->state == MS_PREMAPPED || lf->state == MS_FROZEN)
			return gen_fail(g, sline, "GPA 0x%llx: mirror state %u after setup cannot be expressed",
					(unsigned long long)gpa, lf->state);
		g->mirror0[p] = lf->state == MS_PRESENT ? 2 : 0;
		g->pslot[p] = -1;
		for (unsigned sl = 0; sl < g->nslots; sl++) {
			struct kvm_memslot *ms = kvm_slot(vmm, 0, sl);
			if (gpa >= ms->base && gpa < ms->base + ms->npages * 4096)
				g->pslot[p] = (int)sl;
		}
		struct sept_walk w;
		if (sept_walk(m, td, gpa, 0, &w)) {
			enum sept_state ss = sept_state_of(w.entry);
			if (ss == SEPT_STATE_INVALID || (w.entry & (SEPT_TDEL | SEPT_HP)))
				return gen_fail(g, sline, "GPA 0x%llx: SEPT entry 0x%llx after setup cannot be expressed",
						(unsigned long long)gpa, (unsigned long long)w.entry);
			g->sept0[p] = (uint8_t)ss;
			uint32_t fr = mod_frame_of(m, sept_hpa(w.entry));
			if (sept_state_is_leaf(ss) && fr != UINT32_MAX) {
				uint64_t be = mod_pamt(m, PAMT_4K, fr)->bepoch;
				g->bepoch0[p] = (uint8_t)(be > 200 ? 200 : be);
			}
		} else {
			g->sept0[p] = SEPT_FREE;
		}
		for (unsigned tl = 1; tl <= 3; tl++) {
			uint64_t key = gpa >> (12 + 9 * tl);
			int li = -1;
			for (unsigned l = 0; l < g->nl; l++)
				if (g->link_tl[l] == tl && g->link_key[l] == key)
					li = (int)l;
			if (li < 0) {
				if (g->nl == PML_MAXL)
					return gen_fail(g, aline, "too many S-EPT tables for the Promela export");
				li = (int)g->nl++;
				g->link_tl[li] = tl;
				g->link_key[li] = key;
				struct kvm_link *k = kvm_link_of(vmm, 0, tl, gpa);
				g->mlink0[li] = k && k->state == MS_PRESENT ? 2 : 0;
				if (k && k->state == MS_FROZEN)
					return gen_fail(g, sline, "a mirror link is frozen after setup");
				struct sept_walk w2;
				if (sept_walk(m, td, gpa, tl, &w2)) {
					enum sept_state ss = sept_state_of(w2.entry);
					g->nle0[li] = ss == SEPT_NL_MAPPED ? SEPT_NL_MAPPED : SEPT_FREE;
				} else {
					g->nle0[li] = SEPT_FREE;
				}
				if (g->nle0[li] != SEPT_NL_MAPPED || g->mlink0[li] != 2)
					g->all_links_present = false;
			}
			g->plink[p][tl] = li;
		}
	}
	return 0;
}

/* ---- the model text ------------------------------------------------------------------------------ */

static void emit_header(struct gen *g)
{
	struct tdxsim_scenario *s = g->s;
	char opts[160] = "";
	if (s->policy_overridden)
		snprintf(opts, sizeof(opts), " --policy %s", s->policy.name);
	if (g->opt.atomicity == PML_ATOMIC_INSTR)
		snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), " --atomicity instr");
	if (g->wbits == 16)
		snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), " --word-bits 16");
	if (g->opt.hp_timeout_n != 2)
		snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), " --hp-timeout-after %u",
			 g->opt.hp_timeout_n);
	P("/*\n * Promela model of tdxsim scenario '%s', generated by\n"
	  " *   tdxsim export --promela%s %s\n"
	  " * Do not edit: regenerate it (scripts/spin-crosscheck.sh).  docs/export.md describes the\n"
	  " * model, what it abstracts, and how SPIN's verdicts compare with tdxsim check's.\n *\n",
	  s->name, opts, s->path ? s->path : "?");
	if (s->doc) {
		/* The scenario's doc, word-wrapped at 86 columns. */
		const char *c = s->doc;
		unsigned col = 0;
		P(" *");
		while (*c) {
			while (*c == ' ' || *c == '\n')
				c++;
			size_t w = strcspn(c, " \n");
			if (!w)
				break;
			if (col && col + 1 + w > 86) {
				P("\n *");
				col = 0;
			}
			P(" ");
			for (size_t k = 0; k < w; k++)
				P("%c", c[k] == '*' && k + 1 < w && c[k + 1] == '/' ? '+' : c[k]);
			col += 1 + (unsigned)w;
			c += w;
		}
		P("\n *\n");
	}
	const char *mb = strrchr(s->module, '/') ? strrchr(s->module, '/') + 1 : s->module;
	P(" * module %s (%s), VMM %s (kernel %s), policy %s\n", s->module_name, mb, s->vmm_name,
	  s->kernel_name, s->policy.name);
	P(" * TD: %u vCPU(s), %u GPA page(s) modelled, %u S-EPT table link(s), op_state %s\n", g->nv, g->np, g->nl,
	  tdxsim_op_state_name((enum tdxsim_op_state)g->op_state));
	P(" * Atomicity: %s; lock words %u bits.\n *\n",
	  g->opt.atomicity == PML_ATOMIC_INSTR ? "per atomic instruction" : "per emulator step", g->wbits);
	P(" * Properties (one SPIN run each; scripts/spin-run.sh does it):\n");
	for (unsigned b = 0; b < 9; b++) {
		enum tdxsim_property p = (enum tdxsim_property)(1u << b);
		if (!(s->properties & p))
			continue;
		struct pml_prop_run r;
		bool ok = tdxsim_promela_prop_run(p, &r);
		if (ok && p == TDXSIM_PROP_STARVATION && s->starve_class == TDXSIM_ACTOR_THREAD)
			r.define = "-DP_STARVE_THREAD";
		if (!ok) {
			P(" *   %-12s not expressible in this model (tdxsim check only)\n", tdxsim_property_name(p));
			continue;
		}
		const char *ex = s->expect_check.set ? ((s->expect_check.violated & p) ? " [expect: violated]"
						       : (s->expect_check.holds & p) ? " [expect: holds]" : "") : "";
		P(" *   %-12s spin -a %s model.pml && gcc -O2 %s -o pan pan.c && ./pan %s%s\n"
		  " *                %s\n", tdxsim_property_name(p), r.define, r.cc, r.pan, ex, r.how);
	}
	P(" */\n\n");
}

static void emit_props(struct gen *g)
{
	struct tdxsim_scenario *s = g->s;
	P("/* ---- Properties: which one is checked is a cpp switch ---- */\n"
	  "#ifdef P_VM_BUG\n#define ON_VM_BUG assert(false) /* KVM_BUG_ON / kvm_vm_dead: the VM is dead */\n"
	  "#else\n#define ON_VM_BUG skip\n#endif\n"
	  "#ifdef P_HALT\n#define HALT assert(false) /* tdx_sanity_check: the module halts */\n"
	  "#else\n#define HALT halted = 1\n#endif\n"
	  "#ifdef P_USER_EXIT\n#define ON_USER_EXIT assert(false) /* a vCPU exits to userspace with an error */\n"
	  "#else\n#define ON_USER_EXIT skip\n#endif\n");
	P("#ifdef P_RETRY_BOUND\n#define RETRY_CHECK(n) assert((n) <= %u) /* retries per flow <= retry_bound */\n"
	  "#else\n#define RETRY_CHECK(n) skip\n#endif\n", s->retry_bound);
	P("/* Progress (livelock: -DNP finds a fair cycle through no progress label; starvation:\n"
	  " * only the starving class's progress counts).  Progress is what tdxsim check calls\n"
	  " * progress: an actor finishing, a VMM flow ending (fault, removal, kick), the guest\n"
	  " * accepting or touching memory (GPROGRESS: the vCPU class's progress too).  MON\n"
	  " * (below) makes a cycle without pending work count as progress. */\n"
	  "#if defined(P_LIVELOCK) || defined(P_STARVE_VCPU)\n#define GPROG_ON 1\n#endif\n"
	  "#if defined(P_LIVELOCK)\n#define VPROG_ON 1\n#endif\n"
	  "#if defined(P_LIVELOCK) || defined(P_STARVE_THREAD)\n#define TPROG_ON 1\n#endif\n\n");
}

static void emit_globals(struct gen *g)
{
	struct tdxsim_scenario *s = g->s;
	P("/* ---- Sizes ---- */\n#define NV %u   /* vCPUs */\n#define NP %u   /* GPA pages modelled */\n"
	  "#define NL %u   /* non-leaf S-EPT entries (links) */\n"
	  "#define EL %u   /* §4 zero-step list entries modelled per vCPU (EPF_GPA_LIST_SIZE = 32) */\n"
	  "#define NI %u   /* SEAMCALL fault injections (scenario inputs) */\n"
	  "#define THREADS %u   /* actor bits of the host threads */\n"
	  "#define VCPUS %u     /* actor bits of the vCPUs */\n\n",
	  g->nv, g->np, g->nl ? g->nl : 1, g->el, g->ninj ? g->ninj : 1, g->threads_mask, g->vcpus_mask);
	P("/* Model pages (index: GPA, memslot, state after setup):\n");
	for (unsigned p = 0; p < g->np; p++)
		P(" *  %2u  0x%09llx  slot %d  %s%s\n", p, (unsigned long long)g->gpa[p], g->pslot[p],
		  sept_state_name((enum sept_state)g->sept0[p]), g->mirror0[p] == 2 ? ", mirror present" : "");
	P(" * Links (non-leaf entries): ");
	for (unsigned l = 0; l < g->nl; l++)
		P("%s%u = level %u %s", l ? ", " : "", l, g->link_tl[l], g->nle0[l] == SEPT_NL_MAPPED ? "NL_MAPPED" : "FREE");
	P(" */\n\n");
	P("/* SEPT states (§5.1 index) */\n");
	for (int i = 0; i < SEPT_STATE_COUNT; i++)
		P("#define S_%s %d\n", sept_state_name((enum sept_state)i), i);
	P("#define E_TDEL %u\n#define E_HP %u\n", E_TDEL, E_HP);
	P("#define SIN(e, mask) (((1 << ((e) & 15)) & (mask)) != 0)   /* entry state in a set */\n\n");
	P("/* Statuses: one id per 64-bit value an exported leaf can complete with */\n");
	for (unsigned i = 0; i < g->nst; i++)
		P("#define %-44s %2u   /* 0x%016llx */\n", g->stn[i], i, (unsigned long long)g->stv[i]);
	P("#define IS_SW_ERROR(s) (false");
	for (unsigned i = 0; i < g->nst; i++)
		if ((g->stv[i] & TDX_SW_ERROR) == TDX_SW_ERROR)
			P(" || (s) == %s", g->stn[i]);
	P(")\n");
	P("#define IS_OPERAND_BUSY(s) (false");
	for (unsigned i = 0; i < g->nst; i++)
		if ((g->stv[i] & TDX_SEAMCALL_STATUS_MASK) == TDX_OPERAND_BUSY)
			P(" || (s) == %s", g->stn[i]);
	P(")\n");
	P("\n/* Policy actions (enum tdxsim_action) and SEAMCALL-helper results */\n"
	  "#define A_OK 0\n#define A_ERRNO 1\n#define A_RETRY 2\n#define A_KICK_RETRY 3\n#define A_BUG 4\n"
	  "#define A_EXIT_FASTPATH 5\n#define A_REENTER 6\n#define A_WARN 7\n"
	  "#define SC_OK 0\n#define SC_BUG 1\n#define SC_ERRNO 2\n#define SC_WARN 3\n"
	  "/* TD exit reasons */\n#define XR_NONE 0\n#define XR_EPT 1\n#define XR_EPTP 2\n#define XR_ACCEPT 3\n"
	  "#define XR_VMCALL 4\n#define XR_INTR 5\n#define XR_HPTO 6\n"
	  "/* RET_PF_* and KVM_RUN results */\n#define PF_GO 0\n#define PF_RETRY 1\n#define PF_FIXED 2\n"
	  "#define PF_SPURIOUS 3\n#define PF_EFAULT 4\n#define PF_EIO 5\n"
	  "#define R_CONT 1\n#define R_ZERO 0\n#define R_EIO 2\n#define R_EFAULT 3\n#define R_ERRNO 4\n#define R_EINTR 5\n"
	  "/* vcpu->mode, mirror SPTE states, requests */\n#define M_OUT 0\n#define M_IN 1\n#define M_EXITING 2\n"
	  "#define MS_NONE 0\n#define MS_FROZEN 1\n#define MS_PRESENT 2\n#define REQ_DEAD 1\n\n");

	const char *wt = g->wbits == 16 ? "unsigned" : "byte";
	const char *ws = g->wbits == 16 ? " : 16" : "";
	P("/* ---- Module state ---- */\n/* lock words, one per instance the scenario can touch (scope-resolved) */\n");
	for (unsigned r = 0; r < g->t->nres; r++) {
		if (!g->used_res[r])
			continue;
		const struct tdxsim_resource *res = &g->t->res[r];
		if (res->scope == TDXSIM_SCOPE_VCPU)
			P("%s w_%s[NV]%s;%*s/* %s, %s: one per vCPU */\n", wt, res->name, ws, 12, "",
			  tdxsim_lock_kind_name(res->kind), res->backing == TDXSIM_BACK_PAMT ? "PAMT entry" : "field");
		else if (res->scope == TDXSIM_SCOPE_HPA)
			P("%s w_%s[NP]%s;%*s/* %s, PAMT 4K entry of the page backing each GPA page */\n", wt, res->name, ws,
			  12, "", tdxsim_lock_kind_name(res->kind));
		else
			P("%s w_%s%s;%*s/* %s, %s (%s) */\n", wt, res->name, ws, 16, "", tdxsim_lock_kind_name(res->kind),
			  res->backing == TDXSIM_BACK_PAMT ? "PAMT entry of the TD's TDR page" : tdxsim_lock_field_name(res->field),
			  tdxsim_scope_name(res->scope));
	}
	P("byte sept[NP];              /* leaf SEPT entries: state | TDEL | HP */\n"
	  "byte nle[NL];               /* non-leaf SEPT entries over the pages (levels 1..3) */\n"
	  "byte td_epoch = %u;         /* §5.3 */\nbyte refcnt[2];\nbyte vcpu_epoch[NV];\n"
	  "byte bepoch[NP];            /* PAMT BEPOCH of each page (recorded by BLOCK) */\n"
	  "byte epf_cnt[NV];           /* §4 possibly_epf_stepping, 0..6 */\n"
	  "byte epfl[NV * EL];         /* §4 last_epf_gpa_list (page indices), EL entries per vCPU */\n"
	  "byte epfn[NV];              /* §4 last_epf_gpa_list_idx */\n"
	  "byte hpb[NV];               /* §1.7 consecutive host-priority BUSYs of the vCPU's TDCALLs */\n"
	  "bit halted;\n\n", g->td_epoch0);
	P("/* ---- VMM state (src/vmm/kvm.h) ---- */\n"
	  "byte mmu_rd; bit mmu_wr;    /* kvm->mmu_lock (rwlock) */\n"
	  "bit slots_lk;               /* kvm->slots_lock */\n"
	  "bit vmutex[NV];             /* vcpu->mutex */\n"
	  "byte srcu_rd, srcu_wait;    /* kvm->srcu readers, and those a synchronize_srcu waits for (actor bits) */\n"
	  "byte vmode[NV];             /* vcpu->mode */\nbyte vreq[NV];              /* KVM_REQ_VM_DEAD */\n"
	  "byte ipi[NV];               /* unacknowledged kick IPIs, by kicking actor */\n"
	  "byte zap_wait;              /* wait_for_sept_zap (a nesting count) */\n"
	  "bit vm_dead, vm_bugged;\n"
	  "byte mirror[NP];            /* mirror EPT leaf SPTE: MS_NONE/FROZEN/PRESENT */\n"
	  "byte mlink[NL];             /* mirror EPT non-leaf SPTEs */\n"
	  "byte slot_present = %u, slot_invalid; /* memslots (bit per slot) */\n"
	  "byte inv_cnt, inv_seq, inv_lo, inv_hi; /* mmu_invalidate_in_progress, _seq, [start, end) as pages */\n"
	  "byte adone, gdone = %u;     /* actors finished; guest programs finished (idle: from the start) */\n"
	  "short inj[NI];              /* SEAMCALL fault injections left (vmm_inject_status) */\n"
	  "bit vevent[NV], vsig[NV];   /* kvm_vcpu_has_events(), signal_pending() (scenario inputs) */\n\n",
	  g->slot_present0, g->idle_mask);
	P("/* Static tables (not part of the state) */\nhidden byte pslot[NP];      /* memslot bit of each page (0: none) */\n"
	  "hidden byte plink[NP * 4];  /* link index of page p at level tl: plink[p * 4 + tl] */\n\n");
	(void)s;
}

static void emit_helpers(struct gen *g)
{
	P("/* ---- Helpers ---- */\n"
	  "/* §5.3 is_tlb_tracked(bepoch) */\n"
	  "#define TLB_TRACKED(be) ((be) + 1 < td_epoch || ((be) + 1 == td_epoch && refcnt[(be) & 1] == 0))\n"
	  "/* a leaf the hardware walk can use for RWX: every non-leaf above it NL_MAPPED, the leaf\n"
	  " * MAPPED (the only RWX leaf state the exported flows reach) */\n"
	  "#define WALK_OK_LEAF(p) ((nle[plink[(p) * 4 + 3]] & 15) == S_NL_MAPPED && (nle[plink[(p) * 4 + 2]] & 15) == S_NL_MAPPED && (nle[plink[(p) * 4 + 1]] & 15) == S_NL_MAPPED)\n"
	  "#define ACCESSIBLE(p) (WALK_OK_LEAF(p) && (sept[p] & 15) == S_MAPPED)\n");
	/* WALK_OK_NL(l): the parents of link l present. */
	P("/* the walk to a non-leaf entry: every non-leaf above it NL_MAPPED */\n#define WALK_OK_NL(l) (");
	bool any = false;
	for (unsigned l = 0; l < g->nl; l++) {
		/* parents: links of the same GPA at levels > tl */
		unsigned tl = g->link_tl[l];
		int rep = -1;
		for (unsigned p = 0; p < g->np && rep < 0; p++)
			if (g->plink[p][tl] == (int)l)
				rep = (int)p;
		P("%s((l) == %u && ", any ? " || " : "", l);
		bool first = true;
		for (unsigned up = tl + 1; up <= 3; up++) {
			P("%s(nle[%d] & 15) == S_NL_MAPPED", first ? "" : " && ", g->plink[rep][up]);
			first = false;
		}
		if (first)
			P("true");
		P(")");
		any = true;
	}
	if (!any)
		P("false");
	P(")\n");
	P("/* §4 td_exit_epf_stepping_log: append a GPA not yet in the list while there is room */\n"
	  "inline EPF_LOG(v, p) {\n"
	  "  lq = 0; do :: lq < epfn[v] && epfl[v * EL + lq] != p -> lq++ :: else -> break od;\n"
	  "  if :: lq == epfn[v] && epfn[v] < EL -> epfl[v * EL + lq] = p; epfn[v] = epfn[v] + 1 :: else -> skip fi; lq = 0\n"
	  "}\n"
	  "inline EPF_CLEAR(v) {\n"
	  "  lq = 0; do :: lq < epfn[v] -> epfl[v * EL + lq] = 0; lq++ :: else -> break od; epfn[v] = 0; lq = 0\n"
	  "}\n");
	if (g->s->stop_vcpus == 1)
		P("/* stop_vcpus: work_done -- userspace stops the vCPU threads once every thread and every\n"
		  " * guest program has finished (runner.c maybe_stop) */\n"
		  "#define STOPPED ((adone & THREADS) == THREADS && (gdone & VCPUS) == VCPUS)\n");
	else if (g->s->stop_vcpus == 2)
		P("/* stop_vcpus: threads_done -- userspace stops the vCPU threads once every thread has finished */\n"
		  "#define STOPPED ((adone & THREADS) == THREADS)\n");
	else
		P("/* stop_vcpus: never */\n#define STOPPED false\n");
	P("#define VSIG(v) (vsig[v] || STOPPED)   /* signal_pending() of the vCPU thread */\n"
	  "/* Work outstanding (a cycle without progress is a livelock only while there is some):\n"
	  " * an unfinished thread, or an unfinished vCPU whose guest program has not finished. */\n"
	  "#define PENDING_T (((~adone) & THREADS) != 0)\n"
	  "#define PENDING_V (((~adone) & (~gdone) & VCPUS) != 0)\n"
	  "#define PENDING_ANY (PENDING_T || PENDING_V)\n");
	P("#define INV_COVERS(p) (inv_cnt > 0 && (p) >= inv_lo && (p) < inv_hi)\n"
	  "#define SRCU_LOCK(b) srcu_rd = srcu_rd | (b)\n"
	  "#define SRCU_UNLOCK(b) atomic { srcu_rd = srcu_rd & ~(b); srcu_wait = srcu_wait & ~(b) }\n"
	  "#define MMU_RLOCK atomic { !mmu_wr -> mmu_rd = mmu_rd + 1 }\n"
	  "#define MMU_RUNLOCK mmu_rd = mmu_rd - 1\n"
	  "#define MMU_WLOCK atomic { !mmu_wr && mmu_rd == 0 -> mmu_wr = 1 }\n"
	  "#define MMU_WUNLOCK mmu_wr = 0\n"
	  "#define SAT(x, n) if :: (x) < (n) -> x = x + 1 :: else -> skip fi\n"
	  "/* VP.ENTER's last step: the vCPU is in the guest; its RIP at entry is where it is */\n"
	  "#define ENTER_GUEST(v) grip = 0\n\n");
	/* Locals every proctype that issues leaves declares. */
	P("/* Locals of a leaf execution (struct tdxsim_leaf_exec): status, old word, entry copy,\n"
	  " * held-lock bits, sampled epoch, undo pending, lost to HP, exit reason, scratch. */\n"
	  "#define LEAF_LOCALS byte st; %s lo%s; byte ec; unsigned lh : 16; byte lep; bit lundo; bit lhp; byte lxr; byte lq\n\n",
	  g->wbits == 16 ? "unsigned" : "byte", g->wbits == 16 ? " : 16" : "");
}

/* ---- VMM flows as Promela text (each instance gets fresh labels) ----------------------------------- */

/* kvm_make_all_cpus_request(req) with WAIT: mark every vCPU, IPI those in guest mode,
 * wait until every IPI was handled. */
static void emit_kick(struct gen *g, const char *me, const char *req, const char *in, bool thread)
{
	for (unsigned v = 0; v < g->nv; v++)
		P("%satomic { vreq[%u] = vreq[%u] | %s; if :: vmode[%u] == M_IN -> vmode[%u] = M_EXITING; ipi[%u] = ipi[%u] | %s :: else -> skip fi };\n",
		  in, v, v, req, v, v, v, v, me);
	P("%s(", in);
	for (unsigned v = 0; v < g->nv; v++)
		P("%s(ipi[%u] & %s) == 0", v ? " && " : "", v, me);
	P(");   /* wait: every IPI handled */\n");
	P("%s%s;\n", in, thread ? "TPROGRESS" : "VPROGRESS");
}

/* KVM_BUG_ON / kvm_vm_dead (plain), then the VM_DEAD kick. */
static void emit_vm_bug(struct gen *g, const char *me, bool plain, const char *in, bool thread)
{
	if (plain) {
		/* A plain kvm_vm_dead() (a guest access before accept) kills a misbehaving guest's
		 * VM: not a KVM_BUG_ON, not a VM BUG (docs/check.md); its -EIO is a user exit. */
		P("%satomic { vm_dead = 1 };  /* kvm_vm_dead: not a VM BUG */\n", in);
		emit_kick(g, me, "REQ_DEAD", in, thread);
		return;
	}
	P("%satomic { if :: vm_bugged -> fb = 0 :: else -> vm_bugged = 1; vm_dead = 1; fb = 1; ON_VM_BUG fi };  /* KVM_BUG_ON */\n"
	  "%sif\n%s:: fb ->\n", in, in, in);
	char in2[80];
	snprintf(in2, sizeof(in2), "%s   ", in);
	emit_kick(g, me, "REQ_DEAD", in2, thread);
	P("%s   fb = 0\n%s:: else -> skip\n%sfi;\n", in, in, in);
}

/* Issue leaf L (V = v, P = p), unless a scenario injection makes the SEAMCALL
 * instruction itself return a status (vmm_issue_begin: the module is not entered). */
static void emit_issue(struct gen *g, const struct tdxsim_leaf *L, const char *v, const char *p, const char *in)
{
	char id[TDXSIM_NAME_MAX + 4];
	ident(L->name, id, sizeof(id));
	bool inj = false;
	for (unsigned k = 0; k < g->ninj; k++)
		if (L->side == TDXSIM_SIDE_HOST && (g->inj[k].leaf == 0xFFFF || g->inj[k].leaf == L->number) &&
		    (g->inj[k].lp < 0 || (unsigned)g->inj[k].lp == g->cur_lp)) {
			if (!inj)
				P("%sif\n", in);
			char prev[256] = "";
			size_t po = 0;
			for (unsigned j = 0; j < k; j++)
				if ((g->inj[j].leaf == 0xFFFF || g->inj[j].leaf == L->number) &&
				    (g->inj[j].lp < 0 || (unsigned)g->inj[j].lp == g->cur_lp) && po < sizeof(prev))
					po += (size_t)snprintf(prev + po, sizeof(prev) - po, "inj[%u] == 0 && ", j);
			P("%s:: %sinj[%u] > 0 -> atomic { inj[%u] = inj[%u] - 1; st = %s }   /* injected at the instruction (scenario input) */\n",
			  in, prev, k, k, k, st_name(g, g->inj[k].status));
			inj = true;
		}
	if (inj)
		P("%s:: else -> L_%s(%s, %s)\n%sfi;\n", in, id, v, p, in);
	else
		P("%sL_%s(%s, %s);\n", in, id, v, p);
}

/* VF_SEAMCALL: issue leaf L at site with target p; judge with the policy. Leaves sres. */
static void emit_sc(struct gen *g, const char *me, enum tdxsim_site site, const struct tdxsim_leaf *L, const char *v,
		    const char *p, const char *in, bool thread)
{
	char id[TDXSIM_NAME_MAX + 4];
	ident(L->name, id, sizeof(id));
	unsigned lab = g->label++;
	struct leaf_use *u = &g->lu[L - g->t->leaves];
	u->sites |= 1u << site;
	P("%s/* SEAMCALL %s at %s (seamcall.c) */\n%satt = 0;\nsc_%u:\n", in, L->name, tdxsim_site_name(site), in, lab);
	emit_issue(g, L, v, p, in);
	P("%sif :: kicked -> atomic { zap_wait = zap_wait - 1; kicked = 0 } :: else -> skip fi;\n", in);
	P("%sDECIDE_%s_%s(st, att);\n", in, site_ident(site), id);
	P("%sif\n", in);
	P("%s:: act == A_OK -> sres = SC_OK\n", in);
	P("%s:: act == A_RETRY -> SAT(att, ATT_SAT); RETRY_CHECK(att); goto sc_%u\n", in, lab);
	P("%s:: act == A_KICK_RETRY && att == 0 ->   /* tdh_do_no_vcpus: flag, kick, retry once */\n", in);
	P("%s   atomic { zap_wait = zap_wait + 1; kicked = 1 };\n", in);
	char in2[64];
	snprintf(in2, sizeof(in2), "%s   ", in);
	emit_kick(g, me, "0", in2, thread);
	P("%s   att = 1; RETRY_CHECK(att); goto sc_%u\n", in, lab);
	P("%s:: act == A_ERRNO -> sres = SC_ERRNO\n", in);
	P("%s:: act == A_BUG || (act == A_KICK_RETRY && att != 0) ->\n", in);
	emit_vm_bug(g, me, false, in2, thread);
	P("%s   sres = SC_BUG\n", in);
	P("%s:: else -> sres = SC_WARN\n%sfi;\n%satt = 0; st = 0; act = 0\n", in, in, in);
}

static const struct tdxsim_leaf *need_leaf(struct gen *g, const char *name, enum bind_kind bind, unsigned line)
{
	const struct tdxsim_leaf *L = tdxsim_table_find_leaf(g->t, name);
	if (!L) {
		gen_fail(g, line, "module table %s has no leaf %s, which this flow issues", g->t->module, name);
		return NULL;
	}
	struct leaf_use *u = &g->lu[L - g->t->leaves];
	u->used = true;
	u->bind = bind;
	return L;
}

/* The leaves every used flow needs, and their status sets (first pass, no output). */
static int plan_leaves(struct gen *g)
{
	bool any_vcpu = false, any_remove = false, any_fault = false, any_accept = false;
	for (unsigned i = 0; i < g->nact; i++) {
		const struct tdxsim_actor_spec *a = g->act[i].sp;
		if (a->kind == TDXSIM_ACTOR_VCPU) {
			any_vcpu = true;
			any_fault = true;
			if (a->guest.id == GUEST_PROG_ACCEPT)
				any_accept = true;
		} else if (a->host.id == VMM_PROG_ZAP_RANGE || a->host.id == VMM_PROG_MEMSLOT_DELETE) {
			any_remove = true;
		} else if (a->host.id == VMM_PROG_PREFAULT) {
			any_fault = true;
		}
	}
	g->need_remove = any_remove;
	g->need_fault = any_fault;
	g->need_accept = any_accept;
	if (any_vcpu) {
		if (!need_leaf(g, "TDH.VP.ENTER", BIND_LEAF, 0) || !need_leaf(g, "TDG.VP.VMCALL", BIND_LEAF, 0))
			return -1;
	}
	if (any_accept && !need_leaf(g, "TDG.MEM.PAGE.ACCEPT", BIND_LEAF, 0))
		return -1;
	if (any_fault) {
		if (!need_leaf(g, "TDH.MEM.PAGE.AUG", BIND_LEAF, 0))
			return -1;
		if (!g->all_links_present && !need_leaf(g, "TDH.MEM.SEPT.ADD", BIND_NL, 0))
			return -1;
	}
	if (any_remove) {
		if (!need_leaf(g, "TDH.MEM.RANGE.BLOCK", BIND_LEAF, 0) || !need_leaf(g, "TDH.MEM.TRACK", BIND_LEAF, 0) ||
		    !need_leaf(g, "TDH.MEM.PAGE.REMOVE", BIND_LEAF, 0) || !need_leaf(g, "TDH.PHYMEM.PAGE.WBINVD", BIND_LEAF, 0))
			return -1;
	}
	/* Generate the leaves once into a scratch buffer to learn their statuses. */
	struct pml_buf scratch = { 0 };
	struct pml_buf *save = g->o;
	g->o = &scratch;
	for (unsigned i = 0; i < g->t->nleaves; i++) {
		struct leaf_use *u = &g->lu[i];
		if (!u->used)
			continue;
		if (emit_leaf(g, &g->t->leaves[i], u->bind, &u->status_mask) < 0) {
			g->o = save;
			pml_buf_free(&scratch);
			return -1;
		}
	}
	g->o = save;
	pml_buf_free(&scratch);
	/* Injected statuses (at the instruction, scenario inputs). */
	for (unsigned k = 0; k < g->ninj; k++)
		for (unsigned i = 0; i < g->t->nleaves; i++)
			if (g->lu[i].used && g->t->leaves[i].side == TDXSIM_SIDE_HOST &&
			    (g->inj[k].leaf == 0xFFFF || g->inj[k].leaf == g->t->leaves[i].number))
				g->lu[i].status_mask |= 1ull << st_id(g, g->inj[k].status);
	/* Statuses VP.ENTER can also complete with: the HP timeout's TD exit. */
	const struct tdxsim_leaf *ve = tdxsim_table_find_leaf(g->t, "TDH.VP.ENTER");
	if (ve && g->lu[ve - g->t->leaves].used)
		g->lu[ve - g->t->leaves].status_mask |= 1ull << st_id(g, TDX_HOST_PRIORITY_BUSY_TIMEOUT);
	return 0;
}

/* The install path for page `p` (kvm_tdp_mmu_map, one attempt), leaves fr = PF_*. */
static void emit_tdp_map(struct gen *g, const char *me, bool thread)
{
	const struct tdxsim_leaf *aug = tdxsim_table_find_leaf(g->t, "TDH.MEM.PAGE.AUG");
	const struct tdxsim_leaf *sadd = tdxsim_table_find_leaf(g->t, "TDH.MEM.SEPT.ADD");
	P("    /* kvm_tdp_mmu_map for page fp (tdp_mmu.c): faultin, then mmu_lock read */\n");
	P("    atomic {\n"
	  "      if\n"
	  "      :: pslot[fp] == 0 || !(slot_present & pslot[fp]) -> fr = PF_EFAULT   /* no memslot */\n"
	  "      :: else -> if\n"
	  "                 :: slot_invalid & pslot[fp] -> fr = PF_RETRY             /* KVM_MEMSLOT_INVALID */\n"
	  "                 :: else -> if\n"
	  "                            :: INV_COVERS(fp) -> fr = PF_RETRY          /* invalidation in progress */\n"
	  "                            :: else -> fr = PF_GO; fseq = inv_seq\n"
	  "                            fi\n"
	  "                 fi\n"
	  "      fi\n"
	  "    };\n");
	P("    if\n    :: fr == PF_GO ->\n      MMU_RLOCK;\n");
	P("      atomic { if :: INV_COVERS(fp) || inv_seq != fseq -> fr = PF_RETRY :: else -> skip fi; fseq = 0 };   /* is_page_fault_stale */\n");
	if (!g->all_links_present && sadd) {
		unsigned lab = g->label++;
		P("      /* the non-leaf levels, top down: TDH.MEM.SEPT.ADD for a missing S-EPT table */\n"
		  "      ftl = 3;\n"
		  "tdp_links_%u:\n"
		  "      if\n"
		  "      :: fr == PF_GO && ftl > 0 ->\n"
		  "        fl = plink[fp * 4 + ftl];\n"
		  "        atomic { if :: mlink[fl] == MS_FROZEN -> fr = PF_RETRY :: mlink[fl] == MS_PRESENT -> fl = 255 :: else -> mlink[fl] = MS_FROZEN fi };\n"
		  "        if\n"
		  "        :: fr == PF_GO && fl != 255 ->\n", lab);
		emit_sc(g, me, TDXSIM_SITE_INSTALL, sadd, thread ? "0" : "VC", "fl", "          ", thread);
		P("          atomic { if :: sres == SC_OK -> mlink[fl] = MS_PRESENT :: else -> mlink[fl] = MS_NONE; fr = PF_RETRY fi; sres = 0 }\n"
		  "        :: else -> skip\n"
		  "        fi;\n"
		  "        fl = 0; ftl = ftl - 1; goto tdp_links_%u\n"
		  "      :: else -> ftl = 0\n"
		  "      fi;\n", lab);
	} else {
		P("      /* every S-EPT table over the pages exists after setup and no exported flow\n"
		  "         removes one: the non-leaf levels are always present (not modelled) */\n");
	}
	P("      if\n      :: fr == PF_GO ->\n"
	  "        atomic { if :: mirror[fp] == MS_FROZEN -> fr = PF_RETRY :: mirror[fp] == MS_PRESENT -> fr = PF_SPURIOUS :: else -> mirror[fp] = MS_FROZEN fi };\n"
	  "        if\n        :: fr == PF_GO ->\n");
	emit_sc(g, me, TDXSIM_SITE_INSTALL, aug, thread ? "0" : "VC", "fp", "          ", thread);
	P("          atomic { if :: sres == SC_OK -> mirror[fp] = MS_PRESENT; fr = PF_FIXED :: else -> mirror[fp] = MS_NONE; fr = PF_RETRY fi; sres = 0 }\n"
	  "        :: else -> skip\n        fi\n"
	  "      :: else -> skip\n      fi;\n"
	  "      MMU_RUNLOCK\n"
	  "    :: else -> skip\n    fi;\n");
}

/* tdx_sept_remove_private_spte for page zp (sept_remove.c); mmu_lock write held. */
static void emit_remove_leaf(struct gen *g, const char *me)
{
	const struct tdxsim_leaf *blk = tdxsim_table_find_leaf(g->t, "TDH.MEM.RANGE.BLOCK");
	const struct tdxsim_leaf *trk = tdxsim_table_find_leaf(g->t, "TDH.MEM.TRACK");
	const struct tdxsim_leaf *rem = tdxsim_table_find_leaf(g->t, "TDH.MEM.PAGE.REMOVE");
	const struct tdxsim_leaf *wbi = tdxsim_table_find_leaf(g->t, "TDH.PHYMEM.PAGE.WBINVD");
	unsigned lab = g->label++;
	P("      /* tdx_sept_remove_private_spte(zp) */\n");
	if (g->s->policy.kick_before_block) {
		P("      /* kick_before_block: no TD entry until REMOVE is done */\n"
		  "      atomic { zap_wait = zap_wait + 1; kicked2 = 1 };\n");
		emit_kick(g, me, "0", "      ", true);
	}
	emit_sc(g, me, TDXSIM_SITE_REMOVE, blk, "0", "zp", "      ", true);
	P("      if :: sres != SC_OK -> goto rm_fail_%u :: else -> skip fi;\n", lab);
	P("      /* tdx_track: TRACK (the TD is runnable), then always kick */\n");
	emit_sc(g, me, TDXSIM_SITE_REMOVE, trk, "0", "0", "      ", true);
	P("      if :: sres != SC_OK && sres != SC_BUG ->\n");
	emit_vm_bug(g, me, false, "        ", true);
	P("      :: else -> skip\n      fi;\n");
	emit_kick(g, me, "0", "      ", true);
	emit_sc(g, me, TDXSIM_SITE_REMOVE, rem, "0", "zp", "      ", true);
	P("      if :: sres != SC_OK -> goto rm_fail_%u :: else -> skip fi;\n", lab);
	P("      if :: kicked2 -> atomic { zap_wait = zap_wait - 1; kicked2 = 0 } :: else -> skip fi;\n");
	emit_sc(g, me, TDXSIM_SITE_REMOVE, wbi, "0", "zp", "      ", true);
	P("      if :: sres != SC_OK -> goto rm_fail_%u :: else -> skip fi;\n", lab);
	P("      goto rm_out_%u;\nrm_fail_%u:\n", lab, lab);
	emit_vm_bug(g, me, false, "      ", true);
	P("rm_out_%u:\n"
	  "      if :: kicked2 -> atomic { zap_wait = zap_wait - 1; kicked2 = 0 } :: else -> skip fi;\n"
	  "      sres = 0;\n"
	  "      TPROGRESS   /* removal flow ends */\n", lab);
}

/* tdp_mmu_zap_leafs over [za, zb) with mmu_lock write held. */
static void emit_zap_gfns(struct gen *g, const char *me)
{
	unsigned lab = g->label++;
	P("    zp = za;\nzap_%u:\n"
	  "    if\n    :: zp < zb ->\n"
	  "      atomic { if :: mirror[zp] == MS_PRESENT -> mirror[zp] = MS_NONE; zr = 1 :: else -> zr = 0 fi };\n"
	  "      if\n      :: zr ->\n", lab);
	emit_remove_leaf(g, me);
	P("      :: else -> skip\n      fi;\n      zr = 0; zp = zp + 1; goto zap_%u\n    :: else -> skip\n    fi;\n    zp = 0;\n",
	  lab);
}

#define HOST_LOCALS "LEAF_LOCALS; byte att, act, sres; short aerr; bit kicked, kicked2, fb"

static void emit_thread(struct gen *g, const struct actor *ac)
{
	const struct tdxsim_actor_spec *a = ac->sp;
	char me[32];
	snprintf(me, sizeof(me), "%u", 1u << ac->idx);
	g->cur_lp = a->lp;
	P("/* Actor %u '%s' (line %u): host thread running %s */\n", ac->idx, a->name, a->line,
	  vmm_prog_name(a->host.id));
	P("proctype T%u() {\n  " HOST_LOCALS ";\n  byte zp, za, zb; bit zr; byte fp, fr, fseq, ftl, fl;\n", ac->idx);
	switch (a->host.id) {
	case VMM_PROG_ZAP_RANGE:
		P("  /* guest_memfd punch hole (vmm_prog_zap_range): invalidate begin + zap under mmu_lock write */\n"
		  "  MMU_WLOCK;\n"
		  "  atomic { if :: inv_cnt == 0 -> inv_lo = %d; inv_hi = %d\n"
		  "           :: else -> if :: %d < inv_lo -> inv_lo = %d :: else -> skip fi; if :: %d > inv_hi -> inv_hi = %d :: else -> skip fi fi;\n"
		  "           inv_cnt = inv_cnt + 1 };\n", ac->page0, ac->page0 + (int)ac->npages, ac->page0, ac->page0,
		  ac->page0 + (int)ac->npages, ac->page0 + (int)ac->npages);
		P("  za = %d; zb = %d;\n", ac->page0, ac->page0 + (int)ac->npages);
		emit_zap_gfns(g, me);
		P("  MMU_WUNLOCK;\n"
		  "  /* truncate: the guest_memfd pages are freed (no lock state) */\n"
		  "  MMU_WLOCK;\n"
		  "  atomic { inv_seq = inv_seq + 1; inv_cnt = inv_cnt - 1; if :: inv_cnt == 0 -> inv_lo = 0; inv_hi = 0 :: else -> skip fi };\n"
		  "  MMU_WUNLOCK;\n");
		break;
	case VMM_PROG_MEMSLOT_DELETE: {
		unsigned sl = (unsigned)a->host.a[1];
		int first = -1, cnt = 0;
		for (unsigned p = 0; p < g->np; p++)
			if (g->pslot[p] == (int)sl) {
				if (first < 0)
					first = (int)p;
				cnt++;
			}
		P("  /* kvm_set_memslot(DELETE) of slot %u (memslot.c) */\n"
		  "  atomic { !slots_lk -> slots_lk = 1 };\n"
		  "  if :: !(slot_present & %u) -> slots_lk = 0; goto done :: else -> skip fi;\n"
		  "  slot_invalid = slot_invalid | %u;   /* kvm_invalidate_memslot */\n"
		  "  srcu_wait = srcu_rd;                 /* synchronize_srcu: wait for the readers inside now */\n"
		  "  srcu_wait == 0;\n"
		  "  MMU_WLOCK;\n"
		  "  za = %d; zb = %d;\n", sl, 1u << sl, 1u << sl, first < 0 ? 0 : first, first < 0 ? 0 : first + cnt);
		emit_zap_gfns(g, me);
		P("  MMU_WUNLOCK;\n"
		  "  atomic { slot_present = slot_present & ~%u; slot_invalid = slot_invalid & ~%u };  /* kvm_delete_memslot */\n"
		  "  srcu_wait = srcu_rd;\n"
		  "  srcu_wait == 0;\n"
		  "  slots_lk = 0;\n", 1u << sl, 1u << sl);
		break;
	}
	case VMM_PROG_PREFAULT: {
		unsigned lab = g->label++;
		P("  /* KVM_PRE_FAULT_MEMORY (td_build.c): vCPU 0's mutex, SRCU, kvm_tdp_map_page per page */\n"
		  "  if :: vm_dead -> goto done :: else -> skip fi;\n"
		  "  atomic { !vmutex[0] -> vmutex[0] = 1 };\n"
		  "  SRCU_LOCK(%s);\n"
		  "  fp = %d;\n"
		  "pf_page_%u:\n"
		  "  if\n  :: fp < %d ->\n"
		  "pf_again_%u:\n"
		  "    if :: vm_dead -> goto pf_out_%u :: else -> skip fi;  /* KVM_REQ_VM_DEAD */\n",
		  me, ac->page0, lab, ac->page0 + (int)ac->npages, lab, lab);
		emit_tdp_map(g, me, true);
		P("    if\n"
		  "    :: fr == PF_RETRY -> fr = 0; goto pf_again_%u\n"
		  "    :: fr == PF_FIXED || fr == PF_SPURIOUS -> fr = 0; fp = fp + 1; goto pf_page_%u\n"
		  "    :: else -> goto pf_out_%u\n"
		  "    fi\n"
		  "  :: else -> skip\n  fi;\n"
		  "pf_out_%u:\n"
		  "  fr = 0; fp = 0;\n"
		  "  SRCU_UNLOCK(%s);\n"
		  "  vmutex[0] = 0;\n", lab, lab, lab, lab, me);
		break;
	}
	default:
		break;
	}
	P("done:\n  adone = adone | %s;\n  TPROGRESS   /* the program ends */\n}\n\n", me);
}

/* The guest program's next visible action (src/guest/), in guest mode. */
static void emit_guest(struct gen *g, const struct actor *ac)
{
	const struct tdxsim_actor_spec *a = ac->sp;
	const struct tdxsim_policy *pol = &g->s->policy;
	const struct tdxsim_leaf *acc = g->need_accept ? tdxsim_table_find_leaf(g->t, "TDG.MEM.PAGE.ACCEPT") : NULL;
	P("g_step:   /* guest mode: one visible action per step (guest_vcpu_step) */\n"
	  "  if :: ipi[VC] != 0 || VSIG(VC) -> xrn = XR_INTR; goto g_exit :: else -> skip fi;   /* a kick: interrupt TD exit */\n");
	P("  if\n  :: gpc == 0 ->   /* the program */\n");
	switch (a->guest.id) {
	case GUEST_PROG_IDLE:
		P("    goto g_step   /* idle: spins at one RIP, touching nothing */\n");
		break;
	case GUEST_PROG_ACCEPT: {
		char id[TDXSIM_NAME_MAX + 4];
		ident(acc->name, id, sizeof(id));
		int end = ac->page0 + (int)ac->npages;
		bool to = !g->s->hp_timeout_off;
		P("    /* tdx_accept_memory: one 4 KB TDG.MEM.PAGE.ACCEPT per page (the range fits no 2 MB / 1 GB) */\n");
		if (to)
			P("    if :: gbusy -> gbusy = 0; st = 255; goto g_acc_result :: else -> skip fi;   /* resumed after the HP timeout: RAX = BUSY */\n");
		P("    L_%s(VC, gi);\n"
		  "    if :: lxr == XR_ACCEPT -> lxr = 0; lhp = 0; st = 0; hpb[VC] = 0; xrn = XR_ACCEPT; xp = gi; goto g_exit :: else -> skip fi;   /* executed again after resume */\n", id);
		if (to)
			P("    /* §1.7 dispatcher: BUSY_HOST_PRIORITY is reported as BUSY; the n-th in a row times out */\n"
			  "    if\n"
			  "    :: lhp -> lhp = 0; hpb[VC] = hpb[VC] + 1;\n"
			  "       if :: hpb[VC] >= HP_TIMEOUT_N -> hpb[VC] = 0; grip = 1; gbusy = 1; st = 0; xrn = XR_HPTO; goto g_exit :: else -> skip fi\n"
			  "    :: else -> hpb[VC] = 0\n"
			  "    fi;\n");
		else
			P("    lhp = 0;   /* hp_timeout: off -- a guest losing to host priority never times out */\n");
		P("g_acc_result:\n"
		  "    if\n"
		  "    :: st == ST_OK -> st = 0; gret = 0; grip = 1;\n"
		  "       GPROGRESS;   /* accepted */\n"
		  "       gi = gi + 1; if :: gi == %d -> gi = 0; gpc = 1; hpb[VC] = 0; gdone = gdone | ME :: else -> skip fi\n", end);
		if (pol->guest.accept_retry_busy) {
			if (pol->guest.accept_max_retries)
				P("    :: st != ST_OK && (st == 255 || IS_OPERAND_BUSY(st)) && gret < %u -> st = 0; gret = gret + 1; grip = 1   /* retry BUSY at the same size */\n",
				  pol->guest.accept_max_retries);
			else
				P("    :: st != ST_OK && (st == 255 || IS_OPERAND_BUSY(st)) -> st = 0; grip = 1   /* retry BUSY at the same size, no bound */\n");
		}
		P("    :: else -> st = 0; gret = 0; grip = 1; gi = 0; gpc = 1; hpb[VC] = 0; gdone = gdone | ME;   /* any other status fails the accept */\n"
		  "       GPROGRESS   /* accept_failed */\n"
		  "    fi\n");
		break;
	}
	case GUEST_PROG_ACCESS_SEQ:
	case GUEST_PROG_ZERO_STEP: {
		bool zs = a->guest.id == GUEST_PROG_ZERO_STEP;
		P("    /* %s: a write to page gi, walked by the hardware */\n"
		  "    atomic { if :: ACCESSIBLE(gi) -> fr = 1 :: else -> fr = 0 fi };\n"
		  "    if\n"
		  "    :: fr -> fr = 0; %s\n"
		  "          GPROGRESS;   /* an access done */\n"
		  "          gi = gi + 1;\n"
		  "          if :: gi == %d -> gi = %d; gr = gr + 1; %s if :: gr == %u -> gr = 0; gi = 0; gpc = 1; gdone = gdone | ME :: else -> skip fi :: else -> skip fi\n"
		  "    :: else -> xrn = XR_EPT; xp = gi; goto g_exit   /* EPT violation at the same RIP */\n"
		  "    fi\n",
		  zs ? "zero_step (one instruction, rep semantics)" : "access_seq", zs ? "" : "grip = 1;",
		  ac->page0 + (int)ac->npages, ac->page0, zs ? "grip = 1;" : "", zs ? 1 : ac->rounds);
		break;
	}
	default:
		break;
	}
	P("  :: else ->   /* the program has returned: the idle loop halts with TDVMCALL<HLT> */\n"
	  "    grip = 1; xrn = XR_VMCALL; goto g_exit\n"
	  "  fi;\n"
	  "  goto g_step;\n");
}

static void emit_vcpu(struct gen *g, const struct actor *ac)
{
	const struct tdxsim_actor_spec *a = ac->sp;
	const struct tdxsim_policy *pol = &g->s->policy;
	const struct tdxsim_leaf *ve = tdxsim_table_find_leaf(g->t, "TDH.VP.ENTER");
	char me[32];
	snprintf(me, sizeof(me), "%u", 1u << ac->idx);
	g->cur_lp = a->lp;
	P("/* Actor %u '%s' (line %u): vCPU %u on LP %u, userspace's KVM_RUN loop (run_loop.c)%s;\n"
	  " * guest program %s (src/guest/) */\n", ac->idx, a->name, a->line, ac->vcpu, a->lp,
	  ac->entries ? " bounded by entries" : "", guest_prog_name(a->guest.id));
	P("proctype V%u() {\n  " HOST_LOCALS ";\n", ac->idx);
	P("  byte r, fast, bn, ent, xrn, xp, gpc, gi, gr, gret, en; bit grip, gbusy, hlt;\n"
	  "  byte fp, fr, fseq, ftl, fl;\n");
	P("  gi = %d;\n", ac->page0 < 0 ? 0 : ac->page0);
	P("v_run:   /* vmm_prog_vcpu_run: userspace calls KVM_RUN (again after -EINTR) */\n"
	  "  if :: STOPPED -> goto v_done :: else -> skip fi;\n"
	  "  if :: vm_dead -> r = R_EIO; goto v_ret :: else -> skip fi;   /* a dead VM's ioctls fail */\n"
	  "  atomic { !vmutex[VC] -> vmutex[VC] = 1 };\n"
	  "  SRCU_LOCK(%s);\n", me);
	P("v_loop:\n"
	  "  atomic { if :: vreq[VC] & REQ_DEAD -> vreq[VC] = vreq[VC] & ~REQ_DEAD; r = R_EIO :: else -> r = R_CONT fi };\n"
	  "  if :: r == R_EIO -> goto v_out :: else -> skip fi;\n");
	if (ac->entries)
		P("  if :: ent >= %u -> r = R_ZERO; goto v_out :: else -> skip fi;   /* the scenario's entry bound */\n",
		  ac->entries);
	P("  if\n"
	  "  :: hlt ->   /* vcpu_block: kvm_vcpu_halt (SRCU dropped) until an event or a signal */\n"
	  "     SRCU_UNLOCK(%s);\n"
	  "     atomic { vevent[VC] || VSIG(VC) -> if :: vevent[VC] -> hlt = 0 :: else -> skip fi };\n"
	  "     SRCU_LOCK(%s); r = R_CONT; goto v_tail\n"
	  "  :: else -> skip\n"
	  "  fi;\n", me, me);
	P("  vmode[VC] = M_IN;\n"
	  "  SRCU_UNLOCK(%s);\n"
	  "  atomic { if :: vmode[VC] == M_EXITING || vreq[VC] || VSIG(VC) -> vmode[VC] = M_OUT; r = R_ZERO :: else -> skip fi };  /* kvm_vcpu_exit_request */\n"
	  "  if :: r == R_ZERO -> ipi[VC] = 0; SRCU_LOCK(%s); r = R_CONT; goto v_tail :: else -> skip fi;\n"
	  "  /* tdx_vcpu_run: wait_for_sept_zap blocks TD entry (§1.3); the pending event is delivered */\n"
	  "  atomic { fast = 0; bn = 0; if :: zap_wait -> fast = 1 :: else -> vevent[VC] = 0 fi };\n"
	  "  if :: fast == 1 -> goto v_after :: else -> skip fi;\n", me, me);
	char vid[TDXSIM_NAME_MAX + 4];
	ident(ve->name, vid, sizeof(vid));
	g->lu[ve - g->t->leaves].sites |= 1u << TDXSIM_SITE_ENTER;
	P("v_enter:\n  %s\n", ac->entries ? "ent = ent + 1;" : "skip;");
	emit_issue(g, ve, "VC", "0", "  ");
	P("  if\n"
	  "  :: st == ST_OK ->   /* entered: the guest runs until a TD exit completes the call */\n"
	  "    goto g_step\n"
	  "  :: st == %s -> xrn = XR_EPT; xp = lq; lq = 0; st = 0; goto v_after   /* emulated EPT violation (§4) */\n"
	  "  :: else -> skip\n"
	  "  fi;\n", st_name(g, ST_VMEXIT_EPT_VALUE));
	P("  /* a status, not an exit: the policy at site enter (§1.4) */\n"
	  "  DECIDE_ENTER_%s(st, bn);\n"
	  "  if\n"
	  "  :: act == A_REENTER || act == A_RETRY -> SAT(bn, ATT_SAT); RETRY_CHECK(bn); st = 0; act = 0; goto v_enter   /* fastpath, IRQs off */\n"
	  "  :: act == A_BUG -> fast = 2\n"
	  "  :: act == A_ERRNO -> fast = 3\n"
	  "  :: act == A_OK && !IS_OPERAND_BUSY(st) -> if :: IS_SW_ERROR(st) -> fast = 2 :: else -> fast = 4 fi   /* KVM's fixed rules */\n"
	  "  :: else -> fast = 1   /* EXIT_FASTPATH_EXIT_HANDLED: enter again from the loop */\n"
	  "  fi;\n"
	  "  st = 0; act = 0; bn = 0;\n"
	  "  goto v_after;\n", vid);
	/* Guest mode. */
	emit_guest(g, ac);
	/* TD exit. */
	P("g_exit:   /* TD exit (td_exit.c): bookkeeping + zero-step log, REFCOUNT--, releases */\n"
	  "  atomic {\n"
	  "    if :: grip -> epf_cnt[VC] = 0; EPF_CLEAR(VC) :: else -> skip fi;   /* RIP progress clears §4 */\n"
	  "    if\n"
	  "    :: xrn == XR_EPT && ((sept[xp] & 15) == S_PENDING || (sept[xp] & 15) == S_PENDING_EXPORTED_DIRTY) -> xrn = XR_EPTP\n"
	  "    :: else -> skip\n"
	  "    fi;\n"
	  "    if\n"
	  "    :: xrn == XR_EPT || xrn == XR_EPTP ->   /* td_exit_epf_stepping_log */\n"
	  "       if :: epf_cnt[VC] < 6 -> epf_cnt[VC] = epf_cnt[VC] + 1 :: else -> EPF_LOG(VC, xp) fi\n"
	  "    :: else -> skip\n"
	  "    fi\n"
	  "  };\n"
	  "  atomic { refcnt[vcpu_epoch[VC] & 1] = refcnt[vcpu_epoch[VC] & 1] - 1 };\n"
	  "  TD_EXIT_RELEASE(VC, 0);\n"
	  "  grip = 0;\n"
	  "  if\n"
	  "  :: xrn == XR_HPTO ->   /* TDX_HOST_PRIORITY_BUSY_TIMEOUT is a status: the policy decides */\n"
	  "     DECIDE_ENTER_%s(%s, 0);\n"
	  "     if :: act == A_BUG -> fast = 2 :: act == A_ERRNO -> fast = 3 :: act == A_OK -> fast = 4 :: else -> fast = 1 fi; act = 0\n"
	  "  :: else -> skip\n"
	  "  fi;\n", vid, st_name(g, TDX_HOST_PRIORITY_BUSY_TIMEOUT));
	P("v_after:\n"
	  "  vmode[VC] = M_OUT;\n"
	  "  ipi[VC] = 0;          /* IRQs on: the kick IPIs are handled */\n"
	  "  SRCU_LOCK(%s);\n", me);
	P("  /* tdx_handle_exit */\n"
	  "  if\n"
	  "  :: fast == 1 -> r = R_CONT\n"
	  "  :: fast == 2 ->\n");
	emit_vm_bug(g, me, false, "     ", false);
	P("     r = R_EIO\n"
	  "  :: fast == 3 -> if :: aerr == 5 -> ON_USER_EXIT; r = R_ZERO :: else -> r = R_ERRNO fi   /* EIO: KVM_EXIT_INTERNAL_ERROR */\n"
	  "  :: fast == 4 -> ON_USER_EXIT; r = R_ZERO   /* accepted error status: KVM's unhandled exit */\n"
	  "  :: fast == 0 && (xrn == XR_EPT || xrn == XR_EPTP || xrn == XR_ACCEPT) ->\n"
	  "     /* tdx_handle_ept_violation (ept_violation.c) */\n"
	  "     if\n"
	  "     :: xrn == XR_EPTP ->   /* guest access before accept: kvm_vm_dead */\n");
	emit_vm_bug(g, me, true, "        ", false);
	P("        r = R_EIO\n"
	  "     :: else ->\n"
	  "        fp = xp; en = 0;\n"
	  "v_fault:\n");
	emit_tdp_map(g, me, false);
	P("        if\n"
	  "        :: fr == PF_RETRY && %s ->\n", pol->fault.local_retry ? "true" : "false");
	P("           SAT(en, ATT_SAT); RETRY_CHECK(en);\n");
	if (pol->fault.max_local)
		P("           if :: en >= %u -> goto v_fault_done :: else -> skip fi;\n", pol->fault.max_local);
	/* The loop's exits, in the order ept_violation.c tests them. */
	const char *ex[4];
	unsigned nex = 0;
	if (pol->fault.exit_on_events)
		ex[nex++] = "vevent[VC] -> fr = PF_RETRY   /* kvm_vcpu_has_events() */";
	if (pol->fault.exit_on_signal)
		ex[nex++] = "VSIG(VC) -> fr = PF_RETRY   /* signal_pending() */";
	if (pol->fault.exit_on_vm_dead)
		ex[nex++] = "vreq[VC] & REQ_DEAD -> vreq[VC] = vreq[VC] & ~REQ_DEAD; fr = PF_EIO   /* KVM_REQ_VM_DEAD */";
	if (pol->fault.exit_on_memslot_invalid)
		ex[nex++] = "slot_invalid & pslot[fp] -> fr = PF_RETRY   /* the 2026 bail-out: KVM_MEMSLOT_INVALID */";
	P("           atomic {\n             fr = PF_GO;   /* cond_resched(), retry, unless: */\n");
	for (unsigned k = 0; k < nex; k++)
		P("             if :: fr == PF_GO && %s :: else -> skip fi;\n", ex[k]);
	P("             skip\n"
	  "           };\n"
	  "           if :: fr == PF_GO -> goto v_fault :: else -> skip fi\n"
	  "        :: else -> skip\n"
	  "        fi;\n"
	  "v_fault_done:\n"
	  "        VPROGRESS;   /* the fault flow ends */\n"
	  "        if :: fr == PF_EFAULT -> ON_USER_EXIT; r = R_EFAULT :: fr == PF_EIO -> r = R_EIO :: else -> r = R_CONT fi;\n"
	  "        fr = 0; fp = 0; en = 0\n"
	  "     fi\n"
	  "  :: fast == 0 && xrn == XR_VMCALL -> r = R_CONT; hlt = 1   /* TDVMCALL<HLT>: kvm_emulate_halt */\n"
	  "  :: else -> r = R_CONT   /* interrupt: resume */\n"
	  "  fi;\n"
	  "  fast = 0; aerr = 0; xrn = XR_NONE; xp = 0;\n"
	  "v_tail:\n"
	  "  if :: r != R_CONT -> goto v_out :: else -> skip fi;\n"
	  "  atomic { if :: VSIG(VC) -> r = R_EINTR :: else -> skip fi };   /* xfer_to_guest_mode_work */\n"
	  "  if :: r == R_EINTR -> goto v_out :: else -> goto v_loop fi;\n"
	  "v_out:\n"
	  "  SRCU_UNLOCK(%s);\n"
	  "  vmutex[VC] = 0;\n"
	  "v_ret:\n"
	  "  if\n"
	  "  :: r == R_EINTR -> r = 0; atomic { vsig[VC] = 0 }; goto v_run   /* userspace handles the signal */\n"
	  "  :: r == R_EIO || r == R_ERRNO -> ON_USER_EXIT\n"
	  "  :: else -> skip\n"
	  "  fi;\n"
	  "v_done:\n"
	  "  r = 0; gi = 0; gpc = 0; hlt = 0;\n"
	  "  adone = adone | ME;\n"
	  "  VPROGRESS   /* the vCPU thread ends */\n"
	  "}\n\n", me);
}

/* ---- top level ------------------------------------------------------------------------------------- */

/* Scenario inputs that set a vCPU's event or signal flag: in virtual time they come
 * at given instants; here they may come at any step (a periodic one again whenever
 * the flag is clear), which covers every timing. */
static void emit_env(struct gen *g)
{
	for (unsigned k = 0; k < g->nenv; k++) {
		unsigned vb = 0;
		for (unsigned i = 0; i < g->nact; i++)
			if (g->act[i].sp->kind == TDXSIM_ACTOR_VCPU && g->act[i].vcpu == g->env[k].vcpu)
				vb = 1u << i;
		const char *flag = g->env[k].signal ? "vsig" : "vevent";
		P("/* Input (scenario line %u): %s for vCPU %u%s */\nproctype ENV%u() {\n",
		  g->env[k].line, g->env[k].signal ? "a signal" : "an event (kvm_vcpu_has_events)", g->env[k].vcpu,
		  g->env[k].periodic ? ", periodic" : "", k);
		if (g->env[k].periodic)
			P("end_env:\n  do\n  :: atomic { !%s[%u] && !(adone & %u) -> %s[%u] = 1 }\n  od\n}\n\n", flag,
			  g->env[k].vcpu, vb, flag, g->env[k].vcpu);
		else
			P("end_env:\n  atomic { !(adone & %u) -> %s[%u] = 1 }\n}\n\n", vb, flag, g->env[k].vcpu);
	}
	P("/* Work pending: a fair cycle without progress is a violation only while some work is\n"
	  " * outstanding (check.c scc_check).  The monitor passes a progress label whenever none\n"
	  " * is: a cycle through states that all have no work pending is not reported. */\n"
	  "#if defined(P_LIVELOCK) || defined(P_STARVE_VCPU) || defined(P_STARVE_THREAD)\n"
	  "#if defined(P_LIVELOCK)\n#define MON_PENDING PENDING_ANY\n"
	  "#elif defined(P_STARVE_VCPU)\n#define MON_PENDING PENDING_V\n#else\n#define MON_PENDING PENDING_T\n#endif\n"
	  "proctype MON() {\n"
	  "end_mon:\n"
	  "  do\n"
	  "  :: !MON_PENDING ->\n"
	  "progress_mon: skip\n"
	  "  od\n"
	  "}\n"
	  "#endif\n\n");
}

static void emit_init(struct gen *g)
{
	P("init {\n  d_step {   /* the setup world and the static tables */\n");
	for (unsigned p = 0; p < g->np; p++) {
		if (g->sept0[p])
			P("    sept[%u] = S_%s;\n", p, sept_state_name((enum sept_state)g->sept0[p]));
		if (g->mirror0[p])
			P("    mirror[%u] = MS_PRESENT;\n", p);
		if (g->bepoch0[p])
			P("    bepoch[%u] = %u;\n", p, g->bepoch0[p]);
		P("    pslot[%u] = %u;", p, g->pslot[p] < 0 ? 0 : 1u << g->pslot[p]);
		P(" plink[%u] = %d; plink[%u] = %d; plink[%u] = %d;\n", p * 4 + 1, g->plink[p][1], p * 4 + 2,
		  g->plink[p][2], p * 4 + 3, g->plink[p][3]);
	}
	for (unsigned l = 0; l < g->nl; l++) {
		if (g->nle0[l])
			P("    nle[%u] = S_%s;\n", l, sept_state_name((enum sept_state)g->nle0[l]));
		if (g->mlink0[l])
			P("    mlink[%u] = MS_PRESENT;\n", l);
	}
	if (g->refcnt0[0] || g->refcnt0[1])
		P("    refcnt[0] = %u; refcnt[1] = %u;\n", g->refcnt0[0], g->refcnt0[1]);
	for (unsigned v = 0; v < g->nv; v++) {
		if (g->vcpu_epoch0[v])
			P("    vcpu_epoch[%u] = %u;\n", v, g->vcpu_epoch0[v]);
		if (g->epf_cnt0[v])
			P("    epf_cnt[%u] = %u;\n", v, g->epf_cnt0[v]);
		for (unsigned k = 0; k < g->epfn0[v]; k++)
			P("    epfl[%u] = %u;\n", v * g->el + k, g->epfl0[v][k]);
		if (g->epfn0[v])
			P("    epfn[%u] = %u;\n", v, g->epfn0[v]);
	}
	for (unsigned k = 0; k < g->ninj; k++)
		P("    inj[%u] = %u;\n", k, g->inj[k].count);
	P("  };\n  atomic {\n");
	for (unsigned i = 0; i < g->nact; i++)
		P("    run %c%u();\n", g->act[i].sp->kind == TDXSIM_ACTOR_VCPU ? 'V' : 'T', g->act[i].idx);
	for (unsigned k = 0; k < g->nenv; k++)
		P("    run ENV%u();\n", k);
	P("#if defined(P_LIVELOCK) || defined(P_STARVE_VCPU) || defined(P_STARVE_THREAD)\n    run MON();\n#endif\n");
	P("  }\n}\n");
}

static void setup_gen(struct gen *g, const struct pml_options *o)
{
	if (o)
		g->opt = *o;
	if (g->opt.word_bits != 16)
		g->opt.word_bits = 8;
	if (!g->opt.hp_timeout_n)
		g->opt.hp_timeout_n = 2;
	g->wbits = g->opt.word_bits;
}

int tdxsim_promela_export(struct tdxsim_scenario *s, const struct pml_options *o, struct pml_buf *out,
			  struct tdxsim_error *err)
{
	struct gen G;
	struct gen *g = &G;
	memset(g, 0, sizeof(*g));
	setup_gen(g, o);
	g->s = s;
	g->err = err;
	snprintf(g->scn_file, sizeof(g->scn_file), "%s", s->path ? s->path : "");
	struct engine e;
	if (engine_create(&e, s, err) < 0)
		return -1;
	g->t = e.table;
	g->lu = calloc(g->t->nleaves, sizeof(*g->lu));
	if (!g->lu)
		abort();
	struct pml_buf body = { 0 };
	int rc = -1;
	st_id(g, TDX_SUCCESS);
	if (collect(g, &e) < 0 || plan_leaves(g) < 0)
		goto out;

	/* Body first (it registers statuses and words), then the header and declarations. */
	g->o = &body;
	P("/* ==== Leaves: generated from the module's lock table ==== */\n\n");
	for (unsigned i = 0; i < g->t->nleaves; i++) {
		struct leaf_use *u = &g->lu[i];
		if (u->used && emit_leaf(g, &g->t->leaves[i], u->bind, &u->status_mask) < 0)
			goto out;
	}
	const struct tdxsim_leaf *ve = tdxsim_table_find_leaf(g->t, "TDH.VP.ENTER");
	if (ve && g->lu[ve - g->t->leaves].used)
		emit_td_exit_releases(g, ve);
	struct pml_buf procs = { 0 };
	g->o = &procs;
	P("/* ==== Actors ==== */\n\n");
	for (unsigned i = 0; i < g->nact; i++) {
		if (g->act[i].sp->kind == TDXSIM_ACTOR_VCPU) {
			P("#define VC %u\n#define ME %u\n", g->act[i].vcpu, 1u << g->act[i].idx);
			emit_vcpu(g, &g->act[i]);
			P("#undef VC\n#undef ME\n\n");
		} else {
			emit_thread(g, &g->act[i]);
		}
	}
	emit_env(g);
	emit_init(g);
	/* Policy tables for every (site, leaf) the flows judge. */
	struct pml_buf pol = { 0 };
	g->o = &pol;
	P("/* ==== Policy %s: decisions (tdxsim_policy_decide) ==== */\n\n", s->policy.name);
	unsigned sat = 1;
	for (unsigned i = 0; i < g->t->nleaves; i++) {
		struct leaf_use *u = &g->lu[i];
		if (!u->used)
			continue;
		for (unsigned site = 0; site < TDXSIM_SITE__COUNT; site++) {
			if (!((u->sites >> site) & 1))
				continue;
			unsigned sa;
			emit_decide(g, (enum tdxsim_site)site, &g->t->leaves[i], u->status_mask, &sa);
			sat = sa > sat ? sa : sat;
		}
	}
	/* Assemble. */
	g->o = out;
	emit_header(g);
	emit_props(g);
	P("/* A progress label per use, unique by line. */\n#define PCAT(a, b) a##b\n#define PCAT2(a, b) PCAT(a, b)\n"
	  "#ifdef GPROG_ON\n#define GPROGRESS PCAT2(progress_g, __LINE__): skip\n#else\n#define GPROGRESS skip\n#endif\n"
	  "#ifdef VPROG_ON\n#define VPROGRESS PCAT2(progress_v, __LINE__): skip\n#else\n#define VPROGRESS skip\n#endif\n"
	  "#ifdef TPROG_ON\n#define TPROGRESS PCAT2(progress_t, __LINE__): skip\n#else\n#define TPROGRESS skip\n#endif\n\n");
	emit_globals(g);
	P("#define ATT_SAT %u   /* attempt counters saturate here: no decision changes beyond */\n"
	  "#define HP_TIMEOUT_N %u   /* the n-th consecutive host-priority BUSY times out (§1.7, abstracted) */\n\n",
	  sat, g->opt.hp_timeout_n);
	emit_helpers(g);
	emit_lock_inlines(g);
	buf_put(out, pol.s ? pol.s : "", pol.len);
	buf_put(out, body.s ? body.s : "", body.len);
	buf_put(out, procs.s ? procs.s : "", procs.len);
	pml_buf_free(&pol);
	pml_buf_free(&procs);
	rc = 0;
out:
	pml_buf_free(&body);
	free(g->lu);
	engine_destroy(&e);
	if (rc < 0)
		pml_buf_free(out);
	return rc;
}

int tdxsim_promela_leaf(const struct tdxsim_table *t, const char *leaf, const struct pml_options *o,
			struct pml_buf *out, struct tdxsim_error *err)
{
	struct gen G;
	struct gen *g = &G;
	memset(g, 0, sizeof(*g));
	setup_gen(g, o);
	g->t = t;
	g->err = err;
	g->op_state = -1;
	const struct tdxsim_leaf *L = tdxsim_table_find_leaf(t, leaf);
	if (!L) {
		tdxsim_error_set(err, t->path, 0, "no leaf '%s' in %s", leaf, t->module);
		return -1;
	}
	enum bind_kind bind = BIND_LEAF;
	for (unsigned i = 0; i < L->nsteps; i++)
		if (L->steps[i].kind == TDXSIM_STEP_CHECK && !strcmp(L->steps[i].fn, "sept_gpa_valid") &&
		    L->steps[i].nargs && tdxsim_registry_arg_value(TDXSIM_ARG_LEVEL, L->steps[i].args[0]) >= SEPT_LVL_PD)
			bind = BIND_NL;
	st_id(g, TDX_SUCCESS);
	struct pml_buf body = { 0 };
	g->o = &body;
	uint64_t mask = 0;
	if (emit_leaf(g, L, bind, &mask) < 0) {
		pml_buf_free(&body);
		return -1;
	}
	g->o = out;
	P("/* Statuses */\n");
	for (unsigned i = 0; i < g->nst; i++)
		P("#define %-44s %2u   /* 0x%016llx */\n", g->stn[i], i, (unsigned long long)g->stv[i]);
	P("\n");
	emit_lock_inlines(g);
	buf_put(out, body.s, body.len);
	pml_buf_free(&body);
	return 0;
}

bool tdxsim_promela_prop_run(enum tdxsim_property p, struct pml_prop_run *r)
{
	memset(r, 0, sizeof(*r));
	r->prop = tdxsim_property_name(p);
	switch (p) {
	case TDXSIM_PROP_DEADLOCK:
		r->define = "-DP_DEADLOCK";
		r->cc = "-DSAFETY";
		r->pan = "-m2000000";
		r->how = "invalid end state: a process blocked outside an end label, nobody can move";
		return true;
	case TDXSIM_PROP_VM_BUG:
		r->define = "-DP_VM_BUG";
		r->cc = "-DSAFETY";
		r->pan = "-E -m2000000";
		r->how = "assertion violated: KVM_BUG_ON / kvm_vm_dead reached";
		return true;
	case TDXSIM_PROP_HALT:
		r->define = "-DP_HALT";
		r->cc = "-DSAFETY";
		r->pan = "-E -m2000000";
		r->how = "assertion violated: lock misuse (tdx_sanity_check) halts the module";
		return true;
	case TDXSIM_PROP_RETRY_BOUND:
		r->define = "-DP_RETRY_BOUND";
		r->cc = "-DSAFETY";
		r->pan = "-E -m2000000";
		r->how = "assertion violated: a flow retried more than retry_bound times";
		return true;
	case TDXSIM_PROP_USER_EXIT:
		r->define = "-DP_USER_EXIT";
		r->cc = "-DSAFETY";
		r->pan = "-E -m2000000";
		r->how = "assertion violated: a vCPU exits to userspace with an error";
		return true;
	case TDXSIM_PROP_LIVELOCK:
		r->define = "-DP_LIVELOCK";
		r->cc = "-DNP";
		r->pan = "-l -f -m2000000";
		r->how = "non-progress cycle under weak fairness: actors run forever, nothing progresses";
		return true;
	case TDXSIM_PROP_STARVATION:
		r->define = "-DP_STARVE_VCPU";
		r->cc = "-DNP";
		r->pan = "-l -f -m2000000";
		r->how = "non-progress cycle of the starving class under weak fairness";
		return true;
	case TDXSIM_PROP_INVARIANTS:
	case TDXSIM_PROP_MAPGPA:
		return false;
	}
	return false;
}
