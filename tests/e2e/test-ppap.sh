#!/bin/bash
# tests/e2e/test-ppap.sh - TAP: PPAP pairing and release through a real Postfix.
#
# Runs as root.  Starts, with tests/e2e/lib.sh and tests/e2e/milter-conf.sh:
#
#   tp-m + tp-main  cdr-milter with the real cdr-worker (sanitize mode;
#		[mail] passwords_in_text;
#		[ppap] pair_window 120 s, mask_password, max_tries 3; [release]
#		relay = the instance's return path) before the queue of a
#		private Postfix whose master.cf has the return path of
#		cdr-milter(8) (an smtpd without milters on a free port, as
#		127.0.0.1:10026 in etc/postfix/master.cf.example), relaying
#		everything to smtp-sink.
#
# Mails are fixtures/ppap/benign/ (fixtures/gen/ppap_mail.py), each case
# with its own sender (envelope and From), so that no case pairs with
# another's message. Follow-ups are found in the sink by their
# X-Mugaika-Followup header (KIND; id=QUARANTINE-ID) and read with Python's
# email package and zipfile.
#
# Three cases kill the milter with SIGKILL at a step of a pairing (gdb holds
# the pairing thread at a breakpoint, non-stop, while the milter answers on;
# no test hook in the milter) and start it again: before the pairing ran
# (the follow-up delivered once after the restart), after the follow-up was
# submitted (not submitted again; "failed" in show and list; released by
# hand), after its Message-ID was recorded but before it was submitted
# (failed, nothing sent). Without gdb they fail.
#
# A release whose relay takes the data and closes without answering (a
# Python listener) is "uncertain": refused again until --force. Two cases
# kill cdr-quarantine release (gdb runs it, SIGKILL from outside) while
# "sending": before its Message-ID was recorded (the next run delivers
# that release, once), and at the submission (uncertain: refused naming
# the Message-ID, then --force).
#
# Usage: test-ppap.sh [BUILD_DIR]   (or MUGAIKA_BUILD; default ../../build)

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD=${1:-${MUGAIKA_BUILD:-$SRC/build}}
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || BUILD=
PY=/usr/bin/python3

. "$HERE/tap.sh"
[ "$(id -u)" = 0 ] || skip "needs root"
need postfix postconf smtp-sink swaks ss "$PY"
[ -n "$BUILD" ] && [ -x "$BUILD/milter/cdr-milter" ] || skip "no milter/cdr-milter in the build directory"
[ -x "$BUILD/cdr-worker" ] || skip "no cdr-worker in the build directory"
getent passwd nobody >/dev/null && getent group nogroup >/dev/null || skip "needs user nobody, group nogroup"

. "$HERE/lib.sh"
. "$SRC/tests/gdb-kill.sh"
E2E_MILTER_BIN=$BUILD/milter/cdr-milter
E2E_MILTER_WORKER=$BUILD/cdr-worker
. "$HERE/milter-conf.sh"

BASE=${E2E_BASE:-/tmp/mugaika-e2e}
PF=$BASE/tp-main
MD=$BASE/tp-m
WORK=$BASE/tp-work
FIX=$SRC/fixtures/ppap/benign
TO=soumu@city.example.lg.jp
TO_OTHER=kikaku@city.example.lg.jp
RIGHT='Mitsu2024!'
QTOOL=("$BUILD/milter/cdr-quarantine" -c "$MD/mugaika.conf")

