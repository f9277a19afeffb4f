#!/usr/bin/env python3
# metricsd is a network-facing parser: a source outside `metrics allow`
# is closed at once, unanswered and counted; a malformed request is 400,
# another method 405, another path 404, a head over 4096 bytes 431; a
# ninth connection while eight are open is closed at once; a connection
# that says nothing is closed after 10 s.  The daemon survives them all
# and still answers.

import os, socket, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/stats"))
from imdtest import Suite, ok, done
from stats_lib import http, show_stats

PORT, MPORT = 27730, 27739
s = Suite("site1.test", PORT, ["metrics listen on 127.0.0.1 port %d" %
                               MPORT, "metrics allow 127.0.0.1/32"])
ok(s.start(), "the suite starts with metrics listen and an allow-list")

GET = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def status(resp):
    parts = resp.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


r = http(MPORT, GET)
ok(status(r) == 200 and b"imd_sip_requests_total" in r,
   "an allowed source: 200 with the numbers")
ok(b"Connection: close" in r, "then the connection closes")
ok(http(MPORT, GET, bind="127.0.0.2") == b"",
   "a source outside the allow-list (127.0.0.2): closed, no answer")
ok(http(MPORT, GET, bind="127.0.0.3") == b"",
   "another one (127.0.0.3): closed too")

cases = [
    (b"GARBAGE\r\n\r\n", 400, "a request line without a target"),
    (b"GET /metrics HTTP/2.0\r\n\r\n", 400, "another protocol version"),
    (b"GET /metrics HTTP/1.1\r\nX: a\x00b\r\n\r\n", 400, "a NUL in a header"),
    (b"GET /metrics HTTP/1.1\r\nX: \xff\xfe\r\n\r\n", 400,
     "bytes past ASCII in a header"),
    (b"GET /metrics HTTP/1.1\r\nX: a\nY: b\r\n\r\n", 400, "a bare LF"),
    (b"GET  /metrics HTTP/1.1\r\n\r\n", 400, "two spaces"),
    (b"POST /metrics HTTP/1.1\r\nContent-Length: 2\r\n\r\nab", 405,
     "POST"),
    (b"HEAD /metrics HTTP/1.0\r\n\r\n", 405, "HEAD"),
    (b"GET /metrics/../etc/passwd HTTP/1.1\r\n\r\n", 404, "another path"),
    (b"GET / HTTP/1.1\r\n\r\n", 404, "the root"),
    (b"GET /metrics HTTP/1.1\r\nX: " + b"a" * 5000 + b"\r\n\r\n", 431,
     "a head of 5000 bytes"),
]
for data, want, what in cases:
    got = status(http(MPORT, data))
    ok(got == want, "%s: %s (want %d)" % (what, got, want))

# Headers without end: answered 431 at 4096 bytes and closed, so a
# sender of megabytes finds the connection gone long before the end.
c = socket.create_connection(("127.0.0.1", MPORT))
c.settimeout(5)
chunk, sent_bytes, cut = b"X: y\r\n" * 1000, 0, False
try:
    c.sendall(b"GET /metrics HTTP/1.1\r\n")
    while sent_bytes < 8 * 1024 * 1024:
        c.sendall(chunk)
        sent_bytes += len(chunk)
except (ConnectionResetError, BrokenPipeError):
    cut = True
c.close()
ok(cut and sent_bytes < 4 * 1024 * 1024,
   "endless headers: the connection is cut after %d bytes sent" % sent_bytes)

# Eight idle connections fill the table; the ninth is closed at once.
idle = []
for i in range(8):
    c = socket.create_connection(("127.0.0.1", MPORT))
    idle.append(c)
time.sleep(0.3)
t = time.time()
ok(http(MPORT, GET, timeout=3) == b"" and time.time() - t < 2,
   "a ninth connection while eight are open: closed at once")
t = time.time()
idle[0].settimeout(15)
gone = idle[0].recv(1) == b""
ok(gone and 8 <= time.time() - t + 0.3 <= 12,
   "a connection that says nothing is closed after 10 s (%.1f s)" %
   (time.time() - t))
for c in idle:
    c.close()
time.sleep(0.3)
r = http(MPORT, GET)
ok(status(r) == 200, "with the table free again: 200")

st = show_stats(s)[1]
ok(st.get('imd_refusals_total{kind="metrics_source"}') == 3,
   "refusals counted: 2 sources outside the list and the ninth (%s)" %
   st.get('imd_refusals_total{kind="metrics_source"}'))
ok(st.get('imd_metrics_scrapes_total{outcome="bad_request"}') ==
   len(cases) + 1, "every bad request counted (%s)" %
   st.get('imd_metrics_scrapes_total{outcome="bad_request"}'))
ok(s.alive() and status(http(MPORT, GET)) == 200,
   "metricsd and the suite are still up")
done()
