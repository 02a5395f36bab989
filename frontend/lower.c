/* Lowering: one parsed statement at a time into the graph.
 *
 * Everything that can be judged from a statement alone is checked here, at
 * the span of the offending value: names, argument names and kinds,
 * integer ranges, constants (.npy files, inline lists, i8()/i32()), and
 * qparams.  What needs the whole graph (shapes, channel counts, whether an
 * output may omit its qparams) is pass_infer's.
 *
 * A statement that fails before its node exists (unknown op, undefined
 * input, duplicate name) leaves its name marked failed, so later uses of
 * it stay quiet instead of repeating "undefined tensor". */
#include <float.h>
#include <math.h>
#include <string.h>

#include "ir.h"
#include "frontend.h"


/* A name defined by a statement, and whether that statement failed. */
typedef struct Def {
	const char *name;
	Span span;
	int failed;
	Node *node;             /* the node it defined, NULL if none */
} Def;

struct Lower {
	Graph *g;
	Def *defs;
	int ndefs;
	int *slots;             /* hash table of defs: index + 1, 0 when free */
	int nslots;             /* a power of two, at least twice ndefs */
	int stop;               /* a limit was passed: the parse ends */
	int nstmts;             /* statements seen, parsed or not */
	int model_reported;     /* "expected 'model NAME' first" was said */
	const char *what;       /* the statement being lowered, for messages: "conv2d 'c1'" */
};

#define ERR(at, ...) diag_error(lw->g->diag, (at), __VA_ARGS__)
#define NOTE(at, ...) diag_note(lw->g->diag, (at), __VA_ARGS__)

/* ---- small helpers ---- */

/* Grows an arena array of n elements to hold n + 1; capacities are the
 * powers of two, so they need not be stored. */
static void *grow(Arena *a, void *items, int n, size_t size)
{
	if (n & (n - 1))
		return items;
	void *bigger = arena_alloc(a, (size_t)(n ? 2 * n : 1) * size);
	if (n)
		memcpy(bigger, items, (size_t)n * size);
	return bigger;
}

/* How a value is named in a message: "a string", "'x'", or the number as
 * written. */
static const char *describe(Lower *lw, const Value *v)
{
	switch (v->kind) {
	case V_NUM: return v->text;
	case V_STR: return "a string";
	case V_IDENT: return arena_printf(lw->g->arena, "'%s'", v->text);
	case V_LIST: return "a list";
	case V_CALL: return arena_printf(lw->g->arena, "%s(...)", v->call->name);
	}
	return "?";
}

/* Optimal string alignment distance: edits, counting a swap of two
 * neighbours ("imgae") as one. */
