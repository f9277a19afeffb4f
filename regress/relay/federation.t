#!/usr/bin/env python3
# Relaying between domains: three suites on 127.0.0.1, .2 and .3, each
# with its own configuration and database.  site1 finds site2 and site3
# through a real DNS server (SRV over UDP and TCP); site2 and site3 reach
# site1 by a static route.  Responses come back to the sender; no open
# relay, no local From from outside, loops and Max-Forwards.

import os, random, signal, sys, threading, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Answer, Suite, UA, Dnsmasq, ok, done, header, message_auth

PORT, DNS = 25700, 25753
dns = Dnsmasq(DNS, [
    "--srv-host=_sip._udp.site2.test,sip.site2.test,%d,10,0" % PORT,
    "--host-record=sip.site2.test,127.0.0.2",
    "--srv-host=_sip._tcp.site3.test,sip.site3.test,%d,10,0" % PORT,
    "--host-record=sip.site3.test,127.0.0.3",
])
route1 = 'route "site1.test" via 127.0.0.1 port %d' % PORT
# dnsmasq names loopback addresses: only a lab's switch lets relayd use
# them.
s1 = Suite("site1.test", PORT, [
    "resolver 127.0.0.1 port %d" % DNS, "relay private-addresses yes",
    'route "loop.test" via 127.0.0.1 port %d' % PORT,
    'route "dead.test" via 127.0.0.1 port %d tcp' % (PORT + 99)])
s2 = Suite("site2.test", PORT, [route1], addr="127.0.0.2")
s3 = Suite("site3.test", PORT, [route1 + " tcp"], addr="127.0.0.3")
for s in (s1, s2, s3):
    ok(s.start(), "%s starts on %s" % (s.domain, s.addr))
s1.add_user("a1@site1.test", "a1pw")
s2.add_user("b1@site2.test", "b1pw")
s3.add_user("c1@site3.test", "c1pw")
srv1, srv2, srv3 = (("127.0.0.%d" % i, PORT) for i in (1, 2, 3))

# A dead next hop is retried until the relay gives up, 32 s: meanwhile
# the rest runs.
dead = {}


def send_dead():
    dead["r"] = message_auth(UA(srv1, timeout=45), "a1", "site1.test",
                             "a1pw", "sip:x@dead.test", b"x")
    dead["t"] = time.time()


dead_start = time.time()
tdead = threading.Thread(target=send_dead)
tdead.start()

TEXT = "안녕, 다른 도메인에서 왔어요".encode()
b1 = UA(srv2, bind="127.0.0.2")
ok(b1.register("b1", "site2.test", "b1pw")["status"] == 200,
   "b1 registers at site2")
c1 = UA(srv3, transport="tcp", bind="127.0.0.3")
ok(c1.register("c1", "site3.test", "c1pw")["status"] == 200,
   "c1 registers at site3 over TCP")

ans_b1 = Answer(b1, 200, "Got It")
a1 = UA(srv1)
r = message_auth(a1, "a1", "site1.test", "a1pw", "sip:b1@site2.test", TEXT,
                 "text/plain;charset=UTF-8")
req = ans_b1.request()
ok(isinstance(req, dict) and req["method"] == "MESSAGE",
   "b1@site2 receives a1's MESSAGE (site2 found by SRV _sip._udp)")
ok(isinstance(req, dict) and req["body"] == TEXT,
   "the Korean UTF-8 body arrives byte-exact across domains")
ok(isinstance(req, dict) and
   header(req, "content-type") == ["text/plain;charset=UTF-8"],
   "Content-Type passes through both servers")
ok(isinstance(req, dict) and not header(req, "proxy-authorization"),
   "a1's credentials for site1 are not passed on")
vias = header(req, "via") if isinstance(req, dict) else []
ok(len(vias) == 3 and "127.0.0.1" in vias[1],
   "Vias: site2's, site1's relayd (from 127.0.0.1), a1's")
mf = header(req, "max-forwards") if isinstance(req, dict) else []
ok(mf == ["68"], "Max-Forwards counts both hops (70 -> 68)")
ok(r["status"] == 200 and r["reason"] == "Got It",
   "a1 gets b1's own final response back")
ok(len(header(r, "via")) == 1, "the response reaches a1 with a1's Via only")

ans_c1 = Answer(c1)
r = message_auth(UA(srv1), "a1", "site1.test", "a1pw", "sip:c1@site3.test",
                 b"hello site3")
req = ans_c1.request()
ok(isinstance(req, dict) and req["body"] == b"hello site3",
   "c1@site3 receives it (SRV _sip._tcp, relayed over TCP)")
ok(r["status"] == 200, "a1 gets c1's 200")

# A reload (SIGHUP) keeps relaying: routes and the resolver come again.
s1.proc.send_signal(signal.SIGHUP)
time.sleep(0.5)
ans = Answer(b1)
r = message_auth(UA(srv1), "a1", "site1.test", "a1pw", "sip:b1@site2.test",
                 b"after a reload")
ok(s1.alive() and r["status"] == 200 and ans.request() is not None,
   "after a reload of site1, a1's message still reaches b1")

