/*
 * NAME
 *	fuzz-webp - libFuzzer target: the webp handler through the whole engine
 */
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_engine_run(data, size, "fuzz.webp");
	return 0;
}
