/* SPDX-License-Identifier: MIT */
/*
 * The checker's model of a scenario (docs/check.md).
 *
 * State: the world's arena (segment 0) and a small monitor (segment 1): which
 * environment inputs fired, whether userspace stopped the vCPUs, and for the
 * retry-bound property each actor's open flows with their retry counts.
 *
 * Abstraction (docs/check.md "State abstraction"): after every step the world is
 * put in a canonical form that forgets what no behaviour reads -- statistics
 * counters, the sim's clock fields, counters that are only compared against a
 * bound they already passed -- and translates guest RIPs, which are only compared
 * for equality, so that the state space of a finite scenario is finite and a
 * spinning loop is a cycle.  The rules know the VMM's and the guest's layouts
 * (vmm/kvm.h, guest/guest_internal.h); --validate checks them by stepping each
 * state twice, once with the forgotten fields perturbed.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/check_engine.h"
#include "engine/world_internal.h"
#include "engine/check_guest.h"
#include "module/invariants.h"
#include "module/vcpu.h"
#include "vmm/kvm.h"

/* ---- monitor layout ---------------------------------------------------------------- */

#define MON_RSTACK 8

struct mon_hdr {
	uint64_t fired;            /* one-shot environment inputs applied (bit per input) */
	uint64_t flags;            /* MON_STOPPED */
};
#define MON_STOPPED 1ull

struct mon_retry {
	uint8_t depth;
	uint8_t pad[7];
	uint8_t kind[MON_RSTACK];
	uint8_t count[MON_RSTACK];
};

struct env_actor {
	unsigned input;            /* index into scenario inputs */
	bool periodic;
	unsigned order;            /* one-shot: rank by time */
};

struct ckx {
	struct engine e;
	struct tdxsim_scenario *s;
	struct ckx_opts o;
	struct ck_model m;
	uint32_t props;
	unsigned n_eng, n_env;
	struct env_actor env[TDXSIM_SCN_MAX_INPUTS];
	bool hp_on;
	unsigned K;                /* retry bound */
	uint8_t *mon;
	size_t mon_len;
	bool retry_mon;
	/* step context */
	struct ck_trans *tr;
	unsigned cur;
	bool quiet;                /* trial steps: no effects on tr/log */
	bool observe;              /* replay: do not canonicalize in place */
	char *log;
	size_t loglen, logoff;
	uint64_t hp_timeouts;
	struct ck_trans obs_tr;    /* replay: what the step being observed did */
	uint64_t out_before;       /* replay: MapGPA resumed-outside sum before the step */
	/* replay: last seen guest counters per vCPU */
	struct ckg_counts *last;
	/* diff ranges (docs/check.md "Diff ranges") */
	struct ck_range fixed[8];
	unsigned nfixed;
	struct ck_range r_small[4];       /* module parts a non-leaf step may write */
	unsigned n_small;
	struct ck_range r_obj[4];         /* module parts an object-only body may write */
	uint64_t frames_off;              /* arena offset of the VMM's frame bitmap */
	uint32_t frames_w;                /* its words (0: the rule is off) */
	unsigned n_obj;
	struct ck_range r_user[4];        /* VMM and guest regions (minus constant copies) */
	unsigned n_user;
	uint64_t off_actors;              /* arena offset of actor 0's record */
	uint64_t *kv_lo, *kv_hi, *gv_lo, *gv_hi; /* per actor: its kvm_vcpu / guest_vcpu bytes */
	uint64_t lockw[16];               /* arena words of the lock operations in this step */
	uint8_t lockk[16];                /* their lock kinds */
	uint32_t lockoff[16];             /* their offsets in the module region */
	unsigned nlockw;
	bool lockw_over;
	unsigned nev;                     /* VMM and lock events in this step */
	bool stopped_now;                 /* maybe_stop acted in this step */
	uint32_t w_vcpus, w_vcpu_sz, w_septp;   /* word offsets */
	uint32_t max_vcpus, max_sept;
	uint64_t off_mod;
	/* names */
	char (*names)[TDXSIM_NAME_MAX + 16];
	/* validation */
	uint8_t *vbuf[3];
	uint64_t vrng;
};

static uint64_t zero_clock(void *ctx)
{
	(void)ctx;
	return 0;
}

static struct kvm_global *KGx(struct ckx *x)
{
	return kvm_g(engine_vmm(&x->e));
}

static unsigned n_gvcpus(struct ckx *x)
{
	return ckg_nvcpus(engine_guest(&x->e));
}

static struct mon_hdr *MH(struct ckx *x)
{
	return (struct mon_hdr *)x->mon;
}

static struct mon_retry *MR(struct ckx *x, unsigned a)
{
	return (struct mon_retry *)(x->mon + sizeof(struct mon_hdr)) + a;
}

/* ---- logging (counterexamples) -------------------------------------------------------- */

static void logf_(struct ckx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct ckx *x, const char *fmt, ...)
{
	if (!x->log || x->quiet || x->logoff + 1 >= x->loglen)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(x->log + x->logoff, x->loglen - x->logoff, fmt, ap);
	va_end(ap);
	if (n > 0)
		x->logoff += (size_t)n < x->loglen - x->logoff ? (size_t)n : x->loglen - x->logoff - 1;
}

static const char *leaf_name_num(struct ckx *x, unsigned num)
{
	if (num == VMM_LEAF_NONE)
		return "(no SEAMCALL)";
	for (unsigned i = 0; i < x->e.table->nleaves; i++)
		if (x->e.table->leaves[i].side == TDXSIM_SIDE_HOST && x->e.table->leaves[i].number == num)
			return x->e.table->leaves[i].name;
	const char *n = tdxsim_policy_leaf_name(num);
	return n ? n : "?";
}

static const char *status_str(tdx_status_t s, char *buf, unsigned len)
{
	return tdx_status_format(s, buf, len);
}

static void set_viol(struct ckx *x, uint32_t prop, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_viol(struct ckx *x, uint32_t prop, const char *fmt, ...)
{
	if (!x->tr || x->quiet || !(x->props & prop))
		return;
	if (!(x->tr->viol & prop) && !x->tr->viol) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(x->tr->why, sizeof(x->tr->why), fmt, ap);
		va_end(ap);
	}
	x->tr->viol |= prop;
}

/* ---- observer ------------------------------------------------------------------------------ */

static const char *fk_name(uint64_t k)
{
	if (k >= VMM_FK_PROGRAM)
		return "program";
	switch (k) {
	case VMM_FK_FAULT: return "fault";
	case VMM_FK_REMOVAL: return "removal";
	case VMM_FK_MAPGPA: return "MapGPA";
	case VMM_FK_KICK: return "kick";
	}
	return "flow";
}

static uint8_t fk_byte(uint64_t k)
{
	return (uint8_t)(k >= VMM_FK_PROGRAM ? 0x80 | (k & 0x7F) : k & 0x7F);
}

static void mon_flow_begin(struct ckx *x, unsigned a, uint64_t kind)
{
	struct mon_retry *r = MR(x, a);
	if (r->depth == MON_RSTACK) {
		memmove(&r->kind[0], &r->kind[1], MON_RSTACK - 1);
		memmove(&r->count[0], &r->count[1], MON_RSTACK - 1);
		r->depth--;
	}
	r->kind[r->depth] = fk_byte(kind);
	r->count[r->depth] = 0;
	r->depth++;
}

static void mon_flow_end(struct ckx *x, unsigned a, uint64_t kind)
{
	struct mon_retry *r = MR(x, a);
	int k = (int)r->depth - 1;
	while (k >= 0 && r->kind[k] != fk_byte(kind))
		k--;
	if (k < 0)
		return;
	for (unsigned i = (unsigned)k; i < r->depth; i++)
		r->kind[i] = r->count[i] = 0;
	r->depth = (uint8_t)k;
}

