#!/bin/bash
# tests/e2e/test-web.sh - TAP: cdr-web in a headless Chromium, the whole
# path through a real Postfix (issue 15, "Tests").
#
# Runs as root. Starts, with tests/e2e/lib.sh and tests/e2e/milter-conf.sh:
#
#   tw-main	a private Postfix with the return path of cdr-milter(8) (an
#		smtpd without milters on a free port), relaying to smtp-sink
#   tw-m	cdr-milter with the real cdr-worker before its queue:
#		[mail] mode = text (before the queue a message gets the
#		strictest mode of its recipients, so text_domains would make
#		every recipient text mode as well: say it plainly),
#		[release] relay = the return path,
#		[web] base_url = the cdr-web below (its notices carry the
#		staff link), secret_file (a fresh key), accounts (an
#		administrator made with "cdr-web passwd admin", the password on
#		stdin), approval = admin
#   cdr-web	-f on 127.0.0.1 and a free port, the same configuration,
#		its stderr in tw-m/web.log; stopped at the end
#
# and then tests/browser/test_web.py, which drives one headless Chromium
# (Debian's chromium, chromium-driver, python3-selenium) through the
# scenarios and prints the TAP plan and results. Screenshots and the text
# of every page visited: $E2E_LOG/screens/ (default
# BUILD/meson-logs/web-browser).
#
# Only a run without root is skipped; a missing program is a failure
# (scripts/setup.sh installs them all).
#
# Usage: test-web.sh [BUILD_DIR]   (or MUGAIKA_BUILD; default ../../build)

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD=${1:-${MUGAIKA_BUILD:-$SRC/build}}
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || BUILD=
PY=/usr/bin/python3

. "$HERE/tap.sh"
[ "$(id -u)" = 0 ] || skip "needs root"
bail() { echo "Bail out! $*"; exit 1; }
for tool in postfix postconf smtp-sink swaks ss "$PY" /usr/bin/chromium /usr/bin/chromedriver; do
	command -v "$tool" >/dev/null 2>&1 || bail "needs $tool (scripts/setup.sh)"
done
[ -n "$BUILD" ] || bail "no build directory"
WEB=$BUILD/web/cdr-web
for prog in "$BUILD/milter/cdr-milter" "$BUILD/cdr-worker" "$BUILD/milter/cdr-quarantine" "$WEB"; do
	[ -x "$prog" ] || bail "no $prog"
done

. "$HERE/lib.sh"
E2E_MILTER_BIN=$BUILD/milter/cdr-milter
E2E_MILTER_WORKER=$BUILD/cdr-worker
. "$HERE/milter-conf.sh"

BASE=${E2E_BASE:-/tmp/mugaika-e2e}
PF=$BASE/tw-main
MD=$BASE/tw-m
WORK=$BASE/tw-work
E2E_LOG=${E2E_LOG:-$BUILD/meson-logs/web-browser}
ADMIN_PASSWORD=$($PY -c 'import secrets; print("Adm-" + secrets.token_urlsafe(12))')
WEB_PID=

# stop_web: SIGTERM to the cdr-web this script started, SIGKILL after 10 s
stop_web() {
	[ -n "$WEB_PID" ] || return 0
	kill -TERM "$WEB_PID" 2>/dev/null
	_e2e_wait_gone "$WEB_PID" 100 || kill -KILL "$WEB_PID" 2>/dev/null
	wait "$WEB_PID" 2>/dev/null
	WEB_PID=
	rm -f "$MD/web.pid"
}

