/* qcc: the one internal header.  Every file's exports are listed under a
 * heading naming the file.  Data flows frontend -> ir -> passes -> codegen. */
#ifndef QCC_IR_H
#define QCC_IR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define QCC_VERSION "0.1.0"
/* Limits: every one is checked where the input first shows it and
 * reported as an error at that place (README.md, "Limits"). */
#define QCC_MAX_RANK 4                   /* tensors and constants have rank 1..4 */
#define QCC_MAX_DIM 2147483647           /* one dimension: 2^31 - 1 */
#define QCC_MAX_ELEMENTS 2147483647      /* elements of one tensor (kernels index with int) */
#define QCC_MAX_NODES 65536              /* tensors defined by a .q file, inputs included */
#define QCC_MAX_SOURCE_BYTES (256L << 20) /* size of a .q file: 256 MiB */
#define QCC_MAX_NAME 255                 /* bytes in a name (an identifier) */
#define QCC_MAX_NUMBER 255               /* bytes in a number as written */
#define QCC_MAX_STRING 4095              /* bytes in a string (a path: PATH_MAX - 1) */
#define QCC_MAX_ATTR (1 << 20)           /* stride, pad, dilation, kernel, groups: nothing real is near it */
#define QCC_MAX_DEPTH 64                 /* ( and [ nested in one statement */
#define QCC_INPLACE_SCAN_MAX (1L << 18)   /* output pixels past which a pool or depthwise layer is not
                                            checked for running in place (it gets its own buffer) */
#define QCC_MAX_ITEMS (1L << 20)         /* arguments and list entries in a file, in all */
#define QCC_MAX_ERRORS 20                /* errors reported before giving up */
#define QCC_MAX_ECHO 160                 /* columns of a long source line echoed under an error */

/* Exit codes of the qcc command. */
enum { EXIT_OK = 0, EXIT_USER = 1, EXIT_USAGE = 2, EXIT_IO = 3, EXIT_INTERNAL = 70 };

typedef enum { DT_NONE, DT_F32, DT_U8, DT_I8, DT_I32 } DType;

typedef enum {
#define OP(e, name, min_in, max_in, flags, member) OP_##e,
#include "ops.def"
#undef OP
	OP_COUNT
} Op;

enum { OPF_ACT = 1, OPF_QSAME = 2, OPF_WEIGHT = 4, OPF_INPLACE = 8 };

typedef struct {
	const char *name;   /* as written in .q and printed in dumps */
	int min_in, max_in; /* number of tensor inputs */
	int flags;          /* OPF_* */
} OpInfo;

/* A byte range [begin, end) of the source text.  Line and column are
 * computed only when a diagnostic is printed. */
typedef struct { uint32_t begin, end; } Span;

typedef struct Source {
	const char *path;   /* as given on the command line */
	const char *dir;    /* directory of path; .npy paths are relative to it */
	char *text;         /* whole file, NUL-terminated */
	size_t len;         /* bytes, excluding the terminator */
} Source;

/* A file's contents held in memory, standing in for the file system. */
typedef struct MemFile {
	const char *path;        /* as a .npy reference resolves it */
	const unsigned char *bytes;
	size_t size;
} MemFile;

/* ---------- arena.c ---------- */
typedef struct Arena Arena;
Arena *arena_new(void);
void *arena_alloc(Arena *a, size_t bytes);          /* zeroed, 16-byte aligned; never NULL */
void *arena_dup(Arena *a, const void *p, size_t bytes);
char *arena_strdup(Arena *a, const char *s);
char *arena_printf(Arena *a, const char *fmt, ...);
void arena_free(Arena *a);

