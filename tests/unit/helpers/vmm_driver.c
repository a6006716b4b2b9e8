/* SPDX-License-Identifier: MIT */
/* The VMM tests' driver (vmm_driver.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/vmm_driver.h"

#include "engine/world_internal.h"
#include "guest/guest.h"
#include "module/interp.h"
#include "module/mod.h"
#include "module/sept_ops.h"
#include "module/sept_walk.h"
#include "vmm/kvm.h"

/* The guest layer may not be linked yet: a weak reference, NULL when absent.  (The
 * engine's scaffolding stubs define a weak one that aborts; vd_config.real_guest
 * asks for it explicitly.) */
extern enum flow_ret guest_vcpu_step(struct flow_ctx *c, struct flow_stack *host_stack, unsigned vm,
				     unsigned vcpu) __attribute__((weak));

static void vd_event_cb(void *ctx, unsigned actor, enum vmm_event ev, uint64_t a, uint64_t b, uint64_t c)
{
	struct vd *d = ctx;
	if (d->nlog == d->caplog) {
		d->caplog = d->caplog ? d->caplog * 2 : 4096;
		d->log = realloc(d->log, d->caplog * sizeof(*d->log));
		assert_non_null(d->log);
	}
	d->log[d->nlog++] = (struct vd_event){ .actor = actor, .ev = ev, .a = a, .b = b, .c = c };
	if (d->on_event)
		d->on_event(d, actor, ev, a, b, c);
}

struct tdxsim_mod *vd_mod(struct vd *d)
{
	return world_mod(d->w);
}

struct vd *vd_new(const struct vd_config *cfg_in)
{
	struct vd *d = calloc(1, sizeof(*d));
	assert_non_null(d);
	struct vd_config cfg = cfg_in ? *cfg_in : (struct vd_config){ 0 };
	if (!cfg.kernel)
		cfg.kernel = VMM_KVM_6_16;
	if (!cfg.n_lps)
		cfg.n_lps = 4;
	if (!cfg.n_pkgs)
		cfg.n_pkgs = 2;
	if (!cfg.n_frames)
		cfg.n_frames = 2048;
	if (!cfg.n_vms)
		cfg.n_vms = 1;
	if (!cfg.n_vcpus)
		cfg.n_vcpus = 2;
	if (!cfg.n_pages)
		cfg.n_pages = 16;
	if (!cfg.n_memslots)
		cfg.n_memslots = 1;
	if (!cfg.private_base)
		cfg.private_base = VD_PRIVATE_BASE;
	d->cfg = cfg;
	char path[1024];
	snprintf(path, sizeof(path), "%s/modules/tdx-1.5.05.yaml", tdxsim_data_dir());
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	d->table = tdxsim_table_load(path, &err);
	if (!d->table)
		fail_msg("loading %s: %s", path, err.msg);
	if (cfg.policy_obj) {
		d->policy = *cfg.policy_obj;
	} else {
		const char *name = cfg.policy ? cfg.policy : cfg.kernel == VMM_KVM_6_16 ? "kvm-6.16" : "kvm-6.19";
		const struct tdxsim_policy *p = tdxsim_policy_builtin(name);
		if (!p)
			fail_msg("no built-in policy %s", name);
		d->policy = *p;
	}
	d->vcfg = (struct vmm_config){
		.kernel = cfg.kernel, .policy = &d->policy, .n_vms = cfg.n_vms, .n_vcpus = cfg.n_vcpus,
		.n_gpa_pages = cfg.n_pages, .n_lps = cfg.n_lps, .n_pkgs = cfg.n_pkgs,
		.n_frames = cfg.n_frames, .n_memslots = cfg.n_memslots, .private_base = cfg.private_base,
	};
	struct tdxsim_module_config mc = {
		.n_lps = cfg.n_lps, .n_pkgs = cfg.n_pkgs, .n_frames = cfg.n_frames,
		.lps_vmx_off = cfg.lps_vmx_off, .module_not_loaded = cfg.module_not_loaded,
		.check_invariants = cfg.check_invariants,
	};
	size_t vsz = (vmm_state_size(&d->vcfg) + 63) & ~(size_t)63;
	size_t gsz = 0;
	if (cfg.real_guest) {
		d->gcfg = (struct guest_config){ .policy = &d->policy.guest, .n_vms = cfg.n_vms,
						 .n_vcpus = cfg.n_vcpus, .private_base = cfg.private_base,
						 .n_pages = cfg.n_pages };
		gsz = (guest_state_size(&d->gcfg) + 63) & ~(size_t)63;
	}
	size_t asz = VD_MAX_ACTORS * sizeof(struct vd_actor);
	tdxsim_error_clear(&err);
	d->w = tdxsim_world_create_ex(d->table, &mc, vsz + gsz + asz, &err);
	if (!d->w)
		fail_msg("creating the world: %s", err.msg);
	d->vmm = tdxsim_world_user(d->w);
	d->actors = (struct vd_actor *)((uint8_t *)d->vmm + vsz + gsz);
	vmm_state_init(d->vmm, &d->vcfg, vd_mod(d));
	if (cfg.real_guest) {
		d->guest = (uint8_t *)d->vmm + vsz;
		guest_state_init(d->guest, &d->gcfg);
	}
	d->hooks.event = vd_event_cb;
	d->hooks.ctx = d;
	return d;
}

