/*
 * NAME
 *	test-store-util.h - what the quarantine store's tests share: a
 *	temporary directory, the store opened in it, and sqlite3 reaching
 *	past the interface
 */
#pragma once

#include <sqlite3.h>

#include "store.h"

static inline char *
temp_dir(void)
{
	g_autoptr(GError) error = NULL;
	char *dir = g_dir_make_tmp("test-store-XXXXXX", &error);
	g_assert_no_error(error);
	return dir;
}

static inline void
remove_tree(const char *dir)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);
	g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, NULL, NULL));
}

/* The store's database, opened with sqlite3 directly. */
static inline sqlite3 *
raw(const char *dir)
{
	g_autofree char *path = g_build_filename(dir, "quarantine.sqlite", NULL);
	sqlite3 *db = NULL;
	g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	return db;
}

static inline void
raw_exec(const char *dir, const char *sql)
{
	sqlite3 *db = raw(dir);
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		g_error("%s: %s", sql, msg);
	sqlite3_close(db);
}

static inline struct mg_store *
open_store(const char *dir)
{
	g_autoptr(GError) error = NULL;
	struct mg_store *s = store_open(dir, STORE_CREATE, &error);
	g_assert_no_error(error);
	return s;
}
