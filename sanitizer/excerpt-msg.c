/*
 * NAME
 *	excerpt-msg.c - the text of an Outlook item (.msg) attached to a mail
 * SUMMARY
 *	A .msg is an OLE2 compound file: the message's properties are kept
 *	in __substg1.0_TTTTPPPP streams (strings, binaries) and in the
 *	fixed-size entries of __properties_version1.0 (times, integers).
 *	The excerpt shows it as a forwarded message: From (PR_SENDER_NAME
 *	and PR_SENDER_EMAIL_ADDRESS, else the SENT_REPRESENTING ones), Date
 *	(PR_CLIENT_SUBMIT_TIME, else PR_MESSAGE_DELIVERY_TIME), Subject,
 *	the plain body (PR_BODY), then each attachment
 *	(__attach_version1.0_#XXXXXXXX) as "添付 / Attachment: name" and
 *	its own excerpt through cdr_job_excerpt(); an attached Outlook item
 *	(PR_ATTACH_DATA_OBJ, a storage) is read the same way, nested.
 * DESCRIPTION
 *	Strings are UTF-16LE (type 001F) or 8-bit (001E) in the code page
 *	of PR_MESSAGE_CODEPAGE (for the body PR_INTERNET_CPID first),
 *	decoded by cdr_charset_decode(). The HTML and RTF bodies are never
 *	read: a message without PR_BODY says so in one line.
 *	The structure is checked by ole2-cfb.c before libgsf reads it; a
 *	file that does not read is refused with a reason by the caller.
 *	Limits: the first MSG_MAX_STRING bytes of a string, MSG_MAX_ATTACHMENTS
 *	attachments per message, MSG_MAX_DEPTH nested items (embedded
 *	storages and items attached as files alike), the excerpt's time
 *	share (checked per attachment).
 */
#include "excerpt.h"

#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input-memory.h>
#include <string.h>

#include "charset.h"
#include "ole2.h"

#define MSG_MAX_STRING (256u << 10)
#define MSG_MAX_ATTACHMENTS 64
#define MSG_MAX_DEPTH 4
#define MSG_ATTACHMENT_CHARS 1000

#define PROP_SUBJECT 0x0037
#define PROP_SENT_REPRESENTING_NAME 0x0042
#define PROP_SENT_REPRESENTING_EMAIL 0x0065
#define PROP_SENDER_NAME 0x0C1A
#define PROP_SENDER_EMAIL 0x0C1F
#define PROP_BODY 0x1000
#define PROP_DISPLAY_NAME 0x3001
#define PROP_ATTACH_DATA 0x3701
#define PROP_ATTACH_FILENAME 0x3704
#define PROP_ATTACH_LONG_FILENAME 0x3707
#define TAG_CLIENT_SUBMIT_TIME 0x00390040u
#define TAG_DELIVERY_TIME 0x0E060040u
#define TAG_INTERNET_CPID 0x3FDE0003u
#define TAG_MESSAGE_CODEPAGE 0x3FFD0003u

/* what cdr_job_excerpt() says of a kind without an excerpt */
#define MSG_NO_EXCERPT                                                                             \
	"（この種類のファイルからは本文を抜粋しません / no text excerpt for this kind of file）"
#define FORWARDED_HEADING "──── 転送されたメール / Forwarded message ────"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GsfInput, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GsfInfile, g_object_unref)

/* Items being read, one inside the other: embedded storages and items
 * attached as files (those come back through cdr_job_excerpt()). */
static _Thread_local unsigned nesting;

struct item {
	GsfInfile *dir;
	GBytes *props;      /* __properties_version1.0, NULL when absent */
	gsize props_header; /* 32 for a message, 24 nested, 8 for an attachment */
};

/* A child stream read whole, at most `max` bytes (NULL when absent, a
 * storage, or larger unless `head`: then its first `max` bytes). */
