#!/usr/bin/env python3
# Presence on one suite: PUBLISH (RFC 3903) with entity-tags, SUBSCRIBE
# and NOTIFY (RFC 6665, 3856) with PIDF, two devices, expiry, the media
# tuple and unknown elements passed through, bad input, and a restart.

import os, re, signal, sys, time
import xml.etree.ElementTree as ET
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, Collector, ok, done, header, auth_request

PORT = 25800
D = "site1.test"
s = Suite(D, PORT, ["presence min-expires 2", "presence notify-interval 0"])
ok(s.start(), "the suite starts")
for u in ("alice", "bob", "carol"):
    s.add_user("%s@%s" % (u, D), u + "pw")
srv = ("127.0.0.1", PORT)
MEDIA_NS = "urn:x-imd:params:xml:ns:media"


def pidf(tid, basic, note="", extra=""):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<presence xmlns="urn:ietf:params:xml:ns:pidf" '
            'entity="pres:alice@%s"><tuple id="%s"><status><basic>%s'
            '</basic>%s</status>%s</tuple></presence>' % (
                D, tid, basic, extra,
                "<note>%s</note>" % note if note else "")).encode()


def publish(body, etag=None, expires=60, ctype="application/pidf+xml",
            event="presence", user="alice"):
    hdrs = ["Event: %s" % event, "Expires: %d" % expires]
    if etag:
        hdrs.append("SIP-If-Match: %s" % etag)
    if body:
        hdrs.append("Content-Type: %s" % ctype)
    return auth_request(UA(srv), "PUBLISH", "sip:alice@%s" % D, user, D,
                        user + "pw", extra=hdrs, body=body or b"")


def subscribe(ua, col, user, target="alice", expires=60, event="presence",
              extra=(), totag=None, ruri=None):
    hdrs = ["Event: %s" % event, "Expires: %d" % expires,
            "Contact: %s" % col.contact(user)] + list(extra)
    to = "sip:%s@%s" % (target, D)
    return auth_request(ua, "SUBSCRIBE", ruri or to, user, D, user + "pw",
                        to=to, extra=hdrs, totag=totag)


def substate(req):
    return (header(req, "subscription-state") or [""])[0]


r = publish(pidf("dev1", "open", "at lunch"))
etag1 = (header(r, "sip-etag") or [""])[0]
ok(r["status"] == 200 and etag1 != "", "alice publishes: 200 with a "
   "SIP-ETag (%s)" % etag1)
ok(header(r, "expires") == ["60"], "and the Expires granted")

bob, bobn = UA(srv), Collector()
r = r0 = subscribe(bob, bobn, "bob")
ok(r["status"] == 200, "bob subscribes to alice's presence: 200")
totag = re.search(r"tag=([^;>\s]+)", header(r, "to")[0])
ok(totag is not None, "with a To tag for the dialog")
n = bobn.next()
ok(n is not None and n["method"] == "NOTIFY", "bob gets a NOTIFY at once")
ok(n and substate(n).startswith("active;expires="),
   "Subscription-State: active;expires=N (%s)" % (n and substate(n)))
ok(n and header(n, "event") == ["presence"], "Event: presence")
ok(n and header(n, "content-type") == ["application/pidf+xml"],
   "a PIDF body")
ok(n and b"at lunch" in n["body"], "carrying alice's note")

r = publish(pidf("dev1", "open", "in a meeting"), etag=etag1)
etag2 = (header(r, "sip-etag") or [""])[0]
ok(r["status"] == 200 and etag2 not in ("", etag1),
   "a modification by SIP-If-Match: 200 and a new entity-tag")
n = bobn.next()
ok(n and b"in a meeting" in n["body"] and b"at lunch" not in n["body"],
   "bob's next NOTIFY has the new note only")
