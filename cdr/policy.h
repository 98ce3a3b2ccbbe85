/*
 * NAME
 *	policy.h - limits and policy from mugaika.conf
 * SUMMARY
 *	Every key, its default and its range lives in one table (policy.c);
 *	the defaults work with no config file at all. mugaika.conf(5)
 *	documents each key and a test checks that it does.
 */
#pragma once

#include <glib.h>

#define CDR_DEFAULT_CONFIG "/etc/mugaika/mugaika.conf"

struct cdr_policy {
	/* [limits] */
	guint64 max_input_bytes;    /* one input object */
	guint64 max_expanded_bytes; /* decoded bytes per top-level object */
	guint64 max_depth;          /* container nesting */
	guint64 max_children;       /* objects inside one top-level object */
	guint64 max_ratio;          /* expanded bytes per input byte */
	guint64 max_image_pixels;   /* width x height of one image or frame */
	guint64 max_image_frames;   /* frames of one animated image */
	guint64 job_wall_seconds;
	guint64 job_cpu_seconds;
	guint64 worker_memory_bytes;
	/* [workers] */
	guint64 workers;         /* 0 = one per CPU */
	guint64 jobs_per_worker; /* recycle after this many jobs */
	/* [names] */
	char **blocked_extensions; /* in addition to the built-in list */
	/* [csv] */
	gboolean csv_neutralize_formulas;
	/* [pdf] */
	guint64 pdf_max_pages;
	guint64 pdf_max_objects;      /* objects reachable from the trailer */
	guint64 pdf_max_stream_bytes; /* one stream, decoded */
	gboolean pdf_neutralize_links; /* URI actions removed, link areas kept */
	/* [links] */
	char **links_schemes; /* link schemes documents may keep (links.h) */
	/* [office] */
	gboolean office_neutralize_links; /* hyperlink targets removed, text kept */
	guint64 office_max_xml_part_bytes; /* one XML part read whole (not streamed) */
	/* [mail] */
	char *mail_mode;         /* "text" or "sanitize" */
	char *mail_notice;       /* "top" or "bottom" */
	char *mail_subject_tag;  /* prefixed to the subject when not empty */
	char *mail_charset;      /* "utf-8" or "iso-2022-jp" for the rebuilt text */
	char *mail_notice_contact; /* who to ask, shown in the notice when set */
	char *mail_notice_template; /* "" = built-in; {placeholders}, see mugaika.conf(5) */
	guint64 mail_max_header_bytes; /* header block of the message */
	guint64 mail_max_line_bytes;   /* longest line anywhere in the message */
	guint64 mail_max_headers;      /* header fields of the message */
	char **mail_text_domains;      /* recipient domains always in text mode */
	char **mail_sanitize_domains;  /* recipient domains always in sanitize mode */
	gboolean mail_passwords_in_text; /* sanitize mode: PPAP zips opened with the text's passwords */
	char *mail_attachment_text;    /* text mode: "excerpt" or "off" */
	guint64 mail_attachment_text_chars;       /* characters shown per attachment */
	guint64 mail_attachment_text_total_chars; /* ... per message, all attachments */
	char *mail_links;              /* "text", "defang" or "remove": links in the text */
	char **mail_links_defang_domains; /* recipient domains whose links are defanged */
	char **mail_links_remove_domains; /* recipient domains whose link targets go */
	/* [milter] */
	char *milter_socket;           /* unix:PATH or inet:PORT@HOST */
	char *milter_socket_mode;      /* octal permissions of a unix socket */
	char *milter_user, *milter_group; /* run as, when started as root */
	char *milter_pid_file;
	guint64 milter_max_message_bytes;
	char *milter_oversize_action;  /* reject | tempfail */
	char *milter_failure_action;   /* tempfail | reject: crash, timeout, internal error */
	char *milter_blocked_action;   /* notice | reject: the message blocked as a whole */
	char *milter_quarantine_dir;
	guint64 milter_quarantine_days; /* 0 = keep forever */
	guint64 milter_quarantine_max_bytes; /* 0 = no size limit */
	char *milter_audit_log;
	gboolean milter_syslog;
	char **milter_bypass_clients;    /* addresses or networks (CIDR) */
	char **milter_bypass_recipients; /* when every final recipient is in one of these */
	char *milter_screen_daemon_name; /* {daemon_name}: screen only, convert after the queue */
	char *milter_after_queue_daemon_name; /* {daemon_name}: convert, final recipients */
	/* [av] */
	char *av_clamd;            /* unix:/PATH or inet:HOST:PORT; "" = no virus scan */
	guint64 av_connect_timeout; /* seconds */
	guint64 av_timeout;        /* seconds: each write, and the answer */
	guint64 av_stream_max_bytes; /* clamd's StreamMaxLength */
	char *av_on_infected;      /* mail: remove | reject */
	char *av_scan;             /* original | original+decrypted */
	char *av_clamd_conf;       /* clamd.conf for cdr-milter -n to compare, "" = none */
	/* [ppap] */
	guint64 ppap_pair_window;       /* seconds a password mail may follow its zip; 0 = no pairing */
	guint64 ppap_max_tries;         /* passwords tried per message */
	gboolean ppap_mask_password;    /* the password mail delivered with its passwords masked */
	gboolean ppap_text_mode_delivery; /* text mode recipients get opened PPAP content disarmed */
	char *ppap_followup_subject;    /* {subject}: the original's */
	char *ppap_listing_subject;     /* the same for a text mode recipient's listing */
	char *ppap_followup_from;       /* Sender: of follow-ups; "" = none */
	/* [release] */
	char *release_relay;            /* inet:HOST:PORT or sendmail:/PATH; "" = no submission */
	char *release_sender;           /* envelope sender of submissions; "" = <> */
	char **release_allowed_recipients; /* addresses a release may go to besides the original's */
	guint64 release_timeout;        /* seconds: connecting, each SMTP reply, sendmail's run */
	/* [web] (cdr-web, and the link in cdr-milter's notices) */
	char *web_listen;               /* ADDRESS:PORT */
	char *web_tls_cert, *web_tls_key; /* PEM files; "" = plain HTTP (loopback only) */
	char *web_base_url;             /* the console's URL as staff reach it; "" = no link */
	char *web_secret_file;          /* the HMAC key of the links */
	char *web_accounts;             /* user:yescrypt-hash lines */
	char *web_trust_proxy_user;     /* header naming the user (loopback only); "" = none */
	char *web_approval;             /* admin | none */
	char **web_auto_approve;        /* attachment kinds released without an administrator */
	guint64 web_link_days;          /* a link's lifetime */
};

