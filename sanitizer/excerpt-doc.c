/*
 * NAME
 *	excerpt-doc.c - the text of a Word 97-2003 document's body
 * SUMMARY
 *	The main document's characters (the first ccpText of the piece
 *	table, not headers, footnotes or comments), piece by piece in
 *	character order, as the ooxml reader gives a docx's body: field codes
 *	(between 0x13 and 0x14) left out and only their results shown,
 *	deleted revisions and hidden text left out.
 * DESCRIPTION
 *	The FIB and the piece table are found by ole2-word.c as for the
 *	field check. Deleted and hidden text is found in the character
 *	formatting: the PlcBteChpx names the 512-byte ChpxFkp pages, each a
 *	run of byte ranges of the WordDocument stream with their CHPX; a
 *	range whose sprms set sprmCFRMarkDel or sprmCFVanish is left out.
 *	The PlcBtePapx's PapxFkp pages the same way give the paragraphs that
 *	end a table row (sprmPFTtp): their cell mark ends a line.
 *	Paragraph, line, page and section marks and row ends become line
 *	ends, cell marks tabs, Word's no-break hyphen a U+2011, the optional hyphen and
 *	the other special characters (pictures, note references) nothing.
 */
#include <string.h>

#include "excerpt-ole2.h"
#include "office-fields.h"

#define FKP_SIZE 512
#define FKP_MAX_RUNS 0x65  /* ChpxFkp */
#define FKP_MAX_PARAS 0x1D /* PapxFkp */
#define FIELD_DEPTH_MAX 1024

/* A range of stream offsets whose characters carry a property. */
struct range {
	guint32 from, to;
};

/* Does the grpprl [p, end) turn one of `ops` (toggles) on? */
static gboolean
sets(const guint8 *p, const guint8 *end, const guint16 *ops)
{
	static const unsigned sizes[8] = { 1, 1, 2, 4, 2, 2, 0, 3 };
	while (end - p >= 2) {
		guint16 op = ole2_u16(p);
		gsize size = sizes[op >> 13];
		p += 2;
		if (size == 0) { /* variable: a length byte first */
			if (p >= end || op == 0xD608 || op == 0xD606 || op == 0xC615)
				return FALSE;
			size = (gsize)*p + 1;
		}
		if ((gsize)(end - p) < size)
			return FALSE;
		for (const guint16 *o = ops; *o; o++)
			if (op == *o && (*p & 1))
				return TRUE;
		p += size;
	}
	return FALSE;
}

/* The grpprl of run r of an FKP page: a CHPX (cb, grpprl) or a PAPX
 * (cb or 0 and cb', istd, grpprl); FALSE when it has none. */
static gboolean
fkp_grpprl(const guint8 *page, gsize runs, gsize r, gboolean para, const guint8 **p,
	   const guint8 **end)
{
	gsize at = 2 * (gsize)page[4 * (runs + 1) + (para ? 13 : 1) * r], len;
	if (!at || at >= FKP_SIZE - 2)
		return FALSE;
	*p = page + at + 1;
	len = page[at];
	if (para) {
		len = len ? 2 * len - 1 : 2 * (gsize)*(*p)++;
		if (len < 2)
			return FALSE;
		*p += 2, len -= 2; /* istd */
	}
	if (*p + len > page + FKP_SIZE - 1)
		return FALSE;
	*end = *p + len;
	return TRUE;
}

static gint
by_start(gconstpointer a, gconstpointer b)
{
	guint32 x = ((const struct range *)a)->from, y = ((const struct range *)b)->from;
	return x < y ? -1 : x > y;
}

/* Sorted and overlaps joined, so that one binary search answers. */
static void
join_ranges(GArray *ranges)
{
	g_array_sort(ranges, by_start);
	guint kept = 0;
	for (guint i = 0; i < ranges->len; i++) {
		struct range *h = &g_array_index(ranges, struct range, i);
		struct range *last = kept ? &g_array_index(ranges, struct range, kept - 1) : NULL;
		if (last && h->from <= last->to)
			last->to = MAX(last->to, h->to);
		else
			g_array_index(ranges, struct range, kept++) = *h;
	}
	g_array_set_size(ranges, kept);
}

/* The ranges whose character (CHPX) or paragraph (PAPX) properties set
 * one of `ops`, from every FKP page the bin table at `bte_index` names. */
