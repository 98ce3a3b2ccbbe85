/*
 * NAME
 *	test-clamd - the clamd client against a real clamd and fake ones
 * SUMMARY
 *	The reply parser on every answer shape; scans through a private
 *	clamd started from tests/clamd.sh (its own socket and a test
 *	database: EICAR by hash, a marker string by body signature), over
 *	clamd's StreamMaxLength, and from a memfd; and fake servers that
 *	answer garbage, close early, never answer, never read, or speak TCP.
 * DESCRIPTION
 *	Links libclamd only (GLib and libc): the client needs no engine.
 *	Without /usr/sbin/clamd the real-clamd cases are skipped with a
 *	message (scripts/setup.sh installs clamav-daemon, so CI runs them).
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "clamd.h"

static char *
eicar(void)
{
	return g_strconcat("X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*",
			   NULL);
}

#define MARKER "MUGAIKA-AV-TEST-MARKER-5d1c"

/* ---- the parser ------------------------------------------------------ */

struct reply_case {
	const char *reply;
	gsize len; /* 0: strlen + 1 (with the NUL) */
	enum clamd_verdict want;
	const char *detail; /* INFECTED: the name; otherwise a substring */
};

static const struct reply_case reply_cases[] = {
	{ "stream: OK", 0, CLAMD_CLEAN, "" },
	{ "stream: Win.Test.EICAR_HDB-1 FOUND", 0, CLAMD_INFECTED, "Win.Test.EICAR_HDB-1" },
	{ "stream: Mugaika.Test.EICAR-HDB.UNOFFICIAL FOUND", 0, CLAMD_INFECTED,
	  "Mugaika.Test.EICAR-HDB.UNOFFICIAL" },
	/* ExtendedDetectionInfo */
	{ "stream: Win.Test.EICAR_HDB-1(44d88612fea8a8f36de82e1278abb02f:68) FOUND", 0,
	  CLAMD_INFECTED, "Win.Test.EICAR_HDB-1" },
	{ "stream: Heuristics.Limits.Exceeded.MaxScanTime FOUND", 0, CLAMD_INFECTED,
	  "Heuristics.Limits.Exceeded.MaxScanTime" },
	{ "INSTREAM size limit exceeded. ERROR", 0, CLAMD_TOO_BIG, "size limit exceeded" },
	{ "stream: Can't allocate memory ERROR", 0, CLAMD_ERROR, "clamd: stream: Can't allocate" },
	{ "UNKNOWN COMMAND", 0, CLAMD_ERROR, "unexpected" },
	{ "COMMAND READ TIMED OUT", 0, CLAMD_ERROR, "unexpected" },
	{ "", 0, CLAMD_ERROR, "unexpected" },
	{ "", 1, CLAMD_ERROR, "unexpected" },                     /* a lone NUL */
	{ "stream: OK", 10, CLAMD_ERROR, "unexpected" },          /* no NUL */
	{ "stream: OK\0junk", 16, CLAMD_ERROR, "unexpected" },    /* bytes after it */
	{ "stream: OK\0", 12, CLAMD_ERROR, "unexpected" },        /* two NULs */
	{ "stream:  FOUND", 0, CLAMD_ERROR, "unexpected" },       /* no name */
	{ "stream: Two Words FOUND", 0, CLAMD_ERROR, "unexpected" },
	{ "stream: Bad\tTab FOUND", 0, CLAMD_ERROR, "unexpected" },
	{ "stream: Bad\x1b[31m FOUND", 0, CLAMD_ERROR, "unexpected" },
	{ "stream: Caf\xc3\xa9 FOUND", 0, CLAMD_ERROR, "unexpected" },
	{ "stream: OK FOUND", 0, CLAMD_INFECTED, "OK" },          /* a name, strictly read */
	{ "stream: ok", 0, CLAMD_ERROR, "unexpected" },
	{ "stream: OK ", 0, CLAMD_ERROR, "unexpected" },
	{ "Stream: OK", 0, CLAMD_ERROR, "unexpected" },
	{ "stream: X FOUND\n", 0, CLAMD_ERROR, "unexpected" },
	{ "PONG", 0, CLAMD_ERROR, "unexpected" },
	{ "stream: (44d88612fea8a8f36de82e1278abb02f:68) FOUND", 0, CLAMD_ERROR, "unexpected" },
};

