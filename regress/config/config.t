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
# relayd.conf through `imd -n`, TAP.
#
# pass/*.conf must be accepted: exit 0, "configuration OK" and nothing
# else.  Where pass/NAME.out exists, `imd -nv` must print exactly it, and
# for every pass fixture the printed configuration must read back to the
# same print.
#
# fail/*.conf must be refused: exit 1, and standard error must hold one
# line for each "# expect: FILE:LINE: text" at the top of the fixture and
# no other: the line starts with FILE:LINE: and contains text.  FILE is
# relative to the fixture's directory, where imd runs.
#
# "# requires: root" and "# requires: absent-user NAME" mark fixtures that
# only mean something under those conditions; elsewhere they are skipped.
# @TLSDIR@ in a fixture stands for a directory with cert.pem and key.pem.

if [ -z "$IMD_BUILD" ]; then
	echo "1..0 # SKIP IMD_BUILD is not set: run under make check"
	exit 0
fi
IMD="$IMD_BUILD/sbin/imd"
if [ ! -x "$IMD" ]; then
	echo "Bail out! $IMD is not built"
	exit 1
fi

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/imd-config.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
n=0

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
	fi
}

skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

diag() {
	echo "# exit $code, stdout:"
	sed 's/^/#   /' "$tmp/out"
	echo "# stderr:"
	sed 's/^/#   /' "$tmp/err"
}

# run DIR FILE ARGS...: imd ARGS -f FILE from DIR, its output kept.
run() {
	dir=$1 file=$2
	shift 2
	(cd "$dir" && exec "$IMD" "$@" -f "$file") >"$tmp/out" 2>"$tmp/err"
	code=$?
}

# Why fixture $1 cannot run here; nothing when it can.
unmet() {
	sed -n 's/^# requires: //p' "$1" | while read -r what arg; do
		case $what in
		root)
			[ "$(id -u)" -eq 0 ] || echo "needs root";;
		absent-user)
			! id "$arg" >/dev/null 2>&1 ||
			    echo "user $arg exists here";;
		*)
			echo "unknown requirement \"$what\"";;
		esac
	done | head -n 1
}

# Does standard error hold a line for expectation $1?
has_error() {
	LOC="${1%%: *}: " MSG="${1#*: }" awk '
	    index($0, ENVIRON["LOC"]) == 1 &&
	    index(substr($0, length(ENVIRON["LOC"]) + 1), ENVIRON["MSG"]) {
		found = 1
	    }
	    END { exit !found }' "$tmp/err"
}

# The fixtures, with @TLSDIR@ filled in, so that imd can run beside them.
setup() {
	mkdir "$tmp/tls"
	echo "placeholder: imd -n checks only that the file is there" \
	    >"$tmp/tls/cert.pem"
	cp "$tmp/tls/cert.pem" "$tmp/tls/key.pem"
	cp -R "$here/pass" "$here/fail" "$tmp/"
	grep -rl @TLSDIR@ "$tmp/pass" "$tmp/fail" | while read -r f; do
		sed "s|@TLSDIR@|$tmp/tls|g" "$f" >"$f.new" && mv "$f.new" "$f"
	done
}

# `imd -nv` of a pass fixture: its printed configuration in $tmp/printed.
print_conf() {
	run "$1" "$2" -nv
	[ "$code" -eq 0 ] &&
	    [ "$(tail -n 1 "$tmp/out")" = "configuration OK" ] &&
	    sed '$d' "$tmp/out" >"$tmp/printed"
}