static int edit_distance(const char *a, const char *b)
{
	int la = (int)strlen(a), lb = (int)strlen(b);
	int d[32][32];
	if (la >= 32 || lb >= 32)
		return 99;
	for (int i = 0; i <= la; i++)
		for (int j = 0; j <= lb; j++) {
			if (i == 0 || j == 0) {
				d[i][j] = i + j;
				continue;
			}
			int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

/* "; did you mean 'x'?" when one candidate is a typo away (one edit in a
 * short name, two in a longer one), else "".  Names of one or two letters
 * are all a typo away from each other: no suggestion. */
static const char *suggest(Lower *lw, const char *name, const char *const *cands, int n)
{
	const char *best = NULL;
	size_t len = strlen(name);
	int bestd = len < 3 ? 0 : len <= 4 ? 2 : 3;
	for (int i = 0; i < n; i++) {
		int d = cands[i] ? edit_distance(name, cands[i]) : 99;
		if (d < bestd) {
			best = cands[i];
			bestd = d;
		}
	}
	return best ? arena_printf(lw->g->arena, "; did you mean '%s'?", best) : "";
}

/* "a, b and c" */
static const char *join(Lower *lw, const char *const *names)
{
	char *s = "";
	for (int i = 0; names[i]; i++)
		s = arena_printf(lw->g->arena, "%s%s%s", s, i == 0 ? "" : names[i + 1] ? ", " : " and ", names[i]);
	return s;
}

/* ---- the operations and their arguments ---- */

static const char *const no_args[] = {NULL};
static const char *const conv_args[] = {"weight", "bias", "stride", "pad", "dilation", "groups", NULL};
static const char *const linear_args[] = {"weight", "bias", NULL};
static const char *const bn_args[] = {"gamma", "beta", "mean", "var", "eps", NULL};
static const char *const clamp_args[] = {"min", "max", NULL};
static const char *const hardtanh_args[] = {"min_val", "max_val", NULL};
static const char *const concat_args[] = {"axis", NULL};
static const char *const maxpool_args[] = {"kernel", "stride", "pad", "dilation", NULL};
static const char *const avgpool_args[] = {"kernel", "stride", "pad", "count_include_pad", NULL};
static const char *const reshape_args[] = {"shape", NULL};

/* An op as it may be spelled in .q, with the named arguments it takes. */
typedef struct Spelling {
	const char *name;
	Op op;
	const char *const *args;
} Spelling;

static const Spelling spellings[] = {
	{"quantize", OP_QUANTIZE, no_args},
	{"dequantize", OP_DEQUANTIZE, no_args},
	{"requantize", OP_REQUANTIZE, no_args},
	{"conv2d", OP_CONV2D, conv_args},
	{"batchnorm", OP_BATCHNORM, bn_args},
	{"relu", OP_RELU, no_args},
	{"relu6", OP_RELU6, no_args},
	{"clamp", OP_CLAMP, clamp_args},
	{"hardtanh", OP_CLAMP, hardtanh_args},
	{"linear", OP_LINEAR, linear_args},
	{"matmul", OP_MATMUL, no_args},
	{"add", OP_ADD, no_args},
	{"concat", OP_CONCAT, concat_args},
	{"maxpool2d", OP_MAXPOOL2D, maxpool_args},
	{"avgpool2d", OP_AVGPOOL2D, avgpool_args},
	{"global_avgpool", OP_GLOBAL_AVGPOOL, no_args},
	{"adaptive_avgpool2d", OP_GLOBAL_AVGPOOL, no_args},   /* (x, 1) only */
	{"flatten", OP_FLATTEN, no_args},
	{"reshape", OP_RESHAPE, reshape_args},
};
#define NSPELLINGS (int)(sizeof spellings / sizeof spellings[0])

static const Spelling *find_spelling(Lower *lw, const Call *c)
{
	const char *names[NSPELLINGS];
	for (int i = 0; i < NSPELLINGS; i++) {
		if (strcmp(spellings[i].name, c->name) == 0)
			return &spellings[i];
		names[i] = spellings[i].name;
	}
	ERR(c->name_span, "unknown operation '%s'%s", c->name, suggest(lw, c->name, names, NSPELLINGS));
	return NULL;
}

static int is_adaptive(const Spelling *sp)
{
	return strcmp(sp->name, "adaptive_avgpool2d") == 0;
}

static int allowed(const char *const *list, const char *name)
{
	for (int i = 0; list[i]; i++)
		if (strcmp(list[i], name) == 0)
			return 1;
	return 0;
}

/* Every named argument must be one `valid` lists, and given once. */
static int check_arg_names(Lower *lw, const Call *c, const char *const *valid, const char *what)
{
	int ok = 1;
	for (int i = 0; i < c->nargs; i++) {
		const Arg *a = &c->args[i];
		if (!a->name)
			continue;
		if (!allowed(valid, a->name)) {
			if (valid[0])
				ERR(a->name_span, "unknown argument '%s' for %s; valid arguments are %s", a->name, what,
				    join(lw, valid));
			else
				ERR(a->name_span, "%s takes no named arguments", what);
			ok = 0;
			continue;
		}
		for (int j = 0; j < i; j++)
			if (c->args[j].name && strcmp(c->args[j].name, a->name) == 0) {
				ERR(a->name_span, "argument '%s' is given twice", a->name);
				NOTE(c->args[j].name_span, "first given here");
				ok = 0;
				break;
			}
	}
	return ok;
}

static const Arg *named(const Call *c, const char *name)
{
	for (int i = 0; i < c->nargs; i++)
		if (c->args[i].name && strcmp(c->args[i].name, name) == 0)
			return &c->args[i];
	return NULL;
}

/* The value of a required argument, or NULL after saying it is missing. */
static const Value *required(Lower *lw, const Call *c, const char *name, const char *what)
{
	const Arg *a = named(c, name);
	if (!a)
		ERR(c->name_span, "%s needs %s=...", what ? what : lw->what, name);
	return a ? a->val : NULL;
}

/* ---- numbers ---- */

/* An integer argument in lo..hi. */
static int get_int(Lower *lw, const Value *v, const char *what, int64_t lo, int64_t hi, int64_t *out)
{
	if (v->kind != V_NUM || !v->is_int) {
		ERR(v->span, "%s must be an integer, got %s", what, describe(lw, v));
		return 0;
	}
	if (!v->int_ok) {
		ERR(v->span, "%s %s is out of range", what, v->text);
		return 0;
	}
	if (v->ival < lo || v->ival > hi) {
		if (hi == INT64_MAX || v->ival < lo)
			ERR(v->span, "%s must be at least %lld, got %s", what, (long long)lo, v->text);
		else
			ERR(v->span, "%s must be between %lld and %lld, got %s", what, (long long)lo, (long long)hi, v->text);
		return 0;
	}
	*out = v->ival;
	return 1;
}

static int get_small_int(Lower *lw, const Value *v, const char *what, int lo, int *out)
{
	int64_t x;
	if (!get_int(lw, v, what, lo, QCC_MAX_ATTR, &x))
		return 0;
	*out = (int)x;
	return 1;
}

/* A finite number. */
static int get_number(Lower *lw, const Value *v, const char *what, double *out)
{
	if (v->kind != V_NUM) {
		ERR(v->span, "%s must be a number, got %s", what, describe(lw, v));
		return 0;
	}
	if (!isfinite(v->num)) {
		ERR(v->span, "%s must be finite, but %s overflows a double", what, v->text);
		return 0;
	}
	*out = v->num;
	return 1;
}

/* n, [h, w] (or, for pad, [top, left, bottom, right]) into out[0..n-1]. */
static int get_ints(Lower *lw, const Value *v, const char *what, int lo, int *out, int nmax)
{
	if (v->kind == V_NUM)
		return get_small_int(lw, v, what, lo, &out[0]) ? 1 : 0;
	if (v->kind != V_LIST || (v->nitems != 2 && v->nitems != nmax)) {
		ERR(v->span, "%s must be an integer or a list [h, w]%s, got %s%s", what,
		    nmax == 4 ? " or [top, left, bottom, right]" : "", describe(lw, v),
		    v->kind == V_LIST ? arena_printf(lw->g->arena, " of %d", v->nitems) : "");
		return 0;
	}
	for (int i = 0; i < v->nitems; i++)
		if (!get_small_int(lw, v->items[i], what, lo, &out[i]))
			return 0;
	return v->nitems;
}

/* stride, dilation, kernel: n or [h, w]. */
static void get_pair(Lower *lw, const Call *c, const char *name, int lo, int def, int out[2])
{
	const Arg *a = named(c, name);
	out[0] = out[1] = def;
	if (a && get_ints(lw, a->val, name, lo, out, 2) == 1)
		out[1] = out[0];
}

/* pad: n, [h, w] or [top, left, bottom, right]; the default is 0. */
static void get_pad(Lower *lw, const Call *c, int pad[4])
{
	const Arg *a = named(c, "pad");
	int v[4] = {0, 0, 0, 0};
	int n = a ? get_ints(lw, a->val, "pad", 0, v, 4) : 1;
	if (n == 1)
		v[1] = v[2] = v[3] = v[0];
	if (n == 2) {
		v[2] = v[0];
		v[3] = v[1];
	}
	memcpy(pad, v, sizeof v);
}

static int get_bool(Lower *lw, const Value *v, const char *what, int *out)
{
	if (v->kind == V_IDENT && (strcmp(v->text, "true") == 0 || strcmp(v->text, "false") == 0)) {
		*out = v->text[0] == 't';
		return 1;
	}
	ERR(v->span, "%s must be true or false, got %s", what, describe(lw, v));
	return 0;
}

/* ---- scales and zero points ---- */

/* Scales must be positive normal doubles: zero and negatives are
 * meaningless, inf and nan poison every multiplier, and a subnormal loses
 * its precision (and 1/s overflows). */
static int check_scale(Lower *lw, const char *what, double s, Span at, const char *literal)
{
	if (isnormal(s) && s > 0)
		return 1;
	const char *shown = literal ? literal : arena_printf(lw->g->arena, "%g", s);
	const char *why = "";
	if (literal && isinf(s))
		why = ", which overflows a double to infinity";
	else if (literal && s == 0 && strpbrk(literal, "123456789"))
		why = ", which underflows a double to 0";
	else if (fpclassify(s) == FP_SUBNORMAL && s > 0)
		why = ", which is subnormal (below the smallest normal double, 2.2e-308)";
	ERR(at, "%s must be a finite positive number, got %s%s", what, shown, why);
	return 0;
}

static int check_zp(Lower *lw, int64_t zp, DType t, Span at)
{
	int32_t lo, hi;
	ir_dtype_range(t, &lo, &hi);
	if (zp >= lo && zp <= hi)
		return 1;
	ERR(at, "zero point %lld is outside %s's range %d..%d", (long long)zp, ir_dtype_name(t), (int)lo, (int)hi);
	return 0;
}

/* A list of per-channel qparams, from a number, a list or a .npy. */
typedef struct QList {
	int n;
	double *v;              /* scales, or zero points as doubles (exact) */
	Span *at;               /* where entry i was written */
	const char **literal;   /* entry i as written, NULL when from a .npy */
	int per_tensor;         /* written as a single number: broadcasts */
	Span span;              /* the whole value */
	const char *file;       /* the .npy it came from, or NULL */
} QList;

static void qlist_alloc(Lower *lw, QList *q, int64_t n)
{
	q->n = (int)n;
	q->v = arena_alloc(lw->g->arena, (size_t)n * sizeof *q->v);
	q->at = arena_alloc(lw->g->arena, (size_t)n * sizeof *q->at);
	q->literal = arena_alloc(lw->g->arena, (size_t)n * sizeof *q->literal);
}

static int qlist_from_npy(Lower *lw, const Value *v, int is_zp, QList *q)
{
	int64_t n = 0;
	double *s = NULL;
	Const *k = NULL;
	if (is_zp) {
		k = npy_load(lw->g, v->text, v->span);
		if (k && k->dtype == DT_F32) {
			ERR(v->span, "zero points in '%s' must be integers ('|i1' or '<i4'), not float32", v->text);
			return 0;
		}
		n = k ? k->count : 0;
	} else {
		s = npy_load_scales(lw->g, v->text, v->span, &n);
	}
	if (!k && !s)
		return 0;
	qlist_alloc(lw, q, n);
	q->file = v->text;
	for (int64_t i = 0; i < n; i++) {
		/* int32 zero points read exactly: a float would round 2^24 + 1 */
		q->v[i] = s ? s[i] : k->dtype == DT_I32 ? ((int32_t *)k->data)[i] : ((int8_t *)k->data)[i];
		q->at[i] = v->span;
	}
	return 1;
}

/* what: "scale" or "zp". */
static int get_qlist(Lower *lw, const Value *v, const char *what, QList *q)
{
	int is_zp = what[0] == 'z';
	memset(q, 0, sizeof *q);
	q->span = v->span;
	if (v->kind == V_STR)
		return qlist_from_npy(lw, v, is_zp, q);
	const Value *const *items = v->kind == V_LIST ? (const Value *const *)v->items : &v;
	int n = v->kind == V_LIST ? v->nitems : 1;
	if ((v->kind != V_NUM && v->kind != V_LIST) || n == 0) {
		ERR(v->span, "%s must be a number, a list of numbers or a .npy path, got %s", what,
		    n == 0 ? "an empty list" : describe(lw, v));
		return 0;
	}
	qlist_alloc(lw, q, n);
	q->per_tensor = v->kind == V_NUM;
	for (int i = 0; i < n; i++) {
		const Value *x = items[i];
		if (x->kind != V_NUM || (is_zp && (!x->is_int || !x->int_ok))) {
			ERR(x->span, "%s %s be %s, got %s", what, q->per_tensor ? "must" : "entries must",
			    is_zp ? (q->per_tensor ? "an integer" : "integers") : "numbers", describe(lw, x));
			return 0;
		}
		q->v[i] = x->num;
		q->at[i] = x->span;
		q->literal[i] = x->text;
	}
	return 1;
}

static int check_scales(Lower *lw, const QList *q)
{
	for (int i = 0; i < q->n; i++) {
		const char *what = q->n == 1 && !q->file ? "scale" : arena_printf(lw->g->arena, "scale[%d]", i);
		if (q->file)
			what = arena_printf(lw->g->arena, "%s in '%s'", what, q->file);
		if (!check_scale(lw, what, q->v[i], q->at[i], q->literal[i]))
			return 0;
	}
	return 1;
}

static int check_zps(Lower *lw, const QList *q, DType t)
{
	for (int i = 0; i < q->n; i++) {
		/* Past int32 every dtype's range is left anyway, and the double
		 * may have no int64 (9223372036854775807 rounds to 2^63): clamped
		 * before the conversion, the value is shown as written. */
		double z = fmax(fmin(q->v[i], 2147483648.0), -2147483649.0);
		if (z != q->v[i] && q->literal[i]) {
			int32_t lo, hi;
			ir_dtype_range(t, &lo, &hi);
			ERR(q->at[i], "zero point %s is outside %s's range %d..%d", q->literal[i], ir_dtype_name(t), (int)lo,
			    (int)hi);
			return 0;
		}
		if (!check_zp(lw, (int64_t)z, t, q->at[i]))
			return 0;
	}
	return 1;
}

/* ---- constants ---- */

/* The shape of a nested list: the first element at each depth gives the
 * extent; check_ragged then demands every sublist agree. */
static int list_shape(Lower *lw, const Value *v, Const *k)
{
	k->rank = 0;
	for (const Value *x = v; x->kind == V_LIST; x = x->items[0]) {
		if (x->nitems == 0) {
			ERR(x->span, "empty list: a constant needs at least one element");
			return 0;
		}
		if (k->rank == QCC_MAX_RANK) {
			ERR(x->span, "inline constant has more than %d dimensions", QCC_MAX_RANK);
			return 0;
		}
		k->dims[k->rank++] = x->nitems;
	}
	k->count = 1;
	for (int i = 0; i < k->rank; i++)
		k->count *= k->dims[i];
	return 1;
}

static int check_ragged(Lower *lw, const Value *v, const Const *k, int depth)
{
	if (depth == k->rank) {
		if (v->kind == V_NUM)
			return 1;
		ERR(v->span, "ragged list: got %s where the first entry at this depth is a number", describe(lw, v));
		return 0;
	}
	if (v->kind != V_LIST) {
		ERR(v->span, "ragged list: got %s where the first entry at this depth is a list of %lld", describe(lw, v),
		    (long long)k->dims[depth]);
		return 0;
	}
	if (v->nitems != k->dims[depth]) {
		ERR(v->span, "ragged list: this list has %d entr%s, but the first one at this depth has %lld", v->nitems,
		    v->nitems == 1 ? "y" : "ies", (long long)k->dims[depth]);
		return 0;
	}
	for (int i = 0; i < v->nitems; i++)
		if (!check_ragged(lw, v->items[i], k, depth + 1))
			return 0;
	return 1;
}

/* Element i of an inline constant of dtype k->dtype. */
static int store_element(Lower *lw, Const *k, int64_t i, const Value *x)
{
	if (k->dtype == DT_F32) {
		float f = (float)x->num;
		if (!isfinite(f)) {
			ERR(x->span, "%s does not fit float32", x->text);
			return 0;
		}
		((float *)k->data)[i] = f;
		return 1;
	}
	int64_t lo = k->dtype == DT_I8 ? -128 : INT32_MIN, hi = k->dtype == DT_I8 ? 127 : INT32_MAX;
	const char *what = k->dtype == DT_I8 ? "i8 value" : "i32 value";
	int64_t q;
	if (!get_int(lw, x, what, lo, hi, &q))
		return 0;
	if (k->dtype == DT_I8)
		((int8_t *)k->data)[i] = (int8_t)q;
	else
		((int32_t *)k->data)[i] = (int32_t)q;
	return 1;
}

static int store_list(Lower *lw, Const *k, const Value *v, int64_t *next)
{
	if (v->kind != V_LIST)
		return store_element(lw, k, (*next)++, v);
	for (int i = 0; i < v->nitems; i++)
		if (!store_list(lw, k, v->items[i], next))
			return 0;
	return 1;
}

/* [..] as a constant of dtype t, its shape given by the nesting. */
static Const *inline_const(Lower *lw, const Value *v, DType t)
{
	Const *k = arena_alloc(lw->g->arena, sizeof *k);
	int64_t next = 0;
	k->dtype = t;
	k->span = v->span;
	if (!list_shape(lw, v, k) || !check_ragged(lw, v, k, 0))
		return NULL;
	k->data = arena_alloc(lw->g->arena, (size_t)k->count * (size_t)ir_dtype_size(t));
	return store_list(lw, k, v, &next) ? k : NULL;
}

/* The DATA of i8(...) or i32(...): a .npy of that dtype or a list. */
static Const *typed_data(Lower *lw, const Value *v, DType t, const char *form)
{
	if (v->kind == V_LIST)
		return inline_const(lw, v, t);
	if (v->kind != V_STR) {
		ERR(v->span, "the data of %s(...) must be a .npy path or a list, got %s", form, describe(lw, v));
		return NULL;
	}
	Const *k = npy_load(lw->g, v->text, v->span);
	if (k && k->dtype != t) {
		ERR(v->span, "the data of %s(...) must be %s ('%s'), but '%s' holds %s", form,
		    t == DT_I8 ? "int8" : "int32", t == DT_I8 ? "|i1" : "<i4", v->text, ir_dtype_name(k->dtype));
		return NULL;
	}
	return k;
}

/* The one positional argument of i8(...)/i32(...). */
static const Value *sole_positional(Lower *lw, const Call *c)
{
	const Value *data = NULL;
	for (int i = 0; i < c->nargs; i++) {
		if (c->args[i].name)
			continue;
		if (data) {
			ERR(c->args[i].val->span, "%s(...) takes one positional argument, its data", c->name);
			return NULL;
		}
		data = c->args[i].val;
	}
	if (!data)
		ERR(c->span, "%s(...) needs its data: a .npy path or a list", c->name);
	return data;
}

/* Scale and zp lists must agree with each other, then with the data:
 * one entry (per tensor) or one per index of `axis`. */
static int qlists_agree(Lower *lw, QList *s, QList *z, const Const *k, int axis)
{
	if (s->n != z->n && !s->per_tensor && !z->per_tensor) {
		ERR(z->span, "zp list has %d entries, but the scale list has %d", z->n, s->n);
		NOTE(s->span, "scale list given here");
		return 0;
	}
	int n = s->n > z->n ? s->n : z->n;
	if (n > 1 && n != k->dims[axis]) {
		QList *q = s->n == n ? s : z;
		ERR(q->span, "per-channel %s list has %d entries, but axis %d of the data has %lld", q == s ? "scale" : "zp",
		    n, axis, (long long)k->dims[axis]);
		return 0;
	}
	return 1;
}

/* Fills k->nch/scale/zp, broadcasting a per-tensor number. */
static void set_qparams(Lower *lw, Const *k, const QList *s, const QList *z, int axis)
{
	int n = s->n > z->n ? s->n : z->n;
	k->nch = n;
	k->axis = axis;
	k->scale = arena_alloc(lw->g->arena, (size_t)n * sizeof *k->scale);
	k->zp = arena_alloc(lw->g->arena, (size_t)n * sizeof *k->zp);
	for (int i = 0; i < n; i++) {
		k->scale[i] = s->v[s->n == 1 ? 0 : i];
		k->zp[i] = (int32_t)z->v[z->n == 1 ? 0 : i];
	}
}

static const char *const i8_args[] = {"scale", "zp", "axis", NULL};

/* i8(DATA, scale=, zp=0, axis=0): an already quantized constant. */
static Const *i8_const(Lower *lw, const Call *c)
{
	double zero = 0;
	QList s, z = {1, &zero, NULL, NULL, 1, {0, 0}, NULL};
	int64_t axis = 0;
	const Value *data = sole_positional(lw, c);
	if (!check_arg_names(lw, c, i8_args, "i8(...)") || !data)
		return NULL;
	const Value *sv = required(lw, c, "scale", "i8(...)");
	const Arg *zv = named(c, "zp"), *av = named(c, "axis");
	Const *k = typed_data(lw, data, DT_I8, "i8");
	if (!k || !sv || !get_qlist(lw, sv, "scale", &s) || !check_scales(lw, &s))
		return NULL;
	if (zv && (!get_qlist(lw, zv->val, "zp", &z) || !check_zps(lw, &z, DT_I8)))
		return NULL;
	if (av && !get_int(lw, av->val, "axis", 0, k->rank - 1, &axis))
		return NULL;
	if (!qlists_agree(lw, &s, &z, k, (int)axis))
		return NULL;
	set_qparams(lw, k, &s, &z, (int)axis);
	k->span = c->span;
	return k;
}

/* i32(DATA): a bias already in accumulator units. */
static Const *i32_const(Lower *lw, const Call *c)
{
	const Value *data = sole_positional(lw, c);
	if (!check_arg_names(lw, c, no_args, "i32(...)") || !data)
		return NULL;
	Const *k = typed_data(lw, data, DT_I32, "i32");
	if (k)
		k->span = c->span;
	return k;
}

/* A constant argument: "w.npy", [..], i8(...) or i32(...). */
static Const *get_const(Lower *lw, const Value *v, const char *what)
{
	switch (v->kind) {
	case V_STR:
		return npy_load(lw->g, v->text, v->span);
	case V_LIST:
		return inline_const(lw, v, DT_F32);
	case V_CALL:
		if (strcmp(v->call->name, "i8") == 0)
			return i8_const(lw, v->call);
		if (strcmp(v->call->name, "i32") == 0)
			return i32_const(lw, v->call);
		ERR(v->call->name_span, "unknown constant form '%s(...)'; constants are written \"file.npy\", [...], "
		    "i8(...) or i32(...)", v->call->name);
		return NULL;
	case V_IDENT:
		ERR(v->span, "%s must be a constant (\"file.npy\", [...], i8(...) or i32(...)), got the tensor name %s",
		    what, describe(lw, v));
		return NULL;
	case V_NUM:
		break;
	}
	ERR(v->span, "%s must be a constant (\"file.npy\", [...], i8(...) or i32(...)), got the number %s", what, v->text);
	return NULL;
}

/* A constant argument by name; NULL when absent (required ones are
 * reported) or bad. */
static Const *const_arg(Lower *lw, const Call *c, const char *name, int needed, Span *at)
{
	const Arg *a = named(c, name);
	if (!a) {
		if (needed)
			ERR(c->name_span, "%s needs %s=...", lw->what, name);
		return NULL;
	}
	*at = a->val->span;
	return get_const(lw, a->val, name);
}

/* ---- per-op attributes ---- */

static void lower_conv(Lower *lw, Node *n, const Call *c)
{
	ConvAttr *a = &n->u.conv;
	a->weight = const_arg(lw, c, "weight", 1, &a->weight_span);
	a->bias = const_arg(lw, c, "bias", 0, &a->bias_span);
	a->groups = 1;
	a->kh = a->kw = 1;
	get_pair(lw, c, "stride", 1, 1, a->stride);
	get_pair(lw, c, "dilation", 1, 1, a->dilation);
	get_pad(lw, c, a->pad);
	const Arg *g = named(c, "groups");
	if (g)
		get_small_int(lw, g->val, "groups", 1, &a->groups);
	if (n->op == OP_CONV2D && a->weight && a->weight->rank == 4) {
		a->kh = (int)a->weight->dims[2];
		a->kw = (int)a->weight->dims[3];
	}
}

static void lower_bn(Lower *lw, Node *n, const Call *c)
{
	BnAttr *b = &n->u.bn;
	Span unused;
	b->gamma = const_arg(lw, c, "gamma", 1, &unused);
	b->beta = const_arg(lw, c, "beta", 1, &unused);
	b->mean = const_arg(lw, c, "mean", 1, &unused);
	b->var = const_arg(lw, c, "var", 1, &unused);
	b->eps = 1e-5;
	const Arg *e = named(c, "eps");
	if (e && get_number(lw, e->val, "eps", &b->eps) && b->eps < 0)
		ERR(e->val->span, "eps must not be negative, got %s", e->val->text);
}

/* relu: [0, inf); relu6: [0, 6]; clamp(min=, max=), either may be left
 * out; hardtanh(min_val=-1, max_val=1) as PyTorch defaults it. */
static void lower_act(Lower *lw, Node *n, const Call *c)
{
	ActAttr *a = &n->u.act;
	int hard = strcmp(c->name, "hardtanh") == 0;
	const char *lo_name = hard ? "min_val" : "min", *hi_name = hard ? "max_val" : "max";
	const Arg *lo = named(c, lo_name), *hi = named(c, hi_name);
	a->min = n->op == OP_CLAMP && !hard ? -INFINITY : hard ? -1 : 0;
	a->max = n->op == OP_RELU6 ? 6 : n->op == OP_CLAMP && hard ? 1 : INFINITY;
	if (n->op != OP_CLAMP)
		return;
	if (!hard && !lo && !hi)
		ERR(c->name_span, "%s needs min=, max= or both", lw->what);
	if ((lo && !get_number(lw, lo->val, lo_name, &a->min)) || (hi && !get_number(lw, hi->val, hi_name, &a->max)))
		return;
	if (a->min > a->max)
		ERR(hi ? hi->val->span : lo->val->span, "%s %g is greater than %s %g", lo_name, a->min, hi_name, a->max);
}

static void lower_pool(Lower *lw, Node *n, const Call *c)
{
	PoolAttr *p = &n->u.pool;
	p->stride[0] = p->stride[1] = 1;
	p->dilation[0] = p->dilation[1] = 1;
	p->count_include_pad = 1;
	if (n->op == OP_GLOBAL_AVGPOOL)
		return;   /* the window is the input's H x W, known after pass_infer */
	int k[2] = {1, 1};
	if (required(lw, c, "kernel", NULL))
		get_pair(lw, c, "kernel", 1, 1, k);
	p->kh = k[0];
	p->kw = k[1];
	get_pair(lw, c, "stride", 1, 1, p->stride);
	if (!named(c, "stride")) {
		p->stride[0] = p->kh;   /* PyTorch: stride defaults to the kernel */
		p->stride[1] = p->kw;
	}
	get_pair(lw, c, "dilation", 1, 1, p->dilation);
	get_pad(lw, c, p->pad);
	const Arg *cip = named(c, "count_include_pad");
	if (cip)
		get_bool(lw, cip->val, "count_include_pad", &p->count_include_pad);
}

/* reshape(x, shape=[...]): rank 1..4, each entry positive or one -1. */
static void lower_reshape(Lower *lw, Node *n, const Call *c)
{
	ReshapeAttr *r = &n->u.reshape;
	const Value *v = required(lw, c, "shape", NULL);
	if (!v)
		return;
	if (v->kind != V_LIST || v->nitems < 1 || v->nitems > QCC_MAX_RANK) {
		ERR(v->span, "shape must be a list of 1 to %d integers, got %s", QCC_MAX_RANK, describe(lw, v));
		return;
	}
	int minus = -1;
	for (int i = 0; i < v->nitems; i++) {
		const Value *x = v->items[i];
		if (!get_int(lw, x, "a reshape dimension", -1, INT32_MAX, &r->shape[i]))
			return;
		if (r->shape[i] == 0) {
			ERR(x->span, "a reshape dimension must be positive or -1, got 0");
			return;
		}
		if (r->shape[i] == -1 && minus >= 0) {
			ERR(x->span, "only one reshape dimension may be -1");
			NOTE(v->items[minus]->span, "the first -1 is here");
			return;
		}
		if (r->shape[i] == -1)
			minus = i;
	}
	r->rank = v->nitems;
}

static void lower_concat(Lower *lw, Node *n, const Call *c)
{
	const Arg *a = named(c, "axis");
	int64_t axis = 1;
	if (a)
		get_int(lw, a->val, "axis", -QCC_MAX_RANK, QCC_MAX_RANK - 1, &axis);
	n->u.concat.axis = (int)axis;
}

static void lower_attrs(Lower *lw, Node *n, const Call *c)
{
	switch (n->op) {
	case OP_CONV2D: case OP_LINEAR: lower_conv(lw, n, c); break;
	case OP_BATCHNORM: lower_bn(lw, n, c); break;
	case OP_RELU: case OP_RELU6: case OP_CLAMP: lower_act(lw, n, c); break;
	case OP_MAXPOOL2D: case OP_AVGPOOL2D: case OP_GLOBAL_AVGPOOL: lower_pool(lw, n, c); break;
	case OP_RESHAPE: lower_reshape(lw, n, c); break;
	case OP_CONCAT: lower_concat(lw, n, c); break;
	default: break;   /* no attributes, or only ones the passes compute */
	}
}

/* ---- qparams of a tensor ---- */

static DType dtype_named(const char *s)
{
	static const struct { const char *name; DType t; } names[] = {
		{"f32", DT_F32}, {"u8", DT_U8}, {"i8", DT_I8}, {"i32", DT_I32},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i].name, s) == 0)
			return names[i].t;
	return DT_NONE;
}

