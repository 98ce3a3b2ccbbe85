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

#include "release.h"

int
release_message(struct mg_store *store, const struct cdr_policy *p,
		const struct release_request *rq)
{
	g_autoptr(GError) error = NULL;
	gint64 number = release_request(store, p, rq->id, rq->to, rq->by, rq->origin, TRUE, &error);
	g_autofree char *what = NULL;
	if (!number || !release_deliver(store, p, rq->id, number, rq->passwords, &what, &error)) {
		g_printerr("cdr-quarantine: %s\n", error->message);
		return 1;
	}
	if (rq->json) {
		g_print("{\"release\":%" G_GINT64_FORMAT ",\"id\":\"%s\",\"state\":\"delivered\"}\n",
			number, rq->id);
		return 0;
	}
	g_autoptr(store_message) m = store_get(store, rq->id, NULL);
	g_autoptr(GPtrArray) to = m ? release_recipients(m, p, rq->to, NULL) : NULL;
	g_autofree char *list = to ? g_strjoinv(", ", (char **)to->pdata) : g_strdup("?");
	g_print("release %" G_GINT64_FORMAT ": %s delivered to %s: %s\n", number, rq->id, list,
		what);
	return 0;
}
