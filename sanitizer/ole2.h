/*
 * NAME
 *	ole2.h - record-level checks of the ole2 handler's main streams
 * SUMMARY
 *	What cannot be cut out of a legacy Office file by dropping whole
 *	streams (XLM macro sheets, Auto_Open names, DDE fields, VBA inside
 *	PowerPoint records, encryption) is found here, so that the file is
 *	blocked instead of delivered.
 */
#pragma once

#include "cdr.h"

/* A stream read whole into memory (data NULL when it is absent). */
struct ole2_bytes {
	const guint8 *data;
	gsize len;
};

/* Why a file is blocked, decided where it is found: a kind and a reason
 * (a fixed string, or `detail` where the reason names what was found),
 * recorded unchanged by the handler (cdr_job_fail). */
struct ole2_problem {
	struct cdr_failure failure;
	char detail[256];
};

/* The compound file's own structure (header, FAT, DIFAT, directory
 * tree, every sector chain): NULL when sound, else why not. */
const char *ole2_cfb_check(const guint8 *data, gsize len);

/*
 * Each check returns TRUE when the stream holds nothing that blocks the
 * file, FALSE with *p filled otherwise (a structure it cannot read
 * counts as a parse error: fail closed).
 */

/* Word 97+: the FIB (version, encryption, which table stream) and the
 * text reached through the piece table, its fields judged by the shared
 * field rules (office-fields.h: what the ooxml and rtf handlers would
 * remove blocks here); also a raw scan of the stream in 8-bit and
 * UTF-16LE. */
gboolean ole2_word_check(struct ole2_bytes word, struct ole2_bytes table0,
			 struct ole2_bytes table1, const struct cdr_policy *policy,
			 struct ole2_problem *p);

/* ole2-word.c: the FIB read and checked (Word 97+, not encrypted, its
 * table stream present) and the CLX's piece table found; the text
 * readers (the check above, excerpt-doc.c) walk the pieces. */
struct ole2_word_pieces {
	struct ole2_bytes word, table;
	const guint8 *plc; /* PlcPcd: count + 1 CPs, then count 8-byte PCDs */
	gsize count;
};
struct ole2_word_piece {
	guint32 cp;     /* first character position */
	gsize count;    /* characters */
	gsize offset;   /* of the first in the WordDocument stream */
	unsigned width; /* 1 (Windows-1252) or 2 (UTF-16LE) */
};
#define OLE2_FIB_CLX 33           /* fcClx/lcbClx in FibRgFcLcb97 */
#define OLE2_FIB_PLCF_BTE_CHPX 12 /* fcPlcfBteChpx/lcbPlcfBteChpx */
#define OLE2_FIB_PLCF_BTE_PAPX 13 /* fcPlcfBtePapx/lcbPlcfBtePapx */
#define OLE2_FIB_CCP_TEXT 3       /* ccpText in FibRgLw97: the body's characters */
gboolean ole2_word_open(struct ole2_bytes word, struct ole2_bytes table0,
			struct ole2_bytes table1, struct ole2_word_pieces *t,
			struct ole2_problem *p);
/* Piece i; NULL, or why it is broken. *total adds up the bytes of the
 * pieces so far (no more than the stream holds). */
const char *ole2_word_piece(const struct ole2_word_pieces *t, gsize i, guint64 *total,
			    struct ole2_word_piece *out);
gboolean ole2_word_fib_pair(struct ole2_bytes word, unsigned index, guint32 *fc, guint32 *lcb);
gboolean ole2_word_fib_long(struct ole2_bytes word, unsigned index, guint32 *value);

/* Excel BIFF5/BIFF8: FILEPASS, macro and VBA-module sheets, Auto_Open
 * style names, DDE/OLE links through EXTERNNAME, links to other
 * workbooks (SUPBOOK), add-in functions that fetch or run code, cell
 * hyperlinks the link rule refuses (ole2-links.c). */
gboolean ole2_excel_check(struct ole2_bytes workbook, const struct cdr_policy *policy,
			  struct ole2_problem *p);

/* PowerPoint: the record tree of the "PowerPoint Document" stream:
 * VBA, embedded or linked OLE storages, encryption, and (ole2-links.c)
 * hyperlinks the link rule refuses, click actions that run something,
 * media linked from a path. */
gboolean ole2_ppt_check(struct ole2_bytes doc, const struct cdr_policy *policy,
			struct ole2_problem *p);

/* ole2-links.c: one HLINK record's data (a cell's hyperlink). */
gboolean ole2_excel_hlink_check(const guint8 *d, gsize len, const struct cdr_policy *policy,
				struct ole2_problem *p);
/* ole2-links.c: an EXTERNNAME under the add-in SUPBOOK: the name of a
 * function formulas call (_xlfn.WEBSERVICE). */
gboolean ole2_excel_addin_function_check(const guint8 *d, gsize len, struct ole2_problem *p);
/* ole2-links.c: a BIFF8 parsed expression (a formula's tokens): RTD,
 * CALL, REGISTER, EXEC, a HYPERLINK to a refused or computed target, a
 * token it cannot read. */
gboolean ole2_excel_formula_check(const guint8 *rgce, gsize cce, const struct cdr_policy *policy,
				  struct ole2_problem *p);
/* ole2-links.c: one PowerPoint record (header fields and data);
 * `in_hyperlink`: it lies inside an ExHyperlinkContainer. */
gboolean ole2_ppt_link_check(guint16 ver_inst, guint16 type, const guint8 *d, gsize len,
			     gboolean in_hyperlink, const struct cdr_policy *policy,
			     struct ole2_problem *p);
gboolean ole2_ppt_is_hyperlink(guint16 type);

static inline guint16
ole2_u16(const guint8 *p)
{
	return (guint16)(p[0] | p[1] << 8);
}

static inline guint32
ole2_u32(const guint8 *p)
{
	return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}
