/*
 * NAME
 *	excerpt.c - the text of an object, for a reader (mail text mode)
 * SUMMARY
 *	Detects the object as for sanitizing, hands it to its handler's
 *	optional excerpt entry point and normalizes what comes back into
 *	plain, visible text of at most the asked length.
 * DESCRIPTION
 *	An excerpt is a courtesy, never a verdict: it records nothing on the
 *	job and charges nothing to the object's budgets, so a document whose
 *	text cannot be read costs one line of explanation, not the message.
 *	Objects that would be blocked for their name or their bytes
 *	(executables, scripts) give no excerpt at all. Each excerpt may use a
 *	quarter of the job's remaining wall time; entry points ask
 *	cdr_excerpt_in_time() between pages or parts and stop.
 *
 *	Normalization: valid UTF-8, NFC, CR and CR LF become LF, line and
 *	paragraph separators LF, other control characters go, format
 *	characters (bidi embeddings, overrides and isolates, marks, zero
 *	widths, soft hyphen, tags) are shown as "[U+XXXX]" as the notice shows
 *	them in file names, except a zero width joiner inside an emoji
 *	sequence and a leading byte order mark; trailing blanks of a line go,
 *	blank lines collapse to one, and the text is cut at max_chars with
 *	"…".
 */
#include <string.h>

#include "detect.h"
#include "engine-private.h"
#include "names.h"

struct cdr_excerpt {
	struct cdr_job *job;
	gsize max_raw; /* characters gathered before normalization */
	gsize chars;
	gint64 deadline;
	GString *text;
};

gboolean
cdr_excerpt_add(struct cdr_excerpt *x, const char *text, gssize len)
{
	if (x->chars >= x->max_raw)
		return FALSE;
	g_autofree char *valid = g_utf8_make_valid(text, len);
	glong n = g_utf8_strlen(valid, -1);
	if (x->chars + (gsize)n > x->max_raw) {
		const char *cut = g_utf8_offset_to_pointer(valid, (glong)(x->max_raw - x->chars));
		g_string_append_len(x->text, valid, cut - valid);
		x->chars = x->max_raw;
		return FALSE;
	}
	g_string_append(x->text, valid);
	x->chars += (gsize)n;
	return x->chars < x->max_raw;
}

gboolean
cdr_excerpt_in_time(const struct cdr_excerpt *x)
{
	return g_get_monotonic_time() < x->deadline;
}

struct cdr_job *
cdr_excerpt_job(const struct cdr_excerpt *x)
{
	return x->job;
}

static gboolean
is_pictograph(gunichar c)
{
	return c >= 0x1f000 || (c >= 0x2600 && c <= 0x27bf) || (c >= 0x2b00 && c <= 0x2bff);
}

/* One character of the normalized text into `out`. */
static void
append_visible(GString *out, gunichar prev, gunichar c, gunichar next)
{
	GUnicodeType t = g_unichar_type(c);
	if (c == '\t' || c == '\n') {
		g_string_append_c(out, (char)c);
		return;
	}
	if (t == G_UNICODE_LINE_SEPARATOR || t == G_UNICODE_PARAGRAPH_SEPARATOR) {
		g_string_append_c(out, '\n');
		return;
	}
	if (t == G_UNICODE_CONTROL)
		return;
	if (t == G_UNICODE_FORMAT) {
		if (c == 0xfeff && prev == 0)
			return; /* a byte order mark at the start */
		if (c == 0x200d && is_pictograph(prev) && is_pictograph(next))
			g_string_append_unichar(out, c);
		else
			g_string_append_printf(out, "[U+%04X]", c);
		return;
	}
	g_string_append_unichar(out, c);
}

char *
cdr_text_tidy_lines(const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	GString *out = g_string_new(NULL);
	unsigned blank = 0;
	for (char **l = lines; *l; l++) {
		g_strchomp(*l);
		if (!**l) {
			blank++;
			continue;
		}
		if (out->len)
			g_string_append(out, blank ? "\n\n" : "\n");
		blank = 0;
		g_string_append(out, *l);
	}
	return g_string_free(out, FALSE);
}

static char *
normalize(const char *raw, gsize max_chars)
{
	g_autofree char *valid = g_utf8_make_valid(raw, -1);
	g_autofree char *nfc = g_utf8_normalize(valid, -1, G_NORMALIZE_NFC);
	g_autoptr(GString) shown = g_string_new(NULL);
	gunichar prev = 0;
	for (const char *p = nfc ? nfc : valid; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		const char *n = g_utf8_next_char(p);
		gunichar next = *n ? g_utf8_get_char(n) : 0;
		if (c == '\r') {
			if (next != '\n')
				g_string_append_c(shown, '\n');
		} else {
			append_visible(shown, prev, c, next);
		}
		prev = c;
	}
	char *tidy = cdr_text_tidy_lines(shown->str);
	if ((gsize)g_utf8_strlen(tidy, -1) <= max_chars)
		return tidy;
	GString *cut = g_string_new_len(tidy, g_utf8_offset_to_pointer(tidy, (glong)max_chars) - tidy);
	g_free(tidy);
	g_strchomp(cut->str);
	cut->len = strlen(cut->str);
	g_string_append(cut, "…");
	return g_string_free(cut, FALSE);
}

char *
cdr_job_excerpt(struct cdr_job *job, const guint8 *data, gsize len, const char *name,
		gsize max_chars, char **reason)
{
	struct cdr_engine *e = job->engine;
	struct cdr_input in = {
		.data = data ? data : (const guint8 *)"", .len = len, .name = name,
		.depth = job->depth + 1,
	};
	g_autofree char *why = NULL;
	*reason = NULL;
	if (len > e->policy->max_input_bytes) {
		*reason = g_strdup("（大きすぎるため抜粋しません / too large to excerpt）");
		return NULL;
	}
	const struct cdr_handler *h = cdr_engine_pick(e, &in);
	if (cdr_name_is_dangerous(name, e->policy->blocked_extensions, &why) ||
	    cdr_detect_dangerous_bytes(in.data, in.len) ||
	    (in.magic_type && cdr_detect_dangerous_type(in.magic_type))) {
		*reason = g_strdup("（実行できる種類のファイルのため抜粋しません / not excerpted: "
				   "an executable kind of file）");
		return NULL;
	}
	if (!h || !h->excerpt) {
		*reason = g_strdup("（この種類のファイルからは本文を抜粋しません / no text excerpt "
				   "for this kind of file）");
		return NULL;
	}
	gint64 now = g_get_monotonic_time();
	struct cdr_excerpt x = {
		.job = job,
		/* normalization drops blanks and controls: gather some more */
		.max_raw = max_chars * 2 + 256,
		.deadline = now + MAX(job->deadline - now, 0) / 4,
		.text = g_string_new(NULL),
	};
	gboolean ok = h->excerpt(&x, &in, reason);
	g_autoptr(GString) text = x.text;
	if (!ok) {
		if (!*reason)
			*reason = g_strdup("（本文を読み取れませんでした / the text could not be read）");
		return NULL;
	}
	g_free(*reason);
	*reason = NULL;
	char *out = normalize(text->str, max_chars);
	if (!*out) {
		g_free(out);
		*reason = g_strdup("（本文はありません / no text）");
		return NULL;
	}
	return out;
}