r = publish(None, etag=etag2, expires=120)
etag3 = (header(r, "sip-etag") or [""])[0]
ok(r["status"] == 200 and etag3 not in ("", etag2) and
   header(r, "expires") == ["120"], "a refresh without a body: 200")
r = publish(pidf("dev1", "open", "x"), etag=etag1)
ok(r["status"] == 412, "an unknown (old) entity-tag: 412")

# A second device: both tuples in the NOTIFY.
media = ('<m:media xmlns:m="%s"><m:type>text</m:type><m:port>5070</m:port>'
         '<m:codec>plain</m:codec><m:direct>true</m:direct></m:media>'
         % MEDIA_NS)
unknown = '<x:mood xmlns:x="urn:example:unknown" x:level="3">calm</x:mood>'
r = publish(pidf("dev2", "open", "on the phone", media + unknown))
etag_d2 = (header(r, "sip-etag") or [""])[0]
ok(r["status"] == 200, "a second device publishes: 200")
n = bobn.next()
body = n["body"].decode() if n else ""
ok('id="dev1"' in body and 'id="dev2"' in body,
   "bob's NOTIFY has both devices' tuples")
ok(MEDIA_NS in body and "<m:port>5070</m:port>" in body,
   "the media tuple passes through")
ok("urn:example:unknown" in body and "calm" in body,
   "and the unknown namespaced element too")


def tuple_of(doc, tid):
    root = ET.fromstring(doc)
    for t in root.iter("{urn:ietf:params:xml:ns:pidf}tuple"):
        if t.get("id") == tid:
            return t
    return None


def same_xml(a, b):
    """Equal as XML: names with their namespaces, attributes, text."""
    if a is None or b is None or a.tag != b.tag or a.attrib != b.attrib:
        return False
    if (a.text or "").strip() != (b.text or "").strip() or \
            (a.tail or "").strip() != (b.tail or "").strip():
        return False
    return len(a) == len(b) and all(same_xml(x, y) for x, y in zip(a, b))


sent = pidf("dev2", "open", "on the phone", media + unknown)
ok(same_xml(tuple_of(sent, "dev2"), tuple_of(n["body"] if n else b"<x/>",
                                              "dev2")),
   "dev2's tuple, media and unknown element included, arrives equal as "
   "XML (namespaces resolved)")

# Bad input.
r = publish(pidf("d", "open"), event="dialog")
ok(r["status"] == 489 and header(r, "allow-events"),
   "an unknown event package: 489 with Allow-Events")
r = publish(b"hello", ctype="text/plain")
ok(r["status"] == 415 and header(r, "accept"),
   "a body not PIDF: 415 with Accept")
r = publish(b"<presence xmlns='urn:ietf:params:xml:ns:pidf'")
ok(r["status"] == 400, "malformed PIDF: 400 (%s)" % r["reason"])
r = publish(pidf("d", "open").replace(b"alice@", b"mallory@"))
ok(r["status"] == 400, "an entity not alice's: 400")
r = publish(pidf("d", "open", "x" * 20000))
ok(r["status"] == 413, "a document over presence document-size: 413")
r = publish(pidf("d", "open"), expires=1)
ok(r["status"] == 423 and header(r, "min-expires") == ["2"],
   "an Expires under the minimum: 423 with Min-Expires")
r = publish(pidf("d", "open"), user="bob")
ok(r["status"] == 403, "bob cannot publish alice's presence: 403")
r = subscribe(UA(srv), bobn, "bob", event="dialog")
ok(r["status"] == 489, "SUBSCRIBE to an unknown package: 489")
r = subscribe(UA(srv), bobn, "bob", extra=["Accept: text/html"])
ok(r["status"] == 406, "SUBSCRIBE accepting no PIDF: 406")
r = subscribe(UA(srv), bobn, "bob", target="nobody")
ok(r["status"] == 404, "SUBSCRIBE to an unknown user: 404")
r = subscribe(UA(srv), bobn, "bob", event="presence.winfo")
ok(r["status"] == 403, "bob cannot watch alice's watchers: 403")
r = subscribe(UA(srv), bobn, "bob", expires=1)
ok(r["status"] == 423, "a subscription under the minimum: 423")
ok(s.alive(), "the suite is alive after the bad input")

