#!/bin/bash
# mail.sh - mail text conversion throughput: the engine in-process (what the
# milter pays per message), cdr-file with one worker (plus files, hashes and
# the report), and the python email + html.parser reference, on the same
# generated corpus, in one run. Reports; never fails on a number.
# Targets from the issue (printed, not asserted): >= 1,000 typical messages/s
# per core, >= 20x the python reference, memory a small multiple of the
# message size.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_MESSAGES:-1000}
CDR_FILE=${CDR_FILE:-build/cli/cdr-file}
[ -x "$CDR_FILE" ] || { meson setup build >/dev/null 2>&1 || true; ninja -C build >/dev/null; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
/usr/bin/python3 bench/gen_mail.py "$T/in" --messages "$N"
mb=$(du -sm "$T/in" | cut -f1)
echo "corpus: $N messages, ${mb} MB (ISO-2022-JP notes, HTML newsletters, Shift_JIS with attachments, 5 MB messages)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

measure() { # NAME COMMAND...
	local name=$1; shift
	/usr/bin/time -f "%e %U %S %M" -o "$T/time" "$@" >/dev/null 2>&1 || true
	read -r wall user sys rss <"$T/time"
	printf '%-34s %7.2f s wall %7.2f s cpu %8.1f msg/s %6.1f MB/s  peak RSS %d MB\n' \
		"$name" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$N / $wall" | bc -l)" \
		"$(echo "$mb / $wall" | bc -l)" $((rss / 1024))
	echo "$wall" >"$T/$name.wall"
}
ninja -C build bench/engine-run >/dev/null
measure engine-in-process build/bench/engine-run "$T/in" mail.eml
build/bench/engine-run "$T/in" mail.eml | sed 's/^/  /'
measure cdr-file-j1 "$CDR_FILE" -q -j 1 "$T/in" -o "$T/out-cdr"
measure python-email-reference /usr/bin/python3 bench/mail_reference.py "$T/in" "$T/out-py"
py=$(cat "$T/python-email-reference.wall")
echo "ratio python / engine (the milter's path), one core: $(echo "$py / $(cat "$T/engine-in-process.wall")" | bc -l | cut -c1-5)x  (target >= 20x)"
echo "ratio python / cdr-file -j1 (files, hashes, report): $(echo "$py / $(cat "$T/cdr-file-j1.wall")" | bc -l | cut -c1-5)x"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
