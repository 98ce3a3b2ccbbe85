/*
 * NAME
 *	mime.c - mail (message/rfc822): text conversion and attachments
 * SUMMARY
 *	GMime parses the MIME structure and undoes transfer encodings; text is
 *	decoded by charset.c (GMime's glibc ISO-2022-JP cannot read the CP932
 *	extension rows) and HTML rendered by html-text.c. The result is a new
 *	message written by mime-write.c: allow-listed headers, one text/plain
 *	body with a notice, and in sanitize mode the attachments that came out
 *	of the engine clean or sanitized.
 * DESCRIPTION
 *	The stricter reading wins: an attachment inside multipart/alternative
 *	is an attachment; a part with a file name is never body text; of
 *	"name" and "filename" the dangerous one names the part. Signatures are
 *	dropped (noted), encrypted content removed (noted), message/partial and
 *	external-body removed. Depth and part count are limits.
 *
 *	A message the front end's virus scan found infected (run params
 *	`infected`) has each attachment scanned on its own: in sanitize mode
 *	the engine does it for every child, in text mode, where attachments
 *	are removed unopened, remove_unopened() asks, so that the notice can
 *	name the virus either way.
 */
#include <stdio.h> /* ytnef.h wants FILE */
#include <string.h>

#include <ytnef.h>
#include <mapidefs.h>

#include "config.h"

#include "actions.h"
#if HAVE_ARCHIVES
#include "zip.h"
#endif
#include "charset.h"
#include "detect.h"
#include "handlers.h"
#include "html-text.h"
#include "mime-params.h"
#include "mime-words.h"
#include "mime.h"
#include "names.h"

#define MIME_HTML_MAX_DEPTH 512
#define MIME_MAX_READINGS_PER_MESSAGE 64

struct walk {
	struct cdr_job *job;
	struct mime_result *res;
	gboolean sanitize_mode;
	unsigned parts;
	unsigned readings; /* readings of ambiguous objects walked */
	gboolean blocked;
	gboolean excerpts;  /* text mode with [mail] attachment_text = excerpt */
	guint64 excerpt_left; /* characters the message's excerpts may still use */
};

/* ---- small helpers -------------------------------------------------------- */

static void
attachment_free(gpointer p)
{
	struct mime_attachment *a = p;
	g_free(a->name);
	g_free(a->type);
	g_free(a->kept_name);
	g_free(a->kept_type);
	g_free(a->what);
	g_free(a->malware);
	g_free(a->excerpt);
	if (a->kept)
		g_byte_array_unref(a->kept);
	g_free(a);
}

static char *
type_of(GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	if (!ct)
		return g_strdup("text/plain");
	g_autofree char *type = g_mime_content_type_get_mime_type(ct); /* transfer full */
	return g_ascii_strdown(type, -1);
}

static gboolean
block(struct walk *w, enum cdr_error code, const char *why)
{
	if (!w->blocked)
		cdr_job_error(w->job, code, "%s", why);
	w->blocked = TRUE;
	return FALSE;
}

#define DECODED_KEY "mugaika-decoded"
#define READING_KEY "mugaika-reading" /* one of the readings of an ambiguous object */

/* The transfer-decoded bytes of a leaf part, uncharged; kept on the part
 * so that deciding and converting decode it once. */
static GByteArray *
decoded_bytes(GMimePart *part)
{
	GByteArray *bytes = g_object_get_data(G_OBJECT(part), DECODED_KEY);
	if (bytes)
		return bytes;
	bytes = g_byte_array_new();
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeContentEncoding encoding;
	if (content && mime_transfer_encoding(GMIME_OBJECT(part), &encoding, NULL) &&
	    encoding != GMIME_CONTENT_ENCODING_DEFAULT)
		g_mime_data_wrapper_set_encoding(content, encoding); /* x-uue, "base64" ... */
	if (content) {
		GMimeStream *s = g_mime_stream_mem_new_with_byte_array(bytes);
		g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(s), FALSE);
		g_mime_data_wrapper_write_to_stream(content, s);
		g_object_unref(s);
	}
	g_object_set_data_full(G_OBJECT(part), DECODED_KEY, bytes,
			       (GDestroyNotify)g_byte_array_unref);
	return bytes;
}

/* The transfer-decoded bytes of a leaf part, read early (the passwords of
 * the text) and leaving the part as it was found: no cached bytes, the
 * content's encoding untouched, so that the readings of an ambiguous part
 * are still made later from its raw bytes. A new reference. */
static GByteArray *
peek_decoded_bytes(GMimePart *part)
{
	GByteArray *cached = g_object_get_data(G_OBJECT(part), DECODED_KEY);
	if (cached)
		return g_byte_array_ref(cached);
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeContentEncoding was =
		content ? g_mime_data_wrapper_get_encoding(content) : GMIME_CONTENT_ENCODING_DEFAULT;
	GByteArray *bytes = g_byte_array_ref(decoded_bytes(part));
	g_object_set_data(G_OBJECT(part), DECODED_KEY, NULL);
	if (content)
		g_mime_data_wrapper_set_encoding(content, was);
	return bytes;
}

/* The transfer-decoded bytes of a leaf part, charged to the budget. */
static GByteArray *
part_bytes(struct walk *w, GMimePart *part)
{
	GByteArray *bytes = g_byte_array_ref(decoded_bytes(part));
	g_object_set_data(G_OBJECT(part), DECODED_KEY, NULL); /* ours now */
	if (!cdr_job_charge_expanded(w->job, bytes->len)) {
		w->blocked = TRUE;
		g_byte_array_unref(bytes);
		return NULL;
	}
	return bytes;
}

/* A line of the notice, once however often it is asked for. */
static void
add_note_once(struct mime_result *res, const char *note)
{
	for (guint i = 0; i < res->notes->len; i++)
		if (strcmp(res->notes->pdata[i], note) == 0)
			return;
	g_ptr_array_add(res->notes, g_strdup(note));
}

static const char undecodable_text[] = "本文の一部の文字は解読できず、〓で示しています。/ Some "
				       "characters of the text could not be decoded and are "
				       "shown as 〓.";
static const char undecodable_header[] = "件名・差出人・ファイル名の一部の文字は解読できず、〓で"
					 "示しています。/ Some characters of the subject, sender "
					 "or file names could not be decoded and are shown as 〓.";

/* A parameter decoded by mime-params.c from the raw header (not GMime). */
static char *
raw_param(struct walk *w, GMimeObject *part, const char *header, const char *param)
{
	struct cdr_charsets *cs = cdr_engine_charsets(cdr_job_engine(w->job));
	GMimeHeaderList *list = g_mime_object_get_header_list(part);
	for (int i = 0; list && i < g_mime_header_list_get_count(list); i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(list, i);
		if (g_ascii_strcasecmp(g_mime_header_get_name(h), header) == 0) {
			const char *raw = g_mime_header_get_raw_value(h);
			gboolean lossy = FALSE;
			char *value = raw ? mime_param_decode_from(cs, w->res->carrier, raw, param,
								   &lossy)
					  : NULL;
			if (lossy)
				add_note_once(w->res, undecodable_header);
			return value;
		}
	}
	return NULL;
}

/* Of Content-Type name= and Content-Disposition filename=, the one a
 * careless client would use to run the file wins if it is dangerous. */
static char *
attachment_name(struct walk *w, GMimeObject *part, const char *fallback)
{
	g_autofree char *filename = raw_param(w, part, "Content-Disposition", "filename");
	g_autofree char *name = raw_param(w, part, "Content-Type", "name");
	g_autofree char *why = NULL;
	const char *chosen = name && filename && cdr_name_is_dangerous(name, NULL, &why) ? name
			     : filename ? filename
			     : name     ? name
					: fallback;
	/* GMime leaves a parameter it cannot decode as raw bytes */
	return g_utf8_make_valid(chosen, -1);
}

static gboolean
is_attachment(GMimeObject *obj)
{
	GMimeContentDisposition *cd = g_mime_object_get_content_disposition(obj);
	if (cd && g_mime_content_disposition_is_attachment(cd))
		return TRUE;
	return g_mime_object_get_content_disposition_parameter(obj, "filename") ||
	       g_mime_object_get_content_type_parameter(obj, "name");
}

/* Uuencoded (a file by its own "begin" line) or in an encoding no
 * reader decodes: never body text, whatever the type says. */
static gboolean
is_encoded_file(GMimeObject *obj)
{
	GMimeContentEncoding encoding;
	return !mime_transfer_encoding(obj, &encoding, NULL) ||
	       encoding == GMIME_CONTENT_ENCODING_UUENCODE;
}

