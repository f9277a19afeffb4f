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
# make bench: every workload against Kamailio and imd in one run, closed
# loop only, then one table (also in bench/results/summary.txt).
#
#	DUR=15 RUNS=3 bench/bench.sh	(make bench DUR=5 RUNS=1: a quick look)
#
# Each script writes its own results/<workload>.txt with every column and
# adds its closed-loop median to results/rows.txt (row in lib.sh); this
# file only runs them one after the other and prints the rows side by
# side with the ratio imd/Kamailio.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
RES=$TOP/bench/results
export DUR=${DUR:-15} RUNS=${RUNS:-3} OPEN=0 ROWS=$RES/rows.txt
mkdir -p "$RES"
: > "$ROWS"
# an interrupted script stops what it started and exits 1; this one must
# not go on to the next
trap 'exit 130' INT TERM

FAILED=
for s in register message federation presence call memory; do
	echo "== bench/$s.sh" >&2
	"$TOP/bench/$s.sh" > /dev/null || FAILED="$FAILED $s"
done

# summary: the table, from the rows
summary() {
	awk -v dur="$DUR" -v runs="$RUNS" -v when="$(date -u +%FT%TZ)" '
	function ratio(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
	function line(w, s, k) {
		printf "%-12s %-9s %8s %5s %8s %6s %6s %8s %8s\n", w, s,
		    rate[k], fail[k], cpu[k], p50[k], p99[k], rss[k], pss[k]
	}
	$1 == "memory" { mem[$2, $3] = $4; next }
	{ k = $1 SUBSEP $2; rate[k] = $3; fail[k] = $4; cpu[k] = $5
	  p50[k] = $6; p99[k] = $7; rss[k] = $8; pss[k] = $9 }
	END {
		printf "# %s, DUR=%s s, RUNS=%s (median), closed loop\n",
		    when, dur, runs
		print "# rate: calls/s (NOTIFYs/s for pres-fanout) with the" \
		    " failures beside it; cpu: server CPU s per 1000 calls," \
		    " all its processes; p50/p99: ms; RSS/PSS: peak MiB," \
		    " all its processes"
		printf "%-12s %-9s %8s %5s %8s %6s %6s %8s %8s\n", "workload",
		    "server", "rate", "fail", "cpu", "p50", "p99", "RSS", "PSS"
		n = split("reg msg-auth fed-auth pres-fanout call-auth", ws, " ")
		for (i = 1; i <= n; i++) {
			w = ws[i]; ki = w SUBSEP "imd"; kk = w SUBSEP "kam"
			line(w, "kamailio", kk); line(w, "imd", ki)
			printf "%-12s %-9s %8s %5s %8s %6s %6s %8s %8s\n", w,
			    "imd/kam", ratio(rate[ki], rate[kk]), "",
			    ratio(cpu[ki], cpu[kk]), ratio(p50[ki], p50[kk]),
			    ratio(p99[ki], p99[kk]), ratio(rss[ki], rss[kk]),
			    ratio(pss[ki], pss[kk])
		}
		ke = "msg-auth" SUBSEP "echo"
		line("msg-auth", "echo", ke)
		printf "# imd authenticated MESSAGE: %s %% of the echo" \
		    " ceiling; Kamailio: %s %%\n",
		    rate[ke] ? sprintf("%.1f", rate["msg-auth", "imd"] * 100 / rate[ke]) : "-",
		    rate[ke] ? sprintf("%.1f", rate["msg-auth", "kam"] * 100 / rate[ke]) : "-"
		printf "# memory, bytes of PSS: per binding kamailio %s, imd" \
		    " %s (imd/kam %s; imd database on disk %s more);" \
		    " per subscription (anonymous+shm PSS) kamailio %s," \
		    " imd %s (imd/kam %s)\n",
		    mem["binding", "kam"], mem["binding", "imd"],
		    ratio(mem["binding", "imd"], mem["binding", "kam"]),
		    mem["binding-on-disk", "imd"],
		    mem["subscription", "kam"], mem["subscription", "imd"],
		    ratio(mem["subscription", "imd"], mem["subscription", "kam"])
	}' "$ROWS"
}

summary > "$RES/summary.txt"
[ -z "$FAILED" ] ||
    echo "# these scripts failed (see their output):$FAILED" >> "$RES/summary.txt"
cat "$RES/summary.txt"
[ -z "$FAILED" ]
