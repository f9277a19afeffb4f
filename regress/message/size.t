#!/usr/bin/env python3
# How big a MESSAGE may be: above `limit message-size` the sender gets
# 413, over UDP and over TCP (where the connection then closes); a
# message a UDP binding cannot carry gets 513.  A Date is added when the
# sender gave none.

import os, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Answer, Suite, UA, ok, done, header, message_auth

PORT = 25440
s = Suite("site1.test", PORT, ["limit message-size 16K"])
ok(s.start(), "the suite starts")
s.add_user("a1@site1.test", "a1pw")
s.add_user("b1@site1.test", "b1pw")
srv = ("127.0.0.1", PORT)

b1 = UA(srv)
ok(b1.register("b1", "site1.test", "b1pw")["status"] == 200,
   "b1 registers over UDP")
ans_b1 = Answer(b1)
r = message_auth(UA(srv), "a1", "site1.test", "a1pw", "sip:b1@site1.test",
                 b"what time is it?")
req = ans_b1.request()
ok(r["status"] == 200 and isinstance(req, dict), "a small one is delivered")
date = header(req, "date") if isinstance(req, dict) else []
ok(len(date) == 1 and date[0].endswith(" GMT"),
   "a Date is added where the sender gave none (%s)" % date)

big = b"x" * 20000
r = UA(srv).request("MESSAGE", "sip:b1@site1.test", "sip:a1@site1.test",
                    "sip:b1@site1.test", ["Content-Type: text/plain"], big)
ok(r["status"] == 413, "over the limit by UDP: 413")
tcp = UA(srv, "tcp")
r = tcp.request("MESSAGE", "sip:b1@site1.test", "sip:a1@site1.test",
                "sip:b1@site1.test", ["Content-Type: text/plain"], big)
ok(r["status"] == 413, "over the limit by TCP: 413")
try:
    closed = tcp.s.recv(1) == b""
except OSError:
    closed = True
ok(closed, "and the connection is closed after it")
ok(s.alive(), "the suite still runs")

# A second suite that takes large messages: a UDP binding cannot.
s2 = Suite("site2.test", PORT + 1, ["limit message-size 128K"])
ok(s2.start(), "a suite with limit message-size 128K starts")
s2.add_user("a2@site2.test", "a2pw")
s2.add_user("b2@site2.test", "b2pw")
srv2 = ("127.0.0.1", PORT + 1)
b2 = UA(srv2)
ok(b2.register("b2", "site2.test", "b2pw")["status"] == 200,
   "b2 registers over UDP")
r = message_auth(UA(srv2, "tcp"), "a2", "site2.test", "a2pw",
                 "sip:b2@site2.test", b"y" * 70000)
ok(r["status"] == 513, "70000 bytes for a UDP binding: 513")
b2t = UA(srv2, "tcp")
ok(b2t.register("b2", "site2.test", "b2pw")["status"] == 200,
   "b2 registers a second device over TCP")
ans_b2t = Answer(b2t)
r = message_auth(UA(srv2, "tcp"), "a2", "site2.test", "a2pw",
                 "sip:b2@site2.test", b"y" * 50000)
req = ans_b2t.request()
ok(r["status"] == 200 and isinstance(req, dict) and
   req["body"] == b"y" * 50000, "50000 bytes reach the TCP device whole")
done()
