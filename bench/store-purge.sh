#!/bin/bash
# store-purge.sh - the milter's time in the quarantine store while 100,000
# old messages are purged (issue 14): bench/store-purge.c, once with the
# purge in the milter's own process (its hourly purge: store_purge() on the
# open store) and once by cdr-quarantine purge in a process of its own (an
# administrator while the milter runs). Each run fills a new store in
# /tmp/mugaika-store-purge with BENCH_PURGE_MESSAGES (100000) messages a
# year old, stores messages from BENCH_SESSIONS (16) threads for 10 s
# without a purge, then during the purge, and prints both phases.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_PURGE_MESSAGES:-100000}
SESSIONS=${BENCH_SESSIONS:-16}
BASE=/tmp/mugaika-store-purge
[ -x build/bench/store-purge ] && [ -x build/milter/cdr-quarantine ] || ninja -C build >/dev/null
MAILS=(fixtures/mail/benign/utf8-qp.eml fixtures/mail/hostile/html-newsletter.eml
	fixtures/mail/benign/outlook-iso2022jp.eml)
trap 'rm -rf "$BASE"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for how in thread "$PWD/build/milter/cdr-quarantine"; do
	rm -rf "$BASE"
	echo "== purge with: ${how##*/}"
	build/bench/store-purge --messages "$N" --sessions "$SESSIONS" --purge-with "$how" \
		"$BASE" "${MAILS[@]}"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
