#!/bin/bash
# tests/e2e/test-milter.sh - TAP: cdr-milter behind a real Postfix.
#
# Runs as root (Postfix instances, the milter dropping to nobody).  TAP
# output through tests/e2e/tap.sh.  Starts, with tests/e2e/lib.sh and
# tests/e2e/milter-conf.sh:
#
#   m1 + main	cdr-milter (sanitize mode, test worker) and the Postfix "main"
#		whose smtpd_milters is m1 (before the queue), relaying to
#		smtp-sink (the LGWAN side).  Most cases run here.
#   up		an upstream Postfix without milter relaying into "main": the
#		internet-side MTA that keeps a message queued and retries it
#		when the gateway answers 4xx.
#   m2 + alt	cdr-milter in text mode with small limits (100K messages, 4K
#		header blocks, notice_contact) for oversize, blocked-as-a-whole
#		and, after reloads, tempfail/reject variants and bypass_clients.
#   m3 + aq	the after-queue arrangement of cdr-milter(8) (lib.sh,
#		E2E_ARRANGEMENT=after-queue): m3 screens on the internet
#		smtpd and converts behind content_filter, for the final
#		recipients of virtual_alias_maps (sanitize mode, text_domains =
#		text.example.lg.jp, bypass_recipients = partner.example, 1M
#		messages, Postfix's sizes at the limits cdr-milter -n allows);
#		an LGWAN listener for 127.0.0.2.  Aliases, forged senders,
#		header floods, bidi headers, sizes at the boundary.
#
# Mails come from fixtures/e2e/ (fixtures/gen/e2e_mail.py) and
# fixtures/mail/benign/ (Japanese charsets); a 20 MB mail, the load mails and
# an oversize mail are generated here.  Every delivered message is parsed with
# Python's email package (/usr/bin/python3, helper written to WORK/check.py)
# and checked for content; the audit record and the quarantined original
# (.eml byte-exact, sha256 as audited, .json = the audit record but for its
# time and elapsed) are checked
# for the same Postfix queue id.
#
# The worker crash uses build/tests/test-worker, which segfaults on objects
# starting with "MUGAIKA-TEST-CRASH" (test builds only).
#
# Usage: test-milter.sh [BUILD_DIR]   (or MUGAIKA_BUILD; default ../../build)
# Instances live under $E2E_BASE (default /tmp/mugaika-e2e), named tm-*, and
# are left there for post-mortem (the next run wipes them).  Exit status 1 if
# a test failed.

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD=${1:-${MUGAIKA_BUILD:-$SRC/build}}
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || BUILD=
PY=/usr/bin/python3

. "$HERE/tap.sh"
[ "$(id -u)" = 0 ] || skip "needs root"
need postfix postconf postqueue postsuper smtp-sink swaks ss "$PY"
[ -n "$BUILD" ] && [ -x "$BUILD/milter/cdr-milter" ] || skip "no milter/cdr-milter in the build directory"
[ -x "$BUILD/tests/test-worker" ] || skip "no tests/test-worker in the build directory"
getent passwd nobody >/dev/null && getent group nogroup >/dev/null || skip "needs user nobody, group nogroup"

. "$HERE/lib.sh"
E2E_MILTER_BIN=$BUILD/milter/cdr-milter
E2E_MILTER_WORKER=$BUILD/tests/test-worker
. "$HERE/milter-conf.sh"

BASE=${E2E_BASE:-/tmp/mugaika-e2e}
PF=$BASE/tm-main
UP=$BASE/tm-up
ALT=$BASE/tm-alt
AQ=$BASE/tm-aq
M1=$BASE/tm-m1
M2=$BASE/tm-m2
M3=$BASE/tm-m3
WORK=$BASE/tm-work
FIX=$SRC/fixtures/e2e
JA=$SRC/fixtures/mail/benign
CHECK="$PY $WORK/check.py"
TO=soumu@city.example.lg.jp
TO_TEXT=kikaku@text.example.lg.jp
CONTACT='情報政策課 (内線 1234)'

M1_CONF=()
M3_CONF=(mail.text_domains=text.example.lg.jp milter.bypass_recipients=partner.example
	milter.max_message_bytes=1M)
# sizes.h for 1M: the internet side takes at most 1M - 1M/128 - 64K, the
# cleanup after the queue holds 5/2 x 1M + 1/64 + 1M
AQ_PUBLIC=974848
AQ_FILTER=3710976
M2_CONF=(mail.mode=text milter.max_message_bytes=100K mail.max_header_bytes=4K
	milter.oversize_action=reject milter.blocked_action=notice
	"mail.notice_contact=$CONTACT")

