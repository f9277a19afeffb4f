#!/usr/bin/env python3
# A missed call is one nobody answered, not only one to a user without
# a device: with `offline mail`, the callee gets the "missed call" mail,
# once per call, also when every device rang past `limit ring-time`
# (Timer C) and when the caller cancelled while it rang; not when a
# device answered, nor when one refused the call (486).  A real
# OpenSMTPD delivers to a maildir (regress/lib/smtpdtest.py).

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/calls"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, header
from smtpdtest import Smtpd, skip_unless_usable
from calllib import DOMAIN, SDP, build, invite, reply, requests, responses

SIP, MTA = 28490, 28499
skip_unless_usable()
smtpd = Smtpd(MTA, DOMAIN, ("bob",))
ok(smtpd.start(), "smtpd listens on 127.0.0.1 port %d" % MTA)
s = Suite(DOMAIN, SIP, ["offline mail", "mta 127.0.0.1 port %d" % MTA,
                        "limit ring-time 2"])
ok(s.start(), "a suite with offline mail and a ring-time of 2 s")
s.add_user("alice@" + DOMAIN, "alicepw")
s.add_user("bob@" + DOMAIN, "bobpw")
srv = ("127.0.0.1", SIP)
frm, ruri = "sip:alice@" + DOMAIN, "sip:bob@" + DOMAIN
bob = UA(srv)
ok(bob.register("bob", DOMAIN, "bobpw")["status"] == 200,
   "bob's device registers")


def mails_after(n, secs):
    """The maildir once it holds n mails, or after secs."""
    end = time.time() + secs
    while time.time() < end and len(smtpd.mails()) < n:
        time.sleep(0.1)
    return smtpd.mails()


def ring(a):
    """alice calls; bob's device rings: its INVITE."""
    got, branch = invite(a, "alice", "alicepw", "bob", secs=0.5)
    inv = [r for r in requests(bob, 1) if r["method"] == "INVITE" and
           header(r, "call-id") == [a.callid]]
    if inv:
        reply(bob, inv[0], 180, "Ringing", "b0b")
    return inv[0] if inv else None, branch


# Rings past ring-time.
a = UA(srv)
inv, branch = ring(a)
ok(inv is not None, "bob's device rings")
got = responses(a, secs=5)
ok(got and got[-1]["status"] in (408, 480),
   "past ring-time the caller gets %s" % [r["status"] for r in got])
cancels = [r for r in requests(bob, 1) if r["method"] == "CANCEL"]
ok(cancels, "the device is cancelled (Timer C)")
if cancels:
    bob.peer = srv
    reply(bob, cancels[0], 200, "OK", "b0b")
    reply(bob, inv, 487, "Request Terminated", "b0b")
m = mails_after(1, 10)
ok(len(m) == 1 and m[0].get("Subject") == "Missed call from alice@" +
   DOMAIN, "a missed-call mail for the call that rang out (%s)" %
   [x.get("Subject") for x in m])

# The caller cancels while it rings.
a = UA(srv)
inv, branch = ring(a)
responses(a, until_final=False, secs=0.3)
a.send_raw(build(a, "CANCEL", ruri, frm, "<%s>" % ruri, branch, 2))
cancels = [r for r in requests(bob, 1) if r["method"] == "CANCEL"]
if cancels and inv:
    bob.peer = srv
    reply(bob, cancels[0], 200, "OK", "b0b")
    reply(bob, inv, 487, "Request Terminated", "b0b")
got = responses(a, until_final=False, secs=1)
ok([r["status"] for r in got][-1:] == [487],
   "the caller's CANCEL ends the call with 487 (%s)" %
   [r["status"] for r in got])
m = mails_after(2, 10)
ok(len(m) == 2, "a missed-call mail for the cancelled call (%d in all)" %
   len(m))

# Busy: refused, not missed.  (bob's device registers again: its
# binding must outlive the waits for mail above.)
requests(bob, 0.3)	# the ACK of its 487
ok(bob.register("bob", DOMAIN, "bobpw")["status"] == 200,
   "bob's device registers again")
a = UA(srv)
inv, branch = ring(a)
if inv:
    reply(bob, inv, 486, "Busy Here", "b0b")
got = responses(a, secs=2)
ok(got and got[-1]["status"] == 486, "a device busy: 486")

# Answered: not missed.
a = UA(srv)
inv, branch = ring(a)
if inv:
    reply(bob, inv, 200, "OK", "b0b", ["Content-Type: application/sdp"],
          SDP)
got = responses(a, secs=2)
ok(got and got[-1]["status"] == 200, "a device answers: 200")
m = mails_after(3, 3)
ok(len(m) == 2, "no mail for the busy call nor the answered one, and one "
   "only for each missed call (%d in all)" % len(m))
ok(s.alive(), "the suite is still up")
done()
