#!/bin/bash
# test-cdr-file - cdr-file as a user runs it: tree mirroring, input never
# modified, output never overwritten unless --force, links and special files
# not followed, reports, exit statuses, -c filter mode, hostile names.
# Usage: test-cdr-file.sh PATH/TO/cdr-file        Output: TAP
set -u
CDR_FILE=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/check.sh"

make_tree() {
	rm -rf "$T/in" "$T/out"
	mkdir -p "$T/in/sub/deeper" "$T/in/x.{20D04FE0-3AEA-1069-A2D8-08002B30309D}"
	printf 'hello\n' >"$T/in/a.txt"
	printf 'name,total\n=cmd|%s /C calc%s!A0,-5\n' "'" "'" >"$T/in/sub/list.csv"
	printf 'deep\n' >"$T/in/sub/deeper/d.txt"
	printf 'MZ\x90\x00\x03\x00\x00\x00' >"$T/in/invoice.pdf"
	printf 'looks harmless\n' >"$T/in/$(printf 'invoice\u202efdp.exe')"
	printf 'reserved\n' >"$T/in/con.txt"
	printf 'junction\n' >"$T/in/x.{20D04FE0-3AEA-1069-A2D8-08002B30309D}/j.txt"
	printf 'sjis name\n' >"$T/in/$(printf '\x95\x5c.txt')"
	printf 'secret\n' >"$T/secret.txt"
	ln -s "$T/secret.txt" "$T/in/link.txt"
	mkfifo "$T/in/fifo.txt"
}

snapshot() { (cd "$T/in" && find . -printf '%p %y %s %m\n' | sort && find . -type f -exec sha256sum {} + | sort); }

# --- tree mode ---------------------------------------------------------------
make_tree
before=$(snapshot)
timeout 60 "$CDR_FILE" "$T/in" -o "$T/out" -r "$T/report.jsonl" >"$T/stdout" 2>"$T/stderr"
st=$?
check "tree with blocked files exits 1" test "$st" = 1
check "input tree unchanged" test "$before" = "$(snapshot)"
check "clean file mirrored" cmp -s "$T/in/a.txt" "$T/out/a.txt"
check "nested directories mirrored" cmp -s "$T/in/sub/deeper/d.txt" "$T/out/sub/deeper/d.txt"
check "CSV formula neutralized" grep -q "^'=cmd" "$T/out/sub/list.csv"
check "CSV number untouched" grep -q ',-5$' "$T/out/sub/list.csv"
check "exe named .pdf not written" test ! -e "$T/out/invoice.pdf"
check "RLO .exe not written" test -z "$(find "$T/out" -name '*fdp*')"
check "symlink not followed" test -z "$(grep -rl secret "$T/out")"
check "FIFO reported, not read" grep -q 'fifo.txt: not a regular file' "$T/stdout"
check "reserved device name fixed" test -f "$T/out/_con.txt"
check "CLSID directory name defused" test -f "$T/out/x.{20D04FE0-3AEA-1069-A2D8-08002B30309D}_/j.txt"
check "CP932 file name decoded" test -f "$T/out/表.txt"
check "summary shows RLO escaped" grep -q 'invoice<U+202E>fdp.exe' "$T/stdout"
check "summary has no raw RLO" bash -c "! grep -q \$'\u202e' '$T/stdout'"
check "summary counts" grep -Eq '^10 files in .*: 3 clean, 3 sanitized, 4 blocked' "$T/stdout"
check "report path printed" grep -q "Report: $T/report.jsonl" "$T/stdout"

/usr/bin/python3 - "$T/report.jsonl" >"$T/pycheck" 2>&1 <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(recs) == 10, len(recs)
keys = {"path", "output", "size_in", "size_out", "sha256_in", "sha256_out", "detected",
        "declared", "verdict", "actions", "elapsed", "name"}
for r in recs:
    missing = keys - r.keys()
    assert not missing, (r["path"], missing)
    if r["verdict"] == "blocked":
        assert r["output"] is None and r["reason"] and r["error"], r
    else:
        assert r["output"] and len(r["sha256_out"]) == 64, r
