#!/usr/bin/env python3
# authd keeps the HA1s dirdb gave it: a changed password, a deleted user
# and a user added again under an old name must count at once, for both
# algorithms, however often the old credentials worked before.

import os, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done

PORT = 25450
s = Suite("site1.test", PORT, ["auth algorithms md5 sha-256"])
ok(s.start(), "the suite starts")
ok(s.add_user("ann@site1.test", "first"), "ann added")
srv = ("127.0.0.1", PORT)


def register(password, alg):
    """Over TCP, where every algorithm is offered (over UDP a short
    request gets MD5's challenge alone)."""
    return UA(srv, "tcp").register("ann", "site1.test", password,
                                   alg=alg)["status"]


for alg in ("MD5", "SHA-256"):
    ok(all(register("first", alg) == 200 for _ in range(3)),
       "%s: the first password works, three times" % alg)

r = s.ctl("user", "passwd", "ann@site1.test", stdin="second\n")
ok(r.returncode == 0, "password changed")
for alg in ("MD5", "SHA-256"):
    ok(register("first", alg) != 200,
       "%s: the old password is refused at once" % alg)
    ok(register("second", alg) == 200, "%s: the new one works" % alg)

ok(s.ctl("user", "del", "ann@site1.test").returncode == 0, "ann deleted")
for alg in ("MD5", "SHA-256"):
    ok(register("second", alg) != 200,
       "%s: a deleted user is refused at once" % alg)

ok(s.add_user("ann@site1.test", "third"), "ann added again")
for alg in ("MD5", "SHA-256"):
    ok(register("second", alg) != 200,
       "%s: the password before the delete is refused" % alg)
    ok(register("third", alg) == 200, "%s: the new user's works" % alg)

ok(s.alive(), "the suite is still running")
s.cleanup()
done()
