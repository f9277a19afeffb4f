#!/usr/bin/env python3
# Issue 13, defects 9 (subscriptions) and 10: what a stranger can make a
# presentity hold.  A stranger is a watcher of another domain that
# nobody verified (inbound any, the lab setting in which strangers reach
# us at all).  1,005 strangers' SUBSCRIBEs to carl must not use up his
# watcher slots: they hold a small share, and bob, a user of ours, still
# gets in; carl's PUBLISH reaches none of the strangers (they wait for
# his decision).  Then, with small limits, the quotas one by one: per
# watcher, per watcher domain, per domain in all, and a full presentity
# where a watcher we know takes the place of a pending stranger
# ("giveup").  Last, a user's decisions about watchers (x-imd-authorize)
# are capped: 1,001 at once are refused, 1,000 kept.

import os, queue, random, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, Collector, ok, done, header, auth_request

P = 25880
D = "x.test"


class Strangers(Collector):
    """One UDP socket that sends strangers' SUBSCRIBEs and is their
    Contact: NOTIFYs are answered 200 and counted, responses queued."""

    def __init__(self, srv):
        self.srv = srv
        self.responses = queue.Queue()
        self.notifies = []
        super().__init__()
        self.port = self.addr[1]

    def keep(self, req):
        self.notifies.append(req)

    def response(self, resp):
        self.responses.put(resp)

    def subscribe(self, watcher, target, expires=600):
        branch = "z9hG4bK%x" % random.getrandbits(48)
        msg = ("SUBSCRIBE sip:%s SIP/2.0\r\n"
               "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport\r\n"
               "Max-Forwards: 70\r\nFrom: <sip:%s>;tag=%x\r\n"
               "To: <sip:%s>\r\nCall-ID: %x@z.test\r\nCSeq: 1 SUBSCRIBE\r\n"
               "Contact: <sip:w@127.0.0.1:%d>\r\nEvent: presence\r\n"
               "Expires: %d\r\nContent-Length: 0\r\n\r\n" % (
                   target, self.port, branch, watcher,
                   random.getrandbits(32), target, random.getrandbits(64),
                   self.port, expires))
        self.s.sendto(msg.encode(), self.srv)
        while True:
            r = self.responses.get(timeout=5)
            if branch in (header(r, "via") or [""])[0]:
                return r


def publish(srv, user, body, event="presence",
            ctype="application/pidf+xml"):
    return auth_request(UA(srv, transport="tcp"), "PUBLISH",
                        "sip:%s@%s" % (user, D), user, D, user + "pw",
                        extra=["Event: %s" % event, "Expires: 600",
                               "Content-Type: %s" % ctype], body=body)


def pidf(user, note):
    return ('<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:'
            'pidf" entity="pres:%s@%s"><tuple id="t1"><status><basic>open'
            '</basic></status><note>%s</note></tuple></presence>' % (
                user, D, note)).encode()


def local_subscribe(srv, user, target, col):
    return auth_request(UA(srv), "SUBSCRIBE", "sip:%s@%s" % (target, D),
                        user, D, user + "pw",
                        extra=["Event: presence", "Expires: 600",
                               "Contact: %s" % col.contact(user)])


# Suite 1: the defaults, as the issue found them.
s = Suite(D, P, ["inbound any", "presence notify-interval 0"])
ok(s.start(), "x.test starts (inbound any, default limits)")
for u in ("carl", "bob", "alice"):
    s.add_user("%s@%s" % (u, D), u + "pw")
srv = ("127.0.0.1", P)
ok(publish(srv, "carl", pidf("carl", "here"))["status"] == 200,
   "carl publishes")
fl = Strangers(srv)
t0 = time.time()
status = {}
for i in range(1005):
    r = fl.subscribe("w%d@z%d.test" % (i, i % 97), "carl@%s" % D)
    status[r["status"]] = status.get(r["status"], 0) + 1
took = time.time() - t0
ok(status.get(200, 0) <= 50,
   "1,005 strangers' SUBSCRIBEs to carl: %d taken, the rest refused "
   "(%s, %.1fs)" % (status.get(200, 0), status, took))
bobn = Collector()
r = local_subscribe(srv, "bob", "carl", bobn)
ok(r["status"] == 200, "bob, a user of ours, still subscribes to carl: "
   "%d %s" % (r["status"], r["reason"]))
