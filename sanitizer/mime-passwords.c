/*
 * NAME
 *	mime-passwords.c - the passwords a message's own text gives for its
 *	password-protected zips (PPAP with the password in the same mail)
 * SUMMARY
 *	"パスワード：abc123", "解凍パスワードは「abc123」です", "PW: abc123",
 *	"Password:" with the password alone on the next line: the word after a
 *	password keyword. Full-width forms are read as their ASCII ones
 *	(NFKC), so "ｐａｓｓ１２３" is tried as "pass123". Only printable
 *	ASCII words of 1 to 64 characters are taken (a zip password typed on
 *	a Japanese keyboard), at most MIME_MAX_TEXT_PASSWORDS, without
 *	repeats; "パスワードは別メールで" gives none.
 * DESCRIPTION
 *	A candidate is only ever tried on an archive of the same message; a
 *	wrong one costs a failed try. The passwords never reach a report.
 */
#include <string.h>

#include "mime.h"

#define MAX_PASSWORD 64

static const char *const keywords[] = {
	"パスワード", "パスコード", "暗証番号", "解凍キー", "password", "passwd", "pass", "pw",
};

/* Where the first keyword of `line` ends (line is NFKC and ASCII lower
 * case), or NULL. */
static const char *
after_keyword(const char *line)
{
	const char *best = NULL, *best_end = NULL;
	for (gsize i = 0; i < G_N_ELEMENTS(keywords); i++) {
		const char *k = strstr(line, keywords[i]);
		if (k && (!best || k < best)) {
			best = k;
			best_end = k + strlen(keywords[i]);
		}
	}
	return best_end;
}

/* Separators between the keyword and the password. */
static const char *
skip_separators(const char *p)
{
	static const char *const seps[] = { " ", "\t", ":", "=", "は", "→", "-", "|", "：", "(", ")" };
	for (gboolean moved = TRUE; moved;) {
		moved = FALSE;
		for (gsize i = 0; i < G_N_ELEMENTS(seps); i++)
			if (g_str_has_prefix(p, seps[i])) {
				p += strlen(seps[i]);
				moved = TRUE;
			}
	}
	return p;
}

/* A password at p: quoted (「」, 『』, "", '') or a run of printable ASCII;
 * NULL when there is none that qualifies. */
static char *
password_at(const char *p)
{
	static const char *const quotes[][2] = { { "「", "」" }, { "『", "』" }, { "\"", "\"" },
						  { "'", "'" } };
	for (gsize i = 0; i < G_N_ELEMENTS(quotes); i++) {
		if (!g_str_has_prefix(p, quotes[i][0]))
			continue;
		const char *start = p + strlen(quotes[i][0]);
		const char *end = strstr(start, quotes[i][1]);
		if (!end)
			return NULL;
		gsize n = (gsize)(end - start);
		for (gsize j = 0; j < n; j++)
			if ((guchar)start[j] <= 0x20 || (guchar)start[j] >= 0x7f)
				return NULL;
		return n && n <= MAX_PASSWORD ? g_strndup(start, n) : NULL;
	}
	gsize n = 0;
	while ((guchar)p[n] > 0x20 && (guchar)p[n] < 0x7f)
		n++;
	if (n == 0 || n > MAX_PASSWORD || ((guchar)p[n] >= 0x80 && !g_str_has_prefix(p + n, "。") &&
					   !g_str_has_prefix(p + n, "、")))
		return NULL; /* "abcです" is not a password followed by Japanese */
	return g_strndup(p, n);
}

static void
add_candidate(GPtrArray *found, char *password)
{
	if (!password)
		return;
	for (guint i = 0; i < found->len; i++)
		if (strcmp(found->pdata[i], password) == 0) {
			g_free(password);
			return;
		}
	g_ptr_array_add(found, password);
}

char *
mime_text_passwords(const char *text)
{
	g_autofree char *normal = g_utf8_normalize(text, -1, G_NORMALIZE_NFKC);
	if (!normal)
		return NULL;
	g_auto(GStrv) lines = g_strsplit(normal, "\n", -1);
	g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);
	for (char **l = lines; *l && found->len < MIME_MAX_TEXT_PASSWORDS; l++) {
		g_autofree char *lower = g_ascii_strdown(g_strstrip(*l), -1);
		const char *rest = after_keyword(lower);
		if (!rest)
			continue;
		/* the original case: the same offset in the stripped line */
		const char *p = skip_separators(*l + (rest - lower));
		if (*p) {
			add_candidate(found, password_at(p));
			continue;
		}
		/* "パスワード:" alone: the next line that says something */
		while (l[1] && !*g_strstrip(l[1]))
			l++;
		if (l[1] && !strchr(l[1], ' '))
			add_candidate(found, password_at(l[1]));
	}
	if (!found->len)
		return NULL;
	g_ptr_array_add(found, NULL);
	return g_strjoinv("\n", (char **)found->pdata);
}
