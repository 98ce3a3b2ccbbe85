#!/bin/bash
# archive.sh - the archive handler's throughput and peak memory next to the repack
# floor, and its time and memory on zip bombs, in one run, on inputs generated in a
# temp dir by gen_archive.py (fixed seed):
#   - mixed.zip, ~200 MB (BENCH_MB) of office files in nested Japanese folders
#     (JPEG photos with EXIF, PNG screenshots, Japanese text and CSV; names in
#     CP932 as Explorer on Japanese Windows writes them, or BENCH_NAMES=utf-8):
#       the floor: `bsdtar -x -f in.zip -C dir && bsdtar -c --format zip -f out.zip
#         -C dir .` (libarchive-tools: the same library taking the zip apart and
#         writing a new deflated one, nothing checked);
#       the members' own sanitizing time: cdr-file -j 1 and -j N on the tree the
#         floor extracted (every member as a file of its own);
#       cdr-file -j 1 and -j N on mixed.zip itself.
#     Printed: the ratio cdr-file / (floor + members' own time) next to the target
#     (within 1.5x). A single archive is one job for one worker, so -j N cannot
#     spread its members; the -j N line shows what the tree gains and the zip
#     does not.
#   - bomb-42.zip (42.zip style: 16 zips in 5 levels, 4.5 PB) and
#     bomb-overlap.zip (Fifield's overlapping entries, 5.5 GB in one level),
#     each ~40 KB: cdr-file -j 1 with the built-in limits, BENCH_BOMB_RUNS times;
#     the verdict must be blocked; printed: wall time and peak RSS next to the
#     target (blocked in < 1 s with < 64 MB RSS).
# The mixed zip needs limits above the defaults, written to a config file for
# this run: max_input_bytes (100M by default, the zip is 200 MB),
# max_expanded_bytes (8G by default, counted over the whole zip: member bytes and
# the decoded pixels of every image, ~6 MB per photo) and the per-job time limits
# (one job does all 1,000 members); the zip is also run once more with only
# max_input_bytes raised, to show what the built-in limits do with it. Every
# output is checked (verdicts from the report, the output zip read back with
# python's zipfile, CRCs included, member names compared with the input's), so
# the figures are of real rebuilds. Peak RSS: GNU time's %M (the largest single
# process, exact) and the summed tree sampled every 50 ms by measure.py (a run
# shorter than that can be missed: read %M for the bombs). It reports, it never
# fails on a number. Needs bsdtar (libarchive-tools), /usr/bin/time (time) and
# python3-pil: all in the project's package list.
#
# Environment: CDR_FILE (default build/cli/cdr-file, built if missing),
# MUGAIKA_WORKER (default build/cdr-worker), BENCH_MB (200), BENCH_NAMES
# (cp932 or utf-8), BENCH_JOBS (nproc), BENCH_BOMB_RUNS (3), BENCH_KEEP=1 keeps
# the temp dir.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
py=/usr/bin/python3

mb=${BENCH_MB:-200}
names=${BENCH_NAMES:-cp932}
jobs=${BENCH_JOBS:-$(nproc)}
bomb_runs=${BENCH_BOMB_RUNS:-3}

. "$here/common.sh"
bench_setup archive bsdtar /usr/bin/time
"$py" -c 'import PIL' 2>/dev/null || { echo "archive.sh: python3-pil is needed" >&2; exit 2; }

bench_workdir "-archive"
in=$work/in
mkdir -p "$res" "$in"

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $("$cdr" --version 2>&1 | head -1); $(bsdtar --version 2>&1 | head -1)"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every number below)"
echo "== generating the inputs in $in"
"$py" "$here/gen_archive.py" "$in" --mb "$mb" --names "$names"

# The mixed zip is one top-level object of 200 MB holding ~1,000 files: limits
# for it (see the header). The bombs get the built-in defaults (an empty file,
# so that no /etc/mugaika/mugaika.conf changes them).
cat >"$work/big.conf" <<'EOF'
[limits]
max_input_bytes = 1G
max_expanded_bytes = 16G
job_wall_seconds = 3600
job_cpu_seconds = 3600
EOF
: >"$work/defaults.conf"
printf '[limits]\nmax_input_bytes = 1G\n' >"$work/input-only.conf"
echo "== limits for mixed.zip and the tree: $(grep '=' "$work/big.conf" | paste -sd ';' | sed 's/;/; /g'); bombs: built-in defaults"

