#!/usr/bin/python3
# Debian's python3, as the other XMPP tests.
#
# kill -9 of xmppd: the parent handles it as the death of any child (it
# stops the suite and exits non-zero, leaving no process); once the
# suite is started again, messages flow both ways with Prosody again,
# and a message that was accepted before the kill (queued for an
# offline user, 202 inside imd) is delivered: nothing accepted is lost.

import os, signal, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import UA, ok, done, header, message_auth, children, gone
from xmpptest import World, Jabber

PORT = 25740
w = World(PORT)
ok(w.prosody.add_user("juliet", "jpw"), "prosody: juliet@b.test created")
ok(w.prosody.start(), "prosody serves b.test")
ok(w.imd.start(), "imd serves a.test")
w.imd.add_user("romeo@a.test", "rpw")
w.imd.add_user("mercutio@a.test", "mpw")
srv = ("127.0.0.1", PORT)
juliet = Jabber("juliet@b.test", "jpw", "127.0.0.2", 5222, w.ca)
ok(juliet.ready.wait(15), "juliet is online")

juliet.send("mercutio@a.test", "before the kill 전", mid="k-1")
for _ in range(100):
    q = w.imd.ctl("show", "queue", "mercutio@a.test").stdout.splitlines()
    if q:
        break
    time.sleep(0.05)
ok(len(q) == 1, "juliet's message for offline mercutio is accepted "
   "(queued): %s" % q)

kids = children(w.imd.proc.pid)
os.kill(kids["xmppd"], signal.SIGKILL)
t0 = time.time()
try:
    st = w.imd.proc.wait(5)
except Exception:
    st = None
ok(st is not None and st != 0, "kill -9 xmppd: the parent exits non-zero "
   "(%s) in %.1f s" % (st, time.time() - t0))
ok(all(gone(p, 2) for p in kids.values()), "no child is left")
# Whoever notices first says so: the parent (the channel, or the
# signal), or a sibling whose channel to xmppd closed.
log = w.imd.logtext()
ok("lost the channel to xmppd" in log or
   "xmppd (pid %d) killed by signal 9" % kids["xmppd"] in log or
   "channel to xmppd closed" in log,
   "the log names xmppd's end")

ok(w.imd.start(), "the suite starts again")
r = message_auth(UA(srv), "romeo", "a.test", "rpw", "sip:juliet@b.test",
                 "다시 안녕".encode(), "text/plain;charset=UTF-8")
ok(r["status"] == 200, "romeo to juliet after the restart: %d" %
   r["status"])
ok(juliet.wait(juliet.messages, lambda m: m[1] == "다시 안녕") is not None,
   "juliet gets it")
romeo = UA(srv, timeout=8)
ok(romeo.register("romeo", "a.test", "rpw")["status"] == 200,
   "romeo registers")
juliet.send("romeo@a.test", "after the restart 후")
req = romeo.recv_request()
ok(req is not None and req["body"] == "after the restart 후".encode(),
   "juliet to romeo after the restart: delivered (prosody's new stream)")
if req is not None:
    romeo.reply(req, 200, "OK")
merc = UA(srv, timeout=5)
ok(merc.register("mercutio", "a.test", "mpw")["status"] == 200,
   "mercutio registers")
req = merc.recv_request()
ok(req is not None and req["body"] == "before the kill 전".encode(),
   "the message accepted before the kill is delivered")
if req is not None:
    merc.reply(req, 200, "OK")
juliet.stop()
done()
