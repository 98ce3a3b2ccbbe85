/*
 * NAME
 *	accounts.h - administrators' accounts: [web] accounts
 * SUMMARY
 *	A file of "user:hash" lines, the hash crypt(3)'s yescrypt ("$y$").
 *	Read at each login, so `cdr-web passwd` takes effect at once.
 */
#pragma once

#include <glib.h>

/* A user name: 1-64 of [A-Za-z0-9._@-]. */
gboolean web_account_name_valid(const char *user);

/* TRUE when `password` is `user`'s in the file at `path`. An unknown
 * user costs the same hashing as a known one. FALSE with `error` only
 * when the file cannot be read. */
gboolean web_account_check(const char *path, const char *user, const char *password,
			   GError **error);

/* Set `user`'s password to a new yescrypt hash of `password`, adding
 * the user when new; the file is replaced atomically, mode 0640 when
 * new (else its mode is kept). */
gboolean web_account_set(const char *path, const char *user, const char *password,
			 GError **error);
