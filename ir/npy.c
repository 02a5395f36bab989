/* .npy files: the constants of a network.
 *
 * The format (numpy/lib/format.py): the magic "\x93NUMPY", a version byte
 * pair, the header length (2 bytes LE in version 1, 4 bytes in 2 and 3), an
 * ASCII header holding a Python dict literal such as
 *	{'descr': '<f4', 'fortran_order': False, 'shape': (16, 3, 3, 3), }
 * and then the raw elements.  qcc reads the four dtypes the language names
 * and reports everything else at the string literal that named the file:
 * a user's .npy is the most likely thing in a build to be wrong. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L   /* stat() */
#endif
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ir.h"

/* The dtypes qcc reads, by numpy's type code without the byte order. */
typedef struct NpyType {
	const char *code;          /* "f4" */
	int size;                  /* bytes per element */
	DType dtype;               /* as loaded by npy_load */
	const char *descr;         /* the descr numpy writes for it */
} NpyType;

static const NpyType npy_types[] = {
	{"f4", 4, DT_F32, "<f4"},
	{"f8", 8, DT_F32, "<f8"},  /* narrowed to float32, except scale lists */
	{"i1", 1, DT_I8, "|i1"},
	{"i4", 4, DT_I32, "<i4"},
};
#define NPY_NTYPES (int)(sizeof npy_types / sizeof npy_types[0])

/* A file read and checked: header parsed, data present. */
typedef struct Npy {
	char *shown;               /* the resolved path, as messages print it */
	const NpyType *type;
	char descr[32];            /* as written in the header */
	int rank;                  /* 0..QCC_MAX_RANK; 0 is a numpy scalar */
	int64_t dims[QCC_MAX_RANK];
	int64_t count;             /* product of dims, >= 1 */
	const unsigned char *buf;  /* the whole file */
	unsigned char *owned;      /* buf when read from disk (malloc'd), else NULL */
	size_t size;               /* bytes in buf */
	const unsigned char *data; /* count elements of type, little-endian */
} Npy;

/* ---- reading the file ---- */

/* .npy paths are relative to the .q file, so a build works from any
 * directory.  "." is left out so that messages show the path as written. */
static char *resolve(Graph *g, const char *path)
{
	const char *dir = g->src ? g->src->dir : NULL;
	if (path[0] == '/' || !dir || !dir[0] || strcmp(dir, ".") == 0 || strcmp(dir, "./") == 0)
		return arena_strdup(g->arena, path);
	size_t n = strlen(dir);
	return arena_printf(g->arena, "%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", path);
}

/* Reads the whole file into f->buf.  stat first, because fopen() happily
 * opens a directory on POSIX and only the read fails, with a less helpful
 * message. */
static int read_file(Graph *g, Span at, Npy *f)
{
	if (g->files) {
		for (int i = 0; i < g->nfiles; i++)
			if (strcmp(g->files[i].path, f->shown) == 0) {
				f->buf = g->files[i].bytes;
				f->size = g->files[i].size;
				return 1;
			}
		diag_error(g->diag, at, "cannot open '%s': %s", f->shown, strerror(ENOENT));
		return 0;
	}
	struct stat st;
	if (stat(f->shown, &st) != 0) {
		diag_error(g->diag, at, "cannot open '%s': %s", f->shown, strerror(errno));
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		diag_error(g->diag, at, "'%s' is a directory, not a .npy file", f->shown);
		return 0;
	}
	/* a device or a pipe has no size to check: /dev/zero would be read
	 * until memory runs out */
	if (!S_ISREG(st.st_mode)) {
		diag_error(g->diag, at, "'%s' is not a regular file", f->shown);
		return 0;
	}
	FILE *fp = fopen(f->shown, "rb");
	if (!fp) {
		diag_error(g->diag, at, "cannot open '%s': %s", f->shown, strerror(errno));
		return 0;
	}
	/* the size stat gave, plus one byte to see a file that grew meanwhile */
	size_t cap = (size_t)st.st_size + 1;
	unsigned char *buf = malloc(cap);
	if (!buf)
		die("npy: out of memory reading '%s' (%zu bytes)", f->shown, cap);
	size_t n = fread(buf, 1, cap, fp);
	int failed = ferror(fp);
	fclose(fp);
	if (failed) {
		diag_error(g->diag, at, "cannot read '%s': %s", f->shown, strerror(errno));
		free(buf);
		return 0;
	}
	f->buf = f->owned = buf;
	f->size = n;
	return 1;
}

/* ---- the header: a Python dict literal ---- */

typedef struct Cursor {
	const char *p, *end;
} Cursor;

