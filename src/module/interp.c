/* SPDX-License-Identifier: MIT */
/*
 * The leaf interpreter (DESIGN §3-4).  A leaf in progress is a struct
 * tdxsim_leaf_exec; each call to mod_leaf_step() performs exactly one visible
 * action: one lock-word operation (a PAMT-X walk is one operation per level,
 * reference §1.6), one release, one walk over shared SEPT entries, one vCPU
 * association CAS, or one body under the locks held.  Checks read state the held
 * locks protect, so they run inside the step of the next visible action.
 *
 * On a failed check or a busy lock the leaf unwinds: pending undo bodies first,
 * then every held lock in reverse order, one per step, and completes with the
 * status the real leaf returns (§3 "Every failure below returns at once after
 * releasing whatever was already held").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module/fns.h"
#include "module/interp.h"
#include "module/invariants.h"
#include "module/pamt.h"
#include "tdxsim/lock.h"
#include "tdxsim/lock_split.h"

/* ---- the registry's names bound to C (a missing definition is a link error) ---- */

static const tdxsim_step_fn step_fns[TDXSIM_FN__COUNT] = {
#define F_CHECK(name, ...) [TDXSIM_FN_##name] = tdxsim_check_##name,
#define F_WALK(name, ...) [TDXSIM_FN_##name] = tdxsim_walk_##name,
#define F_ASSOC(name, ...) [TDXSIM_FN_##name] = tdxsim_assoc_##name,
#define F_BODY(name, ...) [TDXSIM_FN_##name] = tdxsim_body_##name,
	TDXSIM_CHECKS(F_CHECK) TDXSIM_WALKS(F_WALK) TDXSIM_ASSOCS(F_ASSOC) TDXSIM_BODIES(F_BODY)
#undef F_CHECK
#undef F_WALK
#undef F_ASSOC
#undef F_BODY
};

static const tdxsim_cond_fn cond_fns[TDXSIM_FN__COUNT] = {
#define F_COND(name, ...) [TDXSIM_FN_##name] = tdxsim_cond_##name,
	TDXSIM_CONDS(F_COND)
#undef F_COND
};

int mod_bind(struct tdxsim_mod *m, struct tdxsim_error *err)
{
	const struct tdxsim_table *t = m->table;
	m->res_tdr = tdxsim_table_find_res(t, "TDR");
	m->res_tdvpr = tdxsim_table_find_res(t, "TDVPR");
	const struct tdxsim_leaf *enter = tdxsim_table_find_leaf(t, "TDH.VP.ENTER");
	m->leaf_vp_enter = enter ? (int)(enter - t->leaves) : -1;
	if (m->res_tdr < 0 || m->res_tdvpr < 0) {
		tdxsim_error_set(err, t->path, 0, "the emulator needs resources TDR and TDVPR");
		return -1;
	}
	for (unsigned l = 0; l < t->nleaves; l++) {
		for (unsigned i = 0; i < t->leaves[l].nsteps; i++) {
			const struct tdxsim_step *st = &t->leaves[l].steps[i];
			bool needs_fn = st->kind == TDXSIM_STEP_CHECK || st->kind == TDXSIM_STEP_WALK ||
					st->kind == TDXSIM_STEP_ASSOC || st->kind == TDXSIM_STEP_BODY;
			if ((needs_fn && (st->fn_id < 0 || !step_fns[st->fn_id])) ||
			    (st->when_id >= 0 && !cond_fns[st->when_id]) ||
			    (st->undo_id >= 0 && !step_fns[st->undo_id])) {
				tdxsim_error_set(err, t->path, st->line, "no implementation for '%s'",
						 st->fn[0] ? st->fn : st->when);
				return -1;
			}
		}
	}
	return 0;
}

void mod_unbind(struct tdxsim_mod *m)
{
	(void)m;
}

/* ---- events ---- */

