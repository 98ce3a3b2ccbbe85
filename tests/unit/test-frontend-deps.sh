#!/bin/bash
# test-frontend-deps - the front ends contain no parser: cdr-file, cdr-milter
# and cdr-quarantine must not need any parser or format library (only the
# sandboxed cdr-worker does). Reads the programs' ELF NEEDED entries; the
# worker is checked the other way round, so that the test cannot pass by
# reading nothing.
# Usage: test-frontend-deps.sh WORKER FRONT-END...        Output: TAP
set -u
worker=$1
shift
parsers='libqpdf|libgsf|libarchive|libxml2|libgmime|libjpeg|libpng|libgif|libytnef|libmagic|libtiff|libwebp|libheif|libpoppler'
n=0 failed=0
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
for prog in "$@"; do
	n=$((n + 1))
	bad=$(needed "$prog" | grep -E "^($parsers)[.-]" | tr '\n' ' ')
	if [ -z "$(needed "$prog")" ]; then
		echo "not ok $n - $(basename "$prog"): no NEEDED entries read"; failed=$((failed + 1))
	elif [ -n "$bad" ]; then
		echo "not ok $n - $(basename "$prog") needs parser libraries: $bad"; failed=$((failed + 1))
	else
		echo "ok $n - $(basename "$prog") needs no parser library ($(needed "$prog" | wc -l) libraries)"
	fi
done
n=$((n + 1))
if needed "$worker" | grep -Eq "^libqpdf[.-]"; then
	echo "ok $n - $(basename "$worker") does need them (libqpdf among its NEEDED)"
else
	echo "not ok $n - $(basename "$worker"): libqpdf not among its NEEDED: the check reads nothing"
	failed=$((failed + 1))
fi
echo "1..$n"
[ "$failed" = 0 ]