cleanup() {
	gdb_kill_end
	e2e_milter_stop_all
	e2e_stop_all
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

NTESTS=16
T_ALL=$(now)

echo "1..$NTESTS"

mkdir -p "$BASE"
e2e_reap "$BASE"
pid=$(cat "$MD/milter.pid" 2>/dev/null)
if [ -n "$pid" ] && grep -qF "$MD/mugaika.conf" "/proc/$pid/cmdline" 2>/dev/null; then
	kill -KILL "$pid" 2>/dev/null
fi
rm -rf "$WORK" "$MD"
mkdir -p "$WORK"

E2E_RETURN_PATH=yes e2e_start "$PF" "$(e2e_milter_socket "$MD")" || bail "postfix did not start"
conf() {
	e2e_milter_conf "$MD" mail.passwords_in_text=true \
		ppap.pair_window=120 ppap.mask_password=true ppap.max_tries=3 \
		ppap.followup_from=mugaika@gw.city.example.lg.jp \
		"release.relay=inet:127.0.0.1:$E2E_RETURN_PORT" "$@"
}
conf || bail "cannot write the milter's configuration"
e2e_milter_start "$MD" || bail "cdr-milter did not start"

# mail SOURCE OUT SENDER [TO]: a fixture as sent by SENDER (envelope and
# From) to TO, with its own Message-ID; SOURCE "pw:WORD" makes a password
# message for WORD
mail() {
	$PY - "$1" "$FIX" "$WORK/$2" "$3" "${4:-$TO}" <<'PYEOF'
import base64, os, re, sys
src, fix, out, sender, to = sys.argv[1:6]
if src.startswith("pw:"):
    body = "先ほどの添付ファイルのパスワードです。\r\n\r\nパスワード：%s\r\n" % src[3:]
    data = ("From: yamada@example.co.jp\r\nTo: soumu@city.example.lg.jp\r\n"
            "Subject: =?UTF-8?B?%s?=\r\nDate: Mon, 01 Dec 2025 10:05:00 +0900\r\n"
            "Message-ID: <pw@example.co.jp>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n"
            "\r\n%s\r\n" % (base64.b64encode("パスワード".encode()).decode(),
                            base64.b64encode(body.encode()).decode())).encode()
else:
    data = open(os.path.join(fix, src), "rb").read()
data = data.replace(b"yamada@example.co.jp", sender.encode())
data = data.replace(b"To: soumu@city.example.lg.jp", b"To: " + to.encode())
tag = os.path.basename(out).encode()
data = re.sub(rb"Message-ID: <", b"Message-ID: <" + tag + b".", data, count=1)
open(out, "wb").write(data)
PYEOF
}

# send FILE SENDER [TO]: sets CODE, QID and QUID (the quarantine id)
send() {
	e2e_use "$PF"
	local reply
	reply=$(e2e_send "$2" "${3:-$TO}" "$1")
	CODE=${reply:0:3}
	QID=$(sed -n 's/.* queued as \([0-9A-Za-z]*\).*/\1/p' <<<"$reply")
	QUID=$($PY - "$MD/var/audit.jsonl" "$QID" <<'PYEOF'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    if r.get("queue_id") == sys.argv[2] and r.get("quarantine_id"):
        print(r["quarantine_id"])
PYEOF
)
	[ "$CODE" = 250 ] && [ -n "$QUID" ] || { echo "#   $1: $reply"; return 1; }
	e2e_sink_find "$QID" 30 >/dev/null || { echo "#   $QID not delivered"; return 1; }
}

# store_sql SQL: one value from the quarantine store (read-only)
store_sql() {
	$PY - "$MD/var/quarantine/quarantine.sqlite" "$1" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
row = db.execute(sys.argv[2]).fetchone()
print(row[0] if row else "")
PYEOF
}

# followups KIND ID: the sink files of KIND (followup, listing, release) of ID
followups() {
	e2e_use "$PF"
	e2e_sink_files | xargs -r grep -lF "X-Mugaika-Followup: $1; id=$2" 2>/dev/null
}

# wait_followup KIND ID [TIMEOUT]: until one arrives; then 3 s for a second
wait_followup() {
	local end=$((SECONDS + ${3:-40}))
	while [ -z "$(followups "$1" "$2")" ]; do
		[ "$SECONDS" -ge "$end" ] && { echo "#   no $1 of $2 after ${3:-40} s"; return 1; }
		sleep 0.5
	done
	sleep 3
	local n
	n=$(followups "$1" "$2" | grep -c .)
	[ "$n" = 1 ] || { echo "#   $n messages of kind $1 for $2"; return 1; }
	FOLLOWUP=$(followups "$1" "$2")
}

# stop_pid PID: a listener this script started, stopped and reaped
stop_pid() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# check FILE WHAT [ARGS]: the delivered message read with Python
check() {
	local f=$1
	shift
	e2e_sink_message "$f" > "$WORK/check.eml"
	$PY - "$WORK/check.eml" "$@" <<'PYEOF'
import email, email.policy, io, sys, zipfile
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
what = sys.argv[2]
text = "".join(p.get_content() for p in msg.walk() if p.get_content_maintype() == "text")
zips = [p for p in msg.walk() if (p.get_filename() or "").endswith(".zip")]
def disarmed_zip(word=True):
    assert len(zips) == 1, "zip attachments: %d" % len(zips)
    z = zipfile.ZipFile(io.BytesIO(zips[0].get_payload(decode=True)))
    names = z.namelist()
    assert names, "empty zip"
    for i in z.infolist():
        assert not i.flag_bits & 1, "%s still encrypted" % i.filename
        data = z.read(i)
        if i.filename.endswith((".docx", ".docm")):
            inner = zipfile.ZipFile(io.BytesIO(data)).namelist()
            assert not any("vbaProject" in n for n in inner), "macro kept in " + i.filename
    assert not word or any(n.endswith((".docx", ".docm")) for n in names), names
    return names
if what == "disarmed":          # the zip opened and its Word file disarmed
    print("#   zip holds", disarmed_zip())
elif what == "followup":        # SUBJECT-PART
    assert msg["Subject"].startswith("【添付ファイル無害化済】"), msg["Subject"]
    assert sys.argv[3] in msg["Subject"], msg["Subject"]
    print("#   %s: zip holds %s" % (msg["Subject"], disarmed_zip("見積" in msg["Subject"])))
elif what == "masked":          # the password message: no password left
    assert sys.argv[3] not in text and sys.argv[3] not in str(msg["Subject"]), "password visible"
    assert "********" in text, "no mask"
elif what == "listing":         # names of what the zip held, no attachment
    assert not zips and not [p for p in msg.walk() if p.get_filename()], "a file attached"
    assert "見積書.docm" in text or "見積書.docx" in text, text[:600]
    print("#   %s: lists the zip's files" % msg["Subject"])
elif what == "release":
    print("#   %s: zip holds %s" % (msg["Subject"], disarmed_zip()))
PYEOF
}

log_since() { tail -n +"$(( $1 + 1 ))" "$MD/milter.log"; }
log_lines() { wc -l < "$MD/milter.log"; }
# wait_log SINCE TEXT: the milter logs TEXT after line SINCE (30 s)
wait_log() {
	local i
	for i in $(seq 1 60); do
		log_since "$1" | grep -qF -- "$2" && return 0
		sleep 0.5
	done
	return 1
}

# ------------------------------------------------------------------ same mail
t0=$(now)
st=0
mail same-mail-masked.eml same.eml same@example.co.jp
send "$WORK/same.eml" same@example.co.jp && f=$(e2e_sink_find "$QID") && check "$f" disarmed || st=1
ok "$st" "password in the same mail ([mail] passwords_in_text): the zip delivered opened, its Word file disarmed"
diag "$(elapsed "$t0") s"

# ------------------------------------------------------------------ paired
t0=$(now)
st=0
mail mitsumori.eml pair-zip.eml pair@example.co.jp
mail pw-utf8.eml pair-pw.eml pair@example.co.jp
if send "$WORK/pair-zip.eml" pair@example.co.jp; then
	ZIP=$QUID
	sleep 3
	send "$WORK/pair-pw.eml" pair@example.co.jp && check "$(e2e_sink_find "$QID")" masked "$RIGHT" &&
		wait_followup followup "$ZIP" && check "$FOLLOWUP" followup 見積書送付の件 || st=1
	"${QTOOL[@]}" show -j "$ZIP" > "$WORK/pair.json"
	$PY - "$WORK/pair.json" "$RIGHT" <<'PYEOF' || st=1
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
assert sys.argv[2] not in text, "the password is in the store"
e = [x for x in json.loads(text)["events"] if x["what"] == "ppap-followup"]
assert len(e) == 1 and e[0]["detail"]["queued_as"], e
print("#   recorded:", e[0]["detail"])
PYEOF
else
	st=1
fi
ok "$st" "password in a second mail a few seconds later: one follow-up with the disarmed zip (its queue id recorded), the password masked in the password mail and never stored"
diag "$(elapsed "$t0") s"
[ "$st" = 0 ] || tail -5 "$MD/milter.log" | indent

# ------------------------------------------------------------------ wrong
t0=$(now)
st=0
mail mitsumori.eml wrong-zip.eml wrong@example.co.jp
mail pw:wrong-1 wrong-pw.eml wrong@example.co.jp
if send "$WORK/wrong-zip.eml" wrong@example.co.jp; then
	ZIP=$QUID
	before=$(log_lines)
	send "$WORK/wrong-pw.eml" wrong@example.co.jp || st=1
	wait_log "$before" "ppap: $ZIP not opened" || { st=1; echo "#   no try logged"; }
	[ -z "$(followups followup "$ZIP")" ] || { st=1; echo "#   a follow-up was sent"; }
	log_since "$before" | grep -qF "wrong-1" && { st=1; echo "#   the password is in the log"; }
	"${QTOOL[@]}" show -j "$ZIP" > "$WORK/wrong.json" 2>&1
	$PY - "$WORK/wrong.json" <<'PYEOF' || st=1
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
assert "wrong-1" not in text, "the password is in the store"
e = [x["detail"] for x in json.loads(text)["events"] if x["what"] == "ppap-tried"]
assert len(e) == 1 and e[0]["state"] == "waiting" and len(e[0]["password_hash"]) <= 12, e
PYEOF
else
	st=1
fi
ok "$st" "wrong password: no follow-up, the message waits on (one try counted), the password never logged"
diag "$(elapsed "$t0") s"

# ------------------------------------------------------------------ no pairing
t0=$(now)
st=0
mail mitsumori.eml np-zip.eml np@example.co.jp
mail pw-utf8.eml np-pw1.eml np2@example.co.jp
mail pw-utf8.eml np-pw2.eml np@example.co.jp "$TO_OTHER"
# same sender, From and recipients, but sent by a program about other
# mail (a vacation reply, a follow-up come round or forged), or with a
# From that names two mailboxes, or two From fields
head_pw() { # NAME HEADER...: np-pw-NAME.eml, the password mail with HEADER lines on top
	local name=$1; shift
	mail pw-utf8.eml "np-pw-$name.eml" np@example.co.jp
	{ printf '%s\r\n' "$@"; cat "$WORK/np-pw-$name.eml"; } > "$WORK/np-pw-$name.tmp" &&
		mv "$WORK/np-pw-$name.tmp" "$WORK/np-pw-$name.eml"
}
head_pw auto "Auto-Submitted: auto-replied"
head_pw marker "X-Mugaika-Followup: followup; id=20250101T000000-000000000000"
mail pw-utf8.eml np-pw-two.eml np@example.co.jp
$PY -c 'import sys; p = sys.argv[1]; d = open(p, "rb").read()
open(p, "wb").write(d.replace(b"<np@example.co.jp>\r\n", b"<np@example.co.jp>, other@example.co.jp\r\n", 1))' "$WORK/np-pw-two.eml"
head_pw dup "From: np@example.co.jp"
if send "$WORK/np-zip.eml" np@example.co.jp; then
	ZIP=$QUID
	send "$WORK/np-pw1.eml" np2@example.co.jp || st=1
	send "$WORK/np-pw2.eml" np@example.co.jp "$TO_OTHER" || st=1
	for k in auto marker two dup; do
		send "$WORK/np-pw-$k.eml" np@example.co.jp || st=1
	done
	sleep 6
	[ -z "$(followups followup "$ZIP")" ] || { st=1; echo "#   paired"; }
	tries=$(store_sql "SELECT p.state || ' ' || p.tries FROM ppap_pending p JOIN messages m ON m.seq = p.message WHERE m.id = '$ZIP'")
	[ "$tries" = "waiting 0" ] || { st=1; echo "#   the zip's entry: '$tries'"; }
else
	st=1
fi
ok "$st" "password mail from another sender, to other recipients, sent automatically, marked X-Mugaika-Followup, or with an unsure From: no pairing, no try spent"
diag "$(elapsed "$t0") s"

# ------------------------------------------------------------------ two
t0=$(now)
st=0
mail mitsumori.eml two-zip1.eml two@example.co.jp
mail aes-iso2022jp-followup.eml two-zip2.eml two@example.co.jp
mail pw-utf8.eml two-pw1.eml two@example.co.jp
mail pw-iso2022jp.eml two-pw2.eml two@example.co.jp
if send "$WORK/two-zip1.eml" two@example.co.jp && Z1=$QUID &&
	send "$WORK/two-zip2.eml" two@example.co.jp && Z2=$QUID; then
	send "$WORK/two-pw1.eml" two@example.co.jp &&
		wait_followup followup "$Z1" && check "$FOLLOWUP" followup 見積書送付の件 || st=1
	send "$WORK/two-pw2.eml" two@example.co.jp &&
		wait_followup followup "$Z2" && check "$FOLLOWUP" followup 議事録の送付 || st=1
else
	st=1
fi
ok "$st" "two PPAP mails from one sender in the window: each password mail pairs with its own zip"
diag "$(elapsed "$t0") s"

# ------------------------------------------------------------------ restart
t0=$(now)
st=0
mail mitsumori.eml rs-zip.eml restart@example.co.jp
mail pw-utf8.eml rs-pw.eml restart@example.co.jp
if send "$WORK/rs-zip.eml" restart@example.co.jp; then
	ZIP=$QUID
	e2e_milter_stop "$MD"
	e2e_milter_start "$MD" || st=1
	send "$WORK/rs-pw.eml" restart@example.co.jp && wait_followup followup "$ZIP" || st=1
else
	st=1
fi
ok "$st" "milter restart between the zip and its password mail: pairing still works"
diag "$(elapsed "$t0") s"

# ------------------------------------------------------------------ SIGKILL
# The milter is killed with SIGKILL at a chosen step of a pairing, from
# outside: gdb attaches in non-stop mode with a breakpoint on FUNCTION, so
# only the pairing thread stops there while the rest of the milter answers
# Postfix on; once the test has seen the password mail accepted and
# delivered (and the store as the step leaves it), the milter is killed
# (kill -KILL) with that thread still stopped at FUNCTION. No hook in the
# milter: the same binary as in production. Then it is started again.
# kill_arm FUNCTION: the milter's thread to stop at FUNCTION (gdb-kill.sh)
kill_arm() { gdb_kill_arm "$(e2e_milter_pid "$MD")" "$1" "$WORK"; }
# kill_now: once a thread is at the breakpoint, SIGKILL; the milter is gone
kill_now() {
	local hit=0
	gdb_kill_at_breakpoint "$(e2e_milter_pid "$MD")" "$WORK" || hit=1
	e2e_milter_kill "$MD"
	return "$hit"
}

# Killed after the password mail was answered, before its pairing ran:
# the mark stored with the mail makes the restarted milter pair it.
t0=$(now)
st=0
mail mitsumori.eml k1-zip.eml kill1@example.co.jp
mail pw-utf8.eml k1-pw.eml kill1@example.co.jp
if [ -z "$HAVE_GDB" ]; then
	fail_without_gdb "milter killed (SIGKILL) after answering the password mail, before its pairing ran: restarted, it pairs it; the follow-up delivered exactly once"
else
if send "$WORK/k1-zip.eml" kill1@example.co.jp && ZIP=$QUID && kill_arm pairing_run; then
	send "$WORK/k1-pw.eml" kill1@example.co.jp || st=1
	PW=$QUID
	kill_now || st=1
	mark=$(store_sql "SELECT ppap_pair FROM messages WHERE id = '$PW'")
	[ "$mark" = 1 ] || { st=1; echo "#   the password mail's mark after the kill: '$mark'"; }
	[ -z "$(followups followup "$ZIP")" ] || { st=1; echo "#   a follow-up before the restart"; }
	before=$(log_lines)
	e2e_milter_start "$MD" || st=1
	wait_log "$before" "ppap: the pairing of $PW, cut short by a stop, runs again" ||
		{ st=1; echo "#   no recovery logged"; log_since "$before" | tail -3 | indent; }
	wait_followup followup "$ZIP" && check "$FOLLOWUP" followup 見積書送付の件 || st=1
	mark=$(store_sql "SELECT ppap_pair FROM messages WHERE id = '$PW'")
	[ "$mark" = 0 ] || { st=1; echo "#   the mark stays: '$mark'"; }
else
	st=1
fi
ok "$st" "milter killed (SIGKILL) after answering the password mail, before its pairing ran: restarted, it pairs it; the follow-up delivered exactly once"
fi
diag "$(elapsed "$t0") s"

# Killed after the follow-up was submitted, before the entry was
# finished: the restarted milter does not submit it again; the entry is
# "failed" with its reason (show, list), and a release by hand works.
t0=$(now)
st=0
mail mitsumori.eml k2-zip.eml kill2@example.co.jp
mail pw-utf8.eml k2-pw.eml kill2@example.co.jp
if [ -z "$HAVE_GDB" ]; then
	fail_without_gdb "milter killed (SIGKILL) after submitting a follow-up, before finishing: not submitted again after the restart (one delivered), the entry failed with its reason in show and list; released by hand"
else
if send "$WORK/k2-zip.eml" kill2@example.co.jp && ZIP=$QUID && kill_arm store_ppap_finish; then
	send "$WORK/k2-pw.eml" kill2@example.co.jp || st=1
	wait_followup followup "$ZIP" || st=1
	kill_now || st=1
	state=$(store_sql "SELECT p.state || ' ' || p.submitting FROM ppap_pending p JOIN messages m ON m.seq = p.message WHERE m.id = '$ZIP'")
	case $state in "trying <mugaika.followup."*) ;; *) st=1; echo "#   after the kill: '$state'";; esac
	before=$(log_lines)
	e2e_milter_start "$MD" || st=1
	wait_log "$before" "marked failed, not submitted again" ||
		{ st=1; echo "#   no recovery logged"; log_since "$before" | tail -3 | indent; }
	sleep 5
	n=$(followups followup "$ZIP" | grep -c .)
	[ "$n" = 1 ] || { st=1; echo "#   $n follow-ups delivered"; }
	"${QTOOL[@]}" show "$ZIP" > "$WORK/k2.show" 2>&1
	grep -q "^ppap: *failed: the milter stopped while submitting" "$WORK/k2.show" ||
		{ st=1; echo "#   show: $(grep -i ppap "$WORK/k2.show")"; }
	"${QTOOL[@]}" list > "$WORK/k2.list" 2>&1
	grep "^$ZIP" "$WORK/k2.list" | grep -q "PPAP follow-up failed" ||
		{ st=1; echo "#   list: $(grep "^$ZIP" "$WORK/k2.list")"; }
	"${QTOOL[@]}" show -j "$ZIP" > "$WORK/k2.json"
	$PY - "$WORK/k2.json" <<'PYEOF' || st=1
