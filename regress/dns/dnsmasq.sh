# Shell helper for the dns tests: source it, then dnsmasq_start PORT.
# It starts a dnsmasq on 127.0.0.1 PORT that knows only the zone below
# (dns_test.c describes it), with a TTL of 2 s so that answers expire
# during a test, and logs its queries to $T/dnsmasq.log.  The work
# directory $T and the dnsmasq go when the test exits, also on failure.
# Without dnsmasq the test is skipped; a dnsmasq that does not start
# (the port is taken) is a failure.

if [ -z "$IMD_BUILD" ]; then
	echo "1..0 # SKIP IMD_BUILD is not set: run under make check"
	exit 0
fi
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
if [ ! -x "$DNSMASQ" ]; then
	echo "1..0 # SKIP dnsmasq is not installed"
	exit 0
fi

T=$(mktemp -d /tmp/imd-dns.XXXXXX) || exit 1
DNSMASQ_PID=
dnsmasq_cleanup() {
	if [ -n "$DNSMASQ_PID" ]; then
		kill -TERM "$DNSMASQ_PID" 2>/dev/null
		wait "$DNSMASQ_PID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap dnsmasq_cleanup EXIT
trap 'exit 1' INT TERM

# big.test has more SRV records than fit in a UDP answer, and than
# dns.c keeps: h01 to h20, priority 1 to 20, each with an address.
dnsmasq_big() {
	for i in $(seq 1 20); do
		h=$(printf 'h%02d-padding-padding-padding-padding-padding' $i)
		echo "--srv-host=_sip._tcp.big.test,$h.big.test,5060,$i,0"
		echo "--host-record=$h.big.test,127.0.1.$i"
	done
}

# --keep-in-foreground, not --no-daemon: in debug mode dnsmasq serves a
# TCP connection in its only process, and c-ares keeps its connection
# open.  --user: started as root it would become nobody, who cannot
# write the log in $T.
dnsmasq_start() {
	"$DNSMASQ" --keep-in-foreground --conf-file=/dev/null --pid-file= \
	    --no-resolv --no-hosts --port="$1" --listen-address=127.0.0.1 \
	    --bind-interfaces --user="$(id -un)" \
	    --log-queries --log-facility="$T/dnsmasq.log" \
	    --local=/test/ --local-ttl=2 \
	    --srv-host=_sip._tcp.site2.test,sip.site2.test,5070,10,0 \
	    --srv-host=_sip._udp.site2.test,sip.site2.test,5060,20,0 \
	    --srv-host=_sip._udp.site2.test,sip2.site2.test,5062,10,0 \
	    --host-record=sip.site2.test,127.0.0.2 \
	    --host-record=sip2.site2.test,127.0.0.3 \
	    --srv-host=_sips._tcp.site3.test,tls.site3.test,5061,10,0 \
	    --srv-host=_sip._tcp.site3.test,tls.site3.test,5060,10,0 \
	    --host-record=tls.site3.test,127.0.0.4,::1 \
	    --host-record=site4.test,127.0.0.5 \
	    --srv-host=_sip._udp.site5.test,a.site5.test,5060,10,50 \
	    --srv-host=_sip._udp.site5.test,b.site5.test,5060,10,50 \
	    --host-record=a.site5.test,127.0.0.6 \
	    --host-record=b.site5.test,127.0.0.7 \
	    --srv-host=_sip._udp.site6.test,nowhere.site6.test,5060,10,0 \
	    --srv-host=_sip._tcp.site7.test \
	    --host-record=site7.test,127.0.0.8 \
	    $(dnsmasq_big) \
	    > "$T/dnsmasq.out" 2>&1 &
	DNSMASQ_PID=$!
	# Ready when its log says so.
	n=0
	until grep -q 'started' "$T/dnsmasq.log" 2>/dev/null; do
		n=$((n + 1))
		if [ $n -gt 100 ] || ! kill -0 "$DNSMASQ_PID" 2>/dev/null
		then
			echo "Bail out! dnsmasq did not start:" \
			    "$(tr '\n' ' ' < "$T/dnsmasq.out")"
			exit 1
		fi
		sleep 0.05
	done
}
