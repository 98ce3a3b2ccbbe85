/*
 * NAME
 *	ole2-links.c - hyperlinks and outside references in Excel and
 *	PowerPoint records
 * SUMMARY
 *	The shared link rule (links.h, [links] schemes) decides which
 *	hyperlink targets a document may keep; a legacy file cannot lose one
 *	without rewriting its streams, so a target the rule refuses (a
 *	share, a file, a program's scheme, a relative path), or any web
 *	link when [office] neutralize_links is set, blocks the file, as a
 *	.doc's HYPERLINK field does. Excel: the hyperlink of a cell (HLINK,
 *	its moniker: a URL is judged, a file or any other moniker is not a
 *	web link); the add-in functions a
 *	formula calls (EXTERNNAME under the add-in SUPBOOK: _xlfn.WEBSERVICE
 *	and the others the ooxml formula judge refuses); the built-in
 *	functions a cell, shared or array formula or a name calls: RTD,
 *	CALL, REGISTER, EXEC, and HYPERLINK unless its target is a string
 *	the link rule allows. PowerPoint: the
 *	target of every ExHyperlink; click and mouse-over actions that run a
 *	macro, a program or an OLE verb (InteractiveInfoAtom); media linked
 *	from another file (AVI/MCI movies, WAV and MIDI links).
 * DESCRIPTION
 *	Anything that cannot be read whole counts as refused (fail closed).
 */
#include <string.h>

#include "links.h"
#include "ole2.h"
#include "ooxml.h"
#include "policy.h"

#define HLINK_HAS_MONIKER 0x0001u
#define HLINK_HAS_LOCATION 0x0008u
#define HLINK_HAS_DISPLAY_NAME 0x0010u
#define HLINK_HAS_FRAME_NAME 0x0080u
#define HLINK_MONIKER_AS_STRING 0x0100u
#define HLINK_HEADER 32 /* ref8, hlinkClsid, streamVersion, flags */

#define PPT_EX_HYPERLINK 0x0FD7u
#define PPT_CSTRING 0x0FBAu
#define PPT_CSTRING_TARGET 1
#define PPT_INTERACTIVE_INFO_ATOM 0x0FF3u
#define PPT_ACTION_MACRO 1
#define PPT_ACTION_RUN_PROGRAM 2
#define PPT_ACTION_OLE 5

/* {79EAC9E0-BAF9-11CE-8C82-00AA004BA90B}, as stored */
static const guint8 url_moniker[16] = { 0xe0, 0xc9, 0xea, 0x79, 0xf9, 0xba, 0xce, 0x11,
					0x8c, 0x82, 0x00, 0xaa, 0x00, 0x4b, 0xa9, 0x0b };

static gboolean
refuse(struct ole2_problem *p, const char *reason)
{
	cdr_failure_set(&p->failure, CDR_E_DANGEROUS, reason);
	return FALSE;
}

/* `n` UTF-16LE code units at `s` (up to a NUL): may a document keep this
 * hyperlink target? */
static gboolean
target_allowed(const struct cdr_policy *policy, const guint8 *s, gsize n)
{
	g_autofree gunichar2 *units = g_new(gunichar2, n + 1);
	gsize k = 0;
	for (; k < n && ole2_u16(s + 2 * k); k++)
		units[k] = ole2_u16(s + 2 * k);
	glong len = 0;
	g_autofree char *utf8 = g_utf16_to_utf8(units, (glong)k, NULL, &len, NULL);
	return utf8 && cdr_link_allowed(policy, utf8, (gsize)len) &&
	       !policy->office_neutralize_links;
}

/* A HyperlinkString (MS-OSHARED 2.3.7.9: a count of UTF-16 units, the
 * NUL included, then the units) at *pos; its units in *s, *n. */
static gboolean
hyperlink_string(const guint8 *d, gsize len, gsize *pos, const guint8 **s, gsize *n)
{
	if (len - *pos < 4)
		return FALSE;
	guint32 count = ole2_u32(d + *pos);
	*pos += 4;
	if (count > (len - *pos) / 2)
		return FALSE;
	*s = d + *pos;
	*n = count;
	*pos += (gsize)count * 2;
	return TRUE;
}

