/*
 * NAME
 *	archive-names.c - member names made safe to extract anywhere
 * SUMMARY
 *	A member's stored name is decoded (UTF-8; else CP932, which Japanese
 *	Windows writes into zips without the UTF-8 flag and into lzh and cab;
 *	else with '_' for the undecodable bytes) and only then split into
 *	path parts, so the 0x5C second byte of 表 or ソ is never taken for a
 *	backslash. What could escape the extraction directory or fool a
 *	reader is dropped or replaced: absolute paths, "..", drive letters,
 *	control and bidi characters, characters Windows forbids, trailing dots
 *	and spaces, device names. Names are made unique ignoring case.
 * DESCRIPTION
 *	A name that is valid UTF-8 is taken as UTF-8 even without the zip
 *	flag (macOS and many tools write it so); CP932 text is almost never
 *	valid UTF-8, the reverse often is valid CP932, so this order is the
 *	safe one. Each part is cut to 255 bytes at a character boundary.
 */
#include <string.h>

#include "archive-parts.h"

#define NAME_PART_MAX 255
#define NAME_UNNAMED "unnamed"

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

/* Windows opens a device for "CON", "con.txt", "CON .txt", "COM¹"... */
static gboolean
is_reserved_device(const char *part)
{
	static const char *const devices[] = { "con", "prn", "aux", "nul", "conin$", "conout$" };
	gsize stem = strcspn(part, ".");
	while (stem > 0 && part[stem - 1] == ' ')
		stem--;
	for (gsize i = 0; i < G_N_ELEMENTS(devices); i++)
		if (stem == strlen(devices[i]) && g_ascii_strncasecmp(part, devices[i], stem) == 0)
			return TRUE;
	if (stem < 4 ||
	    (g_ascii_strncasecmp(part, "com", 3) != 0 && g_ascii_strncasecmp(part, "lpt", 3) != 0))
		return FALSE;
	const char *digit = part + 3;
	if (stem == 4)
		return *digit >= '1' && *digit <= '9';
	/* superscript one, two, three (U+00B9, U+00B2, U+00B3) */
	return stem == 5 && (guchar)digit[0] == 0xc2 &&
	       ((guchar)digit[1] == 0xb9 || (guchar)digit[1] == 0xb2 || (guchar)digit[1] == 0xb3);
}

/* Characters that Windows' "best fit" conversion to a code page turns into
 * a path separator (the yen sign is the backslash of CP932). */
static gboolean
is_best_fit_separator(gunichar u)
{
	return u == 0x00A5 || u == 0x20A9 || u == 0xFF3C || u == 0xFF0F || u == 0x2215 ||
	       u == 0x2044;
}

/* One path part, cleaned; "" when nothing is left. */
static GString *
clean_part(const char *part, gboolean *changed)
{
	GString *out = g_string_new(NULL);
	for (const char *c = part; *c; c = g_utf8_next_char(c)) {
		gunichar u = g_utf8_get_char(c);
		GUnicodeType t = g_unichar_type(u);
		if (t == G_UNICODE_CONTROL || t == G_UNICODE_FORMAT || u == 0xFFFD) {
			if (u == 0xFFFD)
				g_string_append_c(out, '_');
			*changed = TRUE;
		} else if ((u < 0x80 && strchr("<>:\"|?*", (int)u)) || is_best_fit_separator(u)) {
			g_string_append_c(out, '_');
			*changed = TRUE;
		} else {
			g_string_append_unichar(out, u);
		}
	}
	while (out->len > 0 && (out->str[out->len - 1] == '.' || out->str[out->len - 1] == ' ')) {
		g_string_truncate(out, out->len - 1);
		*changed = TRUE;
	}
	if (out->len > NAME_PART_MAX) {
		const char *cut = g_utf8_find_prev_char(out->str, out->str + NAME_PART_MAX + 1);
		g_string_truncate(out, (gsize)(cut - out->str));
		*changed = TRUE;
	}
	if (out->len > 0 && is_reserved_device(out->str)) {
		g_string_prepend_c(out, '_');
		*changed = TRUE;
	}
	return out;
}

static gboolean
is_drive(const char *part)
{
	return g_ascii_isalpha(part[0]) && part[1] == ':';
}

char *
archive_names_make_safe(struct archive_names *n, const char *raw, gboolean *changed)
{
	*changed = FALSE;
	g_autofree char *name = decode(n, raw, changed);
	for (char *c = name; *c; c++)
		if (*c == '\\')
			*c = '/';
	g_auto(GStrv) parts = g_strsplit(name, "/", -1);
	GString *path = g_string_new(NULL);
	for (guint i = 0; parts[i]; i++) {
		const char *p = parts[i];
		if (*p == '\0') { /* "/abs" changes; "a//b" and a directory's trailing '/' do not */
			if (i == 0 && parts[1])
				*changed = TRUE;
			continue;
		}
		if (i == 0 && is_drive(p)) { /* "C:" goes, "C:name" keeps its name */
			*changed = TRUE;
			p += 2;
			if (*p == '\0')
				continue;
		}
		if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
			*changed = TRUE;
			continue;
		}
		GString *part = clean_part(p, changed);
		if (part->len > 0) {
			if (path->len)
				g_string_append_c(path, '/');
			g_string_append_len(path, part->str, (gssize)part->len);
		}
		g_string_free(part, TRUE);
	}
	if (path->len == 0) {
		g_string_assign(path, NAME_UNNAMED);
		*changed = TRUE;
	}
	return g_string_free(path, FALSE);
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
