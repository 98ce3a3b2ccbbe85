/*
 * NAME
 *	sandbox.h - confine a cdr-worker before it touches hostile bytes
 */
#pragma once

#include <glib.h>

#include "policy.h"

/*
 * Apply resource limits (address space, file size, open files, core
 * dumps, CPU) and a seccomp allow-list: memory management, reading and
 * writing already-open descriptors, memfds, fd passing on the socket,
 * exiting. Any other system call (open, socket, execve, clone, ...)
 * kills the process with SIGSYS. Irreversible.
 */
gboolean cdr_sandbox_apply(const struct cdr_policy *policy, GError **error);

/* Whether address-space limits can be used (not under AddressSanitizer,
 * whose shadow memory needs terabytes of address space). */
gboolean cdr_sandbox_limits_address_space(void);