gboolean
ole2_excel_hlink_check(const guint8 *d, gsize len, const struct cdr_policy *policy,
		       struct ole2_problem *p)
{
	static const char unreadable[] = "Excel cell hyperlink that cannot be read";
	static const char refused[] =
		"Excel cell hyperlink to a target the link rule refuses (a file, a share, a "
		"program, a relative path) or to any web page when links are neutralized";
	if (len < HLINK_HEADER)
		return refuse(p, unreadable);
	guint32 flags = ole2_u32(d + 28);
	gsize pos = HLINK_HEADER;
	const guint8 *s;
	gsize n;
	if ((flags & HLINK_HAS_DISPLAY_NAME) && !hyperlink_string(d, len, &pos, &s, &n))
		return refuse(p, unreadable);
	if ((flags & HLINK_HAS_FRAME_NAME) && !hyperlink_string(d, len, &pos, &s, &n))
		return refuse(p, unreadable);
	if (!(flags & HLINK_HAS_MONIKER)) {
		/* a place in the workbook only: one that names another
		 * workbook or a path is read as an outside reference */
		if (!(flags & HLINK_HAS_LOCATION))
			return TRUE;
		if (!hyperlink_string(d, len, &pos, &s, &n))
			return refuse(p, unreadable);
		for (gsize i = 0; i < n; i++) {
			guint16 c = ole2_u16(s + 2 * i);
			if (c == '[' || c == ']' || c == '\\' || c == '/' || c == ':')
				return refuse(p, refused);
		}
		return TRUE;
	}
	if (flags & HLINK_MONIKER_AS_STRING) {
		if (!hyperlink_string(d, len, &pos, &s, &n))
			return refuse(p, unreadable);
		return target_allowed(policy, s, n) || refuse(p, refused);
	}
	/* a URL moniker: its CLSID, a byte count, the URL; a file moniker or
	 * any other kind names something that is not a web link */
	if (len - pos < 20 || memcmp(d + pos, url_moniker, sizeof url_moniker) != 0)
		return refuse(p, refused);
	guint32 bytes = ole2_u32(d + pos + 16);
	pos += 20;
	if (bytes > len - pos)
		return refuse(p, unreadable);
	return target_allowed(policy, d + pos, bytes / 2) || refuse(p, refused);
}

gboolean
ole2_excel_addin_function_check(const guint8 *d, gsize len, struct ole2_problem *p)
{
	/* AddinUdf: options, reserved, then a ShortXLUnicodeString */
	if (len < 8)
		return TRUE;
	gsize cch = d[6];
	gboolean wide = d[7] & 0x01;
	if (cch > (len - 8) / (wide ? 2 : 1))
		return refuse(p, "Excel add-in function name that cannot be read");
	char name[256];
	for (gsize i = 0; i < cch; i++) {
		guint16 c = wide ? ole2_u16(d + 8 + 2 * i) : d[8 + i];
		name[i] = c < 0x80 ? (char)c : '?';
	}
	if (ooxml_formula_function(name, cch) == FORMULA_SAFE)
		return TRUE;
	g_snprintf(p->detail, sizeof p->detail,
		   "Excel formula calling %.*s (fetches from the network or runs code)", (int)cch,
		   name);
	cdr_failure_set(&p->failure, CDR_E_DANGEROUS, p->detail);
	return FALSE;
}

/* ---- formulas (BIFF8 parsed expressions, MS-XLS 2.5.198) ---------------- */

#define PTG_STR 0x17
#define PTG_EXTENDED 0x18
#define PTG_ATTR 0x19
#define PTG_ATTR_CHOOSE 0x04
#define PTG_ATTR_SPACE 0x40
#define PTG_FUNC 0x21
#define PTG_FUNC_VAR 0x22
#define FTAB_EXEC 110
#define FTAB_REGISTER 149
#define FTAB_CALL 150
#define FTAB_REGISTER_ID 267
#define FTAB_HYPERLINK 359
#define FTAB_RTD 379
#define FORMULA_TOKENS_MAX 4096

/* The size of a token's data after its first byte, or -1 for a token this
 * reader does not know (the formula is then refused). */
static gssize
ptg_size(const guint8 *r, gsize left)
{
	guint8 ptg = r[0];
	if (ptg >= 0x03 && ptg <= 0x16)
		return 0; /* operators, parentheses, a missing argument */
	switch (ptg) {
	case 0x01: case 0x02: return 4; /* ptgExp, ptgTbl */
	case PTG_STR:
		if (left < 3)
			return -1;
		return 2 + (gssize)r[1] * ((r[2] & 0x01) ? 2 : 1);
	case PTG_ATTR:
		if (left < 4)
			return -1;
		return (r[1] & PTG_ATTR_CHOOSE) ? 3 + ((gssize)ole2_u16(r + 2) + 1) * 2 : 3;
	case 0x1C: case 0x1D: return 1; /* ptgErr, ptgBool */
	case 0x1E: return 2;             /* ptgInt */
	case 0x1F: return 8;             /* ptgNum */
	default: break;
	}
	if (ptg < 0x20)
		return -1; /* ptgExtended and unused codes */
	switch ((ptg & 0x1F) | 0x20) {
	case 0x20: return 7;             /* ptgArray (its data follows the formula) */
	case PTG_FUNC: return 2;
	case PTG_FUNC_VAR: return 3;
	case 0x23: case 0x24: case 0x2A: case 0x2C: return 4; /* Name, Ref, RefErr, RefN */
	case 0x25: case 0x2B: case 0x2D: return 8;             /* Area, AreaErr, AreaN */
	case 0x26: case 0x27: case 0x28: return 6;             /* Mem* */
	case 0x29: return 2;                                   /* MemFunc */
	case 0x39: case 0x3A: case 0x3C: return 6;             /* NameX, Ref3d, RefErr3d */
	case 0x3B: case 0x3D: return 10;                       /* Area3d, AreaErr3d */
	default: return -1;
	}
}

