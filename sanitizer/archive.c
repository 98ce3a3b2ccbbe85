/*
 * NAME
 *	archive.c - zip, 7z, rar, lzh, cab, tar and compressed files: every
 *	member through the engine, the result rebuilt as a zip
 * SUMMARY
 *	libarchive reads the archive (only the format its signature names, so
 *	a polyglot cannot be read as something else); each regular member is
 *	sanitized as a child object (depth + 1) under a safe name
 *	(archive-names.c) and, unless blocked, written into a new zip
 *	(zip-write.c, the writer the document packages use too). A single compressed file (gz, bz2, xz, zst
 *	without a tar inside) comes out as its sanitized content, without the
 *	compression layer. Links, devices and FIFOs are dropped; directories
 *	are implied by the paths.
 * DESCRIPTION
 *	A zip is first checked against its central directory (zip-check.c):
 *	any way two readers could see different members blocks it. Encrypted
 *	members (PPAP, 7z or rar with a password) block the archive as
 *	"password-protected archive"; the original stays in quarantine. Given
 *	passwords (cdr-file --password-file, a message's text, a paired
 *	message), a zip's are tried one at a time until one opens every
 *	encrypted member (at most [ppap] max_tries per top-level object; the
 *	wrong ones counted, never named), and the archive is read with that
 *	one. 7z and RAR encryption, which libarchive 3.6 cannot undo, is
 *	blocked as such, so the notice can say a password will not help.
 *	Members the front end's virus scan of the archive could not see - a
 *	zip member a password opened, every member of a RAR, LZH or zstd file
 *	(clamd on Debian unpacks none of them) - are revealed children: the
 *	engine has them scanned before they are used (cdr_job_scan_revealed).
 *	Members are read in 64 KB steps against what the top-level object
 *	may still expand to (max_expanded_bytes, max_ratio) and against
 *	max_input_bytes, so a bomb stops when the budget is spent, not when
 *	memory is; count and depth are the engine's limits on children. A zip
 *	that holds an office document's package (Office Open XML, ODF, Java)
 *	is not bid on: it is a document, not an archive.
 */
#include <locale.h>
#include <string.h>
#include <time.h>

#include <archive.h>
#include <archive_entry.h>

#include "actions.h"
#include "archive-parts.h"
#include "zip.h"
#include "handlers.h"

#define ARCHIVE_READ_CHUNK (64 * 1024)
/* Member names in the report per kind of action; the rest are counted
 * without a name, so 200,000 links cost a counter, not a report scan each. */
#define ARCHIVE_NAMED_ACTIONS 50
#define NOTHING_LEFT "every member blocked: "
/* 7z and RAR: libarchive 3.6 decrypts neither. */
#define CANNOT_DECRYPT                                                                     \
	"password-protected archive (its kind of encryption cannot be opened here: only "   \
	"zip's)"

enum archive_kind {
	KIND_NONE,
	KIND_ZIP,
	KIND_7Z,
	KIND_RAR,
	KIND_LZH,
	KIND_CAB,
	KIND_TAR,
	KIND_COMPRESSED, /* gz, bz2, xz, zst: a tar inside, or one file */
};

struct unpack {
	struct cdr_job *job;
	struct archive *reader;
	struct archive_names *names;
	struct zip_writer *zip;   /* started at the first member kept */
	GByteArray *out;          /* where the zip goes */
	gboolean single_file;     /* a compressed file without a tar: no zip */
	GByteArray *single;       /* KIND_COMPRESSED without a tar: the one output */
	const char *single_name;  /* its name and type (in the child's report) */
	const char *single_type;
	const char *outer_name;
	const char *passwords;    /* --password-file, a mail's text: one per line */
	enum archive_kind kind;
	gboolean unread_by_scanner; /* clamd does not unpack this kind */
	guint64 entries;          /* every header, links and directories too */
	GHashTable *noted;        /* action name -> how many were named */
	guint kept, blocked;
	const struct cdr_report *first_blocked;
};

#define HAS(d, n, off, lit) ((n) >= (off) + sizeof(lit) - 1 && memcmp((d) + (off), lit, sizeof(lit) - 1) == 0)

