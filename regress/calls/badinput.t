#!/usr/bin/env python3
# What a caller may not do, and what imd does not look at: a malformed
# SDP passes byte-exact (imd never parses it); a CSeq naming another
# method is 400; an INVITE that comes back to us is 482 (a loop); one
# with Max-Forwards 0 is 483; an unknown callee 404, one without a
# device 480; a request with a Route past us in no call of ours is
# refused (no relay through in-dialog requests); and a flood of
# INVITEs from one unauthenticated source is bounded like any held
# request: 503 with Retry-After past "limit held-requests-per-address",
# 408 after "limit unauthenticated-wait", while another source still
# gets through.

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/calls"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, header
from calllib import DOMAIN, build, invite, reply, requests, responses

PORT = 28180
s = Suite(DOMAIN, PORT, ["inbound any", "limit held-requests-per-address 20",
                         "limit unauthenticated-wait 2"])
ok(s.start(), "the suite starts")
srv = ("127.0.0.1", PORT)
for u in ("alice", "bob", "carol", "dave"):
    s.add_user("%s@%s" % (u, DOMAIN), u + "pw")
bob = UA(srv)
ok(bob.register("bob", DOMAIN, "bobpw")["status"] == 200, "bob registers")

BAD = b"v=0\r\nthis is not SDP at all \x00\xff\xfe\r\nm=\r\n"
alice = UA(srv)
got, branch = invite(alice, "alice", "alicepw", "bob", body=BAD, secs=0.5)
inv = [r for r in requests(bob, 0.5) if r["method"] == "INVITE"]
ok(inv and inv[0]["body"] == BAD, "a malformed SDP reaches the callee "
   "byte-exact")
if inv:
    reply(bob, inv[0], 486, "Busy Here", "b0b")
got = responses(alice, secs=2)
ok(got and got[-1]["status"] == 486, "and the callee's 486 comes back")

# CSeq with another method.
frm, to = "sip:alice@" + DOMAIN, "<sip:bob@%s>" % DOMAIN
data = build(alice, "INVITE", "sip:bob@" + DOMAIN, frm, to, "z9hG4bKcs1",
             1).replace(b"CSeq: 1 INVITE", b"CSeq: 1 BYE")
alice.send_raw(data)
got = responses(alice, secs=2)
ok(got and got[-1]["status"] == 400, "CSeq method mismatch: 400 (%s)" %
   (got[-1]["reason"] if got else None))

# Max-Forwards 0.
data = build(alice, "INVITE", "sip:bob@" + DOMAIN, frm, to, "z9hG4bKmf1",
             1).replace(b"Max-Forwards: 70", b"Max-Forwards: 0")
alice.send_raw(data)
got = responses(alice, secs=2)
ok(got and got[-1]["status"] == 483, "Max-Forwards 0: 483")

# carol's only device is imd itself: the INVITE comes back, 482.
ua = UA(srv)
r = ua.register("carol", DOMAIN, "carolpw",
                contacts=["<sip:carol@127.0.0.1:%d>" % PORT])
ok(r["status"] == 200, "carol registers imd's own address")
got, branch = invite(UA(srv), "alice", "alicepw", "carol")
ok(got and got[-1]["status"] == 482, "an INVITE that loops back: 482 (%s)" %
   (got[-1]["status"] if got else None))

got, branch = invite(UA(srv), "alice", "alicepw", "nobody")
ok(got and got[-1]["status"] == 404, "an unknown callee: 404")
got, branch = invite(UA(srv), "alice", "alicepw", "dave")
ok(got and got[-1]["status"] == 480, "a callee without a device: 480")

# In-dialog requests that are in no call of ours.
x = UA(srv)
x.send_raw(build(x, "BYE", "sip:someone@10.9.9.9", "sip:x@z.test",
                 "<sip:y@z.test>;tag=1", "z9hG4bKrt1", 1,
                 ["Route: <sip:127.0.0.1:%d;lr>" % PORT,
                  "Route: <sip:10.9.9.9;lr>"]))
got = responses(x, secs=2)
ok(got and got[-1]["status"] == 403, "a Route past us, no call: 403")
x.send_raw(build(x, "INFO", "sip:someone@10.9.9.9", "sip:x@z.test",
                 "<sip:y@z.test>;tag=1", "z9hG4bKrt2", 1))
got = responses(x, secs=2)
ok(got and got[-1]["status"] == 481, "an in-dialog request of no call: 481")

# A flood from 127.0.0.5: mallory of another domain, unauthenticated.
m = UA(srv, bind="127.0.0.5")
N = 60
for i in range(N):
    m.send_raw(build(m, "INVITE", "sip:bob@" + DOMAIN, "sip:mallory@z.test",
                     to, "z9hG4bKfl%d" % i, 1, callid="flood%d" % i,
                     ftag="m%d" % i))
got = responses(m, until_final=False, secs=1)
busy = [r for r in got if r["status"] == 503]
ok(len(busy) >= N - 20 and all(header(r, "retry-after") for r in busy),
   "past held-requests-per-address: 503 with Retry-After (%d of %d)" %
   (len(busy), N))
o = UA(srv, bind="127.0.0.6")
o.send_raw(build(o, "INVITE", "sip:bob@" + DOMAIN, "sip:oscar@z.test", to,
                 "z9hG4bKother", 1))
seen = [r for r in requests(bob, 1.0) if r["method"] == "INVITE" and
        "oscar" in header(r, "from")[0]]
ok(seen, "another source's INVITE still reaches the callee")
got = responses(m, until_final=False, secs=4)
late = [r for r in got if r["status"] == 408]
ok(len(late) >= 10, "the held ones end with 408 after the unauthenticated "
   "wait (%d)" % len(late))
ok(s.alive(), "the suite is still up")
done()
