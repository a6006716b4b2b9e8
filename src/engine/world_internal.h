/* SPDX-License-Identifier: MIT */
#ifndef TDXSIM_ENGINE_WORLD_INTERNAL_H
#define TDXSIM_ENGINE_WORLD_INTERNAL_H

#include "module/mod.h"
#include "tdxsim/world.h"

/* Engine header at offset 0 of the arena. */
struct eng_hdr {
	uint32_t magic;
	uint32_t version;
	uint64_t size;          /* arena size */
	_Atomic uint64_t now;   /* virtual time, ns (= TSC ticks) */
	uint64_t steps;         /* steps taken by the schedulers */
	uint64_t prng[4];       /* xoshiro256** state for the sim scheduler */
};

struct tdxsim_world {
	const struct tdxsim_table *table;
	struct tdxsim_module_config cfg;
	uint8_t *arena;
	size_t arena_size;
	size_t off_module, off_user, user_size;
	struct tdxsim_mod mod;
};

static inline struct eng_hdr *world_hdr(const struct tdxsim_world *w)
{
	return (struct eng_hdr *)w->arena;
}
static inline struct tdxsim_mod *world_mod(struct tdxsim_world *w)
{
	return &w->mod;
}

#endif
