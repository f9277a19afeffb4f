#!/usr/bin/env python3
# imc over TCP and TLS: registration and messages on a suite with a TLS
# listener whose certificate names 127.0.0.1; the certificate checked
# against the configured CA file, refused without it (exit 4).

import os, subprocess, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import Suite, ok, done
from imclib import Client

P, TLSP = 25980, 25981
s = Suite("site1.test", P)
cert, key = os.path.join(s.dir, "cert.pem"), os.path.join(s.dir, "key.pem")
r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-days", "2", "-subj", "/CN=site1.test",
                    "-addext", "subjectAltName=DNS:site1.test,IP:127.0.0.1",
                    "-keyout", key, "-out", cert], capture_output=True)
ok(r.returncode == 0, "a test certificate for 127.0.0.1")
with open(s.conf, "a") as f:
    f.write('listen on 127.0.0.1 port %d tls certificate "%s" key "%s"\n'
            % (TLSP, cert, key))
ok(s.start(), "the suite starts with UDP, TCP and TLS")
s.add_user("alice@site1.test", "alicepw")
s.add_user("bob@site1.test", "bobpw")

tls = Client("alice@site1.test", "alicepw", "127.0.0.1", TLSP, "tls",
             extra=['ca %s' % cert])
r = tls.run("send", "bob@site1.test", "over tls")
ok(r.returncode == 0 and "queued for later" in r.stdout,
   "send over TLS, certificate checked with the ca file (%d %r)" % (
       r.returncode, r.stderr.strip()))
l = tls.run("listen", "-t", "1")
ok(l.returncode == 0, "listen over TLS registers and unregisters")
untrusted = Client("alice@site1.test", "alicepw", "127.0.0.1", TLSP, "tls")
r = untrusted.run("send", "bob@site1.test", "x")
ok(r.returncode == 4 and "not trusted" in r.stderr,
   "without the ca file the test certificate is refused: exit 4 (%r)" %
   r.stderr.strip())

tcp = Client("bob@site1.test", "bobpw", "127.0.0.1", P, "tcp")
lb = tcp.start("listen", "-t", "20")
ok(lb.ready(), "bob listens over TCP (the queued message comes)")
line = lb.line()
ok(line == "from alice@site1.test: over tls",
   "the message queued earlier arrives on bob's TCP connection: %r" % line)
r = Client("alice@site1.test", "alicepw", "127.0.0.1", P, "tcp").run(
    "send", "bob@site1.test", "over tcp")
ok(r.returncode == 0 and "delivered" in r.stdout, "send over TCP: delivered")
ok(lb.line() == "from alice@site1.test: over tcp", "bob prints it")
lb.stop()
ok(lb.code() == 0, "bob's listen ends with exit 0")
ok(s.alive(), "the suite still runs")
done()
