/*
 * NAME
 *	ooxml-fields.c - Word fields that run or fetch something, replaced by
 *	their displayed result
 * SUMMARY
 *	A Word field is either simple (w:fldSimple with the instruction in an
 *	attribute) or complex: a begin mark, instruction text, a separator,
 *	the displayed result and an end mark, each in its own run, so the
 *	instruction can be split over any number of runs and paragraphs
 *	("DD" + "EAUTO"), written in any case, tracked as deleted, and nested
 *	inside another field's instruction. The instruction is reassembled
 *	before it is judged; a field whose keyword would be produced by a
 *	nested field (its instruction starts with one) counts as dangerous.
 * DESCRIPTION
 *	Dangerous keywords: DDE, DDEAUTO, INCLUDETEXT, INCLUDEPICTURE, INCLUDE,
 *	IMPORT, LINK. Such a field loses its marks and instruction (nested
 *	fields in it too); its result runs stay as plain text, so the reader
 *	sees what the author saw. A field left open at the end of the part is
 *	judged as if it ended there.
 */
#include <string.h>

#include "ooxml.h"

static const char *const dangerous_keywords[] = {
	"DDE", "DDEAUTO", "INCLUDETEXT", "INCLUDEPICTURE", "INCLUDE", "IMPORT", "LINK",
};

gboolean
ooxml_field_is_dangerous(const char *instr)
{
	const char *p = instr;
	while (*p && (g_ascii_isspace(*p) || *p == '"'))
		p++;
	const char *start = p;
	while (g_ascii_isalpha(*p))
		p++;
	gsize n = (gsize)(p - start);
	for (gsize i = 0; i < G_N_ELEMENTS(dangerous_keywords); i++)
		if (strlen(dangerous_keywords[i]) == n &&
		    g_ascii_strncasecmp(start, dangerous_keywords[i], n) == 0)
			return TRUE;
	return FALSE;
}

struct field {
	GString *instr;
	GPtrArray *nodes;      /* marks, instruction and nested content: removed if dangerous */
	gboolean in_instr;     /* before the separator */
	gboolean nested_first; /* a nested field began before any keyword */
};

struct walk {
	GPtrArray *open;     /* struct field *, innermost last */
	GHashTable *doomed;  /* nodes to remove */
	GPtrArray *simple;   /* dangerous w:fldSimple to unwrap */
	unsigned disarmed;
};

static void
field_free(struct field *f)
{
	g_string_free(f->instr, TRUE);
	g_ptr_array_free(f->nodes, TRUE);
	g_free(f);
}

/* The node belongs to the instruction of every open field still before
 * its separator (a nested field lies inside its parent's instruction). */
static void
add_to_instructions(struct walk *w, xmlNode *node, guint upto)
{
	for (guint i = 0; i < upto; i++) {
		struct field *f = w->open->pdata[i];
		if (f->in_instr)
			g_ptr_array_add(f->nodes, node);
	}
}

static gboolean
only_space(const GString *s)
{
	for (gsize i = 0; i < s->len; i++)
		if (!g_ascii_isspace(s->str[i]) && s->str[i] != '"')
			return FALSE;
	return TRUE;
}

static void
close_field(struct walk *w)
{
	struct field *f = g_ptr_array_steal_index(w->open, w->open->len - 1);
	if (f->nested_first || ooxml_field_is_dangerous(f->instr->str)) {
		for (guint i = 0; i < f->nodes->len; i++)
			g_hash_table_add(w->doomed, f->nodes->pdata[i]);
		w->disarmed++;
	}
	field_free(f);
}

static void
on_fld_char(struct walk *w, xmlNode *node)
{
	xmlChar *type = xmlGetNsProp(node, (const xmlChar *)"fldCharType", (const xmlChar *)NS_W);
	const char *t = type ? (const char *)type : "";
	if (strcmp(t, "begin") == 0) {
		if (w->open->len > 0) {
			struct field *parent = w->open->pdata[w->open->len - 1];
			if (parent->in_instr && only_space(parent->instr))
				parent->nested_first = TRUE;
		}
		add_to_instructions(w, node, w->open->len);
		struct field *f = g_new0(struct field, 1);
		f->instr = g_string_new(NULL);
		f->nodes = g_ptr_array_new();
		f->in_instr = TRUE;
		g_ptr_array_add(f->nodes, node);
		g_ptr_array_add(w->open, f);
	} else if (w->open->len > 0) {
		struct field *f = w->open->pdata[w->open->len - 1];
		add_to_instructions(w, node, w->open->len - 1);
		g_ptr_array_add(f->nodes, node);
		if (strcmp(t, "separate") == 0)
			f->in_instr = FALSE;
		else if (strcmp(t, "end") == 0)
			close_field(w);
	}
	xmlFree(type);
}

