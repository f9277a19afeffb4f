#!/bin/sh
#
# Copyright (c) 2026 The imd Authors
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
#
# make demo: two federated domains with a real dnsmasq and OpenSMTPD run
# the scripted conversation of scripts/demo.  It must exit 0, say that
# each of its four steps worked, and leave neither its directory nor
# its smtpd behind.

if [ -z "$IMD_BUILD" ]; then
	echo "1..0 # SKIP IMD_BUILD is not set: run under make check"
	exit 0
fi
# The demo refuses to run without these; the test skips instead, as the
# other tests of OpenSMTPD do.
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP OpenSMTPD needs root"
	exit 0
fi
for exe in /usr/sbin/smtpd /usr/sbin/smtpctl /usr/sbin/dnsmasq; do
	if [ ! -x "$exe" ]; then
		echo "1..0 # SKIP $exe missing: run scripts/install-deps"
		exit 0
	fi
done
if /usr/sbin/smtpctl show status >/dev/null 2>&1; then
	echo "1..0 # SKIP an smtpd is running: its spool and control socket" \
	    "would be shared"
	exit 0
fi

. "$IMD_TOP/regress/lib/suite.sh"

make -s -C "$IMD_TOP" demo BUILD="$IMD_BUILD" > "$T/out" 2>&1
st=$?
sed 's/^/# /' "$T/out"
[ "$st" -eq 0 ]
ok $? "make demo exits 0 ($st)"
for i in 1 2 3 4; do
	grep -q "^  step $i worked$" "$T/out"
	ok $? "step $i worked: $(sed -n "s/^Step $i: //p" "$T/out")"
done
grep -q "^4 of 4 steps worked$" "$T/out"
ok $? "the summary says 4 of 4 steps worked"
dir=$(sed -n 's/^Starting two domains on loopback, in //p' "$T/out")
[ -n "$dir" ] && [ ! -e "$dir" ]
ok $? "its directory is removed (${dir:-none named})"
! /usr/sbin/smtpctl show status >/dev/null 2>&1
ok $? "its smtpd is stopped"

done_testing
