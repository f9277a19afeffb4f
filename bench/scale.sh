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
#
# How imd's cost grows with its users: for each size N of SIZES, one
# suite filled with N users (imctl user import), N bindings (one
# REGISTER each) and N/10 presence subscriptions (u<i> watches u<i+N/10>,
# the NOTIFYs answered by a sipp UAS), then restarted, and measured:
#
#	SIZES="10000 100000 1000000" FILL_RATE=2000 DUR=10 bench/scale.sh
#
# start-up: seconds from the start of imd to an answer to OPTIONS
# (ready), and to the presence store loaded (pres: imctl show watchers
# answers), then, before anything is measured, until the suite is
# quiet (it notifies every watched presentity again after a start);
# RSS of each process after start-up (MiB); the database on
# disk (MiB); server CPU per REGISTER (users u0..u9999 in turn, as
# register.sh) and per MESSAGE (a to b, as message.sh) in closed loop
# for DUR s, in CPU seconds per 1000 calls, and per NOTIFY (the fan-out
# of presence.sh, bench/fanout.sh: 1,000 watchers w<i> of p, 20
# PUBLISHes) per 1000 NOTIFYs.  Writes bench/results/
# scale.txt, one row per size, and plots it in bench/results/scale.png
# with gnuplot when it is installed.  imd alone: no Kamailio.
# KEEP=1 keeps each filled database (bench/run/scale-db-N) and REUSE=1
# starts from one kept, skipping the fill: for trying a change to the
# server at a size without filling again.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
. "$TOP/bench/fanout.sh"
SIZES=${SIZES:-10000 100000 1000000}
FILL_RATE=${FILL_RATE:-2000}
DUR=${DUR:-10}
DIR=$RUN/scale
DB=$RUN/scale-db
WATCHERS=1000 PUBLISHES=20 SUB_RATE=500 WAIT=60 SETTLE=1
# no coalescing, as in presence.sh: each PUBLISH one NOTIFY per watcher
CONF="presence authorize auto
presence notify-interval 0
presence subscriptions $((WATCHERS * 2))"
OUT=$RES/scale.txt
NOTIFY_UAS=127.0.0.1:15064
TARGET=127.0.0.1:15060

# sipp_fill NAME SCENARIO CALLS [sipp args]: CALLS calls at FILL_RATE;
# prints "ok failed"
sipp_fill() {
	local name=$1 sf=$2 calls=$3 stf=$RUN/scale-$1.csv
	shift 3
	rm -f "$stf"
	timeout $((calls / FILL_RATE * 3 + 120)) sipp "$TARGET" \
	    -sf "$SIPP_DIR/$sf" -p 15062 -mp 15080 -cp 15087 $SIPPC \
	    -r "$FILL_RATE" -rp 1000 -m "$calls" -trace_stat -stf "$stf" \
	    -fd 5 "$@" > "$RUN/scale-$name.out" 2>&1
	awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	    { ok = $col["SuccessfulCall(C)"]; fl = $col["FailedCall(C)"] }
	    END { print ok + 0, fl + 0 }' "$stf"
}

notify_uas() {		# answers every NOTIFY of the subscriptions
	(exec sipp -sf "$SIPP_DIR/uas_notify.xml" -p 15064 -mp 15066 \
	    -cp 15089 $SIPPC > "$RUN/scale-uas.out" 2>&1) &
	NOTIFY_PID=$!
	track "$NOTIFY_PID" sipp
	sleep 0.5
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# fill N: a fresh suite with N users, N bindings, N/10 subscriptions,
# left stopped, its database in $DB
fill() {
	local n=$1 s=$(($1 / 10)) t0
	if [ -n "${REUSE:-}" ] && [ -d "$DB-$n" ]; then
		echo "  $n: the database of an earlier fill ($DB-$n)" >&2
		IMD_SEED= imd_start bench.test 127.0.0.1 "$DIR" "$CONF"
		stop_pid "$SRV_PID"
		return 0
	fi
	rm -rf "$DB-$n"
	IMD_SEED= imd_start bench.test 127.0.0.1 "$DIR" "$CONF"
	t0=$(now)
	{ printf 'a@bench.test apass\nb@bench.test bpass\np@bench.test ppass\n'
	  awk -v n="$n" -v w="$WATCHERS" 'BEGIN {
		for (i = 0; i < n; i++) printf "u%d@bench.test pw%d\n", i, i
		for (i = 0; i < w; i++) printf "w%d@bench.test wpw%d\n", i, i
	  }'; } |
	    "$TOP/build/bin/imctl" -s "$DIR/imd.sock" user import - \
	    > /dev/null || { echo "import failed" >&2; exit 1; }
	echo "  $n: users imported in $(since "$t0") s" >&2
	users_inf "$RUN/scale-users.csv" "$n" u pw 127.0.0.1:15098
	t0=$(now)
	echo "  $n: bindings ok/failed $(sipp_fill reg uac_register.xml "$n" \
	    -inf "$RUN/scale-users.csv") in $(since "$t0") s" >&2
	{ echo SEQUENTIAL
	  awk -v s="$s" -v c="$NOTIFY_UAS" 'BEGIN { for (i = 0; i < s; i++)
		printf "u%d;pw%d;%s;u%d\n", i, i, c, i + s }'; } \
	    > "$RUN/scale-subs.csv"
	t0=$(now)
	echo "  $n: subscriptions ok/failed $(sipp_fill sub \
	    subscribe_pairs.xml "$s" -inf "$RUN/scale-subs.csv") in" \
	    "$(since "$t0") s" >&2
	stop_pid "$SRV_PID"
	mv "$DIR/db" "$DB-$n"
}

# start N: imd on a copy of $DB, with the configuration fill() wrote;
# sets STARTUP: seconds to an answer to OPTIONS, and to presence loaded
start() {
	local t0 ready w="u$(($1 / 10 * 2 - 1))@bench.test"
	rm -rf "$DIR/db"
	cp -a "$DB-$1" "$DIR/db"
	t0=$(now)
	"$TOP/build/sbin/imd" -d -f "$DIR/relayd.conf" > "$DIR/imd.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID" imd
	wait_ready || exit 1
	ready=$(since "$t0")
	until "$TOP/build/bin/imctl" -s "$DIR/imd.sock" show watchers "$w" \
	    > /dev/null 2>&1; do
		sleep 0.1
	done
	STARTUP="$ready $(since "$t0")"
}

# settle: until the suite is quiet (below 5 % of a core over a second;
# at most 300 s): after a start it notifies every watched presentity
# again, and that work is not the workloads'.  Sets SETTLE (seconds).
settle() {
	local t0 c0 c1 i
	t0=$(now)
	for i in $(seq 300); do
		c0=$(cpuns $(srv_pids))
		sleep 1
		c1=$(cpuns $(srv_pids))
		[ $((c1 - c0)) -lt 50000000 ] && break
	done
	SETTLE=$(since "$t0")
}

rss() {			# "name=MiB ..." of the suite's processes
	local p
	for p in $(srv_pids); do
		awk -v n="$(cat /proc/$p/comm)" '$1 == "VmRSS:" {
		    printf "%s=%.0f ", n, $2 / 1024 }' /proc/$p/status
	done
}

