/*
 * NAME
 *	csv.c - CSV/TSV: text validation plus formula-injection neutralizing
 * SUMMARY
 *	Excel and LibreOffice evaluate a cell that begins with = + - @ as a
 *	formula, which can start programs (DDE: =cmd|' /C calc'!A0) or fetch
 *	URLs (=HYPERLINK, =WEBSERVICE). Such cells get a leading apostrophe,
 *	which makes the spreadsheet show them as text. Numbers such as -5 or
 *	+81-3-1234-5678 are left alone.
 * DESCRIPTION
 *	A cell is judged under every reading a spreadsheet may apply, and the
 *	file is clean only when it is clean under each:
 *	- every encoding a reader may decode it in: the detected charset;
 *	  without a byte-order mark also CP932 (Japanese Excel reads any .csv
 *	  without BOM so, whatever it is) in two ways (csv-read.c) and UTF-8
 *	  (LibreOffice's default); with a BOM only what the BOM says;
 *	- every separator: ',' (Japanese Excel), ';' (European locales), tab
 *	  (Excel reads UTF-16 and "text" files so, TSV) and the X of a first
 *	  line "sep=X", which makes Excel split on X.
 *	A cell starts at the start of a line or after a separator; a '"' at its
 *	very start opens quoting ("" inside is a quote), line ends and
 *	separators inside quotes belong to the cell. The cell is a formula
 *	when, after blank characters (space, tab, CR, LF, U+3000 and the other
 *	no-break, typographic and zero-width spaces, control characters,
 *	invisible escape sequences) and the quotes, it begins with
 *	= or @, or with + or - not followed by a plain number only; the
 *	fullwidth forms ＝＠＋－ count the same (Japanese Excel turns
 *	fullwidth input into ASCII in some paths).
 *	Every formula start found by any reading gets an apostrophe; inside an
 *	ISO-2022-JP double-byte run, where only another reading sees a cell,
 *	an escape sequence that ISO-2022-JP readers do not show (marks_for()).
 *	It must fall on a character boundary of the detected charset, or the
 *	file is blocked: an apostrophe in the middle of a kanji would garble it.
 *	The result is read again under every reading and must hold no
 *	formula, and be text in the same charset, or the file is blocked.
 */
#include <string.h>

#include "actions.h"
#include "csv-read.h"
#include "excerpt.h"
#include "handlers.h"
#include "text.h"

#define MAX_READINGS 4
#define MAX_SEPARATORS 4

/* Where a cell is in being judged. */
enum judge {
	J_START,   /* only blanks so far */
	J_SIGN,    /* began with + or -: a plain number so far */
	J_FORMULA, /* a formula: starts at `at` */
	J_DONE,    /* not a formula */
};

/* A formula sign found by some reading; `own`: by the file's own charset's. */
struct formula {
	gsize at;
	gboolean own;
};

/* One separator's view of the text: cells and their judgement. */
struct split {
	guint32 sep;
	gboolean strict;          /* a reading a spreadsheet applies by default (see is_active) */
	gboolean name;            /* the last character could belong to a function name */
	gboolean quoted, closing; /* in quotes; a quote just seen there */
	gboolean pristine;        /* nothing but hidden characters in the cell yet */
	enum judge judge;
	gsize at; /* the sign of a formula */
};

static gboolean
is_blank(const struct csv_char *c)
{
	return c->hidden || c->norm == ' ' || (c->code < 0x20 && c->code != 0) || c->code == 0x7f;
}

static gboolean
is_number_char(unsigned norm)
{
	return norm && norm < 0x80 && (g_ascii_isdigit(norm) || strchr("+-., %/:eE", (int)norm));
}

/*
 * Under a separator the file was not written for, a whole line or several
 * cells run together ("-5,東京,..." read with ';'), so a sign followed by
 * anything but a number is common in harmless files. There a + or - cell
 * counts as a formula only when it holds what makes a formula act: a DDE
 * '|', a sheet or workbook reference '!' '[', or a function call.
 */
static gboolean
is_active(const struct split *s, const struct csv_char *c)
{
	return c->norm == '|' || c->norm == '!' || c->norm == '[' || (c->norm == '(' && s->name);
}

