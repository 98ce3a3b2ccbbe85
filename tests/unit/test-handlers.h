/*
 * NAME
 *	test-handlers.h - misbehaving and container handlers, for tests only
 * SUMMARY
 *	Each bids on a magic prefix no real file has ("MUGAIKA-TEST-CRASH"...)
 *	and then does what a compromised or buggy parser would: crash, spin,
 *	sleep, eat memory, open a file, open a socket, exec. "BOX" is a toy
 *	container for nesting and limit tests. Never linked into products.
 */
#pragma once

#include "cdr.h"

#define TEST_PREFIX "MUGAIKA-TEST-"

extern const struct cdr_handler *const test_handlers[];
