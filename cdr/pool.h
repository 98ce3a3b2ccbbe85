/*
 * NAME
 *	pool.h - a pool of sandboxed cdr-worker processes
 * SUMMARY
 *	The only way front ends reach the engine. Thread-safe: any number of
 *	threads may call cdr_pool_run(); each waits for a free worker.
 *	A worker that crashes, times out, exceeds a limit or breaks the
 *	sandbox costs that job a BLOCKED verdict with the reason; the pool
 *	starts a new worker and carries on.
 */
#pragma once

#include "cdr.h"

struct cdr_pool;

/* `worker_path` NULL: cdr_pool_find_worker(). Workers start on demand. */
struct cdr_pool *cdr_pool_new(const struct cdr_policy *policy, const char *worker_path,
			      unsigned workers, GError **error);
void cdr_pool_free(struct cdr_pool *pool);

/* cdr_pool_free() for a process about to exit: the workers are killed
 * but not waited for (init reaps them), so the caller does not wait for
 * the kernel to tear down a worker's ~90 mapped libraries (~3 ms of a
 * one-shot `cdr-file -c`). Long-running callers use cdr_pool_free(). */
void cdr_pool_free_at_exit(struct cdr_pool *pool);

/*
 * Start the first worker now instead of at the first job, so that its
 * start-up (exec, libraries, engine, sandbox) overlaps what the caller
 * still does before that job (cdr-file -c: reading and hashing standard
 * input). A worker that fails to start is left for the job to report.
 */
void cdr_pool_prestart(struct cdr_pool *pool);

/*
 * Sanitize the bytes of `in_fd` (a sealed memfd; see cdr_memfd_from_bytes)
 * under `name`. Returns the report (never NULL, caller frees). *out_fd is
 * a sealed memfd with the rebuilt bytes when the verdict is CLEAN or
 * SANITIZED, -1 otherwise. Does not close in_fd.
 */
struct cdr_report *cdr_pool_run(struct cdr_pool *pool, int in_fd, const char *name, int *out_fd);

/* The same with per-run settings (cdr.h); `params` may be NULL. */
struct cdr_report *cdr_pool_run_with(struct cdr_pool *pool, int in_fd, const char *name,
				     const struct cdr_run_params *params, int *out_fd);

/*
 * The front end's virus scanner, for bytes a worker hands back in the
 * middle of a job (cdr.h, cdr_job_scan_revealed()). Called in the thread
 * that runs the job, while the worker waits: `fd` is a sealed memfd (do
 * not close it), `name` the object's name for logs; *detail (g_malloc'd)
 * the signature name or why not. Without a scanner every such request is
 * answered CDR_SCAN_FAILED. Set it before the first job.
 */
typedef enum cdr_scan_result (*cdr_pool_scan_fn)(int fd, const char *name, char **detail,
						 gpointer data);
void cdr_pool_set_scanner(struct cdr_pool *pool, cdr_pool_scan_fn scan, gpointer data);

/* Workers started so far (tests: crashed workers are replaced). */
unsigned cdr_pool_spawn_count(struct cdr_pool *pool);

/* $MUGAIKA_WORKER, the build tree's cdr/cdr-worker next to a program run
 * from the build tree, or the installed one. Caller frees. */
char *cdr_pool_find_worker(void);
