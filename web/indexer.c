/*
 * NAME
 *	indexer.c - keeping the search index caught up behind the milter
 * SUMMARY
 *	A GThreadPool of one thread runs store_index_catch_up(); a timer
 *	queues a run when none is queued or running, so a slow run (the
 *	first one on a large store: about 3 s per 100,000 messages) never
 *	piles up more.
 */
#include "indexer.h"

#define INDEX_SECONDS 5

struct web_indexer {
	struct mg_store *store;
	GThreadPool *pool;
	guint timer;
	gint busy;       /* atomic: a run queued or running */
	gboolean failing; /* the last run failed: said once, not every 5 s */
};

static void
run(gpointer data, gpointer user_data)
{
	struct web_indexer *x = user_data;
	g_autoptr(GError) error = NULL;
	guint64 added = 0;
	gint64 started = g_get_monotonic_time();
	gboolean ok = store_index_catch_up(x->store, &added, &error);
	if (!ok && !x->failing)
		g_printerr("cdr-web: search index not brought up to date (searches stay right, "
			   "and slower): %s\n",
			   error->message);
	else if (ok && x->failing)
		g_printerr("cdr-web: search index up to date again\n");
	x->failing = !ok;
	if (ok && added >= 10000)
		g_printerr("cdr-web: search index: %" G_GUINT64_FORMAT " messages added in %" G_GINT64_FORMAT
			   " ms\n",
			   added, (g_get_monotonic_time() - started) / 1000);
	g_atomic_int_set(&x->busy, 0);
	(void)data;
}

static gboolean
tick(gpointer data)
{
	struct web_indexer *x = data;
	if (g_atomic_int_compare_and_exchange(&x->busy, 0, 1))
		g_thread_pool_push(x->pool, x, NULL);
	return G_SOURCE_CONTINUE;
}

struct web_indexer *
web_indexer_start(struct mg_store *store)
{
	struct web_indexer *x = g_new0(struct web_indexer, 1);
	x->store = store;
	x->pool = g_thread_pool_new(run, x, 1, TRUE, NULL);
	x->timer = g_timeout_add_seconds(INDEX_SECONDS, tick, x);
	tick(x);
	return x;
}

void
web_indexer_stop(struct web_indexer *x)
{
	if (!x)
		return;
	g_source_remove(x->timer);
	g_thread_pool_free(x->pool, FALSE, TRUE);
	g_free(x);
}
