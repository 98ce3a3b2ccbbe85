/*
 * NAME
 *	rtf.c - RTF documents, tokenized and written again
 * SUMMARY
 *	Every group, control word and byte of text is read by rtf-lex.c and
 *	written again by rtf-write.c in one canonical spelling; what can run,
 *	fetch or carry other files is left out on the way.
 * DESCRIPTION
 *	Claimed: content starting with "{\rt" at byte 0 (what Word checks),
 *	also after a UTF-8 byte order mark, which is dropped (leading-data).
 *	The header word becomes \rtf1 (repaired when it was spelled
 *	otherwise). Names: .rtf only; a .doc that is really RTF comes out as
 *	.rtf (renamed), which is what it is.
 *
 *	Removed, wherever they are (also inside \* destinations, fields,
 *	shapes and unknown groups): \object groups (embedded-object, or
 *	external-reference for \objlink/\objautlink; the object's \result,
 *	its last picture, stays in its place); \objdata, \objclass and the
 *	other object destinations, \*\datastore, \*\themedata,
 *	\*\colorschememapping, \*\oleclsid and any other \obj* word outside
 *	an object (embedded-object); \*\template (external-reference);
 *	\*\mailmerge (data-connection); embedded fonts \*\fontemb and
 *	\*\fontfile (font); \binN data outside pictures (embedded-object).
 *	Fields are judged by the shared field rules (office-fields.c) on
 *	their code as Word reads it (rtf-fields.c): one that runs or fetches
 *	something is replaced by its \fldrslt result (field), a hyperlink to
 *	a target the link rule refuses too (external-reference), a web
 *	hyperlink when [office] neutralize_links is set (external-link); so
 *	is a field whose keyword a nested field computes. \*\hl shape links
 *	go by the same link rule. A field is judged as soon as its code is
 *	read and then written straight on, so nesting costs no copying; a
 *	code group larger than RTF_MAX_FIELD_CODE is replaced by its result. Shape properties pibName/fillBlipName (linked
 *	pictures) are dropped (external-reference) with their flags.
 *	A dangerous destination word in the middle of a group (where Word
 *	switches destination) drops the rest of that group; a structural
 *	word there (\field, \pict, \fldinst, ...) does too (repaired).
 *	Control words are case-sensitive for Word; one whose lower-case
 *	spelling is a word these rules know is treated as that word would
 *	be, or dropped (repaired), never passed on.
 *
 *	Pictures: PNG and JPEG (\pngblip, \jpegblip) go through the image
 *	handlers and come back as hex; one they block, or of another type
 *	than it says, is dropped (media-replaced). EMF, WMF, DIB and the
 *	other listed kinds are kept as normalized hex; a picture of no known
 *	kind is dropped (media-replaced); \*\nonshppict duplicates go
 *	silently. \bin picture data becomes hex.
 *
 *	Structure: bytes after the group that closes the document are
 *	dropped (trailing-data, unless only white space or NULs); groups
 *	left open at the end are closed (repaired). Blocked: malformed
 *	tokens (rtf-lex.c), nesting beyond RTF_MAX_DEPTH, more than
 *	RTF_MAX_GROUPS groups, the job's time budget. The rebuild is
 *	deterministic and a rebuilt file rebuilds to the same bytes.
 */
#include <string.h>

#include "actions.h"
#include "excerpt.h"
#include "handlers.h"
#include "rtf.h"

#define RTF_MAX_DEPTH 1000
#define RTF_MAX_GROUPS (1u << 22)
#define RTF_TOKENS_PER_TIME_CHECK 4096

/* What a control word means to the rules. */
enum word_class {
	W_NONE,
	W_OBJECT,
	W_EMBEDDED, /* dropped: embedded-object */
	W_LINKED,   /* dropped: external-reference */
	W_TEMPLATE, /* dropped: external-reference */
	W_MAILMERGE,
	W_FONT,
	W_SILENT, /* dropped without a word: a duplicate */
	W_FIELD,
	W_FLDINST,
	W_FLDRSLT,
	W_PICT,
	W_RESULT,
	W_SP,
	W_SN,
	W_HL,
	W_HLSRC,
};