cleanup() {
	e2e_milter_stop_all
	e2e_stop_all
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

NTESTS=51
T_ALL=$(now)

mlog() { tail -n "${2:-8}" "$1/milter.log" | indent; }
plog() { e2e_use "$1" && e2e_log | tail -n "${2:-8}" | indent; }

# send INSTANCE FILE TO [FROM]: sets REPLY, CODE, QID (Postfix queue id);
# FROM defaults to $FROM or sato@example.jp
send() {
	e2e_use "$1" || return 1
	REPLY=$(e2e_send "${4:-${FROM:-sato@example.jp}}" "$3" "$2")
	CODE=${REPLY:0:3}
	QID=$(sed -n 's/.* queued as \([0-9A-Za-z]*\).*/\1/p' <<<"$REPLY")
	[ -n "$CODE" ] || CODE=000
}

# sink_find QID [TIMEOUT]: the sink file of queue id QID (lib.sh)
sink_find() { e2e_sink_find "$@"; }

# sink_has STRING: some complete sink file of the current instance contains STRING
sink_has() {
	e2e_sink_files | xargs -r grep -lF -- "$1" 2>/dev/null | grep -q .
}

audits() {	# the audit files of milter dir $1 (rotated first)
	local f
	for f in "$1/var/audit.jsonl.1" "$1/var/audit.jsonl"; do
		[ -e "$f" ] && printf -- '--audit\n%s\n' "$f"
	done
}

# filtered_qid: after send to the after-queue instance, wait until the
# message went through the content filter; sets QID2, the queue id behind
# it (which the audit record and the sink's first Received: header carry)
filtered_qid() {
	QID2=
	[ "$CODE" = 250 ] || return 1
	e2e_use "$AQ"
	e2e_wait_log "$QID: to=<.*relay=127\.0\.0\.1\[127\.0\.0\.1\]:$E2E_FILTER_PORT,.*status=sent" 30 ||
		return 1
	QID2=$(e2e_log | sed -n "s/.* $QID: to=<.*status=sent (250 .*queued as \([0-9A-Za-z]*\)).*/\1/p" | tail -1)
	[ -n "$QID2" ]
}

# delivered CASE INSTANCE MDIR FIXTURE TO [extra check.py args]: send FIXTURE,
# expect 250, find it in the sink (for the after-queue instance: behind the
# content filter), check message + audit + quarantine (the store in
# MDIR/var/quarantine, or in $QDIR_OF_NEXT when set)
delivered() {
	local case=$1 inst=$2 mdir=$3 fixture=$4 to=$5 out f st qid
	shift 5
	send "$inst" "$fixture" "$to"
	if [ "$CODE" != 250 ]; then
		echo "#   reply: $REPLY"
		plog "$inst" 5
		mlog "$mdir" 5
		return 1
	fi
	qid=$QID
	if [ "$inst" = "${AQ:-}" ]; then
		if ! filtered_qid; then
			echo "#   $QID was not handed to the content filter"
			plog "$inst" 6
			return 1
		fi
		qid=$QID2
	fi
	if ! f=$(sink_find "$qid" 30); then
		echo "#   $qid did not arrive in the sink"
		plog "$inst" 8
		return 1
	fi
	LAST_SINK=$f
	mapfile -t a < <(audits "$mdir")
	out=$($CHECK mail --case "$case" --sink "$f" --qid "$qid" "${a[@]}" \
		--qdir "${QDIR_OF_NEXT:-$mdir/var/quarantine}" --fixture "$fixture" "$@" 2>&1)
	st=$?
	printf '%s\n' "$out" | grep -v '^$' | indent
	return "$st"
}

# nothing_delivered MARKER: no sink file contains MARKER after a second
nothing_delivered() {
	sleep 1
	! sink_has "$1"
}

echo "1..$NTESTS"

# ------------------------------------------------------------------ setup
mkdir -p "$BASE"
e2e_reap "$BASE"
for d in "$M1" "$M2" "$M3"; do	# a milter left by a killed run
	pid=$(cat "$d/milter.pid" 2>/dev/null)
	if [ -n "$pid" ] && grep -qF "$d/mugaika.conf" "/proc/$pid/cmdline" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
	fi
done
rm -rf "$WORK" "$M1" "$M2" "$M3"
mkdir -p "$WORK"
for f in plain html attach-kept attach-sanitized attach-removed hostile crash big-header; do
	[ -r "$FIX/$f.eml" ] || { echo "Bail out! missing $FIX/$f.eml (run fixtures/gen/e2e_mail.py)"; exit 1; }
done

cat > "$WORK/check.py" <<'PYEOF'
# check.py - written by tests/e2e/test-milter.sh; see there.
import argparse, base64, email, hashlib, io, json, os, re, smtplib, subprocess, sys, tempfile
import threading, time, zipfile
from email import policy

SRC = os.environ["E2E_SRC"]
SINK_HDR = re.compile(rb"\A(?:X-(?:Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args): "
                      rb"[^\n]*\n)*Received: [^\n]*\n(?:[ \t][^\n]*\n)*")
RECEIVED_CRLF = re.compile(rb"\AReceived:[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*")
RECEIVED_LF = re.compile(rb"\AReceived:[^\n]*\n(?:[ \t][^\n]*\n)*")
ALLOWED = {"from", "to", "cc", "reply-to", "subject", "date", "message-id", "in-reply-to",
           "references", "mime-version", "content-type", "content-transfer-encoding",
           "x-mugaika", "received"}
QID_RE = re.compile(r"^\d{8}T\d{6}-[0-9a-f]{12}$")
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
PROBLEMS = []


def bad(msg):
    PROBLEMS.append(msg)


def finish():
    for p in PROBLEMS:
        print(p)
    sys.exit(1 if PROBLEMS else 0)


def quarantine(qdir, *args):
    """cdr-quarantine on the store in qdir: (exit status, stdout bytes, stderr text)"""
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as c:
        c.write("[milter]\nquarantine_dir = %s\n" % qdir)
    try:
        r = subprocess.run([os.environ["E2E_QUARANTINE"], "-c", c.name] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    finally:
        os.unlink(c.name)
    return r.returncode, r.stdout, r.stderr.decode("utf-8", "replace").strip()


def quarantined_ids(qdir):
    """the ids of every stored original (cdr-quarantine list -j)"""
    rc, out, err = quarantine(qdir, "list", "-j")
    if rc != 0:
        bad("cdr-quarantine list: %s" % err)
        return set()
    return {json.loads(line)["id"] for line in out.decode().split("\n") if line}


def sink_message(path):
    with open(path, "rb") as f:
        data = f.read()
    data = SINK_HDR.sub(b"", data, count=1)
    return data[:-1] if data.endswith(b"\n") else data


def parse(data):
    return email.message_from_bytes(data, policy=policy.default)


def leaves(msg):
    return [p for p in msg.walk() if not p.is_multipart()]


def decoded(part):
    return part.get_payload(decode=True) or b""


def text_of(part):
    cs = part.get_content_charset() or "us-ascii"
    try:
        return decoded(part).decode(cs, errors="replace")
    except LookupError:
        return decoded(part).decode("utf-8", errors="replace")


def attachments(msg):
    return {p.get_filename(): p for p in leaves(msg) if p.get_filename() is not None}


def main_text(msg):
    for p in leaves(msg):
        if p.get_content_type() == "text/plain" and p.get_filename() is None:
            return text_of(p)
    return ""


def manifest_entry(fmt, path):
    with open(os.path.join(SRC, "fixtures", fmt, "manifest.json"), encoding="utf-8") as f:
        for e in json.load(f)["fixtures"]:
            if e["path"] == path:
                return e
    raise KeyError(path)


def xmugaika(msg):
    vals = msg.get_all("X-Mugaika") or []
    if len(vals) != 1:
        bad("%d X-Mugaika headers (want exactly 1): %r" % (len(vals), [str(v) for v in vals]))
    fields = {}
    if vals:
        for item in re.sub(r"\s+", " ", str(vals[-1])).split(";"):
            k, _, v = item.strip().partition("=")
            if k:
                fields[k] = v
    return fields


def rebuilt(msg, data):
    """What every rebuilt message must look like; returns the X-Mugaika fields."""
    names = [k.lower() for k in msg.keys()]
    extra = sorted(set(names) - ALLOWED)
    if extra:
        bad("headers outside the allow-list: %s" % extra)
    for k in ("from", "subject", "date", "mime-version", "content-type"):
        if names.count(k) > 1:
            bad("%d %s headers" % (names.count(k), k))
    x = xmugaika(msg)
    if not QID_RE.match(x.get("id", "")):
        bad("X-Mugaika id %r is not a quarantine id" % x.get("id"))
    for p in leaves(msg):
        if p.get_content_type() == "text/html":
            bad("a text/html part was delivered")
    for k, v in msg.items():
        if "\ufffd" in str(v):
            bad("U+FFFD in header %s: %s" % (k, v))
    text = main_text(msg)
    if "\ufffd" in text:
        bad("U+FFFD in the text (mojibake)")
    changed = (x.get("html") == "converted" or x.get("attachments-removed", "0") != "0"
               or x.get("attachments-kept", "0") != "0")
    if changed and "原本の保管番号 / Original kept as: %s" % x.get("id") not in text:
        bad("notice without 'Original kept as: %s'" % x.get("id"))
    return x


def expect(x, **want):
    for k, v in want.items():
        k = k.replace("_", "-")
        got = x.get(k)
        ok = got in v if isinstance(v, (set, tuple, list)) else got == v
        if not ok:
            bad("X-Mugaika %s=%s, want %s" % (k, got, v))


def contains(text, needles, where="text"):
    for n in needles:
        if n not in text:
            bad("%s lacks %r" % (where, n))


def lacks(blob, needles, where="message"):
    for n in needles:
        if (n.encode() if isinstance(n, str) and isinstance(blob, bytes) else n) in blob:
            bad("%s contains %r" % (where, n))


def everything(msg, data):
    """raw bytes plus every decoded leaf: for payload markers"""
    return data + b"".join(decoded(p) for p in leaves(msg))


def fixture_parts(path):
    with open(path, "rb") as f:
        m = parse(f.read())
    return m, {p.get_filename(): decoded(p) for p in leaves(m) if p.get_filename()}


def same_pixels(a, b, name):
    try:
        from PIL import Image
    except ImportError:
        print("(PIL missing: pixels of %s not compared)" % name)
        return
    ia, ib = Image.open(io.BytesIO(a)), Image.open(io.BytesIO(b))
    if ia.size != ib.size or ia.mode != ib.mode:
        bad("%s: %s %s became %s %s" % (name, ia.size, ia.mode, ib.size, ib.mode))
    elif ia.convert("RGBA").tobytes() != ib.convert("RGBA").tobytes():
        bad("%s: pixels differ" % name)


def notice_lists(text, names):
    for n in names:
        if not any(n in line and ("削除" in line or "無害化" in line)
                   for line in text.splitlines()):
            bad("notice does not list %r" % n)


# ---------------------------------------------------------------- cases

def case_plain(msg, data, a):
    x = rebuilt(msg, data)
    expect(x, verdict={"sanitized", "clean"}, html="no", attachments_removed="0",
           attachments_kept="0")
    fm, _ = fixture_parts(a.fixture)
    for h in ("From", "To", "Date", "Message-ID"):
        if str(msg.get(h)) != str(fm.get(h)):
            bad("%s: %r, sent %r" % (h, str(msg.get(h)), str(fm.get(h))))
    subj = re.sub(r"\s+", " ", str(msg.get("Subject")))
    if subj != "e2e plain ascii message, folded with a tab":
        bad("Subject %r" % subj)
    body = text_of(fm).replace("\r\n", "\n").strip("\n")
    text = main_text(msg).replace("\r\n", "\n")
    if body not in text:
        bad("body not delivered intact:\n%s" % text)
    if msg.get("X-Mailer"):
        bad("X-Mailer survived")
    return x


def case_html(msg, data, a):
    x = rebuilt(msg, data)
    expect(x, verdict="sanitized", html="converted", attachments_removed="0")
    text = main_text(msg)
    contains(text, ["市民課からのお知らせです。",
                    "こちら <https://www.city.example.lg.jp/e2e/info.html>",
                    "HTML形式の本文をテキストに変換しました。"])
    lacks(everything(msg, data), ["E2E-SCRIPT-MARKER", "alert(", "<script", "<p>", "<a href",
                                  "E2E-TRACKER", "color: red"])
    if str(msg.get("Subject")) != "HTMLのお知らせ":
        bad("Subject %r" % str(msg.get("Subject")))
    return x


def case_japanese(msg, data, a):
    x = rebuilt(msg, data)
    rel = os.path.relpath(a.fixture, os.path.join(SRC, "fixtures", "mail"))
    e = manifest_entry("mail", rel)
    text = main_text(msg) + "\n" + "\n".join(str(v) for v in msg.values())
    contains(text, e["text_present"])
    lacks(text, e.get("text_absent", []), "decoded text")
    if str(msg.get("Subject")) != "会議①㈱髙のお知らせ":
        bad("Subject %r" % str(msg.get("Subject")))
    return x


def case_headers_only(msg, data, a):
    x = rebuilt(msg, data)
    if x.get("verdict") != "blocked" and str(msg.get("Subject")) != "Only headers":
        bad("Subject %r" % str(msg.get("Subject")))
    return x


def two_kept(msg, data, a, names=None):
    """a rebuilt message, sanitized, that kept its 2 attachments, delivered
    as names (default: the fixture's names); returns the X-Mugaika fields,
    the delivered attachments ({name: part}, None when the names differ) and
    the fixture's ({name: bytes})"""
    x = rebuilt(msg, data)
    expect(x, verdict="sanitized", attachments_kept="2", attachments_removed="0")
    _, want = fixture_parts(a.fixture)
    got = attachments(msg)
    names = set(want) if names is None else names
    if set(got) != names:
        bad("attachments %s, want %s" % (sorted(got), sorted(names)))
        return x, None, want
    return x, got, want


def same_image(got, want, name, magic, kind):
    """delivered image attachment name: still a kind (starts with magic), the
    same pixels as sent; returns its bytes"""
    img = decoded(got[name])
    if not img.startswith(magic):
        bad("%s is not a %s" % (name, kind))
    else:
        same_pixels(want[name], img, name)
    return img


def case_kept(msg, data, a):
    x, got, want = two_kept(msg, data, a)
    if got is None:
        return x
    if decoded(got["会議メモ.txt"]) != want["会議メモ.txt"]:
        bad("会議メモ.txt changed")
    same_image(got, want, "screenshot.png", b"\x89PNG\r\n\x1a\n", "PNG")
    notice_lists(main_text(msg), want)
    contains(main_text(msg), ["E2E-KEPT-BODY"])
    return x


def case_sanitized(msg, data, a):
    x, got, want = two_kept(msg, data, a, {"photo.jpg", "名簿.csv"})
    if got is None:
        return x
    jpg = same_image(got, want, "photo.jpg", b"\xff\xd8", "JPEG")
    if jpg == want["photo.jpg"]:
        bad("photo.jpg delivered unchanged")
    lacks(jpg, manifest_entry("jpeg", "hostile/metadata-script.jpg")["absent"], "photo.jpg")
    csv = decoded(got["名簿.csv"]).decode("utf-8", "replace")
    e = manifest_entry("csv", "hostile/hyperlink.csv")
    contains(csv, e["present"], "名簿.csv")
    lacks(csv, e["absent"], "名簿.csv")
    contains(main_text(msg), ["E2E-SANITIZED-BODY"])
    return x


def case_pdf(msg, data, a):
    x = rebuilt(msg, data)
    expect(x, verdict="sanitized", attachments_kept="1", attachments_removed="0")
    got = attachments(msg)
    if set(got) != {"申請書.pdf"}:
        bad("attachments %s, want 申請書.pdf" % sorted(got))
        return x
    pdf = decoded(got["申請書.pdf"])
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "a.pdf")
        with open(path, "wb") as f:
            f.write(pdf)
        chk = subprocess.run(["qpdf", "--check", path], capture_output=True)
        if chk.returncode != 0:
            bad("qpdf --check of the delivered PDF: %r" % chk.stdout[-300:])
        qdf = subprocess.run(["qpdf", "--qdf", "--object-streams=disable", path, "-"],
                             capture_output=True).stdout
    lacks(qdf.decode("latin-1"), ["/OpenAction", "/JavaScript", "PWNED-OPENACTION"], "申請書.pdf")
    contains(qdf.decode("latin-1"), ["MUGAIKA PDF FIXTURE"], "申請書.pdf")
    contains(main_text(msg), ["E2E-PDF-BODY"])
    return x


def case_removed(msg, data, a):
    """The .exe is removed and listed; the .docm is delivered disarmed as a
    .docx (ooxml handler): no VBA project, no macro content type, the body
    text kept."""
    x = rebuilt(msg, data)
    expect(x, verdict="sanitized", attachments_removed="1", attachments_kept="1")
    got = attachments(msg)
    notice_lists(main_text(msg), ["setup.exe"])
    lacks(everything(msg, data), ["E2E-MACRO-PAYLOAD", "E2E-EXE-PAYLOAD",
                                  "This program cannot be run"])
    contains(main_text(msg), ["E2E-REMOVED-BODY"])
    if set(got) != {"議事録.docx"}:
        bad("attachments %s, want 議事録.docx (the .docm without macros)" % sorted(got))
        return x
    with zipfile.ZipFile(io.BytesIO(decoded(got["議事録.docx"]))) as z:
        if [n for n in z.namelist() if "vba" in n.lower()]:
            bad("議事録.docx still holds %s" % z.namelist())
        lacks(z.read("[Content_Types].xml"), ["macroEnabled", "vbaProject"],
              "議事録.docx [Content_Types].xml")
        contains(z.read("word/document.xml").decode("utf-8"), ["E2E-DOCM-BODY"],
                 "議事録.docx word/document.xml")
    return x


def case_hostile(msg, data, a):
    x = rebuilt(msg, data)
    expect(x, verdict="sanitized", attachments_removed="3", attachments_kept="0")
    if x.get("id", "").startswith("20240401T090000"):
        bad("the forged X-Mugaika header survived")
    if attachments(msg):
        bad("attachments delivered: %s" % sorted(attachments(msg)))
    notice_lists(main_text(msg), ["invoice.pdf", "photo.jpg.exe", "fdp.exe"])
    lacks(everything(msg, data), ["This program cannot be run", "forged"])
    contains(main_text(msg), ["E2E-HOSTILE-BODY"])
    return x


def case_bidi(msg, data, a):
    x = xmugaika(msg)
    text = main_text(msg)
    found = sorted({"U+%04X" % ord(c) for c in text if c in BIDI})
    if found:
        bad("bidi controls in the delivered text: %s" % ", ".join(found))
    return x


INVISIBLE = BIDI + "\u200b\u200c\u200d\ufeff\u2028\u2029\u00ad\u2060"


def case_bidi_headers(msg, data, a):
    """every delivered header value, decoded: no bidi or invisible format
    character left, the Subject and From show them as [U+XXXX]"""
    x = rebuilt(msg, data)
    for k, v in msg.items():
        found = sorted({"U+%04X" % ord(c) for c in str(v) if c in INVISIBLE})
        if found:
            bad("%s carries %s: %r" % (k, ", ".join(found), str(v)))
    for k in ("Subject", "From"):
        if "[U+202E]" not in str(msg.get(k)):
            bad("%s does not show [U+202E]: %r" % (k, str(msg.get(k))))
    lacks(data, ["\u202e".encode()], "raw message")
    return x


def case_text(msg, data, a):
    x = rebuilt(msg, data)
    _, want = fixture_parts(a.fixture)
    expect(x, attachments_removed=str(len(want)), attachments_kept="0")
    if attachments(msg):
        bad("attachments delivered in text mode: %s" % sorted(attachments(msg)))
    notice_lists(main_text(msg), want)
    return x


def case_big(msg, data, a):
    x = rebuilt(msg, data)
    expect(x, attachments_kept="1", attachments_removed="0")
    got = attachments(msg)
    if list(got) != ["data.txt"]:
        bad("attachments %s" % sorted(got))
    else:
        d = decoded(got["data.txt"])
        if hashlib.sha256(d).hexdigest() != a.sha:
            bad("data.txt: %d bytes, sha256 differs" % len(d))
    return x


def case_blocked(msg, data, a):
    x = rebuilt(msg, data)
    expect(x, verdict="blocked", error="limit")
    text = main_text(msg)
    contains(text, ["Original kept as: %s" % x.get("id"), "原本の保管番号: %s" % x.get("id"),
                    a.contains or ""])
    lacks(everything(msg, data), ["E2E-BIGHEAD-BODY", "X-E2E-Filler", "e2e header block"])
    if attachments(msg):
        bad("attachments in a notice-only message")
    return x


def case_tag(msg, data, a):
    x = rebuilt(msg, data)
    subj = str(msg.get("Subject"))
    if not (subj.startswith("[無害化]") and "e2e plain ascii message" in subj):
        bad("Subject %r: no [無害化] tag after the reload" % subj)
    return x


def case_any(msg, data, a):
    return rebuilt(msg, data)


CASES = {"plain": case_plain, "html": case_html, "japanese": case_japanese,
         "headers-only": case_headers_only, "kept": case_kept, "sanitized": case_sanitized,
         "removed": case_removed, "pdf": case_pdf, "hostile": case_hostile, "bidi": case_bidi,
         "text": case_text, "big": case_big, "blocked": case_blocked, "tag": case_tag,
         "bidi-headers": case_bidi_headers,
         "any": case_any}


def read_audit(files):
    recs = []
    for path in files or []:
        try:
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    try:
                        recs.append(json.loads(line))
                    except ValueError:
                        bad("%s:%d: not JSON: %r" % (path, n, line[:80]))
        except FileNotFoundError:
            pass
    return recs


def check_record(r, a, xid=None):
    if a.action and r.get("action") != a.action:
        bad("audit action %s, want %s (reason %s)" % (r.get("action"), a.action, r.get("reason")))
    if a.mode and r.get("mode") != a.mode:
        bad("audit mode %s, want %s" % (r.get("mode"), a.mode))
    if a.reason and a.reason not in (r.get("reason") or ""):
        bad("audit reason %r lacks %r" % (r.get("reason"), a.reason))
    for k in ("time", "queue_id", "client", "sender", "recipients", "action"):
        if k not in r:
            bad("audit record without %s" % k)
    if r.get("action") == "bypassed":
        return
    for k in ("reason", "mode", "quarantine_id", "message_id", "subject", "size_in",
              "size_out", "sha256", "elapsed", "report"):
        if k not in r:
            bad("audit record without %s" % k)
    qid = r.get("quarantine_id")
    if xid is not None and qid != xid:
        bad("X-Mugaika id %s, audit quarantine_id %s" % (xid, qid))
    if not qid:
        return
    if not QID_RE.match(qid):
        bad("quarantine id %r" % qid)
        return
    rc, eml, err = quarantine(a.qdir, "extract", qid)
    if rc != 0:
        bad("quarantine: cdr-quarantine extract %s: %s" % (qid, err))
        return
    sha = hashlib.sha256(eml).hexdigest()
    if sha != r.get("sha256"):
        bad("sha256 of the original %s %s, audit %s" % (qid, sha, r.get("sha256")))
    if len(eml) != r.get("size_in"):
        bad("the original %s has %d bytes, audit size_in %s" % (qid, len(eml), r.get("size_in")))
    rc, out, err = quarantine(a.qdir, "show", "-j", qid)
    try:
        if rc != 0:
            raise ValueError("cdr-quarantine show: " + err)
        shown = json.loads(out)
        meta = shown["record"]
        # the stored record is the audit record, written a moment later
        strip = lambda d: {k: v for k, v in d.items() if k not in ("time", "elapsed")}
        if strip(meta) != strip(r):
            diff = sorted(k for k in set(meta) | set(r)
                          if k not in ("time", "elapsed") and meta.get(k) != r.get(k))
            bad("the stored record of %s differs from the audit record in %s" % (qid, diff))
        m = shown["message"]
        if m.get("sha256") != r.get("sha256") or m.get("size") != r.get("size_in"):
            bad("the index of %s: sha256 %s size %s" % (qid, m.get("sha256"), m.get("size")))
        if [x["address"] for x in m.get("recipients", [])] != r.get("recipients"):
            bad("the index of %s: recipients %s" % (qid, m.get("recipients")))
        if m.get("action") != r.get("action") or m.get("subject") != r.get("subject"):
            bad("the index of %s: action %s subject %r" % (qid, m.get("action"),
                                                          m.get("subject")))
    except (KeyError, TypeError, ValueError) as e:
        bad("quarantine record: %s" % e)
    if a.fixture:
        with open(a.fixture, "rb") as f:
            sent = f.read()
        # Postfix 3.7 does not show its own Received: header to smtpd
        # milters: the original is exactly what the client sent.  (Should
        # a Postfix show it, it would come first; accept that too.)  A
        # message without the empty line after its headers gets one.
        if b"\r\n\r\n" not in sent:
            sent += b"\r\n"
        if eml != sent and RECEIVED_CRLF.sub(b"", eml, count=1) != sent:
            bad("%s.eml is not the original byte for byte" % qid)


def cmd_mail(a):
    xid = None
    if a.sink:
        data = sink_message(a.sink)
        msg = parse(data)
        x = CASES[a.case](msg, data, a)
        xid = x.get("id")
    if a.qid or a.mid:
        recs = read_audit(a.audit)
        if a.qid:
            mine = [r for r in recs if r.get("queue_id") == a.qid]
            if len(mine) != 1:
                bad("%d audit records for queue id %s" % (len(mine), a.qid))
        elif a.mid == "LAST":
            mine = recs[-1:]
            if not mine:
                bad("no audit record")
        else:
            mine = [r for r in recs if r.get("message_id") == a.mid][-1:]
            if not mine:
                bad("no audit record for Message-ID %s" % a.mid)
        if mine:
            check_record(mine[-1], a, xid)
            print("audit: action=%s mode=%s quarantine=%s elapsed=%s" % (
                mine[-1].get("action"), mine[-1].get("mode"), mine[-1].get("quarantine_id"),
                mine[-1].get("elapsed")))
    finish()


def untouched(a):
    """the sink message is the fixture but for a.received Received: headers"""
    data = sink_message(a.sink)
    with open(a.fixture, "rb") as f:
        sent = f.read().replace(b"\r\n", b"\n")
    got = data
    for _ in range(a.received):
        got = RECEIVED_LF.sub(b"", got, count=1)
    if got != sent:
        bad("the message differs from the original (%d vs %d bytes)" % (len(got), len(sent)))
    if b"X-Mugaika" in data:
        bad("X-Mugaika on a message that should be untouched")


def cmd_last(a):
    """the newest audit record has this action, stage and reason"""
    recs = read_audit(a.audit)
    r = recs[-1] if recs else {}
    if (r.get("action"), r.get("stage")) != (a.action, a.stage) or a.reason not in (r.get("reason") or ""):
        bad("last audit record: %s %s %s" % (r.get("action"), r.get("stage"), r.get("reason")))
    finish()


def cmd_untouched(a):
    untouched(a)
    finish()


def cmd_bypass(a):
    untouched(a)
    recs = [r for r in read_audit(a.audit) if r.get("queue_id") == a.qid]
    if len(recs) != 1:
        bad("%d audit records for %s" % (len(recs), a.qid))
    else:
        check_record(recs[0], a)
    finish()


# ---------------------------------------------------------------- load

def load_message(prefix, n):
    html = ('<html><body><p>負荷試験のお知らせ LOAD-TOKEN %s-%04d</p>\r\n'
            '<p><a href="https://www.city.example.lg.jp/load/%s/%04d">詳細</a></p>'
            '</body></html>\r\n' % (prefix, n, prefix, n))
    subj = "=?UTF-8?B?%s?=" % base64.b64encode(("負荷試験 %s %04d" % (prefix, n)).encode()).decode()
    b64 = base64.encodebytes(html.encode()).decode().replace("\n", "\r\n")
    return ("From: Load Sender <load@example.jp>\r\nTo: staff@city.example.lg.jp\r\n"
            "Subject: %s\r\nDate: Mon, 01 Apr 2024 09:00:00 +0900\r\n"
            "Message-ID: <%s-%04d@load.example.jp>\r\nX-Mailer: Load Mailer\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n%s" % (subj, prefix, n, b64)).encode()


def send_all(a, count, helo, sender, rcpt, message):
    """message(i) for every i < count, from sender to rcpt, over a.threads
    parallel SMTP sessions to 127.0.0.1:a.port (a session is reused until it
    fails); returns {i: (reply code, Postfix queue id or "-")}, (0,
    "Error:text_without_spaces") where the transaction failed"""
    results = {}
    lock = threading.Lock()

    def worker(ids):
        s = None
        for i in ids:
            try:
                data = message(i)
                if s is None:
                    s = smtplib.SMTP("127.0.0.1", a.port, local_hostname=helo, timeout=180)
                    s.ehlo(helo)
                s.mail(sender)
                s.rcpt(rcpt)
                code, resp = s.data(data)
                m = re.search(rb"queued as (\w+)", resp)
                r = (code, m.group(1).decode() if m else "-")
            except Exception as e:  # noqa: BLE001 (every failure is a result)
                r = (0, "%s:%s" % (type(e).__name__, str(e).replace(" ", "_")))
                if s is not None:
                    try:
                        s.close()
                    except Exception:  # noqa: BLE001
                        pass
                s = None
            with lock:
                results[i] = r
        if s is not None:
            try:
                s.quit()
            except Exception:  # noqa: BLE001
                pass

    threads = [threading.Thread(target=worker, args=(range(i, count, a.threads),))
               for i in range(a.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def cmd_send(a):
    """send COUNT load messages, THREADS sessions; 'n code qid' lines"""
    results = send_all(a, a.count, "load.test", "load@example.jp", "staff@city.example.lg.jp",
                       lambda n: load_message(a.prefix, n))
    with open(a.out, "w") as f:
        for n in sorted(results):
            f.write("%d %d %s\n" % (n, results[n][0], results[n][1]))
    fails = [n for n in results if results[n][0] != 250]
    print("%d sent, %d not accepted%s" % (len(results), len(fails),
          ": %s" % [results[n] for n in fails[:3]] if fails else ""))
    sys.exit(1 if fails or len(results) != a.count else 0)


def cmd_load(a):
    sent = {}
    with open(a.sent) as f:
        for line in f:
            n, code, qid = line.split(" ", 2)
            sent[int(n)] = (int(code), qid.strip())
    if sorted(sent) != list(range(a.count)) or any(c != 250 for c, _ in sent.values()):
        bad("not every message was accepted with 250")
    with open(a.sinklist) as f:
        files = [l.strip() for l in f if l.strip()]
    seen, sink_qids, xids = {}, {}, {}
    mid_re = re.compile(r"^<%s-(\d{4})@load\.example\.jp>$" % re.escape(a.prefix))
    for path in files:
        data = sink_message(path)
        msg = parse(data)
        mid = str(msg.get("Message-ID", ""))
        m = mid_re.match(mid)
        if not m:
            bad("%s: unexpected Message-ID %r" % (os.path.basename(path), mid))
            continue
        n = int(m.group(1))
        if n in seen:
            bad("duplicate delivery of %s" % mid)
        seen[n] = path
        nb = len(PROBLEMS)
        x = rebuilt(msg, data)
        expect(x, verdict="sanitized", html="converted")
        token = "%s-%04d" % (a.prefix, n)
        text = main_text(msg)
        contains(text, ["LOAD-TOKEN " + token,
                        "詳細 <https://www.city.example.lg.jp/load/%s/%04d>" % (a.prefix, n)],
                 "text of " + mid)
        if str(msg.get("Subject")) != "負荷試験 %s %04d" % (a.prefix, n):
            bad("%s: Subject %r" % (mid, str(msg.get("Subject"))))
        rec = str(msg.get_all("Received", [""])[0])
        q = re.search(r" id (\w+)", rec)
        sink_qids[n] = q.group(1) if q else None
        xids[n] = x.get("id")
        if len(PROBLEMS) - nb > 0 and len(PROBLEMS) > 20:
            break
    missing = sorted(set(range(a.count)) - set(seen))
    if missing:
        bad("%d messages never arrived, e.g. %s" % (len(missing), missing[:5]))
    if len(files) != a.count:
        bad("%d new files in the sink, want %d" % (len(files), a.count))
    for n, (code, qid) in sent.items():
        if n in sink_qids and sink_qids[n] != qid:
            bad("message %d: accepted as %s, arrived as %s (crossed messages?)" % (n, qid, sink_qids[n]))
    if len(set(xids.values())) != len(xids):
        bad("quarantine ids are not unique")
    recs = [r for r in read_audit(a.audit)
            if mid_re.match(r.get("message_id") or "")]
    by = {}
    for r in recs:
        by.setdefault(int(mid_re.match(r["message_id"]).group(1)), []).append(r)
    if len(recs) != a.count or len(by) != a.count:
        bad("%d audit records for %d messages, want %d" % (len(recs), len(by), a.count))
    stored = quarantined_ids(a.qdir)
    for n, rs in by.items():
        r = rs[-1]
        if r.get("action") != "delivered":
            bad("message %d audited as %s" % (n, r.get("action")))
        if n in sink_qids and r.get("queue_id") != sink_qids[n]:
            bad("message %d: audit queue id %s, sink %s" % (n, r.get("queue_id"), sink_qids[n]))
        if n in xids and r.get("quarantine_id") != xids[n]:
            bad("message %d: audit quarantine id %s, X-Mugaika %s" % (n, r.get("quarantine_id"), xids[n]))
        q = r.get("quarantine_id") or ""
        if q not in stored:
            bad("message %d: no quarantined original %s" % (n, q))
        if len(PROBLEMS) > 30:
            break
    el = sorted(r.get("elapsed", 0) for rs in by.values() for r in rs)
    if el:
        print("milter elapsed per message: median %.3f s, max %.3f s" % (el[len(el) // 2], el[-1]))
    del PROBLEMS[30:]
    finish()


def cmd_sendfiles(a):
    """send every FILE as it is, THREADS sessions; 'index code qid path' lines"""
    def message(i):
        with open(a.files[i], "rb") as f:
            return f.read()

    results = send_all(a, len(a.files), "sweep.test", "sato@example.jp",
                       "soumu@city.example.lg.jp", message)
    with open(a.out, "w") as f:
        for i in sorted(results):
            f.write("%d %d %s %s\n" % (i, results[i][0], results[i][1], a.files[i]))


# refused in the SMTP session (550), not converted: more than max_headers fields
REFUSED = {"fixtures/mail/hostile/header-flood.eml"}


def cmd_sweep(a):
    sent = []
    with open(a.sent) as f:
        for line in f:
            i, code, qid, path = line.rstrip("\n").split(" ", 3)
            sent.append((int(code), qid, os.path.relpath(path, SRC)))
    with open(a.sinklist) as f:
        files = [l.strip() for l in f if l.strip()]
    by_qid = {}
    for path in files:
        data = sink_message(path)
        msg = parse(data)
        q = re.search(r" id (\w+)", str(msg.get_all("Received", [""])[0]))
        by_qid.setdefault(q.group(1) if q else None, []).append((data, msg))
    recs = {r.get("queue_id"): r for r in read_audit(a.audit)}
    for code, qid, name in sent:
        refused = name in REFUSED
        if code != (550 if refused else 250):
            bad("%s: %s (%d %s)" % (name, "accepted" if refused else "not accepted", code, qid))
            continue
        if refused:
            continue
        got = by_qid.get(qid, [])
        if len(got) != 1:
            bad("%s: %d copies in the sink" % (name, len(got)))
            continue
        data, msg = got[0]
        names = [k.lower() for k in msg.keys()]
        extra = sorted(set(names) - ALLOWED)
        if extra:
            bad("%s: headers outside the allow-list %s" % (name, extra))
        if names.count("x-mugaika") != 1:
            bad("%s: %d X-Mugaika headers" % (name, names.count("x-mugaika")))
        if any(p.get_content_type() == "text/html" for p in leaves(msg)):
            bad("%s: text/html delivered" % name)
        if any(len(l) > 998 for l in data.split(b"\n")):
            bad("%s: line over 998 octets" % name)
        r = recs.get(qid)
        if not r or r.get("action") not in ("delivered", "withheld"):
            bad("%s: audit %s" % (name, r and r.get("action")))
    accepted = [name for _, _, name in sent if name not in REFUSED]
    if len(files) != len(accepted):
        bad("%d new sink files for %d accepted messages" % (len(files), len(accepted)))
    print("%d messages checked" % len(sent))
    finish()


# ---------------------------------------------------------------- generators, SIZE=

def cmd_bigmail(a):
    line = 0
    h = hashlib.sha256()
    chunks = []
    size = 0
    while size < a.bytes:
        s = ("%08d,東京都千代田区霞が関,%s,e2e 20 MB attachment line\n" % (line, "x" * (line % 40))).encode()
        chunks.append(s)
        size += len(s)
        line += 1
    raw = b"".join(chunks)
    h.update(raw)
    with open(a.out, "wb") as f:
        f.write(b"From: Sato Hanako <sato@example.jp>\r\nTo: soumu@city.example.lg.jp\r\n"
                b"Subject: e2e 20 MB\r\nDate: Mon, 01 Apr 2024 09:00:00 +0900\r\n"
                b"Message-ID: <e2e-big@example.jp>\r\nMIME-Version: 1.0\r\n"
                b"Content-Type: multipart/mixed; boundary=\"e2e-b-big\"\r\n\r\n"
                b"--e2e-b-big\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
                b"E2E-BIG-BODY\r\n--e2e-b-big\r\n"
                b"Content-Type: text/plain; charset=utf-8; name=\"data.txt\"\r\n"
                b"Content-Disposition: attachment; filename=\"data.txt\"\r\n"
                b"Content-Transfer-Encoding: base64\r\n\r\n")
        f.write(base64.encodebytes(raw).replace(b"\n", b"\r\n"))
        f.write(b"--e2e-b-big--\r\n")
    print(h.hexdigest())


def cmd_plainmail(a):
    with open(a.out, "wb") as f:
        f.write(b"From: sato@example.jp\r\nTo: soumu@city.example.lg.jp\r\n"
                b"Subject: e2e oversize\r\nMessage-ID: <e2e-oversize@example.jp>\r\n\r\n")
        n = 0
        while f.tell() < a.bytes:
            f.write(b"E2E-OVERSIZE line %06d %s\r\n" % (n, b"y" * 60))
            n += 1


def cmd_textmail(a):
    """exactly a.bytes of mail (CRLF, as SMTP counts it) whose body is 8-bit
    UTF-8 Japanese text in lines under 128 bytes: the shape that grows most
    when rebuilt (a third, as base64)"""
    head = ("From: sato@example.jp\r\nTo: soumu@city.example.lg.jp\r\n"
            "Subject: e2e size %d\r\nMessage-ID: <e2e-size-%d@example.jp>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n" % (a.bytes, a.bytes)).encode()
    line = ("E2E-SIZE " + "東京都千代田区霞が関の議事録" * 2 + "\r\n").encode()
    body = bytearray()
    while len(head) + len(body) + len(line) <= a.bytes:
        body += line
    rest = a.bytes - len(head) - len(body)
    if rest >= 2:
        body += b"x" * (rest - 2) + b"\r\n"
    with open(a.out, "wb") as f:
        f.write(head + bytes(body))


def cmd_flood(a):
    """a.count header fields of 12 bytes each (20,000: 243 KB)"""
    with open(a.out, "wb") as f:
        f.write(b"From: sato@example.jp\r\nTo: soumu@city.example.lg.jp\r\n"
                b"Subject: e2e %d headers\r\nMessage-ID: <e2e-flood-%d@example.jp>\r\n"
                % (a.count, a.count))
        for i in range(a.count - 4):
            f.write(b"X%05d: f\r\n" % i)
        f.write(b"\r\nE2E-FLOOD-BODY %d\r\n" % a.count)


def cmd_manyattach(a):
    """text mode turns each attachment into two notice lines (Japanese and
    English) naming it, then base64: a message of many small attachments
    with long names (filename only) grows about threefold when rebuilt"""
    parts = [b"From: sato@example.jp\r\nTo: soumu@city.example.lg.jp\r\n"
             b"Subject: e2e many attachments\r\nMessage-ID: <e2e-many@example.jp>\r\n"
             b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
             b"--b\r\nContent-Type: text/plain\r\n\r\nE2E-MANY-BODY\r\n"]
    size, n = len(parts[0]), 0
    while True:
        name = b"%04d-%s.dat" % (n, b"n" * 300)
        part = (b"--b\r\nContent-Disposition: attachment;\r\n filename=\"" + name +
                b"\"\r\n\r\nx\r\n")
        if size + len(part) + 7 > a.bytes:
            break
        parts.append(part)
        size += len(part)
        n += 1
    parts.append(b"--b--\r\n")
    with open(a.out, "wb") as f:
        f.write(b"".join(parts))


def cmd_size(a):
    s = smtplib.SMTP("127.0.0.1", a.port, local_hostname="size.test", timeout=60)
    s.ehlo("size.test")
    code, resp = s.mail("sato@example.jp", ["SIZE=%d" % a.size])
    print("MAIL FROM SIZE=%d: %d %s" % (a.size, code, resp.decode()))
    if code != a.expect or not resp.decode().startswith(a.status):
        bad("want %d %s at MAIL FROM" % (a.expect, a.status))
    s.rset()
    s.mail("sato@example.jp", ["SIZE=200"])
    s.rcpt("soumu@city.example.lg.jp")
    code, resp = s.data(b"From: sato@example.jp\r\nSubject: e2e after SIZE\r\n"
                        b"Message-ID: <e2e-after-size@example.jp>\r\n\r\nE2E-AFTER-SIZE\r\n")
    print("next message on the session: %d %s" % (code, resp.decode()))
    if code != 250:
        bad("the session is not usable after the refusal")
    s.quit()
    finish()


def one_message(name, action, reason=None):
    """parser of a command that checks one sink message and its audit record
    (check_record): the audit record wants action (and reason)"""
    p = sub.add_parser(name)
    for opt in ("--sink", "--qid", "--qdir", "--fixture", "--mode"):
        p.add_argument(opt)
    p.add_argument("--audit", action="append")
    p.add_argument("--action", default=action)
    p.add_argument("--reason", default=reason)
    return p


ap = argparse.ArgumentParser()
sub = ap.add_subparsers(dest="cmd", required=True)
p = one_message("mail", "delivered")
p.add_argument("--case", default="any")
p.add_argument("--mid")
p.add_argument("--sha")
p.add_argument("--contains")
one_message("bypass", "bypassed", "bypass_clients").add_argument("--received", type=int,
                                                                 default=1)
p = sub.add_parser("last")
p.add_argument("--audit", action="append")
p.add_argument("--action")
p.add_argument("--stage")
p.add_argument("--reason", default="")
p = sub.add_parser("untouched")
p.add_argument("--sink")
p.add_argument("--fixture")
p.add_argument("--received", type=int, default=1)
p = sub.add_parser("send")
p.add_argument("--port", type=int)
p.add_argument("--prefix")
p.add_argument("--count", type=int)
p.add_argument("--threads", type=int)
p.add_argument("--out")
p = sub.add_parser("load")
p.add_argument("--prefix")
p.add_argument("--count", type=int)
p.add_argument("--sinklist")
p.add_argument("--sent")
p.add_argument("--audit", action="append")
p.add_argument("--qdir")
p = sub.add_parser("sendfiles")
p.add_argument("--port", type=int)
p.add_argument("--threads", type=int, default=4)
p.add_argument("--out")
p.add_argument("files", nargs="+")
p = sub.add_parser("sweep")
p.add_argument("--sent")
p.add_argument("--sinklist")
p.add_argument("--audit", action="append")
p = sub.add_parser("bigmail")
p.add_argument("--out")
p.add_argument("--bytes", type=int)
p = sub.add_parser("plainmail")
p.add_argument("--out")
p.add_argument("--bytes", type=int)
p = sub.add_parser("textmail")
p.add_argument("--out")
p.add_argument("--bytes", type=int)
p = sub.add_parser("manyattach")
p.add_argument("--out")
p.add_argument("--bytes", type=int)
p = sub.add_parser("flood")
p.add_argument("--out")
p.add_argument("--count", type=int)
p = sub.add_parser("size")
p.add_argument("--port", type=int)
p.add_argument("--size", type=int)
p.add_argument("--expect", type=int, default=552)
p.add_argument("--status", default="5.3.4")
a = ap.parse_args()
{"mail": cmd_mail, "bypass": cmd_bypass, "untouched": cmd_untouched, "last": cmd_last,
 "send": cmd_send,
 "load": cmd_load,
 "sendfiles": cmd_sendfiles, "sweep": cmd_sweep,
 "bigmail": cmd_bigmail, "plainmail": cmd_plainmail, "textmail": cmd_textmail,
 "flood": cmd_flood, "manyattach": cmd_manyattach, "size": cmd_size}[a.cmd](a)
PYEOF
export E2E_SRC=$SRC E2E_QUARANTINE=$BUILD/milter/cdr-quarantine

# ------------------------------------------------------------------ 1: milters
t0=$(now)
st=0
why=
e2e_milter_conf "$M1" "${M1_CONF[@]}" && e2e_milter_start "$M1" 2>"$WORK/m1.err" || {
	st=1
	why="m1: $(cat "$WORK/m1.err")"
}
if [ "$st" -eq 0 ]; then
	e2e_milter_conf "$M2" "${M2_CONF[@]}" && e2e_milter_start "$M2" 2>"$WORK/m2.err" || {
		st=1
		why="m2: $(cat "$WORK/m2.err")"
	}
fi
if [ "$st" -eq 0 ]; then
	e2e_milter_conf "$M3" "${M3_CONF[@]}" && e2e_milter_start "$M3" 2>"$WORK/m3.err" || {
		st=1
		why="m3: $(cat "$WORK/m3.err")"
	}
fi
if [ "$st" -eq 0 ]; then
	# privileges dropped to nobody:nogroup, socket connectable by postfix
	for d in "$M1" "$M2" "$M3"; do
		pid=$(e2e_milter_pid "$d")
		uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")
		gid=$(awk '/^Gid:/ { print $2 }' "/proc/$pid/status")
		want_u=$(id -u nobody)
		if [ "$uids" != "$want_u $want_u $want_u $want_u" ] || [ "$gid" != "$(getent group nogroup | cut -d: -f3)" ]; then
			st=1
			why="$why $d: uids '$uids' gid $gid"
		fi
		perm=$(stat -c '%a %U' "$d/milter.sock")
		[ "$perm" = "666 nobody" ] || { st=1; why="$why $d/milter.sock: $perm"; }
	done
fi
ok "$st" "cdr-milter m1 (sanitize), m2 (text, small limits) and m3 (after the queue) start, run as nobody:nogroup, socket 0666"
diag "milters up after $(elapsed "$t0") s"
[ "$st" -eq 0 ] || { diag "$why"; mlog "$M1"; mlog "$M2"; mlog "$M3"; echo "Bail out! no milter"; exit 1; }

# ------------------------------------------------------------------ 2: Postfix
t0=$(now)
st=0
if e2e_start "$PF" "$(e2e_milter_socket "$M1")" 2>"$WORK/pf.err"; then
	PF_PORT=$E2E_SMTP_PORT
	if e2e_start "$UP" 2>"$WORK/up.err" &&
		e2e_postconf "myhostname = upstream.test" "relayhost = [127.0.0.1]:$PF_PORT" \
			2>>"$WORK/up.err" &&
		e2e_start "$ALT" "$(e2e_milter_socket "$M2")" 2>"$WORK/alt.err" &&
		E2E_ARRANGEMENT=after-queue E2E_PUBLIC_SIZE=$AQ_PUBLIC E2E_FILTER_SIZE=$AQ_FILTER \
			e2e_start "$AQ" "$(e2e_milter_socket "$M3")" 2>"$WORK/aq.err"; then
		:
	else
		st=1
	fi
else
	st=1
fi
ok "$st" "Postfix instances start: main (smtpd_milters = m1), upstream relaying into main, alt (m2), aq (m3 screening, content_filter, m3 after the queue, LGWAN listener)"
diag "Postfix instances up after $(elapsed "$t0") s (main smtpd :${PF_PORT:-?})"
if [ "$st" -ne 0 ]; then
	cat "$WORK"/pf.err "$WORK"/up.err "$WORK"/alt.err "$WORK"/aq.err 2>/dev/null | indent
	echo "Bail out! Postfix did not start"
	exit 1
fi

# ------------------------------------------------------------------ 3..: content
# run_delivered DESCRIPTION CASE FIXTURE [TO] [check.py args]
run_delivered() {
	local desc=$1 case=$2 fixture=$3 to=${4:-$TO} t st
	shift 4
	t=$(now)
	delivered "$case" "$PF" "$M1" "$fixture" "$to" "$@" > "$WORK/case.out" 2>&1
	st=$?
	ok "$st" "$desc"
	diag "$(basename "$fixture"): $(elapsed "$t") s"
	cat "$WORK/case.out"
	[ "$st" -eq 0 ] || mlog "$M1" 4
	return "$st"
}

run_delivered "plain ASCII: 250, body intact, X-Mailer gone, X-Mugaika id = quarantine id; the stored original byte-exact, its sha256 audited, the stored record = the audit record, the index row agrees" \
	plain "$FIX/plain.eml" "$TO" --mode sanitize
run_delivered "HTML only: converted to text, link as 'text <url>', no text/html, no script, notice with the quarantine id" \
	html "$FIX/html.eml" "$TO"
run_delivered "ISO-2022-JP with NEC/IBM extensions (①㈱髙): exact Japanese in body and Subject, no U+FFFD" \
	japanese "$JA/iso2022jp.eml" "$TO"
run_delivered "Shift_JIS (CP932) 8-bit body: exact Japanese, no U+FFFD, original quarantined byte for byte" \
	japanese "$JA/shift-jis.eml" "$TO"
run_delivered "message without a body (headers only): rebuilt, delivered" \
	headers-only "$SRC/fixtures/mail/garbage/headers-only.eml" "$TO"
run_delivered "sanitize mode, attachments kept: UTF-8 .txt (RFC 2231 Japanese name) byte-identical, PNG same pixels" \
	kept "$FIX/attach-kept.eml" "$TO"
run_delivered "sanitize mode, attachments sanitized: JPEG metadata/<script> stripped (same pixels), CSV formulas prefixed with '" \
	sanitized "$FIX/attach-sanitized.eml" "$TO"
run_delivered "sanitize mode, PDF with OpenAction JavaScript: kept disarmed (qpdf --check passes, no script, page text intact)" \
	pdf "$FIX/attach-pdf.eml" "$TO"
run_delivered "attachments: .exe removed and listed, .docm delivered as .docx without its macros, no payload bytes" \
	removed "$FIX/attach-removed.eml" "$TO"
run_delivered "header block that does not look like mail (X- headers and Content-Type only): still rebuilt as mail, .exe removed, .docm disarmed" \
	removed "$FIX/disguised.eml" "$TO"
run_delivered "hostile: exe named invoice.pdf, photo.jpg.exe, RLO name all removed; forged X-Mugaika dropped" \
	hostile "$FIX/hostile.eml" "$TO"
HOSTILE_SINK=${LAST_SINK:-}

out=$($CHECK mail --case bidi --sink "${HOSTILE_SINK:-/nonexistent}" 2>&1)
st=$?
ok "$st" "the notice shows no bidi control characters (U+202E in a listed file name)"
[ "$st" -eq 0 ] || printf '%s\n' "$out" | indent


# every mail fixture (benign, hostile, garbage) through Postfix, 4 sessions
t0=$(now)
e2e_use "$PF"
e2e_sink_files > "$WORK/sweep.before"
$CHECK sendfiles --port "$PF_PORT" --threads 4 --out "$WORK/sweep.sent" \
	"$SRC"/fixtures/mail/*/*.eml
nsweep=$(grep -c . "$WORK/sweep.sent")
naccepted=$(grep -c '^[0-9]* 250 ' "$WORK/sweep.sent")
e2e_wait_sink "$(( $(grep -c . "$WORK/sweep.before") + naccepted ))" 60
sleep 0.3
e2e_sink_files | grep -vxF -f "$WORK/sweep.before" > "$WORK/sweep.new"
mapfile -t a < <(audits "$M1")
out=$($CHECK sweep --sent "$WORK/sweep.sent" --sinklist "$WORK/sweep.new" "${a[@]}" 2>&1)
st=$?
ok "$st" "all $nsweep fixtures/mail messages (benign, hostile, garbage): 250 (the header flood: 550), one copy each, allow-listed headers, one X-Mugaika, no HTML, audited"
diag "$nsweep messages in $(elapsed "$t0") s"
printf '%s\n' "$out" | head -20 | indent

# ------------------------------------------------------------------ worker crash
# qcount MDIR: originals in the milter's store, with or without a record
qcount() {
	"$BUILD/milter/cdr-quarantine" -c "$1/mugaika.conf" stats -j |
		$PY -c 'import json, sys; t = json.load(sys.stdin); print(t["messages"] + t["receiving"])'
}
t0=$(now)
e2e_use "$PF"
q_before=$(qcount "$M1")
send "$PF" "$FIX/crash.eml" "$TO"
st=1
why="reply: $REPLY"
case "$REPLY" in
"451 4.7.0 "*crash*)
	if ! nothing_delivered "e2e-crash@example.jp"; then
		why="the message reached the sink"
	elif [ "$(e2e_queue_count)" -ne 0 ]; then
		why="main queue not empty"
	elif ! _e2e_alive "$(e2e_milter_pid "$M1")"; then
		why="milter died"
	elif [ "$(qcount "$M1")" -ne "$q_before" ]; then
		why="the tempfailed original stayed in the quarantine (every retry would add one)"
	else
		mapfile -t a < <(audits "$M1")
		# The record of a crash has no message_id (the milter learns it
		# from the worker's report): take the newest record.
		why=$($CHECK mail --mid LAST "${a[@]}" --qdir "$M1/var/quarantine" \
			--fixture "$FIX/crash.eml" --action tempfailed --reason crash 2>&1)
		st=$?
	fi
	;;
esac
ok "$st" "worker crash (test worker): 451 4.7.0 to the client, nothing delivered or queued, no original left in the quarantine, audited as tempfailed"
diag "reply: $REPLY ($(elapsed "$t0") s)"
[ "$st" -eq 0 ] || { printf '%s\n' "$why" | indent; mlog "$M1" 5; }

t0=$(now)
send "$UP" "$FIX/crash.eml" "$TO"
UPQID=$QID
st=1
why="upstream reply: $REPLY"
if [ "$CODE" = 250 ]; then
	e2e_use "$UP"
	if ! e2e_wait_log "$UPQID: .*status=deferred.*451 4\.7\.0" 30; then
		why="no deferral with 451 4.7.0 in the upstream log"
	elif [ "$(e2e_queue_count)" -ne 1 ]; then
		why="upstream queue holds $(e2e_queue_count) messages, want 1"
	else
		e2e_use "$PF"
		if nothing_delivered "e2e-crash@example.jp"; then
			st=0
		else
			why="the message reached the sink"
		fi
	fi
fi
ok "$st" "worker crash seen from the sending MTA: 451 4.7.0, message stays deferred in its queue"
diag "upstream: $(e2e_use "$UP" && e2e_log | grep "$UPQID: .*status=deferred" | head -1 | sed 's/.*status=/status=/')"
diag "$(elapsed "$t0") s"
[ "$st" -eq 0 ] || { printf '%s\n' "$why" | indent; plog "$UP" 6; }
postsuper -c "$UP/etc" -d ALL >/dev/null 2>&1	# no further retries

# ------------------------------------------------------------------ 20 MB
t0=$(now)
BIG=$WORK/big.eml
BIGSHA=$($CHECK bigmail --out "$BIG" --bytes 15000000)
size=$(stat -c %s "$BIG")
diag "generated a $size-byte message in $(elapsed "$t0") s"
t0=$(now)
delivered big "$PF" "$M1" "$BIG" "$TO" --sha "$BIGSHA" > "$WORK/case.out" 2>&1
st=$?
ok "$st" "$((size / 1000000)) MB message (15 MB text attachment, base64): delivered, attachment kept, sha256 intact"
diag "20 MB: accepted and delivered in $(elapsed "$t0") s"
cat "$WORK/case.out"
[ "$st" -eq 0 ] || mlog "$M1" 5
rm -f "$BIG"
[ -n "${LAST_SINK:-}" ] && [ "$st" -eq 0 ] && rm -f "$LAST_SINK"

# ------------------------------------------------------------------ load
# load PREFIX COUNT THREADS: send COUNT HTML mails in THREADS sessions
# (several messages per session), sets LOAD_ST, LOAD_OUT
load_send() {
	local prefix=$1 count=$2 threads=$3
	e2e_use "$PF"
	$CHECK send --port "$PF_PORT" --prefix "$prefix" --count "$count" --threads "$threads" \
		--out "$WORK/$prefix.sent"
}
load_verify() {
	local prefix=$1 count=$2
	e2e_use "$PF"
	if ! e2e_wait_sink "$(( $(wc -l < "$WORK/$prefix.before") + count ))" 120; then
		echo "only $(( $(e2e_sink_count) - $(wc -l < "$WORK/$prefix.before") )) of $count arrived"
	fi
	sleep 0.5	# a duplicate would arrive late
	e2e_sink_files | grep -vxF -f "$WORK/$prefix.before" > "$WORK/$prefix.new"
	mapfile -t a < <(audits "$M1")
	$CHECK load --prefix "$prefix" --count "$count" --sinklist "$WORK/$prefix.new" \
		--sent "$WORK/$prefix.sent" "${a[@]}" --qdir "$M1/var/quarantine"
}

t0=$(now)
e2e_use "$PF"
e2e_sink_files > "$WORK/L500.before"
send_out=$(load_send L500 500 20 2>&1)
send_st=$?
t_send=$(elapsed "$t0")
out=$(load_verify L500 500 2>&1)
st=$?
[ "$send_st" -eq 0 ] || st=1
ok "$st" "500 HTML messages in 20 concurrent sessions: all 250, exactly 500 arrive converted, no loss, no duplicate, no crossed bodies; 500 audit records match"
diag "500 messages: sent in $t_send s, all checked in $(elapsed "$t0") s" "$send_out"
printf '%s\n' "$out" | indent
[ "$st" -eq 0 ] || mlog "$M1" 5

t0=$(now)
e2e_sink_files > "$WORK/H200.before"
hups_before=$(grep -c "configuration reloaded" "$M1/milter.log")
load_send H200 200 10 > "$WORK/H200.send.out" 2>&1 &
spid=$!
hups=0
sleep 0.1
# SIGHUPs while the sender runs (each waits for "configuration reloaded");
# a fast machine may finish 200 messages in under a second: two suffice
while _e2e_alive "$spid" && [ "$hups" -lt 10 ]; do
	e2e_milter_hup "$M1" 2>/dev/null && hups=$((hups + 1))
	sleep 0.1
done
wait "$spid"
send_st=$?
t_send=$(elapsed "$t0")
out=$(load_verify H200 200 2>&1)
st=$?
reloads=$(( $(grep -c "configuration reloaded" "$M1/milter.log") - hups_before ))
why=
[ "$send_st" -eq 0 ] || { st=1; why="$why sender: $(cat "$WORK/H200.send.out")"; }
[ "$hups" -ge 2 ] || { st=1; why="$why only $hups SIGHUPs while sending"; }
[ "$reloads" -eq "$hups" ] || { st=1; why="$why $reloads reloads logged for $hups SIGHUPs"; }
grep -q "reload failed" "$M1/milter.log" && { st=1; why="$why reload failed"; }
_e2e_alive "$(e2e_milter_pid "$M1")" || { st=1; why="$why milter died"; }
ok "$st" "SIGHUP during load: $hups reloads while 200 messages flow, all 200 delivered and audited, milter alive, log says 'configuration reloaded'"
diag "200 messages with $hups SIGHUPs: $t_send s sending"
mpid=$(e2e_milter_pid "$M1")
diag "m1 peak RSS so far: milter $(awk '/^VmHWM/ { print $2 }' "/proc/$mpid/status") kB, current workers $(for w in $(pgrep -P "$mpid"); do awk '/^VmHWM/ { print $2 }' "/proc/$w/status"; done | tr '\n' ' ')kB"
printf '%s\n' "$out" $why | grep -v '^$' | indent
[ "$st" -eq 0 ] || mlog "$M1" 5

# ------------------------------------------------------------------ reload applies
t0=$(now)
st=1
why=
mv "$M1/var/audit.jsonl" "$M1/var/audit.jsonl.1"	# as logrotate does
lines_before=$(wc -l < "$M1/var/audit.jsonl.1")
e2e_milter_conf "$M1" "${M1_CONF[@]}" "mail.subject_tag=[無害化]"
if e2e_milter_hup "$M1"; then
	delivered tag "$PF" "$M1" "$FIX/plain.eml" "$TO" > "$WORK/tag.out" 2>&1
	st=$?
	if [ "$st" -eq 0 ]; then
		if [ "$(wc -l < "$M1/var/audit.jsonl" 2>/dev/null)" != 1 ]; then
			st=1
			why="the reopened audit.jsonl does not hold exactly the one new record"
		elif [ "$(wc -l < "$M1/var/audit.jsonl.1")" != "$lines_before" ]; then
			st=1
			why="the rotated audit log was written to after the reload"
		elif ! grep -q "\"queue_id\":\"$QID\"" "$M1/var/audit.jsonl"; then
			st=1
			why="new record not in the reopened log"
		fi
	fi
else
	why="reload failed: $(tail -2 "$M1/milter.log")"
fi
ok "$st" "SIGHUP applies a changed configuration (subject_tag) and reopens a rotated audit log"
diag "$(elapsed "$t0") s"
[ "$st" -eq 0 ] || { cat "$WORK/tag.out" | indent; diag "$why"; }
# a broken configuration on SIGHUP: logged, the running one (with the tag) kept
t0=$(now)
st=1
why=
printf '[mail]\nmode = sanitize\nno_such_key = 1\n' >> "$M1/mugaika.conf"
if e2e_milter_hup "$M1" 2>/dev/null; then
	why="the broken configuration was accepted"
elif ! tail -n 5 "$M1/milter.log" | grep -q "reload failed"; then
	why="no 'reload failed' in the log"
elif ! _e2e_alive "$(e2e_milter_pid "$M1")"; then
	why="the milter died"
else
	delivered tag "$PF" "$M1" "$FIX/plain.eml" "$TO" > "$WORK/tag2.out" 2>&1 && st=0 ||
		why="after the failed reload: $(cat "$WORK/tag2.out")"
fi
ok "$st" "SIGHUP with a broken configuration: 'reload failed' logged, the running configuration (subject_tag) stays in force"
diag "$(tail -n 5 "$M1/milter.log" | grep "reload failed" | tail -1) ($(elapsed "$t0") s)"
[ "$st" -eq 0 ] || printf '%s\n' "$why" | indent

e2e_milter_conf "$M1" "${M1_CONF[@]}"
e2e_milter_hup "$M1" || diag "restoring m1's configuration failed"

# ------------------------------------------------------------------ quarantine unwritable
# expect_store_tempfail: the last message got 451 4.7.0 for the quarantine,
# nothing was delivered or queued, the audit record says tempfailed
# without an id; sets st (0: so) and why
expect_store_tempfail() {
	st=1
	why="reply: $REPLY"
	case "$REPLY" in
	"451 4.7.0 "*quarantine*)
		e2e_use "$PF"
		before=$(e2e_sink_count)
		sleep 1
		if [ "$(e2e_sink_count)" -ne "$before" ] || [ "$(e2e_queue_count)" -ne 0 ]; then
			why="something was delivered or queued"
		else
			why=$($PY - "$M1/var/audit.jsonl" <<'EOF'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")][-1]
if r["action"] != "tempfailed" or r.get("quarantine_id") or "quarantine" not in (r.get("reason") or ""):
    print("last audit record: %s %s %s" % (r["action"], r.get("quarantine_id"), r.get("reason")))
    sys.exit(1)
EOF
)
			st=$?
		fi
		;;
	esac
}

# A reload to a directory the milter's user cannot use: the store cannot
# be opened (the open store of the old directory would go on working).
t0=$(now)
QBAD=$M1/var/quarantine-unwritable
mkdir -p "$QBAD"
chown nobody:nogroup "$QBAD"
chmod 000 "$QBAD"
e2e_milter_conf "$M1" "${M1_CONF[@]}" "milter.quarantine_dir=$QBAD"
e2e_milter_hup "$M1" || diag "reload to $QBAD failed"
send "$PF" "$FIX/plain.eml" "$TO"
reply1=$REPLY
expect_store_tempfail
chmod 700 "$QBAD"
if [ "$st" -eq 0 ]; then
	QDIR_OF_NEXT=$QBAD delivered plain "$PF" "$M1" "$FIX/plain.eml" "$TO" > "$WORK/q2.out" 2>&1 || {
		st=1
		why="after chmod 700 again: $(cat "$WORK/q2.out")"
	}
fi
ok "$st" "quarantine unwritable: 451 4.7.0, nothing delivered, audited as tempfailed; delivered again (the store opened by the next message) once writable"
diag "reply: $reply1 ($(elapsed "$t0") s)"
[ "$st" -eq 0 ] || { printf '%s\n' "$why" | indent; mlog "$M1" 4; }

# ------------------------------------------------------------------ quarantine full
# The store on a small tmpfs, filled up by a file beside it.
t0=$(now)
QFULL=$M1/var/quarantine-full
mkdir -p "$QFULL"
reply1=
why=
if mount -t tmpfs -o "size=2m,mode=0700,uid=$(id -u nobody),gid=$(getent group nogroup | cut -d: -f3)" \
	tmpfs "$QFULL" 2>"$WORK/mount.err"; then
	e2e_milter_conf "$M1" "${M1_CONF[@]}" "milter.quarantine_dir=$QFULL"
	e2e_milter_hup "$M1" || diag "reload to $QFULL failed"
	st=0
	QDIR_OF_NEXT=$QFULL delivered plain "$PF" "$M1" "$FIX/plain.eml" "$TO" > "$WORK/qf1.out" 2>&1 || {
		st=1
		why="before the disk was full: $(cat "$WORK/qf1.out")"
	}
	if [ "$st" -eq 0 ]; then
		dd if=/dev/zero of="$QFULL/filler" bs=64k 2>/dev/null
		send "$PF" "$FIX/attach-sanitized.eml" "$TO"
		reply1=$REPLY
		expect_store_tempfail
		rm -f "$QFULL/filler"
	fi
	if [ "$st" -eq 0 ]; then
		QDIR_OF_NEXT=$QFULL delivered plain "$PF" "$M1" "$FIX/plain.eml" "$TO" > "$WORK/qf2.out" 2>&1 || {
			st=1
			why="after the disk had room again: $(cat "$WORK/qf2.out")"
		}
	fi
	e2e_milter_conf "$M1" "${M1_CONF[@]}"
	e2e_milter_hup "$M1" || diag "restoring m1's configuration failed"
	umount -l "$QFULL"
	ok "$st" "quarantine full (a 2 MB tmpfs filled up): 451 4.7.0, nothing delivered, audited as tempfailed; delivered again once there is room"
else
	st=0
	e2e_milter_conf "$M1" "${M1_CONF[@]}"
	e2e_milter_hup "$M1" || diag "restoring m1's configuration failed"
	NUM=$((NUM + 1))
	echo "ok $NUM - quarantine full # SKIP cannot mount a tmpfs: $(cat "$WORK/mount.err")"
fi
diag "reply: $reply1 ($(elapsed "$t0") s)"
[ "$st" -eq 0 ] || { printf '%s\n' "$why" | indent; mlog "$M1" 4; }

# ------------------------------------------------------------------ migrate
# An old directory quarantine (YYYYMMDD/ID.eml + ID.json) beside the live
# store, imported while the milter runs; again (nothing twice); --remove.
t0=$(now)
QTOOL=("$BUILD/milter/cdr-quarantine" -c "$M1/mugaika.conf")
$PY - "$M1/var/quarantine" "$FIX" <<'EOF'
import hashlib, json, os, shutil, sys
qdir, fix = sys.argv[1], sys.argv[2]
day = os.path.join(qdir, "20261101")
os.makedirs(day, exist_ok=True)
def pair(qid, fixture, record=True, original=True, sha=None, **extra):
    data = open(os.path.join(fix, fixture), "rb").read()
    r = {"time": "2026-11-01T00:00:00Z", "queue_id": "OLD", "stage": "before-queue",
         "sender": "old@example.jp", "recipients": ["soumu@city.example.lg.jp"],
         "action": "delivered", "reason": None, "mode": "sanitize", "quarantine_id": qid,
         "message_id": "<%s@old>" % qid, "subject": "移行テスト " + fixture, "av": None,
         "malware": None, "size_in": len(data), "size_out": 0,
         "sha256": sha or hashlib.sha256(data).hexdigest(), "elapsed": 0.01,
         "report": {"verdict": "sanitized", "actions": [], "children": [
             {"name": "会議資料.zip", "verdict": "blocked", "error": "encrypted",
              "reason": "password-protected archive", "detected": "application/zip",
              "size_in": 176, "actions": []}]}}
    r.update(extra)
    if original:
        open(os.path.join(day, qid + ".eml"), "wb").write(data)
    if record:
        open(os.path.join(day, qid + ".json"), "w").write(json.dumps(r, ensure_ascii=False) + "\n")
pair("20261101T000001-000000000001", "plain.eml")
pair("20261101T000002-000000000002", "html.eml")
pair("20261101T000003-000000000003", "hostile.eml", malware=["Eicar-Signature"])
pair("20261101T000004-000000000004", "plain.eml", record=False)       # never accepted
pair("20261101T000005-000000000005", "plain.eml", original=False)     # original gone
pair("20261101T000006-000000000006", "plain.eml", sha="0" * 64)       # damaged
for root, dirs, files in os.walk(day):
    for n in [root] + [os.path.join(root, f) for f in files]:
        shutil.chown(n, "nobody", "nogroup")
EOF
st=0
why=
m1=$("${QTOOL[@]}" migrate 2>"$WORK/migrate.err")
rc1=$?
[ "$rc1" = 1 ] && [ "$m1" = "3 imported, 0 already in the store, 3 not imported, 0 removed from $M1/var/quarantine" ] ||
	{ st=1; why="first run (exit $rc1): $m1"; }
for n in 4 5 6; do
	grep -q "20261101T00000$n-00000000000$n" "$WORK/migrate.err" || { st=1; why="$why; $n not reported"; }
done
m2=$("${QTOOL[@]}" migrate 2>/dev/null)
[ "$m2" = "0 imported, 3 already in the store, 3 not imported, 0 removed from $M1/var/quarantine" ] ||
	{ st=1; why="$why; second run: $m2"; }
# the search index, which the milter does not write: behind the imports,
# brought up to date by the search (a word of 3 characters or more)
index_behind() {
	$PY - "$M1/var/quarantine/quarantine.sqlite" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(db.execute("SELECT (SELECT coalesce(max(seq), 0) FROM messages) - upto FROM search_index").fetchone()[0])
PYEOF
}
[ "$(index_behind)" -ge 3 ] || { st=1; why="$why; index not behind the imports: $(index_behind)"; }
found=$("${QTOOL[@]}" search --subject=移行テスト --encrypted -j | grep -c '"encrypted":true')
[ "$found" = 3 ] || { st=1; why="$why; search --encrypted found $found of 3"; }
[ "$(index_behind)" = 0 ] || { st=1; why="$why; search left the index $(index_behind) behind"; }
"${QTOOL[@]}" extract 20261101T000002-000000000002 > "$WORK/migrated.eml" &&
	cmp -s "$WORK/migrated.eml" "$FIX/html.eml" || { st=1; why="$why; extract differs"; }
"${QTOOL[@]}" show -j 20261101T000003-000000000003 > "$WORK/migrated.json"
$PY - "$WORK/migrated.json" <<'EOF' || { st=1; why="$why; show: $(head -c 300 "$WORK/migrated.json")"; }
import json, sys
s = json.load(open(sys.argv[1]))
m = s["message"]
assert s["record"]["quarantine_id"] == "20261101T000003-000000000003"
assert m["malware"] == "Eicar-Signature" and not m["releasable"], m
assert m["recipients"] == [{"address": "soumu@city.example.lg.jp", "mode": "sanitize"}], m
EOF
m3=$("${QTOOL[@]}" migrate --remove 2>/dev/null)
[ "$m3" = "0 imported, 3 already in the store, 3 not imported, 3 removed from $M1/var/quarantine" ] ||
	{ st=1; why="$why; --remove: $m3"; }
left=$(find "$M1/var/quarantine/20261101" -type f -printf '%f\n' | sort | tr '\n' ' ')
[ "$left" = "20261101T000004-000000000004.eml 20261101T000005-000000000005.json 20261101T000006-000000000006.eml 20261101T000006-000000000006.json " ] ||
	{ st=1; why="$why; left after --remove: $left"; }
delivered plain "$PF" "$M1" "$FIX/plain.eml" "$TO" > "$WORK/mig.out" 2>&1 ||
	{ st=1; why="$why; the milter afterwards: $(cat "$WORK/mig.out")"; }
rm -rf "$M1/var/quarantine/20261101"
ok "$st" "cdr-quarantine migrate beside the running milter: pairs imported with their records (search, which brings the search index up to date, show, extract), what it cannot import named (never accepted, original gone, SHA-256 differs; exit 1), nothing twice, --remove deletes only what is in the store"
diag "$(elapsed "$t0") s"
[ "$st" -eq 0 ] || printf '%s\n' "$why" | indent

# ------------------------------------------------------------------ milter down
t0=$(now)
mpid=$(e2e_milter_pid "$M1")
workers=$(pgrep -P "$mpid" | tr '\n' ' ')
e2e_milter_kill "$M1"
st=0
why=
for i in $(seq 1 50); do
	left=
	for w in $workers; do
		_e2e_alive "$w" && left="$left $w"
	done
	[ -z "$left" ] && break
	sleep 0.1
done
[ -z "$left" ] || { st=1; why="workers still running after the milter died:$left"; }
send "$PF" "$FIX/plain.eml" "$TO"
down_reply=$REPLY
case "$CODE" in
4??) ;;
*) st=1; why="$why reply with the milter down: $REPLY" ;;
esac
e2e_use "$PF"
[ "$(e2e_queue_count)" -eq 0 ] || { st=1; why="$why main queued the message"; }
ok "$st" "milter killed: workers exit, Postfix answers 4xx (milter_default_action = tempfail), nothing accepted"
diag "reply: $down_reply; workers were: $workers"
[ "$st" -eq 0 ] || diag "$why"

st=1
send "$UP" "$FIX/html.eml" "$TO"
UPQID=$QID
why="upstream reply: $REPLY"
if [ "$CODE" = 250 ]; then
	e2e_use "$UP"
	if ! e2e_wait_log "$UPQID: .*status=deferred.*4[0-9][0-9] 4\.[0-9]\.[0-9]" 30; then
		why="no deferral in the upstream log"
	elif ! e2e_milter_start "$M1" 2>"$WORK/m1b.err"; then
		why="milter restart: $(cat "$WORK/m1b.err")"
	else
		e2e_use "$UP"
		e2e_flush >/dev/null 2>&1
		if ! e2e_wait_queue_empty 30; then
			why="upstream did not deliver after the restart"
		elif ! pfqid=$(e2e_log | sed -n "s/.*$UPQID: .*status=sent (250 .* queued as \([0-9A-Za-z]*\)).*/\1/p" | tail -1) ||
			[ -z "$pfqid" ]; then
			why="no 'queued as' in the upstream log"
		else
			e2e_use "$PF"
			f=$(sink_find "$pfqid" 30) || f=
			if [ -z "$f" ]; then
				why="retried message $pfqid not in the sink"
			else
				mapfile -t a < <(audits "$M1")
				why=$($CHECK mail --case html --sink "$f" --qid "$pfqid" "${a[@]}" \
					--qdir "$M1/var/quarantine" 2>&1)
				st=$?
			fi
		fi
	fi
fi
ok "$st" "milter down seen from the sending MTA: deferred, delivered converted after the milter restarts and the queue is flushed"
diag "$(elapsed "$t0") s for kill, deferral, restart, retry"
[ "$st" -eq 0 ] || { printf '%s\n' "$why" | indent; plog "$UP" 6; }

# ------------------------------------------------------------------ alt: limits, blocked, bypass
t0=$(now)
OVER=$WORK/oversize.eml
$CHECK plainmail --out "$OVER" --bytes 300000
send "$ALT" "$OVER" "$TO"
st=1
why="reply: $REPLY"
case "$REPLY" in
"552 5.3.4 "*102400*)
	e2e_use "$ALT"
	nothing_delivered "E2E-OVERSIZE" && [ "$(e2e_queue_count)" -eq 0 ] && st=0 ||
		why="delivered or queued"
	;;
esac
ok "$st" "over [milter] max_message_bytes (100K, oversize_action = reject): 552 5.3.4 at end of data, nothing delivered"
diag "reply: $REPLY ($(elapsed "$t0") s)"
[ "$st" -eq 0 ] || { diag "$why"; mlog "$M2" 4; }

e2e_use "$ALT"
out=$($CHECK size --port "$E2E_SMTP_PORT" --size 300000 --expect 552 --status 5.3.4 2>&1)
st=$?
ok "$st" "SIZE=300000 at MAIL FROM over the cap: 552 5.3.4 before DATA; the session then delivers a small message"
printf '%s\n' "$out" | indent

t0=$(now)
delivered blocked "$ALT" "$M2" "$FIX/big-header.eml" "$TO" --action withheld --contains "$CONTACT" \
	> "$WORK/blocked.out" 2>&1
st=$?
ok "$st" "header block over max_header_bytes (4K): notice-only message 'X-Mugaika: verdict=blocked; error=limit', original quarantined, audited as withheld"
diag "$(elapsed "$t0") s"
cat "$WORK/blocked.out"
[ "$st" -eq 0 ] || mlog "$M2" 4

t0=$(now)
st=1
why=
e2e_milter_conf "$M2" "${M2_CONF[@]}" milter.oversize_action=tempfail milter.blocked_action=reject
if e2e_milter_hup "$M2"; then
	send "$ALT" "$OVER" "$TO"
	r1=$REPLY
	send "$ALT" "$FIX/big-header.eml" "$TO"
	r2=$REPLY
	case "$r1|$r2" in
	"452 4.3.4 "*"|550 5.7.1 "*)
		e2e_use "$ALT"
		if nothing_delivered "E2E-OVERSIZE" && ! sink_has "E2E-BIGHEAD-BODY" &&
			[ "$(e2e_queue_count)" -eq 0 ]; then
			st=0
		else
			why="delivered or queued"
		fi
		;;
	*) why="replies: $r1 / $r2" ;;
	esac
else
	why="reload failed"
fi
ok "$st" "after a reload: oversize_action = tempfail gives 452 4.3.4, blocked_action = reject gives 550 5.7.1"
diag "replies: ${r1:-} / ${r2:-} ($(elapsed "$t0") s)"
[ -z "$why" ] || { diag "$why"; mlog "$M2" 4; }

t0=$(now)
st=1
why=
e2e_milter_conf "$M2" "${M2_CONF[@]}" milter.bypass_clients=127.0.0.0/8
if e2e_milter_hup "$M2"; then
	send "$ALT" "$FIX/html.eml" "$TO"
	if [ "$CODE" = 250 ] && e2e_use "$ALT" && f=$(sink_find "$QID" 30); then
		mapfile -t a < <(audits "$M2")
		why=$($CHECK bypass --sink "$f" --qid "$QID" "${a[@]}" --fixture "$FIX/html.eml" 2>&1)
		st=$?
	else
		why="reply: $REPLY"
	fi
else
	why="reload failed"
fi
ok "$st" "bypass_clients = 127.0.0.0/8: delivered byte-identical, no X-Mugaika, audited as bypassed"
diag "$(elapsed "$t0") s"
[ "$st" -eq 0 ] || { printf '%s\n' "$why" | indent; mlog "$M2" 4; }

# ------------------------------------------------------------------ header floods, bidi, rewrite cost (before the queue)
FLOOD=$WORK/flood.eml
$CHECK flood --out "$FLOOD" --count 20000
# flood_refused INSTANCE MDIR STAGE: 20,000 header fields are refused in the
# SMTP session with 550 5.7.1, nothing is queued or delivered, Postfix does
# not panic, the milter's last audit record says rejected at STAGE; sets
# REPLY, T_FLOOD, WHY
flood_refused() {
	local t=$(now)
	send "$1" "$FLOOD" "$TO"
	T_FLOOD=$(elapsed "$t")
	WHY="reply: $REPLY"
	case "$REPLY" in "550 5.7.1 "*"20000 header fields"*max_headers*) ;; *) return 1 ;; esac
	e2e_use "$1"
	if ! nothing_delivered "E2E-FLOOD-BODY 20000" || [ "$(e2e_queue_count)" -ne 0 ]; then
		WHY="delivered or queued"
	elif e2e_log | grep -q "panic\|too many reverse jump"; then
		WHY="Postfix logged: $(e2e_log | grep "panic\|too many reverse jump" | tail -1)"
	else
		WHY=$($CHECK last --audit "$2/var/audit.jsonl" --action rejected --stage "$3" \
			--reason "20000 header fields" 2>&1)
		return
	fi
	return 1
}
flood_refused "$PF" "$M1" before-queue
st=$?
ok "$st" "20,000 header fields (243 KB), milter before the queue: 550 5.7.1 naming the count and max_headers, nothing queued, no cleanup panic, audited as rejected"
diag "reply: $REPLY ($T_FLOOD s)"
[ "$st" -eq 0 ] || { printf '%s\n' "$WHY" | indent; mlog "$M1" 4; }

# rewrite cost: every header of the original but Received is deleted one by
# one through the milter protocol; Postfix rescans the header records for
# each deletion.  Under max_headers that must stay cheap.
t0=$(now)
st=0
why=
times=
for n in 5 100 500 501; do
	$CHECK flood --out "$WORK/h$n.eml" --count "$n"
	t1=$(now)
	send "$PF" "$WORK/h$n.eml" "$TO"
	t_n=$(elapsed "$t1")
	times="$times $n:${t_n}s"
	if [ "$n" -le 500 ]; then
		if [ "$CODE" != 250 ] || ! f=$(sink_find "$QID" 30); then
			st=1
			why="$why $n headers: $REPLY"
		elif [ "$(e2e_sink_message "$f" | awk '/^$/ { exit } /^X[0-9]/ { n++ } END { print n + 0 }')" != 0 ]; then
			st=1
			why="$why $n headers: original header fields delivered"
		elif awk -v t="$t_n" 'BEGIN { exit !(t > 10) }'; then
			st=1
			why="$why $n headers took $t_n s"
		fi
	else
		case "$REPLY" in "550 5.7.1 "*"501 header fields"*) ;; *) st=1; why="$why 501: $REPLY" ;; esac
	fi
