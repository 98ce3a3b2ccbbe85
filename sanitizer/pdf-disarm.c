/*
 * NAME
 *	pdf-disarm.c - removes everything active from a PDF's object graph
 * SUMMARY
 *	Every object reachable from the trailer is visited once (pages,
 *	annotations, forms, outlines, name trees, action chains; qpdf makes
 *	object streams and hex-escaped names transparent). Removed:
 *	JavaScript, /OpenAction and /AA, every action but page navigation,
 *	links and form reset, embedded files (name tree, file attachment
 *	annotations, /EF, /AF, portfolios), XFA, RichMedia/3D/Screen/Movie/
 *	Sound annotations, signature values and usage-rights signatures,
 *	and what makes a stream read another file (external stream data,
 *	reference XObjects, OPI).
 *	URI links stay when their target is a link [links] schemes keeps
 *	(links.h) and [pdf] neutralize_links is not set; the catalog's
 *	/URI /Base, against which viewers resolve relative links, only when
 *	it is such a link itself.
 * DESCRIPTION
 *	The walk keeps its own stack (no recursion, so nesting depth costs
 *	nothing) and a set of visited object numbers (so cycles in /Next
 *	chains, page trees or anywhere else end). An action is judged where it
 *	is referenced (/A, /Next) so a forbidden one is unlinked, and a
 *	dictionary that is itself a dangerous action is emptied wherever it
 *	turns up, so its payload cannot survive through an odd reference.
 *	Every stream's decoded size is measured against the limits before
 *	anything decodes it, then it is decoded for a fresh encoding
 *	(pdf-streams.c). Any qpdf error blocks the file.
 */
#include <string.h>

#include "actions.h"
#include "links.h"
#include "pdf.h"

#define PDF_TIME_CHECK_EVERY 1024

struct disarm {
	struct cdr_job *job;
	const struct cdr_policy *policy;
	qpdf_data q;
	GHashTable *seen; /* objects visited: number and generation (both count:
			   * an update can add 5 1 R beside 5 0 R) */
	GArray *todo;     /* qpdf_oh still to visit */
	guint64 objects;
	gboolean failed;
	char where[40]; /* a removed link's scheme, for the report */
};

/* Action types that are never kept. */
static const char *const pdf_dangerous_actions[] = {
	"/JavaScript", "/Launch",     "/GoToR", "/GoToE",	     "/ImportData",
	"/SubmitForm", "/Rendition",  "/Movie", "/Sound",	     "/RichMediaExecute",
	"/Hide",       "/GoTo3DView", "/GoToDp", "/ECMAScript",
};
/* Action types kept (URI only to a scheme of [links] schemes, and not
 * when links are neutralized). */
static const char *const pdf_safe_actions[] = {
	"/GoTo", "/Thread", "/Trans", "/SetOCGState", "/ResetForm", "/URI", "/Named",
};
/* Named actions kept: page navigation only. */
static const char *const pdf_navigation_names[] = {
	"/NextPage", "/PrevPage", "/FirstPage", "/LastPage",
};

struct key_rule {
	const char *key;
	const char *what; /* action name, or NULL: removed silently */
	const char *where;
};

/* Keys removed from every dictionary. */
static const struct key_rule pdf_removed_keys[] = {
	{ "/JS", CDR_ACT_JAVASCRIPT, NULL },
	{ "/JavaScript", CDR_ACT_JAVASCRIPT, "name tree" },
	{ "/OpenAction", CDR_ACT_AUTO_ACTION, "OpenAction" },
	{ "/AA", CDR_ACT_AUTO_ACTION, "AA" },
	{ "/EmbeddedFiles", CDR_ACT_EMBEDDED_OBJECT, "EmbeddedFiles" },
	{ "/EF", CDR_ACT_EMBEDDED_OBJECT, "EF" },
	{ "/AF", CDR_ACT_EMBEDDED_OBJECT, "AF" },
	{ "/Collection", CDR_ACT_EMBEDDED_OBJECT, "Collection" },
	{ "/XFA", CDR_ACT_XFA, NULL },
	{ "/RichMediaContent", CDR_ACT_MULTIMEDIA, "RichMedia" },
	{ "/RichMediaSettings", CDR_ACT_MULTIMEDIA, "RichMedia" },
	{ "/Renditions", CDR_ACT_MULTIMEDIA, "Renditions" },
	{ "/AlternatePresentations", CDR_ACT_MULTIMEDIA, "AlternatePresentations" },
	{ "/Perms", CDR_ACT_SIGNATURE, "Perms" },
	{ "/NeedsRendering", NULL, NULL },
	{ "/SigFlags", NULL, NULL },
};

