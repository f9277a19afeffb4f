#!/usr/bin/env python3
# The bindings a 200 to REGISTER lists (RFC 3261 10.3 step 8): every
# live one of the user, in contact order, with the seconds each has
# left, after the request's additions, refreshes and removals; step 7's
# CSeq order; and the cap of 16 bindings per user.

import os, re, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, header

PORT = 25460
s = Suite("site1.test", PORT)
ok(s.start(), "the suite starts")
ok(s.add_user("bob@site1.test", "bobpw"), "bob added")
srv = ("127.0.0.1", PORT)


def listed(r):
    """(contact, expires) of each Contact of a 200, in order."""
    out = []
    for c in header(r, "contact"):
        m = re.match(r"<([^>]*)>;expires=(\d+)", c)
        out.append((m.group(1), int(m.group(2))) if m else (c, -1))
    return out


def c(port):
    return "sip:bob@127.0.0.1:%d" % port


ua = UA(srv)
r = ua.register("bob", "site1.test", "bobpw", expires=600,
                contacts=["<%s>" % c(7003), "<%s>;expires=120" % c(7001),
                          "<%s>" % c(7002)])
got = listed(r)
ok(r["status"] == 200 and [g[0] for g in got] == [c(7001), c(7002), c(7003)],
   "three contacts, listed in contact order: %s" % got)
ok(abs(got[0][1] - 120) <= 1 and abs(got[1][1] - 600) <= 1,
   "each with its own seconds left")

r = ua.register("bob", "site1.test", "bobpw", expires=300,
                contacts=["<%s>;expires=0" % c(7002), "<%s>" % c(7003),
                          "<%s>" % c(7000)])
got = listed(r)
ok(r["status"] == 200 and [g[0] for g in got] == [c(7000), c(7001), c(7003)],
   "one removed, one refreshed, one added: %s" % got)
ok(abs(dict(got)[c(7003)] - 300) <= 1 and abs(dict(got)[c(7001)] - 120) <= 2,
   "the refreshed one has its new time, the untouched one its old")

# Step 7: the same Call-ID with a CSeq not above the last one.
old = ua.cseq
ua.cseq = 0
r = ua.register("bob", "site1.test", "bobpw", contacts=["<%s>" % c(7003)])
ok(r["status"] == 400 and "CSeq" in r["reason"],
   "an older CSeq of the same Call-ID: 400 (%d %s)" % (r["status"],
                                                      r["reason"]))
ua.cseq = old + 10

# 3 live bindings; 13 more fill the 16, the 17th is refused.
more = ["<%s>" % c(7100 + i) for i in range(13)]
r = ua.register("bob", "site1.test", "bobpw", contacts=more)
ok(r["status"] == 200 and len(listed(r)) == 16, "16 bindings are allowed")
r = ua.register("bob", "site1.test", "bobpw", contacts=["<%s>" % c(7200)])
ok(r["status"] == 403, "a 17th is refused with 403 (%d %s)" %
   (r["status"], r["reason"]))
r = ua.register("bob", "site1.test", "bobpw", contacts=["<%s>" % c(7003)])
ok(r["status"] == 200 and len(listed(r)) == 16,
   "a refresh of one of the 16 is not a 17th")

r = ua.register("bob", "site1.test", "bobpw", contacts=["*"], expires=0)
ok(r["status"] == 200 and listed(r) == [], "Contact: * removes them all")
r = ua.register("bob", "site1.test", "bobpw", contacts=[])
ok(r["status"] == 200 and listed(r) == [], "and a query finds none")
ok(s.alive(), "the suite is still running")
s.cleanup()
done()
