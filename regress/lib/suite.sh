# Shell helpers for tests that run the real suite on loopback.
# Source it; it sets IMD, IMCTL and a work directory $T that is removed,
# with every process the test started, when the test exits.

: "${IMD_BUILD:?run me from make check}"
IMD="$IMD_BUILD/sbin/imd"
IMCTL="$IMD_BUILD/bin/imctl"

T=$(mktemp -d /tmp/imd-test.XXXXXX) || exit 1
chmod 755 "$T"
SUITE_PIDS=

suite_cleanup() {
	for p in $SUITE_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $SUITE_PIDS; do
		for i in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap suite_cleanup EXIT
trap 'exit 1' INT TERM

# TAP
tap_n=0
ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $tap_n - $2"
	else echo "not ok $tap_n - $2"; fi
}
check() {
	desc=$1; shift
	if "$@" >/dev/null 2>&1; then ok 0 "$desc"; else ok 1 "$desc"; fi
}
done_testing() { echo "1..$tap_n"; }

# The user the children run as, when started as root.
TEST_USER=nobody

# write_conf FILE DOMAIN ADDR PORT [extra lines...]
write_conf() {
	f=$1 dom=$2 addr=$3 port=$4
	shift 4
	mkdir -p "$T/empty" "$T/db"
	{
		echo "domain \"$dom\""
		echo "listen on $addr port $port"
		echo "database \"$T/db\""
		echo "chroot \"$T/empty\""
		echo "control socket \"$T/imd.sock\""
		echo "user \"$TEST_USER\""
		for l in "$@"; do echo "$l"; done
	} > "$f"
}

# start_suite CONF: imd in the foreground, in the background; sets IMD_PID.
start_suite() {
	"$IMD" -d -f "$1" > "$T/imd.log" 2>&1 &
	IMD_PID=$!
	SUITE_PIDS="$SUITE_PIDS $IMD_PID"
	wait_ready "$T/imd.sock"
}

# Ready when imctl gets an answer on the control socket.
wait_ready() {
	for i in $(seq 1 100); do
		"$IMCTL" -s "$1" show status >/dev/null 2>&1 && return 0
		kill -0 "$IMD_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# Children of the imd parent: "pid title" lines.
suite_children() {
	for p in $(ps -o pid= --ppid "$1"); do
		echo "$p $(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null)"
	done
}

# child_pid PARENT NAME: the child titled "imd: NAME" (listener 0 of
# several listener workers); child_pids: every one (each worker).
child_pid() {
	child_pids "$@" | head -n 1
}

child_pids() {
	suite_children "$1" | awk -v t="imd: $2" 'index($0, t) { print $1 }'
}

# wait_gone PID SECONDS: 0 when the process is gone in time.
wait_gone() {
	n=$(( $2 * 20 ))
	while [ $n -gt 0 ]; do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}
