/* SPDX-License-Identifier: MIT */
/*
 * Small helpers over libyaml's document API for the project's loaders: load
 * one document with syntax errors reported as "file:line: ...", typed access
 * to nodes, and mapping-key checks (unknown / duplicate / missing keys).
 * Every error goes to the struct tdxsim_error given at open time; the first
 * error wins (tdxsim_error_set keeps it).
 */
#ifndef TDXSIM_IO_YAML_UTIL_H
#define TDXSIM_IO_YAML_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <yaml.h>

#include "tdxsim/error.h"

/* Input files larger than this are rejected (tables are a few tens of KB). */
#define YU_MAX_FILE_BYTES (16u << 20)

struct yu {
	yaml_document_t doc;
	bool loaded;
	const char *file;           /* for messages; not owned */
	struct tdxsim_error *err;
};

/* Load the single document of `path`.  Returns 0, or -1 with err set (file not
 * readable, YAML syntax error at the parser's problem mark, empty file, more
 * than one document).  yu_close() is always safe afterwards. */
int yu_open(struct yu *y, const char *path, struct tdxsim_error *err);
void yu_close(struct yu *y);

yaml_node_t *yu_root(struct yu *y);
yaml_node_t *yu_node(struct yu *y, int id);
static inline unsigned yu_line(const yaml_node_t *n) { return n ? (unsigned)n->start_mark.line + 1 : 0; }
static inline bool yu_is_map(const yaml_node_t *n) { return n && n->type == YAML_MAPPING_NODE; }
static inline bool yu_is_seq(const yaml_node_t *n) { return n && n->type == YAML_SEQUENCE_NODE; }
static inline bool yu_is_scalar(const yaml_node_t *n) { return n && n->type == YAML_SCALAR_NODE; }
/* Value of a scalar node, NULL if n is not a scalar or holds a NUL byte. */
const char *yu_str(const yaml_node_t *n);

/* Record an error at node n's line; returns -1 for `return yu_fail(...)`. */
int yu_fail(struct yu *y, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Number of pairs / items. */
unsigned yu_map_len(const yaml_node_t *map);
unsigned yu_seq_len(const yaml_node_t *seq);
/* i-th key / value of a mapping, i-th item of a sequence. */
yaml_node_t *yu_map_key(struct yu *y, const yaml_node_t *map, unsigned i);
yaml_node_t *yu_map_val(struct yu *y, const yaml_node_t *map, unsigned i);
yaml_node_t *yu_seq_item(struct yu *y, const yaml_node_t *seq, unsigned i);

/* Check that every key of `map` is a scalar, appears once and is one of the
 * NULL-terminated `allowed` names.  `ctx` prefixes messages ("leaf X: ").
 * `what` names the mapping in the unknown-key message ("" for none). */
int yu_check_keys(struct yu *y, const yaml_node_t *map, const char *const *allowed,
		  const char *ctx, const char *what);
/* Value node of key `name`, NULL if absent (call after yu_check_keys). */
yaml_node_t *yu_get(struct yu *y, const yaml_node_t *map, const char *name);
/* Like yu_get, but a missing key is an error reported at the mapping's line. */
yaml_node_t *yu_need(struct yu *y, const yaml_node_t *map, const char *name, const char *ctx);

/* Scalars with types.  All report "<ctx>'<key>' must be ..." at the node on error. */
int yu_uint(struct yu *y, const yaml_node_t *n, const char *ctx, const char *key,
	    unsigned long max, unsigned long *out);
int yu_bool(struct yu *y, const yaml_node_t *n, const char *ctx, const char *key, bool *out);
/* A scalar string (non-empty). */
int yu_scalar(struct yu *y, const yaml_node_t *n, const char *ctx, const char *key,
	      const char **out);
/* A sequence of scalars; *out points into an array of `max` entries. A single
 * scalar is not accepted: lists are always written [a, b]. */
int yu_scalar_list(struct yu *y, const yaml_node_t *n, const char *ctx, const char *key,
		   const char **out, const yaml_node_t **nodes, unsigned max, unsigned *count);

#endif
