/*
 * NAME
 *	ooxml.c - Word, Excel and PowerPoint documents (Office Open XML),
 *	rebuilt from the parts that are only content
 * SUMMARY
 *	The package is a zip read through its central directory, after
 *	zip-check.c has held every local header against it (two readers must
 *	not see two documents). Starting from the package relationships, a
 *	part is kept only when a kept relationship reaches it and its content
 *	type is on the list of content (ooxml-types.c); every other part is
 *	left out: VBA projects, macro sheets, ActiveX, OLE objects, external
 *	links and connections, add-ins, printer blobs, signatures, fonts,
 *	custom XML. External relationships are removed except hyperlinks
 *	whose target the shared link rule allows (cdr/links.h, [links]
 *	schemes; those too with [office] neutralize_links).
 *	Every kept XML part is parsed without DTDs and written again after the
 *	rules of ooxml-clean.c and ooxml-fields.c; worksheets and shared
 *	strings as a stream (ooxml-stream.c). Pictures go through the image
 *	handlers; a picture they block, or one in another format (EMF, WMF,
 *	TIFF, SVG), becomes a 1x1 transparent PNG under the same name, so the
 *	document still opens. [Content_Types].xml and every .rels file are
 *	written anew to describe exactly what is kept; a macro-enabled type
 *	becomes its macro-free type (docm -> docx). Strict Open XML is read
 *	as Transitional (its namespaces and relationship types mapped, see
 *	ooxml-xml.c) and written so.
 * DESCRIPTION
 *	Blocked: an ambiguous zip, encrypted members, part names with "..",
 *	absolute or non-ASCII names or two names equal but for case, a
 *	missing [Content_Types].xml or main document, xlsb and add-ins, an
 *	unknown Strict namespace, any XML part with a document type declaration or not well
 *	formed, a workbook left without worksheets, and the limits:
 *	max_children (parts), [office] max_xml_part_bytes (one part read
 *	whole), max_expanded_bytes and max_ratio (all parts inflated).
 */
#include <string.h>

#include "actions.h"
#include "excerpt.h"
#include "handlers.h"
#include "links.h"
#include "ooxml.h"

#define CONTENT_TYPES "[Content_Types].xml"
#define ROOT_RELS "_rels/.rels"
#define RELS_TYPE "application/vnd.openxmlformats-package.relationships+xml"

enum keep_as { NOT_KEPT, KEEP_XML, KEEP_STREAM, KEEP_MEDIA };

struct part {
	char *name; /* as in the zip: "word/document.xml" */
	const struct zip_entry *entry;
	const char *type; /* declared content type, or NULL */
	enum keep_as keep;
	enum ooxml_part_kind kind;
	GPtrArray *rels;         /* struct ooxml_rel *, the kept ones */
	GHashTable *removed_ids; /* ids of its removed relationships */
	GByteArray *media;       /* the rebuilt picture */
	const char *media_type;
};

struct package {
	struct cdr_job *job;
	const guint8 *data;
	GArray *entries;       /* struct zip_entry */
	GPtrArray *parts;      /* struct part *, zip order */
	GHashTable *by_name;   /* lower-case name -> part */
	GHashTable *defaults;  /* lower-case extension -> content type */
	GHashTable *overrides; /* lower-case "/name" -> content type */
	GHashTable *noted;     /* "action\npart" already reported */
	struct part root;      /* holds the package relationships */
	struct part *main;
	const struct ooxml_main_type *main_type;
	GQueue todo;           /* parts whose relationships are still to read */
	gboolean neutralize_links;
};

static void
rel_free(struct ooxml_rel *r)
{
	g_free(r->id);
	g_free(r->type);
	g_free(r->target);
	g_free(r);
}

static void
part_clear(struct part *p)
{
	g_free(p->name);
	if (p->rels)
		g_ptr_array_free(p->rels, TRUE);
	if (p->removed_ids)
		g_hash_table_destroy(p->removed_ids);
	if (p->media)
		g_byte_array_free(p->media, TRUE);
}

static void
part_free(struct part *p)
{
	part_clear(p);
	g_free(p);
}

