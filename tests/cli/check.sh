# tests/cli/check.sh - TAP helpers of the cdr-file tests (source from bash;
# set T to a scratch directory and CDR_FILE to the program first)
#	check DESCRIPTION COMMAND...	ok when COMMAND succeeds
#	run ARGS...			cdr-file ARGS, output in $T/stdout and
#					$T/stderr, exit status by status()
# n counts the tests, failed the failures.
n=0 failed=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
not_ok() { n=$((n+1)); failed=$((failed+1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { local desc=$1; shift; if "$@"; then ok "$desc"; else not_ok "$desc" "command: $*"; fi; }
run() { "$CDR_FILE" "$@" >"$T/stdout" 2>"$T/stderr"; echo $? >"$T/status"; }
status() { cat "$T/status"; }
