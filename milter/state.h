/*
 * NAME
 *	state.h - the policy and worker pool in force, swapped on reload
 * SUMMARY
 *	A message takes a reference to the state when it starts being
 *	processed and keeps it to the end, so a SIGHUP reload never changes
 *	the rules (or the pool) under a message in flight; the old pool is
 *	freed when its last message is done.
 */
#pragma once

#include "av.h"
#include "cdr.h"
#include "pool.h"

struct milter_state {
	gint refs;
	struct cdr_policy *policy;
	struct cdr_pool *pool;
	struct av_scanner *av; /* [av]: NULL when not scanning */
	GBytes *web_key;       /* [web] secret_file when base_url is set: signs notice links */
};

/* Load `config` (NULL: the default path), check it, and make it current.
 * On error the current state is kept. */
gboolean state_load(const char *config, GError **error);

/* Load and check only (cdr-milter -n). */
struct cdr_policy *state_check_config(const char *config, GError **error);

/* The current state, referenced; release with state_unref(). */
struct milter_state *state_get(void);
void state_unref(struct milter_state *state);

