#!/usr/bin/env python3
#
# The e-mail fallback of the offline queue, end to end: the real suite
# and a real OpenSMTPD (Debian's, in the foreground on 127.0.0.1 port
# 25610, delivering to a maildir in the test directory).
#
# offline mail: 202, and the mail arrives with From, To, Subject, Date
# (the arrival), Message-ID, Auto-Submitted and the exact Korean text;
# the queue is empty afterwards.  A recipient the MTA does not know is
# refused with 5xx: the message is dropped and logged.  With the MTA
# stopped the message stays queued, its attempts counted; with the MTA
# back, imctl queue flush sends it at once, and so does the back-off
# timer alone, one mail each.  imctl queue flush: exit 4, 5 and 6 for
# no such user, a malformed address and a domain not served.
#
# offline store then mail after 2s, with mail from: a message is given
# to a user who registers in time and is never mailed; one for a user
# who does not is mailed after the delay, From the configured sender,
# Reply-To the IM sender.
#
# Everything runs on ports 25600-25699.  smtpd is stopped by pid, and
# mail it still holds for the test domain is removed first.

import email, email.message, email.utils, os, re, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, message_auth
from smtpdtest import Smtpd, skip_unless_usable

SIP1, SIP2, MTA = 25600, 25601, 25610
DOMAIN = "site1.test"
KOREAN = "안녕하세요, 잘 지내요? 오프라인 메시지입니다."

skip_unless_usable()
smtpd = Smtpd(MTA, DOMAIN, ("b1", "b2", "b3"))
ok(smtpd.start(), "smtpd listens on 127.0.0.1 port %d" % MTA)


def mails():
    """Every delivered mail: (message, decoded text)."""
    return [(m, m.get_payload(decode=True).decode("utf-8", "replace"))
            for m in smtpd.mails()]


def wait_mail(text, secs=10):
    for _ in range(int(secs * 10)):
        got = [m for m, t in mails() if t == text]
        if got:
            return got
        time.sleep(0.1)
    return []


def queue(s):
    return s.ctl("show", "queue").stdout.splitlines()


def wait_queue(s, cond, secs=10):
    for _ in range(int(secs * 10)):
        q = queue(s)
        if cond(q):
            return q
        time.sleep(0.1)
    return queue(s)


def send(port, to, text):
    return message_auth(UA(("127.0.0.1", port)), "a1", DOMAIN, "a1pw",
                        "sip:%s" % to, text.encode(),
                        "text/plain;charset=UTF-8")["status"]


mta = "mta 127.0.0.1 port %d" % MTA
s = Suite(DOMAIN, SIP1, ["offline mail", mta])
ok(s.start(), "a suite with offline mail")
for u in ("a1", "b1", "x1"):
    s.add_user("%s@%s" % (u, DOMAIN), u + "pw")

# At once, with every header the mail promises.
t0 = int(time.time())
ok(send(SIP1, "b1@" + DOMAIN, KOREAN) == 202, "offline mail: 202")
got = wait_mail(KOREAN)
ok(len(got) == 1, "the mail arrives in the maildir")
m = got[0] if got else email.message.Message()
ok(m["From"] == "a1@" + DOMAIN and m["Reply-To"] is None,
   "From is the IM sender: %s" % m["From"])
ok(m["To"] == "b1@" + DOMAIN, "To is the recipient: %s" % m["To"])
ok(m["Subject"] == "Instant message from a1@" + DOMAIN,
   "Subject names the sender: %s" % m["Subject"])
d = email.utils.parsedate_to_datetime(m["Date"]) if m["Date"] else None
ok(d is not None and abs(d.timestamp() - t0) <= 2,
   "Date is the arrival: %s" % m["Date"])
ok((m["Message-ID"] or "").endswith("@%s>" % DOMAIN),
   "a Message-ID: %s" % m["Message-ID"])
ok(m["Auto-Submitted"] == "auto-generated", "Auto-Submitted: auto-generated")
ok(got and mails()[0][1] == KOREAN, "the exact Korean text")
ok(wait_queue(s, lambda q: q == []) == [], "the queue is empty afterwards")

# A recipient the MTA refuses for good.
n = len(mails())
ok(send(SIP1, "x1@" + DOMAIN, "for nobody's mailbox") == 202,
   "a user the MTA does not know: 202")
ok(wait_queue(s, lambda q: q == []) == [], "the message is dropped")
log = [l for l in s.logtext().splitlines() if "refused it" in l]
ok(len(log) == 1 and re.search(r"refused it: 5\d\d ", log[0]) and
   "x1@" + DOMAIN in log[0],
   "and logged with the 5xx: %s" % log)
