/* Diagnostics: "file:line:col: error: msg", the source line, a caret.
 *
 *	net.q:12:13: error: undefined tensor 'c0'
 *	   12 | c1 = conv2d(c0, weight="w1.npy")
 *	      |             ^~
 *
 * Spans are byte offsets; line and column are computed here, only when a
 * message is printed, by scanning the text (as jq does).  Errors are
 * counted; past QCC_MAX_ERRORS the run stops, since later errors are
 * mostly echoes of earlier ones. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

/* Offsets past the end (EOF tokens) and the offset just after a final
 * newline point at the last line, not at an empty line after it. */
static uint32_t clamp_offset(const Source *src, uint32_t offset)
{
	if (offset > src->len)
		offset = (uint32_t)src->len;
	if (offset == src->len && offset > 0 && src->text[offset - 1] == '\n')
		offset--;
	return offset;
}

static uint32_t line_start(const Source *src, uint32_t offset)
{
	while (offset > 0 && src->text[offset - 1] != '\n')
		offset--;
	return offset;
}

int diag_line(const Source *src, uint32_t offset)
{
	offset = clamp_offset(src, offset);
	int line = 1;
	for (uint32_t i = 0; i < offset; i++)
		line += src->text[i] == '\n';
	return line;
}

int diag_col(const Source *src, uint32_t offset)
{
	offset = clamp_offset(src, offset);
	return (int)(offset - line_start(src, offset)) + 1;
}

/* The line holding offset, echoed with tabs turned into one space so that
 * the caret line below it, which counts one column per byte, lines up. */
static void echo_line(FILE *out, const Source *src, uint32_t begin, uint32_t end)
{
	for (uint32_t i = begin; i < end; i++) {
		char c = src->text[i];
		fputc(c == '\t' || c == '\0' ? ' ' : c, out);
	}
	fputc('\n', out);
}

/* A UTF-8 continuation byte occupies no column of its own on a terminal. */
static int is_continuation(char c)
{
	return ((unsigned char)c & 0xC0) == 0x80;
}

static void show_span(FILE *out, const Source *src, Span at)
{
	uint32_t begin = clamp_offset(src, at.begin);
	uint32_t start = line_start(src, begin);
	uint32_t stop = start;
	while (stop < src->len && src->text[stop] != '\n')
		stop++;
	uint32_t shown = stop;   /* a CRLF file's '\r' is not echoed */
	if (shown > start && src->text[shown - 1] == '\r')
		shown--;
	fprintf(out, " %4d | ", diag_line(src, begin));
	echo_line(out, src, start, shown);
	fputs("      | ", out);
	for (uint32_t i = start; i < begin; i++)
		if (!is_continuation(src->text[i]))
			fputc(' ', out);
	fputc('^', out);
	uint32_t end = at.end < shown ? at.end : shown;
	for (uint32_t i = begin + 1; i < end; i++)
		if (!is_continuation(src->text[i]))
			fputc('~', out);
	fputc('\n', out);
}

static void report(Diag *d, Span at, const char *kind, const char *fmt, va_list ap)
{
	FILE *out = d->out ? d->out : stderr;
	if (!d->src) {
		fprintf(out, "qcc: %s: ", kind);
		vfprintf(out, fmt, ap);
		fputc('\n', out);
		return;
	}
	uint32_t begin = at.begin;
	fprintf(out, "%s:%d:%d: %s: ", d->src->path, diag_line(d->src, begin), diag_col(d->src, begin), kind);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
	show_span(out, d->src, at);
}

/* Called before each error is printed: the error past the cap is not
 * shown, so every error shown still gets its notes. */
static void count_error(Diag *d)
{
	if (d->nerrors >= QCC_MAX_ERRORS) {
		FILE *out = d->out ? d->out : stderr;
		fputs("qcc: too many errors, stopping\n", out);
		fflush(out);
		exit(EXIT_USER);
	}
	d->nerrors++;
}

void diag_error(Diag *d, Span at, const char *fmt, ...)
{
	va_list ap;
	count_error(d);
	va_start(ap, fmt);
	report(d, at, "error", fmt, ap);
	va_end(ap);
}

void diag_warning(Diag *d, Span at, const char *fmt, ...)
{
	va_list ap;
	d->nwarnings++;
	va_start(ap, fmt);
	report(d, at, "warning", fmt, ap);
	va_end(ap);
}

void diag_note(Diag *d, Span at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(d, at, "note", fmt, ap);
	va_end(ap);
}

void diag_plain(Diag *d, const char *fmt, ...)
{
	va_list ap;
	FILE *out = d->out ? d->out : stderr;
	count_error(d);
	va_start(ap, fmt);
	fputs("qcc: error: ", out);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	va_start(ap, fmt);
	fputs("qcc: internal error (this is a qcc bug): ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(EXIT_INTERNAL);
}
