/*
 * NAME
 *	replay - run a libFuzzer target over a corpus directory
 * SUMMARY
 *	Without -Dfuzzing the fuzz targets link this main and become
 *	regression tests: every file in fixtures/fuzz/<handler>/ (seeds and
 *	every crash ever found) is fed to LLVMFuzzerTestOneInput once. TAP.
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR\n", argv[0]);
		return 2;
	}
	g_autoptr(GError) error = NULL;
	g_autoptr(GDir) dir = g_dir_open(argv[1], 0, &error);
	if (!dir) {
		printf("1..0 # SKIP %s\n", error->message);
		return 1;
	}
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *name;
	while ((name = g_dir_read_name(dir)))
		g_ptr_array_add(names, g_strdup(name));
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	printf("1..%u\n", names->len);
	for (guint i = 0; i < names->len; i++) {
		g_autofree char *path = g_build_filename(argv[1], names->pdata[i], NULL);
		g_autofree char *data = NULL;
		gsize len = 0;
		if (!g_file_get_contents(path, &data, &len, NULL)) {
			printf("not ok %u - %s (unreadable)\n", i + 1, (char *)names->pdata[i]);
			continue;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)data, len);
		/* a crash or sanitizer report ends the process: reaching here is a pass */
		printf("ok %u - %s\n", i + 1, (char *)names->pdata[i]);
		fflush(stdout);
	}
	return names->len ? 0 : 1;
}
