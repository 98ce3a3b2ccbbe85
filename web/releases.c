/*
 * NAME
 *	releases.c - approve, deny and deliver the console's releases
 * SUMMARY
 *	A GThreadPool of one thread runs the deliveries (a worker process
 *	and a submission each) and the sweep (at start, then each minute:
 *	release_recover(), then what is due); see releases.h.
 */
#include "releases.h"

#include <string.h>

#include "release.h"

#define SWEEP_SECONDS 60
#define RETRY_SECONDS 300 /* between tries of a release the relay deferred */

struct web_releaser {
	struct web_app *app;
	GThreadPool *pool;
	guint sweep;
};

struct delivery {
	char *id;
	gint64 number;
	char *passwords; /* NULL: none */
	gboolean sweep;  /* no delivery: look for approved releases left behind */
	gboolean at_start;
};

static void
delivery_free(struct delivery *d)
{
	if (d->passwords)
		explicit_bzero(d->passwords, strlen(d->passwords));
	g_free(d->passwords);
	g_free(d->id);
	g_free(d);
}

static void
deliver(struct web_app *app, const char *id, gint64 number, const char *passwords)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *what = NULL;
	if (release_deliver(app->store, app->policy, id, number, passwords, &what, &error))
		g_printerr("cdr-web: release %" G_GINT64_FORMAT " of %s delivered: %s\n", number, id,
			   what);
	else
		g_printerr("cdr-web: release %" G_GINT64_FORMAT " of %s: %s\n", number, id,
			   error->message);
}

/* A release of the console (origin "web ...") that should go out now:
 * approved more than a sweep ago and not delivered (a restart, an
 * approval by another process), or failed because the relay deferred it
 * (tried again every RETRY_SECONDS for a day; not one the relay may
 * have taken without answering: "uncertain", see release.c). Releases
 * that came with a password are not retried: the password is not kept. */
gboolean
web_release_due(const struct store_release *r, gint64 now, gboolean at_start)
{
	if (!r->origin || !g_str_has_prefix(r->origin, "web "))
		return FALSE;
	if (r->state == STORE_RELEASE_APPROVED) /* at start, this process has queued none */
		return at_start ||
		       (r->decided_at ? r->decided_at : r->requested_at) < now - SWEEP_SECONDS;
	return r->state == STORE_RELEASE_FAILED && r->reason &&
	       g_str_has_prefix(r->reason, "tempfail: ") && r->finished_at < now - RETRY_SECONDS &&
	       r->requested_at > now - 86400;
}

/* A message with a password-protected attachment: its release may have
 * come with a password, which is gone; not tried again without it. */
static gboolean
encrypted(struct web_app *app, const char *id)
{
	g_autoptr(store_message) m = store_get(app->store, id, NULL);
	return !m || m->encrypted;
}

static void
sweep(struct web_app *app, gboolean at_start)
{
	g_autoptr(GError) error = NULL;
	/* releases whose delivering process stopped (release.h): approved
	 * again ones are due below */
	g_autoptr(GPtrArray) recovered = release_recover(app->store, "cdr-web", &error);
	if (!recovered) {
		g_printerr("cdr-web: releases: %s\n", error->message);
		g_clear_error(&error);
	}
	for (guint i = 0; recovered && i < recovered->len; i++)
		g_printerr("cdr-web: %s\n", (const char *)recovered->pdata[i]);
	g_autoptr(GPtrArray) all = store_releases(app->store, NULL, -1, &error);
	if (!all) {
		g_printerr("cdr-web: releases: %s\n", error->message);
		return;
	}
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	for (guint i = 0; i < all->len; i++) {
		const struct store_release *r = all->pdata[i];
		if (web_release_due(r, now, at_start) && (r->state == STORE_RELEASE_APPROVED || !encrypted(app, r->id)))
			deliver(app, r->id, r->number, NULL);
	}
}

static void
run(gpointer data, gpointer user_data)
{
	struct delivery *d = data;
	struct web_app *app = user_data;
	if (d->sweep)
		sweep(app, d->at_start);
	else
		deliver(app, d->id, d->number, d->passwords);
	delivery_free(d);
}

static gboolean
sweep_tick(gpointer data)
{
	struct web_releaser *r = data;
	struct delivery *d = g_new0(struct delivery, 1);
	d->sweep = TRUE;
	g_thread_pool_push(r->pool, d, NULL);
	return G_SOURCE_CONTINUE;
}

struct web_releaser *
web_releaser_start(struct web_app *app)
{
	struct web_releaser *r = g_new0(struct web_releaser, 1);
	r->app = app;
	r->pool = g_thread_pool_new(run, app, 1, FALSE, NULL);
	r->sweep = g_timeout_add_seconds(SWEEP_SECONDS, sweep_tick, r);
	struct delivery *d = g_new0(struct delivery, 1); /* at start too */
	d->sweep = d->at_start = TRUE;
	g_thread_pool_push(r->pool, d, NULL);
	return r;
}

void
web_releaser_stop(struct web_releaser *r)
{
	if (!r)
		return;
	g_source_remove(r->sweep);
	g_thread_pool_free(r->pool, FALSE, TRUE); /* finish what was queued */
	g_free(r);
}

void
web_releaser_queue(struct web_releaser *r, const char *id, gint64 number, const char *passwords)
{
	struct delivery *d = g_new0(struct delivery, 1);
	d->id = g_strdup(id);
	d->number = number;
	d->passwords = g_strdup(passwords);
	g_thread_pool_push(r->pool, d, NULL);
}

gboolean
web_release_decide(struct web_app *app, gint64 number, gboolean approve, const char *by,
		   const char *origin, const char *reason, GError **error)
{
	g_autoptr(GPtrArray) requested =
		store_releases(app->store, NULL, STORE_RELEASE_REQUESTED, error);
	if (!requested)
		return FALSE;
	const struct store_release *found = NULL;
	for (guint i = 0; i < requested->len && !found; i++)
		if (((struct store_release *)requested->pdata[i])->number == number)
			found = requested->pdata[i];
	if (!found) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
			    "no release %" G_GINT64_FORMAT " waits for a decision", number);
		return FALSE;
	}
	if (!store_release_decide(app->store, number, approve, by, origin, reason, error))
		return FALSE;
	if (approve)
		web_releaser_queue(app->releaser, found->id, number, NULL);
	return TRUE;
}
