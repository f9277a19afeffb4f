#!/usr/bin/env python3
# imd's web client in headless Chromium, served by the listener itself on
# a ws address: alice and bob log in from two pages (two browser
# contexts), bob asks to see alice and she approves him from her page,
# they chat both ways in Korean, bob sees alice's status and note change
# within a second, a wrong password and an unreachable server are told
# apart, and a reload of the page replaces its flow (`imctl show
# bindings` lists one binding).  A screenshot of each step is kept under
# the build tree (regress/web/shots/chat).

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import Suite, ok, done, children
from browserlib import Browser, require_browser, login, WEB_ROOT, BUILD
from wslib import handshake, frame
import socket

require_browser()

P, WSP = 27520, 27521
D = "site1.test"
URL = "http://127.0.0.1:%d/" % WSP
s = Suite(D, P, ["listen on 127.0.0.1 port %d ws" % WSP,
                 'web root "%s"' % WEB_ROOT,
                 "presence authorize ask"])
ok(s.start(), "the suite starts with ws on %d serving %s" % (WSP, WEB_ROOT))
s.add_user("alice@" + D, "alicepw")
s.add_user("bob@" + D, "bobpw")
b = Browser(os.path.join(BUILD, "regress/web/shots/chat"))


def js(page, code):
    return b.cmd("eval", page=page, js=code)


def text_of(page, sel):
    return js(page, "const e = document.querySelector(%r); "
              "return e ? e.textContent : null;" % sel)


# Errors at login.
b.cmd("open", page="x", url=URL)
b.cmd("type", page="x", selector="#login-address", text="alice@" + D)
b.cmd("type", page="x", selector="#login-password", text="wrong")
b.cmd("press", page="x", key="Enter")
ok(b.wait("x", "document.getElementById('login-error').textContent "
          "!== ''", 8000) and "Wrong address or password" in
   text_of("x", "#login-error"),
   "a wrong password: %r" % text_of("x", "#login-error"))
b.shot("x", "wrong-password")
js("x", "document.getElementById('login-server').value = "
   "'ws://127.0.0.1:%d/'" % (WSP + 5))
js("x", "document.getElementById('login-password').value = 'alicepw'")
b.cmd("press", page="x", key="Enter")
ok(b.wait("x", "document.getElementById('login-error').textContent"
          ".includes('Cannot reach')", 8000),
   "a server that is not there: %r" % text_of("x", "#login-error"))
b.shot("x", "unreachable")
b.cmd("close", page="x")

ok(login(b, "alice", URL, "alice@" + D, "alicepw"), "alice logs in")
ok(login(b, "bob", URL, "bob@" + D, "bobpw", width=390, height=800),
   "bob logs in on a phone-sized page (390x800)")
bind = s.ctl("show", "bindings").stdout
ok(bind.count("alice@") == 1 and bind.count("bob@") == 1 and
   ".invalid" in bind, "one binding each, .invalid contacts: %r" % bind)
b.shot("alice", "logged-in")
ok(js("alice", "return [...document.querySelectorAll('input, select, "
      "textarea')].filter((e) => e.labels.length === 0).map((e) => e.id)")
   == [], "every input, select and text area of the page has a label")
ok(js("bob", "return document.documentElement.scrollWidth <= innerWidth"),
   "nothing spills sideways at phone width")
b.cmd("press", page="alice", key="Tab")
ok(js("alice", "return document.activeElement.tagName !== 'BODY'"),
   "the keyboard moves the focus through the page's controls")

# bob asks to see alice; she approves him on her page.
b.cmd("type", page="bob", selector="#add-address", text="alice@" + D)
b.cmd("press", page="bob", key="Enter")
ok(b.wait("alice", "document.querySelector('#watchers li[data-watcher="
          "\"bob@%s\"]') !== null" % D, 8000),
   "alice's page shows bob waiting for her approval")
