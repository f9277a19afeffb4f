#!/bin/sh
#
# Failure throttling of authd/throttle.c: delays, bans, windows and
# the table's cap.

if [ -z "$IMD_BUILD" ]; then
	echo "1..0 # SKIP IMD_BUILD is not set: run under make check"
	exit 0
fi
exec "$IMD_BUILD/regress/authd/throttle_test"
