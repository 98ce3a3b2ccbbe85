/*
 * NAME
 *	cdr-worker - sandboxed sanitizing process (started by the pool)
 */
#include "worker.h"

int
main(int argc, char **argv)
{
	cdr_worker_main(argc, argv, NULL);
}
