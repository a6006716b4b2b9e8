/* SPDX-License-Identifier: MIT */
/*
 * The guest TD model: its state region, its flow table, and guest_vcpu_step(), which
 * runs a vCPU while it is in guest mode (docs/guest-model.md).
 *
 * One call of guest_vcpu_step() is one visible action, in this order:
 *  1. a TD exit in progress takes its next step; when it completes, its registers
 *     become TDH.VP.ENTER's outputs on the host stack and the vCPU leaves guest mode;
 *  2. a TDCALL in progress takes its next module step (SEAM mode: a host kick's IPI
 *     stays pending until the module returns to the guest, so it is looked at only
 *     between instructions); a TDCALL that ends in a TD exit starts that exit;
 *  3. a pending kick (vmm_vcpu_kick_pending) starts a TD exit (external interrupt);
 *  4. otherwise the guest program runs up to its next visible action: a TDCALL's
 *     first module step, or one memory access checked against the Secure EPT (a
 *     fault starts an EPT-violation TD exit).  A pending virtual interrupt is taken
 *     first (it has no visible effect).
 * After its program returns, the vCPU halts: TDG.VP.VMCALL<Instruction.HLT> in a
 * loop, so that the host sees an exit and can stop entering it (GUEST_PROG_IDLE
 * instead spins at one RIP until the host kicks it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/guest_internal.h"
#include "module/interp.h"
#include "module/sept_ops.h"
#include "module/sept_walk.h"
#include "module/vcpu.h"
#include "vmm/vmm.h"

_Thread_local struct guest_cur guest_cur;

static void guest_fatal(const char *what) __attribute__((noreturn));
static void guest_fatal(const char *what)
{
	fprintf(stderr, "tdxsim: internal invariant: guest model: %s\n", what);
	abort();
}

/* ---- state region -------------------------------------------------------------- */

static size_t align64(size_t v)
{
	return (v + 63) & ~(size_t)63;
}

static uint32_t bitmap_words(const struct guest_config *cfg)
{
	return (cfg->n_pages + 63) / 64;
}

size_t guest_state_size(const struct guest_config *cfg)
{
	size_t n = (size_t)cfg->n_vms * cfg->n_vcpus;
	return align64(sizeof(struct guest_hdr)) + align64(n * sizeof(struct guest_vcpu)) +
	       align64((size_t)cfg->n_vms * bitmap_words(cfg) * sizeof(uint64_t));
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

uint64_t guest_rand(struct guest_vcpu *gv)
{
	return splitmix64(&gv->prng);
}

void guest_seed(void *guest, uint64_t seed)
{
	struct guest_hdr *g = guest;
	unsigned n = g->n_vms * g->n_vcpus;
	for (unsigned i = 0; i < n; i++) {
		uint64_t s = seed ^ (0xD1B54A32D192ED03ull * (i + 1));
		guest_vcpus(guest)[i].prng = splitmix64(&s);
	}
}

void guest_state_init(void *guest, const struct guest_config *cfg)
{
	memset(guest, 0, guest_state_size(cfg));
	struct guest_hdr *g = guest;
	g->magic = GUEST_MAGIC;
	g->n_vms = cfg->n_vms;
	g->n_vcpus = cfg->n_vcpus;
	g->n_pages = cfg->n_pages;
	g->private_base = cfg->private_base;
	g->bitmap_words = bitmap_words(cfg);
	g->off_vcpus = align64(sizeof(struct guest_hdr));
	g->off_bitmaps = g->off_vcpus + align64((size_t)cfg->n_vms * cfg->n_vcpus * sizeof(struct guest_vcpu));
	if (cfg->policy)
		g->policy = *cfg->policy;
	else
		g->policy = tdxsim_policy_builtin("kvm-6.16")->guest;
	for (unsigned i = 0; i < g->n_vms * g->n_vcpus; i++)
		guest_vcpus(guest)[i].rip = GUEST_RIP_BASE;
	guest_seed(guest, 0);
}

/* ---- small helpers ------------------------------------------------------------- */

void guest_set_rip(struct flow_ctx *c, uint64_t rip)
{
	guest_cur.gv->rip = rip;
	mod_vcpu(c->m, guest_cur.vo)->guest_rip = rip;
}

void guest_mark_range(uint64_t gpa, uint64_t n, bool accepted)
{
	struct guest_hdr *g = guest_cur.g;
	_Atomic uint64_t *bm = guest_bitmap(g, guest_cur.vm);
	gpa &= ~TDXSIM_SHARED_BIT;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t a = gpa + i * PAGE_SIZE_4K;
		if (a < g->private_base)
			continue;
		uint64_t p = (a - g->private_base) / PAGE_SIZE_4K;
		if (p >= g->n_pages)
			continue;
		if (accepted)
			atomic_fetch_or(&bm[p / 64], 1ull << (p % 64));
		else
			atomic_fetch_and(&bm[p / 64], ~(1ull << (p % 64)));
	}
}

