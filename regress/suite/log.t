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
# imctl log verbose | brief on a running suite started without -v: the
# parent's debug lines (a control client) and a child's (dirdb's after a
# REGISTER) appear after "verbose" and stop after "brief".

. "$IMD_TOP/regress/lib/suite.sh"

PORT=25902
write_conf "$T/relayd.conf" site1.test 127.0.0.1 $PORT
start_suite "$T/relayd.conf"
ok $? "the suite starts without -v"
echo pw | "$IMCTL" -s "$T/imd.sock" user add a@site1.test
ok $? "a user is added"

# register: one REGISTER of a@site1.test over UDP, answered or not.
register() {
	python3 - "$PORT" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import UA
r = UA(("127.0.0.1", int(sys.argv[1]))).register("a", "site1.test", "pw")
sys.exit(0 if r["status"] == 200 else 1)
PY
}

# debug_lines: how many debug lines of the parent and of dirdb so far.
debug_lines() {
	grep -c -e '^parent: control: client [0-9]* connected' \
	    -e '^dirdb: location: a@site1.test: ' "$T/imd.log"
}

register
ok $? "a registers"
[ "$(debug_lines)" -eq 0 ]
ok $? "brief by default: no debug line"

"$IMCTL" -s "$T/imd.sock" log verbose > "$T/out" 2>&1
ok $? "imctl log verbose exits 0"
[ ! -s "$T/out" ]
ok $? "imctl log verbose prints nothing"
grep -q '^parent: control: log verbose$' "$T/imd.log"
ok $? "the parent logs the change"
register
ok $? "a registers again"
sleep 0.2
grep -q '^dirdb: location: a@site1.test: 1 contact(s) updated' "$T/imd.log"
ok $? "verbose: dirdb's debug line after a REGISTER"
"$IMCTL" -s "$T/imd.sock" show status > /dev/null
grep -q '^parent: control: client [0-9]* connected' "$T/imd.log"
ok $? "verbose: the parent's debug line for a control client"

"$IMCTL" -s "$T/imd.sock" log brief
ok $? "imctl log brief exits 0"
before=$(debug_lines)
register
ok $? "a registers after brief"
"$IMCTL" -s "$T/imd.sock" show status > /dev/null
sleep 0.2
[ "$(debug_lines)" -eq "$before" ]
ok $? "brief: no new debug line from the parent or dirdb"

"$IMCTL" -s "$T/imd.sock" log loud 2> "$T/err"
[ $? -eq 2 ] && grep -q '^usage: imctl' "$T/err"
ok $? "imctl log loud: usage, exit 2"

kill -TERM "$IMD_PID"
wait "$IMD_PID"
ok $? "the suite stops cleanly"

done_testing
