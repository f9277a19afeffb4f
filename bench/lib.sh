# Shared by the bench scripts: the anchor's load driver, and starting
# each server the same way.  Source it after setting TOP.

# The anchor's benchmark kit lives beside the checkout (../shared), for
# /work/main and its worktrees alike; ANCHOR overrides it.
ANCHOR=${ANCHOR:-$TOP/../shared/anchor-bench}
[ -f "$ANCHOR/lib.sh" ] || { echo "no anchor-bench at $ANCHOR:" \
    "set ANCHOR to the shared anchor-bench directory" >&2; exit 1; }
export BENCH=$ANCHOR RUN=$TOP/bench/run RES=$TOP/bench/results
mkdir -p "$RUN" "$RES"
. "$ANCHOR/lib.sh"
# one list of started processes per script, not the anchor's shared one:
# the soak runs beside the comparisons, and each stops only its own
PIDS=$RUN/pids.$$
: > "$PIDS"
trap 'stop_all; rm -f "$PIDS"' EXIT
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

# addr_free ADDRESS PORT: no UDP or TCP socket listens on ADDRESS:PORT or on
# the wildcard address at PORT (port_free in the anchor looks at the port
# only, which two servers on 127.0.0.1 and 127.0.0.2 share)
addr_free() {
	! ss -Hlnut | awk -v a="$1:$2" -v p=":$2" '
	    $5 == a || $5 == "0.0.0.0" p || $5 == "*" p || $5 == "[::]" p {
		found = 1 }
	    END { exit !found }'
}

# imd_start [DOMAIN [ADDRESS [RUNDIR [EXTRA]]]]: a suite for DOMAIN
# (bench.test) on ADDRESS (127.0.0.1) port IMD_PORT (15060) udp, as root
# with privilege drop, its configuration, database, socket and log in
# RUNDIR ($IMD_RUN), EXTRA (lines) appended to its relayd.conf.  Sets SRV_PID.
imd_start() {
	local dom=${1:-bench.test} addr=${2:-127.0.0.1} dir=${3:-$IMD_RUN}
	local extra=${4:-} port=${IMD_PORT:-15060}

	rm -rf "$dir"
	mkdir -p "$dir/empty"
	chmod 755 "$dir"
	cat > "$dir/relayd.conf" <<CONF
domain "$dom"
listen on $addr port $port udp
database "$dir/db"
chroot "$dir/empty"
control socket "$dir/imd.sock"
user "nobody"
auth algorithms md5 sha-256
CONF
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
# ("user;password;..." lines) as imd_user does, four imctl at a time:
# one after the other, 10,000 users took about a minute
imd_users() {
	awk -F';' 'NF >= 2 { print $1, $2 }' "$1" |
	    IMCTL=$TOP/build/bin/imctl SOCK=${3:-$IMD_RUN}/imd.sock \
	    DOM=${2:-bench.test} xargs -P 4 -n 2 sh -c \
	    'echo "$2" | "$IMCTL" -s "$SOCK" user add "$1@$DOM" > /dev/null' sh
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
