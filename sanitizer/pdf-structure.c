/*
 * NAME
 *	pdf-structure.c - the skeleton a new PDF is written with: trailer,
 *	page contents, names
 * SUMMARY
 *	qpdf writes the trailer it read, less the keys it knows belong to
 *	the old cross-reference section, and writes /Size only when that
 *	trailer had one. A damaged file's trailer - the dictionary qpdf's
 *	recovery found after some "trailer" keyword, or the dictionary of a
 *	broken cross-reference stream - reaches the output as it was: without
 *	/Size (the new cross-reference stream is then unreadable, and with no
 *	"trailer" keyword in the new file nothing can be recovered), with a
 *	direct /Root (poppler finds no catalog), with an /Info that is no
 *	dictionary, with keys of its own that drag objects along. So the
 *	trailer is rebuilt before every write: /Root, an indirect dictionary
 *	(a direct one becomes indirect); /Info only when it is a dictionary,
 *	made indirect too; /Size, whose value the writer fills in; /Encrypt
 *	for qpdf's own use (the writer never copies it). The catalog's page
 *	tree root is made indirect as well. Nothing else of the old trailer
 *	survives.
 * DESCRIPTION
 *	A page whose /Contents is neither a stream nor an array of streams
 *	(a stream whose keyword was misspelt reads as a bare dictionary)
 *	shows nothing in a viewer; the entry, or the array items that are no
 *	streams, are removed rather than written for every reader to stumble
 *	over.
 *
 *	qpdf 11.3 writes a name holding the character '#' (spelt #23 in the
 *	file) with a bare '#', and a name that had a stray '#' (not followed
 *	by two hex digits) the same way, so the new file would hold names
 *	that every reader must repair, or reads as another character. Such a
 *	name is given "#23" in place of each '#': written as it is, that is
 *	the correct spelling of the same name, and reading the output again
 *	gives the same name, so a second pass changes nothing. A dictionary
 *	key with a stray '#' cannot be reached through qpdf's C interface; the
 *	written file's check (pdf-verify.c) catches it.
 */
#include <string.h>

#include "pdf.h"

GPtrArray *
pdf_dict_keys(qpdf_data q, qpdf_oh dict)
{
	GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
	qpdf_oh_begin_dict_key_iter(q, dict);
	while (qpdf_oh_dict_more_keys(q))
		g_ptr_array_add(keys, g_strdup(qpdf_oh_dict_next_key(q)));
	return keys;
}

/* ---- trailer --------------------------------------------------------- */

/* The value of `key` in `dict` as an indirect object; a direct dictionary
 * becomes one (qpdf would otherwise write it inline). 0 when the value is
 * no dictionary. */
static qpdf_oh
indirect_dictionary(qpdf_data q, qpdf_oh dict, const char *key)
{
	qpdf_oh v = qpdf_oh_get_key(q, dict, key);
	if (!qpdf_oh_is_dictionary(q, v)) {
		qpdf_oh_release(q, v);
		return 0;
	}
	if (!qpdf_oh_is_indirect(q, v)) {
		qpdf_oh made = qpdf_make_indirect_object(q, v);
		qpdf_oh_release(q, v);
		v = made;
		qpdf_oh_replace_key(q, dict, key, v);
	}
	return v;
}

static gboolean
kept_trailer_key(const char *key)
{
	return strcmp(key, "/Root") == 0 || strcmp(key, "/Info") == 0 ||
	       strcmp(key, "/Encrypt") == 0;
}

gboolean
pdf_trailer_rebuild(qpdf_data q)
{
	qpdf_oh trailer = qpdf_get_trailer(q);
	qpdf_oh root = indirect_dictionary(q, trailer, "/Root");
	gboolean ok = root != 0;
	if (ok) {
		qpdf_oh pages = indirect_dictionary(q, root, "/Pages");
		qpdf_oh_release(q, pages);
		qpdf_oh_release(q, root);
	}
	qpdf_oh info = indirect_dictionary(q, trailer, "/Info");
	if (info)
		qpdf_oh_release(q, info);
	else
		qpdf_oh_remove_key(q, trailer, "/Info");

	GPtrArray *keys = pdf_dict_keys(q, trailer);
	for (guint i = 0; i < keys->len; i++)
		if (!kept_trailer_key(keys->pdata[i]))
			qpdf_oh_remove_key(q, trailer, keys->pdata[i]);
	g_ptr_array_free(keys, TRUE);

	/* any integer: the writer writes the real size in its place */
	qpdf_oh size = qpdf_oh_new_integer(q, 0);
	qpdf_oh_replace_key(q, trailer, "/Size", size);
	qpdf_oh_release(q, size);
	qpdf_oh_release(q, trailer);
	return ok && !qpdf_has_error(q);
}

