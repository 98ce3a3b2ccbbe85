/*
 * NAME
 *	test-web-token - the signed staff links (cdr/release-token)
 * SUMMARY
 *	Sign and check, expiry, and every kind of tampering: each byte of
 *	the token changed, truncation at every length, another key, the
 *	fields swapped or re-encoded, padding, a second dot; the link in a
 *	notice (release_token_url) and the run parameter that carries it.
 */
#include <glib/gstdio.h>
#include <string.h>

#include "cdr.h"
#include "release-token.h"

static GBytes *
key_of(char c)
{
	char k[RELEASE_TOKEN_MIN_KEY];
	memset(k, c, sizeof(k));
	return g_bytes_new(k, sizeof(k));
}

#define NOW 1800000000
#define ID "20261206T070954-65e1ec75cb72"

static void
test_sign_verify(void)
{
	g_autoptr(GBytes) key = key_of('k');
	g_autofree char *t = release_token_make(key, ID, "soumu@city.example.lg.jp", NOW + 60);
	g_autofree char *id = NULL, *rcpt = NULL;
	gint64 expiry = 0;
	g_assert_cmpint(release_token_check(key, t, NOW, &id, &rcpt, &expiry), ==,
			RELEASE_TOKEN_OK);
	g_assert_cmpstr(id, ==, ID);
	g_assert_cmpstr(rcpt, ==, "soumu@city.example.lg.jp");
	g_assert_cmpint(expiry, ==, NOW + 60);
	/* URL-safe: nothing a mail client or a URL would change */
	for (const char *c = t; *c; c++)
		g_assert_true(g_ascii_isalnum(*c) || *c == '-' || *c == '_' || *c == '.');

	/* the any-recipient link */
	g_autofree char *any = release_token_make(key, ID, "", NOW + 60);
	g_autofree char *id2 = NULL, *rcpt2 = NULL;
	g_assert_cmpint(release_token_check(key, any, NOW, &id2, &rcpt2, NULL), ==,
			RELEASE_TOKEN_OK);
	g_assert_cmpstr(rcpt2, ==, "");
}

static void
test_expiry(void)
{
	g_autoptr(GBytes) key = key_of('k');
	g_autofree char *t = release_token_make(key, ID, "a@b.jp", NOW);
	g_assert_cmpint(release_token_check(key, t, NOW - 1, NULL, NULL, NULL), ==,
			RELEASE_TOKEN_OK);
	g_assert_cmpint(release_token_check(key, t, NOW, NULL, NULL, NULL), ==,
			RELEASE_TOKEN_EXPIRED);
	g_assert_cmpint(release_token_check(key, t, NOW + 86400, NULL, NULL, NULL), ==,
			RELEASE_TOKEN_EXPIRED);
}

/* Every single-byte change, every truncation: never OK. */
static void
test_tampering_bytes(void)
{
	g_autoptr(GBytes) key = key_of('k');
	g_autofree char *t = release_token_make(key, ID, "a@b.jp", NOW + 60);
	gsize n = strlen(t);
	static const char replacements[] = "AaZz09-_.=+/ \x01\xff";
	for (gsize i = 0; i < n; i++)
		for (const char *r = replacements; *r; r++) {
			if (*r == t[i])
				continue;
			g_autofree char *bad = g_strdup(t);
			bad[i] = *r;
			g_assert_cmpint(release_token_check(key, bad, NOW, NULL, NULL, NULL), !=,
					RELEASE_TOKEN_OK);
		}
	for (gsize len = 0; len < n; len++) {
		g_autofree char *cut = g_strndup(t, len);
		g_assert_cmpint(release_token_check(key, cut, NOW, NULL, NULL, NULL), !=,
				RELEASE_TOKEN_OK);
	}
	g_autofree char *longer = g_strconcat(t, "A", NULL);
	g_assert_cmpint(release_token_check(key, longer, NOW, NULL, NULL, NULL), !=,
			RELEASE_TOKEN_OK);
	g_autofree char *padded = g_strconcat(t, "=", NULL);
	g_assert_cmpint(release_token_check(key, padded, NOW, NULL, NULL, NULL), !=,
			RELEASE_TOKEN_OK);
	g_assert_cmpint(release_token_check(key, "", NOW, NULL, NULL, NULL), ==,
			RELEASE_TOKEN_MALFORMED);
	g_assert_cmpint(release_token_check(key, NULL, NOW, NULL, NULL, NULL), ==,
			RELEASE_TOKEN_MALFORMED);
}

static void
test_other_key(void)
{
	g_autoptr(GBytes) key = key_of('k');
	g_autoptr(GBytes) other = key_of('K');
	g_autofree char *t = release_token_make(other, ID, "a@b.jp", NOW + 60);
	g_assert_cmpint(release_token_check(key, t, NOW, NULL, NULL, NULL), ==,
			RELEASE_TOKEN_FORGED);
}

static char *
b64url(const char *data, gsize len)
{
	char *s = g_base64_encode((const guchar *)data, len);
	g_strdelimit(s, "+", '-');
	g_strdelimit(s, "/", '_');
	char *eq = strchr(s, '=');
	if (eq)
		*eq = '\0';
	return s;
}

/* The first part replaced, the signature kept: swapped fields, another
 * recipient, a later expiry. */
