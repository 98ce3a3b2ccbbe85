/*
 * NAME
 *	ole2-word.c - Word 97+ documents: encryption and dangerous fields
 * SUMMARY
 *	A Word field is text: 0x13, the instruction, 0x14, the shown result,
 *	0x15. DDE and DDEAUTO start programs (the 2017 "DDEAUTO c:\\windows\\
 *	system32\\cmd.exe" mails), INCLUDETEXT, INCLUDEPICTURE, INCLUDE, IMPORT
 *	and LINK fetch files or URLs when the document opens or updates.
 *	Removing a field means rewriting the text, the piece table and every
 *	character position after it, so a document holding one is blocked.
 * DESCRIPTION
 *	The FIB is read for its version (Word 97 or later only), its flags
 *	(fEncrypted blocks as password-protected; fWhichTblStm names the table
 *	stream) and the place of the CLX. The CLX's piece table gives the
 *	document text (all sub-documents: body, headers, footnotes, comments,
 *	text boxes), 8-bit or UTF-16LE piece by piece; every field begin is
 *	looked at and its first instruction word compared, ignoring case, with
 *	the list. A field whose instruction starts with a nested field (its
 *	type computed at run time) is blocked too. Then the whole WordDocument
 *	stream is scanned raw, as 8-bit and as UTF-16LE text, for the same
 *	field beginnings, so text the piece table hides from us but another
 *	reader might find is not missed.
 */
#include <string.h>

#include "ole2.h"

#define FIB_IDENT 0xA5ECu
#define FIB_NFIB_WORD97 0x00C1u
#define FIB_FLAGS 0x0A
#define FIB_F_ENCRYPTED 0x0100u
#define FIB_F_WHICH_TABLE 0x0200u
#define FIB_BASE_LEN 32
#define FIB_CLX_INDEX 33 /* fcClx/lcbClx in FibRgFcLcb97 */
#define FIELD_BEGIN 0x13
#define FIELD_SEPARATOR 0x14
#define FIELD_END 0x15
#define KEYWORD_MAX 16

static const char *const dangerous_fields[] = {
	"DDE", "DDEAUTO", "INCLUDETEXT", "INCLUDEPICTURE", "INCLUDE", "IMPORT", "LINK", NULL,
};

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

static gboolean
is_blank(guint16 ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == 0xA0;
}

