/*
 * NAME
 *	summary.c - per-file JSON Lines records and the human summary
 * SUMMARY
 *	One JSON object per input file: the engine's report (verdict, reason,
 *	actions, children) plus what only the front end knows (paths, hashes,
 *	where the output went). Records are written as files finish, so a
 *	run that is interrupted still leaves a valid report of what was done.
 *	Files the virus scanner ([av]) found something in come first in the
 *	closing summary, with the signature names.
 */
#include "summary.h"

#include <string.h>

#include <openssl/evp.h>

#include "display.h"
#include "names.h"
#include "wire.h"

struct blocked_file {
	char *path;
	char *reason;
};

struct summary {
	GMutex lock;
	FILE *report;
	unsigned counts[3];
	unsigned write_errors;
	unsigned infected_files;
	unsigned unscanned; /* blocked as scan-unavailable */
	guint64 bytes_in, bytes_out;
	GPtrArray *blocked;
	GPtrArray *infected; /* struct blocked_file: reason = what was found */
};

static void
blocked_file_free(gpointer p)
{
	struct blocked_file *b = p;
	g_free(b->path);
	g_free(b->reason);
	g_free(b);
}

struct summary *
summary_new(FILE *report)
{
	struct summary *s = g_new0(struct summary, 1);
	g_mutex_init(&s->lock);
	s->report = report;
	s->blocked = g_ptr_array_new_with_free_func(blocked_file_free);
	s->infected = g_ptr_array_new_with_free_func(blocked_file_free);
	return s;
}

void
summary_free(struct summary *s)
{
	if (!s)
		return;
	g_mutex_clear(&s->lock);
	g_ptr_array_unref(s->blocked);
	g_ptr_array_unref(s->infected);
	g_free(s);
}

/* Below this, GChecksum: libcrypto's first use (its configuration and
 * providers) costs 1-2 ms, most of what cdr-file -c on a short text pays
 * on its own side. A tree run still takes it once, for its first larger
 * file. */
#define SHA256_SMALL (4 * 1024)

/* libcrypto, not GChecksum, for the rest: about twice as fast here, and
 * every byte of every file is hashed twice (input and output). */
gboolean
sha256_of_fd(int fd, char hex[65])
{
	gsize len = 0;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	guint8 *data = cdr_map_fd(fd, &len);
	if (!data)
		return FALSE;
	if (len <= SHA256_SMALL) {
		g_autofree char *small = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);
		cdr_unmap(data, len);
		if (!small || strlen(small) != 64)
			return FALSE;
		memcpy(hex, small, 65);
		return TRUE;
	}
	gboolean ok = EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) == 1;
	cdr_unmap(data, len);
	for (unsigned i = 0; ok && i < md_len && i < 32; i++)
		g_snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return ok;
}

static void
set_string(JsonObject *o, const char *key, const char *value)
{
	if (value && *value)
		json_object_set_string_member(o, key, value);
	else
		json_object_set_null_member(o, key);
}

static char *
record_json(const struct file_result *r)
{
	g_autoptr(JsonNode) node = cdr_report_to_json(r->report);
	JsonObject *o = json_node_get_object(node);
	g_autofree char *clean = cdr_name_sanitize(r->report->name);
	g_autofree char *declared = cdr_name_extension(clean);

	g_autofree char *path = display_json_path(r->path);
	set_string(o, "path", path);
	if (!json_object_has_member(o, "detected"))
		set_string(o, "detected", NULL);
	set_string(o, "output", r->output);
	set_string(o, "declared", declared);
	set_string(o, "sha256_in", r->sha256_in);
	set_string(o, "sha256_out", r->sha256_out);
	if (r->write_error)
		set_string(o, "write_error", r->write_error);
	return cdr_json_to_string(node);
}

static void
add_line(GPtrArray *list, const char *path, const char *reason)
{
	struct blocked_file *b = g_new0(struct blocked_file, 1);
	b->path = display_terminal(path);
	b->reason = display_terminal(reason);
	g_ptr_array_add(list, b);
}

/* Every object of the tree the virus scanner named: "SIG" for the file
 * itself, "SIG in member" for what was inside. Locked. */
