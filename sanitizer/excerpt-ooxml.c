/*
 * NAME
 *	excerpt-ooxml.c - the text of a docx, xlsx or pptx
 * SUMMARY
 *	Word: the paragraphs of the body (word/document.xml). Excel: the
 *	first rows of each worksheet (xl/worksheets/sheetN.xml in number
 *	order), cells tab-separated, shared strings resolved. PowerPoint: the
 *	text of each slide (ppt/slides/slideN.xml) in number order.
 * DESCRIPTION
 *	The package is checked as the ooxml handler checks it (central
 *	directory against local headers, no overlaps, no duplicates; an
 *	encrypted member gives no text). Parts are streamed through libxml2's
 *	reader without network, DTD or entity expansion (a document type
 *	declaration ends the excerpt), and reading stops when the excerpt is
 *	full, its time is spent or CDR_EXCERPT_MAX_READ bytes were inflated.
 *	Only text content is taken: field codes (w:instrText), deleted text,
 *	hidden runs (w:vanish), ruby and phonetic readings (w:rt, rPh) are
 *	left out.
 */
#include "excerpt.h"

#include <libxml/xmlreader.h>
#include <string.h>

#include "zip.h"
#include "ooxml.h"

#define SHEET_ROWS 30      /* rows shown per worksheet */
#define SHEET_COLUMNS 40   /* cells shown per row */
#define MAX_SHARED_STRINGS 200000

struct package {
	struct cdr_excerpt *x;
	const guint8 *data;
	GArray *entries; /* struct zip_entry */
	guint64 read;    /* bytes inflated so far */
	const char *why; /* why reading stopped, static */
};

struct part_stream {
	struct package *pkg;
	struct zip_reader *in;
};

static int
read_part(void *ctx, char *buffer, int len)
{
	struct part_stream *s = ctx;
	if (s->pkg->read >= CDR_EXCERPT_MAX_READ) {
		s->pkg->why = "（大きすぎるため途中までです / too large to read further）";
		return -1;
	}
	struct cdr_failure fail = { 0 };
	gssize n = zip_reader_read(s->in, (guint8 *)buffer, (gsize)len, &fail);
	if (n < 0)
		s->pkg->why = fail.why;
	if (n > 0)
		s->pkg->read += (guint64)n;
	return n < 0 ? -1 : (int)n;
}

static const struct zip_entry *
find_member(struct package *pkg, const char *name)
{
	gsize n = strlen(name);
	for (guint i = 0; i < pkg->entries->len; i++) {
		const struct zip_entry *e = &g_array_index(pkg->entries, struct zip_entry, i);
		if (e->name_len == n && memcmp(e->name, name, n) == 0)
			return e;
	}
	return NULL;
}

/* What a reader over one part calls for each node; FALSE stops. */
typedef gboolean (*node_fn)(xmlTextReader *r, gpointer data);

/* Stream the member through `fn` until it returns FALSE; FALSE with
 * pkg->why when the member is missing or unreadable. */
static gboolean
read_member(struct package *pkg, const char *name, node_fn fn, gpointer data)
{
	const struct zip_entry *e = find_member(pkg, name);
	if (!e) {
		pkg->why = "（文書の本文が見つかりません / the document has no body part）";
		return FALSE;
	}
	struct cdr_failure fail = { 0 };
	struct part_stream s = { pkg, zip_reader_new(pkg->data, e, NULL, &fail) };
	if (!s.in) {
		pkg->why = fail.why;
		return FALSE;
	}
	xmlTextReader *r = xmlReaderForIO(read_part, NULL, &s, NULL, NULL,
					  XML_PARSE_NONET | XML_PARSE_NOERROR |
						  XML_PARSE_NOWARNING);
	gboolean ok = r != NULL;
	int rc = 0;
	while (ok && (rc = xmlTextReaderRead(r)) == 1) {
		if (xmlTextReaderNodeType(r) == XML_READER_TYPE_DOCUMENT_TYPE) {
			pkg->why = "（文書の XML に DTD があります / XML with a document type）";
			ok = FALSE;
		} else if (!fn(r, data)) {
			break;
		}
	}
	if (rc < 0)
		ok = FALSE;
	xmlFreeTextReader(r);
	zip_reader_free(s.in);
	if (!ok && !pkg->why)
		pkg->why = "（文書の XML が壊れています / malformed XML in the document）";
	return ok;
}