bool guest_page_accepted(const void *guest, unsigned vm, uint64_t gpa)
{
	const struct guest_hdr *g = guest;
	gpa &= ~TDXSIM_SHARED_BIT;
	if (vm >= g->n_vms || gpa < g->private_base)
		return false;
	uint64_t p = (gpa - g->private_base) / PAGE_SIZE_4K;
	if (p >= g->n_pages)
		return false;
	_Atomic uint64_t *bm = (_Atomic uint64_t *)((uint8_t *)guest + g->off_bitmaps) +
			       (size_t)vm * g->bitmap_words;
	return (atomic_load(&bm[p / 64]) >> (p % 64)) & 1;
}

void guest_post_interrupt(void *guest, unsigned vm, unsigned vcpu)
{
	struct guest_hdr *g = guest;
	if (vm < g->n_vms && vcpu < g->n_vcpus)
		atomic_store(&guest_vcpu_of(guest, vm, vcpu)->virq_pending, 1);
}

bool guest_mapgpa_state(const void *guest, unsigned vm, unsigned vcpu, struct guest_mapgpa *out)
{
	const struct guest_hdr *g = guest;
	if (vm >= g->n_vms || vcpu >= g->n_vcpus)
		return false;
	const struct guest_vcpu *gv = guest_vcpus(guest) + (size_t)vm * g->n_vcpus + vcpu;
	out->active = gv->mg_active;
	out->start0 = gv->mg_start0;
	out->end = gv->mg_end;
	out->start = gv->mg_start;
	out->last_r11 = gv->mg_r11;
	out->retry_count = gv->mg_retry;
	out->resumed_outside = gv->mg_outside;
	out->result = gv->mg_result;
	return true;
}

static bool is_busy(tdx_status_t s)
{
	return (s & TDX_SEAMCALL_STATUS_MASK) == TDX_OPERAND_BUSY;
}

/* The module's vcpu_obj.intr_pending mirrors the guest's pending virtual interrupt
 * while a TDCALL runs (a 2 MB ACCEPT polls it between 4 KB chunks). */
static void sync_virq(struct flow_ctx *c)
{
	mod_vcpu_set_intr_pending(c->m, guest_cur.vo, atomic_load(&guest_cur.gv->virq_pending) != 0);
}

/* The guest takes its pending virtual interrupt (if any) at an instruction boundary. */
static void take_virq(struct flow_ctx *c)
{
	if (!atomic_exchange(&guest_cur.gv->virq_pending, 0))
		return;
	guest_cur.gv->virqs++;
	mod_vcpu_set_intr_pending(c->m, guest_cur.vo, false);
}

/* ---- TD exits and TDCALL steps -------------------------------------------------- */

static void begin_td_exit(struct flow_ctx *c, enum tdxsim_exit_reason why, uint64_t gpa)
{
	mod_td_exit_begin(c->m, &c->s->guest, guest_cur.vo, why, gpa);
}

static void finish_td_exit(struct flow_ctx *c)
{
	struct tdxsim_leaf_exec *x = &c->s->guest;
	struct tdxsim_leaf_exec *h = &guest_cur.host->host;
	h->regs = x->regs;
	h->status = x->status;
	h->phase = TDXSIM_LEAF_DONE;
	guest_cur.host->guest_mode = 0;
	guest_cur.gv->td_exits++;
	memset(x, 0, sizeof(*x));
}

