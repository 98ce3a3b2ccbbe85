/*
 * NAME
 *	quarantine-release.c - cdr-quarantine release: a stored message
 *	delivered disarmed
 * SUMMARY
 *	The administrator's own release: requested and approved at once,
 *	then delivered by the release core (release.h), which refuses what
 *	may not be released and delivers exactly once.
 */
#include "quarantine-release.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "quarantine-output.h"
#include "release.h"

/* {"release":N,"id":ID,"state":"delivered","delivered":WHAT,"malware":[...]} */
static void
print_json(gint64 number, const char *id, const struct release_outcome *out)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "release");
	json_builder_add_int_value(b, number);
	json_builder_set_member_name(b, "id");
	json_builder_add_string_value(b, id);
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, "delivered");
	json_builder_set_member_name(b, "delivered");
	json_builder_add_string_value(b, out->what);
	json_builder_set_member_name(b, "malware");
	json_builder_begin_array(b);
	for (guint i = 0; out->malware && out->malware->pdata[i]; i++)
		json_builder_add_string_value(b, out->malware->pdata[i]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "not_delivered");
	json_builder_begin_array(b);
	for (guint i = 0; out->not_reached && out->not_reached->pdata[i]; i++)
		json_builder_add_string_value(b, out->not_reached->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	g_autoptr(JsonNode) node = json_builder_get_root(b);
	qout_json_line(node);
}

int
release_message(struct mg_store *store, const struct cdr_policy *p,
		const struct release_request *rq)
{
	g_autoptr(GError) error = NULL;
	/* a release another run left "sending" when it stopped: taken up
	 * first, so that it blocks nothing for ever */
	g_autoptr(GPtrArray) recovered = release_recover(store, rq->by, &error);
	if (!recovered) {
		g_printerr("cdr-quarantine: %s\n", error->message);
		return 1;
	}
	for (guint i = 0; i < recovered->len; i++)
		g_printerr("cdr-quarantine: %s%s\n", (const char *)recovered->pdata[i],
			   strstr(recovered->pdata[i], "approved again")
				   ? " (cdr-quarantine release of it to the same recipients, "
				     "this run or a later one, delivers it)"
				   : "");
	gint64 number = release_request_force(store, p, rq->id, rq->to, rq->by, rq->origin, TRUE,
					      rq->force, &error);
	struct release_outcome out = { 0 };
	if (!number ||
	    !release_deliver_outcome(store, p, rq->id, number, rq->passwords, rq->force, &out,
				     &error)) {
		g_printerr("cdr-quarantine: %s\n", error->message);
		return 1;
	}
	/* the relay took it for some recipients and refused others: said,
	 * and exit 1 (a release with --to reaches them later) */
	int status = out.not_reached ? 1 : 0;
	if (out.not_reached) {
		g_autofree char *refused = g_strjoinv(", ", (char **)out.not_reached->pdata);
		g_printerr("cdr-quarantine: release %" G_GINT64_FORMAT " of %s was not delivered to "
			   "%s (the relay refused; see below): release again with --to once the "
			   "cause is fixed\n",
			   number, rq->id, refused);
	}
	if (rq->json) {
		print_json(number, rq->id, &out);
		release_outcome_clear(&out);
		return status;
	}
	g_autoptr(GPtrArray) reached = g_ptr_array_new();
	g_autoptr(store_release) r = NULL;
	g_autoptr(GPtrArray) all = store_releases(store, rq->id, -1, NULL);
	for (guint i = 0; all && i < all->len && !r; i++)
		if (((struct store_release *)all->pdata[i])->number == number)
			r = g_ptr_array_steal_index(all, i);
	for (guint i = 0; r && i < r->recipients->len; i++)
		g_ptr_array_add(reached, r->recipients->pdata[i]);
	g_ptr_array_add(reached, NULL);
	g_autofree char *list = r ? g_strjoinv(", ", (char **)reached->pdata) : g_strdup("?");
	g_print("release %" G_GINT64_FORMAT ": %s delivered to %s: %s\n", number, rq->id, list,
		out.what);
	release_outcome_clear(&out);
	return status;
}
