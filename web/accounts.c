/*
 * NAME
 *	accounts.c - yescrypt accounts of the web console's administrators
 * SUMMARY
 *	libcrypt's crypt_rn() and crypt_gensalt_rn() (libxcrypt).
 */
#include "accounts.h"

#include <crypt.h>
#include <errno.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/stat.h>

static char *new_hash(const char *password, GError **error);

/* A hash to check against when the user is unknown: the same work. */
static const char *
dummy_hash(void)
{
	static gsize hash;
	if (g_once_init_enter(&hash)) {
		char *h = new_hash("unknown user", NULL);
		g_once_init_leave(&hash, (gsize)(h ? h : g_strdup("*")));
	}
	return (const char *)hash;
}

gboolean
web_account_name_valid(const char *user)
{
	gsize n = user ? strlen(user) : 0;
	if (n == 0 || n > 64)
		return FALSE;
	for (const char *c = user; *c; c++)
		if (!g_ascii_isalnum(*c) && !strchr("._@-", *c))
			return FALSE;
	return TRUE;
}

static gboolean
hash_matches(const char *password, const char *hash)
{
	struct crypt_data *cd = g_new0(struct crypt_data, 1);
	const char *out = crypt_rn(password, hash, cd, sizeof(*cd));
	gboolean ok = out && out[0] != '*' && strlen(out) == strlen(hash);
	guint8 diff = 0;
	if (ok)
		for (gsize i = 0; hash[i]; i++)
			diff |= (guint8)(out[i] ^ hash[i]);
	explicit_bzero(cd, sizeof(*cd));
	g_free(cd);
	return ok && diff == 0;
}

/* The hash of `user` in the file text, or NULL. */
static char *
find_hash(const char *text, const char *user)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	gsize n = strlen(user);
	for (char **l = lines; *l; l++)
		if (strncmp(*l, user, n) == 0 && (*l)[n] == ':')
			return g_strdup(g_strstrip(*l + n + 1));
	return NULL;
}

gboolean
web_account_check(const char *path, const char *user, const char *password, GError **error)
{
	g_autofree char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, error))
		return FALSE;
	g_autofree char *hash = web_account_name_valid(user) ? find_hash(text, user) : NULL;
	gboolean known = hash && g_str_has_prefix(hash, "$y$");
	gboolean ok = hash_matches(password ? password : "", known ? hash : dummy_hash());
	return known && ok;
}

/* A new yescrypt hash of `password` with a fresh salt. */
static char *
new_hash(const char *password, GError **error)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	if (!crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt))) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "crypt_gensalt: %s",
			    g_strerror(errno));
		return NULL;
	}
	struct crypt_data *cd = g_new0(struct crypt_data, 1);
	const char *hashed = crypt_rn(password, salt, cd, sizeof(*cd));
	char *hash = hashed && hashed[0] != '*' ? g_strdup(hashed) : NULL;
	explicit_bzero(cd, sizeof(*cd));
	g_free(cd);
	if (!hash)
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "crypt: %s", g_strerror(errno));
	return hash;
}

gboolean
web_account_set(const char *path, const char *user, const char *password, GError **error)
{
	if (!web_account_name_valid(user)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "'%s': a user name is 1 to 64 letters, digits, '.', '_', '@' or '-'",
			    user);
		return FALSE;
	}
	g_autofree char *hash = new_hash(password, error);
	if (!hash)
		return FALSE;
	g_autofree char *text = NULL;
	int mode = 0640;
	struct stat st;
	if (stat(path, &st) == 0) {
		mode = (int)(st.st_mode & 07777);
		if (!g_file_get_contents(path, &text, NULL, error))
			return FALSE;
	}
	GString *out = g_string_new(NULL);
	gboolean replaced = FALSE;
	g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);
	gsize n = strlen(user);
	for (char **l = lines; *l; l++) {
		if (!**l)
			continue;
		if (strncmp(*l, user, n) == 0 && (*l)[n] == ':') {
			g_string_append_printf(out, "%s:%s\n", user, hash);
			replaced = TRUE;
		} else {
			g_string_append_printf(out, "%s\n", *l);
		}
	}
	if (!replaced)
		g_string_append_printf(out, "%s:%s\n", user, hash);
	gboolean ok = g_file_set_contents_full(path, out->str, (gssize)out->len,
					       G_FILE_SET_CONTENTS_CONSISTENT, mode, error);
	g_string_free(out, TRUE);
	return ok;
}
