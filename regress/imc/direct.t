#!/usr/bin/env python3
# Direct mode in imc.  site2 allows it (`domain "site2.test" direct`);
# bob@site2 says `direct yes`, publishes his status and listens.  alice's
# `imc send -d` asks site1 for a redirect, the 302 comes back from site2
# through both relays, and the message goes from alice's imc straight to
# bob's: his listen shows it came from alice's own address, not from a
# server.  The contact that worked is kept, so that the last message,
# sent with both suites stopped, still arrives: no server carries it.
# A stale contact falls back to asking the server again; carol (direct
# no) gets her message through the relay, and alice's imc says so.

import os, re, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import Suite, ok, done
from imclib import Client

P = 25990
s1 = Suite("site1.test", P, ['route "site2.test" via 127.0.0.2 port %d' % P])
s2 = Suite("site2.test", P, ['route "site1.test" via 127.0.0.1 port %d' % P],
           addr="127.0.0.2", domain_extra=" direct")
ok(s1.start() and s2.start(), "site1 and site2 (direct allowed) start")
s1.add_user("alice@site1.test", "alicepw")
s2.add_user("bob@site2.test", "bobpw")
s2.add_user("carol@site2.test", "carolpw")
alice = Client("alice@site1.test", "alicepw", "127.0.0.1", P)
bob = Client("bob@site2.test", "bobpw", "127.0.0.2", P,
             extra=["direct yes"])
carol = Client("carol@site2.test", "carolpw", "127.0.0.2", P,
               extra=["direct no"])
DIRECT = re.compile(r"^from alice@site1\.test \(direct from "
                    r"127\.0\.0\.1:(\d+)\): (.*)$")


def direct_line(listener, text):
    line = listener.line()
    m = DIRECT.match(line or "")
    return m is not None and int(m.group(1)) != P and m.group(2) == text, \
        line


lb = bob.start("listen", "-t", "90")
ok(lb.ready(), "bob (direct yes) listens at site2")
r = bob.run("status", "open")
ok(r.returncode == 0, "bob publishes open, his tuple accepting direct mode")

r = alice.run("send", "-d", "bob@site2.test", "straight to you")
m = re.match(r"^delivered directly to bob@site2\.test at "
             r"127\.0\.0\.2:(\d+)$", r.stdout.strip())
ok(r.returncode == 0 and m is not None,
   "alice: imc send -d says delivered directly (%d %r %r)" % (
       r.returncode, r.stdout.strip(), r.stderr.strip()))
good, line = direct_line(lb, "straight to you")
ok(good, "bob's listen got it from alice's own address, no server "
   "between: %r" % line)
ok(os.path.exists(os.path.join(alice.dir, "direct-bob@site2.test")),
   "alice's imc keeps bob's contact for next time")

# bob's device moves: the kept contact is stale.
lb.stop()
ok(lb.code() == 0, "bob's first listen ends")
lb = bob.start("listen", "-t", "90")
ok(lb.ready(), "bob listens again, on another port")
r = alice.run("send", "-d", "bob@site2.test", "found you again")
ok(r.returncode == 0 and "direct delivery to bob@site2.test at "
   "127.0.0.2:%s failed" % (m.group(1) if m else "?") in r.stderr and
   r.stdout.startswith("delivered directly to bob@site2.test"),
   "a stale contact fails at once (port unreachable); the server's new "
   "302 gets it there directly (%r %r)" % (r.stdout.strip(),
                                          r.stderr.strip()))
good, line = direct_line(lb, "found you again")
ok(good, "bob's new listen got it directly: %r" % line)

lc = carol.start("listen", "-t", "90")
ok(lc.ready(), "carol (direct no) listens at site2")
r = carol.run("status", "open")
ok(r.returncode == 0, "carol publishes open, direct not accepted")
r = alice.run("send", "-d", "carol@site2.test", "the long way")
ok(r.returncode == 0 and r.stdout.strip() == "delivered to "
   "carol@site2.test via the server" and "carol@site2.test does not "
   "accept direct mode" in r.stderr,
   "alice to carol with -d: delivered via the server, and says why "
   "(%r %r)" % (r.stdout.strip(), r.stderr.strip()))
line = lc.line()
ok(line == "from alice@site1.test: the long way",
   "carol's listen got it relayed: %r" % line)

# No server at all now: only the kept contact can deliver.
s1.cleanup()
s2.cleanup()
ok(not s1.alive() and not s2.alive(), "both suites are stopped")
r = alice.run("send", "-d", "bob@site2.test", "no server needed")
ok(r.returncode == 0 and r.stdout.startswith("delivered directly to "
                                             "bob@site2.test"),
   "alice's send -d with both suites stopped: delivered directly "
   "(%d %r %r)" % (r.returncode, r.stdout.strip(), r.stderr.strip()))
good, line = direct_line(lb, "no server needed")
ok(good, "and bob's listen shows it: %r" % line)
lb.kill()
lc.kill()
done()