/* ---------- diag.c ---------- */
typedef struct Diag {
	const Source *src;
	FILE *out;          /* stderr normally */
	int nerrors;        /* errors reported so far; past QCC_MAX_ERRORS they are
	                       counted but no longer printed */
	int nwarnings;
	int werror;         /* -Werror: warnings are reported and counted as errors */
} Diag;
/* "file:line:col: error: msg", the source line and a caret under span. */
void diag_error(Diag *d, Span at, const char *fmt, ...);
void diag_warning(Diag *d, Span at, const char *fmt, ...);
void diag_note(Diag *d, Span at, const char *fmt, ...);
/* An error with no source position: "qcc: error: msg". */
void diag_plain(Diag *d, const char *fmt, ...);
int diag_line(const Source *src, uint32_t offset);  /* 1-based */
int diag_col(const Source *src, uint32_t offset);   /* 1-based, in bytes */
/* An internal invariant failed: says it is a qcc bug, exits EXIT_INTERNAL. */
#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 1, 2)))
#endif
void die(const char *fmt, ...);

/* ---------- ir.c: the graph ---------- */

/* A constant tensor: weights, biases, batchnorm statistics. */
typedef struct Const {
	DType dtype;             /* F32, I8 or I32, as stored in data */
	int rank;
	int64_t dims[QCC_MAX_RANK];
	int64_t count;           /* number of elements */
	void *data;              /* count elements of dtype, row-major */
	/* Quantization of an I8 constant; nch == 0 means none.  Weights are
	 * quantized per output channel: nch == dims[axis]. */
	int nch;
	int axis;
	double *scale;           /* nch entries, finite, > 0 */
	int32_t *zp;             /* nch entries, in -128..127 */
	Span span;               /* where the constant was written */
	const char *path;        /* the .npy it came from, NULL if inline */
} Const;

/* A real multiplier M encoded as rshr((int64)x * mult, shift); see
 * docs/arithmetic.md.  One entry per output channel, or one in all. */
typedef struct Requant {
	int n;                   /* number of entries */
	double *real;            /* M, for the dump */
	int32_t *mult;           /* signed Q31 mantissa: 2^30 <= |mult| < 2^31, or 0 */
	int8_t *shift;           /* right shift, 1..62 */
	float *scale;            /* pytorch contract, conv/linear only: the float32 requantization
	                            scale (s_w *f s_in) *f (1.0f /f s_out); NULL otherwise */
} Requant;

/* conv2d and linear (linear: kh = kw = 1, stride 1, no pad, groups 1). */
typedef struct ConvAttr {
	int kh, kw;
	int stride[2];           /* h, w; >= 1 */
	int dilation[2];         /* h, w; >= 1 */
	int pad[4];              /* top, left, bottom, right; >= 0 */
	int groups;              /* divides IC and OC; IC == groups: depthwise */
	Const *weight;           /* [OC, IC/groups, KH, KW] (linear: [OC, K]); F32 until
	                            pass_quantize_weights, then I8 with per-OC scale/zp */
	Const *bias;             /* [OC]: F32 real bias, I32 in accumulator units, or NULL */
	Span weight_span, bias_span;
	/* set by passes */
	double *wscale;          /* [OC] effective weight scale: weight->scale times the folded
	                            batchnorm factor; negative when gamma < 0 (quantize_weights) */
	int32_t *bias_q;         /* [OC] folded bias B[c] (pass_fold_bias) */
	Requant rq;              /* [OC] M = s_in * wscale[c] / s_out (pass_requant) */
} ConvAttr;

typedef struct BnAttr {
	Const *gamma, *beta, *mean, *var;   /* [C] each, F32 */
	double eps;
} BnAttr;

typedef struct ActAttr {
	double min, max;         /* clamp: the real bounds as written; relu6: 0, 6; relu: 0, +inf */
} ActAttr;

typedef struct AddAttr {
	double real_a, real_b;   /* M_a = s_a / s_y, M_b = s_b / s_y */
	int32_t mult_a, mult_b;  /* mantissas sharing one shift: Q31 (integer contract) or
	                            QNNPACK's 22-bit ones (pytorch contract, u8 adds) */
	int shift;               /* 1..62 */
	int away;                /* 1: ties away from zero (pytorch contract), 0: ties up */
} AddAttr;

/* The arithmetic contract the generated code follows (docs/arithmetic.md). */
typedef enum {
	CONTRACT_INTEGER,        /* default: Q31 multipliers, one integer rounding */
	CONTRACT_PYTORCH         /* --contract=pytorch: PyTorch QNNPACK's float32 requantization */
} Contract;

