/*
 * NAME
 *	tiff-survey.c - what a TIFF file holds besides its pages
 * SUMMARY
 *	Walks the chain of IFDs (classic and BigTIFF) without libtiff and
 *	counts every tag the rebuild does not carry over: EXIF and GPS IFDs,
 *	XMP, IPTC, Photoshop blocks, text tags and private tags (metadata),
 *	the ICC profile (color-profile), SubIFDs with their thumbnails
 *	(extra-image); and finds where the last byte the structure points at
 *	lies, so that anything after it but zero padding is reported as
 *	trailing data.
 * DESCRIPTION
 *	Only reporting depends on this walk: libtiff reads the pages, and
 *	whatever is not written again is gone whether or not it was counted.
 *	Every offset is checked against the file, IFDs are limited in number
 *	and a loop ends the walk.
 */
#include "tiff.h"

#include <string.h>

#include "actions.h"
#include "image-io.h"

#define SURVEY_MAX_IFDS 100000
#define SURVEY_MAX_ENTRIES 4096

/* Tags the rebuild uses or writes again: not reported as removed. */
static const guint16 structural_tags[] = {
	254, 255, 256, 257, 258, 259, 262, 266, 273, 274, 277, 278, 279, 280, 281, 282, 283,
	284, 290, 291, 292, 293, 296, 297, 301, 317, 318, 319, 320, 322, 323, 324, 325, 332,
	334, 338, 339, 340, 341, 347, 512, 513, 514, 515, 517, 518, 519, 520, 521, 529, 530,
	531, 532,
};

struct survey {
	const guint8 *data;
	gsize len;
	gboolean big_endian, bigtiff;
	guint64 data_end;
	struct image_tally *removed;
	GHashTable *seen; /* IFD offsets walked */
	unsigned ifds;
};

#define SURVEY_MAX_SUB_IFDS 64

static guint64 survey_ifd(struct survey *s, guint64 ifd, gboolean judge);

static guint64
load(const struct survey *s, guint64 at, unsigned bytes)
{
	const guint8 *p = s->data + at;
	guint64 v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v |= (guint64)p[s->big_endian ? bytes - 1 - i : i] << (8 * i);
	return v;
}

static gboolean
is_structural(guint16 tag)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(structural_tags); i++)
		if (structural_tags[i] == tag)
			return TRUE;
	return FALSE;
}

/* An IFD walked once: FALSE for a loop or too many. */
static gboolean
first_visit(struct survey *s, guint64 ifd)
{
	if (ifd == 0 || ifd > s->len || ++s->ifds > SURVEY_MAX_IFDS ||
	    g_hash_table_contains(s->seen, GSIZE_TO_POINTER((gsize)ifd)))
		return FALSE;
	g_hash_table_add(s->seen, GSIZE_TO_POINTER((gsize)ifd));
	return TRUE;
}

/* EXIF, GPS and SubIFDs point at IFDs of their own: their extent counts
 * for the trailing-data judgement; their tags are not reported one by one. */
static void
note_sub_ifds(struct survey *s, guint64 at, guint64 count, unsigned size)
{
	for (guint64 i = 0; i < count && i < SURVEY_MAX_SUB_IFDS; i++) {
		guint64 sub = load(s, at + i * size, size);
		if (first_visit(s, sub))
			survey_ifd(s, sub, FALSE);
	}
}

static void
judge_tag(struct survey *s, guint16 tag)
{
	if (is_structural(tag))
		return;
	switch (tag) {
	case 34665:
		image_tally_add(s->removed, CDR_ACT_METADATA, "EXIF");
		break;
	case 34853:
		image_tally_add(s->removed, CDR_ACT_METADATA, "GPS");
		break;
	case 700:
		image_tally_add(s->removed, CDR_ACT_METADATA, "XMP");
		break;
	case 33723:
		image_tally_add(s->removed, CDR_ACT_METADATA, "IPTC");
		break;
	case 34377:
		image_tally_add(s->removed, CDR_ACT_METADATA, "Photoshop");
		break;
	case 34675:
		image_tally_add(s->removed, CDR_ACT_COLOR_PROFILE, "ICC");
		break;
	case 330:
		image_tally_add(s->removed, CDR_ACT_EXTRA_IMAGE, "SubIFDs");
		break;
	default:
		image_tally_add(s->removed, CDR_ACT_METADATA, tag >= 32768 ? "private" : "tag");
		break;
	}
}

