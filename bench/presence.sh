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
# Presence fan-out, imd against Kamailio with the same sipp workload: one
# presentity (p@bench.test), WATCHERS watchers (w0.., each one SUBSCRIBE
# with Event: presence for an hour, its Contact a sipp UAS that answers
# every NOTIFY with 200), then PUBLISHES PUBLISHes by p, one after the
# other: each changes p's PIDF (basic open/closed, note "n<i>"), and the
# next leaves only when the UAS has all WATCHERS NOTIFYs of this one.
# Every PUBLISH and SUBSCRIBE is authenticated (401 + digest, MD5).  The
# first PUBLISH is initial, the others modify it (SIP-If-Match with the
# entity-tag of the one before).
#
#	WATCHERS=1000 PUBLISHES=20 bench/presence.sh
#
# bench/memory.sh runs it with 10,000 watchers and no PUBLISH for the
# memory per subscription (PRES_OUT names the result file then).
#
# imd runs with "presence notify-interval 0" (no coalescing: every
# PUBLISH gives one NOTIFY per watcher), "presence subscriptions"
# 2 x WATCHERS and "presence authorize auto"; Kamailio 5.6 with presence +
# presence_xml, all in memory, force_active (bench/kamailio/presence.cfg).
#
# How it is counted: the UAS logs one line per NOTIFY it answers, with
# the arrival time and the PUBLISH number taken from the PIDF note
# (bench/sipp/uas_notify.xml); publish.xml logs when each authenticated
# PUBLISH left.  A PUBLISH's fan-out time runs from there to its last
# NOTIFY at the UAS; NOTIFY/s is all the PUBLISHes' NOTIFYs over the sum
# of their fan-out times.  srvCPU is the servers' on-CPU time (all their
# processes, /proc schedstat) from the first PUBLISH to the last NOTIFY,
# in seconds per 1000 NOTIFYs.  RSS and PSS are summed over the server's
# processes at the end.  subRSS and subPSS are what the server grew by
# from before to after the SUBSCRIBEs, per subscription: its RSS, and the
# PSS of its anonymous and shared-anonymous memory (heap, Kamailio's shm;
# the whole PSS also moves when other processes map the same libraries).
# Both are high-water marks: memory freed is not given back.  Every
# process started is stopped by pid.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
WATCHERS=${WATCHERS:-1000}
PUBLISHES=${PUBLISHES:-20}
SUB_RATE=${SUB_RATE:-200}	# SUBSCRIBEs per second while subscribing
WAIT=${WAIT:-60}		# seconds to wait for one PUBLISH's NOTIFYs
SETTLE=${SETTLE:-2}		# seconds of quiet before memory is read
# UAS_TRACE=1: the UAS also writes every message to bench/run/*_messages.log
SF=$TOP/bench/sipp
UAS=127.0.0.1:15070
NLOG=$RUN/notify.log
PLOG=$RUN/publish.log

for p in 15060 15061 15062 15070 15072 15076 15080 15085 15086 15087 \
    15097; do
	port_free $p || { echo "port $p is busy" >&2; exit 1; }
done

watchers_csv() {		# w<i>;wpw<i>;the UAS, for -inf
	users_inf "$RUN/watchers.csv" "$WATCHERS" w wpw "$UAS"
}

UAS_PID=
start_notify_uas() {
	rm -f "$NLOG" "$RUN"/uas_notify_*_counts.csv
	(cd "$RUN" && exec sipp -sf "$SF/uas_notify.xml" -p 15070 -mp 15072 \
	    -cp 15085 $SIPPC -trace_logs -log_file "$NLOG" -trace_counts \
	    -fd 1 ${UAS_TRACE:+-trace_msg} > "$RUN/uas_notify.out" 2>&1) &
	UAS_PID=$!
	track "$UAS_PID" sipp
	sleep 0.5
}
stop_notify_uas() {
	stop_pid "$UAS_PID"
	UAS_PID=
}

notifies() {			# NOTIFYs the UAS answered so far
	# the log has nothing but the UAS's "N" lines
	if [ -f "$NLOG" ]; then wc -l < "$NLOG"; else echo 0; fi
}

