#!/usr/bin/env python3
# A foreign server of another make: Kamailio from Debian serves
# site4.test on 127.0.0.4 (regress/relay/kamailio.cfg).  imd relays a1's
# message to a user registered at Kamailio, and Kamailio's user reaches
# a1 through imd.

import os, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Answer, Suite, UA, ok, done, header, message_auth
from kamailiotest import Kamailio, skip_unless_kamailio

skip_unless_kamailio()
P, K = 25700, 25760
kam = Kamailio(os.path.join(os.environ["IMD_TOP"],
                            "regress/relay/kamailio.cfg"))

s1 = Suite("site1.test", P, ['route "site4.test" via 127.0.0.4 port %d' % K])
ok(s1.start(), "site1 (imd) starts")
s1.add_user("a1@site1.test", "a1pw")
srv1, srvk = ("127.0.0.1", P), ("127.0.0.4", K)

d4 = UA(srvk, bind="127.0.0.4", timeout=1)
r = None
for _ in range(20):
    if not kam.alive():
        break
    try:
        r = d4.register("d4", "site4.test", "", expires=300)
        break
    except OSError:
        time.sleep(0.2)
d4.s.settimeout(3)
if r is None:
    print("Bail out! kamailio did not start: " +
          kam.logtail())
    sys.exit(1)
ok(r["status"] == 200,
   "d4 registers at Kamailio (site4.test)")

TEXT = "카밀리오에게 안녕".encode()
ans_d4 = Answer(d4)
r = message_auth(UA(srv1), "a1", "site1.test", "a1pw", "sip:d4@site4.test",
                 TEXT, "text/plain;charset=UTF-8")
req = ans_d4.request()
ok(isinstance(req, dict) and req["body"] == TEXT,
   "d4 at Kamailio receives a1's MESSAGE relayed by imd, body exact")
ok(isinstance(req, dict) and len(header(req, "via")) == 3,
   "through imd's relayd and Kamailio")
ok(r["status"] == 200, "a1 gets d4's 200 back through Kamailio and imd")

a1 = UA(srv1)
ok(a1.register("a1", "site1.test", "a1pw")["status"] == 200,
   "a1 registers at imd")
ans_a1 = Answer(a1)
r = UA(srvk, bind="127.0.0.4").request(
    "MESSAGE", "sip:a1@site1.test", "sip:d4@site4.test", "sip:a1@site1.test",
    ["Content-Type: text/plain;charset=UTF-8"], "답장이에요".encode())
req = ans_a1.request()
ok(isinstance(req, dict) and req["body"] == "답장이에요".encode(),
   "a1 receives d4's MESSAGE relayed by Kamailio to imd")
ok(r["status"] == 200, "d4 gets a1's 200 back through imd and Kamailio")
ok(kam.alive() and s1.alive(), "both servers still run")
done()
