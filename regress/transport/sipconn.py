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

"""SIP over real TCP, TLS and UDP sockets, one scenario per subcommand.

Each scenario prints what it saw on one line and exits 0 when the
server behaved as expected, 1 when it did not, 77 when this machine
cannot run it (the test then skips it with the reason printed).
"""

import argparse
import os
import select
import socket
import ssl
import sys
import threading
import time
import warnings

TIMEOUT = 5.0
SKIP = 77


def options(transport, port, n=1, size=0):
    """An OPTIONS request; size pads the body to make it that large."""
    tag = os.urandom(6).hex()
    body = b"x" * size
    return ("OPTIONS sip:site1.test SIP/2.0\r\n"
            "Via: SIP/2.0/%s 127.0.0.1:%d;branch=z9hG4bK%s%d;rport\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:probe@site1.test>;tag=%s\r\n"
            "To: <sip:site1.test>\r\n"
            "Call-ID: %s-%d@127.0.0.1\r\n"
            "CSeq: %d OPTIONS\r\n"
            "Content-Length: %d\r\n\r\n" %
            (transport, port, tag, n, tag, tag, n, n, len(body))
            ).encode() + body


class Stream:
    """A client connection that reads SIP responses or sees it close."""

    def __init__(self, args, src=None, tls=None):
        self.buf = b""
        self.closed = False
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(TIMEOUT)
        if src is not None:
            s.bind((src, 0))
        s.connect((args.host, args.port))
        self.sock = s
        if args.tls if tls is None else tls:
            self.sock = tls_context(args).wrap_socket(
                s, server_hostname="site1.test")
        self.lport = self.sock.getsockname()[1]

    def send(self, data):
        self.sock.sendall(data)

    def fill(self, deadline):
        """False once the deadline passed or the server closed."""
        left = deadline - time.monotonic()
        if left <= 0 or self.closed:
            return False
        if not (isinstance(self.sock, ssl.SSLSocket) and
                self.sock.pending()):
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return False
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, ssl.SSLError, OSError):
            data = b""
        if not data:
            self.closed = True
            return False
        self.buf += data
        return True

    def response(self, timeout=TIMEOUT):
        """The status code of the next response, or None."""
        deadline = time.monotonic() + timeout
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                head = self.buf[:end].decode("latin-1")
                clen = 0
                for line in head.split("\r\n")[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() in ("content-length", "l"):
                        clen = int(value)
                total = end + 4 + clen
                if len(self.buf) >= total:
                    self.buf = self.buf[total:]
                    return int(head.split(" ")[1])
            if not self.fill(deadline):
                return None

    def wait_closed(self, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while not self.closed:
            if not self.fill(deadline) and not self.closed:
                return False
        return True

    def close(self):
        self.sock.close()


def tls_context(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if args.cert:
        ctx.load_cert_chain(args.cert, args.key)
    if args.max_tls == "1.1":
        ctx.minimum_version = ssl.TLSVersion.TLSv1_1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    elif args.max_tls == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def transport(args):
    return "TLS" if args.tls else "TCP"


def report(ok, what):
    print(what)
    return 0 if ok else 1


def run_options(args):
    """--count requests, in one write or each split in --split writes."""
    c = Stream(args)
    reqs = [options(transport(args), c.lport, i + 1)
            for i in range(args.count)]
    if args.split > 1:
        for r in reqs:
            step = -(-len(r) // args.split)
            for i in range(0, len(r), step):
                c.send(r[i:i + step])
                time.sleep(0.3)
    else:
        c.send(b"".join(reqs))
    codes = [c.response() for _ in reqs]
    proto = c.sock.version() if args.tls else "tcp"
    return report(all(x == 200 for x in codes),
                  "%s %s" % (proto, " ".join(str(x) for x in codes)))


def run_flood(args):
    """--count requests written by a thread; replies read only after a
    second, so the server's queue backs up and its reads must pause."""
    c = Stream(args)
    reqs = b"".join(options(transport(args), c.lport, i + 1)
                    for i in range(args.count))
    w = threading.Thread(target=c.send, args=(reqs,), daemon=True)
    w.start()
    time.sleep(1)
    codes = [c.response(args.timeout) for _ in range(args.count)]
    ok = all(x == 200 for x in codes)
    return report(ok, "%d of %d answered 200" %
                  (sum(1 for x in codes if x == 200), args.count))


def run_ping(args):
    """RFC 5626 double CRLF: exactly one CRLF back, and the line stays."""
    c = Stream(args)
    c.send(b"\r\n\r\n")
    deadline = time.monotonic() + TIMEOUT
    while len(c.buf) < 2 and c.fill(deadline):
        pass
    c.fill(time.monotonic() + 0.3)     # a second pong would show here
    pong = c.buf
    c.buf = b""
    c.send(options(transport(args), c.lport))
    code = c.response()
    return report(pong == b"\r\n" and code == 200,
                  "pong %r then %s" % (pong, code))


def run_close(args):
    """Sends --data and --pad bytes of "a", or a message with a body of
    --size bytes; the server must close the connection."""
    c = Stream(args)
    if args.size:
        data = options(transport(args), c.lport, 1, args.size)
    else:
        data = args.data.encode("latin-1").decode(
            "unicode_escape").encode("latin-1") + b"a" * args.pad
    try:
        c.send(data)
    except OSError:
        return report(True, "closed while sending")
    closed = c.wait_closed(args.timeout)
    return report(closed, "closed" if closed else "still open")


def run_caps(args):
    """--count connections from --src; the last must be closed."""
    conns = [Stream(args, args.src) for _ in range(args.count - 1)]
    try:
        shut = Stream(args, args.src).wait_closed(2)
    except (OSError, ssl.SSLError):
        shut = True     # closed during the TLS handshake
    codes = []
    for c in conns:
        c.send(options(transport(args), c.lport))
        codes.append(c.response())
    ok = shut and all(x == 200 for x in codes)
    return report(ok, "extra %s, others %s" %
                  ("closed" if shut else "open",
                   " ".join(str(x) for x in codes)))


def run_crowd(args):
    """--count connections from --src, opened while the total is held by
    idle strangers: each must be taken and answered."""
    conns = [Stream(args, args.src) for _ in range(args.count)]
    codes = []
    for c in conns:
        c.send(options(transport(args), c.lport))
        codes.append(c.response())
    return report(all(x == 200 for x in codes),
                  "newcomers %s" % " ".join(str(x) for x in codes))


def run_hold(args):
    """Opens --count connections and keeps them for --timeout seconds."""
    conns = [Stream(args, args.src) for _ in range(args.count)]
    print("holding %d" % len(conns), flush=True)
    time.sleep(args.timeout)
    return 0


def run_isolate(args):
    """One connection answered before and after another one is closed
    for what it sent (--size or --data)."""
    a = Stream(args)
    a.send(options(transport(args), a.lport, 1))
    before = a.response()
    closed = run_close(args) == 0
    a.send(options(transport(args), a.lport, 2))
    after = a.response()
    return report(closed and before == 200 and after == 200,
                  "other connection %s, %s" % (before, after))


def run_silent(args):
    """Connects and says nothing: closed after at least --min seconds."""
    c = Stream(args, args.src, tls=False)
    start = time.monotonic()
    closed = c.wait_closed(args.timeout)
    took = time.monotonic() - start
    return report(closed and took >= args.min,
                  "%s after %.1f s" % ("closed" if closed else "open", took))


def run_udp(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(TIMEOUT)
    s.connect((args.host, args.port))
    s.send(options("UDP", s.getsockname()[1]))
    try:
        data = s.recv(65536)
    except OSError:
        return report(False, "no answer")
    code = int(data.split(b" ")[1])
    return report(code == 200, "udp %d" % code)


def run_old_tls(args):
    """A client that offers only TLS 1.1 must not get a session."""
    try:
        ctx = tls_context(args)
    except (ValueError, ssl.SSLError) as e:
        print("python cannot offer TLS 1.1: %s" % e)
        return SKIP
    s = socket.create_connection((args.host, args.port), TIMEOUT)
    try:
        t = ctx.wrap_socket(s, server_hostname="site1.test")
    except ssl.SSLError as e:
        if "NO_PROTOCOLS_AVAILABLE" in str(e).upper() or \
                "NO PROTOCOLS AVAILABLE" in str(e).upper():
            print("this OpenSSL will not offer TLS 1.1: %s" % e)
            return SKIP
        return report(True, "refused: %s" % e.reason)
    except OSError as e:
        return report(True, "refused: %s" % e)
    return report(False, "accepted %s" % t.version())


def main():
    warnings.simplefilter("ignore", DeprecationWarning)   # TLS 1.1 on purpose
    p = argparse.ArgumentParser()
    p.add_argument("scenario")
    p.add_argument("port", type=int)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--src")
    p.add_argument("--tls", action="store_true")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--max-tls")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--split", type=int, default=1)
    p.add_argument("--size", type=int, default=0)
    p.add_argument("--data", default="")
    p.add_argument("--pad", type=int, default=0)
    p.add_argument("--timeout", type=float, default=TIMEOUT)
    p.add_argument("--min", type=float, default=0)
    args = p.parse_args()
    run = {"caps": run_caps, "close": run_close, "crowd": run_crowd,
           "flood": run_flood,
           "hold": run_hold, "isolate": run_isolate, "old-tls": run_old_tls,
           "options": run_options, "ping": run_ping, "silent": run_silent,
           "udp": run_udp}[args.scenario]
    try:
        return run(args)
    except (OSError, ssl.SSLError) as e:
        return report(False, "error: %s" % e)


if __name__ == "__main__":
    sys.exit(main())
