/*
 * NAME
 *	ole2.c - legacy Office documents (.doc .xls .ppt) rebuilt with libgsf
 * SUMMARY
 *	An OLE2 compound file is a small file system: storages (folders) and
 *	streams (files). Word, Excel and PowerPoint keep the document in one
 *	main stream and put macros (Macros, _VBA_PROJECT_CUR), embedded
 *	objects (ObjectPool, MBD*, Ole10Native packages carrying executables,
 *	Equation Editor streams of CVE-2017-11882) and signatures beside it.
 *	The handler reads the file with libgsf and writes a new one holding
 *	only the streams each kind of document is known to need, byte for
 *	byte, with the storage class ids Office opens it by.
 * DESCRIPTION
 *	The kind comes from the root's streams: WordDocument, Workbook (or
 *	Book) or "PowerPoint Document". Encrypted packages (EncryptionInfo and
 *	EncryptedPackage: a password-protected docx/xlsx/pptx) are blocked as
 *	password-protected; any other compound file (Outlook message, Windows
 *	Installer package, Visio, Publisher, Thumbs.db, ...) is unsupported and
 *	named when known. Two entries of one storage with the same name
 *	(Office compares case-insensitively) make the file ambiguous: blocked.
 *	Kept, per kind, the allow-listed root streams (see keep_*[] below), a
 *	root \001Ole stream in its inert 20-byte form (no link, no moniker),
 *	and Excel's pivot caches (_SX_DB_CUR, its plain streams only). Every other
 *	entry is dropped and reported: VBA storages as macro, signature
 *	storages as signature, ActiveX "Ctls" as activex, everything else
 *	(ObjectPool, MBD*, \001Ole10Native, Equation Native, \001Ole,
 *	\003ObjInfo, unknown names) as embedded-object. Empty storages go
 *	silently. The main streams are then read by ole2-word.c and
 *	ole2-records.c; what they find blocks the file.
 *	Before libgsf sees the file, ole2-cfb.c checks its structure (every
 *	chain, the directory tree), so broken files are refused with a reason
 *	instead of tripping libgsf's assertions.
 *	Limits: at most OLE2_MAX_ENTRIES entries per storage; every stream
 *	read is charged to the expanded-bytes budget; wall time is checked per
 *	stream. libgsf's errors block the file as a parse error.
 *	The rebuild is deterministic: GsfOutfileMSOle writes no time stamps
 *	and sorts each storage's entries by name, so a rebuilt file comes back
 *	byte-identical from a second pass.
 */
#include <string.h>

#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input-memory.h>
#include <gsf/gsf-outfile-msole.h>
#include <gsf/gsf-outfile.h>
#include <gsf/gsf-output-memory.h>
#include <gsf/gsf-utils.h>

#include "actions.h"
#include "excerpt.h"
#include "handlers.h"
#include "ole2.h"

#define OLE2_MAX_ENTRIES 1024
#define OLE2_CLSID_LEN 16

static const guint8 ole2_signature[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

enum ole2_kind { KIND_NONE, KIND_WORD, KIND_EXCEL, KIND_PPT };

static const char *const keep_common[] = {
	"\005SummaryInformation", "\005DocumentSummaryInformation", "\001CompObj", NULL,
};
static const char *const keep_word[] = { "WordDocument", "1Table", "0Table", "Data", NULL };
static const char *const keep_excel[] = { "Workbook", "Book", NULL };
static const char *const keep_ppt[] = {
	"PowerPoint Document", "Current User", "Pictures", NULL,
};
/* Storages whose plain streams are kept (Excel's pivot caches). */
static const char *const keep_excel_storages[] = { "_SX_DB_CUR", NULL };

static const char *const macro_names[] = {
	"Macros", "_VBA_PROJECT_CUR", "VBA", "_VBA_PROJECT", "PROJECT", "PROJECTwm", NULL,
};
static const char *const signature_names[] = {
	"_signatures", "_xmlsignatures", "\005DigitalSignature", "\005DigitalSignatureEx", NULL,
};

/* One stream kept for the rebuild. */
struct ole2_stream {
	char *name;
	GByteArray *data;
	GPtrArray *children;           /* storage: its streams; NULL for a stream */
	guint8 clsid[OLE2_CLSID_LEN]; /* storage only */
};

static void
ole2_stream_free(gpointer p)
{
	struct ole2_stream *s = p;
	if (!s)
		return;
	g_free(s->name);
	if (s->data)
		g_byte_array_unref(s->data);
	if (s->children)
		g_ptr_array_unref(s->children);
	g_free(s);
}

static gboolean
in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (g_ascii_strcasecmp(name, *list) == 0)
			return TRUE;
	return FALSE;
}