static void
part_init_rels(struct part *p)
{
	p->rels = g_ptr_array_new_with_free_func((GDestroyNotify)rel_free);
	p->removed_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

/* Report a removal once per (action, part). */
static void
note(struct package *pkg, const char *what, const char *where)
{
	package_note(pkg->job, pkg->noted, what, where);
}

/* ---- the parts ------------------------------------------------------- */

static enum cdr_verdict
load_parts(struct package *pkg)
{
	if (package_count_parts(pkg->job, pkg->entries->len) == CDR_BLOCKED)
		return CDR_BLOCKED;
	for (guint i = 0; i < pkg->entries->len; i++) {
		const struct zip_entry *e = &g_array_index(pkg->entries, struct zip_entry, i);
		/* ASCII only: OPC percent-encodes the rest */
		char *name = package_part_name(e->name, e->name_len, TRUE);
		if (!name)
			return cdr_job_error(pkg->job, CDR_E_PARSE,
					     "a part name that is absolute, has '..' or '\\', or is not ASCII");
		if (g_str_has_suffix(name, "/")) { /* a folder entry */
			g_free(name);
			continue;
		}
		struct part *p = g_new0(struct part, 1);
		p->name = name;
		p->entry = e;
		g_ptr_array_add(pkg->parts, p);
		if (!g_hash_table_insert(pkg->by_name, g_ascii_strdown(name, -1), p))
			return cdr_job_error(pkg->job, CDR_E_PARSE,
					     "two parts whose names differ only in case");
	}
	return CDR_CLEAN;
}

static struct part *
find_part(struct package *pkg, const char *name)
{
	g_autofree char *lower = g_ascii_strdown(name, -1);
	return g_hash_table_lookup(pkg->by_name, lower);
}

/* A whole XML part, within max_xml_part_bytes and the expansion budget;
 * NULL with the job's error set. */
static xmlDoc *
read_xml(struct package *pkg, const struct part *p)
{
	guint64 max = MIN(cdr_job_policy(pkg->job)->office_max_xml_part_bytes,
			  cdr_job_expand_allowance(pkg->job));
	GByteArray *bytes = package_read_part(pkg->job, pkg->data, p->entry, p->name, max);
	if (!bytes)
		return NULL;
	const char *why = NULL;
	xmlDoc *doc = ooxml_xml_parse(bytes->data, bytes->len, &why);
	if (!doc)
		cdr_job_error(pkg->job, CDR_E_PARSE, "%s: %s", p->name, why);
	g_byte_array_free(bytes, TRUE);
	return doc;
}

static char *
xml_attr(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s = v ? g_strdup((const char *)v) : NULL;
	xmlFree(v);
	return s;
}

static enum cdr_verdict
read_content_types(struct package *pkg)
{
	struct part *ct = find_part(pkg, CONTENT_TYPES);
	if (!ct)
		return cdr_job_error(pkg->job, CDR_E_PARSE, "no [Content_Types].xml");
	xmlDoc *doc = read_xml(pkg, ct);
	if (!doc)
		return CDR_BLOCKED;
	xmlNode *root = xmlDocGetRootElement(doc);
	for (xmlNode *n = root->children; n; n = n->next) {
		gboolean is_default = ooxml_is(n, NS_CT, "Default");
		if (!is_default && !ooxml_is(n, NS_CT, "Override"))
			continue;
		char *key = xml_attr(n, is_default ? "Extension" : "PartName");
		char *type = xml_attr(n, "ContentType");
		if (key && type) {
			char *lower = g_ascii_strdown(key, -1);
			g_hash_table_replace(is_default ? pkg->defaults : pkg->overrides, lower, type);
			type = NULL;
		}
		g_free(key);
		g_free(type);
	}
	xmlFreeDoc(doc);
	for (guint i = 0; i < pkg->parts->len; i++) {
		struct part *p = pkg->parts->pdata[i];
		g_autofree char *lower = g_ascii_strdown(p->name, -1);
		g_autofree char *slashed = g_strconcat("/", lower, NULL);
		const char *dot = strrchr(lower, '.');
		p->type = g_hash_table_lookup(pkg->overrides, slashed);
		if (!p->type && dot && !strchr(dot, '/'))
			p->type = g_hash_table_lookup(pkg->defaults, dot + 1);
	}
	return CDR_CLEAN;
}

/* ---- relationships ---------------------------------------------------- */

static char *
rels_name_of(const char *part)
{
	if (!*part)
		return g_strdup(ROOT_RELS);
	const char *slash = strrchr(part, '/');
	if (!slash)
		return g_strconcat("_rels/", part, ".rels", NULL);
	return g_strdup_printf("%.*s/_rels/%s.rels", (int)(slash - part), part, slash + 1);
}

/* A relationship's target as a part name: relative to the source's
 * folder unless absolute, percent-decoded, "." and ".." resolved. NULL
 * when it leaves the package. */
static char *
resolve_target(const char *source, const char *target)
{
	g_autofree char *decoded = g_uri_unescape_string(target, NULL);
	if (!decoded)
		return NULL;
	char *hash = strchr(decoded, '#');
	if (hash)
		*hash = '\0';
	return package_resolve(source, decoded);
}

/* How the part a kept relationship reaches is kept; NOT_KEPT to remove. */
static enum keep_as
keep_target(struct package *pkg, struct part *source, const char *rel_type, struct part *t,
	    const char **refusal)
{
	if (ooxml_relationship_is(rel_type, "officeDocument")) {
		if (source != &pkg->root)
			return NOT_KEPT;
		if (pkg->main) {
			*refusal = "two main documents";
			return NOT_KEPT;
		}
		pkg->main_type = ooxml_main_type(t->type);
		if (!pkg->main_type) {
			*refusal = ooxml_refused_main_type(t->type);
			if (!*refusal)
				*refusal = "not a Word, Excel or PowerPoint document";
			return NOT_KEPT;
		}
		pkg->main = t;
		t->kind = g_str_has_prefix(pkg->main_type->ext, "x") ? PART_WORKBOOK
			  : g_str_has_prefix(pkg->main_type->ext, "d") ? PART_WORD
								       : PART_SLIDE;
		return KEEP_XML;
	}
	if (ooxml_relationship_is(rel_type, "image") || ooxml_relationship_is(rel_type, "thumbnail"))
		return t->type && g_str_has_prefix(t->type, "image/") ? KEEP_MEDIA : NOT_KEPT;
	enum ooxml_part_kind kind;
	if (!ooxml_relationship_kept(rel_type) || ooxml_relationship_is(rel_type, "hyperlink") ||
	    !ooxml_kept_type(t->type, &kind))
		return NOT_KEPT;
	t->kind = kind;
	return kind == PART_SHEET || kind == PART_STRINGS ? KEEP_STREAM : KEEP_XML;
}

/* Would a relationship of this type from `source` have kept `t` the way
 * it is kept? */
static gboolean
rel_fits_kept_part(const struct package *pkg, const struct part *source, const char *rel_type,
		   const struct part *t)
{
	if (ooxml_relationship_is(rel_type, "officeDocument"))
		return source == &pkg->root && t == pkg->main;
	if (!ooxml_relationship_kept(rel_type) || ooxml_relationship_is(rel_type, "hyperlink"))
		return FALSE;
	gboolean picture = ooxml_relationship_is(rel_type, "image") ||
			   ooxml_relationship_is(rel_type, "thumbnail");
	return picture == (t->keep == KEEP_MEDIA);
}

static void
remove_rel(struct part *source, const char *id)
{
	g_hash_table_add(source->removed_ids, g_strdup(id));
}

/* Decide one relationship of `source`. FALSE with the job's error set when
 * the document must be blocked. */
static gboolean
judge_rel(struct package *pkg, struct part *source, struct ooxml_rel *r)
{
	const char *where = *source->name ? source->name : ROOT_RELS;
	if (r->external) {
		gboolean link = ooxml_relationship_is(r->type, "hyperlink") &&
				cdr_link_allowed_str(cdr_job_policy(pkg->job), r->target);
		if (!link || pkg->neutralize_links) {
			note(pkg, link ? CDR_ACT_EXTERNAL_LINK : CDR_ACT_EXTERNAL_REFERENCE, where);
			remove_rel(source, r->id);
			rel_free(r);
			return TRUE;
		}
		g_ptr_array_add(source->rels, r);
		return TRUE;
	}
	if (ooxml_relationship_is(r->type, "calcChain")) {
		/* the order Excel last calculated cells in, a cache it rebuilds;
		 * one that names a cell whose formula was removed makes Excel
		 * ask to repair the workbook */
		remove_rel(source, r->id);
		rel_free(r);
		return TRUE;
	}
	if (ooxml_relationship_is(r->type, "hyperlink")) {
		/* without TargetMode="External" a viewer still opens the target,
		 * as a path relative to the document's own location */
		note(pkg, CDR_ACT_EXTERNAL_REFERENCE, where);
		remove_rel(source, r->id);
		rel_free(r);
		return TRUE;
	}
	g_autofree char *name = resolve_target(source->name, r->target);
	struct part *t = name ? find_part(pkg, name) : NULL;
	if (!t) { /* points at nothing: drop it quietly */
		remove_rel(source, r->id);
		rel_free(r);
		return TRUE;
	}
	if (t->keep != NOT_KEPT && !rel_fits_kept_part(pkg, source, r->type, t)) {
		/* a second way to a kept part, of a type that would not have
		 * kept it (a vbaProject relationship to the styles part) */
		note(pkg, ooxml_removal_action(r->type, NULL), where);
		remove_rel(source, r->id);
		rel_free(r);
		return TRUE;
	}
	const char *refusal = NULL;
	enum keep_as how = t->keep != NOT_KEPT ? t->keep
						: keep_target(pkg, source, r->type, t, &refusal);
	if (refusal) {
		cdr_job_error(pkg->job, CDR_E_UNSUPPORTED, "%s", refusal);
		rel_free(r);
		return FALSE;
	}
	if (how == NOT_KEPT) {
		note(pkg, ooxml_removal_action(r->type, t->type), t->name);
		remove_rel(source, r->id);
		rel_free(r);
		return TRUE;
	}
	if (t->keep == NOT_KEPT) {
		t->keep = how;
		part_init_rels(t);
		g_queue_push_tail(&pkg->todo, t);
	}
	g_ptr_array_add(source->rels, r);
	return TRUE;
}

static enum cdr_verdict
read_rels(struct package *pkg, struct part *source)
{
	g_autofree char *rels_name = rels_name_of(source->name);
	struct part *rp = find_part(pkg, rels_name);
	if (!rp)
		return CDR_CLEAN;
	xmlDoc *doc = read_xml(pkg, rp);
	if (!doc)
		return CDR_BLOCKED;
	g_autoptr(GHashTable) ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	enum cdr_verdict v = CDR_CLEAN;
	for (xmlNode *n = xmlDocGetRootElement(doc)->children; n && v != CDR_BLOCKED; n = n->next) {
		if (!ooxml_is(n, NS_REL, "Relationship"))
			continue;
		struct ooxml_rel *r = g_new0(struct ooxml_rel, 1);
		r->id = xml_attr(n, "Id");
		g_autofree char *type = xml_attr(n, "Type");
		r->type = type ? ooxml_transitional_relationship(type) : NULL;
		r->target = xml_attr(n, "Target");
		g_autofree char *mode = xml_attr(n, "TargetMode");
		r->external = mode && g_ascii_strcasecmp(mode, "External") == 0;
		if (!r->id || !r->type || !r->target) {
			rel_free(r);
			v = cdr_job_error(pkg->job, CDR_E_PARSE, "%s: a relationship without Id, "
					  "Type or Target", rels_name);
		} else if (!g_hash_table_add(ids, g_strdup(r->id))) {
			rel_free(r);
			v = cdr_job_error(pkg->job, CDR_E_PARSE, "%s: two relationships with one Id",
					  rels_name);
		} else if (!judge_rel(pkg, source, r)) {
			v = CDR_BLOCKED;
		}
	}
	xmlFreeDoc(doc);
	return v;
}

/* From the package relationships, every part a kept relationship reaches. */
static enum cdr_verdict
walk_relationships(struct package *pkg)
{
	pkg->root.name = g_strdup("");
	part_init_rels(&pkg->root);
	if (!find_part(pkg, ROOT_RELS))
		return cdr_job_error(pkg->job, CDR_E_PARSE, "no package relationships (_rels/.rels)");
	if (read_rels(pkg, &pkg->root) == CDR_BLOCKED)
		return CDR_BLOCKED;
	if (!pkg->main)
		return cdr_job_error(pkg->job, CDR_E_PARSE, "no main document");
	struct part *p;
	while ((p = g_queue_pop_head(&pkg->todo)))
		if (p->keep != KEEP_MEDIA && read_rels(pkg, p) == CDR_BLOCKED)
			return CDR_BLOCKED;
	return CDR_CLEAN;
}

/* Parts nothing kept reaches (a VBA project without its relationship, a
 * stray file) are left out too, and named. */
static void
note_unreached(struct package *pkg)
{
	g_autoptr(GHashTable) kept_rels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
								 NULL);
	g_hash_table_add(kept_rels, g_strdup(ROOT_RELS));
	for (guint i = 0; i < pkg->parts->len; i++) {
		const struct part *q = pkg->parts->pdata[i];
		if (q->keep != NOT_KEPT && q->keep != KEEP_MEDIA) {
			char *rn = rels_name_of(q->name);
			g_hash_table_add(kept_rels, g_ascii_strdown(rn, -1));
			g_free(rn);
		}
	}
	for (guint i = 0; i < pkg->parts->len; i++) {
		struct part *p = pkg->parts->pdata[i];
		g_autofree char *lower = g_ascii_strdown(p->name, -1);
		if (p->keep != NOT_KEPT || strcmp(lower, "[content_types].xml") == 0 ||
		    g_hash_table_contains(kept_rels, lower))
			continue;
		if (g_str_has_suffix(lower, ".rels") && p->type && strcmp(p->type, RELS_TYPE) == 0)
			continue; /* the relationships of a removed part */
		note(pkg, ooxml_removal_action(NULL, p->type ? p->type : p->name), p->name);
	}
}

