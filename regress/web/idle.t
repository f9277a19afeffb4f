#!/usr/bin/env python3
# An idle WebSocket is pinged (listener.8: after 30 s without input): a
# client that answers with a pong, as browsers do by themselves, keeps
# its connection and its binding; one that does not is closed 10 s later
# and its binding goes with it.

import os, socket, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import Suite, ok, done, closed
from wslib import WSUA, read_frame, frame

P, WSP = 27580, 27581
D = "site1.test"
PING_IDLE, SEND_TIMEOUT = 30, 10
s = Suite(D, P, ["listen on 127.0.0.1 port %d ws" % WSP])
ok(s.start(), "the suite starts with ws on %d" % WSP)
s.add_user("alice@" + D, "alicepw")
s.add_user("bob@" + D, "bobpw")

a = WSUA(("127.0.0.1", WSP), timeout=PING_IDLE + 10)
r = a.register("alice", D, "alicepw",
               contacts=["<sip:a@alice.invalid;transport=ws>"])
b = WSUA(("127.0.0.1", WSP), timeout=PING_IDLE + 10)
r2 = b.register("bob", D, "bobpw",
                contacts=["<sip:b@bob.invalid;transport=ws>"])
ok(r["status"] == 200 and r2["status"] == 200, "alice and bob register "
   "over ws, then say nothing")

# alice answers pings (WSUA.recv pongs them); bob reads but never pongs.
t0 = time.time()
op, data, a.buf = read_frame(a.s, a.buf)
dt = time.time() - t0
ok(op == 9 and PING_IDLE - 2 <= dt <= PING_IDLE + 3,
   "alice's idle WebSocket is pinged after %.1f s" % dt)
a.s.sendall(frame(10, data))
op, data, b.buf = read_frame(b.s, b.buf)
ok(op == 9, "so is bob's")
t0 = time.time()
b.s.settimeout(SEND_TIMEOUT + 5)
try:
    while b.s.recv(4096):
        pass
except OSError:
    pass
dt = time.time() - t0
ok(SEND_TIMEOUT - 2 <= dt <= SEND_TIMEOUT + 3,
   "bob's, which sent no pong, is closed %.1f s later" % dt)
time.sleep(0.3)
binds = s.ctl("show", "bindings").stdout
ok("alice@" in binds and "bob@" not in binds,
   "alice keeps her binding, bob's went with his connection: %r" % binds)
ok(not closed(a.s), "alice's connection is still open")
r = a.register("alice", D, "alicepw",
               contacts=["<sip:a@alice.invalid;transport=ws>"])
ok(r["status"] == 200, "and still serves her: %d" % r["status"])
done()
