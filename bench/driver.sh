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
#
# The load driver of the bench scripts, for any server: sipp against
# TARGET, and what it costs the server (CPU from the scheduler, memory
# from smaps).  bash; sourced by bench/lib.sh, which sets TOP, RUN and
# RES and the list of processes, PIDS.
#
# Every port is on 127.0.0.1:
#   15060 the server          15061 sipp registering b
#   15062 sipp's load         15070 sipp as b's device (start_uas)
#   15072-15082 sipp's media ports, which the scenarios never use
#   15085-15087 sipp's control ports    15097 the readiness probe
#   15098 the contact of the flood's users (nobody answers there)
#   15099 sipecho, the ceiling

TARGET=${TARGET:-127.0.0.1:15060}
DUR=${DUR:-20}			# s of each measured run
RUNS=${RUNS:-3}			# runs per workload; the median is kept
CAPL=${CAPL:-500}		# calls in flight in a closed-loop run
FAIL_PCT=${FAIL_PCT:-0.1}	# a run passes with at most this % failed,
RATE_PCT=${RATE_PCT:-97}	# at least this % of the rate asked for,
RETRANS_PCT=${RETRANS_PCT:-1}	# and at most this % retransmitted
# sipp's default 64 KB socket buffers drop datagrams at a few thousand
# calls a second: ask for what the servers get (net.core.rmem_max caps
# it; it is not changed here)
SIPPC="-i 127.0.0.1 -mi 127.0.0.1 -ci 127.0.0.1 -nostdin"
SIPPC="$SIPPC -buff_size 1048576 -max_recv_loops 10000 -max_sched_loops 10000"
SIPP_DIR=$TOP/bench/sipp

# track PID NAME: remember a process we started, with its program name,
# so that stop_pid never signals a process that reused the pid
track() {
	echo "$1 $2" >> "$PIDS"
}

running() {		# running PID: there, and not a zombie
	local state
	state=$(sed -n 's/^[0-9]* (.*) \([A-Z]\).*/\1/p' "/proc/$1/stat" \
	    2>/dev/null)
	[ -n "$state" ] && [ "$state" != Z ]
}

# stop_pid PID: SIGTERM to a process of ours, SIGKILL after 10 s
stop_pid() {
	local pid=$1 name i
	[ -n "$pid" ] || return 0
	name=$(awk -v p="$pid" '$1 == p { print $2; exit }' "$PIDS" \
	    2>/dev/null)
	sed -i "/^$pid /d" "$PIDS" 2>/dev/null
	[ -n "$name" ] || return 0
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 100); do
		running "$pid" || break
		sleep 0.1
	done
	running "$pid" && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = \
	    "$name" ] && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

stop_all() {		# the processes of PIDS, the last started first
	local pid name
	[ -s "$PIDS" ] || return 0
	tac "$PIDS" | while read -r pid name; do stop_pid "$pid"; done
	rm -f "$PIDS"
}

port_free() {		# port_free PORT: no UDP or TCP socket on it
	[ -z "$(ss -Hlnut "sport = :$1")" ]
}

# sipp_on PORT MEDIAPORT CTLPORT [sipp args]: sipp on 127.0.0.1, output
# in $RUN/sipp-PORT.out, stopped after SIPP_LIMIT s (0: never)
sipp_on() {
	local p=$1 m=$2 c=$3; shift 3
	timeout "${SIPP_LIMIT:-0}" sipp "$@" -p "$p" -mp "$m" -cp "$c" \
	    $SIPPC > "$RUN/sipp-$p.out" 2>&1
}

# sipp_bg PORT MEDIAPORT CTLPORT [sipp args]: the same in the background,
# the subshell replaced by sipp, so that $! is sipp's own pid
sipp_bg() {
	local p=$1 m=$2 c=$3; shift 3
	(exec sipp "$@" -p "$p" -mp "$m" -cp "$c" $SIPPC \
	    > "$RUN/sipp-$p.out" 2>&1) &
}

UAS_PID=
start_uas() {		# b's device: sipp answering every MESSAGE on 15070
	port_free 15070 || { echo "port 15070 is busy" >&2; exit 1; }
	sipp_bg 15070 15072 15085 -sf "$SIPP_DIR/uas_message.xml"
	UAS_PID=$!
	track "$UAS_PID" sipp
	sleep 0.5
}

stop_uas() {
	stop_pid "$UAS_PID"
	UAS_PID=
}

# register_b: b's binding at TARGET, contact 127.0.0.1:15070
register_b() {
	printf 'SEQUENTIAL\nb;bpass;127.0.0.1:15070\n' > "$RUN/b.csv"
	SIPP_LIMIT=30 sipp_on 15061 15076 15086 "$TARGET" -m 1 \
	    -sf "$SIPP_DIR/uac_register.xml" -inf "$RUN/b.csv" ||
	    { echo "b does not register at $TARGET" >&2; return 1; }
}

wait_ready() {		# until TARGET answers OPTIONS, 10 s at most
	local i
	for i in $(seq 50); do
		SIPP_LIMIT=5 sipp_on 15097 15076 15086 "$TARGET" -m 1 \
		    -sf "$SIPP_DIR/uac_options.xml" -recv_timeout 500 \
		    -max_retrans 1 && return 0
		sleep 0.2
	done
	echo "nothing answers at $TARGET" >&2
	return 1
}

