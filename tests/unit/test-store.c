/*
 * NAME
 *	test-store - the quarantine store against a temporary directory
 * SUMMARY
 *	Put and get (the original byte for byte, its SHA-256 checked), what
 *	a record says (attachments, encryption, malware, release), search,
 *	purge by age, size and abandonment, check and repair, PPAP pairing
 *	state (a process that died holding claims and a pairing: recovered,
 *	a submission started never again), a version 1 store upgraded,
 *	releases and their events, many threads and a second handle
 *	at once, a writer killed mid-stream (what it was told is durable is
 *	there), a full disk (RLIMIT_FSIZE), an unwritable directory and a
 *	database from a newer version.
 * DESCRIPTION
 *	Some cases reach past the interface with sqlite3 itself, to make
 *	what only a crash, a damaged disk or time could make.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <glib/gstdio.h>

#include "store.h"
#include "test-memfd.h"
#include "test-store-util.h"

static const char *self;

/* A record as cdr-milter writes it: sanitize mode, a docx sanitized
 * (macro removed) and a zip blocked as encrypted. */
static const char record_ppap[] =
	"{\"time\":\"2026-12-01T00:00:00Z\",\"sender\":\"taro@example.jp\","
	"\"recipients\":[\"soumu@city.lg.jp\",\"kikaku@city.lg.jp\"],\"action\":\"delivered\","
	"\"reason\":null,\"mode\":\"sanitize\",\"message_id\":\"<a@example.jp>\","
	"\"subject\":\"会議資料 Meeting\",\"av\":\"clean\",\"malware\":null,\"size_in\":100,"
	"\"report\":{\"verdict\":\"sanitized\",\"from\":\"山田 太郎 <Taro@Example.JP>\","
	"\"from_address\":\"Taro@Example.JP\",\"actions\":[{\"what\":\"attachment\","
	"\"where\":\"会議.zip\",\"count\":1}],\"children\":["
	"{\"name\":\"報告.docx\",\"verdict\":\"sanitized\",\"detected\":\"application/"
	"vnd.openxmlformats-officedocument.wordprocessingml.document\",\"size_in\":2048,"
	"\"actions\":[{\"what\":\"macro\",\"count\":2}],\"children\":[{\"name\":\"i.png\","
	"\"verdict\":\"sanitized\",\"actions\":[{\"what\":\"metadata\",\"count\":1}]}]},"
	"{\"name\":\"会議.zip\",\"verdict\":\"blocked\",\"error\":\"encrypted\",\"detected\":"
	"\"application/zip\",\"size_in\":176,\"actions\":[]}]}}";

/* Text mode: no children, the attachments named by their actions. */
static const char record_text[] =
	"{\"sender\":\"info@example.com\",\"recipients\":[\"staff@city.lg.jp\"],"
	"\"action\":\"delivered\",\"mode\":\"text\",\"subject\":\"Invoice\","
	"\"report\":{\"verdict\":\"sanitized\",\"actions\":[{\"what\":\"attachment\","
	"\"where\":\"invoice.pdf\",\"count\":1},{\"what\":\"header\",\"count\":1}]}}";

/* A part clamd named, and a message blocked whole as dangerous. */
static const char record_malware[] =
	"{\"sender\":\"bad@example.net\",\"recipients\":[\"staff@city.lg.jp\"],"
	"\"action\":\"delivered\",\"mode\":\"sanitize\",\"av\":\"infected\","
	"\"malware\":[\"Eicar-Signature\"],\"report\":{\"verdict\":\"sanitized\","
	"\"children\":[{\"name\":\"e.com\",\"verdict\":\"blocked\",\"error\":\"malware\","
	"\"malware\":\"Eicar-Signature\"}]}}";
static const char record_dangerous[] =
	"{\"sender\":\"bad@example.net\",\"recipients\":[\"staff@city.lg.jp\"],"
	"\"action\":\"withheld\",\"mode\":\"sanitize\",\"report\":{\"verdict\":\"blocked\","
	"\"error\":\"dangerous-content\",\"reason\":\"an executable\"}}";

static GBytes *
read_fd(int fd)
{
	GByteArray *b = g_byte_array_new();
	guint8 buf[4096];
	ssize_t n;
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		g_byte_array_append(b, buf, (guint)n);
	g_assert_cmpint(n, ==, 0);
	return g_byte_array_free_to_bytes(b);
}

static struct store_message *
message_from(const char *record)
{
	g_autoptr(GError) error = NULL;
	struct store_message *m = store_message_from_record(record, strlen(record), &error);
	g_assert_no_error(error);
	g_assert_nonnull(m);
	return m;
}

/* Put `mail` with `record`; returns the id. */
static char *
put(struct mg_store *s, const char *mail, const char *record)
{
	g_autoptr(GError) error = NULL;
	int fd = test_memfd(mail, -1);
	g_autofree char *sha = NULL;
	char *id = store_put_original(s, fd, &sha, &error);
	g_assert_no_error(error);
	g_assert_true(store_id_valid(id));
	g_autofree char *want = g_compute_checksum_for_string(G_CHECKSUM_SHA256, mail, -1);
	g_assert_cmpstr(sha, ==, want);
	close(fd);
	g_autoptr(store_message) m = message_from(record);
	g_assert_true(store_put_record(s, id, m, &error));
	g_assert_no_error(error);
	return id;
}

/* Import `mail` under `id` (an old time) with `record`. */
static void
import(struct mg_store *s, const char *id, const char *mail, const char *record)
{
	g_autoptr(GError) error = NULL;
	int fd = test_memfd(mail, -1);
	g_autoptr(store_message) m = message_from(record);
	g_assert_true(store_import(s, id, fd, m, &error));
	g_assert_no_error(error);
	close(fd);
}

/* ---- the record ---- */

static void
test_record_facts(void)
{
	g_autoptr(store_message) m = message_from(record_ppap);
	g_assert_cmpstr(m->sender, ==, "taro@example.jp");
	g_assert_cmpuint(m->recipients->len, ==, 2);
	struct store_recipient *r = m->recipients->pdata[1];
	g_assert_cmpstr(r->address, ==, "kikaku@city.lg.jp");
	g_assert_cmpstr(r->mode, ==, "sanitize");
	g_assert_cmpstr(m->header_from, ==, "山田 太郎 <Taro@Example.JP>");
	g_assert_cmpstr(m->from_address, ==, "Taro@Example.JP");
	g_assert_cmpstr(m->verdict, ==, "sanitized");
	g_assert_true(m->encrypted);
	g_assert_true(m->ppap_wait);
	g_assert_true(m->releasable);
	g_assert_null(m->malware);
	g_assert_cmpuint(m->attachments->len, ==, 2);
	struct store_attachment *docx = m->attachments->pdata[0], *zip = m->attachments->pdata[1];
	g_assert_cmpstr(docx->name, ==, "報告.docx");
	g_assert_cmpuint(docx->size, ==, 2048);
	g_assert_false(docx->encrypted);
	g_assert_cmpstr(docx->removed, ==, "2 macro, 1 metadata");
	g_assert_cmpstr(zip->verdict, ==, "blocked");
	g_assert_cmpstr(zip->error, ==, "encrypted");
	g_assert_true(zip->encrypted);
	g_assert_cmpstr(zip->removed, ==, "attachment");

	g_autoptr(store_message) t = message_from(record_text);
	g_assert_cmpuint(t->attachments->len, ==, 1);
	struct store_attachment *pdf = t->attachments->pdata[0];
	g_assert_cmpstr(pdf->name, ==, "invoice.pdf");
	g_assert_null(pdf->verdict);
	g_assert_cmpstr(pdf->removed, ==, "attachment");
	g_assert_false(t->encrypted);
	g_assert_false(t->ppap_wait);
	g_assert_true(t->releasable);

	g_autoptr(store_message) v = message_from(record_malware);
	g_assert_cmpstr(v->malware, ==, "Eicar-Signature");
	g_assert_false(v->releasable);
	g_assert_nonnull(strstr(v->not_releasable, "Eicar-Signature"));
	g_autoptr(store_message) d = message_from(record_dangerous);
	g_assert_false(d->releasable);
	g_assert_cmpstr(d->error, ==, "dangerous-content");

	/* an encrypted zip in a message that was not delivered (withheld,
	 * rejected) waits for no password mail: no follow-up may go out */
	g_auto(GStrv) parts = g_strsplit(record_ppap, "\"delivered\"", 2);
	g_assert_cmpuint(g_strv_length(parts), ==, 2);
	g_autofree char *withheld = g_strjoinv("\"withheld\"", parts);
	g_autoptr(store_message) w = message_from(withheld);
	g_assert_cmpstr(w->action, ==, "withheld");
	g_assert_true(w->encrypted);
	g_assert_false(w->ppap_wait);
}

