/*
 * NAME
 *	display.h - file names from the medium made fit for UTF-8 and terminals
 */
#pragma once

#include <glib.h>

/* A UTF-8 name for the engine: as is when valid UTF-8, decoded as CP932
 * when that is valid (names written by Japanese Windows), else with
 * invalid bytes replaced. */
char *display_utf8_name(const char *raw);

/* For reports: valid UTF-8 with invalid bytes written as \xNN. */
char *display_json_path(const char *raw);

/* For the terminal: like display_json_path, and control and bidi
 * characters written as \xNN or <U+202E> so a name cannot rewrite the
 * screen or reorder what the operator reads. */
char *display_terminal(const char *text);