void vd_free(struct vd *d)
{
	if (!d)
		return;
	tdxsim_world_destroy(d->w);
	tdxsim_table_free(d->table);
	free(d->log);
	free(d);
}

static struct flow_ctx vd_ctx(struct vd *d, unsigned i, struct flow_stack *s, const flow_fn *table)
{
	struct vd_actor *a = &d->actors[i];
	struct flow_ctx c = {
		.m = vd_mod(d), .vmm = d->vmm, .guest = d->guest, .actor = a, .s = s,
		.fr = s->depth ? &s->fr[s->depth - 1] : NULL, .actor_id = i, .lp = a->lp,
		.table = table, .hooks = &d->hooks, .acted = 0,
	};
	return c;
}

static unsigned new_actor(struct vd *d)
{
	assert_true(d->n_actors < VD_MAX_ACTORS);
	unsigned i = d->n_actors++;
	memset(&d->actors[i], 0, sizeof(d->actors[i]));
	return i;
}

unsigned vd_thread(struct vd *d, unsigned lp, enum vmm_program p, uint64_t a0, uint64_t a1, uint64_t a2)
{
	unsigned i = new_actor(d);
	struct vd_actor *a = &d->actors[i];
	a->kind = 0;
	a->lp = lp;
	struct flow_ctx c = vd_ctx(d, i, &a->host, vmm_flow_table());
	vmm_program_start(&c, p, a0, a1, a2);
	return i;
}

unsigned vd_vcpu(struct vd *d, unsigned lp, unsigned vm, unsigned vcpu, uint64_t max_entries,
		 const struct vd_gop *ops, unsigned nops)
{
	unsigned i = new_actor(d);
	struct vd_actor *a = &d->actors[i];
	a->kind = 1;
	a->lp = lp;
	a->vm = vm;
	a->vcpu = vcpu;
	assert_true(nops <= VD_MAX_GOPS);
	if (nops)
		memcpy(a->g.ops, ops, nops * sizeof(*ops));
	a->g.nops = nops;
	struct flow_ctx c = vd_ctx(d, i, &a->host, vmm_flow_table());
	vmm_program_start(&c, VMM_PROG_VCPU_RUN, vm, vcpu, max_entries);
	return i;
}

unsigned vd_vcpu_prog(struct vd *d, unsigned lp, unsigned vm, unsigned vcpu, uint64_t max_entries,
		      enum guest_program gp, uint64_t a0, uint64_t a1, uint64_t a2)
{
	assert_true(d->cfg.real_guest);
	unsigned i = vd_vcpu(d, lp, vm, vcpu, max_entries, NULL, 0);
	struct vd_actor *a = &d->actors[i];
	struct flow_ctx g = vd_ctx(d, i, &a->guest, guest_flow_table());
	guest_program_start(&g, gp, a0, a1, a2);
	return i;
}

