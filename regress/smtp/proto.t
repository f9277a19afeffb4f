#!/bin/sh
#
# The SMTP client of relayd (relayd/smtp.c) against a scripted peer on
# loopback: the exact bytes it writes, reply bounds, malformed replies,
# silence, hang-ups, argument checks, the cap on jobs, cancellation.
# smtp_test speaks TAP itself.

if [ -z "$IMD_BUILD" ]; then
	echo "1..0 # SKIP IMD_BUILD is not set: run under make check"
	exit 0
fi
exec "$IMD_BUILD/regress/smtp/smtp_test"
