/*
 * NAME
 *	release-token.h - signed links to the web console's staff page
 * SUMMARY
 *	TOKEN = base64url(ID NUL RECIPIENT NUL EXPIRY) "." base64url(HMAC-SHA256(KEY, P))
 *	where P is the first part as it stands in the URL (its base64url
 *	text), EXPIRY Unix seconds in decimal, and base64url without "="
 *	padding. An empty RECIPIENT means "any original recipient" (one
 *	notice goes to every recipient of a message; see cdr-web(8)).
 *	cdr-milter signs (the link in the notice), cdr-web checks: GLib
 *	only, so both front ends link it without a parser library.
 */
#pragma once

#include <glib.h>

#define RELEASE_TOKEN_MIN_KEY 32   /* bytes of [web] secret_file */
#define RELEASE_TOKEN_MAX_KEY 4096
#define RELEASE_TOKEN_MAX 1024     /* characters of a token: longer is malformed */

enum release_token_status {
	RELEASE_TOKEN_OK,
	RELEASE_TOKEN_MALFORMED, /* not of the form above */
	RELEASE_TOKEN_FORGED,    /* the signature does not match */
	RELEASE_TOKEN_EXPIRED,   /* signed, but its expiry has passed */
};

/* The key in `path`: at least RELEASE_TOKEN_MIN_KEY bytes (trailing
 * white space is part of it). */
GBytes *release_token_load_key(const char *path, GError **error);

/* A token for message `id` and `recipient` ("" or NULL: any original
 * recipient) valid until `expiry`. */
char *release_token_make(GBytes *key, const char *id, const char *recipient, gint64 expiry);

/* Check `token` at time `now`. OK (and EXPIRED) fill *id, *recipient
 * ("" for any) and *expiry when given; the signature is compared in
 * constant time, and nothing of an unsigned token is returned. */
enum release_token_status release_token_check(GBytes *key, const char *token, gint64 now,
					      char **id, char **recipient, gint64 *expiry);

/* BASE_URL "/r/" TOKEN, the token valid `days` days from now; NULL
 * when base_url is empty. */
char *release_token_url(const char *base_url, GBytes *key, const char *id, const char *recipient,
			guint64 days);