static int
ole2_bid(const struct cdr_input *in)
{
	if (in->len < sizeof ole2_signature || memcmp(in->data, ole2_signature, sizeof ole2_signature))
		return 0;
	return 100;
}

/* libgsf reports broken files through g_warning/g_return_if_fail; they
 * are blocked by the failing call anyway, and GLib's default writer
 * probes the descriptor in ways the sandbox kills the worker for. */
static void
ignore_gsf_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
	(void)domain;
	(void)level;
	(void)message;
	(void)data;
}

static gboolean
ole2_init(GError **error)
{
	static const char *const domains[] = { "libgsf", "libgsf:msole", NULL };
	(void)error;
	gsf_init();
	for (const char *const *d = domains; *d; d++)
		g_log_set_handler(*d, G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION,
				  ignore_gsf_log, NULL);
	/* parts of libgsf log without a domain; GLib's writer then looks up
	 * the charset once (charset.alias): do that before the sandbox */
	(void)g_get_charset(NULL);
	/* libgsf turns directory time stamps into local GDateTimes. GLib
	 * caches the local zone only while its identifier equals $TZ, so with
	 * TZ unset every call would read /usr/share/zoneinfo, which the
	 * sandbox forbids: name the zone GLib found in TZ (the same zone, so
	 * local time does not change) and load it now. */
	if (!g_getenv("TZ")) {
		GTimeZone *z = g_time_zone_new_local();
		const char *id = g_time_zone_get_identifier(z);
		if (id && *id)
			g_setenv("TZ", id, FALSE);
		g_time_zone_unref(z);
	}
	GDateTime *t = g_date_time_new_from_unix_local(0), *u = g_date_time_new_from_unix_utc(0);
	g_date_time_unref(t);
	g_date_time_unref(u);
	return TRUE;
}

/* A name as the report shows it: control characters as \ooo. */
static char *
display_name(const char *name)
{
	GString *s = g_string_new(NULL);
	for (const char *c = name; *c; c++) {
		if ((guchar)*c < 0x20 || *c == 0x7f)
			g_string_append_printf(s, "\\%03o", (guchar)*c);
		else
			g_string_append_c(s, *c);
	}
	return g_string_free(s, FALSE);
}

static gboolean
is_storage(GsfInput *child)
{
	return GSF_IS_INFILE(child) && gsf_infile_num_children(GSF_INFILE(child)) >= 0;
}

/* Names of a storage's entries, checked for count and duplicates. */
static enum cdr_verdict
check_entries(struct cdr_job *job, GsfInfile *dir)
{
	int n = gsf_infile_num_children(dir);
	if (n > OLE2_MAX_ENTRIES)
		return cdr_job_error(job, CDR_E_LIMIT, "OLE2 storage with more than %d entries",
				     OLE2_MAX_ENTRIES);
	for (int i = 0; i < n; i++) {
		const char *a = gsf_infile_name_by_index(dir, i);
		if (!a)
			return cdr_job_error(job, CDR_E_PARSE, "OLE2 entry without a name");
		for (int j = 0; j < i; j++)
			if (g_ascii_strcasecmp(a, gsf_infile_name_by_index(dir, j)) == 0)
				return cdr_job_error(job, CDR_E_PARSE,
						     "two OLE2 entries of one storage share a name");
	}
	return CDR_CLEAN;
}

static gboolean
has_entry(GsfInfile *root, const char *name)
{
	int n = gsf_infile_num_children(root);
	for (int i = 0; i < n; i++)
		if (g_ascii_strcasecmp(gsf_infile_name_by_index(root, i), name) == 0)
			return TRUE;
	return FALSE;
}

