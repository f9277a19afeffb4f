#!/usr/bin/env python3
# INVITE transactions over UDP with scripted user agents: a retransmitted
# INVITE is absorbed (the caller hears the last provisional again, the
# callee sees one INVITE), a callee that does not answer gets the INVITE
# again (Timer A) until it rings, a PRACK goes through the early dialog,
# and every 2xx the callee retransmits reaches the caller; the caller's
# ACK of the 2xx goes to the callee by the route set, again with the same
# branch when the caller sends it again; a CANCEL for no INVITE gets 481.

import os, re, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/calls"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, header
from calllib import (DOMAIN, SDP, build, invite, reply, requests,
                     responses)

PORT = 28160
s = Suite(DOMAIN, PORT)
ok(s.start(), "the suite starts")
srv = ("127.0.0.1", PORT)
s.add_user("alice@" + DOMAIN, "alicepw")
s.add_user("bob@" + DOMAIN, "bobpw")
bob = UA(srv)
ok(bob.register("bob", DOMAIN, "bobpw")["status"] == 200,
   "bob registers")

alice = UA(srv)
got, branch = invite(alice, "alice", "alicepw", "bob", secs=0.5)
ok(got and got[0]["status"] == 100, "the INVITE gets 100 Trying at once")
# bob lets the INVITE wait: imd sends it again (Timer A, 500 ms).
reqs = requests(bob, 0.8)
invs = [r for r in reqs if r["method"] == "INVITE"]
ok(len(invs) >= 2 and len(set(header(r, "via")[0] for r in invs)) == 1,
   "an unanswered INVITE comes again, same branch (%d)" % len(invs))
inv = invs[0]
ok(inv["body"] == SDP, "the SDP arrives byte-exact")
reply(bob, inv, 180, "Ringing", "b0b")
got = responses(alice, until_final=False, secs=0.5)
ok([r["status"] for r in got] == [180], "the caller hears the 180")
c = s.ctl("show", "calls")
ok(c.returncode == 0 and re.match(r"alice@%s bob@%s ringing \d+s\n$" %
   (DOMAIN, DOMAIN), c.stdout), "imctl show calls: ringing (%r)" % c.stdout)
# PRACK in the early dialog the 180 opened, by its Record-Route.
ring = got[0] if got else {"headers": []}
frm = "sip:alice@" + DOMAIN
early_rr = header(ring, "record-route")
early_contact = (header(ring, "contact") or ["<>"])[0].strip("<>")
alice.send_raw(build(alice, "PRACK", early_contact, frm,
                     header(ring, "to")[0] if ring["headers"] else "<>",
                     "z9hG4bKprack1", 3,
                     ["Route: " + r for r in early_rr] + ["RAck: 1 2 INVITE"]))
pr = [r for r in requests(bob, 0.7) if r["method"] == "PRACK"]
ok(pr and pr[0]["ruri"] == early_contact and not header(pr[0], "route"),
   "a PRACK in the early dialog reaches the callee by the route set")
if pr:
    bob.peer = srv
    reply(bob, pr[0], 200, "OK", "b0b")
got = responses(alice, secs=2)
ok(got and got[-1]["status"] == 200 and "PRACK" in header(got[-1], "cseq")[0],
   "and its 200 comes back")
# alice sends her INVITE again: absorbed, bob sees nothing new.
alice.send_raw(alice.last)
got = responses(alice, until_final=False, secs=0.5)
ok(got and got[0]["status"] == 180,
   "a retransmitted INVITE gets the last provisional again")
ok(not [r for r in requests(bob, 0.7) if r["method"] == "INVITE"],
   "and does not reach the callee")
# Two 2xx from bob: both reach alice.
reply(bob, inv, 200, "OK", "b0b", ["Content-Type: application/sdp"], SDP)
time.sleep(0.2)
reply(bob, inv, 200, "OK", "b0b", ["Content-Type: application/sdp"], SDP)
got = responses(alice, until_final=False, secs=0.8)
ok([r["status"] for r in got] == [200, 200],
   "every 2xx reaches the caller (%s)" % [r["status"] for r in got])
