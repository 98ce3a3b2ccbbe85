/*
 * NAME
 *	package-picture.c - a document's pictures rebuilt through the image
 *	handlers
 * SUMMARY
 *	Office documents carry pictures as parts of their package. A picture
 *	in a format an image handler rebuilds (PNG, JPEG, GIF, known by its
 *	signature, whatever the part is called) goes through the engine as a
 *	child of the document, so its report nests under the document's and
 *	its limits count against the document's. Anything else - EMF, WMF,
 *	SVM, TIFF, SVG, a picture its handler blocks, bytes that are no
 *	picture at all - is replaced by an empty 1x1 PNG, so the document
 *	still opens with an empty frame where the picture was.
 */
#include <string.h>

#include "package.h"

/* A 1x1 transparent PNG, exactly as the png handler writes it (so a
 * second pass leaves it alone). */
static const guint8 empty_png[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
	0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
	0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x08,
	0x99, 0x63, 0xf8, 0xff, 0xff, 0x3f, 0x03, 0x00, 0x08, 0xfc, 0x02, 0xfe, 0x85, 0xcd,
	0xab, 0x34, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

/* The picture formats the image handlers rebuild, by signature: the
 * extension to show them under, or NULL. */
static const char *
picture_extension(const guint8 *data, gsize len)
{
	if (len >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "png";
	if (len >= 3 && memcmp(data, "\xff\xd8\xff", 3) == 0)
		return "jpg";
	if (len >= 6 && (memcmp(data, "GIF87a", 6) == 0 || memcmp(data, "GIF89a", 6) == 0))
		return "gif";
	return NULL;
}

/* The child's name: the part's, with the extension of what it really is
 * (a picture stored as image1.emf that is a PNG is not "renamed"). */
static char *
picture_name(const char *part, const char *ext)
{
	const char *base = strrchr(part, '/');
	base = base ? base + 1 : part;
	const char *dot = strrchr(base, '.');
	gsize stem = dot ? (gsize)(dot - base) : strlen(base);
	return g_strdup_printf("%.*s.%s", (int)stem, base, ext);
}

gboolean
package_picture_rebuild(struct cdr_job *job, const char *part, const guint8 *data, gsize len,
			struct package_picture *out)
{
	*out = (struct package_picture){ 0 };
	const char *ext = picture_extension(data, len);
	if (ext) {
		g_autofree char *name = picture_name(part, ext);
		GByteArray *rebuilt = NULL;
		if (cdr_job_sanitize_child(job, data, len, name, &rebuilt) != CDR_BLOCKED &&
		    rebuilt) {
			out->data = rebuilt;
			out->type = g_intern_string(cdr_job_last_child(job)->out_type);
		}
		if (cdr_job_budget_spent(job)) {
			if (out->data)
				g_byte_array_free(out->data, TRUE);
			out->data = NULL;
			cdr_job_error(job, CDR_E_LIMIT, "%s", cdr_job_last_child(job)->reason);
			return FALSE;
		}
	}
	if (!out->data) {
		out->data = g_byte_array_new();
		g_byte_array_append(out->data, empty_png, sizeof empty_png);
		out->type = "image/png";
		out->replaced = TRUE;
	}
	return TRUE;
}
