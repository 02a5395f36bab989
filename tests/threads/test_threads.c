/* Reentrancy of generated code: several threads run the same model at once,
 * each with its own arena, on different inputs, many times; every output
 * must be memcmp-equal to the single-threaded result for that input.
 * Arenas are refilled with a different garbage byte before every call, so a
 * model that read arena bytes it had not written would also differ.
 *
 *   test_threads [THREADS [ROUNDS]]          (default 4 threads, 25 rounds)
 *
 * Build with -DQCC_MODEL=<prefix>_model and -pthread.  Also checks that the
 * generated API refuses bad pointers with -1 instead of crashing. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qrt.h"

extern const qrt_model QCC_MODEL;
static const qrt_model *m = &QCC_MODEL;

enum { NCASES = 8, MAXT = 16 };

static const void *ins[NCASES][MAXT];   /* [case][input] */
static void *want[NCASES][MAXT];        /* [case][output]: the single-threaded result */
static int rounds = 25;

static size_t bytes_of(const qrt_tensor_info *t) { return t->numel * (t->dtype == QRT_F32 ? 4 : 1); }

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		perror("malloc");
		exit(2);
	}
	return p;
}

/* An arena with one spare alignment unit, so arena + 1 is a misaligned one. */
static unsigned char *new_arena(void)
{
	size_t n = (m->arena_size + QRT_ARENA_ALIGN - 1) / QRT_ARENA_ALIGN * QRT_ARENA_ALIGN + QRT_ARENA_ALIGN;
	unsigned char *p = aligned_alloc(QRT_ARENA_ALIGN, n);
	if (!p) {
		perror("aligned_alloc");
		exit(2);
	}
	return p;
}

static uint32_t next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void *random_tensor(const qrt_tensor_info *t, uint32_t *seed)
{
	void *p = xmalloc(bytes_of(t));
	for (size_t i = 0; i < t->numel; i++) {
		if (t->dtype == QRT_F32)
			((float *)p)[i] = (float)(next(seed) % 6001) / 1000.0f - 3.0f;   /* [-3, 3] */
		else
			((uint8_t *)p)[i] = (uint8_t)next(seed);
	}
	return p;
}

typedef struct {
	int id;
	long calls, mismatches;
} Worker;

static void *work(void *arg)
{
	Worker *w = arg;
	unsigned char *arena = new_arena();
	void *outs[MAXT];
	for (int o = 0; o < m->noutputs; o++)
		outs[o] = xmalloc(bytes_of(&m->outputs[o]));
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < NCASES; k++) {
			int c = (k * 3 + w->id + r) % NCASES;   /* threads on different cases at once */
			memset(arena, (w->id * 37 + r * 11 + k) & 0xff, m->arena_size);
			for (int o = 0; o < m->noutputs; o++)
				memset(outs[o], 0xa5, bytes_of(&m->outputs[o]));
			if (m->run(ins[c], outs, arena) != 0)
				w->mismatches++;
			for (int o = 0; o < m->noutputs; o++)
				if (memcmp(outs[o], want[c][o], bytes_of(&m->outputs[o])))
					w->mismatches++;
			w->calls++;
		}
	for (int o = 0; o < m->noutputs; o++)
		free(outs[o]);
	free(arena);
	return NULL;
}

/* NULL tensors, a NULL or misaligned arena: -1, and no crash. */
static int check_refusals(void)
{
	int bad = 0;
	unsigned char *arena = new_arena();
	const void *in[MAXT];
	void *out[MAXT];
	for (int i = 0; i < m->ninputs; i++)
		in[i] = ins[0][i];
	for (int o = 0; o < m->noutputs; o++)
		out[o] = xmalloc(bytes_of(&m->outputs[o]));
	bad += m->run(NULL, out, arena) != -1;
	bad += m->run(in, NULL, arena) != -1;
	for (int i = 0; i < m->ninputs; i++) {
		const void *keep = in[i];
		in[i] = NULL;
		bad += m->run(in, out, arena) != -1;
		in[i] = keep;
	}
	for (int o = 0; o < m->noutputs; o++) {
		void *keep = out[o];
		out[o] = NULL;
		bad += m->run(in, out, arena) != -1;
		out[o] = keep;
	}
	if (m->arena_size) {   /* 0: --static-arena, the model ignores the argument */
		bad += m->run(in, out, NULL) != -1;
		bad += m->run(in, out, arena + 1) != -1;
		bad += m->run(in, out, arena + QRT_ARENA_ALIGN / 2) != -1;
	}
	bad += m->run(in, out, arena) != 0;   /* and the good call still works */
	for (int o = 0; o < m->noutputs; o++) {
		bad += memcmp(out[o], want[0][o], bytes_of(&m->outputs[o])) != 0;
		free(out[o]);
	}
	free(arena);
	return bad;
}

int main(int argc, char **argv)
{
	int nthreads = argc > 1 ? atoi(argv[1]) : 4;
	if (argc > 2)
		rounds = atoi(argv[2]);
	if (nthreads < 1 || nthreads > 64 || rounds < 1 || m->ninputs > MAXT || m->noutputs > MAXT) {
		fprintf(stderr, "usage: %s [THREADS (1-64) [ROUNDS]]\n", argv[0]);
		return 2;
	}
	uint32_t seed = 0x9e3779b9u;
	unsigned char *arena = new_arena();
	for (int c = 0; c < NCASES; c++) {
		for (int i = 0; i < m->ninputs; i++)
			ins[c][i] = random_tensor(&m->inputs[i], &seed);
		for (int o = 0; o < m->noutputs; o++)
			want[c][o] = xmalloc(bytes_of(&m->outputs[o]));
		if (m->run(ins[c], want[c], arena) != 0) {
			fprintf(stderr, "%s: the single-threaded run failed\n", m->name);
			return 1;
		}
	}
	free(arena);
	/* the cases must differ, or a thread could pass with another's output */
	for (int o = 0; o < m->noutputs; o++)
		for (int c = 1; c < NCASES; c++)
			if (!memcmp(want[0][o], want[c][o], bytes_of(&m->outputs[o])))
				fprintf(stderr, "%s: note: output %d is the same for cases 0 and %d\n", m->name, o, c);
	int refused = check_refusals();
	if (refused) {
		fprintf(stderr, "%s: %d bad-pointer call(s) not refused with -1 (or the good call failed)\n", m->name,
		        refused);
		return 1;
	}
	pthread_t tid[64];
	Worker w[64];
	for (int t = 0; t < nthreads; t++) {
		w[t] = (Worker){t, 0, 0};
		if (pthread_create(&tid[t], NULL, work, &w[t])) {
			perror("pthread_create");
			return 2;
		}
	}
	long calls = 0, bad = 0;
	for (int t = 0; t < nthreads; t++) {
		pthread_join(tid[t], NULL);
		calls += w[t].calls;
		bad += w[t].mismatches;
	}
	for (int c = 0; c < NCASES; c++) {
		for (int i = 0; i < m->ninputs; i++)
			free((void *)ins[c][i]);
		for (int o = 0; o < m->noutputs; o++)
			free(want[c][o]);
	}
	if (bad) {
		fprintf(stderr, "%s: %ld of %ld concurrent calls differ from the single-threaded result\n", m->name, bad,
		        calls);
		return 1;
	}
	printf("%s: %d threads x %ld calls on %d inputs, separate arenas refilled with garbage each call: "
	       "all memcmp-equal to the single-threaded result; bad pointers refused\n",
	       m->name, nthreads, calls / nthreads, NCASES);
	return 0;
}
