/*
 * NAME
 *	ole2-records.c - Excel BIFF and PowerPoint records that block a file
 * SUMMARY
 *	Excel 4.0 macro sheets live inside the Workbook stream, not in a
 *	storage of their own, and run through Auto_Open names (the 2020-2022
 *	"XLM" waves: Zloader, Qakbot, very hidden sheets). PowerPoint keeps its
 *	VBA project, ActiveX controls and embedded objects as compressed OLE
 *	storages inside the "PowerPoint Document" stream. None of that can be
 *	cut out by dropping streams, and cutting records means rewriting every
 *	stream offset after them, so such files are blocked here.
 * DESCRIPTION
 *	Excel: the record sequence (type, length, data) of the whole Workbook
 *	stream is walked; it must start with a BIFF5/BIFF8 BOF and every
 *	record must fit (zero padding may follow the last one). Blocked:
 *	FILEPASS (encrypted); BOUNDSHEET of type macro sheet or VBA module,
 *	whatever its visibility (hidden, very hidden); a BOF of a macro sheet;
 *	NAME records that are the built-in Auto_Open, Auto_Close,
 *	Auto_Activate, Auto_Deactivate or a plain name starting with one of
 *	those words in any case; a SUPBOOK of a DDE or OLE link (the
 *	"=cmd|' /c calc'!A0" formulas) or of another workbook; and what
 *	ole2-links.c refuses (add-in and built-in functions of formulas and
 *	names, cell hyperlinks).
 *	PowerPoint: the record tree is walked with every container's length
 *	checked against its parent's; blocked: a VBAInfoAtom with fHasMacros,
 *	ExOleObjStg (the storage of an embedded object, ActiveX control or VBA
 *	project), ExOleLinkContainer (a linked object that refreshes from a
 *	file), CryptSession10Container (encrypted); and what ole2-links.c
 *	refuses (hyperlinks, click actions, linked media).
 */
#include <string.h>

#include "ole2.h"

#define BIFF_BOF 0x0809u
#define BIFF_BOF_V2 0x0009u
#define BIFF_BOF_V3 0x0209u
#define BIFF_BOF_V4 0x0409u
#define BIFF_EOF 0x000Au
#define BIFF_FILEPASS 0x002Fu
#define BIFF_BOUNDSHEET 0x0085u
#define BIFF_NAME 0x0018u
#define BIFF_SUPBOOK 0x01AEu
#define BIFF_EXTERNNAME 0x0023u
#define BIFF_HLINK 0x01B8u
#define BIFF_FORMULA 0x0006u
#define BIFF_SHRFMLA 0x04BCu
#define BIFF_ARRAY 0x0221u
#define BIFF_VERSION_8 0x0600u
#define BIFF_VERSION_5 0x0500u
#define BIFF_BOF_MACRO_SHEET 0x0040u
#define BIFF_SHEET_MACRO 1
#define BIFF_SHEET_VBA_MODULE 6
#define BIFF_NAME_BUILTIN 0x0020u
#define BIFF_SUPBOOK_SELF 0x0401u
#define BIFF_SUPBOOK_ADDIN 0x3A01u

#define PPT_VBA_INFO_ATOM 0x0400u
#define PPT_EX_OLE_LINK 0x0FCEu
#define PPT_EX_OLE_OBJ_STG 0x1011u
#define PPT_CRYPT_SESSION 0x2F14u
#define PPT_MAX_DEPTH 64

static gboolean
problem(struct ole2_problem *p, enum cdr_error code, const char *reason)
{
	cdr_failure_set(&p->failure, code, reason);
	return FALSE;
}

/* Built-in name codes Excel runs macros from (MS-XLS 2.5.114, Lbl). */
static gboolean
is_auto_builtin(guint16 code)
{
	return code == 0x01 || code == 0x02 || code == 0x0A || code == 0x0B;
}

static gboolean
is_auto_name(const guint8 *s, gsize cch, gboolean wide)
{
	static const char *const prefixes[] = {
		"auto_open", "auto_close", "auto_activate", "auto_deactivate", NULL,
	};
	for (const char *const *pre = prefixes; *pre; pre++) {
		gsize n = strlen(*pre), i;
		if (cch < n)
			continue;
		for (i = 0; i < n; i++) {
			guint16 ch = wide ? ole2_u16(s + 2 * i) : s[i];
			if (ch > 0x7f || g_ascii_tolower((gchar)ch) != (*pre)[i])
				break;
		}
		if (i == n)
			return TRUE;
	}
	return FALSE;
}

