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
# What one stranger can make the listener hold (issue 13, item 8), with
# the default limits.  bob's device takes every request and answers none.
# 200 unauthenticated MESSAGEs of 60 KB from mallory@z.test at
# 127.0.0.5: past "limit held-bytes-per-address" (8M) they get 503 with
# Retry-After at once; a MESSAGE from 127.0.0.6 still reaches the
# device; the held ones are answered 408 after "limit
# unauthenticated-wait" (10 s); and the listener's resident size then
# comes back near where it was before the flood.  Port 26520.

import os, re, signal, socket, sys, threading, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, children, header

signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))

PORT = 26520
N, BODY = 200, 60000
# One listener worker: its memory is the one measured (each of several
# workers holds its share of the bounds: regress/workers/workers.t).
s = Suite("site1.test", PORT, ["inbound any", "listener workers 1"])
ok(s.start(), "the suite starts")
s.add_user("bob@site1.test", "bobpw")
srv = ("127.0.0.1", PORT)
listener = children(s.proc.pid)["listener"]


def rss_kb():
    with open("/proc/%d/status" % listener) as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


# bob's device: registered over TCP, reads everything, answers nothing.
dev = UA(srv, transport="tcp", timeout=5)
r = dev.register("bob", "site1.test", "bobpw", expires=300)
ok(r["status"] == 200, "bob's device registers over TCP")
seen = []
stop = threading.Event()


def device():
    """Reads as fast as the listener writes, so its queue to the device
    never fills; notes the MESSAGEs and carol's marker, answers none."""
    dev.s.settimeout(0.5)
    tail = b""
    while not stop.is_set():
        try:
            chunk = dev.s.recv(1 << 20)
        except (socket.timeout, TimeoutError):
            continue
        except OSError:
            return
        if not chunk:
            return
        data = tail + chunk
        seen.extend([b"MESSAGE"] * data.count(b"MESSAGE sip:"))
        if b"from carol!" in data:
            seen.append(b"from carol!")
        tail = data[-16:]


threading.Thread(target=device, daemon=True).start()


def message(ua, n, body):
    branch = "z9hG4bKheld%d" % n
    data = ("MESSAGE sip:bob@site1.test SIP/2.0\r\n"
            "Via: SIP/2.0/TCP %s:%d;branch=%s;rport\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:mallory@z.test>;tag=m%d\r\n"
            "To: <sip:bob@site1.test>\r\n"
            "Call-ID: held%d@z.test\r\nCSeq: 1 MESSAGE\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: %d\r\n\r\n" % (ua.local[0], ua.local[1],
                                             branch, n, n, len(body)))
    ua.send_raw(data.encode() + body)


time.sleep(1)
base = rss_kb()
answers = {}


def collect(ua):
    while True:
        try:
            resp = ua.recv()
        except (OSError, ConnectionError):
            return
        m = re.search(r"held(\d+)@", dict(resp["headers"])["call-id"])
        answers[int(m.group(1))] = (resp["status"], time.monotonic(),
                                    header(resp, "retry-after"))


mal = UA(srv, transport="tcp", bind="127.0.0.5", timeout=30)
threading.Thread(target=collect, args=(mal,), daemon=True).start()
sent = {}
t0 = time.monotonic()
for i in range(N):
    sent[i] = time.monotonic()
    message(mal, i, b"%05d" % i + b"x" * (BODY - 5))
    # One at a time: a burst would fill the device's output queue,
    # which closes its connection, a matter for another test.
    time.sleep(0.01)
time.sleep(1.5)
peak = rss_kb()
refused = [i for i, a in answers.items() if a[0] == 503]
quick = [i for i in refused if answers[i][1] - sent[i] < 1.0]
print("# %d sent in %.2f s; %d answered 503 (%d within 1 s); RSS %d kB "
      "-> %d kB" % (N, time.monotonic() - t0, len(refused), len(quick),
                    base, peak))
ok(len(refused) >= N // 4, "past the per-source bound the sender gets 503 "
   "(%d of %d)" % (len(refused), N))
ok(refused and len(quick) == len(refused), "each 503 comes at once")
ok(refused and all(answers[i][2] for i in refused),
   "with a Retry-After header")

other = UA(srv, transport="udp", bind="127.0.0.6", timeout=3)
data = ("MESSAGE sip:bob@site1.test SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 127.0.0.6:%d;branch=z9hG4bKother;rport\r\n"
        "Max-Forwards: 70\r\nFrom: <sip:carol@w.test>;tag=c1\r\n"
        "To: <sip:bob@site1.test>\r\nCall-ID: other@w.test\r\n"
        "CSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\n"
        "Content-Length: 11\r\n\r\nfrom carol!" % other.local[1])
other.send_raw(data.encode())
end = time.monotonic() + 3
while time.monotonic() < end and b"from carol!" not in seen:
    time.sleep(0.1)
try:
    other.s.settimeout(0.5)
    carol = other.recv()["status"]
except (socket.timeout, TimeoutError):
    carol = "held"
print("# the device saw about %d MESSAGEs; carol's answer: %s" % (
    len(seen), carol))
ok(b"from carol!" in seen, "a MESSAGE from another source (127.0.0.6) "
   "still reaches the device")
ok(carol != 503, "and is not refused (%s)" % carol)

# The held ones go after the short wait for strangers; the sweep runs
# every second, the memory is handed back after it.
end = time.monotonic() + 20
while time.monotonic() < end and len(answers) < N:
    time.sleep(0.2)
timed = [i for i, a in answers.items() if a[0] != 503]
waits = [answers[i][1] - sent[i] for i in timed]
ok(len(answers) == N, "every MESSAGE was answered (%d of %d)" %
   (len(answers), N))
ok(timed and max(waits) < 15, "the held ones within 15 s (%s, longest "
   "%.1f s)" % (sorted(set(answers[i][0] for i in timed)),
                max(waits) if waits else -1))
# Freed as the held ones end: polled up to 10 s, since on a loaded
# machine the last of them may end later than 2.5 s after.
time.sleep(2.5)
after = rss_kb()
deadline = time.time() + 7.5
while after - base >= (peak - base) / 2 and time.time() < deadline:
    time.sleep(0.5)
    after = rss_kb()
print("# RSS before %d kB, peak %d kB, after %d kB" % (base, peak, after))
ok(peak - base > 4096, "the flood did grow the listener (%d kB)" %
   (peak - base))
with open("/proc/%d/maps" % listener) as f:
    asan = "libasan" in f.read()
if asan:
    # Its quarantine holds freed memory back on purpose.
    ok(True, "the listener gave back most of it # SKIP AddressSanitizer")
else:
    ok(after - base < (peak - base) / 2, "the listener gave back most of "
       "it: %d kB above the start, of %d kB" % (after - base, peak - base))
ok(s.alive() and children(s.proc.pid).get("listener") == listener,
   "the listener is the same process")
ok("127.0.0.5 holds" in s.logtext(), "the refusal is logged with the "
   "source")
stop.set()
done()
