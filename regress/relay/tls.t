#!/usr/bin/env python3
# Federation over TLS with test certificates: relayd checks that the
# peer's certificate names the domain it relays to (RFC 5922) and shows
# its own; a suite with `inbound tls-verified` takes a foreign sender
# only over TLS with a certificate that names the From domain.

import os, sys, tempfile
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import (Answer, Suite, UA, ok, done, header, message_auth, make_ca,
                     make_cert, tls_listen)

P = 25710
tmp = tempfile.TemporaryDirectory(prefix="imd-tls.")
ca = make_ca(tmp.name)
cert1 = make_cert(tmp.name, "site1", ["site1.test"])
cert2 = make_cert(tmp.name, "site2", ["site2.test"])
cert9 = make_cert(tmp.name, "other", ["other.test"])


s1 = Suite("site1.test", P, [
    tls_listen("127.0.0.1", P + 1, cert1), 'tls ca "%s"' % ca,
    'route "site2.test" via 127.0.0.2 port %d tls' % (P + 1),
    'route "site9.test" via 127.0.0.3 port %d tls' % (P + 1)])
s2 = Suite("site2.test", P, [
    tls_listen("127.0.0.2", P + 1, cert2), 'tls ca "%s"' % ca,
    "inbound tls-verified",
    'route "site1.test" via 127.0.0.1 port %d tls' % (P + 1)],
    addr="127.0.0.2")
s9 = Suite("site9.test", P, [tls_listen("127.0.0.3", P + 1, cert9)],
           addr="127.0.0.3")
for s in (s1, s2, s9):
    ok(s.start(), "%s starts" % s.domain)
s1.add_user("a1@site1.test", "a1pw")
s2.add_user("b1@site2.test", "b1pw")
srv1, srv2 = ("127.0.0.1", P), ("127.0.0.2", P)
tls2 = ("127.0.0.2", P + 1)

b1 = UA(srv2, bind="127.0.0.2")
ok(b1.register("b1", "site2.test", "b1pw")["status"] == 200,
   "b1 registers at site2")
ans_b1 = Answer(b1)
r = message_auth(UA(srv1), "a1", "site1.test", "a1pw", "sip:b1@site2.test",
                 "TLS로 왔어요".encode())
req = ans_b1.request()
ok(isinstance(req, dict) and req["body"] == "TLS로 왔어요".encode(),
   "b1 receives a1's MESSAGE, relayed over TLS")
ok(isinstance(req, dict) and "SIP/2.0/TLS 127.0.0.1" in header(req,
                                                               "via")[1],
   "site1's relayd Via says TLS")
ok(r["status"] == 200, "a1 gets b1's 200 over the TLS relay, "
   "with site2's tls-verified policy satisfied by site1's certificate")

r = message_auth(UA(srv1), "a1", "site1.test", "a1pw", "sip:x@site9.test",
                 b"x")
ok(r["status"] == 503, "a peer whose certificate names another domain: "
   "refused, 503")
ok("hostname mismatch" in s1.logtext(), "the reason is logged") or \
    print("# " + s1.logtext().replace("\n", "\n# "))

# inbound tls-verified at site2.
r = UA(srv2, bind="127.0.0.2").request(
    "MESSAGE", "sip:b1@site2.test", "sip:x@site1.test", "sip:b1@site2.test",
    ["Content-Type: text/plain"], b"x")
ok(r["status"] == 403, "tls-verified: a foreign sender over UDP gets 403")
r = UA(tls2, "tls", bind="127.0.0.1").request(
    "MESSAGE", "sip:b1@site2.test", "sip:x@site1.test", "sip:b1@site2.test",
    ["Content-Type: text/plain"], b"x")
ok(r["status"] == 403, "tls-verified: over TLS without a certificate, 403")
r = UA(tls2, "tls", bind="127.0.0.1", cert=cert9).request(
    "MESSAGE", "sip:b1@site2.test", "sip:x@site1.test", "sip:b1@site2.test",
    ["Content-Type: text/plain"], b"x")
ok(r["status"] == 403,
   "tls-verified: a certificate for other.test, From site1.test: 403")
ans_b1b = Answer(b1)
r = UA(tls2, "tls", bind="127.0.0.1", cert=cert9).request(
    "MESSAGE", "sip:b1@site2.test", "sip:x@other.test", "sip:b1@site2.test",
    ["Content-Type: text/plain"], b"from other")
ok(r["status"] == 200 and isinstance(ans_b1b.request(), dict),
   "tls-verified: the certificate names the From domain: delivered")
for s in (s1, s2, s9):
    ok(s.alive(), "%s still runs" % s.domain)
done()
