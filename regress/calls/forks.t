#!/usr/bin/env python3
# Two devices of the callee answer at once (sipp, regress/calls/
# uas_race.xml): both 2xx reach the caller, each a dialog of its own
# (RFC 3261 13.2.2.4), so the ACK of each reaches its device and the
# caller's BYE of each, the extra one included, gets 200 from it, not
# 481; `imctl show calls` shows both dialogs until their BYEs.

import os, re, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/calls"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, header
from calllib import (DOMAIN, bind_sipp, build, diag, finished, have_sipp,
                     invite, responses, sipp)

if not have_sipp():
    print("1..0 # SKIP sipp missing")
    sys.exit(0)

PORT = 28480
s = Suite(DOMAIN, PORT)
ok(s.start(), "the suite starts")
s.add_user("alice@" + DOMAIN, "alicepw")
s.add_user("gina@" + DOMAIN, "ginapw")
ok(bind_sipp(s, "gina", "ginapw", PORT + 1) and
   bind_sipp(s, "gina", "ginapw", PORT + 2), "gina's two devices registered")
devs = [sipp(s, "uas_race.xml", p, "%s/uas%d.log" % (s.dir, p))
        for p in (PORT + 1, PORT + 2)]
time.sleep(0.5)		# sipp binds its socket
alice = UA(("127.0.0.1", PORT))
got, branch = invite(alice, "alice", "alicepw", "gina", secs=2)
got += responses(alice, until_final=False, secs=1.5)
oks = {}
for r in got:
    if r["status"] == 200:
        oks.setdefault(header(r, "to")[0], r)
ok(len(oks) == 2, "both devices' 2xx reach the caller (%d To tags in %s)" %
   (len(oks), [r["status"] for r in got]))
c = s.ctl("show", "calls").stdout
ok(len(re.findall("established", c)) == 2,
   "imctl show calls: two dialogs (%r)" % c)
frm = "sip:alice@" + DOMAIN
for i, (to, r) in enumerate(sorted(oks.items())):
    contact = header(r, "contact")[0].strip("<>")
    route = ["Route: " + v for v in header(r, "record-route")]
    alice.send_raw(build(alice, "ACK", contact, frm, to,
                         "z9hG4bKack%d%s" % (i, branch[7:]), 2, route))
    alice.send_raw(build(alice, "BYE", contact, frm, to,
                         "z9hG4bKbye%d%s" % (i, branch[7:]), 3 + i, route))
    st = [x["status"] for x in responses(alice, secs=3)]
    ok(st and st[-1] == 200, "the BYE of dialog %d (%s) gets 200 (%s)" %
       (i + 1, to, st))
rc = [finished(p, 10) for p in devs]
ok(rc == [0, 0], "each device got the ACK and the BYE of its own 2xx (%s)"
   % rc)
if rc != [0, 0]:
    diag(*["%s/uas%d.log" % (s.dir, p) for p in (PORT + 1, PORT + 2)])
ok(s.ctl("show", "calls").stdout == "", "no dialog is left")
ok(s.alive(), "the suite is still up")
done()