static enum archive_kind
kind_of(const guint8 *d, gsize n)
{
	if (HAS(d, n, 0, "PK\x03\x04") || (HAS(d, n, 0, "PK\x05\x06") && n == 22))
		return KIND_ZIP;
	if (HAS(d, n, 0, "7z\xbc\xaf\x27\x1c"))
		return KIND_7Z;
	if (HAS(d, n, 0, "Rar!\x1a\x07\x00") || HAS(d, n, 0, "Rar!\x1a\x07\x01\x00"))
		return KIND_RAR;
	if (n >= 21 && d[2] == '-' && d[3] == 'l' && (d[4] == 'h' || d[4] == 'z') && d[6] == '-')
		return KIND_LZH;
	if (HAS(d, n, 0, "MSCF\0\0\0\0"))
		return KIND_CAB;
	if (HAS(d, n, 257, "ustar"))
		return KIND_TAR;
	if (HAS(d, n, 0, "\x1f\x8b\x08") || HAS(d, n, 0, "\xfd" "7zXZ\0") ||
	    HAS(d, n, 0, "\x28\xb5\x2f\xfd") ||
	    (HAS(d, n, 0, "BZh") && n > 3 && d[3] >= '1' && d[3] <= '9'))
		return KIND_COMPRESSED;
	return KIND_NONE;
}

/* Office Open XML, OpenDocument and Java/Android packages are zips too;
 * they belong to document handlers (the ODF and Java ones blocked until
 * those exist). Judged by the central directory, so an archive that
 * merely holds such a document, stored uncompressed, stays an archive. */
static gboolean
is_document_package(const guint8 *d, gsize n)
{
	static const char *const markers[] = {
		"[Content_Types].xml", "META-INF/MANIFEST.MF", "AndroidManifest.xml",
	};
	for (gsize i = 0; i < G_N_ELEMENTS(markers); i++)
		if (zip_lists_member(d, n, markers[i]))
			return TRUE;
	return HAS(d, n, 30, "mimetypeapplication/");
}

static int
archive_bid(const struct cdr_input *in)
{
	enum archive_kind k = kind_of(in->data, in->len);
	if (k == KIND_NONE || (k == KIND_ZIP && is_document_package(in->data, in->len)))
		return 0;
	return 80;
}

static void
support_compression_filters(struct archive *a)
{
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
}

/* Is the compressed stream a tar? Decided by the "ustar" magic in the
 * first block, not by libarchive's tar reader, which takes a stream of
 * zeros (a compression bomb, say) for an empty tar. */
static gboolean
holds_tar(const guint8 *data, gsize len)
{
	struct archive *a = archive_read_new();
	support_compression_filters(a);
	archive_read_support_format_raw(a);
	struct archive_entry *e;
	guint8 block[512];
	gboolean tar = archive_read_open_memory(a, data, len) == ARCHIVE_OK &&
		       archive_read_next_header(a, &e) == ARCHIVE_OK &&
		       archive_read_data(a, block, sizeof block) == (la_ssize_t)sizeof block &&
		       memcmp(block + 257, "ustar", 5) == 0;
	archive_read_free(a);
	return tar;
}

