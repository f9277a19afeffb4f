#!/usr/bin/env python3
# Registration over TLS with a test certificate: digest with SHA-256 on a
# TLS 1.2+ connection, the binding remembers tls and its connection, and
# over plain TCP the same works on the TCP port.

import os, subprocess, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done

PORT, TLSPORT = 25360, 25361
s = Suite("site1.test", PORT, ["auth algorithms sha-256 md5"])
cert, key = os.path.join(s.dir, "cert.pem"), os.path.join(s.dir, "key.pem")
r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-days", "2", "-subj", "/CN=site1.test",
                    "-addext", "subjectAltName=DNS:site1.test",
                    "-keyout", key, "-out", cert], capture_output=True)
ok(r.returncode == 0, "a test certificate for site1.test")
with open(s.conf, "a") as f:
    f.write('listen on 127.0.0.1 port %d tls certificate "%s" key "%s"\n'
            % (TLSPORT, cert, key))
ok(s.start(), "the suite starts with a TLS listener")
s.add_user("alice@site1.test", "alicepw")

ua = UA(("127.0.0.1", TLSPORT), "tls")
ok(ua.s.version() in ("TLSv1.2", "TLSv1.3"),
   "the connection is %s" % ua.s.version())
r = ua.register("alice", "site1.test", "alicepw", alg="SHA-256")
ok(r["status"] == 200, "REGISTER over TLS with SHA-256 digest: 200")
b = s.ctl("show", "bindings", "alice@site1.test").stdout
ok(" tls 127.0.0.1:%d " % ua.local[1] in b,
   "the binding says tls and the client's address: %s" % b.strip())

ut = UA(("127.0.0.1", PORT), "tcp")
r = ut.register("alice", "site1.test", "alicepw")
ok(r["status"] == 200, "and over plain TCP on the SIP port")
done()