static void
on_instr_text(struct walk *w, xmlNode *node)
{
	if (w->open->len == 0)
		return;
	struct field *f = w->open->pdata[w->open->len - 1];
	xmlChar *text = xmlNodeGetContent(node);
	if (f->in_instr && text)
		g_string_append(f->instr, (const char *)text);
	xmlFree(text);
	add_to_instructions(w, node, w->open->len);
}

static void
on_simple(struct walk *w, xmlNode *node)
{
	xmlChar *instr = xmlGetNsProp(node, (const xmlChar *)"instr", (const xmlChar *)NS_W);
	if (instr && ooxml_field_is_dangerous((const char *)instr)) {
		g_ptr_array_add(w->simple, node);
		w->disarmed++;
	}
	xmlFree(instr);
}

/* Document order, without recursion (depth is bounded by the parser, but
 * the loop costs nothing). */
static void
walk_tree(struct walk *w, xmlNode *root)
{
	xmlNode *n = root;
	while (n) {
		gboolean descend = TRUE;
		if (n->type == XML_ELEMENT_NODE) {
			if (ooxml_is(n, NS_W, "fldChar")) {
				on_fld_char(w, n);
				descend = FALSE;
			} else if (ooxml_is(n, NS_W, "instrText") || ooxml_is(n, NS_W, "delInstrText")) {
				on_instr_text(w, n);
				descend = FALSE;
			} else if (ooxml_is(n, NS_W, "fldSimple")) {
				on_simple(w, n);
			} else if (n->parent && ooxml_is(n->parent, NS_W, "r") &&
				   !ooxml_is(n, NS_W, "rPr")) {
				/* run content: text, tabs, pictures; part of an
				 * instruction when a field is before its separator */
				add_to_instructions(w, n, w->open->len);
				descend = FALSE;
			}
		}
		if (descend && n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		while (n && n != root && !n->next)
			n = n->parent;
		if (!n || n == root)
			break;
		n = n->next;
	}
}

/* The field's result takes its place. A namespace the field element
 * declared may be used inside the result: it is declared again where the
 * result lands before the field element (and its declarations) go. */
static void
unwrap_simple(xmlNode *node)
{
	xmlNode *child = node->children;
	while (child) {
		xmlNode *next = child->next;
		xmlUnlinkNode(child);
		if (ooxml_is(child, NS_W, "fldData")) {
			xmlFreeNode(child);
		} else {
			xmlAddPrevSibling(node, child);
			if (child->type == XML_ELEMENT_NODE)
				xmlReconciliateNs(node->doc, child);
		}
		child = next;
	}
	xmlUnlinkNode(node);
	xmlFreeNode(node);
}

unsigned
ooxml_fields_disarm(xmlNode *root)
{
	struct walk w = {
		.open = g_ptr_array_new(),
		.doomed = g_hash_table_new(NULL, NULL),
		.simple = g_ptr_array_new(),
	};
	walk_tree(&w, root);
	while (w.open->len > 0)
		close_field(&w);
	/* a simple field that is itself part of a removed instruction goes
	 * whole with it */
	for (guint i = 0; i < w.simple->len; i++)
		if (!g_hash_table_contains(w.doomed, w.simple->pdata[i]))
			unwrap_simple(w.simple->pdata[i]);
	GHashTableIter it;
	gpointer node;
	g_hash_table_iter_init(&it, w.doomed);
	while (g_hash_table_iter_next(&it, &node, NULL)) {
		xmlUnlinkNode(node);
		xmlFreeNode(node);
	}
	g_ptr_array_free(w.open, TRUE);
	g_hash_table_destroy(w.doomed);
	g_ptr_array_free(w.simple, TRUE);
	return w.disarmed;
}