cleanup() {
	stop_web
	e2e_milter_stop_all
	e2e_stop_all
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$BASE"
e2e_reap "$BASE"
# a milter or cdr-web left by a run that was killed (checked by its command line)
for pidfile in "$MD/milter.pid" "$MD/web.pid"; do
	pid=$(cat "$pidfile" 2>/dev/null)
	if [ -n "$pid" ] && grep -qF "$MD/mugaika.conf" "/proc/$pid/cmdline" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
	fi
done
rm -rf "$WORK" "$MD" "$E2E_LOG"
mkdir -p "$WORK" "$E2E_LOG" "$MD"

E2E_RETURN_PATH=yes e2e_start "$PF" "$(e2e_milter_socket "$MD")" || bail "postfix did not start"

# The key: 64 hex digits, no newline (cdr-web and cdr-milter take the whole
# file; so does tests/browser/webtoken.py), root:nogroup 0640 as the
# packaged root:mugaika.
$PY -c 'import secrets, sys; sys.stdout.write(secrets.token_hex(32))' > "$MD/web.key"
chown root:nogroup "$MD/web.key"
chmod 0640 "$MD/web.key"

# conf PORT: the configuration of the milter and cdr-web
conf() {
	e2e_milter_conf "$MD" mail.mode=text \
		ppap.followup_from=mugaika@gw.city.example.lg.jp \
		"release.relay=inet:127.0.0.1:$E2E_RETURN_PORT" \
		"web.listen=127.0.0.1:$1" "web.base_url=http://127.0.0.1:$1" \
		"web.secret_file=$MD/web.key" "web.accounts=$MD/web.passwd" \
		ppap.max_tries=3 web.approval=admin web.link_days=14
}

# start_web: cdr-web -f on a free port (fresh ports if one is lost to a race)
start_web() {
	local attempt
	for attempt in 1 2 3; do
		_e2e_free_port || return 1
		WEB_PORT=$_E2E_PORT
		conf "$WEB_PORT" || return 1
		if [ "$attempt" = 1 ]; then
			printf '%s\n' "$ADMIN_PASSWORD" | "$WEB" passwd admin -c "$MD/mugaika.conf" \
				>"$WORK/passwd.out" 2>&1 ||
				{ echo "# cdr-web passwd: $(cat "$WORK/passwd.out")"; return 1; }
		fi
		"$WEB" -n -c "$MD/mugaika.conf" >"$WORK/web-n.out" 2>&1 ||
			{ echo "# cdr-web -n: $(cat "$WORK/web-n.out")"; return 1; }
		MUGAIKA_WORKER=$BUILD/cdr-worker "$WEB" -f -c "$MD/mugaika.conf" -d "$SRC/web" \
			</dev/null >>"$MD/web.log" 2>&1 &
		WEB_PID=$!
		echo "$WEB_PID" > "$MD/web.pid"
		_e2e_wait_listen "$WEB_PORT" 10 && _e2e_alive "$WEB_PID" && return 0
		echo "# cdr-web not listening on $WEB_PORT (attempt $attempt):"
		tail -3 "$MD/web.log" | indent
		stop_web
	done
	return 1
}
start_web || bail "cdr-web did not start"
e2e_milter_start "$MD" || bail "cdr-milter did not start"

export E2E_LIB=$HERE/lib.sh E2E_DIR=$PF E2E_LOG \
	WEB_URL=http://127.0.0.1:$WEB_PORT WEB_KEY=$MD/web.key WEB_ADMIN=admin \
	WEB_ADMIN_PASSWORD=$ADMIN_PASSWORD WEB_LOG=$MD/web.log WEB_LINK_DAYS=14 WEB_PPAP_MAX_TRIES=3 \
	WEB_AUDIT=$MD/var/audit.jsonl WEB_QTOOL=$BUILD/milter/cdr-quarantine \
	WEB_CONF=$MD/mugaika.conf WEB_SRC=$SRC WEB_WORK=$WORK WEB_BIN=$WEB
T_ALL=$(now)
$PY "$SRC/tests/browser/test_web.py"
status=$?
_e2e_alive "$WEB_PID" || { echo "# cdr-web exited during the run:"; tail -5 "$MD/web.log" | indent; status=1; }
diag "screens: $E2E_LOG/screens" "all: $(elapsed "$T_ALL") s"
exit "$status"
