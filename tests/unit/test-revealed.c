/*
 * NAME
 *	test-revealed - handlers hand what the original's virus scan could
 *	not see to the scanner, in-process
 * SUMMARY
 *	With [av] clamd set, the engine (no worker: a scanner function of
 *	the test) must be asked about every zip member a password opened,
 *	every member of a RAR, LZH and zstd file, and an empty-password PDF
 *	once decrypted; never about what clamd reads itself (a plain zip, a
 *	tar.gz). An infected member is removed and named, a failed scan
 *	fails the archive, and [av] scan = original blocks such content
 *	instead. Without [av] nothing is asked.
 */
#include <string.h>

#include "cdr.h"
#include "test-util.h"

struct scans {
	GPtrArray *names; /* what was handed over, by name */
	const char *infected_name; /* a member by this name is "infected" */
	gboolean fail;
};

static enum cdr_scan_result
scan(const guint8 *data, gsize len, const char *name, char **detail, gpointer user_data)
{
	struct scans *s = user_data;
	g_ptr_array_add(s->names, g_strdup(name));
	if (s->fail) {
		*detail = g_strdup("clamd went away");
		return CDR_SCAN_FAILED;
	}
	if (s->infected_name && g_str_has_suffix(name, s->infected_name)) {
		*detail = g_strdup("Test.Member.Sig");
		return CDR_SCAN_INFECTED;
	}
	return CDR_SCAN_CLEAN;
}

static GBytes *
fixture(const char *path)
{
	g_autofree char *full = g_build_filename(SOURCE_ROOT, "fixtures", path, NULL);
	g_autoptr(GError) error = NULL;
	GMappedFile *f = g_mapped_file_new(full, FALSE, &error);
	g_assert_no_error(error);
	GBytes *b = g_mapped_file_get_bytes(f);
	g_mapped_file_unref(f);
	return b;
}

/* Run a fixture through an engine with `conf` and the test scanner. */
static struct cdr_report *
run(const char *conf, struct scans *s, const char *path, const char *name,
    const char *passwords, GByteArray **out)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_policy) p = cdr_policy_load_data(conf, strlen(conf), "test", &error);
	g_assert_no_error(error);
	struct cdr_engine *e = cdr_engine_new(p, NULL, &error);
	g_assert_no_error(error);
	cdr_engine_set_scanner(e, scan, s);
	g_autoptr(GBytes) b = fixture(path);
	const struct cdr_run_params params = { .passwords = passwords };
	GByteArray *o = NULL;
	struct cdr_report *r = cdr_engine_run_with(e, g_bytes_get_data(b, NULL),
						   g_bytes_get_size(b), name, &params, &o);
	if (out)
		*out = o;
	else if (o)
		g_byte_array_unref(o);
	cdr_engine_free(e);
	return r;
}

static const char av_conf[] = "[av]\nclamd = unix:/nowhere/clamd.ctl\n";
static const char original_conf[] = "[av]\nclamd = unix:/nowhere/clamd.ctl\nscan = original\n";

static void
scans_init(struct scans *s)
{
	*s = (struct scans){ .names = g_ptr_array_new_with_free_func(g_free) };
}

static void
scans_clear(struct scans *s)
{
	g_ptr_array_unref(s->names);
}

static gboolean
scanned(const struct scans *s, const char *name)
{
	for (guint i = 0; i < s->names->len; i++)
		if (g_str_has_suffix(s->names->pdata[i], name))
			return TRUE;
	return FALSE;
}

