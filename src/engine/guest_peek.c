/* SPDX-License-Identifier: MIT */
/*
 * What a vCPU's last TDCALL returned, for the schedulers' leaf accounting.  The
 * guest layer zeroes its leaf execution in the step a TDCALL completes (dead data
 * stays zero) and keeps RAX in guest_vcpu.out[] until its flow reads it in the next
 * step; this reads it there.  The guest layer has no public accessor for it yet
 * (docs/sim.md "Guest TDCALL results").
 */
#include "engine/sched_sim.h"
#include "guest/guest_internal.h"

uint64_t engine_guest_tdcall_rax(struct engine *e, unsigned actor)
{
	const struct eng_actor *a = engine_actor(e, actor);
	const struct guest_hdr *g = engine_guest(e);
	if (!g || g->magic != GUEST_MAGIC || a->vm >= g->n_vms || a->vcpu >= g->n_vcpus)
		return 0;
	const struct guest_vcpu *gv = guest_vcpus(g) + (size_t)a->vm * g->n_vcpus + a->vcpu;
	return gv->out[0];
}
