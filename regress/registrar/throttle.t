#!/usr/bin/env python3
# Failure throttling in authd: a burst of wrong passwords from one
# address is slowed, then that user from that address is refused with
# 403 for a while, and the ban is logged once with the source; the same
# user with the right password from another address, and another user,
# still register.

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done

PORT = 25330
s = Suite("site1.test", PORT)
ok(s.start(), "the suite starts")
s.add_user("mallory@site1.test", "right")
s.add_user("alice@site1.test", "alicepw")
srv = ("127.0.0.1", PORT)

statuses, slow = [], 0
for i in range(12):
    t0 = time.monotonic()
    r = UA(srv, timeout=5).register("mallory", "site1.test", "wrong%d" % i)
    if time.monotonic() - t0 > 0.2:
        slow += 1
    statuses.append(r["status"])
ok(statuses[:3] == [401, 401, 401], "the first failures are challenged "
   "again at once")
ok(slow >= 3, "later failures are answered slowly (%d slowed)" % slow)
ok(statuses[-1] == 403, "after the limit the address is refused: 403")

r = UA(srv).register("mallory", "site1.test", "right")
ok(r["status"] == 403, "the right password from the banned address is "
   "refused too")

r = UA(srv, bind="127.0.0.3").register("mallory", "site1.test", "right")
ok(r["status"] == 200, "the right password from another address is "
   "taken: the account is not locked")

r = UA(srv, bind="127.0.0.2").register("alice", "site1.test", "alicepw")
ok(r["status"] == 200, "alice from 127.0.0.2 still registers")

log = s.logtext()
ok(log.count("mallory@site1.test from source 127.0.0.1 banned") == 1,
   "the ban of the user from the address is logged once")
ok("wrong" not in log.replace("wrong credentials", ""),
   "no password in the log")
done()