static gboolean
is_body_text(GMimeObject *obj)
{
	g_autofree char *type = type_of(obj);
	return GMIME_IS_PART(obj) && !is_attachment(obj) && !is_encoded_file(obj) &&
	       (strcmp(type, "text/plain") == 0 || strcmp(type, "text/html") == 0);
}

/* Line ends to \n; controls other than tab and line feed removed. */
static void
append_clean_text(GString *out, const char *text)
{
	for (const char *p = text; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (c == '\r') {
			if (p[1] != '\n')
				g_string_append_c(out, '\n');
			continue;
		}
		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f || (c >= 0x80 && c < 0xa0))
			continue;
		g_string_append_unichar(out, c);
	}
}

static struct mime_attachment *new_attachment(struct walk *w, const char *name, const char *type,
					      gsize size);
static void remove_attachment(struct walk *w, struct mime_attachment *a, const char *what);

/* ---- body text --------------------------------------------------------------- */

/* The kinds of file blocks a text body may hold, by their first line. */
static const struct {
	const char *start; /* the first line begins with this */
	gboolean mode;     /* followed by octal mode digits, then the name */
	const char *end;   /* the line that ends the block */
	gboolean end_has_fields; /* ... begins with `end` and has more after it */
	const char *type;
} encoded_blocks[] = {
	{ "begin ", TRUE, "end", FALSE, "text/x-uuencode" },
	{ "begin-base64 ", TRUE, "====", FALSE, "text/x-uuencode" }, /* uuencode -m */
	{ "=ybegin ", FALSE, "=yend", TRUE, "text/x-yenc" },
};

static gboolean
ends_block(char *line, int kind)
{
	g_strchomp(line);
	return encoded_blocks[kind].end_has_fields ? g_str_has_prefix(line, encoded_blocks[kind].end)
						   : strcmp(line, encoded_blocks[kind].end) == 0;
}

/* The block a line starts (its index), with the file's name; -1 when the
 * line starts no encoded file. */
static int
encoded_file_start(const char *line, char **name)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(encoded_blocks); i++) {
		const char *rest = line + strlen(encoded_blocks[i].start);
		if (!g_str_has_prefix(line, encoded_blocks[i].start))
			continue;
		if (encoded_blocks[i].mode) {
			if (!g_ascii_isdigit(*rest))
				continue;
			const char *sp = strchr(rest, ' ');
			*name = sp ? g_strstrip(g_strdup(sp + 1)) : g_strdup("unnamed");
		} else {
			const char *n = strstr(line, " name=");
			*name = g_strdup(n ? n + 6 : "unnamed");
		}
		return (int)i;
	}
	return -1;
}

/*
 * Files hidden in a text body as uuencode or yEnc blocks are attachments
 * by another name: the block goes, the notice lists it.
 */
static char *
remove_encoded_files(struct walk *w, const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	GString *out = g_string_new(NULL);
	for (char **l = lines; *l; l++) {
		g_autofree char *name = NULL;
		int kind = encoded_file_start(*l, &name);
		if (kind < 0) {
			g_string_append(out, *l);
			if (l[1])
				g_string_append_c(out, '\n');
			continue;
		}
		gsize size = 0;
		while (l[1] && !ends_block(l[1], kind))
			size += strlen(*++l);
		if (l[1])
			l++;
		struct mime_attachment *a = new_attachment(w, name, encoded_blocks[kind].type, size);
		remove_attachment(w, a, "removed");
	}
	return g_string_free(out, FALSE);
}

/* A text part decoded to UTF-8 from its charset label (or `fallback`
 * when it has none); NULL when the budget is spent. */
static char *
part_text(struct walk *w, GMimePart *part, const char *fallback, enum cdr_decode_quality *q)
{
	g_autoptr(GByteArray) bytes = part_bytes(w, part);
	if (!bytes)
		return NULL;
	const char *label = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
	return cdr_charset_decode_from(cdr_engine_charsets(cdr_job_engine(w->job)), w->res->carrier,
				       label ? label : fallback, bytes->data, bytes->len, q);
}

/*
 * RFC 3676 format=flowed: a line ending in a space continues on the next
 * (delsp=yes: that space goes too, as Japanese text has no spaces between
 * words); a leading space is stuffing; "-- " is a hard line. Quote depth
 * (">") is kept as "> " per level.
 */
static char *
unflow(const char *text, gboolean delsp)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	GString *out = g_string_new(NULL);
	GString *para = g_string_new(NULL);
	unsigned para_depth = 0;
	gboolean open = FALSE;
	for (char **l = lines; *l; l++) {
		char *line = *l;
		gsize len = strlen(line);
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (!l[1] && !len)
			break; /* the text's final newline */
		unsigned depth = 0;
		while (line[depth] == '>')
			depth++;
		char *content = line + depth;
		if (*content == ' ')
			content++; /* stuffing */
		if (open && depth != para_depth) { /* a quote level change ends it */
			g_string_append_c(out, '\n');
			open = FALSE;
		}
		if (!open) {
			for (unsigned i = 0; i < depth; i++)
				g_string_append_c(para, '>');
			if (depth)
				g_string_append_c(para, ' ');
			para_depth = depth;
		}
		gsize clen = strlen(content);
		gboolean soft = clen && content[clen - 1] == ' ' && strcmp(content, "-- ") != 0;
		if (soft && delsp)
			content[--clen] = '\0';
		g_string_append(para, content);
		g_string_append(out, para->str);
		g_string_truncate(para, 0);
		open = soft;
		if (!soft)
			g_string_append_c(out, '\n');
	}
	if (open)
		g_string_append_c(out, '\n');
	g_string_free(para, TRUE);
	return g_string_free(out, FALSE);
}

static gboolean
param_is(GMimeObject *obj, const char *name, const char *value)
{
	const char *v = g_mime_object_get_content_type_parameter(obj, name);
	return v && g_ascii_strcasecmp(v, value) == 0;
}

/* A blank line between what is already in the body and what comes next. */
static void
start_paragraph(GString *body)
{
	if (body->len && body->str[body->len - 1] != '\n')
		g_string_append_c(body, '\n');
	if (body->len)
		g_string_append_c(body, '\n');
}

static gboolean
add_body(struct walk *w, GMimePart *part)
{
	enum cdr_decode_quality q;
	g_autofree char *text = part_text(w, part, NULL, &q);
	if (!text)
		return FALSE;
	g_autofree char *type = type_of(GMIME_OBJECT(part));
	if (strcmp(type, "text/html") == 0) {
		struct cdr_failure fail = { 0 };
		g_autofree char *rendered =
			html_to_text(text, strlen(text), MIME_HTML_MAX_DEPTH, NULL, &fail);
		if (!rendered)
			return block(w, fail.kind, fail.why);
		g_free(text);
		/* carrier emoji written as character references */
		g_autoptr(GString) mapped = g_string_new(rendered);
		guint bad = 0;
		cdr_charset_map_carrier_emoji(w->res->carrier, mapped, &bad);
		if (bad)
			q = CDR_DECODE_LOSSY;
		text = g_strdup(mapped->str);
		w->res->html = TRUE;
		cdr_job_action(w->job, CDR_ACT_HTML, NULL, 1);
	} else if (param_is(GMIME_OBJECT(part), "format", "flowed")) {
		g_autofree char *joined =
			unflow(text, param_is(GMIME_OBJECT(part), "delsp", "yes"));
		g_free(text);
		text = g_steal_pointer(&joined);
	}
	if (q == CDR_DECODE_LOSSY)
		add_note_once(w->res, undecodable_text);
	start_paragraph(w->res->body);
	g_autoptr(GString) clean = g_string_new(NULL);
	append_clean_text(clean, text);
	g_autofree char *visible = remove_encoded_files(w, clean->str);
	g_string_append(w->res->body, visible);
	return TRUE;
}

/* An invitation: its events as text; the calendar object itself goes. */
static gboolean
add_calendar(struct walk *w, GMimePart *part)
{
	enum cdr_decode_quality q;
	g_autofree char *text = part_text(w, part, "utf-8", &q); /* RFC 5545 default */
	if (!text)
		return FALSE;
	g_autofree char *summary = mime_calendar_summary(text);
	start_paragraph(w->res->body);
	append_clean_text(w->res->body, summary);
	cdr_job_action(w->job, CDR_ACT_CALENDAR, NULL, 1);
	return TRUE;
}

/* ---- attachments ------------------------------------------------------------- */

static struct mime_attachment *
new_attachment(struct walk *w, const char *name, const char *type, gsize size)
{
	struct mime_attachment *a = g_new0(struct mime_attachment, 1);
	a->name = g_strdup(name);
	a->type = g_strdup(type);
	a->size = size;
	g_ptr_array_add(w->res->attachments, a);
	return a;
}

static void
remove_attachment(struct walk *w, struct mime_attachment *a, const char *what)
{
	a->what = g_strdup(what);
	cdr_job_action(w->job, CDR_ACT_ATTACHMENT, a->name, 1);
}

