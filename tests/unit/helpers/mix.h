/* SPDX-License-Identifier: MIT */
/*
 * Random (or byte-driven) mixes of SEAMCALLs, TDCALLs and TD exits against one
 * world, interleaved step by step across logical processors: the engine of the
 * acceptance tests test_random_calls, test_snapshot, test_lock_recording (random
 * phase), of the fuzz target fuzz/fuzz_seamcall and of bench/bench_seamcall.
 *
 * It uses the public C API only (include/tdxsim/), and no cmocka, so that the fuzz
 * target and the benchmark can compile it in.
 *
 * - mix_world_build() brings the platform up and builds a standard TD (keys,
 *   TDCS, vCPUs, a SEPT for GPA_0's 2 MB range, build-time pages) and fills a
 *   struct mix_env with the handles a random call should often name.
 * - mix_gen_host() / mix_gen_guest() make one call's registers: a per-leaf
 *   template of operand kinds (TDR, TDVPR, page, GPA|level, shared PA, field ID,
 *   ...), each kind now and then replaced by another kind or by a mutated value;
 *   unknown leaf numbers, versions and reserved RAX bits too.
 * - struct mix_state is one in-flight execution slot per LP, plain data (it may
 *   live in the world's user region, so that a snapshot covers it): an LP runs a
 *   host SEAMCALL, or a vCPU in guest mode that runs TDCALLs and TD exits;
 *   mix_step() does one thing: begin a call on an idle LP, or advance one
 *   in-flight execution by one interpreter step (tdxsim_leaf_step).
 *
 * The mixer respects the only rules a caller must: one execution per LP at a time,
 * TDCALLs and TD exits only for a vCPU in guest mode on that LP.  Everything else
 * -- any register value, any order -- is the module's business.
 */
#ifndef TDXSIM_TEST_MIX_H
#define TDXSIM_TEST_MIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tdxsim/module.h"
#include "tdxsim/world.h"

#define MIX_MAX_LPS 8
#define MIX_MAX_TDS 2
#define MIX_MAX_VCPUS 4
#define MIX_MAX_GPAS 24
#define MIX_MAX_PAGES 96

#define MIX_GPA0 0x40000000ull          /* 1 GB: the TD's first private GPA */
#define MIX_SHARED_PA(i) (0x100000ull + (uint64_t)(i) * 4096) /* below TDX memory */

/* ---- PRNG (xoshiro256**, seeded by splitmix64) ---- */

struct mix_rng {
	uint64_t s[4];
};
void mix_rng_seed(struct mix_rng *r, uint64_t seed);
uint64_t mix_rng_next(struct mix_rng *r);

/* Where random bits come from: a PRNG, or a fuzzer's input (mix_bytes). */
struct mix_src {
	uint64_t (*next)(void *ctx);
	void *ctx;
};
static inline uint64_t mix_next(const struct mix_src *src)
{
	return src->next(src->ctx);
}
uint64_t mix_src_rng(void *rng);                  /* ctx: struct mix_rng * */
/* Input bytes as random bits; 0 once exhausted (mix_bytes_left() tells). */
struct mix_bytes {
	const uint8_t *p;
	size_t n, pos;
};
uint64_t mix_src_bytes(void *bytes);              /* ctx: struct mix_bytes * */

/* ---- the standard world ---- */

struct mix_env {
	unsigned n_lps, n_pkgs, pa_bits, hkid_bits, n_hkids;
	uint64_t mem_base, mem_end;                     /* TDX memory (one TDMR) */
	uint64_t tdr[MIX_MAX_TDS];
	unsigned ntdr;
	uint64_t tdvpr[MIX_MAX_VCPUS];
	unsigned vcpu_lp[MIX_MAX_VCPUS];                /* LP VP.INIT associated it with */
	unsigned ntdvpr;
	uint64_t gpa[MIX_MAX_GPAS];                     /* private GPAs, 4K aligned */
	unsigned ngpa;
	uint64_t page[MIX_MAX_PAGES];                   /* TDX memory: free and in use */
	unsigned npage;
	uint64_t page2m[4];                             /* 2 MB aligned free ranges */
	unsigned npage2m;
	uint64_t next_free;                             /* first frame HPA the build left unused */
};

