/*
 * NAME
 *	av.c - the front ends' virus scan: [av] settings, verdicts, reasons
 * SUMMARY
 *	Turns [av] into a clamd client (clamd.c) and clamd's answers into
 *	the verdicts the front ends act on. The size check comes first: an
 *	object over stream_max_bytes would be cut off by clamd, so it is not
 *	sent, and blocked with a reason that names both limits.
 * DESCRIPTION
 *	clamd's own "INSTREAM size limit exceeded" under stream_max_bytes
 *	means clamd's StreamMaxLength is set lower than [av] says: the
 *	object is not blocked for its size then, it waits (unavailable) until
 *	the two agree.
 */
#include "av.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "clamd.h"

struct av_scanner {
	struct sockio_address *address;
	struct clamd_timeouts timeouts;
	guint64 stream_max_bytes;
};

gboolean
av_check_policy(const struct cdr_policy *p, GError **error)
{
	if (!cdr_policy_av_enabled(p))
		return TRUE;
	g_autoptr(GError) local = NULL;
	g_autoptr(sockio_address) a = sockio_address_parse(p->av_clamd, &local);
	if (!a) {
		g_set_error(error, CDR_POLICY_ERROR, 0, "[av] clamd: %s", local->message);
		return FALSE;
	}
	return TRUE;
}

struct av_scanner *
av_scanner_new(const struct cdr_policy *p, GError **error)
{
	if (!cdr_policy_av_enabled(p))
		return NULL;
	if (!av_check_policy(p, error))
		return NULL;
	struct av_scanner *s = g_new0(struct av_scanner, 1);
	s->address = sockio_address_parse(p->av_clamd, NULL);
	s->timeouts.connect_ms = (guint)(p->av_connect_timeout * 1000);
	s->timeouts.io_ms = (guint)(p->av_timeout * 1000);
	s->stream_max_bytes = p->av_stream_max_bytes;
	return s;
}

void
av_scanner_free(struct av_scanner *s)
{
	if (!s)
		return;
	sockio_address_free(s->address);
	g_free(s);
}

void
av_result_clear(struct av_result *r)
{
	g_clear_pointer(&r->signature, g_free);
	g_clear_pointer(&r->reason, g_free);
}

static char *
too_big_reason(guint64 size, guint64 max)
{
	return g_strdup_printf("%" G_GUINT64_FORMAT " bytes is more than the virus scanner takes: "
			       "over [av] stream_max_bytes (%" G_GUINT64_FORMAT "), set to "
			       "clamd's StreamMaxLength",
			       size, max);
}

enum av_status
av_scan_fd(const struct av_scanner *s, int fd, struct av_result *r)
{
	struct stat st;
	*r = (struct av_result){ .status = AV_UNAVAILABLE };
	if (fstat(fd, &st) != 0) {
		r->reason = g_strdup_printf("virus scan unavailable: %s", g_strerror(errno));
		return r->status;
	}
	if ((guint64)st.st_size > s->stream_max_bytes) {
		r->status = AV_TOO_BIG;
		r->reason = too_big_reason((guint64)st.st_size, s->stream_max_bytes);
		return r->status;
	}
	g_autofree char *detail = NULL;
	switch (clamd_scan_fd(s->address, &s->timeouts, fd, &detail)) {
	case CLAMD_CLEAN:
		r->status = AV_CLEAN;
		break;
	case CLAMD_INFECTED:
		r->status = AV_INFECTED;
		r->signature = g_strdup(detail);
		r->reason = g_strdup_printf("virus found: %s", detail);
		break;
	case CLAMD_TOO_BIG:
		r->reason = g_strdup_printf(
			"virus scan unavailable: clamd refused %" G_GUINT64_FORMAT " bytes as over "
			"its StreamMaxLength, which is lower than [av] stream_max_bytes (%"
			G_GUINT64_FORMAT "): set the two alike",
			(guint64)st.st_size, s->stream_max_bytes);
		break;
	case CLAMD_ERROR:
		r->reason = g_strdup_printf("virus scan unavailable: %s", detail);
		break;
	}
	return r->status;
}

struct cdr_report *
av_blocked_report(const char *name, const struct av_result *r)
{
	struct cdr_report *report = cdr_report_new(name);
	if (r->status == AV_INFECTED)
		cdr_report_block_malware(report, r->signature);
	else
		cdr_report_block(report, r->status == AV_TOO_BIG ? CDR_E_LIMIT : CDR_E_SCAN,
				 r->reason);
	return report;
}

enum cdr_scan_result
av_pool_scan(int fd, const char *name, char **detail, gpointer data)
{
	const struct av_scanner *s = data;
	struct av_result r;
	enum cdr_scan_result out = CDR_SCAN_FAILED;
	*detail = NULL;
	switch (av_scan_fd(s, fd, &r)) {
	case AV_CLEAN:
		out = CDR_SCAN_CLEAN;
		break;
	case AV_INFECTED:
		out = CDR_SCAN_INFECTED;
		*detail = g_strdup(r.signature);
		break;
	case AV_TOO_BIG:
		out = CDR_SCAN_REFUSED;
		break;
	case AV_UNAVAILABLE:
		break;
	}
	if (!*detail && r.reason) /* the engine says "virus scan unavailable: " itself */
		*detail = g_strdup(g_str_has_prefix(r.reason, "virus scan unavailable: ")
					   ? r.reason + strlen("virus scan unavailable: ")
					   : r.reason);
	av_result_clear(&r);
	return out;
}