static const char *const q_args[] = {"scale", "zp", "range", NULL};

/* Per-channel forms are refused here: activations are per tensor. */
static int per_tensor_only(Lower *lw, const Call *q)
{
	for (int i = 0; i < q->nargs; i++) {
		const Arg *a = &q->args[i];
		int list = a->val->kind == V_LIST || a->val->kind == V_STR;
		if (a->name && (strcmp(a->name, "axis") == 0 || (list && strcmp(a->name, "range") != 0))) {
			ERR(a->val->span, "%sper-channel qparams are supported on constants only; tensors are quantized per "
			    "tensor, with one scale and zp", a->val->kind == V_STR ? "a number is written without quotes, and " : "");
			return 0;
		}
	}
	return 1;
}

/* Positional arguments: only the flag `symmetric`; *at is where. */
static int get_symmetric(Lower *lw, const Call *q, int *sym, Span *at)
{
	*sym = 0;
	for (int i = 0; i < q->nargs; i++) {
		const Arg *a = &q->args[i];
		if (a->name)
			continue;
		if (a->val->kind != V_IDENT || strcmp(a->val->text, "symmetric") != 0) {
			ERR(a->val->span, "unexpected %s in qparams; they are scale=, zp=, range=[min, max] and symmetric",
			    describe(lw, a->val));
			return 0;
		}
		*sym = 1;
		*at = a->val->span;
	}
	return 1;
}

