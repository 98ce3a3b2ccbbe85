/*
 * NAME
 *	test-pool - the sandboxed worker pool under misbehaving handlers
 * SUMMARY
 *	A worker that crashes, spins, sleeps, eats memory, or tries to open a
 *	file, a socket or a program must cost exactly that job a BLOCKED
 *	verdict with the right reason; the pool and the caller keep working.
 */
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "pool.h"
#include "sandbox.h"
#include "test-handlers.h"
#include "wire.h"

/* CPU limit well below the wall limit, so a spinning worker always meets
 * the CPU limit first, even on a loaded machine; a short wall limit for
 * the sleeping one, which uses no CPU. */
static struct cdr_policy *policy, *impatient_policy;

static struct cdr_pool *
new_pool_with(const struct cdr_policy *p, unsigned workers)
{
	g_autoptr(GError) error = NULL;
	struct cdr_pool *pool = cdr_pool_new(p, TEST_WORKER_PATH, workers, &error);
	g_assert_no_error(error);
	return pool;
}

static struct cdr_pool *
new_pool(unsigned workers)
{
	return new_pool_with(policy, workers);
}

/* Run bytes through the pool with run params (may be NULL); *out gets
 * the output bytes (or NULL). */
static struct cdr_report *
run_with(struct cdr_pool *pool, const char *bytes, const char *name,
	 const struct cdr_run_params *params, GBytes **out)
{
	int in = cdr_memfd_from_bytes("test-in", bytes, strlen(bytes));
	int out_fd = -1;
	g_assert_cmpint(in, >=, 0);
	struct cdr_report *r = cdr_pool_run_with(pool, in, name, params, &out_fd);
	close(in);
	if (out)
		*out = NULL;
	if (out_fd >= 0) {
		gsize len = 0;
		guint8 *data = cdr_map_fd(out_fd, &len);
		g_assert_nonnull(data);
		if (out)
			*out = g_bytes_new(data, len);
		cdr_unmap(data, len);
		close(out_fd);
	}
	return r;
}

static struct cdr_report *
run(struct cdr_pool *pool, const char *bytes, const char *name, GBytes **out)
{
	return run_with(pool, bytes, name, NULL, out);
}

static void
assert_clean_text_works(struct cdr_pool *pool)
{
	g_autoptr(GBytes) out = NULL;
	g_autoptr(cdr_report) r = run(pool, "still working\n", "ok.txt", &out);
	g_assert_cmpint(r->verdict, ==, CDR_CLEAN);
	g_assert_nonnull(out);
	g_assert_cmpmem(g_bytes_get_data(out, NULL), g_bytes_get_size(out), "still working\n", 14);
}

static void
assert_blocked_with(const struct cdr_policy *p, const char *misbehaviour, enum cdr_error expected,
		    const char *reason_part)
{
	struct cdr_pool *pool = new_pool_with(p, 1);
	g_autofree char *bytes = g_strconcat(TEST_PREFIX, misbehaviour, NULL);
	GBytes *out = NULL;

	assert_clean_text_works(pool);
	unsigned spawned = cdr_pool_spawn_count(pool);
	g_autoptr(cdr_report) r = run(pool, bytes, "x.dat", &out);
	g_test_message("%s: %s (%s)", misbehaviour, r->reason, cdr_error_name(r->error));
	g_assert_cmpint(r->verdict, ==, CDR_BLOCKED);
	g_assert_null(out);
	g_assert_cmpstr(cdr_error_name(r->error), ==, cdr_error_name(expected));
	g_assert_nonnull(strstr(r->reason, reason_part));
	/* the pool replaces the worker and goes on */
	assert_clean_text_works(pool);
	g_assert_cmpuint(cdr_pool_spawn_count(pool), ==, spawned + 1);
	cdr_pool_free(pool);
}

static void
assert_blocked(const char *misbehaviour, enum cdr_error expected, const char *reason_part)
{
	assert_blocked_with(policy, misbehaviour, expected, reason_part);
}

static void
test_crash(void)
{
	assert_blocked("CRASH", CDR_E_CRASH, "crashed");
}

static void
test_spin(void)
{
	assert_blocked("SPIN", CDR_E_CPU, "job_cpu_seconds");
}

