#!/bin/bash
# tests/e2e/run-miltertest.sh - TAP: protocol-level tests of cdr-milter with
# miltertest(8) (Debian package miltertest), no MTA involved.
#
# Starts ONE cdr-milter (tests/e2e/milter-conf.sh: max_message_bytes = 64K,
# oversize_action = reject, failure_action = tempfail) on a unix socket in a
# temporary directory, pointed at the test worker (build/tests/test-worker,
# which segfaults on objects starting with "MUGAIKA-TEST-CRASH"), then runs
# every tests/e2e/miltertest/*.lua but common.lua (the checks they share)
# against it, one TAP test per script (TAP output through tests/e2e/tap.sh):
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
. "$HERE/tap.sh"

SCRIPTS=()
for f in "$HERE"/miltertest/*.lua; do
	[ -e "$f" ] && [ "$(basename "$f")" != common.lua ] && SCRIPTS+=("$f")
done

command -v miltertest >/dev/null 2>&1 || skip "miltertest not installed (apt-get install miltertest)"
[ -x "$MILTER" ] || skip "no cdr-milter in the build directory ${BUILD:-?}"
[ -x "$WORKER" ] || skip "no tests/test-worker in the build directory $BUILD"
need "$PY"
[ "${#SCRIPTS[@]}" -gt 0 ] || skip "no scripts in $HERE/miltertest"

E2E_MILTER_BIN=$MILTER
E2E_MILTER_WORKER=$WORKER
. "$HERE/milter-conf.sh"

# Short path: the socket must fit sun_path (108 bytes).  WORK is the milter
# directory of milter-conf.sh.
WORK=$(mktemp -d /tmp/mugaika-mt.XXXXXX) || exit 1
CONN=$(e2e_milter_socket "$WORK")	# unix:WORK/milter.sock

cat > "$WORK/wrapper.lua" <<'EOF'
-- runs the script named by -D script=... and prints why it failed
local ok, err = pcall(dofile, script)
if not ok then
	print("FAILED: " .. tostring(err))
	error(err)
end
EOF

cleanup() {
	e2e_milter_stop_all
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
if ! e2e_milter_conf "$WORK" milter.max_message_bytes=64K milter.oversize_action=reject \
	milter.failure_action=tempfail 2>"$WORK/start.err" ||
	! e2e_milter_start "$WORK" 2>"$WORK/start.err"; then
	diag "cdr-milter did not start:"
	diag < "$WORK/start.err"
	for f in "${SCRIPTS[@]}"; do
		ok 1 "$(basename "$f") (no milter)"
	done
	ok 1 "milter alive, audit records (no milter)"
	exit 1
fi
echo "# cdr-milter ready on $CONN after $(elapsed "$t0") s"

for f in "${SCRIPTS[@]}"; do
	name=$(basename "$f")
	t0=$(now)
	out=$(cd "$HERE/miltertest" && timeout 120 miltertest -D "sock=$CONN" \
		-D "script=$f" -s "$WORK/wrapper.lua" 2>&1)
	rc=$?
	ok "$rc" "$name"
	echo "# $name: $(elapsed "$t0") s"
	if [ "$rc" -ne 0 ]; then
		printf '%s\n' "$out" | tail -20 | diag
		tail -5 "$WORK/milter.log" | diag
	fi
done

# The milter is still up, and audited exactly the messages that ended:
# rewritten ones as delivered, the crash as tempfailed; aborted and
# oversize messages never reach end of message and leave no record.
st=0
why=
if ! _e2e_alive "$(e2e_milter_pid "$WORK")"; then
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
[ "$st" -eq 0 ] || { diag "$why"; tail -10 "$WORK/milter.log" | diag; }

[ "$FAILED" -eq 0 ]
