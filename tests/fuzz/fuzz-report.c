/*
 * NAME
 *	fuzz-report - libFuzzer target: report JSON as sent by a worker
 * SUMMARY
 *	The front end parses what a (possibly compromised) worker sends back.
 */
#include "fuzz-common.h"
#include "report.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cdr_report *r = cdr_report_from_json_string((const char *)data, size, NULL);
	if (r) {
		g_autofree char *again = cdr_report_to_json_string(r);
		g_autofree char *summary = cdr_report_action_summary(r);
		g_assert(again && summary);
	}
	cdr_report_free(r);
	return 0;
}