/* Removed because the virus scanner named it. */
static void
remove_infected(struct walk *w, struct mime_attachment *a, const char *signature)
{
	a->malware = g_strdup(signature);
	g_autofree char *what = g_strdup_printf("removed: virus found (%s)", signature);
	remove_attachment(w, a, what);
}

/* Text mode, [mail] attachment_text = excerpt: the removed attachment's
 * text (or why there is none) for the excerpt section, within the
 * message's total. */
static void
add_excerpt(struct walk *w, struct mime_attachment *a, const guint8 *data, gsize len)
{
	const struct cdr_policy *p = cdr_job_policy(w->job);
	if (!w->excerpts)
		return;
	if (a->malware) {
		a->excerpt = g_strdup("（ウイルスが見つかったため抜粋しません / not excerpted: a "
				      "virus was found）");
		return;
	}
	if (!w->excerpt_left) {
		a->excerpt = g_strdup("（抜粋の合計が上限に達したため省略しました / left out: the "
				      "message's excerpts reached their limit）");
		return;
	}
	char *reason = NULL;
	gsize max = (gsize)MIN(p->mail_attachment_text_chars, w->excerpt_left);
	char *text = cdr_job_excerpt(w->job, data, len, a->name, max, &reason);
	if (text) {
		w->excerpt_left -= MIN(w->excerpt_left, (guint64)g_utf8_strlen(text, -1));
		a->excerpt = text;
	} else {
		a->excerpt = reason;
	}
	cdr_job_action(w->job, CDR_ACT_ATTACHMENT_TEXT, a->name, 1);
}

/* Text mode: an attachment removed unopened. When the message was found
 * infected it is scanned first, to be named in the notice if it is the
 * carrier; FALSE when that scan failed (the message fails). */
static gboolean
remove_unopened(struct walk *w, struct mime_attachment *a, const guint8 *data, gsize len)
{
	const struct cdr_report *infected = cdr_job_scan_removed_part(w->job, data, len, a->name);
	if (cdr_job_budget_spent(w->job)) { /* the scan recorded why on the message */
		w->blocked = TRUE;
		return FALSE;
	}
	if (infected)
		remove_infected(w, a, infected->malware);
	else
		remove_attachment(w, a, "removed");
	if (strcmp(a->type, "message/rfc822") != 0) /* shown inline instead */
		add_excerpt(w, a, data, len);
	return TRUE;
}

/* Sanitize mode: the attachment goes through the whole engine. */
static gboolean
sanitize_attachment(struct walk *w, struct mime_attachment *a, const guint8 *data, gsize len)
{
	GByteArray *out = NULL;
	enum cdr_verdict v = cdr_job_sanitize_child(w->job, data, len, a->name, &out);
	const struct cdr_report *child = cdr_job_last_child(w->job);
	a->report = child;
	if (v == CDR_BLOCKED) {
		if (cdr_job_budget_spent(w->job)) { /* bombs and failed scans end the message */
			if (!w->blocked)
				cdr_job_fail_as_child(w->job, child, NULL);
			w->blocked = TRUE;
			return FALSE;
		}
		if (child->error == CDR_E_MALWARE) {
			remove_infected(w, a, child->malware);
			return TRUE;
		}
		g_autofree char *what = g_strdup_printf("removed: %s", child->reason);
		remove_attachment(w, a, what);
		return TRUE;
	}
	a->kept = out;
	a->kept_name = g_strdup(child->out_name);
	a->kept_type = g_strdup(child->out_type);
	const struct cdr_report *inside = cdr_report_find_malware(child);
	if (inside) { /* a member the scan of the whole message could not see */
		g_autofree char *note = g_strdup_printf(
			"%s の中の %s からウイルスを検出したため削除しました (%s) / A virus was "
			"found in %s inside %s, which was removed (%s).",
			a->name, inside->name ? inside->name : "?", inside->malware,
			inside->name ? inside->name : "?", a->name,
			inside->malware);
		add_note_once(w->res, note);
	}
	g_autofree char *acts = cdr_report_action_summary(child);
	a->what = *acts ? g_strdup_printf("sanitized (%s)", acts) : g_strdup("kept");
	return TRUE;
}

/* A password-protected zip (PPAP), by its central directory. */
static gboolean
is_encrypted_zip(const guint8 *data, gsize len)
{
#if HAVE_ARCHIVES
	const char *why = NULL;
	return len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0 &&
	       zip_check_structure(data, len, &why) == ZIP_ENCRYPTED;
#else
	return FALSE;
#endif
}

/*
 * Text mode, a password-protected zip: it goes through the engine like
 * in sanitize mode, so that the report says it is encrypted (what PPAP
 * pairing looks for) and, when a password opens it (the text's, [mail]
 * passwords_in_text, or a follow-up's), what it holds. Only text enters
 * a text mode mailbox: the content is listed in the notice, not
 * delivered, unless [ppap] text_mode_delivery says otherwise.
 */
static gboolean
open_ppap_in_text_mode(struct walk *w, struct mime_attachment *a, const guint8 *data, gsize len)
{
	if (!sanitize_attachment(w, a, data, len))
		return FALSE;
	if (!a->kept || cdr_job_policy(w->job)->ppap_text_mode_delivery)
		return TRUE;
	g_clear_pointer(&a->kept, g_byte_array_unref);
	g_clear_pointer(&a->kept_name, g_free);
	g_clear_pointer(&a->kept_type, g_free);
	a->listed = TRUE;
	g_clear_pointer(&a->what, g_free);
	remove_attachment(w, a, "removed: opened with the password and listed (text mode)");
	return TRUE;
}

/* An attachment in the message's mode. */
static gboolean
take_attachment(struct walk *w, struct mime_attachment *a, const guint8 *data, gsize len)
{
	if (w->sanitize_mode)
		return sanitize_attachment(w, a, data, len);
	if (is_encrypted_zip(data, len))
		return open_ppap_in_text_mode(w, a, data, len);
	return remove_unopened(w, a, data, len);
}

/* A part in a transfer encoding no reader decodes: it cannot be judged,
 * so it goes in either mode. */
static gboolean
add_undecodable_part(struct walk *w, GMimePart *part, const char *encoding)
{
	g_autofree char *type = type_of(GMIME_OBJECT(part));
	g_autofree char *name = attachment_name(w, GMIME_OBJECT(part), "unnamed");
	struct mime_attachment *a = new_attachment(w, name, type, 0);
	g_autofree char *what = g_strdup_printf("removed: unknown transfer encoding %s", encoding);
	remove_attachment(w, a, what);
	return TRUE;
}

static gboolean
add_attachment(struct walk *w, GMimePart *part)
{
	g_autofree char *type = type_of(GMIME_OBJECT(part));
	g_autofree char *name = attachment_name(w, GMIME_OBJECT(part), "unnamed");
	/* uuencoded: the "begin" line names the file too; the dangerous name
	 * (or the only one) names the part */
	g_autofree char *uu_name = is_encoded_file(GMIME_OBJECT(part)) ? mime_uuencoded_name(part)
									: NULL;
	g_autofree char *why = NULL;
	if (uu_name && (strcmp(name, "unnamed") == 0 || cdr_name_is_dangerous(uu_name, NULL, &why))) {
		g_free(name);
		name = g_steal_pointer(&uu_name);
	}
	g_autoptr(GByteArray) bytes = part_bytes(w, part);
	if (!bytes)
		return FALSE;
	struct mime_attachment *a = new_attachment(w, name, type, bytes->len);
	return take_attachment(w, a, bytes->data, bytes->len);
}

/* ---- winmail.dat (Outlook TNEF) ----------------------------------------------- */

static char *
decode_bytes(struct walk *w, const char *label, const BYTE *data, int size)
{
	gsize len = size > 0 ? (gsize)size : 0;
	while (len && data[len - 1] == 0 && g_strcmp0(label, "utf-16le") != 0)
		len--; /* strings end in NUL */
	enum cdr_decode_quality q;
	g_autofree char *text = cdr_charset_decode(cdr_engine_charsets(cdr_job_engine(w->job)), label,
						   data, len, &q);
	return *text ? g_strdup(text) : NULL;
}

/* The long file name (Unicode or the sender's code page), else the title. */
static char *
tnef_name(struct walk *w, Attachment *a)
{
	variableLength *v = MAPIFindProperty(&a->MAPI, PROP_TAG(PT_UNICODE, PR_ATTACH_LONG_FILENAME));
	char *name = NULL;
	if (v != MAPI_UNDEFINED && v->size > 0) {
		int n = v->size;
		while (n >= 2 && v->data[n - 1] == 0 && v->data[n - 2] == 0)
			n -= 2;
		name = decode_bytes(w, "utf-16le", v->data, n);
	}
	v = MAPIFindProperty(&a->MAPI, PROP_TAG(PT_STRING8, PR_ATTACH_LONG_FILENAME));
	if (!name && v != MAPI_UNDEFINED && v->size > 0)
		name = decode_bytes(w, NULL, v->data, v->size);
	if (!name && a->Title.size > 0)
		name = decode_bytes(w, NULL, a->Title.data, a->Title.size);
	return name ? name : g_strdup("unnamed");
}

