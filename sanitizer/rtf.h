/*
 * NAME
 *	rtf.h - the RTF tokenizer, writer and field rules shared by rtf*.c
 * SUMMARY
 *	rtf-lex.c cuts RTF into tokens (groups, control words and symbols,
 *	\'hh escapes, text runs, \binN data); rtf-write.c writes canonical
 *	RTF; rtf-fields.c judges field instructions and link targets;
 *	rtf.c applies the rules, rtf-groups.c closes fields, pictures and
 *	shape properties.
 */
#pragma once

#include <glib.h>

#include "cdr.h"

#define RTF_MAX_WORD 32   /* letters of a control word (the RTF spec's limit) */
#define RTF_MAX_DIGITS 10 /* digits of a control word parameter */

enum rtf_tok {
	RTF_T_EOF,
	RTF_T_OPEN,   /* { */
	RTF_T_CLOSE,  /* } */
	RTF_T_WORD,   /* \name[-]digits */
	RTF_T_SYMBOL, /* \~ \- \_ \: \| \* \\ \{ \}; \<newline> as '\n' */
	RTF_T_HEX,    /* \'hh: byte */
	RTF_T_TEXT,   /* data/len: bytes other than \ { } CR LF */
	RTF_T_BIN,    /* \binN: data/len, the N raw bytes */
};

struct rtf_token {
	enum rtf_tok type;
	char name[RTF_MAX_WORD + 1];
	gboolean has_param;
	gint32 param;
	guint8 byte; /* HEX: the value; SYMBOL: the character */
	const guint8 *data;
	gsize len;
};

struct rtf_lexer {
	const guint8 *p, *end;
	const char *error; /* set when rtf_lex_next() returns FALSE */
};

void rtf_lex_init(struct rtf_lexer *lx, const guint8 *data, gsize len);
/* The next token; FALSE with lx->error on malformed input. EOF is a token. */
gboolean rtf_lex_next(struct rtf_lexer *lx, struct rtf_token *t);
/* 0-15 for a hex digit (either case), -1 otherwise. */
int rtf_hex_value(guint8 c);

/* A piece of output: `delim` is TRUE when it ends in a control word that
 * needs a space before following text. */
struct rtf_buf {
	GString *s;
	gboolean delim;
};

void rtf_buf_init(struct rtf_buf *b);
void rtf_buf_clear(struct rtf_buf *b);
void rtf_buf_word(struct rtf_buf *b, const char *name, gboolean has_param, gint32 param);
/* A control symbol, an escape or a brace: no delimiter needed after it. */
void rtf_buf_raw(struct rtf_buf *b, const char *s);
void rtf_buf_hex_escape(struct rtf_buf *b, guint8 byte);
/* One byte of text, escaped as needed (>= 0x80 as \'hh, tab as \tab). */
void rtf_buf_text_byte(struct rtf_buf *b, guint8 c);
/* Picture data as lowercase hex digits. */
void rtf_buf_hex_data(struct rtf_buf *b, const guint8 *data, gsize len);
void rtf_buf_append(struct rtf_buf *dst, const struct rtf_buf *src);
/* The canonical RTF in `in`, with CRLF line breaks at token boundaries. */
void rtf_wrap_lines(const GString *in, GByteArray *out);

/* Field instructions (rtf-fields.c). */
enum rtf_field_verdict {
	RTF_FIELD_KEEP,
	RTF_FIELD_RUNS,     /* DDE, INCLUDETEXT, ...: replaced by its result (field) */
	RTF_FIELD_FETCHES,  /* remote INCLUDEPICTURE, hyperlink to a file: external-reference */
	RTF_FIELD_WEB_LINK, /* HYPERLINK to http(s)/mailto: kept unless neutralized */
};

/* `keyword` receives the field's name upper-cased (at most 31 bytes). */
enum rtf_field_verdict rtf_field_judge(const GString *instr, char keyword[32]);
/* A link target is a web or mail address (http, https, mailto). */
gboolean rtf_target_is_web(const char *target, gsize len);

/* ---- the rewriter's state (rtf.c, rtf-groups.c) ---------------------- */

#define RTF_MAX_SINK 4096 /* bytes of a field instruction, \sn or \hlsrc kept */

enum frame_kind {
	F_NORMAL,
	F_DROP,
	F_OBJECT,
	F_RESULT,
	F_FIELD,
	F_FLDINST,
	F_FLDRSLT,
	F_PICT,
	F_SP,
	F_HL,
};

enum pict_kind { P_NONE, P_PNG, P_JPEG, P_KEEP };

struct field {
	struct rtf_buf whole; /* \field and everything in it */
	struct rtf_buf rslt;  /* the inside of its \fldrslt groups */
	GString *instr;
	gboolean nested;   /* a field inside the instruction */
	gboolean overflow; /* the instruction is longer than RTF_MAX_SINK */
	gboolean has_inst;
};

struct pict {
	struct rtf_buf props;
	GByteArray *data;
	int nibble; /* a pending high half-byte, or -1 */
	enum pict_kind kind;
};

/* \sp (name = its \sn text) and \*\hl (name = its \hlsrc text) */
struct named {
	struct rtf_buf buf;
	GString *name;
	gboolean overflow;
};

struct frame {
	enum frame_kind kind;
	gboolean pending;  /* '{' read, its destination not yet known */
	gboolean star;     /* \* before the destination */
	gboolean star_mid; /* \* in the middle of the group, waiting for its word */
	struct rtf_buf *wrap; /* receives the braces; NULL: none */
	struct rtf_buf *out;  /* receives the content; NULL: dropped */
	GString *sink;        /* also receives the text */
	struct field *sink_field; /* the field whose instruction `sink` is */
	struct named *sink_named; /* the \sp or \*\hl whose name it is */
	gint32 uc; /* \ucN: fallback bytes after \uN */
	gboolean objlink;
	struct rtf_buf *place; /* F_OBJECT: where its \result goes */
	struct field *field;   /* F_FIELD; F_FLDRSLT: its field */
	struct pict *pict;
	struct named *named;
	struct rtf_buf own; /* F_FLDRSLT: its inside */
};

struct rtf {
	struct cdr_job *job;
	gboolean neutralize_links;
	struct rtf_lexer lx;
	struct frame *stack;
	unsigned depth;
	guint64 groups;
	gint32 skip; /* \uN fallback bytes still to leave out of the sink */
	struct rtf_buf main;
	gboolean removed;
	gboolean failed; /* the error is on the job */
};

/* Record a removal (marks the document sanitized). */
void rtf_removed(struct rtf *r, const char *what, const char *where);
/* Write group f's opening brace (and \* and `word`) into f->wrap. */
void rtf_emit_open(struct frame *f, const char *word);
void rtf_finish_field(struct rtf *r, struct frame *f);
void rtf_finish_pict(struct rtf *r, struct frame *f);
void rtf_finish_named(struct rtf *r, struct frame *f);
/* Note a picture-type word (\pngblip, \wmetafile, ...) of a \pict. */
void rtf_pict_word(struct pict *pc, const char *name);