static void
test_swapped_fields(void)
{
	g_autoptr(GBytes) key = key_of('k');
	g_autofree char *t = release_token_make(key, ID, "a@b.jp", NOW + 60);
	const char *sig = strchr(t, '.');
	static const struct {
		const char *payload;
		gsize len;
	} forged[] = {
		{ "a@b.jp\0" ID "\0" "1800000060", sizeof("a@b.jp\0" ID "\0" "1800000060") - 1 },
		{ ID "\0" "c@b.jp\0" "1800000060", sizeof(ID "\0" "c@b.jp\0" "1800000060") - 1 },
		{ ID "\0" "\0" "1800000060", sizeof(ID "\0" "\0" "1800000060") - 1 },
		{ ID "\0" "a@b.jp\0" "1900000060", sizeof(ID "\0" "a@b.jp\0" "1900000060") - 1 },
		{ ID "\0" "a@b.jp\0" "01800000060", sizeof(ID "\0" "a@b.jp\0" "01800000060") - 1 },
	};
	for (guint i = 0; i < G_N_ELEMENTS(forged); i++) {
		g_autofree char *first = b64url(forged[i].payload, forged[i].len);
		g_autofree char *bad = g_strconcat(first, sig, NULL);
		g_assert_cmpint(release_token_check(key, bad, NOW, NULL, NULL, NULL), ==,
				RELEASE_TOKEN_FORGED);
	}
	/* the two parts swapped */
	g_autofree char *first = g_strndup(t, sig - t);
	g_autofree char *swapped = g_strconcat(sig + 1, ".", first, NULL);
	g_assert_cmpint(release_token_check(key, swapped, NOW, NULL, NULL, NULL), !=,
			RELEASE_TOKEN_OK);
	/* a correctly signed payload of the wrong shape is still refused */
	static const char shapes[][40] = { "onlyid", "id\0r", "../../x\0r\0" "1" };
	for (guint i = 0; i < G_N_ELEMENTS(shapes); i++) {
		gsize len = i == 1 ? 4 : i == 2 ? 12 : strlen(shapes[i]);
		g_autofree char *p = b64url(shapes[i], len);
		g_autoptr(GHmac) h = g_hmac_new(G_CHECKSUM_SHA256, g_bytes_get_data(key, NULL),
						g_bytes_get_size(key));
		g_hmac_update(h, (const guchar *)p, -1);
		guint8 d[32];
		gsize dl = 32;
		g_hmac_get_digest(h, d, &dl);
		g_autofree char *s = b64url((const char *)d, dl);
		g_autofree char *tok = g_strconcat(p, ".", s, NULL);
		g_assert_cmpint(release_token_check(key, tok, NOW, NULL, NULL, NULL), ==,
				RELEASE_TOKEN_MALFORMED);
	}
}

static void
test_url_and_key_file(void)
{
	g_autoptr(GBytes) key = key_of('k');
	g_assert_null(release_token_url("", key, ID, "", 14));
	g_autofree char *url = release_token_url("https://mugaika.example.lg.jp/", key, ID, "", 14);
	g_assert_true(g_str_has_prefix(url, "https://mugaika.example.lg.jp/r/"));
	struct cdr_run_params params = { .release_url = url };
	g_assert_true(cdr_run_params_valid(&params));
	params.release_url = "javascript:alert(1)";
	g_assert_false(cdr_run_params_valid(&params));
	params.release_url = "https://x/\"><script>";
	g_assert_false(cdr_run_params_valid(&params));

	g_autofree char *dir = g_dir_make_tmp("test-web-token-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "web.key", NULL);
	g_assert_true(g_file_set_contents(path, "short", -1, NULL));
	g_autoptr(GError) error = NULL;
	g_assert_null(release_token_load_key(path, &error));
	g_assert_nonnull(strstr(error->message, "/dev/urandom"));
	g_assert_true(g_file_set_contents(path, "0123456789abcdef0123456789abcdef\n", -1, NULL));
	g_autoptr(GBytes) loaded = release_token_load_key(path, NULL);
	g_assert_nonnull(loaded);
	g_unlink(path);
	g_rmdir(dir);
}

/* A token made by another implementation (fixtures/gen/web_fuzz_seeds.py,
 * Python's hmac over the first part's base64url text) checks here: the
 * format of WEB-CONTRACT is what the code does. */
static void
test_python_made(void)
{
	g_autoptr(GBytes) key = g_bytes_new_static("fuzz-key-fuzz-key-fuzz-key-fuzz-key!", 36);
	static const struct {
		const char *seed;
		enum release_token_status want;
	} seeds[] = {
		{ "valid", RELEASE_TOKEN_OK },
		{ "valid-any-recipient", RELEASE_TOKEN_OK },
		{ "expired", RELEASE_TOKEN_EXPIRED },
		{ "tampered", RELEASE_TOKEN_FORGED },
		{ "signed-wrong-shape", RELEASE_TOKEN_MALFORMED },
		{ "signed-leading-zero", RELEASE_TOKEN_MALFORMED },
		{ "signed-control-in-recipient", RELEASE_TOKEN_MALFORMED },
	};
	for (guint i = 0; i < G_N_ELEMENTS(seeds); i++) {
		g_autofree char *path = g_build_filename(SOURCE_ROOT, "fixtures", "fuzz", "web-token",
							 seeds[i].seed, NULL);
		g_autofree char *text = NULL;
		g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
		g_autofree char *rcpt = NULL;
		enum release_token_status st = release_token_check(key, text, NOW, NULL, &rcpt, NULL);
		g_assert_cmpint(st, ==, seeds[i].want);
		if (i == 0)
			g_assert_cmpstr(rcpt, ==, "soumu@city.example.lg.jp");
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/web-token/sign-verify", test_sign_verify);
	g_test_add_func("/web-token/expiry", test_expiry);
	g_test_add_func("/web-token/tampering-bytes", test_tampering_bytes);
	g_test_add_func("/web-token/other-key", test_other_key);
	g_test_add_func("/web-token/swapped-fields", test_swapped_fields);
	g_test_add_func("/web-token/url-and-key-file", test_url_and_key_file);
	g_test_add_func("/web-token/python-made", test_python_made);
	return g_test_run();
}
