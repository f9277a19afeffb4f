#!/bin/sh
# SIP over TLS (RFC 3261 26.2): a self-signed certificate for
# site1.test, OPTIONS answered over TLS 1.3 and 1.2, framing as on TCP,
# a client certificate asked for but optional, TLS 1.1 refused, a plain
# TCP client on the TLS port closed, and a client that never starts
# the handshake closed after the handshake timeout.

. "$IMD_TOP/regress/lib/suite.sh"

for tool in python3 openssl; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool is missing"
		exit 0
	fi
done

PORT=25210
TLSPORT=25211
CLIENT="python3 $IMD_TOP/regress/transport/sipconn.py"

sip() {
	name=$1
	shift
	out=$($CLIENT "$@" 2>&1)
	r=$?
	out=$(printf '%s' "$out" | tr '\n' ' ')
	printf '# %s: %s\n' "$name" "$out"
	if [ $r -eq 77 ]; then
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # SKIP $name: $out"
		return
	fi
	ok $r "$name"
}

selfsigned() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
	    -keyout "$T/$2.key" -out "$T/$2.crt" >/dev/null 2>&1
}

selfsigned site1.test server
ok $? "a self-signed certificate for site1.test"
selfsigned alice.site1.test client

TLSLISTEN="listen on 127.0.0.1 port $TLSPORT tls"
TLSLISTEN="$TLSLISTEN certificate \"$T/server.crt\" key \"$T/server.key\""
# One listener worker: the bounds of one process, exactly (each of
# several workers holds its share: regress/workers/workers.t).
write_conf "$T/relayd.conf" site1.test 127.0.0.1 $PORT "$TLSLISTEN" \
    "limit message-size 2K" \
    "limit connections-per-address 3" "listener workers 1"
start_suite "$T/relayd.conf"
ok $? "the suite starts with tls on port $TLSPORT"
LISTENER=$(child_pid "$IMD_PID" listener)

# Runs beside the rest: it waits for the 10 s handshake timeout.
$CLIENT silent $TLSPORT --src 127.0.0.2 --min 9 --timeout 16 \
    > "$T/silent" 2>&1 &
SILENT=$!
SUITE_PIDS="$SUITE_PIDS $SILENT"

sip "OPTIONS over TLS is answered 200" options $TLSPORT --tls
sip "OPTIONS over TLS 1.2 is answered 200" options $TLSPORT --tls --max-tls 1.2
sip "two OPTIONS in one TLS write are both answered" \
    options $TLSPORT --tls --count 2
sip "one OPTIONS in three TLS writes with pauses is answered" \
    options $TLSPORT --tls --split 3
sip "double CRLF over TLS gets one CRLF back" ping $TLSPORT --tls
sip "a client certificate is taken though nobody vouches for it" \
    options $TLSPORT --tls --cert "$T/client.crt" --key "$T/client.key"
sip "5000 pipelined OPTIONS over TLS read late are all answered" \
    flood $TLSPORT --tls --count 5000 --timeout 20
sip "a body over message-size closes that TLS connection, another is served" \
    isolate $TLSPORT --tls --size 3000
sleep 0.3	# for the listener to see the ends of those before
sip "a fourth TLS connection from one address is closed" \
    caps $TLSPORT --tls --count 4
sip "plain SIP on the TLS port is closed" \
    close $TLSPORT --data \
    'OPTIONS sip:site1.test SIP/2.0\r\nContent-Length: 0\r\n\r\n'
sip "a client offering only TLS 1.1 is refused" \
    old-tls $TLSPORT --max-tls 1.1
sip "TLS is still answered 200 after those" options $TLSPORT --tls
sip "TCP on the same address is still answered 200" options $PORT

wait "$SILENT"
r=$?
echo "# $(cat "$T/silent")"
ok $r "a client that never starts TLS is closed after the handshake timeout"

[ "$(child_pid "$IMD_PID" listener)" = "$LISTENER" ] &&
    kill -0 "$LISTENER" 2>/dev/null
ok $? "the listener is the same process as at start"

done_testing
