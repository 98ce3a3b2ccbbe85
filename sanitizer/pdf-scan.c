/*
 * NAME
 *	pdf-scan.c - the trailers of a damaged PDF, found by scanning its bytes
 * SUMMARY
 *	What a reader's recovery sees when the cross-reference table is of no
 *	use: every "trailer" keyword that begins a line, and the /Root and
 *	/Info references of the dictionary after it. Only the top level of
 *	the dictionary is read; strings, hex strings, comments and nested
 *	arrays and dictionaries are stepped over, and names are compared after
 *	their #xx escapes are decoded (/R#6Fot is /Root).
 * DESCRIPTION
 *	Nothing here resolves a reference: pdf-open.c asks qpdf what the
 *	objects are. A dictionary longer than 64 KB or not closed is no
 *	trailer.
 */
#include <string.h>

#include "pdf.h"

#define TRAILER_DICT_MAX (64 * 1024)

enum token { T_END, T_NAME, T_INT, T_R, T_OPEN, T_CLOSE, T_OTHER };

struct lexer {
	const guint8 *p, *end;
	const guint8 *start; /* the last token */
	gsize len;
};

static gboolean
is_white(guint8 c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\0';
}

static gboolean
is_delimiter(guint8 c)
{
	return is_white(c) || strchr("()<>[]{}/%", c) != NULL;
}

static void
skip_string(struct lexer *lx)
{
	int depth = 0;
	for (; lx->p < lx->end; lx->p++) {
		if (*lx->p == '\\')
			lx->p++;
		else if (*lx->p == '(')
			depth++;
		else if (*lx->p == ')' && --depth == 0)
			break;
	}
	lx->p++;
}

static enum token
next_token(struct lexer *lx)
{
	for (;;) {
		while (lx->p < lx->end && is_white(*lx->p))
			lx->p++;
		if (lx->p >= lx->end || *lx->p != '%')
			break;
		while (lx->p < lx->end && *lx->p != '\r' && *lx->p != '\n')
			lx->p++;
	}
	if (lx->p >= lx->end)
		return T_END;
	lx->start = lx->p;
	guint8 c = *lx->p;
	gboolean two = lx->p + 1 < lx->end && lx->p[1] == c;
	if ((c == '<' || c == '>') && two) {
		lx->p += 2;
		return c == '<' ? T_OPEN : T_CLOSE;
	}
	if (c == '[' || c == ']') {
		lx->p++;
		return c == '[' ? T_OPEN : T_CLOSE;
	}
	if (c == '(') {
		skip_string(lx);
		return T_OTHER;
	}
	if (c == '<') {
		const guint8 *gt = memchr(lx->p, '>', (gsize)(lx->end - lx->p));
		lx->p = gt ? gt + 1 : lx->end;
		return T_OTHER;
	}
	lx->p++;
	if (c != '/' && is_delimiter(c))
		return T_OTHER; /* ) > { } */
	while (lx->p < lx->end && !is_delimiter(*lx->p))
		lx->p++;
	lx->len = (gsize)(lx->p - lx->start);
	if (c == '/')
		return T_NAME;
	if (lx->len == 1 && c == 'R')
		return T_R;
	for (gsize i = 0; i < lx->len; i++)
		if (!g_ascii_isdigit(lx->start[i]))
			return T_OTHER;
	return lx->len <= 9 ? T_INT : T_OTHER;
}

/* Is the name token just read `want` ("Root") once its escapes are
 * decoded? */
static gboolean
name_is(const struct lexer *lx, const char *want)
{
	gsize w = 0, n = strlen(want);
	for (gsize i = 1; i < lx->len; i++, w++) {
		int c = lx->start[i];
		if (c == '#' && i + 2 < lx->len && g_ascii_isxdigit(lx->start[i + 1]) &&
		    g_ascii_isxdigit(lx->start[i + 2])) {
			c = g_ascii_xdigit_value(lx->start[i + 1]) << 4 |
			    g_ascii_xdigit_value(lx->start[i + 2]);
			i += 2;
		}
		if (w >= n || c != want[w])
			return FALSE;
	}
	return w == n;
}

/* After T_OPEN: step over the rest of the array or dictionary. */
static gboolean
skip_compound(struct lexer *lx)
{
	for (int depth = 1; depth > 0;) {
		enum token t = next_token(lx);
		if (t == T_END)
			return FALSE;
		depth += t == T_OPEN ? 1 : t == T_CLOSE ? -1 : 0;
	}
	return TRUE;
}

/* The T_INT just read (at most 9 digits). */
static int
int_value(const struct lexer *lx)
{
	int v = 0;
	for (gsize i = 0; i < lx->len; i++)
		v = v * 10 + (lx->start[i] - '0');
	return v;
}

/* A reference "N G R" as the next value, else the lexer is left where it
 * was after its first token. */
static gboolean
read_ref(struct lexer *lx, struct pdf_ref *ref)
{
	struct lexer after_first = *lx;
	int num = int_value(lx);
	if (next_token(lx) == T_INT) {
		int gen = int_value(lx);
		if (next_token(lx) == T_R) {
			ref->num = num;
			ref->gen = gen;
			return TRUE;
		}
	}
	*lx = after_first;
	return FALSE;
}

/* The dictionary at lx (after "<<"): its /Root and /Info references. */
static gboolean
read_trailer_dict(struct lexer *lx, struct pdf_trailer_refs *refs)
{
	memset(refs, 0, sizeof *refs);
	for (;;) {
		enum token t = next_token(lx);
		if (t == T_CLOSE)
			return TRUE;
		if (t != T_NAME)
			return FALSE;
		gboolean root = name_is(lx, "Root"), info = name_is(lx, "Info");
		struct pdf_ref ref;
		switch (next_token(lx)) {
		case T_OPEN:
			if (!skip_compound(lx))
				return FALSE;
			break;
		case T_INT:
			if (read_ref(lx, &ref) && (root || info)) {
				*(root ? &refs->root : &refs->info) = ref;
				*(root ? &refs->has_root : &refs->has_info) = TRUE;
			}
			break;
		case T_END:
		case T_CLOSE:
			return FALSE;
		default:
			break;
		}
	}
}

/* Is data[i] the first word of a line? */
static gboolean
starts_line(const guint8 *data, gsize i)
{
	while (i > 0 && data[i - 1] != '\n' && data[i - 1] != '\r' && is_white(data[i - 1]))
		i--;
	return i == 0 || data[i - 1] == '\n' || data[i - 1] == '\r';
}

gboolean
pdf_scan_trailers(const guint8 *data, gsize len,
		  gboolean (*accept)(const struct pdf_trailer_refs *refs, gpointer user),
		  gpointer user)
{
	static const char keyword[] = "trailer";
	const gsize k = sizeof keyword - 1;
	for (gsize limit = len >= k ? len - k + 1 : 0; limit > 0;) {
		const guint8 *p = memrchr(data, 't', limit);
		if (!p)
			break;
		limit = (gsize)(p - data); /* the next search ends before this 't' */
		if (memcmp(p, keyword, k) != 0 || !starts_line(data, (gsize)(p - data)))
			continue;
		struct lexer lx = { .p = p + k, .end = MIN(data + len, p + k + TRAILER_DICT_MAX) };
		if (lx.p < lx.end && !is_white(*lx.p) && *lx.p != '<' && *lx.p != '%')
			continue; /* "trailers": another word */
		struct pdf_trailer_refs refs;
		if (next_token(&lx) == T_OPEN && *lx.start == '<' && read_trailer_dict(&lx, &refs) &&
		    accept(&refs, user))
			return TRUE;
	}
	return FALSE;
}