static const struct {
	const char *name;
	enum word_class cls;
} word_classes[] = {
	{ "object", W_OBJECT },
	{ "objdata", W_EMBEDDED },
	{ "objclass", W_EMBEDDED },
	{ "objname", W_EMBEDDED },
	{ "objalias", W_EMBEDDED },
	{ "objsect", W_EMBEDDED },
	{ "oleclsid", W_EMBEDDED },
	{ "datastore", W_EMBEDDED },
	{ "themedata", W_EMBEDDED },
	{ "colorschememapping", W_EMBEDDED },
	{ "objlink", W_LINKED },
	{ "objautlink", W_LINKED },
	{ "template", W_TEMPLATE },
	{ "mailmerge", W_MAILMERGE },
	{ "fontemb", W_FONT },
	{ "fontfile", W_FONT },
	{ "nonshppict", W_SILENT },
	{ "field", W_FIELD },
	{ "fldinst", W_FLDINST },
	{ "fldrslt", W_FLDRSLT },
	{ "pict", W_PICT },
	{ "result", W_RESULT },
	{ "sp", W_SP },
	{ "sn", W_SN },
	{ "hl", W_HL },
	{ "hlsrc", W_HLSRC },
};

void
rtf_removed(struct rtf *r, const char *what, const char *where)
{
	cdr_job_action(r->job, what, where, 1);
	r->removed = TRUE;
}

static enum word_class
word_class(const char *name, gboolean *exact)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(word_classes); i++) {
		if (g_ascii_strcasecmp(name, word_classes[i].name) == 0) {
			*exact = strcmp(name, word_classes[i].name) == 0;
			return word_classes[i].cls;
		}
	}
	*exact = TRUE;
	/* \objemb, \objupdate, \objocx, ...: object words outside an object */
	if (g_ascii_strncasecmp(name, "obj", 3) == 0)
		return W_EMBEDDED;
	return W_NONE;
}

/* The action for dropping a group or the rest of one because of `name`. */
static void
record_drop(struct rtf *r, enum word_class cls, gboolean exact, const char *name)
{
	switch (cls) {
	case W_OBJECT:
	case W_EMBEDDED:
		rtf_removed(r, CDR_ACT_EMBEDDED_OBJECT, name);
		return;
	case W_LINKED:
	case W_TEMPLATE:
		rtf_removed(r, CDR_ACT_EXTERNAL_REFERENCE, name);
		return;
	case W_MAILMERGE:
		rtf_removed(r, CDR_ACT_DATA_CONNECTION, name);
		return;
	case W_FONT:
		rtf_removed(r, CDR_ACT_FONT, name);
		return;
	case W_SILENT:
		if (exact)
			return;
		break;
	default:
		break;
	}
	rtf_removed(r, CDR_ACT_REPAIRED, name);
}

static gboolean
is_danger(enum word_class cls)
{
	return cls == W_OBJECT || cls == W_EMBEDDED || cls == W_LINKED || cls == W_TEMPLATE ||
	       cls == W_MAILMERGE || cls == W_FONT;
}

static void
sink_byte(struct rtf *r, struct frame *f, guint8 c)
{
	if (r->skip > 0) {
		r->skip--;
		return;
	}
	if (f->sink_field || f->sink_named)
		rtf_sink_byte(r, f, c);
}

void
rtf_emit_open(struct frame *f, const char *word)
{
	rtf_buf_raw(f->wrap, "{");
	if (f->star)
		rtf_buf_raw(f->wrap, "\\*");
	if (word)
		rtf_buf_word(f->wrap, word, FALSE, 0);
}

static void
frame_free(struct frame *f)
{
	if (f->field) {
		if (f->kind == F_FIELD) {
			rtf_buf_clear(&f->field->whole);
			office_field_code_clear(&f->field->code);
			office_field_code_clear(&f->field->code_ud);
			g_free(f->field);
		}
		f->field = NULL;
	}
	if (f->pict) {
		rtf_buf_clear(&f->pict->props);
		g_byte_array_unref(f->pict->data);
		g_clear_pointer(&f->pict, g_free);
	}
	if (f->named) {
		rtf_buf_clear(&f->named->buf);
		g_string_free(f->named->name, TRUE);
		g_clear_pointer(&f->named, g_free);
	}
}

/* A group that is just a group: its braces and content go where the
 * parent's content goes; text gathering carries on unless it is a \*
 * destination. */