done
ok "$st" "5, 100, 500 header fields: delivered with the original fields removed, each in under 10 s; 501 (over max_headers): 550 5.7.1"
diag "send + convert + rewrite per message:$times"
[ "$st" -eq 0 ] || { diag "$why"; mlog "$M1" 4; }

t0=$(now)
st=0
for f in "$SRC/fixtures/mail/hostile/bidi-subject-raw.eml" "$SRC/fixtures/mail/hostile/bidi-encoded-words.eml"; do
	delivered bidi-headers "$PF" "$M1" "$f" "$TO" > "$WORK/bidi.out" 2>&1 || st=1
	cat "$WORK/bidi.out"
done
ok "$st" "U+202E and other bidi/format controls in Subject, From, Cc, Reply-To (raw UTF-8 and in encoded words) and a kept Received: field: delivered as visible [U+202E], none left in any header (python email)"
diag "$(elapsed "$t0") s"
[ "$st" -eq 0 ] || mlog "$M1" 4

# ------------------------------------------------------------------ sizes before the queue (alt: 100K cap)
# The queue file holds the original and the rebuilt message: with Postfix's
# message_size_limit exactly at what cdr-milter -n asks for (sizes.h), the
# message that grows most when rebuilt (8-bit text, just under the cap) is
# delivered, not refused with "552 message file too big" after the work.
t0=$(now)
st=1
why=
ALT_LIMIT=1308576	# 5/2 x 100K + 1/64 + 1M
e2e_use "$ALT"
e2e_postconf "message_size_limit = $ALT_LIMIT"
e2e_milter_conf "$M2" "${M2_CONF[@]}"
if ! e2e_milter_hup "$M2"; then
	why="reload failed"
