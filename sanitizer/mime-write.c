/*
 * NAME
 *	mime-write.c - write the rebuilt message
 * SUMMARY
 *	Written by hand rather than by GMime so that every byte is ours: an
 *	allow-list of headers, each decoded and encoded again (RFC 2047, UTF-8,
 *	folded under 78 columns), X-Mugaika, then one text/plain part (UTF-8,
 *	base64) or, when attachments are kept, multipart/mixed with the text
 *	first. CRLF line ends; nothing from the input is copied unexamined.
 * DESCRIPTION
 *	A follow-up or release (mime.h) carries the original's From, To, Cc,
 *	Reply-To and Date, its subject in [ppap] followup_subject, a new
 *	Message-ID with the original's as In-Reply-To and in References,
 *	Sender: [ppap] followup_from, and X-Mugaika-Followup: KIND; id=ID,
 *	which no converted message from outside can carry (it is not on the
 *	allow-list).
 *
 *	Address headers keep their ASCII structure; every encoded word and
 *	8-bit run in them is decoded and encoded again as UTF-8 words, so a
 *	decoded comma or CR/LF can never become structure. Date and message
 *	ids must be ASCII or they are dropped. Controls never survive.
 */
#include <string.h>

#include "actions.h"
#include "mime-words.h"
#include "mime.h"

#define LINE_MAX_COLS 76
#define WORD_MAX_BYTES 45 /* UTF-8 bytes per encoded word: 60 base64 + 12 = 72 columns */

enum header_kind { UNSTRUCTURED, ADDRESSES, ASCII_ONLY };

static const struct {
	const char *name;
	enum header_kind kind;
} allowed[] = {
	{ "From", ADDRESSES },       { "To", ADDRESSES },         { "Cc", ADDRESSES },
	{ "Reply-To", ADDRESSES },   { "Subject", UNSTRUCTURED }, { "Date", ASCII_ONLY },
	{ "Message-ID", ASCII_ONLY }, { "In-Reply-To", ASCII_ONLY }, { "References", ASCII_ONLY },
};

/* Headers replaced by our own: not counted as removals. */
static const char *const replaced[] = {
	"MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition",
	"Content-ID", "Content-Description", "X-Mugaika",
};

static gboolean
is_ascii(const char *s)
{
	for (; *s; s++)
		if ((guchar)*s >= 0x80)
			return FALSE;
	return TRUE;
}

/* ---- folding and encoding ------------------------------------------------------ */

struct folder {
	GString *out;
	gsize col;
	gboolean started; /* a token follows the header name already */
	struct cdr_charsets *jis; /* set: try ISO-2022-JP words first */
};

static void
fold_token(struct folder *f, const char *token, gboolean space_before)
{
	gsize len = strlen(token);
	/* never fold before the first token: "Subject:" alone on a line */
	if (space_before && f->started && f->col + 1 + len > LINE_MAX_COLS && f->col > 1) {
		g_string_append(f->out, "\r\n ");
		f->col = 1;
	} else if (space_before) {
		g_string_append_c(f->out, ' ');
		f->col++;
	}
	g_string_append(f->out, token);
	f->col += len;
	f->started = TRUE;
}

/* ISO-2022-JP words of at most 12 characters (each word starts and ends in
 * ASCII mode); FALSE when a character does not fit. */
static gboolean
fold_encoded_jis(struct folder *f, const char *run, gboolean space_before)
{
	g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func(g_free);
	for (const char *p = run; *p;) {
		const char *end = p;
		for (unsigned n = 0; *end && n < 12; n++)
			end = g_utf8_next_char(end);
		g_autoptr(GString) jis = g_string_new(NULL);
		if (!cdr_charset_utf8_to_iso2022jp(f->jis, p, (gsize)(end - p), jis))
			return FALSE;
		g_autofree char *b64 = g_base64_encode((const guchar *)jis->str, jis->len);
		g_ptr_array_add(words, g_strdup_printf("=?ISO-2022-JP?B?%s?=", b64));
		p = end;
	}
	for (guint i = 0; i < words->len; i++)
		fold_token(f, words->pdata[i], space_before || i > 0);
	return TRUE;
}

