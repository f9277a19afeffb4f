#!/bin/bash
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
# Instructions per REGISTER with digest (401, REGISTER with credentials,
# 200) in each of listener, authd and dirdb, counted by valgrind's
# callgrind: deterministic where the CPU time of this shared machine
# is not.  A scratch copy of the tree in bench/run/cg is built with
# three changes that valgrind needs and nothing else may have: no
# seccomp filter (valgrind's own system calls would be refused), no
# chroot and no change of user (the children run as root in place, so
# that callgrind_control reaches them and they write their profiles).
# Each of the three runs under callgrind; sipp registers NUSERS users
# u0.. once each (new bindings, CALLS calls in all, at RATE/s), then
# again (refreshes); the counters are zeroed before and dumped after
# each pass, so start-up is not counted.  Prints instructions per call
# of each process and pass; the profiles stay in bench/run/cg/out
# (callgrind_annotate, or any reader of the format).
#
#	NUSERS=1000 CALLS=1000 RATE=100 bench/callgrind.sh
#
# valgrind, sipp and a built tree (make) are needed; run as root, in a
# network namespace of its own when other things use the ports.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
NUSERS=${NUSERS:-1000}
CALLS=${CALLS:-$NUSERS}
RATE=${RATE:-100}
CG=$RUN/cg
SRC=$CG/src
OUT=$CG/out

# The scratch tree: the sources as they are now, and the web client
# already built (make would fetch it from npm otherwise).
rm -rf "$SRC" "$OUT"
mkdir -p "$SRC" "$OUT"
tar -C "$TOP" --exclude=./.git --exclude=./bench/run \
    --exclude=./bench/results --exclude='./build*' -cf - . |
    tar -C "$SRC" -xf -
mkdir -p "$SRC/build"
[ -d "$TOP/build/web" ] && cp -a "$TOP/build/web" "$SRC/build/"
sed -i 's/^\tsandbox_limits();$/\tif (proc != PROC_MAX)\n\t\treturn;\t\/* valgrind: no filter *\/\n&/' \
    "$SRC/lib/sandbox.c"
sed -i 's/^\tif (geteuid() != 0) {$/\tif (1) {\t\/* valgrind: unjailed *\//' \
    "$SRC/lib/proc.c"
sed -i 's/^\tif (geteuid() == 0)$/\tif (0)/' "$SRC/dirdb/dirdb.c"
grep -q 'valgrind: no filter' "$SRC/lib/sandbox.c" &&
    grep -q 'valgrind: unjailed' "$SRC/lib/proc.c" ||
    { echo "cannot patch the scratch tree" >&2; exit 1; }
make -C "$SRC" -j2 > "$CG/build.log" 2>&1 ||
    { tail -20 "$CG/build.log" >&2; exit 1; }
chmod 777 "$OUT"
for c in listener authd dirdb; do
	f=$SRC/build/libexec/imd/$c
	mv "$f" "$f.real"
	printf '#!/bin/sh\nexec valgrind --tool=callgrind --compress-strings=no --compress-pos=no --callgrind-out-file=%s/%s.%%p %s.real "$@"\n' \
	    "$OUT" "$c" "$f" > "$f"
	chmod 755 "$f"
done

USERS=$RUN/cg-users.csv
users_inf "$USERS" "$NUSERS" u pw 127.0.0.1:15098
imd_seed
TOP=$SRC imd_start
KIDS=$(pgrep -P "$SRV_PID" -f valgrind | tr '\n' ' ')

# callgrind_control on every child, woken by one REGISTER: a process
# asleep in epoll_wait takes the command when it wakes.
ctl() {
	local p cp=
	for p in $KIDS; do
		timeout 120 callgrind_control "$@" "$p" > /dev/null 2>&1 &
		cp="$cp $!"
	done
	sleep 0.5
	head -2 "$USERS" > "$CG/poke.csv"
	SIPP_LIMIT=60 sipp_on 15063 15074 15087 127.0.0.1:15060 -m 1 \
	    -sf "$SIPP_DIR/uac_register.xml" -inf "$CG/poke.csv"
	wait $cp
}

ctl -z
for pass in new refresh; do
	SIPP_LIMIT=600 sipp_on 15062 15072 15085 127.0.0.1:15060 \
	    -m "$CALLS" -r "$RATE" -l 50 -sf "$SIPP_DIR/uac_register.xml" \
	    -inf "$USERS" || echo "sipp: some calls failed" >&2
	ctl -d "$pass"
done
stop_pid "$SRV_PID"
printf '%-8s %12s %12s\n' process new refresh
for c in listener authd dirdb; do
	printf '%-8s' "$c"
	for part in 1 2; do
		# every process of the kind: the listener has workers
		n=$(cat "$OUT/$c".*."$part" 2>/dev/null |
		    sed -n 's/^summary: //p' | awk '{ n += $1 } END { print n + 0 }')
		printf ' %12d' $(( n / CALLS ))
	done
	echo
done
