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
 *	text by then. Defanged links are left as they are, so a second pass
 *	changes nothing.
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

static gboolean
is_defanged_scheme(const char *p, gsize n)
{
	static const char *const defanged[] = { "hxxp", "hxxps", "fxp" };
	for (gsize i = 0; i < G_N_ELEMENTS(defanged); i++)
		if (n == strlen(defanged[i]) && g_ascii_strncasecmp(p, defanged[i], n) == 0)
			return TRUE;
	return FALSE;
}

static void
append_defanged(GString *out, const char *url, gsize n, gsize scheme_len)
{
	gsize i = 0;
	gboolean mailto = FALSE;
	if (scheme_len) {
		g_autofree char *scheme = g_ascii_strdown(url, (gssize)scheme_len);
		mailto = strcmp(scheme, "mailto") == 0;
		if (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0)
			g_string_append_printf(out, "hxxp%s:", scheme + 4);
		else if (strcmp(scheme, "ftp") == 0)
			g_string_append(out, "fxp:");
		else
			g_string_append_printf(out, "%.*s[:]", (int)scheme_len, url);
		for (i = scheme_len + 1; i < n && url[i] == '/'; i++)
			g_string_append_c(out, '/');
	}
	gboolean in_host = TRUE; /* mailto: the whole address */
	for (; i < n; i++) {
		if (!mailto && strchr("/?#", url[i]))
			in_host = FALSE;
		if (url[i] == '.' && in_host)
			g_string_append(out, "[.]");
		else
			g_string_append_c(out, url[i]);
	}
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

char *
mime_link_style(const char *text, const char *style)
{
	gboolean defang = g_strcmp0(style, "defang") == 0;
	gboolean remove = g_strcmp0(style, "remove") == 0;
	if (!defang && !remove)
		return g_strdup(text);
	GString *out = g_string_sized_new(strlen(text));
	for (const char *p = text; *p;) {
		gsize scheme_len;
		gsize n = url_at(text, p, &scheme_len);
		gsize domain = defang && *p == '@' ? address_domain_at(text, p + 1) : 0;
		if (domain) {
			g_string_append_c(out, '@');
			append_defanged(out, p + 1, domain, 0);
			p += 1 + domain;
			continue;
		}
		if (!n) {
			g_string_append_c(out, *p++);
			continue;
		}
		if (scheme_len && is_defanged_scheme(p, scheme_len)) {
			g_string_append_len(out, p, (gssize)n); /* all of it: a second pass */
			p += n;
			continue;
		}
		if (defang) {
			append_defanged(out, p, n, scheme_len);
		} else if (p > text && p[-1] == '<' && p[n] == '>') {
			/* "label <url>": the label stays, " <url>" goes */
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
