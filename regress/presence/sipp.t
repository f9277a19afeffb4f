#!/usr/bin/env python3
# Presence driven by sipp, a third-party SIP tool, on one real suite:
# bob watches alice with sipp_watcher.xml (SUBSCRIBE with digest, the
# NOTIFYs answered 200, an unsubscribe in the dialog); alice publishes
# with sipp_publisher.xml (PUBLISH with digest, modify and remove by
# SIP-If-Match, 412 for entity-tags stale and never issued); carol's
# subscription of 2 s runs out with sipp_expiry.xml.  The scenarios
# check the messages themselves (ereg with check_it: sipp then exits
# non-zero); this test also reads sipp's message and action logs, so
# that each step is its own TAP line.
#
# sipsak, the other third-party tool, publishes in sipsak.t; it cannot
# be a watcher, since it does not answer the NOTIFYs a subscription
# brings.

import os, re, shutil, signal, subprocess, sys, time

if shutil.which("sipp") is None:
    print("1..0 # SKIP sipp missing")
    sys.exit(0)
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import (Suite, UA, ok, done, header, auth_request,
                     parse_request, parse_response)

# Killed (by prove's timeout, say): unwind, so that the finally below
# stops sipp and imdtest's atexit stops the suite.
signal.signal(signal.SIGTERM, lambda sig, frame: sys.exit(1))

PORT = 25830            # the suite; sipp listens on 25831 to 25833
D = "site1.test"
HERE = os.path.join(os.environ["IMD_TOP"], "regress/presence")
# sipp answers the first challenge only, and knows MD5: the default
# algorithms must let it in.
s = Suite(D, PORT, ["presence min-expires 2", "presence notify-interval 0"])
ok(s.start(), "the suite starts")
ok(all(s.add_user("%s@%s" % (u, D), u + "pw")
       for u in ("alice", "bob", "carol")), "alice, bob and carol added")

running = []


def sipp(name, port, service, user, extra=()):
    """sipp with scenario sipp_NAME.xml on 127.0.0.1:port towards the
    suite, one call, messages and <log> actions logged in the suite's
    directory; the Popen, stopped by pid at exit."""
    base = os.path.join(s.dir, name)
    cmd = ["sipp", "127.0.0.1:%d" % PORT,
           "-sf", os.path.join(HERE, "sipp_%s.xml" % name),
           "-i", "127.0.0.1", "-p", str(port), "-m", "1", "-nostdin",
           "-s", service, "-au", user, "-ap", user + "pw",
           "-key", "domain", D, "-timeout", "60s", "-timeout_error",
           "-default_behaviors", "abortunexp",
           "-trace_msg", "-message_file", base + ".msg",
           "-trace_logs", "-log_file", base + ".log",
           "-trace_err", "-error_file", base + ".err"] + list(extra)
    out = open(base + ".out", "w")
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    out.close()
    running.append(p)
    return p


def stop_sipp():
    for p in running:
        if p.poll() is None:
            p.kill()
        p.wait()


def finish(p, timeout):
    """sipp's exit status, or None when it had to be killed."""
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return None


def actions(name):
    """The lines sipp's <log> actions wrote."""
    try:
        with open(os.path.join(s.dir, name + ".log")) as f:
            return f.read().splitlines()
    except OSError:
        return []


def action(name, prefix):
    """The first <log> line of scenario `name` starting with prefix."""
    return next((l for l in actions(name) if l.startswith(prefix)), "")


def wait_action(name, prefix, p, secs=10):
    deadline = time.time() + secs
    while time.time() < deadline and p.poll() is None:
        if action(name, prefix):
            return True
        time.sleep(0.1)
    return action(name, prefix) != ""


def messages(name):
    """The messages of sipp's -trace_msg log, in order, as dicts with
    "sent", "time" and the fields of imdtest's parsers; a message seen
    twice (a retransmission) once."""
    try:
        with open(os.path.join(s.dir, name + ".msg"), "rb") as f:
            log = f.read()
    except OSError:
        return []
    out, seen = [], set()
    parts = re.split(rb"(?m)^-{20,} \S+ (\d\d):(\d\d):(\d\d\.\d+)\n", log)
    for i in range(1, len(parts) - 3, 4):
        t = int(parts[i]) * 3600 + int(parts[i + 1]) * 60 + \
            float(parts[i + 2])
        what, _, raw = parts[i + 3].partition(b"\n\n")
        m = (parse_response if raw.startswith(b"SIP/2.0 ") else
             parse_request)(raw)
        if m is None:
            continue
        clen = header(m, "content-length")
        m["body"] = m["body"][:int(clen[0])] if clen else b""
        m["sent"], m["time"] = b" sent " in what, t
        key = (m["sent"], raw.split(b"\r\n", 1)[0],
               tuple(header(m, "cseq")), tuple(header(m, "call-id")))
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out


