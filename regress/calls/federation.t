#!/usr/bin/env python3
# Calls across domains, each suite's relayd carrying them as it carries
# MESSAGE (static routes here; inbound verified, the default, on both
# sides): baresip alice@site1.test (127.0.0.1) calls baresip
# bob@site2.test (127.0.0.2) and hears him, he hears her (recordings
# correlated with the other's WAV signal), the ACK and the BYE find
# their way back by the Record-Routes of both suites; then bob calls
# alice, and hangs up himself; then alice cancels a call to bob while
# it rings.

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/calls"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/clients"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, header
from calllib import build, invite, reply, requests, responses
from clientlib import require, wait_until
from phones import CallBaresip
import audio

require("baresip")

P = 28400
s1 = Suite("site1.test", P, ['route "site2.test" via 127.0.0.2 port %d' % P])
s2 = Suite("site2.test", P, ['route "site1.test" via 127.0.0.1 port %d' % P],
           addr="127.0.0.2")
ok(s1.start() and s2.start(), "site1 and site2 start")
s1.add_user("alice@site1.test", "alicepw")
s2.add_user("bob@site2.test", "bobpw")
src_a = os.path.join(s1.dir, "alice.wav")
src_b = os.path.join(s2.dir, "bob.wav")
audio.write_signal(src_a, 11)
audio.write_signal(src_b, 12)
alice = CallBaresip("alice", "site1.test", "alicepw", 28410, 28419,
                    "sip:127.0.0.1:%d" % P, source=src_a)
bob = CallBaresip("bob", "site2.test", "bobpw", 28420, 28429,
                  "sip:127.0.0.2:%d" % P, addr="127.0.0.2", source=src_b)
ok(alice.start() and bob.start(), "two baresips start")
ok(wait_until(lambda: 200 in alice.responses("REGISTER") and
              200 in bob.responses("REGISTER"), 10), "both register")


def calls(s):
    return s.ctl("show", "calls").stdout


ok(alice.command("dial", "sip:bob@site2.test") is not None,
   "alice dials bob@site2.test")
ok(wait_until(lambda: 200 in alice.responses("INVITE"), 10),
   "bob answers: alice gets the 200 (%s)" % alice.responses("INVITE"))
ok(180 in alice.responses("INVITE"), "alice heard the 180 across domains")
ok(wait_until(lambda: "established" in calls(s1) and
              "established" in calls(s2), 5),
   "both suites show the call established (%r, %r)" % (calls(s1),
                                                       calls(s2)))
ok(wait_until(lambda: bob.received("ACK"), 5), "the ACK reaches bob")
time.sleep(3)
ok(alice.command("hangup") is not None, "alice hangs up")
ok(wait_until(lambda: 200 in alice.responses("BYE"), 5),
   "the BYE reaches bob by the route set, its 200 comes back")
ok(wait_until(lambda: calls(s1) == "" and calls(s2) == "", 5),
   "both suites forget the call")
rb, ra = bob.recording(), alice.recording()
c, lag = audio.correlation(audio.read(src_a), rb)
ok(len(rb) > 2 * audio.RATE and c > 0.9,
   "bob hears alice: correlation %.3f, RMS %.0f" % (c, audio.rms(rb)))
c, lag = audio.correlation(audio.read(src_b), ra)
ok(len(ra) > 2 * audio.RATE and c > 0.9,
   "alice hears bob: correlation %.3f, RMS %.0f" % (c, audio.rms(ra)))

# bob calls alice and hangs up himself.
ok(bob.command("dial", "sip:alice@site1.test") is not None,
   "bob dials alice@site1.test")
ok(wait_until(lambda: 200 in bob.responses("INVITE"), 10),
   "alice answers: bob gets the 200 (%s)" % bob.responses("INVITE"))
ok(wait_until(lambda: len(alice.received("ACK")) >= 1, 5),
   "the ACK reaches alice")
time.sleep(1)
ok(bob.command("hangup") is not None, "bob hangs up")
ok(wait_until(lambda: 200 in bob.responses("BYE"), 5),
   "his BYE reaches alice through both suites")
ok(wait_until(lambda: calls(s1) == "" and calls(s2) == "", 5),
   "both suites forget the call")
alice.stop()
bob.stop()

# A scripted bob rings and never answers; alice cancels.
b = UA(("127.0.0.2", P), bind="127.0.0.2")
ok(b.register("bob", "site2.test", "bobpw")["status"] == 200,
   "a scripted device of bob's registers")
a = UA(("127.0.0.1", P))
got, branch = invite(a, "alice", "alicepw", "bob", to_domain="site2.test",
                     secs=1)
inv = [r for r in requests(b, 1.5) if r["method"] == "INVITE"]
ok(inv, "the INVITE reaches bob's device across domains")
if inv:
    reply(b, inv[0], 180, "Ringing", "b0b")
got = responses(a, until_final=False, secs=1)
ok(180 in [r["status"] for r in got], "alice hears it ring")
frm, ruri = "sip:alice@site1.test", "sip:bob@site2.test"
a.send_raw(build(a, "CANCEL", ruri, frm, "<%s>" % ruri, branch, 2))
got = responses(a, until_final=False, secs=1.5)
ok([r["status"] for r in got][:2] == [200, 487],
   "alice's CANCEL gets 200, her INVITE 487 (%s)" %
   [r["status"] for r in got])
cancels = [r for r in requests(b, 1.5) if r["method"] == "CANCEL"]
ok(cancels, "relayd's CANCEL reaches bob's device")
if cancels and inv:
    reply(b, cancels[0], 200, "OK", "b0b")
    reply(b, inv[0], 487, "Request Terminated", "b0b")
acks = [r for r in requests(b, 1.5) if r["method"] == "ACK"]
ok(acks, "his 487 is ACKed")
ok(wait_until(lambda: calls(s1) == "" and calls(s2) == "", 5),
   "no call is left on either side")
ok(s1.alive() and s2.alive(), "both suites are still up")
done()