static GBytes *
read_stream(GsfInfile *dir, const char *name, gsize max, gboolean head)
{
	g_autoptr(GsfInput) in = gsf_infile_child_by_name(dir, name);
	if (!in || (GSF_IS_INFILE(in) && gsf_infile_num_children(GSF_INFILE(in)) >= 0))
		return NULL;
	gsf_off_t size = gsf_input_size(in);
	if (size < 0 || (!head && (guint64)size > max))
		return NULL;
	size = MIN(size, (gsf_off_t)max);
	guint8 *buf = g_malloc((gsize)size + 1);
	if (size > 0 && !gsf_input_read(in, (gsize)size, buf)) {
		g_free(buf);
		return NULL;
	}
	return g_bytes_new_take(buf, (gsize)size);
}

/* A fixed-size property's 8 value bytes, or NULL. */
static const guint8 *
fixed_value(const struct item *it, guint32 tag)
{
	if (!it->props)
		return NULL;
	gsize len;
	const guint8 *d = g_bytes_get_data(it->props, &len);
	for (gsize o = it->props_header; o + 16 <= len; o += 16)
		if (ole2_u32(d + o) == tag)
			return d + o + 8;
	return NULL;
}

static guint32
fixed_u32(const struct item *it, guint32 tag)
{
	const guint8 *v = fixed_value(it, tag);
	return v ? ole2_u32(v) : 0;
}

static const char *
codepage_label(guint32 cp, char *buf, gsize size)
{
	switch (cp) {
	case 0:
		return NULL;
	case 932:
		return "shift_jis";
	case 20932:
	case 51932:
		return "euc-jp";
	case 50220:
	case 50221:
	case 50222:
		return "iso-2022-jp";
	case 65001:
		return "utf-8";
	default:
		break;
	}
	g_snprintf(buf, size, "windows-%u", cp);
	return buf;
}

/* A string property as UTF-8 (NULL when absent or unreadable). */
static char *
string_prop(struct cdr_charsets *cs, const struct item *it, guint16 id, guint32 codepage)
{
	char name[32];
	g_snprintf(name, sizeof name, "__substg1.0_%04X001F", id);
	g_autoptr(GBytes) b = read_stream(it->dir, name, MSG_MAX_STRING, TRUE);
	gsize len;
	if (b) {
		const guint8 *d = g_bytes_get_data(b, &len);
		len &= ~(gsize)1;
		/* a surrogate pair cut by MSG_MAX_STRING */
		if (len >= 2 && (d[len - 1] & 0xfc) == 0xd8)
			len -= 2;
		char *s =
		    g_convert((const char *)d, (gssize)len, "UTF-8", "UTF-16LE", NULL, NULL, NULL);
		if (s)
			return s;
		return g_strdup("（文字を読み取れませんでした / unreadable characters）");
	}
	g_snprintf(name, sizeof name, "__substg1.0_%04X001E", id);
	b = read_stream(it->dir, name, MSG_MAX_STRING, TRUE);
	if (!b)
		return NULL;
	char label[24];
	const guint8 *d = g_bytes_get_data(b, &len);
	while (len && d[len - 1] == 0)
		len--;
	enum cdr_decode_quality quality;
	return cdr_charset_decode(cs, codepage_label(codepage, label, sizeof label), d, len,
	                          &quality);
}

/* One visible line: each run of line ends and tabs becomes one blank. */
static void
add_line(struct cdr_excerpt *x, const char *field, const char *value)
{
	GString *flat = g_string_new(NULL);
	for (const char *p = value ? value : ""; *p; p++) {
		gboolean blank = *p == '\r' || *p == '\n' || *p == '\t';
		if (!blank)
			g_string_append_c(flat, *p);
		else if (flat->len && flat->str[flat->len - 1] != ' ')
			g_string_append_c(flat, ' ');
	}
	g_autofree char *text = g_string_free(flat, FALSE);
	g_autofree char *line = g_strdup_printf("%s: %s\n", field, g_strstrip(text));
	cdr_excerpt_add(x, line, -1);
}