by = {r["path"].rsplit("/", 1)[-1]: r for r in recs}
assert by["invoice.pdf"]["error"] == "dangerous-content", by["invoice.pdf"]
assert by["link.txt"]["verdict"] == "blocked"
assert by["list.csv"]["verdict"] == "sanitized"
assert by["list.csv"]["actions"][0]["what"] == "csv-formula"
assert by["a.txt"]["sha256_in"] == by["a.txt"]["sha256_out"]
assert by["j.txt"]["verdict"] == "sanitized", by["j.txt"]
assert {"what": "unsafe-name", "where": "x.{20D04FE0-3AEA-1069-A2D8-08002B30309D}_",
        "count": 1} in by["j.txt"]["actions"], by["j.txt"]
PY
check "JSON Lines report: one valid record per file" test -z "$(cat "$T/pycheck")"
[ -s "$T/pycheck" ] && sed 's/^/# /' "$T/pycheck"

# --- never overwrite, unless --force -----------------------------------------
run "$T/in" -o "$T/out" -q
check "second run into same OUTDIR exits 2" test "$(status)" = 2
check "existing output named in the error" grep -q 'exists (use --force' "$T/stdout" "$T/stderr"
printf 'changed\n' >"$T/out/a.txt"
run "$T/in" -o "$T/out" -q --force
check "--force overwrites" cmp -s "$T/in/a.txt" "$T/out/a.txt"
check "--force run exits 1 (blocked files remain)" test "$(status)" = 1

# --- folder names: one rule with archive members (cdr/names.c) ----------------------
rm -rf "$T/dirs" "$T/dirsout"
for d in "$(printf '\x95\x5c\x83\x5c')" con "old. ." tool.exe "$(printf 'rep\u202eorts')" "   " ok; do
	mkdir -p "$T/dirs/$d"
	printf 'in a folder\n' >"$T/dirs/$d/f.txt"
done
run "$T/dirs" -o "$T/dirsout" -r "$T/dirs.jsonl" -q
check "folder tree written (exit 0)" test "$(status)" = 0
check "CP932 folder name decoded, 0x5C second bytes not split" test -f "$T/dirsout/表ソ/f.txt"
check "device folder name prefixed" test -f "$T/dirsout/_con/f.txt"
check "trailing dots and spaces dropped from a folder" test -f "$T/dirsout/old/f.txt"
check "folder with a program's extension defused" test -f "$T/dirsout/tool.exe_/f.txt"
check "RLO dropped from a folder name" test -f "$T/dirsout/reports/f.txt"
check "a folder of spaces only is dropped" test -f "$T/dirsout/f.txt"
/usr/bin/python3 - "$T/dirs.jsonl" >"$T/pycheck" 2>&1 <<'PY'
import json, sys
recs = {r["output"].split("/dirsout/", 1)[1]: r
        for r in map(json.loads, open(sys.argv[1], encoding="utf-8"))}
want = {"表ソ/f.txt": None, "ok/f.txt": None, "_con/f.txt": "_con", "old/f.txt": "old",
        "tool.exe_/f.txt": "tool.exe_", "reports/f.txt": "reports", "f.txt": ""}
assert set(recs) == set(want), sorted(recs)
for out, where in want.items():
    acts = [a for a in recs[out]["actions"] if a["what"] == "unsafe-name"]
    if where is None:
        assert not acts and recs[out]["verdict"] == "clean", recs[out]
        continue
    assert len(acts) == 1 and acts[0].get("where", "") == where, recs[out]
    assert recs[out]["verdict"] == "sanitized", recs[out]
PY
check "renamed folders reported as unsafe-name on each file below them" test -z "$(cat "$T/pycheck")"
[ -s "$T/pycheck" ] && sed 's/^/# /' "$T/pycheck"