static void emit(struct tdxsim_mod *m, const struct tdxsim_leaf_exec *x, enum tdxsim_lock_op op,
		 int res, enum tdxsim_mode mode, bool guest, int level, const volatile void *word,
		 uint64_t before, uint64_t after, tdx_status_t result)
{
	if (!m->observe)
		return;
	struct tdxsim_lock_event ev = {
		.op = op, .res = res, .mode = mode, .guest = guest, .pamt_level = level,
		.word_off = mod_off(m, word), .before = before, .after = after, .result = result,
		.leaf = x->leaf, .step = x->pc, .lp = x->lp, .exec = x,
	};
	m->observe(m->observe_ctx, &ev);
}

static uint64_t word_value(enum tdxsim_lock_kind kind, const volatile void *w)
{
	switch (kind) {
	case TDXSIM_LK_MUTEX: return atomic_load_explicit((_Atomic uint8_t *)w, memory_order_relaxed);
	case TDXSIM_LK_SHAREX:
	case TDXSIM_LK_SHAREX_HP: return atomic_load_explicit((_Atomic uint16_t *)w, memory_order_relaxed);
	case TDXSIM_LK_SEPT_ENTRY: return atomic_load_explicit((_Atomic uint64_t *)w, memory_order_relaxed);
	}
	return 0;
}

/* ---- lock word operations by kind ---- */

static tdx_status_t word_acquire(enum tdxsim_lock_kind kind, void *w, enum tdxsim_mode mode, bool guest)
{
	switch (kind) {
	case TDXSIM_LK_MUTEX:
		return tdxsim_mutex_acquire(w);
	case TDXSIM_LK_SHAREX:
		return mode == TDXSIM_MODE_SHARED ? tdxsim_sharex_acquire_sh(w) : tdxsim_sharex_acquire_ex(w);
	case TDXSIM_LK_SHAREX_HP:
		return mode == TDXSIM_MODE_SHARED ? tdxsim_sharex_hp_acquire_sh(w, guest)
						  : tdxsim_sharex_hp_acquire_ex(w, guest);
	case TDXSIM_LK_SEPT_ENTRY:
		return guest ? tdxsim_sept_lock_acquire_guest(w) : tdxsim_sept_lock_acquire_host(w);
	}
	return TDXSIM_LOCK_STATUS_MISUSE;
}

static enum tdxsim_lock_err word_release(enum tdxsim_lock_kind kind, void *w, enum tdxsim_mode mode)
{
	switch (kind) {
	case TDXSIM_LK_MUTEX:
		return tdxsim_mutex_release(w);
	case TDXSIM_LK_SHAREX:
		return mode == TDXSIM_MODE_SHARED ? tdxsim_sharex_release_sh(w) : tdxsim_sharex_release_ex(w);
	case TDXSIM_LK_SHAREX_HP:
		return mode == TDXSIM_MODE_SHARED ? tdxsim_sharex_hp_release_sh(w) : tdxsim_sharex_hp_release_ex(w);
	case TDXSIM_LK_SEPT_ENTRY:
		return tdxsim_sept_lock_release(w);
	}
	return TDXSIM_LOCK_NOT_HELD;
}

/* ---- phase changes ---- */

static enum tdxsim_step_result finish(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x);
static enum tdxsim_step_result leaf_step(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x);

/* Start unwinding with a completion status.  Returns the result of the current
 * call: RAN if a visible action already happened in it and work remains, else
 * whatever finishing now gives. */
static enum tdxsim_step_result fail(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x,
				    tdx_status_t status, bool acted)
{
	x->status = status;
	x->phase = TDXSIM_LEAF_UNWIND;
	x->completing = 0;
	if (x->nheld == 0 && x->undo_pending == 0)
		return finish(m, x);
	return acted ? TDXSIM_STEP_RAN : leaf_step(m, x);
}

