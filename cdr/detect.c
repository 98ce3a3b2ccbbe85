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
