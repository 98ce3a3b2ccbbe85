/*
 * NAME
 *	carrier.c - Japanese mobile carriers' emoji, as Unicode
 * SUMMARY
 *	See carrier.h. The mail domains are the carriers' own (documented in
 *	mugaika(7)); the code ranges below are the carriers' published
 *	Shift_JIS emoji rows and the private-use code points their phones
 *	write in UTF-8.
 * DESCRIPTION
 *	A range maps Shift_JIS codes onto private-use code points one to one,
 *	in code order: 188 codes a row (trail bytes 0x40-0x7E, 0x80-0xFC).
 *	docomo's private-use form is CP932's own user-defined mapping
 *	(F89F = U+E63E); SoftBank's six pages (G, E, F, O, P, Q) start at
 *	U+E001, U+E101 ... U+E501; au's runs are not in code order, so they
 *	take seven ranges.
 */
#include "carrier.h"

#include <stdlib.h>
#include <string.h>

struct code_range {
	guint16 first, last; /* Shift_JIS codes, inclusive */
	gunichar pua;        /* the private-use code point of `first` */
};

static const struct code_range docomo_ranges[] = {
	{ 0xF89F, 0xF9FC, 0xE63E },
};

static const struct code_range kddi_ranges[] = {
	{ 0xF640, 0xF7D1, 0xE468 }, { 0xF7E5, 0xF7FC, 0xE5B5 }, { 0xF340, 0xF352, 0xE5CD },
	{ 0xF353, 0xF3CE, 0xEA80 }, { 0xF7D2, 0xF7E4, 0xEAFB }, { 0xF3CF, 0xF3FC, 0xEB0E },
	{ 0xF440, 0xF48D, 0xEB3C },
};

static const struct code_range softbank_ranges[] = {
	{ 0xF941, 0xF99B, 0xE001 }, { 0xF741, 0xF79B, 0xE101 }, { 0xF7A1, 0xF7F3, 0xE201 },
	{ 0xF9A1, 0xF9ED, 0xE301 }, { 0xFB41, 0xFB8D, 0xE401 }, { 0xFBA1, 0xFBDE, 0xE501 },
};

static const struct {
	const char *domain; /* the domain itself or any subdomain of it */
	enum cdr_carrier carrier;
} domains[] = {
	{ "docomo.ne.jp", CDR_CARRIER_DOCOMO },
	{ "ezweb.ne.jp", CDR_CARRIER_KDDI },      /* incl. biz.ezweb.ne.jp */
	{ "au.com", CDR_CARRIER_KDDI },           /* au's mail domain since 2021 */
	{ "ido.ne.jp", CDR_CARRIER_KDDI },        /* IDO, before au */
	{ "softbank.ne.jp", CDR_CARRIER_SOFTBANK },
	{ "i.softbank.jp", CDR_CARRIER_SOFTBANK },
	{ "vodafone.ne.jp", CDR_CARRIER_SOFTBANK }, /* d. h. t. c. k. r. n. s. q. */
	{ "disney.ne.jp", CDR_CARRIER_SOFTBANK },   /* Disney Mobile on SoftBank */
	{ "ymobile.ne.jp", CDR_CARRIER_SOFTBANK },  /* Y!mobile (SoftBank) */
};

enum cdr_carrier
cdr_carrier_of_domain(const char *domain)
{
	if (!domain)
		return CDR_CARRIER_NONE;
	gsize len = strlen(domain);
	while (len && domain[len - 1] == '.') /* a rooted name */
		len--;
	for (unsigned i = 0; i < G_N_ELEMENTS(domains); i++) {
		gsize n = strlen(domains[i].domain);
		if (len < n || g_ascii_strncasecmp(domain + len - n, domains[i].domain, n) != 0)
			continue;
		if (len == n || domain[len - n - 1] == '.')
			return domains[i].carrier;
	}
	return CDR_CARRIER_NONE;
}

