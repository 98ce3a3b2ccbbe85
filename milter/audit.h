/*
 * NAME
 *	audit.h - one JSON line per message, and the milter's own log
 * SUMMARY
 *	The audit log is a file of JSON lines (never message bodies), opened
 *	in append mode and reopened on SIGHUP for logrotate. Diagnostics and
 *	the one-line summary per message go to syslog (mail facility) or, with
 *	syslog = false, to standard error (systemd's journal, test logs).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <syslog.h>

/* Where milter_log() writes: syslog when TRUE, else stderr. */
void milter_log_init(gboolean use_syslog);
void milter_log(int priority, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
gboolean milter_log_uses_syslog(void);

/* Open (or, after SIGHUP, reopen) the audit log; an empty path disables it. */
gboolean audit_open(const char *path, GError **error);

/* Append one record as a single line. FALSE when it could not be written. */
gboolean audit_write(JsonNode *record);

void audit_close(void);