static void
resolve_normal(struct frame *f, struct frame *p)
{
	if (!p->out) { /* inside an object: only its \result is kept */
		f->kind = F_DROP;
		return;
	}
	f->kind = F_NORMAL;
	f->wrap = f->out = p->out;
	if (!f->star) {
		f->sink_field = p->sink_field;
		f->sink_named = p->sink_named;
		f->sink_reading = p->sink_reading;
	}
	rtf_emit_open(f, NULL);
}

/* The first control word of group f (parent p) decides what it is.
 * Returns TRUE when the word was consumed. */
static gboolean
resolve(struct rtf *r, struct frame *f, struct frame *p, const struct rtf_token *t)
{
	gboolean exact;
	enum word_class cls = word_class(t->name, &exact);
	f->pending = FALSE;

	if (p->kind == F_OBJECT && !(cls == W_RESULT && exact)) {
		f->kind = F_DROP;
		return TRUE;
	}
	if (p->kind == F_FIELD && !p->out && !(cls == W_FLDRSLT && exact)) {
		f->kind = F_DROP; /* a removed field: only its result goes on */
		return TRUE;
	}
	if (cls != W_NONE && (!exact || (is_danger(cls) && cls != W_OBJECT) || cls == W_SILENT)) {
		record_drop(r, cls, exact, t->name);
		f->kind = F_DROP;
		return TRUE;
	}
	switch (cls) {
	case W_NONE:
		resolve_normal(f, p);
		rtf_sink_alternatives(f, p, t->name);
		return FALSE;
	case W_FIELD:
		if (p->sink_field)
			rtf_field_nested(p->sink_field);
		f->kind = F_FIELD;
		f->field = g_new0(struct field, 1);
		rtf_buf_init(&f->field->whole);
		f->wrap = p->out;
		f->out = &f->field->whole;
		rtf_buf_word(f->out, "field", FALSE, 0);
		return TRUE;
	case W_FLDINST:
		if (p->kind != F_FIELD || p->field->judged) {
			/* out of place, or a second code after the field
			 * was judged on the first */
			rtf_removed(r, CDR_ACT_FIELD, "fldinst");
			f->kind = F_DROP;
			return TRUE;
		}
		f->kind = F_FLDINST;
		f->wrap = f->out = p->out;
		f->sink_field = p->field;
		f->sink_named = NULL;
		f->sink_reading = RTF_READ_BOTH;
		p->field->has_inst = TRUE;
		rtf_emit_open(f, "fldinst");
		return TRUE;
	case W_FLDRSLT:
		if (p->kind != F_FIELD)
			break;
		rtf_judge_field(r, p);
		f->kind = F_FLDRSLT;
		f->star = FALSE;
		if (!p->field->keep) { /* the result alone, as a plain group */
			f->wrap = f->out = p->wrap;
			rtf_emit_open(f, NULL);
		} else if (p->out) {
			f->wrap = f->out = p->out;
			rtf_emit_open(f, "fldrslt");
		} else { /* in the rest of a group a word switched away */
			f->kind = F_DROP;
		}
		return TRUE;
	case W_RESULT:
		if (p->kind != F_OBJECT)
			break;
		f->kind = F_RESULT;
		f->star = FALSE;
		f->wrap = f->out = p->place;
		rtf_emit_open(f, NULL);
		return TRUE;
	case W_PICT:
		f->kind = F_PICT;
		f->pict = g_new0(struct pict, 1);
		rtf_buf_init(&f->pict->props);
		f->pict->data = g_byte_array_new();
		f->pict->nibble = -1;
		f->wrap = p->out;
		f->out = &f->pict->props;
		rtf_buf_word(f->out, "pict", FALSE, 0);
		return TRUE;
	case W_OBJECT:
		f->kind = F_OBJECT;
		f->place = p->out;
		return TRUE;
	case W_SP:
	case W_HL:
		f->kind = cls == W_SP ? F_SP : F_HL;
		f->named = g_new0(struct named, 1);
		rtf_buf_init(&f->named->buf);
		f->named->name = g_string_new(NULL);
		f->wrap = p->out;
		f->out = &f->named->buf;
		rtf_buf_word(f->out, t->name, FALSE, 0);
		return TRUE;
	case W_SN:
	case W_HLSRC:
		if ((cls == W_SN && p->kind != F_SP) || (cls == W_HLSRC && p->kind != F_HL))
			break;
		f->kind = F_NORMAL;
		f->wrap = f->out = p->out;
		f->sink_field = NULL;
		f->sink_named = p->named;
		f->sink_reading = RTF_READ_BOTH;
		rtf_emit_open(f, t->name);
		return TRUE;
	default:
		break;
	}
	/* \fldrslt, \result, \sn, \hlsrc out of place: just a group, or
	 * nothing when it is ignorable anyway */
	if (f->star) {
		f->kind = F_DROP;
		return TRUE;
	}
	resolve_normal(f, p);
	f->sink_field = NULL;
	f->sink_named = NULL;
	return TRUE;
}

