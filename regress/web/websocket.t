#!/usr/bin/env python3
# SIP over WebSocket (RFC 7118, RFC 6455) on a `listen ... ws` address,
# from a raw client: the upgrade and each reason to refuse one, the web
# client's files and what else HTTP may ask, SIP in text, binary and
# fragmented frames, ping and CRLF keep-alives, the close handshake, and
# every bad input (garbage, unmasked, oversized, a client that never
# reads) closing that connection only while another WebSocket keeps
# registering.  Then the RFC 5626 flows: a REGISTER with +sip.instance
# and reg-id is answered with Require: outbound, a MESSAGE reaches the
# browser's .invalid contact over its connection, a second connection of
# the same instance replaces the first binding, and a closed connection
# takes its binding with it at once, so the next MESSAGE is queued
# offline and delivered at the next registration.

import os, signal, socket, struct, sys, threading, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import (Suite, UA, ok, done, header, message_auth, children,
                     closed)
from wslib import WSUA, handshake, frame, read_frame

signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))

P, WSP = 27500, 27501
D = "site1.test"
MSGSIZE = 8192
root = os.path.join(os.environ["IMD_BUILD"], "regress/web/root")
os.makedirs(root, exist_ok=True)
with open(os.path.join(root, "index.html"), "w") as f:
    f.write("<!doctype html><title>imd</title>\n")
with open(os.path.join(root, "big.js"), "w") as f:
    f.write("//" + "x" * 300000 + "\n")
with open(os.path.join(root, ".hidden.txt"), "w") as f:
    f.write("secret\n")

s = Suite(D, P, ["listen on 127.0.0.1 port %d ws" % WSP,
                 'web root "%s"' % root,
                 "limit message-size %d" % MSGSIZE,
                 "offline store"])
ok(s.start(), "the suite starts with ws on port %d" % WSP)
for u in ("alice", "bob"):
    s.add_user("%s@%s" % (u, D), u + "pw")
listener = children(s.proc.pid)["listener"]


def conn():
    return socket.create_connection(("127.0.0.1", WSP), timeout=3)


def http(raw):
    c = conn()
    c.sendall(raw)
    data = b""
    try:
        while True:
            chunk = c.recv(65536)
            if not chunk:
                break
            data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            n = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
                 if l.lower().startswith(b"content-length:")]
            if n and len(body) >= n[0]:
                break
    except socket.timeout:
        pass
    c.close()
    return data


# The upgrade.
c = conn()
st, h, _ = handshake(c)
ok(st == 101 and h["_accept_ok"] and h.get("sec-websocket-protocol") ==
   "sip", "an upgrade asking for sip: 101, the right accept key, sip")
c.close()
for what, kw, want in (
        ("another subprotocol", dict(protocol="chat"), 400),
        ("no subprotocol", dict(protocol=None), 400),
        ("sip among others", dict(protocol="chat, sip"), 101),
        ("version 8", dict(version="8"), 426)):
    c = conn()
    st, h, raw = handshake(c, **kw)
    ok(st == want, "%s: %d (%s)" % (what, st, raw.split(b"\r\n")[0]))
    if want == 426:
        ok(h.get("sec-websocket-version") == "13", "426 names version 13")
    if want != 101:
        time.sleep(0.2)
        ok(closed(c), "and the connection is closed")
    c.close()

# Files and the rest of HTTP.
r = http(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
ok(r.startswith(b"HTTP/1.1 200") and b"text/html" in r and
   r.endswith(b"<!doctype html><title>imd</title>\n"),
   "GET / is index.html, text/html")
r = http(b"GET /big.js?v=1 HTTP/1.1\r\nHost: x\r\n\r\n")
ok(r.startswith(b"HTTP/1.1 200") and r.endswith(b"x" * 1000 + b"\n") and
   len(r.partition(b"\r\n\r\n")[2]) == 300003,
   "a 300 KB file comes whole (%d bytes), the query ignored" % len(r))
for req, want, what in (
        (b"GET /missing.js HTTP/1.1\r\nHost: x\r\n\r\n", b"404", "missing"),
        (b"GET /.hidden.txt HTTP/1.1\r\nHost: x\r\n\r\n", b"404",
         "a dot file"),
        (b"GET /../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", b"404",
         "a path out of the folder"),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", b"405",
         "POST"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
         b"400", "a body"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 9000 + b"\r\n\r\n",
         b"431", "a head over 8 KB"),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", b"400",
         "TLS bytes")):
    r = http(req)
    ok(r.startswith(b"HTTP/1.1 " + want), "%s: %s (%r)" % (
        what, want.decode(), r[:40]))
