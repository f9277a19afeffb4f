#!/bin/bash
# MESSAGE with digest authentication to a registered user agent, imd
# against Kamailio: the same sipp scenarios (MESSAGE, 407, MESSAGE with
# credentials, 200 from a sipp UAS registered as b), one server after the
# other in one run, on 127.0.0.1:15060.
#
#	RATE=2000 DUR=15 RUNS=3 bench/message.sh
#
# Uses the load driver, scenarios and Kamailio configuration of
# ../shared/anchor-bench (ANCHOR).  Every process started is stopped by pid.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
RATE=${RATE:-2000}
DUR=${DUR:-15}
RUNS=${RUNS:-3}

run_both_loops() {	# run_both_loops NAME
	measure "$1" uac_message_auth.xml "$RATE" -au a -ap apass
	echo "$MEDIAN"
	measure "$1-cl" uac_message_auth.xml 0 -au a -ap apass
	echo "$MEDIAN"
}

OUT=$RES/message.txt
start_uas
{ echo "# $(date -u +%FT%TZ) MESSAGE with digest to a registered sipp" \
    "UAS, rate $RATE/s, DUR=$DUR s, RUNS=$RUNS, median by achieved rate"
  echo "$HDR"; } > "$OUT"
kamailio_start
register_b || exit 1
run_both_loops kam-msg-auth >> "$OUT"
stop_pid "$SRV_PID"
imd_start
imd_user a apass || exit 1
imd_user b bpass || exit 1
register_b || exit 1
run_both_loops imd-msg-auth >> "$OUT"
stop_pid "$SRV_PID"
stop_uas
ratios "$OUT"
cat "$OUT"