static void
push(struct rtf *r)
{
	if (r->depth >= RTF_MAX_DEPTH) {
		cdr_job_error(r->job, CDR_E_LIMIT, "RTF: groups nested deeper than %d",
			      RTF_MAX_DEPTH);
		r->failed = TRUE;
		return;
	}
	if (++r->groups > RTF_MAX_GROUPS) {
		cdr_job_error(r->job, CDR_E_LIMIT, "RTF: more than %u groups", RTF_MAX_GROUPS);
		r->failed = TRUE;
		return;
	}
	struct frame *p = &r->stack[r->depth - 1];
	struct frame *f = &r->stack[r->depth++];
	memset(f, 0, sizeof(*f));
	f->uc = p->uc;
	r->skip = 0;
	f->font = p->font;
	f->fonttbl = p->fonttbl;
	r->lead = 0;
	/* a removed field's groups wait for their word: its result stays */
	if (!p->out && p->kind != F_OBJECT && p->kind != F_FIELD)
		f->kind = F_DROP;
	else
		f->pending = TRUE;
}

static void
pop(struct rtf *r)
{
	struct frame *f = &r->stack[r->depth - 1];
	r->skip = 0;
	r->lead = 0;
	if (f->pending) {
		f->pending = FALSE;
		if (f->star)
			f->kind = F_DROP; /* "{\*}": nothing to keep */
		else
			resolve_normal(f, f - 1);
	}
	switch (f->kind) {
	case F_NORMAL:
	case F_FLDRSLT:
	case F_RESULT:
		if (f->wrap)
			rtf_buf_raw(f->wrap, "}");
		break;
	case F_FLDINST:
		if (f->wrap)
			rtf_buf_raw(f->wrap, "}");
		rtf_judge_field(r, f - 1); /* the code is complete */
		break;
	case F_DROP:
		break;
	case F_OBJECT:
		rtf_removed(r, f->objlink ? CDR_ACT_EXTERNAL_REFERENCE : CDR_ACT_EMBEDDED_OBJECT,
			f->objlink ? "objlink" : "object");
		break;
	case F_FIELD:
		rtf_finish_field(r, f);
		break;
	case F_PICT:
		rtf_finish_pict(r, f);
		break;
	case F_SP:
	case F_HL:
		rtf_finish_named(r, f);
		break;
	}
	frame_free(f);
	r->depth--;
}

static void
on_word(struct rtf *r, struct frame *f, const struct rtf_token *t)
{
	gboolean star = f->star_mid;
	f->star_mid = FALSE;
	if (f->kind == F_OBJECT) {
		if (g_ascii_strcasecmp(t->name, "objlink") == 0 ||
		    g_ascii_strcasecmp(t->name, "objautlink") == 0)
			f->objlink = TRUE;
		return;
	}
	if (!f->out)
		return;
	gboolean exact;
	enum word_class cls = word_class(t->name, &exact);
	if (cls != W_NONE) {
		/* Word switches destination mid-group: the rest of the group
		 * is that destination; leave it out. */
		record_drop(r, cls, exact, t->name);
		f->out = NULL;
		if (f->pict)
			f->pict->kind = P_NONE;
		return;
	}
	if (strcmp(t->name, "uc") == 0 && t->has_param)
		f->uc = CLAMP(t->param, 0, 16);
	if (strcmp(t->name, "u") == 0 && t->has_param) {
		gint32 cp = t->param < 0 ? t->param + 65536 : t->param;
		if (f->sink_field || f->sink_named)
			rtf_sink_char(r, f, (gunichar)cp);
		r->skip = f->uc;
	} else if (f->sink_field || f->sink_named) {
		rtf_sink_word(r, f, t->name);
	}
	rtf_font_word(r, f, t);
	if (f->kind == F_PICT)
		rtf_pict_word(f->pict, t->name);
	if (star)
		rtf_buf_raw(f->out, "\\*");
	rtf_buf_word(f->out, t->name, t->has_param, t->param);
}

