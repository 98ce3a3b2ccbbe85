/*
 * NAME
 *	mime-links.c - how links are written in a text-mode mail ([mail] links)
 * SUMMARY
 *	text: as they are ("label <url>" from HTML, URLs in plain text).
 *	defang: written so that no mail client makes a link of them:
 *	"hxxps://example[.]com/path", "www[.]example[.]jp", "mailto[:]a@b[.]jp",
 *	"file[:]//server/share"; a bare address, which clients link as
 *	mailto:, "a@b[.]jp".
 *	remove: "label <url>" keeps the label; a URL standing alone becomes
 *	"（リンク削除）".
 * DESCRIPTION
 *	A URL is what mail clients turn into links: a scheme followed by
 *	"://", "mailto:", or a host starting with "www.", at the start of a
 *	word; it runs to white space, '<', '>', '"', or the first non-ASCII
 *	character (Japanese text often follows a URL without a space), less
 *	trailing punctuation. The body, the text HTML was converted to and
 *	the attachment excerpts are all treated alike, since they are one
 *	text by then. Defanging also finds a "scheme://" inside another URL
 *	and leaves defanged links as they are, so a second pass changes
 *	nothing.
 */
#include <string.h>

#include "mime.h"

static gboolean
is_url_char(char c)
{
	return (guchar)c > 0x20 && (guchar)c < 0x7f && c != '<' && c != '>' && c != '"';
}

static gboolean
is_scheme_char(char c)
{
	return g_ascii_isalnum(c) || c == '+' || c == '-' || c == '.';
}

/* Length of the URL starting at `p` (0: none), and of its scheme part
 * ("https", "mailto", 0 for www.). */
static gsize
url_at(const char *text, const char *p, gsize *scheme_len)
{
	char before = p > text ? p[-1] : ' ';
	if (g_ascii_isalnum(before))
		return 0; /* inside a word */
	gsize s = 0;
	while (s < 32 && is_scheme_char(p[s]))
		s++;
	*scheme_len = 0;
	if (s && g_ascii_isalpha(p[0]) &&
	    (strncmp(p + s, "://", 3) == 0 ||
	     (s == 6 && g_ascii_strncasecmp(p, "mailto", 6) == 0 && p[s] == ':')))
		*scheme_len = s;
	else if (before == '.' || before == '-' || before == '@' ||
		 g_ascii_strncasecmp(p, "www.", 4) != 0 || !g_ascii_isalnum(p[4]))
		return 0; /* a www. host, not the end of a longer name */
	gsize n = 0;
	while (is_url_char(p[n]))
		n++;
	while (n > *scheme_len + 1 && strchr(".,;:!?)]}'", p[n - 1]))
		n--; /* sentence punctuation, not the URL's */
	/* "https://" alone still makes clients link what follows (an IDN host) */
	return n > (*scheme_len ? *scheme_len : 4) ? n : 0;
}

/* Length of the domain of a bare mail address at `p` (just after its
 * '@'), 0 when it is none: a local part before, a dotted host after. */
static gsize
address_domain_at(const char *text, const char *p)
{
	if (p - 1 <= text || !(g_ascii_isalnum(p[-2]) || strchr("._%+-", p[-2])))
		return 0;
	gsize n = 0;
	gboolean dot = FALSE;
	while (g_ascii_isalnum(p[n]) || p[n] == '-' || (p[n] == '.' && g_ascii_isalnum(p[n + 1]))) {
		dot = dot || p[n] == '.';
		n++;
	}
	return dot ? n : 0;
}

static gboolean
is_defanged_scheme(const char *p, gsize n)
{
	static const char *const defanged[] = { "hxxp", "hxxps", "fxp" };
	for (gsize i = 0; i < G_N_ELEMENTS(defanged); i++)
		if (n == strlen(defanged[i]) && g_ascii_strncasecmp(p, defanged[i], n) == 0)
			return TRUE;
	return FALSE;
}

/* The scheme run (letters first) ending at the "://" at `colon`, not
 * reaching back before `from`; 0 when there is none. */
static gsize
scheme_before(const char *from, const char *colon)
{
	gsize n = 0;
	while (colon - (gssize)n > from && n < 32 && is_scheme_char(colon[-(gssize)n - 1]))
		n++;
	while (n && !g_ascii_isalpha(colon[-(gssize)n]))
		n--;
	return n;
}