elif ! out=$("$E2E_MILTER_BIN" -n -c "$M2/mugaika.conf" -p "$ALT/etc" 2>&1); then
	why="cdr-milter -n: $out"
else
	$CHECK textmail --out "$WORK/text100k.eml" --bytes 102000
	send "$ALT" "$WORK/text100k.eml" "$TO"
	if [ "$CODE" = 250 ] && f=$(sink_find "$QID" 30); then
		mapfile -t a < <(audits "$M2")
		why=$($CHECK mail --sink "$f" --qid "$QID" "${a[@]}" --qdir "$M2/var/quarantine" \
			--fixture "$WORK/text100k.eml" --mode text 2>&1)
		st=$?
		grep -q "E2E-SIZE" <<<"$(e2e_sink_body "$f" | base64 -d 2>/dev/null)" ||
			{ st=1; why="$why; the text is not in the delivered body"; }
	else
		why="reply: $REPLY"
	fi
fi
ok "$st" "before the queue, message_size_limit at the least cdr-milter -n accepts for 100K: 8-bit text just under the cap (grows a third when rebuilt) is delivered, not 552 'message file too big'"
diag "$(elapsed "$t0") s; reply: $REPLY"
[ "$st" -eq 0 ] || { printf '%s\n' "$why" | indent; plog "$ALT" 4; mlog "$M2" 4; }