/* A TDCALL's module step returned r. */
static void tdcall_stepped(struct flow_ctx *c, enum tdxsim_step_result r)
{
	struct tdxsim_leaf_exec *x = &c->s->guest;
	struct guest_vcpu *gv = guest_cur.gv;
	switch (r) {
	case TDXSIM_STEP_RAN:
		return;
	case TDXSIM_STEP_DONE:
		memcpy(gv->out, x->regs.r, sizeof(gv->out));
		gv->tc = TC_DONE;
		gv->tc_exit = TDXSIM_EXIT_NONE;
		gv->tc_restart = mod_vcpu_tdcall_restarted(c->m, guest_cur.vo);
		gv->tdcalls++;
		if (is_busy(x->status))
			gv->busy_seen++;
		memset(x, 0, sizeof(*x));
		return;
	case TDXSIM_STEP_TD_EXIT: {
		enum tdxsim_exit_reason why = (enum tdxsim_exit_reason)x->exit;
		uint64_t gpa = x->scratch[1];
		memset(gv->out, 0, sizeof(gv->out)); /* what the guest sees comes at resumption */
		gv->tc = TC_EXIT;
		gv->tc_exit = (uint8_t)why;
		gv->tc_restart = 0;
		gv->tdcalls++;
		if (why == TDXSIM_EXIT_HP_TIMEOUT && is_busy(x->status))
			gv->busy_seen++;
		/* TDG.VP.VMCALL and the host-priority timeout complete the TDCALL before the
		 * exit (the guest resumes after it); an ACCEPT that needs the VMM to map the
		 * page does not (RIP stays, the TDCALL runs again). */
		if (why == TDXSIM_EXIT_TDVMCALL || why == TDXSIM_EXIT_HP_TIMEOUT)
			guest_set_rip(c, gv->rip + GUEST_INSN_LEN);
		begin_td_exit(c, why, gpa);
		return;
	}
	case TDXSIM_STEP_ENTERED:
		break;
	}
	guest_fatal("a TDCALL entered a guest");
}

/* GF_TDCALL: one TDCALL with the inputs in gv->in.  Returns (in the caller's
 * c->fr->ret) RAX as the guest sees it; all outputs are in gv->out, which the caller
 * zeroes once it has read them. */
enum flow_ret guest_flow_tdcall(struct flow_ctx *c)
{
	struct guest_vcpu *gv = guest_cur.gv;
	switch (c->fr->pc) {
	case 0:
	issue:
		if (c->acted) {
			c->fr->pc = 0;
			return FLOW_RAN;
		}
		{
			struct tdxsim_regs regs;
			memcpy(regs.r, gv->in, sizeof(regs.r));
			sync_virq(c);
			mod_tdcall_begin(c->m, &c->s->guest, guest_cur.vo, &regs);
			gv->tc = TC_RUNNING;
			enum tdxsim_step_result r = mod_leaf_step(c->m, &c->s->guest);
			c->acted = 1;
			tdcall_stepped(c, r);
		}
		c->fr->pc = 1;
		return FLOW_RAN;
	case 1:
		/* Resumed by guest_vcpu_step only when nothing is in flight. */
		switch (gv->tc) {
		case TC_DONE:
			gv->tc = TC_NONE;
			if (gv->tc_restart) {
				/* §3 ACCEPT 2M: the module stopped for a pending interrupt and left
				 * RIP on the TDCALL: take the interrupt, then execute it again. */
				gv->tc_restart = 0;
				gv->accept_restarts++;
				memset(gv->out, 0, sizeof(gv->out));
				take_virq(c);
				goto issue;
			}
			guest_set_rip(c, gv->rip + GUEST_INSN_LEN);
			break;
		case TC_EXIT:
			gv->tc = TC_NONE;
			switch ((enum tdxsim_exit_reason)gv->tc_exit) {
			case TDXSIM_EXIT_TDVMCALL: {
				/* The VMM's response came back through TDH.VP.ENTER into the
				 * registers the guest resumes with (vcpu_obj.guest_ret). */
				const struct vcpu_obj *v = mod_vcpu(c->m, guest_cur.vo);
				memcpy(gv->out, v->guest_ret, sizeof(gv->out));
				break;
			}
			case TDXSIM_EXIT_HP_TIMEOUT:
				/* §1.7: the BUSY status, with bit 60 as the host's next VP.ENTER set it. */
				gv->out[OPERAND_ID_RAX] = mod_vcpu(c->m, guest_cur.vo)->guest_ret[OPERAND_ID_RAX];
				break;
			case TDXSIM_EXIT_ACCEPT_VIOLATION:
			case TDXSIM_EXIT_EPT_VIOLATION:
				/* The VMM has (maybe) mapped the page: the TDCALL runs again. */
				goto issue;
			default:
				guest_fatal("a TDCALL ended in an unexpected TD exit");
			}
			break;
		default:
			guest_fatal("TDCALL flow resumed with no result");
		}
		/* Done: the inputs are dead; the caller reads (then zeroes) the outputs. */
		gv->tc_exit = TDXSIM_EXIT_NONE;
		memset(gv->in, 0, sizeof(gv->in));
		flow_pop(c, (int64_t)gv->out[OPERAND_ID_RAX]);
		return c->s->depth ? flow_run(c) : FLOW_DONE;
	default:
		flow_bad_pc(c);
	}
}

