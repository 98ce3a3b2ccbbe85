/*
 * NAME
 *	fuzz-ole2 - libFuzzer target: the ole2 handler through the whole engine
 */
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_engine_run(data, size, "fuzz.doc");
	return 0;
}
