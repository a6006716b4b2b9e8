/* SPDX-License-Identifier: MIT */
/* The checker's view of the guest layer's state (docs/check.md "State abstraction"). */
#include <string.h>

#include "engine/check_guest.h"
#include "guest/guest_internal.h"
#include "module/vcpu.h"

unsigned ckg_nvcpus(const void *guest)
{
	const struct guest_hdr *g = guest;
	return g && g->magic == GUEST_MAGIC ? g->n_vms * g->n_vcpus : 0;
}

void ckg_counts(const void *guest, unsigned i, struct ckg_counts *out)
{
	const struct guest_vcpu *gv = guest_vcpus(guest) + i;
	*out = (struct ckg_counts){ gv->accepted, gv->accept_failed, gv->accesses, gv->mapgpa_ok,
				    gv->mapgpa_failed, gv->mg_outside };
}

bool ckg_prog_finished(const void *guest, unsigned vm, unsigned vcpu)
{
	const struct guest_vcpu *gv = guest_vcpu_of((void *)guest, vm, vcpu);
	return gv->state == GV_FINISHED;
}

uint64_t ckg_last_rax(const void *guest, unsigned vm, unsigned vcpu)
{
	const struct guest_vcpu *gv = guest_vcpu_of((void *)guest, vm, vcpu);
	return gv->out[0];
}

/* Guest RIPs are compared only for equality (module §4 zero-step filter:
 * guest_rip != rip_on_entry) and only ever advanced by GUEST_INSN_LEN: translate a
 * vCPU's non-zero RIPs (guest, TDVPS guest_rip, rip_on_entry) together so that
 * the smallest is GUEST_RIP_BASE (0 stays 0).  extra moves them up instead. */
static void rip_translate(struct guest_vcpu *gv, struct tdxsim_mod *m, uint64_t up)
{
	struct vcpu_obj *v = gv->vo && gv->vo - 1 < m->lay.max_vcpus ? mod_vcpu(m, gv->vo - 1) : NULL;
	uint64_t lo = gv->rip;
	if (v && v->guest_rip && v->guest_rip < lo)
		lo = v->guest_rip;
	if (v && v->rip_on_entry && v->rip_on_entry < lo)
		lo = v->rip_on_entry;
	if (lo < GUEST_RIP_BASE)
		return; /* not a value this rule knows */
	uint64_t down = lo - GUEST_RIP_BASE;
	if (down == up)
		return;
	gv->rip = gv->rip - down + up;
	if (v && v->guest_rip)
		v->guest_rip = v->guest_rip - down + up;
	if (v && v->rip_on_entry)
		v->rip_on_entry = v->rip_on_entry - down + up;
}

void ckg_canon(void *guest, struct tdxsim_mod *m, uint64_t (*perturb)(void *ctx), void *ctx)
{
	unsigned n = ckg_nvcpus(guest);
	for (unsigned i = 0; i < n; i++) {
		struct guest_vcpu *gv = guest_vcpus(guest) + i;
		uint64_t *stats[] = { &gv->accept_busy_retries, &gv->accept_restarts, &gv->faults,
				      &gv->mapgpa_calls, &gv->busy_seen, &gv->tdcalls, &gv->td_exits,
				      &gv->kicks, &gv->virqs, &gv->halts };
		for (unsigned k = 0; k < sizeof(stats) / sizeof(stats[0]); k++)
			*stats[k] = perturb ? perturb(ctx) % 1000 : 0;
		if (!perturb) {
			/* progress counters: read by the checker after the step, then zeroed */
			gv->accepted = gv->accept_failed = gv->accesses = gv->mapgpa_ok = gv->mapgpa_failed = 0;
			if (gv->mg_outside > 1)
				gv->mg_outside = 1;
			rip_translate(gv, m, 0);
		} else {
			if (gv->mg_outside)
				gv->mg_outside = 1 + perturb(ctx) % 5;
			rip_translate(gv, m, GUEST_INSN_LEN * (1 + perturb(ctx) % 64));
		}
	}
}

void ckg_canon_frames(const void *guest, struct flow_stack *s, uint64_t (*perturb)(void *ctx), void *ctx)
{
	const struct guest_hdr *g = guest;
	if (g->policy.accept_max_retries)
		return;
	for (unsigned d = 0; d < s->depth; d++)
		if (s->fr[d].fn == GF_TRY_ACCEPT_ONE)
			s->fr[d].l[2] = perturb ? perturb(ctx) % 1000 : 0; /* BUSY_RETRIES, never compared */
}