/* NAME (Lbl): TRUE when it is an Auto_Open-style name. */
static gboolean
name_runs_macro(const guint8 *d, gsize len, gboolean biff8)
{
	if (len < 15)
		return FALSE;
	guint16 grbit = ole2_u16(d);
	gsize cch = d[3];
	const guint8 *s = d + 14;
	gsize room = len - 14;
	gboolean wide = FALSE;
	if (biff8) {
		wide = (d[14] & 0x01) != 0;
		s++;
		room--;
	}
	if (cch == 0 || cch > room / (wide ? 2 : 1))
		cch = room / (wide ? 2 : 1); /* judge what is there */
	if (cch == 0)
		return FALSE;
	if (grbit & BIFF_NAME_BUILTIN)
		return is_auto_builtin(wide ? ole2_u16(s) : s[0]);
	return is_auto_name(s, cch, wide);
}

/* The parsed expression of a cell formula (FORMULA), a shared or array
 * formula (SHRFMLA, ARRAY) or a name (NAME, after its name), judged by
 * ole2-links.c. */
static gboolean
formula_record_check(guint16 type, const guint8 *d, gsize len, const struct cdr_policy *policy,
		     struct ole2_problem *p)
{
	/* where the token count (cce) and the tokens (rgce) are */
	static const struct {
		guint16 type;
		gsize cce, rgce;
	} places[] = {
		{ BIFF_FORMULA, 20, 22 }, /* rw, col, ixfe, num, grbit, chn */
		{ BIFF_SHRFMLA, 8, 10 },  /* RefU, reserved, cUse */
		{ BIFF_ARRAY, 12, 14 },   /* RefU, grbit, chn */
	};
	gsize at = 0;
	guint16 cce = 0;
	for (gsize i = 0; i < G_N_ELEMENTS(places); i++) {
		if (places[i].type != type)
			continue;
		if (len < places[i].rgce)
			return problem(p, CDR_E_PARSE, "Excel formula record too short");
		cce = ole2_u16(d + places[i].cce);
		at = places[i].rgce;
	}
	if (type == BIFF_NAME) { /* grbit, chKey, cch, cce, ..., the name, the formula */
		if (len < 15)
			return TRUE;
		cce = ole2_u16(d + 4);
		at = 15 + (gsize)d[3] * ((d[14] & 0x01) ? 2 : 1);
	}
	if (at > len || cce > len - at)
		return problem(p, CDR_E_PARSE, "Excel formula longer than its record");
	return ole2_excel_formula_check(d + at, cce, policy, p);
}

static gboolean
all_zero(const guint8 *p, gsize n)
{
	for (gsize i = 0; i < n; i++)
		if (p[i])
			return FALSE;
	return TRUE;
}

gboolean
ole2_excel_check(struct ole2_bytes wb, const struct cdr_policy *policy, struct ole2_problem *p)
{
	if (wb.len < 8 || ole2_u16(wb.data) != BIFF_BOF) {
		if (wb.len >= 2 && (ole2_u16(wb.data) == BIFF_BOF_V2 || ole2_u16(wb.data) == BIFF_BOF_V3 ||
				    ole2_u16(wb.data) == BIFF_BOF_V4))
			return problem(p, CDR_E_UNSUPPORTED, "Excel 2-4 workbook (older than Excel 5)");
		return problem(p, CDR_E_PARSE, "Workbook stream does not start with a BIFF BOF record");
	}
	guint16 version = ole2_u16(wb.data + 4);
	if (version != BIFF_VERSION_8 && version != BIFF_VERSION_5)
		return problem(p, CDR_E_UNSUPPORTED, "Excel workbook of an unknown BIFF version");
	gboolean biff8 = version == BIFF_VERSION_8;
	gboolean addin_supbook = FALSE, seen_eof = FALSE;
	gsize pos = 0;
	while (pos < wb.len) {
		if (wb.len - pos < 4 || ole2_u16(wb.data + pos + 2) > wb.len - pos - 4) {
			if (seen_eof && all_zero(wb.data + pos, wb.len - pos))
				break;
			return problem(p, CDR_E_PARSE, "Excel record runs past the end of the Workbook stream");
		}
		guint16 type = ole2_u16(wb.data + pos), len = ole2_u16(wb.data + pos + 2);
		const guint8 *d = wb.data + pos + 4;
		pos += 4 + (gsize)len;
		switch (type) {
		case BIFF_FILEPASS:
			return problem(p, CDR_E_ENCRYPTED,
				       "password-protected document (encrypted Excel workbook)");
		case BIFF_BOF:
			if (len >= 4 && ole2_u16(d + 2) == BIFF_BOF_MACRO_SHEET)
				return problem(p, CDR_E_DANGEROUS, "Excel 4.0 (XLM) macro sheet");
			break;
		case BIFF_EOF:
			seen_eof = TRUE;
			break;
		case BIFF_BOUNDSHEET:
			if (len >= 6 && d[5] == BIFF_SHEET_MACRO)
				return problem(p, CDR_E_DANGEROUS, "Excel 4.0 (XLM) macro sheet");
			if (len >= 6 && d[5] == BIFF_SHEET_VBA_MODULE)
				return problem(p, CDR_E_DANGEROUS, "Excel VBA module sheet");
			break;
		case BIFF_NAME:
			if (name_runs_macro(d, len, biff8))
				return problem(p, CDR_E_DANGEROUS,
					       "Excel Auto_Open/Auto_Close name (starts a macro)");
			if (biff8 && !formula_record_check(type, d, len, policy, p))
				return FALSE;
			break;
		case BIFF_SUPBOOK:
			/* neither this workbook nor the add-in functions: a
			 * DDE or OLE link (its EXTERNNAME is the item), or
			 * another workbook, by path (formulas, names and
			 * charts that read it) */
			addin_supbook = len >= 4 && ole2_u16(d + 2) == BIFF_SUPBOOK_ADDIN;
			if (len < 4 || (!addin_supbook && ole2_u16(d + 2) != BIFF_SUPBOOK_SELF))
				return problem(p, CDR_E_DANGEROUS,
					       "Excel DDE/OLE link or link to another workbook (a "
					       "formula that starts a program or fetches a file)");
			break;
		case BIFF_EXTERNNAME:
			if (addin_supbook && !ole2_excel_addin_function_check(d, len, p))
				return FALSE;
			break;
		case BIFF_HLINK:
			if (!ole2_excel_hlink_check(d, len, policy, p))
				return FALSE;
			break;
		case BIFF_FORMULA:
		case BIFF_SHRFMLA:
		case BIFF_ARRAY:
			if (biff8 && !formula_record_check(type, d, len, policy, p))
				return FALSE;
			break;
		default:
			break;
		}
	}
	return TRUE;
}

