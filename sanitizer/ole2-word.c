/*
 * NAME
 *	ole2-word.c - Word 97+ documents: encryption and dangerous fields
 * SUMMARY
 *	A Word field is text: 0x13, the code, 0x14, the shown result, 0x15.
 *	Fields are judged by the rules the ooxml and rtf handlers apply
 *	(office-fields.c): DDE and DDEAUTO start programs (the 2017
 *	"DDEAUTO c:\\windows\\system32\\cmd.exe" mails), INCLUDETEXT,
 *	INCLUDEPICTURE, INCLUDE, IMPORT, LINK, DATABASE and RD fetch files or
 *	URLs, a HYPERLINK to a share or file leaks or runs, and so on.
 *	Removing a field means rewriting the text, the piece table and every
 *	character position after it, so a document holding one is blocked,
 *	with the field and the reason named.
 * DESCRIPTION
 *	The FIB is read for its version (Word 97 or later only), its flags
 *	(fEncrypted blocks as password-protected; fWhichTblStm names the table
 *	stream) and the place of the CLX. The CLX's piece table gives the
 *	document text (all sub-documents: body, headers, footnotes, comments,
 *	text boxes), 8-bit or UTF-16LE piece by piece, read in order as one
 *	text, so a code split over two pieces is read whole. One pass keeps
 *	a stack of the fields open: each character goes to the innermost
 *	code, a field's code is judged at its separator (or end, or the end
 *	of the text), and a field begun inside a code before its keyword is
 *	complete makes the keyword computed. Then the whole WordDocument
 *	stream is scanned raw, as 8-bit and as UTF-16LE text at both
 *	alignments, by the same rules, so text the piece table hides from us
 *	but another reader might find is not missed.
 */
#include <string.h>

#include "office-fields.h"
#include "ole2.h"

#define FIB_IDENT 0xA5ECu
#define FIB_NFIB_WORD97 0x00C1u
#define FIB_FLAGS 0x0A
#define FIB_F_ENCRYPTED 0x0100u
#define FIB_F_WHICH_TABLE 0x0200u
#define FIB_BASE_LEN 32
#define FIB_CLX_INDEX OLE2_FIB_CLX
#define FIELD_BEGIN 0x13
#define FIELD_SEPARATOR 0x14
#define FIELD_END 0x15
#define FIELD_DEPTH_MAX 1024 /* Word nests a few levels; 20,000 is an attack */

/* Characters of the text, whatever their width. */
struct chars {
	const guint8 *data;
	gsize count;
	unsigned width; /* 1 or 2 */
};

static guint16
char_at(const struct chars *c, gsize i)
{
	return c->width == 1 ? c->data[i] : ole2_u16(c->data + 2 * i);
}

/* Character i as Unicode: 8-bit ("compressed") text is Windows-1252,
 * of which the no-break space, soft hyphen and quotes matter here; Word's
 * optional hyphen (0x1F) and no-break hyphen (0x1E) are what they show. */
static gunichar
text_char(const struct chars *c, gsize i)
{
	guint16 ch = char_at(c, i);
	if (ch == 0x1F)
		return 0x00AD;
	if (ch == 0x1E)
		return 0x2011;
	return c->width == 2 ? ch : office_field_cp1252_char((guint8)ch);
}

/* A field open at this point of the text. */
struct open_field {
	struct office_field_code code;
	gboolean in_code; /* before its separator */
	gboolean binary;  /* raw scan: a character other than printable ASCII came */
};

/* The fields open, innermost last: one pass over the characters, each
 * going to the innermost field's code only. A raw scan reads the stream as
 * text, binary parts and all (and UTF-16 text as 8-bit: Japanese text is
 * full of 0x13 bytes there), so it judges only codes of printable ASCII,
 * takes a keyword as computed only when a nested field follows nothing but
 * spaces, and stops counting fields nested deeper than FIELD_DEPTH_MAX; in
 * the piece table's text such nesting blocks. */
struct scan {
	const struct cdr_policy *policy;
	gboolean raw;
	GArray *open; /* struct open_field */
	gboolean blocked;
	struct ole2_problem *p;
};

static void
scan_init(struct scan *s, const struct cdr_policy *policy, gboolean raw, struct ole2_problem *p)
{
	s->policy = policy;
	s->raw = raw;
	s->open = g_array_new(FALSE, TRUE, sizeof(struct open_field));
	s->blocked = FALSE;
	s->p = p;
}

static void
block(struct scan *s, const char *keyword, const char *why)
{
	if (s->blocked)
		return;
	s->blocked = TRUE;
	g_snprintf(s->p->detail, sizeof(s->p->detail),
		   "Word %s%sfield: %s (a Word 97-2003 document's text cannot be rewritten)",
		   keyword, *keyword ? " " : "", why);
	cdr_failure_set(&s->p->failure, CDR_E_DANGEROUS, s->p->detail);
}