import json, sys
s = json.load(open(sys.argv[1]))
assert s["message"]["ppap"] == "failed", s["message"]
e = [x["detail"] for x in s["events"] if x["what"] == "ppap-failed"]
assert len(e) == 1 and e[0]["submitted_message_ids"].startswith("<mugaika.followup."), e
print("#   recorded:", e[0]["submitted_message_ids"])
PYEOF
	printf '%s\n' "$RIGHT" > "$WORK/k2-right.txt"
	MUGAIKA_WORKER=$BUILD/cdr-worker "${QTOOL[@]}" release "$ZIP" \
		--password-file "$WORK/k2-right.txt" > "$WORK/k2-rel.out" 2>&1 ||
		{ st=1; echo "#   release: $(cat "$WORK/k2-rel.out")"; }
	wait_followup release "$ZIP" || st=1
else
	st=1
fi
ok "$st" "milter killed (SIGKILL) after submitting a follow-up, before finishing: not submitted again after the restart (one delivered), the entry failed with its reason in show and list; released by hand"
fi
diag "$(elapsed "$t0") s"

# Killed after the follow-up's Message-ID was recorded, before the relay
# took it: failed, nothing delivered (at most once: the gateway cannot
# know whether it went out), the release by hand delivers it.
t0=$(now)
st=0
mail mitsumori.eml k3-zip.eml kill3@example.co.jp
mail pw-utf8.eml k3-pw.eml kill3@example.co.jp
if [ -z "$HAVE_GDB" ]; then
	fail_without_gdb "milter killed (SIGKILL) between recording a follow-up and submitting it: failed after the restart, nothing submitted twice"
