/*
 * NAME
 *	mime-calendar.c - a meeting invitation (text/calendar) as readable text
 * SUMMARY
 *	Reads the VEVENTs of an iCalendar object (RFC 5545: unfolded lines,
 *	NAME;PARAMS:VALUE, backslash escapes) and writes what a reader needs
 *	to decide on the meeting: what, when, where, who, the description.
 *	Nothing of the calendar object is passed on; the reader's calendar
 *	program never sees it, so no attendee or alarm trick survives.
 */
#include <string.h>

#include "mime.h"

/* RFC 5545 3.1: a line starting with a space or tab continues the last. */
static char **
unfolded_lines(const char *ics)
{
	g_autoptr(GString) s = g_string_new(NULL);
	for (const char *p = ics; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n' && (p[1] == ' ' || p[1] == '\t')) {
			p++;
			continue;
		}
		g_string_append_c(s, *p);
	}
	return g_strsplit(s->str, "\n", -1);
}

static char *
unescape(const char *v)
{
	GString *s = g_string_new(NULL);
	for (const char *p = v; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			g_string_append_c(s, *p == 'n' || *p == 'N' ? '\n' : *p);
		} else {
			g_string_append_c(s, *p);
		}
	}
	return g_string_free(s, FALSE);
}

/* "20261125T100000Z" -> "2026-11-25 10:00 UTC"; TZID shown when given. */
static char *
readable_time(const char *params, const char *v)
{
	if (strlen(v) < 8)
		return g_strdup(v);
	GString *s = g_string_new(NULL);
	g_string_append_printf(s, "%.4s-%.2s-%.2s", v, v + 4, v + 6);
	if (v[8] == 'T' && strlen(v) >= 13)
		g_string_append_printf(s, " %.2s:%.2s", v + 9, v + 11);
	if (g_str_has_suffix(v, "Z"))
		g_string_append(s, " UTC");
	const char *tz = params ? strstr(params, "TZID=") : NULL;
	if (tz) {
		g_autofree char *zone = g_strndup(tz + 5, strcspn(tz + 5, ";:"));
		g_string_append_printf(s, " (%s)", zone);
	}
	return g_string_free(s, FALSE);
}

static const struct {
	const char *name;
	const char *label;
} shown[] = {
	{ "SUMMARY", "件名 / Summary" },    { "DTSTART", "開始 / Start" },
	{ "DTEND", "終了 / End" },          { "LOCATION", "場所 / Location" },
	{ "ORGANIZER", "主催 / Organizer" }, { "DESCRIPTION", "内容 / Description" },
};

static void
show_property(GString *out, const char *line)
{
	const char *colon = strchr(line, ':');
	if (!colon)
		return;
	g_autofree char *head = g_strndup(line, (gsize)(colon - line));
	const char *semi = strchr(head, ';');
	g_autofree char *name = g_ascii_strup(head, semi ? semi - head : -1);
	for (unsigned i = 0; i < G_N_ELEMENTS(shown); i++) {
		if (strcmp(name, shown[i].name) != 0)
			continue;
		g_autofree char *value = g_str_has_prefix(name, "DT") ? readable_time(semi, colon + 1)
								       : unescape(colon + 1);
		if (strcmp(name, "ORGANIZER") == 0 && g_str_has_prefix(value, "mailto:")) {
			g_autofree char *cn = semi ? g_strdup(strstr(semi, "CN=")) : NULL;
			g_autofree char *who = cn ? g_strndup(cn + 3, strcspn(cn + 3, ";:")) : NULL;
			g_string_append_printf(out, "%s: %s%s%s%s\n", shown[i].label, who ? who : "",
					       who ? " <" : "", value + 7, who ? ">" : "");
		} else {
			g_string_append_printf(out, "%s: %s\n", shown[i].label, value);
		}
	}
}

char *
mime_calendar_summary(const char *ics)
{
	g_auto(GStrv) lines = unfolded_lines(ics);
	GString *out = g_string_new(NULL);
	gboolean in_event = FALSE, cancelled = FALSE;
	for (char **l = lines; *l; l++) {
		if (g_ascii_strcasecmp(*l, "METHOD:CANCEL") == 0)
			cancelled = TRUE;
		if (g_ascii_strcasecmp(*l, "BEGIN:VEVENT") == 0) {
			in_event = TRUE;
			g_string_append(out, cancelled ? "[予定の取り消し / Cancelled event]\n"
						       : "[予定 / Calendar event]\n");
		} else if (g_ascii_strcasecmp(*l, "END:VEVENT") == 0) {
			in_event = FALSE;
		} else if (in_event) {
			show_property(out, *l);
		}
	}
	return g_string_free(out, FALSE);
}
