/*
 * NAME
 *	cdr-worker - sandboxed sanitizing process (started by the pool)
 * DESCRIPTION
 *	Unlike the front ends, the worker does not take the user's locale
 *	(no setlocale(LC_ALL, "")): what it writes must not depend on who
 *	started it (decimal commas in notices, transliteration, messages in
 *	reports), and a locale loaded lazily after the sandbox is applied
 *	would mean files opened under seccomp. It stays in "C"; the archive
 *	handler sets LC_CTYPE to the built-in C.UTF-8 before the sandbox.
 */
#include "worker.h"

int
main(int argc, char **argv)
{
	cdr_worker_main(argc, argv, NULL);
}
