/*
 * NAME
 *	text.c - plain text: validated, charset reported, bytes kept
 * SUMMARY
 *	Text is the one format whose bytes pass unchanged: there is nothing to
 *	rebuild. What is checked is that it *is* text: it decodes in one of the
 *	charsets Japanese offices use and holds no control characters (binary
 *	data is not text, whatever its name says). Markup, scripts and
 *	structured formats that libmagic recognises are not claimed here.
 */
#include "text.h"

#include <string.h>

#include "excerpt.h"
#include "handlers.h"

gboolean
text_magic_is_plain(const char *magic_type)
{
	return g_strcmp0(magic_type, "text/plain") == 0 ||
	       g_strcmp0(magic_type, "text/csv") == 0 ||
	       g_strcmp0(magic_type, "application/csv") == 0 ||
	       g_strcmp0(magic_type, "application/x-empty") == 0 ||
	       g_strcmp0(magic_type, "application/octet-stream") == 0;
}

const char *
text_mime_type(const char *base, enum cdr_charset cs)
{
	gboolean csv = strcmp(base, "text/csv") == 0;
#define T(name) (csv ? "text/csv; charset=" name : "text/plain; charset=" name)
	switch (cs) {
	case CDR_CS_ASCII: return T("us-ascii");
	case CDR_CS_UTF8: return T("utf-8");
	case CDR_CS_UTF16LE: return T("utf-16le");
	case CDR_CS_UTF16BE: return T("utf-16be");
	case CDR_CS_CP932: return T("shift_jis");
	case CDR_CS_EUCJP: return T("euc-jp");
	case CDR_CS_ISO2022JP: return T("iso-2022-jp");
	case CDR_CS_UNKNOWN: break;
	}
#undef T
	return base;
}

enum cdr_charset
text_validate(struct cdr_job *job, const struct cdr_input *in)
{
	struct cdr_charsets *cs = cdr_engine_charsets(cdr_job_engine(job));
	enum cdr_charset charset = cdr_charset_detect_text(cs, in->data, in->len);
	if (charset == CDR_CS_UNKNOWN)
		cdr_job_error(job, CDR_E_PARSE,
			      "not text: binary content, control characters, or a character "
			      "encoding other than UTF-8, UTF-16, Shift_JIS, EUC-JP, ISO-2022-JP");
	return charset;
}

gboolean
text_may_be_text(const struct cdr_input *in)
{
	if (!text_magic_is_plain(in->magic_type))
		return FALSE;
	/* octet-stream is libmagic's answer for some Shift_JIS and EUC-JP text;
	 * a NUL early on means binary (UTF-16 needs its BOM, checked later). */
	gboolean utf16 = in->len >= 2 && (in->data[0] == 0xff || in->data[0] == 0xfe);
	if (!utf16 && memchr(in->data, 0, MIN(in->len, 4096)))
		return FALSE;
	return TRUE;
}

static int
text_bid(const struct cdr_input *in)
{
	return text_may_be_text(in) ? 10 : 0;
}

static enum cdr_verdict
text_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	enum cdr_charset charset = text_validate(job, in);
	if (charset == CDR_CS_UNKNOWN)
		return CDR_BLOCKED;
	g_byte_array_append(out->data, in->data, (guint)in->len);
	out->type = text_mime_type("text/plain", charset);
	return CDR_CLEAN;
}

static const char *const text_extensions[] = { "txt", "text", "log", "md", NULL };

const struct cdr_handler cdr_handler_text = {
	.name = "text",
	.extensions = text_extensions,
	.mime_type = "text/plain",
	.bid = text_bid,
	.sanitize = text_sanitize,
	.excerpt = text_excerpt,
};