/* range=[min, max] [symmetric]: scale and zp as PyTorch's MinMaxObserver. */
static int q_from_range(Lower *lw, const Value *v, int sym, DType t, double *scale, int32_t *zp)
{
	double lo, hi;
	if (v->kind != V_LIST || v->nitems != 2) {
		ERR(v->span, "range must be [min, max], got %s", describe(lw, v));
		return 0;
	}
	if (!get_number(lw, v->items[0], "range min", &lo) || !get_number(lw, v->items[1], "range max", &hi))
		return 0;
	if (lo > hi) {
		ERR(v->span, "range min %s is greater than max %s", v->items[0]->text, v->items[1]->text);
		return 0;
	}
	if (quant_range_qparams(lo, hi, sym, t, scale, zp) != 0) {
		ERR(v->span, "cannot derive %s qparams from range [%s, %s]", ir_dtype_name(t), v->items[0]->text,
		    v->items[1]->text);
		return 0;
	}
	return 1;
}

/* scale=, zp=0 */
static int q_from_scale(Lower *lw, const Call *q, DType t, double *scale, int32_t *zp)
{
	const Value *s = required(lw, q, "scale", arena_printf(lw->g->arena, "%s(...)", q->name));
	const Arg *z = named(q, "zp");
	int64_t zv = 0;
	if (!s)
		return 0;
	if (s->kind != V_NUM) {
		ERR(s->span, "scale must be a number, got %s", describe(lw, s));
		return 0;
	}
	*scale = s->num;
	if (!check_scale(lw, "scale", *scale, s->span, s->text))
		return 0;
	if (z && (!get_int(lw, z->val, "zp", INT64_MIN, INT64_MAX, &zv) || !check_zp(lw, zv, t, z->val->span)))
		return 0;
	*zp = (int32_t)zv;
	return 1;
}