/* ---- page contents ----------------------------------------------------- */

static unsigned
fix_contents(qpdf_data q, qpdf_oh page)
{
	unsigned fixed = 0;
	qpdf_oh contents = qpdf_oh_get_key(q, page, "/Contents");
	if (qpdf_oh_is_array(q, contents)) {
		for (int i = qpdf_oh_get_array_n_items(q, contents) - 1; i >= 0; i--) {
			qpdf_oh item = qpdf_oh_get_array_item(q, contents, i);
			if (!qpdf_oh_is_stream(q, item)) {
				qpdf_oh_erase_item(q, contents, i);
				fixed++;
			}
			qpdf_oh_release(q, item);
		}
		if (fixed && qpdf_oh_get_array_n_items(q, contents) == 0)
			qpdf_oh_remove_key(q, page, "/Contents");
	} else if (!qpdf_oh_is_stream(q, contents) && !qpdf_oh_is_null(q, contents)) {
		qpdf_oh_remove_key(q, page, "/Contents");
		fixed++;
	}
	qpdf_oh_release(q, contents);
	return fixed;
}

unsigned
pdf_page_contents_fix(qpdf_data q)
{
	unsigned fixed = 0;
	int n = qpdf_get_num_pages(q);
	for (int i = 0; i < n; i++) {
		qpdf_oh page = qpdf_get_page_n(q, (size_t)i);
		fixed += fix_contents(q, page);
		qpdf_oh_release(q, page);
	}
	return fixed;
}

/* ---- names ------------------------------------------------------------- */

/* `name` (len bytes, with its '/') with "#23" for every '#' and NUL, or
 * NULL when it has none. */
static char *
name_written_right(const char *name, gsize len)
{
	if (!memchr(name, '#', len) && !memchr(name, '\0', len))
		return NULL;
	GString *s = g_string_sized_new(len + 8);
	for (gsize i = 0; i < len; i++) {
		if (name[i] == '#' || name[i] == '\0')
			g_string_append(s, "#23");
		else
			g_string_append_c(s, name[i]);
	}
	return g_string_free(s, FALSE);
}

/* A replacement for the name value oh, or 0. */
static qpdf_oh
fixed_name(qpdf_data q, qpdf_oh oh)
{
	const char *value = NULL;
	size_t len = 0;
	if (!qpdf_oh_is_name(q, oh) || !qpdf_oh_get_value_as_name(q, oh, &value, &len))
		return 0;
	g_autofree char *right = name_written_right(value, len);
	return right ? qpdf_oh_new_name(q, right) : 0;
}

static void
fix_dict_names(qpdf_data q, qpdf_oh dict)
{
	g_autoptr(GPtrArray) keys = pdf_dict_keys(q, dict);
	for (guint i = 0; i < keys->len; i++) {
		const char *key = keys->pdata[i];
		qpdf_oh v = qpdf_oh_get_key(q, dict, key);
		qpdf_oh name = fixed_name(q, v);
		if (name) {
			qpdf_oh_replace_key(q, dict, key, name);
			qpdf_oh_release(q, name);
		}
		g_autofree char *right = name_written_right(key, strlen(key));
		if (right) {
			qpdf_oh moved = qpdf_oh_get_key(q, dict, key);
			qpdf_oh_remove_key(q, dict, key);
			qpdf_oh_replace_key(q, dict, right, moved);
			qpdf_oh_release(q, moved);
		}
		qpdf_oh_release(q, v);
	}
}

void
pdf_names_fix(qpdf_data q, qpdf_oh oh)
{
	if (qpdf_oh_is_array(q, oh)) {
		for (int i = 0, n = qpdf_oh_get_array_n_items(q, oh); i < n; i++) {
			qpdf_oh item = qpdf_oh_get_array_item(q, oh, i);
			qpdf_oh name = fixed_name(q, item);
			if (name) {
				qpdf_oh_set_array_item(q, oh, i, name);
				qpdf_oh_release(q, name);
			}
			qpdf_oh_release(q, item);
		}
	} else if (qpdf_oh_is_stream(q, oh)) {
		qpdf_oh dict = qpdf_oh_get_dict(q, oh);
		fix_dict_names(q, dict);
		qpdf_oh_release(q, dict);
	} else if (qpdf_oh_is_dictionary(q, oh)) {
		fix_dict_names(q, oh);
	}
}