/* ---- the built-in scripted guest ---------------------------------------------------- */

#define TDG_MEM_PAGE_ACCEPT 6
#define TDG_VP_VMCALL 0
#define RIP_OF(pc) (0x1000ull + (uint64_t)(pc) * 16)

static uint32_t vcpu_obj_of(struct vd *d, uint64_t tdvpr)
{
	struct tdxsim_mod *m = vd_mod(d);
	return mod_frame(m, mod_frame_of(m, tdvpr))->idx;
}

static void begin_exit(struct vd *d, struct vd_actor *a, uint64_t tdvpr, enum tdxsim_exit_reason why,
		       uint64_t gpa)
{
	tdxsim_td_exit_begin(d->w, &a->guest.guest, tdvpr, why, gpa);
	a->g.phase = 2;
	a->g.exits++;
}

static void begin_tdcall(struct vd *d, struct vd_actor *a, uint64_t tdvpr, const struct tdxsim_regs *r)
{
	tdxsim_tdcall_begin(d->w, &a->guest.guest, tdvpr, r);
	a->g.phase = 1;
}

static void mapgpa_call(struct vd *d, struct vd_actor *a, uint64_t tdvpr)
{
	struct tdxsim_regs r = { { 0 } };
	r.r[OPERAND_ID_RAX] = TDG_VP_VMCALL;
	r.r[OPERAND_ID_RCX] = (1ull << 10) | (1ull << 11) | (1ull << 12) | (1ull << 13);
	r.r[OPERAND_ID_R10] = 0;
	r.r[OPERAND_ID_R11] = TDVMCALL_MAP_GPA;
	r.r[OPERAND_ID_R12] = a->g.mg_start;
	r.r[OPERAND_ID_R13] = a->g.mg_end - a->g.mg_start;
	a->g.mg_wait = 1;
	a->g.mapgpa_calls++;
	begin_tdcall(d, a, tdvpr, &r);
}

/* The Linux guest's tdx_map_gpa() loop after a MapGPA returned (§6.1). */
static void mapgpa_result(struct vd *d, struct vd_actor *a, uint64_t tdvpr)
{
	struct vcpu_obj *v = mod_vcpu(vd_mod(d), vcpu_obj_of(d, tdvpr));
	uint64_t status = v->guest_ret[OPERAND_ID_R10], r11 = v->guest_ret[OPERAND_ID_R11];
	a->g.mg_wait = 0;
	if (status != TDVMCALL_STATUS_RETRY) {
		if (status == 0)
			a->g.mapgpa_ok++;
		else
			a->g.mapgpa_failed++;
		a->g.mg_active = 0;
		a->g.pc++;
		return;
	}
	if (a->g.n_r11 < 8)
		a->g.mapgpa_r11[a->g.n_r11++] = r11;
	if (r11 < a->g.mg_start || r11 >= a->g.mg_end) {
		a->g.mapgpa_failed++;
		a->g.mg_active = 0;
		a->g.pc++;
		return;
	}
	if (r11 == a->g.mg_start) {
		if (++a->g.mg_retries >= 3) {
			a->g.mapgpa_failed++;
			a->g.mg_active = 0;
			a->g.pc++;
		}
		return;
	}
	a->g.mg_start = r11;
	a->g.mg_retries = 0;
}

static void finish_exit(struct vd_actor *a)
{
	/* The TD exit completed TDH.VP.ENTER: its outputs go to the host stack. */
	a->host.host.regs = a->guest.guest.regs;
	a->host.host.status = a->guest.guest.regs.r[OPERAND_ID_RAX];
	a->host.host.phase = TDXSIM_LEAF_DONE;
	a->host.guest_mode = 0;
	memset(&a->guest.guest, 0, sizeof(a->guest.guest));
	a->g.phase = 0;
}