/* A part blocked as malware that the record's own list does not name
 * (an older or edited record) still makes it not releasable; so does a
 * report too deep to judge. Members of the wrong type are ignored. */
static void
test_record_fails_closed(void)
{
	g_autoptr(store_message) m = message_from(
		"{\"recipients\":[1,\"a@b\",null],\"sender\":7,\"malware\":null,\"report\":"
		"{\"verdict\":\"sanitized\",\"children\":[{\"children\":[{\"error\":\"malware\"}]}]}}");
	g_assert_false(m->releasable);
	g_assert_cmpstr(m->malware, ==, "(unnamed)");
	g_assert_null(m->sender);
	g_assert_cmpuint(m->recipients->len, ==, 1);
	g_assert_false(m->ppap_wait);

	GString *deep = g_string_new("{\"report\":");
	for (int i = 0; i < 80; i++)
		g_string_append(deep, "{\"children\":[");
	g_string_append(deep, "{}");
	for (int i = 0; i < 80; i++)
		g_string_append(deep, "]}");
	g_string_append(deep, "}");
	g_autoptr(store_message) d = message_from(deep->str);
	g_assert_false(d->releasable);
	g_string_free(deep, TRUE);

	g_autoptr(GError) error = NULL;
	g_assert_null(store_message_from_record("[1,2]", 5, &error));
	g_assert_nonnull(error);
}

/* ---- put, get, original ---- */

