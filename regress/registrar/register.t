#!/usr/bin/env python3
# The registrar and digest authentication, request by request, against
# the real suite: both algorithms, replays, wrong and unknown users,
# several contacts, Contact: *, Min-Expires, CSeq order, identity,
# retransmissions, and the 400/403/405 answers.

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, header, digest_params

PORT = 25320
# SHA-256 is an opt-in; this suite offers both, the stronger first.
s = Suite("site1.test", PORT, ["auth algorithms sha-256 md5",
                               "limit min-expires 10"])
ok(s.start(), "the suite starts")
s.add_user("alice@site1.test", "alicepw")
s.add_user("bob@site1.test", "bobpw")
srv = ("127.0.0.1", PORT)

ua = UA(srv)
# Over UDP a request shorter than its 401 with both challenges gets
# MD5's alone (regress/security/amplification.t); over TCP, both.
r = ua.request("REGISTER", "sip:site1.test", "sip:alice@site1.test",
               "sip:alice@site1.test", ["Contact: <sip:alice@127.0.0.1:5999>"])
ok(r["status"] == 401, "REGISTER without credentials: 401")
ch = header(r, "www-authenticate")
ok(len(ch) == 1 and "MD5" in ch[0], "a short request over UDP: MD5's "
   "challenge alone")
r = UA(srv, "tcp").request("REGISTER", "sip:site1.test",
                           "sip:alice@site1.test", "sip:alice@site1.test",
                           ["Contact: <sip:alice@127.0.0.1:5999>"])
ch = header(r, "www-authenticate")
ok(len(ch) == 2 and "SHA-256" in ch[0] and "MD5" in ch[1],
   "over TCP two challenges, SHA-256 first, then MD5")
p = digest_params(ch[0])
ok(p.get("qop") == "auth" and p.get("realm") == "site1.test" and
   "opaque" not in p, "qop=auth, the domain's realm, no opaque")

r = ua.register("alice", "site1.test", "alicepw", alg="MD5")
ok(r["status"] == 200, "MD5 digest registers")
ct = header(r, "contact")
ok(len(ct) == 1 and "expires=" in ct[0], "the 200 lists the binding "
   "with its expiry")

ua2 = UA(srv, "tcp")
r = ua2.register("alice", "site1.test", "alicepw", alg="SHA-256")
ok(r["status"] == 200, "SHA-256 digest registers")
ok(len(header(r, "contact")) == 2, "two devices, two bindings")

# The same credentials again, with a new CSeq: a replay.
aor = "sip:alice@site1.test"
r = ua2.request("REGISTER", "sip:site1.test", aor, aor,
                ["Contact: <sip:alice@127.0.0.1:5998>", ua2.auth])
ok(r["status"] == 401, "a replayed (nonce, nc) is challenged again")

r = UA(srv).register("alice", "site1.test", "wrong")
ok(r["status"] == 401, "a wrong password is challenged again")
r = UA(srv).register("nobody", "site1.test", "x")
ok(r["status"] == 401, "an unknown user is challenged like a wrong "
   "password")

# Identity: alice's credentials for bob's address.
ub = UA(srv)
aorb = "sip:bob@site1.test"
r = ub.request("REGISTER", "sip:site1.test", aorb, aorb,
               ["Contact: <sip:bob@127.0.0.1:5997>"])
auth = ub.authorization(header(r, "www-authenticate")[-1], "alice",
                        "alicepw", "REGISTER", "sip:site1.test")
r = ub.request("REGISTER", "sip:site1.test", aorb, aorb,
               ["Contact: <sip:bob@127.0.0.1:5997>", auth])
ok(r["status"] == 403, "alice's credentials cannot register bob: 403")

# Several contacts in one request, then a query.
u3 = UA(srv)
r = u3.register("bob", "site1.test", "bobpw",
                contacts=["<sip:bob@127.0.0.1:6001>",
                          "<sip:bob@127.0.0.1:6002>;expires=30;q=0.5"])
