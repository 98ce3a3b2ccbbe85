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
#   cdr-web	a second one on the same store with [web] tls_cert and tls_key
#		(a self-signed certificate made with openssl), for the HTTPS
#		case; tw-m/web-tls.log
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
need postfix postconf smtp-sink swaks ss "$PY" /usr/bin/chromium /usr/bin/chromedriver
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

WEB_PIDS=()

# stop_web: SIGTERM to each cdr-web this script started, SIGKILL after 10 s
stop_web() {
	local pid
	for pid in "${WEB_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
		_e2e_wait_gone "$pid" 100 || kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	WEB_PIDS=()
	rm -f "$MD"/web*.pid
}

# cleanup: everything this script started (the EXIT trap named it before it
# existed, so every run left its Postfix, smtp-sink, cdr-milter, worker and
# both cdr-webs running)
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
for pidfile in "$MD"/*.pid; do
	pid=$(cat "$pidfile" 2>/dev/null)
	if [ -n "$pid" ] && grep -qF "$MD/" "/proc/$pid/cmdline" 2>/dev/null; then
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

# serve NAME CONF: cdr-web -f -c CONF, stderr in MD/NAME.log; true once it
# listens on CONF's port
serve() {
	local name=$1 conf=$2 port pid
	port=$(sed -n 's/^listen = .*:\([0-9]*\)$/\1/p' "$conf")
	"$WEB" -n -c "$conf" >"$WORK/$name-n.out" 2>&1 ||
		{ echo "# cdr-web -n -c $conf: $(cat "$WORK/$name-n.out")"; return 1; }
	MUGAIKA_WORKER=$BUILD/cdr-worker "$WEB" -f -c "$conf" -d "$SRC/web" \
		</dev/null >>"$MD/$name.log" 2>&1 &
	pid=$!
	WEB_PIDS+=("$pid")
	echo "$pid" > "$MD/$name.pid"
	_e2e_wait_listen "$port" 10 && _e2e_alive "$pid" && return 0
	echo "# cdr-web ($name) not listening on $port:"
	tail -3 "$MD/$name.log" | indent
	kill -KILL "$pid" 2>/dev/null
	return 1
}

# start_web: the console on a free port (fresh ports if one is lost to a
# race), with the administrator's password set by cdr-web passwd
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
		serve web "$MD/mugaika.conf" && return 0
	done
	return 1
}

# start_web_tls: a second cdr-web on the same store with [web] tls_cert and
# tls_key (a self-signed certificate for 127.0.0.1), for the HTTPS case;
# sets WEB_TLS_URL (empty when it does not start: that case fails)
start_web_tls() {
	local attempt port
	WEB_TLS_URL=
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 -keyout "$MD/tls.key" -out "$MD/tls.crt" \
		>"$WORK/openssl.out" 2>&1 || { echo "# openssl: $(tail -1 "$WORK/openssl.out")"; return 1; }
	chown root:nogroup "$MD/tls.key" "$MD/tls.crt"
	chmod 0640 "$MD/tls.key"
	for attempt in 1 2 3; do
		_e2e_free_port || return 1
		port=$_E2E_PORT
		# [web] is the configuration's last section
		sed -e "s|^listen = .*|listen = 127.0.0.1:$port|" \
			-e "s|^base_url = .*|base_url = https://127.0.0.1:$port|" \
			"$MD/mugaika.conf" > "$MD/tls.conf"
		printf 'tls_cert = %s\ntls_key = %s\n' "$MD/tls.crt" "$MD/tls.key" >> "$MD/tls.conf"
		serve web-tls "$MD/tls.conf" && { WEB_TLS_URL=https://127.0.0.1:$port; return 0; }
	done
	return 1
}
start_web || bail "cdr-web did not start"
start_web_tls
e2e_milter_start "$MD" || bail "cdr-milter did not start"

export E2E_LIB=$HERE/lib.sh E2E_DIR=$PF E2E_LOG \
	WEB_URL=http://127.0.0.1:$WEB_PORT WEB_KEY=$MD/web.key WEB_ADMIN=admin \
	WEB_ADMIN_PASSWORD=$ADMIN_PASSWORD WEB_LOG=$MD/web.log WEB_LINK_DAYS=14 WEB_PPAP_MAX_TRIES=3 \
	WEB_AUDIT=$MD/var/audit.jsonl WEB_QTOOL=$BUILD/milter/cdr-quarantine \
	WEB_CONF=$MD/mugaika.conf WEB_SRC=$SRC WEB_WORK=$WORK WEB_BIN=$WEB \
	WEB_TLS_URL WEB_TLS_LOG=$MD/web-tls.log
T_ALL=$(now)
$PY "$SRC/tests/browser/test_web.py"
status=$?
for pid in "${WEB_PIDS[@]}"; do
	_e2e_alive "$pid" && continue
	echo "# a cdr-web (pid $pid) exited during the run:"
	tail -5 "$MD"/web*.log | indent
	status=1
done
diag "screens: $E2E_LOG/screens" "all: $(elapsed "$T_ALL") s"
exit "$status"