/* A character of the cell's content (not structure) seen by the judge. */
static void
judge_content(struct split *s, const struct csv_char *c)
{
	switch (s->judge) {
	case J_START:
		if (is_blank(c) || c->code == '"') /* also ' "=1"': LibreOffice may trim */
			return;
		if (c->norm == '=' || c->norm == '@') {
			s->judge = J_FORMULA;
			s->at = c->at;
		} else if (c->norm == '+' || c->norm == '-') {
			s->judge = J_SIGN;
			s->at = c->at;
		} else {
			s->judge = J_DONE;
		}
		return;
	case J_SIGN:
		if (s->strict ? !is_blank(c) && !is_number_char(c->norm) : is_active(s, c))
			s->judge = J_FORMULA;
		s->name = c->norm < 0x80 && (g_ascii_isalpha(c->norm) ||
					     (s->name && (g_ascii_isdigit(c->norm) ||
							  c->norm == '.' || c->norm == '_')));
		return;
	case J_FORMULA:
	case J_DONE:
		return;
	}
}

static void
end_cell(struct split *s, GArray *starts, gboolean own)
{
	if (s->judge == J_FORMULA) {
		struct formula f = { s->at, own };
		g_array_append_val(starts, f);
	}
	s->judge = J_START;
	s->quoted = s->closing = s->name = FALSE;
	s->pristine = TRUE;
}

/* Most cells are decided by their first character: skip the call after. */
static inline void
judge(struct split *s, const struct csv_char *c)
{
	if (s->judge == J_START || s->judge == J_SIGN)
		judge_content(s, c);
}

static void
split_char(struct split *s, const struct csv_char *c, GArray *starts, gboolean own)
{
	if (s->closing) {
		s->closing = FALSE;
		if (c->code == '"') { /* "" inside quotes: a quote in the cell */
			judge(s, c);
			return;
		}
		s->quoted = FALSE;
	}
	if (s->quoted) {
		if (c->code == '"')
			s->closing = TRUE;
		else
			judge(s, c);
		return;
	}
	if (c->code == '"' && s->pristine) {
		s->quoted = TRUE;
		s->pristine = FALSE;
		return;
	}
	if (c->code == s->sep || c->code == '\n' || c->code == '\r') {
		end_cell(s, starts, own);
		return;
	}
	if (!c->hidden)
		s->pristine = FALSE;
	judge(s, c);
}

/* The X of a first line "sep=X" (after blanks and a quote), or 0. */
static guint32
sep_directive(const guint8 *data, gsize len, gsize start, enum csv_encoding enc)
{
	struct csv_reader r;
	struct csv_char c;
	csv_reader_init(&r, data, len, start, enc);
	gboolean more;
	while ((more = csv_reader_next(&r, &c)) && (is_blank(&c) || c.code == '"') &&
	       c.code != '\n' && c.code != '\r')
		;
	for (const char *want = "sep="; more && *want; want++) {
		if (c.code >= 0x80 || g_ascii_tolower((char)c.code) != *want)
			return 0;
		more = csv_reader_next(&r, &c);
	}
	return more && c.code != '\n' && c.code != '\r' ? c.code : 0;
}

struct readings {
	enum csv_encoding enc[MAX_READINGS];
	unsigned n;
	enum csv_encoding own; /* the detected charset's reading */
	gsize start;           /* after the byte-order mark */
	unsigned unit;         /* 1, or 2 for UTF-16 */
	guint32 delim;         /* ',' or, for .tsv and UTF-16 (Excel's Unicode text), tab */
};

/* The readings a spreadsheet applies without being asked: the file's own
 * charset, or CP932 (Japanese Excel), with the separator of its kind (or
 * the one "sep=" names). The other readings judge + and - more loosely. */
static gboolean
is_strict(const struct readings *rs, enum csv_encoding enc, guint32 sep)
{
	return (enc == rs->own || enc == CSV_CP932) && sep == rs->delim;
}

/* Formula starts in one encoding under every separator: appended to `starts`. */
static void
read_cells(const guint8 *data, gsize len, const struct readings *rs, enum csv_encoding enc,
	   gboolean own, GArray *starts)
{
	struct split splits[MAX_SEPARATORS] = {
		{ .sep = ',' }, { .sep = ';' }, { .sep = '\t' },
	};
	unsigned n = 3;
	guint32 directive = sep_directive(data, len, rs->start, enc);
	if (directive && directive != ',' && directive != ';' && directive != '\t')
		splits[n++].sep = directive;
	for (unsigned i = 0; i < n; i++) {
		splits[i].pristine = TRUE;
		splits[i].strict = splits[i].sep == directive || is_strict(rs, enc, splits[i].sep);
	}

	struct csv_reader r;
	struct csv_char c;
	csv_reader_init(&r, data, len, rs->start, enc);
	while (csv_reader_next(&r, &c))
		for (unsigned i = 0; i < n; i++)
			split_char(&splits[i], &c, starts, own);
	for (unsigned i = 0; i < n; i++)
		end_cell(&splits[i], starts, own);
}

