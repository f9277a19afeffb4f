#!/usr/bin/env python3
# baresip, the common open-source softphone, against imd in its default
# configuration (no auth algorithms line: baresip 1.0 gives up on any
# challenge that names SHA-256): two baresips, alice and bob, each with
# its own config directory, register with digest, send each other Korean
# text that arrives byte for byte, publish their presence and see each
# other's through the presence module's subscriptions.  A third, carol,
# publishes without registering, so her documents say
# <basic>unknown</basic>: imd keeps them and tells watchers no basic.

import os, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import Suite, ok, done
from clientlib import Baresip, require, wait_until

require("baresip")

P = 27100
D = "site1.test"
PROXY = "sip:127.0.0.1:%d" % P
s = Suite(D, P)
ok(s.start(), "the suite starts with the default configuration")
ok(s.add_user("alice@" + D, "alicepw") and s.add_user("bob@" + D, "bobpw"),
   "alice and bob added")
ok(s.add_user("carol@" + D, "carolpw"), "carol added")
alice = Baresip("alice", D, "alicepw", 27110, 27119, PROXY,
                ["sip:bob@" + D, "sip:carol@" + D])
bob = Baresip("bob", D, "bobpw", 27120, 27129, PROXY, ["sip:alice@" + D])
carol = Baresip("carol", D, "carolpw", 27130, 27139, PROXY, register=False)
ok(alice.start() and bob.start() and carol.start(),
   "three baresips start, ctrl_tcp answers")

for who, b in (("alice", alice), ("bob", bob)):
    ok(wait_until(lambda: 200 in b.responses("REGISTER"), 10),
       "%s's baresip registers" % who)
    codes = b.responses("REGISTER")
    ok(codes[:2] == [401, 200], "%s: REGISTER challenged with digest, then "
       "200 (%s)" % (who, codes))
b = s.ctl("show", "bindings").stdout
ok("alice@%s sip:alice" % D in b and "bob@%s sip:bob" % D in b,
   "imctl show bindings lists both: %r" % b)


def wait_publish(b):
    return wait_until(lambda: 200 in b.responses("PUBLISH"), 10)


for who, b in (("alice", alice), ("bob", bob)):
    ok(wait_publish(b), "%s's baresip PUBLISHes: 200 (%s)" %
       (who, b.responses("PUBLISH")))
    ok(400 not in b.responses("PUBLISH"), "%s: no PUBLISH refused" % who)

# baresip publishes <basic>unknown</basic> until it has registered (its
# status is unknown until then): carol's, which never registers, shows
# it every time.  imd keeps it and tells alice carol's tuple without it.
ok(wait_until(lambda: carol.sent("PUBLISH"), 10) and
   b"<basic>unknown</basic>" in carol.sent("PUBLISH")[0]["body"],
   "carol's baresip, not registered, publishes <basic>unknown</basic>")
ok(wait_until(lambda: 200 in carol.responses("PUBLISH"), 10) and
   400 not in carol.responses("PUBLISH"),
   "and imd takes it: 200, no 400 (%s)" % carol.responses("PUBLISH"))


def carol_notify():
    return [n["body"] for n in alice.received("NOTIFY")
            if b"pres:carol@" in n["body"] and b"t4109" in n["body"]]


got = wait_until(carol_notify, 10)
ok(got and b"<basic>" not in got[-1] and b"unknown" not in got[-1],
   "alice's baresip gets carol's tuple without a basic status: %r" %
   (got[-1] if got else None))

TO_BOB = "안녕하세요, 밥! 점심 먹었어요? 🍚"
TO_ALICE = "네, 비빔밥 먹었어요. 앨리스는요?"


def delivered(receiver, text):
    want = text.encode("utf-8")
    got = wait_until(receiver.texts, 10)
    return got and got[-1] == want, got


ok(alice.message(TO_BOB), "alice's baresip sends bob a MESSAGE")
good, got = delivered(bob, TO_BOB)
ok(good, "bob's baresip gets the Korean text byte for byte: %r" % got)
ok(407 in alice.responses("MESSAGE") and 200 in alice.responses("MESSAGE"),
   "alice's MESSAGE: digest (407), then 200 from bob (%s)" %
   alice.responses("MESSAGE"))
ok(bob.message(TO_ALICE), "bob's baresip answers")
good, got = delivered(alice, TO_ALICE)
ok(good, "alice's baresip gets it byte for byte: %r" % got)

ALICE, BOB = "sip:alice@" + D, "sip:bob@" + D
ok(bob.command("presence_online") is not None, "bob sets himself online")
ok(alice.wait_presence(BOB, "Online", 10),
   "alice's baresip shows bob Online: %r" % alice.presence_of())
ok(bob.command("presence_offline") is not None, "bob sets himself offline")
ok(alice.wait_presence(BOB, "Offline", 10),
   "alice's baresip shows bob Offline: %r" % alice.presence_of())
ok(alice.command("presence_online") is not None, "alice sets herself online")
ok(bob.wait_presence(ALICE, "Online", 10),
   "bob's baresip shows alice Online: %r" % bob.presence_of())
nots = bob.received("NOTIFY")
ok(nots and all(b"unknown" not in n["body"] for n in nots),
   "no NOTIFY told bob a basic status other than open or closed")

for b in (alice, bob, carol):
    b.stop()
ok(all(b.proc.returncode is not None for b in (alice, bob, carol)),
   "every baresip stopped")
ok(s.alive(), "the suite is still running")
done()