/* Encoded words for a UTF-8 run, split on character boundaries. */
static void
fold_encoded(struct folder *f, const char *run, gboolean space_before)
{
	if (f->jis && fold_encoded_jis(f, run, space_before))
		return;
	const char *p = run;
	while (*p) {
		const char *end = p;
		while (*end && (gsize)(g_utf8_next_char(end) - p) <= WORD_MAX_BYTES)
			end = g_utf8_next_char(end);
		if (end == p)
			end = g_utf8_next_char(p);
		g_autofree char *b64 = g_base64_encode((const guchar *)p, (gsize)(end - p));
		g_autofree char *word = g_strdup_printf("=?UTF-8?B?%s?=", b64);
		fold_token(f, word, space_before);
		space_before = TRUE; /* adjacent encoded words: the space is not shown */
		p = end;
	}
}

/*
 * Write "Name: value" folded. ASCII words stay as they are; each run of
 * words with non-ASCII characters becomes encoded words (the spaces inside
 * the run go into the encoding, as the reader must see them).
 */
static void
write_header(GString *out, struct cdr_charsets *jis, const char *name, const char *value)
{
	struct folder f = { .out = out, .jis = jis };
	g_string_append_printf(out, "%s:", name);
	f.col = strlen(name) + 1;
	g_auto(GStrv) words = g_strsplit(value, " ", -1);
	g_autoptr(GString) run = g_string_new(NULL);
	for (char **w = words; *w; w++) {
		if (!**w)
			continue;
		if (!is_ascii(*w)) {
			if (run->len)
				g_string_append_c(run, ' ');
			g_string_append(run, *w);
			continue;
		}
		if (run->len) {
			fold_encoded(&f, run->str, TRUE);
			g_string_truncate(run, 0);
		}
		fold_token(&f, *w, TRUE);
	}
	if (run->len)
		fold_encoded(&f, run->str, TRUE);
	g_string_append(out, "\r\n");
}

/* The converters when the policy asks for ISO-2022-JP output, else NULL. */
static struct cdr_charsets *
jis_output(struct cdr_job *job)
{
	if (g_strcmp0(cdr_job_policy(job)->mail_charset, "iso-2022-jp") != 0)
		return NULL;
	return cdr_engine_charsets(cdr_job_engine(job));
}

/* ---- headers ---------------------------------------------------------------------- */

static int
allowed_index(const char *name)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(allowed); i++)
		if (g_ascii_strcasecmp(name, allowed[i].name) == 0)
			return (int)i;
	return -1;
}

static gboolean
is_replaced(const char *name)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(replaced); i++)
		if (g_ascii_strcasecmp(name, replaced[i]) == 0)
			return TRUE;
	return FALSE;
}

static char *
header_value(struct cdr_job *job, enum header_kind kind, const char *raw, enum cdr_carrier carrier)
{
	struct cdr_charsets *cs = cdr_engine_charsets(cdr_job_engine(job));
	g_autofree char *decoded = NULL;
	if (kind == ASCII_ONLY && !is_ascii(raw))
		return NULL;
	if (kind == ADDRESSES) /* shows invisible characters inside its encoded words */
		return g_strstrip(mime_reencode_header_from(cs, carrier, raw, strlen(raw), NULL));
	decoded = mime_decode_header_from(cs, carrier, raw, strlen(raw), NULL);
	return g_strstrip(mime_visible_text(g_strstrip(decoded)));
}

/* The subject as the new message carries it: passwords masked, then
 * tagged ([mail] subject_tag) or, for a follow-up, put in its template. */
static char *
subject_of(struct cdr_job *job, const char *value, const struct mime_result *res,
	   const struct mime_followup *followup)
{
	g_autoptr(GString) s = g_string_new(value);
	mime_mask_passwords(s, res->masks);
	if (followup) {
		g_autoptr(GString) t = g_string_new(followup->subject_template);
		g_string_replace(t, "{subject}", s->str, 0);
		return g_strdup(t->str);
	}
	const char *tag = cdr_job_policy(job)->mail_subject_tag;
	if (tag && *tag && !g_str_has_prefix(s->str, tag))
		return g_strdup_printf("%s %s", tag, s->str);
	return g_strdup(s->str);
}

/* A follow-up is a new message about the original: its own Message-ID,
 * and the original's as In-Reply-To and at the end of References, so
 * that mail programs show the two together. */
struct thread_ids {
	char *message_id, *references;
};

static gboolean
is_thread_header(const char *name)
{
	return strcmp(name, "Message-ID") == 0 || strcmp(name, "In-Reply-To") == 0 ||
	       strcmp(name, "References") == 0;
}

