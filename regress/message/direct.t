#!/usr/bin/env python3
# Direct mode, the server side (RFC 3841 Request-Disposition: redirect):
# a MESSAGE that asks for it gets 302 with the recipient's contacts when
# the recipient's domain allows direct mode (`domain ... direct`) and
# the recipient's published media tuple says direct is accepted;
# otherwise it is delivered as usual.  Across domains the recipient's
# server decides and its 302 comes back through both relays.

import os, re, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import (Answer, Suite, UA, ok, done, header, auth_request,
                     message_auth)

P = 25445
s1 = Suite("site1.test", P, ['route "site2.test" via 127.0.0.2 port %d' % P],
           domain_extra=" direct")
s2 = Suite("site2.test", P, ['route "site1.test" via 127.0.0.1 port %d' % P],
           addr="127.0.0.2")
ok(s1.start() and s2.start(), "site1 (direct mode allowed) and site2 "
   "(not allowed) start")
for u in ("alice", "bob", "carol"):
    s1.add_user("%s@site1.test" % u, u + "pw")
s2.add_user("dan@site2.test", "danpw")
srv1, srv2 = ("127.0.0.1", P), ("127.0.0.2", P)
MEDIA = ('<m:media xmlns:m="urn:x-imd:params:xml:ns:media"><m:type>text'
         '</m:type><m:port>%d</m:port><m:direct>%s</m:direct></m:media>')


def publish(srv, user, domain, port, direct):
    body = ('<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:'
            'pidf" entity="pres:%s@%s"><tuple id="t1"><status><basic>open'
            '</basic>%s</status></tuple></presence>' % (
                user, domain, MEDIA % (port, direct))).encode()
    return auth_request(UA(srv, bind=srv[0]), "PUBLISH",
                        "sip:%s@%s" % (user, domain), user, domain,
                        user + "pw", extra=[
                            "Event: presence", "Expires: 600",
                            "Content-Type: application/pidf+xml"], body=body)


REDIRECT = ["Request-Disposition: redirect"]
bob = UA(srv1)
ok(bob.register("bob", "site1.test", "bobpw")["status"] == 200,
   "bob registers at site1")
ok(publish(srv1, "bob", "site1.test", bob.local[1], "true")["status"] ==
   200, "bob publishes a media tuple that accepts direct mode")
r = message_auth(UA(srv1), "alice", "site1.test", "alicepw",
                 "sip:bob@site1.test", b"where are you?", extra=REDIRECT)
contacts = header(r, "contact")
ok(r["status"] == 302, "alice asks for a redirect: 302 (%d)" % r["status"])
ok(contacts and "%s:%d" % bob.local in contacts[0],
   "with bob's contact (%s)" % contacts)
m = re.search(r"<sip:[^@]+@([\d.]+):(\d+)", contacts[0] if contacts else "")
if m:
    ans = Answer(bob)
    direct = UA((m.group(1), int(m.group(2))))
    r = direct.request("MESSAGE", "sip:bob@site1.test", "sip:alice@site1.test",
                       "sip:bob@site1.test", ["Content-Type: text/plain"],
                       "바로 왔어요".encode())
    req = ans.request()
    ok(r["status"] == 200 and req and req["body"] == "바로 왔어요".encode()
       and len(header(req, "via")) == 1,
       "alice's message to that contact reaches bob with no server between")
else:
    ok(False, "alice's message to that contact reaches bob")

carol = UA(srv1)
ok(carol.register("carol", "site1.test", "carolpw")["status"] == 200 and
   publish(srv1, "carol", "site1.test", carol.local[1], "false")["status"]
   == 200, "carol registers and publishes: direct not accepted")
ans = Answer(carol)
r = message_auth(UA(srv1), "alice", "site1.test", "alicepw",
                 "sip:carol@site1.test", b"hi", extra=REDIRECT)
ok(r["status"] == 200 and ans.request() is not None,
   "a redirect asked of carol: relayed as usual (200)")

# Across domains: the recipient's server decides.
dan = UA(srv2, bind="127.0.0.2")
ok(dan.register("dan", "site2.test", "danpw")["status"] == 200 and
   publish(srv2, "dan", "site2.test", dan.local[1], "true")["status"] ==
   200, "dan (site2) registers and accepts direct mode")
ans = Answer(dan)
r = message_auth(UA(srv1), "alice", "site1.test", "alicepw",
                 "sip:dan@site2.test", b"hi dan", extra=REDIRECT)
ok(r["status"] == 200 and ans.request() is not None,
   "site2 does not allow direct mode: alice's message is relayed (200)")
ans = Answer(bob)
r = message_auth(UA(srv2, bind="127.0.0.2"), "dan", "site2.test", "danpw",
                 "sip:bob@site1.test", b"hi bob", extra=REDIRECT)
contacts = header(r, "contact")
ok(r["status"] == 302 and contacts and "%s:%d" % bob.local in contacts[0],
   "dan asks for bob: site1's 302 with bob's contact comes back to site2 "
   "(%d %s)" % (r["status"], contacts))
ok(ans.request(1) is None, "and the message itself was not delivered")
ok(s1.alive() and s2.alive(), "both suites still run")
done()
