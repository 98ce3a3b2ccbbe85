/*
 * NAME
 *	release-token.c - sign and check the web console's staff links
 * SUMMARY
 *	HMAC-SHA256 (GLib's GHmac) over the base64url text of
 *	"ID NUL RECIPIENT NUL EXPIRY"; see release-token.h.
 * DESCRIPTION
 *	The check is strict: only the base64url alphabet, no padding, a
 *	payload of exactly three fields, an id of [A-Za-z0-9_-], a recipient
 *	without control characters, an expiry of decimal digits without a
 *	leading zero, and a signature of exactly 32 bytes. The signature is
 *	checked before anything in the payload is believed, and compared
 *	without an early exit.
 */
#include "release-token.h"

#include <string.h>

#include "cdr.h"

static char *
base64url(const guint8 *data, gsize len)
{
	char *s = g_base64_encode(data, len);
	gsize n = 0;
	for (char *c = s; *c; c++) {
		if (*c == '=')
			break;
		s[n++] = *c == '+' ? '-' : *c == '/' ? '_' : *c;
	}
	s[n] = '\0';
	return s;
}

/* Decode base64url without padding; NULL when it is anything else, or
 * when encoding the result again does not give the same text (no two
 * spellings of one token). */
static guint8 *
unbase64url(const char *s, gsize n, gsize *len)
{
	if (n == 0 || n % 4 == 1)
		return NULL;
	for (gsize i = 0; i < n; i++)
		if (!g_ascii_isalnum(s[i]) && s[i] != '-' && s[i] != '_')
			return NULL;
	GString *b = g_string_sized_new(n + 3);
	for (gsize i = 0; i < n; i++)
		g_string_append_c(b, s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i]);
	while (b->len % 4)
		g_string_append_c(b, '=');
	guint8 *out = g_base64_decode(b->str, len);
	g_string_free(b, TRUE);
	g_autofree char *again = base64url(out, *len);
	if (strlen(again) != n || memcmp(again, s, n) != 0) {
		g_free(out);
		return NULL;
	}
	return out;
}

GBytes *
release_token_load_key(const char *path, GError **error)
{
	char *data = NULL;
	gsize len = 0;
	if (!g_file_get_contents(path, &data, &len, error))
		return NULL;
	if (len < RELEASE_TOKEN_MIN_KEY || len > RELEASE_TOKEN_MAX_KEY) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s: a key of %" G_GSIZE_FORMAT " bytes (it needs %d to %d; make one "
			    "with: head -c 32 /dev/urandom | base64 > %s)",
			    path, len, RELEASE_TOKEN_MIN_KEY, RELEASE_TOKEN_MAX_KEY, path);
		g_free(data);
		return NULL;
	}
	return g_bytes_new_take(data, len);
}

static void
sign(GBytes *key, const char *text, gsize n, guint8 digest[32])
{
	gsize klen = 0;
	const guint8 *k = g_bytes_get_data(key, &klen);
	g_autoptr(GHmac) h = g_hmac_new(G_CHECKSUM_SHA256, k, klen);
	g_hmac_update(h, (const guchar *)text, (gssize)n);
	gsize dlen = 32;
	g_hmac_get_digest(h, digest, &dlen);
}

char *
release_token_make(GBytes *key, const char *id, const char *recipient, gint64 expiry)
{
	GString *p = g_string_new(id);
	g_string_append_c(p, '\0');
	g_string_append(p, recipient ? recipient : "");
	g_string_append_c(p, '\0');
	g_string_append_printf(p, "%" G_GINT64_FORMAT, expiry);
	char *first = base64url((const guint8 *)p->str, p->len);
	g_string_free(p, TRUE);
	guint8 digest[32];
	sign(key, first, strlen(first), digest);
	g_autofree char *second = base64url(digest, sizeof(digest));
	char *token = g_strconcat(first, ".", second, NULL);
	g_free(first);
	return token;
}

