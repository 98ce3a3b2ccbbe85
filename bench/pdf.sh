#!/bin/bash
# pdf.sh - PDF throughput and peak memory of cdr-file next to `qpdf in out` (the
# floor: the same library parsing and writing, no disarm) and mat2, in one run,
# on a PDF set generated in a temp dir by gen_pdf.py (fixed seed):
#   - report.pdf (100 pages of Helvetica text, vector figures, an outline, links),
#     scan.pdf (50 full-page JPEG scans, ~26 MB), form.pdf (AcroForm, 52 fields),
#     each on its own. A run of qpdf or cdr-file on one of them takes 0.02-0.3 s,
#     so each is repeated BENCH_REPEAT times in a row: `qpdf in out`, qpdf with
#     the write settings the pdf handler uses (object streams generated,
#     deterministic /ID), `cdr-file -j 1` called once per file as qpdf is, and
#     `cdr-file -j 1` called once on BENCH_REPEAT links to the file (its worker
#     started once and reused, as in a tree or behind the milter). mat2 renders
#     every page through poppler and cairo (the default mode to a bitmap,
#     --lightweight as vectors), seconds to minutes per file: `mat2 --inplace`
#     and `mat2 --lightweight --inplace` run once on a copy, each call under
#     BENCH_MAT2_TIMEOUT (a timed-out time is printed as a lower bound);
#   - 20 small 1-3 page PDFs (per-file overhead): qpdf once per file in a shell
#     loop, cdr-file -j 1 and -j N on the directory, mat2 on all of them at once;
#   - the whole set: cdr-file -j N vs qpdf per file under xargs -P N.
# Every cdr-file output is checked (report verdict not blocked, same page count
# as the input) so the figures are of real rebuilds. Prints MB/s, seconds per
# pass, peak RSS, and the ratios next to the targets (cdr-file within 1.3x of
# qpdf's time, >= 10x mat2). It reports, it never fails on a number. Needs qpdf,
# mat2, /usr/bin/time (time), python3-pikepdf and python3-pil: all in the
# project's package list.
#
# Environment: CDR_FILE (default build/cli/cdr-file, built if missing),
# MUGAIKA_WORKER (default build/cdr-worker), BENCH_REPEAT (10),
# BENCH_JOBS (nproc), BENCH_MAT2_TIMEOUT (600 s per mat2 call; 0 skips mat2),
# BENCH_KEEP=1 keeps the temp dir.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
py=/usr/bin/python3

repeat=${BENCH_REPEAT:-10}
jobs=${BENCH_JOBS:-$(nproc)}
mat2_timeout=${BENCH_MAT2_TIMEOUT:-600}

. "$here/common.sh"
bench_setup pdf qpdf mat2 /usr/bin/time timeout
"$py" -c 'import pikepdf, PIL' 2>/dev/null ||
	{ echo "pdf.sh: python3-pikepdf and python3-pil are needed" >&2; exit 2; }

bench_workdir "-pdf"
in=$work/in
mkdir -p "$res"

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $("$cdr" --version 2>&1 | head -1); $(qpdf --version 2>&1 | head -1); $(mat2 --version 2>&1) with poppler-glib $(dpkg-query -W -f '${Version}' libpoppler-glib8 2>/dev/null || echo '?')"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every number below)"
echo "== generating the PDF set in $in"
"$py" "$here/gen_pdf.py" "$in"

bytes_of() { find "$@" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}'; }
count_of() { find "$@" -type f | wc -l; }
measure() { "$py" "$here/measure.py" run "$@"; }
# groups: NAME FILES BYTES INPUT (one pass), read by the summary below
groups=$res/groups
: >"$groups"
for f in report scan form; do
	echo "$f 1 $(bytes_of "$in/$f.pdf") $in/$f.pdf" >>"$groups"
done
echo "small $(count_of "$in/small") $(bytes_of "$in/small") $in/small" >>"$groups"
echo "all $(count_of "$in") $(bytes_of "$in") $in" >>"$groups"
while read -r name nf nb _; do printf '  %-8s %5s files %11s bytes\n' "$name" "$nf" "$nb"; done <"$groups"
# Warm the page cache so every tool reads from memory.
find "$in" -type f -exec cat {} + >/dev/null