/* Does a scheme followed by "://" start at `p`? */
static gboolean
starts_scheme_url(const char *p)
{
	if (!g_ascii_isalpha(*p))
		return FALSE;
	gsize n = 0;
	while (n < 32 && is_scheme_char(p[n]))
		n++;
	return strncmp(p + n, "://", 3) == 0;
}

/* A host (letters, digits, '-', '_', '.') from `p` with its dots as "[.]",
 * stopping where another URL's scheme starts; returns its length. */
static gsize
append_host_defanged(GString *out, const char *p)
{
	gsize n = 0;
	for (; g_ascii_isalnum(p[n]) || p[n] == '-' || p[n] == '.' || p[n] == '_'; n++) {
		if (n && starts_scheme_url(p + n))
			break;
		if (p[n] == '.')
			g_string_append(out, "[.]");
		else
			g_string_append_c(out, p[n]);
	}
	return n;
}

/* "www." at `p`, at the start of a host name. */
static gboolean
www_at(const char *text, const char *p)
{
	char before = p > text ? p[-1] : ' ';
	return !g_ascii_isalnum(before) && before != '.' && before != '-' && before != '@' &&
	       g_ascii_strncasecmp(p, "www.", 4) == 0 && g_ascii_isalnum(p[4]);
}

/* A URL's scheme and "://", defanged (hxxp, hxxps, fxp: as they are). */
static void
append_scheme_defanged(GString *out, const char *scheme, gsize n)
{
	g_autofree char *lower = g_ascii_strdown(scheme, (gssize)n);
	if (is_defanged_scheme(scheme, n))
		g_string_append_printf(out, "%.*s://", (int)n, scheme);
	else if (strcmp(lower, "http") == 0 || strcmp(lower, "https") == 0)
		g_string_append_printf(out, "hxxp%s://", lower + 4);
	else if (strcmp(lower, "ftp") == 0)
		g_string_append(out, "fxp://");
	else
		g_string_append_printf(out, "%.*s[:]//", (int)n, scheme);
}

/*
 * defang: every "scheme://" anywhere (also inside another URL), "www."
 * hosts, "mailto:" and bare addresses; a host's dots become "[.]". What
 * this writes holds none of them, so a second pass changes nothing.
 */
static char *
defang_links(const char *text)
{
	GString *out = g_string_sized_new(strlen(text));
	const char *from = text; /* not yet written */
	for (const char *p = text; *p;) {
		gsize n;
		if (p[0] == ':' && p[1] == '/' && p[2] == '/' && (n = scheme_before(from, p))) {
			g_string_append_len(out, from, p - n - from);
			append_scheme_defanged(out, p - n, n);
			gboolean already = is_defanged_scheme(p - n, n);
			p += 3;
			if (!already)
				p += append_host_defanged(out, p);
		} else if (www_at(text, p)) {
			g_string_append_len(out, from, p - from);
			p += append_host_defanged(out, p);
		} else if ((p == text || !g_ascii_isalnum(p[-1])) &&
			   g_ascii_strncasecmp(p, "mailto:", 7) == 0) {
			g_string_append_len(out, from, p - from);
			g_string_append_printf(out, "%.6s[:]", p);
			p += 7;
		} else if (*p == '@' && address_domain_at(text, p + 1)) {
			g_string_append_len(out, from, p + 1 - from);
			p += 1 + append_host_defanged(out, p + 1);
		} else {
			p++;
			continue;
		}
		from = p;
	}
	g_string_append(out, from);
	return g_string_free(out, FALSE);
}

/* remove: "label <url>" keeps its label, a URL standing alone goes. */
static char *
remove_links(const char *text)
{
	GString *out = g_string_sized_new(strlen(text));
	for (const char *p = text; *p;) {
		gsize scheme_len;
		gsize n = url_at(text, p, &scheme_len);
		if (!n) {
			g_string_append_c(out, *p++);
			continue;
		}
		if (p > text && p[-1] == '<' && p[n] == '>') {
			/* " <url>" goes */
			g_string_truncate(out, out->len - 1);
			if (out->len && out->str[out->len - 1] == ' ')
				g_string_truncate(out, out->len - 1);
			n++;
		} else {
			g_string_append(out, "（リンク削除）");
		}
		p += n;
	}
	return g_string_free(out, FALSE);
}

char *
mime_link_style(const char *text, const char *style)
{
	if (g_strcmp0(style, "defang") == 0)
		return defang_links(text);
	if (g_strcmp0(style, "remove") == 0)
		return remove_links(text);
	return g_strdup(text);
}
