#!/usr/bin/env python3
# Calls through imd with sipp at both ends (the caller answers imd's
# 407 with digest credentials): the callee hangs up; the caller cancels
# while it rings; nobody answers past `limit ring-time`; busy and
# decline pass through; two devices ring and the second answers, the
# first gets CANCEL; a re-INVITE in the dialog.  `imctl show calls`
# shows the calls at the end.

import os, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/calls"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, ok, done
from calllib import DOMAIN, bind_sipp, diag, finished, have_sipp, messages, sipp

if not have_sipp():
    print("1..0 # SKIP sipp missing")
    sys.exit(0)

PORT = 28120
s = Suite(DOMAIN, PORT, ["limit ring-time 2"])
ok(s.start(), "the suite starts")
d = s.dir
CALLER = ("alice", "alicepw")
for u in ("alice", "carol", "dave", "erin", "frank", "gina", "hank", "ivan"):
    s.add_user("%s@%s" % (u, DOMAIN), u + "pw")


def call(name, callee, uas_list, uac_xml, uac_port):
    """sipp callees (scenario, port, extra) and a sipp caller at once."""
    uas = [sipp(s, x, p, "%s/%s-uas%d.log" % (d, name, p), extra=e)
           for x, p, e in uas_list]
    uac = sipp(s, uac_xml, uac_port, "%s/%s-uac.log" % (d, name),
               uac=CALLER + (callee,))
    rc, urc = finished(uac), [finished(u) for u in uas]
    if rc != 0 or any(urc):
        diag("%s/%s-uac.log" % (d, name), *["%s/%s-uas%d.log" % (d, name, p)
             for x, p, e in uas_list])
    return rc, urc


def uac_log(name):
    return messages("%s/%s-uac.log" % (d, name))


def uas_log(name, port):
    return messages("%s/%s-uas%d.log" % (d, name, port))


# The callee hangs up.
ok(bind_sipp(s, "ivan", "ivanpw", 28131), "ivan's device is registered")
rc, urc = call("bye", "ivan", [("uas_bye.xml", 28131, ())],
               "uac_wait_bye.xml", 28132)
ok(rc == 0 and urc == [0], "the callee's BYE reaches the caller by the "
   "route set, and its 200 comes back (%d, %s)" % (rc, urc))

# CANCEL before the answer.
ok(bind_sipp(s, "carol", "carolpw", 28133), "carol's device is registered")
rc, urc = call("cancel", "carol", [("uas_cancel.xml", 28133, ())],
               "uac_cancel.xml", 28134)
ok(rc == 0, "the caller's CANCEL gets 200 and its INVITE 487 (%d)" % rc)
ok(urc == [0], "the callee's INVITE is cancelled: 200 to CANCEL, 487, "
   "ACK (%s)" % urc)

# Nobody answers: Timer C (ring-time 2 s) cancels the branch.
ok(bind_sipp(s, "dave", "davepw", 28135), "dave's device is registered")
rc, urc = call("ringtime", "dave", [("uas_cancel.xml", 28135, ())],
               "uac_fail.xml", 28136)
log = uac_log("ringtime")
ok(rc == 0 and "SIP/2.0 480" in log,
   "ringing past ring-time: the caller gets 480 (%d)" % rc)
ok(urc == [0], "and the device is cancelled (%s)" % urc)

# Busy and decline pass through.
ok(bind_sipp(s, "erin", "erinpw", 28137), "erin's device is registered")
rc, urc = call("busy", "erin", [("uas_busy.xml", 28137, ())],
               "uac_fail.xml", 28138)
ok(rc == 0 and urc == [0] and "SIP/2.0 486 Busy Here" in uac_log("busy"),
   "486 from the callee reaches the caller, ACKed at each hop")
ok(bind_sipp(s, "frank", "frankpw", 28139), "frank's device is registered")
rc, urc = call("decline", "frank", [("uas_decline.xml", 28139, ())],
               "uac_fail.xml", 28140)
ok(rc == 0 and urc == [0] and "SIP/2.0 603 Decline" in uac_log("decline"),
   "603 from the callee reaches the caller")

# Two devices: the first rings on, the second answers.
ok(bind_sipp(s, "gina", "ginapw", 28141) and
   bind_sipp(s, "gina", "ginapw", 28142), "gina's two devices registered")
rc, urc = call("fork", "gina", [("uas_cancel.xml", 28141, ()),
               ("uas.xml", 28142, ())], "uac.xml", 28143)
ok(rc == 0, "the caller is answered and hangs up (%d)" % rc)
ok(urc == [0, 0], "the first device gets CANCEL, the second the call "
   "(%s)" % urc)
ok("INVITE sip:gina@127.0.0.1:28141" in uas_log("fork", 28141) and
   "CANCEL sip:gina@127.0.0.1:28141" in uas_log("fork", 28141),
   "the INVITE and the CANCEL name the first device's contact")

# re-INVITE in the dialog.
ok(bind_sipp(s, "hank", "hankpw", 28144), "hank's device is registered")
rc, urc = call("reinvite", "hank", [("uas_reinvite.xml", 28144, ())],
               "uac_reinvite.xml", 28145)
ok(rc == 0 and urc == [0], "a re-INVITE goes through by the route set "
   "(%d, %s)" % (rc, urc))
ok("a=sendonly" in uas_log("reinvite", 28144),
   "the re-INVITE's SDP reaches the callee")
ok(s.alive(), "the suite is still up")
done()
