/* The grammar of .q (docs/language.md).  Each statement is built as a thin
 * tree and handed to lower.c as soon as it is complete, so errors come out
 * in source order and a name is defined before the next statement uses it.
 * A statement with a syntax error is skipped up to its newline and parsing
 * goes on, so one run reports every bad line (up to QCC_MAX_ERRORS). */
%define api.pure full
%define api.location.type {Span}
%define parse.error detailed
%define parse.lac full   /* "expecting" lists every token that fits, despite default reductions */
%locations
%expect 0
%param {yyscan_t scanner}
%parse-param {Lower *lw}

%code requires {
#include "ir.h"
#include "frontend.h"
}

%code {
#include <string.h>

int yylex(YYSTYPE *lvalp, YYLTYPE *llocp, yyscan_t scanner);
static void yyerror(YYLTYPE *at, yyscan_t scanner, Lower *lw, const char *msg);

/* A rule's span runs from its first symbol's start to its last one's end;
 * an empty rule sits where the previous symbol ended. */
#define YYLLOC_DEFAULT(Cur, Rhs, N) do { \
	if (N) { \
		(Cur).begin = YYRHSLOC(Rhs, 1).begin; \
		(Cur).end = YYRHSLOC(Rhs, N).end; \
	} else { \
		(Cur).begin = (Cur).end = YYRHSLOC(Rhs, 0).end; \
	} \
} while (0)

static Arena *arena(yyscan_t scanner);
static Stmt *stmt_new(yyscan_t scanner, StmtKind kind, Span at);
static Call *call_new(yyscan_t scanner);
static Call *call_push(yyscan_t scanner, Call *c, const char *name, Span name_span, Value *v);
static Call *call_named(Call *c, const char *name, Span name_span, Span at);
static Value *value_new(yyscan_t scanner, ValueKind kind, Span at);
static Value *list_push(yyscan_t scanner, Value *list, Value *item);
static Stmt *names_push(yyscan_t scanner, Stmt *s, const char *name, Span at);
}

%union {
	char *str;
	Value *val;
	Call *call;
	Stmt *stmt;
}

%token <str> IDENT "identifier"
%token <val> NUMBER "number"
%token <val> STRING "string"
%token MODEL "'model'"
%token INPUT "'input'"
%token OUTPUT "'output'"
%token NEWLINE "end of line"

%type <stmt> stmt names
%type <call> args arglist opt_qparams opt_output_q
%type <val> value list items

%%

program:
	  %empty
	| program line
	;

/* line: stmt NEWLINE | NAME '=' error NEWLINE | error NEWLINE */
line:
	  stmt NEWLINE                { if (lower_stmt(lw, $1)) YYABORT; }
	| IDENT '=' error NEWLINE     { lower_failed(lw, $1, @1); yyerrok; }
	| error NEWLINE               { lower_failed(lw, NULL, @1); yyerrok; }
	;

/* stmt: 'model' NAME
 *     | 'input' NAME ':' DTYPE '[' dims ']' [ '(' qparams ')' ]
 *     | 'output' NAME {',' NAME}
 *     | NAME '=' OP '(' args ')' [ ':' DTYPE [ '(' qparams ')' ] ] */
stmt:
	  MODEL IDENT {
		$$ = stmt_new(scanner, S_MODEL, @$);
		$$->name = (Name){$2, @2};
	}
	| INPUT IDENT ':' IDENT list opt_qparams {
		$$ = stmt_new(scanner, S_INPUT, @$);
		$$->name = (Name){$2, @2};
		$$->dtype = (Name){$4, @4};
		$$->dims = $5;
		$$->q = $6 ? call_named($6, $4, @4, @6) : NULL;
	}
	| OUTPUT names { $$ = $2; $$->span = @$; }
	| IDENT '=' IDENT '(' args ')' opt_output_q {
		$$ = stmt_new(scanner, S_DEF, @$);
		$$->name = (Name){$1, @1};
		$$->op = call_named($5, $3, @3, (Span){@3.begin, @6.end});
		$$->q = $7;
		if ($7)
			$$->dtype = (Name){$7->name, $7->name_span};
	}
	;

