/*
 * NAME
 *	quarantine-output.h - how cdr-quarantine prints stored messages
 * SUMMARY
 *	For people: one table row per message, and a page per message
 *	(show). For scripts (--json): one JSON object per line with the same
 *	facts. Every text that came in a message is printed with its control
 *	characters as spaces, so that nothing in a mail can drive the
 *	administrator's terminal or break a row in two.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "store.h"

/* The table's first line, and one row per message:
 * ID, arrival (local time), action, size, flags, sender, subject. */
void qout_table_header(void);
void qout_table_row(const struct store_message *m);

/* A message as one JSON object (the index's facts; with its record
 * parsed when `record` and the message has one). */
JsonNode *qout_message_json(const struct store_message *m, gboolean record);

/* `node` on one line of standard output. */
void qout_json_line(JsonNode *node);

/* One message for people: the facts, attachments, releases, events. */
void qout_show(const struct store_message *m, GPtrArray *releases, GPtrArray *events);

/* The same for scripts: {"message": ..., "record": ..., "releases": [...],
 * "events": [...]}, indented. */
void qout_show_json(const struct store_message *m, GPtrArray *releases, GPtrArray *events);

/* "2026-12-06 12:34:56" in local time. */
char *qout_local_time(gint64 t);
