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
	/* Sent through the engine: its report (owned by the job's report) */
	const struct cdr_report *report;
	/* Text mode, a PPAP zip a password opened: its content is listed in
	 * the notice (report's children), not delivered */
	gboolean listed;
	char *excerpt;   /* text mode: its text ([mail] attachment_text), or why none */
};

struct mime_result {
	GString *body;          /* UTF-8 text, \n line ends */
	GPtrArray *attachments; /* struct mime_attachment* */
	GPtrArray *notes;       /* further lines for the notice (UTF-8) */
	GString *forwarded;     /* text mode: forwarded messages shown after the text, or NULL */
	gboolean html;          /* the body came from HTML */
	enum cdr_carrier carrier; /* the sender's mobile carrier: its emoji become Unicode */
	const char *masks;      /* passwords to mask in the subject too (one per line), or NULL */
};

/* A follow-up or a release (run params mail_build): what its headers say. */
struct mime_followup {
	const char *kind;             /* "followup", "listing" or "release" */
	const char *subject_template; /* "...{subject}" */
	const char *sender;           /* Sender:, or NULL */
	const char *quarantine_id;    /* the original's, or NULL */
	char *message_id;             /* "<...>" of the new message */
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
		  const char *template_text, const char *contact, const char *quarantine_id,
		  const char *release_url);

/* What a follow-up or release says first (mime-notice.c): what it is and,
 * for a listing, how to ask for the files. */
char *mime_followup_intro(const char *kind, const char *release_url);

/* The notes on password-protected attachments that stay removed: why,
 * and how to get them (mime-notice.c); `pair_window` in seconds, 0: no
 * pairing; `delivered`: a paired password brings the files (sanitize
 * mode, [ppap] text_mode_delivery), not their listing. */
void mime_add_encrypted_notes(struct mime_result *res, guint64 pair_window, gboolean delivered);

/* When the run makes a follow-up or a release (run params mail_build),
 * its kind, subject template, Sender and new Message-ID (mime-write.c);
 * FALSE for an ordinary conversion. `sanitize_mode`: the mode the
 * message is converted in. followup->message_id is the caller's. */
gboolean mime_followup_plan(struct cdr_job *job, const struct cdr_input *in,
			    gboolean sanitize_mode, struct mime_followup *followup);

/* The new message: allow-listed headers from `in`, X-Mugaika, the text
 * (notice placed per policy) and, in sanitize mode, the kept
 * attachments; a follow-up's headers when `followup` is given. */
GByteArray *mime_write(struct cdr_job *job, GMimeObject *in, const struct mime_result *res,
		       const char *notice, const char *summary,
		       const struct mime_followup *followup);

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

/* What a masked password reads as. */
#define MIME_PASSWORD_MASK "********"
/* Each of `passwords` (one per line) where it stands as a word of `text`
 * (UTF-8; full-width forms read as ASCII) replaced by MIME_PASSWORD_MASK;
 * returns how many were replaced. */
guint mime_mask_passwords(GString *text, const char *passwords);
/* The same inside other words too ("xhimitsu1"): for what is logged,
 * where masking too much costs nothing. */
guint mime_mask_passwords_anywhere(GString *text, const char *passwords);

/* Mail by its own looks, or for a name ending in .eml by any header block
 * (mime-detect.c). */
gboolean mime_looks_like_mail(const guint8 *data, gsize len, const char *name);

/* Where the message starts after an mbox "From " line (0 without one);
 * -1 when the bytes hold several messages. */
gssize mime_mbox_message_start(const guint8 *data, gsize len);
