/*
 * NAME
 *	test-worker - cdr-worker plus the misbehaving test handlers
 */
#include "test-handlers.h"
#include "worker.h"

int
main(int argc, char **argv)
{
	cdr_worker_main(argc, argv, test_handlers);
}