else
if send "$WORK/k3-zip.eml" kill3@example.co.jp && ZIP=$QUID && kill_arm resubmit_send; then
	send "$WORK/k3-pw.eml" kill3@example.co.jp || st=1
	kill_now || st=1
	before=$(log_lines)
	e2e_milter_start "$MD" || st=1
	wait_log "$before" "marked failed, not submitted again" || { st=1; echo "#   no recovery logged"; }
	sleep 3
	[ -z "$(followups followup "$ZIP")" ] || { st=1; echo "#   a follow-up was delivered"; }
	[ "$(store_sql "SELECT p.state FROM ppap_pending p JOIN messages m ON m.seq = p.message WHERE m.id = '$ZIP'")" = failed ] ||
		{ st=1; echo "#   not failed"; }
else
	st=1
fi
ok "$st" "milter killed (SIGKILL) between recording a follow-up and submitting it: failed after the restart, nothing submitted twice"
fi
diag "$(elapsed "$t0") s"

# cdr-quarantine release killed (SIGKILL) while "sending": gdb runs it
# with a breakpoint on FUNCTION, the test kills it there from outside.
# release_kill FUNCTION ID OUT: TRUE when the breakpoint was reached
release_kill() {
	local i pid hit=1
	rm -f "$WORK/rgdb.out"
	MUGAIKA_WORKER=$BUILD/cdr-worker gdb -q -nx -batch -ex 'set pagination off' \
		-ex "break $1" -ex run --args "${QTOOL[@]}" release "$2" \
		--password-file "$WORK/rk-right.txt" </dev/null >"$WORK/rgdb.out" 2>&1 &
	local gdb_pid=$!
	for i in $(seq 1 600); do
		grep -q "hit Breakpoint 1, \|^Breakpoint 1, " "$WORK/rgdb.out" && { hit=0; break; }
		sleep 0.1
	done
	pid=$(pgrep -P "$gdb_pid" | head -1)
	[ -n "$pid" ] && kill -KILL "$pid"
	wait "$gdb_pid" 2>/dev/null
	[ "$hit" = 0 ] || echo "#   the breakpoint was not reached: $(tail -3 "$WORK/rgdb.out")"
	return "$hit"
}
printf '%s\n' "$RIGHT" > "$WORK/rk-right.txt"

