/* Shape and type inference, with the checks a user needs to hear about.
 *
 * Every node gets its output dtype and logical dims.  A node may leave its
 * qparams unwritten ("pending") only when it is never materialised: a
 * conv2d/linear feeding a batchnorm or an activation, a batchnorm feeding an
 * activation, an add feeding an activation.  The activation (or batchnorm)
 * then carries the qparams, and fusion gives them to the producer. */
#include <math.h>
#include <string.h>

#include "ir.h"

#define ERR(n, ...) diag_error(g->diag, (n)->op_span, __VA_ARGS__)

static const char *opname(const Node *n) { return op_info[n->op].name; }

static int is_quantized(const Node *n)
{
	return n->has_q && (n->dtype == DT_U8 || n->dtype == DT_I8);
}

/* May n's output stay without qparams?  Only when its sole consumer will
 * absorb it. */
static int may_pend(Graph *g, const Node *n)
{
	Node *u = ir_sole_user(g, n);
	if (!u)
		return 0;
	if (u->op == OP_BATCHNORM)
		return n->op == OP_CONV2D || n->op == OP_LINEAR;
	if (op_info[u->op].flags & OPF_ACT)
		return n->op == OP_CONV2D || n->op == OP_LINEAR || n->op == OP_BATCHNORM || n->op == OP_ADD;
	return 0;
}

static int check_input_quantized(Graph *g, Node *n, int i)
{
	Node *x = n->in[i];
	if (is_quantized(x))
		return 1;
	if (x->dtype == DT_F32)
		diag_error(g->diag, n->in_span[i], "%s '%s' needs a quantized (u8/i8) input, but '%s' is f32; insert quantize()",
		           opname(n), n->name, x->name);
	/* a pending input was already reported at its producer */
	return 0;
}

static int check_rank(Graph *g, Node *n, int i, int lo, int hi)
{
	Node *x = n->in[i];
	if (x->rank >= lo && x->rank <= hi)
		return 1;
	if (lo == hi)
		diag_error(g->diag, n->in_span[i], "%s '%s' needs a rank-%d input, but '%s' has rank %d%s", opname(n), n->name,
		           lo, x->name, x->rank, lo == 2 && x->rank == 4 ? "; insert flatten()" : "");
	else
		diag_error(g->diag, n->in_span[i], "%s '%s' needs an input of rank %d..%d, but '%s' has rank %d", opname(n),
		           n->name, lo, hi, x->name, x->rank);
	return 0;
}

static void copy_shape(Node *n, const Node *x)
{
	n->rank = x->rank;
	memcpy(n->dims, x->dims, sizeof n->dims);
}

static void copy_q(Node *n, const Node *x)
{
	n->dtype = x->dtype;
	n->has_q = x->has_q;
	n->scale = x->scale;
	n->zp = x->zp;
}

/* Output size of a sliding window along one axis; 0 when it does not fit. */
static int64_t window_out(int64_t in, int pad0, int pad1, int k, int dil, int stride)
{
	int64_t span = (int64_t)dil * (k - 1) + 1;
	int64_t room = in + pad0 + pad1 - span;
	return room < 0 ? 0 : room / stride + 1;
}

static int channel_count_ok(Graph *g, Node *n, const Const *c, Span at, const char *what, int64_t want)
{
	if (!c || c->count == want)
		return 1;
	diag_error(g->diag, at, "%s of %s '%s' has %lld entries, but '%s' has %lld channels", what, opname(n), n->name,
	           (long long)c->count, n->in[0]->name, (long long)want);
	return 0;
}

/* Per-channel weight scales must match the output channels. */
static int weight_q_ok(Graph *g, Node *n, int64_t oc)
{
	const Const *w = n->u.conv.weight;
	if (w->dtype == DT_F32)
		return 1;
	if (w->dtype != DT_I8 || w->nch == 0) {
		diag_error(g->diag, n->u.conv.weight_span,
		           "%s weight of %s '%s' is not float32 and has no scales; write weight=i8(\"...\", scale=..., axis=0)",
		           ir_dtype_name(w->dtype), opname(n), n->name);
		return 0;
	}
	if (w->axis != 0) {
		diag_error(g->diag, n->u.conv.weight_span, "weights must be quantized along axis 0 (output channels), not axis %d",
		           w->axis);
		return 0;
	}
	if (w->nch != 1 && w->nch != oc) {
		diag_error(g->diag, n->u.conv.weight_span,
		           "per-channel scale list has %d entries, but %s '%s' has %lld output channels", w->nch, opname(n),
		           n->name, (long long)oc);
		return 0;
	}
	return 1;
}