const char *
cdr_carrier_name(enum cdr_carrier carrier)
{
	switch (carrier) {
	case CDR_CARRIER_DOCOMO: return "docomo";
	case CDR_CARRIER_KDDI: return "au";
	case CDR_CARRIER_SOFTBANK: return "softbank";
	case CDR_CARRIER_NONE: break;
	}
	return "none";
}

static const struct code_range *
ranges_of(enum cdr_carrier carrier, gsize *n)
{
	switch (carrier) {
	case CDR_CARRIER_DOCOMO: *n = G_N_ELEMENTS(docomo_ranges); return docomo_ranges;
	case CDR_CARRIER_KDDI: *n = G_N_ELEMENTS(kddi_ranges); return kddi_ranges;
	case CDR_CARRIER_SOFTBANK: *n = G_N_ELEMENTS(softbank_ranges); return softbank_ranges;
	case CDR_CARRIER_NONE: break;
	}
	*n = 0;
	return NULL;
}

/* The position of a code in Shift_JIS order, 188 codes a row. */
static guint
ordinal(guint16 code)
{
	guint trail = code & 0xff;
	return (guint)(code >> 8) * 188 + trail - 0x40 - (trail > 0x7f);
}

static guint16
code_at(guint ord)
{
	guint cell = ord % 188;
	return (guint16)((ord / 188) << 8 | (0x40 + cell + (cell >= 0x3f)));
}

gboolean
cdr_carrier_sjis_code(enum cdr_carrier carrier, guint8 lead, guint8 trail, guint16 *code)
{
	if (trail < 0x40 || trail == 0x7f || trail > 0xfc)
		return FALSE;
	/* au mail: JIS rows 0x75-0x7C give leads 0xEB-0xEE for the handset
	 * rows 0xF6, 0xF7, 0xF3, 0xF4 */
	static const guint8 au_mail_lead[] = { 0xf6, 0xf7, 0xf3, 0xf4 };
	if (carrier == CDR_CARRIER_KDDI && lead >= 0xeb && lead <= 0xee)
		lead = au_mail_lead[lead - 0xeb];
	guint16 c = (guint16)(lead << 8 | trail);
	gsize n;
	const struct code_range *r = ranges_of(carrier, &n);
	for (gsize i = 0; i < n; i++)
		if (c >= r[i].first && c <= r[i].last) {
			*code = c;
			return TRUE;
		}
	return FALSE;
}

gboolean
cdr_carrier_pua_code(enum cdr_carrier carrier, gunichar c, guint16 *code)
{
	gsize n;
	const struct code_range *r = ranges_of(carrier, &n);
	for (gsize i = 0; i < n; i++) {
		guint span = ordinal(r[i].last) - ordinal(r[i].first);
		if (c >= r[i].pua && c <= r[i].pua + span) {
			*code = code_at(ordinal(r[i].first) + (c - r[i].pua));
			return TRUE;
		}
	}
	return FALSE;
}

static int
compare_code(const void *key, const void *member)
{
	guint16 k = *(const guint16 *)key;
	guint16 m = ((const struct cdr_carrier_emoji *)member)->sjis;
	return (k > m) - (k < m);
}

const char *
cdr_carrier_emoji(enum cdr_carrier carrier, guint16 code)
{
	const struct cdr_carrier_emoji *table = NULL;
	gsize n = 0;
	switch (carrier) {
	case CDR_CARRIER_DOCOMO:
		table = cdr_carrier_emoji_docomo;
		n = cdr_carrier_emoji_docomo_count;
		break;
	case CDR_CARRIER_KDDI:
		table = cdr_carrier_emoji_kddi;
		n = cdr_carrier_emoji_kddi_count;
		break;
	case CDR_CARRIER_SOFTBANK:
		table = cdr_carrier_emoji_softbank;
		n = cdr_carrier_emoji_softbank_count;
		break;
	case CDR_CARRIER_NONE:
		return NULL;
	}
	const struct cdr_carrier_emoji *e = bsearch(&code, table, n, sizeof(*table), compare_code);
	return e ? e->utf8 : NULL;
}
