#!/usr/bin/env python3
# Two clients of two different makes on two domains: alice's baresip at
# site1.test (imd on 127.0.0.1) and dave's linphonec at site2.test (imd
# on 127.0.0.2).  Each suite names the other in a route line, as
# federation is configured (regress/relay/federation.t), and nothing
# else beyond the defaults.  MESSAGE both ways, byte for byte, and
# presence both ways across the two servers.

import os, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import Suite, ok, done
from clientlib import Baresip, Linphonec, require, wait_until

require("baresip", "linphonec")

P = 27300
s1 = Suite("site1.test", P, ['route "site2.test" via 127.0.0.2 port %d' % P])
s2 = Suite("site2.test", P, ['route "site1.test" via 127.0.0.1 port %d' % P],
           addr="127.0.0.2")
ok(s1.start() and s2.start(), "site1 (127.0.0.1) and site2 (127.0.0.2) "
   "start")
ok(s1.add_user("alice@site1.test", "alicepw") and
   s2.add_user("dave@site2.test", "davepw"), "alice@site1, dave@site2 added")
# Watchers of another domain wait for the user's decision (presence
# authorize domain, the default): each lets the other see them.
ok(s1.ctl("presence", "allow", "alice@site1.test",
          "dave@site2.test").returncode == 0 and
   s2.ctl("presence", "allow", "dave@site2.test",
          "alice@site1.test").returncode == 0,
   "alice lets dave watch her, and dave alice")

ALICE, DAVE = "sip:alice@site1.test", "sip:dave@site2.test"
alice = Baresip("alice", "site1.test", "alicepw", 27310, 27319,
                "sip:127.0.0.1:%d" % P, [DAVE])
dave = Linphonec("dave", "site2.test", "davepw", 27330, "127.0.0.2", P,
                 27340)
ok(alice.start() and dave.start(), "alice's baresip and dave's linphonec "
   "start")
ok(wait_until(lambda: 200 in alice.responses("REGISTER"), 10),
   "alice's baresip registers at site1")
ok(wait_until(dave.registered, 15), "dave's linphonec registers at site2")

TO_DAVE = "데이브, 서울에서 안부 전해요."
TO_ALICE = "고마워요 앨리스! 부산은 맑아요."
mark = dave.mark()
ok(alice.message(TO_DAVE), "alice's baresip sends dave@site2 a MESSAGE")
want = ("Message received from %s: %s" % (ALICE, TO_DAVE)).encode()
got = dave.wait_line(rb"^Message received from ", 15, mark)
ok(got == want, "dave's linphonec prints it byte for byte: %r" % got)
ok(wait_until(lambda: 200 in alice.responses("MESSAGE"), 5),
   "alice's baresip gets the 200 from across (%s)" %
   alice.responses("MESSAGE"))

dave.send("chat %s %s" % (ALICE, TO_ALICE))
got = wait_until(alice.texts, 15)
ok(got and got[-1] == TO_ALICE.encode(),
   "alice's baresip gets dave's reply byte for byte: %r" % got)

# alice's baresip watches dave (contact with presence=p2p); dave's
# linphonec publishes open by itself once registered.
ok(alice.wait_presence(DAVE, "Online", 15),
   "alice's baresip shows dave Online, from site2: %r" % alice.presence_of())

mark = dave.mark()
dave.send('friend add "alice" %s' % ALICE)
ok(alice.command("presence_online") is not None, "alice sets herself online")
ok(dave.wait_line(rb'Friend "alice" <sip:alice@site1\.test> is Online', 15,
                  mark), "dave's linphonec shows alice Online, from site1")
mark = dave.mark()
ok(alice.command("presence_offline") is not None, "alice sets herself "
   "offline")
ok(dave.wait_line(rb'Friend "alice" <sip:alice@site1\.test> is Offline', 15,
                  mark), "dave's linphonec shows alice Offline")

alice.stop()
dave.stop()
ok(alice.proc.returncode is not None and dave.proc.returncode is not None,
   "both clients stopped")
ok(s1.alive() and s2.alive(), "both suites still running")
done()