static void
test_parse_replies(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(reply_cases); i++) {
		const struct reply_case *c = &reply_cases[i];
		gsize len = c->len ? c->len : strlen(c->reply) + 1;
		g_autofree char *detail = NULL;
		enum clamd_verdict v = clamd_parse_reply(c->reply, len, &detail);
		if (v != c->want)
			g_error("\"%s\" (%" G_GSIZE_FORMAT " bytes): verdict %d, want %d (%s)", c->reply,
				len, v, c->want, detail);
		g_assert_nonnull(detail);
		if (v == CLAMD_INFECTED)
			g_assert_cmpstr(detail, ==, c->detail);
		else if (!strstr(detail, c->detail))
			g_error("\"%s\": detail \"%s\" lacks \"%s\"", c->reply, detail, c->detail);
		for (const char *p = detail; *p; p++)
			g_assert_true(*p >= 0x20 && *p < 0x7f);
	}
	/* a name of 256 characters is taken, 257 not */
	g_autofree char *name = g_strnfill(257, 'A');
	g_autofree char *too_long = g_strdup_printf("stream: %s FOUND", name);
	g_autofree char *detail = NULL;
	g_assert_cmpint(clamd_parse_reply(too_long, strlen(too_long) + 1, &detail), ==, CLAMD_ERROR);
	name[256] = '\0';
	g_autofree char *longest = g_strdup_printf("stream: %s FOUND", name);
	g_autofree char *detail2 = NULL;
	g_assert_cmpint(clamd_parse_reply(longest, strlen(longest) + 1, &detail2), ==,
			CLAMD_INFECTED);
}

static void
test_addresses(void)
{
	static const char *const good[] = {
		"unix:/run/clamav/clamd.ctl", "inet:127.0.0.1:3310", "inet:localhost:3310",
		"inet:[::1]:3310",
	};
	static const char *const bad[] = {
		"", "unix:", "unix:relative/path", "inet:127.0.0.1", "inet:127.0.0.1:", "inet::3310",
		"inet:127.0.0.1:0", "inet:127.0.0.1:65536", "inet:127.0.0.1:33a", "tcp:1.2.3.4:3310",
		"/run/clamav/clamd.ctl", "inet:[::1:3310", "3310@127.0.0.1",
	};
	for (gsize i = 0; i < G_N_ELEMENTS(good); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(sockio_address) a = sockio_address_parse(good[i], &error);
		g_assert_no_error(error);
		g_assert_cmpstr(a->text, ==, good[i]);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(sockio_address) a = sockio_address_parse(bad[i], &error);
		if (a)
			g_error("\"%s\" taken as a clamd address", bad[i]);
		g_assert_nonnull(error);
	}
	g_autofree char *xs = g_strnfill(120, 'x');
	g_autofree char *long_path = g_strdup_printf("unix:/%s", xs);
	g_autoptr(GError) error = NULL;
	g_assert_null(sockio_address_parse(long_path, &error));
}

/* ---- a real clamd ---------------------------------------------------- */

static char *clamd_dir;

static gboolean
clamd_up(void)
{
	if (clamd_dir)
		return TRUE;
	if (!g_file_test("/usr/sbin/clamd", G_FILE_TEST_IS_EXECUTABLE)) {
		g_test_skip("no /usr/sbin/clamd: apt install clamav-daemon (scripts/setup.sh does)");
		return FALSE;
	}
	g_autofree char *dir = g_dir_make_tmp("test-clamd-XXXXXX", NULL);
	g_autofree char *script = g_strdup_printf(". '%s/tests/clamd.sh' && clamd_start '%s' 1M",
						  SOURCE_ROOT, dir);
	char *argv[] = { (char *)"/bin/bash", (char *)"-c", script, NULL };
	int status = 0;
	g_autoptr(GError) error = NULL;
	g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status,
		     &error);
	g_assert_no_error(error);
	if (!g_spawn_check_wait_status(status, NULL))
		g_error("tests/clamd.sh could not start clamd in %s", dir);
	clamd_dir = g_steal_pointer(&dir);
	return TRUE;
}

static void
clamd_down(void)
{
	if (!clamd_dir)
		return;
	g_autofree char *script = g_strdup_printf(". '%s/tests/clamd.sh' && clamd_stop '%s' && "
						  "rm -rf '%s'",
						  SOURCE_ROOT, clamd_dir, clamd_dir);
	char *argv[] = { (char *)"/bin/bash", (char *)"-c", script, NULL };
	g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, NULL, NULL);
	g_clear_pointer(&clamd_dir, g_free);
}

static struct sockio_address *
real_address(void)
{
	g_autofree char *spec = g_strdup_printf("unix:%s/clamd.sock", clamd_dir);
	return sockio_address_parse(spec, NULL);
}