gboolean
ole2_ppt_check(struct ole2_bytes doc, const struct cdr_policy *policy, struct ole2_problem *p)
{
	gsize ends[PPT_MAX_DEPTH + 1];
	unsigned depth = 0, hyperlink_depth = 0; /* that of the ExHyperlink around, or 0 */
	gsize pos = 0;
	ends[0] = doc.len;
	while (pos < doc.len) {
		while (depth > 0 && pos == ends[depth]) {
			if (depth == hyperlink_depth)
				hyperlink_depth = 0;
			depth--;
		}
		if (pos == ends[depth])
			continue; /* top level: pos == doc.len ends the loop */
		if (ends[depth] - pos < 8)
			return problem(p, CDR_E_PARSE, "truncated PowerPoint record");
		guint16 ver_inst = ole2_u16(doc.data + pos), type = ole2_u16(doc.data + pos + 2);
		guint32 len = ole2_u32(doc.data + pos + 4);
		if (len > ends[depth] - pos - 8)
			return problem(p, CDR_E_PARSE, "PowerPoint record longer than its container");
		switch (type) {
		case PPT_VBA_INFO_ATOM:
			/* LibreOffice writes one with fHasMacros 0; the project
			 * itself would be an ExOleObjStg, caught below */
			if (len < 8 || ole2_u32(doc.data + pos + 12) != 0)
				return problem(p, CDR_E_DANGEROUS,
					       "VBA macros inside a PowerPoint document");
			break;
		case PPT_EX_OLE_OBJ_STG:
			return problem(p, CDR_E_DANGEROUS,
				       "embedded OLE object, ActiveX control or VBA storage inside "
				       "PowerPoint records");
		case PPT_EX_OLE_LINK:
			return problem(p, CDR_E_DANGEROUS, "linked OLE object in a PowerPoint document");
		case PPT_CRYPT_SESSION:
			return problem(p, CDR_E_ENCRYPTED,
				       "password-protected document (encrypted PowerPoint document)");
		default:
			break;
		}
		if (!ole2_ppt_link_check(ver_inst, type, doc.data + pos + 8, len, hyperlink_depth > 0,
					 policy, p))
			return FALSE;
		if ((ver_inst & 0x000F) == 0x000F) {
			if (depth == PPT_MAX_DEPTH)
				return problem(p, CDR_E_PARSE, "PowerPoint records nested too deep");
			pos += 8;
			ends[++depth] = pos + len;
			if (!hyperlink_depth && ole2_ppt_is_hyperlink(type))
				hyperlink_depth = depth;
		} else {
			pos += 8 + (gsize)len;
		}
	}
	return TRUE;
}