ok(r["status"] == 200 and len(header(r, "contact")) == 2,
   "two contacts in one REGISTER")
r = u3.register("bob", "site1.test", "bobpw", contacts=[])
ok(r["status"] == 200 and len(header(r, "contact")) == 2,
   "a REGISTER without Contact lists the bindings")
lst = s.ctl("show", "bindings", "bob@site1.test").stdout
ok(lst.count("bob@site1.test") == 2, "imctl show bindings lists both")

r = u3.register("bob", "site1.test", "bobpw", expires=5)
ok(r["status"] == 423 and header(r, "min-expires") == ["10"],
   "Expires below the minimum: 423 with Min-Expires")
r = u3.register("bob", "site1.test", "bobpw",
                contacts=["<sip:bob@127.0.0.1:6003>"], expires=100000)
exp = [int(c.split("expires=")[1]) for c in header(r, "contact")
       if "6003" in c]
ok(r["status"] == 200 and exp and exp[0] <= 7200,
   "a long Expires is cut to the maximum")

r = u3.register("bob", "site1.test", "bobpw", contacts=["*"], expires=60)
ok(r["status"] == 400, "Contact: * with a non-zero Expires: 400")
r = u3.register("bob", "site1.test", "bobpw", contacts=["*"], expires=0)
ok(r["status"] == 200 and not header(r, "contact"),
   "Contact: * with Expires: 0 removes every binding")
ok(s.ctl("show", "bindings", "bob@site1.test").stdout == "",
   "none is left")

# CSeq order within one Call-ID.
u4 = UA(srv)
r = u4.register("bob", "site1.test", "bobpw",
                contacts=["<sip:bob@127.0.0.1:6010>"])
u4.cseq = 0
r = u4.register("bob", "site1.test", "bobpw",
                contacts=["<sip:bob@127.0.0.1:6010>"])
ok(r["status"] == 400 and "CSeq" in r["reason"],
   "an older CSeq of the same Call-ID is refused: %s" % r["reason"])

# A retransmission gets the cached final response.
u5 = UA(srv)
r1 = u5.register("alice", "site1.test", "alicepw")
u5.send_raw(u5.last)
r2 = u5.recv()
ok(r1["status"] == 200 and r2["raw"] == r1["raw"],
   "a retransmitted REGISTER is answered from the transaction")

r = UA(srv).register("carol", "site2.test", "x")
ok(r["status"] == 403, "REGISTER for a domain not served here: 403")

uo = UA(srv)
r = uo.request("OPTIONS", "sip:site1.test", "sip:x@site1.test",
               "sip:site1.test")
ok(r["status"] == 200 and "REGISTER" in header(r, "allow")[0],
   "OPTIONS: 200 with Allow")
ok(("rport=%d" % uo.local[1]) in header(r, "via")[0] and
   "received=127.0.0.1" in header(r, "via")[0],
   "RFC 3581: rport and received filled in the top Via")
r = UA(srv).request("FROB", "sip:site1.test", "sip:x@site1.test",
                    "sip:site1.test")
ok(r["status"] == 405 and header(r, "allow"), "an unknown method: 405 "
   "with Allow")

for t in ("udp", "tcp"):
    u = UA(srv, t)
    u.send_raw(b"REGISTER sip:site1.test SIP/2.0\r\n"
               b"Via: SIP/2.0/" + t.upper().encode() +
               b" 127.0.0.1:5000;branch=z9hG4bKbad\r\n"
               b"From: <sip:a@site1.test>;tag=1\r\nTo: <sip:a@site1.test>\r\n"
               b"Call-ID: bad1\r\nCSeq: abc REGISTER\r\n"
               b"Content-Length: 0\r\n\r\n")
    r = u.recv()
    ok(r["status"] == 400 and r["reason"], "a bad CSeq over %s: 400 %s" %
       (t, r["reason"]))
r = UA(srv).request("OPTIONS", "sip:site1.test", "sip:x@site1.test",
                    "sip:site1.test")
ok(r["status"] == 200 and s.alive(), "still alive after bad input")

done()
