/*
 * NAME
 *	ooxml-fields.c - Word fields that run or fetch something, replaced by
 *	their displayed result
 * SUMMARY
 *	A Word field is either simple (w:fldSimple with the code in an
 *	attribute) or complex: a begin mark, the code, a separator, the
 *	displayed result and an end mark, each in its own run, so the code can
 *	be split over any number of runs and paragraphs ("DD" + "EAUTO"),
 *	written in any case, tracked as inserted or deleted, and nested inside
 *	another field's code. The code is put together before it is judged by
 *	the shared table (office-fields.c).
 * DESCRIPTION
 *	One walk in document order, with a stack of the fields still open: a
 *	character of the code goes to the innermost field only, so the cost
 *	is linear in the part however deep the nesting. Every node that may be
 *	removed (marks, code text, run content) is numbered as it is met; a
 *	field to remove marks the range from its begin mark to its separator,
 *	and its end mark, and one sweep over a difference array removes every
 *	marked node at the end.
 *
 *	The code is read three ways when it holds tracked changes: as
 *	written, with the changes accepted (no w:del, w:moveFrom,
 *	w:delInstrText, w:delText) and with them rejected (no w:ins,
 *	w:moveTo); the strictest verdict wins. Text runs (w:t) between the
 *	begin mark and the separator count as code, tabs and breaks as
 *	spaces, paragraph ends and objects as characters Word might drop or
 *	break on. A w:fldSimple or a begin mark inside a code is a nested
 *	field, and so is mc:AlternateContent there (Word reads one branch of
 *	it: the code depends on the reader). Text boxes (w:txbxContent), notes
 *	and comments are stories of
 *	their own: a field left open in one ends with it, as one left open at
 *	the end of the part does. Fields inside run content (drawings, text
 *	boxes, alternate content) are found too.
 *
 *	Elements are taken in the transitional and the Strict namespace.
 *
 *	A removed field loses its marks and code (nested fields in the code
 *	too); its result runs stay as plain text, so the reader sees what the
 *	author saw. A removed w:fldSimple is replaced by its children. The
 *	entry and exit macros of legacy form fields (w:ffData) are removed.
 */
#include <string.h>

#include "actions.h"
#include "office-fields.h"
#include "ooxml.h"

/* Strict Open XML names the same elements in another namespace. */
#define NS_W_STRICT "http://purl.oclc.org/ooxml/wordprocessingml/main"

enum reading { AS_WRITTEN, ACCEPTED, REJECTED, READINGS };

static gboolean
is_w(const xmlNode *n, const char *name)
{
	return ooxml_is(n, NS_W, name) || ooxml_is(n, NS_W_STRICT, name);
}

static xmlChar *
w_prop(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNsProp(n, (const xmlChar *)name, (const xmlChar *)NS_W);
	return v ? v : xmlGetNsProp(n, (const xmlChar *)name, (const xmlChar *)NS_W_STRICT);
}
enum change { UNCHANGED, DELETED, INSERTED };

struct open_field {
	guint begin;    /* index of its begin mark */
	guint code_end; /* index of its separator, once seen */
	gboolean in_code;
	struct office_field_code code; /* as written */
	struct office_field_code *tracked; /* [ACCEPTED - 1], [REJECTED - 1]: NULL
					    * until a tracked change is met */
};

struct walk {
	const struct cdr_policy *policy;
	GPtrArray *seq;       /* removable nodes in document order */
	GArray *open;         /* struct open_field, innermost last */
	GArray *story_base;   /* guint: open->len when each story began */
	GArray *cut_from, *cut_to; /* guint ranges of seq to remove */
	GPtrArray *simple;    /* w:fldSimple to unwrap */
	unsigned deleted, inserted; /* depth of w:del / w:ins around the node */
	struct ooxml_field_counts *counts;
};

/* The innermost field of the current story, if its code is being read. */
static struct open_field *
reading_code(struct walk *w)
{
	guint base = w->story_base->len ? g_array_index(w->story_base, guint, w->story_base->len - 1)
					: 0;
	if (w->open->len <= base)
		return NULL;
	struct open_field *f = &g_array_index(w->open, struct open_field, w->open->len - 1);
	return f->in_code ? f : NULL;
}

