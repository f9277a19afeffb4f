#!/usr/bin/env python3
#
# Copyright (c) 2026 The imd Authors
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
#
# A TLS client that sends request after request and never reads the
# answers, with a small receive buffer so that the listener's replies
# back up: it cannot stall the listener.  While its connection is
# stuck, other clients over UDP and over another TLS connection get
# their answers at once; and the listener drops the stuck connection
# once nothing it queued has been taken for the send timeout (imd(8)),
# instead of holding it until the idle timeout.
#
# Ports 26030-26031, 127.0.0.1 and .2 only.

import atexit, os, signal, shutil, socket, ssl, subprocess, sys, tempfile
import threading, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, children

# A SIGTERM (prove's timeout) still runs the clean-up: atexit, finally.
signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))

PORT, TLSPORT = 26030, 26031
SEND_TIMEOUT = 10	# imd(8): a peer that reads nothing for this long


def tls_client(bind, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((bind, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", TLSPORT))
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx.wrap_socket(s)


def options(n):
    return (b"OPTIONS sip:site1.test SIP/2.0\r\n"
            b"Via: SIP/2.0/TLS 127.0.0.2:9;branch=z9hG4bKslow%d\r\n"
            b"From: <sip:slow@site1.test>;tag=1\r\n"
            b"To: <sip:site1.test>\r\nCall-ID: slow%d@test\r\n"
            b"CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
            b"Content-Length: 0\r\n\r\n" % (n, n))


class Flooder(threading.Thread):
    """Writes OPTIONS in batches and never reads; blocks when the
    listener stops taking them, ends when the listener drops it."""

    def __init__(self, sock):
        super().__init__(daemon=True)
        self.s = sock
        self.s.settimeout(None)
        self.sent = 0
        self.last = time.time()
        self.error = None
        self.ended = None

    def run(self):
        try:
            while True:
                self.s.sendall(b"".join(options(self.sent + i)
                                        for i in range(50)))
                self.sent += 50
                self.last = time.time()
        except OSError as e:
            self.error = e
            self.ended = time.time()


d = tempfile.mkdtemp(prefix="imd-slowtls.")
atexit.register(shutil.rmtree, d, True)
crt, key = os.path.join(d, "server.crt"), os.path.join(d, "server.key")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-days", "2", "-subj", "/CN=site1.test", "-keyout", key,
                "-out", crt], check=True, capture_output=True)
s = Suite("site1.test", PORT, [
    'listen on 127.0.0.1 port %d tls certificate "%s" key "%s"' % (
        TLSPORT, crt, key)])
ok(s.start(), "the suite starts with TLS on port %d" % TLSPORT)
s.add_user("b1@site1.test", "b1pw")
s.add_user("c1@site1.test", "c1pw")
listener = children(s.proc.pid)["listener"]

slow = tls_client("127.0.0.2", rcvbuf=4096)
fl = Flooder(slow)
fl.start()
t0 = time.time()
while time.time() - fl.last < 1 and time.time() - t0 < 20 and \
        fl.error is None:
    time.sleep(0.1)
stuck = time.time()
ok(fl.error is None and time.time() - fl.last >= 1,
   "the slow client is stuck after %d requests (%.1f s)" % (
       fl.sent, stuck - t0))

# Others are served meanwhile.
c1ua = UA(("127.0.0.1", TLSPORT), transport="tls")
late = []
for i in range(6):
    t1 = time.time()
    try:
        r1 = UA(("127.0.0.1", PORT), timeout=2).register("b1", "site1.test",
                                                        "b1pw")
        r2 = c1ua.register("c1", "site1.test", "c1pw")
        st = (r1["status"], r2["status"])
    except OSError as e:
        st = (str(e),)
    dt = time.time() - t1
    if st != (200, 200) or dt > 1:
        late.append((i, st, round(dt, 2)))
    time.sleep(1)
ok(late == [], "meanwhile UDP and another TLS connection register, each "
   "answered within 1 s, 6 times (failures %s)" % late)
ok(fl.ended is None, "the slow client was still stuck during them")

fl.join(SEND_TIMEOUT + 10)
ok(fl.ended is not None and
   SEND_TIMEOUT - 4 <= fl.ended - stuck <= SEND_TIMEOUT + 3,
   "the listener drops it %.1f s after it got stuck (%s)" % (
       (fl.ended or time.time()) - stuck, fl.error))
log = [l for l in s.logtext().splitlines() if "took none of" in l]
ok(len(log) == 1 and "127.0.0.2" in log[0],
   "and logs why: %s" % log)
ok(children(s.proc.pid).get("listener") == listener and s.alive(),
   "the listener is the same process as at start")
r = UA(("127.0.0.1", TLSPORT), transport="tls").register("c1", "site1.test",
                                                        "c1pw")
ok(r["status"] == 200, "TLS still served afterwards")
slow.close()
done()