static void on_vmm(void *ctx, unsigned actor, enum vmm_event ev, uint64_t a, uint64_t b, uint64_t c)
{
	struct ckx *x = ctx;
	x->nev++;
	char sb[128];
	(void)c;
	bool mine = actor < x->n_eng;
	switch (ev) {
	case VMM_EV_SEAMCALL:
		logf_(x, "    %s -> %s\n", leaf_name_num(x, (unsigned)a), status_str(b, sb, sizeof(sb)));
		break;
	case VMM_EV_BUSY:
		break;
	case VMM_EV_RETRY:
		logf_(x, "    retry %s (attempt %" PRIu64 ")\n", leaf_name_num(x, (unsigned)a), b);
		if (x->retry_mon && mine && !x->quiet) {
			struct mon_retry *r = MR(x, actor);
			if (r->depth) {
				uint8_t *cnt = &r->count[r->depth - 1];
				if (*cnt <= x->K)
					(*cnt)++;
				if (*cnt > x->K)
					set_viol(x, TDXSIM_PROP_RETRY_BOUND,
						 "retry bound: %s retried more than %u times in one %s flow (%s)",
						 x->names[actor], x->K, (r->kind[r->depth - 1] & 0x80) ? "program" :
						 fk_name(r->kind[r->depth - 1]), leaf_name_num(x, (unsigned)a));
			}
		}
		break;
	case VMM_EV_KICK:
		logf_(x, "    kick all vCPUs of VM %" PRIu64 "\n", a);
		break;
	case VMM_EV_VM_BUG:
		/* A plain kvm_vm_dead() (no SEAMCALL: a guest access before accept, linux §2)
		 * is KVM killing a misbehaving guest's VM, not a KVM_BUG_ON: not a VM BUG
		 * (docs/check.md; its -EIO reaches userspace: the user_exit property). */
		if (a == VMM_LEAF_NONE) {
			logf_(x, "    VM killed (kvm_vm_dead): a guest access before accept\n");
			break;
		}
		logf_(x, "    VM BUG: %s returned %s\n", leaf_name_num(x, (unsigned)a), status_str(b, sb, sizeof(sb)));
		set_viol(x, TDXSIM_PROP_VM_BUG, "VM BUG (KVM_BUG_ON) in %s: %s returned %s",
			 mine ? x->names[actor] : "?", leaf_name_num(x, (unsigned)a), sb);
		break;
	case VMM_EV_ZERO_STEP:
		logf_(x, "    zero-step mitigation: TDH.VP.ENTER of vCPU %" PRIu64 " takes the SEPT tree\n", a);
		break;
	case VMM_EV_HP_TIMEOUT:
		logf_(x, "    TDX_HOST_PRIORITY_BUSY_TIMEOUT exit of vCPU %" PRIu64 "\n", a);
		if (!x->quiet)
			x->hp_timeouts++;
		break;
	case VMM_EV_FLOW_BEGIN:
		logf_(x, "    begin %s\n", fk_name(a));
		if (x->retry_mon && mine && !x->quiet)
			mon_flow_begin(x, actor, a);
		break;
	case VMM_EV_FLOW_END: {
		logf_(x, "    end %s (%" PRId64 ")\n", fk_name(a), (int64_t)b);
		if (x->retry_mon && mine && !x->quiet)
			mon_flow_end(x, actor, a);
		if (!x->tr || x->quiet)
			break;
		bool prog = true;
		if (x->o.strict_progress)
			prog = !((a == VMM_FK_FAULT && b == RET_PF_RETRY) || a == VMM_FK_KICK ||
				 (a == VMM_FK_MAPGPA && b == TDVMCALL_STATUS_RETRY) ||
				 (a == VMM_FK_REMOVAL && b != 0));
		if (prog) {
			x->tr->progress |= CK_PROG_ANY;
			if (mine && x->s->starve_class == TDXSIM_ACTOR_THREAD &&
			    x->s->actors[actor].kind == TDXSIM_ACTOR_THREAD)
				x->tr->progress |= CK_PROG_CLASS;
		}
		break;
	}
	case VMM_EV_STALL:
		logf_(x, "    VMM stall (%" PRIu64 ")\n", a);
		break;
	case VMM_EV_USER_EXIT:
		logf_(x, "    user exit: reason %" PRIu64 " (%#" PRIx64 ")\n", a, b);
		if (a != KVM_EXIT_INTR)
			set_viol(x, TDXSIM_PROP_USER_EXIT, "%s exits to userspace with an error: %s %#" PRIx64,
				 mine ? x->names[actor] : "?",
				 a == KVM_EXIT_INTERNAL_ERROR ? "KVM_EXIT_INTERNAL_ERROR, VP.ENTER status" :
				 a == KVM_EXIT_MEMORY_FAULT ? "KVM_EXIT_MEMORY_FAULT, GPA" : "KVM_RUN failed, errno",
				 b);
		break;
	}
}

static const char *mode_name(enum tdxsim_mode m)
{
	switch (m) {
	case TDXSIM_MODE_SHARED: return "shared";
	case TDXSIM_MODE_EXCLUSIVE: return "exclusive";
	default: return "mode";
	}
}

static void on_lock(void *ctx, const struct tdxsim_lock_event *ev)
{
	struct ckx *x = ctx;
	x->nev++;
	if (x->nlockw < 16) {
		x->lockk[x->nlockw] = ev->res >= 0 && (unsigned)ev->res < x->e.table->nres
					      ? (uint8_t)x->e.table->res[ev->res].kind : 0xFF;
		x->lockoff[x->nlockw] = (uint32_t)ev->word_off;
		x->lockw[x->nlockw++] = (x->off_mod + ev->word_off) / 8;
	} else {
		x->lockw_over = true;
	}
	if (!x->log || x->quiet)
		return;
	const char *res = ev->res >= 0 && (unsigned)ev->res < x->e.table->nres ? x->e.table->res[ev->res].name : "?";
	char sb[128];
	if (ev->op == TDXSIM_LOCK_PARTIAL)
		logf_(x, "    acquire %s %s @%#" PRIx64 ": first instruction (%#" PRIx64 " -> %#" PRIx64 ")\n",
		      res, mode_name(ev->mode), ev->word_off, ev->before, ev->after);
	else if (ev->op == TDXSIM_LOCK_RELEASE)
		logf_(x, "    release %s @%#" PRIx64 ": %#" PRIx64 " -> %#" PRIx64 "\n", res, ev->word_off,
		      ev->before, ev->after);
	else
		logf_(x, "    %s %s %s @%#" PRIx64 ": %s (%#" PRIx64 " -> %#" PRIx64 ")\n",
		      ev->op == TDXSIM_LOCK_PROMOTE ? "promote" : "acquire", res, mode_name(ev->mode),
		      ev->word_off, ev->result == TDX_SUCCESS ? "ok" : status_str(ev->result, sb, sizeof(sb)),
		      ev->before, ev->after);
}

/* ---- the environment -------------------------------------------------------------------------- */

static void apply_input(struct ckx *x, const struct tdxsim_input *in)
{
	void *vmm = engine_vmm(&x->e);
	switch (in->kind) {
	case TDXSIM_IN_EVENT:
		vmm_vcpu_set_event(vmm, in->vm, in->vcpu, in->value);
		break;
	case TDXSIM_IN_SIGNAL:
		vmm_vcpu_set_signal(vmm, in->vm, in->vcpu, in->value);
		break;
	case TDXSIM_IN_STOP:
		vmm_vcpu_stop(vmm, in->vm, in->vcpu);
		break;
	case TDXSIM_IN_INTERRUPT:
		guest_post_interrupt(engine_guest(&x->e), in->vm, in->vcpu);
		break;
	case TDXSIM_IN_HYPERCALL_RET:
		vmm_vm_set_hypercall_ret(vmm, in->vm, in->ret, in->chunk);
		break;
	case TDXSIM_IN_INJECT:
		vmm_inject_status(vmm, in->leaf, in->lp, in->count, in->status);
		break;
	}
}

static const char *input_name(enum tdxsim_input_kind k)
{
	switch (k) {
	case TDXSIM_IN_EVENT: return "event";
	case TDXSIM_IN_SIGNAL: return "signal";
	case TDXSIM_IN_STOP: return "stop";
	case TDXSIM_IN_INTERRUPT: return "interrupt";
	case TDXSIM_IN_HYPERCALL_RET: return "hypercall_ret";
	case TDXSIM_IN_INJECT: return "inject";
	}
	return "input";
}

/* A one-shot input can fire once the earlier ones (by time) have fired. */
static bool env_ready(struct ckx *x, unsigned k)
{
	const struct env_actor *ea = &x->env[k];
	if (ea->periodic)
		return true;
	uint64_t fired = MH(x)->fired;
	if (fired & (1ull << k))
		return false;
	for (unsigned j = 0; j < x->n_env; j++)
		if (!x->env[j].periodic && x->env[j].order < ea->order && !(fired & (1ull << j)))
			return false;
	return true;
}

/* The userspace stop of the vCPU threads (scenario stop_vcpus), applied as soon as
 * its condition holds -- like the sim runner, between steps. */
static bool guest_prog_done(struct ckx *x, unsigned i)
{
	const struct tdxsim_actor_spec *sp = &x->s->actors[i];
	if (sp->guest.id == GUEST_PROG_IDLE)
		return true;
	return ckg_prog_finished(engine_guest(&x->e), sp->vm, sp->vcpu);
}

