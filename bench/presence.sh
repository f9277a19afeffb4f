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
. "$TOP/bench/fanout.sh"

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
