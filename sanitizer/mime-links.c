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
	if (g_ascii_isalpha(before))
		return 0; /* inside a word ("5http://" is still a link) */
	gsize s = 0;
	while (s < 32 && is_scheme_char(p[s]))
		s++;
	*scheme_len = 0;
	if (s && g_ascii_isalpha(p[0]) &&
	    (strncmp(p + s, "://", 3) == 0 ||
	     (s == 6 && g_ascii_strncasecmp(p, "mailto", 6) == 0 && p[s] == ':')))
		*scheme_len = s;
	else if (g_ascii_isdigit(before) || before == '.' || before == '-' || before == '@' ||
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

/* The next "://" at or after `p` with a scheme before it (the longest
 * run of scheme characters, from `p` on): *start where the scheme begins,
 * *colon its "://"; both NULL when there is none. */
static void
find_marker(const char *p, const char **start, const char **colon)
{
	*start = *colon = NULL;
	for (const char *c = strstr(p, "://"); c; c = strstr(c + 1, "://")) {
		gsize n = scheme_before(p, c);
		if (n) {
			*start = c - n;
			*colon = c;
			return;
		}
	}
}

/* A host (letters, digits, '-', '_', '.') from `p` with its dots as "[.]"
 * (as it is when not `defang`: a defanged URL's, read again), stopping at
 * `limit` (where the next URL's scheme starts, may be NULL); returns its
 * length. */
static gsize
append_host(GString *out, const char *p, const char *limit, gboolean defang)
{
	gsize n = 0;
	for (; p + n != limit &&
	       (g_ascii_isalnum(p[n]) || p[n] == '-' || p[n] == '.' || p[n] == '_');
	     n++) {
		if (n && !g_ascii_isalnum(p[n - 1]) && g_ascii_strncasecmp(p + n, "mailto:", 7) == 0)
			break; /* read as a link of its own, now and on a second pass */
		if (p[n] == '.' && defang)
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

enum scheme_kind { SCHEME_WEB, SCHEME_DEFANGED, SCHEME_OTHER };

/* A URL's scheme and "://", defanged: http(s) and ftp become hxxp(s) and
 * fxp (those as they are), any other keeps its letters with "[.]" for
 * its dots and "[:]//" after it. Returns which it was. */
static enum scheme_kind
append_scheme_defanged(GString *out, const char *scheme, gsize n)
{
	g_autofree char *lower = g_ascii_strdown(scheme, (gssize)n);
	if (is_defanged_scheme(scheme, n)) {
		g_string_append_printf(out, "%.*s://", (int)n, scheme);
		return SCHEME_DEFANGED;
	}
	if (strcmp(lower, "http") == 0 || strcmp(lower, "https") == 0) {
		g_string_append_printf(out, "hxxp%s://", lower + 4);
		return SCHEME_WEB;
	}
	if (strcmp(lower, "ftp") == 0) {
		g_string_append(out, "fxp://");
		return SCHEME_WEB;
	}
	append_host(out, scheme, scheme + n, TRUE);
	g_string_append(out, "[:]//");
	return SCHEME_OTHER;
}

/*
 * defang: every "scheme://" anywhere (also inside another URL), "www."
 * hosts, "mailto:" and bare addresses; a host's dots become "[.]" and a
 * host ends where the next URL's scheme begins. What this writes holds
 * none of them, so a second pass changes nothing.
 */
static char *
defang_links(const char *text)
{
	GString *out = g_string_sized_new(strlen(text));
	const char *from = text; /* not yet written */
	const char *mstart, *mcolon;
	find_marker(text, &mstart, &mcolon);
	for (const char *p = text; *p;) {
		if (p == mstart) {
			g_string_append_len(out, from, p - from);
			enum scheme_kind kind = append_scheme_defanged(out, p, (gsize)(mcolon - p));
			p = mcolon + 3;
			find_marker(p, &mstart, &mcolon);
			/* a web host's dots go (read again as it is); after "[:]//"
			 * nothing links, and what follows is read as text */
			if (kind != SCHEME_OTHER)
				p += append_host(out, p, mstart, kind == SCHEME_WEB);
		} else if (www_at(text, p)) {
			g_string_append_len(out, from, p - from);
			p += append_host(out, p, mstart, TRUE);
		} else if ((p == text || !g_ascii_isalnum(p[-1])) &&
			   g_ascii_strncasecmp(p, "mailto:", 7) == 0) {
			g_string_append_len(out, from, p - from);
			g_string_append_printf(out, "%.6s[:]", p);
			p += 7;
		} else if (*p == '@' && address_domain_at(text, p + 1)) {
			g_string_append_len(out, from, p + 1 - from);
			p += 1 + append_host(out, p + 1, mstart, TRUE);
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
	if (g_strcmp0(style, "remove") != 0)
		return g_strdup(text);
	/* taking " <url>" out joins what was around it, which may make
	 * another URL ("x" + "://"): again until nothing changes */
	char *now = remove_links(text);
	for (int round = 0; round < 16; round++) {
		char *again = remove_links(now);
		gboolean same = strcmp(again, now) == 0;
		g_free(now);
		now = again;
		if (same)
			break;
	}
	return now;
}
