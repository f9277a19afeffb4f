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
# One stranger cannot flood a user's mailbox through `offline mail`, nor
# make our MTA send mail in another's name.  The real suite and a real
# OpenSMTPD (in the foreground on 127.0.0.1 port 27320, delivering to a
# maildir in the test directory), `inbound any`.
#
# With the defaults (mail limit 10 per hour): 300 MESSAGEs with forged
# senders of foreign domains for offline b1 become at most 10 mails,
# each with our postmaster as envelope sender (Return-Path), never the
# forged one; past the quotas the rest is refused 480.  A message of
# a1, who authenticates, keeps a1 as envelope sender.
#
# With `mail limit 3 per 4s`: 40 forged messages become 3 mails and,
# when the period ends, one summary that counts the held messages and
# names their senders; the held ones wait for b2's registration.
#
# Ports 27320-27329.  smtpd is stopped by pid.

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, message_auth
from smtpdtest import Smtpd, skip_unless_usable

SIP1, SIP2, MTA = 27321, 27322, 27320
DOMAIN = "site1.test"

skip_unless_usable()
smtpd = Smtpd(MTA, DOMAIN, ("b1", "b2", "b3", "postmaster"))
ok(smtpd.start(), "smtpd listens on 127.0.0.1 port %d" % MTA)


def mails(to):
    """The mails delivered for to."""
    return [m for m in smtpd.mails() if m["To"] == to]


def settle(to, secs):
    """The mails for to once no more came for a second, or after secs."""
    n, still, end = -1, 0, time.time() + secs
    while time.time() < end and still < 10:
        got = len(mails(to))
        still = still + 1 if got == n else 0
        n = got
        time.sleep(0.1)
    return mails(to)


def flood(port, to, n):
    """n MESSAGEs from forged senders of foreign domains; the statuses."""
    ua = UA(("127.0.0.1", port), transport="tcp", timeout=5)
    st = []
    for i in range(n):
        frm = "sip:forged%d@victim%d.test" % (i, i % 7)
        r = ua.request("MESSAGE", "sip:" + to, frm, "sip:" + to,
                       ["Content-Type: text/plain"], b"spam %d" % i)
        st.append(r["status"])
    return st


def return_path(m):
    return (m["Return-Path"] or "").strip("<> ")


mta = "mta 127.0.0.1 port %d" % MTA
s = Suite(DOMAIN, SIP1, ["offline mail", mta, "inbound any"])
ok(s.start(), "a suite with offline mail and the default limits")
for u in ("a1", "b1", "b3"):
    s.add_user("%s@%s" % (u, DOMAIN), u + "pw")

t0 = time.time()
st = flood(SIP1, "b1@" + DOMAIN, 300)
print("# 300 MESSAGEs in %.1f s: %d answered 202, %d 480" % (
    time.time() - t0, st.count(202), st.count(480)))
ok(set(st) <= {202, 480} and st.count(480) > 0,
   "past the quotas the forged messages are refused 480")
got = settle("b1@" + DOMAIN, 30)
ok(0 < len(got) <= 10, "300 forged messages: %d mails, at most 10" %
   len(got))
rp = sorted(set(return_path(m) for m in got))
ok(rp == ["postmaster@" + DOMAIN],
   "the envelope sender is our postmaster, never the forged one: %s" %
   rp[:3])
ok(all(m["From"].startswith("forged") for m in got),
   "the header From still shows the IM sender")

r = message_auth(UA(("127.0.0.1", SIP1)), "a1", DOMAIN, "a1pw",
                 "sip:b3@" + DOMAIN, b"from a1, authenticated")
ok(r["status"] == 202, "a1 authenticates: 202")
got = settle("b3@" + DOMAIN, 10)
ok(len(got) == 1 and return_path(got[0]) == "a1@" + DOMAIN,
   "a1's mail keeps a1 as envelope sender: %s" % [
       return_path(m) for m in got])

s2 = Suite(DOMAIN, SIP2, ["offline mail", mta, "inbound any",
                          "mail limit 3 per 4s"])
if not ok(s2.start(), "a suite with mail limit 3 per 4s"):
    done()
s2.add_user("b2@" + DOMAIN, "b2pw")
t0 = time.time()
st = flood(SIP2, "b2@" + DOMAIN, 40)
ok(st.count(202) == 40, "40 forged messages for b2: 202 (%d)" %
   st.count(202))
time.sleep(1)
got = mails("b2@" + DOMAIN)
ok(len(got) == 3, "3 mails in the period (%d)" % len(got))


def summaries(to):
    return [m for m in mails(to)
            if m["Subject"] == "Instant messages waiting for you"]


for _ in range(150):
    if summaries("b2@" + DOMAIN):
        break
    time.sleep(0.1)
got = settle("b2@" + DOMAIN, 5)
summ = summaries("b2@" + DOMAIN)
ok(len(got) == 4 and len(summ) == 1,
   "when it ends, one summary and nothing else: %d mails, %d summaries "
   "(%.1f s)" % (len(got), len(summ), time.time() - t0))
text = summ[0].get_payload(decode=True).decode() if summ else ""
for line in text.splitlines():
    print("# | %s" % line)
ok(text.startswith("37 more instant messages came for b2@" + DOMAIN) and
   "from forged3@victim3.test" in text and "other senders" in text,
   "it counts them and names their senders: %r" % text[:80])
ok(summ and return_path(summ[0]) == "postmaster@" + DOMAIN and
   summ[0]["From"] == "postmaster@" + DOMAIN,
   "from our postmaster, envelope and header")
q = s2.ctl("show", "queue", "b2@" + DOMAIN).stdout.splitlines()
ok(len(q) == 37, "the 37 held messages wait for b2 (%d)" % len(q))
time.sleep(1)
ok(len(mails("b2@" + DOMAIN)) == 4, "and are not mailed after all")
done()
