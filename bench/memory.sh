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
# Memory per binding and per subscription, imd against Kamailio.
#
#	BINDINGS=100000 SUBS=10000 bench/memory.sh
#
# Bindings: BINDINGS users u<i> each REGISTER once with digest (the
# bench/sipp/uac_register.xml, closed loop, CAPL in flight) against a fresh
# server; the PSS of all the server's processes is read before and after
# (SETTLE s of quiet first), and a binding costs the growth / BINDINGS.
# Kamailio keeps usrloc in shared memory (db_mode 0, in
# bench/kamailio/registrar.cfg), so that is all of it.  imd keeps bindings in dirdb's
# Berkeley DB: its pages live in the mpool cache, a file mapping sized at
# start from the database (64 MB at least) that the PSS of dirdb counts
# as it is touched, and in the database files, which the kernel caches as it likes and
# which belong to no process.  So imd's figure is the PSS growth of its
# processes, and the growth of the database directory on disk is given
# beside it, per binding, not added in: it is disk (and page cache while
# there is memory to spare), not memory the server holds.  The "data"
# columns are the PSS of anonymous and shared-anonymous memory only
# (heap, Kamailio's shm), which does not move when other processes map
# or unmap the same libraries.
#
# Subscriptions: bench/presence.sh with SUBS watchers of one presentity
# and no PUBLISH: its subRSS and subPSS columns are the growth per
# subscription of RSS and of anonymous+shm PSS over the SUBSCRIBEs.
#
# Writes bench/results/memory.txt; rows for make bench's summary.  Every
# process started is stopped by pid.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
BINDINGS=${BINDINGS:-100000}
SUBS=${SUBS:-10000}
SETTLE=${SETTLE:-3}
OUT=$RES/memory.txt

USERS=$RUN/memory-users.csv
users_inf "$USERS" "$BINDINGS" u pw 127.0.0.1:15098

# register_all: every user of USERS once, closed loop; "ok failed"
register_all() {
	local stf=$RUN/memory-reg-$$.csv
	rm -f "$stf"
	timeout $((BINDINGS / 100 + 60)) sipp "$TARGET" \
	    -sf "$SIPP_DIR/uac_register.xml" -inf "$USERS" -p 15062 \
	    -mp 15080 -cp 15087 $SIPPC -r 1000000 -rp 1000 -l "$CAPL" \
	    -m "$BINDINGS" -trace_stat -stf "$stf" -fd 1 \
	    > "$RUN/memory-reg.out" 2>&1
	awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	    { ok = $col["SuccessfulCall(C)"]; fl = $col["FailedCall(C)"] }
	    END { print ok + 0, fl + 0 }' "$stf"
}

dbkb() {			# kB of imd's database directory on disk
	if [ -n "${1:-}" ]; then du -sk "$1" | cut -f1; else echo 0; fi
}

# per_binding NAME [DBDIR]: the result line for the server running now
per_binding() {
	local m0 m1 d0 d1 reg
	sleep "$SETTLE"
	m0=$(memkb_data $(srv_pids)); d0=$(dbkb "${2:-}")
	reg=$(register_all)
	sleep "$SETTLE"
	m1=$(memkb_data $(srv_pids)); d1=$(dbkb "${2:-}")
	echo "$1 $reg $m0 $m1 $d0 $d1" | awk '{
	    n = $2 > 0 ? $2 : 1
	    printf "%-14s %7d %6d %8.1f %8.1f %7.0f %7.0f %7.0f %7.0f\n",
		$1, $2, $3, $5 / 1024, $8 / 1024, ($8 - $5) * 1024 / n,
		($9 - $6) * 1024 / n, ($7 - $4) * 1024 / n,
		($11 - $10) * 1024 / n }'
}
BHDR="server            bound failed  PSS0MiB  PSS1MiB PSS/b_B dat/b_B RSS/b_B dbdisk/b_B"

imd_seed		# before Kamailio: making it starts an imd
{ echo "# $(date -u +%FT%TZ) memory per binding: $BINDINGS users" \
    "REGISTER once each with digest; per subscription: $SUBS SUBSCRIBEs"
  echo "# PSS0/PSS1: all the server's processes before/after; PSS/b," \
    "dat/b (anonymous+shm PSS), RSS/b: growth per binding in bytes;" \
    "dbdisk/b: growth of imd's database directory on disk per binding"
  echo "$BHDR"; } > "$OUT"
kamailio_start
per_binding kam-bindings >> "$OUT"
stop_pid "$SRV_PID"
imd_start
per_binding imd-bindings "$IMD_RUN/db" >> "$OUT"
stop_pid "$SRV_PID"

WATCHERS=$SUBS PUBLISHES=0 SUB_RATE=${SUB_RATE:-1000} ROWS=/dev/null \
    PRES_OUT=$RUN/memory-subs.txt "$TOP/bench/presence.sh" > /dev/null
echo "# per subscription, from bench/presence.sh with $SUBS watchers:" \
    "subRSS, subPSS (anonymous+shm) in KiB" >> "$OUT"
grep -E '^(kam|imd)-pres' "$RUN/memory-subs.txt" |
    awk '{ printf "%-14s subs %s subRSS %s KiB subPSS %s KiB\n",
	$1 == "kam-pres-fanout" ? "kam-subs" : "imd-subs", $3, $14, $15 }' \
    >> "$OUT"

# the summary rows: bytes per binding (PSS) and per subscription
# (anonymous+shm PSS)
awk '$1 ~ /-bindings$/ { split($1, n, "-"); print "memory binding", n[1], $6
	if (n[1] == "imd") print "memory binding-on-disk imd", $9 }
    $1 ~ /-subs$/ { split($1, n, "-")
	print "memory subscription", n[1], $8 * 1024 }' "$OUT" \
    >> "${ROWS:-$RES/rows.txt}"
cat "$OUT"