static gboolean
is_letter(guint16 ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

/* The field whose begin mark is at `i`: NULL when harmless, else why. */
static const char *
judge_field(const struct chars *c, gsize i)
{
	gsize j = i + 1;
	while (j < c->count && is_blank(char_at(c, j)))
		j++;
	if (j < c->count && char_at(c, j) == FIELD_BEGIN)
		return "Word field whose type is computed by a nested field";
	char word[KEYWORD_MAX + 1];
	gsize n = 0;
	while (j < c->count && is_letter(char_at(c, j))) {
		if (n == KEYWORD_MAX)
			return NULL; /* longer than any dangerous keyword */
		word[n++] = (char)g_ascii_toupper((gchar)char_at(c, j));
		j++;
	}
	word[n] = '\0';
	for (const char *const *k = dangerous_fields; *k; k++)
		if (strcmp(word, *k) == 0)
			return "Word DDE/INCLUDE/LINK field (runs a program or fetches a file)";
	return NULL;
}

static const char *
scan_fields(const struct chars *c)
{
	for (gsize i = 0; i < c->count; i++) {
		if (char_at(c, i) != FIELD_BEGIN)
			continue;
		const char *why = judge_field(c, i);
		if (why)
			return why;
	}
	return NULL;
}

/* fcClx/lcbClx from the FIB; FALSE when the FIB is too short. */
static gboolean
fib_clx(struct ole2_bytes w, guint32 *fc, guint32 *lcb)
{
	gsize pos = FIB_BASE_LEN;
	if (w.len < pos + 2)
		return FALSE;
	pos += 2 + 2 * (gsize)ole2_u16(w.data + pos); /* csw, fibRgW */
	if (w.len < pos + 2)
		return FALSE;
	pos += 2 + 4 * (gsize)ole2_u16(w.data + pos); /* cslw, fibRgLw */
	if (w.len < pos + 2)
		return FALSE;
	gsize pairs = ole2_u16(w.data + pos); /* cbRgFcLcb */
	pos += 2;
	if (pairs <= FIB_CLX_INDEX || w.len < pos + 8 * (FIB_CLX_INDEX + 1))
		return FALSE;
	*fc = ole2_u32(w.data + pos + 8 * FIB_CLX_INDEX);
	*lcb = ole2_u32(w.data + pos + 8 * FIB_CLX_INDEX + 4);
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

/* Every piece's text, in turn, through scan_fields. */
static gboolean
scan_pieces(struct ole2_bytes word, const guint8 *plc, gsize n, struct ole2_problem *p)
{
	guint64 total = 0;
	for (gsize i = 0; i < n; i++) {
		guint32 cp0 = ole2_u32(plc + 4 * i), cp1 = ole2_u32(plc + 4 * (i + 1));
		const guint8 *pcd = plc + 4 * (n + 1) + 8 * i;
		guint32 fc = ole2_u32(pcd + 2);
		if (cp1 < cp0) {
			p->code = CDR_E_PARSE;
			p->reason = "Word piece table out of order";
			return FALSE;
		}
		struct chars c = { .count = cp1 - cp0 };
		gsize off;
		if (fc & 0x40000000u) {
			c.width = 1;
			off = (fc & 0x3FFFFFFFu) / 2;
		} else {
			c.width = 2;
			off = fc;
		}
		total += c.count * c.width;
		if (off > word.len || c.count > (word.len - off) / c.width || total > word.len) {
			p->code = CDR_E_PARSE;
			p->reason = "Word text piece outside the WordDocument stream";
			return FALSE;
		}
		c.data = word.data + off;
		const char *why = scan_fields(&c);
		if (why) {
			p->code = CDR_E_DANGEROUS;
			p->reason = why;
			return FALSE;
		}
	}
	return TRUE;
}

gboolean
ole2_word_check(struct ole2_bytes word, struct ole2_bytes table0, struct ole2_bytes table1,
		struct ole2_problem *p)
{
	if (word.len < FIB_BASE_LEN || ole2_u16(word.data) != FIB_IDENT) {
		p->code = CDR_E_PARSE;
		p->reason = "WordDocument stream without a Word FIB";
		return FALSE;
	}
	guint16 flags = ole2_u16(word.data + FIB_FLAGS);
	if (flags & FIB_F_ENCRYPTED) {
		p->code = CDR_E_ENCRYPTED;
		p->reason = "password-protected document (encrypted Word document)";
		return FALSE;
	}
	if (ole2_u16(word.data + 2) < FIB_NFIB_WORD97) {
		p->code = CDR_E_UNSUPPORTED;
		p->reason = "Word 6/95 document (older than Word 97)";
		return FALSE;
	}
	struct ole2_bytes table = flags & FIB_F_WHICH_TABLE ? table1 : table0;
	guint32 fc, lcb;
	const guint8 *plc;
	gsize n;
	if (!table.data) {
		p->code = CDR_E_PARSE;
		p->reason = "Word document without its table stream";
		return FALSE;
	}
	if (!fib_clx(word, &fc, &lcb) || !clx_pieces(table, fc, lcb, &plc, &n)) {
		p->code = CDR_E_PARSE;
		p->reason = "Word document without a readable piece table";
		return FALSE;
	}
	if (!scan_pieces(word, plc, n, p))
		return FALSE;

	/* The raw stream too, both ways, and UTF-16 at both alignments. */
	struct chars raw8 = { word.data, word.len, 1 };
	const char *why = scan_fields(&raw8);
	for (gsize shift = 0; !why && shift < 2 && word.len > shift; shift++) {
		struct chars raw16 = { word.data + shift, (word.len - shift) / 2, 2 };
		why = scan_fields(&raw16);
	}
	if (why) {
		p->code = CDR_E_DANGEROUS;
		p->reason = why;
		return FALSE;
	}
	return TRUE;
}