/*
 * The TNEF framing, checked before ytnef sees the bytes: signature, then
 * attributes (level 1 or 2, id, length inside the data, checksum = sum of
 * the data bytes) to the exact end. ytnef has a history of memory bugs on
 * malformed input and prints its complaints to stdout.
 */
static gboolean
tnef_well_formed(const guint8 *d, gsize len)
{
	if (len < 6 || d[0] != 0x78 || d[1] != 0x9f || d[2] != 0x3e || d[3] != 0x22)
		return FALSE;
	gsize pos = 6;
	while (pos < len) {
		if (len - pos < 11 || (d[pos] != 1 && d[pos] != 2))
			return FALSE;
		guint32 n = (guint32)d[pos + 5] | (guint32)d[pos + 6] << 8 |
			    (guint32)d[pos + 7] << 16 | (guint32)d[pos + 8] << 24;
		if (n > len - pos - 11)
			return FALSE;
		guint16 sum = 0;
		for (guint32 i = 0; i < n; i++)
			sum = (guint16)(sum + d[pos + 9 + i]);
		if ((d[pos + 9 + n] | d[pos + 10 + n] << 8) != sum)
			return FALSE;
		pos += 11 + (gsize)n;
	}
	return TRUE;
}

/* The files inside winmail.dat are attachments like any other. */
static gboolean
add_tnef(struct walk *w, GMimePart *part)
{
	g_autofree char *outer = attachment_name(w, GMIME_OBJECT(part), "winmail.dat");
	g_autoptr(GByteArray) bytes = part_bytes(w, part);
	if (!bytes)
		return FALSE;
	TNEFStruct tnef;
	TNEFInitialize(&tnef);
	tnef.Debug = 0;
	if (!tnef_well_formed(bytes->data, bytes->len) ||
	    TNEFParseMemory(bytes->data, (long)bytes->len, &tnef) != 0) {
		struct mime_attachment *a = new_attachment(w, outer, "application/ms-tnef", bytes->len);
		remove_attachment(w, a, "removed: unreadable Outlook TNEF data");
		TNEFFree(&tnef);
		return TRUE;
	}
	g_ptr_array_add(w->res->notes, g_strdup_printf("%s (Outlook の TNEF) の中のファイルも一覧に"
						       "含めています。/ The files inside %s "
						       "(Outlook TNEF) are listed as attachments.",
						       outer, outer));
	gboolean ok = TRUE;
	for (Attachment *at = tnef.starting_attach.next; at && ok; at = at->next) {
		if (at->FileData.size <= 0)
			continue;
		g_autofree char *name = tnef_name(w, at);
		struct mime_attachment *a = new_attachment(w, name, "application/octet-stream",
							   (gsize)at->FileData.size);
		ok = take_attachment(w, a, at->FileData.data, (gsize)at->FileData.size);
	}
	TNEFFree(&tnef);
	return ok;
}

static gboolean walk_object(struct walk *w, GMimeObject *obj, unsigned depth);

/*
 * Text mode: a forwarded message's text after the main text, under a
 * separator with its From, Date and Subject; its attachments are removed
 * and listed (with excerpts) like the outer ones, and messages forwarded
 * inside it are shown the same way, nested, up to max_depth.
 */
static gboolean
show_forwarded(struct walk *w, GMimeMessage *inner, unsigned depth)
{
	struct mime_result sub = {
		.body = g_string_new(NULL),
		.attachments = w->res->attachments, /* listed with the outer ones */
		.notes = w->res->notes,
		.carrier = w->res->carrier,
	};
	struct walk inner_walk = *w;
	inner_walk.res = &sub;
	GMimeObject *root = g_mime_message_get_mime_part(inner);
	gboolean ok = !root || walk_object(&inner_walk, root, depth + 1);
	w->parts = inner_walk.parts;
	w->readings = inner_walk.readings;
	w->blocked = inner_walk.blocked;
	w->excerpt_left = inner_walk.excerpt_left;
	w->res->html = w->res->html || sub.html;
	if (ok) {
		g_autofree char *block = mime_forwarded_block(
			cdr_engine_charsets(cdr_job_engine(w->job)), w->res->carrier, inner,
			sub.body->str, sub.forwarded ? sub.forwarded->str : NULL);
		if (!w->res->forwarded)
			w->res->forwarded = g_string_new(NULL);
		add_note_once(w->res, "転送されたメールは本文の後に表示しています。/ Forwarded messages "
				      "are shown after the text.");
		start_paragraph(w->res->forwarded);
		g_string_append(w->res->forwarded, block);
	}
	g_string_free(sub.body, TRUE);
	if (sub.forwarded)
		g_string_free(sub.forwarded, TRUE);
	return ok;
}

/* A forwarded message: in text mode listed as removed and shown inline;
 * in sanitize mode a child like any attachment. */
static gboolean
add_message_part(struct walk *w, GMimeMessagePart *mp, unsigned depth)
{
	GMimeMessage *inner = g_mime_message_part_get_message(mp);
	GByteArray *bytes = g_byte_array_new();
	if (inner) {
		GMimeStream *s = g_mime_stream_mem_new_with_byte_array(bytes);
		g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(s), FALSE);
		g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, s);
		g_object_unref(s);
	}
	g_autofree char *name = attachment_name(w, GMIME_OBJECT(mp), "message.eml");
	struct mime_attachment *a = new_attachment(w, name, "message/rfc822", bytes->len);
	gboolean ok = w->sanitize_mode ? sanitize_attachment(w, a, bytes->data, bytes->len)
				       : remove_unopened(w, a, bytes->data, bytes->len);
	g_byte_array_unref(bytes);
	if (ok && !w->sanitize_mode && !a->malware && inner)
		ok = show_forwarded(w, inner, depth);
	return ok;
}

/* ---- the walk -------------------------------------------------------------------- */

static gboolean walk_readings(struct walk *w, GMimeObject *obj, unsigned depth, const char *why);

/* Does a text part say anything (not only white space)? */
static gboolean
has_text(GMimeObject *obj)
{
	if (!GMIME_IS_PART(obj) || !g_mime_part_get_content(GMIME_PART(obj)))
		return FALSE;
	const GByteArray *bytes = decoded_bytes(GMIME_PART(obj));
	for (guint i = 0; i < bytes->len; i++)
		if (!g_ascii_isspace(bytes->data[i]))
			return TRUE;
	return FALSE;
}

/* multipart/alternative: the plain text when there is some, else the
 * HTML (or a multipart/related around it). Other text renderings are
 * dropped; anything else hiding in there is an attachment. */