/* The (...) of a u8/i8 tensor: scale=/zp= or range=[..] [symmetric]. */
static void lower_q(Lower *lw, Node *n, const Call *q, DType t)
{
	const Arg *range = named(q, "range");
	int sym;
	Span sym_at;
	if (!per_tensor_only(lw, q) || !check_arg_names(lw, q, q_args, arena_printf(lw->g->arena, "%s qparams", q->name)) ||
	    !get_symmetric(lw, q, &sym, &sym_at))
		return;
	if (range && (named(q, "scale") || named(q, "zp"))) {
		ERR(range->name_span, "give either scale=/zp= or range=, not both");
		return;
	}
	if (sym && !range) {
		ERR(sym_at, "'symmetric' applies only to range=[min, max]");
		return;
	}
	int ok = range ? q_from_range(lw, range->val, sym, t, &n->scale, &n->zp)
	               : q_from_scale(lw, q, t, &n->scale, &n->zp);
	if (!ok)
		return;
	n->dtype = t;
	n->has_q = 1;
	n->q_span = q->span;
	ir_dtype_range(t, &n->lo, &n->hi);
}

/* ': DTYPE[(QPARAMS)]' of an op, or the dtype and (QPARAMS) of an input. */
static void lower_dtype(Lower *lw, Node *n, const Name *dt, const Call *q)
{
	DType t = dtype_named(dt->name);
	int has_args = q && q->nargs > 0;
	const char *what = n->op == OP_INPUT ? "an input" : "an output";
	if (t == DT_NONE || t == DT_I32) {
		ERR(dt->span, "the dtype of %s must be f32, u8 or i8, not '%s'%s", what, dt->name,
		    t == DT_I32 ? " (i32 is for constants)" : "");
		return;
	}
	if (t == DT_F32) {
		if (has_args)
			ERR(q->span, "%s is f32, which takes no qparams%s", lw->what,
			    n->op == OP_INPUT ? "; quantize it with quantize()" : "");
		else if (n->op != OP_INPUT && n->op != OP_DEQUANTIZE)
			ERR(dt->span, "%s produces a quantized tensor, not f32; write ': u8(scale=..., zp=...)' or use "
			    "dequantize", op_info[n->op].name);
		n->dtype = DT_F32;
		return;
	}
	if (!has_args) {
		if (n->op == OP_INPUT)
			ERR(dt->span, "%s input '%s' needs qparams: write %s[...](scale=..., zp=...)", dt->name, n->name,
			    dt->name);
		else
			ERR(dt->span, "%s output of %s needs qparams: write %s(scale=..., zp=...) or %s(range=[min, max])",
			    dt->name, lw->what, dt->name, dt->name);
		return;
	}
	lower_q(lw, n, q, t);
}