/* TRUE when [av] clamd names a virus scanner: every object is scanned. */
#define cdr_policy_av_enabled(p) ((p)->av_clamd && *(p)->av_clamd)

enum cdr_key_type {
	CDR_KEY_UINT,
	CDR_KEY_SIZE,
	CDR_KEY_BOOL,
	CDR_KEY_LIST,
	CDR_KEY_STRING,
	CDR_KEY_DURATION, /* seconds; "90", "90s", "30m", "2h", "1d" */
};

struct cdr_policy_key {
	const char *group;
	const char *key;
	enum cdr_key_type type;
	gsize offset; /* into struct cdr_policy */
	const char *default_value;
	guint64 min, max;     /* UINT, SIZE and DURATION */
	const char *choices;  /* STRING: "a|b|c", or NULL for any text */
	/* LIST, STRING: NULL when an item (a value that is not empty) is
	 * acceptable, else why not */
	const char *(*refuse_item)(const char *item);
};

/* All keys, terminated by an entry whose key is NULL. */
extern const struct cdr_policy_key cdr_policy_keys[];

/* Defaults only. */
struct cdr_policy *cdr_policy_new_default(void);

/*
 * Load a config file. With path == NULL, CDR_DEFAULT_CONFIG is read if it
 * exists, defaults otherwise. An unknown group or key, or a bad value, is
 * an error naming the file, line and key.
 */
struct cdr_policy *cdr_policy_load(const char *path, GError **error);

/* A size as mugaika.conf writes it: a number, optionally K, M or G
 * (powers of 1024). */
gboolean cdr_policy_parse_size(const char *text, guint64 *bytes);

/* Parse config text (data need not be NUL-terminated); `origin` names it in errors. */
struct cdr_policy *cdr_policy_load_data(const char *data, gsize len, const char *origin,
					GError **error);

/* Serialize every key (used to hand the policy to workers). */
char *cdr_policy_to_data(const struct cdr_policy *policy, gsize *len);

void cdr_policy_free(struct cdr_policy *policy);
typedef struct cdr_policy cdr_policy;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cdr_policy, cdr_policy_free)

/* Number of workers to run: `workers`, or the CPU count when 0. */
unsigned cdr_policy_worker_count(const struct cdr_policy *policy);

#define CDR_POLICY_ERROR (cdr_policy_error_quark())
GQuark cdr_policy_error_quark(void);