static enum flow_ret builtin_guest_step(struct vd *d, unsigned i)
{
	struct vd_actor *a = &d->actors[i];
	struct vd_guest *g = &a->g;
	uint64_t tdvpr = vmm_vcpu_tdvpr(d->vmm, a->vm, a->vcpu);
	enum tdxsim_step_result r;
	if (g->phase == 2) {
		if (tdxsim_leaf_step(d->w, &a->guest.guest) == TDXSIM_STEP_RAN)
			return FLOW_RAN;
		finish_exit(a);
		return FLOW_RAN;
	}
	if (g->phase == 1) {
		struct tdxsim_leaf_exec *x = &a->guest.guest;
		r = tdxsim_leaf_step(d->w, x);
		if (r == TDXSIM_STEP_RAN)
			return FLOW_RAN;
		if (r == TDXSIM_STEP_TD_EXIT) {
			enum tdxsim_exit_reason why = (enum tdxsim_exit_reason)x->exit;
			uint64_t gpa = x->scratch[1];
			begin_exit(d, a, tdvpr, why, gpa);
			return FLOW_RAN;
		}
		/* Completed inside the guest. */
		g->phase = 0;
		if (g->pc < g->nops && g->ops[g->pc].op == GOP_ACCEPT) {
			tdx_status_t s = x->regs.r[OPERAND_ID_RAX];
			g->accept_status = s;
			if (s == TDX_SUCCESS || (s & TDX_SEAMCALL_STATUS_MASK) == TDX_PAGE_ALREADY_ACCEPTED)
				g->accepted++;
			else
				g->accept_failed++; /* the Linux guest does not retry BUSY */
			g->pc++;
		}
		memset(x, 0, sizeof(*x));
		return FLOW_RAN;
	}
	if (vmm_vcpu_kick_pending(d->vmm, a->vm, a->vcpu) || vmm_vm_dead(d->vmm, a->vm)) {
		begin_exit(d, a, tdvpr, TDXSIM_EXIT_INTERRUPT, 0);
		return FLOW_RAN;
	}
	if (g->mg_wait) {
		/* Back in the guest after the MapGPA exit: read the VMM's answer. */
		mapgpa_result(d, a, tdvpr);
		if (g->mg_active)
			mapgpa_call(d, a, tdvpr);
		return FLOW_RAN;
	}
	if (g->pc >= g->nops)
		return FLOW_BLOCKED;
	struct vd_gop *op = &g->ops[g->pc];
	switch ((enum vd_gop_kind)op->op) {
	case GOP_IDLE:
		return FLOW_BLOCKED;
	case GOP_EXIT:
		g->pc++;
		begin_exit(d, a, tdvpr, TDXSIM_EXIT_INTERRUPT, 0);
		return FLOW_RAN;
	case GOP_ACCESS:
		if (tdxsim_guest_access(d->w, tdvpr, op->a, RIP_OF(g->pc), true)) {
			g->pc++;
			return FLOW_RAN;
		}
		begin_exit(d, a, tdvpr, TDXSIM_EXIT_EPT_VIOLATION, op->a);
		return FLOW_RAN;
	case GOP_ACCEPT: {
		struct tdxsim_regs rr = { { 0 } };
		rr.r[OPERAND_ID_RAX] = TDG_MEM_PAGE_ACCEPT;
		rr.r[OPERAND_ID_RCX] = op->a & ~0xFFFull;
		mod_vcpu(vd_mod(d), vcpu_obj_of(d, tdvpr))->guest_rip = RIP_OF(g->pc);
		begin_tdcall(d, a, tdvpr, &rr);
		return FLOW_RAN;
	}
	case GOP_MAPGPA:
		g->mg_active = 1;
		g->mg_start = op->a;
		g->mg_end = op->a + op->b;
		g->mg_retries = 0;
		mapgpa_call(d, a, tdvpr);
		return FLOW_RAN;
	}
	return FLOW_BLOCKED;
}

/* ---- stepping ---------------------------------------------------------------------------- */

