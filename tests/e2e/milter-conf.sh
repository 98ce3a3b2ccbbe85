# tests/e2e/milter-conf.sh - run cdr-milter instances for end-to-end tests
#
# Source this file from bash; it sources tests/e2e/lib.sh (the Postfix side,
# whose helpers it uses) unless that is loaded already:
#
#	E2E_MILTER_BIN=build/milter/cdr-milter
#	E2E_MILTER_WORKER=build/tests/test-worker	# or build/cdr-worker
#	. tests/e2e/milter-conf.sh
#	e2e_milter_conf /tmp/mugaika-e2e/m1 mail.mode=sanitize milter.max_message_bytes=100K
#	e2e_milter_start /tmp/mugaika-e2e/m1
#	e2e_start /tmp/mugaika-e2e/pf "$(e2e_milter_socket /tmp/mugaika-e2e/m1)"
#	...
#	e2e_milter_stop /tmp/mugaika-e2e/m1
#
# A milter directory MDIR holds:
#	mugaika.conf	written by e2e_milter_conf
#	milter.sock	the unix socket (MDIR must be short: sun_path is 108 bytes)
#	milter.log	the milter's stderr (syslog = false), appended to
#	milter.pid	pid of the running milter
#	var/		quarantine/ and audit.jsonl; owned by nobody:nogroup
#			(when run as root)
#
# Started as root, the milter drops to nobody:nogroup ([milter] user, group),
# like the packaged one drops to mugaika; MDIR must therefore be traversable
# by nobody, and the build tree readable (it is).  Started by another user it
# runs as that user (run-miltertest.sh does not need root).
#
# Functions (all return non-zero on failure):
#	e2e_milter_conf MDIR [SECTION.KEY=VALUE ...]
#				write MDIR/mugaika.conf: test defaults (sanitize
#				mode, two workers, paths under MDIR, stderr
#				logging, nobody:nogroup) overridden/extended by
#				the arguments, e.g. mail.text_domains=a.lg.jp or
#				milter.socket=inet:PORT@127.0.0.1 (keys of the
#				sections limits, workers, names, csv, mail, milter,
#				av, ppap, release, web)
#	e2e_milter_start MDIR	start cdr-milter -f in the background with
#				MUGAIKA_WORKER=$E2E_MILTER_WORKER; wait until it
#				logs "ready on" (and a unix socket exists); sets
#				E2E_MILTER_PID
#	e2e_milter_pid MDIR	print the pid of MDIR's milter
#	e2e_milter_socket MDIR	print unix:MDIR/milter.sock (for e2e_start)
#	e2e_milter_hup MDIR	SIGHUP (reload) and wait until the log says
#				"configuration reloaded" once more
#	e2e_milter_stop MDIR	SIGTERM, wait for the exit (at most 15 s, then
#				SIGKILL); returns the milter's exit status
#	e2e_milter_kill MDIR	SIGKILL (a crashed milter), wait for the exit
#	e2e_milter_stop_all	stop every milter this shell started (for traps)
#
# Exit statuses of the milters can only be collected by the shell that
# started them (they are its children), so call these from one shell.

: "${E2E_MILTER_BIN:=}"
: "${E2E_MILTER_WORKER:=}"
E2E_MILTERS=()

# _e2e_alive and the Postfix side
declare -F e2e_start >/dev/null || . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

_e2e_mmsg() { printf 'e2e-milter: %s\n' "$*" >&2; }

e2e_milter_conf() {
	local dir=$1 arg key section k
	shift
	[ -n "$dir" ] || { _e2e_mmsg "usage: e2e_milter_conf MDIR [SECTION.KEY=VALUE ...]"; return 2; }
	mkdir -p "$dir/var" || return 1
	chmod 755 "$dir"
	chown nobody:nogroup "$dir/var" 2>/dev/null
	declare -A conf=(
		[workers.workers]=2
		[mail.mode]=sanitize
		[milter.socket]="unix:$dir/milter.sock"
		[milter.socket_mode]=0666
		[milter.pid_file]=
		[milter.quarantine_dir]="$dir/var/quarantine"
		[milter.audit_log]="$dir/var/audit.jsonl"
		[milter.syslog]=false
		[milter.user]=nobody
		[milter.group]=nogroup
		[milter.max_message_bytes]=50M
	)
	local order=(workers.workers mail.mode milter.socket milter.socket_mode milter.pid_file
		milter.quarantine_dir milter.audit_log milter.syslog milter.user milter.group
		milter.max_message_bytes)
	for arg in "$@"; do
		key=${arg%%=*}
		case "$arg" in
		limits.?*=*|workers.?*=*|names.?*=*|csv.?*=*|mail.?*=*|milter.?*=*|av.?*=*|ppap.?*=*|release.?*=*|web.?*=*) ;;
		*)
			_e2e_mmsg "e2e_milter_conf: '$arg' is not SECTION.KEY=VALUE" \
				"(SECTION: limits, workers, names, csv, mail, milter, av, ppap, release or web)"
			return 2 ;;
		esac
		[ -n "${conf[$key]+set}" ] || order+=("$key")
		conf[$key]=${arg#*=}
	done
	{
		echo "# written by tests/e2e/milter-conf.sh"
		for section in limits workers names csv mail milter av ppap release web; do
			local first=1
			for k in "${order[@]}"; do
				[ "${k%%.*}" = "$section" ] || continue
				if [ "$first" = 1 ]; then
					printf '[%s]\n' "$section"
					first=0
				fi
				printf '%s = %s\n' "${k#*.}" "${conf[$k]}"
			done
		done
	} > "$dir/mugaika.conf"
}