/* ---- pictures ------------------------------------------------------------ */

static enum cdr_verdict
rebuild_picture(struct package *pkg, struct part *p)
{
	GByteArray *bytes = package_read_part(pkg->job, pkg->data, p->entry, p->name,
					      cdr_job_expand_allowance(pkg->job));
	if (!bytes)
		return CDR_BLOCKED;
	struct package_picture pic;
	gboolean ok = package_picture_rebuild(pkg->job, p->name, bytes->data, bytes->len, &pic);
	g_byte_array_free(bytes, TRUE);
	if (!ok)
		return CDR_BLOCKED;
	p->media = pic.data;
	p->media_type = pic.type;
	if (pic.replaced)
		note(pkg, CDR_ACT_MEDIA_REPLACED, p->name);
	return CDR_CLEAN;
}

/* ---- writing ------------------------------------------------------------- */

static void
append_escaped(GString *s, const char *text)
{
	char *e = g_markup_escape_text(text, -1);
	g_string_append(s, e);
	g_free(e);
}

static const char *
output_type(const struct package *pkg, const struct part *p)
{
	if (p == pkg->main)
		return pkg->main_type->kept_as;
	return p->keep == KEEP_MEDIA ? p->media_type : p->type;
}

static void
write_text_member(struct zip_writer *w, const char *name, const GString *s)
{
	zip_writer_begin(w, name, FALSE);
	zip_writer_write(w, s->str, s->len);
	zip_writer_end(w);
}