static gboolean
is_named(xmlTextReader *r, const char *local)
{
	return strcmp((const char *)xmlTextReaderConstLocalName(r), local) == 0;
}

static gboolean
is_start(xmlTextReader *r)
{
	return xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT;
}

static gboolean
is_end(xmlTextReader *r)
{
	return xmlTextReaderNodeType(r) == XML_READER_TYPE_END_ELEMENT ||
	       (is_start(r) && xmlTextReaderIsEmptyElement(r) == 1);
}

static gboolean
is_text(xmlTextReader *r)
{
	int t = xmlTextReaderNodeType(r);
	return t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA ||
	       t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

/* Inside (or at the start of) an element `name` whose subtree is left
 * out; *skip holds its depth + 1 while inside. */
static gboolean
skipped(xmlTextReader *r, int *skip, const char *name)
{
	int depth = xmlTextReaderDepth(r);
	if (*skip) {
		if (xmlTextReaderNodeType(r) == XML_READER_TYPE_END_ELEMENT && depth == *skip - 1)
			*skip = 0;
		return TRUE;
	}
	if (!name || !is_start(r) || !is_named(r, name))
		return FALSE;
	if (xmlTextReaderIsEmptyElement(r) != 1)
		*skip = depth + 1;
	return TRUE;
}

/* ---- Word and PowerPoint: runs of text in paragraphs ---------------------- */

struct runs {
	struct package *pkg;
	const char *skip; /* an element whose subtree is not text (ruby) */
	int skipping;     /* skipped(): inside one */
	int in_text;      /* depth + 1 of the text element we are in, 0: none */
	int in_run;       /* depth + 1 of the w:r we are in, 0: none */
	gboolean hidden;  /* that run is hidden (w:vanish) */
	gboolean more;
};

/* <w:vanish/> or <w:vanish w:val="true"/>: hidden; w:val 0/false/off: not. */
static gboolean
vanishes(xmlTextReader *r)
{
	g_autofree char *val = (char *)xmlTextReaderGetAttributeNs(
		r, BAD_CAST "val", BAD_CAST "http://schemas.openxmlformats.org/wordprocessingml/2006/main");
	return !val || !(strcmp(val, "0") == 0 || g_ascii_strcasecmp(val, "false") == 0 ||
			 g_ascii_strcasecmp(val, "off") == 0);
}

static gboolean
add_runs(xmlTextReader *r, gpointer data)
{
	struct runs *s = data;
	int depth = xmlTextReaderDepth(r);
	if (skipped(r, &s->skipping, s->skip))
		return TRUE;
	if (is_start(r) && xmlTextReaderIsEmptyElement(r) != 1 && is_named(r, "r")) {
		s->in_run = depth + 1;
		s->hidden = FALSE;
	} else if (is_start(r) && s->in_run && is_named(r, "vanish")) {
		s->hidden = vanishes(r);
	} else if (is_end(r) && is_named(r, "r") && s->in_run == depth + 1) {
		s->in_run = 0;
		s->hidden = FALSE;
	}
	if (s->hidden)
		return TRUE;
	if (is_start(r) && xmlTextReaderIsEmptyElement(r) != 1 && is_named(r, "t"))
		s->in_text = depth + 1;
	else if (is_start(r) && is_named(r, "tab"))
		s->more = cdr_excerpt_add(s->pkg->x, "\t", 1);
	else if (is_start(r) && (is_named(r, "br") || is_named(r, "cr")))
		s->more = cdr_excerpt_add(s->pkg->x, "\n", 1);
	else if (is_text(r) && s->in_text)
		s->more = cdr_excerpt_add(s->pkg->x, (const char *)xmlTextReaderConstValue(r), -1);
	if (is_end(r) && is_named(r, "t") && s->in_text == depth + 1)
		s->in_text = 0;
	else if (is_end(r) && is_named(r, "p"))
		s->more = s->more && cdr_excerpt_add(s->pkg->x, "\n", 1);
	return s->more && cdr_excerpt_in_time(s->pkg->x);
}

static gboolean
excerpt_runs(struct package *pkg, const char *member, const char *skip)
{
	struct runs s = { pkg, skip, 0, 0, 0, FALSE, TRUE };
	return read_member(pkg, member, add_runs, &s);
}

static gint
compare_numbers(gconstpointer a, gconstpointer b)
{
	guint x = *(const guint *)a, y = *(const guint *)b;
	return x < y ? -1 : x > y;
}

/* Members named prefix + number + ".xml", by number. */
static GPtrArray *
numbered_members(struct package *pkg, const char *prefix)
{
	GArray *numbers = g_array_new(FALSE, FALSE, sizeof(guint));
	gsize n = strlen(prefix);
	for (guint i = 0; i < pkg->entries->len; i++) {
		const struct zip_entry *e = &g_array_index(pkg->entries, struct zip_entry, i);
		g_autofree char *name = g_strndup((const char *)e->name, e->name_len);
		guint64 k;
		char *end;
		if (!g_str_has_prefix(name, prefix) || !g_ascii_isdigit(name[n]))
			continue;
		k = g_ascii_strtoull(name + n, &end, 10);
		if (strcmp(end, ".xml") == 0 && k < G_MAXUINT) {
			guint v = (guint)k;
			g_array_append_val(numbers, v);
		}
	}
	g_array_sort(numbers, compare_numbers);
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < numbers->len; i++)
		g_ptr_array_add(out, g_strdup_printf("%s%u.xml", prefix,
						     g_array_index(numbers, guint, i)));
	g_array_free(numbers, TRUE);
	return out;
}

