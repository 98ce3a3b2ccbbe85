/*
 * NAME
 *	image-io.c - byte plumbing shared by the image handlers
 * SUMMARY
 *	See image-io.h. The reader never reads past the end of the input and
 *	the writer never lets the output outgrow what a GByteArray can hold.
 * DESCRIPTION
 *	The tally exists because a hostile file can carry millions of tiny
 *	chunks or extensions: counting them is cheap, listing each distinct
 *	name in the report would not be.
 */
#include "image-io.h"

#include <string.h>

void
image_reader_init(struct image_reader *r, const guint8 *data, gsize len)
{
	r->data = data;
	r->len = len;
	r->pos = 0;
	r->short_read = FALSE;
}

gsize
image_reader_read(struct image_reader *r, void *dst, gsize n)
{
	gsize left = r->len - r->pos;
	if (n > left) {
		r->short_read = TRUE;
		n = left;
	}
	if (n) {
		memcpy(dst, r->data + r->pos, n);
		r->pos += n;
	}
	return n;
}

gsize
image_reader_left(const struct image_reader *r)
{
	return r->len - r->pos;
}

gboolean
image_output_append(GByteArray *out, const void *data, gsize len)
{
	if (len > G_MAXUINT - out->len)
		return FALSE;
	g_byte_array_append(out, data, (guint)len);
	return TRUE;
}

struct tally_entry {
	const char *what;
	char *where;
	unsigned count;
};

struct image_tally {
	GArray *entries; /* struct tally_entry */
};

struct image_tally *
image_tally_new(void)
{
	struct image_tally *t = g_new0(struct image_tally, 1);
	t->entries = g_array_new(FALSE, FALSE, sizeof(struct tally_entry));
	return t;
}

void
image_tally_free(struct image_tally *t)
{
	if (!t)
		return;
	for (guint i = 0; i < t->entries->len; i++)
		g_free(g_array_index(t->entries, struct tally_entry, i).where);
	g_array_unref(t->entries);
	g_free(t);
}

static struct tally_entry *
tally_find(struct image_tally *t, const char *what, const char *where)
{
	for (guint i = 0; i < t->entries->len; i++) {
		struct tally_entry *e = &g_array_index(t->entries, struct tally_entry, i);
		if (strcmp(e->what, what) == 0 && g_strcmp0(e->where, where) == 0)
			return e;
	}
	return NULL;
}

void
image_tally_add(struct image_tally *t, const char *what, const char *where)
{
	struct tally_entry *e = tally_find(t, what, where);
	if (!e && t->entries->len >= IMAGE_TALLY_PLACES) {
		where = "other";
		e = tally_find(t, what, where);
	}
	if (!e) {
		struct tally_entry fresh = { what, g_strdup(where), 0 };
		g_array_append_val(t->entries, fresh);
		e = &g_array_index(t->entries, struct tally_entry, t->entries->len - 1);
	}
	if (e->count < G_MAXUINT)
		e->count++;
}

gboolean
image_tally_is_empty(const struct image_tally *t)
{
	return t->entries->len == 0;
}

void
image_tally_report(const struct image_tally *t, struct cdr_job *job)
{
	for (guint i = 0; i < t->entries->len; i++) {
		const struct tally_entry *e = &g_array_index(t->entries, struct tally_entry, i);
		cdr_job_action(job, e->what, e->where, e->count);
	}
}