# The other way, by static routes: site2 -> site1 over UDP, site3 over TCP.
a1r = UA(srv1)
ok(a1r.register("a1", "site1.test", "a1pw")["status"] == 200,
   "a1 registers at site1")
ans_a1 = Answer(a1r)
r = message_auth(UA(srv2, bind="127.0.0.2"), "b1", "site2.test", "b1pw",
                 "sip:a1@site1.test", b"reply from b1")
req = ans_a1.request()
ok(isinstance(req, dict) and req["body"] == b"reply from b1",
   "a1 receives b1's MESSAGE (site2 -> site1 by static route)")
ok(r["status"] == 200, "b1 gets a1's 200")
ans_a1b = Answer(a1r)
r = message_auth(UA(srv3, bind="127.0.0.3"), "c1", "site3.test", "c1pw",
                 "sip:a1@site1.test", b"from c1 over tcp")
req = ans_a1b.request()
ok(isinstance(req, dict) and req["body"] == b"from c1 over tcp",
   "a1 receives c1's MESSAGE (site3 -> site1 over TCP)")
ok(r["status"] == 200, "c1 gets a1's 200")

# Offline recipient on the far side: site2 stores it, a1 gets the 202.
r = message_auth(UA(srv1), "a1", "site1.test", "a1pw",
                 "sip:b2@site2.test", b"x")
ok(r["status"] == 404, "unknown user at site2: site2's 404 comes back")
s2.add_user("b2@site2.test", "b2pw")
r = message_auth(UA(srv1), "a1", "site1.test", "a1pw",
                 "sip:b2@site2.test", b"for later")
ok(r["status"] == 202, "offline user at site2: stored there, 202 to a1")

# Never an open relay.
r = UA(srv1).request("MESSAGE", "sip:b1@site2.test", "sip:x@else.test",
                     "sip:b1@site2.test", ["Content-Type: text/plain"], b"x")
ok(r["status"] == 403, "foreign sender to a foreign domain: 403")
r = UA(srv1).request("MESSAGE", "sip:b1@site2.test", "sip:nobody@site1.test",
                     "sip:b1@site2.test", ["Content-Type: text/plain"], b"x")
ok(r["status"] == 407, "our domain's sender to a foreign domain: "
   "challenged first (407)")

# A local From from outside: a second Via says it passed another server.
spoof = UA(srv1, bind="127.0.0.2")
r = spoof.request("MESSAGE", "sip:a1@site1.test", "sip:a1@site1.test",
                  "sip:a1@site1.test", [
                      "Via: SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bKspoof",
                      "Content-Type: text/plain"], b"x")
ok(r["status"] == 403, "a From of site1 arriving from another server: 403")

# Max-Forwards.
def message_mf(ua, frm, to, mf, extra=()):
    data = ("MESSAGE %s SIP/2.0\r\n"
            "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bKmf%x\r\n"
            "Max-Forwards: %d\r\nFrom: <%s>;tag=1\r\nTo: <%s>\r\n"
            "Call-ID: mf%d-%s@test\r\nCSeq: 1 MESSAGE\r\n"
            "Content-Type: text/plain\r\n%s"
            "Content-Length: 1\r\n\r\nx") % (
                to, ua.local[0], ua.local[1], random.getrandbits(32), mf, frm,
                to, mf, ua.local[1], "".join(h + "\r\n" for h in extra))
    ua.send_raw(data.encode())
    return ua.recv()


r = message_mf(UA(srv1), "sip:b1@site2.test", "sip:a1@site1.test", 0)
ok(r["status"] == 483, "Max-Forwards: 0 gives 483")
# Max-Forwards 1: site1 relays it with 0, site2 answers 483, back to a1.
ua = UA(srv1)
r = message_mf(ua, "sip:a1@site1.test", "sip:b1@site2.test", 1)
auth = ua.authorization(header(r, "proxy-authenticate")[0], "a1", "a1pw",
                        "MESSAGE", "sip:b1@site2.test", proxy=True)
r = message_mf(ua, "sip:a1@site1.test", "sip:b1@site2.test", 1, [auth])
ok(r["status"] == 483, "Max-Forwards 1: site2 gets 0 and its 483 comes back")

# A route that leads back to us: the Via of our own relayd is a loop.
r = message_auth(UA(srv1), "a1", "site1.test", "a1pw", "sip:x@loop.test",
                 b"x")
ok(r["status"] == 482, "a request that comes back to its relayd: 482")

# A domain DNS does not know.
r = message_auth(UA(srv1), "a1", "site1.test", "a1pw",
                 "sip:x@nowhere.test", b"x")
ok(r["status"] == 404, "a domain without SIP servers in DNS: 404")

tdead.join(60)
r = dead.get("r")
ok(r is not None and r["status"] == 503,
   "a next hop that refuses connections: 503")
ok(r is not None and 25 < dead["t"] - dead_start < 45,
   "after retrying for the relay time (%.0f s)" %
   (dead.get("t", 0) - dead_start))
for s in (s1, s2, s3):
    ok(s.alive(), "%s still runs" % s.domain)
done()
