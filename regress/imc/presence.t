#!/usr/bin/env python3
# imc status, watch, watchers, approve and block across two domains.
# site1 (127.0.0.1) says `presence authorize ask`: bob@site2's watch of
# alice shows pending until alice, having seen him in `imc watchers`,
# runs `imc approve`; then bob sees her status.  carol is blocked.

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import Suite, ok, done
from imclib import Client

P = 25970
s1 = Suite("site1.test", P, ['route "site2.test" via 127.0.0.2 port %d' % P,
                             "presence authorize ask",
                             "presence notify-interval 0"])
s2 = Suite("site2.test", P, ['route "site1.test" via 127.0.0.1 port %d' % P,
                             "presence notify-interval 0"],
           addr="127.0.0.2")
ok(s1.start() and s2.start(), "site1 and site2 start")
s1.add_user("alice@site1.test", "alicepw")
s2.add_user("bob@site2.test", "bobpw")
s2.add_user("carol@site2.test", "carolpw")
alice = Client("alice@site1.test", "alicepw", "127.0.0.1", P,
               extra=["direct yes"])
bob = Client("bob@site2.test", "bobpw", "127.0.0.2", P)
carol = Client("carol@site2.test", "carolpw", "127.0.0.2", P)

r = alice.run("status", "away", "at lunch")
ok(r.returncode == 0 and r.stdout.strip() ==
   "alice@site1.test is now away: at lunch",
   "alice: imc status away \"at lunch\" (%d %r %r)" % (
       r.returncode, r.stdout.strip(), r.stderr.strip()))
etag = os.path.join(alice.dir, "etag")
ok(os.path.exists(etag), "the entity-tag is kept in the state directory")

w = bob.start("watch", "alice@site1.test", "-t", "30")
ok(w.ready(), "bob's imc watch registers and subscribes")
line = w.line()
ok(line is not None and line.startswith("alice@site1.test pending"),
   "bob's watch says pending, alice has to approve: %r" % line)

r = alice.run("watchers")
ok(r.returncode == 0 and "bob@site2.test pending" in r.stdout.splitlines(),
   "alice's imc watchers lists bob pending (%d %r %r)" % (
       r.returncode, r.stdout, r.stderr.strip()))
r = alice.run("approve", "bob@site2.test")
ok(r.returncode == 0 and "bob@site2.test may now see your presence" in
   r.stdout, "alice: imc approve bob@site2.test (%r)" % r.stdout.strip())
line = w.line()
ok(line == "alice@site1.test away at lunch",
   "bob's watch shows alice away, at lunch: %r" % line)

first = open(etag).read()
r = alice.run("status", "open", "back at my desk")
ok(r.returncode == 0, "alice: imc status open \"back at my desk\"")
ok(open(etag).read() != first, "the modified document has a new tag")
line = w.line()
ok(line == "alice@site1.test open back at my desk",
   "bob sees the change: %r" % line)
r = alice.run("status", "busy")
line = w.line()
ok(r.returncode == 0 and line == "alice@site1.test busy",
   "busy without a note: %r" % line)

r = alice.run("watchers")
ok("bob@site2.test active" in r.stdout.splitlines(),
   "alice's watchers now lists bob active: %r" % r.stdout)
cw = carol.start("watch", "alice@site1.test", "-t", "30")
ok(cw.ready() and (cw.line() or "").startswith("alice@site1.test pending"),
   "carol's watch: pending")
r = alice.run("block", "carol@site2.test")
ok(r.returncode == 0 and "blocked" in r.stdout, "alice blocks carol")
line = cw.line()
ok(line is not None and line.startswith("alice@site1.test ended"),
   "carol's watch says it ended: %r" % line)
cw.stop()
ok(cw.code() is not None, "carol's watch ends")

w.stop()
ok(w.code() == 0, "bob's watch ends on SIGTERM with exit 0")
time.sleep(0.5)
r = alice.run("watchers")
ok("bob@site2.test active" not in r.stdout.splitlines(),
   "bob unsubscribed: no longer active at alice's (%r)" % r.stdout)

r = bob.run("watch", "alice@site1.test", "-t", "2")
ok(r.returncode == 0 and r.stdout.splitlines()[:1] ==
   ["alice@site1.test busy"],
   "imc watch -t 2 prints the state and stops by itself (%r)" % r.stdout)
r = bob.run("watch", "nobody@site1.test", "-t", "5")
ok(r.returncode == 6 and "no such user" in r.stderr,
   "watching an unknown user: exit 6 (%d %r)" % (r.returncode,
                                                 r.stderr.strip()))
r = alice.run("status", "sleepy")
ok(r.returncode == 2, "an unknown status: exit 2")
r = alice.run("approve", "not an address")
ok(r.returncode == 2 and "malformed address" in r.stderr,
   "approve with a malformed address: exit 2")
ok(s1.alive() and s2.alive(), "both suites still run")
done()
