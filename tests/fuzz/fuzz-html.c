/*
 * NAME
 *	fuzz-html - libFuzzer target: HTML to text (mail bodies are hostile)
 */
#include "fuzz-common.h"
#include "html-text.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *error = NULL;
	char *text = html_to_text((const char *)data, size, 256, NULL, &error);
	g_assert((text == NULL) == (error != NULL));
	g_assert(!text || g_utf8_validate(text, -1, NULL));
	g_free(text);
	g_clear_error(&error);
	return 0;
}
