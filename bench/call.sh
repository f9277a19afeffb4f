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
# Calls through the server, imd against Kamailio (its INVITE proxy with
# digest and record-route, two workers): the same sipp scenarios, a
# whole call each (INVITE, 407, ACK, INVITE with credentials, 100, 180,
# 200, ACK, BYE, 200) from a to a sipp UAS registered as b, one server
# after the other in one run, on 127.0.0.1:15060.
#
#	RATE=500 DUR=15 RUNS=3 [OPEN=0] bench/call.sh
#
# imd needs only a and b: its database is made here, not seeded.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
RATE=${RATE:-500}
DUR=${DUR:-15}
RUNS=${RUNS:-3}
CALL_AUTH_SF=uac_call_auth.xml

start_call_uas() {	# b's device for calls on 15070
	port_free 15070 || { echo "port 15070 is busy" >&2; exit 1; }
	sipp_bg 15070 15072 15085 -sf "$SIPP_DIR/uas_call.xml"
	UAS_PID=$!
	track "$UAS_PID" sipp
	sleep 0.5
}

OUT=$RES/call.txt
start_call_uas
{ echo "# $(date -u +%FT%TZ) calls with digest to a registered sipp UAS" \
    "(INVITE/407/ACK/INVITE/100/180/200/ACK/BYE/200), rate $RATE/s," \
    "DUR=$DUR s, RUNS=$RUNS, median by achieved rate"
  echo "$HDR"; } > "$OUT"
kamailio_start
register_b || exit 1
loops kam-call-auth "$CALL_AUTH_SF" -au a -ap apass >> "$OUT"
stop_pid "$SRV_PID"
IMD_SEED= imd_start
imd_user a apass > /dev/null && imd_user b bpass > /dev/null ||
    { echo "imd: users a and b not added" >&2; exit 1; }
register_b || exit 1
loops imd-call-auth "$CALL_AUTH_SF" -au a -ap apass >> "$OUT"
stop_pid "$SRV_PID"
stop_uas
ratios "$OUT"
cat "$OUT"