static gboolean
walk_alternative(struct walk *w, GMimeMultipart *mp, unsigned depth)
{
	int n = g_mime_multipart_get_count(mp);
	GMimeObject *best = NULL;
	for (int i = 0; i < n && !best; i++) {
		GMimeObject *c = g_mime_multipart_get_part(mp, i);
		g_autofree char *type = type_of(c);
		if (is_body_text(c) && strcmp(type, "text/plain") == 0 && has_text(c))
			best = c;
	}
	for (int i = 0; i < n && !best; i++) {
		GMimeObject *c = g_mime_multipart_get_part(mp, i);
		g_autofree char *type = type_of(c);
		if ((is_body_text(c) && strcmp(type, "text/html") == 0) || GMIME_IS_MULTIPART(c))
			best = c;
	}
	for (int i = 0; i < n && !best; i++) /* only empty text: take the first */
		if (is_body_text(g_mime_multipart_get_part(mp, i)))
			best = g_mime_multipart_get_part(mp, i);
	for (int i = 0; i < n; i++) {
		GMimeObject *c = g_mime_multipart_get_part(mp, i);
		gboolean ok = TRUE;
		if (c == best)
			ok = walk_object(w, c, depth + 1);
		else if (!is_body_text(c) && !GMIME_IS_MULTIPART(c))
			ok = walk_object(w, c, depth + 1);
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

static gboolean
walk_multipart(struct walk *w, GMimeMultipart *mp, unsigned depth)
{
	if (GMIME_IS_MULTIPART_ENCRYPTED(mp)) {
		cdr_job_action(w->job, CDR_ACT_ENCRYPTED, NULL, 1);
		g_ptr_array_add(w->res->notes, g_strdup("暗号化された内容を削除しました。/ Encrypted "
							"content was removed."));
		return TRUE;
	}
	if (GMIME_IS_MULTIPART_SIGNED(mp)) {
		cdr_job_action(w->job, CDR_ACT_SIGNATURE, NULL, 1);
		g_ptr_array_add(w->res->notes, g_strdup("電子署名を削除しました（内容は残しています）。"
							"/ The digital signature was removed (the "
							"content is kept)."));
		GMimeObject *content = g_mime_multipart_get_part(mp, GMIME_MULTIPART_SIGNED_CONTENT);
		return !content || walk_object(w, content, depth + 1);
	}
	if (g_mime_multipart_get_count(mp) == 0) /* readers disagree on what it holds */
		return walk_readings(w, GMIME_OBJECT(mp), depth,
				     "multipart without parts: its boundary never occurs");
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(mp));
	if (ct && g_mime_content_type_is_type(ct, "multipart", "alternative"))
		return walk_alternative(w, mp, depth);
	int n = g_mime_multipart_get_count(mp);
	for (int i = 0; i < n; i++)
		if (!walk_object(w, g_mime_multipart_get_part(mp, i), depth + 1))
			return FALSE;
	return TRUE;
}

static gboolean
walk_leaf(struct walk *w, GMimePart *part)
{
	g_autofree char *type = type_of(GMIME_OBJECT(part));
	if (GMIME_IS_APPLICATION_PKCS7_MIME(part) || strcmp(type, "application/pgp-encrypted") == 0) {
		cdr_job_action(w->job, CDR_ACT_ENCRYPTED, NULL, 1);
		g_ptr_array_add(w->res->notes, g_strdup("暗号化または署名された S/MIME の内容を削除しま"
							"した。/ S/MIME encrypted or signed content was "
							"removed."));
		return TRUE;
	}
	if (strcmp(type, "message/external-body") == 0) {
		cdr_job_action(w->job, CDR_ACT_UNSUPPORTED_PART, type, 1);
		g_ptr_array_add(w->res->notes, g_strdup("外部参照の部分を削除しました。/ An "
							"external-body part was removed."));
		return TRUE;
	}
	g_autofree char *unknown = NULL;
	GMimeContentEncoding encoding;
	if (!mime_transfer_encoding(GMIME_OBJECT(part), &encoding, &unknown))
		return add_undecodable_part(w, part, unknown);
	if (is_body_text(GMIME_OBJECT(part)))
		return add_body(w, part);
	if (strcmp(type, "text/calendar") == 0 || strcmp(type, "application/ics") == 0)
		return add_calendar(w, part);
	if (strcmp(type, "application/ms-tnef") == 0 || strcmp(type, "application/vnd.ms-tnef") == 0)
		return add_tnef(w, part);
	return add_attachment(w, part);
}

/* Two Content-Type (or -Transfer-Encoding, -Disposition) headers, or a
 * parameter given twice (boundary and boundary*, two filenames): readers
 * disagree on which one counts, so the message is blocked. */
static const char *
ambiguity(GMimeObject *obj)
{
	static const char *const single[] = { "Content-Type", "Content-Transfer-Encoding",
					      "Content-Disposition" };
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	for (unsigned k = 0; list && k < G_N_ELEMENTS(single); k++) {
		unsigned n = 0;
		for (int i = 0; i < g_mime_header_list_get_count(list); i++)
			n += g_ascii_strcasecmp(g_mime_header_get_name(
							g_mime_header_list_get_header_at(list, i)),
						single[k]) == 0;
		if (n > 1)
			return single[k];
	}
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	GMimeContentDisposition *cd = g_mime_object_get_content_disposition(obj);
	GMimeParamList *lists[] = { ct ? g_mime_content_type_get_parameters(ct) : NULL,
				    cd ? g_mime_content_disposition_get_parameters(cd) : NULL };
	for (unsigned l = 0; l < G_N_ELEMENTS(lists); l++) {
		int n = lists[l] ? g_mime_param_list_length(lists[l]) : 0;
		for (int i = 0; i < n; i++)
			for (int j = i + 1; j < n; j++)
				if (g_ascii_strcasecmp(
					    g_mime_param_get_name(g_mime_param_list_get_parameter_at(lists[l], i)),
					    g_mime_param_get_name(g_mime_param_list_get_parameter_at(lists[l], j))) == 0)
					return g_mime_param_get_name(
						g_mime_param_list_get_parameter_at(lists[l], i));
	}
	return NULL;
}

static gboolean
is_leaf_type(GMimeObject *obj, const char *type)
{
	g_autofree char *t = type_of(obj);
	return GMIME_IS_PART(obj) && strcmp(t, type) == 0;
}

/* The readings one is read with: a multipart reading that finds parts
 * replaces the reading of the same bytes as one text (which would show
 * the attachments' encoded data), and an HTML reading the plain one (which
 * would show its markup and scripts as text). */
static gboolean
reading_is_shown(struct walk *w, GPtrArray *readings, guint i)
{
	GMimeObject *r = readings->pdata[i];
	gboolean split = FALSE, html = FALSE, file = FALSE;
	for (guint j = 0; j < readings->len; j++) {
		GMimeObject *o = readings->pdata[j];
		split = split || (GMIME_IS_MULTIPART(o) && g_mime_multipart_get_count(GMIME_MULTIPART(o)));
		html = html || (is_leaf_type(o, "text/html") && is_body_text(o));
		file = file || (GMIME_IS_PART(o) && !is_body_text(o));
	}
	if (!GMIME_IS_PART(r) || !is_body_text(r))
		return TRUE;
	if (split || (html && is_leaf_type(r, "text/plain")))
		return FALSE;
	if (!file)
		return TRUE;
	/* another reading saves these bytes as a file: shown as text only
	 * when they are text, and never an executable's bytes */
	const GByteArray *bytes = decoded_bytes(GMIME_PART(r));
	return !cdr_detect_dangerous_bytes(bytes->data, bytes->len) &&
	       cdr_charset_detect_text(cdr_engine_charsets(cdr_job_engine(w->job)), bytes->data,
				       bytes->len) != CDR_CS_UNKNOWN;
}

static gboolean
same_attachment(const struct mime_attachment *a, const struct mime_attachment *b)
{
	return strcmp(a->name, b->name) == 0 && g_strcmp0(a->type, b->type) == 0 &&
	       a->size == b->size;
}

/* The boundaries of the multiparts of a reading, all the way down. */
static void
collect_boundaries(GMimeObject *obj, GPtrArray *out, unsigned depth)
{
	if (!GMIME_IS_MULTIPART(obj) || depth > 64)
		return;
	const char *b = g_mime_multipart_get_boundary(GMIME_MULTIPART(obj));
	if (b)
		g_ptr_array_add(out, g_strdup(b));
	for (int i = 0; i < g_mime_multipart_get_count(GMIME_MULTIPART(obj)); i++)
		collect_boundaries(g_mime_multipart_get_part(GMIME_MULTIPART(obj), i), out, depth + 1);
}

/* Is the line "--B" (a part starts) or "--B--" (the parts end) for a
 * boundary B of some reading? 1 and 2 for these, 0 otherwise. */
static int
boundary_line(const char *line, GPtrArray *boundaries)
{
	if (!g_str_has_prefix(line, "--"))
		return 0;
	for (guint i = 0; i < boundaries->len; i++) {
		const char *b = boundaries->pdata[i];
		gsize n = strlen(b);
		if (strncmp(line + 2, b, n) != 0)
			continue;
		const char *rest = line + 2 + n;
		if (strcmp(rest, "--") == 0)
			return 2;
		if (!*rest)
			return 1;
	}
	return 0;
}

/* What one reading shows as text but another splits off as parts of its
 * own (an attachment's encoded data after a boundary line of the other
 * reading) is taken out: the other reading shows its text parts itself. */
static void
drop_other_readings_parts(GString *text, GPtrArray *boundaries)
{
	g_auto(GStrv) lines = g_strsplit(text->str, "\n", -1);
	g_string_truncate(text, 0);
	gboolean inside = FALSE;
	for (char **l = lines; *l; l++) {
		g_autofree char *line = g_strchomp(g_strdup(*l));
		int kind = boundary_line(line, boundaries);
		if (kind) {
			inside = kind == 1;
			continue;
		}
		if (inside)
			continue;
		g_string_append(text, *l);
		if (l[1])
			g_string_append_c(text, '\n');
	}
}

/* One reading's text, attachments and notes added to the message's,
 * what is there already once. */
static void
merge_reading(struct mime_result *into, struct mime_result *from)
{
	if (from->body->len && !strstr(into->body->str, from->body->str)) {
		start_paragraph(into->body);
		g_string_append(into->body, from->body->str);
	}
	for (guint i = 0; i < from->attachments->len; i++) {
		struct mime_attachment *a = from->attachments->pdata[i];
		gboolean known = FALSE;
		for (guint j = 0; j < into->attachments->len && !known; j++)
			known = same_attachment(into->attachments->pdata[j], a);
		if (!known)
			g_ptr_array_add(into->attachments, g_ptr_array_steal_index(from->attachments, i--));
	}
	for (guint i = 0; i < from->notes->len; i++)
		add_note_once(into, from->notes->pdata[i]);
	if (from->forwarded && (!into->forwarded || !strstr(into->forwarded->str,
							     from->forwarded->str))) {
		if (!into->forwarded)
			into->forwarded = g_string_new(NULL);
		start_paragraph(into->forwarded);
		g_string_append(into->forwarded, from->forwarded->str);
	}
	into->html = into->html || from->html;
}

/*
 * Readers disagree on the structure (mime-readings.c). Sanitize mode
 * blocks the message, as an attachment could be judged by the wrong
 * reading. Text mode delivers no attachment anyway: it shows the text
 * that any reading finds (markup converted, never as HTML), removes every
 * attachment any reading finds, and says so.
 */
static gboolean
walk_readings(struct walk *w, GMimeObject *obj, unsigned depth, const char *why)
{
	if (w->sanitize_mode)
		return block(w, CDR_E_PARSE, why);
	g_autoptr(GPtrArray) readings = mime_readings(obj);
	if (!readings || !readings->len)
		return block(w, CDR_E_PARSE, why);
	w->readings += readings->len;
	if (w->readings > MIME_MAX_READINGS_PER_MESSAGE)
		return block(w, CDR_E_LIMIT, "ambiguous MIME: too many readings to compare");
	g_autoptr(GPtrArray) boundaries = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < readings->len; i++) {
		g_object_set_data(readings->pdata[i], READING_KEY, GINT_TO_POINTER(1));
		collect_boundaries(readings->pdata[i], boundaries, 0);
	}
	for (guint i = 0; i < readings->len; i++) {
		if (!reading_is_shown(w, readings, i))
			continue;
		struct mime_result part = {
			.body = g_string_new(NULL),
			.attachments = g_ptr_array_new_with_free_func(attachment_free),
			.notes = g_ptr_array_new_with_free_func(g_free),
			.carrier = w->res->carrier,
		};
		struct walk reading = *w;
		reading.res = &part;
		gboolean ok = walk_object(&reading, readings->pdata[i], depth + 1);
		w->parts = reading.parts;
		w->readings = reading.readings;
		w->blocked = reading.blocked;
		w->excerpt_left = reading.excerpt_left;
		drop_other_readings_parts(part.body, boundaries);
		merge_reading(w->res, &part);
		g_string_free(part.body, TRUE);
		if (part.forwarded)
			g_string_free(part.forwarded, TRUE);
		g_ptr_array_unref(part.attachments);
		g_ptr_array_unref(part.notes);
		if (!ok)
			return FALSE;
	}
	/* a parameter name comes from the message: valid UTF-8, no controls */
	g_autofree char *valid = g_utf8_make_valid(why, -1);
	g_autoptr(GString) shown = g_string_new(NULL);
	append_clean_text(shown, valid);
	g_strdelimit(shown->str, "\n\t", ' ');
	why = shown->str;
	cdr_job_action(w->job, CDR_ACT_AMBIGUOUS_MIME, why, 1);
	g_autofree char *note = g_strdup_printf(
		"メールの構造があいまいなため（%s）、どの読み方でも本文となる部分をすべてテキストで示し、"
		"添付ファイルとなる部分はすべて削除しました。/ The structure of the message is "
		"ambiguous (%s): the text of every reading is shown as text, and whatever any "
		"reading takes for an attachment was removed.", why, why);
	add_note_once(w->res, note);
	return TRUE;
}