# Killed after claiming, before the Message-ID was recorded: nothing went
# out; the next run takes the claim up (approved again) and delivers that
# release, once.
t0=$(now)
st=0
mail mitsumori.eml rk1-zip.eml rkill1@example.co.jp
if [ -z "$HAVE_GDB" ]; then
	fail_without_gdb "cdr-quarantine release killed (SIGKILL) before submitting: the next run delivers that release, once"
else
if send "$WORK/rk1-zip.eml" rkill1@example.co.jp && ZIP=$QUID && release_kill store_release_submitting "$ZIP"; then
	state=$(store_sql "SELECT r.state || ' ' || coalesce(r.submitting, '-') FROM releases r JOIN messages m ON m.seq = r.message WHERE m.id = '$ZIP'")
	[ "$state" = "sending -" ] || { st=1; echo "#   after the kill: '$state'"; }
	MUGAIKA_WORKER=$BUILD/cdr-worker "${QTOOL[@]}" release "$ZIP" \
		--password-file "$WORK/rk-right.txt" > "$WORK/rk1.out" 2>&1 ||
		{ st=1; echo "#   release: $(cat "$WORK/rk1.out")"; }
	grep -q "cut short before its submission (nothing was sent): approved again" "$WORK/rk1.out" ||
		{ st=1; echo "#   release said: $(cat "$WORK/rk1.out")"; }
	wait_followup release "$ZIP" || st=1
	n=$(store_sql "SELECT count(*) || ' ' || group_concat(r.state) FROM releases r JOIN messages m ON m.seq = r.message WHERE m.id = '$ZIP'")
	[ "$n" = "1 delivered" ] || { st=1; echo "#   releases: '$n'"; }
