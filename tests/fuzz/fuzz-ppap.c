/*
 * NAME
 *	fuzz-ppap - libFuzzer target: a message through the PPAP paths of
 *	the mail handler
 * SUMMARY
 *	Each input is one message, run four ways with [mail] mode = sanitize,
 *	passwords_in_text and [ppap] mask_password on: converted as
 *	cdr-milter converts it (the text's passwords tried on its zips and
 *	masked, run params mask too); made into the follow-up of a text
 *	mode recipient (the listing) with two passwords; made into a
 *	release; and its password candidates (mail_build passwords). Every
 *	run obeys the engine's rule (output when not blocked), no subject,
 *	name or action place in the report of a run given passwords or masks
 *	holds one of them, and the
 *	candidates are at most MIME_MAX_TEXT_PASSWORDS lines of UTF-8
 *	without controls.
 */
#include <string.h>

#include "cdr.h"
#include "fuzz-common.h"
#include "mime.h"

static const char conf[] = "[mail]\nmode = sanitize\npasswords_in_text = true\n"
			   "[ppap]\nmask_password = true\nmax_tries = 4\n";
static const char given[] = "himitsu\nMitsu2024!";

static void
check_candidates(const GByteArray *out)
{
	g_autofree char *text = g_strndup(out->len ? (const char *)out->data : "", out->len);
	g_assert(strlen(text) == out->len && g_utf8_validate(text, -1, NULL));
	guint lines = 0;
	for (const char *c = text; *c; c++) {
		g_assert((guchar)*c >= 0x20 || *c == '\n');
		lines += *c == '\n';
	}
	g_assert(lines <= MIME_MAX_TEXT_PASSWORDS);
}

static void
assert_not_given(const char *s)
{
	g_assert(!s || (!strstr(s, "himitsu") && !strstr(s, "Mitsu2024!")));
}

/* The subjects, names and action places of a report. */
static void
check_subjects(const struct cdr_report *r)
{
	const char *texts[] = { r->subject, r->name, r->out_name };
	for (gsize i = 0; i < G_N_ELEMENTS(texts); i++)
		assert_not_given(texts[i]);
	for (guint i = 0; i < r->actions->len; i++)
		assert_not_given(((const struct cdr_action *)r->actions->pdata[i])->where);
	for (guint i = 0; i < r->children->len; i++)
		check_subjects(r->children->pdata[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cdr_engine *engine;
	if (!engine) {
		struct cdr_policy *p = cdr_policy_load_data(conf, strlen(conf), "fuzz", NULL);
		g_assert(p);
		engine = cdr_engine_new(p, NULL, NULL);
		g_assert(engine);
	}
	const struct cdr_run_params runs[] = {
		{ .handler = "mime", .mask = given },
		{ .handler = "mime", .mail_build = "followup", .mail_mode = "text",
		  .passwords = given, .quarantine_id = "20261206T000000-0123456789ab" },
		{ .handler = "mime", .mail_build = "release", .passwords = given },
		{ .handler = "mime", .mail_build = "passwords" },
	};
	for (gsize i = 0; i < G_N_ELEMENTS(runs); i++) {
		GByteArray *out = NULL;
		struct cdr_report *r =
			cdr_engine_run_with(engine, data, size, "fuzz.eml", &runs[i], &out);
		g_assert((r->verdict == CDR_BLOCKED) == (out == NULL));
		/* what a run is given is known to be a password: masked in the
		 * subjects and names the report records wherever it stands (one
		 * that is not given and not behind a label cannot be told from
		 * other words; Message-IDs are logged as they are) */
		if (runs[i].passwords || runs[i].mask)
			check_subjects(r);
		if (out && runs[i].mail_build && strcmp(runs[i].mail_build, "passwords") == 0)
			check_candidates(out);
		if (out)
			g_byte_array_unref(out);
		cdr_report_free(r);
	}
	return 0;
}