static void maybe_stop(struct ckx *x)
{
	if (!x->s->stop_vcpus || (MH(x)->flags & MON_STOPPED))
		return;
	for (unsigned i = 0; i < x->s->nactors; i++) {
		if (x->s->actors[i].kind == TDXSIM_ACTOR_THREAD && !engine_actor(&x->e, i)->done)
			return;
		if (x->s->stop_vcpus == 1 && x->s->actors[i].kind == TDXSIM_ACTOR_VCPU && !guest_prog_done(x, i))
			return;
	}
	MH(x)->flags |= MON_STOPPED;
	x->stopped_now = true;
	for (unsigned i = 0; i < x->s->nactors; i++)
		if (x->s->actors[i].kind == TDXSIM_ACTOR_VCPU)
			vmm_vcpu_stop(engine_vmm(&x->e), x->s->actors[i].vm, x->s->actors[i].vcpu);
	logf_(x, "    userspace stops the vCPU threads\n");
}

/* ---- state abstraction ------------------------------------------------------------------------- */

static void time_abstraction(struct ckx *x)
{
	struct tdxsim_mod *m = &x->e.w->mod;
	uint64_t want = x->hp_on ? 0 : UINT64_MAX;
	for (unsigned t = 0; t < m->lay.max_tds; t++) {
		struct td_obj *td = mod_td(m, t);
		if (atomic_load(&td->in_use) && atomic_load(&td->hp_lock_timeout) != want)
			atomic_store(&td->hp_lock_timeout, want);
	}
}

/* A sharex lock's reader counter is dead while its exclusive bit is set: failed
 * shared acquires leave their increments there, nobody reads them, and the
 * exclusive release wipes them (lock.h, reference §1.2-1.3).  (The one reader of
 * a garbage counter, sharex_hp's guest undo racing an exclusive release, needs
 * two lock operations to interleave inside one acquire, which steps never do at
 * the default step atomicity; at --atomicity instr the counter is kept.) */
static void lock_canon(const struct ckx *x, void *w, uint8_t kind, uint64_t (*perturb)(void *), void *ctx)
{
	/* At instruction atomicity a guest's undo (XADD -4) can follow an exclusive
	 * release (lock_split.h): a sharex_hp counter under the exclusive bit is read
	 * then, so it is kept exactly. */
	if (kind == TDXSIM_LK_SHAREX_HP && x->s->platform.instr_atomicity)
		return;
	_Atomic uint16_t *p = w;
	uint16_t v = atomic_load_explicit(p, memory_order_relaxed);
	if (!(v & 1))
		return;
	if (kind == TDXSIM_LK_SHAREX)
		v = perturb ? (uint16_t)(1 | (perturb(ctx) << 1)) : 1;
	else if (kind == TDXSIM_LK_SHAREX_HP)
		v = perturb ? (uint16_t)((v & 3) | (perturb(ctx) << 2)) : (uint16_t)(v & 3);
	else
		return;
	atomic_store_explicit(p, v, memory_order_relaxed);
}

static void *field_word(struct tdxsim_mod *m, struct td_obj *td, enum tdxsim_lock_field f)
{
	return td ? mod_tdcs_field_lock(td, f) : mod_global_field_lock(m, f);
}

/* Every sharex / sharex_hp word of the module (replay, validation). */
static void locks_canon_all(struct ckx *x, uint64_t (*perturb)(void *), void *ctx)
{
	struct tdxsim_mod *m = &x->e.w->mod;
	const struct tdxsim_table *t = x->e.table;
	for (unsigned r = 0; r < t->nres; r++) {
		const struct tdxsim_resource *rs = &t->res[r];
		if (rs->kind != TDXSIM_LK_SHAREX && rs->kind != TDXSIM_LK_SHAREX_HP)
			continue;
		if (rs->backing == TDXSIM_BACK_FIELD) {
			void *w = field_word(m, NULL, rs->field);
			if (w)
				lock_canon(x, w, (uint8_t)rs->kind, perturb, ctx);
			for (unsigned i = 0; i < m->lay.max_tds; i++)
				if (atomic_load(&mod_td(m, i)->in_use) && (w = field_word(m, mod_td(m, i), rs->field)))
					lock_canon(x, w, (uint8_t)rs->kind, perturb, ctx);
		} else if (rs->backing == TDXSIM_BACK_PAMT) {
			static const struct { enum pamt_level l; } lv[] = { { PAMT_4K }, { PAMT_2M }, { PAMT_1G } };
			uint32_t n[3] = { m->lay.n_frames, m->lay.n_2m, m->lay.n_1g };
			for (unsigned k = 0; k < 3; k++)
				for (uint32_t i = 0; i < n[k]; i++)
					lock_canon(x, &mod_pamt(m, lv[k].l, i)->lock, TDXSIM_LK_SHAREX_HP, perturb, ctx);
		}
	}
}

/* The largest retry bound of the policy's rules that can judge a SEAMCALL of
 * `leaf` at `site` (at least 1: the VMM also tests attempt == 0).  A retry counter
 * past it cannot change any decision (tdxsim_policy_decide compares it with the
 * matching rules' bounds only), so it saturates there -- per call site, finer than
 * the VMM's own global vmm_attempt_inc cap (which a single large bound, such as
 * CACHE.WB's 9999 resumptions, makes useless elsewhere). */
static uint32_t rule_cap(const struct tdxsim_policy *p, unsigned site, unsigned leaf)
{
	uint32_t cap = 1;
	for (unsigned i = 0; i < p->nrules && i < TDXSIM_POLICY_MAX_RULES; i++) {
		const struct tdxsim_policy_rule *r = &p->rules[i];
		if ((r->site >= 0 && (unsigned)r->site != site) || (r->leaf >= 0 && (unsigned)r->leaf != leaf))
			continue;
		if ((r->action == TDXSIM_ACT_RETRY || r->action == TDXSIM_ACT_KICK_RETRY) && r->max_retries > cap)
			cap = r->max_retries;
	}
	return cap;
}

/* Retry counters in the VMM's frames (VF_SEAMCALL attempt, KVM_RUN's count of
 * consecutive VP.ENTER BUSYs). */
static void vmm_frames_canon(struct ckx *x, struct flow_stack *s, uint64_t (*perturb)(void *), void *ctx)
{
	const struct tdxsim_policy *pol = &KGx(x)->policy;
	for (unsigned d = 0; d < s->depth; d++) {
		struct flow_frame *f = &s->fr[d];
		if (f->fn == VF_SEAMCALL) {
			uint32_t cap = rule_cap(pol, (unsigned)((f->l[0] >> 24) & 0xF), (unsigned)(f->l[0] & 0xFFFF));
			if (f->attempt > cap)
				f->attempt = cap;
			if (perturb && f->attempt == cap)
				f->attempt = cap + (uint32_t)(perturb(ctx) % 100);
		} else if (f->fn == VF_KVM_RUN) {
			uint32_t cap = rule_cap(pol, TDXSIM_SITE_ENTER, LF_VP_ENTER);
			if (f->l[5] > cap)
				f->l[5] = cap;
			if (perturb && f->l[5] == cap)
				f->l[5] = cap + perturb(ctx) % 100;
		} else if (f->fn == VF_EPT_VIOLATION && !pol->fault.max_local) {
			f->l[5] = perturb ? perturb(ctx) % 1000 : 0; /* local retry count, never compared */
		}
	}
}

/* The checker's whole state: the world's arena, then the retry monitor (x->mon).
 * buf holds ckx_canon_size() bytes. */
static void state_save(struct ckx *x, uint8_t *buf)
{
	tdxsim_world_snapshot(x->e.w, buf);
	memcpy(buf + x->e.w->arena_size, x->mon, x->mon_len);
}

static void state_load(struct ckx *x, const uint8_t *buf)
{
	tdxsim_world_restore(x->e.w, buf);
	memcpy(x->mon, buf + x->e.w->arena_size, x->mon_len);
}

static void canon(struct ckx *x)
{
	struct eng_hdr *h = world_hdr(x->e.w);
	atomic_store(&h->now, 0);
	h->steps = 0;
	for (unsigned i = 0; i < x->n_eng; i++) {
		struct eng_actor *a = engine_actor(&x->e, i);
		a->progress = 0;
		a->next_time = 0;
	}
	time_abstraction(x);
	/* Lock counters: only words a lock operation touched in this step can have
	 * become non-canonical (inductively, from a canonical state). */
	for (unsigned i = 0; i < x->nlockw; i++)
		lock_canon(x, x->e.w->mod.base + x->lockoff[i], x->lockk[i], NULL, NULL);
	if (x->lockw_over || x->observe)
		locks_canon_all(x, NULL, NULL);
	void *guest = engine_guest(&x->e);
	ckg_canon(guest, &x->e.w->mod, NULL, NULL);
	/* Frame locals that only count (docs/check.md lists them). */
	for (unsigned i = 0; i < x->n_eng; i++) {
		struct eng_actor *a = engine_actor(&x->e, i);
		ckg_canon_frames(guest, &a->guest, NULL, NULL);
		vmm_frames_canon(x, &a->host, NULL, NULL);
	}
	struct kvm_global *g = KGx(x);
	for (unsigned vm = 0; vm < g->n_vms; vm++) {
		struct kvm_vm *v = kvm_vm(engine_vmm(&x->e), vm);
		if (v->user_hc_ret_chunk < 0)
			v->hc_chunks = 0;
		else if (v->hc_chunks > (uint32_t)v->user_hc_ret_chunk + 1)
			v->hc_chunks = (uint32_t)v->user_hc_ret_chunk + 1;
	}
}

