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
# The presence fan-out, sourced by presence.sh and scale.sh: a UAS that
# answers every NOTIFY and logs it, WATCHERS watchers w<i> of p subscribing
# (sipp, digest), PUBLISHES PUBLISHes by p one after the other, each
# waiting for all its NOTIFYs, and the row of figures (PHDR).  The server
# is at TARGET with the users w0.. (password wpw<i>) and p (ppass); the
# caller sets WATCHERS, PUBLISHES, SUB_RATE, WAIT and SETTLE.  See
# presence.sh for how each column is counted.

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
