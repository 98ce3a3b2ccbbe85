/*
 * NAME
 *	worker.c - cdr-worker: sanitize jobs from the pool inside the sandbox
 * SUMMARY
 *	Everything that needs the file system happens before the sandbox is
 *	applied. Then: receive an input memfd, run the engine, send back the
 *	report and the output as sealed memfds. Exits on EOF. Bytes the
 *	engine wants scanned (decrypted content) go to the front end as a
 *	sealed memfd over the same socket; the worker waits for the verdict.
 * DESCRIPTION
 *	A fatal GLib error (typically "failed to allocate N bytes" when the
 *	address-space limit is hit) is sent to the pool as a FATAL message
 *	before the process dies, so the pool can say "memory limit" rather
 *	than "crash". _exit() everywhere: no atexit work (LeakSanitizer would
 *	need system calls the sandbox forbids).
 */
#include "worker.h"

#include <errno.h>
#include <malloc.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"
#include "wire.h"

#define WORKER_MMAP_THRESHOLD (64 * 1024 * 1024)  /* larger blocks still mmap */
#define WORKER_TRIM_THRESHOLD (128 * 1024 * 1024) /* free heap kept for the next job */

static void
send_fatal(const char *message)
{
	struct cdr_wire_header h = {
		.magic = CDR_WIRE_MAGIC, .kind = CDR_WIRE_FATAL,
		.len = (guint32)MIN(strlen(message), 1024),
	};
	cdr_wire_send(CDR_WORKER_SOCKET_FD, &h, message, NULL, 0);
}

static void
log_handler(const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
	if (level & (G_LOG_FLAG_FATAL | G_LOG_LEVEL_ERROR)) {
		send_fatal(message);
		_exit(70);
	}
	if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
		g_printerr("cdr-worker: %s%s%s\n", domain ? domain : "", domain ? ": " : "", message);
}

