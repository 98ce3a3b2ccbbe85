#!/bin/bash
# web.sh - cdr-web under load (issue 15): 200 concurrent page loads of the
# administrators' search page (and the dashboard) against a quarantine of
# 100,000 messages, on loopback. bench/web-fill.c fills the store (through
# store_import(), not Postfix) in /tmp/mugaika-web-bench, which is kept for
# the next run (BENCH_WEB_CLEAN=1 removes it after); bench/web-load.py
# starts cdr-web, logs in once and loads each page with ab (apache2-utils)
# 200 at a time: median, p95, max ms and pages/s. The target: < 200 ms
# median for the search page.
#   BENCH_WEB_MESSAGES (100000), BENCH_WEB_CLIENTS (200), BENCH_WEB_ROUNDS (5),
#   BENCH_WEB_BUILD (build: another build dir, e.g. of an earlier commit,
#   to compare on the same store), BENCH_WEB_BASE (/tmp/mugaika-web-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${BENCH_WEB_BASE:-/tmp/mugaika-web-bench}
BUILD=${BENCH_WEB_BUILD:-build}
[ -x "$BUILD/bench/web-fill" ] && [ -x "$BUILD/web/cdr-web" ] || ninja -C "$BUILD" >/dev/null
command -v ab >/dev/null || { echo "web.sh: needs ab (apt-get install apache2-utils)" >&2; exit 1; }
mkdir -p "$BASE"
chmod 755 "$BASE"
if [ "${BENCH_WEB_CLEAN:-0}" = 1 ]; then
	trap 'rm -rf "$BASE"' EXIT
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 bench/web-load.py "$BUILD" . "$BASE" \
	--messages "${BENCH_WEB_MESSAGES:-100000}" --clients "${BENCH_WEB_CLIENTS:-200}" \
	--rounds "${BENCH_WEB_ROUNDS:-5}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
