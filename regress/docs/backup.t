#!/bin/sh
# The backup and restore of docs/federation.md, on a real suite: a hot
# backup of the environment while imd runs, the suite stopped, the copy
# recovered into a new database directory, and a suite started on it
# sees the users.  The commands are those of Debian's db5.3-util, or the
# unversioned names where those are installed.

. "$IMD_TOP/regress/lib/suite.sh"

HOTBACKUP=$(command -v db5.3_hotbackup || command -v db_hotbackup)
RECOVER=$(command -v db5.3_recover || command -v db_recover)
if [ -z "$HOTBACKUP" ] || [ -z "$RECOVER" ]; then
	echo "1..0 # SKIP db_hotbackup or db_recover missing (db5.3-util)"
	exit 0
fi

PORT=25950
write_conf "$T/relayd.conf" site1.test 127.0.0.1 $PORT
start_suite "$T/relayd.conf"
ok $? "the suite starts"
ctl() { "$IMCTL" -s "$T/imd.sock" "$@"; }
echo "pw-a-$$" | ctl user add alice@site1.test &&
    echo "pw-b-$$" | ctl user add bob@site1.test
ok $? "two users added"
[ -f "$T/db/env/users.db" ]
ok $? "the environment is the subdirectory env of the database directory"

mkdir "$T/backup"
"$HOTBACKUP" -h "$T/db/env" -b "$T/backup" > "$T/hotbackup.log" 2>&1
ok $? "db_hotbackup -h DATABASE/env -b BACKUPDIR while the suite runs"
[ -f "$T/backup/users.db" ] && ls "$T/backup"/log.* >/dev/null 2>&1
ok $? "the backup holds the databases and the log"

# A change after the backup must not be in the restored copy.
echo "pw-c-$$" | ctl user add carol@site1.test
ok $? "a third user added after the backup"

kill -TERM "$IMD_PID"
wait_gone "$IMD_PID" 10
ok $? "imd stops on SIGTERM"

# Restore into a new database directory: DIR/env is the backup, recovered.
R="$T/restored"
mkdir -p "$R"
cp -Rp "$T/backup" "$R/env"
"$RECOVER" -c -h "$R/env" > "$T/recover.log" 2>&1
ok $? "db_recover -c -h NEWDIR/env"
if [ "$(id -u)" -eq 0 ]; then
	chown -R "$TEST_USER" "$R/env" && chmod 700 "$R/env"
	ok $? "the restored environment given to the user imd runs as"
fi

sed "s|^database .*|database \"$R\"|" "$T/relayd.conf" > "$T/restored.conf"
start_suite "$T/restored.conf"
ok $? "the suite starts on the restored directory"
ctl user list > "$T/list"
grep -q '^alice@site1.test ' "$T/list" && grep -q '^bob@site1.test ' "$T/list"
ok $? "the restored suite sees the users of the backup"
! grep -q '^carol@site1.test ' "$T/list"
ok $? "and not the user added after it"
echo "pw-a-$$" | ctl user passwd alice@site1.test
ok $? "the restored database takes writes"

done_testing