b.shot("alice", "watcher-waiting")
if not js("alice", "return document.querySelector('#watchers li') !== null"):
    for l in b.cmd("console", page="alice")[-20:] + s.logtext().splitlines()[-40:]:
        print("# " + l)
b.click("alice", "#watchers button[aria-label='Approve bob@%s']" % D)
ok(b.wait("bob", "document.querySelector('#buddies button[data-address="
          "\"alice@%s\"]').classList.contains('open')" % D, 35000),
   "once approved, bob sees alice available")
b.shot("bob", "approved")
# Approving adds bob to alice's buddies; bob approves her in turn.
ok(b.wait("bob", "document.querySelector('#watchers li[data-watcher="
          "\"alice@%s\"]') !== null" % D, 8000),
   "alice now asks to see bob: his page shows it")
b.click("bob", "#watchers button[aria-label='Approve alice@%s']" % D)
ok(b.wait("alice", "document.querySelector('#buddies button[data-address="
          "\"bob@%s\"]').classList.contains('open')" % D, 35000),
   "and alice sees bob available")

# alice changes her status and note: bob sees it within a second.
t0 = time.time()
js("alice", "const s = document.getElementById('my-status'); "
   "s.value = 'busy'; s.dispatchEvent(new Event('change'));")
seen = b.wait("bob", "document.querySelector('#buddies button[data-address="
              "\"alice@%s\"]').classList.contains('busy')" % D, 3000)
dt = time.time() - t0
ok(seen and dt < 1.0, "alice turns busy: bob's page shows it in %.2f s" % dt)
b.cmd("type", page="alice", selector="#my-note", text="회의 중")
b.cmd("press", page="alice", key="Tab")
t0 = time.time()
seen = b.wait("bob", "document.querySelector('#buddies').textContent"
              ".includes('회의 중')", 3000)
dt = time.time() - t0
ok(seen and dt < 1.0, "and her note '회의 중' in %.2f s" % dt)
b.shot("bob", "alice-busy")

# Chat both ways.
b.click("bob", "#buddies button[data-address='alice@%s']" % D)
b.cmd("type", page="bob", selector="#text", text="안녕, 앨리스!")
b.cmd("press", page="bob", key="Enter")
ok(b.wait("alice", "document.getElementById('log').textContent"
          ".includes('안녕, 앨리스!')", 5000),
   "bob's Korean message opens a chat on alice's page")
b.cmd("type", page="alice", selector="#text", text="반가워요, 밥 😀")
b.cmd("press", page="alice", key="Enter")
ok(b.wait("bob", "document.getElementById('log').textContent"
          ".includes('반가워요, 밥 😀')", 5000),
   "alice's answer shows on bob's page")
ok(js("bob", "return document.querySelectorAll('#log li').length") == 2,
   "bob's chat holds both messages, in the session's history")
b.shot("alice", "chat")
b.shot("bob", "chat")

# A reload: the same browser instance, a new connection; one binding.
b.cmd("reload", page="alice")
js("alice", "document.getElementById('login-password').value = 'alicepw';"
   " document.getElementById('login').requestSubmit();")
ok(b.wait("alice", "!document.getElementById('app').hidden", 8000),
   "alice logs in again after a reload")
time.sleep(0.5)
bind = s.ctl("show", "bindings").stdout
ok(bind.count("alice@") == 1, "imctl show bindings: one binding for "
   "alice, the old flow replaced: %r" % bind)
b.shot("alice", "after-reload")

# Strangers' bad input meanwhile closes only their own connections.
bad = []
for what, proto, data in (
        ("a chat subprotocol", "chat", b""),
        ("garbage", "sip", os.urandom(200)),
        ("an unmasked frame", "sip", frame(1, b"OPTIONS x", mask=False)),
        ("an oversized message", "sip", frame(1, b"Z" * 70000))):
    c = socket.create_connection(("127.0.0.1", WSP), timeout=3)
    st = handshake(c, protocol=proto)[0]
    if data:
        c.sendall(data)
    try:
        while c.recv(65536):
            pass
        gone = True
    except socket.timeout:
        gone = False	# still open after 3 s
    except OSError:
        gone = True	# reset
    bad.append((what, st, gone))
    c.close()
