#!/bin/sh
#
# Non-INVITE client transactions (RFC 3261 17.1.2) over UDP on loopback:
# retransmission schedule, Timer F, Timer K, matching, cancel, the cap.
# txc_test speaks TAP itself.

if [ -z "$IMD_BUILD" ]; then
	echo "1..0 # SKIP IMD_BUILD is not set: run under make check"
	exit 0
fi
exec "$IMD_BUILD/regress/txc/txc_test"