static void
write_content_types(struct package *pkg, struct zip_writer *w)
{
	GString *s = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
				  "<Types xmlns=\"" NS_CT "\">"
				  "<Default Extension=\"rels\" ContentType=\"" RELS_TYPE "\"/>"
				  "<Default Extension=\"xml\" ContentType=\"application/xml\"/>");
	for (guint i = 0; i < pkg->parts->len; i++) {
		const struct part *p = pkg->parts->pdata[i];
		if (p->keep == NOT_KEPT)
			continue;
		g_string_append(s, "<Override PartName=\"/");
		append_escaped(s, p->name);
		g_string_append(s, "\" ContentType=\"");
		append_escaped(s, output_type(pkg, p));
		g_string_append(s, "\"/>");
	}
	g_string_append(s, "</Types>");
	write_text_member(w, CONTENT_TYPES, s);
	g_string_free(s, TRUE);
}

static void
write_rels(struct zip_writer *w, const struct part *p)
{
	if (!p->rels || p->rels->len == 0)
		return;
	GString *s = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
				  "<Relationships xmlns=\"" NS_REL "\">");
	for (guint i = 0; i < p->rels->len; i++) {
		const struct ooxml_rel *r = p->rels->pdata[i];
		g_string_append(s, "<Relationship Id=\"");
		append_escaped(s, r->id);
		g_string_append(s, "\" Type=\"");
		append_escaped(s, r->type);
		g_string_append(s, "\" Target=\"");
		append_escaped(s, r->target);
		g_string_append(s, r->external ? "\" TargetMode=\"External\"/>" : "\"/>");
	}
	g_string_append(s, "</Relationships>");
	g_autofree char *name = rels_name_of(p->name);
	write_text_member(w, name, s);
	g_string_free(s, TRUE);
}

