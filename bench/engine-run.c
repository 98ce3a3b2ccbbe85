/*
 * NAME
 *	engine-run - objects per second through the engine alone, in-process
 * SUMMARY
 *	engine-run DIR NAME [CONFIG]: every file in DIR, as file NAME (its
 *	extension picks the handler rules), through cdr_engine_run() on one
 *	core, with the policy of CONFIG (default: mugaika.conf's). No
 *	worker, no file output: the cost a front end adds is measured by
 *	running cdr-file on the same files (bench/mail.sh does both).
 */
#include <stdio.h>

#include "cdr.h"

int
main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: engine-run DIR NAME [CONFIG]\n");
		return 2;
	}
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_policy) policy = cdr_policy_load(argc == 4 ? argv[3] : NULL, &error);
	struct cdr_engine *engine = policy ? cdr_engine_new(policy, NULL, &error) : NULL;
	g_autoptr(GDir) dir = engine ? g_dir_open(argv[1], 0, &error) : NULL;
	if (!dir) {
		fprintf(stderr, "engine-run: %s\n", error->message);
		return 2;
	}
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	const char *n;
	while ((n = g_dir_read_name(dir))) {
		g_autofree char *path = g_build_filename(argv[1], n, NULL);
		char *data;
		gsize len;
		if (g_file_get_contents(path, &data, &len, NULL))
			g_ptr_array_add(files, g_bytes_new_take(data, len));
	}
	guint64 bytes = 0;
	unsigned blocked = 0;
	gint64 start = g_get_monotonic_time();
	for (guint i = 0; i < files->len; i++) {
		gsize len;
		const guint8 *data = g_bytes_get_data(files->pdata[i], &len);
		GByteArray *out = NULL;
		struct cdr_report *r = cdr_engine_run(engine, data, len, argv[2], &out);
		blocked += r->verdict == CDR_BLOCKED;
		if (out)
			g_byte_array_unref(out);
		cdr_report_free(r);
		bytes += len;
	}
	double s = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
	printf("engine-run: %u objects (%u blocked) in %.2f s: %.0f objects/s, %.1f MB/s\n",
	       files->len, blocked, s, files->len / s, (double)bytes / s / 1e6);
	cdr_engine_free(engine);
	return 0;
}
