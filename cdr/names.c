/*
 * NAME
 *	names.c - clean names and judge extensions the way Windows does
 * SUMMARY
 *	See names.h. Pure string functions, no I/O. cdr-file cleans the
 *	folders of a tree and the archive handler the components of a member
 *	path with the same cdr_name_clean_component(), so a folder is renamed
 *	the same way wherever it comes from.
 */
#include "names.h"

#include <string.h>

const char *const cdr_dangerous_extensions[] = {
	/* executables and libraries */
	"exe", "com", "scr", "pif", "cpl", "dll", "sys", "drv", "ocx", "efi", "bin", "elf",
	"app", "so", "dylib", "class",
	/* installers and packages */
	"msi", "msp", "mst", "msix", "msixbundle", "appx", "appxbundle", "application",
	"appref-ms", "gadget", "deb", "rpm", "apk", "jar", "jnlp",
	/* scripts */
	"js", "jse", "mjs", "vbs", "vbe", "wsf", "wsh", "wsc", "sct", "hta", "ps1", "psm1", "psd1",
	"ps1xml", "psc1", "bat", "cmd", "sh", "bash", "py", "pyw", "pl", "rb", "php", "vb",
	"reg", "inf", "msc", "scf", "ins", "isp", "job", "its", "xbap", "mof",
	/* shortcuts and shell links */
	"lnk", "url", "website", "desktop", "settingcontent-ms", "library-ms", "searchconnector-ms",
	"search-ms", "mht", "mhtml", "webloc",
	/* help files */
	"chm", "hlp",
	/* disk images */
	"iso", "img", "vhd", "vhdx", "vmdk", "dmg", "udf",
	/* OneNote, Office add-ins */
	"one", "onepkg", "onetoc2", "xll", "xla", "xlam", "ppa", "ppam", "wll", "xnk", "iqy", "slk",
	"rdp",
	NULL,
};

/* Characters that do not show, or change how the rest shows: control and
 * format characters (bidi marks and overrides, zero-width characters, the
 * byte-order mark, tags) and the line and paragraph separators. */
static gboolean
is_dropped_char(gunichar c)
{
	switch (g_unichar_type(c)) {
	case G_UNICODE_CONTROL:
	case G_UNICODE_FORMAT:
	case G_UNICODE_LINE_SEPARATOR:
	case G_UNICODE_PARAGRAPH_SEPARATOR:
		return TRUE;
	default:
		return FALSE;
	}
}

/* Characters that Windows' "best fit" conversion to a code page turns into
 * a path separator: the yen sign is the backslash of CP932, the won sign
 * that of CP949; fullwidth solidus and reverse solidus, division slash and
 * fraction slash become '/' or '\' in the Western code pages. */
static gboolean
is_best_fit_separator(gunichar c)
{
	return c == 0x00a5 || c == 0x20a9 || c == 0xff3c || c == 0xff0f || c == 0x2215 ||
	       c == 0x2044;
}

static gboolean
is_replaced_char(gunichar c)
{
	return (c < 0x80 && strchr("<>:\"|?*/\\", (int)c)) || is_best_fit_separator(c) ||
	       c == 0xfffd;
}

/* Windows opens a device for "CON", "con.txt", "CON .txt", "COM1", "LPT¹.csv"... */
static gboolean
is_reserved_device(const char *name)
{
	static const char *const devices[] = { "con", "prn", "aux", "nul", "conin$", "conout$",
					       "clock$" };
	gsize stem = strcspn(name, ".");
	while (stem > 0 && name[stem - 1] == ' ')
		stem--;
	for (unsigned i = 0; i < G_N_ELEMENTS(devices); i++)
		if (stem == strlen(devices[i]) && g_ascii_strncasecmp(name, devices[i], stem) == 0)
			return TRUE;
	if (stem < 4 ||
	    (g_ascii_strncasecmp(name, "com", 3) != 0 && g_ascii_strncasecmp(name, "lpt", 3) != 0))
		return FALSE;
	const guchar *digit = (const guchar *)name + 3;
	if (stem == 4)
		return g_ascii_isdigit(*digit);
	/* superscript one, two, three: U+00B9, U+00B2, U+00B3 */
	return stem == 5 && digit[0] == 0xc2 &&
	       (digit[1] == 0xb9 || digit[1] == 0xb2 || digit[1] == 0xb3);
}

