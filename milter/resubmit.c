/*
 * NAME
 *	resubmit.c - rebuild a quarantined original and hand it to Postfix
 * SUMMARY
 *	The original comes from the store as a sealed memfd (its SHA-256
 *	checked there), goes to a worker with the caller's run params, and
 *	the worker's output is submitted as it is (submit.h).
 */
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "resubmit.h"
#include "wire.h"

struct cdr_report *
resubmit_build(struct cdr_pool *pool, struct mg_store *store, const char *id,
	       const struct cdr_run_params *params, int *out_fd, GError **error)
{
	*out_fd = -1;
	int fd = store_get_original(store, id, error);
	if (fd < 0)
		return NULL;
	struct cdr_report *r = cdr_pool_run_with(pool, fd, "message.eml", params, out_fd);
	close(fd);
	return r;
}

void
resubmit_send(const struct cdr_policy *p, const char *const *recipients, int fd,
	      struct submit_result *result)
{
	memset(result, 0, sizeof(*result));
	g_autoptr(GError) error = NULL;
	g_autoptr(submit_relay) relay = submit_relay_parse(p->release_relay, &error);
	gsize len = 0;
	guint8 *data = relay ? cdr_map_fd(fd, &len) : NULL;
	if (!data) {
		result->status = SUBMIT_TEMPFAIL;
		result->reply = g_strdup(error ? error->message : "cannot read the rebuilt message");
		result->recipients = g_ptr_array_new();
		return;
	}
	guint ms = (guint)MIN(p->release_timeout, 3600) * 1000;
	struct submit_options opt = {
		.sender = p->release_sender,
		.connect_ms = ms,
		.io_ms = ms,
	};
	submit_message(relay, &opt, recipients, data, len, result);
	cdr_unmap(data, len);
}

enum milter_role
resubmit_record_role(const struct store_message *m, enum milter_role fallback)
{
	static const enum milter_role roles[] = { ROLE_BEFORE_QUEUE, ROLE_SCREEN,
						  ROLE_AFTER_QUEUE };
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	if (!m->record || !json_parser_load_from_data(parser, m->record, -1, NULL))
		return fallback;
	JsonNode *root = json_parser_get_root(parser);
	JsonObject *o = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
	const char *stage = o ? json_object_get_string_member_with_default(o, "stage", NULL) : NULL;
	for (guint i = 0; stage && i < G_N_ELEMENTS(roles); i++)
		if (strcmp(stage, envelope_role_name(roles[i])) == 0)
			return roles[i];
	return fallback;
}

char *
resubmit_message_id(int fd)
{
	gsize len = 0;
	guint8 *data = cdr_map_fd(fd, &len);
	if (!data)
		return NULL;
	char *found = NULL;
	const char *p = (const char *)data, *end = p + len;
	while (p < end && !found) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = eol ? eol : end;
		gsize n = (gsize)(line_end - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (!n)
			break; /* the end of the header */
		if (n > 11 && g_ascii_strncasecmp(p, "Message-ID:", 11) == 0) {
			g_autofree char *value = g_strndup(p + 11, n - 11);
			g_strstrip(value);
			if (*value && !strchr(value, ' '))
				found = g_steal_pointer(&value);
		}
		p = eol ? eol + 1 : end;
	}
	cdr_unmap(data, len);
	return found;
}
