#!/usr/bin/env python3
# The offline policy of relayd.conf: `offline limit` caps each user's
# queue (480 beyond it), `offline max-age` drops what waited too long,
# and `offline none` refuses with 480 instead of keeping anything.

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, message_auth

PORT = 25430
s = Suite("site1.test", PORT, ["offline limit 2", "offline max-age 3s"])
ok(s.start(), "a suite with offline limit 2 and max-age 3s")
s.add_user("a1@site1.test", "a1pw")
s.add_user("b1@site1.test", "b1pw")
srv = ("127.0.0.1", PORT)


def send(text, port=PORT):
    return message_auth(UA(("127.0.0.1", port)), "a1", "site1.test", "a1pw",
                        "sip:b1@site1.test", text.encode())


st = [send(t)["status"] for t in ("one", "two")]
r = send("three")
ok(st == [202, 202], "two messages are kept: %s" % st)
ok(r["status"] == 480 and "full" in r["reason"],
   "the third gets 480: %s" % r["reason"])
ok(len(s.ctl("show", "queue").stdout.splitlines()) == 2, "two wait")
time.sleep(5)
ok(s.ctl("show", "queue").stdout == "", "after max-age none is left")
ok(s.logtext().count("older than offline max-age") == 2,
   "each drop is logged")

t = Suite("site1.test", PORT + 1, ["offline none"])
ok(t.start(), "a suite with offline none")
t.add_user("a1@site1.test", "a1pw")
t.add_user("b1@site1.test", "b1pw")
r = send("nobody keeps this", PORT + 1)
ok(r["status"] == 480, "a user with no binding: 480 (%d)" % r["status"])
ok(t.ctl("show", "queue").stdout == "", "nothing was kept")
done()