typedef struct ConcatAttr {
	int axis;                /* logical axis; only 1 (channels) is supported */
	Requant *rq;             /* [nin]; an entry with n == 0 means plain copy */
} ConcatAttr;

typedef struct PoolAttr {
	int kh, kw;              /* global_avgpool: the input's H and W */
	int stride[2], dilation[2], pad[4];   /* pad: top, left, bottom, right */
	int count_include_pad;   /* avgpool only */
	Requant rq;              /* avgpool/global_avgpool: entry [cnt] for window count cnt,
	                            n = kh*kw + 1 (entries with zero mult unused) */
} PoolAttr;

typedef struct ReshapeAttr {
	int rank;
	int64_t shape[QCC_MAX_RANK];   /* as written; one entry may be -1 */
} ReshapeAttr;

typedef struct RequantAttr {
	Requant rq;              /* one entry: requantize M = s_in/s_out; matmul M = s_a*s_b/s_out */
} RequantAttr;

typedef struct Node {
	Op op;
	int id;                  /* index in Graph.nodes */
	const char *name;        /* the tensor it defines */
	Span span;               /* the defining statement */
	Span op_span;            /* the op name within it */
	int line;                /* source line of the statement, 1-based */
	struct Node **in;        /* nin inputs */
	Span *in_span;           /* where each input was named */
	int nin;
	/* The output tensor.  dims are logical (NCHW for rank 4). */
	DType dtype;             /* DT_NONE until inferred when not written */
	int rank;
	int64_t dims[QCC_MAX_RANK];
	int has_q;               /* scale/zp are valid */
	double scale;            /* > 0 */
	int32_t zp;              /* within dtype's range */
	Span q_span;             /* where the qparams were written, {0,0} if not */
	int32_t lo, hi;          /* output clamp bounds, quantized domain (set with the qparams;
	                            narrowed by pass_fuse_act) */
	const char *fused;       /* what was fused into this node, as written in the source:
	                            "conv2d c1 + batchnorm b1 + relu r1"; NULL if nothing.
	                            The node then carries the name of the last op in the chain,
	                            the tensor the rest of the source reads. */
	int dead;                /* removed by a pass; skipped everywhere */
	int is_output;
	int64_t arena_off;       /* byte offset in the activation arena (pass_plan), -1: none */
	struct Node *inplace;    /* the input whose buffer the output takes over (pass_plan): the
	                            kernel then runs in place, so its pointers are not restrict;
	                            NULL: a buffer of its own */
	/* set by pass_select from the target */
	const char *kernel;      /* the kernel the target emits, e.g. "conv3x3_u8s8_4x64__avx512vnni" */
	const char *kernel_note; /* why, for the dump: "vpmaddubsw safe: |pair| <= 32640", or NULL */
	int64_t scratch_bytes;   /* arena scratch the kernel needs while it runs (padded input...) */
	int64_t scratch_off;     /* its offset (pass_plan), -1: none */
	union {
		ConvAttr conv;       /* CONV2D, LINEAR */
		BnAttr bn;           /* BATCHNORM */
		ActAttr act;         /* RELU, RELU6, CLAMP */
		AddAttr add;         /* ADD */
		ConcatAttr concat;   /* CONCAT */
		PoolAttr pool;       /* MAXPOOL2D, AVGPOOL2D, GLOBAL_AVGPOOL */
		ReshapeAttr reshape; /* RESHAPE */
		RequantAttr rq;      /* REQUANTIZE, MATMUL */
	} u;                     /* QUANTIZE, DEQUANTIZE, INPUT, FLATTEN: none */
} Node;