# Removal of a document.
r = publish(None, etag=etag_d2, expires=0)
ok(r["status"] == 200, "removal by Expires: 0: 200")
n = bobn.next()
ok(n and 'id="dev2"' not in n["body"].decode() and
   'id="dev1"' in n["body"].decode(), "bob's NOTIFY no longer has dev2")

# A restart: subscriptions and documents come back, NOTIFYs resume.
s.proc.send_signal(signal.SIGTERM)
s.proc.wait(10)
ok(s.start(), "the suite restarts")
n = bobn.next(8)
ok(n and b"in a meeting" in n["body"],
   "after the restart bob is notified again, with alice's document")
r = publish(pidf("dev1", "closed", "asleep"), etag=etag3, expires=60)
ok(r["status"] == 200, "alice's entity-tag survived the restart")
n = bobn.next()
ok(n and b"asleep" in n["body"], "and her change reaches bob")
contact = re.search(r"<([^>]+)>", (header(r0, "contact") or [""])[0])

# Unsubscribe in the dialog, to our Contact: the final NOTIFY.
r = subscribe(bob, bobn, "bob", expires=0,
              totag=totag.group(1) if totag else "x",
              ruri=contact.group(1) if contact else None)
ok(r["status"] == 200, "bob unsubscribes (Expires: 0 in the dialog): "
   "%d" % r["status"])
n = bobn.next()
ok(n and substate(n) == "terminated",
   "the final NOTIFY says terminated, no reason: the watcher ended it "
   "(%s)" % (n and substate(n)))

# Expiry: a subscription of 2 s ends with terminated;reason=timeout.
carol, caroln = UA(srv), Collector()
r = subscribe(carol, caroln, "carol", expires=2)
ok(r["status"] == 200 and caroln.next() is not None,
   "carol subscribes for 2 s and gets her first NOTIFY")
n = caroln.next(6)
ok(n and substate(n) == "terminated;reason=timeout",
   "when it expires: terminated;reason=timeout (%s)" % (n and substate(n)))
# A fetch (Expires 0): the state once, in a terminated NOTIFY.
r = subscribe(UA(srv), caroln, "carol", expires=0)
n = caroln.next()
ok(r["status"] == 200 and n and substate(n) == "terminated" and
   b"asleep" in n["body"], "a fetch: 200, then one NOTIFY, terminated, "
   "with alice's state (%s)" % (n and substate(n)))
ok(s.alive(), "the suite still runs")
bobn.stop()
caroln.stop()

# A presentity with its limit of watchers refuses more.
s2 = Suite(D, PORT + 1, ["presence subscriptions 2",
                         "presence notify-interval 1s"])
ok(s2.start(), "a suite with presence subscriptions 2 starts")
for u in ("alice", "bob", "carol"):
    s2.add_user("%s@%s" % (u, D), u + "pw")
srv = ("127.0.0.1", PORT + 1)
cols = [Collector() for _ in range(3)]
st = [subscribe(UA(srv), c, u)["status"]
      for c, u in zip(cols, ("alice", "bob", "carol"))]
ok(st == [200, 200, 403], "the third watcher is refused: %s" % st)

# Rapid changes are coalesced: presence notify-interval 1s.
cols[1].drain(1.2)
for note in ("one", "two", "three"):
    r = publish(pidf("c%s" % note, "open", note))
got = cols[1].drain(1.5)
ok(1 <= len(got) <= 2 and b"three" in got[-1]["body"],
   "three changes in quick succession: %d NOTIFY(s), the last with the "
   "latest state" % len(got))
ok(s2.alive(), "and the suite goes on")
for c in cols:
    c.stop()
done()
