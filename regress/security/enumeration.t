#!/usr/bin/env python3
# Issue 13, defect 6: a stranger must not learn who our users are.  A
# stranger (a sender of another domain that nobody verified: inbound any,
# the lab setting in which strangers reach us at all) gets the same
# answer for carl, a user who exists, and for ghost, who does not: for
# SUBSCRIBE the same status, the same headers, the same NOTIFY
# (Subscription-State pending, no body), and a refresh in the dialog
# answered alike; for MESSAGE what an offline user gets (202 under
# offline store).  A sender of our own domain is challenged before any
# look-up, whoever it names, for every method that starts something
# (MESSAGE, SUBSCRIBE, PUBLISH; this tree has no INVITE yet).

import os, re, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, header

P = 25870
D = "x.test"
s = Suite(D, P, ["inbound any", "presence notify-interval 0"])
ok(s.start(), "x.test starts (inbound any)")
s.add_user("carl@%s" % D, "carlpw")
srv = ("127.0.0.1", P)


def shape(msg):
    """What a response or NOTIFY shows, without what differs anyway
    (tags, Call-ID, branch, the user's name, seconds left)."""
    if msg is None:
        return None
    names = [n for n, _ in msg["headers"]]
    state = re.sub(r"expires=\d+", "expires=N",
                   (header(msg, "subscription-state") or [""])[0])
    return (msg.get("status"), msg.get("reason"), names, state,
            header(msg, "expires"), header(msg, "event"),
            len(msg["body"]))


def subscribe(user):
    ua = UA(srv)
    to = "sip:%s@%s" % (user, D)
    hdrs = ["Event: presence", "Expires: 120",
            "Contact: <sip:eve@127.0.0.1:%d>" % ua.local[1]]
    r = ua.request("SUBSCRIBE", to, "sip:eve@z.test", to, hdrs)
    n = ua.answer_request() if r["status"] == 200 else None
    refresh = None
    m = re.search(r"tag=([^;>\s]+)", (header(r, "to") or [""])[0])
    if m:
        # The refresh in the dialog, as a watcher would send it.
        refresh = ua.request("SUBSCRIBE", to, "sip:eve@z.test", to, hdrs,
                             totag=m.group(1))
        if refresh["status"] == 200:
            ua.answer_request()
    return r, n, refresh


rc, nc, fc = subscribe("carl")
rg, ng, fg = subscribe("ghost")
ok(rc["status"] == rg["status"] == 200,
   "a stranger's SUBSCRIBE: 200 for carl and for ghost (%d, %d)" % (
       rc["status"], rg["status"]))
ok(shape(rc) == shape(rg), "the same answer, header for header")
ok(nc is not None and ng is not None and shape(nc) == shape(ng),
   "the same NOTIFY (%s / %s)" % (
       nc and header(nc, "subscription-state"),
       ng and header(ng, "subscription-state")))
ok(nc is not None and
   header(nc, "subscription-state")[0].startswith("pending"),
   "pending: carl has not decided, ghost cannot")
ok(fc is not None and fg is not None and shape(fc) == shape(fg) and
   fc["status"] == 200, "a refresh in the dialog: the same answer too")


def message(user):
    ua = UA(srv)
    to = "sip:%s@%s" % (user, D)
    return ua.request("MESSAGE", to, "sip:eve@z.test", to,
                      ["Content-Type: text/plain"], b"who is there?")


mc, mg = message("carl"), message("ghost")
ok(mc["status"] == mg["status"] == 202,
   "a stranger's MESSAGE: 202 for carl (offline) and for ghost "
   "(%d, %d)" % (mc["status"], mg["status"]))
ok(shape(mc) == shape(mg), "the same answer, header for header")
r = s.ctl("show", "queue")
ok("who is there?" not in r.stdout or r.stdout.count("ghost") == 0,
   "nothing is kept for ghost")

# A sender of our own domain: challenged before anything is looked up.
for method, extra in (("MESSAGE", ["Content-Type: text/plain"]),
                      ("SUBSCRIBE", ["Event: presence",
                                     "Contact: <sip:carl@127.0.0.1:9>"]),
                      ("PUBLISH", ["Event: presence"])):
    got = []
    for user in ("carl", "ghost"):
        ua = UA(srv)
        to = "sip:%s@%s" % (user, D)
        got.append(ua.request(method, to, "sip:mallory@%s" % D, to, extra))
    ok(got[0]["status"] == got[1]["status"] and
       got[0]["status"] in (401, 407) and
       shape(got[0])[2] == shape(got[1])[2],
       "%s from %s to carl and to ghost: the same challenge (%d, %d)" % (
           method, D, got[0]["status"], got[1]["status"]))
ok(s.alive(), "x.test still runs")
done()
