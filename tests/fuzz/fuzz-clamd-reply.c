/*
 * NAME
 *	fuzz-clamd-reply - libFuzzer target: clamd's answer to zINSTREAM
 * SUMMARY
 *	The answer comes from a socket: any bytes. Only "stream: OK" is
 *	clean; an infected verdict's signature is 1 to 256 printable ASCII
 *	characters without spaces, taken from the answer; every detail is
 *	printable ASCII of bounded length.
 */
#include <string.h>

#include <glib.h>

#include "clamd.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *detail = NULL;
	enum clamd_verdict v = clamd_parse_reply((const char *)data, size, &detail);
	g_assert(detail);
	gsize n = strlen(detail);
	g_assert(n <= CLAMD_MAX_SIGNATURE + 300);
	for (gsize i = 0; i < n; i++)
		g_assert(detail[i] >= 0x20 && detail[i] < 0x7f);
	if (v == CLAMD_CLEAN)
		g_assert(size == 11 && memcmp(data, "stream: OK", 11) == 0);
	if (v == CLAMD_INFECTED) {
		g_assert(n >= 1 && n <= CLAMD_MAX_SIGNATURE && !strchr(detail, ' '));
		g_assert(size > n && memmem(data, size, detail, n));
		g_assert(data[size - 1] == '\0');
	}
	g_free(detail);
	return 0;
}
