#!/bin/sh
# The README's first command brings up a suite that imctl reports
# healthy, with a first user.  Run in a temporary directory and port.

. "$IMD_TOP/regress/lib/suite.sh"

IMD_RUNDIR="$T/run" IMD_PORT=25180 IMD_WEB_PORT=25181 \
    sh "$IMD_TOP/scripts/quickstart" > "$T/out" 2>&1
ok $? "scripts/quickstart succeeds"
IMD_PID=$(cat "$T/run/imd.pid" 2>/dev/null)
SUITE_PIDS="$SUITE_PIDS $IMD_PID"
"$IMD_TOP/build/bin/imctl" -s "$T/run/imd.sock" show status > "$T/status"
ok $? "imctl show status answers"
# Five children and one listener worker per core, each ready (under a
# header and the parent).
[ "$(grep -c ready "$T/status")" -ge 6 ] &&
    [ "$(grep -c ready "$T/status")" -eq "$(($(wc -l < "$T/status") - 2))" ]
ok $? "every child is ready"
"$IMD_TOP/build/bin/imctl" -s "$T/run/imd.sock" user list |
    grep -q '^alice@example.org '
ok $? "the first user alice@example.org exists"
[ "$(stat -c %a "$T/run/alice.password")" = 600 ]
ok $? "her password file is private"
grep -q "web client:  http://127.0.0.1:25181/" "$T/out"
ok $? "it says where the web client is"
python3 -c 'import urllib.request as u
page = u.urlopen("http://127.0.0.1:25181/").read()
assert b"<title>imd</title>" in page
assert len(u.urlopen("http://127.0.0.1:25181/app.js").read()) > 10000'
ok $? "and serves it there: the page and its script"
IMD_RUNDIR="$T/run" IMD_PORT=25180 IMD_WEB_PORT=25181 \
    sh "$IMD_TOP/scripts/quickstart" |
    grep -q "already running"
ok $? "a second run says it is already running"
kill -TERM "$IMD_PID"
wait_gone "$IMD_PID" 3
ok $? "the suite stops on SIGTERM"

done_testing