/* Keys of a stream's dictionary that send a reader to another file: the
 * stream's data in an external file (/F, with its /FFilter and
 * /FDecodeParms), a reference XObject's page of another document (/Ref),
 * OPI's high-resolution original (/OPI). The data between "stream" and
 * "endstream", which every reader draws, stays. */
static const struct key_rule pdf_stream_outside_keys[] = {
	{ "/F", CDR_ACT_EXTERNAL_REFERENCE, "stream data in another file" },
	{ "/FFilter", NULL, NULL },
	{ "/FDecodeParms", NULL, NULL },
	{ "/Ref", CDR_ACT_EXTERNAL_REFERENCE, "reference XObject" },
	{ "/OPI", CDR_ACT_EXTERNAL_REFERENCE, "OPI" },
};

/* Annotation subtypes removed from /Annots. */
static const struct key_rule pdf_removed_annotations[] = {
	{ "/FileAttachment", CDR_ACT_EMBEDDED_OBJECT, "FileAttachment" },
	{ "/RichMedia", CDR_ACT_MULTIMEDIA, "RichMedia" },
	{ "/3D", CDR_ACT_MULTIMEDIA, "3D" },
	{ "/Screen", CDR_ACT_MULTIMEDIA, "Screen" },
	{ "/Movie", CDR_ACT_MULTIMEDIA, "Movie" },
	{ "/Sound", CDR_ACT_MULTIMEDIA, "Sound" },
};

/* The dictionary's name value for `key` (in *buf), or NULL. */
static const char *
dict_name(struct disarm *d, qpdf_oh dict, const char *key, struct pdf_name *buf)
{
	qpdf_oh v = qpdf_oh_get_key(d->q, dict, key);
	const char *name = pdf_name_copy(d->q, v, buf);
	qpdf_oh_release(d->q, v);
	return name;
}

