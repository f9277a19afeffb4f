#!/usr/bin/env python3
# Calls across domains as two suites place them by default: no static
# route, each finds the other by DNS (a real dnsmasq: SRV _sips._tcp,
# then the address) and relayd carries the call over TLS, checking that
# the peer's certificate names the domain called (RFC 5922); site2 takes
# a foreign call only that way (inbound tls-verified).  alice@site1
# calls bob@site2 and hangs up; bob calls alice and she hangs up, so
# the BYE goes both ways, each time through both relayds by the
# Record-Routes; a domain whose certificate names another is refused.

import os, sys, tempfile, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/calls"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/clients"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import (Suite, UA, Dnsmasq, ok, done, header, make_ca,
                     make_cert, tls_listen)
from calllib import SDP, build, invite, reply, requests, responses
from clientlib import wait_until

P, DNS = 28460, 28463
tmp = tempfile.TemporaryDirectory(prefix="imd-tls.")
ca = make_ca(tmp.name)
certs = {d: make_cert(tmp.name, d, [d]) for d in ("site1.test", "site2.test")}
cert9 = make_cert(tmp.name, "other", ["other.test"])
records = []
for i, d in ((1, "site1.test"), (2, "site2.test"), (3, "site9.test")):
    records += ["--srv-host=_sips._tcp.%s,sip.%s,%d,10,0" % (d, d, P + 1),
                "--host-record=sip.%s,127.0.0.%d" % (d, i)]
dns = Dnsmasq(DNS, records)
common = ["resolver 127.0.0.1 port %d" % DNS, "relay private-addresses yes",
          'tls ca "%s"' % ca]
s1 = Suite("site1.test", P, common + [
    tls_listen("127.0.0.1", P + 1, certs["site1.test"])])
s2 = Suite("site2.test", P, common + [
    tls_listen("127.0.0.2", P + 1, certs["site2.test"]),
    "inbound tls-verified"], addr="127.0.0.2")
s9 = Suite("site9.test", P, [tls_listen("127.0.0.3", P + 1, cert9)],
           addr="127.0.0.3")
for s in (s1, s2, s9):
    ok(s.start(), "%s starts" % s.domain)
s1.add_user("alice@site1.test", "alicepw")
s2.add_user("bob@site2.test", "bobpw")
srv1, srv2 = ("127.0.0.1", P), ("127.0.0.2", P)


def calls(s):
    return s.ctl("show", "calls").stdout


def place(caller, cdom, callee, cpw, csrv, dev, ddom):
    """caller@cdom calls callee@ddom, whose device dev answers 200;
    the caller ACKs.  The caller's UA, the 200, the INVITE the device
    got."""
    ua = UA(csrv, bind=csrv[0])
    got, branch = invite(ua, caller, cpw, callee, to_domain=ddom,
                         from_domain=cdom, secs=1)
    inv = [r for r in requests(dev, 2) if r["method"] == "INVITE"]
    ok(inv, "%s's INVITE reaches %s's device across domains" %
       (caller, callee))
    if not inv:
        return ua, None, None
    dev.peer = (ddom == "site1.test") and srv1 or srv2
    reply(dev, inv[0], 180, "Ringing", "d3v")
    reply(dev, inv[0], 200, "OK", "d3v", ["Content-Type: application/sdp"],
          SDP)
    got = responses(ua, until_final=False, secs=3)
    st = [r["status"] for r in got]
    ok(180 in st and 200 in st, "%s hears it ring, gets the 200 (%s)" %
       (caller, st))
    ok("SIP/2.0/TLS" in header(inv[0], "via")[1],
       "the INVITE crossed over TLS (%s)" % header(inv[0], "via")[1])
    ok(wait_until(lambda: "established" in calls(s1) and
                  "established" in calls(s2), 5),
       "both suites show the call established")
    ok200 = [r for r in got if r["status"] == 200]
    if not ok200:
        return ua, None, inv[0]
    resp = ok200[0]
    contact = header(resp, "contact")[0].strip("<>")
    frm = "sip:%s@%s" % (caller, cdom)
    ua.send_raw(build(ua, "ACK", contact, frm, header(resp, "to")[0],
                      "z9hG4bKa" + branch[7:], 2,
                      ["Route: " + r for r in header(resp,
                                                     "record-route")]))
    acks = [r for r in requests(dev, 2) if r["method"] == "ACK"]
    ok(acks, "the ACK reaches %s's device by the route set" % callee)
    return ua, resp, inv[0]


