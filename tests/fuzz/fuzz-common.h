/*
 * NAME
 *	fuzz-common.h - shared setup for the libFuzzer targets
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Run bytes through the whole engine (default policy) as file `name`. */
void fuzz_engine_run(const uint8_t *data, size_t size, const char *name);