static void push_held(struct tdxsim_leaf_exec *x, uint64_t word, enum tdxsim_lock_kind kind,
		      enum tdxsim_mode mode, int res, int level, enum tdxsim_hold hold, bool guest)
{
	if (x->nheld >= TDXSIM_MAX_HELD) {
		fprintf(stderr, "tdxsim: internal invariant: leaf holds more than %d locks\n",
			TDXSIM_MAX_HELD);
		abort();
	}
	struct tdxsim_held_lock *h = &x->held[x->nheld++];
	h->word = word;
	h->kind = (uint8_t)kind;
	h->mode = (uint8_t)mode;
	h->res = (uint8_t)res;
	h->level = (uint8_t)(level < 0 ? 0xFF : level);
	h->hold = (uint8_t)hold;
	h->guest = guest;
	h->step = x->pc;
}

void mod_release_held(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x, const struct tdxsim_held_lock *h)
{
	void *w = mod_ptr(m, h->word);
	uint64_t before = word_value(h->kind, w);
	enum tdxsim_lock_err e = word_release(h->kind, w, h->mode);
	emit(m, x, TDXSIM_LOCK_RELEASE, h->res, h->mode, h->guest, h->level == 0xFF ? -1 : h->level,
	     w, before, word_value(h->kind, w), TDX_SUCCESS);
	if (e != TDXSIM_LOCK_OK)
		mod_halt(m, SCEC_LOCK_SOURCE, x->leaf >= 0 ? m->table->leaves[x->leaf].number : 0);
}

void mod_drop_held(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x, int res)
{
	for (int i = (int)x->nheld - 1; i >= 0; i--) {
		if (x->held[i].res != res)
			continue;
		struct tdxsim_held_lock h = x->held[i];
		memmove(&x->held[i], &x->held[i + 1], (x->nheld - (unsigned)i - 1) * sizeof(h));
		x->nheld--;
		void *w = mod_ptr(m, h.word);
		uint64_t v = word_value(h.kind, w);
		emit(m, x, TDXSIM_LOCK_RELEASE, h.res, h.mode, h.guest, h.level == 0xFF ? -1 : h.level,
		     w, v, v, TDX_SUCCESS);
	}
}

/* §1.7: the TDCALL dispatcher's host-priority handling, after the leaf returns. */
static bool guest_postprocess(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x)
{
	struct vcpu_obj *v = mod_vcpu(m, x->vcpu);
	tdx_status_t s = x->status;
	if ((s & TDX_SEAMCALL_STATUS_MASK) == TDX_OPERAND_BUSY_HOST_PRIORITY) {
		/* The guest never sees ..._HOST_PRIORITY: rewritten to BUSY, operand kept. */
		s = TDX_OPERAND_BUSY | (s & TDX_STATUS_OPERAND_MASK);
		x->status = s;
		uint64_t now = mod_now(m);
		if (!v->hp_lock_busy) {
			v->hp_lock_busy = 1;
			v->hp_lock_busy_start = now;
		} else {
			struct td_obj *td = mod_td(m, v->td);
			if (now - v->hp_lock_busy_start >= td->hp_lock_timeout) {
				v->hp_lock_busy = 0;
				v->guest_rax_pending = s;
				x->exit = TDXSIM_EXIT_HP_TIMEOUT;
				return true;
			}
		}
	} else {
		v->hp_lock_busy = 0;
	}
	return x->exit != TDXSIM_EXIT_NONE;
}

static enum tdxsim_step_result finish(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x)
{
	x->phase = TDXSIM_LEAF_DONE;
	x->regs.r[OPERAND_ID_RAX] = x->status;
	if (mod_global(m)->halted && x->status != TDX_SEAMCALL_VMFAILINVALID) {
		/* A sanity check halted the module during this leaf. */
		x->status = TDX_SEAMCALL_VMFAILINVALID;
		x->regs.r[OPERAND_ID_RAX] = x->status;
	}
	if (x->side == TDXSIM_SIDE_GUEST && x->leaf >= 0) {
		bool exits = guest_postprocess(m, x);
		/* §1.7: the guest sees the rewritten status (BUSY, never BUSY_HOST_PRIORITY)
		 * whether or not the TDCALL ends in a TD exit. */
		x->regs.r[OPERAND_ID_RAX] = x->status;
		if (exits)
			return TDXSIM_STEP_TD_EXIT;
	}
	return TDXSIM_STEP_DONE;
}