t0=$(now)
$CHECK manyattach --out "$WORK/many.eml" --bytes 100000
delivered blocked "$ALT" "$M2" "$WORK/many.eml" "$TO" --action withheld \
	--reason "does not fit beside the original" > "$WORK/many.out" 2>&1
st=$?
ok "$st" "a rebuilt message that would not fit beside the original in the queue file (many long attachment names listed in text mode): withheld with a notice, never refused by Postfix after the work"
diag "$(elapsed "$t0") s"
cat "$WORK/many.out"
[ "$st" -eq 0 ] || { plog "$ALT" 4; mlog "$M2" 4; }

# ------------------------------------------------------------------ after the queue: aliases
# aq_send FILE TO: send through the internet side of the after-queue
# instance; sets REPLY, CODE, QID and, once through the content filter, QID2
aq_send() {
	send "$AQ" "$1" "$2"
	filtered_qid
}

t0=$(now)
e2e_use "$AQ"
e2e_aliases "info@partner.example $TO_TEXT" \
	"kouhou@city.example.lg.jp $TO_TEXT" \
	"all@city.example.lg.jp $TO, $TO_TEXT"
st=0
out=$("$E2E_MILTER_BIN" -n -c "$M3/mugaika.conf" -p "$AQ/etc" 2>&1) || st=1
grep -q "warning\|error" <<<"$out" && st=1
ok "$st" "after-queue instance: cdr-milter -n accepts it as it is (screen, content_filter, after-queue smtpd, sizes at the limits), no warning"
printf '%s\n' "$out" | indent