const char *ckx_abstraction_doc(void)
{
	return "sim clock, step count and per-actor time/progress fields: zero\n"
	       "TDCS.hp_lock_timeout of every TD: 0 (hp timeout on) or infinite (off); the module clock reads 0\n"
	       "guest statistics counters (accepted, faults, tdcalls, busy_seen, ...): zero after each step\n"
	       "guest MapGPA resumed-outside count: saturated at 1\n"
	       "guest RIPs (guest, TDVPS guest_rip, rip_on_entry): translated so the smallest is the base\n"
	       "guest try_accept_one BUSY retry count: zero when the policy does not bound it\n"
	       "KVM tdx_handle_ept_violation local retry count: zero when the policy does not cap it\n"
	       "KVM MapGPA chunk count: saturated at the chunk userspace answers specially\n"
	       "VMM retry counters saturate at the policy's largest bound (vmm_attempt_inc, in the VMM)\n";
}

/* ---- the model callbacks ------------------------------------------------------------------------ */

static bool m_done(void *ctx, unsigned a)
{
	struct ckx *x = ctx;
	if (a < x->n_eng)
		return engine_actor(&x->e, a)->done;
	return !x->env[a - x->n_eng].periodic && (MH(x)->fired & (1ull << (a - x->n_eng)));
}

/* Guest counters of the vCPU actors after a step (check mode: they were zero). */
static void judge_guest(struct ckx *x, struct ck_trans *tr)
{
	unsigned nv = n_gvcpus(x);
	for (unsigned i = 0; i < nv; i++) {
		struct ckg_counts cur, old = { 0 };
		ckg_counts(engine_guest(&x->e), i, &cur);
		if (x->observe)
			old = x->last[i];
		bool prog = cur.acc != old.acc || cur.accf != old.accf || cur.accs != old.accs ||
			    cur.mok != old.mok || cur.mfail != old.mfail;
		if (prog && tr) {
			tr->progress |= CK_PROG_ANY;
			if (x->s->starve_class == TDXSIM_ACTOR_VCPU)
				tr->progress |= CK_PROG_CLASS;
		}
		if ((cur.mok != old.mok || cur.mfail != old.mfail) && tr)
			tr->progress |= CK_PROG_MAPGPA;
		if (x->observe)
			x->last[i] = cur;
	}
}

/* The MapGPA resume-outside check needs the value before the step. */
static uint64_t outside_sum(struct ckx *x)
{
	uint64_t s = 0;
	unsigned nv = n_gvcpus(x);
	for (unsigned i = 0; i < nv; i++) {
		struct ckg_counts c;
		ckg_counts(engine_guest(&x->e), i, &c);
		s += c.outside;
	}
	return s;
}

static void post_step(struct ckx *x, unsigned a, enum flow_ret r, struct ck_trans *tr, uint64_t out_before)
{
	if (r == FLOW_DONE) {
		tr->progress |= CK_PROG_ANY;
		if (a < x->n_eng && x->s->actors[a].kind == TDXSIM_ACTOR_THREAD &&
		    x->s->starve_class == TDXSIM_ACTOR_THREAD)
			tr->progress |= CK_PROG_CLASS;
	}
	judge_guest(x, tr);
	if ((x->props & TDXSIM_PROP_MAPGPA) && outside_sum(x) > out_before) {
		for (unsigned vm = 0; vm < x->s->n_vms; vm++)
			for (unsigned v = 0; v < x->s->n_vcpus; v++) {
				struct guest_mapgpa mg;
				if (guest_mapgpa_state(engine_guest(&x->e), vm, v, &mg) && mg.resumed_outside)
					set_viol(x, TDXSIM_PROP_MAPGPA, "MapGPA of vCPU %u resumed at R11 %#" PRIx64
						 " outside [%#" PRIx64 ", %#" PRIx64 ")", v, mg.last_r11, mg.start0, mg.end);
			}
	}
	/* Under check the state properties are judged once per new state
	 * (m_state_viol); a replay judges them after every step. */
	if (x->observe && (x->props & TDXSIM_PROP_INVARIANTS)) {
		char why[256];
		if (!tdxsim_world_check_invariants(x->e.w, why, sizeof(why)))
			set_viol(x, TDXSIM_PROP_INVARIANTS, "module invariant broken after a step of %s: %s",
				 a < x->n_eng ? x->names[a] : "the environment", why);
	}
	if (x->observe && (x->props & TDXSIM_PROP_HALT)) {
		char why[256];
		if (tdxsim_world_halted(x->e.w, why, sizeof(why)))
			set_viol(x, TDXSIM_PROP_HALT, "%s", why);
	}
	maybe_stop(x);
}

static enum flow_ret m_step(void *ctx, unsigned a, struct ck_trans *tr)
{
	struct ckx *x = ctx;
	x->tr = tr;
	x->cur = a;
	uint64_t ob = (x->props & TDXSIM_PROP_MAPGPA) ? outside_sum(x) : 0;
	enum flow_ret r;
	x->nlockw = 0;
	x->lockw_over = false;
	x->nev = 0;
	x->stopped_now = false;
	bool host_side = a < x->n_eng && !engine_actor(&x->e, a)->host.guest_mode;
	if (a >= x->n_eng) {
		unsigned k = a - x->n_eng;
		if (!env_ready(x, k)) {
			x->tr = NULL;
			return FLOW_BLOCKED;
		}
		const struct tdxsim_input *in = &x->s->inputs[x->env[k].input];
		logf_(x, "    environment: %s (scenario line %u)\n", input_name(in->kind), in->line);
		apply_input(x, in);
		if (!x->env[k].periodic)
			MH(x)->fired |= 1ull << k;
		r = x->env[k].periodic ? FLOW_RAN : FLOW_DONE;
		if (r == FLOW_DONE)
			r = FLOW_RAN; /* finishing the environment is not progress */
	} else {
		r = engine_step(&x->e, a);
	}
	if (r != FLOW_BLOCKED) {
		post_step(x, a, r, tr, ob);
		canon(x);
	}
	/* Partial-order reduction (docs/check.md "Reductions"): a host-side step that
	 * did no visible action (flow.h: no FLOW_SHARED, lock, SEAMCALL, wait...) read
	 * and wrote only its own frames; with no event and no environment reaction it
	 * commutes with every other actor's steps and no property sees it.  The
	 * explorer also checks that it wrote nothing outside the actor's record. */
	tr->por_safe = host_side && r == FLOW_RAN && !atomic_load_explicit(&x->e.last_acted, memory_order_relaxed) &&
		       x->nev == 0 && !x->stopped_now && !tr->viol && !tr->progress;
	x->tr = NULL;
	return r;
}

static uint32_t m_pending(void *ctx)
{
	struct ckx *x = ctx;
	uint32_t p = 0;
	for (unsigned i = 0; i < x->n_eng; i++) {
		if (engine_actor(&x->e, i)->done)
			continue;
		const struct tdxsim_actor_spec *sp = &x->s->actors[i];
		bool work;
		if (sp->kind == TDXSIM_ACTOR_THREAD) {
			work = true;
		} else {
			work = !guest_prog_done(x, i);
			struct guest_mapgpa mg;
			if (guest_mapgpa_state(engine_guest(&x->e), sp->vm, sp->vcpu, &mg) && mg.active)
				p |= CK_PEND_MAPGPA;
		}
		if (work) {
			p |= CK_PEND_ANY;
			if ((int)sp->kind == x->s->starve_class)
				p |= CK_PEND_CLASS;
		}
	}
	return p;
}

/* Module invariants and the halt flag depend only on the module region: a state
 * reached by a step that changed none of its words inherits its parent's verdict. */
static uint32_t m_state_viol(void *ctx, const uint32_t *words, uint32_t n, char *why, size_t len)
{
	struct ckx *x = ctx;
	uint64_t lo = x->off_mod / 8, hi = (x->off_mod + x->e.w->mod.lay.size) / 8;
	bool mod = false;
	for (uint32_t i = 0; i < n && !mod; i++)
		mod = words[i] >= lo && words[i] < hi;
	if (!mod)
		return 0;
	uint32_t v = 0;
	if (x->props & TDXSIM_PROP_INVARIANTS) {
		char w[256];
		if (!tdxsim_world_check_invariants(x->e.w, w, sizeof(w))) {
			snprintf(why, len, "module invariant broken after a step of %s: %s",
				 x->cur < x->n_eng + x->n_env ? x->names[x->cur] : "?", w);
			v |= TDXSIM_PROP_INVARIANTS;
		}
	}
	if (x->props & TDXSIM_PROP_HALT) {
		char w[256];
		if (tdxsim_world_halted(x->e.w, w, sizeof(w))) {
			if (!v)
				snprintf(why, len, "%s", w);
			v |= TDXSIM_PROP_HALT;
		}
	}
	return v;
}