static gboolean
walk_object(struct walk *w, GMimeObject *obj, unsigned depth)
{
	const struct cdr_policy *p = cdr_job_policy(w->job);
	if (depth > p->max_depth)
		return block(w, CDR_E_LIMIT, "MIME parts nested deeper than max_depth");
	const char *twice = ambiguity(obj);
	if (twice) {
		g_autofree char *why = g_strdup_printf("ambiguous MIME: %s given twice", twice);
		/* a reading has one of each header: ambiguous again means that
		 * GMime reads it another way than it was built */
		if (g_object_get_data(G_OBJECT(obj), READING_KEY))
			return block(w, CDR_E_PARSE, why);
		return walk_readings(w, obj, depth + 1, why);
	}
	if (++w->parts > p->max_children)
		return block(w, CDR_E_LIMIT, "more MIME parts than max_children");
	if (!cdr_job_check_time(w->job)) {
		w->blocked = TRUE;
		return FALSE;
	}
	if (GMIME_IS_MULTIPART(obj))
		return walk_multipart(w, GMIME_MULTIPART(obj), depth);
	if (GMIME_IS_MESSAGE_PARTIAL(obj)) {
		cdr_job_action(w->job, CDR_ACT_UNSUPPORTED_PART, "message/partial", 1);
		g_ptr_array_add(w->res->notes, g_strdup("分割メールの断片を削除しました。/ A fragment "
							"of a split message was removed."));
		return TRUE;
	}
	if (GMIME_IS_MESSAGE_PART(obj))
		return add_message_part(w, GMIME_MESSAGE_PART(obj), depth);
	if (GMIME_IS_PART(obj))
		return walk_leaf(w, GMIME_PART(obj));
	return block(w, CDR_E_INTERNAL, "a MIME object of a kind the mail handler does not know");
}

/* ---- the handler ------------------------------------------------------------------- */

static gboolean
mime_init(GError **error)
{
	static gsize once = 0;
	if (g_once_init_enter(&once)) {
		g_mime_init();
		g_once_init_leave(&once, 1);
	}
	return TRUE;
}

static int
mime_bid(const struct cdr_input *in)
{
	if (mime_looks_like_mail(in->data, in->len, in->name))
		return 50;
	if (g_strcmp0(in->magic_type, "message/rfc822") == 0 ||
	    g_strcmp0(in->magic_type, "message/news") == 0)
		return 50;
	return 0;
}

static char *
summary_of(const struct mime_result *res, const char *quarantine_id)
{
	unsigned removed = 0, kept = 0;
	for (guint i = 0; i < res->attachments->len; i++) {
		const struct mime_attachment *a = res->attachments->pdata[i];
		if (a->kept)
			kept++;
		else
			removed++;
	}
	/* The id names the original in the front end's quarantine (cdr-milter
	 * passes it); none when run from cdr-file. */
	return g_strdup_printf("%s%s%shtml=%s; attachments-removed=%u; attachments-kept=%u",
			       quarantine_id ? "id=" : "", quarantine_id ? quarantine_id : "",
			       quarantine_id ? "; " : "", res->html ? "converted" : "no",
			       removed, kept);
}

/* Header block size, header fields and longest line, checked on the raw
 * bytes. A field is a header line that does not start with white space. */
static gboolean
within_mail_limits(struct cdr_job *job, const struct cdr_input *in)
{
	const struct cdr_policy *p = cdr_job_policy(job);
	const guint8 *data = in->data, *end = in->data + in->len;
	gsize header = in->len;
	guint64 fields = 0;
	gboolean in_header = TRUE;
	for (const guint8 *line = data; line < end;) {
		const guint8 *nl = memchr(line, '\n', (gsize)(end - line));
		const guint8 *stop = nl ? nl : end;
		gsize len = (gsize)(stop - line);
		if (len > p->mail_max_line_bytes) {
			cdr_job_error(job, CDR_E_LIMIT, "a line of %" G_GSIZE_FORMAT
				      " bytes is over max_line_bytes (%" G_GUINT64_FORMAT ")",
				      len, p->mail_max_line_bytes);
			return FALSE;
		}
		if (in_header && (len == 0 || (len == 1 && *line == '\r'))) {
			header = (gsize)(line - data);
			in_header = FALSE;
		}
		fields += in_header && *line != ' ' && *line != '\t';
		line = stop + 1;
	}
	if (fields > p->mail_max_headers) {
		cdr_job_error(job, CDR_E_LIMIT, "%" G_GUINT64_FORMAT " header fields are over "
			      "max_headers (%" G_GUINT64_FORMAT ")", fields, p->mail_max_headers);
		return FALSE;
	}
	if (header > p->mail_max_header_bytes) {
		cdr_job_error(job, CDR_E_LIMIT, "headers of %" G_GSIZE_FORMAT
			      " bytes are over max_header_bytes (%" G_GUINT64_FORMAT ")",
			      header, p->mail_max_header_bytes);
		return FALSE;
	}
	return TRUE;
}