# wait_notifies N: until the UAS has answered N NOTIFYs, or WAIT s without
# progress; 0 if it got them all
wait_notifies() {
	local want=$1 n last=-1 idle=0
	while :; do
		n=$(notifies)
		[ "$n" -ge "$want" ] && return 0
		if [ "$n" -eq "$last" ]; then
			idle=$((idle + 1))
			[ "$idle" -ge $((WAIT * 20)) ] && return 1
		else
			idle=0 last=$n
		fi
		sleep 0.05
	done
}

# subscribe_all: every watcher subscribes; prints "ok failed"
subscribe_all() {
	local stf=$RUN/subscribe-$$.csv
	rm -f "$stf"
	timeout $((WATCHERS / SUB_RATE + 60)) sipp "$TARGET" \
	    -sf "$SF/subscribe_watchers.xml" -inf "$RUN/watchers.csv" \
	    -p 15062 -mp 15080 -cp 15087 $SIPPC -r "$SUB_RATE" -rp 1000 \
	    -m "$WATCHERS" -trace_stat -stf "$stf" -fd 1 \
	    > "$RUN/subscribe.out" 2>&1
	awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	    { ok = $col["SuccessfulCall(C)"]; fl = $col["FailedCall(C)"] }
	    END { print ok + 0, fl + 0 }' "$stf"
}

# publish_one I ETAG: the I-th PUBLISH, initial when ETAG is empty; 0 if
# it got its 200
publish_one() {
	local i=$1 etag=$2 basic=open hdr
	[ $((i % 2)) -eq 0 ] && basic=closed
	hdr="X-Bench-Publish: initial"
	[ -n "$etag" ] && hdr="SIP-If-Match: $etag"
	(cd "$RUN" && exec timeout 30 sipp "$TARGET" -sf "$SF/publish.xml" \
	    -p 15061 -mp 15076 -cp 15086 $SIPPC -m 1 -au p -ap ppass \
	    -key n "$i" -key basic "$basic" -key ifmatch "$hdr" \
	    -trace_logs -log_file "$PLOG" -log_overwrite false \
	    > "$RUN/publish.out" 2>&1)
}

last_etag() {
	awk '$1 == "P" { e = $5 } END { print e }' "$PLOG" 2>/dev/null
}

# unexpected_at_uas NAME: say so when the UAS got anything but NOTIFYs
unexpected_at_uas() {
	local n
	n=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++)
		if ($i ~ /_Unexp$/) c[i] = 1; next }
	    { u = 0; for (i in c) u += $i } END { print u + 0 }' \
	    "$RUN"/uas_notify_*_counts.csv 2>/dev/null)
	[ "${n:-0}" -eq 0 ] ||
	    echo "  $1: $n unexpected messages at the UAS" >&2
}

# notify_pct: "p50 p99" in ms of the delay of every NOTIFY of a PUBLISH
# after that PUBLISH left, from the two logs
notify_pct() {
	awk '$1 == "P" { pt[$2] = $3 + $4 / 1e6; next }
	    $1 == "N" && (p = substr($5, 2)) != "" && (p in pt) &&
	    !seen[p, $4]++ { printf "%d\n", ($2 + $3 / 1e6 - pt[p]) * 1000 }' \
	    "$PLOG" "$NLOG" | sort -n | pct
}