n = bobn.next()
ok(n is not None and b"here" in n["body"], "and gets carl's presence")
time.sleep(0.5)
before = len(fl.notifies)
ok(publish(srv, "carl", pidf("carl", "moved"))["status"] == 200,
   "carl publishes a change")
n = bobn.next()
ok(n is not None and b"moved" in n["body"], "bob hears of it")
time.sleep(0.5)
ok(len(fl.notifies) == before,
   "the strangers' addresses get no NOTIFY for it (%d)" % (
       len(fl.notifies) - before))
fl.stop()

# x-imd-authorize: at most presence rules (1,000) decisions per user.
body = "\r\n".join("block w%d@z.test" % i for i in range(1001)).encode()
r = publish(srv, "alice", body, event="x-imd-authorize", ctype="text/plain")
ok(r["status"] == 403, "1,001 decisions at once: refused (%d %s)" % (
    r["status"], r["reason"]))
body = "\r\n".join("block w%d@z.test" % i for i in range(1000)).encode()
r = publish(srv, "alice", body, event="x-imd-authorize", ctype="text/plain")
ok(r["status"] == 200, "1,000: kept (%d)" % r["status"])
r = publish(srv, "alice", b"allow w7@z.test", event="x-imd-authorize",
            ctype="text/plain")
ok(r["status"] == 200, "a changed decision at the cap: 200")
r = publish(srv, "alice", b"block new@z.test", event="x-imd-authorize",
            ctype="text/plain")
ok(r["status"] == 403, "one more watcher at the cap: refused (%d %s)" % (
    r["status"], r["reason"]))
r = publish(srv, "alice", b"forget w1@z.test\r\nblock new@z.test",
            event="x-imd-authorize", ctype="text/plain")
ok(r["status"] == 200, "forgetting one makes room for another: 200")
rules = [l.split()[0] for l in
         s.ctl("show", "watchers", "alice@%s" % D).stdout.splitlines()
         if " rule " in l]
ok(len(rules) == 1000 and "new@z.test" in rules and
   "w1@z.test" not in rules,
   "imctl shows the 1,000 decisions kept (%d)" % len(rules))
ok(s.alive(), "x.test still runs")
s.cleanup()

# Suite 2: small limits, each quota on its own.
s = Suite(D, P + 1, ["inbound any", "presence notify-interval 0",
                     "presence subscriptions 10",
                     "presence stranger-subscriptions 10",
                     "presence watcher-subscriptions 2",
                     "presence domain-subscriptions 4",
                     "presence domain-total 14"])
if not ok(s.start(), "x.test starts with small presence quotas"):
    done()
for u in ("carl", "dave", "bob"):
    s.add_user("%s@%s" % (u, D), u + "pw")
srv = ("127.0.0.1", P + 1)
fl = Strangers(srv)
got = [fl.subscribe("eve@z.test", "carl@%s" % D)["status"]
       for _ in range(3)]
ok(got == [200, 200, 403], "one watcher: 2 subscriptions to carl, the "
   "third refused %s" % got)
got = [fl.subscribe("w%d@z.test" % i, "carl@%s" % D)["status"]
       for i in range(3)]
ok(got == [200, 200, 403], "one domain: 4 to carl, the fifth refused %s"
   % got)
got = [fl.subscribe("w%d@y%d.test" % (i, i), "carl@%s" % D)["status"]
       for i in range(6)]
ok(got == [200] * 6, "other domains fill carl's 10 slots %s" % got)
r = fl.subscribe("late@q.test", "carl@%s" % D)
ok(r["status"] == 403, "an eleventh stranger: refused (%d %s)" % (
    r["status"], r["reason"]))
bobn = Collector()
r = local_subscribe(srv, "bob", "carl", bobn)
ok(r["status"] == 200, "bob still gets in (%d %s)" % (r["status"],
                                                     r["reason"]))
time.sleep(0.3)
gave_up = [n for n in fl.notifies if "reason=giveup" in
           (header(n, "subscription-state") or [""])[0]]
ok(len(gave_up) == 1, "the oldest pending stranger gave up its place "
   "(%d NOTIFY terminated;reason=giveup)" % len(gave_up))
got = [fl.subscribe("v%d@p%d.test" % (i, i), "dave@%s" % D)["status"]
       for i in range(6)]
ok(got == [200] * 5 + [403], "strangers in all, whatever domain they "
   "claim: 14, then refused %s" % got)
fl.stop()
ok(s.alive(), "x.test still runs")
done()