# --- refusals and usage -----------------------------------------------------------
run "$T/in" -o "$T/in/sub/out"
check "OUTDIR inside INPUT refused (exit 2)" test "$(status)" = 2
check "OUTDIR inside INPUT: nothing created" test ! -e "$T/in/sub/out"
run "$T/in"
check "missing -o is a usage error" test "$(status)" = 2
run --no-such-option
check "unknown option is a usage error" test "$(status)" = 2
printf '[limits]\nmax_depth = 3\nmax_dept = 4\n' >"$T/bad.conf"
run -C "$T/bad.conf" "$T/in" -o "$T/out2"
check "config error exits 2" test "$(status)" = 2
check "config error names file, line and key" grep -q "$T/bad.conf:3: \[limits\] max_dept: unknown key" "$T/stderr"

# --- all clean exits 0, -j gives the same result ---------------------------------
rm -rf "$T/clean" && mkdir -p "$T/clean"
for i in $(seq 1 40); do printf 'file %d\n' "$i" >"$T/clean/f$i.txt"; done
run "$T/clean" -o "$T/c1" -j 1 -q
check "all clean exits 0" test "$(status)" = 0
run "$T/clean" -o "$T/c4" -j 4 -q
check "-j 4 gives the same tree as -j 1" diff -r "$T/c1" "$T/c4"

# --- names that clean to the same output name ------------------------------
mkdir -p "$T/dup"
printf 'first\n' >"$T/dup/a.txt"
printf 'second\n' >"$T/dup/a.txt."
printf 'third\n' >"$T/dup/a.txt "
run "$T/dup" -o "$T/dupout" -j 1 -q
check "same-run collisions numbered, nothing overwritten" \
	test "$(cat "$T/dupout/a.txt" "$T/dupout/a (2).txt" "$T/dupout/a (3).txt" | sort | tr '\n' ' ')" = "first second third "

# --- limits -----------------------------------------------------------------------
printf '[limits]\nmax_input_bytes = 10\n' >"$T/small.conf"
printf 'more than ten bytes\n' >"$T/big.txt"
run -C "$T/small.conf" "$T/big.txt" -o "$T/small" -r "$T/small.jsonl"
check "over max_input_bytes is blocked" grep -q '"error":"limit"' "$T/small.jsonl"

# --- filter mode --------------------------------------------------------------------
printf 'name,x\n@SUM(1)\n' | "$CDR_FILE" -c -n data.csv >"$T/f.out" 2>"$T/f.err"
check "-c sanitizes stdin to stdout (exit 0)" test $? = 0
check "-c output neutralized" grep -q "^'@SUM" "$T/f.out"
printf 'MZ\x90\x00' | "$CDR_FILE" -c -n report.pdf >"$T/f2.out" 2>"$T/f2.err"
check "-c blocked exits 1" test $? = 1
check "-c blocked writes nothing to stdout" test ! -s "$T/f2.out"
check "-c blocked says why" grep -q 'blocked: Windows executable' "$T/f2.err"
printf 'a,=1\n' | LC_ALL=C "$CDR_FILE" -c -n 名簿.csv >"$T/f3.out" 2>&1
check "-c takes a Japanese name in the C locale" grep -q "^a,'=1" "$T/f3.out"
printf 'hi\n' | "$CDR_FILE" -c -n x.exe >/dev/null 2>&1
check "-c checks the given name" test $? = 1

# --- locale: --help in a UTF-8 locale shows its Japanese ------------------------------
LC_ALL= LANG=C.UTF-8 "$CDR_FILE" --help >"$T/help.out" 2>&1
check "--help under LANG=C.UTF-8 shows 無害化, not ???" grep -q '(無害化)' "$T/help.out"

# --- mail files: .eml by its header block, --as mail ---------------------------------
printf 'From sender@example.jp Mon Apr  1 09:00:00 2024\nFrom: a@example.jp\nSubject: hi\n\nbody\n' |
	"$CDR_FILE" -c -n saved.eml -r "$T/eml1.jsonl" >"$T/eml1.out" 2>/dev/null
check ".eml with an mbox From line goes to the mail handler" grep -q '"handler":"mime"' "$T/eml1.jsonl"
check "the rebuilt message starts with its headers, not the From line" \
	sh -c "head -1 '$T/eml1.out' | grep -q '^From: a@example.jp'"