ok(bad[0][1] == 400 and all(st == 101 for _, st, _ in bad[1:]) and
   all(g for _, _, g in bad), "bad input from four strangers: each "
   "refused or closed (%s)" % bad)
b.cmd("type", page="bob", selector="#text", text="아직 여기 있어요")
b.cmd("press", page="bob", key="Enter")
ok(b.wait("alice", "document.getElementById('log').textContent"
          ".includes('아직 여기 있어요')", 5000),
   "and both pages go on chatting")

# Logging out: bob's status document goes, alice sees him offline.
b.click("bob", "#logout")
ok(b.wait("alice", "document.querySelector('#buddies button[data-address="
          "\"bob@%s\"]').classList.contains('closed')" % D, 3000),
   "bob logs out: alice sees him offline")
ok(login(b, "bob", URL, "bob@" + D, "bobpw", width=390, height=800,
         context="bob"), "bob logs in again, on the same page")

# Offline: bob closes his page; alice's message waits for him.
b.cmd("close", page="bob")
t0 = time.time()
while "bob@" in s.ctl("show", "bindings").stdout and time.time() - t0 < 3:
    time.sleep(0.05)
ok("bob@" not in s.ctl("show", "bindings").stdout,
   "bob's page closed: his binding is gone at once (%.2f s)" %
   (time.time() - t0))
b.click("alice", "#buddies button[data-address='bob@%s']" % D)
b.cmd("type", page="alice", selector="#text", text="나중에 읽어요")
b.cmd("press", page="alice", key="Enter")
t0 = time.time()
while "1 " not in s.ctl("show", "queue").stdout and time.time() - t0 < 3:
    time.sleep(0.1)
q = s.ctl("show", "queue").stdout
ok("bob@" + D in q, "alice's message to bob is queued: %r" % q)
ok(b.wait("alice", "document.getElementById('log').textContent"
          ".includes('kept until they are back')", 3000),
   "and her page says it is kept for him")
b.shot("alice", "offline-sent")
ok(login(b, "bob", URL, "bob@" + D, "bobpw", width=390, height=800),
   "bob logs in again")
ok(b.wait("bob", "document.getElementById('log').textContent"
          ".includes('나중에 읽어요')", 8000),
   "the message that waited is shown to him at login")
b.shot("bob", "offline-received")

# The connection lost and back: imd stops, then starts again.
s.proc.terminate()
s.proc.wait(10)
ok(b.wait("alice", "document.getElementById('banner').textContent"
          ".includes('Connection lost')", 5000),
   "imd stops: alice's page says the connection is lost")
b.shot("alice", "connection-lost")
ok(s.start(), "imd starts again")
ok(b.wait("alice", "document.getElementById('banner').hidden", 20000),
   "alice's page reconnects and registers by itself: %r" %
   text_of("alice", "#banner"))
ok("alice@" in s.ctl("show", "bindings").stdout,
   "alice is bound again")
b.shot("alice", "connection-back")
ok(b.wait("bob", "document.getElementById('banner').hidden", 20000),
   "bob's page is back too")
js("bob", "document.querySelector('#buddies button[data-address="
   "\"alice@%s\"]').click()" % D)
b.cmd("type", page="bob", selector="#text", text="다시 왔어요")
b.cmd("press", page="bob", key="Enter")
ok(b.wait("alice", "document.getElementById('log').textContent"
          ".includes('다시 왔어요')", 8000),
   "and she gets bob's next message")

ok(children(s.proc.pid).get("listener") is not None and s.alive(),
   "the suite is still up")
b.stop()
done()
