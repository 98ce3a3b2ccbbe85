/*
 * NAME
 *	excerpt-rtf.c - the text of an RTF document
 * SUMMARY
 *	The RTF handler's tokenizer (rtf-lex.c) reads the document; the text
 *	of the body is kept: plain text and \'hh bytes in the code page of
 *	the current font (\fcharset128 Shift_JIS, ...) or of \ansicpg, \uN
 *	characters (skipping their \ucN fallback), \par \line \row as line
 *	ends, \tab \cell as tabs, field results. Destinations that are not
 *	text (\* groups, font and colour tables, style sheets, document info,
 *	pictures, objects, field instructions, binary data) are skipped.
 *	Groups nested deeper than RTF_EXCERPT_MAX_DEPTH end the excerpt.
 */
#include "excerpt.h"

#include <string.h>

#include "charset.h"
#include "rtf.h"

#define RTF_EXCERPT_MAX_DEPTH 1000
#define RTF_EXCERPT_FONTS 512

struct group {
	gboolean skip;
	gboolean font_table;
	int font;    /* \fN in effect, -1: none */
	int uc;      /* fallback characters after \uN */
};

struct reader {
	struct cdr_excerpt *x;
	struct cdr_charsets *cs;
	GArray *groups;      /* struct group */
	GByteArray *pending; /* bytes in the current code page */
	int codepage;        /* \ansicpg */
	int font_charset[RTF_EXCERPT_FONTS]; /* \fcharset of each \fN, 0: none */
	int table_font;      /* the \fN being described in the font table */
	int skip_fallback;   /* fallback characters still to skip after \uN */
	gboolean more;
};

static const char *const skipped_destinations[] = {
	"fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "objdata", "fldinst",
	"datastore", "themedata", "colorschememapping", "latentstyles", "listtable",
	"listoverridetable", "rsidtbl", "generator", "xmlnstbl", "mmathPr", "filetbl", "revtbl",
	"userprops", "template", "header", "headerl", "headerr", "headerf", "footer", "footerl",
	"footerr", "footerf", "footnote", "annotation", "bkmkstart", "bkmkend", "pgdsctbl",
	"nonshppict", "shppict", "sp", "sn", "sv",
};

static struct group *
top(struct reader *r)
{
	return &g_array_index(r->groups, struct group, r->groups->len - 1);
}

/* The charset label of the bytes written now. */
static const char *
current_label(struct reader *r)
{
	int f = top(r)->font;
	int charset = f >= 0 && f < RTF_EXCERPT_FONTS ? r->font_charset[f] : 0;
	switch (charset) {
	case 128: return "shift_jis";
	case 134: return "gbk";
	case 136: return "big5";
	case 129: return "euc-kr";
	default: break;
	}
	switch (r->codepage) {
	case 932: return "shift_jis";
	case 936: return "gbk";
	case 950: return "big5";
	case 949: return "euc-kr";
	case 0: return "windows-1252";
	default: break;
	}
	static char label[24];
	g_snprintf(label, sizeof(label), "windows-%d", r->codepage);
	return label;
}

static void
flush(struct reader *r)
{
	if (!r->pending->len)
		return;
	enum cdr_decode_quality q;
	g_autofree char *text = cdr_charset_decode(r->cs, current_label(r), r->pending->data,
						   r->pending->len, &q);
	g_byte_array_set_size(r->pending, 0);
	r->more = r->more && cdr_excerpt_add(r->x, text, -1);
}

static void
add_text(struct reader *r, const char *utf8)
{
	flush(r);
	r->more = r->more && cdr_excerpt_add(r->x, utf8, -1);
}

static void
add_byte(struct reader *r, guint8 b)
{
	if (r->skip_fallback > 0) {
		r->skip_fallback--;
		return;
	}
	g_byte_array_append(r->pending, &b, 1);
}

static gboolean
is_skipped_destination(const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS(skipped_destinations); i++)
		if (strcmp(name, skipped_destinations[i]) == 0)
			return TRUE;
	return FALSE;
}

static void
font_word(struct reader *r, const struct rtf_token *t)
{
	if (strcmp(t->name, "f") == 0 && t->has_param)
		r->table_font = t->param;
	else if (strcmp(t->name, "fcharset") == 0 && t->has_param && r->table_font >= 0 &&
		 r->table_font < RTF_EXCERPT_FONTS)
		r->font_charset[r->table_font] = t->param;
}

