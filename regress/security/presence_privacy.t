#!/usr/bin/env python3
# Issue 13, defect 5: presence must not tell a stranger where a user is.
# A stranger is a watcher of another domain whose server nobody
# verified (inbound any, the lab setting in which strangers reach us at
# all).  Under `presence authorize auto` its fetch (Expires 0) and its
# subscription get alice's presence without <contact>, without the media
# extension's ports; bob, a user of ours who authenticated, still gets
# them.  Under the default policy the stranger's fetch is pending and
# gets no document at all.  A stranger's MESSAGE asking for a redirect
# (direct mode) gets no 302 with alice's contacts either.

import os, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, Collector, ok, done, header, auth_request

P = 25860
D = "x.test"
MEDIA_NS = "urn:x-imd:params:xml:ns:media"
GEO_NS = "urn:ietf:params:xml:ns:pidf:geopriv10"


def substate(req):
    return (header(req, "subscription-state") or [""])[0]


def stranger_subscribe(srv, expires):
    """A SUBSCRIBE of a new dialog from a socket that is also the
    stranger's Contact: the answer, the NOTIFY (answered 200), the UA."""
    ua = UA(srv)
    contact = "<sip:eve@127.0.0.1:%d>" % ua.local[1]
    r = ua.request("SUBSCRIBE", "sip:alice@%s" % D, "sip:eve@z.test",
                   "sip:alice@%s" % D, ["Event: presence",
                                        "Expires: %d" % expires,
                                        "Contact: %s" % contact])
    return r, ua.answer_request(), ua


def leaks(body, device):
    """What in a NOTIFY body says where alice's device is."""
    found = []
    if b"<contact" in body or b":contact" in body:
        found.append("<contact>")
    if device.encode() in body:
        found.append(device)
    if MEDIA_NS.encode() in body or b"<m:port>" in body:
        found.append("media extension")
    if b"5070" in body:
        found.append("media port")
    if b"Room 12" in body or b"location-info" in body:
        found.append("geopriv location")
    return found


# Suite 1: presence authorize auto, direct mode on: strangers are active.
s = Suite(D, P, ["inbound any", "presence authorize auto",
                 "presence notify-interval 0"], domain_extra=" direct")
ok(s.start(), "x.test starts (inbound any, presence authorize auto)")
for u in ("alice", "bob"):
    s.add_user("%s@%s" % (u, D), u + "pw")
srv = ("127.0.0.1", P)

dev = Collector()
device = "127.0.0.1:%d" % dev.addr[1]
reg = UA(srv)
ok(reg.register("alice", D, "alicepw",
                contacts=[dev.contact("alice")])["status"] == 200,
   "alice registers her device at %s" % device)
doc = ('<?xml version="1.0" encoding="UTF-8"?>\n'
       '<presence xmlns="urn:ietf:params:xml:ns:pidf" '
       'entity="pres:alice@%s"><tuple id="phone"><status><basic>open'
       '</basic><m:media xmlns:m="%s"><m:type>text</m:type>'
       '<m:port>5070</m:port><m:direct>true</m:direct></m:media>'
       '</status><contact>sip:alice@%s</contact>'
       '<gp:geopriv xmlns:gp="%s"><gp:location-info>Room 12'
       '</gp:location-info></gp:geopriv><note>at my desk</note></tuple>'
       '</presence>' % (D, MEDIA_NS, device, GEO_NS)).encode()
r = auth_request(UA(srv), "PUBLISH", "sip:alice@%s" % D, "alice", D,
                 "alicepw", extra=["Event: presence", "Expires: 600",
                                   "Content-Type: application/pidf+xml"],
                 body=doc)
ok(r["status"] == 200, "alice publishes contact, media port and location")

r, n, _ = stranger_subscribe(srv, 0)
ok(r["status"] == 200, "eve@z.test fetches alice's presence (Expires 0): "
   "200")
ok(n is not None and substate(n).startswith("terminated"),
   "the fetch's NOTIFY comes, terminated (%s)" % (n and substate(n)))
body = n["body"] if n else b""
ok(b"at my desk" in body and b"open" in body,
   "it tells the stranger alice's status and note")
ok(n is not None and leaks(body, device) == [],
   "but nothing of where she is (found: %s)" % leaks(body, device))

r, n, eve = stranger_subscribe(srv, 60)
ok(r["status"] == 200 and n is not None and
   substate(n).startswith("active"),
   "eve subscribes: 200, NOTIFY active (auto)")
body = n["body"] if n else b""
ok(n is not None and b"at my desk" in body and leaks(body, device) == [],
   "her NOTIFY has the status without contact, media or location "
   "(found: %s)" % leaks(body, device))

bob, bobn = UA(srv), Collector()
r = auth_request(bob, "SUBSCRIBE", "sip:alice@%s" % D, "bob", D, "bobpw",
                 extra=["Event: presence", "Expires: 60",
                        "Contact: %s" % bobn.contact("bob")])
n = bobn.next()
body = n["body"] if n else b""
ok(r["status"] == 200 and n is not None and
   leaks(body, device) == ["<contact>", device, "media extension",
                           "media port", "geopriv location"],
   "bob, who authenticated, still gets contact, media and location")

# Direct mode: a redirect would hand the stranger alice's contact.
ua = UA(srv)
r = ua.request("MESSAGE", "sip:alice@%s" % D, "sip:eve@z.test",
               "sip:alice@%s" % D, ["Request-Disposition: redirect",
                                     "Content-Type: text/plain"], b"hi")
got = dev.next(2)
ok(r["status"] != 302 and not any(device in c for c in header(r, "contact")),
   "eve's MESSAGE asking for a redirect gets no 302 with alice's "
   "contact (%d)" % r["status"])
ok(got is not None and got["method"] == "MESSAGE",
   "it is delivered through the server instead")
dev.drain(0.3)
ok(s.alive(), "x.test still runs")
s.cleanup()

# Suite 2: the default policy.
s2 = Suite(D, P + 1, ["inbound any", "presence notify-interval 0"])
ok(s2.start(), "x.test starts with the default presence authorize")
s2.add_user("alice@%s" % D, "alicepw")
srv2 = ("127.0.0.1", P + 1)
r = auth_request(UA(srv2), "PUBLISH", "sip:alice@%s" % D, "alice", D,
                 "alicepw", extra=["Event: presence", "Expires: 600",
                                   "Content-Type: application/pidf+xml"],
                 body=doc)
ok(r["status"] == 200, "alice publishes")
r, n, _ = stranger_subscribe(srv2, 0)
ok(r["status"] == 200 and n is not None, "eve's fetch: 200 and a NOTIFY")
ok(n is not None and n["body"] == b"" and
   not header(n, "content-type"),
   "by default the stranger waits for alice's decision: no document "
   "(%d bytes)" % len(n["body"] if n else b""))
ok(s2.alive(), "x.test still runs")
done()
