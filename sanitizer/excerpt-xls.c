/*
 * NAME
 *	excerpt-xls.c - the cells of an Excel 97-2003 workbook (BIFF8)
 * SUMMARY
 *	The first rows of each worksheet, in the order of the workbook's
 *	BOUNDSHEET records, cells tab-separated as the ooxml reader gives an
 *	xlsx: text from the shared string table (LABELSST) or the cell
 *	(LABEL), numbers (NUMBER, RK, MULRK, a formula's cached number or
 *	string) as the shortest decimal that reads back.
 * DESCRIPTION
 *	The workbook stream is a run of records (type, length, data). The
 *	globals give FILEPASS (encrypted: no text), BOUNDSHEET (each sheet's
 *	offset and type; chart, macro and module sheets are skipped) and the
 *	SST, whose strings run on into CONTINUE records: a string's characters
 *	may break at a record boundary, where a new option byte says their
 *	width; rich-text runs and phonetic blocks are skipped, which leaves
 *	furigana out as the xlsx reader does. A sheet's cell records come in
 *	row order; a cell out of order is ignored, at most EXCEL_ROWS rows and
 *	EXCEL_COLUMNS columns are shown.
 */
#include <string.h>

#include "excerpt-ole2.h"

#define EXCEL_ROWS 30
#define EXCEL_COLUMNS 40
#define MAX_STRINGS 200000
#define STRING_KEPT 4096 /* units of a string kept for display */

enum {
	REC_FORMULA = 0x0006, REC_EOF = 0x000A, REC_FILEPASS = 0x002F, REC_CONTINUE = 0x003C,
	REC_BOUNDSHEET = 0x0085, REC_MULRK = 0x00BD, REC_SST = 0x00FC, REC_LABELSST = 0x00FD,
	REC_NUMBER = 0x0203, REC_LABEL = 0x0204, REC_STRING = 0x0207, REC_RK = 0x027E,
	REC_BOF = 0x0809,
};

struct record {
	guint16 type;
	const guint8 *data;
	gsize len;
};

/* The record at *pos, moving past it; FALSE at the end or when cut. */
static gboolean
next_record(struct ole2_bytes b, gsize *pos, struct record *r)
{
	if (*pos > b.len || b.len - *pos < 4)
		return FALSE;
	r->type = ole2_u16(b.data + *pos);
	r->len = ole2_u16(b.data + *pos + 2);
	if (b.len - *pos - 4 < r->len)
		return FALSE;
	r->data = b.data + *pos + 4;
	*pos += 4 + r->len;
	return TRUE;
}

/* ---- strings that may run over CONTINUE records ----------------------- */

struct string_reader {
	GArray *segs; /* struct record: the SST, then its CONTINUEs */
	guint seg;
	gsize off;
};

static gboolean
at_end_of_segment(struct string_reader *s)
{
	while (s->seg < s->segs->len && s->off == g_array_index(s->segs, struct record, s->seg).len) {
		s->seg++;
		s->off = 0;
	}
	return s->seg >= s->segs->len;
}

/* n bytes (across segments) into out (NULL: skipped). */
static gboolean
take(struct string_reader *s, guint8 *out, gsize n)
{
	while (n) {
		if (at_end_of_segment(s))
			return FALSE;
		const struct record *r = &g_array_index(s->segs, struct record, s->seg);
		gsize k = MIN(n, r->len - s->off);
		if (out) {
			memcpy(out, r->data + s->off, k);
			out += k;
		}
		s->off += k;
		n -= k;
	}
	return TRUE;
}

/* An XLUnicodeRichExtendedString: its text as UTF-8 (the first
 * STRING_KEPT units), or NULL when cut. */
static char *
read_string(struct string_reader *s)
{
	guint8 head[3], more[4];
	if (!take(s, head, 3))
		return NULL;
	gsize cch = ole2_u16(head), runs = 0, ext = 0;
	guint8 flags = head[2];
	if ((flags & 0x08) && take(s, more, 2))
		runs = ole2_u16(more);
	else if (flags & 0x08)
		return NULL;
	if ((flags & 0x04) && take(s, more, 4))
		ext = ole2_u32(more);
	else if (flags & 0x04)
		return NULL;
	gboolean wide = flags & 0x01;
	GArray *units = g_array_new(FALSE, FALSE, sizeof(gunichar2));
	for (gsize i = 0; i < cch; i++) {
		guint8 c[2] = { 0, 0 };
		if (s->seg < s->segs->len &&
		    s->off == g_array_index(s->segs, struct record, s->seg).len) {
			/* the characters go on in a CONTINUE: a new option byte */
			guint8 opt;
			if (!take(s, &opt, 1))
				goto cut;
			wide = opt & 0x01;
		}
		if (!take(s, c, wide ? 2 : 1))
			goto cut;
		if (units->len < STRING_KEPT) {
			gunichar2 u = (gunichar2)(c[0] | c[1] << 8);
			g_array_append_val(units, u);
		}
	}
	if (!take(s, NULL, 4 * runs) || !take(s, NULL, ext))
		goto cut;
	char *text = g_utf16_to_utf8((const gunichar2 *)units->data, units->len, NULL, NULL, NULL);
	g_array_free(units, TRUE);
	return text ? text : g_strdup("\xef\xbf\xbd");
cut:
	g_array_free(units, TRUE);
	return NULL;
}