# A command run $repeat times in a row (exits with the last failure): "${loop[@]}" CMD...
loop=(sh -c 'n=$1; shift; s=0; i=0; while [ $i -lt "$n" ]; do "$@" || s=$?; i=$((i + 1)); done; exit $s' loop "$repeat")

mat2_run() { # JSON LABEL FILES BYTES MAT2-ARGS... (nothing when BENCH_MAT2_TIMEOUT=0)
	local out=$1 label=$2 nf=$3 nb=$4
	shift 4
	if [ "$mat2_timeout" = 0 ]; then
		return
	fi
	measure "$out" "$label" "$nf" "$nb" -- timeout "$mat2_timeout" mat2 "$@"
}

echo "== runs ($repeat passes each for qpdf and cdr-file; mat2 once)"
for f in report scan form; do
	src=$in/$f.pdf
	size=$(bytes_of "$src")
	mkdir -p "$work/out-qpdf" "$work/out-cdr-$f" "$work/mat2-$f" "$work/mat2L-$f"
	measure "$res/$f-qpdf.json" "$f: qpdf in out" "$repeat" $((repeat * size)) -- \
		"${loop[@]}" qpdf "$src" "$work/out-qpdf/$f.pdf"
	measure "$res/$f-qpdfgen.json" "$f: qpdf, handler's write settings" "$repeat" \
		$((repeat * size)) -- \
		"${loop[@]}" qpdf --object-streams=generate --deterministic-id "$src" \
		"$work/out-qpdf/$f-gen.pdf"
	measure "$res/$f-cdr.json" "$f: cdr-file -j 1" "$repeat" $((repeat * size)) -- \
		"${loop[@]}" "$cdr" -q -f -j 1 -r "$res/$f-cdr.report.jsonl" "$src" -o "$work/out-cdr-$f"
	# The same file $repeat times in one call: the worker is started once and
	# reused, as in a tree or behind the milter (no per-call start-up cost).
	mkdir -p "$work/links-$f"
	for i in $(seq "$repeat"); do ln "$src" "$work/links-$f/$i-$f.pdf"; done
	measure "$res/$f-cdrbatch.json" "$f: cdr-file -j 1, $repeat in one call" "$repeat" \
		$((repeat * size)) -- \
		"$cdr" -q -f -j 1 -r "$res/$f-cdrbatch.report.jsonl" "$work/links-$f" \
		-o "$work/out-cdrbatch-$f"
	cp "$src" "$work/mat2-$f/"
	cp "$src" "$work/mat2L-$f/"
	mat2_run "$res/$f-mat2.json" "$f: mat2 --inplace" 1 "$size" \
		--inplace "$work/mat2-$f/$f.pdf"
	mat2_run "$res/$f-mat2L.json" "$f: mat2 --lightweight --inplace" 1 "$size" \
		--lightweight --inplace "$work/mat2L-$f/$f.pdf"
done

small=$in/small
ns=$(count_of "$small")
bs=$(bytes_of "$small")
mkdir -p "$work/out-qpdf-small" "$work/mat2-small"
measure "$res/small-qpdf.json" "small: qpdf per file, loop" $((repeat * ns)) $((repeat * bs)) -- \
	"${loop[@]}" sh -c 'for f in "$1"/*.pdf; do qpdf "$f" "$2/${f##*/}" || [ $? = 3 ]; done' \
	sh "$small" "$work/out-qpdf-small"
measure "$res/small-cdr.json" "small: cdr-file -j 1" $((repeat * ns)) $((repeat * bs)) -- \
	"${loop[@]}" "$cdr" -q -f -j 1 -r "$res/small-cdr.report.jsonl" "$small" -o "$work/out-cdr-small"
measure "$res/small-cdrN.json" "small: cdr-file -j $jobs" $((repeat * ns)) $((repeat * bs)) -- \
	"${loop[@]}" "$cdr" -q -f -j "$jobs" -r "$res/small-cdrN.report.jsonl" "$small" \
	-o "$work/out-cdrN-small"
