/*
 * NAME
 *	excerpt-ppt.c - the slide texts of a PowerPoint 97-2003 presentation
 * SUMMARY
 *	The text of each slide in the presentation's order: the text atoms
 *	(TextCharsAtom UTF-16LE, TextBytesAtom 8-bit) of the slide's shapes,
 *	and the placeholder texts the slide list keeps for it where a shape
 *	points at them (OutlineTextRefAtom). Masters, notes and handouts are
 *	left out, as are old copies of edited slides.
 * DESCRIPTION
 *	The current edit is found from the "Current User" stream; the chain
 *	of UserEditAtoms (each earlier in the stream than the one before)
 *	gives the persist directories, newest first, which map persist ids
 *	to stream offsets. The DocumentContainer's SlideListWithText for
 *	slides names each slide's persist id in order (SlidePersistAtom),
 *	followed by its placeholder text atoms. Records are walked with
 *	their lengths checked against their container, at most PPT_DEPTH deep.
 */
#include <string.h>

#include "excerpt-ole2.h"

#define PPT_DEPTH 16
#define PPT_EDITS 256
#define RT_DOCUMENT 0x03E8
#define RT_SLIDE 0x03EE
#define RT_SLIDE_PERSIST 0x03F3
#define RT_OUTLINE_TEXT_REF 0x0F9E
#define RT_TEXT_CHARS 0x0FA0
#define RT_TEXT_BYTES 0x0FA8
#define RT_SLIDE_LIST 0x0FF0
#define RT_USER_EDIT 0x0FF5
#define RT_PERSIST_DIRECTORY 0x1772
#define ENCRYPTED_TOKEN 0xF3D1C4DFu

struct rec {
	guint16 instance;
	guint16 type;
	gboolean container;
	const guint8 *data;
	gsize len;
};

/* The record at `at` inside [0, end) of `b`. */
static gboolean
rec_at(struct ole2_bytes b, gsize at, gsize end, struct rec *r)
{
	end = MIN(end, b.len);
	if (at > end || end - at < 8)
		return FALSE;
	guint16 vi = ole2_u16(b.data + at);
	r->instance = vi >> 4;
	r->container = (vi & 0xF) == 0xF;
	r->type = ole2_u16(b.data + at + 2);
	r->len = ole2_u32(b.data + at + 4);
	if (end - at - 8 < r->len)
		return FALSE;
	r->data = b.data + at + 8;
	return TRUE;
}

/* Persist id -> stream offset, the newest edit winning. */
static GHashTable *
persist_map(struct ole2_bytes doc, struct ole2_bytes user, guint32 *document, const char **why)
{
	if (user.len < 20 || ole2_u32(user.data + 12) == ENCRYPTED_TOKEN) {
		*why = user.len < 20 ? "PowerPoint file without its Current User stream"
				     : "（パスワードで保護されているため本文を読めません / protected "
				       "by a password）";
		return NULL;
	}
	GHashTable *map = g_hash_table_new(NULL, NULL);
	guint32 at = ole2_u32(user.data + 16);
	struct rec r, dir;
	for (unsigned n = 0; n < PPT_EDITS; n++) {
		if (!rec_at(doc, at, doc.len, &r) || r.type != RT_USER_EDIT || r.len < 20) {
			*why = "PowerPoint edit chain broken";
			break;
		}
		if (n == 0)
			*document = ole2_u32(r.data + 16);
		if (rec_at(doc, ole2_u32(r.data + 12), doc.len, &dir) &&
		    dir.type == RT_PERSIST_DIRECTORY) {
			for (gsize p = 0; dir.len - p >= 4;) {
				guint32 info = ole2_u32(dir.data + p), id = info & 0xFFFFFu;
				gsize count = info >> 20;
				p += 4;
				for (gsize k = 0; k < count && dir.len - p >= 4; k++, p += 4) {
					gpointer key = GUINT_TO_POINTER(id + k + 1);
					if (!g_hash_table_contains(map, key))
						g_hash_table_insert(map, key, GUINT_TO_POINTER(
							ole2_u32(dir.data + p) + 1u));
				}
			}
		}
		guint32 last = ole2_u32(r.data + 8);
		if (last == 0 || last >= at)
			return map;
		at = last;
	}
	if (!*why)
		*why = "PowerPoint edit chain too long";
	g_hash_table_unref(map);
	return NULL;
}

