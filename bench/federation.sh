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
# MESSAGE with digest authentication across two domains, imd against
# Kamailio in one run with the same sipp workload: a of bench.test
# (server on 127.0.0.1:15060) sends a MESSAGE to b of bench2.test (server
# on 127.0.0.2:15060); its own server challenges it (407), authenticates
# the retry and relays it to the other server, which delivers it without a
# challenge to b's binding (bench/sipp/uas_message.xml, registered with
# digest); the 200 comes back the same way.  The srvCPU, RSS and PSS
# columns sum both servers and all their processes.
#
#	RATE=2000 DUR=15 RUNS=3 [OPEN=0] bench/federation.sh
#
# Uses the load driver (bench/driver.sh), the scenarios of bench/sipp and
# the Kamailio configuration bench/kamailio/federation.cfg, one instance
# per domain.  Rows: open
# loop at RATE (unless OPEN=0), and closed loop (-cl) with CAPL calls in
# flight.  Every process started is stopped by pid.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
RATE=${RATE:-2000}
DUR=${DUR:-15}
RUNS=${RUNS:-3}

DOM1=bench.test ADDR1=127.0.0.1		# a's domain, the one sipp talks to
DOM2=bench2.test ADDR2=127.0.0.2	# b's domain
MSG_SF=uac_message_auth_remote.xml
REG_SF=$TOP/bench/sipp/uac_register_domain.xml

PEER_PID=
fed_pids() {		# both servers, parents and children
	local p
	for p in $SRV_PID $PEER_PID; do echo "$p"; pgrep -P "$p"; done
}
SERVER_PIDS_FN=fed_pids

# kam_fed_start DOMAIN ADDRESS PEER_DOMAIN PEER_ADDRESS: one Kamailio
# instance as kamailio_start runs its own, with digest and two
# workers; sets SRV_PID
kam_fed_start() {
	local krun=$RUN/kamailio-$1
	mkdir -p "$krun"
	addr_free "$2" 15060 || { echo "$2 port 15060 is busy" >&2; exit 1; }
	kamailio -f "$TOP/bench/kamailio/federation.cfg" -A WITH_AUTH \
	    -A "DOMAIN=\"$1\"" -A "LISTEN_ADDR=$2" -A "PEER_DOMAIN=\"$3\"" \
	    -A "PEER_ADDR=\"$4:15060\"" -DD -E -n 2 -m 2048 -M 16 \
	    -P "$krun/kamailio.pid" -Y "$krun" -w "$krun" \
	    > "$krun/kamailio.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID" kamailio
	TARGET=$2:15060 wait_ready || exit 1
}

# b -> the sipp UAS on 127.0.0.1:15070, at the server of bench2.test
register_b_remote() {
	printf 'SEQUENTIAL\nb;bpass;127.0.0.1:15070;%s\n' "$DOM2" \
	    > "$RUN/reg_b_remote.csv"
	timeout 30 sipp "$ADDR2:15060" -sf "$REG_SF" \
	    -inf "$RUN/reg_b_remote.csv" -p 15061 -mp 15076 -cp 15086 \
	    $SIPPC -m 1 > "$RUN/reg_b_remote.out" 2>&1 ||
	    { echo "register b@$DOM2 failed" >&2; return 1; }
}

stop_servers() {
	stop_pid "$SRV_PID"
	stop_pid "$PEER_PID"
	SRV_PID= PEER_PID=
}

OUT=$RES/federation.txt
start_uas
{ echo "# $(date -u +%FT%TZ) MESSAGE with digest from a@$DOM1 ($ADDR1)" \
    "to b@$DOM2 ($ADDR2) and a sipp UAS, rate $RATE/s, DUR=$DUR s," \
    "RUNS=$RUNS, median by achieved rate; srvCPU, RSS, PSS: both servers"
  echo "$HDR"; } > "$OUT"

kam_fed_start "$DOM2" "$ADDR2" "$DOM1" "$ADDR1"
PEER_PID=$SRV_PID
kam_fed_start "$DOM1" "$ADDR1" "$DOM2" "$ADDR2"
register_b_remote || exit 1
loops kam-fed-auth "$MSG_SF" -au a -ap apass >> "$OUT"
stop_servers

# routes both ways, as the Kamailio pair has; only the first is used
imd_start "$DOM2" "$ADDR2" "$RUN/imd-$DOM2" \
    "route \"$DOM1\" via $ADDR1 port 15060"
PEER_PID=$SRV_PID
imd_user b bpass "$DOM2" "$RUN/imd-$DOM2" || exit 1
imd_start "$DOM1" "$ADDR1" "$RUN/imd-$DOM1" \
    "route \"$DOM2\" via $ADDR2 port 15060"
imd_user a apass "$DOM1" "$RUN/imd-$DOM1" || exit 1
register_b_remote || exit 1
loops imd-fed-auth "$MSG_SF" -au a -ap apass >> "$OUT"
stop_servers

stop_uas
ratios "$OUT"
cat "$OUT"
