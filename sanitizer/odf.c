/*
 * NAME
 *	odf.c - OpenDocument text documents, spreadsheets, presentations and
 *	drawings (LibreOffice), rebuilt from the parts that are only content
 * SUMMARY
 *	A package is a zip read through its central directory, after
 *	zip-check.c has held every local header against it. Its manifest is
 *	read first: a part with encryption data means a password-protected
 *	document, which is blocked. The type (mimetype, and the manifest's
 *	root entry, which must agree) must be a text, spreadsheet,
 *	presentation or drawing, or a template of one, and the body of
 *	content.xml must hold that kind of document.
 *	Kept by an allow-list: content.xml, styles.xml, meta.xml and
 *	settings.xml, each parsed without DTDs and written again after the
 *	rules of odf-clean.c and odf-meta.c; the embedded charts and
 *	formulas the content uses (Object N/, XML under the same rules); the
 *	pictures the kept XML uses (Pictures/, and ObjectReplacements/ for
 *	the picture of an object that was removed), rebuilt through the image
 *	handlers or replaced by an empty PNG.
 *	Left out and reported: Basic and script libraries and dialogs
 *	(Basic/, Scripts/, Dialogs/: macro), toolbar, menu and shortcut
 *	configurations, which can bind macros (Configurations2/: add-in),
 *	signatures (signature), embedded fonts (font), OLE objects and
 *	embedded documents (embedded-object), and any other part. Left out
 *	without a word, being caches LibreOffice writes again: the preview
 *	picture (Thumbnails/: it shows the document as it was before
 *	cleaning, possibly with what was removed), replacement pictures of
 *	kept charts, the RDF index of the parts (manifest.rdf) and the
 *	layout cache.
 *	The new package starts with `mimetype`, stored, without an extra
 *	field, as the format requires; its manifest is written anew to list
 *	exactly what is kept. A template stays a template.
 *	Flat XML documents (fodt, fods, fodp, fodg) are one XML file under the
 *	same rules; their pictures (office:binary-data, base64) go through
 *	the image handlers the same way.
 * DESCRIPTION
 *	Blocked: an ambiguous zip, encrypted members or encryption data in
 *	the manifest (encrypted), part names with "..", backslashes, control
 *	characters or not UTF-8, or two names equal but for case, a missing
 *	manifest or content.xml, a type that is not one of the eight (or
 *	that the parts disagree on), any XML part with a document type
 *	declaration, not well formed, of the wrong kind, or declaring an
 *	OpenOffice.org 1.x namespace, and the limits: max_children (parts),
 *	[office] max_xml_part_bytes (one XML part, or a flat document),
 *	max_expanded_bytes and max_ratio (all parts inflated).
 */
#include <string.h>

#include "actions.h"
#include "handlers.h"
#include "odf.h"

#define MANIFEST "META-INF/manifest.xml"
#define MIMETYPE "mimetype"
#define OASIS_DOCUMENT "application/vnd.oasis.opendocument."

enum role { ROLE_NONE, ROLE_XML, ROLE_PICTURE };

struct part {
	char *name;
	const struct zip_entry *entry;
	enum role role;
	struct package_picture pic;
};

struct object {
	char *dir;        /* "Object 1/" */
	const char *body; /* "chart" or "formula"; NULL when refused */
};

struct odf_package {
	struct cdr_job *job;
	const guint8 *data;
	GArray *entries;        /* struct zip_entry */
	GPtrArray *parts;       /* struct part *, zip order */
	GHashTable *by_name;    /* name -> part */
	GHashTable *lower;      /* lower-case names, to refuse two equal but for case */
	GHashTable *folders;    /* the folders parts are in: "Object 1", "Pictures" */
	GHashTable *media;      /* manifest full-path -> media type */
	GHashTable *versions;   /* manifest full-path -> version */
	GHashTable *objects;    /* "Object 1/" -> struct object */
	GPtrArray *kept_objects; /* struct object *, in order of first use */
	GHashTable *noted;      /* "action\nwhere" already reported */
	GString *entries_out;   /* the new manifest's entries, in the order written */
	char *manifest_version;
	const struct odf_type *type;
	gboolean failed;        /* a budget ran out while rebuilding a picture */
};

