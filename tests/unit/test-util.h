/*
 * NAME
 *	test-util.h - small helpers the unit tests share
 */
#pragma once

#include <string.h>

#include "report.h"

/* Does the report (not its children) list an action of this name? */
static inline gboolean
report_has_action(const struct cdr_report *r, const char *what)
{
	for (guint i = 0; i < r->actions->len; i++)
		if (strcmp(((const struct cdr_action *)r->actions->pdata[i])->what, what) == 0)
			return TRUE;
	return FALSE;
}
