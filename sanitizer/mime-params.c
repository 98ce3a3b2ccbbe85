/*
 * NAME
 *	mime-params.c - Content-Type/Disposition parameters, decoded by us
 * SUMMARY
 *	GMime decodes RFC 2231 values and RFC 2047 words in quoted values with
 *	glibc's ISO-2022-JP, which fails on ① ㈱ 髙 and then hands back raw
 *	bytes (escape sequences included). File names decide how a part is
 *	judged and are shown to the reader, so they are decoded here from the
 *	raw header: name*=charset'lang'%XX, continuations name*0*=, name*1=,
 *	and quoted values holding encoded words, through charset.c.
 */
#include <string.h>

#include "mime-params.h"
#include "mime-words.h"

struct segment {
	GByteArray *bytes;
	gboolean extended; /* name*N*= : percent-encoded, charset in segment 0 */
};

/* The next "key=value" after `*p` (a ';'-separated list, quotes respected). */
static gboolean
next_param(const char **p, char **key, char **value)
{
	const char *s = *p;
	while (*s && *s != ';')
		s++; /* skip the type, or the rest of the last parameter */
	if (!*s)
		return FALSE;
	s++;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	const char *eq = s;
	while (*eq && *eq != '=' && *eq != ';')
		eq++;
	if (*eq != '=') {
		*p = eq;
		*key = NULL;
		return TRUE;
	}
	g_autofree char *k = g_strstrip(g_strndup(s, (gsize)(eq - s)));
	*key = g_ascii_strdown(k, -1);
	GString *v = g_string_new(NULL);
	const char *c = eq + 1;
	while (*c == ' ' || *c == '\t')
		c++;
	if (*c == '"') {
		for (c++; *c && *c != '"'; c++) {
			if (*c == '\\' && c[1])
				c++;
			g_string_append_c(v, *c);
		}
		if (*c == '"')
			c++;
	} else {
		while (*c && *c != ';' && *c != ' ' && *c != '\t' && *c != '\r' && *c != '\n')
			g_string_append_c(v, *c++);
	}
	*value = g_string_free(v, FALSE);
	*p = c;
	return TRUE;
}

static void
percent_decode(const char *s, GByteArray *out)
{
	for (; *s; s++) {
		guint8 b = (guint8)*s;
		if (*s == '%' && g_ascii_isxdigit(s[1]) && g_ascii_isxdigit(s[2])) {
			b = (guint8)(g_ascii_xdigit_value(s[1]) << 4 | g_ascii_xdigit_value(s[2]));
			s += 2;
		}
		g_byte_array_append(out, &b, 1);
	}
}

static void
segment_clear(gpointer p)
{
	struct segment *seg = p;
	if (seg->bytes)
		g_byte_array_unref(seg->bytes);
}

char *
mime_param_decode(struct cdr_charsets *cs, const char *raw, const char *name)
{
	return mime_param_decode_from(cs, CDR_CARRIER_NONE, raw, name, NULL);
}

char *
mime_param_decode_from(struct cdr_charsets *cs, enum cdr_carrier carrier, const char *raw,
		       const char *name, gboolean *lossy)
{
	g_autoptr(GArray) segs = g_array_new(FALSE, TRUE, sizeof(struct segment));
	g_array_set_clear_func(segs, segment_clear);
	g_autofree char *plain = NULL;
	g_autofree char *charset = NULL;
	gsize nlen = strlen(name);
	const char *p = raw;
	char *key = NULL, *value = NULL;

	while (next_param(&p, &key, &value)) {
		if (!key)
			continue;
		g_autofree char *k = key, *v = value;
		if (strcmp(k, name) == 0) {
			if (!plain)
				plain = g_strdup(v);
			continue;
		}
		if (strncmp(k, name, nlen) != 0 || k[nlen] != '*')
			continue;
		const char *rest = k + nlen + 1;
		guint index = 0;
		gboolean extended = FALSE;
		if (!*rest) { /* name*=charset'lang'value */
			extended = TRUE;
		} else {
			char *end;
			index = (guint)g_ascii_strtoull(rest, &end, 10);
			if (end == rest || index > 64 || (*end && strcmp(end, "*") != 0))
				continue;
			extended = *end == '*';
		}
		if (index >= segs->len)
			g_array_set_size(segs, index + 1);
		struct segment *seg = &g_array_index(segs, struct segment, index);
		if (seg->bytes)
			continue; /* a segment given twice: the first one counts */
		seg->bytes = g_byte_array_new();
		seg->extended = extended;
		const char *text = v;
		if (extended && index == 0) {
			const char *q1 = strchr(v, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
			if (q2) {
				charset = g_strndup(v, (gsize)(q1 - v));
				text = q2 + 1;
			}
		}
		if (extended)
			percent_decode(text, seg->bytes);
		else
			g_byte_array_append(seg->bytes, (const guint8 *)text, (guint)strlen(text));
	}

	if (segs->len) {
		g_autoptr(GByteArray) all = g_byte_array_new();
		for (guint i = 0; i < segs->len; i++) {
			struct segment *seg = &g_array_index(segs, struct segment, i);
			if (!seg->bytes)
				break; /* a gap: what follows cannot be trusted to belong */
			g_byte_array_append(all, seg->bytes->data, seg->bytes->len);
		}
		enum cdr_decode_quality q;
		char *text = cdr_charset_decode_from(cs, carrier, charset && *charset ? charset : NULL,
						     all->data, all->len, &q);
		if (lossy)
			*lossy = q == CDR_DECODE_LOSSY;
		return text;
	}
	if (plain) { /* quoted values may hold encoded words (Outlook, Becky!) */
		unsigned flags = 0;
		char *text = mime_decode_header_from(cs, carrier, plain, strlen(plain), &flags);
		if (lossy)
			*lossy = (flags & MIME_WORDS_LOSSY) != 0;
		return text;
	}
	return NULL;
}