static void
part_free(struct part *p)
{
	g_free(p->name);
	if (p->pic.data)
		g_byte_array_free(p->pic.data, TRUE);
	g_free(p);
}

static void
object_free(struct object *o)
{
	g_free(o->dir);
	g_free(o);
}

/* Report a removal once per (action, place). */
static void
note(struct odf_package *pkg, const char *what, const char *where)
{
	package_note(pkg->job, pkg->noted, what, where);
}

/* ---- the parts --------------------------------------------------------- */

/* "Object 1" and "Object 1/content.xml": one name, a part to one reader
 * and a folder to another. */
static enum cdr_verdict
refuse_file_and_folder(struct odf_package *pkg)
{
	g_autoptr(GHashTable) lower = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < pkg->parts->len; i++) {
		const char *name = ((struct part *)pkg->parts->pdata[i])->name;
		for (const char *slash = strchr(name, '/'); slash; slash = strchr(slash + 1, '/')) {
			g_autofree char *folder = g_strndup(name, (gsize)(slash - name));
			g_hash_table_add(lower, g_utf8_strdown(folder, -1));
			g_hash_table_add(pkg->folders, g_steal_pointer(&folder));
		}
	}
	for (guint i = 0; i < pkg->parts->len; i++) {
		g_autofree char *name = g_utf8_strdown(((struct part *)pkg->parts->pdata[i])->name, -1);
		if (g_hash_table_contains(lower, name))
			return cdr_job_error(pkg->job, CDR_E_PARSE,
					     "a part whose name is also a folder of other parts");
	}
	return CDR_CLEAN;
}

static enum cdr_verdict
load_parts(struct odf_package *pkg)
{
	if (package_count_parts(pkg->job, pkg->entries->len) == CDR_BLOCKED)
		return CDR_BLOCKED;
	for (guint i = 0; i < pkg->entries->len; i++) {
		const struct zip_entry *e = &g_array_index(pkg->entries, struct zip_entry, i);
		char *name = package_part_name(e->name, e->name_len, FALSE);
		if (!name)
			return cdr_job_error(pkg->job, CDR_E_PARSE,
					     "a part name that is absolute, has '..', '\\' or "
					     "control characters, or is not UTF-8");
		if (!g_hash_table_add(pkg->lower, g_utf8_strdown(name, -1))) {
			g_free(name);
			return cdr_job_error(pkg->job, CDR_E_PARSE,
					     "two parts whose names differ only in case");
		}
		if (g_str_has_suffix(name, "/")) { /* a folder entry */
			g_free(name);
			continue;
		}
		struct part *p = g_new0(struct part, 1);
		p->name = name;
		p->entry = e;
		g_ptr_array_add(pkg->parts, p);
		g_hash_table_insert(pkg->by_name, p->name, p);
	}
	return refuse_file_and_folder(pkg);
}

static struct part *
find_part(struct odf_package *pkg, const char *name)
{
	return g_hash_table_lookup(pkg->by_name, name);
}

static GByteArray *
read_part(struct odf_package *pkg, const struct part *p, guint64 max)
{
	return package_read_part(pkg->job, pkg->data, p->entry, p->name, max);
}

/* A whole XML part, parsed without DTDs, its namespaces as LibreOffice
 * reads them; NULL with the job's error set. */
static xmlDoc *
read_xml(struct odf_package *pkg, const struct part *p)
{
	guint64 max = MIN(cdr_job_policy(pkg->job)->office_max_xml_part_bytes,
			  cdr_job_expand_allowance(pkg->job));
	GByteArray *bytes = read_part(pkg, p, max);
	if (!bytes)
		return NULL;
	const char *why = NULL;
	xmlDoc *doc = ooxml_xml_parse(bytes->data, bytes->len, &why);
	g_byte_array_free(bytes, TRUE);
	if (doc && !odf_xml_normalize(xmlDocGetRootElement(doc), &why)) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	if (!doc)
		cdr_job_error(pkg->job, CDR_E_PARSE, "%s: %s", p->name, why);
	return doc;
}

