#!/usr/bin/env python3
# Loose routing past us inside our domain (RFC 3261 16.4, 16.12): a
# proxy beside bob's device (an edge proxy, scripted on 127.0.0.3)
# record-routes the call above us; alice's ACK and BYE, whose Route
# names it after us, go to it with our Route taken off and its own
# kept, not straight to the device.  A Route past ours that the
# dialog did not record (written by a party to the call) is not
# followed: the request goes to the device as the call reached it.

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/calls"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, header
from calllib import DOMAIN, SDP, build, invite, reply, requests, responses

PORT = 28520
s = Suite(DOMAIN, PORT)
ok(s.start(), "the suite starts")
srv = ("127.0.0.1", PORT)
s.add_user("alice@" + DOMAIN, "alicepw")
s.add_user("bob@" + DOMAIN, "bobpw")
bob = UA(srv)
ok(bob.register("bob", DOMAIN, "bobpw")["status"] == 200, "bob registers")
edge = UA(srv, bind="127.0.0.3")
EDGE = "<sip:127.0.0.3:%d;lr>" % edge.local[1]
frm = "sip:alice@" + DOMAIN


def call(extra_rr):
    """alice calls bob, whose 2xx carries extra_rr above our
    Record-Route (or nothing more); alice's UA, the 2xx, its branch."""
    a = UA(srv)
    got, branch = invite(a, "alice", "alicepw", "bob", secs=0.5)
    inv = [r for r in requests(bob, 1) if r["method"] == "INVITE"]
    if not inv:
        return a, None, branch
    req = dict(inv[0])
    if extra_rr:
        req["headers"] = [(n, "%s, %s" % (extra_rr, v)
                           if n == "record-route" else v)
                          for n, v in inv[0]["headers"]]
    reply(bob, req, 200, "OK", "b0b", ["Content-Type: application/sdp"],
          SDP)
    got = responses(a, secs=2)
    return a, (got[-1] if got and got[-1]["status"] == 200 else None), branch


def values(msg, name):
    """A header's values, one list for its lines and commas."""
    return [v.strip() for h in header(msg, name) for v in h.split(",")]


def send(a, method, resp, branch, cseq, route):
    contact = header(resp, "contact")[0].strip("<>")
    a.send_raw(build(a, method, contact, frm, header(resp, "to")[0],
                     branch, cseq, ["Route: " + r for r in route]))


a, resp, branch = call(EDGE)
rr = values(resp, "record-route") if resp else []
ok(resp is not None and len(rr) == 2 and rr[0] == EDGE,
   "alice gets the 2xx, the edge proxy's Record-Route above ours (%s)" % rr)
route = list(reversed(rr))	# the caller's route set (12.1.2)
if resp:
    send(a, "ACK", resp, "z9hG4bKack" + branch[7:], 2, route)
got = requests(edge, 1)
ok([r["method"] for r in got] == ["ACK"] and
   values(got[0], "route") == [EDGE],
   "the ACK goes to the edge proxy, our Route off, its own kept (%s)" %
   [(r["method"], values(r, "route")) for r in got])
# (an INVITE sent again by Timer A, when the 200 came after 500 ms on a
# slow machine, is no request of the dialog)
ok(not [r for r in requests(bob, 0.3) if r["method"] != "INVITE"],
   "and not straight to bob's device")
if resp:
    send(a, "BYE", resp, "z9hG4bKbye" + branch[7:], 3, route)
got = [r for r in requests(edge, 1) if r["method"] == "BYE"]
ok(got and values(got[0], "route") == [EDGE] and
   len(header(got[0], "via")) == 2,
   "the BYE goes to the edge proxy, with our Via on alice's")
if got:
    edge.peer = srv
    reply(edge, got[0], 200, "OK", "b0b")
st = [r["status"] for r in responses(a, secs=2)]
ok(st[-1:] == [200], "the edge's 200 comes back to alice (%s)" % st)
ok(s.ctl("show", "calls").stdout == "", "the call is over")

# A Route past ours that the dialog never recorded.
a, resp, branch = call(None)
rr = values(resp, "record-route") if resp else []
ok(resp is not None and len(rr) == 1, "a call without the edge proxy")
if resp:
    send(a, "BYE", resp, "z9hG4bKbye" + branch[7:], 3, rr + [EDGE])
ok(not requests(edge, 0.7), "a Route the dialog did not record is not "
   "followed")
got = [r for r in requests(bob, 0.5) if r["method"] == "BYE"]
ok(got, "the BYE goes to bob's device as the call reached it")
if got:
    bob.peer = srv
    reply(bob, got[0], 200, "OK", "b0b")
st = [r["status"] for r in responses(a, secs=2)]
ok(st[-1:] == [200], "bob's 200 comes back (%s)" % st)
ok(s.alive(), "the suite is still up")
done()