/* Sheets about to go with their relationship: names (as formulas write
 * them) and positions, for the defined names that refer to them. */
static void
find_removed_sheets(struct ooxml_clean *c, xmlNode *root)
{
	c->removed_sheets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	c->removed_sheet_index = g_array_new(FALSE, FALSE, sizeof(guint));
	for (xmlNode *sheets = root->children; sheets; sheets = sheets->next) {
		if (!ooxml_is(sheets, NS_S, "sheets"))
			continue;
		guint index = 0;
		for (xmlNode *s = sheets->children; s; s = s->next) {
			if (!ooxml_is(s, NS_S, "sheet"))
				continue;
			xmlChar *id = xmlGetNsProp(s, (const xmlChar *)"id", (const xmlChar *)NS_R);
			if (id && g_hash_table_contains(c->removed_ids, id)) {
				g_autofree char *name = xml_attr(s, "name");
				if (name) {
					g_autofree char *quoted = g_strjoinv("''", (char *[]){ name, NULL });
					g_hash_table_add(c->removed_sheets, g_strconcat(name, "!", NULL));
					g_hash_table_add(c->removed_sheets, g_strconcat("'", quoted, "'!", NULL));
				}
				g_array_append_val(c->removed_sheet_index, index);
			}
			xmlFree(id);
			index++;
		}
	}
}