static const struct clamd_timeouts quick = { .connect_ms = 2000, .io_ms = 10000 };

static enum clamd_verdict
scan_text(const struct sockio_address *a, const char *text, gsize len, char **detail)
{
	return clamd_scan(a, &quick, (const guint8 *)text, len, detail);
}

static void
test_real_clamd(void)
{
	if (!clamd_up())
		return;
	g_autoptr(sockio_address) a = real_address();
	g_autoptr(GError) error = NULL;
	g_assert_true(clamd_ping(a, &quick, &error));
	g_assert_no_error(error);

	g_autofree char *e = eicar();
	g_autofree char *d1 = NULL, *d2 = NULL, *d3 = NULL, *d4 = NULL, *d5 = NULL;
	g_assert_cmpint(scan_text(a, e, strlen(e), &d1), ==, CLAMD_INFECTED);
	g_assert_cmpstr(d1, ==, "Mugaika.Test.EICAR-HDB.UNOFFICIAL");
	const char *marked = "some text, then " MARKER " and more";
	g_assert_cmpint(scan_text(a, marked, strlen(marked), &d2), ==, CLAMD_INFECTED);
	g_assert_cmpstr(d2, ==, "Mugaika.Test.Marker-NDB.UNOFFICIAL");
	g_assert_cmpint(scan_text(a, "harmless", 8, &d3), ==, CLAMD_CLEAN);
	g_assert_cmpint(scan_text(a, "", 0, &d4), ==, CLAMD_CLEAN);
	/* EICAR with one byte changed is no longer EICAR */
	e[3] = 'Q';
	g_assert_cmpint(scan_text(a, e, strlen(e), &d5), ==, CLAMD_CLEAN);
}

/* More than clamd's StreamMaxLength (1M here): clamd answers "size limit
 * exceeded" and resets while the client still writes. */
static void
test_real_clamd_too_big(void)
{
	if (!clamd_up())
		return;
	g_autoptr(sockio_address) a = real_address();
	gsize len = 3 * 1024 * 1024;
	g_autofree char *big = g_malloc0(len);
	g_autofree char *detail = NULL;
	g_assert_cmpint(scan_text(a, big, len, &detail), ==, CLAMD_TOO_BIG);
	g_assert_nonnull(strstr(detail, "size limit"));
}

/* From a memfd, in several chunks (256 KB each), the marker at the end. */
static void
test_real_clamd_fd(void)
{
	if (!clamd_up())
		return;
	g_autoptr(sockio_address) a = real_address();
	int fd = memfd_create("test", MFD_CLOEXEC);
	gsize filler = 900 * 1024;
	g_autofree char *zeros = g_malloc0(filler);
	g_assert_cmpint(write(fd, zeros, filler), ==, (ssize_t)filler);
	g_assert_cmpint(write(fd, MARKER, strlen(MARKER)), ==, (ssize_t)strlen(MARKER));
	g_autofree char *detail = NULL;
	g_assert_cmpint(clamd_scan_fd(a, &quick, fd, &detail), ==, CLAMD_INFECTED);
	g_assert_cmpstr(detail, ==, "Mugaika.Test.Marker-NDB.UNOFFICIAL");
	close(fd);
}

static void
test_no_clamd(void)
{
	g_autofree char *dir = g_dir_make_tmp("test-clamd-XXXXXX", NULL);
	g_autofree char *spec = g_strdup_printf("unix:%s/none.sock", dir);
	g_autoptr(sockio_address) a = sockio_address_parse(spec, NULL);
	g_autofree char *detail = NULL;
	g_assert_cmpint(scan_text(a, "x", 1, &detail), ==, CLAMD_ERROR);
	g_assert_nonnull(strstr(detail, "cannot connect to clamd"));
	g_autoptr(GError) error = NULL;
	g_assert_false(clamd_ping(a, &quick, &error));
	g_rmdir(dir);
}

/* ---- fake clamds ------------------------------------------------------ */

enum fake_kind {
	FAKE_GARBAGE,     /* reads the stream, answers "hello" */
	FAKE_CLOSE,       /* closes at once */
	FAKE_SILENT,      /* reads the stream, never answers */
	FAKE_DEAF,        /* never reads */
	FAKE_NO_NUL,      /* "stream: OK" without the NUL, then closes */
	FAKE_SPLIT,       /* "stream: " then "OK\0" in a second write */
	FAKE_EARLY_OK,    /* answers OK before the stream ends, then closes */
	FAKE_EXTENDED,    /* "NAME(MD5:SIZE) FOUND" */
};

