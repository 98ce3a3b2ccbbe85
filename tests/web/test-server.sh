#!/bin/bash
# test-server.sh - cdr-web over HTTP with curl, against a quarantine made
# by cdr-quarantine migrate (records written here): the search index
# brought up to date by cdr-web at start, the security headers
# and cookie, login (wrong, right, rate limit), the staff page of a message
# whose subject and file names carry <script>, U+202E and a 300-character
# name (escaped in the HTML, the direction control kept as the character
# and named), tampered (403), expired (410) and unknown (404) links, a POST
# without the CSRF token (403), a request queued for an administrator and
# its store event, a malware message refused, the token never in the log,
# a path with newlines and control characters logged escaped on its line,
# a path of "//host" or backslashes never an off-site link on the page,
# another address's failed logins for admin do not lock the admin out.
# cdr-web killed (SIGKILL) while its release thread delivers (gdb holds
# the thread at a breakpoint, tests/gdb-kill.sh; without gdb the cases
# fail), then started again: killed before the submission, the restarted
# console's sweep takes the claim up and delivers the release once; killed
# at the submission (its Message-ID recorded), the release is failed
# "uncertain" naming that Message-ID and nothing is sent again.
# [web] trust_proxy_user: without it, X-Remote-User: admin gets the login
# wall; with X-Remote-User (cdr-web started again) the header's user
# reaches /admin without a login and is named on the page, no header
# redirects to /login, an empty, overlong, blank, control- or
# format-character (ESC, CR, a folded line, U+202E, U+200B) or non-UTF-8
# value names nobody; the proxy's user's POST needs the session's CSRF
# token (403 without, nothing decided); its denial and page view are in
# the store with it as who; cdr-web -n and serving refuse trust_proxy_user on a
# listen address that is not loopback (exit status, message).
# Usage: test-server.sh CDR-WEB CDR-QUARANTINE SOURCE-ROOT       Output: TAP
set -u
WEB=$1 QTOOL=$2 SRC=$3
PY=/usr/bin/python3
export MUGAIKA_WEB_DIR=${MUGAIKA_WEB_DIR:-$SRC/web}
command -v curl >/dev/null || { echo "Bail out! no curl (scripts/setup.sh installs it)"; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/test-cdr-web.XXXXXX")
chmod 755 "$T"
pid=
pid= sink_pid=
cleanup() {
	gdb_kill_end
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	[ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
. "$SRC/tests/web/tap.sh"
. "$SRC/tests/gdb-kill.sh"

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
SINK_PORT=$(free_port)
# the return path: an SMTP sink writing one file per message (and its recipients)
mkdir -p "$T/sink"
$PY -W ignore - "$SINK_PORT" "$T/sink" > "$T/sink.log" 2>&1 <<'PYEOF' &
import asyncore, os, smtpd, sys
class Sink(smtpd.SMTPServer):
    n = 0
    def process_message(self, peer, mailfrom, rcpttos, data, **kw):
        Sink.n += 1
        with open(os.path.join(sys.argv[2], "%03d.eml" % Sink.n), "wb") as f:
            f.write(("X-Sink-Rcpt: %s\r\n" % ",".join(rcpttos)).encode() + data)
Sink(("127.0.0.1", int(sys.argv[1])), None, decode_data=False)
asyncore.loop()
PYEOF
sink_pid=$!
head -c 32 /dev/urandom | base64 > "$T/web.key"
user=$(id -un) group=$(id -gn)
[ "$(id -u)" = 0 ] && user=nobody group=nogroup
cat > "$T/m.conf" <<CONF
[milter]
quarantine_dir = $T/q
user = $user
group = $group
[release]
relay = inet:127.0.0.1:$SINK_PORT
[ppap]
max_tries = 3
[web]
listen = 127.0.0.1:$PORT
secret_file = $T/web.key
accounts = $T/web.passwd
auto_approve = pdf
CONF
echo 'right-pw' | "$WEB" -c "$T/m.conf" passwd admin >/dev/null
chmod 644 "$T/web.passwd" "$T/web.key"

# two messages in the old directory format, imported by migrate
HOSTILE=20261101T000001-0000000000a1
BAD=20261101T000002-0000000000b2
PPAP=20261101T000003-0000000000c3
PDF=20261101T000004-0000000000d4
KILL1=20261101T000005-0000000000e5
KILL2=20261101T000006-0000000000f6
$PY - "$T/q" "$SRC/fixtures/e2e/attach-removed.eml" "$HOSTILE" "$BAD" "$SRC" "$PPAP" "$PDF" \
	"$KILL1" "$KILL2" <<'PYEOF'
import hashlib, json, os, sys
qdir, eml, hostile, bad, src, ppap, pdf, kill1, kill2 = sys.argv[1:10]
data = open(eml, "rb").read()
day = os.path.join(qdir, "20261101")
os.makedirs(day, exist_ok=True)
long_name = "長" * 300 + ".docx"
def record(qid, subject, children, malware=None, mode="text", data=data):
    return {"time": "2026-11-01T00:00:00Z", "queue_id": "Q", "stage": "before-queue",
            "sender": "<script>@example.jp", "recipients": ["soumu@city.example.lg.jp"],
            "action": "delivered", "reason": None, "mode": mode, "quarantine_id": qid,
            "message_id": "<%s@t>" % qid, "subject": subject,
            "av": "infected" if malware else None, "malware": malware,
            "size_in": len(data), "size_out": 0, "sha256": hashlib.sha256(data).hexdigest(),
            "elapsed": 0.01,
            "report": {"verdict": "sanitized", "from": "\"<b>x</b>\" <a@example.jp>",
                       "actions": [], "children": children}}
kids = [{"name": "<script>alert(1)</script>.docm", "detected": "application/vnd.ms-word.document.macroEnabled.12",
         "size_in": 1234, "verdict": "sanitized", "actions": [{"what": "macro", "count": 2}], "children": []},
        {"name": "請求書\u202efdp.exe", "detected": "application/x-dosexec", "size_in": 99,
         "verdict": "blocked", "error": "dangerous", "actions": [], "children": []},
        {"name": long_name, "detected": "application/zip", "size_in": 5,
         "verdict": "blocked", "error": "encrypted", "actions": [], "children": []}]
for qid, subj, ch, mw in ((hostile, "<script>alert('s')</script> \u202eabc & \"q\"", kids, None),
                          (bad, "malware", [], ["Eicar-Signature"])):
    open(os.path.join(day, qid + ".eml"), "wb").write(data)
    open(os.path.join(day, qid + ".json"), "w").write(json.dumps(record(qid, subj, ch, mw)) + "\n")
# a PPAP zip (its password in fixtures/ppap/passwords/right.txt), and a PDF removed in text mode
zip_child = [{"name": "見積書.zip", "detected": "application/zip", "size_in": 6886, "handler": "archive",
              "verdict": "blocked", "error": "encrypted", "actions": [], "children": []}]
pdf_child = [{"name": "申請書.pdf", "detected": "application/pdf", "size_in": 900,
              "verdict": "sanitized", "actions": [], "children": []}]
for qid, f, subj, ch, mode in ((ppap, "fixtures/ppap/benign/mitsumori.eml", "見積書送付の件", zip_child, "sanitize"),
                               (pdf, "fixtures/e2e/attach-pdf.eml", "申請書", pdf_child, "text"),
                               (kill1, "fixtures/e2e/attach-pdf.eml", "申請書", pdf_child, "text"),
                               (kill2, "fixtures/e2e/attach-pdf.eml", "申請書", pdf_child, "text")):
    d = open(os.path.join(src, f), "rb").read()
    open(os.path.join(day, qid + ".eml"), "wb").write(d)
    open(os.path.join(day, qid + ".json"), "w").write(json.dumps(record(qid, subj, ch, None, mode, d)) + "\n")
open(os.path.join(qdir, "long-name"), "w").write(long_name)
PYEOF
LONG=$(cat "$T/q/long-name"); rm "$T/q/long-name"
"$QTOOL" -c "$T/m.conf" migrate --remove > "$T/migrate.out" 2>&1 || cat "$T/migrate.out" | sed 's/^/# /'
[ "$(id -u)" = 0 ] && chown -R nobody:nogroup "$T/q"

# start_web: cdr-web in the foreground (pid), its log appended to web.log, answering
start_web() {
	"$WEB" -f -c "$T/m.conf" 2>> "$T/web.log" &
	pid=$!
	for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/login" && return 0; sleep 0.1; done
	echo "# cdr-web does not answer"
	return 1
}
# index_behind: messages the search index lacks (cdr-web adds them at start
# and every 5 s; the migrate above wrote none)
index_behind() {
	$PY - "$T/q/quarantine.sqlite" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(db.execute("SELECT (SELECT coalesce(max(seq), 0) FROM messages) - upto FROM search_index").fetchone()[0])
PYEOF
}
behind=$(index_behind)
start_web
U=http://127.0.0.1:$PORT
C="curl -s -c $T/cj -b $T/cj"

# 0. cdr-web brings the search index up to date
st=0
[ "$behind" -ge 5 ] || { st=1; echo "# the index was not behind the migrate: $behind"; }
for _ in $(seq 100); do [ "$(index_behind)" = 0 ] && break; sleep 0.1; done
[ "$(index_behind)" = 0 ] || { st=1; echo "# still $(index_behind) behind"; }
ok $st "cdr-web adds the messages the search index lacks ($behind after the migrate) at start"

# 1. headers and cookie
curl -s -D "$T/h1" -o "$T/p1" "$U/login"
st=0
grep -qi "^Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'" "$T/h1" || st=1
grep -qi '^X-Content-Type-Options: nosniff' "$T/h1" || st=1
grep -qi '^Referrer-Policy: no-referrer' "$T/h1" || st=1
grep -qi '^Set-Cookie: mugaika_session=[0-9a-f]\{64\}; Path=/; HttpOnly; SameSite=Strict' "$T/h1" || st=1
grep -qi '^Set-Cookie:.*Secure' "$T/h1" && st=1 # plain HTTP on loopback
grep -q '<html lang="ja">' "$T/p1" && grep -q 'id="lang-switch" href="/login?lang=en"' "$T/p1" || st=1
grep -q '<form id="login"' "$T/p1" && grep -q 'name="csrf" value="[0-9a-f]\{64\}"' "$T/p1" || st=1
grep -qi '<script' "$T/p1" && st=1
ok $st "headers (CSP without script, nosniff, no-referrer), the session cookie HttpOnly SameSite=Strict (not Secure on loopback HTTP), the login form with its CSRF token"

# 2. login: no CSRF token, wrong password, right password, logout
csrf() { $C "$1" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1; }
K=$(csrf "$U/login")
st=0
[ "$($C -o /dev/null -w '%{http_code}' -d "user=admin&password=right-pw" "$U/login")" = 403 ] || st=1
[ "$($C -o "$T/p2" -w '%{http_code}' -d "csrf=$K&user=admin&password=wrong" "$U/login")" = 403 ] || st=1
grep -q 'class="flash error"' "$T/p2" || st=1
code=$($C -D "$T/h2" -o /dev/null -w '%{http_code}' -d "csrf=$K&user=admin&password=right-pw" "$U/login")
[ "$code" = 303 ] && grep -qi '^Location: /admin' "$T/h2" || st=1
grep -qi '^Set-Cookie: mugaika_session=' "$T/h2" || st=1 # a new session at login
K2=$(csrf "$U/no-such-page") # the layout's logout form
[ "$($C -o /dev/null -w '%{http_code}' -d "csrf=$K2" "$U/logout")" = 303 ] || st=1
ok $st "login: without the CSRF token 403, a wrong password 403 with p.flash.error, the right one 303 to /admin with a new session; logout"

# 2b. without [web] trust_proxy_user a proxy's header names nobody
st=0
code=$(curl -s -D "$T/h2b" -o "$T/p2b" -w '%{http_code}' -H 'X-Remote-User: admin' "$U/admin")
[ "$code" = 303 ] && grep -qi '^Location: /login' "$T/h2b" || { st=1; echo "# /admin with X-Remote-User: $code"; }
grep -q 'class="who"' "$T/p2b" && st=1
ok $st "without [web] trust_proxy_user, X-Remote-User: admin gets the login wall (303 to /login)"

# 3. the staff page shows hostile values literally
L=$("$WEB" -c "$T/m.conf" link "$HOSTILE" soumu@city.example.lg.jp)
TOKEN=${L#/r/}
code=$($C -o "$T/p3" -w '%{http_code}' "$U$L")
st=0
[ "$code" = 200 ] || { st=1; echo "# staff page: $code"; }
grep -qi '<script' "$T/p3" && { st=1; echo "# a <script> in the page"; }
grep -q '&lt;script&gt;alert(&#39;s&#39;)&lt;/script&gt; \[U+202E\]abc &amp; &quot;q&quot;' "$T/p3" || st=1
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;.docm' "$T/p3" || st=1
grep -qF '請求書[U+202E]fdp.exe' "$T/p3" || st=1
grep -q 'class="bidi-warning">.*U+202E' "$T/p3" || st=1
grep -qF "$LONG" "$T/p3" || { st=1; echo "# the long name is not whole"; }
[ "$(grep -c '<tr class="attachment"' "$T/p3")" = 3 ] || st=1
[ "$(grep -c 'class="request-form"' "$T/p3")" = 3 ] || st=1
[ "$(grep -c 'class="password-form"' "$T/p3")" = 1 ] || st=1
grep -q 'id="msg-subject"' "$T/p3" && grep -q 'id="msg-sender"' "$T/p3" && grep -q 'id="msg-date"' "$T/p3" || st=1
grep -q '無害化して受け取る' "$T/p3" || st=1
$C "$U$L?lang=en" | grep -q 'Receive disarmed' || st=1
ok $st "staff page: <script> in subject, sender and file names escaped, U+202E written out as [U+202E] (as the notice does) and named, a 300-character name whole, a request form per attachment, a password form for the encrypted one, English with ?lang=en"

# 4. links: tampered, expired, unknown message
st=0
last=${TOKEN: -1}; [ "$last" = A ] && sub=B || sub=A
[ "$($C -o "$T/p4" -w '%{http_code}' "$U/r/${TOKEN%?}$sub")" = 403 ] || st=1
grep -q 'id="error"' "$T/p4" && grep -q 'id="error-reason"' "$T/p4" || st=1
[ "$($C -o /dev/null -w '%{http_code}' "$U/r/${TOKEN:0:20}")" = 403 ] || st=1
E=$("$WEB" -c "$T/m.conf" --days 0 link "$HOSTILE" soumu@city.example.lg.jp)
[ "$($C -o /dev/null -w '%{http_code}' "$U$E")" = 410 ] || st=1
N=$("$WEB" -c "$T/m.conf" link 20261101T000009-0000000000ff soumu@city.example.lg.jp)
[ "$($C -o /dev/null -w '%{http_code}' "$U$N")" = 404 ] || st=1
W=$("$WEB" -c "$T/m.conf" link "$HOSTILE" other@city.example.lg.jp)
[ "$($C -o /dev/null -w '%{http_code}' "$U$W")" = 404 ] || st=1
ok $st "links: one character changed or cut short 403 (error page), expired 410, unknown message 404, not a recipient of it 404"

# 5. a request: without CSRF refused; with it queued for an administrator, recorded
K=$(csrf "$U$L")
st=0
[ "$($C -o /dev/null -w '%{http_code}' -d "attachment=0" "$U$L/request")" = 403 ] || st=1
[ "$($C -o /dev/null -w '%{http_code}' -d "csrf=$K&attachment=7" "$U$L/request")" = 400 ] || st=1
code=$($C -o "$T/p5" -w '%{http_code}' -d "csrf=$K&attachment=0" "$U$L/request")
[ "$code" = 200 ] && grep -q 'class="flash ok"' "$T/p5" || { st=1; echo "# request: $code"; }
grep -q '<td class="req-state">requested</td>' "$T/p5" || st=1
[ "$($C -o /dev/null -w '%{http_code}' -d "csrf=$K&attachment=1" "$U$L/request")" = 409 ] || st=1
"$QTOOL" -c "$T/m.conf" -j show "$HOSTILE" > "$T/show.json"
$PY - "$T/show.json" <<'PYEOF' || st=1
import json, sys
s = json.load(open(sys.argv[1]))
ev = [(e["what"], e.get("by"), e.get("origin")) for e in s["events"]]
assert ("web-view", "soumu@city.example.lg.jp", "web 127.0.0.1") in ev, ev
assert ("web-request", "soumu@city.example.lg.jp", "web 127.0.0.1") in ev, ev
r = s["releases"]
assert [x["state"] for x in r] == ["requested"], r
assert r[0]["recipients"] == ["soumu@city.example.lg.jp"], r
PYEOF
ok $st "request: without the CSRF token 403, a wrong attachment 400, then queued (requested, to that recipient only), a second one 409; web-view and web-request events with who and origin"

# 6. a password on a message without an encrypted attachment, and a malware message
st=0
B=$("$WEB" -c "$T/m.conf" link "$BAD" soumu@city.example.lg.jp)
$C -o "$T/p6" "$U$B"
grep -q 'id="not-releasable"' "$T/p6" || st=1
grep -q 'class="request-form"' "$T/p6" && st=1
KB=$(csrf "$U$L") # the same session's token (this page has no form)
code=$($C -o /dev/null -w "%{http_code}" -d "csrf=$KB&attachment=0" "$U$B/request")
[ "$code" = 400 ] || { st=1; echo "# malware request: $code"; }
ok $st "malware message: the page says it cannot be released and has no form; a forged request is refused"

# 7. passwords: a wrong one, then the right one delivers the disarmed message once
sink_count() { ls "$T/sink" | grep -c .; }
P=$("$WEB" -c "$T/m.conf" link "$PPAP" soumu@city.example.lg.jp)
K=$(csrf "$U$P")
st=0
pw() { $C -o "$T/p7" -w '%{http_code}' --data-urlencode "csrf=$K" -d attachment=0 --data-urlencode "password=$1" "$U$P/password"; }
code=$(pw wrong-1)
[ "$code" = 403 ] && grep -q 'class="flash error"' "$T/p7" || { st=1; echo "# wrong password: $code"; }
[ "$(sink_count)" = 0 ] || st=1
RIGHT=$(sed -n 2p "$SRC/fixtures/ppap/passwords/right.txt")
code=$(pw "$RIGHT")
[ "$code" = 200 ] && grep -q 'class="flash ok"' "$T/p7" || { st=1; echo "# right password: $code: $(grep -o 'class="flash[^<]*' "$T/p7")"; }
grep -q '<td class="req-state">delivered</td>' "$T/p7" || st=1
code=$(pw "$RIGHT")
[ "$(sink_count)" = 1 ] || { st=1; echo "# $(sink_count) messages delivered"; }
grep -q '^X-Sink-Rcpt: soumu@city.example.lg.jp' "$T/sink/001.eml" || st=1
grep -q '^X-Mugaika-Followup: release; id='"$PPAP" "$T/sink/001.eml" || st=1
grep -qF "$RIGHT" "$T/web.log" && { st=1; echo "# the password is in the log"; }
"$QTOOL" -c "$T/m.conf" -j show "$PPAP" > "$T/show7.json"
grep -qF "$RIGHT" "$T/show7.json" && { st=1; echo "# the password is in the store"; }
$PY - "$T/show7.json" <<'PYEOF' || st=1
import json, sys
s = json.load(open(sys.argv[1]))
ev = [e for e in s["events"] if e["what"] == "web-password"]
assert len(ev) >= 2 and all(e["origin"] == "web 127.0.0.1" for e in ev), ev
assert all(len(e["detail"]["password_hash"]) == 12 for e in ev), ev
assert [x["state"] for x in s["releases"]].count("delivered") == 1, s["releases"]
PYEOF
ok $st "password: a wrong one refused (403, nothing sent), the right one delivers the message disarmed to that recipient once (again: nothing more); events with a 12-digit hash, the password neither logged nor stored"

# 8. auto_approve = pdf: a request for a message whose attachments are all PDF is delivered at once
D=$("$WEB" -c "$T/m.conf" link "$PDF" soumu@city.example.lg.jp)
K=$(csrf "$U$D")
st=0
code=$($C -o "$T/p8" -w '%{http_code}' -d "csrf=$K&attachment=0" "$U$D/request")
[ "$code" = 200 ] && grep -q 'class="flash ok"' "$T/p8" || { st=1; echo "# request: $code"; }
for _ in $(seq 100); do [ "$(sink_count)" = 2 ] && break; sleep 0.1; done
[ "$(sink_count)" = 2 ] || { st=1; echo "# $(sink_count) messages in the sink"; }
grep -q '^X-Mugaika-Followup: release; id='"$PDF" "$T/sink/002.eml" || st=1
sleep 1
[ "$(sink_count)" = 2 ] || st=1
ok $st "auto_approve = pdf: the request is approved at once and delivered in the background, once"

# 9. login rate limit, and the log
st=0
K=$(csrf "$U/login")
for i in $(seq 12); do code=$($C -o /dev/null -w '%{http_code}' -d "csrf=$K&user=x&password=$i" "$U/login"); done
[ "$code" = 429 ] || { st=1; echo "# 12th failed login: $code"; }
head -c 200000 /dev/zero | tr '\0' a > "$T/big"
[ "$($C -o /dev/null -w '%{http_code}' --data-binary "@$T/big" "$U/login")" = 413 ] || st=1
grep -qF "$TOKEN" "$T/web.log" && { st=1; echo "# the token is in the log"; }
grep -q 'GET /r/TOKEN 200' "$T/web.log" || st=1
grep -q 'right-pw' "$T/web.log" && st=1
ok $st "failed logins limited (429); a form of 200 KB refused unread (413); the log has one line per request, the link's token cut, no password"

# 9b. the request path is the client's text: logged escaped, one line
st=0
lines=$(wc -l < "$T/web.log")
$C -o /dev/null --path-as-is "$U/x%3Cscript%3E%0Aforged%20GET%20/%20200%201%20ms%0D%1B%5B2K%7F%E2%80%AE%FF"
$C -o /dev/null --path-as-is "$U/r/SECRET%0Aforged/x%0A"
sleep 0.2
[ "$(wc -l < "$T/web.log")" = $((lines + 2)) ] || { st=1; echo "# not one log line per request"; }
grep -q '^forged' "$T/web.log" && { st=1; echo "# a forged log line"; }
grep -qF "$(printf '\033')" "$T/web.log" && { st=1; echo "# ESC in the log"; }
grep -qF 'GET /x<script>\x0aforged\x20GET\x20/\x20200\x201\x20ms\x0d\x1b[2K\x7f\xe2\x80\xae\xff 404' "$T/web.log" || { st=1; echo "# the escaped path is not in the log"; }
grep -qF 'GET /r/TOKEN/x\x0a ' "$T/web.log" || { st=1; echo "# the link's path is not escaped"; }
grep -q 'SECRET' "$T/web.log" && st=1
ok $st "a path with <script>, newlines, CR, ESC, DEL, U+202E and a stray byte: logged on its one line, escaped as \\xNN"

# 9c. the path becomes the language switch's href: never a link off the site
# ("//host" and "/\\host" are other hosts to a browser), whatever its encoding
st=0
for p in '//evil.example/x' '/%2F%2Fevil.example/x' '/%5Cevil.example/x' '/%5C%5Cevil.example' \
	 '/x%22%20onclick=%22alert(1)' '/%09/evil.example' '/%0D%0A/evil.example'; do
	href=$($C --path-as-is "$U$p" | sed -n 's/.*id="lang-switch" href="\([^"]*\)".*/\1/p')
	echo "# $p -> $href"
	case "$href" in
	/[!/\\]*) ;;
	*) st=1; echo "# $p: the language switch links to '$href'" ;;
	esac
	case "$href" in
	*[[:space:]\\\"]* | *'&quot;'*) st=1; echo "# $p: '$href' keeps a blank, a quote or a backslash" ;;
	esac
done
ok $st "a path of '//host', encoded slashes or backslashes, quotes or blanks: the language switch stays on this site"

# 9d. failed logins for one user name from one address: that address is
# refused, but the administrator at another address can still log in
st=0
A3="curl -s --interface 127.0.0.3 -c $T/cj3 -b $T/cj3"
A2="curl -s --interface 127.0.0.2 -c $T/cj2 -b $T/cj2"
K3=$($A3 "$U/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
for i in $(seq 11); do code=$($A3 -o /dev/null -w '%{http_code}' -d "csrf=$K3&user=admin&password=guess$i" "$U/login"); done
[ "$code" = 429 ] || { st=1; echo "# 11th failed login for admin from 127.0.0.3: $code"; }
K2=$($A2 "$U/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
code=$($A2 -o /dev/null -w '%{http_code}' -d "csrf=$K2&user=admin&password=right-pw" "$U/login")
[ "$code" = 303 ] || { st=1; echo "# admin's login from 127.0.0.2 after another's failures: $code"; }
ok $st "failed logins for admin from one address: that address 429, the administrator from another one still logs in"

# 9e-9f. cdr-web killed (SIGKILL) while its release thread delivers (gdb
# holds that thread at FUNCTION, the rest answers on), then started again.
# The sweep at start delivers any approved release of the console (later
# sweeps only those approved a minute ago), so the restart is what acts.
# copies ID: how many releases of ID the sink holds
copies() { grep -l "^X-Mugaika-Followup: release; id=$1" "$T"/sink/*.eml 2>/dev/null | grep -c .; }
# release_sql ID SQL-EXPRESSION: of the release of ID (read-only)
release_sql() {
	$PY - "$T/q/quarantine.sqlite" "$1" "$2" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
row = db.execute("SELECT %s FROM releases r JOIN messages m ON m.seq = r.message WHERE m.id = ?"
                 % sys.argv[3], (sys.argv[2],)).fetchone()
print(row[0] if row else "")
PYEOF
}
# request_killed ID FUNCTION: the staff's request for ID (auto_approve = pdf:
# approved at once, delivered by the release thread), cdr-web killed with
# that thread at FUNCTION
request_killed() {
	local link key code
	link=$("$WEB" -c "$T/m.conf" link "$1" soumu@city.example.lg.jp)
	key=$(csrf "$U$link")
	gdb_kill_arm "$pid" "$2" "$T" || return 1
	code=$($C -o /dev/null -w '%{http_code}' -d "csrf=$key&attachment=0" "$U$link/request")
	[ "$code" = 200 ] || echo "# request: $code"
	gdb_kill_at_breakpoint "$pid" "$T" || { wait "$pid"; pid=; return 1; }
	wait "$pid" 2>/dev/null
	pid=
	[ "$code" = 200 ]
}
# wait_log TEXT: cdr-web logs TEXT (10 s)
wait_log() {
	for _ in $(seq 100); do grep -qF -- "$1" "$T/web.log" && return 0; sleep 0.1; done
	echo "# not logged: $1"
	return 1
}

# killed_case DESCRIPTION ID FUNCTION CHECK: the request for ID, cdr-web
# killed with its release thread at FUNCTION, then CHECK ID (it restarts
# cdr-web again (start_web), and sets st=1 when it finds a fault)
killed_case() {
	st=0
	if [ -z "$HAVE_GDB" ]; then
		fail_without_gdb "$1"
		return
	fi
	if request_killed "$2" "$3"; then
		"$4" "$2"
	else
		st=1
		[ -n "$pid" ] || start_web
	fi
	ok $st "$1"
}

# killed before the Message-ID was recorded: the claim, nothing sent
before_submitting() {
	local state got
	state=$(release_sql "$1" "r.state || ' ' || coalesce(r.submitting, '-')")
	[ "$state" = "sending -" ] || { st=1; echo "# after the kill: '$state'"; }
	[ "$(copies "$1")" = 0 ] || { st=1; echo "# sent before the restart"; }
	start_web || st=1
	wait_log "of $1 was cut short before its submission (nothing was sent): approved again" || st=1
	for _ in $(seq 100); do [ "$(copies "$1")" = 0 ] || break; sleep 0.1; done
	sleep 2
	got=$(copies "$1")
	[ "$got" = 1 ] || { st=1; echo "# $got copies delivered"; }
	"$QTOOL" -c "$T/m.conf" -j show "$1" > "$T/show-killed.json"
	$PY - "$T/show-killed.json" <<'PYEOF' || st=1
import json, sys
s = json.load(open(sys.argv[1]))
r = s["releases"]
assert [x["state"] for x in r] == ["delivered"], r
ev = [e["what"] for e in s["events"]]
assert ev.count("release-recovered") == 1, ev
PYEOF
}
killed_case "cdr-web killed (SIGKILL) while its release thread delivers, before the submission (claimed, no Message-ID recorded): nothing sent; restarted, its sweep takes the claim up and delivers the release once, delivered in the store" \
	"$KILL1" store_release_submitting before_submitting

# killed at the submission, its Message-ID recorded
at_submission() {
	local mid got state
	mid=$(release_sql "$1" "r.submitting")
	case $mid in "<mugaika.release."*">") ;; *) st=1; echo "# after the kill: '$mid'";; esac
	start_web || st=1
	wait_log "of $1 was cut short while being submitted" || st=1
	sleep 3
	# held at resubmit_send's entry: the relay was never reached, and is not now
	got=$(copies "$1")
	[ "$got" = 0 ] || { st=1; echo "# $got copies delivered"; }
	state=$(release_sql "$1" "r.state || ' ' || coalesce(r.delivered_id, '-')")
	[ "$state" = "failed $mid" ] || { st=1; echo "# after the restart: '$state'"; }
	"$QTOOL" -c "$T/m.conf" show "$1" > "$T/show-killed.txt" 2>&1
	grep "^release [0-9]*: uncertain, " "$T/show-killed.txt" | grep -qF "Message-ID $mid" ||
		{ st=1; sed 's/^/# /' "$T/show-killed.txt"; }
}
killed_case "cdr-web killed (SIGKILL) at the submission of a release (its Message-ID recorded): restarted, nothing is sent again; the release failed, uncertain, naming that Message-ID in show" \
	"$KILL2" resubmit_send at_submission

# 9g-9j. [web] trust_proxy_user = X-Remote-User: cdr-web started again with it
kill "$pid"; wait "$pid" 2>/dev/null; pid=
echo 'trust_proxy_user = X-Remote-User' >> "$T/m.conf" # [web] is the last section
start_web
ADM=yamada@city.example.lg.jp
PX="curl -s -c $T/cjp -b $T/cjp -H X-Remote-User:$ADM"
# proxy_status VALUE...: the status of GET /admin with X-Remote-User: VALUE
# (the bytes as given, sent over a socket as a proxy would), one a line
proxy_status() {
	$PY - "$PORT" "$@" <<'PYEOF'
import os, socket, sys
for v in sys.argv[2:]:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"GET /admin HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Remote-User: " + os.fsencode(v) +
              b"\r\nConnection: close\r\n\r\n")
    answer = b""
    while chunk := s.recv(65536):
        answer += chunk
    print(answer.split(b" ", 2)[1].decode())
PYEOF
}
st=0
code=$($PX -o "$T/p9g" -w '%{http_code}' "$U/admin")
[ "$code" = 200 ] || { st=1; echo "# /admin from the proxy: $code"; }
grep -qF "<span class=\"who\">$ADM</span>" "$T/p9g" || { st=1; echo "# the page does not name $ADM"; }
code=$(curl -s -D "$T/h9g" -o /dev/null -w '%{http_code}' "$U/admin")
[ "$code" = 303 ] && grep -qi '^Location: /login' "$T/h9g" || { st=1; echo "# without the header: $code"; }
[ "$(proxy_status "$(printf 'a%.0s' $(seq 64))")" = 200 ] || { st=1; echo "# 64 characters refused"; }
[ "$(proxy_status 'CITY\yamada')" = 200 ] || { st=1; echo "# DOMAIN\\user refused"; }
for v in '\yamada' 'CITY\' 'CITY\\yamada' 'A\B\c' '' "$(printf 'a%.0s' $(seq 65))" "$(printf 'adm\001in')" "$(printf 'adm\033[2Kin')" \
	"$(printf 'adm\177in')" "$(printf 'adm\tin')" "$(printf 'adm\r\n in')" "$(printf 'adm\rin')" \
	"$(printf '\342\200\256nimda')" "$(printf 'adm\342\200\213in')" "$(printf 'adm\377in')" \
	'adm in' 'adm<b>in'; do
	code=$(proxy_status "$v")
	[ "$code" = 303 ] || { st=1; echo "# X-Remote-User: $(LC_ALL=C printf %q "$v"): $code"; }
done
logged=$(grep -c '^cdr-web: 127.0.0.1: the header X-Remote-User (trust_proxy_user) is not a user name' "$T/web.log")
[ "$logged" = 16 ] || { st=1; echo "# $logged refused headers logged, not 16"; }
ok $st "trust_proxy_user: X-Remote-User: $ADM reaches /admin without a login (200, the page names $ADM; CITY\\yamada too), without it 303 to /login; a backslash first, last or twice, empty, 65 characters, a control character (SOH, ESC, DEL, tab, CR), a folded line, U+202E, U+200B, a byte not UTF-8, a blank or <b> name nobody (303; logged but the empty one)"

# the request for HOSTILE's attachment 0 (case 5), waiting in the queue
NUM=$($PX "$U/admin/queue" | sed -n 's/.*<tr class="request" data-number="\([0-9]*\)".*/\1/p' | head -1)
echo "# request $NUM"
st=0
[ -n "$NUM" ] || st=1
code=$($PX -o /dev/null -w '%{http_code}' -d "reason=by+the+proxy" "$U/admin/release/$NUM/deny")
[ "$code" = 403 ] || { st=1; echo "# a denial without the CSRF token: $code"; }
code=$($PX -o /dev/null -w '%{http_code}' -d "csrf=$(printf '0%.0s' $(seq 64))&reason=x" "$U/admin/release/$NUM/deny")
[ "$code" = 403 ] || { st=1; echo "# a denial with a wrong CSRF token: $code"; }
code=$($PX -o /dev/null -w '%{http_code}' -d "csrf=$K&reason=x" "$U/admin/release/$NUM/approve")
[ "$code" = 403 ] || { st=1; echo "# an approval with another session's CSRF token: $code"; }
[ "$(release_sql "$HOSTILE" r.state)" = requested ] || { st=1; echo "# decided without the token"; }
ok $st "trust_proxy_user: a POST from the proxy's user still needs its session's CSRF token (none, a wrong one, another session's: 403, the request left undecided)"

st=0
$PX -o /dev/null "$U/admin/message/$HOSTILE"
KP=$($PX "$U/admin/queue" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
code=$($PX -o "$T/p9h" -w '%{http_code}' -d "csrf=$KP&reason=by+the+proxy" "$U/admin/release/$NUM/deny")
[ "$code" = 200 ] && grep -q 'class="flash ok"' "$T/p9h" || { st=1; echo "# a denial with the token: $code"; }
grep -qF "<td><bdi>$ADM</bdi></td>" "$T/p9h" || { st=1; echo "# the queue does not name $ADM"; }
"$QTOOL" -c "$T/m.conf" -j show "$HOSTILE" > "$T/show9h.json"
$PY - "$T/show9h.json" "$ADM" <<'PYEOF' || st=1
import json, sys
s, adm = json.load(open(sys.argv[1])), sys.argv[2]
ev = [(e["what"], e.get("by"), e.get("origin")) for e in s["events"]]
assert ("web-admin-view", adm, "web 127.0.0.1") in ev, ev
assert ("release-denied", adm, "web 127.0.0.1") in ev, ev
r = s["releases"]
assert [x["state"] for x in r] == ["denied"], r
PYEOF
ok $st "trust_proxy_user: with the token the proxy's user denies the request (200); the store's web-admin-view and release-denied events name $ADM as who"

# cdr-web -n and serving: trust_proxy_user on an address that is not loopback (HTTPS
# there, so that this is the one error) is refused; on loopback it is fine
st=0
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$T/key.pem" \
	-out "$T/cert.pem" -days 2 -subj /CN=localhost 2>/dev/null || st=1
sed "s/^listen = .*/listen = 0.0.0.0:$PORT\ntls_cert = ${T//\//\\/}\/cert.pem\ntls_key = ${T//\//\\/}\/key.pem/" \
	"$T/m.conf" > "$T/wide.conf"
"$WEB" -n -c "$T/wide.conf" > "$T/n.out" 2> "$T/n.err"
rc=$?
[ "$rc" != 0 ] || { st=1; echo "# -n with trust_proxy_user on 0.0.0.0: exit $rc"; }
grep -qx 'error: \[web\] trust_proxy_user is honoured on a loopback listen address only (behind a proxy on this host)' "$T/n.err" || st=1
grep -q 'configuration OK' "$T/n.out" && st=1
grep -v '^trust_proxy_user' "$T/wide.conf" > "$T/wide-plain.conf"
"$WEB" -n -c "$T/wide-plain.conf" > "$T/n2.out" 2> "$T/n2.err" || { st=1; sed 's/^/# /' "$T/n2.err"; }
"$WEB" -n -c "$T/m.conf" > "$T/n3.out" 2> "$T/n3.err" || { st=1; sed 's/^/# /' "$T/n3.err"; }
grep -q trust_proxy_user "$T/n3.err" && st=1
# nor does it serve so (it would ignore the header quietly)
timeout 20 "$WEB" -f -c "$T/wide.conf" > "$T/f.out" 2> "$T/f.err"
frc=$?
[ "$frc" != 0 ] && [ "$frc" != 124 ] || { st=1; echo "# serving with trust_proxy_user on 0.0.0.0: exit $frc"; }
grep -q 'trust_proxy_user is honoured on a loopback listen address only' "$T/f.err" ||
	{ st=1; sed 's/^/# /' "$T/f.err"; }
ok $st "cdr-web -n and cdr-web -f: trust_proxy_user with listen = 0.0.0.0 (HTTPS) fails (exit $rc, $frc) with the error naming it; the same without it, and trust_proxy_user on 127.0.0.1, are OK"

# 10. an orderly stop (and, in a sanitizer build, nothing reported)
kill "$pid"; wait "$pid" 2>/dev/null; pid=
st=0
grep -q 'cdr-web: stopped' "$T/web.log" || st=1
grep -E 'Sanitizer|runtime error' "$T/web.log" | head -5 | sed 's/^/# /'
grep -qE 'Sanitizer|runtime error' "$T/web.log" && st=1
ok $st "SIGTERM: cdr-web stops in order (no sanitizer report)"
echo "1..$n"
[ "$failed" = 0 ]
