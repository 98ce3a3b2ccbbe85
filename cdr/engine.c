/*
 * NAME
 *	engine.c - detect, check and dispatch one object to its handler
 * SUMMARY
 *	The order of judgement for every object, top-level or child: a
 *	handler that recognises its own format by signature and rebuilds all
 *	of it (CDR_SELF_TYPED) is asked first; otherwise libmagic gives the
 *	type. Then size limit; dangerous name; dangerous content (own
 *	signatures, then the libmagic type); the highest-bidding handler; the
 *	output name. Anything unclaimed is blocked.
 * DESCRIPTION
 *	A handler's verdict is never weakened: CLEAN becomes SANITIZED when
 *	the report lists a removal, and a BLOCKED result never carries output.
 */
#include "engine-private.h"

#include <string.h>

#include "actions.h"
#include "detect.h"
#include "names.h"

/* cdr_charsets_new() in a thread of its own: loading the gconv modules (a
 * dlopen each) is about as long as libmagic's load and first use, and the
 * two share nothing, so a worker starts sooner when a second core is free. */
struct charsets_start {
	struct cdr_charsets *charsets;
	GError *error;
};

static gpointer
open_charsets(gpointer data)
{
	struct charsets_start *cs = data;
	cs->charsets = cdr_charsets_new(&cs->error);
	return NULL;
}

struct cdr_engine *
cdr_engine_new(const struct cdr_policy *policy, const struct cdr_handler *const *extra,
	       GError **error)
{
	struct cdr_engine *e = g_new0(struct cdr_engine, 1);
	e->policy = policy;
	e->handlers = g_ptr_array_new();
	e->known_exts = g_hash_table_new(g_str_hash, g_str_equal);

	for (const struct cdr_handler *const *h = extra; h && *h; h++)
		g_ptr_array_add(e->handlers, (gpointer)*h);
	for (const struct cdr_handler *const *h = cdr_builtin_handlers; *h; h++)
		g_ptr_array_add(e->handlers, (gpointer)*h);
	for (guint i = 0; i < e->handlers->len; i++) {
		const struct cdr_handler *h = e->handlers->pdata[i];
		for (const char *const *x = h->extensions; x && *x; x++)
			g_hash_table_add(e->known_exts, (gpointer)*x);
		if (h->init && !h->init(error)) {
			cdr_engine_free(e);
			return NULL;
		}
	}

	/* after the handlers' init: the archive handler sets LC_CTYPE */
	struct charsets_start cs = { 0 };
	GThread *opener = g_thread_try_new("charsets", open_charsets, &cs, NULL);
	if (!opener)
		open_charsets(&cs);
	e->magic = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS);
	gboolean magic_ok = e->magic && magic_load(e->magic, NULL) == 0;
	/* Warm libmagic up: its first use may read locale data from disk,
	 * and compiles the regular expressions of its text tests. */
	if (magic_ok)
		(void)cdr_engine_magic_type(e, (const guint8 *)"warm up\n", 8);
	if (opener)
		g_thread_join(opener);
	e->charsets = cs.charsets;
	if (!magic_ok) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot load libmagic database: %s",
			    e->magic ? magic_error(e->magic) : "out of memory");
		g_clear_error(&cs.error);
		cdr_engine_free(e);
		return NULL;
	}
	if (!e->charsets) {
		g_propagate_error(error, cs.error);
		cdr_engine_free(e);
		return NULL;
	}
	return e;
}

void
cdr_engine_set_input_mapped(struct cdr_engine *engine, gboolean mapped)
{
	engine->input_mapped = mapped;
}

void
cdr_engine_set_scanner(struct cdr_engine *engine, cdr_scan_fn scan, gpointer user_data)
{
	engine->scanner = scan;
	engine->scanner_data = user_data;
}

void
cdr_engine_free(struct cdr_engine *e)
{
	if (!e)
		return;
	if (e->magic)
		magic_close(e->magic);
	cdr_charsets_free(e->charsets);
	g_ptr_array_unref(e->handlers);
	g_hash_table_unref(e->known_exts);
	g_free(e);
}