/* Cut to at most `max` bytes on a character boundary. */
static void
truncate_utf8(GString *s, gsize max)
{
	if (s->len <= max)
		return;
	const char *end = g_utf8_find_prev_char(s->str, s->str + max + 1);
	g_string_truncate(s, end ? (gsize)(end - s->str) : 0);
}

/* At most `max` bytes, keeping an extension of up to 16 bytes. */
static void
cut_keeping_extension(GString *s, gsize max)
{
	if (s->len <= max)
		return;
	const char *dot = strrchr(s->str, '.');
	g_autofree char *ext = dot && strlen(dot) <= 16 ? g_strdup(dot) : g_strdup("");
	truncate_utf8(s, max - strlen(ext));
	g_string_append(s, ext);
}

static gboolean extension_is_dangerous(const char *clean, char *const *extra, char **why);

/* One round of the whole-component rules; TRUE if the component changed. */
static gboolean
apply_component_rules(GString *s, enum cdr_name_kind kind)
{
	g_autofree char *before = g_strdup(s->str);

	/* Windows ignores trailing dots and spaces; leading spaces confuse users. */
	while (s->len && (s->str[s->len - 1] == '.' || s->str[s->len - 1] == ' '))
		g_string_truncate(s, s->len - 1);
	while (s->len && s->str[0] == ' ')
		g_string_erase(s, 0, 1);
	if (s->len && is_reserved_device(s->str))
		g_string_prepend_c(s, '_');
	cut_keeping_extension(s, CDR_NAME_MAX_BYTES);
	/* "x.{20D04FE0-...}" is a shell junction; "tool.exe" a folder that looks
	 * like a program. Room is made first: a cut must not take the '_' again. */
	g_autofree char *why = NULL;
	if (kind == CDR_NAME_FOLDER && s->len && extension_is_dangerous(s->str, NULL, &why)) {
		cut_keeping_extension(s, CDR_NAME_MAX_BYTES - 1);
		g_string_append_c(s, '_');
	}
	return strcmp(before, s->str) != 0;
}

char *
cdr_name_clean_component(const char *part, enum cdr_name_kind kind, gboolean *changed)
{
	const char *raw = part ? part : "";
	g_autofree char *valid = g_utf8_make_valid(raw, -1);
	GString *s = g_string_new(NULL);
	for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (is_replaced_char(c))
			g_string_append_c(s, '_');
		else if (!is_dropped_char(c))
			g_string_append_unichar(s, c);
	}
	/* Each rule can undo another (truncating can leave a trailing dot,
	 * a prefix can push past the length limit): apply them until nothing
	 * changes, so that cleaning a clean name changes nothing. */
	for (unsigned round = 0; round < 8 && apply_component_rules(s, kind); round++)
		;
	if (changed && strcmp(s->str, raw) != 0)
		*changed = TRUE;
	return g_string_free(s, FALSE);
}

static gboolean
is_separator(char c)
{
	return c == '/' || c == '\\';
}

static gboolean
is_drive(const char *part)
{
	return g_ascii_isalpha(part[0]) && part[1] == ':';
}

char *
cdr_name_clean_path(const char *path, gboolean *changed)
{
	gboolean dummy = FALSE;
	if (!changed)
		changed = &dummy;
	g_autofree char *valid = g_utf8_make_valid(path ? path : "", -1);
	if (!path || strcmp(valid, path) != 0)
		*changed = TRUE;
	for (char *c = valid; *c; c++)
		if (*c == '\\')
			*c = '/';
	g_auto(GStrv) parts = g_strsplit(valid, "/", -1);
	guint last = 0; /* the last non-empty component names the file */
	for (guint i = 0; parts[i]; i++)
		if (*parts[i])
			last = i;

	GString *out = g_string_new(NULL);
	for (guint i = 0; parts[i]; i++) {
		const char *p = parts[i];
		if (*p == '\0') { /* "/abs" changes; "a//b" and a trailing '/' do not */
			if (i == 0 && parts[1])
				*changed = TRUE;
			continue;
		}
		if (i == 0 && is_drive(p)) { /* "C:" goes, "C:name" keeps its name */
			*changed = TRUE;
			p += 2;
			if (*p == '\0')
				continue;
		}
		g_autofree char *clean =
			cdr_name_clean_component(p, i == last ? CDR_NAME_FILE : CDR_NAME_FOLDER, changed);
		if (!*clean)
			continue; /* "", ".", "..": nothing to keep */
		if (out->len)
			g_string_append_c(out, '/');
		g_string_append(out, clean);
	}
	if (out->len == 0) {
		g_string_assign(out, "unnamed");
		*changed = TRUE;
	}
	return g_string_free(out, FALSE);
}