static void
write_followup_headers(GString *out, const struct mime_followup *followup,
		       const struct thread_ids *ids, gboolean had_subject, const char *subject)
{
	if (!had_subject)
		write_header(out, NULL, "Subject", subject);
	write_header(out, NULL, "Message-ID", followup->message_id);
	if (ids->message_id) {
		write_header(out, NULL, "In-Reply-To", ids->message_id);
		g_autofree char *refs = ids->references
						? g_strdup_printf("%s %s", ids->references, ids->message_id)
						: g_strdup(ids->message_id);
		write_header(out, NULL, "References", refs);
	}
	if (followup->sender)
		write_header(out, NULL, "Sender", followup->sender);
}

/* The allow-listed headers, each once (the first one wins); a follow-up's
 * own. Returns how many headers were dropped. */
static unsigned
write_headers(struct cdr_job *job, GMimeObject *in, GString *out, const struct mime_result *res,
	      const struct mime_followup *followup)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(in);
	gboolean seen[G_N_ELEMENTS(allowed)] = { FALSE };
	unsigned dropped = 0;
	struct cdr_charsets *jis = jis_output(job);
	struct thread_ids ids = { NULL, NULL };

	for (int i = 0; list && i < g_mime_header_list_get_count(list); i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(list, i);
		const char *name = g_mime_header_get_name(h);
		const char *raw = g_mime_header_get_raw_value(h);
		int k = allowed_index(name);
		if (k < 0 || seen[k]) {
			dropped += !is_replaced(name);
			continue;
		}
		g_autofree char *value =
			header_value(job, allowed[k].kind, raw ? raw : "", res->carrier);
		if (!value) {
			dropped++;
			continue;
		}
		seen[k] = TRUE;
		if (followup && is_thread_header(allowed[k].name)) {
			if (strcmp(allowed[k].name, "Message-ID") == 0)
				ids.message_id = g_steal_pointer(&value);
			else if (strcmp(allowed[k].name, "References") == 0)
				ids.references = g_steal_pointer(&value);
			continue;
		}
		if (strcmp(allowed[k].name, "Subject") == 0) {
			g_autofree char *subject = subject_of(job, value, res, followup);
			write_header(out, jis, allowed[k].name, subject);
		} else {
			write_header(out, jis, allowed[k].name, value);
		}
	}
	if (followup) {
		g_autofree char *subject = subject_of(job, "", res, followup);
		write_followup_headers(out, followup, &ids, seen[allowed_index("Subject")], subject);
	}
	g_free(ids.message_id);
	g_free(ids.references);
	if (dropped)
		cdr_job_action(job, CDR_ACT_HEADER, NULL, dropped);
	return dropped;
}

/* ---- body ------------------------------------------------------------------------- */

static void
write_base64(GString *out, const guint8 *data, gsize len)
{
	g_autofree char *b64 = g_base64_encode(data, len);
	gsize n = strlen(b64);
	for (gsize i = 0; i < n; i += LINE_MAX_COLS) {
		g_string_append_len(out, b64 + i, (gssize)MIN(LINE_MAX_COLS, n - i));
		g_string_append(out, "\r\n");
	}
}

static gboolean
lines_fit_smtp(const GString *s)
{
	gsize line = 0;
	for (gsize i = 0; i < s->len; i++) {
		line = s->str[i] == '\n' ? 0 : line + 1;
		if (line > 998)
			return FALSE;
	}
	return TRUE;
}

/* The text as ISO-2022-JP (7bit when every line fits SMTP); FALSE when a
 * character does not fit and the caller writes UTF-8. */
static gboolean
write_jis_text(GString *out, struct cdr_charsets *cs, const GString *crlf)
{
	g_autoptr(GString) jis = g_string_new(NULL);
	if (!cdr_charset_utf8_to_iso2022jp(cs, crlf->str, crlf->len, jis))
		return FALSE;
	if (lines_fit_smtp(jis)) {
		g_string_append(out, "Content-Type: text/plain; charset=iso-2022-jp\r\n"
				     "Content-Transfer-Encoding: 7bit\r\n\r\n");
		g_string_append_len(out, jis->str, (gssize)jis->len);
	} else {
		g_string_append(out, "Content-Type: text/plain; charset=iso-2022-jp\r\n"
				     "Content-Transfer-Encoding: base64\r\n\r\n");
		write_base64(out, (const guint8 *)jis->str, jis->len);
	}
	return TRUE;
}