# fanout NAME SUBOK SUBFAIL MEM0 MEM1 C0 C1 U0 U1 MEM2 DROPS: the result
# line, from the two logs
fanout() {
	local name=$1 retr
	# NOTIFY retransmissions the UAS saw, from its -trace_counts file
	retr=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++)
		if ($i ~ /_Retrans$/ && $i ~ /NOTIFY/) c = i; next }
	    c { r = $c } END { print r + 0 }' \
	    "$RUN"/uas_notify_*_counts.csv 2>/dev/null)
	awk -v name="$name" -v w="$WATCHERS" -v np="$PUBLISHES" \
	    -v subok="$2" -v subfail="$3" -v mem0="$4" -v mem1="$5" \
	    -v c0="$6" -v c1="$7" -v u0="$8" -v u1="$9" -v mem2="${10}" \
	    -v drops="${11}" -v retr="${retr:-0}" '
	$1 == "P" { pt[$2] = $3 + $4 / 1e6; next }
	$1 == "N" && (p = substr($5, 2)) != "" && !seen[p, $4]++ {
		t = $2 + $3 / 1e6; n[p]++
		if (t > last[p]) last[p] = t
	}
	END {
		for (i = 1; i <= np; i++) if ((i in pt) && n[i] > 0) {
			tot += n[i]; d = last[i] - pt[i]; span += d
			ms[++k] = d * 1000
		}
		# median fan-out time of one PUBLISH, in ms
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
			if (ms[j] < ms[i]) { x = ms[i]; ms[i] = ms[j]; ms[j] = x }
		med = k ? ms[int((k + 1) / 2)] : 0
		split(mem0, m0, " "); split(mem1, m1, " "); split(mem2, m2, " ")
		printf "%-16s %5d %4d/%-3d %8d %6d %7d %5d %8.0f %7.0f %7.3f %7.3f %7.1f %7.1f %6.1f %6.1f\n",
		    name, w, subok, subfail, tot, w * np - tot, retr, drops,
		    (span > 0 ? tot / span : 0), med,
		    (tot ? (c1 - c0) / 1e9 / tot * 1000 : 0),
		    (tot ? (u1 - u0) / 1e9 / tot * 1000 : 0),
		    m2[1] / 1024, m2[2] / 1024,
		    (subok ? (m1[1] - m0[1]) / subok : 0),
		    (subok ? (m1[3] - m0[3]) / subok : 0)
	}' "$PLOG" "$NLOG"
}
PHDR="workload         watch subs ok/f notifies failed retrans drops NOTIFY/s  fan-ms  srvCPU  uasCPU  RSSMiB  PSSMiB subRSS subPSS"

# run_server NAME: subscribe every watcher, then the PUBLISHes, against
# the server already started (SRV_PID); prints the result line
run_server() {
	local name=$1 spids mem0 mem1 mem2 sub c0 c1 u0 u1 d0 d1 i etag
	local pubfail=0
	start_notify_uas
	: > "$PLOG"		# empty, not missing, when PUBLISHES=0
	sleep "$SETTLE"
	spids=$($SERVER_PIDS_FN | tr '\n' ' ')
	mem0=$(memkb_data $spids)
	sub=$(subscribe_all)
	echo "  $name: SUBSCRIBEs ok/failed: $sub" >&2
	wait_notifies "$WATCHERS" ||
	    echo "  $name: only $(notifies) of $WATCHERS first NOTIFYs" >&2
	sleep "$SETTLE"
	mem1=$(memkb_data $spids)
	c0=$(cpuns $spids); u0=$(cpuns $UAS_PID); d0=$(udpdrops)
	etag=
	for i in $(seq "$PUBLISHES"); do
		if ! publish_one "$i" "$etag"; then
			echo "  $name: PUBLISH $i failed" \
			    "($(grep -m1 -i 'error\|unexpected' "$RUN/publish.out"))" >&2
			pubfail=$((pubfail + 1))
		else
			etag=$(last_etag)
		fi
		wait_notifies $((WATCHERS * (i + 1) - WATCHERS * pubfail)) ||
		    echo "  $name: PUBLISH $i: $(notifies) NOTIFYs in all," \
			"wanted $((WATCHERS * (i + 1)))" >&2
	done
	c1=$(cpuns $spids); u1=$(cpuns $UAS_PID); d1=$(udpdrops)
	mem2=$(memkb $spids)
	unexpected_at_uas "$name"
	NOTIFY_PCT=$(notify_pct)
	cp "$NLOG" "$RES/$name-notify.log"
	cp "$PLOG" "$RES/$name-publish.log"
	stop_notify_uas
	fanout "$name" $sub "$mem0" "$mem1" "$c0" "$c1" "$u0" "$u1" "$mem2" \
	    $((d1 - d0))
}