static void
test_sleep(void)
{
	assert_blocked_with(impatient_policy, "SLEEP", CDR_E_TIMEOUT, "job_wall_seconds");
}

static void
test_hog(void)
{
	if (!cdr_sandbox_limits_address_space()) {
		g_test_skip("AddressSanitizer build: RLIMIT_AS cannot be applied");
		return;
	}
	assert_blocked("HOG", CDR_E_MEMORY, "worker_memory_bytes");
}

static void
test_open(void)
{
	assert_blocked("OPEN", CDR_E_SANDBOX, "forbidden system call");
}

#if HAVE_PDF_TEXT
/* poppler's CMaps are served from memory inside the sandbox; paths not
 * preloaded under their folder fail softly; the worker lives on */
static void
test_preloaded(void)
{
	struct cdr_pool *pool = new_pool(1);
	g_autoptr(GBytes) out = NULL;
	g_autoptr(cdr_report) r = run(pool, TEST_PREFIX "PRELOADED", "x.dat", &out);
	g_test_message("%s", r->reason);
	g_assert_cmpstr(r->reason, ==, "preload served");
	g_assert_cmpuint(cdr_pool_spawn_count(pool), ==, 1);
	cdr_pool_free(pool);
}

static void
test_preloaded_write(void)
{
	assert_blocked("WRITE_PRELOADED", CDR_E_SANDBOX, "forbidden system call");
}
#endif

static void
test_socket(void)
{
	assert_blocked("SOCKET", CDR_E_SANDBOX, "forbidden system call");
}

static void
test_exec(void)
{
	assert_blocked("EXEC", CDR_E_SANDBOX, "forbidden system call");
}

/* a process may not be made (clone without CLONE_THREAD)... */
static void
test_fork(void)
{
	assert_blocked("FORK", CDR_E_SANDBOX, "forbidden system call");
}

/* ...but a thread may: the handler runs to its own error, and the same
 * worker goes on */
static void
test_thread(void)
{
	struct cdr_pool *pool = new_pool_with(policy, 1);
	g_autofree char *bytes = g_strconcat(TEST_PREFIX, "THREAD", NULL);
	GBytes *out = NULL;

	assert_clean_text_works(pool);
	unsigned spawned = cdr_pool_spawn_count(pool);
	g_autoptr(cdr_report) r = run(pool, bytes, "x.dat", &out);
	g_test_message("THREAD: %s (%s)", r->reason, cdr_error_name(r->error));
	g_assert_cmpstr(cdr_error_name(r->error), ==, cdr_error_name(CDR_E_INTERNAL));
	g_assert_nonnull(strstr(r->reason, "survived"));
	assert_clean_text_works(pool);
	g_assert_cmpuint(cdr_pool_spawn_count(pool), ==, spawned);
	cdr_pool_free(pool);
}

static void
test_recycle(void)
{
	struct cdr_pool *pool = new_pool(1);
	for (unsigned i = 0; i < 7; i++)
		assert_clean_text_works(pool);
	/* jobs_per_worker = 3: workers for jobs 1-3, 4-6, 7 */
	g_assert_cmpuint(cdr_pool_spawn_count(pool), ==, 3);
	cdr_pool_free(pool);
}

/* A worker started ahead of its first job serves that job, under the same
 * per-job CPU limit as one started by the job. */
static void
test_prestart(void)
{
	struct cdr_pool *pool = new_pool(2);
	cdr_pool_prestart(pool);
	g_assert_cmpuint(cdr_pool_spawn_count(pool), ==, 1);
	cdr_pool_prestart(pool); /* already running: nothing more */
	g_assert_cmpuint(cdr_pool_spawn_count(pool), ==, 1);
	g_autoptr(cdr_report) r = run(pool, TEST_PREFIX "SPIN", "x.dat", NULL);
	g_assert_cmpint(r->verdict, ==, CDR_BLOCKED);
	g_assert_cmpstr(cdr_error_name(r->error), ==, cdr_error_name(CDR_E_CPU));
	g_assert_cmpuint(cdr_pool_spawn_count(pool), ==, 1);
	assert_clean_text_works(pool);
	g_assert_cmpuint(cdr_pool_spawn_count(pool), ==, 2);
	cdr_pool_free(pool);
}