static int bias_ok(Graph *g, Node *n, int64_t oc)
{
	const Const *b = n->u.conv.bias;
	if (!b)
		return 1;
	if (b->dtype != DT_F32 && b->dtype != DT_I32) {
		diag_error(g->diag, n->u.conv.bias_span, "bias must be float32 (real) or i32(...) (accumulator units), not %s",
		           ir_dtype_name(b->dtype));
		return 0;
	}
	if (b->count != oc) {
		diag_error(g->diag, n->u.conv.bias_span, "bias has %lld entries, but %s '%s' has %lld output channels",
		           (long long)b->count, opname(n), n->name, (long long)oc);
		return 0;
	}
	return 1;
}

static void infer_conv(Graph *g, Node *n)
{
	ConvAttr *c = &n->u.conv;
	Node *x = n->in[0];
	const Const *w = c->weight;
	if (!check_input_quantized(g, n, 0) || !check_rank(g, n, 0, 4, 4))
		return;
	if (w->rank != 4) {
		diag_error(g->diag, c->weight_span, "conv2d weight must have rank 4 [OC, IC/groups, KH, KW], got rank %d", w->rank);
		return;
	}
	int64_t ic = x->dims[1], oc = w->dims[0];
	if (ic % c->groups || oc % c->groups) {
		ERR(n, "groups=%d must divide the input channels (%lld) and the output channels (%lld)", c->groups,
		    (long long)ic, (long long)oc);
		return;
	}
	if (w->dims[1] != ic / c->groups) {
		diag_error(g->diag, c->weight_span,
		           "weight has %lld input channels per group, but '%s' has %lld channels in %d group(s)",
		           (long long)w->dims[1], x->name, (long long)ic, c->groups);
		return;
	}
	if (!weight_q_ok(g, n, oc) || !bias_ok(g, n, oc))
		return;
	c->kh = (int)w->dims[2];
	c->kw = (int)w->dims[3];
	int64_t oh = window_out(x->dims[2], c->pad[0], c->pad[2], c->kh, c->dilation[0], c->stride[0]);
	int64_t ow = window_out(x->dims[3], c->pad[1], c->pad[3], c->kw, c->dilation[1], c->stride[1]);
	if (oh < 1 || ow < 1) {
		ERR(n, "the %dx%d kernel does not fit the %lldx%lld input of %s '%s' with this padding", c->kh, c->kw,
		    (long long)x->dims[2], (long long)x->dims[3], opname(n), n->name);
		return;
	}
	n->rank = 4;
	n->dims[0] = x->dims[0];
	n->dims[1] = oc;
	n->dims[2] = oh;
	n->dims[3] = ow;
}

static void infer_linear(Graph *g, Node *n)
{
	ConvAttr *c = &n->u.conv;
	Node *x = n->in[0];
	const Const *w = c->weight;
	if (!check_input_quantized(g, n, 0) || !check_rank(g, n, 0, 2, 2))
		return;
	if (w->rank != 2) {
		diag_error(g->diag, c->weight_span, "linear weight must have rank 2 [OUT, IN], got rank %d", w->rank);
		return;
	}
	if (w->dims[1] != x->dims[1]) {
		diag_error(g->diag, c->weight_span, "linear weight has %lld input features, but '%s' has %lld",
		           (long long)w->dims[1], x->name, (long long)x->dims[1]);
		return;
	}
	if (!weight_q_ok(g, n, w->dims[0]) || !bias_ok(g, n, w->dims[0]))
		return;
	c->kh = c->kw = 1;
	n->rank = 2;
	n->dims[0] = x->dims[0];
	n->dims[1] = w->dims[0];
}

static void infer_bn(Graph *g, Node *n)
{
	Node *x = n->in[0];
	BnAttr *b = &n->u.bn;
	if (!check_rank(g, n, 0, 2, 4))
		return;
	int64_t ch = x->dims[1];
	if (!channel_count_ok(g, n, b->gamma, b->gamma->span, "gamma", ch) ||
	    !channel_count_ok(g, n, b->beta, b->beta->span, "beta", ch) ||
	    !channel_count_ok(g, n, b->mean, b->mean->span, "mean", ch) ||
	    !channel_count_ok(g, n, b->var, b->var->span, "var", ch))
		return;
	const Const *all[4] = {b->gamma, b->beta, b->mean, b->var};
	for (int i = 0; i < 4; i++)
		if (all[i]->dtype != DT_F32) {
			diag_error(g->diag, all[i]->span, "batchnorm parameters must be float32, not %s",
			           ir_dtype_name(all[i]->dtype));
			return;
		}
	for (int64_t i = 0; i < ch; i++)
		if (!(ir_const_f32(b->var, i) + (float)b->eps > 0.0f)) {
			diag_error(g->diag, b->var->span, "batchnorm var[%lld] + eps = %g is not positive", (long long)i,
			           (double)(ir_const_f32(b->var, i) + (float)b->eps));
			return;
		}
	if (!x->has_q && x->op != OP_CONV2D && x->op != OP_LINEAR)
		check_input_quantized(g, n, 0);
	copy_shape(n, x);
}

