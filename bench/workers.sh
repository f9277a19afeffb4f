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
# listener workers 1 against 2 (or WORKERS_LIST), imd alone, closed loop:
# REGISTER with digest (bench/register.sh's scenario) and MESSAGE with
# digest to a registered sipp UAS (bench/message.sh's), sipp on the same
# cores; for each, the rate, the server CPU per 1,000 calls and how that
# CPU splits between the processes (listener = all its workers).  The
# caller's sipp opens a socket per call (-t un): the kernel spreads the
# calls over the workers by their source ports (from one port they would
# all meet one worker).
#
#	DUR=15 RUNS=3 [NUSERS=10000] [WORKERS_LIST="1 2"] bench/workers.sh
#
# Every process started is stopped by pid.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
NUSERS=${NUSERS:-10000}
DUR=${DUR:-15}
RUNS=${RUNS:-3}
OPEN=0

USERS=$RUN/bench-users.csv
users_inf "$USERS" "$NUSERS" u pw 127.0.0.1:15098

# cpu_by_process: "name nanoseconds" for every child of the suite, the
# workers of the listener added up, from the scheduler's own sums.
cpu_by_process() {
	local pid name
	for pid in $(pgrep -P "$SRV_PID"); do
		name=$(tr '\0' ' ' < /proc/"$pid"/cmdline 2>/dev/null |
		    sed -n 's/^imd: \([a-z]*\).*/\1/p')
		[ -n "$name" ] || continue
		echo "$name $(cat /proc/"$pid"/task/*/schedstat 2>/dev/null |
		    awk '{ s += $1 } END { print s + 0 }')"
	done | awk '{ s[$1] += $2 } END { for (n in s) print n, s[n] }' |
	    sort
}

# split BEFORE AFTER: each process's share of the server CPU between the
# two snapshots, in per cent.
split() {
	join "$1" "$2" | awk '{ d[$1] = $3 - $2; t += $3 - $2 }
	    END { for (n in d) printf "%s %.1f%% ", n, (t ? d[n] * 100 / t : 0)
		  print "" }'
}

OUT=$RES/workers.txt
{ echo "# $(date -u +%FT%TZ) listener workers, imd alone, closed loop," \
    "$NUSERS users, DUR=$DUR s, RUNS=$RUNS, median by achieved rate"
  echo "$HDR"; } > "$OUT"
imd_seed
start_uas
for w in ${WORKERS_LIST:-1 2}; do
	WORKERS=$w imd_start
	cpu_by_process > "$RUN/cpu0"
	loops imd-reg-w$w uac_register.xml -t un -max_socket 4096 \
	    -inf "$USERS" >> "$OUT"
	cpu_by_process > "$RUN/cpu1"
	echo "# reg, $w worker(s), server CPU by process:" \
	    "$(split "$RUN/cpu0" "$RUN/cpu1")" >> "$OUT"
	register_b || exit 1
	cpu_by_process > "$RUN/cpu0"
	loops imd-msg-w$w "$MSG_AUTH_SF" -t un -max_socket 4096 \
	    -au a -ap apass >> "$OUT"
	cpu_by_process > "$RUN/cpu1"
	echo "# msg, $w worker(s), server CPU by process:" \
	    "$(split "$RUN/cpu0" "$RUN/cpu1")" >> "$OUT"
	stop_pid "$SRV_PID"
done
stop_uas
cat "$OUT"