/* Only the formats (and compression filters) the signature names. */
static struct archive *
open_reader(enum archive_kind k, const guint8 *data, gsize len, const char *passwords)
{
	struct archive *a = archive_read_new();
	g_auto(GStrv) list = g_strsplit(passwords ? passwords : "", "\n", -1);
	for (guint i = 0; list[i]; i++)
		if (*list[i])
			archive_read_add_passphrase(a, list[i]);
	switch (k) {
	case KIND_ZIP:
		archive_read_support_format_zip_seekable(a); /* the central directory's view */
		break;
	case KIND_7Z:
		archive_read_support_format_7zip(a);
		break;
	case KIND_RAR:
		archive_read_support_format_rar(a);
		archive_read_support_format_rar5(a);
		break;
	case KIND_LZH: /* names without a charset are Japanese Windows' */
		archive_read_support_format_lha(a);
		archive_read_set_format_option(a, "lha", "hdrcharset", "CP932");
		break;
	case KIND_CAB:
		archive_read_support_format_cab(a);
		archive_read_set_format_option(a, "cab", "hdrcharset", "CP932");
		break;
	case KIND_TAR:
		archive_read_support_format_tar(a);
		break;
	case KIND_COMPRESSED:
		support_compression_filters(a);
		if (holds_tar(data, len))
			archive_read_support_format_tar(a);
		else
			archive_read_support_format_raw(a);
		break;
	case KIND_NONE:
		break;
	}
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* ---- passwords -------------------------------------------------------------- */

enum trial { TRIAL_OPENS, TRIAL_WRONG, TRIAL_FAILED };

/* Do `passwords` (one per line; each member opens with one of them)
 * open every encrypted member of the zip? Each is read to its end
 * (ZipCrypto's check byte lets 1 wrong password in 256 through; the
 * data, its CRC or AES's HMAC then fail). As much as the object may
 * still expand to is read at most: a member that goes on beyond it
 * opened, and the real unpack stops it as a bomb. */
static enum trial
trial_open(struct cdr_job *job, const struct cdr_input *in, const char *passwords)
{
	struct archive *a = archive_read_new();
	g_auto(GStrv) list = g_strsplit(passwords, "\n", -1);
	for (guint i = 0; list[i]; i++)
		if (*list[i])
			archive_read_add_passphrase(a, list[i]);
	archive_read_support_format_zip_seekable(a);
	enum trial result = TRIAL_OPENS;
	guint64 left = cdr_job_expand_allowance(job);
	if (archive_read_open_memory(a, in->data, in->len) != ARCHIVE_OK)
		result = TRIAL_WRONG;
	struct archive_entry *e;
	int rc = ARCHIVE_EOF;
	while (result == TRIAL_OPENS && left &&
	       ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN)) {
		if (!archive_entry_is_encrypted(e))
			continue;
		guint8 buf[ARCHIVE_READ_CHUNK];
		la_ssize_t n = 0;
		while (result == TRIAL_OPENS && left &&
		       (n = archive_read_data(a, buf, sizeof buf)) > 0) {
			left -= MIN((guint64)n, left);
			if (!cdr_job_check_time(job)) /* a big member, tried again and again */
				result = TRIAL_FAILED;
		}
		if (result == TRIAL_OPENS && left && n < 0)
			result = TRIAL_WRONG;
	}
	if (result == TRIAL_OPENS && left && rc != ARCHIVE_EOF)
		result = TRIAL_WRONG;
	archive_read_free(a);
	return result;
}

static void
add_once(GPtrArray *list, const char *password)
{
	gboolean known = !*password;
	for (guint i = 0; i < list->len && !known; i++)
		known = strcmp(list->pdata[i], password) == 0;
	if (!known)
		g_ptr_array_add(list, g_strdup(password));
}

/* A password as people hand it over, in the forms it may have been set
 * with: as NFKC reads it ("Ｋｔ７ｍ" typed with the IME on is "Kt7m"), then
 * without a byte order mark, a CR (a file saved on Windows) or white
 * space around it, then as given. */
static void
add_forms(GPtrArray *list, const char *line)
{
	g_autofree char *trimmed = g_strdup(g_str_has_prefix(line, "\xef\xbb\xbf") ? line + 3 : line);
	g_strstrip(trimmed);
	g_autofree char *normal = g_utf8_validate(trimmed, -1, NULL)
					  ? g_utf8_normalize(trimmed, -1, G_NORMALIZE_NFKC)
					  : NULL;
	if (normal)
		add_once(list, g_strstrip(normal));
	add_once(list, trimmed);
	add_once(list, line);
}

/* The object's candidates, those that opened an archive of it first,
 * each once, each in the forms add_forms() gives. */
static GPtrArray *
password_candidates(struct cdr_job *job)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(g_free);
	const char *sources[] = { cdr_job_opened_passwords(job), cdr_job_passwords(job) };
	for (gsize s = 0; s < G_N_ELEMENTS(sources); s++) {
		g_auto(GStrv) lines = g_strsplit(sources[s] ? sources[s] : "", "\n", -1);
		for (char **l = lines; *l; l++)
			add_forms(list, *l);
	}
	return list;
}

/* Members encrypted with different passwords ("資料1" with one, "資料2"
 * with the other, both in the text): the candidates tried, all at once,
 * into *found (one per line) when together they open every member. No
 * further try is spent: these passwords were tried already. */
static enum trial
try_together(struct cdr_job *job, const struct cdr_input *in, GPtrArray *candidates,
	     guint tried, char **found)
{
	if (tried < 2)
		return TRIAL_WRONG;
	g_autoptr(GString) all = g_string_new(NULL);
	for (guint i = 0; i < tried; i++)
		g_string_append_printf(all, "%s%s", i ? "\n" : "", (char *)candidates->pdata[i]);
	enum trial t = trial_open(job, in, all->str);
	if (t != TRIAL_OPENS)
		return t;
	for (guint i = 0; i < tried; i++)
		cdr_job_password_opened(job, candidates->pdata[i]);
	*found = g_strdup(all->str);
	return t;
}