static gboolean
has_prefix_entry(GsfInfile *root, const char *prefix)
{
	int n = gsf_infile_num_children(root);
	for (int i = 0; i < n; i++)
		if (g_ascii_strncasecmp(gsf_infile_name_by_index(root, i), prefix, strlen(prefix)) == 0)
			return TRUE;
	return FALSE;
}

/* What a compound file that is no Office document is, when known. */
static const char *
foreign_kind(GsfInfile *root, const guint8 *clsid)
{
	/* {000C1084-...} MSI, {000C1086-...} MSP, {000C1082-...} MST */
	static const guint8 msi_tail[14] = { 0x0C, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0,
					     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46 };
	if (clsid[1] == 0x10 && memcmp(clsid + 2, msi_tail, sizeof msi_tail) == 0) {
		if (clsid[0] == 0x84)
			return "Windows Installer package (.msi)";
		if (clsid[0] == 0x86)
			return "Windows Installer patch (.msp)";
		if (clsid[0] == 0x82)
			return "Windows Installer transform (.mst)";
	}
	if (has_entry(root, "__properties_version1.0") || has_prefix_entry(root, "__substg1.0_"))
		return "Outlook message (.msg)";
	if (has_entry(root, "VisioDocument"))
		return "Visio drawing";
	if (has_entry(root, "Quill"))
		return "Publisher document";
	if (has_entry(root, "Catalog"))
		return "Windows thumbnail cache (Thumbs.db)";
	if (has_entry(root, "FileHeader") && has_entry(root, "BodyText"))
		return "Hangul word processor document (.hwp)";
	if (has_entry(root, "\001Ole10Native"))
		return "OLE package object";
	if (has_entry(root, "Equation Native"))
		return "Equation Editor object";
	return NULL;
}

static const char *
removal_action(const char *name, gboolean storage)
{
	if (in_list(name, macro_names))
		return CDR_ACT_MACRO;
	if (in_list(name, signature_names))
		return CDR_ACT_SIGNATURE;
	if (!storage && g_ascii_strcasecmp(name, "Ctls") == 0)
		return CDR_ACT_ACTIVEX;
	return CDR_ACT_EMBEDDED_OBJECT;
}

/* The root's \001Ole stream in its inert form (MS-OLEDS 2.3.3: version
 * 0x02000001, not a link, no moniker): LibreOffice and Word write it into
 * plain documents. Any other form (a link, a moniker) is removed. */
static gboolean
is_inert_ole_stream(const GByteArray *a)
{
	if (a->len != 20 || ole2_u32(a->data) != 0x02000001u || (ole2_u32(a->data + 4) & 1u))
		return FALSE;
	for (guint i = 8; i < a->len; i++)
		if (a->data[i])
			return FALSE;
	return TRUE;
}

/* Read a stream whole, charged to the budget. NULL after cdr_job_error. */
static GByteArray *
read_stream(struct cdr_job *job, GsfInput *in)
{
	gsf_off_t size = gsf_input_size(in);
	if (size < 0)
		goto parse;
	if ((guint64)size > G_MAXUINT) {
		cdr_job_error(job, CDR_E_LIMIT, "OLE2 stream over 4 GiB");
		return NULL;
	}
	if (!cdr_job_charge_expanded(job, (guint64)size))
		return NULL;
	if (!cdr_job_check_time(job))
		return NULL;
	GByteArray *a = g_byte_array_sized_new((guint)size);
	g_byte_array_set_size(a, (guint)size);
	if (size > 0 && !gsf_input_read(in, (size_t)size, a->data)) {
		g_byte_array_unref(a);
		goto parse;
	}
	return a;
parse:
	cdr_job_error(job, CDR_E_PARSE, "unreadable OLE2 stream");
	return NULL;
}

/* Removals of one root, aggregated by action and shown name. */
struct removal {
	const char *what;
	char *where;
	unsigned count;
};

static void
note_removal(GArray *removals, const char *what, const char *name)
{
	g_autofree char *where = g_ascii_strncasecmp(name, "MBD", 3) == 0 ? g_strdup("MBD*")
									   : display_name(name);
	for (guint i = 0; i < removals->len; i++) {
		struct removal *r = &g_array_index(removals, struct removal, i);
		if (r->what == what && strcmp(r->where, where) == 0) {
			r->count++;
			return;
		}
	}
	struct removal r = { what, g_steal_pointer(&where), 1 };
	g_array_append_val(removals, r);
}