run_aq() {	# DESCRIPTION CASE FIXTURE TO [check.py args]
	local desc=$1 case=$2 fixture=$3 to=$4 t st
	shift 4
	t=$(now)
	delivered "$case" "$AQ" "$M3" "$fixture" "$to" "$@" > "$WORK/case.out" 2>&1
	st=$?
	ok "$st" "$desc"
	diag "$(basename "$fixture") to $to: $QID -> ${QID2:-?} ($(elapsed "$t") s)"
	cat "$WORK/case.out"
	[ "$st" -eq 0 ] || mlog "$M3" 4
}

run_aq "alias from a bypassed domain (partner.example) to a text-mode LGWAN mailbox: converted in text mode, .exe and .docm removed, not bypassed" \
	text "$FIX/attach-removed.eml" info@partner.example --mode text
run_aq "alias from a sanitize-mode domain to a text-mode mailbox: text mode, attachments removed and listed" \
	text "$FIX/attach-kept.eml" kouhou@city.example.lg.jp --mode text
run_aq "one alias to a sanitize-mode and a text-mode mailbox: one copy, text mode for both" \
	text "$FIX/attach-sanitized.eml" all@city.example.lg.jp --mode text
# the same policy without aliases: each mode still applies (the alias tests
# are not passing because everything became text)
run_aq "no alias, sanitize-mode mailbox: sanitize mode, attachments kept" \
	kept "$FIX/attach-kept.eml" "$TO" --mode sanitize
