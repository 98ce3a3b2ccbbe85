/*
 * NAME
 *	fuzz-archive - libFuzzer target: the archive handler (libarchive) through
 *	the whole engine, members and all
 */
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_engine_run(data, size, "fuzz.zip");
	return 0;
}