names:
	  IDENT               { $$ = names_push(scanner, stmt_new(scanner, S_OUTPUT, @1), $1, @1); if (!$$) YYABORT; }
	| names ',' IDENT     { $$ = names_push(scanner, $1, $3, @3); if (!$$) YYABORT; }
	;

opt_qparams:
	  %empty              { $$ = NULL; }
	| '(' args ')'        { $$ = $2; }
	;

/* ': DTYPE' alone is how an f32 output is written; the (...) holds the
 * qparams of a u8/i8 one.  Both are checked by lower.c. */
opt_output_q:
	  %empty              { $$ = NULL; }
	| ':' IDENT           { $$ = call_named(call_new(scanner), $2, @2, @2); }
	| ':' IDENT '(' args ')' { $$ = call_named($4, $2, @2, (Span){@2.begin, @5.end}); }
	;

/* args: [arg {',' arg} [',']] */
args:
	  %empty              { $$ = call_new(scanner); }
	| arglist
	| arglist ','
	;

arglist:
	  value               { $$ = call_push(scanner, call_new(scanner), NULL, @1, $1); if (!$$) YYABORT; }
	| IDENT '=' value     { $$ = call_push(scanner, call_new(scanner), $1, @1, $3); if (!$$) YYABORT; }
	| arglist ',' value   { $$ = call_push(scanner, $1, NULL, @3, $3); if (!$$) YYABORT; }
	| arglist ',' IDENT '=' value { $$ = call_push(scanner, $1, $3, @3, $5); if (!$$) YYABORT; }
	;

/* value: NUMBER | STRING | NAME | list | NAME '(' args ')' */
value:
	  NUMBER
	| STRING
	| IDENT {
		$$ = value_new(scanner, V_IDENT, @1);
		$$->text = $1;
	}
	| list
	| IDENT '(' args ')' {
		$$ = value_new(scanner, V_CALL, @$);
		$$->call = call_named($3, $1, @1, @$);
	}
	;

/* list: '[' [value {',' value} [',']] ']' */
list:
	  '[' items ']'       { $$ = $2; $$->span = @$; }
	| '[' items ',' ']'   { $$ = $2; $$->span = @$; }
	| '[' ']'             { $$ = value_new(scanner, V_LIST, @$); }
	;

items:
	  value               { $$ = list_push(scanner, value_new(scanner, V_LIST, @1), $1); if (!$$) YYABORT; }
	| items ',' value     { $$ = list_push(scanner, $1, $3); if (!$$) YYABORT; }
	;

%%

/* Is the token at `at` the first on its line? */
static int starts_line(const Source *src, Span at)
{
	uint32_t i = at.begin < src->len ? at.begin : (uint32_t)src->len;
	while (i > 0 && (src->text[i - 1] == ' ' || src->text[i - 1] == '\t'))
		i--;
	return i == 0 || src->text[i - 1] == '\n';
}

/* Bison's message ("syntax error, unexpected number, expecting ')' or ','")
 * is already the right one.  The scanner is told, so that a newline in an
 * unbalanced bracket may end the broken statement.
 *
 * A bad token opening a line below an open bracket most likely means the
 * bracket was never closed and the token starts the next statement: the
 * bracket is pointed out, and the scanner ends the broken statement there
 * and scans the token again.  (Bison discards the lookahead while
 * recovering, so the scanner is next called for the NEWLINE.) */