static void skip_space(Cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n'))
		c->p++;
}

/* Consumes ch (after blanks) if it is next. */
static int accept(Cursor *c, char ch)
{
	skip_space(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return 1;
	}
	return 0;
}

/* A quoted Python string without escapes, which is all numpy writes. */
static int parse_string(Cursor *c, char *out, size_t cap)
{
	skip_space(c);
	if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
		return 0;
	char quote = *c->p++;
	size_t n = 0;
	while (c->p < c->end && *c->p != quote) {
		if (n + 1 >= cap)
			return 0;
		out[n++] = *c->p++;
	}
	out[n] = '\0';
	return accept(c, quote);
}

static int parse_word(Cursor *c, const char *word)
{
	size_t n = strlen(word);
	skip_space(c);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return 0;
	c->p += n;
	return 1;
}

/* A non-negative integer; old numpy (Python 2) wrote a trailing 'L'.
 * -1 when it does not fit int64. */
static int parse_dim(Cursor *c, int64_t *v)
{
	skip_space(c);
	if (c->p >= c->end || *c->p < '0' || *c->p > '9')
		return 0;
	int64_t x = 0;
	for (; c->p < c->end && *c->p >= '0' && *c->p <= '9'; c->p++) {
		int d = *c->p - '0';
		x = x > (INT64_MAX - d) / 10 ? -1 : x < 0 ? -1 : x * 10 + d;
	}
	if (c->p < c->end && *c->p == 'L')
		c->p++;
	*v = x;
	return 1;
}

/* '(' [dim {',' dim}] [','] ')'.  Dimensions beyond QCC_MAX_RANK are
 * counted but not stored, so that the rank can be reported. */
static int parse_shape(Cursor *c, Npy *f, int64_t *all, int cap)
{
	if (!accept(c, '('))
		return 0;
	f->rank = 0;
	while (!accept(c, ')')) {
		int64_t d;
		if (!parse_dim(c, &d))
			return 0;
		if (f->rank < cap)
			all[f->rank] = d;
		f->rank++;
		if (!accept(c, ',')) {
			if (!accept(c, ')'))
				return 0;
			break;
		}
	}
	return 1;
}

/* The dict; *structured is set when descr is a list of fields. */
static int parse_header(Cursor *c, Npy *f, int *fortran, int64_t *all, int cap, int *structured)
{
	int seen = 0;
	if (!accept(c, '{'))
		return 0;
	while (!accept(c, '}')) {
		char key[32];
		if (!parse_string(c, key, sizeof key) || !accept(c, ':'))
			return 0;
		if (strcmp(key, "descr") == 0) {
			skip_space(c);
			if (c->p < c->end && *c->p == '[') {
				*structured = 1;
				return 1;
			}
			if (!parse_string(c, f->descr, sizeof f->descr))
				return 0;
			seen |= 1;
		} else if (strcmp(key, "fortran_order") == 0) {
			if (parse_word(c, "True"))
				*fortran = 1;
			else if (parse_word(c, "False"))
				*fortran = 0;
			else
				return 0;
			seen |= 2;
		} else if (strcmp(key, "shape") == 0) {
			if (!parse_shape(c, f, all, cap))
				return 0;
			seen |= 4;
		} else {
			return 0;
		}
		if (!accept(c, ',') && !accept(c, '}'))
			return 0;
		if (c->p[-1] == '}')
			break;
	}
	return seen == 7;
}

/* "(16, 3)" or "(16,)", as numpy prints a shape. */
static const char *shape_str(Graph *g, const int64_t *dims, int rank, int shown)
{
	char *s = arena_strdup(g->arena, "(");
	for (int i = 0; i < rank && i < shown; i++)
		s = arena_printf(g->arena, "%s%s%lld", s, i ? ", " : "", (long long)dims[i]);
	if (rank > shown)
		s = arena_printf(g->arena, "%s, ...", s);
	return arena_printf(g->arena, "%s%s)", s, rank == 1 ? "," : "");
}

/* ---- checking what the header says ---- */

static const NpyType *find_type(const char *code)
{
	for (int i = 0; i < NPY_NTYPES; i++)
		if (strcmp(npy_types[i].code, code) == 0)
			return &npy_types[i];
	return NULL;
}

