/*
 * NAME
 *	worker.h - the main loop of a sandboxed cdr-worker process
 */
#pragma once

#include "cdr.h"

/* File descriptors the pool hands a new worker. */
#define CDR_WORKER_SOCKET_FD 3
#define CDR_WORKER_POLICY_FD 4

/*
 * Load the policy from CDR_WORKER_POLICY_FD, start the engine, apply the
 * sandbox, then answer requests on CDR_WORKER_SOCKET_FD until EOF.
 * `extra` handlers are for test workers only. Does not return.
 */
G_GNUC_NORETURN void cdr_worker_main(int argc, char **argv,
				     const struct cdr_handler *const *extra);
