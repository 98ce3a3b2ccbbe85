/*
 * NAME
 *	fuzz-web-token - libFuzzer target: what a browser sends cdr-web
 * SUMMARY
 *	The bytes are a staff link's token (up to the first NUL) as it comes
 *	in the URL, checked against a fixed key at a fixed time: whatever it
 *	is, a token is OK or EXPIRED only when it is exactly the one
 *	release_token_make() gives for the fields it yields (one spelling per
 *	token, nothing unsigned believed). The same bytes through the HTML
 *	escape: the result is UTF-8 and has no < > " ' and no & that does not
 *	start a character reference.
 */
#include <string.h>

#include <glib.h>

#include "escape.h"
#include "fuzz-common.h"
#include "release-token.h"

#define NOW 1800000000

static void
check_escape(const char *text)
{
	g_autofree char *out = web_escape_text(text);
	g_assert(g_utf8_validate(out, -1, NULL));
	for (const char *c = out; *c; c++) {
		g_assert(*c != '<' && *c != '>' && *c != '"' && *c != '\'');
		if (*c == '&')
			g_assert(g_str_has_prefix(c, "&amp;") || g_str_has_prefix(c, "&lt;") ||
				 g_str_has_prefix(c, "&gt;") || g_str_has_prefix(c, "&quot;") ||
				 g_str_has_prefix(c, "&#39;") || g_str_has_prefix(c, "&#x"));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static GBytes *key;
	if (!key)
		key = g_bytes_new_static("fuzz-key-fuzz-key-fuzz-key-fuzz-key!", 36);
	g_autofree char *text = g_strndup((const char *)data, size);
	char *id = NULL, *rcpt = NULL;
	gint64 expiry = 0;
	enum release_token_status st = release_token_check(key, text, NOW, &id, &rcpt, &expiry);
	if (st == RELEASE_TOKEN_OK || st == RELEASE_TOKEN_EXPIRED) {
		g_assert(id && rcpt);
		g_assert((st == RELEASE_TOKEN_OK) == (expiry > NOW));
		g_autofree char *again = release_token_make(key, id, rcpt, expiry);
		g_assert(strcmp(again, text) == 0);
	} else {
		g_assert(!id && !rcpt);
	}
	g_free(id);
	g_free(rcpt);
	check_escape(text);
	return 0;
}
