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

# Mail: the same engine converts a message (what cdr-milter will do for Postfix).
mail=fixtures/mail/hostile/html-newsletter.eml
echo
echo "== mail text conversion: cdr-file -c -n newsletter.eml < $mail"
build/cli/cdr-file -c -n newsletter.eml <"$mail" >"$out/newsletter.eml" || true
echo "== as the LGWAN-side mail client shows it ($out/newsletter.eml):"
/usr/bin/python3 - "$out/newsletter.eml" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
for h in ("From", "To", "Subject", "X-Mugaika"):
    if m[h]:
        print(f"{h}: {m[h]}")
print()
print(m.get_body(preferencelist=("plain",)).get_content())
PY
