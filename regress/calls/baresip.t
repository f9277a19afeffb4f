#!/usr/bin/env python3
# Real softphones calling through imd: baresip alice calls baresip bob,
# each sending its own test signal from a WAV file (aufile); bob answers
# (answermode=auto), and after a few seconds alice hangs up.  What each
# one's decoder got (sndfile's recording) must be loud and match the
# other's signal, not its own: the media went end to end, and the
# signalling (407, 180, 200, ACK, BYE) through imd.  Then linphonec
# (Linphone) answers a call of baresip's.

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/calls"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/clients"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, ok, done
from clientlib import Linphonec, require, wait_until
from phones import CallBaresip
import audio

require("baresip", "linphonec")

P = 28300
D = "site1.test"
PROXY = "sip:127.0.0.1:%d" % P


s = Suite(D, P)
ok(s.start(), "the suite starts")
for u in ("alice", "bob", "carol"):
    s.add_user("%s@%s" % (u, D), u + "pw")
src_a, src_b = os.path.join(s.dir, "alice.wav"), os.path.join(s.dir, "bob.wav")
audio.write_signal(src_a, 1)
audio.write_signal(src_b, 2)
alice = CallBaresip("alice", D, "alicepw", 28310, 28319, PROXY, source=src_a)
bob = CallBaresip("bob", D, "bobpw", 28320, 28329, PROXY, source=src_b)
ok(alice.start() and bob.start(), "two baresips start")
ok(wait_until(lambda: 200 in alice.responses("REGISTER") and
              200 in bob.responses("REGISTER"), 10), "both register")

ok(alice.command("dial", "sip:bob@" + D) is not None, "alice dials bob")
ok(wait_until(lambda: 200 in alice.responses("INVITE"), 10),
   "bob answers: alice gets the 200 (%s)" % alice.responses("INVITE"))
ok(wait_until(lambda: "established" in s.ctl("show", "calls").stdout, 5),
   "imctl show calls: established")
ok(wait_until(lambda: bob.received("ACK"), 5) and
   "Route:" not in bob.received("ACK")[0]["head"],
   "the ACK reaches bob through imd, our Route taken off")
time.sleep(4)
ok(alice.command("hangup") is not None, "alice hangs up")
ok(wait_until(lambda: 200 in alice.responses("BYE"), 5),
   "the BYE reaches bob by the route set and its 200 comes back")
ok(wait_until(lambda: s.ctl("show", "calls").stdout == "", 5),
   "the call is gone from imctl show calls")

sa, sb = audio.read(src_a), audio.read(src_b)
rb, ra = bob.recording(), alice.recording()
ok(len(rb) > 2 * audio.RATE and audio.rms(rb) > 1000,
   "bob's recording holds %.1f s, RMS %.0f: not silent" %
   (len(rb) / audio.RATE, audio.rms(rb)))
c, lag = audio.correlation(sa, rb)
c_own, _ = audio.correlation(sb, rb)
ok(c > 0.9 and c_own < 0.3, "bob hears alice's signal: correlation %.3f "
   "at %d ms (with his own: %.3f)" % (c, lag * 1000 // audio.RATE, c_own))
c, lag = audio.correlation(sb, ra)
ok(len(ra) > 2 * audio.RATE and c > 0.9,
   "alice hears bob's signal: correlation %.3f, RMS %.0f" %
   (c, audio.rms(ra)))

# linphonec answers a call of baresip's.
carol = Linphonec("carol", D, "carolpw", 28330, "127.0.0.1", P, 28340)
ok(carol.start(), "linphonec starts")
ok(wait_until(carol.registered, 15), "linphonec registers")
mark = carol.mark()
ok(alice.command("dial", "sip:carol@" + D) is not None, "alice dials carol")
ok(carol.wait_line(rb"[Ii]ncoming call|is contacting you", 10, mark)
   is not None, "linphonec hears the call")
carol.send("answer")
ok(wait_until(lambda: alice.responses("INVITE").count(200) >= 2, 10),
   "linphonec answers: alice gets its 200 (%s)" % alice.responses("INVITE"))
ok(wait_until(lambda: "established" in s.ctl("show", "calls").stdout, 5),
   "imctl show calls: alice and carol established")
time.sleep(1)
ok(alice.command("hangup") is not None, "alice hangs up")
ok(wait_until(lambda: alice.responses("BYE").count(200) >= 2, 5),
   "linphonec answers the BYE through imd")
ok(carol.wait_line(rb"[Cc]all .*ended|[Cc]all terminated", 5, mark)
   is not None, "linphonec sees the call end")
carol.stop()
alice.stop()
bob.stop()
ok(s.alive(), "the suite is still up")
done()
