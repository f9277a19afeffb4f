#!/bin/bash
# REGISTER with digest authentication, imd against Kamailio: the same sipp
# scenario (REGISTER, 401, REGISTER with credentials, 200) from the same
# user list, one server after the other in one run, on 127.0.0.1:15060.
#
#	NUSERS=10000 RATE=3000 DUR=15 RUNS=3 bench/register.sh
#
# Uses the load driver and the Kamailio configuration of
# ../shared/anchor-bench (ANCHOR).  Prints the median rows of each server
# and the ratios imd/Kamailio.  Every process started is stopped by pid.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
NUSERS=${NUSERS:-10000}
RATE=${RATE:-3000}
DUR=${DUR:-15}
RUNS=${RUNS:-3}

USERS=$RUN/bench-users.csv
{ echo SEQUENTIAL
  awk -v n="$NUSERS" 'BEGIN { for (i = 0; i < n; i++)
	printf "u%d;pw%d;127.0.0.1:15098\n", i, i }'; } > "$USERS"

run_both_loops() {	# run_both_loops NAME: open loop at RATE, closed loop
	measure "$1" uac_register.xml "$RATE" -inf "$USERS"
	echo "$MEDIAN"
	measure "$1-cl" uac_register.xml 0 -inf "$USERS"
	echo "$MEDIAN"
}

OUT=$RES/register.txt
{ echo "# $(date -u +%FT%TZ) REGISTER with digest, $NUSERS users," \
    "rate $RATE/s, DUR=$DUR s, RUNS=$RUNS, median by achieved rate"
  echo "$HDR"; } > "$OUT"
kamailio_start
run_both_loops kam-reg >> "$OUT"
stop_pid "$SRV_PID"
imd_start
echo "adding $NUSERS users" >&2
for i in $(seq 0 $((NUSERS - 1))); do
	imd_user "u$i" "pw$i" || exit 1
done
run_both_loops imd-reg >> "$OUT"
stop_pid "$SRV_PID"
ratios "$OUT"
cat "$OUT"