/* The innermost field's code is complete (or its keyword computed). */
static void
judge(struct scan *s, struct open_field *f)
{
	struct office_field_judgement j = { 0 };
	if (!(s->raw && f->binary) &&
	    office_field_judge(s->policy, &f->code, &j) != OFFICE_FIELD_KEPT)
		block(s, j.keyword, j.why);
	office_field_code_clear(&f->code);
	f->in_code = FALSE;
}

static struct open_field *
top(struct scan *s)
{
	return s->open->len ? &g_array_index(s->open, struct open_field, s->open->len - 1)
			    : NULL;
}

static void
pop(struct scan *s)
{
	if (top(s)->in_code)
		judge(s, top(s));
	g_array_set_size(s->open, s->open->len - 1);
}

static gboolean
only_spaces(const struct office_field_code *c)
{
	for (gsize i = 0; c->text && i < c->text->len; i++) {
		char ch = c->text->str[i];
		if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n')
			return FALSE;
	}
	return TRUE;
}

static void
begin(struct scan *s)
{
	struct open_field *f = top(s);
	if (f && f->in_code && !s->raw) {
		office_field_code_nested(&f->code);
		if (f->code.computed) /* removed whatever comes: block now */
			judge(s, f);
	} else if (f && f->in_code && !f->binary && only_spaces(&f->code)) {
		f->code.computed = TRUE;
		judge(s, f);
	}
	if (s->open->len >= FIELD_DEPTH_MAX) {
		if (!s->raw)
			block(s, "", "fields nested deeper than Word nests them");
		return;
	}
	struct open_field fresh = { .in_code = TRUE };
	g_array_append_val(s->open, fresh);
}