/* ---- the manifest and the type -------------------------------------------- */

/* A version attribute worth copying ("1.2", "1.3"), or NULL. */
static char *
plain_version(const xmlNode *n)
{
	char *v = odf_attr(n, ODF_NS_MANIFEST, "version");
	if (v && (!*v || strlen(v) > 8 || strspn(v, "0123456789.") != strlen(v))) {
		g_free(v);
		v = NULL;
	}
	return v;
}

static gboolean
holds_encryption_data(const xmlNode *n)
{
	for (const xmlNode *k = n->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE &&
		    (odf_is(k, ODF_NS_MANIFEST, "encryption-data") || holds_encryption_data(k)))
			return TRUE;
	return FALSE;
}

static enum cdr_verdict
read_manifest(struct odf_package *pkg)
{
	struct part *mp = find_part(pkg, MANIFEST);
	if (!mp)
		return cdr_job_error(pkg->job, CDR_E_PARSE, "no manifest (" MANIFEST ")");
	xmlDoc *doc = read_xml(pkg, mp);
	if (!doc)
		return CDR_BLOCKED;
	xmlNode *root = xmlDocGetRootElement(doc);
	enum cdr_verdict v = CDR_CLEAN;
	if (!odf_is(root, ODF_NS_MANIFEST, "manifest"))
		v = cdr_job_error(pkg->job, CDR_E_PARSE, MANIFEST ": not a manifest");
	else if (holds_encryption_data(root))
		v = cdr_job_error(pkg->job, CDR_E_ENCRYPTED, "password-protected document");
	for (xmlNode *n = root->children; n && v != CDR_BLOCKED; n = n->next) {
		if (!odf_is(n, ODF_NS_MANIFEST, "file-entry"))
			continue;
		char *path = odf_attr(n, ODF_NS_MANIFEST, "full-path");
		char *type = odf_attr(n, ODF_NS_MANIFEST, "media-type");
		char *version = plain_version(n);
		if (path && type)
			g_hash_table_replace(pkg->media, g_strdup(path), type);
		else
			g_free(type);
		if (path && version)
			g_hash_table_replace(pkg->versions, g_strdup(path), version);
		else
			g_free(version);
		g_free(path);
	}
	pkg->manifest_version = plain_version(root);
	xmlFreeDoc(doc);
	return v;
}

/* The type the package declares: the mimetype part and the manifest's
 * root entry, which must agree when both are there. */
static enum cdr_verdict
read_type(struct odf_package *pkg)
{
	const char *declared = g_hash_table_lookup(pkg->media, "/");
	g_autofree char *mimetype = NULL;
	struct part *mt = find_part(pkg, MIMETYPE);
	if (mt) {
		GByteArray *bytes = read_part(pkg, mt, 256);
		if (!bytes)
			return CDR_BLOCKED;
		mimetype = g_strndup((const char *)bytes->data, bytes->len);
		g_byte_array_free(bytes, TRUE);
		mt->role = ROLE_XML; /* written anew */
	}
	if (mimetype && declared && strcmp(mimetype, declared) != 0)
		return cdr_job_error(pkg->job, CDR_E_PARSE,
				     "mimetype and manifest declare different document types");
	const char *mime = mimetype ? mimetype : declared;
	if (!mime)
		return cdr_job_error(pkg->job, CDR_E_PARSE, "no document type (mimetype, manifest)");
	pkg->type = odf_type_of(mime);
	if (!pkg->type)
		return cdr_job_error(pkg->job, CDR_E_UNSUPPORTED,
				     "an OpenDocument type that is not handled (%.100s)", mime);
	return CDR_CLEAN;
}

/* ---- references from the XML ---------------------------------------------- */

/* `href` as the name of a part: percent-decoded, relative to `base`, "."
 * dropped, ".." resolved without leaving `base`. NULL when it has a
 * scheme, a query or fragment, a backslash or a control character, is
 * absolute, or leaves `base`. */