typedef struct Graph {
	Arena *arena;            /* owns everything reachable from the graph */
	Source *src;
	Diag *diag;
	const char *model;       /* model name; a C identifier */
	Span model_span;
	Node **nodes;            /* in definition order, which is topological */
	int nnodes, cap;
	Node **inputs;           /* in declaration order */
	int ninputs;
	Node **outputs;          /* in declaration order */
	Span *output_spans;
	int noutputs;
	uint32_t line_off;       /* ir_add_node's place in the source: the offset and */
	int line_at;             /* its line (0: not yet counted) */
	int opt;                 /* 0 (-O0: no activation fusion) or 2 */
	Contract contract;
	const struct Target *target; /* code generation target, for pass_select */
	int64_t arena_size;      /* bytes, set by pass_plan */
	const MemFile *files;    /* when set, .npy files are looked up among these nfiles and
	                            never read from disk (the fuzz targets); NULL normally */
	int nfiles;
	int64_t arena_bound;     /* bytes: the most that must be live at one node step, each buffer
	                            rounded up to 64 and in-place outputs sharing their input's
	                            (pass_plan); arena_size >= arena_bound */
} Graph;

extern const OpInfo op_info[OP_COUNT];
Graph *ir_new_graph(Arena *a, Source *src, Diag *d);
Node *ir_add_node(Graph *g, Op op, const char *name, Span span);
Node *ir_find(Graph *g, const char *name);        /* live node by name, or NULL */
int ir_nuses(Graph *g, const Node *n);            /* live consumers, outputs count as uses */
Node *ir_sole_user(Graph *g, const Node *n);      /* the one live consumer, or NULL */
void ir_replace_uses(Graph *g, Node *from, Node *to);
/* `into` absorbs `gone`: takes its name and its consumers, records the fusion. */
void ir_absorb(Graph *g, Node *into, Node *gone);
int64_t ir_numel(const Node *n);
int ir_same_q(const Node *a, const Node *b);      /* equal dtype, scale and zp */
/* Rank-4 tensors are stored NHWC, others row-major.  True when that memory
 * order equals the logical (NCHW) order, so a reshape is free. */
int ir_layout_is_logical(const Node *n);
/* A flatten/reshape that moves no bytes: it shares its input's buffer. */
int ir_is_alias(const Node *n);
/* May n's output take over input i's buffer, as far as the op and types
 * go?  True for ops marked OPF_INPLACE whose output has input i's byte size
 * and element size, and for pooling and depthwise with the portable kernel
 * where the raster order never overwrites an input pixel still to be read
 * (stride-2 windows, global pooling).  pass_plan adds the condition on
 * lifetimes: input i must have no reader after n. */
int ir_can_alias_input(Graph *g, const Node *n, int i);
/* The pooling/depthwise part of ir_can_alias_input.  Such an output is
 * smaller than its input: it takes the start of the input's buffer. */
int ir_windowed_inplace_ok(const Node *n, int i);
/* Does the node live in the activation arena?  f32 inputs are read from
 * the caller's buffer and dequantize writes to it. */
int ir_in_arena(const Node *n);
int ir_dtype_range(DType t, int32_t *lo, int32_t *hi);   /* 0 for non-integer types */
int ir_dtype_size(DType t);
const char *ir_dtype_name(DType t);
int ir_channels(const Node *n);                   /* dims[1] (rank >= 2) */
float ir_const_f32(const Const *c, int64_t i);    /* element i as float, any dtype */

/* ---------- print.c ---------- */
void ir_print(FILE *out, Graph *g);

/* ---------- stats.c: the footprint report (qcc --stats) ---------- */
/* Per layer: op, shapes, MACs, weight and folded-constant bytes, arena
 * offset and size, kernel; totals: MACs, flash, RAM, arena and its bound.
 * A table, or JSON when json is set.  Needs every pass to have run. */
void ir_stats(FILE *out, Graph *g, int json);
/* The estimates behind the totals, in bytes. */
int64_t ir_stats_code_bytes(Graph *g);
int64_t ir_stats_stack_bytes(Graph *g);

/* ---------- dot.c: the graph in Graphviz form (qcc --dot) ---------- */
/* One box per live node (op, name, shape, what was fused, kernel and
 * arena offset once known), one edge per input labelled with the tensor's
 * dtype and qparams.  `when` names the pass it follows, for the title. */