else
	st=1
fi
ok "$st" "cdr-quarantine release killed (SIGKILL) before submitting: the next run delivers that release, once"
fi
diag "$(elapsed "$t0") s"

# Killed at the submission, its Message-ID recorded: uncertain; the next
# run refuses, naming the Message-ID; --force delivers.
t0=$(now)
st=0
mail mitsumori.eml rk2-zip.eml rkill2@example.co.jp
if [ -z "$HAVE_GDB" ]; then
	fail_without_gdb "cdr-quarantine release killed (SIGKILL) at the submission: uncertain, refused naming its Message-ID, --force delivers once"
else
if send "$WORK/rk2-zip.eml" rkill2@example.co.jp && ZIP=$QUID && release_kill resubmit_send "$ZIP"; then
	mid=$(store_sql "SELECT r.submitting FROM releases r JOIN messages m ON m.seq = r.message WHERE m.id = '$ZIP' AND r.state = 'sending'")
	case $mid in "<"*">") ;; *) st=1; echo "#   after the kill: '$mid'";; esac
	if MUGAIKA_WORKER=$BUILD/cdr-worker "${QTOOL[@]}" release "$ZIP" \
		--password-file "$WORK/rk-right.txt" > "$WORK/rk2.out" 2>&1; then
		st=1; echo "#   released again without --force"
	fi
	grep -qF "may have been delivered: check the LGWAN mail server's log for Message-ID $mid" "$WORK/rk2.out" ||
		{ st=1; echo "#   release said: $(cat "$WORK/rk2.out")"; }
	[ -z "$(followups release "$ZIP")" ] || { st=1; echo "#   delivered without --force"; }
	MUGAIKA_WORKER=$BUILD/cdr-worker "${QTOOL[@]}" release "$ZIP" --force \
		--password-file "$WORK/rk-right.txt" > "$WORK/rk2f.out" 2>&1 ||
		{ st=1; echo "#   release --force: $(cat "$WORK/rk2f.out")"; }
	wait_followup release "$ZIP" || st=1
else
	st=1
fi
ok "$st" "cdr-quarantine release killed (SIGKILL) at the submission: uncertain, refused naming its Message-ID, --force delivers once"
fi
diag "$(elapsed "$t0") s"

