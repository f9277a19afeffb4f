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
# MESSAGE with digest authentication to a registered user agent, imd
# against Kamailio: the same sipp scenarios (MESSAGE, 407, MESSAGE with
# credentials, 200 from a sipp UAS registered as b), one server after the
# other in one run, on 127.0.0.1:15060.
#
#	RATE=2000 DUR=15 RUNS=3 [OPEN=0] [ECHO=0] bench/message.sh
#
# Uses the load driver (bench/driver.sh), the scenarios of bench/sipp and
# the Kamailio configuration bench/kamailio/registrar.cfg.
# Then (unless ECHO=0) the same scenario against bench/sipecho.c, an echo
# responder which answers 200 at once: the ceiling of the machine, with
# no server and no UAS (echo-msg-auth rows).  Every process started is
# stopped by pid.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
RATE=${RATE:-2000}
DUR=${DUR:-15}
RUNS=${RUNS:-3}
ECHO=${ECHO:-1}			# also the echo ceiling
echo_pids() { echo "$SRV_PID"; }

# echo_start: the trivial UDP responder bench/sipecho.c on 127.0.0.1:15099, built
# here (bench/run), as the ceiling of this machine for the same scenario
echo_start() {
	cc -O2 -o "$RUN/sipecho" "$TOP/bench/sipecho.c" || exit 1
	port_free 15099 || { echo "port 15099 is busy" >&2; exit 1; }
	"$RUN/sipecho" 127.0.0.1 15099 &
	SRV_PID=$!
	track "$SRV_PID" sipecho
	sleep 0.2
}

OUT=$RES/message.txt
imd_seed		# before Kamailio: making it starts an imd
start_uas
{ echo "# $(date -u +%FT%TZ) MESSAGE with digest to a registered sipp" \
    "UAS, rate $RATE/s, DUR=$DUR s, RUNS=$RUNS, median by achieved rate"
  echo "$HDR"; } > "$OUT"
kamailio_start
register_b || exit 1
loops kam-msg-auth "$MSG_AUTH_SF" -au a -ap apass >> "$OUT"
stop_pid "$SRV_PID"
imd_start
register_b || exit 1
loops imd-msg-auth "$MSG_AUTH_SF" -au a -ap apass >> "$OUT"
stop_pid "$SRV_PID"
stop_uas
if [ "$ECHO" = 1 ]; then
	echo_start
	SERVER_PIDS_FN=echo_pids TARGET=127.0.0.1:15099
	loops echo-msg-auth "$MSG_AUTH_SF" -au a -ap apass >> "$OUT"
	stop_pid "$SRV_PID"
fi
ratios "$OUT"
cat "$OUT"
