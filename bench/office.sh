#!/bin/bash
# office.sh - Office (OOXML) throughput and peak memory of cdr-file next to mat2
# (the tool a user would otherwise pick: it unzips the package and rewrites it
# without metadata), in one run, on a set generated in a temp dir by
# gen_office.py (fixed seed):
#   - report.docx (30 pages, 15 pictures, ~0.9 MB), deck.pptx (200 slides,
#     ~0.3 MB), sheet.xlsx (~50 MB of numbers and strings, ~750,000 rows, a
#     ~250 MB worksheet part), each on its own: `cdr-file -j 1` called
#     BENCH_REPEAT times in a row (once for the sheet), and `mat2 --inplace` on
#     a copy, once, under BENCH_MAT2_TIMEOUT (a timed-out time is a lower bound);
#   - 20 small documents (docx, xlsx, pptx; 2-150 KB): cdr-file -j 1 and -j N on
#     the directory, mat2 --inplace on copies of all of them at once (mat2
#     spreads a list over all cores);
#   - sheet.xlsx once more with the built-in limits (an empty config), to show
#     what the defaults (job_cpu_seconds = 30, ...) do with a 50 MB sheet.
# Every cdr-file output is checked (report verdict not blocked, and the
# project's independent OOXML check tests/data/checks_ooxml.py on the output),
# so the figures are of real rebuilds. Printed: MB/s, wall time and peak RSS
# (/usr/bin/time's %M = the largest single process; and the summed process
# tree sampled by measure.py), the ratios to mat2 and the target lines
# (>= 20x mat2; peak RSS < 64 MB + input size for the 50 MB sheet). It
# reports, it never fails on a number, only on tool errors. Needs mat2,
# /usr/bin/time (time) and python3-pil: all in the project's package list.
#
# Environment: CDR_FILE (default build/cli/cdr-file, built if missing),
# MUGAIKA_WORKER (default build/cdr-worker), BENCH_REPEAT (5), BENCH_JOBS
# (nproc), BENCH_MB (50: size of sheet.xlsx), BENCH_MAT2_TIMEOUT (600 s per
# mat2 call; 0 skips mat2), BENCH_KEEP=1 keeps the temp dir.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
py=/usr/bin/python3

repeat=${BENCH_REPEAT:-5}
jobs=${BENCH_JOBS:-$(nproc)}
mb=${BENCH_MB:-50}
mat2_timeout=${BENCH_MAT2_TIMEOUT:-600}

. "$here/common.sh"
bench_setup office mat2 /usr/bin/time timeout
"$py" -c 'import PIL' 2>/dev/null || { echo "office.sh: python3-pil is needed" >&2; exit 2; }

bench_workdir "-office"
in=$work/in
mkdir -p "$res"

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $("$cdr" --version 2>&1 | head -1); $(mat2 --version 2>&1)"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every number below)"
echo "== generating the Office set in $in"
"$py" "$here/gen_office.py" "$in" --mb "$mb"

# One 50 MB sheet is one job: the per-job time limits are raised for this run;
# the built-in ones are shown by the sheet-defaults run.
cat >"$work/bench.conf" <<'EOF'
[limits]
job_wall_seconds = 3600
job_cpu_seconds = 3600
EOF
: >"$work/defaults.conf"

bytes_of() { find "$@" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}'; }
count_of() { find "$@" -type f | wc -l; }
measure() { "$py" "$here/measure.py" run "$@"; }
# A command run N times in a row (exits with the last failure): loop N CMD...
loop() { local n=$1 s=0 i; shift; for ((i = 0; i < n; i++)); do "$@" || s=$?; done; return $s; }
export -f loop
mat2_run() { # JSON LABEL FILES BYTES MAT2-ARGS... (nothing when BENCH_MAT2_TIMEOUT=0)
	local out=$1 label=$2 nf=$3 nb=$4
	shift 4
	[ "$mat2_timeout" = 0 ] && return
	measure "$out" "$label" "$nf" "$nb" -- timeout "$mat2_timeout" mat2 "$@"
}
# Warm the page cache so every tool reads from memory.
find "$in" -type f -exec cat {} + >/dev/null

echo "== runs (cdr-file: $repeat passes for the docx and pptx, 1 for the sheet; mat2 once)"
for f in report.docx deck.pptx sheet.xlsx; do
	name=${f%.*}
	src=$in/$f
	size=$(bytes_of "$src")
	n=$repeat
	[ "$name" = sheet ] && n=1
	echo "$name $n $size $src" >>"$res/groups"
	measure "$res/$name-cdr.json" "$f: cdr-file -j 1" "$n" $((n * size)) -- \
		bash -c 'loop "$@"' loop "$n" "$cdr" -q -f -j 1 -C "$work/bench.conf" \
		-r "$res/$name-cdr.report.jsonl" "$src" -o "$work/out-cdr-$name"
	mkdir -p "$work/mat2-$name"
	cp "$src" "$work/mat2-$name/"
	mat2_run "$res/$name-mat2.json" "$f: mat2 --inplace" 1 "$size" --inplace "$work/mat2-$name/$f"
done
measure "$res/sheet-defaults.json" "sheet.xlsx: cdr-file, built-in limits" 1 \
	"$(bytes_of "$in/sheet.xlsx")" -- \
	"$cdr" -q -f -j 1 -C "$work/defaults.conf" -r "$res/sheet-defaults.report.jsonl" \
	"$in/sheet.xlsx" -o "$work/out-cdr-defaults"