/* The first output along an axis (of len inputs) whose window holds no
 * input element -- only padding, with dilation -- or -1. */
static int64_t empty_window(int64_t len, int64_t out, int k, int s, int d, int pad)
{
	for (int64_t o = 0; o < out; o++) {
		int hit = 0;
		for (int t = 0; t < k && !hit; t++) {
			int64_t i = o * s - pad + (int64_t)t * d;
			hit = i >= 0 && i < len;
		}
		if (!hit)
			return o;
	}
	return -1;
}

static void infer_pool(Graph *g, Node *n)
{
	Node *x = n->in[0];
	PoolAttr *p = &n->u.pool;
	if (!check_input_quantized(g, n, 0) || !check_rank(g, n, 0, 4, 4))
		return;
	if (n->op == OP_GLOBAL_AVGPOOL) {
		p->kh = (int)x->dims[2];
		p->kw = (int)x->dims[3];
		p->stride[0] = p->stride[1] = 1;
		p->dilation[0] = p->dilation[1] = 1;
		p->count_include_pad = 1;
	}
	if (p->pad[0] >= p->kh || p->pad[2] >= p->kh || p->pad[1] >= p->kw || p->pad[3] >= p->kw) {
		ERR(n, "padding must be smaller than the %dx%d window", p->kh, p->kw);
		return;
	}
	/* an average is an int32 sum of the window's x - zp */
	int32_t qmin, qmax;
	ir_dtype_range(x->dtype, &qmin, &qmax);
	int64_t area = (int64_t)p->kh * p->kw, dev = x->zp - qmin > qmax - x->zp ? x->zp - qmin : qmax - x->zp;
	if (n->op != OP_MAXPOOL2D && area * dev > INT32_MAX) {
		ERR(n, "accumulation of %s '%s' can overflow int32: its %dx%d window sums %lld values, worst case %lld > "
		    "2147483647", opname(n), n->name, p->kh, p->kw, (long long)area, (long long)(area * dev));
		return;
	}
	int64_t oh = window_out(x->dims[2], p->pad[0], p->pad[2], p->kh, p->dilation[0], p->stride[0]);
	int64_t ow = window_out(x->dims[3], p->pad[1], p->pad[3], p->kw, p->dilation[1], p->stride[1]);
	if (oh < 1 || ow < 1) {
		ERR(n, "the %dx%d window does not fit the %lldx%lld input of %s '%s'", p->kh, p->kw, (long long)x->dims[2],
		    (long long)x->dims[3], opname(n), n->name);
		return;
	}
	int64_t ey = empty_window(x->dims[2], oh, p->kh, p->stride[0], p->dilation[0], p->pad[0]);
	int64_t ex = empty_window(x->dims[3], ow, p->kw, p->stride[1], p->dilation[1], p->pad[1]);
	if (ey >= 0 || ex >= 0) {
		ERR(n, "the dilated %dx%d window of %s '%s' lies entirely in the padding at output %s %lld", p->kh, p->kw,
		    opname(n), n->name, ey >= 0 ? "row" : "column", (long long)(ey >= 0 ? ey : ex));
		return;
	}
	n->rank = 4;
	n->dims[0] = x->dims[0];
	n->dims[1] = x->dims[1];
	n->dims[2] = oh;
	n->dims[3] = ow;
}

static void infer_add(Graph *g, Node *n)
{
	Node *a = n->in[0], *b = n->in[1];
	if (!check_input_quantized(g, n, 0) || !check_input_quantized(g, n, 1))
		return;
	if (a->rank != b->rank || memcmp(a->dims, b->dims, sizeof a->dims) != 0) {
		ERR(n, "add needs equal shapes, but '%s' and '%s' differ (no broadcasting)", a->name, b->name);
		return;
	}
	if (a->dtype != b->dtype) {
		ERR(n, "add needs inputs of one dtype, but '%s' is %s and '%s' is %s", a->name, ir_dtype_name(a->dtype),
		    b->name, ir_dtype_name(b->dtype));
		return;
	}
	copy_shape(n, a);
}

