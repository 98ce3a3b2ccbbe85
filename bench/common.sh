# common.sh - sourced by run.sh, pdf.sh and archive.sh (after they set
# `repo`): the cdr-file under test, built if missing, with its worker; the
# tools a benchmark needs; a scratch directory removed at exit unless
# BENCH_KEEP=1.

# bench_setup NAME TOOL...: sets cdr and exports MUGAIKA_WORKER (CDR_FILE
# and MUGAIKA_WORKER from the environment win); exits 2 naming a missing tool.
bench_setup() {
	local name=$1 t
	shift
	cdr=${CDR_FILE:-$repo/build/cli/cdr-file}
	if [ ! -x "$cdr" ]; then
		[ -d "$repo/build" ] || (cd "$repo" && meson setup build)
		ninja -C "$repo/build"
	fi
	export MUGAIKA_WORKER=${MUGAIKA_WORKER:-$(dirname "$(dirname "$cdr")")/cdr-worker}
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "$name.sh: $t is not installed" >&2; exit 2; }
	done
}

# bench_workdir SUFFIX: sets work (a new temp dir) and res (work/results).
bench_workdir() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/mugaika-bench$1.XXXXXX")
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "keeping $work"
	else
		trap 'rm -rf "$work"' EXIT
	fi
	res=$work/results
	mkdir -p "$res"
}
