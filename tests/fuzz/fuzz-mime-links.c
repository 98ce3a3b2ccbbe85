/*
 * NAME
 *	fuzz-mime-links - libFuzzer target: [mail] links styles on any text
 * SUMMARY
 *	Any text (made valid UTF-8, as the mail's text is) in the defang and
 *	remove styles: the result is valid UTF-8, a second pass changes
 *	nothing (text mode is idempotent), and no http, https or ftp URL a
 *	client would link is left.
 */
#include <string.h>

#include "fuzz-common.h"
#include "mime.h"

static void
assert_no_web_url(const char *text)
{
	for (const char *p = text; (p = strstr(p, "://")); p++) {
		const char *s = p;
		while (s > text && g_ascii_isalpha(s[-1]))
			s--;
		gsize n = (gsize)(p - s);
		g_assert(!(n >= 4 && g_ascii_strncasecmp(p - 4, "http", 4) == 0 &&
			   (n == 4 || !g_ascii_isalnum(p[-5]))));
		g_assert(!(n >= 5 && g_ascii_strncasecmp(p - 5, "https", 5) == 0 &&
			   (n == 5 || !g_ascii_isalnum(p[-6]))));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const styles[] = { "defang", "remove" };
	g_autofree char *text = g_utf8_make_valid((const char *)data, (gssize)size);
	for (gsize i = 0; i < G_N_ELEMENTS(styles); i++) {
		g_autofree char *once = mime_link_style(text, styles[i]);
		g_autofree char *twice = mime_link_style(once, styles[i]);
		g_assert(g_utf8_validate(once, -1, NULL));
		g_assert_cmpstr(once, ==, twice);
		assert_no_web_url(once);
	}
	return 0;
}
