/*
 * NAME
 *	indexer.h - keeping the search index caught up behind the milter
 * SUMMARY
 *	Every INDEX_SECONDS (and at start) a thread of its own adds the
 *	messages written since to the store's search index
 *	(store_index_catch_up()): the milter writes no index, and searches
 *	stay quick for the messages indexed.
 */
#ifndef WEB_INDEXER_H
#define WEB_INDEXER_H

#include "store.h"

struct web_indexer;

struct web_indexer *web_indexer_start(struct mg_store *store);
/* Waits for a catch-up in progress to end. */
void web_indexer_stop(struct web_indexer *indexer);

#endif
