#!/bin/sh
# Registration with digest authentication by sipsak, a third-party SIP
# tool, over UDP and TCP: the right password registers, a wrong one does
# not, a binding expires on time, and several contacts are listed.
# sipsak resolves the domain of its target, so the domain is localhost.

. "$IMD_TOP/regress/lib/suite.sh"

command -v sipsak >/dev/null || { echo "1..0 # SKIP sipsak missing"; exit 0; }

PORT=25310
# The default algorithms (no auth algorithms line): sipsak knows MD5.
write_conf "$T/relayd.conf" localhost 127.0.0.1 $PORT 'limit min-expires 1'
start_suite "$T/relayd.conf"
ok $? "the suite starts"
ctl() { "$IMCTL" -s "$T/imd.sock" "$@"; }
echo secret1 | ctl user add alice@localhost
echo secret2 | ctl user add bob@localhost

reg() {	# reg USER PASSWORD EXPIRES [sipsak options]
	u=$1 p=$2 x=$3
	shift 3
	sipsak -U -i -s "sip:$u@localhost:$PORT" -u "$u" -a "$p" -x "$x" \
	    "$@" > "$T/sipsak.out" 2>&1
}

reg alice secret1 30
ok $? "sipsak registers alice over UDP with MD5 digest"
ctl show bindings alice@localhost > "$T/b"
grep -q "^alice@localhost sip:alice@127.0.0.1:[0-9]* udp 127.0.0.1:" "$T/b"
ok $? "imctl show bindings lists her contact and source"

reg bob wrong 30
[ $? -ne 0 ]
ok $? "a wrong password does not register"
[ -z "$(ctl show bindings bob@localhost)" ]
ok $? "and leaves no binding"

reg bob secret2 30 -E tcp
ok $? "sipsak registers bob over TCP"
ctl show bindings bob@localhost | grep -q " tcp 127.0.0.1:"
ok $? "his binding says tcp"

echo secret3 | ctl user add carol@localhost
reg carol secret3 2
ok $? "a registration of 2 s"
[ "$(ctl show bindings carol@localhost | wc -l)" -eq 1 ]
ok $? "is listed at once"
sleep 4
[ -z "$(ctl show bindings carol@localhost)" ]
ok $? "and is gone after it expired"

grep -q "wrong credentials" "$T/imd.log"
ok $? "the failure is logged with the user and source"
if grep -q "secret" "$T/imd.log"; then r=1; else r=0; fi
ok $r "no password in the log"

done_testing
