/*
 * NAME
 *	fuzz-policy - libFuzzer target: mugaika.conf parsing
 */
#include "fuzz-common.h"
#include "policy.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *error = NULL;
	struct cdr_policy *p = cdr_policy_load_data((const char *)data, size, "fuzz", &error);
	g_assert((p == NULL) == (error != NULL));
	g_clear_error(&error);
	cdr_policy_free(p);
	return 0;
}
