#!/bin/bash
# test-package.sh - the Debian package as an integrator gets it: build the
# .deb from a copy of the tree (DEB_BUILD_OPTIONS=nocheck: the suite has run
# already), check it with lintian, install it with dpkg -i, run the installed
# cdr-file and cdr-milter (the installed worker in /usr/libexec/mugaika), then
# dpkg --purge it and check that the mugaika user, its group and its
# directories are gone. TAP on standard output; exit 0 only when every point
# is ok. Needs root. The package is purged even when a step fails; nothing is
# done when mugaika is already installed or a mugaika user already exists (the
# machine is left as it was found).
#   scripts/test-package.sh
set -uo pipefail
cd "$(dirname "$0")/.."
src=$PWD

n=0 failures=0
ok() { # DESCRIPTION
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() { # DESCRIPTION [DIAGNOSTIC-FILE]
	n=$((n + 1))
	failures=$((failures + 1))
	echo "not ok $n - $1"
	if [ -n "${2:-}" ] && [ -s "$2" ]; then
		tail -n 40 "$2" | sed 's/^/# /'
	fi
}
check() { # DESCRIPTION COMMAND... : a point from a command's status
	local what=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then ok "$what"; else not_ok "$what" "$tmp/out"; fi
}
skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

[ "$(id -u)" = 0 ] || skip_all "needs root (dpkg -i)"
command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
	skip_all "needs dpkg-dev and debhelper (scripts/setup.sh)"
dpkg-query -W -f='${Status}' mugaika 2>/dev/null | grep -q "installed" &&
	skip_all "the mugaika package is installed here already: not touched"
getent passwd mugaika >/dev/null || getent group mugaika >/dev/null &&
	skip_all "a mugaika user or group exists here already: not touched"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mugaika-package.XXXXXX")
installed=0
cleanup() {
	if [ "$installed" = 1 ]; then
		dpkg --purge mugaika >"$tmp/purge-on-exit.log" 2>&1 ||
			cat "$tmp/purge-on-exit.log" >&2
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "1..12"

# 1. Build from a copy of the tracked files (with uncommitted changes to
# them: git stash create), so that neither build/ nor ../*.deb touch the tree.
mkdir "$tmp/src"
rev=$(git -C "$src" stash create 2>/dev/null)
if git -C "$src" archive "${rev:-HEAD}" | tar -x -C "$tmp/src" &&
	(cd "$tmp/src" && DEB_BUILD_OPTIONS=nocheck nice dpkg-buildpackage -us -uc -b) \
		>"$tmp/build.log" 2>&1; then
	ok "dpkg-buildpackage builds the package"
else
	not_ok "dpkg-buildpackage builds the package" "$tmp/build.log"
fi
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
deb="$tmp/mugaika_${version}_$(dpkg --print-architecture).deb"

# 2. lintian: no errors (warnings are listed, not failed).
if ! command -v lintian >/dev/null; then
	ok "lintian reports no errors # SKIP lintian is not installed"
elif [ ! -f "$deb" ]; then
	not_ok "lintian reports no errors (no package built)"
else
	lintian "$deb" >"$tmp/lintian.log" 2>&1
	sed -n 's/^\([EW]\): /# lintian \1: /p' "$tmp/lintian.log"
	if grep -q '^E: ' "$tmp/lintian.log"; then
		not_ok "lintian reports no errors"
	else
		ok "lintian reports no errors"
	fi
fi

# 3. Install. Where systemd is not PID 1 (containers) the maintainer
# scripts must work all the same.
if [ -f "$deb" ] && dpkg -i "$deb" >"$tmp/install.log" 2>&1; then
	installed=1
	ok "dpkg -i installs $(basename "$deb")"
else
	dpkg-query -W mugaika >/dev/null 2>&1 && installed=1
	not_ok "dpkg -i installs mugaika" "$tmp/install.log"
fi

# 4. The user and the directories mugaika.conf names, owned by it.
dirs_owned() {
	getent passwd mugaika && getent group mugaika || return 1
	local d
	for d in /var/lib/mugaika/quarantine /var/log/mugaika; do
		[ "$(stat -c %U:%G "$d")" = mugaika:mugaika ] || { echo "$d: not mugaika's"; return 1; }
	done
	[ -f /etc/mugaika/mugaika.conf ] || { echo "no /etc/mugaika/mugaika.conf"; return 1; }
	dpkg-query -W -f='${Conffiles}' mugaika | grep -q ' /etc/mugaika/mugaika.conf ' ||
		{ echo "mugaika.conf is not a conffile"; return 1; }
}
check "postinst made the mugaika user and its directories; mugaika.conf is a conffile" dirs_owned

# 5, 6. The installed front ends, run from outside the tree.
cd "$tmp"
version_ok() {
	local v
	v=$(env -u MUGAIKA_WORKER /usr/bin/cdr-file --version) || return 1
	echo "$v"
	[ "$v" = "cdr-file (mugaika) ${version%%-*}" ]
}
check "cdr-file --version names the package's version" version_ok
check "cdr-milter -n -c /etc/mugaika/mugaika.conf accepts the installed configuration" \
	/usr/sbin/cdr-milter -n -c /etc/mugaika/mugaika.conf
check "cdr-web -n accepts the installed configuration (postinst made its link key)" \
	/usr/sbin/cdr-web -n -c /etc/mugaika/mugaika.conf
web_files_ok() {
	[ -f /usr/share/mugaika/web/templates/staff.html ] &&
		[ -f /usr/share/mugaika/web/static/style.css ] &&
		{ [ -f /lib/systemd/system/cdr-web.service ] ||
			[ -f /usr/lib/systemd/system/cdr-web.service ]; }
}
check "cdr-web's templates, style sheet and systemd unit are installed" web_files_ok

# 7. The bundled samples with the installed worker: some files are blocked
# (exit 1), each file has one record, none failed for want of a worker, and
# the clean tree holds exactly the clean and sanitized files.
samples_ok() {
	mkdir -p "$tmp/samples"
	env -u MUGAIKA_WORKER /usr/bin/cdr-file "$src/fixtures/samples" -o "$tmp/samples/clean" \
		--report "$tmp/samples/report.jsonl"
	local status=$?
	[ "$status" = 1 ] || { echo "exit status $status, want 1 (some samples are blocked)"; return 1; }
	/usr/bin/python3 - "$src/fixtures/samples" "$tmp/samples" <<'PY'
import json, os, sys
samples, out = sys.argv[1], sys.argv[2]
inputs = sum(len(files) for _, _, files in os.walk(samples))
recs = [json.loads(line) for line in open(os.path.join(out, "report.jsonl"), encoding="utf-8")]
outputs = sum(len(files) for _, _, files in os.walk(os.path.join(out, "clean")))
kept = [r for r in recs if r["verdict"] in ("clean", "sanitized")]
blocked = [r for r in recs if r["verdict"] == "blocked"]
problems = []
if len(recs) != inputs:
    problems.append("%d records for %d files" % (len(recs), inputs))
if len(kept) + len(blocked) != len(recs):
    problems.append("verdicts %s" % sorted({r["verdict"] for r in recs}))
if not kept or not blocked:
    problems.append("%d kept, %d blocked: want both" % (len(kept), len(blocked)))
if outputs != len(kept):
    problems.append("%d files in the clean tree for %d kept" % (outputs, len(kept)))
for r in blocked:
    if r.get("error") in ("worker", "crash", "timeout", "internal", "sandbox"):
        problems.append("%s: %s" % (r["name"], r.get("reason")))
print("%d files: %d kept, %d blocked" % (inputs, len(kept), len(blocked)))
if problems:
    sys.exit("; ".join(problems))
PY
}
check "cdr-file cleans fixtures/samples with the installed worker" samples_ok

# 8. The worker the installed front end starts is /usr/libexec/mugaika's
# (the path meson compiled in), not one found elsewhere.
worker_path_ok() {
	local w=/usr/libexec/mugaika/cdr-worker status
	[ -x "$w" ] || { echo "no $w"; return 1; }
	mv "$w" "$w.moved"
	printf 'hello\n' | env -u MUGAIKA_WORKER /usr/bin/cdr-file -c -n a.txt >/dev/null 2>"$tmp/err"
	status=$?
	mv "$w.moved" "$w"
	cat "$tmp/err"
	[ "$status" = 2 ] && grep -qF "$w" "$tmp/err" || return 1
	[ "$(printf 'hello\n' | env -u MUGAIKA_WORKER /usr/bin/cdr-file -c -n a.txt)" = hello ]
}
check "cdr-file starts the worker from /usr/libexec/mugaika" worker_path_ok

# 9, 10. Purge, and nothing of the package is left.
uid=$(id -u mugaika 2>/dev/null)
if [ "$installed" = 1 ] && dpkg --purge mugaika >"$tmp/purge.log" 2>&1; then
	installed=0
	ok "dpkg --purge mugaika"
else
	not_ok "dpkg --purge mugaika" "$tmp/purge.log"
fi
purged() {
	local gone=1 p
	! dpkg-query -W mugaika 2>/dev/null || { echo "package still known to dpkg"; gone=0; }
	! getent passwd mugaika || gone=0
	! getent group mugaika || gone=0
	for p in /etc/mugaika /usr/libexec/mugaika /var/lib/mugaika /var/log/mugaika \
		/var/spool/postfix/mugaika /run/mugaika; do
		[ ! -e "$p" ] || { echo "$p is left"; gone=0; }
	done
	if [ -n "$uid" ] && [ -n "$(find /etc /var /run -xdev -uid "$uid" -print -quit 2>/dev/null)" ]; then
		echo "files of uid $uid are left:"
		find /etc /var /run -xdev -uid "$uid" 2>/dev/null | head
		gone=0
	fi
	[ "$gone" = 1 ]
}
check "purge removed the mugaika user, group and directories" purged

exit $((failures > 0))
