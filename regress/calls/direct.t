#!/usr/bin/env python3
# Direct mode for calls (RFC 3841 Request-Disposition: redirect), under
# MESSAGE's rules: an INVITE that asks for it gets 302 with the callee's
# contacts when the domain allows direct mode and the callee's
# published media tuple accepts it for the medium of the SDP's m= line;
# otherwise the call rings as usual.

import os, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/calls"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, header, auth_request
from calllib import DOMAIN, SDP, invite, reply, requests, responses

P = 28250
s = Suite(DOMAIN, P, domain_extra=" direct")
ok(s.start(), "a suite whose domain allows direct mode")
for u in ("alice", "bob"):
    s.add_user("%s@%s" % (u, DOMAIN), u + "pw")
srv = ("127.0.0.1", P)
MEDIA = ('<m:media xmlns:m="urn:x-imd:params:xml:ns:media"><m:type>%s'
         '</m:type><m:port>%d</m:port>%s<m:direct>%s</m:direct></m:media>')

bob = UA(srv)
ok(bob.register("bob", DOMAIN, "bobpw")["status"] == 200, "bob registers")
media = (MEDIA % ("audio", 40000, "<m:codec>PCMU</m:codec>", "true") +
         MEDIA % ("video", 40002, "<m:codec>VP8</m:codec>", "false"))
body = ('<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf"'
        ' entity="pres:bob@%s"><tuple id="t1"><status><basic>open</basic>'
        '%s</status><contact>sip:bob@127.0.0.1:%d</contact></tuple>'
        '</presence>' % (DOMAIN, media, bob.local[1])).encode()
r = auth_request(UA(srv), "PUBLISH", "sip:bob@" + DOMAIN, "bob", DOMAIN,
                 "bobpw", extra=["Event: presence", "Expires: 600",
                                 "Content-Type: application/pidf+xml"],
                 body=body)
ok(r["status"] == 200, "bob publishes: audio direct, video not")

REDIRECT = ["Request-Disposition: redirect"]
got, _ = invite(UA(srv), "alice", "alicepw", "bob", extra=REDIRECT)
ok(got and got[-1]["status"] == 302, "an audio call asking for a "
   "redirect: 302 (%s)" % (got[-1]["status"] if got else None))
contacts = header(got[-1], "contact") if got else []
ok(contacts and "127.0.0.1:%d" % bob.local[1] in contacts[0],
   "with bob's contact (%s)" % contacts)
ok(not [r for r in requests(bob, 0.5) if r["method"] == "INVITE"],
   "and bob's device is not rung")

VIDEO = SDP.replace(b"m=audio 7000 RTP/AVP 0", b"m=video 7002 RTP/AVP 96")
a = UA(srv)
got, _ = invite(a, "alice", "alicepw", "bob", body=VIDEO, extra=REDIRECT,
                secs=1)
inv = [r for r in requests(bob, 1) if r["method"] == "INVITE"]
ok(inv and inv[0]["body"] == VIDEO, "a video call asking for a redirect "
   "rings bob as usual: his tuple refuses direct video")
if inv:
    reply(bob, inv[0], 486, "Busy Here", "b0b")
got = responses(a, secs=2)
ok(got and got[-1]["status"] == 486, "and his answer comes back")

a = UA(srv)
got, _ = invite(a, "alice", "alicepw", "bob", secs=1)
inv = [r for r in requests(bob, 1) if r["method"] == "INVITE"]
ok(inv, "an audio call that does not ask for a redirect rings bob")
if inv:
    reply(bob, inv[0], 603, "Decline", "b0b")
got = responses(a, secs=2)
ok(got and got[-1]["status"] == 603, "603 passes through")
ok(s.alive(), "the suite is still up")
done()