static void
test_decrypted_zip_members(void)
{
	struct scans s;
	scans_init(&s);
	g_autoptr(cdr_report) r =
		run(av_conf, &s, "archive/hostile/ppap-zipcrypto.zip", "見積書.zip", "himitsu", NULL);
	g_assert_cmpint(r->verdict, ==, CDR_SANITIZED);
	g_assert_cmpuint(s.names->len, ==, 2);
	g_assert_true(scanned(&s, "見積書.txt"));
	g_assert_true(scanned(&s, "見積明細.csv"));

	/* one member infected: removed and named, the other kept */
	scans_clear(&s);
	scans_init(&s);
	s.infected_name = "見積書.txt";
	g_autoptr(cdr_report) r2 =
		run(av_conf, &s, "archive/hostile/ppap-zipcrypto.zip", "見積書.zip", "himitsu", NULL);
	g_assert_cmpint(r2->verdict, ==, CDR_SANITIZED);
	const struct cdr_report *bad = cdr_report_find_malware(r2);
	g_assert_nonnull(bad);
	g_assert_cmpstr(bad->malware, ==, "Test.Member.Sig");
	g_assert_true(g_str_has_suffix(bad->name, "見積書.txt"));
	g_assert_true(report_has_action(r2, "member-removed"));

	/* the scanner away: the archive fails as a whole */
	scans_clear(&s);
	scans_init(&s);
	s.fail = TRUE;
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r3 =
		run(av_conf, &s, "archive/hostile/ppap-zipcrypto.zip", "見積書.zip", "himitsu", &out);
	g_assert_cmpint(r3->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(r3->error, ==, CDR_E_SCAN);
	g_assert_cmpstr(r3->reason, ==, "virus scan unavailable: clamd went away");
	g_assert_null(out);
	g_assert_cmpuint(s.names->len, ==, 1); /* no second try */

	/* scan = original: decrypted members are not used */
	scans_clear(&s);
	scans_init(&s);
	g_autoptr(cdr_report) r4 = run(original_conf, &s, "archive/hostile/ppap-zipcrypto.zip",
				       "見積書.zip", "himitsu", NULL);
	g_assert_cmpint(r4->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(r4->error, ==, CDR_E_ENCRYPTED);
	g_assert_cmpuint(s.names->len, ==, 0);

	/* no [av]: nothing is asked */
	g_autoptr(cdr_report) r5 =
		run("", &s, "archive/hostile/ppap-zipcrypto.zip", "見積書.zip", "himitsu", NULL);
	g_assert_cmpint(r5->verdict, ==, CDR_SANITIZED);
	g_assert_cmpuint(s.names->len, ==, 0);
	scans_clear(&s);
}

/* clamd on Debian unpacks neither RAR (non-free unrar), LZH nor zstd. */
static void
test_members_clamd_does_not_read(void)
{
	static const struct {
		const char *path, *member;
	} unread[] = {
		{ "archive/benign/report.rar", "readme.txt" },
		{ "archive/benign/old.rar", "plan.csv" },
		{ "archive/benign/cp932.lzh", "ソフト一覧.txt" },
		{ "archive/benign/backup.tar.zst", "予定.csv" },
	};
	for (gsize i = 0; i < G_N_ELEMENTS(unread); i++) {
		struct scans s;
		scans_init(&s);
		g_autofree char *name = g_path_get_basename(unread[i].path);
		g_autoptr(cdr_report) r = run(av_conf, &s, unread[i].path, name, NULL, NULL);
		if (r->verdict == CDR_BLOCKED || !scanned(&s, unread[i].member))
			g_error("%s: %s, %u scans, %s not among them", unread[i].path,
				cdr_verdict_name(r->verdict), s.names->len, unread[i].member);
		g_autoptr(cdr_report) r2 = run(original_conf, &s, unread[i].path, name, NULL, NULL);
		g_assert_cmpint(r2->verdict, ==, CDR_BLOCKED);
		g_assert_cmpint(r2->error, ==, CDR_E_UNSUPPORTED);
		scans_clear(&s);
	}
	/* what clamd unpacks itself is not handed back */
	static const char *const read_by_clamd[] = {
		"archive/benign/minutes.zip", "archive/benign/backup.tgz", "archive/benign/photos.7z",
		"archive/benign/docs.cab",
	};
	for (gsize i = 0; i < G_N_ELEMENTS(read_by_clamd); i++) {
		struct scans s;
		scans_init(&s);
		g_autofree char *name = g_path_get_basename(read_by_clamd[i]);
		g_autoptr(cdr_report) r = run(av_conf, &s, read_by_clamd[i], name, NULL, NULL);
		g_assert_cmpint(r->verdict, !=, CDR_BLOCKED);
		if (s.names->len)
			g_error("%s: %u members handed back", read_by_clamd[i], s.names->len);
		scans_clear(&s);
	}
}

static void
test_decrypted_pdf(void)
{
	struct scans s;
	scans_init(&s);
	g_autoptr(cdr_report) r =
		run(av_conf, &s, "pdf/benign/empty-user-password.pdf", "a.pdf", NULL, NULL);
	g_assert_cmpint(r->verdict, ==, CDR_SANITIZED);
	g_assert_true(report_has_action(r, "encryption"));
	g_assert_cmpuint(s.names->len, ==, 1);

	s.infected_name = "a.pdf";
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r2 =
		run(av_conf, &s, "pdf/benign/empty-user-password.pdf", "a.pdf", NULL, &out);
	g_assert_cmpint(r2->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(r2->error, ==, CDR_E_MALWARE);
	g_assert_null(out);

	g_autoptr(cdr_report) r3 =
		run(original_conf, &s, "pdf/benign/empty-user-password.pdf", "a.pdf", NULL, NULL);
	g_assert_cmpint(r3->error, ==, CDR_E_ENCRYPTED);

	/* an unencrypted PDF: clamd read it in the original */
	scans_clear(&s);
	scans_init(&s);
	g_autoptr(cdr_report) r4 = run(av_conf, &s, "pdf/benign/report.pdf", "b.pdf", NULL, NULL);
	g_assert_cmpint(r4->verdict, !=, CDR_BLOCKED);
	g_assert_cmpuint(s.names->len, ==, 0);
	scans_clear(&s);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/revealed/decrypted-zip-members", test_decrypted_zip_members);
	g_test_add_func("/revealed/members-clamd-does-not-read", test_members_clamd_does_not_read);
	g_test_add_func("/revealed/decrypted-pdf", test_decrypted_pdf);
	return g_test_run();
}