static void
on_text(struct rtf *r, struct frame *f, const struct rtf_token *t)
{
	if (f->kind == F_PICT) {
		if (!f->out)
			return;
		struct pict *pc = f->pict;
		for (gsize i = 0; i < t->len; i++) {
			int v = rtf_hex_value(t->data[i]);
			if (v < 0)
				continue;
			if (pc->nibble < 0) {
				pc->nibble = v;
			} else {
				guint8 b = (guint8)(pc->nibble << 4 | v);
				g_byte_array_append(pc->data, &b, 1);
				pc->nibble = -1;
			}
		}
		return;
	}
	if (!f->out)
		return;
	for (gsize i = 0; i < t->len; i++) {
		rtf_buf_text_byte(f->out, t->data[i]);
		sink_byte(r, f, t->data[i]);
	}
}

static void
on_symbol(struct rtf *r, struct frame *f, const struct rtf_token *t)
{
	if (!f->out || f->kind == F_PICT)
		return;
	switch (t->byte) {
	case '*':
		f->star_mid = TRUE;
		return;
	case '\n':
		rtf_buf_word(f->out, "par", FALSE, 0);
		rtf_sink_word(r, f, "par");
		return;
	default:
		break;
	}
	char sym[3] = { '\\', (char)t->byte, '\0' };
	rtf_buf_raw(f->out, sym);
	if (t->byte == '\\' || t->byte == '{' || t->byte == '}')
		sink_byte(r, f, t->byte);
	else if (t->byte == '~')
		rtf_sink_char(r, f, 0x00A0); /* no-break space */
	else if (t->byte == '-')
		rtf_sink_char(r, f, 0x00AD); /* optional hyphen */
	else if (t->byte == '_')
		rtf_sink_char(r, f, 0x2011); /* no-break hyphen */
}

static void
on_bin(struct rtf *r, struct frame *f, const struct rtf_token *t)
{
	if (f->kind == F_PICT) {
		if (f->out) {
			f->pict->nibble = -1;
			g_byte_array_append(f->pict->data, t->data, (guint)t->len);
		}
		return;
	}
	if (f->out)
		rtf_removed(r, CDR_ACT_EMBEDDED_OBJECT, "bin");
}

static void
on_token(struct rtf *r, const struct rtf_token *t)
{
	struct frame *f = &r->stack[r->depth - 1];
	if (f->pending) {
		if (t->type == RTF_T_SYMBOL && t->byte == '*' && !f->star) {
			f->star = TRUE;
			return;
		}
		if (t->type == RTF_T_WORD) {
			if (resolve(r, f, f - 1, t))
				return;
		} else if (t->type != RTF_T_CLOSE) {
			f->pending = FALSE;
			if (f->star)
				f->kind = F_DROP; /* \* not followed by a word */
			else
				resolve_normal(f, f - 1);
		}
	}
	if (t->type != RTF_T_WORD)
		f->star_mid = FALSE;
	switch (t->type) {
	case RTF_T_OPEN:
		push(r);
		break;
	case RTF_T_CLOSE:
		pop(r);
		break;
	case RTF_T_WORD:
		on_word(r, f, t);
		break;
	case RTF_T_SYMBOL:
		on_symbol(r, f, t);
		break;
	case RTF_T_HEX:
		if (f->out && f->kind != F_PICT) {
			rtf_buf_hex_escape(f->out, t->byte);
			sink_byte(r, f, t->byte);
		}
		break;
	case RTF_T_TEXT:
		on_text(r, f, t);
		break;
	case RTF_T_BIN:
		on_bin(r, f, t);
		break;
	case RTF_T_EOF:
		break;
	}
}

static gboolean
is_rtf_at(const guint8 *d, gsize len)
{
	return len >= 4 && memcmp(d, "{\\rt", 4) == 0;
}

