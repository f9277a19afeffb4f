#!/usr/bin/env python3
# A browser and baresip call each other through imd, the page over its
# WebSocket flow, baresip over UDP: signalling only.  Debian 12's
# baresip 1.0 has dtls_srtp but its ice module gathers no candidate on
# loopback ("set default cands failed"), and WebRTC needs ICE, so no
# media flows between them (calls.t has the media, browser to browser).
# The page calls baresip (auto answer): INVITE, 180, 200, ACK and the
# page's BYE all through imd, the page saying there is no media in
# common; baresip calls the page, which rings (180 back) and declines
# (603); baresip calls and gives up (CANCEL to the flow, 487, the page
# says missed).  Screenshots under the build tree
# (regress/web/shots/calls_baresip).

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/calls"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/clients"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import ok, done, children
from browserlib import require_browser, login, BUILD
from calllib import CallPages, D, web_suite
from clientlib import require, wait_until
from phones import CallBaresip
import audio

require_browser()
require("baresip")

P = 27560
s, URL = web_suite(P, P + 1)


class WebRTCBaresip(CallBaresip):
    """baresip with WebRTC's DTLS-SRTP and rtcp-mux (its ICE fails on
    loopback)."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        with open(os.path.join(self.dir, "config"), "a") as f:
            f.write("module dtls_srtp.so\nrtcp_mux yes\n")
        acc = os.path.join(self.dir, "accounts")
        with open(acc) as f:
            t = f.read().rstrip("\n")
        with open(acc, "w") as f:
            f.write(t + ";mediaenc=dtls_srtp\n")


src = os.path.join(s.dir, "bob.wav")
audio.write_signal(src, 2, secs=20)
bob = WebRTCBaresip("bob", D, "bobpw", 27570, 27579,
                    "sip:127.0.0.1:%d" % P, source=src)
ok(bob.start(), "baresip bob starts")
ok(wait_until(lambda: 200 in bob.responses("REGISTER"), 10),
   "and registers")
c = CallPages(os.path.join(BUILD, "regress/web/shots/calls_baresip"))
b = c.b
ok(login(b, "alice", URL, "alice@" + D, "alicepw"), "alice logs in")
c.open_chat("alice", "bob@" + D)

# The page calls baresip, which answers at once; the page cannot use
# baresip's media (no ICE) and ends the call with a BYE.
b.click("alice", "#call-button")
ok(wait_until(lambda: bob.received("INVITE"), 10) and
   "Record-Route:" in bob.received("INVITE")[0]["head"],
   "the page's INVITE reaches baresip through imd, record-routed")
ok(wait_until(lambda: bob.received("ACK"), 10) and
   "Route:" not in bob.received("ACK")[0]["head"],
   "baresip answers; the page's ACK reaches it through imd")
ok(wait_until(lambda: 200 in bob.responses("BYE") or
              bob.received("BYE"), 10),
   "the page's BYE reaches baresip by the route set")
ok(c.wait_state("alice", "no media in common"),
   "the page says why: %r" % c.state("alice"))
ok(wait_until(lambda: s.ctl("show", "calls").stdout == "", 5),
   "the call left imctl show calls")
b.shot("alice", "baresip-answered")

# baresip calls the page, which rings over its flow; she declines.
ok(bob.command("dial", "sip:alice@" + D) is not None, "bob dials alice")
ok(c.wait_state("alice", "incoming call"), "alice's page rings: %r" %
   c.state("alice"))
ok(wait_until(lambda: 180 in bob.responses("INVITE"), 5),
   "baresip hears it ring (180 from the page through imd)")
ok("ringing" in s.ctl("show", "calls").stdout,
   "imctl show calls: %r" % s.ctl("show", "calls").stdout)
b.shot("alice", "baresip-calling")
b.click("alice", "#call-decline")
ok(wait_until(lambda: 603 in bob.responses("INVITE"), 5),
   "she declines: baresip gets 603 (%s)" % bob.responses("INVITE"))
ok(c.wait_state("alice", "declined"), "her page says declined")

# baresip calls and gives up while the page rings: CANCEL over the flow.
b.click("alice", "#call-close")
ok(bob.command("dial", "sip:alice@" + D) is not None, "bob dials again")
ok(c.wait_state("alice", "incoming call"), "alice's page rings")
ok(bob.command("hangup") is not None, "bob hangs up before she answers")
ok(c.wait_state("alice", "missed"), "her page says missed: %r" %
   c.state("alice"))
ok(wait_until(lambda: 487 in bob.responses("INVITE"), 5),
   "baresip's INVITE ends 487 (%s)" % bob.responses("INVITE"))
b.shot("alice", "baresip-missed")
ok(wait_until(lambda: s.ctl("show", "calls").stdout == "", 5),
   "no call left in imctl show calls")

ok(children(s.proc.pid).get("listener") is not None and s.alive(),
   "the suite is still up")
bob.stop()
b.stop()
done()
