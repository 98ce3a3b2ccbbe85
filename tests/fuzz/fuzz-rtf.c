/*
 * NAME
 *	fuzz-rtf - libFuzzer target: the rtf handler through the whole engine
 */
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_engine_run(data, size, "fuzz.rtf");
	return 0;
}