static void
write_text_part(GString *out, struct cdr_charsets *jis, const struct mime_result *res,
		const char *notice, gboolean notice_on_top)
{
	g_autoptr(GString) text = g_string_new(NULL);
	if (notice && notice_on_top)
		g_string_append_printf(text, "%s\n", notice);
	g_string_append(text, res->body->str);
	if (text->len && text->str[text->len - 1] != '\n')
		g_string_append_c(text, '\n');
	if (notice && !notice_on_top)
		g_string_append_printf(text, "\n%s", notice);
	g_autoptr(GString) crlf = g_string_new(NULL);
	for (const char *p = text->str; *p; p++) {
		if (*p == '\n')
			g_string_append_c(crlf, '\r');
		g_string_append_c(crlf, *p);
	}
	if (jis && write_jis_text(out, jis, crlf))
		return;
	g_string_append(out, "Content-Type: text/plain; charset=utf-8\r\n"
			     "Content-Transfer-Encoding: base64\r\n\r\n");
	write_base64(out, (const guint8 *)crlf->str, crlf->len);
}

static gboolean
is_ascii_bytes(const GByteArray *b)
{
	for (guint i = 0; i < b->len; i++)
		if (b->data[i] >= 0x80 || b->data[i] == 0)
			return FALSE;
	return TRUE;
}

/* filename*0*=UTF-8''...; filename*1*=... in pieces of at most 60
 * characters, never splitting a %XX escape (RFC 2231 continuations). */
static char *
filename_param(const char *name)
{
	g_autofree char *pct = g_uri_escape_string(name, NULL, FALSE);
	gsize len = strlen(pct);
	if (len <= 60)
		return g_strdup_printf(" filename*=UTF-8''%s", pct);
	GString *s = g_string_new(NULL);
	unsigned n = 0;
	for (gsize i = 0; i < len; n++) {
		/* " filename*N*=" plus, first, "UTF-8''", and ";": under 78 columns */
		gsize room = 76 - 14 - (n ? 0 : 7) - 1;
		gsize take = MIN(room, len - i);
		if (take < len - i && pct[i + take - 1] == '%')
			take -= 1;
		else if (take < len - i && take >= 2 && pct[i + take - 2] == '%')
			take -= 2;
		g_string_append_printf(s, "%s filename*%u*=%s%.*s", n ? ";\r\n" : "", n,
				       n ? "" : "UTF-8''", (int)take, pct + i);
		i += take;
	}
	return g_string_free(s, FALSE);
}

/* name="=?UTF-8?B?...?= =?UTF-8?B?...?=": encoded words of 45 bytes, for
 * clients that read only the old form; folded inside the quotes. */
static char *
name_param(const char *name)
{
	GString *s = g_string_new(" name=\"");
	for (const char *p = name; *p;) {
		const char *end = p; /* 42 bytes: ' name="' + 56 + 12 < 78 columns */
		while (*end && (gsize)(g_utf8_next_char(end) - p) <= 42)
			end = g_utf8_next_char(end);
		if (end == p)
			end = g_utf8_next_char(p);
		g_autofree char *b64 = g_base64_encode((const guchar *)p, (gsize)(end - p));
		g_string_append_printf(s, "%s=?UTF-8?B?%s?=", p == name ? "" : "\r\n ", b64);
		p = end;
	}
	g_string_append_c(s, '"');
	return g_string_free(s, FALSE);
}

/* RFC 2231 filename plus an RFC 2047 name= for old clients; a password
 * in the name ([ppap] mask_password) masked as in the text. */
static void
write_attachment(GString *out, const struct mime_attachment *a, const char *masks)
{
	g_autoptr(GString) shown = a->kept_name ? g_string_new(a->kept_name) : NULL;
	if (shown)
		mime_mask_passwords(shown, masks);
	g_autofree char *filename = filename_param(shown ? shown->str : NULL);
	g_autofree char *name = name_param(shown ? shown->str : NULL);
	const char *type = a->kept_type ? a->kept_type : "application/octet-stream";
	g_autofree char *bare_type = g_strndup(type, strcspn(type, ";"));
	/* RFC 2046: message/rfc822 is never base64; a message we rebuilt is
	 * ASCII with CRLF lines (base64 bodies, encoded headers), so 7bit */
	gboolean message = g_str_has_prefix(bare_type, "message/") && is_ascii_bytes(a->kept);
	g_string_append_printf(out,
			       "Content-Type: %s;\r\n%s\r\n"
			       "Content-Disposition: attachment;\r\n%s\r\n"
			       "Content-Transfer-Encoding: %s\r\n\r\n",
			       message || !g_str_has_prefix(bare_type, "message/") ? bare_type
										   : "application/octet-stream",
			       name, filename, message ? "7bit" : "base64");
	if (message)
		g_string_append_len(out, (const char *)a->kept->data, (gssize)a->kept->len);
	else
		write_base64(out, a->kept->data, a->kept->len);
}