small=$in/small
ns=$(count_of "$small")
bs=$(bytes_of "$small")
echo "small $ns $bs $small" >>"$res/groups"
measure "$res/small-cdr.json" "small: cdr-file -j 1" "$ns" "$bs" -- \
	"$cdr" -q -f -j 1 -C "$work/bench.conf" -r "$res/small-cdr.report.jsonl" "$small" \
	-o "$work/out-cdr-small"
measure "$res/small-cdrN.json" "small: cdr-file -j $jobs" "$ns" "$bs" -- \
	"$cdr" -q -f -j "$jobs" -C "$work/bench.conf" -r "$res/small-cdrN.report.jsonl" "$small" \
	-o "$work/out-cdrN-small"
mkdir -p "$work/mat2-small"
cp "$small"/* "$work/mat2-small/"
mat2_run "$res/small-mat2.json" "small: mat2 --inplace (all cores)" "$ns" "$bs" \
	--inplace "$work"/mat2-small/*

"$py" - "$res" "$work" "$mat2_timeout" "$repo" <<'EOF'
import collections, json, os, sys

res, work, mat2_timeout, repo = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sys.path.insert(0, os.path.join(repo, "tests", "data"))
from checks_ooxml import ooxml_problems  # the fixtures' independent check

groups = {}
for line in open(os.path.join(res, "groups")):
    name, n, nb, path = line.split(maxsplit=3)
    groups[name] = (int(n), int(nb), path.strip())


def load(name):
    p = os.path.join(res, name + ".json")
    return json.load(open(p)) if os.path.exists(p) else None


print("== cdr-file verdicts (from its reports; each output through tests/data/checks_ooxml.py)")
problems = 0
reports = sorted(f for f in os.listdir(res) if f.endswith(".report.jsonl"))
if not reports:
    problems += 1
    print("  NO REPORTS: cdr-file did not run (see the notes below)")
for rep in reports:
    run = rep[:-len(".report.jsonl")]
    c = collections.Counter()
    checked = set()
    for line in open(os.path.join(res, rep), encoding="utf-8"):
        r = json.loads(line)
        c[r["verdict"]] += 1
        if r["verdict"] == "blocked":
            if run != "sheet-defaults":
                problems += 1
            print("  %s: BLOCKED %s: %s: %s" % (run, os.path.basename(r["path"]), r.get("error"),
                                               r.get("reason")))
            continue
        if r["output"] in checked:
            continue
        checked.add(r["output"])
        with open(r["output"], "rb") as f:
            try:
                pr = ooxml_problems(f.read(), {})
            except AssertionError as e:
                pr = [str(e)]
        if pr:
            problems += 1
            print("  %s: %s fails ooxml-clean: %s" % (run, os.path.basename(r["output"]),
                                                     "; ".join(pr[:3])))
    print("  %-16s %s" % (run, ", ".join("%s %d" % kv for kv in sorted(c.items()))))
print("  %s" % ("every output rebuilt and passes ooxml-clean" if not problems else
                "%d PROBLEMS above: those figures are not of a full rebuild" % problems))

order = ["%s-%s" % (g, t) for g in ("report", "deck", "sheet") for t in ("cdr", "mat2")]
order += ["sheet-defaults", "small-cdr", "small-cdrN", "small-mat2"]
rows = [(n, load(n)) for n in order if load(n)]
print()
print("%-38s %6s %8s %8s %7s %7s %7s %7s  %s" % (
    "run", "passes", "wall s", "s/pass", "cpu s", "MB/s", "%M MB", "tree MB",
    "peak RSS by process (MB)"))
for n, r in rows:
    passes = 1 if n.startswith("small") else r["files"]
    per = ", ".join("%s %.0f" % (k, kb / 1024) for k, kb in
                    sorted(r["peak_rss_by_name_kb"].items(), key=lambda x: -x[1])
                    if k not in ("time", "sh", "bash", "timeout", "find"))
    print("%-38s %6d %8.2f %8.3f %7.2f %7.1f %7.1f %7.1f  %s" % (
        r["label"], passes, r["wall"], r["wall"] / passes, r["user"] + r["sys"],
        r["bytes"] / 1e6 / r["wall"], r["time_maxrss_kb"] / 1024,
        r["tree_peak_rss_kb"] / 1024, per))
print()

for g, f in (("report", "report.docx"), ("deck", "deck.pptx"), ("sheet", "sheet.xlsx"),
             ("small", "20 small")):
    c, m = load("%s-cdr" % g), load("%s-mat2" % g)
    if g == "small":
        c = load("small-cdrN")   # mat2 uses every core on a list: compare with -j N
    if not (c and m):
        continue
    tc = c["wall"] / (c["files"] if g != "small" else 1)
    bound = ">= " if m["exit"] == 124 else ""
    print("%-12s mat2 / cdr-file time: %8.2f / %7.3f s = %s%.0fx   (target >= 20x)" % (
        f, m["wall"], tc, bound, m["wall"] / tc))
s = load("sheet-cdr")
if s:
    in_mb = groups["sheet"][1] / 1e6
    print("sheet.xlsx   peak RSS %.0f MB (largest process, %%M), %.0f MB (cdr-file and worker "
          "together, sampled)   (target < 64 MB + input %.0f MB = %.0f MB)" % (
              s["time_maxrss_kb"] / 1024, s["tree_peak_rss_kb"] / 1024, in_mb, 64 + in_mb))
for n, r in rows:
    if r["exit"] not in (0, 1) and not (r["exit"] == 124 and "mat2" in n):
        print("note: %s exited %d: %s" % (r["label"], r["exit"], r["stderr_tail"].strip()[-300:]))
print("(benchmarks report, they do not fail: no number above is asserted)")
EOF
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
