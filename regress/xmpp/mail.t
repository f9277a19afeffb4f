#!/usr/bin/python3
# Debian's python3, as the other XMPP tests.
#
# The offline policy holds for a message from the XMPP network as for
# one from SIP: under `offline mail` a Jabber user's message for an imd
# user with no device registered is queued and handed to a real MTA
# (OpenSMTPD from Debian, in the foreground on 127.0.0.1 port 25760,
# delivering to a maildir), the Korean text intact, From the Jabber
# user's address; the Jabber user gets no error.

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import ok, done
from smtpdtest import Smtpd, skip_unless_usable
from xmpptest import World, Jabber

PORT, MTA = 25750, 25760
KO = "안녕, 메일로 가는 재버 메시지예요 ✉"

skip_unless_usable()
smtpd = Smtpd(MTA, "a.test", ("benvolio",))
ok(smtpd.start(), "smtpd listens on 127.0.0.1 port %d" % MTA)
w = World(PORT, imd_extra=["offline mail", "mta 127.0.0.1 port %d" % MTA])
ok(w.prosody.add_user("juliet", "jpw"), "prosody: juliet@b.test created")
ok(w.prosody.start(), "prosody serves b.test")
ok(w.imd.start(), "imd serves a.test with offline mail")
w.imd.add_user("benvolio@a.test", "bpw")
juliet = Jabber("juliet@b.test", "jpw", "127.0.0.2", 5222, w.ca)
ok(juliet.ready.wait(15), "juliet is online")

juliet.send("benvolio@a.test", KO, mid="mail-1")
got = []
for _ in range(150):
    got = [m for m in smtpd.mails()
           if m.get_payload(decode=True).decode("utf-8", "replace") == KO]
    if got:
        break
    time.sleep(0.1)
ok(len(got) == 1, "benvolio, offline, gets juliet's message by mail, "
   "the Korean text intact")
if got:
    ok("juliet@b.test" in got[0]["From"] and
       "benvolio@a.test" in got[0]["To"],
       "From juliet@b.test, To benvolio@a.test: %s / %s" %
       (got[0]["From"], got[0]["To"]))
ok(juliet.wait(juliet.errors, lambda x: x[2] == "mail-1", 0.5) is None,
   "juliet gets no error")
juliet.stop()
done()