static enum change
change_of(struct walk *w, gboolean deleted_text)
{
	if (deleted_text || w->deleted)
		return DELETED;
	return w->inserted ? INSERTED : UNCHANGED;
}

/* Text of the code, in each reading that has it. */
static void
code_text(struct walk *w, const char *text, gsize len, enum change ch)
{
	struct open_field *f = reading_code(w);
	if (!f || !len)
		return;
	if (ch != UNCHANGED && !f->tracked) {
		f->tracked = g_new0(struct office_field_code, READINGS - 1);
		office_field_code_copy(&f->tracked[ACCEPTED - 1], &f->code);
		office_field_code_copy(&f->tracked[REJECTED - 1], &f->code);
	}
	office_field_code_append(&f->code, text, len);
	if (f->tracked && ch != DELETED)
		office_field_code_append(&f->tracked[ACCEPTED - 1], text, len);
	if (f->tracked && ch != INSERTED)
		office_field_code_append(&f->tracked[REJECTED - 1], text, len);
}

/* Reading r of the field's code, or NULL when it has no such reading. */
static struct office_field_code *
reading(struct open_field *f, enum reading r)
{
	if (r == AS_WRITTEN)
		return &f->code;
	return f->tracked ? &f->tracked[r - 1] : NULL;
}

static void
code_char(struct walk *w, gunichar c, enum change ch)
{
	char buf[6];
	code_text(w, buf, (gsize)g_unichar_to_utf8(c, buf), ch);
}

static void
code_nested(struct walk *w)
{
	struct open_field *f = reading_code(w);
	if (!f)
		return;
	for (enum reading r = AS_WRITTEN; r < READINGS; r++)
		if (reading(f, r))
			office_field_code_nested(reading(f, r));
}

static void
cut(struct walk *w, guint from, guint to)
{
	g_array_append_val(w->cut_from, from);
	g_array_append_val(w->cut_to, to);
}

/* The innermost field ends: at its end mark `end`, or with its story
 * (end == G_MAXUINT). */
static void
close_field(struct walk *w, guint end)
{
	struct open_field *f = &g_array_index(w->open, struct open_field, w->open->len - 1);
	if (f->in_code)
		f->code_end = end != G_MAXUINT ? end : w->seq->len - 1;
	struct office_field_judgement j = { 0 };
	for (enum reading r = AS_WRITTEN; r < READINGS; r++)
		if (reading(f, r))
			office_field_judge(w->policy, reading(f, r), &j);
	if (j.verdict != OFFICE_FIELD_KEPT) {
		cut(w, f->begin, f->code_end);
		if (end != G_MAXUINT)
			cut(w, end, end);
		w->counts->n[j.verdict]++;
	}
	for (enum reading r = AS_WRITTEN; r < READINGS; r++)
		if (reading(f, r))
			office_field_code_clear(reading(f, r));
	g_free(f->tracked);
	g_array_set_size(w->open, w->open->len - 1);
}

static void
story_begin(struct walk *w)
{
	guint base = w->open->len;
	g_array_append_val(w->story_base, base);
}

static void
story_end(struct walk *w)
{
	guint base = g_array_index(w->story_base, guint, w->story_base->len - 1);
	while (w->open->len > base)
		close_field(w, G_MAXUINT);
	g_array_set_size(w->story_base, w->story_base->len - 1);
}

/* Legacy form fields name macros run when the reader enters or leaves
 * them: the names go. */
static void
drop_form_macros(struct walk *w, xmlNode *fld_char)
{
	for (xmlNode *data = fld_char->children; data; data = data->next) {
		if (!is_w(data, "ffData"))
			continue;
		xmlNode *c = data->children;
		while (c) {
			xmlNode *next = c->next;
			if (is_w(c, "entryMacro") || is_w(c, "exitMacro")) {
				xmlUnlinkNode(c);
				xmlFreeNode(c);
				w->counts->macros++;
			}
			c = next;
		}
	}
}

