#!/usr/bin/env python3
# After a restart the listener notifies every watched presentity again,
# but paced (50 a tick of 10 ms), not in one burst: the NOTIFYs of 2,000
# watched presentities come over 0.3 s at least and none is dropped by
# the watcher's receive buffer (2 MB: about 900 of them at once), each
# presentity is notified once, and every subscription is still there.

import os, signal, socket, sys, threading, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, Collector, ok, done, auth_request, header

PORT = 25845
SO_RCVBUFFORCE = 33            # Linux; the socket module lacks it
D = "site1.test"
N = 2000
s = Suite(D, PORT, ["presence notify-interval 0", "presence authorize auto"])
ok(s.start(), "the suite starts")
users = "".join("p%d@%s ppw\n" % (i, D) for i in range(N)) + \
    "w@%s wpw\n" % D
r = s.ctl("user", "import", "-", stdin=users)
ok(r.returncode == 0, "%d presentities and their watcher imported" % N)


class Timed(Collector):
    """Every NOTIFY answered, with when it came."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen = []
        Collector.__init__(self)
        self.s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 1 << 20)

    def drops(self):
        """Datagrams the kernel dropped for a full receive buffer."""
        port = "%04X" % self.addr[1]
        with open("/proc/net/udp") as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[1] == "0100007F:" + port:
                    return int(fields[-1])
        return -1

    def keep(self, req):
        with self.lock:
            self.seen.append((time.monotonic(), req))

    def since(self, t0):
        with self.lock:
            return [(t, r) for t, r in self.seen if t >= t0]


srv = ("127.0.0.1", PORT)
col = Timed()
ua = UA(srv)
good = 0
for i in range(N):
    to = "sip:p%d@%s" % (i, D)
    r = auth_request(ua, "SUBSCRIBE", to, "w", D, "wpw", extra=[
        "Event: presence", "Expires: 600", "Contact: %s" % col.contact("w")])
    good += r["status"] == 200
ok(good == N, "w subscribes to all %d: %d answered 200" % (N, good))
deadline = time.monotonic() + 20
while len(col.since(0)) < N and time.monotonic() < deadline:
    time.sleep(0.1)
ok(len(col.since(0)) >= N, "each first NOTIFY came (%d)" % len(col.since(0)))

s.proc.send_signal(signal.SIGTERM)
s.proc.wait(10)
t0 = time.monotonic()
ok(s.start(), "the suite restarts")
deadline = time.monotonic() + 30
while len(col.since(t0)) < N and time.monotonic() < deadline:
    time.sleep(0.05)
got = col.since(t0)
who = set(header(r, "from")[0] for t, r in got)
ok(len(got) == N and len(who) == N,
   "after the restart each of the %d is notified again, once (%d NOTIFYs,"
   " %d dialogs)" % (N, len(got), len(who)))
span = got[-1][0] - got[0][0] if got else 0
ok(span >= 0.3, "over %.2f s: paced, not one burst" % span)
ok(col.drops() == 0, "none dropped at the watcher (%d)" % col.drops())
r = s.ctl("show", "stats")
subs = [l for l in r.stdout.splitlines()
        if l.startswith("imd_presence_subscriptions ")]
ok(subs == ["imd_presence_subscriptions %d" % N],
   "every subscription is still there (%s)" % subs)
col.stop()
s.cleanup()
done()
