#!/bin/bash
# demo.sh - clean the bundled sample "USB stick" (fixtures/samples) with
# cdr-file and show what happened. Does its own setup and build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

out=${TMPDIR:-/tmp}/mugaika-demo
rm -rf "$out"
mkdir -p "$out"
echo "== cdr-file fixtures/samples -o $out/clean --report $out/report.jsonl"
set +e
build/cli/cdr-file fixtures/samples -o "$out/clean" --report "$out/report.jsonl"
status=$?
set -e
echo
echo "== exit status $status (0: all clean, 1: something blocked, 2: error)"
echo "== clean tree:"
(cd "$out/clean" && find . -type f | sort)
echo "== report (one JSON object per file): $out/report.jsonl"
