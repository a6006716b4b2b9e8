/* SPDX-License-Identifier: MIT */
/*
 * The `check` scheduler (DESIGN §3, docs/check.md): explicit-state exploration of
 * every interleaving of a model's actors.
 *
 * The explorer is generic: it sees a model (struct ck_model) whose whole state is
 * one or two byte segments that its step function mutates in place, and asks it
 * to step one actor at a time.  The engine adapter (check_engine.c) makes a model
 * of an engine world built from a scenario; tests make small models of their own.
 *
 * Search: breadth-first (shortest counterexamples) or depth-first; visited set:
 * lossless tree compression, 64-bit fingerprints or bitstate (both depth-first).
 * Safety properties are judged on every transition and state as they are found;
 * cycle properties (livelock, starvation, MapGPA termination) on the stored graph
 * after the search (weak fairness, Tarjan SCCs).
 */
#ifndef TDXSIM_ENGINE_CHECK_H
#define TDXSIM_ENGINE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tdxsim/scenario.h"
#include "vmm/flow.h"

/* Progress a transition made (cycle properties). */
enum {
	CK_PROG_ANY = 1u << 0,     /* livelock: any progress */
	CK_PROG_CLASS = 1u << 1,   /* starvation: progress of the starved class */
	CK_PROG_MAPGPA = 1u << 2,  /* MapGPA termination: a MapGPA call completed */
};
/* Work outstanding in a state (a cycle without progress is only a violation
 * while there is something to do). */
enum {
	CK_PEND_ANY = 1u << 0,
	CK_PEND_CLASS = 1u << 1,
	CK_PEND_MAPGPA = 1u << 2,
};

#define CK_WHY_MAX 384
#define CK_MAX_GROUPS 64

/* What one transition did, as the model reports it. */
struct ck_trans {
	uint32_t viol;             /* TDXSIM_PROP_* bits this transition violates */
	uint32_t progress;         /* CK_PROG_* */
	char why[CK_WHY_MAX];      /* the first violation, in words */
	/* Footprint for partial-order reduction (docs/check.md "Reductions"): the
	 * model sets por_safe when the step provably commutes with every step any other
	 * actor can take before this actor steps again, and is invisible to the
	 * properties. */
	bool por_safe;
};

struct ck_range {
	uint32_t w0, n;            /* first 64-bit word, count */
};

struct ck_model {
	void *ctx;
	unsigned n_actors;
	/* The last n_env actors are the environment (scenario inputs): a step of
	 * theirs that changes nothing counts as not enabled (an input that has
	 * nothing new to say neither unblocks anyone nor keeps a cycle fair). */
	unsigned n_env;
	/* The state: segment 0 (the world) and segment 1 (the model's own monitor
	 * words, may be empty), each a multiple of 8 bytes.  step() mutates them. */
	uint8_t *seg[2];
	size_t seg_len[2];
	uint32_t props;            /* TDXSIM_PROP_* to judge */
	/* Step actor a from the current state.  FLOW_BLOCKED must leave the state
	 * unchanged.  Must leave the state canonical (docs/check.md "Abstraction"). */
	enum flow_ret (*step)(void *ctx, unsigned a, struct ck_trans *tr);
	bool (*done)(void *ctx, unsigned a);
	/* CK_PEND_* of the current state. */
	uint32_t (*pending)(void *ctx);
	/* Segment-0 word ranges a step can have changed, given the state before it
	 * (`before`, a copy) and after it (seg[0]); NULL = the whole segment.  Returns
	 * the number of ranges written (at most max), or max + 1 to mean "all". */
	unsigned (*ranges)(void *ctx, const uint8_t *before, struct ck_range *out, unsigned max);
	/* Reports. */
	void (*describe)(void *ctx, unsigned a, char *buf, size_t len);  /* what a does next */
	const char *(*actor_name)(void *ctx, unsigned a);
	/* Verbose stepping for counterexamples: while set, step() appends a line per
	 * lock operation and VMM event to buf (NULL = off). */
	void (*set_log)(void *ctx, char *buf, size_t len);
	/* Validate the state abstraction at the current state (docs/check.md): 0 if it
	 * holds, else -1 with why.  Optional. */
	int (*validate)(void *ctx, unsigned a, char *why, size_t len);
	/* State properties (module invariants, halt) of a newly stored state, judged
	 * once per state while the segments hold it: returns the TDXSIM_PROP_* bits
	 * violated (why filled).  words[0..n) are the world words the step that reached
	 * it changed: a model may skip a check none of them can affect.  Optional. */
	uint32_t (*state_viol)(void *ctx, const uint32_t *words, uint32_t n, char *why, size_t len);
	/* Optional: which of up to CK_MAX_GROUPS groups a world word belongs to (words
	 * that change together, e.g. everything of one actor).  The state vector puts
	 * each group's words in blocks of adjacent slots, so that a step's changes share
	 * most of their path in the tree (fewer node look-ups per state). */
	unsigned (*group)(void *ctx, uint32_t seg, uint32_t word);
	/* The words only actor a's steps read or write (its record): a step the model
	 * calls por_safe must not have changed anything else.  Optional (no POR). */
	void (*private_range)(void *ctx, unsigned a, uint32_t *w0, uint32_t *n);
	/* Properties the initial state already violates (e.g. an invariant). */
	uint32_t init_viol;
	char init_why[CK_WHY_MAX];
};