/* ---- memory access --------------------------------------------------------------- */

/* The hardware's walk of the Secure EPT for a guest access (the mod-level
 * tdxsim_guest_access): shared GPAs are the VMM's business; a private one needs the
 * rights on every level (vcpu_gpa_translate, the zero-step filter's walk).  A
 * violation on an entry with SVE clear would be a #VE in the guest; the model has no
 * #VE and treats it as a fault too (every leaf the module writes has SVE set). */
static bool access_allowed(struct flow_ctx *c, uint64_t gpa, bool write)
{
	struct vcpu_obj *v = mod_vcpu(c->m, guest_cur.vo);
	if (!sept_gpa_is_private(c->m, v->td, gpa))
		return true;
	return vcpu_gpa_translate(c->m, v->td, gpa, write ? SEPT_W : SEPT_R) == VCPU_XLATE_OK;
}

/* GF_ACCESS(gpa, write): one access at the current RIP; a fault exits to the VMM
 * with an EPT violation and the access runs again when the vCPU is resumed. */
enum flow_ret guest_flow_access(struct flow_ctx *c)
{
	struct guest_vcpu *gv = guest_cur.gv;
	switch (c->fr->pc) {
	case 1:
	case 0:
		if (c->acted) {
			c->fr->pc = 0;
			return FLOW_RAN;
		}
		c->acted = 1;
		if (access_allowed(c, c->fr->l[0], c->fr->l[1] != 0)) {
			gv->accesses++;
			flow_pop(c, 0);
			return c->s->depth ? flow_run(c) : FLOW_DONE;
		}
		gv->faults++;
		begin_td_exit(c, TDXSIM_EXIT_EPT_VIOLATION, c->fr->l[0]);
		c->fr->pc = 1;
		return FLOW_RAN;
	default:
		flow_bad_pc(c);
	}
}

/* ---- halt and idle ------------------------------------------------------------------ */

/* GF_HALT: the program has returned; the vCPU halts as Linux's idle loop does,
 * TDG.VP.VMCALL<Instruction.HLT> (R11 = EXIT_REASON_HLT, R12 = 0: interrupts
 * enabled), again each time the host resumes it. */
enum flow_ret guest_flow_halt(struct flow_ctx *c)
{
	FLOW_BEGIN(c);
	for (;;) {
		guest_tdcall_regs(TDG_VP_VMCALL, TDVMCALL_EXPOSE_REGS_MASK);
		guest_cur.gv->in[OPERAND_ID_R10] = TDX_HYPERCALL_STANDARD;
		guest_cur.gv->in[OPERAND_ID_R11] = EXIT_REASON_HLT;
		guest_cur.gv->in[OPERAND_ID_R12] = 0;
		guest_cur.gv->halts++;
		FLOW_CALL(c, GF_TDCALL, 0, 0, 0, 0);
		memset(guest_cur.gv->out, 0, sizeof(guest_cur.gv->out));
	}
	FLOW_END(c);
}

/* GF_PROG_IDLE: spin at one RIP touching nothing.  Each step does nothing visible;
 * only a kick (step 3 of guest_vcpu_step) gets the vCPU out. */
enum flow_ret guest_flow_idle(struct flow_ctx *c)
{
	(void)c;
	return FLOW_RAN;
}

/* ---- table, start, step, progress ---------------------------------------------------- */

static const flow_fn guest_flows[GF__COUNT] = {
	[GF_PROG_IDLE] = guest_flow_idle,
	[GF_PROG_ACCEPT] = guest_flow_prog_accept,
	[GF_PROG_ACCESS_SEQ] = guest_flow_access_seq,
	[GF_PROG_ACCESS_RANDOM] = guest_flow_access_random,
	[GF_PROG_ZERO_STEP] = guest_flow_zero_step,
	[GF_PROG_MAPGPA] = guest_flow_prog_mapgpa,
	[GF_HALT] = guest_flow_halt,
	[GF_TDCALL] = guest_flow_tdcall,
	[GF_ACCESS] = guest_flow_access,
	[GF_ACCEPT_MEMORY] = guest_flow_accept_memory,
	[GF_TRY_ACCEPT_ONE] = guest_flow_try_accept_one,
	[GF_MAP_GPA] = guest_flow_map_gpa,
};

const flow_fn *guest_flow_table(void)
{
	return guest_flows;
}

