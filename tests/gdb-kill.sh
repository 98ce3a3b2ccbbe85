# tests/gdb-kill.sh - kill a running process with SIGKILL while one of its
# threads is at a chosen function (sourced by bash test scripts:
# tests/e2e/test-ppap.sh, tests/web/test-server.sh)
#
# gdb attaches in non-stop mode with a breakpoint on FUNCTION, so only
# the thread that reaches it stops there while the rest of the process
# answers on; the test drives the process to that point, then kills it
# (kill -KILL) from outside with that thread still stopped. No hook in
# the program: the same binary as in production. Attaching to another
# user's process needs root (the e2e scripts and cdr-web's tests run as
# root; cdr-web drops to nobody).
#
#	. "$SRC/tests/gdb-kill.sh"
#	if [ -z "$HAVE_GDB" ]; then fail_without_gdb "what was tested"; else
#	gdb_kill_arm "$PID" release_deliver "$DIR" && ...drive it... &&
#		gdb_kill_at_breakpoint "$PID" "$DIR" || st=1
#
# The caller's tap.sh gives ok STATUS DESCRIPTION. gdb reads its commands
# from the fifo DIR/gdb.cmd on file descriptor 7 (so that its event loop
# runs while it waits); its output is DIR/gdb.out.
#
# Functions:
#	fail_without_gdb DESCRIPTION	the next test, failed for want of gdb (a
#				missing package is a missing install step, not
#				a reason to pass)
#	gdb_kill_arm PID FUNCTION DIR	gdb in the background, attached to
#				PID, breakpoint set, every thread running again;
#				FALSE (and why) when it did not attach
#	gdb_kill_at_breakpoint PID DIR	once a thread is at the breakpoint
#				(30 s at most), SIGKILL PID and end gdb; FALSE
#				(and why) when the breakpoint was not reached
#				(PID is killed all the same)
#	gdb_kill_end		gdb stopped if it still runs (for the caller's
#				cleanup, and an arm that failed)

HAVE_GDB=$(command -v gdb)
GDB_KILL_PID=

fail_without_gdb() {
	ok 1 "$1: needs gdb (scripts/setup.sh installs it)"
}

gdb_kill_arm() {
	local pid=$1 fn=$2 dir=$3 i
	rm -f "$dir/gdb.out" "$dir/gdb.cmd"
	mkfifo "$dir/gdb.cmd"
	gdb -q -nx -ex 'set non-stop on' -ex 'set pagination off' -ex 'set confirm off' \
		-ex "attach $pid" -ex "break $fn" -ex 'continue -a &' \
		<"$dir/gdb.cmd" >"$dir/gdb.out" 2>&1 &
	GDB_KILL_PID=$!
	exec 7>"$dir/gdb.cmd"
	for i in $(seq 1 200); do
		grep -q "^Breakpoint 1 at" "$dir/gdb.out" && grep -q "Continuing" "$dir/gdb.out" && break
		sleep 0.1
	done
	# in non-stop mode a thread the attach stopped late needs a second "continue"
	sleep 1
	echo 'continue -a &' >&7
	sleep 0.5
	grep -q "^Breakpoint 1 at" "$dir/gdb.out" && return 0
	echo "#   gdb did not attach: $(tail -3 "$dir/gdb.out")"
	gdb_kill_end
	return 1
}

gdb_kill_end() {
	[ -n "$GDB_KILL_PID" ] || return 0
	echo quit >&7 2>/dev/null
	exec 7>&-
	sleep 0.5
	kill "$GDB_KILL_PID" 2>/dev/null
	wait "$GDB_KILL_PID" 2>/dev/null
	GDB_KILL_PID=
}

gdb_kill_at_breakpoint() {
	local pid=$1 dir=$2 i hit=1
	for i in $(seq 1 300); do
		grep -q "hit Breakpoint 1" "$dir/gdb.out" && { hit=0; break; }
		sleep 0.1
	done
	kill -KILL "$pid"
	sleep 0.5
	gdb_kill_end
	[ "$hit" = 0 ] || echo "#   the breakpoint was not reached: $(tail -3 "$dir/gdb.out")"
	return "$hit"
}
