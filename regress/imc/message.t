#!/usr/bin/env python3
# imc send and imc listen across two domains: bob@site2 listens, alice@site1
# sends Korean UTF-8 text that arrives byte-exact; bob answers the other
# way; and the errors a user meets: wrong password, a server that is not
# there, a malformed address, a password file others may read.

import os, subprocess, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import Suite, ok, done
from imclib import Client

P = 25960
s1 = Suite("site1.test", P, ['route "site2.test" via 127.0.0.2 port %d' % P])
s2 = Suite("site2.test", P, ['route "site1.test" via 127.0.0.1 port %d' % P],
           addr="127.0.0.2")
ok(s1.start() and s2.start(), "site1 and site2 start")
s1.add_user("alice@site1.test", "alicepw")
s2.add_user("bob@site2.test", "bobpw")
alice = Client("alice@site1.test", "alicepw", "127.0.0.1", P)
bob = Client("bob@site2.test", "bobpw", "127.0.0.2", P)

TEXT = "안녕하세요, 밥! 점심 먹었어요?"
lb = bob.start("listen", "-t", "20")
ok(lb.ready(), "bob's imc listen registers at site2")
r = alice.run("send", "bob@site2.test", TEXT)
ok(r.returncode == 0, "alice's imc send exits 0 (%d: %s)" % (r.returncode,
                                                          r.stderr.strip()))
ok(r.stdout.strip() == "delivered to bob@site2.test",
   "and says delivered: %r" % r.stdout.strip())
line = lb.line()
ok(line == "from alice@site1.test: " + TEXT,
   "bob's listen prints the Korean text exactly: %r" % line)

la = alice.start("listen", "-t", "20")
ok(la.ready(), "alice's imc listen registers at site1")
r = bob.run("send", "alice@site1.test", stdin="네, 먹었어요.\n")
ok(r.returncode == 0 and "delivered" in r.stdout,
   "bob replies, the text from standard input: delivered")
ok(la.line() == "from alice@site1.test: 네, 먹었어요.".replace(
    "alice@site1.test", "bob@site2.test"),
   "alice's listen prints bob's reply")
la.stop()
lb.stop()
ok(la.code() == 0 and lb.code() == 0,
   "both listens end on SIGTERM with exit 0, unregistered")
out = s2.ctl("show", "bindings").stdout
ok("bob@site2.test" not in out, "bob's binding is gone from site2: %r" % out)

r = alice.run("send", "bob@site2.test", "for later")
ok(r.returncode == 0 and "queued for later" in r.stdout,
   "bob offline: queued for later, exit 0 (%r)" % r.stdout.strip())
r = alice.run("send", "nobody@site1.test", "hello?")
ok(r.returncode == 6 and "no such user: nobody@site1.test" in r.stderr,
   "a user site1 does not know: exit 6, no such user (%d %r)" % (
       r.returncode, r.stderr.strip()))

wrong = Client("alice@site1.test", "not-her-password", "127.0.0.1", P)
r = wrong.run("send", "bob@site2.test", "x")
ok(r.returncode == 5 and "the server refused the password for "
   "alice@site1.test" in r.stderr,
   "wrong password: exit 5 and says so (%d %r)" % (r.returncode,
                                                    r.stderr.strip()))
r = wrong.run("listen", "-t", "2")
ok(r.returncode == 5, "wrong password on REGISTER too: exit 5")

gone = Client("alice@site1.test", "alicepw", "127.0.0.1", P + 29)
r = gone.run("send", "bob@site2.test", "x")
ok(r.returncode == 4 and "cannot reach the server 127.0.0.1:%d" % (P + 29)
   in r.stderr, "nothing listening: exit 4, cannot reach the server (%r)" %
   r.stderr.strip())
gone_tcp = Client("alice@site1.test", "alicepw", "127.0.0.1", P + 29,
                  transport="tcp")
r = gone_tcp.run("send", "bob@site2.test", "x")
ok(r.returncode == 4 and "refused" in r.stderr,
   "the same over TCP: exit 4 (%r)" % r.stderr.strip())

r = alice.run("send", "bob-at-site2", "x")
ok(r.returncode == 2 and "malformed address" in r.stderr,
   "a malformed address: exit 2 (%r)" % r.stderr.strip())
r = alice.run("send")
ok(r.returncode == 2 and "usage" in r.stderr, "no address: usage, exit 2")
r = alice.run("fly")
ok(r.returncode == 2 and "usage" in r.stderr, "an unknown command: exit 2")

loose = Client("alice@site1.test", "alicepw", "127.0.0.1", P, mode=0o644)
r = loose.run("send", "bob@site2.test", "x")
ok(r.returncode == 3 and "may be read by others" in r.stderr,
   "a password file of mode 0644 is refused: exit 3 (%r)" %
   r.stderr.strip())
noconf = Client("alice@site1.test", "alicepw", "127.0.0.1", P,
                config="account alice@site1.test\n")
r = noconf.run("send", "bob@site2.test", "x")
ok(r.returncode == 3 and "no server line" in r.stderr,
   "a config without a server line: exit 3 (%r)" % r.stderr.strip())

ok(s1.alive() and s2.alive(), "both suites still run")
done()
