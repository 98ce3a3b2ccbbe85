#!/bin/bash
# demo.sh - clean the bundled sample "USB stick" (fixtures/samples) with
# cdr-file and show what happened; then send the sample mails
# (fixtures/demo-mail) through a private Postfix with cdr-milter and show
# them as the LGWAN side receives them. Does its own setup and build.
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
echo "== what happened to each file (from the report $out/report.jsonl):"
/usr/bin/python3 - "$out/report.jsonl" <<'PY'
import json, sys, unicodedata
def shown(s):  # bidi overrides and controls visible, as cdr-file prints them
    return "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) in ("Cc", "Cf") else c for c in s)
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    if r["verdict"] == "blocked":
        what = r["reason"]
    else:
        what = ", ".join(f'{a["count"]} {a["what"]}' + (f' ({a["where"]})' if a.get("where") else "")
                         for a in r["actions"]) or "nothing removed"
        what += f' -> {r["output"]}'
    print(f'  {r["verdict"]:9} {shown(r["path"])}: {what}')
PY

# Mail: a private Postfix with cdr-milter converts the sample mails.
echo
scripts/demo-mail.sh