static gboolean
persisted(struct ole2_bytes doc, GHashTable *map, guint32 id, guint16 type, struct rec *r)
{
	gpointer v = g_hash_table_lookup(map, GUINT_TO_POINTER(id + 1u));
	return v && rec_at(doc, GPOINTER_TO_UINT(v) - 1u, doc.len, r) && r->type == type;
}

static void
show_atom(struct ole2_text *out, const struct rec *r)
{
	gboolean wide = r->type == RT_TEXT_CHARS;
	gsize n = wide ? r->len / 2 : r->len;
	for (gsize i = 0; i < n; i++) {
		guint16 c = wide ? ole2_u16(r->data + 2 * i) : r->data[i];
		ole2_text_unit(out, c == 0x0D || c == 0x0B ? '\n' : c);
	}
	ole2_text_unit(out, '\n');
}

/* The text atoms under a slide, in record order; OutlineTextRefAtoms
 * show the slide list's texts they point at. */
static void
slide_text(const struct rec *parent, GArray *listed, struct ole2_text *out, unsigned depth)
{
	struct ole2_bytes b = { parent->data, parent->len };
	struct rec r;
	for (gsize at = 0; out->more && rec_at(b, at, b.len, &r); at += 8 + r.len) {
		if (r.container && depth < PPT_DEPTH) {
			slide_text(&r, listed, out, depth + 1);
		} else if (r.type == RT_TEXT_CHARS || r.type == RT_TEXT_BYTES) {
			show_atom(out, &r);
		} else if (r.type == RT_OUTLINE_TEXT_REF && r.len >= 4) {
			guint32 k = ole2_u32(r.data);
			if (k < listed->len)
				show_atom(out, &g_array_index(listed, struct rec, k));
		}
	}
}

gboolean
ppt_excerpt_text(struct cdr_excerpt *x, struct ole2_bytes doc, struct ole2_bytes user,
		 const char **why)
{
	guint32 document = 0;
	*why = NULL;
	GHashTable *map = persist_map(doc, user, &document, why);
	struct rec d, r;
	if (!map)
		return FALSE;
	if (!persisted(doc, map, document, RT_DOCUMENT, &d)) {
		*why = "PowerPoint file without its document record";
		g_hash_table_unref(map);
		return FALSE;
	}
	struct ole2_bytes db = { d.data, d.len };
	struct ole2_text out;
	ole2_text_init(&out, x);
	GArray *listed = g_array_new(FALSE, FALSE, sizeof(struct rec));
	unsigned slides = 0;
	for (gsize at = 0; rec_at(db, at, db.len, &r); at += 8 + r.len) {
		if (r.type != RT_SLIDE_LIST || r.instance != 0)
			continue;
		struct ole2_bytes lb = { r.data, r.len };
		struct rec a, slide;
		guint32 id = 0;
		gboolean any = FALSE;
		for (gsize p = 0; out.more && cdr_excerpt_in_time(x); p += 8 + a.len) {
			gboolean more = rec_at(lb, p, lb.len, &a);
			if ((!more || a.type == RT_SLIDE_PERSIST) && any &&
			    persisted(doc, map, id, RT_SLIDE, &slide)) {
				if (slides++)
					ole2_text_ascii(&out, "\n");
				slide_text(&slide, listed, &out, 0);
				ole2_text_ascii(&out, "\n");
			}
			if (!more)
				break;
			if (a.type == RT_SLIDE_PERSIST && a.len >= 4) {
				id = ole2_u32(a.data);
				any = TRUE;
				g_array_set_size(listed, 0);
			} else if (a.type == RT_TEXT_CHARS || a.type == RT_TEXT_BYTES) {
				g_array_append_val(listed, a);
			}
		}
		break;
	}
	g_array_free(listed, TRUE);
	g_hash_table_unref(map);
	(void)ole2_text_finish(&out);
	return TRUE;
}
