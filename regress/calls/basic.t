#!/usr/bin/env python3
# A call through imd between two users: sipp calls with digest (407
# first), a sipp callee rings and answers, ACK and BYE follow the route
# set imd recorded; then the same with the callee hanging up.

import os, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/calls"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, ok, done
from calllib import DOMAIN, bind_sipp, finished, have_sipp, messages, sipp

if not have_sipp():
    print("1..0 # SKIP sipp missing")
    sys.exit(0)

PORT = 28100
s = Suite(DOMAIN, PORT)
ok(s.start(), "the suite starts")
s.add_user("alice@" + DOMAIN, "alicepw")
s.add_user("bob@" + DOMAIN, "bobpw")
ok(bind_sipp(s, "bob", "bobpw", 28111), "bob's device is registered")

d = s.dir
uas = sipp(s, "uas.xml", 28111, d + "/uas.log")
uac = sipp(s, "uac.xml", 28112, d + "/uac.log",
           uac=("alice", "alicepw", "bob"))
ok(finished(uac) == 0, "the caller's scenario passes: 407, 200, ACK, BYE")
ok(finished(uas) == 0, "the callee's scenario passes: INVITE, ACK, BYE")
sent = messages(d + "/uas.log")
ok("Record-Route: <sip:127.0.0.1:%d;transport=udp;lr>" % PORT in sent,
   "the callee sees our Record-Route")
ok("m=audio" in sent and "a=rtpmap:0 PCMU/8000" in sent,
   "the SDP reaches the callee")
ok("Proxy-Authorization" not in sent,
   "the caller's credentials stay with us")
uacmsg = messages(d + "/uac.log")
ok("SIP/2.0 180 Ringing" in uacmsg, "the caller hears the 180")
ok(s.alive(), "the suite is still up")
done()