static void infer_concat(Graph *g, Node *n)
{
	Node *a = n->in[0];
	if (n->u.concat.axis < 0)
		n->u.concat.axis += a->rank;   /* as torch.cat: -3 of a rank-4 tensor is 1 */
	if (n->u.concat.axis != 1) {
		ERR(n, "concat supports axis=1 (channels) only, not axis=%d", n->u.concat.axis);
		return;
	}
	int64_t ch = 0;
	for (int i = 0; i < n->nin; i++) {
		Node *x = n->in[i];
		if (!check_input_quantized(g, n, i) || !check_rank(g, n, i, 2, 4))
			return;
		int same = x->rank == a->rank && x->dims[0] == a->dims[0] && x->dtype == a->dtype;
		for (int d = 2; d < x->rank; d++)
			same &= x->dims[d] == a->dims[d];
		if (!same) {
			diag_error(g->diag, n->in_span[i],
			           "concat inputs must agree in dtype and in every dimension but the channels; '%s' and '%s' do not",
			           a->name, x->name);
			return;
		}
		ch += x->dims[1];
	}
	copy_shape(n, a);
	n->dims[1] = ch;
}

static void infer_matmul(Graph *g, Node *n)
{
	Node *a = n->in[0], *b = n->in[1];
	if (!check_input_quantized(g, n, 0) || !check_input_quantized(g, n, 1) || !check_rank(g, n, 0, 2, 2) ||
	    !check_rank(g, n, 1, 2, 2))
		return;
	if (a->dims[1] != b->dims[0]) {
		ERR(n, "matmul of [%lld, %lld] by [%lld, %lld]: inner dimensions differ", (long long)a->dims[0],
		    (long long)a->dims[1], (long long)b->dims[0], (long long)b->dims[1]);
		return;
	}
	n->rank = 2;
	n->dims[0] = a->dims[0];
	n->dims[1] = b->dims[1];
}

static void infer_reshape(Graph *g, Node *n)
{
	Node *x = n->in[0];
	if (n->op == OP_FLATTEN) {
		if (!check_rank(g, n, 0, 2, 4))
			return;
		n->rank = 2;
		n->dims[0] = x->dims[0];
		n->dims[1] = ir_numel(x) / x->dims[0];
		return;
	}
	ReshapeAttr *r = &n->u.reshape;
	int64_t known = 1;
	int unknown = -1;
	for (int i = 0; i < r->rank; i++) {
		if (r->shape[i] == -1 && unknown < 0)
			unknown = i;
		else if (r->shape[i] < 1) {
			ERR(n, "reshape dimension %d is %lld; dimensions must be positive, or one of them -1", i,
			    (long long)r->shape[i]);
			return;
		} else
			known *= r->shape[i];
		if (known > QCC_MAX_ELEMENTS) {   /* before the product can overflow int64 */
			ERR(n, "cannot reshape '%s' of %lld elements to this shape", x->name, (long long)ir_numel(x));
			return;
		}
	}
	int64_t total = ir_numel(x);
	n->rank = r->rank;
	memcpy(n->dims, r->shape, sizeof n->dims);
	if (unknown >= 0 && total % known == 0)
		n->dims[unknown] = total / known;
	if (ir_numel(n) != total || (unknown >= 0 && total % known)) {
		ERR(n, "cannot reshape '%s' of %lld elements to this shape", x->name, (long long)total);
		n->rank = 0;
	}
}

static void infer_shape(Graph *g, Node *n)
{
	switch (n->op) {
	case OP_INPUT:
		break;
	case OP_QUANTIZE:
		if (n->in[0]->dtype != DT_F32)
			diag_error(g->diag, n->in_span[0], "quantize needs an f32 input, but '%s' is %s; use requantize",
			           n->in[0]->name, ir_dtype_name(n->in[0]->dtype));
		copy_shape(n, n->in[0]);
		break;
	case OP_DEQUANTIZE:
		check_input_quantized(g, n, 0);
		copy_shape(n, n->in[0]);
		break;
	case OP_REQUANTIZE: case OP_RELU: case OP_RELU6: case OP_CLAMP:
		if (n->in[0]->has_q || n->in[0]->dtype == DT_F32)
			check_input_quantized(g, n, 0);
		copy_shape(n, n->in[0]);
		break;
	case OP_CONV2D: infer_conv(g, n); break;
	case OP_LINEAR: infer_linear(g, n); break;
	case OP_BATCHNORM: infer_bn(g, n); break;
	case OP_ADD: infer_add(g, n); break;
	case OP_CONCAT: infer_concat(g, n); break;
	case OP_MATMUL: infer_matmul(g, n); break;
	case OP_MAXPOOL2D: case OP_AVGPOOL2D: case OP_GLOBAL_AVGPOOL: infer_pool(g, n); break;
	case OP_FLATTEN: case OP_RESHAPE:
		if (check_input_quantized(g, n, 0))
			infer_reshape(g, n);
		break;
	case OP_COUNT: die("bad op");
	}
}