/* One unwinding action: an undo body, or a release; on success (completing) the
 * locks held until TD exit stay and the leaf enters the guest instead. */
static enum tdxsim_step_result unwind_one(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x)
{
	const struct tdxsim_leaf *L = &m->table->leaves[x->leaf];
	if (x->undo_pending) {
		int i = 63 - __builtin_clzll(x->undo_pending);
		x->undo_pending &= ~(1ull << i);
		const struct tdxsim_step *st = &L->steps[i];
		(void)step_fns[st->undo_id](m, x, st);
		if (x->nheld == 0 && x->undo_pending == 0)
			return finish(m, x);
		return TDXSIM_STEP_RAN;
	}
	for (int i = (int)x->nheld - 1; i >= 0; i--) {
		if (x->completing && x->held[i].hold == TDXSIM_HOLD_UNTIL_TD_EXIT)
			continue;
		struct tdxsim_held_lock h = x->held[i];
		memmove(&x->held[i], &x->held[i + 1], (x->nheld - (unsigned)i - 1) * sizeof(h));
		x->nheld--;
		mod_release_held(m, x, &h);
		bool more = false;
		for (unsigned j = 0; j < x->nheld; j++)
			if (!(x->completing && x->held[j].hold == TDXSIM_HOLD_UNTIL_TD_EXIT))
				more = true;
		if (more)
			return TDXSIM_STEP_RAN;
		break;
	}
	if (x->completing && x->nheld > 0) {
		/* TDH.VP.ENTER: TDVPR and TDR stay locked while the guest runs (§3). */
		struct vcpu_obj *v = mod_vcpu(m, x->vc);
		memcpy(v->entry_holds, x->held, x->nheld * sizeof(x->held[0]));
		v->n_entry_holds = x->nheld;
		x->nheld = 0;
		x->phase = TDXSIM_LEAF_ENTERED;
		x->status = TDXSIM_STATUS_ENTERED;
		x->regs.r[OPERAND_ID_RAX] = x->status;
		return TDXSIM_STEP_ENTERED;
	}
	return finish(m, x);
}

/* Reached the end of the step list. */
static enum tdxsim_step_result complete(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x)
{
	x->phase = TDXSIM_LEAF_UNWIND;
	x->completing = 1;
	x->undo_pending = 0;
	return unwind_one(m, x);
}

/* ---- busy statuses ---- */

static uint32_t step_operand(const struct tdxsim_resource *r, const struct tdxsim_step *st)
{
	if (st->busy_operand >= 0)
		return (uint32_t)st->busy_operand;
	if (r->busy == TDXSIM_BUSY_OPERAND)
		return r->busy_operand;
	return st->reg >= 0 ? (uint32_t)st->reg : 0;
}

static tdx_status_t busy_status(const struct tdxsim_resource *r, const struct tdxsim_step *st,
				tdx_status_t lockret)
{
	if (r->busy == TDXSIM_BUSY_STATUS)
		return r->busy_status;
	return tdx_status_with_operand(lockret, step_operand(r, st));
}

/* ---- FIELD and SEPT entry locks: one operation ---- */

static void *field_word(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x, enum tdxsim_lock_field f)
{
	if (f == TDXSIM_FIELD_WBT)
		return &mod_wbt(m, mod_lp(m, x->lp)->pkg)->lock;
	if (f == TDXSIM_FIELD_TDMR)
		return &mod_tdmr(m, (unsigned)x->scratch[0])->lock;
	void *g = mod_global_field_lock(m, f);
	if (g)
		return g;
	return x->td != UINT32_MAX ? mod_tdcs_field_lock(mod_td(m, x->td), f) : NULL;
}

