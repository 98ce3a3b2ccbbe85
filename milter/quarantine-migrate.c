/*
 * NAME
 *	quarantine-migrate.c - the old directory quarantine into the store
 * SUMMARY
 *	See quarantine-migrate.h. Only names of the old form are opened
 *	(a day directory of 8 digits, ID.eml and ID.json for a valid id),
 *	without following links. What is not imported, and why:
 *	  ID.json without ID.eml      the original is gone
 *	  ID.eml without ID.json      never accepted: the old milter wrote the
 *	                              record last, before answering 250
 *	  ID.eml.tmp, ID.json.tmp     an interrupted write
 *	  a record that is not JSON, or whose sha256 is not the original's
 *	  any other file              not part of a quarantine
 *	The store checks the SHA-256 (store_import()), and refuses an id it
 *	has (counted as "already").
 */
#include "quarantine-migrate.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define MAX_RECORD_BYTES (64 * 1024 * 1024)

struct pair {
	gboolean eml, json;
};

static gboolean
is_day(const char *name)
{
	if (strlen(name) != 8)
		return FALSE;
	for (int i = 0; i < 8; i++)
		if (!g_ascii_isdigit(name[i]))
			return FALSE;
	return TRUE;
}

/* Note one file of day directory `day`: an id's .eml or .json, or a problem. */
static void
note_file(GHashTable *ids, const char *day, const char *name, migrate_problem_fn problem,
	  gpointer data, struct migrate_result *r)
{
	const char *dot = strchr(name, '.');
	g_autofree char *id = dot ? g_strndup(name, (gsize)(dot - name)) : NULL;
	gboolean ours = id && store_id_valid(id) && strncmp(id, day, 8) == 0;
	if (ours && (strcmp(dot, ".eml") == 0 || strcmp(dot, ".json") == 0)) {
		struct pair *p = g_hash_table_lookup(ids, id);
		if (!p) {
			p = g_new0(struct pair, 1);
			g_hash_table_insert(ids, g_strdup(id), p);
		}
		if (strcmp(dot, ".eml") == 0)
			p->eml = TRUE;
		else
			p->json = TRUE;
		return;
	}
	g_autofree char *what = g_build_filename(day, name, NULL);
	r->failed++;
	problem(what,
		ours && g_str_has_suffix(name, ".tmp")
			? "an interrupted write (a temporary file): not imported"
			: "not a file of a quarantine: not imported",
		data);
}

static GBytes *
read_file(const char *path, gsize max, GError **error)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "%s", g_strerror(e));
		return NULL;
	}
	GByteArray *b = g_byte_array_new();
	guint8 buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0 && b->len <= max)
		g_byte_array_append(b, buf, (guint)n);
	int e = errno;
	close(fd);
	if (n < 0 || b->len > max) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s",
			    n < 0 ? g_strerror(e) : "larger than a record can be");
		g_byte_array_unref(b);
		return NULL;
	}
	return g_byte_array_free_to_bytes(b);
}

/* In the store with the SHA-256 of the record (or the original)? */
static gboolean
stored_same(struct mg_store *store, const char *id, const char *sha256)
{
	g_autoptr(store_message) m = store_get(store, id, NULL);
	return m && sha256 && g_ascii_strcasecmp(m->sha256, sha256) == 0;
}

/* Import one id; TRUE when it is in the store afterwards. */
static gboolean
import_one(struct mg_store *store, const char *dir, const char *id, const struct pair *p,
	   migrate_problem_fn problem, gpointer data, struct migrate_result *r)
{
	if (!p->eml || !p->json) {
		r->failed++;
		problem(id,
			p->eml ? "an original without its record (never accepted): not imported"
			       : "a record without its original: not imported",
			data);
		return FALSE;
	}
	g_autofree char *day = g_strndup(id, 8);
	g_autofree char *json_name = g_strconcat(id, ".json", NULL);
	g_autofree char *eml_name = g_strconcat(id, ".eml", NULL);
	g_autofree char *json_path = g_build_filename(dir, day, json_name, NULL);
	g_autofree char *eml_path = g_build_filename(dir, day, eml_name, NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) record = read_file(json_path, MAX_RECORD_BYTES, &error);
	gsize len = 0;
	const char *text = record ? g_bytes_get_data(record, &len) : NULL;
	g_autoptr(store_message) m = record ? store_message_from_record(text ? text : "", len,
									 &error)
					    : NULL;
	int fd = m ? open(eml_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
	if (m && fd < 0) {
		int e = errno;
		g_set_error(&error, G_FILE_ERROR, g_file_error_from_errno(e), "%s: %s", eml_name,
			    g_strerror(e));
	}
	gboolean ok = fd >= 0 && store_import(store, id, fd, m, &error);
	if (fd >= 0)
		close(fd);
	if (ok) {
		r->imported++;
		return TRUE;
	}
	if (g_error_matches(error, STORE_ERROR, STORE_ERROR_EXISTS) &&
	    stored_same(store, id, m->sha256)) {
		r->already++;
		return TRUE;
	}
	r->failed++;
	g_autofree char *why = g_strdup_printf("%s: not imported", error->message);
	problem(id, why, data);
	return FALSE;
}

static void
remove_pair(const char *dir, const char *id, struct migrate_result *r)
{
	g_autofree char *day = g_strndup(id, 8);
	for (int i = 0; i < 2; i++) {
		g_autofree char *name = g_strconcat(id, i ? ".json" : ".eml", NULL);
		g_autofree char *path = g_build_filename(dir, day, name, NULL);
		unlink(path);
	}
	g_autofree char *sub = g_build_filename(dir, day, NULL);
	rmdir(sub); /* fails while it holds other files */
	r->removed++;
}

gboolean
quarantine_migrate(struct mg_store *store, const char *dir, gboolean remove,
		   migrate_problem_fn problem, gpointer data, struct migrate_result *r,
		   GError **error)
{
	memset(r, 0, sizeof(*r));
	g_autoptr(GDir) top = g_dir_open(dir, 0, error);
	if (!top)
		return FALSE;
	g_autoptr(GHashTable) ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (const char *day; (day = g_dir_read_name(top));) {
		if (!is_day(day))
			continue; /* the store's own files, and anything else */
		g_autofree char *sub = g_build_filename(dir, day, NULL);
		g_autoptr(GDir) d = g_dir_open(sub, 0, NULL);
		for (const char *f; d && (f = g_dir_read_name(d));)
			note_file(ids, day, f, problem, data, r);
	}
	g_autoptr(GList) keys = g_list_sort(g_hash_table_get_keys(ids), (GCompareFunc)strcmp);
	for (GList *k = keys; k; k = k->next) {
		const char *id = k->data;
		if (import_one(store, dir, id, g_hash_table_lookup(ids, id), problem, data, r) &&
		    remove)
			remove_pair(dir, id, r);
	}
	return TRUE;
}
