#!/usr/bin/env python3
# Durable before its 200, or written behind: dirdb's log, watched with
# strace.  A new binding is on disk (the log's fdatasync) before its
# 200 leaves; refreshes of it, which only move its expiry, are answered
# without a sync of their own and reach the disk within about a second;
# the suite killed with SIGKILL after that and started again has the
# binding with its refreshed expiry.

import os, re, signal, subprocess, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, children

PORT = 25482
REFRESHES = 20
s = Suite("site1.test", PORT)
ok(s.start(), "the suite starts")
ok(s.add_user("bob@site1.test", "bobpw"), "bob added")
srv = ("127.0.0.1", PORT)
dirdb = children(s.proc.pid)["dirdb"]

trace = os.path.join(s.dir, "strace.out")
st = subprocess.Popen(["strace", "-f", "-ttt", "-e",
                       "trace=fsync,fdatasync", "-o", trace, "-p",
                       str(dirdb)], stderr=subprocess.PIPE, text=True)
ok("attached" in st.stderr.readline(), "strace watches dirdb")


def syncs(after, before):
    """Log syncs of dirdb between two times (epoch seconds)."""
    n = 0
    with open(trace) as f:
        for line in f:
            m = re.match(r"\d+\s+(\d+\.\d+) (fsync|fdatasync)\(", line)
            if m and after <= float(m.group(1)) <= before:
                n += 1
    return n


try:
    ua = UA(srv)
    contact = ["<sip:bob@127.0.0.1:5999>"]
    t0 = time.time()
    r = ua.register("bob", "site1.test", "bobpw", contact, expires=600)
    t1 = time.time()
    ok(r["status"] == 200, "a new binding: 200")
    ok(syncs(t0, t1) >= 1, "synced before its 200 (%d syncs)" %
       syncs(t0, t1))

    # Same Call-ID, higher CSeq, the same contact: refreshes.
    auth = ua.auth
    time.sleep(0.1)
    t2 = time.time()
    good = 0
    for i in range(REFRESHES):
        r = ua.request("REGISTER", "sip:site1.test", "sip:bob@site1.test",
                       "sip:bob@site1.test", ["Contact: " + contact[0],
                                              "Expires: 3000"])
        if r["status"] == 401:
            r = ua.register("bob", "site1.test", "bobpw", contact,
                            expires=3000)
        good += r["status"] == 200
    t3 = time.time()
    ok(good == REFRESHES, "%d refreshes answered 200" % good)
    n = syncs(t2, t3)
    # The flush of what was written behind runs once a second, and may
    # fall inside the refreshes; a sync per refresh would be 20.
    ok(n <= 2, "the refreshes waited for no sync of their own (%d in "
       "%.2f s)" % (n, t3 - t2))
    deadline = time.time() + 5
    while syncs(t3, time.time()) == 0 and time.time() < deadline:
        time.sleep(0.1)
    ok(syncs(t3, time.time()) >= 1, "and were synced within a second or "
       "two (%.2f s)" % (time.time() - t3))
finally:
    st.terminate()
    st.wait(5)

# Killed whole, then started again on the same database.  A child may
# be gone before its turn: the parent stops the others once one dies.
for pid in list(children(s.proc.pid).values()) + [s.proc.pid]:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
s.proc.wait(5)
ok(s.start(), "the suite starts again after SIGKILL")
r = s.ctl("show", "bindings", "bob@site1.test")
m = re.search(r"sip:bob@127.0.0.1:5999 \S+ \S+ (\d+)s", r.stdout)
ok(m is not None and int(m.group(1)) > 2900,
   "the binding has its refreshed expiry: %r" % r.stdout.strip())
done()
