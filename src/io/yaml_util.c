/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/yaml_util.h"

static char *read_file(const char *path, size_t *len, struct tdxsim_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		tdxsim_error_set(err, path, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			if (cap >= YU_MAX_FILE_BYTES) {
				tdxsim_error_set(err, path, 0, "file larger than %u bytes",
						 YU_MAX_FILE_BYTES);
				free(buf);
				fclose(f);
				return NULL;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (!buf) {
		tdxsim_error_set(err, path, 0, "out of memory");
		fclose(f);
		return NULL;
	}
	if (ferror(f)) {
		tdxsim_error_set(err, path, 0, "read error");
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

static unsigned line_of_offset(const char *buf, size_t len, size_t off)
{
	unsigned line = 1;
	for (size_t i = 0; i < off && i < len; i++)
		if (buf[i] == '\n')
			line++;
	return line;
}

static void syntax_error(struct yu *y, yaml_parser_t *p, const char *buf, size_t len)
{
	unsigned line;
	if (p->error == YAML_READER_ERROR)
		line = line_of_offset(buf, len, p->problem_offset);
	else
		line = (unsigned)p->problem_mark.line + 1;
	const char *problem = p->problem ? p->problem : "unknown problem";
	if (p->error == YAML_MEMORY_ERROR)
		tdxsim_error_set(y->err, y->file, 0, "out of memory while parsing YAML");
	else if (p->context)
		tdxsim_error_set(y->err, y->file, line, "YAML syntax error: %s (%s)", problem,
				 p->context);
	else
		tdxsim_error_set(y->err, y->file, line, "YAML syntax error: %s", problem);
}

int yu_open(struct yu *y, const char *path, struct tdxsim_error *err)
{
	memset(y, 0, sizeof(*y));
	y->file = path;
	y->err = err;
	size_t len = 0;
	char *buf = read_file(path, &len, err);
	if (!buf)
		return -1;

	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		free(buf);
		tdxsim_error_set(err, path, 0, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	int rc = -1;
	if (!yaml_parser_load(&p, &y->doc)) {
		syntax_error(y, &p, buf, len);
		goto out;
	}
	y->loaded = true;
	if (!yaml_document_get_root_node(&y->doc)) {
		tdxsim_error_set(err, path, 1, "empty file: expected a mapping");
		goto out;
	}
	/* A second document is an error: one table per file. */
	yaml_document_t next;
	if (!yaml_parser_load(&p, &next)) {
		syntax_error(y, &p, buf, len);
		goto out;
	}
	yaml_node_t *r2 = yaml_document_get_root_node(&next);
	if (r2) {
		tdxsim_error_set(err, path, yu_line(r2), "more than one YAML document");
		yaml_document_delete(&next);
		goto out;
	}
	yaml_document_delete(&next);
	rc = 0;
out:
	yaml_parser_delete(&p);
	free(buf);
	return rc;
}

void yu_close(struct yu *y)
{
	if (y->loaded)
		yaml_document_delete(&y->doc);
	y->loaded = false;
}

yaml_node_t *yu_root(struct yu *y)
{
	return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

yaml_node_t *yu_node(struct yu *y, int id)
{
	return yaml_document_get_node(&y->doc, id);
}

const char *yu_str(const yaml_node_t *n)
{
	if (!yu_is_scalar(n))
		return NULL;
	const char *s = (const char *)n->data.scalar.value;
	if (strlen(s) != n->data.scalar.length)
		return NULL;
	return s;
}

int yu_fail(struct yu *y, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[TDXSIM_ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tdxsim_error_set(y->err, y->file, yu_line(n), "%s", msg);
	return -1;
}

unsigned yu_map_len(const yaml_node_t *map)
{
	return yu_is_map(map) ? (unsigned)(map->data.mapping.pairs.top - map->data.mapping.pairs.start) : 0;
}

unsigned yu_seq_len(const yaml_node_t *seq)
{
	return yu_is_seq(seq) ? (unsigned)(seq->data.sequence.items.top - seq->data.sequence.items.start) : 0;
}

yaml_node_t *yu_map_key(struct yu *y, const yaml_node_t *map, unsigned i)
{
	return yu_node(y, map->data.mapping.pairs.start[i].key);
}

yaml_node_t *yu_map_val(struct yu *y, const yaml_node_t *map, unsigned i)
{
	return yu_node(y, map->data.mapping.pairs.start[i].value);
}

yaml_node_t *yu_seq_item(struct yu *y, const yaml_node_t *seq, unsigned i)
{
	return yu_node(y, seq->data.sequence.items.start[i]);
}

int yu_check_keys(struct yu *y, const yaml_node_t *map, const char *const *allowed,
		  const char *ctx, const char *what)
{
	unsigned n = yu_map_len(map);
	for (unsigned i = 0; i < n; i++) {
		yaml_node_t *k = yu_map_key(y, map, i);
		const char *ks = yu_str(k);
		if (!ks)
			return yu_fail(y, k, "%skeys must be plain names", ctx);
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			if (!strcmp(*a, ks))
				ok = true;
		if (!ok) {
			char list[256];
			size_t off = 0;
			list[0] = 0;
			for (const char *const *a = allowed; *a && off < sizeof(list); a++) {
				int w = snprintf(list + off, sizeof(list) - off, "%s%s",
						 a == allowed ? "" : ", ", *a);
				if (w < 0)
					break;
				off += (size_t)w;
			}
			return yu_fail(y, k, "%sunknown key '%s'%s%s (expected %s)", ctx, ks,
				       *what ? " in " : "", what, list);
		}
		for (unsigned j = 0; j < i; j++) {
			const char *kj = yu_str(yu_map_key(y, map, j));
			if (kj && !strcmp(kj, ks))
				return yu_fail(y, k, "%sduplicate key '%s'", ctx, ks);
		}
	}
	return 0;
}

yaml_node_t *yu_get(struct yu *y, const yaml_node_t *map, const char *name)
{
	unsigned n = yu_map_len(map);
	for (unsigned i = 0; i < n; i++) {
		const char *ks = yu_str(yu_map_key(y, map, i));
		if (ks && !strcmp(ks, name))
			return yu_map_val(y, map, i);
	}
	return NULL;
}

yaml_node_t *yu_need(struct yu *y, const yaml_node_t *map, const char *name, const char *ctx)
{
	yaml_node_t *v = yu_get(y, map, name);
	if (!v)
		yu_fail(y, map, "%smissing required key '%s'", ctx, name);
	return v;
}

int yu_scalar(struct yu *y, const yaml_node_t *n, const char *ctx, const char *key,
	      const char **out)
{
	const char *s = yu_str(n);
	if (!s || !*s)
		return yu_fail(y, n, "%s'%s' must be a non-empty name", ctx, key);
	*out = s;
	return 0;
}

int yu_uint(struct yu *y, const yaml_node_t *n, const char *ctx, const char *key,
	    unsigned long max, unsigned long *out)
{
	const char *s = yu_str(n);
	if (!s || !*s || n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	    n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
		goto bad;
	int base = 10;
	const char *d = s;
	if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
		base = 16;
		d += 2;
	}
	if (!*d)
		goto bad;
	for (const char *c = d; *c; c++) {
		if (base == 10 && (*c < '0' || *c > '9'))
			goto bad;
		if (base == 16 && !((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f') ||
				    (*c >= 'A' && *c <= 'F')))
			goto bad;
	}
	errno = 0;
	unsigned long v = strtoul(d, NULL, base);
	if (errno || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	return yu_fail(y, n, "%s'%s' must be an integer 0..%lu", ctx, key, max);
}

int yu_bool(struct yu *y, const yaml_node_t *n, const char *ctx, const char *key, bool *out)
{
	const char *s = yu_str(n);
	if (s && !strcmp(s, "true"))
		*out = true;
	else if (s && !strcmp(s, "false"))
		*out = false;
	else
		return yu_fail(y, n, "%s'%s' must be true or false", ctx, key);
	return 0;
}

int yu_scalar_list(struct yu *y, const yaml_node_t *n, const char *ctx, const char *key,
		   const char **out, const yaml_node_t **nodes, unsigned max, unsigned *count)
{
	if (!yu_is_seq(n))
		return yu_fail(y, n, "%s'%s' must be a list [a, b, ...]", ctx, key);
	unsigned len = yu_seq_len(n);
	if (len > max)
		return yu_fail(y, n, "%s'%s' has %u entries, at most %u allowed", ctx, key, len, max);
	for (unsigned i = 0; i < len; i++) {
		yaml_node_t *it = yu_seq_item(y, n, i);
		const char *s = yu_str(it);
		if (!s || !*s)
			return yu_fail(y, it, "%s'%s' entries must be names", ctx, key);
		out[i] = s;
		if (nodes)
			nodes[i] = it;
	}
	*count = len;
	return 0;
}