struct fake {
	enum fake_kind kind;
	int listener;
	char *path; /* unix socket; NULL for TCP */
	guint16 port;
	GThread *thread;
	int release[2]; /* written to end a SILENT or DEAF connection */
};

static gboolean
read_exact(int fd, void *buf, gsize n)
{
	for (gsize done = 0; done < n;) {
		ssize_t r = read(fd, (char *)buf + done, n - done);
		if (r <= 0)
			return FALSE;
		done += (gsize)r;
	}
	return TRUE;
}

/* zINSTREAM and chunks up to the zero-length one. */
static gboolean
read_stream(int fd)
{
	char cmd[10];
	if (!read_exact(fd, cmd, sizeof(cmd)) || memcmp(cmd, "zINSTREAM", 10) != 0)
		return FALSE;
	for (;;) {
		guint8 size[4];
		if (!read_exact(fd, size, 4))
			return FALSE;
		guint32 n = (guint32)size[0] << 24 | size[1] << 16 | size[2] << 8 | size[3];
		if (n == 0)
			return TRUE;
		g_autofree char *chunk = g_malloc(n);
		if (!read_exact(fd, chunk, n))
			return FALSE;
	}
}

static void
say(int fd, const char *s, gsize n)
{
	ssize_t r = write(fd, s, n);
	(void)r;
}

static gpointer
serve(gpointer data)
{
	struct fake *f = data;
	int c = accept(f->listener, NULL, NULL);
	if (c < 0)
		return NULL;
	char wait_byte;
	switch (f->kind) {
	case FAKE_GARBAGE:
		if (read_stream(c))
			say(c, "hello", 6);
		break;
	case FAKE_CLOSE:
		break;
	case FAKE_SILENT:
		read_stream(c);
		read_exact(f->release[0], &wait_byte, 1);
		break;
	case FAKE_DEAF:
		read_exact(f->release[0], &wait_byte, 1);
		break;
	case FAKE_NO_NUL:
		if (read_stream(c))
			say(c, "stream: OK", 10);
		break;
	case FAKE_SPLIT:
		if (read_stream(c)) {
			say(c, "stream: ", 8);
			g_usleep(50 * 1000);
			say(c, "OK", 3);
		}
		break;
	case FAKE_EARLY_OK:
		say(c, "stream: OK", 11);
		break;
	case FAKE_EXTENDED:
		if (read_stream(c)) {
			const char *a = "stream: Win.Test.EICAR_HDB-1(44d88612fea8a8f36de82e1278abb02f:68) FOUND";
			say(c, a, strlen(a) + 1);
		}
		break;
	}
	close(c);
	return NULL;
}

