/*
 * NAME
 *	outtree.c - mirror cleaned files into the output directory
 * SUMMARY
 *	Directories are created and entered one component at a time with
 *	O_NOFOLLOW, so nothing outside OUTDIR can be written through a link.
 *	Files are created with O_EXCL (never overwriting) or, with --force,
 *	written to a temporary name and renamed over the old one. A failed
 *	write leaves no partial file.
 */
#include "outtree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "display.h"
#include "names.h"

struct outtree {
	char *root;
	int rootfd;
	gboolean force;
	GMutex lock;
	GHashTable *written; /* paths created by this run */
};

/* realpath() of a path that may not exist yet: resolve the longest
 * existing prefix and append the rest. */
static char *
resolve_maybe_missing(const char *path)
{
	g_autofree char *abs = g_canonicalize_filename(path, NULL);
	g_autofree char *tail = g_strdup("");
	g_autofree char *head = g_strdup(abs);
	for (;;) {
		char *real = realpath(head, NULL);
		if (real) {
			char *r = g_build_filename(real, tail, NULL);
			free(real);
			return r;
		}
		if (strcmp(head, "/") == 0)
			return g_strdup(abs);
		g_autofree char *base = g_path_get_basename(head);
		g_autofree char *dir = g_path_get_dirname(head);
		g_autofree char *t = g_build_filename(base, tail, NULL);
		g_free(tail);
		tail = g_steal_pointer(&t);
		g_free(head);
		head = g_steal_pointer(&dir);
	}
}

static gboolean
is_inside(const char *path, const char *dir)
{
	gsize n = strlen(dir);
	if (strcmp(dir, "/") == 0)
		return TRUE;
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

struct outtree *
outtree_new(const char *outdir, char **inputs, gboolean force, GError **error)
{
	g_autofree char *out_real = resolve_maybe_missing(outdir);
	for (char **in = inputs; *in; in++) {
		g_autofree char *in_real = resolve_maybe_missing(*in);
		if (is_inside(out_real, in_real)) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "output directory %s is inside input %s: the input must not "
				    "change",
				    outdir, *in);
			return NULL;
		}
	}
	if (g_mkdir_with_parents(outdir, 0755) != 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", outdir,
			    g_strerror(errno));
		return NULL;
	}
	int fd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", outdir,
			    g_strerror(errno));
		return NULL;
	}
	struct outtree *t = g_new0(struct outtree, 1);
	t->root = g_strdup(outdir);
	t->rootfd = fd;
	t->force = force;
	g_mutex_init(&t->lock);
	t->written = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	return t;
}

void
outtree_free(struct outtree *t)
{
	if (!t)
		return;
	close(t->rootfd);
	g_mutex_clear(&t->lock);
	g_hash_table_unref(t->written);
	g_free(t->root);
	g_free(t);
}

/* Open (creating) OUTDIR/dirs..., returning a directory fd and the
 * relative path in *rel. Each folder name is decoded and cleaned by the
 * same rules as the components of an archive member (cdr/names.c): a
 * component with nothing left is dropped, *renamed is set when any
 * component changed. */
static int
open_dirs(struct outtree *t, char *const *dirs, GString *rel, gboolean *renamed,
	  GError **error)
{
	int fd = dup(t->rootfd);
	for (char *const *d = dirs; fd >= 0 && d && *d; d++) {
		g_autofree char *utf8 = display_utf8_name(*d);
		g_autofree char *name = cdr_name_clean_component(utf8, CDR_NAME_FOLDER, renamed);
		if (!*name)
			continue;
		g_string_append_printf(rel, "%s/", name);
		int next = -1;
		if (mkdirat(fd, name, 0755) == 0 || errno == EEXIST)
			next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int saved = errno;
		close(fd);
		fd = next;
		errno = saved;
	}
	if (fd < 0)
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s/%s: %s",
			    t->root, rel->str, g_strerror(errno));
	return fd;
}

static gboolean
copy_fd(int from, int to)
{
	struct stat st;
	if (fstat(from, &st) != 0)
		return FALSE;
	off_t off = 0;
	while (off < st.st_size) {
		ssize_t n = sendfile(to, from, &off, (size_t)MIN(st.st_size - off, 1 << 30));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
	}
	return TRUE;
}

/* "a.txt", 2 -> "a (2).txt" */
static char *
numbered(const char *name, unsigned n)
{
	const char *dot = strrchr(name, '.');
	if (!dot || dot == name)
		return g_strdup_printf("%s (%u)", name, n);
	return g_strdup_printf("%.*s (%u)%s", (int)(dot - name), name, n, dot);
}

static gboolean
write_new(int dirfd, const char *name, int from, gboolean force, int *err)
{
	if (force) {
		g_autofree char *tmp = g_strdup_printf(".%s.cdr-tmp-%d", name, (int)getpid());
		int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
				0644);
		if (fd < 0)
			return *err = errno, FALSE;
		gboolean ok = copy_fd(from, fd);
		*err = errno;
		ok = close(fd) == 0 && ok;
		if (ok && renameat(dirfd, tmp, dirfd, name) == 0)
			return TRUE;
		*err = errno;
		unlinkat(dirfd, tmp, 0);
		return FALSE;
	}
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return *err = errno, FALSE;
	gboolean ok = copy_fd(from, fd);
	*err = errno;
	if (close(fd) == 0 && ok)
		return TRUE;
	unlinkat(dirfd, name, 0);
	return FALSE;
}

char *
outtree_write(struct outtree *t, char *const *dirs, const char *name, int fd,
	      char **renamed_dirs, GError **error)
{
	g_autoptr(GString) rel = g_string_new(NULL);
	int err = 0;
	gboolean renamed = FALSE;

	*renamed_dirs = NULL;
	g_mutex_lock(&t->lock); /* names are decided one at a time */
	int dirfd = open_dirs(t, dirs, rel, &renamed, error);
	char *result = NULL;
	if (dirfd < 0)
		goto out;
	if (renamed) /* "a/b/" -> "a/b"; "" when every folder was dropped */
		*renamed_dirs = g_strndup(rel->str, rel->len ? rel->len - 1 : 0);
	for (unsigned n = 1; n < 1000; n++) {
		g_autofree char *try = n == 1 ? g_strdup(name) : numbered(name, n);
		g_autofree char *path = g_strconcat(rel->str, try, NULL);
		/* --force overwrites what was there before, not this run's own files */
		gboolean ours = g_hash_table_contains(t->written, path);
		if (!ours && write_new(dirfd, try, fd, t->force, &err)) {
			result = g_build_filename(t->root, path, NULL);
			g_hash_table_add(t->written, g_steal_pointer(&path));
			break;
		}
		if (!ours && err != EEXIST) {
			g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "%s/%s: %s",
				    t->root, path, g_strerror(err));
			break;
		}
		if (!ours) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
				    "%s/%s exists (use --force to overwrite)", t->root, path);
			break;
		}
	}
	if (!result && !(error && *error))
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
			    "%s/%s%s: too many files clean to this name", t->root, rel->str, name);
	close(dirfd);
out:
	g_mutex_unlock(&t->lock);
	return result;
}