const char *
cdr_engine_magic_type(struct cdr_engine *e, const guint8 *data, gsize len)
{
	const char *t = magic_buffer(e->magic, data, len);
	return t ? t : "application/octet-stream";
}

struct cdr_charsets *
cdr_engine_charsets(struct cdr_engine *e)
{
	return e->charsets;
}

/* The highest bid among the handlers with all of `flags`. */
static const struct cdr_handler *
pick_handler(struct cdr_engine *e, const struct cdr_input *in, unsigned flags)
{
	const struct cdr_handler *best = NULL;
	int best_bid = 0;
	for (guint i = 0; i < e->handlers->len; i++) {
		const struct cdr_handler *h = e->handlers->pdata[i];
		if ((h->flags & flags) != flags)
			continue;
		int bid = h->bid(in);
		if (bid > best_bid) {
			best_bid = bid;
			best = h;
		}
	}
	return best;
}

const struct cdr_handler *
cdr_engine_pick(struct cdr_engine *e, struct cdr_input *in)
{
	const struct cdr_handler *h = pick_handler(e, in, CDR_SELF_TYPED);
	if (h)
		return h;
	in->magic_type = cdr_engine_magic_type(e, in->data, in->len);
	return pick_handler(e, in, 0);
}

static const struct cdr_handler *
handler_by_name(struct cdr_engine *e, const char *name)
{
	for (guint i = 0; i < e->handlers->len; i++) {
		const struct cdr_handler *h = e->handlers->pdata[i];
		if (strcmp(h->name, name) == 0)
			return h;
	}
	return NULL;
}

/* Checks that need no handler. Returns FALSE when the object is blocked. */
static gboolean
judge_before_handler(struct cdr_job *job, const struct cdr_input *in)
{
	const struct cdr_policy *p = job->engine->policy;
	g_autofree char *why = NULL;
	const char *what;

	if (in->len > p->max_input_bytes) {
		cdr_job_error(job, CDR_E_LIMIT,
			      "%" G_GSIZE_FORMAT " bytes is over max_input_bytes (%" G_GUINT64_FORMAT ")",
			      in->len, p->max_input_bytes);
		return FALSE;
	}
	if (cdr_name_is_dangerous(in->name, p->blocked_extensions, &why)) {
		cdr_job_error(job, CDR_E_NAME, "dangerous file name (%s)", why);
		return FALSE;
	}
	if ((what = cdr_detect_dangerous_bytes(in->data, in->len))) {
		cdr_job_error(job, CDR_E_DANGEROUS, "%s", what);
		return FALSE;
	}
	if (cdr_detect_dangerous_type(in->magic_type)) {
		cdr_job_error(job, CDR_E_DANGEROUS, "dangerous content type %s", in->magic_type);
		return FALSE;
	}
	return TRUE;
}

static void
name_output(struct cdr_job *job, const struct cdr_handler *h, const struct cdr_output *o)
{
	struct cdr_report *r = job->report;
	const char *single[] = { o->ext, NULL };
	const char *const *exts = h->extensions;
	if (o->ext && (!exts || !exts[0] || strcmp(o->ext, exts[0]) != 0))
		exts = single;

	r->out_name = cdr_name_for_output(o->name ? o->name : r->name, exts, job->engine->known_exts);
	r->out_type = g_strdup(o->type ? o->type : h->mime_type);
	if (r->name) {
		const char *base = r->name;
		for (const char *c = r->name; *c; c++)
			if (*c == '/' || *c == '\\')
				base = c + 1;
		if (strcmp(base, r->out_name) != 0)
			cdr_report_add_action(r, CDR_ACT_RENAMED, r->out_name, 1);
	}
}

/* A container whose children lost something has lost something itself. */
static gboolean
children_changed(const struct cdr_report *r)
{
	for (guint i = 0; i < r->children->len; i++)
		if (((const struct cdr_report *)r->children->pdata[i])->verdict != CDR_CLEAN)
			return TRUE;
	return FALSE;
}