cp "$small"/*.pdf "$work/mat2-small/"
mat2_run "$res/small-mat2.json" "small: mat2 --inplace (all cores)" "$ns" "$bs" \
	--inplace "$work"/mat2-small/*.pdf

na=$(count_of "$in")
ba=$(bytes_of "$in")
mkdir -p "$work/out-qpdf-all"
measure "$res/all-qpdfN.json" "all: qpdf per file, xargs -P $jobs" $((repeat * na)) \
	$((repeat * ba)) -- \
	"${loop[@]}" sh -c 'find "$1" -name "*.pdf" -print0 | xargs -0 -P "$3" -n 1 sh -c '\''qpdf "$1" "$0/${1##*/}" || [ $? = 3 ]'\'' "$2"' \
	sh "$in" "$work/out-qpdf-all" "$jobs"
measure "$res/all-cdrN.json" "all: cdr-file -j $jobs" $((repeat * na)) $((repeat * ba)) -- \
	"${loop[@]}" "$cdr" -q -f -j "$jobs" -r "$res/all-cdrN.report.jsonl" "$in" -o "$work/out-cdr-all"

"$py" - "$res" "$work" "$mat2_timeout" <<'EOF'
import collections, json, os, sys
import pikepdf

res, work, mat2_timeout = sys.argv[1], sys.argv[2], int(sys.argv[3])
groups = {}
for line in open(os.path.join(res, "groups")):
    name, nf, nb, path = line.split(maxsplit=3)
    groups[name] = (int(nf), int(nb), path.strip())


def load(name):
    p = os.path.join(res, name + ".json")
    return json.load(open(p)) if os.path.exists(p) else None


def pages(path):
    try:
        with pikepdf.open(path) as p:
            return len(p.pages)
    except Exception as e:  # noqa: BLE001 - reported, not raised
        return "unreadable (%s)" % type(e).__name__


# --- cdr-file did real work: verdicts and page counts of its outputs ---
print("== cdr-file verdicts (last pass of each run, from its report) and output pages")
problems = 0
reports = sorted(f for f in os.listdir(res) if f.endswith(".report.jsonl"))
if not reports:
    problems += 1
    print("  NO REPORTS: cdr-file did not run (see the notes below)")
for rep in reports:
    c = collections.Counter()
    for line in open(os.path.join(res, rep), encoding="utf-8"):
        r = json.loads(line)
        c[r["verdict"]] += 1
        if r["verdict"] == "blocked":
            problems += 1
            print("  BLOCKED %s: %s" % (r["path"], r.get("error") or r.get("reason") or r))
            continue
        pin, pout = pages(r["path"]), pages(r["output"])
        if pin != pout:
            problems += 1
            print("  PAGES %s: %s in, %s out" % (r["path"], pin, pout))
    print("  %-26s %s" % (rep[:-len(".report.jsonl")],
                          ", ".join("%s %d" % kv for kv in sorted(c.items()))))
print("  %s" % ("every output rebuilt, none blocked, page counts equal" if not problems else
                "%d PROBLEMS above: those figures are not of a full rebuild" % problems))

# --- mat2 outputs ---
mat2_runs = [(g, m) for g in ("report", "scan", "form", "small") for m in ("mat2", "mat2L")
             if load("%s-%s" % (g, m))]
if mat2_runs:
    print("== mat2 outputs (default mode: every page rendered to a bitmap through poppler and "
          "cairo, text no longer text; --lightweight: pages redrawn through cairo as vectors)")
for g, m in mat2_runs:
    r = load("%s-%s" % (g, m))
    d = os.path.join(work, "%s-%s" % ("mat2L" if m == "mat2L" else "mat2", g))
    outs = sorted(os.path.join(d, f) for f in os.listdir(d))
    size = sum(os.path.getsize(f) for f in outs)
    if r["exit"] == 124:
        print("  %-26s TIMED OUT after %d s (its time is a lower bound)" % (r["label"],
                                                                         mat2_timeout))
        continue
    state = "exit %d" % r["exit"]
    pg = [pages(f) for f in outs]
    pg = pg[0] if len(pg) == 1 else sum(p for p in pg if isinstance(p, int))
    print("  %-26s %s, %d file(s), %.1f MB out, %s pages" % (r["label"], state, len(outs),
                                                            size / 1e6, pg))

