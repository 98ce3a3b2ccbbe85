#!/bin/bash
# test.sh - the one command that runs every test on a fresh Debian 12 machine:
# installs packages, builds twice (normal, and AddressSanitizer+UBSan), runs
# the whole suite in both, and ends with "N passed, N failed".
#   scripts/test.sh            both builds
#   scripts/test.sh --quick    normal build only
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0
run_suite() { # NAME BUILDDIR MESON-OPTIONS...
	local name=$1 dir=$2
	shift 2
	echo "=== $name build ($dir)"
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || {
			cat "$dir.setup.log"; failed=$((failed + 1)); return; }
	fi
	if ! ninja -C "$dir" >"$dir.build.log" 2>&1; then
		cat "$dir.build.log"; failed=$((failed + 1)); return
	fi
	meson test -C "$dir" --print-errorlogs --num-processes 2 --no-rebuild
	# count meson's per-test results (each TAP test counts once)
	local json="$dir/meson-logs/testlog.json"
	local p f
	p=$(grep -c '"result": "OK"' "$json")
	f=$(grep -Ec '"result": "(FAIL|ERROR|TIMEOUT|UNEXPECTEDPASS)"' "$json")
	echo "=== $name: $p passed, $f failed"
	passed=$((passed + p)); failed=$((failed + f))
}

run_suite normal build --werror
if [ "${1:-}" != "--quick" ]; then
	run_suite asan build-asan --werror -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