/* What a step did to the module region, from the actor's leaf executions before
 * and after it (docs/check.md "Diff ranges"): nothing; only lock operations (the
 * lock words the observer saw), or more (a BODY, an undo, a TD exit, anything
 * this reading does not recognize). */
enum scope { SC_NONE, SC_LOCKS, SC_OBJ, SC_FULL };

/* Bodies that write only TD, vCPU and LP objects (not PAMT entries, frames or SEPT
 * pages): the TDH.VP.ENTER steps a vCPU runs at every entry (tdh_vp_enter.c) and
 * their undo.  Every other body may write anything in the module. */
static bool body_objects_only(const char *fn)
{
	static const char *const ok[] = {
		"tlb_epoch_enter", "tlb_epoch_revert", "tlb_flush_if_stale", "vp_enter_prepare",
		"vp_enter_vcpu_switch", "vp_enter_launch", NULL,
	};
	for (unsigned i = 0; ok[i]; i++)
		if (!strcmp(fn, ok[i]))
			return true;
	return false;
}

static bool running(uint8_t ph)
{
	return ph == TDXSIM_LEAF_RUN || ph == TDXSIM_LEAF_UNWIND;
}

static enum scope kinds_scope(const struct tdxsim_leaf *L, unsigned from, unsigned to)
{
	enum scope sc = SC_LOCKS;
	for (unsigned p = from; p <= to && p < L->nsteps; p++) {
		enum tdxsim_step_kind k = L->steps[p].kind;
		if (k == TDXSIM_STEP_BODY && body_objects_only(L->steps[p].fn))
			sc = SC_OBJ;
		else if (k != TDXSIM_STEP_LOCK && k != TDXSIM_STEP_RELEASE && k != TDXSIM_STEP_CHECK &&
			 k != TDXSIM_STEP_WALK && k != TDXSIM_STEP_ASSOC)
			return SC_FULL;
	}
	return sc;
}

static enum scope exec_scope_(struct ckx *x, const struct tdxsim_leaf_exec *b, const struct tdxsim_leaf_exec *a,
			       enum scope *undo_out)
{
	if (!memcmp(b, a, sizeof(*a)))
		return SC_NONE;
	const struct tdxsim_table *t = x->e.table;
	/* An undo body ran (a failing step unwinds in the same step when it did no lock
	 * operation): it can write anything the leaf wrote. */
	enum scope undo = SC_NONE;
	if (b->undo_pending & ~a->undo_pending) {
		uint64_t ran = b->undo_pending & ~a->undo_pending;
		int lf = b->leaf >= 0 ? b->leaf : a->leaf;
		if (lf < 0 || (unsigned)lf >= t->nleaves)
			return SC_FULL;
		const struct tdxsim_leaf *L = &t->leaves[lf];
		for (unsigned i = 0; i < 64; i++)
			if ((ran >> i) & 1) {
				if (i >= L->nsteps || !body_objects_only(L->steps[i].fn))
					return SC_FULL;
			}
		undo = SC_OBJ;
	}
	*undo_out = undo;
	if (b->leaf == TDXSIM_LEAF_TD_EXIT || a->leaf == TDXSIM_LEAF_TD_EXIT)
		return SC_OBJ; /* td_exit.c: the vCPU object, TD refcounts, lock releases */
	if (running(b->phase)) {
		if (b->leaf < 0 || (unsigned)b->leaf >= t->nleaves || a->leaf != b->leaf)
			return SC_FULL;
		const struct tdxsim_leaf *L = &t->leaves[b->leaf];
		if (b->phase == TDXSIM_LEAF_UNWIND)
			return a->undo_pending == b->undo_pending ? SC_LOCKS : SC_FULL;
		/* RUN: the steps from b->pc up to where a is (one of them completed or failed). */
		unsigned to = running(a->phase) && a->phase == TDXSIM_LEAF_RUN ? (a->pc > b->pc ? a->pc - 1 : b->pc)
									   : b->pc;
		return kinds_scope(L, b->pc, to);
	}
	/* A new leaf: its begin (argument checks) and first step. */
	if (a->leaf < 0 || (unsigned)a->leaf >= t->nleaves)
		return a->phase == TDXSIM_LEAF_DONE ? SC_LOCKS : SC_FULL; /* refused at entry / injected */
	const struct tdxsim_leaf *L = &t->leaves[a->leaf];
	if (a->phase == TDXSIM_LEAF_RUN)
		return kinds_scope(L, 0, a->pc > 0 ? a->pc - 1 : 0);
	if (a->phase == TDXSIM_LEAF_DONE && a->nheld == 0 && !a->undo_pending)
		return kinds_scope(L, 0, 0);
	return SC_FULL;
}

static enum scope exec_scope(struct ckx *x, const struct tdxsim_leaf_exec *b, const struct tdxsim_leaf_exec *a)
{
	enum scope undo = SC_NONE;
	enum scope sc = exec_scope_(x, b, a, &undo);
	return sc > undo ? sc : undo;
}

static unsigned add_range(struct ck_range *out, unsigned n, unsigned max, uint64_t off, uint64_t len)
{
	if (n >= max)
		return max + 1;
	out[n] = (struct ck_range){ (uint32_t)(off / 8), (uint32_t)((off % 8 + len + 7) / 8) };
	return n + 1;
}

/* 1 + the highest frame the VMM's allocator has handed out in world image w (its
 * frame bitmap, vmm.c), 0 if none. */
static uint32_t max_frame(const struct ckx *x, const uint8_t *w)
{
	const uint64_t *b = (const uint64_t *)(w + x->frames_off);
	for (uint32_t i = x->frames_w; i-- > 0;)
		if (b[i])
			return i * 64 + 64 - (uint32_t)__builtin_clzll(b[i]);
	return 0;
}

