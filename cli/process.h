/*
 * NAME
 *	process.h - one input file through the pool and into the output tree
 */
#pragma once

#include "av.h"
#include "outtree.h"
#include "pool.h"
#include "summary.h"
#include "walk.h"

struct process_ctx {
	const struct cdr_policy *policy;
	struct cdr_pool *pool;
	struct outtree *out;
	struct summary *summary;
	const struct cdr_run_params *params; /* passwords for archives */
	const struct av_scanner *av;         /* [av]: NULL when not scanning */
};

/* One object in a sealed memfd: the virus scan ([av]), then the pool.
 * *out_fd as for cdr_pool_run_with(). */
struct cdr_report *process_object(const struct process_ctx *ctx, int in_fd, const char *name,
				  int *out_fd);

/* Sanitize one entry, write its output, add its record. Thread-safe. */
void process_entry(struct process_ctx *ctx, const struct walk_entry *e);

/* Copy up to max+1 bytes from fd (file or pipe) into a sealed memfd.
 * *too_big is set when there was more than max. -1 on error. */
int memfd_from_stream(int fd, guint64 max, gboolean *too_big);

/* A report that blocks `name` without running the engine. */
struct cdr_report *process_blocked(const char *name, enum cdr_error code, const char *reason);
