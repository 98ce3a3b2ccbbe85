/*
 * NAME
 *	detect.c - dangerous content by signature and by libmagic type
 * SUMMARY
 *	Two independent opinions, so a libmagic database that misses a variant
 *	does not let an executable through, and vice versa.
 */
#include "detect.h"

#include <string.h>

struct signature {
	gsize offset;
	const char *bytes;
	gsize len;
	const char *what;
};

#define SIG(off, b, w) { off, b, sizeof(b) - 1, w }

static const struct signature signatures[] = {
	SIG(0, "MZ", "Windows executable (MZ/PE)"),
	SIG(0, "\x7f" "ELF", "ELF executable"),
	SIG(0, "\xfe\xed\xfa\xce", "Mach-O executable"),
	SIG(0, "\xfe\xed\xfa\xcf", "Mach-O executable"),
	SIG(0, "\xce\xfa\xed\xfe", "Mach-O executable"),
	SIG(0, "\xcf\xfa\xed\xfe", "Mach-O executable"),
	SIG(0, "\xca\xfe\xba\xbe", "Mach-O universal binary or Java class"),
	SIG(0, "#!", "script with an interpreter line"),
	SIG(0, "ITSF", "compiled HTML help (CHM)"),
	SIG(0, "L\0\0\0\x01\x14\x02\0", "Windows shortcut (LNK)"),
	SIG(0, "\xe4\x52\x5c\x7b\x8c\xd8\xa7\x4d\xae\xb1\x53\x78\xd0\x29\x96\xd3", "OneNote document"),
	SIG(0, "conectix", "virtual disk image (VHD)"),
	SIG(0, "vhdxfile", "virtual disk image (VHDX)"),
	SIG(0, "KDMV", "virtual disk image (VMDK)"),
	SIG(0x8001, "CD001", "ISO 9660 disk image"),
	SIG(0x8801, "CD001", "ISO 9660 disk image"),
	SIG(0x9001, "CD001", "ISO 9660 disk image"),
	SIG(0, "\0asm", "WebAssembly module"),
	SIG(0, "FWS", "Flash movie"),
	SIG(0, "CWS", "Flash movie"),
	SIG(0, "ZWS", "Flash movie"),
};

/* Text read one character at a time: bytes, or UTF-16 after its BOM. */
struct text_units {
	const guint8 *p;
	gsize len, pos;
	unsigned unit; /* 1 or 2 */
	gboolean be;
};

/* The character at the read position (0x100 for anything not ASCII), or -1 at the end. */
static int
peek_unit(const struct text_units *t)
{
	if (t->pos + t->unit > t->len)
		return -1;
	unsigned c = t->unit == 1 ? t->p[t->pos]
		     : t->be      ? (unsigned)(t->p[t->pos] << 8 | t->p[t->pos + 1])
				  : (unsigned)(t->p[t->pos + 1] << 8 | t->p[t->pos]);
	return c < 0x80 ? (int)c : 0x100;
}

static int
next_unit(struct text_units *t)
{
	int c = peek_unit(t);
	if (c >= 0)
		t->pos += t->unit;
	return c;
}

/* Does the line at the read position start with a SYLK record ("C;", "NN;", ...)? */
static gboolean
starts_sylk_record(struct text_units *t)
{
	static const char *const records[] = { "C;", "F;", "B;", "O;", "P;", "W;", "E;",
					       "NN;", "NE;", "NU;" };
	gsize start = t->pos;
	for (unsigned i = 0; i < G_N_ELEMENTS(records); i++) {
		const char *r = records[i];
		t->pos = start;
		int c;
		while (*r && (c = next_unit(t)) >= 0 && g_ascii_toupper((char)c) == *r)
			r++;
		if (!*r)
			return TRUE;
	}
	t->pos = start;
	return FALSE;
}

/*
 * Excel opens a text file whose first characters are "ID" as a SYLK
 * spreadsheet, whatever its extension (Microsoft KB 215591), and SYLK can
 * carry Excel 4 macros (C;...;ECALL(...)). libmagic knows only "ID;P".
 * SYLK-like: after a BOM and blank space, "ID" in any case followed by ';'
 * (spaces between allowed); upper-case "ID" and a ';' later in a first
 * line of printable text ("ID,x;P": Excel's record parser may take it);
 * or a first line "ID" alone followed by a line that is a SYLK record.
 * A CSV whose first header is "ID" ("ID,Name,...") is not SYLK-like:
 * Excel warns, then reads it as text.
 */