static gpointer
hammer(gpointer pool)
{
	for (unsigned i = 0; i < 6; i++) {
		if (i % 3 == 2) {
			g_autoptr(cdr_report) r = run(pool, TEST_PREFIX "CRASH", "c.dat", NULL);
			g_assert_cmpint(r->error, ==, CDR_E_CRASH);
		} else {
			assert_clean_text_works(pool);
		}
	}
	return NULL;
}

static void
test_threads_share_pool(void)
{
	struct cdr_pool *pool = new_pool(2);
	GThread *t[4];
	for (unsigned i = 0; i < G_N_ELEMENTS(t); i++)
		t[i] = g_thread_new("hammer", hammer, pool);
	for (unsigned i = 0; i < G_N_ELEMENTS(t); i++)
		g_thread_join(t[i]);
	cdr_pool_free(pool);
}

static void
test_nested_report_crosses_the_wire(void)
{
	struct cdr_pool *pool = new_pool(1);
	g_autoptr(GBytes) out = NULL;
	g_autoptr(cdr_report) r = run(pool, TEST_PREFIX "BOX:inner.txt:hello\n", "outer.box", &out);
	g_assert_cmpint(r->verdict, ==, CDR_CLEAN);
	g_assert_cmpuint(r->children->len, ==, 1);
	const struct cdr_report *child = r->children->pdata[0];
	g_assert_cmpstr(child->name, ==, "inner.txt");
	g_assert_cmpstr(child->handler, ==, "text");
	cdr_pool_free(pool);
}

/* A mail may name any charset; iconv then wants a gconv module from disk.
 * Inside the sandbox that open fails softly (unknown charset), it does not
 * kill the worker, while any other open still does (sandbox-open). */
static void
test_unknown_charsets_do_not_kill(void)
{
	struct cdr_pool *pool = new_pool(1);
	g_autoptr(GBytes) out = NULL;
	g_autoptr(cdr_report) r =
		run(pool, "From: a@example.jp\r\nTo: b@example.jp\r\n"
			  "Subject: =?IBM037?B?wcI=?= =?x-mac-japanese?Q?a?=\r\n"
			  "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
			  "--b\r\nContent-Type: text/plain; charset=IBM1047\r\n\r\nhi\r\n"
			  "--b\r\nContent-Type: application/octet-stream; name*=IBM037''%C1%C2.txt\r\n\r\n"
			  "xx\r\n--b--\r\n",
		    "mail.eml", &out);
	g_test_message("%s", r->reason ? r->reason : cdr_verdict_name(r->verdict));
	g_assert_cmpint(r->verdict, ==, CDR_SANITIZED);
	g_assert_cmpstr(r->handler, ==, "mime");
	g_assert_cmpuint(cdr_pool_spawn_count(pool), ==, 1); /* the worker lived */
	cdr_pool_free(pool);
}

/* The milter picks the mode per message and names the quarantined
 * original: both must reach the handler inside the worker. */