# cpuns PIDS: ns on a CPU of every thread of PIDS so far, from the
# scheduler's own sum (schedstat), which unlike the tick-sampled
# utime/stime is exact on a tickless virtual machine
cpuns() {
	local pid
	for pid in "$@"; do cat /proc/"$pid"/task/*/schedstat 2>/dev/null
	done | awk '{ ns += $1 } END { printf "%.0f\n", ns }'
}

udpdrops() {		# datagrams the kernel dropped for full buffers
	awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ { print $6 }' /proc/net/snmp
}

memkb() {		# memkb PIDS: "RSS PSS" in kB, summed over PIDS
	local pid
	for pid in "$@"; do cat "/proc/$pid/smaps_rollup" 2>/dev/null; done |
	    awk '$1 == "Rss:" { r += $2 } $1 == "Pss:" { p += $2 }
		END { print r + 0, p + 0 }'
}

HDR="workload     target  achieved       ok failed retrans  drops srvCPU uacCPU uasCPU sumCPU  RSSMiB  PSSMiB"

# load NAME SCENARIO RATE CALLS [sipp args]: one sipp run of SCENARIO
# (a path, or a name in bench/sipp) against TARGET: CALLS calls at RATE
# a second, or with RATE 0 a closed loop of DUR s with CAPL calls in
# flight.  Prints one line in the columns of HDR, CPU in % of one core
# over the run's wall time, then pass or FAIL.
load() {
	local name=$1 sf=$2 rate=$3 calls=$4 limits stat pids uac
	local c0 c1 s0 s1 d0 d1 t0 t1 ucpu=0 u
	shift 4
	case "$sf" in /*) ;; *) sf=$SIPP_DIR/$sf ;; esac
	stat=$RES/$name-$rate-$$-$RANDOM.csv
	if [ "$rate" -gt 0 ]; then
		limits="-r $rate -rp 1000 -m $calls"
		limits="$limits -timeout $((calls / rate * 3 + 40))s"
	else
		limits="-r 1000000 -rp 1000 -l $CAPL -timeout ${DUR}s"
	fi
	pids=$($SERVER_PIDS_FN | tr '\n' ' ')
	c0=$(cpuns $pids) s0=$(cpuns $UAS_PID) d0=$(udpdrops)
	t0=$(date +%s.%N)
	sipp_bg 15062 15080 15087 "$TARGET" -sf "$sf" $limits \
	    -trace_stat -stf "$stat" -fd 1 "$@"
	uac=$!
	track "$uac" sipp
	# sipp's own CPU, read while it is still there to be read
	while kill -0 "$uac" 2>/dev/null; do
		u=$(cpuns "$uac")
		[ "$u" -gt 0 ] && ucpu=$u
		sleep 0.2
	done
	wait "$uac"
	sed -i "/^$uac /d" "$PIDS"
	t1=$(date +%s.%N)
	c1=$(cpuns $pids) s1=$(cpuns $UAS_PID) d1=$(udpdrops)
	load_line "$stat" "$name" "$rate" "$(awk -v a="$t0" -v b="$t1" \
	    'BEGIN { print b - a }')" \
	    $((c1 - c0)) "$ucpu" $((s1 - s0)) $((d1 - d0)) $(memkb $pids)
}

# load_line STATFILE NAME RATE WALL SRVNS UACNS UASNS DROPS RSS PSS: the
# line of load from the last line of sipp's statistics, whose columns
# are found by their names in its first line
load_line() {
	awk -F';' -v name="$2" -v rate="$3" -v wall="$4" -v srv="$5" \
	    -v uac="$6" -v uas="$7" -v drops="$8" -v rss="$9" -v pss="${10}" \
	    -v fmax="$FAIL_PCT" -v rmin="$RATE_PCT" -v tmax="$RETRANS_PCT" '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ last = $0 }
	END {
		split(last, f, ";")
		# the times are "date<TAB>time<TAB>seconds.micro"
		split(f[c["StartTime"]], a, "\t")
		split(f[c["CurrentTime"]], b, "\t")
		secs = b[3] - a[3]
		ok = f[c["SuccessfulCall(C)"]] + 0
		bad = f[c["FailedCall(C)"]] + 0
		re = f[c["Retransmissions(C)"]] + 0
		got = secs > 0 ? ok / secs : 0
		all = ok + bad
		good = all > 0 && bad * 100 <= fmax * all &&
		    re * 100 <= tmax * all &&
		    (rate == 0 || got * 100 >= rmin * rate)
		s = srv / 1e7 / wall; u = uac / 1e7 / wall
		d = uas / 1e7 / wall
		printf "%-11s %7d %9.0f %8d %6d %7d %6d %6.0f %6.0f %6.0f %6.0f %7.1f %7.1f %s\n",
		    name, rate, got, ok, bad, re, drops, s, u, d, s + u + d,
		    rss / 1024, pss / 1024, good ? "pass" : "FAIL"
	}' "$1"
}

# measure NAME SCENARIO RATE [sipp args]: RUNS runs of DUR s, each line
# to stderr and to $RES/NAME.txt; MEDIAN is the run in the middle by
# achieved rate
measure() {
	local name=$1 sf=$2 rate=$3 i line; shift 3
	for i in $(seq "$RUNS"); do
		line=$(load "$name" "$sf" "$rate" $((rate * DUR)) "$@")
		echo "  run $i $line" >&2
		echo "$line" >> "$RES/$name.txt"
		echo "$line"
	done > "$RUN/measure.$$"
	MEDIAN=$(sort -k3,3n "$RUN/measure.$$" |
	    sed -n "$(((RUNS + 1) / 2))p")
	rm -f "$RUN/measure.$$"
}
