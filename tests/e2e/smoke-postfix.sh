#!/bin/bash
# tests/e2e/smoke-postfix.sh - TAP: the e2e harness itself works, no milter.
#
# Starts a private Postfix (tests/e2e/lib.sh) relaying to smtp-sink and checks
# that plain, large and concurrent mail gets through unchanged, and that an
# unreachable milter makes Postfix answer 4xx (milter_default_action=tempfail).
#
# Run as root.  Instances live under $E2E_BASE (default /tmp/mugaika-e2e);
# leftovers of killed runs are stopped first.  TAP output through
# tests/e2e/tap.sh.  Exit status 1 if any test fails.

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/tap.sh"

E2E_BASE=${E2E_BASE:-/tmp/mugaika-e2e}
DIR1=$E2E_BASE/smoke-postfix
DIR2=$E2E_BASE/smoke-postfix-milter
WORK=$E2E_BASE/smoke-postfix-work

trap 'e2e_stop_all' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

T_START=$(now)
NTESTS=5

diag_log() {	# last maillog lines of the current instance
	e2e_log 2>/dev/null | tail -n "${1:-15}" | indent
}

# relayed RC REPLY BEFORE TIMEOUT: e2e_send exited with RC = 0 and REPLY 250,
# and the sink, which held BEFORE messages, got one more within TIMEOUT s;
# sets f to the newest sink file, or why to what went wrong
relayed() {
	if [ "$1" -ne 0 ] || [ "${2:0:3}" != 250 ]; then
		why="swaks rc=$1 reply='$2'"
	elif ! e2e_wait_sink $(($3 + 1)) "$4"; then
		why="message did not arrive in the sink"
	else
		f=$(e2e_sink_files | tail -n 1)
		return 0
	fi
	return 1
}

echo "1..$NTESTS"

mkdir -p "$E2E_BASE"
e2e_reap "$E2E_BASE"
rm -rf "$WORK"
mkdir -p "$WORK"

# --- 1: instance starts --------------------------------------------------
t0=$(now)
if e2e_start "$DIR1" 2>"$WORK/start.err"; then
	UP=0
	ok 0 "private instance starts (smtpd 127.0.0.1:$E2E_SMTP_PORT, sink :$E2E_SINK_PORT)"
	diag "start took $(elapsed "$t0") s"
else
	UP=1
	ok 1 "private instance starts"
	indent < "$WORK/start.err"
fi

# --- 2: plain message relays to the sink, unchanged -----------------------
cat > "$WORK/plain.eml" <<'EOF'
From: Sender <a@x.test>
To: user@city.example.lg.jp
Subject: e2e smoke plain
Message-ID: <smoke-plain@x.test>
Date: Sat, 01 Jan 2022 00:00:00 +0900
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

plain body line 1
.a line with a leading dot
..two leading dots
. 
line with %DATE% and a literal \n in it
From the middle of the body

last line
EOF
if [ "$UP" -eq 0 ]; then
	before=$(e2e_sink_count)
	reply=$(e2e_send a@x.test user@city.example.lg.jp "$WORK/plain.eml")
	rc=$?
	st=1 why=
	if relayed "$rc" "$reply" "$before" 30; then
		# What Postfix relayed = the original + its own Received: header.
		e2e_sink_message "$f" |
			perl -0777 -pe 's/\AReceived: [^\n]*\n(?:[ \t][^\n]*\n)*//' \
			> "$WORK/plain.got"
		if cmp -s "$WORK/plain.eml" "$WORK/plain.got"; then
			st=0
		else
			why="relayed message differs from the original"
			diff "$WORK/plain.eml" "$WORK/plain.got" | head -20 | indent
		fi
	fi
	ok "$st" "plain message to user@city.example.lg.jp: 250, arrives unchanged"
	if [ "$st" -eq 0 ]; then
		diag "reply: $reply"
	else
		diag "$why"
		diag_log 15
	fi