static char *
resolve(const char *base, const char *href)
{
	g_autofree char *decoded = g_uri_unescape_string(href, NULL);
	if (!decoded || !*decoded || decoded[0] == '/' || strpbrk(decoded, "\\?#"))
		return NULL;
	const char *colon = strchr(decoded, ':');
	if (colon && !memchr(decoded, '/', (gsize)(colon - decoded)))
		return NULL; /* a scheme (or a drive letter) */
	for (const char *c = decoded; *c; c++)
		if ((guchar)*c < 0x20 || *c == 0x7f)
			return NULL;
	char *full = package_resolve(base, decoded);
	if (full && !g_str_has_prefix(full, base)) {
		g_free(full);
		return NULL;
	}
	return full;
}

/* Folders (relative to the referring part's) pictures are kept from. */
static gboolean
in_picture_folder(const char *rel)
{
	return g_str_has_prefix(rel, "Pictures/") || g_str_has_prefix(rel, "ObjectReplacements/");
}

enum odf_target
odf_package_picture(struct odf_package *pkg, const char *base, const char *href,
		    const struct package_picture **pic, char **name)
{
	g_autofree char *full = resolve(base, href);
	struct part *p = full ? find_part(pkg, full) : NULL;
	if (!p)
		return ODF_TARGET_OUTSIDE;
	const char *rel = full + strlen(base);
	if (!in_picture_folder(rel) || p->role == ROLE_XML || pkg->failed)
		return ODF_TARGET_REFUSED;
	if (p->role == ROLE_NONE) {
		GByteArray *bytes = read_part(pkg, p, cdr_job_expand_allowance(pkg->job));
		if (!bytes || !package_picture_rebuild(pkg->job, p->name, bytes->data, bytes->len,
						       &p->pic)) {
			if (bytes)
				g_byte_array_free(bytes, TRUE);
			pkg->failed = TRUE;
			return ODF_TARGET_REFUSED;
		}
		g_byte_array_free(bytes, TRUE);
		p->role = ROLE_PICTURE;
		if (p->pic.replaced)
			note(pkg, CDR_ACT_MEDIA_REPLACED, p->name);
	}
	*pic = &p->pic;
	*name = g_strdup(rel);
	return ODF_TARGET_KEPT;
}

static struct object *
judge_object(struct odf_package *pkg, const char *full)
{
	struct object *o = g_new0(struct object, 1);
	o->dir = g_strconcat(full, "/", NULL);
	g_autofree char *content = g_strconcat(o->dir, "content.xml", NULL);
	if (!strchr(full, '/') && !in_picture_folder(o->dir) && find_part(pkg, content))
		o->body = odf_object_body(g_hash_table_lookup(pkg->media, o->dir));
	g_hash_table_insert(pkg->objects, o->dir, o);
	if (o->body)
		g_ptr_array_add(pkg->kept_objects, o);
	return o;
}

/* Is there anything in the package at `full`: the part, or a folder? */
static gboolean
exists(struct odf_package *pkg, const char *full)
{
	return find_part(pkg, full) || g_hash_table_contains(pkg->folders, full);
}

enum odf_target
odf_package_object(struct odf_package *pkg, const char *base, const char *href, char **name)
{
	g_autofree char *full = resolve("", href);
	if (!full || !exists(pkg, full))
		return ODF_TARGET_OUTSIDE;
	if (*base) /* no objects inside objects */
		return ODF_TARGET_REFUSED;
	g_autofree char *dir = g_strconcat(full, "/", NULL);
	struct object *o = g_hash_table_lookup(pkg->objects, dir);
	if (!o)
		o = judge_object(pkg, full);
	if (!o->body)
		return ODF_TARGET_REFUSED;
	*name = g_strdup(full);
	return ODF_TARGET_KEPT;
}

/* ---- writing ------------------------------------------------------------- */

/* The kind of document a part's root says it is. */
enum xml_kind { XML_CONTENT, XML_STYLES, XML_META, XML_SETTINGS };

