/* SPDX-License-Identifier: MIT */
/*
 * The world (DESIGN §3): all state — module, VMM, guest, actors — in one
 * contiguous, position-independent arena.  A snapshot is a memcpy of it,
 * equality is memcmp, and the fingerprint is a hash of its bytes.
 */
#ifndef TDXSIM_WORLD_H
#define TDXSIM_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tdxsim/module.h"

/* Create a world with `user_bytes` of arena reserved for the layers above the
 * module (VMM, guest, actors); see tdxsim_world_user(). */
struct tdxsim_world *tdxsim_world_create_ex(const struct tdxsim_table *t,
					    const struct tdxsim_module_config *cfg,
					    size_t user_bytes, struct tdxsim_error *err);

/* The whole state as bytes. */
size_t tdxsim_world_size(const struct tdxsim_world *w);
const void *tdxsim_world_bytes(const struct tdxsim_world *w);
void tdxsim_world_snapshot(const struct tdxsim_world *w, void *buf); /* buf: tdxsim_world_size() */
void tdxsim_world_restore(struct tdxsim_world *w, const void *buf);
uint64_t tdxsim_world_hash(const struct tdxsim_world *w);
bool tdxsim_world_equal(const struct tdxsim_world *a, const struct tdxsim_world *b);

/* The upper layers' region (user_bytes long, 64-byte aligned, zeroed at creation). */
void *tdxsim_world_user(struct tdxsim_world *w);
size_t tdxsim_world_user_size(const struct tdxsim_world *w);

/* Virtual time (ns) kept in the arena; the default module clock reads it. */
uint64_t tdxsim_world_now(const struct tdxsim_world *w);
void tdxsim_world_advance(struct tdxsim_world *w, uint64_t ns);

/* The module table the world runs. */
const struct tdxsim_table *tdxsim_world_table(const struct tdxsim_world *w);
const struct tdxsim_module_config *tdxsim_world_config(const struct tdxsim_world *w);

#endif