/* The plain streams of a kept storage; nested storages are dropped. */
static struct ole2_stream *
copy_storage(struct cdr_job *job, GsfInfile *dir, const char *name, GArray *removals)
{
	if (check_entries(job, dir) == CDR_BLOCKED)
		return NULL;
	struct ole2_stream *s = g_new0(struct ole2_stream, 1);
	s->name = g_strdup(name);
	s->children = g_ptr_array_new_with_free_func(ole2_stream_free);
	if (!gsf_infile_msole_get_class_id(GSF_INFILE_MSOLE(dir), s->clsid))
		memset(s->clsid, 0, sizeof s->clsid);
	int n = gsf_infile_num_children(dir);
	for (int i = 0; i < n; i++) {
		const char *cname = gsf_infile_name_by_index(dir, i);
		GsfInput *child = gsf_infile_child_by_index(dir, i);
		if (!child) {
			cdr_job_error(job, CDR_E_PARSE, "unreadable OLE2 entry");
			ole2_stream_free(s);
			return NULL;
		}
		if (is_storage(child)) {
			if (gsf_infile_num_children(GSF_INFILE(child)) > 0)
				note_removal(removals, CDR_ACT_EMBEDDED_OBJECT, cname);
			g_object_unref(child);
			continue;
		}
		struct ole2_stream *c = g_new0(struct ole2_stream, 1);
		c->name = g_strdup(cname);
		c->data = read_stream(job, child);
		g_object_unref(child);
		if (!c->data) {
			ole2_stream_free(c);
			ole2_stream_free(s);
			return NULL;
		}
		g_ptr_array_add(s->children, c);
	}
	return s;
}

static enum ole2_kind
kind_of(GsfInfile *root, const char **ambiguous)
{
	enum ole2_kind kind = KIND_NONE;
	unsigned found = 0;
	if (has_entry(root, "WordDocument")) {
		kind = KIND_WORD;
		found++;
	}
	if (has_entry(root, "Workbook") || has_entry(root, "Book")) {
		kind = KIND_EXCEL;
		found++;
	}
	if (has_entry(root, "PowerPoint Document")) {
		kind = KIND_PPT;
		found++;
	}
	*ambiguous = found > 1 ? "OLE2 file holding the main streams of two kinds of document" : NULL;
	return kind;
}

static struct ole2_bytes
bytes_of(GPtrArray *kept, const char *name)
{
	struct ole2_bytes b = { NULL, 0 };
	for (guint i = 0; i < kept->len; i++) {
		struct ole2_stream *s = kept->pdata[i];
		if (!s->children && g_ascii_strcasecmp(s->name, name) == 0) {
			b.data = s->data->data;
			b.len = s->data->len;
		}
	}
	return b;
}

static gboolean
check_records(enum ole2_kind kind, GPtrArray *kept, const struct cdr_policy *policy,
	      struct ole2_problem *p)
{
	switch (kind) {
	case KIND_WORD:
		return ole2_word_check(bytes_of(kept, "WordDocument"), bytes_of(kept, "0Table"),
				       bytes_of(kept, "1Table"), policy, p);
	case KIND_EXCEL: {
		/* Excel 97+ reads Workbook, Excel 5 Book: judge both */
		struct ole2_bytes wb = bytes_of(kept, "Workbook"), book = bytes_of(kept, "Book");
		return (!wb.data || ole2_excel_check(wb, policy, p)) &&
		       (!book.data || ole2_excel_check(book, policy, p));
	}
	case KIND_PPT:
		return ole2_ppt_check(bytes_of(kept, "PowerPoint Document"), policy, p);
	default:
		return FALSE;
	}
}

