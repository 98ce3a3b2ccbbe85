/*
 * NAME
 *	mime.h - what the mail handler's files share
 */
#pragma once

#include <gmime/gmime.h>

#include "carrier.h"
#include "cdr.h"

/* One attachment as the notice and the writer see it. */
struct mime_attachment {
	char *name;      /* decoded file name (UTF-8), or a description */
	char *type;      /* declared MIME type */
	gsize size;      /* decoded bytes */
	char *kept_name; /* sanitize mode: name of the rebuilt file, NULL if removed */
	char *kept_type;
	GByteArray *kept; /* the rebuilt bytes */
	char *what;      /* what happened: "removed", the reason, or the actions */
	char *malware;   /* removed for a virus: the signature the scanner named */
	char *excerpt;   /* text mode: its text ([mail] attachment_text), or why none */
};

struct mime_result {
	GString *body;          /* UTF-8 text, \n line ends */
	GPtrArray *attachments; /* struct mime_attachment* */
	GPtrArray *notes;       /* further lines for the notice (UTF-8) */
	GString *forwarded;     /* text mode: forwarded messages shown after the text, or NULL */
	gboolean html;          /* the body came from HTML */
	enum cdr_carrier carrier; /* the sender's mobile carrier: its emoji become Unicode */
};

/* The section that shows the removed attachments' text excerpts
 * (mime-excerpts.c); NULL when no attachment has one. */
char *mime_excerpt_section(const GPtrArray *attachments);

/* A forwarded message shown inline in text mode (mime-forwarded.c): a
 * separator, its From, Date and Subject, its `text`, then the blocks of
 * the messages forwarded inside it (`nested`, may be NULL). */
char *mime_forwarded_block(struct cdr_charsets *cs, enum cdr_carrier carrier, GMimeMessage *msg,
			   const char *text, const char *nested);

/* Text with its links written in a [mail] links style: "text" (as they
 * are), "defang" or "remove" (mime-links.c). */
char *mime_link_style(const char *text, const char *style);

/* The events of an iCalendar object (UTF-8) as text for the reader. */
char *mime_calendar_summary(const char *ics);

/* The notice block from `template_text` ([mail] notice_template; NULL or
 * empty: the built-in Japanese-then-English one); NULL when nothing
 * needs telling. */
char *mime_notice(const struct mime_result *res, gboolean sanitize_mode,
		  const char *template_text, const char *contact, const char *quarantine_id);

/* The new message: allow-listed headers from `in`, X-Mugaika, the text
 * (notice placed per policy) and, in sanitize mode, the kept attachments. */
GByteArray *mime_write(struct cdr_job *job, GMimeObject *in, const struct mime_result *res,
		       const char *notice, const char *summary);

/*
 * The transfer encoding of a part as readers take it (mime-encoding.c):
 * GMime's names and the other spellings mailers use (uue, x-uue,
 * x-base64, quoted, commented, 8-bit). FALSE, with *unknown (may be NULL)
 * the normalized name, when no reader would decode it.
 */
gboolean mime_transfer_encoding(GMimeObject *obj, GMimeContentEncoding *encoding, char **unknown);

/* The file name of a uuencoded part's "begin 644 NAME" line, or NULL. */
char *mime_uuencoded_name(GMimePart *part);

/*
 * The readings of an object whose structure readers disagree on (two
 * Content-Type, Content-Transfer-Encoding or Content-Disposition headers,
 * a parameter given twice, a declared boundary that never occurs), each
 * an object of its own with one value of each (mime-readings.c); NULL
 * when there are too many to walk.
 */
GPtrArray *mime_readings(GMimeObject *obj);

/* The passwords the text of a message gives for its archives ("パスワード：
 * abc123", mime-passwords.c), one per line, at most this many; NULL when
 * it gives none. */
#define MIME_MAX_TEXT_PASSWORDS 16
char *mime_text_passwords(const char *text);

/* Mail by its own looks, or for a name ending in .eml by any header block
 * (mime-detect.c). */
gboolean mime_looks_like_mail(const guint8 *data, gsize len, const char *name);

/* Where the message starts after an mbox "From " line (0 without one);
 * -1 when the bytes hold several messages. */
gssize mime_mbox_message_start(const guint8 *data, gsize len);
