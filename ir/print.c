/* The IR dump.  Its format is stable: tests/ir/ compares it with goldens.
 *
 *   NAME = OP(INPUTS) : TYPE[DIMS] (scale=S, zp=Z) [lo,hi]   @LINE
 *       attribute lines
 *       a per-channel table of every folded constant
 *
 * Numbers print with %.9g (enough to round-trip a float32 scale) and
 * multipliers beside the real value they encode. */
#include <math.h>
#include <string.h>

#include "ir.h"

static void dims(FILE *f, int rank, const int64_t *d)
{
	fputc('[', f);
	for (int i = 0; i < rank; i++)
		fprintf(f, "%s%lld", i ? "," : "", (long long)d[i]);
	fputc(']', f);
}

static void type(FILE *f, const Node *n)
{
	fprintf(f, "%s", ir_dtype_name(n->dtype));
	dims(f, n->rank, n->dims);
	if (n->has_q) {
		fprintf(f, " (scale=%.9g, zp=%d)", n->scale, (int)n->zp);
		int32_t lo, hi;
		ir_dtype_range(n->dtype, &lo, &hi);
		if (n->lo != lo || n->hi != hi)
			fprintf(f, " clamp=[%d,%d]", (int)n->lo, (int)n->hi);
	}
}

static void window(FILE *f, int kh, int kw, const int *stride, const int *dil, const int *pad)
{
	fprintf(f, "    kernel %dx%d stride [%d,%d] dilation [%d,%d] pad [%d,%d,%d,%d] (top,left,bottom,right)\n", kh, kw,
	        stride[0], stride[1], dil[0], dil[1], pad[0], pad[1], pad[2], pad[3]);
}

static void constant(FILE *f, const char *what, const Const *c)
{
	if (!c)
		return;
	fprintf(f, "    %s: %s", what, ir_dtype_name(c->dtype));
	dims(f, c->rank, c->dims);
	if (c->nch > 0 && c->nch == c->dims[c->axis])
		fprintf(f, " per-channel axis %d", c->axis);
	else if (c->nch == 1)
		fprintf(f, " per-tensor (scale=%.9g, zp=%d)", c->scale[0], (int)c->zp[0]);
	if (c->path)
		fprintf(f, " from \"%s\"", c->path);
	fputc('\n', f);
}

static void rq_entry(FILE *f, const Requant *rq, int i)
{
	fprintf(f, "%11d %5d  %-15.9g = %.9g", (int)rq->mult[i], (int)rq->shift[i], rq->real[i],
	        ldexp((double)rq->mult[i], -rq->shift[i]));
}

/* One row per output channel with whatever the passes have computed. */
static void channel_table(FILE *f, const Node *n)
{
	const ConvAttr *c = &n->u.conv;
	int oc = (int)c->weight->dims[0];
	if (!c->wscale)
		return;
	fprintf(f, "    %4s %-15s %-15s %11s", "oc", "w_scale", "bias", "bias_q");
	if (c->rq.n)
		fprintf(f, " %11s %5s  %-15s   %s", "mult", "shift", "M", "mult/2^shift");
	if (c->rq.scale)
		fprintf(f, "     fp32 scale (pytorch contract)");
	fputc('\n', f);
	for (int k = 0; k < oc; k++) {
		char bias[32] = "-", bq[16] = "-";
		if (c->bias && c->bias->dtype == DT_F32)
			snprintf(bias, sizeof bias, "%.9g", (double)ir_const_f32(c->bias, k));
		else if (c->bias)
			snprintf(bias, sizeof bias, "i32 %d", ((const int32_t *)c->bias->data)[k]);
		if (c->bias_q)
			snprintf(bq, sizeof bq, "%d", (int)c->bias_q[k]);
		fprintf(f, "    %4d %-15.9g %-15s %11s", k, c->wscale[k], bias, bq);
		if (c->rq.n) {
			fputc(' ', f);
			rq_entry(f, &c->rq, k);
		}
		if (c->rq.scale)
			fprintf(f, "  %.9g (%a)", (double)c->rq.scale[k], (double)c->rq.scale[k]);
		fputc('\n', f);
	}
}

static void conv(FILE *f, const Node *n)
{
	const ConvAttr *c = &n->u.conv;
	if (n->op == OP_CONV2D) {
		window(f, c->kh, c->kw, c->stride, c->dilation, c->pad);
		fprintf(f, "    groups %d%s\n", c->groups,
		        c->groups > 1 && c->groups == n->in[0]->dims[1] ? " (depthwise)" : "");
	}
	constant(f, "weight", c->weight);
	if (c->bias && !c->wscale)
		constant(f, "bias", c->bias);
	channel_table(f, n);
}

