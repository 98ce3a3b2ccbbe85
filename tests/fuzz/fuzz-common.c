/*
 * NAME
 *	fuzz-common.c - one engine per fuzzing process, built on first use
 */
#include "fuzz-common.h"

#include "cdr.h"

void
fuzz_engine_run(const uint8_t *data, size_t size, const char *name)
{
	static struct cdr_policy *policy;
	static struct cdr_engine *engine;
	if (!engine) {
		policy = cdr_policy_new_default();
		engine = cdr_engine_new(policy, NULL, NULL);
		g_assert(engine);
	}
	GByteArray *out = NULL;
	struct cdr_report *r = cdr_engine_run(engine, data, size, name, &out);
	g_assert((r->verdict == CDR_BLOCKED) == (out == NULL));
	if (out)
		g_byte_array_unref(out);
	cdr_report_free(r);
}
