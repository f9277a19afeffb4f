#!/usr/bin/env python3
# Voice calls between two browser pages through imd (issue 19 with 16):
# Chromium's fake microphone (a beep) on both, alice calls bob from her
# chat window, his page rings, he answers, both show "in call", audio
# packets arrive at each end (the pages' RTCPeerConnection statistics),
# `imctl show calls` lists the call, each puts the other on hold and
# back (re-INVITEs both ways), and a hang-up on either side is
# seen by the other; a declined call says "declined" to the caller,
# one nobody answers "no answer" (and "missed" to the callee); a
# page closed during a call makes the other side's BYE fail cleanly and
# the call leaves the table.  Screenshots under the build tree
# (regress/web/shots/calls).

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import ok, done, children
from browserlib import require_browser, login, BUILD
from calllib import CallPages, D, web_suite

require_browser()

# A call rings 5 s at most: one is left unanswered.
s, URL = web_suite(27540, 27541, ["limit ring-time 5"])
c = CallPages(os.path.join(BUILD, "regress/web/shots/calls"))
b, js, state, wait_state = c.b, c.js, c.state, c.wait_state
audio_arrives, open_chat = c.audio_arrives, c.open_chat


def diag():
    """What the pages and imd said, for a failure."""
    for page in ("alice", "bob"):
        for l in b.cmd("console", page=page)[-15:]:
            print("# %s: %s" % (page, l))
    for l in s.logtext().splitlines()[-40:]:
        print("# " + l)


for who in ("alice", "bob"):
    ok(login(b, who, URL, "%s@%s" % (who, D), who + "pw"),
       "%s logs in" % who)
open_chat("alice", "bob@" + D)
open_chat("bob", "alice@" + D)
ok(js("alice", "return document.getElementById('call-button')"
      ".getAttribute('aria-label')") == "Call bob@" + D,
   "the chat window has a labelled Call button")

# alice calls bob; he answers; audio both ways; alice hangs up.
b.click("alice", "#call-button")
if not ok(wait_state("bob", "incoming call"), "bob's page rings: %r" %
          state("bob")):
    diag()
ok(state("alice") in ("ringing", "calling"), "alice's page: %r" %
   state("alice"))
ok(js("bob", "return document.activeElement.id") == "call-answer",
   "the focus is on Answer, for the keyboard")
b.shot("alice", "ringing")
b.shot("bob", "incoming")
b.cmd("press", page="bob", key="Enter")
ok(wait_state("bob", "in call") and wait_state("alice", "in call"),
   "bob answers with the keyboard: both pages say in call (%r, %r)" %
   (state("alice"), state("bob")))
calls = s.ctl("show", "calls").stdout
ok("alice@" + D in calls and "bob@" + D in calls and
   "established" in calls, "imctl show calls lists it: %r" % calls)
for page in ("alice", "bob"):
    got, fig = audio_arrives(page)
    ok(got, "audio arrives at %s's page: %r" % (page, fig))
b.shot("alice", "in-call")
b.shot("bob", "in-call")
b.click("alice", "#call-hold")
ok(wait_state("bob", "on hold, by them") and
   wait_state("alice", "on hold"),
   "alice holds: her re-INVITE reaches bob's page over its flow (%r)" %
   state("bob"))
b.shot("bob", "on-hold")
b.click("alice", "#call-hold")
ok(wait_state("bob", "in call") and wait_state("alice", "in call"),
   "and resumes: both in call again")
b.click("bob", "#call-hold")
ok(wait_state("alice", "on hold, by them"),
   "bob holds, a re-INVITE the other way: %r" % state("alice"))
b.click("bob", "#call-hold")
ok(wait_state("alice", "in call"), "and resumes")
b.click("alice", "#call-hangup")
ok(wait_state("bob", "ended") and wait_state("alice", "ended"),
   "alice hangs up; bob's page says ended: %r" % state("bob"))
ok("established" not in
   s.ctl("show", "calls").stdout, "the call left imd's table")
b.shot("bob", "ended")

# bob calls alice; she answers; bob hangs up this time.
b.click("bob", "#call-button")
ok(wait_state("alice", "incoming call"), "alice's page rings")
b.click("alice", "#call-answer")
ok(wait_state("alice", "in call") and wait_state("bob", "in call"),
   "both in call again")
got, fig = audio_arrives("alice")
ok(got, "audio arrives at alice's page: %r" % (fig,))
b.click("bob", "#call-hangup")
ok(wait_state("alice", "ended"), "bob hangs up; alice sees ended: %r" %
   state("alice"))

# Declined.
b.click("alice", "#call-button")
ok(wait_state("bob", "incoming call"), "bob's page rings again")
b.click("bob", "#call-decline")
ok(wait_state("alice", "declined"), "bob declines: alice's page says "
   "declined: %r" % state("alice"))
b.shot("alice", "declined")

# Nobody answers: imd gives up after ring-time.
b.click("alice", "#call-close")
b.click("alice", "#call-button")
ok(wait_state("bob", "incoming call"), "bob's page rings; he is away")
ok(wait_state("alice", "no answer", 15000) and
   wait_state("bob", "missed", 5000),
   "after ring-time alice's page says no answer, bob's missed: %r, %r" %
   (state("alice"), state("bob")))
b.shot("alice", "no-answer")
b.shot("bob", "missed")

# bob's page goes during a call: alice's hang-up fails cleanly.
b.click("alice", "#call-button")
ok(wait_state("bob", "incoming call"), "a last call rings")
b.click("bob", "#call-answer")
ok(wait_state("alice", "in call"), "and is answered")
b.cmd("close", page="bob")
deadline = time.time() + 5
while time.time() < deadline and \
        "bob@" in s.ctl("show", "bindings").stdout:
    time.sleep(0.1)
ok("bob@" not in s.ctl("show", "bindings").stdout,
   "bob's page closed: his binding went with its connection")
b.click("alice", "#call-hangup")
ok(wait_state("alice", "ended", 40000), "alice's hang-up still ends her "
   "call: %r" % state("alice"))
deadline = time.time() + 40
while time.time() < deadline and "established" in \
        s.ctl("show", "calls").stdout:
    time.sleep(0.2)
ok("established" not in s.ctl("show", "calls").stdout,
   "and the call left the table")
b.shot("alice", "peer-gone")

ok(children(s.proc.pid).get("listener") is not None and s.alive(),
   "the suite is still up")
b.stop()
done()