static const char *const xml_parts[] = { "content.xml", "styles.xml", "meta.xml", "settings.xml" };
static const char *const xml_roots[] = {
	"document-content", "document-styles", "document-meta", "document-settings",
};

/* The body holds exactly one document of kind `body`. */
static gboolean
body_is(const xmlNode *root, const char *body)
{
	if (strcmp(body, "formula") == 0)
		return odf_is(root, ODF_NS_MATH, "math");
	const xmlNode *office_body = NULL;
	for (const xmlNode *k = root->children; k; k = k->next)
		if (odf_is(k, ODF_NS_OFFICE, "body")) {
			if (office_body)
				return FALSE;
			office_body = k;
		}
	unsigned count = 0, matching = 0;
	for (const xmlNode *k = office_body ? office_body->children : NULL; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE) {
			count++;
			matching += odf_is(k, ODF_NS_OFFICE, body);
		}
	return count == 1 && matching == 1;
}

static void
write_member(struct zip_writer *w, const char *name, const guint8 *data, gsize len)
{
	zip_writer_begin(w, name, FALSE);
	zip_writer_write(w, data, len);
	zip_writer_end(w);
}

static void
append_entry(GString *s, const char *path, const char *type, const char *version)
{
	g_autofree char *p = g_markup_escape_text(path, -1);
	g_autofree char *t = g_markup_escape_text(type, -1);
	g_string_append_printf(s, " <manifest:file-entry manifest:full-path=\"%s\"", p);
	if (version)
		g_string_append_printf(s, " manifest:version=\"%s\"", version);
	g_string_append_printf(s, " manifest:media-type=\"%s\"/>\n", t);
}

/* A part of the new package, and its line in the manifest. */
static void
write_part(struct odf_package *pkg, struct zip_writer *w, const char *name, const char *type,
	   const guint8 *data, gsize len)
{
	write_member(w, name, data, len);
	append_entry(pkg->entries_out, name, type, NULL);
}

/* One XML part of the document (base "") or of an object ("Object 1/"),
 * cleaned and written. `body`: for content, the document it must hold. */
static enum cdr_verdict
write_xml_part(struct odf_package *pkg, struct part *p, const char *base, enum xml_kind kind,
	       const char *body, struct zip_writer *w)
{
	xmlDoc *doc = read_xml(pkg, p);
	if (!doc)
		return CDR_BLOCKED;
	xmlNode *root = xmlDocGetRootElement(doc);
	enum cdr_verdict v = CDR_CLEAN;
	gboolean formula = kind == XML_CONTENT && strcmp(body, "formula") == 0;
	if (!formula && !odf_is(root, ODF_NS_OFFICE, xml_roots[kind]))
		v = cdr_job_error(pkg->job, CDR_E_PARSE, "%s: not an OpenDocument %s part", p->name,
				  xml_parts[kind]);
	else if (kind == XML_CONTENT && !body_is(root, body))
		v = cdr_job_error(pkg->job, CDR_E_PARSE, "%s: the body is not the %s the package "
				  "declares", p->name, body);
	if (v != CDR_BLOCKED) {
		struct odf_clean c = { .job = pkg->job, .part = p->name, .base = base, .pkg = pkg };
		odf_clean_tree(&c, root);
		if (c.failed || pkg->failed)
			v = CDR_BLOCKED;
	}
	if (v != CDR_BLOCKED) {
		GByteArray *out = g_byte_array_new();
		ooxml_xml_write(doc, out);
		write_part(pkg, w, p->name, "text/xml", out->data, out->len);
		g_byte_array_free(out, TRUE);
		p->role = ROLE_XML;
	}
	xmlFreeDoc(doc);
	return v;
}