enum ck_store_mode { CK_TREE, CK_FINGERPRINT, CK_BITSTATE };

struct ck_opts {
	bool dfs;
	enum ck_store_mode store;
	unsigned bitstate_log2;    /* --bitstate BITS: 2^BITS bits */
	unsigned fp_bits;          /* fingerprint width (64; fewer only in tests) */
	bool por;
	bool symmetry;
	uint64_t max_states;       /* 0 = none */
	uint64_t max_memory;       /* bytes, 0 = none */
	uint64_t max_depth;        /* 0 = none */
	double max_seconds;        /* 0 = none */
	bool progress;             /* progress line on stderr (only if a terminal) */
	bool stop_first;           /* stop at the first violation */
	bool paranoid;             /* re-check the model's contracts at every step (slow) */
	unsigned validate_every;   /* run model->validate at every Nth state (0 = never) */
};

/* One counterexample: the actors stepped, in order, from the initial state.
 * For a cycle property, steps [cycle, len) repeat forever. */
struct ck_cex {
	uint32_t prop;             /* TDXSIM_PROP_* bit */
	uint32_t *path;
	uint32_t len;
	int64_t cycle;             /* index where the cycle starts, -1 for a finite path */
	char why[CK_WHY_MAX];
	uint64_t found_at;         /* states stored when it was found */
};

#define CK_NPROPS 9

struct ck_result {
	uint32_t checked;          /* properties judged */
	uint32_t violated;         /* found violated (a counterexample each) */
	uint32_t unknown;          /* judged but not decided (search stopped early / bitstate) */
	struct ck_cex cex[CK_NPROPS]; /* by property bit index */
	uint64_t states, transitions, expanded;
	uint64_t por_reduced;      /* states expanded with a reduced (ample) set */
	uint64_t self_loops;
	uint32_t max_depth;
	uint64_t bytes;            /* memory of the stores and per-state arrays */
	uint64_t slots;            /* state-vector slots (words that ever changed) */
	uint64_t nodes;            /* tree nodes */
	uint64_t lookups;          /* tree node look-ups */
	double secs;
	bool stopped;              /* a limit stopped the search */
	char stop_why[256];
	double omission;           /* fingerprint/bitstate: probability/fraction missed */
	char error[512];           /* an internal error (the model broke a contract) */
	bool failed;
	unsigned world_words;      /* words per state in the world segment */
	uint64_t blocked_changed;  /* BLOCKED steps that wrote something (undone) */
	uint32_t blocked_first_actor, blocked_first_word;
};

int ck_run(struct ck_model *m, const struct ck_opts *o, struct ck_result *r);
void ck_result_free(struct ck_result *r);
static inline unsigned ck_prop_index(uint32_t prop)
{
	return (unsigned)__builtin_ctz(prop);
}

#endif
