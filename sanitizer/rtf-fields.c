/*
 * NAME
 *	rtf-fields.c - which Word fields run or fetch something
 * SUMMARY
 *	rtf_field_judge() reads a field instruction (the text of \fldinst,
 *	already gathered from every run and escape) and says whether the
 *	field may stay.
 * DESCRIPTION
 *	The keyword is the first word after white space and quotes, compared
 *	without regard to case as Word does. Fields that run programs, pull
 *	in other files or open data sources (DDE, DDEAUTO, INCLUDETEXT,
 *	INCLUDEPICTURE, INCLUDE, IMPORT, LINK, DATABASE, RD) are replaced by
 *	their result; INCLUDEPICTURE of an http(s)/ftp/UNC address counts as
 *	an external reference. HYPERLINK stays when its target is http,
 *	https or mailto (or only a bookmark, \l); any other target (file://,
 *	a share, a program's URL scheme, a relative path) is an external
 *	reference.
 */
#include <string.h>

#include "rtf.h"

static const char *const running_fields[] = {
	"DDE", "DDEAUTO", "INCLUDETEXT", "INCLUDEPICTURE", "INCLUDE", "IMPORT",
	"LINK", "DATABASE", "RD",
};

static gboolean
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' ||
	       (guint8)c == 0xa0;
}

/* The next argument of an instruction: a quoted string or a word. */
static gboolean
next_arg(const char **p, const char *end, const char **arg, gsize *len)
{
	const char *s = *p;
	while (s < end && is_space(*s))
		s++;
	if (s >= end)
		return FALSE;
	if (*s == '"') {
		s++;
		const char *e = s;
		while (e < end && *e != '"')
			e++;
		*arg = s;
		*len = (gsize)(e - s);
		*p = e < end ? e + 1 : e;
		return TRUE;
	}
	const char *e = s;
	while (e < end && !is_space(*e))
		e++;
	*arg = s;
	*len = (gsize)(e - s);
	*p = e;
	return TRUE;
}

static gboolean
has_prefix_ci(const char *s, gsize len, const char *prefix)
{
	gsize n = strlen(prefix);
	return len >= n && g_ascii_strncasecmp(s, prefix, n) == 0;
}

gboolean
rtf_target_is_web(const char *target, gsize len)
{
	while (len && is_space(*target)) {
		target++;
		len--;
	}
	return has_prefix_ci(target, len, "http://") || has_prefix_ci(target, len, "https://") ||
	       has_prefix_ci(target, len, "mailto:");
}

static gboolean
target_is_remote(const char *t, gsize len)
{
	return has_prefix_ci(t, len, "http:") || has_prefix_ci(t, len, "https:") ||
	       has_prefix_ci(t, len, "ftp:") || has_prefix_ci(t, len, "\\\\") ||
	       has_prefix_ci(t, len, "//") || has_prefix_ci(t, len, "file:");
}

/* The first argument that is not a switch or a switch's argument. */
static gboolean
first_target(const char *p, const char *end, const char **t, gsize *len)
{
	const char *arg;
	gsize n;
	while (next_arg(&p, end, &arg, &n)) {
		if (n >= 2 && arg[0] == '\\' && arg[1] != '\\') {
			char sw = g_ascii_tolower(arg[1]);
			/* \l bookmark, \o tooltip, \t frame take an argument */
			if (n == 2 && (sw == 'l' || sw == 'o' || sw == 't'))
				(void)next_arg(&p, end, &arg, &n);
			continue;
		}
		*t = arg;
		*len = n;
		return TRUE;
	}
	return FALSE;
}

enum rtf_field_verdict
rtf_field_judge(const GString *instr, char keyword[32])
{
	const char *p = instr->str, *end = instr->str + instr->len;
	while (p < end && (is_space(*p) || *p == '"'))
		p++;
	gsize n = 0;
	while (p < end && g_ascii_isalpha(*p)) {
		if (n < 31)
			keyword[n++] = g_ascii_toupper(*p);
		p++;
	}
	keyword[n] = '\0';

	const char *t;
	gsize tlen;
	if (strcmp(keyword, "HYPERLINK") == 0) {
		if (!first_target(p, end, &t, &tlen))
			return RTF_FIELD_KEEP; /* \l bookmark only: inside the document */
		return rtf_target_is_web(t, tlen) ? RTF_FIELD_WEB_LINK : RTF_FIELD_FETCHES;
	}
	for (unsigned i = 0; i < G_N_ELEMENTS(running_fields); i++) {
		if (strcmp(keyword, running_fields[i]) != 0)
			continue;
		if (strcmp(keyword, "INCLUDEPICTURE") == 0 && first_target(p, end, &t, &tlen) &&
		    target_is_remote(t, tlen))
			return RTF_FIELD_FETCHES;
		return RTF_FIELD_RUNS;
	}
	return RTF_FIELD_KEEP;
}
