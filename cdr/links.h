/*
 * NAME
 *	links.h - which link targets a document may keep
 * SUMMARY
 *	One rule for every handler that keeps hyperlinks (PDF /URI actions,
 *	Office hyperlinks, RTF HYPERLINK fields): a target is kept only when
 *	it names a scheme of [links] schemes (default http https mailto).
 *	Everything else - file:, smb:, UNC paths, javascript:, data:, relative
 *	paths, targets with controls or backslashes - is removed and reported.
 */
#pragma once

#include <glib.h>

struct cdr_policy;

/* TRUE when `target` (len bytes, not NUL-terminated; leading spaces and C0
 * controls are skipped as viewers do) is a link the policy lets a document
 * keep. */
gboolean cdr_link_allowed(const struct cdr_policy *policy, const char *target, gsize len);

/* The same for a NUL-terminated string. */
gboolean cdr_link_allowed_str(const struct cdr_policy *policy, const char *target);

/* Config check for [links] schemes: NULL when `scheme` may be listed, else
 * why not (a static string). Schemes that open local files, run code or
 * carry inline content (file, smb, javascript, data, ms-*, ...) can never
 * be allowed. */
const char *cdr_link_scheme_refusal(const char *scheme);
