#!/usr/bin/env python3
# Watcher information (RFC 3857, 3858) and authorisation with `presence
# authorize ask`: a new watcher waits (pending) until the presentity
# decides over SIP (PUBLISH, Event: x-imd-authorize); allow turns the
# subscription active, block ends it with reason=rejected; winfo shows
# each change; the decisions outlive a restart and apply to later
# subscriptions.

import os, re, signal, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, Collector, ok, done, header, auth_request

PORT = 25810
D = "site1.test"
s = Suite(D, PORT, ["presence authorize ask", "presence notify-interval 0"])
ok(s.start(), "the suite starts with presence authorize ask")
for u in ("alice", "bob", "dave"):
    s.add_user("%s@%s" % (u, D), u + "pw")
srv = ("127.0.0.1", PORT)


def subscribe(user, col, target="alice", event="presence", expires=600):
    hdrs = ["Event: %s" % event, "Expires: %d" % expires,
            "Contact: %s" % col.contact(user)]
    ruri = "sip:%s@%s" % (target, D)
    return auth_request(UA(srv), "SUBSCRIBE", ruri, user, D, user + "pw",
                        extra=hdrs)


def rules(text, user="alice"):
    return auth_request(UA(srv), "PUBLISH", "sip:alice@%s" % D, user,
                        D, user + "pw", extra=[
                            "Event: x-imd-authorize",
                            "Content-Type: text/plain"], body=text.encode())


def substate(req):
    return (header(req, "subscription-state") or [""])[0]


def watcher(doc, who):
    m = re.search(r'<watcher [^>]*>sip:%s@[^<]*</watcher>' % who, doc)
    return m.group(0) if m else ""


aw = Collector()
r = subscribe("alice", aw, event="presence.winfo")
ok(r["status"] == 200, "alice subscribes to her watcher information")
n = aw.next()
body = n["body"].decode() if n else ""
ok(n and header(n, "content-type") == ["application/watcherinfo+xml"],
   "a watcherinfo NOTIFY")
ok('state="full"' in body and 'version="0"' in body,
   "full state first, version 0")

bw = Collector()
r = subscribe("bob", bw)
ok(r["status"] == 200, "bob subscribes to alice")
n = bw.next()
ok(n and substate(n).startswith("pending"), "bob's subscription is pending "
   "(%s)" % (n and substate(n)))
ok(n and not n["body"], "and his NOTIFY carries no presence")
n = aw.next()
body = n["body"].decode() if n else ""
ok('state="partial"' in body and 'version="1"' in body,
   "alice's winfo: partial state, version 1")
ok('status="pending"' in watcher(body, "bob") and
   'event="subscribe"' in watcher(body, "bob"), "bob pending, by subscribe")

r = rules("allow sip:bob@%s\r\n" % D)
ok(r["status"] == 200, "alice allows bob (PUBLISH x-imd-authorize)")
n = bw.next()
ok(n and substate(n).startswith("active") and b"<presence" in n["body"],
   "bob's subscription turns active, with alice's presence")
n = aw.next()
body = n["body"].decode() if n else ""
ok('status="active"' in watcher(body, "bob") and
   'event="approved"' in watcher(body, "bob") and 'version="2"' in body,
   "alice's winfo: bob active, approved, version 2")

dw = Collector()
r = subscribe("dave", dw)
ok(r["status"] == 200 and dw.next() is not None, "dave subscribes: pending")
aw.next()
r = rules("block dave@%s" % D)
ok(r["status"] == 200, "alice blocks dave")
n = dw.next()
ok(n and substate(n) == "terminated;reason=rejected",
   "dave gets terminated;reason=rejected (%s)" % (n and substate(n)))
n = aw.next()
body = n["body"].decode() if n else ""
ok('status="terminated"' in watcher(body, "dave") and
   'event="rejected"' in watcher(body, "dave"),
   "alice's winfo: dave terminated, rejected")
r = subscribe("dave", Collector())
ok(r["status"] == 403, "dave subscribes again: refused, 403")

r = rules("maybe bob@%s" % D)
ok(r["status"] == 400, "a rule that is not allow or block: 400")
r = rules("allow bob@%s" % D, user="bob")
ok(r["status"] == 403, "bob cannot decide for alice: 403")
r = subscribe("bob", Collector(), event="presence.winfo")
ok(r["status"] == 403, "bob cannot watch alice's watchers: 403")

# The same decisions through imctl.
out = s.ctl("show", "watchers", "alice@%s" % D)
lines = out.stdout.splitlines()
ok(out.returncode == 0 and
   any(re.match(r"bob@site1.test presence active \d+s$", l) for l in lines)
   and "dave@site1.test rule block" in lines and
   "bob@site1.test rule allow" in lines and
   any(l.startswith("alice@site1.test presence.winfo active") for l in lines),
   "imctl show watchers lists subscriptions and rules: %s" % lines)
out = s.ctl("presence", "allow", "alice@%s" % D, "dave@%s" % D)
ok(out.returncode == 0, "imctl presence allow alice dave: exit 0")
dw2 = Collector()
r = subscribe("dave", dw2)
n = dw2.next()
ok(r["status"] == 200 and n and substate(n).startswith("active"),
   "dave, allowed by the administrator, is active at once")
dw2.stop()
ok(s.ctl("presence", "block", "alice@%s" % D).returncode == 2,
   "imctl presence block with one address: usage, exit 2")
ok(s.ctl("presence", "block", "alice@%s" % D, "not-an-address")
   .returncode == 5, "a malformed watcher: exit 5")
ok(s.ctl("presence", "block", "alice@else.test", "bob@%s" % D)
   .returncode == 6, "a presentity of another domain: exit 6")
ok(s.ctl("show", "watchers", "nobody@%s" % D).stdout == "",
   "show watchers of a user nobody watches: nothing")

s.proc.send_signal(signal.SIGTERM)
s.proc.wait(10)
ok(s.start(), "the suite restarts")
b2 = Collector()
r = subscribe("bob", b2)
n = b2.next()
ok(r["status"] == 200 and n and substate(n).startswith("active"),
   "after the restart a new subscription of bob is active at once")
ok(subscribe("dave", Collector())["status"] == 200,
   "and dave's allowance by imctl too")
for c in (aw, bw, dw, b2):
    c.stop()
ok(s.alive(), "the suite still runs")
done()