static guint
count_sheets(xmlNode *root)
{
	guint n = 0;
	for (xmlNode *sheets = root->children; sheets; sheets = sheets->next)
		if (ooxml_is(sheets, NS_S, "sheets"))
			for (xmlNode *s = sheets->children; s; s = s->next)
				n += ooxml_is(s, NS_S, "sheet");
	return n;
}

/* The part's kept relationships by id, for the rules that judge every
 * use of one. */
static GHashTable *
kept_rels_of(const struct part *p)
{
	GHashTable *t = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; p->rels && i < p->rels->len; i++) {
		const struct ooxml_rel *r = p->rels->pdata[i];
		g_hash_table_insert(t, r->id, (gpointer)r);
	}
	return t;
}

static void
clean_begin(struct package *pkg, struct part *p, struct ooxml_clean *c)
{
	*c = (struct ooxml_clean){
		.job = pkg->job,
		.part = p->name,
		.kind = p->kind,
		.removed_ids = p->removed_ids,
		.kept_rels = kept_rels_of(p),
		.used_ids = g_hash_table_new(g_str_hash, g_str_equal),
	};
}

static void
destroy_table(GHashTable *t)
{
	if (t)
		g_hash_table_destroy(t);
}

/* External relationships (web links) no element of the part uses any
 * more - their users were removed, or used them in a way their type does
 * not allow - are not written. */