enum cdr_verdict
cdr_engine_run_object(struct cdr_job *job, const guint8 *data, gsize len, const char *name,
		      GByteArray **out)
{
	struct cdr_engine *e = job->engine;
	struct cdr_report *r = job->report;
	gint64 start = g_get_monotonic_time();

	*out = NULL;
	r->size_in = len;
	if (!data) /* an empty member may come without a buffer: handlers may
		    * still do pointer arithmetic on it */
		data = (const guint8 *)"";

	struct cdr_input in = {
		.data = data, .len = len, .name = name, .depth = job->depth,
	};
	struct cdr_output o = { 0 };
	enum cdr_verdict v = CDR_BLOCKED;
	const char *forced = job->depth == 0 ? cdr_job_params(job)->handler : NULL;
	const struct cdr_handler *h =
		forced ? handler_by_name(e, forced) : pick_handler(e, &in, CDR_SELF_TYPED);
	/* The report's `detected` is libmagic's type of the input, also when a
	 * handler knew the format by its signature (a .7z is application/x-7z-
	 * compressed, not the application/zip the archive handler writes); only
	 * a front end that names the handler (cdr-milter: a message is mail)
	 * saves the call. Judging still uses libmagic's type only where no
	 * signature claimed the object. */
	if (!forced || !h)
		r->detected = g_strdup(cdr_engine_magic_type(e, data, len));
	if (forced && !h) {
		cdr_job_error(job, CDR_E_UNSUPPORTED, "no %s handler in this build", forced);
		goto done;
	}
	if (!h)
		in.magic_type = r->detected;

	if (!judge_before_handler(job, &in))
		goto done;
	if (!h)
		h = pick_handler(e, &in, 0);
	if (!h) {
		cdr_job_error(job, CDR_E_UNSUPPORTED, "no handler for %s content", r->detected);
		goto done;
	}
	r->handler = g_strdup(h->name);
	o.data = g_byte_array_new();
	v = h->sanitize(job, &in, &o);
	if (v != CDR_BLOCKED && r->verdict == CDR_BLOCKED)
		v = CDR_BLOCKED; /* a child or budget check blocked us */
	if (v == CDR_BLOCKED) {
		if (!r->reason)
			cdr_job_error(job, CDR_E_INTERNAL, "%s handler gave no reason", h->name);
		g_byte_array_unref(o.data);
		g_free(o.name);
		goto done;
	}
	name_output(job, h, &o);
	g_free(o.name);
	/* the type this handler wrote for this object (one handler writes
	 * docx, xlsx and pptx), whatever the input's bytes were */
	r->handler_type = g_strdup(r->out_type);
	if (v == CDR_CLEAN && (r->actions->len || children_changed(r)))
		v = CDR_SANITIZED;
	r->size_out = o.data->len;
	*out = o.data;
done:
	r->verdict = v;
	r->elapsed = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
	return v;
}

struct cdr_report *
cdr_engine_run(struct cdr_engine *e, const guint8 *data, gsize len, const char *name,
	       GByteArray **out)
{
	return cdr_engine_run_with(e, data, len, name, NULL, out);
}

struct cdr_report *
cdr_engine_run_with(struct cdr_engine *e, const guint8 *data, gsize len, const char *name,
		    const struct cdr_run_params *params, GByteArray **out)
{
	static const struct cdr_run_params none = { 0 };
	struct cdr_report *r = cdr_report_new(name);
	if (params && !cdr_run_params_valid(params)) {
		*out = NULL;
		cdr_report_block(r, CDR_E_INTERNAL, "invalid run parameters");
		return r;
	}
	struct cdr_job job = {
		.engine = e,
		.params = params ? params : &none,
		.report = r,
		.top_data = data,
		.top_len = len,
		.deadline = g_get_monotonic_time() +
			    (gint64)e->policy->job_wall_seconds * G_USEC_PER_SEC,
	};
	cdr_engine_run_object(&job, data, len, name, out);
	cdr_job_finish(&job, out);
	return r;
}
