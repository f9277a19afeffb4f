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
# 1,000 idle TCP connections from 127.0.0.1 against "limit
# connections-per-address 100": the first 100 stay open and are served,
# the other 900 are closed by the server at once, and meanwhile a client
# from 127.0.0.2 registers over TCP and one registers over UDP.  When
# the 1,000 go, the address may connect again.
#
# The test raises its own descriptor limit; the listener takes the
# limit the suite was started with and holds only the admitted 100.
# Port 26020, 127.0.0.1 and .2 only.

import os, signal, socket, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, children, closed, raise_nofile

# A SIGTERM (prove's timeout) still runs the clean-up: atexit, finally.
signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))

PORT = 26020
CONNS, CAP = 1000, 100

raise_nofile(CONNS + 200)

# One listener worker: the bounds of one process, exactly (each of
# several workers holds its share: regress/workers/workers.t).
s = Suite("site1.test", PORT, ["limit connections-per-address %d" % CAP,
                               "listener workers 1"])
ok(s.start(), "the suite starts with connections-per-address %d" % CAP)
s.add_user("b1@site1.test", "b1pw")
s.add_user("c1@site1.test", "c1pw")
srv = ("127.0.0.1", PORT)
listener = children(s.proc.pid)["listener"]


def options(c):
    c.sendall(b"OPTIONS sip:site1.test SIP/2.0\r\n"
              b"Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKcap%d\r\n"
              b"From: <sip:x@site1.test>;tag=1\r\nTo: <sip:site1.test>\r\n"
              b"Call-ID: cap%d@test\r\nCSeq: 1 OPTIONS\r\n"
              b"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n" %
              (c.fileno(), c.fileno()))
    c.settimeout(3)
    try:
        return c.recv(4096).startswith(b"SIP/2.0 200")
    except OSError:
        return False


conns = []
try:
    t0 = time.time()
    for i in range(CONNS):
        # From 127.0.0.1, the address connected to; bind(2) to port 0
        # first would cost a search of the port space each time.
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.connect(srv)
        conns.append(c)
    print("# %d connections in %.2f s" % (CONNS, time.time() - t0))
    t0 = time.time()

    # Every refused one is closed promptly.
    end = time.time() + 5
    while time.time() < end:
        shut = [i for i, c in enumerate(conns) if closed(c)]
        if len(shut) >= CONNS - CAP:
            break
        time.sleep(0.2)
    dt = time.time() - t0
    ok(len(shut) == CONNS - CAP and dt < 2, "%d of %d connections closed "
       "by the server, %.1f s after the last connect" % (len(shut), CONNS,
                                                          dt))
    ok(shut == list(range(CAP, CONNS)), "the closed ones are those after "
       "the first %d" % CAP)
    time.sleep(1)
    still = [i for i in range(CAP) if closed(conns[i])]
    ok(still == [], "the first %d stay open (%d closed)" % (CAP,
                                                            len(still)))

    # Another address over TCP, and UDP, while they stay.
    t1 = time.time()
    c1 = UA(srv, transport="tcp", bind="127.0.0.2")
    r = c1.register("c1", "site1.test", "c1pw")
    ok(r["status"] == 200 and time.time() - t1 < 2,
       "c1 from 127.0.0.2 registers over TCP (%s, %.2f s)" % (
           r["status"], time.time() - t1))
    t1 = time.time()
    r = UA(srv).register("b1", "site1.test", "b1pw")
    ok(r["status"] == 200 and time.time() - t1 < 2,
       "b1 registers over UDP (%s, %.2f s)" % (r["status"],
                                                time.time() - t1))
    ok(options(conns[0]) and options(conns[CAP - 1]),
       "the first and the %dth held connection are still served" % CAP)
    extra = socket.create_connection(srv, 2)
    time.sleep(0.5)
    ok(closed(extra), "one more from 127.0.0.1 is still refused")
    extra.close()

    # They go; the address may come again.
    for c in conns:
        c.close()
    conns = []
    time.sleep(1)
    again = [socket.create_connection(srv, 2) for _ in range(CAP)]
    conns = again
    time.sleep(0.5)
    ok(not any(closed(c) for c in again) and options(again[-1]),
       "once they closed, %d new connections from 127.0.0.1 are taken "
       "and served" % CAP)
    ok(children(s.proc.pid).get("listener") == listener and s.alive(),
       "the listener is the same process as at start")
    n = s.logtext().count("connections from this address")
    print("# %d refusals logged" % n)
finally:
    for c in conns:
        c.close()
done()
