/*
 * NAME
 *	fuzz-svg - libFuzzer target: the svg handler through the whole engine
 */
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_engine_run(data, size, "fuzz.svg");
	return 0;
}