void guest_program_start(struct flow_ctx *c, enum guest_program p, uint64_t a0, uint64_t a1, uint64_t a2)
{
	if ((unsigned)p >= GUEST_PROG__COUNT)
		guest_fatal("unknown guest program");
	if (c->s->depth != 0)
		guest_fatal("guest program started on a busy stack");
	flow_push(c, (unsigned)p, a0, a1, a2, 0);
}

enum flow_ret guest_vcpu_step(struct flow_ctx *c, struct flow_stack *host_stack, unsigned vm,
			      unsigned vcpu)
{
	struct guest_hdr *g = c->guest;
	if (!g || g->magic != GUEST_MAGIC || vm >= g->n_vms || vcpu >= g->n_vcpus)
		guest_fatal("guest_vcpu_step on a vCPU the guest state does not have");
	struct tdxsim_leaf_exec *hx = &host_stack->host;
	if (!host_stack->guest_mode || hx->phase != TDXSIM_LEAF_ENTERED || hx->vc >= c->m->lay.max_vcpus)
		guest_fatal("guest_vcpu_step while the vCPU is not in guest mode");
	struct guest_vcpu *gv = guest_vcpu_of(g, vm, vcpu);
	guest_cur = (struct guest_cur){ .g = g, .gv = gv, .host = host_stack, .vm = vm, .vcpu = vcpu,
					.vo = hx->vc };
	gv->vo = hx->vc + 1;
	/* The module reads the guest RIP at TD exit and entry (zero-step, §4). */
	mod_vcpu(c->m, hx->vc)->guest_rip = gv->rip;
	struct tdxsim_leaf_exec *x = &c->s->guest;
	bool in_flight = x->phase == TDXSIM_LEAF_RUN || x->phase == TDXSIM_LEAF_UNWIND;

	/* 1. A TD exit in progress. */
	if (in_flight && x->leaf == TDXSIM_LEAF_TD_EXIT) {
		enum tdxsim_step_result r = mod_leaf_step(c->m, x);
		c->acted = 1;
		if (r == TDXSIM_STEP_DONE)
			finish_td_exit(c);
		return FLOW_RAN;
	}
	/* 2. A TDCALL in progress. */
	if (in_flight) {
		sync_virq(c);
		enum tdxsim_step_result r = mod_leaf_step(c->m, x);
		c->acted = 1;
		tdcall_stepped(c, r);
		return FLOW_RAN;
	}
	/* 3. The host kicks the vCPU out (KVM_REQ_OUTSIDE_GUEST_MODE's IPI, or any host
	 * interrupt): an external-interrupt TD exit at the next instruction boundary. */
	if (c->vmm && vmm_vcpu_kick_pending(c->vmm, vm, vcpu)) {
		gv->kicks++;
		begin_td_exit(c, TDXSIM_EXIT_INTERRUPT, 0);
		return FLOW_RAN;
	}
	/* 4. The guest program. */
	take_virq(c);
	if (c->s->depth == 0) {
		if (gv->state == GV_RUNNING)
			gv->state = GV_FINISHED;
		flow_push(c, GF_HALT, 0, 0, 0, 0);
	} else if (gv->state != GV_RUNNING && c->s->fr[0].fn < GUEST_PROG__COUNT) {
		/* A program was started (guest_program_start), maybe after an earlier one. */
		gv->state = GV_RUNNING;
		gv->prog = (uint8_t)c->s->fr[0].fn;
	}
	c->fr = &c->s->fr[c->s->depth - 1];
	enum flow_ret r = flow_run(c);
	if (r == FLOW_DONE) {
		if (gv->state == GV_RUNNING)
			gv->state = GV_FINISHED;
		r = FLOW_RAN;
	}
	return r;
}

void guest_progress(const void *guest, struct guest_progress *out)
{
	memset(out, 0, sizeof(*out));
	const struct guest_hdr *g = guest;
	if (!g || g->magic != GUEST_MAGIC)
		return;
	out->done = true;
	for (unsigned i = 0; i < g->n_vms * g->n_vcpus; i++) {
		const struct guest_vcpu *gv = guest_vcpus(guest) + i;
		out->accepted += gv->accepted;
		out->accept_failed += gv->accept_failed;
		out->accesses += gv->accesses;
		out->mapgpa_ok += gv->mapgpa_ok;
		out->mapgpa_failed += gv->mapgpa_failed;
		out->busy_seen += gv->busy_seen;
		/* IDLE never finishes and has nothing to finish. */
		if (gv->state == GV_RUNNING && gv->prog != GUEST_PROG_IDLE)
			out->done = false;
	}
}
