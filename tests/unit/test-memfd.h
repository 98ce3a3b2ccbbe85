/*
 * NAME
 *	test-memfd.h - a memory file holding given bytes (unit tests)
 * SUMMARY
 *	test_memfd(data, len): what the store, search, pairing and release
 *	tests hand the store as an original (len < 0: a string's length).
 */
#pragma once

#include <glib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static inline int
test_memfd(const void *data, gssize len)
{
	gsize n = len < 0 ? strlen(data) : (gsize)len;
	int fd = memfd_create("test", MFD_CLOEXEC);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(write(fd, data, n), ==, (ssize_t)n);
	return fd;
}