/* The first mailbox's address in a raw address header; NULL if none. */
static char *
first_mailbox(const char *raw)
{
	InternetAddressList *addrs = raw ? internet_address_list_parse(NULL, raw) : NULL;
	char *addr = NULL;
	for (int i = 0; addrs && i < internet_address_list_length(addrs) && !addr; i++) {
		InternetAddress *a = internet_address_list_get_address(addrs, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(a))
			addr = g_strdup(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)));
	}
	if (addrs)
		g_object_unref(addrs);
	return addr;
}

/*
 * The From address PPAP pairing compares (the report's from_address):
 * only when the header has one From field holding one mailbox with an
 * '@'. Two From fields (mail programs show one or the other), several
 * mailboxes, a group, or an address that is an undecoded encoded-word
 * say nothing certain about who wrote: NULL, and the message pairs with
 * nothing.
 */
static char *
sole_mailbox(GMimeHeaderList *list, const char *raw)
{
	int fields = 0;
	for (int i = 0; list && i < g_mime_header_list_get_count(list); i++)
		fields += g_ascii_strcasecmp(g_mime_header_get_name(
						     g_mime_header_list_get_header_at(list, i)),
					     "From") == 0;
	InternetAddressList *addrs = raw && fields == 1 ? internet_address_list_parse(NULL, raw)
						       : NULL;
	char *addr = NULL;
	if (addrs && internet_address_list_length(addrs) == 1) {
		InternetAddress *a = internet_address_list_get_address(addrs, 0);
		const char *spec = INTERNET_ADDRESS_IS_MAILBOX(a)
					   ? internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a))
					   : NULL;
		const char *at = spec ? strrchr(spec, '@') : NULL;
		if (at && at != spec && at[1] && !strstr(spec, "=?"))
			addr = g_strdup(spec);
	}
	if (addrs)
		g_object_unref(addrs);
	return addr;
}

/*
 * The sender's mobile carrier, from the address in From (else Sender,
 * else Return-Path): its emoji are read as that carrier's. A forged From
 * changes only how emoji are shown, never what is removed.
 */
static enum cdr_carrier
sender_carrier(GMimeMessage *msg)
{
	static const char *const fields[] = { "From", "Sender", "Return-Path" };
	GMimeHeaderList *list = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	for (unsigned f = 0; list && f < G_N_ELEMENTS(fields); f++) {
		GMimeHeader *h = g_mime_header_list_get_header(list, fields[f]);
		g_autofree char *addr = first_mailbox(h ? g_mime_header_get_raw_value(h) : NULL);
		const char *at = addr ? strrchr(addr, '@') : NULL;
		if (at) /* the first address decides */
			return cdr_carrier_of_domain(at + 1);
	}
	return CDR_CARRIER_NONE;
}

/* What the audit's copy of a subject must not show: the passwords the
 * subject itself gives, those of the run and of the text (read before
 * this), and the run's strings to mask. */
static char *
subject_secrets(struct cdr_job *job, const char *subject)
{
	g_autofree char *own = subject ? mime_text_passwords(subject) : NULL;
	const char *lists[] = { own, cdr_job_passwords(job), cdr_job_params(job)->mask };
	GString *all = g_string_new(NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(lists); i++)
		if (lists[i] && *lists[i])
			g_string_append_printf(all, "%s%s", all->len ? "\n" : "", lists[i]);
	return g_string_free(all, FALSE);
}

/* An attachment or member named with a password ("見積書_Kt7mQ2x.pdf"):
 * named in the report (the audit, the store) with it masked, as the
 * subject is. */
static void
mask_report_names(struct cdr_job *job)
{
	g_autofree char *secrets = subject_secrets(job, NULL);
	cdr_job_mask_report(job, mime_mask_passwords_anywhere, secrets);
}

/* Subject and Message-ID for the front end's audit log, the subject with
 * every password it holds masked (never logged in clear text); a note
 * when the subject or sender has characters that do not decode. */
static void
record_mail_facts(struct cdr_job *job, GMimeMessage *msg, struct mime_result *res)
{
	struct cdr_charsets *cs = cdr_engine_charsets(cdr_job_engine(job));
	GMimeHeaderList *list = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	GMimeHeader *subject = list ? g_mime_header_list_get_header(list, "Subject") : NULL;
	GMimeHeader *from = list ? g_mime_header_list_get_header(list, "From") : NULL;
	GMimeHeader *id = list ? g_mime_header_list_get_header(list, "Message-ID") : NULL;
	const char *raw_subject = subject ? g_mime_header_get_raw_value(subject) : NULL;
	const char *raw_from = from ? g_mime_header_get_raw_value(from) : NULL;
	const char *raw_id = id ? g_mime_header_get_raw_value(id) : NULL;
	g_autofree char *decoded = NULL, *id_text = NULL, *sender = NULL;
	unsigned subject_flags = 0, from_flags = 0;
	if (raw_subject)
		decoded = g_strstrip(mime_decode_header_from(cs, res->carrier, raw_subject,
							     strlen(raw_subject), &subject_flags));
	if (raw_from)
		sender = mime_decode_header_from(cs, res->carrier, raw_from, strlen(raw_from),
						 &from_flags);
	if ((subject_flags | from_flags) & MIME_WORDS_LOSSY)
		add_note_once(res, undecodable_header);
	if (raw_id)
		id_text = g_strstrip(g_strdup(raw_id));
	g_autoptr(GString) masked = g_string_new(decoded);
	if (decoded) {
		g_autofree char *secrets = subject_secrets(job, decoded);
		mime_mask_passwords_anywhere(masked, secrets);
	}
	cdr_job_mail_facts(job, decoded ? masked->str : NULL, id_text);
	g_autofree char *address = sole_mailbox(list, raw_from);
	cdr_job_mail_sender(job, sender ? g_strstrip(sender) : NULL, address);
}

struct text_passwords {
	struct walk *w;
	GPtrArray *found; /* char*, each once */
};

/* The passwords `text` gives, each once, up to MIME_MAX_TEXT_PASSWORDS. */
static void
add_text_passwords(struct text_passwords *t, const char *text)
{
	g_autofree char *found = text ? mime_text_passwords(text) : NULL;
	g_auto(GStrv) list = g_strsplit(found ? found : "", "\n", -1);
	for (char **pw = list; *pw && t->found->len < MIME_MAX_TEXT_PASSWORDS; pw++)
		if (**pw && !g_ptr_array_find_with_equal_func(t->found, *pw, g_str_equal, NULL))
			g_ptr_array_add(t->found, g_strdup(*pw));
}

/* The passwords of a text part's text, HTML rendered as text first. */
static void
add_rendered_passwords(struct text_passwords *t, gboolean html, const char *text)
{
	g_autofree char *rendered =
		html ? html_to_text(text, strlen(text), MIME_HTML_MAX_DEPTH, NULL, NULL) : NULL;
	add_text_passwords(t, rendered ? rendered : text);
}

/* One text part's passwords (g_mime_message_foreach): plain or HTML body
 * text, decoded without charging the budget (the walk charges it). */
static void
add_part_passwords(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct text_passwords *t = data;
	if (!is_body_text(part) || t->found->len >= MIME_MAX_TEXT_PASSWORDS)
		return;
	g_autoptr(GByteArray) bytes = peek_decoded_bytes(GMIME_PART(part));
	const char *label = g_mime_object_get_content_type_parameter(part, "charset");
	enum cdr_decode_quality q;
	g_autofree char *text = cdr_charset_decode_from(
		cdr_engine_charsets(cdr_job_engine(t->w->job)), t->w->res->carrier, label,
		bytes->data, bytes->len, &q);
	g_autofree char *type = type_of(part);
	gboolean html = strcmp(type, "text/html") == 0;
	add_rendered_passwords(t, html, text);
	/* UTF-8 labelled Shift_JIS (or another charset) that also reads as
	 * it, as short Japanese UTF-8 does: the password read either way */
	gboolean utf8 = bytes->len && g_utf8_validate((const char *)bytes->data,
						      (gssize)bytes->len, NULL);
	if (utf8 && label && g_ascii_strcasecmp(label, "utf-8") != 0) {
		g_autofree char *as_utf8 = g_strndup((const char *)bytes->data, bytes->len);
		if (strcmp(as_utf8, text) != 0)
			add_rendered_passwords(t, html, as_utf8);
	}
}

/* The passwords the message's text parts give, then its subject's ("Re:
 * 見積書（パスワード：abc123）" from a phone, the body empty), one per line;
 * NULL: none. */
