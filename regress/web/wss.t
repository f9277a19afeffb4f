#!/usr/bin/env python3
# WebSocket over TLS: `listen ... wss` with the listen statement's
# certificate, and `websocket origin`.  A TLS client upgrades and
# registers; a page from another origin is refused with 403; and the web
# client served over https (Chromium told to accept the test CA's
# certificate) connects over wss by itself and chats with a wss client.

import os, socket, ssl, sys, tempfile, threading
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import Suite, ok, done, header, make_ca, make_cert
from wslib import WSUA, handshake
from browserlib import Browser, require_browser, login, WEB_ROOT, BUILD

require_browser()

P, WSS = 27560, 27561
D = "site1.test"
ORIGIN = "https://127.0.0.1:%d" % WSS
d = tempfile.mkdtemp(prefix="imd-wss.")
make_ca(d)
crt, key = make_cert(d, "im", ["localhost"])
s = Suite(D, P, ['listen on 127.0.0.1 port %d wss certificate "%s" key "%s"'
                 % (WSS, crt, key), 'web root "%s"' % WEB_ROOT,
                 'websocket origin "%s"' % ORIGIN])
ok(s.start(), "the suite starts with wss on %d" % WSS)
s.add_user("alice@" + D, "alicepw")
s.add_user("bob@" + D, "bobpw")


def tls():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx.wrap_socket(socket.create_connection(("127.0.0.1", WSS),
                                                    timeout=3))


c = tls()
st, h, _ = handshake(c, origin="https://evil.example")
ok(st == 403, "an upgrade from another origin: %d" % st)
c.close()
c = tls()
st, h, _ = handshake(c, origin=ORIGIN)
ok(st == 101 and h["_accept_ok"], "from %s: 101" % ORIGIN)
c.close()


class WSSUA(WSUA):
    def __init__(self):
        self.server, self.transport = ("127.0.0.1", WSS), "wss"
        self.cseq, self.buf, self.pings = 0, b"", 0
        self.callid = "wss%d@imd.test" % id(self)
        self.tag = "t%d" % id(self)
        self.s = tls()
        self.local = self.s.getsockname()
        self.status, self.hdrs, _ = handshake(self.s, origin=ORIGIN)


bob = WSSUA()
r = bob.register("bob", D, "bobpw",
                 contacts=["<sip:b@bob.invalid;transport=wss>"])
ok(r["status"] == 200, "bob registers over wss: %d" % r["status"])

b = Browser(os.path.join(BUILD, "regress/web/shots/wss"),
            ["--ignore-certificate-errors"])
ok(login(b, "alice", ORIGIN + "/", "alice@" + D, "alicepw"),
   "alice logs in on the page served over https")
ok(b.cmd("eval", page="alice", js="return document.getElementById("
         "'login-server').value") == "wss://127.0.0.1:%d/" % WSS,
   "the page connects to wss:// by itself")
got = {}
t = threading.Thread(target=lambda: got.update(req=bob.answer_request(8)))
t.start()
b.cmd("type", page="alice", selector="#add-address", text="bob@" + D)
b.cmd("press", page="alice", key="Enter")
b.click("alice", "#buddies button[data-address='bob@%s']"
      % D)
b.cmd("type", page="alice", selector="#text", text="보안 연결로 안녕")
b.cmd("press", page="alice", key="Enter")
t.join()
# bob's first request may be alice's SUBSCRIBE: take until the MESSAGE.
while got.get("req") is not None and got["req"]["method"] != "MESSAGE":
    got["req"] = bob.answer_request(8)
ok(got.get("req") is not None and
   got["req"]["body"].decode() == "보안 연결로 안녕",
   "bob gets alice's message over wss")
b.shot("alice", "wss-chat")
b.stop()
ok(s.alive(), "the suite is still up")
done()
