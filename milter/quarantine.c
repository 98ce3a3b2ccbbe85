/*
 * NAME
 *	quarantine.c - the directory store of originals
 * SUMMARY
 *	See quarantine.h. Durability: data fsync'ed before each rename; the
 *	directory fsync'ed once, after the metadata's rename, which makes
 *	both renames durable. The milter accepts a message only after that,
 *	and tempfails it when any step fails, so nothing is lost.
 */
#include "quarantine.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wire.h"

#define ID_LEN 28 /* YYYYMMDDTHHMMSS-xxxxxxxxxxxx */

gboolean
quarantine_id_valid(const char *id)
{
	if (!id || strlen(id) != ID_LEN)
		return FALSE;
	for (int i = 0; i < ID_LEN; i++) {
		char c = id[i];
		gboolean ok = i == 8	 ? c == 'T'
			      : i == 15 ? c == '-'
			      : i < 15	 ? g_ascii_isdigit(c)
					 : g_ascii_isxdigit(c) && !g_ascii_isupper(c);
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

char *
quarantine_path(const char *dir, const char *id, const char *ext)
{
	g_autofree char *day = g_strndup(id, 8);
	g_autofree char *file = g_strconcat(id, ".", ext, NULL);
	return g_build_filename(dir, day, file, NULL);
}

char *
quarantine_malware(const char *dir, const char *id)
{
	if (!quarantine_id_valid(id))
		return NULL;
	g_autofree char *path = quarantine_path(dir, id, "json");
	g_autoptr(JsonParser) parser = json_parser_new();
	if (!json_parser_load_from_file(parser, path, NULL))
		return NULL;
	JsonNode *root = json_parser_get_root(parser);
	JsonObject *o = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
	JsonNode *m = o ? json_object_get_member(o, "malware") : NULL;
	if (!m || !JSON_NODE_HOLDS_ARRAY(m))
		return NULL;
	JsonArray *list = json_node_get_array(m);
	GString *names = g_string_new(NULL);
	for (guint i = 0; i < json_array_get_length(list); i++) {
		JsonNode *n = json_array_get_element(list, i);
		if (n && json_node_get_value_type(n) == G_TYPE_STRING)
			g_string_append_printf(names, "%s%s", names->len ? ", " : "",
					       json_node_get_string(n));
	}
	if (!names->len) {
		g_string_free(names, TRUE);
		return NULL;
	}
	return g_string_free(names, FALSE);
}

static char *
new_id(void)
{
	guint8 rnd[6];
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *stamp = g_date_time_format(now, "%Y%m%dT%H%M%S");
	return g_strdup_printf("%s-%02x%02x%02x%02x%02x%02x", stamp, rnd[0], rnd[1], rnd[2],
			       rnd[3], rnd[4], rnd[5]);
}

static gboolean
fail_errno(GError **error, const char *what, const char *path)
{
	int e = errno;
	g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "%s %s: %s", what, path,
		    g_strerror(e));
	return FALSE;
}

static gboolean
write_all(int fd, const guint8 *p, gsize len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		p += n;
		len -= (gsize)n;
	}
	return TRUE;
}

static gboolean
sync_dir(const char *path, GError **error)
{
	g_autofree char *dir = g_path_get_dirname(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		if (fd >= 0)
			close(fd);
		return fail_errno(error, "cannot sync", dir);
	}
	close(fd);
	return TRUE;
}

/* Write bytes to `path`: temporary file, fsync, rename, and with
 * `sync_dir` the directory fsync that makes the rename durable. */