static void
clean_end(struct part *p, struct ooxml_clean *c)
{
	for (guint i = p->rels->len; i-- > 0;) {
		const struct ooxml_rel *r = p->rels->pdata[i];
		if (r->external && !g_hash_table_contains(c->used_ids, r->id))
			g_ptr_array_remove_index(p->rels, i);
	}
	destroy_table(c->kept_rels);
	destroy_table(c->used_ids);
	destroy_table(c->shared_kept);
	destroy_table(c->shared_removed);
	destroy_table(c->removed_sheets);
	if (c->removed_sheet_index)
		g_array_free(c->removed_sheet_index, TRUE);
	if (c->chart_refs)
		g_ptr_array_free(c->chart_refs, TRUE);
}

static enum cdr_verdict
write_xml_part(struct package *pkg, struct part *p, struct zip_writer *w)
{
	xmlDoc *doc = read_xml(pkg, p);
	if (!doc)
		return CDR_BLOCKED;
	xmlNode *root = xmlDocGetRootElement(doc);
	enum cdr_verdict v = CDR_CLEAN;
	const char *why = NULL;
	if (!ooxml_xml_transitional(root, TRUE, &why)) {
		xmlFreeDoc(doc);
		return cdr_job_error(pkg->job, CDR_E_UNSUPPORTED, "%s: %s", p->name, why);
	}
	struct ooxml_clean c;
	clean_begin(pkg, p, &c);
	if (p->kind == PART_WORKBOOK)
		find_removed_sheets(&c, root);
	if (p->kind == PART_WORD)
		ooxml_fields_clean(pkg->job, p->name, root);
	ooxml_clean_tree(&c, root);
	if (p->kind == PART_WORKBOOK && count_sheets(root) == 0)
		v = cdr_job_error(pkg->job, CDR_E_DANGEROUS,
				  "a workbook of macro sheets only: nothing left to deliver");
	if (v != CDR_BLOCKED) {
		GByteArray *out = g_byte_array_new();
		ooxml_xml_write(doc, out);
		zip_writer_begin(w, p->name, FALSE);
		zip_writer_write(w, out->data, out->len);
		if (!zip_writer_end(w))
			v = cdr_job_error(pkg->job, CDR_E_LIMIT, "the rebuilt document passes 4 GiB");
		g_byte_array_free(out, TRUE);
	}
	clean_end(p, &c);
	xmlFreeDoc(doc);
	return v;
}

static enum cdr_verdict
write_streamed_part(struct package *pkg, struct part *p, struct zip_writer *w)
{
	struct cdr_failure fail = { 0 };
	struct zip_reader *r = zip_reader_new(pkg->data, p->entry, pkg->job, &fail);
	if (!r)
		return cdr_job_fail(pkg->job, p->name, &fail);
	struct ooxml_clean c;
	clean_begin(pkg, p, &c);
	zip_writer_begin(w, p->name, TRUE);
	gboolean ok = ooxml_stream_part(&c, r, w, &fail);
	zip_reader_free(r);
	clean_end(p, &c);
	gboolean written = zip_writer_end(w);
	if (!ok) /* a budget has recorded itself already (the first block stands) */
		return cdr_job_fail(pkg->job, p->name, &fail);
	if (!written)
		return cdr_job_error(pkg->job, CDR_E_LIMIT, "the rebuilt document passes 4 GiB");
	return CDR_CLEAN;
}

static enum cdr_verdict
write_package(struct package *pkg, GByteArray *dest)
{
	struct zip_writer *w = zip_writer_new(dest);
	write_content_types(pkg, w);
	write_rels(w, &pkg->root);
	enum cdr_verdict v = CDR_CLEAN;
	for (guint i = 0; i < pkg->parts->len && v != CDR_BLOCKED; i++) {
		struct part *p = pkg->parts->pdata[i];
		if (!cdr_job_check_time(pkg->job))
			v = CDR_BLOCKED;
		else if (p->keep == KEEP_XML)
			v = write_xml_part(pkg, p, w);
		else if (p->keep == KEEP_STREAM)
			v = write_streamed_part(pkg, p, w);
		else if (p->keep == KEEP_MEDIA) {
			zip_writer_begin(w, p->name, FALSE);
			zip_writer_write(w, p->media->data, p->media->len);
			if (!zip_writer_end(w))
				v = cdr_job_error(pkg->job, CDR_E_LIMIT,
						  "the rebuilt document passes 4 GiB");
		}
		if (v != CDR_BLOCKED && p->keep != NOT_KEPT)
			write_rels(w, p);
	}
	if (v == CDR_BLOCKED) {
		zip_writer_free(w);
		return v;
	}
	if (!zip_writer_finish(w))
		return cdr_job_error(pkg->job, CDR_E_LIMIT, "the rebuilt document passes 4 GiB");
	return CDR_CLEAN;
}

