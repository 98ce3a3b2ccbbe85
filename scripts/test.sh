#!/bin/bash
# test.sh - the one command that runs every test on a fresh Debian 12 machine:
# installs packages, builds twice (normal, and AddressSanitizer+UBSan), runs
# the whole suite in both, builds, installs and purges the Debian package
# (scripts/test-package.sh), and ends with "N passed, N failed".
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
# The Debian package: each TAP point counts once (a SKIP counts neither way).
echo "=== package (scripts/test-package.sh)"
package_log=$(mktemp)
scripts/test-package.sh | tee "$package_log"
package_status=${PIPESTATUS[0]}
p=$(($(grep -Ec '^ok [0-9]+ ' "$package_log") - $(grep -Ec '^ok [0-9]+ .*# SKIP' "$package_log")))
f=$(grep -Ec '^not ok ' "$package_log")
rm -f "$package_log"
if [ "$package_status" != 0 ] && [ "$f" = 0 ]; then
	f=1 # it stopped without saying which point failed
fi
echo "=== package: $p passed, $f failed"
passed=$((passed + p)); failed=$((failed + f))

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
