#!/usr/bin/env python3
# Who a request from another domain is from (inbound verified, the
# default).  x.test (127.0.0.1) and y.test (127.0.0.2) know each other by
# static routes; x.test also asks a real DNS server, which names a.test
# by its A record (127.0.0.7) and srv.test by an SRV target (127.0.0.8).
# A MESSAGE or SUBSCRIBE of another domain is taken only from an address
# that domain's route or DNS names: a stranger on 127.0.0.5 claiming
# ceo@z.test, or dave@y.test from an address that is not y.test's, gets
# 403 and bob's device sees nothing; dave through y.test's suite, or a
# DNS-named server, gets through.

import os, socket, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import (Suite, UA, Collector, Dnsmasq, ok, done, header,
                     message_auth)

P, DNS = 26300, 26353
dns = Dnsmasq(DNS, [
    "--host-record=a.test,127.0.0.7",
    "--srv-host=_sip._udp.srv.test,sip.srv.test,5060,10,0",
    "--host-record=sip.srv.test,127.0.0.8",
])
x = Suite("x.test", P, ['route "y.test" via 127.0.0.2 port %d' % P,
                        "resolver 127.0.0.1 port %d" % DNS])
y = Suite("y.test", P, ['route "x.test" via 127.0.0.1 port %d' % P],
          addr="127.0.0.2")
ok(x.start() and y.start(), "x.test and y.test start")
x.add_user("bob@x.test", "bobpw")
y.add_user("dave@y.test", "davepw")
X = ("127.0.0.1", P)

dev = Collector()
ok(UA(X).register("bob", "x.test", "bobpw",
                  contacts=[dev.contact("bob")])["status"] == 200,
   "bob registers a device at x.test")


def claim(frm, src, body=b"spoofed", transport="udp"):
    """A MESSAGE for bob from src, with From frm: its status."""
    ua = UA(X, transport=transport, bind=src, timeout=8)
    r = ua.request("MESSAGE", "sip:bob@x.test", frm, "sip:bob@x.test",
                   ["Content-Type: text/plain"], body)
    return r["status"], r["reason"]


st, why = claim("sip:ceo@z.test", "127.0.0.5")
ok(st == 403, "ceo@z.test from 127.0.0.5 (no route, no DNS): %d %s" %
   (st, why))
ok(dev.drain() == [], "nothing reached bob's device")
log = x.logtext()
ok("127.0.0.5" in log and "z.test" in log and "refused" in log,
   "the log names the source and the claimed domain")

st, why = claim("sip:dave@y.test", "127.0.0.3")
ok(st == 403, "dave@y.test from 127.0.0.3, not y.test's route: %d %s" %
   (st, why))
st, why = claim("sip:dave@y.test", "127.0.0.3", transport="tcp")
ok(st == 403, "the same over TCP: %d" % st)
ok(dev.drain() == [], "nothing reached bob's device")

r = message_auth(UA(("127.0.0.2", P), bind="127.0.0.2"), "dave", "y.test",
                 "davepw", "sip:bob@x.test", b"from the real y.test")
got = dev.drain()
ok(r["status"] == 200 and len(got) == 1 and
   got[0]["body"] == b"from the real y.test",
   "dave through y.test's suite: %d, delivered" % r["status"])

st, why = claim("sip:u@a.test", "127.0.0.7", b"a.test by A")
got = dev.drain()
ok(st == 200 and [g["body"] for g in got] == [b"a.test by A"],
   "u@a.test from 127.0.0.7, its A record: %d, delivered" % st)
st, why = claim("sip:u@a.test", "127.0.0.9")
ok(st == 403, "u@a.test from 127.0.0.9: %d" % st)
st, why = claim("sip:u@srv.test", "127.0.0.8", b"srv.test by SRV")
got = dev.drain()
ok(st == 200 and [g["body"] for g in got] == [b"srv.test by SRV"],
   "u@srv.test from 127.0.0.8, its SRV target: %d, delivered" % st)
st, why = claim("sip:u@srv.test", "127.0.0.7")
ok(st == 403, "u@srv.test from 127.0.0.7 (a.test's address): %d" % st)
ok(dev.drain() == [], "nothing else reached bob's device")

# A SUBSCRIBE is judged the same way.
r = UA(X, bind="127.0.0.5").request(
    "SUBSCRIBE", "sip:bob@x.test", "sip:eve@z.test", "sip:bob@x.test",
    ["Event: presence", "Contact: <sip:eve@127.0.0.5:5060>"])
ok(r["status"] == 403, "SUBSCRIBE of eve@z.test from 127.0.0.5: %d" %
   r["status"])

# inbound any keeps the lab behaviour.
lab = Suite("lab.test", P + 1, ["inbound any"])
ok(lab.start(), "lab.test (inbound any) starts")
lab.add_user("bob@lab.test", "bobpw")
labdev = Collector()
UA(("127.0.0.1", P + 1)).register("bob", "lab.test", "bobpw",
                                  contacts=[labdev.contact("bob")])
r = UA(("127.0.0.1", P + 1), bind="127.0.0.5").request(
    "MESSAGE", "sip:bob@lab.test", "sip:ceo@z.test", "sip:bob@lab.test",
    ["Content-Type: text/plain"], b"lab")
ok(r["status"] == 200 and len(labdev.drain()) == 1,
   "inbound any: anyone may (%d)" % r["status"])
ok(x.alive() and y.alive() and lab.alive(), "the suites still run")
done()
