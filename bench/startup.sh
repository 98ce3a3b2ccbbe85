#!/bin/bash
# startup.sh - the cost of one `cdr-file -c` on a 6-byte text file (what a
# script pays per call) next to `cat` and `jpegtran` on the same run.
#
# Each round runs the three commands in turn (cdr-file, cat, jpegtran on a
# small JPEG from the fixtures), each as a whole process with its standard
# input from a file; the figures are medians over the rounds of the wall
# time and of the CPU time (the process and the children it reaped: for
# cdr-file that includes its worker). Interleaving keeps the ratios fair
# when the machine's load drifts. Nothing here asserts a number.
#
#   BENCH_RUNS   rounds (default 30)
#   CDR_FILE     the binary under test (default build/cli/cdr-file)
#   MUGAIKA_WORKER  its worker (default cdr-worker beside the build's cli/)
#   BASE_CDR_FILE, BASE_WORKER  a second build to compare (say, main's),
#                run in the same rounds as "cdr-file (base)"
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/bench/common.sh"
bench_setup startup jpegtran cat
bench_workdir -startup

printf 'hello\n' >"$work/six.txt"
jpeg=$repo/fixtures/fuzz/jpeg/benign-grayscale.jpg

echo "== machine: $(nproc) cores; $("$cdr" --version)"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "${BENCH_RUNS:-30}" "$work/six.txt" "$jpeg" "$cdr" \
	"${BASE_CDR_FILE:-}" "${BASE_WORKER:-}" <<'EOF'
import os, resource, statistics, subprocess, sys, time

runs, text, jpeg, cdr, base, base_worker = int(sys.argv[1]), *sys.argv[2:7]
filter_args = ["-c", "-n", "six.txt"]
commands = [
    ("cdr-file -c -n six.txt", [cdr] + filter_args, text, None),
    ("cat", ["cat"], text, None),
    ("jpegtran -copy none -optimize", ["jpegtran", "-copy", "none", "-optimize"], jpeg, None),
]
if base:
    worker = base_worker or os.path.join(os.path.dirname(os.path.dirname(base)), "cdr-worker")
    commands.append(("cdr-file (base)", [base] + filter_args, text,
                     dict(os.environ, MUGAIKA_WORKER=worker)))


def once(argv, stdin_path, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(stdin_path, "rb") as f:
        start = time.perf_counter()
        p = subprocess.run(argv, stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env=env)
        wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode != 0:
        sys.exit(f"startup.sh: {argv[0]} exited {p.returncode}")
    return wall, cpu


for name, argv, path, env in commands:  # warm-up, not counted
    once(argv, path, env)
walls = {c[0]: [] for c in commands}
cpus = {c[0]: [] for c in commands}
for _ in range(runs):
    for name, argv, path, env in commands:
        wall, cpu = once(argv, path, env)
        walls[name].append(wall)
        cpus[name].append(cpu)

print(f"== {runs} rounds; medians (min-max) in ms")
for name, *_ in commands:
    w, c = walls[name], cpus[name]
    print(f"  {name:32} wall {statistics.median(w) * 1e3:6.1f} ({min(w) * 1e3:.1f}-{max(w) * 1e3:.1f})"
          f"   cpu {statistics.median(c) * 1e3:6.1f}")
cdr_wall = statistics.median(walls[commands[0][0]])
for name, *_ in commands[1:]:
    print(f"  cdr-file / {name}: {cdr_wall / statistics.median(walls[name]):.2f}x wall")
print(f"  target (issue 18): cdr-file -c wall <= 40 ms: median {cdr_wall * 1e3:.1f} ms")
EOF
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