static enum tdxsim_step_result lock_one(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x,
					const struct tdxsim_step *st)
{
	const struct tdxsim_resource *r = &m->table->res[st->res];
	bool guest = x->side == TDXSIM_SIDE_GUEST;
	void *w;
	if (r->backing == TDXSIM_BACK_SEPT_ENTRY) {
		if (x->sept_pg == UINT32_MAX)
			mod_fatal(m, x, "SEPT entry lock without a walk before it");
		w = (void *)&mod_sept_page(m, x->sept_pg)->e[x->sept_idx];
	} else {
		w = field_word(m, x, r->field);
		if (!w)
			mod_fatal(m, x, "lock on a TDCS field before the TD is known");
	}
	enum tdxsim_mode mode = r->kind == TDXSIM_LK_SEPT_ENTRY || r->kind == TDXSIM_LK_MUTEX
					? TDXSIM_MODE_EXCLUSIVE : st->mode;
	uint64_t before = word_value(r->kind, w);
	tdx_status_t s;
	bool pushed = false;
	if (!m->instr_atomicity) {
		s = word_acquire(r->kind, w, mode, guest);
	} else if (x->lock_cont == TDXSIM_CONT_NONE) {
		/* First instruction; when more is left it is the next step (lock_split.h). */
		enum tdxsim_lock_cont c;
		s = tdxsim_lock_first(r->kind, w, mode == TDXSIM_MODE_EXCLUSIVE, guest, &c);
		if (c != TDXSIM_CONT_NONE) {
			x->lock_cont = (uint8_t)c;
			emit(m, x, TDXSIM_LOCK_PARTIAL, st->res, mode, guest, -1, w, before,
			     word_value(r->kind, w), s);
			/* A lock (or a reader increment) held across the two instructions
			 * is recorded now, so the lock accounting explains the word. */
			if (tdxsim_lock_cont_holds(c))
				push_held(x, mod_off(m, w), r->kind, mode, st->res, -1, st->hold, guest);
			return TDXSIM_STEP_RAN;
		}
	} else {
		enum tdxsim_lock_cont c = (enum tdxsim_lock_cont)x->lock_cont;
		x->lock_cont = TDXSIM_CONT_NONE;
		s = tdxsim_lock_rest(w, c);
		if (tdxsim_lock_cont_holds(c)) {
			if (s == TDX_SUCCESS)
				pushed = true;
			else
				x->nheld--; /* the rest gave the lock (increment) back */
		}
	}
	emit(m, x, TDXSIM_LOCK_ACQUIRE, st->res, mode, guest, -1, w, before, word_value(r->kind, w), s);
	if (tdxsim_lock_status_is_misuse(s)) {
		mod_halt(m, SCEC_LOCK_SOURCE, m->table->leaves[x->leaf].number);
		return fail(m, x, TDX_SEAMCALL_VMFAILINVALID, true);
	}
	if (s != TDX_SUCCESS)
		return fail(m, x, busy_status(r, st, s), true);
	if (!pushed)
		push_held(x, mod_off(m, w), r->kind, mode, st->res, -1, st->hold, guest);
	if (r->backing == TDXSIM_BACK_SEPT_ENTRY)
		x->entry = atomic_load_explicit((_Atomic uint64_t *)w, memory_order_acquire);
	x->pc++;
	return TDXSIM_STEP_RAN;
}

/* ---- PAMT locks: explicit walks take one level per step (§1.6) ---- */

