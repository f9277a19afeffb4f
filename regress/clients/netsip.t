#!/usr/bin/env python3
# Net::SIP (libnet-sip-perl), an independent SIP stack, as two scripted
# presence user agents against imd in its default configuration
# (netsip_ua.pl): REGISTER and PUBLISH with digest, SUBSCRIBE with
# Net::SIP's own 32-character tags to presence and presence.winfo, the
# NOTIFYs, watcher information, a PUBLISH refresh by entity-tag, and an
# unsubscribe.

import os, subprocess, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, ok, done

r = subprocess.run(["perl", "-MNet::SIP", "-e", "print $Net::SIP::VERSION"],
                   capture_output=True, text=True)
if r.returncode != 0:
    print("1..0 # SKIP Net::SIP is not installed (libnet-sip-perl, "
          "scripts/install-deps)")
    sys.exit(0)
print("# Net::SIP %s" % r.stdout.strip())

P = 27400
D = "site1.test"
s = Suite(D, P)
ok(s.start(), "the suite starts with the default configuration")
ok(s.add_user("alice@" + D, "alicepw") and s.add_user("bob@" + D, "bobpw"),
   "alice and bob added")
ua = os.path.join(os.path.dirname(os.path.abspath(__file__)), "netsip_ua.pl")
try:
    r = subprocess.run(["perl", ua, D, str(P), str(P + 1), str(P + 2)],
                       capture_output=True, text=True, timeout=90)
    out, err = r.stdout, r.stderr
except subprocess.TimeoutExpired as e:
    out = (e.stdout or b"").decode("utf-8", "replace")
    err = "netsip_ua.pl did not finish in 90 s"
checks = 0
for line in out.splitlines():
    if line.startswith("check "):
        checks += 1
        ok(line[6] == "1", line[8:])
    else:
        print(line if line.startswith("#") else "# " + line)
for line in err.splitlines():
    print("# stderr: " + line)
ok(checks == 16, "netsip_ua.pl ran every check (%d of 16)" % checks)
ok(s.alive(), "the suite is still running")
done()
