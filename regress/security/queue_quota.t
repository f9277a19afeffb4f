#!/usr/bin/env python3
#
# Copyright (c) 2026 The imd Authors
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
#
# One stranger cannot fill a user's offline queue.  With the default
# quotas, a sender of a foreign domain (no digest authentication, let
# in by `inbound any`) sends 105 MESSAGEs of 59 KB to offline b1: only
# what his own share holds (256K: 4 of them) is kept, the rest is
# answered 480 "Offline queue full for this sender".  Rotating the
# sender within his domain stops at the domain's share (30 messages),
# rotating domains at the share of all unauthenticated senders (50).
# a1, a local user who authenticates, still gets 202 after all that,
# and b1 gets every kept message, a1's too, when he registers.
#
# Port 27300, 127.0.0.1 only.

import os, socket, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, message_auth

PORT = 27300
BIG = 59000
srv = ("127.0.0.1", PORT)
s = Suite("site1.test", PORT, ["inbound any"])
ok(s.start(), "a suite with the default quotas, inbound any")
s.add_user("a1@site1.test", "a1pw")
s.add_user("b1@site1.test", "b1pw")
ua = UA(srv, transport="tcp", timeout=5)


def stranger(frm, body):
    """A MESSAGE from frm, which nobody authenticates, for offline b1."""
    r = ua.request("MESSAGE", "sip:b1@site1.test", "sip:" + frm,
                   "sip:b1@site1.test", ["Content-Type: text/plain"], body)
    return r["status"], r["reason"]


def flood(senders, body):
    got = [stranger(f, body) for f in senders]
    kept = sum(1 for st, _ in got if st == 202)
    refused = [r for st, r in got if st != 202]
    return kept, refused, got


kept, refused, got = flood(["mallory@evil.test"] * 105, b"x" * BIG)
ok(kept == 4, "105 messages of 59 KB from one stranger: %d kept (his "
   "share is 256K)" % kept)
ok(len(refused) == 101 and all(st == 480 for st, _ in got[4:]) and
   set(refused) == {"Offline queue full for this sender"},
   "the rest is refused 480 for this sender: %s" % sorted(set(refused)))

kept, refused, got = flood(["m%d@Evil.test" % i for i in range(40)], b"hi")
ok(kept == 26 and set(refused) ==
   {"Offline queue full for the sender's domain"},
   "40 more senders of his domain: %d kept, 30 in all, then 480 for the "
   "domain %s" % (kept, sorted(set(refused))))

kept, refused, got = flood(["x@d%d.test" % i for i in range(40)], b"hi")
ok(kept == 20 and set(refused) ==
   {"Offline queue full for unauthenticated senders"},
   "40 senders of 40 domains: %d kept, 50 strangers' in all, then 480 "
   "%s" % (kept, sorted(set(refused))))

r = message_auth(UA(srv), "a1", "site1.test", "a1pw", "sip:b1@site1.test",
                 b"from a1, who authenticated")
ok(r["status"] == 202, "a1, a local user, still gets 202 (%d %s)" % (
   r["status"], r["reason"]))
q = s.ctl("show", "queue", "b1@site1.test").stdout.splitlines()
ok(len(q) == 51, "51 messages wait for b1 (%d)" % len(q))
ok("quota of the sender" in s.logtext(), "the refusals are logged")

b1 = UA(srv, timeout=2)
ok(b1.register("b1", "site1.test", "b1pw")["status"] == 200,
   "b1 registers")
bodies = []
try:
    while True:
        req = b1.recv_request()
        if req["method"] == "MESSAGE":
            bodies.append(req["body"])
        b1.reply(req, 200, "OK")
except (socket.timeout, TimeoutError):
    pass
ok(len(bodies) == 51 and bodies[-1] == b"from a1, who authenticated",
   "b1 gets all 51, a1's last (%d)" % len(bodies))
ok(s.ctl("show", "queue", "b1@site1.test").stdout == "", "none is left")
done()
