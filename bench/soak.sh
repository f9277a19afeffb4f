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
# Soak run of imd: SOAK_TIME seconds (30 minutes) of mixed traffic at half
# the closed-loop maximum of the same mix, measured first for MAXDUR s.
# Three sipp clients at once, each challenged and answering with digest:
#   reg   REGISTER of u0..u<NREG-1> in turn (bench/sipp/uac_register.xml),
#         so the bindings are refreshed, not piled up, after one round
#   msg   MESSAGE from a to b, b being a sipp UAS registered with digest
#         (bench/sipp/uac_message_auth.xml)
#   pres  w0..w<NPRES-1> in turn: SUBSCRIBE to itself, PUBLISH, remove
#         the document, unsubscribe; the NOTIFYs go to a second sipp UAS
#         (bench/sipp/soak_presence.xml, uas_soak_notify.xml)
# Every SAMPLE s the RSS and PSS of every imd process, summed and per
# process, and the size of the database directory go to
# bench/results/soak.csv.  At the end it prints the failed calls of every
# sipp (must be 0) and the growth of the summed RSS from the end of the
# warm-up (WARMUP_TIME s) to the last sample (must be <= MAXGROWTH %),
# also into bench/results/soak.txt, and exits 1 when either fails.
#
#	SOAK_TIME=1800 bench/soak.sh		(make soak)
#
# It runs on 127.0.0.2 only, imd on port 15090 and sipp on 15091-15096
# (control and media sockets on 15063-15084; sipp takes the media port
# and the one two above it), so that it stays clear of the ports the
# comparisons use and check, on 127.0.0.1 and 127.0.0.2:15060.  Every process
# started is stopped by pid, also when interrupted.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
SOAK_TIME=${SOAK_TIME:-1800}
WARMUP_TIME=${WARMUP_TIME:-300}
SAMPLE=${SAMPLE:-10}
MAXDUR=${MAXDUR:-20}		# seconds of the closed-loop maximum
MAXGROWTH=${MAXGROWTH:-5}	# % of RSS growth allowed after the warm-up
NREG=${NREG:-10000}
NPRES=${NPRES:-1000}
ADDR=127.0.0.2
SRV=$ADDR:15090
SOAKC="-i $ADDR -mi $ADDR -ci $ADDR -nostdin -buff_size 1048576"
SOAKC="$SOAKC -max_recv_loops 10000 -max_sched_loops 10000"
SF=$TOP/bench/sipp
SDIR=$RUN/soak
CSV=$RES/soak.csv
TXT=$RES/soak.txt

# sipp_at PORT MEDIA CONTROL NAME [sipp args]: one sipp on 127.0.0.2 in
# the background, its output in $SDIR/NAME.out and every unexpected
# message in $SDIR/NAME.err; sets SIPP_PID
sipp_at() {
	local port=$1 mp=$2 cp=$3 name=$4; shift 4
	(cd "$SDIR" && exec sipp -p "$port" -mp "$mp" -cp "$cp" $SOAKC \
	    -trace_err -error_file "$SDIR/$name.err" "$@" \
	    > "$SDIR/$name.out" 2>&1) &
	SIPP_PID=$!
	track "$SIPP_PID" sipp
}

users() {			# the injection files of the three shares
	users_inf "$SDIR/reg.csv" "$NREG" u pw 127.0.0.1:15098
	users_inf "$SDIR/pres.csv" "$NPRES" w wpw 127.0.0.2:15092
	printf 'SEQUENTIAL\nb;bpass;127.0.0.2:15091\n' > "$SDIR/b.csv"
}

start_suite() {
	IMD_PORT=15090 imd_start bench.test "$ADDR" "$SDIR/imd" \
	    "presence authorize auto"
	IMD_RUN=$SDIR/imd
	echo "adding $((NREG + NPRES + 2)) users" >&2
	printf 'a;apass\nb;bpass\n' | cat - "$SDIR/reg.csv" "$SDIR/pres.csv" \
	    > "$SDIR/all.csv"
	imd_users "$SDIR/all.csv" || { echo "adding users failed" >&2; exit 1; }
}

start_uases() {
	sipp_at 15091 15063 15064 uas-b -sf "$SF/uas_message.xml"
	UAS_B=$SIPP_PID
	sipp_at 15092 15067 15066 uas-notify -sf "$SF/uas_soak_notify.xml" \
	    -trace_stat -stf "$SDIR/uas-notify.csv" -fd 10
	UAS_N=$SIPP_PID
	sleep 0.5
	timeout 30 sipp "$SRV" -sf "$SF/uac_register.xml" -inf "$SDIR/b.csv" \
	    -p 15096 -mp 15071 -cp 15068 $SOAKC -m 1 > "$SDIR/reg-b.out" 2>&1 ||
	    { echo "registering b failed" >&2; exit 1; }
}

# mix TAG SECS REG MSG PRES: the three clients at once for SECS s, each
# with its own rate and limit (one word: "-r R -l N"); waits for them
mix() {
	local tag=$1 secs=$2 lreg=$3 lmsg=$4 lpres=$5 p pids=""
	sipp_at 15093 15075 15074 "$tag-reg" "$SRV" -sf "$SF/uac_register.xml" \
	    -inf "$SDIR/reg.csv" $lreg -rp 1000 -timeout "${secs}s" \
	    -trace_stat -stf "$SDIR/$tag-reg.csv" -fd 10
	pids="$pids $SIPP_PID"
	sipp_at 15094 15079 15078 "$tag-msg" "$SRV" -sf "$SF/uac_message_auth.xml" \
	    -au a -ap apass $lmsg -rp 1000 -timeout "${secs}s" \
	    -trace_stat -stf "$SDIR/$tag-msg.csv" -fd 10
	pids="$pids $SIPP_PID"
	sipp_at 15095 15082 15083 "$tag-pres" "$SRV" -sf "$SF/soak_presence.xml" \
	    -inf "$SDIR/pres.csv" $lpres -rp 1000 \
	    -timeout "${secs}s" -trace_stat -stf "$SDIR/$tag-pres.csv" -fd 10
	pids="$pids $SIPP_PID"
	for p in $pids; do
		wait "$p"
		sed -i "/^$p /d" "$PIDS"
	done
}

