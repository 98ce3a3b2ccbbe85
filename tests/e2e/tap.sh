# tests/e2e/tap.sh - TAP output for the e2e scripts (smoke-postfix.sh,
# test-milter.sh, run-miltertest.sh); source it from bash:
#
#	. "$HERE/tap.sh"
#	echo "1..3"
#	ok "$st" "what was tested"	# ok 1 - ... / not ok 1 - ...
#	...
#	[ "$FAILED" -eq 0 ]
#
# Sets NUM (tests run so far) and FAILED (how many of them failed) to 0.
#
# Functions:
#	skip REASON		print "1..0 # SKIP REASON" and exit 0 (the whole
#				script is skipped: call it before the plan)
#	bail REASON		print "Bail out! REASON" and exit 1 (a failure)
#	need PROGRAM...		bail unless each runs: scripts/setup.sh installs
#				them all, so a missing one is a failure (a skip
#				would hide a missing install step)
#	ok STATUS DESCRIPTION	the next test: "ok NUM - DESCRIPTION" if STATUS
#				is 0, else "not ok NUM - DESCRIPTION", counted in
#				FAILED
#	diag [TEXT...]		each TEXT (without arguments: each line of
#				stdin) as a comment line "# TEXT"
#	indent			each line of stdin as "#   LINE" (details under
#				a diag line)
#	now			the time, for elapsed: date +%s.%N
#	elapsed START		seconds since START (from now), 2 decimals

NUM=0
FAILED=0

skip() {
	echo "1..0 # SKIP $*"
	exit 0
}

bail() {
	echo "Bail out! $*"
	exit 1
}

need() {
	local p
	for p; do
		command -v "$p" >/dev/null 2>&1 || bail "needs $p (scripts/setup.sh installs it)"
	done
}

ok() {
	NUM=$((NUM + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $NUM - $2"
	else
		echo "not ok $NUM - $2"
		FAILED=$((FAILED + 1))
	fi
}

diag() {
	if [ "$#" -gt 0 ]; then
		printf '%s\n' "$@"
	else
		cat
	fi | sed 's/^/# /'
}

indent() { sed 's/^/#   /'; }

now() { date +%s.%N; }

elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
