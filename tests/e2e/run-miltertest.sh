#!/bin/bash
# tests/e2e/run-miltertest.sh - TAP: protocol-level tests of cdr-milter with
# miltertest(8) (Debian package miltertest), no MTA involved.
#
# Starts ONE cdr-milter on a unix socket in a temporary directory, pointed at
# the test worker (build/tests/test-worker, which segfaults on objects starting
# with "MUGAIKA-TEST-CRASH"), then runs every tests/e2e/miltertest/*.lua
# against it, one TAP test per script:
#	miltertest -D sock=unix:SOCKET -s WRAPPER	(WRAPPER runs the script
#	under pcall, so a failed check prints its message: miltertest itself
#	exits 1 on a Lua error without saying why)
# and finally checks the milter survived and wrote one audit record per
# finished message.
#
# Usage: run-miltertest.sh [BUILD_DIR]	(or MUGAIKA_BUILD=BUILD_DIR; default
# ../../build from this script).  Root is not needed; as root the milter drops
# to nobody:nogroup as configured.  The work directory is removed when every
# test passed and kept (path printed) otherwise.

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-${MUGAIKA_BUILD:-$HERE/../../build}}
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || BUILD=
MILTER=$BUILD/milter/cdr-milter
WORKER=$BUILD/tests/test-worker
PY=/usr/bin/python3

SCRIPTS=()
for f in "$HERE"/miltertest/*.lua; do
	[ -e "$f" ] && SCRIPTS+=("$f")
done

skip() {
	echo "1..0 # SKIP $*"
	exit 0
}
command -v miltertest >/dev/null 2>&1 || skip "miltertest not installed (apt-get install miltertest)"
[ -x "$MILTER" ] || skip "no cdr-milter in the build directory ${BUILD:-?}"
[ -x "$WORKER" ] || skip "no tests/test-worker in the build directory $BUILD"
[ -x "$PY" ] || skip "needs $PY"
[ "${#SCRIPTS[@]}" -gt 0 ] || skip "no scripts in $HERE/miltertest"

# Short path: the socket must fit sun_path (108 bytes).
WORK=$(mktemp -d /tmp/mugaika-mt.XXXXXX) || exit 1
chmod 755 "$WORK"
mkdir -p "$WORK/var"
if [ "$(id -u)" = 0 ]; then
	chown nobody:nogroup "$WORK/var"
fi
SOCK=$WORK/milter.sock
MPID=

cat > "$WORK/mugaika.conf" <<EOF
[workers]
workers = 2
[mail]
mode = sanitize
[milter]
socket = unix:$SOCK
socket_mode = 0666
pid_file =
quarantine_dir = $WORK/var/quarantine
audit_log = $WORK/var/audit.jsonl
syslog = false
user = nobody
group = nogroup
max_message_bytes = 64K
oversize_action = reject
failure_action = tempfail
EOF

cat > "$WORK/wrapper.lua" <<'EOF'
-- runs the script named by -D script=... and prints why it failed
local ok, err = pcall(dofile, script)
if not ok then
	print("FAILED: " .. tostring(err))
	error(err)
end
EOF

FAILED=0
NUM=0
ok() {		# ok STATUS DESCRIPTION
	NUM=$((NUM + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $NUM - $2"
	else
		echo "not ok $NUM - $2"
		FAILED=$((FAILED + 1))
	fi
}
comment() { sed 's/^/# /'; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

stop_milter() {
	local i
	[ -n "$MPID" ] || return 0
	kill -TERM "$MPID" 2>/dev/null
	# libmilter's listener notices the stop only when its 5-second poll
	# returns: a connection wakes it at once
	sleep 0.1
	"$PY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(1)
try:
    s.connect(sys.argv[1])
except OSError:
    pass
s.close()' "$SOCK" 2>/dev/null
	for i in $(seq 1 80); do
		kill -0 "$MPID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$MPID" 2>/dev/null
	wait "$MPID" 2>/dev/null
	MPID=
}

cleanup() {
	stop_milter
	if [ "$FAILED" -eq 0 ] && [ "$NUM" -gt 0 ]; then
		rm -rf "$WORK"
	else
		echo "# work directory kept: $WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "1..$(( ${#SCRIPTS[@]} + 1 ))"

t0=$(now)
MUGAIKA_WORKER=$WORKER "$MILTER" -c "$WORK/mugaika.conf" -f >"$WORK/milter.log" 2>&1 &
MPID=$!
ready=1
for i in $(seq 1 100); do
	if grep -q "ready on" "$WORK/milter.log" 2>/dev/null && [ -S "$SOCK" ]; then
		ready=0
		break
	fi
	kill -0 "$MPID" 2>/dev/null || break
	sleep 0.1
done
if [ "$ready" -ne 0 ]; then
	echo "# cdr-milter did not start:"
	comment < "$WORK/milter.log"
	for f in "${SCRIPTS[@]}"; do
		ok 1 "$(basename "$f") (no milter)"
	done
	ok 1 "milter alive, audit records (no milter)"
	exit 1
fi
echo "# cdr-milter ready on unix:$SOCK after $(elapsed "$t0") s"

for f in "${SCRIPTS[@]}"; do
	name=$(basename "$f")
	t0=$(now)
	out=$(cd "$HERE/miltertest" && timeout 120 miltertest -D "sock=unix:$SOCK" \
		-D "script=$f" -s "$WORK/wrapper.lua" 2>&1)
	rc=$?
	ok "$rc" "$name"
	echo "# $name: $(elapsed "$t0") s"
	if [ "$rc" -ne 0 ]; then
		printf '%s\n' "$out" | tail -20 | comment
		tail -5 "$WORK/milter.log" | comment
	fi
done

# The milter is still up, and audited exactly the messages that ended:
# rewritten ones as delivered, the crash as tempfailed; aborted and
# oversize messages never reach end of message and leave no record.
st=0
why=
if ! kill -0 "$MPID" 2>/dev/null; then
	st=1
	why="cdr-milter died"
else
	why=$("$PY" - "$WORK/var/audit.jsonl" <<'EOF'
import json, sys
want = {"MT0HTML01": "delivered", "MT0ABORT2": "delivered", "MT0ABORT3": "delivered",
        "MT0SIZE03": "delivered", "MT0CRASH1": "tempfailed", "MT0CRASH2": "delivered"}
got = {}
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            got.setdefault(r.get("queue_id"), []).append(r.get("action"))
except OSError as e:
    print("audit log: %s" % e)
    sys.exit(1)
bad = []
for qid, action in want.items():
    if got.get(qid) != [action]:
        bad.append("%s: %s, want [%s]" % (qid, got.get(qid), action))
for qid in ("MT0ABORT1", "MT0SIZE02"):
    if qid in got:
        bad.append("%s (never ended) audited: %s" % (qid, got[qid]))
print("; ".join(bad))
sys.exit(1 if bad else 0)
EOF
)
	st=$?
fi
ok "$st" "milter alive after the protocol tests, one audit record per finished message"
[ "$st" -eq 0 ] || { echo "# $why"; tail -10 "$WORK/milter.log" | comment; }

[ "$FAILED" -eq 0 ]