pass_one() {
	f=$1 name=${1##*/}
	run "$tmp/pass" "$name" -n
	if [ "$code" -eq 0 ] && [ "$(cat "$tmp/out")" = "configuration OK" ] &&
	    [ ! -s "$tmp/err" ]; then
		ok 0 "pass: $name"
	else
		ok 1 "pass: $name"
		diag
	fi
	if ! print_conf "$tmp/pass" "$name"; then
		ok 1 "print: $name"
		diag
		return
	fi
	if [ -f "${f%.conf}.out" ]; then
		cmp -s "$tmp/printed" "${f%.conf}.out"
		ok $? "print: $name as in ${name%.conf}.out"
		diff "${f%.conf}.out" "$tmp/printed" | sed 's/^/#   /'
	fi
	mv "$tmp/printed" "$tmp/first"
	cp "$tmp/first" "$tmp/again.conf"
	if print_conf "$tmp" again.conf; then
		cmp -s "$tmp/first" "$tmp/printed"
		ok $? "round trip: $name"
		diff "$tmp/first" "$tmp/printed" | sed 's/^/#   /'
	else
		ok 1 "round trip: $name"
		diag
	fi
}

fail_one() {
	f=$1 name=${1##*/}
	sed -n 's/^# expect: //p' "$f" >"$tmp/expect"
	if [ ! -s "$tmp/expect" ]; then
		ok 1 "fail: $name has no \"# expect:\" line"
		return
	fi
	run "$tmp/fail" "$name" -n
	bad=0
	[ "$code" -eq 1 ] && [ ! -s "$tmp/out" ] || bad=1
	[ "$(wc -l <"$tmp/err")" -eq "$(wc -l <"$tmp/expect")" ] || bad=1
	while read -r e; do
		has_error "$e" && continue
		echo "# missing: $e"
		bad=1
	done <"$tmp/expect"
	ok $bad "fail: $name"
	[ $bad -eq 0 ] || diag
}

setup

for f in "$tmp"/pass/*.conf; do
	why=$(unmet "$f")
	if [ -n "$why" ]; then
		skip "pass: ${f##*/}" "$why"
	else
		pass_one "$f"
	fi
done

for f in "$tmp"/fail/*.conf; do
	why=$(unmet "$f")
	if [ -n "$why" ]; then
		skip "fail: ${f##*/}" "$why"
	else
		fail_one "$f"
	fi
done

# The file itself.
run "$tmp" no-such.conf -n
[ "$code" -eq 1 ] &&
    [ "$(cat "$tmp/err")" = "no-such.conf: No such file or directory" ]
ok $? "a missing file is named"

# A FIFO is refused at once, not waited on for a writer.
mkfifo "$tmp/fifo.inc"
printf 'include "fifo.inc"\n' >"$tmp/fifo.conf"
(cd "$tmp" && exec timeout 10 "$IMD" -n -f fifo.conf) >"$tmp/out" 2>"$tmp/err"
grep -q '^fifo.conf:1: cannot include "fifo.inc": not a regular file$' \
    "$tmp/err"
ok $? "an include of a FIFO is refused"
(cd "$tmp" && exec timeout 10 "$IMD" -n -f fifo.inc) >"$tmp/out" 2>"$tmp/err"
[ "$(cat "$tmp/err")" = "fifo.inc: not a regular file" ]
ok $? "a FIFO as the file is refused"

run "$tmp" pass -n
[ "$code" -eq 1 ] && [ "$(cat "$tmp/err")" = "pass: not a regular file" ]
ok $? "a directory is refused"

# The sample that make install puts in place.  It names the default user,
# which root needs to exist.
sample="$here/../../etc/relayd.conf"
if [ "$(id -u)" -eq 0 ] && ! id _imd >/dev/null 2>&1; then
	skip "etc/relayd.conf" "user _imd does not exist here"
else
	run "$tmp" "$sample" -n
	[ "$code" -eq 0 ] && [ "$(cat "$tmp/out")" = "configuration OK" ]
	ok $? "etc/relayd.conf"
fi

# Line ends a fixture in git would not keep.
printf 'domain example.org\r\nuser nobody\r\n' >"$tmp/crlf.conf"
run "$tmp" crlf.conf -n
[ "$code" -eq 0 ]
ok $? "CRLF line ends"

# As root an unknown user is an error; anyone else runs as themselves.
printf 'domain example.org\nuser imd-regress-no-such-user\n' \
    >"$tmp/devuser.conf"
chmod 644 "$tmp/devuser.conf"
if [ "$(id -u)" -ne 0 ]; then
	run "$tmp" devuser.conf -n
	[ "$code" -eq 0 ]
	ok $? "not root: the user need not exist"
elif ! command -v setpriv >/dev/null 2>&1; then
	skip "not root: the user need not exist" "no setpriv"
else
	(cd "$tmp" && exec setpriv --reuid=nobody --regid="$(id -g nobody)" \
	    --clear-groups "$IMD" -n -f devuser.conf) >"$tmp/out" 2>"$tmp/err"
	code=$?
	if [ "$code" -eq 126 ] || [ "$code" -eq 127 ]; then
		skip "not root: the user need not exist" \
		    "nobody cannot run $IMD"
	else
		[ "$code" -eq 0 ]
		ok $? "not root: the user need not exist"
	fi
fi

echo "1..$n"
