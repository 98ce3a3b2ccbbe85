/*
 * NAME
 *	av.h - the virus scan as the front ends do it: [av] of mugaika.conf
 * SUMMARY
 *	A scanner made from the policy ([av] clamd, timeouts,
 *	stream_max_bytes), verdicts with the reasons reports, notices and
 *	SMTP replies give, and the callback a worker pool uses for the bytes
 *	its workers hand back (pool.h).
 * DESCRIPTION
 *	Fail closed: clamd unreachable, too slow or answering anything but a
 *	verdict is AV_UNAVAILABLE, and no setting turns that into a pass. An
 *	object larger than stream_max_bytes (clamd's StreamMaxLength) is not
 *	sent at all: AV_TOO_BIG, with a reason naming both limits.
 */
#pragma once

#include "pool.h"

struct av_scanner;

/* [av] as the front ends need it: clamd a valid address when set. FALSE
 * with a message naming the key. */
gboolean av_check_policy(const struct cdr_policy *policy, GError **error);

/* NULL without an error when [av] clamd is empty (no scanning). The
 * policy need not outlive the scanner. Thread-safe once made. */
struct av_scanner *av_scanner_new(const struct cdr_policy *policy, GError **error);
void av_scanner_free(struct av_scanner *scanner);
typedef struct av_scanner av_scanner;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(av_scanner, av_scanner_free)

enum av_status {
	AV_CLEAN,
	AV_INFECTED,    /* signature: clamd's name for it */
	AV_TOO_BIG,     /* over stream_max_bytes: not scanned, blocked as over a limit */
	AV_UNAVAILABLE, /* no verdict: clamd away, slow, or an error */
};

struct av_result {
	enum av_status status;
	char *signature; /* AV_INFECTED */
	char *reason;    /* not AV_CLEAN: for reports, logs and replies (printable ASCII) */
};

void av_result_clear(struct av_result *result);

/* Scan the bytes of `fd` (a sealed memfd), fills *result. */
enum av_status av_scan_fd(const struct av_scanner *scanner, int fd, struct av_result *result);

/* The report of an object blocked by its scan result (not AV_CLEAN):
 * error malware, limit or scan-unavailable. */
struct cdr_report *av_blocked_report(const char *name, const struct av_result *result);

/* For cdr_pool_set_scanner(pool, av_pool_scan, scanner). */
enum cdr_scan_result av_pool_scan(int fd, const char *name, char **detail, gpointer scanner);

/* cdr-milter -n: is clamd there (PING), and does [av] stream_max_bytes
 * fit clamd's StreamMaxLength in [av] clamd_conf? Lines appended to
 * warnings and errors. */
void av_check_clamd(const struct cdr_policy *policy, GPtrArray *notes, GPtrArray *warnings,
		    GPtrArray *errors);
