/*
 * NAME
 *	fuzz-html - libFuzzer target: HTML to text (mail bodies are hostile)
 */
#include "fuzz-common.h"
#include "html-text.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cdr_failure fail = { 0 };
	char *text = html_to_text((const char *)data, size, 256, NULL, &fail);
	g_assert((text == NULL) == (fail.kind != CDR_E_NONE && fail.why != NULL));
	g_assert(!text || g_utf8_validate(text, -1, NULL));
	g_free(text);
	return 0;
}
