/*
 * NAME
 *	walk.h - list the files of cdr-file's inputs, links not followed
 */
#pragma once

#include <glib.h>

enum walk_kind { WALK_FILE, WALK_SYMLINK, WALK_SPECIAL, WALK_UNREADABLE };

struct walk_entry {
	char *path;     /* as given + relative part, for reports */
	char **reldirs; /* directories between the input root and the file */
	char *name;     /* the file's own name */
	enum walk_kind kind;
	char *problem;  /* WALK_UNREADABLE: why */
};

/* Append the entries of one INPUT (file or directory) to `entries`
 * (struct walk_entry*, freed with walk_entry_free). A directory's contents
 * are listed relative to it, sorted by name. FALSE if INPUT itself cannot
 * be read. */
gboolean walk_input(const char *input, GPtrArray *entries, GError **error);

void walk_entry_free(gpointer entry);