/* ---- the handler ----------------------------------------------------------- */

static const char *const ooxml_extensions[] = {
	"docx", "docm", "dotx", "dotm", "xlsx", "xlsm", "xltx", "xltm",
	"pptx", "pptm", "potx", "potm", "ppsx", "ppsm", NULL,
};

static int
ooxml_bid(const struct cdr_input *in)
{
	if (in->len < 30 || memcmp(in->data, "PK\x03\x04", 4) != 0)
		return 0;
	return zip_lists_member(in->data, in->len, CONTENT_TYPES) ? 90 : 0;
}

static enum cdr_verdict
ooxml_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	struct package pkg = {
		.job = job,
		.data = in->data,
		.entries = g_array_new(FALSE, FALSE, sizeof(struct zip_entry)),
		.parts = g_ptr_array_new_with_free_func((GDestroyNotify)part_free),
		.by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
		.defaults = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
		.overrides = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
		.noted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
		.neutralize_links = cdr_job_policy(job)->office_neutralize_links,
	};
	g_queue_init(&pkg.todo);
	enum cdr_verdict v = package_check_zip(job, in->data, in->len, pkg.entries);
	if (v != CDR_BLOCKED)
		v = load_parts(&pkg);
	if (v != CDR_BLOCKED)
		v = read_content_types(&pkg);
	if (v != CDR_BLOCKED)
		v = walk_relationships(&pkg);
	if (v != CDR_BLOCKED) {
		note_unreached(&pkg);
		for (guint i = 0; i < pkg.parts->len && v != CDR_BLOCKED; i++) {
			struct part *p = pkg.parts->pdata[i];
			if (p->keep == KEEP_MEDIA)
				v = rebuild_picture(&pkg, p);
		}
	}
	if (v != CDR_BLOCKED) {
		/* room for about the input's size at once: growing a buffer of
		 * tens of megabytes step by step copies it, and for a moment
		 * holds it twice */
		g_byte_array_set_size(out->data, (guint)MIN(in->len, (gsize)G_MAXUINT / 2));
		g_byte_array_set_size(out->data, 0);
		v = write_package(&pkg, out->data);
	}
	if (v != CDR_BLOCKED) {
		if (pkg.main_type->macro)
			cdr_job_action(job, CDR_ACT_MACRO_FREE_TYPE, pkg.main_type->ext, 1);
		out->type = pkg.main_type->mime;
		out->ext = pkg.main_type->ext;
		out->name = package_output_name(in->name, ooxml_extensions, out->ext);
	}
	g_queue_clear(&pkg.todo);
	part_clear(&pkg.root);
	g_ptr_array_free(pkg.parts, TRUE);
	g_hash_table_destroy(pkg.by_name);
	g_hash_table_destroy(pkg.defaults);
	g_hash_table_destroy(pkg.overrides);
	g_hash_table_destroy(pkg.noted);
	g_array_free(pkg.entries, TRUE);
	return v;
}

/* libxml2 prints some errors (bad encodings) itself; the handler reports
 * every failure as the file's reason, so they would only be noise in the
 * worker's log. */
static void
ignore_xml_message(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static gboolean
ooxml_init(GError **error)
{
	(void)error;
	xmlInitParser();
	xmlSetGenericErrorFunc(NULL, ignore_xml_message);
	return TRUE;
}


const struct cdr_handler cdr_handler_ooxml = {
	.name = "ooxml",
	.flags = CDR_CONTAINER | CDR_SELF_TYPED,
	.extensions = ooxml_extensions,
	.mime_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	.init = ooxml_init,
	.bid = ooxml_bid,
	.sanitize = ooxml_sanitize,
	.excerpt = ooxml_excerpt,
};
