#!/bin/bash
# test-tls.sh - cdr-web over HTTPS: TLS 1.0 and 1.1 refused (the GnuTLS of
# Debian 12 would speak them), TLS 1.2 and 1.3 served. The client is
# openssl s_client at security level 0, so that only the server refuses.
# Usage: test-tls.sh CDR-WEB SOURCE-ROOT                         Output: TAP
set -u
WEB=$1 SRC=$2
PY=/usr/bin/python3
export MUGAIKA_WEB_DIR=${MUGAIKA_WEB_DIR:-$SRC/web}
command -v openssl >/dev/null && command -v curl >/dev/null ||
	{ echo "Bail out! no openssl or curl (scripts/setup.sh installs them)"; exit 1; }
unset G_TLS_GNUTLS_PRIORITY
T=$(mktemp -d "${TMPDIR:-/tmp}/test-cdr-web-tls.XXXXXX")
chmod 755 "$T"
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
. "$SRC/tests/web/tap.sh"

PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
	-subj /CN=localhost 2>/dev/null
head -c 32 /dev/urandom | base64 > "$T/web.key"
mkdir "$T/q"
user=$(id -un) group=$(id -gn)
[ "$(id -u)" = 0 ] && { user=nobody group=nogroup; chown nobody:nogroup "$T/q"; }
cat > "$T/m.conf" <<CONF
[milter]
quarantine_dir = $T/q
user = $user
group = $group
[web]
listen = 127.0.0.1:$PORT
secret_file = $T/web.key
accounts = $T/web.passwd
tls_cert = $T/cert.pem
tls_key = $T/key.pem
CONF
echo 'right-pw' | "$WEB" -c "$T/m.conf" passwd admin >/dev/null
chmod 644 "$T"/*.pem "$T/web.passwd" "$T/web.key"
"$WEB" -f -c "$T/m.conf" 2> "$T/web.log" &
pid=$!
for _ in $(seq 50); do curl -sk -o /dev/null "https://127.0.0.1:$PORT/login" && break; sleep 0.1; done

# the protocol s_client ended up with: "TLSv1.2", or "(NONE)" when refused
proto() {
	echo | timeout 10 openssl s_client "-$1" -cipher 'DEFAULT@SECLEVEL=0' \
		-connect "127.0.0.1:$PORT" 2>/dev/null | sed -n 's/^New, \([^,]*\),.*/\1/p' | head -1
}
st=0
for v in tls1 tls1_1; do
	got=$(proto $v)
	[ "$got" = "(NONE)" ] || { st=1; echo "# $v: negotiated '$got'"; }
done
ok $st "TLS 1.0 and 1.1 refused"
st=0
[ "$(proto tls1_2)" = TLSv1.2 ] || st=1
[ "$(proto tls1_3)" = TLSv1.3 ] || st=1
[ "$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$PORT/login")" = 200 ] || st=1
grep -q 'priority' "$T/web.log" && { st=1; sed 's/^/# /' "$T/web.log"; }
ok $st "TLS 1.2 and 1.3 served, the login page over HTTPS"
echo "1..$n"
[ "$failed" = 0 ]
