/*
 * NAME
 *	fuzz-zip - libFuzzer target: the zip module on its own (zip.h)
 * SUMMARY
 *	Every offset and length in a zip is attacker-chosen. The structure
 *	check runs on the input; the members of a zip it accepts are read
 *	(stored or deflated, sizes and CRC checked) and written into a new zip
 *	- the first dated, as the archive handler writes them, one stored, as
 *	OpenDocument's mimetype - which must pass the check itself and give the
 *	same bytes back.
 */
#include <string.h>

#include "fuzz-common.h"
#include "zip.h"

#define MEMBER_MAX (1u << 20)

/* A member read back from `zip` equals `want`. */
static void
assert_member(const GByteArray *zip, const struct zip_entry *e, const GByteArray *want)
{
	struct cdr_failure fail = { 0 };
	GByteArray *got = zip_read_whole(zip->data, e, MEMBER_MAX, &fail);
	if (!got || got->len != want->len || memcmp(got->data, want->data, want->len) != 0)
		__builtin_trap(); /* what we wrote we cannot read back */
	g_byte_array_free(got, TRUE);
}

static void
rewrite(const uint8_t *data, size_t size, GArray *entries)
{
	g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
	GByteArray *zip = g_byte_array_new();
	struct zip_writer *w = zip_writer_new(zip);
	for (guint i = 0; i < entries->len; i++) {
		const struct zip_entry *e = &g_array_index(entries, struct zip_entry, i);
		struct cdr_failure fail = { 0 };
		GByteArray *m = zip_read_whole(data, e, MEMBER_MAX, &fail);
		if (!m) {
			if (fail.kind == CDR_E_NONE || !fail.why)
				__builtin_trap(); /* a failure always has its kind and reason */
			continue;
		}
		g_autofree char *name = g_strdup_printf("m%u", kept->len);
		if (kept->len == 0)
			zip_writer_begin_dated(w, name, 1711962000);
		else if (kept->len == 1)
			zip_writer_begin_stored(w, name);
		else
			zip_writer_begin(w, name, kept->len % 2 == 0);
		zip_writer_write(w, m->data, m->len);
		if (!zip_writer_end(w))
			__builtin_trap();
		g_ptr_array_add(kept, m);
	}
	if (!zip_writer_finish(w))
		__builtin_trap();
	g_autoptr(GArray) again = g_array_new(FALSE, FALSE, sizeof(struct zip_entry));
	const char *reason = NULL;
	if (zip_check_entries(zip->data, zip->len, &reason, again) != ZIP_OK || again->len != kept->len)
		__builtin_trap(); /* our own zip must pass our own check */
	for (guint i = 0; i < again->len; i++)
		assert_member(zip, &g_array_index(again, struct zip_entry, i), kept->pdata[i]);
	g_byte_array_unref(zip);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *reason = NULL;
	if (zip_check_structure(data, size, &reason) == ZIP_AMBIGUOUS && !reason)
		__builtin_trap(); /* an ambiguous zip always says why */
	g_autoptr(GArray) entries = g_array_new(FALSE, FALSE, sizeof(struct zip_entry));
	reason = NULL;
	if (zip_check_entries(data, size, &reason, entries) == ZIP_OK)
		rewrite(data, size, entries);
	return 0;
}