gboolean
mime_followup_plan(struct cdr_job *job, const struct cdr_input *in, gboolean sanitize_mode,
		   struct mime_followup *followup)
{
	const struct cdr_run_params *params = cdr_job_params(job);
	const struct cdr_policy *p = cdr_job_policy(job);
	const char *build = params->mail_build;
	if (g_strcmp0(build, "followup") != 0 && g_strcmp0(build, "release") != 0)
		return FALSE;
	gboolean listing = strcmp(build, "followup") == 0 && !sanitize_mode &&
			   !p->ppap_text_mode_delivery;
	followup->kind = strcmp(build, "release") == 0 ? "release" : listing ? "listing" : "followup";
	followup->subject_template = listing ? p->ppap_listing_subject : p->ppap_followup_subject;
	followup->sender = *p->ppap_followup_from ? p->ppap_followup_from : NULL;
	followup->quarantine_id = params->quarantine_id;
	/* the same original made into the same kind gets the same id: a
	 * mailbox that sees it twice keeps one */
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(sum, in->data, (gssize)in->len);
	g_checksum_update(sum, (const guchar *)followup->kind, -1);
	if (followup->quarantine_id)
		g_checksum_update(sum, (const guchar *)followup->quarantine_id, -1);
	const char *at = followup->sender ? strchr(followup->sender, '@') : NULL;
	followup->message_id = g_strdup_printf("<mugaika.%s.%.24s@%s>", followup->kind,
					       g_checksum_get_string(sum),
					       at ? at + 1 : "mugaika.invalid");
	return TRUE;
}

GByteArray *
mime_write(struct cdr_job *job, GMimeObject *in, const struct mime_result *res, const char *notice,
	   const char *summary, const struct mime_followup *followup)
{
	GString *out = g_string_new(NULL);
	gboolean top = g_strcmp0(cdr_job_policy(job)->mail_notice, "bottom") != 0;
	struct cdr_charsets *jis = jis_output(job);
	unsigned kept = 0;
	for (guint i = 0; i < res->attachments->len; i++)
		kept += ((const struct mime_attachment *)res->attachments->pdata[i])->kept != NULL;

	unsigned dropped = write_headers(job, in, out, res, followup);
	gboolean changed = dropped || res->html || res->attachments->len || res->notes->len;
	g_autofree char *mugaika =
		g_strdup_printf("verdict=%s; %s", changed ? "sanitized" : "clean", summary);
	write_header(out, NULL, "X-Mugaika", mugaika);
	if (followup) {
		g_autofree char *marker =
			g_strdup_printf("%s%s%s", followup->kind, followup->quarantine_id ? "; id=" : "",
					followup->quarantine_id ? followup->quarantine_id : "");
		write_header(out, NULL, "X-Mugaika-Followup", marker);
	}
	g_string_append(out, "MIME-Version: 1.0\r\n");
	if (!kept) {
		write_text_part(out, jis, res, notice, top);
	} else {
		/* base64 never contains "=_", so this boundary cannot occur in a part */
		g_autofree char *boundary = g_strdup_printf("=_mugaika_%08x", g_str_hash(summary));
		g_string_append_printf(out, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n",
				       boundary);
		g_string_append_printf(out, "--%s\r\n", boundary);
		write_text_part(out, jis, res, notice, top);
		for (guint i = 0; i < res->attachments->len; i++) {
			const struct mime_attachment *a = res->attachments->pdata[i];
			if (!a->kept)
				continue;
			g_string_append_printf(out, "--%s\r\n", boundary);
			write_attachment(out, a, res->masks);
		}
		g_string_append_printf(out, "--%s--\r\n", boundary);
	}
	gsize len = out->len;
	return g_byte_array_new_take((guint8 *)g_string_free(out, FALSE), len);
}