static void
add_reading(struct readings *rs, enum csv_encoding enc)
{
	for (unsigned i = 0; i < rs->n; i++)
		if (rs->enc[i] == enc)
			return;
	rs->enc[rs->n++] = enc;
}

static gboolean
has_high_bytes(const guint8 *data, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if (data[i] >= 0x80)
			return TRUE;
	return FALSE;
}

static struct readings
readings_for(const guint8 *data, gsize len, enum cdr_charset cs, guint32 delim)
{
	struct readings rs = { .unit = 1, .delim = delim };
	switch (cs) {
	case CDR_CS_UTF16LE: rs.own = CSV_UTF16LE; break;
	case CDR_CS_UTF16BE: rs.own = CSV_UTF16BE; break;
	case CDR_CS_CP932: rs.own = CSV_CP932; break;
	case CDR_CS_EUCJP: rs.own = CSV_EUCJP; break;
	case CDR_CS_ISO2022JP: rs.own = CSV_ISO2022JP; break;
	default: rs.own = CSV_UTF8; break;
	}
	add_reading(&rs, rs.own);
	if (cs == CDR_CS_UTF16LE || cs == CDR_CS_UTF16BE) {
		rs.start = rs.unit = 2;
		rs.delim = '\t';
		return rs;
	}
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		rs.start = 3; /* Excel and LibreOffice take the BOM's word for it */
		return rs;
	}
	add_reading(&rs, CSV_UTF8);
	if (has_high_bytes(data, len)) { /* else CP932 reads what UTF-8 reads */
		add_reading(&rs, CSV_CP932);
		add_reading(&rs, CSV_CP932_GREEDY);
	}
	return rs;
}

static gint
compare_offsets(gconstpointer a, gconstpointer b)
{
	gsize x = ((const struct formula *)a)->at, y = ((const struct formula *)b)->at;
	return x < y ? -1 : x > y;
}

/* Formula starts under every reading, sorted, each once. */
static GArray *
formula_starts(const guint8 *data, gsize len, const struct readings *rs)
{
	GArray *starts = g_array_new(FALSE, FALSE, sizeof(struct formula));
	for (unsigned i = 0; i < rs->n; i++)
		read_cells(data, len, rs, rs->enc[i], rs->enc[i] == rs->own, starts);
	g_array_sort(starts, compare_offsets);
	guint kept = 0;
	for (guint i = 0; i < starts->len; i++) {
		struct formula *f = &g_array_index(starts, struct formula, i);
		struct formula *last = kept ? &g_array_index(starts, struct formula, kept - 1) : NULL;
		if (last && last->at == f->at)
			last->own |= f->own;
		else
			g_array_index(starts, struct formula, kept++) = *f;
	}
	g_array_set_size(starts, kept);
	return starts;
}

/*
 * The bytes that neutralize each start in the file's own charset: an
 * apostrophe (for UTF-16 a UTF-16 apostrophe). In an ISO-2022-JP double-byte
 * or kana run, the sign is a byte of a character for the file's own
 * reading: when only another reading sees a cell there, an escape sequence
 * that repeats the current mode goes before it, which ISO-2022-JP readers
 * do not show and the others read as ESC and two letters, not a formula;
 * when the own reading sees the formula too (＝ starting a cell), an
 * apostrophe wrapped in escapes to ASCII and back. NULL when a start does
 * not fall on a character boundary of the own charset.
 */
static GPtrArray *
marks_for(const guint8 *data, gsize len, const struct readings *rs, const GArray *starts,
	  enum cdr_charset cs)
{
	static const guint8 le[] = { '\'', 0 }, be[] = { 0, '\'' };
	GPtrArray *marks = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	struct csv_reader r;
	struct csv_char c;
	csv_reader_init(&r, data, len, rs->start, rs->own);
	for (guint i = 0; i < starts->len; i++) {
		const struct formula *f = &g_array_index(starts, struct formula, i);
		while (r.pos < f->at && csv_reader_next(&r, &c))
			;
		if (r.pos != f->at) {
			g_ptr_array_unref(marks);
			return NULL;
		}
		const char *mark;
		if (rs->unit == 2)
			mark = (const char *)(cs == CDR_CS_UTF16BE ? be : le);
		else if (csv_reader_in_ascii(&r))
			mark = "'";
		else if (r.shifted)
			mark = f->own ? "\x0f'\x0e" : "\x0f\x1b(B\x0e";
		else if (r.jis == JIS_KANA)
			mark = f->own ? "\x1b(B'\x1b(I" : "\x1b(I";
		else
			mark = f->own ? "\x1b(B'\x1b$B" : "\x1b$B";
		g_ptr_array_add(marks, g_bytes_new_static(mark, rs->unit == 2 ? 2 : strlen(mark)));
	}
	return marks;
}

