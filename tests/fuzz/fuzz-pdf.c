/*
 * NAME
 *	fuzz-pdf - libFuzzer target: the pdf handler (libqpdf) through the whole engine
 */
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_engine_run(data, size, "fuzz.pdf");
	return 0;
}
