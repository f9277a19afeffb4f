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
# Shared by the bench scripts: the load driver (bench/driver.sh), and
# starting each server the same way.  Source it after setting TOP.

export RUN=$TOP/bench/run RES=$TOP/bench/results
mkdir -p "$RUN" "$RES"
# one list of started processes per script: the soak runs beside the
# comparisons, and each stops only its own
PIDS=$RUN/pids.$$
: > "$PIDS"
. "$TOP/bench/driver.sh"
trap 'stop_all; rm -f "$PIDS"' EXIT
trap 'exit 1' INT TERM

# load, as the driver's, with four more columns: p50 and p99 of sipp's
# per-call response time (-trace_rtt: from the first request of a call to
# its final response, whole milliseconds as sipp's clock has them; the
# same for every server) and the peak RSS and PSS of the server's
# processes, sampled every second and at the end, in MiB
eval "driver_$(declare -f load)"
HDR="$HDR   p50ms  p99ms pkRSSMiB pkPSSMiB"
load() {
	local dir=$RUN/load.$$ line sampler
	rm -rf "$dir"
	mkdir -p "$dir"
	peak_mem "$dir/peak" $($SERVER_PIDS_FN) > /dev/null &
	sampler=$!
	track "$sampler" "$(cat /proc/$sampler/comm)"
	line=$(cd "$dir" && driver_load "$@" -trace_rtt -rtt_freq 1000)
	stop_pid "$sampler"
	echo "$line $(rtt_pct "$dir"/*_rtt.csv)" \
	    "$(awk -v l="$line" '{ split(l, f, " ")
		r = $1 / 1024; p = $2 / 1024
		printf "%8.1f %8.1f", (r > f[12] ? r : f[12]),
		    (p > f[13] ? p : f[13]) }' "$dir/peak")"
}

