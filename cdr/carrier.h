/*
 * NAME
 *	carrier.h - Japanese mobile carriers' emoji, as Unicode
 * SUMMARY
 *	docomo, au (KDDI) and SoftBank phones write their emoji as codes of
 *	their own: in the Shift_JIS user-defined rows (which CP932 reads as
 *	private-use characters, and for some SoftBank and au codes as IBM
 *	kanji), in ISO-2022-JP rows 0x75-0x7C (au), and as private-use code
 *	points in UTF-8. The same code means different things from different
 *	carriers, so the sender's carrier (from its mail domain) is known
 *	before a code is read as an emoji. Unicode's EmojiSources.txt gives
 *	the Unicode emoji for each carrier code (carrier-emoji.c, generated).
 */
#pragma once

#include <glib.h>

enum cdr_carrier {
	CDR_CARRIER_NONE,
	CDR_CARRIER_DOCOMO,
	CDR_CARRIER_KDDI, /* au */
	CDR_CARRIER_SOFTBANK,
};

/* The carrier whose mail service `domain` belongs to, or NONE. */
enum cdr_carrier cdr_carrier_of_domain(const char *domain);

const char *cdr_carrier_name(enum cdr_carrier carrier);

/*
 * Is the Shift_JIS pair in the carrier's emoji rows, where CP932 must not
 * read it? *code is then the carrier's Shift_JIS emoji code (au's mail
 * form, rows 0xEB-0xEE that JIS rows 0x75-0x7C give, is turned into its
 * handset code).
 */
gboolean cdr_carrier_sjis_code(enum cdr_carrier carrier, guint8 lead, guint8 trail,
			       guint16 *code);

/* Is the code point one of the carrier's private-use emoji? *code is then
 * its Shift_JIS code. */
gboolean cdr_carrier_pua_code(enum cdr_carrier carrier, gunichar c, guint16 *code);

/* The Unicode emoji (UTF-8) for a carrier's Shift_JIS code, or NULL when
 * Unicode has none. */
const char *cdr_carrier_emoji(enum cdr_carrier carrier, guint16 code);

/* The generated table (carrier-emoji.c): sorted by code. */
struct cdr_carrier_emoji {
	guint16 sjis;
	const char *utf8;
};
extern const struct cdr_carrier_emoji cdr_carrier_emoji_docomo[];
extern const gsize cdr_carrier_emoji_docomo_count;
extern const struct cdr_carrier_emoji cdr_carrier_emoji_kddi[];
extern const gsize cdr_carrier_emoji_kddi_count;
extern const struct cdr_carrier_emoji cdr_carrier_emoji_softbank[];
extern const gsize cdr_carrier_emoji_softbank_count;