static void
add_infected(struct summary *s, const char *path, const struct cdr_report *top,
	     const struct cdr_report *r)
{
	if (r->verdict == CDR_BLOCKED && r->error == CDR_E_MALWARE) {
		g_autofree char *what = r == top ? g_strdup(r->malware)
						 : g_strdup_printf("%s in %s", r->malware,
								   r->name ? r->name : "a member");
		add_line(s->infected, path, what);
	}
	for (guint i = 0; i < r->children->len; i++)
		add_infected(s, path, top, r->children->pdata[i]);
}

void
summary_add(struct summary *s, const struct file_result *r)
{
	g_autofree char *line = s->report ? record_json(r) : NULL;

	g_mutex_lock(&s->lock);
	s->counts[MIN((unsigned)r->report->verdict, 2u)]++;
	s->bytes_in += r->report->size_in;
	s->bytes_out += r->report->size_out;
	if (r->write_error)
		s->write_errors++;
	gboolean infected = cdr_report_find_malware(r->report) != NULL;
	if (r->report->verdict == CDR_BLOCKED && r->report->error == CDR_E_SCAN)
		s->unscanned++;
	if (infected) {
		s->infected_files++;
		add_infected(s, r->path, r->report, r->report);
	}
	/* a file blocked for its virus is listed once, with the infected */
	if (r->write_error || (r->report->verdict == CDR_BLOCKED &&
			       !(infected && r->report->error == CDR_E_MALWARE)))
		add_line(s->blocked, r->path,
			 r->write_error ? r->write_error
					: r->report->reason ? r->report->reason : "blocked");
	if (line) {
		fputs(line, s->report);
		fputc('\n', s->report);
		fflush(s->report);
	}
	g_mutex_unlock(&s->lock);
}

unsigned
summary_done(struct summary *s)
{
	g_mutex_lock(&s->lock);
	unsigned n = s->counts[0] + s->counts[1] + s->counts[2];
	g_mutex_unlock(&s->lock);
	return n;
}

/* One counter, read under the lock. */
static unsigned
read_count(struct summary *s, const unsigned *count)
{
	g_mutex_lock(&s->lock);
	unsigned n = *count;
	g_mutex_unlock(&s->lock);
	return n;
}

unsigned
summary_blocked(struct summary *s)
{
	return read_count(s, &s->counts[CDR_BLOCKED]);
}

unsigned
summary_infected(struct summary *s)
{
	return read_count(s, &s->infected_files);
}

unsigned
summary_write_errors(struct summary *s)
{
	return read_count(s, &s->write_errors);
}

static int
by_path(gconstpointer a, gconstpointer b)
{
	const struct blocked_file *x = *(const struct blocked_file *const *)a;
	const struct blocked_file *y = *(const struct blocked_file *const *)b;
	return strcmp(x->path, y->path);
}

void
summary_print(struct summary *s, FILE *out, double seconds)
{
	g_mutex_lock(&s->lock);
	unsigned total = s->counts[0] + s->counts[1] + s->counts[2];
	fprintf(out, "%u file%s in %.1f s: %u clean, %u sanitized, %u blocked", total,
		total == 1 ? "" : "s", seconds, s->counts[CDR_CLEAN], s->counts[CDR_SANITIZED],
		s->counts[CDR_BLOCKED]);
	if (s->write_errors)
		fprintf(out, ", %u not written", s->write_errors);
	if (s->infected_files)
		fprintf(out, "; %u infected", s->infected_files);
	if (s->unscanned)
		fprintf(out, "; %u not scanned for viruses (scan unavailable)", s->unscanned);
	fputc('\n', out);
	g_ptr_array_sort(s->infected, by_path);
	if (s->infected->len)
		fprintf(out, "Infected (virus found):\n");
	for (guint i = 0; i < s->infected->len; i++) {
		const struct blocked_file *b = s->infected->pdata[i];
		fprintf(out, "  %s: %s\n", b->path, b->reason);
	}
	g_ptr_array_sort(s->blocked, by_path);
	if (s->blocked->len)
		fprintf(out, "Blocked or not written:\n");
	for (guint i = 0; i < s->blocked->len; i++) {
		const struct blocked_file *b = s->blocked->pdata[i];
		fprintf(out, "  %s: %s\n", b->path, b->reason);
	}
	g_mutex_unlock(&s->lock);
}
