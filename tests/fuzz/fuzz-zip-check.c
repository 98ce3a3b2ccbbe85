/*
 * NAME
 *	fuzz-zip-check - libFuzzer target: the zip structure check on its own
 *	(every offset and length in a zip is attacker-chosen)
 */
#include "archive-parts.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *reason = NULL;
	enum zip_check c = zip_check_structure(data, size, &reason);
	if (c == ZIP_AMBIGUOUS && !reason)
		__builtin_trap(); /* an ambiguous zip always says why */
	return 0;
}