/* ---- names ---- */

/* FNV-1a */
static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The hash slot holding name, or the free slot where it would go. */
static int *slot(Lower *lw, const char *name)
{
	uint32_t mask = (uint32_t)lw->nslots - 1;
	for (uint32_t i = hash(name) & mask;; i = (i + 1) & mask) {
		int *sl = &lw->slots[i];
		if (!*sl || strcmp(lw->defs[*sl - 1].name, name) == 0)
			return sl;
	}
}

static Def *find_def(Lower *lw, const char *name)
{
	int *sl = lw->nslots ? slot(lw, name) : NULL;
	return sl && *sl ? &lw->defs[*sl - 1] : NULL;
}

/* Names are never redefined (define() refuses), so each is added once. */
static Def *add_def(Lower *lw, const char *name, Span at, int failed)
{
	if (2 * (lw->ndefs + 1) > lw->nslots) {
		lw->nslots = lw->nslots ? 2 * lw->nslots : 64;
		lw->slots = arena_alloc(lw->g->arena, (size_t)lw->nslots * sizeof *lw->slots);
		for (int i = 0; i < lw->ndefs; i++)
			*slot(lw, lw->defs[i].name) = i + 1;
	}
	lw->defs = grow(lw->g->arena, lw->defs, lw->ndefs, sizeof *lw->defs);
	lw->defs[lw->ndefs] = (Def){name, at, failed, NULL};
	*slot(lw, name) = ++lw->ndefs;
	return &lw->defs[lw->ndefs - 1];
}