ok(len(mails()) == n, "no mail delivered")

# The MTA down, then back and a flush.
ok(smtpd.stop(), "smtpd stops")
ok(send(SIP1, "b1@" + DOMAIN, "while the MTA is down") == 202,
   "with the MTA down: 202")
q = wait_queue(s, lambda q: q and not q[0].endswith(" 0"))
ok(len(q) == 1 and int(q[0].split()[-1]) >= 1,
   "the message stays queued, attempts counted: %s" % q)
time.sleep(2)
q = queue(s)
ok(len(q) == 1 and int(q[0].split()[-1]) <= 4,
   "no tight loop while the MTA is down: %s" % q)
ok(smtpd.start(), "smtpd starts again")
r = s.ctl("queue", "flush", "b1@" + DOMAIN)
ok(r.returncode == 0, "imctl queue flush: exit 0 (%s)" % r.stderr.strip())
ok(len(wait_mail("while the MTA is down", 3)) == 1,
   "the flush sends it at once")
ok(wait_queue(s, lambda q: q == []) == [], "the queue is empty")
time.sleep(1)
ok(len(wait_mail("while the MTA is down", 0.1)) == 1, "exactly one mail")

# The MTA down, then back: the back-off timer alone.
ok(smtpd.stop(), "smtpd stops again")
ok(send(SIP1, "b1@" + DOMAIN, "sent by the timer") == 202,
   "with the MTA down: 202")
q = wait_queue(s, lambda q: q and int(q[0].split()[-1]) >= 2)
ok(len(q) == 1 and int(q[0].split()[-1]) >= 2,
   "tried twice: %s" % q)
ok(smtpd.start(), "smtpd starts again")
ok(len(wait_mail("sent by the timer", 15)) == 1,
   "the back-off timer sends it without a flush")
ok(wait_queue(s, lambda q: q == []) == [], "the queue is empty")
time.sleep(1)
ok(len(wait_mail("sent by the timer", 0.1)) == 1, "exactly one mail")

# Bad input to the flush.
for args, code, what in (
        (["nobody@" + DOMAIN], 4, "no such user"),
        (["not-an-address"], 5, "a malformed address"),
        (["b1@elsewhere.test"], 6, "a domain not served"),
        ([], 2, "no address")):
    r = s.ctl("queue", "flush", *args)
    ok(r.returncode == code, "queue flush, %s: exit %d (%d: %s)" % (
        what, code, r.returncode, r.stderr.strip()))
ok(s.alive(), "the suite still runs")

# store then mail after 2s, with mail from.
s2 = Suite(DOMAIN, SIP2, ["offline store then mail after 2s", mta,
                          'mail from "im-noreply@%s"' % DOMAIN])
ok(s2.start(), "a suite with store then mail after 2s and mail from")
for u in ("a1", "b2"):
    s2.add_user("%s@%s" % (u, DOMAIN), u + "pw")
ok(send(SIP2, "b2@" + DOMAIN, "back in time") == 202, "202")
ok(len(queue(s2)) == 1, "it waits in the queue")
b2 = UA(("127.0.0.1", SIP2), timeout=2)
ok(b2.register("b2", DOMAIN, "b2pw")["status"] == 200, "b2 registers")
req = b2.recv_request()
ok(req is not None and req["body"].decode() == "back in time",
   "and gets it over SIP")
b2.reply(req, 200, "OK")
ok(wait_queue(s2, lambda q: q == []) == [], "the queue is empty")
time.sleep(3)
ok(wait_mail("back in time", 0.1) == [], "it is never mailed")
b2.register("b2", DOMAIN, "b2pw", contacts=["*"], expires=0)

t0 = time.time()
ok(send(SIP2, "b2@" + DOMAIN, "too late") == 202, "offline again: 202")
time.sleep(1)
ok(len(queue(s2)) == 1 and wait_mail("too late", 0.1) == [],
   "not mailed before the delay")
got = wait_mail("too late", 10)
ok(len(got) == 1 and time.time() - t0 >= 2,
   "mailed after the delay (%.1fs)" % (time.time() - t0))
m = got[0] if got else email.message.Message()
ok(m["From"] == "im-noreply@" + DOMAIN, "From is mail from: %s" % m["From"])
ok(m["Reply-To"] == "a1@" + DOMAIN, "Reply-To the IM sender: %s" %
   m["Reply-To"])
ok(wait_queue(s2, lambda q: q == []) == [], "the queue is empty")
done()
