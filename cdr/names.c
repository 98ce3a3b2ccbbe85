/*
 * NAME
 *	names.c - clean names and judge extensions the way Windows does
 * SUMMARY
 *	See names.h. Pure string functions, no I/O.
 */
#include "names.h"

#include <string.h>

#define MAX_NAME_BYTES 200

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

static gboolean
is_dropped_char(gunichar c)
{
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return TRUE;
	switch (c) {
	case 0x061c: /* arabic letter mark */
	case 0x200b: case 0x200c: case 0x200d: case 0x200e: case 0x200f:
	case 0x202a: case 0x202b: case 0x202c: case 0x202d: case 0x202e:
	case 0x2060: case 0x2066: case 0x2067: case 0x2068: case 0x2069:
	case 0xfeff:
		return TRUE;
	}
	return FALSE;
}

static gboolean
is_reserved_device(const char *name)
{
	static const char *const devices[] = { "con", "prn", "aux", "nul", "conin$", "conout$" };
	gsize stem = strcspn(name, ".");
	for (unsigned i = 0; i < G_N_ELEMENTS(devices); i++)
		if (stem == strlen(devices[i]) && g_ascii_strncasecmp(name, devices[i], stem) == 0)
			return TRUE;
	/* COM1..COM9, LPT1..LPT9 (also with superscript digits, which need UTF-8) */
	if (stem == 4 && (g_ascii_strncasecmp(name, "com", 3) == 0 ||
			  g_ascii_strncasecmp(name, "lpt", 3) == 0) &&
	    name[3] >= '0' && name[3] <= '9')
		return TRUE;
	return FALSE;
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

/* One round of the whole-name rules; TRUE if the name changed. */
static gboolean
apply_name_rules(GString *s)
{
	g_autofree char *before = g_strdup(s->str);

	/* Windows ignores trailing dots and spaces; leading spaces confuse users. */
	while (s->len && (s->str[s->len - 1] == '.' || s->str[s->len - 1] == ' '))
		g_string_truncate(s, s->len - 1);
	while (s->len && s->str[0] == ' ')
		g_string_erase(s, 0, 1);
	if (s->len == 0)
		g_string_assign(s, "unnamed");
	if (is_reserved_device(s->str))
		g_string_prepend_c(s, '_');
	if (s->len > MAX_NAME_BYTES) {
		const char *dot = strrchr(s->str, '.');
		g_autofree char *ext = dot && strlen(dot) <= 16 ? g_strdup(dot) : g_strdup("");
		truncate_utf8(s, MAX_NAME_BYTES - strlen(ext));
		g_string_append(s, ext);
	}
	return strcmp(before, s->str) != 0;
}

char *
cdr_name_sanitize(const char *name)
{
	const char *base = name ? name : "";
	for (const char *p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;

	g_autofree char *valid = g_utf8_make_valid(base, -1);
	GString *s = g_string_new(NULL);
	for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (is_dropped_char(c))
			continue;
		if (c < 0x80 && strchr("<>:\"|?*", (int)c))
			g_string_append_c(s, '_');
		else
			g_string_append_unichar(s, c);
	}
	/* Each rule can undo another (truncating can leave a trailing dot,
	 * a prefix can push past the length limit): apply them until nothing
	 * changes, so that cleaning a clean name changes nothing. */
	for (unsigned round = 0; round < 8 && apply_name_rules(s); round++)
		;
	return g_string_free(s, FALSE);
}

char *
cdr_name_extension(const char *clean_name)
{
	const char *dot = strrchr(clean_name, '.');
	if (!dot || dot == clean_name || !dot[1])
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
