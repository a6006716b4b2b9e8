/* SPDX-License-Identifier: MIT */
/* The guest model's host stand-in (guest_driver.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/guest_driver.h"

#include "engine/world_internal.h"
#include "module/interp.h"
#include "module/sept_walk.h"
#include "module/vcpu.h"

#define EXIT_REASON_EXTERNAL_INTERRUPT 1
#define EXIT_REASON_EPT_VIOLATION 48
#define EXIT_REASON_TDCALL 77

static void observe(void *ctx, const struct tdxsim_lock_event *ev)
{
	struct gd *d = ctx;
	if (ev->op == TDXSIM_LOCK_ACQUIRE && ev->leaf == d->leaf_vp_enter && ev->res == d->res_sept_tree &&
	    ev->mode == TDXSIM_MODE_EXCLUSIVE && ev->result == TDX_SUCCESS)
		d->vp_enter_tree_ex++;
}

struct gd *gd_new(const struct tdxsim_guest_policy *pol, void (*build)(struct gd *d))
{
	struct gd *d = calloc(1, sizeof(*d));
	assert_non_null(d);
	struct tdxsim_module_config mc = { .n_lps = 4, .n_pkgs = 2, .n_frames = 4096 };
	d->f = fx_new(NULL, &mc);
	fx_boot(d->f);
	fx_td_create(d->f, &d->td, 2);
	d->v = fx_td_vcpu(d->f, &d->td, 1);
	if (build)
		build(d);
	fx_td_finalize(d->f, &d->td);
	d->pol = pol ? *pol : tdxsim_policy_builtin("kvm-6.16")->guest;
	d->cfg = (struct guest_config){ .policy = &d->pol, .n_vms = 1, .n_vcpus = 1,
					.private_base = GD_BASE, .n_pages = GD_PAGES };
	d->guest = calloc(1, guest_state_size(&d->cfg));
	assert_non_null(d->guest);
	guest_state_init(d->guest, &d->cfg);
	d->leaf_vp_enter = fx_mod(d->f)->leaf_vp_enter;
	d->res_sept_tree = tdxsim_table_find_res(d->f->table, "SEPT_TREE");
	assert_true(d->leaf_vp_enter >= 0 && d->res_sept_tree >= 0);
	tdxsim_world_set_observer(d->f->w, observe, d);
	return d;
}

void gd_free(struct gd *d)
{
	if (!d)
		return;
	fx_free(d->f);
	free(d->guest);
	free(d);
}

static struct flow_ctx guest_ctx(struct gd *d)
{
	struct flow_ctx c = {
		.m = fx_mod(d->f),
		.vmm = NULL,
		.guest = d->guest,
		.actor = NULL,
		.s = &d->gs,
		.fr = d->gs.depth ? &d->gs.fr[d->gs.depth - 1] : NULL,
		.actor_id = 0,
		.lp = d->td.vcpu_lp[d->v],
		.table = guest_flow_table(),
		.hooks = NULL,
		.acted = 0,
	};
	return c;
}

void gd_start(struct gd *d, enum guest_program p, uint64_t a0, uint64_t a1, uint64_t a2)
{
	/* A finished program leaves its halt loop on the stack. */
	if (d->gs.depth && d->gs.fr[0].fn == GF_HALT) {
		assert_int_equal(d->gs.guest.phase, TDXSIM_LEAF_IDLE);
		memset(d->gs.fr, 0, sizeof(d->gs.fr));
		d->gs.depth = 0;
	}
	assert_int_equal(d->gs.depth, 0);
	struct flow_ctx c = guest_ctx(d);
	guest_program_start(&c, p, a0, a1, a2);
}

void gd_script_mapgpa(struct gd *d, uint64_t r10, uint64_t r11)
{
	assert_true(d->n_mapgpa < GD_MAX_SCRIPT);
	d->mapgpa[d->n_mapgpa++] = (struct gd_resp){ r10, r11 };
}

struct guest_vcpu *gd_vcpu(struct gd *d)
{
	return guest_vcpu_of(d->guest, 0, 0);
}

struct vcpu_obj *gd_vcpu_obj(struct gd *d)
{
	struct tdxsim_mod *m = fx_mod(d->f);
	uint32_t i = vcpu_pool_of_tdvpr(m, mod_frame_of(m, d->td.tdvpr[d->v]));
	assert_int_not_equal(i, UINT32_MAX);
	return mod_vcpu(m, i);
}

int gd_sept_state(struct gd *d, uint64_t gpa, unsigned level)
{
	struct sept_walk w;
	if (!sept_walk(fx_mod(d->f), fx_td_index(d->f, &d->td), gpa, level, &w))
		return -1;
	return (int)sept_state_of(w.entry);
}

tdx_status_t gd_aug_4k(struct gd *d, uint64_t gpa)
{
	fx_td_sept_levels(d->f, &d->td, gpa, LVL_PT);
	return fx_seamcall(d->f, 0, LEAF_MEM_PAGE_AUG, GPA_LEVEL(gpa, LVL_PT), d->td.tdr, fx_page(d->f), 0, NULL);
}

