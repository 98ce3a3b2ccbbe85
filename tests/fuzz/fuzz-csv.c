/*
 * NAME
 *	fuzz-csv - libFuzzer target: the csv handler through the whole engine
 * SUMMARY
 *	Besides not crashing: what comes out, read again, is clean and the
 *	same bytes (no reading of the output finds a formula the first pass
 *	left), and a file that is not blocked keeps its length or grows only
 *	by what neutralizing adds.
 */
#include <string.h>

#include "cdr.h"
#include "fuzz-common.h"

static void
check_round_trip(struct cdr_engine *engine, const uint8_t *data, size_t size, const char *name)
{
	GByteArray *out = NULL;
	struct cdr_report *r = cdr_engine_run(engine, data, size, name, &out);
	g_assert((r->verdict == CDR_BLOCKED) == (out == NULL));
	if (out && g_strcmp0(r->handler, "csv") == 0) {
		g_assert(out->len >= size);
		g_assert(r->verdict == CDR_SANITIZED || out->len == size);
		GByteArray *again = NULL;
		struct cdr_report *r2 = cdr_engine_run(engine, out->data, out->len, name, &again);
		g_assert(r2->verdict == CDR_CLEAN);
		g_assert(again && again->len == out->len &&
			 memcmp(again->data, out->data, out->len) == 0);
		g_byte_array_unref(again);
		cdr_report_free(r2);
	}
	if (out)
		g_byte_array_unref(out);
	cdr_report_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cdr_policy *policy;
	static struct cdr_engine *engine;
	if (!engine) {
		policy = cdr_policy_new_default();
		engine = cdr_engine_new(policy, NULL, NULL);
		g_assert(engine);
	}
	check_round_trip(engine, data, size, "fuzz.csv");
	check_round_trip(engine, data, size, "fuzz.tsv");
	return 0;
}
