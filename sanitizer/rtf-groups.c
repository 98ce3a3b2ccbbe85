/*
 * NAME
 *	rtf-groups.c - what becomes of a field, a picture, a shape property
 * SUMMARY
 *	Called by rtf.c: a field is judged by the shared rules
 *	(office-fields.c) once its code is read and then written on whole or
 *	replaced by its result; when a group closes, a picture goes through
 *	the image handlers, a shape property or hyperlink is kept or dropped
 *	by its name/target (the link rule of links.h).
 * DESCRIPTION
 *	See rtf.c for the rules; these functions write the group, or what is
 *	left of it, into the buffer that was to receive its braces.
 */
#include <string.h>

#include "actions.h"
#include "links.h"
#include "rtf.h"

static const struct {
	const char *name;
	enum pict_kind kind;
} pict_kinds[] = {
	{ "pngblip", P_PNG },      { "jpegblip", P_JPEG },    { "emfblip", P_KEEP },
	{ "wmetafile", P_KEEP },   { "dibitmap", P_KEEP },    { "wbitmap", P_KEEP },
	{ "macpict", P_KEEP },     { "pmmetafile", P_KEEP },
};

void
rtf_judge_field(struct rtf *r, struct frame *f)
{
	struct field *fl = f->field;
	if (fl->judged)
		return;
	fl->judged = TRUE;
	struct office_field_judgement j = { 0 };
	if (fl->whole.s->len > RTF_MAX_FIELD_CODE) {
		j.verdict = OFFICE_FIELD_REMOVED;
		g_strlcpy(j.keyword, "long field code", sizeof(j.keyword));
	} else if (fl->has_inst) {
		office_field_judge(r->policy, &fl->code, &j);
		if (fl->has_ud)
			office_field_judge(r->policy, &fl->code_ud, &j);
	}
	fl->keep = j.verdict == OFFICE_FIELD_KEPT;
	if (!fl->keep)
		rtf_removed(r, office_field_action(j.verdict),
			    j.keyword[0] ? j.keyword : "nested field");
	if (fl->keep && f->wrap) {
		rtf_emit_open(f, NULL);
		rtf_buf_append(f->wrap, &fl->whole);
		if (f->out) /* else a word switched the rest of the group away */
			f->out = f->wrap;
	} else {
		f->out = NULL;
	}
	g_string_truncate(fl->whole.s, 0);
	office_field_code_clear(&fl->code);
	office_field_code_clear(&fl->code_ud);
}

void
rtf_finish_field(struct rtf *r, struct frame *f)
{
	rtf_judge_field(r, f);
	if (f->field->keep && f->wrap)
		rtf_buf_raw(f->wrap, "}");
}

void
rtf_finish_pict(struct rtf *r, struct frame *f)
{
	struct pict *pc = f->pict;
	const guint8 *data = pc->data->data;
	gsize len = pc->data->len;
	GByteArray *clean = NULL;

	if (pc->kind == P_NONE && len) {
		rtf_removed(r, CDR_ACT_MEDIA_REPLACED, "pict");
		return;
	}
	if ((pc->kind == P_PNG || pc->kind == P_JPEG) && len) {
		gboolean png = pc->kind == P_PNG;
		enum cdr_verdict v = cdr_job_sanitize_child(
			r->job, data, len, png ? "picture.png" : "picture.jpg", &clean);
		if (cdr_job_budget_spent(r->job)) {
			if (clean)
				g_byte_array_unref(clean);
			cdr_job_fail_as_child(r->job, cdr_job_last_child(r->job), "RTF picture: ");
			r->failed = TRUE;
			return;
		}
		const struct cdr_report *child = cdr_job_last_child(r->job);
		const char *want = png ? "image/png" : "image/jpeg";
		if (v == CDR_BLOCKED || !clean || !child || g_strcmp0(child->out_type, want) != 0) {
			if (clean)
				g_byte_array_unref(clean);
			rtf_removed(r, CDR_ACT_MEDIA_REPLACED, png ? "pngblip" : "jpegblip");
			return;
		}
		data = clean->data;
		len = clean->len;
	}
	if (f->wrap) {
		rtf_emit_open(f, NULL);
		rtf_buf_append(f->wrap, &pc->props);
		rtf_buf_hex_data(f->wrap, data, len);
		rtf_buf_raw(f->wrap, "}");
	}
	if (clean)
		g_byte_array_unref(clean);
}

static gboolean
has_suffix_ci(const char *s, const char *suffix)
{
	gsize n = strlen(s), k = strlen(suffix);
	return n >= k && g_ascii_strcasecmp(s + n - k, suffix) == 0;
}

void
rtf_finish_named(struct rtf *r, struct frame *f)
{
	struct named *n = f->named;
	if (n->overflow) {
		rtf_removed(r, f->kind == F_SP ? CDR_ACT_REPAIRED : CDR_ACT_EXTERNAL_REFERENCE,
			f->kind == F_SP ? "sp" : "hl");
		return;
	}
	g_strstrip(n->name->str);
	n->name->len = strlen(n->name->str);
	if (f->kind == F_SP) {
		/* the file a shape's picture, fill, line fill or back fill
		 * is linked from (pibName, fillBlipName, lineFillBlipName,
		 * fillBackBlipName, ...), and their link flags */
		const char *s = n->name->str;
		if (g_ascii_strcasecmp(s, "pibName") == 0 || has_suffix_ci(s, "BlipName")) {
			rtf_removed(r, CDR_ACT_EXTERNAL_REFERENCE, "BlipName");
			return;
		}
		if (g_ascii_strcasecmp(s, "pibFlags") == 0 || has_suffix_ci(s, "BlipFlags"))
			return;
	} else if (n->name->len) {
		if (!cdr_link_allowed(r->policy, n->name->str, n->name->len)) {
			rtf_removed(r, CDR_ACT_EXTERNAL_REFERENCE, "hl");
			return;
		}
		if (r->neutralize_links) {
			rtf_removed(r, CDR_ACT_EXTERNAL_LINK, "hl");
			return;
		}
	}
	if (!f->wrap)
		return;
	rtf_emit_open(f, NULL);
	rtf_buf_append(f->wrap, &n->buf);
	rtf_buf_raw(f->wrap, "}");
}

void
rtf_pict_word(struct pict *pc, const char *name)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(pict_kinds); i++)
		if (strcmp(name, pict_kinds[i].name) == 0)
			pc->kind = pict_kinds[i].kind;
}