# ------------------------------------------------------------------ refused
# The return path refuses (5xx at RCPT: an smtp-sink here): the follow-up
# is not sent, the message waits again (no try counted) and the log says
# so; the next password mail, with the return path back, delivers it once.
t0=$(now)
st=0
mail mitsumori.eml rf-zip.eml refused@example.co.jp
mail pw-utf8.eml rf-pw1.eml refused@example.co.jp
mail pw-utf8.eml rf-pw2.eml refused@example.co.jp
_e2e_free_port && RF_PORT=$_E2E_PORT
smtp-sink -u postfix -h refuse.test -f rcpt "127.0.0.1:$RF_PORT" 16 </dev/null >"$WORK/rf-sink.log" 2>&1 &
RF_PID=$!
if send "$WORK/rf-zip.eml" refused@example.co.jp && ZIP=$QUID &&
	conf "release.relay=inet:127.0.0.1:$RF_PORT" && e2e_milter_hup "$MD"; then
	before=$(log_lines)
	send "$WORK/rf-pw1.eml" refused@example.co.jp || st=1
	wait_log "$before" "ppap: $ZIP is waiting again" ||
		{ st=1; echo "#   not logged as waiting again"; log_since "$before" | tail -3 | indent; }
	conf && e2e_milter_hup "$MD" || st=1
	send "$WORK/rf-pw2.eml" refused@example.co.jp && wait_followup followup "$ZIP" || st=1
else
	st=1
fi
stop_pid "$RF_PID"
ok "$st" "return path refusing: the follow-up is not lost, the message waits again (logged); the next password mail delivers it once"
diag "$(elapsed "$t0") s"

# ------------------------------------------------------------------ text mode
# A recipient in text mode gets a listing of what the zip held, no file.
t0=$(now)
st=0
mail mitsumori.eml tx-zip.eml tx@example.co.jp
mail pw-utf8.eml tx-pw.eml tx@example.co.jp
if conf mail.mode=text && e2e_milter_hup "$MD" && send "$WORK/tx-zip.eml" tx@example.co.jp; then
	ZIP=$QUID
	send "$WORK/tx-pw.eml" tx@example.co.jp && wait_followup listing "$ZIP" &&
		check "$FOLLOWUP" listing || st=1
else
	st=1
fi
conf && e2e_milter_hup "$MD" || st=1
ok "$st" "text-mode recipient: the password mail brings a listing of the zip (names, no file), once"
diag "$(elapsed "$t0") s"

# ------------------------------------------------------------------ release
# A message converted in text mode (every attachment removed), released
# with the password: its attachments delivered disarmed, once; a second
# release to the same recipient and a release to an address neither a
# recipient nor allowed are refused.
t0=$(now)
st=0
release() { MUGAIKA_WORKER=$BUILD/cdr-worker "${QTOOL[@]}" release "$@"; }
printf '%s\n' "$RIGHT" > "$WORK/right.txt"
mail mitsumori.eml rel-zip.eml rel@example.co.jp
if conf mail.mode=text && e2e_milter_hup "$MD" && send "$WORK/rel-zip.eml" rel@example.co.jp; then
	ZIP=$QUID
	conf && e2e_milter_hup "$MD" || st=1
	# two administrators at once: one delivers, the other stands down
	release "$ZIP" --password-file "$WORK/right.txt" > "$WORK/rel.out" 2>&1 &
	r1=$!
	release "$ZIP" --password-file "$WORK/right.txt" > "$WORK/rel1.out" 2>&1 &
	r2=$!
	wait "$r1"; rc1=$?
	wait "$r2"; rc2=$?
	[ $((rc1 + rc2)) = 1 ] || { st=1; echo "#   two at once: exit $rc1 and $rc2"; }
	cat "$WORK/rel.out" "$WORK/rel1.out" | indent
	wait_followup release "$ZIP" && check "$FOLLOWUP" release || st=1
	if release "$ZIP" --password-file "$WORK/right.txt" > "$WORK/rel2.out" 2>&1; then
		st=1
		echo "#   released twice: $(cat "$WORK/rel2.out")"
	fi
	if release "$ZIP" --to stranger@example.com > "$WORK/rel3.out" 2>&1 ||
		! grep -q allowed_recipients "$WORK/rel3.out"; then
		st=1
		echo "#   --to a stranger: $(cat "$WORK/rel3.out")"
	fi
	sleep 2
	n=$(followups release "$ZIP" | grep -c .)
	[ "$n" = 1 ] || { st=1; echo "#   $n releases delivered"; }
	"${QTOOL[@]}" show -j "$ZIP" > "$WORK/rel.json"
	$PY - "$WORK/rel.json" <<'PYEOF' || st=1
import json, sys
s = json.load(open(sys.argv[1]))
r = s["releases"]
assert [x["state"] for x in r].count("delivered") == 1, r
assert all(x.get("requested_by") for x in r), r
d = [x for x in r if x["state"] == "delivered"][0]
print("#   recorded:", {k: d.get(k) for k in ("requested_by", "delivered")})
PYEOF
else
	st=1
fi
ok "$st" "release of a text-mode message: its attachments delivered disarmed through the return path, once (two runs at once: one delivers); again, or to an address not allowed: refused"
diag "$(elapsed "$t0") s"

