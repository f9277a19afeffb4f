#!/bin/sh
#
# Unit tests of lib/sip_*.c: sip_test speaks TAP itself.

if [ -z "$IMD_BUILD" ]; then
	echo "1..0 # SKIP IMD_BUILD is not set: run under make check"
	exit 0
fi
exec "$IMD_BUILD/regress/sip/sip_test"