static int check_dtype(Graph *g, Span at, Npy *f)
{
	const char *d = f->descr;
	const NpyType *t = d[0] ? find_type(d + 1) : NULL;
	/* one-byte types have no byte order; numpy writes '|' for them */
	int order_ok = t && (t->size == 1 ? strchr("|<>", d[0]) != NULL : d[0] == '<');
	if (t && d[0] == '>' && !order_ok) {
		diag_error(g->diag, at, "big-endian .npy is not supported ('%s' has dtype '%s'); save with dtype '%s'",
		           f->shown, d, t->descr);
		return 0;
	}
	if (!t || !order_ok) {
		diag_error(g->diag, at,
		           "'%s' has dtype '%s', which qcc does not read; supported are '<f4' (float32), "
		           "'<f8' (float64), '|i1' (int8) and '<i4' (int32)",
		           f->shown, d);
		return 0;
	}
	f->type = t;
	return 1;
}

/* rank, emptiness and an element count that cannot overflow */
static int check_shape(Graph *g, Span at, Npy *f, const int64_t *all, int stored)
{
	const char *shape = shape_str(g, all, f->rank, stored);
	if (f->rank > QCC_MAX_RANK) {
		diag_error(g->diag, at, "'%s' has rank %d (shape %s); qcc supports rank 1 to %d", f->shown, f->rank, shape,
		           QCC_MAX_RANK);
		return 0;
	}
	f->count = 1;
	for (int i = 0; i < f->rank; i++) {
		if (all[i] < 0 || (all[i] > 0 && f->count > INT64_MAX / 8 / all[i])) {
			diag_error(g->diag, at, "'%s' has an absurd shape %s: more bytes than any file can hold", f->shown,
			           shape);
			return 0;
		}
		f->count *= all[i];
		f->dims[i] = all[i];
	}
	if (f->count > QCC_MAX_ELEMENTS) {
		diag_error(g->diag, at, "'%s' has %lld elements (shape %s); qcc's limit is 2^31-1 per constant", f->shown,
		           (long long)f->count, shape);
		return 0;
	}
	if (f->count == 0) {
		diag_error(g->diag, at, "'%s' is empty (shape %s); a constant needs at least one element", f->shown, shape);
		return 0;
	}
	return 1;
}

static int check_data_size(Graph *g, Span at, Npy *f, size_t data_off)
{
	int64_t have = (int64_t)(f->size - data_off);
	int64_t need = f->count * f->type->size;
	const char *shape = shape_str(g, f->dims, f->rank, QCC_MAX_RANK);
	if (have < need) {
		diag_error(g->diag, at, "'%s' is truncated: shape %s of '%s' needs %lld bytes of data, but the file has %lld",
		           f->shown, shape, f->descr, (long long)need, (long long)have);
		return 0;
	}
	if (have > need) {
		diag_error(g->diag, at, "'%s' has %lld bytes of data, but shape %s of '%s' needs only %lld", f->shown,
		           (long long)have, shape, f->descr, (long long)need);
		return 0;
	}
	f->data = f->buf + data_off;
	return 1;
}