r = http(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
ok(r.startswith(b"HTTP/1.1 200") and r.endswith(b"\r\n\r\n"),
   "HEAD: the head only")

# SIP over the WebSocket.
INST = '"<urn:uuid:00000000-0000-4000-8000-00000000a11c>"'


def contact(user):
    return ('<sip:%s@r4nd0m.invalid;transport=ws>;reg-id=1;+sip.instance=%s'
            % (user, INST))


a = WSUA(("127.0.0.1", WSP))
r = a.register("alice", D, "alicepw", contacts=[contact("a1")],
               extra=["Supported: path, outbound, gruu"])
ok(r["status"] == 200 and header(r, "require") == ["outbound"],
   "REGISTER over ws with reg-id and +sip.instance: 200, Require: "
   "outbound (%s)" % header(r, "require"))
b = s.ctl("show", "bindings").stdout
ok(b.count("alice@") == 1 and "a1@r4nd0m.invalid" in b,
   "one binding, the .invalid contact: %r" % b)

bob = UA(("127.0.0.1", P))
got = {}
t = threading.Thread(target=lambda: got.update(req=a.answer_request(5)))
t.start()
r = message_auth(bob, "bob", D, "bobpw", "sip:alice@" + D,
                 "안녕하세요, 앨리스".encode())
t.join()
ok(r["status"] == 200 and got.get("req") is not None and
   got["req"]["body"].decode() == "안녕하세요, 앨리스" and
   header(got["req"], "via")[0].startswith("SIP/2.0/WS "),
   "a MESSAGE from bob reaches alice over her WebSocket, Korean intact, "
   "our Via WS (%s)" % r["status"])

# Frames: binary, fragmented, ping, CRLF.
opts = (b"OPTIONS sip:%s SIP/2.0\r\nVia: SIP/2.0/WS x.invalid;branch="
        b"z9hG4bKo%%d\r\nFrom: <sip:x@%s>;tag=1\r\nTo: <sip:%s>\r\n"
        b"Call-ID: o%%d@x\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
        b"Content-Length: 0\r\n\r\n" % ((D.encode(),) * 3))
w = WSUA(("127.0.0.1", WSP))
w.s.sendall(frame(2, opts % (1, 1)))
ok(w.recv()["status"] in (200, 405, 403, 404),
   "a binary frame carries SIP too")
m = opts % (2, 2)
w.s.sendall(frame(1, m[:30], fin=False) + frame(0, m[30:], fin=True))
ok(w.recv()["status"] in (200, 405, 403, 404),
   "so does a message in two fragments")
w.s.sendall(frame(9, b"hi"))
op, data, w.buf = read_frame(w.s, w.buf)
ok(op == 10 and data == b"hi", "a ping gets its pong")
w.s.sendall(frame(1, b"\r\n\r\n"))
op, data, w.buf = read_frame(w.s, w.buf)
ok(op == 1 and data == b"\r\n", "a CRLF keep-alive gets a CRLF")
w.s.sendall(frame(8, struct.pack("!H", 1000)))
op, data, w.buf = read_frame(w.s, w.buf)
ok(op == 8 and struct.unpack("!H", data[:2])[0] == 1000,
   "a close gets a close, 1000")
time.sleep(0.2)
ok(closed(w.s), "and the connection ends")


def bad(what, payload, code):
    v = WSUA(("127.0.0.1", WSP))
    v.s.sendall(payload)
    try:
        op, data, _ = read_frame(v.s, v.buf)
        got = struct.unpack("!H", data[:2])[0] if op == 8 and \
            len(data) >= 2 else ("op", op)
    except OSError as e:
        got = str(e)
    time.sleep(0.2)
    ok((code is None or got == code) and closed(v.s),
       "%s: that connection is closed (%s)" % (what, got))
    r = a.register("alice", D, "alicepw", contacts=[contact("a1")])
    ok(r["status"] == 200, "alice's WebSocket still registers: %d" %
       r["status"])


bad("an unmasked frame", frame(1, opts % (3, 3), mask=False), 1002)
bad("a message over limit message-size",
    frame(1, b"X" * (MSGSIZE + 100)), 1009)
bad("fragments that add up over it",
    b"".join(frame(0 if i else 1, b"Y" * 2000, fin=False)
             for i in range(5)) + frame(0, b"Y", fin=True), 1009)
bad("garbage bytes", os.urandom(64) + b"\xff" * 64, None)
bad("a reserved opcode", frame(3, b"??"), 1002)
bad("a control frame with 200 bytes", frame(9, b"p" * 200), None)

# A client that never reads: dropped like a stuck TCP client.
SEND_TIMEOUT = 10


class Flooder(threading.Thread):
    def __init__(self, sock):
        super().__init__(daemon=True)
        self.s, self.sent, self.last = sock, 0, time.time()
        self.s.settimeout(None)
        self.ended = self.error = None

    def run(self):
        try:
            while True:
                self.s.sendall(b"".join(frame(1, opts % (self.sent + i,
                                                         self.sent + i))
                                        for i in range(50)))
                self.sent += 50
                self.last = time.time()
        except OSError as e:
            self.error, self.ended = e, time.time()


slow = socket.socket()
slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
slow.bind(("127.0.0.2", 0))
slow.settimeout(3)
slow.connect(("127.0.0.1", WSP))
ok(handshake(slow, host="x")[0] == 101, "a slow client upgrades")
fl = Flooder(slow)
fl.start()
t0 = time.time()
while time.time() - fl.last < 1 and time.time() - t0 < 20 and \
        fl.error is None:
    time.sleep(0.1)
stuck = time.time()
ok(fl.error is None, "it is stuck after %d requests it never read the "
   "answers to" % fl.sent)
late = []
for i in range(4):
    t1 = time.time()
    r = a.register("alice", D, "alicepw", contacts=[contact("a1")])
    if r["status"] != 200 or time.time() - t1 > 1:
        late.append((i, r["status"]))
    time.sleep(1)
ok(late == [], "alice's WebSocket is served meanwhile (%s)" % late)
fl.join(SEND_TIMEOUT + 10)
ok(fl.ended is not None and fl.ended - stuck <= SEND_TIMEOUT + 3,
   "the listener drops the slow one %.1f s after it got stuck" %
   ((fl.ended or time.time()) - stuck))
slow.close()

# Flows: the same instance again replaces the binding.
a2 = WSUA(("127.0.0.1", WSP))
r = a2.register("alice", D, "alicepw", contacts=[contact("a2")],
                extra=["Supported: outbound"])
b = s.ctl("show", "bindings").stdout
ok(r["status"] == 200 and b.count("alice@") == 1 and "a2@" in b and
   "a1@" not in b, "a second connection of the same instance and "
   "reg-id replaces the first binding: %r" % b)
ok([c for c in header(r, "contact") if "a1@" in c] == [],
   "and the 200 lists only the new contact")
a.s.close()
time.sleep(0.5)
b = s.ctl("show", "bindings").stdout
ok("a2@" in b, "closing the old connection leaves the new binding")

a2.s.close()
t0 = time.time()
while "alice@" in s.ctl("show", "bindings").stdout and \
        time.time() - t0 < 3:
    time.sleep(0.05)
ok("alice@" not in s.ctl("show", "bindings").stdout,
   "closing the connection removes its binding at once (%.2f s)" %
   (time.time() - t0))
r = message_auth(bob, "bob", D, "bobpw", "sip:alice@" + D,
                 "나중에 봐요".encode())
ok(r["status"] == 202, "a MESSAGE to alice now is queued offline: %d" %
   r["status"])
a3 = WSUA(("127.0.0.1", WSP))
got = {}
t = threading.Thread(target=lambda: got.update(req=a3.answer_request(8)))
r = a3.register("alice", D, "alicepw", contacts=[contact("a3")])
t.start()
t.join()
ok(r["status"] == 200 and got.get("req") is not None and
   got["req"]["body"].decode() == "나중에 봐요",
   "and delivered over her new WebSocket when she registers again")

ok(children(s.proc.pid).get("listener") == listener and s.alive(),
   "the listener is the same process as at start")
done()
