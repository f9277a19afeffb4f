#!/bin/sh
#
# Tests of dirdb's presence requests: presence_test speaks TAP itself.
# Its environment lives under a directory removed here whatever
# happens; the store's log there is shown if the test fails.

if [ -z "$IMD_BUILD" ]; then
	echo "1..0 # SKIP IMD_BUILD is not set: run under make check"
	exit 0
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/imd-presence.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
trap 'exit 1' HUP INT TERM
TMPDIR=$dir "$IMD_BUILD/regress/dirdb/presence_test"
rc=$?
if [ $rc -ne 0 ]; then
	for log in "$dir"/presence.*/test.log; do
		[ -f "$log" ] && sed 's/^/# /' "$log"
	done
fi
exit $rc
