/*
 * NAME
 *	image-io.h - byte plumbing shared by the JPEG, PNG and GIF handlers
 * SUMMARY
 *	A bounded reader over the input, an appender into the output
 *	GByteArray, fixed-endian integer loads, and a tally of removals that
 *	is reported in one go and stays small whatever the input holds.
 */
#pragma once

#include "cdr.h"

/* Reads never go past len; a short read is remembered. */
struct image_reader {
	const guint8 *data;
	gsize len;
	gsize pos;
	gboolean short_read; /* a read asked for more than was left */
};

void image_reader_init(struct image_reader *r, const guint8 *data, gsize len);

/* Copy up to n bytes to dst; returns how many were copied. */
gsize image_reader_read(struct image_reader *r, void *dst, gsize n);

/* Bytes not read yet. */
gsize image_reader_left(const struct image_reader *r);

/* Append to the output; FALSE (nothing appended) when it would outgrow a GByteArray. */
gboolean image_output_append(GByteArray *out, const void *data, gsize len);

static inline guint16
image_be16(const guint8 *p)
{
	return (guint16)(p[0] << 8 | p[1]);
}

static inline guint32
image_be32(const guint8 *p)
{
	return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3];
}

static inline guint16
image_le16(const guint8 *p)
{
	return (guint16)(p[1] << 8 | p[0]);
}

static inline guint32
image_le32(const guint8 *p)
{
	return (guint32)p[3] << 24 | (guint32)p[2] << 16 | (guint32)p[1] << 8 | p[0];
}

/*
 * Removals counted per (what, where). `what` must be a constant from
 * actions.h (the pointer is kept); `where` is copied and may be NULL.
 * Past IMAGE_TALLY_PLACES distinct places, new ones count as "other", so
 * a file made of a million odd chunk types gives a short report.
 */
#define IMAGE_TALLY_PLACES 32

struct image_tally;

struct image_tally *image_tally_new(void);
void image_tally_free(struct image_tally *t);

void image_tally_add(struct image_tally *t, const char *what, const char *where);

/* Nothing counted? */
gboolean image_tally_is_empty(const struct image_tally *t);

/* Record every count on the job (cdr_job_action), in the order first seen. */
void image_tally_report(const struct image_tally *t, struct cdr_job *job);
