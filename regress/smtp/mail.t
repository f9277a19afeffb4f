#!/bin/sh
#
# The mail that stands in for an offline message (relayd/mail.c): headers,
# the Korean text round trip through base64, long lines, RFC 2047
# Subjects, what is not text, overflow, bad fields, UTF-8 validation.
# mail_test speaks TAP itself.

if [ -z "$IMD_BUILD" ]; then
	echo "1..0 # SKIP IMD_BUILD is not set: run under make check"
	exit 0
fi
exec "$IMD_BUILD/regress/smtp/mail_test"
