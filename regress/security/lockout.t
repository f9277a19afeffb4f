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
# Nobody can lock an account (issue 13, item 7).  Twelve wrong REGISTERs
# for carl from 127.0.0.5 ban carl from 127.0.0.5 only, and the log names
# that source; carl with the right password from 127.0.0.6 registers at
# once, and so does dave from 127.0.0.5.  Port 26510.

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done

PORT = 26510
s = Suite("site1.test", PORT)
ok(s.start(), "the suite starts")
s.add_user("carl@site1.test", "carlpw")
s.add_user("dave@site1.test", "davepw")
srv = ("127.0.0.1", PORT)

statuses = []
for i in range(12):
    r = UA(srv, bind="127.0.0.5", timeout=5).register("carl", "site1.test",
                                                      "guess%d" % i)
    statuses.append(r["status"])
ok(statuses[-1] == 403, "the guesser from 127.0.0.5 is refused at the end "
   "(%s)" % statuses)

t0 = time.monotonic()
r = UA(srv, bind="127.0.0.6").register("carl", "site1.test", "carlpw")
dt = time.monotonic() - t0
ok(r["status"] == 200, "carl with the right password from 127.0.0.6 "
   "registers (%s)" % r["status"])
ok(dt < 1.0, "and is not held back (%.2f s)" % dt)

r = UA(srv, bind="127.0.0.5").register("carl", "site1.test", "carlpw")
ok(r["status"] == 403, "carl from the banned source 127.0.0.5 is refused "
   "(%s)" % r["status"])

r = UA(srv, bind="127.0.0.5").register("dave", "site1.test", "davepw")
ok(r["status"] == 200, "dave from 127.0.0.5 is not banned by carl's "
   "guesses (%s)" % r["status"])

log = s.logtext()
ok("carl@site1.test from source 127.0.0.5 banned" in log,
   "the ban is logged with the source")
ok("carlpw" not in log and "guess" not in log, "no password in the log")
done()