static int
rtf_bid(const struct cdr_input *in)
{
	if (is_rtf_at(in->data, in->len))
		return 60;
	if (in->len >= 3 && memcmp(in->data, "\xef\xbb\xbf", 3) == 0 &&
	    is_rtf_at(in->data + 3, in->len - 3))
		return 60;
	return 0;
}

/* Reads the document into r->main. FALSE when blocked (error on the job). */
static gboolean
rtf_rebuild(struct rtf *r, const guint8 *data, gsize len)
{
	struct rtf_token t;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		rtf_removed(r, CDR_ACT_LEADING_DATA, "byte order mark");
		data += 3;
		len -= 3;
	}
	rtf_lex_init(&r->lx, data, len);
	if (!rtf_lex_next(&r->lx, &t) || t.type != RTF_T_OPEN || !rtf_lex_next(&r->lx, &t) ||
	    t.type != RTF_T_WORD || strncmp(t.name, "rt", 2) != 0) {
		cdr_job_error(r->job, CDR_E_PARSE, "RTF: %s",
			      r->lx.error ? r->lx.error : "no {\\rt header");
		return FALSE;
	}
	if (strcmp(t.name, "rtf") != 0 || !t.has_param || t.param != 1)
		rtf_removed(r, CDR_ACT_REPAIRED, "rtf header");

	struct frame *root = &r->stack[0];
	memset(root, 0, sizeof(*root));
	root->kind = F_NORMAL;
	root->wrap = root->out = &r->main;
	root->uc = 1;
	r->depth = 1;
	r->groups = 1;
	rtf_buf_raw(&r->main, "{");
	rtf_buf_word(&r->main, "rtf", TRUE, 1);

	guint64 n = 0;
	while (r->depth > 0) {
		if (++n % RTF_TOKENS_PER_TIME_CHECK == 0 && !cdr_job_check_time(r->job))
			return FALSE;
		if (!rtf_lex_next(&r->lx, &t)) {
			cdr_job_error(r->job, CDR_E_PARSE, "RTF: %s at byte %" G_GSIZE_FORMAT,
				      r->lx.error, (gsize)(r->lx.p - data));
			return FALSE;
		}
		if (t.type == RTF_T_EOF) {
			rtf_removed(r, CDR_ACT_REPAIRED, "missing closing brace");
			while (r->depth > 0 && !r->failed)
				pop(r);
			break;
		}
		on_token(r, &t);
		if (r->failed)
			return FALSE;
	}
	if (r->failed)
		return FALSE;
	for (const guint8 *p = r->lx.p; p < r->lx.end; p++) {
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && *p != '\0') {
			rtf_removed(r, CDR_ACT_TRAILING_DATA, "after the document");
			break;
		}
	}
	return TRUE;
}

static enum cdr_verdict
rtf_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	struct rtf *r = g_new0(struct rtf, 1);
	r->job = job;
	r->policy = cdr_job_policy(job);
	r->neutralize_links = r->policy->office_neutralize_links;
	r->ansicpg = 1252;
	r->stack = g_new0(struct frame, RTF_MAX_DEPTH);
	rtf_buf_init(&r->main);

	gboolean ok = rtf_rebuild(r, in->data, in->len);
	while (r->depth > 0)
		frame_free(&r->stack[--r->depth]);

	enum cdr_verdict v = CDR_BLOCKED;
	if (ok) {
		rtf_wrap_lines(r->main.s, out->data);
		out->type = "application/rtf";
		out->ext = "rtf";
		v = r->removed ? CDR_SANITIZED : CDR_CLEAN;
	}
	rtf_buf_clear(&r->main);
	if (r->font_cp)
		g_hash_table_destroy(r->font_cp);
	g_free(r->stack);
	g_free(r);
	return v;
}

static const char *const rtf_extensions[] = { "rtf", NULL };

const struct cdr_handler cdr_handler_rtf = {
	.name = "rtf",
	.flags = CDR_CONTAINER | CDR_SELF_TYPED,
	.extensions = rtf_extensions,
	.mime_type = "application/rtf",
	.bid = rtf_bid,
	.sanitize = rtf_sanitize,
	.excerpt = rtf_excerpt,
};
