#!/usr/bin/env python3
# relayd's INVITE client side over UDP, against a scripted server of
# another domain: a CANCEL it gets no answer to comes again, same branch
# (Timer E of the CANCEL's own transaction, RFC 3261 9.1, 17.1.2.2) and
# stops once answered; a 2xx the server sends again after the call was
# answered reaches the caller again (RFC 6026 8.4: the caller's UA
# retransmits its ACK only when a 2xx comes, so a lost ACK is recovered
# only that way), and the ACK it sends again leaves relayd with the
# branch it had (RFC 3261 16.6 step 8, 16.11); a 2xx of another To tag
# is a dialog of its own, 8 such at most for one call.

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/calls"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, header
from calllib import SDP, build, invite, reply, requests, responses

P = 28440
far = UA(("127.0.0.1", P), bind="127.0.0.2")
s = Suite("site1.test", P, ['route "site2.test" via 127.0.0.2 port %d' %
                            far.local[1]])
ok(s.start(), "a suite routing site2.test to a scripted server over UDP")
s.add_user("alice@site1.test", "alicepw")
srv = ("127.0.0.1", P)
frm, ruri = "sip:alice@site1.test", "sip:bob@site2.test"

# CANCEL: the first one is not answered.
a = UA(srv)
got, branch = invite(a, "alice", "alicepw", "bob", to_domain="site2.test",
                     secs=0.5)
inv = [r for r in requests(far, 1) if r["method"] == "INVITE"]
ok(inv, "relayd's INVITE reaches the server of site2.test")
if inv:
    reply(far, inv[0], 180, "Ringing", "f4r")
got = responses(a, until_final=False, secs=0.5)
ok(180 in [r["status"] for r in got], "alice hears it ring")
a.send_raw(build(a, "CANCEL", ruri, frm, "<%s>" % ruri, branch, 2))
got = responses(a, until_final=False, secs=0.3)
ok(got and got[0]["status"] == 200, "alice's CANCEL gets 200 at once")
cancels = [r for r in requests(far, 1.7) if r["method"] == "CANCEL"]
vias = set(header(c, "via")[0] for c in cancels)
ok(len(cancels) >= 2 and len(vias) == 1,
   "unanswered, relayd's CANCEL comes again, same Via (%d CANCELs, %d "
   "Vias)" % (len(cancels), len(vias)))
ok(inv and header(cancels[0], "via")[0] == header(inv[0], "via")[0]
   if cancels else False, "the CANCEL's branch is its INVITE's (9.1)")
if cancels:
    reply(far, cancels[-1], 200, "OK", "f4r")
    reply(far, inv[0], 487, "Request Terminated", "f4r")
rest = requests(far, 2.2)
ok(not [r for r in rest if r["method"] == "CANCEL"],
   "answered, the CANCEL stops (%s)" % [r["method"] for r in rest])
ok([r for r in rest if r["method"] == "ACK"], "the 487 is ACKed")
got = responses(a, secs=2)
ok(got and got[-1]["status"] == 487, "alice's INVITE gets 487 (%s)" %
   [r["status"] for r in got])

# A 2xx again after the answer.
a = UA(srv)
got, branch = invite(a, "alice", "alicepw", "bob", to_domain="site2.test",
                     secs=0.5)
inv = [r for r in requests(far, 1) if r["method"] == "INVITE"]
ok(inv, "a second call reaches the server")
if inv:
    reply(far, inv[0], 200, "OK", "f4r2", ["Content-Type: application/sdp"],
          SDP)
got = responses(a, secs=2)
ok(got and got[-1]["status"] == 200, "alice gets the 200")
if inv:
    time.sleep(0.3)
    reply(far, inv[0], 200, "OK", "f4r2", ["Content-Type: application/sdp"],
          SDP)
again = responses(a, secs=1.5)
ok([r["status"] for r in again] == [200] and
   header(again[0], "to") == header(got[-1], "to"),
   "the 2xx sent again reaches alice again (%s)" %
   [r["status"] for r in again])
# alice ACKs each 2xx: relayd sends both ACKs with one branch.
to = header(got[-1], "to")[0] if got else "<>"
rr = header(got[-1], "record-route") if got else []
for i in range(2):
    a.send_raw(build(a, "ACK", "sip:dev@%s:%d" % far.local, frm, to,
                     "z9hG4bKack" + branch[7:], 2,
                     ["Route: " + r for r in rr]))
    time.sleep(0.2)
acks = [r for r in requests(far, 1) if r["method"] == "ACK"]
ok(len(acks) == 2 and header(acks[0], "via") == header(acks[1], "via"),
   "a retransmitted ACK crosses relayd with the same branch (%s)" %
   [header(r, "via")[0] for r in acks])
# A far end that answers with ever new To tags: each 2xx reaches alice,
# but the table of calls keeps at most 8 dialogs more for the call.
if inv:
    for i in range(20):
        reply(far, inv[0], 200, "OK", "many%d" % i)
many = responses(a, until_final=False, secs=1.5)
c = s.ctl("show", "calls").stdout
ok(len([r for r in many if r["status"] == 200]) == 20 and
   c.count("established") == 9,
   "20 more 2xx with new To tags: all passed on, 1 + 8 dialogs kept "
   "(%d, %d)" % (len(many), c.count("established")))
ok(s.alive(), "the suite is still up")
done()
