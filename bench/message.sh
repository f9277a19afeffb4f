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
ANCHOR=${ANCHOR:-$TOP/../shared/anchor-bench}
export BENCH=$ANCHOR RUN=$TOP/bench/run RES=$TOP/bench/results
mkdir -p "$RUN" "$RES"
: > "$RUN/pids"
. "$ANCHOR/lib.sh"
RATE=${RATE:-2000}
DUR=${DUR:-15}
RUNS=${RUNS:-3}
trap 'stop_all' EXIT
trap 'exit 1' INT TERM

SRV_PID=
srv_pids() { echo "$SRV_PID"; pgrep -P "$SRV_PID"; }
SERVER_PIDS_FN=srv_pids

run_both_loops() {	# run_both_loops NAME
	measure "$1" uac_message_auth.xml "$RATE" -au a -ap apass
	echo "$MEDIAN"
	measure "$1-cl" uac_message_auth.xml 0 -au a -ap apass
	echo "$MEDIAN"
}

kamailio_run() {
	local krun=$RUN/kamailio
	mkdir -p "$krun"
	port_free 15060 || { echo "port 15060 is busy" >&2; exit 1; }
	kamailio -f "$ANCHOR/kamailio/kamailio.cfg" -A WITH_AUTH -DD -E \
	    -n 2 -N 2 -m 2048 -M 16 -P "$krun/kamailio.pid" -Y "$krun" \
	    -w "$krun" > "$krun/kamailio.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID" kamailio
	wait_ready || exit 1
	register_b || exit 1
	run_both_loops kam-msg-auth
	stop_pid "$SRV_PID"
}

imd_run() {
	local irun=$RUN/imd
	rm -rf "$irun"
	mkdir -p "$irun/empty"
	chmod 755 "$irun"
	cat > "$irun/relayd.conf" <<CONF
domain "bench.test"
listen on 127.0.0.1 port 15060 udp
database "$irun/db"
chroot "$irun/empty"
control socket "$irun/imd.sock"
user "nobody"
auth algorithms md5 sha-256
CONF
	port_free 15060 || { echo "port 15060 is busy" >&2; exit 1; }
	"$TOP/build/sbin/imd" -d -f "$irun/relayd.conf" > "$irun/imd.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID" imd
	wait_ready || exit 1
	echo apass | "$TOP/build/bin/imctl" -s "$irun/imd.sock" \
	    user add a@bench.test || exit 1
	echo bpass | "$TOP/build/bin/imctl" -s "$irun/imd.sock" \
	    user add b@bench.test || exit 1
	register_b || exit 1
	run_both_loops imd-msg-auth
	stop_pid "$SRV_PID"
}

start_uas
{ echo "# $(date -u +%FT%TZ) MESSAGE with digest to a registered sipp" \
    "UAS, rate $RATE/s, DUR=$DUR s, RUNS=$RUNS, median by achieved rate"
  echo "$HDR"; } > "$RES/message.txt"
kamailio_run >> "$RES/message.txt"
imd_run >> "$RES/message.txt"
stop_uas

awk 'NR > 2 { rate[$1] = $3; cpu[$1] = $8; fail[$1] = $5 }
END {
	for (w in rate) if (w ~ /^imd/) {
		k = w; sub(/^imd/, "kam", k)
		ci = cpu[w] / rate[w] * 10; ck = cpu[k] / rate[k] * 10
		printf "# %s: imd %.0f/s (%d failed), kamailio %.0f/s (%d failed), rate ratio %.2f; server CPU per 1000: imd %.3f s, kamailio %.3f s, kamailio/imd %.2f\n",
		    w, rate[w], fail[w], rate[k], fail[k], rate[w] / rate[k], ci, ck, ck / ci
	}
}' "$RES/message.txt" >> "$RES/message.txt"
cat "$RES/message.txt"