# peak_mem FILE PIDS...: until stopped, "rss pss" (kB) of the highest
# sums of PIDS seen so far, in FILE
peak_mem() {
	local f=$1 r=0 p=0 m; shift
	echo "0 0" > "$f"
	while :; do
		m=$(memkb "$@")
		[ "${m% *}" -gt "$r" ] && r=${m% *}
		[ "${m#* }" -gt "$p" ] && p=${m#* }
		echo "$r $p" > "$f"
		sleep 1
	done
}

# memkb_data PIDS: "rss pss data" in kB summed over PIDS, data being the
# PSS of anonymous and shared-anonymous memory (heap, Kamailio's shm):
# unlike the whole PSS, it does not move when another process maps or
# unmaps the same libraries, so it is what a subscription costs
memkb_data() {
	local p
	for p in "$@"; do cat /proc/$p/smaps_rollup 2>/dev/null; done |
	    awk '$1 == "Rss:" { r += $2 } $1 == "Pss:" { s += $2 }
		$1 == "Pss_Anon:" || $1 == "Pss_Shmem:" { d += $2 }
		END { print r + 0, s + 0, d + 0 }'
}

# rtt_pct FILES...: "p50 p99" of the response times (ms) in sipp -trace_rtt
# files
rtt_pct() {
	awk -F';' 'FNR > 1 { print $2 }' "$@" | sort -n | pct
}
pct() {				# "p50 p99" of the sorted numbers on stdin
	awk '{ v[NR] = $1 }
	    END { if (!NR) { printf "%6s %6s", "-", "-"; exit }
		printf "%6d %6d", v[int((NR + 1) / 2)], v[int(NR * 0.99 + 0.999)] }'
}

# loops NAME SCENARIO [sipp args]: with OPEN=1 (the default) RUNS open-
# loop runs at RATE, then always RUNS closed-loop runs (NAME-cl); prints
# each median and keeps the closed-loop one for the summary (row)
loops() {
	local name=$1 sf=$2; shift 2
	if [ "${OPEN:-1}" = 1 ]; then
		measure "$name" "$sf" "$RATE" "$@"
		echo "$MEDIAN"
	fi
	measure "$name-cl" "$sf" 0 "$@"
	echo "$MEDIAN"
	row "${name#*-}" "${name%%-*}" $(echo "$MEDIAN" |
	    awk '{ printf "%d %d %.4f %s %s %s %s\n", $3, $5,
		($3 > 0 ? $8 / $3 * 10 : 0), $15, $16, $17, $18 }')
}

# row WORKLOAD SERVER RATE FAILED CPU P50 P99 RSS PSS: one line of the
# summary of make bench (bench/bench.sh), in $RES/rows.txt; CPU in server
# seconds per 1000 calls, P50/P99 in ms, RSS/PSS peak MiB
row() {
	echo "$*" >> "${ROWS:-$RES/rows.txt}"
}

MSG_AUTH_SF=uac_message_auth.xml

SRV_PID=
srv_pids() { echo "$SRV_PID"; pgrep -P "$SRV_PID"; }
SERVER_PIDS_FN=srv_pids
IMD_RUN=$RUN/imd

kamailio_start() {	# Kamailio 5.6 with digest, two workers
	local krun=$RUN/kamailio
	mkdir -p "$krun"
	port_free 15060 || { echo "port 15060 is busy" >&2; exit 1; }
	kamailio -f "$TOP/bench/kamailio/registrar.cfg" -A WITH_AUTH -DD -E \
	    -n 2 -N 2 -m 2048 -M 16 -P "$krun/kamailio.pid" -Y "$krun" \
	    -w "$krun" > "$krun/kamailio.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID" kamailio
	wait_ready || exit 1
}

# addr_free ADDRESS PORT: no UDP or TCP socket listens on ADDRESS:PORT or on
# the wildcard address at PORT (port_free looks at the port only, which
# two servers on 127.0.0.1 and 127.0.0.2 share)
addr_free() {
	! ss -Hlnut | awk -v a="$1:$2" -v p=":$2" '
	    $5 == a || $5 == "0.0.0.0" p || $5 == "*" p || $5 == "[::]" p {
		found = 1 }
	    END { exit !found }'
}

# imd_start [DOMAIN [ADDRESS [RUNDIR [EXTRA]]]]: a suite for DOMAIN
# (bench.test) on ADDRESS (127.0.0.1) port IMD_PORT (15060) udp, as root
# with privilege drop, its configuration, database, socket and log in
# RUNDIR ($IMD_RUN), EXTRA (lines) appended to its relayd.conf; with
# IMD_SEED, a copy of that database (see imd_seed); with WORKERS, that
# many listener workers (else the default, one per core).  Sets SRV_PID.
imd_start() {
	local dom=${1:-bench.test} addr=${2:-127.0.0.1} dir=${3:-$IMD_RUN}
	local extra=${4:-} port=${IMD_PORT:-15060}

	rm -rf "$dir"
	mkdir -p "$dir/empty"
	[ -z "${IMD_SEED:-}" ] || cp -a "$IMD_SEED" "$dir/db"
	chmod 755 "$dir"
	cat > "$dir/relayd.conf" <<CONF
domain "$dom"
listen on $addr port $port udp
database "$dir/db"
chroot "$dir/empty"
control socket "$dir/imd.sock"
user "nobody"
auth algorithms md5 sha-256
# One sipp on 127.0.0.1 stands in for thousands of clients, with CAPL
# calls in flight, as one peer server in federation.sh does for all of
# its domain: the per-source bounds, meant for one stranger, would refuse
# the load itself.  The totals stay as they are by default.
limit held-requests-per-address 16384
limit held-bytes-per-address 64M
CONF
	[ -z "${WORKERS:-}" ] ||
	    echo "listener workers $WORKERS" >> "$dir/relayd.conf"
	[ -z "$extra" ] || echo "$extra" >> "$dir/relayd.conf"
	addr_free "$addr" "$port" ||
	    { echo "$addr port $port is busy" >&2; exit 1; }
	"$TOP/build/sbin/imd" -d -f "$dir/relayd.conf" > "$dir/imd.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID" imd
	TARGET=$addr:$port wait_ready || exit 1
}

# imd_user NAME PASSWORD [DOMAIN [RUNDIR]]: add NAME@DOMAIN (bench.test)
# to the suite whose files are in RUNDIR ($IMD_RUN)
imd_user() {
	echo "$2" | "$TOP/build/bin/imctl" -s "${4:-$IMD_RUN}/imd.sock" \
	    user add "$1@${3:-bench.test}"
}

# imd_users CSV [DOMAIN [RUNDIR]]: add every user of an injection file
# ("user;password;..." lines) with one imctl user import (110,000 users
# in about two seconds; one imctl user add each took 19 minutes)
imd_users() {
	awk -F';' -v d="${2:-bench.test}" 'NF >= 2 { print $1 "@" d, $2 }' \
	    "$1" | "$TOP/build/bin/imctl" -s "${3:-$IMD_RUN}/imd.sock" \
	    user import - > /dev/null
}

# users_inf FILE N NAME PASSWORD CONTACT: a sipp injection file of the
# users NAME0..NAME<N-1>, passwords PASSWORD0.., Contact host:port CONTACT
users_inf() {
	{ echo SEQUENTIAL
	  awk -v n="$2" -v u="$3" -v p="$4" -v c="$5" 'BEGIN {
		for (i = 0; i < n; i++) printf "%s%d;%s%d;%s\n", u, i, p, i, c }'
	} > "$1"
}