def received(msgs, method=None):
    """The requests (of method) received, or with method None the
    responses received."""
    return [m for m in msgs if not m["sent"] and
            (m.get("method") == method if method else "status" in m)]


def first(lst, n=0):
    return lst[n] if len(lst) > n else None


def substate(m):
    return (header(m, "subscription-state") or [""])[0] if m else ""


def body(m):
    return m["body"].decode("utf-8", "replace") if m else ""


def totag(m):
    t = re.search(r";tag=([^;>\s]+)", (header(m, "to") or [""])[0]) \
        if m else None
    return t.group(1) if t else None


def diag(name):
    """sipp's own account of a failure, as TAP comments."""
    for suffix in (".err", ".out"):
        try:
            with open(os.path.join(s.dir, name + suffix)) as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        for l in lines[-15:]:
            print("# %s%s: %s" % (name, suffix, l))


try:
    # The listener answers 503 until the stored presence is loaded; a
    # SUBSCRIBE to nobody says when it is, and leaves nothing behind.
    for _ in range(50):
        r = auth_request(UA(("127.0.0.1", PORT)), "SUBSCRIBE",
                         "sip:nobody@%s" % D, "carol", D, "carolpw",
                         extra=["Event: presence", "Expires: 60",
                                "Contact: <sip:carol@127.0.0.1:9>"])
        if r["status"] != 503:
            break
        time.sleep(0.2)
    ok(r["status"] == 404, "presence is loaded (a probe gets %d)" %
       r["status"])

    # bob watches alice; his first NOTIFY comes before alice publishes.
    w = sipp("watcher", 25831, "alice", "bob", ["-key", "watcher", "bob"])
    ok(wait_action("watcher", "NOTIFY 1: state", w),
       "sipp's SUBSCRIBE as bob is in its dialog: %s" %
       action("watcher", "subscribed"))
    wmsgs = messages("watcher")
    resp = received(wmsgs)
    ok([m["status"] for m in resp[:2]] == [401, 200] and
       header(resp[1], "expires") == ["60"],
       "its SUBSCRIBE was challenged (401), the answer granted 60 s")
    n = received(wmsgs, "NOTIFY")
    n1 = first(n)
    ok(substate(n1).startswith("active;expires=") and
       header(n1, "event") == ["presence"] and
       header(n1, "content-type") == ["application/pidf+xml"],
       "the first NOTIFY: active, Event: presence, a PIDF (%s)" %
       substate(n1))
    ok('id="imd-reg"' in body(n1) and "<note" not in body(n1),
       "nothing published yet: imd's own tuple and no note")

    # alice publishes, modifies, is refused twice, removes; bob's sipp
    # meanwhile takes the NOTIFYs, then unsubscribes and ends.
    p = sipp("publisher", 25832, "alice", "alice")
    prc = finish(p, 60)
    ok(prc == 0, "sipp as the publisher exits 0: every status as "
       "expected (%s)" % prc)
    if prc != 0:
        diag("publisher")
    pmsgs = messages("publisher")
    resp = received(pmsgs)
    st = [m["status"] for m in resp]
    etags = [(header(m, "sip-etag") or [""])[0] for m in resp]
    ok(st[:2] == [401, 200] and etags[1] != "" and
       header(resp[1], "expires") == ["60"],
       "PUBLISH with a note, after the 401: 200 with SIP-ETag %s and "
       "Expires: 60" % first(etags, 1))
    ok(st[2:4] == [401, 200] and first(etags, 3) not in
       ("", None, first(etags, 1)),
       "PUBLISH with SIP-If-Match: %s and a new note: 200 and a new "
       "entity-tag %s" % (first(etags, 1), first(etags, 3)))
    ok(st[4:6] == [401, 412],
       "the entity-tag the modification replaced: 412 (%s)" % st[4:6])
    ok(st[6:8] == [401, 412],
       "an entity-tag never issued: 412 (%s)" % st[6:8])
    ok(st[8:10] == [401, 200] and
       header(first(resp, 9) or {"headers": []}, "expires") == ["0"],
       "Expires: 0 with the current entity-tag removes it: 200, "
       "Expires: 0 (%s)" % st[8:10])
    sent = [m for m in pmsgs if m["sent"] and m.get("method") == "PUBLISH"]
    ok(len(sent) == 10 and
       header(sent[3], "sip-if-match") == [first(etags, 1)] and
       header(sent[9], "sip-if-match") == [first(etags, 3)],
       "sipp sent the entity-tags it was given")

    wrc = finish(w, 20)
    ok(wrc == 0, "sipp as the watcher exits 0: every NOTIFY as expected "
       "(%s)" % wrc)
    if wrc != 0:
        diag("watcher")
    wmsgs = messages("watcher")
    n = received(wmsgs, "NOTIFY")
    ok(len(n) == 5, "bob got 5 NOTIFYs: none for the 412s (%d)" % len(n))
    ok("<note>at lunch</note>" in body(first(n, 1)) and
       "<basic>open</basic>" in body(first(n, 1)),
       "the second carries alice's note: %s" %
       action("watcher", "NOTIFY 2: state"))
    ok("<note>in a meeting</note>" in body(first(n, 2)) and
       "at lunch" not in body(first(n, 2)),
       "the third the new note only: %s" %
       action("watcher", "NOTIFY 3: state"))
    ok('id="imd-reg"' in body(first(n, 3)) and
       "<note" not in body(first(n, 3)),
       "the fourth, after the removal, imd's own tuple again")
    ok(len(n) >= 4 and all(substate(m).startswith("active;")
                           for m in n[:4]),
       "all four: Subscription-State active")
    subs = [m for m in wmsgs if m["sent"] and m.get("method") ==
            "SUBSCRIBE"]
    resp = received(wmsgs)
    ok200 = first([m for m in resp if m["status"] == 200])
    contact = re.search(r"<([^>]+)>",
                        first(header(ok200, "contact") if ok200 else []) or
                        "")
    u = first(subs, 3)
    ok(u is not None and header(u, "expires") == ["0"] and
       contact is not None and u["ruri"] == contact.group(1) and
       totag(u) == totag(ok200),
       "the unsubscribe goes in the dialog: Expires: 0 to the 200's "
       "Contact (%s), with its To tag" % (u["ruri"] if u else None))
    ok([m["status"] for m in resp[-2:]] == [401, 200] and
       header(resp[-1], "expires") == ["0"],
       "it is challenged too, then answered 200 with Expires: 0")
    ok(first(n, 4) is not None and
       substate(first(n, 4)).startswith("terminated"),
       "the final NOTIFY says terminated (%s)" % substate(first(n, 4)))

    # carol subscribes for 2 s and leaves it to expire.
    e = sipp("expiry", 25833, "alice", "carol",
             ["-key", "watcher", "carol", "-key", "expires", "2"])
    erc = finish(e, 30)
    ok(erc == 0, "sipp as carol, subscribed for 2 s, exits 0 (%s)" % erc)
    if erc != 0:
        diag("expiry")
    emsgs = messages("expiry")
    resp = received(emsgs)
    n = received(emsgs, "NOTIFY")
    ok([m["status"] for m in resp] == [401, 200] and
       header(resp[1], "expires") == ["2"] and
       substate(first(n)).startswith("active;expires="),
       "granted 2 s, the first NOTIFY active (%s)" % substate(first(n)))
    ok(substate(first(n, 1)) == "terminated;reason=timeout",
       "when it runs out: terminated;reason=timeout (%s)" %
       substate(first(n, 1)))
    # imd sweeps once a second against time(NULL), so the end comes
    # between 1 and 3 s after the grant rather than at 2 s exactly.
    gap = (n[1]["time"] - resp[1]["time"]) % 86400 \
        if len(n) == 2 and len(resp) == 2 else -1
    ok(1 <= gap <= 6, "about 2 s after the grant (%.1f s)" % gap)
    ok(s.alive(), "the suite still runs")
finally:
    stop_sipp()
done()