static gboolean
store_file(const char *path, const guint8 *data, gsize len, gboolean sync_dir_too,
	   GError **error)
{
	g_autofree char *dir = g_path_get_dirname(path);
	gboolean new_day = !g_file_test(dir, G_FILE_TEST_IS_DIR);
	if (g_mkdir_with_parents(dir, 0700) != 0)
		return fail_errno(error, "cannot create", dir);
	/* a new day directory is durable only once its parent is synced */
	if (new_day && !sync_dir(dir, error))
		return FALSE;
	g_autofree char *tmp = g_strconcat(path, ".tmp", NULL);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail_errno(error, "cannot create", tmp);
	if (!write_all(fd, data, len) || fsync(fd) != 0) {
		fail_errno(error, "cannot write", tmp);
		close(fd);
		unlink(tmp);
		return FALSE;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		fail_errno(error, "cannot rename", tmp);
		unlink(tmp);
		return FALSE;
	}
	return !sync_dir_too || sync_dir(path, error);
}

char *
quarantine_store(const char *dir, int fd, GError **error)
{
	g_autofree char *id = new_id();
	if (!id) {
		fail_errno(error, "no random bytes for", "a quarantine id");
		return NULL;
	}
	gsize len = 0;
	guint8 *data = cdr_map_fd(fd, &len);
	if (!data) {
		fail_errno(error, "cannot map", "the message");
		return NULL;
	}
	g_autofree char *path = quarantine_path(dir, id, "eml");
	/* the directory is synced once, with the metadata (same directory) */
	gboolean ok = store_file(path, data, len, FALSE, error);
	cdr_unmap(data, len);
	return ok ? g_steal_pointer(&id) : NULL;
}

gboolean
quarantine_store_meta(const char *dir, const char *id, const char *json, GError **error)
{
	g_autofree char *path = quarantine_path(dir, id, "json");
	g_autofree char *text = g_strconcat(json, "\n", NULL);
	return store_file(path, (const guint8 *)text, strlen(text), TRUE, error);
}

void
quarantine_remove(const char *dir, const char *id)
{
	g_autofree char *eml = quarantine_path(dir, id, "eml");
	g_autofree char *meta = quarantine_path(dir, id, "json");
	unlink(eml);
	unlink(meta);
}

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

static gint
compare_ids(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *
quarantine_list(const char *dir, GError **error)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GDir) top = g_dir_open(dir, 0, error);
	if (!top) {
		g_ptr_array_unref(ids);
		return NULL;
	}
	for (const char *day; (day = g_dir_read_name(top));) {
		if (!is_day(day))
			continue;
		g_autofree char *sub = g_build_filename(dir, day, NULL);
		g_autoptr(GDir) d = g_dir_open(sub, 0, NULL);
		for (const char *f; d && (f = g_dir_read_name(d));) {
			if (!g_str_has_suffix(f, ".eml"))
				continue;
			g_autofree char *id = g_strndup(f, strlen(f) - 4);
			if (quarantine_id_valid(id))
				g_ptr_array_add(ids, g_steal_pointer(&id));
		}
	}
	g_ptr_array_sort(ids, compare_ids);
	return ids;
}

int
quarantine_purge(const char *dir, guint days, GError **error)
{
	if (!g_file_test(dir, G_FILE_TEST_EXISTS))
		return 0; /* nothing stored yet */
	g_autoptr(GPtrArray) ids = quarantine_list(dir, error);
	if (!ids)
		return -1;
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autoptr(GDateTime) cutoff = g_date_time_add_days(now, -(gint)days);
	g_autofree char *limit = g_date_time_format(cutoff, "%Y%m%dT%H%M%S");
	int removed = 0;
	for (guint i = 0; i < ids->len; i++) {
		const char *id = ids->pdata[i];
		if (strncmp(id, limit, 15) > 0)
			break; /* sorted: the rest are younger */
		g_autofree char *eml = quarantine_path(dir, id, "eml");
		g_autofree char *meta = quarantine_path(dir, id, "json");
		if (unlink(eml) != 0 && errno != ENOENT) {
			fail_errno(error, "cannot remove", eml);
			return -1;
		}
		unlink(meta);
		removed++;
		g_autofree char *day = g_path_get_dirname(eml);
		rmdir(day); /* fails while the day still holds younger originals */
	}
	return removed;
}