# log_trouble NAME LOG: the server's warnings and errors, on stderr
log_trouble() {
	local n
	n=$(grep -c -i -E 'error|warn|fail|fatal|overload|drop' "$2")
	[ "$n" -eq 0 ] && return 0
	echo "  $1: $n warnings/errors in $2, the first:" >&2
	grep -i -E 'error|warn|fail|fatal|overload|drop' "$2" | head -5 >&2
}

kam_pres_start() {
	local krun=$RUN/kamailio-presence
	mkdir -p "$krun"
	kamailio -f "$TOP/bench/kamailio/presence.cfg" -A "WATCHERS=$WATCHERS" \
	    -DD -E -n 2 -m 2048 -M 16 -P "$krun/kamailio.pid" -Y "$krun" \
	    -w "$krun" > "$krun/kamailio.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID" kamailio
	wait_ready || exit 1
}

# imd_pres_start: p and the watchers come from the seeded database
imd_pres_start() {
	imd_start bench.test 127.0.0.1 "$IMD_RUN" "presence authorize auto
presence notify-interval 0
presence subscriptions $((WATCHERS * 2))"
}

# pres_row SERVER: the summary row of the last run (see row in lib.sh):
# NOTIFY/s, missing NOTIFYs, CPU per 1000 NOTIFYs, the delay of a NOTIFY
# after its PUBLISH, and the memory at the end (Kamailio's shm and imd's
# heap keep their high-water mark, so the end is the peak)
pres_row() {
	row pres-fanout "$1" $(tail -n 1 "$OUT" | awk '{ print $8, $5, $10 }') \
	    $NOTIFY_PCT $(tail -n 1 "$OUT" | awk '{ print $12, $13 }')
}

# pres_ratios FILE: imd against Kamailio
pres_ratios() {
	awk '$1 == "kam-pres-fanout" { kr = $8; kc = $10; ks = $15; kf = $5 }
	    $1 == "imd-pres-fanout" { ir = $8; ic = $10; is = $15; imf = $5 }
	    END { if (kr > 0 && ir > 0 && ic > 0)
		printf "# imd/kamailio: NOTIFY/s imd %.0f, kamailio %.0f, ratio %.2f (missing NOTIFYs: imd %d, kamailio %d); server CPU per 1000 NOTIFYs: imd %.3f s, kamailio %.3f s, kamailio/imd %.2f; anon+shm PSS per subscription: imd %.1f KiB, kamailio %.1f KiB\n",
		    ir, kr, ir / kr, imf, kf, ic, kc, kc / ic, is, ks }' "$1" >> "$1"
}

OUT=${PRES_OUT:-$RES/presence.txt}
watchers_csv
{ echo "# $(date -u +%FT%TZ) presence fan-out: $WATCHERS watchers of p," \
    "$PUBLISHES PUBLISHes one after the other, digest auth, imd with" \
    "presence notify-interval 0 (no coalescing)"
  echo "# notifies/failed: NOTIFYs of the PUBLISHes answered by the UAS /" \
    "missing; retrans: NOTIFY retransmissions at the UAS; drops: UDP" \
    "receive-buffer drops (system-wide) while publishing; fan-ms: median" \
    "ms from PUBLISH to its last NOTIFY; srvCPU, uasCPU: CPU s per 1000" \
    "NOTIFYs; RSS, PSS: server at the end; subRSS, subPSS: KiB per" \
    "subscription, growth of RSS and of anonymous+shm PSS over the" \
    "SUBSCRIBEs"
  echo "$PHDR"; } > "$OUT"
imd_seed		# before Kamailio: making it starts an imd
kam_pres_start
run_server kam-pres-fanout >> "$OUT"
pres_row kam
stop_pid "$SRV_PID"
log_trouble kam-pres-fanout "$RUN/kamailio-presence/kamailio.log"
imd_pres_start
run_server imd-pres-fanout >> "$OUT"
pres_row imd
stop_pid "$SRV_PID"
log_trouble imd-pres-fanout "$IMD_RUN/imd.log"
pres_ratios "$OUT"
cat "$OUT"
