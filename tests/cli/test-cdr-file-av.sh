#!/bin/bash
# test-cdr-file-av - cdr-file with [av]: a private clamd (tests/clamd.sh: its
# own socket, a test database with EICAR by hash and a marker string by body
# signature, StreamMaxLength 1M) scans a USB tree with infected files, a clean
# tree, a PPAP zip whose decrypted member is infected (handed back by the
# worker), objects over both size limits; then no clamd at all, and a clamd
# that never answers.
# Usage: test-cdr-file-av.sh PATH/TO/cdr-file        Output: TAP
set -u
CDR_FILE=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../clamd.sh"
clamd_available || { echo "Bail out! no $CLAMD_BIN (apt install clamav-daemon; scripts/setup.sh does)"; exit 1; }
T=$(mktemp -d)
FAKE_PID=
cleanup() {
	clamd_stop "$T/clamd"
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
. "$HERE/check.sh"
show() { sed 's/^/#   /' "$@"; }

clamd_start "$T/clamd" 1M || { echo "Bail out! the private clamd did not start"; exit 1; }
conf() {	# conf NAME [KEY=VALUE...]: an [av] section with the private clamd
	local f=$T/$1.conf kv
	shift
	printf '[av]\nclamd = %s\n' "$(clamd_socket "$T/clamd")" >"$f"
	for kv in "$@"; do printf '%s\n' "${kv/=/ = }" >>"$f"; done
}
conf av

# --- a USB tree with infected files ----------------------------------------------
mkdir -p "$T/usb/資料" "$T/usb/tools"
printf '議事録です。\n' >"$T/usb/資料/議事録.txt"
printf 'name,total\nsato,10\n' >"$T/usb/資料/名簿.csv"
clamd_eicar >"$T/usb/tools/eicar.com"
clamd_eicar >"$T/usb/tools/readme.txt"                        # EICAR whatever the name
printf 'note %s end\n' "$CLAMD_TEST_MARKER" >"$T/usb/資料/memo.txt" # the body signature
(cd "$T/usb/tools" && zip -q ../packed.zip eicar.com readme.txt)  # clamd looks inside zips
clamd_eicar >"$T/eicar-in-ppap.com"
printf 'clean member\n' >"$T/kept.txt"
(cd "$T" && zip -q -P himitsu usb/ppap.zip eicar-in-ppap.com kept.txt)
printf 'himitsu\n' >"$T/pw.txt"

run -C "$T/av.conf" -P "$T/pw.txt" "$T/usb" -o "$T/out" -r "$T/r.jsonl"
check "a tree with infected files exits 1" test "$(status)" = 1
check "clean files are mirrored" cmp -s "$T/usb/資料/議事録.txt" "$T/out/資料/議事録.txt"
check "no infected file is written" test -z "$(find "$T/out" -name 'eicar*' -o -name 'readme.txt' -o -name 'packed.zip' -o -name 'memo.txt')"
check "summary counts infected files" grep -Eq '^7 files in .*: 2 clean, 1 sanitized, 4 blocked; 5 infected$' "$T/stdout"
check "summary lists the infected files first, with the signatures" /usr/bin/python3 - "$T/stdout" "$T/usb" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
u = sys.argv[2]
i = lines.index("Infected (virus found):")
want = [f"  {u}/packed.zip: Mugaika.Test.EICAR-HDB.UNOFFICIAL",
        f"  {u}/ppap.zip: Mugaika.Test.EICAR-HDB.UNOFFICIAL in eicar-in-ppap.com",
        f"  {u}/tools/eicar.com: Mugaika.Test.EICAR-HDB.UNOFFICIAL",
        f"  {u}/tools/readme.txt: Mugaika.Test.EICAR-HDB.UNOFFICIAL",
        f"  {u}/資料/memo.txt: Mugaika.Test.Marker-NDB.UNOFFICIAL"]
assert lines[i + 1:i + 6] == want, lines
assert not any("Blocked or not written" in l for l in lines[:i]), lines
assert not any("eicar" in l for l in lines[i + 6:]), "an infected file listed twice"
PY
[ "$(status)" = 1 ] || show "$T/stdout" "$T/stderr"
check "the PPAP zip comes out without its infected member" /usr/bin/python3 -c '
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.namelist() == ["kept.txt"], z.namelist()
assert z.read("kept.txt") == b"clean member\n"' "$T/out/ppap.zip"
check "JSON report: error malware and the signature, top-level and member" /usr/bin/python3 - "$T/r.jsonl" <<'PY'
import json, sys
recs = {r["path"].rsplit("/", 1)[-1]: r for r in map(json.loads, open(sys.argv[1], encoding="utf-8"))}
for name in ("eicar.com", "readme.txt", "packed.zip"):
    r = recs[name]
    assert r["verdict"] == "blocked" and r["error"] == "malware", r
    assert r["malware"] == "Mugaika.Test.EICAR-HDB.UNOFFICIAL", r
    assert r["reason"] == "virus found: Mugaika.Test.EICAR-HDB.UNOFFICIAL", r
    assert r["output"] is None and r["sha256_in"], r
assert recs["memo.txt"]["malware"] == "Mugaika.Test.Marker-NDB.UNOFFICIAL"
z = recs["ppap.zip"]
assert z["verdict"] == "sanitized", z
bad = [c for c in z["children"] if c.get("error") == "malware"]
assert len(bad) == 1 and bad[0]["malware"] == "Mugaika.Test.EICAR-HDB.UNOFFICIAL", z
assert recs["名簿.csv"]["verdict"] == "clean"
PY

# --- a clean tree ------------------------------------------------------------------------
mkdir -p "$T/clean"
for i in 1 2 3; do printf 'file %d\n' "$i" >"$T/clean/f$i.txt"; done
run -C "$T/av.conf" "$T/clean" -o "$T/cout"
check "a clean tree exits 0" test "$(status)" = 0
check "a clean tree: no infected line in the summary" sh -c "! grep -q -i infected '$T/stdout'"
check "a clean tree is mirrored" diff -r "$T/clean" "$T/cout"

# --- -c --------------------------------------------------------------------------------
clamd_eicar | "$CDR_FILE" -C "$T/av.conf" -c -n note.txt >"$T/c.out" 2>"$T/c.err"
check "-c with EICAR: exit 1" test $? = 1
check "-c with EICAR: nothing on stdout" test ! -s "$T/c.out"
check "-c with EICAR: says which virus" grep -q 'blocked: virus found: Mugaika.Test.EICAR-HDB.UNOFFICIAL' "$T/c.err"
"$CDR_FILE" -C "$T/av.conf" -c -n ppap.zip -P "$T/pw.txt" <"$T/usb/ppap.zip" >"$T/c2.out" 2>"$T/c2.err"
check "-c PPAP zip with an infected member: exit 1, the rest delivered" \
	sh -c "test $? = 1 && test -s '$T/c2.out' && grep -q 'virus found and removed: Mugaika.Test.EICAR-HDB.UNOFFICIAL (eicar-in-ppap.com)' '$T/c2.err'"

# --- scan = original: decrypted content is not used -------------------------------------
conf original "scan=original"
"$CDR_FILE" -C "$T/original.conf" -c -n ppap.zip -P "$T/pw.txt" -r "$T/o.jsonl" <"$T/usb/ppap.zip" >/dev/null 2>&1
check "scan = original: a PPAP zip's decrypted members are blocked, not scanned" \
	grep -q '"error":"encrypted".*scan = original' "$T/o.jsonl"

# --- sizes ---------------------------------------------------------------------------
head -c 3000 /dev/zero >"$T/3k.bin"
printf 'x\n' >>"$T/3k.bin"
conf small "stream_max_bytes=2K"
"$CDR_FILE" -C "$T/small.conf" -c -n big.txt -r "$T/s.jsonl" <"$T/3k.bin" >/dev/null 2>"$T/s.err"
check "over [av] stream_max_bytes: blocked without a scan, exit 1" test $? = 1
check "... as a limit, naming both limits" grep -q '"error":"limit","reason":"3002 bytes is more than the virus scanner takes: over \[av\] stream_max_bytes (2048), set to clamd.s StreamMaxLength"' "$T/s.jsonl"
head -c 1500000 /dev/zero | tr '\0' 'a' >"$T/1.5m.txt"
conf large "stream_max_bytes=2M"
"$CDR_FILE" -C "$T/large.conf" -c -n big.txt -r "$T/l.jsonl" <"$T/1.5m.txt" >/dev/null 2>&1
check "clamd's own StreamMaxLength lower than stream_max_bytes: not scanned, both limits named" \
	grep -q '"error":"scan-unavailable","reason":"virus scan unavailable: clamd refused 1500000 bytes as over its StreamMaxLength, which is lower than \[av\] stream_max_bytes (2097152)' "$T/l.jsonl"

# --- no clamd ---------------------------------------------------------------------------
clamd_stop "$T/clamd"
run -C "$T/av.conf" "$T/clean" -o "$T/nout" -r "$T/n.jsonl"
check "clamd missing: exit 1" test "$(status)" = 1
check "clamd missing: every file blocked as not scanned" \
	test "$(grep -c '"error":"scan-unavailable","reason":"virus scan unavailable: cannot connect to clamd' "$T/n.jsonl")" = 3
check "clamd missing: nothing written" test -z "$(find "$T/nout" -type f)"
if grep -q '3 blocked; 3 not scanned for viruses' "$T/stdout"; then
	ok "clamd missing: the summary says so"
else
	not_ok "clamd missing: the summary says so" "stdout and stderr:"
	show "$T/stdout" "$T/stderr"
fi

# --- a clamd that takes the stream and never answers ------------------------------------
clamd_start_silent "$T/slow.sock"
FAKE_PID=$CLAMD_SILENT_PID
printf '[av]\nclamd = unix:%s\ntimeout = 1\n' "$T/slow.sock" >"$T/slow.conf"
start=$(date +%s)
printf 'hello\n' | "$CDR_FILE" -C "$T/slow.conf" -c -n a.txt -r "$T/slow.jsonl" >/dev/null 2>&1
st=$?
check "clamd slower than [av] timeout: blocked as not scanned (exit 1) within seconds" \
	sh -c "test $st = 1 && test $(( $(date +%s) - start )) -lt 10 && grep -q 'no answer within timeout' '$T/slow.jsonl'"

# --- configuration -----------------------------------------------------------------------
printf '[av]\nclamd = tcp:127.0.0.1:3310\n' >"$T/bad.conf"
run -C "$T/bad.conf" -c -n a.txt </dev/null
check "a bad [av] clamd is a usage error naming the key" \
	sh -c "test $(status) = 2 && grep -q 'av\] clamd: \"tcp:127.0.0.1:3310\" is not unix:/PATH or inet:HOST:PORT' '$T/stderr'"

echo "1..$n"
[ "$failed" = 0 ]