void ir_dot(FILE *out, Graph *g, const char *when);

/* ---------- verify.c ---------- */
/* Checks every invariant a pass may rely on; die()s naming the pass. */
void ir_verify(Graph *g, const char *after_pass);

/* ---------- npy.c ---------- */
/* Loads path (relative to the .q's directory); reports a diagnostic at
 * span and returns NULL on any problem. */
Const *npy_load(Graph *g, const char *path, Span span);
/* A list of scales ('<f4' or '<f8', rank 0 or 1) in double precision, as
 * written: float64 scales are not narrowed.  Sets *count; NULL after a
 * diagnostic.  The caller checks the values. */
double *npy_load_scales(Graph *g, const char *path, Span span, int64_t *count);

/* ---------- frontend (parser.y, lexer.l, lower.c) ---------- */
/* Parses src into g.  Returns 0 on success; errors go to g->diag. */
int frontend_parse(Graph *g);

/* ---------- compile.c: the pipeline as a library call ---------- */
typedef struct Pass {
	const char *name;        /* for --dump-after and verifier messages */
	void (*run)(Graph *);
} Pass;
extern const Pass qcc_pipeline[];   /* the passes, in the order they run */
extern const int qcc_npasses;
/* Called after each stage ("parse", then each pass) that left no errors;
 * a nonzero result stops the run and qcc_compile returns it. */
typedef int (*QccHook)(Graph *g, const char *stage, void *ctx);
/* Parses g->src into g, then runs qcc_pipeline for g->target at g->opt,
 * verifying the IR after each stage (QCC_VERIFY).  Returns 0 when every
 * pass ran, -1 after errors in the input (reported to g->diag), or the
 * hook's nonzero result.  Never exits; the caller frees g->arena. */
int qcc_compile(Graph *g, QccHook after, void *ctx);

/* ---------- quant.c: compile-time arithmetic shared by passes ---------- */
/* Encodes M (see docs/arithmetic.md).  Returns 0, or -1 when |M| >= 2^30. */
int quant_multiplier(double M, int32_t *mult, int8_t *shift);
int32_t quant_clamp_bound(double real, double scale, int32_t zp, DType t);  /* sat(zp + rne(real *f (1/s))) */
float quant_inv_scale(double scale);                 /* (float)(1.0f / (float)scale) */
int quant_range_qparams(double min, double max, int symmetric, DType t, double *scale, int32_t *zp);
int64_t quant_rne(double x);                         /* ties to even */
void requant_init(Arena *a, Requant *rq, int n);

/* ---------- passes/ (one entry point each, in driver order) ---------- */
void pass_infer(Graph *g);            /* shapes, dtypes, qparams checks */
void pass_fuse_bn(Graph *g);          /* conv/linear + batchnorm; lone batchnorm -> 1x1 dw conv */
void pass_quantize_weights(Graph *g); /* float weights -> int8 per channel; sets wscale */
void pass_fuse_act(Graph *g);         /* relu/relu6/clamp into their producer */
void pass_fold_qdq(Graph *g);         /* quantize(dequantize(x)) -> requantize or nothing */
void pass_fold_bias(Graph *g);        /* one int32 per output channel */
void pass_requant(Graph *g);          /* multipliers, shifts, clamp bounds */
void pass_dce(Graph *g);              /* unused nodes */
void pass_select(Graph *g);           /* the target's kernel per node, its scratch needs */
void pass_plan(Graph *g);             /* activation arena offsets */

/* ---------- codegen/ ---------- */
typedef struct CgOptions {
	const char *prefix;      /* C symbol prefix; the model name by default */
	const char *header_name; /* file name the .c includes */
	const char *source_name; /* the .q, for comments */
	const char *target;      /* target name */
	int static_arena;        /* the .c owns a static arena; _run takes none (not reentrant) */
	FILE *weights;           /* --weights=separate: weight bytes go to this file (NAME_weights.c),
	                            with external linkage; NULL: into the .c itself */
	int trace_layers;        /* --trace-layers: forward() reports each layer's output to PREFIX_trace */
} CgOptions;