def bye_from_caller(ua, frm, resp, dev, dsrv):
    contact = header(resp, "contact")[0].strip("<>")
    ua.send_raw(build(ua, "BYE", contact, frm, header(resp, "to")[0],
                      "z9hG4bKbye%d" % time.time_ns(), 3,
                      ["Route: " + r for r in header(resp,
                                                     "record-route")]))
    byes = [r for r in requests(dev, 2) if r["method"] == "BYE"]
    ok(byes, "the caller's BYE crosses both suites")
    if byes:
        dev.peer = dsrv
        reply(dev, byes[0], 200, "OK", "d3v")
    got = responses(ua, secs=3)
    ok(got and got[-1]["status"] == 200, "its 200 comes back")


def bye_from_callee(dev, dsrv, inv, ua, upeer):
    """The callee's BYE, by the route set its INVITE held (in order)."""
    rr = header(inv, "record-route")
    frm = header(inv, "to")[0] + ";tag=d3v"
    contact = header(inv, "contact")[0].strip("<>")
    out = ("BYE %s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bKcb%d;"
           "rport\r\nMax-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\n"
           "Call-ID: %s\r\nCSeq: 1 BYE\r\n%sContent-Length: 0\r\n\r\n" % (
               contact, dev.local[0], dev.local[1], time.time_ns(), frm,
               header(inv, "from")[0], header(inv, "call-id")[0],
               "".join("Route: %s\r\n" % r for r in rr)))
    dev.s.sendto(out.encode(), dsrv)
    byes = [r for r in requests(ua, 2) if r["method"] == "BYE"]
    ok(byes, "the callee's BYE crosses both suites back to the caller")
    if byes:
        ua.peer = upeer
        reply(ua, byes[0], 200, "OK", "x")
    got = responses(dev, secs=3)
    ok(got and got[-1]["status"] == 200, "its 200 comes back to the callee")


bob = UA(srv2, bind="127.0.0.2")
ok(bob.register("bob", "site2.test", "bobpw")["status"] == 200,
   "bob's device registers at site2")
alice = UA(srv1)
ok(alice.register("alice", "site1.test", "alicepw")["status"] == 200,
   "alice's device registers at site1")

ua, resp, inv = place("alice", "site1.test", "bob", "alicepw", srv1, bob,
                      "site2.test")
if resp:
    bye_from_caller(ua, "sip:alice@site1.test", resp, bob, srv2)
ok(wait_until(lambda: calls(s1) == "" and calls(s2) == "", 5),
   "both suites forget the call")

ua, resp, inv = place("bob", "site2.test", "alice", "bobpw", srv2, alice,
                      "site1.test")
if inv:
    bye_from_callee(alice, srv1, inv, ua, srv2)
ok(wait_until(lambda: calls(s1) == "" and calls(s2) == "", 5),
   "both suites forget the call")

got, _ = invite(UA(srv1), "alice", "alicepw", "x", to_domain="site9.test",
                secs=5)
ok(got and got[-1]["status"] == 503,
   "site9's certificate names other.test: the call is refused, 503 (%s)"
   % [r["status"] for r in got])
ok("hostname mismatch" in s1.logtext(), "and the reason is logged")
for s in (s1, s2, s9):
    ok(s.alive(), "%s still runs" % s.domain)
done()
