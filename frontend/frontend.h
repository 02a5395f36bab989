/* The frontend's private interface: the thin per-statement syntax tree that
 * parser.y builds and lower.c turns into IR, and the scanner state that
 * lexer.l and parser.y share.  Nothing outside frontend/ includes this;
 * the compiler sees only frontend_parse() in ir.h.
 *
 * A statement's tree lives in the graph's arena and is dead once lowered:
 * the graph is the only representation that survives the parse. */
#ifndef QCC_FRONTEND_H
#define QCC_FRONTEND_H

#include "ir.h"

typedef enum {
	V_NUM,      /* 3, -1.5e-3 */
	V_STR,      /* "w.npy" */
	V_IDENT,    /* x, true, symmetric */
	V_LIST,     /* [1, 2], [[1, 2], [3, 4]] */
	V_CALL      /* i8("w.npy", scale=0.1), i32([1, 2]) */
} ValueKind;

typedef struct Value Value;
typedef struct Call Call;

/* NAME = VALUE, or a positional VALUE (name == NULL). */
typedef struct Arg {
	const char *name;
	Span name_span;
	Value *val;
} Arg;

/* NAME(ARG, ...): an operation, a typed constant, or DTYPE(QPARAMS). */
struct Call {
	const char *name;
	Span name_span;
	Span span;              /* from the name through ')' */
	Arg *args;
	int nargs;
};

struct Value {
	ValueKind kind;
	Span span;
	const char *text;       /* V_NUM: the literal as written; V_STR: the contents,
	                           unescaped; V_IDENT: the name */
	double num;             /* V_NUM; may be inf or subnormal, checked by the user */
	int is_int;             /* V_NUM written without '.' or exponent */
	int int_ok;             /* ...and fits int64: ival is exact */
	int64_t ival;
	Value **items;          /* V_LIST */
	int nitems;
	Call *call;             /* V_CALL */
};

typedef struct Name {
	const char *name;
	Span span;
} Name;

typedef enum { S_MODEL, S_INPUT, S_OUTPUT, S_DEF } StmtKind;

typedef struct Stmt {
	StmtKind kind;
	Span span;              /* the whole statement, without the newline */
	Name name;              /* S_MODEL, S_INPUT, S_DEF: the name defined */
	Call *op;               /* S_DEF: the operation */
	Name dtype;             /* S_INPUT; S_DEF after ':' (name NULL when absent) */
	Value *dims;            /* S_INPUT: a V_LIST */
	Call *q;                /* the qparams, named after the dtype; NULL if absent.  Its
	                           span: "u8(...)" after an op, "(...)" after an input's dims */
	Name *names;            /* S_OUTPUT */
	int nnames;
} Stmt;

/* ---------- lexer.l ---------- */
typedef struct LexState {
	Graph *g;
	uint32_t off;           /* byte offset of the next unread character */
	int depth;              /* open ( and [; newlines inside them are blanks */
	Span open[QCC_MAX_DEPTH];   /* where each open bracket is (the first QCC_MAX_DEPTH) */
	long items;             /* arguments and list entries so far, up to QCC_MAX_ITEMS */
	int at_line_start;      /* no token since the last NEWLINE: blank lines are skipped */
	int recovering;         /* a syntax error was reported in this statement */
	int rescan;             /* end the statement, then scan again from rescan_at */
	uint32_t rescan_at;
} LexState;

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif
/* The scanner's life cycle, defined in lexer.l where flex's own
 * declarations are visible. */
yyscan_t lex_open(LexState *ls, const char *text, size_t len);
LexState *lex_state(yyscan_t scanner);
void lex_close(yyscan_t scanner);

/* ---------- lower.c ---------- */
typedef struct Lower Lower;
Lower *lower_new(Graph *g);
/* Returns nonzero when a limit was passed and the parse must stop. */
int lower_stmt(Lower *lw, Stmt *s);
/* A statement failed to parse; name (may be NULL) is the tensor it would
 * have defined, so that its uses are not reported again as undefined. */
void lower_failed(Lower *lw, const char *name, Span at);
/* End of file; returns the number of errors. */
int lower_finish(Lower *lw);

#endif