/* A statement would define node number QCC_MAX_NODES + 1: said once,
 * and the parse stops. */
static int too_many_nodes(Lower *lw, const Name *nm)
{
	if (lw->g->nnodes < QCC_MAX_NODES)
		return 0;
	ERR(nm->span, "'%s' would be tensor number %d; qcc's limit is %d per file", nm->name, lw->g->nnodes + 1,
	    QCC_MAX_NODES);
	lw->stop = 1;
	return 1;
}

/* A new name; a second definition is an error pointing at the first. */
static int define(Lower *lw, const Name *nm)
{
	Def *d = find_def(lw, nm->name);
	if (!d)
		return 1;
	ERR(nm->span, "tensor '%s' is already defined", nm->name);
	NOTE(d->span, "'%s' was first defined here", nm->name);
	return 0;
}

/* The node a name refers to; NULL (quietly, when its own statement
 * already failed) if there is none. */
static Node *resolve(Lower *lw, const char *name, Span at)
{
	Def *d = find_def(lw, name);
	if (d && d->failed)
		return NULL;
	if (d && d->node)
		return d->node;
	const char **names = arena_alloc(lw->g->arena, (size_t)(lw->ndefs + 1) * sizeof *names);
	for (int i = 0; i < lw->ndefs; i++)
		names[i] = lw->defs[i].failed ? NULL : lw->defs[i].name;
	ERR(at, "undefined tensor '%s'%s", name, suggest(lw, name, names, lw->ndefs));
	return NULL;
}

/* ---- statements ---- */

/* The op's tensor inputs: its positional arguments, all names.
 * adaptive_avgpool2d's second positional is its output size, which must
 * be 1. */
static int count_inputs(Lower *lw, const Spelling *sp, const Call *c)
{
	int nin = 0, nextra = is_adaptive(sp);
	for (int i = 0; i < c->nargs; i++) {
		const Arg *a = &c->args[i];
		if (a->name)
			continue;
		if (nin == 1 && nextra-- > 0) {
			const Value *v = a->val;
			if (v->kind != V_NUM || !v->is_int || v->ival != 1)
				ERR(v->span, "adaptive_avgpool2d supports output size 1 only (global pooling), got %s",
				    describe(lw, v));
			continue;
		}
		if (a->val->kind != V_IDENT) {
			if (sp->args[0])
				ERR(a->val->span, "positional arguments of %s are tensor names; write this one as NAME=VALUE "
				    "(%s takes %s)", c->name, c->name, join(lw, sp->args));
			else
				ERR(a->val->span, "%s takes only tensor names as arguments, got %s", c->name, describe(lw, a->val));
			return -1;
		}
		nin++;
	}
	if (nextra > 0)
		ERR(c->span, "adaptive_avgpool2d needs its output size: adaptive_avgpool2d(x, 1)");
	return nextra > 0 ? -1 : nin;
}

static int check_arity(Lower *lw, const Spelling *sp, const Call *c, int nin)
{
	const OpInfo *oi = &op_info[sp->op];
	if (nin >= oi->min_in && nin <= oi->max_in)
		return 1;
	if (oi->min_in == oi->max_in)
		ERR(c->name_span, "%s takes %d input tensor%s, but %d %s given", c->name, oi->min_in,
		    oi->min_in == 1 ? "" : "s", nin, nin == 1 ? "is" : "are");
	else
		ERR(c->name_span, "%s takes %d to %d input tensors, but %d %s given", c->name, oi->min_in, oi->max_in, nin,
		    nin == 1 ? "is" : "are");
	return 0;
}