# cpu NAME SCENARIO [sipp args]: server CPU s per 1000 calls of a
# closed loop of DUR s, and the rate
notify_cpu() {		# the fan-out of presence.sh: "CPU-per-1000 NOTIFY/s"
	local line
	line=$(run_server "scale-pres-$1")
	echo "$line" >> "$RES/scale-runs.txt"
	echo "$line" | awk '$5 > 0 { print "  " $1 ": " $5 " NOTIFYs missing" \
	    > "/dev/stderr" } { printf "%.4f %d", $10, $8 }'
}

cpu() {
	local line
	line=$(load "scale-$1" "$2" 0 0 "${@:3}")
	echo "$line" >> "$RES/scale-runs.txt"
	echo "$line" | awk '{ printf "%.4f %d", ($3 > 0 ? $8 / $3 * 10 : 0),
	    $3 }'
}

port_free 15064 || { echo "port 15064 is busy" >&2; exit 1; }
notify_uas
watchers_csv
users_inf "$RUN/scale-reg10k.csv" 10000 u pw 127.0.0.1:15098
{ echo "# $(date -u +%FT%TZ) imd with N users, N bindings, N/10" \
    "subscriptions; closed loops of DUR=$DUR s"
  echo "# start-s: to OPTIONS answered; pres-s: to the presence store" \
    "loaded; CPU: server CPU s per 1000 calls (rate: calls/s); RSS MiB"
  printf "#%-7s %7s %7s %7s %7s %9s %6s %9s %6s %9s %6s  %s\n" users \
    start-s pres-s quiet-s dbMiB reg-cpu rate msg-cpu rate ntf-cpu rate \
    RSS; } > "$OUT"
for n in $SIZES; do
	fill "$n"
	start "$n"
	echo "  $n: start-up $STARTUP s" >&2
	settle
	echo "  $n: quiet after $SETTLE s more" >&2
	mem=$(rss)
	size=$(du -sm "$DIR/db" | cut -f1)
	reg=$(cpu reg uac_register.xml -inf "$RUN/scale-reg10k.csv")
	start_uas
	register_b || exit 1
	msg=$(cpu msg "$MSG_AUTH_SF" -au a -ap apass)
	stop_uas
	ntf=$(notify_cpu "$n")
	stop_pid "$SRV_PID"
	printf "%-8d %7.2f %7.2f %7.0f %7d %9.4f %6d %9.4f %6d %9.4f %6d  %s\n" \
	    "$n" $STARTUP "$SETTLE" "$size" $reg $msg $ntf "$mem" >> "$OUT"
	tail -n 1 "$OUT" >&2
done
stop_pid "$NOTIFY_PID"
[ -n "${KEEP:-}" ] || rm -rf "$DB"-*
if command -v gnuplot > /dev/null; then
	gnuplot <<PLOT
set terminal png size 900,600
set output "$RES/scale.png"
set logscale x
set xlabel "users (bindings; subscriptions: a tenth)"
set ylabel "server CPU s per 1000 calls"
set y2label "seconds"
set y2tics
set ytics nomirror
set key top left
set title "imd: cost per request and start-up against the number of users"
plot "$OUT" using 1:6 with linespoints title "REGISTER CPU", \
     "$OUT" using 1:8 with linespoints title "MESSAGE CPU", \
     "$OUT" using 1:10 with linespoints title "NOTIFY CPU (per 1000 NOTIFYs)", \
     "$OUT" using 1:3 axes x1y2 with linespoints title "start-up to presence loaded (s)"
PLOT
fi
cat "$OUT"
