#!/usr/bin/python3
# Debian's python3, as the other XMPP tests.
#
# Presence both ways between imd and the XMPP network (RFC 8048)
# through a real Prosody, under `presence authorize ask`.  imd to XMPP: a Jabber user's roster
# subscription to an imd user is a watcher that waits (imctl show
# watchers: pending) until the administrator allows it (imctl presence
# allow), then the Jabber user gets <presence type='subscribed'/>; the
# imd user's PUBLISHed PIDF arrives as <presence/> (RPID away: <show>
# away, busy: dnd; the note: <status>, Korean intact), each change
# within a second; a closed document is unavailable.  A subscription
# from a second Jabber user that the imd user blocks gets
# <presence type='unsubscribed'/>.  (Prosody tells its clients of
# subscribed and unsubscribed by roster pushes: the test reads the
# Jabber users' rosters.)  The subscription survives a restart.
# XMPP to imd: an imd user's SUBSCRIBE to a Jabber user is answered by
# xmppd, which asks the Jabber user (subscribe, probe); once approved
# her presence arrives as PIDF NOTIFYs, a change within a second.

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import UA, ok, done, auth_request, header
from xmpptest import World, Jabber

PORT = 25780
w = World(PORT, imd_extra=["presence authorize ask"])
ok(w.prosody.add_user("juliet", "jpw"), "prosody: juliet@b.test created")
ok(w.prosody.add_user("paris", "ppw"), "prosody: paris@b.test created")
ok(w.prosody.start(), "prosody serves b.test")
ok(w.imd.start(), "imd serves a.test, presence authorize ask")
w.imd.add_user("romeo@a.test", "rpw")
srv = ("127.0.0.1", PORT)


def pidf(basic, note="", activity=""):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<presence xmlns="urn:ietf:params:xml:ns:pidf" '
            'xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" '
            'xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" '
            'entity="pres:romeo@a.test"><tuple id="t1"><status><basic>%s'
            '</basic></status></tuple>%s<dm:person id="p1">%s</dm:person>'
            '</presence>' % (basic, "<note>%s</note>" % note if note else
                             "", "<rpid:activities><rpid:%s/>"
                             "</rpid:activities>" % activity if activity
                             else "")).encode()


etag = None


def publish(body):
    """One publication of romeo's, modified in place after the first."""
    global etag
    extra = ["Event: presence", "Expires: 600",
             "Content-Type: application/pidf+xml"]
    if etag:
        extra.append("SIP-If-Match: %s" % etag)
    for _ in range(50):	# 503 while the presence store loads
        r = auth_request(UA(srv), "PUBLISH", "sip:romeo@a.test", "romeo",
                         "a.test", "rpw", extra=extra, body=body)
        if r["status"] != 503:
            break
        time.sleep(0.1)
    etag = (header(r, "sip-etag") or [etag])[0]
    if r["status"] != 200:
        print("# PUBLISH: %d %s" % (r["status"], r["reason"]))
    return r["status"]


def roster_item(j, jid, key, value, timeout=10):
    """Whether j's roster comes to hold value under key for jid."""
    end = time.time() + timeout
    while time.time() < end:
        try:
            if j.c.client_roster[jid][key] == value:
                return True
        except KeyError:
            pass
        time.sleep(0.05)
    return False


ok(publish(pidf("open", "정원에 있어요", "away")) == 200,
   "romeo publishes: open, away, a Korean note")
juliet = Jabber("juliet@b.test", "jpw", "127.0.0.2", 5222, w.ca)
ok(juliet.ready.wait(15), "juliet is online")
juliet.call(juliet.c.send_presence, pto="romeo@a.test", ptype="subscribe")

lines = []
for _ in range(100):
    lines = w.imd.ctl("show", "watchers", "romeo@a.test").stdout.splitlines()
    if any(l.startswith("juliet@b.test presence pending") for l in lines):
        break
    time.sleep(0.1)
ok(any(l.startswith("juliet@b.test presence pending") for l in lines),
   "juliet's subscription waits for romeo: %s" % lines)
ok(not roster_item(juliet, "romeo@a.test", "subscription", "to", 1),
   "and juliet's roster does not say subscribed yet")

r = w.imd.ctl("presence", "allow", "romeo@a.test", "juliet@b.test")
ok(r.returncode == 0, "imctl presence allow romeo@a.test juliet@b.test")
ok(roster_item(juliet, "romeo@a.test", "subscription", "to"),
   "romeo's <presence type='subscribed'/>: juliet's roster says 'to' (%s)"
   % juliet.c.client_roster["romeo@a.test"]["subscription"])