static enum tdxsim_step_result pamt_step(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x,
					 const struct tdxsim_step *st)
{
	const struct tdxsim_resource *r = &m->table->res[st->res];
	bool guest = x->side == TDXSIM_SIDE_GUEST;
	uint32_t op = step_operand(r, st);
	struct pamt_walk_result res;

	if (x->sub == 0) {
		/* Argument checks run inside the step of the first lock operation. */
		tdx_status_t s = pamt_lock_start(m, x, st, &res);
		if (s != TDX_SUCCESS)
			return fail(m, x, s, false);
	}
	/* One lock operation. */
	struct pamt_op po;
	pamt_next_op(m, x, st, &po);
	struct pamt_entry *pe = mod_pamt(m, po.level, po.index);
	uint64_t before = atomic_load_explicit(&pe->lock, memory_order_relaxed);
	tdx_status_t s;
	enum tdxsim_lock_op evop = TDXSIM_LOCK_ACQUIRE;
	if (po.promote) {
		/* §1.3 promote: host only; on failure the caller keeps its shared hold. */
		s = tdxsim_sharex_hp_promote(&pe->lock);
		evop = TDXSIM_LOCK_PROMOTE;
	} else {
		s = po.mode == TDXSIM_MODE_SHARED ? tdxsim_sharex_hp_acquire_sh(&pe->lock, guest)
						  : tdxsim_sharex_hp_acquire_ex(&pe->lock, guest);
	}
	emit(m, x, evop, st->res, po.promote ? TDXSIM_MODE_EXCLUSIVE : po.mode, guest, po.level, &pe->lock,
	     before, atomic_load_explicit(&pe->lock, memory_order_relaxed), s);
	if (tdxsim_lock_status_is_misuse(s)) {
		mod_halt(m, SCEC_LOCK_SOURCE, m->table->leaves[x->leaf].number);
		x->sub = 0;
		return fail(m, x, TDX_SEAMCALL_VMFAILINVALID, true);
	}
	if (s != TDX_SUCCESS) {
		/* Every level already taken is released by the unwind (pamt_unwalk). */
		x->sub = 0;
		return fail(m, x, tdx_status_with_operand(s, op), true);
	}
	if (po.promote)
		x->held[x->nheld - 1].mode = TDXSIM_MODE_EXCLUSIVE;
	else
		push_held(x, mod_off(m, &pe->lock), TDXSIM_LK_SHAREX_HP, po.mode, st->res, po.level,
			  st->hold, guest);
	if (pamt_advance(m, x, st, &po))
		return TDXSIM_STEP_RAN;
	/* Leaf locked: size and page-type checks come after the lock, so a busy
	 * lock is reported before a wrong page type (§1.6). */
	x->sub = 0;
	tdx_status_t c = pamt_lock_finish(m, x, st, po.level);
	if (c != TDX_SUCCESS)
		return fail(m, x, c, true);
	x->pc++;
	return TDXSIM_STEP_RAN;
}

/* ---- explicit release step ---- */

static enum tdxsim_step_result release_step(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x,
					    const struct tdxsim_step *st)
{
	for (int i = (int)x->nheld - 1; i >= 0; i--) {
		if (x->held[i].res != st->res)
			continue;
		struct tdxsim_held_lock h = x->held[i];
		memmove(&x->held[i], &x->held[i + 1], (x->nheld - (unsigned)i - 1) * sizeof(h));
		x->nheld--;
		mod_release_held(m, x, &h);
		/* A PAMT resource has one record per level: release them over several steps. */
		bool more = false;
		for (unsigned j = 0; j < x->nheld; j++)
			if (x->held[j].res == st->res)
				more = true;
		if (!more)
			x->pc++;
		return TDXSIM_STEP_RAN;
	}
	x->pc++; /* not held (its acquiring step was skipped by a condition) */
	return leaf_step(m, x);
}

/* ---- the step function ---- */



static enum tdxsim_step_result leaf_step(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x)
{
	switch (x->phase) {
	case TDXSIM_LEAF_DONE:
	case TDXSIM_LEAF_IDLE:
		return TDXSIM_STEP_DONE;
	case TDXSIM_LEAF_ENTERED:
		return TDXSIM_STEP_ENTERED;
	case TDXSIM_LEAF_UNWIND:
		return unwind_one(m, x);
	default:
		break;
	}
	if (x->leaf == TDXSIM_LEAF_TD_EXIT)
		return mod_td_exit_step(m, x);