# seed_csv: the users every comparison needs, one injection file: a, b,
# p, w0..w9999 and u0..u99999, each user's password as the scenarios
# and the Kamailio configurations know it
seed_csv() {
	{ printf 'a;apass\nb;bpass\np;ppass\n'
	  awk 'BEGIN { for (i = 0; i < 10000; i++) printf "w%d;wpw%d\n", i, i
		for (i = 0; i < 100000; i++) printf "u%d;pw%d\n", i, i }'; }
}

# imd_seed: sets IMD_SEED to a database holding the users of seed_csv in
# bench.test, made once and kept in bench/run; the name carries a hash of
# dirdb's record format, so a change there makes a new one.
imd_seed() {
	local key dir
	key=$(cat "$TOP"/dirdb/record.[ch] | md5sum | cut -c1-12)
	IMD_SEED=$RUN/seed-$key
	[ -d "$IMD_SEED" ] && return 0
	echo "making the user database $IMD_SEED (once)" >&2
	dir=$RUN/seed-build
	seed_csv > "$RUN/seed.csv"
	IMD_SEED= imd_start bench.test 127.0.0.1 "$dir"
	imd_users "$RUN/seed.csv" bench.test "$dir" ||
	    { echo "adding the users failed" >&2; exit 1; }
	stop_pid "$SRV_PID"
	mv "$dir/db" "$IMD_SEED"
}

# ratios FILE: for each imd row the matching Kamailio row, as ratios.
ratios() {
	awk 'NR > 2 && $1 !~ /^#/ { rate[$1] = $3; cpu[$1] = $8;
	    fail[$1] = $5 }
	END {
		for (w in rate) if (w ~ /^imd/) {
			k = w; sub(/^imd/, "kam", k)
			ci = cpu[w] / rate[w] * 10; ck = cpu[k] / rate[k] * 10
			printf "# %s: imd %.0f/s (%d failed), kamailio %.0f/s (%d failed), rate ratio %.2f; server CPU per 1000: imd %.3f s, kamailio %.3f s, kamailio/imd %.2f\n",
			    w, rate[w], fail[w], rate[k], fail[k],
			    rate[w] / rate[k], ci, ck, ck / ci
		}
	}' "$1" >> "$1"
}
