#!/usr/bin/env python3
# The offline queue: a MESSAGE for a registered user with no binding is
# committed to the database and answered 202; the user's next REGISTER
# gets the messages in arrival order, exactly once, with their original
# Date; a restart of the suite, and kill -9 of dirdb right after the 202,
# lose nothing.

import os, signal, socket, subprocess, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, header, message_auth

PORT = 25420
s = Suite("site1.test", PORT)
ok(s.start(), "the suite starts")
s.add_user("a1@site1.test", "a1pw")
s.add_user("b1@site1.test", "b1pw")
srv = ("127.0.0.1", PORT)
TEXTS = ["first", "안녕하세요 — second", "third"]


def send(text):
    return message_auth(UA(srv), "a1", "site1.test", "a1pw",
                        "sip:b1@site1.test", text.encode(),
                        "text/plain;charset=UTF-8")["status"]


def collect(ua, n):
    """Answer up to n MESSAGEs on ua with 200; their bodies, in order."""
    out = []
    try:
        for _ in range(n):
            req = ua.recv_request()
            if req is None or req["method"] != "MESSAGE":
                break
            out.append((req["body"].decode(), header(req, "date"),
                        header(req, "from")))
            ua.reply(req, 200, "OK")
    except (socket.timeout, TimeoutError):
        pass
    return out


st = [send(t) for t in TEXTS]
ok(st == [202, 202, 202], "three messages for offline b1: 202 each (%s)" %
   st)
q = s.ctl("show", "queue", "b1@site1.test").stdout.splitlines()
ok(len(q) == 3 and all(" b1@site1.test a1@site1.test " in l and
   l.endswith(" waiting 0") for l in q),
   "imctl show queue lists them: %s" % q)
ok(str(len(TEXTS[1].encode())) in q[1].split(), "with their sizes")

# A restart between store and delivery.
s.proc.send_signal(signal.SIGTERM)
s.proc.wait(5)
ok(s.start(), "the suite restarts")

b1 = UA(srv, timeout=2)
ok(b1.register("b1", "site1.test", "b1pw")["status"] == 200,
   "b1 registers")
got = collect(b1, 4)
ok([g[0] for g in got] == TEXTS, "they arrive in order, exact: %s" %
   [g[0] for g in got])
ok(all(g[1] for g in got), "each with a Date header")
ok(all("a1@site1.test" in g[2][0] for g in got), "from a1")

b1b = UA(srv, timeout=1)
b1b.register("b1", "site1.test", "b1pw", contacts=[
    "<sip:b1@127.0.0.1:%d>" % b1b.local[1]])
ok(collect(b1b, 1) == [], "a second registration gets nothing again: "
   "exactly once")
ok(s.ctl("show", "queue").stdout == "", "the queue is empty")

# Unregister b1 everywhere, queue one more, kill -9 dirdb after the 202.
b1b.register("b1", "site1.test", "b1pw", contacts=["*"], expires=0)
ok(send("after the crash") == 202, "offline again: 202")
dirdb = subprocess.run(["pgrep", "-P", str(s.proc.pid), "-f", "imd: dirdb"],
                       capture_output=True, text=True).stdout.split()
ok(len(dirdb) == 1, "dirdb's pid")
os.kill(int(dirdb[0]), signal.SIGKILL)
s.proc.wait(5)
ok(s.proc.returncode != 0, "the suite stops when dirdb dies")
ok(s.start(), "and starts again, with recovery")
b1c = UA(srv, timeout=2)
b1c.register("b1", "site1.test", "b1pw")
got = collect(b1c, 2)
ok([g[0] for g in got] == ["after the crash"],
   "the message stored before the crash is delivered: %s" % got)
done()
