#!/usr/bin/env python3
# Datagrams in batches (listener/udp.c): the listener reads up to 32 to
# a system call and writes the responses it made at the end of the turn
# of its loop.  A burst of 300 OPTIONS from one socket, far more than a
# batch, is answered whole and in the order sent; responses too long to
# wait in the queue (over 4096 bytes: many Via headers to copy) go at
# once and still keep their place among the queued ones; an oversized
# datagram in a burst is refused without losing its neighbours.  Then
# sipsak, a third-party client, is answered as before.

import os, shutil, signal, socket, subprocess, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, ok, done, header, parse_response

signal.signal(signal.SIGTERM, lambda sig, frame: sys.exit(1))

PORT = 26600
D = "site1.test"
s = Suite(D, PORT, ["limit message-size 8K"])
ok(s.start(), "the suite starts")
srv = ("127.0.0.1", PORT)


def options(sock, cseq, vias=0, pad=0):
    """An OPTIONS with CSeq cseq, vias extra Via headers and a body of
    pad bytes."""
    lport = sock.getsockname()[1]
    lines = ["OPTIONS sip:%s SIP/2.0" % D,
             "Via: SIP/2.0/UDP 127.0.0.1:%d;rport;branch=z9hG4bK-b%d-%d"
             % (lport, lport, cseq)]
    lines += ["Via: SIP/2.0/UDP 192.0.2.%d:5060;branch=z9hG4bK-%s"
              % (i % 250 + 1, "x" * 120) for i in range(vias)]
    lines += ["From: <sip:probe@%s>;tag=t%d" % (D, cseq),
              "To: <sip:%s>" % D,
              "Call-ID: burst-%d-%d" % (lport, cseq),
              "CSeq: %d OPTIONS" % cseq, "Max-Forwards: 70",
              "Content-Length: %d" % pad, "", ""]
    return ("\r\n".join(lines) + "x" * pad).encode()


def collect(sock, n, timeout=10):
    """Up to n responses as (status, CSeq number, length)."""
    got = []
    end = time.time() + timeout
    while len(got) < n and time.time() < end:
        sock.settimeout(max(0.05, end - time.time()))
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        r = parse_response(data)
        if r is None:
            continue
        cseq = header(r, "cseq")
        got.append((r["status"], int(cseq[0].split()[0]) if cseq else -1,
                    len(data)))
    return got


def udp_socket():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind(("127.0.0.1", 0))
    return sock


# 300 at once: ten batches of the listener's reads and queue.
a = udp_socket()
for i in range(1, 301):
    a.sendto(options(a, i), srv)
got = collect(a, 300)
ok(len(got) == 300 and all(st == 200 for st, _, _ in got),
   "a burst of 300 OPTIONS gets 300 200s (got %d)" % len(got))
ok([c for _, c, _ in got] == list(range(1, 301)),
   "the 200s come back in the order the OPTIONS were sent")

# Long responses (30 Vias of 150 bytes: over 4096) between short ones.
b = udp_socket()
for i in range(1, 61):
    b.sendto(options(b, i, vias=30 if i % 3 == 2 else 0), srv)
got = collect(b, 60)
longs = [ln for _, c, ln in got if c % 3 == 2]
ok(len(got) == 60 and all(st == 200 for st, _, _ in got) and
   len(longs) == 20 and min(longs) > 4096,
   "60 OPTIONS, a third with responses over 4096 bytes, all answered "
   "(got %d, shortest long one %d bytes)"
   % (len(got), min(longs) if longs else 0))
ok([c for _, c, _ in got] == list(range(1, 61)),
   "long responses sent at once keep their place among the queued ones")

# An oversized datagram (message-size 8K) in the middle of a burst.
c = udp_socket()
for i in range(1, 41):
    c.sendto(options(c, i, pad=9000 if i == 20 else 0), srv)
got = collect(c, 40, timeout=3)
ok(sorted(cs for _, cs, _ in got if cs != 20) == [i for i in range(1, 41)
                                                   if i != 20],
   "an oversized datagram in a burst leaves the other 39 answered")
ok(not any(cs == 20 and st == 200 for st, cs, _ in got),
   "the oversized OPTIONS itself is not served (%s)"
   % [st for st, cs, _ in got if cs == 20])

if shutil.which("sipsak"):
    r = subprocess.run(["sipsak", "-vv", "-s", "sip:probe@127.0.0.1:%d"
                        % PORT], capture_output=True, text=True, timeout=20)
    ok("SIP/2.0 200 OK" in r.stdout, "sipsak OPTIONS over UDP gets 200")
else:
    ok(True, "# SKIP sipsak is missing")

ok(s.alive(), "the suite is still running")
done()
