#!/bin/bash
# REGISTER with digest authentication, imd against Kamailio: the same sipp
# scenario (REGISTER, 401, REGISTER with credentials, 200) from the same
# user list, one server after the other in one run, on 127.0.0.1:15060.
#
#	NUSERS=20000 RATE=3000 DUR=15 RUNS=3 bench/register.sh
#
# Uses the load driver and the Kamailio configuration of
# ../shared/anchor-bench (ANCHOR).  Prints the median rows of each server
# and the ratios imd/Kamailio.  Every process started is stopped by pid.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
ANCHOR=${ANCHOR:-$TOP/../shared/anchor-bench}
export BENCH=$ANCHOR RUN=$TOP/bench/run RES=$TOP/bench/results
mkdir -p "$RUN" "$RES"
: > "$RUN/pids"
. "$ANCHOR/lib.sh"
NUSERS=${NUSERS:-20000}
RATE=${RATE:-3000}
DUR=${DUR:-15}
RUNS=${RUNS:-3}
trap 'stop_all' EXIT
trap 'exit 1' INT TERM

USERS=$RUN/bench-users.csv
{ echo SEQUENTIAL
  awk -v n="$NUSERS" 'BEGIN { for (i = 0; i < n; i++)
	printf "u%d;pw%d;127.0.0.1:15098\n", i, i }'; } > "$USERS"

SRV_PID=
srv_pids() { echo "$SRV_PID"; pgrep -P "$SRV_PID"; }
SERVER_PIDS_FN=srv_pids

run_both_loops() {	# run_both_loops NAME: open loop at RATE, closed loop
	measure "$1" uac_register.xml "$RATE" -inf "$USERS"
	echo "$MEDIAN"
	measure "$1-cl" uac_register.xml 0 -inf "$USERS"
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
	run_both_loops kam-reg
	stop_pid "$SRV_PID"
}

imd_run() {
	local irun=$RUN/imd i
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
	echo "adding $NUSERS users" >&2
	for i in $(seq 0 $((NUSERS - 1))); do
		echo "pw$i" | "$TOP/build/bin/imctl" -s "$irun/imd.sock" \
		    user add "u$i@bench.test" || exit 1
	done
	run_both_loops imd-reg
	stop_pid "$SRV_PID"
}

{ echo "# $(date -u +%FT%TZ) REGISTER with digest, $NUSERS users," \
    "rate $RATE/s, DUR=$DUR s, RUNS=$RUNS, median by achieved rate"
  echo "$HDR"; } > "$RES/register.txt"
kamailio_run >> "$RES/register.txt"
imd_run >> "$RES/register.txt"

awk 'NR > 2 { rate[$1] = $3; cpu[$1] = $8; fail[$1] = $5 }
END {
	for (w in rate) if (w ~ /^imd/) {
		k = w; sub(/^imd/, "kam", k)
		# CPU per 1000 registrations: % of a core / rate * 10 s
		ci = cpu[w] / rate[w] * 10; ck = cpu[k] / rate[k] * 10
		printf "# %s: imd %.0f/s (%d failed), kamailio %.0f/s (%d failed), rate ratio %.2f; server CPU per 1000: imd %.3f s, kamailio %.3f s, kamailio/imd %.2f\n",
		    w, rate[w], fail[w], rate[k], fail[k], rate[w] / rate[k], ci, ck, ck / ci
	}
}' "$RES/register.txt" >> "$RES/register.txt"
cat "$RES/register.txt"
