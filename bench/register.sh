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
# REGISTER with digest authentication, imd against Kamailio: the same sipp
# scenario (REGISTER, 401, REGISTER with credentials, 200) from the same
# user list, one server after the other in one run, on 127.0.0.1:15060.
#
#	NUSERS=10000 RATE=3000 DUR=15 RUNS=3 [OPEN=0] bench/register.sh
#
# Uses the load driver (bench/driver.sh), bench/sipp/uac_register.xml
# and the Kamailio configuration bench/kamailio/registrar.cfg.  Prints the median rows of each server
# (open loop at RATE unless OPEN=0, and closed loop) and the ratios
# imd/Kamailio.  imd's users come from the seeded database (imd_seed),
# which has u0..u99999.  Every process started is stopped by pid.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
NUSERS=${NUSERS:-10000}
RATE=${RATE:-3000}
DUR=${DUR:-15}
RUNS=${RUNS:-3}

USERS=$RUN/bench-users.csv
users_inf "$USERS" "$NUSERS" u pw 127.0.0.1:15098

OUT=$RES/register.txt
{ echo "# $(date -u +%FT%TZ) REGISTER with digest, $NUSERS users," \
    "rate $RATE/s, DUR=$DUR s, RUNS=$RUNS, median by achieved rate"
  echo "$HDR"; } > "$OUT"
imd_seed		# before Kamailio: making it starts an imd
kamailio_start
loops kam-reg uac_register.xml -inf "$USERS" >> "$OUT"
stop_pid "$SRV_PID"
imd_start
loops imd-reg uac_register.xml -inf "$USERS" >> "$OUT"
stop_pid "$SRV_PID"
ratios "$OUT"
cat "$OUT"
