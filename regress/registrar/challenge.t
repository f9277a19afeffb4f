#!/usr/bin/env python3
# A request without credentials is challenged by the listener itself,
# with a nonce authd made ahead of time (listener/auth_nonces.c): with
# authd stopped (SIGSTOP), REGISTERs without credentials still get
# their 401 at once, every nonce a different one, with one challenge
# per configured algorithm in the configured order and the realm of
# the domain.  authd, running again, takes a response to such a nonce,
# and refuses the same nonce-count replayed.

import os, signal, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, children, header, digest_params

PORT = 25496
N = 20
# One worker: each worker keeps a stock of its own, and the TCP
# connection below could meet another whose stock was never filled.
s = Suite("site1.test", PORT, extra=["auth algorithms sha-256 md5",
                                     "listener workers 1"])
ok(s.start(), "the suite starts")
ok(s.add_user("bob@site1.test", "bobpw"), "bob added")
srv = ("127.0.0.1", PORT)
aor, ruri = "sip:bob@site1.test", "sip:site1.test"
contact = ["Contact: <sip:bob@127.0.0.1:5999>", "Expires: 600"]


def challenge(ua):
    r = ua.request("REGISTER", ruri, aor, aor, contact)
    return r, header(r, "www-authenticate")


# The first request finds the stock empty: authd challenges it, and the
# listener asks authd for a batch, which is there by the next ones.
ua = UA(srv)
statuses = []
for i in range(3):
    r, ch = challenge(ua)
    statuses.append(r["status"])
    time.sleep(0.1)
ok(statuses == [401] * 3, "REGISTERs without credentials: %r" % statuses)

authd = children(s.proc.pid)["authd"]
os.kill(authd, signal.SIGSTOP)
try:
    nonces, good = [], 0
    ua.s.settimeout(1.0)
    for i in range(N):
        try:
            r, ch = challenge(ua)
        except OSError:
            break
        if r["status"] == 401 and len(ch) >= 1:
            good += 1
            nonces.append(digest_params(ch[0])["nonce"])
    ok(good == N, "authd stopped: %d of %d REGISTERs challenged at once"
       % (good, N))
    ok(len(set(nonces)) == len(nonces) and nonces,
       "every challenge has a nonce of its own (%d)" % len(set(nonces)))
    # Over TCP nothing is left out: both challenges, one nonce.
    tcp = UA(srv, transport="tcp")
    r, ch = challenge(tcp)
    algs = [digest_params(c).get("algorithm") for c in ch]
    ok(r["status"] == 401 and algs == ["SHA-256", "MD5"],
       "over TCP both challenges, in the configured order: %r" % algs)
    ps = [digest_params(c) for c in ch]
    ok(len(ps) == 2 and ps[0]["nonce"] == ps[1]["nonce"] and
       ps[0]["realm"] == "site1.test" and ps[0]["nonce"] not in nonces,
       "with one fresh nonce and the domain's realm")
finally:
    os.kill(authd, signal.SIGCONT)

# authd running again takes a response to a nonce the listener gave.
ua.s.settimeout(3.0)
r, ch = challenge(ua)
ok(r["status"] == 401, "authd running: challenged again")
auth = ua.authorization(ch[0], "bob", "bobpw", "REGISTER", ruri)
r = ua.request("REGISTER", ruri, aor, aor, contact + [auth])
ok(r["status"] == 200, "a response to the listener's nonce: %d" %
   r["status"])
r = ua.request("REGISTER", ruri, aor, aor, contact + [auth])
ok(r["status"] == 401, "the same nonce-count again: %d" % r["status"])
ok(s.alive(), "the suite is still running")
done()
