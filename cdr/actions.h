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
#define CDR_ACT_ATTACHMENT_TEXT "attachment-text" /* text mode: its text excerpted below the body */
#define CDR_ACT_LINK_STYLED "links-styled" /* [mail] links defang/remove changed the text */
#define CDR_ACT_HTML "html-converted"         /* HTML body turned into plain text */
#define CDR_ACT_HEADER "header"               /* mail header not on the allow-list */
#define CDR_ACT_SIGNATURE "signature"         /* S/MIME or PGP signature dropped */
#define CDR_ACT_ENCRYPTED "encrypted-part"    /* encrypted content removed */
#define CDR_ACT_UNSUPPORTED_PART "unsupported-part" /* message/partial, external-body */
#define CDR_ACT_CALENDAR "calendar-converted" /* invitation turned into a text summary */
#define CDR_ACT_AMBIGUOUS_MIME "ambiguous-mime" /* text mode: every reading's text shown: where = why */
#define CDR_ACT_JAVASCRIPT "javascript"       /* scripts: PDF /JS, JavaScript actions and name tree */
#define CDR_ACT_AUTO_ACTION "auto-action"     /* PDF /OpenAction, /AA: run on open, page view, ... */
#define CDR_ACT_ACTION "action"               /* PDF Launch, GoToR, SubmitForm, ...: where = type */
#define CDR_ACT_EMBEDDED_OBJECT "embedded-object" /* embedded or attached files */
#define CDR_ACT_MULTIMEDIA "multimedia"       /* RichMedia, 3D, Screen, Movie, Sound, renditions */
#define CDR_ACT_XFA "xfa"                     /* PDF XML form (XFA); the plain form stays */
#define CDR_ACT_EXTERNAL_LINK "external-link" /* link target removed by policy */
#define CDR_ACT_ENCRYPTION "encryption"       /* empty-password encryption taken off */
#define CDR_ACT_REPAIRED "repaired"           /* structure errors fixed (lost xref, wrong lengths) */
#define CDR_ACT_LEADING_DATA "leading-data"   /* bytes before the start of the format */
#define CDR_ACT_UNSAFE_NAME "unsafe-name"     /* archive member name made safe: where = new name */
#define CDR_ACT_DUPLICATE_NAME "duplicate-name" /* member renamed "x (2).ext": where = new name */
#define CDR_ACT_LINK "link"                   /* symlink or hardlink member dropped */
#define CDR_ACT_SPECIAL_FILE "special-file"   /* device, FIFO or socket member dropped */
#define CDR_ACT_MEMBER_REMOVED "member-removed" /* blocked archive member left out: where = name */
#define CDR_ACT_WRONG_PASSWORD "wrong-password" /* passwords that opened nothing: count, never the text */
/* Office documents (ooxml, ole2, rtf); where = the part, stream or group */
#define CDR_ACT_MACRO "macro"                 /* VBA project, XLM macro sheet, Auto_Open name */
#define CDR_ACT_ACTIVEX "activex"             /* ActiveX control */
#define CDR_ACT_EXTERNAL_REFERENCE "external-reference" /* remote template, frame, image, OLE link */
#define CDR_ACT_DATA_CONNECTION "data-connection" /* external workbook link, query, DDE link */
#define CDR_ACT_FIELD "field"                 /* DDE/INCLUDE/LINK field replaced by its result */
#define CDR_ACT_ADD_IN "add-in"               /* web extension, task pane, custom ribbon (customUI) */
#define CDR_ACT_PRINTER_SETTINGS "printer-settings" /* printer driver blob */
#define CDR_ACT_FONT "font"                   /* embedded font */
#define CDR_ACT_MEDIA_REPLACED "media-replaced" /* picture not kept: an empty image in its place */
#define CDR_ACT_MACRO_FREE_TYPE "macro-free-type" /* docm -> docx and the like */
/* images (issue 19): where = what kind of image */
#define CDR_ACT_EXTRA_IMAGE "extra-image"     /* thumbnail, depth map, burst or other image besides the one kept */

extern const char *const cdr_action_names[];