static void
word(struct reader *r, const struct rtf_token *t)
{
	struct group *g = top(r);
	if (g->font_table) {
		font_word(r, t);
		return;
	}
	if (is_skipped_destination(t->name)) {
		flush(r);
		g->skip = TRUE;
		g->font_table = strcmp(t->name, "fonttbl") == 0;
		if (g->font_table)
			g->skip = FALSE; /* read for the charsets, its text not shown */
		return;
	}
	if (g->skip)
		return;
	const char *name = t->name;
	if (strcmp(name, "ansicpg") == 0 && t->has_param)
		r->codepage = t->param;
	else if (strcmp(name, "f") == 0 && t->has_param) {
		flush(r);
		g->font = t->param;
	} else if (strcmp(name, "uc") == 0 && t->has_param)
		g->uc = CLAMP(t->param, 0, 16);
	else if (strcmp(name, "u") == 0 && t->has_param) {
		gunichar c = (gunichar)(t->param < 0 ? t->param + 65536 : t->param);
		char utf8[8] = "";
		if (g_unichar_validate(c))
			utf8[g_unichar_to_utf8(c, utf8)] = '\0';
		add_text(r, utf8);
		r->skip_fallback = g->uc;
		return;
	} else if (strcmp(name, "par") == 0 || strcmp(name, "line") == 0 ||
		   strcmp(name, "row") == 0 || strcmp(name, "sect") == 0 ||
		   strcmp(name, "page") == 0)
		add_text(r, "\n");
	else if (strcmp(name, "tab") == 0 || strcmp(name, "cell") == 0)
		add_text(r, "\t");
	r->skip_fallback = 0;
}

static void
token(struct reader *r, const struct rtf_token *t)
{
	struct group *g = top(r);
	switch (t->type) {
	case RTF_T_WORD:
		word(r, t);
		break;
	case RTF_T_SYMBOL:
		if (t->byte == '*') {
			flush(r);
			g->skip = TRUE;
		} else if (!g->skip && !g->font_table &&
			   (t->byte == '\\' || t->byte == '{' || t->byte == '}')) {
			add_byte(r, t->byte);
		} else if (!g->skip && !g->font_table && t->byte == '~') {
			add_text(r, " ");
		}
		break;
	case RTF_T_HEX:
		if (!g->skip && !g->font_table)
			add_byte(r, t->byte);
		break;
	case RTF_T_TEXT:
		for (gsize i = 0; i < t->len && !g->skip && !g->font_table; i++)
			add_byte(r, t->data[i]);
		break;
	default:
		break;
	}
}

gboolean
rtf_excerpt(struct cdr_excerpt *x, const struct cdr_input *in, char **reason)
{
	struct reader r = {
		.x = x,
		.cs = cdr_engine_charsets(cdr_job_engine(cdr_excerpt_job(x))),
		.groups = g_array_new(FALSE, TRUE, sizeof(struct group)),
		.pending = g_byte_array_new(),
		.table_font = -1,
		.more = TRUE,
	};
	struct group root = { .font = -1, .uc = 1 };
	g_array_append_val(r.groups, root);
	struct rtf_lexer lx;
	struct rtf_token t;
	gboolean ok = TRUE;
	rtf_lex_init(&lx, in->data, in->len);
	while (r.more && ok && rtf_lex_next(&lx, &t) && t.type != RTF_T_EOF) {
		if (t.type == RTF_T_OPEN) {
			struct group g = *top(&r); /* inside the font table: still it */
			g_array_append_val(r.groups, g);
			ok = r.groups->len <= RTF_EXCERPT_MAX_DEPTH;
		} else if (t.type == RTF_T_CLOSE) {
			flush(&r);
			if (r.groups->len > 1)
				g_array_set_size(r.groups, r.groups->len - 1);
		} else {
			token(&r, &t);
		}
		if (!cdr_excerpt_in_time(x))
			break;
	}
	flush(&r);
	if (!ok || lx.error)
		*reason = g_strdup("（RTF を読み取れませんでした / unreadable RTF）");
	g_array_free(r.groups, TRUE);
	g_byte_array_free(r.pending, TRUE);
	return ok && !lx.error;
}
