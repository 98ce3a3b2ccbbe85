/*
 * NAME
 *	detect.h - content that is blocked whatever a handler thinks of it
 * SUMMARY
 *	Our own signatures for executables and other active formats, and the
 *	libmagic MIME types that mean the same. Either one blocks the object.
 */
#pragma once

#include <glib.h>

/* A description of the dangerous format the bytes start with, or NULL. */
const char *cdr_detect_dangerous_bytes(const guint8 *data, gsize len);

/* TRUE when libmagic's MIME type names an executable, script, installer,
 * shortcut, help file, disk image or similar. */
gboolean cdr_detect_dangerous_type(const char *mime);