static GLogWriterOutput
log_writer(GLogLevelFlags level, const GLogField *fields, gsize n, gpointer data)
{
	const char *message = "";
	for (gsize i = 0; i < n; i++)
		if (strcmp(fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
			message = fields[i].value;
	log_handler(NULL, level, message, NULL);
	return G_LOG_WRITER_HANDLED;
}

G_GNUC_NORETURN static void
die(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static void
die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_printerr("cdr-worker: %s\n", msg);
	send_fatal(msg);
	_exit(2);
}

static struct cdr_policy *
read_policy(void)
{
	gsize len = 0;
	g_autoptr(GError) error = NULL;
	guint8 *data = cdr_map_fd(CDR_WORKER_POLICY_FD, &len);
	if (!data)
		die("cannot read the policy: %s", g_strerror(errno));
	struct cdr_policy *p =
		cdr_policy_load_data((const char *)data, len, "policy from front end", &error);
	cdr_unmap(data, len);
	close(CDR_WORKER_POLICY_FD);
	if (!p)
		die("%s", error->message);
	return p;
}

/* A memfd with the report; blocks the report first if the output could
 * not be written (e.g. over RLIMIT_FSIZE). */
static void
send_reply(struct cdr_report *report, GByteArray *out)
{
	int fds[2] = { -1, -1 };
	unsigned nfds = 1;

	if (out) {
		fds[1] = cdr_memfd_from_bytes("cdr-output", out->data, out->len);
		if (fds[1] < 0) {
			g_autofree char *why = g_strdup_printf("cannot store the output: %s",
							       g_strerror(errno));
			report->verdict = CDR_BLOCKED;
			cdr_report_block(report, errno == EFBIG ? CDR_E_LIMIT : CDR_E_INTERNAL, why);
		} else {
			nfds = 2;
		}
	}
	g_autofree char *json = cdr_report_to_json_string(report);
	fds[0] = cdr_memfd_from_bytes("cdr-report", json, strlen(json));
	if (fds[0] < 0)
		die("cannot store the report: %s", g_strerror(errno));
	struct cdr_wire_header h = {
		.magic = CDR_WIRE_MAGIC, .kind = CDR_WIRE_REPLY, .verdict = report->verdict,
	};
	if (!cdr_wire_send(CDR_WORKER_SOCKET_FD, &h, NULL, fds, nfds))
		_exit(errno == EPIPE ? 0 : 2);
	for (unsigned i = 0; i < nfds; i++)
		close(fds[i]);
}

/* The next message from the pool into buf (a header and up to size -
 * header - 1 bytes): of `kind`, with `want_fds` descriptors; its payload
 * NUL-terminated. Exits on EOF, dies on anything else. */
static struct cdr_wire_header *
receive_from_pool(void *buf, gsize size, enum cdr_wire_kind kind, unsigned want_fds, int *fds,
		  const char *what)
{
	unsigned nfds = 0;
	gssize n = cdr_wire_recv(CDR_WORKER_SOCKET_FD, buf, size - 1, fds, &nfds);
	if (n == 0)
		_exit(0);
	struct cdr_wire_header *h = buf;
	if (n < 0 || h->kind != kind || nfds != want_fds)
		die("bad %s from the pool", what);
	((char *)(h + 1))[h->len] = '\0';
	return h;
}

/* The engine's scanner (cdr_engine_set_scanner): ask the front end. */
static enum cdr_scan_result
scan_by_front_end(const guint8 *data, gsize len, const char *name, char **detail, gpointer unused)
{
	int fd = cdr_memfd_from_bytes("cdr-scan", data, len);
	if (fd < 0 && errno == EFBIG) {
		*detail = g_strdup("too large to hand to the virus scanner");
		return CDR_SCAN_REFUSED;
	}
	if (fd < 0) {
		*detail = g_strdup_printf("cannot hand the bytes to the virus scanner: %s",
					  g_strerror(errno));
		return CDR_SCAN_FAILED;
	}
	const char *shown = name ? name : "";
	struct cdr_wire_header h = {
		.magic = CDR_WIRE_MAGIC, .kind = CDR_WIRE_SCAN,
		.len = (guint32)MIN(strlen(shown), CDR_WIRE_MAX_SCAN_NAME),
	};
	gboolean sent = cdr_wire_send(CDR_WORKER_SOCKET_FD, &h, shown, &fd, 1);
	close(fd);
	if (!sent)
		_exit(errno == EPIPE ? 0 : 2);
	struct {
		struct cdr_wire_header h;
		char payload[CDR_WIRE_MAX_DETAIL + 1];
	} msg;
	int fds[CDR_WIRE_MAX_FDS];
	receive_from_pool(&msg, sizeof(msg), CDR_WIRE_SCAN_RESULT, 0, fds, "scan result");
	if (msg.h.verdict >= CDR_SCAN_COUNT)
		die("bad scan result from the pool");
	*detail = g_strdup(msg.payload);
	return (enum cdr_scan_result)msg.h.verdict;
}

static void
serve_one(struct cdr_engine *engine, const char *name, const struct cdr_run_params *params,
	  int in_fd)
{
	gsize len = 0;
	guint8 *data = cdr_map_fd(in_fd, &len);
	GByteArray *out = NULL;
	struct cdr_report *report;

	if (data) {
		report = cdr_engine_run_with(engine, data, len, name, params, &out);
		cdr_unmap(data, len);
	} else {
		report = cdr_report_new(name);
		cdr_report_block(report, CDR_E_INTERNAL, "cannot map the input");
	}
	close(in_fd);
	send_reply(report, out);
	if (out)
		g_byte_array_unref(out);
	cdr_report_free(report);
}

void
cdr_worker_main(int argc, char **argv, const struct cdr_handler *const *extra)
{
	g_autoptr(GError) error = NULL;

	if (argc != 2 || strcmp(argv[1], "--worker") != 0 || isatty(CDR_WORKER_SOCKET_FD)) {
		g_printerr("cdr-worker is started by cdr-file and cdr-milter, not by hand\n");
		_exit(2);
	}
	/* A library that prints to stdout must never write into cdr-file -c's
	 * output (the front end's stdout, which we inherited). */
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		_exit(2);
	g_log_set_default_handler(log_handler, NULL);
	g_log_set_writer_func(log_writer, NULL, NULL);

	/* Buffers of a few MB to tens of MB come and go with every job (a PDF
	 * rewrite holds input, qpdf's output and ours). From glibc's mmap they
	 * are fresh pages each time: about as much system time as the work
	 * itself. From the heap, kept between jobs, they are reused. */
	mallopt(M_MMAP_THRESHOLD, WORKER_MMAP_THRESHOLD);
	mallopt(M_TRIM_THRESHOLD, WORKER_TRIM_THRESHOLD);

	struct cdr_policy *policy = read_policy();
	struct cdr_engine *engine = cdr_engine_new(policy, extra, &error);
	if (!engine)
		die("%s", error->message);
	/* inputs arrive as memfds mapped read-only (cdr_map_fd) */
	cdr_engine_set_input_mapped(engine, TRUE);
	cdr_engine_set_scanner(engine, scan_by_front_end, NULL);
	if (!cdr_sandbox_apply(policy, &error))
		die("sandbox: %s", error->message);

	for (;;) {
		struct {
			struct cdr_wire_header h;
			char payload[CDR_WIRE_MAX_REQUEST + 1];
		} msg;
		int fds[CDR_WIRE_MAX_FDS];
		/* name NUL mode NUL id NUL handler NUL passwords NUL infected NUL
		 * mail-build NUL mask NUL links NUL release-url: the last
		 * terminated by receive_from_pool() */
		receive_from_pool(&msg, sizeof(msg), CDR_WIRE_REQUEST, 1, fds, "request");
		const char *end = msg.payload + msg.h.len;
		const char *field[10] = { msg.payload };
		for (gsize i = 1; i < G_N_ELEMENTS(field); i++) {
			field[i] = field[i - 1] + strlen(field[i - 1]) + 1;
			if (field[i] > end)
				die("bad request from the pool");
		}
		for (gsize i = 0; i < G_N_ELEMENTS(field); i++)
			if (!*field[i])
				field[i] = NULL; /* empty: not given */
		struct cdr_run_params params = {
			.mail_mode = field[1],
			.quarantine_id = field[2],
			.handler = field[3],
			.passwords = field[4],
			.infected = field[5],
			.mail_build = field[6],
			.mask = field[7],
			.mail_links = field[8],
			.release_url = field[9],
		};
		serve_one(engine, field[0], &params, fds[0]);
	}
}