static void yyerror(YYLTYPE *at, yyscan_t scanner, Lower *lw, const char *msg)
{
	LexState *ls = lex_state(scanner);
	const Source *src = ls->g->src;
	(void)lw;
	diag_error(ls->g->diag, *at, "%s", msg);
	ls->recovering = 1;
	if (ls->depth > 0 && ls->depth <= QCC_MAX_DEPTH && starts_line(src, *at)) {
		Span open = ls->open[ls->depth - 1];
		if (diag_line(src, at->begin) > diag_line(src, open.begin)) {
			diag_note(ls->g->diag, open, "to match this '%c'", src->text[open.begin]);
			ls->rescan = 1;
			ls->rescan_at = at->begin;
		}
	}
}

static Arena *arena(yyscan_t scanner)
{
	return lex_state(scanner)->g->arena;
}

/* Grows an arena array of n elements to hold n + 1.  Capacities are the
 * powers of two, so the capacity need not be stored. */
static void *grow(Arena *a, void *items, int n, size_t size)
{
	if (n & (n - 1))
		return items;
	void *bigger = arena_alloc(a, (size_t)(n ? 2 * n : 1) * size);
	if (n)
		memcpy(bigger, items, (size_t)n * size);
	return bigger;
}

static Stmt *stmt_new(yyscan_t scanner, StmtKind kind, Span at)
{
	Stmt *s = arena_alloc(arena(scanner), sizeof *s);
	s->kind = kind;
	s->span = at;
	return s;
}

static Call *call_new(yyscan_t scanner)
{
	return arena_alloc(arena(scanner), sizeof(Call));
}

/* Every argument, list entry and output name counts against
 * QCC_MAX_ITEMS, which bounds the memory a file can make qcc use (each
 * costs ~100 bytes for 2 bytes of source).  Past it the parse stops:
 * the push returns NULL. */
static int count_item(yyscan_t scanner, Span at)
{
	LexState *ls = lex_state(scanner);
	if (++ls->items <= QCC_MAX_ITEMS)
		return 1;
	diag_error(ls->g->diag, at, "more than %ld arguments and list entries in one file; put large constants in "
	           ".npy files", (long)QCC_MAX_ITEMS);
	return 0;
}

static Call *call_push(yyscan_t scanner, Call *c, const char *name, Span name_span, Value *v)
{
	if (!count_item(scanner, v->span))
		return NULL;
	c->args = grow(arena(scanner), c->args, c->nargs, sizeof *c->args);
	c->args[c->nargs++] = (Arg){name, name_span, v};
	return c;
}

static Call *call_named(Call *c, const char *name, Span name_span, Span at)
{
	c->name = name;
	c->name_span = name_span;
	c->span = at;
	return c;
}

static Value *value_new(yyscan_t scanner, ValueKind kind, Span at)
{
	Value *v = arena_alloc(arena(scanner), sizeof *v);
	v->kind = kind;
	v->span = at;
	return v;
}

static Value *list_push(yyscan_t scanner, Value *list, Value *item)
{
	if (!count_item(scanner, item->span))
		return NULL;
	list->items = grow(arena(scanner), list->items, list->nitems, sizeof *list->items);
	list->items[list->nitems++] = item;
	return list;
}

static Stmt *names_push(yyscan_t scanner, Stmt *s, const char *name, Span at)
{
	if (!count_item(scanner, at))
		return NULL;
	s->names = grow(arena(scanner), s->names, s->nnames, sizeof *s->names);
	s->names[s->nnames++] = (Name){name, at};
	return s;
}

/* Source text beyond the limit (which keeps spans within 32 bits) is
 * refused up front. */
int frontend_parse(Graph *g)
{
	LexState ls = {0};
	ls.g = g;
	if (g->src->len > (size_t)QCC_MAX_SOURCE_BYTES) {
		diag_plain(g->diag, "'%s' is %zu bytes; qcc reads .q files of at most %ld bytes (256 MiB)", g->src->path,
		           g->src->len, (long)QCC_MAX_SOURCE_BYTES);
		return 1;
	}
	Lower *lw = lower_new(g);
	yyscan_t scanner = lex_open(&ls, g->src->text, g->src->len);
	yyparse(scanner, lw);
	lex_close(scanner);
	return lower_finish(lw) ? 1 : 0;
}
