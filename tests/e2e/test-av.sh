#!/bin/bash
# tests/e2e/test-av.sh - TAP: cdr-milter with [av] behind a real Postfix and a
# real clamd.
#
# Runs as root.  Starts, with tests/e2e/lib.sh and tests/e2e/milter-conf.sh:
#
#   clamd	Debian's clamd as a private instance (tests/clamd.sh: its own
#		config, socket and a test database: EICAR by hash, a marker
#		string by body signature; StreamMaxLength 50M), no freshclam,
#		no network
#   m + pf	cdr-milter (the real worker, sanitize mode, text_domains =
#		text.example.lg.jp, passwords_in_text, [av] on clamd) in the
#		after-queue arrangement of cdr-milter(8): pf screens on its
#		internet smtpd and hands each queued message through
#		content_filter to a second smtpd where the milter converts it.
#		A 4xx there leaves the message in pf's queue, and pf tries it
#		again (queue_run_delay and minimal_backoff_time 2 s, lib.sh).
#
# The return path of cdr-milter(8) (an smtpd without milters) is there for
# cdr-quarantine release, which runs with [av] on the same clamd.
#
# Cases: EICAR as an attachment (removed and named, in sanitize and text
# mode); EICAR inside a zip; EICAR inside a PPAP zip whose password is in
# the mail (the worker hands the decrypted member back for a scan); the
# marker in the text (withheld); clamd stopped -> 451, delivered by Postfix's
# retry once clamd is back; a clamd that never answers -> 451 after [av]
# timeout; on_infected = reject -> 550 naming the signature; a message over
# stream_max_bytes -> withheld with both limits named; release with [av]:
# a clean message released, EICAR in a zip whose password only the
# administrator gives blocked by the release's scan and never delivered,
# a message clamd found malware in refused.  Each delivered
# message is parsed with Python's email package; the audit record and the
# quarantine record of each are checked for what clamd found.
#
# Mails: fixtures/gen/av_mail.py, written at run time (EICAR is not kept in
# the repository).  Usage: test-av.sh [BUILD_DIR] (or MUGAIKA_BUILD).

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD=${1:-${MUGAIKA_BUILD:-$SRC/build}}
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || BUILD=
PY=/usr/bin/python3

. "$HERE/tap.sh"
[ "$(id -u)" = 0 ] || skip "needs root"
need postfix postconf postqueue smtp-sink swaks ss "$PY"
[ -n "$BUILD" ] && [ -x "$BUILD/milter/cdr-milter" ] || skip "no milter/cdr-milter in the build directory"
getent passwd nobody >/dev/null && getent group nogroup >/dev/null || skip "needs user nobody, group nogroup"

. "$HERE/lib.sh"
clamd_available || { echo "Bail out! no $CLAMD_BIN (apt install clamav-daemon; scripts/setup.sh does)"; exit 1; }
E2E_MILTER_BIN=$BUILD/milter/cdr-milter
E2E_MILTER_WORKER=$BUILD/cdr-worker
. "$HERE/milter-conf.sh"

BASE=${E2E_BASE:-/tmp/mugaika-e2e}
PF=$BASE/av-pf
MD=$BASE/av-m
CL=$BASE/av-clamd
WORK=$BASE/av-work
MAILS=$WORK/mails
TO=soumu@city.example.lg.jp
TO_TEXT=kikaku@text.example.lg.jp
EICAR_SIG=$CLAMD_EICAR_SIGNATURE
FAKE_PID=