static char *
message_passwords(struct walk *w, GMimeMessage *msg)
{
	struct text_passwords t = { .w = w, .found = g_ptr_array_new_with_free_func(g_free) };
	g_mime_message_foreach(msg, add_part_passwords, &t);
	GMimeHeaderList *headers = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	GMimeHeader *subject = headers ? g_mime_header_list_get_header(headers, "Subject") : NULL;
	const char *raw = subject ? g_mime_header_get_raw_value(subject) : NULL;
	if (raw) {
		g_autofree char *decoded = mime_decode_header_from(
			cdr_engine_charsets(cdr_job_engine(w->job)), w->res->carrier, raw,
			strlen(raw), NULL);
		add_text_passwords(&t, decoded);
	}
	g_ptr_array_add(t.found, NULL);
	char *joined = t.found->len > 1 ? g_strjoinv("\n", (char **)t.found->pdata) : NULL;
	g_ptr_array_unref(t.found);
	return joined;
}

/* [mail] passwords_in_text: a PPAP zip whose password is written in the
 * same message is opened with it (and what it reveals scanned, [av]):
 * delivered disarmed in sanitize mode, listed in text mode. Read from
 * every text part before any attachment. */
static void
collect_text_passwords(struct walk *w, GMimeMessage *msg)
{
	if (!cdr_job_policy(w->job)->mail_passwords_in_text)
		return;
	g_autofree char *found = message_passwords(w, msg);
	cdr_job_add_passwords(w->job, found);
}

/* mail_build "passwords": the candidates are the output, one per line
 * (the front end pairs them with an earlier message; never logged), and
 * the job's passwords, so that the report's subject masks them. */
static void
write_passwords(struct walk *w, GMimeMessage *msg, struct cdr_output *out)
{
	g_autofree char *found = message_passwords(w, msg);
	cdr_job_add_passwords(w->job, found);
	if (found) {
		g_byte_array_append(out->data, (const guint8 *)found, (guint)strlen(found));
		g_byte_array_append(out->data, (const guint8 *)"\n", 1);
	}
	out->type = "text/plain";
	out->ext = "txt";
}

/* What [ppap] mask_password hides in this message: the run's strings (a
 * paired password message's passwords) and the passwords that opened
 * one of its attachments. A message inside another (a forwarded password
 * message) is rebuilt before the zip after it is opened, so it hides
 * every password the run has: the outer text's and those given. NULL:
 * nothing. */
static char *
masks_of(struct cdr_job *job, gboolean nested)
{
	if (!cdr_job_policy(job)->ppap_mask_password)
		return NULL;
	const char *lists[] = { cdr_job_params(job)->mask, cdr_job_opened_passwords(job),
				nested ? cdr_job_passwords(job) : NULL };
	GString *all = g_string_new(NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(lists); i++)
		if (lists[i] && *lists[i])
			g_string_append_printf(all, "%s%s", all->len ? "\n" : "", lists[i]);
	return all->len ? g_string_free(all, FALSE) : (g_string_free(all, TRUE), NULL);
}

/* Below the text: the removed attachments' excerpts, cleaned as body
 * text is (a file block in an attachment's text is taken out too). */
static void
append_excerpts(struct walk *w)
{
	g_autofree char *section = mime_excerpt_section(w->res->attachments);
	if (!section)
		return;
	g_autoptr(GString) clean = g_string_new(NULL);
	append_clean_text(clean, section);
	g_autofree char *visible = remove_encoded_files(w, clean->str);
	start_paragraph(w->res->body);
	g_string_append(w->res->body, visible);
}

/* [mail] links: the whole text at once (body, HTML converted, excerpts). */
static void
style_links(struct cdr_job *job, GString *body)
{
	g_autofree char *styled = mime_link_style(body->str, cdr_job_mail_links(job));
	if (strcmp(styled, body->str) == 0)
		return;
	g_string_assign(body, styled);
	cdr_job_action(job, CDR_ACT_LINK_STYLED, cdr_job_mail_links(job), 1);
}

static void
write_result(struct walk *w, const struct cdr_input *in, GMimeMessage *msg,
	     struct cdr_output *out)
{
	struct cdr_job *job = w->job;
	const struct cdr_policy *p = cdr_job_policy(job);
	const char *id = cdr_job_params(job)->quarantine_id;
	struct mime_followup followup = { 0 };
	gboolean is_followup = mime_followup_plan(job, in, w->sanitize_mode, &followup);
	/* a follow-up is the answer to the password: no promise of another */
	mime_add_encrypted_notes(w->res, is_followup ? 0 : p->ppap_pair_window,
				 w->sanitize_mode || p->ppap_text_mode_delivery);
	g_autofree char *notice =
		mime_notice(w->res, w->sanitize_mode, p->mail_notice_template,
			    p->mail_notice_contact, id, cdr_job_params(job)->release_url);
	if (is_followup) {
		g_autofree char *intro = mime_followup_intro(followup.kind, cdr_job_params(job)->release_url);
		g_autofree char *rest = notice;
		notice = rest ? g_strconcat(intro, "\n", rest, NULL) : g_strdup(intro);
	}
	if (notice && w->res->masks) { /* an attachment's name may hold the password */
		g_autoptr(GString) masked = g_string_new(notice);
		mime_mask_passwords(masked, w->res->masks);
		g_free(notice);
		notice = g_strdup(masked->str);
	}
	g_autofree char *summary = summary_of(w->res, id);
	GByteArray *written = mime_write(job, GMIME_OBJECT(msg), w->res, notice, summary,
					 is_followup ? &followup : NULL);
	g_byte_array_append(out->data, written->data, written->len);
	g_byte_array_unref(written);
	g_free(followup.message_id);
}

static enum cdr_verdict
mime_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	if (!within_mail_limits(job, in))
		return CDR_BLOCKED;
	gssize start = mime_mbox_message_start(in->data, in->len);
	if (start < 0) {
		cdr_job_error(job, CDR_E_UNSUPPORTED,
			      "a mailbox (mbox) of several messages: split it into one file each");
		return CDR_BLOCKED;
	}
	struct mime_result res = {
		.body = g_string_new(NULL),
		.attachments = g_ptr_array_new_with_free_func(attachment_free),
		.notes = g_ptr_array_new_with_free_func(g_free),
	};
	const struct cdr_policy *p = cdr_job_policy(job);
	const char *build = cdr_job_params(job)->mail_build;
	struct walk w = {
		.job = job, .res = &res,
		/* a release is disarmed, never reduced to text */
		.sanitize_mode = g_strcmp0(cdr_job_mail_mode(job), "sanitize") == 0 ||
				 g_strcmp0(build, "release") == 0,
		.excerpt_left = p->mail_attachment_text_total_chars,
	};
	w.excerpts = !w.sanitize_mode && strcmp(p->mail_attachment_text, "excerpt") == 0;
	g_autofree char *masks = NULL;
	enum cdr_verdict verdict = CDR_BLOCKED;
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer((const char *)in->data + start,
								 in->len - (gsize)start);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);

	if (!msg) {
		cdr_job_error(job, CDR_E_PARSE, "not a mail message");
		goto out;
	}
	res.carrier = sender_carrier(msg);
	/* the passwords first: the subject recorded for the audit masks them */
	gboolean password_build = g_strcmp0(build, "passwords") == 0;
	if (password_build)
		write_passwords(&w, msg, out);
	else
		collect_text_passwords(&w, msg);
	record_mail_facts(job, msg, &res);
	if (password_build) {
		verdict = CDR_CLEAN;
		goto out;
	}
	GMimeObject *root = g_mime_message_get_mime_part(msg);
	if (root && !walk_object(&w, root, 0)) {
		if (!w.blocked)
			cdr_job_error(job, CDR_E_INTERNAL, "mail walk failed");
		goto out;
	}
	if (res.forwarded) {
		start_paragraph(res.body);
		g_string_append(res.body, res.forwarded->str);
	}
	append_excerpts(&w);
	style_links(job, res.body);
	masks = masks_of(job, in->depth > 0);
	res.masks = masks;
	mime_mask_passwords(res.body, masks);
	write_result(&w, in, msg, out);
	verdict = CDR_CLEAN; /* the engine makes it SANITIZED if actions were recorded */
out:
	if (msg) {
		mask_report_names(job); /* blocked or not: the audit records the names */
		g_object_unref(msg);
	}
	g_object_unref(parser);
	g_object_unref(stream);
	g_string_free(res.body, TRUE);
	if (res.forwarded)
		g_string_free(res.forwarded, TRUE);
	g_ptr_array_unref(res.attachments);
	g_ptr_array_unref(res.notes);
	return verdict;
}

static const char *const mime_extensions[] = { "eml", NULL };

const struct cdr_handler cdr_handler_mime = {
	.name = "mime",
	.flags = CDR_CONTAINER | CDR_SELF_TYPED,
	.extensions = mime_extensions,
	.mime_type = "message/rfc822",
	.init = mime_init,
	.bid = mime_bid,
	.sanitize = mime_sanitize,
};