enum flow_ret vd_step(struct vd *d, unsigned i)
{
	struct vd_actor *a = &d->actors[i];
	if (a->done)
		return FLOW_DONE;
	enum flow_ret r;
	if (a->kind == 1 && a->host.guest_mode) {
		if (d->cfg.real_guest && guest_vcpu_step) {
			struct flow_ctx c = vd_ctx(d, i, &a->guest, guest_flow_table());
			r = guest_vcpu_step(&c, &a->host, a->vm, a->vcpu);
			if (r == FLOW_DONE)
				r = FLOW_RAN;
		} else {
			r = builtin_guest_step(d, i);
		}
	} else {
		struct flow_ctx c = vd_ctx(d, i, &a->host, vmm_flow_table());
		r = flow_run(&c);
		if (r == FLOW_DONE)
			a->done = 1;
	}
	if (d->cfg.check_invariants) {
		char why[256];
		if (!tdxsim_world_check_invariants(d->w, why, sizeof(why))) {
			char what[128];
			vd_describe(d, i, what, sizeof(what));
			fail_msg("module invariant broken after a step of actor %u (%s): %s", i, what, why);
		}
	}
	return r;
}

enum vd_run_result vd_run(struct vd *d, unsigned long max_rounds)
{
	for (unsigned long round = 0; round < max_rounds; round++) {
		bool any = false, ran = false;
		for (unsigned i = 0; i < d->n_actors; i++) {
			if (d->actors[i].done)
				continue;
			any = true;
			if (vd_step(d, i) != FLOW_BLOCKED)
				ran = true;
		}
		if (!any)
			return VD_ALL_DONE;
		if (!ran)
			return VD_DEADLOCK;
	}
	for (unsigned i = 0; i < d->n_actors; i++)
		if (!d->actors[i].done)
			return VD_LIMIT;
	return VD_ALL_DONE;
}

bool vd_run_until(struct vd *d, bool (*pred)(struct vd *d, void *ctx), void *ctx, unsigned long max_rounds)
{
	for (unsigned long round = 0; round < max_rounds; round++) {
		if (pred(d, ctx))
			return true;
		for (unsigned i = 0; i < d->n_actors; i++)
			if (!d->actors[i].done)
				vd_step(d, i);
	}
	return pred(d, ctx);
}

int64_t vd_finish(struct vd *d, unsigned i, unsigned long max_steps)
{
	for (unsigned long n = 0; n < max_steps; n++) {
		enum flow_ret r = vd_step(d, i);
		if (r == FLOW_DONE)
			return vmm_actor_result(d->vmm, i);
		if (r == FLOW_BLOCKED) {
			char what[256], locks[1024];
			vd_describe(d, i, what, sizeof(what));
			vmm_describe_locks(d->vmm, locks, sizeof(locks));
			fail_msg("actor %u blocks on its own (%s)\n%s", i, what, locks);
		}
	}
	fail_msg("actor %u did not finish in %lu steps", i, max_steps);
	return 0;
}

int64_t vd_run_prog(struct vd *d, unsigned lp, enum vmm_program p, uint64_t a0, uint64_t a1, uint64_t a2)
{
	unsigned i = vd_thread(d, lp, p, a0, a1, a2);
	return vd_finish(d, i, 50000000ul);
}

void vd_boot(struct vd *d)
{
	int64_t r = vd_run_prog(d, 0, VMM_PROG_MODULE_INIT, 0, 0, 0);
	if (r != 0)
		fail_msg("module init failed: %lld", (long long)r);
}

void vd_build_td(struct vd *d, unsigned vm, unsigned n_add)
{
	int64_t r = vd_run_prog(d, 0, VMM_PROG_TD_CREATE, vm, 0, 0);
	if (r != 0)
		fail_msg("TD create failed: %lld", (long long)r);
	for (unsigned v = 0; v < d->cfg.n_vcpus; v++) {
		r = vd_run_prog(d, v % d->cfg.n_lps, VMM_PROG_VCPU_INIT, vm, v, 0);
		if (r != 0)
			fail_msg("vCPU %u init failed: %lld", v, (long long)r);
	}
	if (n_add) {
		r = vd_run_prog(d, 0, VMM_PROG_TD_INIT_MEM, vm, d->cfg.private_base, n_add);
		if (r != 0)
			fail_msg("INIT_MEM_REGION failed: %lld", (long long)r);
	}
	r = vd_run_prog(d, 0, VMM_PROG_TD_FINALIZE, vm, 0, 0);
	if (r != 0)
		fail_msg("finalize failed: %lld", (long long)r);
}

