#!/usr/bin/python3
# Debian's python3: python3-slixmpp is a Debian package.
#
# Messages between imd and the XMPP network (RFC 7572) through a real
# Prosody: a SIP user of a.test and a Jabber user of b.test exchange
# Korean text both ways, byte for byte; a message to a user that does
# not exist gets an error on either side; a domain with XMPP SRV records
# and no SIP ones is reached through xmppd without a route (RFC 7247's error mapping); a
# Jabber address imd cannot hold gets <jid-malformed/>; a message for
# an offline imd user is queued (202) and delivered when a device
# registers.  Both servers find each other by DNS (_xmpp-server._tcp)
# and authenticate with certificates (STARTTLS, SASL EXTERNAL).

import os, socket, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import UA, ok, done, header, message_auth
from xmpptest import World, Jabber

PORT = 25700
KO = "안녕하세요, 줄리엣! 🌹 — 로미오"
KO2 = "반가워요 로미오 ✨ 한국어 문장입니다"

w = World(PORT)
ok(w.prosody.add_user("juliet", "jpw"), "prosody: juliet@b.test created")
ok(w.prosody.add_user("jürgen", "opw"),
   "prosody: jürgen@b.test created (not an address imd can hold)")
ok(w.prosody.start(), "prosody serves b.test on 127.0.0.2")
ok(w.imd.start(), "imd serves a.test with xmpp listen on 127.0.0.1")
w.imd.add_user("romeo@a.test", "rpw")
w.imd.add_user("mercutio@a.test", "mpw")

srv = ("127.0.0.1", PORT)
juliet = Jabber("juliet@b.test", "jpw", "127.0.0.2", 5222, w.ca)
ok(juliet.ready.wait(15), "juliet is online on prosody")

# SIP -> XMPP.
t0 = time.time()
r = message_auth(UA(srv), "romeo", "a.test", "rpw", "sip:juliet@b.test",
                 KO.encode(), "text/plain;charset=UTF-8")
ok(r["status"] == 200, "romeo's MESSAGE to juliet@b.test: %d %s" %
   (r["status"], r["reason"]))
got = juliet.wait(juliet.messages, lambda m: m[1] == KO)
ok(got is not None and got[0] == "romeo@a.test",
   "juliet gets it from romeo@a.test, the Korean text byte-exact (%s)" %
   (got,))
log = w.imd.logtext()
ok("outbound stream 127.0.0.2:5269 to b.test ready (certificate)" in log,
   "imd found prosody by DNS and authenticated by certificate")

# XMPP -> SIP: romeo's device answers 200.
romeo = UA(srv, timeout=5)
ok(romeo.register("romeo", "a.test", "rpw")["status"] == 200,
   "romeo registers")
juliet.send("romeo@a.test", KO2)
req = romeo.recv_request()
ok(req is not None and req["method"] == "MESSAGE" and
   req["body"] == KO2.encode(),
   "romeo's device gets juliet's MESSAGE, the Korean text byte-exact")
if req is not None:
    frm = header(req, "from")
    ok(frm and "<sip:juliet@b.test>" in frm[0],
       "its From is juliet's address: %s" % frm)
    romeo.reply(req, 200, "OK")
ok("inbound stream" in w.imd.logtext() and
   "from b.test ready (certificate)" in w.imd.logtext(),
   "prosody found imd by DNS and authenticated by certificate")

# c.test: no route, no SIP records, XMPP SRV records: via xmppd.
ok(w.prosody.add_user("tybalt", "tpw", "c.test"), "prosody: tybalt@c.test")
tybalt = Jabber("tybalt@c.test", "tpw", "127.0.0.2", 5222, w.ca)
ok(tybalt.ready.wait(15), "tybalt is online")
r = message_auth(UA(srv), "romeo", "a.test", "rpw", "sip:tybalt@c.test",
                 KO.encode(), "text/plain;charset=UTF-8")
ok(r["status"] == 200, "romeo to tybalt@c.test (found by DNS): %d %s" %
   (r["status"], r["reason"]))
ok(tybalt.wait(tybalt.messages, lambda m: m[1] == KO) is not None,
   "tybalt gets it")
ok("c.test: no SIP service, XMPP service: via xmppd" in w.imd.logtext(),
   "relayd chose XMPP from DNS")
tybalt.stop()

# imctl show xmpp: the streams, both ways, and how each authenticated.
out = w.imd.ctl("show", "xmpp")
lines = out.stdout.splitlines()
ok(out.returncode == 0 and
   any(l.startswith("out a.test b.test 127.0.0.2:5269 ready certificate ")
       for l in lines) and
   any(l.startswith("in a.test b.test 127.0.0.1:") and
       " ready certificate " in l for l in lines),
   "imctl show xmpp lists the streams to and from b.test: %s" % lines)

# A user that does not exist, either side.
r = message_auth(UA(srv), "romeo", "a.test", "rpw", "sip:nobody@b.test",
                 b"hello?", "text/plain;charset=UTF-8")
ok(r["status"] == 503, "to nobody@b.test: prosody's <service-unavailable/> "
   "becomes %d %s" % (r["status"], r["reason"]))
juliet.send("nobody@a.test", "anyone?", mid="ko-404")
e = juliet.wait(juliet.errors, lambda x: x[2] == "ko-404")
ok(e is not None and e[1] == "item-not-found",
   "juliet to nobody@a.test: imd's 404 comes back as <item-not-found/> "
   "(%s)" % (e,))

# An address imd cannot hold: <jid-malformed/>.
ob = Jabber("jürgen@b.test", "opw", "127.0.0.2", 5222, w.ca)
ok(ob.ready.wait(15), "jürgen is online")
ob.send("romeo@a.test", "hi", mid="ob-1")
e = ob.wait(ob.errors, lambda x: x[2] == "ob-1")
ok(e is not None and e[1] == "jid-malformed",
   "jürgen's message: <jid-malformed/> (%s)" % (e,))
ok("sender jürgen@b.test" in w.imd.logtext() and
   "cannot be mapped" in w.imd.logtext(), "and imd says why in its log")

# Offline: queued, delivered on registering.
juliet.send("mercutio@a.test", KO, mid="off-1")
time.sleep(1)
q = w.imd.ctl("show", "queue", "mercutio@a.test").stdout.splitlines()
ok(len(q) == 1 and "juliet@b.test" in q[0],
   "juliet's message for offline mercutio is queued: %s" % q)
ok(juliet.wait(juliet.errors, lambda x: x[2] == "off-1", 0.5) is None,
   "and juliet gets no error for it")
merc = UA(srv, timeout=5)
ok(merc.register("mercutio", "a.test", "mpw")["status"] == 200,
   "mercutio registers")
req = merc.recv_request()
ok(req is not None and req["body"] == KO.encode() and
   "juliet@b.test" in header(req, "from")[0],
   "mercutio's device gets it, byte-exact, from juliet@b.test")
if req is not None:
    merc.reply(req, 200, "OK")

juliet.stop()
ob.stop()
ok(w.imd.alive(), "imd still runs")
done()