tdx_status_t gd_aug_2m(struct gd *d, uint64_t gpa)
{
	gpa &= ~((2ull << 20) - 1);
	fx_td_sept_levels(d->f, &d->td, gpa, LVL_PD);
	return fx_seamcall(d->f, 0, LEAF_MEM_PAGE_AUG, GPA_LEVEL(gpa, LVL_PD), d->td.tdr, fx_page_2m(d->f), 0,
			   NULL);
}

static void log_exit(struct gd *d, const struct tdxsim_regs *r, bool from_enter)
{
	assert_true(d->n_exits < GD_MAX_EXITS);
	struct gd_exit *e = &d->exits[d->n_exits++];
	e->rax = r->r[OPERAND_ID_RAX];
	e->rcx = r->r[OPERAND_ID_RCX];
	e->rdx = r->r[OPERAND_ID_RDX];
	e->r8 = r->r[OPERAND_ID_R8];
	e->r10 = r->r[OPERAND_ID_R10];
	e->r11 = r->r[OPERAND_ID_R11];
	e->r12 = r->r[OPERAND_ID_R12];
	e->r13 = r->r[OPERAND_ID_R13];
	e->from_enter = from_enter;
	e->rip = gd_vcpu_obj(d)->guest_rip;
}

/* The host's answer to the last exit, and the next TDH.VP.ENTER. */
static void host_turn(struct gd *d)
{
	d->resp_r10 = d->resp_r11 = 0;
	if (d->n_exits) {
		const struct gd_exit *e = &d->exits[d->n_exits - 1];
		if (e->rax == EXIT_REASON_EPT_VIOLATION) {
			uint64_t gpa = e->r8;
			if (d->skip_fix_once && gpa == d->skip_fix_once) {
				d->skip_fix_once = 0;
			} else {
				switch (d->ept) {
				case GD_EPT_AUG_4K:
					d->last_fix = gd_aug_4k(d, gpa);
					break;
				case GD_EPT_AUG_2M:
					d->last_fix = gd_aug_2m(d, gpa);
					break;
				case GD_EPT_UNBLOCK:
					d->last_fix = fx_seamcall(d->f, 0, LEAF_MEM_RANGE_UNBLOCK, GPA_LEVEL(gpa, LVL_PT),
								  d->td.tdr, 0, 0, NULL);
					break;
				case GD_EPT_NOTHING:
					break;
				}
			}
		} else if (e->rax == EXIT_REASON_TDCALL && e->r10 == TDX_HYPERCALL_STANDARD) {
			if (e->r11 == TDVMCALL_MAP_GPA) {
				if (d->i_mapgpa >= d->n_mapgpa)
					fail_msg("MapGPA call %u has no scripted response", d->i_mapgpa + 1);
				d->resp_r10 = d->mapgpa[d->i_mapgpa].r10;
				d->resp_r11 = d->mapgpa[d->i_mapgpa].r11;
				d->i_mapgpa++;
			}
		}
	}
	/* TDH.VP.ENTER with the TDVMCALL response in R10/R11. */
	struct tdxsim_regs r = { { 0 } };
	r.r[OPERAND_ID_RAX] = LEAF_VP_ENTER;
	r.r[OPERAND_ID_RCX] = d->td.tdvpr[d->v] | d->enter_flags;
	r.r[OPERAND_ID_R10] = d->resp_r10;
	r.r[OPERAND_ID_R11] = d->resp_r11;
	d->enter_flags = 0;
	struct tdxsim_mod *m = fx_mod(d->f);
	mod_seamcall_begin(m, &d->host.host, d->td.vcpu_lp[d->v], &r);
	enum tdxsim_step_result s;
	unsigned n = 0;
	while ((s = mod_leaf_step(m, &d->host.host)) == TDXSIM_STEP_RAN)
		assert_true(++n < 100000);
	if (s == TDXSIM_STEP_ENTERED) {
		d->host.guest_mode = 1;
		d->entries++;
		return;
	}
	/* Not entered: BUSY, or the zero-step filter's emulated EPT violation. */
	log_exit(d, &d->host.host.regs, true);
}

void gd_step(struct gd *d)
{
	if (!d->host.guest_mode) {
		host_turn(d);
		return;
	}
	struct flow_ctx c = guest_ctx(d);
	enum flow_ret r = guest_vcpu_step(&c, &d->host, 0, 0);
	assert_int_not_equal(r, FLOW_BLOCKED);
	d->steps++;
	if (!d->host.guest_mode) {
		/* The TD exit completed: VP.ENTER's outputs are on the host stack. */
		assert_int_equal(d->host.host.phase, TDXSIM_LEAF_DONE);
		log_exit(d, &d->host.host.regs, false);
		const struct gd_exit *e = &d->exits[d->n_exits - 1];
		if (e->rax == EXIT_REASON_TDCALL && e->r10 == TDX_HYPERCALL_STANDARD && e->r11 == EXIT_REASON_HLT)
			d->halts++;
	}
}

void gd_run_until_halts(struct gd *d, unsigned halts, uint64_t max_steps)
{
	for (uint64_t n = 0; n < max_steps; n++) {
		if (d->halts >= halts)
			return;
		gd_step(d);
	}
	fail_msg("the guest did not halt within %llu steps (%u exits, state %u)", (unsigned long long)max_steps,
		 d->n_exits, gd_vcpu(d)->state);
}