/* HYPERLINK's target: the first of its `argc` arguments, each a single
 * token; only a string literal the link rule allows passes. `starts`
 * holds the start of each token before the call. */
static gboolean
hyperlink_literal_allowed(const guint8 *rgce, const gsize *starts, gsize count, guint argc,
			  const struct cdr_policy *policy)
{
	if (argc < 1 || argc > 2 || count < argc)
		return FALSE;
	const guint8 *t = rgce + starts[count - argc];
	if (t[0] != PTG_STR)
		return FALSE;
	gsize cch = t[1];
	g_autofree char *target = g_malloc(cch + 1);
	for (gsize i = 0; i < cch; i++) {
		guint16 c = (t[2] & 0x01) ? ole2_u16(t + 3 + 2 * i) : t[3 + i];
		target[i] = c < 0x80 ? (char)c : '?';
	}
	target[cch] = '\0';
	if (target[0] == '#')
		return !strpbrk(target, "[]\\/:");
	return cdr_link_allowed(policy, target, cch) && !policy->office_neutralize_links;
}

gboolean
ole2_excel_formula_check(const guint8 *rgce, gsize cce, const struct cdr_policy *policy,
			 struct ole2_problem *p)
{
	gsize starts[FORMULA_TOKENS_MAX];
	gsize count = 0;
	for (gsize i = 0; i < cce;) {
		gssize size = ptg_size(rgce + i, cce - i);
		if (size < 0 || (gsize)size > cce - i - 1 || count == FORMULA_TOKENS_MAX)
			return refuse(p, "Excel formula that cannot be read");
		guint8 base = rgce[i] < 0x20 ? rgce[i] : (rgce[i] & 0x1F) | 0x20;
		if (base == PTG_FUNC || base == PTG_FUNC_VAR) {
			guint16 tab = ole2_u16(rgce + i + (base == PTG_FUNC ? 1 : 2)) & 0x7FFF;
			if (tab == FTAB_RTD)
				return refuse(p, "Excel formula calling RTD (a real-time data server)");
			if (tab == FTAB_CALL || tab == FTAB_REGISTER || tab == FTAB_REGISTER_ID ||
			    tab == FTAB_EXEC)
				return refuse(p, "Excel formula calling CALL, REGISTER or EXEC (runs "
						 "code from a DLL or a program)");
			if (tab == FTAB_HYPERLINK &&
			    !hyperlink_literal_allowed(rgce, starts, count,
						       base == PTG_FUNC_VAR ? rgce[i + 1] : 2, policy))
				return refuse(p, "Excel HYPERLINK formula to a target the link rule "
						 "refuses or that is computed");
		}
		if (!(rgce[i] == PTG_ATTR && (rgce[i + 1] & PTG_ATTR_SPACE)))
			starts[count++] = i;
		i += 1 + (gsize)size;
	}
	return TRUE;
}

gboolean
ole2_ppt_link_check(guint16 ver_inst, guint16 type, const guint8 *d, gsize len,
		    gboolean in_hyperlink, const struct cdr_policy *policy, struct ole2_problem *p)
{
	switch (type) {
	case PPT_CSTRING:
		if (!in_hyperlink || (ver_inst >> 4) != PPT_CSTRING_TARGET || len == 0)
			return TRUE;
		return target_allowed(policy, d, len / 2) ||
		       refuse(p, "PowerPoint hyperlink to a target the link rule refuses (a file, "
				 "a share, a program, a relative path) or to any web page when "
				 "links are neutralized");
	case PPT_INTERACTIVE_INFO_ATOM:
		if (len < 9)
			return refuse(p, "PowerPoint click action that cannot be read");
		if (d[8] == PPT_ACTION_MACRO || d[8] == PPT_ACTION_RUN_PROGRAM ||
		    d[8] == PPT_ACTION_OLE)
			return refuse(p, "PowerPoint click action that runs a macro, a program or "
					 "an OLE verb");
		return TRUE;
	case 0x1006u: /* ExAviMovieContainer */
	case 0x1007u: /* ExMCIMovieContainer */
	case 0x100Du: /* ExMIDIAudioContainer */
	case 0x100Fu: /* ExWAVAudioLinkContainer */
		return refuse(p, "PowerPoint media linked from another file (played from its path)");
	default:
		return TRUE;
	}
}

gboolean
ole2_ppt_is_hyperlink(guint16 type)
{
	return type == PPT_EX_HYPERLINK;
}