static char *
sender(struct cdr_charsets *cs, const struct item *it, guint32 cp)
{
	g_autofree char *name = string_prop(cs, it, PROP_SENDER_NAME, cp);
	g_autofree char *addr = string_prop(cs, it, PROP_SENDER_EMAIL, cp);
	if (!name && !addr) {
		name = string_prop(cs, it, PROP_SENT_REPRESENTING_NAME, cp);
		addr = string_prop(cs, it, PROP_SENT_REPRESENTING_EMAIL, cp);
	}
	if (name && addr && *addr && strcmp(name, addr) != 0)
		return g_strdup_printf("%s <%s>", name, addr);
	return g_strdup(name && *name ? name : addr ? addr : "");
}

static char *
date(const struct item *it)
{
	const guint8 *v = fixed_value(it, TAG_CLIENT_SUBMIT_TIME);
	if (!v)
		v = fixed_value(it, TAG_DELIVERY_TIME);
	if (!v)
		return g_strdup("");
	guint64 ft = (guint64)ole2_u32(v) | (guint64)ole2_u32(v + 4) << 32;
	/* 100 ns ticks since 1601 */
	g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc((gint64)(ft / 10000000u) -
	                                                       G_GINT64_CONSTANT(11644473600));
	static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	if (!t)
		return g_strdup("");
	/* RFC 5322 names whatever the locale */
	return g_strdup_printf(
	    "%s, %02d %s %04d %02d:%02d:%02d +0000", days[g_date_time_get_day_of_week(t) - 1],
	    g_date_time_get_day_of_month(t), months[g_date_time_get_month(t) - 1],
	    g_date_time_get_year(t), g_date_time_get_hour(t), g_date_time_get_minute(t),
	    g_date_time_get_second(t));
}

static gboolean add_message(struct cdr_excerpt *x, struct cdr_charsets *cs, GsfInfile *dir,
                            gsize props_header);

static gboolean
add_attachment(struct cdr_excerpt *x, struct cdr_charsets *cs, GsfInfile *dir, guint32 cp)
{
	struct item it = {.dir = dir, .props_header = 8};
	it.props = read_stream(dir, "__properties_version1.0", 1u << 16, FALSE);
	g_autofree char *name = string_prop(cs, &it, PROP_ATTACH_LONG_FILENAME, cp);
	if (!name)
		name = string_prop(cs, &it, PROP_ATTACH_FILENAME, cp);
	if (!name)
		name = string_prop(cs, &it, PROP_DISPLAY_NAME, cp);
	g_clear_pointer(&it.props, g_bytes_unref);
	if (!name)
		name = g_strdup("");
	g_strdelimit(name, "\r\n\t", ' ');
	g_autofree char *line = g_strdup_printf("\n添付 / Attachment: %s\n", name);
	if (!cdr_excerpt_add(x, line, -1))
		return FALSE;
	g_autoptr(GsfInput) obj = gsf_infile_child_by_name(dir, "__substg1.0_3701000D");
	if (obj && GSF_IS_INFILE(obj) && gsf_infile_num_children(GSF_INFILE(obj)) >= 0) {
		if (nesting >= MSG_MAX_DEPTH)
			return cdr_excerpt_add(x, "（入れ子が深すぎます / nested too deep）\n", -1);
		nesting++;
		gboolean more = add_message(x, cs, GSF_INFILE(obj), 24);
		nesting--;
		return more;
	}
	struct cdr_job *job = cdr_excerpt_job(x);
	g_autoptr(GBytes) data =
	    read_stream(dir, "__substg1.0_37010102", cdr_job_policy(job)->max_input_bytes, FALSE);
	if (!data)
		return cdr_excerpt_add(
		    x, "（添付の中身を読み取れませんでした / no attachment data）\n", -1);
	gsize len;
	const guint8 *d = g_bytes_get_data(data, &len);
	g_autofree char *reason = NULL;
	g_autofree char *text = cdr_job_excerpt(job, d, len, name, MSG_ATTACHMENT_CHARS, &reason);
	if (!cdr_excerpt_add(x, text ? text : reason, -1))
		return FALSE;
	return cdr_excerpt_add(x, "\n", 1);
}

