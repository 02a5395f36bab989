/* The arena: one per compilation, freed at once.
 *
 * A chunked bump allocator.  Nothing in qcc frees a single object, so a
 * chunk only needs a fill pointer; requests larger than a quarter of the
 * default chunk get a chunk of their own, so a big weight tensor does not
 * waste the tail of the current chunk. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

#define ARENA_CHUNK (64 * 1024)   /* bytes of payload in an ordinary chunk */
#define ARENA_ALIGN 16            /* enough for any scalar type and for SIMD loads */

typedef struct Chunk {
	struct Chunk *next;
	size_t size;              /* payload bytes */
	size_t used;              /* payload bytes handed out, a multiple of ARENA_ALIGN */
	char *base;               /* the payload: after the header, ARENA_ALIGN-aligned */
} Chunk;

struct Arena {
	Chunk *head;              /* the chunk being filled; older ones follow */
	Chunk *big;               /* chunks holding one large object each */
};

/* calloc only promises alignment for max_align_t, which is 8 on some
 * 32-bit targets, so the payload start is aligned by hand. */
#define CHUNK_HEADER (sizeof(Chunk) + ARENA_ALIGN)

static Chunk *chunk_new(size_t size)
{
	if (size > (size_t)-1 - CHUNK_HEADER)
		die("arena: allocation of %zu bytes is too large", size);
	/* calloc zeroes, which is what arena_alloc promises */
	Chunk *c = calloc(1, CHUNK_HEADER + size);
	if (!c)
		die("arena: out of memory allocating %zu bytes", size);
	uintptr_t start = (uintptr_t)(c + 1);
	c->base = (char *)((start + ARENA_ALIGN - 1) & ~(uintptr_t)(ARENA_ALIGN - 1));
	c->size = size;
	return c;
}

Arena *arena_new(void)
{
	Arena *a = calloc(1, sizeof *a);
	if (!a)
		die("arena: out of memory");
	a->head = chunk_new(ARENA_CHUNK);
	return a;
}

static void *alloc_big(Arena *a, size_t bytes)
{
	Chunk *c = chunk_new(bytes);
	c->used = bytes;
	c->next = a->big;
	a->big = c;
	return c->base;
}

void *arena_alloc(Arena *a, size_t bytes)
{
	if (bytes > ARENA_CHUNK / 4)
		return alloc_big(a, bytes);
	size_t rounded = (bytes + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (rounded == 0)
		rounded = ARENA_ALIGN;   /* distinct pointers for zero-size requests */
	if (a->head->size - a->head->used < rounded) {
		Chunk *c = chunk_new(ARENA_CHUNK);
		c->next = a->head;
		a->head = c;
	}
	void *p = a->head->base + a->head->used;
	a->head->used += rounded;
	return p;
}

void *arena_dup(Arena *a, const void *p, size_t bytes)
{
	void *q = arena_alloc(a, bytes);
	if (bytes)
		memcpy(q, p, bytes);
	return q;
}

char *arena_strdup(Arena *a, const char *s)
{
	return arena_dup(a, s, strlen(s) + 1);
}

char *arena_printf(Arena *a, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("arena_printf: bad format \"%s\"", fmt);
	char *s = arena_alloc(a, (size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return s;
}

static void free_chain(Chunk *c)
{
	while (c) {
		Chunk *next = c->next;
		free(c);
		c = next;
	}
}

void arena_free(Arena *a)
{
	if (!a)
		return;
	free_chain(a->head);
	free_chain(a->big);
	free(a);
}
