#!/bin/sh
# SIP over TCP (RFC 3261 18.3): OPTIONS answered, pipelined and split
# messages framed by Content-Length, the RFC 5626 double CRLF keep-alive,
# each bad input closing its own connection and nothing else, the caps
# on connections per address and in all, and a client that reads late.

. "$IMD_TOP/regress/lib/suite.sh"

if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 is missing"
	exit 0
fi

PORT=25200
CLIENT="python3 $IMD_TOP/regress/transport/sipconn.py"

# sip NAME SCENARIO ARGS...: one test, and what the client saw.
sip() {
	name=$1
	shift
	out=$($CLIENT "$@" 2>&1)
	r=$?
	out=$(printf '%s' "$out" | tr '\n' ' ')
	printf '# %s: %s\n' "$name" "$out"
	ok $r "$name"
}

skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP $1"
}

# One listener worker: the bounds of one process, exactly (each of
# several workers holds its share: regress/workers/workers.t).
write_conf "$T/relayd.conf" site1.test 127.0.0.1 $PORT \
    "limit message-size 2K" \
    "limit connections-per-address 3" \
    "limit connections 5" "listener workers 1"
start_suite "$T/relayd.conf"
ok $? "the suite starts with udp and tcp on port $PORT"
LISTENER=$(child_pid "$IMD_PID" listener)

sip "OPTIONS over TCP is answered 200" options $PORT
if command -v sipsak >/dev/null 2>&1; then
	sipsak -vv -s "sip:probe@127.0.0.1:$PORT" --transport tcp \
	    > "$T/sipsak" 2>&1
	grep -q "SIP/2.0 200 OK" "$T/sipsak"
	ok $? "sipsak OPTIONS over TCP is answered 200"
else
	skip "sipsak is missing"
fi
sip "two OPTIONS in one write are both answered" options $PORT --count 2
sip "one OPTIONS in three writes with pauses is answered" \
    options $PORT --split 3
sip "double CRLF gets one CRLF back, the connection stays" ping $PORT
sip "5000 pipelined OPTIONS read late are all answered" \
    flood $PORT --count 5000 --timeout 20

# One named test per bad input; each closes its connection only.
sip "a body over message-size closes that connection, another is served" \
    isolate $PORT --size 3000
sip "a header over message-size closes that connection" \
    close $PORT --data 'OPTIONS sip:site1.test SIP/2.0\r\nSubject: ' \
    --pad 3000
sip "a message without Content-Length closes that connection" \
    close $PORT --data 'OPTIONS sip:site1.test SIP/2.0\r\nVia: x\r\n\r\n'
sip "a bad Content-Length closes that connection" \
    close $PORT --data \
    'OPTIONS sip:site1.test SIP/2.0\r\nContent-Length: -1\r\n\r\n'
sip "a TLS ClientHello on the TCP port closes that connection" \
    close $PORT --data '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'
sip "NUL bytes close that connection" close $PORT --data '\x00\x00\x00\x00'
sip "a bare LF closes that connection" close $PORT --data '\n\nOPTIONS'
sip "UDP OPTIONS is still answered 200" udp $PORT

# Caps: 3 per address, 5 in all.  The pauses let the listener see the
# ends of the connections before.
sleep 0.3
sip "a fourth connection from one address is closed, three are served" \
    caps $PORT --count 4
sleep 0.3
sip "closed connections are counted out: the same again" caps $PORT --count 4
$CLIENT hold $PORT --count 3 --src 127.0.0.2 --timeout 20 > "$T/hold" 2>&1 &
HOLD=$!
SUITE_PIDS="$SUITE_PIDS $HOLD"
for i in $(seq 1 50); do
	grep -q holding "$T/hold" && break
	sleep 0.1
done
# The total is reached: newcomers close the idle unauthenticated
# connections of 127.0.0.2 instead of being refused.
sip "over 5 connections in all, newcomers are still taken and served" \
    crowd $PORT --count 3 --src 127.0.0.3
kill "$HOLD" 2>/dev/null
wait "$HOLD" 2>/dev/null

skip "idle timeout: 120 s is too long for a test"

[ "$(child_pid "$IMD_PID" listener)" = "$LISTENER" ] &&
    kill -0 "$LISTENER" 2>/dev/null
ok $? "the listener is the same process as at start"
sip "and still answers OPTIONS over TCP" options $PORT

done_testing