typedef struct Target {
	const char *name;        /* --target= value */
	const char *cflags;      /* compiler flags the generated code needs */
	const char *guard;       /* preprocessor condition the generated code requires
	                            (e.g. "defined(__AVX2__)"), NULL for none */
	/* Chooses n's kernel: sets n->kernel, n->kernel_note, n->scratch_bytes.
	 * NULL: every node uses the portable kernel. */
	void (*select)(Graph *g, Node *n);
	void (*emit_prologue)(FILE *c, Graph *g, const CgOptions *o);
	void (*emit_node)(FILE *c, Graph *g, Node *n, const CgOptions *o);
	int pytorch_kernels;     /* its conv/linear/add kernels implement --contract=pytorch too */
	int quantize_x16;        /* its header has qrt_quantize_f32_x16 (the input quantize kernel) */
} Target;
/* target.c */
const Target *cg_find_target(const char *name);
void cg_list_targets(FILE *out);
/* emit.c: the parts every target shares */
int cg_emit(Graph *g, const Target *t, const CgOptions *o, FILE *c, FILE *h);
const char *cg_ctype(DType t);
const char *cg_f32(Graph *g, float v);                 /* a float literal that round-trips: "51.0f" */                        /* "uint8_t", "int8_t", "float", "int32_t" */
const char *cg_layer(Graph *g, const Node *n);        /* "layer3_c1": the node's C function */
void cg_layer_comment(FILE *c, Graph *g, const Node *n, const CgOptions *o);
/* n bytes of constant data named `name` (a const int8_t *), written as a
 * string literal ("\200\177..."), which compilers digest many times faster
 * than a list of integer initialisers.  With o->weights the bytes go there
 * and the .c gets an extern declaration. */
void cg_bytes(FILE *c, const CgOptions *o, const char *name, const void *data, size_t n);
/* The pragma that lets cg_bytes' long literals pass -pedantic. */
void cg_bytes_prologue(FILE *c);
void cg_int_array(FILE *c, const char *ctype, const char *name, const void *data, DType t, int64_t count,
                  int64_t per_line);
/* NHWC geometry of a tensor: rank 4 gives (N, C, H*W); other ranks are
 * row-major and give (1, 1, numel), for which NHWC and NCHW coincide. */
void cg_geom(const Node *n, int64_t *N, int64_t *C, int64_t *HW);
/* A conv or linear as an NHWC convolution, for the SIMD emitters. */
typedef struct CgGeom {
	int64_t N, IH, IW, IC, OH, OW, OC;
	int kh, kw, sh, sw, dh, dw;
	int pt, pl, pb, pr;       /* padding: top, left, bottom, right */
	int64_t IHp, IWp;         /* padded input */
} CgGeom;
CgGeom cg_conv_geom(const Node *n);
int cg_weight_zp_used(const Node *n);                 /* any non-zero weight zero point */
int cg_is_8bit(DType t);                              /* u8 or i8 */
int cg_is_depthwise(const Node *n);                   /* groups == IC == OC */
int cg_pool_windows_nonempty(const Node *n);          /* every max-pool window touches the input */
int cg_simd_conv_ok(const Node *n);                   /* a conv/linear the SIMD kernels take */
int64_t cg_round_up(int64_t v, int64_t m);
/* emit_c.c: the portable kernels, which other targets fall back to */
void cg_c_emit_node(FILE *c, Graph *g, Node *n, const CgOptions *o);
/* emit_avx2.c, emit_vnni.c, emit_neon.c: one per SIMD target */
void cg_avx2_select(Graph *g, Node *n);
void cg_avx2_emit_node(FILE *c, Graph *g, Node *n, const CgOptions *o);
void cg_vnni_select(Graph *g, Node *n);
void cg_vnni_emit_node(FILE *c, Graph *g, Node *n, const CgOptions *o);
void cg_neon_select(Graph *g, Node *n);
void cg_neon_emit_node(FILE *c, Graph *g, Node *n, const CgOptions *o);

#endif
