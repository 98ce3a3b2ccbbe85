#!/bin/bash
# run.sh - throughput and peak memory of cdr-file against the tools a user would
# otherwise pick, side by side in one run, on inputs generated in a temp dir:
#   - a mixed tree of ~1,000 files (JPEG photos, PNG screenshots, GIFs, Japanese
#     text, CSV): cdr-file on all of it; mat2 --inplace on a random subset (mat2
#     takes ~0.2 s or more per file, so its rate is measured on BENCH_MAT2_FILES
#     files, and cdr-file is run on the same subset too; mat2 is also run once
#     per file, as a cleaning script would, on the first BENCH_MAT2_LOOP_FILES);
#   - the tree's JPEGs: cdr-file vs `jpegtran -copy none -optimize` per file, one
#     at a time (cdr-file -j 1 vs a loop) and on all cores (-j N vs xargs -P N);
#   - the tree's PNGs: cdr-file alone.
# Prints files/s, MB/s, peak RSS and the ratios next to the targets. It reports,
# it never fails on a number. Needs mat2, jpegtran (libjpeg-turbo-progs),
# /usr/bin/time (time) and python3-pil: all in the project's package list.
#
# Environment: CDR_FILE (default build/cli/cdr-file, built if missing),
# MUGAIKA_WORKER (default build/cdr-worker), BENCH_FILES (1000),
# BENCH_MAT2_FILES (100), BENCH_MAT2_LOOP_FILES (30), BENCH_JOBS (nproc), BENCH_KEEP=1 keeps the temp dir.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
py=/usr/bin/python3

files=${BENCH_FILES:-1000}
mat2_files=${BENCH_MAT2_FILES:-100}
mat2_loop_files=${BENCH_MAT2_LOOP_FILES:-30}
jobs=${BENCH_JOBS:-$(nproc)}

. "$here/common.sh"
bench_setup run mat2 jpegtran /usr/bin/time

bench_workdir ""
mkdir -p "$res"

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $("$cdr" --version 2>&1 | head -1); $(mat2 --version 2>&1); jpegtran from libjpeg-turbo $(dpkg-query -W -f '${Version}' libjpeg-turbo-progs 2>/dev/null || echo '?')"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every number below)"
echo "== generating $files files in $work"
"$py" "$here/gen_tree.py" "$work" --files "$files"

bytes_of() { find "$@" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}'; }
count_of() { find "$@" -type f | wc -l; }
measure() { "$py" "$here/measure.py" run "$@"; }

tree=$work/tree
jset=$work/jpeg-set
pset=$work/png-set
# Warm the page cache so every tool reads from memory.
find "$work" -type f -exec cat {} + >/dev/null

# A fixed random subset for mat2 (and cdr-file on the same files).
mkdir -p "$work/subset-mat2" "$work/subset-cdr"
find "$tree" -type f | sort | shuf -n "$mat2_files" --random-source=<(yes mugaika) |
	while IFS= read -r f; do
		n=$(printf '%s' "$f" | md5sum | cut -c1-8)-$(basename "$f")
		cp "$f" "$work/subset-mat2/$n"
		cp "$f" "$work/subset-cdr/$n"
	done

echo "== runs"
measure "$res/tree-cdr.json" "cdr-file -j $jobs, mixed tree" \
	"$(count_of "$tree")" "$(bytes_of "$tree")" -- \
	"$cdr" -q -j "$jobs" -r "$work/tree-report.jsonl" "$tree" -o "$work/out-tree"
measure "$res/subset-cdr.json" "cdr-file -j $jobs, subset" \
	"$(count_of "$work/subset-cdr")" "$(bytes_of "$work/subset-cdr")" -- \
	"$cdr" -q -j "$jobs" "$work/subset-cdr" -o "$work/out-subset"
measure "$res/subset-mat2.json" "mat2 --inplace, subset (all cores)" \
	"$(count_of "$work/subset-mat2")" "$(bytes_of "$work/subset-mat2")" -- \
	sh -c 'mat2 --inplace "$@" >/dev/null 2>&1; exit 0' mat2 "$work"/subset-mat2/*
# How a shell script that cleans files one by one would call it: one process per file.
mkdir -p "$work/subset-mat2-loop"
ls "$work/subset-mat2" | head -n "$mat2_loop_files" | while IFS= read -r n; do
	cp "$work/subset-cdr/$n" "$work/subset-mat2-loop/$n"
done
measure "$res/subset-mat2-loop.json" "mat2 --inplace, one process per file" \
	"$(count_of "$work/subset-mat2-loop")" "$(bytes_of "$work/subset-mat2-loop")" -- \
	sh -c 'for f in "$1"/*; do mat2 --inplace "$f" >/dev/null 2>&1; done; exit 0' \
	sh "$work/subset-mat2-loop"
measure "$res/jpeg-cdr-j1.json" "cdr-file -j 1, JPEG set" \
	"$(count_of "$jset")" "$(bytes_of "$jset")" -- \
	"$cdr" -q -j 1 "$jset" -o "$work/out-jpeg-j1"
mkdir -p "$work/out-jpegtran-seq" "$work/out-jpegtran-par"
measure "$res/jpeg-jpegtran-seq.json" "jpegtran per file, one at a time" \
	"$(count_of "$jset")" "$(bytes_of "$jset")" -- \
	sh -c 'for f in "$1"/*.jpg; do jpegtran -copy none -optimize "$f" >"$2/${f##*/}"; done' \
	sh "$jset" "$work/out-jpegtran-seq"
measure "$res/jpeg-cdr-jN.json" "cdr-file -j $jobs, JPEG set" \
	"$(count_of "$jset")" "$(bytes_of "$jset")" -- \
	"$cdr" -q -j "$jobs" "$jset" -o "$work/out-jpeg-jN"
measure "$res/jpeg-jpegtran-par.json" "jpegtran per file, xargs -P $jobs" \
	"$(count_of "$jset")" "$(bytes_of "$jset")" -- \
	sh -c 'find "$1" -name "*.jpg" -print0 | xargs -0 -P "$3" -n 1 sh -c '\''jpegtran -copy none -optimize "$1" >"$0/${1##*/}"'\'' "$2"' \
	sh "$jset" "$work/out-jpegtran-par" "$jobs"
measure "$res/png-cdr-jN.json" "cdr-file -j $jobs, PNG set" \
	"$(count_of "$pset")" "$(bytes_of "$pset")" -- \
	"$cdr" -q -j "$jobs" "$pset" -o "$work/out-png"

echo "== verdicts on the mixed tree (from the report)"
"$py" -c '
import collections, json, sys
c = collections.Counter()
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    c[(r.get("handler") or "-", r["verdict"], r.get("error") or "")] += 1
for (h, v, e), n in sorted(c.items()):
    print("  %-6s %-9s %-16s %5d" % (h, v, e, n))
' "$work/tree-report.jsonl"
echo "   mat2 on the subset: $(ls "$work/subset-mat2" | grep -c -i '\.csv$' || true) CSV files unsupported by mat2 (counted in its time)"

"$py" "$here/measure.py" report "$res"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