static unsigned m_ranges(void *ctx, const uint8_t *before, struct ck_range *out, unsigned max)
{
	struct ckx *x = ctx;
	const struct tdxsim_mod *m = &x->e.w->mod;
	const uint8_t *after = tdxsim_world_bytes(x->e.w);
	unsigned a = x->cur, n = 0;
	enum scope sc = SC_NONE;
	bool full_pamt = false;
	if (a < x->n_eng) {
		uint64_t ao = x->off_actors + (uint64_t)a * sizeof(struct eng_actor);
		const struct eng_actor *eb = (const struct eng_actor *)(before + ao);
		const struct eng_actor *ea = (const struct eng_actor *)(after + ao);
		enum scope s1 = exec_scope(x, &eb->host.host, &ea->host.host);
		enum scope s2 = exec_scope(x, &eb->guest.guest, &ea->guest.guest);
		sc = s1 > s2 ? s1 : s2;
		const struct tdxsim_table *t = x->e.table;
		int lb = eb->host.host.leaf, la = ea->host.host.leaf;
		full_pamt = (lb >= 0 && (unsigned)lb < t->nleaves && !strncmp(t->leaves[lb].name, "TDH.SYS.", 8)) ||
			    (la >= 0 && (unsigned)la < t->nleaves && !strncmp(t->leaves[la].name, "TDH.SYS.", 8)) ||
			    (eb->host.host.leaf < 0 && eb->host.host.leaf != TDXSIM_LEAF_TD_EXIT &&
			     running(eb->host.host.phase));
		if (x->lockw_over)
			sc = SC_FULL;
		/* The actor's record: its header, each stack's live frames (popped frames
		 * are zeroed, flow.c), and a leaf execution only when
		 * its signature moved: every module step changes the first 64 bytes (leaf,
		 * phase, pc, sub, nheld...) except an undo, which changes undo_pending. */
		n = add_range(out, n, max, ao, offsetof(struct eng_actor, host));
		const struct flow_stack *sb[2] = { &eb->host, &eb->guest }, *sa[2] = { &ea->host, &ea->guest };
		size_t so[2] = { offsetof(struct eng_actor, host), offsetof(struct eng_actor, guest) };
		for (unsigned k = 0; k < 2; k++) {
			unsigned db = sb[k]->depth, da = sa[k]->depth;
			unsigned hi = db > da ? db : da;
			if (hi > FLOW_MAX_DEPTH)
				hi = FLOW_MAX_DEPTH;
			/* (a step can return and call again, so every frame up to the deeper
			 * depth) */
			n = add_range(out, n, max, ao + so[k], offsetof(struct flow_stack, fr) +
				      hi * sizeof(struct flow_frame));
			size_t xo = k == 0 ? offsetof(struct flow_stack, host) : offsetof(struct flow_stack, guest);
			const struct tdxsim_leaf_exec *xb = k == 0 ? &sb[k]->host : &sb[k]->guest;
			const struct tdxsim_leaf_exec *xa = k == 0 ? &sa[k]->host : &sa[k]->guest;
			if (memcmp(xb, xa, 64) || xb->undo_pending != xa->undo_pending || xb->status != xa->status)
				n = add_range(out, n, max, ao + so[k] + xo, sizeof(struct tdxsim_leaf_exec));
		}
	}
	/* A step in guest mode runs the guest layer and the module: it does not write
	 * the VMM region (the kick it reads is the host's to clear) -- unless it made
	 * userspace stop the vCPU threads (maybe_stop). */
	bool guest_step = a < x->n_eng && !x->stopped_now &&
			  ((const struct eng_actor *)(before + x->off_actors + (uint64_t)a * sizeof(struct eng_actor)))
				  ->host.guest_mode;
	for (unsigned i = guest_step ? 2 : 0; i < x->n_user; i++)
		if (n < max)
			out[n++] = x->r_user[i];
	if (sc == SC_FULL && !full_pamt && x->frames_w) {
		/* The module region, but the per-frame arrays (4K PAMT entries, frame
		 * objects) only up to the highest frame the VMM has handed out before or
		 * after the step: a leaf only ever names frames the VMM allocated, and the
		 * allocator is lowest-first (vmm.c).  TDH.SYS.* (TDMR initialization)
		 * sets every entry: full_pamt. */
		uint32_t hi = max_frame(x, before);
		uint32_t hi2 = max_frame(x, after);
		if (hi2 > hi)
			hi = hi2;
		n = add_range(out, n, max, 0, 64);
		n = add_range(out, n, max, x->off_mod, m->lay.off_pamt_4k);
		n = add_range(out, n, max, x->off_mod + m->lay.off_pamt_4k, (uint64_t)hi * sizeof(struct pamt_entry));
		n = add_range(out, n, max, x->off_mod + m->lay.off_frame_obj, (uint64_t)hi * sizeof(struct frame_obj));
		n = add_range(out, n, max, x->off_mod + m->lay.off_tds, m->lay.off_vcpus - m->lay.off_tds);
		for (unsigned i = 2; i < x->nfixed; i++)
			if (n < max)
				out[n++] = x->fixed[i];
	} else if (sc == SC_FULL) {
		for (unsigned i = 0; i < x->nfixed; i++)
			if (n < max)
				out[n++] = x->fixed[i];
	} else if (sc == SC_OBJ) {
		for (unsigned i = 0; i < x->n_obj; i++)
			if (n < max)
				out[n++] = x->r_obj[i];
		for (unsigned i = 0; i < x->nlockw; i++)
			if (n < max)
				out[n++] = (struct ck_range){ (uint32_t)x->lockw[i], 1 };
	} else {
		for (unsigned i = 0; i < x->n_small; i++)
			if (n < max)
				out[n++] = x->r_small[i];
		for (unsigned i = 0; i < x->nlockw; i++)
			if (n < max)
				out[n++] = (struct ck_range){ (uint32_t)x->lockw[i], 1 };
	}
	for (uint32_t v = 0; v < x->max_vcpus; v++) {
		uint64_t off = x->off_mod + m->lay.off_vcpus + (uint64_t)v * sizeof(struct vcpu_obj);
		if (!after[off] && !before[off])
			continue;
		n = add_range(out, n, max, off, sizeof(struct vcpu_obj));
	}
	if (sc == SC_FULL)
		for (uint32_t p = 0; p < x->max_sept; p++) {
			uint64_t moff = x->off_mod + m->lay.off_sept_meta + (uint64_t)p * sizeof(struct sept_meta);
			if (!after[moff] && !before[moff])
				continue;
			uint64_t off = x->off_mod + m->lay.off_sept_pages + (uint64_t)p * sizeof(struct sept_page);
			n = add_range(out, n, max, off, sizeof(struct sept_page));
		}
	return n > max ? max + 1 : n;
}

static void describe(struct ckx *x, unsigned a, char *buf, size_t len)
{
	if (a >= x->n_eng) {
		const struct tdxsim_input *in = &x->s->inputs[x->env[a - x->n_eng].input];
		snprintf(buf, len, "environment: %s%s", input_name(in->kind),
			 x->env[a - x->n_eng].periodic ? " (periodic)" : "");
		return;
	}
	struct eng_actor *ea = engine_actor(&x->e, a);
	if (ea->done) {
		snprintf(buf, len, "finished");
		return;
	}
	size_t off = 0;
	const struct flow_stack *s = &ea->host;
	off += (size_t)snprintf(buf + off, len - off, "%s", ea->host.guest_mode ? "in guest" : "host");
	for (unsigned d = 0; d < s->depth && off < len; d++) {
		const char *nm = vmm_flow_name(s->fr[d].fn);
		if (d == 0 || s->fr[d].fn != VF_SEAMCALL)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", d ? " > " : ": ", nm);
	}
	const struct tdxsim_leaf_exec *hx = &ea->host.host;
	if (off < len && (hx->phase == TDXSIM_LEAF_RUN || hx->phase == TDXSIM_LEAF_UNWIND) && hx->leaf >= 0)
		off += (size_t)snprintf(buf + off, len - off, " [%s step %u%s]", x->e.table->leaves[hx->leaf].name,
					(unsigned)hx->pc, hx->phase == TDXSIM_LEAF_UNWIND ? ", unwinding" : "");
	if (ea->host.guest_mode && off < len) {
		const struct tdxsim_leaf_exec *gx = &ea->guest.guest;
		if ((gx->phase == TDXSIM_LEAF_RUN || gx->phase == TDXSIM_LEAF_UNWIND) && gx->leaf >= 0)
			off += (size_t)snprintf(buf + off, len - off, " [guest %s step %u]",
						x->e.table->leaves[gx->leaf].name, (unsigned)gx->pc);
		else if (gx->leaf == TDXSIM_LEAF_TD_EXIT && gx->phase == TDXSIM_LEAF_RUN)
			off += (size_t)snprintf(buf + off, len - off, " [TD exit]");
	}
	struct vmm_held held[8];
	unsigned nh = vmm_actor_locks(engine_vmm(&x->e), a, held, 8);
	for (unsigned i = 0; i < nh && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s%s", i ? ", " : "; holds ", held[i].name,
					held[i].mode == 0 ? "(read)" : "");
}

/* Groups of words that change together (check.h): each actor's record with its
 * vCPU's KVM and guest state; the module; the rest of the VMM; the rest of the
 * guest region; the monitor. */
static unsigned m_group(void *ctx, uint32_t seg, uint32_t word)
{
	struct ckx *x = ctx;
	if (seg)
		return 3;
	uint64_t off = (uint64_t)word * 8;
	if (off < x->e.w->off_user)
		return 0;
	uint64_t u = off - x->e.w->off_user;
	if (off >= x->off_actors) {
		uint64_t a = (off - x->off_actors) / sizeof(struct eng_actor);
		return a < x->n_eng ? 4 + (unsigned)(a % (CK_MAX_GROUPS - 4)) : 1;
	}
	if (u >= x->e.off_guest && u < x->e.off_eng) {
		/* a guest vCPU record: its actor's group */
		for (unsigned i = 0; i < x->n_eng; i++)
			if (x->gv_lo[i] <= off && off < x->gv_hi[i])
				return 4 + i % (CK_MAX_GROUPS - 4);
		return 2;
	}
	for (unsigned i = 0; i < x->n_eng; i++)
		if (x->kv_lo[i] <= off && off < x->kv_hi[i])
			return 4 + i % (CK_MAX_GROUPS - 4);
	return 1;
}

static void m_private(void *ctx, unsigned a, uint32_t *w0, uint32_t *n)
{
	struct ckx *x = ctx;
	uint64_t ao = x->off_actors + (uint64_t)a * sizeof(struct eng_actor);
	*w0 = (uint32_t)(ao / 8);
	*n = (uint32_t)((ao % 8 + sizeof(struct eng_actor) + 7) / 8);
	if (a >= x->n_eng)
		*n = 0;
}

static void m_describe(void *ctx, unsigned a, char *buf, size_t len)
{
	describe(ctx, a, buf, len);
}

static const char *m_name(void *ctx, unsigned a)
{
	return ckx_actor_name(ctx, a);
}

static void m_set_log(void *ctx, char *buf, size_t len)
{
	struct ckx *x = ctx;
	x->log = buf;
	x->loglen = len;
	x->logoff = 0;
	if (buf && len)
		buf[0] = 0;
}

/* ---- validation of the abstraction --------------------------------------------------------------- */

static uint64_t vr(struct ckx *x)
{
	x->vrng ^= x->vrng << 13;
	x->vrng ^= x->vrng >> 7;
	x->vrng ^= x->vrng << 17;
	return x->vrng;
}