static void
on_fld_char(struct walk *w, xmlNode *node)
{
	xmlChar *type = w_prop(node, "fldCharType");
	const char *t = type ? (const char *)type : "";
	guint index = w->seq->len;
	g_ptr_array_add(w->seq, node);
	guint base = g_array_index(w->story_base, guint, w->story_base->len - 1);
	struct open_field *top = w->open->len > base
		? &g_array_index(w->open, struct open_field, w->open->len - 1) : NULL;
	if (strcmp(t, "begin") == 0) {
		code_nested(w);
		drop_form_macros(w, node);
		struct open_field f = { .begin = index, .in_code = TRUE };
		g_array_append_val(w->open, f);
	} else if (top && strcmp(t, "separate") == 0) {
		if (top->in_code) {
			top->in_code = FALSE;
			top->code_end = index;
		}
	} else if (top && strcmp(t, "end") == 0) {
		close_field(w, index);
	}
	xmlFree(type);
}

/* Only what lies inside a field can be cut: nodes are numbered while one
 * is open (in any story). */
static void
number(struct walk *w, xmlNode *node)
{
	if (w->open->len)
		g_ptr_array_add(w->seq, node);
}

static void
on_code_text(struct walk *w, xmlNode *node, gboolean deleted)
{
	number(w, node);
	if (!reading_code(w))
		return;
	xmlChar *text = xmlNodeGetContent(node);
	if (text)
		code_text(w, (const char *)text, strlen((const char *)text),
			  change_of(w, deleted));
	xmlFree(text);
}

static void
on_simple(struct walk *w, xmlNode *node)
{
	code_nested(w); /* a simple field inside a complex field's code */
	xmlChar *instr = w_prop(node, "instr");
	struct office_field_code code = { 0 };
	if (instr)
		office_field_code_append(&code, (const char *)instr, strlen((const char *)instr));
	struct office_field_judgement j = { 0 };
	if (office_field_judge(w->policy, &code, &j) != OFFICE_FIELD_KEPT) {
		g_ptr_array_add(w->simple, node);
		w->counts->n[j.verdict]++;
	}
	office_field_code_clear(&code);
	xmlFree(instr);
}

/* w:sym: its character; a symbol font's private-use code stands for the
 * byte after 0xF0. */
static gunichar
sym_char(xmlNode *node)
{
	xmlChar *v = w_prop(node, "char");
	gunichar c = v ? (gunichar)g_ascii_strtoull((const char *)v, NULL, 16) : 0xFFFC;
	xmlFree(v);
	if (c >= 0xF000 && c <= 0xF0FF)
		c -= 0xF000;
	return c && c <= 0x10FFFF ? c : 0xFFFC;
}

/* A child of a run (other than its properties). TRUE to walk into it. */
static gboolean
on_run_content(struct walk *w, xmlNode *n)
{
	if (is_w(n, "t") || is_w(n, "delText")) {
		on_code_text(w, n, is_w(n, "delText"));
		return FALSE;
	}
	number(w, n);
	if (!reading_code(w))
		return TRUE;
	enum change ch = change_of(w, FALSE);
	if (is_w(n, "tab") || is_w(n, "ptab"))
		code_char(w, '\t', ch);
	else if (is_w(n, "br") || is_w(n, "cr"))
		code_char(w, '\n', ch);
	else if (is_w(n, "noBreakHyphen"))
		code_char(w, '-', ch);
	else if (is_w(n, "softHyphen"))
		code_char(w, 0x00AD, ch);
	else if (is_w(n, "sym"))
		code_char(w, sym_char(n), ch);
	else
		code_char(w, 0xFFFC, ch); /* a picture, a note mark, a text box */
	return TRUE;
}

static gboolean
is_tracked(const xmlNode *n, gboolean deletion)
{
	return deletion ? is_w(n, "del") || is_w(n, "moveFrom")
			: is_w(n, "ins") || is_w(n, "moveTo");
}

static gboolean
is_story(const xmlNode *n)
{
	return is_w(n, "txbxContent") || is_w(n, "footnote") ||
	       is_w(n, "endnote") || is_w(n, "comment") ||
	       is_w(n, "docPart");
}

/* Called for an element before its children are walked (TRUE: walk
 * them) ... */
static gboolean
visit(struct walk *w, xmlNode *n)
{
	if (is_w(n, "fldChar")) {
		on_fld_char(w, n);
		return FALSE;
	}
	if (is_w(n, "instrText") || is_w(n, "delInstrText")) {
		on_code_text(w, n, is_w(n, "delInstrText"));
		return FALSE;
	}
	if (is_w(n, "fldSimple")) {
		on_simple(w, n);
		return TRUE;
	}
	if (ooxml_is(n, NS_MC, "AlternateContent")) {
		/* Word reads one branch, we read them all: text that
		 * depends on the reader is computed, as a nested field's */
		code_nested(w);
		return TRUE;
	}
	if (n->parent && is_w(n->parent, "r") && !is_w(n, "rPr"))
		return on_run_content(w, n);
	return TRUE;
}

