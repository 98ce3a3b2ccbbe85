/*
 * NAME
 *	actions.h - names of the removals a handler can report
 * SUMMARY
 *	One constant per action; cdr_action_names lists them all so that
 *	tests/unit/test-docs.c can check mugaika(7) documents each one.
 */
#pragma once

#define CDR_ACT_METADATA "metadata"           /* EXIF/XMP/text chunks, application blocks */
#define CDR_ACT_COMMENT "comment"             /* JPEG COM, GIF comment extension */
#define CDR_ACT_TRAILING_DATA "trailing-data" /* bytes after the end of the format */
#define CDR_ACT_CSV_FORMULA "csv-formula"     /* CSV cell that would start a formula */
#define CDR_ACT_COLOR_PROFILE "color-profile" /* embedded ICC profile */
#define CDR_ACT_RENAMED "renamed"             /* output name differs from the input name */
#define CDR_ACT_ATTACHMENT "attachment"       /* mail attachment removed */
#define CDR_ACT_HTML "html-converted"         /* HTML body turned into plain text */
#define CDR_ACT_HEADER "header"               /* mail header not on the allow-list */
#define CDR_ACT_SIGNATURE "signature"         /* S/MIME or PGP signature dropped */
#define CDR_ACT_ENCRYPTED "encrypted-part"    /* encrypted content removed */
#define CDR_ACT_UNSUPPORTED_PART "unsupported-part" /* message/partial, external-body */
#define CDR_ACT_CALENDAR "calendar-converted" /* invitation turned into a text summary */

extern const char *const cdr_action_names[];