/* The preamble: magic, version, header length.  Sets *hstart, *hlen. */
static int check_preamble(Graph *g, Span at, Npy *f, size_t *hstart, size_t *hlen)
{
	const unsigned char *b = f->buf;
	if (f->size < 10 || memcmp(b, "\x93NUMPY", 6) != 0) {
		diag_error(g->diag, at, "'%s' is not a .npy file (it does not start with \"\\x93NUMPY\")", f->shown);
		return 0;
	}
	if (b[6] < 1 || b[6] > 3) {
		diag_error(g->diag, at, "'%s' is .npy format version %d.%d; qcc reads versions 1 to 3", f->shown, b[6], b[7]);
		return 0;
	}
	if (b[6] == 1) {
		*hstart = 10;
		*hlen = (size_t)b[8] | (size_t)b[9] << 8;
	} else {
		*hstart = 12;
		*hlen = f->size < 12 ? 0 : (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
	}
	if (f->size < *hstart || f->size - *hstart < *hlen) {
		diag_error(g->diag, at, "'%s' is truncated: its header needs %llu bytes, but the file has %llu", f->shown,
		           (unsigned long long)(*hstart + *hlen), (unsigned long long)f->size);
		return 0;
	}
	return 1;
}

static int check_header(Graph *g, Span at, Npy *f)
{
	size_t hstart, hlen;
	int fortran = 0, structured = 0;
	int64_t all[8];
	if (!check_preamble(g, at, f, &hstart, &hlen))
		return 0;
	Cursor c = {(const char *)f->buf + hstart, (const char *)f->buf + hstart + hlen};
	if (!parse_header(&c, f, &fortran, all, 8, &structured)) {
		diag_error(g->diag, at, "'%s' has a malformed .npy header", f->shown);
		return 0;
	}
	if (structured) {
		diag_error(g->diag, at, "'%s' holds a structured array; qcc reads plain arrays only", f->shown);
		return 0;
	}
	if (!check_dtype(g, at, f))
		return 0;
	if (fortran) {
		diag_error(g->diag, at,
		           "'%s' is in Fortran order; qcc reads C order only (save np.ascontiguousarray(a))", f->shown);
		return 0;
	}
	return check_shape(g, at, f, all, f->rank < 8 ? f->rank : 8) && check_data_size(g, at, f, hstart + hlen);
}

/* Reads and checks path; on success the caller frees f->owned. */
static int npy_read(Graph *g, const char *path, Span at, Npy *f)
{
	memset(f, 0, sizeof *f);
	if (!path[0]) {
		diag_error(g->diag, at, "the path of a .npy file is empty");
		return 0;
	}
	f->shown = resolve(g, path);
	if (!read_file(g, at, f))
		return 0;
	if (!check_header(g, at, f)) {
		free(f->owned);
		return 0;
	}
	return 1;
}

/* ---- converting the elements ---- */

static uint64_t le(const unsigned char *p, int size)
{
	uint64_t v = 0;
	for (int i = size - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static double element_f64(const Npy *f, int64_t i)
{
	const unsigned char *p = f->data + i * f->type->size;
	if (f->type->size == 8) {
		uint64_t bits = le(p, 8);
		double d;
		memcpy(&d, &bits, sizeof d);
		return d;
	}
	uint32_t bits = (uint32_t)le(p, 4);
	float x;
	memcpy(&x, &bits, sizeof x);
	return x;
}

/* Float constants must be finite, and float64 ones must fit float32:
 * no pass can do anything sensible with inf or nan. */
static int load_floats(Graph *g, Span at, const Npy *f, float *out)
{
	for (int64_t i = 0; i < f->count; i++) {
		double d = element_f64(f, i);
		out[i] = (float)d;
		if (!isfinite(d)) {
			diag_error(g->diag, at, "'%s' holds %s at element %lld; constants must be finite", f->shown,
			           isnan(d) ? "nan" : d > 0 ? "inf" : "-inf", (long long)i);
			return 0;
		}
		if (!isfinite(out[i])) {
			diag_error(g->diag, at, "'%s' holds %g at element %lld, which does not fit float32", f->shown, d,
			           (long long)i);
			return 0;
		}
	}
	return 1;
}

static int load_data(Graph *g, Span at, const Npy *f, Const *k)
{
	size_t esize = (size_t)ir_dtype_size(k->dtype);
	k->data = arena_alloc(g->arena, (size_t)f->count * esize);
	if (k->dtype == DT_F32)
		return load_floats(g, at, f, k->data);
	for (int64_t i = 0; i < f->count; i++) {
		uint32_t v = (uint32_t)le(f->data + i * f->type->size, f->type->size);
		if (k->dtype == DT_I8)
			((int8_t *)k->data)[i] = (int8_t)(v >= 128 ? (int)v - 256 : (int)v);
		else
			((int32_t *)k->data)[i] = (int32_t)(v >= 0x80000000u ? (int64_t)v - 0x100000000LL : (int64_t)v);
	}
	return 1;
}

Const *npy_load(Graph *g, const char *path, Span span)
{
	Npy f;
	if (!npy_read(g, path, span, &f))
		return NULL;
	Const *k = arena_alloc(g->arena, sizeof *k);
	k->dtype = f.type->dtype;
	k->rank = f.rank ? f.rank : 1;   /* a numpy scalar is a one-element vector */
	k->dims[0] = 1;
	memcpy(k->dims, f.dims, (size_t)f.rank * sizeof f.dims[0]);
	k->count = f.count;
	k->span = span;
	k->path = arena_strdup(g->arena, path);
	int ok = load_data(g, span, &f, k);
	free(f.owned);
	return ok ? k : NULL;
}

double *npy_load_scales(Graph *g, const char *path, Span span, int64_t *count)
{
	Npy f;
	if (!npy_read(g, path, span, &f))
		return NULL;
	double *s = NULL;
	if (f.type->dtype != DT_F32)
		diag_error(g->diag, span, "scales in '%s' must be float32 or float64, not '%s'", f.shown, f.descr);
	else if (f.rank > 1)
		diag_error(g->diag, span, "scales in '%s' must be a 1-D list, but its shape is %s", f.shown,
		           shape_str(g, f.dims, f.rank, QCC_MAX_RANK));
	else {
		s = arena_alloc(g->arena, (size_t)f.count * sizeof *s);
		for (int64_t i = 0; i < f.count; i++)
			s[i] = element_f64(&f, i);
		*count = f.count;
	}
	free(f.owned);
	return s;
}
