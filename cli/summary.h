/*
 * NAME
 *	summary.h - cdr-file's JSON Lines report, counts and closing summary
 */
#pragma once

#include <stdio.h>

#include "cdr.h"

struct file_result {
	const char *path;       /* input path */
	const char *output;     /* path written, or NULL */
	const char *write_error; /* why the output could not be written */
	char sha256_in[65];     /* "" when not computed */
	char sha256_out[65];
	const struct cdr_report *report;
};

struct summary;

/* `report` may be NULL (no JSON Lines file). Takes no ownership. */
struct summary *summary_new(FILE *report);
void summary_free(struct summary *s);

/* Count one file and append its record to the report. Thread-safe. */
void summary_add(struct summary *s, const struct file_result *r);

unsigned summary_done(struct summary *s);
unsigned summary_blocked(struct summary *s);
unsigned summary_write_errors(struct summary *s);
/* Files in which the virus scanner found something (blocked whole, or a
 * member removed). */
unsigned summary_infected(struct summary *s);

/* Counts per verdict and of infected files, then each infected file and
 * what was found, then each other blocked file and why. */
void summary_print(struct summary *s, FILE *out, double seconds);

/* Lower-case hex SHA-256 of a file descriptor's bytes (mapped, not read). */
gboolean sha256_of_fd(int fd, char hex[65]);
