/*
 * NAME
 *	audit.c - the audit log file and the milter's diagnostics
 * SUMMARY
 *	See audit.h. One write(2) per record on an O_APPEND descriptor, under
 *	a lock, so lines from concurrent messages never interleave.
 */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

static GMutex lock;
static int audit_fd = -1;
static gboolean to_syslog;

void
milter_log_init(gboolean use_syslog)
{
	to_syslog = use_syslog;
	if (use_syslog)
		openlog("cdr-milter", LOG_PID | LOG_NDELAY, LOG_MAIL);
}

gboolean
milter_log_uses_syslog(void)
{
	return to_syslog;
}

void
milter_log(int priority, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (to_syslog)
		syslog(priority, "%s", msg);
	else
		fprintf(stderr, "cdr-milter: %s\n", msg);
}

gboolean
audit_open(const char *path, GError **error)
{
	int fd = -1;
	if (path && *path) {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		if (fd < 0) {
			int e = errno;
			g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
				    "cannot open the audit log %s: %s", path, g_strerror(e));
			return FALSE;
		}
	}
	g_mutex_lock(&lock);
	if (audit_fd >= 0)
		close(audit_fd);
	audit_fd = fd;
	g_mutex_unlock(&lock);
	return TRUE;
}

gboolean
audit_write(JsonNode *record)
{
	g_autofree char *json = cdr_json_to_string(record);
	g_autofree char *line = g_strconcat(json, "\n", NULL);
	gsize len = strlen(line);
	gboolean ok = TRUE;
	g_mutex_lock(&lock);
	if (audit_fd >= 0) {
		ssize_t n;
		do
			n = write(audit_fd, line, len);
		while (n < 0 && errno == EINTR);
		ok = n == (ssize_t)len;
	}
	g_mutex_unlock(&lock);
	return ok;
}

void
audit_close(void)
{
	audit_open(NULL, NULL);
}
