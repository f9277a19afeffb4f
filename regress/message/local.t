#!/usr/bin/env python3
# Local delivery of MESSAGE (RFC 3428): the sender authenticates (407),
# the recipient's bindings get the request with the body and Content-Type
# byte-exact, the first 2xx answers the sender; unknown and offline
# recipients, and forking to two devices.

import os, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Answer, Suite, UA, ok, done, header, message_auth

PORT = 25400
s = Suite("site1.test", PORT)
ok(s.start(), "the suite starts")
s.add_user("a1@site1.test", "a1pw")
s.add_user("b1@site1.test", "b1pw")
s.add_user("c1@site1.test", "c1pw")
srv = ("127.0.0.1", PORT)

b1 = UA(srv)
ok(b1.register("b1", "site1.test", "b1pw")["status"] == 200,
   "b1 registers")

TEXT = "안녕하세요, 잘 지내요? 🙂".encode()
ans_b1 = Answer(b1)
a1 = UA(srv)
r = message_auth(a1, "a1", "site1.test", "a1pw", "sip:b1@site1.test", TEXT,
                 "text/plain;charset=UTF-8")
req = ans_b1.request()
ok(isinstance(req, dict) and req["method"] == "MESSAGE",
   "b1 receives the MESSAGE")
ok(req["body"] == TEXT, "the Korean UTF-8 body arrives byte-exact")
ok(header(req, "content-type") == ["text/plain;charset=UTF-8"],
   "Content-Type passes through")
ok(not header(req, "proxy-authorization"),
   "the sender's credentials for us are not passed on")
ok(len(header(req, "via")) == 2, "our Via on top of the sender's")
ok(r["status"] == 200, "a1 gets b1's 200")

r = message_auth(UA(srv), "a1", "site1.test", "wrong", "sip:b1@site1.test",
                 b"x")
ok(r["status"] == 407, "a wrong password: challenged again (407)")

# From a local user without credentials: 407, never delivered.
r = UA(srv).request("MESSAGE", "sip:b1@site1.test", "sip:a1@site1.test",
                    "sip:b1@site1.test", ["Content-Type: text/plain"], b"x")
ok(r["status"] == 407 and header(r, "proxy-authenticate"),
   "our user without credentials gets 407")

r = message_auth(UA(srv), "a1", "site1.test", "a1pw",
                 "sip:nobody@site1.test", b"x")
ok(r["status"] == 404, "an unknown recipient: 404")
s.add_user("e1@site1.test", "e1pw")
r = message_auth(UA(srv), "a1", "site1.test", "a1pw", "sip:e1@site1.test",
                 b"x")
ok(r["status"] == 202, "a recipient with no binding: queued, 202")

# Two devices: one busy, one takes it.
c1a, c1b = UA(srv), UA(srv)
c1a.register("c1", "site1.test", "c1pw")
c1b.register("c1", "site1.test", "c1pw")
ans_c1a = Answer(c1a, 486, "Busy Here")
ans_c1b = Answer(c1b, 200, "OK")
r = message_auth(UA(srv), "a1", "site1.test", "a1pw", "sip:c1@site1.test",
                 b"to both")
ok(isinstance(ans_c1a.request(), dict) and isinstance(ans_c1b.request(), dict),
   "both devices get the message")
ok(r["status"] == 200, "the 2xx of one device answers the sender")

ans_c1a2 = Answer(c1a, 486, "Busy Here")
ans_c1b2 = Answer(c1b, 603, "Decline")
r = message_auth(UA(srv), "a1", "site1.test", "a1pw", "sip:c1@site1.test",
                 b"again")
ok(r["status"] == 603, "no 2xx: a 6xx wins over a 4xx (%d)" %
   r["status"])

# A third-party user agent as the recipient: sipp answers 200.
import shutil, subprocess
if shutil.which("sipp"):
    s.add_user("d1@site1.test", "d1pw")
    log = os.path.join(s.dir, "sipp-msg.log")
    sp = subprocess.Popen(["sipp", "-sf", os.path.join(os.environ["IMD_TOP"],
                           "regress/message/uas.xml"), "-i", "127.0.0.1",
                           "-p", "25401", "-m", "1", "-nostdin",
                           "-trace_msg", "-message_file", log],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        reg = UA(srv).register("d1", "site1.test", "d1pw",
                               contacts=["<sip:d1@127.0.0.1:25401>"])
        r = message_auth(UA(srv), "a1", "site1.test", "a1pw",
                         "sip:d1@site1.test", TEXT, "text/plain;charset=UTF-8")
        ok(r["status"] == 200, "sipp registered as d1 answers 200 to a1")
        sp.wait(10)
        ok(sp.returncode == 0, "sipp got its MESSAGE")
        with open(log, "rb") as f:
            ok(TEXT in f.read(), "with the exact body")
    finally:
        if sp.poll() is None:
            sp.kill()
            sp.wait()
else:
    print("ok # SKIP sipp missing")
done()