c = s.ctl("show", "calls")
ok(re.match(r"alice@%s bob@%s established \d+s\n$" % (DOMAIN, DOMAIN),
   c.stdout), "imctl show calls: established (%r)" % c.stdout)
rr = header(got[0], "record-route")
ok(rr == ["<sip:127.0.0.1:%d;transport=udp;lr>" % PORT],
   "the 2xx holds our Record-Route (%s)" % rr)
to = header(got[0], "to")[0]
contact = header(got[0], "contact")[0].strip("<>")
alice.send_raw(build(alice, "ACK", contact, frm, to, "z9hG4bKack1", 2,
                     ["Route: " + rr[0]]))
acks = [r for r in requests(bob, 0.7) if r["method"] == "ACK"]
ok(len(acks) == 1 and acks[0]["ruri"] == contact and
   not header(acks[0], "route"),
   "the ACK of the 2xx reaches the callee, our Route taken off (%s)" %
   [(a["ruri"], header(a, "route")) for a in acks])
ok(len(header(acks[0], "via")) == 2 if acks else False,
   "with our Via on the caller's")
# The caller's ACK again (its 2xx came twice): it leaves with the
# branch it had (RFC 3261 16.6 step 8, 16.11), not a new random one.
alice.send_raw(build(alice, "ACK", contact, frm, to, "z9hG4bKack1", 2,
                     ["Route: " + rr[0]]))
again = [r for r in requests(bob, 0.7) if r["method"] == "ACK"]
ok(acks and again and header(again[0], "via") == header(acks[0], "via"),
   "a retransmitted ACK leaves with the same Via and branch (%s, %s)" %
   ([header(a, "via")[0] for a in acks], [header(a, "via")[0]
                                           for a in again]))
alice.send_raw(build(alice, "ACK", contact, frm, to, "z9hG4bKack2", 2,
                     ["Route: " + rr[0]]))
other = [r for r in requests(bob, 0.7) if r["method"] == "ACK"]
ok(acks and other and header(other[0], "via")[0] != header(acks[0], "via")[0],
   "an ACK with another branch leaves with another")

# BYE from alice by the route set.
alice.send_raw(build(alice, "BYE", contact, frm, to, "z9hG4bKbye1", 4,
                     ["Route: " + rr[0]]))
byes = [r for r in requests(bob, 0.4) if r["method"] == "BYE"]
ok(len(byes) == 1, "the BYE reaches the callee (%d)" % len(byes))
if byes:
    bob.peer = srv
    reply(bob, byes[0], 200, "OK", "b0b")
got = responses(alice, secs=2)
ok(got and got[-1]["status"] == 200, "its 200 comes back")
c = s.ctl("show", "calls")
ok(c.returncode == 0 and c.stdout == "", "imctl show calls: none left")
c = s.ctl("show", "calls", "bob@" + DOMAIN)
ok(c.returncode != 0 and "usage" in c.stderr,
   "imctl show calls takes no argument: usage, non-zero exit")

# The dialog is over: another BYE in it goes nowhere.
alice.send_raw(build(alice, "BYE", contact, frm, to, "z9hG4bKbye2", 5,
                     ["Route: " + rr[0]]))
got = responses(alice, secs=2)
ok(got and got[-1]["status"] in (403, 481),
   "after the BYE, the dialog is gone (%s)" %
   (got[-1]["status"] if got else None))

# CANCEL of an INVITE we never saw.
alice.send_raw(build(alice, "CANCEL", "sip:bob@" + DOMAIN, frm,
                     "<sip:bob@%s>" % DOMAIN, "z9hG4bKnothing", 1))
got = responses(alice, secs=2)
ok(got and got[-1]["status"] == 481, "a CANCEL of nothing gets 481")
ok(s.alive(), "the suite is still up")
done()