static gboolean
id_valid(const char *s, gsize n)
{
	if (n == 0 || n > CDR_MAX_QUARANTINE_ID)
		return FALSE;
	for (gsize i = 0; i < n; i++)
		if (!g_ascii_isalnum(s[i]) && s[i] != '-' && s[i] != '_')
			return FALSE;
	return TRUE;
}

static gboolean
recipient_valid(const char *s, gsize n)
{
	for (gsize i = 0; i < n; i++)
		if ((guchar)s[i] <= 0x20 || s[i] == 0x7f)
			return FALSE;
	return n <= 320 && g_utf8_validate(s, (gssize)n, NULL);
}

static gboolean
expiry_valid(const char *s, gsize n, gint64 *out)
{
	if (n == 0 || n > 12 || (s[0] == '0' && n > 1))
		return FALSE;
	gint64 v = 0;
	for (gsize i = 0; i < n; i++) {
		if (!g_ascii_isdigit(s[i]))
			return FALSE;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return TRUE;
}

enum release_token_status
release_token_check(GBytes *key, const char *token, gint64 now, char **id, char **recipient,
		    gint64 *expiry)
{
	if (!token || strlen(token) > RELEASE_TOKEN_MAX)
		return RELEASE_TOKEN_MALFORMED;
	const char *dot = strchr(token, '.');
	if (!dot || strchr(dot + 1, '.'))
		return RELEASE_TOKEN_MALFORMED;
	gsize slen = 0, plen = 0;
	g_autofree guint8 *sig = unbase64url(dot + 1, strlen(dot + 1), &slen);
	g_autofree guint8 *payload = unbase64url(token, (gsize)(dot - token), &plen);
	if (!sig || slen != 32 || !payload)
		return RELEASE_TOKEN_MALFORMED;
	guint8 digest[32];
	sign(key, token, (gsize)(dot - token), digest);
	guint8 diff = 0;
	for (gsize i = 0; i < sizeof(digest); i++)
		diff |= (guint8)(digest[i] ^ sig[i]);
	if (diff != 0)
		return RELEASE_TOKEN_FORGED;
	/* signed by us: now its fields (still checked: an old format, a bug) */
	const char *p = (const char *)payload;
	const char *nul1 = memchr(p, '\0', plen);
	const char *nul2 = nul1 ? memchr(nul1 + 1, '\0', plen - (gsize)(nul1 + 1 - p)) : NULL;
	if (!nul2 || memchr(nul2 + 1, '\0', plen - (gsize)(nul2 + 1 - p)))
		return RELEASE_TOKEN_MALFORMED;
	gint64 when = 0;
	if (!id_valid(p, (gsize)(nul1 - p)) ||
	    !recipient_valid(nul1 + 1, (gsize)(nul2 - nul1 - 1)) ||
	    !expiry_valid(nul2 + 1, plen - (gsize)(nul2 + 1 - p), &when))
		return RELEASE_TOKEN_MALFORMED;
	if (id)
		*id = g_strndup(p, (gsize)(nul1 - p));
	if (recipient)
		*recipient = g_strndup(nul1 + 1, (gsize)(nul2 - nul1 - 1));
	if (expiry)
		*expiry = when;
	return now >= when ? RELEASE_TOKEN_EXPIRED : RELEASE_TOKEN_OK;
}

char *
release_token_url(const char *base_url, GBytes *key, const char *id, const char *recipient,
		  guint64 days)
{
	if (!base_url || !*base_url || !key)
		return NULL;
	gint64 expiry = g_get_real_time() / G_USEC_PER_SEC + (gint64)days * 86400;
	g_autofree char *token = release_token_make(key, id, recipient, expiry);
	gsize n = strlen(base_url);
	return g_strdup_printf("%.*s/r/%s", (int)(n && base_url[n - 1] == '/' ? n - 1 : n),
			       base_url, token);
}