	const struct tdxsim_leaf *L = &m->table->leaves[x->leaf];
	for (;;) {
		if (x->pc >= L->nsteps)
			return complete(m, x);
		const struct tdxsim_step *st = &L->steps[x->pc];
		if (x->pc + 1u == L->nsteps && x->sub == 0) {
			/* TDH.VP.ENTER step 18: a lock held until guest entry (the SEPT tree
			 * under zero-step) is released right before the last step (§3). */
			for (int i = (int)x->nheld - 1; i >= 0; i--) {
				if (x->held[i].hold != TDXSIM_HOLD_UNTIL_GUEST_ENTRY)
					continue;
				struct tdxsim_held_lock h = x->held[i];
				memmove(&x->held[i], &x->held[i + 1], (x->nheld - (unsigned)i - 1) * sizeof(h));
				x->nheld--;
				mod_release_held(m, x, &h);
				return TDXSIM_STEP_RAN;
			}
		}
		if (x->sub == 0 && st->when_id >= 0 && !cond_fns[st->when_id](m, x)) {
			x->pc++;
			continue;
		}
		tdx_status_t s;
		switch (st->kind) {
		case TDXSIM_STEP_CHECK:
			s = step_fns[st->fn_id](m, x, st);
			if (s != TDX_SUCCESS)
				return fail(m, x, s, false);
			x->pc++;
			continue;
		case TDXSIM_STEP_WALK:
		case TDXSIM_STEP_ASSOC:
		case TDXSIM_STEP_BODY:
			s = step_fns[st->fn_id](m, x, st);
			if (st->undo_id >= 0 && x->pc < 64)
				x->undo_pending |= 1ull << x->pc;
			for (unsigned k = 0; k < 4; k++)
				if (s == TDX_SUCCESS && st->releases[k] >= 0)
					mod_drop_held(m, x, st->releases[k]);
			if (s != TDX_SUCCESS)
				return fail(m, x, s, true);
			x->pc++;
			return TDXSIM_STEP_RAN;
		case TDXSIM_STEP_LOCK:
			if (m->table->res[st->res].backing == TDXSIM_BACK_PAMT)
				return pamt_step(m, x, st);
			return lock_one(m, x, st);
		case TDXSIM_STEP_RELEASE:
			return release_step(m, x, st);
		}
	}
}

/* The module invariants (invariants.h) after every step when the world was created
 * with check_invariants (a debug switch for the step-by-step schedulers; it is not
 * thread-safe).  A broken invariant is an emulator bug: abort naming it, the leaf and
 * the step (DESIGN §8). */
static void check_after_step(struct tdxsim_mod *m, const struct tdxsim_leaf_exec *x, unsigned pc,
			     enum tdxsim_step_result r)
{
	char why[512];
	bool ok = mod_check_invariants(m, why, sizeof(why));
	if (ok && (r == TDXSIM_STEP_DONE || r == TDXSIM_STEP_TD_EXIT) && x->nheld != 0) {
		snprintf(why, sizeof(why), "lock-held: the execution completed holding %u lock(s)",
			 (unsigned)x->nheld);
		ok = false;
	}
	if (ok)
		return;
	const char *leaf = x->leaf >= 0 ? m->table->leaves[x->leaf].name
			   : x->leaf == TDXSIM_LEAF_TD_EXIT ? "TD exit" : "a refused call";
	unsigned line = x->leaf >= 0 && pc < m->table->leaves[x->leaf].nsteps
				? m->table->leaves[x->leaf].steps[pc].line : 0;
	fprintf(stderr, "tdxsim: module invariant broken after %s step %u (%s:%u): %s\n", leaf, pc,
		m->table->path ? m->table->path : "?", line, why);
	abort();
}

enum tdxsim_step_result mod_leaf_step(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x)
{
	unsigned pc = x->pc;
	enum tdxsim_step_result r = leaf_step(m, x);
	if (m->check_invariants)
		check_after_step(m, x, pc, r);
	return r;
}

/* ---- starting a call ---- */

static void exec_init(struct tdxsim_leaf_exec *x, unsigned lp, const struct tdxsim_regs *regs)
{
	memset(x, 0, sizeof(*x));
	x->leaf = -1;
	x->lp = lp;
	x->vcpu = UINT32_MAX;
	x->td = UINT32_MAX;
	x->vc = UINT32_MAX;
	x->sept_pg = UINT32_MAX;
	x->pamt_frame = UINT32_MAX;
	if (regs)
		x->regs = *regs;
}

static void done_now(struct tdxsim_leaf_exec *x, tdx_status_t s)
{
	x->status = s;
	x->regs.r[OPERAND_ID_RAX] = s;
	x->phase = TDXSIM_LEAF_DONE;
}

