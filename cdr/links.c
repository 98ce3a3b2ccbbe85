/*
 * NAME
 *	links.c - the one judge of hyperlink targets
 * SUMMARY
 *	A target is kept when its scheme is on [links] schemes. The judge is
 *	strict where viewers are lenient: a scheme must be plain ASCII letters,
 *	digits and "+-." before the first ':', nothing in the target may be a
 *	control character or a backslash (Windows turns "http:\\host" and
 *	"\\host\share" into SMB), and a target with no scheme (a relative
 *	path, which a viewer resolves against the document's own location)
 *	is not a web link.
 * DESCRIPTION
 *	Web links (http, https) must also name a host ("http://x"), since
 *	"http:evil.exe" is resolved as a relative path by some viewers.
 */
#include "links.h"

#include <string.h>

#include "policy.h"

/* Schemes no policy may allow: they open local or network files, run
 * code, or carry their content inline. */
static const char *const never_allowed[] = {
	"file",    "smb",     "cifs",     "nfs",       "afp",    "javascript", "vbscript",
	"jscript", "livescript", "data",  "jar",       "shell",  "search",     "search-ms",
	"mhtml",   "res",     "its",      "ms-its",    "mk",     "hcp",        "vnd.sun.star.script",
	"macro",   "about",   "view-source", "blob",   "chrome", "outlook",    NULL,
};

const char *
cdr_link_scheme_refusal(const char *scheme)
{
	if (!*scheme || !g_ascii_isalpha(*scheme))
		return "a scheme starts with a letter";
	for (const char *p = scheme; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '+' && *p != '-' && *p != '.')
			return "a scheme is made of letters, digits, '+', '-' and '.'";
	for (unsigned i = 0; never_allowed[i]; i++)
		if (g_ascii_strcasecmp(scheme, never_allowed[i]) == 0)
			return "this scheme opens files, runs code or carries inline content";
	if (g_ascii_strncasecmp(scheme, "ms-", 3) == 0)
		return "ms-* schemes start Windows applications (ms-msdt, ms-word, ...)";
	return NULL;
}

gboolean
cdr_link_allowed(const struct cdr_policy *policy, const char *target, gsize len)
{
	while (len && (guchar)*target <= ' ') {
		target++;
		len--;
	}
	for (gsize i = 0; i < len; i++) {
		guchar c = (guchar)target[i];
		if (c < ' ' || c == 0x7f || c == '\\')
			return FALSE;
	}
	gsize n = 0;
	while (n < len && (g_ascii_isalnum(target[n]) || target[n] == '+' || target[n] == '-' ||
			   target[n] == '.'))
		n++;
	if (n == 0 || n == len || target[n] != ':' || !g_ascii_isalpha(target[0]))
		return FALSE;
	gboolean listed = FALSE;
	for (char *const *s = policy->links_schemes; s && *s && !listed; s++)
		listed = strlen(*s) == n && g_ascii_strncasecmp(*s, target, n) == 0;
	if (!listed)
		return FALSE;
	gboolean web = (n == 4 && g_ascii_strncasecmp(target, "http", 4) == 0) ||
		       (n == 5 && g_ascii_strncasecmp(target, "https", 5) == 0);
	if (web) {
		const char *rest = target + n + 1;
		gsize left = len - n - 1;
		if (left < 3 || rest[0] != '/' || rest[1] != '/' || rest[2] == '/')
			return FALSE;
	}
	return TRUE;
}

gboolean
cdr_link_allowed_str(const struct cdr_policy *policy, const char *target)
{
	return target && cdr_link_allowed(policy, target, strlen(target));
}
