#!/bin/sh
#
# Presence documents and watcher information (lib/pidf.c,
# listener/winfo.c):
# valid PIDF with RPID, our media extension and unknown namespaces, the
# entity, malformed XML, DOCTYPE and entity attacks, the depth and tuple
# limits, compose and its C14N round trip, direct mode, watcherinfo and
# its escaping, and the seed corpus.  pidf_test speaks TAP itself.

if [ -z "$IMD_BUILD" ] || [ -z "$IMD_TOP" ]; then
	echo "1..0 # SKIP IMD_BUILD or IMD_TOP is not set: run under make check"
	exit 0
fi
exec "$IMD_BUILD/regress/presence/pidf_test" \
    "$IMD_TOP/regress/presence/corpus"