e2e_milter_socket() {
	echo "unix:$1/milter.sock"
}

e2e_milter_pid() {
	cat "$1/milter.pid" 2>/dev/null
}

e2e_milter_start() {
	local dir=$1 pid before i sock
	[ -x "$E2E_MILTER_BIN" ] || { _e2e_mmsg "E2E_MILTER_BIN not set or not executable"; return 1; }
	[ -f "$dir/mugaika.conf" ] || { _e2e_mmsg "no $dir/mugaika.conf"; return 1; }
	if ! "$E2E_MILTER_BIN" -n -c "$dir/mugaika.conf" >>"$dir/milter.log" 2>&1; then
		_e2e_mmsg "cdr-milter -n rejects $dir/mugaika.conf:"
		tail -3 "$dir/milter.log" >&2
		return 1
	fi
	before=$(grep -c "ready on" "$dir/milter.log" 2>/dev/null)
	sock=$(sed -n 's/^socket = //p' "$dir/mugaika.conf")
	MUGAIKA_WORKER=$E2E_MILTER_WORKER "$E2E_MILTER_BIN" -f -c "$dir/mugaika.conf" \
		</dev/null >>"$dir/milter.log" 2>&1 &
	pid=$!
	echo "$pid" > "$dir/milter.pid"
	E2E_MILTER_PID=$pid
	E2E_MILTERS+=("$dir")
	for i in $(seq 1 150); do
		if [ "$(grep -c "ready on" "$dir/milter.log" 2>/dev/null)" -gt "${before:-0}" ] &&
			{ [ "${sock#unix:}" = "$sock" ] || [ -S "${sock#unix:}" ]; }; then
			return 0
		fi
		_e2e_alive "$pid" || break
		sleep 0.1
	done
	_e2e_mmsg "cdr-milter in $dir did not start:"
	tail -5 "$dir/milter.log" >&2
	return 1
}

e2e_milter_hup() {
	local dir=$1 pid before i
	pid=$(e2e_milter_pid "$dir")
	_e2e_alive "$pid" || { _e2e_mmsg "no milter running in $dir"; return 1; }
	before=$(wc -l < "$dir/milter.log")
	kill -HUP "$pid" || return 1
	for i in $(seq 1 100); do
		case "$(tail -n +"$((before + 1))" "$dir/milter.log" |
			grep -o "configuration reloaded\|reload failed" | head -1)" in
		"configuration reloaded") return 0 ;;
		"reload failed") return 1 ;;
		esac
		sleep 0.1
	done
	_e2e_mmsg "milter in $dir did not reload within 10 s"
	return 1
}

# _e2e_milter_nudge MDIR: connect once to the socket.  libmilter's listener
# polls with a 5-second timeout and looks at the stop flag only when it
# wakes; a connection wakes it at once.
_e2e_milter_nudge() {
	/usr/bin/python3 - "$1/milter.sock" <<'EOF' 2>/dev/null
import socket, sys
try:
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(1)
    s.connect(sys.argv[1])
    s.close()
except OSError:
    pass
EOF
}

e2e_milter_stop() {
	local dir=$1 pid i rc
	pid=$(e2e_milter_pid "$dir")
	[ -n "$pid" ] || return 0
	if ! _e2e_alive "$pid"; then
		wait "$pid" 2>/dev/null
		rc=$?
		rm -f "$dir/milter.pid"
		return "$rc"
	fi
	kill -TERM "$pid" 2>/dev/null
	sleep 0.1
	_e2e_milter_nudge "$dir"
	for i in $(seq 1 150); do
		_e2e_alive "$pid" || break
		sleep 0.1
	done
	if _e2e_alive "$pid"; then
		_e2e_mmsg "milter in $dir ignored SIGTERM for 15 s: SIGKILL"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	rm -f "$dir/milter.pid"
	return "$rc"
}

e2e_milter_kill() {
	local dir=$1 pid
	pid=$(e2e_milter_pid "$dir")
	[ -n "$pid" ] || return 0
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$dir/milter.pid"
	return 0
}

e2e_milter_stop_all() {
	local d
	for d in "${E2E_MILTERS[@]}"; do
		[ -f "$d/milter.pid" ] && e2e_milter_stop "$d"
	done
	E2E_MILTERS=()
	return 0
}