static void
test_run_params_cross_the_wire(void)
{
	static const char mail[] =
		"From: a@example.jp\r\nTo: b@example.lg.jp\r\nSubject: s\r\n"
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
		"--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
		"--b\r\nContent-Type: text/plain; name=\"note.txt\"\r\n"
		"Content-Disposition: attachment; filename=\"note.txt\"\r\n\r\nplain words\r\n"
		"--b--\r\n";
	struct cdr_pool *pool = new_pool(1);
	const struct cdr_run_params sanitize = {
		.mail_mode = "sanitize", .quarantine_id = "20261122T073000-abc123",
	};
	g_autoptr(GBytes) out = NULL;
	g_autoptr(cdr_report) r = run_with(pool, mail, "mail.eml", &sanitize, &out);
	g_assert_cmpint(r->verdict, !=, CDR_BLOCKED);
	g_autofree char *text = g_strndup(g_bytes_get_data(out, NULL), g_bytes_get_size(out));
	g_assert_nonnull(strstr(text, "id=20261122T073000-abc123; html=no"));
	g_assert_nonnull(strstr(text, "attachments-kept=1"));

	g_autoptr(GBytes) out2 = NULL;
	const struct cdr_run_params text_mode = { .mail_mode = "text" };
	g_autoptr(cdr_report) r2 = run_with(pool, mail, "mail.eml", &text_mode, &out2);
	g_autofree char *text2 = g_strndup(g_bytes_get_data(out2, NULL), g_bytes_get_size(out2));
	g_assert_nonnull(strstr(text2, "attachments-removed=1"));
	g_assert_null(strstr(text2, "id="));

	/* a header block a sniffer takes for text still goes to the mime
	 * handler when the run says so (the milter), whatever its name */
	static const char disguised[] = "X-Pad: 1\r\n\r\nhello\r\n";
	const struct cdr_run_params as_mail = { .handler = "mime" };
	g_autoptr(cdr_report) r4 = run_with(pool, disguised, "note.txt", &as_mail, NULL);
	g_assert_cmpstr(r4->handler, ==, "mime");
	g_autoptr(cdr_report) r5 = run_with(pool, disguised, "note.txt", NULL, NULL);
	g_assert_cmpstr(r5->handler, !=, "mime");
	const struct cdr_run_params no_such = { .handler = "no-such-handler" };
	g_autoptr(cdr_report) r6 = run_with(pool, disguised, "mail.eml", &no_such, NULL);
	g_assert_cmpint(r6->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(r6->error, ==, CDR_E_UNSUPPORTED);

	const struct cdr_run_params bad = { .quarantine_id = "../etc\r\nX-Evil: 1" };
	g_autoptr(cdr_report) r3 = run_with(pool, mail, "mail.eml", &bad, NULL);
	g_assert_cmpint(r3->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(r3->error, ==, CDR_E_INTERNAL);
	cdr_pool_free(pool);
}

/* ---- the virus scan hand-back ---------------------------------------- */

/* A front end's scanner for the tests: "EVIL" anywhere is Test.Sig,
 * "ASLEEP" takes 1.2 s, "HUGE" is refused; `fail` makes every scan fail. */
struct fake_scanner {
	guint calls;
	gboolean fail;
	GString *seen; /* the bytes of every scan, joined by "|" */
};

static enum cdr_scan_result
fake_scan(int fd, const char *name, char **detail, gpointer data)
{
	struct fake_scanner *s = data;
	gsize len = 0;
	guint8 *bytes = cdr_map_fd(fd, &len);
	g_assert_nonnull(bytes);
	g_assert_true(cdr_memfd_is_sealed(fd));
	s->calls++;
	g_string_append_printf(s->seen, "%s%.*s", s->seen->len ? "|" : "", (int)len, bytes);
	g_autofree char *text = g_strndup((const char *)bytes, len);
	cdr_unmap(bytes, len);
	if (s->fail) {
		*detail = g_strdup("cannot connect to clamd at unix:/nowhere: No such file");
		return CDR_SCAN_FAILED;
	}
	if (strstr(text, "ASLEEP"))
		g_usleep(1200 * 1000);
	if (strstr(text, "HUGE")) {
		*detail = g_strdup("too big for the test scanner");
		return CDR_SCAN_REFUSED;
	}
	if (strstr(text, "EVIL")) {
		*detail = g_strdup("Test.Sig");
		return CDR_SCAN_INFECTED;
	}
	return CDR_SCAN_CLEAN;
}

static struct cdr_policy *
av_policy(const char *extra)
{
	g_autofree char *conf = g_strdup_printf("[limits]\njob_wall_seconds = 2\nmax_children = 5\n"
						"[av]\nclamd = unix:/nowhere/clamd.ctl\n%s",
						extra ? extra : "");
	struct cdr_policy *p = cdr_policy_load_data(conf, strlen(conf), "test", NULL);
	g_assert_nonnull(p);
	return p;
}

static struct cdr_pool *
scanning_pool(const struct cdr_policy *p, struct fake_scanner *s)
{
	struct cdr_pool *pool = new_pool_with(p, 1);
	s->seen = g_string_new(NULL);
	cdr_pool_set_scanner(pool, fake_scan, s);
	return pool;
}

static void
fake_scanner_clear(struct fake_scanner *s)
{
	g_string_free(s->seen, TRUE);
}

/* Revealed (decrypted) content goes to the front end's scanner before the
 * worker uses it: a clean child is kept, an infected one removed and
 * named, and the verdict crosses the wire. */
static void
test_revealed_child_is_scanned(void)
{
	g_autoptr(cdr_policy) p = av_policy(NULL);
	struct fake_scanner s = { 0 };
	struct cdr_pool *pool = scanning_pool(p, &s);

	g_autoptr(GBytes) out = NULL;
	g_autoptr(cdr_report) r = run(pool, TEST_PREFIX "SEALED:a.txt:hello\n", "x.sealed", &out);
	g_assert_cmpint(r->verdict, ==, CDR_CLEAN);
	g_assert_cmpuint(s.calls, ==, 1);
	g_assert_cmpstr(s.seen->str, ==, "hello\n");
	g_assert_cmpmem(g_bytes_get_data(out, NULL), g_bytes_get_size(out), "hello\n", 6);

	g_autoptr(GBytes) out2 = NULL;
	g_autoptr(cdr_report) r2 = run(pool, TEST_PREFIX "SEALED:b.txt:EVIL\n", "y.sealed", &out2);
	g_assert_cmpint(r2->verdict, ==, CDR_SANITIZED);
	g_assert_cmpuint(r2->children->len, ==, 1);
	const struct cdr_report *child = r2->children->pdata[0];
	g_assert_cmpint(child->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(child->error, ==, CDR_E_MALWARE);
	g_assert_cmpstr(child->malware, ==, "Test.Sig");
	g_assert_cmpstr(child->reason, ==, "virus found: Test.Sig");
	g_assert_true(cdr_report_find_malware(r2) == child);
	g_assert_cmpuint(g_bytes_get_size(out2), ==, 0);

	/* refused (over stream_max_bytes): that child only, as a limit */
	g_autoptr(cdr_report) r3 = run(pool, TEST_PREFIX "SEALED:c.txt:HUGE\n", "z.sealed", NULL);
	g_assert_cmpint(r3->verdict, ==, CDR_SANITIZED);
	g_assert_cmpint(((struct cdr_report *)r3->children->pdata[0])->error, ==, CDR_E_LIMIT);
	g_assert_cmpuint(cdr_pool_spawn_count(pool), ==, 1);
	cdr_pool_free(pool);
	fake_scanner_clear(&s);
}

/* A scan that fails fails the whole object, nested or not, and no scanner
 * at all is a failed scan. */
static void
test_failed_scan_fails_the_object(void)
{
	g_autoptr(cdr_policy) p = av_policy(NULL);
	struct fake_scanner s = { .fail = TRUE };
	struct cdr_pool *pool = scanning_pool(p, &s);
	GBytes *out = NULL;
	g_autoptr(cdr_report) r =
		run(pool, TEST_PREFIX "BOX:in.box:" TEST_PREFIX "SEALED:a.txt:hello\n", "x.box", &out);
	g_assert_cmpint(r->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(r->error, ==, CDR_E_SCAN);
	g_assert_cmpstr(r->reason, ==, "virus scan unavailable: cannot connect to clamd at "
				       "unix:/nowhere: No such file");
	g_assert_null(out);
	cdr_pool_free(pool);
	fake_scanner_clear(&s);

	struct cdr_pool *bare = new_pool_with(p, 1);
	g_autoptr(cdr_report) r2 = run(bare, TEST_PREFIX "SEALED:a.txt:hello\n", "x.sealed", &out);
	g_assert_cmpint(r2->error, ==, CDR_E_SCAN);
	g_assert_nonnull(strstr(r2->reason, "no virus scanner"));
	g_assert_null(out);
	cdr_pool_free(bare);
}

/* Without [av] nothing is scanned; with scan = original revealed content
 * is blocked instead of scanned. */
static void
test_scan_settings(void)
{
	struct fake_scanner s = { 0 };
	struct cdr_pool *pool = scanning_pool(policy, &s);
	g_autoptr(cdr_report) r = run(pool, TEST_PREFIX "SEALED:a.txt:EVIL\n", "x.sealed", NULL);
	g_assert_cmpint(r->verdict, ==, CDR_CLEAN);
	g_assert_cmpuint(s.calls, ==, 0);
	cdr_pool_free(pool);

	g_autoptr(cdr_policy) original = av_policy("scan = original\n");
	pool = scanning_pool(original, &s);
	g_autoptr(GBytes) out = NULL;
	g_autoptr(cdr_report) r2 = run(pool, TEST_PREFIX "SEALED:a.txt:hello\n", "x.sealed", &out);
	g_assert_cmpint(r2->verdict, ==, CDR_SANITIZED);
	const struct cdr_report *child = r2->children->pdata[0];
	g_assert_cmpint(child->error, ==, CDR_E_ENCRYPTED);
	g_assert_nonnull(strstr(child->reason, "scan = original"));
	g_assert_cmpuint(s.calls, ==, 0);
	g_assert_cmpuint(g_bytes_get_size(out), ==, 0);
	cdr_pool_free(pool);
	fake_scanner_clear(&s);
}

/* The front end found the whole object infected (run params): each part
 * is scanned; infected parts are removed; with none, the whole object is
 * blocked as malware, never delivered. */
static void
test_infected_object_scans_parts(void)
{
	g_autoptr(cdr_policy) p = av_policy(NULL);
	struct fake_scanner s = { 0 };
	struct cdr_pool *pool = scanning_pool(p, &s);
	const struct cdr_run_params infected = { .infected = "Whole.Sig" };

	g_autoptr(GBytes) out = NULL;
	g_autoptr(cdr_report) r =
		run_with(pool, TEST_PREFIX "BOX:a.txt:EVIL\n", "x.box", &infected, &out);
	g_assert_cmpint(r->verdict, ==, CDR_SANITIZED);
	g_assert_cmpstr(cdr_report_find_malware(r)->malware, ==, "Test.Sig");
	g_assert_cmpstr(s.seen->str, ==, "EVIL\n");

	GBytes *none = NULL;
	g_autoptr(cdr_report) r2 =
		run_with(pool, TEST_PREFIX "BOX:a.txt:fine\n", "x.box", &infected, &none);
	g_assert_cmpint(r2->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(r2->error, ==, CDR_E_MALWARE);
	g_assert_cmpstr(r2->malware, ==, "Whole.Sig");
	g_assert_nonnull(strstr(r2->reason, "in no part"));
	g_assert_null(none);
	g_assert_null(r2->out_name);

	/* only the direct parts: a part's own children are the part's */
	g_string_truncate(s.seen, 0);
	g_autoptr(cdr_report) r3 = run_with(
		pool, TEST_PREFIX "BOX:in.box:" TEST_PREFIX "BOX:b.txt:EVIL\n", "x.box", &infected,
		NULL);
	g_assert_cmpint(r3->verdict, ==, CDR_SANITIZED);
	const struct cdr_report *part = r3->children->pdata[0];
	g_assert_cmpint(part->error, ==, CDR_E_MALWARE);
	g_assert_cmpuint(part->children->len, ==, 0); /* removed whole, not opened */

	const struct cdr_run_params bad = { .infected = "two words" };
	g_autoptr(cdr_report) r4 = run_with(pool, "x\n", "x.txt", &bad, NULL);
	g_assert_cmpint(r4->error, ==, CDR_E_INTERNAL);
	cdr_pool_free(pool);
	fake_scanner_clear(&s);
}

/* The time the scanner takes is not the worker's: two 1.2 s scans in a
 * job with job_wall_seconds = 2 do not time it out. */
static void
test_scan_time_is_not_job_time(void)
{
	g_autoptr(cdr_policy) p = av_policy(NULL);
	struct fake_scanner s = { 0 };
	struct cdr_pool *pool = scanning_pool(p, &s);
	g_autoptr(GBytes) out = NULL;
	g_autoptr(cdr_report) r = run(
		pool, TEST_PREFIX "SEALED:a.sealed:" TEST_PREFIX "SEALED:b.txt:ASLEEP\n", "x.sealed",
		&out);
	g_assert_cmpint(r->verdict, ==, CDR_CLEAN);
	g_assert_cmpuint(s.calls, ==, 2);
	cdr_pool_free(pool);
	fake_scanner_clear(&s);
}

/* A worker that floods the pool with scan requests, or sends a malformed
 * one, is stopped like one that sends a malformed reply. */
static void
test_scan_requests_are_checked(void)
{
	g_autoptr(cdr_policy) p = av_policy(NULL);
	struct fake_scanner s = { 0 };
	struct cdr_pool *pool = scanning_pool(p, &s);
	g_autoptr(GBytes) out = NULL;
	g_autoptr(cdr_report) ok = run(pool, TEST_PREFIX "SCANS:21", "x.sealed", &out);
	g_assert_cmpint(ok->verdict, ==, CDR_CLEAN); /* max_children (5) + 16 */
	g_autoptr(cdr_report) r = run(pool, TEST_PREFIX "SCANS:22", "x.sealed", NULL);
	g_assert_cmpint(r->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(r->error, ==, CDR_E_INTERNAL);
	g_autoptr(cdr_report) r2 = run(pool, TEST_PREFIX "FORGE_SCAN", "x.dat", NULL);
	g_assert_cmpint(r2->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(r2->error, ==, CDR_E_INTERNAL);
	g_assert_cmpuint(s.calls, ==, 21 + 21);
	assert_clean_text_works(pool);
	cdr_pool_free(pool);
	fake_scanner_clear(&s);
}

static void
test_missing_worker_is_an_error(void)
{
	g_autoptr(GError) error = NULL;
	struct cdr_pool *pool = cdr_pool_new(policy, "/nonexistent/cdr-worker", 1, &error);
	g_assert_null(pool);
	g_assert_nonnull(strstr(error->message, "not found"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	static const char conf[] = "[limits]\njob_cpu_seconds = 1\njob_wall_seconds = 30\n"
				   "worker_memory_bytes = 512M\n[workers]\njobs_per_worker = 3\n";
	static const char impatient[] = "[limits]\njob_cpu_seconds = 1\njob_wall_seconds = 2\n";
	policy = cdr_policy_load_data(conf, sizeof(conf) - 1, "test", NULL);
	impatient_policy = cdr_policy_load_data(impatient, sizeof(impatient) - 1, "test", NULL);
	g_assert_nonnull(policy);
	g_assert_nonnull(impatient_policy);

	g_test_add_func("/pool/crash", test_crash);
	g_test_add_func("/pool/cpu-spin", test_spin);
	g_test_add_func("/pool/wall-sleep", test_sleep);
	g_test_add_func("/pool/memory-hog", test_hog);
	g_test_add_func("/pool/sandbox-open", test_open);
	g_test_add_func("/pool/sandbox-socket", test_socket);
#if HAVE_PDF_TEXT
	g_test_add_func("/pool/sandbox-preloaded", test_preloaded);
	g_test_add_func("/pool/sandbox-preloaded-write", test_preloaded_write);
#endif
	g_test_add_func("/pool/sandbox-exec", test_exec);
	g_test_add_func("/pool/sandbox-fork", test_fork);
	g_test_add_func("/pool/sandbox-thread", test_thread);
	g_test_add_func("/pool/recycle", test_recycle);
	g_test_add_func("/pool/prestart", test_prestart);
	g_test_add_func("/pool/threads", test_threads_share_pool);
	g_test_add_func("/pool/nested-report", test_nested_report_crosses_the_wire);
	g_test_add_func("/pool/run-params", test_run_params_cross_the_wire);
	g_test_add_func("/pool/missing-worker", test_missing_worker_is_an_error);
	g_test_add_func("/pool/unknown-charsets", test_unknown_charsets_do_not_kill);
	g_test_add_func("/pool/scan/revealed-child", test_revealed_child_is_scanned);
	g_test_add_func("/pool/scan/failed", test_failed_scan_fails_the_object);
	g_test_add_func("/pool/scan/settings", test_scan_settings);
	g_test_add_func("/pool/scan/infected-parts", test_infected_object_scans_parts);
	g_test_add_func("/pool/scan/time", test_scan_time_is_not_job_time);
	g_test_add_func("/pool/scan/requests-checked", test_scan_requests_are_checked);
	int rc = g_test_run();
	cdr_policy_free(policy);
	cdr_policy_free(impatient_policy);
	return rc;
}