/* Resolves the positional names into n->in; 0 if any is undefined. */
static int resolve_inputs(Lower *lw, Node **in, Span *spans, const Call *c)
{
	int k = 0, ok = 1;
	for (int i = 0; i < c->nargs; i++) {
		const Arg *a = &c->args[i];
		if (a->name || a->val->kind != V_IDENT)
			continue;
		spans[k] = a->val->span;
		in[k] = resolve(lw, a->val->text, a->val->span);
		ok &= in[k++] != NULL;
	}
	return ok;
}

/* NAME = OP(ARGS) [: DTYPE(QPARAMS)] */
static void lower_def(Lower *lw, const Stmt *s)
{
	const Call *c = s->op;
	const Spelling *sp = find_spelling(lw, c);
	lw->what = arena_printf(lw->g->arena, "%s '%s'", c->name, s->name.name);
	int fresh = define(lw, &s->name);
	int nin = sp ? count_inputs(lw, sp, c) : -1;
	Node **in = arena_alloc(lw->g->arena, (size_t)(c->nargs + 1) * sizeof *in);
	Span *spans = arena_alloc(lw->g->arena, (size_t)(c->nargs + 1) * sizeof *spans);
	int ok = sp && nin >= 0 && check_arity(lw, sp, c, nin) && resolve_inputs(lw, in, spans, c);
	if (fresh && ok && too_many_nodes(lw, &s->name))
		return;
	Def *d = fresh ? add_def(lw, s->name.name, s->name.span, !ok) : NULL;
	if (!fresh || !ok)
		return;
	Node *n = d->node = ir_add_node(lw->g, sp->op, s->name.name, s->span);
	n->op_span = c->name_span;
	n->in = in;
	n->in_span = spans;
	n->nin = nin;
	if (check_arg_names(lw, c, sp->args, lw->what))
		lower_attrs(lw, n, c);
	if (s->dtype.name)
		lower_dtype(lw, n, &s->dtype, s->q);
}

/* The dims of an input: 1 to 4 positive integers, product within int64. */
static int lower_dims(Lower *lw, Node *n, const Value *v)
{
	if (v->nitems < 1 || v->nitems > QCC_MAX_RANK) {
		ERR(v->span, "an input has 1 to %d dimensions, got %d", QCC_MAX_RANK, v->nitems);
		return 0;
	}
	int64_t total = 1;
	for (int i = 0; i < v->nitems; i++) {
		if (!get_int(lw, v->items[i], "a dimension", 1, QCC_MAX_DIM, &n->dims[i]))
			return 0;
		if (total > INT64_MAX / 4 / n->dims[i]) {
			ERR(v->span, "input '%s' has more elements than fit in memory", n->name);
			return 0;
		}
		total *= n->dims[i];
	}
	n->rank = v->nitems;
	return 1;
}

/* input NAME : DTYPE[dims] [(QPARAMS)] */
static void lower_input(Lower *lw, const Stmt *s)
{
	if (!define(lw, &s->name) || too_many_nodes(lw, &s->name))
		return;
	Def *d = add_def(lw, s->name.name, s->name.span, 0);
	lw->what = arena_printf(lw->g->arena, "input '%s'", s->name.name);
	Node *n = d->node = ir_add_node(lw->g, OP_INPUT, s->name.name, s->span);
	n->op_span = s->name.span;
	lw->g->inputs = grow(lw->g->arena, lw->g->inputs, lw->g->ninputs, sizeof *lw->g->inputs);
	lw->g->inputs[lw->g->ninputs++] = n;
	lower_dims(lw, n, s->dims);
	lower_dtype(lw, n, &s->dtype, s->q);
}

/* output NAME {, NAME} */
static void lower_output(Lower *lw, const Stmt *s)
{
	Graph *g = lw->g;
	for (int i = 0; i < s->nnames; i++) {
		const Name *nm = &s->names[i];
		Node *n = resolve(lw, nm->name, nm->span);
		if (!n)
			continue;
		if (n->is_output) {
			int j = 0;
			while (g->outputs[j] != n)
				j++;
			ERR(nm->span, "'%s' is already an output", nm->name);
			NOTE(g->output_spans[j], "first named here");
			continue;
		}
		g->outputs = grow(g->arena, g->outputs, g->noutputs, sizeof *g->outputs);
		g->output_spans = grow(g->arena, g->output_spans, g->noutputs, sizeof *g->output_spans);
		g->outputs[g->noutputs] = n;
		g->output_spans[g->noutputs++] = nm->span;
		n->is_output = 1;
	}
}

/* model NAME: once, first.  The name prefixes the generated C symbols. */
static void lower_model(Lower *lw, const Stmt *s)
{
	Graph *g = lw->g;
	if (g->model) {
		ERR(s->name.span, "the model is already named '%s'", g->model);
		NOTE(g->model_span, "named here");
		return;
	}
	if (strchr(s->name.name, '.'))
		ERR(s->name.span, "model name '%s' must be a C identifier (no '.')", s->name.name);
	g->model = s->name.name;
	g->model_span = s->name.span;
}

/* The first statement must be 'model'.  Said once, and not at all when
 * an earlier statement failed to parse: it may have been the model line. */
static void check_model_first(Lower *lw, const Stmt *s)
{
	if (lw->g->model || lw->model_reported || (s && s->kind == S_MODEL))
		return;
	lw->model_reported = 1;
	if (lw->nstmts == 0 && !s)
		ERR(((Span){0, 0}), "no statements: a .q file starts with 'model NAME'");
	else if (lw->nstmts == 0)
		ERR(((Span){0, 0}), "expected 'model NAME' first");
}

Lower *lower_new(Graph *g)
{
	Lower *lw = arena_alloc(g->arena, sizeof *lw);
	lw->g = g;
	return lw;
}

int lower_stmt(Lower *lw, Stmt *s)
{
	check_model_first(lw, s);
	lw->nstmts++;
	switch (s->kind) {
	case S_MODEL: lower_model(lw, s); break;
	case S_INPUT: lower_input(lw, s); break;
	case S_OUTPUT: lower_output(lw, s); break;
	case S_DEF: lower_def(lw, s); break;
	}
	return lw->stop;
}

void lower_failed(Lower *lw, const char *name, Span at)
{
	lw->nstmts++;
	if (name && !find_def(lw, name))
		add_def(lw, name, at, 1);
}

int lower_finish(Lower *lw)
{
	check_model_first(lw, NULL);
	return lw->g->diag->nerrors;
}