static GArray *
marked_ranges(const struct ole2_word_pieces *t, unsigned bte_index, gboolean para,
	      const guint16 *ops)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct range));
	guint32 fc, lcb;
	if (!ole2_word_fib_pair(t->word, bte_index, &fc, &lcb) || lcb < 12 ||
	    fc > t->table.len || lcb > t->table.len - fc)
		return out;
	gsize n = (lcb - 4) / 8;
	const guint8 *bte = t->table.data + fc + 4 * (n + 1);
	for (gsize i = 0; i < n; i++) {
		gsize pn = ole2_u32(bte + 4 * i) & 0x3FFFFFu;
		if (pn >= t->word.len / FKP_SIZE)
			continue;
		const guint8 *page = t->word.data + pn * FKP_SIZE, *p, *end;
		gsize runs = page[FKP_SIZE - 1];
		if (runs > (para ? FKP_MAX_PARAS : FKP_MAX_RUNS))
			continue;
		for (gsize r = 0; r < runs; r++) {
			if (fkp_grpprl(page, runs, r, para, &p, &end) && sets(p, end, ops)) {
				struct range h = { ole2_u32(page + 4 * r), ole2_u32(page + 4 * r + 4) };
				g_array_append_val(out, h);
			}
		}
	}
	join_ranges(out);
	return out;
}

static gboolean
in_ranges(const GArray *ranges, guint32 offset)
{
	guint lo = 0, hi = ranges->len;
	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		const struct range *h = &g_array_index(ranges, struct range, mid);
		if (offset < h->from)
			hi = mid;
		else if (offset >= h->to)
			lo = mid + 1;
		else
			return TRUE;
	}
	return FALSE;
}

/* Open fields: each in its code (TRUE) or its result. */
struct fields {
	guint8 in_code[FIELD_DEPTH_MAX];
	unsigned depth;
	unsigned codes; /* how many of them are in their code */
};

/* One character of the body; FALSE when the fields nest too deep. */
static gboolean
shown_char(struct fields *f, struct ole2_text *t, guint16 ch)
{
	if (ch == 0x13) {
		if (f->depth == FIELD_DEPTH_MAX)
			return FALSE;
		f->in_code[f->depth++] = 1;
		f->codes++;
	} else if (ch == 0x14 && f->depth && f->in_code[f->depth - 1]) {
		f->in_code[f->depth - 1] = 0;
		f->codes--;
	} else if (ch == 0x15 && f->depth) {
		f->codes -= f->in_code[--f->depth];
	} else if (f->codes) {
		return TRUE;
	} else if (ch == 0x0D || ch == 0x0B || ch == 0x0C || ch == 0x0E) {
		ole2_text_unit(t, '\n');
	} else if (ch == 0x07 || ch == 0x09) {
		ole2_text_unit(t, '\t');
	} else if (ch == 0x1E) {
		ole2_text_unit(t, 0x2011);
	} else if (ch >= 0x20) {
		ole2_text_unit(t, ch);
	}
	return TRUE;
}

gboolean
doc_excerpt_text(struct cdr_excerpt *x, struct ole2_bytes word, struct ole2_bytes table0,
		 struct ole2_bytes table1, const char **why)
{
	struct ole2_word_pieces t;
	struct ole2_problem p = { 0 };
	guint32 body;
	if (!ole2_word_open(word, table0, table1, &t, &p)) {
		*why = p.failure.kind == CDR_E_ENCRYPTED ? "（パスワードで保護されているため本文を読めません "
						   "/ protected by a password）"
						 : p.failure.why;
		return FALSE;
	}
	if (!ole2_word_fib_long(word, OLE2_FIB_CCP_TEXT, &body)) {
		*why = "Word FIB without the length of its text";
		return FALSE;
	}
	static const guint16 hiding[] = { 0x0800, 0x083C, 0 }; /* sprmCFRMarkDel, sprmCFVanish */
	static const guint16 rows[] = { 0x2417, 0x244C, 0 };   /* sprmPFTtp, sprmPFInnerTtp */
	g_autoptr(GArray) hidden = marked_ranges(&t, OLE2_FIB_PLCF_BTE_CHPX, FALSE, hiding);
	g_autoptr(GArray) row_ends = marked_ranges(&t, OLE2_FIB_PLCF_BTE_PAPX, TRUE, rows);
	struct fields *f = g_new0(struct fields, 1);
	struct ole2_text out;
	ole2_text_init(&out, x);
	guint64 total = 0;
	*why = NULL;
	for (gsize i = 0; i < t.count && !*why && out.more; i++) {
		struct ole2_word_piece piece;
		*why = ole2_word_piece(&t, i, &total, &piece);
		if (*why || piece.cp >= body)
			break;
		gsize count = MIN(piece.count, body - piece.cp);
		for (gsize k = 0; k < count && out.more && !*why; k++) {
			gsize at = piece.offset + k * piece.width;
			guint16 ch = piece.width == 2 ? ole2_u16(word.data + at)
						      : (guint16)office_field_cp1252_char(word.data[at]);
			if ((k & 0xFFFF) == 0xFFFF && !cdr_excerpt_in_time(x))
				out.more = FALSE;
			if (in_ranges(hidden, (guint32)at))
				continue;
			if (ch == 0x07 && in_ranges(row_ends, (guint32)at))
				ch = 0x0D; /* the mark that ends a table row: a line */
			if (!shown_char(f, &out, ch))
				*why = "Word fields nested deeper than Word nests them";
		}
	}
	g_free(f);
	(void)ole2_text_finish(&out);
	return *why == NULL;
}
