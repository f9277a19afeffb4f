#!/bin/sh
# The process tree: seven processes with their titles; as root each child
# jailed, unprivileged and under seccomp; a child's death ends the suite
# within 2 s with no process left; SIGHUP with a broken file keeps it up;
# SIGTERM stops it cleanly.

. "$IMD_TOP/regress/lib/suite.sh"

PORT=25160
write_conf "$T/relayd.conf" site1.test 127.0.0.1 $PORT

start_suite "$T/relayd.conf"
ok $? "the suite starts and answers imctl"

for c in listener relayd authd dirdb metricsd xmppd; do
	pid=$(child_pid "$IMD_PID" "$c")
	[ -n "$pid" ]; ok $? "child $c runs as 'imd: $c'"
done

if [ "$(id -u)" -eq 0 ]; then
	uid=$(id -u "$TEST_USER")
	# Every listener worker, then the others.
	for pid in $(child_pids "$IMD_PID" listener) relayd authd dirdb \
	    metricsd xmppd; do
		c=$pid
		case $pid in
		[0-9]*)	c=listener;;
		*)	pid=$(child_pid "$IMD_PID" "$c");;
		esac
		jail="$T/empty"
		[ "$c" = dirdb ] && jail="$T/db"
		u=$(awk '/^Uid:/ { print $2 $3 $4 $5 }' /proc/$pid/status)
		[ "$u" = "$uid$uid$uid$uid" ]
		ok $? "$c: real, effective, saved and fs uid are $TEST_USER"
		g=$(awk '/^Groups:/ { print $2 }' /proc/$pid/status)
		[ "$g" = "$(id -g "$TEST_USER")" ]
		ok $? "$c: supplementary groups are only $TEST_USER's group"
		[ "$(readlink /proc/$pid/root)" = "$jail" ]
		ok $? "$c: root directory is $jail"
		s=$(awk '/^Seccomp:/ { print $2 }' /proc/$pid/status)
		[ "$s" = 2 ]
		ok $? "$c: seccomp filter mode"
	done
else
	echo "# not root: jail, user and seccomp checks skipped"
	grep -q "development mode" "$T/imd.log"
	ok $? "without root the suite says it runs in development mode"
fi

# A broken configuration on SIGHUP changes nothing.
cp "$T/relayd.conf" "$T/good.conf"
echo "listen on 127.0.0.1 port 99999" >> "$T/relayd.conf"
kill -HUP "$IMD_PID"
sleep 0.5
kill -0 "$IMD_PID" 2>/dev/null
ok $? "SIGHUP with a broken file: the parent is still up"
grep -q "relayd.conf:7:" "$T/imd.log"
ok $? "the reload error names file and line"
"$IMCTL" -s "$T/imd.sock" show status > "$T/status" 2>&1
ok $? "imctl still gets answers"
# Five children and the listener workers (one per core by default).
workers=$(child_pids "$IMD_PID" listener | wc -l)
[ "$workers" -ge 1 ] &&
    [ "$(grep -c ready "$T/status")" -eq $((5 + workers)) ]
ok $? "all children still ready ($workers listener workers)"
cp "$T/good.conf" "$T/relayd.conf"

# SIGTERM: a clean stop, exit 0, nothing left.
kids=$(suite_children "$IMD_PID" | awk '{ print $1 }')
kill -TERM "$IMD_PID"
wait "$IMD_PID"
ok $? "SIGTERM: the suite exits 0"
left=0
for p in $kids; do kill -0 "$p" 2>/dev/null && left=1; done
ok $left "SIGTERM: no child left"
[ ! -e "$T/imd.sock" ]
ok $? "SIGTERM: the control socket is removed"

# Each child killed in turn takes the suite down within 2 s.
for c in listener relayd authd dirdb metricsd xmppd; do
	start_suite "$T/relayd.conf" || { ok 1 "restart for $c"; continue; }
	kids=$(suite_children "$IMD_PID" | awk '{ print $1 }')
	kill -KILL "$(child_pid "$IMD_PID" "$c")"
	wait_gone "$IMD_PID" 2
	ok $? "kill -9 $c: the parent exits within 2 s"
	wait "$IMD_PID"
	[ $? -ne 0 ]
	ok $? "kill -9 $c: exit status non-zero"
	left=0
	for p in $kids; do
		wait_gone "$p" 1 || left=1
	done
	ok $left "kill -9 $c: no process left"
done

done_testing
