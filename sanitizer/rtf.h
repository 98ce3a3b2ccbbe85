/*
 * NAME
 *	rtf.h - the RTF tokenizer, writer and field rules shared by rtf*.c
 * SUMMARY
 *	rtf-lex.c cuts RTF into tokens (groups, control words and symbols,
 *	\'hh escapes, text runs, \binN data); rtf-write.c writes canonical
 *	RTF; rtf-fields.c reads the text of field codes and link targets
 *	(code pages, fonts) for the shared field rules (office-fields.c);
 *	rtf.c applies the rules, rtf-groups.c judges fields and closes
 *	pictures and shape properties.
 */
#pragma once

#include <glib.h>

#include "cdr.h"
#include "office-fields.h"

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

/* ---- the rewriter's state (rtf.c, rtf-groups.c, rtf-fields.c) -------- */

#define RTF_MAX_SINK 4096 /* bytes of a \sn or \hlsrc name kept */
/* A field is held back until its code is judged (at the end of its
 * \fldinst, at its \fldrslt, or when it closes), then written on at
 * once: kept, or only its result. A field whose code group, with
 * everything nested in it, passes this many bytes of output is replaced
 * by its result, so nested fields are copied a bounded number of times. */
#define RTF_MAX_FIELD_CODE (256 * 1024)

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

/* Which readings of a field code a group's text belongs to:
 * \upr{ANSI text}{\*\ud{Unicode text}} gives a code two. */
enum { RTF_READ_ANSI = 1, RTF_READ_UNICODE = 2, RTF_READ_BOTH = 3 };

struct field {
	struct rtf_buf whole; /* until judged: \field and its code group */
	struct office_field_code code;    /* as a reader of the ANSI text reads it */
	struct office_field_code code_ud; /* as a Unicode reader does, once a \upr came */
	gboolean has_ud;
	gboolean has_inst;
	gboolean judged;
	gboolean keep; /* judged harmless: written on as it is */
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
	struct field *sink_field; /* the text also goes to this field's code */
	struct named *sink_named; /* or to the name of this \sp or \*\hl */
	unsigned sink_reading;    /* RTF_READ_*: the field code readings it goes to */
	gboolean upr;             /* a \upr group in a field code */
	gint32 uc; /* \ucN: fallback bytes after \uN */
	gint32 font;       /* \fN in effect */
	gboolean fonttbl;  /* inside the font table */
	gboolean objlink;
	struct rtf_buf *place; /* F_OBJECT: where its \result goes */
	struct field *field;   /* F_FIELD */
	struct pict *pict;
	struct named *named;
};

struct rtf {
	struct cdr_job *job;
	const struct cdr_policy *policy;
	gboolean neutralize_links;
	struct rtf_lexer lx;
	struct frame *stack;
	unsigned depth;
	guint64 groups;
	gint32 skip; /* \uN fallback bytes still to leave out of the sink */
	guint ansicpg;       /* \ansicpgN: the document's code page */
	gint32 deff;         /* \deffN */
	gint32 font_def;     /* the font being defined in the font table */
	GHashTable *font_cp; /* font number -> its code page, when it has one */
	guint8 lead;         /* a double-byte character's first byte, pending */
	struct rtf_buf main;
	gboolean removed;
	gboolean failed; /* the error is on the job */
};

/* Record a removal (marks the document sanitized). */
void rtf_removed(struct rtf *r, const char *what, const char *where);
/* Write group f's opening brace (and \* and `word`) into f->wrap. */
void rtf_emit_open(struct frame *f, const char *word);
/* Judge field f's code (once) and write what was held back: the field
 * so far, or nothing, its result following alone. */
void rtf_judge_field(struct rtf *r, struct frame *f);
void rtf_finish_field(struct rtf *r, struct frame *f);
void rtf_finish_pict(struct rtf *r, struct frame *f);
void rtf_finish_named(struct rtf *r, struct frame *f);
/* Note a picture-type word (\pngblip, \wmetafile, ...) of a \pict. */
void rtf_pict_word(struct pict *pc, const char *name);

/* Text for a field code or a name (rtf-fields.c): a character; a byte of
 * text in the code page of the font in use; a control word that stands
 * for a character (\par, \tab, \emspace, \ldblquote, ...). */
void rtf_sink_char(struct rtf *r, struct frame *f, gunichar ch);
void rtf_sink_byte(struct rtf *r, struct frame *f, guint8 byte);
void rtf_sink_word(struct rtf *r, struct frame *f, const char *name);
/* A nested field begins in field fl's code. */
void rtf_field_nested(struct field *fl);
/* Group f (parent p) starts with word `name`: \upr and \ud split a
 * field code into its ANSI and Unicode readings. */
void rtf_sink_alternatives(struct frame *f, const struct frame *p, const char *name);
/* Words that define fonts and code pages (\ansicpg, \deff, \fN,
 * \fcharset, \cpg, \plain). */
void rtf_font_word(struct rtf *r, struct frame *f, const struct rtf_token *t);
