#!/usr/bin/env python3
# Presence across two domains: wendy of site2 (127.0.0.2) watches alice
# of site1 (127.0.0.1).  The SUBSCRIBE goes out through site2's relayd,
# which puts site2 in the route set; alice's NOTIFYs go out through
# site1's relayd to site2, which hands them to wendy's device.  site1's
# `presence authorize ask` holds wendy pending until alice allows her.

import os, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, Collector, ok, done, header, auth_request

P = 25820
s1 = Suite("site1.test", P, [
    'route "site2.test" via 127.0.0.2 port %d' % P,
    "presence authorize ask", "presence notify-interval 0"])
s2 = Suite("site2.test", P, ['route "site1.test" via 127.0.0.1 port %d' % P],
           addr="127.0.0.2")
ok(s1.start() and s2.start(), "site1 and site2 start")
s1.add_user("alice@site1.test", "alicepw")
s2.add_user("wendy@site2.test", "wendypw")
srv1, srv2 = ("127.0.0.1", P), ("127.0.0.2", P)


def substate(req):
    return (header(req, "subscription-state") or [""])[0]


def publish(note):
    body = ('<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:'
            'ns:pidf" entity="pres:alice@site1.test"><tuple id="t1">'
            '<status><basic>open</basic></status><note>%s</note></tuple>'
            '</presence>' % note).encode()
    return auth_request(UA(srv1), "PUBLISH", "sip:alice@site1.test", "alice",
                        "site1.test", "alicepw", extra=[
                            "Event: presence", "Expires: 600",
                            "Content-Type: application/pidf+xml"], body=body)


ok(publish("at the office")["status"] == 200, "alice publishes")
wn = Collector(bind="127.0.0.2")
wreg = UA(srv2, bind="127.0.0.2")
ok(wreg.register("wendy", "site2.test", "wendypw",
                 contacts=[wn.contact("wendy")])["status"] == 200,
   "wendy registers her device at site2")
wua = UA(srv2, bind="127.0.0.2")
r = auth_request(wua, "SUBSCRIBE", "sip:alice@site1.test", "wendy",
                 "site2.test", "wendypw", extra=[
                     "Event: presence", "Expires: 600",
                     "Contact: %s" % wn.contact("wendy")])
ok(r["status"] == 200, "wendy's SUBSCRIBE to alice@site1 is relayed: 200")
rr = header(r, "record-route")
ok(rr and "127.0.0.2:%d" % P in rr[0],
   "site2 is in the route set (Record-Route: %s)" % rr)
n = wn.next()
ok(n is not None and n["method"] == "NOTIFY" and
   substate(n).startswith("pending"),
   "wendy's device gets the first NOTIFY: pending (alice decides)")
vias = header(n, "via") if n else []
ok(len(vias) == 3 and "127.0.0.2" in vias[0] and "127.0.0.1" in vias[1],
   "through site1's relayd and site2's listener (%d Vias)" % len(vias))

r = auth_request(UA(srv1), "PUBLISH", "sip:alice@site1.test", "alice",
                 "site1.test", "alicepw", extra=[
                     "Event: x-imd-authorize", "Content-Type: text/plain"],
                 body=b"allow wendy@site2.test")
ok(r["status"] == 200, "alice allows wendy")
n = wn.next()
ok(n and substate(n).startswith("active") and b"at the office" in n["body"],
   "wendy's NOTIFY: active, with alice's note")
ok(publish("gone home")["status"] == 200, "alice publishes a change")
n = wn.next()
ok(n and b"gone home" in n["body"], "it reaches wendy across the domains")

# A watcher of site2 for a presentity of site1 that is not there.
r = auth_request(UA(srv2, bind="127.0.0.2"), "SUBSCRIBE",
                 "sip:nobody@site1.test", "wendy", "site2.test", "wendypw",
                 extra=["Event: presence", "Contact: %s" %
                        wn.contact("wendy")])
ok(r["status"] == 404, "site1's 404 for an unknown presentity comes back")
ok(s1.alive() and s2.alive(), "both suites still run")
wn.stop()
if os.environ.get("DEBUG"): print(s1.logtext(), s2.logtext())
done()