void mod_seamcall_begin(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x, unsigned lp,
			const struct tdxsim_regs *regs)
{
	exec_init(x, lp, regs);
	x->side = TDXSIM_SIDE_HOST;
	struct mod_global *g = mod_global(m);
	/* Faults at the SEAMCALL instruction itself (linux-kvm-tdx.md §4). */
	if (!g->module_loaded || atomic_load(&g->halted)) {
		done_now(x, TDX_SEAMCALL_VMFAILINVALID);
		return;
	}
	if (lp >= m->lay.n_lps || !mod_lp(m, lp)->vmx_on) {
		done_now(x, TDX_SEAMCALL_UD);
		return;
	}
	uint64_t rax = x->regs.r[OPERAND_ID_RAX];
	unsigned number = (unsigned)(rax & 0xFFFF), version = (unsigned)((rax >> 16) & 0xFF);
	const struct tdxsim_leaf *L = tdxsim_table_leaf_by_number(m->table, TDXSIM_SIDE_HOST, number);
	/* §3: reserved bits, unknown leaf, or a version the leaf does not have. */
	if ((rax >> 24) != 0 || !L || version > L->max_version) {
		done_now(x, tdx_status_with_operand(TDX_OPERAND_INVALID, OPERAND_ID_RAX));
		return;
	}
	x->leaf = (int16_t)(L - m->table->leaves);
	x->version = (uint8_t)version;
	x->phase = TDXSIM_LEAF_RUN;
}

void mod_tdcall_begin(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x, uint32_t vcpu,
		      const struct tdxsim_regs *regs)
{
	struct vcpu_obj *v = vcpu < m->lay.max_vcpus ? mod_vcpu(m, vcpu) : NULL;
	exec_init(x, v ? atomic_load(&v->assoc_lpid) : 0, regs);
	x->side = TDXSIM_SIDE_GUEST;
	if (!v || atomic_load(&v->state) != VCPU_ACTIVE) {
		/* Simulator misuse: only a vCPU in guest mode can execute TDCALL. */
		done_now(x, TDX_VCPU_STATE_INCORRECT);
		return;
	}
	x->vcpu = vcpu;
	v->tdcall_restart = 0; /* set again only by a TDCALL that does not advance RIP */
	x->vc = vcpu;
	x->td = v->td;
	uint64_t rax = x->regs.r[OPERAND_ID_RAX];
	unsigned number = (unsigned)(rax & 0xFFFF), version = (unsigned)((rax >> 16) & 0xFF);
	const struct tdxsim_leaf *L = tdxsim_table_leaf_by_number(m->table, TDXSIM_SIDE_GUEST, number);
	if ((rax >> 24) != 0 || !L || version > L->max_version) {
		done_now(x, tdx_status_with_operand(TDX_OPERAND_INVALID, OPERAND_ID_RAX));
		return;
	}
	x->leaf = (int16_t)(L - m->table->leaves);
	x->version = (uint8_t)version;
	x->phase = TDXSIM_LEAF_RUN;
}

void mod_halt(struct tdxsim_mod *m, uint32_t code, unsigned leaf)
{
	struct mod_global *g = mod_global(m);
	uint8_t expected = 0;
	if (atomic_compare_exchange_strong(&g->halted, &expected, 1)) {
		g->halt_code = code;
		g->halt_leaf = leaf;
	}
}

void mod_fatal(struct tdxsim_mod *m, const struct tdxsim_leaf_exec *x, const char *what)
{
	const char *leaf = x->leaf >= 0 ? m->table->leaves[x->leaf].name : "TD exit";
	unsigned line = x->leaf >= 0 && x->pc < m->table->leaves[x->leaf].nsteps
				? m->table->leaves[x->leaf].steps[x->pc].line : 0;
	fprintf(stderr, "tdxsim: internal invariant broken in %s step %u (%s:%u): %s\n", leaf,
		(unsigned)x->pc, m->table->path ? m->table->path : "?", line, what);
	abort();
}