static uint64_t vr_cb(void *ctx)
{
	return vr(ctx);
}

/* Scramble everything canon() forgets. */
static void perturb(struct ckx *x)
{
	struct eng_hdr *h = world_hdr(x->e.w);
	h->steps = vr(x);
	for (unsigned i = 0; i < x->n_eng; i++) {
		engine_actor(&x->e, i)->progress = vr(x);
		engine_actor(&x->e, i)->next_time = vr(x);
	}
	locks_canon_all(x, vr_cb, x);
	void *guest = engine_guest(&x->e);
	ckg_canon(guest, &x->e.w->mod, vr_cb, x);
	for (unsigned i = 0; i < x->n_eng; i++) {
		struct eng_actor *a = engine_actor(&x->e, i);
		ckg_canon_frames(guest, &a->guest, vr_cb, x);
		vmm_frames_canon(x, &a->host, vr_cb, x);
	}
}

static int m_validate(void *ctx, unsigned a, char *why, size_t len)
{
	struct ckx *x = ctx;
	size_t n = tdxsim_world_size(x->e.w);
	for (unsigned i = 0; i < 3; i++)
		if (!x->vbuf[i] && !(x->vbuf[i] = malloc(n + x->mon_len)))
			return 0;
	uint8_t *S = x->vbuf[0], *A = x->vbuf[1], *B = x->vbuf[2];
	state_save(x, S);
	struct ck_trans tr;
	bool q = x->quiet;
	x->quiet = true;
	memset(&tr, 0, sizeof(tr));
	enum flow_ret r1 = m_step(x, a, &tr);
	/* canon() re-canonicalizes only the lock words the step touched (the others
	 * are canonical by induction); the perturbed copy needs them all. */
	locks_canon_all(x, NULL, NULL);
	state_save(x, A);
	state_load(x, S);
	perturb(x);
	memset(&tr, 0, sizeof(tr));
	enum flow_ret r2 = m_step(x, a, &tr);
	locks_canon_all(x, NULL, NULL);
	state_save(x, B);
	state_load(x, S);
	x->quiet = q;
	if ((r1 == FLOW_BLOCKED) != (r2 == FLOW_BLOCKED)) {
		snprintf(why, len, "%s: blocked in one copy of the state and not in the other", x->names[a]);
		return -1;
	}
	if (r1 == FLOW_BLOCKED)
		return 0; /* blocked in both: no successor to compare */
	for (size_t i = 0; i < n + x->mon_len; i += 8)
		if (memcmp(A + i, B + i, 8)) {
			uint64_t o = i;
			const char *where = o >= n ? "monitor" : o < x->off_mod ? "engine header" :
					    o < x->e.w->off_user ? "module region" :
					    o - x->e.w->off_user < x->e.off_guest ? "VMM region" :
					    o - x->e.w->off_user < x->e.off_eng ? "guest region" : "actor region";
			snprintf(why, len, "a step of %s depends on a field the abstraction forgets: word at "
				 "arena offset %#" PRIx64 " (%s) differs", x->names[a], o, where);
			return -1;
		}
	return 0;
}

/* ---- creation --------------------------------------------------------------------------------------- */

struct ckx *ckx_create(struct tdxsim_scenario *s, const struct ckx_opts *o, struct tdxsim_error *err)
{
	struct ckx *x = calloc(1, sizeof(*x));
	if (!x) {
		tdxsim_error_set(err, NULL, 0, "out of memory");
		return NULL;
	}
	x->s = s;
	x->o = *o;
	x->vrng = 0x9E3779B97F4A7C15ull;
	if (engine_create(&x->e, s, err) < 0) {
		free(x);
		return NULL;
	}
	x->props = o->props_override ? o->props_override : s->properties;
	x->n_eng = engine_n_actors(&x->e);
	/* The module's own per-step invariant check aborts; the checker judges them. */
	x->e.w->mod.check_invariants = false;
	x->e.w->mod.track_invariants = (x->props & TDXSIM_PROP_INVARIANTS) != 0;
	/* Time: the module clock reads 0 under check (docs/check.md "Time"). */
	tdxsim_world_set_clock(x->e.w, zero_clock, NULL);
	x->hp_on = o->hp_timeout == CKX_HP_SCENARIO ? !s->hp_timeout_off : o->hp_timeout == CKX_HP_ON;
	/* Environment: inputs at time 0 now; later and periodic ones are actors. */
	unsigned order = 0;
	for (unsigned i = 0; i < s->ninputs; i++) {
		const struct tdxsim_input *in = &s->inputs[i];
		if (!in->at_ns && !in->every_ns) {
			apply_input(x, in);
			continue;
		}
		if (x->n_env == 64) {
			tdxsim_error_set(err, s->path, in->line, "check: at most 64 timed inputs");
			ckx_destroy(x);
			return NULL;
		}
		x->env[x->n_env++] = (struct env_actor){ i, in->every_ns != 0, 0 };
	}
	for (unsigned k = 0; k < x->n_env; k++) {
		order = 0;
		for (unsigned j = 0; j < x->n_env; j++)
			if (!x->env[j].periodic &&
			    (s->inputs[x->env[j].input].at_ns < s->inputs[x->env[k].input].at_ns ||
			     (s->inputs[x->env[j].input].at_ns == s->inputs[x->env[k].input].at_ns && j < k)))
				order++;
		x->env[k].order = order;
	}
	/* Monitor. */
	x->K = s->retry_bound;
	x->retry_mon = (x->props & TDXSIM_PROP_RETRY_BOUND) != 0;
	x->mon_len = sizeof(struct mon_hdr) + (x->retry_mon ? x->n_eng * sizeof(struct mon_retry) : 0);
	x->mon = calloc(1, x->mon_len);
	x->last = calloc(n_gvcpus(x) + 1, sizeof(*x->last));
	x->names = calloc(x->n_eng + x->n_env + 1, sizeof(*x->names));
	if (!x->mon || !x->last || !x->names) {
		tdxsim_error_set(err, NULL, 0, "out of memory");
		ckx_destroy(x);
		return NULL;
	}
	for (unsigned i = 0; i < x->n_eng; i++) {
		if (s->actors[i].name[0])
			snprintf(x->names[i], sizeof(x->names[i]), "%s", s->actors[i].name);
		else
			snprintf(x->names[i], sizeof(x->names[i]), "actor%u", i);
		if (x->retry_mon && !engine_actor(&x->e, i)->done)
			mon_flow_begin(x, i, VMM_FK_PROGRAM + (uint64_t)s->actors[i].host.id);
	}
	for (unsigned k = 0; k < x->n_env; k++)
		snprintf(x->names[x->n_eng + k], sizeof(x->names[0]), "env:%s@%u",
			 input_name(s->inputs[x->env[k].input].kind), s->inputs[x->env[k].input].line);
	struct engine_observer ob = { on_vmm, on_lock, x };
	engine_set_observer(&x->e, &ob);
	/* Diff ranges. */
	const struct tdxsim_mod *m = &x->e.w->mod;
	x->off_mod = (uint64_t)(m->base - x->e.w->arena);
	x->max_vcpus = m->lay.max_vcpus;
	x->max_sept = m->lay.max_sept;
	uint64_t mod_lo = x->off_mod, vc = x->off_mod + m->lay.off_vcpus;
	uint64_t sm = x->off_mod + m->lay.off_sept_meta, sp = x->off_mod + m->lay.off_sept_pages;
	uint64_t sp_end = sp + (uint64_t)m->lay.max_sept * sizeof(struct sept_page);
	uint64_t mod_end = x->off_mod + m->lay.size;
	x->fixed[x->nfixed++] = (struct ck_range){ 0, 8 };
	x->fixed[x->nfixed++] = (struct ck_range){ (uint32_t)(mod_lo / 8), (uint32_t)((vc - mod_lo) / 8) };
	x->fixed[x->nfixed++] = (struct ck_range){ (uint32_t)(sm / 8), (uint32_t)((sp - sm + 7) / 8) };
	if (mod_end > sp_end)
		x->fixed[x->nfixed++] = (struct ck_range){ (uint32_t)(sp_end / 8), (uint32_t)((mod_end - sp_end) / 8) };
	/* The VMM's frame bitmap, for the per-frame arrays' bound. */
	{
		struct kvm_global *kg = KGx(x);
		if (kg->magic == KVM_MAGIC && kg->n_frames && kg->n_frames <= m->lay.n_frames) {
			x->frames_off = (uint64_t)((uint8_t *)engine_vmm(&x->e) + kg->off_frames - x->e.w->arena);
			x->frames_w = (kg->n_frames + 63) / 64;
		}
	}
	/* Object-only bodies: the small dense parts up to the PAMT, and the TDs. */
	x->r_obj[x->n_obj++] = (struct ck_range){ (uint32_t)(mod_lo / 8), (uint32_t)((m->lay.off_pamt_1g + 7) / 8) };
	x->r_obj[x->n_obj++] = (struct ck_range){ (uint32_t)((x->off_mod + m->lay.off_tds) / 8),
						  (uint32_t)((m->lay.off_vcpus - m->lay.off_tds + 7) / 8) };
	/* A step that runs no module step besides lock operations can still write the
	 * module's global (halt), LP states (VMXON), and the KOT, WBT (CACHE.WB's
	 * resume point) and TDMR entries: everything before the PAMT, a few hundred
	 * bytes. */
	x->r_small[x->n_small++] = (struct ck_range){ (uint32_t)(mod_lo / 8),
						     (uint32_t)((m->lay.off_pamt_1g + 7) / 8) };
	/* User region: the VMM region without its copy of the policy (constant), the
	 * guest region; actor records are compared for the stepping actor only. */
	uint64_t vmm0 = x->e.w->off_user + x->e.off_vmm, g0 = x->e.w->off_user + x->e.off_guest;
	uint64_t pol0 = vmm0 + offsetof(struct kvm_global, policy);
	uint64_t pol1 = pol0 + sizeof(struct tdxsim_policy);
	x->r_user[x->n_user++] = (struct ck_range){ (uint32_t)(vmm0 / 8), (uint32_t)((pol0 - vmm0) / 8) };
	x->r_user[x->n_user++] = (struct ck_range){ (uint32_t)(pol1 / 8), (uint32_t)((g0 - pol1 + 7) / 8) };
	x->off_actors = x->e.w->off_user + x->e.off_eng + offsetof(struct eng_region, a);
	x->r_user[x->n_user++] = (struct ck_range){ (uint32_t)(g0 / 8),
						   (uint32_t)((x->off_actors - g0) / 8) };
	x->kv_lo = calloc(4 * (x->n_eng + 1), sizeof(uint64_t));
	if (!x->kv_lo) {
		tdxsim_error_set(err, NULL, 0, "out of memory");
		ckx_destroy(x);
		return NULL;
	}
	x->kv_hi = x->kv_lo + x->n_eng + 1;
	x->gv_lo = x->kv_hi + x->n_eng + 1;
	x->gv_hi = x->gv_lo + x->n_eng + 1;
	for (unsigned i = 0; i < x->n_eng; i++) {
		const struct tdxsim_actor_spec *as = &s->actors[i];
		if (as->kind != TDXSIM_ACTOR_VCPU)
			continue;
		uint8_t *kv = (uint8_t *)kvm_vcpu(engine_vmm(&x->e), as->vm, as->vcpu);
		x->kv_lo[i] = (uint64_t)(kv - x->e.w->arena);
		x->kv_hi[i] = x->kv_lo[i] + sizeof(struct kvm_vcpu);
		uint64_t go, gsz;
		if (ckg_vcpu_range(engine_guest(&x->e), as->vm, as->vcpu, &go, &gsz)) {
			x->gv_lo[i] = g0 + go;
			x->gv_hi[i] = g0 + go + gsz;
		}
	}
	/* The initial state: abstraction applied. */
	maybe_stop(x);
	canon(x);
	/* Model. */
	struct ck_model *md = &x->m;
	md->ctx = x;
	md->n_actors = x->n_eng + x->n_env;
	md->n_env = x->n_env;
	md->seg[0] = x->e.w->arena;
	md->seg_len[0] = x->e.w->arena_size;
	md->seg[1] = x->mon;
	md->seg_len[1] = x->mon_len;
	md->props = x->props;
	md->step = m_step;
	md->done = m_done;
	md->pending = m_pending;
	md->ranges = m_ranges;
	md->describe = m_describe;
	md->actor_name = m_name;
	md->set_log = m_set_log;
	md->validate = m_validate;
	md->state_viol = m_state_viol;
	md->private_range = m_private;
	md->group = m_group;
	if (x->props & TDXSIM_PROP_INVARIANTS) {
		char why[256];
		if (!tdxsim_world_check_invariants(x->e.w, why, sizeof(why))) {
			md->init_viol |= TDXSIM_PROP_INVARIANTS;
			snprintf(md->init_why, sizeof(md->init_why), "module invariant broken after setup: %s", why);
		}
	}
	return x;
}

