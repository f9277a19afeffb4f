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
# A foreign domain whose next hop takes the TCP connection and the
# request and never answers: the sender gets 408 (or 503) when the
# relay's time is up (32 s, Timer F; see relayd.conf(5)), not sooner and
# not much later, and meanwhile messages to another foreign domain,
# served by a second real suite on 127.0.0.2, are relayed at once.
#
# The black hole is a socket of this test on 127.0.0.1 port 26011,
# reached by a static route.  Ports 26010-26011, 127.0.0.1 and .2 only.

import os, signal, socket, sys, threading, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Answer, Suite, UA, ok, done, message_auth

# A SIGTERM (prove's timeout) still runs the clean-up: atexit, finally.
signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))

PORT, HOLE = 26010, 26011
RELAY_TIME = 32		# relayd's give-up time, relayd.conf(5)


class BlackHole(threading.Thread):
    """Accepts every connection, reads what comes and never answers."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", port))
        self.ls.listen(16)
        self.ls.settimeout(0.2)
        self.conns, self.bytes = [], b""
        self.running = True

    def run(self):
        while self.running:
            try:
                c, _ = self.ls.accept()
                c.setblocking(False)
                self.conns.append(c)
            except socket.timeout:
                pass
            for c in self.conns:
                try:
                    self.bytes += c.recv(65536)
                except (BlockingIOError, OSError):
                    pass

    def stop(self):
        self.running = False
        self.join(2)
        for c in self.conns:
            c.close()
        self.ls.close()


def final(ua, r):
    """The final response, past any provisional one."""
    while r is not None and r["status"] < 200:
        r = ua.recv()
    return r


hole = BlackHole(HOLE)
hole.start()
try:
    s1 = Suite("site1.test", PORT, [
        'route "hole.test" via 127.0.0.1 port %d tcp' % HOLE,
        'route "site2.test" via 127.0.0.2 port %d' % PORT])
    s2 = Suite("site2.test", PORT,
               ['route "site1.test" via 127.0.0.1 port %d' % PORT],
               addr="127.0.0.2")
    for s in (s1, s2):
        ok(s.start(), "%s starts on %s" % (s.domain, s.addr))
    s1.add_user("a1@site1.test", "a1pw")
    s2.add_user("b1@site2.test", "b1pw")
    srv1, srv2 = ("127.0.0.1", PORT), ("127.0.0.2", PORT)
    b1 = UA(srv2, bind="127.0.0.2", timeout=5)
    ok(b1.register("b1", "site2.test", "b1pw")["status"] == 200,
       "b1 registers at site2")

    res = {}

    def send_hole():
        ua = UA(srv1, timeout=RELAY_TIME + 10)
        t0 = time.time()
        try:
            res["r"] = final(ua, message_auth(ua, "a1", "site1.test",
                                              "a1pw", "sip:x@hole.test",
                                              b"into the hole"))
        except OSError as e:
            res["e"] = e
        res["t"] = time.time() - t0

    th = threading.Thread(target=send_hole, daemon=True)
    t_hole = time.time()
    th.start()
    for _ in range(50):
        if b"into the hole" in hole.bytes:
            break
        time.sleep(0.1)
    ok(b"into the hole" in hole.bytes and len(hole.conns) >= 1,
       "the request reaches the black hole over TCP (%d connections)" %
       len(hole.conns))

    # While it waits: one message to site2 every few seconds.
    n, slow = 0, []
    while th.is_alive() and n < 8:
        ans = Answer(b1)
        ua = UA(srv1, timeout=5)
        t0 = time.time()
        try:
            r = final(ua, message_auth(ua, "a1", "site1.test", "a1pw",
                                       "sip:b1@site2.test",
                                       b"meanwhile %d" % n))
        except OSError:
            r = None
        dt = time.time() - t0
        req = ans.request(5)
        if (r is None or r["status"] != 200 or req is None or
                req["body"] != b"meanwhile %d" % n or dt >= 3):
            slow.append((n, r and r["status"], round(dt, 2)))
        n += 1
        time.sleep(3)
    ok(n >= 5 and slow == [], "while the black hole holds a request, %d "
       "messages to site2 are each delivered and answered 200 in < 3 s "
       "(failures %s)" % (n, slow))
    ok(th.is_alive(), "the request to the black hole is still pending "
       "after them (%.0f s)" % (time.time() - t_hole))

    th.join(RELAY_TIME + 15)
    r = res.get("r")
    ok(r is not None and r["status"] in (408, 503),
       "the sender gets %s (%s)" % (r and r["status"],
                                    r and r["reason"]))
    t = res.get("t", 0)
    ok(RELAY_TIME - 2 <= t <= RELAY_TIME + 4,
       "after the relay's time: %.1f s (%d s)" % (t, RELAY_TIME))
    ok(s1.alive() and s2.alive(), "both suites still run")
    ans = Answer(b1)
    ua = UA(srv1, timeout=5)
    r = final(ua, message_auth(ua, "a1", "site1.test", "a1pw",
                               "sip:b1@site2.test", b"after"))
    ok(r["status"] == 200 and ans.request(5) is not None,
       "and site2 is still reached afterwards")
finally:
    hole.stop()
done()
