/*
 * NAME
 *	package.c - what the document package handlers (ooxml, odf) share
 * SUMMARY
 *	The zip judged (an ambiguous zip blocks the document, an encrypted
 *	member means a password), part names judged, parts read within the
 *	job's budgets, the output named after the verified type.
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

enum cdr_verdict
package_check_zip(struct cdr_job *job, const guint8 *data, gsize len, GArray *entries)
{
	const char *why = NULL;
	switch (zip_check_entries(data, len, &why, entries)) {
	case ZIP_OK:
		return CDR_CLEAN;
	case ZIP_ENCRYPTED:
		return cdr_job_error(job, CDR_E_ENCRYPTED, "password-protected document");
	default:
		return cdr_job_error(job, CDR_E_PARSE, "ambiguous zip: %s", why);
	}
}

char *
package_part_name(const guint8 *raw, gsize len, gboolean ascii)
{
	if (len == 0 || raw[0] == '/' ||
	    (!ascii && !g_utf8_validate((const char *)raw, (gssize)len, NULL)))
		return NULL;
	for (gsize i = 0; i < len; i++)
		if (raw[i] < 0x20 || raw[i] == 0x7f || raw[i] == '\\' || (ascii && raw[i] > 0x7e))
			return NULL;
	char *name = g_strndup((const char *)raw, len);
	g_auto(GStrv) segs = g_strsplit(name, "/", -1);
	guint n = g_strv_length(segs);
	for (guint i = 0; i < n; i++)
		if ((segs[i][0] == '\0' && i != n - 1) || strcmp(segs[i], ".") == 0 ||
		    strcmp(segs[i], "..") == 0) {
			g_free(name);
			return NULL;
		}
	return name;
}

enum cdr_verdict
package_count_parts(struct cdr_job *job, guint64 n)
{
	const struct cdr_policy *policy = cdr_job_policy(job);
	if (n > policy->max_children)
		return cdr_job_error(job, CDR_E_LIMIT,
				     "more than max_children (%" G_GUINT64_FORMAT ") parts",
				     policy->max_children);
	return CDR_CLEAN;
}

void
package_note(struct cdr_job *job, GHashTable *noted, const char *what, const char *where)
{
	char *key = g_strconcat(what, "\n", where ? where : "", NULL);
	if (g_hash_table_add(noted, key))
		cdr_job_action(job, what, where, 1);
}

char *
package_resolve(const char *folder, const char *path)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
	if (path[0] != '/') {
		g_auto(GStrv) dir = g_strsplit(folder, "/", -1);
		for (guint i = 0; dir[i] && dir[i + 1]; i++)
			g_ptr_array_add(out, g_strdup(dir[i]));
	}
	g_auto(GStrv) segs = g_strsplit(path, "/", -1);
	for (guint i = 0; segs[i]; i++) {
		if (!*segs[i] || strcmp(segs[i], ".") == 0)
			continue;
		if (strcmp(segs[i], "..") == 0) {
			if (out->len == 0)
				return NULL;
			g_ptr_array_remove_index(out, out->len - 1);
			continue;
		}
		g_ptr_array_add(out, g_strdup(segs[i]));
	}
	if (out->len == 0)
		return NULL;
	g_ptr_array_add(out, NULL);
	return g_strjoinv("/", (char **)out->pdata);
}

GByteArray *
package_read_part(struct cdr_job *job, const guint8 *zip, const struct zip_entry *e,
		  const char *name, guint64 max)
{
	struct cdr_failure fail = { 0 };
	GByteArray *bytes = zip_read_whole(zip, e, max, &fail);
	if (!bytes) {
		cdr_job_fail(job, name, &fail);
		return NULL;
	}
	if (!cdr_job_charge_expanded(job, bytes->len)) {
		g_byte_array_free(bytes, TRUE);
		return NULL;
	}
	return bytes;
}

char *
package_output_name(const char *name, const char *const *exts, const char *ext)
{
	if (!name)
		return NULL;
	const char *dot = strrchr(name, '.');
	gsize stem = strlen(name);
	for (const char *const *x = exts; dot && *x; x++)
		if (g_ascii_strcasecmp(dot + 1, *x) == 0)
			stem = (gsize)(dot - name);
	return g_strdup_printf("%.*s.%s", (int)stem, name, ext);
}

const guint8 package_empty_png[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
	0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
	0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x08,
	0x99, 0x63, 0xf8, 0xff, 0xff, 0x3f, 0x03, 0x00, 0x08, 0xfc, 0x02, 0xfe, 0x85, 0xcd,
	0xab, 0x34, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};
const gsize package_empty_png_len = sizeof package_empty_png;

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
			cdr_job_fail_as_child(job, cdr_job_last_child(job), NULL);
			return FALSE;
		}
	}
	if (!out->data) {
		out->data = g_byte_array_new();
		g_byte_array_append(out->data, package_empty_png, package_empty_png_len);
		out->type = "image/png";
		out->replaced = TRUE;
	}
	return TRUE;
}