/* The four XML parts under `base`; content.xml must be there. */
static enum cdr_verdict
write_document(struct odf_package *pkg, const char *base, const char *body, struct zip_writer *w)
{
	enum cdr_verdict v = CDR_CLEAN;
	for (enum xml_kind k = XML_CONTENT; k <= XML_SETTINGS && v != CDR_BLOCKED; k++) {
		g_autofree char *name = g_strconcat(base, xml_parts[k], NULL);
		struct part *p = find_part(pkg, name);
		if (!p && k == XML_CONTENT)
			return cdr_job_error(pkg->job, CDR_E_PARSE, "no %s", name);
		if (!cdr_job_check_time(pkg->job))
			return CDR_BLOCKED;
		if (p)
			v = write_xml_part(pkg, p, base, k, body, w);
	}
	return v;
}

static void
write_manifest(struct odf_package *pkg, struct zip_writer *w)
{
	GString *s = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				  "<manifest:manifest xmlns:manifest=\"" ODF_NS_MANIFEST "\"");
	if (pkg->manifest_version)
		g_string_append_printf(s, " manifest:version=\"%s\"", pkg->manifest_version);
	g_string_append(s, ">\n");
	append_entry(s, "/", pkg->type->mime, g_hash_table_lookup(pkg->versions, "/"));
	g_string_append_len(s, pkg->entries_out->str, pkg->entries_out->len);
	g_string_append(s, "</manifest:manifest>\n");
	write_member(w, MANIFEST, (const guint8 *)s->str, s->len);
	g_string_free(s, TRUE);
}

/* What a part left out was, for the report; NULL for the caches that go
 * without a word. */
static const char *
removal_action(const char *name)
{
	static const struct {
		const char *prefix, *action;
	} folders[] = {
		{ "basic/", CDR_ACT_MACRO },       { "scripts/", CDR_ACT_MACRO },
		{ "dialogs/", CDR_ACT_MACRO },     { "configurations2/", CDR_ACT_ADD_IN },
		{ "fonts/", CDR_ACT_FONT },        { "thumbnails/", NULL },
		{ "objectreplacements/", NULL },   { "manifest.rdf", NULL },
		{ "layout-cache", NULL },
	};
	g_autofree char *lower = g_utf8_strdown(name, -1);
	for (gsize i = 0; i < G_N_ELEMENTS(folders); i++)
		if (g_str_has_prefix(lower, folders[i].prefix))
			return folders[i].action;
	if (g_str_has_prefix(lower, "meta-inf/") && strstr(lower, "signature"))
		return CDR_ACT_SIGNATURE;
	return CDR_ACT_EMBEDDED_OBJECT;
}

/* Everything not kept is named once per top folder ("Basic/"), or by its
 * own name at the top. */
static void
note_left_out(struct odf_package *pkg)
{
	for (guint i = 0; i < pkg->parts->len; i++) {
		const struct part *p = pkg->parts->pdata[i];
		if (p->role != ROLE_NONE || strcmp(p->name, MANIFEST) == 0 || p->entry->usize == 0)
			continue;
		const char *what = removal_action(p->name);
		if (!what)
			continue;
		const char *slash = strchr(p->name, '/');
		g_autofree char *where = slash ? g_strndup(p->name, (gsize)(slash - p->name + 1))
					       : g_strdup(p->name);
		note(pkg, what, where);
	}
}

static enum cdr_verdict
write_package(struct odf_package *pkg, GByteArray *dest)
{
	struct zip_writer *w = zip_writer_new(dest);
	zip_writer_begin_stored(w, MIMETYPE);
	zip_writer_write(w, pkg->type->mime, strlen(pkg->type->mime));
	zip_writer_end(w);
	enum cdr_verdict v = write_document(pkg, "", pkg->type->body, w);
	for (guint i = 0; i < pkg->kept_objects->len && v != CDR_BLOCKED; i++) {
		const struct object *o = pkg->kept_objects->pdata[i];
		append_entry(pkg->entries_out, o->dir, g_hash_table_lookup(pkg->media, o->dir),
			     g_hash_table_lookup(pkg->versions, o->dir));
		v = write_document(pkg, o->dir, o->body, w);
	}
	for (guint i = 0; i < pkg->parts->len && v != CDR_BLOCKED; i++) {
		const struct part *p = pkg->parts->pdata[i];
		if (p->role == ROLE_PICTURE)
			write_part(pkg, w, p->name, p->pic.type, p->pic.data->data, p->pic.data->len);
	}
	if (v == CDR_BLOCKED) {
		zip_writer_free(w);
		return v;
	}
	note_left_out(pkg);
	write_manifest(pkg, w);
	if (!zip_writer_finish(w))
		return cdr_job_error(pkg->job, CDR_E_LIMIT, "the rebuilt document passes 4 GiB");
	return CDR_CLEAN;
}