/* One character of the text. */
static void
scan_char(struct scan *s, gunichar ch)
{
	struct open_field *f = top(s);
	if (ch == FIELD_BEGIN) {
		begin(s);
	} else if (ch == FIELD_SEPARATOR && f) {
		if (f->in_code)
			judge(s, f);
	} else if (ch == FIELD_END && f) {
		pop(s);
	} else if (f && f->in_code) {
		if (ch > 0x7E || (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r'))
			f->binary = TRUE;
		office_field_code_append_char(&f->code, ch);
	}
}

/* Fields left open at the end of the text are judged as they are. */
static const char *
scan_end(struct scan *s)
{
	while (s->open->len)
		pop(s);
	g_array_free(s->open, TRUE);
	return s->blocked ? s->p->failure.why : NULL;
}

/* The raw stream as text of one width: the same rules, on what looks like
 * text. */
static const char *
scan_raw(const struct chars *c, const struct cdr_policy *policy, struct ole2_problem *p)
{
	struct scan s;
	scan_init(&s, policy, TRUE, p);
	for (gsize i = 0; i < c->count && !s.blocked; i++)
		scan_char(&s, text_char(c, i));
	return scan_end(&s);
}

/* The start of the FIB's part `which` (0: fibRgLw, 1: fibRgFcLcb) and its
 * count of entries; FALSE when the FIB is too short. */
static gboolean
fib_part(struct ole2_bytes w, unsigned which, gsize *pos, gsize *count)
{
	gsize at = FIB_BASE_LEN;
	if (w.len < at + 2)
		return FALSE;
	at += 2 + 2 * (gsize)ole2_u16(w.data + at); /* csw, fibRgW */
	if (w.len < at + 2)
		return FALSE;
	if (which == 1) {
		at += 2 + 4 * (gsize)ole2_u16(w.data + at); /* cslw, fibRgLw */
		if (w.len < at + 2)
			return FALSE;
	}
	*count = ole2_u16(w.data + at);
	*pos = at + 2;
	return TRUE;
}

gboolean
ole2_word_fib_pair(struct ole2_bytes word, unsigned index, guint32 *fc, guint32 *lcb)
{
	gsize pos, pairs;
	if (!fib_part(word, 1, &pos, &pairs) || pairs <= index ||
	    word.len < pos + 8 * ((gsize)index + 1))
		return FALSE;
	*fc = ole2_u32(word.data + pos + 8 * index);
	*lcb = ole2_u32(word.data + pos + 8 * index + 4);
	return TRUE;
}

gboolean
ole2_word_fib_long(struct ole2_bytes word, unsigned index, guint32 *value)
{
	gsize pos, longs;
	if (!fib_part(word, 0, &pos, &longs) || longs <= index ||
	    word.len < pos + 4 * ((gsize)index + 1))
		return FALSE;
	*value = ole2_u32(word.data + pos + 4 * index);
	return TRUE;
}

/* The PlcPcd inside the CLX at [fc, fc+lcb) of the table stream. */
static gboolean
clx_pieces(struct ole2_bytes table, guint32 fc, guint32 lcb, const guint8 **plc, gsize *n)
{
	if (fc > table.len || lcb > table.len - fc)
		return FALSE;
	const guint8 *p = table.data + fc, *end = p + lcb;
	while (p < end) {
		if (*p == 0x01) { /* Prc: property modifiers, skipped */
			if (end - p < 3)
				return FALSE;
			gsize cb = ole2_u16(p + 1);
			if ((gsize)(end - p - 3) < cb)
				return FALSE;
			p += 3 + cb;
			continue;
		}
		if (*p != 0x02 || end - p < 5)
			return FALSE;
		gsize len = ole2_u32(p + 1);
		if ((gsize)(end - p - 5) < len || len < 16 || (len - 4) % 12 != 0)
			return FALSE;
		*plc = p + 5;
		*n = (len - 4) / 12;
		return TRUE;
	}
	return FALSE;
}

const char *
ole2_word_piece(const struct ole2_word_pieces *t, gsize i, guint64 *total,
		struct ole2_word_piece *out)
{
	const guint8 *plc = t->plc;
	guint32 cp0 = ole2_u32(plc + 4 * i), cp1 = ole2_u32(plc + 4 * (i + 1));
	guint32 fc = ole2_u32(plc + 4 * (t->count + 1) + 8 * i + 2);
	if (cp1 < cp0)
		return "Word piece table out of order";
	out->cp = cp0;
	out->count = cp1 - cp0;
	if (fc & 0x40000000u) {
		out->width = 1;
		out->offset = (fc & 0x3FFFFFFFu) / 2;
	} else {
		out->width = 2;
		out->offset = fc;
	}
	*total += (guint64)out->count * out->width;
	if (out->offset > t->word.len || out->count > (t->word.len - out->offset) / out->width ||
	    *total > t->word.len)
		return "Word text piece outside the WordDocument stream";
	return NULL;
}

/* Every piece's text, in character position order, as one text: a field
 * code split over pieces (of either width) is read whole. FALSE with *p
 * filled when the table is broken or a field is dangerous. */
static gboolean
scan_pieces(const struct ole2_word_pieces *t, const struct cdr_policy *policy,
	    struct ole2_problem *p)
{
	struct scan s;
	scan_init(&s, policy, FALSE, p);
	guint64 total = 0;
	const char *broken = NULL;
	for (gsize i = 0; i < t->count && !broken && !s.blocked; i++) {
		struct ole2_word_piece piece;
		broken = ole2_word_piece(t, i, &total, &piece);
		if (broken)
			break;
		struct chars c = { t->word.data + piece.offset, piece.count, piece.width };
		for (gsize k = 0; k < c.count && !s.blocked; k++)
			scan_char(&s, text_char(&c, k));
	}
	if (broken) {
		(void)scan_end(&s);
		cdr_failure_set(&p->failure, CDR_E_PARSE, broken);
		return FALSE;
	}
	return scan_end(&s) == NULL;
}

gboolean
ole2_word_open(struct ole2_bytes word, struct ole2_bytes table0, struct ole2_bytes table1,
	       struct ole2_word_pieces *t, struct ole2_problem *p)
{
	if (word.len < FIB_BASE_LEN || ole2_u16(word.data) != FIB_IDENT) {
		cdr_failure_set(&p->failure, CDR_E_PARSE, "WordDocument stream without a Word FIB");
		return FALSE;
	}
	guint16 flags = ole2_u16(word.data + FIB_FLAGS);
	if (flags & FIB_F_ENCRYPTED) {
		cdr_failure_set(&p->failure, CDR_E_ENCRYPTED,
				"password-protected document (encrypted Word document)");
		return FALSE;
	}
	if (ole2_u16(word.data + 2) < FIB_NFIB_WORD97) {
		cdr_failure_set(&p->failure, CDR_E_UNSUPPORTED,
				"Word 6/95 document (older than Word 97)");
		return FALSE;
	}
	t->word = word;
	t->table = flags & FIB_F_WHICH_TABLE ? table1 : table0;
	guint32 fc, lcb;
	if (!t->table.data) {
		cdr_failure_set(&p->failure, CDR_E_PARSE, "Word document without its table stream");
		return FALSE;
	}
	if (!ole2_word_fib_pair(word, FIB_CLX_INDEX, &fc, &lcb) ||
	    !clx_pieces(t->table, fc, lcb, &t->plc, &t->count)) {
		cdr_failure_set(&p->failure, CDR_E_PARSE,
				"Word document without a readable piece table");
		return FALSE;
	}
	return TRUE;
}

gboolean
ole2_word_check(struct ole2_bytes word, struct ole2_bytes table0, struct ole2_bytes table1,
		const struct cdr_policy *policy, struct ole2_problem *p)
{
	struct ole2_word_pieces t;
	if (!ole2_word_open(word, table0, table1, &t, p) || !scan_pieces(&t, policy, p))
		return FALSE;

	/* The raw stream too, both ways, and UTF-16 at both alignments. */
	struct chars raw8 = { word.data, word.len, 1 };
	if (scan_raw(&raw8, policy, p))
		return FALSE;
	for (gsize shift = 0; shift < 2 && word.len > shift; shift++) {
		struct chars raw16 = { word.data + shift, (word.len - shift) / 2, 2 };
		if (scan_raw(&raw16, policy, p))
			return FALSE;
	}
	return TRUE;
}
