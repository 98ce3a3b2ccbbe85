/*
 * NAME
 *	engine-private.h - engine and job internals shared by engine.c and job.c
 */
#pragma once

#include <magic.h>

#include "cdr.h"
#include "charset.h"

struct cdr_engine {
	const struct cdr_policy *policy;
	magic_t magic;
	GPtrArray *handlers;    /* const struct cdr_handler*, bidding order */
	GHashTable *known_exts; /* every handler's extensions */
	struct cdr_charsets *charsets;
	gboolean input_mapped;  /* top-level inputs are read-only file mappings */
	cdr_scan_fn scanner;    /* the front end's virus scanner, NULL: none */
	gpointer scanner_data;
};

struct cdr_job {
	struct cdr_engine *engine;
	const struct cdr_run_params *params; /* never NULL */
	struct cdr_report *report; /* the object being sanitized now */
	struct cdr_report *last_child;
	const guint8 *top_data;    /* the top-level object's bytes */
	guint64 top_len;           /* size of the top-level object */
	guint64 expanded;          /* bytes charged, whole top-level object */
	guint64 children;          /* objects below the top-level one */
	gint64 deadline;           /* monotonic microseconds */
	unsigned depth;
	gboolean budget_spent;     /* a whole-object budget ran out */
	char *scan_failure;        /* the virus scan was unavailable: why (the object fails) */
	char *passwords;           /* the run's passwords and those handlers added */
	char *opened_passwords;    /* those that opened an archive, one per line */
	guint64 password_tries;    /* against [ppap] max_tries */
};

/* After the top-level object: a failed virus scan fails it, and an object
 * found infected (run params) with no infected part is blocked whole.
 * Frees what the job holds. */
void cdr_job_finish(struct cdr_job *job, GByteArray **out);

/* Sanitize one object into `report` (detect, check, dispatch). */
enum cdr_verdict cdr_engine_run_object(struct cdr_job *job, const guint8 *data, gsize len,
				       const char *name, GByteArray **out);

/* The handler an object goes to, as cdr_engine_run_object() picks it
 * (self-typed signature first, then libmagic's type in `in`); NULL when
 * none bids. in->magic_type is filled in when it was needed. */
const struct cdr_handler *cdr_engine_pick(struct cdr_engine *e, struct cdr_input *in);
