#!/bin/sh
#
# imctl on its own, TAP: command-line usage, the address check, password
# input and the errors for a control socket that nobody serves.  Whatever
# needs a running imd is tested end to end with the real suite elsewhere.

if [ -z "$IMD_BUILD" ]; then
	echo "1..0 # SKIP IMD_BUILD is not set: run under make check"
	exit 0
fi

IMCTL="$IMD_BUILD/bin/imctl"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
sock="$tmp/imd.sock"
stdin=/dev/null
n=0
failed=0

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

diag() {
	echo "# exit $code, stdout:"
	sed 's/^/#   /' "$tmp/out"
	echo "# stderr:"
	sed 's/^/#   /' "$tmp/err"
}

# imctl with standard input from the file $stdin, its output kept.
run() {
	"$IMCTL" "$@" <"$stdin" >"$tmp/out" 2>"$tmp/err"
	code=$?
}

# expect NAME CODE MESSAGE: the last run exited CODE, printed nothing on
# standard output and exactly MESSAGE on standard error.
expect() {
	if [ "$code" -eq "$2" ] && [ ! -s "$tmp/out" ] &&
	    [ "$(cat "$tmp/err")" = "$3" ]; then
		ok 0 "$1"
	else
		ok 1 "$1"
		diag
	fi
}

# expect_usage NAME: the last run exited 2 with the synopsis.
expect_usage() {
	if [ "$code" -eq 2 ] && [ ! -s "$tmp/out" ] &&
	    grep -q '^usage: imctl \[-s socket\] ' "$tmp/err"; then
		ok 0 "usage: $1"
	else
		ok 1 "usage: $1"
		diag
	fi
}

# A string of $2 copies of the character $1.
repeat() {
	printf "%$2s" '' | tr ' ' "$1"
}

# What imctl says when nothing is at the socket path $1.
absent() {
	echo "imctl: imd is not running (socket $1: No such file or directory)"
}
notrunning=$(absent "$sock")

# Usage errors: exit 2 before anything else is looked at.
usage_case() {
	name=$1
	shift
	run "$@"
	expect_usage "$name"
}
usage_case "no command"
usage_case "user alone" user
usage_case "show alone" show
usage_case "unknown noun" frob
usage_case "unknown user verb" user frob
usage_case "unknown show verb" show frob
usage_case "commands are case-sensitive" User list
usage_case "user add without address" user add
usage_case "user del without address" user del
usage_case "user passwd without address" user passwd
usage_case "user add with two addresses" user add a@example.org b@example.org
usage_case "user del with extra" user del a@example.org extra
usage_case "user list with extra" user list extra
usage_case "show status with extra" show status extra
usage_case "unknown option" -x user list
usage_case "-s without argument" -s
usage_case "-s without command" -s "$sock"
usage_case "address in the verb's place" user noat@example
usage_case "queue alone" queue
usage_case "queue flush without address" queue flush
usage_case "queue flush with two addresses" queue flush a@example.org \
    b@example.org
usage_case "log alone" log
usage_case "unknown log level" log debug
usage_case "log verbose with extra" log verbose extra

# Asked for help: the synopsis on standard output, exit 0.
for h in -h --help; do
	run "$h"
	if [ "$code" -eq 0 ] && [ ! -s "$tmp/err" ] &&
	    grep -q '^usage: imctl \[-s socket\] ' "$tmp/out"; then
		ok 0 "$h prints the usage on stdout and exits 0"
	else
		ok 1 "$h prints the usage on stdout and exits 0"
		diag
	fi
done

# Malformed addresses: exit 5, before a password is read or imd asked.
for a in noat a@@example.org @example.org alice@ 'a b@example.org' \
    a@example..org a@exa_mple.org .a@example.org a@-example.org \
    "$(repeat l 65)@example.org"; do
	run -s "$sock" user del "$a"
	expect "malformed address refused: $a" 5 "imctl: malformed address: $a"
done
run -s "$sock" user add "$(printf 'a\033b@example.org')"
expect "control character shown visibly" 5 \
    'imctl: malformed address: a\^[b@example.org'
run -s "$sock" user passwd noat
expect "malformed address wins over an empty password" 5 \
    "imctl: malformed address: noat"
run -s "$sock" queue flush a@@example.org
expect "queue flush: malformed address refused" 5 \
    "imctl: malformed address: a@@example.org"

