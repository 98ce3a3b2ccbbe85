# tests/clamd.sh - a private clamd (ClamAV's daemon) for the tests
#
# Source this file from bash:
#
#	. tests/clamd.sh
#	clamd_start /tmp/x/clamd [STREAM_MAX]	# DIR/clamd.sock answers when it returns
#	clamd_scan_file DIR FILE		# "stream: ... FOUND" (python, for checks)
#	clamd_stop /tmp/x/clamd
#
# The instance is Debian's clamd (package clamav-daemon) run in the
# foreground with a configuration of its own (DIR/clamd.conf): a unix
# socket DIR/clamd.sock (mode 666: a milter that dropped to nobody can
# connect), its temporary files in DIR, and a signature database of two
# test signatures written here (DIR/db), so that no freshclam, no network
# and no official database is needed, and clamd starts in about 0.1 s:
#
#	mugaika-test.hdb	the EICAR test file, by MD5 and size
#				(CLAMD_EICAR_SIGNATURE)
#	mugaika-test.ndb	a body signature: any file that contains
#				CLAMD_TEST_MARKER (CLAMD_MARKER_SIGNATURE)
#
# clamd names signatures from databases it does not know as official with
# ".UNOFFICIAL" appended; the names below include it.  STREAM_MAX is
# StreamMaxLength (default 25M, Debian's).  clamd's User is not set: it
# runs as whoever starts it.
#
# clamd_start_silent SOCKET starts a fake clamd instead: it accepts
# connections on the unix socket SOCKET and never answers (a clamd slower
# than any timeout); its pid is CLAMD_SILENT_PID, for kill.
#
# Safe under set -e. Functions return non-zero on failure; clamd_available
# says whether /usr/sbin/clamd exists (tests skip, or fail, without it).

CLAMD_BIN=${CLAMD_BIN:-/usr/sbin/clamd}
CLAMD_EICAR_SIGNATURE=Mugaika.Test.EICAR-HDB.UNOFFICIAL
CLAMD_MARKER_SIGNATURE=Mugaika.Test.Marker-NDB.UNOFFICIAL
CLAMD_TEST_MARKER=MUGAIKA-AV-TEST-MARKER-5d1c

clamd_available() {
	[ -x "$CLAMD_BIN" ]
}

# clamd_eicar: the 68 bytes of the EICAR test file on stdout.  Written
# from two halves so that this script is not itself the test file.
clamd_eicar() {
	printf '%s%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$' 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
}

clamd_socket() {
	echo "unix:$1/clamd.sock"
}

# _clamd_ping SOCKET: does clamd answer PING?
_clamd_ping() {
	/usr/bin/python3 - "$1" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(2)
s.connect(sys.argv[1])
s.sendall(b"zPING\0")
sys.exit(0 if s.recv(16) == b"PONG\0" else 1)
EOF
}

# clamd_start DIR [STREAM_MAX]
clamd_start() {
	local dir=$1 max=${2:-25M} i hex
	clamd_available || { echo "clamd_start: no $CLAMD_BIN (apt install clamav-daemon)" >&2; return 1; }
	clamd_stop "$dir"
	mkdir -p "$dir/db" "$dir/tmp" || return 1
	chmod 755 "$dir"
	printf '%s:68:%s\n' "$(clamd_eicar | md5sum | cut -d' ' -f1)" "${CLAMD_EICAR_SIGNATURE%.UNOFFICIAL}" \
		> "$dir/db/mugaika-test.hdb"
	hex=$(printf '%s' "$CLAMD_TEST_MARKER" | od -An -tx1 | tr -d ' \n')
	printf '%s:0:*:%s\n' "${CLAMD_MARKER_SIGNATURE%.UNOFFICIAL}" "$hex" > "$dir/db/mugaika-test.ndb"
	cat > "$dir/clamd.conf" <<EOF
# written by tests/clamd.sh
Foreground yes
LocalSocket $dir/clamd.sock
LocalSocketMode 666
FixStaleSocket yes
PidFile $dir/clamd.pid
DatabaseDirectory $dir/db
TemporaryDirectory $dir/tmp
StreamMaxLength $max
SelfCheck 0
LogTime yes
LogFile $dir/clamd.log
EOF
	"$CLAMD_BIN" -c "$dir/clamd.conf" </dev/null >>"$dir/clamd.out" 2>&1 &
	echo $! > "$dir/clamd.pid.spawned"
	for i in $(seq 1 100); do
		[ -S "$dir/clamd.sock" ] && _clamd_ping "$dir/clamd.sock" && return 0
		kill -0 "$(cat "$dir/clamd.pid.spawned")" 2>/dev/null || break
		sleep 0.05
	done
	echo "clamd_start: clamd in $dir did not come up:" >&2
	tail -5 "$dir/clamd.out" >&2
	return 1
}

# clamd_stop DIR: stop the clamd started there (only a process whose
# command line names DIR/clamd.conf)
clamd_stop() {
	local dir=$1 pid i
	pid=$(cat "$dir/clamd.pid.spawned" 2>/dev/null) || return 0
	if [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir/clamd.conf"; then
		kill -TERM "$pid" 2>/dev/null || true
		for i in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -f "$dir/clamd.pid.spawned" "$dir/clamd.sock"
	return 0
}

# clamd_start_silent SOCKET: a "clamd" that takes connections and the
# stream, and never answers
clamd_start_silent() {
	local sock=$1 i
	rm -f "$sock"
	/usr/bin/python3 - "$sock" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(16)
held = []
while True:
    c, _ = s.accept()
    held.append(c)   # no answer, ever
EOF
	CLAMD_SILENT_PID=$!
	for i in $(seq 1 50); do
		[ -S "$sock" ] && { chmod 666 "$sock"; return 0; }
		sleep 0.1
	done
	return 1
}