/* The SST and its CONTINUE records from `pos` (just after the SST). */
static GPtrArray *
shared_strings(struct ole2_bytes b, const struct record *sst, gsize pos, struct cdr_excerpt *x)
{
	GPtrArray *all = g_ptr_array_new_with_free_func(g_free);
	struct string_reader s = { g_array_new(FALSE, FALSE, sizeof(struct record)), 0, 8 };
	struct record r;
	if (sst->len < 8)
		goto out;
	g_array_append_val(s.segs, *sst);
	while (next_record(b, &pos, &r) && r.type == REC_CONTINUE)
		g_array_append_val(s.segs, r);
	gsize unique = ole2_u32(sst->data + 4);
	while (all->len < MIN(unique, MAX_STRINGS) && !at_end_of_segment(&s)) {
		char *text = read_string(&s);
		if (!text)
			break;
		g_ptr_array_add(all, text);
		if ((all->len & 0xFFF) == 0 && !cdr_excerpt_in_time(x))
			break;
	}
out:
	g_array_free(s.segs, TRUE);
	return all;
}

/* ---- a worksheet's cells --------------------------------------------- */

struct sheet {
	struct ole2_text *out;
	const GPtrArray *strings;
	unsigned rows;   /* rows shown so far */
	guint32 row;     /* the row being written; G_MAXUINT32: none yet */
	unsigned column; /* the column written last (tabs make up the gap) */
	gboolean formula_string; /* a FORMULA's string result follows */
	guint16 formula_column;
};

static void
show_text(struct ole2_text *out, const char *utf8)
{
	g_autofree gunichar2 *units = g_utf8_to_utf16(utf8, -1, NULL, NULL, NULL);
	for (gunichar2 *u = units; u && *u; u++) /* a cell's breaks would shift columns */
		ole2_text_unit(out, *u == '\t' || *u == '\r' || *u == '\n' ? ' ' : *u);
}

/* A cell's value at (row, col); FALSE once enough rows were shown. */
static gboolean
cell(struct sheet *s, guint32 row, guint16 col, const char *value)
{
	if (s->row != row) {
		if (s->row != G_MAXUINT32 && row < s->row)
			return TRUE; /* out of order: ignored */
		if (s->row != G_MAXUINT32)
			ole2_text_unit(s->out, '\n');
		if (s->rows++ == EXCEL_ROWS)
			return FALSE;
		s->row = row;
		s->column = 0;
	}
	if (!*value || col >= EXCEL_COLUMNS || col < s->column)
		return TRUE;
	for (; s->column < col; s->column++)
		ole2_text_unit(s->out, '\t');
	show_text(s->out, value);
	s->column = col;
	return TRUE;
}

static char *
number_text(double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	return g_strdup(g_ascii_formatd(buf, sizeof buf, "%.15g", v));
}

static double
le_double(const guint8 *p)
{
	guint64 bits = ole2_u32(p) | (guint64)ole2_u32(p + 4) << 32;
	double v;
	memcpy(&v, &bits, sizeof v);
	return v;
}

static double
rk_value(guint32 rk)
{
	double v;
	if (rk & 2) {
		v = (double)((gint32)rk >> 2);
	} else {
		guint64 bits = (guint64)(rk & 0xFFFFFFFCu) << 32;
		memcpy(&v, &bits, sizeof v);
	}
	return rk & 1 ? v / 100 : v;
}

/* An XLUnicodeString (cch, option byte, characters) inside one record. */
static char *
record_string(const guint8 *d, gsize len)
{
	if (len < 3)
		return NULL;
	gsize cch = ole2_u16(d), wide = d[2] & 1 ? 2 : 1;
	if ((len - 3) / wide < cch)
		return NULL;
	GString *u = g_string_new(NULL);
	for (gsize i = 0; i < cch; i++)
		g_string_append_unichar(u, wide == 2 ? ole2_u16(d + 3 + 2 * i) : d[3 + i]);
	char *text = g_utf8_make_valid(u->str, (gssize)u->len);
	g_string_free(u, TRUE);
	return text;
}

