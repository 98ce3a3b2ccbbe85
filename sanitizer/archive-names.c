/*
 * NAME
 *	archive-names.c - member names made safe to extract anywhere
 * SUMMARY
 *	A member's stored name is decoded (UTF-8; else CP932, which Japanese
 *	Windows writes into zips without the UTF-8 flag and into lzh and cab;
 *	else with '_' for the undecodable bytes) and only then split into
 *	path parts, so the 0x5C second byte of 表 or ソ is never taken for a
 *	backslash. Every part is then judged by the name rules cdr-file
 *	applies to the folders of a tree (cdr/names.c): what could escape the
 *	extraction directory or fool a reader is dropped or replaced (absolute
 *	paths, "..", drive letters, control and bidi characters, characters
 *	Windows forbids, trailing dots and spaces, device names, CLSID
 *	junction folders). Names are made unique ignoring case.
 * DESCRIPTION
 *	A name that is valid UTF-8 is taken as UTF-8 even without the zip
 *	flag (macOS and many tools write it so); CP932 text is almost never
 *	valid UTF-8, the reverse often is valid CP932, so this order is the
 *	safe one.
 */
#include <string.h>

#include "archive-parts.h"
#include "names.h"

struct archive_names {
	struct cdr_charsets *charsets;
	GHashTable *taken; /* case-folded paths already used */
	GHashTable *next;  /* case-folded path -> the number its next copy tries */
};

struct archive_names *
archive_names_new(struct cdr_charsets *charsets)
{
	struct archive_names *n = g_new0(struct archive_names, 1);
	n->charsets = charsets;
	n->taken = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	n->next = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	return n;
}

void
archive_names_free(struct archive_names *n)
{
	if (!n)
		return;
	g_hash_table_destroy(n->taken);
	g_hash_table_destroy(n->next);
	g_free(n);
}

static char *
decode(struct archive_names *n, const char *raw, gboolean *changed)
{
	gsize len = strlen(raw);
	if (g_utf8_validate(raw, (gssize)len, NULL))
		return g_strdup(raw);
	enum cdr_decode_quality q = CDR_DECODE_LOSSY;
	char *s = n->charsets ? cdr_charset_decode(n->charsets, "cp932", (const guint8 *)raw, len, &q)
			      : NULL;
	if (s && q == CDR_DECODE_EXACT)
		return s;
	g_free(s);
	*changed = TRUE;
	return g_utf8_make_valid(raw, (gssize)len); /* U+FFFD, replaced below */
}

char *
archive_names_make_safe(struct archive_names *n, const char *raw, gboolean *changed)
{
	*changed = FALSE;
	g_autofree char *name = decode(n, raw, changed);
	return cdr_name_clean_path(name, changed);
}

/* "dir/name (2).ext" from "dir/name.ext". */
static char *
numbered(const char *path, unsigned k)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	if (!dot || dot == base)
		dot = path + strlen(path);
	return g_strdup_printf("%.*s (%u)%s", (int)(dot - path), path, k, dot);
}

char *
archive_names_claim(struct archive_names *n, const char *path, gboolean *renamed)
{
	*renamed = FALSE;
	char *folded = g_utf8_casefold(path, -1);
	if (g_hash_table_add(n->taken, folded))
		return g_strdup(path);
	/* taken: go on from the number the last copy of this name stopped at,
	 * so thousands of copies cost one try each, not one per earlier copy */
	unsigned k = GPOINTER_TO_UINT(g_hash_table_lookup(n->next, folded));
	for (k = MAX(k, 2);; k++) {
		char *candidate = numbered(path, k);
		char *key = g_utf8_casefold(candidate, -1);
		if (g_hash_table_add(n->taken, key)) {
			g_hash_table_insert(n->next, g_strdup(folded), GUINT_TO_POINTER(k + 1));
			*renamed = TRUE;
			return candidate;
		}
		g_free(candidate);
	}
}