# ------------------------------------------------------------------ uncertain
# A relay that takes the whole message and closes without answering (a
# Python listener: 354, the data, then close): the release may have been
# delivered. It is failed as "uncertain" with its Message-ID in show and
# list, a new release is refused, and only --force (the log checked)
# releases it again, through the real return path, once.
t0=$(now)
st=0
mail mitsumori.eml unc-zip.eml unc@example.co.jp
_e2e_free_port && UNC_PORT=$_E2E_PORT
$PY - "$UNC_PORT" <<'PYEOF' > "$WORK/unc-relay.log" 2>&1 &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(4)
s.settimeout(120)
while True:
    try:
        c, _ = s.accept()
    except socket.timeout:
        break
    f = c.makefile("rb")
    c.sendall(b"220 lost.test ESMTP\r\n")
    while True:
        line = f.readline()
        if not line:
            break
        verb = line[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            c.sendall(b"250 lost.test\r\n")
        elif verb == b"DATA":
            c.sendall(b"354 go on\r\n")
            while f.readline() not in (b".\r\n", b""):
                pass
            print("took a message, closing without an answer", flush=True)
            break  # the answer is lost
        elif verb == b"QUIT":
            c.sendall(b"221 bye\r\n")
            break
        else:
            c.sendall(b"250 ok\r\n")
    f.close()
    c.close()
PYEOF
UNC_PID=$!
if send "$WORK/unc-zip.eml" unc@example.co.jp && ZIP=$QUID &&
	conf "release.relay=inet:127.0.0.1:$UNC_PORT"; then
	if release "$ZIP" > "$WORK/unc1.out" 2>&1 ||
		! grep -q "may have been delivered: check the LGWAN mail server's log for Message-ID <mugaika\.release\." "$WORK/unc1.out"; then
		st=1
	fi
	indent < "$WORK/unc1.out"
	grep -q "took a message" "$WORK/unc-relay.log" || { st=1; echo "#   the relay took nothing"; }
	"${QTOOL[@]}" show "$ZIP" > "$WORK/unc.show" 2>&1
	grep -q "^release [0-9]*: uncertain, .*Message-ID <mugaika\.release\." "$WORK/unc.show" ||
		{ st=1; indent < "$WORK/unc.show"; }
	"${QTOOL[@]}" list > "$WORK/unc.list" 2>&1
	grep "^$ZIP " "$WORK/unc.list" | grep -q "U.*release may have been delivered" ||
		{ st=1; grep "^$ZIP " "$WORK/unc.list" | indent; }
	conf || st=1
	# again without --force: refused, naming the Message-ID
	if release "$ZIP" > "$WORK/unc2.out" 2>&1 ||
		! grep -q "may have been delivered.*Message-ID <.*--force" "$WORK/unc2.out"; then
		st=1
		echo "#   released again without --force: $(cat "$WORK/unc2.out")"
	fi
	# the administrator checked the log: --force delivers it, once
	release "$ZIP" --force --json > "$WORK/unc3.out" 2>&1 || { st=1; indent < "$WORK/unc3.out"; }
	$PY -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["state"] == "delivered" and r["malware"] == [], r' \
		"$WORK/unc3.out" || st=1
	wait_followup release "$ZIP" || st=1 # exactly one
else
	st=1
fi
stop_pid "$UNC_PID"
ok "$st" "release whose answer is lost (the relay closes after the data): uncertain, its Message-ID in the output, show and list; again refused without --force; with --force delivered once"
diag "$(elapsed "$t0") s"

# ------------------------------------------------------------------ refused
# A message clamd found malware in, as the old directory quarantine kept
# it (imported with cdr-quarantine migrate: no clamd runs here).
t0=$(now)
st=0
BAD=20261101T000003-000000000003
$PY - "$MD/var/quarantine" "$SRC/fixtures/e2e/hostile.eml" "$BAD" <<'PYEOF'
import hashlib, json, os, shutil, sys
qdir, eml, qid = sys.argv[1:4]
data = open(eml, "rb").read()
day = os.path.join(qdir, "20261101")
os.makedirs(day, exist_ok=True)
r = {"time": "2026-11-01T00:00:00Z", "queue_id": "OLD", "stage": "before-queue",
     "sender": "bad@example.jp", "recipients": ["soumu@city.example.lg.jp"],
     "action": "delivered", "reason": None, "mode": "sanitize", "quarantine_id": qid,
     "message_id": "<bad@old>", "subject": "malware", "av": "infected",
     "malware": ["Eicar-Signature"], "size_in": len(data), "size_out": 0,
     "sha256": hashlib.sha256(data).hexdigest(), "elapsed": 0.01,
     "report": {"verdict": "sanitized", "actions": [], "children": []}}
open(os.path.join(day, qid + ".eml"), "wb").write(data)
open(os.path.join(day, qid + ".json"), "w").write(json.dumps(r) + "\n")
for root, dirs, files in os.walk(qdir):
    for n in [root] + [os.path.join(root, f) for f in files]:
        shutil.chown(n, "nobody", "nogroup")
PYEOF
"${QTOOL[@]}" migrate --remove > "$WORK/bad-migrate.out" 2>&1 || { st=1; indent < "$WORK/bad-migrate.out"; }
if release "$BAD" > "$WORK/bad.out" 2>&1; then
	st=1
	echo "#   released: $(cat "$WORK/bad.out")"
fi
grep -q "cannot be released (malware: Eicar-Signature)" "$WORK/bad.out" ||
	{ st=1; echo "#   $(cat "$WORK/bad.out")"; }
sleep 1
[ -z "$(followups release "$BAD")" ] || { st=1; echo "#   delivered"; }
ok "$st" "release of a message clamd found malware in (its record imported by migrate): refused, nothing delivered"
diag "$(elapsed "$t0") s"
diag "all: $(elapsed "$T_ALL") s"