static gboolean
looks_like_sylk(const guint8 *data, gsize len)
{
	struct text_units t = { .p = data, .len = len, .unit = 1 };
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		t.pos = 3;
	else if (len >= 2 && (data[0] == 0xff || data[0] == 0xfe) && data[0] + data[1] == 0x1fd)
		t = (struct text_units){ .p = data, .len = len, .pos = 2, .unit = 2, .be = data[0] == 0xfe };
	int c;
	while ((c = peek_unit(&t)) == ' ' || c == '\t' || c == '\r' || c == '\n')
		t.pos += t.unit;
	int i = next_unit(&t), d = next_unit(&t);
	if (g_ascii_toupper((char)MAX(i, 0)) != 'I' || g_ascii_toupper((char)MAX(d, 0)) != 'D')
		return FALSE;
	gboolean upper = i == 'I' && d == 'D', blank = TRUE;
	while ((c = next_unit(&t)) >= 0 && c != '\r' && c != '\n') {
		if (c == ';' && (blank || upper))
			return TRUE;
		if (c != ' ' && c != '\t')
			blank = FALSE;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return FALSE; /* not a line of text: a tar header, say */
	}
	if (!blank)
		return FALSE;
	/* "ID" alone on its line: SYLK when a record follows */
	while (peek_unit(&t) >= 0) {
		while ((c = peek_unit(&t)) == '\r' || c == '\n')
			t.pos += t.unit;
		if (starts_sylk_record(&t))
			return TRUE;
		while ((c = next_unit(&t)) >= 0 && c != '\r' && c != '\n')
			;
	}
	return FALSE;
}

const char *
cdr_detect_dangerous_bytes(const guint8 *data, gsize len)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(signatures); i++) {
		const struct signature *s = &signatures[i];
		if (len >= s->offset + s->len && memcmp(data + s->offset, s->bytes, s->len) == 0)
			return s->what;
	}
	/* A fixed VHD keeps its "conectix" footer in the last 512 bytes. */
	if (len >= 512 && memcmp(data + len - 512, "conectix", 8) == 0)
		return "virtual disk image (VHD)";
	if (looks_like_sylk(data, len))
		return "SYLK spreadsheet (can carry macros)";
	return NULL;
}

static const char *const dangerous_types[] = {
	"application/x-dosexec",
	"application/x-msdownload",
	"application/vnd.microsoft.portable-executable",
	"application/x-executable",
	"application/x-sharedlib",
	"application/x-pie-executable",
	"application/x-object",
	"application/x-mach-binary",
	"application/x-msi",
	"application/x-ms-installer",
	"application/vnd.ms-cab-compressed",
	"application/java-archive",
	"application/x-java-applet",
	"application/x-java-jnlp-file",
	"application/x-shockwave-flash",
	"application/x-sylk",
	"application/x-iso9660-image",
	"application/x-ms-shortcut",
	"application/x-ms-wim",
	"application/x-virtualbox-vhd",
	"application/x-virtualbox-vhdx",
	"application/x-vhd",
	"application/x-qemu-disk",
	"application/x-apple-diskimage",
	"application/vnd.ms-htmlhelp",
	"application/x-chm",
	"application/onenote",
	"application/javascript",
	"application/x-javascript",
	"application/hta",
	"application/x-powershell",
	"application/x-bat",
	"application/wasm",
	"application/x-wasm",
	"text/javascript",
	"text/x-shellscript",
	"text/x-msdos-batch",
	"text/x-perl",
	"text/x-python",
	"text/x-php",
	"text/x-ruby",
	"text/x-tcl",
	"text/x-lua",
	"text/x-awk",
	"text/x-vbscript",
	NULL,
};

gboolean
cdr_detect_dangerous_type(const char *mime)
{
	if (!mime)
		return FALSE;
	for (const char *const *t = dangerous_types; *t; t++)
		if (g_ascii_strcasecmp(mime, *t) == 0)
			return TRUE;
	return g_str_has_prefix(mime, "text/x-script.");
}