struct mix_build_opts {
	unsigned nvcpus;        /* vCPUs of TD 0 (default 2), on the highest LPs */
	bool finalize;          /* MR.FINALIZE TD 0 (op_state RUNNABLE) */
	bool enter;             /* and enter every vCPU (guest mode) -- needs finalize */
	bool second_td;         /* TD 1: created and initialized, not finalized */
};

/* Build on a fresh world; false (and why) if a call did not return what it must. */
bool mix_world_build(struct tdxsim_world *w, const struct mix_build_opts *o, struct mix_env *env,
		     char *why, size_t len);

/* ---- call generation ---- */

void mix_gen_host(const struct mix_env *env, const struct mix_src *src, struct tdxsim_regs *regs);
void mix_gen_guest(const struct mix_env *env, const struct mix_src *src, struct tdxsim_regs *regs);

/* ---- interleaved execution ---- */

enum mix_lp_state {
	MIX_IDLE = 0,       /* nothing runs on the LP */
	MIX_HOST,           /* a SEAMCALL in flight */
	MIX_GUEST,          /* vCPU `vcpu` in guest mode here, between TDCALLs */
	MIX_TDCALL,         /* vCPU `vcpu` in a TDCALL */
	MIX_EXIT,           /* vCPU `vcpu` in its TD exit */
};

struct mix_lp {
	uint8_t state;              /* enum mix_lp_state */
	int8_t vcpu;                /* env index of the vCPU in guest mode here, -1 */
	uint8_t pad[6];
	struct tdxsim_leaf_exec x;  /* the execution in flight */
};

/* Plain data, no pointers: may live in the world's user region. */
struct mix_state {
	struct mix_lp lp[MIX_MAX_LPS];
	int8_t assoc[MIX_MAX_VCPUS];  /* LP each vCPU is associated with as far as seen, -1 none */
	uint8_t pad[4];
	struct mix_rng rng;         /* for callers that want their PRNG snapshotted too */
	uint64_t steps, begun, completed, td_exits;
};

/* What a completed execution did (optional callback). */
enum mix_kind { MIX_K_SEAMCALL, MIX_K_TDCALL, MIX_K_TD_EXIT };
struct mix;
typedef void (*mix_done_fn)(void *ctx, struct mix *mx, unsigned lp, enum mix_kind kind,
			    const struct tdxsim_leaf_exec *x, enum tdxsim_step_result r);

struct mix {
	struct tdxsim_world *w;
	const struct mix_env *env;
	struct mix_state *s;
	mix_done_fn done;
	void *done_ctx;
	unsigned run_whole_pct;     /* % of calls run to completion at once (0..100) */
	unsigned guest_access_pct;  /* % of guest actions that are memory accesses */
};

void mix_init(struct mix *mx, struct tdxsim_world *w, const struct mix_env *env, struct mix_state *s);
/* Mark the vCPUs that are in guest mode after mix_world_build(enter). */
void mix_adopt_guests(struct mix *mx);
/* One action (it draws at least one value from src). */
void mix_step(struct mix *mx, const struct mix_src *src);
/* Step every in-flight execution to completion (round robin), leaving the vCPUs
 * in guest mode there. */
void mix_drain(struct mix *mx);
/* The status oracle for a completed execution (mix_done_fn's arguments): a TD exit
 * returns a VM-exit reason (1, 48, 77) or TDX_HOST_PRIORITY_BUSY_TIMEOUT; an entry
 * TDXSIM_STATUS_ENTERED; any other call a defined TDX status code (VP.ENTER's
 * zero-step exit: 48), never TDX_SEAMCALL_VMFAILINVALID or #UD; a BUSY names an
 * operand one of that leaf's lock steps reports (from the table; PROMOTE's busy
 * child entry: RCX); the guest never sees ..._BUSY_HOST_PRIORITY (§1.7).  False
 * (and why) if the status breaks one of these. */
bool mix_status_ok(const struct tdxsim_table *t, enum mix_kind kind, const struct tdxsim_leaf_exec *x,
		   enum tdxsim_step_result r, char *why, size_t len);

/* The world between steps: the module invariants, the lock accounting (every lock
 * word explained by the executions in flight and the vCPUs in guest mode), not
 * halted.  False (and why) otherwise. */
bool mix_check_world(const struct mix *mx, char *why, size_t len);

/* The locks every in-flight execution holds, for tdxsim_world_check_locks. */
size_t mix_held(const struct mix *mx, struct tdxsim_held_lock *out, size_t max);

#endif