printf 'Content-Type: text/plain\n\nonly a body\n' | "$CDR_FILE" -c -n few.eml -r "$T/eml2.jsonl" >/dev/null 2>&1
check ".eml of only Content-Type goes to the mail handler" grep -q '"handler":"mime"' "$T/eml2.jsonl"
printf 'Content-Type: text/plain\n\nonly a body\n' | "$CDR_FILE" -c -n few.txt -r "$T/eml3.jsonl" >/dev/null 2>&1
check "the same bytes named .txt stay text" grep -q '"handler":"text"' "$T/eml3.jsonl"
printf 'Subject: x\n\nbody\n' | "$CDR_FILE" -c --as mail -r "$T/as.jsonl" >"$T/as.out" 2>/dev/null
check "-c --as mail: mail handler without a name" grep -q '"handler":"mime"' "$T/as.jsonl"
printf 'just some words\n' | "$CDR_FILE" -c --as mail >"$T/as2.out" 2>"$T/as2.err"
check "-c --as mail: bytes that are no message are blocked (exit 1)" test $? = 1
check "-c --as mail: nothing on stdout when blocked" test ! -s "$T/as2.out"
run --as mail "$T/clean" -o "$T/as3"
check "--as without -c is a usage error" test "$(status)" = 2
printf 'x\n' | "$CDR_FILE" -c --as pdf >/dev/null 2>&1
check "--as with another kind is a usage error" test $? = 2

# --- password-protected archives (PPAP) and --password-file -----------------------
PPAP=${MUGAIKA_SOURCE_ROOT:-$(dirname "$0")/../..}/fixtures/archive/hostile/ppap-zipcrypto.zip
"$CDR_FILE" -c -n 見積書.zip -r "$T/ppap1.jsonl" <"$PPAP" >"$T/ppap1.zip" 2>/dev/null
check "PPAP zip without passwords: blocked as password-protected" \
	grep -q '"reason":"password-protected archive"' "$T/ppap1.jsonl"
printf 'wrong\r\nhimitsu\r\n' >"$T/passwords.txt"
"$CDR_FILE" -c -n 見積書.zip -P "$T/passwords.txt" -r "$T/ppap2.jsonl" <"$PPAP" >"$T/ppap2.zip"
check "PPAP zip with --password-file (CR LF, second line): opened and rebuilt (exit 0)" test $? = 0
check "the rebuilt zip holds the decrypted members, CP932 names decoded" \
	/usr/bin/python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]);
assert sorted(z.namelist()) == ["見積明細.csv", "見積書.txt"], z.namelist(); z.testzip()' "$T/ppap2.zip"
check "the password never reaches the report" sh -c "! grep -q himitsu '$T/ppap2.jsonl'"
# as Windows editors save it: a byte order mark, CR LF; UTF-16 ("Unicode"); old Mac CR
printf '\357\273\277himitsu\r\n' >"$T/bom.txt"
printf '\377\376h\0i\0m\0i\0t\0s\0u\0\r\0\n\0' >"$T/utf16.txt"
printf 'wrong\rhimitsu\r' >"$T/cr.txt"
for f in bom utf16 cr; do
	"$CDR_FILE" -c -n 見積書.zip -P "$T/$f.txt" <"$PPAP" >/dev/null 2>&1
	check "--password-file saved as $f: the password opens the zip (exit 0)" test $? = 0
done
printf 'nope\n' >"$T/wrong.txt"
"$CDR_FILE" -c -n 見積書.zip --password-file "$T/wrong.txt" <"$PPAP" >/dev/null 2>"$T/ppap3.err"
check "a wrong password list: blocked, exit 1" test $? = 1

RAR4=$(dirname "$PPAP")/password-rar4.rar
printf 'himitsu\n' >"$T/right.txt"
"$CDR_FILE" -c -n plan.rar -P "$T/right.txt" -r "$T/rar4.jsonl" <"$RAR4" >/dev/null 2>&1
check "RAR 2.9 with the right password: still blocked as password-protected (libarchive cannot decrypt it)" \
	grep -q '"error":"encrypted"' "$T/rar4.jsonl"

echo "1..$n"
[ "$failed" = 0 ]