/* Output qparams: written, inherited from the input, or pending. */
static void infer_q(Graph *g, Node *n)
{
	Node *x = n->nin ? n->in[0] : NULL;
	int written = n->has_q;
	if (n->op == OP_INPUT)
		return;
	if (n->op == OP_DEQUANTIZE) {
		if (written)
			diag_error(g->diag, n->q_span, "dequantize produces f32; it takes no qparams");
		n->dtype = DT_F32;
		n->has_q = 0;
		return;
	}
	if (written && n->dtype != DT_U8 && n->dtype != DT_I8) {
		diag_error(g->diag, n->q_span, "output dtype of %s '%s' must be u8 or i8", opname(n), n->name);
		return;
	}
	int qsame = op_info[n->op].flags & OPF_QSAME;
	if (!written && qsame && x->has_q) {
		copy_q(n, x);
		return;
	}
	if (written && x && x->has_q && !ir_same_q(n, x) &&
	    (n->op == OP_MAXPOOL2D || n->op == OP_FLATTEN || n->op == OP_RESHAPE)) {
		diag_error(g->diag, n->q_span,
		           "%s keeps its input's qparams (%s, scale=%.9g, zp=%d); requantize separately to change them",
		           opname(n), ir_dtype_name(x->dtype), x->scale, (int)x->zp);
		return;
	}
	if (written)
		return;
	/* An unused tensor cannot pend: nothing would give it qparams, and the
	 * passes up to dce would run on it without them (found by fuzzing: the
	 * verifier died after fuse_act). */
	if (may_pend(g, n))
		return;
	ERR(n, "%s '%s' has no output qparams; write ': u8(scale=..., zp=...)' after it%s", opname(n), n->name,
	    n->op == OP_CONV2D || n->op == OP_LINEAR ? ", or follow it with a batchnorm/relu that has them" : "");
}

/* Warnings for what no output needs: a tensor nothing reads, an input no
 * output depends on.  Given only for a graph without errors (a broken
 * file is full of unused names), and here, while each node is still the
 * statement that wrote it. */
static void warn_unused(Graph *g)
{
	char *read = arena_alloc(g->arena, (size_t)g->nnodes + 1);
	char *live = arena_alloc(g->arena, (size_t)g->nnodes + 1);
	for (int i = 0; i < g->noutputs; i++)
		live[g->outputs[i]->id] = 1;
	for (int i = g->nnodes - 1; i >= 0; i--)
		for (int j = 0; j < g->nodes[i]->nin; j++) {
			read[g->nodes[i]->in[j]->id] = 1;
			live[g->nodes[i]->in[j]->id] |= live[i];
		}
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		Span name = {n->span.begin, n->span.begin + (uint32_t)strlen(n->name)};
		if (n->op == OP_INPUT && !live[i])
			diag_warning(g->diag, n->op_span, "input '%s' is not used by any output", n->name);
		else if (n->op != OP_INPUT && !read[i] && !n->is_output)
			diag_warning(g->diag, name, "tensor '%s' is never used: it is not an output and nothing reads it",
			             n->name);
	}
}

void pass_infer(Graph *g)
{
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		int bad = 0;
		if (n->dead)
			continue;
		for (int j = 0; j < n->nin; j++)
			bad |= n->in[j]->rank == 0;
		if (bad) {
			n->rank = 0; /* an input already failed: stay quiet */
			continue;
		}
		infer_shape(g, n);
		if (n->rank && ir_numel(n) > INT32_MAX) {
			/* generated kernels index tensors with int */
			ERR(n, "'%s' would have %lld elements; qcc supports at most 2^31-1 per tensor", n->name,
			    (long long)ir_numel(n));
			n->rank = 0;
		}
		if (n->rank)
			infer_q(g, n);
		if (n->has_q)
			ir_dtype_range(n->dtype, &n->lo, &n->hi);
	}
	if (g->noutputs == 0)
		diag_error(g->diag, g->model_span, "model '%s' has no 'output' statement", g->model ? g->model : "?");
	if (!g->diag->nerrors)
		warn_unused(g);
}
