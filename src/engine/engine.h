/* SPDX-License-Identifier: MIT */
/*
 * The engine: one world built from a scenario, its actors, and the single
 * `step(world, actor)` every scheduler (sim, check, threads) drives
 * (DESIGN §3).  Module, VMM and guest code never know which scheduler runs.
 *
 * World user region: [VMM state][guest state][engine region: actors].
 */
#ifndef TDXSIM_ENGINE_ENGINE_H
#define TDXSIM_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/world_internal.h"
#include "guest/guest.h"
#include "tdxsim/scenario.h"
#include "vmm/flow.h"
#include "vmm/vmm.h"

struct eng_actor {
	uint8_t kind;              /* enum tdxsim_actor_kind */
	uint8_t done;
	uint8_t pad[2];
	uint32_t lp, vm, vcpu;
	uint64_t next_time;        /* sim: virtual time of its next step */
	uint64_t progress;         /* visible steps taken (for fairness/progress reports) */
	struct flow_stack host;    /* VMM program (vCPUs: the KVM_RUN loop) */
	struct flow_stack guest;   /* vCPUs: the guest program */
};

struct eng_region {
	uint32_t n_actors;
	uint32_t pad;
	struct eng_actor a[];
};

/* Observation hooks the schedulers install (all optional; outside the world). */
struct engine_observer {
	void (*vmm_event)(void *ctx, unsigned actor, enum vmm_event ev, uint64_t a, uint64_t b, uint64_t c);
	void (*lock_event)(void *ctx, const struct tdxsim_lock_event *ev);
	void *ctx;
};

struct engine {
	struct tdxsim_scenario *scn;     /* not owned */
	struct tdxsim_table *table;      /* owned */
	struct tdxsim_world *w;          /* owned */
	struct vmm_config vcfg;
	struct guest_config gcfg;
	size_t off_vmm, off_guest, off_eng; /* inside the user region */
	struct vmm_hooks hooks;          /* forwards to obs.vmm_event with the actor id */
	struct engine_observer obs;
	_Atomic uint8_t last_acted;      /* the last host-side step did a visible action
	                                  * (flow.h contract; the checker's reduction) */
	_Atomic unsigned cur_actor;      /* actor last stepped (relaxed: the threads scheduler
	                                  * steps actors in parallel) */
};

int engine_create(struct engine *e, struct tdxsim_scenario *s, struct tdxsim_error *err);
void engine_destroy(struct engine *e);
void engine_set_observer(struct engine *e, const struct engine_observer *obs);

static inline void *engine_vmm(struct engine *e)
{
	return (e->w->arena + e->w->off_user) + e->off_vmm;
}
static inline void *engine_guest(struct engine *e)
{
	return (e->w->arena + e->w->off_user) + e->off_guest;
}
static inline struct eng_region *engine_region(struct engine *e)
{
	return (struct eng_region *)((e->w->arena + e->w->off_user) + e->off_eng);
}
static inline struct eng_actor *engine_actor(struct engine *e, unsigned i)
{
	return &engine_region(e)->a[i];
}
static inline unsigned engine_n_actors(struct engine *e)
{
	return engine_region(e)->n_actors;
}

/* One step of actor i: FLOW_RAN, FLOW_BLOCKED (no visible change) or FLOW_DONE
 * (the actor has finished; stepping it again returns FLOW_DONE). */
enum flow_ret engine_step(struct engine *e, unsigned i);
bool engine_all_done(struct engine *e);
/* What actor i is doing, for reports: "TDH.MEM.PAGE.AUG step 7", "KVM_RUN: blocked on mmu_lock"... */
void engine_describe(struct engine *e, unsigned i, char *buf, size_t len);

#endif