/* The entry of `list` equal to `name`, or NULL: a string that outlives it. */
static const char *
name_entry(const char *name, const char *const *list, gsize n)
{
	for (gsize i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return list[i];
	return NULL;
}

static void
fail(struct disarm *d, enum cdr_error code, const char *reason)
{
	if (!d->failed)
		cdr_job_error(d->job, code, "%s", reason);
	d->failed = TRUE;
}

/* ---- links --------------------------------------------------------------- */

/*
 * What a link target the policy refuses is, for the report (into buf): its
 * scheme in lower case ("file", "javascript"), "UNC path" for \\host or
 * //host, "no scheme" for a relative reference (a viewer resolves it
 * against the document's folder or the catalog's /URI /Base). Never more
 * of the target than a short scheme: the report is no place for the rest.
 */
static const char *
link_kind(const char *s, gsize len, char *buf, gsize size)
{
	while (len && (guchar)*s <= ' ') {
		s++;
		len--;
	}
	if (len >= 2 && (s[0] == '\\' || s[0] == '/') && (s[1] == '\\' || s[1] == '/'))
		return "UNC path";
	gsize n = 0;
	while (n < len && (g_ascii_isalnum(s[n]) || s[n] == '+' || s[n] == '-' || s[n] == '.'))
		n++;
	if (n == 0 || n >= len || s[n] != ':' || !g_ascii_isalpha(s[0]))
		return "no scheme";
	if (n >= size)
		return "long scheme";
	for (gsize i = 0; i < n; i++)
		buf[i] = g_ascii_tolower(s[i]);
	buf[n] = '\0';
	return buf;
}

/* NULL when the string `target` is a link the policy keeps; else what it
 * is, for the report. */
static const char *
link_refusal(struct disarm *d, qpdf_oh target)
{
	if (!qpdf_oh_is_string(d->q, target))
		return "not a string";
	size_t len = 0;
	const char *s = qpdf_oh_get_binary_string_value(d->q, target, &len);
	if (!s || cdr_link_allowed(d->policy, s, len))
		return NULL;
	return link_kind(s, len, d->where, sizeof d->where);
}

/* The catalog's /URI /Base, against which viewers resolve relative links:
 * kept only when it is a link the policy keeps itself. */
static void
judge_uri_base(struct disarm *d)
{
	qpdf_oh root = qpdf_get_root(d->q);
	qpdf_oh uri = qpdf_oh_get_key(d->q, root, "/URI");
	if (qpdf_oh_is_dictionary(d->q, uri) && qpdf_oh_has_key(d->q, uri, "/Base")) {
		qpdf_oh base = qpdf_oh_get_key(d->q, uri, "/Base");
		if (link_refusal(d, base)) {
			qpdf_oh_remove_key(d->q, uri, "/Base");
			cdr_job_action(d->job, CDR_ACT_EXTERNAL_LINK, "URI base", 1);
		}
		qpdf_oh_release(d->q, base);
	}
	qpdf_oh_release(d->q, uri);
	qpdf_oh_release(d->q, root);
}

/* ---- actions ----------------------------------------------------------- */

/*
 * Should the action `a` (the value of /A or an item of /Next) go? NULL to
 * keep it; else the report's action name, with *where set to its type.
 * Something without /S is not an action (/A of a structure element holds
 * attributes) and is left alone.
 */
static const char *
action_removal(struct disarm *d, qpdf_oh a, const char **where)
{
	if (!qpdf_oh_is_dictionary(d->q, a))
		return NULL;
	struct pdf_name buf, nbuf;
	const char *type = dict_name(d, a, "/S", &buf);
	if (!type) {
		/* a name too long to copy is no type we keep */
		qpdf_oh s = qpdf_oh_get_key(d->q, a, "/S");
		gboolean named = qpdf_oh_is_name(d->q, s);
		qpdf_oh_release(d->q, s);
		*where = "unknown type";
		return named ? CDR_ACT_ACTION : NULL;
	}
	/* where: the type, from our own lists (the report outlives the buffer) */
	const char *known = name_entry(type, pdf_safe_actions, G_N_ELEMENTS(pdf_safe_actions));
	const char *dangerous =
		name_entry(type, pdf_dangerous_actions, G_N_ELEMENTS(pdf_dangerous_actions));
	*where = known ? known + 1 : dangerous ? dangerous + 1 : "unknown type";
	if (strcmp(type, "/JavaScript") == 0 || strcmp(type, "/ECMAScript") == 0)
		return CDR_ACT_JAVASCRIPT;
	if (!known)
		return CDR_ACT_ACTION;
	if (qpdf_oh_has_key(d->q, a, "/F")) /* a Thread in another file: as GoToR */
		return CDR_ACT_ACTION;
	if (strcmp(type, "/URI") == 0) {
		if (d->policy->pdf_neutralize_links)
			return CDR_ACT_EXTERNAL_LINK;
		qpdf_oh target = qpdf_oh_get_key(d->q, a, "/URI");
		const char *refused = link_refusal(d, target);
		qpdf_oh_release(d->q, target);
		if (refused) {
			*where = refused;
			return CDR_ACT_EXTERNAL_LINK;
		}
	}
	if (strcmp(type, "/Named") == 0) {
		const char *n = dict_name(d, a, "/N", &nbuf);
		if (!n || !name_entry(n, pdf_navigation_names, G_N_ELEMENTS(pdf_navigation_names)))
			return CDR_ACT_ACTION;
	}
	return NULL;
}

/* /A: one action. */
static void
judge_action_key(struct disarm *d, qpdf_oh dict, const char *key)
{
	qpdf_oh a = qpdf_oh_get_key(d->q, dict, key);
	const char *where = NULL;
	const char *what = action_removal(d, a, &where);
	qpdf_oh_release(d->q, a);
	if (what) {
		qpdf_oh_remove_key(d->q, dict, key);
		cdr_job_action(d->job, what, where, 1);
	}
}

/* /Next: one action or an array of them. */
static void
judge_next(struct disarm *d, qpdf_oh dict)
{
	qpdf_oh next = qpdf_oh_get_key(d->q, dict, "/Next");
	if (!qpdf_oh_is_array(d->q, next)) {
		qpdf_oh_release(d->q, next);
		judge_action_key(d, dict, "/Next");
		return;
	}
	for (int i = qpdf_oh_get_array_n_items(d->q, next) - 1; i >= 0; i--) {
		qpdf_oh a = qpdf_oh_get_array_item(d->q, next, i);
		const char *where = NULL;
		const char *what = action_removal(d, a, &where);
		qpdf_oh_release(d->q, a);
		if (what) {
			qpdf_oh_erase_item(d->q, next, i);
			cdr_job_action(d->job, what, where, 1);
		}
	}
	if (qpdf_oh_get_array_n_items(d->q, next) == 0)
		qpdf_oh_remove_key(d->q, dict, "/Next");
	qpdf_oh_release(d->q, next);
}

/* An action that would be removed where it is referenced is emptied
 * wherever it turns up (/PA, an odd key, a direct object in an array), so
 * its content cannot survive by another path. Only dictionaries whose /S
 * names an action type: /S means other things elsewhere (/Transparency,
 * a structure type). */
static void
empty_forbidden_action(struct disarm *d, qpdf_oh dict)
{
	struct pdf_name buf;
	const char *type = dict_name(d, dict, "/S", &buf);
	if (!type || (!name_entry(type, pdf_dangerous_actions, G_N_ELEMENTS(pdf_dangerous_actions)) &&
		      !name_entry(type, pdf_safe_actions, G_N_ELEMENTS(pdf_safe_actions))))
		return;
	const char *where = NULL;
	const char *what = action_removal(d, dict, &where);
	if (!what)
		return;
	g_autoptr(GPtrArray) keys = pdf_dict_keys(d->q, dict);
	for (guint i = 0; i < keys->len; i++)
		qpdf_oh_remove_key(d->q, dict, keys->pdata[i]);
	cdr_job_action(d->job, what, where, 1);
}

/* ---- annotations and signatures ------------------------------------------ */

static void
filter_annotations(struct disarm *d, qpdf_oh dict)
{
	qpdf_oh annots = qpdf_oh_get_key(d->q, dict, "/Annots");
	if (!qpdf_oh_is_array(d->q, annots)) {
		qpdf_oh_release(d->q, annots);
		return;
	}
	for (int i = qpdf_oh_get_array_n_items(d->q, annots) - 1; i >= 0; i--) {
		qpdf_oh annot = qpdf_oh_get_array_item(d->q, annots, i);
		struct pdf_name buf;
		const char *subtype = qpdf_oh_is_dictionary(d->q, annot)
					      ? dict_name(d, annot, "/Subtype", &buf)
					      : NULL;
		qpdf_oh_release(d->q, annot);
		for (gsize r = 0; subtype && r < G_N_ELEMENTS(pdf_removed_annotations); r++) {
			if (strcmp(subtype, pdf_removed_annotations[r].key) == 0) {
				qpdf_oh_erase_item(d->q, annots, i);
				cdr_job_action(d->job, pdf_removed_annotations[r].what,
					       pdf_removed_annotations[r].where, 1);
				break;
			}
		}
	}
	qpdf_oh_release(d->q, annots);
}

/* A signature field keeps its place on the page but loses its value: the
 * rebuild invalidates the signature anyway, and a field that claims a
 * signature it no longer carries would mislead. */
static void
drop_signature_value(struct disarm *d, qpdf_oh dict)
{
	struct pdf_name buf;
	const char *ft = dict_name(d, dict, "/FT", &buf);
	if (ft && strcmp(ft, "/Sig") == 0 && qpdf_oh_has_key(d->q, dict, "/V")) {
		qpdf_oh_remove_key(d->q, dict, "/V");
		cdr_job_action(d->job, CDR_ACT_SIGNATURE, "form field", 1);
	}
}

/* ---- the walk ------------------------------------------------------------ */

static const char *
where_of(struct disarm *d, qpdf_oh dict)
{
	struct pdf_name buf;
	const char *type = dict_name(d, dict, "/Type", &buf);
	if (type && strcmp(type, "/Catalog") == 0)
		return "catalog";
	if (type && strcmp(type, "/Page") == 0)
		return "page";
	if (qpdf_oh_has_key(d->q, dict, "/FT"))
		return "form field";
	if (qpdf_oh_has_key(d->q, dict, "/Subtype") && qpdf_oh_has_key(d->q, dict, "/Rect"))
		return "annotation";
	if (qpdf_oh_has_key(d->q, dict, "/Title") && qpdf_oh_has_key(d->q, dict, "/Parent"))
		return "outline";
	return "document";
}

static void
remove_keys(struct disarm *d, qpdf_oh dict, const struct key_rule *rules, gsize n)
{
	for (gsize r = 0; r < n; r++) {
		const struct key_rule *rule = &rules[r];
		if (!qpdf_oh_has_key(d->q, dict, rule->key))
			continue;
		const char *where = rule->where ? rule->where : where_of(d, dict);
		qpdf_oh_remove_key(d->q, dict, rule->key);
		if (rule->what)
			cdr_job_action(d->job, rule->what, where, 1);
	}
}

static void
disarm_dict(struct disarm *d, qpdf_oh dict)
{
	empty_forbidden_action(d, dict);
	remove_keys(d, dict, pdf_removed_keys, G_N_ELEMENTS(pdf_removed_keys));
	if (qpdf_oh_has_key(d->q, dict, "/A"))
		judge_action_key(d, dict, "/A");
	if (qpdf_oh_has_key(d->q, dict, "/Next"))
		judge_next(d, dict);
	if (qpdf_oh_has_key(d->q, dict, "/Annots"))
		filter_annotations(d, dict);
	drop_signature_value(d, dict);
}

static void
disarm_stream(struct disarm *d, qpdf_oh stream, qpdf_oh dict)
{
	struct pdf_name buf;
	const char *type = dict_name(d, dict, "/Type", &buf);
	if (type && strcmp(type, "/EmbeddedFile") == 0) {
		qpdf_oh null = qpdf_oh_new_null(d->q);
		qpdf_oh_replace_stream_data(d->q, stream, (const unsigned char *)"", 0, null,
					    null);
		qpdf_oh_release(d->q, null);
		cdr_job_action(d->job, CDR_ACT_EMBEDDED_OBJECT, "EmbeddedFile", 1);
		return;
	}
	guint64 decoded = 0;
	switch (pdf_stream_rebuild(d->q, stream, d->policy->pdf_max_stream_bytes, &decoded)) {
	case PDF_MEASURE_OK:
		if (!cdr_job_charge_expanded(d->job, decoded))
			d->failed = TRUE;
		break;
	case PDF_MEASURE_OVER:
		fail(d, CDR_E_LIMIT, "a stream decodes to more than [pdf] max_stream_bytes");
		break;
	case PDF_MEASURE_BAD_FILTER:
		fail(d, CDR_E_PARSE, "a stream has a malformed /Filter");
		break;
	case PDF_MEASURE_ERROR:
		fail(d, CDR_E_PARSE, "a stream's data cannot be read");
		break;
	}
}

/* Queue what a value may lead to; scalars are dropped at once. */
static void
push(struct disarm *d, qpdf_oh oh)
{
	enum qpdf_object_type_e t = qpdf_oh_get_type_code(d->q, oh);
	if (t == ot_array || t == ot_dictionary || t == ot_stream)
		g_array_append_val(d->todo, oh);
	else
		qpdf_oh_release(d->q, oh);
}

static void
push_dict_values(struct disarm *d, qpdf_oh dict, gboolean trailer)
{
	g_autoptr(GPtrArray) keys = pdf_dict_keys(d->q, dict);
	for (guint i = 0; i < keys->len; i++) {
		/* the trailer's encryption dictionary is qpdf's business (its
		 * /Perms is not a signature) and is not written anyway */
		if (trailer && strcmp(keys->pdata[i], "/Encrypt") == 0)
			continue;
		push(d, qpdf_oh_get_key(d->q, dict, keys->pdata[i]));
	}
}

static void
visit(struct disarm *d, qpdf_oh oh)
{
	if (qpdf_oh_is_indirect(d->q, oh)) {
		guint64 key = (guint64)(guint32)qpdf_oh_get_object_id(d->q, oh) << 32 |
			      (guint32)qpdf_oh_get_generation(d->q, oh);
		if (g_hash_table_contains(d->seen, &key))
			return;
		g_hash_table_add(d->seen, g_memdup2(&key, sizeof key));
		if (++d->objects > d->policy->pdf_max_objects) {
			fail(d, CDR_E_LIMIT, "more objects than [pdf] max_objects");
			return;
		}
	}
	pdf_names_fix(d->q, oh);
	switch (qpdf_oh_get_type_code(d->q, oh)) {
	case ot_array:
		for (int i = 0, n = qpdf_oh_get_array_n_items(d->q, oh); i < n; i++)
			push(d, qpdf_oh_get_array_item(d->q, oh, i));
		break;
	case ot_dictionary:
		disarm_dict(d, oh);
		push_dict_values(d, oh, FALSE);
		break;
	case ot_stream: {
		qpdf_oh dict = qpdf_oh_get_dict(d->q, oh);
		disarm_dict(d, dict);
		remove_keys(d, dict, pdf_stream_outside_keys, G_N_ELEMENTS(pdf_stream_outside_keys));
		disarm_stream(d, oh, dict);
		push_dict_values(d, dict, FALSE);
		qpdf_oh_release(d->q, dict);
		break;
	}
	default:
		break;
	}
}

gboolean
pdf_disarm(struct cdr_job *job, qpdf_data q)
{
	struct disarm d = {
		.job = job,
		.policy = cdr_job_policy(job),
		.q = q,
		.seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL),
		.todo = g_array_new(FALSE, FALSE, sizeof(qpdf_oh)),
	};
	judge_uri_base(&d);
	qpdf_oh trailer = qpdf_get_trailer(q);
	disarm_dict(&d, trailer);
	push_dict_values(&d, trailer, TRUE);
	qpdf_oh_release(q, trailer);
	guint64 steps = 0;
	while (d.todo->len > 0 && !d.failed) {
		qpdf_oh oh = g_array_index(d.todo, qpdf_oh, d.todo->len - 1);
		g_array_set_size(d.todo, d.todo->len - 1);
		visit(&d, oh);
		qpdf_oh_release(q, oh);
		if (qpdf_has_error(q)) {
			qpdf_error e = qpdf_get_error(q);
			g_autofree char *reason = g_strdup_printf(
				"unreadable PDF structure: %s", qpdf_get_error_full_text(q, e));
			fail(&d, CDR_E_PARSE, reason);
		}
		if (++steps % PDF_TIME_CHECK_EVERY == 0 && !cdr_job_check_time(job))
			d.failed = TRUE;
	}
	for (guint i = 0; i < d.todo->len; i++)
		qpdf_oh_release(q, g_array_index(d.todo, qpdf_oh, i));
	g_array_free(d.todo, TRUE);
	g_hash_table_destroy(d.seen);
	return !d.failed;
}
