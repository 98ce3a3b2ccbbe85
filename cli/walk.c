/*
 * NAME
 *	walk.c - collect input files without following symbolic links
 * SUMMARY
 *	Directories are opened with O_NOFOLLOW relative to their parent, so a
 *	link planted on the medium can neither lead the walk outside it nor
 *	be read. Links and special files (devices, FIFOs, sockets) become
 *	entries of their own so the report lists them as blocked. The input
 *	is only ever opened for reading.
 */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
walk_entry_free(gpointer p)
{
	struct walk_entry *e = p;
	g_free(e->path);
	g_strfreev(e->reldirs);
	g_free(e->name);
	g_free(e->problem);
	g_free(e);
}

static void
add_entry(GPtrArray *entries, const char *path, GPtrArray *dirs, const char *name,
	  enum walk_kind kind, const char *problem)
{
	struct walk_entry *e = g_new0(struct walk_entry, 1);
	e->path = g_strdup(path);
	e->reldirs = g_new0(char *, dirs->len + 1);
	for (guint i = 0; i < dirs->len; i++)
		e->reldirs[i] = g_strdup(dirs->pdata[i]);
	e->name = g_strdup(name);
	e->kind = kind;
	e->problem = g_strdup(problem);
	g_ptr_array_add(entries, e);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_dir(int fd, const char *path, GPtrArray *dirs, GPtrArray *entries,
		     unsigned depth);

static void
walk_child(int parent, const char *dirpath, const char *name, GPtrArray *dirs,
	   GPtrArray *entries, unsigned depth)
{
	g_autofree char *path = g_build_filename(dirpath, name, NULL);
	struct stat st;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		add_entry(entries, path, dirs, name, WALK_UNREADABLE, g_strerror(errno));
		return;
	}
	if (S_ISLNK(st.st_mode)) {
		add_entry(entries, path, dirs, name, WALK_SYMLINK, NULL);
	} else if (S_ISREG(st.st_mode)) {
		add_entry(entries, path, dirs, name, WALK_FILE, NULL);
	} else if (S_ISDIR(st.st_mode)) {
		int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			add_entry(entries, path, dirs, name, WALK_UNREADABLE, g_strerror(errno));
			return;
		}
		g_ptr_array_add(dirs, g_strdup(name));
		walk_dir(fd, path, dirs, entries, depth + 1);
		g_free(g_ptr_array_steal_index(dirs, dirs->len - 1));
	} else {
		add_entry(entries, path, dirs, name, WALK_SPECIAL, NULL);
	}
}

/* Takes ownership of fd. */
static void
walk_dir(int fd, const char *path, GPtrArray *dirs, GPtrArray *entries, unsigned depth)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	if (depth > 256) { /* a tree this deep is an attack on the walker */
		add_entry(entries, path, dirs, ".", WALK_UNREADABLE, "directory tree too deep");
		closedir(d);
		return;
	}
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			g_ptr_array_add(names, g_strdup(de->d_name));
	qsort(names->pdata, names->len, sizeof(gpointer), compare_names);
	for (guint i = 0; i < names->len; i++)
		walk_child(dirfd(d), path, names->pdata[i], dirs, entries, depth);
	closedir(d);
}

gboolean
walk_input(const char *input, GPtrArray *entries, GError **error)
{
	struct stat st;
	g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(g_free);

	if (lstat(input, &st) != 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", input,
			    g_strerror(errno));
		return FALSE;
	}
	if (S_ISDIR(st.st_mode)) {
		int fd = open(input, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s",
				    input, g_strerror(errno));
			return FALSE;
		}
		walk_dir(fd, input, dirs, entries, 0);
		return TRUE;
	}
	g_autofree char *base = g_path_get_basename(input);
	add_entry(entries, input, dirs, base,
		  S_ISREG(st.st_mode) ? WALK_FILE : S_ISLNK(st.st_mode) ? WALK_SYMLINK : WALK_SPECIAL,
		  NULL);
	return TRUE;
}