/*
 * The password that opens an encrypted zip, into *found: the candidates
 * are tried one at a time, each costing one of the message's [ppap]
 * max_tries; those that open nothing are counted (wrong-password), never
 * named. When no one opens every member, those tried are tried together
 * (a password per member). Blocked as encrypted when nothing opens it.
 */
static enum cdr_verdict
find_zip_password(struct cdr_job *job, const struct cdr_input *in, char **found)
{
	if (!cdr_job_expand_allowance(job)) /* a trial could read nothing: none would count */
		return cdr_job_error(job, CDR_E_LIMIT,
				     "password-protected archive: nothing left of max_expanded_bytes "
				     "or max_ratio to try its passwords on");
	g_autoptr(GPtrArray) candidates = password_candidates(job);
	guint tried = 0;
	gboolean spent = FALSE;
	enum cdr_verdict v = CDR_BLOCKED;
	for (guint i = 0; i < candidates->len && !*found; i++) {
		if (!cdr_job_take_password_try(job)) {
			spent = TRUE;
			break;
		}
		tried++;
		switch (trial_open(job, in, candidates->pdata[i])) {
		case TRIAL_OPENS:
			*found = g_strdup(candidates->pdata[i]);
			cdr_job_password_opened(job, *found);
			v = CDR_CLEAN;
			break;
		case TRIAL_WRONG:
			break;
		case TRIAL_FAILED:
			return CDR_BLOCKED;
		}
	}
	if (!*found) {
		enum trial together = try_together(job, in, candidates, tried, found);
		if (together == TRIAL_FAILED)
			return CDR_BLOCKED;
		if (together == TRIAL_OPENS)
			return CDR_CLEAN; /* each may have opened a member: none counts as wrong */
	}
	guint wrong = tried - (*found != NULL);
	if (wrong)
		cdr_job_action(job, CDR_ACT_WRONG_PASSWORD, NULL, wrong);
	if (*found)
		return v;
	if (!tried)
		return cdr_job_error(job, CDR_E_ENCRYPTED,
				     "password-protected archive: [ppap] max_tries passwords were "
				     "tried on this message already");
	return cdr_job_error(job, CDR_E_ENCRYPTED,
			     "password-protected archive: none of the %u password%s tried opens "
			     "it%s", tried, tried == 1 ? "" : "s",
			     spent ? " ([ppap] max_tries reached)" : "");
}

static gboolean
mentions_encryption(const char *msg)
{
	g_autofree char *lower = g_ascii_strdown(msg ? msg : "", -1);
	return strstr(lower, "encrypt") || strstr(lower, "passphrase") || strstr(lower, "password");
}

static enum cdr_verdict
reader_failure(struct unpack *u, const char *stage)
{
	const char *msg = archive_error_string(u->reader);
	if (mentions_encryption(msg) && u->kind != KIND_ZIP)
		return cdr_job_error(u->job, CDR_E_ENCRYPTED, CANNOT_DECRYPT);
	if (mentions_encryption(msg) && u->passwords)
		return cdr_job_error(u->job, CDR_E_ENCRYPTED,
				     "password-protected archive: no password in the list opens it, "
				     "or its kind of encryption is not supported (%s)", msg);
	if (mentions_encryption(msg))
		return cdr_job_error(u->job, CDR_E_ENCRYPTED, "password-protected archive");
	return cdr_job_error(u->job, CDR_E_PARSE, "%s: %s", stage, msg ? msg : "unreadable");
}