static unsigned
type_size(guint16 type)
{
	static const unsigned sizes[] = { 0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4, 0, 0, 8, 8, 8 };
	return type < G_N_ELEMENTS(sizes) ? sizes[type] : 0;
}

static void
note_end(struct survey *s, guint64 offset, guint64 length)
{
	if (offset <= s->len && length <= s->len - offset && offset + length > s->data_end)
		s->data_end = offset + length;
}

/* Strip or tile data: offsets in one tag, byte counts in the other. */
static void
note_blocks(struct survey *s, guint64 offsets_at, guint64 counts_at, guint64 n,
	    unsigned off_size, unsigned count_size)
{
	for (guint64 i = 0; i < n; i++)
		note_end(s, load(s, offsets_at + i * off_size, off_size),
			 load(s, counts_at + i * count_size, count_size));
}

struct entry_value {
	guint64 at; /* where the values are */
	guint64 count;
	unsigned size; /* bytes per value */
	gboolean ok;
};

/* Walk one IFD; returns the offset of the next (0 at the end). */
static guint64
survey_ifd(struct survey *s, guint64 ifd, gboolean judge)
{
	unsigned count_bytes = s->bigtiff ? 8 : 2, entry_bytes = s->bigtiff ? 20 : 12;
	unsigned value_bytes = s->bigtiff ? 8 : 4;
	struct entry_value offsets[2] = { 0 }, counts[2] = { 0 }; /* strips, tiles */

	if (ifd > s->len || s->len - ifd < count_bytes)
		return 0;
	guint64 n = load(s, ifd, count_bytes);
	if (n > SURVEY_MAX_ENTRIES || (s->len - ifd - count_bytes) / entry_bytes < n)
		return 0;
	for (guint64 i = 0; i < n; i++) {
		guint64 e = ifd + count_bytes + i * entry_bytes;
		guint16 tag = (guint16)load(s, e, 2), type = (guint16)load(s, e + 2, 2);
		guint64 vcount = load(s, e + 4, value_bytes);
		unsigned size = type_size(type);
		struct entry_value v = { e + 4 + value_bytes, vcount, size, size != 0 };
		if (judge)
			judge_tag(s, tag);
		if (size && vcount <= G_MAXUINT64 / size && vcount * size > value_bytes) {
			v.at = load(s, e + 4 + value_bytes, value_bytes);
			v.ok = v.at <= s->len && vcount * size <= s->len - v.at;
			if (v.ok)
				note_end(s, v.at, vcount * size);
		}
		if ((tag == 34665 || tag == 34853 || tag == 330) && v.ok && (size == 4 || size == 8))
			note_sub_ifds(s, v.at, vcount, size);
		if (tag == 273 || tag == 324)
			offsets[tag == 324] = v;
		if (tag == 279 || tag == 325)
			counts[tag == 325] = v;
	}
	for (int k = 0; k < 2; k++)
		if (offsets[k].ok && counts[k].ok && offsets[k].count == counts[k].count)
			note_blocks(s, offsets[k].at, counts[k].at, offsets[k].count,
				    offsets[k].size, counts[k].size);
	guint64 next_at = ifd + count_bytes + n * entry_bytes;
	note_end(s, ifd, n * entry_bytes + count_bytes + value_bytes);
	if (s->len - next_at < value_bytes)
		return 0;
	return load(s, next_at, value_bytes);
}

void
tiff_survey(const guint8 *data, gsize len, struct image_tally *removed)
{
	struct survey s = { .data = data, .len = len, .removed = removed };
	guint64 ifd;

	if (len < 16)
		return;
	s.seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	s.big_endian = data[0] == 'M';
	s.bigtiff = load(&s, 2, 2) == 43;
	ifd = s.bigtiff ? load(&s, 8, 8) : load(&s, 4, 4);
	s.data_end = s.bigtiff ? 16 : 8;
	while (first_visit(&s, ifd))
		ifd = survey_ifd(&s, ifd, TRUE);
	/* zero bytes at the end are padding some writers leave (PIL, for one) */
	for (gsize i = (gsize)s.data_end; i < len; i++) {
		if (data[i]) {
			image_tally_add(removed, CDR_ACT_TRAILING_DATA, NULL);
			break;
		}
	}
	g_hash_table_unref(s.seen);
}