static void single_rq(FILE *f, const Requant *rq, int i, const char *label)
{
	if (!rq->n)
		return;
	fprintf(f, "    %s: mult ", label);
	rq_entry(f, rq, i);
	fputc('\n', f);
}

static void attrs(FILE *f, const Node *n)
{
	switch (n->op) {
	case OP_CONV2D: case OP_LINEAR: conv(f, n); break;
	case OP_BATCHNORM:
		fprintf(f, "    eps %.9g\n", n->u.bn.eps);
		break;
	case OP_CLAMP:
		fprintf(f, "    min %.9g max %.9g\n", n->u.act.min, n->u.act.max);
		break;
	case OP_ADD:
		if (n->u.add.shift)
			fprintf(f, "    a: mult %d (M_a %.9g)  b: mult %d (M_b %.9g)  shift %d\n", (int)n->u.add.mult_a,
			        n->u.add.real_a, (int)n->u.add.mult_b, n->u.add.real_b, n->u.add.shift);
		if (n->u.add.away)
			fprintf(f, "    pytorch contract: QNNPACK's 22-bit multipliers, ties away from zero\n");
		break;
	case OP_CONCAT:
		for (int i = 0; n->u.concat.rq && i < n->nin; i++) {
			if (n->u.concat.rq[i].n)
				single_rq(f, &n->u.concat.rq[i], 0, n->in[i]->name);
			else
				fprintf(f, "    %s: copy\n", n->in[i]->name);
		}
		break;
	case OP_MAXPOOL2D: case OP_AVGPOOL2D:
		window(f, n->u.pool.kh, n->u.pool.kw, n->u.pool.stride, n->u.pool.dilation, n->u.pool.pad);
		if (n->op == OP_MAXPOOL2D)
			break;
		fprintf(f, "    count_include_pad %s\n", n->u.pool.count_include_pad ? "true" : "false");
		/* fall through */
	case OP_GLOBAL_AVGPOOL:
		for (int cnt = 1; cnt < n->u.pool.rq.n; cnt++)
			if (n->u.pool.rq.real[cnt] != 0.0) {
				char label[32];
				snprintf(label, sizeof label, "count %d", cnt);
				single_rq(f, &n->u.pool.rq, cnt, label);
			}
		break;
	case OP_REQUANTIZE: case OP_MATMUL: single_rq(f, &n->u.rq.rq, 0, "requant"); break;
	default: break;
	}
}

void ir_print(FILE *f, Graph *g)
{
	fprintf(f, "model %s\n", g->model ? g->model : "?");
	for (int i = 0; i < g->nnodes; i++) {
		const Node *n = g->nodes[i];
		if (n->dead)
			continue;
		if (n->op == OP_INPUT)
			fprintf(f, "input %s : ", n->name);
		else {
			fprintf(f, "%s = %s(", n->name, op_info[n->op].name);
			for (int j = 0; j < n->nin; j++)
				fprintf(f, "%s%s", j ? ", " : "", n->in[j]->name);
			fprintf(f, ") : ");
		}
		type(f, n);
		fprintf(f, "  @%d", n->line);
		if (n->arena_off >= 0)
			fprintf(f, "  arena+%lld", (long long)n->arena_off);
		if (n->inplace)
			fprintf(f, " (in place of %s)", n->inplace->name);
		fputc('\n', f);
		if (n->fused)
			fprintf(f, "    fused: %s\n", n->fused);
		if (n->kernel && g->target && strcmp(g->target->name, "c") != 0)
			fprintf(f, "    kernel: %s%s%s\n", n->kernel, n->kernel_note ? "; " : "",
			        n->kernel_note ? n->kernel_note : "");
		if (n->scratch_off >= 0)
			fprintf(f, "    scratch: %lld bytes at arena+%lld\n", (long long)n->scratch_bytes,
			        (long long)n->scratch_off);
		attrs(f, n);
	}
	fprintf(f, "output");
	for (int i = 0; i < g->noutputs; i++)
		fprintf(f, "%s %s", i ? "," : "", g->outputs[i]->name);
	fputc('\n', f);
	if (g->arena_size)
		fprintf(f, "arena %lld bytes (lower bound %lld)\n", (long long)g->arena_size, (long long)g->arena_bound);
}