/* The member's bytes, or NULL with the reason recorded. */
static GByteArray *
read_member(struct unpack *u, enum cdr_verdict *failed)
{
	const struct cdr_policy *p = cdr_job_policy(u->job);
	guint64 budget = cdr_job_expand_allowance(u->job);
	guint64 limit = MIN(budget, p->max_input_bytes);
	GByteArray *bytes = g_byte_array_new();
	guint8 buf[ARCHIVE_READ_CHUNK];
	for (;;) {
		la_ssize_t n = archive_read_data(u->reader, buf, sizeof buf);
		if (n == 0)
			return bytes;
		if (n < 0) {
			*failed = reader_failure(u, "member data");
			break;
		}
		if ((guint64)n > limit - bytes->len) {
			*failed = budget <= p->max_input_bytes
					  ? cdr_job_error(u->job, CDR_E_LIMIT,
							  "members expand past max_expanded_bytes or "
							  "max_ratio (a compression bomb)")
					  : cdr_job_error(u->job, CDR_E_LIMIT,
							  "a member is larger than max_input_bytes");
			break;
		}
		g_byte_array_append(bytes, buf, (guint)n);
		if (!cdr_job_check_time(u->job)) {
			*failed = CDR_BLOCKED;
			break;
		}
	}
	g_byte_array_unref(bytes);
	return NULL;
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* An action about one member, named while there are few of its kind. */
static void
note(struct unpack *u, const char *what, const char *member)
{
	guint n = GPOINTER_TO_UINT(g_hash_table_lookup(u->noted, what));
	g_hash_table_insert(u->noted, (gpointer)what, GUINT_TO_POINTER(n + 1));
	cdr_job_action(u->job, what, n < ARCHIVE_NAMED_ACTIONS ? member : NULL, 1);
}

/* The length of `base` without the first of `suffixes` it ends with
 * (ignoring case, as Windows does), or all of it. */
static gsize
stem_length(const char *base, const char *const *suffixes, gsize n)
{
	gsize len = strlen(base);
	for (gsize i = 0; i < n; i++) {
		gsize s = strlen(suffixes[i]);
		if (len > s && g_ascii_strcasecmp(base + len - s, suffixes[i]) == 0)
			return len - s;
	}
	return len;
}

/* "report.csv.gz" -> "report.csv": the name of a compressed file's content. */
static char *
uncompressed_name(const char *outer)
{
	static const char *const suffixes[] = { ".gz", ".gzip", ".bz2", ".xz", ".zst", ".zstd" };
	const char *base = outer ? base_name(outer) : "";
	gsize len = stem_length(base, suffixes, G_N_ELEMENTS(suffixes));
	return len < strlen(base) ? g_strndup(base, len) : g_strdup("data");
}

/* "x.tar.gz", "x.7z", "x.lzh" -> "x.zip": the rebuilt archive's name. */
static char *
zip_name(const char *outer)
{
	static const char *const suffixes[] = {
		".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tgz", ".tbz2", ".tbz", ".txz",
		".tzst", ".tar", ".zip", ".7z", ".rar", ".lzh", ".lha", ".cab",
	};
	const char *base = outer ? base_name(outer) : "";
	gsize len = stem_length(base, suffixes, G_N_ELEMENTS(suffixes));
	return len ? g_strdup_printf("%.*s.zip", (int)len, base) : g_strdup("archive.zip");
}

/* A sanitized member into the new zip, under its directory and the name
 * the engine gave it (a.docm may have become a.docx). */
static gboolean
keep_member(struct unpack *u, const char *safe_path, const struct cdr_report *child,
	    GByteArray *out, gint64 mtime)
{
	g_autofree char *dir = g_path_get_dirname(safe_path);
	const char *name = child->out_name ? base_name(child->out_name) : base_name(safe_path);
	g_autofree char *path = strcmp(dir, ".") == 0 ? g_strdup(name)
						      : g_strconcat(dir, "/", name, NULL);
	gboolean renamed;
	g_autofree char *unique = archive_names_claim(u->names, path, &renamed);
	if (!u->zip)
		u->zip = zip_writer_new(u->out);
	if (renamed)
		note(u, CDR_ACT_DUPLICATE_NAME, unique);
	zip_writer_begin_dated(u->zip, unique, mtime);
	zip_writer_write(u->zip, out->data, out->len);
	if (!zip_writer_end(u->zip)) {
		cdr_job_error(u->job, CDR_E_LIMIT, "the rebuilt zip passes 4 GiB (at %s)", unique);
		return FALSE;
	}
	return TRUE;
}

/* One regular member: through the engine, then kept or left out. A
 * member the virus scan of the archive could not see goes in as a
 * revealed child (scanned first). */
static gboolean
sanitize_member(struct unpack *u, struct archive_entry *e, const char *safe_path,
		GByteArray *bytes, gboolean decrypted)
{
	GByteArray *out = NULL;
	enum cdr_verdict v;
	if (decrypted || u->unread_by_scanner)
		v = cdr_job_sanitize_revealed_child(
			u->job, bytes->data, bytes->len, safe_path,
			decrypted ? CDR_REVEALED_DECRYPTED : CDR_REVEALED_UNREAD, &out);
	else
		v = cdr_job_sanitize_child(u->job, bytes->data, bytes->len, safe_path, &out);
	const struct cdr_report *child = cdr_job_last_child(u->job);
	if (v == CDR_BLOCKED) {
		if (cdr_job_budget_spent(u->job)) {
			cdr_job_fail_as_child(u->job, child, NULL);
			return FALSE;
		}
		if (u->blocked++ == 0)
			u->first_blocked = child;
		note(u, CDR_ACT_MEMBER_REMOVED, safe_path);
		return TRUE; /* left out; its report says why */
	}
	u->kept++;
	gboolean ok = TRUE;
	if (!u->single_file) {
		ok = keep_member(u, safe_path, child, out, archive_entry_mtime(e));
		g_byte_array_unref(out);
	} else {
		u->single = out;
		u->single_name = child->out_name;
		u->single_type = child->out_type;
	}
	return ok;
}

/* Links and special files are dropped; TRUE for a regular file. */
static gboolean
is_regular_member(struct unpack *u, struct archive_entry *e, const char *safe_path)
{
	mode_t type = archive_entry_filetype(e);
	if (archive_entry_hardlink(e) || archive_entry_symlink(e) || type == AE_IFLNK) {
		note(u, CDR_ACT_LINK, safe_path);
		return FALSE;
	}
	if (type == AE_IFDIR)
		return FALSE;
	if (type != AE_IFREG) {
		note(u, CDR_ACT_SPECIAL_FILE, safe_path);
		return FALSE;
	}
	return TRUE;
}

static enum cdr_verdict
unpack_members(struct unpack *u)
{
	struct archive_entry *e;
	int rc;
	while ((rc = archive_read_next_header(u->reader, &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
		if (!cdr_job_check_time(u->job))
			return CDR_BLOCKED;
		if (++u->entries > cdr_job_policy(u->job)->max_children)
			return cdr_job_error(u->job, CDR_E_LIMIT,
					     "more than max_children (%" G_GUINT64_FORMAT
					     ") entries, links and directories included",
					     cdr_job_policy(u->job)->max_children);
		gboolean encrypted = archive_entry_is_encrypted(e);
		/* libarchive 3.6 decrypts only zip; given passwords, it hands out
		 * the ciphertext of other formats as if it were the member */
		if (encrypted && u->kind != KIND_ZIP)
			return cdr_job_error(u->job, CDR_E_ENCRYPTED, CANNOT_DECRYPT);
		if (encrypted && !u->passwords)
			return cdr_job_error(u->job, CDR_E_ENCRYPTED, "password-protected archive");
		gboolean single = archive_format(u->reader) == ARCHIVE_FORMAT_RAW;
		const char *raw = archive_entry_pathname_utf8(e);
		if (!raw)
			raw = archive_entry_pathname(e);
		gboolean changed = FALSE;
		g_autofree char *safe =
			single ? uncompressed_name(u->outer_name)
			       : archive_names_make_safe(u->names, raw ? raw : "", &changed);
		if (!single && !is_regular_member(u, e, safe))
			continue;
		if (changed)
			note(u, CDR_ACT_UNSAFE_NAME, safe);
		if (single && u->kept + u->blocked > 0)
			return cdr_job_error(u->job, CDR_E_PARSE, "more than one compressed stream");
		u->single_file = single;
		enum cdr_verdict failed = CDR_BLOCKED;
		g_autoptr(GByteArray) bytes = read_member(u, &failed);
		if (!bytes)
			return failed;
		if (encrypted) /* a password from the list opened it */
			note(u, CDR_ACT_ENCRYPTION, safe);
		if (!sanitize_member(u, e, safe, bytes, encrypted))
			return CDR_BLOCKED;
	}
	if (rc != ARCHIVE_EOF)
		return reader_failure(u, "archive");
	return CDR_CLEAN;
}

/* What goes out: the zip, or the single file's content. */
static enum cdr_verdict
finish(struct unpack *u, struct cdr_output *out)
{
	if (u->kept == 0 && u->blocked > 0) /* an archive inside may have said so already */
		return cdr_job_fail_as_child(u->job, u->first_blocked, NOTHING_LEFT);
	if (!u->single_file) {
		if (!u->zip) /* an empty archive */
			u->zip = zip_writer_new(u->out);
		gboolean ok = zip_writer_finish(u->zip);
		u->zip = NULL;
		if (!ok)
			return cdr_job_error(u->job, CDR_E_LIMIT, "the rebuilt zip passes 4 GiB");
		out->type = "application/zip";
		out->ext = "zip";
		out->name = zip_name(u->outer_name);
		return CDR_CLEAN;
	}
	if (!u->single)
		return cdr_job_error(u->job, CDR_E_PARSE, "an empty compressed file");
	g_byte_array_append(out->data, u->single->data, u->single->len);
	out->type = u->single_type;
	out->name = g_strdup(u->single_name);
	const char *dot = strrchr(u->single_name, '.');
	out->ext = dot && dot[1] ? dot + 1 : NULL;
	return CDR_CLEAN;
}

static enum cdr_verdict
archive_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	enum archive_kind kind = kind_of(in->data, in->len);
	g_autofree char *password = NULL; /* the one that opens an encrypted zip */
	if (kind == KIND_ZIP) {
		const char *why = NULL;
		switch (zip_check_structure(in->data, in->len, &why)) {
		case ZIP_OK:
			break;
		case ZIP_ENCRYPTED:
			if (!cdr_job_passwords(job))
				return cdr_job_error(job, CDR_E_ENCRYPTED, "password-protected archive");
			if (find_zip_password(job, in, &password) == CDR_BLOCKED)
				return CDR_BLOCKED;
			break;
		case ZIP_AMBIGUOUS:
			return cdr_job_error(job, CDR_E_PARSE, "ambiguous zip: %s", why);
		}
	}
	if (kind == KIND_RAR && rar5_is_encrypted(in->data, in->len))
		return cdr_job_error(job, CDR_E_ENCRYPTED, CANNOT_DECRYPT);
	struct unpack u = {
		.job = job,
		.names = archive_names_new(cdr_engine_charsets(cdr_job_engine(job))),
		.outer_name = in->name,
		.out = out->data,
		.passwords = password,
		.kind = kind,
		.unread_by_scanner = kind == KIND_RAR || kind == KIND_LZH ||
				     (kind == KIND_COMPRESSED && HAS(in->data, in->len, 0, "\x28\xb5\x2f\xfd")),
		.noted = g_hash_table_new(g_str_hash, g_str_equal),
	};
	u.reader = open_reader(kind, in->data, in->len, u.passwords);
	enum cdr_verdict v = CDR_BLOCKED;
	if (!u.reader) {
		cdr_job_error(job, CDR_E_PARSE, "not a readable archive");
		goto out;
	}
	v = unpack_members(&u);
	if (v != CDR_BLOCKED)
		v = finish(&u, out);
out:
	zip_writer_free(u.zip);
	if (u.reader)
		archive_read_free(u.reader);
	archive_names_free(u.names);
	g_hash_table_destroy(u.noted);
	if (u.single)
		g_byte_array_unref(u.single);
	return v;
}

/* Zip stores local times: libarchive (reading) and zip-write.c convert
 * with mktime() and localtime_r(), which read /etc/localtime on first
 * use, and with TZ unset stat it again on every mktime(). Name the zone
 * in TZ and load it now, before the sandbox forbids both; glibc then
 * keeps it. */
static gboolean
archive_init(GError **error)
{
	if (!getenv("TZ"))
		g_setenv("TZ", ":/etc/localtime", TRUE);
	tzset();
	/* libarchive converts member names to and from the locale's charset:
	 * in the C locale every non-ASCII name fails. C.UTF-8 is built into
	 * glibc (nothing to load) and makes the conversions exact. */
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "archive handler: no C.UTF-8 locale");
		return FALSE;
	}
	return TRUE;
}

static const char *const archive_extensions[] = {
	"zip", "7z", "rar", "lzh", "lha", "cab", "tar", "tgz", "tbz2", "txz", "gz", "bz2", "xz", "zst",
	NULL,
};

const struct cdr_handler cdr_handler_archive = {
	.name = "archive",
	.flags = CDR_CONTAINER | CDR_SELF_TYPED,
	.extensions = archive_extensions,
	.mime_type = "application/zip",
	.init = archive_init,
	.bid = archive_bid,
	.sanitize = archive_sanitize,
};