# stat_of FILE COLUMN: the last value of a column of a sipp -trace_stat file
stat_of() {
	awk -F';' -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++)
		if ($i == c) k = i; next } { v = $k } END { print v + 0 }' "$1"
}

# rate FILE: successful calls per second over the run of one client
rate() {
	awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	    { last = $0 }
	END {	split(last, f, ";")
		split(f[col["StartTime"]], st, "\t")
		split(f[col["CurrentTime"]], ct, "\t")
		el = ct[3] - st[3]
		print (el > 0 ? int(f[col["SuccessfulCall(C)"]] / el) : 0) }' "$1"
}

# sampler: every SAMPLE s one line of the CSV, until killed
sampler() {
	local t0 p comm mem line
	t0=$(date +%s)
	echo "t_s,rss_kb,pss_kb,db_kb,per_process_rss_pss_kb" > "$CSV"
	while :; do
		line=""
		for p in $(srv_pids); do
			comm=$(cat /proc/$p/comm 2>/dev/null) || continue
			line="$line,$comm:$(memkb $p | tr ' ' ':')"
		done
		mem=$(memkb $(srv_pids))
		echo "$(($(date +%s) - t0)),${mem% *},${mem#* }," \
		    "$(du -sk "$SDIR/imd/db" | cut -f1)$line" | tr -d ' ' >> "$CSV"
		sleep "$SAMPLE"
	done
}

# verdict: the summary lines, and 0 when the soak passed
verdict() {
	local fail=0 retr=0 s f g
	for s in reg msg pres; do
		f=$(stat_of "$SDIR/soak-$s.csv" "FailedCall(C)")
		echo "$s: $(stat_of "$SDIR/soak-$s.csv" "SuccessfulCall(C)") calls," \
		    "$f failed, $(stat_of "$SDIR/soak-$s.csv" "Retransmissions(C)")" \
		    "retransmissions, $(rate "$SDIR/soak-$s.csv")/s"
		fail=$((fail + f))
	done
	f=$(stat_of "$SDIR/uas-notify.csv" "FailedCall(C)")
	echo "NOTIFY UAS: $(stat_of "$SDIR/uas-notify.csv" "SuccessfulCall(C)")" \
	    "dialogs ended, $f failed"
	fail=$((fail + f))
	echo "failures: $fail"
	g=$(awk -F, -v w="$WARMUP_TIME" -v max="$MAXGROWTH" '
	    NR == 1 { next }
	    NR == 2 { first = $2 }
	    $1 >= w && !warm { warm = $2; wt = $1 }
	    warm && $2 > peak { peak = $2 }
	    { last = $2; lt = $1; db = $4 }
	    END {
		if (!warm) { print "no sample after the warm-up"; exit }
		g = (last - warm) * 100 / warm
		printf "RSS (kB, all imd processes): first %d, after warm-up (%d s) %d, last (%d s) %d, peak after warm-up %d; growth %.2f %% (limit %d %%); database %d kB\n",
		    first, wt, warm, lt, last, peak, g, max, db
		print (g <= max ? "growth ok" : "growth FAIL")
	    }' "$CSV")
	echo "$g"
	[ "$fail" -eq 0 ] && case "$g" in *"growth ok"*) return 0 ;; esac
	return 1
}

rm -rf "$SDIR"
mkdir -p "$SDIR"
users
start_suite
start_uases

echo "closed-loop maximum of the mix: $MAXDUR s" >&2
M="-r 1000000 -l 100"		# closed loop: 100 calls in flight each
mix max "$MAXDUR" "$M" "$M" "$M"
RREG=$(($(rate "$SDIR/max-reg.csv") / 2))
RMSG=$(($(rate "$SDIR/max-msg.csv") / 2))
RPRES=$(($(rate "$SDIR/max-pres.csv") / 2))
[ "$RREG" -gt 0 ] && [ "$RMSG" -gt 0 ] && [ "$RPRES" -gt 0 ] || {
	echo "a share of the mix did not run: see $SDIR/max-*.out" >&2
	exit 1; }
sleep 5

sampler &
SAMPLER=$!
track "$SAMPLER" "$(cat /proc/$SAMPLER/comm)"
echo "soak: $SOAK_TIME s at reg $RREG/s, msg $RMSG/s, pres $RPRES/s" >&2
# -r takes the open-loop rate; the -l of 100000 only lifts sipp's default
# cap on calls in flight so that a stall shows up as failures, not as a
# hidden slow-down
mix soak "$SOAK_TIME" "-r $RREG -l 100000" "-r $RMSG -l 100000" \
    "-r $RPRES -l 100000"
sleep "$SAMPLE"
stop_pid "$SAMPLER"

{ echo "# $(date -u +%FT%TZ) soak of imd: $SOAK_TIME s, warm-up" \
    "$WARMUP_TIME s, samples every $SAMPLE s in $CSV"
  echo "closed-loop maximum of the mix ($MAXDUR s): reg $((RREG * 2))/s," \
    "msg $((RMSG * 2))/s, pres $((RPRES * 2))/s; soak at half"
  verdict; echo "exit $?"; } > "$TXT"
cat "$TXT"
grep -q '^exit 0$' "$TXT"