/* ---- log ---------------------------------------------------------------------------------- */

unsigned vd_count(const struct vd *d, enum vmm_event ev)
{
	unsigned n = 0;
	for (size_t i = 0; i < d->nlog; i++)
		n += d->log[i].ev == ev;
	return n;
}

unsigned vd_count_leaf(const struct vd *d, enum vmm_event ev, unsigned leaf)
{
	unsigned n = 0;
	for (size_t i = 0; i < d->nlog; i++)
		n += d->log[i].ev == ev && d->log[i].a == leaf;
	return n;
}

long vd_find(const struct vd *d, size_t from, enum vmm_event ev, uint64_t a)
{
	for (size_t i = from; i < d->nlog; i++)
		if (d->log[i].ev == ev && d->log[i].a == a)
			return (long)i;
	return -1;
}

void vd_clear_log(struct vd *d)
{
	d->nlog = 0;
}

void vd_describe(struct vd *d, unsigned i, char *buf, size_t len)
{
	struct vd_actor *a = &d->actors[i];
	const struct flow_stack *s = &a->host;
	const struct tdxsim_leaf_exec *x = &s->host;
	if (a->done) {
		snprintf(buf, len, "done");
		return;
	}
	if (s->guest_mode) {
		snprintf(buf, len, "in guest mode (guest phase %u, op %u)", a->g.phase, a->g.pc);
		return;
	}
	size_t pos = 0;
	for (unsigned k = 0; k < s->depth && pos < len; k++)
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s@%u", k ? " > " : "",
					vmm_flow_name(s->fr[k].fn), (unsigned)s->fr[k].pc);
	if ((x->phase == TDXSIM_LEAF_RUN || x->phase == TDXSIM_LEAF_UNWIND) && x->leaf >= 0 && pos < len)
		snprintf(buf + pos, len - pos, " [%s step %u]", d->table->leaves[x->leaf].name,
			 (unsigned)x->pc);
}

/* ---- module-side helpers --------------------------------------------------------------- */

uint64_t vd_tdr(struct vd *d, unsigned vm)
{
	uint32_t f = kvm_vm(d->vmm, vm)->tdr;
	return f ? mod_hpa_of(vd_mod(d), f - 1) : 0;
}

int vd_sept_state(struct vd *d, unsigned vm, uint64_t gpa)
{
	struct tdxsim_mod *m = vd_mod(d);
	uint64_t tdr = vd_tdr(d, vm);
	if (!tdr)
		return -1;
	uint32_t td = mod_frame(m, mod_frame_of(m, tdr))->idx;
	struct sept_walk w;
	if (!sept_walk(m, td, gpa & ~0xFFFull, SEPT_LVL_PT, &w))
		return -1;
	return (int)sept_entry_state(w.entry);
}

void vd_dump_log(const struct vd *d, size_t from)
{
	static const char *const names[] = { "SEAMCALL", "BUSY", "RETRY", "KICK", "VM_BUG", "ZERO_STEP",
					     "HP_TIMEOUT", "FLOW_BEGIN", "FLOW_END", "STALL", "USER_EXIT" };
	for (size_t i = from; i < d->nlog; i++) {
		const struct vd_event *e = &d->log[i];
		char st[96] = "";
		if (e->ev == VMM_EV_SEAMCALL || e->ev == VMM_EV_BUSY || e->ev == VMM_EV_VM_BUG)
			tdx_status_format(e->b, st, sizeof(st));
		fprintf(stderr, "  [%zu] actor %u %s a=%llu b=0x%llx c=%llu %s\n", i, e->actor,
			e->ev < sizeof(names) / sizeof(names[0]) ? names[e->ev] : "?", (unsigned long long)e->a,
			(unsigned long long)e->b, (unsigned long long)e->c, st);
	}
}