void ckx_destroy(struct ckx *x)
{
	if (!x)
		return;
	engine_destroy(&x->e);
	free(x->mon);
	free(x->last);
	free(x->names);
	free(x->kv_lo);
	for (unsigned i = 0; i < 3; i++)
		free(x->vbuf[i]);
	free(x);
}

struct ck_model *ckx_model(struct ckx *x) { return &x->m; }
struct engine *ckx_engine(struct ckx *x) { return &x->e; }
unsigned ckx_n_engine_actors(const struct ckx *x) { return x->n_eng; }
bool ckx_hp_on(const struct ckx *x) { return x->hp_on; }
uint64_t ckx_hp_timeouts(const struct ckx *x) { return x->hp_timeouts; }

const char *ckx_actor_name(struct ckx *x, unsigned a)
{
	return a < x->n_eng + x->n_env ? x->names[a] : "?";
}

/* ---- replay ---------------------------------------------------------------------------------------- */

void ckx_observe_begin(struct ckx *x)
{
	x->observe = true;
	memset(&x->obs_tr, 0, sizeof(x->obs_tr));
	x->tr = &x->obs_tr;
	x->out_before = outside_sum(x);
	time_abstraction(x);
	unsigned nv = n_gvcpus(x);
	for (unsigned i = 0; i < nv; i++)
		ckg_counts(engine_guest(&x->e), i, &x->last[i]);
}

void ckx_env_apply(struct ckx *x, unsigned a)
{
	struct ck_trans tr;
	memset(&tr, 0, sizeof(tr));
	if (a >= x->n_eng && a < x->n_eng + x->n_env && env_ready(x, a - x->n_eng)) {
		unsigned k = a - x->n_eng;
		apply_input(x, &x->s->inputs[x->env[k].input]);
		if (!x->env[k].periodic)
			MH(x)->fired |= 1ull << k;
	}
}

void ckx_observe_pre(struct ckx *x, unsigned a)
{
	(void)a;
	x->out_before = outside_sum(x);
}

void ckx_observe_post(struct ckx *x, unsigned a, enum flow_ret r, struct ck_trans *tr)
{
	x->tr = &x->obs_tr;
	x->cur = a;
	if (r != FLOW_BLOCKED)
		post_step(x, a, r, &x->obs_tr, x->out_before);
	time_abstraction(x);
	if (tr)
		*tr = x->obs_tr;
	memset(&x->obs_tr, 0, sizeof(x->obs_tr));
	x->out_before = outside_sum(x);
}

bool ckx_env_changes(struct ckx *x, unsigned a)
{
	if (a < x->n_eng || a >= x->n_eng + x->n_env || !env_ready(x, a - x->n_eng))
		return false;
	size_t n = x->e.w->arena_size;
	uint8_t *save = malloc(n + x->mon_len);
	if (!save)
		return true;
	state_save(x, save);
	unsigned k = a - x->n_eng;
	apply_input(x, &x->s->inputs[x->env[k].input]);
	if (!x->env[k].periodic)
		MH(x)->fired |= 1ull << k;
	bool changed = memcmp(save, x->e.w->arena, n) || memcmp(save + n, x->mon, x->mon_len);
	state_load(x, save);
	free(save);
	return changed;
}

size_t ckx_canon_size(const struct ckx *x)
{
	return x->e.w->arena_size + x->mon_len;
}

void ckx_canon_copy(struct ckx *x, uint8_t *buf)
{
	size_t n = x->e.w->arena_size;
	uint8_t *save = malloc(n);
	if (!save)
		return;
	tdxsim_world_snapshot(x->e.w, save);
	canon(x);
	locks_canon_all(x, NULL, NULL);
	state_save(x, buf);
	/* The retry monitor is part of the checker's state; in replay it is kept the
	 * same way (the observer runs), so it compares too. */
	tdxsim_world_restore(x->e.w, save);
	free(save);
}

bool ckx_enabled(struct ckx *x, unsigned a)
{
	if (a >= x->n_eng)
		return ckx_env_changes(x, a);
	if (engine_actor(&x->e, a)->done)
		return false;
	size_t n = x->e.w->arena_size;
	uint8_t *save = malloc(n + x->mon_len);
	if (!save)
		return true;
	state_save(x, save);
	bool q = x->quiet;
	struct engine_observer saved = x->e.obs;
	engine_set_observer(&x->e, NULL);
	x->quiet = true;
	enum flow_ret r = engine_step(&x->e, a);
	x->quiet = q;
	engine_set_observer(&x->e, &saved);
	state_load(x, save);
	free(save);
	return r != FLOW_BLOCKED;
}
