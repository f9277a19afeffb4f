#!/bin/sh
#
# The RFC 4475 torture messages against the parser and the validation,
# one line per message, judged by expect.tsv beside them.

if [ -z "$IMD_BUILD" ] || [ -z "$IMD_TOP" ]; then
	echo "1..0 # SKIP IMD_BUILD or IMD_TOP is not set: run under make check"
	exit 0
fi
dir=$IMD_TOP/regress/sip/rfc4475
if [ ! -f "$dir/expect.tsv" ]; then
	echo "1..1"
	echo "not ok 1 - no torture messages in $dir"
	exit 1
fi
exec "$IMD_BUILD/regress/sip/sip_torture" expect "$dir"
