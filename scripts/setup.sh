#!/bin/bash
# setup.sh - install every Debian package mugaika's build, tests, demo and
# benchmarks need. Idempotent and non-interactive; run as root (or with sudo)
# on Debian 12. Does nothing when everything is already installed.
set -euo pipefail

PACKAGES=(
	# build
	build-essential meson ninja-build pkg-config
	libglib2.0-dev libjson-glib-dev libmagic-dev libmagic-mgc libseccomp-dev
	libjpeg-dev libpng-dev libgif-dev libssl-dev libxml2-dev libgmime-3.0-dev libytnef0-dev
	libqpdf-dev zlib1g-dev libarchive-dev libgsf-1-dev
	libtiff-dev libwebp-dev libheif-dev
	# the quarantine store (store/): its index and originals
	libsqlite3-dev
	# cdr-web (issue 15): libsoup 3's server, crypt(3)'s yescrypt, TLS for GIO
	libsoup-3.0-dev libcrypt-dev glib-networking
	# issue 17: PDF text for mail text mode's attachment excerpts
	libpoppler-glib-dev poppler-data
	# sanitizers and fuzzing (gcc's ASan/UBSan come with build-essential)
	clang libclang-rt-14-dev
	# tests: man page lint, independent readers, fixture generators
	mandoc python3 python3-pil file zip
	qpdf poppler-utils python3-pikepdf
	p7zip-full gcab zstd libarchive-tools
	python3-olefile libgsf-bin
	libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui
	# OpenDocument drawings (make_odf.py, the odf office-opens check)
	libreoffice-draw-nogui
	# Japanese fonts, so LibreOffice's rendering of a Japanese document has its text
	# (without them the office-opens check finds no 議事録 in the PDF)
	fonts-ipaexfont
	# the milter and its end-to-end tests through a real Postfix
	libmilter-dev postfix swaks miltertest
	# tests/e2e/test-ppap.sh kills the milter at a chosen step of a pairing:
	# gdb holds one thread at a breakpoint (non-stop) until the SIGKILL
	gdb
	# the virus scan ([av]): the tests start a private clamd with a test
	# database of their own (tests/clamd.sh); no freshclam run, no network
	clamav-daemon
	# cdr-web's tests: pages over HTTP(S) with curl (tests/web/), a test
	# certificate from openssl, and the pages in a headless Chromium driven
	# by selenium (tests/browser/, tests/e2e/test-web.sh)
	curl openssl chromium chromium-driver python3-selenium
	# benchmarks: peers and measurement
	mat2 libjpeg-turbo-progs time bc
	# the web console under 200 concurrent page loads (bench/web.sh)
	apache2-utils
	# issue 19's images: fixture makers, independent readers and benchmark peers
	libtiff-tools webp libheif-examples librsvg2-bin
	# the Debian package (debian/, scripts/test-package.sh): build, check,
	# and the maintainer scripts' adduser
	debhelper dpkg-dev lintian adduser
)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
echo "setup: installing ${missing[*]}" >&2
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# Postfix's package must not configure or start a system mail server: the
# tests run their own private instances.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