p = juliet.wait(juliet.presences, lambda p: p[0] == "romeo@a.test" and
                p[2] == "away")
ok(p is not None and p[3] == "정원에 있어요",
   "and romeo's presence: show away, status the Korean note (%s)" % (
       p or juliet.presences,))

t0 = time.time()
ok(publish(pidf("open", "회의 중", "busy")) == 200, "romeo is now busy")
p = juliet.wait(juliet.presences, lambda p: p[2] == "dnd" and
                p[3] == "회의 중", 1.0)
ok(p is not None, "juliet sees dnd and the new note within a second "
   "(%.2f s)" % (time.time() - t0))
t0 = time.time()
ok(publish(pidf("closed")) == 200, "romeo goes offline (basic closed)")
p = juliet.wait(juliet.presences, lambda p: p[1] == "unavailable", 1.0)
ok(p is not None, "juliet sees him unavailable within a second (%.2f s)" %
   (time.time() - t0))

# The other way: romeo subscribes to juliet.  xmppd answers, asks juliet
# (slixmpp approves at once), and her presence arrives as PIDF NOTIFYs:
# pending first, then active with her state.
dev = UA(srv, timeout=5)
ok(dev.register("romeo", "a.test", "rpw")["status"] == 200,
   "romeo's device registers")
contact = "<sip:romeo@%s:%d>" % dev.local


def notifies(pred, timeout=5):
    """NOTIFYs at romeo's device, answered 200, until pred(body, state)."""
    end = time.time() + timeout
    seen = []
    while time.time() < end:
        try:
            req = dev.recv_request()
        except Exception:
            req = None
        if req is None:
            continue
        dev.reply(req, 200, "OK")
        if req["method"] != "NOTIFY":
            continue
        st = (header(req, "subscription-state") or [""])[0]
        seen.append((st, req["body"]))
        if pred(req["body"].decode("utf-8", "replace"), st):
            return seen
    print("# NOTIFYs seen: %s" % [x[0] for x in seen])
    return None


r = auth_request(UA(srv), "SUBSCRIBE", "sip:juliet@b.test", "romeo",
                 "a.test", "rpw", extra=["Event: presence", "Expires: 600",
                                         "Contact: " + contact,
                                         "Accept: application/pidf+xml"])
ok(r["status"] == 200, "romeo's SUBSCRIBE to juliet@b.test: %d %s" %
   (r["status"], r["reason"]))
got = notifies(lambda b, st: st.startswith("active") and
               "<basic>open</basic>" in b, 10)
ok(got is not None, "romeo gets NOTIFYs: juliet approved, she is online "
   "(%s)" % [g[0] for g in (got or [])])
t0 = time.time()
juliet.call(juliet.c.send_presence, pshow="dnd", pstatus="바빠요")
got = notifies(lambda b, st: "rpid:busy" in b and "바빠요" in b, 1.0)
ok(got is not None, "juliet's dnd and Korean status reach romeo as "
   "RPID busy and a note within a second (%.2f s)" % (time.time() - t0))

# The subscription is the presence agent's, kept in dirdb: it outlives
# a restart of the suite.
import signal
w.imd.proc.send_signal(signal.SIGTERM)
w.imd.proc.wait(10)
ok(w.imd.start(), "the suite restarts")
etag = None
ok(publish(pidf("open", "돌아왔어요")) == 200, "romeo publishes again")
p = juliet.wait(juliet.presences, lambda p: p[3] == "돌아왔어요", 5)
ok(p is not None and p[1] != "unavailable",
   "juliet sees it: the subscription survived the restart (%s)" % (p,))

paris = Jabber("paris@b.test", "ppw", "127.0.0.2", 5222, w.ca)
ok(paris.ready.wait(15), "paris is online")
ok(w.imd.ctl("presence", "block", "romeo@a.test",
              "paris@b.test").returncode == 0,
   "imctl presence block romeo@a.test paris@b.test")
paris.call(paris.c.send_presence, pto="romeo@a.test", ptype="subscribe")
for _ in range(100):
    if ("inbound presence unsubscribed from romeo@a.test for paris@b.test"
            in w.prosody.logtext()):
        break
    time.sleep(0.1)
ok("inbound presence unsubscribed from romeo@a.test for paris@b.test" in
   w.prosody.logtext(), "paris, blocked: prosody gets "
   "<presence type='unsubscribed'/> from romeo@a.test for paris")
ok(roster_item(paris, "romeo@a.test", "pending_out", False) and
   roster_item(paris, "romeo@a.test", "subscription", "none"),
   "and paris's roster holds no subscription to romeo")
juliet.stop()
paris.stop()
done()