cleanup() {
	e2e_milter_stop_all
	e2e_stop_all
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

NTESTS=16
T_ALL=$(now)

# milter_conf KEY=VALUE...: the milter's configuration, these keys changed
milter_conf() {
	e2e_milter_conf "$MD" mail.mode=sanitize mail.text_domains=text.example.lg.jp \
		mail.passwords_in_text=true "av.clamd=$(e2e_clamd_socket "$CL")" \
		av.stream_max_bytes=50M av.timeout=5 "$@"
}

# send FILE TO: queue FILE at pf's internet smtpd; sets CODE, QID (pf's id)
send() {
	e2e_use "$PF" || return 1
	REPLY=$(e2e_send sender@example.jp "$2" "$1")
	CODE=${REPLY:0:3}
	QID=$(sed -n 's/.* queued as \([0-9A-Za-z]*\).*/\1/p' <<<"$REPLY")
}

# hop_result QID REGEX [TIMEOUT]: wait until pf logs the content-filter hop
# of QID with a status matching REGEX; prints that log line
hop_result() {
	local line
	e2e_wait_log "$1: to=<.*relay=127\.0\.0\.1\[127\.0\.0\.1\]:$E2E_FILTER_PORT,.*status=$2" "${3:-30}" ||
		return 1
	e2e_log | grep -E "$1: to=<.*:$E2E_FILTER_PORT,.*status=$2" | tail -1
}

# delivered FILE TO: send, wait for the hop, find the converted message;
# sets QID2 (the id behind the content filter, which audit and sink carry)
# and SINK
delivered() {
	local line
	send "$1" "$2"
	[ "$CODE" = 250 ] || { echo "#   reply: $REPLY"; return 1; }
	line=$(hop_result "$QID" sent) || { echo "#   $QID did not pass the content filter"; e2e_log | tail -5 | indent; return 1; }
	QID2=$(sed -n 's/.*queued as \([0-9A-Za-z]*\)).*/\1/p' <<<"$line")
	SINK=$(e2e_sink_find "$QID2" 30) || { echo "#   $QID2 not in the sink"; return 1; }
}

check() { $PY "$WORK/check.py" "$@" 2>&1 | indent; return "${PIPESTATUS[0]}"; }

echo "1..$NTESTS"

# ------------------------------------------------------------------ setup
mkdir -p "$BASE"
e2e_reap "$BASE"
pid=$(cat "$MD/milter.pid" 2>/dev/null)
if [ -n "$pid" ] && grep -qF "$MD/mugaika.conf" "/proc/$pid/cmdline" 2>/dev/null; then
	kill -KILL "$pid" 2>/dev/null
fi
clamd_stop "$CL"
rm -rf "$WORK" "$MD" "$CL"
mkdir -p "$WORK"
$PY "$SRC/fixtures/gen/av_mail.py" "$MAILS" || { echo "Bail out! fixtures/gen/av_mail.py failed"; exit 1; }
# a message over stream_max_bytes when that is 1M: 1.2 MB of text lines
$PY - "$MAILS/big.eml" <<'EOF'
import sys
lines = "".join("AV-BIG-BODY line %06d %s\r\n" % (i, "x" * 60) for i in range(16000))
open(sys.argv[1], "w").write("From: sender@example.jp\r\nTo: soumu@city.example.lg.jp\r\n"
                             "Subject: big\r\nMessage-ID: <av-big@example.jp>\r\n\r\n" + lines)
EOF

cat > "$WORK/check.py" <<'PYEOF'
# check.py - written by tests/e2e/test-av.sh
#   check.py mail SINK [--has S]... [--lacks S]... [--attachments A,B] [--withheld]
#   check.py audit AUDIT QID --action A [--av V] [--malware SIG]... [--reason S]
#                  [--qconf MUGAIKA_CONF]   (the quarantine: cdr-quarantine -c)
#   check.py none-to RCPT SINKDIR MARKER   no converted message for RCPT has MARKER
import argparse, email, json, os, re, subprocess, sys
from email import policy

SINK_HDR = re.compile(rb"\A(?:X-(?:Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args): "
                      rb"[^\n]*\n)*Received: [^\n]*\n(?:[ \t][^\n]*\n)*")
problems = []


def bad(msg):
    problems.append(msg)


def parse_sink(path):
    data = open(path, "rb").read()
    rcpt = re.search(rb"^X-Rcpt-Args: <([^>]*)>", data, re.M)
    data = SINK_HDR.sub(b"", data, count=1)
    return email.message_from_bytes(data, policy=policy.default), rcpt.group(1).decode() if rcpt else ""


def text_and_names(msg):
    text, names = "", []
    for p in msg.walk():
        if p.is_multipart():
            continue
        if p.get_filename():
            names.append(p.get_filename())
        elif p.get_content_type() == "text/plain":
            text += p.get_content()
    return text, names


def everything(msg):
    out = b""
    for p in msg.walk():
        if not p.is_multipart():
            out += p.get_payload(decode=True) or b""
    return out


def check_mail(a):
    msg, _ = parse_sink(a.sink)
    text, names = text_and_names(msg)
    for s in a.has:
        if s not in text:
            bad("text lacks %r" % s)
    for s in a.lacks:
        if s in text or s.encode() in everything(msg):
            bad("message has %r" % s)
    if a.attachments is not None:
        want = [n for n in a.attachments.split(",") if n]
        if sorted(names) != sorted(want):
            bad("attachments %s, want %s" % (names, want))
    x = str(msg.get("X-Mugaika", ""))
    if a.withheld and "verdict=blocked" not in x:
        bad("not the withheld notice: X-Mugaika %r" % x)
    if not a.withheld and "verdict=blocked" in x:
        bad("withheld: X-Mugaika %r" % x)
    if problems:
        print(text)


def check_audit(a):
    recs = [json.loads(l) for l in open(a.audit, encoding="utf-8")]
    recs = [r for r in recs if r.get("queue_id") == a.qid]
    if not recs:
        bad("no audit record for %s" % a.qid)
        return
    r = recs[-1]
    if r.get("action") != a.action:
        bad("action %r, want %r (reason %r)" % (r.get("action"), a.action, r.get("reason")))
    if a.av and r.get("av") != a.av:
        bad("av %r, want %r" % (r.get("av"), a.av))
    if sorted(r.get("malware") or []) != sorted(a.malware):
        bad("malware %r, want %r" % (r.get("malware"), a.malware))
    if a.reason and a.reason not in (r.get("reason") or ""):
        bad("reason %r lacks %r" % (r.get("reason"), a.reason))
    if a.qconf:
        qid = r.get("quarantine_id")
        if not qid:
            bad("no quarantine id")
            return
        tool = [os.environ["E2E_QUARANTINE"], "-c", a.qconf]
        shown = subprocess.run(tool + ["show", "-j", qid], stdout=subprocess.PIPE)
        kept = subprocess.run(tool + ["extract", qid], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL)
        if shown.returncode != 0 or kept.returncode != 0 or not kept.stdout:
            bad("original %s not kept" % qid)
            return
        s = json.loads(shown.stdout)
        meta = s["record"]
        if meta.get("malware") != r.get("malware") or meta.get("av") != r.get("av"):
            bad("quarantine record: av %r malware %r" % (meta.get("av"), meta.get("malware")))
        if r.get("malware") and (s["message"]["releasable"] or
                                 s["message"]["malware"] != ", ".join(r["malware"])):
            bad("quarantine index: malware %r releasable %r" % (s["message"]["malware"],
                                                               s["message"]["releasable"]))


def check_none_to(a):
    for f in os.listdir(a.sinkdir):
        msg, rcpt = parse_sink(os.path.join(a.sinkdir, f))
        if rcpt == a.rcpt and a.marker.encode() in everything(msg):
            bad("%s got a message with %r: %s" % (a.rcpt, a.marker, f))


p = argparse.ArgumentParser()
sub = p.add_subparsers(dest="cmd")
m = sub.add_parser("mail")
m.add_argument("sink")
m.add_argument("--has", action="append", default=[])
m.add_argument("--lacks", action="append", default=[])
m.add_argument("--attachments")
m.add_argument("--withheld", action="store_true")
au = sub.add_parser("audit")
au.add_argument("audit")
au.add_argument("qid")
au.add_argument("--action", required=True)
au.add_argument("--av")
au.add_argument("--malware", action="append", default=[])
au.add_argument("--reason")
au.add_argument("--qconf")
n = sub.add_parser("none-to")
n.add_argument("rcpt")
n.add_argument("sinkdir")
n.add_argument("marker")
a = p.parse_args()
{"mail": check_mail, "audit": check_audit, "none-to": check_none_to}[a.cmd](a)
for x in problems:
    print(x)
sys.exit(1 if problems else 0)
PYEOF

AUDIT=$MD/var/audit.jsonl
export E2E_QUARANTINE=$BUILD/milter/cdr-quarantine
T=$(now)
if ! e2e_clamd_start "$CL" 50M; then
	echo "Bail out! the private clamd did not start"
	exit 1
fi
milter_conf
if ! e2e_milter_start "$MD"; then
	echo "Bail out! cdr-milter with [av] did not start"
	exit 1
fi
if ! E2E_RETURN_PATH=yes E2E_ARRANGEMENT=after-queue e2e_start "$PF" "$(e2e_milter_socket "$MD")"; then
	echo "Bail out! Postfix did not start"
	exit 1
fi
diag "clamd, cdr-milter and Postfix up in $(elapsed "$T") s"

# ------------------------------------------------------------------ cases
st=0
delivered "$MAILS/clean.eml" "$TO" || st=1
[ "$st" = 0 ] && { check mail "$SINK" --has AV-CLEAN-BODY --attachments note.txt || st=1; }
[ "$st" = 0 ] && { check audit "$AUDIT" "$QID2" --action delivered --av clean || st=1; }
ok "$st" "a clean message: scanned and delivered"

st=0
delivered "$MAILS/eicar-attachment.eml" "$TO" || st=1
[ "$st" = 0 ] && { check mail "$SINK" --has AV-EICAR-BODY \
	--has "請求書.com (application/octet-stream, 68 B): ウイルスを検出したため削除しました ($EICAR_SIG)" \
	--has "removed: virus found ($EICAR_SIG)" --lacks EICAR-STANDARD --attachments note.txt || st=1; }
[ "$st" = 0 ] && { check audit "$AUDIT" "$QID2" --action delivered --av infected \
	--malware "$EICAR_SIG" --qconf "$MD/mugaika.conf" || st=1; }
ok "$st" "EICAR as an attachment: removed and named in the notice, the rest delivered; audit and quarantine record name it"

st=0
delivered "$MAILS/eicar-attachment.eml" "$TO_TEXT" || st=1
[ "$st" = 0 ] && { check mail "$SINK" --has AV-EICAR-BODY \
	--has "請求書.com (application/octet-stream, 68 B): ウイルスを検出したため削除しました ($EICAR_SIG)" \
	--has "note.txt (text/plain" --lacks EICAR-STANDARD --attachments "" || st=1; }
[ "$st" = 0 ] && { check audit "$AUDIT" "$QID2" --action delivered --av infected --malware "$EICAR_SIG" || st=1; }
ok "$st" "EICAR as an attachment in text mode: every attachment removed, the infected one named"

st=0
delivered "$MAILS/eicar-in-zip.eml" "$TO" || st=1
[ "$st" = 0 ] && { check mail "$SINK" --has AV-ZIP-BODY \
	--has "資料.zip (application/zip" --has "ウイルスを検出したため削除しました ($EICAR_SIG)" \
	--lacks EICAR-STANDARD --attachments note.txt || st=1; }
[ "$st" = 0 ] && { check audit "$AUDIT" "$QID2" --action delivered --av infected --malware "$EICAR_SIG" || st=1; }
ok "$st" "EICAR inside a zip: the zip removed and named"

st=0
delivered "$MAILS/eicar-in-ppap.eml" "$TO" || st=1
[ "$st" = 0 ] && { check mail "$SINK" --has AV-PPAP-BODY \
	--has "資料.zip の中の eicar.com からウイルスを検出したため削除しました ($EICAR_SIG)" \
	--lacks EICAR-STANDARD --attachments 資料.zip || st=1; }
[ "$st" = 0 ] && { check audit "$AUDIT" "$QID2" --action delivered --av clean --malware "$EICAR_SIG" || st=1; }
[ "$st" = 0 ] && { $PY - "$SINK" <<'EOF' || st=1
import email, io, re, sys, zipfile
from email import policy
data = re.sub(rb"\A(?:X-[^\n]*\n)*Received: [^\n]*\n(?:[ \t][^\n]*\n)*", b"", open(sys.argv[1], "rb").read(), count=1)
msg = email.message_from_bytes(data, policy=policy.default)
z = [p for p in msg.walk() if p.get_filename() == "資料.zip"][0]
zf = zipfile.ZipFile(io.BytesIO(z.get_payload(decode=True)))
assert zf.namelist() == ["資料.txt"], zf.namelist()
assert zf.read("資料.txt").decode() == "4月の資料です。\n"
assert not any(i.flag_bits & 1 for i in zf.infolist()), "still encrypted"
EOF
}
ok "$st" "EICAR inside a PPAP zip whose password is in the mail: clamd saw ciphertext; the decrypted member handed back, found and removed, the clean one delivered"

# ------------------------------------------------------------------ release
# cdr-quarantine release with [av] on: what it delivers went through clamd
# as the milter's conversion does (the pool's scanner), passwords included.
QTOOL=("$BUILD/milter/cdr-quarantine" -c "$MD/mugaika.conf")
release() { MUGAIKA_WORKER=$BUILD/cdr-worker "${QTOOL[@]}" release "$@"; }
# quarantine_id QID2: the quarantine id of the message the milter saw as QID2
quarantine_id() {
	$PY - "$AUDIT" "$1" <<'PYEOF'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    if r.get("queue_id") == sys.argv[2] and r.get("quarantine_id"):
        print(r["quarantine_id"])
PYEOF
}
# released ID: the sink files of the release of quarantine id ID
released() {
	e2e_use "$PF"
	e2e_sink_files | xargs -r grep -lF "X-Mugaika-Followup: release; id=$1" 2>/dev/null
}
milter_conf "release.relay=inet:127.0.0.1:$E2E_RETURN_PORT"
e2e_milter_hup "$MD"

st=0
delivered "$MAILS/clean.eml" "$TO" || st=1
ID=$(quarantine_id "$QID2")
[ -n "$ID" ] || { echo "#   no quarantine id for $QID2"; st=1; }
if [ "$st" = 0 ]; then
	release "$ID" > "$WORK/rel-clean.out" 2>&1 || { st=1; indent < "$WORK/rel-clean.out"; }
	for i in $(seq 1 60); do [ -n "$(released "$ID")" ] && break; sleep 0.5; done
	f=$(released "$ID")
	[ "$(grep -c . <<<"$f")" = 1 ] || { echo "#   releases in the sink: '$f'"; st=1; }
	[ -n "$f" ] && { check mail "$f" --has AV-CLEAN-BODY --attachments note.txt || st=1; }
	grep -q "delivered to $TO" "$WORK/rel-clean.out" || { st=1; indent < "$WORK/rel-clean.out"; }
fi
ok "$st" "release with [av]: a clean message scanned by clamd and delivered once through the return path"

st=0
delivered "$MAILS/eicar-in-ppap-nopw.eml" "$TO" || st=1
ID=$(quarantine_id "$QID2")
[ "$st" = 0 ] && { check mail "$SINK" --has AV-PPAP-NOPW-BODY --attachments "" || st=1; }
if [ "$st" = 0 ]; then
	printf 'himitsu\n' > "$WORK/himitsu.txt"
	release "$ID" --password-file "$WORK/himitsu.txt" > "$WORK/rel-eicar.out" 2>&1
	rc=$?
	indent < "$WORK/rel-eicar.out"
	sleep 3
	# nothing of EICAR reached anyone; what was delivered (the zip's clean
	# member, when the release went out) says why eicar.com is missing
	check none-to "$TO" "$E2E_DIR/sink" EICAR-STANDARD || st=1
	f=$(released "$ID")
	if [ -n "$f" ]; then
		[ "$rc" = 0 ] || { st=1; echo "#   delivered, but exit $rc"; }
		check mail "$f" --lacks EICAR-STANDARD --has AV-PPAP-NOPW-BODY \
			--has "資料.zip の中の eicar.com からウイルスを検出したため削除しました ($EICAR_SIG)" \
			--attachments 資料.zip || st=1
		# the release's own output and the store's record name it too
		grep -qF "malware removed: $EICAR_SIG" "$WORK/rel-eicar.out" ||
			{ st=1; echo "#   the release's output does not name $EICAR_SIG"; }
		"${QTOOL[@]}" --json show "$ID" > "$WORK/rel-eicar.json" 2>&1 || st=1
		$PY - "$WORK/rel-eicar.json" "$EICAR_SIG" <<'PYEOF' || st=1
import json, sys
s = json.load(open(sys.argv[1]))
d = [r for r in s["releases"] if r["state"] == "delivered"]
assert len(d) == 1 and "malware removed: " + sys.argv[2] in d[0]["delivered"], s["releases"]
e = [e for e in s["events"] if e["what"] == "release-delivered"]
assert len(e) == 1 and sys.argv[2] in json.dumps(e[0], ensure_ascii=False), s["events"]
print("#   recorded:", d[0]["delivered"])
PYEOF
		$PY - "$f" <<'PYEOF' || st=1
import email, io, re, sys, zipfile
from email import policy
data = re.sub(rb"\A(?:X-[^\n]*\n)*Received: [^\n]*\n(?:[ \t][^\n]*\n)*", b"", open(sys.argv[1], "rb").read(), count=1)
msg = email.message_from_bytes(data, policy=policy.default)
z = [p for p in msg.walk() if p.get_filename() == "資料.zip"][0]
zf = zipfile.ZipFile(io.BytesIO(z.get_payload(decode=True)))
assert zf.namelist() == ["資料.txt"], zf.namelist()
assert not any(i.flag_bits & 1 for i in zf.infolist()), "still encrypted"
print("#   released zip holds", zf.namelist())
PYEOF
	else
		[ "$rc" != 0 ] && grep -q "$EICAR_SIG" "$WORK/rel-eicar.out" ||
			{ st=1; echo "#   not delivered, exit $rc, the signature not said"; }
	fi
fi
ok "$st" "release with [av] of EICAR in a zip whose password only the administrator gives: the release's scan finds it in the decrypted zip, EICAR never delivered, the notice of what is delivered, the release's output and its record (delivered, event) name the signature"

st=0
delivered "$MAILS/eicar-attachment.eml" "$TO" || st=1
ID=$(quarantine_id "$QID2")
if [ "$st" = 0 ]; then
	if release "$ID" > "$WORK/rel-bad.out" 2>&1; then
		st=1
		echo "#   released: $(cat "$WORK/rel-bad.out")"
	fi
	grep -q "cannot be released (malware: $EICAR_SIG)" "$WORK/rel-bad.out" ||
		{ st=1; echo "#   $(cat "$WORK/rel-bad.out")"; }
	sleep 1
	[ -z "$(released "$ID")" ] || { st=1; echo "#   delivered"; }
fi
ok "$st" "release with [av] of a message clamd found malware in: refused, nothing delivered"

st=0
delivered "$MAILS/marker-in-text.eml" "$TO" || st=1
[ "$st" = 0 ] && { check mail "$SINK" --withheld --lacks AV-MARKER-BODY --lacks "$CLAMD_TEST_MARKER" \
	--has "このメールからウイルスを検出したため" --has "$CLAMD_MARKER_SIGNATURE" || st=1; }
[ "$st" = 0 ] && { check audit "$AUDIT" "$QID2" --action withheld --av infected \
	--malware "$CLAMD_MARKER_SIGNATURE" --reason "in no part that could be removed" --qconf "$MD/mugaika.conf" || st=1; }
ok "$st" "a virus in the text itself: the message withheld (notice only), never delivered as if clean"

# clamd goes away: 451 at the content filter, pf keeps the message and tries
# again; it is delivered once clamd is back
T=$(now)
st=0
e2e_clamd_stop "$CL"
send "$MAILS/clean.eml" "$TO"
QID_RETRY=$QID
[ "$CODE" = 250 ] || { echo "#   reply: $REPLY"; st=1; }
[ "$st" = 0 ] && { hop_result "$QID_RETRY" 'deferred \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 451 4\.7\.0 .*virus scan unavailable: cannot connect to clamd' 30 >/dev/null ||
	{ echo "#   no 451 for $QID_RETRY"; e2e_log | tail -4 | indent; st=1; }; }
[ "$st" = 0 ] && [ "$(e2e_queue_count)" -ge 1 ] || { [ "$st" = 0 ] && echo "#   not kept in the queue"; st=1; }
ok "$st" "clamd stopped: 451 4.7.0 at the content filter, the message stays in Postfix's queue"

st=0
e2e_clamd_start "$CL" 50M || st=1
line=$(hop_result "$QID_RETRY" sent 40) || { echo "#   $QID_RETRY not retried and sent"; e2e_log | tail -4 | indent; st=1; }
if [ "$st" = 0 ]; then
	QID2=$(sed -n 's/.*queued as \([0-9A-Za-z]*\)).*/\1/p' <<<"$line")
	SINK=$(e2e_sink_find "$QID2" 30) && check mail "$SINK" --has AV-CLEAN-BODY --attachments note.txt || st=1
	[ "$(grep -c '"action":"tempfailed"' "$AUDIT")" -ge 1 ] || { echo "#   no tempfailed audit record"; st=1; }
fi
ok "$st" "clamd back: Postfix's retry delivers the message ($(elapsed "$T") s in all)"

# a clamd that takes the stream and never answers: 451 after [av] timeout
st=0
clamd_start_silent "$WORK/slow.sock" || st=1
FAKE_PID=$CLAMD_SILENT_PID
milter_conf "av.clamd=unix:$WORK/slow.sock" av.timeout=2
e2e_milter_hup "$MD" || st=1
T=$(now)
send "$MAILS/clean.eml" "$TO"
QID_SLOW=$QID
[ "$st" = 0 ] && { hop_result "$QID_SLOW" 'deferred .*451 4\.7\.0 .*virus scan unavailable: waiting for clamd .*no answer within timeout' 30 >/dev/null ||
	{ echo "#   no 451 for $QID_SLOW"; e2e_log | tail -4 | indent; st=1; }; }
ok "$st" "clamd slower than [av] timeout (2 s): 451 4.7.0, the message stays queued ($(elapsed "$T") s)"
kill "$FAKE_PID" 2>/dev/null
FAKE_PID=

# on_infected = reject: 550 naming the signature (pf bounces it to the sender)
st=0
milter_conf av.on_infected=reject
e2e_milter_hup "$MD" || st=1
e2e_flush >/dev/null 2>&1 # the slow case's message, now that clamd answers
send "$MAILS/eicar-attachment.eml" "$TO"
[ "$st" = 0 ] && { hop_result "$QID" "bounced \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 550 5\.7\.1 Message refused by the content filter: virus found: $EICAR_SIG" 30 >/dev/null ||
	{ echo "#   no 550 for $QID"; e2e_log | tail -4 | indent; st=1; }; }
[ "$st" = 0 ] && { check none-to "$TO" "$E2E_DIR/sink" EICAR-STANDARD || st=1; }
ok "$st" "on_infected = reject: 550 5.7.1 naming the signature; nothing reaches the LGWAN side"

st=0
[ -n "$QID_SLOW" ] && { hop_result "$QID_SLOW" sent 30 >/dev/null || { echo "#   $QID_SLOW not delivered after all"; st=1; }; }
AUDIT_REJECT=$(grep '"action":"rejected"' "$AUDIT" | tail -1)
grep -q "\"malware\":\[\"$EICAR_SIG\"\]" <<<"$AUDIT_REJECT" || { echo "#   audit: $AUDIT_REJECT" | cut -c1-300; st=1; }
grep -q '"av":"infected"' <<<"$AUDIT_REJECT" || st=1
ok "$st" "the rejected message's audit record names the signature; the slowed one is delivered once clamd answers"

# over stream_max_bytes: withheld, both limits named
st=0
milter_conf av.stream_max_bytes=1M
e2e_milter_hup "$MD" || st=1
delivered "$MAILS/big.eml" "$TO" || st=1
[ "$st" = 0 ] && { check mail "$SINK" --withheld --lacks AV-BIG-BODY \
	--has "over [av] stream_max_bytes (1048576), set to clamd's StreamMaxLength" || st=1; }
[ "$st" = 0 ] && { check audit "$AUDIT" "$QID2" --action withheld --av too-big || st=1; }
ok "$st" "a message over stream_max_bytes: not scanned, withheld, both limits named"

st=0
n=$(grep -c '"action":"delivered"' "$AUDIT")
kept=$("$BUILD/milter/cdr-quarantine" -c "$MD/mugaika.conf" stats -j |
	$PY -c 'import json, sys; t = json.load(sys.stdin); print(t["messages"] + t["receiving"])')
# delivered (clean x4, eicar x3, zip, ppap x2), withheld x2, rejected: 13 kept originals
[ "$kept" = 13 ] || { echo "#   $kept originals kept, want 13 (tempfailed tries must leave none)"; st=1; }
[ "$n" -ge 7 ] || { echo "#   $n delivered records"; st=1; }
marked=$("$BUILD/milter/cdr-quarantine" -c "$MD/mugaika.conf" list | grep -c "\[malware: $EICAR_SIG\]")
[ "$marked" = 6 ] || { echo "#   $marked originals listed as EICAR malware, want 6"; st=1; }
ok "$st" "the quarantine keeps one original per accepted message, none for the 451 tries; cdr-quarantine list marks the infected"

diag "test-av: $(elapsed "$T_ALL") s"
[ "$FAILED" -eq 0 ]