static gboolean
add_message(struct cdr_excerpt *x, struct cdr_charsets *cs, GsfInfile *dir, gsize props_header)
{
	struct item it = {.dir = dir, .props_header = props_header};
	it.props = read_stream(dir, "__properties_version1.0", 1u << 20, FALSE);
	guint32 cp = fixed_u32(&it, TAG_MESSAGE_CODEPAGE);
	guint32 body_cp = fixed_u32(&it, TAG_INTERNET_CPID);
	if (!cp)
		cp = body_cp;
	if (!body_cp)
		body_cp = cp;
	g_autofree char *from = sender(cs, &it, cp);
	g_autofree char *when = date(&it);
	g_autofree char *subject = string_prop(cs, &it, PROP_SUBJECT, cp);
	g_autofree char *body = string_prop(cs, &it, PROP_BODY, body_cp);
	g_clear_pointer(&it.props, g_bytes_unref);

	cdr_excerpt_add(x, FORWARDED_HEADING "\n", -1);
	add_line(x, "From", from);
	add_line(x, "Date", when);
	add_line(x, "Subject", subject);
	cdr_excerpt_add(x, "\n", 1);
	if (!cdr_excerpt_add(x, body ? body : "（テキストの本文がありません / no plain-text body）",
	                     -1))
		return FALSE;
	if (!cdr_excerpt_add(x, "\n", 1))
		return FALSE;

	int n = gsf_infile_num_children(dir);
	unsigned count = 0;
	for (int i = 0; i < n; i++) {
		const char *child = gsf_infile_name_by_index(dir, i);
		if (!child || !g_str_has_prefix(child, "__attach_version1.0_#"))
			continue;
		if (++count > MSG_MAX_ATTACHMENTS || !cdr_excerpt_in_time(x)) {
			cdr_excerpt_add(
			    x, "\n（以降の添付は省略 / further attachments left out）\n", -1);
			return FALSE;
		}
		g_autoptr(GsfInput) a = gsf_infile_child_by_index(dir, i);
		if (!a || !GSF_IS_INFILE(a) || gsf_infile_num_children(GSF_INFILE(a)) < 0)
			continue;
		if (!add_attachment(x, cs, GSF_INFILE(a), cp))
			return FALSE;
	}
	return TRUE;
}

gboolean
msg_excerpt(struct cdr_excerpt *x, const struct cdr_input *in, char **reason)
{
	/* a legacy Office document (no excerpt yet) or another compound
	 * file: as before, unless it is named as an Outlook item */
	const char *dot = in->name ? strrchr(in->name, '.') : NULL;
	gboolean named_msg = dot && g_ascii_strcasecmp(dot, ".msg") == 0;
	const char *unreadable =
	    named_msg ? "（Outlook アイテムを読み取れませんでした / unreadable Outlook item）"
	              : MSG_NO_EXCERPT;
	g_autoptr(GsfInput) input = NULL;
	g_autoptr(GsfInfile) root = NULL;
	g_autoptr(GsfInput) props = NULL;
	if (!ole2_cfb_check(in->data, in->len))
		input = gsf_input_memory_new(in->data, (gsf_off_t)in->len, FALSE);
	if (input)
		root = gsf_infile_msole_new(input, NULL);
	if (root)
		props = gsf_infile_child_by_name(root, "__properties_version1.0");
	if (!props) {
		*reason = g_strdup(root ? MSG_NO_EXCERPT : unreadable);
		return FALSE;
	}
	if (nesting >= MSG_MAX_DEPTH) {
		*reason = g_strdup("（入れ子が深すぎます / nested too deep）");
		return FALSE;
	}
	struct cdr_charsets *cs = cdr_engine_charsets(cdr_job_engine(cdr_excerpt_job(x)));
	nesting++;
	add_message(x, cs, root, 32);
	nesting--;
	return TRUE;
}
