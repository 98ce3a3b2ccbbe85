/*
 * NAME
 *	fuzz-csv - libFuzzer target: the csv handler through the whole engine
 */
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_engine_run(data, size, "fuzz.csv");
	return 0;
}