static struct fake *
fake_start(enum fake_kind kind, gboolean tcp)
{
	struct fake *f = g_new0(struct fake, 1);
	f->kind = kind;
	g_assert_cmpint(pipe(f->release), ==, 0);
	if (tcp) {
		f->listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_in sin = { .sin_family = AF_INET,
					   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t len = sizeof(sin);
		g_assert_cmpint(bind(f->listener, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
		g_assert_cmpint(getsockname(f->listener, (struct sockaddr *)&sin, &len), ==, 0);
		f->port = ntohs(sin.sin_port);
	} else {
		g_autofree char *dir = g_dir_make_tmp("fake-clamd-XXXXXX", NULL);
		f->path = g_build_filename(dir, "clamd.sock", NULL);
		f->listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		g_strlcpy(sun.sun_path, f->path, sizeof(sun.sun_path));
		g_assert_cmpint(bind(f->listener, (struct sockaddr *)&sun, sizeof(sun)), ==, 0);
	}
	/* a small receive buffer: FAKE_DEAF fills it soon */
	int small = 4096;
	setsockopt(f->listener, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	g_assert_cmpint(listen(f->listener, 4), ==, 0);
	f->thread = g_thread_new("fake-clamd", serve, f);
	return f;
}

static struct sockio_address *
fake_address(const struct fake *f)
{
	g_autofree char *spec = f->path ? g_strdup_printf("unix:%s", f->path)
					: g_strdup_printf("inet:127.0.0.1:%u", f->port);
	return sockio_address_parse(spec, NULL);
}

static void
fake_stop(struct fake *f)
{
	say(f->release[1], "x", 1);
	g_thread_join(f->thread);
	close(f->listener);
	close(f->release[0]);
	close(f->release[1]);
	if (f->path) {
		g_autofree char *dir = g_path_get_dirname(f->path);
		g_unlink(f->path);
		g_rmdir(dir);
	}
	g_free(f->path);
	g_free(f);
}

/* Scan `len` bytes with a fake; the verdict, detail in *detail. */
static enum clamd_verdict
fake_scan(enum fake_kind kind, gboolean tcp, gsize len, guint io_ms, char **detail)
{
	struct fake *f = fake_start(kind, tcp);
	g_autoptr(sockio_address) a = fake_address(f);
	struct clamd_timeouts t = { .connect_ms = 2000, .io_ms = io_ms };
	g_autofree char *data = g_malloc0(MAX(len, 1));
	enum clamd_verdict v = clamd_scan(a, &t, (const guint8 *)data, len, detail);
	fake_stop(f);
	return v;
}

static void
test_fake_garbage(void)
{
	g_autofree char *detail = NULL;
	g_assert_cmpint(fake_scan(FAKE_GARBAGE, FALSE, 100, 2000, &detail), ==, CLAMD_ERROR);
	g_assert_nonnull(strstr(detail, "unexpected answer from clamd: \"hello\""));
}

static void
test_fake_close(void)
{
	g_autofree char *detail = NULL;
	g_assert_cmpint(fake_scan(FAKE_CLOSE, FALSE, 100, 2000, &detail), ==, CLAMD_ERROR);
}

static void
test_fake_silent(void)
{
	g_autofree char *detail = NULL;
	gint64 start = g_get_monotonic_time();
	g_assert_cmpint(fake_scan(FAKE_SILENT, FALSE, 100, 300, &detail), ==, CLAMD_ERROR);
	gint64 took = g_get_monotonic_time() - start;
	g_assert_nonnull(strstr(detail, "no answer within timeout"));
	g_assert_cmpint(took, >=, 250 * 1000);
	g_assert_cmpint(took, <, 5 * G_USEC_PER_SEC);
}

static void
test_fake_deaf(void)
{
	g_autofree char *detail = NULL;
	gint64 start = g_get_monotonic_time();
	g_assert_cmpint(fake_scan(FAKE_DEAF, FALSE, 16 * 1024 * 1024, 300, &detail), ==,
			CLAMD_ERROR);
	g_assert_nonnull(strstr(detail, "took in nothing"));
	g_assert_cmpint(g_get_monotonic_time() - start, <, 5 * G_USEC_PER_SEC);
}

static void
test_fake_no_nul(void)
{
	g_autofree char *detail = NULL;
	g_assert_cmpint(fake_scan(FAKE_NO_NUL, FALSE, 100, 2000, &detail), ==, CLAMD_ERROR);
}

static void
test_fake_split_answer(void)
{
	g_autofree char *detail = NULL;
	g_assert_cmpint(fake_scan(FAKE_SPLIT, FALSE, 100, 2000, &detail), ==, CLAMD_CLEAN);
}

/* "OK" for a stream clamd did not take in whole is no verdict. */
static void
test_fake_early_ok(void)
{
	g_autofree char *detail = NULL;
	g_assert_cmpint(fake_scan(FAKE_EARLY_OK, FALSE, 8 * 1024 * 1024, 2000, &detail), ==,
			CLAMD_ERROR);
}

static void
test_fake_tcp_extended(void)
{
	g_autofree char *detail = NULL;
	g_assert_cmpint(fake_scan(FAKE_EXTENDED, TRUE, 1024 * 1024, 2000, &detail), ==,
			CLAMD_INFECTED);
	g_assert_cmpstr(detail, ==, "Win.Test.EICAR_HDB-1");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/clamd/parse-replies", test_parse_replies);
	g_test_add_func("/clamd/addresses", test_addresses);
	g_test_add_func("/clamd/real", test_real_clamd);
	g_test_add_func("/clamd/real-too-big", test_real_clamd_too_big);
	g_test_add_func("/clamd/real-fd", test_real_clamd_fd);
	g_test_add_func("/clamd/none", test_no_clamd);
	g_test_add_func("/clamd/fake-garbage", test_fake_garbage);
	g_test_add_func("/clamd/fake-close", test_fake_close);
	g_test_add_func("/clamd/fake-silent", test_fake_silent);
	g_test_add_func("/clamd/fake-deaf", test_fake_deaf);
	g_test_add_func("/clamd/fake-no-nul", test_fake_no_nul);
	g_test_add_func("/clamd/fake-split-answer", test_fake_split_answer);
	g_test_add_func("/clamd/fake-early-ok", test_fake_early_ok);
	g_test_add_func("/clamd/fake-tcp-extended", test_fake_tcp_extended);
	int rc = g_test_run();
	clamd_down();
	return rc;
}
