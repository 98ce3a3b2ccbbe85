/*
 * NAME
 *	rtf-groups.c - what becomes of a field, a picture, a shape property
 * SUMMARY
 *	Called by rtf.c when such a group closes: a field is kept whole or
 *	replaced by its result, a picture goes through the image handlers, a
 *	shape property or hyperlink is kept or dropped by its name/target.
 * DESCRIPTION
 *	See rtf.c for the rules; these functions write the group, or what is
 *	left of it, into the buffer that was to receive its braces.
 */
#include <string.h>

#include "actions.h"
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
rtf_finish_field(struct rtf *r, struct frame *f)
{
	struct field *fl = f->field;
	char keyword[32] = "";
	enum rtf_field_verdict v = RTF_FIELD_KEEP;
	if (fl->nested || fl->overflow) {
		v = RTF_FIELD_RUNS;
		g_strlcpy(keyword, fl->nested ? "nested field" : "long instruction",
			  sizeof(keyword));
	} else if (fl->has_inst) {
		v = rtf_field_judge(fl->instr, keyword);
	}

	gboolean keep = TRUE;
	switch (v) {
	case RTF_FIELD_KEEP:
		break;
	case RTF_FIELD_WEB_LINK:
		if (r->neutralize_links) {
			rtf_removed(r, CDR_ACT_EXTERNAL_LINK, "HYPERLINK");
			keep = FALSE;
		}
		break;
	case RTF_FIELD_RUNS:
		rtf_removed(r, CDR_ACT_FIELD, keyword);
		keep = FALSE;
		break;
	case RTF_FIELD_FETCHES:
		rtf_removed(r, CDR_ACT_EXTERNAL_REFERENCE, keyword);
		keep = FALSE;
		break;
	}
	if (!f->wrap)
		return;
	if (keep) {
		rtf_emit_open(f, NULL);
		rtf_buf_append(f->wrap, &fl->whole);
		rtf_buf_raw(f->wrap, "}");
	} else if (fl->rslt.s->len) {
		rtf_buf_raw(f->wrap, "{");
		rtf_buf_append(f->wrap, &fl->rslt);
		rtf_buf_raw(f->wrap, "}");
	}
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
			cdr_job_error(r->job, CDR_E_LIMIT, "RTF: budget spent on pictures");
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
		const char *s = n->name->str;
		if (g_ascii_strcasecmp(s, "pibName") == 0 ||
		    g_ascii_strcasecmp(s, "fillBlipName") == 0) {
			rtf_removed(r, CDR_ACT_EXTERNAL_REFERENCE, s);
			return;
		}
		if (g_ascii_strcasecmp(s, "pibFlags") == 0 ||
		    g_ascii_strcasecmp(s, "fillBlipFlags") == 0)
			return; /* the link flags of the names above */
	} else if (n->name->len) {
		if (!rtf_target_is_web(n->name->str, n->name->len)) {
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
