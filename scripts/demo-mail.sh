#!/bin/bash
# demo-mail.sh - the mail half of the demo: a private Postfix on loopback with
# cdr-milter in the after-queue arrangement of cdr-milter(8) (screening on the
# internet smtpd, converting behind content_filter), relaying to smtp-sink
# (the LGWAN mail server), with the return path for follow-up messages
# ([release] relay); sends the sample mails in fixtures/demo-mail/, then the
# password of the PPAP sample in a second mail (fixtures/demo-mail/later/),
# and shows each message as the LGWAN side gets it: the password mail and
# the follow-up that delivers the zip disarmed.
# Called by scripts/demo.sh after the build. Needs root (Postfix).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
if [ "$(id -u)" != 0 ]; then
	echo "== mail demo skipped: a private Postfix needs root"
	exit 0
fi
. tests/e2e/lib.sh
BASE=${TMPDIR:-/tmp}/mugaika-demo-mail
rm -rf "$BASE"
mkdir -p "$BASE/var"
chown nobody:nogroup "$BASE/var"
cat >"$BASE/mugaika.conf" <<CONF
# The demo's configuration: attachments disarmed and kept where possible.
[mail]
mode = sanitize
notice_contact = 情報政策課 (内線 1234)
[milter]
socket = unix:$BASE/milter.sock
socket_mode = 0660
group = postfix
pid_file =
quarantine_dir = $BASE/var/quarantine
audit_log = $BASE/var/audit.jsonl
syslog = false
user = nobody
CONF
MUGAIKA_WORKER=$ROOT/build/cdr-worker build/milter/cdr-milter -f -c "$BASE/mugaika.conf" \
	2>"$BASE/milter.log" &
milter=$!
trap 'kill $milter 2>/dev/null; e2e_stop_all' EXIT
for _ in $(seq 50); do grep -q "ready on" "$BASE/milter.log" && break; sleep 0.1; done
E2E_ARRANGEMENT=after-queue E2E_RETURN_PATH=yes e2e_start "$BASE/postfix" "unix:$BASE/milter.sock" >/dev/null
echo "== Postfix on 127.0.0.1:$E2E_SMTP_PORT with cdr-milter (after the queue, on :$E2E_FILTER_PORT), relaying to smtp-sink on :$E2E_SINK_PORT; follow-ups come back on :$E2E_RETURN_PORT"
# the return path's port is known now: tell the milter (a reload)
printf '[release]\nrelay = inet:127.0.0.1:%s\n' "$E2E_RETURN_PORT" >>"$BASE/mugaika.conf"
before=$(wc -l <"$BASE/milter.log")
kill -HUP "$milter"
for _ in $(seq 50); do
	tail -n +"$((before + 1))" "$BASE/milter.log" | grep -q "configuration reloaded" && break
	sleep 0.1
done
send() {
	printf '   send %-36s -> %s\n' "$1" "$(e2e_send info@city-news.example.jp soumu@city.example.lg.jp "$1")"
}
n=0
for mail in fixtures/demo-mail/*.eml; do
	send "$mail"
	n=$((n + 1))
done
e2e_wait_sink "$n" 60 >/dev/null
echo "== then the password of the PPAP zip, in a second mail from the same sender"
send fixtures/demo-mail/later/password.eml
n=$((n + 2)) # the password mail, and the follow-up with the zip disarmed
e2e_wait_sink "$n" 60 >/dev/null || echo "   (the follow-up did not arrive within 60 s: see the milter log)"
for f in $(e2e_sink_files); do
	echo
	echo "== as the LGWAN side receives it:"
	e2e_sink_message "$f" | /usr/bin/python3 -c '
import email, email.policy, sys
m = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.default)
for h in ("From", "To", "Subject", "X-Mugaika"):
    if m[h]:
        print(f"{h}: {m[h]}")
print()
print(m.get_body(preferencelist=("plain",)).get_content().rstrip())
for part in m.iter_attachments():
    print(f"[attachment: {part.get_filename()} ({part.get_content_type()}, {len(part.get_content())} bytes)]")
'
done
echo
echo "== milter log ($BASE/milter.log):"
sed 's/^/   /' "$BASE/milter.log"
echo "== originals kept in the quarantine: build/milter/cdr-quarantine -c $BASE/mugaika.conf list"
build/milter/cdr-quarantine -c "$BASE/mugaika.conf" list | sed 's/^/   /'
echo "== audit log: $BASE/var/audit.jsonl"