measure() { "$py" "$here/measure.py" run "$@"; }
zip=$in/mixed.zip
zbytes=$(stat -c %s "$zip")
zmembers=$("$py" -c 'import sys, zipfile; print(sum(not i.is_dir() for i in zipfile.ZipFile(sys.argv[1]).infolist()))' "$zip")
# Warm the page cache so every tool reads from memory.
cat "$in"/*.zip >/dev/null

echo "== runs"
mkdir -p "$work/floor-tree"
measure "$res/floor.json" "floor: bsdtar -x, bsdtar -c --format zip" "$zmembers" "$zbytes" -- \
	sh -c 'bsdtar -x -f "$1" -C "$2" && bsdtar -c --format zip -f "$3" -C "$2" .' \
	sh "$zip" "$work/floor-tree" "$work/floor.zip"
nmembers=$(find "$work/floor-tree" -type f | wc -l)
tbytes=$(find "$work/floor-tree" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
measure "$res/members-j1.json" "members as files: cdr-file -j 1" "$nmembers" "$tbytes" -- \
	"$cdr" -q -j 1 -C "$work/big.conf" -r "$res/members-j1.report.jsonl" \
	"$work/floor-tree" -o "$work/out-members-j1"
measure "$res/members-jN.json" "members as files: cdr-file -j $jobs" "$nmembers" "$tbytes" -- \
	"$cdr" -q -j "$jobs" -C "$work/big.conf" -r "$res/members-jN.report.jsonl" \
	"$work/floor-tree" -o "$work/out-members-jN"
measure "$res/zip-j1.json" "mixed.zip: cdr-file -j 1" "$zmembers" "$zbytes" -- \
	"$cdr" -q -j 1 -C "$work/big.conf" -r "$res/zip-j1.report.jsonl" "$zip" -o "$work/out-zip-j1"
measure "$res/zip-jN.json" "mixed.zip: cdr-file -j $jobs" "$zmembers" "$zbytes" -- \
	"$cdr" -q -j "$jobs" -C "$work/big.conf" -r "$res/zip-jN.report.jsonl" "$zip" \
	-o "$work/out-zip-jN"
measure "$res/zip-defaults.json" "mixed.zip: -j 1, default limits" \
	"$zmembers" "$zbytes" -- \
	"$cdr" -q -j 1 -C "$work/input-only.conf" -r "$res/zip-defaults.report.jsonl" "$zip" \
	-o "$work/out-zip-defaults"
for b in bomb-42 bomb-overlap; do
	for i in $(seq "$bomb_runs"); do
		measure "$res/$b-$i.json" "$b.zip: cdr-file -j 1 ($i)" 1 "$(stat -c %s "$in/$b.zip")" -- \
			"$cdr" -q -f -j 1 -C "$work/defaults.conf" -r "$res/$b-$i.report.jsonl" \
			"$in/$b.zip" -o "$work/out-bombs"
	done
done

"$py" - "$res" "$work" "$zip" "$jobs" "$bomb_runs" <<'EOF'
import collections, json, os, sys, zipfile

res, work, zpath, jobs, bomb_runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), \
    int(sys.argv[5])


def load(name):
    p = os.path.join(res, name + ".json")
    return json.load(open(p)) if os.path.exists(p) else None


def report(name):
    p = os.path.join(res, name + ".report.jsonl")
    if not os.path.exists(p):
        return []
    return [json.loads(l) for l in open(p, encoding="utf-8")]


def member_name(info):
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("cp932")
    except UnicodeError:
        return info.filename


problems = 0
with zipfile.ZipFile(zpath) as z:
    in_names = [member_name(i) for i in z.infolist() if not i.is_dir()]
print("== checks")
for run in ("zip-j1", "zip-jN"):
    recs = report(run)
    if len(recs) != 1:
        problems += 1
        print("  %s: NO REPORT (cdr-file did not run; see the notes below)" % run)
        continue
    r = recs[0]
    kids = r.get("children", [])
    c = collections.Counter("%s %s" % (k.get("handler") or "-", k["verdict"]) for k in kids)
    print("  %s: %s (%s), %d members in the report: %s" % (
        run, r["verdict"], r.get("reason") or "", len(kids),
        ", ".join("%s %d" % kv for kv in sorted(c.items()))))
    if r["verdict"] == "blocked" or not r.get("output"):
        problems += 1
        continue
    blocked = [k for k in kids if k["verdict"] == "blocked"]
    for k in blocked[:5]:
        print("    BLOCKED member %s: %s" % (k["name"], k.get("reason")))
    problems += len(blocked)
    with zipfile.ZipFile(r["output"]) as z:
        bad = z.testzip()
        out = [i.filename for i in z.infolist()]
    kept = len(set(in_names) & set(out))
    print("    output %s: %d members, %.1f MB, every CRC %s; %d of %d member names as in "
          "the input" % (os.path.basename(r["output"]), len(out), os.path.getsize(r["output"]) / 1e6,
                         "good" if bad is None else "BAD at " + bad, kept, len(in_names)))
    if bad is not None or len(out) != len(in_names):
        problems += 1
    if kept != len(in_names):
        print("    names changed, e.g. %s" % ", ".join(sorted(set(out) - set(in_names))[:3]))
for r in report("zip-defaults"):
    kids = r.get("children", [])
    why = " (%s: %s)" % (r.get("error"), r.get("reason")) if r["verdict"] == "blocked" else ""
    print("  zip-defaults (the built-in limits, max_input_bytes raised): %s%s after %d of %d "
          "members, %.1f s" % (r["verdict"], why, len(kids), len(in_names), r["elapsed"]))
for run in ("members-j1", "members-jN"):
    recs = report(run)
    c = collections.Counter("%s %s" % (r.get("handler") or "-", r["verdict"]) for r in recs)
    print("  %s: %d files: %s" % (run, len(recs), ", ".join("%s %d" % kv for kv in sorted(c.items()))))
    problems += sum(1 for r in recs if r["verdict"] == "blocked") + (0 if recs else 1)
bombs = {}
for b in ("bomb-42", "bomb-overlap"):
    for i in range(1, bomb_runs + 1):
        recs = report("%s-%d" % (b, i))
        r = recs[0] if recs else {"verdict": "no report", "elapsed": 0}
        bombs.setdefault(b, []).append((load("%s-%d" % (b, i)), r))
        if r["verdict"] != "blocked":
            problems += 1
    r = bombs[b][0][1]
    print("  %s.zip: %s (%s: %s), engine time %.3f s" % (
        b, r["verdict"], r.get("error"), r.get("reason"), r["elapsed"]))
print("  %s" % ("all checks passed" if not problems else
                "%d PROBLEMS above: those figures are not of a full rebuild" % problems))

order = ["floor", "members-j1", "members-jN", "zip-j1", "zip-jN", "zip-defaults"] + \
    ["%s-%d" % (b, i) for b in ("bomb-42", "bomb-overlap") for i in range(1, bomb_runs + 1)]
rows = [load(n) for n in order if load(n)]
print()
print("%-42s %8s %7s %7s %7s %7s  %s" % ("run", "wall s", "cpu s", "MB/s", "%M MB", "tree MB",
                                       "peak RSS by process (MB)"))
for r in rows:
    per = ", ".join("%s %.0f" % (k, kb / 1024) for k, kb in
                    sorted(r["peak_rss_by_name_kb"].items(), key=lambda x: -x[1])
                    if k not in ("time", "sh"))
    print("%-42s %8.2f %7.2f %7.1f %7.1f %7.1f  %s" % (
        r["label"], r["wall"], r["user"] + r["sys"], r["bytes"] / 1e6 / r["wall"],
        r["time_maxrss_kb"] / 1024, r["tree_peak_rss_kb"] / 1024, per))
print()

floor = load("floor")
for z, m, how in (("zip-j1", "members-j1", "-j 1"), ("zip-jN", "members-jN", "-j %d" % jobs)):
    z, m = load(z), load(m)
    if not (z and m and floor):
        continue
    base = floor["wall"] + m["wall"]
    cpu = lambda r: r["user"] + r["sys"]
    cbase = cpu(floor) + cpu(m)
    print("mixed.zip %-5s cdr-file / (floor + members' own): %6.2f / (%5.2f + %5.2f) s = %.2fx"
          "   (target <= 1.5x); CPU %.2f / %.2f s = %.2fx" % (
              how, z["wall"], floor["wall"], m["wall"], z["wall"] / base, cpu(z), cbase,
              cpu(z) / cbase))
for b, runs in bombs.items():
    ok = [(r, rep) for r, rep in runs if r]
    if not ok:
        continue
    wall = max(r["wall"] for r, _ in ok)
    single = max(r["time_maxrss_kb"] for r, _ in ok) / 1024
    tree = max(r["tree_peak_rss_kb"] for r, _ in ok) / 1024
    verdicts = ",".join(sorted({rep["verdict"] for _, rep in ok}))
    print("%-17s %s in %.2f s at most (%d run(s)), peak RSS %.0f MB (largest process), %.0f MB "
          "(cdr-file and worker together, sampled)   (target: blocked, < 1 s, < 64 MB)" % (
              b + ".zip", verdicts, wall, len(ok), single, tree))
for r in rows:
    if r["exit"] not in (0, 1):
        print("note: %s exited %d: %s" % (r["label"], r["exit"], r["stderr_tail"].strip()[-300:]))
print("(benchmarks report, they do not fail: no number above is asserted)")
EOF
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
