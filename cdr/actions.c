/*
 * NAME
 *	actions.c - the list of action names (see actions.h)
 */
#include "actions.h"

#include <stddef.h>

const char *const cdr_action_names[] = {
	CDR_ACT_METADATA,      CDR_ACT_COMMENT, CDR_ACT_TRAILING_DATA,
	CDR_ACT_CSV_FORMULA,   CDR_ACT_COLOR_PROFILE, CDR_ACT_RENAMED,
	CDR_ACT_ATTACHMENT,    CDR_ACT_HTML,    CDR_ACT_HEADER,
	CDR_ACT_SIGNATURE,     CDR_ACT_ENCRYPTED, CDR_ACT_UNSUPPORTED_PART,
	CDR_ACT_CALENDAR,
	NULL,
};
