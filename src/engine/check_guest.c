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

bool ckg_vcpu_range(const void *guest, unsigned vm, unsigned vcpu, uint64_t *off, uint64_t *len)
{
	const struct guest_hdr *g = guest;
	if (!g || g->magic != GUEST_MAGIC || vm >= g->n_vms || vcpu >= g->n_vcpus)
		return false;
	const struct guest_vcpu *gv = guest_vcpu_of((void *)guest, vm, vcpu);
	*off = (uint64_t)((const uint8_t *)gv - (const uint8_t *)guest);
	*len = sizeof(*gv);
	return true;
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

/* Guest RIPs are only compared for equality (the module's §4 zero-step filter:
 * guest_rip != rip_on_entry at TD exit), only ever advanced by GUEST_INSN_LEN, and
 * rip_on_entry is a past value of guest_rip: replace a vCPU's non-zero RIP values
 * (guest, TDVPS guest_rip, rip_on_entry) by their rank, GUEST_RIP_BASE +
 * GUEST_INSN_LEN * rank, which keeps every equality and order among them and
 * under future advances.  gap > 0 spreads the ranks instead (validation). */
static void rip_rank(struct guest_vcpu *gv, struct tdxsim_mod *m, uint64_t (*perturb)(void *), void *ctx)
{
	struct vcpu_obj *v = gv->vo && gv->vo - 1 < m->lay.max_vcpus ? mod_vcpu(m, gv->vo - 1) : NULL;
	uint64_t *p[3] = { &gv->rip, v ? &v->guest_rip : NULL, v ? &v->rip_on_entry : NULL };
	uint64_t vals[3];
	unsigned n = 0;
	for (unsigned i = 0; i < 3; i++) {
		if (!p[i] || !*p[i])
			continue;
		if (*p[i] < GUEST_RIP_BASE)
			return; /* not a value this rule knows: leave the vCPU alone */
		bool seen = false;
		for (unsigned k = 0; k < n; k++)
			seen |= vals[k] == *p[i];
		if (!seen)
			vals[n++] = *p[i];
	}
	/* sort the distinct values (at most 3) */
	for (unsigned i = 0; i < n; i++)
		for (unsigned k = i + 1; k < n; k++)
			if (vals[k] < vals[i]) {
				uint64_t t = vals[i];
				vals[i] = vals[k];
				vals[k] = t;
			}
	uint64_t to[3], at = GUEST_RIP_BASE;
	for (unsigned k = 0; k < n; k++) {
		if (perturb)
			at += GUEST_INSN_LEN * (perturb(ctx) % 8);
		to[k] = at;
		at += GUEST_INSN_LEN;
	}
	for (unsigned i = 0; i < 3; i++) {
		if (!p[i] || !*p[i])
			continue;
		for (unsigned k = 0; k < n; k++)
			if (*p[i] == vals[k]) {
				*p[i] = to[k];
				break;
			}
	}
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
			rip_rank(gv, m, NULL, NULL);
		} else {
			if (gv->mg_outside)
				gv->mg_outside = 1 + perturb(ctx) % 5;
			rip_rank(gv, m, perturb, ctx);
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
