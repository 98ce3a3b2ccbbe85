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

/*
 * Data files a library opens by name while it works (poppler's Japanese
 * CMaps and CID-to-Unicode tables, which it reads when a PDF's font
 * names them): every regular file directly in each of `dirs` (absolute
 * paths under `root`, which ends in '/') is mapped now, before the
 * sandbox (read-only: its pages come in only when used). Inside the
 * sandbox an open of exactly one of these paths, read-only, gets a fresh
 * memfd holding a copy of its bytes; any other path under `root` gets
 * ENOENT (the library carries on without it); every other open still
 * kills the worker. A folder that does not exist is left out (the
 * library does without its files). x86-64 only (the SIGSYS handler reads its registers):
 * elsewhere the files are not read and every open kills as before.
 */
gboolean cdr_sandbox_preload(const char *root, const char *const *dirs, GError **error);