# Passwords from a pipe: checked before connecting, so exit 7 here.
printf '\n' >"$tmp/pw"; stdin="$tmp/pw"
run -s "$sock" user add a@example.org
expect "empty password line refused" 7 "imctl: empty password"
: >"$tmp/pw"
run -s "$sock" user passwd a@example.org
expect "no password at all refused" 7 "imctl: empty password"
printf 'a\000b\n' >"$tmp/pw"
run -s "$sock" user add a@example.org
expect "password with a NUL byte refused" 7 \
    "imctl: password contains a NUL byte"
repeat p 256 >"$tmp/pw"; echo >>"$tmp/pw"
run -s "$sock" user add a@example.org
expect "password of 256 characters refused" 7 \
    "imctl: password too long (at most 255 characters)"
repeat p 255 >"$tmp/pw"; echo >>"$tmp/pw"
run -s "$sock" user add a@example.org
expect "password of 255 characters accepted" 1 "$notrunning"
printf 'secret' >"$tmp/pw"
run -s "$sock" user passwd a@example.org
expect "password without a final newline accepted" 1 "$notrunning"
stdin=/dev/null

# No daemon: a socket path in an empty directory.
run -s "$sock" user list
expect "user list, no daemon" 1 "$notrunning"
run -s "$sock" show status
expect "show status, no daemon" 1 "$notrunning"
run -s "$sock" user del a@example.org
expect "user del, no daemon" 1 "$notrunning"
run -s "$sock" queue flush a@example.org
expect "queue flush, no daemon" 1 "$notrunning"
run -s "$sock" -- user list
expect "-- ends the options" 1 "$notrunning"
run -s "$sock" user del -a@example.org
expect "options end at the command" 1 "$notrunning"
run -s "$sock" user del "$(repeat l 64)@example.org"
expect "local part of 64 octets passes the check" 1 "$notrunning"
dom="$(repeat d 63).$(repeat d 63).$(repeat d 63).$(repeat d 61)"
run -s "$sock" user del "$(repeat l 64)@$dom"
expect "address of 318 octets passes the check" 1 "$notrunning"
run -s "$tmp/nodir/imd.sock" user list
expect "socket directory missing" 1 "$(absent "$tmp/nodir/imd.sock")"

# A socket left behind by a dead imd: bound, nobody listening.
perl -MSocket -e 'socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die "$!";
    bind($s, pack_sockaddr_un($ARGV[0])) or die "$!"' "$tmp/stale.sock"
run -s "$tmp/stale.sock" user list
expect "stale socket, connection refused" 1 \
    "imctl: imd is not running (socket $tmp/stale.sock: Connection refused)"

long="$tmp/$(repeat s 120)"
run -s "$long" user list
expect "socket path too long" 1 "imctl: socket path too long: $long"

# Passwords at a terminal: typed twice, through script(1)'s pseudo-tty.
# Each answer waits for its prompt, since readpassphrase(3) flushes
# what was typed ahead.
wait_for() {
	i=0
	while ! grep -q "$1" "$tmp/tty"; do
		i=$((i + 1))
		[ "$i" -gt 100 ] && return 1
		sleep 0.1
	done
}

tty_run() {
	: >"$tmp/tty"
	{
		wait_for 'Password:' && printf '%s\n' "$1" &&
		wait_for 'Repeat password:' && printf '%s\n' "$2" &&
		wait_for 'imctl:'
	} | script -qec "'$IMCTL' -s '$sock' user add a@example.org" \
	    /dev/null >"$tmp/tty" 2>&1
	code=$?
}

# expect_tty NAME CODE MESSAGE: as expect, on the terminal's output.
expect_tty() {
	if [ "$code" -eq "$2" ] && grep -qF "$3" "$tmp/tty"; then
		ok 0 "$1"
	else
		ok 1 "$1"
		echo "# exit $code, terminal:"
		sed 's/^/#   /' "$tmp/tty"
	fi
}

if command -v script >/dev/null 2>&1; then
	tty_run secret secreT
	expect_tty "terminal: different passwords refused" 7 \
	    "imctl: passwords do not match"
	tty_run secret secret
	expect_tty "terminal: same password twice accepted" 1 "$notrunning"
	if grep -q secret "$tmp/tty"; then
		ok 1 "terminal: password not echoed"
	else
		ok 0 "terminal: password not echoed"
	fi
	tty_run '' ''
	expect_tty "terminal: empty password refused" 7 \
	    "imctl: empty password"
else
	for t in different same empty echo; do
		n=$((n + 1))
		echo "ok $n # SKIP script(1) not installed ($t)"
	done
fi

echo "1..$n"
[ "$failed" -eq 0 ]
