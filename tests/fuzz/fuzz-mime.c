/*
 * NAME
 *	fuzz-mime - libFuzzer target: the mail handler through the engine
 */
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_engine_run(data, size, "fuzz.eml");
	return 0;
}
