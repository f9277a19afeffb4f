#!/usr/bin/env python3
# Presence with sipsak, a third-party SIP tool, on a real suite: alice
# registers and unregisters with sipsak's usrloc mode and publishes,
# modifies and removes her document with PUBLISH requests that sipsak
# sends from a file (its default mode answers the 401 with MD5 digest);
# a stale entity-tag gets 412.  bob watches with our own UA: sipsak
# can send a SUBSCRIBE but cannot be a watcher, since it leaves after
# the response and answers no NOTIFY (sipp does, in sipp.t).
# sipsak resolves the domain of its target, so the domain is localhost.

import os, re, shutil, signal, subprocess, sys, time

if shutil.which("sipsak") is None:
    print("1..0 # SKIP sipsak missing")
    sys.exit(0)
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, Collector, ok, done, auth_request

# Killed: unwind, so that imdtest's atexit stops the suite.
signal.signal(signal.SIGTERM, lambda sig, frame: sys.exit(1))

PORT = 25835
D = "localhost"
# sipsak answers the first challenge only, and knows MD5: the default
# algorithms must let it in.
s = Suite(D, PORT, ["presence min-expires 2", "presence notify-interval 0"])
ok(s.start(), "the suite starts")
ok(s.add_user("alice@" + D, "alicepw") and s.add_user("bob@" + D, "bobpw"),
   "alice and bob added")
srv = ("127.0.0.1", PORT)
TARGET = "sip:alice@%s:%d" % (D, PORT)
calls = 0
last_run = []


def sipsak(*args):
    """sipsak as alice towards the suite: its exit status, and the
    last response it printed as (status, SIP-ETag, Expires)."""
    r = subprocess.run(["sipsak", "-vv", "-s", TARGET, "-u", "alice",
                        "-a", "alicepw"] + list(args),
                       capture_output=True, text=True, timeout=30)
    last_run[:] = ["$ sipsak " + " ".join(args)] + \
        (r.stdout + r.stderr).splitlines()
    # The last response printed whole (its status line unindented),
    # up to its blank line.
    starts = [m.start() for m in re.finditer(r"(?m)^SIP/2\.0 ", r.stdout)]
    last = r.stdout[starts[-1]:].split("\n\n")[0] if starts else ""
    status = re.match(r"SIP/2\.0 (\d{3}) ", last)
    etag = re.search(r"(?im)^SIP-ETag:\s*(\S+)", last)
    expires = re.search(r"(?im)^Expires:\s*(\d+)", last)
    return (r.returncode, status and int(status.group(1)),
            etag and etag.group(1), expires and expires.group(1))


def check(cond, desc):
    """ok(), with what sipsak printed last when it fails."""
    if not ok(cond, desc):
        for l in last_run[-25:]:
            print("# " + l)


def publish(note=None, etag=None, expires=60):
    """A PUBLISH written to a file for sipsak -f, line ends and all
    (-L: sipsak adds no carriage returns, so Content-Length holds)."""
    global calls
    calls += 1
    body = ""
    if note is not None:
        body = ('<?xml version="1.0" encoding="UTF-8"?>\r\n'
                '<presence xmlns="urn:ietf:params:xml:ns:pidf" '
                'entity="pres:alice@%s"><tuple id="sipsak"><status>'
                '<basic>open</basic></status><note>%s</note></tuple>'
                '</presence>\r\n' % (D, note))
    hdrs = ["PUBLISH sip:alice@%s SIP/2.0" % D,
            "From: <sip:alice@%s>;tag=sipsak%d" % (D, calls),
            "To: <sip:alice@%s>" % D,
            "Call-ID: sipsak%d-%d@127.0.0.1" % (calls, os.getpid()),
            "CSeq: 1 PUBLISH", "Max-Forwards: 70",
            "Event: presence", "Expires: %d" % expires]
    if etag is not None:
        hdrs.append("SIP-If-Match: %s" % etag)
    if body:
        hdrs.append("Content-Type: application/pidf+xml")
    hdrs.append("Content-Length: %d" % len(body.encode()))
    path = os.path.join(s.dir, "publish%d.sip" % calls)
    with open(path, "w", newline="") as f:
        f.write("\r\n".join(hdrs) + "\r\n\r\n" + body)
    return sipsak("-L", "-f", path)


def reg_state(n):
    m = re.search(r'<tuple id="imd-reg"><status><basic>(\w+)</basic>',
                  n["body"].decode()) if n else None
    return m.group(1) if m else None


# The listener answers 503 until the stored presence is loaded; a
# SUBSCRIBE to nobody says when it is, and leaves nothing behind.
for _ in range(50):
    r = auth_request(UA(srv), "SUBSCRIBE", "sip:nobody@" + D, "bob", D,
                     "bobpw", extra=["Event: presence", "Expires: 60",
                                     "Contact: <sip:bob@127.0.0.1:9>"])
    if r["status"] != 503:
        break
    time.sleep(0.2)
ok(r["status"] == 404, "presence is loaded (a probe gets %d)" % r["status"])

bobn = Collector()
r = auth_request(UA(srv), "SUBSCRIBE", "sip:alice@" + D, "bob", D, "bobpw",
                 extra=["Event: presence", "Expires: 60",
                        "Contact: %s" % bobn.contact("bob")])
n = bobn.next()
ok(r["status"] == 200 and reg_state(n) == "closed",
   "bob watches alice: her device tuple is closed (%s)" % reg_state(n))

rc = sipsak("-U", "-x", "60", "-C", "sip:alice@127.0.0.1:9")[0]
check(rc == 0, "sipsak registers alice (%d)" % rc)
n = bobn.next()
ok(reg_state(n) == "open", "bob is told: open (%s)" % reg_state(n))

rc, st, etag1, exp = publish("with sipsak")
check(rc == 0 and st == 200 and etag1 and exp == "60",
   "sipsak's PUBLISH with a note, after the 401: 200, SIP-ETag %s, "
   "Expires: %s" % (etag1, exp))
n = bobn.next()
ok(n and b"<note>with sipsak</note>" in n["body"],
   "bob's NOTIFY carries the note")

rc, st, etag2, exp = publish("still with sipsak", etag=etag1)
check(rc == 0 and st == 200 and etag2 not in (None, etag1),
   "sipsak modifies it by SIP-If-Match: 200 and a new entity-tag %s" %
   etag2)
n = bobn.next()
ok(n and b"<note>still with sipsak</note>" in n["body"] and
   b"<note>with sipsak</note>" not in n["body"],
   "bob's NOTIFY has the new note only")

rc, st = publish("stale", etag=etag1)[:2]
check(rc == 1 and st == 412, "the replaced entity-tag: 412, sipsak exits 1 "
   "(%s, %s)" % (st, rc))
ok(bobn.next(1) is None, "and bob is not notified")

rc, st, etag3, exp = publish(etag=etag2, expires=0)
check(rc == 0 and st == 200 and exp == "0",
   "sipsak removes it with Expires: 0: 200, Expires: %s" % exp)
n = bobn.next()
ok(n and b"<note" not in n["body"] and reg_state(n) == "open",
   "bob's NOTIFY: no note, the device tuple open again")

rc = sipsak("-U", "-x", "0", "-C", "sip:alice@127.0.0.1:9")[0]
check(rc == 0, "sipsak unregisters alice (%d)" % rc)
n = bobn.next()
ok(reg_state(n) == "closed", "bob is told: closed (%s)" % reg_state(n))
ok(s.alive(), "the suite still runs")
bobn.stop()
done()