run_aq "text_domains recipient named directly: text mode" \
	text "$FIX/attach-kept.eml" "$TO_TEXT" --mode text
t0=$(now)
st=1
aq_send "$FIX/html.eml" other@partner.example
if [ -n "$QID2" ] && f=$(sink_find "$QID2" 30); then
	mapfile -t a < <(audits "$M3")
	# two Received: headers: the internet side's and the content filter's
	why=$($CHECK bypass --sink "$f" --qid "$QID2" "${a[@]}" --fixture "$FIX/html.eml" \
		--reason bypass_recipients --received 2 2>&1)
	st=$?
else
	why="reply: $REPLY"
fi
ok "$st" "bypass_recipients after the queue: a final recipient outside (partner.example, no alias) is passed on untouched, audited as bypassed"
diag "$(elapsed "$t0") s"
[ "$st" -eq 0 ] || { printf '%s\n' "$why" | indent; mlog "$M3" 4; }

# ------------------------------------------------------------------ after the queue: forged sender, LGWAN listener
t0=$(now)
st=0
why=
FROM=staff@soumu.city.example.lg.jp delivered hostile "$AQ" "$M3" "$FIX/hostile.eml" "$TO" \
	> "$WORK/forged.out" 2>&1 || { st=1; why="internet client with an LGWAN sender: $(cat "$WORK/forged.out")"; }