/* ... and these around its children. */
static void
enter(struct walk *w, xmlNode *n)
{
	w->deleted += is_tracked(n, TRUE);
	w->inserted += is_tracked(n, FALSE);
	if (is_story(n))
		story_begin(w);
}

static void
leave(struct walk *w, xmlNode *n)
{
	w->deleted -= is_tracked(n, TRUE);
	w->inserted -= is_tracked(n, FALSE);
	if (is_story(n))
		story_end(w);
	else if (is_w(n, "p"))
		code_char(w, '\n', change_of(w, FALSE)); /* the paragraph mark */
}

/* Document order, without recursion. */
static void
walk_tree(struct walk *w, xmlNode *root)
{
	xmlNode *n = root;
	while (n) {
		if (n->type == XML_ELEMENT_NODE && visit(w, n) && n->children) {
			enter(w, n);
			n = n->children;
			continue;
		}
		while (n != root && !n->next) {
			n = n->parent;
			if (n != root)
				leave(w, n);
		}
		if (n == root)
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
		if (is_w(child, "fldData")) {
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

/* Remove every node inside a cut range. A removed node may hold another
 * (a drawing in a code holds its text box): all are unlinked before any
 * is freed, so none is freed twice. */
static void
remove_cut(struct walk *w)
{
	guint n = w->seq->len;
	if (!w->cut_from->len)
		return;
	gint *depth = g_new0(gint, (gsize)n + 1);
	for (guint i = 0; i < w->cut_from->len; i++) {
		depth[g_array_index(w->cut_from, guint, i)]++;
		depth[g_array_index(w->cut_to, guint, i) + 1]--;
	}
	GPtrArray *gone = g_ptr_array_new();
	gint inside = 0;
	for (guint i = 0; i < n; i++) {
		inside += depth[i];
		if (inside > 0) {
			xmlUnlinkNode(w->seq->pdata[i]);
			g_ptr_array_add(gone, w->seq->pdata[i]);
		}
	}
	for (guint i = 0; i < gone->len; i++)
		xmlFreeNode(gone->pdata[i]);
	g_ptr_array_free(gone, TRUE);
	g_free(depth);
}

void
ooxml_fields_disarm(const struct cdr_policy *policy, xmlNode *root,
		    struct ooxml_field_counts *counts)
{
	memset(counts, 0, sizeof(*counts));
	struct walk w = {
		.policy = policy,
		.seq = g_ptr_array_new(),
		.open = g_array_new(FALSE, FALSE, sizeof(struct open_field)),
		.story_base = g_array_new(FALSE, FALSE, sizeof(guint)),
		.cut_from = g_array_new(FALSE, FALSE, sizeof(guint)),
		.cut_to = g_array_new(FALSE, FALSE, sizeof(guint)),
		.simple = g_ptr_array_new(),
		.counts = counts,
	};
	story_begin(&w);
	walk_tree(&w, root);
	story_end(&w);
	/* a removed simple field inside a removed code loses its run content
	 * with the code, and its element here */
	for (guint i = 0; i < w.simple->len; i++)
		unwrap_simple(w.simple->pdata[i]);
	remove_cut(&w);
	g_ptr_array_free(w.seq, TRUE);
	g_array_free(w.open, TRUE);
	g_array_free(w.story_base, TRUE);
	g_array_free(w.cut_from, TRUE);
	g_array_free(w.cut_to, TRUE);
	g_ptr_array_free(w.simple, TRUE);
}

void
ooxml_fields_clean(struct cdr_job *job, const char *part, xmlNode *root)
{
	struct ooxml_field_counts counts;
	ooxml_fields_disarm(cdr_job_policy(job), root, &counts);
	for (unsigned v = OFFICE_FIELD_NEUTRALIZED; v <= OFFICE_FIELD_REMOVED; v++)
		if (counts.n[v])
			cdr_job_action(job, office_field_action(v), part, counts.n[v]);
	if (counts.macros)
		cdr_job_action(job, CDR_ACT_MACRO, part, counts.macros);
}
