#!/bin/sh
#
# Unit tests of the offline queue and the offline message:
# offline_test speaks TAP itself.  Its environment lives under a
# directory removed here whatever happens.  The store logs to a file
# there; if the test dies before it can show the log, a sanitizer's
# report among it, it is shown here.

if [ -z "$IMD_BUILD" ]; then
	echo "1..0 # SKIP IMD_BUILD is not set: run under make check"
	exit 0
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/imd-offline.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
trap 'exit 1' HUP INT TERM
TMPDIR=$dir "$IMD_BUILD/regress/dirdb/offline_test"
rc=$?
if [ $rc -ne 0 ]; then
	for log in "$dir"/offline.*/test.log; do
		[ -f "$log" ] && sed 's/^/# /' "$log"
	done
fi
exit $rc
