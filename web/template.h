/*
 * NAME
 *	template.h - HTML pages from template files
 * SUMMARY
 *	struct web_vars *v = web_vars_new();
 *	web_vars_text(v, "subject", m->subject);        // escaped when shown
 *	struct web_vars *row = web_vars_row(v, "attachments");
 *	web_vars_text(row, "name", a->name);
 *	char *html = web_render(dir, "staff", v, &error);
 *
 *	Templates are files DIR/templates/NAME.html, the style sheet
 *	DIR/static/style.css, where DIR (web_data_dir()) is the
 *	MUGAIKA_WEB_DIR environment variable, else cdr-web -d DIR, else
 *	/usr/share/mugaika/web (the tests use the source's web/). In a template:
 *	  {{name}}               the value, through web_escape() (always)
 *	  {{{name}}}             an HTML value: only what web_render() made
 *	                         (web_vars_html); a text value is escaped
 *	  {{#name}}..{{/name}}   once per row of a list, once for a true flag
 *	                         or a non-empty text, else not at all
 *	  {{^name}}..{{/name}}   only when {{#name}} would show nothing
 *	Inside a row, names not in the row are looked up in the outer vars.
 *	An unknown name is an error (a typo must not show an empty field).
 * DESCRIPTION
 *	No value is ever inserted unescaped: a text value has no way into a
 *	page but web_escape(), and an HTML value can only come from
 *	web_render() itself.
 */
#pragma once

#include <glib.h>

struct web_vars;

struct web_vars *web_vars_new(void);
void web_vars_free(struct web_vars *v);
typedef struct web_vars web_vars;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(web_vars, web_vars_free)

/* `text` (NULL: "") shown escaped. */
void web_vars_text(struct web_vars *v, const char *name, const char *text);
void web_vars_printf(struct web_vars *v, const char *name, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);
void web_vars_flag(struct web_vars *v, const char *name, gboolean on);
/* A new row at the end of list `name` (the list made when missing). */
struct web_vars *web_vars_row(struct web_vars *v, const char *name);
/* An empty list `name` (for {{^name}} when there are no rows). */
void web_vars_list(struct web_vars *v, const char *name);

/* `html`, made by web_render(), shown as it is; takes it. */
void web_vars_html(struct web_vars *v, const char *name, char *html);

/* Where the templates are (see above); `dir` from the command line or NULL. */
void web_data_dir_set(const char *dir);
const char *web_data_dir(void);

/* Template `name` (file NAME.html) with `v`; NULL with an error when the
 * file is missing or the template names an unknown value. */
char *web_render(const char *name, const struct web_vars *v, GError **error);