static gboolean
write_entries(GsfOutfile *dir, GPtrArray *entries)
{
	for (guint i = 0; i < entries->len; i++) {
		struct ole2_stream *s = entries->pdata[i];
		GsfOutput *o = gsf_outfile_new_child(dir, s->name, s->children != NULL);
		if (!o)
			return FALSE;
		gboolean ok;
		if (s->children) {
			ok = gsf_outfile_msole_set_class_id(GSF_OUTFILE_MSOLE(o), s->clsid) &&
			     write_entries(GSF_OUTFILE(o), s->children);
		} else {
			ok = s->data->len == 0 || gsf_output_write(o, s->data->len, s->data->data);
		}
		ok = gsf_output_close(o) && ok;
		g_object_unref(o);
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

/* The new compound file; FALSE when libgsf fails. */
static gboolean
rebuild(const guint8 *clsid, GPtrArray *kept, GByteArray *out)
{
	GsfOutput *mem = gsf_output_memory_new();
	GsfOutfile *ole = gsf_outfile_msole_new(mem);
	gboolean ok = ole && gsf_outfile_msole_set_class_id(GSF_OUTFILE_MSOLE(ole), clsid) &&
		      write_entries(ole, kept);
	if (ole) {
		ok = gsf_output_close(GSF_OUTPUT(ole)) && ok;
		g_object_unref(ole);
	}
	if (!gsf_output_is_closed(mem))
		ok = gsf_output_close(mem) && ok;
	if (ok) {
		const guint8 *b = gsf_output_memory_get_bytes(GSF_OUTPUT_MEMORY(mem));
		gsf_off_t n = gsf_output_size(mem);
		if (!b || n <= 0)
			ok = FALSE;
		else
			g_byte_array_append(out, b, (guint)n);
	}
	g_object_unref(mem);
	return ok;
}

/* Sort the kept root entries into `kept`, removed ones into `removals`. */
static enum cdr_verdict
select_entries(struct cdr_job *job, GsfInfile *root, enum ole2_kind kind, GPtrArray *kept,
	       GArray *removals)
{
	const char *const *keep = kind == KIND_WORD ? keep_word : kind == KIND_EXCEL ? keep_excel
										     : keep_ppt;
	int n = gsf_infile_num_children(root);
	for (int i = 0; i < n; i++) {
		const char *name = gsf_infile_name_by_index(root, i);
		GsfInput *child = gsf_infile_child_by_index(root, i);
		if (!child)
			return cdr_job_error(job, CDR_E_PARSE, "unreadable OLE2 entry");
		gboolean storage = is_storage(child);
		struct ole2_stream *s = NULL;
		if (storage && kind == KIND_EXCEL && in_list(name, keep_excel_storages)) {
			s = copy_storage(job, GSF_INFILE(child), name, removals);
			if (!s) {
				g_object_unref(child);
				return CDR_BLOCKED;
			}
		} else if (!storage && (in_list(name, keep) || in_list(name, keep_common))) {
			s = g_new0(struct ole2_stream, 1);
			s->name = g_strdup(name);
			s->data = read_stream(job, child);
			if (!s->data) {
				ole2_stream_free(s);
				g_object_unref(child);
				return CDR_BLOCKED;
			}
		} else if (!storage && g_ascii_strcasecmp(name, "\001Ole") == 0) {
			GByteArray *a = read_stream(job, child);
			if (!a) {
				g_object_unref(child);
				return CDR_BLOCKED;
			}
			if (is_inert_ole_stream(a)) {
				s = g_new0(struct ole2_stream, 1);
				s->name = g_strdup(name);
				s->data = a;
			} else {
				g_byte_array_unref(a);
				note_removal(removals, CDR_ACT_EMBEDDED_OBJECT, name);
			}
		} else if (!storage || gsf_infile_num_children(GSF_INFILE(child)) > 0) {
			note_removal(removals, removal_action(name, storage), name);
		}
		g_object_unref(child);
		if (s)
			g_ptr_array_add(kept, s);
	}
	return CDR_CLEAN;
}

/* The input's name with `ext` in place of another legacy Office
 * extension (a template .dot, a .xls that is really a Word document), so
 * the name fits what the file is; NULL leaves naming to the engine. */
static char *
output_name(const char *name, const char *ext)
{
	static const char *const legacy[] = { "doc", "dot", "xls", "xlt", "ppt", "pot", "pps", NULL };
	const char *dot = name ? strrchr(name, '.') : NULL;
	if (!dot || !in_list(dot + 1, legacy) || g_ascii_strcasecmp(dot + 1, ext) == 0)
		return NULL;
	return g_strdup_printf("%.*s.%s", (int)(dot - name), name, ext);
}

static enum cdr_verdict
ole2_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	enum cdr_verdict verdict = CDR_BLOCKED;
	GError *err = NULL;
	GsfInput *input = gsf_input_memory_new(in->data, (gsf_off_t)in->len, FALSE);
	GsfInfile *root = NULL;
	GPtrArray *kept = g_ptr_array_new_with_free_func(ole2_stream_free);
	GArray *removals = g_array_new(FALSE, FALSE, sizeof(struct removal));
	guint8 clsid[OLE2_CLSID_LEN] = { 0 };
	const char *why;
	enum ole2_kind kind;
	struct ole2_problem problem = { 0 };

	if (!input) {
		cdr_job_error(job, CDR_E_INTERNAL, "libgsf could not wrap the input");
		goto out;
	}
	why = ole2_cfb_check(in->data, in->len);
	if (why) {
		cdr_job_error(job, CDR_E_PARSE, "%s", why);
		goto out;
	}
	root = gsf_infile_msole_new(input, &err);
	if (!root) {
		cdr_job_error(job, CDR_E_PARSE, "unreadable OLE2 file (%s)",
			      err && err->message ? err->message : "libgsf error");
		goto out;
	}
	if (check_entries(job, root) == CDR_BLOCKED)
		goto out;
	if (!gsf_infile_msole_get_class_id(GSF_INFILE_MSOLE(root), clsid))
		memset(clsid, 0, sizeof clsid);
	if (has_entry(root, "EncryptedPackage") || has_entry(root, "EncryptionInfo")) {
		cdr_job_error(job, CDR_E_ENCRYPTED,
			      "password-protected document (encrypted Office Open XML package)");
		goto out;
	}
	kind = kind_of(root, &why);
	if (why) {
		cdr_job_error(job, CDR_E_UNSUPPORTED, "%s", why);
		goto out;
	}
	if (kind == KIND_NONE) {
		why = foreign_kind(root, clsid);
		cdr_job_error(job, CDR_E_UNSUPPORTED, "%s is not an Office document",
			      why ? why : "OLE2 compound file of an unknown kind");
		goto out;
	}
	if (kind == KIND_PPT && has_entry(root, "EncryptedSummary")) {
		cdr_job_error(job, CDR_E_ENCRYPTED,
			      "password-protected document (encrypted PowerPoint document)");
		goto out;
	}
	if (select_entries(job, root, kind, kept, removals) == CDR_BLOCKED)
		goto out;

	if (!check_records(kind, kept, cdr_job_policy(job), &problem)) {
		cdr_job_fail(job, NULL, &problem.failure);
		goto out;
	}
	if (!cdr_job_check_time(job))
		goto out;
	if (!rebuild(clsid, kept, out->data)) {
		g_byte_array_set_size(out->data, 0);
		cdr_job_error(job, CDR_E_INTERNAL, "libgsf could not write the rebuilt OLE2 file");
		goto out;
	}
	for (guint i = 0; i < removals->len; i++) {
		struct removal *r = &g_array_index(removals, struct removal, i);
		cdr_job_action(job, r->what, r->where, r->count);
	}
	out->type = kind == KIND_WORD	 ? "application/msword"
		    : kind == KIND_EXCEL ? "application/vnd.ms-excel"
					 : "application/vnd.ms-powerpoint";
	out->ext = kind == KIND_WORD ? "doc" : kind == KIND_EXCEL ? "xls" : "ppt";
	out->name = output_name(in->name, out->ext);
	verdict = CDR_CLEAN; /* the engine makes it SANITIZED when actions were recorded */
out:
	for (guint i = 0; i < removals->len; i++)
		g_free(g_array_index(removals, struct removal, i).where);
	g_array_unref(removals);
	g_ptr_array_unref(kept);
	if (root)
		g_object_unref(root);
	if (input)
		g_object_unref(input);
	g_clear_error(&err);
	return verdict;
}

static const char *const ole2_extensions[] = { "doc", "xls", "ppt", "dot", "xlt", "pot", "pps", NULL };

const struct cdr_handler cdr_handler_ole2 = {
	.name = "ole2",
	.flags = CDR_SELF_TYPED,
	.extensions = ole2_extensions,
	.mime_type = "application/msword",
	.init = ole2_init,
	.bid = ole2_bid,
	.sanitize = ole2_sanitize,
	.excerpt = ole2_excerpt,
};