static enum cdr_verdict
sanitize_package(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	struct odf_package pkg = {
		.job = job,
		.data = in->data,
		.entries = g_array_new(FALSE, FALSE, sizeof(struct zip_entry)),
		.parts = g_ptr_array_new_with_free_func((GDestroyNotify)part_free),
		.by_name = g_hash_table_new(g_str_hash, g_str_equal),
		.lower = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
		.folders = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
		.media = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
		.versions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
		.objects = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
						 (GDestroyNotify)object_free),
		.kept_objects = g_ptr_array_new(),
		.noted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
		.entries_out = g_string_new(NULL),
	};
	enum cdr_verdict v = package_check_zip(job, in->data, in->len, pkg.entries);
	if (v != CDR_BLOCKED)
		v = load_parts(&pkg);
	if (v != CDR_BLOCKED)
		v = read_manifest(&pkg);
	if (v != CDR_BLOCKED)
		v = read_type(&pkg);
	if (v != CDR_BLOCKED) {
		g_byte_array_set_size(out->data, (guint)MIN(in->len, (gsize)G_MAXUINT / 2));
		g_byte_array_set_size(out->data, 0);
		v = write_package(&pkg, out->data);
	}
	if (v != CDR_BLOCKED) {
		out->type = pkg.type->mime;
		out->ext = pkg.type->ext;
	}
	g_ptr_array_free(pkg.kept_objects, TRUE);
	g_hash_table_destroy(pkg.objects);
	g_ptr_array_free(pkg.parts, TRUE);
	g_hash_table_destroy(pkg.by_name);
	g_hash_table_destroy(pkg.lower);
	g_hash_table_destroy(pkg.folders);
	g_hash_table_destroy(pkg.media);
	g_hash_table_destroy(pkg.versions);
	g_hash_table_destroy(pkg.noted);
	g_free(pkg.manifest_version);
	g_string_free(pkg.entries_out, TRUE);
	g_array_free(pkg.entries, TRUE);
	return v;
}

/* ---- flat XML ------------------------------------------------------------ */

static enum cdr_verdict
sanitize_flat(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	guint64 max = cdr_job_policy(job)->office_max_xml_part_bytes;
	if (in->len > max)
		return cdr_job_error(job, CDR_E_LIMIT, "a flat XML document larger than [office] "
				     "max_xml_part_bytes");
	const char *why = NULL;
	xmlDoc *doc = ooxml_xml_parse(in->data, in->len, &why);
	if (!doc)
		return cdr_job_error(job, CDR_E_PARSE, "%s", why);
	xmlNode *root = xmlDocGetRootElement(doc);
	enum cdr_verdict v = CDR_CLEAN;
	g_autofree char *mime = NULL;
	const struct odf_type *type = NULL;
	if (!odf_xml_normalize(root, &why))
		v = cdr_job_error(job, CDR_E_PARSE, "%s", why);
	else if (!odf_is(root, ODF_NS_OFFICE, "document"))
		v = cdr_job_error(job, CDR_E_PARSE, "not a flat OpenDocument file");
	else if (!(type = odf_type_of(mime = odf_attr(root, ODF_NS_OFFICE, "mimetype"))))
		v = cdr_job_error(job, CDR_E_UNSUPPORTED,
				  "an OpenDocument type that is not handled (%.100s)",
				  mime ? mime : "none");
	else if (!body_is(root, type->body))
		v = cdr_job_error(job, CDR_E_PARSE, "the body is not the %s the document declares",
				  type->body);
	if (v != CDR_BLOCKED) {
		struct odf_clean c = { .job = job, .part = "document", .base = "" };
		odf_clean_tree(&c, root);
		if (c.failed)
			v = CDR_BLOCKED;
	}
	if (v != CDR_BLOCKED) {
		ooxml_xml_write(doc, out->data);
		out->type = type->flat_mime;
		out->ext = type->flat_ext;
	}
	xmlFreeDoc(doc);
	return v;
}