static void
test_put_get(void)
{
	g_autofree char *dir = temp_dir();
	g_autoptr(mg_store) s = open_store(dir);
	const char *mail = "From: a@example.jp\r\nSubject: x\r\n\r\nbody\r\n";
	g_autofree char *id = put(s, mail, record_ppap);
	g_autoptr(GError) error = NULL;
	g_autoptr(store_message) m = store_get(s, id, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(m->id, ==, id);
	g_assert_cmpint(m->state, ==, STORE_STORED);
	g_assert_cmpuint(m->size, ==, strlen(mail));
	g_assert_cmpstr(m->subject, ==, "会議資料 Meeting");
	g_assert_cmpstr(m->record, ==, record_ppap);
	g_assert_cmpuint(m->recipients->len, ==, 2);
	g_assert_cmpuint(m->attachments->len, ==, 2);
	g_assert_true(m->encrypted);
	g_assert_null(m->release);
	g_assert_cmpint(m->time, <=, g_get_real_time() / G_USEC_PER_SEC);
	g_assert_cmpint(m->time, >, g_get_real_time() / G_USEC_PER_SEC - 60);

	int fd = store_get_original(s, id, &error);
	g_assert_no_error(error);
	g_autoptr(GBytes) back = read_fd(fd);
	close(fd);
	g_assert_cmpmem(g_bytes_get_data(back, NULL), g_bytes_get_size(back), mail, strlen(mail));

	/* the file's mode, whatever the umask */
	g_autofree char *path = g_build_filename(dir, "quarantine.sqlite", NULL);
	struct stat st;
	g_assert_cmpint(stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);

	/* a second record for the same original is refused */
	g_autoptr(store_message) again = message_from(record_text);
	g_assert_false(store_put_record(s, id, again, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_STATE);
	g_clear_error(&error);
	g_assert_null(store_get(s, "20261201T000000-000000000000", &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_null(store_get(s, "../../etc/passwd", &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
	g_clear_error(&error);

	/* an original without a record: not listed, not readable, removable */
	int efd = test_memfd("", -1);
	g_autofree char *pending = store_put_original(s, efd, NULL, &error);
	g_assert_no_error(error);
	close(efd);
	g_assert_null(store_get(s, pending, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	struct store_totals t;
	g_assert_true(store_get_totals(s, &t, &error));
	g_assert_cmpuint(t.messages, ==, 1);
	g_assert_cmpuint(t.receiving, ==, 1);
	g_assert_cmpuint(t.bytes, ==, strlen(mail));
	g_assert_true(store_remove(s, pending, &error));
	g_assert_true(store_get_totals(s, &t, &error));
	g_assert_cmpuint(t.receiving, ==, 0);

	/* an empty original is an original too */
	efd = test_memfd("", -1);
	g_autofree char *empty = store_put_original(s, efd, NULL, &error);
	close(efd);
	g_autoptr(store_message) em = message_from(record_text);
	g_assert_true(store_put_record(s, empty, em, &error));
	fd = store_get_original(s, empty, &error);
	g_assert_no_error(error);
	g_autoptr(GBytes) none = read_fd(fd);
	close(fd);
	g_assert_cmpuint(g_bytes_get_size(none), ==, 0);
	remove_tree(dir);
}

/* The writer thread keeps its statements from job to job: nothing of one
 * message's values stays bound for the next (fewer fields, no From, no
 * attachments), a failed job leaves them usable, and a store closed and
 * opened again in the same process starts with none (LeakSanitizer in the
 * ASan build sees any left behind). */
static void
test_kept_statements(void)
{
	g_autofree char *dir = temp_dir();
	const char *records[] = { record_ppap, record_text, record_malware, record_dangerous };
	for (int round = 0; round < 2; round++) {
		g_autoptr(mg_store) s = open_store(dir);
		for (guint i = 0; i < 12; i++) {
			const char *record = records[i % G_N_ELEMENTS(records)];
			g_autofree char *id = put(s, "Subject: x\r\n\r\nbody\r\n", record);
			g_autoptr(GError) error = NULL;
			g_autoptr(store_message) again = message_from(record_text);
			g_assert_false(store_put_record(s, id, again, &error));
			g_assert_error(error, STORE_ERROR, STORE_ERROR_STATE);
			g_clear_error(&error);
			g_autoptr(store_message) want = message_from(record);
			g_autoptr(store_message) got = store_get(s, id, &error);
			g_assert_no_error(error);
			g_assert_cmpstr(got->sender, ==, want->sender);
			g_assert_cmpstr(got->header_from, ==, want->header_from);
			g_assert_cmpstr(got->subject, ==, want->subject);
			g_assert_cmpstr(got->malware, ==, want->malware);
			g_assert_cmpstr(got->error, ==, want->error);
			g_assert_cmpint(got->encrypted, ==, want->encrypted);
			g_assert_cmpuint(got->recipients->len, ==, want->recipients->len);
			g_assert_cmpuint(got->attachments->len, ==, want->attachments->len);
			g_assert_cmpstr(got->record, ==, record);
		}
	}
	remove_tree(dir);
}

static void
test_ids(void)
{
	g_assert_true(store_id_valid("20261122T073000-0123456789ab"));
	const char *bad[] = { NULL,
			      "",
			      "20261122T073000-0123456789AB",
			      "20261122T073000-0123456789a",
			      "20261122X073000-0123456789ab",
			      "2026112aT073000-0123456789ab",
			      "20261322T073000-0123456789ab",
			      "20260230T073000-0123456789ab",
			      "20261122T076000-0123456789ab",
			      "../../../../../../etc/passwd" };
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_false(store_id_valid(bad[i]));
}

/* ---- search ---- */

static gboolean
collect(const struct store_message *m, gpointer data)
{
	g_ptr_array_add(data, g_strdup(m->id));
	return TRUE;
}

static guint
count(struct mg_store *s, const struct store_query *q)
{
	g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) error = NULL;
	g_assert_true(store_search(s, q, collect, ids, &error));
	g_assert_no_error(error);
	return ids->len;
}

static void
test_search(void)
{
	g_autofree char *dir = temp_dir();
	g_autoptr(mg_store) s = open_store(dir);
	import(s, "20261101T000000-000000000001", "m1", record_ppap);
	import(s, "20261102T000000-000000000002", "m2", record_text);
	import(s, "20261103T000000-000000000003", "m3", record_malware);
	import(s, "20261104T000000-000000000004", "m4", record_dangerous);
	g_assert_cmpuint(count(s, &(struct store_query){ 0 }), ==, 4);
	g_assert_cmpuint(count(s, &(struct store_query){ .sender = "EXAMPLE.NET" }), ==, 2);
	g_assert_cmpuint(count(s, &(struct store_query){ .recipient = "kikaku" }), ==, 1);
	g_assert_cmpuint(count(s, &(struct store_query){ .recipient = "city.lg.jp" }), ==, 4);
	g_assert_cmpuint(count(s, &(struct store_query){ .subject = "会議" }), ==, 1);
	g_assert_cmpuint(count(s, &(struct store_query){ .subject = "meeting" }), ==, 1);
	g_assert_cmpuint(count(s, &(struct store_query){ .subject = "%" }), ==, 0);
	g_assert_cmpuint(count(s, &(struct store_query){ .from = "山田" }), ==, 1);
	g_assert_cmpuint(count(s, &(struct store_query){ .verdict = "blocked" }), ==, 1);
	g_assert_cmpuint(count(s, &(struct store_query){ .action = "withheld" }), ==, 1);
	g_assert_cmpuint(count(s, &(struct store_query){ .encrypted = STORE_YES }), ==, 1);
	g_assert_cmpuint(count(s, &(struct store_query){ .encrypted = STORE_NO }), ==, 3);
	g_assert_cmpuint(count(s, &(struct store_query){ .malware = STORE_YES }), ==, 1);
	gint64 nov2 = 1793577600; /* 2026-11-02T00:00:00Z */
	g_assert_cmpuint(count(s, &(struct store_query){ .since = nov2 }), ==, 3);
	g_assert_cmpuint(count(s, &(struct store_query){ .until = nov2 }), ==, 1);
	g_assert_cmpuint(count(s, &(struct store_query){ .since = nov2, .until = nov2 + 86400 }),
			 ==, 1);
	g_assert_cmpuint(count(s, &(struct store_query){ .limit = 2 }), ==, 2);
	g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) error = NULL;
	struct store_query newest = { .newest_first = TRUE, .limit = 1 };
	g_assert_true(store_search(s, &newest, collect, ids, &error));
	g_assert_cmpstr(ids->pdata[0], ==, "20261104T000000-000000000004");
	remove_tree(dir);
}

/* The milter asks for every message whether its sender has an encrypted
 * message in the PPAP window (store_ppap_sender_waits()): that question
 * must read the encrypted messages only, in a new store and in one made
 * before the index. */
static gboolean
uses_encrypted_index(const char *dir)
{
	sqlite3 *db = raw(dir);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db,
				    "EXPLAIN QUERY PLAN SELECT 1 FROM messages INDEXED BY "
				    "messages_encrypted WHERE encrypted = 1 AND time >= 0 AND state = "
				    "'stored' AND action = 'delivered' AND lower(sender) = lower('x') "
				    "LIMIT 1",
				    -1, &st, NULL);
	gboolean found = FALSE;
	while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		found = found || strstr((const char *)sqlite3_column_text(st, 3),
					"USING INDEX messages_encrypted (time>?)") != NULL;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return found;
}

static gboolean
sender_waits(struct mg_store *s, const char *sender, gint64 since)
{
	g_autoptr(GError) error = NULL;
	gboolean yes = store_ppap_sender_waits(s, sender, since, &error);
	g_assert_no_error(error);
	return yes;
}

static void
test_encrypted_index(void)
{
	g_autofree char *dir = temp_dir();
	struct mg_store *s = open_store(dir);
	import(s, "20261101T000000-000000000001", "m1", record_ppap);
	import(s, "20261102T000000-000000000002", "m2", record_text);
	store_close(s);
	g_assert_true(uses_encrypted_index(dir));
	raw_exec(dir, "DROP INDEX messages_encrypted");
	g_assert_false(uses_encrypted_index(dir));
	s = open_store(dir); /* a store of an earlier build gets it */
	g_assert_true(uses_encrypted_index(dir));
	g_autoptr(store_message) m = store_get(s, "20261101T000000-000000000001", NULL);
	g_assert_nonnull(m);
	g_assert_true(m->encrypted);
	g_autofree char *upper = g_ascii_strup(m->sender, -1);
	g_assert_true(sender_waits(s, m->sender, 1));
	g_assert_true(sender_waits(s, upper, 1)); /* any case */
	g_assert_false(sender_waits(s, m->sender, m->time + 1)); /* out of the window */
	g_assert_false(sender_waits(s, "example.jp", 1)); /* whole address, not a part */
	g_assert_false(sender_waits(s, "", 1));
	g_assert_false(sender_waits(s, NULL, 1));
	g_autoptr(store_message) text = store_get(s, "20261102T000000-000000000002", NULL);
	g_assert_false(sender_waits(s, text->sender, 1)); /* not encrypted */
	raw_exec(dir, "UPDATE messages SET action = 'withheld' WHERE id = "
		      "'20261101T000000-000000000001'");
	g_assert_false(sender_waits(s, m->sender, 1)); /* not delivered */
	store_close(s);
	remove_tree(dir);
}

/* ---- purge ---- */

static void
test_purge(void)
{
	g_autofree char *dir = temp_dir();
	g_autoptr(mg_store) s = open_store(dir);
	g_autoptr(GError) error = NULL;
	import(s, "20200101T000000-000000000001", "old", record_text);
	g_autofree char *fresh = put(s, "new", record_text);
	g_assert_true(store_event_add(s, "20200101T000000-000000000001", "extract", "root", NULL,
				      NULL, &error));
	raw_exec(dir, "UPDATE events SET time = 1577836800");
	int fd = test_memfd("x", -1);
	g_autofree char *abandoned = store_put_original(s, fd, NULL, &error);
	close(fd);
	g_autofree char *young = store_put_original(s, (fd = test_memfd("y", -1)), NULL, &error);
	close(fd);
	g_autofree char *sql = g_strdup_printf("UPDATE messages SET time = time - 7200 WHERE id = '%s'",
					       abandoned);
	raw_exec(dir, sql);

	struct store_purged p;
	g_assert_true(store_purge(s, 30 * 86400, 0, &p, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(p.messages, ==, 1);
	g_assert_cmpuint(p.bytes, ==, 3);
	g_assert_cmpuint(p.abandoned, ==, 1);
	g_assert_cmpuint(p.events, ==, 1);
	struct store_totals t;
	g_assert_true(store_get_totals(s, &t, &error));
	g_assert_cmpuint(t.messages, ==, 1);
	g_assert_cmpuint(t.receiving, ==, 1); /* the young one is still being processed */
	g_autoptr(store_message) m = store_get(s, fresh, &error);
	g_assert_nonnull(m);

	/* by size: 300 messages of 10 KB, then a cap of 1 MB */
	g_autofree char *big = g_strnfill(10000, 'b');
	for (int i = 0; i < 300; i++) {
		g_autofree char *id = g_strdup_printf("20261101T%06d-000000000000", i % 60 + (i / 60) * 100);
		import(s, id, big, record_text);
	}
	g_assert_true(store_get_totals(s, &t, &error));
	g_assert_cmpuint(t.disk, >, 3000000);
	g_assert_true(store_purge(s, -1, 1000000, &p, &error));
	g_assert_no_error(error);
	g_assert_true(store_get_totals(s, &t, &error));
	g_assert_cmpuint(t.disk, <=, 1000000);
	g_assert_cmpuint(t.disk, >, 700000); /* not more than needed */
	g_assert_cmpuint(p.messages, ==, 300 - t.messages + 1);
	/* the oldest went first: the newest import and the fresh put stay */
	g_autoptr(store_message) newest = store_get(s, "20261101T000459-000000000000", &error);
	g_assert_no_error(error);
	g_autoptr(store_message) still = store_get(s, fresh, &error);
	g_assert_no_error(error);

	/* max_age 0 (cdr-quarantine purge --days 0): every message, the one
	 * stored this very second too; a negative age: none by age */
	g_autofree char *now = put(s, "now", record_text);
	g_assert_true(store_purge(s, -1, 0, &p, &error));
	g_assert_cmpuint(p.messages, ==, 0);
	g_assert_true(store_purge(s, 0, 0, &p, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(p.messages, ==, t.messages + 1);
	g_assert_true(store_get_totals(s, &t, &error));
	g_assert_cmpuint(t.messages, ==, 0);
	g_assert_null(store_get(s, now, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
	remove_tree(dir);
}

/* An import (cdr-quarantine migrate) checks the original against the
 * SHA-256 its record names: a damaged or swapped file is not imported. */
static void
test_import_checks_sha256(void)
{
	g_autofree char *dir = temp_dir();
	g_autoptr(mg_store) s = open_store(dir);
	g_autoptr(GError) error = NULL;
	g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, "original", -1);
	g_autoptr(store_message) m = message_from(record_text);
	m->sha256 = g_strdup("0000000000000000000000000000000000000000000000000000000000000000");
	int fd = test_memfd("original", -1);
	g_assert_false(store_import(s, "20261101T000000-000000000001", fd, m, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_null(store_get(s, "20261101T000000-000000000001", &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_free(m->sha256);
	m->sha256 = g_ascii_strup(sum, -1); /* hex of either case */
	g_assert_true(store_import(s, "20261101T000000-000000000001", fd, m, &error));
	g_assert_no_error(error);
	close(fd);
	g_autoptr(store_message) got = store_get(s, "20261101T000000-000000000001", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(got->sha256, ==, sum);
	remove_tree(dir);
}

/* ---- check ---- */

static void
test_check(void)
{
	g_autofree char *dir = temp_dir();
	g_autoptr(mg_store) s = open_store(dir);
	g_autoptr(GError) error = NULL;
	g_autofree char *a = put(s, "aaa", record_text);
	g_autofree char *b = put(s, "bbb", record_text);
	struct store_check c;
	g_assert_true(store_check(s, FALSE, &c, &error));
	g_assert_null(c.integrity);
	g_assert_cmpuint(c.without_original->len + c.without_record->len, ==, 0);
	store_check_clear(&c);

	/* a row without its original; an original without its row; a damaged one */
	g_autofree char *sql = g_strdup_printf(
		"DELETE FROM originals WHERE message = (SELECT seq FROM messages WHERE id = '%s');"
		"INSERT INTO originals VALUES (9999, x'00');"
		"UPDATE originals SET data = x'626262ff' WHERE message = (SELECT seq FROM messages "
		"WHERE id = '%s');",
		a, b);
	raw_exec(dir, sql);
	g_assert_cmpint(store_get_original(s, a, &error), ==, -1);
	g_assert_error(error, STORE_ERROR, STORE_ERROR_FAILED);
	g_assert_nonnull(strstr(error->message, "missing"));
	g_clear_error(&error);
	g_assert_cmpint(store_get_original(s, b, &error), ==, -1);
	g_assert_nonnull(strstr(error->message, "damaged"));
	g_clear_error(&error);
	g_assert_true(store_check(s, TRUE, &c, &error));
	g_assert_cmpuint(c.without_original->len, ==, 1);
	g_assert_cmpstr(c.without_original->pdata[0], ==, a);
	g_assert_cmpuint(c.without_record->len, ==, 1);
	g_assert_cmpstr(c.without_record->pdata[0], ==, "9999");
	store_check_clear(&c);
	g_assert_true(store_check(s, FALSE, &c, &error));
	g_assert_cmpuint(c.without_original->len + c.without_record->len, ==, 0);
	store_check_clear(&c);
	g_assert_null(store_get(s, a, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
	remove_tree(dir);
}

/* ---- PPAP ---- */

static void
test_ppap(void)
{
	g_autofree char *dir = temp_dir();
	g_autoptr(mg_store) s = open_store(dir);
	g_autoptr(GError) error = NULL;
	g_autofree char *first = put(s, "zip 1", record_ppap);
	g_usleep(1100 * 1000); /* ids and times one second apart */
	g_autofree char *second = put(s, "zip 2", record_ppap);
	g_free(put(s, "plain", record_text));
	gint64 since = g_get_real_time() / G_USEC_PER_SEC - 60;
	const char *all[] = { "KIKAKU@city.lg.jp", "soumu@city.lg.jp", "other@city.lg.jp", NULL };
	const char *some[] = { "soumu@city.lg.jp", NULL };
	g_autoptr(GPtrArray) c = store_ppap_candidates(s, "Taro@example.jp", "taro@example.jp",
						       all, since, 3, 600, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(c->len, ==, 2);
	g_assert_cmpstr(c->pdata[0], ==, second); /* nearest first */
	g_assert_cmpstr(c->pdata[1], ==, first);
	g_autoptr(GPtrArray) fewer = store_ppap_candidates(s, "taro@example.jp", "taro@example.jp",
							   some, since, 3, 600, NULL, &error);
	g_assert_cmpuint(fewer->len, ==, 0); /* kikaku would not be reached */
	g_autoptr(GPtrArray) other = store_ppap_candidates(s, "jiro@example.jp", "taro@example.jp",
							   all, since, 3, 600, NULL, &error);
	g_assert_cmpuint(other->len, ==, 0);
	g_autoptr(GPtrArray) forged = store_ppap_candidates(s, "taro@example.jp", "x@example.jp",
							    all, since, 3, 600, NULL, &error);
	g_assert_cmpuint(forged->len, ==, 0);
	g_autoptr(GPtrArray) late = store_ppap_candidates(
		s, "taro@example.jp", "taro@example.jp", all, since + 3600, 3, 600, NULL, &error);
	g_assert_cmpuint(late->len, ==, 0);

	g_assert_true(store_ppap_claim(s, second, 600, &error));
	g_assert_false(store_ppap_claim(s, second, 600, &error)); /* somebody has it */
	g_assert_error(error, STORE_ERROR, STORE_ERROR_STATE);
	g_clear_error(&error);
	g_assert_true(store_ppap_finish(s, second, STORE_PPAP_WAITING, TRUE, "3f9a0c", "cdr-milter",
					&error));
	g_autoptr(store_ppap) p = store_ppap_get(s, second, &error);
	g_assert_cmpint(p->state, ==, STORE_PPAP_WAITING);
	g_assert_cmpuint(p->tries, ==, 1);
	g_autoptr(GPtrArray) once = store_ppap_candidates(s, "taro@example.jp", "taro@example.jp",
							  all, since, 1, 600, NULL, &error);
	g_assert_cmpuint(once->len, ==, 1); /* max_tries 1: only the untried one */
	g_assert_true(store_ppap_claim(s, second, 600, &error));
	g_assert_true(store_ppap_finish(s, second, STORE_PPAP_OPENED, TRUE, NULL, "cdr-milter",
					&error));
	g_assert_false(store_ppap_claim(s, second, 0, &error));
	g_clear_error(&error);
	/* a claim left behind by a crash may be taken again once stale */
	g_assert_true(store_ppap_claim(s, first, 600, &error));
	raw_exec(dir, "UPDATE ppap_pending SET updated = updated - 1000");
	g_autoptr(GPtrArray) stale = store_ppap_candidates(s, "taro@example.jp", "taro@example.jp",
							   all, since, 3, 600, NULL, &error);
	g_assert_cmpuint(stale->len, ==, 1);
	g_assert_true(store_ppap_claim(s, first, 600, &error));
	g_assert_no_error(error);
	g_autoptr(GPtrArray) events = store_events(s, second, 0, &error);
	g_assert_cmpuint(events->len, ==, 2);
	struct store_event *e = events->pdata[0];
	g_assert_cmpstr(e->what, ==, "ppap-tried");
	g_assert_nonnull(strstr(e->detail, "3f9a0c"));
	remove_tree(dir);
}

/* ---- PPAP after a crash ---- */

/* The process that dies (--ppap-die DIR A B): claims A, claims B and
 * starts submitting its follow-up, stores a password mail whose pairing
 * it owns, prints that mail's id, and exits without closing the store
 * (as SIGKILL would: the session's lock goes with the process). */
static int
ppap_die(const char *dir, const char *a, const char *b)
{
	struct mg_store *s = open_store(dir);
	g_autoptr(GError) error = NULL;
	g_assert_true(store_ppap_claim(s, a, 600, &error));
	g_assert_true(store_ppap_claim(s, b, 600, &error));
	g_assert_true(store_ppap_submitting(s, b, "<mugaika.followup.b@gw.test>", &error));
	int fd = test_memfd("password mail", -1);
	g_autofree char *id = store_put_original(s, fd, NULL, &error);
	close(fd);
	g_autoptr(store_message) m = message_from(record_text);
	m->ppap_pair = TRUE;
	g_assert_true(store_put_record(s, id, m, &error));
	printf("%s\n", id);
	fflush(stdout);
	_exit(0);
}

static void
test_ppap_crash(void)
{
	g_autofree char *dir = temp_dir();
	g_autoptr(mg_store) s = open_store(dir);
	g_autoptr(GError) error = NULL;
	g_autofree char *a = put(s, "zip a", record_ppap);
	g_autofree char *b = put(s, "zip b", record_ppap);
	g_autofree char *c = put(s, "zip c", record_ppap);
	/* a claim of a session that lives (another handle) is left alone */
	g_autoptr(mg_store) other = open_store(dir);
	g_assert_true(store_ppap_claim(other, c, 600, &error));

	const char *argv[] = { self, "--ppap-die", dir, a, b, NULL };
	g_autofree char *out = NULL;
	int status = 0;
	g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
				   NULL, &status, &error));
	g_assert_no_error(error);
	g_assert_true(g_spawn_check_wait_status(status, NULL));
	g_autofree char *pw = g_strstrip(g_strdup(out));
	g_assert_true(store_id_valid(pw));

	/* the dead session's claims: B had started submitting */
	g_autoptr(store_ppap) pb = store_ppap_get(s, b, &error);
	g_assert_cmpint(pb->state, ==, STORE_PPAP_TRYING);
	g_assert_cmpstr(pb->submitting, ==, "<mugaika.followup.b@gw.test>");
	g_assert_nonnull(pb->owner);
	g_assert_false(store_ppap_claim(s, b, 0, &error)); /* never again, even stale */
	g_assert_error(error, STORE_ERROR, STORE_ERROR_STATE);
	g_clear_error(&error);

	struct store_ppap_recovered r;
	gint64 since = g_get_real_time() / G_USEC_PER_SEC - 60;
	g_assert_true(store_ppap_recover(s, since, 600, "test", &r, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(r.reclaimed, ==, 1);
	g_assert_cmpuint(r.failed, ==, 1);
	g_assert_cmpuint(r.expired, ==, 0);
	g_assert_cmpuint(r.pairings->len, ==, 1);
	g_assert_cmpstr(r.pairings->pdata[0], ==, pw);
	store_ppap_recovered_clear(&r);

	g_autoptr(store_ppap) pa = store_ppap_get(s, a, &error);
	g_assert_cmpint(pa->state, ==, STORE_PPAP_WAITING);
	g_assert_cmpuint(pa->tries, ==, 0); /* a crash is no try */
	g_assert_null(pa->owner);
	g_autoptr(store_ppap) pb2 = store_ppap_get(s, b, &error);
	g_assert_cmpint(pb2->state, ==, STORE_PPAP_FAILED);
	g_assert_nonnull(strstr(pb2->reason, "not submitted again"));
	g_autoptr(store_ppap) pc = store_ppap_get(s, c, &error);
	g_assert_cmpint(pc->state, ==, STORE_PPAP_TRYING); /* its session lives */
	/* what show and list read */
	g_autoptr(store_message) mb = store_get(s, b, &error);
	g_assert_cmpstr(mb->ppap, ==, "failed");
	g_assert_nonnull(strstr(mb->ppap_reason, "release"));
	g_autoptr(GPtrArray) events = store_events(s, b, 0, &error);
	struct store_event *e = events->pdata[events->len - 1];
	g_assert_cmpstr(e->what, ==, "ppap-failed");
	g_assert_nonnull(strstr(e->detail, "<mugaika.followup.b@gw.test>"));
	/* failed: no candidate any more; release still possible */
	const char *all[] = { "soumu@city.lg.jp", "kikaku@city.lg.jp", NULL };
	/* (stale 600: with 0, C's live claim counts as stale once the clock
	 * passes a second, and a slow run saw it as a candidate) */
	g_autoptr(GPtrArray) cand = store_ppap_candidates(s, "taro@example.jp", "taro@example.jp",
							  all, since, 3, 600, NULL, &error);
	g_assert_cmpuint(cand->len, ==, 1);
	g_assert_cmpstr(cand->pdata[0], ==, a);
	g_assert_true(mb->releasable);

	/* the pairing is this session's now: a second recovery leaves it */
	g_assert_true(store_ppap_recover(s, since, 600, "test", &r, &error));
	g_assert_cmpuint(r.pairings->len + r.reclaimed + r.failed, ==, 0);
	store_ppap_recovered_clear(&r);
	/* another session finds it alive; once done, nobody takes it up */
	g_assert_true(store_ppap_recover(other, since, 600, "test", &r, &error));
	g_assert_cmpuint(r.pairings->len, ==, 0);
	store_ppap_recovered_clear(&r);
	g_assert_true(store_ppap_pair_done(s, pw, &error));
	store_close(g_steal_pointer(&s));
	g_assert_true(store_ppap_recover(other, since, 600, "test", &r, &error));
	g_assert_cmpuint(r.pairings->len, ==, 0);
	store_ppap_recovered_clear(&r);

	/* crashed sessions' lock files nobody asked about: an hour old, gone
	 * when a new session starts; younger, or a live one's, kept */
	g_autofree char *sessions = g_build_filename(dir, "sessions", NULL);
	g_autofree char *old = g_build_filename(sessions, "0123456789abcdef", NULL);
	g_autofree char *young = g_build_filename(sessions, "fedcba9876543210", NULL);
	g_assert_true(g_file_set_contents(old, "", 0, NULL));
	g_assert_true(g_file_set_contents(young, "", 0, NULL));
	struct utimbuf long_ago = { .actime = 1000000000, .modtime = 1000000000 };
	g_assert_cmpint(utime(old, &long_ago), ==, 0);
	g_autoptr(mg_store) third = open_store(dir);
	g_assert_true(store_ppap_claim(third, a, 600, &error));
	g_assert_false(g_file_test(old, G_FILE_TEST_EXISTS));
	g_assert_true(g_file_test(young, G_FILE_TEST_EXISTS));
	g_autoptr(GDir) sd = g_dir_open(sessions, 0, &error);
	guint files = 0;
	while (g_dir_read_name(sd))
		files++;
	g_assert_cmpuint(files, ==, 3); /* young, other's and third's */

	/* a pairing whose password mail is older than the window is dropped */
	raw_exec(dir, "UPDATE messages SET ppap_pair = 1, ppap_pair_owner = 'ffffffffffffffff'");
	g_assert_true(store_ppap_recover(other, since + 3600, 600, "test", &r, &error));
	g_assert_cmpuint(r.expired, ==, 4); /* every message marked */
	g_assert_cmpuint(r.pairings->len, ==, 0);
	store_ppap_recovered_clear(&r);
	remove_tree(dir);
}

/* A store of version 1 (before pairings survived a crash) is upgraded
 * on open, its waiting entries kept. */
static void
test_upgrade_v1(void)
{
	g_autofree char *dir = temp_dir();
	g_autofree char *id = NULL;
	{
		g_autoptr(mg_store) s = open_store(dir);
		id = put(s, "zip", record_ppap);
	}
	raw_exec(dir,
		 "DROP INDEX messages_ppap_pair;"
		 "ALTER TABLE messages DROP COLUMN ppap_pair;"
		 "ALTER TABLE messages DROP COLUMN ppap_pair_owner;"
		 "CREATE TABLE v1 (message INTEGER PRIMARY KEY, state TEXT NOT NULL CHECK (state IN "
		 "('waiting', 'trying', 'opened', 'exhausted')), tries INTEGER NOT NULL DEFAULT 0, "
		 "updated INTEGER NOT NULL);"
		 "INSERT INTO v1 SELECT message, state, 2, updated FROM ppap_pending;"
		 "DROP TABLE ppap_pending; ALTER TABLE v1 RENAME TO ppap_pending;"
		 "CREATE INDEX ppap_pending_state ON ppap_pending (state);"
		 "PRAGMA user_version = 1;");
	g_autoptr(mg_store) s = open_store(dir);
	g_autoptr(GError) error = NULL;
	sqlite3 *db = raw(dir);
	sqlite3_stmt *st = NULL;
	g_assert_cmpint(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
	g_assert_cmpint(sqlite3_column_int(st, 0), ==, 2);
	sqlite3_finalize(st);
	sqlite3_close(db);
	g_autoptr(store_ppap) p = store_ppap_get(s, id, &error);
	g_assert_no_error(error);
	g_assert_cmpint(p->state, ==, STORE_PPAP_WAITING);
	g_assert_cmpuint(p->tries, ==, 2);
	g_assert_true(store_ppap_claim(s, id, 600, &error));
	g_assert_true(store_ppap_submitting(s, id, "<x@y>", &error));
	g_assert_true(store_ppap_fail(s, id, "a test", "test", &error));
	g_assert_no_error(error);
	remove_tree(dir);
}

/* ---- releases ---- */

static void
test_release(void)
{
	g_autofree char *dir = temp_dir();
	g_autoptr(mg_store) s = open_store(dir);
	g_autoptr(GError) error = NULL;
	g_autofree char *ok = put(s, "ok", record_text);
	g_autofree char *bad = put(s, "virus", record_malware);
	g_autofree char *exe = put(s, "exe", record_dangerous);
	const char *to[] = { "staff@city.lg.jp", NULL };
	g_assert_cmpint(store_release_request(s, bad, to, "root", "test", TRUE, &error), ==, 0);
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_RELEASABLE);
	g_clear_error(&error);
	g_assert_cmpint(store_release_request(s, exe, to, "root", "test", TRUE, &error), ==, 0);
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_RELEASABLE);
	g_clear_error(&error);

	gint64 n = store_release_request(s, ok, to, "taro", "web 192.0.2.1", FALSE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, >, 0);
	g_assert_false(store_release_claim(s, n, &error)); /* not approved yet */
	g_assert_error(error, STORE_ERROR, STORE_ERROR_STATE);
	g_clear_error(&error);
	g_assert_true(store_release_decide(s, n, TRUE, "admin", "web 192.0.2.9", NULL, &error));
	g_assert_false(store_release_decide(s, n, FALSE, "admin", NULL, "no", &error));
	g_clear_error(&error);
	g_assert_true(store_release_claim(s, n, &error));
	g_assert_false(store_release_claim(s, n, &error)); /* never twice */
	g_clear_error(&error);
	g_assert_true(store_release_finish(s, n, TRUE, "1 docx", "<r1@gw>", NULL, &error));
	g_assert_false(store_release_finish(s, n, FALSE, NULL, NULL, "x", &error));
	g_clear_error(&error);
	g_autoptr(store_message) m = store_get(s, ok, &error);
	g_assert_cmpstr(m->release, ==, "delivered");

	g_autoptr(GPtrArray) list = store_releases(s, ok, -1, &error);
	g_assert_cmpuint(list->len, ==, 1);
	struct store_release *r = list->pdata[0];
	g_assert_cmpint(r->state, ==, STORE_RELEASE_DELIVERED);
	g_assert_cmpstr(r->requested_by, ==, "taro");
	g_assert_cmpstr(r->decided_by, ==, "admin");
	g_assert_cmpstr(r->delivered_id, ==, "<r1@gw>");
	g_assert_cmpuint(r->recipients->len, ==, 1);
	g_assert_cmpstr(r->recipients->pdata[0], ==, "staff@city.lg.jp");
	g_autoptr(GPtrArray) none = store_releases(s, NULL, STORE_RELEASE_REQUESTED, &error);
	g_assert_cmpuint(none->len, ==, 0);

	g_autoptr(GPtrArray) events = store_events(s, ok, 0, &error);
	const char *want[] = { "release-requested", "release-approved", "release-sending",
			       "release-delivered" };
	g_assert_cmpuint(events->len, ==, G_N_ELEMENTS(want));
	for (guint i = 0; i < G_N_ELEMENTS(want); i++)
		g_assert_cmpstr(((struct store_event *)events->pdata[i])->what, ==, want[i]);
	g_assert_cmpstr(((struct store_event *)events->pdata[1])->origin, ==, "web 192.0.2.9");
	g_autoptr(GPtrArray) last = store_events(s, NULL, 1, &error);
	g_assert_cmpuint(last->len, ==, 1);
	g_assert_cmpstr(((struct store_event *)last->pdata[0])->what, ==, "release-delivered");
	/* the events outlive the message */
	g_assert_true(store_remove(s, ok, &error));
	g_autoptr(GPtrArray) after = store_events(s, ok, 0, &error);
	g_assert_cmpuint(after->len, ==, G_N_ELEMENTS(want));
	remove_tree(dir);
}

/* The process that dies (--release-die DIR A B): claims releases A and
 * B, records the Message-ID of B's submission, and exits without
 * closing the store (as SIGKILL would). */
static int
release_die(const char *dir, const char *a, const char *b)
{
	struct mg_store *s = open_store(dir);
	g_autoptr(GError) error = NULL;
	g_assert_true(store_release_claim(s, g_ascii_strtoll(a, NULL, 10), &error));
	g_assert_true(store_release_claim(s, g_ascii_strtoll(b, NULL, 10), &error));
	g_assert_true(store_release_submitting(s, g_ascii_strtoll(b, NULL, 10),
					       "<mugaika.release.b@gw.test>", &error));
	_exit(0);
}

static struct store_release *
release_numbered(struct mg_store *s, gint64 number)
{
	g_autoptr(GPtrArray) all = store_releases(s, NULL, -1, NULL);
	for (guint i = 0; all && i < all->len; i++)
		if (((struct store_release *)all->pdata[i])->number == number)
			return g_ptr_array_steal_index(all, i);
	g_assert_not_reached();
}

static void
test_release_crash(void)
{
	g_autofree char *dir = temp_dir();
	g_autoptr(mg_store) s = open_store(dir);
	g_autoptr(GError) error = NULL;
	g_autofree char *id = put(s, "ok", record_text);
	gint64 n[4];
	const char *to[] = { "staff@city.lg.jp", NULL };
	for (guint i = 0; i < G_N_ELEMENTS(n); i++) {
		n[i] = store_release_request(s, id, to, "root", "test", TRUE, &error);
		g_assert_cmpint(n[i], >, 0);
	}
	/* a claim of a session that lives (another handle) is never touched */
	g_autoptr(mg_store) other = open_store(dir);
	g_assert_true(store_release_claim(other, n[2], &error));
	/* only the claim's own session may record a submission */
	g_assert_false(store_release_submitting(s, n[2], "<x@gw.test>", &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_STATE);
	g_clear_error(&error);
	g_assert_false(store_release_submitting(s, n[3], "<x@gw.test>", &error)); /* approved */
	g_assert_error(error, STORE_ERROR, STORE_ERROR_STATE);
	g_clear_error(&error);

	g_autofree char *a = g_strdup_printf("%" G_GINT64_FORMAT, n[0]);
	g_autofree char *b = g_strdup_printf("%" G_GINT64_FORMAT, n[1]);
	const char *argv[] = { self, "--release-die", dir, a, b, NULL };
	int status = 0;
	g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
				   NULL, &status, &error));
	g_assert_true(g_spawn_check_wait_status(status, NULL));
	/* before recovery: stuck "sending", never claimed again */
	g_assert_false(store_release_claim(s, n[1], &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_STATE);
	g_clear_error(&error);

	struct store_release_recovered r;
	g_assert_true(store_release_recover(s, "test", &r, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(r.approved->len, ==, 1);
	g_assert_cmpint(g_array_index(r.approved, gint64, 0), ==, n[0]);
	g_assert_cmpuint(r.uncertain->len, ==, 1);
	g_assert_cmpint(g_array_index(r.uncertain, gint64, 0), ==, n[1]);
	store_release_recovered_clear(&r);

	/* A: no submission had started: approved again, and deliverable */
	g_autoptr(store_release) ra = release_numbered(s, n[0]);
	g_assert_cmpint(ra->state, ==, STORE_RELEASE_APPROVED);
	g_assert_true(g_str_has_prefix(ra->reason, STORE_RELEASE_INTERRUPTED));
	g_assert_false(store_release_uncertain(ra));
	/* B: it had: failed, uncertain, naming the Message-ID; never again */
	g_autoptr(store_release) rb = release_numbered(s, n[1]);
	g_assert_cmpint(rb->state, ==, STORE_RELEASE_FAILED);
	g_assert_true(store_release_uncertain(rb));
	g_assert_nonnull(strstr(rb->reason, "LGWAN mail server's log for Message-ID "
					    "<mugaika.release.b@gw.test>"));
	g_assert_cmpstr(rb->delivered_id, ==, "<mugaika.release.b@gw.test>");
	g_assert_cmpint(rb->finished_at, >, 0);
	g_assert_false(store_release_claim(s, n[1], &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_STATE);
	g_clear_error(&error);
	/* C: its session lives */
	g_autoptr(store_release) rc = release_numbered(s, n[2]);
	g_assert_cmpint(rc->state, ==, STORE_RELEASE_SENDING);
	/* the events: B's submission, then its failure, both with the Message-ID */
	g_autoptr(GPtrArray) events = store_events(s, id, 0, &error);
	guint submitting = 0, failed = 0, recovered = 0;
	for (guint i = 0; i < events->len; i++) {
		const struct store_event *e = events->pdata[i];
		gboolean names = e->detail && strstr(e->detail, "<mugaika.release.b@gw.test>");
		submitting += strcmp(e->what, "release-submitting") == 0 && names;
		failed += strcmp(e->what, "release-failed") == 0 && names &&
			  g_strcmp0(e->by, "test") == 0;
		recovered += strcmp(e->what, "release-recovered") == 0;
	}
	g_assert_cmpuint(submitting, ==, 1);
	g_assert_cmpuint(failed, ==, 1);
	g_assert_cmpuint(recovered, ==, 1);

	/* A claimed again by this session: another session's recovery
	 * leaves it (alive), as this one leaves C */
	g_assert_true(store_release_claim(s, n[0], &error));
	g_assert_true(store_release_submitting(s, n[0], "<mugaika.release.a@gw.test>", &error));
	g_assert_true(store_release_recover(other, "test", &r, &error));
	g_assert_cmpuint(r.approved->len + r.uncertain->len, ==, 0);
	store_release_recovered_clear(&r);
	g_assert_true(store_release_recover(s, "test", &r, &error));
	g_assert_cmpuint(r.approved->len + r.uncertain->len, ==, 0);
	store_release_recovered_clear(&r);
	g_assert_true(store_release_finish(s, n[0], TRUE, "1 docx", "<mugaika.release.a@gw.test>",
					   NULL, &error));
	/* a claim without an owner (a build before owners): left alone */
	g_autofree char *sql = g_strdup_printf("UPDATE releases SET state = 'sending', owner = "
					       "NULL WHERE number = %" G_GINT64_FORMAT, n[3]);
	raw_exec(dir, sql);
	/* C's session ends (closed): its claim is taken up, approved again */
	store_close(g_steal_pointer(&other));
	g_assert_true(store_release_recover(s, "test", &r, &error));
	g_assert_cmpuint(r.approved->len, ==, 1);
	g_assert_cmpint(g_array_index(r.approved, gint64, 0), ==, n[2]);
	g_assert_cmpuint(r.uncertain->len, ==, 0);
	store_release_recovered_clear(&r);
	g_autoptr(store_release) rd = release_numbered(s, n[3]);
	g_assert_cmpint(rd->state, ==, STORE_RELEASE_SENDING);
	remove_tree(dir);
}

/* A store of this version made before releases had owners gets the
 * columns on open. */
static void
test_release_columns(void)
{
	g_autofree char *dir = temp_dir();
	g_autoptr(GError) error = NULL;
	store_close(open_store(dir));
	raw_exec(dir, "ALTER TABLE releases DROP COLUMN owner;"
		      "ALTER TABLE releases DROP COLUMN submitting");
	g_autoptr(mg_store) s = open_store(dir);
	g_autofree char *id = put(s, "ok", record_text);
	const char *to[] = { "staff@city.lg.jp", NULL };
	gint64 n = store_release_request(s, id, to, "root", "test", TRUE, &error);
	g_assert_true(store_release_claim(s, n, &error));
	g_assert_true(store_release_submitting(s, n, "<x@gw.test>", &error));
	g_assert_no_error(error);
	store_close(g_steal_pointer(&s));
	g_autoptr(mg_store) again = open_store(dir); /* and opens it again as it is */
	g_assert_nonnull(again);
	remove_tree(dir);
}

/* ---- concurrency ---- */

struct worker_args {
	struct mg_store *store;
	int n;
	GPtrArray *ids; /* out */
};

static gpointer
writer_thread(gpointer data)
{
	struct worker_args *w = data;
	w->ids = g_ptr_array_new_with_free_func(g_free);
	for (int i = 0; i < w->n; i++) {
		g_autofree char *mail = g_strdup_printf("message %p %d", (void *)w, i);
		g_ptr_array_add(w->ids, put(w->store, mail, record_ppap));
	}
	return NULL;
}

static gpointer
reader_thread(gpointer data)
{
	struct mg_store *s = data;
	for (int i = 0; i < 20; i++) {
		struct store_query q = { .recipient = "soumu", .details = TRUE };
		count(s, &q);
		struct store_purged p;
		g_autoptr(GError) error = NULL;
		g_assert_true(store_purge(s, 365 * 86400, 0, &p, &error));
		g_assert_no_error(error);
	}
	return NULL;
}

/* Sixteen threads store at once while a second handle (as another
 * process would) searches and purges. */
static void
test_threads(void)
{
	g_autofree char *dir = temp_dir();
	g_autoptr(mg_store) s = open_store(dir);
	g_autoptr(mg_store) other = open_store(dir);
	struct worker_args w[16];
	GThread *t[16];
	for (int i = 0; i < 16; i++) {
		w[i] = (struct worker_args){ .store = s, .n = 25 };
		t[i] = g_thread_new("writer", writer_thread, &w[i]);
	}
	GThread *r = g_thread_new("reader", reader_thread, other);
	for (int i = 0; i < 16; i++)
		g_thread_join(t[i]);
	g_thread_join(r);
	g_autoptr(GError) error = NULL;
	struct store_totals tot;
	g_assert_true(store_get_totals(other, &tot, &error));
	g_assert_cmpuint(tot.messages, ==, 16 * 25);
	for (int i = 0; i < 16; i++) {
		for (guint j = 0; j < w[i].ids->len; j++) {
			g_autoptr(store_message) m = store_get(other, w[i].ids->pdata[j], &error);
			g_assert_no_error(error);
			g_assert_cmpuint(m->recipients->len, ==, 2);
		}
		g_ptr_array_unref(w[i].ids);
	}
	remove_tree(dir);
}

/* ---- crash ---- */

/* The child: store messages forever, printing each id once its record
 * is durable. */
static int
crash_writer(const char *dir)
{
	g_autoptr(mg_store) s = open_store(dir);
	for (int i = 0;; i++) {
		g_autofree char *fill = g_strnfill(i % 5000, 'x');
		g_autofree char *mail = g_strdup_printf("crash test %d %s", i, fill);
		g_autofree char *id = put(s, mail, record_text);
		printf("%s %d\n", id, i);
		fflush(stdout);
	}
	return 0;
}

static void
test_killed_writer(void)
{
	g_autofree char *dir = temp_dir();
	const char *argv[] = { self, "--crash-writer", dir, NULL };
	GPid pid;
	int out;
	g_autoptr(GError) error = NULL;
	g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL,
					       NULL, &pid, NULL, &out, NULL, &error));
	FILE *f = fdopen(out, "r");
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	char line[256];
	while (lines->len < 200 && fgets(line, sizeof(line), f))
		g_ptr_array_add(lines, g_strdup(line));
	kill(pid, SIGKILL);
	int status;
	waitpid(pid, &status, 0);
	fclose(f);
	g_assert_cmpuint(lines->len, ==, 200);

	g_autoptr(mg_store) s = open_store(dir);
	for (guint i = 0; i < lines->len; i++) {
		char id[64];
		int n;
		g_assert_cmpint(sscanf(lines->pdata[i], "%63s %d", id, &n), ==, 2);
		int fd = store_get_original(s, id, &error);
		g_assert_no_error(error);
		g_autoptr(GBytes) b = read_fd(fd);
		close(fd);
		g_autofree char *fill = g_strnfill(n % 5000, 'x');
		g_autofree char *want = g_strdup_printf("crash test %d %s", n, fill);
		g_assert_cmpmem(g_bytes_get_data(b, NULL), g_bytes_get_size(b), want, strlen(want));
	}
	struct store_check c;
	g_assert_true(store_check(s, FALSE, &c, &error));
	g_assert_null(c.integrity);
	g_assert_cmpuint(c.without_original->len + c.without_record->len, ==, 0);
	store_check_clear(&c);
	remove_tree(dir);
}

/* ---- failures ---- */

static void
test_full_disk(void)
{
	g_autofree char *dir = temp_dir();
	g_autoptr(mg_store) s = open_store(dir);
	g_autoptr(GError) error = NULL;
	g_autofree char *small = put(s, "fits", record_text);
	g_autofree char *big = g_strnfill(1024 * 1024, 'z');
	int fd = test_memfd(big, -1);
	struct rlimit old, lim;
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 256 * 1024;
	signal(SIGXFSZ, SIG_IGN);
	g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &lim), ==, 0);
	g_autofree char *id = store_put_original(s, fd, NULL, &error);
	close(fd);
	g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &old), ==, 0);
	g_assert_null(id);
	g_assert_error(error, STORE_ERROR, STORE_ERROR_FAILED);
	g_clear_error(&error);
	/* and afterwards all is well */
	g_autofree char *next = put(s, "after", record_text);
	g_autoptr(store_message) m = store_get(s, small, &error);
	g_assert_no_error(error);
	remove_tree(dir);
}

static void
test_unwritable(void)
{
	g_autofree char *dir = temp_dir();
	g_autoptr(GError) error = NULL;
	/* a file where the directory should be (root may write anywhere else) */
	g_autofree char *file = g_build_filename(dir, "file", NULL);
	g_assert_true(g_file_set_contents(file, "", 0, NULL));
	g_autofree char *under = g_build_filename(file, "quarantine", NULL);
	g_assert_null(store_open(under, STORE_CREATE, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_FAILED);
	g_clear_error(&error);
	g_autofree char *missing = g_build_filename(dir, "none", NULL);
	g_assert_null(store_open(missing, 0, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* a database from a newer mugaika, and a database that is not ours */
	g_autofree char *newer = g_build_filename(dir, "newer", NULL);
	store_close(open_store(newer));
	raw_exec(newer, "PRAGMA user_version = 99");
	g_assert_null(store_open(newer, STORE_CREATE, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_VERSION);
	g_clear_error(&error);
	g_autofree char *foreign = g_build_filename(dir, "foreign", NULL);
	g_assert_cmpint(g_mkdir(foreign, 0700), ==, 0);
	raw_exec(foreign, "CREATE TABLE t (x)");
	g_assert_null(store_open(foreign, STORE_CREATE, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_VERSION);
	remove_tree(dir);
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--crash-writer") == 0)
		return crash_writer(argv[2]);
	if (argc == 5 && strcmp(argv[1], "--ppap-die") == 0)
		return ppap_die(argv[2], argv[3], argv[4]);
	if (argc == 5 && strcmp(argv[1], "--release-die") == 0)
		return release_die(argv[2], argv[3], argv[4]);
	self = argv[0];
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/store/record-facts", test_record_facts);
	g_test_add_func("/store/record-fails-closed", test_record_fails_closed);
	g_test_add_func("/store/ids", test_ids);
	g_test_add_func("/store/kept-statements", test_kept_statements);
	g_test_add_func("/store/put-get", test_put_get);
	g_test_add_func("/store/search", test_search);
	g_test_add_func("/store/encrypted-index", test_encrypted_index);
	g_test_add_func("/store/purge", test_purge);
	g_test_add_func("/store/import-checks-sha256", test_import_checks_sha256);
	g_test_add_func("/store/check", test_check);
	g_test_add_func("/store/ppap", test_ppap);
	g_test_add_func("/store/ppap-crash", test_ppap_crash);
	g_test_add_func("/store/upgrade-v1", test_upgrade_v1);
	g_test_add_func("/store/release", test_release);
	g_test_add_func("/store/release-crash", test_release_crash);
	g_test_add_func("/store/release-columns", test_release_columns);
	g_test_add_func("/store/threads", test_threads);
	g_test_add_func("/store/killed-writer", test_killed_writer);
	g_test_add_func("/store/full-disk", test_full_disk);
	g_test_add_func("/store/unwritable", test_unwritable);
	return g_test_run();
}
