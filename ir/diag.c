/* Diagnostics: "file:line:col: error: msg", the source line, a caret.
 *
 *	net.q:12:13: error: undefined tensor 'c0'
 *	   12 | c1 = conv2d(c0, weight="w1.npy")
 *	      |             ^~
 *
 * Spans are byte offsets; line and column are computed here, only when a
 * message is printed, by scanning the text (as jq does).  Errors are
 * counted; past QCC_MAX_ERRORS nothing more is printed, since later errors
 * are mostly echoes of earlier ones, and the run stops at the end of the
 * current stage (the parse or a pass), where the driver checks the count.
 * No exit(): a compilation is a library call (qcc_compile) that returns. */
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

/* Bytes of the well-formed UTF-8 character at s (at most n bytes are
 * there), or 0 when s does not start one. */
static int utf8_len(const unsigned char *s, uint32_t n)
{
	int len = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
	        : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
	if (len == 0 || (uint32_t)len > n)
		return 0;
	for (int i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	/* overlong forms, surrogates and code points past U+10FFFF */
	if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) || (s[0] == 0xF0 && s[1] < 0x90) ||
	    (s[0] == 0xF4 && s[1] > 0x8F))
		return 0;
	return len;
}

/* The source line [begin, end), one column per character: a tab becomes
 * one space and a control character or a byte that is not UTF-8 becomes
 * '?', so the caret line below, which writes one column per character,
 * lines up, and the terminal gets no raw bytes. */
static void echo_line(FILE *out, const char *text, uint32_t begin, uint32_t end, const char *tail)
{
	const unsigned char *s = (const unsigned char *)text;
	for (uint32_t i = begin; i < end;) {
		int len = utf8_len(s + i, end - i);
		if (len > 1)
			fwrite(s + i, 1, (size_t)len, out);
		else
			fputc(s[i] == '\t' ? ' ' : len == 0 || s[i] < ' ' || s[i] == 0x7F ? '?' : s[i], out);
		i += len ? (uint32_t)len : 1;
	}
	fprintf(out, "%s\n", tail);
}

/* Writes c once per character of [begin, end). */
static void pad_columns(FILE *out, const char *text, uint32_t begin, uint32_t end, int c)
{
	const unsigned char *s = (const unsigned char *)text;
	for (uint32_t i = begin; i < end;) {
		int len = utf8_len(s + i, end - i);
		fputc(c, out);
		i += len ? (uint32_t)len : 1;
	}
}

/* Moves offset i forward off UTF-8 continuation bytes, to a character's
 * first byte. */
static uint32_t char_start(const Source *src, uint32_t i, uint32_t limit)
{
	while (i < limit && (src->text[i] & 0xC0) == 0x80)
		i++;
	return i;
}

/* A line longer than QCC_MAX_ECHO bytes is cut to a window around the
 * caret, "..." marking what was left out, so that an error on a 100 MB
 * line prints a few lines, not 100 MB. */
static void show_span(FILE *out, const Source *src, Span at)
{
	uint32_t begin = clamp_offset(src, at.begin);
	uint32_t start = line_start(src, begin);
	uint32_t stop = start;
	const char *cut_left = "", *cut_right = "";
	while (stop < src->len && src->text[stop] != '\n')
		stop++;
	if (stop > start && src->text[stop - 1] == '\r')
		stop--;   /* a CRLF file's '\r' is not echoed */
	if (stop - start > QCC_MAX_ECHO) {
		uint32_t from = begin - start > QCC_MAX_ECHO / 4 ? char_start(src, begin - QCC_MAX_ECHO / 4, begin) : start;
		uint32_t to = stop - from > QCC_MAX_ECHO ? char_start(src, from + QCC_MAX_ECHO, stop) : stop;
		cut_left = from > start ? "..." : "";
		cut_right = to < stop ? "..." : "";
		start = from;
		stop = to;
	}
	fprintf(out, " %4d | %s", diag_line(src, begin), cut_left);
	echo_line(out, src->text, start, stop, cut_right);
	fprintf(out, "      | %s", *cut_left ? "   " : "");
	pad_columns(out, src->text, start, begin < stop ? begin : stop, ' ');
	if (begin > stop)
		fputc(' ', out);   /* the '\r' or the newline itself */
	fputc('^', out);
	uint32_t end = at.end < stop ? at.end : stop;
	if (end > begin) {
		int len = utf8_len((const unsigned char *)src->text + begin, stop - begin);
		pad_columns(out, src->text, begin + (len ? (uint32_t)len : 1), end, '~');
	}
	fputc('\n', out);
}

/* Past the cap: the run is stopping, nothing more is shown. */
static int silenced(const Diag *d)
{
	return d->nerrors > QCC_MAX_ERRORS;
}

/* tail: what follows the message on its line ("" or " [-Werror]"). */
static void report(Diag *d, Span at, const char *kind, const char *tail, const char *fmt, va_list ap)
{
	FILE *out = d->out ? d->out : stderr;
	if (silenced(d))
		return;
	if (!d->src) {
		fprintf(out, "qcc: %s: ", kind);
		vfprintf(out, fmt, ap);
		fprintf(out, "%s\n", tail);
		return;
	}
	uint32_t begin = at.begin;
	fprintf(out, "%s:%d:%d: %s: ", d->src->path, diag_line(d->src, begin), diag_col(d->src, begin), kind);
	vfprintf(out, fmt, ap);
	fprintf(out, "%s\n", tail);
	show_span(out, d->src, at);
}

/* Called before each error is printed: the error past the cap is not
 * shown, so every error shown still gets its notes.  Errors past the cap
 * are still counted, so a caller comparing counts sees them. */
static void count_error(Diag *d)
{
	if (d->nerrors == QCC_MAX_ERRORS) {
		FILE *out = d->out ? d->out : stderr;
		fputs("qcc: too many errors, stopping\n", out);
		fflush(out);
	}
	d->nerrors++;
}

void diag_error(Diag *d, Span at, const char *fmt, ...)
{
	va_list ap;
	count_error(d);
	va_start(ap, fmt);
	report(d, at, "error", "", fmt, ap);
	va_end(ap);
}

/* With -Werror (d->werror) a warning is an error and counts as one. */
void diag_warning(Diag *d, Span at, const char *fmt, ...)
{
	va_list ap;
	if (d->werror)
		count_error(d);
	d->nwarnings++;
	va_start(ap, fmt);
	report(d, at, d->werror ? "error" : "warning", d->werror ? " [-Werror]" : "", fmt, ap);
	va_end(ap);
}

void diag_note(Diag *d, Span at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(d, at, "note", "", fmt, ap);
	va_end(ap);
}

void diag_plain(Diag *d, const char *fmt, ...)
{
	va_list ap;
	FILE *out = d->out ? d->out : stderr;
	count_error(d);
	if (silenced(d))
		return;
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
