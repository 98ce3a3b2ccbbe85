/*
 * NAME
 *	unsupported.c - formats with no open library, blocked by name
 * SUMMARY
 *	Japanese office formats that no free library reads (Ichitaro, Hanako,
 *	JW_CAD, DocuWorks, OASYS) and Hangul's HWP are blocked with the error
 *	`unsupported` and a reason that names the format in Japanese and
 *	English, so that staff know the file is not broken and what to ask
 *	the sender for (a PDF, a Word file) instead.
 * DESCRIPTION
 *	This handler never produces output: it only gives the block a better
 *	reason than "no handler for application/octet-stream content".
 *	It bids on signatures first: Ichitaro and Hanako keep their data in
 *	an OLE2 compound file whose every storage holds a
 *	"\004JSRV_SegmentInformation" stream (the name is UTF-16LE in the
 *	directory), HWP 5 is a compound file with a "FileHeader" stream that
 *	starts "HWP Document File" (HWP 3 starts with that text), and JW_CAD
 *	drawings start with "JwwData.". Those bids are above every other
 *	handler, so the OLE2 handler never mistakes an Ichitaro file for a
 *	broken Word file. It is the only handler whose bid also reads the
 *	file name: a name with one of these extensions bids 1, the lowest
 *	bid, so the file is still taken by any handler that knows its bytes
 *	(a JPEG named .jtd is a JPEG) and blocked with the format's name
 *	otherwise; a compound file with such a name bids as if its content
 *	had shown the format. Either way the bid can only ever block a file.
 */
#include <string.h>

#include "handlers.h"

#define BID_BY_CONTENT 1000
#define BID_BY_NAME 1

struct unsupported_format {
	const char *reason;
	const char *const *extensions;
};

static const char *const ichitaro_ext[] = { "jtd", "jtdc", "jtt", "jttc", "jaw", "jbw", "jfw",
					    "jvw", "jxw", NULL };
static const char *const hanako_ext[] = { "jhd", "jhdc", NULL };
static const char *const jww_ext[] = { "jww", "jwc", NULL };
static const char *const docuworks_ext[] = { "xdw", "xbd", NULL };
static const char *const oasys_ext[] = { "oas", "oa2", "oa3", NULL };
static const char *const hwp_ext[] = { "hwp", NULL };

enum { FMT_ICHITARO, FMT_HANAKO, FMT_JWW, FMT_DOCUWORKS, FMT_OASYS, FMT_HWP, FMT_COUNT };

static const struct unsupported_format formats[FMT_COUNT] = {
	[FMT_ICHITARO] = { "一太郎文書は無害化に対応していません (Ichitaro document: not supported; "
			   "ask the sender for PDF or Word)",
			   ichitaro_ext },
	[FMT_HANAKO] = { "花子の図形ファイルは無害化に対応していません (Hanako drawing: not "
			 "supported; ask the sender for PDF)",
			 hanako_ext },
	[FMT_JWW] = { "Jw_cad図面は無害化に対応していません (JW_CAD drawing: not supported; "
		      "ask the sender for PDF or DXF)",
		      jww_ext },
	[FMT_DOCUWORKS] = { "DocuWorks文書は無害化に対応していません (DocuWorks document: not "
			    "supported; ask the sender for PDF)",
			    docuworks_ext },
	[FMT_OASYS] = { "OASYS文書は無害化に対応していません (OASYS document: not supported; "
			"ask the sender for PDF or Word)",
			oasys_ext },
	[FMT_HWP] = { "ハングル(HWP)文書は無害化に対応していません (Hangul HWP document: not "
		      "supported; ask the sender for PDF or Word)",
		      hwp_ext },
};

static const guint8 cfb_signature[] = { 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1 };
/* "\004JSRV_SegmentInformation" as UTF-16LE, the way a directory entry spells it */
static const char jsrv_stream[] = "\004\0J\0S\0R\0V\0_\0S\0e\0g\0m\0e\0n\0t\0I\0n\0f\0o\0r\0m\0a\0"
				  "t\0i\0o\0n\0";
static const char hwp_text[] = "HWP Document File";
static const char jww_signature[] = "JwwData.";

/* The extension of the last path component, or NULL. */
static const char *
name_extension(const char *name)
{
	if (!name)
		return NULL;
	const char *base = name, *dot = NULL;
	for (const char *c = name; *c; c++) {
		if (*c == '/' || *c == '\\')
			base = c + 1;
	}
	for (const char *c = base; *c; c++)
		if (*c == '.')
			dot = c;
	return dot ? dot + 1 : NULL;
}

static int
format_by_name(const char *name)
{
	const char *ext = name_extension(name);
	if (!ext)
		return -1;
	for (int f = 0; f < FMT_COUNT; f++)
		for (const char *const *x = formats[f].extensions; *x; x++)
			if (g_ascii_strcasecmp(ext, *x) == 0)
				return f;
	return -1;
}

static gboolean
starts_with(const struct cdr_input *in, const void *bytes, gsize len)
{
	return in->len >= len && memcmp(in->data, bytes, len) == 0;
}

static gboolean
contains(const struct cdr_input *in, const void *bytes, gsize len)
{
	return memmem(in->data, in->len, bytes, len) != NULL;
}

/* The format the bytes show, or -1. */
static int
format_by_content(const struct cdr_input *in)
{
	if (starts_with(in, jww_signature, sizeof jww_signature - 1))
		return FMT_JWW;
	if (starts_with(in, hwp_text, sizeof hwp_text - 1))
		return FMT_HWP;
	if (!starts_with(in, cfb_signature, sizeof cfb_signature))
		return -1;
	if (contains(in, jsrv_stream, sizeof jsrv_stream - 1))
		return format_by_name(in->name) == FMT_HANAKO ? FMT_HANAKO : FMT_ICHITARO;
	if (contains(in, hwp_text, sizeof hwp_text - 1))
		return FMT_HWP;
	/* a compound file named like one of ours is not a Word file either */
	return format_by_name(in->name);
}

static int
unsupported_bid(const struct cdr_input *in)
{
	if (format_by_content(in) >= 0)
		return BID_BY_CONTENT;
	return format_by_name(in->name) >= 0 ? BID_BY_NAME : 0;
}

static enum cdr_verdict
unsupported_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	int f = format_by_content(in);
	if (f < 0)
		f = format_by_name(in->name);
	if (f < 0) /* cannot happen: we only get what we bid on */
		return cdr_job_error(job, CDR_E_UNSUPPORTED, "unsupported format");
	return cdr_job_error(job, CDR_E_UNSUPPORTED, "%s", formats[f].reason);
}

/* Known to the engine's naming, so that a JPEG named 写真.jtd comes out
 * as 写真.jpg, not 写真.jtd.jpg. */
static const char *const all_extensions[] = { "jtd", "jtdc", "jtt", "jttc", "jaw", "jbw", "jfw",
					      "jvw", "jxw", "jhd", "jhdc", "jww", "jwc", "xdw",
					      "xbd", "oas", "oa2", "oa3", "hwp", NULL };

const struct cdr_handler cdr_handler_unsupported = {
	.name = "unsupported",
	.flags = CDR_SELF_TYPED,
	.extensions = all_extensions,
	.mime_type = "application/octet-stream",
	.bid = unsupported_bid,
	.sanitize = unsupported_sanitize,
};
