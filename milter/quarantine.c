/*
 * NAME
 *	quarantine.c - the milter's handle on the quarantine store
 * SUMMARY
 *	See quarantine.h. One store per directory in use, reference
 *	counted; opening happens under the lock, so two messages never open
 *	the same store twice.
 */
#include "quarantine.h"

#include <string.h>

struct holder {
	char *dir;
	struct mg_store *store;
	guint refs;
};

static GMutex lock;
static struct holder *current;
static GPtrArray *retired; /* struct holder*: replaced, still in use */

static void
holder_free(struct holder *h)
{
	store_close(h->store);
	g_free(h->dir);
	g_free(h);
}

struct mg_store *
quarantine_acquire(const char *dir, GError **error)
{
	g_mutex_lock(&lock);
	if (!current || strcmp(current->dir, dir) != 0) {
		struct mg_store *store = store_open(dir, STORE_CREATE, error);
		if (!store) {
			g_mutex_unlock(&lock);
			return NULL;
		}
		if (current && current->refs) {
			if (!retired)
				retired = g_ptr_array_new();
			g_ptr_array_add(retired, current);
		} else if (current) {
			holder_free(current);
		}
		current = g_new0(struct holder, 1);
		current->dir = g_strdup(dir);
		current->store = store;
	}
	current->refs++;
	struct mg_store *store = current->store;
	g_mutex_unlock(&lock);
	return store;
}

void
quarantine_release(struct mg_store *store)
{
	if (!store)
		return;
	g_mutex_lock(&lock);
	if (current && current->store == store) {
		current->refs--;
	} else {
		for (guint i = 0; retired && i < retired->len; i++) {
			struct holder *h = retired->pdata[i];
			if (h->store == store && --h->refs == 0) {
				g_ptr_array_remove_index_fast(retired, i);
				holder_free(h);
				break;
			}
		}
	}
	g_mutex_unlock(&lock);
}
