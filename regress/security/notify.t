#!/usr/bin/env python3
# NOTIFYs inside a dialog are taken only for a dialog imd knows and from
# its peer.  alice@x.test (127.0.0.1) subscribes to bob@y.test
# (127.0.0.2) through the two suites; the genuine NOTIFYs reach her
# device.  A stranger on 127.0.0.5 sending NOTIFYs with made-up tags to
# alice's contact, or to a contact that does not exist, gets the same
# 481 both times and nothing reaches the device; a NOTIFY with the real
# dialog's Call-ID and tags from a third address gets 403.

import os, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, Collector, ok, done, header, auth_request

P = 26320
x = Suite("x.test", P, ['route "y.test" via 127.0.0.2 port %d' % P])
y = Suite("y.test", P, ['route "x.test" via 127.0.0.1 port %d' % P,
                        "presence notify-interval 0",
                        # alice's watch needs no approval: the dialog is
                        # what this test is about
                        "presence authorize auto"], addr="127.0.0.2")
ok(x.start() and y.start(), "x.test and y.test start")
x.add_user("alice@x.test", "alicepw")
y.add_user("bob@y.test", "bobpw")
X = ("127.0.0.1", P)

dev = Collector()
ok(UA(X).register("alice", "x.test", "alicepw",
                  contacts=[dev.contact("alice")])["status"] == 200,
   "alice registers a device at x.test")


def forged(ruri, callid, fromtag, totag, src="127.0.0.5",
           frm="sip:bob@y.test"):
    ua = UA(X, bind=src)
    ua.tag = fromtag
    r = ua.request("NOTIFY", ruri, frm, "sip:alice@x.test", [
        "Event: presence", "Subscription-State: active;expires=600",
        "Contact: <sip:bob@%s:5060>" % src,
        "Content-Type: text/plain"], b"you have been hacked",
        callid=callid, totag=totag)
    return r["status"]


alice_contact = "sip:alice@%s:%d" % dev.addr
s1 = forged(alice_contact, "made-up-1@z", "abc", "def")
s2 = forged("sip:nobody@127.0.0.1:5999", "made-up-2@z", "abc", "def")
ok(s1 == 481, "made-up NOTIFY to alice's contact: %d" % s1)
ok(s1 == s2, "the same status for a contact that does not exist: %d" % s2)
s3 = forged(alice_contact, "made-up-4@z", "abc", "def", frm="sip:bob@x.test")
ok(s3 == 481, "made-up NOTIFY From bob@x.test, our own domain: %d" % s3)
ok(dev.drain() == [], "nothing reached alice's device")

sub = UA(X)
r = auth_request(sub, "SUBSCRIBE", "sip:bob@y.test", "alice", "x.test",
                 "alicepw", extra=["Event: presence", "Expires: 600",
                                   "Contact: %s" % dev.contact("alice")])
ok(r["status"] // 100 == 2, "alice subscribes to bob@y.test: %d" %
   r["status"])
n = dev.next()
ok(n is not None and n["method"] == "NOTIFY",
   "the genuine NOTIFY of y.test reaches alice's device")
dev.drain()

if n is not None:
    callid = header(n, "call-id")[0]
    ftag = header(n, "from")[0].split("tag=")[1].split(";")[0]
    ttag = header(n, "to")[0].split("tag=")[1].split(";")[0]
    st = forged(alice_contact, callid, ftag, ttag)
    ok(st == 403, "the dialog's NOTIFY from a third address: %d" % st)
    st = forged(alice_contact, callid, "other", ttag)
    ok(st == 481, "its Call-ID and our tag with another remote tag: %d" % st)
    ok(dev.drain() == [], "none of them reached alice's device")
else:
    for _ in range(3):
        ok(False, "no dialog to forge")

# The dialog still works: bob's new presence reaches alice.
body = ('<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" '
        'entity="pres:bob@y.test"><tuple id="t"><status><basic>open</basic>'
        '</status><note>genuine</note></tuple></presence>').encode()
r = auth_request(UA(("127.0.0.2", P), bind="127.0.0.2"), "PUBLISH",
                 "sip:bob@y.test", "bob", "y.test", "bobpw", extra=[
                     "Event: presence", "Expires: 600",
                     "Content-Type: application/pidf+xml"], body=body)
ok(r["status"] == 200, "bob publishes")
got = dev.drain(wait=2)
ok(any(g["method"] == "NOTIFY" for g in got),
   "a later NOTIFY of the real dialog still reaches alice (%d)" % len(got))

# inbound tls-verified judges senders of other domains, not dialogs: a
# made-up NOTIFY with a From of t.test itself is no dialog there either.
P2 = P + 1
t = Suite("t.test", P2, ["inbound tls-verified"])
ok(t.start(), "t.test (inbound tls-verified) starts")
t.add_user("carol@t.test", "carolpw")
tdev = Collector()
UA(("127.0.0.1", P2)).register("carol", "t.test", "carolpw",
                               contacts=[tdev.contact("carol")])
ua = UA(("127.0.0.1", P2), bind="127.0.0.5")
r = ua.request("NOTIFY", "sip:carol@%s:%d" % tdev.addr, "sip:dave@t.test",
               "sip:carol@t.test", ["Event: presence",
                                    "Subscription-State: active"],
               callid="made-up-3@z", totag="def")
ok(r["status"] == 481 and tdev.drain() == [],
   "tls-verified: made-up NOTIFY to carol's contact: %d, not delivered" %
   r["status"])
ok(x.alive() and y.alive() and t.alive(), "the suites still run")
done()
