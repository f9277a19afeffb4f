#!/usr/bin/env python3
# No one there: with `offline mail`, a call to a user without a device
# gets 480 and the callee a "missed call" mail through the MTA, once per
# call, from one of our addresses, Reply-To the caller, marked
# Auto-Submitted; imd stores nothing of the call.  The mails of missed
# calls count against `mail limit`, so that a caller who rings again
# and again cannot flood the mailbox.  A real OpenSMTPD delivers to a
# maildir (regress/lib/smtpdtest.py).

import email.utils, os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/calls"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, header
from smtpdtest import Smtpd, skip_unless_usable
from calllib import DOMAIN, invite

SIP, MTA = 28200, 28210
skip_unless_usable()
smtpd = Smtpd(MTA, DOMAIN, ("bob",))
ok(smtpd.start(), "smtpd listens on 127.0.0.1 port %d" % MTA)
s = Suite(DOMAIN, SIP, ["offline mail", "mta 127.0.0.1 port %d" % MTA,
                        "mail limit 2 per 1h"])
ok(s.start(), "a suite with offline mail and a mail limit of 2")
s.add_user("alice@" + DOMAIN, "alicepw")
s.add_user("bob@" + DOMAIN, "bobpw")
srv = ("127.0.0.1", SIP)


def wait_mails(n, secs=10):
    end = time.time() + secs
    while time.time() < end:
        got = smtpd.mails()
        if len(got) >= n:
            return got
        time.sleep(0.1)
    return smtpd.mails()


t0 = int(time.time())
got, _ = invite(UA(srv), "alice", "alicepw", "bob")
ok(got and got[-1]["status"] == 480, "bob has no device: 480")
mails = wait_mails(1)
ok(len(mails) == 1, "one mail arrives in bob's maildir")
m = mails[0] if mails else {}
ok(m.get("Subject") == "Missed call from alice@" + DOMAIN,
   "Subject: %s" % m.get("Subject"))
ok(m.get("To") == "bob@" + DOMAIN and
   m.get("From") == "postmaster@" + DOMAIN and
   m.get("Reply-To") == "alice@" + DOMAIN,
   "To the callee, From our postmaster, Reply-To the caller (%s, %s, %s)"
   % (m.get("To"), m.get("From"), m.get("Reply-To")))
ok(m.get("Auto-Submitted") == "auto-generated",
   "Auto-Submitted: auto-generated")
text = m.get_payload(decode=True).decode() if mails else ""
when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(t0))
ok(text.startswith("Missed call from alice@%s at %s" % (DOMAIN, when)),
   "the text says who and when: %r" % text.splitlines()[:1])
d = email.utils.parsedate_to_datetime(m["Date"]) if mails else None
ok(d is not None and abs(d.timestamp() - t0) <= 2, "Date is the call's")
time.sleep(1.5)
ok(len(smtpd.mails()) == 1, "exactly one mail for the call")
ok(s.ctl("show", "queue").stdout == "", "nothing of the call is queued")

# Two calls more: the limit (2) lets one through, and no more.
for i in range(2):
    got, _ = invite(UA(srv), "alice", "alicepw", "bob")
    ok(got and got[-1]["status"] == 480, "call %d: 480" % (i + 2))
mails = wait_mails(3, 4)
ok(len(mails) == 2, "past mail limit 2, no mail (%d in all)" % len(mails))
ok("past the mail limit" in s.logtext(), "and the log says why")
ok(s.alive(), "the suite is still up")
done()
