#!/usr/bin/env python3
# A browser user and a baresip user on two domains, through relayd:
# alice in headless Chromium on imd's web client at site1.test (imd on
# 127.0.0.1, ws), dave's baresip at site2.test (imd on 127.0.0.2).  Each
# suite routes to the other.  They message both ways in Korean and see
# each other's presence across the two servers; alice lets dave watch
# her from her page.

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/clients"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import Suite, ok, done
from clientlib import Baresip, require, wait_until
from browserlib import Browser, require_browser, login, WEB_ROOT, BUILD

require("baresip")
require_browser()

P, WSP = 27540, 27541
URL = "http://127.0.0.1:%d/" % WSP
s1 = Suite("site1.test", P, ['route "site2.test" via 127.0.0.2 port %d' % P,
                             "listen on 127.0.0.1 port %d ws" % WSP,
                             'web root "%s"' % WEB_ROOT])
s2 = Suite("site2.test", P, ['route "site1.test" via 127.0.0.1 port %d' % P],
           addr="127.0.0.2")
ok(s1.start() and s2.start(), "site1 (127.0.0.1, with ws) and site2 "
   "(127.0.0.2) start")
ok(s1.add_user("alice@site1.test", "alicepw") and
   s2.add_user("dave@site2.test", "davepw"), "alice@site1, dave@site2 added")
ok(s2.ctl("presence", "allow", "dave@site2.test",
          "alice@site1.test").returncode == 0, "dave lets alice watch him")

ALICE, DAVE = "sip:alice@site1.test", "sip:dave@site2.test"
dave = Baresip("dave", "site2.test", "davepw", 27550, 27559,
               "sip:127.0.0.2:%d" % P, [ALICE], addr="127.0.0.2")
ok(dave.start(), "dave's baresip starts")
ok(wait_until(lambda: 200 in dave.responses("REGISTER"), 10),
   "dave's baresip registers at site2")
# Its first PUBLISH done, so that later ones modify that document
# instead of racing it into a second one (which would still say open).
ok(wait_until(lambda: 200 in dave.responses("PUBLISH"), 10),
   "dave's baresip publishes its status")

b = Browser(os.path.join(BUILD, "regress/web/shots/federation"))
ok(login(b, "alice", URL, "alice@site1.test", "alicepw"),
   "alice logs in on the web client at site1")


def js(code):
    return b.cmd("eval", page="alice", js=code)


# dave's presence module watches alice: she approves him on her page.
ok(b.wait("alice", "document.querySelector('#watchers li[data-watcher="
          "\"dave@site2.test\"]') !== null", 20000),
   "dave@site2 asks to see alice: her page shows him waiting")
b.click("alice", "#watchers button[aria-label='Approve dave@site2.test']")
ok(b.wait("alice", "document.querySelector('#buddies button[data-address="
          "\"dave@site2.test\"]') !== null", 3000),
   "approving adds dave to her buddies")
ok(b.wait("alice", "document.querySelector('#buddies button[data-address="
          "\"dave@site2.test\"]').classList.contains('open')", 20000),
   "and she sees dave online, from site2")
ok(dave.wait_presence(ALICE, "Online", 20),
   "dave's baresip shows alice Online, from site1: %r" % dave.presence_of())
b.shot("alice", "dave-online")

TO_DAVE = "데이브, 브라우저에서 인사해요."
TO_ALICE = "반가워요 앨리스, baresip 이에요."
b.click("alice", "#buddies button[data-address='dave@site2.test']")
b.cmd("type", page="alice", selector="#text", text=TO_DAVE)
b.cmd("press", page="alice", key="Enter")
got = wait_until(dave.texts, 15)
ok(got and got[-1] == TO_DAVE.encode(),
   "dave's baresip gets alice's message byte for byte: %r" % got)

ok(dave.message(TO_ALICE), "dave's baresip answers")
ok(b.wait("alice", "document.getElementById('log').textContent"
          ".includes(%r)" % TO_ALICE, 15000),
   "alice's page shows dave's answer")
b.shot("alice", "chat")

js("const s = document.getElementById('my-status'); s.value = 'closed'; "
   "s.dispatchEvent(new Event('change'));")
ok(dave.wait_presence(ALICE, "Offline", 20),
   "alice appears offline: dave's baresip shows it: %r" %
   dave.presence_of())
ok(dave.command("presence_offline") is not None, "dave sets himself "
   "offline")
if not ok(b.wait("alice", "document.querySelector('#buddies "
                 "button[data-address=\"dave@site2.test\"]').classList"
                 ".contains('closed')", 20000),
          "alice's page shows dave offline"):
    # What each side saw, for the log.
    for l in (b.cmd("console", page="alice")[-10:] +
              s1.logtext().splitlines()[-30:] +
              [l for l in s2.logtext().splitlines() if "presence" in l or "notify" in l.lower() or "publish" in l.lower()][-40:] +
              [m["head"][:300] for m in dave.sip_messages()[-10:]]):
        print("# " + l.replace("\r\n", " | ").replace("\n", " | "))
b.shot("alice", "dave-offline")

dave.stop()
b.stop()
ok(s1.alive() and s2.alive(), "both suites still running")
done()