else
	ok 1 "plain message (instance not running)"
fi

# --- 3: 20 MB message arrives whole ----------------------------------------
if [ "$UP" -eq 0 ]; then
	{
		printf 'From: a@x.test\nTo: big@city.example.lg.jp\n'
		printf 'Subject: e2e smoke 20 MB\nMIME-Version: 1.0\n'
		printf 'Content-Type: application/octet-stream\n'
		printf 'Content-Transfer-Encoding: base64\n\n'
		head -c 15000000 /dev/urandom | base64 -w 76
	} > "$WORK/big.eml"
	size=$(stat -c %s "$WORK/big.eml")
	want=$(perl -0777 -ne 'print $1 if /\n\n(.*)\z/s' "$WORK/big.eml" | sha256sum)
	before=$(e2e_sink_count)
	t0=$(now)
	reply=$(e2e_send a@x.test big@city.example.lg.jp "$WORK/big.eml")
	rc=$?
	t_send=$(elapsed "$t0")
	st=1 why=
	if relayed "$rc" "$reply" "$before" 60; then
		got=$(e2e_sink_body "$f" | sha256sum)
		if [ "$got" = "$want" ]; then
			st=0
		else
			why="body checksum differs ($(stat -c %s "$f") bytes in sink)"
		fi
	fi
	ok "$st" "$((size / 1000000)) MB message: 250, arrives whole"
	diag "send $t_send s, in sink after $(elapsed "$t0") s"
	[ "$st" -eq 0 ] || { diag "$why"; diag_log 15; }
	rm -f "$WORK/big.eml"
else
	ok 1 "20 MB message (instance not running)"
fi

# --- 4: unreachable milter -> 4xx ------------------------------------------
t0=$(now)
if e2e_start "$DIR2" "unix:$DIR2/nonexistent.sock" 2>"$WORK/start2.err"; then
	reply=$(e2e_send a@x.test user@city.example.lg.jp "$WORK/plain.eml")
	rc=$?
	code=${reply:0:3}
	queued=$(e2e_queue_count)
	# Expected: 451 4.7.1 Service unavailable - try again later (at MAIL)
	st=1
	case "$code" in 4[0-9][0-9]) [ "$queued" -eq 0 ] && st=0 ;; esac
	ok "$st" "milter unreachable + milter_default_action=tempfail: $code"
	diag "reply: $reply (swaks rc=$rc, queued=$queued)"
	[ "$st" -eq 0 ] || diag_log 15
	e2e_stop "$DIR2"
else
	ok 1 "second instance with an unreachable milter starts"
	indent < "$WORK/start2.err"
fi

# --- 5: 50 concurrent messages via smtp-source ------------------------------
if [ "$UP" -eq 0 ] && e2e_use "$DIR1"; then
	before=$(e2e_sink_count)
	t0=$(now)
	smtp-source -c -m 50 -s 10 -f a@x.test -t b@y.lg.jp \
		"127.0.0.1:$E2E_SMTP_PORT" >"$WORK/source.out" 2>&1
	rc=$?
	t_src=$(elapsed "$t0")
	st=1 why=
	if [ "$rc" -ne 0 ]; then
		why="smtp-source rc=$rc: $(tail -c 300 "$WORK/source.out")"
	elif ! e2e_wait_sink $((before + 50)) 30; then
		why="only $(( $(e2e_sink_count) - before )) of 50 arrived"
	else
		st=0
	fi
	t_all=$(elapsed "$t0")
	ok "$st" "50 messages from smtp-source (10 sessions) all arrive"
	diag "smtp-source done in $t_src s, all 50 in sink after $t_all s"
	[ "$st" -eq 0 ] || { diag "$why" "queue: $(e2e_queue_count)"; diag_log 15; }
else
	ok 1 "50 concurrent messages (instance not running)"
fi

diag "total $(elapsed "$T_START") s"
[ "$FAILED" -eq 0 ] || exit 1
exit 0