forged_reply="$REPLY -> ${QID2:-?}"
e2e_use "$AQ"
lgwan_reply=$(E2E_PORT=$E2E_LGWAN_PORT e2e_send staff@soumu.city.example.lg.jp "$TO" "$FIX/hostile.eml")
case "$lgwan_reply" in 5??" "*) ;; *) st=1; why="$why internet client on the LGWAN listener: $lgwan_reply" ;; esac
lgwan_ok=$(E2E_CLIENT_ADDR=127.0.0.2 E2E_PORT=$E2E_LGWAN_PORT e2e_send staff@soumu.city.example.lg.jp \
	out@example.com "$FIX/html.eml")
lqid=$(sed -n 's/.* queued as \([0-9A-Za-z]*\).*/\1/p' <<<"$lgwan_ok")
if [ -z "$lqid" ] || ! f=$(sink_find "$lqid" 30); then
	st=1
	why="$why LGWAN relay: $lgwan_ok"
elif ! out=$($CHECK untouched --sink "$f" --fixture "$FIX/html.eml" 2>&1); then
	st=1
	why="$why LGWAN relay: $out"
elif grep -q "$lqid" "$M3/var/audit.jsonl"; then
	st=1
	why="$why LGWAN relay: seen by the milter"
fi
ok "$st" "forged envelope sender in an LGWAN domain from an internet client: converted all the same; the LGWAN listener refuses internet clients (5xx) and passes the LGWAN relay's (127.0.0.2) mail untouched, without the milter"
diag "forged: $forged_reply; internet client on the LGWAN listener: $lgwan_reply; LGWAN relay: $lgwan_ok ($(elapsed "$t0") s)"
[ "$st" -eq 0 ] || { diag "$why"; plog "$AQ" 6; }

# ------------------------------------------------------------------ after the queue: header flood, bidi, sizes
flood_refused "$AQ" "$M3" screen
st=$?
ok "$st" "after-queue arrangement, 20,000 header fields: the screening milter refuses it in the SMTP session (550 5.7.1, not a bounce), nothing queued, audited (stage screen)"
diag "reply: $REPLY ($T_FLOOD s)"
[ "$st" -eq 0 ] || { printf '%s\n' "$WHY" | indent; plog "$AQ" 4; }

t0=$(now)
run_aq "after the queue, bidi controls in Subject and display names: shown as [U+202E]" \
	bidi-headers "$SRC/fixtures/mail/hostile/bidi-encoded-words.eml" "$TO"

t0=$(now)
st=0
why=
e2e_use "$AQ"
out=$($CHECK size --port "$E2E_SMTP_PORT" --size $((AQ_PUBLIC + 1)) --expect 552 --status 5.3.4 2>&1) ||
	{ st=1; why="$out"; }
out2=$($CHECK size --port "$E2E_SMTP_PORT" --size "$AQ_PUBLIC" --expect 250 --status 2.1.0 2>&1) ||
	{ st=1; why="$why $out2"; }
$CHECK textmail --out "$WORK/edge.eml" --bytes $((AQ_PUBLIC - 4000))
delivered any "$AQ" "$M3" "$WORK/edge.eml" "$TO" --mode sanitize > "$WORK/edge.out" 2>&1 ||
	{ st=1; why="$why just under: $(cat "$WORK/edge.out")"; }
edge_reply=$REPLY
$CHECK textmail --out "$WORK/over.eml" --bytes $((AQ_PUBLIC + 4000))
send "$AQ" "$WORK/over.eml" "$TO"
case "$REPLY" in "552 5.3.4 "*) ;; *) st=1; why="$why just over: $REPLY" ;; esac
e2e_use "$AQ"
e2e_log | grep -q "status=bounced" && { st=1; why="$why Postfix: $(e2e_log | grep "status=bounced" | tail -1)"; }
ok "$st" "after-queue sizes at the boundary (max_message_bytes 1M, internet side $AQ_PUBLIC, after the queue $AQ_FILTER): SIZE=$((AQ_PUBLIC + 1)) refused at MAIL FROM, SIZE=$AQ_PUBLIC taken; 8-bit text just under delivered converted; just over refused at end of data; no 'message file too big', no bounce"
diag "just under: $edge_reply; just over: $REPLY ($(elapsed "$t0") s)"
printf '%s\n' "$out" "$out2" | indent
[ "$st" -eq 0 ] || { printf '%s\n' "$why" | indent; plog "$AQ" 6; mlog "$M3" 4; }

# ------------------------------------------------------------------ cdr-milter -n against unsafe configurations
# Each case: a configuration (Postfix: lib.sh's writer, then one change;
# mugaika.conf: m3's, then one change), the exit status wanted and words the
# message must have.
nconf() {	# NAME ARRANGEMENT [postconf -e/-P edits...]: write WORK/n-NAME/etc
	local dir=$WORK/n-$1 arrangement=$2 public=$AQ_PUBLIC
	shift 2
	rm -rf "$dir"
	[ "$arrangement" = after-queue ] || public=$AQ_FILTER	# one smtpd: the larger size
	E2E_ARRANGEMENT=$arrangement E2E_PUBLIC_SIZE=$public E2E_FILTER_SIZE=$AQ_FILTER \
		e2e_write_config "$dir" "$(e2e_milter_socket "$M3")"
	while [ $# -gt 0 ]; do
		postconf -c "$dir/etc" "$1" "$2" >/dev/null
		shift 2
	done
	touch -d '1 minute ago' "$dir/etc/main.cf" "$dir/etc/master.cf"
	echo "$dir/etc"
}
ncheck() {	# WANT_RC WORDS CONF PFDIR
	local want=$1 words=$2 conf=$3 pfdir=$4 out rc
	out=$("$E2E_MILTER_BIN" -n -c "$conf" -p "$pfdir" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want" ] || ! grep -q -- "$words" <<<"$out"; then
		echo "#   want exit $want and '$words', got exit $rc:"
		printf '%s\n' "$out" | indent
		return 1
	fi
	printf '%s\n' "$out" | grep -m1 -- "$words" | cut -c1-160 | indent
}
t0=$(now)
st=0
sed 's/^\[milter\]$/[milter]\nbypass_senders = city.example.lg.jp/' "$M3/mugaika.conf" > "$WORK/old.conf"
ncheck 1 "bypass_senders: removed: the envelope sender is whatever an internet client writes" \
	"$WORK/old.conf" "$AQ/etc" || st=1
sed 's/^max_message_bytes = 1M$/max_message_bytes = 50M/' "$M3/mugaika.conf" > "$WORK/50m.conf"
ncheck 1 "message file too big" "$WORK/50m.conf" "$(nconf orig before-queue -e message_size_limit=400000)" || st=1
ncheck 1 "has no content_filter" "$M3/mugaika.conf" "$(nconf nofilter after-queue -e content_filter=)" || st=1
ncheck 1 "does not lead to an smtpd service" "$M3/mugaika.conf" \
	"$(nconf elsewhere after-queue -e content_filter=mugaika:[127.0.0.1]:9)" || st=1
ncheck 1 "at most $AQ_PUBLIC" "$M3/mugaika.conf" \
	"$(nconf public after-queue -e message_size_limit=$((AQ_PUBLIC + 1)))" || st=1
ncheck 1 "at least $AQ_FILTER" "$M3/mugaika.conf" \
	"$(nconf cleanup after-queue -P mugaika-cleanup/unix/message_size_limit=$((AQ_FILTER - 1)))" || st=1
ncheck 1 "lacks no_address_mappings" "$M3/mugaika.conf" \
	"$(nconf mapping after-queue -P 127.0.0.1:10027/inet/receive_override_options=no_unknown_recipient_checks)" || st=1
ncheck 1 "milter_default_action = accept" "$M3/mugaika.conf" \
	"$(nconf accept after-queue -e milter_default_action=accept)" || st=1
ok "$st" "cdr-milter -n refuses (exit 1, saying why): bypass_senders; message_size_limit 400000 for 50M (the 552 after conversion); no content_filter after screening; a content_filter that leads elsewhere; internet side over its limit; cleanup after the queue one byte short; address mapping after the queue; milter_default_action = accept"
diag "$(elapsed "$t0") s"

t0=$(now)
st=0
ncheck 0 "not followed there, every message is rebuilt in the strictest mode" "$M3/mugaika.conf" \
	"$(nconf plain before-queue)" || st=1
sed 's/^\[milter\]$/[milter]\nbypass_clients = 10.20.0.0\/16/' "$M3/mugaika.conf" > "$WORK/clients.conf"
ncheck 0 "bypass_clients has no effect" "$WORK/clients.conf" "$AQ/etc" || st=1
ncheck 0 "configuration OK" "$M1/mugaika.conf" "$PF/etc" || st=1
# what the README tells a site to write: Debian's master.cf with the
# shipped examples, and the shipped mugaika.conf
MASTER_DIST=/usr/share/postfix/master.cf.dist	# Debian's, as the package installs it
if [ -r "$MASTER_DIST" ]; then
	mkdir -p "$WORK/shipped"
	cp "$SRC/etc/postfix/main.cf.example" "$WORK/shipped/main.cf"
	{ grep -v '^smtp      inet' "$MASTER_DIST"
	  cat "$SRC/etc/postfix/master.cf.example"; } > "$WORK/shipped/master.cf"
	touch -d '1 minute ago' "$WORK/shipped/main.cf" "$WORK/shipped/master.cf"
	ncheck 0 "configuration OK" "$SRC/etc/mugaika.conf" "$WORK/shipped" || st=1
	grep -q "warning" <<<"$("$E2E_MILTER_BIN" -n -c "$SRC/etc/mugaika.conf" -p "$WORK/shipped" 2>&1)" &&
		{ st=1; echo "#   warnings for the shipped examples"; }
else
	echo "#   (no $MASTER_DIST: shipped examples not checked)"
fi
ok "$st" "cdr-milter -n warns (exit 0): recipient-dependent modes before the queue (strictest mode used), bypass_clients behind a content filter; main (before the queue, one mode) and the shipped main.cf/master.cf examples on Debian's master.cf pass without warning"
diag "$(elapsed "$t0") s"

# ------------------------------------------------------------------ SIGTERM
t0=$(now)
e2e_milter_stop "$M1"
rc=$?
st=0
[ "$rc" -eq 0 ] || st=1
tail -n 3 "$M1/milter.log" | grep -q "stopped" || st=1
ok "$st" "SIGTERM: m1 stops cleanly (exit 0, 'stopped')"
diag "stopped in $(elapsed "$t0") s (exit $rc)"
[ "$st" -eq 0 ] || mlog "$M1" 4

diag "total $(elapsed "$T_ALL") s"
[ "$NUM" -eq "$NTESTS" ] || echo "# planned $NTESTS tests, ran $NUM"
[ "$FAILED" -eq 0 ]