static gboolean
excerpt_slides(struct package *pkg)
{
	g_autoptr(GPtrArray) slides = numbered_members(pkg, "ppt/slides/slide");
	for (guint i = 0; i < slides->len; i++) {
		if ((i && !cdr_excerpt_add(pkg->x, "\n\n", -1)) || !cdr_excerpt_in_time(pkg->x))
			return TRUE;
		if (!excerpt_runs(pkg, slides->pdata[i], NULL))
			return FALSE;
	}
	return TRUE;
}

/* ---- Excel: shared strings, then rows of cells ----------------------------- */

struct strings {
	struct package *pkg;
	GPtrArray *all;
	GString *now;
	int skipping;
	int in_text;
};

static gboolean
add_shared_string(xmlTextReader *r, gpointer data)
{
	struct strings *s = data;
	int depth = xmlTextReaderDepth(r);
	if (skipped(r, &s->skipping, "rPh")) /* phonetic reading (furigana) */
		return TRUE;
	if (is_start(r) && is_named(r, "si"))
		g_string_truncate(s->now, 0);
	if (is_start(r) && xmlTextReaderIsEmptyElement(r) != 1 && is_named(r, "t"))
		s->in_text = depth + 1;
	else if (is_text(r) && s->in_text && s->now->len < 4096)
		g_string_append(s->now, (const char *)xmlTextReaderConstValue(r));
	if (is_end(r) && is_named(r, "t") && s->in_text == depth + 1)
		s->in_text = 0;
	if (is_end(r) && is_named(r, "si"))
		g_ptr_array_add(s->all, g_strdup(s->now->str));
	return s->all->len < MAX_SHARED_STRINGS && cdr_excerpt_in_time(s->pkg->x);
}

struct cells {
	struct package *pkg;
	GPtrArray *strings;
	unsigned rows;
	unsigned column; /* next column to write, 0-based */
	char *type;      /* the cell's t= */
	unsigned cell_column;
	GString *value;
	int skipping;
	int in_value;
	gboolean more;
};

/* "BC12" -> 54 (0-based column); G_MAXUINT when there is no letter. */
static unsigned
column_of(const char *ref)
{
	unsigned col = 0;
	gboolean any = FALSE;
	for (; ref && g_ascii_isalpha(*ref) && col < 100000; ref++, any = TRUE)
		col = col * 26 + (unsigned)(g_ascii_toupper(*ref) - 'A' + 1);
	return any ? col - 1 : G_MAXUINT;
}

static void
start_cell(struct cells *s, xmlTextReader *r)
{
	g_autofree char *ref = (char *)xmlTextReaderGetAttribute(r, BAD_CAST "r");
	g_free(s->type);
	s->type = (char *)xmlTextReaderGetAttribute(r, BAD_CAST "t");
	unsigned col = column_of(ref);
	s->cell_column = col == G_MAXUINT ? s->column : col;
	g_string_truncate(s->value, 0);
}