/* One record of a worksheet; FALSE once it has shown enough. */
static gboolean
sheet_record(struct sheet *s, const struct record *r)
{
	const guint8 *d = r->data;
	g_autofree char *value = NULL;
	gboolean string_follows = s->formula_string;
	s->formula_string = FALSE;
	if (r->type == REC_LABELSST && r->len >= 10) {
		guint32 k = ole2_u32(d + 6);
		return cell(s, ole2_u16(d), ole2_u16(d + 2),
			    k < s->strings->len ? s->strings->pdata[k] : "");
	}
	if (r->type == REC_LABEL && r->len >= 6)
		value = record_string(d + 6, r->len - 6);
	else if (r->type == REC_NUMBER && r->len >= 14) {
		value = number_text(le_double(d + 6));
	} else if (r->type == REC_RK && r->len >= 10)
		value = number_text(rk_value(ole2_u32(d + 6)));
	else if (r->type == REC_MULRK && r->len >= 6) {
		gsize n = (r->len - 6) / 6;
		for (gsize i = 0; i < n; i++) {
			g_autofree char *v = number_text(rk_value(ole2_u32(d + 4 + 6 * i + 2)));
			if (!cell(s, ole2_u16(d), (guint16)(ole2_u16(d + 2) + i), v))
				return FALSE;
		}
		return TRUE;
	} else if (r->type == REC_FORMULA && r->len >= 14) {
		if (ole2_u16(d + 12) != 0xFFFF) {
			value = number_text(le_double(d + 6));
		} else if (d[6] == 0) {
			s->formula_string = TRUE;
			s->formula_column = ole2_u16(d + 2);
			return cell(s, ole2_u16(d), ole2_u16(d + 2), "");
		}
	} else if (r->type == REC_STRING && string_follows) {
		value = record_string(d, r->len);
		return !value || cell(s, s->row, s->formula_column, value);
	}
	if (!value || r->len < 4)
		return TRUE;
	return cell(s, ole2_u16(d), ole2_u16(d + 2), value);
}

/* The sheet whose BOF is at `pos`, up to its EOF. */
static gboolean
excerpt_sheet(struct ole2_bytes b, gsize pos, struct sheet *s, struct cdr_excerpt *x)
{
	struct record r;
	if (!next_record(b, &pos, &r) || r.type != REC_BOF)
		return TRUE; /* not a sheet where it says: nothing shown */
	for (unsigned n = 0; next_record(b, &pos, &r) && r.type != REC_EOF; n++) {
		if (r.type == REC_BOF || !sheet_record(s, &r))
			break; /* an embedded chart's substream ends the cells */
		if ((n & 0xFFF) == 0xFFF && !cdr_excerpt_in_time(x))
			return FALSE;
		if (!s->out->more)
			return FALSE;
	}
	return s->out->more;
}

gboolean
xls_excerpt_text(struct cdr_excerpt *x, struct ole2_bytes book, const char **why)
{
	struct record r;
	gsize pos = 0;
	if (!next_record(book, &pos, &r) || r.type != REC_BOF || r.len < 4 ||
	    ole2_u16(r.data) != 0x0600) {
		*why = "（Excel 97 より前の形式のため本文を抜粋しません / no excerpt for a workbook "
		       "older than Excel 97）";
		return FALSE;
	}
	GArray *sheets = g_array_new(FALSE, FALSE, sizeof(guint32));
	GPtrArray *strings = NULL;
	*why = NULL;
	while (!*why && next_record(book, &pos, &r) && r.type != REC_EOF) {
		if (r.type == REC_FILEPASS)
			*why = "（パスワードで保護されているため本文を読めません / protected by a "
			       "password）";
		else if (r.type == REC_BOUNDSHEET && r.len >= 6 && r.data[5] == 0) {
			guint32 at = ole2_u32(r.data);
			g_array_append_val(sheets, at);
		} else if (r.type == REC_SST && !strings)
			strings = shared_strings(book, &r, pos, x);
	}
	if (!strings)
		strings = g_ptr_array_new();
	struct ole2_text out;
	ole2_text_init(&out, x);
	for (guint i = 0; !*why && i < sheets->len && out.more; i++) {
		struct sheet s = { &out, strings, 0, G_MAXUINT32, 0, FALSE, 0 };
		if (i)
			ole2_text_ascii(&out, "\n\n");
		if (!excerpt_sheet(book, g_array_index(sheets, guint32, i), &s, x))
			break;
	}
	(void)ole2_text_finish(&out);
	g_ptr_array_unref(strings);
	g_array_free(sheets, TRUE);
	return *why == NULL;
}