static GByteArray *
insert_marks(const guint8 *data, gsize len, const GArray *starts, const GPtrArray *marks)
{
	GByteArray *out = g_byte_array_sized_new((guint)MIN(len + starts->len * 7, G_MAXUINT));
	gsize copied = 0;
	for (guint i = 0; i < starts->len; i++) {
		gsize at = g_array_index(starts, struct formula, i).at, n;
		const guint8 *mark = g_bytes_get_data(marks->pdata[i], &n);
		g_byte_array_append(out, data + copied, (guint)(at - copied));
		g_byte_array_append(out, mark, (guint)n);
		copied = at;
	}
	g_byte_array_append(out, data + copied, (guint)(len - copied));
	return out;
}

static gboolean
name_is_csv(const char *name, unsigned *delim)
{
	if (!name)
		return FALSE;
	const char *dot = strrchr(name, '.');
	if (dot && g_ascii_strcasecmp(dot, ".csv") == 0) {
		*delim = ',';
		return TRUE;
	}
	if (dot && g_ascii_strcasecmp(dot, ".tsv") == 0) {
		*delim = '\t';
		return TRUE;
	}
	return FALSE;
}

static int
csv_bid(const struct cdr_input *in)
{
	unsigned delim;
	/* Content says text; the name says a spreadsheet will open it. */
	return text_may_be_text(in) && name_is_csv(in->name, &delim) ? 20 : 0;
}

/* Neutralize in->data into out; CDR_BLOCKED when that cannot be done cleanly. */
static enum cdr_verdict
neutralize(struct cdr_job *job, const struct cdr_input *in, enum cdr_charset cs, unsigned delim,
	   GByteArray *out)
{
	struct readings rs = readings_for(in->data, in->len, cs, delim);
	g_autoptr(GArray) starts = formula_starts(in->data, in->len, &rs);
	if (starts->len == 0) {
		g_byte_array_append(out, in->data, (guint)in->len);
		return CDR_CLEAN;
	}
	g_autoptr(GPtrArray) marks = marks_for(in->data, in->len, &rs, starts, cs);
	if (!marks)
		return cdr_job_error(job, CDR_E_DANGEROUS,
				     "a CSV cell is a formula when the file is read as %s or %s but "
				     "lies inside a character of its own charset (%s): an apostrophe "
				     "there would garble the text",
				     csv_encoding_name(CSV_CP932), csv_encoding_name(CSV_UTF8),
				     cdr_charset_name(cs));
	g_autoptr(GByteArray) fixed = insert_marks(in->data, in->len, starts, marks);
	struct cdr_charsets *charsets = cdr_engine_charsets(cdr_job_engine(job));
	g_autoptr(GArray) left = formula_starts(fixed->data, fixed->len, &rs);
	if (left->len || cdr_charset_detect_text(charsets, fixed->data, fixed->len) != cs)
		return cdr_job_error(job, CDR_E_DANGEROUS,
				     "CSV formulas could not be neutralized under every reading of "
				     "the file (encodings and separators)");
	g_byte_array_append(out, fixed->data, fixed->len);
	cdr_job_action(job, CDR_ACT_CSV_FORMULA, NULL, starts->len);
	return CDR_SANITIZED;
}

static enum cdr_verdict
csv_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	unsigned delim = ',';
	enum cdr_charset cs = text_validate(job, in);
	if (cs == CDR_CS_UNKNOWN)
		return CDR_BLOCKED;
	name_is_csv(in->name, &delim);
	out->type = text_mime_type("text/csv", cs);
	out->ext = delim == '\t' ? "tsv" : "csv";

	if (!cdr_job_policy(job)->csv_neutralize_formulas) {
		g_byte_array_append(out->data, in->data, (guint)in->len);
		return CDR_CLEAN;
	}
	return neutralize(job, in, cs, delim, out->data);
}

static const char *const csv_extensions[] = { "csv", "tsv", NULL };

const struct cdr_handler cdr_handler_csv = {
	.name = "csv",
	.extensions = csv_extensions,
	.mime_type = "text/csv",
	.bid = csv_bid,
	.sanitize = csv_sanitize,
	.excerpt = text_excerpt,
};