char *
cdr_name_sanitize(const char *name)
{
	const char *base = name ? name : "";
	for (const char *p = base; *p; p++)
		if (is_separator(*p))
			base = p + 1;
	char *clean = cdr_name_clean_component(base, CDR_NAME_FILE, NULL);
	if (*clean)
		return clean;
	g_free(clean);
	return g_strdup("unnamed");
}

char *
cdr_name_extension(const char *clean_name)
{
	/* Windows takes what follows the last dot, also in ".exe" or ".{CLSID}" */
	const char *dot = strrchr(clean_name, '.');
	if (!dot || !dot[1])
		return NULL;
	return g_utf8_strdown(dot + 1, -1);
}

static gboolean
in_list(const char *ext, const char *const *list)
{
	for (; list && *list; list++)
		if (strcmp(ext, *list) == 0)
			return TRUE;
	return FALSE;
}

static gboolean
extension_is_dangerous(const char *clean, char *const *extra, char **why)
{
	g_autofree char *ext = cdr_name_extension(clean);
	if (!ext)
		return FALSE;
	if (ext[0] == '{' && ext[strlen(ext) - 1] == '}') {
		*why = g_strdup_printf("CLSID extension .%s", ext);
		return TRUE;
	}
	if (in_list(ext, cdr_dangerous_extensions) || in_list(ext, (const char *const *)extra)) {
		*why = g_strdup_printf("extension .%s", ext);
		return TRUE;
	}
	return FALSE;
}

/* The name and, for "a.exe::$DATA" or "a.txt:b.exe" (NTFS streams), each
 * part between colons: writing "a.exe::$DATA" creates a.exe. */
static gboolean
any_part_is_dangerous(const char *name, char *const *extra, char **why)
{
	g_autofree char *clean = cdr_name_sanitize(name);
	if (extension_is_dangerous(clean, extra, why))
		return TRUE;
	if (!strchr(name, ':'))
		return FALSE;
	g_auto(GStrv) parts = g_strsplit(name, ":", -1);
	for (char **part = parts; *part; part++) {
		g_autofree char *p = cdr_name_sanitize(*part);
		if (extension_is_dangerous(p, extra, why))
			return TRUE;
	}
	return FALSE;
}

gboolean
cdr_name_is_dangerous(const char *name, char *const *extra, char **why)
{
	if (!name)
		return FALSE;
	if (any_part_is_dangerous(name, extra, why))
		return TRUE;
	g_autofree char *unescaped = g_uri_unescape_string(name, NULL);
	return unescaped && strcmp(unescaped, name) != 0 &&
	       any_part_is_dangerous(unescaped, extra, why);
}

char *
cdr_name_for_output(const char *name, const char *const *type_exts, GHashTable *known_exts)
{
	g_autofree char *clean = cdr_name_sanitize(name);
	g_autofree char *ext = cdr_name_extension(clean);

	if (!type_exts || !type_exts[0] || (ext && in_list(ext, type_exts)))
		return g_steal_pointer(&clean);
	if (ext && known_exts && g_hash_table_contains(known_exts, ext)) {
		gsize stem = strlen(clean) - strlen(ext) - 1;
		return g_strdup_printf("%.*s.%s", (int)stem, clean, type_exts[0]);
	}
	return g_strdup_printf("%s.%s", clean, type_exts[0]);
}
