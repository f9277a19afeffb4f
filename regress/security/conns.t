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
# Strangers holding connections open lock nobody out (issue 13, item 11).
# With "limit connections 200" and "limit connections-per-address 8",
# 51 addresses (127.0.0.10 to .60) open 8 idle connections each, half
# to the TCP port and half to the TLS port (never a TLS handshake): 408,
# twice the total.  alice, registered over TCP before, keeps her
# connection; bob from a fresh address connects and registers over TCP
# and over TLS; the 9th connection of one address is still refused.
# Ports 26530 (udp, tcp) and 26531 (tls).

import os, signal, socket, ssl, subprocess, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, closed, raise_nofile

signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))

PORT, TLSPORT = 26530, 26531
TOTAL, PER = 200, 8
ADDRS = ["127.0.0.%d" % i for i in range(10, 61)]

raise_nofile(1024)

# One listener worker: the bounds of one process, exactly (each of
# several workers holds its share: regress/workers/workers.t).
s = Suite("site1.test", PORT, ["limit connections %d" % TOTAL,
                               "limit connections-per-address %d" % PER,
                               "listener workers 1"])
cert, key = os.path.join(s.dir, "cert.pem"), os.path.join(s.dir, "key.pem")
r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-days", "2", "-subj", "/CN=site1.test",
                    "-keyout", key, "-out", cert], capture_output=True)
with open(s.conf, "a") as f:
    f.write('listen on 127.0.0.1 port %d tls certificate "%s" key "%s"\n'
            % (TLSPORT, cert, key))
ok(r.returncode == 0 and s.start(), "the suite starts with TCP and TLS")
s.add_user("alice@site1.test", "alicepw")
s.add_user("bob@site1.test", "bobpw")


def register(transport, port, user, pw, bind):
    try:
        ua = UA(("127.0.0.1", port), transport, bind=bind, timeout=3)
        return ua, ua.register(user, "site1.test", pw)["status"]
    except (OSError, ConnectionError, ssl.SSLError) as e:
        return None, "%s" % e.__class__.__name__


def options(ua, user):
    if ua is None:
        return "no connection"
    try:
        return ua.request("OPTIONS", "sip:site1.test",
                          "sip:%s@site1.test" % user,
                          "sip:site1.test")["status"]
    except (OSError, ConnectionError) as e:
        return e.__class__.__name__


alice, st = register("tcp", PORT, "alice", "alicepw", "127.0.0.2")
ok(st == 200, "alice registers over TCP before the flood (%s)" % st)

conns = []
try:
    t0 = time.monotonic()
    for a in ADDRS:
        for i in range(PER):
            c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            c.bind((a, 0))
            c.connect(("127.0.0.1", PORT if i % 2 == 0 else TLSPORT))
            conns.append(c)
    time.sleep(1)
    shut = sum(1 for c in conns if closed(c))
    print("# %d idle connections from %d addresses in %.2f s, %d closed "
          "by the server" % (len(conns), len(ADDRS),
                             time.monotonic() - t0, shut))
    ok(len(conns) - shut <= TOTAL, "no more than %d stay open (%d)" %
       (TOTAL, len(conns) - shut))

    t1 = time.monotonic()
    ua, st = register("tcp", PORT, "bob", "bobpw", "127.0.0.7")
    ok(st == 200, "bob from a fresh address registers over TCP (%s, "
       "%.2f s)" % (st, time.monotonic() - t1))
    t1 = time.monotonic()
    ut, st = register("tls", TLSPORT, "bob", "bobpw", "127.0.0.8")
    ok(st == 200, "and over TLS (%s, %.2f s)" % (st, time.monotonic() - t1))

    # Another wave of strangers: authenticated connections stay.
    more = []
    for a in ADDRS[:25]:
        for i in range(PER):
            c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            c.bind((a, 0))
            try:
                c.connect(("127.0.0.1", PORT))
            except OSError:
                pass
            more.append(c)
    conns += more
    time.sleep(1)
    r = options(alice, "alice")
    ok(r == 200, "alice's authenticated connection is still served (%s)"
       % r)
    r = options(ua, "bob")
    ok(r == 200, "and so is bob's over TCP (%s)" % r)

    for c in conns:
        c.close()
    conns = []
    time.sleep(0.5)
    same = [socket.create_connection(("127.0.0.1", PORT), 2,
                                     ("127.0.0.11", 0))
            for _ in range(PER + 1)]
    conns = same
    time.sleep(0.5)
    ok(closed(same[-1]) and not any(closed(c) for c in same[:-1]),
       "one address still gets %d connections, and no more" % PER)
    ok(s.alive(), "the suite is still up")
finally:
    for c in conns:
        c.close()
done()
