#!/bin/bash
# excerpts.sh - the cost of mail text mode's attachment excerpts ([mail]
# attachment_text, issue 17): the same corpus (bench/gen_excerpts.py: 20 % of
# the messages carry a ~200 KB Japanese PDF, 10 % a docx) through the engine
# in-process on one core, once with attachment_text = excerpt and once with
# off; prints messages/s for both and the added cost per message and per PDF.
# Target from the issue (printed, not asserted): the milter stays >= 150 msg/s
# on this box with excerpts on.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_MESSAGES:-500}
[ -x build/bench/engine-run ] || ninja -C build bench/engine-run >/dev/null
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
/usr/bin/python3 bench/gen_excerpts.py "$T/in" --messages "$N"
printf '[mail]\nattachment_text = excerpt\n' >"$T/on.conf"
printf '[mail]\nattachment_text = off\n' >"$T/off.conf"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
run() { # NAME CONF
	local line
	line=$(build/bench/engine-run "$T/in" mail.eml "$T/$2")
	echo "$1: $line"
	echo "$line" | sed -E 's/.* in ([0-9.]+) s.*/\1/' >"$T/$1.s"
}
for round in 1 2; do
	run "excerpts-off#$round" off.conf
	run "excerpts-on#$round" on.conf
done
off=$(sort -n "$T"/excerpts-off#*.s | head -1)
on=$(sort -n "$T"/excerpts-on#*.s | head -1)
pdfs=$(grep -l "application/pdf" "$T"/in/*.eml | wc -l)
echo "best of 2: off ${off} s, on ${on} s for $N messages"
echo "excerpts on: $(echo "$N / $on" | bc -l | cut -c1-6) msg/s on one core (target: the milter >= 150 msg/s)"
echo "added per message: $(echo "($on - $off) * 1000 / $N" | bc -l | cut -c1-6) ms; per PDF message: $(echo "($on - $off) * 1000 / $pdfs" | bc -l | cut -c1-6) ms (docx included)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
