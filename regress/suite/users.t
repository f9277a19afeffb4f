#!/bin/sh
# Users through imctl against the real suite and the real Berkeley DB:
# add, list, passwd, del, every refusal with its message and exit code,
# persistence across restarts, durability across kill -9 of dirdb, and
# no plaintext password in the database files.

. "$IMD_TOP/regress/lib/suite.sh"

PORT=25170
write_conf "$T/relayd.conf" site1.test 127.0.0.1 $PORT \
    'domain "site2.test" realm "other realm"'
start_suite "$T/relayd.conf"
ok $? "the suite starts"
ctl() { "$IMCTL" -s "$T/imd.sock" "$@"; }

PW="correct-horse-$$"
echo "$PW" | ctl user add alice@site1.test
ok $? "user add alice@site1.test"
echo "pw2-$$" | ctl user add Bob@Site2.Test
ok $? "user add Bob@Site2.Test"

ctl user list > "$T/list"
grep -q "^alice@site1.test " "$T/list" && grep -q "^bob@site2.test " "$T/list"
ok $? "user list shows both, addresses in lower case"

echo x | ctl user add alice@site1.test 2> "$T/err"
[ $? -eq 3 ] && grep -q "user exists: alice@site1.test" "$T/err"
ok $? "a duplicate add: 'user exists', exit 3"

echo x | ctl user add ALICE@site1.test 2> "$T/err"
[ $? -eq 3 ]
ok $? "a duplicate in another case is a duplicate"

echo x | ctl user add carol@nowhere.test 2> "$T/err"
[ $? -eq 6 ] && grep -q "unknown domain: nowhere.test" "$T/err"
ok $? "a domain we do not serve: 'unknown domain', exit 6"

echo x | ctl user add 'not an address' 2> "$T/err"
[ $? -eq 5 ] && grep -q "malformed address" "$T/err"
ok $? "a malformed address: exit 5"

ctl user del nobody@site1.test 2> "$T/err"
[ $? -eq 4 ] && grep -q "no such user: nobody@site1.test" "$T/err"
ok $? "deleting a user that is not there: 'no such user', exit 4"

echo x | ctl user passwd nobody@site1.test 2> "$T/err"
[ $? -eq 4 ]
ok $? "passwd of a user that is not there: exit 4"

echo "new-$$" | ctl user passwd bob@site2.test
ok $? "user passwd bob@site2.test"

ctl user del bob@site2.test
ok $? "user del bob@site2.test"
ctl user list | grep -q "^bob@"
[ $? -ne 0 ]
ok $? "bob is gone from the list"

"$IMD_BUILD/regress/imctl/imctl-v999" -s "$T/imd.sock" user list \
    2> "$T/err"
[ $? -ne 0 ] && grep -q "version mismatch" "$T/err"
ok $? "an imctl of another catalogue version is refused with a message"

# The files hold HA1 values, never the password.
if grep -rqa -- "$PW" "$T/db"; then r=1; else r=0; fi
ok $r "no plaintext password in the database files"
ha1=$(printf 'alice:site1.test:%s' "$PW" | md5sum | cut -d' ' -f1)
grep -rqa "$ha1" "$T/db"
ok $? "the MD5 HA1 of alice:site1.test is what is stored"

# A restart keeps the users.
kill -TERM "$IMD_PID"; wait "$IMD_PID"
start_suite "$T/relayd.conf"
ctl user list | grep -q "^alice@site1.test "
ok $? "alice survives a restart"

# Committed before the answer: kill -9 dirdb right after the add.
echo "pw3" | ctl user add dave@site1.test
r=$?
kill -KILL "$(child_pid "$IMD_PID" dirdb)"
ok $r "user add dave returned success"
wait "$IMD_PID"
start_suite "$T/relayd.conf"
ok $? "the suite starts again, with recovery"
ctl user list | grep -q "^dave@site1.test "
ok $? "dave is there after kill -9 of dirdb"

kill -TERM "$IMD_PID"; wait "$IMD_PID"
"$IMCTL" -s "$T/imd.sock" show status 2> "$T/err"
[ $? -eq 1 ] && grep -q "not running" "$T/err"
ok $? "imctl with no daemon: 'not running', exit 1"

done_testing
