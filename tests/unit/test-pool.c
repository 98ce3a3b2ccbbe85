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
	g_test_add_func("/pool/sandbox-exec", test_exec);
	g_test_add_func("/pool/sandbox-fork", test_fork);
	g_test_add_func("/pool/sandbox-thread", test_thread);
	g_test_add_func("/pool/recycle", test_recycle);
	g_test_add_func("/pool/threads", test_threads_share_pool);
	g_test_add_func("/pool/nested-report", test_nested_report_crosses_the_wire);
	g_test_add_func("/pool/run-params", test_run_params_cross_the_wire);
	g_test_add_func("/pool/missing-worker", test_missing_worker_is_an_error);
	g_test_add_func("/pool/unknown-charsets", test_unknown_charsets_do_not_kill);
	int rc = g_test_run();
	cdr_policy_free(policy);
	cdr_policy_free(impatient_policy);
	return rc;
}