static void
end_cell(struct cells *s)
{
	const char *shown = s->value->str;
	if (g_strcmp0(s->type, "s") == 0) {
		guint64 k = g_ascii_strtoull(shown, NULL, 10);
		shown = *shown && k < s->strings->len ? s->strings->pdata[k] : "";
	}
	if (!*shown || s->cell_column >= SHEET_COLUMNS || s->cell_column < s->column)
		return;
	for (; s->column < s->cell_column; s->column++)
		s->more = s->more && cdr_excerpt_add(s->pkg->x, "\t", 1);
	/* a cell's own tabs and line breaks would shift the columns */
	g_autofree char *flat = g_strdup(shown);
	g_strdelimit(flat, "\t\r\n", ' ');
	s->more = s->more && cdr_excerpt_add(s->pkg->x, flat, -1);
}

static gboolean
add_cells(xmlTextReader *r, gpointer data)
{
	struct cells *s = data;
	int depth = xmlTextReaderDepth(r);
	if (skipped(r, &s->skipping, "rPh"))
		return TRUE;
	if (is_start(r) && is_named(r, "row")) {
		if (s->rows++ == SHEET_ROWS)
			return FALSE;
		s->column = 0;
	} else if (is_start(r) && is_named(r, "c")) {
		start_cell(s, r);
	} else if (is_start(r) && xmlTextReaderIsEmptyElement(r) != 1 &&
		   (is_named(r, "v") || is_named(r, "t"))) {
		s->in_value = depth + 1;
	} else if (is_text(r) && s->in_value && s->value->len < 4096) {
		g_string_append(s->value, (const char *)xmlTextReaderConstValue(r));
	}
	if (is_end(r) && (is_named(r, "v") || is_named(r, "t")) && s->in_value == depth + 1)
		s->in_value = 0;
	else if (is_end(r) && is_named(r, "c"))
		end_cell(s);
	else if (is_end(r) && is_named(r, "row"))
		s->more = s->more && cdr_excerpt_add(s->pkg->x, "\n", 1);
	return s->more && cdr_excerpt_in_time(s->pkg->x);
}

static gboolean
excerpt_sheets(struct package *pkg)
{
	g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func(g_free);
	struct strings ss = { pkg, strings, g_string_new(NULL), 0, 0 };
	gboolean ok = !find_member(pkg, "xl/sharedStrings.xml") ||
		      read_member(pkg, "xl/sharedStrings.xml", add_shared_string, &ss);
	g_string_free(ss.now, TRUE);
	if (!ok)
		return FALSE;
	g_autoptr(GPtrArray) sheets = numbered_members(pkg, "xl/worksheets/sheet");
	for (guint i = 0; i < sheets->len; i++) {
		if ((i && !cdr_excerpt_add(pkg->x, "\n", -1)) || !cdr_excerpt_in_time(pkg->x))
			return TRUE;
		struct cells s = { .pkg = pkg, .strings = strings, .value = g_string_new(NULL),
				   .more = TRUE };
		ok = read_member(pkg, sheets->pdata[i], add_cells, &s);
		g_string_free(s.value, TRUE);
		g_free(s.type);
		if (!ok)
			return FALSE;
		if (!s.more)
			return TRUE;
	}
	return TRUE;
}

gboolean
ooxml_excerpt(struct cdr_excerpt *x, const struct cdr_input *in, char **reason)
{
	struct package pkg = { x, in->data, g_array_new(FALSE, FALSE, sizeof(struct zip_entry)),
			       0, NULL };
	const char *why = NULL;
	gboolean ok = FALSE;
	switch (zip_check_entries(in->data, in->len, &why, pkg.entries)) {
	case ZIP_OK:
		break;
	case ZIP_ENCRYPTED:
		*reason = g_strdup("（パスワードで保護されているため本文を読めません / protected by "
				   "a password）");
		goto out;
	default:
		*reason = g_strdup("（文書の zip 構造が壊れています / malformed document package）");
		goto out;
	}
	if (find_member(&pkg, "word/document.xml"))
		ok = excerpt_runs(&pkg, "word/document.xml", "rt");
	else if (find_member(&pkg, "xl/workbook.xml"))
		ok = excerpt_sheets(&pkg);
	else if (find_member(&pkg, "ppt/presentation.xml"))
		ok = excerpt_slides(&pkg);
	else
		pkg.why = "（この文書の種類からは本文を抜粋しません / no excerpt for this kind "
			  "of document）";
	if (!ok && g_str_has_prefix(pkg.why, "（"))
		*reason = g_strdup(pkg.why);
	else if (!ok)
		*reason = g_strdup_printf("（文書を読み取れませんでした / unreadable document: %s）",
					  pkg.why ? pkg.why : "?");
out:
	g_array_free(pkg.entries, TRUE);
	return ok;
}
