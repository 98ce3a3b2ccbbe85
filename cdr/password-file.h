/*
 * NAME
 *	password-file.h - a list of passwords as people write it in a file
 * SUMMARY
 *	char *list = cdr_password_list_read(path, &error);
 *	char *list = cdr_password_list_parse(text, len, &error);
 *
 *	cdr-file --password-file and cdr-quarantine release --password-file
 *	read the same way: one password per line, lines ended by LF, CR LF
 *	or CR, a UTF-8 byte order mark at the start dropped, a file that
 *	starts with a UTF-16 mark (Windows Notepad's "Unicode") converted
 *	to UTF-8, empty lines skipped. The result is the newline-separated
 *	list the run parameters take; NULL with an error for a file that
 *	cannot be read, holds NUL bytes after that, or is larger than
 *	CDR_MAX_PASSWORDS. The error never quotes the file's content.
 */
#pragma once

#include <glib.h>

char *cdr_password_list_parse(const char *text, gsize len, GError **error);
char *cdr_password_list_read(const char *path, GError **error);