/* ---- the handler --------------------------------------------------------- */

/* The start of a flat document: a prolog (declaration, comments,
 * processing instructions, a document type), then a root element named
 * "document" with an OpenDocument office namespace declared on it. */
static gboolean
looks_flat(const guint8 *d, gsize n)
{
	n = MIN(n, (gsize)65536);
	gsize i = n >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	for (;;) {
		while (i < n && g_ascii_isspace(d[i]))
			i++;
		const char *close = NULL;
		if (i + 2 <= n && memcmp(d + i, "<?", 2) == 0)
			close = "?>";
		else if (i + 4 <= n && memcmp(d + i, "<!--", 4) == 0)
			close = "-->";
		else if (i + 9 <= n && memcmp(d + i, "<!DOCTYPE", 9) == 0)
			close = ">";
		if (!close)
			break;
		if (*close == '>') { /* past an internal subset [...] first */
			const guint8 *gt = memchr(d + i, '>', n - i);
			const guint8 *open = memchr(d + i, '[', n - i);
			if (open && gt && open < gt) {
				const guint8 *shut = memchr(open, ']', n - (gsize)(open - d));
				if (!shut)
					return FALSE;
				i = (gsize)(shut - d);
			}
		}
		const guint8 *end = memmem(d + i, n - i, close, strlen(close));
		if (!end)
			return FALSE;
		i = (gsize)(end - d) + strlen(close);
	}
	if (i >= n || d[i] != '<')
		return FALSE;
	const guint8 *gt = memchr(d + i, '>', n - i);
	if (!gt)
		return FALSE;
	gsize name_end = i + 1;
	while (name_end < (gsize)(gt - d) && !g_ascii_isspace(d[name_end]) && d[name_end] != '/')
		name_end++;
	gsize name_len = name_end - i - 1;
	const char *name = (const char *)d + i + 1;
	gboolean document = (name_len == 8 && memcmp(name, "document", 8) == 0) ||
			    (name_len > 9 && memcmp(name + name_len - 9, ":document", 9) == 0);
	gsize tag_len = (gsize)(gt - d) - i;
	return document && memmem(d + i, tag_len, "urn:oasis:names:tc:", 19) &&
	       memmem(d + i, tag_len, ":xmlns:office:1.", 16);
}

static int
odf_bid(const struct cdr_input *in)
{
	if (in->len >= 30 && memcmp(in->data, "PK\x03\x04", 4) == 0) {
		if (zip_lists_member(in->data, in->len, MANIFEST))
			return 85;
		if (zip_lists_member(in->data, in->len, MIMETYPE) &&
		    memmem(in->data, in->len, OASIS_DOCUMENT, strlen(OASIS_DOCUMENT)))
			return 85;
		return 0;
	}
	return looks_flat(in->data, in->len) ? 85 : 0;
}

static enum cdr_verdict
odf_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	gboolean zip = in->len >= 4 && memcmp(in->data, "PK\x03\x04", 4) == 0;
	enum cdr_verdict v = zip ? sanitize_package(job, in, out) : sanitize_flat(job, in, out);
	if (v != CDR_BLOCKED)
		out->name = package_output_name(in->name, odf_extensions, out->ext);
	return v;
}

/* libxml2 is set up by the ooxml handler's init, built alongside. */
const struct cdr_handler cdr_handler_odf = {
	.name = "odf",
	.flags = CDR_CONTAINER | CDR_SELF_TYPED,
	.extensions = odf_extensions,
	.mime_type = "application/vnd.oasis.opendocument.text",
	.bid = odf_bid,
	.sanitize = odf_sanitize,
};
