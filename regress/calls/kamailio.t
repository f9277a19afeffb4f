#!/usr/bin/env python3
# Calls with a server of another make: Kamailio from Debian serves
# site3.test on 127.0.0.3 (regress/calls/kamailio.cfg, a stateful proxy
# with record-route).  baresip alice@site1.test calls baresip
# carol@site3.test registered at Kamailio, through imd's relayd, and
# they hear each other; carol calls alice back through Kamailio and
# imd (inbound verified: Kamailio is at the address site3.test's route
# names), and alice hangs up: her BYE goes back by both Record-Routes.

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/calls"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/clients"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, ok, done
from clientlib import require, wait_until
from kamailiotest import Kamailio, skip_unless_kamailio
from phones import CallBaresip
import audio

require("baresip")
skip_unless_kamailio()
P, K = 28500, 28560
kam = Kamailio(os.path.join(os.environ["IMD_TOP"],
                            "regress/calls/kamailio.cfg"))

ok(kam.ready("127.0.0.3", K), "Kamailio answers on 127.0.0.3")
s1 = Suite("site1.test", P, ['route "site3.test" via 127.0.0.3 port %d' % K])
ok(s1.start(), "site1 (imd) starts")
s1.add_user("alice@site1.test", "alicepw")
src_a = os.path.join(s1.dir, "alice.wav")
src_c = os.path.join(s1.dir, "carol.wav")
audio.write_signal(src_a, 21)
audio.write_signal(src_c, 22)
alice = CallBaresip("alice", "site1.test", "alicepw", 28510, 28519,
                    "sip:127.0.0.1:%d" % P, source=src_a)
carol = CallBaresip("carol", "site3.test", "carolpw", 28530, 28539,
                    "sip:127.0.0.3:%d" % K, addr="127.0.0.3", source=src_c)
ok(alice.start() and carol.start(), "two baresips start")
ok(wait_until(lambda: 200 in alice.responses("REGISTER") and
              200 in carol.responses("REGISTER"), 10),
   "alice registers at imd, carol at Kamailio")


def calls():
    return s1.ctl("show", "calls").stdout


ok(alice.command("dial", "sip:carol@site3.test") is not None,
   "alice dials carol@site3.test")
ok(wait_until(lambda: 200 in alice.responses("INVITE"), 10),
   "carol answers through Kamailio: alice gets the 200 (%s)" %
   alice.responses("INVITE"))
ok(wait_until(lambda: carol.received("ACK"), 5),
   "alice's ACK reaches carol through imd and Kamailio")
time.sleep(3)
ok(alice.command("hangup") is not None, "alice hangs up")
ok(wait_until(lambda: 200 in alice.responses("BYE"), 5),
   "the BYE reaches carol by the route set, its 200 comes back")
ok(wait_until(lambda: calls() == "", 5), "imd forgets the call")
c, _ = audio.correlation(audio.read(src_a), carol.recording())
ok(c > 0.9, "carol hears alice: correlation %.3f" % c)
c, _ = audio.correlation(audio.read(src_c), alice.recording())
ok(c > 0.9, "alice hears carol: correlation %.3f" % c)

ok(carol.command("dial", "sip:alice@site1.test") is not None,
   "carol dials alice@site1.test through Kamailio")
ok(wait_until(lambda: 200 in carol.responses("INVITE"), 10),
   "alice answers: carol gets the 200 (%s)" % carol.responses("INVITE"))
ok(wait_until(lambda: "carol@site3.test alice@site1.test established" in
              calls(), 5), "imd shows carol's call (%r)" % calls())
ok(wait_until(lambda: alice.received("ACK"), 5), "carol's ACK reaches alice")
time.sleep(1)
n = len(alice.responses("BYE"))
ok(alice.command("hangup") is not None, "alice hangs up")
ok(wait_until(lambda: len(alice.responses("BYE")) > n and
              alice.responses("BYE")[-1] == 200, 5),
   "alice's BYE reaches carol through relayd and Kamailio: 200")
ok(wait_until(lambda: calls() == "", 5), "imd forgets the call")
alice.stop()
carol.stop()
ok(s1.alive() and kam.alive(), "the suite and Kamailio are still up")
done()