/* "25M", "100M", "2048K", "4294967295": clamd.conf's SIZE. */
static gboolean
parse_clamd_size(const char *s, guint64 *out)
{
	char *end = NULL;
	if (!g_ascii_isdigit(*s))
		return FALSE;
	guint64 v = g_ascii_strtoull(s, &end, 10);
	switch (g_ascii_toupper(*end)) {
	case 'K': v *= 1024; end++; break;
	case 'M': v *= 1024 * 1024; end++; break;
	case 'G': v *= 1024 * 1024 * 1024; end++; break;
	default: break;
	}
	*out = v;
	return *end == '\0';
}

/* The value of `key` in clamd.conf text (the last one given), or NULL. */
static char *
clamd_conf_value(const char *text, const char *key)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	char *value = NULL;
	for (char **l = lines; *l; l++) {
		g_autofree char *line = g_strstrip(g_strdup(*l));
		gsize n = strlen(key);
		if (*line == '#' || g_ascii_strncasecmp(line, key, n) != 0 ||
		    (line[n] != ' ' && line[n] != '\t'))
			continue;
		g_free(value);
		value = g_strstrip(g_strdup(line + n));
	}
	return value;
}

static void
compare_clamd_conf(const struct cdr_policy *p, GPtrArray *notes, GPtrArray *warnings,
		   GPtrArray *errors)
{
	g_autofree char *text = NULL;
	g_autoptr(GError) error = NULL;
	if (!g_file_get_contents(p->av_clamd_conf, &text, NULL, &error)) {
		g_ptr_array_add(errors, g_strdup_printf("[av] clamd_conf: %s", error->message));
		return;
	}
	g_autofree char *raw = clamd_conf_value(text, "StreamMaxLength");
	guint64 clamd_max = 100 * 1024 * 1024; /* clamd.conf(5)'s default */
	if (raw && !parse_clamd_size(raw, &clamd_max)) {
		g_ptr_array_add(errors, g_strdup_printf("%s: StreamMaxLength \"%s\" is not a size",
							p->av_clamd_conf, raw));
		return;
	}
	if (clamd_max == 0)
		clamd_max = G_MAXUINT32; /* 0: no limit of clamd's own but its 4 GB */
	if (p->av_stream_max_bytes > clamd_max)
		g_ptr_array_add(errors, g_strdup_printf(
			"[av] stream_max_bytes (%" G_GUINT64_FORMAT ") is more than clamd's "
			"StreamMaxLength (%" G_GUINT64_FORMAT ", %s): clamd would refuse objects "
			"between the two, and they would wait for a scan that never comes",
			p->av_stream_max_bytes, clamd_max, p->av_clamd_conf));
	else if (p->av_stream_max_bytes < clamd_max)
		g_ptr_array_add(warnings, g_strdup_printf(
			"[av] stream_max_bytes (%" G_GUINT64_FORMAT ") is less than clamd's "
			"StreamMaxLength (%" G_GUINT64_FORMAT ", %s): objects between the two are "
			"blocked although clamd would scan them",
			p->av_stream_max_bytes, clamd_max, p->av_clamd_conf));
	else
		g_ptr_array_add(notes, g_strdup_printf("[av] stream_max_bytes matches clamd's "
						       "StreamMaxLength (%s)", p->av_clamd_conf));
	g_autofree char *local = clamd_conf_value(text, "LocalSocket");
	if (g_str_has_prefix(p->av_clamd, "unix:") && local && strcmp(local, p->av_clamd + 5) != 0)
		g_ptr_array_add(warnings, g_strdup_printf("[av] clamd is %s, but %s has LocalSocket %s",
							  p->av_clamd, p->av_clamd_conf, local));
}

void
av_check_clamd(const struct cdr_policy *p, GPtrArray *notes, GPtrArray *warnings,
	       GPtrArray *errors)
{
	if (!cdr_policy_av_enabled(p))
		return;
	g_autoptr(GError) error = NULL;
	g_autoptr(sockio_address) a = sockio_address_parse(p->av_clamd, &error);
	if (!a) {
		g_ptr_array_add(errors, g_strdup_printf("[av] clamd: %s", error->message));
		return;
	}
	struct clamd_timeouts t = {
		.connect_ms = (guint)(p->av_connect_timeout * 1000),
		.io_ms = (guint)(p->av_timeout * 1000),
	};
	if (clamd_ping(a, &t, &error))
		g_ptr_array_add(notes, g_strdup_printf("clamd answers at %s", p->av_clamd));
	else
		g_ptr_array_add(warnings, g_strdup_printf("%s: until it does, every message waits "
							  "(4xx)", error->message));
	if (*p->av_clamd_conf)
		compare_clamd_conf(p, notes, warnings, errors);
}
