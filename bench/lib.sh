# Shared by the bench scripts: the anchor's load driver, and starting
# each server the same way.  Source it after setting TOP.

ANCHOR=${ANCHOR:-$TOP/../shared/anchor-bench}
export BENCH=$ANCHOR RUN=$TOP/bench/run RES=$TOP/bench/results
mkdir -p "$RUN" "$RES"
: > "$RUN/pids"
. "$ANCHOR/lib.sh"
trap 'stop_all' EXIT
trap 'exit 1' INT TERM

SRV_PID=
srv_pids() { echo "$SRV_PID"; pgrep -P "$SRV_PID"; }
SERVER_PIDS_FN=srv_pids
IMD_RUN=$RUN/imd

kamailio_start() {	# Kamailio 5.6 with digest, two workers
	local krun=$RUN/kamailio
	mkdir -p "$krun"
	port_free 15060 || { echo "port 15060 is busy" >&2; exit 1; }
	kamailio -f "$ANCHOR/kamailio/kamailio.cfg" -A WITH_AUTH -DD -E \
	    -n 2 -N 2 -m 2048 -M 16 -P "$krun/kamailio.pid" -Y "$krun" \
	    -w "$krun" > "$krun/kamailio.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID" kamailio
	wait_ready || exit 1
}

imd_start() {		# imd for bench.test, as root with privilege drop
	rm -rf "$IMD_RUN"
	mkdir -p "$IMD_RUN/empty"
	chmod 755 "$IMD_RUN"
	cat > "$IMD_RUN/relayd.conf" <<CONF
domain "bench.test"
listen on 127.0.0.1 port 15060 udp
database "$IMD_RUN/db"
chroot "$IMD_RUN/empty"
control socket "$IMD_RUN/imd.sock"
user "nobody"
auth algorithms md5 sha-256
CONF
	port_free 15060 || { echo "port 15060 is busy" >&2; exit 1; }
	"$TOP/build/sbin/imd" -d -f "$IMD_RUN/relayd.conf" \
	    > "$IMD_RUN/imd.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID" imd
	wait_ready || exit 1
}

imd_user() {		# imd_user NAME PASSWORD
	echo "$2" | "$TOP/build/bin/imctl" -s "$IMD_RUN/imd.sock" \
	    user add "$1@bench.test"
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