# --- table ---
order = []
for g in ("report", "scan", "form"):
    order += ["%s-%s" % (g, t) for t in ("qpdf", "qpdfgen", "cdr", "cdrbatch", "mat2", "mat2L")]
order += ["small-qpdf", "small-cdr", "small-cdrN", "small-mat2", "all-qpdfN", "all-cdrN"]
rows = [(n, load(n)) for n in order if load(n)]
print()
print("%-38s %6s %8s %8s %7s %7s %6s %7s  %s" % (
    "run", "passes", "wall s", "s/pass", "cpu s", "MB/s", "%M MB", "tree MB",
    "peak RSS by process (MB)"))
for n, r in rows:
    passes = r["files"] / groups[n.split("-")[0]][0]
    per = ", ".join("%s %.0f" % (k, kb / 1024) for k, kb in
                    sorted(r["peak_rss_by_name_kb"].items(), key=lambda x: -x[1])
                    if k not in ("time", "sh", "xargs", "bwrap", "timeout", "find"))
    print("%-38s %6.0f %8.2f %8.3f %7.2f %7.1f %6.1f %7.1f  %s" % (
        r["label"], passes, r["wall"], r["wall"] / passes, r["user"] + r["sys"],
        r["bytes"] / 1e6 / r["wall"], r["time_maxrss_kb"] / 1024,
        r["tree_peak_rss_kb"] / 1024, per))
print()


def per_pass(r, g):
    return r["wall"] / (r["files"] / groups[g][0])


def cpu_pass(r, g):
    return (r["user"] + r["sys"]) / (r["files"] / groups[g][0])


for g, cdr_run, qpdf_run, how in (("report", "cdr", "qpdf", "one at a time"),
                                   ("scan", "cdr", "qpdf", "one at a time"),
                                   ("form", "cdr", "qpdf", "one at a time"),
                                   ("small", "cdr", "qpdf", "-j 1 vs a qpdf loop"),
                                   ("all", "cdrN", "qpdfN", "-j N vs xargs -P N")):
    c, q = load("%s-%s" % (g, cdr_run)), load("%s-%s" % (g, qpdf_run))
    if not (c and q):
        continue
    tc, tq = per_pass(c, g), per_pass(q, g)
    cc, cq = cpu_pass(c, g), cpu_pass(q, g)
    print("%-6s %-20s cdr-file / qpdf time: %7.3f / %7.3f s = %5.2fx   (target <= 1.3x); "
          "CPU %.3f / %.3f s = %.2fx" % (g, how, tc, tq, tc / tq, cc, cq, cc / max(cq, 1e-9)))
    qg = load("%s-qpdfgen" % g)
    if qg:
        tg = per_pass(qg, g)
        print("%-6s %-20s   against qpdf with the handler's write settings: %.3f s = %.2fx"
              % ("", "", tg, tc / tg))
    b = load("%s-cdrbatch" % g)
    if b:
        tb, cb = per_pass(b, g), cpu_pass(b, g)
        print("%-6s %-20s   cdr-file with its worker reused (%d in one call): %.3f s = %.2fx "
              "qpdf's time, CPU %.2fx" % ("", "", b["files"], tb, tb / tq, cb / max(cq, 1e-9)))
for g in ("report", "scan", "form", "small"):
    # mat2 spreads a list of files over all cores: compare it with cdr-file -j N there
    c = load("%s-%s" % (g, "cdrN" if g == "small" else "cdr"))
    for m, what in (("mat2", "mat2"), ("mat2L", "mat2 --lightweight")):
        r = load("%s-%s" % (g, m))
        if not (c and r):
            continue
        bound = ">= " if r["exit"] == 124 else ""
        tc = per_pass(c, g)
        target = "   (target >= 10x)" if m == "mat2" else ""
        print("%-6s %-20s / %s time: %8.2f / %6.3f s = %s%.0fx%s" % (
            g, what, c["label"].split(": ")[1], r["wall"], tc, bound, r["wall"] / tc, target))
for n, r in rows:
    if r["exit"] not in (0, 1) and not (r["exit"] == 124 and "mat2" in n):
        print("note: %s exited %d: %s" % (r["label"], r["exit"],
                                           r["stderr_tail"].strip()[-300:]))
print("(benchmarks report, they do not fail: no number above is asserted)")
EOF
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
