/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target on the SEAMCALL/TDCALL ABI of the emulated module.
 *
 * The input is a short program: its bytes drive tests/unit/helpers/mix.h, which
 * turns them into SEAMCALLs, TDCALLs, TD exits and guest memory accesses on four
 * LPs, interleaved one interpreter step at a time -- which LP acts, which leaf
 * (unknown numbers, versions and reserved RAX bits included), and per register
 * either a "valid handle" selector (a TDR, a TDVPR, a page, a GPA|level, a shared
 * PA, a field ID of the world) or raw bytes, with mutations.
 *
 * The world -- booted, one TD with two vCPUs in guest mode and a SEPT, a second TD
 * being built -- is built once per process and restored from a snapshot for each
 * input (the mixer's state lives in the world's user region, so the restore resets
 * it too).  After every completed call: the module invariants, the lock
 * accounting, no halt, and the status oracle (mix_status_ok); a failure aborts,
 * which libFuzzer reports as a crash with the input.
 *
 * Build: scripts/build.sh fuzz; run: scripts/fuzz.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/mix.h"
#include "tdxsim/table.h"

static struct tdxsim_table *table;
static struct tdxsim_world *world;
static struct mix_env env;
static struct mix mx;
static void *snapshot;

static void die(const char *what, const char *why)
{
	fprintf(stderr, "fuzz_seamcall: %s: %s\n", what, why);
	abort();
}

static void on_done(void *ctx, struct mix *m, unsigned lp, enum mix_kind kind, const struct tdxsim_leaf_exec *x,
		    enum tdxsim_step_result r)
{
	(void)ctx, (void)lp;
	char why[512];
	if (!mix_status_ok(table, kind, x, r, why, sizeof(why)))
		die("status", why);
	if (!mix_check_world(m, why, sizeof(why)))
		die("world", why);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	char path[1024], why[512];
	snprintf(path, sizeof(path), "%s/modules/tdx-1.5.05.yaml", tdxsim_data_dir());
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	table = tdxsim_table_load(path, &err);
	if (!table)
		die("table", err.msg);
	/* Small pools keep the per-call invariant check cheap; HKIDs 0..7 only (mix.h)
	 * bound the TDs a program can create. */
	struct tdxsim_module_config cfg = { .n_lps = 4, .n_pkgs = 2, .n_frames = 1024, .max_tds = 8,
					    .max_vcpus = 16, .max_sept_pages = 32 };
	world = tdxsim_world_create_ex(table, &cfg, sizeof(struct mix_state), &err);
	if (!world)
		die("world", err.msg);
	struct mix_build_opts o = { .nvcpus = 2, .finalize = true, .enter = true, .second_td = true };
	if (!mix_world_build(world, &o, &env, why, sizeof(why)))
		die("build", why);
	mix_init(&mx, world, &env, tdxsim_world_user(world));
	mix_adopt_guests(&mx);
	mx.done = on_done;
	if (!mix_check_world(&mx, why, sizeof(why)))
		die("initial world", why);
	snapshot = malloc(tdxsim_world_size(world));
	if (!snapshot)
		die("snapshot", "out of memory");
	tdxsim_world_snapshot(world, snapshot);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tdxsim_world_restore(world, snapshot);
	struct mix_bytes b = { data, size, 0 };
	struct mix_src src = { mix_src_bytes, &b };
	while (b.pos < b.n)
		mix_step(&mx, &src);
	mix_drain(&mx);
	char why[512];
	if (!mix_check_world(&mx, why, sizeof(why)))
		die("after the program", why);
	return 0;
}
