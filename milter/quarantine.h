/*
 * NAME
 *	quarantine.h - the milter's handle on the quarantine store
 * SUMMARY
 *	The store (store.h) in [milter] quarantine_dir, opened on first use
 *	and shared by every message. A store that cannot be opened is not
 *	remembered: the next message tries again, so a directory fixed while
 *	the milter runs is used from the next message on. A reload that
 *	names another directory opens that one; the old store is closed when
 *	the last message using it is done.
 */
#pragma once

#include "store.h"

/* The store in `dir`, referenced; NULL with `error` when it cannot be
 * opened (the message is tempfailed). Give it back with
 * quarantine_release(). */
struct mg_store *quarantine_acquire(const char *dir, GError **error);
void quarantine_release(struct mg_store *store);
