#!/usr/bin/env python3
#
# Copyright (c) 2026 The imd Authors
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
#
# kill -9 of each child (listener, relayd, authd, dirdb, xmppd) while three
# senders send numbered MESSAGEs, with digest authentication, to a user
# who is registered but offline, so that each is committed to the
# offline queue before its 202.  The suite must stop at once and leave
# no process behind; started again on the same configuration and
# database, the recipient registers and gets every message that was
# answered 202 exactly once, and none that got no final answer more
# than once.
#
# Ports 26000-26003, 127.0.0.1 only.

import os, signal, sys, threading, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, children, gone, message_auth, \
    take_messages

# A SIGTERM (prove's timeout) still runs the clean-up: atexit, finally.
signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))

PORT = 26000
CHILDREN = ("listener", "relayd", "authd", "dirdb", "xmppd")
SENDERS = 3
BEFORE = 30		# 202s seen before the kill


class Sender(threading.Thread):
    """Sends MESSAGE n = 0, 1, ... to b1 until stopped; keeps each final
    status, or None when no final answer came."""

    def __init__(self, srv, tag):
        super().__init__(daemon=True)
        self.srv, self.tag = srv, tag
        self.status = {}
        self.running = True

    def body(self, n):
        return "%s-%04d" % (self.tag, n)

    def run(self):
        n = 0
        while self.running:
            try:
                r = message_auth(UA(self.srv, timeout=1), "a1",
                                 "site1.test", "a1pw", "sip:b1@site1.test",
                                 self.body(n).encode())
                self.status[n] = r["status"]
            except OSError:
                self.status[n] = None
                time.sleep(0.1)
            n += 1

    def accepted(self):
        return sorted(n for n, st in self.status.items() if st == 202)


def round_for(i, child):
    port = PORT + i
    srv = ("127.0.0.1", port)
    s = Suite("site1.test", port)
    ok(s.start(), "%s: the suite starts" % child)
    s.add_user("a1@site1.test", "a1pw")
    s.add_user("b1@site1.test", "b1pw")
    kids = children(s.proc.pid)
    ok(set(CHILDREN) <= set(kids), "%s: every child %s" % (child, kids))

    # Several senders, so that more than one request is in flight.
    snds = [Sender(srv, "%s%d" % (child, k)) for k in range(SENDERS)]
    for snd in snds:
        snd.start()
    end = time.time() + 20
    while (sum(len(snd.accepted()) for snd in snds) < BEFORE and
           time.time() < end):
        time.sleep(0.02)
    ok(sum(len(snd.accepted()) for snd in snds) >= BEFORE,
       "%s: %d messages answered 202 under load" % (
           child, sum(len(snd.accepted()) for snd in snds)))
    t0 = time.time()
    os.kill(kids[child], signal.SIGKILL)
    try:
        s.proc.wait(3)
    except Exception:
        pass
    ok(s.proc.poll() is not None,
       "%s: kill -9: the parent exits (%.2f s)" % (child, time.time() - t0))
    ok(s.proc.poll() not in (None, 0), "%s: with a non-zero status (%s)" %
       (child, s.proc.poll()))
    left = [c for c, p in kids.items() if not gone(p, 2)]
    ok(left == [], "%s: no child left behind %s" % (child, left))
    time.sleep(0.5)
    for snd in snds:
        snd.running = False
    for snd in snds:
        snd.join(10)
    ok(not any(snd.is_alive() for snd in snds), "%s: the senders stop" %
       child)

    ok(s.start(), "%s: the suite starts again on the same database" % child)
    b1 = UA(srv, timeout=2)
    ok(b1.register("b1", "site1.test", "b1pw")["status"] == 200,
       "%s: b1 registers" % child)
    got = take_messages(b1)
    accepted, unanswered, refused = [], [], []
    for snd in snds:
        for n, st in snd.status.items():
            (accepted if st == 202 else unanswered if st is None else
             refused).append(snd.body(n))
    missing = [m for m in accepted if m not in got]
    dups = sorted(set(m for m in got if got.count(m) > 1))
    stray = [m for m in got if m not in accepted and m not in unanswered]
    ok(missing == [], "%s: all %d messages answered 202 are delivered "
       "(missing %s)" % (child, len(accepted), missing))
    ok(dups == [], "%s: none twice (%s)" % (child, dups))
    ok(stray == [], "%s: none that was refused (%d refused: %s) or never "
       "sent (%s)" % (child, len(refused), refused[:3], stray))
    print("# %s: %d sent, %d accepted, %d unanswered, %d delivered" % (
        child, sum(len(snd.status) for snd in snds), len(accepted),
        len(unanswered), len(got)))
    ok(s.ctl("show", "queue").stdout == "", "%s: the queue is empty" %
       child)
    s.cleanup()


for i, child in enumerate(CHILDREN):
    round_for(i, child)
done()
