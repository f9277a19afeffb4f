#!/usr/bin/env python3
# Linphone (linphonec, the console client of liblinphone) against imd in
# its default configuration: carol's linphonec, with its own rc file and
# HOME, registers with digest, publishes its presence, sends alice a
# Korean MESSAGE and gets one back byte for byte, and follows alice's
# presence as a friend.  alice is imc, imd's own client.  linphonec has
# no command to set its own status (its `status` only prints), so only
# the PUBLISH it makes by itself (open) is checked, through imc watch.

import os, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/imc"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import Suite, ok, done
from imclib import Client
from clientlib import Linphonec, require, wait_until

require("linphonec")

P = 27200
D = "site1.test"
s = Suite(D, P)
ok(s.start(), "the suite starts with the default configuration")
ok(s.add_user("alice@" + D, "alicepw") and s.add_user("carol@" + D,
                                                      "carolpw"),
   "alice and carol added")
alice = Client("alice@" + D, "alicepw", "127.0.0.1", P)
carol = Linphonec("carol", D, "carolpw", 27210, "127.0.0.1", P, 27220)
ok(carol.start(), "carol's linphonec starts")
ok(wait_until(carol.registered, 15), "carol's linphonec registers")
b = wait_until(lambda: "carol@%s" % D in s.ctl("show", "bindings").stdout
               and s.ctl("show", "bindings").stdout, 5)
ok(b and "Linphonec/" in b, "imctl show bindings lists carol's linphonec: "
   "%r" % b)
log = carol.logtext()
ok("401 Unauthorized" in log and "algorithm=MD5" in log,
   "the registration went through a digest challenge, MD5")

TO_ALICE = "안녕하세요 앨리스, 캐롤이에요!"
TO_CAROL = "반가워요 캐롤, 잘 지냈어요?"
listen = alice.start("listen", "-t", "30")
ok(listen.ready(), "alice's imc listen registers")
carol.send('chat sip:alice@%s %s' % (D, TO_ALICE))
line = listen.line(10)
ok(line == "from carol@%s: %s" % (D, TO_ALICE),
   "linphonec's MESSAGE reaches alice, the Korean text exact: %r" % line)
listen.stop()
listen.code()

mark = carol.mark()
r = alice.run("send", "carol@" + D, TO_CAROL)
ok(r.returncode == 0 and "delivered" in r.stdout,
   "alice's imc send to carol: delivered (%r %r)" % (r.stdout, r.stderr))
want = ("Message received from sip:alice@%s: %s" % (D, TO_CAROL)).encode()
got = carol.wait_line(rb"^Message received from ", 10, mark)
ok(got == want, "linphonec prints alice's text byte for byte: %r" % got)

# linphonec's own PUBLISH, seen by a watcher.
ok(wait_until(lambda: "to publish state LinphonePublishOk" in
              carol.logtext(), 10),
   "linphonec's PUBLISH is taken (its log: LinphonePublishOk)")
w = alice.run("watch", "carol@" + D, "-t", "3")
ok("carol@%s open" % D in w.stdout,
   "imc watch shows carol's linphonec open: %r" % w.stdout)
print("# linphonec cannot set its own status from the command line; "
      "its automatic PUBLISH (open) is the one checked")

# carol follows alice: linphonec subscribes to its friends.
r = alice.run("status", "open", "at my desk")
ok(r.returncode == 0, "alice publishes open with imc status")
mark = carol.mark()
carol.send('friend add "alice" sip:alice@%s' % D)
online = carol.wait_line(rb'Friend "alice" <sip:alice@site1\.test> is Online',
                         10, mark)
ok(online, "linphonec subscribes to its friend alice and shows her Online")
mark = carol.mark()
r = alice.run("status", "closed")
ok(r.returncode == 0, "alice publishes closed")
off = carol.wait_line(rb'Friend "alice" <sip:alice@site1\.test> is Offline',
                      10, mark)
ok(off, "linphonec shows alice Offline")

carol.stop()
ok(carol.proc.returncode is not None, "linphonec stopped")
ok(s.alive(), "the suite is still running")
done()
